//! An input for a credential. A saved credential is never put back into the page: the input stays
//! empty with "saved" shown, and typing replaces it.

use yew::prelude::*;

use crate::ui::webhooks::draft::SecretDraft;
use crate::ui::widgets::input_value;

pub fn secret_input(id: &str, draft: &SecretDraft, on_input: Callback<String>) -> Html {
    let (value, placeholder) = match draft {
        SecretDraft::Saved => (String::new(), "•••••• saved — type to replace"),
        SecretDraft::Empty => (String::new(), ""),
        SecretDraft::Typed(text) => (text.clone(), ""),
    };
    html! {
        <input id={id.to_owned()} type="password" autocomplete="off" spellcheck="false"
            class={classes!("wa-input", matches!(draft, SecretDraft::Saved).then_some("is-saved-secret"))}
            {value} {placeholder}
            oninput={on_input.reform(|event: InputEvent| input_value(&event))} />
    }
}
