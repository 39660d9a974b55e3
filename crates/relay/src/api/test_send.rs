//! `POST /v1/webhooks/{id}/test`: the app's "Test webhook" — one sample request through the engine's
//! `test_delivery`, sent now and answered with its execution, never recorded. Only for a webhook the
//! relay delivers (route `relay`): a browser webhook's Test is sent from the browser.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use webhook_engine::event::User;
use webhook_engine::model::Route;
use webhook_engine::runner::{deliver, test_delivery};

use super::body::{parse, Body};
use super::executions::relay_admin;
use super::extract::Id;
use super::{ApiError, Caller};
use crate::environment::RelayEnvironment;
use crate::run::Relay;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestRequest {
    user: Option<User>,
}

pub async fn test(
    State(relay): State<Arc<Relay>>,
    caller: Caller,
    Id(id): Id,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let by = if body.iter().all(u8::is_ascii_whitespace) {
        relay_admin()
    } else {
        parse::<TestRequest>(&body, "the test request")?
            .user
            .unwrap_or_else(relay_admin)
    };
    let stamp = relay.state.stamp().await?;
    let snapshot = relay.state.at_least(stamp).await?;
    let webhook = snapshot.compiled.webhook(&id).ok_or_else(|| {
        ApiError::not_found(format!("no webhook has the id {id:?} in the configuration"))
    })?;
    if webhook.route != Route::Relay {
        return Err(ApiError::conflict(format!(
            "the webhook {:?} is delivered from the browser (route \"browser\"), so its Test request is sent from the app, not the relay; to test it here, set its route to \"relay\" and PUT the configuration first",
            webhook.name
        )));
    }
    let mut environment = RelayEnvironment;
    let (config, mut planned) = test_delivery(webhook, &by, &mut environment);
    deliver(&config, &mut planned, &relay.transport, &mut environment).await;
    if let Some(attempt) = planned.execution.attempts.last() {
        relay
            .metrics
            .attempt(attempt.outcome, attempt.duration_ms as f64 / 1000.0);
    }
    Ok(Json(json!({ "execution": planned.execution })).into_response())
}
