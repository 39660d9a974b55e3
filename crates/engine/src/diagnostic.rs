//! Diagnostics: what is wrong in a template, where, and the likely fix.
//!
//! A diagnostic points into its source twice: by byte [`Span`] (for slicing and highlighting) and by
//! [`Position`]s (for people and editors). Positions count columns both in Unicode characters and in
//! UTF-16 code units, because a browser textarea's `selectionStart` counts UTF-16 units: an emoji is one
//! character but two units, and four bytes.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The template cannot be used until this is fixed.
    Error,
    /// The template works, but probably not as intended.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A half-open range of byte offsets into the source: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A place in the source as people and editors count it. All fields are 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: usize,
    /// Counted in Unicode characters (an invalid UTF-8 byte counts as one).
    pub column: usize,
    /// Counted in UTF-16 code units, as a browser textarea counts.
    pub column_utf16: usize,
}

/// Which cell of a key-value body a diagnostic belongs to; its span and positions are inside that cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cell {
    /// 0-based index of the row (messages and `Display` say "row 1" for index 0).
    pub row: usize,
    pub part: CellPart,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellPart {
    Key,
    Value,
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = match self.part {
            CellPart::Key => "key",
            CellPart::Value => "value",
        };
        write!(f, "row {} {part}", self.row + 1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub start: Position,
    pub end: Position,
    /// The likely fix, when there is one worth suggesting.
    pub help: Option<String>,
    /// Set for key-value bodies, whose sources are the cells of a table rather than one text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<Cell>,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `LINE:COLUMN: error: MESSAGE`, then `  help: …` on its own line; key-value diagnostics are prefixed
/// with their cell (`row 2 value:1:7: error: …`) the way a compiler prefixes the file name.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(cell) = self.cell {
            write!(f, "{cell}:")?;
        }
        write!(
            f,
            "{}:{}: {}: {}",
            self.start.line, self.start.column, self.severity, self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Converts byte offsets of one source into [`Position`]s.
///
/// Built once per source (it records where each line starts), then each conversion is a binary search
/// plus a walk over the start of one line. Lines end at `\n`, so `\r\n` files count lines correctly too.
/// The source need not be valid UTF-8: each byte of an invalid sequence counts as one column.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    source: &'a [u8],
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a [u8]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            source
                .iter()
                .enumerate()
                .filter(|&(_, &byte)| byte == b'\n')
                .map(|(offset, _)| offset + 1),
        );
        LineIndex {
            source,
            line_starts,
        }
    }

    /// The position of the byte at `offset`; offsets past the end are clamped to the end.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.source.len());
        // The last line that starts at or before `offset`.
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let before = &self.source[self.line_starts[line]..offset];
        let (chars, utf16_units) = count_columns(before);
        Position {
            line: line + 1,
            column: chars + 1,
            column_utf16: utf16_units + 1,
        }
    }

    pub fn span_positions(&self, span: Span) -> (Position, Position) {
        (self.position(span.start), self.position(span.end))
    }
}

/// Characters and UTF-16 code units in `bytes`, counting each invalid UTF-8 byte as one of each.
fn count_columns(bytes: &[u8]) -> (usize, usize) {
    if bytes.is_ascii() {
        return (bytes.len(), bytes.len());
    }
    let (mut chars, mut units) = (0, 0);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            chars += 1;
            units += c.len_utf16();
        }
        chars += chunk.invalid().len();
        units += chunk.invalid().len();
    }
    (chars, units)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(source: &str, offset: usize) -> (usize, usize, usize) {
        let p = LineIndex::new(source.as_bytes()).position(offset);
        (p.line, p.column, p.column_utf16)
    }

    #[test]
    fn ascii_columns_count_bytes() {
        assert_eq!(at("abc", 0), (1, 1, 1));
        assert_eq!(at("abc", 2), (1, 3, 3));
        assert_eq!(at("abc", 3), (1, 4, 4));
    }

    #[test]
    fn lines_start_after_each_newline() {
        let source = "a\nbc\r\n\nd";
        assert_eq!(at(source, 1), (1, 2, 2)); // the '\n' itself ends line 1
        assert_eq!(at(source, 2), (2, 1, 1));
        assert_eq!(at(source, 4), (2, 3, 3)); // '\r' is a character of line 2
        assert_eq!(at(source, 6), (3, 1, 1));
        assert_eq!(at(source, 7), (4, 1, 1));
    }

    #[test]
    fn an_emoji_is_one_char_two_utf16_units_and_four_bytes() {
        let source = "😀x";
        assert_eq!(at(source, 4), (1, 2, 3));
    }

    #[test]
    fn cjk_is_one_char_one_utf16_unit_and_three_bytes() {
        let source = "\n価格: x";
        // '価' and '格' are 3 bytes each; ':' and ' ' follow.
        assert_eq!(at(source, 1 + 8), (2, 5, 5));
    }

    #[test]
    fn mixed_emoji_and_cjk_on_a_later_line() {
        let source = "{\n  \"名\": \"🎉🎉 {{x\"\n}";
        let offset = source.find("{{").unwrap();
        // Line 2 before "{{": two spaces, '"', '名', '"', ':', ' ', '"', two emoji, ' ' = 11 chars, 13 units.
        assert_eq!(at(source, offset), (2, 12, 14));
    }

    #[test]
    fn invalid_utf8_bytes_count_one_column_each() {
        let source = b"\"\xff\xfe\"x";
        let p = LineIndex::new(source).position(4);
        assert_eq!((p.line, p.column, p.column_utf16), (1, 5, 5));
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        assert_eq!(at("ab\ncd", 99), (2, 3, 3));
    }

    #[test]
    fn display_reads_like_a_compiler() {
        let index = LineIndex::new(b"{\n  x");
        let span = Span::new(4, 5);
        let (start, end) = index.span_positions(span);
        let mut diagnostic = Diagnostic {
            severity: Severity::Error,
            message: "object keys must be in double quotes".into(),
            span,
            start,
            end,
            help: Some("write \"x\"".into()),
            cell: None,
        };
        assert_eq!(
            diagnostic.to_string(),
            "2:3: error: object keys must be in double quotes\n  help: write \"x\""
        );
        diagnostic.cell = Some(Cell {
            row: 1,
            part: CellPart::Value,
        });
        diagnostic.help = None;
        assert_eq!(
            diagnostic.to_string(),
            "row 2 value:2:3: error: object keys must be in double quotes"
        );
    }

    #[test]
    fn serializes_in_snake_case() {
        let index = LineIndex::new(b"x");
        let (start, end) = index.span_positions(Span::new(0, 1));
        let diagnostic = Diagnostic {
            severity: Severity::Warning,
            message: "m".into(),
            span: Span::new(0, 1),
            start,
            end,
            help: None,
            cell: None,
        };
        let json = serde_json::to_value(&diagnostic).unwrap();
        assert_eq!(json["severity"], "warning");
        assert_eq!(json["start"]["column_utf16"], 1);
        assert!(json.get("cell").is_none());
        let back: Diagnostic = serde_json::from_value(json).unwrap();
        assert_eq!(back, diagnostic);
    }
}
