//! Integer helpers for 32-bit microcontrollers, where a `u64` division or a `u128` product links about
//! 1 KB of `compiler_builtins` and inline code. Exact: each gives what the plain operators give.

/// `(n / d, n % d)` for `d != 0` (for `d == 0`: `(u64::MAX, n)`, never a panic).
///
/// Where 64-bit division is an instruction (64-bit targets, WASM) the processor divides;
/// elsewhere (32-bit microcontrollers), [`div_rem_soft`].
pub(crate) const fn div_rem(n: u64, d: u64) -> (u64, u64) {
    #[cfg(any(target_pointer_width = "64", target_family = "wasm"))]
    {
        match n.checked_div(d) {
            Some(q) => (q, n - q * d),
            None => (u64::MAX, n),
        }
    }
    #[cfg(not(any(target_pointer_width = "64", target_family = "wasm")))]
    {
        div_rem_soft(n, d)
    }
}

/// Binary long division, one quotient bit per step: a few dozen bytes of code.
#[cfg_attr(
    any(target_pointer_width = "64", target_family = "wasm"),
    allow(dead_code)
)]
pub(crate) const fn div_rem_soft(n: u64, d: u64) -> (u64, u64) {
    if d == 0 {
        return (u64::MAX, n);
    }
    long_division(0, n, d)
}

/// `(high·2⁶⁴ + low) / d` and its remainder, for `high < d` (so the quotient fits in 64 bits):
/// binary long division over `low`, one quotient bit per step, starting from the remainder
/// `high`. [`div_rem_soft`] starts from 0, [`mul_div`] from a product's high word.
#[inline(always)]
const fn long_division(high: u64, low: u64, d: u64) -> (u64, u64) {
    let (mut q, mut r) = (0u64, high);
    let mut i = 64;
    while i > 0 {
        i -= 1;
        // `r < d`, so `2r + 1` may need 65 bits: the carry stands for the 65th.
        let carry = r >> 63;
        r = (r << 1) | ((low >> i) & 1);
        if carry == 1 || r >= d {
            r = r.wrapping_sub(d);
            q |= 1 << i;
        }
    }
    (q, r)
}

/// `value * ppm / 1_000_000`, rounded down; `u64::MAX` when that does not fit. Exact, with no
/// `u128`: `value = q·10⁶ + r` gives `q·ppm + ⌊r·ppm / 10⁶⌋`, and `r·ppm < 2⁶⁴`.
pub(crate) const fn mul_ppm(value: u64, ppm: u32) -> u64 {
    let ppm = ppm as u64;
    let (q, r) = div_rem(value, 1_000_000);
    let (low, _) = div_rem(r * ppm, 1_000_000);
    match q.checked_mul(ppm) {
        Some(high) => match high.checked_add(low) {
            Some(v) => v,
            None => u64::MAX,
        },
        None => u64::MAX,
    }
}

/// `⌊a·b / d⌋` exactly, with no 128-bit division (which links about 1 KB of
/// `compiler_builtins`): [`long_division`] of the 128-bit product, whose high word is below
/// `d` (else the quotient would not fit). `None` when `d == 0` or the quotient does not fit in
/// 64 bits.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))]
pub(crate) const fn mul_div(a: u64, b: u64, d: u64) -> Option<u64> {
    if d == 0 {
        return None;
    }
    let product = (a as u128) * (b as u128);
    let high = (product >> 64) as u64;
    if high >= d {
        return None;
    }
    Some(long_division(high, product as u64, d).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_division_is_exact() {
        let edges = [
            0u64,
            1,
            2,
            3,
            7,
            999_999,
            1_000_000,
            1 << 31,
            (1 << 32) - 1,
            1 << 32,
            1 << 63,
            (1 << 63) + 1,
            u64::MAX - 1,
            u64::MAX,
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut values = edges.to_vec();
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x >> (x % 64));
        }
        for &n in &values {
            for &d in &values {
                if d != 0 {
                    assert_eq!(div_rem_soft(n, d), (n / d, n % d), "{n} / {d}");
                    assert_eq!(div_rem(n, d), (n / d, n % d));
                }
            }
        }
        assert_eq!(div_rem_soft(5, 0), (u64::MAX, 5));
        assert_eq!(div_rem(5, 0), (u64::MAX, 5));
    }

    #[test]
    fn mul_div_matches_u128() {
        let reference = |a: u64, b: u64, d: u64| {
            (u128::from(a) * u128::from(b))
                .checked_div(u128::from(d))
                .and_then(|q| u64::try_from(q).ok())
        };
        let edges = [
            0u64,
            1,
            2,
            3,
            999_999,
            1_000_000,
            (1 << 32) - 1,
            1 << 32,
            (1 << 44) - 1,
            1 << 44,
            1 << 63,
            (1 << 63) + 1,
            u64::MAX - 1,
            u64::MAX,
        ];
        for &a in &edges {
            for &b in &edges {
                for &d in &edges {
                    assert_eq!(mul_div(a, b, d), reference(a, b, d), "{a} * {b} / {d}");
                }
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x >> (x % 64)
        };
        for _ in 0..200_000 {
            let (a, b, d) = (next(), next(), next());
            assert_eq!(mul_div(a, b, d), reference(a, b, d), "{a} * {b} / {d}");
            // The ramp's case: a below 2^20, b below d.
            let (a, d) = (a % 1_000_001, d.max(1));
            let b = b % d;
            assert_eq!(mul_div(a, b, d), reference(a, b, d), "{a} * {b} / {d}");
        }
    }

    #[test]
    fn mul_ppm_matches_u128() {
        let reference = |v: u64, p: u32| {
            u64::try_from(u128::from(v) * u128::from(p) / 1_000_000).unwrap_or(u64::MAX)
        };
        let ppms = [
            0u32,
            1,
            499_999,
            500_000,
            999_999,
            1_000_000,
            1_000_001,
            u32::MAX,
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for i in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = if i < 64 { 1u64 << i } else { x >> (x % 64) };
            for &p in &ppms {
                assert_eq!(mul_ppm(v, p), reference(v, p), "{v} {p}");
            }
            let p = (x >> 32) as u32;
            assert_eq!(mul_ppm(v, p), reference(v, p), "{v} {p}");
        }
        for v in [u64::MAX, u64::MAX - 1, u64::MAX / 2] {
            for &p in &ppms {
                assert_eq!(mul_ppm(v, p), reference(v, p));
            }
        }
    }
}
