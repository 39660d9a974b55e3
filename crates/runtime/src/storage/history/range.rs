//! Time ranges as key ranges of the `created_at_ms` index.

use idb::{KeyRange, Query};
use webhook_engine::history::ExecutionQuery;

use crate::storage::schema::time_key;
use crate::storage::StorageError;

pub(super) enum TimeRange {
    /// Nothing can fall inside (from after to).
    Empty,
    All,
    Within(KeyRange),
}

impl TimeRange {
    /// The query's range: `from` included, `until` excluded.
    pub(super) fn of(query: &ExecutionQuery) -> Result<TimeRange, StorageError> {
        TimeRange::new(query.from_ms, query.until_ms.map(|until| (until, true)))
    }

    /// From `from` (included) up to `upper`, which says whether it is excluded.
    pub(super) fn new(
        from: Option<i64>,
        upper: Option<(i64, bool)>,
    ) -> Result<TimeRange, StorageError> {
        let range = match (from, upper) {
            (None, None) => return Ok(TimeRange::All),
            (Some(from), Some((to, excluded))) if from > to || (from == to && excluded) => {
                return Ok(TimeRange::Empty)
            }
            (Some(from), Some((to, excluded))) => {
                KeyRange::bound(&time_key(from), &time_key(to), Some(false), Some(excluded))?
            }
            (Some(from), None) => KeyRange::lower_bound(&time_key(from), Some(false))?,
            (None, Some((to, excluded))) => KeyRange::upper_bound(&time_key(to), Some(excluded))?,
        };
        Ok(TimeRange::Within(range))
    }

    /// The index query for a range that is not empty.
    pub(super) fn as_query(&self) -> Option<Query> {
        match self {
            TimeRange::Within(range) => Some(Query::KeyRange(range.clone())),
            TimeRange::Empty | TimeRange::All => None,
        }
    }
}
