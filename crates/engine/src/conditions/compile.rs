//! Conditions compiled once (field paths parsed and checked, values read in every form they compare in)
//! and evaluated against many events: the runner checks every automation against each event.

use std::cmp::Ordering;

use serde_json::Value;

use super::compare::{contains, equals, is_empty, order, same, Found};
use super::expected::Expected;
use super::kind::Kind;
use super::validate::{check_condition, parse_field};
use super::{ConditionProblem, ConditionTrace, Evaluation, IndexPath};
use crate::catalog::{Catalog, ENUM_ID_SUFFIX, EVENT_ROOT, PREVIOUS_ROOT};
use crate::model::{Condition, ConditionGroup, ConditionItem, Match, Operator, Trigger};
use crate::template::{FieldPath, PathSegment};

#[derive(Debug, Clone)]
pub struct CompiledConditions {
    root: Group,
    /// Every condition, in the order the trace lists them; groups refer to them by index.
    conditions: Vec<CompiledCondition>,
}

#[derive(Debug, Clone)]
struct Group {
    match_: Match,
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
enum Item {
    Condition(usize),
    Group(Group),
}

#[derive(Debug, Clone)]
struct CompiledCondition {
    index_path: IndexPath,
    /// As written, for the trace.
    field: String,
    operator: Operator,
    /// As written, for the trace.
    value: Option<Value>,
    expected: Expected,
    /// `None` when compiled without a catalog: the kind is read from the value found.
    kind: Option<Kind>,
    /// `None` when the field is not a path (only without a catalog): the condition never holds.
    paths: Option<Paths>,
}

/// Where a condition's values are in the render context.
#[derive(Debug, Clone)]
struct Paths {
    current: FieldPath,
    /// An enum's option id, beside its label (`deal.stage_id` beside `deal.stage`).
    enum_id: Option<FieldPath>,
    /// For the change operators.
    previous: Option<PreviousPaths>,
}

#[derive(Debug, Clone)]
struct PreviousPaths {
    /// The record before the update (`previous.deal`): without it there are no previous values at all.
    record: FieldPath,
    value: FieldPath,
    enum_id: Option<FieldPath>,
}

/// One condition's values in one event, and whether it holds.
struct Tested<'v> {
    current: Option<&'v Value>,
    /// For the change operators: the value before the update.
    previous: Option<Option<&'v Value>>,
    result: bool,
}

impl CompiledConditions {
    /// Checks `group` for an automation on `trigger` and compiles it, or returns every problem found.
    pub fn compile(
        catalog: &Catalog,
        trigger: &Trigger,
        group: &ConditionGroup,
    ) -> Result<Self, Vec<ConditionProblem>> {
        let mut problems = Vec::new();
        let compiled = CompiledConditions::build(group, |condition, index_path| {
            match check_condition(catalog, trigger, condition, index_path) {
                Ok(checked) => Some(CompiledCondition::new(
                    condition,
                    index_path,
                    Some(checked.path),
                    Some(checked.kind),
                )),
                Err(problem) => {
                    problems.push(problem);
                    None
                }
            }
        });
        if problems.is_empty() {
            Ok(compiled)
        } else {
            Err(problems)
        }
    }

    /// Compiles `group` without checking it against a catalog (for tools that have none). Each comparison
    /// takes its kind from the value found: numbers compare as numbers, records by id, a string beside an
    /// option id as an enum, a string as a date-time when both it and the condition value read as one, any
    /// other string as text. A condition whose field is not a path never holds.
    pub fn without_catalog(group: &ConditionGroup) -> Self {
        CompiledConditions::build(group, |condition, index_path| {
            Some(CompiledCondition::new(
                condition,
                index_path,
                parse_field(&condition.field),
                None,
            ))
        })
    }

    fn build(
        group: &ConditionGroup,
        mut compile: impl FnMut(&Condition, &[usize]) -> Option<CompiledCondition>,
    ) -> Self {
        let mut conditions = Vec::new();
        let root = build_group(group, &mut Vec::new(), &mut |condition, index_path| {
            let compiled = compile(condition, index_path)?;
            conditions.push(compiled);
            Some(conditions.len() - 1)
        });
        CompiledConditions { root, conditions }
    }

    /// Whether the conditions hold for the event whose render context is `context`, stopping as soon as
    /// the answer is known (no trace).
    pub fn matches(&self, context: &Value) -> bool {
        group_result(&self.root, &|index| {
            self.conditions[index].test(context).result
        })
    }

    /// Whether the conditions hold, with every condition's trace.
    pub fn evaluate(&self, context: &Value) -> Evaluation {
        let tested: Vec<Tested<'_>> = self
            .conditions
            .iter()
            .map(|condition| condition.test(context))
            .collect();
        let matched = group_result(&self.root, &|index| tested[index].result);
        let trace = self
            .conditions
            .iter()
            .zip(&tested)
            .map(|(condition, tested)| condition.trace(tested))
            .collect();
        Evaluation { matched, trace }
    }
}

/// A group's result from its conditions' results, asked for only until the answer is known.
fn group_result(group: &Group, result: &impl Fn(usize) -> bool) -> bool {
    let item_result = |item: &Item| match item {
        Item::Condition(index) => result(*index),
        Item::Group(inner) => group_result(inner, result),
    };
    match group.match_ {
        Match::All => group.items.iter().all(item_result),
        Match::Any => group.items.is_empty() || group.items.iter().any(item_result),
    }
}

fn build_group(
    group: &ConditionGroup,
    index_path: &mut Vec<usize>,
    compile: &mut impl FnMut(&Condition, &[usize]) -> Option<usize>,
) -> Group {
    let mut items = Vec::with_capacity(group.items.len());
    for (index, item) in group.items.iter().enumerate() {
        index_path.push(index);
        match item {
            ConditionItem::Condition(condition) => {
                items.extend(compile(condition, index_path).map(Item::Condition))
            }
            ConditionItem::Group(inner) => {
                items.push(Item::Group(build_group(inner, index_path, compile)))
            }
        }
        index_path.pop();
    }
    Group {
        match_: group.match_,
        items,
    }
}

impl CompiledCondition {
    fn new(
        condition: &Condition,
        index_path: &[usize],
        path: Option<FieldPath>,
        kind: Option<Kind>,
    ) -> Self {
        let value = condition.value.clone().filter(|value| !value.is_null());
        CompiledCondition {
            index_path: index_path.to_vec(),
            field: condition.field.trim().to_owned(),
            operator: condition.operator,
            expected: Expected::read(value.as_ref()),
            value,
            paths: path.map(|path| Paths::new(path, kind, condition.operator)),
            kind,
        }
    }

    fn test<'v>(&self, context: &'v Value) -> Tested<'v> {
        let Some(paths) = &self.paths else {
            let previous = self.operator.needs_previous().then_some(None);
            return Tested {
                current: None,
                previous,
                result: false,
            };
        };
        let current = Found {
            value: paths.current.lookup(context),
            enum_id: lookup(paths.enum_id.as_ref(), context),
        };
        // Without the record before the update (not an update), there is nothing to compare with.
        let previous = paths
            .previous
            .as_ref()
            .filter(|previous| {
                previous
                    .record
                    .lookup(context)
                    .is_some_and(Value::is_object)
            })
            .map(|previous| Found {
                value: previous.value.lookup(context),
                enum_id: lookup(previous.enum_id.as_ref(), context),
            });
        let kind = self
            .kind
            .unwrap_or_else(|| infer_kind(current, previous, &self.expected));
        let expected = &self.expected;
        let ordered =
            |wanted| current.value.and_then(|value| order(kind, value, expected)) == Some(wanted);
        let result = match self.operator {
            Operator::IsEmpty => is_empty(current.value),
            Operator::IsNotEmpty => !is_empty(current.value),
            Operator::Is => equals(kind, current, expected),
            Operator::IsNot => !equals(kind, current, expected),
            Operator::Contains => contains(current, expected),
            Operator::DoesNotContain => !contains(current, expected),
            Operator::GreaterThan | Operator::After => ordered(Ordering::Greater),
            Operator::LessThan | Operator::Before => ordered(Ordering::Less),
            Operator::HasChanged => previous.is_some_and(|previous| !same(kind, current, previous)),
            Operator::HasChangedTo => previous.is_some_and(|previous| {
                !same(kind, current, previous) && equals(kind, current, expected)
            }),
            Operator::HasChangedFrom => previous.is_some_and(|previous| {
                !same(kind, current, previous) && equals(kind, previous, expected)
            }),
        };
        Tested {
            current: current.value,
            previous: self
                .operator
                .needs_previous()
                .then(|| previous.and_then(|found| found.value)),
            result,
        }
    }

    fn trace(&self, tested: &Tested<'_>) -> ConditionTrace {
        let shown = |value: Option<&Value>| value.cloned().unwrap_or(Value::Null);
        ConditionTrace {
            index_path: self.index_path.clone(),
            field: self.field.clone(),
            operator: self.operator,
            expected: self.value.clone(),
            actual: shown(tested.current),
            previous: tested.previous.map(shown),
            result: tested.result,
        }
    }
}

/// Without a catalog: the kind of the value found now, or else of the value before the update.
fn infer_kind(current: Found<'_>, previous: Option<Found<'_>>, expected: &Expected) -> Kind {
    let found = Some(current)
        .filter(|found| found.value.is_some())
        .or(previous);
    match found.and_then(|found| Some((found.value?, found.enum_id.is_some()))) {
        Some((value, beside_enum_id)) => {
            Kind::infer(value, beside_enum_id, expected.instant.is_some())
        }
        None => Kind::Text,
    }
}

fn lookup<'v>(path: Option<&FieldPath>, context: &'v Value) -> Option<&'v Value> {
    path?.lookup(context)
}

impl Paths {
    fn new(current: FieldPath, kind: Option<Kind>, operator: Operator) -> Self {
        // Without a catalog any field may be an enum: its option id is looked for beside it.
        let enum_id = matches!(kind, Some(Kind::Enum) | None)
            .then(|| enum_id_path(&current))
            .flatten();
        let previous = operator
            .needs_previous()
            .then(|| previous_paths(&current, enum_id.as_ref()))
            .flatten();
        Paths {
            current,
            enum_id,
            previous,
        }
    }
}

/// `deal.stage` → `deal.stage_id`.
fn enum_id_path(path: &FieldPath) -> Option<FieldPath> {
    let mut segments = path.segments().to_vec();
    match segments.last_mut()? {
        PathSegment::Name(name) => name.push_str(ENUM_ID_SUFFIX),
        PathSegment::Index(_) => return None,
    }
    Some(FieldPath::new(segments))
}

/// `deal.stage` → `previous.deal` and `previous.deal.stage`. Only fields of the record have previous values.
fn previous_paths(current: &FieldPath, enum_id: Option<&FieldPath>) -> Option<PreviousPaths> {
    let root = match current.segments().first()? {
        PathSegment::Name(name) if name != PREVIOUS_ROOT && name != EVENT_ROOT => name,
        _ => return None,
    };
    let previous = |path: &FieldPath| {
        let mut segments = vec![PathSegment::Name(PREVIOUS_ROOT.to_owned())];
        segments.extend_from_slice(path.segments());
        FieldPath::new(segments)
    };
    Some(PreviousPaths {
        record: FieldPath::new(vec![
            PathSegment::Name(PREVIOUS_ROOT.to_owned()),
            PathSegment::Name(root.clone()),
        ]),
        value: previous(current),
        enum_id: enum_id.map(previous),
    })
}
