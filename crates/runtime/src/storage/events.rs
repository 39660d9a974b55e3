//! The ids of the CRM events already run in this browser.
//!
//! A CRM page may hand the same event over again: after a reload, from a second tab showing the same
//! record, or when its own hand-over is retried. Each event must run its automations once. The check
//! and the record are one `readwrite` transaction, and IndexedDB never runs two of those on one store
//! at the same time, so when two tabs claim one id exactly one of them wins.

use idb::{KeyRange, Query};
use serde::Serialize;
use wasm_bindgen::JsValue;
use webhook_engine::runner::Execution;

use super::codec::to_js;
use super::errors::StorageError;
use super::schema::{time_key, BY_SEEN_AT, EVENTS, EXECUTIONS, HANDOVERS, OUTBOX};
use super::transaction::{Durability, Tx};
use super::{ChangeNotice, Store};

#[derive(Serialize)]
struct SeenEvent<'a> {
    id: &'a str,
    seen_at_ms: i64,
}

impl Store {
    /// Claims `event_id` for this browser and stores what the event started in the same
    /// transaction: its executions, and the outbox entries of the deliveries still to make. Either
    /// all of it is stored and the answer is true, or, when this or another tab claimed the id before
    /// (and retention has not forgotten it), nothing is and the answer is false. One transaction also
    /// means a tab closed mid-way cannot leave an event claimed but never sent.
    ///
    /// `handover`: the event as the relay is to get it, when some of its deliveries are the relay's
    /// — kept (in `handovers`) until the relay has taken it over.
    pub async fn claim_event_and_record<O: Serialize, H: Serialize>(
        &self,
        event_id: &str,
        now_ms: i64,
        executions: &[Execution],
        outbox: &[O],
        handover: Option<&H>,
    ) -> Result<bool, StorageError> {
        let seen = to_js(&SeenEvent {
            id: event_id,
            seen_at_ms: now_ms,
        })?;
        let executions_js = executions
            .iter()
            .map(to_js)
            .collect::<Result<Vec<_>, _>>()?;
        let outbox_js = outbox.iter().map(to_js).collect::<Result<Vec<_>, _>>()?;
        let handover_js = handover.map(to_js).transpose()?;
        // Deliveries to make must survive a crash; an event that started none costs no disk flush.
        let durability = if outbox.is_empty() && handover.is_none() {
            Durability::Relaxed
        } else {
            Durability::Strict
        };
        let tx = Tx::write(
            self.db()?,
            &[EVENTS, EXECUTIONS, OUTBOX, HANDOVERS],
            durability,
        )?;
        let events = tx.store(EVENTS)?;
        if events.get(JsValue::from_str(event_id))?.await?.is_some() {
            return Ok(false);
        }
        events.put(&seen, None)?;
        let store = tx.store(EXECUTIONS)?;
        for value in &executions_js {
            store.put(value, None)?;
        }
        let store = tx.store(OUTBOX)?;
        for value in &outbox_js {
            store.put(value, None)?;
        }
        if let Some(handover) = &handover_js {
            tx.store(HANDOVERS)?.put(handover, None)?;
        }
        tx.commit().await?;
        if !executions.is_empty() {
            self.notify(ChangeNotice::Executions);
        }
        if !outbox.is_empty() {
            self.notify(ChangeNotice::Outbox);
        }
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

impl Store {
    /// The events still waiting to be handed over to the relay.
    pub async fn handovers(&self) -> Result<Vec<serde_json::Value>, StorageError> {
        let tx = Tx::read(self.db()?, &[HANDOVERS])?;
        let request = tx.store(HANDOVERS)?.get_all(None, None)?;
        request
            .await?
            .into_iter()
            .map(|value| super::codec::from_record(value, "handover", HANDOVERS, "id"))
            .collect()
    }

    /// The relay has taken these events over: they wait no longer.
    pub async fn handed_over(&self, event_ids: &[String]) -> Result<(), StorageError> {
        let tx = Tx::write(self.db()?, &[HANDOVERS], Durability::Strict)?;
        let store = tx.store(HANDOVERS)?;
        for id in event_ids {
            store.delete(JsValue::from_str(id))?;
        }
        tx.commit().await
    }
}
