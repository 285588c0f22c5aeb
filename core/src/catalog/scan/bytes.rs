//! Byte-level steps of the catalog scan, several bytes at a time: skipping JSON whitespace
//! (a line's indentation 16 bytes a step), and counting and reading up to eight ASCII digits
//! as one word.
//!
//! ```text
//! skip_ws(b"\n      \"size\"", 0) == 7      // a line break and its indentation in one step
//! digits(u64::from_le_bytes(*b"36047400")) == 8
//! eight_digits(u64::from_le_bytes(*b"1256504,"), 7) == 1_256_504
//! ```

/// Whether `b` is JSON whitespace (space, tab, LF, CR: nothing else, as `serde_json` reads it).
const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The first index at or after `at` whose byte is not JSON whitespace (`bytes.len()` if none).
/// A byte above `b' '` (a value or a key follows at once) and a single space (as after a
/// colon) return inline.
#[inline(always)]
pub(super) fn skip_ws(bytes: &[u8], at: usize) -> usize {
    let above_space = |k: usize| bytes.get(at + k).is_some_and(|&b| b > b' ');
    if above_space(0) {
        at
    } else if bytes.get(at) == Some(&b' ') && above_space(1) {
        at + 1
    } else {
        skip_ws_run(bytes, at)
    }
}

/// How many bytes of JSON whitespace `chunk` starts with, when they are one whitespace byte
/// and then only spaces (a line break and a pretty-printed line's indentation, up to 16
/// spaces, or the single space of a compact form): one or two steps, no loop. Otherwise a count of
/// whitespace bytes that may stop short of the first byte that is not (0 when the first is
/// not whitespace): the caller then finds no key there and reads on in steps.
#[inline(always)]
pub(super) fn short_ws(chunk: &[u8; 32]) -> usize {
    const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
    let Some((&first, rest)) = chunk.split_first() else {
        return 0;
    };
    if !is_ws(first) {
        return 0;
    }
    let word = |k: usize| {
        let eight = rest.get(k..).and_then(<[u8]>::first_chunk::<8>);
        u64::from_le_bytes(*eight.unwrap_or(&[0; 8])) ^ SPACES
    };
    // Up to eight spaces in the first word; a deeper indentation (a delta's keys) in two.
    match word(0) {
        0 => 9 + (word(8).trailing_zeros() / 8) as usize,
        spaces => 1 + (spaces.trailing_zeros() / 8) as usize,
    }
}

/// [`skip_ws`]'s other cases: each whitespace byte, then the spaces after it eight at a time
/// (a pretty-printed line break and its indentation in one or two steps).
///
/// SSE2 compares would take 16 bytes a step, but a call to a `core::arch` intrinsic needs
/// `unsafe` (its function has a `#[target_feature]`), which this crate forbids; a line's
/// indentation is spaces only, which one XOR of a word finds. (16-byte `u128` words were
/// tried: more instructions, since indentation is mostly under eight spaces.)
#[inline(never)]
fn skip_ws_run(bytes: &[u8], mut at: usize) -> usize {
    const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
    // The usual case, with one bounds check: a whitespace byte (a line break), up to 16
    // spaces, then a byte above b' '.
    if let Some(block) = bytes.get(at..).and_then(<[u8]>::first_chunk::<32>) {
        let n = short_ws(block);
        if block.get(n).is_some_and(|&b| b > b' ') {
            return at + n;
        }
    }
    while bytes.get(at).copied().is_some_and(is_ws) {
        at += 1;
        while let Some(&word) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
            // Low bytes first: the XOR's trailing zero bytes are the spaces at `at`.
            match u64::from_le_bytes(word) ^ SPACES {
                0 => at += 8,
                x => {
                    at += (x.trailing_zeros() / 8) as usize;
                    break;
                }
            }
        }
    }
    at
}

/// The number of ASCII digits `0`–`9` that `w`'s bytes start with (little-endian: the first
/// byte is the lowest), 0 to 8.
#[inline(always)]
pub(super) fn digits(w: u64) -> u32 {
    const NIBBLES: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    // Per byte 0x33 exactly when it is a digit (high nibble 3, and still 3 after adding 6).
    // A carry out of a byte reaches only the bytes after it, past the first non-digit.
    let t = (w & NIBBLES) | ((w.wrapping_add(0x0606_0606_0606_0606) & NIBBLES) >> 4);
    (t ^ 0x3333_3333_3333_3333).trailing_zeros() / 8
}

/// The value of the first `n` bytes of `w` (1 to 8, every one a digit, as [`digits`] counted
/// them), read in three multiply-adds.
#[inline(always)]
pub(super) fn eight_digits(w: u64, n: u32) -> u64 {
    debug_assert!((1..=8).contains(&n));
    // The digits' values in the top `n` bytes: the bytes below are leading zeros, and those
    // past the digits fall off. A borrow in the subtraction only reaches bytes after a
    // non-digit.
    let v = w.wrapping_sub(0x3030_3030_3030_3030) << (8 * (8 - n.clamp(1, 8)));
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let pairs = 0x0000_00ff_0000_00ff;
    ((v & pairs)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & pairs).wrapping_mul(1 + (10_000 << 32))))
        >> 32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip_ws_bytewise(bytes: &[u8], mut at: usize) -> usize {
        while bytes.get(at).copied().is_some_and(is_ws) {
            at += 1;
        }
        at
    }

    #[test]
    fn skip_ws_stops_where_a_byte_at_a_time_stops() {
        let fill = [b' ', b'\n', b'\r', b'\t'];
        let stops = [
            b'"',
            b'{',
            b'a',
            0u8,
            0x0b,
            0x0c,
            0x1f,
            0x21,
            0x80,
            0xff,
            b' ' + 0x80,
        ];
        for len in 0..40 {
            for (k, &stop) in stops.iter().enumerate() {
                for stop_at in 0..=len {
                    // Every kind of whitespace in turn, or (odd `k`) indentation: a line
                    // break every nine bytes and spaces between.
                    let mut bytes: alloc::vec::Vec<u8> = (0..len)
                        .map(|i| match k % 2 {
                            0 => fill[(i + k) % fill.len()],
                            _ if (i + k) % 9 == 0 => b'\n',
                            _ => b' ',
                        })
                        .collect();
                    if stop_at < len {
                        bytes[stop_at] = stop;
                    }
                    for from in 0..=len {
                        assert_eq!(
                            skip_ws(&bytes, from),
                            skip_ws_bytewise(&bytes, from),
                            "{bytes:?} from {from}"
                        );
                    }
                }
            }
        }
        assert_eq!(skip_ws(b"\n      \"size\"", 0), 7);
    }

    #[test]
    fn short_ws_counts_only_whitespace() {
        let bytes_of = |text: &[u8]| {
            let mut chunk = [b'x'; 32];
            chunk[..text.len()].copy_from_slice(text);
            chunk
        };
        for (text, n) in [
            (&b"\"a\""[..], 0),
            (b" \"a\"", 1),
            (b"\n      \"a\"", 7),
            (b"\n        \"a\"", 9),
            (b"\n           \"a\"", 12),
            (b"\n                   \"a\"", 17),
            (&[b' '; 32][..], 17),
            (b"\t  \"a\"", 3),
            (b"\r\n  \"a\"", 1),
            (b"\x0b \"a\"", 0),
        ] {
            let chunk = bytes_of(text);
            assert_eq!(short_ws(&chunk), n, "{text:?}");
            assert!(chunk[..n].iter().all(|&b| is_ws(b)));
            assert!(n <= skip_ws(&chunk, 0));
        }
    }

    #[test]
    fn digits_read_as_parse_reads_them() {
        let others = [
            b'"', b',', b'.', b'e', b'/', b':', 0u8, 0xff, 0xfa, b' ', b'a',
        ];
        for n in 0..=8usize {
            for &other in &others {
                for seed in [0u64, 7, 12345, 99_999_999, 31_415_926] {
                    let text = alloc::format!("{:08}", seed);
                    let mut bytes = [other; 8];
                    bytes[..n].copy_from_slice(&text.as_bytes()[8 - n..]);
                    let w = u64::from_le_bytes(bytes);
                    assert_eq!(digits(w) as usize, n, "{bytes:?}");
                    if n > 0 {
                        let expected: u64 = text[8 - n..].parse().unwrap_or(u64::MAX);
                        assert_eq!(eight_digits(w, n as u32), expected, "{bytes:?}");
                    }
                }
            }
        }
        assert_eq!(digits(u64::from_le_bytes(*b"36047400")), 8);
        assert_eq!(eight_digits(u64::from_le_bytes(*b"1256504,"), 7), 1_256_504);
    }
}
