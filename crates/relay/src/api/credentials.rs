//! `PUT`/`GET`/`DELETE /v1/webhooks/{id}/credentials`: credentials go in, and never come out again —
//! reading them answers only which fields are set.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use webhook_engine::config::SharedWebhook;
use webhook_engine::model::origin_of;
use webhook_engine::request::missing_credentials;

use super::body::{parse, Body};
use super::{ApiError, Caller};
use crate::credentials::{secret_header, Credentials, StoredCredentials};
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

pub async fn put(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let credentials: Credentials = parse(&body, "the credentials")?;
    let snapshot = relay.state.reload().await?;
    let webhook = webhook_in(&snapshot, &id)?;
    credentials.check(webhook).map_err(|error| {
        ApiError::bad_request(format!("the credentials are not valid: {error}"))
    })?;
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
    let value = serde_json::to_vec(&stored).expect("credentials serialize");
    relay
        .store
        .credentials
        .put(key_for(&id), value.into())
        .await
        .map_err(StoreError::of)?;
    tracing::info!(webhook = %id, "credentials stored");
    let snapshot = relay.state.reload().await?;
    Ok(Json(status(&snapshot, &id)).into_response())
}

pub async fn get(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let snapshot = relay.state.reload().await?;
    webhook_in(&snapshot, &id)?;
    Ok(Json(status(&snapshot, &id)).into_response())
}

pub async fn delete(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Path(id): Path<String>,
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

/// Which credentials are set, whether they apply (same origin), and whether the webhook can send.
fn status(snapshot: &Snapshot, id: &str) -> serde_json::Value {
    let stored = snapshot.credentials.get(id);
    let webhook = snapshot.compiled.webhook(id);
    let origin_now = webhook.and_then(|webhook| webhook.origin());
    let secret_headers_empty = webhook.is_some_and(|webhook| {
        webhook
            .headers
            .iter()
            .any(|header| secret_header(&header.name) && header.value.is_empty())
    });
    json!({
        "webhook_id": id,
        "set": stored.map(|stored| stored.credentials.fields_set()).unwrap_or_default(),
        "origin": stored.map(|stored| stored.origin.clone()),
        "applies": stored.is_some_and(|stored| origin_now.as_deref() == Some(stored.origin.as_str())),
        "complete": webhook.is_some_and(|webhook| !missing_credentials(webhook)) && !secret_headers_empty,
        "updated_at_ms": stored.map(|stored| stored.updated_at_ms),
    })
}
