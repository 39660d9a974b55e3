//! The byte-level loops of the raw JSON validator: whitespace, string contents, numbers. They take the
//! source and a position and return the position where they stopped, so the hot loops keep everything in
//! registers and never allocate.

/// The first position at or after `pos` that is not JSON whitespace (space, tab, line feed, carriage
/// return; a form feed is not JSON whitespace).
#[inline(always)]
pub(super) fn skip_whitespace(bytes: &[u8], pos: usize) -> usize {
    // Most tokens follow each other directly or after one space (`"key": value`): settle those inline.
    let token_at = |pos: usize| bytes.get(pos).is_some_and(|&byte| byte > b' ');
    if token_at(pos) {
        pos
    } else if bytes.get(pos) == Some(&b' ') && token_at(pos + 1) {
        pos + 1
    } else {
        skip_whitespace_run(bytes, pos)
    }
}

fn skip_whitespace_run(bytes: &[u8], mut pos: usize) -> usize {
    loop {
        match bytes.get(pos) {
            Some(b' ') if bytes.get(pos + 1) == Some(&b' ') => pos = skip_spaces(bytes, pos + 2),
            Some(b' ' | b'\n' | b'\r' | b'\t') => pos += 1,
            _ => return pos,
        }
    }
}

/// Skips a run of spaces, eight at a time: indentation is most of a pretty-printed document's whitespace.
#[inline]
fn skip_spaces(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(chunk) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<8>) {
        let other = u64::from_le_bytes(*chunk) ^ (ONES * b' ' as u64);
        if other != 0 {
            return pos + (nonzero_byte_flags(other).trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while bytes.get(pos) == Some(&b' ') {
        pos += 1;
    }
    pos
}

/// Sets the high bit of each non-zero byte of `word`, exactly (no carry crosses a byte).
#[inline]
fn nonzero_byte_flags(word: u64) -> u64 {
    let low_bits = !HIGH_BITS;
    (((word & low_bits) + low_bits) | word) & HIGH_BITS
}

/// The first position at or after `pos` inside a string that needs a decision: `"`, `\`, `{` (maybe a
/// placeholder), a control character, or the end. Bytes of multi-byte characters need none: UTF-8 is
/// validated apart, and none of its bytes is below 0x80.
#[inline]
pub(super) fn skip_plain_string_bytes(bytes: &[u8], mut pos: usize) -> usize {
    // Empty strings and escapes in a row decide at once, without the eight-byte setup.
    if bytes
        .get(pos)
        .is_none_or(|&byte| STRING_STOPS[byte as usize])
    {
        return pos;
    }
    // Eight bytes at a time; the lowest flagged byte of a chunk is exactly the first one to decide on.
    while let Some(chunk) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<8>) {
        let flags = decision_flags(u64::from_le_bytes(*chunk));
        if flags != 0 {
            return pos + (flags.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&byte) = bytes.get(pos) {
        if STRING_STOPS[byte as usize] {
            break;
        }
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

static STRING_STOPS: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'{' as usize] = true;
    table
};

/// What is wrong with a number, and where.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct NumberError {
    pub at: usize,
    pub message: &'static str,
}

/// Scans the number starting at `start` (a `-` or a digit) and returns where it ends.
/// Grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. Any size is accepted: the body is
/// passed on as text, and the receiver decides what precision it reads.
#[inline]
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

/// The first position at or after `pos` that is not an ASCII digit. (A plain loop: branch prediction
/// serves digit runs better than eight-byte tricks, measured on canada.json.)
#[inline(always)]
fn skip_digits(bytes: &[u8], pos: usize) -> usize {
    let rest = bytes.get(pos..).unwrap_or_default();
    pos + rest
        .iter()
        .position(|byte| !byte.is_ascii_digit())
        .unwrap_or(rest.len())
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
        for stop in [b'"', b'\\', b'{', 0x00, 0x0a, 0x1f] {
            for lane in 0..20 {
                let mut text = vec![b'a'; 24];
                text[lane] = stop;
                assert_eq!(
                    skip_plain_string_bytes(&text, 0),
                    lane,
                    "byte {stop:#x} at {lane}"
                );
            }
        }
    }

    #[test]
    fn string_scan_passes_high_bytes_and_other_ascii() {
        let text = "é😀 }[]:,'/ 価格 and more text \u{7f}".as_bytes();
        assert_eq!(skip_plain_string_bytes(text, 0), text.len());
        assert_eq!(skip_plain_string_bytes(b"abc", 3), 3);
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
