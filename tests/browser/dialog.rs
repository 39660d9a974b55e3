//! The shared modal dialog keeps keyboard focus where a keyboard or screen-reader user expects it:
//! inside while it is open, back on the control that opened it once it closes.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlElement, KeyboardEvent};
use webhook_automations::ui::widgets::Dialog;
use yew::prelude::*;
use yew::{AppHandle, Renderer};

use crate::dom::{click, document, find, fresh_root};

#[derive(Properties, PartialEq)]
struct OpenerProps {
    /// Whether the dialog holds buttons, or only text.
    with_buttons: bool,
    /// Whether Cancel asks for the first focus, as destructive confirmations do.
    #[prop_or_default]
    focus_cancel: bool,
}

/// A button that opens a dialog, as the pages do for their confirmations.
#[component]
fn Opener(props: &OpenerProps) -> Html {
    let open = use_state(|| false);
    let close = {
        let open = open.clone();
        Callback::from(move |()| open.set(false))
    };
    html! {
        <>
            <button type="button" id="opener" onclick={{ let open = open.clone(); Callback::from(move |_: MouseEvent| open.set(true)) }}>{ "Delete…" }</button>
            if *open {
                <Dialog title="Delete it?" on_close={close.clone()}>
                    <p>{ "It cannot be undone." }</p>
                    if props.with_buttons {
                        <div class="wa-actions">
                            <button type="button" id="confirm">{ "Delete" }</button>
                            <button type="button" id="cancel" data-initial-focus={props.focus_cancel.then_some("")} onclick={close.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                        </div>
                    }
                </Dialog>
            }
        </>
    }
}

async fn open_from_the_opener(props: OpenerProps) -> (Element, AppHandle<Opener>) {
    let root = fresh_root();
    let handle = Renderer::<Opener>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    let opener = find(&root, "#opener");
    // A click focuses the button in a real browser; `click()` alone does not.
    opener.dyn_ref::<HtmlElement>().unwrap().focus().unwrap();
    click(&opener);
    yew::scheduler::flush().await;
    (root, handle)
}

/// The id of the focused element, or its tag when it has none.
fn focused() -> String {
    let active = document()
        .active_element()
        .expect("something has the focus");
    match active.id().as_str() {
        "" => active.tag_name().to_lowercase(),
        id => format!("#{id}"),
    }
}

/// Presses `key` (with Shift when `shift`) on the focused element, as the keyboard does.
fn press(key: &str, shift: bool) -> bool {
    let init = js_sys::Object::new();
    for (name, value) in [
        ("key", JsValue::from_str(key)),
        ("shiftKey", JsValue::from_bool(shift)),
        ("bubbles", JsValue::TRUE),
        ("cancelable", JsValue::TRUE),
    ] {
        js_sys::Reflect::set(&init, &JsValue::from_str(name), &value).unwrap();
    }
    let constructor: js_sys::Function = js_sys::Reflect::get(
        &web_sys::window().unwrap(),
        &JsValue::from_str("KeyboardEvent"),
    )
    .unwrap()
    .unchecked_into();
    let event: KeyboardEvent = js_sys::Reflect::construct(
        &constructor,
        &js_sys::Array::of2(&JsValue::from_str("keydown"), &init),
    )
    .unwrap()
    .unchecked_into();
    document()
        .active_element()
        .unwrap()
        .dispatch_event(&event)
        .unwrap();
    event.default_prevented()
}

#[wasm_bindgen_test]
async fn the_dialog_takes_the_focus_keeps_tab_inside_and_gives_the_focus_back_when_it_closes() {
    let (root, handle) = open_from_the_opener(OpenerProps {
        with_buttons: true,
        focus_cancel: false,
    })
    .await;
    assert_eq!(
        focused(),
        "#confirm",
        "opening moves the focus to the dialog's first control"
    );

    // Tab from the last control wraps to the first, Shift+Tab from the first to the last; the
    // browser's own move is prevented only there.
    find(&root, "#cancel")
        .dyn_ref::<HtmlElement>()
        .unwrap()
        .focus()
        .unwrap();
    assert!(press("Tab", false), "Tab on the last control is handled");
    assert_eq!(focused(), "#confirm");
    assert!(
        press("Tab", true),
        "Shift+Tab on the first control is handled"
    );
    assert_eq!(focused(), "#cancel");
    assert!(
        !press("Tab", true),
        "Shift+Tab between controls is the browser's"
    );

    press("Escape", false);
    yew::scheduler::flush().await;
    assert!(root.query_selector(".wa-dialog").unwrap().is_none());
    assert_eq!(focused(), "#opener", "closing gives the focus back");

    // Closing with a button does the same.
    click(&find(&root, "#opener"));
    yew::scheduler::flush().await;
    assert_eq!(focused(), "#confirm");
    click(&find(&root, "#cancel"));
    yew::scheduler::flush().await;
    assert_eq!(focused(), "#opener");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_dialog_without_controls_takes_the_focus_itself_and_keeps_it() {
    let (root, handle) = open_from_the_opener(OpenerProps {
        with_buttons: false,
        focus_cancel: false,
    })
    .await;
    let dialog = Some(find(&root, ".wa-dialog"));
    assert!(
        document().active_element() == dialog,
        "the dialog itself has the focus, not {}",
        focused()
    );
    assert!(press("Tab", false), "Tab has nowhere to go");
    assert!(document().active_element() == dialog);

    press("Escape", false);
    yew::scheduler::flush().await;
    assert_eq!(focused(), "#opener");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_destructive_confirmation_opens_with_the_focus_on_cancel() {
    let props = OpenerProps {
        with_buttons: true,
        focus_cancel: true,
    };
    let (_root, handle) = open_from_the_opener(props).await;
    assert_eq!(
        focused(),
        "#cancel",
        "Enter right after opening must not delete"
    );
    handle.destroy();
}
