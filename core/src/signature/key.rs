//! Reading P-256 public keys: PEM or DER SubjectPublicKeyInfo, SEC1 points, hex. Heap-free.

use core::fmt;

use super::strict_der::{self, SpkiRefusal};
use super::{PublicKey, SignatureError};
use crate::error::detail;

/// Largest DER a public-key PEM may hold here. A P-256 SubjectPublicKeyInfo is 91 bytes (59
/// compressed); explicit-parameter encodings run to about 300 and are refused anyway.
const MAX_KEY_DER: usize = 512;

/// The form a public key was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyFormat {
    /// PEM `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo), what `openssl pkey -pubout` writes.
    Pem,
    /// DER SubjectPublicKeyInfo (`openssl pkey -pubout -outform DER`).
    Der,
    /// A SEC1 point: 65 bytes `04‖X‖Y`, or 33 bytes `02|03‖X` compressed.
    Sec1,
    /// Hex text of a SEC1 point or of DER SubjectPublicKeyInfo.
    Hex,
}

impl KeyFormat {
    /// Every format.
    pub const ALL: [KeyFormat; 4] = [
        KeyFormat::Pem,
        KeyFormat::Der,
        KeyFormat::Sec1,
        KeyFormat::Hex,
    ];

    /// The format's name: `pem`, `der`, `sec1` or `hex`.
    pub const fn name(self) -> &'static str {
        match self {
            KeyFormat::Pem => "pem",
            KeyFormat::Der => "der",
            KeyFormat::Sec1 => "sec1",
            KeyFormat::Hex => "hex",
        }
    }
}

/// A key format by name (`signature.unknown_format` for any other).
///
/// ```
/// use stepstone::signature::KeyFormat;
/// assert_eq!("sec1".parse::<KeyFormat>().unwrap().name(), "sec1");
/// assert!("jwk".parse::<KeyFormat>().is_err());
/// ```
#[cfg(feature = "alloc")]
impl core::str::FromStr for KeyFormat {
    type Err = super::UnknownFormat;
    fn from_str(s: &str) -> Result<KeyFormat, super::UnknownFormat> {
        KeyFormat::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| super::UnknownFormat::new("key", s, "pem, der, sec1 or hex"))
    }
}

/// A key id: SHA-256 of the key's uncompressed SEC1 point. Displays as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 32]);

impl KeyId {
    /// Parses 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Option<KeyId> {
        let mut out = [0u8; 32];
        if text.len() != 64 {
            return None;
        }
        base16ct::mixed::decode(text, &mut out).ok()?;
        Some(KeyId(out))
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl KeyId {
    /// Writes the 64 lowercase hex digits (as `{:02x}` per byte writes them) to a message, with
    /// no `core::fmt`: errors that name a key write it with this.
    pub(crate) fn write_hex(&self, sink: &mut impl crate::error::Sink) {
        // With a heap, the crate's hex writer (the WASM modules link it for their answers).
        #[cfg(feature = "alloc")]
        sink.text(&crate::error::hex_text(&self.0));
        #[cfg(not(feature = "alloc"))]
        self.write_hex_without_heap(sink);
    }

    /// [`KeyId::write_hex`] from a buffer on the stack, for builds without a heap.
    #[cfg(not(feature = "alloc"))]
    fn write_hex_without_heap(&self, sink: &mut impl crate::error::Sink) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 64];
        for (pair, b) in text.chunks_exact_mut(2).zip(self.0) {
            pair.copy_from_slice(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]]);
        }
        // Hex digits are ASCII, so always UTF-8.
        sink.text(core::str::from_utf8(&text).unwrap_or_default());
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sink = crate::error::FmtSink::new(f);
        self.write_hex(&mut sink);
        sink.finish()
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyId(")?;
        fmt::Display::fmt(self, f)?;
        f.write_str(")")
    }
}

pub(crate) fn trim_ascii(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or(&[])
}

/// The `y` of a compressed point: with `tag` 2 (even `y`), 3 (odd `y`) or 5 (the compact form:
/// the smaller of `y` and `p - y`). `None` when `x` is not below `p`. The caller checks that
/// `(x, y)` is on the curve (`AffinePoint::from_coordinates`), which refuses an `x` whose
/// `x³ - 3x + b` has no square root, so the result is exactly p256's `decompress` and
/// `decompact` (the `key` fuzz target and `tests::decompression_is_p256s` compare them).
///
/// P-256's `p ≡ 3 (mod 4)`, so a square root of `a` is `a^((p + 1) / 4)`: one exponentiation
/// on the field arithmetic the verifier links anyway, where p256's `decompress` brings its own
/// square root (about 4 KB of WASM code).
#[cfg(feature = "alloc")]
fn decompressed_y(x: &p256::FieldBytes, tag: u8) -> Option<p256::FieldBytes> {
    use p256::elliptic_curve::hazmat::FieldArithmetic;
    use p256::elliptic_curve::{Field, PrimeField};
    type Fe = <p256::NistP256 as FieldArithmetic>::FieldElement;
    /// `b` of `y² = x³ - 3x + b`, big-endian.
    const B: [u8; 32] = [
        0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86,
        0xbc, 0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2,
        0x60, 0x4b,
    ];
    /// `(p + 1) / 4`, little-endian 64-bit limbs.
    const ROOT: [u64; 4] = [0, 0x4000_0000, 0x4000_0000_0000_0000, 0x3fff_ffff_c000_0000];
    let x = Option::<Fe>::from(Fe::from_repr(*x))?;
    let b = Option::<Fe>::from(Fe::from_repr(B.into()))?;
    let rhs = x.square() * x - (x + x + x) + b;
    let y = Field::pow_vartime(&rhs, ROOT);
    let neg = -y;
    let (y_bytes, neg_bytes) = (y.to_repr(), neg.to_repr());
    let keep = match tag {
        // Compact: the smaller as an integer (big-endian bytes compare as integers).
        5 => y_bytes <= neg_bytes,
        _ => bool::from(y.is_odd()) == (tag & 1 == 1),
    };
    Some(if keep { y_bytes } else { neg_bytes })
}

/// A compressed (`tag` 2 or 3) or compact (5) point. With a heap (the WASM modules and hosts)
/// by [`decompressed_y`]; without (the device port, whose reader takes uncompressed points
/// only, so this is never called there), p256's own `decompress` and `decompact`, which answer
/// alike.
fn decompress(x: &p256::FieldBytes, tag: u8) -> Option<p256::AffinePoint> {
    #[cfg(feature = "alloc")]
    {
        use p256::elliptic_curve::point::AffineCoordinates;
        decompressed_y(x, tag).and_then(|y| p256::AffinePoint::from_coordinates(x, &y).into())
    }
    #[cfg(not(feature = "alloc"))]
    {
        use p256::elliptic_curve::point::{DecompactPoint, DecompressPoint};
        use p256::elliptic_curve::subtle::Choice;
        match tag {
            5 => p256::AffinePoint::decompact(x).into(),
            _ => p256::AffinePoint::decompress(x, Choice::from(tag & 1)).into(),
        }
    }
}

/// A SEC1 point; compressed and compact forms only when `DECOMPRESS` (else unsupported).
fn point<const DECOMPRESS: bool>(bytes: &[u8]) -> Result<PublicKey, SignatureError> {
    use p256::elliptic_curve::point::AffineCoordinates;
    use p256::{AffinePoint, FieldBytes};
    let field = |b: &[u8]| <[u8; 32]>::try_from(b).ok().map(FieldBytes::from);
    let point = match bytes.split_first() {
        Some((4, xy)) if xy.len() == 64 => {
            let (x, y) = xy.split_at(32);
            field(x)
                .zip(field(y))
                .and_then(|(x, y)| AffinePoint::from_coordinates(&x, &y).into())
        }
        Some((&tag @ (2 | 3 | 5), x)) if x.len() == 32 => {
            if !DECOMPRESS {
                return Err(SignatureError::KeyUnsupported {
                    reason: detail!(
                        "a compressed point (this reader takes uncompressed points only)"
                    ),
                });
            }
            field(x).and_then(|x| decompress(&x, tag))
        }
        _ => None,
    };
    point
        .and_then(|p| p256::ecdsa::VerifyingKey::from_affine(p).ok())
        .map(PublicKey::from_p256)
        .ok_or(SignatureError::KeyMalformed {
            expected: detail!("a SEC1 P-256 point"),
            reason: detail!("not a valid point on P-256"),
        })
}

/// A DER SubjectPublicKeyInfo for P-256 (its point read by [`point`]).
fn spki<const DECOMPRESS: bool>(der: &[u8]) -> Result<PublicKey, SignatureError> {
    let malformed = SignatureError::KeyMalformed {
        expected: detail!("DER SubjectPublicKeyInfo"),
        reason: detail!("not a strict-DER P-256 SubjectPublicKeyInfo with a valid point"),
    };
    match strict_der::p256_spki_point(der) {
        Ok(p) => match point::<DECOMPRESS>(p) {
            Err(e @ SignatureError::KeyUnsupported { .. }) => Err(e),
            other => other.map_err(|_| malformed),
        },
        Err(SpkiRefusal::Unsupported) => Err(SignatureError::KeyUnsupported {
            reason: detail!("its algorithm is not id-ecPublicKey on prime256v1"),
        }),
        Err(SpkiRefusal::Malformed) => Err(malformed),
    }
}

fn pem_label_reason(label: &str) -> &'static str {
    match label {
        "CERTIFICATE" => {
            "the PEM holds a CERTIFICATE, not a PUBLIC KEY (verify with a certificate and a root instead)"
        }
        "PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
            "the PEM holds a private key; give its public key (openssl pkey -pubout)"
        }
        "EC PARAMETERS" => "the PEM holds EC PARAMETERS, not a PUBLIC KEY",
        _ => "the PEM label is not PUBLIC KEY",
    }
}

impl PublicKey {
    /// Reads a SEC1 point: 65 bytes `04‖X‖Y` or 33 bytes `02|03‖X` (also `05‖X`, the
    /// compact form p256 reads). The point must be on the curve and not the identity.
    ///
    /// Read without the `sec1` crate (no formatting code on a device); accepts exactly what
    /// `p256::ecdsa::VerifyingKey::from_sec1_bytes` accepts.
    pub fn from_sec1(bytes: &[u8]) -> Result<PublicKey, SignatureError> {
        point::<true>(bytes)
    }

    /// Reads strict-DER SubjectPublicKeyInfo (algorithm id-ecPublicKey, curve prime256v1).
    ///
    /// A well-formed key of another algorithm or curve, or with no curve parameter, is
    /// `signature.key_unsupported`; everything else refused is `signature.key_malformed`.
    ///
    /// Read by this crate's own small strict DER reader, not the RustCrypto `der` and `spki`
    /// crates (about 14 KB less WASM code). It accepts and refuses exactly what p256's
    /// `DecodePublicKey::from_public_key_der` does, refusals sorted alike:
    /// `core/tests/strict_der.rs` (Wycheproof's keys, foreign keys and every one-byte mutation,
    /// truncation, deletion and insertion of them) and the `key` fuzz target compare the two.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, SignatureError> {
        spki::<true>(der)
    }

    /// Reads a binary public key with an uncompressed point: DER SubjectPublicKeyInfo (starting
    /// `0x30`) or a 65-byte SEC1 point `04‖X‖Y`. This is the device port's reader. It never
    /// decompresses a point: a compressed point would need a modular square root, about 3.6 KB of
    /// Cortex-M flash. It reads no PEM and no hex, so no base64 or hex decoder is linked in.
    ///
    /// For an uncompressed binary key it answers as [`PublicKey::parse`] does. A compressed
    /// point (33 bytes `02|03‖X`, alone or in SubjectPublicKeyInfo) is refused as
    /// `signature.key_unsupported`; convert it once with
    /// `openssl ec -pubin -conv_form uncompressed -outform DER`. Anything else is
    /// `signature.key_malformed`.
    ///
    /// ```
    /// use stepstone::error::ErrorCode;
    /// use stepstone::signature::PublicKey;
    /// let (pem, _) = stepstone::signature::doc_example();
    /// let key = PublicKey::parse(pem).unwrap();
    /// assert_eq!(PublicKey::parse_uncompressed(&key.to_sec1_uncompressed()).unwrap(), key);
    /// let compressed = key.as_p256().to_sec1_point(true);
    /// let err = PublicKey::parse_uncompressed(compressed.as_bytes()).unwrap_err();
    /// assert_eq!(err.code(), "signature.key_unsupported");
    /// assert!(PublicKey::parse_uncompressed(pem).is_err());
    /// ```
    pub fn parse_uncompressed(bytes: &[u8]) -> Result<PublicKey, SignatureError> {
        match bytes.first() {
            Some(0x30) => spki::<false>(bytes),
            Some(0x02..=0x04) if bytes.len() == 33 || bytes.len() == 65 => point::<false>(bytes),
            _ => Err(SignatureError::KeyMalformed {
                expected: detail!("DER SubjectPublicKeyInfo or an uncompressed SEC1 point"),
                reason: detail!("unrecognised encoding (PEM and hex are not read here)"),
            }),
        }
    }

    /// Reads PEM `-----BEGIN PUBLIC KEY-----` (RFC 7468), without a heap.
    pub fn from_pem(pem: &[u8]) -> Result<PublicKey, SignatureError> {
        let mut buf = [0u8; MAX_KEY_DER];
        // With a heap (every build but the device port's, which reads no PEM) the crate's own
        // reader, which links one base64 decoder; it reads exactly what pem-rfc7468 reads.
        #[cfg(feature = "alloc")]
        let decoded = super::pem::decode(trim_ascii(pem), &mut buf);
        #[cfg(not(feature = "alloc"))]
        let decoded = pem_rfc7468::decode(trim_ascii(pem), &mut buf).ok();
        let (label, der) = decoded.ok_or({
            SignatureError::KeyMalformed {
                expected: detail!("PEM"),
                reason: detail!(
                    "not a well-formed RFC 7468 PEM block (or larger than 512 bytes of DER)"
                ),
            }
        })?;
        if label != "PUBLIC KEY" {
            return Err(SignatureError::KeyMalformed {
                expected: detail!("PEM PUBLIC KEY"),
                reason: pem_label_reason(label),
            });
        }
        PublicKey::from_spki_der(der)
    }

    /// Reads a public key in any supported form and says which it was:
    /// PEM (text starting `-----BEGIN`), DER SubjectPublicKeyInfo (binary starting `0x30`),
    /// a SEC1 point (33 or 65 binary bytes starting `02`, `03` or `04`), or hex text of a SEC1
    /// point or of DER.
    pub fn parse_detect(bytes: &[u8]) -> Result<(PublicKey, KeyFormat), SignatureError> {
        let text = trim_ascii(bytes);
        if text.starts_with(b"-----BEGIN") {
            return PublicKey::from_pem(bytes).map(|k| (k, KeyFormat::Pem));
        }
        let is_hex = !text.is_empty() && text.iter().all(u8::is_ascii_hexdigit);
        // Hex text starting "30" also starts with the byte 0x30: binary DER is tried first and
        // hex only when that fails and every character is a hex digit.
        match bytes.first() {
            Some(0x30) => match PublicKey::from_spki_der(bytes) {
                Ok(k) => return Ok((k, KeyFormat::Der)),
                Err(e) if !is_hex => return Err(e),
                Err(_) => {}
            },
            Some(0x02..=0x04) if bytes.len() == 33 || bytes.len() == 65 => {
                return PublicKey::from_sec1(bytes).map(|k| (k, KeyFormat::Sec1));
            }
            _ => {}
        }
        if is_hex && text.len() <= 2 * MAX_KEY_DER {
            let mut buf = [0u8; MAX_KEY_DER];
            let raw = base16ct::mixed::decode(text, &mut buf).map_err(|_| {
                SignatureError::KeyMalformed {
                    expected: detail!("hex"),
                    reason: detail!("odd number of hex digits"),
                }
            })?;
            let key = match raw.first() {
                Some(0x30) => PublicKey::from_spki_der(raw)?,
                _ => PublicKey::from_sec1(raw)?,
            };
            return Ok((key, KeyFormat::Hex));
        }
        Err(SignatureError::KeyMalformed {
            expected: detail!("PEM or DER SubjectPublicKeyInfo, a SEC1 point, or hex"),
            reason: detail!("unrecognised encoding"),
        })
    }

    /// Reads a public key in any supported form (see [`PublicKey::parse_detect`]).
    ///
    /// ```
    /// use stepstone::signature::PublicKey;
    /// let (pem, _) = stepstone::signature::doc_example();
    /// let key = PublicKey::parse(pem).unwrap();
    /// assert_eq!(PublicKey::parse(&key.to_sec1_uncompressed()).unwrap(), key);
    /// ```
    pub fn parse(bytes: &[u8]) -> Result<PublicKey, SignatureError> {
        PublicKey::parse_detect(bytes).map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::super::doc_example;
    use super::*;
    use crate::error::ErrorCode;

    fn key() -> PublicKey {
        PublicKey::parse(doc_example().0).unwrap()
    }

    #[test]
    fn every_form_reads_the_same_key() {
        let k = key();
        let sec1 = k.to_sec1_uncompressed();
        let compressed = k.as_p256().to_sec1_point(true);
        assert_eq!(
            PublicKey::parse_detect(&sec1).unwrap(),
            (k, KeyFormat::Sec1)
        );
        assert_eq!(
            PublicKey::parse_detect(compressed.as_bytes()).unwrap(),
            (k, KeyFormat::Sec1)
        );
        let mut hex = [0u8; 130];
        let hex = base16ct::lower::encode(&sec1, &mut hex).unwrap();
        assert_eq!(PublicKey::parse_detect(hex).unwrap(), (k, KeyFormat::Hex));
    }

    #[test]
    fn wrong_things_are_refused_with_codes() {
        assert_eq!(
            PublicKey::parse(b"").unwrap_err().code(),
            "signature.key_malformed"
        );
        assert_eq!(
            PublicKey::parse(&[4u8; 65]).unwrap_err().code(),
            "signature.key_malformed"
        );
        assert_eq!(
            PublicKey::parse(&[0x30, 0x00]).unwrap_err().code(),
            "signature.key_malformed"
        );
        let cert = b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
        let err = PublicKey::parse(cert).unwrap_err();
        assert!(
            matches!(err, SignatureError::KeyMalformed { reason, .. } if reason.contains("CERTIFICATE"))
        );
    }

    #[test]
    fn key_id_is_sha256_of_uncompressed_point() {
        let k = key();
        assert_eq!(
            k.key_id().0,
            super::super::sha256(&k.to_sec1_uncompressed())
        );
        let text = alloc_free_hex(&k.key_id());
        assert_eq!(
            KeyId::from_hex(core::str::from_utf8(&text).unwrap()),
            Some(k.key_id())
        );
    }

    /// p256's own reading of a compressed or compact point (`decompress`, `decompact`).
    fn p256s(bytes: &[u8]) -> Option<PublicKey> {
        p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
            .ok()
            .map(PublicKey::from_p256)
    }

    #[test]
    fn decompression_is_p256s() {
        // x from a counter through SHA-256 (about half have a square root), p, p - 1, p - 248,
        // 0, 1 and 2^256 - 1, and real keys' x, each under the three tags.
        let p: [u8; 32] = [
            0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff,
        ];
        let mut xs: std::vec::Vec<[u8; 32]> = (0u32..600)
            .map(|i| super::super::sha256(&i.to_be_bytes()))
            .collect();
        let mut below = p;
        below[31] -= 1;
        let mut further_below = p;
        further_below[31] = 7;
        let mut one = [0; 32];
        one[31] = 1;
        xs.extend([p, below, further_below, [0; 32], [0xff; 32], one]);
        for seed in 1u8..40 {
            let key = crate::signature::sign::SigningKey::from_bytes(&[seed; 32])
                .unwrap()
                .public_key();
            let sec1 = key.to_sec1_uncompressed();
            xs.push(sec1[1..33].try_into().unwrap());
        }
        let (mut points, mut refused) = (0, 0);
        for x in &xs {
            for tag in [2u8, 3, 5] {
                let mut bytes = [tag; 33];
                bytes[1..].copy_from_slice(x);
                let ours = PublicKey::from_sec1(&bytes).ok();
                assert_eq!(ours, p256s(&bytes), "{bytes:02x?}");
                if ours.is_some() {
                    points += 1;
                } else {
                    refused += 1;
                }
            }
        }
        assert!(
            points > 900 && refused > 800,
            "{points} points, {refused} refused"
        );
    }

    fn alloc_free_hex(id: &KeyId) -> [u8; 64] {
        let mut out = [0u8; 64];
        base16ct::lower::encode(&id.0, &mut out).unwrap();
        out
    }
}
