//! The closed chain through the C entry points: signed catalog, manifest first, streamed
//! image, verified facts; and each refusal on the way.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]

use core::ptr::{null, null_mut};
use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

use stepstone::catalog::Catalog;
use stepstone::compact::{PackOptions, pack};
use stepstone::manifest::ManifestFields;
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{KeyId, SignatureFormat, sha256};
use stepstone::signed_catalog::compact::seal;
use stepstone::version::Scheme;

use crate::*;

const NOW: u64 = 1_800_000_000;

struct Fixture {
    image: Vec<u8>,
    manifest_key: SigningKey,
    catalog_key: SigningKey,
    envelope: Vec<u8>,
}

fn fixture() -> Fixture {
    let image: Vec<u8> = (0..1000u32).map(|i| (i * 31 % 251) as u8).collect();
    let digest = sha256(&image);
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let catalog = Catalog::from_json(&format!(
        r#"{{"releases": [
          {{"version": "v66000", "models": ["AG-1", "AG-2"]}},
          {{"version": "v66003", "min_sw_version": "v66000", "sha256": "{}"}},
          {{"version": "v66004", "min_sw_version": "v66000", "yanked": true}},
          {{"version": "v66005", "min_sw_version": "v66000", "models": ["AG-2"]}},
          {{"version": "v66006", "min_sw_version": "v66000", "sha256": "{}"}}]}}"#,
        hex(&digest),
        hex(&[7u8; 32]),
    ))
    .unwrap();
    let opts = PackOptions {
        target: Some("v66003".into()),
        model: Some("AG-1".into()),
        environment: Some("production".into()),
    };
    let compact = pack(&catalog, &opts).unwrap();
    let catalog_key = SigningKey::from_bytes(&[4u8; 32]).unwrap();
    let envelope = seal(&compact, 10, NOW - 100, NOW + 86_400, &catalog_key).unwrap();
    Fixture {
        image,
        manifest_key: SigningKey::from_bytes(&[3u8; 32]).unwrap(),
        catalog_key,
        envelope,
    }
}

fn manifest(f: &Fixture, version: &str, key: &SigningKey) -> (String, Vec<u8>) {
    let fields = ManifestFields {
        scheme: Scheme::Integer,
        version: version.into(),
        min_sw_version: Some("v66000".into()),
        size: f.image.len() as u64,
        sha256: sha256(&f.image),
        models: vec!["AG-1".into()],
        environment: "production".into(),
        expires: NOW + 3_600,
        key_id: key.public_key().key_id(),
    };
    let text = fields.render().unwrap();
    let sig = key.sign(text.as_bytes()).unwrap();
    (text, sig.encode(SignatureFormat::Der).as_bytes().to_vec())
}

fn device(catalog: &[u8], now: u64) -> StepstoneDevice {
    StepstoneDevice {
        model: b"AG-1".as_ptr().cast(),
        model_len: 4,
        environment: b"production".as_ptr().cast(),
        environment_len: 10,
        current_version: b"v66000".as_ptr().cast(),
        current_version_len: 6,
        counter: b"v66000".as_ptr().cast(),
        counter_len: 6,
        now,
        catalog: if catalog.is_empty() {
            null()
        } else {
            catalog.as_ptr()
        },
        catalog_len: catalog.len(),
    }
}

fn ctx() -> StepstoneVerifyCtx {
    StepstoneVerifyCtx {
        opaque: [0; STEPSTONE_VERIFY_CTX_WORDS],
    }
}

const OK: i32 = 0;

fn st(s: StepstoneStatus) -> i32 {
    s as i32
}

/// Opens the fixture's envelope; gives the status and what was opened.
fn open(
    f: &Fixture,
    env: &[u8],
    last: Option<&StepstoneCatalogState>,
    now: u64,
) -> (i32, StepstoneCatalogOpened) {
    let key = f.catalog_key.public_key().to_sec1_uncompressed();
    let mut out = core::mem::MaybeUninit::<StepstoneCatalogOpened>::zeroed();
    // SAFETY: valid pointers and lengths.
    let rc = unsafe {
        stepstone_catalog_open(
            env.as_ptr(),
            env.len(),
            key.as_ptr(),
            key.len(),
            last.map_or(null(), |l| l as *const _),
            now,
            out.as_mut_ptr(),
        )
    };
    // SAFETY: zeroed plain data, possibly written.
    (rc, unsafe { out.assume_init() })
}

/// Runs init_manifest with the fixture's manifest key.
fn init(
    f: &Fixture,
    c: &mut StepstoneVerifyCtx,
    text: &str,
    sig: &[u8],
    dev: &StepstoneDevice,
) -> i32 {
    let key = f.manifest_key.public_key().to_sec1_uncompressed();
    // SAFETY: valid pointers and lengths.
    unsafe {
        stepstone_verify_init_manifest(
            c,
            core::mem::size_of::<StepstoneVerifyCtx>(),
            key.as_ptr(),
            key.len(),
            text.as_ptr(),
            text.len(),
            sig.as_ptr(),
            sig.len(),
            dev,
        )
    }
}

fn update(c: &mut StepstoneVerifyCtx, chunk: &[u8]) -> i32 {
    // SAFETY: valid pointers.
    unsafe { stepstone_verify_update(c, chunk.as_ptr(), chunk.len()) }
}

fn finish(c: &mut StepstoneVerifyCtx, out: &mut StepstoneVerified) -> i32 {
    // SAFETY: valid pointers.
    unsafe { stepstone_verify_finish_checked(c, out) }
}

fn zero_verified() -> StepstoneVerified {
    // SAFETY: plain data; all zero is valid.
    unsafe { core::mem::zeroed() }
}

#[test]
fn the_whole_chain_and_the_facts() {
    let f = fixture();
    let (rc, opened) = open(&f, &f.envelope, None, NOW);
    assert_eq!(rc, OK);
    assert_eq!((opened.sequence, opened.issued), (10, NOW - 100));
    assert_eq!(
        opened.state.sha256,
        sha256(&f.envelope[..f.envelope.len() - 64])
    );
    let payload = &f.envelope[opened.payload_offset..][..opened.payload_len];
    let dev = device(payload, NOW);
    let (text, sig) = manifest(&f, "v66003", &f.manifest_key);
    let mut c = ctx();
    assert_eq!(init(&f, &mut c, &text, &sig, &dev), OK);
    for chunk in f.image.chunks(61) {
        assert_eq!(update(&mut c, chunk), OK);
    }
    let mut out = zero_verified();
    // A NULL out is an argument error: the context survives it.
    // SAFETY: NULL out on purpose.
    assert_eq!(
        unsafe { stepstone_verify_finish_checked(&mut c, null_mut()) },
        st(StepstoneStatus::StepstoneErrNullPointer)
    );
    assert_eq!(finish(&mut c, &mut out), OK);
    assert_eq!(
        &out.version[..7],
        &[
            b'v' as i8, b'6' as i8, b'6' as i8, b'0' as i8, b'0' as i8, b'3' as i8, 0
        ]
    );
    assert_eq!(out.version_len, 6);
    assert_eq!(out.size, 1000);
    assert_eq!(out.sha256, sha256(&f.image));
    assert_eq!(KeyId(out.key_id), f.manifest_key.public_key().key_id());
    assert_eq!(out.expires, NOW + 3_600);
    // Finished: the context is dead.
    assert_eq!(
        finish(&mut c, &mut out),
        st(StepstoneStatus::StepstoneErrBadContext)
    );
}

#[test]
fn endless_data_is_refused_at_the_first_byte_too_many_and_after() {
    let f = fixture();
    let (text, sig) = manifest(&f, "v66003", &f.manifest_key);
    let dev = device(&[], NOW);
    let mut c = ctx();
    assert_eq!(init(&f, &mut c, &text, &sig, &dev), OK);
    assert_eq!(update(&mut c, &f.image[..999]), OK);
    let mismatch = st(StepstoneStatus::StepstoneErrManifestSizeMismatch);
    assert_eq!(update(&mut c, &[0, 0]), mismatch);
    // Smaller chunks after the refused one are refused too.
    assert_eq!(update(&mut c, &[0]), mismatch);
    assert_eq!(update(&mut c, &[]), mismatch);
    let mut out = zero_verified();
    assert_eq!(finish(&mut c, &mut out), mismatch);
}

#[test]
fn every_refusal_has_its_status() {
    let f = fixture();
    let (_, opened) = open(&f, &f.envelope, None, NOW);
    let payload = &f.envelope[opened.payload_offset..][..opened.payload_len];
    let check = |version: &str, key: &SigningKey, dev: &StepstoneDevice| {
        let (text, sig) = manifest(&f, version, key);
        let mut c = ctx();
        init(&f, &mut c, &text, &sig, dev)
    };
    let mk = &f.manifest_key;
    use StepstoneStatus as S;
    assert_eq!(check("v66003", mk, &device(payload, NOW)), OK);
    assert_eq!(
        check("v66003", mk, &device(payload, 0)),
        st(S::StepstoneErrManifestClockUnset)
    );
    assert_eq!(
        check("v66004", mk, &device(payload, NOW)),
        st(S::StepstoneErrManifestYanked)
    );
    assert_eq!(
        check("v66005", mk, &device(payload, NOW)),
        st(S::StepstoneErrManifestNotInCatalog)
    );
    assert_eq!(
        check("v66007", mk, &device(payload, NOW)),
        st(S::StepstoneErrManifestNotInCatalog)
    );
    assert_eq!(
        check("v66006", mk, &device(payload, NOW)),
        st(S::StepstoneErrManifestCatalogDigestMismatch)
    );
    // Role separation: the catalog key cannot sign manifests.
    assert_eq!(
        check("v66003", &f.catalog_key, &device(payload, NOW)),
        st(S::StepstoneErrManifestBadSignature)
    );
    // Without a catalog, the yanked release's manifest passes: the catalog is what stops it.
    assert_eq!(check("v66004", mk, &device(&[], NOW)), OK);
}

#[test]
fn signed_catalog_state_rules() {
    let f = fixture();
    use StepstoneStatus as S;
    let (rc, first) = open(&f, &f.envelope, None, NOW);
    assert_eq!(rc, OK);
    // The same bytes again: fine. An equal sequence with other bytes: refused.
    assert_eq!(open(&f, &f.envelope, Some(&first.state), NOW).0, OK);
    let payload = &f.envelope[first.payload_offset..][..first.payload_len];
    let twin = seal(payload, 10, NOW - 50, NOW + 86_400, &f.catalog_key).unwrap();
    assert_eq!(
        open(&f, &twin, Some(&first.state), NOW).0,
        st(S::StepstoneErrCatalogSequenceReused)
    );
    let older = seal(payload, 9, NOW - 50, NOW + 86_400, &f.catalog_key).unwrap();
    assert_eq!(
        open(&f, &older, Some(&first.state), NOW).0,
        st(S::StepstoneErrCatalogRollback)
    );
    assert_eq!(
        open(&f, &f.envelope, None, 0).0,
        st(S::StepstoneErrCatalogClockUnset)
    );
    assert_eq!(
        open(&f, &f.envelope, Some(&first.state), NOW - 101).0,
        st(S::StepstoneErrCatalogClockBehind)
    );
    assert_eq!(
        open(&f, &f.envelope, None, NOW + 86_400).0,
        st(S::StepstoneErrCatalogExpired)
    );
    let by_manifest_key = seal(payload, 11, NOW, NOW + 86_400, &f.manifest_key).unwrap();
    assert_eq!(
        open(&f, &by_manifest_key, None, NOW).0,
        st(S::StepstoneErrCatalogUnknownKey)
    );
    let mut flipped = f.envelope.clone();
    flipped[80] ^= 1;
    assert_eq!(
        open(&f, &flipped, None, NOW).0,
        st(S::StepstoneErrCatalogBadSignature)
    );
    assert_eq!(
        open(&f, &f.envelope[..100], None, NOW).0,
        st(S::StepstoneErrCatalogMalformed)
    );
    let not_compact = seal(
        b"this is not a compact catalog at all",
        12,
        NOW,
        NOW + 86_400,
        &f.catalog_key,
    )
    .unwrap();
    assert_eq!(
        open(&f, &not_compact, None, NOW).0,
        st(S::StepstoneErrCompactBadMagic)
    );
    // NULL out.
    let key = f.catalog_key.public_key().to_sec1_uncompressed();
    // SAFETY: NULL out on purpose.
    let rc = unsafe {
        stepstone_catalog_open(
            f.envelope.as_ptr(),
            f.envelope.len(),
            key.as_ptr(),
            key.len(),
            null(),
            NOW,
            null_mut(),
        )
    };
    assert_eq!(rc, st(S::StepstoneErrNullPointer));
}

#[test]
fn misaligned_or_small_contexts_are_refused_not_faulted() {
    let f = fixture();
    let (text, sig) = manifest(&f, "v66003", &f.manifest_key);
    let dev = device(&[], NOW);
    let key = f.manifest_key.public_key().to_sec1_uncompressed();
    let mut buf = [0u64; STEPSTONE_VERIFY_CTX_WORDS + 1];
    let bad = st(StepstoneStatus::StepstoneErrBadArgument);
    for offset in 1..8 {
        let p = unsafe { buf.as_mut_ptr().cast::<u8>().add(offset) }.cast::<StepstoneVerifyCtx>();
        // SAFETY: `p` points into `buf` with room for a context; misaligned on purpose.
        unsafe {
            assert_eq!(stepstone_verify_init(p, STEPSTONE_VERIFY_CTX_SIZE), bad);
            assert_eq!(
                stepstone_verify_init_manifest(
                    p,
                    STEPSTONE_VERIFY_CTX_SIZE,
                    key.as_ptr(),
                    key.len(),
                    text.as_ptr(),
                    text.len(),
                    sig.as_ptr(),
                    sig.len(),
                    &dev
                ),
                bad
            );
            assert_eq!(stepstone_verify_update(p, null(), 0), bad);
            assert_eq!(stepstone_verify_finish_checked(p, null_mut()), bad);
        }
    }
    let mut c = ctx();
    // SAFETY: valid context, too small a size given.
    assert_eq!(
        unsafe { stepstone_verify_init(&mut c, STEPSTONE_VERIFY_CTX_SIZE - 1) },
        bad
    );
    // An unaligned device struct and out struct are read and written safely.
    let mut raw = [0u8; core::mem::size_of::<StepstoneDevice>() + 1];
    // SAFETY: `raw` has room; write_unaligned needs no alignment.
    unsafe {
        raw.as_mut_ptr()
            .add(1)
            .cast::<StepstoneDevice>()
            .write_unaligned(device(&[], NOW));
        assert_eq!(
            stepstone_verify_init_manifest(
                &mut c,
                STEPSTONE_VERIFY_CTX_SIZE,
                key.as_ptr(),
                key.len(),
                text.as_ptr(),
                text.len(),
                sig.as_ptr(),
                sig.len(),
                raw.as_ptr().add(1).cast()
            ),
            OK
        );
    }
}

#[test]
fn a_failed_finish_keeps_the_hash_for_another_key() {
    let f = fixture();
    let sig = f
        .manifest_key
        .sign(&f.image)
        .unwrap()
        .encode(SignatureFormat::Der);
    let right = f.manifest_key.public_key().to_sec1_uncompressed();
    let wrong = f.catalog_key.public_key().to_sec1_uncompressed();
    let mut c = ctx();
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(stepstone_verify_init(&mut c, STEPSTONE_VERIFY_CTX_SIZE), OK);
        assert_eq!(
            stepstone_verify_update(&mut c, f.image.as_ptr(), f.image.len()),
            OK
        );
        let s = sig.as_bytes();
        assert_eq!(
            stepstone_verify_finish_key(&mut c, wrong.as_ptr(), wrong.len(), s.as_ptr(), s.len()),
            st(StepstoneStatus::StepstoneErrSignatureInvalid)
        );
        // The image is closed: no more bytes; the next key is tried on the kept digest.
        assert_eq!(
            stepstone_verify_update(&mut c, b"x".as_ptr(), 1),
            st(StepstoneStatus::StepstoneErrBadContext)
        );
        assert_eq!(
            stepstone_verify_finish_key(&mut c, right.as_ptr(), right.len(), s.as_ptr(), s.len()),
            OK
        );
        assert_eq!(
            stepstone_verify_finish_key(&mut c, right.as_ptr(), right.len(), s.as_ptr(), s.len()),
            st(StepstoneStatus::StepstoneErrBadContext)
        );
    }
}

#[test]
fn booleans_cross_as_bytes() {
    let mut p = core::mem::MaybeUninit::<StepstoneRetryPolicy>::uninit();
    let mut d = 0u64;
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(stepstone_retry_policy_default(p.as_mut_ptr()), OK);
        let mut p = p.assume_init();
        assert_eq!(p.kinds[0].retry, 1);
        p.kinds[0].retry = 2;
        assert_eq!(
            stepstone_retry_backoff(&p, 0, 1, null(), 0, null(), 0, 1, &mut d),
            st(StepstoneStatus::StepstoneErrBadArgument)
        );
    }
}

#[test]
fn next_hop_output_may_overlap_the_catalog() {
    let f = fixture();
    let (_, opened) = open(&f, &f.envelope, None, NOW);
    let mut cat = f.envelope[opened.payload_offset..][..opened.payload_len].to_vec();
    let mut n = 0usize;
    let p = cat.as_mut_ptr();
    // SAFETY: `out` is the catalog's own buffer, on purpose.
    let rc = unsafe {
        stepstone_next_hop(
            p,
            cat.len(),
            b"v66000".as_ptr().cast(),
            6,
            null(),
            0,
            p,
            cat.len(),
            &mut n,
        )
    };
    assert_eq!(rc, OK);
    assert_eq!(&cat[..n], b"v66003");
}

#[test]
fn facts_are_not_written_over_the_context() {
    let f = fixture();
    let (text, sig) = manifest(&f, "v66003", &f.manifest_key);
    let dev = device(&[], NOW);
    let mut c = ctx();
    assert_eq!(init(&f, &mut c, &text, &sig, &dev), OK);
    assert_eq!(update(&mut c, &f.image), OK);
    let inside = (&raw mut c)
        .cast::<u8>()
        .wrapping_add(8)
        .cast::<StepstoneVerified>();
    // SAFETY: `inside` points into the context, on purpose; it is refused before any write.
    assert_eq!(
        unsafe { stepstone_verify_finish_checked(&mut c, inside) },
        st(StepstoneStatus::StepstoneErrBadArgument)
    );
    let mut out = zero_verified();
    assert_eq!(finish(&mut c, &mut out), OK);
    assert_eq!(out.size, 1000);
}
