//! MCUboot images, as `imgtool sign` makes them: read the header and the TLV areas, then check
//! the SHA-256 TLV and the ECDSA P-256 signature TLV as MCUboot does at boot, so that an OTA
//! agent refuses before rebooting an image the bootloader would refuse after.
//!
//! The format (MCUboot's `bootutil/image.h`, `tlv.c`, `image_validate.c`; imgtool's
//! `image.py`), all integers little-endian:
//!
//! ```text
//! header (ih_hdr_size bytes, at least 32)
//!   0  u32 magic 0x96f3b83d      4 u32 load address     8 u16 header size
//!  10  u16 protected TLV size   12 u32 body size        16 u32 flags
//!  20  u8 major, u8 minor, u16 revision, u32 build     28 u32 padding
//! body (ih_img_size bytes)
//! protected TLV area (ih_protect_tlv_size bytes; absent when 0):
//!   u16 magic 0x6908, u16 total (= ih_protect_tlv_size, info included), then TLVs
//! TLV area: u16 magic 0x6907, u16 total (info included), then TLVs
//! TLV: u16 type, u16 length, length bytes
//! ```
//!
//! What is hashed: header, body and the protected TLV area (everything before the TLV area).
//! The SHA-256 TLV (type `0x10`) holds that hash; the ECDSA signature TLV (`0x22`) is a DER
//! ECDSA P-256 signature (imgtool `--pad-sig` adds up to 2 zero bytes, accepted) **over that
//! 32-byte hash** (imgtool `sign_digest`, MCUboot
//! `bootutil_verify_sig(hash, ...)`), which is exactly what [`PublicKey::verify_digest`]
//! checks. The key hash TLV (`0x01`) is the SHA-256 of the signing key's DER
//! SubjectPublicKeyInfo (what `imgtool getpub` embeds in the bootloader); with
//! `--public-key-format full` the public key TLV (`0x02`) holds that DER itself. The security
//! counter (`0x50`, a `u32`) counts only in the protected area.
//!
//! [`check`] refuses, each with its own [`McubootError`] (code `mcuboot.*`): a buffer shorter
//! than the header or than the sizes the header gives, a wrong magic, a header size below 32,
//! an encrypted or compressed image, a wrong TLV info magic or size (the protected area's must
//! equal the header's), a TLV that runs past its area, a hash, signature, key or counter TLV
//! given twice or of the wrong length, a missing hash, key (key hash or public key) or
//! signature TLV (MCUboot's default build counts a signature only after a key TLV naming a key
//! it holds), a security counter
//! outside the protected area or a key TLV after the signature (MCUboot would ignore that
//! signature), bytes after the TLV area, a key TLV for another key, a hash or signature that
//! does not verify. Other TLV types are skipped, as MCUboot skips them. No input is read out
//! of bounds: every offset is checked against the slice (`get`, never indexing).
//!
//! ```
//! use stepstone::mcuboot::{self, ImageVersion};
//! use stepstone::error::ErrorCode;
//! # let (key, image) = stepstone::mcuboot::doc_example();
//! let info = mcuboot::check(&image, &key).unwrap();
//! assert_eq!(info.version, ImageVersion { major: 1, minor: 2, revision: 3, build: 4 });
//! assert_eq!(info.version.to_dotted().as_str(), "1.2.3.4");
//! assert_eq!(info.security_counter, Some(0x0102_0003));
//!
//! let mut tampered = image.clone();
//! tampered[40] ^= 1; // a body byte
//! assert_eq!(mcuboot::check(&tampered, &key).unwrap_err().code(), "mcuboot.hash_mismatch");
//! ```

use core::fmt;

use crate::error::{Code, ErrorCode, Registered, codes};
use crate::signature::{Digest, ImageHasher, PublicKey, Signature};

/// MCUboot's image header magic (`IMAGE_MAGIC`).
pub const IMAGE_MAGIC: u32 = 0x96f3_b83d;
/// Magic of the TLV area's info header (`IMAGE_TLV_INFO_MAGIC`).
pub const TLV_INFO_MAGIC: u16 = 0x6907;
/// Magic of the protected TLV area's info header (`IMAGE_TLV_PROT_INFO_MAGIC`).
pub const TLV_PROT_INFO_MAGIC: u16 = 0x6908;
/// The smallest header (`IMAGE_HEADER_SIZE`); imgtool's `--header-size` may make it larger.
pub const HEADER_LEN: usize = 32;
/// Bytes of a TLV info header and of a TLV's own header.
const INFO_LEN: usize = 4;

/// The TLV types this module reads (MCUboot's `IMAGE_TLV_*`).
pub mod tlv {
    /// SHA-256 of the signing key's DER SubjectPublicKeyInfo (`IMAGE_TLV_KEYHASH`).
    pub const KEYHASH: u16 = 0x01;
    /// The signing key's DER SubjectPublicKeyInfo (`IMAGE_TLV_PUBKEY`).
    pub const PUBKEY: u16 = 0x02;
    /// SHA-256 of header, body and protected TLVs (`IMAGE_TLV_SHA256`).
    pub const SHA256: u16 = 0x10;
    /// DER ECDSA signature over the SHA-256 (`IMAGE_TLV_ECDSA_SIG`).
    pub const ECDSA_SIG: u16 = 0x22;
    /// Security counter, `u32` little-endian (`IMAGE_TLV_SEC_CNT`).
    pub const SEC_CNT: u16 = 0x50;
}

/// Header flags whose image the device cannot check: encrypted (AES-128, AES-256) and
/// compressed (LZMA1, LZMA2, ARM Thumb filter) bodies, hashed as plaintext / uncompressed.
pub const UNSUPPORTED_FLAGS: u32 =
    0x0000_0004 | 0x0000_0008 | 0x0000_0200 | 0x0000_0400 | 0x0000_0800;

/// DER SubjectPublicKeyInfo of a P-256 key before its 65-byte uncompressed point
/// (id-ecPublicKey, prime256v1, BIT STRING): what imgtool and OpenSSL write.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// Why an MCUboot image was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum McubootError {
    /// The buffer ends before what the header and TLV info say is there.
    #[error("MCUboot image of {len} bytes is truncated: {needed} bytes needed")]
    Truncated {
        /// Bytes needed (at least).
        needed: u64,
        /// Bytes given.
        len: usize,
    },
    /// The first four bytes are not `IMAGE_MAGIC`.
    #[error("not an MCUboot image: magic 0x{found:08x}, expected 0x96f3b83d")]
    BadMagic {
        /// The magic found.
        found: u32,
    },
    /// `ih_hdr_size` is below 32.
    #[error("MCUboot header size {header_size} is below 32")]
    BadHeader {
        /// The header size field.
        header_size: u16,
    },
    /// The flags say encrypted or compressed.
    #[error(
        "MCUboot image flags 0x{flags:08x} say encrypted or compressed, which is not checked here"
    )]
    Unsupported {
        /// The header's flags.
        flags: u32,
    },
    /// A TLV info header with the wrong magic or total size.
    #[error("MCUboot TLV info at offset {offset}: magic 0x{magic:04x}, total {total}: {reason}")]
    BadTlvInfo {
        /// Offset of the info header in the image.
        offset: usize,
        /// Its magic.
        magic: u16,
        /// Its total size.
        total: u16,
        /// What is wrong.
        reason: &'static str,
    },
    /// A TLV's header or value runs past its area.
    #[error("MCUboot TLV at offset {offset} runs past its area, which ends at {end}")]
    TlvTruncated {
        /// Offset of the TLV's header.
        offset: usize,
        /// End of its area.
        end: usize,
    },
    /// A TLV this check reads appears twice.
    #[error("MCUboot TLV type 0x{kind:02x} appears twice (again at offset {offset})")]
    TlvDuplicate {
        /// The TLV type.
        kind: u16,
        /// Offset of the second one.
        offset: usize,
    },
    /// The SHA-256 or the ECDSA signature TLV is missing.
    #[error("MCUboot image has no TLV of type 0x{kind:02x} ({name})")]
    TlvMissing {
        /// The TLV type.
        kind: u16,
        /// Its name.
        name: &'static str,
    },
    /// A TLV of a fixed length has another length.
    #[error("MCUboot TLV type 0x{kind:02x} has {len} bytes, expected {expected}")]
    TlvLength {
        /// The TLV type.
        kind: u16,
        /// Its length.
        len: u16,
        /// The length it must have.
        expected: u16,
    },
    /// A security counter outside the protected area, or a key TLV after the signature.
    #[error("MCUboot TLV type 0x{kind:02x} at offset {offset}: {reason}")]
    TlvMisplaced {
        /// The TLV type.
        kind: u16,
        /// Its offset.
        offset: usize,
        /// Where it must be.
        reason: &'static str,
    },
    /// Bytes after the TLV area.
    #[error("{count} bytes follow the MCUboot TLV area, which ends at {end}")]
    TrailingBytes {
        /// How many.
        count: usize,
        /// Where the TLV area ends.
        end: usize,
    },
    /// The SHA-256 TLV is not the image's hash.
    #[error("MCUboot image's SHA-256 differs from its SHA-256 TLV")]
    HashMismatch,
    /// The key hash or public key TLV names another key.
    #[error("MCUboot TLV type 0x{kind:02x} names another key than the pinned one")]
    KeyMismatch {
        /// The TLV type (key hash or public key).
        kind: u16,
    },
    /// The signature TLV is not strict DER of a P-256 signature (with at most 2 zero bytes of
    /// `--pad-sig` padding).
    #[error(
        "MCUboot signature TLV of {len} bytes is not a strict DER ECDSA P-256 signature (plus at most 2 zero bytes of padding)"
    )]
    SignatureMalformed {
        /// Its length.
        len: u16,
    },
    /// The signature does not verify with the key over the image's SHA-256.
    #[error("MCUboot signature does not verify with the pinned key")]
    BadSignature,
}

impl Registered for McubootError {
    fn registered(&self) -> Code {
        match self {
            McubootError::Truncated { .. } => codes::MCUBOOT_TRUNCATED,
            McubootError::BadMagic { .. } => codes::MCUBOOT_BAD_MAGIC,
            McubootError::BadHeader { .. } => codes::MCUBOOT_BAD_HEADER,
            McubootError::Unsupported { .. } => codes::MCUBOOT_UNSUPPORTED,
            McubootError::BadTlvInfo { .. } => codes::MCUBOOT_BAD_TLV_INFO,
            McubootError::TlvTruncated { .. } => codes::MCUBOOT_TLV_TRUNCATED,
            McubootError::TlvDuplicate { .. } => codes::MCUBOOT_TLV_DUPLICATE,
            McubootError::TlvMissing { .. } => codes::MCUBOOT_TLV_MISSING,
            McubootError::TlvLength { .. } => codes::MCUBOOT_TLV_LENGTH,
            McubootError::TlvMisplaced { .. } => codes::MCUBOOT_TLV_MISPLACED,
            McubootError::TrailingBytes { .. } => codes::MCUBOOT_TRAILING_BYTES,
            McubootError::HashMismatch => codes::MCUBOOT_HASH_MISMATCH,
            McubootError::KeyMismatch { .. } => codes::MCUBOOT_KEY_MISMATCH,
            McubootError::SignatureMalformed { .. } => codes::MCUBOOT_SIGNATURE_MALFORMED,
            McubootError::BadSignature => codes::MCUBOOT_BAD_SIGNATURE,
        }
    }
}

impl ErrorCode for McubootError {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

/// An image version: `major.minor.revision+build` as imgtool's `--version` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ImageVersion {
    /// `iv_major`.
    pub major: u8,
    /// `iv_minor`.
    pub minor: u8,
    /// `iv_revision`.
    pub revision: u16,
    /// `iv_build_num`.
    pub build: u32,
}

impl ImageVersion {
    /// The stepstone version of this image, in the `dotted` scheme: `major.minor.revision.build`
    /// (imgtool `--version 1.2.3+4` is `1.2.3.4`). Dotted versions compare component by
    /// component as numbers, as MCUboot compares image versions, build number last.
    ///
    /// ```
    /// use stepstone::mcuboot::ImageVersion;
    /// let v = ImageVersion { major: 255, minor: 255, revision: 65535, build: u32::MAX };
    /// assert_eq!(v.to_dotted().as_str(), "255.255.65535.4294967295");
    /// ```
    pub fn to_dotted(&self) -> DottedVersion {
        let mut out = DottedVersion {
            bytes: [0; DottedVersion::MAX_LEN],
            len: 0,
        };
        out.push_decimal(u32::from(self.major));
        out.push_dot();
        out.push_decimal(u32::from(self.minor));
        out.push_dot();
        out.push_decimal(u32::from(self.revision));
        out.push_dot();
        out.push_decimal(self.build);
        out
    }

    /// The security counter `imgtool sign --security-counter auto` writes for this version:
    /// `major << 24 | minor << 16 | revision` (the build number does not count). It grows with
    /// `(major, minor, revision)`, so a release above another by stepstone's anti-rollback
    /// check never has a lower MCUboot security counter.
    ///
    /// ```
    /// use stepstone::mcuboot::ImageVersion;
    /// let v = ImageVersion { major: 1, minor: 2, revision: 3, build: 99 };
    /// assert_eq!(v.auto_security_counter(), 0x0102_0003);
    /// ```
    pub fn auto_security_counter(&self) -> u32 {
        (u32::from(self.major) << 24) | (u32::from(self.minor) << 16) | u32::from(self.revision)
    }
}

impl fmt::Display for ImageVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_dotted().as_str())
    }
}

/// An [`ImageVersion`] spelt `major.minor.revision.build`, without a heap (at most 24 bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DottedVersion {
    bytes: [u8; DottedVersion::MAX_LEN],
    len: u8,
}

impl DottedVersion {
    /// The longest spelling: `255.255.65535.4294967295`.
    pub const MAX_LEN: usize = 24;

    /// The text.
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        // Only ASCII digits and dots are ever written.
        core::str::from_utf8(bytes).unwrap_or_default()
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(usize::from(self.len)) {
            *slot = byte;
            self.len += 1;
        }
    }

    fn push_dot(&mut self) {
        self.push(b'.');
    }

    fn push_decimal(&mut self, mut n: u32) {
        let mut digits = [0u8; 10];
        let mut count = 0;
        loop {
            if let Some(d) = digits.get_mut(count) {
                *d = b'0' + (n % 10) as u8;
            }
            count += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for i in (0..count).rev() {
            if let Some(&d) = digits.get(i) {
                self.push(d);
            }
        }
    }
}

impl fmt::Debug for DottedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// One TLV entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// Its type (`it_type`).
    pub kind: u16,
    /// Its value (`it_len` bytes).
    pub value: &'a [u8],
    /// Offset of its 4-byte header in the image.
    pub offset: usize,
    /// Whether it is in the protected area (covered by the hash and the signature).
    pub protected: bool,
}

/// An MCUboot image whose structure has been read and checked; nothing is verified yet
/// ([`Image::verify`] does that).
#[derive(Debug, Clone, Copy)]
pub struct Image<'a> {
    bytes: &'a [u8],
    /// `ih_load_addr`.
    pub load_addr: u32,
    /// `ih_hdr_size`.
    pub header_size: u16,
    /// `ih_protect_tlv_size` (0: no protected area).
    pub protected_tlv_size: u16,
    /// `ih_img_size`: the body, header excluded.
    pub body_size: u32,
    /// `ih_flags`.
    pub flags: u32,
    /// `ih_ver`.
    pub version: ImageVersion,
    /// Where the TLV area (its info header) starts; everything before it is hashed.
    hashed_len: usize,
    /// Where the TLV area ends (the image's length).
    sha256: &'a [u8],
    signature: &'a [u8],
    key_tlv: Tlv<'a>,
    /// The protected security counter TLV's value.
    pub security_counter: Option<u32>,
}

/// What a verified image says of itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// The image version (`ih_ver`).
    pub version: ImageVersion,
    /// The protected security counter, if the image has one (`imgtool sign -s`).
    pub security_counter: Option<u32>,
    /// The image hash: SHA-256 of header, body and protected TLVs (the SHA-256 TLV's value).
    pub hash: Digest,
    /// Bytes of header plus body, where the TLVs start (`ih_hdr_size + ih_img_size`).
    pub tlv_offset: usize,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([*b.first()?, *b.get(1)?]))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([
        *b.first()?,
        *b.get(1)?,
        *b.get(2)?,
        *b.get(3)?,
    ]))
}

/// The TLV entries of `area` (`bytes[start..end]`, after its info header), in order.
struct Entries<'a> {
    bytes: &'a [u8],
    at: usize,
    end: usize,
    protected: bool,
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Tlv<'a>, McubootError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.end {
            return None;
        }
        let offset = self.at;
        let truncated = McubootError::TlvTruncated {
            offset,
            end: self.end,
        };
        let entry = (|| {
            if self.end - offset < INFO_LEN {
                return None;
            }
            let kind = u16_at(self.bytes, offset)?;
            let len = usize::from(u16_at(self.bytes, offset + 2)?);
            let value_at = offset + INFO_LEN;
            if len > self.end - value_at {
                return None;
            }
            let value = self.bytes.get(value_at..value_at + len)?;
            Some(Tlv {
                kind,
                value,
                offset,
                protected: self.protected,
            })
        })();
        match entry {
            Some(tlv) => {
                self.at = offset + INFO_LEN + tlv.value.len();
                Some(Ok(tlv))
            }
            None => {
                self.at = self.end;
                Some(Err(truncated))
            }
        }
    }
}

/// The TLV info header at `offset` with `magic`: its total, checked to be at least the
/// header itself and to fit in `bytes`.
fn tlv_info(bytes: &[u8], offset: usize, magic: u16) -> Result<usize, McubootError> {
    let (Some(found), Some(total)) = (u16_at(bytes, offset), u16_at(bytes, offset + 2)) else {
        return Err(McubootError::Truncated {
            needed: offset as u64 + INFO_LEN as u64,
            len: bytes.len(),
        });
    };
    let bad = |reason| McubootError::BadTlvInfo {
        offset,
        magic: found,
        total,
        reason,
    };
    if found != magic {
        return Err(bad(if magic == TLV_INFO_MAGIC {
            crate::error::detail!("not the TLV info magic 0x6907")
        } else {
            crate::error::detail!("not the protected TLV info magic 0x6908")
        }));
    }
    let total = usize::from(total);
    if total < INFO_LEN {
        return Err(bad(crate::error::detail!("total below its own 4 bytes")));
    }
    if offset + total > bytes.len() {
        return Err(McubootError::Truncated {
            needed: (offset + total) as u64,
            len: bytes.len(),
        });
    }
    Ok(total)
}

impl<'a> Image<'a> {
    /// Reads an image's header and TLV areas and checks their structure (everything but the
    /// hash, the key and the signature).
    ///
    /// ```
    /// use stepstone::mcuboot::Image;
    /// use stepstone::error::ErrorCode;
    /// # let (_, image) = stepstone::mcuboot::doc_example();
    /// let parsed = Image::parse(&image).unwrap();
    /// assert_eq!(parsed.header_size, 32);
    /// assert_eq!(Image::parse(&image[..20]).unwrap_err().code(), "mcuboot.truncated");
    /// ```
    pub fn parse(bytes: &'a [u8]) -> Result<Image<'a>, McubootError> {
        let field32 = |at| u32_at(bytes, at).unwrap_or(0);
        let field16 = |at| u16_at(bytes, at).unwrap_or(0);
        if bytes.len() < HEADER_LEN {
            return Err(McubootError::Truncated {
                needed: HEADER_LEN as u64,
                len: bytes.len(),
            });
        }
        // From here every header field is inside `bytes` (32 bytes at least).
        let magic = field32(0);
        if magic != IMAGE_MAGIC {
            return Err(McubootError::BadMagic { found: magic });
        }
        let header_size = field16(8);
        if usize::from(header_size) < HEADER_LEN {
            return Err(McubootError::BadHeader { header_size });
        }
        let flags = field32(16);
        if flags & UNSUPPORTED_FLAGS != 0 {
            return Err(McubootError::Unsupported { flags });
        }
        let protected_tlv_size = field16(10);
        let body_size = field32(12);
        let version = ImageVersion {
            major: bytes.get(20).copied().unwrap_or(0),
            minor: bytes.get(21).copied().unwrap_or(0),
            revision: field16(22),
            build: field32(24),
        };
        // Where the TLVs start, and where the protected area ends, in u64 (no overflow).
        let tlv_start = u64::from(header_size) + u64::from(body_size);
        let protected_end = tlv_start + u64::from(protected_tlv_size);
        let truncated = |needed| McubootError::Truncated {
            needed,
            len: bytes.len(),
        };
        if protected_end + INFO_LEN as u64 > bytes.len() as u64 {
            return Err(truncated(protected_end + INFO_LEN as u64));
        }
        // Both fit in `bytes.len()`, so in usize.
        let (tlv_start, protected_end) = (tlv_start as usize, protected_end as usize);
        let protected = if protected_tlv_size > 0 {
            let total = tlv_info(bytes, tlv_start, TLV_PROT_INFO_MAGIC)?;
            if total != usize::from(protected_tlv_size) {
                return Err(McubootError::BadTlvInfo {
                    offset: tlv_start,
                    magic: TLV_PROT_INFO_MAGIC,
                    total: total as u16,
                    reason: crate::error::detail!(
                        "total differs from the header's protected TLV size"
                    ),
                });
            }
            Entries {
                bytes,
                at: tlv_start + INFO_LEN,
                end: protected_end,
                protected: true,
            }
        } else {
            if u16_at(bytes, tlv_start) == Some(TLV_PROT_INFO_MAGIC) {
                return Err(McubootError::BadTlvInfo {
                    offset: tlv_start,
                    magic: TLV_PROT_INFO_MAGIC,
                    total: u16_at(bytes, tlv_start + 2).unwrap_or(0),
                    reason: crate::error::detail!(
                        "a protected TLV area the header does not declare"
                    ),
                });
            }
            Entries {
                bytes,
                at: tlv_start,
                end: tlv_start,
                protected: true,
            }
        };
        let total = tlv_info(bytes, protected_end, TLV_INFO_MAGIC)?;
        let end = protected_end + total;
        if end < bytes.len() {
            return Err(McubootError::TrailingBytes {
                count: bytes.len() - end,
                end,
            });
        }
        let unprotected = Entries {
            bytes,
            at: protected_end + INFO_LEN,
            end,
            protected: false,
        };

        let mut sha256: Option<Tlv<'a>> = None;
        let mut signature: Option<Tlv<'a>> = None;
        let mut key_tlv: Option<Tlv<'a>> = None;
        let mut counter: Option<Tlv<'a>> = None;
        for tlv in protected.chain(unprotected) {
            let tlv = tlv?;
            let after_signature = signature.is_some();
            let slot = match tlv.kind {
                tlv::SHA256 => &mut sha256,
                tlv::ECDSA_SIG => &mut signature,
                tlv::KEYHASH | tlv::PUBKEY => &mut key_tlv,
                tlv::SEC_CNT => &mut counter,
                _ => continue,
            };
            if slot.is_some() {
                return Err(McubootError::TlvDuplicate {
                    kind: tlv.kind,
                    offset: tlv.offset,
                });
            }
            let fixed = match tlv.kind {
                tlv::SHA256 | tlv::KEYHASH => Some(32),
                tlv::SEC_CNT => Some(4),
                _ => None,
            };
            if let Some(expected) = fixed
                && tlv.value.len() != expected
            {
                return Err(McubootError::TlvLength {
                    kind: tlv.kind,
                    len: tlv.value.len() as u16,
                    expected: expected as u16,
                });
            }
            if tlv.kind == tlv::SEC_CNT && !tlv.protected {
                return Err(McubootError::TlvMisplaced {
                    kind: tlv.kind,
                    offset: tlv.offset,
                    reason: crate::error::detail!(
                        "a security counter outside the protected TLV area is not signed"
                    ),
                });
            }
            if matches!(tlv.kind, tlv::KEYHASH | tlv::PUBKEY) && after_signature {
                return Err(McubootError::TlvMisplaced {
                    kind: tlv.kind,
                    offset: tlv.offset,
                    reason: crate::error::detail!(
                        "a key TLV after the signature (MCUboot would ignore the signature)"
                    ),
                });
            }
            *slot = Some(tlv);
        }
        let sha256 = sha256.ok_or(McubootError::TlvMissing {
            kind: tlv::SHA256,
            name: crate::error::detail!("SHA-256"),
        })?;
        let signature = signature.ok_or(McubootError::TlvMissing {
            kind: tlv::ECDSA_SIG,
            name: crate::error::detail!("ECDSA signature"),
        })?;
        // MCUboot counts a signature only after a key TLV that names a key it holds (its
        // default build; `MCUBOOT_BUILTIN_KEY` builds need none, imgtool always writes one).
        let key_tlv = key_tlv.ok_or(McubootError::TlvMissing {
            kind: tlv::KEYHASH,
            name: crate::error::detail!("key hash or public key"),
        })?;
        let security_counter = counter.and_then(|t| u32_at(t.value, 0));
        Ok(Image {
            bytes,
            load_addr: field32(4),
            header_size,
            protected_tlv_size,
            body_size,
            flags,
            version,
            hashed_len: protected_end,
            sha256: sha256.value,
            signature: signature.value,
            key_tlv,
            security_counter,
        })
    }

    /// Checks the image: its SHA-256 against the SHA-256 TLV, its key hash or public key TLV
    /// against `key`, and its ECDSA signature over the SHA-256 with `key`.
    pub fn verify(&self, key: &PublicKey) -> Result<ImageInfo, McubootError> {
        let mut hasher = ImageHasher::new();
        hasher.update(self.bytes.get(..self.hashed_len).unwrap_or_default());
        let hash = hasher.finish();
        if hash.as_slice() != self.sha256 {
            return Err(McubootError::HashMismatch);
        }
        {
            let t = self.key_tlv;
            let point = key.to_sec1_uncompressed();
            let same = match t.kind {
                tlv::KEYHASH => {
                    let mut h = ImageHasher::new();
                    h.update(&P256_SPKI_PREFIX);
                    h.update(&point);
                    h.finish().as_slice() == t.value
                }
                _ => {
                    t.value.len() == P256_SPKI_PREFIX.len() + point.len()
                        && t.value.get(..P256_SPKI_PREFIX.len()) == Some(&P256_SPKI_PREFIX[..])
                        && t.value.get(P256_SPKI_PREFIX.len()..) == Some(&point[..])
                }
            };
            if !same {
                return Err(McubootError::KeyMismatch { kind: t.kind });
            }
        }
        let signature = signature_tlv(self.signature).ok_or(McubootError::SignatureMalformed {
            len: self.signature.len() as u16,
        })?;
        key.verify_digest(&hash, &signature)
            .map_err(|_| McubootError::BadSignature)?;
        Ok(ImageInfo {
            version: self.version,
            security_counter: self.security_counter,
            hash,
            tlv_offset: usize::from(self.header_size) + self.body_size as usize,
        })
    }

    /// The image's TLVs, protected ones first, in order (for tools; [`Image::parse`] has
    /// already checked that every one fits in its area).
    pub fn tlvs(&self) -> impl Iterator<Item = Tlv<'a>> + 'a {
        let bytes = self.bytes;
        let tlv_start = self.hashed_len - usize::from(self.protected_tlv_size);
        let protected = Entries {
            bytes,
            at: tlv_start
                + if self.protected_tlv_size > 0 {
                    INFO_LEN
                } else {
                    0
                },
            end: self.hashed_len,
            protected: true,
        };
        let unprotected = Entries {
            bytes,
            at: self.hashed_len + INFO_LEN,
            end: bytes.len(),
            protected: false,
        };
        protected.chain(unprotected).filter_map(Result::ok)
    }
}

/// The signature TLV's value: strict DER, followed by at most 2 zero bytes (imgtool
/// `--pad-sig` pads to 72 bytes for MCUboot before 1.5, whose readers ignore the padding).
fn signature_tlv(value: &[u8]) -> Option<Signature> {
    // A P-256 DER signature is at most 72 bytes: its SEQUENCE length is one short-form byte.
    let der_len = usize::from(*value.get(1)?) + 2;
    let (der, padding) = (value.get(..der_len)?, value.get(der_len..)?);
    if padding.len() > 2 || padding.iter().any(|&b| b != 0) {
        return None;
    }
    Signature::from_der(der).ok()
}

/// Reads and checks an imgtool image with the pinned `key`: [`Image::parse`] then
/// [`Image::verify`].
pub fn check(image: &[u8], key: &PublicKey) -> Result<ImageInfo, McubootError> {
    Image::parse(image)?.verify(key)
}

/// The key and a signed image (version 1.2.3+4, security counter auto, 64-byte body) of the
/// examples above, built by the signing code here as imgtool lays an image out.
#[doc(hidden)]
#[cfg(feature = "sign")]
pub fn doc_example() -> (PublicKey, alloc::vec::Vec<u8>) {
    let private = crate::signature::sign::SigningKey::from_bytes(&[7; 32])
        .unwrap_or_else(|_| unreachable!("7 repeated is a valid P-256 scalar"));
    let key = private.public_key();
    let version = ImageVersion {
        major: 1,
        minor: 2,
        revision: 3,
        build: 4,
    };
    let image = build::signed_image(&private, version, &[0x5a; 64], true);
    (key, image)
}

/// Lays images out as `imgtool sign` does (for docs, tests and fuzz seeds; feature `sign`).
#[doc(hidden)]
#[cfg(feature = "sign")]
pub mod build {
    use alloc::vec::Vec;

    use super::*;
    use crate::signature::sign::SigningKey;

    /// A 32-byte header for `body` of `version`, with `protected_tlv_size`.
    pub fn header(version: ImageVersion, body_len: u32, protected_tlv_size: u16) -> Vec<u8> {
        let mut h = Vec::with_capacity(HEADER_LEN);
        h.extend_from_slice(&IMAGE_MAGIC.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&(HEADER_LEN as u16).to_le_bytes());
        h.extend_from_slice(&protected_tlv_size.to_le_bytes());
        h.extend_from_slice(&body_len.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.push(version.major);
        h.push(version.minor);
        h.extend_from_slice(&version.revision.to_le_bytes());
        h.extend_from_slice(&version.build.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h
    }

    /// One TLV.
    pub fn tlv(kind: u16, value: &[u8]) -> Vec<u8> {
        let mut t = Vec::with_capacity(INFO_LEN + value.len());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&(value.len() as u16).to_le_bytes());
        t.extend_from_slice(value);
        t
    }

    /// A TLV area: info header with `magic`, then `entries`.
    pub fn area(magic: u16, entries: &[u8]) -> Vec<u8> {
        let mut a = Vec::with_capacity(INFO_LEN + entries.len());
        a.extend_from_slice(&magic.to_le_bytes());
        a.extend_from_slice(&((INFO_LEN + entries.len()) as u16).to_le_bytes());
        a.extend_from_slice(entries);
        a
    }

    /// DER SubjectPublicKeyInfo of `key`.
    pub fn spki(key: &PublicKey) -> Vec<u8> {
        let mut d = P256_SPKI_PREFIX.to_vec();
        d.extend_from_slice(&key.to_sec1_uncompressed());
        d
    }

    /// A signed image as imgtool makes it: header, body, a protected security counter (if
    /// `counter`, the auto one), then SHA-256, key hash and DER signature TLVs.
    pub fn signed_image(
        private: &SigningKey,
        version: ImageVersion,
        body: &[u8],
        counter: bool,
    ) -> Vec<u8> {
        let protected = if counter {
            area(
                TLV_PROT_INFO_MAGIC,
                &tlv(tlv::SEC_CNT, &version.auto_security_counter().to_le_bytes()),
            )
        } else {
            Vec::new()
        };
        let mut image = header(version, body.len() as u32, protected.len() as u16);
        image.extend_from_slice(body);
        image.extend_from_slice(&protected);
        let hash = crate::signature::sha256(&image);
        let signature = private
            .sign_digest(&hash)
            .unwrap_or_else(|_| unreachable!("a SHA-256 is 32 bytes"));
        let mut entries = tlv(tlv::SHA256, &hash);
        entries.extend(tlv(
            tlv::KEYHASH,
            &crate::signature::sha256(&spki(&private.public_key())),
        ));
        entries.extend(tlv(
            tlv::ECDSA_SIG,
            signature
                .encode(crate::signature::SignatureFormat::Der)
                .as_bytes(),
        ));
        image.extend(area(TLV_INFO_MAGIC, &entries));
        image
    }
}

#[cfg(test)]
mod tests;
