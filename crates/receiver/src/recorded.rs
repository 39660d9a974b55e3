//! Requests that get recorded (anything that is neither control API nor a preflight):
//! basic auth, signature check, recording, then the default or scripted answer.

use http::header::{CONNECTION, LOCATION, RETRY_AFTER, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderName, HeaderValue, StatusCode};
use hyper::body::Incoming;
use serde::de::IgnoredAny;
use serde_json::json;

use crate::app::App;
use crate::basic_auth::{AuthOutcome, CHALLENGE};
use crate::body::read_limited;
use crate::record::{self, header_pairs, RequestRecord, StoredBody};
use crate::respond::{self, HttpResponse, JSON};
use crate::script::ScriptAction;
use crate::signature::{timestamp_age_secs, SignatureOutcome};

/// What to do with the connection after recording.
pub enum Outcome {
    Respond(HttpResponse),
    /// Close the connection without any response (a `drop` script action).
    Drop,
}

/// Why a request is answered with an error instead of consuming a script action.
/// Checked in this order: credentials first, as a real endpoint would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rejection {
    Unauthorized,
    TooLarge,
}

impl Rejection {
    fn status(self) -> StatusCode {
        match self {
            Rejection::Unauthorized => StatusCode::UNAUTHORIZED,
            Rejection::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

pub async fn handle(app: &App, parts: &Parts, body: Incoming) -> Outcome {
    let limit = app.config.max_body_bytes;
    let received = match read_limited(body, limit).await {
        Ok(received) => received,
        Err(err) => {
            // The client went away mid-body; there is nothing whole to record.
            app.log(&format!(
                "{} {}: could not read the body ({err}); not recorded",
                parts.method, parts.uri
            ));
            return Outcome::Respond(respond::error(
                StatusCode::BAD_REQUEST,
                &format!("could not read the request body: {err}"),
            ));
        }
    };

    let auth = app
        .config
        .basic_auth
        .as_ref()
        .map(|credentials| credentials.check(&parts.headers));
    let signature = app.config.signing_secret.as_ref().map(|secret| {
        if received.truncated {
            // Only part of the body is here, so no signature over the whole can match.
            SignatureOutcome::Invalid
        } else {
            secret.verify(&parts.headers, &received.bytes)
        }
    });
    let rejection = if auth.is_some_and(|auth| auth != AuthOutcome::Ok) {
        Some(Rejection::Unauthorized)
    } else if received.truncated {
        Some(Rejection::TooLarge)
    } else {
        None
    };

    let (time, now_unix) = record::now();
    let body_bytes = received.bytes.len();
    let stored = if received.truncated {
        StoredBody::none()
    } else {
        StoredBody::from_bytes(received.bytes)
    };
    let (record, log_error) = app.store.record(rejection.is_none(), |seq, action| {
        let response_status = match (rejection, &action) {
            (Some(rejection), _) => Some(rejection.status().as_u16()),
            (None, Some(action)) if action.drop => None,
            (None, Some(action)) => Some(status_on_the_wire(action.status_code())),
            (None, None) => Some(StatusCode::OK.as_u16()),
        };
        RequestRecord {
            seq,
            time,
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers: header_pairs(&parts.headers),
            body: stored.text,
            body_base64: stored.base64,
            body_bytes,
            truncated: received.truncated,
            auth,
            signature,
            webhook_timestamp_age_secs: timestamp_age_secs(&parts.headers, now_unix),
            scripted: action,
            response_status,
        }
    });
    if let Some(error) = log_error {
        // Shown even with --quiet: the user asked for the file and it is not being written.
        eprintln!("webhook-receiver: {error}");
    }
    app.log(&summary_line(&record));

    let seq = record.seq;
    match (rejection, record.scripted) {
        (Some(Rejection::Unauthorized), _) => Outcome::Respond(unauthorized(auth, seq)),
        (Some(Rejection::TooLarge), _) => {
            Outcome::Respond(too_large(limit, seq, received.fully_read))
        }
        (None, Some(action)) => {
            if let Some(delay) = action.delay() {
                tokio::time::sleep(delay).await;
            }
            if action.drop {
                Outcome::Drop
            } else {
                Outcome::Respond(scripted_response(&action, seq))
            }
        }
        (None, None) => Outcome::Respond(default_response(seq)),
    }
}

/// The status the client actually gets for a scripted one: HTTP/1.1 cannot end an exchange
/// with an informational status, so hyper answers 500 instead of 100-199 (except 101, which
/// it sends and then closes the connection).
fn status_on_the_wire(status: u16) -> u16 {
    if (100..200).contains(&status) && status != 101 {
        500
    } else {
        status
    }
}

fn default_body(seq: u64) -> String {
    json!({ "received": true, "seq": seq }).to_string()
}

fn default_response(seq: u64) -> HttpResponse {
    let mut response = respond::with_body(StatusCode::OK, JSON, default_body(seq));
    respond::set_seq(&mut response, seq);
    response
}

fn unauthorized(auth: Option<AuthOutcome>, seq: u64) -> HttpResponse {
    let problem = match auth {
        Some(AuthOutcome::Missing) => "the request has no Authorization header",
        _ => "the Authorization header does not hold the expected Basic credentials",
    };
    let mut response = respond::error(
        StatusCode::UNAUTHORIZED,
        &format!("this receiver requires HTTP Basic auth (--basic-auth) and {problem}"),
    );
    respond::set_seq(&mut response, seq);
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(CHALLENGE));
    response
}

fn too_large(limit: usize, seq: u64, fully_read: bool) -> HttpResponse {
    let mut response = respond::error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!(
            "the request body is larger than --max-body-bytes ({limit} bytes); it was recorded \
             as #{seq} without its body"
        ),
    );
    respond::set_seq(&mut response, seq);
    if !fully_read {
        // The rest of the body is still on the wire; this connection cannot carry another
        // request.
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

fn scripted_response(action: &ScriptAction, seq: u64) -> HttpResponse {
    let body = action.body.clone().unwrap_or_else(|| default_body(seq));
    let content_type = if serde_json::from_str::<IgnoredAny>(&body).is_ok() {
        JSON
    } else {
        "text/plain; charset=utf-8"
    };
    // Validated when queued; the fallback only keeps this path free of panics.
    let status =
        StatusCode::from_u16(action.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = respond::with_body(status, content_type, body);
    respond::set_seq(&mut response, seq);
    let headers = response.headers_mut();
    if let Some(retry_after) = &action.retry_after {
        if let Ok(value) = HeaderValue::from_bytes(retry_after.header_value().as_bytes()) {
            headers.insert(RETRY_AFTER, value);
        }
    }
    if let Some(location) = &action.redirect {
        if let Ok(value) = HeaderValue::from_bytes(location.as_bytes()) {
            headers.insert(LOCATION, value);
        }
    }
    for (name, value) in action.headers.iter().flatten() {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.insert(name, value);
        }
    }
    response
}

/// `12:34:56 #3 POST /hook?x=1 (42 B) -> 200 scripted auth=ok signature=verified`
fn summary_line(record: &RequestRecord) -> String {
    let clock = record.time.get(11..19).unwrap_or(&record.time);
    let target = match &record.query {
        Some(query) => format!("{}?{}", record.path, query),
        None => record.path.clone(),
    };
    let answer = record
        .response_status
        .map_or_else(|| "dropped".to_owned(), |status| status.to_string());
    let mut line = format!(
        "{clock} #{} {} {target} ({} B) -> {answer}",
        record.seq, record.method, record.body_bytes
    );
    if record.scripted.is_some() {
        line.push_str(" scripted");
    }
    if let Some(auth) = record.auth {
        line.push_str(&format!(" auth={}", auth.as_str()));
    }
    if let Some(signature) = record.signature {
        line.push_str(&format!(" signature={}", signature.as_str()));
    }
    if record.truncated {
        line.push_str(" truncated");
    }
    line
}
