//! History searches: a page of executions newest first, and how many there are when that is cheap to
//! know.

use idb::Query;
use wasm_bindgen::JsValue;
use webhook_engine::history::ExecutionQuery;

use super::by_index::page_from_small_set;
use super::page::{ExecutionPage, PageRequest, ScanControl};
use super::range::TimeRange;
use super::record::Filter;
use super::walk::page_by_time;
use crate::storage::codec::to_js;
use crate::storage::schema::{BY_AUTOMATION, BY_CREATED_AT, BY_STATUS, EXECUTIONS};
use crate::storage::transaction::Tx;
use crate::storage::{StorageError, Store};

impl Store {
    /// One page of the executions `query` finds, newest first (by time, then id), starting after
    /// `page.after`.
    ///
    /// A query on an automation or a status that matches few executions (up to a thousand) is read
    /// from that index; anything else walks the time index backwards from the page's start, within
    /// the query's time range, in short transactions. A text search can look at many records to
    /// fill one page: `control` stops it ([`StorageError::Cancelled`]) and counts what it looked at.
    pub async fn query_executions(
        &self,
        query: &ExecutionQuery,
        page: PageRequest,
        control: &ScanControl,
    ) -> Result<ExecutionPage, StorageError> {
        if !query.time_range_is_possible() {
            return Ok(ExecutionPage::default());
        }
        let limit = page.limit.max(1) as usize;
        let filter = Filter::new(query)?;
        if let Some(found) =
            page_from_small_set(self, &filter, page.after.as_ref(), limit, control).await?
        {
            return Ok(found);
        }
        page_by_time(self, &filter, page.after, limit, control).await
    }

    /// How many executions `query` finds, when one index can count them: no filter, a time range
    /// alone, an automation alone or a status alone. `None` otherwise (a text search, or several
    /// filters together), where counting would mean reading every record.
    pub async fn count_executions(
        &self,
        query: &ExecutionQuery,
    ) -> Result<Option<u32>, StorageError> {
        if query.text_search().is_some() {
            return Ok(None);
        }
        let tx = Tx::read(self.db()?, &[EXECUTIONS])?;
        let executions = tx.store(EXECUTIONS)?;
        let range = TimeRange::of(query)?;
        let request = match (&query.automation_id, &query.status, range) {
            (_, _, TimeRange::Empty) => return Ok(Some(0)),
            (None, None, TimeRange::All) => executions.count(None)?,
            (None, None, range) => executions.index(BY_CREATED_AT)?.count(range.as_query())?,
            (Some(automation), None, TimeRange::All) => executions
                .index(BY_AUTOMATION)?
                .count(Some(Query::Key(JsValue::from_str(automation))))?,
            (None, Some(status), TimeRange::All) => executions
                .index(BY_STATUS)?
                .count(Some(Query::Key(to_js(status)?)))?,
            _ => return Ok(None),
        };
        Ok(Some(request.await?))
    }
}
