//! The real `webhook-cli` binary, run on files in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("webhook-cli-test-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_webhook-cli"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn validate_prints_every_diagnostic_with_line_and_character_column_and_exits_1() {
    let scratch = Scratch::new("validate");
    let body = scratch.file(
        "body.json",
        "{\n  \"title\": \"🎉 {{deal.titel}}\",\n  \"n\": {{deal.vaule}}\n}\n",
    );
    let output = cli(&["validate", arg(&body)]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        "2:15: error: unknown field deal.titel\n  help: did you mean deal.title?\n\
         3:8: error: unknown field deal.vaule\n  help: did you mean deal.value?\n"
    );
}

#[test]
fn validate_json_reports_positions_in_characters_and_utf16_units() {
    let scratch = Scratch::new("validate-json");
    let body = scratch.file("body.json", "{\"a\": \"🎉\", \"b\": {{deal.nope}}}");
    let output = cli(&["validate", "--json", arg(&body)]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["errors"], 1);
    let start = &report["diagnostics"][0]["start"];
    assert_eq!(
        (start["line"].as_u64(), start["column"].as_u64()),
        (Some(1), Some(17))
    );
    assert_eq!(start["column_utf16"], 18, "the emoji is two UTF-16 units");
    assert_eq!(
        report["diagnostics"][0]["span"]["start"], 19,
        "and four bytes"
    );
}

#[test]
fn a_clean_template_exits_0_and_warnings_alone_do_not_fail() {
    let scratch = Scratch::new("clean");
    let body = scratch.file("body.json", r#"{"stage": {{previous.deal.stage}}}"#);
    let clean = cli(&["validate", "--trigger", "deal.updated", arg(&body)]);
    assert_eq!(
        (clean.status.code(), text(&clean.stdout)),
        (Some(0), String::new())
    );
    let warned = cli(&["validate", "--trigger", "deal.added", arg(&body)]);
    assert_eq!(warned.status.code(), Some(0));
    assert!(text(&warned.stdout)
        .starts_with("1:11: warning: previous values exist only when a record is updated"));
}

#[test]
fn key_value_and_path_modes_validate_their_own_inputs() {
    let scratch = Scratch::new("modes");
    let rows = scratch.file(
        "rows.json",
        r#"[{"key": "title", "value": "{{deal.title}}"}, {"key": "title", "value": "x"}]"#,
    );
    let output = cli(&["validate", "--mode", "key-value", arg(&rows)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stdout).contains("row 2 key:1:1: error:"),
        "{}",
        text(&output.stdout)
    );
    let path = scratch.file("path.txt", "/orders/../{{deal.id}}\n");
    let output = cli(&["validate", "--mode", "path", arg(&path)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stdout).starts_with("1:9: error:"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn render_prints_the_body_exactly_as_sent_with_values_typed_by_the_data() {
    let scratch = Scratch::new("render");
    let body = scratch.file("body.json", "{\"title\": \"Deal {{deal.title}}\", \"value\": {{deal.value}}, \"none\": {{deal.missing}}}");
    let data = scratch.file(
        "data.json",
        r#"{"deal": {"title": "Big \"one\" </script>", "value": 12000}}"#,
    );
    let output = cli(&["render", "--data", arg(&data), arg(&body)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let rendered = text(&output.stdout);
    assert_eq!(
        rendered,
        r#"{"title": "Deal Big \"one\" </script>", "value": 12000, "none": null}"#
    );
    let parsed: serde_json::Value = serde_json::from_str(&rendered).unwrap();
    assert_eq!(parsed["title"], "Deal Big \"one\" </script>");
}

#[test]
fn render_path_joins_the_base_url_and_refuses_unsafe_results() {
    let scratch = Scratch::new("render-path");
    let path = scratch.file("path.txt", "/orders/{{deal.id}}");
    let data = scratch.file("data.json", r#"{"deal": {"id": "../admin?x=1"}}"#);
    let output = cli(&[
        "render",
        "--mode",
        "path",
        "--base",
        "https://erp.example/api",
        "--data",
        arg(&data),
        arg(&path),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        text(&output.stdout),
        "https://erp.example/api/orders/..%2Fadmin%3Fx%3D1\n"
    );

    let empty = scratch.file("empty.json", r#"{"deal": {"id": ""}}"#);
    let output = cli(&[
        "render",
        "--mode",
        "path",
        "--base",
        "https://erp.example/api",
        "--data",
        arg(&empty),
        arg(&path),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("deal.id"),
        "{}",
        text(&output.stderr)
    );
    assert!(
        output.stdout.is_empty(),
        "nothing is printed that could be sent"
    );
}

#[test]
fn usage_and_io_errors_exit_2_and_never_panic() {
    let scratch = Scratch::new("usage");
    assert_eq!(
        cli(&["validate", "/no/such/file.json"]).status.code(),
        Some(2)
    );
    assert_eq!(
        cli(&["validate", "--mode", "xml", "x"]).status.code(),
        Some(2)
    );
    let data = scratch.file("data.json", "[1, 2]");
    let body = scratch.file("body.json", "{}");
    let output = cli(&["render", "--data", arg(&data), arg(&body)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("must be a JSON object"));
    let hostile = scratch.file("hostile.json", [0xff, 0xfe, b'{', b'{', 0x00, b'}']);
    let output = cli(&["validate", arg(&hostile)]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "invalid UTF-8 is a diagnostic, not a crash"
    );
}

fn example(name: &str) -> String {
    shared_example_dir()
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// The documented examples in docs/examples, which these tests keep honest.
fn shared_example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples")
}

#[test]
fn preview_prints_the_request_an_event_would_send_with_its_trace_and_no_secret() {
    let output = cli(&[
        "preview",
        "--config",
        &example("config.json"),
        "--event",
        &example("event-deal-updated.json"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let request = &report["requests"][0]["request"];
    assert_eq!(request["method"], "PUT");
    assert_eq!(request["url"], "https://erp.example/api/orders/302");
    let body: serde_json::Value = serde_json::from_str(request["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"title": "CNC line maintenance contract", "amount": 56500.5})
    );
    let trace = report["requests"][0]["trace"].as_array().unwrap();
    assert_eq!(trace.len(), 2);
    assert!(trace.iter().all(|condition| condition["result"] == true));
    assert_eq!(report["triggered_by"]["name"], "Riley Regular");
    let printed = text(&output.stdout);
    assert!(printed.contains("Basic ••••••") && printed.contains("v1,••••••"));
    assert!(
        !printed.contains("stand-in-credential"),
        "stand-in credentials never show"
    );
}

#[test]
fn preview_lists_automations_whose_conditions_did_not_match() {
    let scratch = Scratch::new("preview-no-match");
    let event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("event-deal-updated.json")).unwrap())
            .unwrap();
    let mut lost = event.clone();
    lost["current"]["status"] = "lost".into();
    let event_file = scratch.file("event.json", lost.to_string());
    let output = cli(&[
        "preview",
        "--config",
        &example("config.json"),
        "--event",
        arg(&event_file),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["requests"], serde_json::json!([]));
    assert_eq!(report["not_matched"][0]["trace"][0]["result"], false);
}

#[test]
fn check_accepts_the_documented_example_and_reports_every_problem_of_a_broken_one() {
    let clean = cli(&["check", &example("config.json")]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stdout));
    assert_eq!(
        text(&clean.stdout),
        "checked 1 webhooks and 1 automations: 0 errors\n"
    );

    let scratch = Scratch::new("check");
    let mut broken: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("config.json")).unwrap()).unwrap();
    broken["webhooks"][0]["base_url"] = "ftp://erp.example".into();
    broken["automations"][0]["actions"][0]["path"] = "/orders/{{deal.idd}}".into();
    broken["automations"][0]["conditions"]["items"][1]["operator"] = "before".into();
    let file = scratch.file("broken.json", broken.to_string());
    let output = cli(&["check", arg(&file)]);
    assert_eq!(output.status.code(), Some(1));
    let printed = text(&output.stdout);
    assert!(
        printed.contains("webhook \"ERP\": error: base_url:"),
        "{printed}"
    );
    assert!(
        printed.contains("automation \"Won deals over 10,000 to the ERP\": error: condition 2:"),
        "{printed}"
    );
    assert!(
        printed.contains("action 1 path 1:9: error: unknown field deal.idd"),
        "{printed}"
    );
    assert!(
        printed.ends_with("checked 1 webhooks and 1 automations: 3 errors\n"),
        "{printed}"
    );
}
