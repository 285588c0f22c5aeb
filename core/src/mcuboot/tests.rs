//! Images laid out here as imgtool lays them out (`build`), each broken in one way. Images that
//! imgtool itself makes, at test time, are checked by `device-port/tests/mcuboot_imgtool.rs`
//! and the device stage.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::build::{area, header, signed_image, spki, tlv as entry};
use super::*;
use crate::signature::SignatureFormat;
use crate::signature::sign::SigningKey;

fn keypair(seed: u8) -> (SigningKey, PublicKey) {
    let private = SigningKey::from_bytes(&[seed; 32]).unwrap();
    let public = private.public_key();
    (private, public)
}

const V: ImageVersion = ImageVersion {
    major: 1,
    minor: 2,
    revision: 3,
    build: 4,
};

fn good() -> (SigningKey, PublicKey, Vec<u8>) {
    let (private, public) = keypair(7);
    let image = signed_image(&private, V, &[0x5a; 100], true);
    (private, public, image)
}

fn code(image: &[u8], key: &PublicKey) -> &'static str {
    match check(image, key) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

/// An image from parts: header (with `protected.len()`), body, protected area, TLV area
/// entries signed or not.
fn assemble(body: &[u8], protected: &[u8], entries: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut image = header(V, body.len() as u32, protected.len() as u16);
    image.extend_from_slice(body);
    image.extend_from_slice(protected);
    let e = entries(&image);
    image.extend(area(TLV_INFO_MAGIC, &e));
    image
}

fn signature_of(private: &SigningKey, hashed: &[u8]) -> Vec<u8> {
    let hash = crate::signature::sha256(hashed);
    private
        .sign_digest(&hash)
        .unwrap()
        .encode(SignatureFormat::Der)
        .as_bytes()
        .to_vec()
}

#[test]
fn a_good_image_verifies_and_tells_its_version_and_counter() {
    let (_, key, image) = good();
    let info = check(&image, &key).unwrap();
    assert_eq!(info.version, V);
    assert_eq!(info.security_counter, Some(0x0102_0003));
    assert_eq!(info.tlv_offset, 32 + 100);
    assert_eq!(info.hash, crate::signature::sha256(&image[..32 + 100 + 12]));
    let parsed = Image::parse(&image).unwrap();
    let kinds: Vec<(u16, bool)> = parsed.tlvs().map(|t| (t.kind, t.protected)).collect();
    assert_eq!(
        kinds,
        [
            (tlv::SEC_CNT, true),
            (tlv::SHA256, false),
            (tlv::KEYHASH, false),
            (tlv::ECDSA_SIG, false)
        ]
    );
}

#[test]
fn without_a_counter_it_verifies_and_a_key_tlv_is_required() {
    let (private, key) = keypair(9);
    let image = signed_image(&private, V, b"", false);
    let info = check(&image, &key).unwrap();
    assert_eq!(info.security_counter, None);
    // No key TLV at all: MCUboot's default build ignores a signature without one.
    let image = assemble(b"body", &[], |hashed| {
        let mut e = entry(tlv::SHA256, &crate::signature::sha256(hashed));
        e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, hashed)));
        e
    });
    assert_eq!(code(&image, &key), "mcuboot.tlv_missing");
    // The full public key TLV (imgtool --public-key-format full) of the right key.
    let image = assemble(b"body", &[], |hashed| {
        let mut e = entry(tlv::SHA256, &crate::signature::sha256(hashed));
        e.extend(entry(tlv::PUBKEY, &spki(&key)));
        e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, hashed)));
        e
    });
    assert_eq!(code(&image, &key), "ok");
    let (_, other) = keypair(10);
    assert_eq!(code(&image, &other), "mcuboot.key_mismatch");
}

#[test]
fn every_changed_byte_is_refused() {
    let (_, key, image) = good();
    for i in 0..image.len() {
        let mut bad = image.clone();
        bad[i] ^= 0x01;
        assert!(check(&bad, &key).is_err(), "byte {i} flipped was accepted");
    }
}

#[test]
fn each_failure_has_its_code() {
    let (private, key, image) = good();
    let (other_private, other_key) = keypair(8);
    let hashed_len = 32 + 100 + 12;
    let with = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut b = image.clone();
        f(&mut b);
        b
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = alloc::vec![
        (
            "body changed",
            with(&|b| b[40] ^= 0x80),
            "mcuboot.hash_mismatch"
        ),
        (
            "counter changed",
            with(&|b| b[32 + 100 + 8] ^= 1),
            "mcuboot.hash_mismatch"
        ),
        (
            "version changed",
            with(&|b| b[20] = 9),
            "mcuboot.hash_mismatch"
        ),
        ("other key", image.clone(), "wrong key"),
        ("empty", Vec::new(), "mcuboot.truncated"),
        ("31 bytes", image[..31].to_vec(), "mcuboot.truncated"),
        ("header only", image[..32].to_vec(), "mcuboot.truncated"),
        (
            "TLV area cut",
            image[..image.len() - 5].to_vec(),
            "mcuboot.truncated"
        ),
        (
            "TLV info cut",
            image[..hashed_len + 2].to_vec(),
            "mcuboot.truncated"
        ),
        ("bad magic", with(&|b| b[0] = 0x3c), "mcuboot.bad_magic"),
        ("header size 31", with(&|b| b[8] = 31), "mcuboot.bad_header"),
        ("header size 0", with(&|b| b[8] = 0), "mcuboot.bad_header"),
        (
            "header size past buffer",
            with(&|b| b[9] = 0xff),
            "mcuboot.truncated"
        ),
        (
            "body size past buffer",
            with(&|b| b[15] = 0xff),
            "mcuboot.truncated"
        ),
        ("encrypted", with(&|b| b[16] = 0x04), "mcuboot.unsupported"),
        ("compressed", with(&|b| b[17] = 0x02), "mcuboot.unsupported"),
        (
            "protected size too small",
            with(&|b| b[10] = 8),
            "mcuboot.bad_tlv_info"
        ),
        (
            "protected size 0",
            with(&|b| b[10] = 0),
            "mcuboot.bad_tlv_info"
        ),
        (
            "protected magic",
            with(&|b| b[132] = 0x07),
            "mcuboot.bad_tlv_info"
        ),
        (
            "TLV magic",
            with(&|b| b[hashed_len] = 0x08),
            "mcuboot.bad_tlv_info"
        ),
        (
            "TLV total below 4",
            with(&|b| {
                b[hashed_len + 2] = 3;
                b[hashed_len + 3] = 0;
            }),
            "mcuboot.bad_tlv_info"
        ),
        (
            "TLV total past buffer",
            with(&|b| b[hashed_len + 2] += 1),
            "mcuboot.truncated"
        ),
        (
            "signature length past area",
            with(&|b| {
                let at = hashed_len + 4 + 36 + 36 + 2;
                b[at] += 1;
            }),
            "mcuboot.tlv_truncated"
        ),
        (
            "padded (imgtool --pad)",
            with(&|b| b.extend([0xff; 16])),
            "mcuboot.trailing_bytes"
        ),
    ];
    for (what, bytes, want) in cases {
        if want == "wrong key" {
            assert_eq!(code(&bytes, &other_key), "mcuboot.key_mismatch", "{what}");
            continue;
        }
        assert_eq!(code(&bytes, &key), want, "{what}");
    }

    // Built images, each with one TLV problem (hashed parts unchanged so only that one shows).
    let body = [1u8; 8];
    let hash_of = |h: &[u8]| crate::signature::sha256(h).to_vec();
    let keyhash = crate::signature::sha256(&spki(&key)).to_vec();
    type Entries<'a> = dyn Fn(&[u8]) -> Vec<u8> + 'a;
    let tlv_cases: Vec<(&str, Vec<u8>, Box<Entries<'_>>, &str)> = alloc::vec![
        (
            "no SHA-256",
            Vec::new(),
            Box::new(|h: &[u8]| entry(tlv::ECDSA_SIG, &signature_of(&private, h)))
                as Box<Entries<'_>>,
            "mcuboot.tlv_missing"
        ),
        (
            "no signature",
            Vec::new(),
            Box::new(move |h: &[u8]| entry(tlv::SHA256, &hash_of(h))),
            "mcuboot.tlv_missing"
        ),
        (
            "SHA-256 twice",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::SHA256, &crate::signature::sha256(h)));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e
            }),
            "mcuboot.tlv_duplicate"
        ),
        (
            "signature twice",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e
            }),
            "mcuboot.tlv_duplicate"
        ),
        (
            "key hash and public key",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::KEYHASH, &crate::signature::sha256(&spki(&key))));
                e.extend(entry(tlv::PUBKEY, &spki(&key)));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e
            }),
            "mcuboot.tlv_duplicate"
        ),
        (
            "SHA-256 of 31 bytes",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h)[..31]);
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e
            }),
            "mcuboot.tlv_length"
        ),
        (
            "key hash of 33 bytes",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                let mut kh = crate::signature::sha256(&spki(&key)).to_vec();
                kh.push(0);
                e.extend(entry(tlv::KEYHASH, &kh));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e
            }),
            "mcuboot.tlv_length"
        ),
        (
            "counter of 3 bytes",
            area(TLV_PROT_INFO_MAGIC, &entry(tlv::SEC_CNT, &[1, 2, 3])),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e
            }),
            "mcuboot.tlv_length"
        ),
        (
            "counter unprotected",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::SEC_CNT, &7u32.to_le_bytes()));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e
            }),
            "mcuboot.tlv_misplaced"
        ),
        (
            "key hash after the signature",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e.extend(entry(tlv::KEYHASH, &crate::signature::sha256(&spki(&key))));
                e
            }),
            "mcuboot.tlv_misplaced"
        ),
        (
            "protected TLV past its area",
            alloc::vec![0x08, 0x69, 8, 0, 0x50, 0, 4, 0],
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e
            }),
            "mcuboot.tlv_truncated"
        ),
        (
            "half a TLV header at the end",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e.extend([0xa0, 0x00]);
                e
            }),
            "mcuboot.tlv_truncated"
        ),
        (
            "hash TLV not the hash",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &[0; 32]);
                e.extend(entry(tlv::KEYHASH, &keyhash));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e
            }),
            "mcuboot.hash_mismatch"
        ),
        (
            "signed by another key, our key hash",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::KEYHASH, &crate::signature::sha256(&spki(&key))));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&other_private, h)));
                e
            }),
            "mcuboot.bad_signature"
        ),
        (
            "raw r||s signature",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::KEYHASH, &keyhash));
                let raw = private
                    .sign_digest(&crate::signature::sha256(h))
                    .unwrap()
                    .to_raw();
                e.extend(entry(tlv::ECDSA_SIG, &raw));
                e
            }),
            "mcuboot.signature_malformed"
        ),
        (
            "DER with a zero of padding (imgtool --pad-sig)",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::KEYHASH, &keyhash));
                let mut sig = signature_of(&private, h);
                sig.push(0);
                e.extend(entry(tlv::ECDSA_SIG, &sig));
                e
            }),
            "ok"
        ),
        (
            "DER with three zeros of padding",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::KEYHASH, &keyhash));
                let mut sig = signature_of(&private, h);
                sig.extend([0, 0, 0]);
                e.extend(entry(tlv::ECDSA_SIG, &sig));
                e
            }),
            "mcuboot.signature_malformed",
        ),
        (
            "DER with a non-zero byte after it",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::KEYHASH, &keyhash));
                let mut sig = signature_of(&private, h);
                sig.push(1);
                e.extend(entry(tlv::ECDSA_SIG, &sig));
                e
            }),
            "mcuboot.signature_malformed",
        ),
        (
            "empty signature",
            Vec::new(),
            Box::new(|h: &[u8]| {
                let mut e = entry(tlv::SHA256, &crate::signature::sha256(h));
                e.extend(entry(tlv::KEYHASH, &keyhash));
                e.extend(entry(tlv::ECDSA_SIG, b""));
                e
            }),
            "mcuboot.signature_malformed",
        ),
        (
            "unknown TLVs are skipped",
            area(TLV_PROT_INFO_MAGIC, &entry(0x00a0, b"vendor")),
            Box::new(|h: &[u8]| {
                let mut e = entry(0x0011, &[0; 48]);
                e.extend(entry(tlv::SHA256, &crate::signature::sha256(h)));
                e.extend(entry(tlv::KEYHASH, &keyhash));
                e.extend(entry(tlv::ECDSA_SIG, &signature_of(&private, h)));
                e.extend(entry(0x00ff, b""));
                e
            }),
            "ok"
        ),
    ];
    for (what, protected, entries, want) in tlv_cases {
        let image = assemble(&body, &protected, |h| entries(h));
        assert_eq!(code(&image, &key), want, "{what}");
    }
}

#[test]
fn errors_name_the_bad_value() {
    let (_, key, image) = good();
    let mut bad = image.clone();
    bad[8] = 7;
    let e = check(&bad, &key).unwrap_err();
    assert_eq!(e, McubootError::BadHeader { header_size: 7 });
    assert!(alloc::format!("{e}").contains("size 7"), "{e}");
    let e = check(&image[..10], &key).unwrap_err();
    assert!(alloc::format!("{e}").contains("10 bytes"), "{e}");
    let mut bad = image.clone();
    bad[0] = 0;
    let e = check(&bad, &key).unwrap_err();
    assert!(alloc::format!("{e}").contains("0x96f3b800"), "{e}");
}

#[test]
fn versions_map_to_dotted_and_the_auto_counter_is_monotone() {
    use crate::version::{Scheme, compare};
    let vs = [
        ImageVersion {
            major: 0,
            minor: 0,
            revision: 0,
            build: 0,
        },
        ImageVersion {
            major: 0,
            minor: 0,
            revision: 0,
            build: 1,
        },
        ImageVersion {
            major: 0,
            minor: 0,
            revision: 1,
            build: 0,
        },
        ImageVersion {
            major: 0,
            minor: 9,
            revision: 65535,
            build: 7,
        },
        ImageVersion {
            major: 0,
            minor: 10,
            revision: 0,
            build: 0,
        },
        ImageVersion {
            major: 1,
            minor: 0,
            revision: 0,
            build: 0,
        },
        ImageVersion {
            major: 255,
            minor: 255,
            revision: 65535,
            build: u32::MAX,
        },
    ];
    for a in vs {
        for b in vs {
            let (da, db) = (a.to_dotted(), b.to_dotted());
            let ord = compare(da.as_str(), db.as_str(), Scheme::Dotted).unwrap();
            assert_eq!(ord, a.cmp(&b), "{a} {b}");
            if a < b {
                assert!(
                    a.auto_security_counter() <= b.auto_security_counter(),
                    "{a} {b}"
                );
            }
        }
    }
    assert_eq!(vs[6].to_dotted().as_str().len(), DottedVersion::MAX_LEN);
}

proptest::proptest! {
    /// Oracle: a signed image with any bytes changed, cut or added is accepted only when it is
    /// the original, and nothing panics.
    #[test]
    fn only_the_signed_image_is_accepted(
        edits in proptest::collection::vec((0usize..400, proptest::prelude::any::<u8>()), 0..4),
        cut in 0usize..8,
        extra in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..3),
    ) {
        let (_, key, image) = good();
        let mut bytes = image.clone();
        for (at, value) in edits {
            let i = at % bytes.len();
            bytes[i] = value;
        }
        bytes.truncate(bytes.len() - cut.min(bytes.len()));
        bytes.extend(extra);
        let ok = check(&bytes, &key).is_ok();
        proptest::prop_assert_eq!(ok, bytes == image);
    }

    /// Oracle: a plain reading of the layout (imgtool's `verify`, in a few lines) agrees with
    /// `Image::parse` on where the TLV area ends, for any header and TLV info fields.
    #[test]
    fn the_layout_is_read_as_the_plain_reading(
        header_size in 0u16..80, body_len in 0u32..80, prot in 0u16..40, total in 0u16..120,
        len in 0usize..300,
    ) {
        let mut bytes = alloc::vec![0u8; len];
        let mut put = |at: usize, v: &[u8]| {
            for (i, b) in v.iter().enumerate() {
                if let Some(slot) = bytes.get_mut(at + i) { *slot = *b; }
            }
        };
        put(0, &IMAGE_MAGIC.to_le_bytes());
        put(8, &header_size.to_le_bytes());
        put(10, &prot.to_le_bytes());
        put(12, &body_len.to_le_bytes());
        let tlv_start = header_size as usize + body_len as usize;
        if prot > 0 {
            put(tlv_start, &TLV_PROT_INFO_MAGIC.to_le_bytes());
            put(tlv_start + 2, &prot.to_le_bytes());
        }
        let info = tlv_start + prot as usize;
        put(info, &TLV_INFO_MAGIC.to_le_bytes());
        put(info + 2, &total.to_le_bytes());
        let plain_end = info + total as usize;
        let plain_fits = len >= 32 && header_size >= 32 && info + 4 <= len
            && (prot == 0 || prot >= 4) && total >= 4 && plain_end <= len;
        match Image::parse(&bytes) {
            Ok(_) => unreachable!("no hash TLV was written"),
            Err(McubootError::TlvMissing { .. } | McubootError::TlvTruncated { .. }) => {
                proptest::prop_assert!(plain_fits && plain_end == len);
            }
            Err(McubootError::TrailingBytes { end, count }) => {
                proptest::prop_assert!(plain_fits);
                proptest::prop_assert_eq!(end, plain_end);
                proptest::prop_assert_eq!(end + count, len);
            }
            Err(_) => proptest::prop_assert!(!plain_fits || plain_end != len),
        }
    }
}
