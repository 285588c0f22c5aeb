//! Weekly maintenance windows, heap-free.
//!
//! A [`Window`] opens every week on a day at a local time for a number of minutes. The caller
//! resolves the device's UTC offset for the moment in question (time zones and daylight saving
//! are data, not logic) and passes it in seconds; [`next_open`] answers "open now" or "opens at
//! T" (UTC seconds).
//!
//! ```
//! use stepstone::reconcile::window::{next_open, Window};
//! // Sundays 02:00-04:00 local, at UTC+1.
//! let w = [Window { day: 6, start_minute: 120, duration_minutes: 120 }];
//! // 1970-01-04 was a Sunday: 01:30 UTC is 02:30 local, open.
//! assert_eq!(next_open(&w, 3600, 3 * 86_400 + 5400), None);
//! // 03:30 UTC is 04:30 local, closed; next Sunday 02:00 local = 01:00 UTC.
//! assert_eq!(next_open(&w, 3600, 3 * 86_400 + 12_600), Some(10 * 86_400 + 3600));
//! ```

use crate::error::{ErrorCode, Sink};

const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;

/// A weekly window in the device's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Window {
    /// Day of the week it opens: 0 = Monday ... 6 = Sunday.
    pub day: u8,
    /// Local minute of that day it opens (0..1440).
    pub start_minute: u16,
    /// How long it stays open, in minutes (1..=10080; may run past midnight and past Sunday).
    pub duration_minutes: u32,
}

/// A window that does not make sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WindowError {
    /// `day` is above 6.
    Day(u8),
    /// `start_minute` is 1440 or more.
    StartMinute(u16),
    /// `duration_minutes` is 0 or more than a week.
    Duration(u32),
}

impl WindowError {
    /// Writes the message (`Display` and `ErrorMessage` both give it).
    pub(crate) fn write_message(&self, s: &mut impl Sink) {
        match self {
            WindowError::Day(day) => {
                s.text("window day ");
                s.decimal(u64::from(*day));
                s.text(" is not 0 (Monday) to 6 (Sunday)");
            }
            WindowError::StartMinute(minute) => {
                s.text("window start_minute ");
                s.decimal(u64::from(*minute));
                s.text(" is not below 1440");
            }
            WindowError::Duration(minutes) => {
                s.text("window duration_minutes ");
                s.decimal(u64::from(*minutes));
                s.text(" is not 1 to 10080");
            }
        }
    }
}

crate::error::message_from_sink!(WindowError);

impl core::error::Error for WindowError {}

impl ErrorCode for WindowError {
    fn code(&self) -> &'static str {
        use crate::error::codes;
        match self {
            WindowError::Day(_) => codes::WINDOW_DAY.as_str(),
            WindowError::StartMinute(_) => codes::WINDOW_START_MINUTE.as_str(),
            WindowError::Duration(_) => codes::WINDOW_DURATION.as_str(),
        }
    }
}

impl Window {
    /// Checks the window's fields.
    pub fn validate(&self) -> Result<(), WindowError> {
        if self.day > 6 {
            return Err(WindowError::Day(self.day));
        }
        if self.start_minute >= 1440 {
            return Err(WindowError::StartMinute(self.start_minute));
        }
        if self.duration_minutes == 0 || self.duration_minutes > 10_080 {
            return Err(WindowError::Duration(self.duration_minutes));
        }
        Ok(())
    }

    fn bounds(&self) -> (i64, i64) {
        let start = i64::from(self.day.min(6)) * DAY + i64::from(self.start_minute.min(1439)) * 60;
        let len = i64::from(self.duration_minutes.min(10_080)) * 60;
        (start, start + len)
    }
}

/// Seconds since Monday 00:00 of the local week.
fn week_position(now: u64, utc_offset_secs: i32) -> i64 {
    // 1970-01-01 (t = 0) was a Thursday: Monday 00:00 was 3 days earlier. `now` is taken
    // modulo the week first (the same position), so the sum fits in 64 bits and no 128-bit
    // remainder is linked.
    let now_in_week = (now % WEEK.unsigned_abs()) as i64;
    (now_in_week + i64::from(utc_offset_secs) + 3 * DAY).rem_euclid(WEEK)
}

/// `None` if a window is open at `now` (or there are no windows: no windows means always
/// open); else the UTC time at which the next one opens. Invalid windows (see
/// [`Window::validate`]) are clamped into range.
pub fn next_open(windows: &[Window], utc_offset_secs: i32, now: u64) -> Option<u64> {
    if windows.is_empty() {
        return None;
    }
    let pos = week_position(now, utc_offset_secs);
    let mut best: Option<i64> = None;
    for w in windows {
        let (start, end) = w.bounds();
        if (start <= pos && pos < end) || (start <= pos + WEEK && pos + WEEK < end) {
            return None;
        }
        let wait = (start - pos).rem_euclid(WEEK);
        best = Some(best.map_or(wait, |b| b.min(wait)));
    }
    let wait = u64::try_from(best?).ok()?;
    Some(now.saturating_add(wait))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    const MON: u64 = 4 * 86_400; // 1970-01-05, a Monday, 00:00 UTC

    #[test]
    fn no_windows_is_always_open() {
        assert_eq!(next_open(&[], 0, 12345), None);
    }

    #[test]
    fn open_inside_and_waits_outside() {
        let w = [Window {
            day: 0,
            start_minute: 60,
            duration_minutes: 60,
        }];
        assert_eq!(next_open(&w, 0, MON + 3600), None);
        assert_eq!(next_open(&w, 0, MON + 7199), None);
        assert_eq!(next_open(&w, 0, MON + 7200), Some(MON + 7 * 86_400 + 3600));
        assert_eq!(next_open(&w, 0, MON), Some(MON + 3600));
        // UTC-5: 01:00 local is 06:00 UTC.
        assert_eq!(next_open(&w, -5 * 3600, MON), Some(MON + 6 * 3600));
    }

    #[test]
    fn window_wrapping_past_sunday() {
        // Sunday 23:00 for 2 hours: open Monday 00:30.
        let w = [Window {
            day: 6,
            start_minute: 23 * 60,
            duration_minutes: 120,
        }];
        assert_eq!(next_open(&w, 0, MON + 1800), None);
        assert_eq!(
            next_open(&w, 0, MON + 3600),
            Some(MON + 6 * 86_400 + 23 * 3600)
        );
    }

    #[test]
    fn earliest_of_several() {
        let w = [
            Window {
                day: 3,
                start_minute: 0,
                duration_minutes: 10,
            },
            Window {
                day: 1,
                start_minute: 0,
                duration_minutes: 10,
            },
        ];
        assert_eq!(next_open(&w, 0, MON), Some(MON + 86_400));
    }

    /// The week position as it was computed in 128 bits, before the reduction modulo the week.
    fn week_position_wide(now: u64, utc_offset_secs: i32) -> i128 {
        (i128::from(now) + i128::from(utc_offset_secs) + 3 * 86_400).rem_euclid(7 * 86_400)
    }

    #[test]
    fn week_position_is_the_wide_one_for_every_time_and_offset() {
        let nows = [
            0,
            1,
            MON,
            MON - 1,
            604_799,
            604_800,
            u64::MAX / 2,
            u64::MAX - 1,
            u64::MAX,
        ];
        let offsets = [0, 1, -1, 3600, -5 * 3600, 14 * 3600, i32::MIN, i32::MAX];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut cases = Vec::new();
        for &now in &nows {
            for &offset in &offsets {
                cases.push((now, offset));
            }
        }
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push((x >> (x % 64), (x >> 17) as i32));
        }
        for (now, offset) in cases {
            assert_eq!(
                i128::from(week_position(now, offset)),
                week_position_wide(now, offset),
                "{now} {offset}"
            );
        }
    }

    #[test]
    fn validation() {
        assert_eq!(
            Window {
                day: 7,
                start_minute: 0,
                duration_minutes: 1
            }
            .validate(),
            Err(WindowError::Day(7))
        );
        assert_eq!(
            Window {
                day: 0,
                start_minute: 1440,
                duration_minutes: 1
            }
            .validate()
            .unwrap_err()
            .code(),
            "window.start_minute"
        );
        assert_eq!(
            Window {
                day: 0,
                start_minute: 0,
                duration_minutes: 0
            }
            .validate()
            .unwrap_err()
            .code(),
            "window.duration"
        );
    }
}
