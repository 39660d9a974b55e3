//! The history page mounted on its own over real IndexedDB: a virtualized table over 100,000 runs,
//! filters, the detail panel for admins and for other users, replays and the empty state.

use std::cell::RefCell;
use std::rc::Rc;
use webhook_engine::roles::Permissions;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};
use web_sys::{Element, Event, EventInit, HtmlInputElement, HtmlSelectElement};
use webhook_automations::storage::{PageRequest, ScanControl, StorageError, Store};
use webhook_automations::ui::history::{HistoryPage, HistoryPageProps};
use webhook_engine::history::ExecutionQuery;
use webhook_engine::runner::{Execution, Status};
use webhook_engine::settings::Settings;
use yew::{AppHandle, Callback, Renderer};

use super::{cleanup, open, run, sleep, status_of, unique_name, until};
use crate::dom::{click, find, fresh_root, texts};

/// Runs that happened over the last day, one every half second, the newest last.
fn recent(count: usize) -> Vec<Execution> {
    let start = js_sys::Date::now() as i64 - 86_400_000;
    (0..count)
        .map(|index| run(index, start + index as i64 * 500))
        .collect()
}

struct Mounted {
    root: Element,
    handle: AppHandle<HistoryPage>,
    store: Rc<Store>,
    is_admin: bool,
    replayed: Rc<RefCell<Vec<String>>>,
}

impl Mounted {
    /// The page's properties, with this tab's dispatcher having written `executions_version` times.
    fn props(&self, executions_version: u64) -> HistoryPageProps {
        props(
            &self.store,
            self.is_admin,
            &self.replayed,
            executions_version,
        )
    }

    fn destroy(self) {
        self.handle.destroy();
        self.root.remove();
    }
}

/// The app's stylesheet, so the table's scroll container and row heights are the real ones.
const STYLES: &str = include_str!("../../../www/styles.css");

fn mount(store: &Rc<Store>, is_admin: bool) -> Mounted {
    let document = crate::dom::document();
    if document.get_element_by_id("history-test-styles").is_none() {
        let style = document.create_element("style").unwrap();
        style.set_id("history-test-styles");
        style.set_text_content(Some(STYLES));
        document.head().unwrap().append_child(&style).unwrap();
    }
    let root = fresh_root();
    root.set_class_name("wa-root");
    let replayed = Rc::new(RefCell::new(Vec::new()));
    let handle = Renderer::<HistoryPage>::with_root_and_props(
        root.clone(),
        props(store, is_admin, &replayed, 0),
    )
    .render();
    Mounted {
        root,
        handle,
        store: store.clone(),
        is_admin,
        replayed,
    }
}

/// The page over `store`, recording the runs it asks to replay in `replayed`.
fn props(
    store: &Rc<Store>,
    is_admin: bool,
    replayed: &Rc<RefCell<Vec<String>>>,
    executions_version: u64,
) -> HistoryPageProps {
    let record = {
        let replayed = replayed.clone();
        Callback::from(move |runs: Vec<Execution>| {
            replayed
                .borrow_mut()
                .extend(runs.into_iter().map(|run| run.id))
        })
    };
    HistoryPageProps {
        store: Some(store.clone()),
        automations: Rc::new(Vec::new()),
        permissions: Permissions::of(&webhook_engine::event::User {
            id: 1,
            name: "Tester".into(),
            email: "tester@example.com".into(),
            is_admin,
        }),
        settings: Settings::default(),
        executions_version,
        on_replay: Some(record.reform(|run| vec![run])),
        on_replay_failed: Some(record),
        relay_problem: None,
        on_edit_webhook: None,
    }
}

fn has(root: &Element, selector: &str) -> bool {
    root.query_selector(selector).unwrap().is_some()
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn text(root: &Element) -> String {
    root.text_content().unwrap_or_default()
}

fn fire(element: &Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    element
        .dispatch_event(&Event::new_with_event_init_dict(kind, &init).unwrap())
        .unwrap();
}

fn choose(root: &Element, selector: &str, value: &str) {
    let select = find(root, selector);
    select
        .dyn_ref::<HtmlSelectElement>()
        .unwrap()
        .set_value(value);
    fire(&select, "change");
}

fn type_text(root: &Element, selector: &str, value: &str) {
    let input = find(root, selector);
    input
        .dyn_ref::<HtmlInputElement>()
        .unwrap()
        .set_value(value);
    fire(&input, "input");
}

/// The execution id of the row at `index`, once it is loaded and rendered.
fn loaded_row(root: &Element, index: usize) -> Option<String> {
    root.query_selector(&format!("tr[data-index=\"{index}\"]"))
        .unwrap()
        .and_then(|row| row.get_attribute("data-execution"))
}

#[wasm_bindgen_test]
async fn a_hundred_thousand_runs_keep_at_most_two_hundred_rows_in_the_page() {
    const RUNS: usize = 100_000;
    let name = unique_name("virtualized");
    let store = open(&name).await;
    let started = js_sys::Date::now();
    let runs = recent(RUNS);
    for batch in runs.chunks(10_000) {
        store.put_executions(batch).await.unwrap();
    }
    console_log!(
        "stored {RUNS} executions in {:.0} ms",
        js_sys::Date::now() - started
    );
    let newest = |position: usize| runs[RUNS - 1 - position].id.clone();

    let opened = js_sys::Date::now();
    let page = mount(&store, true);
    let root = page.root.clone();
    until("the first row", || loaded_row(&root, 0).is_some()).await;
    console_log!(
        "first page of {RUNS} shown {:.0} ms after mounting (debug build)",
        js_sys::Date::now() - opened
    );
    assert_eq!(loaded_row(&root, 0), Some(newest(0)));
    assert_eq!(loaded_row(&root, 1), Some(newest(1)));
    until("the count", || text(&root).contains("100,000 executions")).await;
    let rows = count(&root, "tr");
    assert!(rows <= 200, "{rows} rows in the DOM");

    // Scroll deep into the history: the rows there are loaded page by page and rendered.
    let scroller = find(&root, ".wa-history-scroll");
    let target = 3_000;
    scroller.set_scroll_top(target as i32 * 40);
    fire(&scroller, "scroll");
    until("rows 3,000 rows down", || {
        loaded_row(&root, target).is_some()
    })
    .await;
    assert_eq!(loaded_row(&root, target), Some(newest(target)));
    assert!(loaded_row(&root, 0).is_none(), "the top rows left the DOM");
    let rows = count(&root, "tr");
    assert!(rows <= 200, "{rows} rows in the DOM after scrolling");
    let row_height = find(&root, &format!("tr[data-index=\"{target}\"]"))
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .offset_height();
    assert_eq!(
        row_height, 40,
        "rows are exactly as tall as the layout assumes"
    );

    // A text search through everything can be cancelled from the page.
    type_text(&root, "#history-text", "text that no request holds");
    click(&find(&root, ".wa-history-search button[type=submit]"));
    until("the Cancel button", || {
        texts(&root, ".wa-history-search button").contains(&"Cancel".to_string())
    })
    .await;
    click(&find(&root, ".wa-history-search button"));
    until("the search to stop", || {
        text(&root).contains("Search cancelled after looking at")
    })
    .await;
    page.destroy();

    // The same through the storage API, cancelled by a timer while it reads.
    let query = ExecutionQuery {
        text: "text that no request holds".into(),
        ..ExecutionQuery::default()
    };
    let control = ScanControl::default();
    let search = store.query_executions(&query, PageRequest::first(50), &control);
    let cancel = {
        let control = control.clone();
        async move {
            sleep(30).await;
            control.cancel();
        }
    };
    wasm_bindgen_futures::spawn_local(cancel);
    assert_eq!(search.await, Err(StorageError::Cancelled));
    assert!(
        control.checked() > 0 && control.checked() < RUNS as u64,
        "{}",
        control.checked()
    );
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn filters_narrow_the_table_and_the_detail_shows_trace_request_and_attempts() {
    let name = unique_name("detail");
    let store = open(&name).await;
    // Few enough to all be in view, so the count of rows is the count of matches.
    let runs = recent(20);
    store.put_executions(&runs).await.unwrap();
    let page = mount(&store, true);
    let root = page.root.clone();
    until("the rows", || count(&root, "tr[data-execution]") == 20).await;

    // Failed is the third status in the filter.
    choose(&root, "#history-status", "2");
    let failed: Vec<&Execution> = runs
        .iter()
        .rev()
        .filter(|run| run.status == Status::Failed)
        .collect();
    until("only failed runs", || {
        count(&root, "tr[data-execution]") as usize == failed.len()
    })
    .await;
    assert!(texts(&root, "tr[data-execution] .wa-status")
        .iter()
        .all(|status| status == "Failed"));
    assert_eq!(loaded_row(&root, 0), Some(failed[0].id.clone()));

    click(&find(&root, "tr[data-index=\"0\"] .wa-history-open"));
    until("the detail", || {
        has(&root, ".wa-drawer .wa-history-attempt")
    })
    .await;
    let drawer = text(&find(&root, ".wa-drawer"));
    for expected in [
        "Failed — the endpoint failed with 503",
        "deal.value",
        "is greater than",
        "10000",
        "https://erp.example.com/api/orders/",
        "Bearer ••••••",
        "Attempt 1",
        "took 120 ms · HTTP 503",
        "Then retrying in 2 s.",
        "The browser showed only its standard headers",
    ] {
        assert!(drawer.contains(expected), "{expected} in {drawer}");
    }
    assert!(
        find(&root, ".wa-history-body")
            .text_content()
            .unwrap()
            .contains("\n  \"order\": "),
        "the body is pretty-printed"
    );

    let replay = root.query_selector_all(".wa-drawer button").unwrap();
    let replay = (0..replay.length())
        .map(|index| replay.item(index).unwrap().dyn_into::<Element>().unwrap())
        .find(|button| button.text_content().as_deref() == Some("Replay"))
        .expect("a Replay button");
    click(&replay);
    assert_eq!(*page.replayed.borrow(), [failed[0].id.clone()]);
    click(&find(&root, ".wa-drawer-head button"));
    yew::scheduler::flush().await;
    assert!(!has(&root, ".wa-drawer"));

    // Replaying every failed run the filter finds asks first.
    page.replayed.borrow_mut().clear();
    let replay_failed = root
        .query_selector_all(".wa-history-actions button")
        .unwrap();
    let replay_failed = (0..replay_failed.length())
        .map(|index| {
            replay_failed
                .item(index)
                .unwrap()
                .dyn_into::<Element>()
                .unwrap()
        })
        .find(|button| button.text_content().as_deref() == Some("Replay failed…"))
        .expect("a Replay failed button");
    click(&replay_failed);
    until("the confirmation", || has(&root, ".wa-dialog")).await;
    click(&find(&root, ".wa-dialog .is-primary"));
    let expected: Vec<String> = failed.iter().map(|run| run.id.clone()).collect();
    assert_eq!(*page.replayed.borrow(), expected);
    page.destroy();
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn someone_who_is_not_an_admin_sees_what_ran_but_no_bodies_or_headers() {
    let name = unique_name("visibility");
    let store = open(&name).await;
    let runs = recent(10);
    store.put_executions(&runs).await.unwrap();
    let page = mount(&store, false);
    let root = page.root.clone();
    until("the rows", || loaded_row(&root, 0).is_some()).await;
    click(&find(&root, "tr[data-index=\"0\"] .wa-history-open"));
    until("the detail", || {
        has(&root, ".wa-drawer .wa-history-section")
    })
    .await;
    let drawer = text(&find(&root, ".wa-drawer"));
    assert!(
        drawer.contains("Only admins see request and response bodies"),
        "{drawer}"
    );
    assert!(
        drawer.contains("https://erp.example.com/api/orders/9"),
        "the path stays: {drawer}"
    );
    assert_eq!(status_of(9), Status::Failed);
    assert!(
        drawer.contains("Failed — the endpoint failed with 503"),
        "status and reason stay: {drawer}"
    );
    for hidden in [
        "Person9@Example.com",
        "Bearer",
        "{\"ok\": false}",
        "Copy as cURL",
        "Replay",
    ] {
        assert!(
            !drawer.contains(hidden),
            "{hidden} shown to a user who is not an admin"
        );
    }
    assert!(!has(&root, ".wa-history-body"));
    page.destroy();
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn an_empty_history_says_nothing_has_run_yet() {
    let name = unique_name("empty");
    let store = open(&name).await;
    let page = mount(&store, true);
    let root = page.root.clone();
    until("the empty state", || {
        text(&root).contains("Nothing has run yet")
    })
    .await;
    assert!(!has(&root, ".wa-history-table"));
    page.destroy();
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn new_runs_appear_at_the_top_whichever_tab_wrote_them() {
    let name = unique_name("live");
    let store = open(&name).await;
    let runs = recent(5);
    store.put_executions(&runs).await.unwrap();
    let mut page = mount(&store, true);
    let root = page.root.clone();
    until("the rows", || {
        loaded_row(&root, 0) == Some(runs[4].id.clone())
    })
    .await;

    // Another tab's runner: its change notice makes the page read its first page again.
    let other_tab = open(&name).await;
    let from_other_tab = run(5, js_sys::Date::now() as i64);
    other_tab
        .put_executions(std::slice::from_ref(&from_other_tab))
        .await
        .unwrap();
    until("the other tab's run", || {
        loaded_row(&root, 0) == Some(from_other_tab.id.clone())
    })
    .await;
    drop(other_tab);

    // This tab's dispatcher writes through the page's own store, which hears no notice of its own
    // writes, and says so through `executions_version`.
    let from_this_tab = run(6, js_sys::Date::now() as i64 + 1);
    store
        .put_executions(std::slice::from_ref(&from_this_tab))
        .await
        .unwrap();
    page.handle.update(page.props(1));
    until("this tab's run", || {
        loaded_row(&root, 0) == Some(from_this_tab.id.clone())
    })
    .await;
    assert_eq!(count(&root, "tr[data-execution]"), 7);
    page.destroy();
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_run_the_relay_sent_is_marked_and_a_cors_refusal_leads_to_its_webhooks_form() {
    use webhook_engine::history::visible_to;
    use webhook_engine::model::Route;
    use webhook_engine::retry::Outcome;
    use webhook_engine::runner::CORS_REFUSED;

    let name = unique_name("relay-rows");
    let store = open(&name).await;
    let now = js_sys::Date::now() as i64;
    // Read from the relay with its events token: what a user who is not an admin sees of it.
    let relayed = Execution {
        route: Route::Relay,
        details_withheld: true,
        ..visible_to(
            run(9, now - 2_000),
            &Permissions::of(&webhook_engine::event::User {
                id: 2,
                name: "Riley".into(),
                email: String::new(),
                is_admin: false,
            }),
        )
        .execution
    };
    let mut refused = run(17, now - 1_000);
    assert_eq!(refused.status, Status::Failed);
    refused.reason = Some(format!(
        "{CORS_REFUSED}: deliver this webhook through the relay"
    ));
    refused.attempts[0].outcome = Outcome::CorsRefused;
    refused.attempts[0].response = None;
    store
        .put_executions(&[relayed.clone(), refused.clone()])
        .await
        .unwrap();

    let root = fresh_root();
    root.set_class_name("wa-root");
    let replayed = Rc::new(RefCell::new(Vec::new()));
    let edited = Rc::new(RefCell::new(Vec::<String>::new()));
    let on_edit_webhook = {
        let edited = edited.clone();
        Callback::from(move |id: String| edited.borrow_mut().push(id))
    };
    let handle = Renderer::<HistoryPage>::with_root_and_props(
        root.clone(),
        HistoryPageProps {
            on_edit_webhook: Some(on_edit_webhook),
            ..props(&store, true, &replayed, 0)
        },
    )
    .render();
    until("the rows", || count(&root, "tr[data-execution]") == 2).await;
    assert_eq!(
        texts(&root, "tr[data-execution] .wa-route-relay"),
        ["relay"],
        "only the relay's run is marked"
    );
    assert!(has(
        &root,
        &format!("tr[data-execution=\"{}\"] .wa-route-relay", relayed.id)
    ));

    // An admin opens the relay's run this browser read with the events token.
    click(&find(
        &root,
        &format!("tr[data-execution=\"{}\"] .wa-history-open", relayed.id),
    ));
    until("the detail", || {
        has(&root, ".wa-drawer .wa-history-section")
    })
    .await;
    let drawer = text(&find(&root, ".wa-drawer"));
    for expected in [
        "Sent fromrelay the relay, from a server",
        "read this run from the relay with its events token",
        "enter the relay's admin token in Settings → Relay",
        "Replay",
    ] {
        assert!(drawer.contains(expected), "{expected} in {drawer}");
    }
    assert!(
        !drawer.contains("Copy as cURL"),
        "no cURL without the request's headers and body: {drawer}"
    );
    assert!(!drawer.contains("Only admins see"), "{drawer}");
    assert!(
        !has(&root, ".wa-drawer .wa-history-body"),
        "no empty body shown as if it were the request's"
    );
    click(&find(&root, ".wa-drawer-head button"));
    yew::scheduler::flush().await;

    // The browser's own run the endpoint refused (CORS): the way to the fix is the webhook's form.
    click(&find(
        &root,
        &format!("tr[data-execution=\"{}\"] .wa-history-open", refused.id),
    ));
    until("the advice", || has(&root, ".wa-history-advice button")).await;
    let advice = find(&root, ".wa-history-advice button");
    assert_eq!(
        advice.text_content().unwrap(),
        "Open “ERP” to deliver it through the relay"
    );
    assert!(text(&find(&root, ".wa-drawer")).contains("Sent fromthis browser"));
    click(&advice);
    assert_eq!(*edited.borrow(), ["wh-erp"]);
    handle.destroy();
    root.remove();
    cleanup(store, &name).await;
}
