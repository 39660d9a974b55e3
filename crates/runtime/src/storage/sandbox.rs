//! The sandbox CRM's records, in the `sandbox` store (key path `key`):
//!
//! - one object per record, `{ key: "record:deal:302", entity: "deal", record: { … } }`, so a change
//!   writes one record and two tabs editing different records never overwrite each other;
//! - one `{ key: "ids", highest: { "deal": 304, … } }`: the highest id each entity ever gave out (the
//!   ids of deleted records are not reused). Its presence also says the sandbox was seeded, so a
//!   sandbox whose records were all deleted stays empty instead of being seeded again.
//!
//! Writes are `relaxed`: these are demo records, and a reload still finds every committed change.

use std::collections::BTreeMap;
use std::future::IntoFuture;

use idb::{KeyRange, Query};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use webhook_engine::event::Record;
use webhook_engine::order;
use webhook_engine::records::record_id;

use super::codec::{from_js, from_record, to_js};
use super::errors::StorageError;
use super::schema::SANDBOX;
use super::transaction::{Durability, Tx};
use super::{ChangeNotice, Store};

const IDS_KEY: &str = "ids";
const RECORD_PREFIX: &str = "record:";

/// The sandbox's records as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SandboxRecords {
    /// Records by entity key, each list in id order.
    pub records: BTreeMap<String, Vec<Record>>,
    /// The highest id each entity ever gave out.
    pub highest_ids: BTreeMap<String, u64>,
}

#[derive(Serialize, Deserialize)]
struct StoredRecord {
    key: String,
    entity: String,
    record: Record,
}

#[derive(Serialize, Deserialize)]
struct StoredIds {
    key: String,
    highest: BTreeMap<String, u64>,
}

impl Store {
    /// The sandbox's records, or `None` before it was first seeded.
    pub async fn load_sandbox(&self) -> Result<Option<SandboxRecords>, StorageError> {
        let tx = Tx::read(self.db()?, &[SANDBOX])?;
        let store = tx.store(SANDBOX)?;
        let range = Query::KeyRange(record_keys()?);
        // Both requests go out before either is awaited.
        let ids = store.get(JsValue::from_str(IDS_KEY))?.into_future();
        let records = store.get_all(Some(range), None)?.into_future();
        // Both are awaited before either result is used: dropping a request future before its
        // request settles would leave the browser calling a dropped callback.
        let (ids, records) = (ids.await, records.await);
        let (ids, records) = (ids?, records?);
        let Some(ids) = ids else {
            return Ok(None);
        };
        let ids: StoredIds = from_js(ids, "sandbox id counter", SANDBOX, IDS_KEY)?;
        let mut by_entity: BTreeMap<String, Vec<Record>> = BTreeMap::new();
        for value in records {
            let stored: StoredRecord = from_record(value, "sandbox record", SANDBOX, "key")?;
            by_entity
                .entry(stored.entity)
                .or_default()
                .push(stored.record);
        }
        for records in by_entity.values_mut() {
            order::sort_by_key(records, record_id);
        }
        Ok(Some(SandboxRecords {
            records: by_entity,
            highest_ids: ids.highest,
        }))
    }

    /// Replaces every sandbox record in one transaction: the first seeding, and "Reset sample data".
    pub async fn replace_sandbox(&self, sandbox: &SandboxRecords) -> Result<(), StorageError> {
        let mut values = vec![to_js(&StoredIds {
            key: IDS_KEY.into(),
            highest: sandbox.highest_ids.clone(),
        })?];
        for (entity, records) in &sandbox.records {
            for record in records {
                values.push(to_js(&stored_record(entity, record)?)?);
            }
        }
        let tx = Tx::write(self.db()?, &[SANDBOX], Durability::Relaxed)?;
        let store = tx.store(SANDBOX)?;
        store.clear()?;
        for value in &values {
            // Added, not put: two records with one id abort the whole replacement.
            store.add(value, None)?;
        }
        tx.commit().await?;
        self.notify(ChangeNotice::Sandbox);
        Ok(())
    }

    /// Adds or replaces one record of `entity` (by its id), and raises the entity's highest id when
    /// this one is higher.
    pub async fn put_sandbox_record(
        &self,
        entity: &str,
        record: &Record,
    ) -> Result<(), StorageError> {
        let value = to_js(&stored_record(entity, record)?)?;
        let id = record_id(record).unwrap_or_default();
        let tx = Tx::write(self.db()?, &[SANDBOX], Durability::Relaxed)?;
        let store = tx.store(SANDBOX)?;
        let mut ids = match store.get(JsValue::from_str(IDS_KEY))?.await? {
            Some(ids) => from_js(ids, "sandbox id counter", SANDBOX, IDS_KEY)?,
            None => StoredIds {
                key: IDS_KEY.into(),
                highest: BTreeMap::new(),
            },
        };
        let highest = ids.highest.entry(entity.to_string()).or_default();
        *highest = (*highest).max(id);
        store.put(&to_js(&ids)?, None)?;
        store.put(&value, None)?;
        tx.commit().await?;
        self.notify(ChangeNotice::Sandbox);
        Ok(())
    }

    pub async fn delete_sandbox_record(&self, entity: &str, id: u64) -> Result<(), StorageError> {
        let tx = Tx::write(self.db()?, &[SANDBOX], Durability::Relaxed)?;
        tx.store(SANDBOX)?
            .delete(JsValue::from_str(&record_key(entity, id)))?;
        tx.commit().await?;
        self.notify(ChangeNotice::Sandbox);
        Ok(())
    }
}

fn stored_record(entity: &str, record: &Record) -> Result<StoredRecord, StorageError> {
    let id = record_id(record).ok_or_else(|| {
        StorageError::Other(format!(
            "This {entity} has no numeric id, so it was not saved."
        ))
    })?;
    Ok(StoredRecord {
        key: record_key(entity, id),
        entity: entity.to_string(),
        record: record.clone(),
    })
}

fn record_key(entity: &str, id: u64) -> String {
    format!("{RECORD_PREFIX}{entity}:{id}")
}

/// Every key starting with `record:` (`;` is the character after `:`).
fn record_keys() -> Result<KeyRange, StorageError> {
    Ok(KeyRange::bound(
        &JsValue::from_str(RECORD_PREFIX),
        &JsValue::from_str("record;"),
        None,
        Some(true),
    )?)
}
