//! Comparing a value found in the render context with a condition's value, or with its previous value.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::expected::{fold, fold_chars, parse_boolean, Expected};
use super::kind::Kind;
use crate::time::{Date, Instant};

/// A field's value in the context and, for an enum, its option id found beside it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Found<'v> {
    pub value: Option<&'v Value>,
    pub enum_id: Option<&'v Value>,
}

/// Missing, null, blank text or an empty list.
pub(super) fn is_empty(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(text)) => text.trim().is_empty(),
        Some(Value::Array(items)) => items.is_empty(),
        Some(_) => false,
    }
}

/// Whether the found value is the condition's value, compared the way its kind compares.
pub(super) fn equals(kind: Kind, found: Found<'_>, expected: &Expected) -> bool {
    let Some(value) = found.value.filter(|value| !value.is_null()) else {
        return false;
    };
    match kind {
        Kind::Text => text_equals(value, &expected.text),
        Kind::Enum => {
            found
                .enum_id
                .is_some_and(|id| text_equals(id, &expected.text))
                || text_equals(value, &expected.text)
        }
        Kind::Number => order(kind, value, expected) == Some(Ordering::Equal),
        Kind::Date | Kind::Datetime => order(kind, value, expected) == Some(Ordering::Equal),
        Kind::Boolean => boolean_of(value).is_some_and(|boolean| Some(boolean) == expected.boolean),
        Kind::Reference => id_equals(id_of(value), expected),
        Kind::List => false,
    }
}

/// Whether the found value's text holds the condition's text, ignoring case.
pub(super) fn contains(found: Found<'_>, expected: &Expected) -> bool {
    found
        .value
        .and_then(text_of)
        .is_some_and(|text| fold(&text).contains(expected.text.as_str()))
}

/// How the found value orders against the condition's value: numbers numerically, dates as dates,
/// date-times as instants. `None` when either side is not of that kind (an empty field included).
pub(super) fn order(kind: Kind, value: &Value, expected: &Expected) -> Option<Ordering> {
    match kind {
        Kind::Number => compare_numbers(&number_of(value)?, expected.number.as_ref()?),
        Kind::Date => Some(Date::parse(value.as_str()?)?.cmp(&expected.date?)),
        Kind::Datetime => Some(Instant::parse(value.as_str()?)?.cmp(&expected.instant?)),
        _ => None,
    }
}

/// Whether a value is the same before and after an update: two empty values are; references and enums
/// compare by id; numbers, dates and date-times by what they mean rather than how they are written.
pub(super) fn same(kind: Kind, current: Found<'_>, previous: Found<'_>) -> bool {
    let (now, before) = match (non_empty(current.value), non_empty(previous.value)) {
        (None, None) => return true,
        (Some(now), Some(before)) => (now, before),
        _ => return false,
    };
    match kind {
        Kind::Enum => match (current.enum_id, previous.enum_id) {
            (Some(now_id), Some(before_id)) => now_id == before_id,
            _ => now == before,
        },
        Kind::Reference => id_of(now) == id_of(before),
        Kind::Number => match (number_of(now), number_of(before)) {
            (Some(a), Some(b)) => compare_numbers(&a, &b) == Some(Ordering::Equal),
            _ => now == before,
        },
        Kind::Date => same_parsed(now, before, Date::parse),
        Kind::Datetime => same_parsed(now, before, Instant::parse),
        Kind::Text | Kind::Boolean | Kind::List => now == before,
    }
}

fn non_empty(value: Option<&Value>) -> Option<&Value> {
    value.filter(|value| !is_empty(Some(value)))
}

fn same_parsed<T: PartialEq>(
    now: &Value,
    before: &Value,
    parse: impl Fn(&str) -> Option<T>,
) -> bool {
    match (
        now.as_str().and_then(&parse),
        before.as_str().and_then(&parse),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => now == before,
    }
}

/// The text of a scalar: strings as they are, numbers and booleans as their JSON text.
fn text_of(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(text) => Some(Cow::Borrowed(text)),
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        Value::Bool(boolean) => Some(Cow::Owned(boolean.to_string())),
        _ => None,
    }
}

/// Compares without allocating: `folded` is already folded, and `value`'s text is folded as it is read.
fn text_equals(value: &Value, folded: &str) -> bool {
    text_of(value).is_some_and(|text| fold_chars(&text).eq(folded.chars()))
}

fn number_of(value: &Value) -> Option<Number> {
    match value {
        Value::Number(number) => Some(number.clone()),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Integers compare exactly (ids beyond 2^53 included); anything else as floating point.
fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return Some(a.cmp(&b));
    }
    if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
        return Some(a.cmp(&b));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

fn boolean_of(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(boolean) => Some(*boolean),
        Value::String(text) => parse_boolean(text.trim()),
        _ => None,
    }
}

/// A record's `id`; a bare id stands for itself.
fn id_of(value: &Value) -> &Value {
    match value {
        Value::Object(record) => record.get("id").unwrap_or(&Value::Null),
        other => other,
    }
}

/// Ids match as numbers when both are numbers (`7` and `"7"`), else as text.
fn id_equals(id: &Value, expected: &Expected) -> bool {
    match (number_of(id), &expected.number) {
        (Some(id), Some(number)) => compare_numbers(&id, number) == Some(Ordering::Equal),
        _ => text_equals(id, &expected.text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expected(value: Value) -> Expected {
        Expected::read(Some(&value))
    }

    fn found(value: &Value) -> Found<'_> {
        Found {
            value: Some(value),
            enum_id: None,
        }
    }

    #[test]
    fn emptiness_covers_missing_null_blank_and_empty_lists() {
        for empty in [json!(null), json!(""), json!("  \n"), json!([])] {
            assert!(is_empty(Some(&empty)), "{empty}");
        }
        assert!(is_empty(None));
        for full in [
            json!(0),
            json!(false),
            json!("x"),
            json!([1]),
            json!({"id": 1}),
        ] {
            assert!(!is_empty(Some(&full)), "{full}");
        }
    }

    #[test]
    fn text_ignores_case_and_surrounding_spaces_but_not_inner_text() {
        let value = json!("  ACME Corp ");
        assert!(equals(
            Kind::Text,
            found(&value),
            &expected(json!("acme corp"))
        ));
        assert!(!equals(
            Kind::Text,
            found(&value),
            &expected(json!("acme  corp"))
        ));
        assert!(contains(found(&value), &expected(json!("ME co"))));
        assert!(!contains(found(&value), &expected(json!("inc"))));
        for (found_text, condition_text) in [("ΟΔΟΣ", "οδος"), ("οδος", "ΟΔΟΣ")] {
            let value = json!(found_text);
            assert!(
                equals(Kind::Text, found(&value), &expected(json!(condition_text))),
                "{found_text}"
            );
        }
    }

    #[test]
    fn numbers_compare_numerically_whatever_their_spelling() {
        let value = json!(12000.5);
        assert_eq!(
            order(Kind::Number, &value, &expected(json!("10000"))),
            Some(Ordering::Greater)
        );
        assert_eq!(
            order(Kind::Number, &value, &expected(json!(1.2e4))),
            Some(Ordering::Greater)
        );
        assert!(equals(
            Kind::Number,
            found(&json!(10000)),
            &expected(json!("10000.0"))
        ));
        let big = json!(9_007_199_254_740_993_u64);
        assert!(
            !equals(
                Kind::Number,
                found(&big),
                &expected(json!(9_007_199_254_740_992_u64))
            ),
            "exact integers"
        );
        assert_eq!(
            order(Kind::Number, &json!("n/a"), &expected(json!(1))),
            None
        );
    }

    #[test]
    fn dates_and_instants_compare_by_meaning() {
        let date = json!("2026-12-01");
        assert_eq!(
            order(Kind::Date, &date, &expected(json!("2026-11-30"))),
            Some(Ordering::Greater)
        );
        let instant = json!("2026-11-28T09:15:00Z");
        assert!(equals(
            Kind::Datetime,
            found(&instant),
            &expected(json!("2026-11-28T10:15:00+01:00"))
        ));
        assert_eq!(
            order(
                Kind::Datetime,
                &instant,
                &expected(json!("2026-11-28T09:15:00.001Z"))
            ),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn enums_match_label_or_id_and_references_their_id() {
        let label = json!("Proposal made");
        let id = json!("proposal_made");
        let stage = Found {
            value: Some(&label),
            enum_id: Some(&id),
        };
        assert!(equals(Kind::Enum, stage, &expected(json!("proposal_made"))));
        assert!(equals(Kind::Enum, stage, &expected(json!("proposal MADE"))));
        assert!(!equals(Kind::Enum, stage, &expected(json!("won"))));
        let person = json!({"id": 7, "name": "Pat"});
        assert!(equals(Kind::Reference, found(&person), &expected(json!(7))));
        assert!(equals(
            Kind::Reference,
            found(&person),
            &expected(json!("7"))
        ));
        assert!(!equals(
            Kind::Reference,
            found(&person),
            &expected(json!("Pat"))
        ));
        let text_id = json!({"id": "usr_9"});
        assert!(equals(
            Kind::Reference,
            found(&text_id),
            &expected(json!("USR_9"))
        ));
    }

    #[test]
    fn booleans_accept_json_and_text() {
        assert!(equals(
            Kind::Boolean,
            found(&json!(true)),
            &expected(json!("true"))
        ));
        assert!(!equals(
            Kind::Boolean,
            found(&json!(false)),
            &expected(json!(true))
        ));
        assert!(equals(
            Kind::Boolean,
            found(&json!("false")),
            &expected(json!(false))
        ));
    }

    #[test]
    fn missing_values_equal_nothing() {
        let nothing = Found::default();
        for kind in [
            Kind::Text,
            Kind::Number,
            Kind::Enum,
            Kind::Reference,
            Kind::Boolean,
        ] {
            assert!(!equals(kind, nothing, &expected(json!(""))), "{kind:?}");
        }
        assert!(!contains(nothing, &expected(json!(""))));
    }

    #[test]
    fn sameness_uses_ids_and_meaning() {
        let (won, won_id, lost, lost_id) =
            (json!("Won"), json!("won"), json!("Won"), json!("lost"));
        let now = Found {
            value: Some(&won),
            enum_id: Some(&won_id),
        };
        let before = Found {
            value: Some(&lost),
            enum_id: Some(&lost_id),
        };
        assert!(
            !same(Kind::Enum, now, before),
            "same label, other option id"
        );
        let (a, b) = (json!({"id": 3, "name": "Pat"}), json!({"id": 3}));
        assert!(
            same(Kind::Reference, found(&a), found(&b)),
            "expanded or not, the same record"
        );
        assert!(same(Kind::Number, found(&json!(10)), found(&json!(10.0))));
        assert!(same(
            Kind::Datetime,
            found(&json!("2026-01-01T01:00:00+01:00")),
            found(&json!("2026-01-01T00:00:00Z"))
        ));
        assert!(
            !same(Kind::Text, found(&json!("Acme")), found(&json!("acme"))),
            "a change of case is a change"
        );
        assert!(
            same(Kind::Text, found(&json!("")), Found::default()),
            "empty to empty is no change"
        );
        assert!(!same(Kind::Text, found(&json!("x")), Found::default()));
    }
}
