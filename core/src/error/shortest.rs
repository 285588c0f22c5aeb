//! A float's shortest round-trip text, as `zmij` (and so serde_json) writes it, computed exactly
//! with a small big integer instead of `zmij`'s tables: error messages name a float with it, so
//! a build that writes no float otherwise (the sampling WASM module) carries neither `zmij` nor
//! `core::fmt`'s float code. Slow (a few hundred big-integer steps a number) and meant only for
//! messages; `json_write` keeps `zmij`.
//!
//! The digits are Steele & White's free-format algorithm as Burger and Dybvig give it
//! ("Printing Floating-Point Numbers Quickly and Accurately", 1996): the fewest digits that read
//! back as the same double (round half to even, as every correct reader does), and of those the
//! closest. The layout is `zmij`'s: plain from 10^-5 to below 10^16 (`0.00001`,
//! `9007199254740992.0`), else with an exponent (`1e-7`, `1.5e+16`); `NaN`, `inf`, `-inf`.

use alloc::string::String;

use crate::json_read::push_decimal;

/// 36 limbs of 32 bits: every value the digit loop holds is below 2^1090.
const LIMBS: usize = 36;

/// An unsigned big integer, little-endian 32-bit limbs.
#[derive(Clone, Copy)]
struct Big([u32; LIMBS]);

impl Big {
    fn from_u64(n: u64) -> Big {
        let mut b = Big([0; LIMBS]);
        b.0[0] = n as u32;
        b.0[1] = (n >> 32) as u32;
        b
    }

    /// `self × k` (k below 2^32).
    fn mul_small(&mut self, k: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let t = u64::from(*limb) * u64::from(k) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
    }

    /// `self × 2^n`: whole limbs moved, then at most 31 doublings.
    fn shl(&mut self, n: u32) {
        let words = (n / 32) as usize;
        for i in (0..LIMBS).rev() {
            self.0[i] = if i >= words { self.0[i - words] } else { 0 };
        }
        for _ in 0..n % 32 {
            self.mul_small(2);
        }
    }

    /// `self + other`.
    fn plus(&self, other: &Big) -> Big {
        let mut out = *self;
        let mut carry = 0u64;
        for (o, b) in out.0.iter_mut().zip(&other.0) {
            let t = u64::from(*o) + u64::from(*b) + carry;
            *o = t as u32;
            carry = t >> 32;
        }
        out
    }

    /// `self - other` (`other` not above `self`).
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (o, b) in self.0.iter_mut().zip(&other.0) {
            let t = i64::from(*o) - i64::from(*b) - borrow;
            *o = t as u32;
            borrow = i64::from(t < 0);
        }
    }

    /// Whether `self ≥ other`.
    fn at_least(&self, other: &Big) -> bool {
        for i in (0..LIMBS).rev() {
            if self.0[i] != other.0[i] {
                return self.0[i] > other.0[i];
            }
        }
        true
    }
}

/// Whether `a` is past the bound `b`: `a ≥ b` when the bound itself reads back (`inclusive`),
/// else `a > b`.
fn past(a: &Big, b: &Big, inclusive: bool) -> bool {
    if inclusive {
        a.at_least(b)
    } else {
        !b.at_least(a)
    }
}

/// The shortest digits of a finite `x > 0` that read back as `x`, and the decimal exponent
/// `k` with `x ≈ 0.d1d2… × 10^k`: at most 17 digits.
fn digits(x: f64, out: &mut [u8; 17]) -> (usize, i32) {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7FF) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    // Ties read back to the even significand: then the bounds themselves read back as `x`.
    let even = m & 1 == 0;
    // Below a power of two the gap to the next lower double is half the gap above.
    let boundary = fraction == 0 && biased > 1;
    // x = r / s; the half-gaps to the neighbouring doubles are m_plus / s and m_minus / s.
    let mut r = Big::from_u64(m);
    let mut s = Big::from_u64(1);
    let mut m_plus = Big::from_u64(1);
    let mut m_minus;
    let up = u32::from(boundary);
    if e >= 0 {
        r.shl(e as u32 + 1 + up);
        s.shl(1 + up);
        m_plus.shl(e as u32 + up);
        m_minus = Big::from_u64(1);
        m_minus.shl(e as u32);
    } else {
        r.shl(1 + up);
        s.shl((1 - e) as u32 + up);
        m_plus.shl(up);
        m_minus = Big::from_u64(1);
    }
    // Scale so that the high bound is at most 1 (the first digit is then the first place).
    let mut k = 0;
    while past(&r.plus(&m_plus), &s, even) {
        s.mul_small(10);
        k += 1;
    }
    loop {
        let mut high = r.plus(&m_plus);
        high.mul_small(10);
        if past(&high, &s, even) {
            break;
        }
        r.mul_small(10);
        m_plus.mul_small(10);
        m_minus.mul_small(10);
        k -= 1;
    }
    let mut n = 0;
    loop {
        r.mul_small(10);
        m_plus.mul_small(10);
        m_minus.mul_small(10);
        let mut digit = 0u8;
        while r.at_least(&s) {
            r.sub(&s);
            digit += 1;
        }
        // Low: the digits so far already read back; high: the next digit up does.
        let low = past(&m_minus, &r, even);
        let high = past(&r.plus(&m_plus), &s, even);
        if low || high {
            // Both: the closer of the two; exactly halfway, the even one (as zmij).
            let mut twice = r;
            twice.mul_small(2);
            let up = if low && high {
                twice.at_least(&s) && (!s.at_least(&twice) || digit % 2 == 1)
            } else {
                high
            };
            if up {
                digit += 1;
            }
            out[n] = digit;
            return (n + 1, k);
        }
        out[n] = digit;
        n += 1;
    }
}

/// `x` as `zmij::Buffer::format` writes it (see the module documentation).
pub(crate) fn shortest_text(x: f64) -> String {
    if x.is_nan() {
        return String::from("NaN");
    }
    let mut s = String::new();
    if x.is_sign_negative() {
        s.push('-');
    }
    let x = x.abs();
    if x.is_infinite() {
        s.push_str("inf");
        return s;
    }
    if x == 0.0 {
        s.push_str("0.0");
        return s;
    }
    let mut d = [0u8; 17];
    let (n, k) = digits(x, &mut d);
    let digit = |i: usize| char::from(b'0' + d[i]);
    // x = d1.d2… × 10^exp
    let exp = k - 1;
    if (-5..=15).contains(&exp) {
        if exp < 0 {
            s.push_str("0.");
            for _ in 0..(-exp - 1) {
                s.push('0');
            }
            (0..n).for_each(|i| s.push(digit(i)));
        } else {
            let point = exp as usize + 1;
            for i in 0..point.max(n) {
                if i == point {
                    s.push('.');
                }
                s.push(if i < n { digit(i) } else { '0' });
            }
            if n <= point {
                s.push_str(".0");
            }
        }
    } else {
        s.push(digit(0));
        if n > 1 {
            s.push('.');
            (1..n).for_each(|i| s.push(digit(i)));
        }
        s.push('e');
        s.push(if exp < 0 { '-' } else { '+' });
        push_decimal(&mut s, exp.unsigned_abs() as usize);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::shortest_text;
    use alloc::string::String;
    use alloc::vec;

    fn zmij(x: f64) -> String {
        String::from(zmij::Buffer::new().format(x))
    }

    #[test]
    fn writes_what_zmij_writes_at_the_edges() {
        let mut cases = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.2,
            0.3,
            1.5,
            -0.5,
            1e-7,
            1e-6,
            1e-5,
            1.5e-5,
            1e-4,
            123456.789,
            1e15 + 0.5,
            9007199254740992.0,
            9007199254740993.0,
            1e16,
            1.2345e20,
            1e21,
            1e22,
            1e23,
            1e300,
            -1e-300,
            5e-324,
            1e-323,
            2.2250738585072014e-308,
            2.2250738585072009e-308,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            core::f64::consts::PI,
        ];
        // Every power of two and of ten, and their neighbours.
        for p in -1074i32..=1023 {
            let bits = if p >= -1022 {
                ((p + 1023) as u64) << 52
            } else {
                1 << (p + 1074)
            };
            cases.extend([bits, bits + 1, bits - 1].map(f64::from_bits));
        }
        for p in -324..=308 {
            let x: f64 = alloc::format!("1e{p}").parse().unwrap();
            let bits = x.to_bits();
            cases.extend([
                x,
                f64::from_bits(bits + 1),
                f64::from_bits(bits.saturating_sub(1)),
            ]);
        }
        for x in cases {
            assert_eq!(shortest_text(x), zmij(x), "{x:e} ({:#x})", x.to_bits());
        }
    }

    #[test]
    fn writes_what_zmij_writes_for_random_doubles() {
        // xorshift64*: every bit pattern is a candidate, so every exponent and significand.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let bits = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
            let x = f64::from_bits(bits);
            assert_eq!(shortest_text(x), zmij(x), "{x:e} ({bits:#x})");
            // Short decimals too (what users type): 1 to 6 digits at every scale.
            let short = (bits % 1_000_000) as f64 * 10f64.powi((bits >> 40) as i32 % 40 - 20);
            assert_eq!(shortest_text(short), zmij(short), "{short:e}");
        }
    }
}
