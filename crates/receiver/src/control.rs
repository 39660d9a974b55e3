//! The control API under `/_receiver`: reading and clearing records, the HTML view and the
//! script queue. Control requests are never recorded, never scripted and never need
//! `--basic-auth`, so tests and tools can always inspect the receiver.

use http::header::{ALLOW, CACHE_CONTROL};
use http::{HeaderValue, Method, StatusCode, Uri};
use hyper::body::Incoming;
use serde_json::json;

use crate::app::App;
use crate::body::read_limited;
use crate::html;
use crate::respond::{self, HttpResponse};
use crate::script::parse_script;

pub const ROOT: &str = "/_receiver";
const REQUESTS: &str = "/_receiver/requests";
const PREFLIGHTS: &str = "/_receiver/preflights";
const SCRIPT: &str = "/_receiver/script";

/// `/_receiver` itself and everything below it; `/_receiver-x` is an ordinary path.
pub fn is_control_path(path: &str) -> bool {
    path == ROOT
        || path
            .strip_prefix(ROOT)
            .is_some_and(|rest| rest.starts_with('/'))
}

pub async fn handle(app: &App, method: &Method, uri: &Uri, body: Incoming) -> HttpResponse {
    // A trailing slash (`/_receiver/`) means the same as without one.
    let path = uri.path().trim_end_matches('/');
    match (path, method) {
        (ROOT, &Method::GET) => html_page(app),
        (REQUESTS, &Method::GET) => list_requests(app, uri.query()),
        (REQUESTS, &Method::DELETE) => {
            respond::json(StatusCode::OK, &json!({ "cleared": app.store.clear_all() }))
        }
        (PREFLIGHTS, &Method::GET) => {
            respond::json_bytes(StatusCode::OK, app.store.preflights_json())
        }
        (SCRIPT, &Method::GET) => respond::json_bytes(StatusCode::OK, app.store.script_json()),
        (SCRIPT, &Method::POST) => queue_script(app, body).await,
        (SCRIPT, &Method::DELETE) => {
            app.store.clear_script();
            respond::json(StatusCode::OK, &json!({ "queued": 0 }))
        }
        (ROOT, _) => method_not_allowed(method, path, "GET"),
        (REQUESTS, _) => method_not_allowed(method, path, "GET, DELETE"),
        (PREFLIGHTS, _) => method_not_allowed(method, path, "GET"),
        (SCRIPT, _) => method_not_allowed(method, path, "GET, POST, DELETE"),
        _ => respond::error(
            StatusCode::NOT_FOUND,
            &format!(
                "{path} is not a control path; the control API has {ROOT}, {REQUESTS}, \
                 {PREFLIGHTS} and {SCRIPT}"
            ),
        ),
    }
}

fn html_page(app: &App) -> HttpResponse {
    let page = app.store.with_snapshot(html::render_page);
    let mut response = respond::with_body(StatusCode::OK, "text/html; charset=utf-8", page);
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn list_requests(app: &App, query: Option<&str>) -> HttpResponse {
    match parse_since(query) {
        Ok(since) => respond::json_bytes(StatusCode::OK, app.store.requests_json(since)),
        Err(message) => respond::error(StatusCode::BAD_REQUEST, &message),
    }
}

/// `?since=SEQ`; other query parameters are ignored.
fn parse_since(query: Option<&str>) -> Result<Option<u64>, String> {
    let Some(query) = query else { return Ok(None) };
    let raw = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "since")
        .map(|(_, value)| value);
    match raw {
        None => Ok(None),
        Some(value) => value.parse().map(Some).map_err(|_| {
            format!("`since` must be a whole number (the last seq you have seen), got {value:?}")
        }),
    }
}

async fn queue_script(app: &App, body: Incoming) -> HttpResponse {
    let limit = app.config.max_body_bytes;
    let body = match read_limited(body, limit).await {
        Ok(body) if body.truncated => {
            return respond::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the script is larger than --max-body-bytes ({limit} bytes)"),
            );
        }
        Ok(body) => body,
        Err(err) => {
            return respond::error(
                StatusCode::BAD_REQUEST,
                &format!("could not read the script body: {err}"),
            );
        }
    };
    match parse_script(&body.bytes) {
        Ok(actions) => {
            let queued = app.store.enqueue(actions);
            respond::json(StatusCode::OK, &json!({ "queued": queued }))
        }
        Err(err) => respond::error(StatusCode::BAD_REQUEST, &err.to_string()),
    }
}

fn method_not_allowed(method: &Method, path: &str, allowed: &'static str) -> HttpResponse {
    let mut response = respond::error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("{method} is not allowed on {path}; use {allowed}"),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allowed));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_paths() {
        assert!(is_control_path("/_receiver"));
        assert!(is_control_path("/_receiver/"));
        assert!(is_control_path("/_receiver/requests"));
        assert!(!is_control_path("/_receiverx"));
        assert!(!is_control_path("/hook/_receiver"));
    }

    #[test]
    fn since_parameter() {
        assert_eq!(parse_since(None), Ok(None));
        assert_eq!(parse_since(Some("since=3")), Ok(Some(3)));
        assert_eq!(parse_since(Some("x=1&since=7")), Ok(Some(7)));
        assert!(parse_since(Some("since=abc"))
            .expect_err("refused")
            .contains("whole number"));
    }
}
