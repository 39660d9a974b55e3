//! Reading every execution a query finds, page after page: the JSON Lines export, and collecting runs
//! to replay.

use webhook_engine::history::{jsonl_line, ExecutionQuery};
use webhook_engine::roles::Permissions;
use webhook_engine::runner::Execution;

use super::page::{PageRequest, ScanControl};
use crate::storage::{StorageError, Store};

/// Rows per page when reading everything: few transactions, and each still short.
const BATCH: u32 = 500;

impl Store {
    /// Calls `each` with every execution `query` finds, newest first, and says how many there were.
    pub async fn for_each_execution(
        &self,
        query: &ExecutionQuery,
        control: &ScanControl,
        mut each: impl FnMut(Execution),
    ) -> Result<u64, StorageError> {
        let mut page = PageRequest::first(BATCH);
        let mut count = 0;
        loop {
            let found = self.query_executions(query, page.clone(), control).await?;
            count += found.executions.len() as u64;
            found.executions.into_iter().for_each(&mut each);
            match found.next {
                Some(next) => page.after = Some(next),
                None => return Ok(count),
            }
        }
    }

    /// Every execution `query` finds as JSON Lines, newest first, each line showing what a user who
    /// is (or is not) an admin may see ([`webhook_engine::history::visible_to`]). Stored executions
    /// never hold a secret, so neither does the export.
    pub async fn export_executions_jsonl(
        &self,
        query: &ExecutionQuery,
        permissions: &Permissions,
        control: &ScanControl,
    ) -> Result<String, StorageError> {
        let mut out = String::new();
        self.for_each_execution(query, control, |execution| {
            out.push_str(&jsonl_line(&execution, permissions));
        })
        .await?;
        Ok(out)
    }
}
