//! The byte-level loops of the raw JSON validator: whitespace, string contents, numbers. They take the
//! source and a position and return the position where they stopped, so the hot loops keep everything in
//! registers and never allocate.

/// The first position at or after `pos` that is not JSON whitespace (space, tab, line feed, carriage
/// return; a form feed is not JSON whitespace).
#[inline(always)]
pub(super) fn skip_whitespace(bytes: &[u8], pos: usize) -> usize {
    // Most tokens follow each other directly or after one space (`"key": value`): settle those inline.
    let token_at = |pos: usize| bytes.get(pos).is_some_and(|&byte| byte > b' ');
    match bytes.get(pos) {
        Some(&byte) if byte > b' ' => pos,
        Some(b' ') if token_at(pos + 1) => pos + 1,
        // A line break and its indentation, in pretty-printed JSON.
        Some(b'\n') => {
            let indented = skip_spaces(bytes, pos + 1);
            if token_at(indented) {
                indented
            } else {
                skip_whitespace_run(bytes, indented)
            }
        }
        _ => skip_whitespace_run(bytes, pos),
    }
}

fn skip_whitespace_run(bytes: &[u8], mut pos: usize) -> usize {
    loop {
        match bytes.get(pos) {
            Some(b' ') => pos = skip_spaces(bytes, pos + 1),
            Some(b'\n' | b'\r' | b'\t') => pos += 1,
            _ => return pos,
        }
    }
}

/// Skips a run of spaces: indentation is most of a pretty-printed document's whitespace. Whole words of
/// eight spaces are stepped over at once, the rest a byte at a time: both steps are decided by branches
/// the predictor learns (indentation repeats from line to line), so the next token need not wait for a
/// computed end (measured: citm_catalog.json 7% faster than finding the end with eight-byte tricks).
#[inline]
fn skip_spaces(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(chunk) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<8>) {
        if u64::from_le_bytes(*chunk) != ONES * u64::from(b' ') {
            for (offset, &byte) in chunk.iter().enumerate() {
                if byte != b' ' {
                    return pos + offset;
                }
            }
        }
        pos += 8;
    }
    while bytes.get(pos) == Some(&b' ') {
        pos += 1;
    }
    pos
}

/// The first position at or after `pos` inside a string that needs a decision: `"`, `\`, `{` (maybe a
/// placeholder), a control character, or the end; with `CHECK_UTF8`, also any byte from 0x80 on (a
/// multi-byte character, whose UTF-8 the caller checks). Eight bytes at a time: for values, which may be
/// long text.
#[inline]
pub(super) fn skip_plain_string_bytes<const CHECK_UTF8: bool>(
    bytes: &[u8],
    mut pos: usize,
) -> usize {
    // Empty strings and escapes in a row decide at once, without the eight-byte setup.
    if bytes
        .get(pos)
        .is_none_or(|&byte| is_string_stop::<CHECK_UTF8>(byte))
    {
        return pos;
    }
    while let Some(chunk) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<8>) {
        let word = u64::from_le_bytes(*chunk);
        let mut flags = decision_flags(word);
        if CHECK_UTF8 {
            flags |= word & HIGH_BITS;
        }
        if flags != 0 {
            // The lowest flagged byte of a chunk is exactly the first one to decide on. Checking UTF-8,
            // a loop over the chunk finds it sooner in effect, as the predictor learns its branches
            // (measured: twitter.json 8% faster); not checking, counting zeros is (citm_catalog.json 6%).
            let first = (flags.trailing_zeros() / 8) as usize;
            let first = if CHECK_UTF8 {
                let stop = |&byte: &u8| is_string_stop::<CHECK_UTF8>(byte);
                chunk.iter().position(stop).unwrap_or(first)
            } else {
                first
            };
            return pos + first;
        }
        pos += 8;
    }
    skip_short_plain_string_bytes::<CHECK_UTF8>(bytes, pos)
}

/// Like [`skip_plain_string_bytes`], one byte at a time (unrolled sixteen times): for keys. Keys are
/// short and come in the same order from one object to the next, so the branch predictor learns where
/// each ends and the parser runs ahead instead of waiting for an eight-byte computation (measured:
/// twitter.json 15% faster).
#[inline(always)]
pub(super) fn skip_short_plain_string_bytes<const CHECK_UTF8: bool>(
    bytes: &[u8],
    mut pos: usize,
) -> usize {
    while let Some(chunk) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<16>) {
        for (offset, &byte) in chunk.iter().enumerate() {
            if is_string_stop::<CHECK_UTF8>(byte) {
                return pos + offset;
            }
        }
        pos += 16;
    }
    while bytes
        .get(pos)
        .is_some_and(|&byte| !is_string_stop::<CHECK_UTF8>(byte))
    {
        pos += 1;
    }
    pos
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Sets the high bit of each of the eight bytes packed in `word` (little-endian) that is `"`, `\`, `{`
/// or below 0x20. Each test is the classic "has a byte below n" trick: a byte below n borrows when n is
/// subtracted, setting its high bit where the byte's own high bit was clear (equality with b is "below
/// 1" after XOR with b). A borrow can only flag a byte above a truly flagged one, so the lowest flag is
/// always exact.
#[inline]
fn decision_flags(word: u64) -> u64 {
    let equal = |byte: u8| {
        let zero_where_equal = word ^ (ONES * byte as u64);
        zero_where_equal.wrapping_sub(ONES) & !zero_where_equal
    };
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    (control | equal(b'"') | equal(b'\\') | equal(b'{')) & HIGH_BITS
}

#[inline(always)]
pub(super) fn is_string_stop<const CHECK_UTF8: bool>(byte: u8) -> bool {
    if CHECK_UTF8 {
        STRING_STOPS_CHECKING_UTF8[usize::from(byte)]
    } else {
        STRING_STOPS[usize::from(byte)]
    }
}

static STRING_STOPS: [bool; 256] = string_stops(false);
static STRING_STOPS_CHECKING_UTF8: [bool; 256] = string_stops(true);

const fn string_stops(non_ascii: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = byte < 0x20
            || byte == b'"' as usize
            || byte == b'\\' as usize
            || byte == b'{' as usize
            || (non_ascii && byte >= 0x80);
        byte += 1;
    }
    table
}

/// What is wrong with a number, and where.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct NumberError {
    pub at: usize,
    pub message: &'static str,
}

/// Scans the number starting at `start` (a `-` or a digit) and returns where it ends.
/// Grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. Any size is accepted: the body is
/// passed on as text, and the receiver decides what precision it reads.
#[inline(always)]
pub(super) fn scan_number(bytes: &[u8], start: usize) -> Result<usize, NumberError> {
    let digit_at = |pos: usize| bytes.get(pos).is_some_and(u8::is_ascii_digit);
    let fail = |at, message| Err(NumberError { at, message });

    let mut pos = start;
    if bytes.get(pos) == Some(&b'-') {
        pos += 1;
    }
    match bytes.get(pos) {
        Some(b'0') if digit_at(pos + 1) => {
            return fail(pos, "a number can't start with 0 followed by more digits")
        }
        Some(b'0') => pos += 1,
        Some(b'1'..=b'9') => pos = skip_digits(bytes, pos + 1),
        _ => return fail(pos, "expected a digit after '-'"),
    }
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        if !digit_at(pos) {
            return fail(pos, "expected a digit after the decimal point");
        }
        pos = skip_digits(bytes, pos);
    }
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        pos += 1;
        if matches!(bytes.get(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
        if !digit_at(pos) {
            return fail(pos, "expected a digit in the exponent");
        }
        pos = skip_digits(bytes, pos);
    }
    Ok(pos)
}

/// The first position at or after `pos` that is not an ASCII digit. A plain byte loop, unrolled sixteen
/// times (one bounds check per sixteen digits; canada.json's fractions have up to fifteen). Branch
/// prediction serves digit runs better than eight-byte tricks: it learns the usual lengths, so the next
/// token need not wait for a computed end (measured on canada.json).
#[inline(always)]
fn skip_digits(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(chunk) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<16>) {
        for (offset, byte) in chunk.iter().enumerate() {
            if !byte.is_ascii_digit() {
                return pos + offset;
            }
        }
        pos += 16;
    }
    while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_the_four_json_characters() {
        assert_eq!(skip_whitespace(b" \t\r\n x", 0), 5);
        for spaces in 0..20 {
            let text = format!("\n{}\t{}x  ", " ".repeat(spaces), " ".repeat(spaces));
            assert_eq!(
                skip_whitespace(text.as_bytes(), 0),
                2 + 2 * spaces,
                "{spaces}"
            );
        }
        assert_eq!(skip_whitespace(b"\x0cx", 0), 0);
        assert_eq!(skip_whitespace(b"  ", 0), 2);
    }

    #[test]
    fn string_scan_stops_at_every_byte_that_needs_a_decision_whatever_its_lane() {
        let stops = |check_utf8: bool| {
            let non_ascii: &[u8] = if check_utf8 { &[0x80, 0xC3, 0xFF] } else { &[] };
            [&[b'"', b'\\', b'{', 0x00, 0x0a, 0x1f][..], non_ascii].concat()
        };
        for check_utf8 in [false, true] {
            for stop in stops(check_utf8) {
                for lane in 0..20 {
                    // The stop, then another one in the same chunk.
                    let mut text = vec![b'a'; 24];
                    text[lane] = stop;
                    text[lane + 2] = b'"';
                    let (values, keys) = if check_utf8 {
                        (
                            skip_plain_string_bytes::<true>(&text, 0),
                            skip_short_plain_string_bytes::<true>(&text, 0),
                        )
                    } else {
                        (
                            skip_plain_string_bytes::<false>(&text, 0),
                            skip_short_plain_string_bytes::<false>(&text, 0),
                        )
                    };
                    assert_eq!((values, keys), (lane, lane), "byte {stop:#x} at {lane}");
                }
            }
        }
    }

    #[test]
    fn string_scan_passes_high_bytes_and_other_ascii() {
        let text = "é😀 }[]:,'/ 価格 and more text \u{7f}".as_bytes();
        assert_eq!(skip_plain_string_bytes::<false>(text, 0), text.len());
        assert_eq!(skip_short_plain_string_bytes::<false>(text, 0), text.len());
        assert_eq!(skip_plain_string_bytes::<false>(b"abc", 3), 3);
        let ascii = b" }[]:,'/ and more text \x7f";
        assert_eq!(skip_plain_string_bytes::<true>(ascii, 0), ascii.len());
    }

    #[test]
    fn numbers() {
        for ok in [
            "0",
            "-0",
            "12",
            "1.5",
            "-0.25e-3",
            "1E+2",
            "1e999",
            "123456789012345678901234567890",
        ] {
            assert_eq!(scan_number(ok.as_bytes(), 0), Ok(ok.len()), "{ok}");
        }
        assert_eq!(scan_number(b"12,", 0), Ok(2));
        assert_eq!(scan_number(b"-65.613616999999977,4", 0), Ok(19));
        assert_eq!(scan_number(b"1.5.3", 0), Ok(3));
    }

    #[test]
    fn malformed_numbers() {
        let message = |text: &str| scan_number(text.as_bytes(), 0).unwrap_err().message;
        assert_eq!(
            message("01"),
            "a number can't start with 0 followed by more digits"
        );
        assert_eq!(message("-"), "expected a digit after '-'");
        assert_eq!(message("-a"), "expected a digit after '-'");
        assert_eq!(message("1."), "expected a digit after the decimal point");
        assert_eq!(message("1.e3"), "expected a digit after the decimal point");
        assert_eq!(message("1e"), "expected a digit in the exponent");
        assert_eq!(message("1e+"), "expected a digit in the exponent");
        assert_eq!(scan_number(b"1e+x", 0).unwrap_err().at, 3);
    }
}
