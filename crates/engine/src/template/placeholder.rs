//! The syntax of one placeholder: `{{`, optional spaces, a dot-separated field path, optional spaces, `}}`.
//!
//! Every mode finds placeholders its own way (inside JSON strings, in table cells, in a URL path) and
//! hands the text from `{{` onwards to [`parse`]; this module alone decides what a placeholder is.

use std::ops::Range;

use super::describe::describe_at;
use super::field::{FieldPath, PathSegment};
use crate::diagnostic::Span;

#[derive(Debug)]
pub(crate) struct Placeholder {
    pub path: FieldPath,
    /// From the first `{` to after the last `}`.
    pub span: Span,
}

#[derive(Debug)]
pub(crate) struct PlaceholderError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// Where the caller continues scanning: after the broken placeholder's `}}` when it has one, else at
    /// the first byte that cannot belong to a placeholder, so the caller still sees a closing quote.
    pub resume: usize,
    /// Whether the broken placeholder has its `}}` (so it still occupies a place, like a value).
    pub closed: bool,
}

/// Whether a placeholder starts at `pos`. In a run of braces the last two open it, so `{{{deal.id}}}`
/// is a literal `{`, a placeholder and a literal `}`.
pub(crate) fn starts_at(source: &[u8], pos: usize) -> bool {
    source.get(pos..pos + 2) == Some(b"{{") && source.get(pos + 2) != Some(&b'{')
}

/// A well-formed placeholder found by [`scan`], before its path is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Syntax {
    /// The field path as written, without the braces and spaces around it: `deal.title`.
    pub path: Range<usize>,
    /// From the first `{` to after the last `}`.
    pub span: Span,
}

/// Parses the placeholder that starts with the `{{` at `start`.
pub(crate) fn parse(source: &[u8], start: usize) -> Result<Placeholder, PlaceholderError> {
    let syntax = scan(source, start)?;
    Ok(Placeholder {
        path: field_path(&source[syntax.path]),
        span: syntax.span,
    })
}

/// Checks the syntax of the placeholder that starts with the `{{` at `start`, without allocating: a
/// body with thousands of placeholders builds the path of each distinct one only once.
pub(crate) fn scan(source: &[u8], start: usize) -> Result<Syntax, PlaceholderError> {
    debug_assert!(source[start..].starts_with(b"{{"));
    let fail = |at: usize, span: Span, message: String, help: Option<&str>| {
        let (resume, closed) = resume_after_error(source, at);
        Err(PlaceholderError {
            span,
            message,
            help: help.map(str::to_owned),
            resume,
            closed,
        })
    };
    let byte_at = |pos: usize| source.get(pos).copied();

    let path_start = skip_spaces(source, start + 2);
    let mut pos = path_start;
    let mut first_segment = true;
    loop {
        let segment_start = pos;
        match byte_at(pos) {
            Some(b) if is_name_start(b) => pos = skip_while(source, pos, is_name_char),
            Some(b) if b.is_ascii_digit() => {
                let digits_end = skip_while(source, pos, |b| b.is_ascii_digit());
                pos = skip_while(source, digits_end, is_name_char);
                let span = Span::new(segment_start, pos);
                let text = || String::from_utf8_lossy(&source[segment_start..pos]);
                if pos > digits_end {
                    let message = format!("field name {} can't start with a digit", text());
                    return fail(pos, span, message, None);
                }
                if first_segment {
                    let message = "a field path starts with a name like deal, not a number".into();
                    return fail(pos, span, message, None);
                }
                if parse_index(&source[segment_start..pos]).is_none() {
                    let message = format!("list index {} is too large", text());
                    return fail(pos, span, message, None);
                }
            }
            Some(b'}') if first_segment && byte_at(pos + 1) == Some(b'}') => {
                let span = Span::new(start, pos + 2);
                let help = Some("put a field between the braces, like {{deal.title}}");
                return fail(pos, span, "empty placeholder".into(), help);
            }
            Some(b'.') if first_segment => {
                let message = "a field path can't start with '.'".into();
                return fail(pos, Span::new(pos, pos + 1), message, None);
            }
            Some(b'.') => {
                let message = "empty field name between two dots".into();
                return fail(pos, Span::new(pos - 1, pos + 1), message, None);
            }
            Some(b'}') => {
                let help = Some("add the field name after the dot, or remove the dot");
                let message = "field path ends with '.'".into();
                return fail(pos, Span::new(pos - 1, pos), message, help);
            }
            _ => return unexpected(source, start, pos, false),
        }
        first_segment = false;
        if byte_at(pos) != Some(b'.') {
            break;
        }
        pos += 1;
    }

    let path_end = pos;
    pos = skip_spaces(source, pos);
    if source[pos..].starts_with(b"}}") {
        return Ok(Syntax {
            path: path_start..path_end,
            span: Span::new(start, pos + 2),
        });
    }
    let spaced_name = pos > path_end && byte_at(pos).is_some_and(is_name_char);
    if spaced_name {
        let path = String::from_utf8_lossy(&source[path_start..path_end]);
        let message = format!("expected '.' or '}}}}' after {path}");
        let help = Some("field names are joined by '.', without spaces");
        return fail(pos, Span::new(pos, pos + 1), message, help);
    }
    unexpected(source, start, pos, true)
}

/// The path of a placeholder whose syntax [`scan`] accepted (`deal.products.0.name`).
pub(crate) fn field_path(text: &[u8]) -> FieldPath {
    let segments = text
        .split(|&b| b == b'.')
        .map(|segment| match parse_index(segment) {
            Some(index) => PathSegment::Index(index),
            // Checked by `scan`: a name is ASCII letters, digits and '_'.
            None => PathSegment::Name(String::from_utf8_lossy(segment).into_owned()),
        })
        .collect();
    FieldPath::new(segments)
}

/// The list index a segment of digits stands for; `None` for a name, or an index too large for `usize`.
fn parse_index(segment: &[u8]) -> Option<usize> {
    if !segment.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    segment.iter().try_fold(0usize, |index, &digit| {
        if !digit.is_ascii_digit() {
            return None;
        }
        index
            .checked_mul(10)?
            .checked_add(usize::from(digit - b'0'))
    })
}

/// The error for a byte that cannot continue the placeholder at `pos`: the end of its text (unclosed)
/// or a character that is not allowed in a field path.
fn unexpected(
    source: &[u8],
    start: usize,
    pos: usize,
    after_a_name: bool,
) -> Result<Syntax, PlaceholderError> {
    let Some(&byte) = source.get(pos).filter(|&&b| !ends_placeholder_text(b)) else {
        let text = String::from_utf8_lossy(&source[start..pos]);
        let help = if after_a_name {
            format!("close it: {}}}}}", text.trim_end())
        } else {
            "a placeholder looks like {{deal.title}}".into()
        };
        return Err(PlaceholderError {
            span: Span::new(start, pos),
            message: "unclosed placeholder: expected '}}'".into(),
            help: Some(help),
            resume: pos,
            closed: false,
        });
    };
    let help = match byte {
        b'[' | b']' => "index lists with a dot: deal.products.0.name",
        b'}' => "close the placeholder with two braces: '}}'",
        _ => "field names use letters, digits and '_', joined by '.'",
    };
    let (found, width) = describe_at(source, pos);
    let (resume, closed) = resume_after_error(source, pos);
    Err(PlaceholderError {
        span: Span::new(pos, pos + width),
        message: format!("unexpected {found} in placeholder"),
        help: Some(help.into()),
        resume,
        closed,
    })
}

/// Bytes that end a broken placeholder's text: JSON syntax (a string's closing quote or escape, the
/// separators `,` and `:`), a line break, or the start of the next placeholder. They keep a forgotten
/// `}}` from swallowing the rest of the line.
fn ends_placeholder_text(byte: u8) -> bool {
    matches!(byte, b'"' | b'\\' | b'{' | b',' | b':') || byte < 0x20
}

/// After the broken placeholder's `}}` (and `true`) when it is closed before its text ends; else where
/// its text ends (and `false`).
fn resume_after_error(source: &[u8], from: usize) -> (usize, bool) {
    let mut pos = from;
    while let Some(&byte) = source.get(pos) {
        if source[pos..].starts_with(b"}}") {
            return (pos + 2, true);
        }
        if ends_placeholder_text(byte) {
            break;
        }
        pos += 1;
    }
    (pos, false)
}

fn is_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

/// One lookup per byte: names are most of a placeholder's text.
fn is_name_char(byte: u8) -> bool {
    NAME_CHARS[usize::from(byte)]
}

/// The bytes of a field name: ASCII letters, digits and '_'.
static NAME_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).is_ascii_alphanumeric() || byte == b'_' as usize;
        byte += 1;
    }
    table
};

fn skip_spaces(source: &[u8], pos: usize) -> usize {
    skip_while(source, pos, |b| b == b' ')
}

fn skip_while(source: &[u8], mut pos: usize, keep: impl Fn(u8) -> bool) -> usize {
    while source.get(pos).is_some_and(|&b| keep(b)) {
        pos += 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> (String, Span) {
        let placeholder = parse(text.as_bytes(), 0).expect("a valid placeholder");
        (placeholder.path.to_string(), placeholder.span)
    }

    fn err(text: &str) -> (String, Span, usize) {
        let error = parse(text.as_bytes(), 0).expect_err("an invalid placeholder");
        (error.message, error.span, error.resume)
    }

    #[test]
    fn the_last_two_braces_of_a_run_open_a_placeholder() {
        assert!(starts_at(b"{{x}}", 0));
        assert!(!starts_at(b"{{{x}}}", 0));
        assert!(starts_at(b"{{{x}}}", 1));
        assert!(!starts_at(b"{x", 0));
        assert!(!starts_at(b"{", 0));
    }

    #[test]
    fn paths_with_names_and_indexes() {
        assert_eq!(
            ok("{{deal.title}}"),
            ("deal.title".into(), Span::new(0, 14))
        );
        assert_eq!(
            ok("{{ deal.products.0.name }} rest").0,
            "deal.products.0.name"
        );
        assert_eq!(ok("{{ deal.products.0.name }} rest").1, Span::new(0, 26));
        assert_eq!(ok("{{_x9.y_}}").0, "_x9.y_");
    }

    #[test]
    fn indexes_are_list_positions() {
        let placeholder = parse(b"{{deal.products.12}}", 0).unwrap();
        assert_eq!(placeholder.path.segments()[2], PathSegment::Index(12));
    }

    #[test]
    fn empty_placeholders() {
        assert_eq!(
            err("{{}}"),
            ("empty placeholder".into(), Span::new(0, 4), 4)
        );
        assert_eq!(err("{{  }} x").2, 6);
    }

    #[test]
    fn misplaced_dots() {
        assert_eq!(err("{{deal.}}").0, "field path ends with '.'");
        assert_eq!(err("{{deal.}}").1, Span::new(6, 7));
        assert_eq!(err("{{.deal}}").0, "a field path can't start with '.'");
        assert_eq!(
            err("{{deal..title}}"),
            (
                "empty field name between two dots".into(),
                Span::new(6, 8),
                15
            )
        );
    }

    #[test]
    fn spaces_inside_a_path() {
        let (message, span, resume) = err("{{deal title}}");
        assert_eq!(message, "expected '.' or '}}' after deal");
        assert_eq!((span, resume), (Span::new(7, 8), 14));
    }

    #[test]
    fn unclosed_stops_before_the_callers_syntax() {
        let (message, span, resume) = err("{{deal.title\", \"x\": 1");
        assert_eq!(message, "unclosed placeholder: expected '}}'");
        assert_eq!((span, resume), (Span::new(0, 12), 12));
        assert_eq!(err("{{deal.title").2, 12);
        assert_eq!(err("{{deal.title {{x}}").2, 13);
        assert_eq!(err("{{deal.title, \"b\": {{x}}").2, 12);
    }

    #[test]
    fn unexpected_characters() {
        let (message, span, resume) = err("{{deal-x.y}} z");
        assert_eq!(message, "unexpected '-' in placeholder");
        assert_eq!((span, resume), (Span::new(6, 7), 12));
        assert_eq!(
            err("{{deal.products[0]}}").0,
            "unexpected '[' in placeholder"
        );
        assert_eq!(err("{{dé}}").0, "unexpected 'é' in placeholder");
        assert_eq!(err("{{dé}}").1, Span::new(3, 5));
    }

    #[test]
    fn digits_where_names_belong() {
        assert_eq!(
            err("{{0.name}}").0,
            "a field path starts with a name like deal, not a number"
        );
        assert_eq!(
            err("{{deal.2nd}}").0,
            "field name 2nd can't start with a digit"
        );
        assert_eq!(
            err("{{deal.99999999999999999999999}}").0,
            "list index 99999999999999999999999 is too large"
        );
    }
}
