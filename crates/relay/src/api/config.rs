//! The configuration document (`GET`/`PUT /v1/config`, with `ETag`/`If-Match` so two admins never
//! silently overwrite each other) and the field catalog (`GET`/`PUT /v1/catalog`). A document is
//! checked exactly as an import (and `webhook-cli check`) checks it — the relay's own limits, such as a
//! relay webhook's longest wait, are the engine's `validate_webhook` rules too — and refused with every
//! problem listed, and nothing stored, when it has errors. Storing one removes the credentials it no
//! longer lets the relay use (`credentials::sweep`).

use std::sync::Arc;

use async_nats::jetstream::kv::UpdateErrorKind;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use webhook_engine::catalog::Catalog;
use webhook_engine::config::ConfigDocument;
use webhook_engine::validate::{check_document, DocumentProblem};

use super::body::Body;
use super::{ApiError, Caller};
use crate::credentials::sweep;
use crate::run::Relay;
use crate::store::kv::read;
use crate::store::names::{CATALOG_KEY, DOCUMENT_KEY};
use crate::store::StoreError;

pub async fn get_config(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let (text, revision) = match read(&relay.store.config, DOCUMENT_KEY).await? {
        Some((json, revision)) => (String::from_utf8_lossy(&json).into_owned(), revision),
        None => (ConfigDocument::export(&[], &[]).to_json(), 0),
    };
    Ok(json_with_etag(text, revision))
}

fn json_with_etag(text: String, revision: u64) -> Response {
    let mut response = ([(header::CONTENT_TYPE, "application/json")], text).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{revision}\"")) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// What `If-Match` asks for.
enum Precondition {
    /// Store only over this revision (0: only if none is stored yet).
    Revision(u64),
    /// Store whatever is there (`If-Match: *`).
    Any,
}

fn precondition(headers: &HeaderMap) -> Result<Precondition, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "send If-Match with the ETag of GET /v1/config (\"0\" while none is stored), so two admins never overwrite each other's changes",
        ));
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(Precondition::Any);
    }
    text.strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .and_then(|revision| revision.parse().ok())
        .map(Precondition::Revision)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "If-Match {text:?} is not an ETag of this relay: send the ETag header of GET /v1/config as it came, quotes included"
            ))
        })
}

fn problem_json(problem: &DocumentProblem) -> Value {
    json!({
        "place": problem.place,
        "where": problem.place.to_string(),
        "message": problem.message,
        "severity": if problem.is_error { "error" } else { "warning" },
    })
}

pub async fn put_config(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let precondition = precondition(&headers)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("the request body is not UTF-8 text"))?;
    let document = ConfigDocument::parse(text).map_err(|error| {
        ApiError::bad_request(format!("the configuration is not valid: {error}"))
    })?;
    let snapshot = relay.state.reload().await?;
    let problems = check_document(&snapshot.catalog, &document);
    let errors = problems.iter().filter(|problem| problem.is_error).count();
    if errors > 0 {
        return Err(ApiError::bad_request(format!(
            "the configuration has {errors} {}; nothing was stored",
            if errors == 1 { "error" } else { "errors" }
        ))
        .with_problems(problems.iter().map(problem_json).collect()));
    }
    // Browsers hand events over with the revision they planned with and are refused while the
    // relay's is older (`409`): a document going back would hold every one of them up.
    let (held, _) = held_revision(&relay).await?;
    if document.revision < held {
        return Err(lower_revision(document.revision, held));
    }
    let stored = document.to_json();
    let revision = match precondition {
        Precondition::Any => overwrite(&relay, &document, stored.clone()).await?,
        Precondition::Revision(expected) => {
            match relay
                .store
                .config
                .update(DOCUMENT_KEY, stored.clone().into(), expected)
                .await
            {
                Ok(revision) => revision,
                Err(error) if error.kind() == UpdateErrorKind::WrongLastRevision => {
                    let current = read(&relay.store.config, DOCUMENT_KEY)
                        .await?
                        .map_or(0, |(_, revision)| revision);
                    return Err(ApiError::new(
                        StatusCode::PRECONDITION_FAILED,
                        format!(
                            "the configuration was changed since you read it (you sent ETag \"{expected}\", the current one is \"{current}\"): GET it again, apply your change to it, and PUT it with the new ETag"
                        ),
                    ));
                }
                Err(error) => return Err(StoreError::of(error).into()),
            }
        }
    };
    tracing::info!(revision, "configuration stored");
    // Credentials follow the configuration: those of webhooks removed, switched to the browser or
    // moved to another origin go now (see `credentials::sweep`). The configuration is stored either
    // way; a sweep NATS interrupted is made again by every process's refresh.
    let snapshot = relay.state.reload().await?;
    let removed =
        match &snapshot.document {
            Some((document, stored)) => sweep(&relay.store, document, *stored)
                .await
                .unwrap_or_else(|error| {
                    tracing::warn!("credentials not swept yet, the next refresh will: {error}");
                    Vec::new()
                }),
            None => Vec::new(),
        };
    if !removed.is_empty() {
        relay.state.reload().await?;
    }
    let warnings: Vec<Value> = problems.iter().map(problem_json).collect();
    let mut response = json_with_etag(
        json!({ "revision": revision, "warnings": warnings, "credentials_removed": removed })
            .to_string(),
        revision,
    );
    *response.status_mut() = StatusCode::OK;
    Ok(response)
}

/// `If-Match: *`: stores `document` over whatever is there — but never below a newer revision, so
/// the check and the write are one step (a compare-and-set on the entry read), tried again when
/// another put came between them.
async fn overwrite(
    relay: &Relay,
    document: &ConfigDocument,
    stored: String,
) -> Result<u64, ApiError> {
    // Each lost race is another put stored: only a crowd of concurrent puts runs out of tries.
    const TRIES: usize = 32;
    for _ in 0..TRIES {
        let (held, expected) = held_revision(relay).await?;
        if document.revision < held {
            return Err(lower_revision(document.revision, held));
        }
        match relay
            .store
            .config
            .update(DOCUMENT_KEY, stored.clone().into(), expected)
            .await
        {
            Ok(revision) => return Ok(revision),
            Err(error) if error.kind() == UpdateErrorKind::WrongLastRevision => continue,
            Err(error) => return Err(StoreError::of(error).into()),
        }
    }
    Err(ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the configuration is being changed by other requests right now; nothing was stored: send it again",
    ))
}

/// The stored document's revision, and its entry's (0 and 0 when none is stored). Read as plain
/// JSON: a stored document this version no longer accepts still holds its revision, which a put
/// must not go below.
async fn held_revision(relay: &Relay) -> Result<(u64, u64), ApiError> {
    Ok(match read(&relay.store.config, DOCUMENT_KEY).await? {
        Some((json, entry)) => {
            let held = serde_json::from_slice::<serde_json::Value>(&json)
                .ok()
                .and_then(|held| held.get("revision")?.as_u64())
                .unwrap_or(0);
            (held, entry)
        }
        None => (0, 0),
    })
}

fn lower_revision(mine: u64, held: u64) -> ApiError {
    ApiError::conflict(format!(
        "this configuration is revision {mine}, older than the one the relay holds (revision {held}); nothing was stored. GET the relay's, apply your change to it, and PUT it with a higher revision"
    ))
}

pub async fn get_catalog(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let text = match read(&relay.store.config, CATALOG_KEY).await? {
        Some((json, _)) => String::from_utf8_lossy(&json).into_owned(),
        None => serde_json::to_string_pretty(&Catalog::builtin()).expect("a catalog serializes"),
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

pub async fn put_catalog(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("the request body is not UTF-8 text"))?;
    let catalog = Catalog::from_json(text)
        .map_err(|error| ApiError::bad_request(format!("the catalog is not valid: {error}")))?;
    relay
        .store
        .config
        .put(CATALOG_KEY, text.to_owned().into())
        .await
        .map_err(StoreError::of)?;
    let snapshot = relay.state.reload().await?;
    // The configuration stays as it is; what no longer checks against the new catalog is said now,
    // rather than discovered as failed executions.
    let problems: Vec<Value> = snapshot
        .document
        .as_ref()
        .map(|(document, _)| check_document(&catalog, document))
        .unwrap_or_default()
        .iter()
        .map(problem_json)
        .collect();
    Ok((
        StatusCode::OK,
        axum::Json(json!({ "stored": true, "configuration_problems": problems })),
    )
        .into_response())
}
