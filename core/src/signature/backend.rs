//! The arithmetic under [`super`]: SHA-256 and ECDSA P-256 verification of a 32-byte digest.
//!
//! Two backends, the same verdicts:
//! * [`portable`]: `p256` and `sha2`, pure Rust, `no_std`, no heap. The reference, and the only
//!   backend on the device, in WASM, and on any target other than x86_64 / aarch64.
//! * `aws_lc` (feature `aws-lc`, x86_64 and aarch64 hosts): AWS-LC's assembly SHA-256 and
//!   P-256. It only ever sees what stepstone has already parsed and checked: a valid point
//!   (re-encoded as uncompressed SEC1), a signature with `r` and `s` in `[1, n)` (re-encoded as
//!   canonical DER), and a digest of exactly 32 bytes. So key formats, DER strictness and the
//!   digest-length rule stay stepstone's, and the backend decides only the equation.
//!
//! [`active`] is the one the public API uses. Both are compiled when the feature is on, so
//! tests and the `differential` fuzz target can compare them on the same inputs.

/// p256 + sha2: the portable backend and the reference.
pub(crate) mod portable {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;

    use crate::signature::{DIGEST_LEN, Digest, PublicKey, Signature};

    /// Streaming SHA-256 on sha2's compression function (which picks SHA-NI / ARMv8 SHA2 at
    /// run time where the CPU has them), buffered as plain data ([`crate::signature::blocks`]).
    #[derive(Clone, Default)]
    pub(crate) struct Sha256(crate::signature::blocks::Blocks);

    impl Sha256 {
        pub(crate) fn update(&mut self, chunk: &[u8]) {
            self.0.update(chunk);
        }

        pub(crate) fn finish(self) -> Digest {
            self.0.finish()
        }
    }

    /// SHA-256 of a message held in memory.
    pub(crate) fn sha256(message: &[u8]) -> Digest {
        let mut h = crate::signature::blocks::Blocks::default();
        h.update(message);
        h.finish()
    }

    /// Whether `signature` verifies over `digest` with `key` (both S values accepted). On bare
    /// metal (`target_os = "none"`, firmware) and in WASM the smaller verifier of
    /// [`super::super::shamir`] (Shamir's trick on p256's arithmetic, same verdicts: about
    /// 1.7 KB less gzipped WASM, about a third more time per signature there, docs/js.md
    /// "Size"); elsewhere p256's faster one.
    pub(crate) fn verify_digest(
        key: &PublicKey,
        digest: &[u8; DIGEST_LEN],
        signature: &Signature,
    ) -> bool {
        if cfg!(any(target_os = "none", target_family = "wasm")) {
            crate::signature::shamir::verify(key.inner.as_affine(), digest, &signature.inner)
        } else {
            key.inner.verify_prehash(digest, &signature.inner).is_ok()
        }
    }
}

/// AWS-LC through aws-lc-rs (feature `aws-lc`, x86_64 / aarch64 hosts).
#[cfg(all(
    feature = "aws-lc",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
pub(crate) mod aws_lc {
    use aws_lc_rs::digest;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1, ParsedPublicKey};

    use crate::signature::{DIGEST_LEN, Digest, PublicKey, Signature};

    fn to_array(d: &digest::Digest) -> Digest {
        let mut out = [0u8; DIGEST_LEN];
        if let Some(src) = d.as_ref().get(..DIGEST_LEN) {
            out.copy_from_slice(src);
        }
        out
    }

    /// Streaming SHA-256 (`EVP_DigestUpdate`, SHA-NI / ARMv8 SHA2 assembly where present).
    #[derive(Clone)]
    pub(crate) struct Sha256(digest::Context);

    impl Default for Sha256 {
        fn default() -> Sha256 {
            Sha256(digest::Context::new(&digest::SHA256))
        }
    }

    impl Sha256 {
        pub(crate) fn update(&mut self, chunk: &[u8]) {
            // aws-lc-rs panics once more than u64::MAX bytes have been fed; no image gets there.
            self.0.update(chunk);
        }

        pub(crate) fn finish(self) -> Digest {
            to_array(&self.0.finish())
        }
    }

    /// SHA-256 of a message held in memory.
    pub(crate) fn sha256(message: &[u8]) -> Digest {
        to_array(&digest::digest(&digest::SHA256, message))
    }

    /// Whether `signature` verifies over `digest` with `key` (both S values accepted, as
    /// AWS-LC's `ECDSA_do_verify` does). A key or digest AWS-LC refused would be "does not
    /// verify", never a fallback to the other backend: the differential tests would see it.
    pub(crate) fn verify_digest(
        key: &PublicKey,
        digest: &[u8; DIGEST_LEN],
        signature: &Signature,
    ) -> bool {
        let Ok(parsed) = ParsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key.to_sec1_uncompressed())
        else {
            return false;
        };
        let Ok(digest) = digest::Digest::import_less_safe(digest, &digest::SHA256) else {
            return false;
        };
        let der = signature.inner.to_der();
        parsed.verify_digest_sig(&digest, der.as_bytes()).is_ok()
    }
}

#[cfg(all(
    feature = "aws-lc",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
pub(crate) use aws_lc as active;
#[cfg(not(all(
    feature = "aws-lc",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
pub(crate) use portable as active;
