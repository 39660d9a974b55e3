//! JSON values ↔ JS values, through JSON text: serde_json writes and reads the text, `JSON.parse`
//! and `JSON.stringify` build and flatten the JS side. Storage, the host API and the tab channel all
//! go this one way, so the bundle carries one set of serde code per type.
//!
//! The design names `serde-wasm-bindgen` for JS values across the host API. It is not used: as a
//! second (de)serializer beside serde_json it instantiated every type's serde code a second time,
//! and dropping it took the release bundle from 659 to 619 KiB gzipped. `JSON.parse` and
//! `JSON.stringify` are native and fast; what they cannot carry (functions, cycles, BigInt) is
//! refused with a message, as serde-wasm-bindgen refused it.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use webhook_engine::json_errors::{offset_of, path_at_offset, scrub_quoted as scrub};

/// `value` as a JS value built by `JSON.parse`; the error is a message safe to show.
pub fn json_to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, String> {
    js_from_json_text(serde_json::to_string(value))
}

/// The JS value for JSON text serde_json wrote; not generic, so the bundle holds it once.
fn js_from_json_text(text: serde_json::Result<String>) -> Result<JsValue, String> {
    let text = text.map_err(|error| scrub(&error.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| "it is not valid JSON".to_string())
}

/// A JS value read as `T` through `JSON.stringify`; the error is a message safe to show, naming the
/// field it is about (`current.title: …`) rather than a column of text the host never saw.
pub fn json_from_js<T: DeserializeOwned>(value: &JsValue) -> Result<T, String> {
    let text = json_text(value)?;
    serde_json::from_str(&text).map_err(|error| explain_json_error(&text, &error))
}

/// What is wrong with `text` as `error` says it, for a host: the path of the field it is about, without
/// serde_json's line and column. Not generic, so the bundle holds it once rather than once per type read.
fn explain_json_error(text: &str, error: &serde_json::Error) -> String {
    let offset = offset_of(text, error.line(), error.column());
    let message = scrub(&error.to_string());
    // The position only helps inside JSON text; the path is what a host can act on.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(before, _)| before)
        .to_owned();
    // JSON.stringify writes a lone surrogate as an escape serde_json then reports in its own terms.
    let message = if message.contains("surrogate") || message.contains("hex escape") {
        "it holds a broken character (a lone UTF-16 surrogate, \\uD800–\\uDFFF) that is not text; send the value as valid text".to_owned()
    } else {
        message
    };
    match path_at_offset(text, offset) {
        Some(path) => format!("{path}: {message}"),
        None => message,
    }
}

/// A JS value as JSON text (`JSON.stringify`).
pub fn json_text(value: &JsValue) -> Result<String, String> {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| "it is not a JSON value (a function, a cycle or a BigInt?)".to_string())
}
