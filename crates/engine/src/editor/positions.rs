//! Converting between the browser textarea's offsets (`selectionStart` counts UTF-16 code units) and
//! the engine's byte offsets (spans, tokens): an emoji is two units and four bytes, `価` one unit and
//! three bytes.

/// The byte offset of the UTF-16 offset `utf16_offset`. An offset inside a character (between the two
/// halves of a surrogate pair) snaps back to that character's start; one past the end is the end.
pub fn utf16_to_byte(source: &str, utf16_offset: usize) -> usize {
    let mut units = 0;
    for (byte, c) in source.char_indices() {
        units += c.len_utf16();
        if units > utf16_offset {
            return byte;
        }
    }
    source.len()
}

/// The UTF-16 offset of the byte offset `byte`. A byte inside a character counts as that character's
/// start; one past the end is the end.
pub fn byte_to_utf16(source: &str, byte: usize) -> usize {
    let mut boundary = byte.min(source.len());
    while !source.is_char_boundary(boundary) {
        boundary -= 1;
    }
    source[..boundary].chars().map(char::len_utf16).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_offsets_are_the_same() {
        for offset in 0..=5 {
            assert_eq!(utf16_to_byte("hello", offset), offset);
            assert_eq!(byte_to_utf16("hello", offset), offset);
        }
    }

    #[test]
    fn emoji_are_two_units_and_four_bytes() {
        let source = "a😀b";
        assert_eq!(utf16_to_byte(source, 1), 1);
        assert_eq!(utf16_to_byte(source, 2), 1, "inside the pair: snaps back");
        assert_eq!(utf16_to_byte(source, 3), 5);
        assert_eq!(utf16_to_byte(source, 4), 6);
        assert_eq!(byte_to_utf16(source, 1), 1);
        assert_eq!(byte_to_utf16(source, 3), 1, "inside the emoji: its start");
        assert_eq!(byte_to_utf16(source, 5), 3);
        assert_eq!(byte_to_utf16(source, 6), 4);
    }

    #[test]
    fn cjk_is_one_unit_and_three_bytes() {
        let source = "価格: {{deal.value}}";
        assert_eq!(utf16_to_byte(source, 2), 6);
        assert_eq!(byte_to_utf16(source, 6), 2);
        assert_eq!(byte_to_utf16(source, 4), 1);
    }

    #[test]
    fn offsets_past_the_end_are_the_end() {
        assert_eq!(utf16_to_byte("é😀", 99), "é😀".len());
        assert_eq!(byte_to_utf16("é😀", 99), 3);
        assert_eq!(utf16_to_byte("", 3), 0);
        assert_eq!(byte_to_utf16("", 3), 0);
    }

    #[test]
    fn round_trips_at_every_character_boundary() {
        let source = "x 😀 価 é\n{{deal.title}} 👩‍💻";
        for (byte, _) in source.char_indices().chain([(source.len(), ' ')]) {
            assert_eq!(utf16_to_byte(source, byte_to_utf16(source, byte)), byte);
        }
        let units = source.encode_utf16().count();
        assert_eq!(byte_to_utf16(source, source.len()), units);
    }
}
