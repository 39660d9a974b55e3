//! The raw JSON body editor: a textarea over a highlighted overlay with a line-number gutter, the
//! body's diagnostics underlined in place and listed below (a click puts the caret there), a Format
//! button and the field picker.
//!
//! The textarea is not a controlled Yew `value`: re-setting a 100 KB value on every keystroke would
//! copy it and can move the caret. It is read through its `NodeRef` on `input`, and written only when
//! the text changes from elsewhere (Format, a conversion from rows).
//!
//! A keystroke's own work is small whatever the body's size: the engine re-reads the lines it changed,
//! the underlines move with the text, and the lines in view are redrawn. The rest of the form gets
//! the text once that frame is painted (coalesced while typing is faster than that): the body is
//! checked again then, and its diagnostics come back as props.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlTextAreaElement};
use webhook_engine::editor::format::format_raw;
use webhook_engine::editor::highlight::Token;
use webhook_engine::editor::highlighted_lines::HighlightedLines;
use webhook_engine::editor::picker::PickerField;
use webhook_engine::editor::positions::byte_to_utf16;
use webhook_engine::editor::text_edit::TextEdit;
use webhook_engine::Diagnostic;
use yew::prelude::*;

use crate::ui::automations::caret::focus_at;
use crate::ui::automations::code_lines::{follow_edit, line_html, marks, Mark};
use crate::ui::automations::deferred::AfterNextPaint;
use crate::ui::automations::field_picker::FieldPicker;
use crate::ui::automations::line_painter::{Canvas, LinePainter, LINE_HEIGHT};
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
    /// The text the textarea holds, as last read or written, highlighted.
    text: HighlightedLines,
    /// Texts handed over to the form whose props have not come back yet. Yew may let the browser
    /// run between a render and its effects, so a keystroke can come before the props it caused: a
    /// text found here is older than the textarea's, never one to write back into it.
    handed_over: Vec<String>,
    /// The text the diagnostics in the props are about, and their underlines.
    checked_text: AttrValue,
    checked_marks: Vec<Mark>,
    /// The underlines shown: the checked ones, moved along with what was typed since.
    marks: Vec<Mark>,
    painter: LinePainter,
    /// How many digits the gutter is wide enough for.
    number_digits: usize,
    /// How many lines the textarea is tall enough for.
    sized_lines: usize,
    /// The title the textarea shows for the diagnostic under the pointer.
    hover_title: Option<String>,
}

/// The overlay's HTML for line `line` of `text`.
fn overlay_line(text: &HighlightedLines, marks: &[Mark], line: usize) -> String {
    let tokens: Vec<Token> = text.line_tokens(line).collect();
    line_html(text.text(), text.line_range(line), &tokens, marks)
}

/// Where the editor's parts are in the page.
#[derive(Clone, Default)]
struct OverlayRefs {
    textarea: NodeRef,
    /// The overlay's one child, which holds the drawn lines.
    lines: NodeRef,
    gutter: NodeRef,
    /// The gutter's one child, which holds the drawn lines' numbers.
    numbers: NodeRef,
}

/// The editor's parts, as found in the page.
struct Overlay {
    area: HtmlTextAreaElement,
    lines: Element,
    gutter: Element,
    numbers: Element,
}

impl Overlay {
    fn canvas(&self) -> Canvas<'_> {
        Canvas {
            lines: &self.lines,
            numbers: &self.numbers,
        }
    }
}

impl OverlayRefs {
    fn find(&self) -> Option<Overlay> {
        Some(Overlay {
            area: self.textarea.cast()?,
            lines: self.lines.cast()?,
            gutter: self.gutter.cast()?,
            numbers: self.numbers.cast()?,
        })
    }
}

#[component]
pub fn RawEditor(props: &RawEditorProps) -> Html {
    let refs = (*use_memo((), |()| OverlayRefs::default())).clone();
    let textarea = refs.textarea.clone();
    let painted = use_mut_ref(Painted::default);
    let format_refusal = use_state(|| None::<String>);
    // Hands the typed text to the rest of the form once its frame is painted.
    let hand_over = use_memo((), |()| AfterNextPaint::default());

    {
        let (refs, painted) = (refs.clone(), painted.clone());
        use_effect_with(
            (props.text.clone(), props.diagnostics.clone()),
            move |(text, diagnostics)| {
                if let Some(overlay) = refs.find() {
                    show_text(&overlay, &painted, text, diagnostics);
                }
            },
        );
    }

    let on_input = {
        let (refs, painted, hand_over, on_change, format_refusal) = (
            refs.clone(),
            painted.clone(),
            hand_over.clone(),
            props.on_change.clone(),
            format_refusal.clone(),
        );
        Callback::from(move |_: InputEvent| {
            let Some(overlay) = refs.find() else {
                return;
            };
            show_typed(&overlay, &painted);
            if format_refusal.is_some() {
                format_refusal.set(None);
            }
            let painted = painted.clone();
            let on_change = on_change.clone();
            hand_over.request(move || {
                let mut state = painted.borrow_mut();
                let text = state.text.text().to_owned();
                if text != state.checked_text.as_str() {
                    state.handed_over.push(text.clone());
                    drop(state);
                    on_change.emit(text);
                }
            });
        })
    };
    let on_blur = {
        let hand_over = hand_over.clone();
        Callback::from(move |_: FocusEvent| hand_over.flush())
    };
    let on_scroll = {
        let (refs, painted) = (refs.clone(), painted.clone());
        Callback::from(move |_: Event| {
            if let Some(overlay) = refs.find() {
                follow_scroll(&overlay, &mut painted.borrow_mut());
            }
        })
    };
    let on_pointer = {
        let (textarea, painted) = (textarea.clone(), painted.clone());
        Callback::from(move |event: MouseEvent| {
            show_title_under_pointer(&textarea, &painted, &event)
        })
    };
    let on_format = {
        let (painted, on_change, format_refusal) = (
            painted.clone(),
            props.on_change.clone(),
            format_refusal.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let text = painted.borrow().text.text().to_owned();
            match format_raw(&text) {
                Ok(formatted) => {
                    format_refusal.set(None);
                    if formatted != text {
                        on_change.emit(formatted);
                    }
                }
                Err(refusal) => format_refusal.set(Some(refusal.to_string())),
            }
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
                <pre class="wa-code-gutter" aria-hidden="true" ref={refs.gutter.clone()}><div class="wa-code-numbers" ref={refs.numbers.clone()}></div></pre>
                <div class="wa-code-area">
                    <div class="wa-code-overlay" aria-hidden="true"><div class="wa-code-lines" ref={refs.lines.clone()}></div></div>
                    <textarea id={props.id.clone()} ref={textarea.clone()} class="wa-code-input" spellcheck="false"
                        autocomplete="off" autocapitalize="off" wrap="off"
                        aria-describedby={list_id.clone()} aria-invalid={if has_errors { "true" } else { "false" }}
                        oninput={on_input} onblur={on_blur} onscroll={on_scroll} onmousemove={on_pointer} />
                </div>
            </div>
            { diagnostic_list(list_id, &props.text, &props.diagnostics, &textarea) }
        </div>
    }
}

/// Brings the textarea and the overlay in line with the text and its diagnostics from the props.
fn show_text(
    overlay: &Overlay,
    painted: &RefCell<Painted>,
    text: &AttrValue,
    diagnostics: &[Diagnostic],
) {
    let mut state = painted.borrow_mut();
    let echo = state
        .handed_over
        .iter()
        .position(|sent| sent.as_str() == text.as_str());
    if let Some(at) = echo {
        state.handed_over.drain(..=at);
    }
    // Written only when the text changed from elsewhere (Format, a conversion): typed text is in the
    // textarea already, maybe with more typed since. Only then can the scroll position have moved
    // without a `scroll` event of its own; reading it forces a layout, which typing must not pay for.
    let replaced =
        echo.is_none() && *text != state.checked_text && state.text.text() != text.as_str();
    if replaced {
        state.handed_over.clear();
        overlay.area.set_value(text);
        state.text.set_text(text.to_string());
    }
    state.checked_text = text.clone();
    state.checked_marks = marks(text, diagnostics);
    state.marks = state.checked_marks.clone();
    // Diagnostics of a text typed over since: their underlines move onto the textarea's text.
    if let Some(edit) = TextEdit::between(text, state.text.text()) {
        follow_edit(&mut state.marks, &edit);
    }
    paint(overlay, &mut state);
    if replaced {
        follow_scroll(overlay, &mut state);
    }
}

/// Shows what was just typed: the engine re-reads the lines that changed, and the underlines move
/// with the text until the text's own diagnostics come (or the text is back to the checked one).
fn show_typed(overlay: &Overlay, painted: &RefCell<Painted>) {
    let mut state = painted.borrow_mut();
    let Some(edit) = state.text.set_text(overlay.area.value()) else {
        return;
    };
    if state.text.text() == state.checked_text.as_str() {
        state.marks = state.checked_marks.clone();
    } else {
        follow_edit(&mut state.marks, &edit);
    }
    paint(overlay, &mut state);
}

/// Redraws the lines in view that changed, with their numbers.
fn paint(overlay: &Overlay, state: &mut Painted) {
    let line_count = state.text.line_count();
    let view_lines = line_count.clamp(MIN_LINES, MAX_LINES);
    let Painted {
        text,
        marks,
        painter,
        ..
    } = state;
    painter.paint(&overlay.canvas(), line_count, view_lines, |line| {
        overlay_line(text, marks, line)
    });
    // The gutter shows the drawn lines' numbers only, so it is made as wide as the last line's.
    let digits = line_count.to_string().len();
    if state.number_digits != digits {
        state.number_digits = digits;
        let _ = overlay
            .gutter
            .set_attribute("style", &format!("min-width: {digits}ch"));
    }
    // Only when it changes: restyling the textarea lays its whole text out again.
    if state.sized_lines != view_lines {
        state.sized_lines = view_lines;
        // Padding (8px above and below) as in the stylesheet.
        let height = format!("height: {}px", view_lines as i32 * LINE_HEIGHT + 16);
        let _ = overlay.area.set_attribute("style", &height);
    }
}

/// The overlay's lines and their numbers follow the textarea's scroll position.
fn follow_scroll(overlay: &Overlay, state: &mut Painted) {
    let (top, left) = (overlay.area.scroll_top(), overlay.area.scroll_left());
    let Painted {
        text,
        marks,
        painter,
        ..
    } = state;
    painter.scroll_to(&overlay.canvas(), top, left, |line| {
        overlay_line(text, marks, line)
    });
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
