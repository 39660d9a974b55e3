//! The path's id and the query string, read with the relay's refusals: axum's own extractors answer
//! a bad one (`/v1/executions/%FF`, not UTF-8) in plain text, every other refusal of the API is JSON.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;

use super::ApiError;
use crate::run::Relay;

/// The `{id}` of the route.
pub struct Id(pub String);

impl FromRequestParts<Arc<Relay>> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, relay: &Arc<Relay>) -> Result<Id, ApiError> {
        Path::<String>::from_request_parts(parts, relay)
            .await
            .map(|Path(id)| Id(id))
            .map_err(|rejection| {
                ApiError::bad_request(format!(
                    "the id in the path is not valid: {} (ids are UTF-8 text, percent-encoded in the URL)",
                    rejection.body_text()
                ))
            })
    }
}

/// The query string's parameters.
pub struct Params(pub HashMap<String, String>);

impl FromRequestParts<Arc<Relay>> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, relay: &Arc<Relay>) -> Result<Params, ApiError> {
        Query::<HashMap<String, String>>::from_request_parts(parts, relay)
            .await
            .map(|Query(params)| Params(params))
            .map_err(|rejection| {
                ApiError::bad_request(format!(
                    "the query string is not valid: {}",
                    rejection.body_text()
                ))
            })
    }
}
