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

impl Store {
    /// Stores `execution`'s current state (replacing the one before).
    pub async fn record(&self, execution: &Execution) -> Result<u64, StoreError> {
        let payload = serde_json::to_vec(execution).expect("an execution serializes");
        let ack = self
            .js
            .publish(self.names.execution_subject(&execution.id), payload.into())
            .await
            .map_err(StoreError::of)?
            .await
            .map_err(StoreError::of)?;
        Ok(ack.sequence)
    }

    /// Stores `execution` only if it has no record yet; `false` when it had one (which is kept: it
    /// is newer than a first record can be).
    pub async fn record_new(&self, execution: &Execution) -> Result<bool, StoreError> {
        let payload = serde_json::to_vec(execution).expect("an execution serializes");
        let message = async_nats::jetstream::message::PublishMessage::build()
            .payload(payload.into())
            .expected_last_subject_sequence(0);
        let published = self
            .js
            .send_publish(self.names.execution_subject(&execution.id), message)
            .await
            .map_err(StoreError::of)?
            .await;
        match published {
            Ok(_) => Ok(true),
            Err(error) if error.kind() == PublishErrorKind::WrongLastSequence => Ok(false),
            Err(error) => Err(StoreError::of(error)),
        }
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
