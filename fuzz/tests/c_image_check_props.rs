//! The endless-data property through the device's C entry points: after
//! `stepstone_verify_init_manifest`, no sequence of `stepstone_verify_update` calls whose total
//! goes past the manifest's declared size is ever accepted, whatever the chunking; the first
//! chunk past it and every call after it (empty chunks, `stepstone_verify_finish_checked`) get
//! `STEPSTONE_ERR_MANIFEST_SIZE_MISMATCH`. Each call also answers as core's `ImageCheck` does on
//! the same chunks (`core/tests/image_check_props.rs` holds that one to the property), and the
//! context may sit anywhere 8-byte aligned in a caller's buffer.
//!
//! Run: `cd fuzz && cargo test --test c_image_check_props` (stable is enough).

use proptest::prelude::*;
use stepstone::manifest::{Manifest, ManifestFields};
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{SignatureFormat, sha256};
use stepstone::version::Scheme;
use stepstone_device::*;

/// Cases per property.
const CASES: u32 = 1_000;
const NOW: u64 = 1_800_000_000;
const SIZE_MISMATCH: i32 = StepstoneStatus::StepstoneErrManifestSizeMismatch as i32;

struct Signed {
    text: String,
    sig: Vec<u8>,
    key: [u8; 65],
}

fn signed(image: &[u8], digest_ok: bool) -> Signed {
    let k = SigningKey::from_bytes(&[3u8; 32]).unwrap();
    let mut sha = sha256(image);
    if !digest_ok {
        sha[0] ^= 1;
    }
    let text = ManifestFields {
        scheme: Scheme::Integer,
        version: "v66003".into(),
        min_sw_version: Some("v66000".into()),
        size: image.len() as u64,
        sha256: sha,
        models: vec!["AG-1".into()],
        environment: "production".into(),
        expires: NOW + 3_600,
        key_id: k.public_key().key_id(),
    }
    .render()
    .unwrap();
    let sig = k.sign(text.as_bytes()).unwrap();
    Signed {
        sig: sig.encode(SignatureFormat::Der).as_bytes().to_vec(),
        key: k.public_key().to_sec1_uncompressed(),
        text,
    }
}

fn device() -> StepstoneDevice {
    StepstoneDevice {
        model: b"AG-1".as_ptr().cast(),
        model_len: 4,
        environment: b"production".as_ptr().cast(),
        environment_len: 10,
        current_version: b"v66000".as_ptr().cast(),
        current_version_len: 6,
        counter: b"v66000".as_ptr().cast(),
        counter_len: 6,
        now: NOW,
        catalog: core::ptr::null(),
        catalog_len: 0,
    }
}

/// A caller's buffer with room for a context at any 8-byte offset up to 64.
#[repr(C, align(8))]
struct Buf([u8; STEPSTONE_VERIFY_CTX_SIZE + 64]);

fn parts<'a>(stream: &'a [u8], lens: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let (mut at, mut i) = (0, 0);
    while at < stream.len() && i < 10_000 {
        let n = if lens.is_empty() {
            stream.len()
        } else {
            lens[i % lens.len()]
        };
        let end = (at + n).min(stream.len());
        out.push(&stream[at..end]);
        at = end;
        i += 1;
    }
    // Chunk lengths that are all (or nearly all) zero stop at the cap with bytes left over;
    // the rest goes in one last chunk, so the whole stream is always offered.
    if at < stream.len() {
        out.push(&stream[at..]);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn nothing_past_the_size_is_accepted_through_c(
        image in prop::collection::vec(any::<u8>(), 0..2_500),
        tail in prop::collection::vec(any::<u8>(), 0..600),
        lens in prop::collection::vec(0usize..700, 0..40),
        empties_after in 0usize..4,
        digest_ok in any::<bool>(),
        slot in 0usize..9,
    ) {
        let s = signed(&image, digest_ok);
        let m = Manifest::parse(s.text.as_bytes()).unwrap();
        let mut rust = m.image_check();
        let mut buf = Buf([0; STEPSTONE_VERIFY_CTX_SIZE + 64]);
        // SAFETY: in bounds; 8-byte aligned (the buffer is, the offset is a multiple of 8).
        let ctx = unsafe { buf.0.as_mut_ptr().add(slot * 8) }.cast::<StepstoneVerifyCtx>();
        let dev = device();
        // SAFETY: valid pointers and lengths; the context lies inside `buf`.
        let st = unsafe {
            stepstone_verify_init_manifest(
                ctx,
                STEPSTONE_VERIFY_CTX_SIZE,
                s.key.as_ptr(),
                s.key.len(),
                s.text.as_ptr(),
                s.text.len(),
                s.sig.as_ptr(),
                s.sig.len(),
                &dev,
            )
        };
        prop_assert_eq!(st, 0);
        let stream: Vec<u8> = image.iter().chain(&tail).copied().collect();
        let size = image.len() as u64;
        let mut total = 0u64;
        let mut refused = false;
        for p in parts(&stream, &lens) {
            // SAFETY: a live context; `p` valid for its length.
            let st = unsafe { stepstone_verify_update(ctx, p.as_ptr(), p.len()) };
            let r = rust.update(p);
            prop_assert_eq!(st == 0, r.is_ok(), "C and core disagree on a chunk");
            if refused || total + p.len() as u64 > size {
                prop_assert_eq!(st, SIZE_MISMATCH, "a chunk past the size, or after a refusal");
                refused = true;
            } else {
                prop_assert_eq!(st, 0);
                total += p.len() as u64;
            }
        }
        if refused {
            for _ in 0..empties_after {
                // SAFETY: as above; NULL with length 0 is the empty chunk.
                let st = unsafe { stepstone_verify_update(ctx, core::ptr::null(), 0) };
                prop_assert_eq!(st, SIZE_MISMATCH, "an empty chunk after the refusal");
            }
        }
        let mut out = core::mem::MaybeUninit::<StepstoneVerified>::zeroed();
        // SAFETY: as above; `out` valid for a write.
        let st = unsafe { stepstone_verify_finish_checked(ctx, out.as_mut_ptr()) };
        let r = rust.finish();
        prop_assert_eq!(st == 0, r.is_ok(), "C and core disagree at finish");
        let offered = stream.len() as u64;
        if offered > size {
            prop_assert!(refused);
            prop_assert_eq!(st, SIZE_MISMATCH, "finish after a refusal");
        } else if digest_ok {
            prop_assert_eq!(st, 0);
            // SAFETY: written by the call.
            let v = unsafe { out.assume_init() };
            prop_assert_eq!((v.size, v.sha256), (size, sha256(&image)));
        } else {
            prop_assert_eq!(st, StepstoneStatus::StepstoneErrManifestDigestMismatch as i32);
        }
    }
}

/// `parts` offers the whole stream whatever the lengths, zeros included (a run of all-zero
/// lengths once left the stream unsent and failed the property for the wrong reason).
#[test]
fn parts_always_offer_the_whole_stream() {
    let stream: Vec<u8> = (0..3_100u32).map(|i| i as u8).collect();
    for lens in [&[][..], &[0], &[0, 0, 0], &[0, 1], &[699], &[1, 0, 5]] {
        let joined: Vec<u8> = parts(&stream, lens).concat();
        assert_eq!(joined, stream, "lens {lens:?}");
    }
}
