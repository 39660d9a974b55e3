//! `--basic-auth` and `--signing-secret` (Standard Webhooks).

mod common;

use common::*;
use serde_json::Value;
use webhook_receiver::{BasicAuth, Config, SigningSecret};

#[tokio::test]
async fn basic_auth_rejects_without_consuming_the_script() {
    let credentials = BasicAuth::new("crm", "s3cret");
    let receiver = start(Config {
        basic_auth: Some(credentials.clone()),
        ..test_config()
    })
    .await;
    let addr = receiver.local_addr();
    // The control API never needs credentials.
    queue_script(addr, r#"{"status": 202}"#).await;

    let missing = post(addr, "/hook", b"{}").await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.header("www-authenticate"),
        Some(r#"Basic realm="webhook-receiver""#)
    );
    assert!(missing.json()["error"]
        .as_str()
        .expect("message")
        .contains("no Authorization header"));

    let wrong = BasicAuth::new("crm", "guess").header_value();
    let rejected = send(addr, "POST", "/hook", &[("Authorization", &wrong)], b"{}").await;
    assert_eq!(rejected.status, 401);

    let right = credentials.header_value();
    let accepted = send(addr, "POST", "/hook", &[("Authorization", &right)], b"{}").await;
    assert_eq!(
        accepted.status, 202,
        "the queued action answers the first accepted request"
    );

    let records = recorded(addr).await;
    let auth: Vec<&str> = records
        .iter()
        .map(|r| r["auth"].as_str().expect("auth"))
        .collect();
    assert_eq!(auth, ["missing", "rejected", "ok"]);
    assert_eq!(records[0]["scripted"], Value::Null);
    assert_eq!(records[0]["response_status"], 401);
    assert_eq!(records[2]["scripted"]["status"], 202);
}

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const MESSAGE_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP: &str = "1614265330";
const BODY: &[u8] = br#"{"test": 2432232314}"#;
const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

#[tokio::test]
async fn standard_webhooks_signatures_are_checked_but_not_enforced() {
    let secret: SigningSecret = SECRET.parse().expect("secret parses");
    let receiver = start(Config {
        signing_secret: Some(secret),
        ..test_config()
    })
    .await;
    let addr = receiver.local_addr();
    let signed = [
        ("webhook-id", MESSAGE_ID),
        ("webhook-timestamp", TIMESTAMP),
        ("webhook-signature", SIGNATURE),
        ("content-type", "application/json"),
    ];

    assert_eq!(send(addr, "POST", "/hook", &signed, BODY).await.status, 200);
    let tampered = br#"{"test": 2432232315}"#;
    assert_eq!(
        send(addr, "POST", "/hook", &signed, tampered).await.status,
        200
    );
    assert_eq!(post(addr, "/hook", BODY).await.status, 200);

    let records = recorded(addr).await;
    let outcomes: Vec<&str> = records
        .iter()
        .map(|r| r["signature"].as_str().expect("signature"))
        .collect();
    assert_eq!(outcomes, ["verified", "invalid", "missing"]);
    // The 2021 timestamp is years old: recorded, not rejected.
    let age = records[0]["webhook_timestamp_age_secs"]
        .as_i64()
        .expect("age recorded");
    assert!(age > 100_000_000, "{age}");
    assert_eq!(records[2]["webhook_timestamp_age_secs"], Value::Null);
}
