//! The fetch transport against real receivers: one with CORS, one started with `--no-cors`, and a
//! port where nothing listens (URLs given at build time by scripts/test.sh).

use wasm_bindgen_test::wasm_bindgen_test;
use webhook_automations::http::{probe_reachable, FetchTransport, Reachability};
use webhook_engine::model::Method;
use webhook_engine::request::OutgoingRequest;
use webhook_engine::retry::Outcome;
use webhook_engine::runner::{Exchange, Transport};

use crate::receiver_fetch::{
    clear_script, receiver_url, recorded_preflights, recorded_requests, script,
};

fn no_cors_url() -> &'static str {
    env!(
        "RECEIVER_NO_CORS_URL",
        "RECEIVER_NO_CORS_URL names a receiver started with --no-cors (scripts/test.sh)"
    )
}

fn closed_url() -> &'static str {
    env!(
        "CLOSED_URL",
        "CLOSED_URL names a port nothing listens on (scripts/test.sh)"
    )
}

fn request(url: String) -> OutgoingRequest {
    OutgoingRequest {
        method: Method::Post,
        url,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Authorization".into(), "Bearer browser-token".into()),
            ("webhook-id".into(), "msg_fetch_1".into()),
        ],
        body: r#"{"deal":{"id":42}}"#.into(),
    }
}

#[wasm_bindgen_test]
async fn an_answer_comes_back_with_its_status_body_and_exposed_headers() {
    clear_script().await;
    let Exchange::Answered(response) = FetchTransport
        .send(&request(format!("{}/orders/42", receiver_url())), 10_000)
        .await
    else {
        panic!("the receiver answers");
    };
    assert_eq!(response.status, 200);
    assert!(
        response.body.contains("\"received\":true"),
        "{}",
        response.body
    );
    assert!(
        response
            .headers
            .iter()
            .any(|(name, _)| name == "x-receiver-seq"),
        "{:?}",
        response.headers
    );
}

/// Deliveries to one URL share the browser's CORS preflight answer (the receiver lets it be kept
/// for ten minutes): the endpoint gets one preflight, not one before every delivery.
#[wasm_bindgen_test]
async fn deliveries_to_one_url_are_preflighted_once() {
    clear_script().await;
    let path = format!("/preflighted-once/{}", js_sys::Math::random());
    for _ in 0..3 {
        let exchange = FetchTransport
            .send(&request(format!("{}{path}", receiver_url())), 10_000)
            .await;
        assert!(matches!(exchange, Exchange::Answered(ref response) if response.status == 200));
    }
    let delivered = recorded_requests()
        .await
        .iter()
        .filter(|record| record["path"] == path.as_str())
        .count();
    assert_eq!(delivered, 3);
    let preflights = recorded_preflights()
        .await
        .iter()
        .filter(|record| record["path"] == path.as_str())
        .count();
    assert_eq!(
        preflights, 1,
        "one preflight for three deliveries to {path}"
    );
}

#[wasm_bindgen_test]
async fn a_slow_endpoint_times_out_through_the_abort_controller() {
    script(r#"{"delay_ms": 3000}"#).await;
    let exchange = FetchTransport
        .send(&request(format!("{}/slow", receiver_url())), 1_000)
        .await;
    assert_eq!(exchange, Exchange::Failed(Outcome::Timeout));
}

#[wasm_bindgen_test]
async fn a_redirect_is_refused_not_followed() {
    script(&format!(
        r#"{{"status": 302, "redirect": "{}/elsewhere"}}"#,
        receiver_url()
    ))
    .await;
    let before = crate::receiver_fetch::recorded_count().await;
    let exchange = FetchTransport
        .send(&request(format!("{}/moved", receiver_url())), 10_000)
        .await;
    assert_eq!(exchange, Exchange::Failed(Outcome::RedirectRefused(0)));
    assert_eq!(
        crate::receiver_fetch::recorded_count().await,
        before + 1,
        "the redirect target was never requested"
    );
}

#[wasm_bindgen_test]
async fn an_endpoint_that_refuses_cors_is_told_apart_from_one_that_is_down() {
    let refused = FetchTransport
        .send(&request(format!("{}/hook", no_cors_url())), 10_000)
        .await;
    assert_eq!(refused, Exchange::Failed(Outcome::CorsRefused));
    assert_eq!(
        probe_reachable(no_cors_url()).await,
        Reachability::Reachable
    );

    let down = FetchTransport
        .send(&request(format!("{}/hook", closed_url())), 10_000)
        .await;
    assert_eq!(down, Exchange::Failed(Outcome::NetworkError));
    assert_eq!(
        probe_reachable(closed_url()).await,
        Reachability::Unreachable
    );
}
