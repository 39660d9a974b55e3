//! Execution records: what the history shows of every run. They never hold a secret: requests are
//! stored in their redacted form.

use serde::{Deserialize, Serialize};

use crate::conditions::ConditionTrace;
use crate::event::{Event, User};
use crate::model::{EventAction, Method, Route};
use crate::request::RedactedRequest;
use crate::retry::{Delay, Outcome};

/// Stored request bodies are cut at this many bytes (and marked truncated).
pub const REQUEST_BODY_LIMIT: usize = 64 * 1024;
/// Response bodies are kept as an excerpt of at most this many bytes.
pub const RESPONSE_BODY_LIMIT: usize = 4 * 1024;
/// A transport may stop reading an answer here: the excerpt, plus room for the credentials an
/// endpoint echoes to be recognised (and masked) before the excerpt is cut. An answer this long may
/// end in the middle of an echoed credential, so its end is masked as a cut.
pub const RESPONSE_READ_LIMIT: usize = RESPONSE_BODY_LIMIT + REQUEST_BODY_LIMIT;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    /// Also the request's `webhook-id`: the same on every attempt.
    pub id: String,
    pub automation_id: String,
    pub automation_name: String,
    /// Which of the automation's actions this is.
    pub action_index: usize,
    pub webhook_id: String,
    pub webhook_name: Option<String>,
    pub event: EventSummary,
    /// Who triggered it; recorded, never used to decide whether to run.
    pub user: User,
    pub created_at_ms: i64,
    pub status: Status,
    /// Why it failed or stopped, in words for a CRM admin.
    pub reason: Option<String>,
    pub trace: Vec<ConditionTrace>,
    /// The request as sent (or as it would have been), secrets redacted.
    pub request: Option<StoredRequest>,
    pub attempts: Vec<Attempt>,
    /// When the next attempt is due while the status is pending.
    pub next_attempt_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    /// What went wrong around the run without stopping it — the browser's storage could not record a
    /// step, so the delivery went on from the tab's memory — in words for a CRM admin. Records
    /// stored before this field existed read as having none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Who sends it: this browser, or the relay (whose records the history merges in). Records
    /// stored before this field existed were all sent by the browser.
    #[serde(default)]
    pub route: Route,
    /// The relay gave this browser its record without bodies, headers or record values (it was read
    /// with the relay's events token, as a CRM user who is not an admin sees it): they are held by
    /// the relay, not missing. What this browser knew before (the request it planned, the answers of
    /// earlier attempts) is kept (`history::relay::merge`), and a read with the admin token fills in
    /// the rest. Absent in records that were given whole.
    #[serde(default, skip_serializing_if = "is_false")]
    pub details_withheld: bool,
}

impl Execution {
    /// Ends the run with `status` at `at_ms`, saying why (`None` for a success).
    pub fn finish(&mut self, status: Status, reason: Option<String>, at_ms: i64) {
        self.status = status;
        self.reason = reason;
        self.next_attempt_at_ms = None;
        self.finished_at_ms = Some(at_ms);
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Queued, being sent, or waiting for a retry.
    Pending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// Non-2xx after retries, network or CORS error, timeout, missing credentials, webhook deleted.
    Failed,
    /// Not sent on purpose: the frequency limit or the loop guard stopped it.
    Stopped,
}

impl Status {
    /// The status from its stored name (`"failed"`), as serde writes it.
    pub fn from_stored(name: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::Succeeded,
            Status::Failed,
            Status::Stopped,
        ]
        .into_iter()
        .find(|status| status.stored_name() == name)
    }

    pub fn stored_name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::Stopped => "stopped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSummary {
    pub id: String,
    pub entity: String,
    pub action: EventAction,
    pub record_id: Option<serde_json::Value>,
    pub time: String,
}

impl From<&Event> for EventSummary {
    fn from(event: &Event) -> Self {
        EventSummary {
            id: event.id.clone(),
            entity: event.entity.clone(),
            action: event.action,
            record_id: event.current.get("id").cloned(),
            time: event.time.clone(),
        }
    }
}

/// A redacted request as the history keeps it, its body capped at [`REQUEST_BODY_LIMIT`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub body_truncated: bool,
    /// Whether a secret of the webhook was masked in the URL or body (see [`RedactedRequest`]);
    /// `None` in records written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets_masked: Option<bool>,
}

impl From<RedactedRequest> for StoredRequest {
    fn from(request: RedactedRequest) -> Self {
        let (body, body_truncated) = cap(request.body, REQUEST_BODY_LIMIT);
        StoredRequest {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body,
            body_truncated,
            secrets_masked: Some(request.secrets_masked),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// 1-based.
    pub number: u32,
    pub started_at_ms: i64,
    pub duration_ms: u64,
    pub outcome: Outcome,
    pub response: Option<ResponseSummary>,
    /// The wait before the next attempt, when there is one.
    pub retry_in: Option<Delay>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseSummary {
    pub status: u16,
    /// The headers the endpoint let the app read (a browser hides those a CORS endpoint does not expose).
    pub headers: Vec<(String, String)>,
    pub body_excerpt: String,
    pub body_truncated: bool,
}

/// `text` cut to at most `limit` bytes at a character boundary, and whether it was cut.
pub(crate) fn cap(mut text: String, limit: usize) -> (String, bool) {
    if text.len() <= limit {
        return (text, false);
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    (text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capping_keeps_whole_characters() {
        assert_eq!(cap("héllo".into(), 2), ("h".into(), true));
        assert_eq!(cap("héllo".into(), 3), ("hé".into(), true));
        assert_eq!(cap("hello".into(), 5), ("hello".into(), false));
    }

    #[test]
    fn stored_names_are_serdes() {
        for status in [
            Status::Pending,
            Status::Succeeded,
            Status::Failed,
            Status::Stopped,
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.stored_name()));
            assert_eq!(Status::from_stored(status.stored_name()), Some(status));
        }
        assert_eq!(Status::from_stored("Failed"), None);
    }
}
