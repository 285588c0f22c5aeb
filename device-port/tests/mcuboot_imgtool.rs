//! MCUboot images that imgtool makes now (device-port/tests/mcuboot_images.py: good ones, and
//! broken ones: tampered body, wrong key, missing TLVs, truncated TLV area, ...) through
//! `stepstone_mcuboot_check` and through core's `stepstone::mcuboot::check`, each with the
//! status and facts the case expects.
//!
//! It needs imgtool 2.5.0 (scripts/setup-device.sh installs it into .venv-device), so it is
//! ignored by a plain `cargo test`; scripts/test-device.sh runs it with
//! `cargo test -p stepstone-device --test mcuboot_imgtool -- --ignored` and
//! `STEPSTONE_DEVICE_VENV` pointing at that virtualenv (default: `.venv-device` at the
//! repository root).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::Command;

use stepstone::error::ErrorCode;
use stepstone::signature::PublicKey;
use stepstone_device::{StepstoneMcubootInfo, StepstoneStatus, stepstone_mcuboot_check};

fn images() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let venv = std::env::var_os("STEPSTONE_DEVICE_VENV")
        .map_or_else(|| root.join(".venv-device"), PathBuf::from);
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup-device.sh (it installs imgtool 2.5.0)",
        python.display()
    );
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mcuboot-images");
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(&python)
        .arg(root.join("device-port/tests/mcuboot_images.py"))
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "mcuboot_images.py failed: {status}");
    out
}

fn check(image: &[u8], key: &[u8]) -> (i32, StepstoneMcubootInfo) {
    // SAFETY: plain data, all zeros is a valid value.
    let mut info: StepstoneMcubootInfo = unsafe { std::mem::zeroed() };
    // SAFETY: slices valid for their lengths; `info` valid for a write.
    let st = unsafe {
        stepstone_mcuboot_check(
            image.as_ptr(),
            image.len(),
            key.as_ptr(),
            key.len(),
            &mut info,
        )
    };
    (st, info)
}

#[test]
#[ignore = "needs imgtool (scripts/setup-device.sh); scripts/test-device.sh runs it"]
fn imgtool_images_get_the_status_each_case_expects() {
    let dir = images();
    let cases = std::fs::read_to_string(dir.join("cases.tsv")).unwrap();
    let mut ran = 0;
    let mut good = 0;
    for line in cases.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let [name, file, key_file, want, version, counter] = f[..] else {
            panic!("bad line {line:?}")
        };
        let image = std::fs::read(dir.join(file)).unwrap();
        let key = std::fs::read(dir.join(key_file)).unwrap();
        let (st, info) = check(&image, &key);
        let want_status = if want == "ok" {
            StepstoneStatus::StepstoneOk
        } else {
            StepstoneStatus::from_code(want)
        };
        assert_ne!(
            want_status,
            StepstoneStatus::StepstoneErrUnknown,
            "{name}: {want}"
        );
        assert_eq!(st, want_status as i32, "{name}: want {want}");
        // Core answers the same, with the same code.
        let core = stepstone::mcuboot::check(&image, &PublicKey::parse_uncompressed(&key).unwrap());
        match &core {
            Ok(_) => assert_eq!(want, "ok", "{name}"),
            Err(e) => assert_eq!(e.code(), want, "{name}: {e}"),
        }
        if want == "ok" {
            good += 1;
            let text = std::str::from_utf8(
                &info.version[..info.version_len]
                    .iter()
                    .map(|&c| c as u8)
                    .collect::<Vec<_>>(),
            )
            .unwrap()
            .to_owned();
            assert_eq!(text, version, "{name}");
            assert_eq!(info.version[info.version_len], 0, "{name}: NUL");
            match counter {
                "-" => assert_eq!(info.has_security_counter, 0, "{name}"),
                n => {
                    assert_eq!(info.has_security_counter, 1, "{name}");
                    assert_eq!(info.security_counter, n.parse::<u32>().unwrap(), "{name}");
                }
            }
            assert_eq!(info.hash, core.unwrap().hash, "{name}");
            // imgtool's own reading of the image agrees on where the TLVs start.
            let hdr = u16::from_le_bytes([image[8], image[9]]) as usize;
            let body = u32::from_le_bytes([image[12], image[13], image[14], image[15]]) as usize;
            assert_eq!(info.tlv_offset, hdr + body, "{name}");
            // Every byte of a good image matters: one flipped anywhere is refused.
            for i in (0..image.len()).step_by(7) {
                let mut bad = image.clone();
                bad[i] ^= 0x40;
                assert_ne!(
                    check(&bad, &key).0,
                    0,
                    "{name}: byte {i} flipped was accepted"
                );
            }
            // With the other key, refused.
            let other = std::fs::read(dir.join("other.der")).unwrap();
            assert_eq!(
                check(&image, &other).0,
                StepstoneStatus::StepstoneErrMcubootKeyMismatch as i32,
                "{name}"
            );
        }
        ran += 1;
    }
    assert!(ran >= 25 && good >= 6, "{ran} cases, {good} good");
}

#[test]
fn bad_arguments_get_their_status() {
    let mut info: StepstoneMcubootInfo = unsafe { std::mem::zeroed() };
    let key = [4u8; 65];
    // SAFETY: NULL with length 0 is the empty slice; lengths match.
    unsafe {
        assert_eq!(
            stepstone_mcuboot_check(std::ptr::null(), 0, key.as_ptr(), 65, std::ptr::null_mut()),
            StepstoneStatus::StepstoneErrNullPointer as i32
        );
        assert_eq!(
            stepstone_mcuboot_check(std::ptr::null(), 10, key.as_ptr(), 65, &mut info),
            StepstoneStatus::StepstoneErrNullPointer as i32
        );
        assert_eq!(
            stepstone_mcuboot_check(b"x".as_ptr(), 1, b"PEM".as_ptr(), 3, &mut info),
            StepstoneStatus::StepstoneErrSignatureKeyMalformed as i32
        );
        // A key that is not on the curve.
        assert_eq!(
            stepstone_mcuboot_check(b"x".as_ptr(), 1, key.as_ptr(), 65, &mut info),
            StepstoneStatus::StepstoneErrSignatureKeyMalformed as i32
        );
    }
}
