//! The relay's executions in a browser's history: how a record read from the relay
//! (`GET /v1/executions`) is merged with what the browser already stores under the same id
//! ([`merge`]), and where a browser continues reading ([`RelayCursor`]).
//!
//! Execution ids are derived from (event id, automation id, action index) on every host, so the
//! browser that hands an event to the relay records a pending placeholder under the id the relay's
//! record will have; the relay's record then replaces it. Records only ever move forward: the relay
//! appends attempts and ends a run, never anything else, so a record that is behind the stored one
//! (another tab read a newer state first) is dropped.
//!
//! **Bodies and the two tokens.** With the admin token the relay gives records whole; with the
//! events token it gives the view of a CRM user who is not an admin (no bodies, headers or record
//! values). A record read with the events token is stored marked [`Execution::details_withheld`],
//! keeping whatever this browser knew already: the request it planned itself (the placeholder) and
//! the answers of attempts it read whole before. The page shows an admin that the rest is held by the
//! relay. When a browser that read with the events token later reads with the admin token (an admin
//! entered it in Settings → Relay), it reads the relay's whole history again from the start, so every
//! withheld record is replaced by the whole one; the opposite change keeps its place, since what it
//! read before is at least as complete. Who may see what on the page stays the engine's one rule
//! ([`crate::history::visible_to`]), whichever token read the record.

use serde::{Deserialize, Serialize};

use crate::model::Route;
use crate::runner::{Execution, ResponseSummary, Status};

/// Which view of its executions the relay gives a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelayView {
    /// The admin token: records whole.
    Admin,
    /// The events token: a CRM user's view who is not an admin (no bodies, headers or record values).
    NonAdmin,
}

/// How far a browser has read one relay's executions, and with which view. Kept in the browser's
/// settings store, so a reload continues where it stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayCursor {
    /// The relay's URL, as the connection names it.
    pub relay: String,
    pub view: RelayView,
    /// The relay's cursor of the last execution stored (`0`: none yet).
    pub after: u64,
}

impl RelayCursor {
    /// Where to continue reading `relay` with a token that gives `view`, after `stored`: from the
    /// start for another relay (cursors are one relay's), or when the admin view follows the
    /// non-admin one (to replace every withheld record with the whole one); from the stored cursor
    /// otherwise.
    pub fn resume_after(stored: Option<&RelayCursor>, relay: &str, view: RelayView) -> u64 {
        match stored {
            Some(cursor)
                if same_relay(&cursor.relay, relay)
                    && !(cursor.view == RelayView::NonAdmin && view == RelayView::Admin) =>
            {
                cursor.after
            }
            _ => 0,
        }
    }
}

/// Two spellings of one relay URL (`https://relay.example/` and `https://relay.example`).
fn same_relay(a: &str, b: &str) -> bool {
    let normal = |url: &str| url.trim().trim_end_matches('/').to_ascii_lowercase();
    normal(a) == normal(b)
}

/// A relay run as this browser planned it, before any attempt: pending while the relay has not
/// taken the event, failed when this browser gave up on handing it over. Either way the relay's own
/// record of the run, if it has one, is the truth about it.
pub fn is_placeholder(execution: &Execution) -> bool {
    execution.route == Route::Relay && execution.attempts.is_empty()
}

/// A placeholder still waiting for the relay: the only kind this browser may note or fail.
pub fn is_waiting_placeholder(execution: &Execution) -> bool {
    is_placeholder(execution) && execution.status == Status::Pending
}

/// How far a record has come: ended or not, then how many attempts it holds.
fn progress(execution: &Execution) -> (bool, usize) {
    (
        execution.status != Status::Pending,
        execution.attempts.len(),
    )
}

/// What to store for `incoming`, a record the relay gave (`withheld`: read with the events token),
/// given the `stored` record with the same id, if any; `None` when the stored record stays as it is.
///
/// - Nothing stored, or the browser's placeholder for a relay delivery (pending, or failed when the
///   browser gave up handing it over): the relay's record.
/// - A record of this browser's own delivery (`Route::Browser`) stays: it is what this browser sent.
///   (One event is never delivered by both; were it, receivers would drop the second by its
///   `webhook-id`.)
/// - A stored record further on than `incoming` stays (another tab stored a newer state first).
/// - `incoming` withheld: it keeps what the stored record knew (see the module's notes).
pub fn merge(stored: Option<&Execution>, incoming: Execution, withheld: bool) -> Option<Execution> {
    let mut merged = incoming;
    merged.route = Route::Relay;
    merged.details_withheld = withheld;
    let Some(stored) = stored else {
        return Some(merged);
    };
    if stored.route == Route::Browser
        || (!is_placeholder(stored) && progress(stored) > progress(&merged))
    {
        return None;
    }
    if withheld {
        merged.details_withheld = !keep_details(stored, &mut merged);
    }
    for problem in &stored.problems {
        if !merged.problems.contains(problem) {
            merged.problems.push(problem.clone());
        }
    }
    (merged != *stored).then_some(merged)
}

/// Copies into the withheld `merged` what `stored` knew of the same run; true when nothing is left
/// missing.
fn keep_details(stored: &Execution, merged: &mut Execution) -> bool {
    // A placeholder holds the request as this browser planned it, without the credentials and
    // signature the relay adds (no browser holds a relay webhook's): never the whole of what was sent.
    let known = !stored.details_withheld && !is_placeholder(stored);
    let request_known = match (&mut merged.request, &stored.request) {
        (None, _) => true,
        (Some(request), Some(before))
            if request.method == before.method
                && request.url == before.url
                && !before.headers.is_empty() =>
        {
            *request = before.clone();
            true
        }
        (Some(_), _) => false,
    };
    let same_conditions = merged.trace.len() == stored.trace.len()
        && merged
            .trace
            .iter()
            .zip(&stored.trace)
            .all(|(a, b)| a.index_path == b.index_path && a.field == b.field);
    if same_conditions {
        merged.trace.clone_from(&stored.trace);
    }
    let mut answers_known = true;
    for attempt in &mut merged.attempts {
        let Some(response) = &mut attempt.response else {
            continue;
        };
        let before = stored
            .attempts
            .iter()
            .find(|before| before.number == attempt.number)
            .and_then(|before| before.response.as_ref())
            .filter(|before| before.status == response.status);
        match before {
            Some(before) if known || !before.headers.is_empty() => *response = before.clone(),
            _ => answers_known = false,
        }
    }
    request_known && (same_conditions || merged.trace.is_empty()) && answers_known && known
}

/// Whether the page holds what this browser planned of a run: its request's headers and body and
/// the record's values of its conditions. Every record given whole does; a withheld one does when
/// this browser planned the run itself (it kept its placeholder's request).
pub fn planned_here(execution: &Execution) -> bool {
    !execution.details_withheld
        || execution
            .request
            .as_ref()
            .is_some_and(|request| !request.headers.is_empty())
}

/// Whether the page holds the request as it was sent (headers and body), so it can be copied as
/// cURL: only in a record given whole. A withheld record may show the request this browser planned,
/// which lacks what the relay added as it sent (credentials, signature).
pub fn request_known(execution: &Execution) -> bool {
    execution.request.is_some() && !execution.details_withheld && !is_placeholder(execution)
}

/// Whether the page holds an answer's headers and body: always for a record given whole; for a
/// withheld one, only the answers this browser had read whole before.
pub fn answer_known(execution: &Execution, response: &ResponseSummary) -> bool {
    !execution.details_withheld || !response.headers.is_empty()
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::history::visibility::tests::{execution, permissions};
    use crate::history::visible_to;

    /// The relay's record of a run: the shared test run, sent by the relay.
    fn relay_record() -> Execution {
        Execution {
            route: Route::Relay,
            ..execution()
        }
    }

    /// What the events token gives of it.
    fn withheld(record: Execution) -> Execution {
        visible_to(record, &permissions(false)).execution
    }

    /// The pending placeholder the browser recorded when it handed the event over.
    fn placeholder() -> Execution {
        Execution {
            status: Status::Pending,
            reason: None,
            attempts: Vec::new(),
            finished_at_ms: None,
            next_attempt_at_ms: Some(1_735_787_045_000),
            ..relay_record()
        }
    }

    #[test]
    fn a_new_record_is_stored_as_the_relay_gave_it() {
        let merged = merge(None, relay_record(), false).unwrap();
        assert_eq!(merged, relay_record());
        let merged = merge(None, withheld(relay_record()), true).unwrap();
        assert!(merged.details_withheld);
        assert!(merged.request.unwrap().body.is_empty());
    }

    #[test]
    fn the_relays_record_replaces_the_browsers_placeholder() {
        assert_eq!(
            merge(Some(&placeholder()), relay_record(), false),
            Some(relay_record())
        );
    }

    #[test]
    fn whatever_the_relay_says_the_record_is_marked_as_sent_by_the_relay() {
        let browser = Execution {
            route: Route::Browser,
            ..execution()
        };
        assert_eq!(merge(None, browser, false).unwrap().route, Route::Relay);
    }

    #[test]
    fn a_record_of_this_browsers_own_delivery_stays() {
        let sent_here = Execution {
            route: Route::Browser,
            ..placeholder()
        };
        assert_eq!(merge(Some(&sent_here), relay_record(), false), None);
    }

    #[test]
    fn a_record_behind_the_stored_one_is_dropped_and_the_same_one_writes_nothing() {
        let ended = relay_record();
        let mut first_attempt = relay_record();
        first_attempt.status = Status::Pending;
        first_attempt.attempts.truncate(1);
        assert_eq!(merge(Some(&ended), first_attempt.clone(), false), None);
        assert_eq!(merge(Some(&ended), relay_record(), false), None);
        assert_eq!(
            merge(Some(&first_attempt), relay_record(), false),
            Some(relay_record())
        );
    }

    #[test]
    fn withheld_over_the_placeholder_keeps_the_request_and_conditions_this_browser_planned() {
        let merged = merge(Some(&placeholder()), withheld(relay_record()), true).unwrap();
        assert_eq!(merged.request, relay_record().request, "planned here");
        assert_eq!(merged.trace, relay_record().trace);
        assert_eq!(merged.status, Status::Failed);
        assert_eq!(merged.attempts.len(), 2);
        let response = merged.attempts[0].response.as_ref().unwrap();
        assert_eq!(response.status, 503);
        assert!(
            response.body_excerpt.is_empty(),
            "the answers stay at the relay"
        );
        assert!(merged.details_withheld);
        assert!(planned_here(&merged), "the planned request is shown");
        assert!(
            !request_known(&merged),
            "but not copied as cURL: the relay added credentials and a signature"
        );
        assert!(!answer_known(&merged, response));
    }

    #[test]
    fn withheld_over_a_whole_record_of_the_same_state_changes_nothing() {
        assert_eq!(
            merge(Some(&relay_record()), withheld(relay_record()), true),
            None
        );
    }

    #[test]
    fn withheld_with_a_new_attempt_keeps_the_earlier_answers_and_marks_the_new_one_withheld() {
        let mut first = relay_record();
        first.status = Status::Pending;
        first.attempts.truncate(1);
        let merged = merge(Some(&first), withheld(relay_record()), true).unwrap();
        assert_eq!(merged.attempts[0], relay_record().attempts[0]);
        let second = merged.attempts[1].response.as_ref().unwrap();
        assert!(second.body_excerpt.is_empty());
        let first_answer = merged.attempts[0].response.as_ref().unwrap();
        assert!(answer_known(&merged, first_answer) && !answer_known(&merged, second));
        assert!(merged.details_withheld);
        assert_eq!(merged.request, relay_record().request);
    }

    #[test]
    fn a_whole_record_replaces_a_withheld_one() {
        let stored = merge(None, withheld(relay_record()), true).unwrap();
        assert!(!request_known(&stored), "nothing to copy as cURL");
        assert!(!planned_here(&stored), "no record values either");
        let merged = merge(Some(&stored), relay_record(), false).unwrap();
        assert_eq!(merged, relay_record());
        assert!(request_known(&merged));
    }

    #[test]
    fn withheld_over_withheld_stays_withheld_and_invents_nothing() {
        let stored = merge(None, withheld(relay_record()), true).unwrap();
        assert_eq!(merge(Some(&stored), withheld(relay_record()), true), None);
        assert_eq!(stored.trace[0].actual, Value::Null);
    }

    #[test]
    fn storage_problems_noted_in_the_placeholder_are_kept() {
        let mut noted = placeholder();
        noted
            .problems
            .push("the outbox could not be written".into());
        let merged = merge(Some(&noted), relay_record(), false).unwrap();
        assert_eq!(merged.problems, ["the outbox could not be written"]);
    }

    #[test]
    fn a_cursor_continues_for_the_same_relay_and_a_view_no_richer() {
        let cursor = |view| RelayCursor {
            relay: "https://relay.example/".into(),
            view,
            after: 41,
        };
        let url = "https://relay.example";
        assert_eq!(RelayCursor::resume_after(None, url, RelayView::Admin), 0);
        let admin = cursor(RelayView::Admin);
        let events = cursor(RelayView::NonAdmin);
        assert_eq!(
            RelayCursor::resume_after(Some(&admin), url, RelayView::Admin),
            41
        );
        assert_eq!(
            RelayCursor::resume_after(Some(&admin), url, RelayView::NonAdmin),
            41
        );
        assert_eq!(
            RelayCursor::resume_after(Some(&events), url, RelayView::NonAdmin),
            41
        );
        assert_eq!(
            RelayCursor::resume_after(Some(&events), url, RelayView::Admin),
            0,
            "the admin token reads every withheld record again"
        );
        assert_eq!(
            RelayCursor::resume_after(Some(&admin), "https://other.example", RelayView::Admin),
            0
        );
    }
}
