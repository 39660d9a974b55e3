//! Keeping the sandbox in IndexedDB: the sample is copied in on first use, every saved change is
//! written before the page shows it, and a reset puts the sample back.

use crate::storage::{StorageError, Store};

use super::crm::{RecordChange, SandboxCrm};

/// The stored sandbox, or the sample dataset copied into storage when there is none yet.
pub async fn open_sandbox(store: &Store) -> Result<SandboxCrm, StorageError> {
    match store.load_sandbox().await? {
        Some(stored) => Ok(SandboxCrm::from_stored(stored)),
        None => reset_sandbox(store).await,
    }
}

/// Replaces everything stored with the sample dataset.
pub async fn reset_sandbox(store: &Store) -> Result<SandboxCrm, StorageError> {
    let sample = SandboxCrm::builtin();
    store.replace_sandbox(&sample.to_stored()).await?;
    Ok(sample)
}

pub async fn save_change(
    store: &Store,
    entity: &str,
    change: &RecordChange,
) -> Result<(), StorageError> {
    match change {
        RecordChange::Added(record)
        | RecordChange::Updated {
            current: record, ..
        } => store.put_sandbox_record(entity, record).await,
        RecordChange::Deleted(_) => store.delete_sandbox_record(entity, change.id()).await,
    }
}
