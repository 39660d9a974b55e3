//! What can go wrong with the browser's storage while dispatching, in words for a CRM admin. None of
//! these stops a delivery: each says what the tab does instead, and the storage error's own sentence
//! says what the admin can do about it.

use thiserror::Error;

use crate::storage::StorageError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DispatchProblem {
    /// The event's claim (its id, executions and outbox entries, one transaction) was not stored.
    #[error("The webhook deliveries of a CRM event could not be recorded in this browser, so this tab sends them from memory: if it is closed before the endpoints answer, they are not sent again. {error}")]
    NotClaimed { error: StorageError },
    /// A replay's execution and outbox entry were not stored.
    #[error("A replay could not be recorded in this browser, so this tab sends it from memory: if it is closed before the endpoint answers, it is not sent again. {error}")]
    NotQueued { error: StorageError },
    /// An attempt's result (the execution, and its outbox entry kept or removed) was not stored.
    #[error("The result of a delivery to “{webhook}” could not be saved, so the history shows an older state of that run until it can be; the delivery goes on, and this tab saves the result again in a moment. {error}")]
    AttemptNotSaved {
        webhook: String,
        error: StorageError,
    },
    /// The relay refused an event for good, and its failed runs were not stored.
    #[error("The relay refused a CRM event for good, and this could not be recorded in this browser, so its runs still show as waiting for the relay. {error}")]
    RefusalNotRecorded { error: StorageError },
    /// Where events handed to the relay stand could not be noted on their runs.
    #[error("Whether CRM events reached the relay could not be noted in this browser's history, so their runs may still say they are waiting; the events are handed over all the same. {error}")]
    HandoverNotNoted { error: StorageError },
    /// The outbox could not be read, so deliveries other tabs (or an earlier visit) left there wait.
    #[error("The deliveries waiting in this browser could not be read, so they are not being sent yet; this tab tries again in a moment. {error}")]
    OutboxUnreadable { error: StorageError },
    /// One outbox entry is not a delivery this version can read (damaged, or written by a build
    /// that no longer matches), so it is not sent.
    #[error("A delivery waiting in this browser can no longer be read, so it is not sent ({id}: {reason}). To send it, replay its run from the execution history.")]
    EntryUnreadable { id: String, reason: String },
}
