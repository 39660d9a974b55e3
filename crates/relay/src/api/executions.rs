//! `GET /v1/executions?after=CURSOR&limit=N` (catching up from a cursor), `GET /v1/executions/{id}`
//! and `POST /v1/executions/{id}/replay`. The events token sees executions as a CRM user who is not
//! an admin sees them in the app (the engine's `visible_to`): status, automation, path and times, no
//! bodies or headers. A replay is sent by the relay, so only through a webhook the relay delivers.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use webhook_engine::event::User;
use webhook_engine::history::visible_to;
use webhook_engine::model::Route;
use webhook_engine::roles::Permissions;
use webhook_engine::runner::{replay as replay_execution, Status};

use super::body::{parse, Body};
use super::extract::{Id, Params};
use super::{ApiError, Caller};
use crate::environment::RelayEnvironment;
use crate::planner::queue;
use crate::run::Relay;
use crate::store::executions::Stored;
use crate::store::names::is_execution_id;
use crate::tokens::Role;

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1_000;

/// What a token may see: the admin token as a CRM admin, the events token as any other CRM user —
/// the engine's one permissions rule, over a user standing for the token.
fn permissions(role: Role) -> Permissions {
    Permissions::of(&User {
        is_admin: role == Role::Admin,
        ..relay_admin()
    })
}

fn view(stored: Stored, role: Role) -> Value {
    let view = visible_to(stored.execution, &permissions(role));
    json!({
        "cursor": stored.cursor,
        "details_hidden": view.details_hidden,
        "execution": view.execution,
    })
}

pub async fn list(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Params(query): Params,
) -> Result<Response, ApiError> {
    let mut after = 0u64;
    let mut limit = DEFAULT_LIMIT;
    for (name, value) in &query {
        match name.as_str() {
            "after" => {
                after = value.parse().map_err(|_| {
                    ApiError::bad_request(format!(
                        "`after` must be a cursor (a whole number, 0 for the start), not {value:?}"
                    ))
                })?;
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                    .ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "`limit` must be a whole number from 1 to {MAX_LIMIT}, not {value:?}"
                        ))
                    })?;
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{other}`: this endpoint takes `after` and `limit`"
                )))
            }
        }
    }
    let found = relay.store.executions_after(after, limit).await?;
    let next = found.last().map_or(after, |stored| stored.cursor);
    let more = found.len() == limit;
    let executions: Vec<Value> = found
        .into_iter()
        .map(|stored| view(stored, caller.0))
        .collect();
    Ok(
        Json(json!({ "executions": executions, "next_cursor": next, "more": more }))
            .into_response(),
    )
}

pub async fn one(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let stored = find(&relay, &id).await?;
    Ok(Json(view(stored, caller.0)).into_response())
}

async fn find(relay: &Relay, id: &str) -> Result<Stored, ApiError> {
    let missing = || {
        ApiError::not_found(format!(
            "no execution has the id {id:?} (executions are kept for the retention)"
        ))
    };
    if !is_execution_id(id) {
        return Err(missing());
    }
    relay.store.execution(id).await?.ok_or_else(missing)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplayRequest {
    /// Who asks for the replay, as the history shows it.
    user: Option<User>,
}

/// Who a replay or test send is recorded as when the request names nobody.
pub fn relay_admin() -> User {
    User {
        id: 0,
        name: "Relay admin".into(),
        email: String::new(),
        is_admin: true,
    }
}

pub async fn replay(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Id(id): Id,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let by = if body.iter().all(u8::is_ascii_whitespace) {
        relay_admin()
    } else {
        parse::<ReplayRequest>(&body, "the replay request")?
            .user
            .unwrap_or_else(relay_admin)
    };
    let original = find(&relay, &id).await?;
    let stamp = relay.state.stamp().await?;
    let snapshot = relay.state.at_least(stamp).await?;
    // A webhook that is gone is left to the engine: the replay is recorded as failed, with the reason.
    if let Some(webhook) = snapshot
        .compiled
        .webhook(&original.execution.webhook_id)
        .filter(|webhook| webhook.route != Route::Relay)
    {
        return Err(ApiError::conflict(format!(
            "the webhook {:?} of this execution is now delivered from the browser (route \"browser\"): replay it from the app, or set the webhook's route to \"relay\" and PUT the configuration first; nothing was sent",
            webhook.name
        )));
    }
    let mut planned = replay_execution(
        &snapshot.compiled,
        &original.execution,
        &by,
        &mut RelayEnvironment,
    );
    if planned.execution.status == Status::Pending {
        queue(&relay, &mut planned, snapshot.stamp).await?;
    }
    if planned.execution.status != Status::Pending {
        relay.metrics.finished(planned.execution.status);
    }
    relay.store.record_new(&planned.execution).await?;
    relay
        .metrics
        .executions_planned
        .fetch_add(1, Ordering::Relaxed);
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "execution": planned.execution })),
    )
        .into_response())
}
