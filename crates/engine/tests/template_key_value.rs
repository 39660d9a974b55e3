//! Key-value bodies: rows render as one flat JSON object.

use serde_json::{json, Value};
use webhook_engine::{
    compile_key_value, AcceptAll, Cell, CellPart, Diagnostic, FieldPath, FieldResolver, Resolution,
    Row, Span,
};

fn rows(pairs: &[(&str, &str)]) -> Vec<Row> {
    pairs
        .iter()
        .map(|(key, value)| Row::new(*key, *value))
        .collect()
}

fn render(pairs: &[(&str, &str)], context: &Value) -> String {
    let compilation = compile_key_value(&rows(pairs), &AcceptAll);
    match compilation.template {
        Some(template) => template.render(context),
        None => panic!("{pairs:?} did not compile: {:#?}", compilation.diagnostics),
    }
}

fn diagnostics(pairs: &[(&str, &str)]) -> Vec<Diagnostic> {
    let compilation = compile_key_value(&rows(pairs), &AcceptAll);
    assert!(compilation.template.is_none(), "{pairs:?} compiled");
    compilation.diagnostics
}

fn context() -> Value {
    json!({"deal": {"id": 42, "title": "Big \"one\"", "value": 12000.5, "won": false,
        "person": {"email": "a@b.example"}, "tags": ["x"]}})
}

#[test]
fn a_value_that_is_one_placeholder_keeps_its_type() {
    let rendered = render(
        &[
            ("id", "{{deal.id}}"),
            ("amount", "{{ deal.value }}"),
            ("won", "{{deal.won}}"),
            ("tags", "{{deal.tags}}"),
            ("person", "{{deal.person}}"),
            ("missing", "{{deal.nothing}}"),
        ],
        &context(),
    );
    assert_eq!(
        rendered,
        r#"{"id":42,"amount":12000.5,"won":false,"tags":["x"],"person":{"email":"a@b.example"},"missing":null}"#
    );
}

#[test]
fn mixed_text_is_a_string() {
    let rendered = render(
        &[
            ("title", "Deal: {{deal.title}}"),
            ("label", "#{{deal.id}} {{deal.nothing}}"),
            ("spaced", " {{deal.id}}"),
            ("text", "plain \"text\"\n"),
            ("number_text", "12"),
            ("empty", ""),
            ("braces", "\\{{deal.id}} and }}"),
        ],
        &context(),
    );
    let parsed: Value = serde_json::from_str(&rendered).unwrap();
    assert_eq!(
        parsed,
        json!({"title": "Deal: Big \"one\"", "label": "#42 ", "spaced": " 42",
            "text": "plain \"text\"\n", "number_text": "12", "empty": "", "braces": "{{deal.id}} and }}"})
    );
}

#[test]
fn dotted_keys_stay_flat_and_keys_are_escaped() {
    let rendered = render(
        &[("deal.id", "1"), ("say \"hi\"", "x"), ("\\{{k}}", "y")],
        &context(),
    );
    assert_eq!(rendered, r#"{"deal.id":"1","say \"hi\"":"x","{{k}}":"y"}"#);
}

#[test]
fn the_body_needs_a_row() {
    let found = diagnostics(&[]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].message, "the body needs at least one row");
    assert_eq!(found[0].cell, None);
}

#[test]
fn diagnostics_name_the_row_and_cell_and_point_inside_it() {
    let found = diagnostics(&[
        ("id", "{{deal.id}}"),
        ("", "x"),
        ("name {{deal.id}}", "{{deal.}}"),
        ("id", "y"),
    ]);
    let summary: Vec<(Option<Cell>, Span, &str)> = found
        .iter()
        .map(|d| (d.cell, d.span, d.message.as_str()))
        .collect();
    let cell = |row, part| Some(Cell { row, part });
    assert_eq!(
        summary,
        [
            (cell(1, CellPart::Key), Span::new(0, 0), "the key is empty"),
            (
                cell(2, CellPart::Key),
                Span::new(5, 16),
                "a key can't contain a placeholder"
            ),
            (
                cell(2, CellPart::Value),
                Span::new(6, 7),
                "field path ends with '.'"
            ),
            (
                cell(3, CellPart::Key),
                Span::new(0, 2),
                "duplicate key \"id\": rows 1 and 4 both set it"
            ),
        ]
    );
    assert_eq!(found[2].to_string(), "row 3 value:1:7: error: field path ends with '.'\n  help: add the field name after the dot, or remove the dot");
}

#[test]
fn a_blank_key_is_empty() {
    assert_eq!(diagnostics(&[("  ", "x")])[0].message, "the key is empty");
}

struct OnlyId;

impl FieldResolver for OnlyId {
    fn resolve(&self, path: &FieldPath) -> Resolution {
        if path.to_string() == "deal.id" {
            Resolution::Known
        } else {
            Resolution::unknown_field(path, Some("deal.id".into()))
        }
    }
}

#[test]
fn every_unknown_field_of_every_row_is_reported() {
    let compilation = compile_key_value(
        &rows(&[("a", "{{deal.idd}}"), ("b", "x {{deal.id}} {{deal.nme}}")]),
        &OnlyId,
    );
    let found: Vec<String> = compilation
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "row 1 value:1:1: error: unknown field deal.idd\n  help: did you mean deal.id?",
            "row 2 value:1:15: error: unknown field deal.nme\n  help: did you mean deal.id?",
        ]
    );
}
