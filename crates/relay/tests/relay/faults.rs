//! No event lost under faults: a relay process killed, NATS restarted, a cluster node killed. Every
//! count is asserted; every wait is on a condition.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

// Every test here runs one automation hundreds of times a minute, which the loop guard would stop
// (60 a minute by default): they raise it with --max-runs-per-minute, being about faults, not loops.

fn events(prefix: &str, range: std::ops::Range<u64>) -> Vec<Value> {
    range
        .map(|n| deal_event(&format!("{prefix}_{n}"), n))
        .collect()
}

/// Every event's delivery reached the receiver at least once, and each request carries the
/// execution id derived for its own event (a duplicate is the same delivery, never a second id).
fn check_all_delivered(received: &[Value], prefix: &str, count: u64) -> usize {
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for record in received {
        let id = header(record, "webhook-id").unwrap().to_owned();
        let body: Value = serde_json::from_str(record["body"].as_str().unwrap()).unwrap();
        let deal = record["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .parse::<u64>()
            .unwrap();
        assert_eq!(
            id,
            execution_id(&format!("{prefix}_{deal}")),
            "request for deal {deal} under another id"
        );
        assert_eq!(body["title"], format!("Deal {deal}"));
        *by_id.entry(id).or_default() += 1;
    }
    let expected: HashSet<String> = (0..count)
        .map(|n| execution_id(&format!("{prefix}_{n}")))
        .collect();
    let missing = expected
        .iter()
        .filter(|id| !by_id.contains_key(*id))
        .count();
    assert_eq!(missing, 0, "{missing} events never reached the receiver");
    assert_eq!(by_id.len(), count as usize);
    received.len() - by_id.len()
}

async fn delivered_ids(receiver: &Receiver) -> usize {
    receiver
        .requests()
        .await
        .iter()
        .filter_map(|record| header(record, "webhook-id").map(str::to_owned))
        .collect::<HashSet<_>>()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_mid_way_loses_nothing() {
    const COUNT: u64 = 1_000;
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    // Slow enough answers that the kill lands in the middle.
    receiver
        .script(json!(vec![json!({"delay_ms": 10}); COUNT as usize]))
        .await;
    let flags = [
        "--allow-private",
        "--ack-wait-secs",
        "3",
        "--max-in-flight",
        "16",
        "--max-runs-per-minute",
        "10000",
    ];
    let mut doomed = Relay::start(&nats.url(), &flags).await;
    let survivor = Relay::start(&nats.url(), &flags).await;
    survivor.put_config(&plain_config(&receiver.url)).await;
    for chunk in events("evt_kill", 0..COUNT).chunks(250) {
        doomed.post_events(&json!(chunk)).await;
    }
    wait_until(
        "both relays to have delivered some",
        Duration::from_secs(60),
        || async { doomed.attempts_made().await > 0 && survivor.attempts_made().await > 0 },
    )
    .await;
    let before_kill = delivered_ids(&receiver).await;
    assert!(
        before_kill < COUNT as usize,
        "all delivered before the kill: make the receiver slower"
    );
    doomed.process.kill();

    wait_until(
        "every event delivered",
        Duration::from_secs(120),
        || async { delivered_ids(&receiver).await == COUNT as usize },
    )
    .await;
    let duplicates = check_all_delivered(&receiver.requests().await, "evt_kill", COUNT);
    assert!(survivor.attempts_made().await > 0);
    eprintln!(
        "killed after {before_kill} deliveries; {duplicates} re-sent with their own webhook-id"
    );
    wait_until(
        "every execution recorded as succeeded",
        Duration::from_secs(60),
        || async {
            let executions = survivor.executions().await;
            executions.len() == COUNT as usize
                && executions
                    .iter()
                    .all(|execution| execution["status"] == "succeeded")
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_restart_loses_nothing() {
    const COUNT: u64 = 300;
    let mut nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    receiver
        .script(json!(vec![json!({"delay_ms": 5}); COUNT as usize]))
        .await;
    let relay = Relay::start(
        &nats.url(),
        &[
            "--allow-private",
            "--ack-wait-secs",
            "3",
            "--max-runs-per-minute",
            "10000",
        ],
    )
    .await;
    relay.put_config(&plain_config(&receiver.url)).await;
    let all = events("evt_restart", 0..COUNT);
    relay.post_events(&json!(all[..150])).await;
    wait_until(
        "some deliveries before the restart",
        Duration::from_secs(60),
        || async { delivered_ids(&receiver).await >= 20 },
    )
    .await;
    nats.restart().await;
    // Posting during and after the restart: a 503 is retried (safe: each event id runs once).
    relay.post_events(&json!(all[150..])).await;
    wait_until(
        "every event delivered after the restart",
        Duration::from_secs(120),
        || async { delivered_ids(&receiver).await == COUNT as usize },
    )
    .await;
    check_all_delivered(&receiver.requests().await, "evt_restart", COUNT);
    wait_until(
        "every execution recorded",
        Duration::from_secs(60),
        || async {
            let executions = relay.executions().await;
            executions.len() == COUNT as usize
                && executions
                    .iter()
                    .all(|execution| execution["status"] == "succeeded")
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_node_killed_loses_nothing() {
    const COUNT: u64 = 200;
    let mut cluster = Cluster::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(
        &cluster.urls(),
        &[
            "--allow-private",
            "--replicas",
            "3",
            "--ack-wait-secs",
            "3",
            "--max-runs-per-minute",
            "10000",
        ],
    )
    .await;
    relay.put_config(&plain_config(&receiver.url)).await;
    let all = events("evt_cluster", 0..COUNT);
    relay.post_events(&json!(all[..100])).await;
    wait_until(
        "the first half delivered",
        Duration::from_secs(60),
        || async { delivered_ids(&receiver).await >= 50 },
    )
    .await;
    cluster.nodes[0].process.kill();
    relay.post_events(&json!(all[100..])).await;
    wait_until(
        "every event delivered with a node down",
        Duration::from_secs(120),
        || async { delivered_ids(&receiver).await == COUNT as usize },
    )
    .await;
    check_all_delivered(&receiver.requests().await, "evt_cluster", COUNT);
    let health = relay.call("GET", "/healthz", None, None, &[]).await;
    assert_eq!(health.status, 200, "{}", health.text);
}
