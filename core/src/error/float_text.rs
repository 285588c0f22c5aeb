//! The text of a float in an error message, in zmij's layout (what serde_json writes floats
//! with): the shortest round-trip digits, positional from 10^-5 to below 10^16 (`0.00001`,
//! `1500000000000000.0`), else with an exponent (`1e-6`, `1.5e+16`).
//!
//! Native builds write it with `zmij`. A WASM build with feature `host-floats` asks its
//! JavaScript host instead: the engine's `Number.prototype.toString` gives the same shortest
//! round-trip digits (ECMA-262, Number::toString), laid out differently (`1e+21`, `1e-7`,
//! `15000000000000000`); [`push_in_zmij_layout`] moves its digits and exponent into zmij's
//! layout, so the module carries no float-formatting code of its own. The WASM package
//! registers the host's writer once, when its module starts ([`set_host_number_text`]).

use alloc::string::String;

/// The shortest round-trip text of a finite float that is not a whole number below 2^53
/// (those the caller writes as integers), in zmij's layout.
#[cfg(not(all(feature = "host-floats", target_family = "wasm")))]
pub(super) fn shortest(x: f64) -> String {
    String::from(zmij::Buffer::new().format(x))
}

/// A host's number writer: what JavaScript's `String(x)` gives for `x`.
#[cfg(all(feature = "host-floats", target_family = "wasm"))]
pub type HostNumberText = fn(f64) -> String;

// The host's writer. A WASM module without threads has one thread, so a thread-local is the
// module's one slot (and needs no `Once` machinery).
#[cfg(all(feature = "host-floats", target_family = "wasm"))]
std::thread_local! {
    static HOST_NUMBER_TEXT: core::cell::Cell<Option<HostNumberText>> =
        const { core::cell::Cell::new(None) };
}

/// Registers the host's number writer for error messages: a function giving what JavaScript's
/// `String(x)` gives for a number (`Number.prototype.toString`). The WASM package calls it once,
/// when its module starts.
///
/// A message naming a float before a writer is registered names it by its bits
/// (`f64 bits 3ff8000000000000`): exact, though not the usual text.
#[cfg(all(feature = "host-floats", target_family = "wasm"))]
pub fn set_host_number_text(writer: HostNumberText) {
    HOST_NUMBER_TEXT.with(|slot| slot.set(Some(writer)));
}

/// As the native build's `shortest`, from the host's text.
#[cfg(all(feature = "host-floats", target_family = "wasm"))]
pub(super) fn shortest(x: f64) -> String {
    if x.is_nan() {
        return String::from("NaN");
    }
    if x.is_infinite() {
        return String::from(if x < 0.0 { "-inf" } else { "inf" });
    }
    let mut s = String::new();
    let host = HOST_NUMBER_TEXT.with(core::cell::Cell::get);
    if !host.is_some_and(|host| push_in_zmij_layout(&mut s, &host(x))) {
        s.clear();
        s.push_str("f64 bits ");
        s.push_str(&super::hex_text(&x.to_bits().to_be_bytes()));
    }
    s
}

/// Appends the number JavaScript's `Number.prototype.toString` wrote as `js` (`-1.5`,
/// `0.000001`, `15000000000000000`, `1.5e-7`, `1e+21`) in zmij's layout (`-1.5`, `1e-6`,
/// `1.5e+16`, `1.5e-7`, `1e+21`): the same digits and exponent, moved. Answers `false`, with
/// `s` partly written, for text that is not such a number (or is zero): no digit, more than 24
/// digits, another character, an exponent of more than 4 digits.
///
/// ```text
/// push_in_zmij_layout(s, "15000000000000000") appends "1.5e+16"
/// push_in_zmij_layout(s, "0.000001") appends "1e-6"
/// push_in_zmij_layout(s, "1000000000000000") appends "1000000000000000.0"
/// ```
#[cfg(any(test, all(feature = "host-floats", target_family = "wasm")))]
pub(crate) fn push_in_zmij_layout(s: &mut String, js: &str) -> bool {
    // Byte by byte into a digit buffer: `str` patterns (`split_once`, `trim_matches`) and
    // iterator ranges cost more WASM code.
    let bytes = js.as_bytes();
    let (negative, bytes) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let (mantissa, exponent) = match bytes.iter().position(|&b| b == b'e') {
        Some(i) => (&bytes[..i], Some(&bytes[i + 1..])),
        None => (bytes, None),
    };
    // The significant digits (leading zeros dropped) and where the point sits among them.
    let mut digits = [0u8; 24];
    let (mut len, mut point, mut seen_point) = (0usize, 0i32, false);
    for &b in mantissa {
        match b {
            b'.' if !seen_point => seen_point = true,
            b'0'..=b'9' => {
                if len == 0 && b == b'0' {
                    // A leading zero: after the point it moves the point left.
                    point -= i32::from(seen_point);
                    continue;
                }
                if len == digits.len() {
                    return false;
                }
                digits[len] = b;
                len += 1;
                point += i32::from(!seen_point);
            }
            _ => return false,
        }
    }
    while len > 0 && digits[len - 1] == b'0' {
        len -= 1;
    }
    if len == 0 {
        return false;
    }
    let mut exp: i32 = point - 1;
    if let Some(text) = exponent {
        let (sign, text) = match text.split_first() {
            Some((b'+', rest)) => (1, rest),
            Some((b'-', rest)) => (-1, rest),
            _ => (1, text),
        };
        if text.is_empty() || text.len() > 4 || !text.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let value = text.iter().fold(0i32, |n, &d| n * 10 + i32::from(d - b'0'));
        exp += sign * value;
    }
    let digits = &digits[..len];
    if negative {
        s.push('-');
    }
    let push = |s: &mut String, d: &[u8]| d.iter().for_each(|&b| s.push(char::from(b)));
    let zeros = |s: &mut String, n: i32| (0..n).for_each(|_| s.push('0'));
    if (-5..=15).contains(&exp) {
        let whole = exp + 1; // digits before the point
        if exp < 0 {
            s.push_str("0.");
            zeros(s, -whole);
            push(s, digits);
        } else if len as i32 <= whole {
            push(s, digits);
            zeros(s, whole - len as i32);
            s.push_str(".0");
        } else {
            push(s, &digits[..whole as usize]);
            s.push('.');
            push(s, &digits[whole as usize..]);
        }
    } else {
        push(s, &digits[..1]);
        if len > 1 {
            s.push('.');
            push(s, &digits[1..]);
        }
        s.push_str(if exp < 0 { "e-" } else { "e+" });
        crate::json_read::push_u64(s, u64::from(exp.unsigned_abs()));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::push_in_zmij_layout;
    use alloc::string::String;
    use alloc::vec::Vec;

    /// The text JavaScript's `Number.prototype.toString` gives for `x` (ECMA-262,
    /// Number::toString, radix 10), from zmij's shortest digits: both are the shortest digits
    /// that round-trip, the closest to the exact value.
    fn js_text(x: f64) -> String {
        let z = String::from(zmij::Buffer::new().format(x));
        let (negative, z) = z
            .strip_prefix('-')
            .map_or((false, z.as_str()), |r| (true, r));
        let (mantissa, e) = z
            .split_once('e')
            .map_or((z, 0), |(m, e)| (m, e.parse().unwrap()));
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all = alloc::format!("{int}{frac}");
        let lead = all.len() - all.trim_start_matches('0').len();
        let digits = all.trim_matches('0');
        // n: the position of the point after the first significant digit's place (ECMA's n).
        let n = int.len() as i32 - lead as i32 + e;
        let k = digits.len() as i32;
        let mut s = String::from(if negative { "-" } else { "" });
        if k <= n && n <= 21 {
            s.push_str(digits);
            s.push_str(&"0".repeat((n - k) as usize));
        } else if 0 < n && n <= 21 {
            s.push_str(&digits[..n as usize]);
            s.push('.');
            s.push_str(&digits[n as usize..]);
        } else if -6 < n && n <= 0 {
            s.push_str("0.");
            s.push_str(&"0".repeat((-n) as usize));
            s.push_str(digits);
        } else {
            s.push_str(&digits[..1]);
            if k > 1 {
                s.push('.');
                s.push_str(&digits[1..]);
            }
            s.push_str(&alloc::format!(
                "e{}{}",
                if n - 1 > 0 { "+" } else { "-" },
                (n - 1).abs()
            ));
        }
        s
    }

    fn laid_out(js: &str) -> Option<String> {
        let mut s = String::new();
        push_in_zmij_layout(&mut s, js).then_some(s)
    }

    #[test]
    fn javascript_texts_are_laid_out_as_zmij_writes_them() {
        let mut values: Vec<f64> = Vec::new();
        for e in -330..=310 {
            for m in [1.0, 1.5, 2.5, 9.999, 1.0000000000000002, 7.0e-1] {
                values.push(m * 10f64.powi(e));
            }
        }
        for bits in [
            1u64,
            2,
            0x000f_ffff_ffff_ffff,
            0x0010_0000_0000_0000,
            0x7fef_ffff_ffff_ffff,
        ] {
            values.push(f64::from_bits(bits));
        }
        for n in [(1u64 << 53) - 1, (1 << 53) + 2, u64::MAX, 1 << 60] {
            values.push(n as f64);
        }
        // Random bit patterns (xorshift64*), every exponent.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            values.push(f64::from_bits(state.wrapping_mul(0x2545_f491_4f6c_dd1d)));
        }
        for x in values.into_iter().filter(|x| x.is_finite() && *x != 0.0) {
            for x in [x, -x] {
                let js = js_text(x);
                let mut buffer = zmij::Buffer::new();
                let zmij = buffer.format(x);
                assert_eq!(laid_out(&js).as_deref(), Some(zmij), "{x:e}: {js}");
            }
        }
    }

    #[test]
    fn layouts_at_the_edges_of_positional() {
        for (js, want) in [
            ("0.00001", "0.00001"),
            ("0.000015", "0.000015"),
            ("0.000001", "1e-6"),
            ("1.5e-7", "1.5e-7"),
            ("123.456", "123.456"),
            ("-0.1", "-0.1"),
            ("1000000000000000", "1000000000000000.0"),
            ("9007199254740994", "9007199254740994.0"),
            ("10000000000000000", "1e+16"),
            ("15000000000000000", "1.5e+16"),
            ("123456789012345680000", "1.2345678901234568e+20"),
            ("1e+21", "1e+21"),
            ("-1.7976931348623157e+308", "-1.7976931348623157e+308"),
            ("5e-324", "5e-324"),
        ] {
            assert_eq!(laid_out(js).as_deref(), Some(want), "{js}");
        }
    }

    #[test]
    fn other_text_is_not_a_number() {
        for js in [
            "",
            "-",
            "0",
            "0.000",
            "NaN",
            "Infinity",
            "-Infinity",
            "1e",
            "1e+",
            "1e+99999",
            "1.2.3",
            "1x",
            " 1",
            "0x10",
            "1.-5",
            "+1",
            "1e5e5",
            "1234567890123456789012345",
        ] {
            assert_eq!(laid_out(js), None, "{js:?}");
        }
    }
}
