//! Which executions a history search finds. Storage checks each part on its own (from the stored
//! record's fields, before reading the whole record), so the parts are public; [`ExecutionQuery::matches`]
//! is the same rule on a whole execution.

use crate::history::describe::status_label;
use crate::roles::Permissions;
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
    /// Text to find, ignoring case; blank finds everything. Where it is looked for is `scope`.
    pub text: String,
    pub scope: SearchScope,
}

/// Which parts of a run the text search reads. A search must not find a run by what the person
/// searching may not see: that would tell them the hidden body holds the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SearchScope {
    /// What everyone sees of a run: its status, its automation's name and the request's URL.
    #[default]
    Summary,
    /// The summary and the request body, for those who may see bodies.
    Details,
}

impl SearchScope {
    pub fn for_permissions(permissions: &Permissions) -> SearchScope {
        if permissions.see_details {
            SearchScope::Details
        } else {
            SearchScope::Summary
        }
    }
}

/// The texts of one run a search may read.
#[derive(Debug, Clone, Copy)]
pub struct SearchedText<'a> {
    pub status: Status,
    pub automation_name: &'a str,
    pub url: &'a str,
    pub body: &'a str,
}

impl ExecutionQuery {
    pub fn matches(&self, execution: &Execution) -> bool {
        let (url, body) = execution.request.as_ref().map_or(("", ""), |request| {
            (request.url.as_str(), request.body.as_str())
        });
        let searched = SearchedText {
            status: execution.status,
            automation_name: &execution.automation_name,
            url,
            body,
        };
        self.accepts_automation(&execution.automation_id)
            && self.accepts_status(execution.status)
            && self.accepts_time(execution.created_at_ms)
            && self
                .text_search()
                .is_none_or(|search| search.matches(searched))
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
        TextSearch::new(&self.text, self.scope)
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

/// Case-insensitive search of a run's status, automation name, URL and (in [`SearchScope::Details`])
/// body. Surrounding spaces of the typed text are ignored (a pasted word often carries some); spaces
/// inside it are searched as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSearch {
    /// Lower-cased once, so each record costs one scan.
    needle: String,
    scope: SearchScope,
}

impl TextSearch {
    pub fn new(text: &str, scope: SearchScope) -> Option<TextSearch> {
        let needle = text.trim();
        (!needle.is_empty()).then(|| TextSearch {
            needle: needle.to_lowercase(),
            scope,
        })
    }

    /// Whether the search reads request bodies (storage then reads them only when it does).
    pub fn reads_bodies(&self) -> bool {
        self.scope == SearchScope::Details
    }

    pub fn matches(&self, run: SearchedText<'_>) -> bool {
        let found = |text: &str| contains_ignoring_case(text, &self.needle);
        found(status_label(run.status))
            || found(run.automation_name)
            || found(run.url)
            || (self.reads_bodies() && found(run.body))
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
            scope: SearchScope::Details,
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
    fn without_details_only_what_everyone_sees_is_searched() {
        let run = execution();
        let search = |text: &str, scope| ExecutionQuery {
            text: text.into(),
            scope,
            ..ExecutionQuery::default()
        };
        for visible in ["failed", "won deals", "orders/42"] {
            assert!(
                search(visible, SearchScope::Summary).matches(&run),
                "{visible}"
            );
            assert!(
                search(visible, SearchScope::Details).matches(&run),
                "{visible}"
            );
        }
        assert!(
            !search("zürich", SearchScope::Summary).matches(&run),
            "a body is never searched for someone who may not read it"
        );
        assert!(search("zürich", SearchScope::Details).matches(&run));
        let regular = crate::event::User {
            id: 2,
            name: "Riley".into(),
            email: "riley@example.com".into(),
            is_admin: false,
        };
        assert_eq!(
            SearchScope::for_permissions(&Permissions::of(&regular)),
            SearchScope::Summary
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
