//! CORS: preflights answered and listed apart, exposed headers on every response, and
//! `--no-cors` turning all of it off.

mod common;

use common::*;
use serde_json::json;
use webhook_receiver::Config;

const ORIGIN: &str = "http://localhost:8080";
const REQUESTED: &str =
    "authorization, content-type, webhook-id, webhook-timestamp, webhook-signature, x-crm-tenant";

async fn preflight(addr: std::net::SocketAddr, path: &str) -> Response {
    send(
        addr,
        "OPTIONS",
        path,
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", REQUESTED),
        ],
        b"",
    )
    .await
}

#[tokio::test]
async fn preflight_allows_requested_headers_and_is_listed_apart() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();

    let response = preflight(addr, "/hooks/deal").await;
    assert_eq!(response.status, 204);
    assert_eq!(response.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(
        response.header("access-control-allow-methods"),
        Some("GET, POST, PUT, PATCH, DELETE, OPTIONS")
    );
    assert_eq!(
        response.header("access-control-allow-headers"),
        Some(REQUESTED)
    );
    assert_eq!(response.header("access-control-max-age"), Some("600"));
    assert_eq!(response.header("vary"), Some("Origin"));
    assert!(response.body.is_empty());

    assert!(
        recorded(addr).await.is_empty(),
        "preflights are not records"
    );
    let preflights = get(addr, "/_receiver/preflights").await.json();
    let listed = &preflights[0];
    assert_eq!(listed["path"], "/hooks/deal");
    assert_eq!(listed["origin"], ORIGIN);
    assert_eq!(listed["requested_method"], "POST");
    assert_eq!(
        listed["requested_headers"],
        json!([
            "authorization",
            "content-type",
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
            "x-crm-tenant"
        ])
    );
    assert!(listed["time"].as_str().expect("time").ends_with('Z'));

    // A plain OPTIONS (no Access-Control-Request-Method) is an ordinary request.
    assert_eq!(send(addr, "OPTIONS", "/plain", &[], b"").await.status, 200);
    assert_eq!(recorded(addr).await[0]["method"], "OPTIONS");
}

#[tokio::test]
async fn every_response_lets_the_page_read_retry_after() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();

    let with_origin = send(addr, "POST", "/hook", &[("Origin", ORIGIN)], b"{}").await;
    assert_eq!(
        with_origin.header("access-control-allow-origin"),
        Some(ORIGIN)
    );
    let exposed = with_origin
        .header("access-control-expose-headers")
        .expect("expose header");
    assert!(exposed.contains("retry-after"), "{exposed}");
    assert!(exposed.contains("x-receiver-seq"), "{exposed}");

    let without_origin = post(addr, "/hook", b"{}").await;
    assert_eq!(
        without_origin.header("access-control-allow-origin"),
        Some("*")
    );

    // Scripted errors and the control API carry them too.
    queue_script(addr, r#"{"status": 503, "retry_after": 7}"#).await;
    let scripted = send(addr, "POST", "/hook", &[("Origin", ORIGIN)], b"{}").await;
    assert_eq!(scripted.status, 503);
    assert_eq!(scripted.header("retry-after"), Some("7"));
    assert_eq!(scripted.header("access-control-allow-origin"), Some(ORIGIN));
    assert!(scripted.header("access-control-expose-headers").is_some());
    let control = send(
        addr,
        "GET",
        "/_receiver/requests",
        &[("Origin", ORIGIN)],
        b"",
    )
    .await;
    assert_eq!(control.header("access-control-allow-origin"), Some(ORIGIN));
    let refused = send(
        addr,
        "POST",
        "/_receiver/script",
        &[("Origin", ORIGIN)],
        b"{",
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.header("access-control-allow-origin"), Some(ORIGIN));
}

#[tokio::test]
async fn no_cors_sends_no_cors_headers_anywhere() {
    let receiver = start(Config {
        cors: false,
        ..test_config()
    })
    .await;
    let addr = receiver.local_addr();

    let answered = preflight(addr, "/hook").await;
    assert_eq!(answered.status, 204);
    assert!(
        !answered.has_header_prefix("access-control-"),
        "{answered:?}"
    );
    assert_eq!(
        get(addr, "/_receiver/preflights")
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(1),
        "still listed"
    );

    queue_script(addr, r#"{"status": 429, "retry_after": 1}"#).await;
    for response in [
        send(addr, "POST", "/hook", &[("Origin", ORIGIN)], b"{}").await,
        send(addr, "POST", "/hook", &[("Origin", ORIGIN)], b"{}").await,
        send(
            addr,
            "GET",
            "/_receiver/requests",
            &[("Origin", ORIGIN)],
            b"",
        )
        .await,
    ] {
        assert!(
            !response.has_header_prefix("access-control-"),
            "{response:?}"
        );
    }
}
