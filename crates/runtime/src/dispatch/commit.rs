//! Group commit: what is to be written while a write is under way waits, and is then written
//! together in the next transaction. Under load many deliveries share one transaction (and one
//! disk flush); alone, a record is written at once, so none waits longer than one write. Each
//! caller still learns its own outcome, and one record storage refuses does not take the others
//! down: a refused batch is written again one record at a time. The guarantees are those of one
//! transaction each.
//!
//! Two logs use it: the claims of emitted events (with what they start) and the records of
//! attempts.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_channel::oneshot;

use crate::storage::{AttemptRecord, EventClaim, StorageError, Store};

/// Something stored in batches, each item with its own outcome.
pub(super) trait Batched: Sized + 'static {
    type Outcome: Clone + 'static;
    #[allow(async_fn_in_trait)]
    async fn write(store: &Store, batch: &[Self]) -> Result<Vec<Self::Outcome>, StorageError>;
}

impl Batched for AttemptRecord {
    type Outcome = ();
    async fn write(store: &Store, batch: &[Self]) -> Result<Vec<()>, StorageError> {
        store.record_attempts(batch).await?;
        Ok(vec![(); batch.len()])
    }
}

impl Batched for EventClaim {
    /// Claimed here (not seen before).
    type Outcome = bool;
    async fn write(store: &Store, batch: &[Self]) -> Result<Vec<bool>, StorageError> {
        store.claim_events(batch).await
    }
}

/// The most records in one transaction: a burst of a thousand events is claimed in a few
/// transactions, so its first deliveries start while the rest are still being written.
const MAX_BATCH: usize = 64;

type Answer<T> = oneshot::Sender<Result<<T as Batched>::Outcome, StorageError>>;

pub(super) struct GroupCommit<T: Batched> {
    queued: RefCell<Vec<(T, Answer<T>)>>,
    writing: Cell<bool>,
}

impl<T: Batched> Default for GroupCommit<T> {
    fn default() -> Self {
        GroupCommit {
            queued: RefCell::default(),
            writing: Cell::new(false),
        }
    }
}

impl<T: Batched> GroupCommit<T> {
    /// Stores `item` (with those that arrive meanwhile); resolves once it is stored or refused.
    pub async fn write(
        self: &Rc<Self>,
        store: &Rc<Store>,
        item: T,
    ) -> Result<T::Outcome, StorageError> {
        let (answer, outcome) = oneshot::channel();
        self.queued.borrow_mut().push((item, answer));
        if !self.writing.replace(true) {
            let (log, store) = (self.clone(), store.clone());
            wasm_bindgen_futures::spawn_local(async move { log.write_all(&store).await });
        }
        outcome.await.unwrap_or_else(|_| {
            Err(StorageError::Other(
                "The record was not written: the page stopped writing it.".into(),
            ))
        })
    }

    async fn write_all(&self, store: &Store) {
        loop {
            let batch: Vec<(T, Answer<T>)> = {
                let mut queued = self.queued.borrow_mut();
                let take = queued.len().min(MAX_BATCH);
                queued.drain(..take).collect()
            };
            if batch.is_empty() {
                break;
            }
            let (items, answers): (Vec<T>, Vec<Answer<T>>) = batch.into_iter().unzip();
            let outcomes = match T::write(store, &items).await {
                Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
                // One record may be what the transaction refused (too large for what storage has
                // left, say): each is written alone, so the others are stored as they would have
                // been without it. A closed or unusable database refuses them all alike.
                Err(error) if items.len() > 1 && !refuses_every_write(&error) => {
                    let mut outcomes = Vec::with_capacity(items.len());
                    for item in &items {
                        let alone = T::write(store, std::slice::from_ref(item)).await;
                        outcomes.push(
                            alone.and_then(|mut outcome| outcome.pop().ok_or_else(no_answer)),
                        );
                    }
                    outcomes
                }
                Err(error) => vec![Err(error); items.len()],
            };
            let mut outcomes = outcomes.into_iter();
            for answer in answers {
                let outcome = outcomes.next().unwrap_or_else(|| Err(no_answer()));
                // A caller that went away no longer needs the answer; the record's fate is the same.
                let _ = answer.send(outcome);
            }
        }
        self.writing.set(false);
    }
}

/// Storage refuses any write, whatever it holds: no use writing a batch's records one by one.
fn refuses_every_write(error: &StorageError) -> bool {
    matches!(
        error,
        StorageError::Closed | StorageError::Unavailable(_) | StorageError::TooNew { .. }
    )
}

fn no_answer() -> StorageError {
    StorageError::Other("The storage gave no answer for this record.".into())
}
