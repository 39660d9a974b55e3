//! A fetch from the page reaches a running webhook-receiver (started by scripts/test.sh, its URL given
//! at build time as RECEIVER_URL) across origins, with credentials, and can read its exposed headers.

use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Request, RequestInit, Response};

pub fn receiver_url() -> &'static str {
    env!("RECEIVER_URL", "RECEIVER_URL must name a running webhook-receiver when the browser tests are built (scripts/test.sh sets it)")
}

async fn send(method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Response {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&body.into());
    }
    let request =
        Request::new_with_str_and_init(&format!("{}{}", receiver_url(), path), &init).unwrap();
    for (name, value) in headers {
        request.headers().set(name, value).unwrap();
    }
    let response = JsFuture::from(web_sys::window().unwrap().fetch_with_request(&request))
        .await
        .unwrap_or_else(|error| panic!("{method} {path} failed: {error:?}"));
    response.dyn_into().unwrap()
}

async fn json(response: Response) -> Value {
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    serde_json::from_str(&text.as_string().unwrap()).unwrap()
}

#[wasm_bindgen_test]
async fn a_json_post_with_authorization_is_recorded_with_its_body_intact() {
    clear_script().await;
    let marker = format!("browser-{}", js_sys::Math::random());
    let body = format!(r#"{{"deal":{{"title":"Big \"one\" — ünïcode ✓","marker":"{marker}"}}}}"#);
    let response = send(
        "POST",
        "/orders/42?source=browser",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer test-token"),
            ("webhook-id", "msg_browser_1"),
        ],
        Some(&body),
    )
    .await;
    assert_eq!(response.status(), 200);
    let seq = response
        .headers()
        .get("x-receiver-seq")
        .unwrap()
        .expect("the receiver exposes its x-receiver-seq header to the page");

    let recorded = json(send("GET", "/_receiver/requests", &[], None).await).await;
    let record = recorded
        .as_array()
        .unwrap()
        .iter()
        .find(|record| {
            record["seq"].as_u64().map(|n| n.to_string()).as_deref() == Some(seq.as_str())
        })
        .expect("the request is in the receiver's record");
    assert_eq!(record["method"], "POST");
    assert_eq!(record["path"], "/orders/42");
    assert_eq!(record["query"], "source=browser");
    assert_eq!(record["body"], body.as_str());
    let header = |name: &str| {
        record["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|pair| pair[0] == name)
            .map(|pair| pair[1].as_str().unwrap().to_string())
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some("Bearer test-token")
    );
    assert_eq!(header("webhook-id").as_deref(), Some("msg_browser_1"));
}

/// Forgets the scripted answers still queued on the receiver (its control API): a test that failed
/// before sending what it scripted leaves them, and no other test may get them.
pub async fn clear_script() {
    let response = send("DELETE", "/_receiver/script", &[], None).await;
    assert_eq!(response.status(), 200, "the receiver clears its script");
}

/// Queues scripted answers on the receiver, in place of any still queued.
pub async fn script(actions: &str) {
    clear_script().await;
    let response = send(
        "POST",
        "/_receiver/script",
        &[("Content-Type", "application/json")],
        Some(actions),
    )
    .await;
    assert_eq!(
        response.status(),
        200,
        "the receiver accepts the script {actions}"
    );
}

/// Every request the receiver has recorded so far, oldest first.
pub async fn recorded_requests() -> Vec<Value> {
    let recorded = json(send("GET", "/_receiver/requests", &[], None).await).await;
    recorded.as_array().cloned().unwrap_or_default()
}

/// Every CORS preflight the receiver has answered so far, oldest first.
pub async fn recorded_preflights() -> Vec<Value> {
    let recorded = json(send("GET", "/_receiver/preflights", &[], None).await).await;
    recorded.as_array().cloned().unwrap_or_default()
}

/// How many requests the receiver has recorded so far.
pub async fn recorded_count() -> usize {
    json(send("GET", "/_receiver/requests", &[], None).await)
        .await
        .as_array()
        .unwrap()
        .len()
}

#[wasm_bindgen_test]
async fn the_page_reads_retry_after_from_a_scripted_answer() {
    script(r#"{"status": 429, "retry_after": 7}"#).await;

    let response = send(
        "PUT",
        "/busy",
        &[("Content-Type", "application/json")],
        Some("{}"),
    )
    .await;
    assert_eq!(response.status(), 429);
    assert_eq!(
        response.headers().get("retry-after").unwrap().as_deref(),
        Some("7")
    );
}
