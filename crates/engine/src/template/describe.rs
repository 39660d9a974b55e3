//! How messages name a character of the source: `'x'`, `'é'`, `a space`, `control character U+000A`,
//! `byte 0xFF` (not UTF-8), or `the end of the text`.

/// The description of what stands at `pos`, and how many bytes it takes.
pub(crate) fn describe_at(source: &[u8], pos: usize) -> (String, usize) {
    let Some(&byte) = source.get(pos) else {
        return ("the end of the text".into(), 0);
    };
    match byte {
        b' ' => ("a space".into(), 1),
        0x21..=0x7e => (format!("'{}'", byte as char), 1),
        0x00..=0x1f | 0x7f => (format!("control character U+{byte:04X}"), 1),
        _ => match first_char(&source[pos..]) {
            Some(c) => (format!("'{c}'"), c.len_utf8()),
            None => (format!("byte 0x{byte:02X}"), 1),
        },
    }
}

/// The character that `bytes` starts with, when they start with valid UTF-8.
fn first_char(bytes: &[u8]) -> Option<char> {
    let head = &bytes[..bytes.len().min(4)];
    let chunk = head.utf8_chunks().next()?;
    chunk.valid().chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_each_kind_of_character() {
        assert_eq!(describe_at(b"x", 0), ("'x'".into(), 1));
        assert_eq!(describe_at(b" ", 0), ("a space".into(), 1));
        assert_eq!(
            describe_at(b"\n", 0),
            ("control character U+000A".into(), 1)
        );
        assert_eq!(describe_at("é!".as_bytes(), 0), ("'é'".into(), 2));
        assert_eq!(describe_at("😀".as_bytes(), 0), ("'😀'".into(), 4));
        assert_eq!(describe_at(b"\xff", 0), ("byte 0xFF".into(), 1));
        assert_eq!(describe_at(b"\xe2\x82", 0), ("byte 0xE2".into(), 1));
        assert_eq!(describe_at(b"", 0), ("the end of the text".into(), 0));
    }
}
