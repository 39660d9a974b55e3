//! Planning: every relay process takes events from the shared events stream, asks the engine which
//! deliveries each causes (`plan`, the same call the browser makes), keeps those whose webhook the
//! relay delivers (route `relay`), passes them through the loop guard, and queues them. A delivery
//! to a browser webhook is the browser's — planned from the same event with the same execution id —
//! so the relay neither sends nor records it: one event id is never delivered by both.
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
use thiserror::Error;
use webhook_engine::event::Event;
use webhook_engine::model::Route;
use webhook_engine::runner::{plan, Planned, Status};

use crate::environment::{now_ms, RelayEnvironment};
use crate::run::Relay;
use crate::sender::end;
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
        // A browser webhook's delivery — or one whose webhook is gone, which the browser records as
        // failed — is not the relay's (`route_to`).
        if snapshot.compiled.route_to(&delivery.execution.webhook_id) != Route::Relay {
            continue;
        }
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
            queue(relay, &mut delivery, snapshot.stamp).await?;
        }
        if delivery.execution.status != Status::Pending {
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

/// Room a queued delivery leaves in a NATS message for its headers.
const HEADERS_ROOM: usize = 1024;

/// A delivery larger than a NATS message can carry: each one holds the event's whole render context,
/// in which a related record is copied once per path a template can reach it by.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("with the records the event refers to copied in for the templates, its delivery to the webhook {webhook:?} is {size} bytes, and the relay's queue (NATS) takes at most {max}")]
pub struct TooLarge {
    pub webhook: String,
    pub size: usize,
    pub max: usize,
}

/// Why an execution whose delivery did not fit ends, as the history shows it.
fn too_large_reason(too_large: &TooLarge) -> String {
    format!("not sent: {too_large}. Send the change as a new event with smaller related records (shorter texts, fewer records), or ask the relay's operator to raise the NATS server's max_payload")
}

/// `delivery` as it is queued, or why it cannot be: larger than NATS's `max_payload` leaves room for.
pub fn delivery_payload(delivery: &Planned, max_payload: usize) -> Result<Vec<u8>, TooLarge> {
    let payload = serde_json::to_vec(delivery).expect("a planned delivery serializes");
    let max = max_payload.saturating_sub(HEADERS_ROOM);
    if payload.len() > max {
        return Err(TooLarge {
            webhook: delivery
                .execution
                .webhook_name
                .clone()
                .unwrap_or_else(|| delivery.execution.webhook_id.clone()),
            size: payload.len(),
            max,
        });
    }
    Ok(payload)
}

/// Publishes a delivery to the work queue, its execution id as `Nats-Msg-Id`. One too large for a NATS
/// message is not queued (NATS would refuse it every time): its execution ends as failed, saying why.
pub async fn queue(relay: &Relay, delivery: &mut Planned, stamp: Stamp) -> Result<(), StoreError> {
    let payload = match delivery_payload(delivery, relay.store.client.server_info().max_payload) {
        Ok(payload) => payload,
        Err(too_large) => {
            tracing::warn!(execution = %delivery.execution.id, size = too_large.size, "a delivery too large for NATS, ended as failed");
            end(&mut delivery.execution, &too_large_reason(&too_large));
            return Ok(());
        }
    };
    let mut headers = HeaderMap::new();
    headers.insert("Nats-Msg-Id", key_for(&delivery.execution.id).as_str());
    headers.insert(STATE_HEADER, stamp.to_string().as_str());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_too_large_for_a_nats_message_says_how_large_and_for_which_webhook() {
        let delivery: Planned = serde_json::from_value(serde_json::json!({
            "execution": {
                "id": "msg_1", "automation_id": "au", "automation_name": "A", "action_index": 0,
                "webhook_id": "wh_erp", "webhook_name": "ERP",
                "event": {"id": "evt", "entity": "deal", "action": "updated", "record_id": 1, "time": "t"},
                "user": {"id": 1, "name": "Ada", "email": "", "is_admin": true},
                "created_at_ms": 0, "status": "pending", "reason": null, "trace": [], "request": null,
                "attempts": [], "next_attempt_at_ms": 0, "finished_at_ms": null
            },
            "source": {"kind": "template", "context": {"deal": {"title": "x".repeat(5000)}}}
        }))
        .unwrap();
        let size = delivery_payload(&delivery, 1 << 20).unwrap().len();
        let too_large = delivery_payload(&delivery, 4096).unwrap_err();
        assert_eq!((too_large.size, too_large.max), (size, 3072));
        assert!(too_large_reason(&too_large).starts_with(&format!(
            "not sent: with the records the event refers to copied in for the templates, its delivery to the webhook \"ERP\" is {size} bytes, and the relay's queue (NATS) takes at most 3072."
        )));
    }
}
