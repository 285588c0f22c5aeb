//! Signed catalogs: an envelope around catalog bytes with a sequence number, an expiry and the
//! signing key's id, so a console or device that reads a catalog from a mirror or a gateway
//! refuses an old one (TUF's freeze and rollback attacks) and one signed by an unknown key.
//! Opening it needs no heap; the caller passes the verified inner bytes to the catalog parser.
//!
//! Format (ASCII header, `\n` line ends, fields in this order, each once; spec in
//! `docs/signatures.md`). Format 2 adds the signed `issued` time; format 1 (no `issued`) is
//! still read:
//!
//! ```text
//! stepstone-signed-catalog 2
//! sequence 42
//! issued 1760000000
//! expires 1767225600
//! key_id <64 lowercase hex: SHA-256 of the signing key's uncompressed SEC1 point>
//! size <payload bytes>
//! signature <the signature as hex or base64, DER or raw r‖s>
//!
//! <payload: exactly `size` bytes of catalog>
//! ```
//!
//! The signature covers the envelope with its `signature` line removed: the header lines
//! before it, the empty line, and the payload. So every field, the payload's length included,
//! is signed. Checks, in order, each with its own code: format (`signed_catalog.malformed`),
//! key id among the trusted keys (`signed_catalog.unknown_key`), signature
//! (`signed_catalog.bad_signature`), a set clock (`now` 0 is `signed_catalog.clock_unset`),
//! expiry (`signed_catalog.expired`), sequence not below the last one accepted
//! (`signed_catalog.rollback`). An equal sequence is accepted only with exactly the signed
//! bytes accepted last time (the same catalog fetched again: [`Opened::digest`] equals the
//! `last_digest` given); otherwise it is `signed_catalog.sequence_reused`, so two catalogs
//! signed with one number cannot be swapped (undoing a yank). A signer must raise the sequence
//! for every new catalog.
//!
//! Devices open the binary envelope of [`compact`] instead (same codes).
//!
//! ```
//! use stepstone::signed_catalog::{open, Trust};
//! # let (key, envelope) = stepstone::signed_catalog::doc_example();
//! let key = stepstone::signature::PublicKey::parse(key).unwrap();
//! let trust = Trust { keys: &[key], last_sequence: Some(41), last_digest: None, now: 1_800_000_000 };
//! let opened = open(envelope, &trust).unwrap();
//! assert_eq!(opened.sequence, 42);
//! assert_eq!(opened.payload, br#"{"releases":[]}"#);
//! ```

use core::fmt;

use sha2::{Digest as _, Sha256};

use crate::error::{Code, ErrorCode, Registered, Sink, codes, detail, message_from_sink};
use crate::manifest::lines;
use crate::signature::{Digest, KeyId, PublicKey, Signature};

pub mod compact;

/// The first line of every signed catalog of this format.
pub const MAGIC: &str = "stepstone-signed-catalog";
/// Largest header accepted, in bytes.
pub const MAX_HEADER_LEN: usize = 1024;

/// Why a signed catalog was refused.
///
/// `Display` and [`ErrorMessage::message`](crate::error::ErrorMessage::message) give the same
/// text; `message` builds it without `core::fmt` (the WASM verify module links none for it).
///
/// ```
/// use stepstone::error::ErrorMessage;
/// use stepstone::signed_catalog::SignedCatalogError;
/// let e = SignedCatalogError::ClockBehind { now: 5, floor: 7 };
/// assert_eq!(e.message(), "now 5 is below the time floor 7 (the newest catalog's issued time)");
/// assert_eq!(e.to_string(), e.message());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedCatalogError {
    /// The envelope does not follow the format.
    Malformed {
        /// 1-based line (0 for the envelope as a whole).
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// Signed by a key that is not trusted.
    UnknownKey {
        /// The key id it names.
        key_id: KeyId,
    },
    /// The signature does not verify.
    BadSignature {
        /// The key tried.
        key_id: KeyId,
    },
    /// The catalog expired.
    Expired {
        /// Its expiry, Unix seconds.
        expires: u64,
        /// The `now` given.
        now: u64,
    },
    /// Older than the last catalog accepted.
    Rollback {
        /// Its sequence.
        sequence: u64,
        /// The last sequence accepted.
        last: u64,
    },
    /// The sequence of the last catalog accepted, with other signed bytes (or the last bytes
    /// are not known).
    SequenceReused {
        /// The sequence.
        sequence: u64,
    },
    /// `now` is 0: the caller has no clock; expiry cannot be checked.
    ClockUnset,
    /// `now` is below the time floor (the highest `issued` accepted).
    ClockBehind {
        /// The `now` given.
        now: u64,
        /// The floor.
        floor: u64,
    },
    /// A payload too large for the envelope (sealing).
    TooLarge {
        /// Payload bytes.
        len: usize,
    },
    /// [`Trust::last_digest`] without [`Trust::last_sequence`]: a digest only decides between
    /// envelopes of the stored sequence, so alone it would check nothing while the caller
    /// believes the replay check on (`signed_catalog.digest_without_sequence`).
    DigestWithoutSequence,
}

impl SignedCatalogError {
    /// Writes the message piece by piece (`Display` and `message` both write it).
    fn write_message(&self, s: &mut impl Sink) {
        match self {
            SignedCatalogError::Malformed { line, reason } => {
                s.text("signed catalog header line ");
                s.decimal(*line as u64);
                s.text(": ");
                s.text(reason);
            }
            SignedCatalogError::UnknownKey { key_id } => {
                s.text("signed catalog is signed by key ");
                key_id.write_hex(s);
                s.text(", which is not trusted");
            }
            SignedCatalogError::BadSignature { key_id } => {
                s.text("signed catalog signature does not verify with key ");
                key_id.write_hex(s);
            }
            SignedCatalogError::Expired { expires, now } => {
                s.text("signed catalog expired at ");
                s.decimal(*expires);
                s.text(" (now is ");
                s.decimal(*now);
                s.text(")");
            }
            SignedCatalogError::Rollback { sequence, last } => {
                s.text("signed catalog sequence ");
                s.decimal(*sequence);
                s.text(" is below the last accepted ");
                s.decimal(*last);
            }
            SignedCatalogError::SequenceReused { sequence } => {
                s.text("signed catalog sequence ");
                s.decimal(*sequence);
                s.text(
                    " equals the last accepted one but its signed bytes differ (or the last digest was not given)",
                );
            }
            SignedCatalogError::ClockUnset => {
                s.text("now is 0 (clock not set): expiry cannot be checked")
            }
            SignedCatalogError::ClockBehind { now, floor } => {
                s.text("now ");
                s.decimal(*now);
                s.text(" is below the time floor ");
                s.decimal(*floor);
                s.text(" (the newest catalog's issued time)");
            }
            SignedCatalogError::TooLarge { len } => {
                s.text("payload of ");
                s.decimal(*len as u64);
                s.text(" bytes is too large for the envelope");
            }
            SignedCatalogError::DigestWithoutSequence => s.text(
                "the last digest is given without the last sequence it was stored with: pass both (alone, the digest checks nothing)",
            ),
        }
    }
}

message_from_sink!(SignedCatalogError);

impl core::error::Error for SignedCatalogError {}

impl Registered for SignedCatalogError {
    fn registered(&self) -> Code {
        match self {
            SignedCatalogError::Malformed { .. } => codes::SIGNED_CATALOG_MALFORMED,
            SignedCatalogError::UnknownKey { .. } => codes::SIGNED_CATALOG_UNKNOWN_KEY,
            SignedCatalogError::BadSignature { .. } => codes::SIGNED_CATALOG_BAD_SIGNATURE,
            SignedCatalogError::Expired { .. } => codes::SIGNED_CATALOG_EXPIRED,
            SignedCatalogError::Rollback { .. } => codes::SIGNED_CATALOG_ROLLBACK,
            SignedCatalogError::SequenceReused { .. } => codes::SIGNED_CATALOG_SEQUENCE_REUSED,
            SignedCatalogError::ClockUnset => codes::SIGNED_CATALOG_CLOCK_UNSET,
            SignedCatalogError::ClockBehind { .. } => codes::SIGNED_CATALOG_CLOCK_BEHIND,
            SignedCatalogError::TooLarge { .. } => codes::SIGNED_CATALOG_TOO_LARGE,
            SignedCatalogError::DigestWithoutSequence => {
                codes::SIGNED_CATALOG_DIGEST_WITHOUT_SEQUENCE
            }
        }
    }
}

impl ErrorCode for SignedCatalogError {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

/// What the reader trusts: its keys, the last sequence it accepted (store it and pass it back),
/// and now.
#[derive(Debug, Clone, Copy)]
pub struct Trust<'a> {
    /// Keys allowed to sign catalogs.
    pub keys: &'a [PublicKey],
    /// Sequence of the last catalog accepted, if any.
    pub last_sequence: Option<u64>,
    /// [`Opened::digest`] of the last catalog accepted: an envelope with an equal sequence is
    /// accepted only when its digest is this one.
    pub last_digest: Option<Digest>,
    /// Now, Unix seconds (0 is refused: `signed_catalog.clock_unset`).
    pub now: u64,
}

/// A verified catalog envelope.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Opened<'a> {
    /// The sequence number (store it as the new `last_sequence`).
    pub sequence: u64,
    /// When it was signed, Unix seconds (format 2; `None` for format 1).
    pub issued: Option<u64>,
    /// Expiry, Unix seconds.
    pub expires: u64,
    /// The key that signed it.
    pub key_id: KeyId,
    /// SHA-256 of the signed bytes (store it as the new `last_digest`).
    pub digest: Digest,
    /// The catalog bytes, verified.
    pub payload: &'a [u8],
}

impl fmt::Debug for Opened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Opened")
            .field("sequence", &self.sequence)
            .field("issued", &self.issued)
            .field("expires", &self.expires)
            .field("key_id", &self.key_id)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

fn malformed(line: usize, reason: &'static str) -> SignedCatalogError {
    SignedCatalogError::Malformed { line, reason }
}

/// The parsed header and where the signature line sits.
struct Parsed<'a> {
    sequence: u64,
    issued: Option<u64>,
    expires: u64,
    key_id: KeyId,
    signature: &'a str,
    /// Byte range of the `signature ...\n` line in the envelope.
    sig_line: (usize, usize),
    payload: &'a [u8],
}

const FIELDS_V1: [&str; 5] = ["sequence", "expires", "key_id", "size", "signature"];
const FIELDS_V2: [&str; 6] = [
    "sequence",
    "issued",
    "expires",
    "key_id",
    "size",
    "signature",
];

/// `now` must be set (non-zero) and not below `floor` (the highest `issued` accepted).
pub(crate) fn check_clock(now: u64, floor: u64) -> Result<(), SignedCatalogError> {
    if now == 0 {
        return Err(SignedCatalogError::ClockUnset);
    }
    if now < floor {
        return Err(SignedCatalogError::ClockBehind { now, floor });
    }
    Ok(())
}

/// A sequence below the last is a rollback; an equal one must carry the same signed bytes.
pub(crate) fn check_sequence(
    sequence: u64,
    digest: &Digest,
    last: u64,
    last_digest: Option<&Digest>,
) -> Result<(), SignedCatalogError> {
    if sequence < last {
        return Err(SignedCatalogError::Rollback { sequence, last });
    }
    if sequence == last && last_digest != Some(digest) {
        return Err(SignedCatalogError::SequenceReused { sequence });
    }
    Ok(())
}

fn parse(envelope: &[u8]) -> Result<Parsed<'_>, SignedCatalogError> {
    // The header ends at the first empty line.
    let end = envelope
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or(malformed(0, "no empty line after the header"))?;
    if end + 1 > MAX_HEADER_LEN {
        return Err(malformed(0, "header longer than 1024 bytes"));
    }
    let header = envelope.get(..end + 1).ok_or(malformed(0, "truncated"))?; // with its final \n
    let payload = envelope.get(end + 2..).unwrap_or(&[]);
    let text = lines::ascii_text(header, MAX_HEADER_LEN).map_err(|(l, r)| malformed(l, r))?;
    let mut it = lines::split(text);
    let fields: &[&str] = match it.next() {
        Some(Ok(l)) if l.key == MAGIC && l.value == "2" => &FIELDS_V2,
        Some(Ok(l)) if l.key == MAGIC && l.value == "1" => &FIELDS_V1,
        _ => {
            return Err(malformed(
                1,
                detail!("first line is not `stepstone-signed-catalog 2` (or 1)"),
            ));
        }
    };
    let mut p = Parsed {
        sequence: 0,
        issued: None,
        expires: 0,
        key_id: KeyId([0; 32]),
        signature: "",
        sig_line: (0, 0),
        payload,
    };
    let mut size = 0u64;
    let mut offset = text.find('\n').map_or(0, |i| i + 1);
    let mut count = 0usize;
    for line in it {
        let line = line.map_err(|(l, r)| malformed(l, r))?;
        let len = line.key.len() + 1 + line.value.len() + 1;
        let expected = fields
            .get(count)
            .copied()
            .ok_or(malformed(line.number, "unexpected field after signature"))?;
        if line.key != expected {
            return Err(malformed(
                line.number,
                "fields must be sequence, issued (format 2), expires, key_id, size, signature, in order",
            ));
        }
        let (n, v) = (line.number, line.value);
        match expected {
            "sequence" => {
                p.sequence =
                    lines::decimal(v).ok_or(malformed(n, "sequence is not a decimal integer"))?
            }
            "issued" => {
                p.issued = Some(
                    lines::decimal(v).ok_or(malformed(n, "issued is not decimal Unix seconds"))?,
                )
            }
            "expires" => {
                p.expires =
                    lines::decimal(v).ok_or(malformed(n, "expires is not decimal Unix seconds"))?
            }
            "key_id" => {
                p.key_id = KeyId(
                    lines::hex32(v).ok_or(malformed(n, "key_id is not 64 lowercase hex digits"))?,
                )
            }
            "size" => {
                size = lines::decimal(v).ok_or(malformed(n, "size is not a decimal integer"))?
            }
            _ => {
                p.signature = v;
                p.sig_line = (offset, offset + len);
            }
        }
        offset += len;
        count += 1;
    }
    if count != fields.len() {
        return Err(malformed(
            0,
            "required fields missing (sequence, issued, expires, key_id, size, signature)",
        ));
    }
    if payload.len() as u64 != size {
        return Err(malformed(0, "payload length differs from size"));
    }
    Ok(p)
}

/// Opens a signed catalog: checks the trust (a `last_digest` needs the `last_sequence` it was
/// stored with: `signed_catalog.digest_without_sequence`), then format, key, signature, expiry
/// and sequence (in that order) and gives the verified payload.
///
/// ```
/// use stepstone::ErrorCode;
/// use stepstone::signed_catalog::{Trust, open};
/// let trust = Trust { keys: &[], last_sequence: None, last_digest: Some([0; 32]), now: 1 };
/// let e = open(b"whatever", &trust).unwrap_err();
/// assert_eq!(e.code(), "signed_catalog.digest_without_sequence");
/// ```
pub fn open<'a>(envelope: &'a [u8], trust: &Trust<'_>) -> Result<Opened<'a>, SignedCatalogError> {
    if trust.last_digest.is_some() && trust.last_sequence.is_none() {
        return Err(SignedCatalogError::DigestWithoutSequence);
    }
    let p = parse(envelope)?;
    let key = trust
        .keys
        .iter()
        .find(|k| k.key_id() == p.key_id)
        .ok_or(SignedCatalogError::UnknownKey { key_id: p.key_id })?;
    let bad = SignedCatalogError::BadSignature { key_id: p.key_id };
    let sig = Signature::parse(p.signature.as_bytes()).map_err(|_| bad)?;
    let (before, after) = (envelope.get(..p.sig_line.0), envelope.get(p.sig_line.1..));
    let (Some(before), Some(after)) = (before, after) else {
        return Err(bad);
    };
    let mut h = Sha256::new();
    h.update(before);
    h.update(after);
    let digest: [u8; 32] = h.finalize().into();
    key.verify_digest(&digest, &sig).map_err(|_| bad)?;
    check_clock(trust.now, 0)?;
    if trust.now >= p.expires {
        return Err(SignedCatalogError::Expired {
            expires: p.expires,
            now: trust.now,
        });
    }
    if let Some(last) = trust.last_sequence {
        check_sequence(p.sequence, &digest, last, trust.last_digest.as_ref())?;
    }
    Ok(Opened {
        sequence: p.sequence,
        issued: p.issued,
        expires: p.expires,
        key_id: p.key_id,
        digest,
        payload: p.payload,
    })
}

/// Wraps and signs catalog bytes in format 2 (feature `sign`): `issued` is when it is
/// signed (Unix seconds), the time floor devices without a clock keep.
#[cfg(feature = "sign")]
pub fn seal(
    catalog: &[u8],
    sequence: u64,
    issued: u64,
    expires: u64,
    key: &crate::signature::sign::SigningKey,
) -> Result<alloc::vec::Vec<u8>, crate::signature::SignatureError> {
    use crate::signature::SignatureFormat;
    let key_id = key.public_key().key_id();
    let header = alloc::format!(
        "{MAGIC} 2\nsequence {sequence}\nissued {issued}\nexpires {expires}\nkey_id {key_id}\nsize {}\n",
        catalog.len()
    );
    let mut h = Sha256::new();
    h.update(header.as_bytes());
    h.update(b"\n");
    h.update(catalog);
    let digest: [u8; 32] = h.finalize().into();
    let sig = key.sign_digest(&digest)?;
    let mut out = alloc::vec::Vec::with_capacity(header.len() + 160 + catalog.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(b"signature ");
    out.extend_from_slice(sig.encode(SignatureFormat::Hex).as_bytes());
    out.extend_from_slice(b"\n\n");
    out.extend_from_slice(catalog);
    Ok(out)
}

/// A key and envelope for doc examples (sequence 42, expires 1900000000).
#[doc(hidden)]
pub fn doc_example() -> (&'static [u8], &'static [u8]) {
    (crate::signature::doc_example().0, DOC_ENVELOPE)
}

const DOC_ENVELOPE: &[u8] = b"stepstone-signed-catalog 1\nsequence 42\nexpires 1900000000\nkey_id 8bebe36f07a8fe0419aecc8619bb5b75297e30243e3ceb0609bfc71dd22de78b\nsize 15\nsignature 3045022100fe43e4b098be4b844ed60cb9b243950e0642539083a865737674370085c094c702207a808c95d8550b887b68cbd79867ab7dc00c41457dd1c360bf5fca96b729b350\n\n{\"releases\":[]}";

#[cfg(all(test, feature = "sign"))]
mod tests {
    use super::*;
    use crate::signature::sign::SigningKey;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[5u8; 32]).unwrap()
    }

    #[test]
    fn seal_then_open_and_each_refusal() {
        let k = key();
        let env = seal(b"{\"releases\":[]}", 7, 500, 2_000, &k).unwrap();
        let keys = [k.public_key()];
        let first = Trust {
            keys: &keys,
            last_sequence: Some(6),
            last_digest: None,
            now: 1_000,
        };
        let o = open(&env, &first).unwrap();
        assert_eq!(
            (o.sequence, o.issued, o.expires, o.payload),
            (7, Some(500), 2_000, &b"{\"releases\":[]}"[..])
        );
        // The same bytes again: accepted; an equal sequence with other bytes, or with no last
        // digest to compare: refused.
        let trust = Trust {
            last_sequence: Some(7),
            last_digest: Some(o.digest),
            ..first
        };
        assert_eq!(open(&env, &trust).unwrap().digest, o.digest);
        let code = |env: &[u8], t: &Trust<'_>| open(env, t).unwrap_err().code();
        let twin = seal(b"{\"releases\":[ ]}", 7, 500, 2_000, &k).unwrap();
        assert_eq!(code(&twin, &trust), "signed_catalog.sequence_reused");
        assert_eq!(
            code(
                &env,
                &Trust {
                    last_digest: None,
                    ..trust
                }
            ),
            "signed_catalog.sequence_reused"
        );
        assert_eq!(
            code(&env, &Trust { now: 0, ..trust }),
            "signed_catalog.clock_unset"
        );
        assert_eq!(
            code(
                &env,
                &Trust {
                    last_sequence: Some(8),
                    ..trust
                }
            ),
            "signed_catalog.rollback"
        );
        assert_eq!(
            code(
                &env,
                &Trust {
                    now: 2_000,
                    ..trust
                }
            ),
            "signed_catalog.expired"
        );
        let other = [SigningKey::from_bytes(&[6u8; 32]).unwrap().public_key()];
        assert_eq!(
            code(
                &env,
                &Trust {
                    keys: &other,
                    ..trust
                }
            ),
            "signed_catalog.unknown_key"
        );
        let mut tampered = env.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(code(&tampered, &trust), "signed_catalog.bad_signature");
        let text = std::string::String::from_utf8(env.clone()).unwrap();
        let raised = text.replace("sequence 7\n", "sequence 9\n");
        assert_eq!(
            code(raised.as_bytes(), &trust),
            "signed_catalog.bad_signature"
        );
        let mut longer = env.clone();
        longer.push(b' ');
        assert_eq!(code(&longer, &trust), "signed_catalog.malformed");
        assert_eq!(code(b"", &trust), "signed_catalog.malformed");
    }
}

/// The messages of [`SignedCatalogError`], word for word those its `#[error(...)]` attributes
/// wrote before `write_message`.
#[cfg(all(test, feature = "std"))]
mod message_tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn before(e: &SignedCatalogError) -> String {
        let hex = |id: &KeyId| -> String { id.0.iter().map(|b| format!("{b:02x}")).collect() };
        match e {
            SignedCatalogError::Malformed { line, reason } => {
                format!("signed catalog header line {line}: {reason}")
            }
            SignedCatalogError::UnknownKey { key_id } => format!(
                "signed catalog is signed by key {}, which is not trusted",
                hex(key_id)
            ),
            SignedCatalogError::BadSignature { key_id } => format!(
                "signed catalog signature does not verify with key {}",
                hex(key_id)
            ),
            SignedCatalogError::Expired { expires, now } => {
                format!("signed catalog expired at {expires} (now is {now})")
            }
            SignedCatalogError::Rollback { sequence, last } => {
                format!("signed catalog sequence {sequence} is below the last accepted {last}")
            }
            SignedCatalogError::SequenceReused { sequence } => format!(
                "signed catalog sequence {sequence} equals the last accepted one but its signed bytes differ (or the last digest was not given)"
            ),
            SignedCatalogError::ClockUnset => {
                "now is 0 (clock not set): expiry cannot be checked".into()
            }
            SignedCatalogError::ClockBehind { now, floor } => format!(
                "now {now} is below the time floor {floor} (the newest catalog's issued time)"
            ),
            SignedCatalogError::TooLarge { len } => {
                format!("payload of {len} bytes is too large for the envelope")
            }
            SignedCatalogError::DigestWithoutSequence => "the last digest is given without the last sequence it was stored with: pass both (alone, the digest checks nothing)".into(),
        }
    }

    #[test]
    fn messages_are_the_texts_the_error_attributes_wrote() {
        let mut errors = Vec::new();
        for n in [0u64, 1, 42, u64::MAX] {
            let id = KeyId([n as u8; 32]);
            errors.extend([
                SignedCatalogError::Malformed {
                    line: n as usize,
                    reason: "expected `key value`",
                },
                SignedCatalogError::UnknownKey { key_id: id },
                SignedCatalogError::BadSignature { key_id: id },
                SignedCatalogError::Expired {
                    expires: n,
                    now: n.wrapping_add(1),
                },
                SignedCatalogError::Rollback {
                    sequence: n,
                    last: u64::MAX,
                },
                SignedCatalogError::SequenceReused { sequence: n },
                SignedCatalogError::ClockBehind { now: n, floor: 7 },
                SignedCatalogError::TooLarge { len: n as usize },
            ]);
        }
        errors.push(SignedCatalogError::ClockUnset);
        errors.push(SignedCatalogError::DigestWithoutSequence);
        // The refusals `open` gives.
        let (key, envelope) = doc_example();
        let key = PublicKey::parse(key).unwrap();
        for (keys, last_sequence, now) in [
            (&[][..], None, 1_800_000_000),
            (&[key][..], Some(43), 1_800_000_000),
            (&[key][..], Some(42), 1_800_000_000),
            (&[key][..], None, 0),
            (&[key][..], None, u64::MAX),
        ] {
            let trust = Trust {
                keys,
                last_sequence,
                last_digest: None,
                now,
            };
            errors.extend(open(envelope, &trust).err());
        }
        let trust = Trust {
            keys: &[key],
            last_sequence: None,
            last_digest: None,
            now: 1,
        };
        for cut in [0, 1, 30, envelope.len() - 1] {
            errors.extend(open(&envelope[..cut], &trust).err());
        }
        crate::error::assert_messages(&errors, 10, before);
    }
}
