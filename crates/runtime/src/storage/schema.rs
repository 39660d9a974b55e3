//! The database's schema and its migrations, one step per version.
//!
//! `STEPS[n]` upgrades a database at version `n` to version `n + 1`; opening runs every step from
//! the database's version up to [`SCHEMA_VERSION`] inside the one `versionchange` transaction, so an
//! upgrade either completes or leaves the database as it was. A new schema version adds one step at
//! the end and raises `SCHEMA_VERSION`; steps already shipped are never edited, because browsers out
//! there hold databases at each of their versions.
//!
//! | version | step | what it does |
//! | --- | --- | --- |
//! | 1 | [`v0_to_v1`] | `webhooks`, `automations` (key `id`), `settings` (key `key`) |
//! | 2 | [`v1_to_v2`] | `executions` (key `id`; indexes `automation_id`, `status`, `created_at_ms`), `outbox` (key `id`), `sandbox` (key `key`); keeps all data |
//! | 3 | [`v2_to_v3`] | `events` (key `id`; index `seen_at_ms`): the event ids already run, shared by tabs and reloads; keeps all data |
//! | 4 | [`v3_to_v4`] | `handovers` (key `id`): events waiting to be handed over to the relay; keeps all data |

use idb::{Database, IndexParams, KeyPath, ObjectStore, ObjectStoreParams, Transaction};
use wasm_bindgen::JsValue;
use web_sys::{IdbDatabase, IdbTransaction};

use super::errors::StorageError;

/// The schema version this build creates and reads.
pub const SCHEMA_VERSION: u32 = 4;

pub const WEBHOOKS: &str = "webhooks";
pub const AUTOMATIONS: &str = "automations";
pub const SETTINGS: &str = "settings";
pub const EXECUTIONS: &str = "executions";
pub const OUTBOX: &str = "outbox";
/// Records of the built-in sandbox CRM (kept by the sandbox module).
pub const SANDBOX: &str = "sandbox";
/// The ids of the CRM events already run, so a re-sent event runs once per browser.
pub const EVENTS: &str = "events";
/// Events whose deliveries the relay makes, kept until the relay has taken them over.
pub const HANDOVERS: &str = "handovers";
/// Index of `events` by when the event was first seen, for retention.
pub const BY_SEEN_AT: &str = "seen_at_ms";

/// Indexes of `executions`, each named after the field it indexes.
pub const BY_AUTOMATION: &str = "automation_id";
pub const BY_STATUS: &str = "status";
pub const BY_CREATED_AT: &str = "created_at_ms";

type Step = fn(&Database, &Transaction) -> Result<(), idb::Error>;

/// `STEPS[n]` takes version `n` to `n + 1`.
const STEPS: [Step; SCHEMA_VERSION as usize] = [v0_to_v1, v1_to_v2, v2_to_v3, v3_to_v4];

/// The first schema: configuration and settings.
fn v0_to_v1(db: &Database, _tx: &Transaction) -> Result<(), idb::Error> {
    create_store(db, WEBHOOKS, "id")?;
    create_store(db, AUTOMATIONS, "id")?;
    create_store(db, SETTINGS, "key")?;
    Ok(())
}

/// Execution history, the outbox and the sandbox CRM's records. Existing stores are untouched.
fn v1_to_v2(db: &Database, _tx: &Transaction) -> Result<(), idb::Error> {
    let executions = create_store(db, EXECUTIONS, "id")?;
    for field in [BY_AUTOMATION, BY_STATUS, BY_CREATED_AT] {
        executions.create_index(field, KeyPath::new_single(field), Some(IndexParams::new()))?;
    }
    create_store(db, OUTBOX, "id")?;
    create_store(db, SANDBOX, "key")?;
    Ok(())
}

/// Event ids already run. Existing stores are untouched.
fn v2_to_v3(db: &Database, _tx: &Transaction) -> Result<(), idb::Error> {
    let events = create_store(db, EVENTS, "id")?;
    events.create_index(
        BY_SEEN_AT,
        KeyPath::new_single(BY_SEEN_AT),
        Some(IndexParams::new()),
    )?;
    Ok(())
}

/// Events waiting for the relay. Existing stores are untouched.
fn v3_to_v4(db: &Database, _tx: &Transaction) -> Result<(), idb::Error> {
    create_store(db, HANDOVERS, "id")?;
    Ok(())
}

fn create_store(db: &Database, name: &str, key_path: &str) -> Result<ObjectStore, idb::Error> {
    let mut params = ObjectStoreParams::new();
    params.key_path(Some(KeyPath::new_single(key_path)));
    db.create_object_store(name, params)
}

/// Runs the steps from `old_version` to [`SCHEMA_VERSION`]; called from `upgradeneeded`, with the
/// upgrade transaction. On error the caller aborts the transaction, which undoes every step.
pub(crate) fn upgrade(
    db: &IdbDatabase,
    tx: &IdbTransaction,
    old_version: u32,
) -> Result<(), StorageError> {
    let database = Database::from(db.clone());
    let transaction = Transaction::from(tx.clone());
    for (from, step) in STEPS.iter().enumerate().skip(old_version as usize) {
        step(&database, &transaction).map_err(|error| {
            StorageError::Other(format!(
                "The browser's storage could not be upgraded from version {from} to {}: {}",
                from + 1,
                StorageError::from(error)
            ))
        })?;
    }
    Ok(())
}

/// A key for `IDBKeyRange` bounds on `created_at_ms`: the same number the codec writes.
pub(crate) fn time_key(ms: i64) -> JsValue {
    JsValue::from_f64(ms as f64)
}
