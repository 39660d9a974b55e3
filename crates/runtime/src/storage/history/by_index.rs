//! Answering a query from its automation or status index when that narrows it to a few records.
//!
//! Those indexes are ordered by id, not by time, so they cannot be read page by page newest first:
//! the small set of records they hold is read whole, sorted, and cut at the page. That is far cheaper
//! than walking the time index past thousands of other automations' runs to find a rare one's.

use std::future::IntoFuture;

use idb::Query;
use webhook_engine::order;

use super::page::{ExecutionPage, PageCursor, ScanControl};
use super::record::{Filter, StoredExecution};
use crate::storage::schema::EXECUTIONS;
use crate::storage::transaction::Tx;
use crate::storage::{StorageError, Store};

/// An index entry matching at most this many executions is read whole.
const SMALL_SET: u32 = 1_000;

/// The page from the most selective exact-match index, or `None` when no such index narrows the
/// query to [`SMALL_SET`] records or fewer (then the time index is walked instead).
pub(super) async fn page_from_small_set(
    store: &Store,
    filter: &Filter<'_>,
    after: Option<&PageCursor>,
    limit: usize,
    control: &ScanControl,
) -> Result<Option<ExecutionPage>, StorageError> {
    let lookups = filter.exact_lookups();
    if lookups.is_empty() {
        return Ok(None);
    }
    let tx = Tx::read(store.db()?, &[EXECUTIONS])?;
    let executions = tx.store(EXECUTIONS)?;
    // Counting stops one past the limit: only "small or not" matters. Every probe is sent before
    // any is awaited.
    let mut probes = Vec::with_capacity(lookups.len());
    for (index, key) in &lookups {
        let probe = executions
            .index(index)?
            .get_all_keys(Some(Query::Key(key.clone())), Some(SMALL_SET + 1))?;
        probes.push(probe.into_future());
    }
    let mut smallest: Option<(usize, usize)> = None;
    for (lookup, probe) in probes.into_iter().enumerate() {
        let size = probe.await?.len();
        if size <= SMALL_SET as usize && smallest.is_none_or(|(_, best)| size < best) {
            smallest = Some((lookup, size));
        }
    }
    let Some((lookup, _)) = smallest else {
        return Ok(None);
    };
    let (index, key) = &lookups[lookup];
    let records = executions
        .index(index)?
        .get_all(Some(Query::Key(key.clone())), None)?
        .await?;

    let mut matching = Vec::new();
    for value in records {
        control.next_record()?;
        let record = StoredExecution(value);
        let position = record.position();
        if after.is_none_or(|after| after.is_followed_by(&position)) && filter.accepts(&record) {
            matching.push((position, record));
        }
    }
    order::sort_by(&mut matching, |(a, _), (b, _)| b.order(a));
    let more = matching.len() > limit;
    matching.truncate(limit);
    let next = more
        .then(|| matching.last().map(|(position, _)| position.clone()))
        .flatten();
    let executions = matching
        .into_iter()
        .map(|(_, record)| record.into_execution())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(ExecutionPage { executions, next }))
}
