//! Signing (feature `sign`): RFC 6979 deterministic ECDSA P-256 / SHA-256, for the cloud
//! signer and tests. The same key and image always give the same signature. Signatures are
//! normalised to low-S (`s ≤ n/2`): still deterministic, and accepted by verifiers that insist
//! on low-S as well as by OpenSSL (which accepts both).
//!
//! Core has no randomness: a new key comes from 32 bytes the caller draws from the operating
//! system ([`SigningKey::from_bytes`]); the CLI's `keygen` does that.
//!
//! Secrets are wiped (the `zeroize` crate): the scalar lives in p256's `SigningKey`, which
//! zeroizes it on drop (so [`SigningKey`] is [`ZeroizeOnDrop`], clones included); the DER
//! decoded from a PEM key is read into a buffer wiped on drop; [`SigningKey::to_pkcs8_pem`] and
//! [`SigningKey::to_bytes`] return [`Zeroizing`] values. What the caller passes in (the bytes
//! of a key file, a seed) is the caller's to wipe, and copies made on the stack inside p256's
//! arithmetic, by the allocator or by the operating system (swap, core dumps) are not reached.
//!
//! ```
//! use stepstone::signature::sign::SigningKey;
//! use stepstone::signature::{sha256, SignatureFormat};
//! let key = SigningKey::from_bytes(&[7u8; 32]).unwrap();
//! let a = key.sign_digest(&sha256(b"image")).unwrap();
//! let b = key.sign(b"image").unwrap();
//! assert_eq!(a, b); // deterministic
//! assert!(key.public_key().verify(b"image", &a).is_ok());
//! let pem = key.to_pkcs8_pem();
//! assert_eq!(SigningKey::parse(pem.as_bytes()).unwrap().public_key(), key.public_key());
//! let _hex = a.encode(SignatureFormat::Hex);
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use zeroize::Zeroize as _;
pub use zeroize::{ZeroizeOnDrop, Zeroizing};

use super::key::trim_ascii;
use super::{DIGEST_LEN, PublicKey, Signature, SignatureError};

/// A P-256 private key that signs firmware, manifests and catalogs.
#[derive(Clone)]
pub struct SigningKey {
    inner: p256::ecdsa::SigningKey,
}

// The only field is p256's SigningKey, which zeroizes its scalar on drop.
impl ZeroizeOnDrop for SigningKey {}

/// Largest DER private key read from PEM (a P-256 PKCS#8 key is 138 bytes, SEC1 121).
const MAX_PRIVATE_KEY_DER: usize = 512;

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.public_key().key_id())
            .finish_non_exhaustive()
    }
}

fn private_malformed(expected: &'static str, reason: &'static str) -> SignatureError {
    SignatureError::PrivateKeyMalformed { expected, reason }
}

/// Finds the PEM block with `label` in text that may hold several (`openssl ecparam -genkey`
/// writes `EC PARAMETERS` before `EC PRIVATE KEY`).
fn pem_block<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    let begin = alloc::format!("-----BEGIN {label}-----");
    let end = alloc::format!("-----END {label}-----");
    let start = text.find(&begin)?;
    let rest = text.get(start..)?;
    let stop = rest.find(&end)? + end.len();
    rest.get(..stop)
}

/// Decodes the PEM `block` into `buf` if its label is `label`.
fn decode_pem<'a>(block: &str, label: &str, buf: &'a mut [u8]) -> Option<&'a [u8]> {
    match pem_rfc7468::decode(block.as_bytes(), buf) {
        Ok((found, der)) if found == label => Some(der),
        _ => None,
    }
}

impl SigningKey {
    /// A key from its 32-byte big-endian scalar (must be in `[1, n)`).
    pub fn from_bytes(scalar: &[u8; 32]) -> Result<SigningKey, SignatureError> {
        p256::ecdsa::SigningKey::from_slice(scalar)
            .map(|inner| SigningKey { inner })
            .map_err(|_| private_malformed("a P-256 scalar", "zero or not below the group order"))
    }

    /// Reads a private key: PEM `PRIVATE KEY` (PKCS#8, `openssl genpkey`), PEM `EC PRIVATE KEY`
    /// (SEC1, `openssl ecparam -genkey`, other PEM blocks around it ignored), or either as DER.
    /// Encrypted keys are refused.
    pub fn parse(bytes: &[u8]) -> Result<SigningKey, SignatureError> {
        let text = trim_ascii(bytes);
        let secret = if text.starts_with(b"-----BEGIN") {
            let text = core::str::from_utf8(text)
                .map_err(|_| private_malformed("PEM", "not ASCII text"))?;
            // The PEM is decoded here into a buffer wiped on drop: p256's `from_sec1_pem`
            // decodes into a plain Vec that is freed unwiped.
            let mut der = Zeroizing::new([0u8; MAX_PRIVATE_KEY_DER]);
            if let Some(block) = pem_block(text, "PRIVATE KEY") {
                let bad = || private_malformed("PEM PKCS#8", "not an unencrypted P-256 PKCS#8 key");
                let der = decode_pem(block, "PRIVATE KEY", &mut der[..]).ok_or_else(bad)?;
                p256::SecretKey::from_pkcs8_der(der).map_err(|_| bad())?
            } else if let Some(block) = pem_block(text, "EC PRIVATE KEY") {
                let bad = || private_malformed("PEM SEC1", "not a P-256 EC PRIVATE KEY");
                let der = decode_pem(block, "EC PRIVATE KEY", &mut der[..]).ok_or_else(bad)?;
                p256::SecretKey::from_sec1_der(der).map_err(|_| bad())?
            } else if text.contains("ENCRYPTED PRIVATE KEY") {
                return Err(private_malformed(
                    "an unencrypted key",
                    "the key is encrypted; decrypt it with openssl pkey first",
                ));
            } else {
                return Err(private_malformed(
                    "PEM",
                    "no PRIVATE KEY or EC PRIVATE KEY block",
                ));
            }
        } else {
            p256::SecretKey::from_pkcs8_der(bytes)
                .or_else(|_| p256::SecretKey::from_sec1_der(bytes))
                .map_err(|_| private_malformed("DER PKCS#8 or SEC1", "not a P-256 private key"))?
        };
        // `secret` (a SecretKey) zeroizes itself when dropped here.
        Ok(SigningKey {
            inner: (&secret).into(),
        })
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_p256(*self.inner.verifying_key())
    }

    /// Signs a SHA-256 digest (exactly 32 bytes) with RFC 6979; the signature is low-S.
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Signature, SignatureError> {
        if digest.len() != DIGEST_LEN {
            return Err(SignatureError::DigestLength { len: digest.len() });
        }
        self.inner
            .sign_prehash(digest)
            .map(|sig: p256::ecdsa::Signature| Signature::from_p256(sig.normalize_s()))
            .map_err(|_| SignatureError::DigestLength { len: digest.len() })
    }

    /// Signs a whole message held in memory (SHA-256, RFC 6979).
    pub fn sign(&self, message: &[u8]) -> Result<Signature, SignatureError> {
        self.sign_digest(&super::sha256(message))
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as `openssl genpkey`
    /// writes it; the text is wiped when the value is dropped (copy it out only into memory
    /// you wipe too).
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        // Both the SecretKey and p256's DER document are wiped on drop.
        let secret = p256::SecretKey::from(self.inner.as_nonzero_scalar());
        secret
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap_or_else(|_| Zeroizing::new(String::new()))
    }

    /// The 32-byte scalar (keep it secret), wiped when the value is dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut field_bytes = self.inner.to_bytes();
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&field_bytes);
        field_bytes.zeroize();
        out
    }
}

impl PublicKey {
    /// The key as PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`), as
    /// `openssl pkey -pubout` writes it (feature `sign`).
    pub fn to_spki_pem(&self) -> String {
        p256::PublicKey::from(self.inner)
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    /// The key as DER SubjectPublicKeyInfo (feature `sign`).
    pub fn to_spki_der(&self) -> Vec<u8> {
        p256::PublicKey::from(self.inner)
            .to_public_key_der()
            .map(|d| d.to_vec())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn rfc6979_is_deterministic_and_low_s() {
        let key = SigningKey::from_bytes(&[9u8; 32]).unwrap();
        for i in 0..20u8 {
            let msg = [i; 100];
            let a = key.sign(&msg).unwrap();
            assert_eq!(a, key.sign(&msg).unwrap());
            assert!(!a.is_high_s());
            key.public_key().verify(&msg, &a).unwrap();
        }
    }

    #[test]
    fn rfc6979_matches_the_rfc_vector() {
        // RFC 6979 A.2.5, P-256 with SHA-256, message "sample".
        let d: [u8; 32] = hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
        let key = SigningKey::from_bytes(&d).unwrap();
        let sig = key.sign(b"sample").unwrap();
        let r = hex::<32>("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716");
        let s = hex::<32>("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
        let raw = sig.to_raw();
        assert_eq!(&raw[..32], &r);
        // The RFC's s is high; stepstone signs low-S, so it gives n - s (both verify).
        let rfc = p256::ecdsa::Signature::from_scalars(r, s).unwrap();
        let high = Signature::from_p256(rfc);
        assert!(high.is_high_s());
        assert_eq!(sig, Signature::from_p256(rfc.normalize_s()));
        key.public_key().verify(b"sample", &high).unwrap();
    }

    fn hex<const N: usize>(s: &str) -> [u8; N] {
        let mut out = [0u8; N];
        base16ct::mixed::decode(s, &mut out).unwrap();
        out
    }

    /// Compile-time: the types that hold secrets wipe them.
    #[test]
    fn secrets_are_held_in_zeroizing_types() {
        fn zeroize_on_drop<T: ZeroizeOnDrop>(_: &T) {}
        fn is<T>(_: &T) {}
        let key = SigningKey::from_bytes(&[5u8; 32]).unwrap();
        zeroize_on_drop(&key);
        zeroize_on_drop(&key.inner);
        zeroize_on_drop(&key.to_pkcs8_pem());
        is::<Zeroizing<String>>(&key.to_pkcs8_pem());
        is::<Zeroizing<[u8; 32]>>(&key.to_bytes());
        // And at run time: wiping clears what they hold (Drop calls the same `zeroize`).
        let mut pem = key.to_pkcs8_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        pem.zeroize();
        assert!(pem.is_empty());
        let mut scalar = key.to_bytes();
        assert_eq!(*scalar, [5u8; 32]);
        scalar.zeroize();
        assert_eq!(*scalar, [0u8; 32]);
    }

    #[test]
    fn pem_keys_of_both_forms_parse_and_wrong_labels_are_refused() {
        let key = SigningKey::from_bytes(&[6u8; 32]).unwrap();
        let pkcs8 = key.to_pkcs8_pem();
        let secret = p256::SecretKey::from(key.inner.as_nonzero_scalar());
        let sec1 = secret.to_sec1_pem(LineEnding::LF).unwrap();
        for pem in [pkcs8.as_str(), sec1.as_str()] {
            assert_eq!(
                SigningKey::parse(pem.as_bytes()).unwrap().public_key(),
                key.public_key()
            );
            // openssl ecparam -genkey writes EC PARAMETERS first.
            let with_params = alloc::format!(
                "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{pem}"
            );
            assert_eq!(
                SigningKey::parse(with_params.as_bytes())
                    .unwrap()
                    .public_key(),
                key.public_key()
            );
        }
        // A PKCS#8 body under the SEC1 label (and the reverse) is refused.
        let swapped = pkcs8.replace("PRIVATE KEY", "EC PRIVATE KEY");
        assert!(SigningKey::parse(swapped.as_bytes()).is_err());
        let swapped = sec1.replace("EC PRIVATE KEY", "PRIVATE KEY");
        assert!(SigningKey::parse(swapped.as_bytes()).is_err());
    }

    #[test]
    fn keys_round_trip_and_bad_keys_have_codes() {
        let key = SigningKey::from_bytes(&[3u8; 32]).unwrap();
        let pem = key.to_pkcs8_pem();
        assert_eq!(
            *SigningKey::parse(pem.as_bytes()).unwrap().to_bytes(),
            *key.to_bytes()
        );
        let pub_pem = key.public_key().to_spki_pem();
        assert_eq!(
            PublicKey::parse(pub_pem.as_bytes()).unwrap(),
            key.public_key()
        );
        assert_eq!(
            PublicKey::parse(&key.public_key().to_spki_der()).unwrap(),
            key.public_key()
        );
        assert_eq!(
            SigningKey::from_bytes(&[0u8; 32]).unwrap_err().code(),
            "signature.private_key_malformed"
        );
        assert_eq!(
            SigningKey::parse(b"junk").unwrap_err().code(),
            "signature.private_key_malformed"
        );
        assert_eq!(
            SigningKey::parse(pub_pem.as_bytes()).unwrap_err().code(),
            "signature.private_key_malformed"
        );
        assert_eq!(
            key.sign_digest(&[0u8; 31]).unwrap_err().code(),
            "signature.digest_length"
        );
    }
}
