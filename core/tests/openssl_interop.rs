//! Interop with the `openssl` CLI, run at test time in a temporary directory: keys and
//! signatures made by OpenSSL verify here in every key form; tampered, truncated and extended
//! images and malformed signatures are refused (OpenSSL agrees on each); and what stepstone
//! signs, `openssl dgst -verify` accepts.

mod common;

use common::{Tmp, image, openssl, openssl_status};
use stepstone::error::ErrorCode;
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{ImageVerifier, PublicKey, Signature, SignatureFormat};

const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

fn der_int(v: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    if v.is_empty() || v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    let mut out = vec![0x02, v.len() as u8];
    out.extend(v);
    out
}

fn der_sig(r: &[u8], s: &[u8]) -> Vec<u8> {
    let body = [der_int(r), der_int(s)].concat();
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

fn sub(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = a[i] as i16 - b[i] as i16 - borrow;
        borrow = if d < 0 { 1 } else { 0 };
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

fn streamed(key: PublicKey, img: &[u8], sig: &[u8]) -> bool {
    let Ok(sig) = Signature::parse(sig) else {
        return false;
    };
    let mut v = ImageVerifier::new(key);
    for c in img.chunks(4096) {
        v.update(c);
    }
    v.finish(&sig).is_ok()
}

#[test]
fn openssl_keys_and_signatures_verify_in_every_key_form() {
    let t = Tmp::new("interop-keys");
    let d = &t.0;
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "sec1.pem",
        ],
    );
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "pk8.pem",
        ],
    );
    let img = image(100_000, 1);
    t.write("img", &img);
    let mut checked = 0;
    let mut openssl_lenient: Vec<&str> = Vec::new();
    for k in ["sec1.pem", "pk8.pem"] {
        openssl(d, &["pkey", "-in", k, "-pubout", "-out", "pub.pem"]);
        openssl(
            d,
            &[
                "pkey", "-in", k, "-pubout", "-outform", "DER", "-out", "pub.der",
            ],
        );
        openssl(
            d,
            &[
                "ec",
                "-in",
                k,
                "-pubout",
                "-outform",
                "DER",
                "-conv_form",
                "compressed",
                "-out",
                "pubc.der",
            ],
        );
        openssl(
            d,
            &["dgst", "-sha256", "-sign", k, "-out", "sig.der", "img"],
        );
        let der = t.read("pub.der");
        let compressed = t.read("pubc.der");
        let forms: Vec<Vec<u8>> = vec![
            t.read("pub.pem"),
            der.clone(),
            der[der.len() - 65..].to_vec(),
            compressed[compressed.len() - 33..].to_vec(),
            compressed.clone(),
        ];
        let key = PublicKey::parse(&forms[0]).unwrap();
        for f in &forms {
            assert_eq!(PublicKey::parse(f).unwrap(), key);
        }
        let sig = t.read("sig.der");
        assert!(streamed(key, &img, &sig));
        // The same signature as raw, hex and base64 text.
        let s = Signature::parse(&sig).unwrap();
        for f in [
            SignatureFormat::Raw,
            SignatureFormat::Hex,
            SignatureFormat::Base64,
            SignatureFormat::HexRaw,
        ] {
            assert!(streamed(key, &img, s.encode(f).as_bytes()), "{f:?}");
        }
        // `openssl base64` wraps at 64 columns: still read.
        openssl(d, &["base64", "-in", "sig.der", "-out", "sig.b64"]);
        assert!(streamed(key, &img, &t.read("sig.b64")));

        // Tampered, truncated, extended images: refused, and openssl agrees.
        let mut tampered = img.clone();
        tampered[50_000] ^= 1;
        let truncated = &img[..img.len() - 1];
        let mut extended = img.clone();
        extended.push(0);
        for (name, bad) in [
            ("tampered", &tampered[..]),
            ("truncated", truncated),
            ("extended", &extended[..]),
        ] {
            assert!(!streamed(key, bad, &sig), "{name}");
            t.write("bad", bad);
            assert!(!openssl_status(
                d,
                &[
                    "dgst",
                    "-sha256",
                    "-verify",
                    "pub.pem",
                    "-signature",
                    "sig.der",
                    "bad"
                ]
            ));
        }

        // Malformed signatures: refused here, and by openssl.
        let raw = s.to_raw();
        let (r, sv) = (&raw[..32], &raw[32..]);
        let mut r_plus_n = r.to_vec();
        r_plus_n.insert(0, 1);
        let mut ber = vec![0x30, 0x81];
        ber.extend_from_slice(&sig[1..]);
        let mut trailing = sig.clone();
        trailing.push(0);
        let mut extra_zero = der_int(r);
        extra_zero.insert(2, 0);
        extra_zero[1] += 1;
        let extra_zero_sig = {
            let body = [extra_zero, der_int(sv)].concat();
            let mut out = vec![0x30, body.len() as u8];
            out.extend(body);
            out
        };
        let malformed: Vec<(&str, Vec<u8>)> = vec![
            ("zero r", der_sig(&[0], sv)),
            ("zero s", der_sig(r, &[0])),
            ("r = n", der_sig(&N, sv)),
            ("s = n", der_sig(r, &N)),
            ("r + 2^256", der_sig(&r_plus_n, sv)),
            ("BER long length", ber),
            ("trailing byte", trailing),
            ("non-minimal integer", extra_zero_sig),
            ("truncated", sig[..sig.len() - 1].to_vec()),
            ("empty", vec![]),
        ];
        for (name, bad) in &malformed {
            assert!(!streamed(key, &img, bad), "{name} accepted");
            if !bad.is_empty() {
                assert!(
                    Signature::parse(bad).map(|_| ()).unwrap_err().code() == "signature.malformed",
                    "{name}"
                );
            }
            t.write("bad.sig", bad);
            let openssl_accepts = openssl_status(
                d,
                &[
                    "dgst",
                    "-sha256",
                    "-verify",
                    "pub.pem",
                    "-signature",
                    "bad.sig",
                    "img",
                ],
            );
            if openssl_accepts {
                openssl_lenient.push(*name);
            }
            checked += 1;
        }

        // High-S (n - s) verifies here, as in OpenSSL.
        let high = der_sig(r, &sub(&N, sv.try_into().unwrap()));
        assert!(streamed(key, &img, &high));
        t.write("high.sig", &high);
        assert!(openssl_status(
            d,
            &[
                "dgst",
                "-sha256",
                "-verify",
                "pub.pem",
                "-signature",
                "high.sig",
                "img"
            ]
        ));

        // Reverse: stepstone signs with the openssl-made private key; openssl verifies.
        let signer = SigningKey::parse(&t.read(k)).unwrap();
        assert_eq!(signer.public_key(), key);
        let ours = signer.sign(&img).unwrap();
        assert_eq!(
            ours,
            signer.sign(&img).unwrap(),
            "RFC 6979 is deterministic"
        );
        t.write("ours.der", ours.encode(SignatureFormat::Der).as_bytes());
        assert!(openssl_status(
            d,
            &[
                "dgst",
                "-sha256",
                "-verify",
                "pub.pem",
                "-signature",
                "ours.der",
                "img"
            ]
        ));
    }
    println!(
        "openssl interop: 2 keys x 5 key forms; {checked} malformed signatures refused here; openssl accepted: {openssl_lenient:?}"
    );
    // OpenSSL 3.0's `dgst -verify` ignores bytes after the DER signature; stepstone is strict
    // DER and refuses them (so a signature has one encoding). Every other case: both refuse.
    assert!(
        openssl_lenient.iter().all(|n| *n == "trailing byte"),
        "{openssl_lenient:?}"
    );
}

#[test]
fn stepstone_keys_are_read_by_openssl() {
    let t = Tmp::new("interop-ourkeys");
    let d = &t.0;
    let key = SigningKey::from_bytes(&[0x42; 32]).unwrap();
    t.write("k.pem", key.to_pkcs8_pem().as_bytes());
    t.write("pub.pem", key.public_key().to_spki_pem().as_bytes());
    t.write("msg", b"hello");
    t.write(
        "sig.der",
        key.sign(b"hello")
            .unwrap()
            .encode(SignatureFormat::Der)
            .as_bytes(),
    );
    openssl(d, &["pkey", "-in", "k.pem", "-pubout", "-out", "pub2.pem"]);
    assert_eq!(t.read("pub.pem"), t.read("pub2.pem"));
    assert!(openssl_status(
        d,
        &[
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "sig.der",
            "msg"
        ]
    ));
    openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-sign",
            "k.pem",
            "-out",
            "theirs.der",
            "msg",
        ],
    );
    assert!(
        key.public_key()
            .verify(b"hello", &Signature::parse(&t.read("theirs.der")).unwrap())
            .is_ok()
    );
}
