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
}

#[derive(Debug, Clone)]
pub(crate) enum Part {
    Literal(Range<usize>),
    Field {
        path: FieldPath,
        placement: Placement,
    },
}

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
            parts: parts.0,
        }
    }

    /// Renders with `context` (an object such as `{"deal": {…}, "previous": {…}, "event": {…}}`),
    /// appending to `out`.
    pub fn render_into(&self, context: &Value, out: &mut String) {
        for part in &self.parts {
            match part {
                Part::Literal(range) => out.push_str(&self.text[range.clone()]),
                Part::Field {
                    path,
                    placement: Placement::Value,
                } => write_json(path.lookup(context).unwrap_or(&Value::Null), out),
                Part::Field {
                    path,
                    placement: Placement::InString,
                } => {
                    if let Some(text) = value_text(path.lookup(context)) {
                        write_string_contents(&text, out);
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
            Part::Field { path, .. } => Some(path),
            Part::Literal(_) => None,
        })
    }
}

/// The parts of a body under construction. Adjacent literal ranges merge, so a body without fields is a
/// single copy at render time.
#[derive(Debug, Default)]
pub(crate) struct Parts(Vec<Part>);

impl Parts {
    pub fn literal(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        if let Some(Part::Literal(last)) = self.0.last_mut() {
            if last.end == range.start {
                last.end = range.end;
                return;
            }
        }
        self.0.push(Part::Literal(range));
    }

    pub fn field(&mut self, path: FieldPath, placement: Placement) {
        self.0.push(Part::Field { path, placement });
    }
}
