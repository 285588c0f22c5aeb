//! MCUboot image reading (`stepstone::mcuboot`) on any bytes: never a panic or an out-of-bounds
//! read, the C entry point answers what core answers, every TLV `Image::parse` accepts lies in
//! the image, and, with the first byte odd, edits to a signed image (the rest of the input XORed
//! in from a chosen offset) are accepted only when they change nothing.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stepstone::error::ErrorCode;
use stepstone::mcuboot::{self, Image};
use stepstone::signature::PublicKey;
use stepstone_device::{StepstoneMcubootInfo, StepstoneStatus, stepstone_mcuboot_check};

fuzz_target!(|data: &[u8]| {
    static EXAMPLE: OnceLock<(PublicKey, Vec<u8>)> = OnceLock::new();
    let (key, signed) = EXAMPLE.get_or_init(mcuboot::doc_example);
    let (key, signed) = (*key, signed.clone());
    let image: Vec<u8> = match data.split_first() {
        Some((&mode, rest)) if mode & 1 == 1 && !rest.is_empty() => {
            let mut image = signed.clone();
            let at = usize::from(rest[0]) * 2 % image.len();
            for (i, b) in rest[1..].iter().enumerate() {
                if let Some(slot) = image.get_mut(at + i) {
                    *slot ^= b;
                }
            }
            if rest.len() % 3 == 0 {
                image.truncate(image.len().saturating_sub(usize::from(rest[0] % 8)));
            }
            image
        }
        _ => data.to_vec(),
    };
    let core = mcuboot::check(&image, &key);
    if core.is_ok() {
        assert_eq!(image, signed, "an edited image was accepted");
    }
    if let Ok(parsed) = Image::parse(&image) {
        for t in parsed.tlvs() {
            let start = t.value.as_ptr() as usize - image.as_ptr() as usize;
            assert!(start + t.value.len() <= image.len());
            assert_eq!(t.offset + 4, start);
        }
    }
    let point = key.to_sec1_uncompressed();
    let mut info: StepstoneMcubootInfo = unsafe { std::mem::zeroed() };
    let st = unsafe {
        stepstone_mcuboot_check(image.as_ptr(), image.len(), point.as_ptr(), point.len(), &mut info)
    };
    match core {
        Ok(i) => {
            assert_eq!(st, 0);
            assert_eq!(info.security_counter, i.security_counter.unwrap_or(0));
        }
        Err(e) => assert_eq!(st, StepstoneStatus::from_code(e.code()) as i32, "{e}"),
    }
});
