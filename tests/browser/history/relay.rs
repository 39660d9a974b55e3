//! The relay's executions merged into real IndexedDB: each page with its cursor in one transaction,
//! the browser's placeholder replaced, what this browser planned kept when the relay withholds it,
//! and the browser's own runs left alone.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen_test::wasm_bindgen_test;
use webhook_automations::storage::{ChangeNotice, RelayRecord, Store};
use webhook_engine::event::User;
use webhook_engine::history::relay::{RelayCursor, RelayView};
use webhook_engine::history::visible_to;
use webhook_engine::model::Route;
use webhook_engine::roles::Permissions;
use webhook_engine::runner::{Execution, Status};

use super::{cleanup, open, run, status_of, unique_name, until, T0};

/// Run 1 as the relay recorded it: failed after one attempt (see `status_of`).
fn relayed() -> Execution {
    assert_eq!(status_of(1), Status::Failed);
    Execution {
        route: Route::Relay,
        ..run(1, T0)
    }
}

/// The pending placeholder the browser recorded when it handed the event over.
fn placeholder() -> Execution {
    Execution {
        status: Status::Pending,
        reason: None,
        attempts: Vec::new(),
        finished_at_ms: None,
        next_attempt_at_ms: Some(T0),
        ..relayed()
    }
}

/// What the relay's events token gives of `execution`.
fn withheld(execution: Execution) -> RelayRecord {
    let regular = Permissions::of(&User {
        id: 2,
        name: "Riley".into(),
        email: "riley@example.com".into(),
        is_admin: false,
    });
    RelayRecord {
        execution: visible_to(execution, &regular).execution,
        withheld: true,
    }
}

fn whole(execution: Execution) -> RelayRecord {
    RelayRecord {
        execution,
        withheld: false,
    }
}

fn cursor(after: u64) -> RelayCursor {
    RelayCursor {
        relay: "http://127.0.0.1:8070".into(),
        view: RelayView::Admin,
        after,
    }
}

#[wasm_bindgen_test]
async fn a_page_replaces_the_placeholder_and_keeps_its_cursor_and_other_tabs_hear_of_it() {
    let name = unique_name("relay-merge");
    let store = open(&name).await;
    let other_tab = Store::open(&name).await.unwrap();
    let heard = Rc::new(Cell::new(0));
    let _subscription = {
        let heard = heard.clone();
        other_tab.on_change(move |notice| {
            if notice == ChangeNotice::Executions {
                heard.set(heard.get() + 1);
            }
        })
    };
    store.put_executions(&[placeholder()]).await.unwrap();
    until("the placeholder's notice", || heard.get() == 1).await;
    assert_eq!(store.relay_cursor().await.unwrap(), None);

    let changed = store
        .merge_relay_executions(&[whole(relayed())], &cursor(7))
        .await
        .unwrap();
    assert_eq!(changed, [relayed()]);
    let stored = store.get_execution(&relayed().id).await.unwrap().unwrap();
    assert_eq!(stored, relayed());
    assert_eq!(store.relay_cursor().await.unwrap(), Some(cursor(7)));
    until("the merge's notice", || heard.get() == 2).await;

    // The same page again (another tab read it too): nothing changes, the cursor stays.
    let changed = store
        .merge_relay_executions(&[whole(relayed())], &cursor(7))
        .await
        .unwrap();
    assert!(changed.is_empty());
    assert_eq!(
        store.get_execution(&relayed().id).await.unwrap(),
        Some(relayed())
    );
    drop(other_tab);
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn read_with_the_events_token_the_request_this_browser_planned_is_kept() {
    let name = unique_name("relay-withheld");
    let store = open(&name).await;
    store.put_executions(&[placeholder()]).await.unwrap();
    store
        .merge_relay_executions(&[withheld(relayed())], &cursor(3))
        .await
        .unwrap();
    let stored = store.get_execution(&relayed().id).await.unwrap().unwrap();
    assert_eq!(stored.status, Status::Failed);
    assert!(stored.details_withheld);
    assert_eq!(stored.request, relayed().request, "planned in this browser");
    let answer = stored.attempts[0].response.as_ref().unwrap();
    assert_eq!(answer.status, 503);
    assert!(answer.body_excerpt.is_empty(), "the relay kept the answer");

    // Read again with the admin token: the whole record replaces it.
    store
        .merge_relay_executions(&[whole(relayed())], &cursor(3))
        .await
        .unwrap();
    assert_eq!(
        store.get_execution(&relayed().id).await.unwrap(),
        Some(relayed())
    );
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_run_this_browser_sent_is_left_as_it_is() {
    let name = unique_name("relay-own");
    let store = open(&name).await;
    let sent_here = run(1, T0);
    assert_eq!(sent_here.route, Route::Browser);
    store
        .put_executions(std::slice::from_ref(&sent_here))
        .await
        .unwrap();
    let changed = store
        .merge_relay_executions(&[whole(relayed()), whole(relayed_other())], &cursor(9))
        .await
        .unwrap();
    assert_eq!(changed, [relayed_other()], "only the new one");
    assert_eq!(
        store.get_execution(&sent_here.id).await.unwrap(),
        Some(sent_here)
    );
    assert_eq!(store.relay_cursor().await.unwrap(), Some(cursor(9)));
    cleanup(store, &name).await;
}

fn relayed_other() -> Execution {
    Execution {
        route: Route::Relay,
        ..run(2, T0 + 1_000)
    }
}
