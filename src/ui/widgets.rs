//! Small building blocks shared by the pages: labelled form fields, dialogs, banners.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

/// A visible label, the input, and under it either the problem with it or a hint. `input_id` is the
/// id of the input inside, so the label is attached to it.
pub fn field(
    label: &str,
    input_id: &str,
    hint: Option<&str>,
    error: Option<&str>,
    input: Html,
) -> Html {
    html! {
        <div class={classes!("wa-field", error.is_some().then_some("has-error"))}>
            <label for={input_id.to_owned()}>{ label }</label>
            { input }
            if let Some(error) = error {
                <p class="wa-field-error" id={format!("{input_id}-error")} role="alert">{ error }</p>
            } else if let Some(hint) = hint {
                <p class="wa-field-hint">{ hint }</p>
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

/// A modal dialog; Escape or the backdrop closes it. Like any modal it holds the keyboard while open,
/// so keyboard and screen-reader users neither act on the page behind it nor lose their place: the
/// focus moves to the control marked `data-initial-focus`, else to its first control (or to the
/// dialog itself when it has none), Tab and Shift+Tab wrap around inside it, and on closing the
/// focus goes back to where it was before.
#[component]
pub fn Dialog(props: &DialogProps) -> Html {
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        use_effect_with((), move |()| {
            let opener = focused_element();
            if let Some(dialog) = dialog.cast::<HtmlElement>() {
                let first =
                    initial_focus(&dialog).or_else(|| focusable_inside(&dialog).into_iter().next());
                let _ = first.unwrap_or(dialog).focus();
            }
            move || {
                // The opener may be gone by now, like the row of a record just deleted.
                if let Some(opener) = opener.filter(|opener| opener.is_connected()) {
                    let _ = opener.focus();
                }
            }
        });
    }
    let on_backdrop = props.on_close.reform(|_: MouseEvent| ());
    let on_key = {
        let (on_close, dialog) = (props.on_close.clone(), dialog.clone());
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "Escape" => on_close.emit(()),
            "Tab" => {
                if let Some(dialog) = dialog.cast::<HtmlElement>() {
                    keep_tab_inside(&dialog, &event);
                }
            }
            _ => {}
        })
    };
    html! {
        <div class="wa-dialog-backdrop" onclick={on_backdrop}>
            <div class="wa-dialog" role="dialog" aria-modal="true" aria-labelledby="wa-dialog-title" tabindex="-1"
                ref={dialog} onclick={Callback::from(|event: MouseEvent| event.stop_propagation())} onkeydown={on_key}>
                <h2 id="wa-dialog-title">{ props.title.clone() }</h2>
                { props.children.clone() }
            </div>
        </div>
    }
}

/// What Tab can reach: links, enabled form controls and anything given a place in the tab order.
const FOCUSABLE: &str =
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

fn focusable_inside(container: &HtmlElement) -> Vec<HtmlElement> {
    let Ok(found) = container.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|index| found.item(index)?.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// The control marked `data-initial-focus`: a confirmation of something destructive opens on
/// Cancel, so an Enter pressed right away does no harm.
fn initial_focus(dialog: &HtmlElement) -> Option<HtmlElement> {
    dialog
        .query_selector("[data-initial-focus]")
        .ok()??
        .dyn_into::<HtmlElement>()
        .ok()
}

fn focused_element() -> Option<HtmlElement> {
    web_sys::window()?
        .document()?
        .active_element()?
        .dyn_into::<HtmlElement>()
        .ok()
}

/// Tab from the dialog's last control goes to its first, Shift+Tab from the first to the last;
/// between them the browser moves the focus itself. With no control, the focus stays on the dialog.
fn keep_tab_inside(dialog: &HtmlElement, event: &KeyboardEvent) {
    let controls = focusable_inside(dialog);
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        event.prevent_default();
        return;
    };
    let focused = focused_element();
    let at = |element: &HtmlElement| focused.as_ref() == Some(element);
    let wrap_to = if event.shift_key() {
        (at(first) || at(dialog)).then_some(last)
    } else {
        at(last).then_some(first)
    };
    if let Some(target) = wrap_to {
        event.prevent_default();
        let _ = target.focus();
    }
}

#[derive(Clone, Copy)]
pub enum BannerKind {
    Problem,
    Notice,
}

/// A message across the top of the page: problems stay until dismissed, notices are brief.
pub fn banner(kind: BannerKind, message: &str, on_dismiss: Callback<()>) -> Html {
    let (class, role) = match kind {
        BannerKind::Problem => ("wa-banner is-problem", "alert"),
        BannerKind::Notice => ("wa-banner is-notice", "status"),
    };
    html! {
        <div class={class} role={role}>
            <span>{ message }</span>
            <button type="button" class="wa-button is-quiet" aria-label="Dismiss"
                onclick={on_dismiss.reform(|_: MouseEvent| ())}>{ "×" }</button>
        </div>
    }
}

/// The value of the input or select an event came from.
pub fn input_value(event: &Event) -> String {
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
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|input| input.checked())
}

pub use webhook_automations_runtime::text::capitalize;
