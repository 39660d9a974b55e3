//! Text inserted at the caret of an input or textarea, as if typed: the field picker uses it for the
//! path, key-value values and the raw body alike.

use web_sys::{Event, EventInit, HtmlInputElement, HtmlTextAreaElement};
use webhook_engine::editor::positions::utf16_to_byte;
use yew::NodeRef;

/// An input or a textarea: both hold text with a selection counted in UTF-16 units.
enum TextControl {
    Input(HtmlInputElement),
    TextArea(HtmlTextAreaElement),
}

impl TextControl {
    fn of(target: &NodeRef) -> Option<TextControl> {
        if let Some(input) = target.cast::<HtmlInputElement>() {
            return Some(TextControl::Input(input));
        }
        target
            .cast::<HtmlTextAreaElement>()
            .map(TextControl::TextArea)
    }

    fn value(&self) -> String {
        match self {
            TextControl::Input(input) => input.value(),
            TextControl::TextArea(area) => area.value(),
        }
    }

    fn set_value(&self, value: &str) {
        match self {
            TextControl::Input(input) => input.set_value(value),
            TextControl::TextArea(area) => area.set_value(value),
        }
    }

    /// The selection as UTF-16 offsets; the end of the text when the browser reports none.
    fn selection(&self, length: u32) -> (u32, u32) {
        let (start, end) = match self {
            TextControl::Input(input) => (input.selection_start(), input.selection_end()),
            TextControl::TextArea(area) => (area.selection_start(), area.selection_end()),
        };
        let start = start.ok().flatten().unwrap_or(length);
        (start, end.ok().flatten().unwrap_or(start).max(start))
    }

    fn place_caret(&self, offset: u32) {
        // Focus first: focusing can move the caret of an input that had none.
        let _ = match self {
            TextControl::Input(input) => input
                .focus()
                .and_then(|()| input.set_selection_range(offset, offset)),
            TextControl::TextArea(area) => area
                .focus()
                .and_then(|()| area.set_selection_range(offset, offset)),
        };
    }

    fn element(&self) -> &web_sys::HtmlElement {
        match self {
            TextControl::Input(input) => input,
            TextControl::TextArea(area) => area,
        }
    }
}

/// Replaces the selection of `target` (the caret, when nothing is selected) with `text`, gives the
/// focus back with the caret right after the insertion, and fires `input` so the component that owns
/// the control reads its new value exactly as when the admin types.
pub fn insert_at_caret(target: &NodeRef, text: &str) {
    let Some(control) = TextControl::of(target) else {
        return;
    };
    let value = control.value();
    let length = value.encode_utf16().count() as u32;
    let (start, end) = control.selection(length);
    let (start_byte, end_byte) = (
        utf16_to_byte(&value, start as usize),
        utf16_to_byte(&value, end as usize),
    );
    let updated = format!("{}{text}{}", &value[..start_byte], &value[end_byte..]);
    control.set_value(&updated);
    control.place_caret(start + text.encode_utf16().count() as u32);
    let init = EventInit::new();
    init.set_bubbles(true);
    if let Ok(event) = Event::new_with_event_init_dict("input", &init) {
        let _ = control.element().dispatch_event(&event);
    }
}

/// Focuses `target` with the caret at the UTF-16 offset `offset`.
pub fn focus_at(target: &NodeRef, offset: u32) {
    if let Some(control) = TextControl::of(target) {
        control.place_caret(offset);
    }
}

/// The `{{path}}` placeholder the picker inserts for a field.
pub fn placeholder(path: &str) -> String {
    format!("{{{{{path}}}}}")
}
