//! The compiled form of a JSON body (raw or key-value) and its render: a walk over literal text and field
//! slots that writes into one buffer.

use std::ops::Range;

use serde_json::Value;

use super::field::FieldPath;
use super::value::{value_text, write_json, write_string_contents};

/// A compiled JSON body. Rendering cannot fail: by construction it is valid JSON for every context.
#[derive(Debug, Clone)]
pub struct BodyTemplate {
    /// The literal text the parts point into (the raw source, or the text built from key-value rows).
    text: String,
    parts: Vec<Part>,
    /// The paths the field parts read, each stored once however often the body uses it.
    fields: Vec<FieldPath>,
}

#[derive(Debug, Clone)]
pub(crate) enum Part {
    Literal(Range<usize>),
    Field {
        /// Index of the path in the template's `fields`.
        field: FieldId,
        placement: Placement,
    },
}

/// A field path stored in [`Parts`], which any number of field parts may share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldId(usize);

/// Where a field stands in the JSON, which decides how its value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// As a whole JSON value: typed, missing → `null`.
    Value,
    /// Inside a JSON string: its text, escaped; missing → nothing.
    InString,
}

impl BodyTemplate {
    pub(crate) fn new(text: String, parts: Parts) -> Self {
        BodyTemplate {
            text,
            parts: parts.parts,
            fields: parts.fields,
        }
    }

    /// Renders with `context` (an object such as `{"deal": {…}, "previous": {…}, "event": {…}}`),
    /// appending to `out`.
    pub fn render_into(&self, context: &Value, out: &mut String) {
        for part in &self.parts {
            match part {
                Part::Literal(range) => out.push_str(&self.text[range.clone()]),
                Part::Field { field, placement } => {
                    let value = self.fields[field.0].lookup(context);
                    match placement {
                        Placement::Value => write_json(value.unwrap_or(&Value::Null), out),
                        Placement::InString => {
                            if let Some(text) = value_text(value) {
                                write_string_contents(&text, out);
                            }
                        }
                    }
                }
            }
        }
    }

    pub fn render(&self, context: &Value) -> String {
        let mut out = String::with_capacity(self.text.len());
        self.render_into(context, &mut out);
        out
    }

    /// Every field the body uses, in order.
    pub fn fields(&self) -> impl Iterator<Item = &FieldPath> {
        self.parts.iter().filter_map(|part| match part {
            Part::Field { field, .. } => Some(&self.fields[field.0]),
            Part::Literal(_) => None,
        })
    }
}

/// The parts of a body under construction. Adjacent literal ranges merge, so a body without fields is a
/// single copy at render time.
#[derive(Debug, Default)]
pub(crate) struct Parts {
    parts: Vec<Part>,
    fields: Vec<FieldPath>,
}

impl Parts {
    pub fn literal(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        if let Some(Part::Literal(last)) = self.parts.last_mut() {
            if last.end == range.start {
                last.end = range.end;
                return;
            }
        }
        self.parts.push(Part::Literal(range));
    }

    pub fn field(&mut self, path: FieldPath, placement: Placement) {
        let field = self.add_path(path);
        self.field_at(field, placement);
    }

    /// Stores a path for [`Parts::field_at`], so a path used many times is stored (and freed) once.
    pub fn add_path(&mut self, path: FieldPath) -> FieldId {
        self.fields.push(path);
        FieldId(self.fields.len() - 1)
    }

    pub fn field_at(&mut self, field: FieldId, placement: Placement) {
        self.parts.push(Part::Field { field, placement });
    }
}
