//! The sandbox CRM in a real browser: its records in real IndexedDB (seeded on first use, kept
//! across reopening, restored by a reset), and the page's changes becoming events that carry the
//! record before and after, its related records and the acting user. Each test uses a database of
//! its own and deletes it at the end.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, Event as DomEvent, EventInit, HtmlInputElement, HtmlSelectElement};
use webhook_automations::sandbox::{open_sandbox, reset_sandbox, save_change, RecordChange};
use webhook_automations::storage::{delete_database, Store};
use webhook_automations::ui::sandbox::{SandboxPage, SandboxPageProps};
use webhook_engine::catalog::Catalog;
use webhook_engine::event::{Event, User};
use webhook_engine::model::EventAction;
use webhook_engine::sample::SampleData;
use yew::{AppHandle, Callback, Renderer};

use crate::dom::{click, find, fresh_root, texts};

fn unique_name(test: &str) -> String {
    format!(
        "sandbox-test-{test}-{}-{}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 1e9) as u64
    )
}

async fn open(name: &str) -> Rc<Store> {
    Rc::new(Store::open(name).await.expect("the test database opens"))
}

async fn cleanup(name: &str) {
    delete_database(name)
        .await
        .unwrap_or_else(|error| panic!("deleting {name}: {error}"));
}

fn user(id: u64) -> User {
    SampleData::builtin().user(id).unwrap().user.clone()
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Renders and waits until `check` holds: storage answers asynchronously, after several renders.
async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..300 {
        yew::scheduler::flush().await;
        if check() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for {what}");
}

fn fire(element: &Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    element
        .dispatch_event(&DomEvent::new_with_event_init_dict(kind, &init).unwrap())
        .unwrap();
}

/// Types `text` as the input's whole value, as the browser reports typing.
fn type_into(root: &Element, selector: &str, text: &str) {
    let input = find(root, selector);
    input.dyn_ref::<HtmlInputElement>().unwrap().set_value(text);
    fire(&input, "input");
}

fn choose(root: &Element, selector: &str, value: &str) {
    let select = find(root, selector);
    select
        .dyn_ref::<HtmlSelectElement>()
        .unwrap()
        .set_value(value);
    fire(&select, "change");
}

fn has(root: &Element, selector: &str) -> bool {
    root.query_selector(selector).unwrap().is_some()
}

fn row_ids(root: &Element) -> Vec<String> {
    texts(root, ".wa-sandbox-table tbody .wa-sandbox-id")
}

/// The page mounted on its own with `store`, acting as `user`, collecting the events it sends.
struct Mounted {
    root: Element,
    handle: AppHandle<SandboxPage>,
    events: Rc<RefCell<Vec<Event>>>,
    switched_to: Rc<RefCell<Vec<User>>>,
}

async fn mount(store: Rc<Store>, user: User) -> Mounted {
    let root = fresh_root();
    let events = Rc::new(RefCell::new(Vec::new()));
    let switched_to = Rc::new(RefCell::new(Vec::new()));
    let props = SandboxPageProps {
        user,
        catalog: Rc::new(Catalog::builtin()),
        store: Some(store),
        on_event: {
            let events = events.clone();
            Callback::from(move |event| events.borrow_mut().push(event))
        },
        on_user: {
            let switched_to = switched_to.clone();
            Callback::from(move |user| switched_to.borrow_mut().push(user))
        },
    };
    let handle = Renderer::<SandboxPage>::with_root_and_props(root.clone(), props).render();
    until("the sandbox to load", || has(&root, ".wa-sandbox-table")).await;
    Mounted {
        root,
        handle,
        events,
        switched_to,
    }
}

impl Mounted {
    async fn next_event(&self, count: usize) -> Event {
        until("the change's event", || self.events.borrow().len() >= count).await;
        self.events.borrow()[count - 1].clone()
    }

    fn destroy(self) {
        self.handle.destroy();
        self.root.remove();
    }
}

#[wasm_bindgen_test]
async fn first_use_copies_the_sample_changes_persist_across_reopening_and_reset_restores_it() {
    let name = unique_name("persist");
    let store = open(&name).await;
    assert_eq!(
        store.load_sandbox().await.unwrap(),
        None,
        "nothing before first use"
    );
    let crm = open_sandbox(&store).await.unwrap();
    assert_eq!(crm.records("deal").len(), 4);
    let stored = store
        .load_sandbox()
        .await
        .unwrap()
        .expect("the sample was copied in");
    assert_eq!(stored.records["deal"].len(), 4);
    assert!(
        !stored.records.contains_key("user"),
        "users come from the sample"
    );

    let previous = crm.record("deal", 302).unwrap().clone();
    let mut current = previous.clone();
    current.insert("stage".into(), json!("negotiations"));
    save_change(&store, "deal", &RecordChange::Updated { previous, current })
        .await
        .unwrap();
    let added = json!({"id": 305, "title": "Spare parts", "stage": "qualified", "status": "open", "owner": 1});
    let added = added.as_object().unwrap().clone();
    save_change(&store, "deal", &RecordChange::Added(added.clone()))
        .await
        .unwrap();
    save_change(&store, "deal", &RecordChange::Deleted(added))
        .await
        .unwrap();
    drop(store);

    let store = open(&name).await;
    let reopened = open_sandbox(&store).await.unwrap();
    assert_eq!(
        reopened.record("deal", 302).unwrap()["stage"],
        "negotiations"
    );
    assert!(reopened.record("deal", 305).is_none());
    assert_eq!(
        reopened.next_id("deal"),
        306,
        "the deleted id is not given out again"
    );

    let reset = reset_sandbox(&store).await.unwrap();
    assert_eq!(reset.record("deal", 302).unwrap()["stage"], "proposal_made");
    let stored = open_sandbox(&store).await.unwrap();
    assert_eq!(
        stored.record("deal", 302).unwrap()["stage"],
        "proposal_made"
    );
    assert_eq!(stored.next_id("deal"), 305);
    drop(store);
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn editing_a_deal_sends_an_update_with_the_record_before_related_records_and_the_user() {
    let name = unique_name("update");
    let store = open(&name).await;
    let riley = user(2);
    let page = mount(store.clone(), riley.clone()).await;
    let root = &page.root;

    assert_eq!(row_ids(root), ["302", "304"], "Riley sees only their deals");
    assert_eq!(
        texts(root, ".wa-sandbox-hidden"),
        ["2 deals are not visible to Riley Regular"]
    );
    assert!(texts(root, ".wa-sandbox-acting")[0]
        .starts_with("Acting as Riley Regular (sees own records only)"));

    click(&find(
        root,
        "button[aria-label='Edit CNC line maintenance contract']",
    ));
    yew::scheduler::flush().await;
    choose(root, "#sandbox-stage", "negotiations");
    click(&find(root, ".wa-sandbox-form button[type=submit]"));
    let event = page.next_event(1).await;

    assert_eq!(event.entity, "deal");
    assert_eq!(event.action, EventAction::Updated);
    assert_eq!(event.user, riley, "the acting user triggered it");
    assert!(event.id.starts_with("evt_"));
    assert_eq!(event.current["stage"], "negotiations");
    assert_eq!(event.previous.as_ref().unwrap()["stage"], "proposal_made");
    assert_eq!(event.related["person"][0]["name"], "Jürgen Müller");
    assert_eq!(
        event.related["organization"][0]["name"],
        "Müller & Söhne GmbH"
    );
    assert_eq!(event.related["user"][0]["name"], "Riley Regular");
    assert_ne!(
        event.current["update_time"],
        event.previous.as_ref().unwrap()["update_time"]
    );
    until("the confirmation", || {
        texts(root, ".wa-banner.is-notice span")
            == ["Deal 302 updated (Stage) — automations on “deal · updated” were checked"]
    })
    .await;
    let stored = store.load_sandbox().await.unwrap().unwrap();
    let deal = stored.records["deal"]
        .iter()
        .find(|d| d["id"] == 302)
        .unwrap();
    assert_eq!(
        deal["stage"], "negotiations",
        "saved before the event was sent"
    );

    // Switching users is the app's job: the page asks for it.
    choose(root, "#sandbox-user", "1");
    assert_eq!(page.switched_to.borrow().as_slice(), [user(1)]);
    page.destroy();
    drop(store);
    cleanup(&name).await;
}

#[wasm_bindgen_test]
async fn adding_and_deleting_a_person_send_their_events_and_problems_show_at_their_inputs() {
    let name = unique_name("add-delete");
    let store = open(&name).await;
    let ada = user(1);
    let page = mount(store.clone(), ada.clone()).await;
    let root = &page.root;

    click(&find(root, "#sandbox-tab-person"));
    yew::scheduler::flush().await;
    assert_eq!(row_ids(root), ["201", "202", "203", "204"]);
    click(&find(root, ".wa-toolbar .wa-button"));
    yew::scheduler::flush().await;
    type_into(root, "#sandbox-email", "ana-at-lima");
    click(&find(root, ".wa-sandbox-form button[type=submit]"));
    yew::scheduler::flush().await;
    assert_eq!(texts(root, "#sandbox-name-error"), ["Name is required"]);
    assert!(texts(root, "#sandbox-email-error")[0].contains("is not an email address"));
    assert!(
        page.events.borrow().is_empty(),
        "nothing saved, nothing sent"
    );

    type_into(root, "#sandbox-name", "Ana Lima");
    yew::scheduler::flush().await;
    assert!(
        !has(root, "#sandbox-name-error"),
        "a corrected field drops its problem"
    );
    assert!(has(root, "#sandbox-email-error"), "the others keep theirs");
    type_into(root, "#sandbox-email", "ana@lima.example");
    choose(root, "#sandbox-organization", "103");
    click(&find(root, ".wa-sandbox-form button[type=submit]"));
    let added = page.next_event(1).await;
    assert_eq!(added.action, EventAction::Added);
    assert_eq!(added.previous, None);
    assert_eq!(added.current["id"], 205);
    assert_eq!(added.current["name"], "Ana Lima");
    assert_eq!(added.current["owner"], 1, "owned by whoever created it");
    assert_eq!(
        added.related["organization"][0]["name"],
        "Brightpath Clinics"
    );
    assert_eq!(added.user, ada);
    until("the new row", || row_ids(root).contains(&"205".to_string())).await;

    click(&find(root, "button[aria-label='Delete Ana Lima']"));
    yew::scheduler::flush().await;
    click(&find(root, ".wa-dialog .wa-button.is-danger"));
    let deleted = page.next_event(2).await;
    assert_eq!(deleted.action, EventAction::Deleted);
    assert_eq!(deleted.current, added.current, "the record as it was");
    assert_eq!(deleted.related["organization"][0]["id"], 103);
    assert_ne!(deleted.id, added.id);
    until("the row to go", || {
        !row_ids(root).contains(&"205".to_string())
    })
    .await;
    assert!(
        store.load_sandbox().await.unwrap().unwrap().records["person"]
            .iter()
            .all(|person| person["id"] != 205)
    );
    page.destroy();
    drop(store);
    cleanup(&name).await;
}
