//! Condition evaluation for 1,000 automations against one event; reports nanoseconds per automation.

use std::hint::black_box;

use criterion::Criterion;
use serde_json::json;
use webhook_bench::report::{mean_ns, output_directory};
use webhook_engine::catalog::Catalog;
use webhook_engine::conditions::CompiledConditions;
use webhook_engine::context::render_context;
use webhook_engine::model::{
    Condition, ConditionGroup, ConditionItem, EventAction, Match, Operator, Trigger,
};
use webhook_engine::sample::{Change, SampleData};

const AUTOMATIONS: usize = 1_000;
const GROUP: &str = "conditions-1000-automations";

fn condition(field: &str, operator: Operator, value: Option<serde_json::Value>) -> ConditionItem {
    ConditionItem::Condition(Condition {
        field: field.into(),
        operator,
        value,
    })
}

/// Automation `n`'s conditions: a mix of every kind of comparison, with thresholds that vary so
/// some automations match and some do not.
fn conditions(n: usize) -> ConditionGroup {
    ConditionGroup {
        match_: Match::All,
        items: vec![
            condition(
                "deal.stage",
                Operator::HasChangedTo,
                Some(json!("negotiations")),
            ),
            condition("deal.value", Operator::GreaterThan, Some(json!(n * 100))),
            condition("deal.title", Operator::Contains, Some(json!("contract"))),
            condition(
                "deal.expected_close_date",
                Operator::Before,
                Some(json!("2027-06-30")),
            ),
            ConditionItem::Group(ConditionGroup {
                match_: Match::Any,
                items: vec![
                    condition(
                        "deal.person.email",
                        Operator::Contains,
                        Some(json!("@mueller")),
                    ),
                    condition("deal.owner", Operator::Is, Some(json!(n % 3))),
                ],
            }),
        ],
    }
}

fn main() {
    let catalog = Catalog::builtin();
    let sample = SampleData::builtin();
    let trigger = Trigger {
        entity: "deal".into(),
        action: EventAction::Updated,
    };
    let previous = sample.record("deal", 302).expect("sample deal").clone();
    let mut current = previous.clone();
    current.insert("stage".into(), json!("negotiations"));
    let event = sample.event(
        &catalog,
        Change {
            id: "evt_bench",
            entity: "deal",
            action: EventAction::Updated,
            time: "2026-11-28T10:00:00Z",
            user: &sample.admin().user,
            current: &current,
            previous: Some(&previous),
        },
    );
    let context = render_context(&catalog, &event);
    let compiled: Vec<CompiledConditions> = (0..AUTOMATIONS)
        .map(|n| {
            CompiledConditions::compile(&catalog, &trigger, &conditions(n))
                .expect("valid conditions")
        })
        .collect();
    let matching = compiled
        .iter()
        .filter(|conditions| conditions.matches(&context))
        .count();
    assert!(
        matching > 0 && matching < AUTOMATIONS,
        "a realistic mix: {matching} of {AUTOMATIONS} match"
    );

    let output = output_directory(&shared_data::workspace_root());
    let mut criterion = Criterion::default()
        .output_directory(&output)
        .configure_from_args();
    let mut group = criterion.benchmark_group(GROUP);
    group.bench_function("evaluate-with-trace", |bench| {
        bench.iter(|| {
            compiled
                .iter()
                .filter(|conditions| conditions.evaluate(black_box(&context)).matched)
                .count()
        })
    });
    group.bench_function("matches-only", |bench| {
        bench.iter(|| {
            compiled
                .iter()
                .filter(|conditions| conditions.matches(black_box(&context)))
                .count()
        })
    });
    group.finish();
    criterion.final_summary();
    println!("\nConditions ({matching} of {AUTOMATIONS} automations match; 6 conditions each; cargo profile: bench):");
    for function in ["evaluate-with-trace", "matches-only"] {
        if let Some(ns) = mean_ns(&output, GROUP, function) {
            println!(
                "conditions {function}: {:.0} ns per automation",
                ns / AUTOMATIONS as f64
            );
        }
    }
}
