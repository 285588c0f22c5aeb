//! `wilson_lower_above` over the full `u32` range of every argument, against a floating-point
//! oracle where its answer is unambiguous; and the checked halt entry points never turning a
//! bad or missing count into "do not halt".
//!
//! The oracle is the Wilson lower bound rewritten without cancellation:
//! `2f^2 / (n (2f + z^2 + z sqrt(z^2 + 4f(n-f)/n)))` (every term positive, so a few ulps of
//! error at most). Where it and the limit differ by more than one part in 10^9 the verdict
//! must match; closer than that the case is skipped (the integer code is exact there, the
//! oracle is not). Limits are drawn near the bound as often as anywhere, so the boundary is
//! exercised.

use proptest::prelude::*;
use stepstone::ErrorCode;
use stepstone::rollout::{
    Confidence, HaltRule, PPM, Rollout, Schedule, StageStats, wilson_lower_above,
    wilson_lower_above_checked,
};

/// Cases per property (each is a handful of multiplications).
const CASES: u32 = 50_000;

/// The Wilson lower bound in f64, with the same conventions for degenerate input as
/// `wilson_lower_above` (`None`: the answer is `false` whatever the limit).
fn oracle(failed: u32, finished: u32, c: Confidence) -> Option<f64> {
    if finished == 0 || c.z_den == 0 {
        return None;
    }
    let n = f64::from(finished);
    let f = f64::from(failed.min(finished));
    if f == 0.0 {
        return Some(0.0);
    }
    let z = f64::from(c.z_num) / f64::from(c.z_den);
    let z2 = z * z;
    let root = (z2 + 4.0 * f * (n - f) / n).sqrt();
    Some(2.0 * f * f / (n * (2.0 * f + z2 + z * root)))
}

fn count() -> impl Strategy<Value = u32> {
    prop_oneof![
        any::<u32>(),
        0u32..200,
        (u32::MAX - 200)..=u32::MAX,
        Just(u32::MAX),
    ]
}

fn z_num() -> impl Strategy<Value = u32> {
    prop_oneof![any::<u32>(), 0u32..=100_000, 100u32..400, Just(u32::MAX)]
}

fn z_den() -> impl Strategy<Value = u32> {
    prop_oneof![any::<u32>(), 0u32..=1000, 50u32..200, Just(u32::MAX)]
}

/// A limit anywhere in u32, anywhere in 0..=1e6, or within a few ppm of the bound.
#[derive(Debug, Clone, Copy)]
enum Limit {
    Any(u32),
    Near(i64),
}

fn limit() -> impl Strategy<Value = Limit> {
    prop_oneof![
        any::<u32>().prop_map(Limit::Any),
        (0u32..=PPM).prop_map(Limit::Any),
        Just(Limit::Any(u32::MAX)),
        (-3i64..=3).prop_map(Limit::Near),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn wilson_is_exact_over_every_u32(
        failed in count(), finished in count(), z_num in z_num(), z_den in z_den(), limit in limit(),
    ) {
        let c = Confidence { z_num, z_den };
        let bound = oracle(failed, finished, c);
        let limit_ppm = match limit {
            Limit::Any(l) => l,
            Limit::Near(d) => {
                let at = (bound.unwrap_or(0.0) * 1e6).floor() as i64;
                u32::try_from((at + d).max(0)).unwrap_or(u32::MAX)
            }
        };
        // Never panics (overflow would, in this debug build), whatever the arguments.
        let got = wilson_lower_above(failed, finished, limit_ppm, c);
        match bound {
            None => prop_assert!(!got, "degenerate input must answer false"),
            Some(b) => {
                let t = f64::from(limit_ppm) / 1e6;
                if b == 0.0 {
                    // No failure: the bound is exactly 0, above no limit.
                    prop_assert!(!got);
                } else if (b - t).abs() > 1e-9 * b.max(t) {
                    prop_assert_eq!(got, b > t, "bound {} limit {}", b, t);
                }
            }
        }
        // The checked form agrees wherever it accepts the input, and refuses with a code
        // otherwise.
        match wilson_lower_above_checked(failed, finished, limit_ppm, c) {
            Ok(v) => prop_assert_eq!(v, got),
            Err(e) => {
                let code = e.code();
                prop_assert!(
                    (code == "rollout.failed_above_finished" && failed > finished)
                        || (code == "rollout.fraction_out_of_range" && limit_ppm > PPM)
                        || (code == "rollout.bad_confidence"
                            && (z_den == 0 || z_den > 1000 || z_num > 100_000)),
                    "{} {}", code, e
                );
            }
        }
    }

    #[test]
    fn halt_rule_trips_refuses_bad_counts_and_agrees_otherwise(
        finished in count(), failed in count(),
        max_failures in proptest::option::of(count()),
        rate in proptest::option::of(0u32..=PPM),
        min_finished in count(),
        confidence in proptest::option::of((0u32..=100_000, 1u32..=1000)),
    ) {
        let rule = HaltRule {
            max_failures,
            max_failure_rate_ppm: rate,
            min_finished,
            confidence: confidence.map(|(z_num, z_den)| Confidence { z_num, z_den }),
        };
        let stats = StageStats { finished, failed };
        let rollout = Rollout { salt: String::new(), schedule: Schedule::Stages(vec![]), halt: rule };
        match rule.trips(3, stats) {
            Ok(reason) => {
                prop_assert!(failed <= finished);
                prop_assert_eq!(reason, rollout.trips(3, stats));
            }
            Err(e) => {
                prop_assert!(failed > finished);
                prop_assert_eq!(e.code(), "rollout.failed_above_finished");
            }
        }
    }

    #[test]
    fn stage_counts_from_json_never_default_a_count(
        finished in proptest::option::of(prop_oneof![
            any::<i64>().prop_map(|v| v.to_string()),
            any::<u32>().prop_map(|v| v.to_string()),
            Just("null".to_string()), Just("\"7\"".to_string()), Just("1.5".to_string()),
            Just("1e3".to_string()), Just("18446744073709551616".to_string()),
        ]),
        failed in proptest::option::of(prop_oneof![
            any::<i64>().prop_map(|v| v.to_string()),
            (0u32..100).prop_map(|v| v.to_string()),
            Just("null".to_string()), Just("[]".to_string()), Just("-0".to_string()),
        ]),
    ) {
        let mut fields = Vec::new();
        if let Some(f) = &finished { fields.push(format!("\"finished\": {f}")); }
        if let Some(f) = &failed { fields.push(format!("\"failed\": {f}")); }
        let text = format!("{{{}}}", fields.join(", "));
        match StageStats::from_json(&text) {
            Ok(s) => {
                prop_assert_eq!(Some(s.finished.to_string()), finished);
                prop_assert_eq!(Some(s.failed.to_string()), failed);
                prop_assert!(s.failed <= s.finished);
            }
            Err(e) => {
                let code = e.code();
                if finished.is_none() && failed.is_none() {
                    prop_assert_eq!(code, "rollout.missing_count", "{}", text);
                } else if finished.is_none() || failed.is_none() {
                    // The present one may be refused first.
                    prop_assert!(code == "rollout.missing_count" || code == "rollout.bad_count", "{} {}", code, text);
                } else {
                    prop_assert!(
                        code == "rollout.bad_count" || code == "rollout.failed_above_finished",
                        "{} {}", code, text
                    );
                }
            }
        }
    }
}

/// The band of the property above skips few cases: near the bound (within 3 ppm), most are
/// still decided by the oracle and so checked.
#[test]
fn the_oracle_decides_most_near_boundary_cases() {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let (mut decided, mut total) = (0u32, 0u32);
    for _ in 0..20_000 {
        let finished = (next() >> (next() % 32)) as u32;
        let failed = (next() % (u64::from(finished) + 1)) as u32;
        let c = Confidence {
            z_num: (next() % 100_001) as u32,
            z_den: 1 + (next() % 1000) as u32,
        };
        let Some(b) = oracle(failed, finished, c) else {
            continue;
        };
        if b == 0.0 {
            continue;
        }
        let limit_ppm = ((b * 1e6).floor() as i64 + (next() % 7) as i64 - 3).max(0) as u32;
        let t = f64::from(limit_ppm) / 1e6;
        total += 1;
        if (b - t).abs() > 1e-9 * b.max(t) {
            decided += 1;
            assert_eq!(wilson_lower_above(failed, finished, limit_ppm, c), b > t);
        }
    }
    assert!(
        total > 10_000 && decided * 10 > total * 9,
        "{decided} of {total}"
    );
}
