//! Handing events over to the relay. An event whose automations use relay webhooks is claimed and
//! stored with its handover in one transaction (so a closed tab loses nothing), then posted to the
//! relay (`POST /v1/events`, with the configuration revision it was planned under) until the relay
//! takes it (`202`). The relay keeps each event id once for its whole retention, so posting one
//! again — from another tab, after a reload — sends nothing twice. Meanwhile the event's relay
//! deliveries wait in the history as pending, saying why; the relay's own records replace them.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use webhook_engine::event::Event;
use webhook_engine::runner::{Environment, Status};

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

/// The relay could not take events now (`error`): a chunk's handovers from `from` on wait (those
/// before it were settled).
struct Unsettled {
    error: RelayError,
    from: usize,
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
        let mut some_wait = false;
        for batch in by_revision.chunk_by(|a, b| a.revision == b.revision) {
            for chunk in batch.chunks(MAX_EVENTS_PER_POST) {
                // The relay's copy older than this page's (`Behind`) is caught up by the page that
                // can put it (an admin's); until then these wait like any other refusal.
                match self.hand_over_chunk(&client, chunk).await {
                    Ok(waits) => some_wait |= waits,
                    Err(Unsettled { error, from }) => {
                        self.note_waiting(
                            &chunk[from..],
                            &format!("waiting for the relay: {error}"),
                        )
                        .await;
                        return Some(self.next_wait());
                    }
                }
            }
        }
        some_wait.then(|| self.next_wait())
    }

    /// The wait before the next round, growing each time until one finds nothing waiting.
    fn next_wait(&self) -> u64 {
        let wait = self.handover_wait_ms.get();
        self.handover_wait_ms.set((wait * 2).min(LONGEST_WAIT_MS));
        wait
    }

    /// Posts `chunk` (one revision). The relay refuses a whole post for what one event is
    /// ([`RelayError::EventsRefused`]): then each is posted alone, so that one is settled on its
    /// own and the others go on. `Ok(true)` when some of them still wait; `Err` when the relay
    /// cannot take events now: those from `from` on wait.
    async fn hand_over_chunk(
        &self,
        client: &RelayClient,
        chunk: &[Handover],
    ) -> Result<bool, Unsettled> {
        let events: Vec<Event> = chunk.iter().map(|h| h.event.clone()).collect();
        match client.hand_over(&events, chunk[0].revision).await {
            Err(RelayError::EventsRefused { .. }) if chunk.len() > 1 => {
                let mut some_wait = false;
                for (index, handover) in chunk.iter().enumerate() {
                    let posted = client
                        .hand_over(std::slice::from_ref(&handover.event), handover.revision)
                        .await;
                    some_wait |= self
                        .settle(std::slice::from_ref(handover), posted)
                        .await
                        .map_err(|error| Unsettled { error, from: index })?;
                }
                Ok(some_wait)
            }
            posted => self
                .settle(chunk, posted)
                .await
                .map_err(|error| Unsettled { error, from: 0 }),
        }
    }

    /// What the relay's answer to posting `handed` means for them: taken, failed for good, or
    /// waiting (`Ok(true)`) until its catalog has their entity; `Err` for any other problem.
    async fn settle(
        &self,
        handed: &[Handover],
        posted: Result<(), RelayError>,
    ) -> Result<bool, RelayError> {
        match posted {
            Ok(()) => {
                self.taken_over(handed).await;
                Ok(false)
            }
            Err(error @ RelayError::EventsRefused { for_good: true, .. }) => {
                self.refused(handed, &error).await;
                Ok(false)
            }
            Err(error @ RelayError::EventsRefused { .. }) => {
                self.note_waiting(handed, &format!("waiting for the relay: {error}"))
                    .await;
                Ok(true)
            }
            Err(error) => Err(error),
        }
    }

    /// The relay will never take these events: their relay deliveries fail saying why, and they
    /// leave the store so the events after them go on.
    async fn refused(&self, handed: &[Handover], error: &RelayError) {
        let why = match error {
            RelayError::EventsRefused {
                status, message, ..
            } => format!("{message} ({status})"),
            other => other.to_string(),
        };
        let reason = format!("not sent: the relay refused this event, and would again — {why}");
        let now_ms = BrowserEnvironment.now_ms();
        if let Some(store) = &self.store {
            let ids = execution_ids(handed);
            let failed = store
                .update_relay_placeholders(&ids, |execution| {
                    execution.finish(Status::Failed, Some(reason.clone()), now_ms);
                    true
                })
                .await;
            match failed {
                Ok(failed) => failed.iter().for_each(|execution| self.announce(execution)),
                Err(error) => {
                    // Kept waiting: the next round posts them again, is refused again, and
                    // records it then.
                    self.tell(&DispatchProblem::RefusalNotRecorded { error });
                    return;
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
                for entry in entries {
                    let id = entry["id"].as_str().unwrap_or("(no id)").to_owned();
                    // Read from text, as outbox entries are: a `Value` deserializer would add a
                    // second copy of serde's code for the handover and its event.
                    match serde_json::from_str::<Handover>(&entry.to_string()) {
                        Ok(handover) if !waiting.iter().any(|known| known.id == handover.id) => {
                            waiting.push(handover);
                        }
                        Ok(_) => {}
                        Err(error) => self.tell(&DispatchProblem::EntryUnreadable {
                            id,
                            reason: webhook_engine::json_errors::scrub_quoted(&without_position(
                                &error,
                            )),
                        }),
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
        let noted = store
            .update_relay_placeholders(&execution_ids(handovers), |execution| {
                let new = execution.reason.as_deref() != Some(note);
                execution.reason = Some(note.to_owned());
                new
            })
            .await;
        match noted {
            Ok(noted) => noted.iter().for_each(|execution| self.announce(execution)),
            Err(error) => self.tell(&DispatchProblem::HandoverNotNoted { error }),
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

/// The relay deliveries these handovers' events planned here.
fn execution_ids(handovers: &[Handover]) -> Vec<String> {
    handovers
        .iter()
        .flat_map(|handover| handover.executions.iter().cloned())
        .collect()
}

/// What `error` says, without the line and column of the text it was read from: that text is the
/// stored entry written out again, which no one ever saw.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rsplit_once(" at line ") {
        Some((before, _)) if error.line() != 0 => before.to_owned(),
        _ => message,
    }
}
