//! `make bench` for the relay: events through one relay process to the local receiver (answering
//! after 50 ms, like a real endpoint) beside a bare `reqwest` loop with the same concurrency against
//! the same receiver; latency from `POST /v1/events` to arrival; two relay processes against one.
//! Printed, never asserted.

#[path = "../tests/relay/support.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use support::*;
use tokio::sync::Semaphore;
use webhook_engine::runner::MAX_CONCURRENT_PER_WEBHOOK;

const EVENTS: usize = 1_000;
const ENDPOINT_DELAY_MS: u64 = 50;
const PACED_EVENTS: usize = 200;
const PACED_EVERY: Duration = Duration::from_millis(25);

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Milliseconds since the epoch of the receiver's RFC 3339 UTC time.
fn receiver_ms(time: &str) -> i64 {
    let (date, clock) = time.trim_end_matches('Z').split_once('T').unwrap();
    let mut parts = date.split('-').map(|part| part.parse::<i64>().unwrap());
    let (year, month, day) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
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

async fn reset(receiver: &Receiver, answers: usize) {
    reqwest::Client::new()
        .delete(format!("{}/_receiver/requests", receiver.url))
        .send()
        .await
        .unwrap();
    receiver
        .script(json!(vec![json!({"delay_ms": ENDPOINT_DELAY_MS}); answers]))
        .await;
}

async fn count(receiver: &Receiver) -> usize {
    let records: Vec<Value> = serde_json::from_str(
        &reqwest::get(format!("{}/_receiver/requests", receiver.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    records.len()
}

async fn wait_for(receiver: &Receiver, expected: usize) {
    let started = Instant::now();
    while count(receiver).await < expected {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the bench stalled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `EVENTS` PUTs with `concurrency` in flight, as a bare HTTP client sends them.
async fn bare_loop(receiver: &Receiver, concurrency: usize) -> f64 {
    reset(receiver, EVENTS).await;
    let client = reqwest::Client::new();
    let slots = Arc::new(Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..EVENTS {
        let permit = slots.clone().acquire_owned().await.unwrap();
        let client = client.clone();
        let url = format!("{}/orders/{n}", receiver.url);
        tasks.push(tokio::spawn(async move {
            let response = client
                .put(url)
                .header("content-type", "application/json")
                .header("webhook-id", format!("msg_bare_{n}"))
                .body(format!(
                    "{{\"title\": \"Deal {n}\", \"amount\": {}}}",
                    1000 + n
                ))
                .send()
                .await
                .unwrap();
            let _ = response.bytes().await;
            drop(permit);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    EVENTS as f64 / started.elapsed().as_secs_f64()
}

fn events(prefix: &str, count: usize) -> Vec<Value> {
    (0..count as u64)
        .map(|n| deal_event(&format!("{prefix}_{n}"), n))
        .collect()
}

/// `EVENTS` events posted in lists of 250; events a second until the last one arrived. `slow`: the
/// endpoint answers after `ENDPOINT_DELAY_MS`, else at once.
async fn relay_burst(relays: &[&Relay], receiver: &Receiver, prefix: &str, slow: bool) -> f64 {
    reset(receiver, if slow { EVENTS } else { 0 }).await;
    let all = events(prefix, EVENTS);
    let started = Instant::now();
    for (index, chunk) in all.chunks(250).enumerate() {
        relays[index % relays.len()]
            .post_events(&json!(chunk))
            .await;
    }
    wait_for(receiver, EVENTS).await;
    EVENTS as f64 / started.elapsed().as_secs_f64()
}

/// One event per POST, paced below capacity: milliseconds from each POST to its arrival.
async fn latencies(relay: &Relay, receiver: &Receiver) -> Vec<i64> {
    reset(receiver, PACED_EVENTS).await;
    let mut posted = Vec::new();
    for event in events("evt_paced", PACED_EVENTS) {
        let at = now_ms();
        relay.post_events(&event).await;
        posted.push((execution_id(event["id"].as_str().unwrap()), at));
        tokio::time::sleep(PACED_EVERY).await;
    }
    wait_for(receiver, PACED_EVENTS).await;
    let records: Vec<Value> = serde_json::from_str(
        &reqwest::get(format!("{}/_receiver/requests", receiver.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let mut latencies: Vec<i64> = posted
        .iter()
        .map(|(id, at)| {
            let record = records
                .iter()
                .find(|record| header(record, "webhook-id") == Some(id.as_str()))
                .unwrap();
            receiver_ms(record["time"].as_str().unwrap()) - at
        })
        .collect();
    latencies.sort_unstable();
    latencies
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let flags = ["--allow-private", "--max-runs-per-minute", "10000"];
    let one = Relay::start(&nats.url(), &flags).await;
    one.put_config(&plain_config(&receiver.url)).await;
    let per_webhook = MAX_CONCURRENT_PER_WEBHOOK;

    println!("relay bench: {EVENTS} deliveries to webhook-receiver answering after {ENDPOINT_DELAY_MS} ms; cargo profile: bench (release, opt-level 3)");
    let bare = bare_loop(&receiver, per_webhook).await;
    println!("relay: bare reqwest loop, {per_webhook} in flight:        {bare:7.1} requests/s");
    let relayed = relay_burst(&[&one], &receiver, "evt_one", true).await;
    println!(
        "relay: one relay process ({per_webhook} in flight per webhook): {relayed:7.1} events/s"
    );
    println!(
        "ratio relay/bare (same concurrency, goal >= 0.8): {:.2}",
        relayed / bare
    );

    let sorted = latencies(&one, &receiver).await;
    println!(
        "relay: POST /v1/events -> arrival, one event every {} ms: p50 {} ms, p99 {} ms (the endpoint's {ENDPOINT_DELAY_MS} ms come after arrival)",
        PACED_EVERY.as_millis(),
        percentile(&sorted, 0.50),
        percentile(&sorted, 0.99)
    );

    let two = Relay::start(&nats.url(), &flags).await;
    let bare_double = bare_loop(&receiver, per_webhook * 2).await;
    let relayed_two = relay_burst(&[&one, &two], &receiver, "evt_two", true).await;
    println!(
        "relay: bare reqwest loop, {} in flight:        {bare_double:7.1} requests/s",
        per_webhook * 2
    );
    println!("relay: two relay processes:                     {relayed_two:7.1} events/s");
    println!(
        "ratio two relays/one relay (scaling): {:.2}; two relays/bare loop at {} in flight: {:.2}",
        relayed_two / relayed,
        per_webhook * 2,
        relayed_two / bare_double
    );

    // The same with an endpoint that answers at once: what the relay itself (and this machine) can do.
    let fast_one = relay_burst(&[&one], &receiver, "evt_fast_one", false).await;
    drop(two);
    let three = Relay::start(&nats.url(), &flags).await;
    let fast_two = relay_burst(&[&one, &three], &receiver, "evt_fast_two", false).await;
    println!("relay: endpoint answering at once, one relay process:  {fast_one:7.1} events/s");
    println!("relay: endpoint answering at once, two relay processes: {fast_two:7.1} events/s");
    println!(
        "ratio two relays/one relay, endpoint answering at once (scaling): {:.2}",
        fast_two / fast_one
    );
}
