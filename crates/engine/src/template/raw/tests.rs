//! What the raw compiler's shortcuts must not change. `compile_raw` checks UTF-8 while it parses and
//! trusts that check to skip a second one: it must give the result of checking the whole text first
//! (what `str::from_utf8` says), then parsing. And each distinct field path is built once, but the
//! resolver still checks every placeholder.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::template::field::{AcceptAll, FieldPath, Resolution};

/// `compile_raw` as it would be with the UTF-8 checked apart, first.
fn checked_first(source: &[u8]) -> Compilation<BodyTemplate> {
    match std::str::from_utf8(source) {
        Ok(text) => compile_raw_str(text, &AcceptAll),
        Err(_) => compile_invalid_utf8(source, &AcceptAll),
    }
}

fn assert_same_as_checked_first(source: &[u8]) {
    let context = json!({"deal": {"title": "Big \"one\""}});
    let render = |compilation: Compilation<BodyTemplate>| {
        let rendered = compilation.template.map(|body| body.render(&context));
        (compilation.diagnostics, rendered)
    };
    assert_eq!(
        render(compile_raw(source, &AcceptAll)),
        render(checked_first(source)),
        "{}",
        String::from_utf8_lossy(source)
    );
}

#[test]
fn text_in_every_script_compiles_as_it_reads() {
    for source in [
        r#"{"名前": "前田あゆみ", "emoji": "😋✨", "é": ["ü", "\u00e9", "日本\n語"]}"#,
        r#"["{{deal.title}} – 価格", "{{deal.title}}😀", "\{{not a field}} 日本"]"#,
        "\u{FEFF}{\"bom\": \"ß\"}",
        r#"{"k": "é", "bad": [1,]}"#,
    ] {
        assert_same_as_checked_first(source.as_bytes());
    }
}

#[test]
fn invalid_utf8_anywhere_is_reported_as_before() {
    for source in [
        &b"[\"\xFF\"]"[..],
        b"[\"caf\xE9\"]",
        b"{\"\xC3\": 1}",
        b"[\"\xE3\x81\"]",
        b"[\"\xED\xA0\x80 surrogate\"]",
        b"[\"\xC0\xAF overlong\"]",
        b"[\"\xF4\x90\x80\x80 too high\"]",
        b"[\"ok\", \xFF]",
        b"[\"{{deal.\xFF}}\"]",
        b"[\"\\u00e9\xFF\", 1,]",
        b"[1,] \"\xFF\"",
        b"\xEF\xBB[]",
    ] {
        assert_same_as_checked_first(source);
    }
}

/// Counts the questions it is asked; knows only `deal.title`.
#[derive(Default)]
struct Counting {
    resolved: std::cell::Cell<usize>,
    value_paths: std::cell::Cell<usize>,
}

impl FieldResolver for Counting {
    fn resolve(&self, path: &FieldPath) -> Resolution {
        self.resolved.set(self.resolved.get() + 1);
        match path.to_string().as_str() {
            "deal.title" => Resolution::Known,
            _ => Resolution::unknown_field(path, None),
        }
    }

    fn value_path(&self, path: FieldPath) -> FieldPath {
        self.value_paths.set(self.value_paths.get() + 1);
        path
    }
}

#[test]
fn every_placeholder_is_checked_though_each_path_is_built_once() {
    let source = r#"["{{deal.title}}", {{deal.title}}, "{{ deal.titel }}", "{{deal.title}}", {{deal.titel}}]"#;
    let resolver = Counting::default();
    let compilation = compile_raw_str(source, &resolver);
    assert_eq!(resolver.resolved.get(), 5);
    assert_eq!(resolver.value_paths.get(), 2);
    let unknown: Vec<_> = compilation.diagnostics.iter().map(|d| d.span).collect();
    let at = |placeholder: &str| {
        let start = source.find(placeholder).unwrap();
        Span::new(start, start + placeholder.len())
    };
    assert_eq!(unknown, [at("{{ deal.titel }}"), at("{{deal.titel}}")]);
    assert!(compilation.template.is_none());

    let source = r#"{"a": "{{deal.title}}", "b": {{ deal.title }}, "c": "x{{deal.title}}y"}"#;
    let body = compile_raw_str(source, &resolver).template.unwrap();
    let rendered = body.render(&json!({"deal": {"title": "T"}}));
    assert_eq!(rendered, r#"{"a": "T", "b": "T", "c": "xTy"}"#);
    assert_eq!(body.fields().count(), 3);
}

/// Pieces of JSON, placeholders, UTF-8 of every width, and bytes that are not UTF-8.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    let pieces: [&[u8]; 30] = [
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"\"",
        b"\\",
        b" ",
        b"\n",
        b"1",
        b"true",
        b"\"k\":",
        b"{{deal.title}}",
        b"{{deal.",
        b"}}",
        b"\\{{",
        b"\\u00e9",
        b"\\uD83D\\uDE00",
        "é".as_bytes(),
        "日本語".as_bytes(),
        "😀".as_bytes(),
        "\u{FEFF}".as_bytes(),
        b"\xE3\x81",
        b"\xFF",
        b"\x80",
        b"\xED\xA0\x80",
        b"\xC1\xBF",
        b"\xF0\x9F\x98",
        b"\xF4\x90\x80\x80",
    ];
    prop_oneof![
        4 => prop::sample::select(pieces.to_vec()).prop_map(<[u8]>::to_vec),
        1 => any::<u8>().prop_map(|byte| vec![byte]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Mostly well-formed bodies (a string of pieces inside an array), and anything at all.
    #[test]
    fn checking_utf8_while_parsing_changes_nothing(
        pieces in prop::collection::vec(piece(), 0..16),
        in_string in any::<bool>(),
    ) {
        let mut source = pieces.concat();
        if in_string {
            source = [&b"[\""[..], &source, b"\", 1]"].concat();
        }
        assert_same_as_checked_first(&source);
    }
}
