//! Editor support for the browser app: everything the body, field and condition editors need to
//! decide, so the UI stays a thin view. Formatting and converting bodies, highlighting raw JSON (line
//! by line as it is edited, see `text_edit` and `highlighted_lines`),
//! textarea offsets, the field picker, condition menus and the live request preview.

pub mod convert;
pub mod format;
pub mod highlight;
pub mod highlighted_lines;
mod lexemes;
pub mod operators;
pub mod picker;
pub mod positions;
pub mod preview;
pub mod text_edit;
