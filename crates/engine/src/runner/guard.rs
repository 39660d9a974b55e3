//! The frequency guard: an automation that fires more often than a limit per minute is stopped, so
//! a loop (a webhook whose endpoint changes the CRM record that triggered it) cannot run away.

use std::collections::{HashMap, VecDeque};

use crate::runner::execution::{Execution, Status};

/// Runs per automation per minute unless the admin chooses otherwise.
pub const DEFAULT_RUNS_PER_MINUTE: u32 = 60;
const MINUTE_MS: i64 = 60_000;

#[derive(Debug, Clone)]
pub struct FrequencyGuard {
    limit_per_minute: u32,
    recent: HashMap<String, VecDeque<i64>>,
}

impl FrequencyGuard {
    pub fn new(limit_per_minute: u32) -> Self {
        FrequencyGuard {
            limit_per_minute,
            recent: HashMap::new(),
        }
    }

    /// Changes the limit, keeping the runs already counted.
    pub fn set_limit(&mut self, limit_per_minute: u32) {
        self.limit_per_minute = limit_per_minute;
    }

    /// Counts a run of `execution`'s automation at `now_ms`; past the limit within the last minute the
    /// execution is stopped with the reason instead (and not counted).
    pub fn admit(&mut self, execution: &mut Execution, now_ms: i64) {
        if execution.status != Status::Pending {
            return;
        }
        let runs = self
            .recent
            .entry(execution.automation_id.clone())
            .or_default();
        while runs.front().is_some_and(|&at| at <= now_ms - MINUTE_MS) {
            runs.pop_front();
        }
        if runs.len() < self.limit_per_minute as usize {
            runs.push_back(now_ms);
            return;
        }
        let runs = match self.limit_per_minute {
            1 => "once".to_string(),
            limit => format!("{limit} times"),
        };
        let reason = format!(
            "stopped: “{}” ran {runs} in the last minute, its limit — this usually means a loop (the endpoint changes the record that triggers the automation); raise the limit in Settings if it is expected",
            execution.automation_name
        );
        execution.finish(Status::Stopped, Some(reason), now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::User;
    use crate::model::EventAction;
    use crate::runner::execution::EventSummary;

    fn execution(automation_id: &str) -> Execution {
        Execution {
            id: "x".into(),
            route: Default::default(),
            automation_id: automation_id.into(),
            automation_name: "Loop".into(),
            action_index: 0,
            webhook_id: "wh".into(),
            webhook_name: None,
            event: EventSummary {
                id: "e".into(),
                entity: "deal".into(),
                action: EventAction::Updated,
                record_id: None,
                time: String::new(),
            },
            user: User {
                id: 1,
                name: "A".into(),
                email: "a@x".into(),
                is_admin: true,
            },
            created_at_ms: 0,
            status: Status::Pending,
            reason: None,
            trace: vec![],
            request: None,
            attempts: vec![],
            next_attempt_at_ms: Some(0),
            finished_at_ms: None,
            problems: Vec::new(),
            details_withheld: false,
        }
    }

    #[test]
    fn runs_past_the_limit_within_a_minute_are_stopped_with_the_reason() {
        let mut guard = FrequencyGuard::new(3);
        let statuses: Vec<Status> = (0..5)
            .map(|n| {
                let mut run = execution("a");
                guard.admit(&mut run, n * 1_000);
                run.status
            })
            .collect();
        assert_eq!(
            statuses,
            [
                Status::Pending,
                Status::Pending,
                Status::Pending,
                Status::Stopped,
                Status::Stopped
            ]
        );
        let mut other = execution("b");
        guard.admit(&mut other, 5_000);
        assert_eq!(other.status, Status::Pending, "limits are per automation");
        let mut later = execution("a");
        guard.admit(&mut later, 61_000);
        assert_eq!(
            later.status,
            Status::Pending,
            "a minute later the first runs no longer count"
        );
        let mut stopped = execution("a");
        guard.admit(&mut stopped, 61_500);
        guard.admit(&mut stopped, 61_600);
        assert!(stopped
            .reason
            .unwrap_or_default()
            .contains("ran 3 times in the last minute"));
    }

    #[test]
    fn a_limit_of_one_reads_as_once() {
        let mut guard = FrequencyGuard::new(1);
        let mut first = execution("a");
        guard.admit(&mut first, 0);
        let mut second = execution("a");
        guard.admit(&mut second, 1_000);
        let reason = second.reason.unwrap_or_default();
        assert!(
            reason.contains("ran once in the last minute, its limit"),
            "{reason}"
        );
    }
}
