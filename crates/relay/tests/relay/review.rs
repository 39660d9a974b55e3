//! Review of issue 11: each test here demonstrates one defect found while trying to break the relay
//! (they fail on the code as reviewed). Real processes, as in the rest of the suite.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::*;

/// Every run of base64 (standard alphabet, 16 characters or more) in `text`, decoded where it decodes.
fn base64_runs(text: &str) -> Vec<Vec<u8>> {
    fn value(byte: u8) -> Option<u32> {
        match byte {
            b'A'..=b'Z' => Some(u32::from(byte - b'A')),
            b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut runs = Vec::new();
    for run in text
        .split(|c: char| value(c as u32 as u8).is_none() || !c.is_ascii())
        .filter(|run| run.len() >= 16)
    {
        let mut out = Vec::new();
        let (mut buffer, mut bits) = (0u32, 0);
        for byte in run.bytes() {
            buffer = (buffer << 6) | value(byte).unwrap();
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((buffer >> bits) as u8);
                buffer &= (1 << bits) - 1;
            }
        }
        runs.push(out);
    }
    runs
}

/// docs/relay.md tells operators "`RUST_LOG=debug` for more", and promises credentials never appear
/// in any log line. At debug, async-nats logs every JetStream API answer — including the
/// `STREAM.MSG.GET` answers that carry the `relay_credentials` record (base64 inside JSON) whenever the
/// relay (re)loads its state. Anyone with the log has the password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_debug_logs_never_hold_a_credential() {
    const PASSWORD: &str = "canary-password-in-logs-41c7";
    let nats = Nats::start().await;
    let receiver = Receiver::start(&["--basic-auth", &format!("crm:{PASSWORD}")]).await;
    let relay = Relay::start_logging(&nats.url(), &["--allow-private"], "debug").await;
    relay
        .put_config(&config(
            &receiver.url,
            json!({"type": "basic", "username": "crm"}),
            false,
            json!({}),
        ))
        .await;
    relay
        .put_credentials(WEBHOOK, json!({"password": PASSWORD}))
        .await;
    relay.post_events(&deal_event("evt_log", 1)).await;
    wait_until("the delivery", Duration::from_secs(30), || async {
        !receiver.requests().await.is_empty()
    })
    .await;
    assert_eq!(receiver.requests().await[0]["auth"], "ok");
    let log = relay.log();
    assert!(
        !log.contains(PASSWORD),
        "the password is in the log as it is"
    );
    for decoded in base64_runs(&log) {
        let decoded = String::from_utf8_lossy(&decoded);
        assert!(
            !decoded.contains(PASSWORD),
            "the password is in the debug log, base64-encoded: {decoded}"
        );
    }
}

/// An event is accepted (202) when it fits half a NATS message, but each planned delivery carries the
/// event's whole render context, in which a related record is copied once per reference path (deal →
/// organization, deal → person → organization, and the same under `previous`). A 270 KB event thus
/// makes a 1.08 MB delivery that NATS refuses: the planner NAKs the event and tries again every second
/// for the whole retention. Nothing is ever delivered or recorded, and the client was told "accepted".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_an_accepted_event_whose_delivery_does_not_fit_nats_is_not_retried_for_ever_in_silence(
) {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    relay.put_config(&plain_config(&receiver.url)).await;
    let mut event = deal_event("evt_big", 5);
    for record in ["current", "previous"] {
        event[record]["person"] = json!(7);
        event[record]["organization"] = json!(9);
    }
    event["related"] = json!({
        "organization": [{"id": 9, "name": "x".repeat(270_000)}],
        "person": [{"id": 7, "name": "Pat", "organization": 9}],
    });
    assert!(event.to_string().len() < 300_000, "well under the limit");
    let answer = relay
        .call(
            "POST",
            "/v1/events",
            Some(EVENTS_TOKEN),
            Some(&event.to_string()),
            &[],
        )
        .await;
    if answer.status == 400 || answer.status == 413 {
        return; // refused up front, with a reason: fine
    }
    assert_eq!(answer.status, 202, "{}", answer.text);
    let id = execution_id("evt_big");
    let started = Instant::now();
    loop {
        let found = relay
            .admin("GET", &format!("/v1/executions/{id}"), None)
            .await;
        if found.status == 200 {
            // Delivered, or failed with a reason the history shows: either is an answer.
            break;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let log = relay.log();
            let retries = log.matches("event not planned yet").count();
            let last = log
                .lines()
                .rev()
                .find(|line| line.contains("event not planned yet"))
                .unwrap_or_default()
                .to_owned();
            panic!(
                "20 s after the 202, the accepted event has no execution and nothing reached the \
                 endpoint ({} requests); the planner tried it {retries} times: {last}",
                receiver.requests().await.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One webhook with a slow endpoint takes every delivery slot of every relay process: a process
/// fetches `--max-in-flight` deliveries and holds those of a webhook whose 4 slots are busy while they
/// wait (keeping them alive), so a delivery to a healthy endpoint queued behind them waits until the
/// slow endpoint has worked through the backlog.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_a_slow_webhook_does_not_hold_back_the_other_webhooks() {
    let nats = Nats::start().await;
    let slow = Receiver::start(&[]).await;
    let fast = Receiver::start(&[]).await;
    let relay = Relay::start(
        &nats.url(),
        &[
            "--allow-private",
            "--max-in-flight",
            "8",
            "--max-runs-per-minute",
            "10000",
        ],
    )
    .await;
    let retry = json!({"max_attempts": 1, "initial_backoff_ms": 200, "max_backoff_ms": 200});
    let document = json!({
        "format": "webhook-automations/config",
        "version": 1,
        "webhooks": [
            {"id": "wh_slow", "name": "Slow", "base_url": slow.url, "auth": {"type": "none"},
             "timeout_ms": 30000, "retry": retry},
            {"id": "wh_fast", "name": "Fast", "base_url": fast.url, "auth": {"type": "none"},
             "timeout_ms": 30000, "retry": retry},
        ],
        "automations": [
            {"id": "au_slow", "name": "Updated deals", "enabled": true,
             "trigger": {"entity": "deal", "action": "updated"},
             "conditions": {"match": "all", "items": []},
             "actions": [{"webhook_id": "wh_slow", "method": "POST", "path": "/slow",
                          "body": {"mode": "raw", "template": "{\"id\": {{deal.id}}}"}}]},
            {"id": "au_fast", "name": "Added deals", "enabled": true,
             "trigger": {"entity": "deal", "action": "added"},
             "conditions": {"match": "all", "items": []},
             "actions": [{"webhook_id": "wh_fast", "method": "POST", "path": "/fast",
                          "body": {"mode": "raw", "template": "{\"id\": {{deal.id}}}"}}]},
        ]
    });
    relay.put_config(&document).await;
    slow.script(json!(vec![json!({"delay_ms": 2000}); 40]))
        .await;
    let backlog: Vec<Value> = (0..40)
        .map(|n| deal_event(&format!("evt_slow_{n}"), n))
        .collect();
    relay.post_events(&json!(backlog)).await;
    wait_until(
        "the slow endpoint to be busy",
        Duration::from_secs(30),
        || async { !slow.requests().await.is_empty() },
    )
    .await;
    let mut added = deal_event("evt_fast", 1000);
    added["action"] = json!("added");
    added.as_object_mut().unwrap().remove("previous");
    relay.post_events(&added).await;
    let posted = Instant::now();
    loop {
        if !fast.requests().await.is_empty() {
            break;
        }
        if posted.elapsed() > Duration::from_secs(6) {
            panic!(
                "6 s after it was accepted, the delivery to the healthy endpoint has not been sent: \
                 it waits behind the slow webhook's backlog (the slow endpoint has answered {} of 40)",
                slow.requests().await.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The same event id posted at once to two relay processes (a CRM retrying a webhook, two CRM
/// workers): the id runs once, but more than one answer says `accepted` (and
/// `events_received_total` counts it more than once): a claim still `received` is taken for "the
/// earlier request failed", though another request is simply between its two writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_one_event_id_posted_concurrently_is_accepted_once() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let first = Relay::start(&nats.url(), &["--allow-private"]).await;
    let second = Relay::start(&nats.url(), &["--allow-private"]).await;
    first.put_config(&plain_config(&receiver.url)).await;
    let mut accepted_counts = Vec::new();
    for round in 0..5 {
        let event = deal_event(&format!("evt_race_{round}"), round);
        let posts = (0..16).map(|n| {
            let relay = if n % 2 == 0 { &first } else { &second };
            let event = event.clone();
            async move { relay.post_events(&event).await }
        });
        let answers = futures::future::join_all(posts).await;
        let accepted = answers
            .iter()
            .filter(|answer| !answer.body["accepted"].as_array().unwrap().is_empty())
            .count();
        accepted_counts.push(accepted);
    }
    wait_until("every event delivered", Duration::from_secs(30), || async {
        receiver.requests().await.len() >= 5
    })
    .await;
    assert_eq!(
        receiver.requests().await.len(),
        5,
        "each id was still sent once"
    );
    assert_eq!(
        accepted_counts,
        vec![1; 5],
        "answers that said `accepted` per event id (16 posts each)"
    );
}

/// RFC 9110 §11.1: the authentication scheme is case-insensitive. `BEARER <admin token>` is refused as
/// "the token is not valid", which sends a client looking for a wrong token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_the_bearer_scheme_is_case_insensitive() {
    let nats = Nats::start().await;
    let relay = Relay::start(&nats.url(), &[]).await;
    for scheme in ["Bearer", "bearer", "BEARER", "BeArEr"] {
        let answer = relay
            .call(
                "GET",
                "/v1/whoami",
                None,
                None,
                &[("authorization", &format!("{scheme} {ADMIN_TOKEN}"))],
            )
            .await;
        assert_eq!(answer.status, 200, "{scheme}: {}", answer.text);
    }
}
