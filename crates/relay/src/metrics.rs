//! Counters for `GET /metrics` (Prometheus text format), per relay process. Labels are fixed words —
//! never a URL, a header or a webhook's name — so nothing a request carries can appear here.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use webhook_engine::retry::Outcome;
use webhook_engine::runner::Status;

/// Upper bounds (seconds) of the attempt latency histogram.
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// How an attempt ended, as a metric label.
const OUTCOMES: [&str; 8] = [
    "success",
    "client_error",
    "server_error",
    "redirect",
    "network_error",
    "timeout",
    "address_refused",
    "other",
];

const STATUSES: [&str; 3] = ["succeeded", "failed", "stopped"];

#[derive(Default)]
pub struct Metrics {
    pub events_received: AtomicU64,
    pub events_duplicate: AtomicU64,
    pub executions_planned: AtomicU64,
    attempts: [AtomicU64; OUTCOMES.len()],
    finished: [AtomicU64; STATUSES.len()],
    /// Deliveries handled after NATS had handed them over before: after a retry's wait, because a
    /// process died, or after being given back while their webhook was busy (once, when taken).
    pub redeliveries: AtomicU64,
    /// Deliveries handed back to NATS untouched because their webhook was busy (see `sender`).
    pub given_back: AtomicU64,
    pub retries_scheduled: AtomicU64,
    pub in_flight: AtomicU64,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

/// Queue depths read from NATS when metrics are asked for.
pub struct Depths {
    pub events: Option<u64>,
    pub deliveries: Option<u64>,
}

impl Metrics {
    pub fn attempt(&self, outcome: Outcome, seconds: f64) {
        let label = match outcome {
            Outcome::Status(200..=299) => "success",
            Outcome::Status(400..=499) => "client_error",
            Outcome::Status(500..=599) => "server_error",
            Outcome::RedirectRefused(_) => "redirect",
            Outcome::NetworkError => "network_error",
            Outcome::Timeout => "timeout",
            Outcome::AddressRefused { .. } => "address_refused",
            _ => "other",
        };
        let index = OUTCOMES
            .iter()
            .position(|known| *known == label)
            .unwrap_or(OUTCOMES.len() - 1);
        self.attempts[index].fetch_add(1, Ordering::Relaxed);
        for (bucket, bound) in self.latency_buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    pub fn finished(&self, status: Status) {
        let index = match status {
            Status::Succeeded => 0,
            Status::Failed => 1,
            Status::Stopped => 2,
            Status::Pending => return,
        };
        self.finished[index].fetch_add(1, Ordering::Relaxed);
    }

    /// Attempts made by this process, whatever their outcome.
    pub fn attempts_total(&self) -> u64 {
        self.attempts
            .iter()
            .map(|count| count.load(Ordering::Relaxed))
            .sum()
    }

    pub fn render(&self, depths: &Depths) -> String {
        let mut text = String::new();
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let mut counter = |name: &str, help: &str, value: u64| {
            let _ = writeln!(
                text,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        counter(
            "webhook_relay_events_received_total",
            "Events accepted by this process.",
            get(&self.events_received),
        );
        counter(
            "webhook_relay_events_duplicate_total",
            "Events refused because their id had run before.",
            get(&self.events_duplicate),
        );
        counter(
            "webhook_relay_executions_planned_total",
            "Executions this process planned.",
            get(&self.executions_planned),
        );
        counter("webhook_relay_redeliveries_total", "Deliveries handled after being received before (retries, deliveries taken over from a stopped process, deliveries given back while their webhook was busy).", get(&self.redeliveries));
        counter(
            "webhook_relay_deliveries_given_back_total",
            "Deliveries handed back to NATS untouched, for a moment, because their webhook was busy.",
            get(&self.given_back),
        );
        counter(
            "webhook_relay_retries_scheduled_total",
            "Attempts followed by a retry, waiting in NATS.",
            get(&self.retries_scheduled),
        );

        let _ = writeln!(text, "# HELP webhook_relay_attempts_total Attempts by how they ended.\n# TYPE webhook_relay_attempts_total counter");
        for (label, count) in OUTCOMES.iter().zip(&self.attempts) {
            let _ = writeln!(
                text,
                "webhook_relay_attempts_total{{outcome=\"{label}\"}} {}",
                get(count)
            );
        }
        let _ = writeln!(text, "# HELP webhook_relay_deliveries_total Deliveries finished, by final status.\n# TYPE webhook_relay_deliveries_total counter");
        for (label, count) in STATUSES.iter().zip(&self.finished) {
            let _ = writeln!(
                text,
                "webhook_relay_deliveries_total{{status=\"{label}\"}} {}",
                get(count)
            );
        }
        let _ = writeln!(text, "# HELP webhook_relay_in_flight Deliveries this process holds now.\n# TYPE webhook_relay_in_flight gauge\nwebhook_relay_in_flight {}", get(&self.in_flight));
        let _ = writeln!(text, "# HELP webhook_relay_queue_depth Messages waiting or in progress, for all processes.\n# TYPE webhook_relay_queue_depth gauge");
        for (queue, depth) in [("events", depths.events), ("deliveries", depths.deliveries)] {
            if let Some(depth) = depth {
                let _ = writeln!(
                    text,
                    "webhook_relay_queue_depth{{queue=\"{queue}\"}} {depth}"
                );
            }
        }
        let _ = writeln!(text, "# HELP webhook_relay_attempt_duration_seconds Time from sending a request to reading its answer.\n# TYPE webhook_relay_attempt_duration_seconds histogram");
        for (bound, count) in BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                text,
                "webhook_relay_attempt_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                get(count)
            );
        }
        let total = get(&self.latency_count);
        let _ = writeln!(
            text,
            "webhook_relay_attempt_duration_seconds_bucket{{le=\"+Inf\"}} {total}"
        );
        let _ = writeln!(
            text,
            "webhook_relay_attempt_duration_seconds_sum {}",
            get(&self.latency_sum_micros) as f64 / 1e6
        );
        let _ = writeln!(text, "webhook_relay_attempt_duration_seconds_count {total}");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_land_in_their_outcome_and_latency_buckets() {
        let metrics = Metrics::default();
        metrics.attempt(Outcome::Status(204), 0.04);
        metrics.attempt(Outcome::Status(503), 2.0);
        metrics.attempt(Outcome::Timeout, 10.0);
        let text = metrics.render(&Depths {
            events: Some(0),
            deliveries: Some(3),
        });
        assert!(
            text.contains("webhook_relay_attempts_total{outcome=\"success\"} 1"),
            "{text}"
        );
        assert!(text.contains("webhook_relay_attempts_total{outcome=\"server_error\"} 1"));
        assert!(text.contains("webhook_relay_attempt_duration_seconds_bucket{le=\"0.05\"} 1"));
        assert!(text.contains("webhook_relay_attempt_duration_seconds_bucket{le=\"+Inf\"} 3"));
        assert!(text.contains("webhook_relay_queue_depth{queue=\"deliveries\"} 3"));
        assert_eq!(metrics.attempts_total(), 3);
    }
}
