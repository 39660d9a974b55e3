//! The script queue: order, delays, redirects, dropped connections and refused input.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn actions_are_consumed_in_order_then_the_default_applies() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();

    let queued = queue_script(
        addr,
        r#"[{"status": 503, "retry_after": 30, "body": "busy, try later"}, {"status": 200}]"#,
    )
    .await;
    assert_eq!(queued, json!({"queued": 2}));
    assert_eq!(
        queue_script(addr, r#"{"status": 201, "body": "{\"id\": 9}"}"#).await,
        json!({"queued": 3})
    );
    let remaining = get(addr, "/_receiver/script").await.json();
    assert_eq!(remaining.as_array().map(Vec::len), Some(3));
    assert_eq!(
        remaining[0],
        json!({"status": 503, "retry_after": 30, "body": "busy, try later"})
    );

    let first = post(addr, "/hook", b"{}").await;
    assert_eq!(first.status, 503);
    assert_eq!(first.header("retry-after"), Some("30"));
    assert_eq!(first.header("x-receiver-seq"), Some("1"));
    assert_eq!(
        first.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(first.text(), "busy, try later");

    let second = post(addr, "/hook", b"{}").await;
    assert_eq!(second.status, 200);
    assert_eq!(second.json(), json!({"received": true, "seq": 2}));

    let third = post(addr, "/hook", b"{}").await;
    assert_eq!(third.status, 201);
    assert_eq!(third.header("content-type"), Some("application/json"));
    assert_eq!(third.json(), json!({"id": 9}));

    let fourth = post(addr, "/hook", b"{}").await;
    assert_eq!(fourth.status, 200);
    assert_eq!(fourth.json(), json!({"received": true, "seq": 4}));
    assert_eq!(get(addr, "/_receiver/script").await.json(), json!([]));

    let records = recorded(addr).await;
    assert_eq!(records[0]["scripted"]["status"], 503);
    assert_eq!(records[0]["response_status"], 503);
    assert_eq!(records[1]["scripted"], json!({"status": 200}));
    assert_eq!(records[3]["scripted"], Value::Null);
}

#[tokio::test]
async fn delay_ms_delays_the_answer() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();
    queue_script(addr, r#"{"delay_ms": 400, "status": 202}"#).await;

    let started = Instant::now();
    let response = post(addr, "/slow", b"").await;
    let elapsed = started.elapsed();
    assert_eq!(response.status, 202);
    // The delay the script asked for is the behaviour under test: a lower bound, which no machine
    // is too slow for (it fails only when the delay is skipped). No upper bound is asserted.
    assert!(
        elapsed >= Duration::from_millis(400),
        "answered after {elapsed:?}"
    );
}

#[tokio::test]
async fn redirect_sets_location_and_custom_headers_apply() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();
    queue_script(
        addr,
        r#"[{"redirect": "https://example.test/next"},
            {"redirect": "/moved", "status": 307},
            {"headers": {"X-Trace": "abc", "Content-Type": "text/csv"}, "body": "a,b"}]"#,
    )
    .await;

    let found = post(addr, "/hook", b"").await;
    assert_eq!(found.status, 302);
    assert_eq!(found.header("location"), Some("https://example.test/next"));
    assert!(found.header("access-control-allow-origin").is_some());

    let temporary = post(addr, "/hook", b"").await;
    assert_eq!(temporary.status, 307);
    assert_eq!(temporary.header("location"), Some("/moved"));

    let custom = post(addr, "/hook", b"").await;
    assert_eq!(custom.header("x-trace"), Some("abc"));
    assert_eq!(custom.header("content-type"), Some("text/csv"));
    assert_eq!(custom.text(), "a,b");
}

/// True when the server closed the connection without sending any byte (a reset counts).
async fn closed_without_response(addr: std::net::SocketAddr) -> bool {
    match exchange(addr, &request_bytes(addr, "POST", "/hook", &[], b"{}")).await {
        Ok(received) => received.is_empty(),
        Err(err) => err.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

#[tokio::test]
async fn drop_closes_the_connection_without_a_response() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();
    queue_script(addr, r#"[{"drop": true}, {"drop": true, "delay_ms": 300}]"#).await;

    assert!(closed_without_response(addr).await);
    let started = Instant::now();
    assert!(closed_without_response(addr).await);
    // The scripted delay, as a lower bound only (see `delay_ms_delays_the_answer`).
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Still recorded, with no status; the server carries on.
    assert_eq!(post(addr, "/after", b"").await.status, 200);
    let records = recorded(addr).await;
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["scripted"], json!({"drop": true}));
    assert_eq!(records[0]["response_status"], Value::Null);
    assert_eq!(records[1]["scripted"]["delay_ms"], 300);
}

#[tokio::test]
async fn bad_scripts_are_refused_with_a_reason() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();
    let cases = [
        ("{\"status\": 200", "not valid JSON"),
        (
            r#"{"status": 200, "colour": "red"}"#,
            "unknown field `colour`",
        ),
        (r#"{"status": 42}"#, "from 100 to 599, got 42"),
        (
            r#"{"headers": {"X-Evil": "a\r\nSet-Cookie: b"}}"#,
            "must not contain CR or LF",
        ),
        (
            r#"{"headers": {"Bad Name": "x"}}"#,
            "not a valid HTTP header name",
        ),
        (r#"{"delay_ms": 999999}"#, "at most 120000"),
        (
            r#"[{"status": 200}, {"status": 600}]"#,
            "action #2 (index 1) is invalid",
        ),
        (r#""just a string""#, "one action object or an array"),
    ];
    for (script, expected) in cases {
        let response = post(addr, "/_receiver/script", script.as_bytes()).await;
        assert_eq!(response.status, 400, "{script}");
        assert_eq!(response.header("content-type"), Some("application/json"));
        let message = response.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(message.contains(expected), "{script}: {message}");
    }
    // Nothing was queued by the refused scripts, not even the valid first half of one.
    assert_eq!(get(addr, "/_receiver/script").await.json(), json!([]));

    let wrong_method = send(addr, "PUT", "/_receiver/script", &[], b"{}").await;
    assert_eq!(wrong_method.status, 405);
    assert!(wrong_method.json()["error"].is_string());
}

#[tokio::test]
async fn delete_script_empties_the_queue() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();
    queue_script(addr, r#"[{"status": 500}, {"status": 500}]"#).await;
    let cleared = send(addr, "DELETE", "/_receiver/script", &[], b"").await;
    assert_eq!(cleared.json(), json!({"queued": 0}));
    assert_eq!(post(addr, "/hook", b"").await.status, 200);
}

#[tokio::test]
async fn informational_status_is_recorded_as_what_was_sent() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();
    queue_script(addr, r#"{"status": 100}"#).await;
    // HTTP/1.1 cannot end an exchange with a 1xx; hyper answers 500 instead.
    assert_eq!(post(addr, "/hook", b"").await.status, 500);
    let records = recorded(addr).await;
    assert_eq!(records[0]["scripted"], json!({"status": 100}));
    assert_eq!(records[0]["response_status"], 500);
}
