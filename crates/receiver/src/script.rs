//! Scripted responses: the action format of `POST /_receiver/script` and its validation.
//!
//! Actions are queued first-in first-out; each recorded request consumes one (the store
//! does that atomically). Everything about an action is checked when it is queued, so building
//! its response later cannot fail on bad user input.

use std::collections::BTreeMap;
use std::time::Duration;

use http::{HeaderName, HeaderValue};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Longest `delay_ms` accepted: two minutes, longer than any sensible client timeout.
pub const MAX_DELAY_MS: u64 = 120_000;

/// Headers hyper derives from the body; a scripted value would corrupt the HTTP framing.
const FRAMING_HEADERS: [&str; 2] = ["content-length", "transfer-encoding"];

/// One scripted response. All fields are optional; unknown fields are refused so typos
/// (`"delay": 500`) do not silently do nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptAction {
    /// Response status, 100..=599. Default 200, or 302 when `redirect` is set.
    #[serde(
        default,
        deserialize_with = "deserialize_status",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<u16>,
    /// Response body. Default `{"received":true,"seq":N}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Extra response headers; they override the receiver's own (including CORS ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Wait this long before answering (or before dropping the connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Sent as the `Retry-After` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<RetryAfter>,
    /// Sent as the `Location` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    /// Close the connection without sending any HTTP response.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop: bool,
}

/// `retry_after` as given: a number of seconds or any string (e.g. an HTTP date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    Seconds(u64),
    Text(String),
}

impl RetryAfter {
    pub fn header_value(&self) -> String {
        match self {
            RetryAfter::Seconds(seconds) => seconds.to_string(),
            RetryAfter::Text(text) => text.clone(),
        }
    }
}

impl Serialize for RetryAfter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RetryAfter::Seconds(seconds) => serializer.serialize_u64(*seconds),
            RetryAfter::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for RetryAfter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(text) => Ok(RetryAfter::Text(text)),
            Value::Number(number) => number.as_u64().map(RetryAfter::Seconds).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "`retry_after` must be a string or a whole number of seconds >= 0, got {number}"
                ))
            }),
            other => Err(serde::de::Error::custom(format!(
                "`retry_after` must be a string or a whole number of seconds, got {}",
                json_kind(&other)
            ))),
        }
    }
}

/// Accepts any integer so the range error can name the value (serde's own u16 error for
/// 70000 would not say what the valid range is).
fn deserialize_status<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u16>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    if value.is_null() {
        return Ok(None);
    }
    let status = value
        .as_u64()
        .and_then(|n| u16::try_from(n).ok())
        .filter(|n| (100..=599).contains(n));
    match status {
        Some(status) => Ok(Some(status)),
        None => Err(serde::de::Error::custom(format!(
            "`status` must be a whole number from 100 to 599, got {value}"
        ))),
    }
}

/// Why a script was refused; the text is returned to the client as `{"error": ...}`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScriptError {
    #[error("the request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error(
        "a script must be one action object or an array of action objects, but the body is {0}"
    )]
    WrongShape(&'static str),
    #[error("{position} is invalid: {reason}")]
    InvalidAction { position: String, reason: String },
}

impl ScriptAction {
    /// The status the response will have (ignored when `drop` is set).
    pub fn status_code(&self) -> u16 {
        match (self.status, &self.redirect) {
            (Some(status), _) => status,
            (None, Some(_)) => 302,
            (None, None) => 200,
        }
    }

    pub fn delay(&self) -> Option<Duration> {
        self.delay_ms.map(Duration::from_millis)
    }

    /// Checks what serde cannot: ranges and header syntax. Returns the reason in words.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(status) = self.status {
            if !(100..=599).contains(&status) {
                return Err(format!(
                    "`status` must be a whole number from 100 to 599, got {status}"
                ));
            }
        }
        if let Some(delay) = self.delay_ms {
            if delay > MAX_DELAY_MS {
                return Err(format!(
                    "`delay_ms` must be at most {MAX_DELAY_MS} (2 minutes), got {delay}"
                ));
            }
        }
        for (name, value) in self.headers.iter().flatten() {
            validate_header(name, value)?;
        }
        if let Some(retry_after) = &self.retry_after {
            validate_header_value("`retry_after`", &retry_after.header_value())?;
        }
        if let Some(location) = &self.redirect {
            validate_header_value("`redirect`", location)?;
        }
        Ok(())
    }
}

fn validate_header(name: &str, value: &str) -> Result<(), String> {
    let parsed = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        format!("`headers` has {name:?}, which is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)")
    })?;
    if FRAMING_HEADERS.contains(&parsed.as_str()) {
        return Err(format!(
            "`headers.{name}` cannot be scripted: the receiver sets it from the body"
        ));
    }
    validate_header_value(&format!("`headers.{name}`"), value)
}

fn validate_header_value(what: &str, value: &str) -> Result<(), String> {
    if value.contains(['\r', '\n']) {
        return Err(format!(
            "{what} must not contain CR or LF characters (they would split the header)"
        ));
    }
    HeaderValue::from_bytes(value.as_bytes())
        .map(|_| ())
        .map_err(|_| format!("{what} contains control characters that a header value cannot hold"))
}

/// Parses the body of `POST /_receiver/script`: one action object or an array of them.
pub fn parse_script(body: &[u8]) -> Result<Vec<ScriptAction>, ScriptError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|err| ScriptError::InvalidJson(err.to_string()))?;
    match value {
        Value::Object(_) => Ok(vec![parse_action(value, "the action".to_owned())?]),
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                let position = format!("action #{} (index {index})", index + 1);
                if item.is_object() {
                    parse_action(item, position)
                } else {
                    Err(ScriptError::InvalidAction {
                        position,
                        reason: format!("expected a JSON object, got {}", json_kind(&item)),
                    })
                }
            })
            .collect(),
        other => Err(ScriptError::WrongShape(json_kind(&other))),
    }
}

fn parse_action(value: Value, position: String) -> Result<ScriptAction, ScriptError> {
    let action: ScriptAction = match serde_json::from_value(value.clone()) {
        Ok(action) => action,
        Err(err) => {
            return Err(ScriptError::InvalidAction {
                position,
                reason: name_failing_field(&value).unwrap_or_else(|| err.to_string()),
            })
        }
    };
    action
        .validate()
        .map_err(|reason| ScriptError::InvalidAction { position, reason })?;
    Ok(action)
}

/// serde_json's type errors (`invalid type: string "x", expected u64`) do not say which
/// field they are about; deserializing each field on its own finds it.
fn name_failing_field(action: &Value) -> Option<String> {
    let fields = action.as_object()?;
    fields.iter().find_map(|(name, value)| {
        let alone = Value::Object([(name.clone(), value.clone())].into_iter().collect());
        let err = serde_json::from_value::<ScriptAction>(alone)
            .err()?
            .to_string();
        // Unknown-field and custom errors already name the field.
        Some(if err.contains(&format!("`{name}`")) {
            err
        } else {
            format!("`{name}`: {err}")
        })
    })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(body: &str) -> String {
        parse_script(body.as_bytes())
            .expect_err("script must be refused")
            .to_string()
    }

    #[test]
    fn one_action_or_an_array() {
        let one = parse_script(br#"{"status": 503, "retry_after": 30}"#).expect("valid");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].status_code(), 503);
        assert_eq!(one[0].retry_after, Some(RetryAfter::Seconds(30)));
        let many = parse_script(
            br#"[{"redirect": "https://example.test/"}, {}, {"drop": true, "delay_ms": 5},
                 {"retry_after": "Wed, 21 Oct 2015 07:28:00 GMT", "headers": {"X-A": "b"}}]"#,
        )
        .expect("valid");
        assert_eq!(many.len(), 4);
        assert_eq!(many[0].status_code(), 302);
        assert_eq!(many[1].status_code(), 200);
        assert!(many[2].drop);
        assert_eq!(many[2].delay(), Some(Duration::from_millis(5)));
    }

    #[test]
    fn serializes_back_as_given() {
        let actions = parse_script(br#"[{"status": 503, "retry_after": "5"}, {"drop": true}]"#)
            .expect("valid");
        let json = serde_json::to_string(&actions).expect("serializes");
        assert_eq!(json, r#"[{"status":503,"retry_after":"5"},{"drop":true}]"#);
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        assert!(error_of("{nope").contains("not valid JSON"));
        assert!(error_of("42").contains("one action object or an array"));
        assert!(error_of(r#"{"stauts": 200}"#).contains("unknown field `stauts`"));
        assert!(error_of(r#"{"status": 42}"#).contains("from 100 to 599, got 42"));
        assert!(error_of(r#"{"status": 70000}"#).contains("from 100 to 599"));
        assert!(error_of(r#"{"status": "200"}"#).contains("from 100 to 599"));
        assert!(error_of(r#"{"delay_ms": 120001}"#).contains("at most 120000"));
        assert!(error_of(r#"{"headers": {"x-a": "b\r\nx-evil: 1"}}"#).contains("CR or LF"));
        assert!(
            error_of(r#"{"headers": {"bad name": "b"}}"#).contains("not a valid HTTP header name")
        );
        assert!(
            error_of(r#"{"headers": {"Content-Length": "3"}}"#).contains("sets it from the body")
        );
        assert!(error_of(r#"{"retry_after": -1}"#).contains("whole number of seconds"));
        assert!(error_of(r#"{"delay_ms": 1.5}"#).contains("`delay_ms`: invalid type"));
        assert!(error_of(r#"{"drop": "yes"}"#).contains("`drop`: invalid type"));
        assert!(error_of(r#"{"redirect": "/a\nb"}"#).contains("CR or LF"));
        let second = error_of(r#"[{}, {"status": 1000}]"#);
        assert!(
            second.starts_with("action #2 (index 1) is invalid"),
            "{second}"
        );
        assert!(error_of(r#"[{}, 3]"#).contains("expected a JSON object, got a number"));
    }
}
