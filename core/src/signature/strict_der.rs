//! A strict DER reader just large enough for the two structures verification reads: an ECDSA
//! signature (`SEQUENCE { INTEGER r, INTEGER s }`) and a P-256 SubjectPublicKeyInfo. Heap-free,
//! no formatting, no panic paths, so the device port links this instead of the `der`, `spki`,
//! `sec1` and `const-oid` crates (about 9 KB of Cortex-M flash with their error formatting).
//!
//! It accepts exactly what `der` 0.8 accepts for these structures, as `ecdsa` 0.17 and `spki` 0.8
//! use it, and sorts refusals the same way (malformed, or a well-formed key of another algorithm
//! or curve). The tests hold the two together: Wycheproof, OpenSSL keys, and every one-byte
//! mutation, truncation and extension of valid encodings are read by both and must agree.
//!
//! Rules, as `der` applies them:
//! * a tag is one of the universal tags `der` knows, or an application, context or private tag
//!   (a multi-byte tag number must be minimal and at least 31);
//! * a length is short (below 128) or long with 1 to 4 bytes and minimal; indefinite is refused;
//! * an `INTEGER` holding an unsigned value is non-empty, not negative, with a leading zero only
//!   before a byte of 128 or more;
//! * an `OBJECT IDENTIFIER` is 1 to 39 bytes, its first byte below 120, its arcs base-128 that
//!   fit 32 bits, the last byte ending an arc (non-minimal arcs are allowed, as in `const-oid`);
//! * a `BIT STRING` starts with an unused-bit count of at most 7 (0 when nothing follows);
//! * no trailing bytes anywhere.

/// Universal tags `der` 0.8 decodes (primitive, and the constructed SEQUENCE and SET).
const UNIVERSAL: [u8; 22] = [
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x09, 0x0A, 0x0C, 0x0D, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x1A, 0x1B, 0x1E, 0x30, 0x31,
];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OBJECT_IDENTIFIER: u8 = 0x06;

/// id-ecPublicKey, 1.2.840.10045.2.1.
pub(crate) const ID_EC_PUBLIC_KEY: [u8; 7] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// prime256v1 (secp256r1), 1.2.840.10045.3.1.7.
pub(crate) const PRIME256V1: [u8; 8] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// One DER element: the first byte of its tag and its content.
#[derive(Clone, Copy)]
struct Element<'a> {
    tag: u8,
    content: &'a [u8],
}

/// Splits the first byte off `input`.
fn byte(input: &[u8]) -> Option<(u8, &[u8])> {
    input.split_first().map(|(b, rest)| (*b, rest))
}

/// Reads a tag (only its first byte is kept; a multi-byte number is checked and skipped).
fn tag(input: &[u8]) -> Option<(u8, &[u8])> {
    let (first, mut rest) = byte(input)?;
    if first < 0x40 {
        return UNIVERSAL.contains(&first).then_some((first, rest));
    }
    if first & 0x1f != 0x1f {
        return Some((first, rest));
    }
    // Multi-byte tag number: at most 5 more bytes, minimal, at least 31.
    let mut number: u32 = 0;
    for i in 0..5 {
        let (b, next) = byte(rest)?;
        rest = next;
        number |= u32::from(b & 0x7f);
        if b & 0x80 == 0 {
            return (number >= 31).then_some((first, rest));
        }
        if (i == 0 && number == 0) || number.leading_zeros() < 7 {
            return None;
        }
        number <<= 7;
    }
    None
}

/// Reads a definite length: short form, or 1 to 4 bytes of long form, minimal.
fn length(input: &[u8]) -> Option<(usize, &[u8])> {
    let (first, mut rest) = byte(input)?;
    if first < 0x80 {
        return Some((usize::from(first), rest));
    }
    let count = match first {
        0x81..=0x84 => first - 0x80,
        _ => return None,
    };
    let mut value: u32 = 0;
    for _ in 0..count {
        let (b, next) = byte(rest)?;
        rest = next;
        value = (value << 8) | u32::from(b);
    }
    let minimal = match value {
        0x80..=0xff => 0x81,
        0x100..=0xffff => 0x82,
        0x1_0000..=0xff_ffff => 0x83,
        0x100_0000..=0xffff_ffff => 0x84,
        _ => 0,
    };
    (minimal == first).then_some((usize::try_from(value).ok()?, rest))
}

/// Reads one element from the front of `input`; gives it and what follows.
fn element(input: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let (tag, rest) = tag(input)?;
    let (len, rest) = length(rest)?;
    let content = rest.get(..len)?;
    let rest = rest.get(len..)?;
    Some((Element { tag, content }, rest))
}

/// Reads one element with tag `want` from the front of `input`.
fn expect(input: &[u8], want: u8) -> Option<(&[u8], &[u8])> {
    let (e, rest) = element(input)?;
    (e.tag == want).then_some((e.content, rest))
}

/// An unsigned `INTEGER`'s content without its sign byte, as `der` reads it.
fn unsigned(content: &[u8]) -> Option<&[u8]> {
    match content {
        [] => None,
        [0] => Some(content),
        [0, b, ..] if *b < 0x80 => None,
        [0, rest @ ..] => Some(rest),
        [b, ..] if *b >= 0x80 => None,
        _ => Some(content),
    }
}

/// A value of at most 32 bytes, left-padded into `out`.
fn scalar(content: &[u8], out: &mut [u8]) -> Option<()> {
    let value = unsigned(content)?;
    let start = out.len().checked_sub(value.len())?;
    out.get_mut(start..)?.copy_from_slice(value);
    Some(())
}

/// An ECDSA P-256 signature in strict DER: `r‖s`, each left-padded to 32 bytes. Range checks
/// (`1 ≤ r, s < n`) are the caller's.
pub(crate) fn ecdsa_signature(der: &[u8]) -> Option<[u8; 64]> {
    let (body, rest) = expect(der, SEQUENCE)?;
    if !rest.is_empty() {
        return None;
    }
    let (r, body) = expect(body, INTEGER)?;
    let (s, body) = expect(body, INTEGER)?;
    if !body.is_empty() {
        return None;
    }
    let mut out = [0u8; 64];
    let (r_out, s_out) = out.split_at_mut(32);
    scalar(r, r_out)?;
    scalar(s, s_out)?;
    Some(out)
}

/// Whether `content` is an object identifier `const-oid` 0.10 accepts.
fn valid_oid(content: &[u8]) -> bool {
    let Some((&root, arcs)) = content.split_first() else {
        return false;
    };
    if content.len() > 39 || root >= 120 {
        return false;
    }
    let mut arc: u32 = 0;
    let mut open = false;
    for &b in arcs {
        match arc
            .checked_mul(0x80)
            .and_then(|a| a.checked_add(u32::from(b & 0x7f)))
        {
            Some(a) => arc = a,
            None => return false,
        }
        open = b & 0x80 != 0;
        if !open {
            arc = 0;
        }
    }
    !open
}

/// Why a SubjectPublicKeyInfo was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpkiRefusal {
    /// Not strict DER of that structure, or parameters that are not an OID, or a bit string
    /// with unused bits.
    Malformed,
    /// Well formed, for another algorithm than id-ecPublicKey or another curve than P-256, or
    /// without parameters.
    Unsupported,
}

/// The SEC1 point inside a DER SubjectPublicKeyInfo for id-ecPublicKey on prime256v1.
pub(crate) fn p256_spki_point(der: &[u8]) -> Result<&[u8], SpkiRefusal> {
    use SpkiRefusal::{Malformed, Unsupported};
    let (body, rest) = expect(der, SEQUENCE).ok_or(Malformed)?;
    let (algorithm, body) = expect(body, SEQUENCE).ok_or(Malformed)?;
    let (bits, body) = expect(body, BIT_STRING).ok_or(Malformed)?;
    if !rest.is_empty() || !body.is_empty() {
        return Err(Malformed);
    }
    let (oid, params) = expect(algorithm, OBJECT_IDENTIFIER).ok_or(Malformed)?;
    if !valid_oid(oid) {
        return Err(Malformed);
    }
    let params = match params {
        [] => None,
        _ => match element(params) {
            Some((p, [])) => Some(p),
            _ => return Err(Malformed),
        },
    };
    let (&unused, point) = bits.split_first().ok_or(Malformed)?;
    if unused > 7 || (unused != 0 && point.is_empty()) {
        return Err(Malformed);
    }
    // Well-formed DER from here; now what it says.
    if oid != ID_EC_PUBLIC_KEY {
        return Err(Unsupported);
    }
    let params = params.ok_or(Unsupported)?;
    if params.tag != OBJECT_IDENTIFIER || !valid_oid(params.content) {
        return Err(Malformed);
    }
    if params.content != PRIME256V1 {
        return Err(Unsupported);
    }
    if unused != 0 {
        return Err(Malformed);
    }
    Ok(point)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_minimal() {
        assert_eq!(length(&[0x05]), Some((5, &[][..])));
        assert_eq!(length(&[0x80]), None);
        assert_eq!(length(&[0x81, 0x7f]), None);
        assert_eq!(length(&[0x81, 0x80]), Some((128, &[][..])));
        assert_eq!(length(&[0x82, 0x00, 0xff]), None);
        assert_eq!(length(&[0x85, 1, 1, 1, 1, 1]), None);
    }

    #[test]
    fn tags_follow_der() {
        assert!(tag(&[0x02]).is_some());
        assert!(tag(&[0x07]).is_none());
        assert!(tag(&[0x1f, 0x20]).is_none());
        assert!(tag(&[0x9f, 0x1e]).is_none());
        assert!(tag(&[0x9f, 0x1f]).is_some());
        assert!(tag(&[0x9f, 0x80, 0x01]).is_none());
        assert!(tag(&[0x9f, 0x81, 0x00]).is_some());
    }

    #[test]
    fn oids_follow_const_oid() {
        assert!(valid_oid(&PRIME256V1));
        assert!(!valid_oid(&[]));
        assert!(!valid_oid(&[120]));
        assert!(!valid_oid(&[0x2a, 0x86]));
        assert!(valid_oid(&[0x2a, 0x80, 0x01]));
        assert!(!valid_oid(&[0x2a, 0x90, 0x80, 0x80, 0x80, 0x00]));
        assert!(valid_oid(&[0x2a, 0x8f, 0xff, 0xff, 0xff, 0x7f]));
    }
}
