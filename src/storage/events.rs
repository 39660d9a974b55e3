//! The ids of the CRM events already run in this browser.
//!
//! A CRM page may hand the same event over again: after a reload, from a second tab showing the same
//! record, or when its own hand-over is retried. Each event must run its automations once. The check
//! and the record are one `readwrite` transaction, and IndexedDB never runs two of those on one store
//! at the same time, so when two tabs claim one id exactly one of them wins.

use idb::{KeyRange, Query};
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::codec::to_js;
use super::errors::StorageError;
use super::schema::{time_key, BY_SEEN_AT, EVENTS};
use super::transaction::{Durability, Tx};
use super::Store;

#[derive(Serialize)]
struct SeenEvent<'a> {
    id: &'a str,
    seen_at_ms: i64,
}

impl Store {
    /// Claims `event_id` for this browser: true the first time, false when this or another tab
    /// claimed it before (and retention has not forgotten it yet).
    pub async fn claim_event(&self, event_id: &str, now_ms: i64) -> Result<bool, StorageError> {
        let tx = Tx::write(self.db()?, &[EVENTS], Durability::Relaxed)?;
        let store = tx.store(EVENTS)?;
        if store.get(JsValue::from_str(event_id))?.await?.is_some() {
            return Ok(false);
        }
        let seen = SeenEvent {
            id: event_id,
            seen_at_ms: now_ms,
        };
        store.put(&to_js(&seen)?, None)?;
        tx.commit().await?;
        Ok(true)
    }

    /// Forgets the event ids first seen before `seen_before_ms`, and says how many.
    pub async fn forget_events_before(&self, seen_before_ms: i64) -> Result<u32, StorageError> {
        let tx = Tx::write(self.db()?, &[EVENTS], Durability::Relaxed)?;
        let store = tx.store(EVENTS)?;
        let older = KeyRange::upper_bound(&time_key(seen_before_ms), Some(true))?;
        let keys = store
            .index(BY_SEEN_AT)?
            .get_all_keys(Some(Query::KeyRange(older)), None)?
            .await?;
        for key in &keys {
            store.delete(key.clone())?;
        }
        tx.commit().await?;
        Ok(keys.len() as u32)
    }
}
