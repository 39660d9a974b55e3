//! Conditions: which events an automation runs for, e.g. "deal.status is Won and deal.value is greater
//! than 10000".
//!
//! [`validate_conditions`] checks conditions against the field catalog for the editor;
//! [`CompiledConditions`] checks them once and is then evaluated against many events, each evaluation
//! keeping a trace of every condition for the execution history.
//!
//! Semantics, evaluated against the render context (`crate::context::render_context`):
//! - A group of `all` matches when every item does, a group of `any` when at least one does. An empty
//!   group matches, whether `all` or `any`: it puts no restriction, like an automation without conditions.
//! - Text comparisons (`is`, `contains`, enum labels and option ids) ignore case and surrounding spaces:
//!   an admin typing "won" means the stage shown as "Won ".
//! - Numbers compare numerically (`"10000"` as a condition value is the number 10000); dates compare as
//!   calendar dates, date-times as instants (any time zone); enums match the option id or its label;
//!   references and records match their `id`.
//! - Empty means missing, null, blank text or an empty list. An empty field "is not" any value and "does
//!   not contain" any text; it is neither greater nor less than a number nor before or after a date.
//! - `has changed` compares the current value with the previous one (references and enums by id); two
//!   empty values are no change. Without previous values (not an update) nothing has changed. `has changed
//!   to X` is "changed, and now is X"; `has changed from X` is "changed, and was X".

mod compare;
mod compile;
mod expected;
mod kind;
mod validate;

#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::model::{ConditionGroup, Operator, Trigger};

pub use compile::CompiledConditions;
// The editor lists the operators and value inputs a field allows with the validator's own rules.
pub(crate) use kind::Kind;
pub(crate) use validate::{operator_problem, resolve_field};

/// Where a condition stands: its index in the root group, then in each nested group (`[1, 0]` is the first
/// item of the group that is the root's second item).
pub type IndexPath = Vec<usize>;

/// Something wrong with one condition, for the editor to show next to the input it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionProblem {
    pub index_path: IndexPath,
    pub part: ConditionPart,
    pub message: String,
    /// The field path that was probably meant, for a one-click fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// The input of a condition a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionPart {
    Field,
    Operator,
    Value,
}

/// `condition 2.1: MESSAGE`, numbering from 1 as the editor shows conditions.
impl fmt::Display for ConditionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let numbers: Vec<String> = self
            .index_path
            .iter()
            .map(|index| (index + 1).to_string())
            .collect();
        write!(f, "condition {}: {}", numbers.join("."), self.message)
    }
}

/// The result of evaluating conditions against one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub matched: bool,
    /// Every condition, in order, whether or not it decided the result.
    pub trace: Vec<ConditionTrace>,
}

/// How one condition evaluated, as the execution history shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionTrace {
    pub index_path: IndexPath,
    pub field: String,
    pub operator: Operator,
    /// The value the condition compares with, as written; absent for operators without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// The field's value in the event (null when it has none).
    pub actual: Value,
    /// For the change operators: the field's value before the update (null when it had none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Value>,
    pub result: bool,
}

/// Every problem of `group` for an automation on `trigger`; empty when the conditions can run.
pub fn validate_conditions(
    catalog: &Catalog,
    trigger: &Trigger,
    group: &ConditionGroup,
) -> Vec<ConditionProblem> {
    match CompiledConditions::compile(catalog, trigger, group) {
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    }
}

/// Evaluates `group` against a render context, without a catalog: how each comparison works is read
/// from the values found (see [`CompiledConditions::without_catalog`]). To evaluate the same conditions
/// against many events, compile them once instead.
pub fn evaluate(group: &ConditionGroup, context: &Value) -> Evaluation {
    CompiledConditions::without_catalog(group).evaluate(context)
}
