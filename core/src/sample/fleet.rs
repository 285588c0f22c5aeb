//! The arithmetic a fleet owner uses to choose rates: how often a rare bug shows up in a sample,
//! the chance of seeing it at all within a window, the smallest rate that does, and how much
//! data a sample produces.
//!
//! These are *reports*, so they use `f64` (and need `std` for `exp`/`ln`); no sampling decision
//! depends on them. The model: each device hits the bug as a Poisson process with rate `1/H` per
//! device-hour, independently; a rate-`r` sample of a fleet of `N` holds `N·r` devices on
//! average; so occurrences among sampled devices in `W` hours are Poisson with mean
//! `λ = N·r·W/H`, and `P(at least one) = 1 − e^(−λ)`.
//!
//! The figures of Memfault's scaling webinar (`docs/sampling.md` shows each as a command):
//!
//! ```
//! use stepstone::sample::fleet::{estimate, volume, format_bytes, format_seconds};
//! // A 1-in-10,000-hour bug on 1M devices shows up every 36 seconds...
//! let all = estimate(1_000_000, 1_000_000, 10_000.0, 1.0).unwrap();
//! assert_eq!(format_seconds(all.seconds_between.unwrap()), "36 s");
//! // ...and with only 1% of devices reporting, once an hour.
//! let one_percent = estimate(1_000_000, 10_000, 10_000.0, 1.0).unwrap();
//! assert_eq!(one_percent.per_hour, 1.0);
//! // 100 4-byte metrics, 100 samples a day, 1M devices: 40 GB a day, 1.2 TB for 30 days.
//! let v = volume(1_000_000, 1_000_000, 100, 4, 100, 30).unwrap();
//! assert_eq!((format_bytes(v.bytes_per_day), format_bytes(v.retained_bytes)), ("40 GB".into(), "1.2 TB".into()));
//! ```

use alloc::format;
use alloc::string::{String, ToString};

use super::{PPM_ALL, SampleError};
use crate::error::{clip, float_text};

/// How often a bug shows up among a sample's devices.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Estimate {
    /// Devices in the fleet.
    pub fleet: u64,
    /// Sampling rate, ppm.
    pub rate_ppm: u32,
    /// Expected devices in the sample: `fleet × rate`.
    pub sampled_devices: f64,
    /// The bug happens once per this many device-hours.
    pub bug_hours: f64,
    /// Expected occurrences per hour among sampled devices.
    pub per_hour: f64,
    /// Expected occurrences per day (24 h).
    pub per_day: f64,
    /// Mean seconds between occurrences; `None` when the sample is empty.
    pub seconds_between: Option<f64>,
    /// The observation window, hours.
    pub window_hours: f64,
    /// Expected occurrences within the window.
    pub expected_in_window: f64,
    /// Probability of at least one occurrence within the window.
    pub p_at_least_one: f64,
}

fn check_positive(what: &'static str, value: f64) -> Result<(), SampleError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(SampleError::BadInput {
            what,
            expected: "a finite number above 0",
            value: float_text(value),
        })
    }
}

fn check_window(window_hours: f64) -> Result<(), SampleError> {
    if window_hours.is_finite() && window_hours >= 0.0 {
        Ok(())
    } else {
        Err(SampleError::BadInput {
            what: "window",
            expected: "a finite number of hours, 0 or more",
            value: float_text(window_hours),
        })
    }
}

fn check_rate(rate_ppm: u32) -> Result<(), SampleError> {
    if rate_ppm <= PPM_ALL {
        Ok(())
    } else {
        Err(SampleError::RateOutOfRange {
            class: String::new(),
            value: crate::error::decimal_text(rate_ppm.into()),
        })
    }
}

/// `P(at least one)` for a Poisson mean, accurate for tiny means too.
fn p_at_least_one(mean: f64) -> f64 {
    -(-mean).exp_m1()
}

/// Expected occurrences of a 1-in-`bug_hours` bug among a rate-`rate_ppm` sample of `fleet`
/// devices, and the chance of seeing at least one within `window_hours`.
pub fn estimate(
    fleet: u64,
    rate_ppm: u32,
    bug_hours: f64,
    window_hours: f64,
) -> Result<Estimate, SampleError> {
    check_rate(rate_ppm)?;
    check_positive("bug_hours", bug_hours)?;
    check_window(window_hours)?;
    let sampled_devices = fleet as f64 * f64::from(rate_ppm) / f64::from(PPM_ALL);
    let per_hour = sampled_devices / bug_hours;
    let expected_in_window = per_hour * window_hours;
    Ok(Estimate {
        fleet,
        rate_ppm,
        sampled_devices,
        bug_hours,
        per_hour,
        per_day: per_hour * 24.0,
        seconds_between: (per_hour > 0.0).then(|| 3600.0 / per_hour),
        window_hours,
        expected_in_window,
        p_at_least_one: p_at_least_one(expected_in_window),
    })
}

/// The smallest rate, in whole ppm, whose sample sees at least one occurrence of a
/// 1-in-`bug_hours` bug within `window_hours` with probability at least `probability`; `None`
/// when even the whole fleet does not (or the fleet or window is empty).
///
/// ```
/// use stepstone::sample::fleet::smallest_rate;
/// // 1M devices, 1-in-10,000-hour bug, seen within a day with 99% chance: 0.1919% of the fleet.
/// assert_eq!(smallest_rate(1_000_000, 10_000.0, 24.0, 0.99).unwrap(), Some(1919));
/// ```
pub fn smallest_rate(
    fleet: u64,
    bug_hours: f64,
    window_hours: f64,
    probability: f64,
) -> Result<Option<u32>, SampleError> {
    check_positive("bug_hours", bug_hours)?;
    check_window(window_hours)?;
    if !(probability > 0.0 && probability < 1.0) {
        return Err(SampleError::BadInput {
            what: "probability",
            expected: "above 0 and below 1",
            value: float_text(probability),
        });
    }
    let p_at = |ppm: u32| {
        p_at_least_one(
            fleet as f64 * f64::from(ppm) / f64::from(PPM_ALL) * window_hours / bug_hours,
        )
    };
    if fleet == 0 || window_hours == 0.0 || p_at(PPM_ALL) < probability {
        return Ok(None);
    }
    // λ = −ln(1 − p) occurrences needed; rate = λ·H / (N·W). Then settle the rounding exactly
    // against the same p_at the estimate uses.
    let need = -(-probability).ln_1p();
    let guess = (need * bug_hours / (fleet as f64 * window_hours) * f64::from(PPM_ALL)).ceil();
    let mut ppm = if guess.is_finite() && guess >= 1.0 {
        (guess.min(f64::from(PPM_ALL))) as u32
    } else {
        1
    };
    while ppm > 1 && p_at(ppm - 1) >= probability {
        ppm -= 1;
    }
    while ppm < PPM_ALL && p_at(ppm) < probability {
        ppm += 1;
    }
    Ok(Some(ppm))
}

/// How much data a sample produces.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Volume {
    /// Devices in the fleet.
    pub fleet: u64,
    /// Sampling rate, ppm.
    pub rate_ppm: u32,
    /// Expected devices in the sample.
    pub sampled_devices: f64,
    /// Items (metrics, logs) per sample.
    pub items: u64,
    /// Bytes per item.
    pub bytes_per_item: u64,
    /// Samples per device per day.
    pub samples_per_day: u64,
    /// Days kept.
    pub retention_days: u64,
    /// Data points per day: `items × samples_per_day × sampled devices` (rounded to nearest).
    pub points_per_day: u64,
    /// Bytes per day: `points_per_day × bytes_per_item`, computed before rounding.
    pub bytes_per_day: u64,
    /// Bytes kept: `bytes_per_day × retention_days`.
    pub retained_bytes: u64,
}

/// Data volume of a sample: `items × bytes_per_item × samples_per_day × fleet × rate`, per day
/// and over `retention_days`. Exact integer arithmetic (rounded to the nearest byte where the
/// rate makes the device count fractional); `sample.overflow` beyond 2^64 bytes.
pub fn volume(
    fleet: u64,
    rate_ppm: u32,
    items: u64,
    bytes_per_item: u64,
    samples_per_day: u64,
    retention_days: u64,
) -> Result<Volume, SampleError> {
    check_rate(rate_ppm)?;
    let device_ppm = u128::from(fleet) * u128::from(rate_ppm);
    let overflow = |what| SampleError::Overflow { what };
    let points_ppm = times(device_ppm, items)
        .and_then(|x| times(x, samples_per_day))
        .ok_or(overflow("points per day"))?;
    let bytes_ppm = times(points_ppm, bytes_per_item).ok_or(overflow("bytes per day"))?;
    let points_per_day = per_million_rounded(points_ppm).ok_or(overflow("points per day"))?;
    let bytes_per_day = per_million_rounded(bytes_ppm).ok_or(overflow("bytes per day"))?;
    let retained_bytes = bytes_per_day
        .checked_mul(retention_days)
        .ok_or(overflow("retained bytes"))?;
    Ok(Volume {
        fleet,
        rate_ppm,
        sampled_devices: fleet as f64 * f64::from(rate_ppm) / f64::from(PPM_ALL),
        items,
        bytes_per_item,
        samples_per_day,
        retention_days,
        points_per_day,
        bytes_per_day,
        retained_bytes,
    })
}

/// `a × b`, `None` past 2^128 - 1: one copy of the 128-bit product for the three of
/// [`volume`] (inlined, each is a long sequence of 64-bit multiplications).
#[inline(never)]
fn times(a: u128, b: u64) -> Option<u128> {
    a.checked_mul(u128::from(b))
}

/// `x / 10^6` rounded half up, `None` when that is 2^64 or more (or `x + 500000` is past
/// 2^128 - 1). Two 64-bit divisions by 10^6 instead of a 128-bit one (`__udivti3`).
fn per_million_rounded(x: u128) -> Option<u64> {
    const D: u64 = PPM_ALL as u64;
    let y = x.checked_add(u128::from(D / 2))?;
    let (hi, lo) = ((y >> 64) as u64, y as u64);
    if hi >= D {
        return None;
    }
    // hi < 10^6 < 2^20: each partial dividend is below 2^52, each partial quotient below 2^32.
    let high = (hi << 32) | (lo >> 32);
    let low = ((high % D) << 32) | (lo & 0xFFFF_FFFF);
    Some(((high / D) << 32) | (low / D))
}

/// Up to three significant digits, trailing zeros dropped: 40, 1.2, 416.7 → "417", 0.632.
fn short(x: f64) -> String {
    let digits = if x >= 100.0 {
        0
    } else if x >= 10.0 {
        1
    } else {
        2
    };
    let mut s = format!("{x:.digits$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// Bytes in decimal units, as Memfault's scaling webinar writes them: `40 GB`, `1.2 TB`, `64 kB`.
///
/// ```
/// use stepstone::sample::fleet::format_bytes;
/// assert_eq!(format_bytes(40_000_000_000), "40 GB");
/// assert_eq!(format_bytes(1_920_000_000_000), "1.92 TB");
/// assert_eq!(format_bytes(999), "999 B");
/// ```
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut x = bytes as f64;
    let mut unit = 0;
    while x >= 999.5 && unit + 1 < UNITS.len() {
        x /= 1000.0;
        unit += 1;
    }
    // ok: unit < UNITS.len() by the loop condition.
    format!("{} {}", short(x), UNITS[unit])
}

/// A duration in the unit that reads best: `36 s`, `1 h`, `416.67 days` → `417 days`.
///
/// ```
/// use stepstone::sample::fleet::format_seconds;
/// assert_eq!(format_seconds(36.0), "36 s");
/// assert_eq!(format_seconds(3600.0), "1 h");
/// assert_eq!(format_seconds(90.0), "1.5 min");
/// assert_eq!(format_seconds(10_000.0 * 3600.0), "417 days");
/// ```
pub fn format_seconds(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "never".to_string();
    }
    if seconds < 60.0 {
        format!("{} s", short(seconds))
    } else if seconds < 3600.0 {
        format!("{} min", short(seconds / 60.0))
    } else if seconds < 48.0 * 3600.0 {
        format!("{} h", short(seconds / 3600.0))
    } else {
        format!("{} days", short(seconds / 86_400.0))
    }
}

/// Reads a duration as hours: `36s`, `30m`, `1h`, `1.5h`, `7d`; a bare number is hours.
///
/// ```
/// use stepstone::sample::fleet::parse_hours;
/// assert_eq!(parse_hours("1h"), Ok(1.0));
/// assert_eq!(parse_hours("36s"), Ok(0.01));
/// assert_eq!(parse_hours("2d"), Ok(48.0));
/// assert_eq!(parse_hours("24"), Ok(24.0));
/// ```
pub fn parse_hours(text: &str) -> Result<f64, SampleError> {
    let t = text.trim();
    let (number, per_hour) = match t.char_indices().last() {
        Some((i, 's')) => (t.get(..i), 3600.0),
        Some((i, 'm')) => (t.get(..i), 60.0),
        Some((i, 'h')) => (t.get(..i), 1.0),
        Some((i, 'd')) => (t.get(..i), 1.0 / 24.0),
        _ => (Some(t), 1.0),
    };
    let number = number.map(str::trim).unwrap_or("");
    let plain = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    match number.parse::<f64>() {
        Ok(x) if plain && x.is_finite() => Ok(x / per_hour),
        _ => Err(SampleError::BadDuration { text: clip(text) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use alloc::vec;

    #[test]
    fn per_million_rounded_is_the_128_bit_division() {
        let d = 1_000_000u128;
        let by_u128 = |x: u128| x.checked_add(d / 2).and_then(|y| u64::try_from(y / d).ok());
        let limit = (u128::from(u64::MAX) + 1) * d - d / 2; // the first x that rounds to 2^64
        let mut cases = vec![
            0,
            1,
            499_999,
            500_000,
            999_999,
            1_000_000,
            1_500_000,
            u128::MAX,
        ];
        for edge in [
            limit,
            u128::from(u64::MAX),
            u128::from(u64::MAX) * d,
            u128::MAX - d / 2,
        ] {
            cases.extend([edge - 1, edge, edge + 1]);
        }
        // A spread of magnitudes, 2^0 to 2^127, with low bits set in different ways.
        let mut x = 0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C834u128;
        for shift in 0..128 {
            x = x.rotate_left(7) ^ 0x2545_F491_4F6C_DD1D;
            cases.push(x >> shift);
        }
        for x in cases {
            assert_eq!(per_million_rounded(x), by_u128(x), "{x}");
        }
        assert_eq!(per_million_rounded(limit - 1), Some(u64::MAX));
        assert_eq!(per_million_rounded(limit), None);
    }

    #[test]
    fn volume_overflows_name_the_product() {
        let big = u64::MAX;
        let what = |r: Result<Volume, SampleError>| match r {
            Err(SampleError::Overflow { what }) => what,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            what(volume(big, 1_000_000, big, 1, big, 1)),
            "points per day"
        );
        assert_eq!(what(volume(big, 1, big, big, 1, 1)), "bytes per day");
        assert_eq!(what(volume(big, 1_000_000, 2, 1, 1, 1)), "points per day");
        assert_eq!(what(volume(big, 1_000_000, 1, 2, 1, 1)), "bytes per day");
        assert_eq!(what(volume(big, 1_000_000, 1, 1, 1, 2)), "retained bytes");
        let v = volume(big, 1_000_000, 1, 1, 1, 1).unwrap();
        assert_eq!((v.points_per_day, v.bytes_per_day), (big, big));
        // (2^64 - 1)^2 points (ppm) fit in 128 bits; a millionth of them is past 2^64.
        assert_eq!(
            what(volume(u64::MAX, 1, u64::MAX, 1, 1, 1)),
            "points per day"
        );
    }

    #[test]
    fn the_talks_bug_figures() {
        // "Takes 416 days to see it on a single device."
        let one = estimate(1, 1_000_000, 10_000.0, 1.0).unwrap();
        assert_eq!(
            one.seconds_between.map(|s| (s / 86_400.0).floor()),
            Some(416.0)
        );
        // "With 10,000 devices that issue is hit every hour."
        let ten_k = estimate(10_000, 1_000_000, 10_000.0, 1.0).unwrap();
        assert_eq!(ten_k.seconds_between, Some(3600.0));
        // "With 1 million devices...every 36 seconds."
        let million = estimate(1_000_000, 1_000_000, 10_000.0, 1.0).unwrap();
        assert_eq!(million.seconds_between, Some(36.0));
        assert_eq!(million.per_hour, 100.0);
        assert_eq!(million.per_day, 2400.0);
        // "Even just 1% reporting in, the 1 in 10,000 bugs happen each hour."
        let pct = estimate(1_000_000, 10_000, 10_000.0, 1.0).unwrap();
        assert_eq!(pct.sampled_devices, 10_000.0);
        assert_eq!(pct.seconds_between, Some(3600.0));
        assert!((pct.p_at_least_one - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
        // "Track a subset, ~50k": 5% of 1M.
        assert_eq!(
            estimate(1_000_000, 50_000, 10_000.0, 24.0).unwrap().per_day,
            120.0
        );
    }

    #[test]
    fn the_talks_volume_figures() {
        let metrics = volume(1_000_000, 1_000_000, 100, 4, 100, 30).unwrap();
        assert_eq!(metrics.bytes_per_day, 40_000_000_000);
        assert_eq!(metrics.retained_bytes, 1_200_000_000_000);
        assert_eq!(metrics.points_per_day, 10_000_000_000);
        assert_eq!(format_bytes(metrics.bytes_per_day), "40 GB");
        assert_eq!(format_bytes(metrics.retained_bytes), "1.2 TB");
        // One 64 kB log a day from 1M devices: 64 GB, and about 2 TB for 30 days.
        let logs = volume(1_000_000, 1_000_000, 1, 64_000, 1, 30).unwrap();
        assert_eq!(format_bytes(logs.bytes_per_day), "64 GB");
        assert_eq!(format_bytes(logs.retained_bytes), "1.92 TB");
        // Sampling 5% cuts it twentyfold.
        assert_eq!(
            volume(1_000_000, 50_000, 100, 4, 100, 30)
                .unwrap()
                .bytes_per_day,
            2_000_000_000
        );
        // 100 metrics a minute: 600k points an hour from 100 servers, 6 billion from 1M devices.
        assert_eq!(
            volume(100, 1_000_000, 100, 4, 1440, 1)
                .unwrap()
                .points_per_day
                / 24,
            600_000
        );
        assert_eq!(
            volume(1_000_000, 1_000_000, 100, 4, 1440, 1)
                .unwrap()
                .points_per_day
                / 24,
            6_000_000_000
        );
    }

    #[test]
    fn volume_rounds_and_overflows_cleanly() {
        // 3 devices at 50% is 1.5 devices: 1.5 × 10 bytes = 15 bytes.
        assert_eq!(volume(3, 500_000, 1, 10, 1, 1).unwrap().bytes_per_day, 15);
        assert_eq!(volume(1, 1, 1, 1, 1, 1).unwrap().bytes_per_day, 0);
        assert_eq!(
            volume(u64::MAX, 1_000_000, u64::MAX, u64::MAX, 2, 1)
                .unwrap_err()
                .code(),
            "sample.overflow"
        );
        assert_eq!(
            volume(u64::MAX, 1_000_000, 1, 1, 1, 2).unwrap_err().code(),
            "sample.overflow"
        );
        assert_eq!(
            volume(1, 1_000_001, 1, 1, 1, 1).unwrap_err().code(),
            "sample.rate_out_of_range"
        );
    }

    #[test]
    fn smallest_rate_is_the_smallest_whole_ppm() {
        for (fleet, h, w, p) in [
            (1_000_000u64, 10_000.0, 1.0, 0.95),
            (1_000_000, 10_000.0, 24.0, 0.99),
            (50_000, 1_000.0, 0.5, 0.5),
        ] {
            let r = smallest_rate(fleet, h, w, p).unwrap().unwrap();
            assert!(estimate(fleet, r, h, w).unwrap().p_at_least_one >= p);
            assert!(estimate(fleet, r - 1, h, w).unwrap().p_at_least_one < p);
        }
        // 95% within an hour at 1M devices: λ = ln 20 ≈ 2.996, so 2.996% of the fleet.
        assert_eq!(
            smallest_rate(1_000_000, 10_000.0, 1.0, 0.95).unwrap(),
            Some(29_958)
        );
        // Ten devices never see a 1-in-10,000-hour bug within an hour with 95% chance.
        assert_eq!(smallest_rate(10, 10_000.0, 1.0, 0.95).unwrap(), None);
        assert_eq!(smallest_rate(0, 10_000.0, 1.0, 0.95).unwrap(), None);
        // A huge fleet needs just 1 ppm.
        assert_eq!(smallest_rate(u64::MAX, 1.0, 1.0, 0.5).unwrap(), Some(1));
    }

    #[test]
    fn bad_inputs_are_refused() {
        assert_eq!(
            estimate(1, 1, 0.0, 1.0).unwrap_err().code(),
            "sample.bad_input"
        );
        assert_eq!(
            estimate(1, 1, f64::NAN, 1.0).unwrap_err().code(),
            "sample.bad_input"
        );
        assert_eq!(
            estimate(1, 1, 1.0, -1.0).unwrap_err().code(),
            "sample.bad_input"
        );
        assert_eq!(
            estimate(1, 2_000_000, 1.0, 1.0).unwrap_err().code(),
            "sample.rate_out_of_range"
        );
        for p in [0.0, 1.0, -0.1, f64::NAN] {
            assert_eq!(
                smallest_rate(1, 1.0, 1.0, p).unwrap_err().code(),
                "sample.bad_input"
            );
        }
        assert_eq!(estimate(0, 1, 1.0, 1.0).unwrap().seconds_between, None);
    }

    #[test]
    fn durations_and_units() {
        assert_eq!(parse_hours("30m"), Ok(0.5));
        assert_eq!(parse_hours(" 1.5 h "), Ok(1.5));
        for bad in ["", "h", "-1h", "1e3", "1w", "inf", "NaN", "1.2.3h"] {
            assert_eq!(
                parse_hours(bad).unwrap_err().code(),
                "sample.bad_duration",
                "{bad}"
            );
        }
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(64_000), "64 kB");
        assert_eq!(format_bytes(999_600), "1 MB");
        assert_eq!(format_bytes(u64::MAX), "18.4 EB");
        assert_eq!(format_seconds(f64::INFINITY), "never");
        assert_eq!(format_seconds(0.5), "0.5 s");
    }
}
