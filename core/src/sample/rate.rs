//! Rates written as text (`50000`, `5%`, `0.1%`, `50000ppm`) and back, exactly in integers.

use alloc::string::{String, ToString};

use super::{PPM_ALL, SampleError};
use crate::error::clip;

/// Reads a rate: bare digits are ppm (`50000`), `N ppm` is ppm too (`50000ppm`), and a
/// percentage may have up to four decimals (`5%`, `0.1%`, `0.0001%` = 1 ppm). Exact: no floating
/// point. Rates above 100% are refused with `sample.rate_out_of_range`; anything else that does
/// not read with `sample.bad_rate`.
///
/// ```
/// use stepstone::sample::parse_rate;
/// assert_eq!(parse_rate("50000"), Ok(50_000));
/// assert_eq!(parse_rate("5%"), Ok(50_000));
/// assert_eq!(parse_rate("0.0001%"), Ok(1));
/// assert_eq!(parse_rate("1000ppm"), Ok(1_000));
/// assert!(parse_rate("0.00001%").is_err());
/// ```
pub fn parse_rate(text: &str) -> Result<u32, SampleError> {
    let bad = || SampleError::BadRate { text: clip(text) };
    let out_of_range = || SampleError::RateOutOfRange {
        class: String::new(),
        value: clip(text),
    };
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix('%') {
        (n.trim_end(), 10_000u64)
    } else if let Some(n) = t.strip_suffix("ppm") {
        (n.trim_end(), 1)
    } else {
        (t, 1)
    };
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) if scale == 10_000 => (w, f),
        Some(_) => return Err(bad()),
        None => (number, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (number.contains('.') && !digits(frac)) {
        return Err(bad());
    }
    // Fraction of a percent: up to 4 significant places, trailing zeros beyond that are fine.
    let (kept, rest) = frac.split_at(frac.len().min(4));
    if rest.bytes().any(|b| b != b'0') {
        return Err(bad());
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 7 {
        return Err(out_of_range());
    }
    let mut ppm: u64 = 0;
    for b in whole.bytes() {
        ppm = ppm * 10 + u64::from(b - b'0');
    }
    ppm *= scale;
    let mut place = 1_000u64;
    for b in kept.bytes() {
        ppm += u64::from(b - b'0') * place;
        place /= 10;
    }
    match u32::try_from(ppm) {
        Ok(r) if r <= PPM_ALL => Ok(r),
        _ => Err(out_of_range()),
    }
}

/// Writes a rate as an exact percentage: `50000` → `5%`, `1` → `0.0001%`, `1000000` → `100%`.
///
/// ```
/// use stepstone::sample::format_rate;
/// assert_eq!(format_rate(50_000), "5%");
/// assert_eq!(format_rate(12_345), "1.2345%");
/// assert_eq!(format_rate(1), "0.0001%");
/// ```
pub fn format_rate(rate_ppm: u32) -> String {
    let whole = rate_ppm / 10_000;
    let frac = rate_ppm % 10_000;
    if frac == 0 {
        return alloc::format!("{whole}%");
    }
    let mut f = alloc::format!("{frac:04}");
    while f.ends_with('0') {
        f.pop();
    }
    let mut s = whole.to_string();
    s.push('.');
    s.push_str(&f);
    s.push('%');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn reads_every_spelling() {
        for (text, ppm) in [
            ("0", 0),
            ("1000000", 1_000_000),
            ("100%", 1_000_000),
            ("1%", 10_000),
            (" 1 % ", 10_000),
            ("0.5%", 5_000),
            ("12.3456%", 123_456),
            ("5.000000%", 50_000),
            ("007", 7),
            ("250ppm", 250),
            ("250 ppm", 250),
        ] {
            assert_eq!(parse_rate(text), Ok(ppm), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_exact_or_in_range() {
        for text in [
            "", "%", "ppm", "x", "1.5", "1.5ppm", "-1", "1e3", "0.00001%", ".5%", "5.%", "1%%",
        ] {
            assert_eq!(
                parse_rate(text).map_err(|e| e.code()),
                Err("sample.bad_rate"),
                "{text}"
            );
        }
        for text in ["1000001", "100.0001%", "101%", "99999999999999999999"] {
            assert_eq!(
                parse_rate(text).map_err(|e| e.code()),
                Err("sample.rate_out_of_range"),
                "{text}"
            );
        }
    }

    #[test]
    fn format_and_parse_round_trip() {
        for ppm in [
            0, 1, 9, 10, 999, 1_000, 9_999, 10_000, 10_001, 123_456, 999_999, 1_000_000,
        ] {
            assert_eq!(parse_rate(&format_rate(ppm)), Ok(ppm), "{ppm}");
        }
    }
}
