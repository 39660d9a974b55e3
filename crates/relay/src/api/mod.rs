//! The HTTP API under `/v1` (documented in docs/relay.md and docs/relay-openapi.yaml), plus
//! `/healthz` and `/metrics`. Every answer is JSON; every refusal says what is wrong and where.

mod auth;
mod body;
mod config;
mod credentials;
mod error;
mod events;
mod executions;
mod extract;
mod system;
mod test_send;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::run::Relay;

pub use auth::Caller;
pub use error::ApiError;

pub fn router(relay: Arc<Relay>) -> Router {
    let v1 = Router::new()
        .route("/whoami", get(system::whoami))
        .route("/config", get(config::get_config).put(config::put_config))
        .route(
            "/catalog",
            get(config::get_catalog).put(config::put_catalog),
        )
        .route(
            "/webhooks/{id}/credentials",
            put(credentials::put)
                .get(credentials::get)
                .delete(credentials::delete),
        )
        .route("/webhooks/{id}/test", post(test_send::test))
        .route("/events", post(events::post))
        .route("/executions", get(executions::list))
        .route("/executions/{id}", get(executions::one))
        .route("/executions/{id}/replay", post(executions::replay));
    let app = Router::new()
        .nest("/v1", v1)
        .route("/healthz", get(system::healthz))
        .route("/metrics", get(system::metrics))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        // Bodies are read with the relay's own limit and message (see `body`).
        .layer(DefaultBodyLimit::disable())
        .with_state(relay.clone());
    match cors(&relay.settings.allow_origins) {
        Some(cors) => app.layer(cors),
        None => app,
    }
}

/// CORS for the app's origins only: never `*`, and nothing at all without `--allow-origin`.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            // Every header the app sends: its token, JSON bodies, the configuration's ETag, and the
            // revision its events were planned with.
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                HeaderName::from_static(events::CONFIG_REVISION),
            ])
            // What the page reads: the configuration's ETag, and how long to wait after a 503.
            .expose_headers([header::ETAG, header::RETRY_AFTER])
            .max_age(Duration::from_secs(600)),
    )
}
