//! Statistical tests of fleet sampling on 1,000,000 serial-number ids (`dev-00000000` ...), with
//! fixed inputs, so each run computes exactly the same numbers.
//!
//! Tolerances are honest binomial ones: a count `K` of `n` devices that should each be in with
//! probability `p` must satisfy `|K − n·p| < 5·sqrt(n·p·(1 − p))`. For truly independent uniform
//! positions a 5-sigma miss has probability about 5.7e-7 per check (normal approximation, fine
//! for the `n·p ≥ 1000` used here, and 500 for the smallest joint count), so a failure means a real bias, not bad luck. Nesting is
//! checked exactly.

use stepstone::sample::{Sampler, is_below};

const N: u64 = 1_000_000;
const SALT: &[u8] = b"acme-2026";
const DAY: u64 = 20_415;

fn positions(salt: &[u8], class: &str, period: u64) -> Vec<u64> {
    let s = Sampler::new(salt, class, period);
    (0..N)
        .map(|i| s.position(format!("dev-{i:08}").as_bytes()))
        .collect()
}

/// The exact probability that a uniform position is below `rate_ppm`: ceil(r·2^64/10^6) / 2^64.
fn exact_p(rate_ppm: u32) -> f64 {
    ((u128::from(rate_ppm) << 64).div_ceil(1_000_000)) as f64 / 2f64.powi(64)
}

/// Asserts a count is within 5 binomial standard deviations; returns its z-score.
fn within_5_sigma(what: &str, count: u64, n: u64, p: f64) -> f64 {
    let mean = n as f64 * p;
    let sd = (n as f64 * p * (1.0 - p)).sqrt();
    let z = (count as f64 - mean) / sd;
    eprintln!("{what}: {count} of {n} (expected {mean:.1}, sd {sd:.1}, z = {z:+.2})");
    assert!(
        z.abs() < 5.0,
        "{what}: {count} is {z:+.2} sd from {mean:.1}"
    );
    z
}

/// How many ids are in both samples: `a` at rate `ra` and `b` at rate `rb`.
fn in_both(a: &[u64], ra: u32, b: &[u64], rb: u32) -> u64 {
    a.iter()
        .zip(b)
        .filter(|(x, y)| is_below(**x, ra) && is_below(**y, rb))
        .count() as u64
}

#[test]
fn realised_rates_nesting_rotation_and_independence() {
    let today = positions(SALT, "metrics", DAY);

    // Realised rate within binomial bounds, for 1M ids.
    let rates = [1_000u32, 10_000, 50_000, 250_000, 500_000, 900_000];
    for r in rates {
        let k = today.iter().filter(|&&p| is_below(p, r)).count() as u64;
        within_5_sigma(&format!("rate {r} ppm"), k, N, exact_p(r));
    }

    // Nesting, exactly: for every id, the rates that sample it are all those above some point.
    let ladder = [
        0u32, 1, 10, 100, 1_000, 10_000, 50_000, 100_000, 500_000, 999_999, 1_000_000,
    ];
    for &p in &today {
        let inside: Vec<bool> = ladder.iter().map(|&r| is_below(p, r)).collect();
        assert!(
            inside.windows(2).all(|w| !w[0] || w[1]),
            "position {p:016x} breaks nesting"
        );
        assert!(!inside[0] && inside[ladder.len() - 1]);
    }

    // Rotation: tomorrow's 5% sample overlaps today's in about 5% of its devices (as two
    // independent draws would), so the overlap of the two is Binomial(N, r²).
    let r = 50_000;
    let p = exact_p(r);
    let tomorrow = positions(SALT, "metrics", DAY + 1);
    let both = in_both(&today, r, &tomorrow, r);
    within_5_sigma("5% today and tomorrow", both, N, p * p);
    let kept = both as f64 / today.iter().filter(|&&x| is_below(x, r)).count() as f64;
    eprintln!("fraction of today's sample also in tomorrow's: {kept:.4} (rate {p:.4})");

    // Independence between classes: the core-dump sample is not a slice of the metrics one.
    let dumps = positions(SALT, "coredumps", DAY);
    for (ra, rb) in [(50_000u32, 50_000u32), (50_000, 10_000), (500_000, 500_000)] {
        let joint = in_both(&today, ra, &dumps, rb);
        within_5_sigma(
            &format!("metrics {ra} and coredumps {rb}"),
            joint,
            N,
            exact_p(ra) * exact_p(rb),
        );
    }

    // Independence between salts: a new salt is a new sample.
    let other_salt = positions(b"acme-2027", "metrics", DAY);
    let joint = in_both(&today, r, &other_salt, r);
    within_5_sigma("5% with two salts", joint, N, p * p);

    // Uniformity: chi-square of the top 10 bits over 1024 buckets, against the 1e-6 upper
    // quantile of chi-square with 1023 degrees of freedom (Wilson–Hilferty, z = 4.753).
    let mut buckets = [0u64; 1024];
    for &x in &today {
        buckets[(x >> 54) as usize] += 1;
    }
    let e = N as f64 / 1024.0;
    let chi2: f64 = buckets.iter().map(|&k| (k as f64 - e).powi(2) / e).sum();
    let df = 1023.0f64;
    let limit = df * (1.0 - 2.0 / (9.0 * df) + 4.753 * (2.0 / (9.0 * df)).sqrt()).powi(3);
    eprintln!("chi-square over 1024 buckets: {chi2:.1} (df 1023, limit {limit:.1})");
    assert!(chi2 < limit);
}
