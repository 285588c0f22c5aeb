//! The aws-lc backend against the portable p256 / sha2 backend (needs `--features aws-lc`):
//! every input must get the same verdict, and the same error, from both.
//!
//! * SHA-256 of the message, streamed in fuzz-chosen chunks and one-shot, on both backends and
//!   through the public `ImageHasher` (which is aws-lc here).
//! * Arbitrary key and signature bytes through stepstone's parsers, then `verify_digest` on
//!   both backends, over the message's digest, a fuzz-chosen 32-byte digest, and a digest of
//!   fuzz-chosen length (the 32-byte rule).
//! * A real signature (RFC 6979 with a fuzz-chosen key) and a mutation of it: its high-S twin,
//!   a flipped bit of digest, r or s, r or s replaced by fuzz-chosen values (0, n - 1, >= n...),
//!   another key. The unmutated signature must verify on both.
//! * The real signature's DER and raw bytes edited byte by byte (BER lengths, padding, trailing
//!   bytes, ...), given undecoded to AWS-LC's own DER / fixed parser: AWS-LC alone must accept
//!   exactly what stepstone's strict parser plus p256 accepts.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use stepstone::signature::differential::{
    self, HasherAwsLc, HasherP256, aws_lc_native_verify, verify_digest_aws_lc, verify_digest_p256,
};
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{ImageHasher, PublicKey, Signature, SignatureError, SignatureFormat};

const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

#[derive(Debug, Arbitrary)]
enum Mutation {
    None,
    HighS,
    DigestBit(u8),
    RBit(u8),
    SBit(u8),
    ReplaceR([u8; 32]),
    ReplaceS([u8; 32]),
    NearN { r: bool, below: u8 },
    OtherKey,
}

#[derive(Debug, Arbitrary)]
struct Case<'a> {
    scalar: [u8; 32],
    mutation: Mutation,
    digest: [u8; 32],
    digest_len: u8,
    chunk: u16,
    edits: Vec<(u8, u8, u8)>,
    key_bytes: &'a [u8],
    sig_bytes: &'a [u8],
    message: &'a [u8],
}

/// Both backends: the same result, error included. (The public API is the aws-lc one here;
/// core/tests/backend_differential.rs checks that.)
fn both(key: &PublicKey, digest: &[u8], sig: &Signature) -> Result<(), SignatureError> {
    let p = verify_digest_p256(key, digest, sig);
    let a = verify_digest_aws_lc(key, digest, sig);
    assert_eq!(
        p, a,
        "p256 and aws-lc disagree: key {key:?} digest {digest:02x?} sig {sig:?}"
    );
    p
}

fn sub(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
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

/// Applies up to 4 byte edits: set, insert, remove, append.
fn edit(bytes: &[u8], edits: &[(u8, u8, u8)]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for &(op, pos, val) in edits.iter().take(4) {
        let at = usize::from(pos) % (out.len() + 1);
        match op % 4 {
            0 if at < out.len() => out[at] = val,
            1 => out.insert(at, val),
            2 if at < out.len() => {
                out.remove(at);
            }
            _ => out.push(val),
        }
    }
    out
}

fuzz_target!(|case: Case| {
    // SHA-256: streamed and one-shot, both backends and the public hasher.
    let chunk = usize::from(case.chunk).max(1);
    let (mut hp, mut ha, mut h) = (
        HasherP256::default(),
        HasherAwsLc::default(),
        ImageHasher::new(),
    );
    for c in case.message.chunks(chunk) {
        hp.update(c);
        ha.update(c);
        h.update(c);
    }
    let digest = hp.finish();
    assert_eq!(ha.finish(), digest, "streamed sha256");
    assert_eq!(h.finish(), digest, "ImageHasher");
    assert_eq!(
        differential::sha256_p256(case.message),
        digest,
        "one-shot sha256 (p256)"
    );
    assert_eq!(
        differential::sha256_aws_lc(case.message),
        digest,
        "one-shot sha256 (aws-lc)"
    );

    // Arbitrary bytes through stepstone's parsers, then both backends.
    let short = &case.message[..case.message.len().min(usize::from(case.digest_len) % 40)];
    if let (Ok(key), Ok(sig)) = (
        PublicKey::parse(case.key_bytes),
        Signature::parse(case.sig_bytes),
    ) {
        both(&key, &digest, &sig).ok();
        both(&key, &case.digest, &sig).ok();
        both(&key, short, &sig).ok();
    }

    // A real signature and one mutation of it.
    let Ok(sk) = SigningKey::from_bytes(&case.scalar) else {
        return;
    };
    let key = sk.public_key();
    let sig = sk.sign_digest(&digest).expect("32-byte digest signs");
    let mut d = digest;
    let mut raw = sig.to_raw();
    let mut k = key;
    match case.mutation {
        Mutation::None => {}
        Mutation::HighS => {
            let s = sub(&N, raw[32..].try_into().unwrap());
            raw[32..].copy_from_slice(&s);
        }
        Mutation::DigestBit(b) => d[usize::from(b / 8)] ^= 1 << (b % 8),
        Mutation::RBit(b) => raw[usize::from(b / 8)] ^= 1 << (b % 8),
        Mutation::SBit(b) => raw[32 + usize::from(b / 8)] ^= 1 << (b % 8),
        Mutation::ReplaceR(r) => raw[..32].copy_from_slice(&r),
        Mutation::ReplaceS(s) => raw[32..].copy_from_slice(&s),
        Mutation::NearN { r, below } => {
            let mut small = [0u8; 32];
            small[31] = below;
            let v = sub(&N, &small);
            raw[if r { 0 } else { 32 }..][..32].copy_from_slice(&v);
        }
        Mutation::OtherKey => {
            if let Ok(o) = PublicKey::parse(case.key_bytes) {
                k = o;
            }
        }
    }
    let mutated = Signature::from_raw(&raw);
    // (Mutation::None checks the signature as made; p256 is the slow side, so each distinct
    // (key, digest, signature) is verified once.)
    let verdict = match &mutated {
        Ok(s) => both(&k, &d, s).is_ok(),
        Err(_) => false,
    };
    if matches!(case.mutation, Mutation::None | Mutation::HighS) {
        assert!(verdict, "{:?} must verify", case.mutation);
    }
    // AWS-LC alone on the undecoded raw bytes (fixed form) with the key as SEC1.
    let point = k.to_sec1_uncompressed();
    assert_eq!(
        aws_lc_native_verify(&point, &d, &raw, true),
        verdict,
        "AWS-LC fixed parsing"
    );

    // Byte edits of the DER and raw forms, given undecoded to AWS-LC's parsers.
    if !case.edits.is_empty() {
        let (base, base_verdict) = match &mutated {
            Ok(s) => (*s, verdict),
            Err(_) => (sig, both(&k, &d, &sig).is_ok()),
        };
        for (fixed, enc) in [
            (false, base.encode(SignatureFormat::Der)),
            (true, base.encode(SignatureFormat::Raw)),
        ] {
            let bytes = edit(enc.as_bytes(), &case.edits);
            let ours = if fixed {
                Signature::from_raw(&bytes)
            } else {
                Signature::from_der(&bytes)
            };
            let expected = match ours {
                Ok(s) if s == base => base_verdict,
                Ok(s) => both(&k, &d, &s).is_ok(),
                Err(_) => false,
            };
            assert_eq!(
                aws_lc_native_verify(&point, &d, &bytes, fixed),
                expected,
                "AWS-LC's own parsing of {bytes:02x?} (fixed: {fixed})"
            );
        }
    }
});
