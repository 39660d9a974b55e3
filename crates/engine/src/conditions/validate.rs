//! Checking one condition against the field catalog: the field exists for the trigger, the operator fits
//! the field's type and the trigger, and the value fits the field.

use serde_json::Value;

use super::expected::{fold, parse_boolean};
use super::kind::{FieldInfo, Kind, Options};
use super::{ConditionPart, ConditionProblem};
use crate::catalog::{Catalog, EnumOption, EVENT_ROOT, PREVIOUS_ROOT};
use crate::model::{Condition, EventAction, Operator, Trigger};
use crate::template::{FieldPath, PathSegment};
use crate::time::{Date, Instant};

/// A condition that passed every check: its field's path and how it compares.
pub(super) struct Checked {
    pub path: FieldPath,
    pub kind: Kind,
}

/// Checks `condition`: the first problem found (a field that can't be resolved leaves nothing else to
/// check, and a value can only be judged against an operator that fits).
pub(super) fn check_condition(
    catalog: &Catalog,
    trigger: &Trigger,
    condition: &Condition,
    index_path: &[usize],
) -> Result<Checked, ConditionProblem> {
    let problem = |part, message, suggestion| ConditionProblem {
        index_path: index_path.to_vec(),
        part,
        message,
        suggestion,
    };
    let (path, info) = resolve_field(catalog, trigger, &condition.field)
        .map_err(|(message, suggestion)| problem(ConditionPart::Field, message, suggestion))?;
    let operator = condition.operator;
    let field = condition.field.trim();
    if let Some(message) = operator_problem(trigger, &path, field, &info, operator) {
        return Err(problem(ConditionPart::Operator, message, None));
    }
    if let Some(message) = value_problem(field, &info, operator, condition.value.as_ref()) {
        return Err(problem(ConditionPart::Value, message, None));
    }
    Ok(Checked {
        path,
        kind: info.kind,
    })
}

/// A condition's field as a path; `None` when it is not one (`deal..title`, `deal title`).
pub(super) fn parse_field(text: &str) -> Option<FieldPath> {
    let mut segments = Vec::new();
    for segment in text.trim().split('.') {
        let mut bytes = segment.bytes();
        let first = bytes.next()?;
        if first.is_ascii_digit() && !segments.is_empty() {
            segments.push(PathSegment::Index(segment.parse().ok()?));
        } else if (first.is_ascii_alphabetic() || first == b'_')
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            segments.push(PathSegment::Name(segment.to_owned()));
        } else {
            return None;
        }
    }
    Some(FieldPath::new(segments))
}

/// The field's path and what the catalog says about it, or a message and a likely fix.
pub(crate) fn resolve_field<'c>(
    catalog: &'c Catalog,
    trigger: &Trigger,
    field: &str,
) -> Result<(FieldPath, FieldInfo<'c>), (String, Option<String>)> {
    let field = field.trim();
    let example = format!("{}.title", trigger.entity);
    if field.is_empty() {
        return Err((format!("choose a field to check, like {example}"), None));
    }
    let path = parse_field(field).ok_or_else(|| {
        (
            format!("{field:?} is not a field: write names separated by dots, like {example}"),
            None,
        )
    })?;
    let resolved = catalog.resolve_path(trigger, &path).map_err(|unresolved| {
        let message = match &unresolved.suggestion {
            Some(suggestion) => format!("{} — did you mean {suggestion}?", unresolved.message),
            None => unresolved.message,
        };
        (message, unresolved.suggestion)
    })?;
    if root(&path) == PREVIOUS_ROOT && trigger.action != EventAction::Updated {
        // The catalog's explanation: previous values exist only for updates, so this is always empty.
        return Err((resolved.may_be_absent.unwrap_or_default(), None));
    }
    let info = FieldInfo::of(&resolved.target, &path);
    Ok((path, info))
}

fn root(path: &FieldPath) -> &str {
    match path.segments().first() {
        Some(PathSegment::Name(name)) => name,
        _ => "",
    }
}

pub(crate) fn operator_problem(
    trigger: &Trigger,
    path: &FieldPath,
    field: &str,
    info: &FieldInfo<'_>,
    operator: Operator,
) -> Option<String> {
    let label = operator.label();
    let updates = trigger.action == EventAction::Updated;
    if operator.needs_previous() {
        if !updates {
            let record = match trigger.action {
                EventAction::Added => "a new record",
                _ => "a deleted record",
            };
            return Some(format!(
                "'{label}' only works on 'updated' triggers: {record} has no previous value"
            ));
        }
        if matches!(root(path), PREVIOUS_ROOT | EVENT_ROOT) {
            let entity = &trigger.entity;
            return Some(format!(
                "'{label}' compares a field of the {entity} with its value before the update: choose a field of the {entity}, like {entity}.title, not {field}"
            ));
        }
    }
    if info.kind.supports(operator) {
        return None;
    }
    let choices: Vec<&str> = info
        .kind
        .operators(updates)
        .into_iter()
        .map(Operator::label)
        .collect();
    Some(format!(
        "'{label}' does not work on {field}, a {} field: use {}",
        info.type_name,
        one_of(&choices)
    ))
}

fn value_problem(
    field: &str,
    info: &FieldInfo<'_>,
    operator: Operator,
    value: Option<&Value>,
) -> Option<String> {
    let label = operator.label();
    let value = value.filter(|value| !value.is_null());
    match value {
        None if operator.takes_value() => Some(format!("enter a value for '{label}'")),
        Some(_) if !operator.takes_value() => Some(format!("'{label}' takes no value: remove it")),
        None => None,
        Some(value) => value_fit(field, info, operator, value),
    }
}

/// Whether `value` is something `field` can be compared with.
fn value_fit(
    field: &str,
    info: &FieldInfo<'_>,
    operator: Operator,
    value: &Value,
) -> Option<String> {
    let text = value.as_str().map(str::trim);
    // An option id can be searched for a part ("contains"); anything else names a whole option.
    let names_an_option = !matches!(operator, Operator::Contains | Operator::DoesNotContain);
    if let Some(options) = info.options.filter(|_| names_an_option) {
        return option_problem(field, options, text);
    }
    match info.kind {
        Kind::Text => match text {
            None => Some(format!("{field} is text: enter the value as text")),
            Some("") => Some(match operator {
                Operator::Contains | Operator::DoesNotContain => "enter the text to look for".to_owned(),
                _ => "the value is empty: to check for an empty field, use 'is empty'".to_owned(),
            }),
            Some(_) => None,
        },
        Kind::Number => {
            let is_number = value.is_number() || text.is_some_and(|text| text.parse::<serde_json::Number>().is_ok());
            (!is_number).then(|| format!("{field} is a number: enter a number like 10000 or 99.5, without spaces or separators"))
        }
        Kind::Date => {
            let is_date = text.is_some_and(|text| text.len() == 10 && Date::parse(text).is_some());
            (!is_date).then(|| format!("{field} is a date: enter it as YYYY-MM-DD, like 2026-12-31"))
        }
        Kind::Datetime => text.and_then(Instant::parse).is_none().then(|| {
            format!("{field} is a date and time: enter it like 2026-12-31T17:00:00Z (with its time zone), or a date like 2026-12-31")
        }),
        Kind::Boolean => {
            let is_boolean = value.is_boolean() || text.is_some_and(|text| parse_boolean(text).is_some());
            (!is_boolean).then(|| format!("{field} is yes or no: choose true or false"))
        }
        Kind::Reference => {
            let is_id = value.is_number() || text.is_some_and(|text| !text.is_empty());
            (!is_id).then(|| format!("{field} is compared by the id of its record: enter an id like 42"))
        }
        Kind::Enum | Kind::List => None,
    }
}

/// An enum condition must name one of the field's options (by id or label, ignoring case); the message
/// lists them all, since the admin cannot see the catalog.
fn option_problem(field: &str, options: Options<'_>, text: Option<&str>) -> Option<String> {
    // Folded as evaluation folds them, so a value accepted here is one that can match.
    let matches = |text: &str| {
        let text = fold(text);
        let is_named = |option: &EnumOption| {
            fold(&option.id) == text || (options.labels_match && fold(&option.label) == text)
        };
        options.options.iter().any(is_named)
    };
    if text.is_some_and(matches) {
        return None;
    }
    let listed: Vec<String> = options
        .options
        .iter()
        .map(|option| {
            if options.labels_match {
                format!("{} ({})", option.label, option.id)
            } else {
                option.id.clone()
            }
        })
        .collect();
    let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
    let shown = match text {
        Some(text) if !text.is_empty() => format!("{text:?} is not an option of {field}"),
        _ => format!("choose an option of {field}"),
    };
    Some(format!("{shown}: choose {}", one_of(&listed)))
}

/// `a`, `a or b`, `a, b or c`.
fn one_of(choices: &[&str]) -> String {
    match choices {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_parse_names_and_indexes() {
        let shown = |text: &str| parse_field(text).map(|path| path.to_string());
        assert_eq!(
            shown(" deal.products.0.name ").as_deref(),
            Some("deal.products.0.name")
        );
        assert_eq!(shown("deal._x1").as_deref(), Some("deal._x1"));
        for bad in [
            "",
            "deal.",
            ".deal",
            "deal..title",
            "deal title",
            "0.deal",
            "deal.1a",
            "deal.tit-le",
        ] {
            assert_eq!(shown(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn choices_read_as_a_sentence() {
        assert_eq!(one_of(&["is"]), "is");
        assert_eq!(one_of(&["is", "is not"]), "is or is not");
        assert_eq!(one_of(&["a", "b", "c"]), "a, b or c");
    }
}
