//! `PUT`/`GET`/`DELETE /v1/webhooks/{id}/credentials`: credentials go in, and never come out again —
//! reading them answers only which fields are set. The relay takes credentials only for a webhook it
//! delivers (route `relay`); a browser webhook's stay in the browser.

use std::sync::Arc;

use async_nats::jetstream::kv::UpdateErrorKind;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use webhook_engine::config::SharedWebhook;
use webhook_engine::model::{origin_of, Route, Webhook};
use webhook_engine::request::missing_credentials;

use super::body::{parse, Body};
use super::extract::Id;
use super::{ApiError, Caller};
use crate::credentials::{
    check, check_sendable, fields_set, may_stay, Credentials, StoredCredentials,
};
use crate::environment::now_ms;
use crate::run::Relay;
use crate::state::Snapshot;
use crate::store::names::key_for;
use crate::store::StoreError;

fn webhook_in<'s>(snapshot: &'s Snapshot, id: &str) -> Result<&'s SharedWebhook, ApiError> {
    snapshot
        .document
        .as_ref()
        .and_then(|(document, _)| document.webhooks.iter().find(|webhook| webhook.id == id))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no webhook has the id {id:?} in the configuration: PUT /v1/config with it first"
            ))
        })
}

/// The document's webhook `id` as the engine takes it (no credentials in it).
fn local_webhook(snapshot: &Snapshot, id: &str) -> Result<Webhook, ApiError> {
    snapshot
        .document
        .as_ref()
        .and_then(|(document, _)| {
            let mut only = document.clone();
            only.webhooks.retain(|webhook| webhook.id == id);
            only.automations.clear();
            only.into_local(&[]).webhooks.pop()
        })
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no webhook has the id {id:?} in the configuration: PUT /v1/config with it first"
            ))
        })
}

pub async fn put(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Id(id): Id,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let credentials: Credentials = parse(&body, "the credentials")?;
    let snapshot = relay.state.reload().await?;
    let webhook = webhook_in(&snapshot, &id)?;
    if webhook.route != Route::Relay {
        return Err(not_delivered_by_the_relay(webhook));
    }
    let not_valid =
        |error| ApiError::bad_request(format!("the credentials are not valid: {error}"));
    check(&credentials, webhook).map_err(not_valid)?;
    let origin = origin_of(&webhook.base_url).ok_or_else(|| {
        ApiError::bad_request(format!(
            "the webhook {:?} has no valid base URL, so there is no address its credentials could be bound to",
            webhook.name
        ))
    })?;
    let stored = StoredCredentials {
        origin,
        credentials,
        updated_at_ms: now_ms(),
    };
    // The webhook as it would send with them, checked by the engine's rules: refused now, not found
    // later as failed executions.
    check_sendable(local_webhook(&snapshot, &id)?, &stored).map_err(not_valid)?;
    let value = serde_json::to_vec(&stored).expect("credentials serialize");
    let key = key_for(&id);
    let stored_at = relay
        .store
        .credentials
        .put(&key, value.into())
        .await
        .map_err(StoreError::of)?;
    // A configuration stored meanwhile may have switched the webhook to the browser or moved it; its
    // sweep may have looked before these were written, so they are judged again under it.
    let snapshot = relay.state.reload().await?;
    let still = snapshot
        .document
        .as_ref()
        .is_some_and(|(document, _)| may_stay(document, &key, Some(&stored)));
    if !still {
        // Only what this request stored: credentials stored since are judged by their own request.
        match relay
            .store
            .credentials
            .purge_expect_revision(&key, Some(stored_at))
            .await
        {
            Ok(()) => {}
            Err(error) if error.kind() == UpdateErrorKind::WrongLastRevision => {}
            Err(error) => return Err(StoreError::of(error).into()),
        }
        relay.state.reload().await?;
        return Err(ApiError::conflict(format!(
            "the configuration changed while the credentials were stored: the webhook {id:?} is no longer delivered by the relay to {}, so they were not kept; GET /v1/config and try again",
            stored.origin
        )));
    }
    tracing::info!(webhook = %id, "credentials stored");
    Ok(Json(status(&snapshot, &id)).into_response())
}

pub async fn get(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Id(id): Id,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let snapshot = relay.state.reload().await?;
    webhook_in(&snapshot, &id)?;
    Ok(Json(status(&snapshot, &id)).into_response())
}

pub async fn delete(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Id(id): Id,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    relay
        .store
        .credentials
        .purge(key_for(&id))
        .await
        .map_err(StoreError::of)?;
    relay.state.reload().await?;
    tracing::info!(webhook = %id, "credentials removed");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A webhook the browser delivers: its credentials are the browser's.
fn not_delivered_by_the_relay(webhook: &SharedWebhook) -> ApiError {
    ApiError::conflict(format!(
        "the webhook {:?} is delivered from the browser (route \"browser\"), so the relay keeps no credentials for it — they stay in the browser; to deliver it through the relay, set its route to \"relay\", PUT the configuration, then its credentials",
        webhook.name
    ))
}

/// Which credentials are set, whether they apply (same origin), and whether the webhook can send.
fn status(snapshot: &Snapshot, id: &str) -> serde_json::Value {
    let stored = snapshot.credentials.get(id);
    let webhook = snapshot.compiled.webhook(id);
    let origin_now = webhook.and_then(|webhook| webhook.origin());
    let secret_headers_empty = webhook.is_some_and(|webhook| {
        webhook
            .headers
            .iter()
            .any(|header| header.is_secret() && header.value.is_empty())
    });
    json!({
        "webhook_id": id,
        "route": webhook.map(|webhook| webhook.route),
        "set": stored.map(|stored| fields_set(&stored.credentials)).unwrap_or_default(),
        "origin": stored.map(|stored| stored.origin.clone()),
        "applies": stored.is_some_and(|stored| origin_now.as_deref() == Some(stored.origin.as_str())),
        "complete": webhook.is_some_and(|webhook| !missing_credentials(webhook)) && !secret_headers_empty,
        "updated_at_ms": stored.map(|stored| stored.updated_at_ms),
    })
}
