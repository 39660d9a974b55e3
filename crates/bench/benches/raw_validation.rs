//! Raw-body validation on the json-benchmark corpora, as they are and with a placeholder every ~100
//! bytes, beside serde_json parsing the same text into IgnoredAny and into Value.
//!
//! Two pairings, each fair on input: text already known to be UTF-8 (`compile_raw_str`, what the
//! editor validates, against `serde_json::from_str`) and raw bytes that must be checked for UTF-8 too
//! (`compile_raw`, what the command line reads, against `serde_json::from_slice`).

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use serde::de::IgnoredAny;
use webhook_bench::fixtures::inject_placeholders;
use webhook_bench::report::{output_directory, print_ratios};
use webhook_engine::template::{compile_raw, compile_raw_str, AcceptAll};

const CORPORA: [&str; 3] = ["twitter", "citm_catalog", "canada"];
const OURS_STR: &str = "webhook-engine-str";
const OURS_BYTES: &str = "webhook-engine-bytes";
const PEERS_STR: [&str; 2] = [
    "serde_json-from_str-IgnoredAny",
    "serde_json-from_str-Value",
];
const PEERS_BYTES: [&str; 1] = ["serde_json-from_slice-IgnoredAny"];

fn main() {
    let Some(corpora) = shared_data::dir("json-benchmark") else {
        return;
    };
    let output = output_directory(&shared_data::workspace_root());
    let mut criterion = Criterion::default()
        .output_directory(&output)
        .configure_from_args();
    let mut groups = Vec::new();
    for name in CORPORA {
        let plain =
            std::fs::read_to_string(corpora.join(format!("{name}.json"))).expect("corpus readable");
        let injected = inject_placeholders(&plain, 100, "{{deal.title}}");
        for (group, text) in [
            (name.to_string(), plain),
            (format!("{name}-placeholders"), injected),
        ] {
            let compiled = compile_raw(text.as_bytes(), &AcceptAll);
            assert!(
                compiled.template.is_some(),
                "{group}: {:?}",
                compiled.diagnostics.first()
            );
            serde_json::from_str::<IgnoredAny>(&text).expect("serde_json accepts the same text");
            measure(&mut criterion, &group, &text);
            groups.push(group);
        }
    }
    criterion.final_summary();
    println!("\nRaw validation (cargo profile: bench, i.e. release at opt-level 3):");
    for group in &groups {
        print_ratios(&output, &format!("raw-{group}"), OURS_STR, &PEERS_STR);
        print_ratios(&output, &format!("raw-{group}"), OURS_BYTES, &PEERS_BYTES);
    }
}

fn measure(criterion: &mut Criterion, name: &str, text: &str) {
    let mut group = criterion.benchmark_group(format!("raw-{name}"));
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function(OURS_STR, |bench| {
        bench.iter(|| {
            compile_raw_str(black_box(text), &AcceptAll)
                .template
                .is_some()
        })
    });
    group.bench_function(PEERS_STR[0], |bench| {
        bench.iter(|| serde_json::from_str::<IgnoredAny>(black_box(text)).is_ok())
    });
    group.bench_function(PEERS_STR[1], |bench| {
        bench.iter(|| serde_json::from_str::<serde_json::Value>(black_box(text)).is_ok())
    });
    group.bench_function(OURS_BYTES, |bench| {
        bench.iter(|| {
            compile_raw(black_box(text.as_bytes()), &AcceptAll)
                .template
                .is_some()
        })
    });
    group.bench_function(PEERS_BYTES[0], |bench| {
        bench.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(text.as_bytes())).is_ok())
    });
    group.finish();
}
