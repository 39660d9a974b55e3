//! What is kept about each request: the JSON shapes of `GET /_receiver/requests`,
//! `GET /_receiver/preflights` and the `--log` lines.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::HeaderMap;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::basic_auth::AuthOutcome;
use crate::script::ScriptAction;
use crate::signature::SignatureOutcome;

/// One recorded (non-control, non-preflight) request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    /// 1, 2, 3, ... in arrival order; never reset while the process runs.
    pub seq: u64,
    /// RFC 3339, UTC.
    pub time: String,
    pub method: String,
    pub path: String,
    /// The raw query string without `?`, or null when the target had none.
    pub query: Option<String>,
    /// `[name, value]` pairs, names lowercase, in arrival order except that repeats of a name
    /// are listed together at its first position (hyper's header map groups them).
    pub headers: Vec<(String, String)>,
    /// The body as text when it is valid UTF-8 (and not truncated), else null.
    pub body: Option<String>,
    /// The body as base64 when it is not valid UTF-8, else null.
    pub body_base64: Option<String>,
    /// Bytes kept: the whole body, or `--max-body-bytes` when truncated.
    pub body_bytes: usize,
    /// The body was larger than `--max-body-bytes` and was not stored (answered 413).
    pub truncated: bool,
    /// Null when no `--basic-auth` is configured.
    pub auth: Option<AuthOutcome>,
    /// Null when no `--signing-secret` is configured.
    pub signature: Option<SignatureOutcome>,
    /// Now minus `webhook-timestamp`, in seconds (negative: from the future); null when the
    /// header is absent or not a whole number. Recorded, never enforced.
    pub webhook_timestamp_age_secs: Option<i64>,
    /// The script action that answered this request, or null.
    pub scripted: Option<ScriptAction>,
    /// Status sent back; null when a `drop` action closed the connection instead.
    pub response_status: Option<u16>,
}

/// One CORS preflight (`OPTIONS` with `Access-Control-Request-Method`), kept apart from the
/// recorded requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightRecord {
    pub time: String,
    pub path: String,
    pub origin: Option<String>,
    /// The `Access-Control-Request-Method` value: the method the page wants to use.
    pub requested_method: String,
    /// The `Access-Control-Request-Headers` names, lowercase, in the order sent.
    pub requested_headers: Vec<String>,
}

/// How a body is stored: as text when possible, else as base64.
pub struct StoredBody {
    pub text: Option<String>,
    pub base64: Option<String>,
}

impl StoredBody {
    pub fn from_bytes(bytes: Vec<u8>) -> StoredBody {
        match String::from_utf8(bytes) {
            Ok(text) => StoredBody {
                text: Some(text),
                base64: None,
            },
            Err(not_utf8) => StoredBody {
                text: None,
                base64: Some(STANDARD.encode(not_utf8.as_bytes())),
            },
        }
    }

    pub fn none() -> StoredBody {
        StoredBody {
            text: None,
            base64: None,
        }
    }
}

/// Header pairs for a record. Values that are not UTF-8 are kept lossily (U+FFFD).
pub fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Splits `Access-Control-Request-Headers` (`a, B,c`) into lowercase names.
pub fn split_header_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect()
}

/// The current time as RFC 3339 UTC, plus the Unix timestamp for age computations.
pub fn now() -> (String, i64) {
    let now = OffsetDateTime::now_utc();
    let text = now
        .format(&Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string());
    (text, now.unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_text_or_base64() {
        let text = StoredBody::from_bytes(b"hello".to_vec());
        assert_eq!(text.text.as_deref(), Some("hello"));
        assert_eq!(text.base64, None);
        let binary = StoredBody::from_bytes(vec![0xff, 0x00, 0xfe]);
        assert_eq!(binary.text, None);
        assert_eq!(binary.base64.as_deref(), Some("/wD+"));
    }

    #[test]
    fn header_lists_split_and_lowercase() {
        assert_eq!(
            split_header_list("Authorization, content-type ,Webhook-Id,"),
            ["authorization", "content-type", "webhook-id"]
        );
    }

    #[test]
    fn time_is_rfc3339_utc() {
        let (text, unix) = now();
        assert!(text.ends_with('Z'), "{text}");
        assert!(unix > 1_600_000_000);
    }
}
