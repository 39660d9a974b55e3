//! Rust values ↔ the structured JS objects IndexedDB stores.
//!
//! Records are stored as plain JS objects (not JSON text) so that indexes can read their fields. They
//! travel as JSON text (see [`crate::js_json`]): maps become plain objects, `None` becomes `null`,
//! and 64-bit integers become JS numbers — so `created_at_ms` is a number that the `created_at_ms`
//! index orders numerically.
//! One consequence: JS has one number type, so a whole float such as `2.0` inside a free-form JSON
//! value (a condition's value) reads back as the integer `2`; JSON readers see no difference.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::errors::StorageError;
use crate::js_json::{json_from_js, json_to_js};

/// The JS object stored for `value`.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, StorageError> {
    json_to_js(value).map_err(unsaveable)
}

/// The error for an item that could not be turned into a JS object; not generic, so the bundle
/// holds its message once rather than once per type stored.
fn unsaveable(problem: String) -> StorageError {
    StorageError::Other(format!(
        "This item could not be prepared for saving, so nothing was saved ({problem})."
    ))
}

/// Reads a stored record back; a record that no longer fits the type is [`StorageError::Corrupt`],
/// naming `what` it is, its store and its key (read from the record's `key_field`).
pub(crate) fn from_record<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
    store: &str,
    key_field: &str,
) -> Result<T, StorageError> {
    let key = record_key(&value, key_field);
    from_js(value, what, store, &key)
}

/// The record's key, for messages: its `key_field`, or `?`. Not generic (see [`unsaveable`]).
fn record_key(value: &JsValue, key_field: &str) -> String {
    js_sys::Reflect::get(value, &JsValue::from_str(key_field))
        .ok()
        .and_then(|key| key.as_string())
        .unwrap_or_else(|| "?".into())
}

/// Reads a stored value back, for the record `key` of `store` (see [`from_record`]).
pub(crate) fn from_js<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
    store: &str,
    key: &str,
) -> Result<T, StorageError> {
    json_from_js(&value).map_err(|problem| corrupt(what, store, key, problem))
}

/// The error for a stored value that no longer fits its type; not generic (see [`unsaveable`]).
fn corrupt(what: &str, store: &str, key: &str, problem: String) -> StorageError {
    StorageError::Corrupt(format!(
        "the {what} \"{key}\" (store \"{store}\") does not match this version's format: {problem}"
    ))
}
