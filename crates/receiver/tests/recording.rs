//! Recording requests and reading them back: the JSON list, `since`, clearing, the log
//! file, the HTML view and oversize bodies.

mod common;

use common::*;
use serde_json::{json, Value};
use webhook_receiver::Config;

fn header_names(record: &Value) -> Vec<String> {
    record["headers"]
        .as_array()
        .expect("headers array")
        .iter()
        .map(|pair| pair[0].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn records_method_path_query_headers_and_body() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();

    let response = send(
        addr,
        "POST",
        "/hooks/deal?stage=won&id=7",
        &[
            ("X-First", "one"),
            ("Content-Type", "application/json"),
            ("X-Last", "Two Words"),
        ],
        br#"{"deal": 7}"#,
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json(), json!({"received": true, "seq": 1}));
    assert_eq!(response.header("x-receiver-seq"), Some("1"));
    assert_eq!(response.header("content-type"), Some("application/json"));

    let records = recorded(addr).await;
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["seq"], 1);
    assert_eq!(record["method"], "POST");
    assert_eq!(record["path"], "/hooks/deal");
    assert_eq!(record["query"], "stage=won&id=7");
    assert_eq!(record["body"], r#"{"deal": 7}"#);
    assert_eq!(record["body_base64"], Value::Null);
    assert_eq!(record["body_bytes"], 11);
    assert_eq!(record["truncated"], false);
    assert_eq!(record["auth"], Value::Null);
    assert_eq!(record["signature"], Value::Null);
    assert_eq!(record["scripted"], Value::Null);
    assert_eq!(record["response_status"], 200);
    let time = record["time"].as_str().expect("time");
    assert!(time.ends_with('Z') && time.contains('T'), "{time}");
    // Names lowercase, in the order sent.
    assert_eq!(
        header_names(record),
        [
            "host",
            "x-first",
            "content-type",
            "x-last",
            "content-length",
            "connection"
        ]
    );
    assert!(record["headers"]
        .as_array()
        .expect("headers")
        .contains(&json!(["x-last", "Two Words"])));
}

#[tokio::test]
async fn any_method_and_a_non_utf8_body() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();

    let response = send(addr, "PUT", "/binary", &[], &[0xff, 0xfe, 0x00, 0x41]).await;
    assert_eq!(response.status, 200);
    assert_eq!(send(addr, "DELETE", "/items/3", &[], b"").await.status, 200);
    assert_eq!(send(addr, "PATCH", "/", &[], b"x").await.status, 200);

    let records = recorded(addr).await;
    let methods: Vec<&str> = records
        .iter()
        .map(|r| r["method"].as_str().expect("method"))
        .collect();
    assert_eq!(methods, ["PUT", "DELETE", "PATCH"]);
    let binary = &records[0];
    assert_eq!(binary["query"], Value::Null);
    assert_eq!(binary["body"], Value::Null);
    assert_eq!(binary["body_base64"], "//4AQQ==");
    assert_eq!(binary["body_bytes"], 4);
    assert_eq!(records[1]["body"], "");
    assert_eq!(records[1]["body_bytes"], 0);
}

#[tokio::test]
async fn since_and_delete_keep_seq_counting() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();
    for path in ["/a", "/b", "/c"] {
        assert_eq!(post(addr, path, b"").await.status, 200);
    }

    let later = get(addr, "/_receiver/requests?since=1").await.json();
    let seqs: Vec<u64> = later
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(seqs, [2, 3]);
    assert_eq!(
        get(addr, "/_receiver/requests?since=3").await.json(),
        json!([])
    );

    let bad = get(addr, "/_receiver/requests?since=abc").await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"]
        .as_str()
        .expect("message")
        .contains("`since` must be a whole number"));

    queue_script(addr, r#"{"status": 201}"#).await;
    let cleared = send(addr, "DELETE", "/_receiver/requests", &[], b"").await;
    assert_eq!(cleared.status, 200);
    assert_eq!(
        cleared.json(),
        json!({"cleared": {"requests": 3, "preflights": 0, "script_actions": 1}})
    );
    assert!(recorded(addr).await.is_empty());
    assert_eq!(get(addr, "/_receiver/script").await.json(), json!([]));

    // The script queue was cleared too (default 200, not 201), and seq did not restart.
    let next = post(addr, "/d", b"").await;
    assert_eq!(next.status, 200);
    assert_eq!(next.json()["seq"], 4);
}

#[tokio::test]
async fn control_api_is_not_recorded_and_refuses_wrong_methods() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();

    let wrong = send(addr, "PUT", "/_receiver/requests", &[], b"").await;
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("GET, DELETE"));
    assert!(wrong.json()["error"]
        .as_str()
        .expect("message")
        .contains("PUT is not allowed on /_receiver/requests"));

    let unknown = get(addr, "/_receiver/nope").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.json()["error"].is_string());

    assert_eq!(get(addr, "/_receiver/").await.status, 200);
    assert_eq!(get(addr, "/_receiver/preflights").await.json(), json!([]));
    assert!(recorded(addr).await.is_empty());

    // Only `/_receiver` and below is control; a look-alike path is recorded.
    assert_eq!(post(addr, "/_receiverx", b"").await.status, 200);
    assert_eq!(recorded(addr).await.len(), 1);
}

#[tokio::test]
async fn log_file_gets_one_json_line_per_record() {
    let log = temp_path("log.jsonl");
    let receiver = start(Config {
        log_file: Some(log.clone()),
        ..test_config()
    })
    .await;
    let addr = receiver.local_addr();
    post(addr, "/first", b"one").await;
    get(addr, "/_receiver/requests").await; // control requests are not logged
    post(addr, "/second", &[0xff]).await;
    receiver.shutdown().await;

    let text = std::fs::read_to_string(&log).expect("log file exists");
    let _ = std::fs::remove_file(&log);
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0]["seq"], 1);
    assert_eq!(lines[0]["path"], "/first");
    assert_eq!(lines[0]["body"], "one");
    assert_eq!(lines[1]["body_base64"], "/w==");
}

#[tokio::test]
async fn html_view_escapes_bodies_and_lists_newest_first() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();
    post(addr, "/older", b"</pre><script>alert('x')</script>").await;
    // hyper refuses `<` and `"` in a request target, so the hostile parts go in a header.
    let newer = send(
        addr,
        "GET",
        "/newer?a='b'",
        &[("X-Evil", "\"><img src=x>")],
        b"",
    )
    .await;
    assert_eq!(newer.status, 200);

    let page = get(addr, "/_receiver").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("&lt;/pre&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x&gt;"));
    assert!(html.contains("/newer?a=&#39;b&#39;"));
    assert!(!html.contains("<script"), "unescaped markup in:\n{html}");
    assert!(!html.contains("<img"), "unescaped markup in:\n{html}");
    let newer = html.find("id=\"seq-2\"").expect("second request listed");
    let older = html.find("id=\"seq-1\"").expect("first request listed");
    assert!(newer < older, "newest first");
}

#[tokio::test]
async fn oversize_body_gets_413_and_is_recorded_truncated() {
    let receiver = start(Config {
        max_body_bytes: 1024,
        ..test_config()
    })
    .await;
    let addr = receiver.local_addr();

    let big = vec![b'x'; 4096];
    let response = post(addr, "/big", &big).await;
    assert_eq!(response.status, 413);
    assert_eq!(response.header("x-receiver-seq"), Some("1"));
    assert!(response.json()["error"]
        .as_str()
        .expect("message")
        .contains("larger than --max-body-bytes (1024 bytes)"));

    // Exactly at the limit is fine.
    assert_eq!(post(addr, "/exact", &big[..1024]).await.status, 200);

    let records = recorded(addr).await;
    assert_eq!(records[0]["truncated"], true);
    assert_eq!(records[0]["body"], Value::Null);
    assert_eq!(records[0]["body_base64"], Value::Null);
    assert_eq!(records[0]["body_bytes"], 1024);
    assert_eq!(records[0]["response_status"], 413);
    assert_eq!(records[1]["truncated"], false);
    assert_eq!(records[1]["body_bytes"], 1024);
}
