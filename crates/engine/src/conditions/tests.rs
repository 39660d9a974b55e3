//! Conditions against the built-in catalog and sample data, as the editor and the runner use them.

use serde_json::{json, Value};

use super::*;
use crate::context::render_context;
use crate::event::Record;
use crate::model::{EventAction, Trigger};
use crate::sample::{Change, SampleData};

fn trigger(action: EventAction) -> Trigger {
    Trigger {
        entity: "deal".into(),
        action,
    }
}

fn group(json: Value) -> ConditionGroup {
    serde_json::from_value(json).expect("a condition group")
}

/// `all` of one condition.
fn one(field: &str, operator: &str, value: Option<Value>) -> ConditionGroup {
    let mut condition = json!({"field": field, "operator": operator});
    if let Some(value) = value {
        condition["value"] = value;
    }
    group(json!({"match": "all", "items": [condition]}))
}

fn problems(action: EventAction, conditions: &ConditionGroup) -> Vec<ConditionProblem> {
    validate_conditions(&Catalog::builtin(), &trigger(action), conditions)
}

fn only_problem(
    action: EventAction,
    field: &str,
    operator: &str,
    value: Option<Value>,
) -> ConditionProblem {
    let found = problems(action, &one(field, operator, value));
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

/// The render context of an update of sample deal 301, `change` applied to its current values.
fn deal_update(change: impl FnOnce(&mut Record)) -> Value {
    event_context(EventAction::Updated, change)
}

fn event_context(action: EventAction, change: impl FnOnce(&mut Record)) -> Value {
    let catalog = Catalog::builtin();
    let sample = SampleData::builtin();
    let before = sample.record("deal", 301).unwrap().clone();
    let mut current = before.clone();
    change(&mut current);
    let event = sample.event(
        &catalog,
        Change {
            id: "evt_1",
            entity: "deal",
            action,
            time: "2026-11-28T09:00:00Z",
            user: &sample.admin().user,
            current: &current,
            previous: (action == EventAction::Updated).then_some(&before),
        },
    );
    render_context(&catalog, &event)
}

/// Evaluates with the catalog (as the runner does) and without (as `evaluate` does); both must agree.
fn holds(conditions: &ConditionGroup, context: &Value) -> bool {
    let compiled = CompiledConditions::compile(
        &Catalog::builtin(),
        &trigger(EventAction::Updated),
        conditions,
    )
    .unwrap_or_else(|problems| panic!("{problems:?}"));
    let with_catalog = compiled.evaluate(context);
    assert_eq!(
        compiled.matches(context),
        with_catalog.matched,
        "matches() agrees with evaluate()"
    );
    assert_eq!(
        evaluate(conditions, context).matched,
        with_catalog.matched,
        "the catalog-free evaluation agrees"
    );
    with_catalog.matched
}

fn check(field: &str, operator: &str, value: Option<Value>, context: &Value) -> bool {
    holds(&one(field, operator, value), context)
}

mod validation {
    use super::*;

    #[test]
    fn conditions_fitting_every_field_type_have_no_problems() {
        let conditions = group(json!({"match": "all", "items": [
            {"field": "deal.title", "operator": "contains", "value": "fleet"},
            {"field": "deal.value", "operator": "greater_than", "value": "10000"},
            {"field": "deal.probability", "operator": "less_than", "value": 90},
            {"field": "deal.expected_close_date", "operator": "before", "value": "2027-01-01"},
            {"field": "deal.won_time", "operator": "after", "value": "2026-01-01T00:00:00+01:00"},
            {"field": "deal.add_time", "operator": "after", "value": "2026-01-01"},
            {"field": "deal.status", "operator": "is", "value": "Won"},
            {"field": "deal.stage_id", "operator": "is_not", "value": "qualified"},
            {"field": "deal.is_rotten", "operator": "is", "value": false},
            {"field": "deal.person", "operator": "is", "value": 201},
            {"field": "deal.person.email", "operator": "is_not_empty"},
            {"field": "deal.products", "operator": "is_empty"},
            {"field": "event.user.name", "operator": "is", "value": "Ada Admin"},
            {"field": "previous.deal.stage", "operator": "is", "value": "negotiations"},
            {"match": "any", "items": [
                {"field": "deal.stage", "operator": "has_changed_to", "value": "negotiations"},
                {"field": "deal.owner", "operator": "has_changed"},
                {"field": "deal.value", "operator": "has_changed_from", "value": 1000}
            ]}
        ]}));
        assert_eq!(problems(EventAction::Updated, &conditions), []);
    }

    #[test]
    fn empty_groups_are_fine() {
        for match_ in ["all", "any"] {
            let empty = group(json!({"match": match_, "items": []}));
            assert_eq!(problems(EventAction::Added, &empty), []);
        }
    }

    #[test]
    fn unknown_fields_say_what_was_probably_meant() {
        let problem = only_problem(EventAction::Updated, "deal.titel", "is", Some(json!("x")));
        assert_eq!(problem.part, ConditionPart::Field);
        assert_eq!(problem.suggestion.as_deref(), Some("deal.title"));
        assert!(
            problem.message.contains("unknown field deal.titel"),
            "{}",
            problem.message
        );
        assert!(
            problem.message.contains("did you mean deal.title?"),
            "{}",
            problem.message
        );
        let syntax = only_problem(EventAction::Updated, "deal..title", "is", Some(json!("x")));
        assert!(
            syntax.message.contains("is not a field"),
            "{}",
            syntax.message
        );
        let empty = only_problem(EventAction::Updated, " ", "is", Some(json!("x")));
        assert!(
            empty.message.starts_with("choose a field"),
            "{}",
            empty.message
        );
    }

    #[test]
    fn problems_name_the_condition_by_its_place_in_nested_groups() {
        let conditions = group(json!({"match": "all", "items": [
            {"field": "deal.title", "operator": "is", "value": "ok"},
            {"match": "any", "items": [
                {"field": "deal.nope", "operator": "is", "value": "x"},
                {"field": "deal.title", "operator": "is", "value": "ok"},
                {"match": "all", "items": [{"field": "deal.value", "operator": "contains", "value": "1"}]}
            ]}
        ]}));
        let found = problems(EventAction::Updated, &conditions);
        let places: Vec<_> = found
            .iter()
            .map(|problem| problem.index_path.clone())
            .collect();
        assert_eq!(places, [vec![1, 0], vec![1, 2, 0]]);
        assert!(
            found[1].to_string().starts_with("condition 2.3.1: "),
            "{}",
            found[1]
        );
    }

    #[test]
    fn operators_must_fit_the_field_type() {
        for (field, operator, value) in [
            ("deal.title", "greater_than", json!(1)),
            ("deal.title", "before", json!("2026-01-01")),
            ("deal.value", "contains", json!("1")),
            ("deal.value", "after", json!(1)),
            (
                "deal.expected_close_date",
                "greater_than",
                json!("2026-01-01"),
            ),
            ("deal.expected_close_date", "contains", json!("2026")),
            ("deal.status", "contains", json!("won")),
            ("deal.status", "greater_than", json!("won")),
            ("deal.is_rotten", "is_empty", Value::Null),
            ("deal.is_rotten", "contains", json!("t")),
            ("deal.person", "contains", json!("Pat")),
            ("deal.products", "is", json!(1)),
            ("deal.products", "has_changed", Value::Null),
        ] {
            let value = Some(value).filter(|value| !value.is_null());
            let problem = only_problem(EventAction::Updated, field, operator, value);
            assert_eq!(problem.part, ConditionPart::Operator, "{field} {operator}");
            assert!(
                problem
                    .message
                    .contains(&format!("does not work on {field}")),
                "{}",
                problem.message
            );
        }
        let listed = only_problem(
            EventAction::Updated,
            "deal.value",
            "contains",
            Some(json!("1")),
        )
        .message;
        assert!(
            listed.ends_with(
                "use is, is not, is greater than, is less than, is empty, is not empty, has changed, has changed to or has changed from"
            ),
            "{listed}"
        );
        let on_added = only_problem(
            EventAction::Added,
            "deal.value",
            "contains",
            Some(json!("1")),
        )
        .message;
        assert!(!on_added.contains("has changed"), "{on_added}");
    }

    #[test]
    fn change_operators_need_an_update_trigger() {
        let added = only_problem(EventAction::Added, "deal.stage", "has_changed", None);
        assert_eq!(added.part, ConditionPart::Operator);
        assert_eq!(
            added.message,
            "'has changed' only works on 'updated' triggers: a new record has no previous value"
        );
        let deleted = only_problem(
            EventAction::Deleted,
            "deal.stage",
            "has_changed_to",
            Some(json!("won")),
        );
        assert!(
            deleted
                .message
                .contains("a deleted record has no previous value"),
            "{}",
            deleted.message
        );
        assert_eq!(
            problems(
                EventAction::Updated,
                &one("deal.stage", "has_changed", None)
            ),
            []
        );
        for field in ["previous.deal.stage", "event.time"] {
            let problem = only_problem(EventAction::Updated, field, "has_changed", None);
            assert!(
                problem.message.contains("choose a field of the deal"),
                "{}",
                problem.message
            );
        }
    }

    #[test]
    fn previous_values_only_exist_on_update_triggers() {
        let problem = only_problem(
            EventAction::Added,
            "previous.deal.stage",
            "is",
            Some(json!("won")),
        );
        assert_eq!(problem.part, ConditionPart::Field);
        assert!(
            problem.message.contains("only when a record is updated"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn a_value_is_required_exactly_when_the_operator_takes_one() {
        for operator in ["is", "contains", "has_changed_to"] {
            let problem = only_problem(EventAction::Updated, "deal.title", operator, None);
            assert_eq!(problem.part, ConditionPart::Value);
            assert!(
                problem.message.starts_with("enter a value"),
                "{}",
                problem.message
            );
            let null = only_problem(
                EventAction::Updated,
                "deal.title",
                operator,
                Some(Value::Null),
            );
            assert_eq!(null.part, ConditionPart::Value);
        }
        for operator in ["is_empty", "is_not_empty", "has_changed"] {
            let problem = only_problem(
                EventAction::Updated,
                "deal.title",
                operator,
                Some(json!("x")),
            );
            assert!(
                problem.message.ends_with("takes no value: remove it"),
                "{}",
                problem.message
            );
        }
    }

    #[test]
    fn values_must_fit_the_field_type() {
        let accepted = [
            ("deal.value", json!("10000")),
            ("deal.value", json!(99.5)),
            ("deal.expected_close_date", json!("2026-12-31")),
            ("deal.won_time", json!("2026-12-31T17:00:00-05:00")),
            ("deal.won_time", json!("2026-12-31")),
            ("deal.is_rotten", json!("true")),
            ("deal.person", json!("201")),
            ("deal", json!(301)),
            ("deal.title", json!("Fleet")),
        ];
        for (field, value) in accepted {
            assert_eq!(
                problems(EventAction::Updated, &one(field, "is", Some(value.clone()))),
                [],
                "{field} {value}"
            );
        }
        let refused = [
            ("deal.value", json!("10,000"), "enter a number"),
            ("deal.value", json!(true), "enter a number"),
            (
                "deal.expected_close_date",
                json!("31/12/2026"),
                "YYYY-MM-DD",
            ),
            (
                "deal.expected_close_date",
                json!("2026-12-31T10:00:00Z"),
                "YYYY-MM-DD",
            ),
            ("deal.won_time", json!("2026-12-31T17:00:00"), "time zone"),
            ("deal.is_rotten", json!("yes"), "true or false"),
            ("deal.person", json!(""), "enter an id"),
            ("deal.title", json!(42), "as text"),
            ("deal.title", json!("  "), "use 'is empty'"),
        ];
        for (field, value, says) in refused {
            let problem = only_problem(EventAction::Updated, field, "is", Some(value.clone()));
            assert_eq!(problem.part, ConditionPart::Value, "{field} {value}");
            assert!(
                problem.message.contains(says),
                "{field} {value}: {}",
                problem.message
            );
        }
        let contains_nothing = only_problem(
            EventAction::Updated,
            "deal.title",
            "contains",
            Some(json!("")),
        );
        assert_eq!(contains_nothing.message, "enter the text to look for");
    }

    #[test]
    fn enum_values_must_be_an_option_and_the_message_lists_them() {
        for value in ["won", "Won", " WON ", "Negotiations started"] {
            let field = if value.starts_with('N') {
                "deal.stage"
            } else {
                "deal.status"
            };
            assert_eq!(
                problems(EventAction::Updated, &one(field, "is", Some(json!(value)))),
                [],
                "{value}"
            );
        }
        let problem = only_problem(
            EventAction::Updated,
            "deal.status",
            "is",
            Some(json!("Wonn")),
        );
        assert_eq!(problem.part, ConditionPart::Value);
        assert_eq!(
            problem.message,
            "\"Wonn\" is not an option of deal.status: choose Open (open), Won (won) or Lost (lost)"
        );
        let by_id_only = only_problem(
            EventAction::Updated,
            "deal.status_id",
            "is",
            Some(json!("Closed")),
        );
        assert_eq!(by_id_only.part, ConditionPart::Value);
        assert!(
            by_id_only.message.ends_with("choose open, won or lost"),
            "{}",
            by_id_only.message
        );
        let part_of_an_id = one("deal.stage_id", "contains", Some(json!("made")));
        assert_eq!(problems(EventAction::Updated, &part_of_an_id), []);
    }

    #[test]
    fn compiling_refuses_what_validation_reports() {
        let catalog = Catalog::builtin();
        let conditions = one("deal.valeu", "is", Some(json!(1)));
        let problems =
            CompiledConditions::compile(&catalog, &trigger(EventAction::Updated), &conditions)
                .unwrap_err();
        assert_eq!(
            problems,
            validate_conditions(&catalog, &trigger(EventAction::Updated), &conditions)
        );
        assert_eq!(problems[0].suggestion.as_deref(), Some("deal.value"));
    }
}

mod evaluation {
    use super::*;

    #[test]
    fn groups_combine_with_all_and_any_and_empty_groups_match() {
        let context = deal_update(|_| {});
        let yes = json!({"field": "deal.currency", "operator": "is", "value": "EUR"});
        let no = json!({"field": "deal.currency", "operator": "is", "value": "USD"});
        let cases = [
            (json!({"match": "all", "items": [yes, yes]}), true),
            (json!({"match": "all", "items": [yes, no]}), false),
            (json!({"match": "any", "items": [no, yes]}), true),
            (json!({"match": "any", "items": [no, no]}), false),
            (json!({"match": "all", "items": []}), true),
            (json!({"match": "any", "items": []}), true),
            (
                json!({"match": "all", "items": [yes, {"match": "any", "items": [no, yes]}]}),
                true,
            ),
            (
                json!({"match": "any", "items": [no, {"match": "all", "items": [yes, no]}]}),
                false,
            ),
        ];
        for (conditions, expected) in cases {
            assert_eq!(
                holds(&group(conditions.clone()), &context),
                expected,
                "{conditions}"
            );
        }
    }

    #[test]
    fn the_trace_holds_every_condition_even_after_the_result_is_known() {
        let context = deal_update(|deal| {
            deal.insert("stage".into(), json!("proposal_made"));
        });
        let conditions = group(json!({"match": "any", "items": [
            {"field": "deal.value", "operator": "greater_than", "value": "10000"},
            {"match": "all", "items": [
                {"field": "deal.title", "operator": "contains", "value": "NOPE"},
                {"field": "deal.stage", "operator": "has_changed_from", "value": "negotiations"}
            ]}
        ]}));
        let compiled = CompiledConditions::compile(
            &Catalog::builtin(),
            &trigger(EventAction::Updated),
            &conditions,
        )
        .unwrap();
        let evaluation = compiled.evaluate(&context);
        assert!(evaluation.matched);
        let summary: Vec<_> = evaluation
            .trace
            .iter()
            .map(|t| (t.index_path.clone(), t.result))
            .collect();
        assert_eq!(
            summary,
            [(vec![0], true), (vec![1, 0], false), (vec![1, 1], true)]
        );
        let first = &evaluation.trace[0];
        assert_eq!(first.field, "deal.value");
        assert_eq!(first.operator, Operator::GreaterThan);
        assert_eq!(first.expected, Some(json!("10000")));
        assert_eq!(
            first.actual,
            json!(184000),
            "the typed value from the context"
        );
        assert_eq!(first.previous, None);
        let change = &evaluation.trace[2];
        assert_eq!(
            (&change.actual, &change.previous),
            (
                &json!("Proposal made"),
                &Some(json!("Negotiations started"))
            )
        );
        let stored = serde_json::to_string(&evaluation).unwrap();
        assert_eq!(
            serde_json::from_str::<Evaluation>(&stored).unwrap(),
            evaluation
        );
    }

    #[test]
    fn missing_values_are_traced_as_null() {
        let context = deal_update(|deal| {
            deal.remove("won_time");
        });
        let evaluation = evaluate(
            &one("deal.won_time", "after", Some(json!("2026-01-01"))),
            &context,
        );
        assert!(!evaluation.matched);
        assert_eq!(evaluation.trace[0].actual, Value::Null);
    }

    #[test]
    fn text_ignores_case_and_surrounding_spaces() {
        let context = deal_update(|deal| {
            deal.insert("title".into(), json!("  Fleet Telematics "));
        });
        assert!(check(
            "deal.title",
            "is",
            Some(json!("fleet telematics")),
            &context
        ));
        assert!(!check(
            "deal.title",
            "is_not",
            Some(json!("FLEET TELEMATICS")),
            &context
        ));
        assert!(check(
            "deal.title",
            "contains",
            Some(json!("TELE")),
            &context
        ));
        assert!(check(
            "deal.title",
            "does_not_contain",
            Some(json!("truck")),
            &context
        ));
        assert!(!check("deal.title", "is", Some(json!("fleet")), &context));
    }

    #[test]
    fn numbers_compare_numerically() {
        let context = deal_update(|deal| {
            deal.insert("value".into(), json!(9999.5));
        });
        assert!(check(
            "deal.value",
            "less_than",
            Some(json!("10000")),
            &context
        ));
        assert!(!check(
            "deal.value",
            "greater_than",
            Some(json!(10000)),
            &context
        ));
        assert!(check("deal.value", "is", Some(json!("9999.50")), &context));
        assert!(
            check("deal.value", "greater_than", Some(json!("1000")), &context),
            "not compared as text"
        );
    }

    #[test]
    fn dates_and_times_compare_as_dates_and_instants() {
        let context = deal_update(|deal| {
            deal.insert("expected_close_date".into(), json!("2026-12-15"));
            deal.insert("won_time".into(), json!("2026-11-28T10:30:00+01:00"));
        });
        assert!(check(
            "deal.expected_close_date",
            "before",
            Some(json!("2027-01-01")),
            &context
        ));
        assert!(check(
            "deal.expected_close_date",
            "after",
            Some(json!("2026-12-14")),
            &context
        ));
        assert!(check(
            "deal.expected_close_date",
            "is",
            Some(json!("2026-12-15")),
            &context
        ));
        assert!(check(
            "deal.won_time",
            "is",
            Some(json!("2026-11-28T09:30:00Z")),
            &context
        ));
        assert!(check(
            "deal.won_time",
            "before",
            Some(json!("2026-11-28T04:31:00-05:00")),
            &context
        ));
        assert!(check(
            "deal.won_time",
            "after",
            Some(json!("2026-11-28")),
            &context
        ));
        assert!(check(
            "event.time",
            "is",
            Some(json!("2026-11-28T10:00:00+01:00")),
            &context
        ));
    }

    #[test]
    fn enums_match_their_option_id_or_label() {
        let context = deal_update(|deal| {
            deal.insert("status".into(), json!("won"));
        });
        for value in ["won", "Won", " WON"] {
            assert!(
                check("deal.status", "is", Some(json!(value)), &context),
                "{value}"
            );
        }
        assert!(check(
            "deal.status",
            "is_not",
            Some(json!("lost")),
            &context
        ));
        assert!(check("deal.status_id", "is", Some(json!("won")), &context));
        assert!(!check(
            "deal.status_id",
            "is",
            Some(json!("Open")),
            &context
        ));
    }

    #[test]
    fn references_and_records_match_their_id() {
        let context = deal_update(|_| {});
        assert!(check("deal.person", "is", Some(json!(201)), &context));
        assert!(check("deal.person", "is", Some(json!("201")), &context));
        assert!(check("deal.person", "is_not", Some(json!(202)), &context));
        assert!(check(
            "deal.person.organization",
            "is",
            Some(json!(101)),
            &context
        ));
        assert!(check("deal", "is", Some(json!(301)), &context));
        assert!(check("deal.person", "is_not_empty", None, &context));
    }

    #[test]
    fn empty_means_missing_null_blank_or_an_empty_list() {
        let context = deal_update(|deal| {
            deal.remove("won_time");
            deal.insert("currency".into(), json!("   "));
            deal.insert("person".into(), Value::Null);
            deal.insert("products".into(), json!([]));
        });
        for field in [
            "deal.won_time",
            "deal.currency",
            "deal.person",
            "deal.products",
        ] {
            assert!(check(field, "is_empty", None, &context), "{field}");
            assert!(!check(field, "is_not_empty", None, &context), "{field}");
        }
        assert!(!check("deal.title", "is_empty", None, &context));
        assert!(!check(
            "deal.products",
            "is_empty",
            None,
            &deal_update(|_| {})
        ));
        assert!(
            check("deal.person", "is_not", Some(json!(201)), &context),
            "an empty field is not any value"
        );
        assert!(check(
            "deal.currency",
            "does_not_contain",
            Some(json!("EUR")),
            &context
        ));
        assert!(
            !check(
                "deal.won_time",
                "before",
                Some(json!("2030-01-01")),
                &context
            ),
            "nor before any date"
        );
    }

    #[test]
    fn changes_compare_current_and_previous_values() {
        let moved = deal_update(|deal| {
            deal.insert("stage".into(), json!("proposal_made"));
            deal.insert("person".into(), json!(202));
        });
        assert!(check("deal.stage", "has_changed", None, &moved));
        assert!(check(
            "deal.stage",
            "has_changed_to",
            Some(json!("Proposal made")),
            &moved
        ));
        assert!(check(
            "deal.stage",
            "has_changed_to",
            Some(json!("proposal_made")),
            &moved
        ));
        assert!(!check(
            "deal.stage",
            "has_changed_to",
            Some(json!("negotiations")),
            &moved
        ));
        assert!(check(
            "deal.stage",
            "has_changed_from",
            Some(json!("negotiations")),
            &moved
        ));
        assert!(!check(
            "deal.stage",
            "has_changed_from",
            Some(json!("proposal_made")),
            &moved
        ));
        assert!(check(
            "deal.person",
            "has_changed_to",
            Some(json!(202)),
            &moved
        ));
        assert!(check(
            "deal.person",
            "has_changed_from",
            Some(json!(201)),
            &moved
        ));
        assert!(!check("deal.title", "has_changed", None, &moved));
        assert!(
            !check("deal.owner", "has_changed", None, &moved),
            "same id, however expanded"
        );
        let unchanged = deal_update(|_| {});
        assert!(
            !check(
                "deal.stage",
                "has_changed_to",
                Some(json!("negotiations")),
                &unchanged
            ),
            "already there"
        );
    }

    #[test]
    fn value_appearing_or_disappearing_is_a_change_but_empty_to_empty_is_not() {
        let cleared = deal_update(|deal| {
            deal.remove("expected_close_date");
            deal.insert("won_time".into(), Value::Null);
        });
        assert!(check(
            "deal.expected_close_date",
            "has_changed",
            None,
            &cleared
        ));
        assert!(check(
            "deal.expected_close_date",
            "has_changed_from",
            Some(json!("2026-12-15")),
            &cleared
        ));
        assert!(
            !check("deal.won_time", "has_changed", None, &cleared),
            "missing before, null now"
        );
    }

    #[test]
    fn without_previous_values_nothing_has_changed() {
        let added = event_context(EventAction::Added, |deal| {
            deal.insert("stage".into(), json!("qualified"));
        });
        let conditions = one("deal.stage", "has_changed", None);
        let evaluation = evaluate(&conditions, &added);
        assert!(!evaluation.matched);
        assert_eq!(evaluation.trace[0].previous, Some(Value::Null));
    }

    #[test]
    fn without_a_catalog_a_field_that_is_not_a_path_never_holds() {
        let context = deal_update(|_| {});
        let conditions = one("deal..title", "is_empty", None);
        let evaluation = evaluate(&conditions, &context);
        assert!(
            !evaluation.matched,
            "a field that is not a path is not known to be empty"
        );
        assert_eq!(evaluation.trace[0].actual, Value::Null);
        assert!(evaluate(&one("deal.nope", "is_empty", None), &context).matched);
    }
}
