//! Writing a field's value into a JSON body: as a JSON value, or as text inside a JSON string.

use std::borrow::Cow;

use serde_json::Value;

/// Writes `value` as compact JSON.
pub(crate) fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // `Number`'s Display is its JSON text (integers as written, floats in shortest round-trip form).
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => {
            out.push('"');
            write_string_contents(s, out);
            out.push('"');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, member)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('"');
                write_string_contents(key, out);
                out.push_str("\":");
                write_json(member, out);
            }
            out.push('}');
        }
    }
}

/// The text a value shows as inside a string or a URL: strings as their text, numbers and booleans as
/// their JSON text, lists and objects as their compact JSON; `None` for null and missing values.
pub(crate) fn value_text(value: Option<&Value>) -> Option<Cow<'_, str>> {
    match value? {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        other => {
            let mut text = String::new();
            write_json(other, &mut text);
            Some(Cow::Owned(text))
        }
    }
}

/// Writes `text` escaped for the inside of a JSON string: `"` and `\` get a backslash, control
/// characters their short escape (`\n`) or `\u00XX`. Everything else is valid JSON string content as is.
pub(crate) fn write_string_contents(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut clean_from = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let escape = ESCAPES[byte as usize];
        if escape == 0 {
            continue;
        }
        // Escapable bytes are ASCII, so `i` is a character boundary.
        out.push_str(&text[clean_from..i]);
        out.push('\\');
        if escape == b'u' {
            out.push_str("u00");
            out.push(HEX_DIGITS[(byte >> 4) as usize] as char);
            out.push(HEX_DIGITS[(byte & 0xf) as usize] as char);
        } else {
            out.push(escape as char);
        }
        clean_from = i + 1;
    }
    out.push_str(&text[clean_from..]);
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// For each byte: 0 when it may stand in a JSON string as is, else the letter after the backslash.
static ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json_text(value: &Value) -> String {
        let mut out = String::new();
        write_json(value, &mut out);
        out
    }

    #[test]
    fn compact_json_matches_serde_json() {
        let value = json!({"b": [1, 2.5, -0.0, null, true], "a": "q\"\\\n\u{1}\u{7f}é😀</script>", "c": {}});
        assert_eq!(json_text(&value), serde_json::to_string(&value).unwrap());
    }

    #[test]
    fn escapes_quotes_backslashes_and_control_characters() {
        let mut out = String::new();
        write_string_contents("a\"b\\c\nd\te\u{0}f\u{1f}g\u{8}\u{c}\r", &mut out);
        assert_eq!(out, r#"a\"b\\c\nd\te\u0000f\u001fg\b\f\r"#);
    }

    #[test]
    fn text_of_each_json_type() {
        assert_eq!(value_text(Some(&json!("x\"y"))).as_deref(), Some("x\"y"));
        assert_eq!(value_text(Some(&json!(12000))).as_deref(), Some("12000"));
        assert_eq!(value_text(Some(&json!(1.5))).as_deref(), Some("1.5"));
        assert_eq!(value_text(Some(&json!(false))).as_deref(), Some("false"));
        assert_eq!(
            value_text(Some(&json!([1, "a"]))).as_deref(),
            Some("[1,\"a\"]")
        );
        assert_eq!(value_text(Some(&json!(null))), None);
        assert_eq!(value_text(None), None);
    }
}
