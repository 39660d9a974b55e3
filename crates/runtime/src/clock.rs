//! Time in the browser, for the sandbox CRM and the condition editor: now, and the conversions
//! between stored date-times (RFC 3339, UTC) and what a `datetime-local` input holds
//! (`2026-11-28T10:15`, the person's local time). Local time needs the browser's time zone rules,
//! so these use JS `Date` rather than the engine.

use js_sys::Date;
use wasm_bindgen::JsValue;
use webhook_engine::time::Instant;

/// The current time as RFC 3339 in UTC.
pub fn now_rfc3339() -> String {
    Instant::from_unix_millis(Date::now() as i64).to_rfc3339()
}

/// The local `YYYY-MM-DDTHH:MM` for a stored date-time, or empty when it cannot be read.
pub fn local_input(rfc3339: &str) -> String {
    parse(rfc3339).map_or_else(String::new, |date| {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            date.get_full_year(),
            date.get_month() + 1,
            date.get_date(),
            date.get_hours(),
            date.get_minutes()
        )
    })
}

/// A stored date-time as people read it: local time, `2026-11-28 10:15`.
pub fn local_display(rfc3339: &str) -> String {
    local_input(rfc3339).replacen('T', " ", 1)
}

/// The RFC 3339 UTC instant of a `datetime-local` value (which JS reads as local time), or `None`
/// when the input is empty or incomplete.
pub fn utc_from_local_input(local: &str) -> Option<String> {
    parse(local).map(|date| String::from(date.to_iso_string()))
}

fn parse(text: &str) -> Option<Date> {
    if text.trim().is_empty() {
        return None;
    }
    let date = Date::new(&JsValue::from_str(text));
    (!date.get_time().is_nan()).then_some(date)
}
