//! Dates and times as templates render them: dates as `YYYY-MM-DD`, date-times as RFC 3339 in UTC.
//! Small and exact on purpose; the engine needs only parsing, normalising and comparing.

/// A calendar date, checked (month 1–12, day valid for its month and year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// An instant: whole seconds since 1970-01-01T00:00:00Z plus milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    pub seconds: i64,
    pub millis: u32,
}

impl Date {
    /// `YYYY-MM-DD`, or the date part of an RFC 3339 date-time.
    pub fn parse(text: &str) -> Option<Date> {
        let date = text.get(..10)?;
        let rest = &text[10..];
        if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
            return None;
        }
        let bytes = date.as_bytes();
        if bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year = digits(&date[0..4])? as i32;
        let month = digits(&date[5..7])?;
        let day = digits(&date[8..10])?;
        ((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day))
            .then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before), by the proleptic Gregorian calendar.
    pub fn days_since_epoch(self) -> i64 {
        let (year, month) = if self.month <= 2 {
            (i64::from(self.year) - 1, i64::from(self.month) + 9)
        } else {
            (i64::from(self.year), i64::from(self.month) - 3)
        };
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * month + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    pub fn from_days_since_epoch(days: i64) -> Date {
        let days = days + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
        let month = if month_index < 10 {
            month_index + 3
        } else {
            month_index - 9
        } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month,
            day,
        }
    }

    pub fn to_iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Instant {
    /// RFC 3339 (`2026-11-28T09:30:00+01:00`, `…Z`, optional fraction); a plain date is midnight UTC.
    pub fn parse(text: &str) -> Option<Instant> {
        let date = Date::parse(text)?;
        let mut seconds = date.days_since_epoch() * 86_400;
        let rest = &text[10..];
        if rest.is_empty() {
            return Some(Instant { seconds, millis: 0 });
        }
        let time = rest.get(1..9)?;
        let bytes = time.as_bytes();
        if bytes[2] != b':' || bytes[5] != b':' {
            return None;
        }
        let (hour, minute, second) = (
            digits(&time[0..2])?,
            digits(&time[3..5])?,
            digits(&time[6..8])?,
        );
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        seconds += i64::from(hour * 3600 + minute * 60 + second.min(59));
        let mut zone = &rest[9..];
        let mut millis = 0;
        if let Some(fraction) = zone.strip_prefix('.') {
            let length = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if length == 0 {
                return None;
            }
            let padded = format!("{:0<3}", &fraction[..length.min(3)]);
            millis = digits(&padded)?;
            zone = &fraction[length..];
        }
        let offset = match zone {
            "Z" | "z" => 0,
            _ => {
                let sign = match zone.as_bytes().first()? {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                if zone.len() != 6 || zone.as_bytes()[3] != b':' {
                    return None;
                }
                let (hours, minutes) = (digits(&zone[1..3])?, digits(&zone[4..6])?);
                sign * i64::from(hours * 3600 + minutes * 60)
            }
        };
        Some(Instant {
            seconds: seconds - offset,
            millis,
        })
    }

    pub fn from_unix_millis(millis: i64) -> Instant {
        Instant {
            seconds: millis.div_euclid(1000),
            millis: millis.rem_euclid(1000) as u32,
        }
    }

    /// RFC 3339 in UTC with a `Z`; milliseconds only when there are some.
    pub fn to_rfc3339(self) -> String {
        let date = Date::from_days_since_epoch(self.seconds.div_euclid(86_400));
        let second_of_day = self.seconds.rem_euclid(86_400);
        let (hour, minute, second) = (
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60,
        );
        let fraction = if self.millis == 0 {
            String::new()
        } else {
            format!(".{:03}", self.millis)
        };
        format!(
            "{}T{hour:02}:{minute:02}:{second:02}{fraction}Z",
            date.to_iso()
        )
    }
}

fn digits(text: &str) -> Option<u32> {
    text.bytes()
        .all(|byte| byte.is_ascii_digit())
        .then(|| text.parse().ok())?
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(Date::parse("2026-02-28").unwrap().to_iso(), "2026-02-28");
        assert_eq!(
            Date::parse("2024-02-29T10:00:00Z").unwrap().to_iso(),
            "2024-02-29"
        );
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-01x",
            "",
            "2026/01/01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn day_numbers_round_trip_across_eras() {
        for days in [-800_000, -1, 0, 1, 59, 10_957, 20_000, 2_932_896] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        assert_eq!(
            Date::parse("2000-03-01").unwrap().days_since_epoch(),
            11_017
        );
    }

    #[test]
    fn instants_normalise_to_utc() {
        let utc = |text: &str| Instant::parse(text).map(Instant::to_rfc3339);
        assert_eq!(
            utc("2026-11-28T09:30:00+01:00").as_deref(),
            Some("2026-11-28T08:30:00Z")
        );
        assert_eq!(
            utc("2026-01-01T00:30:00.25+02:00").as_deref(),
            Some("2025-12-31T22:30:00.250Z")
        );
        assert_eq!(utc("2026-11-28").as_deref(), Some("2026-11-28T00:00:00Z"));
        assert_eq!(utc("2026-11-28T24:00:00Z"), None);
        assert_eq!(
            utc("2026-11-28T10:00:00"),
            None,
            "a time without a zone is ambiguous"
        );
        assert_eq!(
            Instant::from_unix_millis(1_614_265_330_000).to_rfc3339(),
            "2021-02-25T15:02:10Z"
        );
        assert!(
            Instant::parse("2026-01-01T00:00:00Z") < Instant::parse("2026-01-01T00:00:00.001Z")
        );
    }
}
