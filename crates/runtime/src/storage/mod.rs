//! The browser's storage: IndexedDB for configuration, settings, execution history and the outbox,
//! and a `BroadcastChannel` that tells other tabs what changed.
//!
//! One [`Store`] is one connection to one database (the app's is [`DATABASE_NAME`]). Records are
//! structured JS objects ([`codec`]), the schema is versioned with explicit migration steps
//! ([`schema`]), and every failure is a [`StorageError`] worded for a CRM admin ([`errors`]).
//!
//! - Configuration (webhooks, automations, settings) is written in `durability: "strict"`
//!   transactions; history and outbox bookkeeping in `"relaxed"` ones, batched per call.
//! - Event ids already run ([`events`]) make a re-sent CRM event run once per browser, across tabs
//!   and reloads.
//! - An import ([`Store::replace_config`]) replaces everything in one transaction: all or nothing.
//! - Another tab upgrading or deleting the database closes this connection (`versionchange`), and
//!   later calls say [`StorageError::Closed`]; an upgrade held back by an older tab that does not
//!   close is reported as [`StorageError::Blocked`] after a short grace period (`blocked` also fires
//!   while the other connections finish their last transaction) rather than waited on forever.
//!
//! # Why the `idb` crate, and where web-sys is used instead
//!
//! The design allows `idb` or `indexed_db_futures`. We use **`idb` 0.6** (without its `builder`
//! feature): it is a thin, one-to-one wrapper of the IndexedDB API whose `Database`, `Transaction`
//! and `ObjectStore` convert from the web-sys types, so the two can be mixed where needed, and its
//! dependencies are small (`tokio` with only `sync` for its one-shot channels, `indexmap`,
//! `num-traits`); it builds against the `wasm-bindgen = "=0.2.130"` pin. It provides the request
//! futures (get, getAll, put, add, delete, clear, index cursors) and the schema calls of the
//! migration steps. `indexed_db_futures` 0.6 offers durability and typed errors, but it cannot wrap
//! a connection opened elsewhere and it owns the open request, so a `blocked` open could not be
//! abandoned cleanly; it also pulls in six macro and helper crates.
//!
//! Three things are done on web-sys directly ([`open`], [`transaction`]), because `idb` does not
//! cover them: the open handshake (stop waiting on `blocked` and close the connection should it
//! open later; run the migration inside `upgradeneeded`), transactions with a `durability` option,
//! and awaiting a transaction's outcome (idb's transaction future reads the bubbled request error
//! from the wrong event target, so an aborted import would not say why).

mod channel;
mod codec;
mod config;
mod errors;
mod events;
mod history;
mod open;
mod relay_history;
mod requests;
mod sandbox;
pub mod schema;
mod settings;
mod transaction;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, IdbDatabase};
use webhook_engine::order;

pub use channel::{channel_name, ChangeNotice, Subscription};
pub use config::{sort_by_name, LocalConfig};
pub use errors::StorageError;
pub use events::EventClaim;
pub use history::{AttemptRecord, ExecutionPage, PageCursor, PageRequest, ScanControl};
pub use open::delete_database;
pub use relay_history::{RelayRecord, RELAY_CURSOR_KEY};
pub use sandbox::SandboxRecords;
pub use schema::SCHEMA_VERSION;

use channel::Channel;

/// Who is told when another tab's upgrade or delete closes a connection.
type ClosedListeners = Rc<RefCell<Vec<Box<dyn FnOnce(ClosedBy)>>>>;

/// What closed a connection: another tab's upgrade keeps the data (a tab of the newer version
/// carries on with it), a deletion does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedBy {
    Upgrade,
    Deletion,
}

/// The database the app itself uses (tests use names of their own).
pub const DATABASE_NAME: &str = "webhook-automations";

/// A connection to one database, plus the channel that tells other tabs about its writes.
///
/// Not `Clone`: dropping it (or [`Store::close`]) closes the connection. Share one with `Rc`.
pub struct Store {
    name: String,
    db: IdbDatabase,
    channel: Channel,
    /// Set when another tab's upgrade or delete made this connection close itself.
    closed: Rc<Cell<bool>>,
    /// Told once when that happens.
    on_closed: ClosedListeners,
    _on_version_change: Closure<dyn FnMut(Event)>,
}

impl Store {
    /// Opens (and creates or upgrades) the database `name`.
    pub async fn open(name: &str) -> Result<Store, StorageError> {
        let db = open::open(name).await?;
        let closed = Rc::new(Cell::new(false));
        let on_closed = ClosedListeners::default();
        // Another tab wants a newer version, or deletes the database: let it, by closing ours.
        let on_version_change = Closure::<dyn FnMut(Event)>::new({
            let db = db.clone();
            let (closed, on_closed) = (closed.clone(), on_closed.clone());
            move |event: Event| {
                closed.set(true);
                db.close();
                let new_version = js_sys::Reflect::get(&event, &JsValue::from_str("newVersion"))
                    .unwrap_or(JsValue::NULL);
                let by = if new_version.is_null() {
                    ClosedBy::Deletion
                } else {
                    ClosedBy::Upgrade
                };
                let told: Vec<_> = on_closed.borrow_mut().drain(..).collect();
                for tell in told {
                    tell(by);
                }
            }
        });
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        Ok(Store {
            name: name.to_string(),
            channel: Channel::open(name),
            db,
            closed,
            on_closed,
            _on_version_change: on_version_change,
        })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether another tab's upgrade or delete closed this connection; the page should reload.
    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// Calls `callback` once, when another tab's upgrade or delete closes this connection.
    pub fn on_closed(&self, callback: impl FnOnce(ClosedBy) + 'static) {
        self.on_closed.borrow_mut().push(Box::new(callback));
    }

    /// The names of the database's object stores, sorted (for diagnostics and tests).
    pub fn store_names(&self) -> Vec<String> {
        let names = self.db.object_store_names();
        let mut out: Vec<String> = (0..names.length()).filter_map(|i| names.get(i)).collect();
        order::sort_by(&mut out, |a, b| a.cmp(b));
        out
    }

    /// Calls `callback` with what another tab (or another `Store` in this page) changed. Every
    /// write of this module posts its notice after its transaction commits; a `Store` does not
    /// hear its own. Dropping the returned [`Subscription`] unsubscribes.
    pub fn on_change(&self, callback: impl Fn(ChangeNotice) + 'static) -> Subscription {
        self.channel.subscribe(callback)
    }

    /// Closes the connection (once its running transactions finish) and the channel.
    pub fn close(self) {
        drop(self);
    }

    fn db(&self) -> Result<&IdbDatabase, StorageError> {
        if self.closed.get() {
            Err(StorageError::Closed)
        } else {
            Ok(&self.db)
        }
    }

    fn notify(&self, notice: ChangeNotice) {
        self.channel.post(notice);
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
        self.db.close();
        self.channel.close();
    }
}

/// Two handles are equal when they are the same connection: pages take the store as a property, and
/// Yew compares properties to decide whether to render again.
impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("name", &self.name)
            .field("closed", &self.closed.get())
            .finish()
    }
}
