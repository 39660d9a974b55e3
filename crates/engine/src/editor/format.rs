//! The raw body editor's "Format" button, and the same layout for showing rendered bodies.
//!
//! Formatting changes whitespace between tokens and nothing else: every string (escapes as written,
//! placeholders and `\{{` included), number and placeholder is copied byte for byte. `{{ deal.title }}`
//! keeps its inner spaces: they are part of the placeholder as written, and keeping them means the
//! formatter never touches text inside braces or quotes. A leading byte order mark is dropped (the
//! compiler leaves it out of the body anyway).

use std::fmt;

use super::highlight::highlight_raw;
use super::lexemes::{lexemes, Lexeme};
use crate::diagnostic::Diagnostic;
use crate::template::{compile_raw_str, AcceptAll};

/// Why a body was not formatted: its first syntax error (message, position, help). A body with
/// errors can't be read reliably, so the formatter leaves it as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatRefusal {
    pub diagnostic: Box<Diagnostic>,
}

impl fmt::Display for FormatRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.diagnostic.start;
        write!(
            f,
            "fix this first, then format: {}:{}: {}",
            at.line, at.column, self.diagnostic.message
        )
    }
}

/// `source` pretty-printed: two-space indentation, one member or item per line, `": "` after keys,
/// `{}` and `[]` for empty containers. Refused when the body has a syntax error. Fields are not
/// checked: an unknown field is no reason not to format.
pub fn format_raw(source: &str) -> Result<String, FormatRefusal> {
    let compilation = compile_raw_str(source, &AcceptAll);
    match compilation
        .diagnostics
        .into_iter()
        .find(Diagnostic::is_error)
    {
        Some(diagnostic) => Err(FormatRefusal {
            diagnostic: Box::new(diagnostic),
        }),
        None => Ok(pretty_json(source)),
    }
}

/// Lays out JSON text (a rendered body, or a body template the compiler accepted) as [`format_raw`]
/// does. Other text comes out with its tokens in order but otherwise unspecified; it never panics.
pub fn pretty_json(json: &str) -> String {
    let tokens = highlight_raw(json);
    let mut out = String::with_capacity(json.len() + json.len() / 2);
    let mut depth = 0usize;
    let mut lexemes = lexemes(json, &tokens).peekable();
    while let Some(lexeme) = lexemes.next() {
        match lexeme {
            Lexeme::Atom(atom) => out.push_str(atom.text()),
            Lexeme::Punctuation(b':', _) => out.push_str(": "),
            Lexeme::Punctuation(b',', _) => {
                out.push(',');
                new_line(&mut out, depth);
            }
            Lexeme::Punctuation(open @ (b'{' | b'['), _) => {
                out.push(char::from(open));
                let closer = if open == b'{' { b'}' } else { b']' };
                if matches!(lexemes.peek(), Some(Lexeme::Punctuation(byte, _)) if *byte == closer) {
                    lexemes.next();
                    out.push(char::from(closer));
                } else {
                    depth += 1;
                    new_line(&mut out, depth);
                }
            }
            Lexeme::Punctuation(close, _) => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth);
                out.push(char::from(close));
            }
        }
    }
    out
}

fn new_line(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::*;

    fn render(template: &str, context: &Value) -> Value {
        let body = compile_raw_str(template, &AcceptAll)
            .template
            .unwrap_or_else(|| panic!("compiles: {template}"));
        serde_json::from_str(&body.render(context)).expect("renders JSON")
    }

    #[test]
    fn lays_out_members_and_items_one_per_line() {
        let source = r#"{"title":"Deal {{ deal.title }} won" ,"amount":{{deal.value}},
            "products":[{{deal.products.0}},"{{deal.products.1.name}}"],"empty":{ },"none":[ ],
            "n":-1.50E3,"esc":"a\{{b}} \u00e9\n\"","nested":[[true,null],{"k":false}]}"#;
        let expected = r#"{
  "title": "Deal {{ deal.title }} won",
  "amount": {{deal.value}},
  "products": [
    {{deal.products.0}},
    "{{deal.products.1.name}}"
  ],
  "empty": {},
  "none": [],
  "n": -1.50E3,
  "esc": "a\{{b}} \u00e9\n\"",
  "nested": [
    [
      true,
      null
    ],
    {
      "k": false
    }
  ]
}"#;
        assert_eq!(format_raw(source).unwrap(), expected);
    }

    #[test]
    fn scalars_braces_in_strings_and_a_byte_order_mark() {
        assert_eq!(format_raw(" {{deal.value}} \n").unwrap(), "{{deal.value}}");
        assert_eq!(format_raw("\u{FEFF}[1]").unwrap(), "[\n  1\n]");
        assert_eq!(
            format_raw(r#"{"a":"{{{deal.id}}} { } [ ] , :"}"#).unwrap(),
            "{\n  \"a\": \"{{{deal.id}}} { } [ ] , :\"\n}"
        );
    }

    #[test]
    fn a_body_with_a_syntax_error_is_refused_with_its_first_error() {
        let refusal = format_raw("{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!(
            refusal.diagnostic.message,
            "trailing comma before '}' — remove it"
        );
        assert_eq!(
            (
                refusal.diagnostic.start.line,
                refusal.diagnostic.start.column
            ),
            (2, 9)
        );
        assert_eq!(
            refusal.to_string(),
            "fix this first, then format: 2:9: trailing comma before '}' — remove it"
        );
        assert!(format_raw("{\"a\": {{deal.}}}").is_err());
        assert!(format_raw("").is_err());
    }

    #[test]
    fn unknown_fields_do_not_stop_formatting() {
        assert_eq!(
            format_raw("[{{deal.titel}}]").unwrap(),
            "[\n  {{deal.titel}}\n]"
        );
    }

    #[test]
    fn rendered_bodies_with_braces_in_their_values_keep_them() {
        let rendered = r#"{"a":"{{x","b":["}}",{"c":"\\{{"}]}"#;
        let pretty = pretty_json(rendered);
        assert_eq!(
            serde_json::from_str::<Value>(&pretty).unwrap(),
            serde_json::from_str::<Value>(rendered).unwrap()
        );
        assert!(pretty.contains("\n  \"a\": \"{{x\",\n"), "{pretty}");
    }

    /// Valid raw templates: JSON with placeholders as values and inside strings, escapes, and random
    /// whitespace between tokens.
    fn template() -> impl Strategy<Value = String> {
        let space = prop::sample::select(vec!["", " ", "\n", "\n    ", "\t", "\r\n"]);
        let piece = prop::sample::select(vec![
            "text",
            " ",
            "{{deal.title}}",
            "{{ deal.value }}",
            "\\{{",
            "\\\"",
            "\\\\",
            "\\n",
            "\\u00e9",
            "é😀",
            "{ ",
            "}",
            "}}",
            "{{{deal.id}}}",
            ":",
            ",",
            "[",
            "]",
        ]);
        let string = prop::collection::vec(piece, 0..5)
            .prop_map(|pieces| format!("\"{}\"", pieces.concat()));
        let leaf = prop_oneof![
            prop::sample::select(vec!["0", "-12.5e+3", "1E40", "true", "false", "null"])
                .prop_map(String::from),
            prop::sample::select(vec![
                "{{deal.value}}",
                "{{ deal.products.0 }}",
                "{{missing}}"
            ])
            .prop_map(String::from),
            string.clone(),
        ];
        let spaced =
            move |text: String, (before, after): (&str, &str)| format!("{before}{text}{after}");
        leaf.prop_recursive(4, 40, 5, move |inner| {
            let item = (inner, (space.clone(), space.clone()))
                .prop_map(move |(text, around)| spaced(text, around));
            prop_oneof![
                prop::collection::vec(item.clone(), 0..4)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec((string.clone(), item), 0..4).prop_map(|members| {
                    let members: Vec<String> = members
                        .into_iter()
                        .map(|(key, value)| format!("{key} :{value}"))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn formatting_keeps_the_rendered_value_and_is_idempotent(source in template()) {
            let formatted = format_raw(&source).unwrap();
            let context = json!({"deal": {"title": "Big \"one\" {{x}} \\ \n", "value": 12.5, "products": [{"name": "A"}]}});
            prop_assert_eq!(render(&formatted, &context), render(&source, &context));
            prop_assert_eq!(render(&formatted, &json!({})), render(&source, &json!({})));
            prop_assert_eq!(format_raw(&formatted).unwrap(), formatted.clone());
            // Only whitespace between tokens changes.
            let tokens = |text: &str| -> Vec<String> {
                highlight_raw(text).iter().map(|t| text[t.start..t.end].to_owned()).collect()
            };
            prop_assert_eq!(tokens(&formatted), tokens(&source));
        }
    }
}
