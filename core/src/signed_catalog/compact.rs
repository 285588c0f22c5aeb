//! The signed compact catalog: the binary envelope a device opens before it plans over a
//! compact catalog ([`crate::compact`]). Heap-free, fixed layout, no text to decode: what the
//! device port's `stepstone_catalog_open` reads. Written by `stepstone catalog pack --sign`.
//!
//! Layout (all integers little-endian; spec in `docs/compact-catalog.md`):
//!
//! | bytes | field |
//! |---|---|
//! | 0..4 | magic `SSCE` |
//! | 4 | envelope format, `1` |
//! | 5..8 | zero |
//! | 8..16 | sequence, u64 |
//! | 16..24 | issued, u64 Unix seconds |
//! | 24..32 | expires, u64 Unix seconds |
//! | 32..64 | key id: SHA-256 of the signing key's uncompressed SEC1 point |
//! | 64..68 | payload length `L`, u32 |
//! | 68..72 | zero |
//! | 72..72+L | payload: a compact catalog |
//! | 72+L..136+L | signature: ECDSA P-256 / SHA-256, raw `r‖s`, over bytes `0..72+L` |
//!
//! The envelope is exactly `136 + L` bytes. Every field, the payload's length included, is
//! under the signature. The payload starts 8-byte aligned when the envelope does.
//!
//! Checks, in order, each with its own code (the codes of [`SignedCatalogError`]): layout
//! (`signed_catalog.malformed`); the key id names the pinned key (`signed_catalog.unknown_key`);
//! the signature (`signed_catalog.bad_signature`); `now` is set (`signed_catalog.clock_unset`)
//! and not below the last catalog's `issued` (`signed_catalog.clock_behind`); expiry
//! (`signed_catalog.expired`); the sequence is not below the last one accepted
//! (`signed_catalog.rollback`), and an equal sequence carries exactly the signed bytes accepted
//! last time (`signed_catalog.sequence_reused`).
//!
//! ```
//! # #[cfg(feature = "sign")] {
//! use stepstone::signature::sign::SigningKey;
//! use stepstone::signed_catalog::compact::{open, seal};
//! let key = SigningKey::from_bytes(&[7u8; 32]).unwrap();
//! let envelope = seal(b"SSCC...", 3, 1_700_000_000, 1_800_000_000, &key).unwrap();
//! let opened = open(&envelope, &key.public_key(), None, 1_700_000_100).unwrap();
//! assert_eq!(opened.payload, b"SSCC...");
//! // Store opened.state; pass it as `last` next time.
//! let again = open(&envelope, &key.public_key(), Some(&opened.state), 1_700_000_200).unwrap();
//! assert_eq!(again.state, opened.state);
//! # }
//! ```

use super::SignedCatalogError;
use crate::error::detail;
use crate::signature::{Digest, KeyId, PublicKey, Signature};

/// The four bytes every signed compact catalog starts with.
pub const MAGIC: [u8; 4] = *b"SSCE";
/// The envelope format this code reads and writes.
pub const FORMAT: u8 = 1;
/// Bytes before the payload.
pub const HEADER_LEN: usize = 72;
/// Bytes of the signature after the payload (raw `r‖s`).
pub const SIGNATURE_LEN: usize = 64;

/// What a device keeps of the last catalog it accepted, and passes back next time.
/// JSON (feature `serde`): `{"sequence": N, "sha256": "<64 hex>", "issued": N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct CatalogState {
    /// The last accepted sequence.
    pub sequence: u64,
    /// SHA-256 of the last accepted envelope's signed bytes (all but the signature).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "sha256", with = "crate::wire::hex32")
    )]
    pub digest: Digest,
    /// The time floor: the highest `issued` accepted so far. A device without a real-time
    /// clock passes it as `now`.
    pub issued: u64,
}

#[cfg(feature = "alloc")]
impl CatalogState {
    /// Reads the state from its JSON, `{"sequence": N, "sha256": "<64 hex>", "issued": N}`
    /// (all three required, nothing else, `N` whole numbers from 0 to 2^64-1). Read by hand
    /// (no `serde_json`, so the verification WASM module links none); an error is a message
    /// naming the bad field or value, with line and column for a syntax error.
    ///
    /// ```
    /// use stepstone::signed_catalog::compact::CatalogState;
    /// let hex = "ab".repeat(32);
    /// let s = CatalogState::from_json(&format!(r#"{{"sequence": 42, "sha256": "{hex}", "issued": 7}}"#)).unwrap();
    /// assert_eq!((s.sequence, s.digest[0], s.issued), (42, 0xab, 7));
    /// let e = CatalogState::from_json(r#"{"sequence": -1, "sha256": "", "issued": 0}"#).unwrap_err();
    /// assert_eq!(e, "invalid value: `sequence` must be a whole number from 0 to 2^64-1, got -1 at line 1 column 14");
    /// ```
    pub fn from_json(text: &str) -> Result<CatalogState, alloc::string::String> {
        use crate::json_read::{Reader, SyntaxError, whole_number};
        use alloc::string::String;
        fn read(r: &mut Reader<'_>) -> Result<CatalogState, SyntaxError> {
            let (mut sequence, mut digest, mut issued) = (None, None, None);
            r.begin_object()?;
            let mut first = true;
            while let Some(key) = r.next_key(&mut first)? {
                r.peek();
                let at = r.error("");
                let taken = match key.as_ref() {
                    "sequence" | "issued" => {
                        let raw = r.value()?;
                        let Some(n) = whole_number(raw) else {
                            let mut what = String::from("invalid value: `");
                            what.push_str(&key);
                            what.push_str("` must be a whole number from 0 to 2^64-1, got ");
                            what.push_str(&crate::error::clip(raw));
                            return Err(SyntaxError {
                                what: what.into(),
                                ..at
                            });
                        };
                        let slot = if key == "sequence" {
                            &mut sequence
                        } else {
                            &mut issued
                        };
                        slot.replace(n).is_some()
                    }
                    "sha256" => {
                        let text = r.string().map_err(|_| SyntaxError {
                            what: "invalid value: `sha256` must be 64 lowercase hex digits".into(),
                            ..at.clone()
                        })?;
                        let Some(d) = crate::manifest::lines::hex32(&text) else {
                            let mut what = String::from(
                                "invalid value: `sha256` must be 64 lowercase hex digits, got ",
                            );
                            what.push_str(&crate::error::clip(&text));
                            return Err(SyntaxError {
                                what: what.into(),
                                ..at
                            });
                        };
                        digest.replace(d).is_some()
                    }
                    other => {
                        let mut what = String::from("unknown field `");
                        what.push_str(&crate::error::clip(other));
                        what.push_str("`, expected one of `sequence`, `sha256`, `issued`");
                        return Err(SyntaxError {
                            what: what.into(),
                            ..at
                        });
                    }
                };
                if taken {
                    let mut what = String::from("duplicate field `");
                    what.push_str(&key);
                    what.push('`');
                    return Err(SyntaxError {
                        what: what.into(),
                        ..at
                    });
                }
            }
            r.end()?;
            Ok(CatalogState {
                sequence: sequence.ok_or_else(|| r.error("missing field `sequence`"))?,
                digest: digest.ok_or_else(|| r.error("missing field `sha256`"))?,
                issued: issued.ok_or_else(|| r.error("missing field `issued`"))?,
            })
        }
        let mut r = Reader::new(text);
        read(&mut r).map_err(|e| r.describe(&e))
    }
}

/// The header of an envelope, read without checking its signature (see [`parse`]). JSON
/// (feature `serde`): `{"sequence", "issued", "expires", "key_id", "payload_len"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Header {
    /// Sequence number.
    pub sequence: u64,
    /// When it was signed, Unix seconds.
    pub issued: u64,
    /// Expiry, Unix seconds.
    pub expires: u64,
    /// The key that signed it.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::wire::key_id::serialize")
    )]
    pub key_id: KeyId,
    /// Payload bytes.
    pub payload_len: usize,
}

/// A verified envelope. JSON (feature `serde`): `{"header": {...}, "state": {...},
/// "payload_offset": N}` (the payload is `envelope[payload_offset..][..header.payload_len]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Opened<'a> {
    /// Its header.
    pub header: Header,
    /// The state to store (and pass as `last` next time).
    pub state: CatalogState,
    /// Where the payload starts in the envelope ([`HEADER_LEN`]).
    pub payload_offset: usize,
    /// The compact catalog bytes, verified.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub payload: &'a [u8],
}

fn malformed(reason: &'static str) -> SignedCatalogError {
    SignedCatalogError::Malformed { line: 0, reason }
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(src) = bytes.get(at..at + 8) {
        b.copy_from_slice(src);
    }
    u64::from_le_bytes(b)
}

/// Reads the layout (no signature check): for tools that inspect an envelope, and the first
/// step of [`open`]. Gives the header, the signed bytes and the signature bytes.
pub fn parse(envelope: &[u8]) -> Result<(Header, &[u8], &[u8]), SignedCatalogError> {
    let head = envelope
        .get(..HEADER_LEN)
        .ok_or(malformed(detail!("shorter than the 72-byte header")))?;
    if head.get(..4) != Some(&MAGIC[..]) {
        return Err(malformed(detail!(
            "not a signed compact catalog (bad magic)"
        )));
    }
    if head.get(4) != Some(&FORMAT) {
        return Err(malformed(detail!("envelope format is not 1")));
    }
    if head.get(5..8) != Some(&[0u8; 3][..]) || head.get(68..72) != Some(&[0u8; 4][..]) {
        return Err(malformed(detail!("reserved bytes are not zero")));
    }
    let mut len = [0u8; 4];
    len.copy_from_slice(head.get(64..68).unwrap_or(&[0; 4]));
    let payload_len = u32::from_le_bytes(len) as usize;
    let signed_len = HEADER_LEN
        .checked_add(payload_len)
        .ok_or(malformed(detail!("payload length overflows")))?;
    if envelope.len().checked_sub(SIGNATURE_LEN) != Some(signed_len) {
        return Err(malformed(detail!("length is not 72 + payload length + 64")));
    }
    let (signed, signature) = envelope.split_at(signed_len);
    let mut key_id = [0u8; 32];
    key_id.copy_from_slice(head.get(32..64).unwrap_or(&[0; 32]));
    let header = Header {
        sequence: u64_at(head, 8),
        issued: u64_at(head, 16),
        expires: u64_at(head, 24),
        key_id: KeyId(key_id),
        payload_len,
    };
    Ok((header, signed, signature))
}

/// Opens an envelope with the pinned catalog `key`, given the state of the last catalog
/// accepted (`None` on first use) and `now` (Unix seconds; a device without a clock passes
/// `last.issued`). Checks layout, key, signature, clock, expiry and sequence, in that order.
/// The payload is not parsed here: hand it to [`crate::compact::CompactCatalog::parse`].
pub fn open<'a>(
    envelope: &'a [u8],
    key: &PublicKey,
    last: Option<&CatalogState>,
    now: u64,
) -> Result<Opened<'a>, SignedCatalogError> {
    let (h, signed, signature) = parse(envelope)?;
    if h.key_id != key.key_id() {
        return Err(SignedCatalogError::UnknownKey { key_id: h.key_id });
    }
    let bad = SignedCatalogError::BadSignature { key_id: h.key_id };
    let sig = Signature::from_raw(signature).map_err(|_| bad)?;
    let digest = crate::signature::sha256(signed);
    key.verify_digest(&digest, &sig).map_err(|_| bad)?;
    let floor = last.map_or(0, |l| l.issued);
    super::check_clock(now, floor)?;
    if now >= h.expires {
        return Err(SignedCatalogError::Expired {
            expires: h.expires,
            now,
        });
    }
    if let Some(l) = last {
        super::check_sequence(h.sequence, &digest, l.sequence, Some(&l.digest))?;
    }
    Ok(Opened {
        header: h,
        state: CatalogState {
            sequence: h.sequence,
            digest,
            issued: h.issued.max(floor),
        },
        payload_offset: HEADER_LEN,
        payload: signed.get(HEADER_LEN..).unwrap_or(&[]),
    })
}

/// Wraps a compact catalog in a signed envelope (feature `sign`).
///
/// An `expires` not after `issued` is refused (`signed_catalog.expired`): no device could ever
/// open the envelope.
#[cfg(feature = "sign")]
pub fn seal(
    payload: &[u8],
    sequence: u64,
    issued: u64,
    expires: u64,
    key: &crate::signature::sign::SigningKey,
) -> Result<alloc::vec::Vec<u8>, SignedCatalogError> {
    if expires <= issued {
        return Err(SignedCatalogError::Expired {
            expires,
            now: issued,
        });
    }
    let len = u32::try_from(payload.len())
        .map_err(|_| SignedCatalogError::TooLarge { len: payload.len() })?;
    let mut out = alloc::vec::Vec::with_capacity(HEADER_LEN + payload.len() + SIGNATURE_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&[FORMAT, 0, 0, 0]);
    out.extend_from_slice(&sequence.to_le_bytes());
    out.extend_from_slice(&issued.to_le_bytes());
    out.extend_from_slice(&expires.to_le_bytes());
    out.extend_from_slice(key.public_key().key_id().as_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(payload);
    let key_id = key.public_key().key_id();
    let sig = key
        .sign_digest(&crate::signature::sha256(&out))
        .map_err(|_| SignedCatalogError::BadSignature { key_id })?;
    out.extend_from_slice(&sig.to_raw());
    Ok(out)
}

#[cfg(all(test, feature = "sign"))]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::signature::sign::SigningKey;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[9u8; 32]).unwrap()
    }

    #[cfg(feature = "serde")]
    #[test]
    fn state_json_reads_what_it_writes_and_refuses_the_rest() {
        let state = CatalogState {
            sequence: u64::MAX,
            digest: [0x5a; 32],
            issued: 1_800_000_000,
        };
        let text = serde_json::to_string(&state).unwrap();
        assert_eq!(CatalogState::from_json(&text), Ok(state));
        let hex = "5a".repeat(32);
        let spaced =
            alloc::format!("\n {{ \"issued\" : 1 , \"sha256\":\"{hex}\",\"sequence\":0 }} ");
        assert_eq!(CatalogState::from_json(&spaced).unwrap().issued, 1);
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"sequence": 1, "issued": 2}"#,
            &alloc::format!(r#"{{"sequence": 1.0, "sha256": "{hex}", "issued": 2}}"#),
            &alloc::format!(r#"{{"sequence": 1, "sha256": "{hex}", "issued": "2"}}"#),
            &alloc::format!(
                r#"{{"sequence": 1, "sha256": "{}", "issued": 2}}"#,
                hex.to_uppercase()
            ),
            &alloc::format!(r#"{{"sequence": 1, "sha256": "{hex}", "issued": 2, "x": 0}}"#),
            &alloc::format!(r#"{{"sequence": 1, "sequence": 1, "sha256": "{hex}", "issued": 2}}"#),
            &alloc::format!(r#"{{"sequence": 1, "sha256": "{hex}", "issued": 2}} x"#),
            &alloc::format!(
                r#"{{"sequence": 18446744073709551616, "sha256": "{hex}", "issued": 2}}"#
            ),
        ] {
            let ours = CatalogState::from_json(bad);
            assert!(ours.is_err(), "{bad}");
            // serde's derive refuses each of them too.
            assert!(serde_json::from_str::<CatalogState>(bad).is_err(), "{bad}");
        }
        assert_eq!(
            CatalogState::from_json(r#"{"sequence": 1, "sha256": "ab", "issued": 2}"#).unwrap_err(),
            "invalid value: `sha256` must be 64 lowercase hex digits, got ab at line 1 column 27"
        );
    }

    #[test]
    fn sealing_an_envelope_that_is_born_expired_is_refused() {
        for (issued, expires) in [(2_000, 2_000), (2_001, 2_000), (u64::MAX, 0)] {
            let e = seal(b"payload", 1, issued, expires, &key()).unwrap_err();
            assert_eq!(e.code(), "signed_catalog.expired");
            assert_eq!(
                e,
                SignedCatalogError::Expired {
                    expires,
                    now: issued
                }
            );
        }
        assert!(seal(b"payload", 1, 1_999, 2_000, &key()).is_ok());
    }

    #[test]
    fn seal_open_and_every_refusal() {
        let k = key();
        let pk = k.public_key();
        let env = seal(b"payload", 5, 1_000, 2_000, &k).unwrap();
        assert_eq!(env.len(), HEADER_LEN + 7 + SIGNATURE_LEN);
        let o = open(&env, &pk, None, 1_500).unwrap();
        assert_eq!(o.payload, b"payload");
        assert_eq!(o.payload_offset, HEADER_LEN);
        assert_eq!((o.state.sequence, o.state.issued), (5, 1_000));
        let code = |e: &[u8], last: Option<&CatalogState>, now: u64| {
            open(e, &pk, last, now).unwrap_err().code()
        };
        // Same envelope again: accepted; equal sequence, other bytes: refused.
        assert!(open(&env, &pk, Some(&o.state), 1_500).is_ok());
        let other = seal(b"payloaD", 5, 1_000, 2_000, &k).unwrap();
        assert_eq!(
            code(&other, Some(&o.state), 1_500),
            "signed_catalog.sequence_reused"
        );
        let older = seal(b"payload", 4, 1_000, 2_000, &k).unwrap();
        assert_eq!(
            code(&older, Some(&o.state), 1_500),
            "signed_catalog.rollback"
        );
        assert_eq!(code(&env, None, 2_000), "signed_catalog.expired");
        assert_eq!(code(&env, None, 0), "signed_catalog.clock_unset");
        let floor = CatalogState {
            issued: 1_600,
            ..o.state
        };
        assert_eq!(
            code(&env, Some(&floor), 1_500),
            "signed_catalog.clock_behind"
        );
        let stranger = SigningKey::from_bytes(&[8u8; 32]).unwrap();
        assert_eq!(
            open(&env, &stranger.public_key(), None, 1_500)
                .unwrap_err()
                .code(),
            "signed_catalog.unknown_key"
        );
        for i in 0..env.len() {
            let mut t = env.clone();
            t[i] ^= 0x01;
            assert!(open(&t, &pk, None, 1_500).is_err(), "flip at {i}");
        }
        for n in 0..env.len() {
            assert_eq!(code(&env[..n], None, 1_500), "signed_catalog.malformed");
        }
        let mut longer = env.clone();
        longer.push(0);
        assert_eq!(code(&longer, None, 1_500), "signed_catalog.malformed");
        // The floor only rises.
        let later = seal(b"payload", 6, 900, 2_000, &k).unwrap();
        let o2 = open(&later, &pk, Some(&o.state), 1_500).unwrap();
        assert_eq!(o2.state.issued, 1_000);
    }
}
