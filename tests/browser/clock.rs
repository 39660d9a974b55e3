//! Date-times between storage (RFC 3339, UTC) and `datetime-local` inputs (the admin's local time),
//! as the sandbox's fields and the condition editor's values use them.

use wasm_bindgen_test::wasm_bindgen_test;
use webhook_automations::clock::{local_display, local_input, utc_from_local_input};

#[wasm_bindgen_test]
fn a_local_date_time_round_trips_through_utc() {
    let utc = utc_from_local_input("2026-11-28T10:15").expect("a complete input reads");
    assert!(utc.ends_with('Z'), "{utc}");
    assert_eq!(local_input(&utc), "2026-11-28T10:15");
    assert_eq!(local_display(&utc), "2026-11-28 10:15");
}

#[wasm_bindgen_test]
fn what_is_not_a_date_time_reads_as_nothing() {
    for text in ["", "  ", "soon", "2026-13-45T99:99"] {
        assert_eq!(utc_from_local_input(text), None, "{text:?}");
        assert_eq!(local_input(text), "", "{text:?}");
    }
}
