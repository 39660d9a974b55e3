//! Syntax highlighting for the raw JSON body editor: the source cut into coloured tokens.
//!
//! It is one forward pass that never fails: whatever it can't read is an [`TokenKind::Invalid`] token
//! and the pass goes on (the compiler's diagnostics say what is wrong). Every token starts and ends on
//! a character boundary, so the UI can slice the source with them.
//!
//! No token crosses a line break (a string ends at its line's end, unterminated), so every line can be
//! read on its own ([`highlight_line`]): the editor re-reads only the lines a keystroke changed (see
//! `HighlightedLines`). What a line's tokens depend on beyond the line is only whether its last string
//! is a key: whether a `:` comes next, maybe on a later line.

use std::ops::Range;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// An object key: a string followed by `:`.
    Key,
    String,
    Number,
    /// `true`, `false`, `null`.
    Literal,
    /// `{ } [ ] , :`
    Punctuation,
    /// `{{deal.title}}`, braces included, as a whole value or inside a string.
    Placeholder,
    /// `\{{`, the escape for a literal `{{` inside a string.
    Escape,
    /// Anything unrecognised; an unterminated string up to the end of its line.
    Invalid,
}

/// A half-open range of byte offsets into the source, and what stands there. Whitespace between tokens
/// is not a token: gaps are plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
}

/// The tokens of a raw JSON body, in order. A string holding placeholders or escapes comes in pieces
/// around them (`"Deal ` · `{{deal.title}}` · `"`), each piece a `String` (or `Key`) token.
pub fn highlight_raw(source: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    Lexer::new(source, 0..source.len(), &mut tokens).run();
    tokens
}

/// Appends to `tokens` the tokens of the line `line` of `source` (from a line's start to its end:
/// the next `\n` or the end of the text): exactly those `highlight_raw` finds there.
pub fn highlight_line(source: &str, line: Range<usize>, tokens: &mut Vec<Token>) {
    Lexer::new(source, line, tokens).run();
}

/// The compiler leaves a leading byte order mark out of the body; here it is a gap like whitespace.
const BOM: &[u8] = b"\xEF\xBB\xBF";

struct Lexer<'s, 't> {
    bytes: &'s [u8],
    pos: usize,
    /// Where reading stops: the end of the text, or of a line (tokens never go past either).
    end: usize,
    tokens: &'t mut Vec<Token>,
}

impl<'s, 't> Lexer<'s, 't> {
    fn new(source: &'s str, range: Range<usize>, tokens: &'t mut Vec<Token>) -> Self {
        Lexer {
            bytes: source.as_bytes(),
            pos: range.start,
            end: range.end,
            tokens,
        }
    }

    fn run(&mut self) {
        if self.pos == 0 && self.bytes.starts_with(BOM) {
            self.pos = BOM.len();
        }
        while self.pos < self.end {
            let byte = self.bytes[self.pos];
            let start = self.pos;
            match byte {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'{' if self.placeholder_starts() => self.placeholder(),
                b'{' | b'}' | b'[' | b']' | b',' | b':' => {
                    self.pos += 1;
                    self.push(start, TokenKind::Punctuation);
                }
                b'"' => self.string(),
                b'-' | b'0'..=b'9' => {
                    self.skip_while(|b| {
                        b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
                    });
                    self.push(start, TokenKind::Number);
                }
                _ if is_word_byte(byte) => {
                    self.skip_while(is_word_byte);
                    let kind = match &self.bytes[start..self.pos] {
                        b"true" | b"false" | b"null" => TokenKind::Literal,
                        _ => TokenKind::Invalid,
                    };
                    self.push(start, kind);
                }
                _ => self.invalid_char(),
            }
        }
    }

    /// At a string's opening quote. Its pieces are pushed as they are found; an unterminated string
    /// takes them back and becomes one invalid token up to the end of its line.
    fn string(&mut self) {
        let open = self.pos;
        let first_token = self.tokens.len();
        let mut piece = open;
        self.pos += 1;
        loop {
            let at = self.pos;
            match self.bytes.get(at) {
                None | Some(b'\n') => {
                    self.tokens.truncate(first_token);
                    self.push(open, TokenKind::Invalid);
                    return;
                }
                Some(b'"') => {
                    self.pos += 1;
                    self.push(piece, TokenKind::String);
                    break;
                }
                Some(b'\\') => {
                    let (len, kind) = self.escape_at(at);
                    self.pos = at + len;
                    if let Some(kind) = kind {
                        self.push_piece(piece, at);
                        self.push(at, kind);
                        piece = self.pos;
                    }
                }
                Some(b'{') if self.placeholder_starts() => {
                    self.push_piece(piece, at);
                    self.placeholder();
                    piece = self.pos;
                }
                Some(&control) if control < 0x20 => {
                    self.push_piece(piece, at);
                    self.pos += 1;
                    self.push(at, TokenKind::Invalid);
                    piece = self.pos;
                }
                // Other bytes (UTF-8 continuation bytes included) are plain content: pieces only end
                // at ASCII bytes, so they end on character boundaries.
                Some(_) => self.pos += 1,
            }
        }
        if self.followed_by_colon() {
            for token in &mut self.tokens[first_token..] {
                if token.kind == TokenKind::String {
                    token.kind = TokenKind::Key;
                }
            }
        }
    }

    /// The length of the escape whose backslash is at `at`, and its own token kind; `None` for JSON's
    /// escapes, which are string content. A backslash ending the line or the text is content too: the
    /// string is then unterminated.
    fn escape_at(&self, at: usize) -> (usize, Option<TokenKind>) {
        let is_hex = |offset: usize| {
            self.bytes
                .get(at + offset)
                .is_some_and(u8::is_ascii_hexdigit)
        };
        match self.bytes.get(at + 1) {
            None | Some(b'\n') => (1, None),
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => (2, None),
            Some(b'u') if (2..6).all(is_hex) => (6, None),
            Some(b'{') if self.bytes.get(at + 2) == Some(&b'{') => (3, Some(TokenKind::Escape)),
            Some(_) => (1 + char_width(self.bytes, at + 1), Some(TokenKind::Invalid)),
        }
    }

    /// Whether a placeholder opens at the position: in a run of braces the last two open it, as the
    /// compiler reads them (`{{{deal.id}}}` is `{`, a placeholder, `}`).
    fn placeholder_starts(&self) -> bool {
        self.bytes[self.pos..].starts_with(b"{{") && self.bytes.get(self.pos + 2) != Some(&b'{')
    }

    /// At a placeholder's `{{`: the whole placeholder when a field path (names, indexes, dots, spaces)
    /// and `}}` follow, else just the `{{` as invalid (its text is then read as what it is).
    fn placeholder(&mut self) {
        let start = self.pos;
        let mut end = start + 2;
        while self
            .bytes
            .get(end)
            .is_some_and(|&b| is_word_byte(b) || b == b'.' || b == b' ')
        {
            end += 1;
        }
        if self.bytes[end..].starts_with(b"}}") {
            self.pos = end + 2;
            self.push(start, TokenKind::Placeholder);
        } else {
            self.pos = start + 2;
            self.push(start, TokenKind::Invalid);
        }
    }

    fn invalid_char(&mut self) {
        let start = self.pos;
        self.pos += char_width(self.bytes, start);
        self.push(start, TokenKind::Invalid);
    }

    /// Whether the next byte after whitespace is `:`, which makes the string just read a key. The
    /// whitespace is read again by the main loop: still linear.
    fn followed_by_colon(&self) -> bool {
        self.bytes[self.pos..]
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            == Some(&b':')
    }

    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) {
        while self.bytes.get(self.pos).is_some_and(|&b| keep(b)) {
            self.pos += 1;
        }
    }

    /// Pushes the string content from `start` to `end`, if any.
    fn push_piece(&mut self, start: usize, end: usize) {
        if end > start {
            self.tokens.push(Token {
                start,
                end,
                kind: TokenKind::String,
            });
        }
    }

    /// Pushes the token from `start` to the position. Adjacent invalid tokens merge into one.
    fn push(&mut self, start: usize, kind: TokenKind) {
        let end = self.pos;
        if let Some(last) = self.tokens.last_mut() {
            if kind == TokenKind::Invalid && last.kind == kind && last.end == start {
                last.end = end;
                return;
            }
        }
        self.tokens.push(Token { start, end, kind });
    }
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The length in bytes of the character starting at `at`, read from its first byte (the source is
/// UTF-8 text), never past the end.
fn char_width(bytes: &[u8], at: usize) -> usize {
    let width = match bytes[at] {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    };
    width.min(bytes.len() - at)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use TokenKind::*;

    /// The tokens as `(text, kind)`.
    fn shown(source: &str) -> Vec<(&str, TokenKind)> {
        highlight_raw(source)
            .iter()
            .map(|token| (&source[token.start..token.end], token.kind))
            .collect()
    }

    #[test]
    fn every_kind_of_a_valid_template() {
        let source = r#"{"title": "Deal {{ deal.title }} \{{x}} \"won\"", "n": -1.5e3,
  "ok": [true, null], "p": {{deal.value}}}"#;
        assert_eq!(
            shown(source),
            [
                ("{", Punctuation),
                ("\"title\"", Key),
                (":", Punctuation),
                ("\"Deal ", String),
                ("{{ deal.title }}", Placeholder),
                (" ", String),
                ("\\{{", Escape),
                ("x}} \\\"won\\\"\"", String),
                (",", Punctuation),
                ("\"n\"", Key),
                (":", Punctuation),
                ("-1.5e3", Number),
                (",", Punctuation),
                ("\"ok\"", Key),
                (":", Punctuation),
                ("[", Punctuation),
                ("true", Literal),
                (",", Punctuation),
                ("null", Literal),
                ("]", Punctuation),
                (",", Punctuation),
                ("\"p\"", Key),
                (":", Punctuation),
                ("{{deal.value}}", Placeholder),
                ("}", Punctuation),
            ]
        );
    }

    #[test]
    fn keys_are_strings_followed_by_a_colon_and_may_hold_fields() {
        assert_eq!(
            shown("{\"{{event.action}}_by\"\n  : \"x\"}"),
            [
                ("{", Punctuation),
                ("\"", Key),
                ("{{event.action}}", Placeholder),
                ("_by\"", Key),
                (":", Punctuation),
                ("\"x\"", String),
                ("}", Punctuation),
            ]
        );
    }

    #[test]
    fn the_last_two_braces_of_a_run_open_a_placeholder() {
        assert_eq!(
            shown("{{{deal.id}}} \"{{{a}}}\""),
            [
                ("{", Punctuation),
                ("{{deal.id}}", Placeholder),
                ("}", Punctuation),
                ("\"{", String),
                ("{{a}}", Placeholder),
                ("}\"", String),
            ]
        );
    }

    #[test]
    fn invalid_input_is_marked_and_the_rest_still_read() {
        assert_eq!(
            shown("{'a': True, \"b\": 1 2x, \"c\\q\": {{deal-x}}, \"é😀"),
            [
                ("{", Punctuation),
                ("'a'", Invalid),
                (":", Punctuation),
                ("True", Invalid),
                (",", Punctuation),
                ("\"b\"", Key),
                (":", Punctuation),
                ("1", Number),
                ("2", Number),
                ("x", Invalid),
                (",", Punctuation),
                ("\"c", Key),
                ("\\q", Invalid),
                ("\"", Key),
                (":", Punctuation),
                ("{{deal", Invalid),
                ("-", Number),
                ("x", Invalid),
                ("}", Punctuation),
                ("}", Punctuation),
                (",", Punctuation),
                ("\"é😀", Invalid),
            ]
        );
    }

    #[test]
    fn an_unterminated_string_is_invalid_to_the_end_of_its_line() {
        assert_eq!(
            shown("{\"a\": \"open {{deal.id}}\n\"b\": \"c\\\n"),
            [
                ("{", Punctuation),
                ("\"a\"", Key),
                (":", Punctuation),
                ("\"open {{deal.id}}", Invalid),
                ("\"b\"", Key),
                (":", Punctuation),
                ("\"c\\", Invalid),
            ]
        );
        assert_eq!(
            shown("\"tab\there\""),
            [("\"tab", String), ("\t", Invalid), ("here\"", String)]
        );
    }

    #[test]
    fn a_byte_order_mark_is_a_gap() {
        assert_eq!(
            shown("\u{FEFF}[]"),
            [("[", Punctuation), ("]", Punctuation)]
        );
        assert_eq!(shown("[\u{FEFF}]")[1], ("\u{FEFF}", Invalid));
    }

    proptest! {
        /// Whatever the text: tokens in order, non-empty, on character boundaries, and every byte that
        /// is not in a token is whitespace (or the leading byte order mark).
        #[test]
        fn tokens_cover_everything_but_whitespace(
            source in prop::collection::vec(
                prop::sample::select(vec![
                    "{", "}", "[", "]", ",", ":", "\"", "\\", "{{", "}}", "\\{{", "a.b", " ", "\n",
                    "\t", "\r", "-1", "e", "true", "é", "😀", "\u{FEFF}", "\u{1}", "\\u12", "'",
                ]),
                0..40,
            ).prop_map(|pieces| pieces.concat())
        ) {
            let tokens = highlight_raw(&source);
            let mut covered = if source.starts_with('\u{FEFF}') { 3 } else { 0 };
            for token in &tokens {
                prop_assert!(token.start < token.end && token.end <= source.len());
                prop_assert!(source.is_char_boundary(token.start) && source.is_char_boundary(token.end));
                prop_assert!(token.start >= covered, "in order: {:?}", tokens);
                let gap = &source[covered..token.start];
                prop_assert!(gap.bytes().all(|b| b" \t\n\r".contains(&b)), "gap {:?}", gap);
                covered = token.end;
            }
            prop_assert!(source[covered.min(source.len())..].bytes().all(|b| b" \t\n\r".contains(&b)));
        }
    }
}
