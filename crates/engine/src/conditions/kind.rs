//! How a condition compares: the kind of value its field holds, and the operators each kind supports.

use serde_json::Value;

use crate::catalog::{EnumOption, FieldKind, FieldTarget};
use crate::model::Operator;
use crate::template::{FieldPath, PathSegment};
use crate::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text, email and phone fields, event text, enum option ids.
    Text,
    /// Number and monetary fields.
    Number,
    Date,
    Datetime,
    /// The context holds the option's label, and its id beside it (`stage_id`).
    Enum,
    Boolean,
    /// A related record (or the record itself, or a list item): compared by its `id`.
    Reference,
    List,
}

/// What the catalog says about a condition's field.
pub(crate) struct FieldInfo<'c> {
    pub kind: Kind,
    /// For messages: "deal.title is a text field".
    pub type_name: &'static str,
    /// The values an enum (or enum option id) condition may compare with.
    pub options: Option<Options<'c>>,
}

#[derive(Clone, Copy)]
pub(crate) struct Options<'c> {
    pub options: &'c [EnumOption],
    /// An enum field matches an option's id or label; its `_id` companion only the id.
    pub labels_match: bool,
}

impl FieldInfo<'_> {
    pub fn of<'c>(target: &FieldTarget<'c>, path: &FieldPath) -> FieldInfo<'c> {
        let plain = |kind, type_name| FieldInfo {
            kind,
            type_name,
            options: None,
        };
        match target {
            // `deal` or `event.user` alone resolve to the record's id field, but the context holds the
            // whole record there: compare it like a reference.
            FieldTarget::Field(field) if field.key == "id" && !ends_with_name(path, "id") => {
                plain(Kind::Reference, "record")
            }
            FieldTarget::Field(field) => match &field.kind {
                FieldKind::Text | FieldKind::Email | FieldKind::Phone => {
                    plain(Kind::Text, field.kind.name())
                }
                FieldKind::Number | FieldKind::Monetary => plain(Kind::Number, field.kind.name()),
                FieldKind::Date => plain(Kind::Date, "date"),
                FieldKind::Datetime => plain(Kind::Datetime, "date and time"),
                FieldKind::Boolean => plain(Kind::Boolean, "yes/no"),
                FieldKind::Reference { .. } => plain(Kind::Reference, "reference"),
                FieldKind::List { .. } => plain(Kind::List, "list"),
                FieldKind::Enum { options } => FieldInfo {
                    kind: Kind::Enum,
                    type_name: "choice",
                    options: Some(Options {
                        options,
                        labels_match: true,
                    }),
                },
            },
            FieldTarget::EnumId(field) => match &field.kind {
                FieldKind::Enum { options } => FieldInfo {
                    kind: Kind::Text,
                    type_name: "option id",
                    options: Some(Options {
                        options,
                        labels_match: false,
                    }),
                },
                _ => plain(Kind::Text, "option id"),
            },
            FieldTarget::ListItem(_) => plain(Kind::Reference, "list item"),
            FieldTarget::EventText => plain(Kind::Text, "text"),
            FieldTarget::EventTime => plain(Kind::Datetime, "date and time"),
        }
    }
}

fn ends_with_name(path: &FieldPath, name: &str) -> bool {
    matches!(path.segments().last(), Some(PathSegment::Name(last)) if last == name)
}

impl Kind {
    /// The operators that compare values of this kind, in the order an operator menu lists them.
    fn comparisons(self) -> &'static [Operator] {
        use Operator::*;
        match self {
            Kind::Text => &[Is, IsNot, Contains, DoesNotContain, IsEmpty, IsNotEmpty],
            Kind::Number => &[Is, IsNot, GreaterThan, LessThan, IsEmpty, IsNotEmpty],
            Kind::Date | Kind::Datetime => &[Is, IsNot, Before, After, IsEmpty, IsNotEmpty],
            Kind::Enum | Kind::Reference => &[Is, IsNot, IsEmpty, IsNotEmpty],
            Kind::Boolean => &[Is, IsNot],
            Kind::List => &[IsEmpty, IsNotEmpty],
        }
    }

    /// Every value but a list is a single value whose change can be detected.
    fn is_scalar(self) -> bool {
        self != Kind::List
    }

    pub fn supports(self, operator: Operator) -> bool {
        if operator.needs_previous() {
            self.is_scalar()
        } else {
            self.comparisons().contains(&operator)
        }
    }

    /// The operators this kind supports; the change operators only when the trigger has previous values.
    pub fn operators(self, with_changes: bool) -> Vec<Operator> {
        let changes = [
            Operator::HasChanged,
            Operator::HasChangedTo,
            Operator::HasChangedFrom,
        ];
        let mut operators = self.comparisons().to_vec();
        if with_changes && self.is_scalar() {
            operators.extend(changes);
        }
        operators
    }

    /// The kind a value found in a context shows, for conditions compiled without a catalog. Strings are
    /// an enum's label when an option id stands beside them, a date-time when both they and the condition
    /// value read as one, text otherwise.
    pub fn infer(value: &Value, beside_enum_id: bool, expected_is_time: bool) -> Kind {
        match value {
            Value::Bool(_) => Kind::Boolean,
            Value::Number(_) => Kind::Number,
            Value::Array(_) => Kind::List,
            Value::Object(_) => Kind::Reference,
            Value::String(_) if beside_enum_id => Kind::Enum,
            Value::String(text) if expected_is_time && Instant::parse(text).is_some() => {
                Kind::Datetime
            }
            Value::String(_) | Value::Null => Kind::Text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_by_kind_follow_the_product_table() {
        use Operator::*;
        assert!(Kind::Text.supports(Contains) && !Kind::Text.supports(GreaterThan));
        assert!(Kind::Number.supports(GreaterThan) && !Kind::Number.supports(Before));
        assert!(Kind::Date.supports(Before) && !Kind::Date.supports(Contains));
        assert!(Kind::Boolean.supports(Is) && !Kind::Boolean.supports(IsEmpty));
        assert!(!Kind::Enum.supports(Contains) && Kind::Reference.supports(IsNotEmpty));
        assert_eq!(Kind::List.operators(true), [IsEmpty, IsNotEmpty]);
        for kind in [
            Kind::Text,
            Kind::Number,
            Kind::Date,
            Kind::Datetime,
            Kind::Enum,
            Kind::Boolean,
            Kind::Reference,
        ] {
            assert!(
                kind.supports(HasChanged) && kind.supports(HasChangedTo),
                "{kind:?}"
            );
            assert!(kind.operators(true).contains(&HasChangedFrom));
            assert!(!kind.operators(false).contains(&HasChanged));
        }
        assert!(!Kind::List.supports(HasChanged));
    }

    #[test]
    fn inferred_kinds_follow_the_value() {
        use serde_json::json;
        assert_eq!(Kind::infer(&json!(3), false, false), Kind::Number);
        assert_eq!(
            Kind::infer(&json!({"id": 3}), false, false),
            Kind::Reference
        );
        assert_eq!(Kind::infer(&json!("Won"), true, false), Kind::Enum);
        assert_eq!(
            Kind::infer(&json!("2026-01-01"), false, true),
            Kind::Datetime
        );
        assert_eq!(Kind::infer(&json!("2026-01-01"), false, false), Kind::Text);
        assert_eq!(Kind::infer(&json!([]), false, false), Kind::List);
    }
}
