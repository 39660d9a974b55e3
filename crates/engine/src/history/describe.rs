//! An execution in words, as the history's table and detail view show it.

use serde_json::Value;

use crate::retry::Outcome;
use crate::runner::{EventSummary, Execution, Status};

/// Every status, in the order the history's filter lists them.
pub const STATUSES: [Status; 4] = [
    Status::Pending,
    Status::Succeeded,
    Status::Failed,
    Status::Stopped,
];

pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Pending => "Pending",
        Status::Succeeded => "Succeeded",
        Status::Failed => "Failed",
        Status::Stopped => "Stopped",
    }
}

/// The status and why, as one sentence: "Failed — the endpoint answered 404 Not Found: check the path…".
pub fn status_in_words(execution: &Execution) -> String {
    let label = status_label(execution.status);
    let last = execution.attempts.last();
    let detail = match execution.status {
        Status::Pending => match last {
            None => "waiting to be sent".to_owned(),
            Some(attempt) => {
                let next = attempt
                    .retry_in
                    .map_or_else(|| "retrying soon".to_owned(), |delay| delay.to_string());
                format!(
                    "attempt {} ended with {}; {next}",
                    attempt.number,
                    outcome_in_words(attempt.outcome)
                )
            }
        },
        Status::Succeeded => match last {
            Some(attempt) if attempt.number > 1 => format!(
                "the endpoint answered {} on attempt {}",
                outcome_in_words(attempt.outcome),
                attempt.number
            ),
            Some(attempt) => format!(
                "the endpoint answered {}",
                outcome_in_words(attempt.outcome)
            ),
            None => "the endpoint accepted the request".to_owned(),
        },
        Status::Failed | Status::Stopped => execution
            .reason
            .clone()
            .unwrap_or_else(|| "no reason was recorded".to_owned()),
    };
    let end = if detail.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("{label} — {detail}{end}")
}

/// How one attempt ended: "HTTP 503", "no answer (network error)", …
pub fn outcome_in_words(outcome: Outcome) -> String {
    match outcome {
        Outcome::Status(status) => format!("HTTP {status}"),
        Outcome::NetworkError => "no answer (network error)".to_owned(),
        Outcome::Timeout => "no answer in time (timeout)".to_owned(),
        Outcome::CorsRefused => "a refusal by the browser (CORS)".to_owned(),
        // A browser hides a refused redirect's status (0).
        Outcome::RedirectRefused(0) => "a redirect (not followed)".to_owned(),
        Outcome::RedirectRefused(status) => format!("a redirect, HTTP {status} (not followed)"),
        Outcome::AddressRefused { address, kind } => {
            format!("a refusal to send: the address {address} is {kind}")
        }
    }
}

/// The answer column of the table: the last attempt's HTTP status, or what happened instead.
pub fn answer_label(execution: &Execution) -> String {
    match execution.attempts.last().map(|attempt| attempt.outcome) {
        None => "—".to_owned(),
        Some(Outcome::Status(status)) => status.to_string(),
        Some(Outcome::RedirectRefused(0)) => "redirect".to_owned(),
        Some(Outcome::RedirectRefused(status)) => status.to_string(),
        Some(Outcome::NetworkError) => "no answer".to_owned(),
        Some(Outcome::Timeout) => "timeout".to_owned(),
        Some(Outcome::CorsRefused) => "CORS".to_owned(),
        Some(Outcome::AddressRefused { .. }) => "refused".to_owned(),
    }
}

/// Time spent waiting for the endpoint: every attempt's duration, without the waits between attempts
/// (those are the retry policy's, shown on each attempt). `None` before the first attempt.
pub fn request_time_ms(execution: &Execution) -> Option<u64> {
    (!execution.attempts.is_empty()).then(|| {
        execution
            .attempts
            .iter()
            .map(|attempt| attempt.duration_ms)
            .sum()
    })
}

/// "85 ms", "1.2 s", "42 s", "3 min 5 s", "2 h 10 min".
pub fn format_duration(ms: u64) -> String {
    const SECOND: u64 = 1_000;
    const MINUTE: u64 = 60 * SECOND;
    const HOUR: u64 = 60 * MINUTE;
    match ms {
        0..SECOND => format!("{ms} ms"),
        SECOND..10_000 => {
            let tenths = (ms + 50) / 100;
            if tenths % 10 == 0 {
                format!("{} s", tenths / 10)
            } else {
                format!("{}.{} s", tenths / 10, tenths % 10)
            }
        }
        10_000..MINUTE => format!("{} s", (ms + 500) / SECOND),
        MINUTE..HOUR => with_unit(ms / MINUTE, "min", (ms % MINUTE) / SECOND, "s"),
        _ => with_unit(ms / HOUR, "h", (ms % HOUR) / MINUTE, "min"),
    }
}

fn with_unit(major: u64, major_unit: &str, minor: u64, minor_unit: &str) -> String {
    if minor == 0 {
        format!("{major} {major_unit}")
    } else {
        format!("{major} {major_unit} {minor} {minor_unit}")
    }
}

/// A count with thousands separated, as the history's summary shows it: "100,000".
pub fn thousands(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The record that triggered a run: "deal 42", or just "deal" when the event named no id.
pub fn record_label(event: &EventSummary) -> String {
    match &event.record_id {
        None | Some(Value::Null) => event.entity.clone(),
        Some(Value::String(id)) => format!("{} {id}", event.entity),
        Some(id) => format!("{} {id}", event.entity),
    }
}

/// A condition's number as the automation editor shows it: `[1, 0]` is "2.1".
pub fn condition_number(index_path: &[usize]) -> String {
    let numbers: Vec<String> = index_path
        .iter()
        .map(|index| (index + 1).to_string())
        .collect();
    numbers.join(".")
}

/// A request or response body for reading: pretty-printed when it is JSON, as it is otherwise
/// (plain text, or JSON cut at the size limit).
pub fn display_body(body: &str) -> String {
    if serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok() {
        crate::editor::format::pretty_json(body)
    } else {
        body.to_owned()
    }
}

/// Response headers a browser lets a page read without the endpoint's permission
/// (`Access-Control-Expose-Headers`): the CORS-safelisted response headers.
const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Whether the browser probably hid headers the endpoint sent: every header the page could read is
/// one a browser always shows, so the endpoint exposed none of its own.
pub fn headers_hidden_by_cors(headers: &[(String, String)]) -> bool {
    headers.iter().all(|(name, _)| {
        SAFELISTED_RESPONSE_HEADERS
            .iter()
            .any(|safe| safe.eq_ignore_ascii_case(name))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::history::visibility::tests::execution;
    use crate::retry::{Delay, DelayReason};

    #[test]
    fn statuses_read_as_sentences_with_their_reason() {
        let failed = execution();
        assert_eq!(
            status_in_words(&failed),
            "Failed — the endpoint failed with 503 (Service Unavailable) (after 2 attempts): the problem is on the endpoint's side."
        );
        let mut stopped = execution();
        stopped.status = Status::Stopped;
        stopped.reason = Some("the frequency limit stopped it.".into());
        assert_eq!(
            status_in_words(&stopped),
            "Stopped — the frequency limit stopped it."
        );
        stopped.reason = None;
        assert_eq!(
            status_in_words(&stopped),
            "Stopped — no reason was recorded."
        );

        let mut succeeded = execution();
        succeeded.status = Status::Succeeded;
        succeeded.attempts[1].outcome = Outcome::Status(201);
        assert_eq!(
            status_in_words(&succeeded),
            "Succeeded — the endpoint answered HTTP 201 on attempt 2."
        );
        succeeded.attempts.remove(0);
        succeeded.attempts[0].number = 1;
        assert_eq!(
            status_in_words(&succeeded),
            "Succeeded — the endpoint answered HTTP 201."
        );

        let mut pending = execution();
        pending.status = Status::Pending;
        pending.attempts.truncate(1);
        assert_eq!(
            status_in_words(&pending),
            "Pending — attempt 1 ended with HTTP 503; retrying in 2 s, as the endpoint asked (Retry-After)."
        );
        pending.attempts.clear();
        assert_eq!(status_in_words(&pending), "Pending — waiting to be sent.");
    }

    #[test]
    fn outcomes_and_answers_name_what_happened() {
        assert_eq!(
            outcome_in_words(Outcome::Timeout),
            "no answer in time (timeout)"
        );
        assert_eq!(
            outcome_in_words(Outcome::RedirectRefused(301)),
            "a redirect, HTTP 301 (not followed)"
        );
        assert_eq!(
            outcome_in_words(Outcome::RedirectRefused(0)),
            "a redirect (not followed)"
        );
        let mut run = execution();
        assert_eq!(answer_label(&run), "503");
        run.attempts[1].outcome = Outcome::CorsRefused;
        assert_eq!(answer_label(&run), "CORS");
        run.attempts[1].outcome = Outcome::NetworkError;
        assert_eq!(answer_label(&run), "no answer");
        run.attempts.clear();
        assert_eq!(answer_label(&run), "—");
    }

    #[test]
    fn request_time_adds_attempts_but_not_the_waits_between_them() {
        let mut run = execution();
        assert_eq!(request_time_ms(&run), Some(1_500));
        run.attempts[0].retry_in = Some(Delay {
            ms: 60_000,
            reason: DelayReason::Backoff,
        });
        assert_eq!(request_time_ms(&run), Some(1_500));
        run.attempts.clear();
        assert_eq!(request_time_ms(&run), None);
    }

    #[test]
    fn durations_use_the_unit_that_reads_best() {
        let cases = [
            (0, "0 ms"),
            (85, "85 ms"),
            (999, "999 ms"),
            (1_000, "1 s"),
            (1_249, "1.2 s"),
            (1_950, "2 s"),
            (9_949, "9.9 s"),
            (9_960, "10 s"),
            (42_400, "42 s"),
            (60_000, "1 min"),
            (185_000, "3 min 5 s"),
            (3_600_000, "1 h"),
            (7_800_000, "2 h 10 min"),
        ];
        for (ms, expected) in cases {
            assert_eq!(format_duration(ms), expected, "{ms}");
        }
    }

    #[test]
    fn counts_group_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn records_conditions_and_bodies_read_naturally() {
        let mut event = execution().event;
        assert_eq!(record_label(&event), "deal 42");
        event.record_id = Some(json!("A-7"));
        assert_eq!(record_label(&event), "deal A-7");
        event.record_id = None;
        assert_eq!(record_label(&event), "deal");
        assert_eq!(condition_number(&[1, 0]), "2.1");
        assert_eq!(
            display_body("{\"a\":[1,2]}"),
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}"
        );
        assert_eq!(
            display_body("{\"a\":[1,"),
            "{\"a\":[1,",
            "cut JSON stays as it is"
        );
        assert_eq!(display_body("busy"), "busy");
    }

    #[test]
    fn only_safelisted_headers_mean_cors_hid_the_rest() {
        let header = |name: &str| (name.to_owned(), "x".to_owned());
        assert!(headers_hidden_by_cors(&[]));
        assert!(headers_hidden_by_cors(&[
            header("Content-Type"),
            header("content-length")
        ]));
        assert!(!headers_hidden_by_cors(&[
            header("content-type"),
            header("x-request-id")
        ]));
    }
}
