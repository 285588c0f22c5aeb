//! Signature encodings: strict DER, raw `r‖s`, and hex or base64 text of either. Heap-free.
//!
//! Detection order in [`Signature::parse_detect`] (first that fits wins):
//! 1. strict ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` (binary);
//! 2. exactly 64 bytes: raw `r‖s` (IEEE P1363), both big-endian;
//! 3. text (ASCII, whitespace and line breaks ignored): hex if every character is a hex digit,
//!    else base64 (standard alphabet, padded or not); the decoded bytes must then be DER or 64
//!    raw bytes.
//!
//! A binary 64-byte raw signature that is also strict DER would be read as DER; that needs the
//! bytes `30 3e 02 ..` with exactly nested lengths, which a uniformly random `r` hits with
//! probability below 2^-40, and even then both readings are checked by the same key.

use base64ct::{Base64, Encoding};

use super::key::trim_ascii;
use super::{Signature, SignatureError, strict_der};

/// Longest text accepted for a signature (base64 of 72 DER bytes is 96 characters, hex 144).
const MAX_TEXT: usize = 512;
/// Longest DER ECDSA P-256 signature: 2 + 2 * (2 + 33).
const MAX_DER: usize = 72;

/// How a signature is (or was) encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureFormat {
    /// Binary strict ASN.1 DER (`openssl dgst -sign` output).
    Der,
    /// Binary raw `r‖s`, 64 bytes.
    Raw,
    /// Lowercase hex of the DER form.
    Hex,
    /// Standard padded base64 of the DER form (`openssl dgst -sign | base64`).
    Base64,
    /// Lowercase hex of raw `r‖s` (128 digits).
    HexRaw,
    /// Standard padded base64 of raw `r‖s` (88 characters).
    Base64Raw,
}

impl SignatureFormat {
    /// Every format, in the order the error message lists them.
    pub const ALL: [SignatureFormat; 6] = [
        SignatureFormat::Der,
        SignatureFormat::Raw,
        SignatureFormat::Hex,
        SignatureFormat::Base64,
        SignatureFormat::HexRaw,
        SignatureFormat::Base64Raw,
    ];

    /// The format's name as the CLI spells it (`der`, `raw`, `hex`, `base64`, `hex-raw`,
    /// `base64-raw`).
    pub const fn name(self) -> &'static str {
        match self {
            SignatureFormat::Der => "der",
            SignatureFormat::Raw => "raw",
            SignatureFormat::Hex => "hex",
            SignatureFormat::Base64 => "base64",
            SignatureFormat::HexRaw => "hex-raw",
            SignatureFormat::Base64Raw => "base64-raw",
        }
    }
}

/// A format by name (`signature.unknown_format` for any other).
///
/// ```
/// use stepstone::signature::SignatureFormat;
/// use stepstone::ErrorCode;
/// assert_eq!("hex-raw".parse::<SignatureFormat>().unwrap(), SignatureFormat::HexRaw);
/// let e = "pem".parse::<SignatureFormat>().unwrap_err();
/// assert_eq!((e.code(), e.to_string().as_str()), ("signature.unknown_format",
///     "unknown signature format \"pem\": expected der, raw, hex, base64, hex-raw or base64-raw"));
/// ```
#[cfg(feature = "alloc")]
impl core::str::FromStr for SignatureFormat {
    type Err = super::UnknownFormat;
    fn from_str(s: &str) -> Result<SignatureFormat, super::UnknownFormat> {
        SignatureFormat::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                super::UnknownFormat::new(
                    "signature",
                    s,
                    "der, raw, hex, base64, hex-raw or base64-raw",
                )
            })
    }
}

/// Encoded signature bytes, held without a heap (at most 144 bytes: hex of 72 DER bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EncodedSignature {
    buf: [u8; 2 * MAX_DER],
    len: usize,
}

impl core::fmt::Debug for EncodedSignature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "EncodedSignature({:02x?})", self.as_bytes())
    }
}

impl EncodedSignature {
    fn from_slice(bytes: &[u8]) -> EncodedSignature {
        let mut buf = [0u8; 2 * MAX_DER];
        let len = bytes.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..len), bytes.get(..len)) {
            dst.copy_from_slice(src);
        }
        EncodedSignature { buf, len }
    }

    /// The encoded bytes (text forms are ASCII, with no trailing newline).
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

fn malformed(len: usize) -> SignatureError {
    SignatureError::Malformed { len }
}

/// DER (this crate's strict reader, [`Signature::from_der`]), else 64 raw bytes.
fn from_binary(bytes: &[u8]) -> Option<(Signature, SignatureFormat)> {
    if let Ok(sig) = Signature::from_der(bytes) {
        return Some((sig, SignatureFormat::Der));
    }
    Signature::from_raw(bytes)
        .ok()
        .map(|s| (s, SignatureFormat::Raw))
}

impl Signature {
    /// Reads a strict ASN.1 DER signature. Refuses BER lengths, non-minimal or negative
    /// integers, zero or out-of-range `r`/`s` (`≥ n`), and trailing bytes.
    ///
    /// Read by this crate's own small strict DER reader, not the RustCrypto `der` crate (about
    /// 9 KB of Cortex-M flash, 3 KB of WASM code). It accepts exactly what p256's
    /// `ecdsa::Signature::from_der` accepts: `core/tests/strict_der.rs` (Wycheproof's valid and
    /// invalid DER and every one-byte mutation of them) and the `signature` fuzz target compare
    /// the two.
    pub fn from_der(der: &[u8]) -> Result<Signature, SignatureError> {
        let raw = strict_der::ecdsa_signature(der).ok_or(malformed(der.len()))?;
        p256::ecdsa::Signature::from_slice(&raw)
            .map(Signature::from_p256)
            .map_err(|_| malformed(der.len()))
    }

    /// Reads raw `r‖s`: exactly 64 bytes, both in `[1, n)`.
    pub fn from_raw(raw: &[u8]) -> Result<Signature, SignatureError> {
        if raw.len() != 64 {
            return Err(malformed(raw.len()));
        }
        p256::ecdsa::Signature::from_slice(raw)
            .map(Signature::from_p256)
            .map_err(|_| malformed(raw.len()))
    }

    /// Reads a signature in any supported encoding and says which it was (see the module docs
    /// for the detection order).
    pub fn parse_detect(bytes: &[u8]) -> Result<(Signature, SignatureFormat), SignatureError> {
        if let Ok(sig) = Signature::from_der(bytes) {
            return Ok((sig, SignatureFormat::Der));
        }
        // 64 bytes that are all base64 or hex characters are text first (base64 of a 48-byte
        // DER signature is 64 characters; found by fuzzing): a random raw signature is all
        // such characters with probability 2^-128. Raw only if they do not decode.
        let all_text = bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        if bytes.len() == 64
            && all_text
            && let Ok(found) = parse_text(bytes)
        {
            return Ok(found);
        }
        if let Some(found) = from_binary(bytes) {
            return Ok(found);
        }
        parse_text(bytes)
    }
}

fn parse_text(bytes: &[u8]) -> Result<(Signature, SignatureFormat), SignatureError> {
    let text = trim_ascii(bytes);
    if text.is_empty()
        || !text
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        return Err(malformed(bytes.len()));
    }
    // Drop inner whitespace (base64 from `openssl base64` is wrapped at 64 columns).
    let mut compact = [0u8; MAX_TEXT];
    let mut n = 0usize;
    for &b in text.iter().filter(|b| !b.is_ascii_whitespace()) {
        let slot = compact.get_mut(n).ok_or(malformed(bytes.len()))?;
        *slot = b;
        n += 1;
    }
    let compact = compact.get(..n).unwrap_or(&[]);
    let mut decoded = [0u8; MAX_TEXT];
    if compact.iter().all(u8::is_ascii_hexdigit) {
        let raw =
            base16ct::mixed::decode(compact, &mut decoded).map_err(|_| malformed(bytes.len()))?;
        return match from_binary(raw) {
            Some((sig, SignatureFormat::Raw)) => Ok((sig, SignatureFormat::HexRaw)),
            Some((sig, _)) => Ok((sig, SignatureFormat::Hex)),
            None => Err(malformed(bytes.len())),
        };
    }
    let raw = match Base64::decode(compact, &mut decoded) {
        Ok(raw) => raw,
        Err(_) => unpadded_base64(compact, &mut decoded).ok_or(malformed(bytes.len()))?,
    };
    match from_binary(raw) {
        Some((sig, SignatureFormat::Raw)) => Ok((sig, SignatureFormat::Base64Raw)),
        Some((sig, _)) => Ok((sig, SignatureFormat::Base64)),
        None => Err(malformed(bytes.len())),
    }
}

/// What `Base64Unpadded::decode` gives, through the padded decoder alone (the PEM reader uses
/// only that one, so the module links one base64 decoder): text with no `=` is padded with `=`
/// to a multiple of 4 characters and decoded. The two agree on every input (`tests`): the
/// padded decoder then strips exactly the padding added and checks the same characters and the
/// same unused bits of the last block.
fn unpadded_base64<'o>(text: &[u8], out: &'o mut [u8]) -> Option<&'o [u8]> {
    if text.contains(&b'=') {
        return None;
    }
    let mut padded = [b'='; MAX_TEXT + 3];
    padded.get_mut(..text.len())?.copy_from_slice(text);
    let len = text.len().div_ceil(4) * 4;
    Base64::decode(padded.get(..len)?, out).ok()
}

impl Signature {
    /// Reads a binary signature only: strict DER, else exactly 64 bytes of raw `r‖s`. No text
    /// forms (hex, base64) and no detection of them: what the device port reads, with no
    /// base64 or hex decoder linked in. For binary input it answers as [`Signature::parse`]
    /// does, except for 64 bytes that are also base64 or hex text of a signature, which `parse`
    /// reads as text and this reads as raw.
    ///
    /// ```
    /// use stepstone::signature::{Signature, SignatureFormat};
    /// let (_, hex) = stepstone::signature::doc_example();
    /// let sig = Signature::parse(hex).unwrap();
    /// let der = sig.encode(SignatureFormat::Der);
    /// assert_eq!(Signature::parse_binary(der.as_bytes()).unwrap(), sig);
    /// assert_eq!(Signature::parse_binary(&sig.to_raw()).unwrap(), sig);
    /// assert!(Signature::parse_binary(hex).is_err());
    /// ```
    pub fn parse_binary(bytes: &[u8]) -> Result<Signature, SignatureError> {
        from_binary(bytes)
            .map(|(s, _)| s)
            .ok_or(malformed(bytes.len()))
    }

    /// Reads a signature in any supported encoding (DER, raw, hex or base64 of either).
    ///
    /// ```
    /// use stepstone::signature::{Signature, SignatureFormat};
    /// let (_, hex) = stepstone::signature::doc_example();
    /// let (sig, format) = Signature::parse_detect(hex).unwrap();
    /// assert_eq!(format, SignatureFormat::Hex);
    /// let der = sig.encode(SignatureFormat::Der);
    /// assert_eq!(Signature::parse_detect(der.as_bytes()).unwrap(), (sig, SignatureFormat::Der));
    /// assert!(Signature::parse(b"not a signature").is_err());
    /// ```
    pub fn parse(bytes: &[u8]) -> Result<Signature, SignatureError> {
        Signature::parse_detect(bytes).map(|(s, _)| s)
    }

    /// The signature encoded as `format` (text forms have no trailing newline).
    pub fn encode(&self, format: SignatureFormat) -> EncodedSignature {
        let der = self.inner.to_der();
        let raw = self.to_raw();
        let mut out = [0u8; 2 * MAX_DER];
        let text: &[u8] = match format {
            SignatureFormat::Der => der.as_bytes(),
            SignatureFormat::Raw => &raw,
            SignatureFormat::Hex => {
                base16ct::lower::encode(der.as_bytes(), &mut out).unwrap_or(&[])
            }
            SignatureFormat::HexRaw => base16ct::lower::encode(&raw, &mut out).unwrap_or(&[]),
            SignatureFormat::Base64 => Base64::encode(der.as_bytes(), &mut out)
                .map(str::as_bytes)
                .unwrap_or(&[]),
            SignatureFormat::Base64Raw => Base64::encode(&raw, &mut out)
                .map(str::as_bytes)
                .unwrap_or(&[]),
        };
        EncodedSignature::from_slice(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn sig() -> Signature {
        Signature::parse(super::super::doc_example().1).unwrap()
    }

    #[test]
    fn every_format_round_trips() {
        let s = sig();
        for f in [
            SignatureFormat::Der,
            SignatureFormat::Raw,
            SignatureFormat::Hex,
            SignatureFormat::Base64,
            SignatureFormat::HexRaw,
            SignatureFormat::Base64Raw,
        ] {
            let enc = s.encode(f);
            assert_eq!(
                Signature::parse_detect(enc.as_bytes()).unwrap(),
                (s, f),
                "{f:?}"
            );
        }
    }

    #[test]
    fn text_with_newlines_and_upper_case_hex_is_read() {
        let s = sig();
        let b64 = s.encode(SignatureFormat::Base64);
        let (a, b) = b64.as_bytes().split_at(40);
        let mut wrapped = [0u8; 200];
        wrapped[..40].copy_from_slice(a);
        wrapped[40] = b'\n';
        wrapped[41..41 + b.len()].copy_from_slice(b);
        wrapped[41 + b.len()] = b'\n';
        assert_eq!(Signature::parse(&wrapped[..42 + b.len()]).unwrap(), s);
        let hex = s.encode(SignatureFormat::HexRaw);
        let mut upper = [0u8; 128];
        upper.copy_from_slice(hex.as_bytes());
        upper.make_ascii_uppercase();
        assert_eq!(Signature::parse(&upper).unwrap(), s);
    }

    #[test]
    fn malformed_signatures_are_errors() {
        let s = sig();
        let der = s.encode(SignatureFormat::Der);
        let der = der.as_bytes();
        // trailing byte
        let mut extended = [0u8; 80];
        extended[..der.len()].copy_from_slice(der);
        assert_eq!(
            Signature::parse(&extended[..der.len() + 1])
                .unwrap_err()
                .code(),
            "signature.malformed"
        );
        // truncated
        assert!(Signature::parse(&der[..der.len() - 1]).is_err());
        // zero r / s in raw form
        let mut raw = s.to_raw();
        raw[..32].fill(0);
        assert!(Signature::parse(&raw).is_err());
        let mut raw = s.to_raw();
        raw[32..].fill(0);
        assert!(Signature::parse(&raw).is_err());
        // r >= n
        let mut raw = s.to_raw();
        raw[..32].fill(0xff);
        assert!(Signature::parse(&raw).is_err());
        assert!(Signature::parse(b"").is_err());
        assert!(Signature::parse(&[0xffu8; 10_000]).is_err());
        assert!(Signature::parse("é".as_bytes()).is_err());
    }

    #[test]
    fn unpadded_base64_is_base64cts() {
        use base64ct::Base64Unpadded;
        // Every text of up to 5 characters over letters that decode to set and unset low bits,
        // `+`, `/`, `=` and characters outside the alphabet; then longer texts.
        let alphabet = b"AQBgw+/=.";
        let mut texts: alloc::vec::Vec<alloc::vec::Vec<u8>> = alloc::vec![alloc::vec::Vec::new()];
        let mut last = texts.clone();
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|t| {
                    alphabet.iter().map(move |&c| {
                        let mut t = t.clone();
                        t.push(c);
                        t
                    })
                })
                .collect();
            texts.extend(last.iter().cloned());
        }
        let sig = sig().encode(SignatureFormat::Base64Raw);
        let body = sig.as_bytes().strip_suffix(b"=").unwrap();
        for cut in 0..body.len() {
            texts.push(body[..cut].to_vec());
        }
        texts.push(alloc::vec![b'A'; MAX_TEXT]);
        for t in &texts {
            let (mut a, mut b) = ([0u8; MAX_TEXT], [0u8; MAX_TEXT]);
            assert_eq!(
                unpadded_base64(t, &mut a),
                Base64Unpadded::decode(t, &mut b).ok(),
                "{:?}",
                core::str::from_utf8(t)
            );
        }
    }

    #[test]
    fn fuzz_regression_base64_of_48_byte_der_is_64_chars() {
        // Found by `cargo fuzz run signature`: a signature with a small s has a 48-byte DER
        // form whose base64 is 64 characters, which was read back as raw r||s.
        let crash = include_bytes!("../../tests/regressions/signature-base64-64-chars.bin");
        let sig = Signature::parse(crash).unwrap();
        for f in [
            SignatureFormat::Der,
            SignatureFormat::Raw,
            SignatureFormat::Hex,
            SignatureFormat::Base64,
        ] {
            assert_eq!(
                Signature::parse(sig.encode(f).as_bytes()).unwrap(),
                sig,
                "{f:?}"
            );
        }
        assert_eq!(sig.encode(SignatureFormat::Base64).as_bytes().len(), 64);
    }
}
