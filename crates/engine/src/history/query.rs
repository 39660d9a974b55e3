//! Which executions a history search finds. Storage checks each part on its own (from the stored
//! record's fields, before reading the whole record), so the parts are public; [`ExecutionQuery::matches`]
//! is the same rule on a whole execution.

use crate::runner::{Execution, Status};

/// A history search. Every part that is set must match; the default finds everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionQuery {
    pub automation_id: Option<String>,
    pub status: Option<Status>,
    /// Created at or after this instant (milliseconds since the epoch).
    pub from_ms: Option<i64>,
    /// Created before this instant (exclusive), so consecutive ranges never overlap.
    pub until_ms: Option<i64>,
    /// Text to find in the request's URL or body, ignoring case; blank finds everything.
    pub text: String,
}

impl ExecutionQuery {
    pub fn matches(&self, execution: &Execution) -> bool {
        let (url, body) = execution.request.as_ref().map_or(("", ""), |request| {
            (request.url.as_str(), request.body.as_str())
        });
        self.accepts_automation(&execution.automation_id)
            && self.accepts_status(execution.status)
            && self.accepts_time(execution.created_at_ms)
            && self
                .text_search()
                .is_none_or(|search| search.matches(url, body))
    }

    pub fn accepts_automation(&self, automation_id: &str) -> bool {
        self.automation_id
            .as_deref()
            .is_none_or(|wanted| wanted == automation_id)
    }

    pub fn accepts_status(&self, status: Status) -> bool {
        self.status.is_none_or(|wanted| wanted == status)
    }

    pub fn accepts_time(&self, created_at_ms: i64) -> bool {
        self.from_ms.is_none_or(|from| created_at_ms >= from)
            && self.until_ms.is_none_or(|until| created_at_ms < until)
    }

    /// The compiled text search, or `None` when the text is blank.
    pub fn text_search(&self) -> Option<TextSearch> {
        TextSearch::new(&self.text)
    }

    /// Whether the time range can hold anything at all (`from` before `until`).
    pub fn time_range_is_possible(&self) -> bool {
        match (self.from_ms, self.until_ms) {
            (Some(from), Some(until)) => from < until,
            _ => true,
        }
    }

    /// Whether nothing narrows the search.
    pub fn is_everything(&self) -> bool {
        self.automation_id.is_none()
            && self.status.is_none()
            && self.from_ms.is_none()
            && self.until_ms.is_none()
            && self.text_search().is_none()
    }
}

/// Case-insensitive search of a request's URL and body. Surrounding spaces of the typed text are
/// ignored (a pasted word often carries some); spaces inside it are searched as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSearch {
    /// Lower-cased once, so each record costs one scan.
    needle: String,
}

impl TextSearch {
    pub fn new(text: &str) -> Option<TextSearch> {
        let needle = text.trim();
        (!needle.is_empty()).then(|| TextSearch {
            needle: needle.to_lowercase(),
        })
    }

    pub fn matches(&self, url: &str, body: &str) -> bool {
        contains_ignoring_case(url, &self.needle) || contains_ignoring_case(body, &self.needle)
    }
}

/// Whether `haystack` contains `needle` (already lower case), ignoring case. An ASCII needle is
/// compared byte by byte without allocating, which is what searching 100,000 bodies needs; any other
/// needle goes through Unicode lower-casing.
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    if needle.is_ascii() {
        let needle = needle.as_bytes();
        haystack
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::visibility::tests::execution;

    #[test]
    fn the_default_query_finds_everything() {
        let query = ExecutionQuery::default();
        assert!(query.matches(&execution()));
        assert!(query.is_everything());
        assert!(ExecutionQuery {
            text: "   ".into(),
            ..ExecutionQuery::default()
        }
        .is_everything());
        assert!(!ExecutionQuery {
            status: Some(Status::Failed),
            ..ExecutionQuery::default()
        }
        .is_everything());
    }

    #[test]
    fn every_part_must_match() {
        let run = execution();
        let by_automation = |id: &str| ExecutionQuery {
            automation_id: Some(id.into()),
            ..ExecutionQuery::default()
        };
        assert!(by_automation("au_won").matches(&run));
        assert!(!by_automation("au_other").matches(&run));
        let by_status = |status| ExecutionQuery {
            status: Some(status),
            ..ExecutionQuery::default()
        };
        assert!(by_status(Status::Failed).matches(&run));
        assert!(!by_status(Status::Succeeded).matches(&run));
        let both = ExecutionQuery {
            status: Some(Status::Succeeded),
            ..by_automation("au_won")
        };
        assert!(!both.matches(&run));
    }

    #[test]
    fn the_time_range_includes_from_and_excludes_until() {
        let run = execution();
        let at = run.created_at_ms;
        let range = |from_ms, until_ms| ExecutionQuery {
            from_ms,
            until_ms,
            ..ExecutionQuery::default()
        };
        assert!(range(Some(at), Some(at + 1)).matches(&run));
        assert!(!range(Some(at + 1), None).matches(&run));
        assert!(!range(None, Some(at)).matches(&run));
        assert!(range(None, Some(at + 1)).matches(&run));
        assert!(!range(Some(at), Some(at)).time_range_is_possible());
        assert!(range(Some(at), None).time_range_is_possible());
    }

    #[test]
    fn text_is_found_in_the_url_or_the_body_ignoring_case() {
        let run = execution();
        let search = |text: &str| ExecutionQuery {
            text: text.into(),
            ..ExecutionQuery::default()
        };
        assert!(search("ORDERS/42").matches(&run), "in the URL");
        assert!(
            search("  \"amount\": 12000 ").matches(&run),
            "in the body, spaces inside kept"
        );
        assert!(
            search("ZÜRICH").matches(&run),
            "non-ASCII text is lower-cased too"
        );
        assert!(!search("invoices").matches(&run));
        let mut never_sent = execution();
        never_sent.request = None;
        assert!(!search("orders").matches(&never_sent));
        assert!(
            search(" ").matches(&never_sent),
            "blank text finds everything"
        );
    }

    #[test]
    fn ascii_comparison_never_matches_inside_multibyte_characters() {
        assert!(contains_ignoring_case("Crème brûlée", "brû"));
        assert!(contains_ignoring_case("Crème BRÛLÉE", "brûlée"));
        assert!(!contains_ignoring_case("é", "a"));
        assert!(!contains_ignoring_case("", "a"));
    }
}
