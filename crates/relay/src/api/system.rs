//! `GET /v1/whoami`, `GET /healthz`, `GET /metrics`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::Caller;
use crate::metrics::Depths;
use crate::run::Relay;

/// Which token this is: lets a client tell a wrong token (401) from a dead relay (no answer).
pub async fn whoami(caller: Caller) -> Response {
    Json(json!({ "token": caller.0.name() })).into_response()
}

/// 200 when NATS answers and every stream is there; 503 with the reason otherwise.
pub async fn healthz(State(relay): State<Arc<Relay>>) -> Response {
    let streams = [
        &relay.store.events,
        &relay.store.deliveries,
        &relay.store.executions,
        &relay.store.config.stream,
        &relay.store.credentials.stream,
        &relay.store.claims.stream,
    ];
    for stream in streams {
        if let Err(error) = stream.get_info().await {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "problem": format!("a stream of the relay does not answer: {error}") })),
            )
                .into_response();
        }
    }
    // Restarting cannot mend a stored document that does not read: the relay is up, and says
    // what to do. The reason names webhooks and headers, so it stays in the log: anyone may ask here.
    if relay.state.current().document_problem.is_some() {
        return Json(json!({
            "status": "degraded",
            "problem": "the stored configuration does not read (the relay's log says why): the relay runs no automation until a corrected one is PUT to /v1/config",
        }))
        .into_response();
    }
    Json(json!({ "status": "ok" })).into_response()
}

pub async fn metrics(State(relay): State<Arc<Relay>>) -> Response {
    let depth = |info: Result<async_nats::jetstream::consumer::Info, _>| {
        info.ok()
            .map(|info| info.num_pending + info.num_ack_pending as u64)
    };
    let events = depth(relay.store.planner.clone().info().await.cloned());
    let deliveries = depth(relay.store.sender.clone().info().await.cloned());
    let text = relay.metrics.render(&Depths { events, deliveries });
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
