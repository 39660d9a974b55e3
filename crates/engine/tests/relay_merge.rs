//! A relay record read with the events token, merged over the browser's placeholder.

use serde_json::json;
use webhook_engine::history::relay::{merge, request_known};
use webhook_engine::runner::Execution;

fn record(status: &str, request: serde_json::Value, attempts: serde_json::Value) -> Execution {
    serde_json::from_value(json!({
        "id": "msg_1", "route": "relay", "automation_id": "au", "automation_name": "A", "action_index": 0,
        "webhook_id": "wh_erp", "webhook_name": "ERP",
        "event": {"id": "evt", "entity": "deal", "action": "updated", "record_id": 1, "time": "t"},
        "user": {"id": 1, "name": "Ada", "email": "", "is_admin": false},
        "created_at_ms": 0, "status": status, "reason": null, "trace": [], "request": request,
        "attempts": attempts, "next_attempt_at_ms": null, "finished_at_ms": null
    }))
    .unwrap()
}

/// A regular user's browser plans a relay webhook's delivery without its credentials: the
/// placeholder's request has no `Authorization`, no `webhook-timestamp`/`webhook-signature`. The
/// relay's record read with the events token (the only token such a browser has) is withheld; when
/// its attempts got no answer (timeout, network error, refused address) the merge copies the
/// placeholder's request in and marks the record whole (`details_withheld: false`): the page then
/// offers "Copy as cURL" and shows, as the request the relay sent, one without the authentication
/// and signature it really carried (and the body as this browser planned it, not as the relay's
/// attempt rendered it). docs/relay.md: "Records read with the events token ... are stored marked
/// `details_withheld`".
#[test]
fn a_placeholder_without_credentials_never_makes_a_withheld_relay_record_whole() {
    let placeholder = record(
        "pending",
        json!({"method": "PUT", "url": "https://erp.example/orders/1",
               "headers": [["Content-Type", "application/json"], ["X-Team", "sales"], ["webhook-id", "msg_1"]],
               "body": "{\"planned\": \"by the browser\"}", "body_truncated": false}),
        json!([]),
    );
    let withheld = record(
        "failed",
        json!({"method": "PUT", "url": "https://erp.example/orders/1",
               "headers": [], "body": "", "body_truncated": false}),
        json!([{"number": 1, "started_at_ms": 1, "duration_ms": 5000, "outcome": "timeout",
                "response": null, "retry_in": null}]),
    );
    let merged = merge(Some(&placeholder), withheld, true).unwrap();
    let headers = &merged.request.as_ref().unwrap().headers;
    let has_authorization = headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
    assert!(
        merged.details_withheld || has_authorization,
        "the record is marked whole (request_known: {}) with a request the relay never sent: {:?}",
        request_known(&merged),
        merged.request
    );
}

/// A placeholder this browser failed ("the relay refused this event") although the relay had
/// taken the event (its `202` was lost, and the event posted again was refused): the relay's
/// record, still retrying, is the truth — it replaces the failed placeholder, and the placeholder's
/// request (without the credentials the relay sends) never makes a withheld record whole.
#[test]
fn a_failed_placeholder_gives_way_to_the_relays_record_and_never_makes_it_whole() {
    let planned = json!({"method": "PUT", "url": "https://erp.example/orders/1",
        "headers": [["Content-Type", "application/json"], ["webhook-id", "msg_1"]],
        "body": "{\"planned\": \"by the browser\"}", "body_truncated": false});
    let mut placeholder = record("failed", planned, json!([]));
    placeholder.reason = Some("not sent: the relay refused this event, and would again".into());
    let timeout = json!([{"number": 1, "started_at_ms": 1, "duration_ms": 5000, "outcome": "timeout",
        "response": null, "retry_in": {"ms": 1000, "reason": {"kind": "backoff"}}}]);
    let withheld_request = json!({"method": "PUT", "url": "https://erp.example/orders/1",
        "headers": [], "body": "", "body_truncated": false});

    let retrying = merge(
        Some(&placeholder),
        record("pending", withheld_request.clone(), timeout.clone()),
        true,
    )
    .expect("the relay's retrying record replaces the failed placeholder");
    assert_eq!(retrying.attempts.len(), 1);
    assert!(retrying.details_withheld, "{:?}", retrying.request);

    let ended = merge(
        Some(&placeholder),
        record("failed", withheld_request, timeout),
        true,
    )
    .unwrap();
    assert!(ended.details_withheld, "{:?}", ended.request);
    assert!(!request_known(&ended));
}

/// A placeholder given whole (an admin's browser) holds the request as planned, without the
/// credentials and signature the relay adds: nothing was sent yet, so there is nothing to copy.
#[test]
fn a_placeholder_is_not_a_request_to_copy_as_curl() {
    let planned = json!({"method": "PUT", "url": "https://erp.example/orders/1",
        "headers": [["Content-Type", "application/json"]], "body": "{}", "body_truncated": false});
    assert!(!request_known(&record(
        "pending",
        planned.clone(),
        json!([])
    )));
    let sent = json!([{"number": 1, "started_at_ms": 1, "duration_ms": 5, "outcome": {"status": 200},
        "response": null, "retry_in": null}]);
    assert!(request_known(&record("succeeded", planned, sent)));
}
