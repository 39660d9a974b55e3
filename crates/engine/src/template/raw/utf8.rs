//! The UTF-8 check of `compile_raw`, for the text inside strings that is not plain ASCII. It gives the
//! same answer as `str::from_utf8`, about twice as fast on such text: most of it is three-byte
//! characters (CJK scripts), checked two at a time in one eight-byte word.

use super::scan::{is_string_stop, skip_plain_string_bytes};

/// Steps over the text inside a string from `pos` (characters of any width) up to the next byte that
/// needs a decision (`"`, `\`, `{`, a control character) or the end, checking that it is UTF-8 as
/// `str::from_utf8` would. `None` when it is not.
pub(super) fn skip_string_text(bytes: &[u8], mut pos: usize) -> Option<usize> {
    // A window of eight bytes holds the whole character at `pos`, and often the next one.
    while let Some(window) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<8>) {
        let word = u64::from_le_bytes(*window);
        let first = word as u32;
        if is_three_byte_char(first) && is_three_byte_char((word >> 24) as u32) {
            pos += 6;
        } else if first & 0x80 == 0 {
            if is_string_stop::<false>(first as u8) {
                return Some(pos);
            }
            pos += 1;
        } else {
            pos += char_width(first)?;
        }
    }
    // The last few bytes of the body.
    let end = skip_plain_string_bytes::<false>(bytes, pos);
    std::str::from_utf8(&bytes[pos..end]).ok().map(|_| end)
}

/// The width of the UTF-8 character at the start of `bytes` (four bytes, little-endian), or `None`
/// when they don't start with one (or start with ASCII). The ranges are those of RFC 3629, section 4.
#[inline(always)]
fn char_width(bytes: u32) -> Option<usize> {
    if is_three_byte_char(bytes) {
        Some(3)
    } else if bytes & 0xC0E0 == 0x80C0 {
        // 110xxxxx 10xxxxxx, except the overlong C0 and C1 (no bit of xxxx set in the first byte).
        (bytes & 0x1E != 0).then_some(2)
    } else if bytes & 0xC0C0_C0F8 == 0x8080_80F0 {
        // 11110xxx 10xxxxxx 10xxxxxx 10xxxxxx, for U+10000 to U+10FFFF: the plane (the code point's
        // bits above the low sixteen: xxx of the first byte, then the top two of the second) is 1 to 16.
        let plane = (bytes & 0x07) << 2 | (bytes >> 12) & 0x03;
        (1..=0x10).contains(&plane).then_some(4)
    } else {
        None
    }
}

/// Whether `bytes` (four, little-endian) start with a three-byte character: 1110xxxx 10xxxxxx
/// 10xxxxxx, except overlong forms (E0 followed by 80 to 9F) and UTF-16 surrogates (ED followed by A0
/// to BF). Both are told by the first byte's low four bits with bit 5 of the second byte.
#[inline(always)]
fn is_three_byte_char(bytes: u32) -> bool {
    let decisive = bytes & 0x200F;
    bytes & 0x00C0_C0F0 == 0x0080_80E0 && decisive != 0x0000 && decisive != 0x200D
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `skip_string_text` must answer: where the text ends, if `str::from_utf8` accepts it.
    fn expected(bytes: &[u8]) -> Option<usize> {
        let end = skip_plain_string_bytes::<false>(bytes, 0);
        std::str::from_utf8(&bytes[..end]).ok().map(|_| end)
    }

    /// Every pair of leading bytes, followed by each kind of byte (a control character, ASCII,
    /// continuation bytes at both ends of their range, others): the third and fourth bytes of a
    /// character matter only as continuation bytes or not. Each sequence stands first in the window and
    /// second, after a three-byte character; the answer is always the standard library's.
    #[test]
    fn agrees_with_the_standard_library() {
        const KINDS: [u8; 6] = [0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xFF];
        for first in 0..=255u8 {
            for second in 0..=255u8 {
                for third in KINDS {
                    for fourth in KINDS {
                        for before in ["", "日"] {
                            let mut text = before.as_bytes().to_vec();
                            text.extend_from_slice(&[first, second, third, fourth]);
                            text.extend_from_slice("語xé\"".as_bytes());
                            assert_eq!(skip_string_text(&text, 0), expected(&text), "{text:02X?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn text_of_every_width_up_to_the_next_decision() {
        for text in [
            "",
            "a",
            "é",
            "日本語のテキスト",
            "😀 emoji 😀",
            "mixed ascii と 日本語 and é",
            "\u{10FFFF}",
        ] {
            for end in ["\"", "\\n", "{{x}}", "\n"] {
                let bytes = format!("{text}{end} more");
                assert_eq!(
                    skip_string_text(bytes.as_bytes(), 0),
                    Some(text.len()),
                    "{bytes}"
                );
            }
        }
        for bytes in [
            &b"\xED\xA0\x80abcdefgh"[..],
            b"abcdefgh\xF4\x90\x80\x80",
            b"\xE3\x81",
            b"\xE3\x81\"",
            b"\xC1\xBF",
        ] {
            assert_eq!(skip_string_text(bytes, 0), None, "{bytes:02X?}");
        }
    }
}
