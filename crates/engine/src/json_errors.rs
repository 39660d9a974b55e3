//! JSON parse errors made safe and useful to show. serde's messages quote the offending text
//! (`invalid type: string "Bearer tok…"`), which may be a credential in the wrong place, and point at
//! "line 1 column 214", which means nothing to someone whose CRM page handed over a one-line event;
//! "current.title" does.

/// `message` with every value serde quoted replaced by `…`: double-quoted text, and what the input
/// held where serde quotes it in backticks — `unknown variant `…``, `unknown field `…`` (a key
/// the input wrote: it may be a pasted credential), `invalid type: integer `…``. The names our
/// types expect (`missing field `name``, `expected one of `id``) stay, and so does a misspelt key
/// named like ours (`condition`), which tells the admin what to fix.
pub fn scrub_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        out.push(c);
        if c == '`' && (out.ends_with("unknown field `") || out.ends_with("unknown variant `")) {
            // serde writes a key or variant as it is, backticks and all: it ends where the
            // message goes on (the last "`, expected", or "`, there are no …").
            let end = rest
                .rfind("`, expected")
                .or_else(|| rest.rfind("`, there are no"))
                .or_else(|| rest.find('`'))
                .unwrap_or(rest.len());
            let key = &rest[..end];
            if out.ends_with("unknown field `") && named_like_a_field(key) {
                out.push_str(key);
            } else {
                out.push('…');
            }
            rest = &rest[end..];
            if let Some(tail) = rest.strip_prefix('`') {
                out.push('`');
                rest = tail;
            }
            continue;
        }
        let quoted_value = c == '"' || (c == '`' && quotes_the_input(&out[..out.len() - 1]));
        if !quoted_value {
            continue;
        }
        let mut escaped = false;
        let mut end = rest.len();
        for (at, inner) in rest.char_indices() {
            if escaped {
                escaped = false;
            } else if inner == '\\' && c == '"' {
                escaped = true;
            } else if inner == c {
                end = at + inner.len_utf8();
                break;
            }
        }
        rest = &rest[end..];
        out.push('…');
        out.push(c);
    }
    out
}

/// A key named like one of ours (`condition`, `feild`: lowercase letters and `_`, short).
fn named_like_a_field(key: &str) -> bool {
    (1..=32).contains(&key.len()) && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// Whether a backtick after `before` opens a value taken from the input (`unknown field` and
/// `unknown variant` are read apart, in [`scrub_quoted`]).
fn quotes_the_input(before: &str) -> bool {
    // `invalid type: integer `7``, `invalid value: floating point `1.5``: the kind, then the value.
    ["invalid type: ", "invalid value: "].iter().any(|lead| {
        before.rfind(lead).is_some_and(|at| {
            let kind = &before[at + lead.len()..];
            kind.ends_with(' ')
                && kind
                    .trim_end()
                    .chars()
                    .all(|c| c.is_ascii_alphabetic() || c == ' ')
        })
    })
}

/// The path (`current.title`, `related.person.0.name`) of the value that holds byte `offset` of
/// `json`, or `None` at the top level. A key being read counts as its object's path.
pub fn path_at_offset(json: &str, offset: usize) -> Option<String> {
    let bytes = json.as_bytes();
    let mut frames: Vec<Frame> = Vec::new();
    let mut at = 0;
    while at < bytes.len().min(offset) {
        match bytes[at] {
            b'{' => frames.push(Frame::Object {
                key: None,
                reading_key: true,
            }),
            b'[' => frames.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                frames.pop();
            }
            b',' => match frames.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { key, reading_key }) => {
                    *key = None;
                    *reading_key = true;
                }
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { reading_key, .. }) = frames.last_mut() {
                    *reading_key = false;
                }
            }
            b'"' => {
                let end = string_end(bytes, at);
                if end >= offset {
                    break; // the position is inside this string
                }
                if let Some(Frame::Object {
                    key,
                    reading_key: true,
                }) = frames.last_mut()
                {
                    let quoted = &json[at..=end];
                    *key = Some(
                        serde_json::from_str::<String>(quoted)
                            .unwrap_or_else(|_| quoted[1..quoted.len() - 1].to_owned()),
                    );
                }
                at = end;
            }
            _ => {}
        }
        at += 1;
    }
    let parts: Vec<String> = frames
        .iter()
        .filter_map(|frame| match frame {
            Frame::Object {
                key: Some(key),
                reading_key: false,
            } => Some(key.clone()),
            Frame::Object { .. } => None,
            Frame::Array { index } => Some(index.to_string()),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("."))
}

/// The byte offset of `line` (1-based) and `column` (1-based, in bytes), as serde_json reports them.
pub fn offset_of(json: &str, line: usize, column: usize) -> usize {
    let line_start: usize = json
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(json.len())
}

enum Frame {
    Object {
        key: Option<String>,
        reading_key: bool,
    },
    Array {
        index: usize,
    },
}

/// The index of the quote that closes the string opening at `start` (or the end of the text).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at,
            _ => at += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of_error(json: &str) -> Option<String> {
        let error = serde_json::from_str::<serde_json::Value>(json).unwrap_err();
        path_at_offset(json, offset_of(json, error.line(), error.column()))
    }

    #[test]
    fn a_bad_value_is_named_by_its_path() {
        assert_eq!(
            path_of_error(r#"{"id": "e1", "current": {"note": "a, b: [c]", "title": "x\uD800y"}}"#)
                .as_deref(),
            Some("current.title")
        );
        assert_eq!(
            path_of_error(r#"{"related": {"person": [{"name": "ok"}, {"name": "\uDC00"}]}}"#)
                .as_deref(),
            Some("related.person.1.name")
        );
        assert_eq!(
            path_of_error("{\n  \"a\": {\"b\\\"c\": [1, 2, tru]}\n}").as_deref(),
            Some("a.b\"c.2")
        );
        assert_eq!(path_of_error("[1, 2").as_deref(), Some("1"));
        assert_eq!(path_of_error("tru"), None);
        assert_eq!(path_of_error(r#"{"ü": 1, "x": nul}"#).as_deref(), Some("x"));
    }

    #[test]
    fn quoted_values_never_reach_messages() {
        assert_eq!(
            scrub_quoted(r#"invalid type: string "hunter\"2", expected u32"#),
            r#"invalid type: string "…", expected u32"#
        );
        assert_eq!(scrub_quoted("missing field `name`"), "missing field `name`");
        assert_eq!(scrub_quoted(r#"unterminated "abc"#), r#"unterminated "…""#);
        assert_eq!(
            scrub_quoted("unknown variant `Bearer tok`, expected one of `none`, `basic`"),
            "unknown variant `…`, expected one of `none`, `basic`"
        );
        // Keys and numbers the input wrote may be pasted credentials too (a review found both).
        assert_eq!(
            scrub_quoted("unknown field `Bearer sk_live_canary`, expected `id` or `name`"),
            "unknown field `…`, expected `id` or `name`"
        );
        assert_eq!(
            scrub_quoted("unknown field `condition`, expected `conditions`"),
            "unknown field `condition`, expected `conditions`",
            "a misspelt key named like ours is shown"
        );
        // serde does not escape a backtick inside a key: the key ends where the message goes on.
        assert_eq!(
            scrub_quoted("unknown field `sk_live_`abc123`, expected `id` or `name`"),
            "unknown field `…`, expected `id` or `name`"
        );
        assert_eq!(
            scrub_quoted("unknown variant `Bearer x`tail`, expected one of `none`"),
            "unknown variant `…`, expected one of `none`"
        );
        assert_eq!(
            scrub_quoted("unknown field `x`, there are no fields"),
            "unknown field `x`, there are no fields"
        );
        assert_eq!(
            scrub_quoted("invalid type: integer `12345678`, expected struct Condition"),
            "invalid type: integer `…`, expected struct Condition"
        );
        assert_eq!(
            scrub_quoted("invalid value: floating point `1.5`, expected u32"),
            "invalid value: floating point `…`, expected u32"
        );
    }

    #[test]
    fn offsets_count_lines_and_bytes() {
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
        assert_eq!(offset_of("ab", 9, 9), 2);
    }
}
