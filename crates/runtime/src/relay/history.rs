//! The relay's executions merged into this browser's history while the page is open.
//!
//! Every few seconds (at once after [`poll_now`]) the page's [`RelayHistory`] reads
//! `GET /v1/executions` from the cursor this browser stored, page by page, and stores each page with
//! its cursor ([`Store::merge_relay_executions`], the engine's merge rule). Listeners hear what
//! changed, so the history and the lists' "last run" columns refresh; other tabs hear it through the
//! storage's change notices.
//!
//! - **The connection** is the one stored under [`CONNECTION_KEY`] in the settings store (read on
//!   every round, so a change saved in Settings → Relay applies at the next round), until the app
//!   hands one over with [`RelayHistory::set_connection`].
//! - **The token**: the admin token when this browser holds it (records whole: an admin reads the
//!   bodies here, and the page hides them from everyone else by the engine's rule, as it does for the
//!   browser's own runs), the events token otherwise (records withheld; see
//!   `webhook_engine::history::relay`).
//! - **Replays** of runs the relay sent are asked of the relay ([`RelayHistory::replay`]); the new
//!   run arrives through the next round.
//!
//! One reader per page, shared by every app the page mounts (like the dispatcher). Several tabs
//! each read: the merge is idempotent and never moves a record back, so that costs requests only.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use webhook_engine::event::User;
use webhook_engine::history::relay::{RelayCursor, RelayView};
use webhook_engine::runner::Execution;

use super::{RelayClient, RelayConnection, RelayError, TokenKind};
use crate::storage::{RelayRecord, StorageError, Store};

/// Where Settings → Relay keeps the connection in the settings store.
pub const CONNECTION_KEY: &str = "relay";
/// The wait between two rounds.
pub const POLL_MS: u32 = 3_000;
/// The wait after a round that failed (relay unreachable, wrong token…).
pub const RETRY_MS: u32 = 10_000;
/// Executions asked for per request.
pub const PAGE_LIMIT: u32 = 200;

/// Why merging stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryProblem {
    #[error(
        "The relay's runs could not be added to the history: {0}. Trying again in a few seconds."
    )]
    Relay(RelayError),
    #[error("The relay's runs could not be added to the history: {0}")]
    Storage(StorageError),
    #[error("Runs the relay sent are sent again by the relay, which needs its admin token: enter it in Settings → Relay. Nothing was sent.")]
    ReplayNeedsAdminToken,
    #[error("The relay did not send the run again: {0}")]
    ReplayRefused(RelayError),
}

/// What the history's listeners hear.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryNews {
    /// These records changed (as stored).
    Merged(Vec<Execution>),
    /// Reading stopped for this reason, or (`None`) works again.
    Problem(Option<HistoryProblem>),
}

type Listener = Rc<dyn Fn(&HistoryNews)>;

pub struct RelayHistory {
    store: Rc<Store>,
    /// The connection the app handed over; `None` until it does (the stored one is read then).
    given: RefCell<Option<Option<RelayConnection>>>,
    /// Resolves the current wait between rounds early.
    wake: RefCell<Option<js_sys::Function>>,
    /// Asked to read again while a round ran: the next wait is skipped.
    poked: Cell<bool>,
    problem: RefCell<Option<HistoryProblem>>,
    listeners: RefCell<Vec<(u64, Listener)>>,
    next_listener: Cell<u64>,
}

thread_local! {
    static PAGE_HISTORY: RefCell<Option<Rc<RelayHistory>>> = const { RefCell::new(None) };
}

/// Asks the page's reader to read the relay now, not at its next round: call it when an event was
/// handed over (after the relay's `202`) or the relay connection was saved. Does nothing before an
/// app started it.
pub fn poll_now() {
    if let Some(history) = PAGE_HISTORY.with(|page| page.borrow().clone()) {
        history.poll_now();
    }
}

impl RelayHistory {
    /// The page's reader, started by the first app that asks, over its store.
    pub fn shared(store: Rc<Store>) -> Rc<RelayHistory> {
        PAGE_HISTORY.with(|page| {
            page.borrow_mut()
                .get_or_insert_with(|| RelayHistory::start(store))
                .clone()
        })
    }

    /// A reader over `store`, reading from now on (tests make their own over a test database).
    pub fn start(store: Rc<Store>) -> Rc<RelayHistory> {
        let history = Rc::new(RelayHistory {
            store,
            given: RefCell::new(None),
            wake: RefCell::new(None),
            poked: Cell::new(false),
            problem: RefCell::new(None),
            listeners: RefCell::default(),
            next_listener: Cell::new(0),
        });
        let weak = Rc::downgrade(&history);
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                let Some(history) = weak.upgrade() else {
                    return;
                };
                let wait = history.round().await;
                let sleep = history.sleep(wait);
                drop(history);
                let _ = sleep.await;
            }
        });
        history
    }

    /// Uses `connection` from now on instead of the stored one (`None`: no relay).
    pub fn set_connection(&self, connection: Option<RelayConnection>) {
        let changed = self.given.borrow().as_ref() != Some(&connection);
        *self.given.borrow_mut() = Some(connection);
        if changed {
            self.poll_now();
        }
    }

    /// The connection in use: the one handed over, or else the stored one.
    pub async fn connection(&self) -> Result<Option<RelayConnection>, StorageError> {
        if let Some(given) = self.given.borrow().clone() {
            return Ok(given.filter(RelayConnection::is_set));
        }
        let stored = self
            .store
            .get_setting::<RelayConnection>(CONNECTION_KEY)
            .await?;
        Ok(stored.filter(RelayConnection::is_set))
    }

    /// Reads now instead of at the next round.
    pub fn poll_now(&self) {
        let wake = self.wake.borrow_mut().take();
        match wake {
            Some(resolve) => {
                let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
            }
            None => self.poked.set(true),
        }
    }

    /// Calls `listener` with every change, until the returned guard is dropped.
    pub fn subscribe(self: &Rc<Self>, listener: impl Fn(&HistoryNews) + 'static) -> Subscription {
        let id = self.next_listener.get();
        self.next_listener.set(id + 1);
        self.listeners.borrow_mut().push((id, Rc::new(listener)));
        if let Some(problem) = self.problem.borrow().clone() {
            self.tell_one(id, &HistoryNews::Problem(Some(problem)));
        }
        Subscription {
            history: Rc::downgrade(self),
            id,
        }
    }

    /// Asks the relay to send these runs (it sent them) again, as `by`; their new runs arrive with
    /// the next round, which starts at once.
    pub async fn replay(&self, executions: &[Execution], by: &User) -> Result<(), HistoryProblem> {
        let connection = self.connection().await.map_err(HistoryProblem::Storage)?;
        let admin = connection
            .as_ref()
            .and_then(RelayConnection::admin)
            .ok_or(HistoryProblem::ReplayNeedsAdminToken)?;
        let mut result = Ok(());
        for execution in executions {
            if let Err(error) = admin.replay(&execution.id, by).await {
                result = Err(HistoryProblem::ReplayRefused(error));
                break;
            }
        }
        self.poll_now();
        result
    }

    /// One round: reads everything new; says how long to wait before the next.
    async fn round(&self) -> u32 {
        let outcome = match self.connection().await {
            Ok(Some(connection)) => match reader(&connection) {
                Some(client) => self.catch_up(&connection.url, &client).await,
                None => Ok(()),
            },
            Ok(None) => Ok(()),
            Err(error) => Err(HistoryProblem::Storage(error)),
        };
        let wait = if outcome.is_ok() { POLL_MS } else { RETRY_MS };
        let problem = outcome.err();
        if *self.problem.borrow() != problem {
            self.problem.replace(problem.clone());
            self.tell(&HistoryNews::Problem(problem));
        }
        wait
    }

    /// Reads pages from the stored cursor until the relay has no more, storing each with its cursor.
    async fn catch_up(&self, relay: &str, client: &RelayClient) -> Result<(), HistoryProblem> {
        let view = match client.kind() {
            TokenKind::Admin => RelayView::Admin,
            TokenKind::Events => RelayView::NonAdmin,
        };
        let mut stored = self
            .store
            .relay_cursor()
            .await
            .map_err(HistoryProblem::Storage)?;
        let mut after = RelayCursor::resume_after(stored.as_ref(), relay, view);
        loop {
            let page = client
                .executions(after, PAGE_LIMIT)
                .await
                .map_err(HistoryProblem::Relay)?;
            let cursor = RelayCursor {
                relay: relay.to_owned(),
                view,
                after: page.next_cursor.max(after),
            };
            if page.executions.is_empty() && stored.as_ref() == Some(&cursor) {
                return Ok(());
            }
            let records: Vec<RelayRecord> = page
                .executions
                .into_iter()
                .map(|read| RelayRecord {
                    execution: read.execution,
                    withheld: read.details_hidden,
                })
                .collect();
            let changed = self
                .store
                .merge_relay_executions(&records, &cursor)
                .await
                .map_err(HistoryProblem::Storage)?;
            if !changed.is_empty() {
                self.tell(&HistoryNews::Merged(changed));
            }
            after = cursor.after;
            stored = Some(cursor);
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Waits `ms`, or less when [`RelayHistory::poll_now`] is called meanwhile.
    fn sleep(&self, ms: u32) -> wasm_bindgen_futures::JsFuture {
        let poked = self.poked.replace(false);
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if poked {
                let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
                return;
            }
            if let Some(window) = web_sys::window() {
                let delay = i32::try_from(ms).unwrap_or(i32::MAX);
                let _ =
                    window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, delay);
            }
            *self.wake.borrow_mut() = Some(resolve);
        });
        wasm_bindgen_futures::JsFuture::from(promise)
    }

    fn tell(&self, news: &HistoryNews) {
        let listeners: Vec<Listener> = self
            .listeners
            .borrow()
            .iter()
            .map(|(_, listener)| listener.clone())
            .collect();
        for listener in listeners {
            listener(news);
        }
    }

    fn tell_one(&self, id: u64, news: &HistoryNews) {
        let listener = self
            .listeners
            .borrow()
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, listener)| listener.clone());
        if let Some(listener) = listener {
            listener(news);
        }
    }
}

/// The client that reads the history: the admin token when held (records whole), else the events
/// token.
fn reader(connection: &RelayConnection) -> Option<RelayClient> {
    connection.admin().or_else(|| connection.events())
}

/// Keeps a [`RelayHistory::subscribe`] listener; dropping it unsubscribes.
#[must_use = "dropping the subscription unsubscribes at once"]
pub struct Subscription {
    history: Weak<RelayHistory>,
    id: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(history) = self.history.upgrade() {
            history
                .listeners
                .borrow_mut()
                .retain(|(id, _)| *id != self.id);
        }
    }
}
