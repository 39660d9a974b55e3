//! The field picker: a button beside an input that opens a searchable list of the CRM fields the
//! trigger offers, grouped as the engine groups them, and inserts the chosen one as `{{path}}` at the
//! caret of that input. The same picker serves the path, every key-value value and the raw body.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use webhook_engine::editor::picker::{search_fields, PickerField};
use yew::prelude::*;

use crate::ui::automations::caret::{insert_at_caret, placeholder};
use crate::ui::automations::reference::grouped;
use crate::ui::widgets::input_value;

#[derive(Properties, PartialEq)]
pub struct FieldPickerProps {
    /// The input or textarea the chosen field goes into, at its caret.
    pub target: NodeRef,
    pub fields: Rc<Vec<PickerField>>,
    /// What the button does, for screen readers and the tooltip: "Insert a field into the path".
    pub label: AttrValue,
}

#[component]
pub fn FieldPicker(props: &FieldPickerProps) -> Html {
    let open = use_state(|| false);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let close = {
        let open = open.clone();
        Callback::from(move |()| open.set(false))
    };
    html! {
        <div class="wa-picker">
            <button type="button" class="wa-button is-small wa-picker-button" aria-haspopup="dialog"
                aria-expanded={if *open { "true" } else { "false" }} aria-label={props.label.clone()}
                title={props.label.clone()} onclick={toggle}>
                <span class="wa-picker-braces" aria-hidden="true">{ "{ }" }</span>{ " Insert field" }
            </button>
            if *open {
                <FieldPopover target={props.target.clone()} fields={props.fields.clone()} on_close={close} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct FieldPopoverProps {
    target: NodeRef,
    fields: Rc<Vec<PickerField>>,
    on_close: Callback<()>,
}

#[component]
fn FieldPopover(props: &FieldPopoverProps) -> Html {
    let query = use_state(String::new);
    let search = use_node_ref();
    let popover = use_node_ref();
    {
        let search = search.clone();
        use_effect_with((), move |()| {
            if let Some(input) = search.cast::<web_sys::HtmlElement>() {
                let _ = input.focus();
            }
        });
    }
    let found = search_fields(&props.fields, &query);
    let pick = {
        let (target, on_close) = (props.target.clone(), props.on_close.clone());
        Callback::from(move |path: String| {
            insert_at_caret(&target, &placeholder(&path));
            on_close.emit(());
        })
    };
    let on_search = {
        let query = query.clone();
        Callback::from(move |event: InputEvent| query.set(input_value(&event)))
    };
    let on_key = {
        let (popover, target, on_close, pick) = (
            popover.clone(),
            props.target.clone(),
            props.on_close.clone(),
            pick.clone(),
        );
        let first = found.first().map(|field| field.path.clone());
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "Escape" => {
                event.prevent_default();
                on_close.emit(());
                if let Some(target) = target.cast::<web_sys::HtmlElement>() {
                    let _ = target.focus();
                }
            }
            "Enter" if is_search_box(&event) => {
                event.prevent_default();
                if let Some(path) = &first {
                    pick.emit(path.clone());
                }
            }
            "ArrowDown" | "ArrowUp" => {
                event.prevent_default();
                move_focus(&popover, event.key() == "ArrowDown");
            }
            _ => {}
        })
    };
    // Clicking or tabbing anywhere outside closes the list, as a menu does.
    let on_focus_out = {
        let (popover, on_close) = (popover.clone(), props.on_close.clone());
        Callback::from(move |event: FocusEvent| {
            let inside = event
                .related_target()
                .and_then(|node| node.dyn_into::<web_sys::Node>().ok())
                .zip(popover.cast::<web_sys::Node>())
                .is_some_and(|(node, popover)| popover.contains(Some(&node)));
            if !inside {
                on_close.emit(());
            }
        })
    };

    html! {
        <div class="wa-picker-popover" role="dialog" aria-label="Insert a field" ref={popover}
            onkeydown={on_key} onfocusout={on_focus_out}>
            <input ref={search} class="wa-input" type="search" aria-label="Search fields"
                placeholder="Search fields, like title or email" value={(*query).clone()} oninput={on_search} />
            <div class="wa-picker-results">
                if found.is_empty() {
                    <p class="wa-muted">{ format!("No field matches “{}”.", query.trim()) }</p>
                }
                { for grouped(found.iter().copied()).into_iter().map(|(group, fields)| html! {
                    <div class="wa-picker-group" role="group" aria-label={group.to_owned()}>
                        <h4 aria-hidden="true">{ group }</h4>
                        { for fields.into_iter().map(|field| option(field, &pick)) }
                    </div>
                }) }
            </div>
        </div>
    }
}

fn option(field: &PickerField, pick: &Callback<String>) -> Html {
    let path = field.path.clone();
    let onclick = pick.reform(move |_: MouseEvent| path.clone());
    html! {
        <button type="button" class="wa-picker-option" data-path={field.path.clone()} {onclick}>
            <span class="wa-picker-label">{ &field.label }</span>
            <code>{ &field.path }</code>
            if let Some(warning) = &field.warning {
                <span class="wa-picker-warning">{ warning }</span>
            }
        </button>
    }
}

fn is_search_box(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some()
}

/// Moves the focus to the next (or previous) control of the popover: the search box, then each field.
fn move_focus(popover: &NodeRef, forward: bool) {
    let Some(popover) = popover.cast::<web_sys::Element>() else {
        return;
    };
    let Ok(controls) = popover.query_selector_all("input, .wa-picker-option") else {
        return;
    };
    let count = controls.length();
    if count == 0 {
        return;
    }
    let active = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.active_element());
    let current = (0..count).find(|&index| {
        active
            .as_ref()
            .is_some_and(|active| active.is_same_node(controls.item(index).as_ref()))
    });
    let next = match (current, forward) {
        (None, _) => 0,
        (Some(index), true) => (index + 1) % count,
        (Some(index), false) => (index + count - 1) % count,
    };
    if let Some(element) = controls
        .item(next)
        .and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
