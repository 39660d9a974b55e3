//! Each webhook's route: the relay sends, records, replays and tests only the webhooks it delivers
//! (route `relay`); a browser webhook's delivery is the browser's, so one event id is never delivered
//! by both. Credentials follow the route and the origin.

use std::time::Duration;

use serde_json::{json, Value};
use webhook_relay::sender::MOVED_TO_BROWSER;

use crate::support::*;

const BROWSER_WEBHOOK: &str = "wh_browser";
const RELAY_WEBHOOK: &str = "wh_relay";
const BOTH: &str = "au_both";

fn webhook(id: &str, name: &str, base_url: &str, route: &str, retry: Value) -> Value {
    json!({
        "id": id, "name": name, "base_url": base_url, "route": route, "auth": {"type": "none"},
        "timeout_ms": 5000, "retry": retry, "headers": []
    })
}

fn action(webhook_id: &str, path: &str) -> Value {
    json!({
        "webhook_id": webhook_id, "method": "POST", "path": path,
        "body": {"mode": "raw", "template": "{\"deal\": {{deal.id}}}"}
    })
}

/// A browser webhook and a relay webhook on the same receiver, and one automation on updated deals
/// with an action for each (the browser's first).
fn two_routes(base_url: &str, relay_route: &str, retry: Value) -> Value {
    json!({
        "format": "webhook-automations/config", "version": 3, "revision": 2,
        "webhooks": [
            webhook(BROWSER_WEBHOOK, "From the browser", base_url, "browser", retry.clone()),
            webhook(RELAY_WEBHOOK, "From the relay", base_url, relay_route, retry),
        ],
        "automations": [{
            "id": BOTH, "name": "Deals, both ways", "enabled": true,
            "trigger": {"entity": "deal", "action": "updated"},
            "conditions": {"match": "all", "items": []},
            "actions": [action(BROWSER_WEBHOOK, "/browser/{{deal.id}}"), action(RELAY_WEBHOOK, "/relay/{{deal.id}}")]
        }]
    })
}

fn quick_retries() -> Value {
    json!({"max_attempts": 3, "initial_backoff_ms": 200, "max_backoff_ms": 1000})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_event_for_a_browser_and_a_relay_webhook_is_sent_once_by_the_relay() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    relay
        .put_config(&two_routes(&receiver.url, "relay", quick_retries()))
        .await;
    relay.post_events(&deal_event("evt_both", 7)).await;
    let relay_execution = webhook_engine::runner::execution_id("evt_both", BOTH, 1);
    wait_until(
        "the relay webhook's delivery to succeed",
        Duration::from_secs(30),
        || async {
            relay
                .executions()
                .await
                .iter()
                .any(|execution| execution["status"] == "succeeded")
        },
    )
    .await;
    // The browser action comes first in the plan: had the relay queued it, its record would have been
    // written before the relay action's.
    let executions = relay.executions().await;
    assert_eq!(executions.len(), 1, "{executions:?}");
    assert_eq!(executions[0]["id"], relay_execution.as_str());
    assert_eq!(executions[0]["webhook_id"], RELAY_WEBHOOK);
    let received = receiver.requests().await;
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0]["path"], "/relay/7");
    assert_eq!(
        header(&received[0], "webhook-id"),
        Some(relay_execution.as_str())
    );
    assert!(relay
        .metrics()
        .await
        .contains("webhook_relay_executions_planned_total 1\n"));

    // Test sends: the relay's webhook through the relay; the browser's refused, nothing sent.
    let test = relay
        .admin("POST", &format!("/v1/webhooks/{RELAY_WEBHOOK}/test"), None)
        .await;
    assert_eq!(test.status, 200, "{}", test.text);
    assert_eq!(test.body["execution"]["status"], "succeeded");
    let refused = relay
        .admin(
            "POST",
            &format!("/v1/webhooks/{BROWSER_WEBHOOK}/test"),
            None,
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    let message = refused.body["error"].as_str().unwrap();
    assert!(
        message.contains("\"From the browser\" is delivered from the browser")
            && message.contains("sent from the app"),
        "{message}"
    );

    // Once the relay's webhook is switched to the browser, its execution is replayed from the app.
    relay
        .put_config(&two_routes(&receiver.url, "browser", quick_retries()))
        .await;
    let replay = relay
        .admin(
            "POST",
            &format!("/v1/executions/{relay_execution}/replay"),
            None,
        )
        .await;
    assert_eq!(replay.status, 409, "{}", replay.text);
    let message = replay.body["error"].as_str().unwrap();
    assert!(
        message.contains("\"From the relay\" of this execution is now delivered from the browser")
            && message.contains("replay it from the app")
            && message.contains("nothing was sent"),
        "{message}"
    );
    let after_test = relay
        .admin("POST", &format!("/v1/webhooks/{RELAY_WEBHOOK}/test"), None)
        .await;
    assert_eq!(after_test.status, 409, "{}", after_test.text);

    // An event whose automation now uses browser webhooks only: accepted, planned to nothing.
    relay.post_events(&deal_event("evt_browser_only", 8)).await;
    wait_until(
        "the event to be planned (the events queue empty)",
        Duration::from_secs(30),
        || async {
            relay
                .metrics()
                .await
                .contains("webhook_relay_queue_depth{queue=\"events\"} 0\n")
        },
    )
    .await;
    assert_eq!(relay.executions().await.len(), 1);
    let paths: Vec<Value> = receiver
        .requests()
        .await
        .iter()
        .map(|record| record["path"].clone())
        .collect();
    assert_eq!(
        paths,
        [json!("/relay/7"), json!("/")],
        "the event and the test send"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_whose_webhook_moved_to_the_browser_is_not_sent() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    // The endpoint fails every attempt; whichever attempt comes after the switch is not made. (Nine
    // retries at least half a second apart leave the switch seconds to land before the last.)
    receiver
        .script(json!(vec![json!({"status": 503}); 10]))
        .await;
    let retries = json!({"max_attempts": 10, "initial_backoff_ms": 1000, "max_backoff_ms": 2000});
    relay
        .put_config(&two_routes(&receiver.url, "relay", retries.clone()))
        .await;
    relay.post_events(&deal_event("evt_moved", 3)).await;
    wait_until(
        "a first attempt and a retry waiting",
        Duration::from_secs(30),
        || async {
            relay.executions().await.first().is_some_and(|execution| {
                execution["status"] == "pending"
                    && execution["attempts"].as_array().unwrap().len() == 1
            })
        },
    )
    .await;
    relay
        .put_config(&two_routes(&receiver.url, "browser", retries))
        .await;
    wait_until("the delivery to end", Duration::from_secs(30), || async {
        relay
            .executions()
            .await
            .first()
            .is_some_and(|execution| execution["status"] != "pending")
    })
    .await;
    let execution = relay.executions().await.remove(0);
    assert_eq!(execution["status"], "failed");
    assert_eq!(execution["reason"], MOVED_TO_BROWSER);
    let attempts = execution["attempts"].as_array().unwrap().len();
    assert!(attempts < 10, "{execution}");
    assert_eq!(receiver.requests().await.len(), attempts);
}

fn bearer_webhook(id: &str, base_url: &str, route: &str) -> Value {
    json!({
        "id": id, "name": id, "base_url": base_url, "route": route, "auth": {"type": "bearer"},
        "timeout_ms": 5000, "retry": {}, "headers": []
    })
}

fn webhooks_only(webhooks: Vec<Value>, revision: u64) -> Value {
    json!({
        "format": "webhook-automations/config", "version": 3, "revision": revision,
        "webhooks": webhooks, "automations": []
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_follow_the_route_and_the_origin() {
    let nats = Nats::start().await;
    let relay = Relay::start(&nats.url(), &[]).await;
    let ids = ["wh_removed", "wh_to_browser", "wh_moved", "wh_new_path"];
    relay
        .put_config(&webhooks_only(
            ids.iter()
                .map(|id| bearer_webhook(id, "https://erp.example/api", "relay"))
                .collect(),
            1,
        ))
        .await;
    for id in ids {
        relay
            .put_credentials(id, json!({"token": format!("token-of-{id}")}))
            .await;
    }
    let status = |id: &'static str| {
        let relay = &relay;
        async move {
            relay
                .admin("GET", &format!("/v1/webhooks/{id}/credentials"), None)
                .await
        }
    };
    for id in ids {
        let answer = status(id).await;
        assert_eq!(
            answer.body["set"],
            json!(["token"]),
            "{id}: {}",
            answer.text
        );
        assert_eq!(answer.body["route"], "relay");
    }

    // Removed, switched to the browser, moved to another origin, and a new path at the same origin.
    let stored = relay
        .put_config(&webhooks_only(
            vec![
                bearer_webhook("wh_to_browser", "https://erp.example/api", "browser"),
                bearer_webhook("wh_moved", "https://erp.example:8443/api", "relay"),
                bearer_webhook("wh_new_path", "https://erp.example/v2", "relay"),
            ],
            2,
        ))
        .await;
    let mut removed: Vec<&str> = stored.body["credentials_removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    removed.sort_unstable();
    assert_eq!(removed, ["wh_moved", "wh_removed", "wh_to_browser"]);
    let browser = status("wh_to_browser").await;
    assert_eq!(browser.body["set"], json!([]), "{}", browser.text);
    assert_eq!(browser.body["route"], "browser");
    assert_eq!(browser.body["origin"], Value::Null);
    let moved = status("wh_moved").await;
    assert_eq!(moved.body["set"], json!([]), "{}", moved.text);
    assert_eq!(moved.body["applies"], false);
    let kept = status("wh_new_path").await;
    assert_eq!(kept.body["set"], json!(["token"]), "{}", kept.text);
    assert_eq!(kept.body["applies"], true);
    assert_eq!(kept.body["complete"], true);
    assert_eq!(status("wh_removed").await.status, 404);

    // A browser webhook's credentials are refused: they stay in the browser.
    let refused = relay
        .admin(
            "PUT",
            "/v1/webhooks/wh_to_browser/credentials",
            Some(r#"{"token": "never-kept"}"#),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    let message = refused.body["error"].as_str().unwrap();
    assert!(
        message.contains("\"wh_to_browser\" is delivered from the browser")
            && message.contains("keeps no credentials"),
        "{message}"
    );
    assert_eq!(status("wh_to_browser").await.body["set"], json!([]));

    // Back as relay webhooks at their old origin, they hold nothing: what was removed stays removed.
    relay
        .put_config(&webhooks_only(
            ids.iter()
                .map(|id| bearer_webhook(id, "https://erp.example/api", "relay"))
                .collect(),
            3,
        ))
        .await;
    for id in ["wh_removed", "wh_to_browser", "wh_moved"] {
        let answer = status(id).await;
        assert_eq!(answer.body["set"], json!([]), "{id}: {}", answer.text);
        assert_eq!(answer.body["complete"], false, "{id}");
    }
    // The path-only change kept its credentials, and they apply again at the old path.
    assert_eq!(status("wh_new_path").await.body["set"], json!(["token"]));
    assert!(
        !relay.log().contains("token-of-"),
        "no credential in the log"
    );
}
