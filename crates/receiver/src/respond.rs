//! Small builders for the receiver's own responses (JSON, HTML, errors).

use bytes::Bytes;
use http::header::{HeaderName, CONTENT_TYPE};
use http::{HeaderValue, Response, StatusCode};
use http_body_util::Full;
use serde::Serialize;

pub type HttpResponse = Response<Full<Bytes>>;

pub const JSON: &str = "application/json";
pub const SEQ_HEADER: &str = "x-receiver-seq";

pub fn with_body(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> HttpResponse {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Serialized JSON bytes, or a 500 naming the serialization failure.
pub fn json_bytes(status: StatusCode, body: serde_json::Result<Vec<u8>>) -> HttpResponse {
    match body {
        Ok(bytes) => with_body(status, JSON, bytes),
        Err(err) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the receiver could not serialize its answer: {err}"),
        ),
    }
}

pub fn json(status: StatusCode, body: &impl Serialize) -> HttpResponse {
    json_bytes(status, serde_json::to_vec(body))
}

/// `{"error": message}` with the given status.
pub fn error(status: StatusCode, message: &str) -> HttpResponse {
    let body = serde_json::json!({ "error": message }).to_string();
    with_body(status, JSON, body)
}

pub fn empty(status: StatusCode) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// Adds `x-receiver-seq`, telling the client which record its request became.
pub fn set_seq(response: &mut HttpResponse, seq: u64) {
    response
        .headers_mut()
        .insert(HeaderName::from_static(SEQ_HEADER), HeaderValue::from(seq));
}
