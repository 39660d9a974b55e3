//! What one change of an editor's text did, found by comparing the text before and after: one range
//! replaced by another. The editor re-reads only around it, and moves what it knows about the old
//! text (where the diagnostics point) onto the new one until the new text is checked again.

use crate::diagnostic::Span;

/// `removed` bytes at `start` of the old text became `inserted` bytes of the new one; everything
/// before `start` and after the replaced range is unchanged. Offsets are on character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub removed: usize,
    pub inserted: usize,
}

impl TextEdit {
    /// The smallest edit that turns `old` into `new` (the longest common start and end are kept),
    /// or `None` when they are the same. A typed character, a paste or a deletion is found exactly;
    /// linear in the texts' length, at the speed of a byte comparison.
    pub fn between(old: &str, new: &str) -> Option<TextEdit> {
        let (old_bytes, new_bytes) = (old.as_bytes(), new.as_bytes());
        let mut prefix = old_bytes
            .iter()
            .zip(new_bytes)
            .take_while(|(a, b)| a == b)
            .count();
        if prefix == old.len() && prefix == new.len() {
            return None;
        }
        // Two different characters can share their first bytes (é and è): back to the boundary.
        while !old.is_char_boundary(prefix) {
            prefix -= 1;
        }
        let most = old.len().min(new.len()) - prefix;
        let mut suffix = old_bytes
            .iter()
            .rev()
            .zip(new_bytes.iter().rev())
            .take(most)
            .take_while(|(a, b)| a == b)
            .count();
        while !old.is_char_boundary(old.len() - suffix) {
            suffix -= 1;
        }
        Some(TextEdit {
            start: prefix,
            removed: old.len() - suffix - prefix,
            inserted: new.len() - suffix - prefix,
        })
    }

    /// Where the end of the replaced range was in the old text.
    pub fn old_end(&self) -> usize {
        self.start + self.removed
    }

    /// Where the end of the replacement is in the new text.
    pub fn new_end(&self) -> usize {
        self.start + self.inserted
    }

    /// Where the text at `offset` of the old text, at or after the replaced range, is now.
    pub fn moved(&self, offset: usize) -> usize {
        debug_assert!(offset >= self.old_end());
        offset - self.removed + self.inserted
    }

    /// A span of the old text in the new one. Text typed inside it (a letter typed into an underlined
    /// field) grows it; text typed just before or after it is not part of it; what the edit removed of
    /// it is gone (all of it: an empty span where it was).
    pub fn map_span(&self, span: Span) -> Span {
        let start = if span.start < self.start {
            span.start
        } else if span.start >= self.old_end() {
            self.moved(span.start)
        } else {
            self.new_end()
        };
        let end = if span.end <= self.start {
            span.end
        } else if span.end >= self.old_end() {
            self.moved(span.end)
        } else {
            self.start
        };
        Span::new(start, end.max(start))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn edit(start: usize, removed: usize, inserted: usize) -> Option<TextEdit> {
        Some(TextEdit {
            start,
            removed,
            inserted,
        })
    }

    #[test]
    fn a_typed_character_a_deletion_and_a_replacement() {
        assert_eq!(
            TextEdit::between("{\"a\": 1}", "{\"a\": 12}"),
            edit(7, 0, 1)
        );
        assert_eq!(
            TextEdit::between("{\"a\": 12}", "{\"a\": 1}"),
            edit(7, 1, 0)
        );
        assert_eq!(TextEdit::between("abcdef", "abXYef"), edit(2, 2, 2));
        assert_eq!(TextEdit::between("", "{}"), edit(0, 0, 2));
        assert_eq!(TextEdit::between("same", "same"), None);
    }

    #[test]
    fn a_repeated_character_is_found_at_the_first_place_it_could_be() {
        // "aa" → "aaa": the common start takes both, so the insertion is at the end.
        assert_eq!(TextEdit::between("aa", "aaa"), edit(2, 0, 1));
    }

    #[test]
    fn edits_stay_on_character_boundaries() {
        // é is C3 A9 and è is C3 A8: the shared first byte is not a character of its own.
        assert_eq!(TextEdit::between("café", "cafè"), edit(3, 2, 2));
        // 😀 is F0 9F 98 80 and 😁 F0 9F 98 81.
        assert_eq!(TextEdit::between("x😀", "x😁"), edit(1, 4, 4));
        // Ending alike: А (D0 90) and Р (D0 A0) share a first byte before a shared end.
        assert_eq!(TextEdit::between("\u{0410}z", "\u{0420}z"), edit(0, 2, 2));
    }

    fn insertion(start: usize, inserted: usize) -> TextEdit {
        TextEdit {
            start,
            removed: 0,
            inserted,
        }
    }

    #[test]
    fn spans_follow_the_edit() {
        // "{{deal.titel}}" at 10..24.
        let span = Span::new(10, 24);
        assert_eq!(insertion(30, 1).map_span(span), span, "typed after it");
        assert_eq!(
            insertion(24, 1).map_span(span),
            span,
            "typed right after it"
        );
        assert_eq!(
            insertion(15, 1).map_span(span),
            Span::new(10, 25),
            "typed inside"
        );
        assert_eq!(
            insertion(10, 1).map_span(span),
            Span::new(11, 25),
            "typed right before"
        );
        assert_eq!(
            insertion(2, 3).map_span(span),
            Span::new(13, 27),
            "typed before"
        );
        let cut_end = TextEdit {
            start: 20,
            removed: 10,
            inserted: 0,
        };
        assert_eq!(cut_end.map_span(span), Span::new(10, 20));
        let cut_start = TextEdit {
            start: 5,
            removed: 10,
            inserted: 1,
        };
        assert_eq!(cut_start.map_span(span), Span::new(6, 15));
        let all_gone = TextEdit {
            start: 5,
            removed: 30,
            inserted: 2,
        };
        assert_eq!(all_gone.map_span(span), Span::new(7, 7));
        // A diagnostic at a point (an unexpected end) moves with the text after it.
        assert_eq!(
            insertion(40, 2).map_span(Span::new(40, 40)),
            Span::new(42, 42)
        );
    }

    proptest! {
        /// Applying the edit to the old text gives the new one, and what it keeps is kept.
        #[test]
        fn the_edit_turns_the_old_text_into_the_new(
            old in "[ab\"é😀\n]{0,12}",
            new in "[ab\"é😀\n]{0,12}",
        ) {
            match TextEdit::between(&old, &new) {
                None => prop_assert_eq!(&old, &new),
                Some(edit) => {
                    let rebuilt = format!(
                        "{}{}{}",
                        &old[..edit.start],
                        &new[edit.start..edit.new_end()],
                        &old[edit.old_end()..]
                    );
                    prop_assert_eq!(rebuilt, new);
                }
            }
        }
    }
}
