//! The syntax errors of raw JSON bodies, worded for a CRM admin: what was expected, what stands there
//! instead, and the likely fix.

use super::containers::Container;
use super::{is_word_byte, placeholder, Halt, Parser};
use crate::diagnostic::Span;
use crate::template::describe::describe_at;

impl<const CHECK_UTF8: bool> Parser<'_, '_, CHECK_UTF8> {
    /// Reports a syntax error at `at` (`width` bytes long) and halts parsing. An error where an invalid
    /// UTF-8 byte was already reported is left out: one problem, one diagnostic.
    pub(super) fn fail(
        &mut self,
        at: usize,
        width: usize,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Halt {
        if !self.report.has_error_at(at) {
            self.report.error(Span::new(at, at + width), message, help);
        }
        Halt { resume: at }
    }

    /// The length of the placeholder at `at` for highlighting: all of it when it is well formed, else
    /// its opening braces.
    pub(super) fn placeholder_width(&self, at: usize) -> usize {
        placeholder::parse(self.bytes, at).map_or(2, |found| found.span.end - at)
    }

    pub(super) fn control_in_string(&mut self, control: u8) -> Halt {
        let escape = match control {
            b'\n' => "\\n".to_owned(),
            b'\t' => "\\t".to_owned(),
            b'\r' => "\\r".to_owned(),
            0x08 => "\\b".to_owned(),
            0x0c => "\\f".to_owned(),
            _ => format!("\\u{control:04X}"),
        };
        let message = format!(
            "control character U+{control:04X} must be escaped as {escape} inside a string"
        );
        let help = (control == b'\n')
            .then(|| "if the string should end before the line break, close it with '\"'".into());
        self.fail(self.pos, 1, message, help)
    }

    pub(super) fn unterminated_string(&mut self, open: usize) -> Halt {
        let span_to_end = self.bytes.len() - open;
        self.fail(
            open,
            span_to_end,
            "unterminated string",
            help("add the closing '\"'"),
        )
    }

    pub(super) fn expected_value(&mut self) -> Halt {
        let at = self.pos;
        match self.peek() {
            None => self.unexpected_end("expected a value".into()),
            Some(b'\'') => self.single_quotes(),
            Some(b'.') => {
                let help = help("write 0.5 instead of .5");
                self.fail(at, 1, "a number can't start with '.'", help)
            }
            Some(b'+') => self.fail(
                at,
                1,
                "a number can't start with '+'",
                help("remove the '+'"),
            ),
            Some(b',') => self.fail(at, 1, "expected a value before ','", None),
            Some(byte) if is_word_byte(byte) => self.not_a_value(),
            Some(_) => {
                let (found, width) = describe_at(self.bytes, at);
                self.fail(at, width, format!("expected a value, found {found}"), None)
            }
        }
    }

    /// A bare word where a value belongs: `True`, `nul`, `NaN`, or unquoted text.
    pub(super) fn not_a_value(&mut self) -> Halt {
        let (word, end) = self.word_at(self.pos);
        let lower = word.to_ascii_lowercase();
        let literals = ["true", "false", "null"];
        let hint = if literals.contains(&lower.as_str()) {
            format!("write {lower} in lowercase")
        } else if let Some(literal) = literals.iter().find(|l| l.starts_with(lower.as_str())) {
            format!("did you mean {literal}?")
        } else if lower == "nan" || lower == "infinity" {
            format!("JSON has no {word}: use null, or a string")
        } else if placeholder::starts_at(self.bytes, end) {
            format!("to mix text and fields, write a string: \"{word}{{{{…}}}}\"")
        } else {
            format!("text must be in double quotes: \"{word}\"")
        };
        let message = format!("{word} is not a JSON value");
        self.fail(self.pos, end - self.pos, message, Some(hint))
    }

    pub(super) fn expected_key(&mut self, after_comma: bool) -> Halt {
        let at = self.pos;
        match self.peek() {
            None => self.unexpected_end("expected a key in double quotes".into()),
            Some(b'\'') => self.single_quotes(),
            Some(b'{') if placeholder::starts_at(self.bytes, at) => {
                let width = self.placeholder_width(at);
                let text = String::from_utf8_lossy(&self.bytes[at..at + width]).into_owned();
                let message = "a placeholder can't be an object key by itself";
                let help = help(&format!("object keys must be in double quotes: \"{text}\""));
                self.fail(at, width, message, help)
            }
            Some(byte) if is_word_byte(byte) => {
                let (word, end) = self.word_at(at);
                let message = "object keys must be in double quotes";
                self.fail(at, end - at, message, help(&format!("write \"{word}\"")))
            }
            Some(_) => {
                let (found, width) = describe_at(self.bytes, at);
                let message = if after_comma {
                    format!("expected a key in double quotes after ',', found {found}")
                } else {
                    format!("expected a key in double quotes or '}}', found {found}")
                };
                self.fail(at, width, message, None)
            }
        }
    }

    pub(super) fn expected_separator(&mut self, container: Container) -> Halt {
        let expected = match container {
            Container::Object => format!(
                "expected ',' or '}}' after the value of {}",
                self.key_name()
            ),
            Container::Array => "expected ',' or ']' after an array item".into(),
        };
        let forgot_comma = match (container, self.peek()) {
            (Container::Object, Some(b'"')) => help("add a ',' before the next key"),
            (Container::Array, Some(b'"' | b'[' | b'-' | b'0'..=b'9')) => {
                help("add a ',' between the items")
            }
            _ => None,
        };
        self.misplaced(expected, forgot_comma)
    }

    /// The error for whatever stands at the position when `expected` was needed: the end of the body,
    /// a placeholder in a place that takes none, or another character.
    pub(super) fn misplaced(&mut self, expected: String, help_text: Option<String>) -> Halt {
        let at = self.pos;
        if at == self.bytes.len() {
            return self.unexpected_end(expected);
        }
        if placeholder::starts_at(self.bytes, at) {
            let width = self.placeholder_width(at);
            // Only a number ends in a digit: the placeholder is glued to one.
            if at > 0 && self.bytes[at - 1].is_ascii_digit() {
                let message = "a placeholder can't stand inside a number";
                let help =
                    help("a placeholder stands for the whole number: \"amount\": {{deal.value}}");
                return self.fail(at, width, message, help);
            }
            let message = format!("a placeholder can't stand here: {expected}");
            let help = help("a placeholder stands for a whole value, or goes inside a string");
            return self.fail(at, width, message, help);
        }
        let width = describe_at(self.bytes, at).1;
        self.fail(at, width, expected, help_text)
    }

    pub(super) fn unexpected_end(&mut self, expected: String) -> Halt {
        let help = (self.containers.depth > 0).then(|| {
            let opener = self.containers.opener();
            let at = self.report.position(opener);
            let bracket = self.bytes[opener] as char;
            format!(
                "the '{bracket}' at {}:{} is never closed",
                at.line, at.column
            )
        });
        let end = self.bytes.len();
        self.fail(
            end,
            0,
            format!("unexpected end of the body: {expected}"),
            help,
        )
    }

    pub(super) fn single_quotes(&mut self) -> Halt {
        let message = "JSON strings use double quotes, not single quotes";
        self.fail(self.pos, 1, message, None)
    }

    /// The bare word at `start` (for messages, shortened) and where it ends.
    pub(super) fn word_at(&self, start: usize) -> (String, usize) {
        let mut end = start;
        while self.bytes.get(end).is_some_and(|&b| is_word_byte(b)) {
            end += 1;
        }
        (
            shorten(&String::from_utf8_lossy(&self.bytes[start..end])),
            end,
        )
    }

    /// The key of the member being parsed, as written (quotes included), for messages.
    pub(super) fn key_name(&self) -> String {
        let key = self.containers.key();
        shorten(&String::from_utf8_lossy(&self.bytes[key.start..key.end]))
    }
}

pub(super) fn help(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// Long words and keys are cut in messages: the position shows the rest.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
