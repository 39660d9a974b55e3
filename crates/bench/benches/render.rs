//! Rendering a ~2 KB raw body with 20 placeholders beside minijinja and handlebars rendering the same
//! body with JSON escaping; every template is compiled once, outside the timed loop.

use std::hint::black_box;

use criterion::Criterion;
use handlebars::{Handlebars, RenderErrorReason};
use webhook_bench::fixtures::{json_string_contents, render_fixture, value_text};
use webhook_bench::report::{output_directory, print_ratios};
use webhook_engine::template::{compile_raw_str, AcceptAll};

const GROUP: &str = "render-2kb-20-placeholders";

fn main() {
    let fixture = render_fixture();
    let ours = compile_raw_str(&fixture.ours, &AcceptAll)
        .template
        .expect("the fixture compiles");

    let mut jinja = minijinja::Environment::new();
    jinja.add_filter("json_text", |value: minijinja::Value| -> String {
        let value: serde_json::Value = serde_json::to_value(&value).unwrap_or_default();
        json_string_contents(&value_text(&value))
    });
    // Named .txt so minijinja adds no auto-escaping of its own: the filters do the JSON work.
    jinja
        .add_template("body.txt", &fixture.minijinja)
        .expect("minijinja compiles the fixture");
    let jinja_template = jinja.get_template("body.txt").unwrap();
    let jinja_context = minijinja::Value::from_serialize(&fixture.context);

    let mut bars = Handlebars::new();
    bars.register_escape_fn(json_string_contents);
    bars.register_helper(
        "json",
        Box::new(
            |helper: &handlebars::Helper,
             _: &Handlebars,
             _: &handlebars::Context,
             _: &mut handlebars::RenderContext,
             out: &mut dyn handlebars::Output|
             -> handlebars::HelperResult {
                let value = helper
                    .param(0)
                    .map(|param| param.value().clone())
                    .unwrap_or_default();
                let json = serde_json::to_string(&value)
                    .map_err(|error| RenderErrorReason::Other(error.to_string()))?;
                out.write(&json)?;
                Ok(())
            },
        ),
    );
    bars.register_template_string("body", &fixture.handlebars)
        .expect("handlebars compiles the fixture");

    // All three must produce the same JSON, or the comparison means nothing.
    let expected: serde_json::Value =
        serde_json::from_str(&ours.render(&fixture.context)).expect("ours renders JSON");
    let from_jinja: serde_json::Value =
        serde_json::from_str(&jinja_template.render(&jinja_context).unwrap()).unwrap();
    let from_bars: serde_json::Value =
        serde_json::from_str(&bars.render("body", &fixture.context).unwrap()).unwrap();
    assert_eq!(from_jinja, expected, "minijinja renders the same document");
    assert_eq!(from_bars, expected, "handlebars renders the same document");

    let output = output_directory(&shared_data::workspace_root());
    let mut criterion = Criterion::default()
        .output_directory(&output)
        .configure_from_args();
    let mut group = criterion.benchmark_group(GROUP);
    let mut buffer = String::with_capacity(4096);
    group.bench_function("webhook-engine", |bench| {
        bench.iter(|| {
            buffer.clear();
            ours.render_into(black_box(&fixture.context), &mut buffer);
            buffer.len()
        })
    });
    group.bench_function("minijinja", |bench| {
        bench.iter(|| {
            jinja_template
                .render(black_box(&jinja_context))
                .unwrap()
                .len()
        })
    });
    group.bench_function("handlebars", |bench| {
        bench.iter(|| {
            bars.render("body", black_box(&fixture.context))
                .unwrap()
                .len()
        })
    });
    group.finish();
    criterion.final_summary();
    println!("\nRendering (cargo profile: bench, i.e. release at opt-level 3):");
    print_ratios(
        &output,
        GROUP,
        "webhook-engine",
        &["minijinja", "handlebars"],
    );
}
