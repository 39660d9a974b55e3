//! The execution history in a real browser: storage queries over real IndexedDB (paging, filters,
//! text search, cancelling, export, retention) and the history page over up to 100,000 stored runs.
//! Each test uses a database of its own and deletes it at the end.

mod page;
mod queries;
mod relay;

use std::rc::Rc;

use js_sys::Promise;
use serde_json::json;
use wasm_bindgen_futures::JsFuture;
use webhook_automations::storage::{delete_database, Store};
use webhook_engine::conditions::ConditionTrace;
use webhook_engine::event::User;
use webhook_engine::model::{EventAction, Method, Operator};
use webhook_engine::retry::{Delay, DelayReason, Outcome};
use webhook_engine::runner::{
    Attempt, EventSummary, Execution, ResponseSummary, Status, StoredRequest,
};

/// 2025-01-02T03:04:05Z: a realistic time, far above 2^32 ms.
pub const T0: i64 = 1_735_787_045_000;

pub fn unique_name(test: &str) -> String {
    format!(
        "history-test-{test}-{}-{}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 1e9) as u64
    )
}

pub async fn open(name: &str) -> Rc<Store> {
    Rc::new(Store::open(name).await.expect("the test database opens"))
}

pub async fn cleanup(store: Rc<Store>, name: &str) {
    drop(store);
    delete_database(name)
        .await
        .unwrap_or_else(|error| panic!("deleting {name}: {error}"));
}

pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Renders and waits until `check` holds: storage answers asynchronously, after several renders.
pub async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..1_000 {
        yew::scheduler::flush().await;
        if check() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for {what}");
}

/// Run number `index`: which automation, status, user and texts it has follow from the number, so
/// tests can predict what a filter finds.
pub fn run(index: usize, created_at_ms: i64) -> Execution {
    let status = status_of(index);
    let (automation_id, automation_name) = automation_of(index);
    let answer = match status {
        Status::Succeeded => Some(200),
        Status::Failed => Some(503),
        Status::Pending | Status::Stopped => None,
    };
    Execution {
        id: format!("ex-{index:06}"),
        route: Default::default(),
        automation_id: automation_id.into(),
        automation_name: automation_name.into(),
        action_index: 0,
        webhook_id: "wh-erp".into(),
        webhook_name: Some("ERP".into()),
        event: EventSummary {
            id: format!("ev-{index}"),
            entity: "deal".into(),
            action: EventAction::Updated,
            record_id: Some(json!(index)),
            time: "2025-01-02T03:04:05Z".into(),
        },
        user: User {
            id: 7,
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            is_admin: false,
        },
        created_at_ms,
        status,
        reason: (status == Status::Failed).then(|| {
            "the endpoint failed with 503 (Service Unavailable): the problem is on the endpoint's side".to_owned()
        }),
        trace: vec![ConditionTrace {
            index_path: vec![0],
            field: "deal.value".into(),
            operator: Operator::GreaterThan,
            expected: Some(json!(10000)),
            actual: json!(10000 + index),
            previous: None,
            result: true,
        }],
        request: Some(StoredRequest {
            method: Method::Put,
            url: format!("https://erp.example.com/api/orders/{index}"),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Authorization".into(), "Bearer ••••••".into()),
            ],
            body: format!("{{\"order\": {index}, \"email\": \"Person{index}@Example.com\"}}"),
            body_truncated: false,
            secrets_masked: Some(false),
        }),
        attempts: answer
            .map(|status| Attempt {
                number: 1,
                started_at_ms: created_at_ms + 5,
                duration_ms: 120,
                outcome: Outcome::Status(status),
                response: Some(ResponseSummary {
                    status,
                    headers: vec![("content-type".into(), "application/json".into())],
                    body_excerpt: "{\"ok\": false}".into(),
                    body_truncated: false,
                }),
                retry_in: (status == 503).then_some(Delay {
                    ms: 2_000,
                    reason: DelayReason::Backoff,
                }),
            })
            .into_iter()
            .collect(),
        next_attempt_at_ms: None,
        finished_at_ms: Some(created_at_ms + 125),
        problems: Vec::new(),
        details_withheld: false,
    }
}

/// Mostly succeeded runs, one in eight failed, one in forty pending, one in sixty stopped.
pub fn status_of(index: usize) -> Status {
    if index % 60 == 7 {
        Status::Stopped
    } else if index % 40 == 3 {
        Status::Pending
    } else if index % 8 == 1 {
        Status::Failed
    } else {
        Status::Succeeded
    }
}

/// One run in a hundred belongs to a rare automation.
pub fn automation_of(index: usize) -> (&'static str, &'static str) {
    if index % 100 == 42 {
        ("au-rare", "Lost deals to Slack")
    } else {
        ("au-common", "Won deals to ERP")
    }
}
