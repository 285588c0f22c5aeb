//! The endless-data property of `manifest::ImageCheck` (`Manifest::image_check()`): no sequence
//! of `update` calls whose total goes past the manifest's declared size is ever accepted,
//! whatever the chunking; the first chunk that would go past it is refused (unhashed), and so is
//! every call after it (an empty chunk, a short one, `finish`). Accepted exactly when the
//! streamed bytes are the declared image, whole. The same property through the device's C entry
//! points is `fuzz/tests/c_image_check_props.rs`.

use proptest::prelude::*;
use stepstone::error::ErrorCode;
use stepstone::manifest::{ImageCheck, Manifest, ManifestError, ManifestFields};
use stepstone::signature::{KeyId, sha256};
use stepstone::version::Scheme;

/// Cases per property (the suite runs 3 properties).
const CASES: u32 = 2_000;

/// A manifest declaring `image` (size and SHA-256), or another digest when `digest_ok` is false.
fn manifest_text(image: &[u8], digest_ok: bool) -> String {
    let mut sha = sha256(image);
    if !digest_ok {
        sha[31] ^= 0x80;
    }
    ManifestFields {
        scheme: Scheme::Integer,
        version: "v66003".into(),
        min_sw_version: Some("v66000".into()),
        size: image.len() as u64,
        sha256: sha,
        models: vec!["AG-1".into()],
        environment: "production".into(),
        expires: 1_900_000_000,
        key_id: KeyId([7; 32]),
    }
    .render()
    .unwrap()
}

/// Splits `stream` at the given chunk lengths (cycled; a 0 is an empty chunk); the last chunk
/// takes what is left, so the whole stream is always offered (lengths that are all zero stop at
/// the cap and leave the rest to it).
fn chunks<'a>(stream: &'a [u8], lens: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < stream.len() && i <= 10_000 {
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
    if at < stream.len() {
        out.push(&stream[at..]);
    }
    out
}

/// `chunks` offers the whole stream whatever the lengths, zeros included (all-zero lengths once
/// left it unsent, and the property failed for the wrong reason).
#[test]
fn chunks_always_offer_the_whole_stream() {
    let stream: Vec<u8> = (0..3_600u32).map(|i| i as u8).collect();
    for lens in [&[][..], &[0], &[0, 0, 0], &[0, 1], &[699], &[1, 0, 5]] {
        assert_eq!(chunks(&stream, lens).concat(), stream, "lens {lens:?}");
    }
}

fn is_size_mismatch(e: &ManifestError) -> bool {
    e.code() == "manifest.size_mismatch"
}

/// Streams `parts` through `check`, then `after` more calls; returns the index of the first
/// refused part (None if all were accepted), asserting the property on the way.
fn run(check: &mut ImageCheck, size: u64, parts: &[&[u8]], after: &[Vec<u8>]) -> Option<usize> {
    let mut total = 0u64;
    let mut refused: Option<usize> = None;
    for (i, p) in parts.iter().enumerate() {
        let r = check.update(p);
        match refused {
            Some(_) => {
                let e = r.expect_err("a call after the first refusal was accepted");
                assert!(is_size_mismatch(&e), "{e:?}");
            }
            None if total + p.len() as u64 > size => {
                let e = r.expect_err("a chunk past the declared size was accepted");
                assert!(is_size_mismatch(&e), "{e:?}");
                refused = Some(i);
            }
            None => {
                r.expect("a chunk within the declared size was refused");
                total += p.len() as u64;
                assert_eq!(check.remaining(), size - total);
            }
        }
    }
    if refused.is_some() {
        for extra in after {
            let e = check
                .update(extra)
                .expect_err("a call after the refusal was accepted");
            assert!(is_size_mismatch(&e), "{e:?}");
            // A copy of a refused check is refused too.
            assert!(check.clone().update(&[]).is_err());
        }
    }
    refused
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// The declared image plus any tail, in any chunking: refused at the first chunk that
    /// crosses the size, for every later call, and at `finish`; accepted only with no tail,
    /// whole, with the declared digest.
    #[test]
    fn nothing_past_the_size_is_accepted(
        image in prop::collection::vec(any::<u8>(), 0..3_000),
        tail in prop::collection::vec(any::<u8>(), 0..600),
        lens in prop::collection::vec(0usize..700, 0..40),
        after in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 0..4),
        digest_ok in any::<bool>(),
    ) {
        let text = manifest_text(&image, digest_ok);
        let m = Manifest::parse(text.as_bytes()).unwrap();
        let size = m.size;
        let stream: Vec<u8> = image.iter().chain(&tail).copied().collect();
        let parts = chunks(&stream, &lens);
        let mut check = m.image_check();
        let refused = run(&mut check, size, &parts, &after);
        let offered = stream.len() as u64;
        let r = check.finish();
        if offered > size {
            prop_assert!(refused.is_some(), "{offered} bytes offered past a size of {size}");
            let e = r.expect_err("finish after a refusal");
            prop_assert!(is_size_mismatch(&e));
        } else if digest_ok {
            prop_assert_eq!(r.expect("the declared image, whole"), sha256(&image));
        } else {
            prop_assert_eq!(r.unwrap_err().code(), "manifest.digest_mismatch");
        }
    }

    /// A short stream (any prefix of the image) is never accepted, whatever the chunking.
    #[test]
    fn a_short_image_is_refused(
        image in prop::collection::vec(any::<u8>(), 1..3_000),
        cut in any::<prop::sample::Index>(),
        lens in prop::collection::vec(0usize..700, 0..40),
    ) {
        let text = manifest_text(&image, true);
        let m = Manifest::parse(text.as_bytes()).unwrap();
        let short = &image[..cut.index(image.len())];
        let mut check = m.image_check();
        for p in chunks(short, &lens) {
            prop_assert!(check.update(p).is_ok());
        }
        prop_assert!(is_size_mismatch(&check.finish().unwrap_err()));
    }

    /// Arbitrary chunk contents and sizes against an arbitrary declared size (not the image's):
    /// the accepted total never exceeds the size, and a refusal is permanent.
    #[test]
    fn any_chunks_any_size(
        declared in prop_oneof![0u64..2_000, Just(0u64), Just(1u64)],
        parts in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..500), 0..30),
    ) {
        let image = vec![0u8; declared as usize];
        let text = manifest_text(&image, true);
        let m = Manifest::parse(text.as_bytes()).unwrap();
        let slices: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let mut check = m.image_check();
        let refused = run(&mut check, declared, &slices, &[vec![], vec![1]]);
        let offered: u64 = parts.iter().map(|p| p.len() as u64).sum();
        prop_assert_eq!(refused.is_some(), offered > declared);
        if refused.is_some() {
            prop_assert!(check.finish().is_err());
        }
    }
}
