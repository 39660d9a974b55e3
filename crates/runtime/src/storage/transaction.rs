//! Transactions with a durability hint and an awaitable outcome, on web-sys directly; the requests
//! inside them go through the `idb` crate's wrappers.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Event, IdbDatabase, IdbTransaction};

use super::errors::StorageError;
use super::requests::{deferred, once};

/// How hard the browser should try to make a write survive a crash or power loss before reporting
/// it committed. Configuration is `Strict`; history, which is rewritten often, is `Relaxed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    Strict,
    Relaxed,
}

impl Durability {
    fn as_str(self) -> &'static str {
        match self {
            Durability::Strict => "strict",
            Durability::Relaxed => "relaxed",
        }
    }
}

/// A transaction whose outcome can be awaited. A write transaction dropped before
/// [`Tx::commit`] is aborted, so an early return (`?`) never leaves half a change behind.
pub(crate) struct Tx {
    raw: IdbTransaction,
    outcome: Option<JsFuture>,
    writes: bool,
}

impl Tx {
    pub(crate) fn read(db: &IdbDatabase, stores: &[&str]) -> Result<Tx, StorageError> {
        let raw = db
            .transaction_with_str_sequence(&names(stores))
            .map_err(|error| StorageError::from_js(&error))?;
        Ok(Tx::watch(raw, false))
    }

    /// A `readwrite` transaction with a durability hint. `web-sys` only offers the options argument
    /// behind `--cfg=web_sys_unstable_apis`, so `db.transaction(stores, "readwrite", {durability})`
    /// is called through `Reflect`; browsers without durability support ignore the option (they
    /// behave as "default", which is what they did anyway).
    pub(crate) fn write(
        db: &IdbDatabase,
        stores: &[&str],
        durability: Durability,
    ) -> Result<Tx, StorageError> {
        let open = || -> Result<IdbTransaction, JsValue> {
            let options = Object::new();
            Reflect::set(
                &options,
                &JsValue::from_str("durability"),
                &JsValue::from_str(durability.as_str()),
            )?;
            let transaction: Function =
                Reflect::get(db, &JsValue::from_str("transaction"))?.dyn_into()?;
            transaction
                .call3(
                    db,
                    &names(stores),
                    &JsValue::from_str("readwrite"),
                    &options,
                )?
                .dyn_into::<IdbTransaction>()
        };
        let raw = open().map_err(|error| StorageError::from_js(&error))?;
        Ok(Tx::watch(raw, true))
    }

    fn watch(raw: IdbTransaction, writes: bool) -> Tx {
        let (promise, resolve, reject) = deferred();
        let on_complete = once(move |_: Event| {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        let on_abort = once({
            let raw = raw.clone();
            move |_: Event| {
                // `error` is the DOMException that caused the abort (QuotaExceededError,
                // ConstraintError…), or null when the transaction was aborted on purpose.
                let error = raw.error().map(JsValue::from).unwrap_or(JsValue::NULL);
                let _ = reject.call1(&JsValue::UNDEFINED, &error);
            }
        });
        raw.set_oncomplete(Some(on_complete.unchecked_ref()));
        raw.set_onabort(Some(on_abort.unchecked_ref()));
        Tx {
            raw,
            // Wrapping the promise at once attaches its handlers, so an abort nobody awaits is
            // not reported as an unhandled rejection.
            outcome: Some(JsFuture::from(promise)),
            writes,
        }
    }

    /// An object store of this transaction, through the `idb` crate's request wrappers.
    pub(crate) fn store(&self, name: &str) -> Result<idb::ObjectStore, StorageError> {
        Ok(idb::Transaction::from(self.raw.clone()).object_store(name)?)
    }

    /// Waits until the transaction has committed; an abort is reported with its cause.
    pub(crate) async fn commit(mut self) -> Result<(), StorageError> {
        let outcome = self.outcome.take().expect("a transaction commits once");
        self.writes = false;
        outcome
            .await
            .map(|_| ())
            .map_err(|error| StorageError::from_js(&error))
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.writes {
            // Throws InvalidStateError when it already finished: nothing to undo then.
            let _ = self.raw.abort();
        }
    }
}

fn names(stores: &[&str]) -> Array {
    stores.iter().map(|name| JsValue::from_str(name)).collect()
}
