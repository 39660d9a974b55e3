//! Key-value bodies: a table of rows that renders as one flat JSON object.
//!
//! Keys are literal text. A value that is exactly one placeholder keeps the field's JSON type; any
//! other value is a string, with placeholders rendered as text. Dotted keys are not nested: `a.b` is the
//! key "a.b" (nesting is what raw JSON bodies are for).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::body::{BodyTemplate, Parts, Placement};
use super::field::FieldResolver;
use super::report::{Compilation, Report};
use super::text::{pieces, Piece};
use super::value::write_string_contents;
use crate::diagnostic::{Cell, CellPart, Span};

/// One row of a key-value body, as the admin typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub key: String,
    pub value: String,
}

impl Row {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Row {
            key: key.into(),
            value: value.into(),
        }
    }
}

pub fn compile_key_value(rows: &[Row], resolver: &dyn FieldResolver) -> Compilation<BodyTemplate> {
    let mut body = BodyText::default();
    let mut diagnostics = Vec::new();
    if rows.is_empty() {
        let mut report = Report::new(b"");
        let help = Some("add a row with a key and a value".to_owned());
        report.error(Span::new(0, 0), "the body needs at least one row", help);
        diagnostics.extend(report.into_sorted());
    }
    // Each key and the first row that set it, to name both rows of a duplicate.
    let mut first_rows: HashMap<String, usize> = HashMap::new();
    body.literal(|text| text.push('{'));
    for (index, row) in rows.iter().enumerate() {
        if index > 0 {
            body.literal(|text| text.push(','));
        }
        let cell = |part| Cell { row: index, part };

        let mut report = Report::for_cell(row.key.as_bytes(), cell(CellPart::Key));
        let key = literal_key(&row.key, &mut report);
        match first_rows.get(&key) {
            Some(first) => {
                let message = format!(
                    "duplicate key \"{key}\": rows {} and {} both set it",
                    first + 1,
                    index + 1
                );
                let help = Some("remove one of the rows, or rename one of the keys".to_owned());
                report.error(Span::new(0, row.key.len()), message, help);
            }
            None => {
                first_rows.insert(key.clone(), index);
            }
        }
        body.literal(|text| {
            text.push('"');
            write_string_contents(&key, text);
            text.push_str("\":");
        });
        diagnostics.extend(report.into_sorted());

        let mut report = Report::for_cell(row.value.as_bytes(), cell(CellPart::Value));
        compile_value(&row.value, resolver, &mut report, &mut body);
        diagnostics.extend(report.into_sorted());
    }
    body.literal(|text| text.push('}'));
    Compilation::new(diagnostics, || BodyTemplate::new(body.text, body.parts))
}

/// The key's text (with `\{{` as `{{`), reporting placeholders and empty keys.
fn literal_key(cell: &str, report: &mut Report) -> String {
    if cell.trim().is_empty() {
        let help = Some("every row needs a key; remove the row if it is not needed".to_owned());
        report.error(Span::new(0, cell.len()), "the key is empty", help);
    }
    let mut key = String::new();
    for piece in pieces(cell) {
        let placeholder_span = match piece {
            Piece::Literal(range) => {
                key.push_str(&cell[range]);
                continue;
            }
            Piece::Field(found) => found.span,
            Piece::Broken { start, error } => Span::new(start, error.resume),
        };
        let help =
            Some("keys are fixed text; to build keys from fields, use a raw JSON body".to_owned());
        report.error(placeholder_span, "a key can't contain a placeholder", help);
    }
    key
}

fn compile_value(
    cell: &str,
    resolver: &dyn FieldResolver,
    report: &mut Report,
    body: &mut BodyText,
) {
    let pieces = pieces(cell);
    if let [Piece::Field(found)] = pieces.as_slice() {
        report.check_field(resolver, found);
        body.parts
            .field(resolver.value_path(found.path.clone()), Placement::Value);
        return;
    }
    body.literal(|text| text.push('"'));
    for piece in pieces {
        match piece {
            Piece::Literal(range) => body.literal(|text| write_string_contents(&cell[range], text)),
            Piece::Field(found) => {
                report.check_field(resolver, &found);
                body.parts
                    .field(resolver.value_path(found.path), Placement::InString);
            }
            Piece::Broken { error, .. } => report.placeholder_error(error),
        }
    }
    body.literal(|text| text.push('"'));
}

/// The body's literal text and parts, built together.
#[derive(Default)]
struct BodyText {
    text: String,
    parts: Parts,
}

impl BodyText {
    /// Appends literal text with `write` and records it as a literal part.
    fn literal(&mut self, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        write(&mut self.text);
        self.parts.literal(start..self.text.len());
    }
}
