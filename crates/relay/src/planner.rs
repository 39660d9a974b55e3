//! Planning: every relay process takes events from the shared events stream, asks the engine which
//! deliveries each causes (`plan`, the same call the browser makes), passes them through the loop
//! guard, and queues them.
//!
//! Planning again is harmless, which is what makes a crash at any point safe: execution ids are
//! derived from (event, automation, action), and an execution that already has a record was queued
//! before (its delivery is published first, its record second), so it is skipped.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::message::Message;
use async_nats::jetstream::AckKind;
use async_nats::HeaderMap;
use futures::StreamExt;
use webhook_engine::event::Event;
use webhook_engine::runner::{plan, Planned, Status};

use crate::environment::{now_ms, RelayEnvironment};
use crate::run::Relay;
use crate::state::Stamp;
use crate::store::names::key_for;
use crate::store::{StoreError, STATE_HEADER};

/// Events taken at once, and planned side by side.
const BATCH: usize = 32;
/// After a NATS failure, the event is tried again this much later.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

pub async fn run(relay: Arc<Relay>) {
    while !relay.shutdown.is_requested() {
        let batch = relay
            .store
            .planner
            .fetch()
            .max_messages(BATCH)
            .expires(Duration::from_secs(1))
            .messages()
            .await;
        let batch = match batch {
            Ok(batch) => batch,
            Err(error) => {
                tracing::warn!("cannot take events from NATS: {error}");
                tokio::time::sleep(RETRY_AFTER_FAILURE).await;
                continue;
            }
        };
        batch
            .for_each_concurrent(BATCH, |message| {
                let relay = relay.clone();
                async move {
                    match message {
                        Ok(message) => handle(&relay, message).await,
                        Err(error) => {
                            tracing::warn!("an event could not be read from NATS: {error}")
                        }
                    }
                }
            })
            .await;
    }
}

async fn handle(relay: &Relay, message: Message) {
    let event: Event = match serde_json::from_slice(&message.payload) {
        Ok(event) => event,
        Err(error) => {
            // Only this relay writes the stream, after checking each event: this cannot happen
            // short of someone publishing by hand. Retrying would not help.
            tracing::error!("an event in the stream does not read, dropped: {error}");
            let _ = message.ack_with(AckKind::Term).await;
            return;
        }
    };
    match plan_event(relay, &event, stamp_of(message.headers.as_ref())).await {
        Ok(()) => {
            if let Err(error) = message.double_ack().await {
                // Planned again when redelivered, which changes nothing.
                tracing::warn!("event planned but its acknowledgement was lost: {error}");
            }
        }
        Err(error) => {
            tracing::warn!("event not planned yet, will try again: {error}");
            let _ = message
                .ack_with(AckKind::Nak(Some(RETRY_AFTER_FAILURE)))
                .await;
        }
    }
}

pub fn stamp_of(headers: Option<&HeaderMap>) -> Stamp {
    headers
        .and_then(|headers| headers.get(STATE_HEADER))
        .and_then(|value| Stamp::parse(value.as_str()))
        .unwrap_or_default()
}

async fn plan_event(relay: &Relay, event: &Event, stamp: Stamp) -> Result<(), StoreError> {
    let snapshot = relay.state.at_least(stamp).await?;
    let planned = plan(
        &snapshot.compiled,
        &snapshot.catalog,
        event,
        &mut RelayEnvironment,
    )
    .planned;
    for mut delivery in planned {
        if relay
            .store
            .execution(&delivery.execution.id)
            .await?
            .is_some()
        {
            continue;
        }
        relay
            .loop_guard
            .lock()
            .expect("loop guard lock")
            .admit(&mut delivery.execution, now_ms());
        if delivery.execution.status == Status::Pending {
            queue(relay, &delivery, snapshot.stamp).await?;
        } else {
            relay.metrics.finished(delivery.execution.status);
        }
        relay.store.record_new(&delivery.execution).await?;
        relay
            .metrics
            .executions_planned
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(())
}

/// Publishes a delivery to the work queue, its execution id as `Nats-Msg-Id`.
pub async fn queue(relay: &Relay, delivery: &Planned, stamp: Stamp) -> Result<(), StoreError> {
    let mut headers = HeaderMap::new();
    headers.insert("Nats-Msg-Id", key_for(&delivery.execution.id).as_str());
    headers.insert(STATE_HEADER, stamp.to_string().as_str());
    let payload = serde_json::to_vec(delivery).expect("a planned delivery serializes");
    relay
        .store
        .js
        .publish_with_headers(
            relay.store.names.deliveries_subject(),
            headers,
            payload.into(),
        )
        .await
        .map_err(StoreError::of)?
        .await
        .map_err(StoreError::of)?;
    Ok(())
}
