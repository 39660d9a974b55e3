//! Paging through the history: where a page ends, what to ask for, and a handle that stops a long
//! scan (a text search over months of history) between two records.

use std::cell::Cell;
use std::cmp::Ordering;
use std::rc::Rc;

use webhook_engine::runner::Execution;

use crate::storage::StorageError;

/// Where a page ended: the last row's time and id. The next page starts strictly after it, in
/// newest-first order, so it never reads the rows of earlier pages again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    pub created_at_ms: i64,
    pub id: String,
}

impl PageCursor {
    /// How two rows sort as IndexedDB sorts the `created_at_ms` index: by time, then by id compared in
    /// UTF-16 code units (how IndexedDB compares string keys).
    pub fn order(&self, other: &PageCursor) -> Ordering {
        self.created_at_ms
            .cmp(&other.created_at_ms)
            .then_with(|| self.id.encode_utf16().cmp(other.id.encode_utf16()))
    }

    /// Whether `row` comes after this cursor in newest-first order (it is older).
    pub fn is_followed_by(&self, row: &PageCursor) -> bool {
        row.order(self) == Ordering::Less
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Where the previous page ended; `None` for the newest rows.
    pub after: Option<PageCursor>,
    /// At most this many rows (at least one is always asked for).
    pub limit: u32,
}

impl PageRequest {
    pub fn first(limit: u32) -> PageRequest {
        PageRequest { after: None, limit }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecutionPage {
    /// Newest first.
    pub executions: Vec<Execution>,
    /// Where to continue, or `None` when nothing further matches. With a filter that storage checks row
    /// by row, a full page sets it without knowing whether more match, so the page after it may be
    /// empty.
    pub next: Option<PageCursor>,
}

/// Stops a running history read between two records, and counts the records it has looked at so a
/// page can show progress. Clones share the same state: the search keeps one, its Cancel button
/// another.
#[derive(Debug, Clone, Default)]
pub struct ScanControl {
    cancelled: Rc<Cell<bool>>,
    checked: Rc<Cell<u64>>,
}

/// Two controls are equal when they control the same read.
impl PartialEq for ScanControl {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.cancelled, &other.cancelled)
    }
}

impl ScanControl {
    pub fn cancel(&self) {
        self.cancelled.set(true);
    }

    /// How many stored executions the read has looked at so far.
    pub fn checked(&self) -> u64 {
        self.checked.get()
    }

    /// Called before looking at each record: the read stops here once cancelled.
    pub(crate) fn next_record(&self) -> Result<(), StorageError> {
        if self.cancelled.get() {
            return Err(StorageError::Cancelled);
        }
        self.checked.set(self.checked.get() + 1);
        Ok(())
    }
}
