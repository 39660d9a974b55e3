//! The condition editor's menus: which operators a field allows and which input its value needs,
//! decided by the condition validator's own rules so the menu never offers what validation refuses.

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, FieldKind, FieldTarget, EVENT_ROOT};
use crate::conditions::{operator_problem, resolve_field, Kind};
use crate::model::{EventAction, Operator, Trigger};
use crate::template::{FieldPath, PathSegment};

/// The entity `event.user` is a record of (as the catalog resolves it).
const USER_ENTITY: &str = "user";

/// The input that fits a condition value for a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ValueInput {
    Text,
    Number,
    /// `YYYY-MM-DD`.
    Date,
    /// RFC 3339 with a zone (a plain date is accepted too).
    DateTime,
    Boolean,
    /// One of these options, as `(id, label)`; the condition stores the id.
    Enum {
        options: Vec<(String, String)>,
    },
    /// The id of a record of `entity`.
    Reference {
        entity: String,
    },
    /// No value fits (a list only checks emptiness), or the field is not usable.
    None,
}

/// The operators the validator accepts for `field_path` on `trigger`, in menu order; the message for
/// the field when it is not one the trigger's conditions can use.
pub fn operators_for(
    catalog: &Catalog,
    trigger: &Trigger,
    field_path: &str,
) -> Result<Vec<Operator>, String> {
    let (path, info) =
        resolve_field(catalog, trigger, field_path).map_err(|(message, _)| message)?;
    let field = field_path.trim();
    let updates = trigger.action == EventAction::Updated;
    Ok(info
        .kind
        .operators(updates)
        .into_iter()
        .filter(|&operator| operator_problem(trigger, &path, field, &info, operator).is_none())
        .collect())
}

/// The input for a value of `field_path` on `trigger`. An option-id field (`deal.stage_id`) offers
/// its options too, though `contains` on it also takes any text.
pub fn value_input(catalog: &Catalog, trigger: &Trigger, field_path: &str) -> ValueInput {
    let Ok((path, info)) = resolve_field(catalog, trigger, field_path) else {
        return ValueInput::None;
    };
    if let Some(options) = info.options {
        let options = options
            .options
            .iter()
            .map(|option| (option.id.clone(), option.label.clone()))
            .collect();
        return ValueInput::Enum { options };
    }
    match info.kind {
        Kind::Text | Kind::Enum => ValueInput::Text,
        Kind::Number => ValueInput::Number,
        Kind::Date => ValueInput::Date,
        Kind::Datetime => ValueInput::DateTime,
        Kind::Boolean => ValueInput::Boolean,
        Kind::Reference => ValueInput::Reference {
            entity: referenced_entity(catalog, trigger, &path),
        },
        Kind::List => ValueInput::None,
    }
}

/// The entity whose record a reference-like field holds: a reference's target, a list item's entity,
/// or the record a bare path names (`deal`, `previous.deal`: the trigger's; `event.user`: a user).
fn referenced_entity(catalog: &Catalog, trigger: &Trigger, path: &FieldPath) -> String {
    let target = catalog
        .resolve_path(trigger, path)
        .map(|resolved| resolved.target);
    match target {
        Ok(FieldTarget::Field(field)) => match &field.kind {
            FieldKind::Reference { entity } => entity.clone(),
            // The record itself, which resolves to its id field.
            _ => match path.segments().first() {
                Some(PathSegment::Name(root)) if root == EVENT_ROOT => USER_ENTITY.to_owned(),
                _ => trigger.entity.clone(),
            },
        },
        Ok(FieldTarget::ListItem(entity)) => entity.key.clone(),
        _ => trigger.entity.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::conditions::validate_conditions;
    use crate::editor::picker::picker_fields;
    use crate::model::{Condition, ConditionGroup, ConditionItem, Match};

    fn trigger(entity: &str, action: EventAction) -> Trigger {
        Trigger {
            entity: entity.into(),
            action,
        }
    }

    /// A value the input offers, as the UI would send it.
    fn value_for(input: &ValueInput) -> Value {
        match input {
            ValueInput::Text | ValueInput::None => json!("x"),
            ValueInput::Number => json!(10000),
            ValueInput::Date => json!("2026-12-31"),
            ValueInput::DateTime => json!("2026-12-31T17:00:00Z"),
            ValueInput::Boolean => json!(true),
            ValueInput::Enum { options } => json!(options[0].0),
            ValueInput::Reference { .. } => json!(42),
        }
    }

    fn accepted(
        catalog: &Catalog,
        trigger: &Trigger,
        field: &str,
        operator: Operator,
        value: &Value,
    ) -> bool {
        let condition = Condition {
            field: field.into(),
            operator,
            value: operator.takes_value().then(|| value.clone()),
        };
        let group = ConditionGroup {
            match_: Match::All,
            items: vec![ConditionItem::Condition(condition)],
        };
        validate_conditions(catalog, trigger, &group).is_empty()
    }

    #[test]
    fn the_menu_lists_exactly_what_validation_accepts_with_the_offered_input() {
        let catalog = Catalog::builtin();
        for entity in catalog.trigger_entities() {
            for action in EventAction::ALL {
                let trigger = trigger(&entity.key, action);
                let mut fields: Vec<String> = picker_fields(&catalog, &trigger)
                    .into_iter()
                    .map(|f| f.path)
                    .collect();
                fields.extend([
                    entity.key.clone(),
                    "event.user".into(),
                    format!("{}.owner", entity.key),
                ]);
                for field in &fields {
                    let value = value_for(&value_input(&catalog, &trigger, field));
                    let menu = operators_for(&catalog, &trigger, field).unwrap();
                    let valid: Vec<Operator> = Operator::ALL
                        .into_iter()
                        .filter(|&operator| accepted(&catalog, &trigger, field, operator, &value))
                        .collect();
                    let mut sorted = menu.clone();
                    sorted.sort_by_key(|op| Operator::ALL.iter().position(|o| o == op));
                    assert_eq!(sorted, valid, "{field} on {trigger:?}");
                    assert!(!menu.is_empty(), "{field}");
                }
            }
        }
    }

    #[test]
    fn operators_follow_the_field_type_and_the_trigger() {
        use Operator::*;
        let catalog = Catalog::builtin();
        let updated = trigger("deal", EventAction::Updated);
        assert_eq!(
            operators_for(&catalog, &updated, "deal.value").unwrap(),
            [
                Is,
                IsNot,
                GreaterThan,
                LessThan,
                IsEmpty,
                IsNotEmpty,
                HasChanged,
                HasChangedTo,
                HasChangedFrom
            ]
        );
        assert_eq!(
            operators_for(&catalog, &updated, "deal.products").unwrap(),
            [IsEmpty, IsNotEmpty]
        );
        assert_eq!(
            operators_for(&catalog, &updated, "previous.deal.value").unwrap(),
            [Is, IsNot, GreaterThan, LessThan, IsEmpty, IsNotEmpty],
            "a previous value does not change"
        );
        let added = trigger("deal", EventAction::Added);
        assert_eq!(
            operators_for(&catalog, &added, "deal.is_rotten").unwrap(),
            [Is, IsNot]
        );
        assert_eq!(
            operators_for(&catalog, &added, "deal.titel").unwrap_err(),
            "unknown field deal.titel — did you mean deal.title?"
        );
        assert!(operators_for(&catalog, &added, "previous.deal.value").is_err());
    }

    #[test]
    fn value_inputs_by_field() {
        let catalog = Catalog::builtin();
        let deal = trigger("deal", EventAction::Updated);
        let input = |field: &str| value_input(&catalog, &deal, field);
        assert_eq!(input("deal.title"), ValueInput::Text);
        assert_eq!(input("deal.value"), ValueInput::Number);
        assert_eq!(input("deal.expected_close_date"), ValueInput::Date);
        assert_eq!(input("deal.won_time"), ValueInput::DateTime);
        assert_eq!(input("deal.is_rotten"), ValueInput::Boolean);
        let ValueInput::Enum { options } = input("deal.status") else {
            panic!("an enum input")
        };
        assert_eq!(options[1], ("won".to_owned(), "Won".to_owned()));
        assert_eq!(input("deal.status_id"), ValueInput::Enum { options });
        let reference = |entity: &str| ValueInput::Reference {
            entity: entity.into(),
        };
        assert_eq!(input("deal.person"), reference("person"));
        assert_eq!(input("deal.products.0"), reference("product"));
        assert_eq!(input("deal"), reference("deal"));
        assert_eq!(input("event.user"), reference("user"));
        assert_eq!(input("deal.products"), ValueInput::None);
        assert_eq!(input("deal.nothing"), ValueInput::None);
        assert_eq!(input("event.time"), ValueInput::DateTime);
    }
}
