//! Times as the admin reads and types them: in the browser's local time zone.

use wasm_bindgen::JsValue;

/// `2025-01-02 14:04:05`, local time: sortable at a glance, the same width on every row.
pub fn local_time(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    format!(
        "{} {:02}:{:02}:{:02}",
        local_date(&date),
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// The value of a `datetime-local` input showing `ms`: `2025-01-02T14:04`.
pub fn input_value(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    format!(
        "{}T{:02}:{:02}",
        local_date(&date),
        date.get_hours(),
        date.get_minutes()
    )
}

/// The instant a `datetime-local` input's value names, read as local time; `None` when empty.
pub fn parse_input(value: &str) -> Option<i64> {
    if value.trim().is_empty() {
        return None;
    }
    // A date-time without an offset is local time for `Date` (ECMAScript's date-time string format).
    let ms = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    ms.is_finite().then_some(ms as i64)
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

fn local_date(date: &js_sys::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}
