//! Decimal numbers people type and read (amounts, seconds), parsed and written without `f64`'s
//! `FromStr` and `Display`.
//!
//! Those two bring core's float parsing and printing algorithms and their tables into the browser
//! bundle (about 25 KB of wasm) for a handful of form fields. serde_json already carries a float
//! parser, so typed text is brought to JSON's number grammar and read by it; printing is integer
//! arithmetic.

/// The number typed in `text` (`12`, `-3.5`, `+7`, `.5`, `2.`, `007`, `1e3`), or `None` when it is
/// not one or is not finite.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let whole_len = unsigned
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(unsigned.len());
    let (whole, rest) = unsigned.split_at(whole_len);
    let (fraction, exponent) = match rest.strip_prefix('.') {
        Some(after_point) => {
            let fraction_len = after_point
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after_point.len());
            after_point.split_at(fraction_len)
        }
        None => ("", rest),
    };
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    // JSON's grammar: no leading zeros, digits on both sides of the point.
    let whole = whole.trim_start_matches('0');
    let mut json = String::with_capacity(text.len() + 2);
    if negative {
        json.push('-');
    }
    json.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    json.push_str(exponent);
    serde_json::from_str::<f64>(&json)
        .ok()
        .filter(|value| value.is_finite())
}

/// `thousandths / 1000` written out exactly, without trailing zeros: 1500 → `1.5`, 2000 → `2`.
pub fn thousandths(thousandths: u64) -> String {
    let (whole, fraction) = (thousandths / 1000, thousandths % 1000);
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:03}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// `thousandths / 1000` rounded half up to one decimal: 1250 → `1.3`, 999 → `1.0`.
pub fn tenths(thousandths: u64) -> String {
    let tenths = (thousandths + 50) / 100;
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_what_people_type() {
        for (text, expected) in [
            ("12", 12.0),
            (" -3.5 ", -3.5),
            ("+7", 7.0),
            (".5", 0.5),
            ("2.", 2.0),
            ("007", 7.0),
            ("0.25", 0.25),
            ("-0", -0.0),
            ("1e3", 1000.0),
            ("2.5E-1", 0.25),
            ("56500.50", 56500.5),
        ] {
            assert_eq!(parse_decimal(text), Some(expected), "{text:?}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_finite_number() {
        for text in [
            "", " ", ".", "-", "+", "-.", "1.2.3", "12 s", "1,5", "soon", "inf", "NaN", "1e",
            "--1", "+-1", "0x10", "1e999",
        ] {
            assert_eq!(parse_decimal(text), None, "{text:?}");
        }
    }

    #[test]
    fn writes_thousandths_and_tenths() {
        assert_eq!(thousandths(1500), "1.5");
        assert_eq!(thousandths(2000), "2");
        assert_eq!(thousandths(250), "0.25");
        assert_eq!(thousandths(1001), "1.001");
        assert_eq!(thousandths(0), "0");
        assert_eq!(tenths(1250), "1.3");
        assert_eq!(tenths(1240), "1.2");
        assert_eq!(tenths(999), "1.0");
        assert_eq!(tenths(30), "0.0");
        assert_eq!(tenths(59_950), "60.0");
    }

    proptest! {
        /// Amounts as CRMs hold them (up to 12 digits and cents) read exactly as Rust reads them.
        #[test]
        fn amounts_read_as_core_reads_them(cents in 0u64..100_000_000_000_000, negative: bool, zeros in 0usize..3) {
            let text = format!("{}{}{}.{:02}", if negative { "-" } else { "" }, "0".repeat(zeros), cents / 100, cents % 100);
            prop_assert_eq!(parse_decimal(&text), text.parse::<f64>().ok());
        }

        #[test]
        fn thousandths_match_the_float_they_stand_for(ms in 0u64..10_000_000) {
            prop_assert_eq!(thousandths(ms).parse::<f64>().unwrap(), ms as f64 / 1000.0);
        }
    }
}
