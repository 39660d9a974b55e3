//! The raw JSON body editor: a textarea over a highlighted overlay with a line-number gutter, the
//! body's diagnostics underlined in place and listed below (a click puts the caret there), a Format
//! button and the field picker.
//!
//! The textarea is not a controlled Yew `value`: re-setting a 100 KB value on every keystroke would
//! copy it and can move the caret. It is read through its `NodeRef` on `input`, and written only when
//! the text changes from elsewhere (Format, a conversion from rows).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};
use webhook_engine::editor::format::format_raw;
use webhook_engine::editor::highlight::highlight_raw;
use webhook_engine::editor::picker::PickerField;
use webhook_engine::editor::positions::byte_to_utf16;
use webhook_engine::Diagnostic;
use yew::prelude::*;

use crate::ui::automations::caret::focus_at;
use crate::ui::automations::code_lines::overlay_lines;
use crate::ui::automations::field_picker::FieldPicker;
use crate::ui::automations::line_painter::{LinePainter, LINE_HEIGHT};
use crate::ui::automations::problems::{
    diagnostic_message, more_than_listed, severity_label, LISTED_AT_MOST,
};
use crate::ui::widgets::capitalize;

/// The textarea grows with the body between these many lines, then scrolls.
const MIN_LINES: usize = 6;
const MAX_LINES: usize = 24;

#[derive(Properties, PartialEq)]
pub struct RawEditorProps {
    /// The textarea's id, for its label.
    pub id: AttrValue,
    pub text: AttrValue,
    pub diagnostics: Rc<Vec<Diagnostic>>,
    pub fields: Rc<Vec<PickerField>>,
    pub on_change: Callback<String>,
}

/// What the editor knows about its own DOM between renders.
#[derive(Default)]
struct Painted {
    /// The text the textarea holds, as last read or written.
    text: Option<AttrValue>,
    lines: LinePainter,
    line_count: usize,
    /// The title the textarea shows for the diagnostic under the pointer.
    hover_title: Option<String>,
}

#[component]
pub fn RawEditor(props: &RawEditorProps) -> Html {
    let textarea = use_node_ref();
    // The overlay's one child, which holds the drawn lines.
    let lines = use_node_ref();
    let gutter = use_node_ref();
    let painted = use_mut_ref(Painted::default);
    let format_refusal = use_state(|| None::<String>);

    {
        let (textarea, lines, gutter, painted) = (
            textarea.clone(),
            lines.clone(),
            gutter.clone(),
            painted.clone(),
        );
        use_effect_with(
            (props.text.clone(), props.diagnostics.clone()),
            move |(text, diagnostics)| {
                repaint(&textarea, &lines, &gutter, &painted, text, diagnostics);
            },
        );
    }

    let on_input = {
        let (textarea, painted, on_change, format_refusal) = (
            textarea.clone(),
            painted.clone(),
            props.on_change.clone(),
            format_refusal.clone(),
        );
        Callback::from(move |_: InputEvent| {
            let Some(area) = textarea.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let text = area.value();
            painted.borrow_mut().text = Some(AttrValue::from(text.clone()));
            if format_refusal.is_some() {
                format_refusal.set(None);
            }
            on_change.emit(text);
        })
    };
    let on_scroll = {
        let (textarea, lines, gutter, painted) = (
            textarea.clone(),
            lines.clone(),
            gutter.clone(),
            painted.clone(),
        );
        Callback::from(move |_: Event| follow_scroll(&textarea, &lines, &gutter, &painted))
    };
    let on_pointer = {
        let (textarea, painted) = (textarea.clone(), painted.clone());
        Callback::from(move |event: MouseEvent| {
            show_title_under_pointer(&textarea, &painted, &event)
        })
    };
    let on_format = {
        let (text, on_change, format_refusal) = (
            props.text.clone(),
            props.on_change.clone(),
            format_refusal.clone(),
        );
        Callback::from(move |_: MouseEvent| match format_raw(&text) {
            Ok(formatted) => {
                format_refusal.set(None);
                if formatted != *text {
                    on_change.emit(formatted);
                }
            }
            Err(refusal) => format_refusal.set(Some(refusal.to_string())),
        })
    };

    let list_id = format!("{}-diagnostics", props.id);
    let has_errors = props.diagnostics.iter().any(Diagnostic::is_error);
    html! {
        <div class="wa-raw-editor">
            <div class="wa-code-toolbar">
                <FieldPicker target={textarea.clone()} fields={props.fields.clone()} label="Insert a field into the body" />
                <button type="button" class="wa-button is-small" onclick={on_format}>{ "Format" }</button>
            </div>
            if let Some(refusal) = &*format_refusal {
                <p class="wa-field-error wa-format-refusal" role="alert">{ capitalize(refusal) }</p>
            }
            <div class="wa-code">
                <pre class="wa-code-gutter" aria-hidden="true" ref={gutter}></pre>
                <div class="wa-code-area">
                    <div class="wa-code-overlay" aria-hidden="true"><div class="wa-code-lines" ref={lines}></div></div>
                    <textarea id={props.id.clone()} ref={textarea.clone()} class="wa-code-input" spellcheck="false"
                        autocomplete="off" autocapitalize="off" wrap="off"
                        aria-describedby={list_id.clone()} aria-invalid={if has_errors { "true" } else { "false" }}
                        oninput={on_input} onscroll={on_scroll} onmousemove={on_pointer} />
                </div>
            </div>
            { diagnostic_list(list_id, &props.text, &props.diagnostics, &textarea) }
        </div>
    }
}

/// Brings the textarea, the overlay and the gutter in line with the text and its diagnostics.
fn repaint(
    textarea: &NodeRef,
    lines: &NodeRef,
    gutter: &NodeRef,
    painted: &Rc<RefCell<Painted>>,
    text: &AttrValue,
    diagnostics: &[Diagnostic],
) {
    let (Some(area), Some(lines_element), Some(gutter_element)) = (
        textarea.cast::<HtmlTextAreaElement>(),
        lines.cast::<Element>(),
        gutter.cast::<HtmlElement>(),
    ) else {
        return;
    };
    let mut state = painted.borrow_mut();
    // Set only when the text changed from elsewhere (Format, a conversion): typing already put it
    // there. Only then can the scroll position have moved without a `scroll` event of its own;
    // reading it forces a layout, which typing must not pay for.
    let replaced = state.text.as_ref() != Some(text);
    if replaced {
        area.set_value(text);
        state.text = Some(text.clone());
    }
    let highlighted = overlay_lines(text, &highlight_raw(text), diagnostics);
    let line_count = highlighted.len();
    let view_lines = line_count.clamp(MIN_LINES, MAX_LINES);
    state
        .lines
        .set_lines(&lines_element, highlighted, view_lines);
    if state.line_count != line_count {
        state.line_count = line_count;
        let numbers: Vec<String> = (1..=line_count).map(|n| n.to_string()).collect();
        gutter_element.set_text_content(Some(&numbers.join("\n")));
        // Padding (8px above and below) as in the stylesheet.
        let height = format!("height: {}px", view_lines as i32 * LINE_HEIGHT + 16);
        let _ = area.set_attribute("style", &height);
    }
    drop(state);
    if replaced {
        follow_scroll(textarea, lines, gutter, painted);
    }
}

/// The overlay's lines and the gutter follow the textarea's scroll position.
fn follow_scroll(
    textarea: &NodeRef,
    lines: &NodeRef,
    gutter: &NodeRef,
    painted: &Rc<RefCell<Painted>>,
) {
    let (Some(area), Some(lines), Some(gutter)) = (
        textarea.cast::<Element>(),
        lines.cast::<Element>(),
        gutter.cast::<Element>(),
    ) else {
        return;
    };
    let (top, left) = (area.scroll_top(), area.scroll_left());
    gutter.set_scroll_top(top);
    painted.borrow_mut().lines.scroll_to(&lines, top, left);
}

/// The textarea lies over the overlay and takes the pointer, so the overlay's underlines cannot show
/// their own `title`: the textarea shows the title of the diagnostic under the pointer instead.
fn show_title_under_pointer(
    textarea: &NodeRef,
    painted: &Rc<RefCell<Painted>>,
    event: &MouseEvent,
) {
    let Some(area) = textarea.cast::<Element>() else {
        return;
    };
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let title = document
        .elements_from_point(event.client_x() as f32, event.client_y() as f32)
        .iter()
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .find(|element| element.class_list().contains("wa-mark"))
        .and_then(|mark| mark.get_attribute("title"));
    let mut painted = painted.borrow_mut();
    if painted.hover_title != title {
        let _ = match &title {
            Some(title) => area.set_attribute("title", title),
            None => area.remove_attribute("title"),
        };
        painted.hover_title = title;
    }
}

/// The body's diagnostics under the editor; each one puts the caret where it points.
fn diagnostic_list(
    id: String,
    text: &AttrValue,
    diagnostics: &[Diagnostic],
    textarea: &NodeRef,
) -> Html {
    html! {
        <>
        <ul {id} class="wa-diagnostics" aria-label="Problems in the body" aria-live="polite">
            { for diagnostics.iter().take(LISTED_AT_MOST).map(|diagnostic| {
                let jump = {
                    let (textarea, text, diagnostic) = (textarea.clone(), text.clone(), diagnostic.clone());
                    Callback::from(move |_: MouseEvent| jump_to(&textarea, &text, &diagnostic))
                };
                let at = diagnostic.start;
                html! {
                    <li>
                        <button type="button" class={classes!("wa-diagnostic", diagnostic.is_error().then_some("is-error"))}
                            onclick={jump} title="Show in the body">
                            <span class="wa-diagnostic-at">{ format!("Line {}, column {}", at.line, at.column) }</span>
                            <span class="wa-diagnostic-severity">{ severity_label(diagnostic) }</span>
                            <span class="wa-diagnostic-message">{ diagnostic_message(diagnostic) }</span>
                        </button>
                    </li>
                }
            }) }
        </ul>
        { more_than_listed(diagnostics.len(), "problem") }
        </>
    }
}

/// Focuses the textarea with the caret at the diagnostic's start (a textarea counts UTF-16 units, the
/// diagnostic bytes) and scrolls its line into the middle of the view.
fn jump_to(textarea: &NodeRef, text: &str, diagnostic: &Diagnostic) {
    let offset = byte_to_utf16(text, diagnostic.span.start) as u32;
    focus_at(textarea, offset);
    if let Some(area) = textarea.cast::<Element>() {
        let line_top = diagnostic.start.line.saturating_sub(1) as i32 * LINE_HEIGHT;
        area.set_scroll_top((line_top - area.client_height() / 2).max(0));
    }
}
