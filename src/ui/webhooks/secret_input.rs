//! An input for a credential. A saved credential is never put back into the page: the input stays
//! empty with "saved" shown, and typing replaces it.

use yew::prelude::*;

use crate::ui::webhooks::draft::SecretDraft;
use crate::ui::widgets::input_value;

#[derive(Properties, PartialEq)]
pub struct SecretInputProps {
    pub id: AttrValue,
    pub draft: SecretDraft,
    pub on_input: Callback<String>,
}

#[component]
pub fn SecretInput(props: &SecretInputProps) -> Html {
    let (value, placeholder) = match &props.draft {
        SecretDraft::Saved => (String::new(), "•••••• saved — type to replace"),
        SecretDraft::Empty => (String::new(), ""),
        SecretDraft::Typed(text) => (text.clone(), ""),
    };
    html! {
        <input id={props.id.clone()} type="password" autocomplete="off" spellcheck="false"
            class={classes!("wa-input", matches!(props.draft, SecretDraft::Saved).then_some("is-saved-secret"))}
            {value} {placeholder}
            oninput={props.on_input.reform(|event: InputEvent| input_value(&event))} />
    }
}
