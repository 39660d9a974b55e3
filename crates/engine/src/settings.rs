//! The app's settings and their rules.

use serde::{Deserialize, Serialize};

/// Executions are kept this many days unless the admin chooses otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 15;
/// The range an admin can choose from: at least a day, at most a year.
pub const RETENTION_DAYS: std::ops::RangeInclusive<u32> = 1..=365;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub retention_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { retention_days: DEFAULT_RETENTION_DAYS }
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
        let settings = Settings { retention_days: 2 };
        assert_eq!(settings.prune_before_ms(200_000_000), 200_000_000 - 172_800_000);
    }
}
