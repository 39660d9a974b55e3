//! The relay's executions merged into this browser's history, and how far they were read.
//!
//! One page read from the relay is stored in one transaction together with the cursor after it, so
//! a reload (or a crash) continues exactly where the stored records end: never a page stored without
//! its cursor, never a cursor past records that were not stored. Each record is merged with the one
//! stored under its id by the engine's rule (`webhook_engine::history::relay::merge`) inside that
//! transaction, so a pending placeholder the dispatcher writes at the same moment is either replaced
//! or sees the relay's record already there — IndexedDB runs `readwrite` transactions on a store one
//! at a time.

use wasm_bindgen::JsValue;
use webhook_engine::history::relay::{merge, RelayCursor};
use webhook_engine::runner::Execution;

use super::codec::{from_js, to_js};
use super::errors::StorageError;
use super::schema::{EXECUTIONS, SETTINGS};
use super::transaction::{Durability, Tx};
use super::{ChangeNotice, Store};

/// Where the cursor is kept in the settings store.
pub const RELAY_CURSOR_KEY: &str = "relay-history";

/// One execution as the relay gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct RelayRecord {
    pub execution: Execution,
    /// Read with the events token: bodies, headers and record values left out.
    pub withheld: bool,
}

#[derive(serde::Serialize)]
struct CursorRecord<'a> {
    key: &'a str,
    value: &'a RelayCursor,
}

impl Store {
    /// How far this browser has read the relay's executions (`None`: never).
    pub async fn relay_cursor(&self) -> Result<Option<RelayCursor>, StorageError> {
        self.get_setting(RELAY_CURSOR_KEY).await
    }

    /// Merges `records` (one page, in the relay's order) into the history and keeps `cursor` with
    /// them, in one transaction. Returns the records that changed, as stored.
    pub async fn merge_relay_executions(
        &self,
        records: &[RelayRecord],
        cursor: &RelayCursor,
    ) -> Result<Vec<Execution>, StorageError> {
        let cursor_js = to_js(&CursorRecord {
            key: RELAY_CURSOR_KEY,
            value: cursor,
        })?;
        let tx = Tx::write(self.db()?, &[EXECUTIONS, SETTINGS], Durability::Relaxed)?;
        let store = tx.store(EXECUTIONS)?;
        // All reads are asked for at once; IndexedDB answers them in order.
        let reads = records
            .iter()
            .map(|record| store.get(JsValue::from_str(&record.execution.id)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut changed: Vec<Execution> = Vec::new();
        for (record, read) in records.iter().zip(reads) {
            let id = &record.execution.id;
            // A later record of this page may be the same run again (it moved on while the page
            // was read): merged over what this page stored, not over the older stored state.
            let earlier = changed.iter().rposition(|execution| &execution.id == id);
            let stored = match earlier {
                Some(index) => Some(changed[index].clone()),
                None => read
                    .await?
                    .map(|value| from_js::<Execution>(value, "execution", EXECUTIONS, id))
                    .transpose()?,
            };
            if let Some(merged) = merge(stored.as_ref(), record.execution.clone(), record.withheld)
            {
                store.put(&to_js(&merged)?, None)?;
                match earlier {
                    Some(index) => changed[index] = merged,
                    None => changed.push(merged),
                }
            }
        }
        tx.store(SETTINGS)?.put(&cursor_js, None)?;
        tx.commit().await?;
        if !changed.is_empty() {
            self.notify(ChangeNotice::Executions);
        }
        Ok(changed)
    }
}
