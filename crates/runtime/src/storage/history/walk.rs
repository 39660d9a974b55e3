//! Reading the history newest first along the `created_at_ms` index, from where the last page ended,
//! keeping the records a filter accepts.

use idb::{CursorDirection, ManagedCursor};
use wasm_bindgen::JsValue;
use webhook_engine::runner::Execution;

use super::page::{ExecutionPage, PageCursor, ScanControl};
use super::range::TimeRange;
use super::record::{Filter, StoredExecution};
use crate::storage::schema::{time_key, BY_CREATED_AT, EXECUTIONS};
use crate::storage::transaction::Tx;
use crate::storage::{StorageError, Store};

/// Records looked at per read transaction. A long search reads in many short transactions, so the
/// runner's history writes, which wait for the store's readers, are never held up for long.
const RECORDS_PER_TRANSACTION: u32 = 2_000;

/// Up to `limit` matching executions older than `after`, newest first.
pub(super) async fn page_by_time(
    store: &Store,
    filter: &Filter<'_>,
    after: Option<PageCursor>,
    limit: usize,
    control: &ScanControl,
) -> Result<ExecutionPage, StorageError> {
    let mut position = after;
    let mut found = Vec::new();
    loop {
        let range = remaining(filter, position.as_ref())?;
        if matches!(range, TimeRange::Empty) {
            return Ok(finished(found));
        }
        let tx = Tx::read(store.db()?, &[EXECUTIONS])?;
        let index = tx.store(EXECUTIONS)?.index(BY_CREATED_AT)?;
        let Some(cursor) = index
            .open_cursor(range.as_query(), Some(CursorDirection::Prev))?
            .await?
        else {
            return Ok(finished(found));
        };
        let mut cursor = cursor.into_managed();
        if let Some(position) = &position {
            skip_through(&mut cursor, position).await?;
        }
        for _ in 0..RECORDS_PER_TRANSACTION {
            let Some(value) = cursor.value()? else {
                return Ok(finished(found));
            };
            control.next_record()?;
            let record = StoredExecution(value);
            position = Some(record.position());
            if filter.accepts(&record) {
                found.push(record.into_execution()?);
                if found.len() >= limit {
                    return Ok(ExecutionPage {
                        executions: found,
                        next: position,
                    });
                }
            }
            cursor.next(None).await?;
        }
        // This transaction has done its share; the next one resumes after `position`.
    }
}

fn finished(executions: Vec<Execution>) -> ExecutionPage {
    ExecutionPage {
        executions,
        next: None,
    }
}

/// The part of the `created_at_ms` index still to read: the query's range, ending at the position
/// the walk has reached.
fn remaining(
    filter: &Filter<'_>,
    position: Option<&PageCursor>,
) -> Result<TimeRange, StorageError> {
    // Rows at the position's own time may still follow it (same millisecond, smaller id), so that
    // bound is included; `skip_through` steps past the rows already read.
    let upper = match position {
        Some(position) => Some((position.created_at_ms, false)),
        None => filter.query.until_ms.map(|until| (until, true)),
    };
    TimeRange::new(filter.query.from_ms, upper)
}

/// Moves a cursor opened at or before `position` (newest first) to the first row after it. Rows of
/// the same millisecond are ordered by id, so the cursor jumps with `continuePrimaryKey` instead of
/// stepping over each of them.
async fn skip_through(
    cursor: &mut ManagedCursor,
    position: &PageCursor,
) -> Result<(), StorageError> {
    let Some(current) = current(cursor)? else {
        return Ok(());
    };
    if position.is_followed_by(&current) {
        return Ok(());
    }
    if current != *position {
        cursor
            .next_primary_key(
                &time_key(position.created_at_ms),
                &JsValue::from_str(&position.id),
            )
            .await?;
    }
    if current_is(cursor, position)? {
        cursor.next(None).await?;
    }
    Ok(())
}

/// Where the cursor stands, from its index key and primary key.
fn current(cursor: &ManagedCursor) -> Result<Option<PageCursor>, StorageError> {
    let (Some(key), Some(id)) = (cursor.key()?, cursor.primary_key()?) else {
        return Ok(None);
    };
    Ok(Some(PageCursor {
        created_at_ms: key.as_f64().unwrap_or(0.0) as i64,
        id: id.as_string().unwrap_or_default(),
    }))
}

fn current_is(cursor: &ManagedCursor, position: &PageCursor) -> Result<bool, StorageError> {
    Ok(current(cursor)?.as_ref() == Some(position))
}
