//! Opening a database (running the migrations in `upgradeneeded`, giving up on a `blocked`
//! upgrade after a grace period) and deleting one, on web-sys directly.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Event, IdbDatabase, IdbFactory, IdbOpenDbRequest, IdbVersionChangeEvent};

use super::errors::StorageError;
use super::requests::{deferred, once, once_version_change, set_timeout};
use super::schema::{self, SCHEMA_VERSION};

/// The global `indexedDB`, in a window or a worker.
pub(crate) fn factory() -> Result<IdbFactory, StorageError> {
    // Reading the property itself throws (SecurityError) where storage is disabled.
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB"))
        .map_err(|error| StorageError::from_open(&error))?;
    if value.is_null() || value.is_undefined() {
        return Err(StorageError::Unavailable(
            "this browser has no IndexedDB".into(),
        ));
    }
    value
        .dyn_into::<IdbFactory>()
        .map_err(|_| StorageError::Unavailable("this browser has no IndexedDB".into()))
}
/// How long an open or delete may stay `blocked` before we stop waiting. `blocked` also fires when
/// the other connections are already closing but still finish a transaction (they close for real a
/// moment later), so it is not reported at once; a tab that never lets go is reported after this.
pub(crate) const BLOCKED_GRACE_MS: i32 = 1_500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Waiting,
    Settled,
    /// We reported `Blocked` and stopped waiting; a connection that still opens is closed at once.
    Abandoned,
}

/// Waits for an open or delete request. When it stays `blocked` (another connection does not close
/// for the version change) for [`BLOCKED_GRACE_MS`], it stops waiting and says so; should the request
/// still succeed later, the connection it opens is closed at once so it blocks nobody.
async fn settle(request: &IdbOpenDbRequest) -> Result<JsValue, Settled> {
    let (promise, resolve, reject) = deferred();
    let phase = Rc::new(Cell::new(Phase::Waiting));

    let on_success = once({
        let request = request.clone();
        let phase = phase.clone();
        let reject = reject.clone();
        move |_: Event| match request.result() {
            Ok(result) if phase.get() == Phase::Abandoned => {
                if let Some(db) = result.dyn_ref::<IdbDatabase>() {
                    db.close();
                }
            }
            Ok(result) => {
                phase.set(Phase::Settled);
                let _ = resolve.call1(&JsValue::UNDEFINED, &result);
            }
            Err(error) => {
                phase.set(Phase::Settled);
                let _ = reject.call1(&JsValue::UNDEFINED, &error);
            }
        }
    });
    let on_error = once({
        let request = request.clone();
        let phase = phase.clone();
        let reject = reject.clone();
        move |_: Event| {
            if phase.get() == Phase::Abandoned {
                return;
            }
            phase.set(Phase::Settled);
            let error = request
                .error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL);
            let _ = reject.call1(&JsValue::UNDEFINED, &error);
        }
    });
    let on_blocked = once({
        let phase = phase.clone();
        move |_: Event| {
            let give_up = once(move |_: Event| {
                if phase.get() == Phase::Waiting {
                    phase.set(Phase::Abandoned);
                    let _ = reject.call1(&JsValue::UNDEFINED, &JsValue::NULL);
                }
            });
            if set_timeout(&give_up, BLOCKED_GRACE_MS).is_err() {
                // No timers (should not happen in a page or worker): report at once.
                let _ = give_up
                    .unchecked_ref::<Function>()
                    .call0(&JsValue::UNDEFINED);
            }
        }
    });
    request.set_onsuccess(Some(on_success.unchecked_ref()));
    request.set_onerror(Some(on_error.unchecked_ref()));
    request.set_onblocked(Some(on_blocked.unchecked_ref()));

    JsFuture::from(promise).await.map_err(|error| {
        if phase.get() == Phase::Abandoned {
            Settled::Blocked
        } else {
            Settled::Failed(error)
        }
    })
}
enum Settled {
    Blocked,
    Failed(JsValue),
}

/// Opens `name` at [`SCHEMA_VERSION`], creating or migrating it (see [`schema`]).
pub(crate) async fn open(name: &str) -> Result<IdbDatabase, StorageError> {
    let factory = factory()?;
    let request = factory
        .open_with_u32(name, SCHEMA_VERSION)
        .map_err(|error| StorageError::from_open(&error))?;

    let migration_error: Rc<RefCell<Option<StorageError>>> = Rc::default();
    let on_upgrade = once_version_change({
        let request = request.clone();
        let migration_error = migration_error.clone();
        move |event: IdbVersionChangeEvent| {
            let Some(tx) = request.transaction() else {
                return;
            };
            let result = match request.result() {
                Ok(db) => schema::upgrade(db.unchecked_ref(), &tx, event.old_version() as u32),
                Err(error) => Err(StorageError::from_js(&error)),
            };
            if let Err(error) = result {
                *migration_error.borrow_mut() = Some(error);
                let _ = tx.abort();
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));

    match settle(&request).await {
        Ok(db) => Ok(db.unchecked_into()),
        Err(Settled::Blocked) => Err(StorageError::Blocked),
        Err(Settled::Failed(error)) => {
            if let Some(error) = migration_error.borrow_mut().take() {
                return Err(error);
            }
            match StorageError::from_open(&error) {
                StorageError::TooNew { .. } => Err(StorageError::TooNew {
                    found: current_version(&factory, name).await.unwrap_or(0),
                }),
                other => Err(other),
            }
        }
    }
}

/// The version of an existing database, opened without asking for a version (so no upgrade runs).
async fn current_version(factory: &IdbFactory, name: &str) -> Option<u32> {
    let request = factory.open(name).ok()?;
    let db: IdbDatabase = settle(&request).await.ok()?.unchecked_into();
    let version = db.version() as u32;
    db.close();
    Some(version)
}

/// Deletes the database `name` with everything in it. Open [`Store`](super::Store)s of it close
/// themselves; a tab of an older build that does not gives [`StorageError::Blocked`].
pub async fn delete_database(name: &str) -> Result<(), StorageError> {
    let request = factory()?
        .delete_database(name)
        .map_err(|error| StorageError::from_js(&error))?;
    match settle(&request).await {
        Ok(_) => Ok(()),
        Err(Settled::Blocked) => Err(StorageError::Blocked),
        Err(Settled::Failed(error)) => Err(StorageError::from_js(&error)),
    }
}
