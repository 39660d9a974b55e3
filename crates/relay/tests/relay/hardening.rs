//! What an adversarial review of the relay broke, each test written failing first: logs holding
//! secrets, deliveries too big for NATS, a slow endpoint holding back the others, one event id posted
//! at once, retries waiting past the retention, late attempts, namespaces. Real processes, as in the
//! rest of the suite.

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
/// relay (re)loads its state. The libraries are held at `info` whatever `RUST_LOG` says: checked at
/// `debug` and at `trace`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_and_trace_logs_never_hold_a_credential() {
    const PASSWORD: &str = "canary-password-in-logs-41c7";
    for level in ["debug", "trace"] {
        let nats = Nats::start().await;
        let receiver = Receiver::start(&["--basic-auth", &format!("crm:{PASSWORD}")]).await;
        let relay = Relay::start_logging(&nats.url(), &["--allow-private"], level).await;
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
            log.contains("configuration loaded"),
            "RUST_LOG={level}: the relay's own debug lines are kept"
        );
        assert!(
            !log.contains(PASSWORD),
            "RUST_LOG={level}: the password is in the log as it is"
        );
        for decoded in base64_runs(&log) {
            let decoded = String::from_utf8_lossy(&decoded);
            assert!(
                !decoded.contains(PASSWORD),
                "RUST_LOG={level}: the password is in the log, base64-encoded: {decoded}"
            );
        }
    }
}

/// An event is accepted (202) when it fits half a NATS message, but each planned delivery carries the
/// event's whole render context, in which a related record is copied once per reference path (deal →
/// organization, deal → person → organization, and the same under `previous`). A 270 KB event thus
/// makes a 1.08 MB delivery that NATS refuses: the planner NAKs the event and tries again every second
/// for the whole retention. Nothing is ever delivered or recorded, and the client was told "accepted".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_event_whose_delivery_does_not_fit_nats_is_not_retried_for_ever_in_silence() {
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
    if answer.status == 413 {
        // Refused up front, saying why, and nothing stored: the id is still free.
        let error = answer.body["error"].as_str().unwrap_or_default();
        assert!(
            error.starts_with("the event (id \"evt_big\"): with the records the event refers to copied in for the templates, its delivery to the webhook")
                && error.contains("nothing was stored"),
            "{error}"
        );
        let smaller = relay.post_events(&deal_event("evt_big", 5)).await;
        assert_eq!(
            smaller.body["accepted"],
            json!(["evt_big"]),
            "{}",
            smaller.text
        );
        return;
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
async fn a_slow_webhook_does_not_hold_back_the_other_webhooks() {
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
        "version": 3,
        "revision": 1,
        "webhooks": [
            {"id": "wh_slow", "name": "Slow", "base_url": slow.url, "route": "relay",
             "auth": {"type": "none"}, "timeout_ms": 30000, "retry": retry},
            {"id": "wh_fast", "name": "Fast", "base_url": fast.url, "route": "relay",
             "auth": {"type": "none"}, "timeout_ms": 30000, "retry": retry},
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
    // The slow webhook's deliveries that were given back meanwhile are neither lost nor sent twice,
    // and a give-back is not an attempt: each execution succeeded at its first and only attempt.
    wait_until(
        "the slow webhook's backlog to be worked through",
        Duration::from_secs(60),
        || async { slow.requests().await.len() >= 40 },
    )
    .await;
    wait_until(
        "every execution to succeed",
        Duration::from_secs(30),
        || async {
            let executions = relay.executions().await;
            executions.len() == 41
                && executions
                    .iter()
                    .all(|execution| execution["status"] == "succeeded")
        },
    )
    .await;
    let ids: std::collections::BTreeSet<String> = slow
        .requests()
        .await
        .iter()
        .map(|request| header(request, "webhook-id").unwrap().to_owned())
        .collect();
    assert_eq!(
        (slow.requests().await.len(), ids.len()),
        (40, 40),
        "requests to the slow endpoint, and distinct webhook-ids among them"
    );
    for execution in relay.executions().await {
        assert_eq!(
            execution["attempts"].as_array().map(Vec::len),
            Some(1),
            "{execution}"
        );
    }
    assert_eq!(relay.attempts_made().await, 41);
    let metrics = relay.metrics().await;
    let given_back = metrics
        .lines()
        .find_map(|line| line.strip_prefix("webhook_relay_deliveries_given_back_total "))
        .and_then(|value| value.parse::<u64>().ok());
    assert!(given_back.is_some_and(|count| count > 0), "{metrics}");
}

/// The same event id posted at once to two relay processes (a CRM retrying a webhook, two CRM
/// workers): the id runs once, but more than one answer says `accepted` (and
/// `events_received_total` counts it more than once): a claim still `received` is taken for "the
/// earlier request failed", though another request is simply between its two writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_event_id_posted_concurrently_is_accepted_once() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let first = Relay::start(&nats.url(), &["--allow-private"]).await;
    let second = Relay::start(&nats.url(), &["--allow-private"]).await;
    first.put_config(&plain_config(&receiver.url)).await;
    let mut accepted_counts = Vec::new();
    for round in 0..10 {
        let event = deal_event(&format!("evt_race_{round}"), round);
        let posts = (0..24).map(|n| {
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
        receiver.requests().await.len() >= 10
    })
    .await;
    assert_eq!(
        receiver.requests().await.len(),
        10,
        "each id was still sent once"
    );
    assert_eq!(
        accepted_counts,
        vec![1; 10],
        "answers that said `accepted` per event id (24 posts each, half to each relay)"
    );
}

/// The other side of the claim: one left `received` by a request that failed between claiming and
/// queueing is taken over by a later request once it is old (the event then runs), but a fresh one —
/// another request between its two writes — is not: that request is answered "in progress, send
/// again" (503), never `accepted`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_left_received_is_taken_over_only_once_it_is_old() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    relay.put_config(&plain_config(&receiver.url)).await;
    let client = async_nats::connect(nats.url()).await.unwrap();
    let claims = async_nats::jetstream::new(client)
        .get_key_value("relay_event_claims")
        .await
        .unwrap();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let left = |at_ms: i64| json!({"state": "received", "at_ms": at_ms}).to_string();
    claims
        .put("evt_fresh_claim", left(now_ms).into())
        .await
        .unwrap();
    claims
        .put("evt_stale_claim", left(now_ms - 60_000).into())
        .await
        .unwrap();
    let fresh = relay
        .call(
            "POST",
            "/v1/events",
            Some(EVENTS_TOKEN),
            Some(&deal_event("evt_fresh_claim", 1).to_string()),
            &[],
        )
        .await;
    assert_eq!(fresh.status, 503, "{}", fresh.text);
    assert!(
        fresh.body["error"]
            .as_str()
            .unwrap()
            .contains("another request is accepting the event id \"evt_fresh_claim\""),
        "{}",
        fresh.text
    );
    let stale = relay.post_events(&deal_event("evt_stale_claim", 2)).await;
    assert_eq!(stale.body["accepted"], json!(["evt_stale_claim"]));
    wait_until(
        "the event taken over to run",
        Duration::from_secs(30),
        || async { receiver.requests().await.len() == 1 },
    )
    .await;
    assert_eq!(receiver.requests().await[0]["path"], "/orders/2");
    let again = relay.post_events(&deal_event("evt_stale_claim", 2)).await;
    assert_eq!(again.body["duplicates"], json!(["evt_stale_claim"]));
}

/// RFC 9110 §11.1: the authentication scheme is case-insensitive. `BEARER <admin token>` is refused as
/// "the token is not valid", which sends a client looking for a wrong token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_scheme_is_case_insensitive() {
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

/// Retries wait in NATS (a NAK with the engine's delay), but the deliveries stream has the retention
/// as its maximum age, counted from when the delivery was first queued — NAKs do not renew it. A
/// delivery whose retries reach past the retention is dropped by NATS while it waits: no further
/// attempt, no final status (the execution's record, not written while it waits, ages out too). The
/// configuration check allows waits of up to 49 days (`max_backoff_ms` is any u32) and 10 attempts,
/// against a retention of 15 days by default and 1 day at least; with `--retention-days 1`, ten
/// attempts three hours apart are already lost.
///
/// Time-scaled here: the relay's own `setup` applies a 121 s retention (the least NATS allows beside
/// the relay's 120 s duplicate window) to the running relay's streams, and the endpoint asks for
/// `Retry-After: 125`. Takes about 2½ minutes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_that_waits_past_the_retention_is_not_lost() {
    use webhook_relay::store::{setup, Names, StoreSettings};
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(&nats.url(), &["--allow-private", "--retention-days", "1"]).await;
    let client = async_nats::connect(nats.url()).await.unwrap();
    setup(
        client,
        Names::new(None),
        &StoreSettings {
            replicas: 1,
            retention: Duration::from_secs(121),
            ack_wait: Duration::from_secs(30),
        },
    )
    .await
    .unwrap();
    relay
        .put_config(&config(
            &receiver.url,
            json!({"type": "none"}),
            false,
            json!({"max_attempts": 3, "initial_backoff_ms": 1000, "max_backoff_ms": 130000}),
        ))
        .await;
    receiver
        .script(json!([{"status": 503, "retry_after": 125}, {"status": 200}]))
        .await;
    relay.post_events(&deal_event("evt_long_wait", 1)).await;
    let id = execution_id("evt_long_wait");
    wait_until("the first attempt", Duration::from_secs(30), || async {
        relay
            .admin("GET", &format!("/v1/executions/{id}"), None)
            .await
            .body["execution"]["attempts"]
            .as_array()
            .is_some_and(|attempts| attempts.len() == 1)
    })
    .await;
    let started = Instant::now();
    loop {
        let received = receiver.requests().await.len();
        if received >= 2 {
            break;
        }
        if started.elapsed() > Duration::from_secs(145) {
            let execution = relay
                .admin("GET", &format!("/v1/executions/{id}"), None)
                .await;
            let depth = relay
                .metrics()
                .await
                .lines()
                .find(|line| line.contains("queue=\"deliveries\""))
                .unwrap_or_default()
                .to_owned();
            panic!(
                "145 s after a 503 asking for a 125 s wait, the retry never came ({received} \
                 request); the delivery is gone from NATS ({depth}); the execution answers {}: {}",
                execution.status, execution.text
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // The record outlived the retention too: the history shows both attempts, and the success.
    wait_until(
        "the execution to succeed",
        Duration::from_secs(30),
        || async {
            relay
                .admin("GET", &format!("/v1/executions/{id}"), None)
                .await
                .body["execution"]["status"]
                == "succeeded"
        },
    )
    .await;
    let execution = relay
        .admin("GET", &format!("/v1/executions/{id}"), None)
        .await
        .body["execution"]
        .clone();
    let outcomes: Vec<&Value> = execution["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|attempt| &attempt["outcome"])
        .collect();
    assert_eq!(
        outcomes,
        [&json!({"status": 503}), &json!({"status": 200})],
        "{execution}"
    );
    assert_eq!(receiver.requests().await.len(), 2);
}

fn send_signal(process: &Process, signal: &str) {
    let pid = process.child.as_ref().expect("running").id();
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A relay that loses touch with NATS during a slow attempt (a network partition, a paused VM —
/// SIGSTOP here) stops keeping its delivery alive; after the ack wait NATS hands the delivery to
/// another relay, which is at-least-once as documented. Execution records were written
/// last-writer-wins: when the first relay came back, it recorded its own, older attempt over the
/// second relay's success, and the history showed an execution that succeeded as pending for ever.
/// Records are now written over the record read, and only over that one (expected last subject
/// sequence): the late attempt finds the record finished and leaves it, and nothing is queued again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_attempt_never_overwrites_a_finished_execution() {
    async fn status(relay: &Relay, id: &str) -> Value {
        relay
            .admin("GET", &format!("/v1/executions/{id}"), None)
            .await
            .body["execution"]
            .clone()
    }
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let flags = ["--allow-private", "--ack-wait-secs", "2"];
    let first = Relay::start(&nats.url(), &flags).await;
    let mut document = plain_config(&receiver.url);
    document["webhooks"][0]["timeout_ms"] = json!(30000);
    first.put_config(&document).await;
    receiver
        .script(json!([{"delay_ms": 6000, "status": 503, "retry_after": 1}, {"status": 200}]))
        .await;
    first.post_events(&deal_event("evt_paused", 1)).await;
    wait_until(
        "the first attempt to be sent",
        Duration::from_secs(30),
        || async { !receiver.requests().await.is_empty() },
    )
    .await;
    send_signal(&first.process, "STOP");
    let second = Relay::start(&nats.url(), &flags).await;
    let id = execution_id("evt_paused");
    wait_until(
        "the second relay to take the delivery over and succeed",
        Duration::from_secs(30),
        || async { status(&second, &id).await["status"] == "succeeded" },
    )
    .await;
    assert_eq!(receiver.requests().await.len(), 2);
    send_signal(&first.process, "CONT");
    wait_until(
        "the first relay to finish its late attempt",
        Duration::from_secs(30),
        || async { first.log().contains("attempt execution=") },
    )
    .await;
    // The late record lands right after that line; watch the history for a while (past the 1 s
    // Retry-After of the late attempt, in case its delivery comes back).
    let watched = Instant::now();
    let mut regressed = None;
    while watched.elapsed() < Duration::from_secs(4) {
        let execution = status(&second, &id).await;
        if execution["status"] != "succeeded" {
            regressed = Some(execution);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if let Some(execution) = regressed {
        panic!(
            "the endpoint answered 200 and the delivery was acknowledged, yet the history now says \
             {} with {} attempt(s), next attempt at {} (the endpoint has had {} requests, 4 s later): {execution}",
            execution["status"],
            execution["attempts"].as_array().map_or(0, Vec::len),
            execution["next_attempt_at_ms"],
            receiver.requests().await.len(),
        );
    }
}

/// Every attempt renders the request again from the automation as it is now (the engine's `attempt`
/// builds it from the current action), but the execution keeps the request rendered when it was
/// planned. After a configuration change during a retry wait (hours, in the relay), the endpoint
/// gets one request and the history — the admin's only view of what was sent — shows another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_shows_the_request_that_was_sent_after_a_change() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    let document = plain_config(&receiver.url);
    relay.put_config(&document).await;
    receiver
        .script(json!([{"status": 503, "retry_after": 3}, {"status": 200}]))
        .await;
    relay.post_events(&deal_event("evt_changed", 1)).await;
    wait_until("the first attempt", Duration::from_secs(30), || async {
        receiver.requests().await.len() == 1
    })
    .await;
    // While the retry waits, an admin edits the automation's path and body.
    let mut changed = document.clone();
    changed["automations"][0]["actions"][0]["path"] = json!("/v2/orders/{{deal.id}}");
    changed["automations"][0]["actions"][0]["body"]["template"] =
        json!("{\"changed\": true, \"title\": \"{{deal.title}}\"}");
    relay.put_config(&changed).await;
    let id = execution_id("evt_changed");
    wait_until("the retry to succeed", Duration::from_secs(30), || async {
        relay
            .admin("GET", &format!("/v1/executions/{id}"), None)
            .await
            .body["execution"]["status"]
            == "succeeded"
    })
    .await;
    let execution = relay
        .admin("GET", &format!("/v1/executions/{id}"), None)
        .await
        .body["execution"]
        .clone();
    let received = receiver.requests().await;
    let sent = &received[1];
    let recorded = &execution["request"];
    assert_eq!(
        (
            sent["path"].as_str().unwrap(),
            sent["body"].as_str().unwrap()
        ),
        (
            recorded["url"]
                .as_str()
                .unwrap()
                .trim_start_matches(&receiver.url),
            recorded["body"].as_str().unwrap()
        ),
        "what the endpoint got (left) and what the history says was sent (right)"
    );
}

/// `--namespace` keeps accounts apart by name, but stream names are upper-cased
/// (`RELAY_<NAMESPACE>_…`) while subjects and buckets keep the case: `acme` and `ACME` would share the
/// streams `RELAY_ACME_EVENTS`, `RELAY_ACME_DELIVERIES`, `RELAY_ACME_EXECUTIONS` and their durable
/// consumers — starting `ACME`'s relay rewrote the streams' subjects, and `acme`'s relay then refused
/// every event (503, "no stream found") while its `/healthz` said ok. Only lowercase namespaces are
/// taken: `ACME` is refused at start-up with a clear line, before it touches anything, and `acme`
/// goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_differing_only_in_case_is_refused_and_cannot_break_another() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let lower = Relay::start(&nats.url(), &["--allow-private", "--namespace", "acme"]).await;
    lower.put_config(&plain_config(&receiver.url)).await;
    for upper in ["ACME", "Acme"] {
        let refused =
            match Relay::try_start(&nats.url(), &["--allow-private", "--namespace", upper]).await {
                Ok(_) => panic!("a relay with --namespace {upper} started"),
                Err(refused) => refused,
            };
        assert!(
            refused.contains("exit status: 2")
                && refused.contains(&format!(
                    "--namespace \"{upper}\": use 1 to 32 lowercase letters"
                )),
            "{refused}"
        );
    }
    let health = lower.call("GET", "/healthz", None, None, &[]).await;
    assert_eq!(health.status, 200, "{}", health.text);
    let answer = lower
        .call(
            "POST",
            "/v1/events",
            Some(EVENTS_TOKEN),
            Some(&deal_event("evt_acme", 1).to_string()),
            &[],
        )
        .await;
    assert_eq!(answer.status, 202, "namespace acme: {}", answer.text);
    wait_until("the delivery", Duration::from_secs(30), || async {
        receiver.requests().await.len() == 1
    })
    .await;
}

/// The same hole for the relay's own NATS password: the relay prints NATS URLs without their user
/// information (`without_userinfo`), but at debug async-nats logs every failed connection attempt
/// with the whole `ServerAddr`, password included — on a NATS restart as at start-up. Checked at
/// `debug` and at `trace`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_and_trace_logs_never_hold_the_nats_password() {
    const NATS_PASSWORD: &str = "canary-nats-password-2b9e";
    for level in ["debug", "trace"] {
        let url = format!("nats://relay:{NATS_PASSWORD}@127.0.0.1:{}", free_port());
        let log = match Relay::try_start_logging(&url, &[], level).await {
            Ok(_) => panic!("nothing listens there"),
            Err(log) => log,
        };
        assert!(
            log.contains("cannot reach NATS at nats://***@127.0.0.1"),
            "RUST_LOG={level}: {log}"
        );
        assert!(
            !log.contains(NATS_PASSWORD),
            "RUST_LOG={level}: the NATS password is in the log: {}",
            log.lines()
                .find(|line| line.contains(NATS_PASSWORD))
                .unwrap_or_default()
        );
    }
}

/// `PUT …/credentials` checked values only for being empty or holding CR, LF or NUL, and answered
/// `"complete": true` for a token that can never be sent (beyond Latin-1) — the problem showed only as
/// failed executions later. The engine's rule (`validate_webhook` on the merged webhook) refuses it
/// now: 400, naming the field, never quoting the value, and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_that_can_never_be_sent_are_refused_when_entered() {
    const TOKEN: &str = "token-with-an-emoji-🎉";
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    relay
        .put_config(&config(
            &receiver.url,
            json!({"type": "bearer"}),
            false,
            json!({}),
        ))
        .await;
    let answer = relay
        .admin(
            "PUT",
            &format!("/v1/webhooks/{WEBHOOK}/credentials"),
            Some(&json!({ "token": TOKEN }).to_string()),
        )
        .await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    let error = answer.body["error"].as_str().unwrap();
    assert!(
        error.starts_with("the credentials are not valid: `token`: the token can't be sent"),
        "{error}"
    );
    assert!(!answer.text.contains("emoji-"), "{}", answer.text);
    let stored = relay
        .admin("GET", &format!("/v1/webhooks/{WEBHOOK}/credentials"), None)
        .await;
    assert_eq!(stored.body["set"], json!([]), "{}", stored.text);
    assert_eq!(stored.body["complete"], false, "{}", stored.text);
}

/// docs/relay.md: "An answer's body is read up to 68 KiB (the 4 KiB the history keeps, plus room to
/// recognise and mask a credential the endpoint echoes right at the cut)". The room assumes masking
/// never shortens the text; it does: a long token (400 characters, as opaque API keys and JWTs are)
/// becomes the 6-character mask, so 173 echoes shrink to about 3.3 KiB and the *partial* token cut off
/// at 68 KiB — which the scrubber cannot recognise — lands inside the 4 KiB excerpt and is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_token_echoed_up_to_the_read_limit_is_not_kept_in_part() {
    let token: String = (0..400)
        .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7 + i / 36) % 36]))
        .collect();
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    relay
        .put_config(&config(
            &receiver.url,
            json!({"type": "bearer"}),
            false,
            json!({"max_attempts": 1}),
        ))
        .await;
    relay
        .put_credentials(WEBHOOK, json!({"token": token}))
        .await;
    // An endpoint that echoes what it was sent, many times (a debugging endpoint, a log dump).
    let echo = format!("{token} ").repeat(180);
    receiver
        .script(json!([{"status": 400, "body": echo}]))
        .await;
    relay.post_events(&deal_event("evt_echo", 1)).await;
    wait_until("the delivery to end", Duration::from_secs(30), || async {
        relay
            .executions()
            .await
            .first()
            .is_some_and(|execution| execution["status"] == "failed")
    })
    .await;
    let execution = relay.executions().await[0].clone();
    let excerpt = execution["attempts"][0]["response"]["body_excerpt"]
        .as_str()
        .unwrap()
        .to_owned();
    let leaked = (0..=token.len() - 32).find(|&at| excerpt.contains(&token[at..at + 32]));
    assert!(
        leaked.is_none(),
        "32 characters or more of the token are in the recorded answer ({} bytes), from character {:?} on: …{}",
        excerpt.len(),
        leaked,
        excerpt.chars().rev().take(300).collect::<Vec<_>>().into_iter().rev().collect::<String>()
    );
}

/// An endpoint that announces a 5,000-byte answer, echoes the first 200 characters of the token and
/// closes the connection: the body broke off short of the read limit, so nothing marked it cut, and
/// the part of the token that came was recorded as it was (a scrubber only knows whole secrets).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_in_an_answer_that_breaks_off_is_not_kept_in_part() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let token: String = (0..400)
        .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[(i * 11 + i / 36) % 36]))
        .collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let partial = format!("{{\"got\": \"Bearer {}", &token[..200]);
    tokio::spawn(async move {
        while let Ok((mut connection, _)) = listener.accept().await {
            let partial = partial.clone();
            tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let _ = connection.read(&mut request).await;
                let head = "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n";
                let _ = connection.write_all(head.as_bytes()).await;
                let _ = connection.write_all(partial.as_bytes()).await;
                let _ = connection.shutdown().await;
            });
        }
    });
    let nats = Nats::start().await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    relay
        .put_config(&config(
            &endpoint,
            json!({"type": "bearer"}),
            false,
            json!({"max_attempts": 1}),
        ))
        .await;
    relay
        .put_credentials(WEBHOOK, json!({"token": token}))
        .await;
    relay.post_events(&deal_event("evt_broken_off", 1)).await;
    wait_until("the delivery to end", Duration::from_secs(30), || async {
        relay
            .executions()
            .await
            .first()
            .is_some_and(|execution| execution["status"] == "failed")
    })
    .await;
    let execution = relay.executions().await[0].clone();
    let recorded = execution["attempts"][0].to_string();
    let leaked = (0..=token.len() - 32).find(|&at| recorded.contains(&token[at..at + 32]));
    assert!(
        leaked.is_none(),
        "a piece of the token from character {leaked:?} on is in the recorded attempt: {recorded}"
    );
}
