//! Who is calling: `Authorization: Bearer TOKEN`, either token. Missing or unknown: 401; the events
//! token where the admin token is needed: 403. The scheme's case does not matter (`bearer`, `BEARER`:
//! RFC 9110 §11.1).

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
        let token = value.to_str().ok().and_then(bearer_token);
        match token.and_then(|token| relay.tokens.role_of(token)) {
            Some(role) => Ok(Caller(role)),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "the token is not valid: send `Authorization: Bearer TOKEN` with the admin or the events token of this relay",
            )),
        }
    }
}

/// The token of an `Authorization` value whose scheme is `Bearer`, in any case (RFC 9110 §11.1:
/// authentication schemes are case-insensitive), with the spaces around it removed.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_read_in_any_case() {
        for value in ["Bearer abc", "bearer abc", "BEARER abc", "BeArEr  abc "] {
            assert_eq!(bearer_token(value), Some("abc"), "{value:?}");
        }
        for value in ["Basic abc", "Bearerabc", "Bearer ", "abc", ""] {
            assert_eq!(bearer_token(value), None, "{value:?}");
        }
    }
}
