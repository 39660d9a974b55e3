//! `POST /v1/events`: one event in the host API's format, or an array of up to 1,000. Every event is
//! checked before any is stored, so a refused request stored nothing.
//!
//! A browser that planned the events says with which configuration (`Webhook-Config-Revision`, the
//! document's `revision`): a relay whose copy is older answers `409` with its revision and stores
//! nothing, so the browser puts the newer configuration first and hands the events over again. A copy
//! as new or newer is used (the relay's newer copy wins).
//!
//! A refusal of the events says in `code` whether sending them again could ever help (see
//! [`INVALID_EVENT`]).

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use futures::{stream, StreamExt, TryStreamExt};
use serde::de::IgnoredAny;
use serde_json::json;
use webhook_engine::catalog::Catalog;
use webhook_engine::event::Event;
use webhook_engine::model::Route;
use webhook_engine::runner::{plan, Status};

use super::body::{parse, Body};
use super::{ApiError, Caller};
use crate::environment::RelayEnvironment;
use crate::intake::{accept, Accepted};
use crate::planner::{delivery_payload, TooLarge};
use crate::run::Relay;
use crate::state::Snapshot;

/// Events in one request at most.
pub const MAX_EVENTS: usize = 1_000;
/// Longest event id, in bytes.
const MAX_ID_BYTES: usize = 256;
/// The revision of the configuration the events were planned with.
pub const CONFIG_REVISION: &str = "webhook-config-revision";

/// The revision `Webhook-Config-Revision` names, if the request has one.
fn planned_with(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(CONFIG_REVISION) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    text.parse().map(Some).map_err(|_| {
        ApiError::bad_request(format!(
            "Webhook-Config-Revision {text:?} is not a revision: send the `revision` of the configuration the events were planned with, a whole number (or leave the header out)"
        ))
    })
}

/// `code` of a refusal of events, for clients that hold events until the relay takes them: the
/// first two are for good (sending the same events again is refused again), the third only until
/// the catalog changes.
pub const INVALID_EVENT: &str = "invalid_event";
pub const TOO_LARGE: &str = "too_large";
pub const NOT_IN_CATALOG: &str = "not_in_catalog";

pub async fn post(
    State(relay): State<Arc<Relay>>,
    _caller: Caller,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    accept_events(relay, headers, body)
        .await
        .map_err(|error| match error.status {
            _ if error.fields.contains_key("code") => error,
            StatusCode::BAD_REQUEST => error.with_field("code", INVALID_EVENT),
            StatusCode::PAYLOAD_TOO_LARGE => error.with_field("code", TOO_LARGE),
            _ => error,
        })
}

async fn accept_events(
    relay: Arc<Relay>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let planned_with = planned_with(&headers)?;
    let is_array = body.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'[');
    if is_array {
        // Counted before anything else is read: a list too long is refused for that, whatever it holds.
        if let Ok(items) = serde_json::from_slice::<Vec<IgnoredAny>>(&body) {
            if items.len() > MAX_EVENTS {
                return Err(ApiError::bad_request(format!(
                    "the event list has {} events: send at most {MAX_EVENTS} per request",
                    items.len()
                )));
            }
        }
    }
    let events: Vec<Event> = if is_array {
        parse(&body, "the event list")?
    } else {
        vec![parse(&body, "the event")?]
    };
    if events.is_empty() {
        return Err(ApiError::bad_request(
            "the event list is empty: send at least one event",
        ));
    }
    let stamp = relay.state.stamp().await?;
    let snapshot = relay.state.at_least(stamp).await?;
    if let Some(planned_with) = planned_with {
        let stored = snapshot
            .document
            .as_ref()
            .map_or(0, |(document, _)| document.revision);
        if stored < planned_with {
            return Err(ApiError::conflict(format!(
                "the relay's configuration is older (revision {stored}) than the one these events were planned with (revision {planned_with}): PUT /v1/config with the newer configuration, then send the events again; nothing was stored"
            ))
            .with_field("revision", stored));
        }
    }
    let max_payload = relay.store.client.server_info().max_payload;
    let max_event_bytes = max_payload / 2;
    for (index, event) in events.iter().enumerate() {
        let place = if is_array {
            format!("event [{index}] (id {:?})", event.id)
        } else {
            format!("the event (id {:?})", event.id)
        };
        check(event, &snapshot.catalog, max_event_bytes).map_err(|refusal| match refusal {
            Refusal::Invalid(problem) => ApiError::bad_request(format!("{place}: {problem}")),
            Refusal::NotInCatalog(problem) => ApiError::bad_request(format!("{place}: {problem}"))
                .with_field("code", NOT_IN_CATALOG),
        })?;
        fits(&snapshot, event, max_payload).map_err(|too_large| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("{place}: {too_large}: send it with smaller related records (shorter texts, fewer records); nothing was stored"),
            )
        })?;
    }
    // An id repeated within the request is a duplicate of its first occurrence, decided here so the
    // two never race for the claim.
    let mut seen = HashSet::new();
    let (events, repeated): (Vec<Event>, Vec<Event>) = events
        .into_iter()
        .partition(|event| seen.insert(event.id.clone()));
    let results: Vec<(String, Accepted)> = stream::iter(events)
        .map(|event| {
            let relay = relay.clone();
            async move { accept(&relay.store, &event, stamp).await.map(|accepted| (event.id, accepted)) }
        })
        .buffered(32)
        .try_collect()
        .await
        .map_err(|error| {
            ApiError::from(error).with_problems(vec![json!(
                "some events may have been accepted: sending the same request again is safe, since each event id runs once"
            )])
        })?;
    let mut accepted = Vec::new();
    let mut duplicates: Vec<String> = Vec::new();
    let mut in_progress: Vec<String> = Vec::new();
    for (id, outcome) in results {
        match outcome {
            Accepted::Queued => accepted.push(id),
            Accepted::Duplicate => duplicates.push(id),
            Accepted::InProgress => in_progress.push(id),
        }
    }
    duplicates.extend(repeated.into_iter().map(|event| event.id));
    relay
        .metrics
        .events_received
        .fetch_add(accepted.len() as u64, Ordering::Relaxed);
    relay
        .metrics
        .events_duplicate
        .fetch_add(duplicates.len() as u64, Ordering::Relaxed);
    if let Some(first) = in_progress.first() {
        // Answered like NATS being unreachable: the client sends the request again, which is safe,
        // and then hears `duplicate` for ids another request accepted (this one's included).
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "another request is accepting the event id {first:?} right now ({} such in this request): send the request again shortly — it is safe, each event id runs once",
                in_progress.len()
            ),
        )
        .with_problems(vec![json!(
            "some events may have been accepted: sending the same request again is safe, since each event id runs once"
        )]));
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "accepted": accepted, "duplicates": duplicates })),
    )
        .into_response())
}

/// Whether every delivery `event` causes to a relay webhook, planned as the planner will under the
/// current configuration, fits a NATS message. (Should the configuration change before the event is
/// planned, one that no longer fits ends as a failed execution saying why.)
fn fits(snapshot: &Snapshot, event: &Event, max_payload: usize) -> Result<(), TooLarge> {
    let planned = plan(
        &snapshot.compiled,
        &snapshot.catalog,
        event,
        &mut RelayEnvironment,
    )
    .planned;
    planned
        .iter()
        .filter(|delivery| {
            delivery.execution.status == Status::Pending
                && snapshot.compiled.route_to(&delivery.execution.webhook_id) == Route::Relay
        })
        .try_for_each(|delivery| delivery_payload(delivery, max_payload).map(drop))
}

/// Why [`check`] refuses an event.
enum Refusal {
    /// Whatever the relay's state: the event itself is wrong.
    Invalid(String),
    /// Its entity is not one the relay's catalog triggers on (the catalog may yet be put).
    NotInCatalog(String),
}

/// What the format alone cannot say: a usable id, an entity this CRM's catalog can trigger on, a size
/// that fits a NATS message.
fn check(event: &Event, catalog: &Catalog, max_bytes: usize) -> Result<(), Refusal> {
    if event.id.trim().is_empty() {
        return Err(Refusal::Invalid("`id` is empty: every event needs a unique id (it is how a repeated event is recognised)".into()));
    }
    if event.id.len() > MAX_ID_BYTES {
        return Err(Refusal::Invalid(format!(
            "`id` is {} bytes long: use at most {MAX_ID_BYTES}",
            event.id.len()
        )));
    }
    if event.id.chars().any(char::is_control) {
        return Err(Refusal::Invalid(
            "`id` contains a control character (a line break, a tab…)".into(),
        ));
    }
    if catalog
        .entity(&event.entity)
        .is_none_or(|entity| !entity.trigger)
    {
        let known: Vec<&str> = catalog
            .trigger_entities()
            .map(|entity| entity.key.as_str())
            .collect();
        return Err(Refusal::NotInCatalog(format!(
            "`entity` {:?} is not an entity that triggers automations; use one of {}",
            event.entity,
            known.join(", ")
        )));
    }
    let size = serde_json::to_vec(event).map_or(0, |json| json.len());
    if size > max_bytes {
        return Err(Refusal::Invalid(format!(
            "the event is {size} bytes as JSON: this relay queues events up to {max_bytes} bytes"
        )));
    }
    Ok(())
}
