//! Sending: every relay process takes deliveries from the shared work queue and makes one attempt
//! each with the engine's `attempt` — the browser's call — over the `reqwest` transport. The
//! execution's new state is recorded, then the delivery is acknowledged (finished) or negatively
//! acknowledged with the engine's delay (a retry): the wait happens in NATS, never in this process,
//! so a wait of hours costs nothing and survives any restart.
//!
//! While a delivery is held (waiting for one of its webhook's slots, or in flight) NATS is told it is
//! in progress, so a slow endpoint is not handed to another process and sent the same attempt twice.
//! A process that dies stops saying so, and its deliveries go to the others after the ack wait.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream::message::Message;
use async_nats::jetstream::AckKind;
use futures::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use webhook_engine::runner::{attempt, Planned, Status, MAX_CONCURRENT_PER_WEBHOOK};

use crate::environment::{now_ms, RelayEnvironment};
use crate::planner::stamp_of;
use crate::run::Relay;
use crate::store::StoreError;

/// Requests in flight per webhook in this process, as in the browser.
#[derive(Default)]
pub struct Slots {
    by_webhook: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Slots {
    fn of(&self, webhook_id: &str) -> Arc<Semaphore> {
        self.by_webhook
            .lock()
            .expect("slots lock")
            .entry(webhook_id.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(MAX_CONCURRENT_PER_WEBHOOK)))
            .clone()
    }
}

/// A delivery due within this much is attempted now rather than put back.
const EARLY_ENOUGH_MS: i64 = 50;
/// Times a record is tried when NATS hiccups, before the delivery is left for redelivery.
const RECORD_TRIES: u32 = 5;

pub async fn run(relay: Arc<Relay>) {
    let capacity = Arc::new(Semaphore::new(relay.settings.max_in_flight));
    while !relay.shutdown.is_requested() {
        // Take only what can be held: a message waiting in this process's buffer would be invisible
        // to the others and could not be kept alive.
        let free = capacity.available_permits();
        if free == 0 {
            tokio::select! {
                permit = capacity.clone().acquire_owned() => drop(permit),
                () = relay.shutdown.requested() => break,
            }
            continue;
        }
        let batch = relay
            .store
            .sender
            .fetch()
            .max_messages(free.min(128))
            .expires(Duration::from_secs(1))
            .messages()
            .await;
        let mut batch = match batch {
            Ok(batch) => batch,
            Err(error) => {
                tracing::warn!("cannot take deliveries from NATS: {error}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        while let Some(message) = batch.next().await {
            let message = match message {
                Ok(message) => message,
                Err(error) => {
                    tracing::warn!("a delivery could not be read from NATS: {error}");
                    continue;
                }
            };
            let Ok(permit) = capacity.clone().try_acquire_owned() else {
                // Cannot happen (we asked for no more than was free); hand it back at once.
                let _ = message.ack_with(AckKind::Nak(None)).await;
                continue;
            };
            let relay = relay.clone();
            tokio::spawn(async move { handle(relay, message, permit).await });
        }
    }
    // Let the attempts in flight finish within the grace period; what is left stays unacknowledged
    // and goes to another process after the ack wait.
    let all = u32::try_from(relay.settings.max_in_flight).unwrap_or(u32::MAX);
    let drained =
        tokio::time::timeout(relay.settings.shutdown_grace, capacity.acquire_many(all)).await;
    if drained.is_err() {
        tracing::warn!(
            "stopping with {} deliveries still in flight; NATS hands them to another process",
            all as usize - capacity.available_permits()
        );
    }
}

async fn handle(relay: Arc<Relay>, message: Message, _permit: OwnedSemaphorePermit) {
    let message = Arc::new(message);
    if message.info().is_ok_and(|info| info.delivered > 1) {
        relay.metrics.redeliveries.fetch_add(1, Ordering::Relaxed);
    }
    let keep_alive = AbortOnDrop(tokio::spawn(keep_alive(
        message.clone(),
        relay.settings.ack_wait,
    )));
    let finish = deliver(&relay, &message).await;
    drop(keep_alive);
    let acknowledged = match finish {
        Finish::Done => message.double_ack().await,
        Finish::RetryIn(delay) => message.ack_with(AckKind::Nak(Some(delay))).await,
        Finish::GiveBack => message.ack_with(AckKind::Nak(None)).await,
        Finish::Drop => message.ack_with(AckKind::Term).await,
        // Redelivered after the ack wait, to whichever process is there.
        Finish::Leave => Ok(()),
    };
    if let Err(error) = acknowledged {
        tracing::warn!("a delivery's acknowledgement did not reach NATS (it may be attempted again, same webhook-id): {error}");
    }
}

/// Stops the keep-alive however `deliver` ends — a panic included, or the delivery would be kept alive
/// for ever and never handed to another process.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Tells NATS the delivery is still being worked on, well within each ack wait.
async fn keep_alive(message: Arc<Message>, ack_wait: Duration) {
    let every = (ack_wait / 3).max(Duration::from_millis(500));
    loop {
        tokio::time::sleep(every).await;
        let _ = message.ack_with(AckKind::Progress).await;
    }
}

enum Finish {
    Done,
    RetryIn(Duration),
    /// Not attempted (this process is stopping): straight back to the queue.
    GiveBack,
    /// Unreadable: never attempted again.
    Drop,
    /// NATS failed us: leave it for redelivery.
    Leave,
}

async fn deliver(relay: &Relay, message: &Message) -> Finish {
    let mut planned: Planned = match serde_json::from_slice(&message.payload) {
        Ok(planned) => planned,
        Err(error) => {
            tracing::error!("a delivery in the stream does not read, dropped: {error}");
            return Finish::Drop;
        }
    };
    // The record holds the attempts made so far; the queued message only the plan.
    match relay.store.execution(&planned.execution.id).await {
        Ok(Some(stored)) if stored.execution.status != Status::Pending => return Finish::Done,
        Ok(Some(stored)) => planned.execution = stored.execution,
        Ok(None) => {}
        Err(error) => {
            tracing::warn!("cannot read an execution record: {error}");
            return Finish::Leave;
        }
    }
    if let Some(due) = planned.execution.next_attempt_at_ms {
        let wait = due - now_ms();
        if wait > EARLY_ENOUGH_MS {
            return Finish::RetryIn(Duration::from_millis(wait as u64));
        }
    }
    let slots = relay.slots.of(&planned.execution.webhook_id);
    let _slot = tokio::select! {
        slot = slots.acquire_owned() => slot.expect("slots are never closed"),
        () = relay.shutdown.requested() => return Finish::GiveBack,
    };
    let snapshot = match relay
        .state
        .at_least(stamp_of(message.headers.as_ref()))
        .await
    {
        Ok(snapshot) => snapshot,
        Err(error) => {
            tracing::warn!("cannot read the configuration: {error}");
            return Finish::Leave;
        }
    };
    relay.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let attempts_before = planned.execution.attempts.len();
    let started = Instant::now();
    let delay = attempt(
        &snapshot.compiled,
        &mut planned,
        &relay.transport,
        &mut RelayEnvironment,
    )
    .await;
    let seconds = started.elapsed().as_secs_f64();
    relay.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    let execution = &planned.execution;
    if let Some(made) = execution.attempts.get(attempts_before) {
        relay.metrics.attempt(made.outcome, seconds);
    }
    tracing::info!(
        execution = %execution.id,
        webhook = %execution.webhook_id,
        attempt = execution.attempts.len(),
        status = ?execution.status,
        outcome = ?execution.attempts.last().map(|attempt| attempt.outcome),
        "attempt"
    );
    if let Err(error) = record(relay, execution).await {
        tracing::warn!("the attempt's record did not reach NATS, the delivery will be attempted again: {error}");
        return Finish::Leave;
    }
    match delay {
        Some(delay) => {
            relay
                .metrics
                .retries_scheduled
                .fetch_add(1, Ordering::Relaxed);
            Finish::RetryIn(Duration::from_millis(delay.ms))
        }
        None => {
            relay.metrics.finished(execution.status);
            Finish::Done
        }
    }
}

async fn record(
    relay: &Relay,
    execution: &webhook_engine::runner::Execution,
) -> Result<u64, StoreError> {
    let mut wait = Duration::from_millis(100);
    let mut tries = 1;
    loop {
        match relay.store.record(execution).await {
            Ok(sequence) => return Ok(sequence),
            Err(error) if tries >= RECORD_TRIES => return Err(error),
            Err(_) => {
                tokio::time::sleep(wait).await;
                wait *= 2;
                tries += 1;
            }
        }
    }
}
