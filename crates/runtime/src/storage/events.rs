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

/// An event to claim, with what it started, ready to store.
pub struct EventClaim {
    event_id: String,
    seen: JsValue,
    executions: Vec<JsValue>,
    outbox: Vec<JsValue>,
    handover: Option<JsValue>,
    /// It holds deliveries to make (outbox entries or a handover).
    must_survive: bool,
}

impl EventClaim {
    pub fn new<O: Serialize, H: Serialize>(
        event_id: &str,
        now_ms: i64,
        executions: &[Execution],
        outbox: &[O],
        handover: Option<&H>,
    ) -> Result<EventClaim, StorageError> {
        Ok(EventClaim {
            event_id: event_id.to_owned(),
            seen: to_js(&SeenEvent {
                id: event_id,
                seen_at_ms: now_ms,
            })?,
            executions: executions.iter().map(to_js).collect::<Result<_, _>>()?,
            outbox: outbox.iter().map(to_js).collect::<Result<_, _>>()?,
            handover: handover.map(to_js).transpose()?,
            must_survive: !outbox.is_empty() || handover.is_some(),
        })
    }
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
        let claim = EventClaim::new(event_id, now_ms, executions, outbox, handover)?;
        let claimed = self.claim_events(&[claim]).await?;
        Ok(claimed.first().copied().unwrap_or(false))
    }

    /// [`Store::claim_event_and_record`] for several events, in one transaction: says for each
    /// whether it was claimed here (and all it started stored). A refused transaction stores none.
    pub async fn claim_events(&self, claims: &[EventClaim]) -> Result<Vec<bool>, StorageError> {
        // Deliveries to make must survive a crash; events that started none cost no disk flush.
        let durability = if claims.iter().any(|claim| claim.must_survive) {
            Durability::Strict
        } else {
            Durability::Relaxed
        };
        let tx = Tx::write(
            self.db()?,
            &[EVENTS, EXECUTIONS, OUTBOX, HANDOVERS],
            durability,
        )?;
        let events = tx.store(EVENTS)?;
        let executions = tx.store(EXECUTIONS)?;
        let outbox = tx.store(OUTBOX)?;
        let handovers = tx.store(HANDOVERS)?;
        let mut claimed = Vec::with_capacity(claims.len());
        for claim in claims {
            if events
                .get(JsValue::from_str(&claim.event_id))?
                .await?
                .is_some()
            {
                claimed.push(false);
                continue;
            }
            events.put(&claim.seen, None)?;
            for value in &claim.executions {
                executions.put(value, None)?;
            }
            for value in &claim.outbox {
                outbox.put(value, None)?;
            }
            if let Some(handover) = &claim.handover {
                handovers.put(handover, None)?;
            }
            claimed.push(true);
        }
        tx.commit().await?;
        let stored = || claims.iter().zip(&claimed).filter(|(_, claimed)| **claimed);
        if stored().any(|(claim, _)| !claim.executions.is_empty()) {
            self.notify(ChangeNotice::Executions);
        }
        if stored().any(|(claim, _)| !claim.outbox.is_empty()) {
            self.notify(ChangeNotice::Outbox);
        }
        if stored().any(|(claim, _)| claim.handover.is_some()) {
            self.notify(ChangeNotice::Handovers);
        }
        Ok(claimed)
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
