//! Properties that must hold for every possible field value: rendered bodies are valid JSON and the
//! values read back as they went in; rendered URLs stay under the base URL and carry the values intact.

use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use serde_json::{json, Value};
use url::Url;
use webhook_engine::{compile_key_value, compile_path, compile_raw, AcceptAll, RenderError, Row};

/// Text that is hard to embed: anything, or a mix of quotes, backslashes, braces, control characters,
/// line separators, emoji and markup.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        r#"[\x00-\x1f"\\{}<>/a\u{2028}\u{7f}😀]{0,12}"#,
        Just("</script>".to_owned()),
        Just("{{deal.title}}".to_owned()),
        Just("\\{{".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(text(), inner, 0..4)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Checks that `rendered` is how `value` reads as text inside a string: strings as themselves, null
/// as nothing, anything else as JSON text that parses back to the value.
fn assert_text_of(rendered: &str, value: &Value) {
    match value {
        Value::String(text) => assert_eq!(rendered, text),
        Value::Null => assert_eq!(rendered, ""),
        other => assert_eq!(&serde_json::from_str::<Value>(rendered).unwrap(), other),
    }
}

fn as_str(value: &Value) -> &str {
    value.as_str().expect("a string")
}

proptest! {
    #[test]
    fn raw_bodies_are_valid_json_and_values_read_back(
        a in json_value(), b in json_value(), c in json_value(), d in json_value()
    ) {
        let template = compile_raw(
            br#"{"whole": {{f.a}}, "text": "<{{f.b}}>", "list": [{{f.c}}, "{{f.c}}"],
                "key:{{f.d}}": {{f.missing}}, "escaped": "\{{f.a}}"}"#,
            &AcceptAll,
        )
        .template
        .unwrap();
        let context = json!({"f": {"a": a, "b": b, "c": c, "d": d}});
        let rendered: Value = serde_json::from_str(&template.render(&context)).unwrap();

        prop_assert_eq!(&rendered["whole"], &context["f"]["a"]);
        let text = as_str(&rendered["text"]);
        assert_text_of(&text[1..text.len() - 1], &context["f"]["b"]);
        prop_assert_eq!(&rendered["list"][0], &context["f"]["c"]);
        assert_text_of(as_str(&rendered["list"][1]), &context["f"]["c"]);
        prop_assert_eq!(&rendered["escaped"], "{{f.a}}");
        let members = rendered.as_object().unwrap();
        let (key, value) = members.iter().find(|(key, _)| key.starts_with("key:")).unwrap();
        assert_text_of(&key["key:".len()..], &context["f"]["d"]);
        prop_assert_eq!(value, &Value::Null);
        prop_assert_eq!(members.len(), 5);
    }

    #[test]
    fn a_whole_raw_body_is_the_value(value in json_value()) {
        let template = compile_raw(b"{{f}}", &AcceptAll).template.unwrap();
        let rendered = template.render(&json!({"f": value}));
        prop_assert_eq!(serde_json::from_str::<Value>(&rendered).unwrap(), value);
    }

    #[test]
    fn key_value_bodies_are_valid_json_and_values_read_back(
        a in json_value(),
        b in json_value(),
        key in text().prop_filter("a key without placeholders", |k| !k.trim().is_empty() && !k.contains("{{")),
        literal in text().prop_filter("text without placeholders", |t| !t.contains("{{")),
    ) {
        let rows = [
            Row::new("whole", "{{f.a}}"),
            Row::new("text", "<{{f.b}}>"),
            Row::new("missing", "{{f.nothing}}"),
            Row::new("literal", literal.clone()),
            Row::new(format!("key:{key}"), "x"),
        ];
        let template = compile_key_value(&rows, &AcceptAll).template.unwrap();
        let context = json!({"f": {"a": a, "b": b}});
        let rendered: Value = serde_json::from_str(&template.render(&context)).unwrap();

        prop_assert_eq!(&rendered["whole"], &context["f"]["a"]);
        let text = as_str(&rendered["text"]);
        assert_text_of(&text[1..text.len() - 1], &context["f"]["b"]);
        prop_assert_eq!(&rendered["missing"], &Value::Null);
        prop_assert_eq!(as_str(&rendered["literal"]), literal.as_str());
        prop_assert_eq!(as_str(&rendered[format!("key:{key}")]), "x");
    }

    #[test]
    fn urls_stay_under_the_base_and_carry_values_intact(
        base in prop::sample::select(vec![
            "https://erp.example/api",
            "https://erp.example/api/",
            "http://localhost:8080",
            "https://erp.example:8443/v1/hooks/",
        ]),
        a in prop_oneof![text(), Just("..".to_owned()), Just(".".to_owned()), Just(String::new())],
        b in prop_oneof![text(), any::<i64>().prop_map(|n| n.to_string())],
    ) {
        let template = compile_path("/orders/{{f.a}}/x{{f.b}}?q={{f.a}}&r={{f.b}}", &AcceptAll)
            .template
            .unwrap();
        let result = template.render_url(base, &json!({"f": {"a": a, "b": b}}));
        // The first problem in the template's order is the one reported.
        let expected_error = if a.is_empty() {
            Some(RenderError::EmptyPathValue { field: "f.a".into() })
        } else if a == "." || a == ".." {
            Some(RenderError::DotSegment { field: "f.a".into() })
        } else if b.is_empty() {
            Some(RenderError::EmptyPathValue { field: "f.b".into() })
        } else {
            None
        };
        if let Some(error) = expected_error {
            prop_assert_eq!(result, Err(error));
            return Ok(());
        }
        let rendered = result.unwrap();
        prop_assert!(rendered.bytes().all(|b| b.is_ascii_graphic()), "{}", rendered);

        let base = Url::parse(base).unwrap();
        let url = Url::parse(&rendered).unwrap();
        prop_assert_eq!(url.scheme(), base.scheme());
        prop_assert_eq!(url.host(), base.host());
        prop_assert_eq!(url.port_or_known_default(), base.port_or_known_default());
        prop_assert_eq!(url.fragment(), None);
        let base_path = base.path().trim_end_matches('/');
        let rest = url.path().strip_prefix(base_path).unwrap();
        let segments: Vec<String> = rest
            .split('/')
            .skip(1)
            .map(|segment| percent_decode_str(segment).decode_utf8().unwrap().into_owned())
            .collect();
        prop_assert_eq!(segments, vec!["orders".to_owned(), a.clone(), format!("x{b}")]);
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        prop_assert_eq!(query, vec![("q".to_owned(), a), ("r".to_owned(), b)]);
    }
}

proptest! {
    /// Compilers never panic, whatever they are given; and a raw body that compiles renders valid JSON.
    #[test]
    fn compilers_never_panic(
        bytes in prop::collection::vec(
            prop_oneof![any::<u8>(), prop::sample::select(b"{}[]\":,\\ {}.0123456789aeflnrstu-".to_vec())],
            0..64,
        ),
        text in text(),
        key in text(),
    ) {
        if let Some(template) = compile_raw(&bytes, &AcceptAll).template {
            let rendered = template.render(&json!({"x": "\"\\\u{0}"}));
            // IgnoredAny: numbers of any size are valid JSON, though they don't fit a Value.
            let parsed = serde_json::from_str::<serde::de::IgnoredAny>(&rendered);
            prop_assert!(parsed.is_ok(), "{}", rendered);
        }
        let _ = compile_path(&text, &AcceptAll);
        let _ = compile_key_value(&[Row::new(key, text.clone())], &AcceptAll);
    }
}
