//! Rules for changing CRM records by hand, as the sandbox CRM does: which fields a person edits,
//! how typed text becomes a value of the field's kind, what a new record starts with, which id it
//! gets, what changed, and whether a record fits the catalog.
//!
//! Problems are clauses without a final full stop (like the webhook problems), shown next to the
//! input of their field.

use std::collections::BTreeMap;

use serde_json::{Number, Value};

use crate::catalog::{Entity, Field, FieldKind};
use crate::decimal::parse_decimal;
use crate::event::Record;
use crate::model::EventAction;
use crate::time::{Date, Instant};

/// Fields the CRM fills in itself; a person never types them.
const SYSTEM_FIELDS: [&str; 3] = ["id", "add_time", "update_time"];

/// The field that says who owns a record: new records belong to whoever creates them.
const OWNER_FIELD: &str = "owner";

/// Something wrong with one field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    /// The field's key.
    pub field: String,
    pub message: String,
}

/// Whether a person edits this field in a form: not the CRM's own bookkeeping, and not a list
/// (lists such as a deal's products are managed elsewhere in a CRM).
pub fn is_editable(field: &Field) -> bool {
    !SYSTEM_FIELDS.contains(&field.key.as_str()) && !matches!(field.kind, FieldKind::List { .. })
}

/// The record's `id`, when it has a usable one.
pub fn record_id(record: &Record) -> Option<u64> {
    record.get("id").and_then(Value::as_u64)
}

/// The id for a new record: above every id the entity has now and every id it ever gave out, so the
/// id of a deleted record never comes back — receivers key their own data by it.
pub fn next_record_id(records: &[Record], highest_issued: u64) -> u64 {
    records
        .iter()
        .filter_map(record_id)
        .fold(highest_issued, u64::max)
        + 1
}

/// How people name the record: its first required text field (a deal's title, a person's name, an
/// activity's subject), or "Deal 302" when it has none.
pub fn record_name(entity: &Entity, record: &Record) -> String {
    entity
        .fields
        .iter()
        .find(|field| field.required && field.kind == FieldKind::Text)
        .and_then(|field| record.get(&field.key))
        .and_then(Value::as_str)
        .filter(|name| !name.trim().is_empty())
        .map_or_else(
            || format!("{} {}", entity.label, record_id(record).unwrap_or_default()),
            str::to_string,
        )
}

/// What a new record holds before anything is typed: owned by `owner`, a required enum at its first
/// option (a new deal starts at the first stage), a required yes/no field at "no".
pub fn new_record(entity: &Entity, owner: u64) -> Record {
    let mut record = Record::new();
    for field in entity.fields.iter().filter(|field| field.required) {
        let value = match &field.kind {
            FieldKind::Enum { options } => options.first().map(|option| json_str(&option.id)),
            FieldKind::Boolean => Some(Value::Bool(false)),
            FieldKind::Reference { entity: target }
                if field.key == OWNER_FIELD && target == "user" =>
            {
                Some(Value::from(owner))
            }
            _ => None,
        };
        if let Some(value) = value {
            record.insert(field.key.clone(), value);
        }
    }
    record
}

/// The value typed into a form for a field of `kind`: `None` when the input is empty (the field is
/// then left out of the record). Date-times must carry their zone (the browser converts its local
/// input first) and are kept in UTC, the form templates render.
pub fn value_from_input(kind: &FieldKind, input: &str) -> Result<Option<Value>, String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value = match kind {
        FieldKind::Text | FieldKind::Email | FieldKind::Phone | FieldKind::Enum { .. } => {
            json_str(text)
        }
        FieldKind::Number | FieldKind::Monetary => number(text)
            .ok_or_else(|| format!("“{text}” is not a number; write it like 1250.50"))?,
        FieldKind::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("“{text}” is neither yes nor no")),
        },
        FieldKind::Date => Date::parse(text)
            .filter(|_| text.len() == 10)
            .map(|date| json_str(&date.to_iso()))
            .ok_or_else(|| format!("“{text}” is not a date; write it as YYYY-MM-DD"))?,
        FieldKind::Datetime => Instant::parse(text)
            .map(|instant| json_str(&instant.to_rfc3339()))
            .ok_or_else(|| format!("“{text}” is not a date and time with a time zone"))?,
        FieldKind::Reference { entity } => text
            .parse::<u64>()
            .map(Value::from)
            .map_err(|_| format!("choose a {entity} from the list"))?,
        FieldKind::List { .. } => return Err("lists cannot be typed in".into()),
    };
    Ok(Some(value))
}

/// The text a form shows for a stored value (the reverse of [`value_from_input`]): a date-time as
/// RFC 3339 in UTC (stored Unix milliseconds too), anything else as its plain text.
pub fn input_from_value(kind: &FieldKind, value: &Value) -> String {
    match (kind, value) {
        (_, Value::Null) => String::new(),
        (_, Value::String(text)) => text.clone(),
        (FieldKind::Datetime, Value::Number(millis)) => millis
            .as_i64()
            .map(|millis| Instant::from_unix_millis(millis).to_rfc3339())
            .unwrap_or_default(),
        (_, other) => other.to_string(),
    }
}

/// `base` with a form's edits (field key → the text typed) applied; every edit that cannot be read
/// is a problem of its field. Fields not edited keep their exact stored values.
pub fn apply_inputs(
    entity: &Entity,
    base: &Record,
    edits: &BTreeMap<String, String>,
) -> Result<Record, Vec<RecordProblem>> {
    let mut record = base.clone();
    let mut problems = Vec::new();
    for (key, input) in edits {
        let parsed = match entity.field(key) {
            Some(field) if is_editable(field) => value_from_input(&field.kind, input),
            Some(field) => Err(format!("{} is set by the CRM", field.label)),
            None => Err(format!("{} has no field “{key}”", entity.label)),
        };
        match parsed {
            Ok(Some(value)) => {
                record.insert(key.clone(), value);
            }
            Ok(None) => {
                record.remove(key);
            }
            Err(message) => problems.push(RecordProblem {
                field: key.clone(),
                message,
            }),
        }
    }
    if problems.is_empty() {
        Ok(record)
    } else {
        Err(problems)
    }
}

/// Sets the times the CRM keeps itself: when a record was created (`add_time`, on `Added`) and last
/// changed (`update_time`, on `Added` and `Updated`), where the entity has them. `now` is RFC 3339.
pub fn stamp_times(entity: &Entity, record: &mut Record, action: EventAction, now: &str) {
    let stamped: &[&str] = match action {
        EventAction::Added => &["add_time", "update_time"],
        EventAction::Updated => &["update_time"],
        EventAction::Deleted => &[],
    };
    for key in stamped {
        if entity.field(key).is_some() {
            record.insert((*key).to_string(), json_str(now));
        }
    }
}

/// The fields whose values differ between two versions of a record, in the catalog's order. A
/// missing field and `null` are the same: both mean "no value".
pub fn changed_fields<'e>(
    entity: &'e Entity,
    previous: &Record,
    current: &Record,
) -> Vec<&'e Field> {
    let value =
        |record: &Record, key: &str| record.get(key).filter(|value| !value.is_null()).cloned();
    entity
        .fields
        .iter()
        .filter(|field| value(previous, &field.key) != value(current, &field.key))
        .collect()
}

/// Every way `record` does not fit `entity`: a required field without a value, a value of the wrong
/// kind, an enum value that is not one of its options, an email address or phone number that cannot
/// be one, a reference to a record that does not exist (`exists(entity, id)` says). Fields the
/// catalog does not know are ignored, as events ignore them.
pub fn validate_record(
    entity: &Entity,
    record: &Record,
    exists: impl Fn(&str, u64) -> bool,
) -> Vec<RecordProblem> {
    entity
        .fields
        .iter()
        .filter_map(|field| {
            let message = match record.get(&field.key).filter(|value| !is_blank(value)) {
                None if field.required => Some(format!("{} is required", field.label)),
                None => None,
                Some(value) => value_problem(field, value, &exists),
            };
            message.map(|message| RecordProblem {
                field: field.key.clone(),
                message,
            })
        })
        .collect()
}

fn value_problem(
    field: &Field,
    value: &Value,
    exists: &impl Fn(&str, u64) -> bool,
) -> Option<String> {
    let label = &field.label;
    match (&field.kind, value) {
        (FieldKind::Text, Value::String(_)) => None,
        (FieldKind::Number | FieldKind::Monetary, Value::Number(_)) => None,
        (FieldKind::Number | FieldKind::Monetary, Value::String(text))
            if number(text).is_some() =>
        {
            None
        }
        (FieldKind::Number | FieldKind::Monetary, _) => Some(format!("{label} must be a number")),
        (FieldKind::Boolean, Value::Bool(_)) => None,
        (FieldKind::Date, Value::String(text)) if Date::parse(text).is_some() => None,
        (FieldKind::Date, _) => Some(format!("{label} must be a date (YYYY-MM-DD)")),
        (FieldKind::Datetime, Value::String(text)) if Instant::parse(text).is_some() => None,
        (FieldKind::Datetime, Value::Number(millis)) if millis.is_i64() => None,
        (FieldKind::Datetime, _) => Some(format!("{label} must be a date and time")),
        (FieldKind::Enum { options }, Value::String(id)) => {
            (!options.iter().any(|option| &option.id == id)).then(|| {
                let labels: Vec<&str> =
                    options.iter().map(|option| option.label.as_str()).collect();
                format!(
                    "“{id}” is not a {label} option; choose one of {}",
                    labels.join(", ")
                )
            })
        }
        (FieldKind::Email, Value::String(text)) => (!is_email(text))
            .then(|| format!("“{text}” is not an email address; write it like name@example.com")),
        (FieldKind::Phone, Value::String(text)) => (!is_phone(text))
            .then(|| format!("“{text}” is not a phone number; use digits, spaces, + - ( ) and /")),
        (FieldKind::Reference { entity }, Value::Number(id)) => match id.as_u64() {
            Some(id) if exists(entity, id) => None,
            _ => Some(format!(
                "{label} refers to {entity} {id}, which does not exist"
            )),
        },
        (FieldKind::Reference { .. }, _) => Some(format!("{label} must be a record's id")),
        (FieldKind::List { .. }, Value::Array(_)) => None,
        (FieldKind::List { .. }, _) => Some(format!("{label} must be a list")),
        (kind, _) => Some(format!("{label} must be a {} value", kind.name())),
    }
}

/// No value: `null` or text that is only spaces.
fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// A JSON number for `text`: whole numbers stay integers, so 184000 is not stored as 184000.0.
fn number(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(whole) = text.parse::<i64>() {
        return Some(Value::from(whole));
    }
    Number::from_f64(parse_decimal(text)?).map(Value::Number)
}

/// `name@domain.tld`: one `@`, something before it, a dotted domain after it, no spaces. Stricter
/// checks refuse real addresses; this one catches typing slips.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && !text.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && labels.len() >= 2
        && labels.iter().all(|label| !label.is_empty())
}

/// At least one digit, and only what phone numbers are written with.
fn is_phone(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
}

fn json_str(text: &str) -> Value {
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::sample::SampleData;
    use serde_json::json;

    fn entity(key: &str) -> Entity {
        Catalog::builtin().entity(key).unwrap().clone()
    }

    fn record(value: Value) -> Record {
        value.as_object().unwrap().clone()
    }

    fn edits(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    fn fields(problems: &[RecordProblem]) -> Vec<&str> {
        problems
            .iter()
            .map(|problem| problem.field.as_str())
            .collect()
    }

    #[test]
    fn the_next_id_never_reuses_one_given_out_before() {
        let records = [record(json!({"id": 301})), record(json!({"id": 304}))];
        assert_eq!(next_record_id(&records, 0), 305);
        assert_eq!(next_record_id(&records, 310), 311, "310 was deleted");
        assert_eq!(next_record_id(&[], 0), 1);
        assert_eq!(next_record_id(&[record(json!({"title": "no id"}))], 7), 8);
    }

    #[test]
    fn typed_text_becomes_a_value_of_the_fields_kind() {
        let kinds = |key: &str| entity("deal").field(key).unwrap().kind.clone();
        assert_eq!(
            value_from_input(&kinds("value"), "184000"),
            Ok(Some(json!(184000)))
        );
        assert_eq!(
            value_from_input(&kinds("value"), " 56500.5 "),
            Ok(Some(json!(56500.5)))
        );
        assert!(value_from_input(&kinds("value"), "lots")
            .unwrap_err()
            .contains("not a number"));
        assert_eq!(
            value_from_input(&kinds("is_rotten"), "true"),
            Ok(Some(json!(true)))
        );
        assert_eq!(
            value_from_input(&kinds("person"), "202"),
            Ok(Some(json!(202)))
        );
        assert_eq!(
            value_from_input(&kinds("expected_close_date"), "2026-12-15"),
            Ok(Some(json!("2026-12-15")))
        );
        assert!(value_from_input(&kinds("expected_close_date"), "2026-02-30").is_err());
        assert_eq!(
            value_from_input(&kinds("won_time"), "2026-11-28T10:15:00+01:00"),
            Ok(Some(json!("2026-11-28T09:15:00Z"))),
            "kept in UTC"
        );
        assert!(
            value_from_input(&kinds("won_time"), "2026-11-28T10:15").is_err(),
            "no zone"
        );
        assert_eq!(
            value_from_input(&kinds("stage"), "won"),
            Ok(Some(json!("won")))
        );
        assert_eq!(
            value_from_input(&kinds("title"), "  "),
            Ok(None),
            "empty means no value"
        );
        assert!(value_from_input(&kinds("products"), "x").is_err());
    }

    #[test]
    fn stored_values_read_back_as_the_text_a_form_shows() {
        let deal = entity("deal");
        let kind = |key: &str| &deal.field(key).unwrap().kind;
        for (key, value) in [
            ("value", json!(56500.5)),
            ("value", json!(184000)),
            ("is_rotten", json!(false)),
            ("stage", json!("won")),
            ("person", json!(202)),
            ("won_time", json!("2026-11-18T17:45:00Z")),
        ] {
            let text = input_from_value(kind(key), &value);
            assert_eq!(
                value_from_input(kind(key), &text),
                Ok(Some(value)),
                "{key} round-trips"
            );
        }
        assert_eq!(
            input_from_value(kind("won_time"), &json!(0)),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(input_from_value(kind("title"), &Value::Null), "");
    }

    #[test]
    fn edits_change_only_the_fields_typed_into() {
        let deal = entity("deal");
        let base = record(
            json!({"id": 302, "title": "CNC", "won_time": "2026-11-28T10:15:00+01:00", "value": 5}),
        );
        let edited =
            apply_inputs(&deal, &base, &edits(&[("stage", "won"), ("value", "")])).unwrap();
        assert_eq!(edited["stage"], "won");
        assert!(!edited.contains_key("value"), "emptied");
        assert_eq!(
            edited["won_time"], "2026-11-28T10:15:00+01:00",
            "untouched, not normalised"
        );

        let problems = apply_inputs(
            &deal,
            &base,
            &edits(&[("value", "ten"), ("id", "9"), ("nope", "1")]),
        )
        .unwrap_err();
        assert_eq!(fields(&problems), ["id", "nope", "value"]);
        assert_eq!(problems[0].message, "ID is set by the CRM");
    }

    #[test]
    fn a_new_record_belongs_to_its_creator_and_starts_at_the_first_options() {
        let activity = new_record(&entity("activity"), 2);
        assert_eq!(
            Value::Object(activity),
            json!({"type": "call", "done": false, "owner": 2})
        );
        let deal = new_record(&entity("deal"), 1);
        assert_eq!(
            (&deal["stage"], &deal["status"]),
            (&json!("qualified"), &json!("open"))
        );
        assert!(
            !deal.contains_key("is_rotten"),
            "optional fields stay empty"
        );
    }

    #[test]
    fn the_crm_stamps_its_own_times() {
        let deal = entity("deal");
        let mut added = Record::new();
        stamp_times(
            &deal,
            &mut added,
            EventAction::Added,
            "2026-11-28T09:00:00Z",
        );
        assert_eq!(
            Value::Object(added.clone()),
            json!({"add_time": "2026-11-28T09:00:00Z", "update_time": "2026-11-28T09:00:00Z"})
        );
        stamp_times(
            &deal,
            &mut added,
            EventAction::Updated,
            "2026-11-29T09:00:00Z",
        );
        assert_eq!(added["add_time"], "2026-11-28T09:00:00Z");
        assert_eq!(added["update_time"], "2026-11-29T09:00:00Z");
        let mut person = Record::new();
        stamp_times(
            &entity("person"),
            &mut person,
            EventAction::Updated,
            "2026-11-29T09:00:00Z",
        );
        assert!(person.is_empty(), "people have no update time");
    }

    #[test]
    fn changes_are_listed_in_catalog_order_and_null_is_no_value() {
        let deal = entity("deal");
        let before = record(json!({"id": 1, "title": "A", "stage": "qualified", "value": null}));
        let after = record(json!({"id": 1, "title": "B", "stage": "won", "probability": 90}));
        let keys: Vec<&str> = changed_fields(&deal, &before, &after)
            .iter()
            .map(|f| f.key.as_str())
            .collect();
        assert_eq!(keys, ["title", "stage", "probability"]);
        assert!(changed_fields(&deal, &before, &before).is_empty());
    }

    #[test]
    fn validation_names_each_field_that_does_not_fit() {
        let sample = SampleData::builtin();
        let exists = |entity: &str, id: u64| sample.record(entity, id).is_some();
        let deal = record(json!({
            "id": 1, "title": " ", "stage": "won", "status": "open", "value": "a lot",
            "add_time": "2026-11-28T09:00:00Z", "update_time": "yesterday", "owner": 1, "person": 999,
            "expected_close_date": "2026-12-15", "unknown": true
        }));
        let problems = validate_record(&entity("deal"), &deal, exists);
        assert_eq!(
            fields(&problems),
            ["title", "value", "stage", "update_time", "person"]
        );
        assert_eq!(problems[0].message, "Title is required");
        assert_eq!(
            problems[2].message,
            "“won” is not a Stage option; choose one of Qualified, Contact made, Demo scheduled, Proposal made, Negotiations started"
        );
        assert_eq!(
            problems[4].message,
            "Contact person refers to person 999, which does not exist"
        );

        let person = record(
            json!({"id": 2, "name": "Ann", "email": "ann@example", "phone": "call me",
            "add_time": "2026-11-28T09:00:00Z", "owner": 1}),
        );
        let problems = validate_record(&entity("person"), &person, exists);
        assert_eq!(fields(&problems), ["email", "phone"]);
        assert_eq!(
            problems[0].message,
            "“ann@example” is not an email address; write it like name@example.com"
        );
    }

    #[test]
    fn every_sample_record_is_valid() {
        let catalog = Catalog::builtin();
        let sample = SampleData::builtin();
        let exists = |entity: &str, id: u64| sample.record(entity, id).is_some();
        for (key, records) in &sample.records {
            let entity = catalog.entity(key).unwrap();
            for record in records {
                assert_eq!(
                    validate_record(entity, record, exists),
                    [],
                    "{key} {:?}",
                    record.get("id")
                );
            }
        }
    }

    #[test]
    fn email_and_phone_shapes() {
        for good in [
            "a@b.co",
            "j.mueller@mueller-soehne.example",
            "x+tag@sub.domain.org",
        ] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "", "a", "@b.co", "a@b", "a@.co", "a@b..co", "a b@c.de", "a@b@c.de",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(is_phone("+49 711 987 650") && is_phone("(555) 010-0199"));
        assert!(!is_phone("n/a") && !is_phone("+"));
    }

    #[test]
    fn records_are_named_by_their_title_name_or_subject() {
        let sample = SampleData::builtin();
        let name = |key: &str, id: u64| record_name(&entity(key), sample.record(key, id).unwrap());
        assert_eq!(name("deal", 302), "CNC line maintenance contract");
        assert_eq!(name("person", 202), "Jürgen Müller");
        assert_eq!(name("activity", 401), "Contract review call");
        assert_eq!(
            record_name(&entity("deal"), &record(json!({"id": 9, "title": ""}))),
            "Deal 9"
        );
    }

    #[test]
    fn system_fields_and_lists_are_not_edited_in_forms() {
        let deal = entity("deal");
        let editable: Vec<&str> = deal
            .fields
            .iter()
            .filter(|f| is_editable(f))
            .map(|f| f.key.as_str())
            .collect();
        assert!(
            !editable.contains(&"id")
                && !editable.contains(&"add_time")
                && !editable.contains(&"products")
        );
        assert!(editable.contains(&"title") && editable.contains(&"won_time"));
    }
}
