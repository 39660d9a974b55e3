//! The dispatcher in a real browser: its IndexedDB outbox, notices from other tabs on the
//! BroadcastChannel, Web Locks, and fetch to the real webhook-receiver (started by scripts/test.sh).
//! Each test uses a database of its own.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::BroadcastChannel;
use webhook_automations::dispatch::{
    outbox_entry, read_outbox_entry, BrowserEnvironment, DispatchProblem, Dispatcher, ListenerGuard,
};
use webhook_automations::storage::{channel_name, delete_database, StorageError, Store};
use webhook_engine::catalog::Catalog;
use webhook_engine::event::Event;
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::runner::{plan, CompiledConfig, Execution, Planned, Status};

use crate::history::{sleep, unique_name};
use crate::receiver_fetch::{clear_script, receiver_url, recorded_requests, script};

/// Every state of every execution the dispatcher announced, in order.
type Announced = Rc<RefCell<Vec<Execution>>>;

fn webhook(id: &str, base_url: String) -> Webhook {
    serde_json::from_value(json!({
        "id": id, "name": "ERP", "base_url": base_url, "auth": {"type": "none"}, "headers": [],
        "timeout_ms": 20_000,
        "retry": {"max_attempts": 3, "initial_backoff_ms": 100, "max_backoff_ms": 5_000},
    }))
    .unwrap()
}

/// One automation on deal updates with `actions` actions to `webhook_id`, each to its own path.
fn automation(webhook_id: &str, actions: usize) -> Automation {
    let actions: Vec<Value> = (1..=actions)
        .map(|n| {
            json!({
                "webhook_id": webhook_id, "method": "POST", "path": format!("/{n}"),
                "body": {"mode": "raw", "template": format!(r#"{{"deal": {{{{deal.id}}}}, "action": {n}}}"#)},
            })
        })
        .collect();
    serde_json::from_value(json!({
        "id": "au_sched", "name": "Deals to the ERP", "enabled": true,
        "trigger": {"entity": "deal", "action": "updated"},
        "actions": actions,
    }))
    .unwrap()
}

fn deal_updated(id: &str) -> Event {
    serde_json::from_value(json!({
        "id": id, "entity": "deal", "action": "updated", "time": "2026-03-01T10:00:00Z",
        "user": {"id": 1, "name": "Ada Admin", "email": "ada@example.com", "is_admin": true},
        "current": {"id": 302, "title": "CNC line", "stage": "negotiations"},
        "previous": {"id": 302, "title": "CNC line", "stage": "proposal_made"},
    }))
    .unwrap()
}

/// A dispatcher over a database of its own, sending to the receiver under `/{prefix}`, with
/// `actions` deliveries per event; it records every execution it announces while the returned
/// guard lives.
async fn dispatcher(
    name: &str,
    prefix: &str,
    actions: usize,
) -> (Rc<Store>, Rc<Dispatcher>, Announced, ListenerGuard) {
    let store = Rc::new(Store::open(name).await.expect("the test database opens"));
    let dispatcher = Dispatcher::new(Some(store.clone()), Catalog::builtin(), 1_000);
    dispatcher.set_config(
        &[webhook("wh_erp", format!("{}/{prefix}", receiver_url()))],
        &[automation("wh_erp", actions)],
    );
    dispatcher.release_outbox();
    let announced = Announced::default();
    let listener = {
        let announced = announced.clone();
        dispatcher.on_execution(move |execution| announced.borrow_mut().push(execution.clone()))
    };
    (store, dispatcher, announced, listener)
}

/// The newest announced state of each execution.
fn latest(announced: &Announced) -> HashMap<String, Execution> {
    announced
        .borrow()
        .iter()
        .map(|execution| (execution.id.clone(), execution.clone()))
        .collect()
}

/// Waits until `check` holds, polling; panics after a minute with `what`.
async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..3_000 {
        if check().await {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for {what}");
}

/// The `webhook-id` of every request the receiver recorded under `/{prefix}/`, in arrival order.
async fn webhook_ids_received(prefix: &str) -> Vec<String> {
    let under = format!("/{prefix}/");
    recorded_requests()
        .await
        .iter()
        .filter(|record| {
            record["path"]
                .as_str()
                .is_some_and(|path| path.starts_with(&under))
        })
        .filter_map(|record| {
            record["headers"]
                .as_array()?
                .iter()
                .find(|pair| pair[0] == "webhook-id")
                .and_then(|pair| pair[1].as_str().map(str::to_owned))
        })
        .collect()
}

/// What another tab's write tells this one: "the outbox changed".
fn outbox_notice_from_another_tab(database: &str) {
    let channel = BroadcastChannel::new(&channel_name(database)).unwrap();
    channel.post_message(&"outbox".into()).unwrap();
    channel.close();
}

#[wasm_bindgen_test]
async fn six_deliveries_to_one_webhook_and_outbox_notices_send_each_webhook_id_once() {
    let name = unique_name("dispatch-six");
    let prefix = format!("six-{}", (js_sys::Math::random() * 1e9) as u64);
    let (store, dispatcher, announced, _listening) = dispatcher(&name, &prefix, 6).await;
    // Four go at once (the per-webhook limit) and two wait. The first two answers take 2 s, so the
    // notices below arrive while all four are in flight; the next two take 6 s, so the waiting two
    // run, and end, while they are. The first of those two gets a 503: it is retried in 1 s.
    clear_script().await;
    script(
        r#"[{"delay_ms": 2000}, {"delay_ms": 2000}, {"delay_ms": 6000}, {"delay_ms": 6000},
            {"status": 503, "retry_after": "1"}]"#,
    )
    .await;

    dispatcher.emit(deal_updated(&format!("evt_{prefix}")));
    wait_for("four requests in flight", async || {
        webhook_ids_received(&prefix).await.len() >= 4
    })
    .await;
    for _ in 0..3 {
        outbox_notice_from_another_tab(&name);
    }
    wait_for("six executions ended", async || {
        let latest = latest(&announced);
        latest.len() == 6
            && latest
                .values()
                .all(|execution| execution.status != Status::Pending)
    })
    .await;

    let latest = latest(&announced);
    let received = webhook_ids_received(&prefix).await;
    for (id, execution) in &latest {
        assert_eq!(
            execution.status,
            Status::Succeeded,
            "{id}: {:?}",
            execution.reason
        );
        assert_eq!(
            received.iter().filter(|sent| *sent == id).count(),
            execution.attempts.len(),
            "{id} was sent once per attempt; received: {received:?}"
        );
        let stored = store.get_execution(id).await.unwrap().expect("recorded");
        assert_eq!(
            &stored, execution,
            "{id}: the history keeps the newest state"
        );
    }
    assert_eq!(
        received.len(),
        7,
        "six deliveries, one of them retried once"
    );
    // No state announced is older than one announced before it.
    let mut attempts_seen: HashMap<String, usize> = HashMap::new();
    for execution in announced.borrow().iter() {
        let seen = attempts_seen.entry(execution.id.clone()).or_default();
        assert!(
            execution.attempts.len() >= *seen,
            "{} went back to an older state",
            execution.id
        );
        *seen = execution.attempts.len();
    }
    assert!(store.outbox().await.unwrap().is_empty());
    drop(store);
    delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn storage_failing_while_dispatching_is_told_and_the_delivery_still_goes_out_once() {
    let name = unique_name("dispatch-closed");
    let prefix = format!("closed-{}", (js_sys::Math::random() * 1e9) as u64);
    let (store, dispatcher, announced, _listening) = dispatcher(&name, &prefix, 1).await;
    let problems: Rc<RefCell<Vec<DispatchProblem>>> = Rc::default();
    let _told = {
        let problems = problems.clone();
        dispatcher.on_problem(move |problem| problems.borrow_mut().push(problem.clone()))
    };
    clear_script().await;
    // Deleting the database, as another tab's upgrade would, closes the dispatcher's connection:
    // from now on every read and write it makes fails.
    drop(store);
    delete_database(&name).await.unwrap();

    dispatcher.emit(deal_updated(&format!("evt_{prefix}")));
    outbox_notice_from_another_tab(&name);
    wait_for("the delivery ended", async || {
        latest(&announced)
            .values()
            .any(|execution| execution.status != Status::Pending)
    })
    .await;
    let told = |problem: &DispatchProblem| problems.borrow().contains(problem);
    wait_for("the failed outbox read told", async || {
        told(&DispatchProblem::OutboxUnreadable {
            error: StorageError::Closed,
        })
    })
    .await;

    let runs = latest(&announced);
    let [execution] = runs.values().collect::<Vec<_>>()[..] else {
        panic!("one execution: {runs:?}");
    };
    assert_eq!(
        execution.status,
        Status::Succeeded,
        "{:?}",
        execution.reason
    );
    assert_eq!(
        webhook_ids_received(&prefix).await,
        [execution.id.as_str()],
        "sent from memory, once"
    );
    let not_claimed = DispatchProblem::NotClaimed {
        error: StorageError::Closed,
    };
    let not_saved = DispatchProblem::AttemptNotSaved {
        webhook: "ERP".into(),
        error: StorageError::Closed,
    };
    assert!(told(&not_claimed), "{:?}", problems.borrow());
    assert!(told(&not_saved), "{:?}", problems.borrow());
    assert_eq!(
        execution.problems,
        [not_claimed.to_string(), not_saved.to_string()],
        "the run itself says what storage could not record"
    );

    // A replay cannot be put in the outbox either: it is sent from memory too, once.
    let first = execution.clone();
    dispatcher.replay(&first, &first.user);
    wait_for("the replay ended", async || {
        latest(&announced)
            .values()
            .any(|run| run.id != first.id && run.status != Status::Pending)
    })
    .await;
    let replayed = latest(&announced)
        .into_values()
        .find(|run| run.id != first.id)
        .expect("the replay was announced");
    let not_queued = DispatchProblem::NotQueued {
        error: StorageError::Closed,
    };
    assert!(told(&not_queued), "{:?}", problems.borrow());
    assert_eq!(replayed.problems[0], not_queued.to_string());
    assert_eq!(
        webhook_ids_received(&prefix).await,
        [first.id.as_str(), replayed.id.as_str()]
    );
}

#[wasm_bindgen_test]
async fn a_delivery_waiting_in_the_outbox_at_start_goes_out_once_the_configuration_is_known() {
    resume_from_outbox("resume", |planned| json!(outbox_entry(planned))).await;
}

/// An outbox entry the version before wrote (the delivery as an object under `planned`, not as
/// text) is still read after an update, and its delivery made.
#[wasm_bindgen_test]
async fn an_outbox_entry_of_the_previous_version_is_still_delivered() {
    resume_from_outbox(
        "resume-previous",
        |planned| json!({"id": planned.execution.id, "planned": planned}),
    )
    .await;
    // Both shapes read alike, and an entry with neither is refused with a reason.
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook("wh_erp", "http://127.0.0.1:9/x".into())],
        &[automation("wh_erp", 1)],
    );
    let planned = plan(
        &config,
        &Catalog::builtin(),
        &deal_updated("evt-shapes"),
        &mut BrowserEnvironment,
    )
    .planned
    .remove(0);
    let previous = json!({"id": planned.execution.id, "planned": planned});
    assert_eq!(read_outbox_entry(&previous).unwrap(), planned);
    assert_eq!(
        read_outbox_entry(&json!(outbox_entry(&planned))).unwrap(),
        planned
    );
    assert!(read_outbox_entry(&json!({"id": "ex-1"})).is_err());
}

/// A delivery found in the outbox (stored as `entry` makes it) by a reloaded page is sent once its
/// configuration is known, to the receiver's `path`.
async fn resume_from_outbox(path: &str, entry: impl Fn(&Planned) -> Value) {
    let name = unique_name("resume-configured");
    let store = Rc::new(Store::open(&name).await.expect("the test database opens"));
    // What a reload finds: a delivery planned by the page before, still in the outbox.
    let webhooks = [webhook("wh_erp", format!("{}/{path}", receiver_url()))];
    let automations = [automation("wh_erp", 1)];
    let config = CompiledConfig::compile(&Catalog::builtin(), &webhooks, &automations);
    let event = deal_updated(&unique_name("evt-resume"));
    let planned = plan(
        &config,
        &Catalog::builtin(),
        &event,
        &mut BrowserEnvironment,
    )
    .planned;
    let executions: Vec<Execution> = planned.iter().map(|p| p.execution.clone()).collect();
    let outbox: Vec<Value> = planned.iter().map(&entry).collect();
    assert!(store
        .claim_event_and_record(&event.id, 0, &executions, &outbox, None::<&()>)
        .await
        .unwrap());
    let id = executions[0].id.clone();

    // The reloaded page's dispatcher gets its lock before the app has read the configuration.
    let dispatcher = Dispatcher::new(Some(store.clone()), Catalog::builtin(), 1_000);
    crate::history::until("the dispatcher lock", || dispatcher.dispatches()).await;
    dispatcher.set_config(&webhooks, &automations);
    dispatcher.release_outbox();

    wait_for("the resumed delivery to end", async || {
        store
            .get_execution(&id)
            .await
            .unwrap()
            .is_some_and(|execution| execution.status != Status::Pending)
    })
    .await;
    let execution = store.get_execution(&id).await.unwrap().unwrap();
    assert_eq!(
        execution.status,
        Status::Succeeded,
        "not attempted against an empty configuration: {:?}",
        execution.reason
    );
    assert_eq!(webhook_ids_received(path).await, [id]);
    drop(dispatcher);
    drop(store);
    delete_database(&name).await.unwrap();
}

/// Another tab's upgrade or delete closes this page's storage: the outbox is out of its reach, so
/// it gives the dispatcher lock up for a tab that can still read it (it kept the lock for the
/// page's lifetime, and every other tab's deliveries waited for it).
#[wasm_bindgen_test]
async fn a_page_whose_storage_was_closed_gives_the_dispatcher_lock_up() {
    let name = unique_name("lock-closed");
    let store = Rc::new(Store::open(&name).await.unwrap());
    let dispatcher = Dispatcher::new(Some(store.clone()), Catalog::builtin(), 1_000);
    crate::history::until("the dispatcher lock", || dispatcher.dispatches()).await;

    delete_database(&name).await.unwrap();
    assert!(store.is_closed());
    assert!(
        !dispatcher.dispatches(),
        "a page without its outbox does not dispatch"
    );
    let lock_name = format!("webhook-automations:dispatcher:{name}");
    let available = try_lock(&lock_name).await;
    assert!(
        available,
        "the lock {lock_name} is still held by the closed page"
    );
}

/// A dispatching tab whose first attempt got a 503 holds the retry, due in 30 s; its delivery is
/// also in the outbox. `closing` then closes its storage, as another tab would. `locks`: whether
/// the page has Web Locks (a page served over plain http has none, and every tab dispatches).
async fn held_retry_when_storage_closes(
    locks: bool,
    closing: impl AsyncFnOnce(&str),
) -> (Rc<Dispatcher>, String) {
    let name = unique_name("closed-retry");
    let prefix = format!("closed-retry-{}", (js_sys::Math::random() * 1e9) as u64);
    let navigator = web_sys::window().unwrap().navigator();
    if !locks {
        let hidden = js_sys::Object::new();
        js_sys::Reflect::set(&hidden, &"value".into(), &wasm_bindgen::JsValue::UNDEFINED).unwrap();
        js_sys::Reflect::set(&hidden, &"configurable".into(), &true.into()).unwrap();
        js_sys::Object::define_property(&navigator, &"locks".into(), &hidden);
    }
    let (store, dispatcher, announced, _listening) = dispatcher(&name, &prefix, 1).await;
    if !locks {
        js_sys::Reflect::delete_property(&navigator, &"locks".into()).unwrap();
    }
    crate::history::until("the dispatcher lock", || dispatcher.dispatches()).await;
    script(r#"[{"status": 503, "retry_after": "30"}]"#).await;
    dispatcher.emit(deal_updated(&format!("evt_{prefix}")));
    wait_for("the first attempt asked for a retry", async || {
        latest(&announced)
            .values()
            .any(|run| run.status == Status::Pending && run.attempts.len() == 1)
    })
    .await;
    let id = latest(&announced).into_keys().next().unwrap();
    assert!(dispatcher.holds(&id), "the retry waits in this tab");
    closing(&name).await;
    assert!(store.is_closed());
    clear_script().await;
    (dispatcher, id)
}

/// After another tab's upgrade, a tab of the newer version resumes the outbox with this retry in
/// it: this tab must leave it to that tab (before, it sent the retry too, from memory).
#[wasm_bindgen_test]
async fn after_another_tabs_upgrade_the_retries_in_the_outbox_are_left_to_it() {
    retries_are_left_to_the_newer_tab(true).await;
}

/// The same on a page without Web Locks (the release was only wired where a lock was taken).
#[wasm_bindgen_test]
async fn without_web_locks_too_the_retries_in_the_outbox_are_left_to_the_newer_tab() {
    retries_are_left_to_the_newer_tab(false).await;
}

async fn retries_are_left_to_the_newer_tab(locks: bool) {
    let mut upgraded = None;
    let (dispatcher, id) = held_retry_when_storage_closes(locks, async |name: &str| {
        let newer = webhook_automations::storage::SCHEMA_VERSION + 1;
        upgraded = Some((
            name.to_owned(),
            crate::storage::raw_open(name, Some(newer), |_, _| {}).await,
        ));
    })
    .await;
    assert!(!dispatcher.holds(&id), "{id} is the newer tab's to send");
    assert!(!dispatcher.dispatches(), "this tab no longer dispatches");
    let (name, db) = upgraded.unwrap();
    db.close();
    delete_database(&name).await.unwrap();
}

/// After another tab deleted the database, the outbox is gone: nobody else can send the retry, so
/// this tab still does (control for the upgrade above).
#[wasm_bindgen_test]
async fn after_another_tab_deleted_the_database_its_retries_are_still_sent_from_here() {
    let (dispatcher, id) = held_retry_when_storage_closes(true, async |name: &str| {
        delete_database(name).await.unwrap();
    })
    .await;
    assert!(dispatcher.holds(&id), "only this tab can still send {id}");
}

/// Whether the Web Lock `name` can be taken at once (and releases it again).
async fn try_lock(name: &str) -> bool {
    let locks =
        js_sys::Reflect::get(&web_sys::window().unwrap().navigator(), &"locks".into()).unwrap();
    let request: js_sys::Function = js_sys::Reflect::get(&locks, &"request".into())
        .unwrap()
        .unchecked_into();
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"ifAvailable".into(), &true.into()).unwrap();
    let callback = wasm_bindgen::closure::Closure::once_into_js(|lock: wasm_bindgen::JsValue| {
        wasm_bindgen::JsValue::from_bool(!lock.is_null())
    });
    let granted = request
        .call3(&locks, &name.into(), &options, &callback)
        .unwrap();
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(granted))
        .await
        .unwrap()
        .as_bool()
        .unwrap_or(false)
}
