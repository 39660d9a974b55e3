//! Whether a failed delivery is tried again, and after how long.
//!
//! Which outcomes are retried is the product's rule; how often and how long to wait is the webhook's
//! [`RetryPolicy`]. Everything here is a pure function: the caller passes the jitter (a random number)
//! and the current time, so the runner's schedule can be tested exactly.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::address::AddressKind;
use crate::decimal::tenths;
use crate::model::RetryPolicy;
use crate::time::Date;

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The endpoint answered with this status (a redirect is [`Outcome::RedirectRefused`] instead).
    Status(u16),
    /// No answer: the host is unknown, refused the connection, or the connection dropped.
    NetworkError,
    /// No answer within the webhook's timeout.
    Timeout,
    /// The browser refused to show the answer because the endpoint does not allow this origin.
    CorsRefused,
    /// The endpoint answered with a redirect, which is not followed so the host never changes.
    RedirectRefused(u16),
    /// Not sent: the destination is an address a server must not reach (loopback, a private network,
    /// a cloud metadata service…; see [`crate::address`]). Only a server-side sender (the relay)
    /// checks this.
    AddressRefused { address: IpAddr, kind: AddressKind },
}

impl Outcome {
    pub fn is_success(self) -> bool {
        matches!(self, Outcome::Status(200..=299))
    }
}

/// Whether an attempt that ended this way is worth repeating: when the cause may be passing (the
/// network, an overloaded or failing server, "slow down" answers), never when the same request would be
/// refused the same way again.
pub fn should_retry(outcome: &Outcome) -> bool {
    match *outcome {
        Outcome::NetworkError | Outcome::Timeout => true,
        Outcome::Status(status) => matches!(status, 408 | 429 | 500..=599),
        // A CORS refusal is the endpoint's configuration: it refuses the same request the same way until
        // someone changes that configuration, so retrying only delays the failure the admin must see.
        Outcome::CorsRefused => false,
        // A redirect is answered again on every attempt; following it would change the host.
        Outcome::RedirectRefused(_) => false,
        // The same address is refused the same way on every attempt.
        Outcome::AddressRefused { .. } => false,
    }
}

/// The wait before the next attempt, and why it is that long (shown in the execution history).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delay {
    pub ms: u64,
    pub reason: DelayReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DelayReason {
    /// Exponential backoff with jitter.
    Backoff,
    /// The endpoint's `Retry-After`, honoured exactly.
    RetryAfter,
    /// The endpoint's `Retry-After` asked for more than the webhook's maximum wait; the wait is that
    /// maximum, and the history says so rather than silently waiting less than asked.
    RetryAfterCapped { requested_ms: u64 },
}

impl fmt::Display for Delay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wait = seconds(self.ms);
        match self.reason {
            DelayReason::Backoff => write!(f, "retrying in {wait}"),
            DelayReason::RetryAfter => write!(f, "retrying in {wait}, as the endpoint asked (Retry-After)"),
            DelayReason::RetryAfterCapped { requested_ms } => write!(
                f,
                "retrying in {wait}: the endpoint asked to wait {} (Retry-After), longer than this webhook's maximum wait",
                seconds(requested_ms)
            ),
        }
    }
}

fn seconds(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{} s", tenths(ms))
    }
}

/// The wait before retrying after `attempt` (1-based: the attempt that just ended with `outcome`), or
/// `None` when there is no retry: the outcome is not retryable, or that was the last attempt.
///
/// Without `Retry-After` the wait is `initial × 2^(attempt-1)`, capped at the maximum, with "equal
/// jitter": half of it fixed, half scaled by `jitter` (a random number in [0, 1)), so retries of many
/// executions spread out but never come back at once with no wait. `retry_after_ms` (from
/// [`parse_retry_after`]) replaces the backoff, without jitter since the endpoint named the time, but
/// never beyond the maximum wait ([`DelayReason::RetryAfterCapped`]).
pub fn next_delay(
    policy: &RetryPolicy,
    outcome: &Outcome,
    attempt: u32,
    retry_after_ms: Option<u64>,
    jitter: f64,
) -> Option<Delay> {
    if !should_retry(outcome) || attempt >= policy.max_attempts {
        return None;
    }
    let max = u64::from(policy.max_backoff_ms);
    let delay = match retry_after_ms {
        Some(requested_ms) if requested_ms > max => Delay {
            ms: max,
            reason: DelayReason::RetryAfterCapped { requested_ms },
        },
        Some(requested_ms) => Delay {
            ms: requested_ms,
            reason: DelayReason::RetryAfter,
        },
        None => Delay {
            ms: with_equal_jitter(backoff_ms(policy, attempt), jitter),
            reason: DelayReason::Backoff,
        },
    };
    Some(delay)
}

fn backoff_ms(policy: &RetryPolicy, attempt: u32) -> u64 {
    let doublings = attempt.saturating_sub(1).min(63);
    u64::from(policy.initial_backoff_ms)
        .saturating_mul(1 << doublings)
        .min(u64::from(policy.max_backoff_ms))
}

fn with_equal_jitter(base: u64, jitter: f64) -> u64 {
    // Out-of-range jitter (a caller's bug) must not make the wait negative or longer than the backoff.
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let half = base / 2;
    // `base - half` rounds up, so any non-zero backoff stays non-zero whatever the jitter.
    (base - half) + (half as f64 * jitter) as u64
}

/// A `Retry-After` header's wait in milliseconds: delta-seconds (`120`) or an HTTP date (IMF-fixdate, and
/// the obsolete RFC 850 and asctime forms recipients must accept), relative to `now_unix_seconds`. A date
/// in the past means "now" (0). `None` when the header is neither.
pub fn parse_retry_after(header: &str, now_unix_seconds: i64) -> Option<u64> {
    let value = header.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        // More digits than u64 holds is still "a very long time", not garbage.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(seconds.saturating_mul(1000));
    }
    let at = parse_http_date(value, now_unix_seconds)?;
    let seconds = at.saturating_sub(now_unix_seconds).max(0);
    Some((seconds as u64).saturating_mul(1000))
}

/// Seconds since the epoch of an HTTP date (RFC 9110 §5.6.7), whichever of its three forms.
fn parse_http_date(value: &str, now_unix_seconds: i64) -> Option<i64> {
    let words: Vec<&str> = value.split_whitespace().collect();
    let (year, month, day, time) = match words.as_slice() {
        // IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`
        [weekday, day, month, year, time, "GMT"] if weekday.ends_with(',') => (
            number(year, 4)?,
            month_number(month)?,
            number(day, 2)?,
            *time,
        ),
        // RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`
        [weekday, date, time, "GMT"] if weekday.ends_with(',') => {
            let mut parts = date.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            let year = full_year(number(year, 2)?, now_unix_seconds);
            (year, month_number(month)?, number(day, 2)?, *time)
        }
        // asctime: `Sun Nov  6 08:49:37 1994`
        [_weekday, month, day, time, year] if day.len() <= 2 => (
            number(year, 4)?,
            month_number(month)?,
            day.parse().ok()?,
            *time,
        ),
        _ => return None,
    };
    let date = Date::parse(&format!("{year:04}-{month:02}-{day:02}"))?;
    Some(date.days_since_epoch() * 86_400 + time_of_day(time)?)
}

/// An RFC 850 two-digit year: the century that puts it at most 50 years ahead of now (RFC 9110 §5.6.7).
fn full_year(two_digits: u32, now_unix_seconds: i64) -> u32 {
    let this_year = Date::from_days_since_epoch(now_unix_seconds.div_euclid(86_400)).year;
    let this_year = u32::try_from(this_year).unwrap_or(0);
    let candidate = this_year - this_year % 100 + two_digits;
    if candidate > this_year + 50 {
        candidate.saturating_sub(100)
    } else {
        candidate
    }
}

fn number(text: &str, digits: usize) -> Option<u32> {
    (text.len() == digits && text.bytes().all(|byte| byte.is_ascii_digit()))
        .then(|| text.parse().ok())?
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let index = MONTHS
        .iter()
        .position(|month| month.eq_ignore_ascii_case(name))?;
    Some(index as u32 + 1)
}

/// `HH:MM:SS` as seconds since midnight (a leap second counts as :59).
fn time_of_day(text: &str) -> Option<i64> {
    let mut parts = text.split(':');
    let hour = number(parts.next()?, 2)?;
    let minute = number(parts.next()?, 2)?;
    let second = number(parts.next()?, 2)?;
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(i64::from(hour * 3600 + minute * 60 + second.min(59)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max_attempts: u32, initial_backoff_ms: u32, max_backoff_ms: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            initial_backoff_ms,
            max_backoff_ms,
        }
    }

    const SERVER_ERROR: Outcome = Outcome::Status(503);

    /// 1994-11-06T08:49:37Z, the RFC's example date.
    const RFC_EXAMPLE: i64 = 784_111_777;

    #[test]
    fn passing_failures_are_retried() {
        for outcome in [
            Outcome::NetworkError,
            Outcome::Timeout,
            Outcome::Status(408),
            Outcome::Status(429),
            Outcome::Status(500),
            Outcome::Status(503),
            Outcome::Status(599),
        ] {
            assert!(should_retry(&outcome), "{outcome:?}");
        }
    }

    #[test]
    fn answers_that_would_repeat_are_not_retried() {
        for outcome in [
            Outcome::Status(200),
            Outcome::Status(204),
            Outcome::Status(400),
            Outcome::Status(401),
            Outcome::Status(404),
            Outcome::Status(409),
            Outcome::Status(422),
            Outcome::RedirectRefused(301),
            Outcome::RedirectRefused(307),
            Outcome::CorsRefused,
            Outcome::AddressRefused {
                address: IpAddr::from([10, 0, 0, 5]),
                kind: AddressKind::Private,
            },
        ] {
            assert!(!should_retry(&outcome), "{outcome:?}");
            assert_eq!(
                next_delay(&RetryPolicy::default(), &outcome, 1, None, 0.5),
                None,
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn success_is_any_2xx_status() {
        assert!(Outcome::Status(200).is_success() && Outcome::Status(299).is_success());
        assert!(!Outcome::Status(300).is_success() && !Outcome::Timeout.is_success());
    }

    #[test]
    fn no_retry_once_the_attempts_are_used_up() {
        let three = policy(3, 1_000, 60_000);
        assert!(next_delay(&three, &SERVER_ERROR, 1, None, 0.0).is_some());
        assert!(next_delay(&three, &SERVER_ERROR, 2, None, 0.0).is_some());
        assert_eq!(next_delay(&three, &SERVER_ERROR, 3, None, 0.0), None);
        assert_eq!(
            next_delay(&policy(1, 1_000, 60_000), &SERVER_ERROR, 1, None, 0.0),
            None
        );
    }

    #[test]
    fn backoff_doubles_from_the_initial_wait_up_to_the_maximum() {
        let policy = policy(10, 1_000, 10_000);
        // With jitter just under 1, the wait is (almost) the whole backoff.
        let waits: Vec<u64> = (1..=6)
            .map(|attempt| {
                next_delay(&policy, &SERVER_ERROR, attempt, None, 0.999_999)
                    .unwrap()
                    .ms
            })
            .collect();
        let expected: Vec<u64> = (1..=6u32)
            .map(|attempt| (1_000u64 << (attempt - 1)).min(10_000))
            .collect();
        for (wait, backoff) in waits.iter().zip(&expected) {
            assert!(backoff - wait <= 1, "{waits:?} vs {expected:?}");
        }
        let huge = next_delay(&policy, &SERVER_ERROR, 9, None, 0.0).unwrap();
        assert_eq!(huge.ms, 5_000, "half of the capped backoff");
    }

    #[test]
    fn equal_jitter_keeps_half_fixed_and_never_reaches_zero() {
        let five = policy(5, 1_000, 60_000);
        let at = |attempt, jitter| next_delay(&five, &SERVER_ERROR, attempt, None, jitter).unwrap();
        assert_eq!(at(2, 0.0).ms, 1_000, "half of 2 000 ms");
        assert_eq!(at(2, 0.5).ms, 1_500);
        assert_eq!(at(2, 0.0).reason, DelayReason::Backoff);
        let tiny = policy(5, 1, 60_000);
        assert_eq!(
            next_delay(&tiny, &SERVER_ERROR, 1, None, 0.0).unwrap().ms,
            1
        );
        for bad_jitter in [-3.0, f64::NAN, 7.0] {
            let ms = at(2, bad_jitter).ms;
            assert!((1_000..=2_000).contains(&ms), "{bad_jitter}: {ms}");
        }
    }

    #[test]
    fn retry_after_replaces_the_backoff_up_to_the_maximum_and_says_when_capped() {
        let policy = policy(5, 1_000, 60_000);
        let honoured = next_delay(&policy, &Outcome::Status(429), 1, Some(30_000), 0.7).unwrap();
        assert_eq!(
            honoured,
            Delay {
                ms: 30_000,
                reason: DelayReason::RetryAfter
            }
        );
        let capped = next_delay(&policy, &Outcome::Status(503), 1, Some(300_000), 0.7).unwrap();
        assert_eq!(
            capped,
            Delay {
                ms: 60_000,
                reason: DelayReason::RetryAfterCapped {
                    requested_ms: 300_000
                }
            }
        );
        assert!(
            capped.to_string().contains("asked to wait 300 s"),
            "{capped}"
        );
        assert_eq!(
            next_delay(&policy, &Outcome::Status(429), 5, Some(1_000), 0.0),
            None
        );
        assert_eq!(
            next_delay(&policy, &Outcome::Status(400), 1, Some(1_000), 0.0),
            None
        );
    }

    #[test]
    fn retry_after_delta_seconds() {
        assert_eq!(parse_retry_after("120", 0), Some(120_000));
        assert_eq!(parse_retry_after(" 0 ", 0), Some(0));
        assert_eq!(
            parse_retry_after("99999999999999999999999", 0),
            Some(u64::MAX)
        );
        for bad in ["", "-5", "1.5", "soon", "12 s"] {
            assert_eq!(parse_retry_after(bad, RFC_EXAMPLE), None, "{bad:?}");
        }
    }

    #[test]
    fn retry_after_http_dates_in_all_three_forms() {
        let now = RFC_EXAMPLE - 90;
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_retry_after(form, now), Some(90_000), "{form}");
        }
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE + 10),
            Some(0),
            "past"
        );
        for bad in [
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn two_digit_years_are_never_more_than_fifty_years_ahead() {
        let year_2026 = Date::parse("2026-06-01").unwrap().days_since_epoch() * 86_400;
        assert_eq!(full_year(30, year_2026), 2030);
        assert_eq!(full_year(76, year_2026), 2076);
        assert_eq!(full_year(77, year_2026), 1977);
        assert_eq!(full_year(94, year_2026), 1994);
    }
}
