//! An automation: when a record event matches the trigger and the conditions, run its webhook actions.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::template::Row;

// Every shape here refuses fields it does not know: a misspelt `"condition"` must be an error, not
// an automation that fires on every event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Automation {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub trigger: Trigger,
    #[serde(default)]
    pub conditions: ConditionGroup,
    pub actions: Vec<WebhookAction>,
}

/// The entity (`deal`, `person`, …) and what happened to one of its records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    pub entity: String,
    pub action: EventAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventAction {
    Added,
    Updated,
    Deleted,
}

impl EventAction {
    pub const ALL: [EventAction; 3] = [
        EventAction::Added,
        EventAction::Updated,
        EventAction::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventAction::Added => "added",
            EventAction::Updated => "updated",
            EventAction::Deleted => "deleted",
        }
    }
}

/// Conditions joined by all (AND) or any (OR); a group can hold groups, so "all of A and (B or C)"
/// is one group of `all` holding A and an `any` group of B and C. An empty group always matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionGroup {
    #[serde(rename = "match")]
    pub match_: Match,
    pub items: Vec<ConditionItem>,
}

impl Default for ConditionGroup {
    fn default() -> Self {
        ConditionGroup {
            match_: Match::All,
            items: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    All,
    Any,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ConditionItem {
    Condition(Condition),
    Group(ConditionGroup),
}

/// An item with `field` or `operator` is a condition, else one with `items` or `match` a group, else
/// a condition — chosen by its keys rather than by trying each shape, so a mistake is reported as
/// that mistake ("unknown field `feild`", "unknown field `items`") instead of "matches no kind of
/// condition item".
impl<'de> Deserialize<'de> for ConditionItem {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = Value::deserialize(deserializer)?;
        let has = |key: &str| value.as_object().is_some_and(|item| item.contains_key(key));
        let is_group = !has("field") && !has("operator") && (has("items") || has("match"));
        if is_group {
            ConditionGroup::deserialize(value)
                .map(ConditionItem::Group)
                .map_err(D::Error::custom)
        } else {
            Condition::deserialize(value)
                .map(ConditionItem::Condition)
                .map_err(D::Error::custom)
        }
    }
}

/// `deal.value greater_than 10000`. `field` is a dot path on the trigger's record (`deal.stage`,
/// `deal.person.email`); `value` is absent for operators that take none (`is_empty`, `has_changed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    pub operator: Operator,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    Is,
    IsNot,
    Contains,
    DoesNotContain,
    IsEmpty,
    IsNotEmpty,
    GreaterThan,
    LessThan,
    Before,
    After,
    HasChanged,
    HasChangedTo,
    HasChangedFrom,
}

impl Operator {
    pub const ALL: [Operator; 13] = [
        Operator::Is,
        Operator::IsNot,
        Operator::Contains,
        Operator::DoesNotContain,
        Operator::IsEmpty,
        Operator::IsNotEmpty,
        Operator::GreaterThan,
        Operator::LessThan,
        Operator::Before,
        Operator::After,
        Operator::HasChanged,
        Operator::HasChangedTo,
        Operator::HasChangedFrom,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Operator::Is => "is",
            Operator::IsNot => "is not",
            Operator::Contains => "contains",
            Operator::DoesNotContain => "does not contain",
            Operator::IsEmpty => "is empty",
            Operator::IsNotEmpty => "is not empty",
            Operator::GreaterThan => "is greater than",
            Operator::LessThan => "is less than",
            Operator::Before => "is before",
            Operator::After => "is after",
            Operator::HasChanged => "has changed",
            Operator::HasChangedTo => "has changed to",
            Operator::HasChangedFrom => "has changed from",
        }
    }

    /// Whether the operator compares with a value the admin enters.
    pub fn takes_value(self) -> bool {
        !matches!(
            self,
            Operator::IsEmpty | Operator::IsNotEmpty | Operator::HasChanged
        )
    }

    /// The change operators need the previous record, which only update events carry.
    pub fn needs_previous(self) -> bool {
        matches!(
            self,
            Operator::HasChanged | Operator::HasChangedTo | Operator::HasChangedFrom
        )
    }
}

/// Send one request to a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookAction {
    pub webhook_id: String,
    pub method: Method,
    /// Appended to the webhook's base URL; may hold placeholders (`/orders/{{deal.id}}`).
    #[serde(default)]
    pub path: String,
    pub body: Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub const ALL: [Method; 4] = [Method::Post, Method::Put, Method::Patch, Method::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The request body, which every action must have: key-value rows or a raw JSON template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum Body {
    KeyValue { rows: Vec<Row> },
    Raw { template: String },
}
