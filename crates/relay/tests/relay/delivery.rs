//! What reaches the endpoint: exactly the engine's request, once per event id, retried by the
//! engine's policy.

use std::time::Duration;

use serde_json::{json, Value};
use webhook_engine::catalog::Catalog;
use webhook_engine::config::ConfigDocument;
use webhook_engine::event::Event;
use webhook_engine::model::{Auth, Secret};
use webhook_engine::runner::{plan, CompiledConfig};

use crate::support::*;

const PASSWORD: &str = "erp-password-7f3a";

/// Milliseconds since the epoch of the receiver's RFC 3339 UTC time (`2026-12-04T15:06:13.141192089Z`).
fn receiver_ms(time: &str) -> i64 {
    let (date, clock) = time.trim_end_matches('Z').split_once('T').unwrap();
    let mut parts = date.split('-').map(|part| part.parse::<i64>().unwrap());
    let (year, month, day) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let mut hms = hms.split(':').map(|part| part.parse::<i64>().unwrap());
    let seconds = hms.next().unwrap() * 3600 + hms.next().unwrap() * 60 + hms.next().unwrap();
    let millis: i64 = format!("{fraction:0<3}")[..3].parse().unwrap();
    (days * 86_400 + seconds) * 1000 + millis
}

fn hostile_event() -> Value {
    let mut event = deal_event("evt_hostile", 7);
    event["current"]["title"] = json!("He said \"hi\" \\ {{deal.id}} </script><script>alert(1)</script> \u{2028}\u{2029} 🎉 ünïcödé");
    event["user"]["name"] = json!("O'Brien \"the\" \\admin\\ 🎉");
    event
}

/// The requests the engine itself builds for `event` under the same configuration and credentials.
fn engine_requests(document: &Value, event: &Value) -> Vec<webhook_engine::runner::StoredRequest> {
    let document = ConfigDocument::parse(&document.to_string()).unwrap();
    let mut webhooks = document.clone().into_local(&[]).webhooks;
    webhooks[0].auth = Auth::Basic {
        username: "crm".into(),
        password: Secret::new(PASSWORD),
    };
    webhooks[0].signing_secret = Some(Secret::new(SIGNING_SECRET));
    let catalog = Catalog::builtin();
    let compiled = CompiledConfig::compile(&catalog, &webhooks, &document.automations);
    let event: Event = serde_json::from_value(event.clone()).unwrap();
    plan(
        &compiled,
        &catalog,
        &event,
        &mut webhook_relay::environment::RelayEnvironment,
    )
    .planned
    .into_iter()
    .map(|planned| planned.execution.request.unwrap())
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_gets_exactly_the_engines_request_once_per_event_id() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[
        "--signing-secret",
        SIGNING_SECRET,
        "--basic-auth",
        &format!("crm:{PASSWORD}"),
    ])
    .await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    let document = config(
        &format!("{}/api", receiver.url),
        json!({"type": "basic", "username": "crm"}),
        true,
        json!({}),
    );
    relay.put_config(&document).await;
    relay
        .put_credentials(
            WEBHOOK,
            json!({"password": PASSWORD, "signing_secret": SIGNING_SECRET}),
        )
        .await;

    let example: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("docs/examples/event-deal-updated.json"))
            .unwrap(),
    )
    .unwrap();
    let events = [example, hostile_event()];
    let answer = relay.post_events(&json!(events)).await;
    assert_eq!(
        answer.body["accepted"].as_array().unwrap().len(),
        2,
        "{}",
        answer.text
    );

    wait_until("both deliveries", Duration::from_secs(30), || async {
        receiver.requests().await.len() >= 2
    })
    .await;
    wait_until(
        "both executions to finish",
        Duration::from_secs(30),
        || async {
            let executions = relay.executions().await;
            executions.len() == 2
                && executions
                    .iter()
                    .all(|execution| execution["status"] == "succeeded")
        },
    )
    .await;
    let received = receiver.requests().await;
    let executions = relay.executions().await;
    for event in &events {
        let id = event["id"].as_str().unwrap();
        let execution_id = execution_id(id);
        let record = received
            .iter()
            .find(|record| header(record, "webhook-id") == Some(execution_id.as_str()))
            .unwrap_or_else(|| panic!("no request for {id}"));
        let execution = executions
            .iter()
            .find(|execution| execution["id"] == execution_id.as_str())
            .unwrap();
        let expected = &engine_requests(&document, event)[0];

        // The body is the engine's rendering byte for byte; the relay wrote nothing of its own.
        assert_eq!(record["body"].as_str().unwrap(), expected.body, "{id}");
        assert_eq!(
            execution["request"]["body"].as_str().unwrap(),
            expected.body,
            "{id}"
        );
        assert_eq!(record["method"], "PUT");
        let url = format!("{}{}", receiver.url, record["path"].as_str().unwrap());
        assert_eq!(url, expected.url);
        assert_eq!(execution["request"]["url"].as_str().unwrap(), expected.url);
        assert_eq!(record["signature"], "verified", "{id}");
        assert_eq!(record["auth"], "ok", "{id}");

        // Every header the engine built arrived (values compared where the history shows them), and
        // the only others are the HTTP client's own, listed in docs/relay.md.
        let names: Vec<String> = record["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| pair[0].as_str().unwrap().to_owned())
            .collect();
        for (name, value) in &expected.headers {
            let sent = header(record, name).unwrap_or_else(|| panic!("{name} missing"));
            if !value.contains('•') && name != "webhook-timestamp" {
                assert_eq!(sent, value, "{name}");
            }
        }
        let mut own: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|name| {
                !expected
                    .headers
                    .iter()
                    .any(|(built, _)| built.eq_ignore_ascii_case(name))
            })
            .collect();
        own.sort_unstable();
        assert_eq!(own, ["accept", "content-length", "host", "user-agent"]);
        assert_eq!(
            header(record, "user-agent"),
            Some(concat!("webhook-relay/", env!("CARGO_PKG_VERSION")))
        );
    }

    // The same event id again: refused as a duplicate, and nothing more is sent.
    let again = relay.post_events(&events[0]).await;
    assert_eq!(
        again.body["duplicates"],
        json!([events[0]["id"]]),
        "{}",
        again.text
    );
    assert_eq!(again.body["accepted"], json!([]));
    relay.post_events(&deal_event("evt_marker", 9)).await;
    let marker = execution_id("evt_marker");
    wait_until(
        "the marker event's delivery",
        Duration::from_secs(30),
        || async {
            receiver
                .requests()
                .await
                .iter()
                .any(|record| header(record, "webhook-id") == Some(marker.as_str()))
        },
    )
    .await;
    assert_eq!(
        receiver.requests().await.len(),
        3,
        "one request per event id"
    );
    assert_eq!(relay.executions().await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_wait_as_the_endpoint_asks_and_refusals_are_explained() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    relay.put_config(&plain_config(&receiver.url)).await;

    receiver
        .script(json!([{"status": 503, "retry_after": 1}, {"status": 200}]))
        .await;
    relay.post_events(&deal_event("evt_retry", 1)).await;
    let id = execution_id("evt_retry");
    let finished = |id: &str, wanted: &'static str| {
        let relay = &relay;
        let id = id.to_owned();
        move || {
            let id = id.clone();
            async move {
                let answer = relay
                    .admin("GET", &format!("/v1/executions/{id}"), None)
                    .await;
                answer.status == 200 && answer.body["execution"]["status"] == wanted
            }
        }
    };
    wait_until(
        "the retried delivery to succeed",
        Duration::from_secs(30),
        finished(&id, "succeeded"),
    )
    .await;
    let execution = relay
        .admin("GET", &format!("/v1/executions/{id}"), None)
        .await
        .body["execution"]
        .clone();
    let attempts = execution["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["outcome"], json!({"status": 503}));
    assert_eq!(
        attempts[0]["retry_in"],
        json!({"ms": 1000, "reason": {"kind": "retry_after"}})
    );
    let received = receiver.requests().await;
    assert_eq!(received.len(), 2);
    assert!(
        received
            .iter()
            .all(|record| header(record, "webhook-id") == Some(id.as_str())),
        "one webhook-id"
    );
    let waited = receiver_ms(received[1]["time"].as_str().unwrap())
        - receiver_ms(received[0]["time"].as_str().unwrap());
    assert!(
        waited >= 1000,
        "the second attempt came {waited} ms after the first, before Retry-After: 1"
    );

    receiver.script(json!([{"status": 401}])).await;
    relay.post_events(&deal_event("evt_unauthorized", 2)).await;
    let id = execution_id("evt_unauthorized");
    wait_until(
        "the 401 to fail the delivery",
        Duration::from_secs(30),
        finished(&id, "failed"),
    )
    .await;
    let execution = relay
        .admin("GET", &format!("/v1/executions/{id}"), None)
        .await
        .body["execution"]
        .clone();
    assert_eq!(
        execution["attempts"].as_array().unwrap().len(),
        1,
        "a 401 is not retried"
    );
    let reason = execution["reason"].as_str().unwrap();
    assert!(
        reason.contains("401 Unauthorized") && reason.contains("credentials"),
        "{reason}"
    );
    assert_eq!(receiver.requests().await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_attempt_in_flight_finish() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let mut relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    relay.put_config(&plain_config(&receiver.url)).await;
    receiver.script(json!([{"delay_ms": 1500}])).await;
    relay.post_events(&deal_event("evt_slow", 1)).await;
    wait_until(
        "the slow request to arrive",
        Duration::from_secs(30),
        || async { !receiver.requests().await.is_empty() },
    )
    .await;
    let status = relay.process.terminate(Duration::from_secs(30)).await;
    assert!(status.success(), "{status}");
    let log = relay.log();
    assert!(
        log.contains("stopping: finishing the attempts in flight"),
        "{log}"
    );

    // Another relay reads what the stopped one recorded: the attempt finished and was acknowledged.
    let other = Relay::start(&nats.url(), &["--allow-private"]).await;
    let answer = other
        .admin(
            "GET",
            &format!("/v1/executions/{}", execution_id("evt_slow")),
            None,
        )
        .await;
    assert_eq!(
        answer.body["execution"]["status"], "succeeded",
        "{}",
        answer.text
    );
    assert_eq!(receiver.requests().await.len(), 1, "not sent again");
}
