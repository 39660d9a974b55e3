//! The execution history: one subject per execution, keeping only its latest state, in a stream whose
//! age limit is the retention. The stream sequence of an execution's latest state is the cursor a
//! client catches up from: every change of an execution moves it to a new, higher sequence.

use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::stream::LastRawMessageErrorKind;
use webhook_engine::runner::Execution;

use super::{Store, StoreError};

/// An execution as stored, with its cursor.
#[derive(Debug, Clone)]
pub struct Stored {
    pub cursor: u64,
    pub execution: Execution,
}

/// What came of recording a new state over the one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored; its cursor.
    Stored(u64),
    /// Not stored: the record is no longer the one read (another process wrote it meanwhile).
    Moved,
}

impl Store {
    /// Stores `execution`'s new state over the record read at cursor `expected` (0: over none), and
    /// only over that one: a process whose record moved on meanwhile — another process took its
    /// delivery over while it was cut off from NATS, and finished it — is told so instead of writing
    /// an older state over a newer one.
    pub async fn record(
        &self,
        execution: &Execution,
        expected: u64,
    ) -> Result<Recorded, StoreError> {
        let payload = serde_json::to_vec(execution).expect("an execution serializes");
        let message = async_nats::jetstream::message::PublishMessage::build()
            .payload(payload.into())
            .expected_last_subject_sequence(expected);
        let published = self
            .js
            .send_publish(self.names.execution_subject(&execution.id), message)
            .await
            .map_err(StoreError::of)?
            .await;
        match published {
            Ok(ack) => Ok(Recorded::Stored(ack.sequence)),
            Err(error) if error.kind() == PublishErrorKind::WrongLastSequence => {
                Ok(Recorded::Moved)
            }
            Err(error) => Err(StoreError::of(error)),
        }
    }

    /// Stores `execution` only if it has no record yet; `false` when it had one (which is kept: it
    /// is newer than a first record can be).
    pub async fn record_new(&self, execution: &Execution) -> Result<bool, StoreError> {
        Ok(self.record(execution, 0).await? != Recorded::Moved)
    }

    /// The latest state of one execution, read from the stream's leader (a replica could answer
    /// with a state that another process has already moved past).
    pub async fn execution(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        let subject = self.names.execution_subject(id);
        match self
            .executions
            .get_last_raw_message_by_subject(&subject)
            .await
        {
            Ok(message) => Ok(decode(message.sequence, &message.payload)),
            Err(error) if matches!(error.kind(), LastRawMessageErrorKind::NoMessageFound) => {
                Ok(None)
            }
            Err(error) => Err(StoreError::of(error)),
        }
    }

    /// Up to `limit` executions whose cursor is after `after`, in cursor order.
    pub async fn executions_after(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Stored>, StoreError> {
        let subjects = self.names.executions_subjects();
        let mut found = Vec::new();
        let mut next = after.saturating_add(1);
        while found.len() < limit {
            let message = self
                .executions
                .raw_message_builder()
                .sequence(next)
                .next_by_subject(subjects.clone())
                .send()
                .await;
            match message {
                Ok(message) => {
                    next = message.sequence + 1;
                    if let Some(stored) = decode(message.sequence, &message.payload) {
                        found.push(stored);
                    }
                }
                Err(error) if matches!(error.kind(), LastRawMessageErrorKind::NoMessageFound) => {
                    break
                }
                Err(error) => return Err(StoreError::of(error)),
            }
        }
        Ok(found)
    }
}

/// A stored execution; one that no longer reads (written by a future version) is skipped, not fatal.
fn decode(cursor: u64, payload: &[u8]) -> Option<Stored> {
    match serde_json::from_slice(payload) {
        Ok(execution) => Some(Stored { cursor, execution }),
        Err(error) => {
            tracing::warn!(
                cursor,
                "an execution record does not read and is skipped: {error}"
            );
            None
        }
    }
}
