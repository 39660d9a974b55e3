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
