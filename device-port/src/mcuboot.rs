//! The C entry point for MCUboot images (`imgtool sign`): `stepstone_mcuboot_check`. The
//! parsing and checks are core's (`stepstone::mcuboot`); this converts and maps.

use core::ffi::c_char;

use stepstone::mcuboot;
use stepstone::signature::PublicKey;

use crate::boundary;
use crate::ffi::{bytes, put};
use crate::status::StepstoneStatus;

type Status = StepstoneStatus;

/// Bytes of `StepstoneMcubootInfo::version`: `255.255.65535.4294967295` and its NUL.
pub const STEPSTONE_MCUBOOT_VERSION_MAX: usize = 25;

/// What a checked MCUboot image says of itself.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct StepstoneMcubootInfo {
    /// Image version (`ih_ver`): major.
    pub major: u8,
    /// Minor.
    pub minor: u8,
    /// Revision.
    pub revision: u16,
    /// Build number.
    pub build: u32,
    /// The version as stepstone spells it in the `dotted` scheme, `major.minor.revision.build`,
    /// NUL-terminated: what the manifest's `version` must be (docs/device.md, "MCUboot").
    pub version: [c_char; STEPSTONE_MCUBOOT_VERSION_MAX],
    /// Bytes in `version` before the NUL.
    pub version_len: usize,
    /// 1 when the image has a security counter TLV in its protected area, else 0.
    pub has_security_counter: u8,
    /// The security counter (0 when `has_security_counter` is 0).
    pub security_counter: u32,
    /// The image hash: SHA-256 of header, body and protected TLVs (its SHA-256 TLV).
    pub hash: [u8; 32],
    /// Where the TLVs start: header plus body bytes (`ih_hdr_size + ih_img_size`).
    pub tlv_offset: usize,
}

/// Checks an MCUboot image as `imgtool sign` makes it, with an ECDSA P-256 key, as MCUboot
/// checks it at boot: header and TLV areas well formed and inside `len`, the SHA-256 TLV equal
/// to the SHA-256 of header, body and protected TLVs, the key hash (or public key) TLV naming
/// `key`, and the ECDSA signature TLV verifying with `key` over that SHA-256. Call it on the
/// downloaded slot before requesting the upgrade, so the device never reboots into an image
/// the bootloader refuses.
///
/// `key` is the key MCUboot holds, as DER SubjectPublicKeyInfo (`openssl pkey -in key.pem
/// -pubout -outform DER` of the imgtool key) or a 65-byte uncompressed SEC1 point. On success `*out`
/// (required) gets the version and security counter; on failure it is not written. Statuses:
/// `STEPSTONE_ERR_MCUBOOT_*` (one per failure, docs/errors.md), `..._SIGNATURE_KEY_MALFORMED` /
/// `..._KEY_UNSUPPORTED` for the key, `..._NULL_POINTER`.
///
/// # Safety
/// `image` and `key` NULL (with length 0) or valid for their length; `out` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_mcuboot_check(
    image: *const u8,
    image_len: usize,
    key: *const u8,
    key_len: usize,
    out: *mut StepstoneMcubootInfo,
) -> i32 {
    boundary(|| {
        if out.is_null() {
            return Err(Status::StepstoneErrNullPointer);
        }
        // SAFETY: the caller's promises.
        let (image, key) = unsafe { (bytes(image, image_len)?, bytes(key, key_len)?) };
        let key = PublicKey::parse_uncompressed(key).map_err(Status::of)?;
        let info = mcuboot::check(image, &key).map_err(Status::of)?;
        let dotted = info.version.to_dotted();
        let text = dotted.as_str().as_bytes();
        let mut version = [0 as c_char; STEPSTONE_MCUBOOT_VERSION_MAX];
        for (slot, &b) in version.iter_mut().zip(text) {
            *slot = b as c_char;
        }
        let c = StepstoneMcubootInfo {
            major: info.version.major,
            minor: info.version.minor,
            revision: info.version.revision,
            build: info.version.build,
            version,
            version_len: text.len(),
            has_security_counter: u8::from(info.security_counter.is_some()),
            security_counter: info.security_counter.unwrap_or(0),
            hash: info.hash,
            tlv_offset: info.tlv_offset,
        };
        // SAFETY: checked non-NULL; the caller promises it is valid for a write.
        unsafe { put(out, c) }
    })
}
