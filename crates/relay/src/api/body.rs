//! Request bodies: read up to the relay's limit (over it: 413), parsed as JSON with the place of a
//! problem named (`[2].action: unknown variant ...`).

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::run::Relay;

/// The raw body, within the limit.
pub struct Body(pub Bytes);

impl FromRequest<Arc<Relay>> for Body {
    type Rejection = ApiError;

    async fn from_request(request: Request, relay: &Arc<Relay>) -> Result<Body, ApiError> {
        let limit = relay.settings.max_body_bytes;
        let too_large = || {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request is larger than this relay accepts ({} bytes at most, its --max-body-bytes): send less in one request (fewer or smaller events)",
                    limit
                ),
            )
            .with_field("code", super::events::TOO_LARGE)
        };
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(too_large());
        }
        match axum::body::to_bytes(request.into_body(), limit).await {
            Ok(bytes) => Ok(Body(bytes)),
            Err(error) if is_length_limit(&error) => Err(too_large()),
            Err(error) => Err(ApiError::bad_request(format!(
                "the request body could not be read: {error}"
            ))),
        }
    }
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if error.to_string().contains("length limit") {
            return true;
        }
        cause = error.source();
    }
    false
}

/// `bytes` read as a `T`; `what` names the document in messages ("the event", "the credentials").
pub fn parse<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(format!(
            "the request body is empty: send {what} as JSON"
        )));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request(format!("the request body is not valid JSON: {inner}"))
        } else if path == "." {
            ApiError::bad_request(format!("{what} is not valid: {inner}"))
        } else {
            ApiError::bad_request(format!("{what} is not valid at {path}: {inner}"))
        }
    })?;
    deserializer.end().map_err(|error| {
        ApiError::bad_request(format!("the request body is not valid JSON: {error}"))
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Thing {
        name: String,
        count: u32,
    }

    #[test]
    fn problems_are_named_with_their_place() {
        let message = |json: &str| {
            parse::<Vec<Thing>>(json.as_bytes(), "the things")
                .unwrap_err()
                .message
        };
        assert!(
            message(r#"[{"name": "a", "count": 1}, {"name": "b", "count": "two"}]"#)
                .starts_with("the things is not valid at [1].count: invalid type: string \"two\"")
        );
        assert!(message("[{\"name\": ")
            .starts_with("the request body is not valid JSON: EOF while parsing"));
        assert!(message("[] x").contains("trailing characters"));
        assert!(message("  ").contains("empty"));
    }
}
