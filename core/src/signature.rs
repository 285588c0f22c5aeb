//! Firmware signatures: ECDSA P-256 over SHA-256 of the image, verified without a heap.
//!
//! * [`PublicKey`]: a P-256 public key, read from PEM or DER SubjectPublicKeyInfo, or a SEC1
//!   point (compressed or not), or that point as hex ([`PublicKey::parse`] detects which).
//! * [`Signature`]: strict ASN.1 DER (what OpenSSL and cloud signers emit) or raw `r‖s`
//!   (64 bytes, IEEE P1363), or either as hex or base64 text ([`Signature::parse`] detects
//!   which). Malformed input is an error, never a panic.
//! * [`ImageHasher`]: SHA-256 over an image fed in chunks of any size (a device never holds the
//!   image); [`PublicKey::verify_digest`] then checks the signature over the 32-byte digest.
//!
//! Choices, as OpenSSL users expect them:
//! * Both `s` and `n - s` verify (OpenSSL and p256 accept high-S). So signature bytes are
//!   malleable: never use them as a dedup or replay key; use the image digest.
//! * An API that takes a digest takes exactly 32 bytes: p256's `verify_prehash` zero-pads a
//!   short digest (an empty digest would verify against a matching signature).
//! * DER is strict: BER lengths, missing or extra leading zeros, trailing bytes are refused.
//! * A key id is the SHA-256 of the uncompressed SEC1 point (`04‖X‖Y`, 65 bytes): RFC 7093
//!   method 1 without truncation. Manifests and signed catalogs name their key by it.
//!
//! Signing (feature `sign`) lives in [`sign`]: RFC 6979 deterministic signatures.
//!
//! Backends (the arithmetic only; parsing is stepstone's own in every build):
//! * portable, the default and the reference: `p256` and `sha2` (SHA-NI / ARMv8 SHA2 picked at
//!   run time). The only backend on the device, in WASM and off x86_64 / aarch64.
//! * `aws-lc` (feature, x86_64 and aarch64 hosts; ignored elsewhere): [`ImageHasher`],
//!   [`ImageVerifier`], [`sha256`] and [`PublicKey::verify_digest`] run on AWS-LC
//!   (aws-lc-rs). AWS-LC is handed only what stepstone has parsed and checked: the point as
//!   uncompressed SEC1, `(r, s)` as canonical DER, and exactly 32 digest bytes, so key formats,
//!   DER strictness, the digest-length rule and high-S acceptance are unchanged. The CLI
//!   enables it by default (verify about 2.8x faster here; p256 misses the issue's "within 2x of
//!   OpenSSL", AWS-LC beats OpenSSL); the Python wheel and the Node addon keep p256. Verdicts
//!   are the same on every Wycheproof, OpenSSL-interop and conformance vector and on fuzzed
//!   input (`core/tests/backend_differential.rs`, fuzz target `differential`). Signing stays
//!   on p256 in every build. Figures are in `docs/signatures.md`.
//!
//! ```
//! use stepstone::signature::{ImageHasher, PublicKey, Signature};
//! # let (key, sig) = stepstone::signature::doc_example();
//! let key = PublicKey::parse(key).unwrap();
//! let sig = Signature::parse(sig).unwrap();
//! let mut hasher = ImageHasher::new();
//! for chunk in b"firmware image bytes".chunks(3) {
//!     hasher.update(chunk);
//! }
//! assert!(key.verify_digest(&hasher.finish(), &sig).is_ok());
//! ```

mod backend;
pub(crate) mod blocks;
mod encoding;
mod key;
#[cfg(feature = "alloc")]
#[doc(hidden)]
pub mod pem;
mod shamir;
#[cfg(feature = "sign")]
pub mod sign;
mod strict_der;

use core::fmt;

use crate::error::{Code, ErrorCode, Registered, Sink, codes, message_from_sink};

pub use encoding::SignatureFormat;
#[cfg(feature = "alloc")]
pub(crate) use key::trim_ascii;
pub use key::{KeyFormat, KeyId};

/// A key or signature format name that is not one of the known ones
/// (`signature.unknown_format`), naming the value and the choices.
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} format {name:?}: expected {choices}")]
pub struct UnknownFormat {
    what: &'static str,
    name: alloc::string::String,
    choices: &'static str,
}

#[cfg(feature = "alloc")]
impl UnknownFormat {
    fn new(what: &'static str, name: &str, choices: &'static str) -> UnknownFormat {
        UnknownFormat {
            what,
            name: crate::error::clip(name),
            choices,
        }
    }
}

#[cfg(feature = "alloc")]
impl crate::ErrorCode for UnknownFormat {
    fn code(&self) -> &'static str {
        codes::SIGNATURE_UNKNOWN_FORMAT.as_str()
    }
}

/// Length of a SHA-256 digest, the only digest length any API here accepts.
pub const DIGEST_LEN: usize = 32;

/// A SHA-256 digest.
pub type Digest = [u8; DIGEST_LEN];

/// Why a key or signature was refused, or a signature did not verify.
///
/// `Display` and [`ErrorMessage::message`](crate::error::ErrorMessage::message) give the same
/// text; `message` builds it without `core::fmt` (the WASM verify module links none for it).
///
/// ```
/// use stepstone::error::ErrorMessage;
/// use stepstone::signature::SignatureError;
/// let e = SignatureError::DigestLength { len: 31 };
/// assert_eq!(e.message(), "digest of 31 bytes, expected exactly 32 (SHA-256)");
/// assert_eq!(e.to_string(), e.message());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The signature bytes are none of strict DER, raw `r‖s`, hex or base64 of either.
    Malformed {
        /// Length of the input.
        len: usize,
    },
    /// The signature is well formed but does not verify with the key over this digest.
    Invalid {
        /// The key that was tried.
        key_id: KeyId,
    },
    /// A digest that is not exactly 32 bytes.
    DigestLength {
        /// Length given.
        len: usize,
    },
    /// The public key could not be read.
    KeyMalformed {
        /// The form that was tried (`PEM SubjectPublicKeyInfo`, `SEC1 point`, ...).
        expected: &'static str,
        /// What was wrong.
        reason: &'static str,
    },
    /// A well-formed key for another algorithm or curve (only ECDSA P-256 is supported).
    KeyUnsupported {
        /// What was found instead.
        reason: &'static str,
    },
    /// A private key that could not be read (feature `sign`).
    PrivateKeyMalformed {
        /// The form that was tried.
        expected: &'static str,
        /// What was wrong.
        reason: &'static str,
    },
}

impl SignatureError {
    /// Writes the message piece by piece (`Display` and `message` both write it).
    fn write_message(&self, s: &mut impl Sink) {
        match self {
            SignatureError::Malformed { len } => {
                s.text("signature of ");
                s.decimal(*len as u64);
                s.text(
                    " bytes is neither strict DER, raw r||s (64 bytes), nor hex or base64 of either",
                );
            }
            SignatureError::Invalid { key_id } => {
                s.text("signature does not verify with key ");
                key_id.write_hex(s);
            }
            SignatureError::DigestLength { len } => {
                s.text("digest of ");
                s.decimal(*len as u64);
                s.text(" bytes, expected exactly 32 (SHA-256)");
            }
            SignatureError::KeyMalformed { expected, reason } => {
                s.text("public key is not ");
                s.text(expected);
                s.text(": ");
                s.text(reason);
            }
            SignatureError::KeyUnsupported { reason } => {
                s.text("public key is not an ECDSA P-256 key (");
                s.text(reason);
                s.text(")");
            }
            SignatureError::PrivateKeyMalformed { expected, reason } => {
                s.text("private key is not ");
                s.text(expected);
                s.text(": ");
                s.text(reason);
            }
        }
    }
}

message_from_sink!(SignatureError);

impl core::error::Error for SignatureError {}

impl Registered for SignatureError {
    fn registered(&self) -> Code {
        match self {
            SignatureError::Malformed { .. } => codes::SIGNATURE_MALFORMED,
            SignatureError::Invalid { .. } => codes::SIGNATURE_INVALID,
            SignatureError::DigestLength { .. } => codes::SIGNATURE_DIGEST_LENGTH,
            SignatureError::KeyMalformed { .. } => codes::SIGNATURE_KEY_MALFORMED,
            SignatureError::KeyUnsupported { .. } => codes::SIGNATURE_KEY_UNSUPPORTED,
            SignatureError::PrivateKeyMalformed { .. } => codes::SIGNATURE_PRIVATE_KEY_MALFORMED,
        }
    }
}

impl ErrorCode for SignatureError {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

/// A P-256 public key that verifies firmware signatures.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    inner: p256::ecdsa::VerifyingKey,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("key_id", &self.key_id())
            .finish()
    }
}

impl PublicKey {
    /// Wraps a p256 verifying key.
    pub fn from_p256(inner: p256::ecdsa::VerifyingKey) -> PublicKey {
        PublicKey { inner }
    }

    /// The p256 verifying key.
    pub fn as_p256(&self) -> &p256::ecdsa::VerifyingKey {
        &self.inner
    }

    /// The key's id: SHA-256 of its uncompressed SEC1 point (`04‖X‖Y`).
    pub fn key_id(&self) -> KeyId {
        KeyId(sha256(&self.to_sec1_uncompressed()))
    }

    /// The uncompressed SEC1 point (`04‖X‖Y`, 65 bytes).
    pub fn to_sec1_uncompressed(&self) -> [u8; 65] {
        use p256::elliptic_curve::point::AffineCoordinates;
        let point = self.inner.as_affine();
        let mut out = [0u8; 65];
        let (tag, xy) = out.split_at_mut(1);
        let (x, y) = xy.split_at_mut(32);
        tag.fill(4);
        x.copy_from_slice(&point.x());
        y.copy_from_slice(&point.y());
        out
    }

    /// Verifies `signature` over a SHA-256 `digest`, which must be exactly 32 bytes.
    ///
    /// Both S values verify (as in OpenSSL). On targets with no operating system
    /// (`target_os = "none"`, firmware) and in WASM the check runs on a smaller verifier with
    /// the same verdicts (Shamir's trick instead of wNAF; see the `shamir` module's source).
    pub fn verify_digest(
        &self,
        digest: &[u8],
        signature: &Signature,
    ) -> Result<(), SignatureError> {
        let digest: &Digest = digest
            .try_into()
            .map_err(|_| SignatureError::DigestLength { len: digest.len() })?;
        if backend::active::verify_digest(self, digest, signature) {
            Ok(())
        } else {
            Err(SignatureError::Invalid {
                key_id: self.key_id(),
            })
        }
    }

    /// Verifies `signature` over a whole message held in memory (hashes it with SHA-256).
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), SignatureError> {
        self.verify_digest(&sha256(message), signature)
    }
}

/// An ECDSA P-256 signature (the pair `r`, `s`, both in `[1, n)`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    inner: p256::ecdsa::Signature,
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = self.to_raw();
        f.write_str("Signature(")?;
        for b in raw {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl Signature {
    /// Wraps a p256 signature.
    pub fn from_p256(inner: p256::ecdsa::Signature) -> Signature {
        Signature { inner }
    }

    /// The p256 signature.
    pub fn as_p256(&self) -> &p256::ecdsa::Signature {
        &self.inner
    }

    /// Raw `r‖s`, 64 bytes big-endian (IEEE P1363).
    pub fn to_raw(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        let bytes = self.inner.to_bytes();
        if bytes.len() == out.len() {
            out.copy_from_slice(&bytes);
        }
        out
    }

    /// Whether `s` is in the upper half of the group order (a "high-S" signature). Such
    /// signatures verify; this only tells which of the two equivalent forms this one is.
    pub fn is_high_s(&self) -> bool {
        use p256::elliptic_curve::scalar::IsHigh;
        bool::from(self.inner.s().is_high())
    }
}

/// SHA-256 of a message held in memory.
pub fn sha256(message: &[u8]) -> Digest {
    backend::active::sha256(message)
}

/// SHA-256 over an image fed in chunks of any size, counting the bytes it saw.
///
/// Both backends use the CPU's SHA extensions (x86 SHA-NI, ARMv8 SHA2) where it has them: sha2
/// picks them at run time; AWS-LC (feature `aws-lc`) likewise.
#[derive(Clone, Default)]
pub struct ImageHasher {
    hasher: backend::active::Sha256,
    len: u64,
}

impl fmt::Debug for ImageHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImageHasher")
            .field("len", &self.len)
            .finish()
    }
}

impl ImageHasher {
    /// A hasher that has seen no bytes.
    pub fn new() -> ImageHasher {
        ImageHasher::default()
    }

    /// Feeds the next chunk of the image.
    pub fn update(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        self.len = self.len.saturating_add(chunk.len() as u64);
    }

    /// Bytes fed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no byte was fed yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The SHA-256 digest of every byte fed.
    pub fn finish(self) -> Digest {
        self.hasher.finish()
    }
}

/// [`ImageHasher`] that is always on the portable backend (sha2), whatever the features: the
/// state the device port keeps in caller-owned memory (plain data, nothing to drop, the same
/// on every build, including host builds where feature unification turns `aws-lc` on).
#[derive(Clone, Copy, Default)]
pub struct PortableImageHasher {
    blocks: blocks::Blocks,
}

impl fmt::Debug for PortableImageHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PortableImageHasher")
            .field("len", &self.blocks.len())
            .finish()
    }
}

impl PortableImageHasher {
    /// A hasher that has seen no bytes.
    pub fn new() -> PortableImageHasher {
        PortableImageHasher::default()
    }

    /// Feeds the next chunk of the image.
    pub fn update(&mut self, chunk: &[u8]) {
        self.blocks.update(chunk);
    }

    /// Bytes fed so far.
    pub fn len(&self) -> u64 {
        self.blocks.len()
    }

    /// Whether no byte was fed yet.
    pub fn is_empty(&self) -> bool {
        self.blocks.len() == 0
    }

    /// The SHA-256 digest of every byte fed (the hasher is plain data: `finish` takes a copy).
    pub fn finish(&self) -> Digest {
        self.blocks.finish()
    }
}

const _: () = assert!(!core::mem::needs_drop::<PortableImageHasher>());

/// Verifies a signature over an image fed in chunks: [`ImageHasher`] plus a key.
///
/// ```
/// use stepstone::signature::{ImageVerifier, PublicKey, Signature};
/// # let (key, sig) = stepstone::signature::doc_example();
/// let mut v = ImageVerifier::new(PublicKey::parse(key).unwrap());
/// v.update(b"firmware ");
/// v.update(b"image bytes");
/// assert!(v.finish(&Signature::parse(sig).unwrap()).is_ok());
/// ```
#[derive(Clone, Debug)]
pub struct ImageVerifier {
    key: PublicKey,
    hasher: ImageHasher,
}

impl ImageVerifier {
    /// Starts verifying an image against `key`.
    pub fn new(key: PublicKey) -> ImageVerifier {
        ImageVerifier {
            key,
            hasher: ImageHasher::new(),
        }
    }

    /// Feeds the next chunk of the image.
    pub fn update(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
    }

    /// Bytes fed so far.
    pub fn len(&self) -> u64 {
        self.hasher.len()
    }

    /// Whether no byte was fed yet.
    pub fn is_empty(&self) -> bool {
        self.hasher.is_empty()
    }

    /// Checks `signature` over every byte fed; gives the image digest when it verifies.
    pub fn finish(self, signature: &Signature) -> Result<Digest, SignatureError> {
        let digest = self.hasher.finish();
        self.key.verify_digest(&digest, signature)?;
        Ok(digest)
    }
}

/// Both backends side by side, for the differential tests, the `differential` fuzz target and
/// the benchmarks (feature `aws-lc`, x86_64 / aarch64 hosts). Not part of the stable API: the
/// public functions above use the active backend ([`differential::ACTIVE`]).
#[cfg(all(
    feature = "aws-lc",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
#[doc(hidden)]
pub mod differential {
    use super::backend::{aws_lc, portable};
    use super::{Digest, PublicKey, Signature, SignatureError};

    /// The backend the public API uses when this module exists.
    pub const ACTIVE: &str = "aws-lc";

    fn verify_with(
        verify: fn(&PublicKey, &Digest, &Signature) -> bool,
        key: &PublicKey,
        digest: &[u8],
        signature: &Signature,
    ) -> Result<(), SignatureError> {
        let digest: &Digest = digest
            .try_into()
            .map_err(|_| SignatureError::DigestLength { len: digest.len() })?;
        if verify(key, digest, signature) {
            Ok(())
        } else {
            Err(SignatureError::Invalid {
                key_id: key.key_id(),
            })
        }
    }

    /// [`PublicKey::verify_digest`] on the portable backend (p256).
    pub fn verify_digest_p256(
        key: &PublicKey,
        digest: &[u8],
        signature: &Signature,
    ) -> Result<(), SignatureError> {
        verify_with(portable::verify_digest, key, digest, signature)
    }

    /// [`PublicKey::verify_digest`] on the aws-lc backend.
    pub fn verify_digest_aws_lc(
        key: &PublicKey,
        digest: &[u8],
        signature: &Signature,
    ) -> Result<(), SignatureError> {
        verify_with(aws_lc::verify_digest, key, digest, signature)
    }

    /// [`super::sha256`] on the portable backend (sha2).
    pub fn sha256_p256(message: &[u8]) -> Digest {
        portable::sha256(message)
    }

    /// [`super::sha256`] on the aws-lc backend.
    pub fn sha256_aws_lc(message: &[u8]) -> Digest {
        aws_lc::sha256(message)
    }

    /// [`super::ImageHasher`] on the portable backend (sha2).
    #[derive(Clone, Default)]
    pub struct HasherP256(portable::Sha256);

    impl HasherP256 {
        /// Feeds a chunk.
        pub fn update(&mut self, chunk: &[u8]) {
            self.0.update(chunk);
        }
        /// The digest of every byte fed.
        pub fn finish(self) -> Digest {
            self.0.finish()
        }
    }

    /// [`super::ImageHasher`] on the aws-lc backend.
    #[derive(Clone, Default)]
    pub struct HasherAwsLc(aws_lc::Sha256);

    impl HasherAwsLc {
        /// Feeds a chunk.
        pub fn update(&mut self, chunk: &[u8]) {
            self.0.update(chunk);
        }
        /// The digest of every byte fed.
        pub fn finish(self) -> Digest {
            self.0.finish()
        }
    }

    /// AWS-LC's own verdict on undecoded bytes, with none of stepstone's parsing: `key` as DER
    /// SubjectPublicKeyInfo or a SEC1 point (AWS-LC's parser), `signature` as DER
    /// (`ECDSA_P256_SHA256_ASN1`) or, when `fixed`, 64-byte `r‖s` (`_FIXED`), `digest` any
    /// length (AWS-LC refuses all but 32). Shipped code never calls this; the differential
    /// checks use it to show that stepstone's parsing plus either backend accepts exactly what
    /// AWS-LC alone accepts.
    pub fn aws_lc_native_verify(key: &[u8], digest: &[u8], signature: &[u8], fixed: bool) -> bool {
        use aws_lc_rs::digest::{Digest as LcDigest, SHA256};
        use aws_lc_rs::signature::{
            ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_FIXED, UnparsedPublicKey,
        };
        let alg = if fixed {
            &ECDSA_P256_SHA256_FIXED
        } else {
            &ECDSA_P256_SHA256_ASN1
        };
        let Ok(digest) = LcDigest::import_less_safe(digest, &SHA256) else {
            return false;
        };
        UnparsedPublicKey::new(alg, key)
            .verify_digest(&digest, signature)
            .is_ok()
    }
}

/// A key and signature for doc examples: the signature of `b"firmware image bytes"`.
#[doc(hidden)]
pub fn doc_example() -> (&'static [u8], &'static [u8]) {
    (
        b"-----BEGIN PUBLIC KEY-----\n\
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEGksYV+gPnpYc1MN0qK/bGFfsCvqn\n\
xrf3HGSfA7XpZVeuOa9EuFm7sTYa61arKV809tnXUW6qptz+dHalk4k35Q==\n\
-----END PUBLIC KEY-----\n",
        b"3045022100d704b34f09dfd4e415d115ac33ad5f1ba842f98677489a01bb0858852659acab022078f4effbaede3608fde0562785421abb4264599fcaf66de4f38d271332703dfd",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_digest_is_refused_not_zero_padded() {
        let (key, _) = doc_example();
        let key = PublicKey::parse(key).unwrap();
        let sig = Signature::parse(&[1u8; 64]).unwrap();
        assert_eq!(
            key.verify_digest(&[], &sig),
            Err(SignatureError::DigestLength { len: 0 })
        );
        assert_eq!(
            key.verify_digest(&[0; 31], &sig),
            Err(SignatureError::DigestLength { len: 31 })
        );
        assert_eq!(
            key.verify_digest(&[0; 33], &sig),
            Err(SignatureError::DigestLength { len: 33 })
        );
    }

    #[test]
    fn public_types_are_send_and_sync_on_every_backend() {
        // Compile-time: the aws-lc backend's hasher must not take Send / Sync away.
        fn check<T: Send + Sync + Clone>() {}
        check::<ImageHasher>();
        check::<ImageVerifier>();
        check::<PublicKey>();
        check::<Signature>();
    }

    #[test]
    fn hasher_counts_and_matches_one_shot() {
        let data: [u8; 1000] = core::array::from_fn(|i| (i % 251) as u8);
        for chunk in [1usize, 7, 64, 999, 1000, 4096] {
            let mut h = ImageHasher::new();
            for c in data.chunks(chunk) {
                h.update(c);
            }
            assert_eq!(h.len(), 1000);
            assert_eq!(h.finish(), sha256(&data));
        }
    }
}

/// The examples in `docs/signatures.md` and `docs/manifest.md`, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/signatures.md")]
#[doc = include_str!("../../docs/manifest.md")]
pub struct SignatureDocs;

/// The messages of [`SignatureError`], word for word those its `#[error(...)]` attributes wrote
/// before `write_message`.
#[cfg(all(test, feature = "std"))]
mod message_tests {
    use super::*;
    use alloc::format;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    fn before(e: &SignatureError) -> String {
        match e {
            SignatureError::Malformed { len } => format!(
                "signature of {len} bytes is neither strict DER, raw r||s (64 bytes), nor hex or base64 of either"
            ),
            SignatureError::Invalid { key_id } => format!(
                "signature does not verify with key {}",
                key_id
                    .0
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            ),
            SignatureError::DigestLength { len } => {
                format!("digest of {len} bytes, expected exactly 32 (SHA-256)")
            }
            SignatureError::KeyMalformed { expected, reason } => {
                format!("public key is not {expected}: {reason}")
            }
            SignatureError::KeyUnsupported { reason } => {
                format!("public key is not an ECDSA P-256 key ({reason})")
            }
            SignatureError::PrivateKeyMalformed { expected, reason } => {
                format!("private key is not {expected}: {reason}")
            }
        }
    }

    /// Every variant, at its corners, and every refusal the readers give for the vectors'
    /// broken keys and signatures.
    fn every_error() -> Vec<SignatureError> {
        let mut errors = Vec::new();
        for len in [0, 1, 64, usize::MAX] {
            errors.push(SignatureError::Malformed { len });
            errors.push(SignatureError::DigestLength { len });
        }
        for id in [
            [0u8; 32],
            [0xff; 32],
            core::array::from_fn(|i| (i * 7) as u8),
        ] {
            errors.push(SignatureError::Invalid { key_id: KeyId(id) });
        }
        errors.push(SignatureError::PrivateKeyMalformed {
            expected: "PEM",
            reason: "",
        });
        let (pem, sig) = doc_example();
        let key = PublicKey::parse(pem).unwrap();
        let sig = Signature::parse(sig).unwrap();
        errors.extend(key.verify(b"other bytes", &sig).err());
        errors.extend(key.verify_digest(&[0; 31], &sig).err());
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../tests/vectors/signature.json")).unwrap();
        for v in vectors["vectors"].as_array().unwrap() {
            let bytes = |name: &str| -> Vec<u8> {
                let hex = v[name].as_str().unwrap_or("");
                (0..hex.len() / 2)
                    .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                    .collect()
            };
            errors.extend(PublicKey::parse(&bytes("key")).err());
            errors.extend(Signature::parse(&bytes("signature")).err());
        }
        for bad in [
            &b""[..],
            b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
            b"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n",
            b"-----BEGIN EC PARAMETERS-----\nMAA=\n-----END EC PARAMETERS-----\n",
            b"-----BEGIN X-----\nMAA=\n-----END X-----\n",
            b"-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----\n",
            &[4u8; 65],
            &[2u8; 33],
            &[0x30, 0],
            b"abc",
            b"zz",
        ] {
            errors.extend(PublicKey::parse(bad).err());
            errors.extend(PublicKey::parse_uncompressed(bad).err());
        }
        errors
    }

    #[test]
    fn messages_are_the_texts_the_error_attributes_wrote() {
        let errors = every_error();
        crate::error::assert_messages(&errors, 6, before);
    }

    #[test]
    fn key_ids_display_as_format_wrote_them() {
        let id = KeyId(core::array::from_fn(|i| (i * 37) as u8));
        let by_format: String = id.0.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(id.to_string(), by_format);
        assert_eq!(format!("{id:?}"), format!("KeyId({by_format})"));
    }
}
