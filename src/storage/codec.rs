//! Rust values ↔ the structured JS objects IndexedDB stores.
//!
//! Records are stored as plain JS objects (not JSON text) so that indexes can read their fields. The
//! serializer is serde-wasm-bindgen's JSON-compatible one: maps become plain objects, `None` becomes
//! `null`, and 64-bit integers become JS numbers (an error beyond ±2^53, which no timestamp
//! reaches) — so `created_at_ms` is a number that the `created_at_ms` index orders numerically.
//! One consequence: JS has one number type, so a whole float such as `2.0` inside a free-form JSON
//! value (a condition's value) reads back as the integer `2`; JSON readers see no difference.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::errors::StorageError;

const SERIALIZER: serde_wasm_bindgen::Serializer =
    serde_wasm_bindgen::Serializer::json_compatible();

/// The JS object stored for `value`.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, StorageError> {
    value.serialize(&SERIALIZER).map_err(|error| {
        StorageError::Other(format!(
            "This item could not be prepared for saving, so nothing was saved ({}).",
            scrub(&error.to_string())
        ))
    })
}

/// Reads a stored record back; a record that no longer fits the type is [`StorageError::Corrupt`],
/// naming `what` it is, its store and its key (read from the record's `key_field`).
pub(crate) fn from_record<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
    store: &str,
    key_field: &str,
) -> Result<T, StorageError> {
    let key = js_sys::Reflect::get(&value, &JsValue::from_str(key_field))
        .ok()
        .and_then(|key| key.as_string())
        .unwrap_or_else(|| "?".into());
    from_js(value, what, store, &key)
}

/// Reads a stored value back, for the record `key` of `store` (see [`from_record`]).
pub(crate) fn from_js<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
    store: &str,
    key: &str,
) -> Result<T, StorageError> {
    serde_wasm_bindgen::from_value(value).map_err(|error| {
        StorageError::Corrupt(format!(
            "the {what} \"{key}\" (store \"{store}\") does not match this version's format: {}",
            scrub(&error.to_string())
        ))
    })
}

/// Serde's messages quote the offending text (`invalid type: string "…"`), which may be a password
/// or a token; error messages are shown and may be logged, so quoted text is replaced by `"…"`.
pub(crate) fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '"' {
            let mut escaped = false;
            for inner in chars.by_ref() {
                if escaped {
                    escaped = false;
                } else if inner == '\\' {
                    escaped = true;
                } else if inner == '"' {
                    break;
                }
            }
            out.push_str("…\"");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn quoted_values_never_reach_messages() {
        assert_eq!(
            scrub(r#"invalid type: string "hunter\"2", expected u32"#),
            r#"invalid type: string "…", expected u32"#
        );
        assert_eq!(scrub("missing field `name`"), "missing field `name`");
        assert_eq!(scrub(r#"unterminated "abc"#), r#"unterminated "…""#);
    }
}
