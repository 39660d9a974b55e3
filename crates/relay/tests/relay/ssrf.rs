//! The SSRF guard: internal destinations are refused with the reason, before anything is sent. A
//! resolver override answers the test's host name, so no lookup or request leaves the machine.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

fn webhook(id: &str, base_url: &str) -> Value {
    json!({
        "id": id, "name": id, "base_url": base_url, "auth": {"type": "none"},
        "timeout_ms": 5000, "retry": {"max_attempts": 3, "initial_backoff_ms": 200, "max_backoff_ms": 1000}
    })
}

fn automation(id: &str, webhook_id: &str) -> Value {
    json!({
        "id": id, "name": id, "enabled": true,
        "trigger": {"entity": "deal", "action": "updated"},
        "conditions": {"match": "all", "items": []},
        "actions": [{"webhook_id": webhook_id, "method": "POST", "path": "/hook",
                     "body": {"mode": "raw", "template": "{\"deal\": {{deal.id}}}"}}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_destinations_are_refused_with_the_reason_and_nothing_is_sent() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let port = receiver.url.rsplit(':').next().unwrap().to_owned();
    // No --allow-private. internal.example "resolves" to the receiver's loopback address.
    let relay = Relay::start(&nats.url(), &["--resolve", "internal.example=127.0.0.1"]).await;
    let targets = [
        (
            "loopback",
            format!("http://127.0.0.1:{port}"),
            "refused: the address 127.0.0.1 is a loopback address",
        ),
        (
            "loopback_short",
            format!("http://127.1:{port}"),
            "refused: the address 127.0.0.1 is a loopback address",
        ),
        (
            "hex",
            "https://0x7f.0.0.1".to_owned(),
            "refused: the address 127.0.0.1 is a loopback address",
        ),
        (
            "decimal",
            "https://2130706433".to_owned(),
            "refused: the address 127.0.0.1 is a loopback address",
        ),
        (
            "zero",
            "https://0".to_owned(),
            "refused: the address 0.0.0.0 is unspecified",
        ),
        (
            "private",
            "https://10.0.0.5".to_owned(),
            "refused: the address 10.0.0.5 is private",
        ),
        (
            "metadata",
            "https://169.254.169.254".to_owned(),
            "refused: the address 169.254.169.254 is a cloud metadata service",
        ),
        (
            "ipv6_loopback",
            format!("http://[::1]:{port}"),
            "refused: the address ::1 is a loopback address",
        ),
        (
            "mapped",
            "https://[::ffff:10.0.0.5]".to_owned(),
            "refused: the address ::ffff:10.0.0.5 is private",
        ),
        (
            "resolved",
            format!("https://internal.example:{port}"),
            "refused: the address 127.0.0.1 is a loopback address",
        ),
    ];
    let document = json!({
        "format": "webhook-automations/config", "version": 1,
        "webhooks": targets.iter().map(|(id, url, _)| webhook(id, url)).collect::<Vec<_>>(),
        "automations": targets.iter().map(|(id, _, _)| automation(&format!("au_{id}"), id)).collect::<Vec<_>>(),
    });
    relay.put_config(&document).await;
    relay.post_events(&deal_event("evt_ssrf", 5)).await;
    wait_until(
        "every delivery to finish",
        Duration::from_secs(30),
        || async {
            let executions = relay.executions().await;
            executions.len() == targets.len()
                && executions
                    .iter()
                    .all(|execution| execution["status"] == "failed")
        },
    )
    .await;
    for (id, _, expected) in &targets {
        let execution_id = webhook_engine::runner::execution_id("evt_ssrf", &format!("au_{id}"), 0);
        let answer = relay
            .admin("GET", &format!("/v1/executions/{execution_id}"), None)
            .await;
        let execution = &answer.body["execution"];
        let attempts = execution["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 1, "{id}: a refusal is not retried");
        assert!(
            attempts[0]["outcome"]["address_refused"].is_object(),
            "{id}: {}",
            attempts[0]["outcome"]
        );
        let reason = execution["reason"].as_str().unwrap();
        assert!(reason.starts_with(expected), "{id}: {reason}");
        assert!(
            !reason.contains("could not reach"),
            "{id}: never explained as endpoint down: {reason}"
        );
    }
    // The test send is guarded the same way.
    let test = relay
        .admin("POST", "/v1/webhooks/resolved/test", None)
        .await;
    assert_eq!(test.status, 200, "{}", test.text);
    assert!(test.body["execution"]["reason"]
        .as_str()
        .unwrap()
        .starts_with("refused: the address 127.0.0.1"));
    assert!(
        receiver.requests().await.is_empty(),
        "nothing reached the receiver"
    );
    let metrics = relay.metrics().await;
    assert!(
        metrics.contains(&format!(
            "webhook_relay_attempts_total{{outcome=\"address_refused\"}} {}",
            targets.len() + 1
        )),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_an_internal_address_is_not_followed() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    // Private addresses allowed so the relay reaches the (loopback) receiver at all; the redirects
    // it answers must still never be followed.
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    relay.put_config(&plain_config(&receiver.url)).await;
    let locations = [
        "http://10.0.0.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:1/",
        "http://[::1]/",
    ];
    receiver
        .script(json!(locations
            .iter()
            .map(|location| json!({"status": 302, "redirect": location}))
            .collect::<Vec<_>>()))
        .await;
    let events: Vec<Value> = (0..locations.len() as u64)
        .map(|n| deal_event(&format!("evt_redirect_{n}"), n))
        .collect();
    relay.post_events(&json!(events)).await;
    wait_until(
        "every redirect to fail its delivery",
        Duration::from_secs(30),
        || async {
            let executions = relay.executions().await;
            executions.len() == locations.len()
                && executions
                    .iter()
                    .all(|execution| execution["status"] == "failed")
        },
    )
    .await;
    for execution in relay.executions().await {
        assert_eq!(
            execution["attempts"][0]["outcome"],
            json!({"redirect_refused": 302})
        );
        assert!(execution["reason"]
            .as_str()
            .unwrap()
            .contains("redirects are not followed"));
    }
    assert_eq!(
        receiver.requests().await.len(),
        locations.len(),
        "one request each, none followed"
    );
}
