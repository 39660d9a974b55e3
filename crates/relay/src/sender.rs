//! Sending: every relay process takes deliveries from the shared work queue and makes one attempt
//! each with the engine's `attempt` — the browser's call — over the `reqwest` transport. The
//! execution's new state is recorded, then the delivery is acknowledged (finished) or negatively
//! acknowledged with the engine's delay (a retry): the wait happens in NATS, never in this process,
//! so a wait of hours costs nothing and survives any restart.
//!
//! While a delivery is held (waiting for one of its webhook's slots, or in flight) NATS is told it is
//! in progress, so a slow endpoint is not handed to another process and sent the same attempt twice.
//! A process that dies stops saying so, and its deliveries go to the others after the ack wait.
//!
//! A delivery whose webhook has all its slots busy waits in the process only while a reserve of
//! places stays free ([`reserve`]); past that it is given back to NATS for a moment, so a slow
//! webhook's backlog never holds every place and deliveries to the other webhooks go on.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream::message::Message;
use async_nats::jetstream::AckKind;
use futures::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use webhook_engine::model::Route;
use webhook_engine::runner::{
    attempt, Attempt, Execution, Planned, Status, MAX_CONCURRENT_PER_WEBHOOK,
};

use crate::environment::{now_ms, RelayEnvironment};
use crate::planner::stamp_of;
use crate::run::Relay;
use crate::store::executions::{Recorded, Stored};
use crate::store::names::key_for;
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

/// Why a delivery the relay had queued ends when its webhook was switched to the browser meanwhile:
/// the relay no longer holds its credentials, and the browser does not take over a delivery it did
/// not plan.
pub const MOVED_TO_BROWSER: &str = "the webhook was switched to delivery from the browser, so the relay made no more attempts — replay this execution from the app to send it from the browser";

/// A delivery due within this much is attempted now rather than put back.
const EARLY_ENOUGH_MS: i64 = 50;
/// Times a record is tried when NATS hiccups, before the delivery is left for redelivery.
const RECORD_TRIES: u32 = 5;

pub async fn run(relay: Arc<Relay>) {
    let capacity = Arc::new(Semaphore::new(relay.settings.max_in_flight));
    let reserve = reserve(relay.settings.max_in_flight);
    let mut nothing_placed = false;
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
        if nothing_placed {
            // Everything taken last time was given back (its webhooks are busy): look again a
            // moment later rather than spin through their backlog.
            tokio::select! {
                () = tokio::time::sleep(SCAN_PAUSE) => {}
                () = relay.shutdown.requested() => break,
            }
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
        let (mut placed, mut given_back) = (false, false);
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
            // A delivery starts at once when its webhook has a free slot; one whose webhook is busy
            // waits here only while more than the reserve stays free for the others, and is given
            // back to NATS for a moment otherwise.
            let slot = webhook_of(&message.payload)
                .map(|webhook_id| relay.slots.of(&webhook_id).try_acquire_owned().ok());
            // Not an attempt: nothing is sent or recorded, and NATS keeps the delivery (a NAK that
            // does not arrive leaves it to come back after the ack wait).
            if matches!(slot, Some(None)) && capacity.available_permits() < reserve {
                drop(permit);
                let delivered = message.info().map_or(1, |info| info.delivered);
                let _ = message
                    .ack_with(AckKind::Nak(Some(give_back_delay(delivered))))
                    .await;
                relay.metrics.given_back.fetch_add(1, Ordering::Relaxed);
                given_back = true;
                continue;
            }
            placed = true;
            let relay = relay.clone();
            tokio::spawn(async move { handle(relay, message, permit, slot.flatten()).await });
        }
        nothing_placed = given_back && !placed;
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

/// Places of `--max-in-flight` kept for deliveries that can start at once: a delivery waits for one
/// of its webhook's slots only while more than this is free, so one slow webhook's backlog never
/// takes every place of a process and the other webhooks go on.
fn reserve(max_in_flight: usize) -> usize {
    (max_in_flight / 4).max(1)
}

/// A delivery given back while its webhook is busy comes back after this, doubled for each time it
/// was delivered before (at most [`GIVE_BACK_LONGEST`]), give or take a quarter: a long backlog is
/// looked through less and less often while it waits for its webhook.
const GIVE_BACK_FIRST: Duration = Duration::from_millis(250);
const GIVE_BACK_LONGEST: Duration = Duration::from_secs(30);
/// After a batch that was all given back, the next is taken this much later.
const SCAN_PAUSE: Duration = Duration::from_millis(50);

fn give_back_delay(delivered: i64) -> Duration {
    let doublings = u32::try_from(delivered.saturating_sub(1).clamp(0, 7)).unwrap_or(7);
    let delay = (GIVE_BACK_FIRST * 2u32.pow(doublings)).min(GIVE_BACK_LONGEST);
    delay.mul_f64(0.75 + rand::random::<f64>() / 2.0)
}

/// The webhook a queued delivery goes to, read without the rest of it; `None` when it does not read
/// (it is then dropped by [`deliver`]).
fn webhook_of(payload: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        execution: HeadExecution,
    }
    #[derive(serde::Deserialize)]
    struct HeadExecution {
        webhook_id: String,
    }
    serde_json::from_slice::<Head>(payload)
        .ok()
        .map(|head| head.execution.webhook_id)
}

/// Holds one delivery until it is finished, given back or left: `slot` is one of its webhook's slots
/// when one was free as it was taken (otherwise it waits for one).
async fn handle(
    relay: Arc<Relay>,
    message: Message,
    _permit: OwnedSemaphorePermit,
    slot: Option<OwnedSemaphorePermit>,
) {
    let message = Arc::new(message);
    if message.info().is_ok_and(|info| info.delivered > 1) {
        relay.metrics.redeliveries.fetch_add(1, Ordering::Relaxed);
    }
    let keep_alive = AbortOnDrop(tokio::spawn(keep_alive(
        message.clone(),
        relay.settings.ack_wait,
    )));
    let finish = deliver(&relay, &message, slot).await;
    drop(keep_alive);
    let acknowledged = match finish {
        Finish::Done => message.double_ack().await,
        Finish::RetryIn(delay) => wait_in_nats(&relay, &message, delay).await,
        Finish::GiveBack => message.ack_with(AckKind::Nak(None)).await,
        Finish::Drop => message.ack_with(AckKind::Term).await,
        // Redelivered after the ack wait, to whichever process is there.
        Finish::Leave => Ok(()),
    };
    if let Err(error) = acknowledged {
        tracing::warn!("a delivery's acknowledgement did not reach NATS (it may be attempted again, same webhook-id): {error}");
    }
}

/// Shortest wait worth a NAK of its own; a copy with less life left than this is queued again.
const SHORTEST_WAIT: Duration = Duration::from_secs(1);
const HOUR: Duration = Duration::from_secs(3600);

/// What to do with a delivery whose next attempt is `delay` away.
#[derive(Debug, PartialEq, Eq)]
enum Wait {
    /// Wait in NATS this long (the whole delay, or as much of it as this copy may still live).
    Nak(Duration),
    /// This copy is about to age out: queue a fresh one.
    Renew,
}

/// The deliveries stream drops a message `max_age` after it was queued (`age` ago), however often it
/// was negatively acknowledged since. A delivery may wait in NATS until `margin` before that — room for
/// it to come back, and for a process that dies holding it to be taken over (`ack_wait`) — and is
/// queued again then; `max_age` 0 is no limit.
fn wait_for(delay: Duration, age: Duration, max_age: Duration, ack_wait: Duration) -> Wait {
    if max_age.is_zero() {
        return Wait::Nak(delay);
    }
    let margin = (max_age / 2).min(HOUR.max(ack_wait * 2));
    let left = (max_age - margin).saturating_sub(age);
    if delay <= left {
        Wait::Nak(delay)
    } else if left >= SHORTEST_WAIT {
        Wait::Nak(left)
    } else {
        Wait::Renew
    }
}

/// Lets the delivery wait `delay` in NATS before its next attempt. A wait that reaches past the
/// deliveries stream's maximum age (the retention, counted from when the delivery was queued) would be
/// dropped by NATS with it: the delivery comes back before that, and is then queued again with its
/// record rewritten (which renews the record's age too), so a retry is never lost to the retention.
async fn wait_in_nats(
    relay: &Relay,
    message: &Message,
    delay: Duration,
) -> Result<(), async_nats::Error> {
    let max_age = match relay.store.deliveries.get_info().await {
        Ok(info) => info.config.max_age,
        Err(error) => {
            tracing::warn!(
                "cannot read the deliveries stream's maximum age, taking --retention-days: {error}"
            );
            relay.settings.retention
        }
    };
    let info = message.info()?;
    let published_ms = i64::try_from(info.published.unix_timestamp_nanos() / 1_000_000)?;
    let age = Duration::from_millis(u64::try_from(now_ms() - published_ms).unwrap_or(0));
    match wait_for(delay, age, max_age, relay.settings.ack_wait) {
        Wait::Nak(wait) => message.ack_with(AckKind::Nak(Some(wait))).await,
        Wait::Renew => renew(relay, message, info.stream_sequence).await,
    }
}

/// Queues a fresh copy of a waiting delivery (its record rewritten first, so that both are renewed)
/// and acknowledges the old one. The copy's `Nats-Msg-Id` names the old copy, so renewing the same copy
/// twice (its acknowledgement was lost) queues one. A delivery finished meanwhile is only acknowledged.
async fn renew(relay: &Relay, message: &Message, sequence: u64) -> Result<(), async_nats::Error> {
    let planned: Planned = serde_json::from_slice(&message.payload)?;
    match relay.store.execution(&planned.execution.id).await? {
        Some(stored) if stored.execution.status != Status::Pending => {
            return message.double_ack().await
        }
        // Moved on meanwhile: written by another process, which renews it all the same.
        Some(stored) => {
            relay.store.record(&stored.execution, stored.cursor).await?;
        }
        None => {}
    }
    let mut headers = message.headers.clone().unwrap_or_default();
    let id = format!("{}.{sequence}", key_for(&planned.execution.id));
    headers.insert("Nats-Msg-Id", id.as_str());
    relay
        .store
        .js
        .publish_with_headers(
            relay.store.names.deliveries_subject(),
            headers,
            message.payload.clone(),
        )
        .await?
        .await?;
    tracing::info!(execution = %planned.execution.id, "a delivery waiting longer than the retention was queued again");
    message.double_ack().await
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

async fn deliver(relay: &Relay, message: &Message, slot: Option<OwnedSemaphorePermit>) -> Finish {
    let mut planned: Planned = match serde_json::from_slice(&message.payload) {
        Ok(planned) => planned,
        Err(error) => {
            tracing::error!("a delivery in the stream does not read, dropped: {error}");
            return Finish::Drop;
        }
    };
    // The record holds the attempts made so far; the queued message only the plan. Its cursor is
    // what the new state is written over, and only over that.
    let read_at = match relay.store.execution(&planned.execution.id).await {
        Ok(Some(stored)) if stored.execution.status != Status::Pending => return Finish::Done,
        Ok(Some(stored)) => {
            planned.execution = stored.execution;
            stored.cursor
        }
        Ok(None) => 0,
        Err(error) => {
            tracing::warn!("cannot read an execution record: {error}");
            return Finish::Leave;
        }
    };
    if let Some(due) = planned.execution.next_attempt_at_ms {
        let wait = due - now_ms();
        if wait > EARLY_ENOUGH_MS {
            return Finish::RetryIn(Duration::from_millis(wait as u64));
        }
    }
    let _slot = match slot {
        Some(slot) => slot,
        None => {
            let slots = relay.slots.of(&planned.execution.webhook_id);
            tokio::select! {
                slot = slots.acquire_owned() => slot.expect("slots are never closed"),
                () = relay.shutdown.requested() => return Finish::GiveBack,
            }
        }
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
    let moved_to_browser = snapshot
        .compiled
        .webhook(&planned.execution.webhook_id)
        .is_some_and(|webhook| webhook.route != Route::Relay);
    if moved_to_browser {
        end(&mut planned.execution, MOVED_TO_BROWSER);
        return match record(relay, &planned.execution, read_at).await {
            Ok(None) => {
                relay.metrics.finished(planned.execution.status);
                Finish::Done
            }
            // Another process moved it on meanwhile: it is looked at again.
            Ok(Some(_)) => Finish::Leave,
            Err(error) => {
                tracing::warn!(
                    "the end of a delivery did not reach NATS, it will be looked at again: {error}"
                );
                Finish::Leave
            }
        };
    }
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
    let mut over = read_at;
    loop {
        match record(relay, execution, over).await {
            Ok(None) => break,
            Ok(Some(newer)) if no_attempt_since(&newer.execution, attempts_before) => {
                over = newer.cursor;
            }
            Ok(Some(newer)) => return late(relay, execution, attempts_before, newer).await,
            Err(error) => {
                tracing::warn!("the attempt's record did not reach NATS, the delivery will be attempted again: {error}");
                return Finish::Leave;
            }
        }
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

/// Ends `execution` as failed, now, for `reason`.
pub fn end(execution: &mut Execution, reason: &str) {
    execution.finish(Status::Failed, Some(reason.to_owned()), now_ms());
}

/// Records `execution` over the record read at cursor `read_at`, trying again when NATS hiccups.
/// `Some(newer)` when the record moved on meanwhile (another process wrote it): `newer` is the
/// record now, which is left as it is.
async fn record(
    relay: &Relay,
    execution: &Execution,
    read_at: u64,
) -> Result<Option<Stored>, StoreError> {
    let mut wait = Duration::from_millis(100);
    let mut tries = 1;
    loop {
        match relay.store.record(execution, read_at).await {
            Ok(Recorded::Stored(_)) => return Ok(None),
            Ok(Recorded::Moved) => {
                return match relay.store.execution(&execution.id).await? {
                    // An earlier try of this very write did land (its answer was lost).
                    Some(stored) if stored.execution == *execution => Ok(None),
                    Some(stored) => Ok(Some(stored)),
                    // Gone since (aged out): nothing to overwrite.
                    None => Box::pin(record(relay, execution, 0)).await,
                };
            }
            Err(error) if tries >= RECORD_TRIES => return Err(error),
            Err(_) => {
                tokio::time::sleep(wait).await;
                wait *= 2;
                tries += 1;
            }
        }
    }
}

/// Whether a record that moved on while an attempt was made holds no attempt beyond the
/// `attempts_before` that attempt started from: it was written again without one — the planner's first
/// record landing after the delivery was already taken, or a renewal ([`renew`]) — so nobody else
/// attempted, and the attempt's state goes over it (not a late attempt).
fn no_attempt_since(newer: &Execution, attempts_before: usize) -> bool {
    newer.status == Status::Pending && newer.attempts.len() == attempts_before
}

/// An attempt whose record moved on while it was made: another process took the delivery over (this
/// one was cut off from NATS longer than the ack wait) and wrote its own attempts. A finished record
/// is never touched again, and the delivery is not queued again. A pending one gets this attempt
/// added after its own (it did reach the endpoint, with the same `webhook-id`), its schedule kept,
/// and it ends as succeeded when this attempt succeeded; the delivery itself is left to the process
/// that took it over.
async fn late(
    relay: &Relay,
    ours: &Execution,
    attempts_before: usize,
    mut newer: Stored,
) -> Finish {
    loop {
        if newer.execution.status != Status::Pending {
            tracing::warn!(
                execution = %ours.id,
                status = ?newer.execution.status,
                "a late attempt: the execution was finished meanwhile by another process, which took the delivery over; its record is kept as it is"
            );
            return Finish::Done;
        }
        let merged = with_late_attempts(newer.execution.clone(), ours, attempts_before);
        match record(relay, &merged, newer.cursor).await {
            Ok(None) => {
                tracing::warn!(
                    execution = %ours.id,
                    "a late attempt, added to the record another process had moved on meanwhile"
                );
                if merged.status == Status::Pending {
                    return Finish::Leave;
                }
                relay.metrics.finished(merged.status);
                return Finish::Done;
            }
            Ok(Some(again)) => newer = again,
            Err(error) => {
                tracing::warn!("a late attempt's record did not reach NATS: {error}");
                return Finish::Leave;
            }
        }
    }
}

/// `newer` with the attempts `ours` made from `attempts_before` on added after its own, numbered on
/// from them. `newer`'s schedule stands (the waits of ours are dropped), unless one of ours succeeded:
/// then the execution has succeeded.
fn with_late_attempts(mut newer: Execution, ours: &Execution, attempts_before: usize) -> Execution {
    for attempt in ours.attempts.iter().skip(attempts_before) {
        newer.attempts.push(Attempt {
            number: newer.attempts.len() as u32 + 1,
            retry_in: None,
            ..attempt.clone()
        });
    }
    if ours.status == Status::Succeeded {
        newer.status = Status::Succeeded;
        newer.reason = None;
        newer.next_attempt_at_ms = None;
        newer.finished_at_ms = ours.finished_at_ms;
    }
    newer
}

#[cfg(test)]
mod tests {
    use webhook_engine::retry::{Delay, DelayReason, Outcome};

    use super::*;

    fn execution(outcomes: &[u16]) -> Execution {
        let mut execution: Execution = serde_json::from_value(serde_json::json!({
            "id": "msg_1", "automation_id": "au", "automation_name": "A", "action_index": 0,
            "webhook_id": "wh", "webhook_name": "W",
            "event": {"id": "evt", "entity": "deal", "action": "updated", "record_id": 1, "time": "t"},
            "user": {"id": 1, "name": "Ada", "email": "", "is_admin": true},
            "created_at_ms": 0, "status": "pending", "reason": null, "trace": [], "request": null,
            "attempts": [], "next_attempt_at_ms": 5000, "finished_at_ms": null
        }))
        .unwrap();
        for status in outcomes {
            execution.attempts.push(Attempt {
                number: execution.attempts.len() as u32 + 1,
                started_at_ms: 0,
                duration_ms: 1,
                outcome: Outcome::Status(*status),
                response: None,
                retry_in: Some(Delay {
                    ms: 1000,
                    reason: DelayReason::Backoff,
                }),
            });
        }
        execution
    }

    #[test]
    fn a_busy_webhooks_deliveries_come_back_later_each_time_and_leave_a_reserve() {
        let within = |delivered: i64, low: u64, high: u64| {
            let delay = give_back_delay(delivered);
            assert!(
                delay >= Duration::from_millis(low) && delay <= Duration::from_millis(high),
                "{delivered}: {delay:?}"
            );
        };
        within(1, 187, 313);
        within(2, 375, 625);
        within(5, 3000, 5000);
        within(100, 22_500, 37_500);
        assert_eq!(reserve(1), 1);
        assert_eq!(reserve(8), 2);
        assert_eq!(reserve(64), 16);
        assert_eq!(
            webhook_of(br#"{"execution": {"id": "x", "webhook_id": "wh_erp"}, "event": {}}"#),
            Some("wh_erp".into())
        );
        assert_eq!(webhook_of(b"{}"), None);
    }

    #[test]
    fn a_wait_past_the_streams_maximum_age_comes_back_before_it_and_is_queued_again() {
        let (secs, ack_wait) = (Duration::from_secs, Duration::from_secs(30));
        let day = secs(86_400);
        // Within what is left: the whole wait.
        assert_eq!(
            wait_for(secs(600), secs(0), day, ack_wait),
            Wait::Nak(secs(600))
        );
        // Past it: back an hour before the stream would drop it, then queued again.
        assert_eq!(
            wait_for(secs(86_000), secs(0), day, ack_wait),
            Wait::Nak(secs(82_800))
        );
        assert_eq!(
            wait_for(secs(3_200), secs(82_800), day, ack_wait),
            Wait::Renew
        );
        // A short retention keeps half of it as the margin; no limit, no renewal.
        assert_eq!(
            wait_for(secs(125), secs(0), secs(121), ack_wait),
            Wait::Nak(Duration::from_millis(60_500))
        );
        assert_eq!(
            wait_for(secs(1_000_000), secs(1_000_000), Duration::ZERO, ack_wait),
            Wait::Nak(secs(1_000_000))
        );
    }

    #[test]
    fn a_record_written_again_without_an_attempt_is_not_another_processs_attempt() {
        let planned = execution(&[]);
        assert!(no_attempt_since(&planned, 0));
        assert!(!no_attempt_since(&execution(&[503]), 0));
        assert!(no_attempt_since(&execution(&[503]), 1));
        let mut finished = execution(&[]);
        finished.status = Status::Failed;
        assert!(!no_attempt_since(&finished, 0));
    }

    #[test]
    fn a_late_attempt_is_added_after_the_newer_ones_and_keeps_their_schedule() {
        let newer = execution(&[503]);
        let ours = execution(&[502]);
        let merged = with_late_attempts(newer.clone(), &ours, 0);
        assert_eq!(merged.attempts.len(), 2);
        assert_eq!(merged.attempts[1].number, 2);
        assert_eq!(merged.attempts[1].outcome, Outcome::Status(502));
        assert_eq!(merged.attempts[1].retry_in, None);
        assert_eq!(merged.status, Status::Pending);
        assert_eq!(merged.next_attempt_at_ms, newer.next_attempt_at_ms);

        let mut succeeded = execution(&[200]);
        succeeded.status = Status::Succeeded;
        succeeded.next_attempt_at_ms = None;
        succeeded.finished_at_ms = Some(9);
        let merged = with_late_attempts(newer, &succeeded, 0);
        assert_eq!(merged.status, Status::Succeeded);
        assert_eq!(merged.next_attempt_at_ms, None);
        assert_eq!(merged.finished_at_ms, Some(9));
    }
}
