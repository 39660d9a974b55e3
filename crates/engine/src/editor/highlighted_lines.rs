//! A raw body's highlighting kept line by line as the body is edited: a keystroke re-reads the lines it
//! touched, not the whole text, so its cost does not grow with the body.

use std::ops::Range;

use super::highlight::{highlight_line, Token};
use super::text_edit::TextEdit;

/// The text and its tokens, by line. Equal at all times to reading the whole text with
/// `highlight_raw`, however it was edited (a property test holds it to that).
#[derive(Debug)]
pub struct HighlightedLines {
    text: String,
    /// Where each line starts (the first at 0); a line ends before the next one's `\n`.
    starts: Vec<usize>,
    /// Each line's tokens, their offsets counted from the line's start, so an edit above a line
    /// leaves them as they are.
    tokens: Vec<Vec<Token>>,
}

impl Default for HighlightedLines {
    /// An empty text: one empty line.
    fn default() -> Self {
        HighlightedLines {
            text: String::new(),
            starts: vec![0],
            tokens: vec![Vec::new()],
        }
    }
}

impl HighlightedLines {
    pub fn new(text: String) -> Self {
        let mut lines = HighlightedLines::default();
        lines.set_text(text);
        lines
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The byte range of line `index` (0-based), without its `\n`.
    pub fn line_range(&self, index: usize) -> Range<usize> {
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        self.starts[index]..end
    }

    /// The tokens of line `index`, with offsets into the whole text.
    pub fn line_tokens(&self, index: usize) -> impl Iterator<Item = Token> + '_ {
        let start = self.starts[index];
        self.tokens[index].iter().map(move |token| Token {
            start: token.start + start,
            end: token.end + start,
            ..*token
        })
    }

    /// Takes `text` as the new text and re-reads the lines that changed; returns the change, or
    /// `None` when the text is the same.
    pub fn set_text(&mut self, text: String) -> Option<TextEdit> {
        let edit = TextEdit::between(&self.text, &text)?;
        self.text = text;
        let first = self.line_of(edit.start);
        // The old lines from `first` to the one holding the edit's end are replaced by the new lines
        // between the same unchanged neighbours.
        let last = self.line_of(edit.old_end());
        let region_start = self.starts[first];
        // The `\n` ending the old last line (none for the text's last line) is unchanged text.
        let region_end = self
            .starts
            .get(last + 1)
            .map_or(self.text.len(), |&next| edit.moved(next - 1));
        let new_starts = std::iter::once(region_start).chain(
            self.text[region_start..region_end]
                .match_indices('\n')
                .map(|(at, _)| region_start + at + 1),
        );
        let shifted: Vec<usize> = self.starts[last + 1..]
            .iter()
            .map(|&start| edit.moved(start))
            .collect();
        self.starts.truncate(first);
        self.starts.extend(new_starts);
        let new_last = self.starts.len() - 1;
        self.starts.extend(shifted);

        let fresh: Vec<Vec<Token>> = (first..=new_last).map(|line| self.read(line)).collect();
        self.tokens.splice(first..=last, fresh);
        // The string ending the last line with a token above may be a key only because of what
        // followed it, which may have changed.
        if let Some(above) = (0..first).rev().find(|&line| !self.tokens[line].is_empty()) {
            self.tokens[above] = self.read(above);
        }
        Some(edit)
    }

    /// The line holding byte `offset` (a line start belongs to the line it starts).
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset) - 1
    }

    /// Reads line `index` of the text, its offsets from the line's start.
    fn read(&self, index: usize) -> Vec<Token> {
        let range = self.line_range(index);
        let start = range.start;
        let mut tokens = Vec::new();
        highlight_line(&self.text, range, &mut tokens);
        for token in &mut tokens {
            token.start -= start;
            token.end -= start;
        }
        tokens
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::highlight::{highlight_raw, TokenKind};
    use super::*;

    /// Where each line of `text` starts, found the plain way.
    fn line_starts(text: &str) -> Vec<usize> {
        std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect()
    }

    fn all_tokens(lines: &HighlightedLines) -> Vec<Token> {
        (0..lines.line_count())
            .flat_map(|line| lines.line_tokens(line))
            .collect()
    }

    fn assert_in_step(lines: &HighlightedLines) {
        let text = lines.text();
        assert_eq!(all_tokens(lines), highlight_raw(text), "{text:?}");
        assert_eq!(lines.starts, line_starts(text), "{text:?}");
    }

    #[test]
    fn lines_start_after_each_line_break() {
        assert_eq!(HighlightedLines::new(String::new()).starts, [0]);
        let lines = HighlightedLines::new("{\n  \"é\": 1\r\n}\n".into());
        assert_eq!(lines.starts, [0, 2, 13, 15]);
        assert_eq!(lines.line_range(1), 2..12);
        assert_eq!(lines.line_range(3), 15..15);
    }

    #[test]
    fn a_new_text_is_read_whole() {
        let lines = HighlightedLines::new("{\n  \"a\": [1, {{deal.id}}]\n}".into());
        assert_eq!(lines.line_count(), 3);
        assert_eq!(lines.line_range(1), 2..25);
        assert_in_step(&lines);
    }

    #[test]
    fn typing_a_letter_re_reads_only_its_line() {
        let mut lines = HighlightedLines::new("{\n  \"a\": \"x\",\n  \"b\": 2\n}".into());
        let second_line = lines.tokens[2].as_ptr();
        let edit = lines.set_text("{\n  \"a\": \"xy\",\n  \"b\": 2\n}".into());
        assert_eq!(
            edit,
            Some(TextEdit {
                start: 11,
                removed: 0,
                inserted: 1
            })
        );
        assert_eq!(
            lines.tokens[2].as_ptr(),
            second_line,
            "the next line was kept"
        );
        assert_in_step(&lines);
    }

    #[test]
    fn a_colon_typed_on_the_next_line_makes_the_string_above_a_key() {
        let mut lines = HighlightedLines::new("{\"a\"\n\n  1}".into());
        assert_eq!(lines.line_tokens(0).nth(1).unwrap().kind, TokenKind::String);
        lines.set_text("{\"a\"\n\n  : 1}".into());
        assert_eq!(lines.line_tokens(0).nth(1).unwrap().kind, TokenKind::Key);
        assert_in_step(&lines);
    }

    #[test]
    fn lines_added_and_removed_move_the_ones_below() {
        let mut lines = HighlightedLines::new("[1,\n2,\n3]".into());
        lines.set_text("[1,\n10,\n11,\n2,\n3]".into());
        assert_eq!(lines.line_count(), 5);
        assert_in_step(&lines);
        lines.set_text("[3]".into());
        assert_eq!(lines.line_count(), 1);
        assert_in_step(&lines);
        lines.set_text(String::new());
        assert_eq!(lines.line_count(), 1);
        assert_in_step(&lines);
    }

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "{", "}", "[", "]", ",", ":", "\"", "\\", "{{", "}}", "\\{{", "a.b", " ", "\n", "\n\n",
            "\t", "\r", "-1", "e", "true", "é", "😀", "\u{FEFF}", "\u{1}", "\\u12", "'",
        ])
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..30).prop_map(|pieces| pieces.concat())
    }

    /// An edit: where (as a fraction of the text), how much to remove (in characters), what to insert.
    fn edit() -> impl Strategy<Value = (f64, usize, String)> {
        (
            0.0..=1.0f64,
            0..6usize,
            prop::collection::vec(piece(), 0..3).prop_map(|p| p.concat()),
        )
    }

    fn apply(text: &str, (at, remove, insert): &(f64, usize, String)) -> String {
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let start_index = ((boundaries.len() - 1) as f64 * at) as usize;
        let end_index = (start_index + remove).min(boundaries.len() - 1);
        let (start, end) = (boundaries[start_index], boundaries[end_index]);
        format!("{}{insert}{}", &text[..start], &text[end..])
    }

    proptest! {
        /// Whatever the text and the edits, the lines hold exactly what reading the whole text gives.
        #[test]
        fn edited_lines_equal_a_whole_reading(start in text(), edits in prop::collection::vec(edit(), 1..8)) {
            let mut lines = HighlightedLines::new(start.clone());
            let mut text = start;
            for edit in &edits {
                text = apply(&text, edit);
                lines.set_text(text.clone());
                prop_assert_eq!(lines.text(), text.as_str());
                prop_assert_eq!(all_tokens(&lines), highlight_raw(&text), "{:?}", text);
                prop_assert_eq!(&lines.starts, &line_starts(&text));
            }
        }
    }
}
