//! Who is calling: `Authorization: Bearer TOKEN`, either token. Missing or unknown: 401; the events
//! token where the admin token is needed: 403.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};

use super::ApiError;
use crate::run::Relay;
use crate::tokens::Role;

/// The caller's role, for any valid token.
pub struct Caller(pub Role);

impl Caller {
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.0 {
            Role::Admin => Ok(()),
            Role::Events => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "this needs the admin token; the events token may only post events and read executions",
            )),
        }
    }
}

impl FromRequestParts<Arc<Relay>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, relay: &Arc<Relay>) -> Result<Caller, ApiError> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "no token: send `Authorization: Bearer TOKEN` with the admin or the events token",
            ));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .map(str::trim);
        match token.and_then(|token| relay.tokens.role_of(token)) {
            Some(role) => Ok(Caller(role)),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "the token is not valid: send `Authorization: Bearer TOKEN` with the admin or the events token of this relay",
            )),
        }
    }
}
