//! The app's settings and their rules.

use serde::{Deserialize, Serialize};

use crate::runner::DEFAULT_RUNS_PER_MINUTE;

/// Executions are kept this many days unless the admin chooses otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 15;
/// The range an admin can choose from: at least a day, at most a year.
pub const RETENTION_DAYS: std::ops::RangeInclusive<u32> = 1..=365;
/// The frequency limit's range: at least one run a minute, at most one every 6 ms.
pub const RUNS_PER_MINUTE: std::ops::RangeInclusive<u32> = 1..=10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub retention_days: u32,
    /// The frequency guard: runs of one automation per minute before it is stopped.
    pub max_runs_per_minute: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retention_days: DEFAULT_RETENTION_DAYS,
            max_runs_per_minute: DEFAULT_RUNS_PER_MINUTE,
        }
    }
}

impl Settings {
    /// The retention an admin typed, or why it cannot be used.
    pub fn parse_retention_days(text: &str) -> Result<u32, String> {
        match text.trim().parse::<u32>() {
            Ok(days) if RETENTION_DAYS.contains(&days) => Ok(days),
            _ => Err(format!(
                "enter a whole number of days from {} to {}",
                RETENTION_DAYS.start(),
                RETENTION_DAYS.end()
            )),
        }
    }

    /// The frequency limit an admin typed, or why it cannot be used.
    pub fn parse_max_runs_per_minute(text: &str) -> Result<u32, String> {
        match text.trim().parse::<u32>() {
            Ok(runs) if RUNS_PER_MINUTE.contains(&runs) => Ok(runs),
            _ => Err(format!(
                "enter a whole number of runs from {} to {}",
                RUNS_PER_MINUTE.start(),
                RUNS_PER_MINUTE.end()
            )),
        }
    }

    /// Executions created before this instant (milliseconds since the epoch) are past retention.
    pub fn prune_before_ms(&self, now_ms: i64) -> i64 {
        now_ms - i64::from(self.retention_days) * 86_400_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_defaults_to_15_days_and_accepts_only_whole_days_in_range() {
        assert_eq!(Settings::default().retention_days, 15);
        assert_eq!(Settings::parse_retention_days(" 30 "), Ok(30));
        for bad in ["0", "366", "1.5", "-3", "", "ten"] {
            assert!(Settings::parse_retention_days(bad).is_err(), "{bad}");
        }
        assert_eq!(Settings::default().max_runs_per_minute, 60);
        assert_eq!(Settings::parse_max_runs_per_minute("120"), Ok(120));
        assert!(Settings::parse_max_runs_per_minute("0").is_err());
        let settings = Settings {
            retention_days: 2,
            ..Settings::default()
        };
        assert_eq!(
            settings.prune_before_ms(200_000_000),
            200_000_000 - 172_800_000
        );
    }
}
