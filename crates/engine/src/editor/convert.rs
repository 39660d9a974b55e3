//! Switching an action's body between key-value rows and raw JSON, without changing what it sends.
//!
//! Rows always convert to raw JSON. Raw JSON converts to rows only when rows can say the same thing: a
//! flat object whose values are strings or single whole-value fields. Otherwise the conversion is
//! refused with the reason, naming the member, and the body stays as it is.
//!
//! A key-value cell and the inside of a raw JSON string read placeholders and the `\{{` escape alike
//! (in a run of braces the last two open a placeholder), so converting is mostly JSON's own escaping.

use std::collections::HashSet;
use std::fmt;

use super::highlight::{highlight_raw, TokenKind};
use super::lexemes::{lexemes, Atom, Lexeme};
use crate::diagnostic::{Diagnostic, Span};
use crate::template::{compile_raw_str, AcceptAll, Row};

/// Why a raw body can't become key-value rows; `span` is what stands in the way, in the raw source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionRefusal {
    pub message: String,
    pub span: Span,
}

impl fmt::Display for ConversionRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The rows as a pretty raw JSON body that renders the same JSON for every context: a value that is
/// exactly one placeholder becomes a whole-value placeholder (keeping the field's type), any other
/// value a JSON string with the same text and placeholders. Rows that don't compile still convert:
/// a broken placeholder is carried over and reported by the raw editor, and a placeholder in a key
/// (an error in rows) becomes a field in the key, which raw bodies allow.
pub fn key_value_to_raw(rows: &[Row]) -> String {
    if rows.is_empty() {
        return "{}".to_owned();
    }
    let members: Vec<String> = rows
        .iter()
        .map(|row| {
            let mut member = String::from("  ");
            write_raw_string(&row.key, &mut member);
            member.push_str(": ");
            if is_single_placeholder(&row.value) {
                member.push_str(&row.value);
            } else {
                write_raw_string(&row.value, &mut member);
            }
            member
        })
        .collect();
    format!("{{\n{}\n}}", members.join(",\n"))
}

/// The raw body as rows that render the same JSON for every context, or why it can't be.
///
/// A string value becomes its text: JSON escapes decoded, placeholders and `\{{` kept as written, any
/// other literal `{{` (`\u007b{`) escaped. A whole-value placeholder stays as written. Rows converted
/// to raw JSON and back come out as they were. An empty object converts to no rows, which the
/// key-value editor then asks to fill.
pub fn raw_to_key_value(source: &str) -> Result<Vec<Row>, ConversionRefusal> {
    let compilation = compile_raw_str(source, &AcceptAll);
    if let Some(error) = compilation.diagnostics.iter().find(|d| d.is_error()) {
        return Err(has_errors(error));
    }
    let tokens = highlight_raw(source);
    let mut lexemes = lexemes(source, &tokens);
    match lexemes.next() {
        Some(Lexeme::Punctuation(b'{', _)) => {}
        top => return Err(not_an_object(top, source)),
    }
    let mut rows = Vec::new();
    let mut keys = HashSet::new();
    // Each member is a key, its ':' and its value, then ',' or the closing '}' (after which the
    // object, the whole body, has ended). An empty object's '}' ends the loop at once.
    while let (Some(Lexeme::Atom(key)), Some(_colon), Some(value)) =
        (lexemes.next(), lexemes.next(), lexemes.next())
    {
        rows.push(member_row(&key, value, &mut keys)?);
        lexemes.next();
    }
    Ok(rows)
}

/// The row for one member; `keys` holds the keys (as text) of the members before it.
fn member_row(
    key: &Atom<'_>,
    value: Lexeme<'_>,
    keys: &mut HashSet<String>,
) -> Result<Row, ConversionRefusal> {
    let name = key.text();
    let key_segments = segments(key);
    if key_segments
        .iter()
        .any(|segment| matches!(segment, Segment::Field(_)))
    {
        let message =
            format!("the key {name} contains a field; key-value keys are fixed text — keep Raw");
        return Err(refusal(key.span(), message));
    }
    let literal_key = literal_text(&key_segments);
    if literal_key.trim().is_empty() {
        let message =
            format!("the key {name} is empty; every key-value row needs a key — keep Raw");
        return Err(refusal(key.span(), message));
    }
    if !keys.insert(literal_key) {
        let message =
            format!("the key {name} appears twice; key-value rows need different keys — keep Raw");
        return Err(refusal(key.span(), message));
    }
    let value = match value {
        Lexeme::Atom(atom) => atom,
        Lexeme::Punctuation(open, at) => {
            let what = if open == b'[' { "a list" } else { "an object" };
            let message = format!(
                "the value of {name} is {what}; key-value rows hold only text and single fields — keep Raw"
            );
            return Err(refusal(Span::new(at, at + 1), message));
        }
    };
    let value_segments = match value.kind() {
        TokenKind::Placeholder => return Ok(Row::new(cell_text(&key_segments), value.text())),
        TokenKind::String => segments(&value),
        _ => {
            let text = value.text();
            let what = match value.kind() {
                TokenKind::Number => format!("the number {text}"),
                _ => text.to_owned(),
            };
            let message = format!(
                "the value of {name} is {what}; key-value text is always a string, so it would be sent as \"{text}\" — keep Raw"
            );
            return Err(refusal(value.span(), message));
        }
    };
    if let [Segment::Field(field)] = value_segments.as_slice() {
        // "{{deal.id}}" sends the field as text (empty when missing); a cell holding only the
        // placeholder sends it with its own type (null when missing).
        let message = format!(
            "the value of {name} is a field inside quotes, which sends it as text; in key-value rows {field} alone keeps the field's type — remove the quotes to convert, or keep Raw"
        );
        return Err(refusal(value.span(), message));
    }
    if backslash_before_field(&value_segments) {
        let message = format!(
            "the value of {name} has a backslash right before a field, which key-value text can't write — keep Raw"
        );
        return Err(refusal(value.span(), message));
    }
    Ok(Row::new(
        cell_text(&key_segments),
        cell_text(&value_segments),
    ))
}

/// A string's content as the raw body spells it, so a cell can spell it the same way.
enum Segment<'a> {
    /// Literal text, JSON escapes decoded.
    Text(String),
    /// `\{{`, a literal `{{`.
    Escape,
    Field(&'a str),
}

/// The segments of a string atom; empty texts are left out.
fn segments<'a>(string: &Atom<'a>) -> Vec<Segment<'a>> {
    let last = string.tokens.len() - 1;
    let mut segments = Vec::new();
    for (index, token) in string.tokens.iter().enumerate() {
        let text = &string.source[token.start..token.end];
        match token.kind {
            TokenKind::Placeholder => segments.push(Segment::Field(text)),
            TokenKind::Escape => segments.push(Segment::Escape),
            _ => {
                // The first piece holds the opening quote, the last the closing one.
                let start = usize::from(index == 0);
                let end = text.len() - usize::from(index == last);
                let decoded = decode(&text[start..end]);
                if !decoded.is_empty() {
                    segments.push(Segment::Text(decoded));
                }
            }
        }
    }
    segments
}

/// The text a key's segments stand for.
fn literal_text(segments: &[Segment<'_>]) -> String {
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.as_str(),
            Segment::Escape => "{{",
            Segment::Field(field) => field,
        })
        .collect()
}

/// The cell text for the segments. A cell reads `\{{` and placeholders as a raw string does, so only
/// literal `{{` needs the escape — except in a run of braces right before a field, whose braces are
/// literal anyway (the field's own are the run's last two).
fn cell_text(segments: &[Segment<'_>]) -> String {
    let mut cell = String::new();
    for (index, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Text(text) => {
                let before_field = matches!(segments.get(index + 1), Some(Segment::Field(_)));
                let escaped = if before_field {
                    text.trim_end_matches('{')
                } else {
                    text
                };
                cell.push_str(&escaped.replace("{{", "\\{{"));
                cell.push_str(&text[escaped.len()..]);
            }
            Segment::Escape => cell.push_str("\\{{"),
            Segment::Field(field) => cell.push_str(field),
        }
    }
    cell
}

/// Whether literal text ending in a backslash (braces aside) comes right before a field: a cell
/// would read that backslash and the braces after it as the `\{{` escape, so no cell can write it.
fn backslash_before_field(segments: &[Segment<'_>]) -> bool {
    segments.windows(2).any(|pair| match pair {
        [Segment::Text(text), Segment::Field(_)] => text.trim_end_matches('{').ends_with('\\'),
        _ => false,
    })
}

/// A piece of a string's content with its JSON escapes decoded. Pieces split only around
/// placeholders and `\{{`, so each is a complete JSON string fragment in a body the compiler accepted.
fn decode(piece: &str) -> String {
    serde_json::from_str(&format!("\"{piece}\"")).unwrap_or_else(|_| piece.to_owned())
}

/// Writes a cell's text as a raw JSON string. Placeholders and `\{{` read the same in both, so only
/// the text around each `\{{` is JSON-escaped (which never touches braces).
fn write_raw_string(cell: &str, out: &mut String) {
    out.push('"');
    for (index, part) in cell.split("\\{{").enumerate() {
        if index > 0 {
            out.push_str("\\{{");
        }
        let quoted = serde_json::Value::from(part).to_string();
        out.push_str(&quoted[1..quoted.len() - 1]);
    }
    out.push('"');
}

/// Whether a value cell is exactly one placeholder, which keeps the field's JSON type. Its path is
/// not checked: a broken one is an error as a row and as raw JSON alike.
fn is_single_placeholder(cell: &str) -> bool {
    cell.len() >= 4
        && cell.starts_with("{{")
        && cell.ends_with("}}")
        && !cell[2..cell.len() - 2].contains(['{', '}'])
}

fn has_errors(error: &Diagnostic) -> ConversionRefusal {
    let message = format!(
        "fix the body's errors first ({}:{}: {})",
        error.start.line, error.start.column, error.message
    );
    refusal(error.span, message)
}

fn not_an_object(top: Option<Lexeme<'_>>, source: &str) -> ConversionRefusal {
    let (what, span) = match top {
        Some(Lexeme::Punctuation(_, at)) => ("a list", Span::new(at, at + 1)),
        Some(Lexeme::Atom(atom)) => {
            let what = match atom.kind() {
                TokenKind::Placeholder => "a single field",
                TokenKind::String => "a string",
                TokenKind::Number => "a number",
                _ => atom.text(),
            };
            (what, atom.span())
        }
        None => ("empty", Span::new(0, source.len())),
    };
    let message = format!(
        "the body is {what}, not an object; key-value rows always send one object — keep Raw"
    );
    refusal(span, message)
}

fn refusal(span: Span, message: String) -> ConversionRefusal {
    ConversionRefusal { message, span }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::*;
    use crate::template::compile_key_value;

    fn rows(pairs: &[(&str, &str)]) -> Vec<Row> {
        pairs
            .iter()
            .map(|(key, value)| Row::new(*key, *value))
            .collect()
    }

    /// Contexts with typed values, hostile strings and missing values.
    fn contexts() -> [Value; 3] {
        [
            json!({"deal": {"id": 42, "title": "Big \"one\" {{x}} \\{{ </script>\n\u{1}", "value": 12.5,
                "products": [{"name": "A"}], "none": null, "flag": false}}),
            json!({"deal": {"title": "", "products": []}}),
            json!({}),
        ]
    }

    fn render_rows(rows: &[Row], context: &Value) -> Value {
        let body = compile_key_value(rows, &AcceptAll)
            .template
            .expect("the rows compile");
        serde_json::from_str(&body.render(context)).unwrap()
    }

    fn render_raw(source: &str, context: &Value) -> Value {
        let body = compile_raw_str(source, &AcceptAll)
            .template
            .unwrap_or_else(|| panic!("compiles: {source}"));
        serde_json::from_str(&body.render(context)).unwrap()
    }

    fn assert_same_json(rows: &[Row], raw: &str) {
        for context in contexts() {
            assert_eq!(
                render_rows(rows, &context),
                render_raw(raw, &context),
                "{raw}\n{context}"
            );
        }
    }

    #[test]
    fn rows_become_a_pretty_raw_body() {
        let rows = rows(&[
            ("id", "{{deal.id}}"),
            ("title", "Deal: {{ deal.title }} \"won\""),
            ("count", "12"),
            ("person.email", " {{deal.person.email}}"),
            (
                "braces",
                "\\{{literal}} {{{deal.id}}} C:\\path\\{{deal.id}}",
            ),
        ]);
        let raw = key_value_to_raw(&rows);
        assert_eq!(
            raw,
            r#"{
  "id": {{deal.id}},
  "title": "Deal: {{ deal.title }} \"won\"",
  "count": "12",
  "person.email": " {{deal.person.email}}",
  "braces": "\{{literal}} {{{deal.id}}} C:\\path\{{deal.id}}"
}"#
        );
        assert_same_json(&rows, &raw);
        assert_eq!(
            crate::editor::format::format_raw(&raw).unwrap(),
            raw,
            "already formatted"
        );
        assert_eq!(key_value_to_raw(&[]), "{}");
    }

    #[test]
    fn a_flat_object_becomes_rows() {
        let raw = r#"{"id": {{deal.id}}, "title": "Deal {{deal.title}}\n\u00e9 \"x\"", "esc": "\{{no}} \u007b{not}}",
            "back": "C:\\path", "keyed\{{": "", "spaced": {{ deal.value }}}"#;
        let converted = raw_to_key_value(raw).unwrap();
        assert_eq!(
            converted,
            rows(&[
                ("id", "{{deal.id}}"),
                ("title", "Deal {{deal.title}}\né \"x\""),
                ("esc", "\\{{no}} \\{{not}}"),
                ("back", "C:\\path"),
                ("keyed\\{{", ""),
                ("spaced", "{{ deal.value }}"),
            ])
        );
        assert_same_json(&converted, raw);
        assert_eq!(raw_to_key_value("{ }").unwrap(), []);
    }

    fn refusal(raw: &str) -> String {
        let refusal = raw_to_key_value(raw).unwrap_err();
        assert!(refusal.span.end <= raw.len(), "{refusal:?}");
        refusal.message
    }

    #[test]
    fn what_rows_cannot_say_is_refused_naming_the_member() {
        assert_eq!(
            refusal(r#"{"items": [1], "a": "b"}"#),
            "the value of \"items\" is a list; key-value rows hold only text and single fields — keep Raw"
        );
        assert_eq!(
            refusal(r#"{"a": "b", "person": {"x": 1}}"#),
            "the value of \"person\" is an object; key-value rows hold only text and single fields — keep Raw"
        );
        assert_eq!(
            refusal(r#"{"count": 12}"#),
            "the value of \"count\" is the number 12; key-value text is always a string, so it would be sent as \"12\" — keep Raw"
        );
        assert!(refusal(r#"{"ok": true}"#).starts_with("the value of \"ok\" is true;"));
        assert!(refusal(r#"{"none": null}"#).starts_with("the value of \"none\" is null;"));
        assert_eq!(
            refusal(r#"{"id": 1, "id": "2"}"#.replace("1", "\"1\"").as_str()),
            "the key \"id\" appears twice; key-value rows need different keys — keep Raw"
        );
        assert_eq!(
            refusal(r#"{"{{event.action}}_by": "x"}"#),
            "the key \"{{event.action}}_by\" contains a field; key-value keys are fixed text — keep Raw"
        );
        assert_eq!(
            refusal(r#"{" ": "x"}"#),
            "the key \" \" is empty; every key-value row needs a key — keep Raw"
        );
        assert!(refusal(r#"{"id": "{{deal.id}}"}"#)
            .starts_with("the value of \"id\" is a field inside quotes"));
        assert!(refusal(r#"{"p": "C:\\{{deal.id}}"}"#).contains("backslash right before a field"));
        assert_eq!(
            refusal("[{\"a\": 1}]"),
            "the body is a list, not an object; key-value rows always send one object — keep Raw"
        );
        assert!(refusal("{{deal}}").starts_with("the body is a single field, not an object"));
        assert!(refusal("\"x\"").starts_with("the body is a string"));
        assert_eq!(
            refusal("{\"a\": }"),
            "fix the body's errors first (1:7: expected a value, found '}')"
        );
    }

    /// Cell text from pieces that mix text, placeholders, escapes, quotes, braces and backslashes.
    fn cell(pieces: Vec<&'static str>) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(pieces), 0..6).prop_map(|pieces| pieces.concat())
    }

    fn key() -> impl Strategy<Value = String> {
        cell(vec!["k", " ", "\\{{", "\\", "\"", "{", "}", "é", "\n"])
    }

    fn value() -> impl Strategy<Value = String> {
        cell(vec![
            "a",
            " ",
            "{{deal.title}}",
            "{{ deal.value }}",
            "{{deal.products.0}}",
            "{{deal.none}}",
            "\\{{",
            "\\",
            "\"",
            "{",
            "}",
            "}}",
            "\n",
            "é😀",
            "\u{1}",
        ])
    }

    proptest! {
        #[test]
        fn rows_to_raw_renders_the_same_and_converts_back(
            cells in prop::collection::vec((key(), value()), 1..5)
        ) {
            let mut rows: Vec<Row> = cells.into_iter().map(|(key, value)| Row::new(key, value)).collect();
            // Keys must be non-empty, unique and fixed text for the rows to compile.
            rows.retain(|row| !row.key.trim().is_empty());
            let mut seen = HashSet::new();
            rows.retain(|row| seen.insert(row.key.clone()));
            prop_assume!(compile_key_value(&rows, &AcceptAll).template.is_some());
            let raw = key_value_to_raw(&rows);
            for context in contexts() {
                prop_assert_eq!(render_rows(&rows, &context), render_raw(&raw, &context));
            }
            prop_assert_eq!(raw_to_key_value(&raw).unwrap(), rows);
        }

        #[test]
        fn converted_raw_bodies_render_the_same(
            values in prop::collection::vec(
                prop::collection::vec(
                    prop::sample::select(vec![
                        "a", " ", "{{deal.title}}", "{{deal.value}}", "\\{{", "\\\\", "\\\"", "\\n",
                        "\\u007b", "\\u005c", "{ ", "}", "é😀",
                    ]),
                    0..5,
                ),
                1..4,
            )
        ) {
            let members: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(index, pieces)| format!("\"k{index}\": \"{}\"", pieces.concat()))
                .chain(["\"whole\": {{deal.products.0}}".to_owned()])
                .collect();
            let raw = format!("{{{}}}", members.join(", "));
            prop_assume!(compile_raw_str(&raw, &AcceptAll).template.is_some());
            match raw_to_key_value(&raw) {
                Ok(rows) => {
                    for context in contexts() {
                        prop_assert_eq!(render_rows(&rows, &context), render_raw(&raw, &context));
                    }
                }
                Err(refused) => prop_assert!(
                    refused.message.contains("backslash right before a field")
                        || refused.message.contains("a field inside quotes"),
                    "{}", refused.message
                ),
            }
        }
    }
}
