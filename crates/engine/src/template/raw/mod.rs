//! Raw JSON bodies: a byte-level JSON validator that knows where placeholders may stand.
//!
//! One pass over the bytes checks the JSON and records the compiled body at the same time: ranges of
//! literal source text between field slots. A placeholder where a value belongs is a typed slot, one
//! inside a string is a text slot, and one anywhere else is an error. Validation stops at the first JSON
//! syntax error (what follows it can't be read reliably), but placeholders after it are still checked,
//! so an admin sees every unknown field at once.
//!
//! For `compile_raw` the same pass checks that the bytes are UTF-8 (see `Utf8`). Each distinct field path
//! is built, and its value path asked of the resolver, once however many placeholders use it (`fields`);
//! the resolver still checks every placeholder.

mod containers;
mod errors;
mod fields;
mod scan;
#[cfg(test)]
mod tests;
mod utf8;

use containers::{Container, Containers};
use errors::help;
use fields::Fields;

use super::body::{BodyTemplate, Parts, Placement};
use super::describe::describe_at;
use super::field::FieldResolver;
use super::placeholder;
use super::report::{Compilation, Report};
use crate::diagnostic::Span;

/// How deeply arrays and objects may nest: deep enough for any real body, shallow enough that nothing
/// downstream (including a receiver's recursive parser) runs out of stack.
pub const MAX_DEPTH: usize = 128;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Compiles a raw JSON body. The source is bytes because a body may come from a file that is not UTF-8;
/// each invalid sequence is reported where it stands, with every other problem the parser finds.
pub fn compile_raw(source: &[u8], resolver: &dyn FieldResolver) -> Compilation<BodyTemplate> {
    // One pass checks the JSON and the UTF-8 together, instead of a pass over the whole text first.
    let parsed = parse::<true>(source, resolver, Report::new(source));
    let text = match parsed.utf8 {
        Utf8::Valid => {
            debug_assert!(std::str::from_utf8(source).is_ok());
            return Compilation::new(parsed.report.into_sorted(), || {
                // SAFETY: `Utf8::Valid` is left standing only by a parse that checked every byte of
                // `source` (see `Utf8::Valid`), so the bytes are UTF-8.
                #[allow(unsafe_code)]
                let text = unsafe { String::from_utf8_unchecked(source.to_vec()) };
                BodyTemplate::new(text, parsed.parts)
            });
        }
        // An error stopped the check early; when the text is UTF-8 after all, the diagnostics are the
        // ones a parse of the text would give.
        Utf8::Unchecked => match std::str::from_utf8(source) {
            Ok(text) => text,
            Err(_) => return compile_invalid_utf8(source, resolver),
        },
        Utf8::Invalid => return compile_invalid_utf8(source, resolver),
    };
    Compilation::new(parsed.report.into_sorted(), || {
        BodyTemplate::new(text.to_owned(), parsed.parts)
    })
}

/// Compiles a raw JSON body that is already known to be UTF-8 text (an editor's contents).
pub fn compile_raw_str(source: &str, resolver: &dyn FieldResolver) -> Compilation<BodyTemplate> {
    let bytes = source.as_bytes();
    let parsed = parse::<false>(bytes, resolver, Report::new(bytes));
    Compilation::new(parsed.report.into_sorted(), || {
        BodyTemplate::new(source.to_owned(), parsed.parts)
    })
}

/// A body that is not UTF-8: every invalid sequence is reported, then every other problem the parser
/// finds (treating the rest as text).
fn compile_invalid_utf8(source: &[u8], resolver: &dyn FieldResolver) -> Compilation<BodyTemplate> {
    let mut report = Report::new(source);
    report_invalid_utf8(source, &mut report);
    let parsed = parse::<false>(source, resolver, report);
    Compilation {
        template: None,
        diagnostics: parsed.report.into_sorted(),
    }
}

/// What a parse found: the body's parts, the diagnostics, and (when it checked UTF-8) whether the text
/// is UTF-8.
struct Parsed<'a> {
    parts: Parts,
    report: Report<'a>,
    utf8: Utf8,
}

/// What a parse that checks UTF-8 learned about the text. Outside strings the grammar admits nothing
/// but ASCII; inside strings the scan stops at every byte from 0x80 on and checks the run of text it
/// starts (see `Parser::non_ascii_run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Utf8 {
    /// Every byte was checked: the parse reached the end of the document, and each byte it stepped over
    /// was either accepted as ASCII by the grammar, part of the leading byte order mark, or in a run of
    /// text that `utf8::skip_string_text` accepted (as `str::from_utf8` would). `compile_raw` relies on
    /// this to skip a second check.
    Valid,
    /// Some bytes were stepped over unchecked: after a syntax error, or in a broken placeholder. (Always
    /// the case when the parse does not check UTF-8.)
    Unchecked,
    /// A string holds bytes that are not UTF-8; the parse stopped there.
    Invalid,
}

fn parse<'a, const CHECK_UTF8: bool>(
    source: &'a [u8],
    resolver: &dyn FieldResolver,
    report: Report<'a>,
) -> Parsed<'a> {
    let mut parser = Parser::<CHECK_UTF8> {
        bytes: source,
        pos: 0,
        resolver,
        report,
        parts: Parts::default(),
        literal_start: 0,
        containers: Containers::new(),
        fields: Fields::new(),
        utf8: if CHECK_UTF8 {
            Utf8::Valid
        } else {
            Utf8::Unchecked
        },
    };
    match parser.document() {
        Ok(()) => parser.parts.literal(parser.literal_start..source.len()),
        // Invalid UTF-8: `compile_raw` starts over, reporting it first.
        Err(_) if parser.utf8 == Utf8::Invalid => {}
        Err(Halt { resume }) => {
            parser.utf8 = Utf8::Unchecked;
            parser.check_placeholders_from(resume);
        }
    }
    Parsed {
        parts: parser.parts,
        report: parser.report,
        utf8: parser.utf8,
    }
}

fn report_invalid_utf8(source: &[u8], report: &mut Report) {
    let mut offset = 0;
    for chunk in source.utf8_chunks() {
        offset += chunk.valid().len();
        let invalid = chunk.invalid();
        if !invalid.is_empty() {
            let bytes: Vec<String> = invalid.iter().map(|b| format!("0x{b:02X}")).collect();
            let message = match bytes.len() {
                1 => format!("invalid UTF-8 byte {}", bytes[0]),
                _ => format!("invalid UTF-8 sequence {}", bytes.join(" ")),
            };
            let help = help("the body must be UTF-8 text: re-save the file as UTF-8");
            report.error(Span::new(offset, offset + invalid.len()), message, help);
        }
        offset += invalid.len();
    }
}

/// Parsing stopped at a syntax error (already reported); placeholders are still checked from `resume`.
struct Halt {
    resume: usize,
}

/// The parser. With `CHECK_UTF8` it checks that the text is UTF-8 as it goes (for `compile_raw`);
/// without, the text is known to be UTF-8, or its invalid sequences were reported already.
struct Parser<'a, 'r, const CHECK_UTF8: bool> {
    bytes: &'a [u8],
    pos: usize,
    resolver: &'r dyn FieldResolver,
    report: Report<'a>,
    parts: Parts,
    /// Where the literal text not yet recorded in `parts` starts.
    literal_start: usize,
    containers: Containers,
    fields: Fields<'a>,
    utf8: Utf8,
}

impl<'a, const CHECK_UTF8: bool> Parser<'a, '_, CHECK_UTF8> {
    fn document(&mut self) -> Result<(), Halt> {
        // A byte order mark is tolerated (editors on Windows add one) and left out of the rendered body.
        if self.bytes.starts_with(BOM) {
            self.pos = BOM.len();
            self.literal_start = self.pos;
        }
        self.skip_whitespace();
        if self.pos == self.bytes.len() {
            let help = help("write a JSON value, for example {}");
            return Err(self.fail(self.pos, 0, "the body is empty", help));
        }
        loop {
            if self.value()? {
                continue; // a container opened: its first value comes next
            }
            // The value is complete: close containers until one goes on with another item.
            loop {
                self.skip_whitespace();
                if self.containers.depth == 0 {
                    return self.end_of_document();
                }
                let innermost = self.containers.innermost;
                match self.peek() {
                    Some(b',') => {
                        self.next_item(innermost)?;
                        break;
                    }
                    Some(byte) if byte == innermost.closer() => {
                        self.pos += 1;
                        self.containers.pop();
                    }
                    _ => return Err(self.expected_separator(innermost)),
                }
            }
        }
    }

    /// Parses a value, or opens a container; `true` when it opened one that has a first value to parse.
    fn value(&mut self) -> Result<bool, Halt> {
        match self.peek() {
            Some(b'{') if !placeholder::starts_at(self.bytes, self.pos) => {
                self.open(Container::Object)
            }
            Some(b'[') => self.open(Container::Array),
            Some(b'{') => {
                if !self.field(Placement::Value) {
                    return Err(Halt { resume: self.pos });
                }
                Ok(false)
            }
            Some(b'"') => self.string().map(|()| false),
            Some(b'-' | b'0'..=b'9') => self.number().map(|()| false),
            Some(b't') if self.literal_ahead(b"true") => Ok(false),
            Some(b'f') if self.literal_ahead(b"false") => Ok(false),
            Some(b'n') if self.literal_ahead(b"null") => Ok(false),
            _ => Err(self.expected_value()),
        }
    }

    fn open(&mut self, kind: Container) -> Result<bool, Halt> {
        if !self.containers.push(kind, self.pos) {
            let message = format!("JSON nested deeper than {MAX_DEPTH} levels");
            let help = help("flatten the body: so deep a structure is almost always a mistake");
            return Err(self.fail(self.pos, 1, message, help));
        }
        self.pos += 1;
        self.skip_whitespace();
        if self.peek() == Some(kind.closer()) {
            self.pos += 1;
            self.containers.pop();
            return Ok(false);
        }
        if kind == Container::Object {
            self.member_key(false)?;
        }
        Ok(true)
    }

    /// At the `,` between two items of the innermost container.
    fn next_item(&mut self, container: Container) -> Result<(), Halt> {
        let comma = self.pos;
        self.pos += 1;
        self.skip_whitespace();
        if self.peek() == Some(container.closer()) {
            let message = format!(
                "trailing comma before '{}' — remove it",
                container.closer() as char
            );
            return Err(self.fail(comma, 1, message, None));
        }
        if container == Container::Object {
            self.member_key(true)?;
        }
        Ok(())
    }

    /// A member's key and its `:`, leaving the position at the member's value.
    fn member_key(&mut self, after_comma: bool) -> Result<(), Halt> {
        if self.peek() != Some(b'"') {
            return Err(self.expected_key(after_comma));
        }
        let start = self.pos;
        self.key_string()?;
        self.containers.set_key(Span::new(start, self.pos));
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            let key = self.key_name();
            return Err(self.misplaced(format!("expected ':' after the key {key}"), None));
        }
        self.pos += 1;
        self.skip_whitespace();
        Ok(())
    }

    /// At a string value's opening quote; leaves the position after its closing quote.
    #[inline(always)]
    fn string(&mut self) -> Result<(), Halt> {
        let stop = scan::skip_plain_string_bytes::<CHECK_UTF8>(self.bytes, self.pos + 1);
        self.string_to(stop)
    }

    /// At a key's opening quote; leaves the position after its closing quote. Keys are scanned a byte
    /// at a time (see `scan::skip_short_plain_string_bytes`).
    #[inline(always)]
    fn key_string(&mut self) -> Result<(), Halt> {
        let stop = scan::skip_short_plain_string_bytes::<CHECK_UTF8>(self.bytes, self.pos + 1);
        self.string_to(stop)
    }

    /// Finishes the string opening at the position, given its first byte that needs a decision.
    #[inline(always)]
    fn string_to(&mut self, stop: usize) -> Result<(), Halt> {
        // Most strings hold nothing that needs a decision: settle those inline, in registers.
        if self.bytes.get(stop) == Some(&b'"') {
            self.pos = stop + 1;
            return Ok(());
        }
        self.string_from(self.pos, stop)
    }

    /// The rest of the string that opened at `open`, from the first byte after it that needs a
    /// decision (`stop`): escapes, placeholders, errors.
    #[inline(never)]
    fn string_from(&mut self, open: usize, stop: usize) -> Result<(), Halt> {
        self.pos = stop;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => self.escape(open)?,
                Some(b'{') if placeholder::starts_at(self.bytes, self.pos) => {
                    // A broken placeholder was reported; the string goes on after it either way.
                    self.field(Placement::InString);
                }
                Some(b'{') => self.pos += 1,
                Some(0x80..) if CHECK_UTF8 => self.non_ascii_run()?,
                Some(control) => return Err(self.control_in_string(control)),
                None => return Err(self.unterminated_string(open)),
            }
            self.pos = scan::skip_plain_string_bytes::<CHECK_UTF8>(self.bytes, self.pos);
        }
    }

    /// At a byte from 0x80 on inside a string, when checking UTF-8: checks the text from here to the
    /// next byte that needs a decision, and steps over it. That next byte is ASCII (or the end), so a
    /// run that is UTF-8 ends where a character does.
    fn non_ascii_run(&mut self) -> Result<(), Halt> {
        let Some(end) = utf8::skip_string_text(self.bytes, self.pos) else {
            self.utf8 = Utf8::Invalid;
            return Err(Halt { resume: self.pos });
        };
        self.pos = end;
        Ok(())
    }

    /// At a backslash inside the string that opened at `open`.
    fn escape(&mut self, open: usize) -> Result<(), Halt> {
        let at = self.pos;
        match self.bytes.get(at + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.pos += 2;
                Ok(())
            }
            Some(b'u') => self.unicode_escape(),
            Some(b'{') if self.bytes.get(at + 2) == Some(&b'{') => {
                // `\{{` is a literal `{{`: the backslash is left out of the rendered body.
                self.parts.literal(self.literal_start..at);
                self.literal_start = at + 1;
                self.pos = at + 3;
                Ok(())
            }
            Some(b'{') => {
                let help = help("a single { needs no backslash; write \\{{ for a literal {{");
                Err(self.fail(at, 2, "invalid escape \\{ in string", help))
            }
            Some(&byte) => {
                let (found, width) = describe_at(self.bytes, at + 1);
                let message = if byte.is_ascii_graphic() {
                    format!("invalid escape \\{} in string", byte as char)
                } else {
                    format!("invalid escape in string: a backslash followed by {found}")
                };
                let help = help(
                    "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, and \\{{ for a literal {{",
                );
                Err(self.fail(at, 1 + width, message, help))
            }
            None => Err(self.unterminated_string(open)),
        }
    }

    /// At the backslash of `\uXXXX`. Surrogates must come in pairs: a lone half is not a character,
    /// and receivers disagree on what to do with one.
    fn unicode_escape(&mut self) -> Result<(), Halt> {
        let at = self.pos;
        let Some(unit) = hex4(self.bytes, at + 2) else {
            let message = "invalid unicode escape: \\u must be followed by four hex digits";
            let width = (self.bytes.len() - at).min(6);
            return Err(self.fail(at, width, message, None));
        };
        self.pos = at + 6;
        // The escape as written (six ASCII bytes), for messages.
        let escape = || String::from_utf8_lossy(&self.bytes[at..at + 6]).into_owned();
        match unit {
            0xD800..=0xDBFF => {
                let low = match self.bytes.get(self.pos..self.pos + 2) {
                    Some(b"\\u") => hex4(self.bytes, self.pos + 2),
                    _ => None,
                };
                if !matches!(low, Some(0xDC00..=0xDFFF)) {
                    let message = format!(
                        "{} is the first half of a UTF-16 surrogate pair, but the second half is missing",
                        escape()
                    );
                    let help =
                        help("follow it with \\uDC00 to \\uDFFF, or write the character itself");
                    return Err(self.fail(at, 6, message, help));
                }
                self.pos += 6;
                Ok(())
            }
            0xDC00..=0xDFFF => {
                let message = format!(
                    "{} is the second half of a UTF-16 surrogate pair, without a first half",
                    escape()
                );
                let help = help("write the character itself, or its full pair of escapes");
                Err(self.fail(at, 6, message, help))
            }
            _ => Ok(()),
        }
    }

    fn number(&mut self) -> Result<(), Halt> {
        match scan::scan_number(self.bytes, self.pos) {
            Ok(end) => {
                self.pos = end;
                Ok(())
            }
            Err(error) => {
                let width = describe_at(self.bytes, error.at).1;
                Err(self.fail(error.at, width, error.message, None))
            }
        }
    }

    /// Whether `literal` (true, false, null) stands here as a whole word; if so, steps over it.
    fn literal_ahead(&mut self, literal: &[u8]) -> bool {
        let end = self.pos + literal.len();
        let whole_word = self.bytes[self.pos..].starts_with(literal)
            && !self.bytes.get(end).is_some_and(|&b| is_word_byte(b));
        if whole_word {
            self.pos = end;
        }
        whole_word
    }

    fn end_of_document(&mut self) -> Result<(), Halt> {
        if self.pos == self.bytes.len() {
            return Ok(());
        }
        let help = help("the body is one JSON value; to send several, wrap them in [ ]");
        if placeholder::starts_at(self.bytes, self.pos) {
            let message = "a placeholder can't stand after the end of the JSON value";
            let width = self.placeholder_width(self.pos);
            return Err(self.fail(self.pos, width, message, help));
        }
        let (found, width) = describe_at(self.bytes, self.pos);
        let message = format!("unexpected {found} after the end of the JSON value");
        Err(self.fail(self.pos, width, message, help))
    }

    /// Records the placeholder at the position as a field slot and steps over it. A broken one is
    /// reported and stepped over as far as it goes; `false` when it had no closing `}}`.
    fn field(&mut self, placement: Placement) -> bool {
        let start = self.pos;
        match placeholder::scan(self.bytes, start) {
            Ok(found) => {
                let text = &self.bytes[found.path];
                let (path, slot) = self.fields.slot(text, self.resolver, &mut self.parts);
                self.report.check_path(self.resolver, path, found.span);
                self.parts.literal(self.literal_start..start);
                self.parts.field_at(slot, placement);
                self.pos = found.span.end;
                self.literal_start = self.pos;
                true
            }
            Err(error) => {
                // The broken placeholder's text is stepped over unchecked (it is an error anyway).
                self.utf8 = Utf8::Unchecked;
                self.pos = error.resume;
                let closed = error.closed;
                self.report.placeholder_error(error);
                closed
            }
        }
    }

    /// After a syntax error the JSON structure can't be trusted, but a placeholder is recognisable
    /// anywhere: check the syntax and field of each one from `pos` on.
    fn check_placeholders_from(&mut self, mut pos: usize) {
        let len = self.bytes.len();
        while let Some(offset) = self.bytes[pos..]
            .iter()
            .position(|&b| b == b'{' || b == b'\\')
        {
            let at = pos + offset;
            if self.bytes[at] == b'\\' {
                pos = (at + 2).min(len); // an escape pair, including `\{` of `\{{`
            } else if placeholder::starts_at(self.bytes, at) {
                pos = match placeholder::scan(self.bytes, at) {
                    Ok(found) => {
                        let path = self.fields.path(&self.bytes[found.path]);
                        self.report.check_path(self.resolver, path, found.span);
                        found.span.end
                    }
                    Err(error) => {
                        let resume = error.resume.max(at + 2);
                        self.report.placeholder_error(error);
                        resume
                    }
                };
            } else {
                pos = at + 1;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline(always)]
    fn skip_whitespace(&mut self) {
        self.pos = scan::skip_whitespace(self.bytes, self.pos);
    }
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The value of the four hex digits at `pos`, if there are four.
fn hex4(bytes: &[u8], pos: usize) -> Option<u32> {
    let digits = bytes.get(pos..pos + 4)?;
    digits.iter().try_fold(0, |value, &digit| {
        Some(value * 16 + (digit as char).to_digit(16)?)
    })
}
