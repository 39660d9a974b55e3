//! The rows the history table has loaded and how loading changes them. A pure reducer, so paging,
//! refreshing and stopping a search are tested natively.

use std::collections::HashSet;
use std::rc::Rc;

use webhook_engine::history::describe::{
    answer_label, format_duration, record_label, request_time_ms,
};
use webhook_engine::model::Route;
use webhook_engine::runner::{Execution, Status};
use yew::Reducible;

use crate::storage::PageCursor;

/// Placeholder rows laid out under the loaded ones while more may come and their number is unknown:
/// scrolling them into view loads the next page.
pub const PENDING_ROWS: usize = 3;

/// What the table shows of one execution, worked out once when its page arrives.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub id: String,
    pub created_at_ms: i64,
    pub automation: String,
    pub record: String,
    pub user: String,
    pub status: Status,
    /// The last attempt's HTTP status, or what happened instead.
    pub answer: String,
    /// Time spent on requests; a dash before the first attempt.
    pub duration: String,
    pub attempts: usize,
    /// Sent by the relay (merged from its history), not by this browser.
    pub relay: bool,
}

impl HistoryRow {
    pub fn of(execution: &Execution) -> HistoryRow {
        HistoryRow {
            id: execution.id.clone(),
            created_at_ms: execution.created_at_ms,
            automation: execution.automation_name.clone(),
            record: record_label(&execution.event),
            user: execution.user.name.clone(),
            status: execution.status,
            answer: answer_label(execution),
            duration: request_time_ms(execution).map_or_else(|| "—".to_owned(), format_duration),
            attempts: execution.attempts.len(),
            relay: execution.route == Route::Relay,
        }
    }

    pub fn position(&self) -> PageCursor {
        PageCursor {
            created_at_ms: self.created_at_ms,
            id: self.id.clone(),
        }
    }
}

/// Loaded rows, newest first, kept as the pages they arrived in, so adding a page never copies the
/// rows before it (a history scrolled to its end holds 100,000 of them).
#[derive(Debug, Clone, Default)]
pub struct LoadedRows {
    pages: Vec<Rc<[HistoryRow]>>,
    /// The index of each page's first row.
    starts: Vec<usize>,
    len: usize,
}

impl PartialEq for LoadedRows {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
            && self.pages.len() == other.pages.len()
            && self
                .pages
                .iter()
                .zip(&other.pages)
                .all(|(a, b)| Rc::ptr_eq(a, b))
    }
}

impl LoadedRows {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&HistoryRow> {
        let page = self
            .starts
            .partition_point(|&start| start <= index)
            .checked_sub(1)?;
        self.pages[page].get(index - self.starts[page])
    }

    fn push(&mut self, page: Rc<[HistoryRow]>) {
        if page.is_empty() {
            return;
        }
        self.starts.push(self.len);
        self.len += page.len();
        self.pages.push(page);
    }

    /// `first`, a fresh newest page, followed by the loaded rows older than its last row; and whether
    /// any loaded row was kept. A run can move: the relay's record of a run replaces this browser's
    /// placeholder under the relay's time, so a loaded row whose run the fresh page holds is left out.
    fn after_fresh_first_page(&self, first: Vec<HistoryRow>) -> (LoadedRows, bool) {
        let Some(boundary) = first.last().map(HistoryRow::position) else {
            return (LoadedRows::default(), false);
        };
        let fresh: HashSet<String> = first.iter().map(|row| row.id.clone()).collect();
        let mut merged = LoadedRows::default();
        merged.push(first.into());
        let mut kept = false;
        for page in &self.pages {
            let older = page.partition_point(|row| !boundary.is_followed_by(&row.position()));
            let rows = &page[older..];
            if rows.is_empty() {
                continue;
            }
            if rows.iter().any(|row| fresh.contains(&row.id)) {
                let left: Vec<HistoryRow> = rows
                    .iter()
                    .filter(|row| !fresh.contains(&row.id))
                    .cloned()
                    .collect();
                merged.push(left.into());
            } else if older == 0 {
                merged.push(page.clone());
            } else {
                merged.push(rows.into());
            }
            kept = true;
        }
        (merged, kept)
    }
}

/// Why loading stopped short.
#[derive(Debug, Clone, PartialEq)]
pub enum RowsProblem {
    Failed(String),
    /// The admin cancelled a search after it had looked at this many executions.
    Stopped {
        checked: u64,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowsState {
    /// Which search these rows belong to; results of an earlier one are ignored.
    pub generation: u64,
    pub rows: LoadedRows,
    /// Where the next page starts.
    pub next: Option<PageCursor>,
    /// Every matching row is loaded.
    pub complete: bool,
    /// How many rows match, when storage could count them cheaply.
    pub total: Option<u32>,
    pub loading: bool,
    pub problem: Option<RowsProblem>,
}

impl RowsState {
    /// How many rows the table lays out: the count when known, otherwise the loaded rows plus a few
    /// placeholders while more may come.
    pub fn rows_to_lay_out(&self) -> usize {
        if self.complete || self.problem.is_some() {
            return self.rows.len();
        }
        match self.total {
            Some(total) => (total as usize).max(self.rows.len()),
            None => self.rows.len() + PENDING_ROWS,
        }
    }

    /// Whether the search has finished and found nothing.
    pub fn found_nothing(&self) -> bool {
        self.complete && self.rows.is_empty()
    }

    /// Whether the table may ask for more rows now.
    pub fn can_load_more(&self) -> bool {
        !self.loading && !self.complete && self.problem.is_none()
    }
}

pub enum RowsAction {
    /// A new search starts (new filters, or a reload).
    Start {
        generation: u64,
    },
    /// A next page is being read.
    Loading {
        generation: u64,
    },
    /// The page that continues after `after`.
    Loaded {
        generation: u64,
        after: Option<PageCursor>,
        rows: Vec<HistoryRow>,
        next: Option<PageCursor>,
    },
    /// A fresh first page after new executions arrived.
    Refreshed {
        generation: u64,
        rows: Vec<HistoryRow>,
        next: Option<PageCursor>,
    },
    Counted {
        generation: u64,
        total: Option<u32>,
    },
    Failed {
        generation: u64,
        message: String,
    },
    Stopped {
        generation: u64,
        checked: u64,
    },
}

impl RowsAction {
    fn generation(&self) -> u64 {
        match self {
            RowsAction::Start { generation }
            | RowsAction::Loading { generation }
            | RowsAction::Loaded { generation, .. }
            | RowsAction::Refreshed { generation, .. }
            | RowsAction::Counted { generation, .. }
            | RowsAction::Failed { generation, .. }
            | RowsAction::Stopped { generation, .. } => *generation,
        }
    }
}

impl Reducible for RowsState {
    type Action = RowsAction;

    fn reduce(self: Rc<Self>, action: RowsAction) -> Rc<Self> {
        if let RowsAction::Start { generation } = action {
            return Rc::new(RowsState {
                generation,
                loading: true,
                ..RowsState::default()
            });
        }
        if action.generation() != self.generation {
            return self;
        }
        let mut next = (*self).clone();
        match action {
            RowsAction::Start { .. } => unreachable!("handled above"),
            RowsAction::Loading { .. } => next.loading = true,
            RowsAction::Loaded {
                after,
                rows,
                next: cursor,
                ..
            } => {
                // Only the page that continues where the rows end: a late answer to an earlier
                // request would duplicate rows.
                if after != self.next || (after.is_none() && !self.rows.is_empty()) {
                    return self;
                }
                next.rows.push(rows.into());
                next.complete = cursor.is_none();
                next.next = cursor;
                next.loading = false;
            }
            RowsAction::Refreshed {
                rows, next: cursor, ..
            } => {
                let (rows, kept_older) = self.rows.after_fresh_first_page(rows);
                next.rows = rows;
                if !kept_older {
                    next.complete = cursor.is_none();
                    next.next = cursor;
                }
                next.loading = false;
            }
            RowsAction::Counted { total, .. } => next.total = total,
            RowsAction::Failed { message, .. } => {
                next.loading = false;
                next.problem = Some(RowsProblem::Failed(message));
            }
            RowsAction::Stopped { checked, .. } => {
                next.loading = false;
                next.problem = Some(RowsProblem::Stopped { checked });
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(created_at_ms: i64, id: &str) -> HistoryRow {
        HistoryRow {
            id: id.into(),
            created_at_ms,
            automation: "Won deals".into(),
            record: "deal 1".into(),
            user: "Ada".into(),
            status: Status::Succeeded,
            answer: "200".into(),
            duration: "80 ms".into(),
            attempts: 1,
            relay: false,
        }
    }

    /// Rows at times `from` down to `to` (newest first), each id naming its time.
    fn rows(from: i64, to: i64) -> Vec<HistoryRow> {
        (to..=from)
            .rev()
            .map(|at| row(at, &format!("ex{at}")))
            .collect()
    }

    fn cursor(at: i64) -> Option<PageCursor> {
        Some(row(at, &format!("ex{at}")).position())
    }

    fn ids(state: &RowsState) -> Vec<i64> {
        (0..state.rows.len())
            .map(|index| state.rows.get(index).unwrap().created_at_ms)
            .collect()
    }

    fn started() -> Rc<RowsState> {
        Rc::new(RowsState::default()).reduce(RowsAction::Start { generation: 1 })
    }

    fn loaded(
        state: Rc<RowsState>,
        after: Option<PageCursor>,
        page: Vec<HistoryRow>,
        next: Option<PageCursor>,
    ) -> Rc<RowsState> {
        state.reduce(RowsAction::Loaded {
            generation: 1,
            after,
            rows: page,
            next,
        })
    }

    #[test]
    fn pages_append_in_order_and_rows_are_found_by_index() {
        let state = loaded(started(), None, rows(100, 91), cursor(91));
        assert!(state.can_load_more());
        let state = loaded(state, cursor(91), rows(90, 81), cursor(81));
        let state = loaded(state, cursor(81), rows(80, 75), None);
        assert_eq!(ids(&state), (75..=100).rev().collect::<Vec<_>>());
        assert_eq!(state.rows.get(0).unwrap().created_at_ms, 100);
        assert_eq!(state.rows.get(10).unwrap().created_at_ms, 90);
        assert_eq!(state.rows.get(25).unwrap().created_at_ms, 75);
        assert!(state.rows.get(26).is_none());
        assert!(state.complete && !state.can_load_more());
    }

    #[test]
    fn a_late_or_repeated_page_is_ignored() {
        let state = loaded(started(), None, rows(100, 91), cursor(91));
        let again = loaded(state.clone(), None, rows(100, 91), cursor(91));
        assert_eq!(again.rows.len(), 10, "the first page twice");
        let stale = loaded(state.clone(), cursor(95), rows(94, 90), cursor(90));
        assert_eq!(stale.rows.len(), 10, "a page for another cursor");
        let other_search = state.clone().reduce(RowsAction::Loaded {
            generation: 0,
            after: cursor(91),
            rows: rows(90, 81),
            next: None,
        });
        assert_eq!(other_search.rows.len(), 10);
    }

    #[test]
    fn a_fresh_first_page_replaces_the_newest_rows_and_keeps_the_older_ones() {
        let state = loaded(started(), None, rows(100, 91), cursor(91));
        let state = loaded(state, cursor(91), rows(90, 81), cursor(81));
        // Three new runs arrived; the first page (10 rows) now ends at 94.
        let refreshed = state.reduce(RowsAction::Refreshed {
            generation: 1,
            rows: rows(103, 94),
            next: cursor(94),
        });
        assert_eq!(ids(&refreshed), (81..=103).rev().collect::<Vec<_>>());
        assert_eq!(
            refreshed.next,
            cursor(81),
            "continues where the old rows ended"
        );
        assert!(!refreshed.complete);
    }

    #[test]
    fn a_run_that_moved_shows_once_where_the_fresh_page_has_it() {
        // The relay's record of run "ex85" replaced this browser's placeholder under a newer time.
        let state = loaded(started(), None, rows(100, 91), cursor(91));
        let state = loaded(state, cursor(91), rows(90, 81), None);
        let mut fresh = vec![row(101, "ex85")];
        fresh.extend(rows(100, 92));
        let refreshed = state.reduce(RowsAction::Refreshed {
            generation: 1,
            rows: fresh,
            next: cursor(92),
        });
        let shown: Vec<String> = (0..refreshed.rows.len())
            .map(|index| refreshed.rows.get(index).unwrap().id.clone())
            .collect();
        assert_eq!(
            shown.iter().filter(|id| *id == "ex85").count(),
            1,
            "{shown:?}"
        );
        assert_eq!(shown.len(), 20, "{shown:?}");
        assert_eq!(shown[0], "ex85");
    }

    #[test]
    fn a_fresh_first_page_that_reaches_past_the_loaded_rows_takes_over() {
        let state = loaded(started(), None, rows(100, 96), None);
        let refreshed = state.reduce(RowsAction::Refreshed {
            generation: 1,
            rows: rows(104, 95),
            next: cursor(95),
        });
        assert_eq!(ids(&refreshed), (95..=104).rev().collect::<Vec<_>>());
        assert_eq!(refreshed.next, cursor(95));
        assert!(!refreshed.complete);
        let emptied = refreshed.reduce(RowsAction::Refreshed {
            generation: 1,
            rows: Vec::new(),
            next: None,
        });
        assert!(emptied.found_nothing(), "everything was pruned");
    }

    #[test]
    fn the_layout_uses_the_count_when_known_and_placeholders_otherwise() {
        let state = loaded(started(), None, rows(100, 91), cursor(91));
        assert_eq!(state.rows_to_lay_out(), 10 + PENDING_ROWS);
        let counted = state.reduce(RowsAction::Counted {
            generation: 1,
            total: Some(100_000),
        });
        assert_eq!(counted.rows_to_lay_out(), 100_000);
        let stopped = counted.reduce(RowsAction::Stopped {
            generation: 1,
            checked: 5_000,
        });
        assert_eq!(stopped.rows_to_lay_out(), 10);
        assert_eq!(
            stopped.problem,
            Some(RowsProblem::Stopped { checked: 5_000 })
        );
        assert!(!stopped.can_load_more());
    }

    #[test]
    fn a_new_search_starts_empty_and_loading() {
        let state = loaded(started(), None, rows(100, 91), None);
        let restarted = state.reduce(RowsAction::Start { generation: 2 });
        assert!(restarted.rows.is_empty() && restarted.loading && !restarted.complete);
        assert_eq!(restarted.generation, 2);
    }
}
