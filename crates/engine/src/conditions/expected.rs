//! A condition's value, read once at compile time in every form a comparison may need, so evaluating it
//! against many events never parses it again.

use serde_json::{Number, Value};

use crate::time::{Date, Instant};

#[derive(Debug, Clone, Default)]
pub(super) struct Expected {
    /// Trimmed and lower-cased ([`fold`]): text comparisons ignore case and surrounding spaces.
    pub text: String,
    /// A JSON number, or text that is one (`"10000"`).
    pub number: Option<Number>,
    pub date: Option<Date>,
    /// A date-time with its zone, or a date (midnight UTC).
    pub instant: Option<Instant>,
    /// `true`/`false`, as JSON or as text.
    pub boolean: Option<bool>,
}

impl Expected {
    pub fn read(value: Option<&Value>) -> Expected {
        let Some(value) = value else {
            return Expected::default();
        };
        let text = match value {
            Value::String(text) => text.trim(),
            _ => "",
        };
        Expected {
            text: match value {
                Value::String(text) => fold(text),
                Value::Null => String::new(),
                other => fold(&other.to_string()),
            },
            number: match value {
                Value::Number(number) => Some(number.clone()),
                _ => text.parse().ok(),
            },
            date: Date::parse(text),
            instant: Instant::parse(text),
            boolean: match value {
                Value::Bool(boolean) => Some(*boolean),
                _ => parse_boolean(text),
            },
        }
    }
}

/// The form two texts are compared in: trimmed and case-folded ([`fold_chars`]).
pub(super) fn fold(text: &str) -> String {
    fold_chars(text).collect()
}

/// `text` trimmed, each character lower-cased on its own, and the word-final sigma as a plain sigma:
/// "ΟΔΟΣ" and "οδος" fold alike, which `str::to_lowercase` alone does not give.
pub(super) fn fold_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    let final_sigma_as_sigma = |c| if c == 'ς' { 'σ' } else { c };
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(final_sigma_as_sigma)
}

pub(super) fn parse_boolean(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_read_in_every_form_once() {
        let number = Expected::read(Some(&json!(" 10000 ")));
        assert_eq!(number.number, Some(Number::from(10000)));
        assert_eq!(number.text, "10000");
        let date = Expected::read(Some(&json!("2026-12-01")));
        assert_eq!(date.date.map(Date::to_iso).as_deref(), Some("2026-12-01"));
        assert_eq!(
            date.instant.map(Instant::to_rfc3339).as_deref(),
            Some("2026-12-01T00:00:00Z")
        );
        assert_eq!(Expected::read(Some(&json!("TRUE"))).boolean, Some(true));
        assert_eq!(Expected::read(Some(&json!(false))).boolean, Some(false));
        assert_eq!(
            Expected::read(Some(&json!("  Proposal MADE "))).text,
            "proposal made"
        );
        assert_eq!(Expected::read(Some(&json!("10,000"))).number, None);
        assert!(Expected::read(None).text.is_empty());
    }
}
