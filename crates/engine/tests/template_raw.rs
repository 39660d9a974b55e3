//! Raw JSON bodies: where a placeholder stands decides how its value is written.

use serde_json::{json, Value};
use webhook_engine::{
    compile_raw, compile_raw_str, AcceptAll, BodyTemplate, FieldPath, FieldResolver, Resolution,
    Severity,
};

fn compile(source: &str) -> BodyTemplate {
    let compilation = compile_raw(source.as_bytes(), &AcceptAll);
    match compilation.template {
        Some(template) => template,
        None => panic!("{source:?} did not compile: {:#?}", compilation.diagnostics),
    }
}

fn render(source: &str, context: &Value) -> String {
    compile(source).render(context)
}

/// The messages of the errors, in source order.
fn errors(source: &str) -> Vec<String> {
    errors_with(source, &AcceptAll)
}

fn errors_with(source: &str, resolver: &dyn FieldResolver) -> Vec<String> {
    let compilation = compile_raw(source.as_bytes(), resolver);
    assert!(compilation.template.is_none(), "{source:?} compiled");
    compilation
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.clone())
        .collect()
}

fn context() -> Value {
    json!({
        "deal": {
            "title": "Big \"one\"\n",
            "value": 12000,
            "rate": 0.25,
            "won": true,
            "lost_reason": null,
            "person": {"email": "a@b.example", "tags": ["x", "y"]},
            "products": [{"name": "A"}, {"name": "B"}],
        },
        "event": {"action": "updated"},
    })
}

#[test]
fn a_whole_value_keeps_its_json_type() {
    let body = r#"{"title": {{deal.title}}, "amount": {{deal.value}}, "rate": {{deal.rate}},
        "won": {{deal.won}}, "reason": {{deal.lost_reason}}, "person": {{deal.person}},
        "products": [{{deal.products.1}}, {{ deal.products.0.name }}], "missing": {{deal.nothing}}}"#;
    let rendered: Value = serde_json::from_str(&render(body, &context())).unwrap();
    assert_eq!(
        rendered,
        json!({
            "title": "Big \"one\"\n", "amount": 12000, "rate": 0.25, "won": true, "reason": null,
            "person": {"email": "a@b.example", "tags": ["x", "y"]},
            "products": [{"name": "B"}, "A"], "missing": null,
        })
    );
}

#[test]
fn the_whole_body_can_be_one_placeholder() {
    assert_eq!(render("{{deal.person.tags}}", &context()), r#"["x","y"]"#);
    assert_eq!(render(" {{deal.value}}\n", &context()), " 12000\n");
    assert_eq!(render("{{deal.nothing}}", &context()), "null");
}

#[test]
fn inside_a_string_a_value_is_its_escaped_text() {
    let body = r#"["Deal {{deal.title}}!", "{{deal.value}} EUR", "{{deal.won}}", "[{{deal.lost_reason}}]",
        "[{{deal.nothing}}]", "{{deal.person.tags}}", "{{event.action}}{{event.action}}"]"#;
    let rendered: Value = serde_json::from_str(&render(body, &context())).unwrap();
    assert_eq!(
        rendered,
        json!([
            "Deal Big \"one\"\n!",
            "12000 EUR",
            "true",
            "[]",
            "[]",
            "[\"x\",\"y\"]",
            "updatedupdated"
        ])
    );
}

#[test]
fn keys_in_quotes_take_placeholders_too() {
    let rendered = render(r#"{"{{event.action}}_at": 1}"#, &context());
    assert_eq!(rendered, r#"{"updated_at": 1}"#);
}

#[test]
fn literal_text_is_kept_byte_for_byte() {
    let body = "{\n  \"a\" : [ 1 ,2.50e+1,\"\\u00e9\\n\" ] ,\"b\":{{deal.value}}\r\n}";
    let expected = "{\n  \"a\" : [ 1 ,2.50e+1,\"\\u00e9\\n\" ] ,\"b\":12000\r\n}";
    assert_eq!(render(body, &context()), expected);
}

#[test]
fn the_escape_writes_literal_braces() {
    assert_eq!(
        render(r#""\{{deal.title}}""#, &context()),
        r#""{{deal.title}}""#
    );
    assert_eq!(render(r#""a \{{ b""#, &context()), r#""a {{ b""#);
    // An escaped backslash does not escape the placeholder after it.
    assert_eq!(render(r#""\\{{deal.value}}""#, &context()), r#""\\12000""#);
    // In a run of braces the last two open the placeholder.
    assert_eq!(render(r#""{{{deal.value}}}""#, &context()), r#""{12000}""#);
    // Single braces and stray closing braces are plain text.
    assert_eq!(render(r#""{ x } }}""#, &context()), r#""{ x } }}""#);
}

#[test]
fn a_placeholder_key_after_an_opening_brace_is_an_object_key() {
    assert_eq!(
        errors("{{{deal.id}}: 1}"),
        ["a placeholder can't be an object key by itself"]
    );
}

#[test]
fn a_byte_order_mark_is_left_out() {
    let source = b"\xEF\xBB\xBF{\"a\": {{deal.value}}}";
    let template = compile_raw(source, &AcceptAll).template.unwrap();
    assert_eq!(template.render(&context()), "{\"a\": 12000}");
}

#[test]
fn render_into_appends_to_the_buffer() {
    let template = compile(r#"{"v": {{deal.value}}}"#);
    let mut out = String::from("body=");
    template.render_into(&context(), &mut out);
    template.render_into(&json!({}), &mut out);
    assert_eq!(out, r#"body={"v": 12000}{"v": null}"#);
}

#[test]
fn fields_lists_every_placeholder_in_order() {
    let template = compile(r#"{"a": {{deal.value}}, "b": "{{event.action}} {{deal.value}}"}"#);
    let fields: Vec<String> = template.fields().map(FieldPath::to_string).collect();
    assert_eq!(fields, ["deal.value", "event.action", "deal.value"]);
}

#[test]
fn placeholders_where_no_value_stands_are_errors() {
    let between = "a placeholder can't stand here: expected ',' or ']' after an array item";
    assert_eq!(errors("[1 {{deal.value}}]"), [between]);
    assert_eq!(
        errors("[1{{deal.value}}]"),
        ["a placeholder can't stand inside a number"]
    );
    assert_eq!(
        errors(r#"{"a" {{deal.value}}}"#),
        [r#"a placeholder can't stand here: expected ':' after the key "a""#]
    );
    assert_eq!(
        errors(r#"{"a": 1, {{deal.id}}: 2}"#),
        ["a placeholder can't be an object key by itself"]
    );
    assert_eq!(
        errors("{} {{deal.value}}"),
        ["a placeholder can't stand after the end of the JSON value"]
    );
    assert_eq!(errors("tr{{deal.won}}ue"), ["tr is not a JSON value"]);
}

#[test]
fn broken_placeholders_are_all_reported_and_a_closed_one_still_holds_its_place() {
    let source = r#"{"a": {{deal.}}, "b": "{{}} and {{deal title}}", "c": {{deal..x}}}"#;
    assert_eq!(
        errors(source),
        [
            "field path ends with '.'",
            "empty placeholder",
            "expected '.' or '}}' after deal",
            "empty field name between two dots"
        ]
    );
}

#[test]
fn an_unclosed_placeholder_as_a_value_stops_the_json_check() {
    assert_eq!(
        errors(r#"{"a": {{deal.title, "b": {{deal.}}}"#),
        [
            "unclosed placeholder: expected '}}'",
            "field path ends with '.'"
        ]
    );
}

/// Knows `deal.title` and `deal.value`; warns about `deal.legacy`.
struct TwoFields;

impl FieldResolver for TwoFields {
    fn resolve(&self, path: &FieldPath) -> Resolution {
        match path.to_string().as_str() {
            "deal.title" | "deal.value" => Resolution::Known,
            "deal.legacy" => Resolution::Warning("deal.legacy is deprecated".into()),
            "deal.titel" => Resolution::unknown_field(path, Some("deal.title".into())),
            _ => Resolution::unknown_field(path, None),
        }
    }
}

#[test]
fn every_unknown_field_is_an_error_with_its_suggestion() {
    let compilation = compile_raw(
        br#"{"a": {{deal.titel}}, "b": "{{deal.nope}} {{deal.title}}"}"#,
        &TwoFields,
    );
    let reported: Vec<(String, Option<String>)> = compilation
        .diagnostics
        .iter()
        .map(|d| (d.message.clone(), d.help.clone()))
        .collect();
    assert_eq!(
        reported,
        [
            (
                "unknown field deal.titel".into(),
                Some("did you mean deal.title?".into())
            ),
            ("unknown field deal.nope".into(), None),
        ]
    );
}

#[test]
fn fields_after_a_syntax_error_are_still_checked() {
    let source =
        r#"{"a": {{deal.title}} "b": {{deal.nope}}, "c": "{{deal.gone}}", "d": \{{deal.escaped}}}"#;
    assert_eq!(
        errors_with(source, &TwoFields),
        [
            r#"expected ',' or '}' after the value of "a""#,
            "unknown field deal.nope",
            "unknown field deal.gone",
        ]
    );
}

#[test]
fn warnings_do_not_stop_compilation() {
    let compilation = compile_raw(br#"{"a": {{deal.legacy}}}"#, &TwoFields);
    assert!(compilation.template.is_some());
    assert_eq!(compilation.diagnostics.len(), 1);
    assert_eq!(compilation.diagnostics[0].severity, Severity::Warning);
    assert_eq!(
        compilation.diagnostics[0].message,
        "deal.legacy is deprecated"
    );
}

#[test]
fn nesting_is_limited_to_128_levels() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(compile_raw(nested(128).as_bytes(), &AcceptAll)
        .template
        .is_some());
    assert_eq!(errors(&nested(129)), ["JSON nested deeper than 128 levels"]);
    let objects = format!("{}1{}", r#"{"a":"#.repeat(129), "}".repeat(129));
    assert_eq!(errors(&objects), ["JSON nested deeper than 128 levels"]);
    // Far deeper input is rejected without exhausting the stack.
    assert_eq!(
        errors(&nested(1_000_000)),
        ["JSON nested deeper than 128 levels"]
    );
}

#[test]
fn every_invalid_utf8_sequence_is_reported_where_it_is() {
    let source = b"{\"a\": \"\xff\", \"b\": \"ok\xe2\x82\", \"c\": 1}";
    let compilation = compile_raw(source, &AcceptAll);
    let reported: Vec<(String, usize)> = compilation
        .diagnostics
        .iter()
        .map(|d| (d.message.clone(), d.span.start))
        .collect();
    assert_eq!(
        reported,
        [
            ("invalid UTF-8 byte 0xFF".to_owned(), 7),
            ("invalid UTF-8 sequence 0xE2 0x82".to_owned(), 19),
        ]
    );
}

#[test]
fn an_invalid_byte_outside_a_string_is_reported_once() {
    let compilation = compile_raw(b"[1, \xff]", &AcceptAll);
    let messages: Vec<&str> = compilation
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(messages, ["invalid UTF-8 byte 0xFF"]);
}

#[test]
fn bytes_and_text_compile_alike() {
    for source in [
        r#"{"a": [1, "{{deal.title}}", {{deal.value}}]}"#,
        r#"{"a" 1}"#,
        "[{{x.}}]",
    ] {
        let from_bytes = compile_raw(source.as_bytes(), &AcceptAll);
        let from_text = compile_raw_str(source, &AcceptAll);
        assert_eq!(from_bytes.diagnostics, from_text.diagnostics, "{source}");
        assert_eq!(
            from_bytes.template.map(|t| t.render(&context())),
            from_text.template.map(|t| t.render(&context())),
            "{source}"
        );
    }
}

#[test]
fn syntax_errors_name_the_problem() {
    let cases = [
        (
            r#"{"title": "x" "stage": 1}"#,
            r#"expected ',' or '}' after the value of "title""#,
        ),
        (r#"{"a": 1,}"#, "trailing comma before '}' — remove it"),
        ("[1,]", "trailing comma before ']' — remove it"),
        (r#"{"a": "abc"#, "unterminated string"),
        (r#"["\q"]"#, "invalid escape \\q in string"),
        (
            "[\"a\nb\"]",
            "control character U+000A must be escaped as \\n inside a string",
        ),
        (
            "[\"a\u{1}\"]",
            "control character U+0001 must be escaped as \\u0001 inside a string",
        ),
        (r#"{a: 1}"#, "object keys must be in double quotes"),
        ("['a']", "JSON strings use double quotes, not single quotes"),
        ("[True]", "True is not a JSON value"),
        (
            "[01]",
            "a number can't start with 0 followed by more digits",
        ),
        ("[1.]", "expected a digit after the decimal point"),
        ("[.5]", "a number can't start with '.'"),
        ("[+1]", "a number can't start with '+'"),
        (
            "[1",
            "unexpected end of the body: expected ',' or ']' after an array item",
        ),
        ("", "the body is empty"),
        ("{} []", "unexpected '[' after the end of the JSON value"),
        (r#"["\{x"]"#, "invalid escape \\{ in string"),
        (
            r#"["\ud800"]"#,
            "\\ud800 is the first half of a UTF-16 surrogate pair, but the second half is missing",
        ),
    ];
    for (source, message) in cases {
        assert_eq!(errors(source), [message], "{source:?}");
    }
}
