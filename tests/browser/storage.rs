//! The IndexedDB storage against the browser's real IndexedDB and BroadcastChannel. Every test uses a
//! database of its own and deletes it at the end.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Function, Promise};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{
    DomException, IdbDatabase, IdbObjectStoreParameters, IdbOpenDbRequest, IdbTransaction,
};

use webhook_automations::storage::{
    channel_name, delete_database, ChangeNotice, EventClaim, LocalConfig, StorageError, Store,
    SCHEMA_VERSION,
};
use webhook_engine::conditions::ConditionTrace;
use webhook_engine::event::User;
use webhook_engine::model::{
    Auth, Automation, Body, Condition, ConditionGroup, ConditionItem, EventAction, HeaderPair,
    Match, Method, Operator, RetryPolicy, Route, Secret, Trigger, Webhook, WebhookAction,
};
use webhook_engine::retry::{Delay, DelayReason, Outcome};
use webhook_engine::runner::{
    Attempt, EventSummary, Execution, ResponseSummary, Status, StoredRequest,
};
use webhook_engine::template::Row;

// ---------------------------------------------------------------------------------------------
// Fixtures

fn unique_name(test: &str) -> String {
    format!(
        "storage-test-{test}-{}-{}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 1e9) as u64
    )
}

fn webhook(id: &str, name: &str) -> Webhook {
    Webhook {
        id: id.into(),
        name: name.into(),
        base_url: "https://erp.example.com/api".into(),
        route: Default::default(),
        auth: Auth::Bearer {
            token: Secret::new(format!("token-of-{id}")),
        },
        headers: vec![HeaderPair {
            name: "X-Source".into(),
            value: "crm".into(),
            secret: false,
        }],
        signing_secret: Some(Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")),
        timeout_ms: 5_000,
        retry: RetryPolicy {
            max_attempts: 3,
            initial_backoff_ms: 500,
            max_backoff_ms: 30_000,
        },
    }
}

fn basic_webhook(id: &str, name: &str) -> Webhook {
    Webhook {
        auth: Auth::Basic {
            username: "erp-user".into(),
            password: Secret::new("p@ss \"word\" ünïcode"),
        },
        signing_secret: None,
        ..webhook(id, name)
    }
}

fn automation(id: &str, name: &str, webhook_id: &str) -> Automation {
    Automation {
        id: id.into(),
        name: name.into(),
        enabled: true,
        trigger: Trigger {
            entity: "deal".into(),
            action: EventAction::Updated,
        },
        conditions: ConditionGroup {
            match_: Match::All,
            items: vec![
                ConditionItem::Condition(Condition {
                    field: "deal.stage".into(),
                    operator: Operator::HasChangedTo,
                    value: Some(json!("won")),
                }),
                ConditionItem::Group(ConditionGroup {
                    match_: Match::Any,
                    items: vec![
                        ConditionItem::Condition(Condition {
                            field: "deal.value".into(),
                            operator: Operator::GreaterThan,
                            value: Some(json!(10000)),
                        }),
                        ConditionItem::Condition(Condition {
                            field: "deal.title".into(),
                            operator: Operator::IsEmpty,
                            value: None,
                        }),
                    ],
                }),
            ],
        },
        actions: vec![
            WebhookAction {
                webhook_id: webhook_id.into(),
                method: Method::Put,
                path: "/orders/{{deal.id}}".into(),
                body: Body::Raw {
                    template: "{\"amount\": {{deal.value}}, \"title\": \"Deal {{deal.title}}\"}"
                        .into(),
                },
            },
            WebhookAction {
                webhook_id: webhook_id.into(),
                method: Method::Post,
                path: String::new(),
                body: Body::KeyValue {
                    rows: vec![Row::new("id", "{{deal.id}}"), Row::new("note", "won!")],
                },
            },
        ],
    }
}

fn execution(id: &str, automation_id: &str, created_at_ms: i64, status: Status) -> Execution {
    Execution {
        id: id.into(),
        route: Default::default(),
        automation_id: automation_id.into(),
        automation_name: "Won deals to ERP".into(),
        action_index: 0,
        webhook_id: "wh-erp".into(),
        webhook_name: Some("ERP".into()),
        event: EventSummary {
            id: format!("event-{id}"),
            entity: "deal".into(),
            action: EventAction::Updated,
            record_id: Some(json!(42)),
            time: "2025-01-02T03:04:05Z".into(),
        },
        user: User {
            id: 7,
            name: "Ada".into(),
            email: "ada@example.com".into(),
            is_admin: false,
        },
        created_at_ms,
        status,
        reason: (status == Status::Failed).then(|| "The endpoint answered 503".to_string()),
        trace: vec![ConditionTrace {
            index_path: vec![0],
            field: "deal.value".into(),
            operator: Operator::GreaterThan,
            expected: Some(json!(10000)),
            actual: json!(12000),
            previous: None,
            result: true,
        }],
        request: Some(StoredRequest {
            method: Method::Put,
            url: "https://erp.example.com/api/orders/42".into(),
            headers: vec![("authorization".into(), "Bearer ••••••".into())],
            body: "{\"amount\": 12000}".into(),
            body_truncated: false,
            secrets_masked: Some(false),
        }),
        attempts: vec![Attempt {
            number: 1,
            started_at_ms: created_at_ms + 5,
            duration_ms: 120,
            outcome: Outcome::Status(503),
            response: Some(ResponseSummary {
                status: 503,
                headers: vec![("retry-after".into(), "2".into())],
                body_excerpt: "busy".into(),
                body_truncated: false,
            }),
            retry_in: Some(Delay {
                ms: 2_000,
                reason: DelayReason::RetryAfterCapped {
                    requested_ms: 9_000,
                },
            }),
        }],
        next_attempt_at_ms: Some(created_at_ms + 2_000),
        finished_at_ms: None,
        problems: Vec::new(),
        details_withheld: false,
    }
}

/// A realistic timestamp (2025), far above 2^32, so the i64 → JS number path is exercised.
const T0: i64 = 1_735_787_045_000;

async fn open(name: &str) -> Store {
    Store::open(name)
        .await
        .unwrap_or_else(|error| panic!("opening {name}: {error}"))
}

async fn cleanup(name: &str) {
    delete_database(name)
        .await
        .unwrap_or_else(|error| panic!("deleting {name}: {error}"));
}

// ---------------------------------------------------------------------------------------------
// Raw IndexedDB, as an older build (or another tab) would use it

fn factory() -> web_sys::IdbFactory {
    web_sys::window().unwrap().indexed_db().unwrap().unwrap()
}

/// Waits for an open request; `upgrade` runs in `upgradeneeded` with the upgrade transaction.
pub(crate) async fn raw_open(
    name: &str,
    version: Option<u32>,
    upgrade: impl FnOnce(&IdbDatabase, &IdbTransaction) + 'static,
) -> IdbDatabase {
    let request: IdbOpenDbRequest = match version {
        Some(version) => factory().open_with_u32(name, version).unwrap(),
        None => factory().open(name).unwrap(),
    };
    let on_upgrade = Closure::once_into_js({
        let request = request.clone();
        move |_event: web_sys::Event| {
            let db: IdbDatabase = request.result().unwrap().unchecked_into();
            let tx = request.transaction().unwrap();
            upgrade(&db, &tx);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let (promise, resolve, reject) = deferred();
    request.set_onsuccess(Some(&resolve));
    request.set_onerror(Some(&reject));
    request.set_onblocked(Some(&reject));
    JsFuture::from(promise)
        .await
        .unwrap_or_else(|error| panic!("raw open of {name} failed: {error:?}"));
    request.result().unwrap().unchecked_into()
}

fn create_store(db: &IdbDatabase, name: &str, key_path: &str) -> web_sys::IdbObjectStore {
    let params = IdbObjectStoreParameters::new();
    params.set_key_path(&JsValue::from_str(key_path));
    db.create_object_store_with_optional_parameters(name, &params)
        .unwrap()
}

/// A record shaped as JSON describes it: what any build stores for a serde type.
fn js_record<T: Serialize>(value: &T) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).unwrap()).unwrap()
}

fn deferred() -> (Promise, Function, Function) {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (resolve, reject) = settle.unwrap();
    (promise, resolve, reject)
}

fn names(list: web_sys::DomStringList) -> Vec<String> {
    let mut out: Vec<String> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    out.sort();
    out
}

/// Collects notices and lets a test await the next one (no sleeping).
#[derive(Clone, Default)]
struct Notices {
    queue: Rc<RefCell<VecDeque<ChangeNotice>>>,
    waiting: Rc<RefCell<Option<Function>>>,
}

impl Notices {
    fn push(&self, notice: ChangeNotice) {
        self.queue.borrow_mut().push_back(notice);
        if let Some(resolve) = self.waiting.borrow_mut().take() {
            resolve.call0(&JsValue::UNDEFINED).unwrap();
        }
    }

    async fn next(&self) -> ChangeNotice {
        loop {
            if let Some(notice) = self.queue.borrow_mut().pop_front() {
                return notice;
            }
            let (promise, resolve, _) = deferred();
            *self.waiting.borrow_mut() = Some(resolve);
            JsFuture::from(promise).await.unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[wasm_bindgen_test]
async fn webhooks_round_trip_with_their_secrets_and_load_sorted_by_name() {
    let name = unique_name("webhooks");
    let store = open(&name).await;
    assert_eq!(store.load_config().await.unwrap(), LocalConfig::default());

    let erp = webhook("wh-1", "ERP");
    let billing = basic_webhook("wh-2", "billing");
    let archive = webhook("wh-3", "Archive");
    for hook in [&erp, &billing, &archive] {
        store.put_webhook(hook).await.unwrap();
    }
    let loaded = store.load_config().await.unwrap();
    assert_eq!(
        loaded.webhooks,
        vec![archive.clone(), billing.clone(), erp.clone()]
    );
    // Secrets are kept locally, byte for byte.
    assert_eq!(loaded.webhooks[1].auth, billing.auth);
    assert_eq!(
        loaded.webhooks[2].signing_secret.as_ref().unwrap().expose(),
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    );

    let renamed = Webhook {
        name: "Zulu ERP".into(),
        auth: Auth::None,
        ..erp.clone()
    };
    store.put_webhook(&renamed).await.unwrap();
    store.delete_webhook("wh-3").await.unwrap();
    store.delete_webhook("no-such-webhook").await.unwrap();
    assert_eq!(
        store.load_config().await.unwrap().webhooks,
        vec![billing, renamed]
    );

    store.close();
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn automations_round_trip() {
    let name = unique_name("automations");
    let store = open(&name).await;
    let won = automation("au-1", "Won deals to ERP", "wh-1");
    let mut lost = automation("au-2", "lost deals", "wh-1");
    lost.enabled = false;
    lost.conditions = ConditionGroup::default();
    store.put_automation(&won).await.unwrap();
    store.put_automation(&lost).await.unwrap();
    assert_eq!(
        store.load_config().await.unwrap().automations,
        vec![lost.clone(), won.clone()]
    );

    store.delete_automation("au-2").await.unwrap();
    assert_eq!(store.load_config().await.unwrap().automations, vec![won]);

    store.close();
    cleanup(&name).await;
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Retention {
    days: u32,
    prune_on_start: bool,
}

#[wasm_bindgen_test]
async fn settings_round_trip() {
    let name = unique_name("settings");
    let store = open(&name).await;
    assert_eq!(
        store.get_setting::<u32>("history_days").await.unwrap(),
        None
    );

    store.put_setting("history_days", &15u32).await.unwrap();
    store
        .put_setting(
            "retention",
            &Retention {
                days: 30,
                prune_on_start: true,
            },
        )
        .await
        .unwrap();
    store.put_setting("theme", &"dark").await.unwrap();
    store.put_setting("history_days", &30u32).await.unwrap();

    assert_eq!(
        store.get_setting::<u32>("history_days").await.unwrap(),
        Some(30)
    );
    assert_eq!(
        store.get_setting::<Retention>("retention").await.unwrap(),
        Some(Retention {
            days: 30,
            prune_on_start: true
        })
    );
    assert_eq!(
        store
            .get_setting::<String>("theme")
            .await
            .unwrap()
            .as_deref(),
        Some("dark")
    );
    // A setting read as the wrong type names itself.
    match store.get_setting::<u32>("theme").await {
        Err(StorageError::Corrupt(text)) => {
            assert!(
                text.contains("\"theme\"") && text.contains("settings"),
                "{text}"
            );
            assert!(
                !text.contains("dark"),
                "stored values stay out of messages: {text}"
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }

    store.close();
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn replace_config_is_all_or_nothing() {
    let name = unique_name("replace");
    let store = open(&name).await;
    let old_hook = webhook("wh-old", "Old ERP");
    let old_automation = automation("au-old", "Old automation", "wh-old");
    store.put_webhook(&old_hook).await.unwrap();
    store.put_automation(&old_automation).await.unwrap();
    let before = store.load_config().await.unwrap();

    // The webhooks are fine; the second automation repeats an id, which fails midway (after the
    // stores were cleared and the webhooks added).
    let new_hooks = vec![webhook("wh-a", "A"), webhook("wh-b", "B")];
    let broken = vec![
        automation("au-1", "one", "wh-a"),
        automation("au-1", "one again", "wh-b"),
    ];
    let error = store.replace_config(&new_hooks, &broken).await.unwrap_err();
    assert!(
        matches!(&error, StorageError::Other(text) if text.contains("same id")),
        "{error:?}"
    );
    assert_eq!(
        store.load_config().await.unwrap(),
        before,
        "the old configuration is intact"
    );

    let new_automations = vec![
        automation("au-1", "one", "wh-a"),
        automation("au-2", "two", "wh-b"),
    ];
    let revision = store
        .replace_config(&new_hooks, &new_automations)
        .await
        .unwrap();
    assert!(
        revision > before.revision,
        "a change gives a later revision"
    );
    assert_eq!(
        store.load_config().await.unwrap(),
        LocalConfig {
            webhooks: new_hooks,
            automations: new_automations,
            revision,
        }
    );

    let emptied = store.replace_config(&[], &[]).await.unwrap();
    assert!(emptied > revision);
    assert_eq!(
        store.load_config().await.unwrap(),
        LocalConfig {
            revision: emptied,
            ..LocalConfig::default()
        }
    );

    store.close();
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn configuration_persists_across_close_and_reopen() {
    let name = unique_name("persist");
    let store = open(&name).await;
    store.put_webhook(&webhook("wh-1", "ERP")).await.unwrap();
    store
        .put_automation(&automation("au-1", "Won", "wh-1"))
        .await
        .unwrap();
    store.put_setting("history_days", &15u32).await.unwrap();
    let saved = store.load_config().await.unwrap();
    store.close();

    let reopened = open(&name).await;
    assert_eq!(reopened.load_config().await.unwrap(), saved);
    assert_eq!(
        reopened.get_setting::<u32>("history_days").await.unwrap(),
        Some(15)
    );
    reopened.close();
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn a_record_that_no_longer_reads_is_named_in_the_error() {
    let name = unique_name("corrupt");
    open(&name).await.close();
    // Another build wrote a webhook whose name is a number.
    let db = raw_open(&name, None, |_, _| {}).await;
    let tx = db
        .transaction_with_str_and_mode("webhooks", web_sys::IdbTransactionMode::Readwrite)
        .unwrap();
    let bad = js_record(&json!({"id": "wh-bad", "name": 5, "base_url": "https://x.example"}));
    tx.object_store("webhooks").unwrap().put(&bad).unwrap();
    let (promise, resolve, reject) = deferred();
    tx.set_oncomplete(Some(&resolve));
    tx.set_onabort(Some(&reject));
    JsFuture::from(promise).await.unwrap();
    db.close();

    let store = open(&name).await;
    match store.load_config().await {
        Err(StorageError::Corrupt(text)) => {
            assert!(
                text.contains("wh-bad") && text.contains("webhooks"),
                "{text}"
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    store.close();
    cleanup(&name).await;
}

// ---------------------------------------------------------------------------------------------
// Versions and migrations

#[wasm_bindgen_test]
async fn a_version_1_database_is_migrated_with_its_data() {
    let name = unique_name("v1");
    let hook = basic_webhook("wh-1", "ERP");
    let old_automation = automation("au-1", "Won deals", "wh-1");
    // What the previous build created: version 1, three stores, records as plain objects.
    let db = raw_open(&name, Some(1), {
        let hook = hook.clone();
        let old_automation = old_automation.clone();
        move |db, _tx| {
            create_store(db, "webhooks", "id")
                .put(&js_record(&hook))
                .unwrap();
            create_store(db, "automations", "id")
                .put(&js_record(&old_automation))
                .unwrap();
            create_store(db, "settings", "key")
                .put(&js_record(&json!({"key": "history_days", "value": 20})))
                .unwrap();
        }
    })
    .await;
    assert_eq!(db.version() as u32, 1);
    db.close();

    let store = open(&name).await;
    assert_eq!(
        store.store_names(),
        [
            "automations",
            "events",
            "executions",
            "handovers",
            "outbox",
            "sandbox",
            "settings",
            "webhooks"
        ]
    );
    let config = store.load_config().await.unwrap();
    assert_eq!(config.webhooks, vec![hook]);
    assert_eq!(config.automations, vec![old_automation]);
    assert_eq!(
        store.get_setting::<u32>("history_days").await.unwrap(),
        Some(20)
    );

    // The new stores and indexes work.
    store
        .put_executions(&[
            execution("ex-1", "au-1", T0, Status::Succeeded),
            execution("ex-2", "au-1", T0 + 1, Status::Failed),
        ])
        .await
        .unwrap();
    let recent: Vec<String> = store
        .recent_executions(10)
        .await
        .unwrap()
        .into_iter()
        .map(|execution| execution.id)
        .collect();
    assert_eq!(recent, ["ex-2", "ex-1"]);
    store
        .put_outbox(&json!({"id": "ex-2", "attempt": 1}))
        .await
        .unwrap();
    assert_eq!(store.outbox().await.unwrap().len(), 1);
    store.close();

    // The schema as a later reader sees it.
    let db = raw_open(&name, None, |_, _| {}).await;
    assert_eq!(db.version() as u32, SCHEMA_VERSION);
    let tx = db.transaction_with_str("executions").unwrap();
    let executions = tx.object_store("executions").unwrap();
    assert_eq!(executions.key_path().unwrap(), JsValue::from_str("id"));
    assert_eq!(
        names(executions.index_names()),
        ["automation_id", "created_at_ms", "status"]
    );
    for index in ["automation_id", "created_at_ms", "status"] {
        assert_eq!(
            executions.index(index).unwrap().key_path().unwrap(),
            JsValue::from_str(index)
        );
    }
    db.close();
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn a_database_of_a_newer_version_is_too_new() {
    let name = unique_name("too-new");
    let db = raw_open(&name, Some(SCHEMA_VERSION + 1), |db, _| {
        create_store(db, "webhooks", "id");
    })
    .await;
    db.close();

    let error = Store::open(&name).await.unwrap_err();
    assert_eq!(
        error,
        StorageError::TooNew {
            found: SCHEMA_VERSION + 1
        }
    );
    assert!(error.to_string().contains("newer version"), "{error}");
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn an_upgrade_held_back_by_an_old_tab_is_reported_not_waited_on() {
    let name = unique_name("blocked");
    // An old build's tab: version 1, and no versionchange handler, so it never lets go.
    let old_tab = raw_open(&name, Some(1), |db, _| {
        create_store(db, "webhooks", "id");
        create_store(db, "automations", "id");
        create_store(db, "settings", "key");
    })
    .await;

    let error = Store::open(&name).await.unwrap_err();
    assert_eq!(error, StorageError::Blocked);
    assert!(error.to_string().starts_with("Close other tabs"), "{error}");

    // Once the old tab is closed, the upgrade goes through and the app opens normally.
    old_tab.close();
    let store = open(&name).await;
    assert_eq!(store.load_config().await.unwrap(), LocalConfig::default());
    store.close();
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn another_tabs_upgrade_closes_this_connection() {
    let name = unique_name("versionchange");
    let store = open(&name).await;
    store.put_webhook(&webhook("wh-1", "ERP")).await.unwrap();

    // A newer build in another tab upgrades: this connection steps aside instead of blocking it.
    let newer = raw_open(&name, Some(SCHEMA_VERSION + 1), |_, _| {}).await;
    assert!(store.is_closed());
    assert_eq!(
        store
            .put_webhook(&webhook("wh-2", "CRM"))
            .await
            .unwrap_err(),
        StorageError::Closed
    );
    assert!(StorageError::Closed.needs_reload());
    newer.close();
    store.close();
    cleanup(&name).await;
}

// ---------------------------------------------------------------------------------------------
// History and outbox

#[wasm_bindgen_test]
async fn executions_come_newest_first_and_are_pruned_by_age() {
    let name = unique_name("executions");
    let store = open(&name).await;
    assert!(store.recent_executions(10).await.unwrap().is_empty());

    // Written out of order, in two batches; one is updated in place later.
    let day = 86_400_000;
    store
        .put_executions(&[
            execution("ex-b", "au-1", T0 + 2 * day, Status::Pending),
            execution("ex-a", "au-1", T0, Status::Succeeded),
        ])
        .await
        .unwrap();
    store
        .put_executions(&[
            execution("ex-d", "au-2", T0 + 20 * day, Status::Stopped),
            execution("ex-c", "au-2", T0 + 10 * day, Status::Failed),
        ])
        .await
        .unwrap();
    let mut finished = execution("ex-b", "au-1", T0 + 2 * day, Status::Succeeded);
    finished.finished_at_ms = Some(T0 + 2 * day + 300);
    store.put_executions(&[finished.clone()]).await.unwrap();
    store.put_executions(&[]).await.unwrap();

    let ids = |list: Vec<Execution>| list.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.recent_executions(10).await.unwrap()),
        ["ex-d", "ex-c", "ex-b", "ex-a"]
    );
    assert_eq!(
        ids(store.recent_executions(2).await.unwrap()),
        ["ex-d", "ex-c"]
    );
    assert!(store.recent_executions(0).await.unwrap().is_empty());
    assert_eq!(store.get_execution("ex-b").await.unwrap(), Some(finished));
    assert_eq!(
        store.get_execution("ex-c").await.unwrap(),
        Some(execution("ex-c", "au-2", T0 + 10 * day, Status::Failed))
    );
    assert_eq!(store.get_execution("ex-zzz").await.unwrap(), None);

    // Retention: everything created strictly before the cut goes.
    assert_eq!(
        store.prune_executions_before(T0 + 10 * day).await.unwrap(),
        2
    );
    assert_eq!(
        ids(store.recent_executions(10).await.unwrap()),
        ["ex-d", "ex-c"]
    );
    assert_eq!(store.prune_executions_before(T0).await.unwrap(), 0);
    assert_eq!(store.get_execution("ex-a").await.unwrap(), None);

    store.close();
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn outbox_entries_are_put_listed_and_deleted() {
    let name = unique_name("outbox");
    let store = open(&name).await;
    assert!(store.outbox().await.unwrap().is_empty());

    let first =
        json!({"id": "ex-1", "execution_id": "ex-1", "sent": false, "body": {"amount": 12000}});
    let second = json!({"id": "ex-2", "execution_id": "ex-2", "sent": true, "body": null});
    store.put_outbox(&second).await.unwrap();
    store.put_outbox(&first).await.unwrap();
    assert_eq!(
        store.outbox().await.unwrap(),
        vec![first.clone(), second.clone()]
    );

    // After an attempt: a pending delivery's entry is replaced, an ended one's removed, each in
    // the transaction that stores the execution.
    let resent =
        json!({"id": "ex-1", "execution_id": "ex-1", "sent": true, "body": {"amount": 12000}});
    let retrying = execution("ex-1", "au-1", T0, Status::Pending);
    store
        .record_attempt(&retrying, Some(&resent))
        .await
        .unwrap();
    let ended = execution("ex-2", "au-1", T0 + 1, Status::Succeeded);
    store.record_attempt(&ended, None::<&Value>).await.unwrap();
    assert_eq!(store.outbox().await.unwrap(), vec![resent]);
    let stored: Vec<(String, Status)> = store
        .recent_executions(10)
        .await
        .unwrap()
        .into_iter()
        .map(|execution| (execution.id, execution.status))
        .collect();
    assert_eq!(
        stored,
        [
            ("ex-2".to_string(), Status::Succeeded),
            ("ex-1".to_string(), Status::Pending)
        ]
    );

    let error = store
        .put_outbox(&json!({"execution_id": "ex-3"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StorageError::Other(text) if text.contains("\"id\"")),
        "{error:?}"
    );

    store.close();
    cleanup(&name).await;
}

/// Noting where a relay event stands (or failing its refused runs) changes only runs that are still
/// placeholders, read and written in one transaction: the relay's own record, merged by the history
/// meanwhile, is never written over with "waiting for the relay" (a read, then a separate write, did).
#[wasm_bindgen_test]
async fn only_relay_placeholders_still_waiting_are_noted() {
    let name = unique_name("placeholders");
    let store = open(&name).await;
    let mut placeholder = execution("ex-waiting", "au-1", T0, Status::Pending);
    placeholder.route = Route::Relay;
    placeholder.attempts.clear();
    let mut relay_record = execution("ex-merged", "au-1", T0, Status::Succeeded);
    relay_record.route = Route::Relay;
    store
        .put_executions(&[placeholder.clone(), relay_record.clone()])
        .await
        .unwrap();

    let ids = [
        "ex-waiting".to_owned(),
        "ex-merged".to_owned(),
        "ex-unknown".to_owned(),
    ];
    let noted = store
        .update_relay_placeholders(&ids, |execution| {
            execution.reason = Some("handed over to the relay, which sends it".into());
            true
        })
        .await
        .unwrap();
    assert_eq!(noted.len(), 1);
    assert_eq!(noted[0].id, "ex-waiting");
    let stored = store.get_execution("ex-merged").await.unwrap().unwrap();
    assert_eq!(stored, relay_record, "the relay's record is left as it is");
    let waiting = store.get_execution("ex-waiting").await.unwrap().unwrap();
    assert_eq!(
        waiting.reason.as_deref(),
        Some("handed over to the relay, which sends it")
    );

    store.close();
    cleanup(&name).await;
}

/// Claims written together (a burst of events, one transaction): each says whether it was claimed
/// here; one claimed before, or earlier in the same batch, stores nothing of what it started.
#[wasm_bindgen_test]
async fn claims_written_together_are_each_decided_as_if_alone() {
    let name = unique_name("claims");
    let store = open(&name).await;
    let none: &[Value] = &[];
    assert!(store
        .claim_event_and_record("evt-old", T0, &[], none, None::<&()>)
        .await
        .unwrap());
    let claim = |event: &str, run: &str| {
        let runs = [execution(run, "au-1", T0, Status::Pending)];
        EventClaim::new(event, T0 + 1, &runs, &[json!({"id": run})], None::<&()>).unwrap()
    };
    let claimed = store
        .claim_events(&[
            claim("evt-new", "ex-new"),
            claim("evt-old", "ex-old-again"),
            claim("evt-new", "ex-new-again"),
            claim("evt-other", "ex-other"),
        ])
        .await
        .unwrap();
    assert_eq!(claimed, [true, false, false, true]);
    let mut stored: Vec<String> = store
        .recent_executions(10)
        .await
        .unwrap()
        .into_iter()
        .map(|execution| execution.id)
        .collect();
    stored.sort();
    assert_eq!(stored, ["ex-new", "ex-other"]);
    let mut outbox = store.outbox().await.unwrap();
    outbox.sort_by_key(|entry| entry["id"].as_str().unwrap_or_default().to_owned());
    assert_eq!(outbox, [json!({"id": "ex-new"}), json!({"id": "ex-other"})]);

    store.close();
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn an_event_is_claimed_once_across_connections_with_what_it_started_until_retention_forgets_it(
) {
    let name = unique_name("events");
    let tab_a = open(&name).await;
    let tab_b = open(&name).await;
    let runs_a = [execution("ex-a", "au-1", T0, Status::Pending)];
    let runs_b = [execution("ex-b", "au-1", T0, Status::Pending)];
    let outbox_a = [json!({"id": "ex-a"})];
    let outbox_b = [json!({"id": "ex-b"})];

    // Both tabs claim at once: IndexedDB runs the two transactions one after the other, and only
    // the winner's runs are stored.
    let (a, b) = futures::join!(
        tab_a.claim_event_and_record("evt-1", T0, &runs_a, &outbox_a, None::<&()>),
        tab_b.claim_event_and_record("evt-1", T0 + 1, &runs_b, &outbox_b, None::<&()>),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a != b, "exactly one tab wins: {a} {b}");
    let winner = if a { "ex-a" } else { "ex-b" };
    let stored: Vec<String> = tab_a
        .recent_executions(10)
        .await
        .unwrap()
        .into_iter()
        .map(|execution| execution.id)
        .collect();
    assert_eq!(stored, [winner]);
    assert_eq!(tab_b.outbox().await.unwrap(), vec![json!({"id": winner})]);

    let none: &[Value] = &[];
    assert!(!tab_a
        .claim_event_and_record("evt-1", T0 + 2, &[], none, None::<&()>)
        .await
        .unwrap());
    assert!(tab_b
        .claim_event_and_record("evt-2", T0 + 10, &[], none, None::<&()>)
        .await
        .unwrap());
    assert_eq!(tab_a.forget_events_before(T0 + 10).await.unwrap(), 1);
    assert!(
        tab_b
            .claim_event_and_record("evt-1", T0 + 20, &[], none, None::<&()>)
            .await
            .unwrap(),
        "forgotten, so it runs again"
    );
    assert!(
        !tab_a
            .claim_event_and_record("evt-2", T0 + 20, &[], none, None::<&()>)
            .await
            .unwrap(),
        "still within retention"
    );

    tab_a.close();
    tab_b.close();
    cleanup(&name).await;
}

// ---------------------------------------------------------------------------------------------
// Other tabs

#[wasm_bindgen_test]
async fn a_write_in_one_tab_is_announced_to_the_other() {
    let name = unique_name("channel");
    assert_eq!(channel_name(&name), format!("webhook-automations:{name}"));
    // Two Store objects on one database stand in for two tabs.
    let tab_a = open(&name).await;
    let tab_b = open(&name).await;

    let heard = Notices::default();
    let subscription = tab_b.on_change({
        let heard = heard.clone();
        move |notice| heard.push(notice)
    });
    assert!(subscription.is_active());

    tab_a.put_webhook(&webhook("wh-1", "ERP")).await.unwrap();
    assert_eq!(heard.next().await, ChangeNotice::Config);
    // Tab B reads what tab A wrote.
    assert_eq!(tab_b.load_config().await.unwrap().webhooks.len(), 1);

    tab_a.put_setting("history_days", &15u32).await.unwrap();
    assert_eq!(heard.next().await, ChangeNotice::Settings);
    tab_a
        .put_executions(&[execution("ex-1", "au-1", T0, Status::Pending)])
        .await
        .unwrap();
    assert_eq!(heard.next().await, ChangeNotice::Executions);
    tab_a.put_outbox(&json!({"id": "ex-1"})).await.unwrap();
    assert_eq!(heard.next().await, ChangeNotice::Outbox);
    tab_a.replace_config(&[], &[]).await.unwrap();
    assert_eq!(heard.next().await, ChangeNotice::Config);

    // Dropping a subscription unsubscribes it. Listeners of one channel run in the order they were
    // added, all in the same dispatch: once the later one has heard, the earlier one was called.
    drop(subscription);
    let dropped_calls = Rc::new(Cell::new(0));
    let dropped = tab_b.on_change({
        let dropped_calls = dropped_calls.clone();
        move |_| dropped_calls.set(dropped_calls.get() + 1)
    });
    let later = Notices::default();
    let later_subscription = tab_b.on_change({
        let later = later.clone();
        move |notice| later.push(notice)
    });
    tab_a.delete_webhook("wh-1").await.unwrap();
    assert_eq!(later.next().await, ChangeNotice::Config);
    assert_eq!(dropped_calls.get(), 1);
    drop(dropped);
    tab_a.delete_automation("au-1").await.unwrap();
    assert_eq!(later.next().await, ChangeNotice::Config);
    assert_eq!(
        dropped_calls.get(),
        1,
        "a dropped subscription is not called"
    );

    drop(later_subscription);
    tab_a.close();
    tab_b.close();
    cleanup(&name).await;
}

// ---------------------------------------------------------------------------------------------
// Error mapping

#[wasm_bindgen_test]
fn dom_exceptions_map_to_storage_errors() {
    let exception =
        |name: &str| DomException::new_with_message_and_name("test message", name).unwrap();
    assert_eq!(
        StorageError::from_dom(&exception("QuotaExceededError")),
        StorageError::QuotaExceeded
    );
    assert_eq!(
        StorageError::from_js(&exception("QuotaExceededError").into()),
        StorageError::QuotaExceeded
    );
    assert_eq!(
        StorageError::from_dom(&exception("VersionError")),
        StorageError::TooNew { found: 0 }
    );
    assert_eq!(
        StorageError::from_dom(&exception("InvalidStateError")),
        StorageError::Closed
    );
    assert!(matches!(
        StorageError::from_dom(&exception("SecurityError")),
        StorageError::Unavailable(text) if text.contains("SecurityError")
    ));
    assert!(matches!(
        StorageError::from_dom(&exception("UnknownError")),
        StorageError::Other(text) if text.contains("UnknownError: test message")
    ));
    assert!(matches!(
        StorageError::from_dom(&exception("ConstraintError")),
        StorageError::Other(text) if text.contains("same id")
    ));
    assert!(matches!(
        StorageError::from_js(&js_sys::TypeError::new("no").into()),
        StorageError::Other(_)
    ));
    assert!(matches!(
        StorageError::from_js(&JsValue::NULL),
        StorageError::Other(_)
    ));

    assert_eq!(
        StorageError::QuotaExceeded.to_string(),
        "The browser's storage for this site is full. Free space (Settings → history retention, or the browser's site data) and save again — nothing already saved was lost."
    );
    assert_eq!(
        StorageError::Blocked.to_string(),
        "Close other tabs of Webhook Automations so the storage can be upgraded, then reload."
    );
}

#[wasm_bindgen_test]
async fn a_shared_configuration_keeps_its_revision_and_an_import_gets_a_later_one() {
    let name = unique_name("revision");
    let store = open(&name).await;
    let edited = store.put_webhook(&webhook("wh-1", "ERP")).await.unwrap();
    let shared = webhook_engine::config::ConfigDocument::export(&[webhook("wh-1", "ERP")], &[])
        .at_revision(42);
    let adopted = store.adopt_document(shared.clone(), true).await.unwrap();
    assert_eq!(adopted.revision, 42, "handed over as it is, even if older");
    assert_eq!(store.load_config().await.unwrap().revision, 42);

    let imported = store.adopt_document(shared, false).await.unwrap();
    assert!(
        imported.revision > edited,
        "an import is a change made here: later than every revision before"
    );
    assert_eq!(
        store.load_config().await.unwrap().revision,
        imported.revision
    );
    store.close();
    cleanup(&name).await;
}
