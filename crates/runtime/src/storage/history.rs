//! Execution history and the outbox, both written by the runner.
//!
//! History is written in batches (`put_executions` takes every record that changed since the last
//! write) in `relaxed` transactions: losing the last second of history to a power cut is acceptable,
//! waiting for a disk flush on every attempt is not. The outbox is what makes a reload lose nothing,
//! so adding to it is `strict`; removing an entry that was answered is `relaxed` (at worst the
//! request is re-sent once with the same `webhook-id`, which receivers deduplicate).
//!
//! Reading the history page by page, searching it and exporting it live in the submodules.

mod by_index;
mod export;
mod page;
mod query;
mod range;
mod record;
mod walk;

use std::future::IntoFuture;

use idb::{CursorDirection, KeyRange, Query};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::JsValue;
use webhook_engine::history::relay::is_waiting_placeholder;
use webhook_engine::runner::Execution;
use webhook_engine::settings::Settings;

pub use page::{ExecutionPage, PageCursor, PageRequest, ScanControl};

use super::codec::{from_js, from_record, to_js};
use super::errors::StorageError;
use super::schema::{time_key, BY_CREATED_AT, EXECUTIONS, OUTBOX};
use super::transaction::{Durability, Tx};
use super::{ChangeNotice, Store};

impl Store {
    /// Adds or replaces these executions (by id), all in one transaction.
    pub async fn put_executions(&self, executions: &[Execution]) -> Result<(), StorageError> {
        if executions.is_empty() {
            return Ok(());
        }
        let values = executions
            .iter()
            .map(to_js)
            .collect::<Result<Vec<_>, _>>()?;
        let tx = Tx::write(self.db()?, &[EXECUTIONS], Durability::Relaxed)?;
        let store = tx.store(EXECUTIONS)?;
        for value in &values {
            store.put(value, None)?;
        }
        tx.commit().await?;
        self.notify(ChangeNotice::Executions);
        Ok(())
    }

    /// Changes with `change`, in one transaction, those of the executions `ids` that are still
    /// relay placeholders (pending, no attempt): a record the relay gave, merged meanwhile by the
    /// history, is never written over. `change` says whether it changed one. Resolves to those
    /// changed.
    pub async fn update_relay_placeholders(
        &self,
        ids: &[String],
        change: impl Fn(&mut Execution) -> bool,
    ) -> Result<Vec<Execution>, StorageError> {
        let tx = Tx::write(self.db()?, &[EXECUTIONS], Durability::Relaxed)?;
        let store = tx.store(EXECUTIONS)?;
        let mut changed = Vec::new();
        for id in ids {
            let Some(value) = store.get(JsValue::from_str(id))?.await? else {
                continue;
            };
            let mut execution: Execution = from_js(value, "execution", EXECUTIONS, id)?;
            if is_waiting_placeholder(&execution) && change(&mut execution) {
                store.put(&to_js(&execution)?, None)?;
                changed.push(execution);
            }
        }
        tx.commit().await?;
        if !changed.is_empty() {
            self.notify(ChangeNotice::Executions);
        }
        Ok(changed)
    }

    /// Stores an execution after an attempt and, in the same transaction, keeps its outbox entry
    /// while it is still pending (`Some`) or removes it once the execution has ended (`None`): a
    /// reload resumes exactly from the last attempt.
    pub async fn record_attempt<O: Serialize>(
        &self,
        execution: &Execution,
        pending: Option<&O>,
    ) -> Result<(), StorageError> {
        self.record_attempts(&[AttemptRecord::new(execution, pending)?])
            .await
    }

    /// [`Store::record_attempt`] for several executions, in one transaction: all are stored, or
    /// none.
    pub async fn record_attempts(&self, records: &[AttemptRecord]) -> Result<(), StorageError> {
        // The outbox entry of a delivery still to make must survive a crash; an ended one at worst
        // goes out once more with the same webhook-id, which receivers deduplicate.
        let durability = if records.iter().any(|record| record.entry.is_some()) {
            Durability::Strict
        } else {
            Durability::Relaxed
        };
        let tx = Tx::write(self.db()?, &[EXECUTIONS, OUTBOX], durability)?;
        let executions = tx.store(EXECUTIONS)?;
        let outbox = tx.store(OUTBOX)?;
        for record in records {
            executions.put(&record.execution, None)?;
            match &record.entry {
                Some(entry) => {
                    outbox.put(entry, None)?;
                }
                None => {
                    outbox.delete(JsValue::from_str(&record.id))?;
                }
            }
        }
        tx.commit().await?;
        self.notify(ChangeNotice::Executions);
        self.notify(ChangeNotice::Outbox);
        Ok(())
    }

    pub async fn get_execution(&self, id: &str) -> Result<Option<Execution>, StorageError> {
        let tx = Tx::read(self.db()?, &[EXECUTIONS])?;
        let request = tx
            .store(EXECUTIONS)?
            .get(JsValue::from_str(id))?
            .into_future();
        request
            .await?
            .map(|value| from_js(value, "execution", EXECUTIONS, id))
            .transpose()
    }

    /// The newest `limit` executions, newest first (walking the `created_at_ms` index backwards).
    pub async fn recent_executions(&self, limit: u32) -> Result<Vec<Execution>, StorageError> {
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        let tx = Tx::read(self.db()?, &[EXECUTIONS])?;
        let index = tx.store(EXECUTIONS)?.index(BY_CREATED_AT)?;
        let Some(cursor) = index
            .open_cursor(None, Some(CursorDirection::Prev))?
            .await?
        else {
            return Ok(out);
        };
        let mut cursor = cursor.into_managed();
        while let Some(value) = cursor.value()? {
            out.push(from_record(value, "execution", EXECUTIONS, "id")?);
            if out.len() >= limit as usize {
                break;
            }
            cursor.next(None).await?;
        }
        Ok(out)
    }

    /// Deletes every execution created before `created_before_ms` (retention) and says how many.
    pub async fn prune_executions_before(
        &self,
        created_before_ms: i64,
    ) -> Result<u32, StorageError> {
        let tx = Tx::write(self.db()?, &[EXECUTIONS], Durability::Relaxed)?;
        let store = tx.store(EXECUTIONS)?;
        let older = KeyRange::upper_bound(&time_key(created_before_ms), Some(true))?;
        let keys = store
            .index(BY_CREATED_AT)?
            .get_all_keys(Some(Query::KeyRange(older)), None)?
            .await?;
        for key in &keys {
            store.delete(key.clone())?;
        }
        tx.commit().await?;
        let count = keys.len() as u32;
        if count > 0 {
            self.notify(ChangeNotice::Executions);
        }
        Ok(count)
    }

    /// Retention: deletes the executions older than `settings` keep, as of `now_ms`, and says how
    /// many; event ids first seen before then are forgotten too.
    pub async fn prune_expired_executions(
        &self,
        settings: &Settings,
        now_ms: i64,
    ) -> Result<u32, StorageError> {
        let before_ms = settings.prune_before_ms(now_ms);
        self.forget_events_before(before_ms).await?;
        self.prune_executions_before(before_ms).await
    }

    /// Adds or replaces an outbox entry; it must be an object with a text `id`.
    pub async fn put_outbox<T: Serialize + ?Sized>(&self, entry: &T) -> Result<(), StorageError> {
        let value = to_js(entry)?;
        let id = js_sys::Reflect::get(&value, &JsValue::from_str("id")).ok();
        if !id.is_some_and(|id| id.is_string()) {
            return Err(StorageError::Other(
                "An outbox entry needs a text \"id\"; nothing was saved.".into(),
            ));
        }
        let tx = Tx::write(self.db()?, &[OUTBOX], Durability::Strict)?;
        tx.store(OUTBOX)?.put(&value, None)?;
        tx.commit().await?;
        self.notify(ChangeNotice::Outbox);
        Ok(())
    }

    /// Every outbox entry, in id order.
    pub async fn outbox(&self) -> Result<Vec<Value>, StorageError> {
        let tx = Tx::read(self.db()?, &[OUTBOX])?;
        let request = tx.store(OUTBOX)?.get_all(None, None)?.into_future();
        request
            .await?
            .into_iter()
            .map(|value| from_record(value, "outbox entry", OUTBOX, "id"))
            .collect()
    }
}

/// An execution as stored after an attempt, with its outbox entry while it is pending.
pub struct AttemptRecord {
    id: String,
    execution: JsValue,
    entry: Option<JsValue>,
}

impl AttemptRecord {
    pub fn new<O: Serialize>(
        execution: &Execution,
        pending: Option<&O>,
    ) -> Result<AttemptRecord, StorageError> {
        Ok(AttemptRecord {
            id: execution.id.clone(),
            execution: to_js(execution)?,
            entry: pending.map(to_js).transpose()?,
        })
    }
}
