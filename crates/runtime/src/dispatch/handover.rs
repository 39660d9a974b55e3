//! Handing events over to the relay. An event whose automations use relay webhooks is claimed and
//! stored with its handover in one transaction (so a closed tab loses nothing), then posted to the
//! relay (`POST /v1/events`, with the configuration revision it was planned under) until the relay
//! takes it (`202`). The relay keeps each event id once for its whole retention, so posting one
//! again — from another tab, after a reload — sends nothing twice. Meanwhile the event's relay
//! deliveries wait in the history as pending, saying why; the relay's own records replace them.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use webhook_engine::event::Event;
use webhook_engine::runner::{Environment, Execution, Status};

use super::{BrowserEnvironment, DispatchProblem, Dispatcher};
use crate::relay::{RelayClient, RelayError};

/// An event waiting for the relay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    /// The event's id: one handover per event.
    pub id: String,
    pub event: Event,
    /// The configuration revision the event was planned under.
    pub revision: u64,
    /// The relay deliveries this browser recorded as pending for it.
    pub executions: Vec<String>,
}

/// The longest wait between two tries while the relay cannot take events.
const LONGEST_WAIT_MS: u64 = 60_000;
const FIRST_WAIT_MS: u64 = 1_000;

impl Dispatcher {
    /// Posts every waiting handover to the relay, oldest revision first; what the relay takes
    /// leaves the store, the rest is tried again later (sooner when the relay connection changes).
    pub(super) fn hand_over_waiting(self: &Rc<Self>) {
        if self.handing_over.replace(true) {
            // After the round under way, another at once: it may predate what changed.
            self.handover_again.set(true);
            return;
        }
        let dispatcher = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let retry = dispatcher.hand_over_once().await;
            dispatcher.handing_over.set(false);
            if dispatcher.handover_again.replace(false) {
                dispatcher.hand_over_waiting();
                return;
            }
            match retry {
                Some(wait_ms) => dispatcher.hand_over_after(wait_ms),
                None => dispatcher.handover_wait_ms.set(FIRST_WAIT_MS),
            }
        });
    }

    /// One round: the wait before the next when something is still waiting.
    async fn hand_over_once(self: &Rc<Self>) -> Option<u64> {
        let waiting = self.waiting_handovers().await;
        if waiting.is_empty() {
            return None;
        }
        let Some(client) = self.relay.borrow().clone() else {
            self.note_waiting(
                &waiting,
                "waiting for the relay: none is connected in this browser — an admin connects it in Settings → Relay (or the CRM page names it)",
            )
            .await;
            return Some(LONGEST_WAIT_MS);
        };
        let mut by_revision = waiting;
        webhook_engine::order::sort_by_key(&mut by_revision, |handover| handover.revision);
        for batch in by_revision.chunk_by(|a, b| a.revision == b.revision) {
            for chunk in batch.chunks(MAX_EVENTS_PER_POST) {
                // The relay's copy older than this page's (`Behind`) is caught up by the page that
                // can put it (an admin's); until then these wait like any other refusal.
                if let Err(error) = self.hand_over_chunk(&client, chunk).await {
                    self.note_waiting(chunk, &format!("waiting for the relay: {error}"))
                        .await;
                    let wait = self.handover_wait_ms.get();
                    self.handover_wait_ms.set((wait * 2).min(LONGEST_WAIT_MS));
                    return Some(wait);
                }
            }
        }
        None
    }

    /// Posts `chunk` (one revision). The relay refuses a whole post for one event it will never
    /// take (`RelayError::refuses_the_events`): then each is posted alone, so that one fails and
    /// the others go on. `Err` when the relay cannot take events now: they all wait.
    async fn hand_over_chunk(
        &self,
        client: &RelayClient,
        chunk: &[Handover],
    ) -> Result<(), RelayError> {
        let events: Vec<Event> = chunk.iter().map(|h| h.event.clone()).collect();
        match client.hand_over(&events, chunk[0].revision).await {
            Ok(()) => {
                self.taken_over(chunk).await;
                Ok(())
            }
            Err(error) if error.refuses_the_events() && chunk.len() == 1 => {
                self.refused(chunk, &error).await;
                Ok(())
            }
            Err(error) if error.refuses_the_events() => {
                for handover in chunk {
                    let alone = std::slice::from_ref(handover);
                    match client
                        .hand_over(std::slice::from_ref(&handover.event), handover.revision)
                        .await
                    {
                        Ok(()) => self.taken_over(alone).await,
                        Err(error) if error.refuses_the_events() => {
                            self.refused(alone, &error).await;
                        }
                        Err(error) => return Err(error),
                    }
                }
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// The relay will never take these events: their relay deliveries fail saying why, and they
    /// leave the store so the events after them go on.
    async fn refused(&self, handed: &[Handover], error: &RelayError) {
        let why = match error {
            RelayError::Refused { status, message } => format!("{message} ({status})"),
            other => other.to_string(),
        };
        let reason = format!("not sent: the relay refused this event, and would again — {why}");
        let now_ms = BrowserEnvironment.now_ms();
        if let Some(store) = &self.store {
            let mut failed: Vec<Execution> = Vec::new();
            for id in handed.iter().flat_map(|handover| &handover.executions) {
                if let Ok(Some(mut execution)) = store.get_execution(id).await {
                    if execution.status == Status::Pending && execution.attempts.is_empty() {
                        execution.finish(Status::Failed, Some(reason.clone()), now_ms);
                        failed.push(execution);
                    }
                }
            }
            if !failed.is_empty() {
                match store.put_executions(&failed).await {
                    Ok(()) => failed.iter().for_each(|execution| self.announce(execution)),
                    Err(error) => self.tell(&DispatchProblem::RefusalNotRecorded { error }),
                }
            }
        }
        self.drop_handovers(handed).await;
    }

    /// What waits: the stored handovers, and those only this tab's memory holds (storage refused
    /// them, or there is none).
    async fn waiting_handovers(&self) -> Vec<Handover> {
        let mut waiting = self.memory_handovers.borrow().clone();
        let Some(store) = &self.store else {
            return waiting;
        };
        match store.handovers().await {
            Ok(entries) => {
                let stored = entries
                    .into_iter()
                    .filter_map(|entry| serde_json::from_str::<Handover>(&entry.to_string()).ok());
                for handover in stored {
                    if !waiting.iter().any(|known| known.id == handover.id) {
                        waiting.push(handover);
                    }
                }
            }
            Err(error) => self.tell(&DispatchProblem::OutboxUnreadable { error }),
        }
        waiting
    }

    /// `handed` wait no more, in this tab's memory or in the store.
    async fn drop_handovers(&self, handed: &[Handover]) {
        let ids: Vec<String> = handed.iter().map(|handover| handover.id.clone()).collect();
        self.memory_handovers
            .borrow_mut()
            .retain(|handover| !ids.contains(&handover.id));
        if let Some(store) = &self.store {
            if let Err(error) = store.handed_over(&ids).await {
                // The relay keeps each event id once: posting it again later sends nothing twice.
                self.tell(&DispatchProblem::NotQueued { error });
            }
        }
    }

    async fn taken_over(&self, handed: &[Handover]) {
        self.drop_handovers(handed).await;
        self.note_waiting(handed, "handed over to the relay, which sends it")
            .await;
        // The relay's record replaces the placeholder as soon as the history reads it.
        crate::relay::history::poll_now();
    }

    /// Says on each pending relay delivery of `handovers` where it stands.
    async fn note_waiting(&self, handovers: &[Handover], note: &str) {
        let Some(store) = &self.store else { return };
        let mut updated: Vec<Execution> = Vec::new();
        for id in handovers.iter().flat_map(|handover| &handover.executions) {
            if let Ok(Some(mut execution)) = store.get_execution(id).await {
                let pending = execution.status == webhook_engine::runner::Status::Pending
                    && execution.attempts.is_empty();
                if pending && execution.reason.as_deref() != Some(note) {
                    execution.reason = Some(note.to_owned());
                    updated.push(execution);
                }
            }
        }
        if updated.is_empty() {
            return;
        }
        if store.put_executions(&updated).await.is_ok() {
            for execution in &updated {
                self.announce(execution);
            }
        }
    }

    /// Tries again after `wait_ms`, unless a try is already under way.
    fn hand_over_after(self: &Rc<Self>, wait_ms: u64) {
        let weak = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            BrowserEnvironment.sleep_ms(wait_ms).await;
            if let Some(dispatcher) = weak.upgrade() {
                dispatcher.hand_over_waiting();
            }
        });
    }
}

/// The relay takes at most this many events in one `POST /v1/events`.
const MAX_EVENTS_PER_POST: usize = 1_000;
