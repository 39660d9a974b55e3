//! Small building blocks shared by the pages: labelled form fields, dialogs, banners.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub label: AttrValue,
    /// The id of the input inside, so the label is attached to it.
    pub input_id: AttrValue,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<String>,
    pub children: Html,
}

/// A visible label, the input, and under it either the problem with it or a hint.
#[component]
pub fn Field(props: &FieldProps) -> Html {
    let error_id = format!("{}-error", props.input_id);
    html! {
        <div class={classes!("wa-field", props.error.is_some().then_some("has-error"))}>
            <label for={props.input_id.clone()}>{ props.label.clone() }</label>
            { props.children.clone() }
            if let Some(error) = &props.error {
                <p class="wa-field-error" id={error_id} role="alert">{ error }</p>
            } else if let Some(hint) = &props.hint {
                <p class="wa-field-hint">{ hint.clone() }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct DialogProps {
    pub title: AttrValue,
    pub on_close: Callback<()>,
    pub children: Html,
}

/// A modal dialog; Escape or the backdrop closes it.
#[component]
pub fn Dialog(props: &DialogProps) -> Html {
    let on_backdrop = props.on_close.reform(|_: MouseEvent| ());
    let on_key = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    html! {
        <div class="wa-dialog-backdrop" onclick={on_backdrop}>
            <div class="wa-dialog" role="dialog" aria-modal="true" aria-labelledby="wa-dialog-title"
                onclick={Callback::from(|event: MouseEvent| event.stop_propagation())} onkeydown={on_key}>
                <h2 id="wa-dialog-title">{ props.title.clone() }</h2>
                { props.children.clone() }
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct BannerProps {
    pub kind: BannerKind,
    pub message: String,
    pub on_dismiss: Callback<()>,
}

#[derive(Clone, Copy, PartialEq)]
pub enum BannerKind {
    Problem,
    Notice,
}

/// A message across the top of the page: problems stay until dismissed, notices are brief.
#[component]
pub fn Banner(props: &BannerProps) -> Html {
    let (class, role) = match props.kind {
        BannerKind::Problem => ("wa-banner is-problem", "alert"),
        BannerKind::Notice => ("wa-banner is-notice", "status"),
    };
    html! {
        <div class={class} role={role}>
            <span>{ &props.message }</span>
            <button type="button" class="wa-button is-quiet" aria-label="Dismiss"
                onclick={props.on_dismiss.reform(|_: MouseEvent| ())}>{ "×" }</button>
        </div>
    }
}

/// The value of the input or select an event came from.
pub fn input_value(event: &Event) -> String {
    use wasm_bindgen::JsCast;
    let target = event.target();
    if let Some(input) = target
        .as_ref()
        .and_then(|t| t.dyn_ref::<web_sys::HtmlInputElement>())
    {
        return input.value();
    }
    if let Some(select) = target
        .as_ref()
        .and_then(|t| t.dyn_ref::<web_sys::HtmlSelectElement>())
    {
        return select.value();
    }
    target
        .as_ref()
        .and_then(|t| t.dyn_ref::<web_sys::HtmlTextAreaElement>())
        .map(|area| area.value())
        .unwrap_or_default()
}

/// Whether the checkbox an event came from is checked.
pub fn checkbox_checked(event: &Event) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|input| input.checked())
}

/// `text` with its first letter in upper case: engine messages are clauses ("enter a name"), shown
/// on their own they read as sentences.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
