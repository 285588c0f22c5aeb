//! Status codes: one `#[repr(i32)]` enum, 0 = ok, each with a static message and the stable
//! core error code it stands for. Generated table: edit the rows, not the matches.

use stepstone::compact::{CompactError, HopError};
use stepstone::manifest::ManifestError;
use stepstone::signature::SignatureError;
use stepstone::signed_catalog::SignedCatalogError;
use stepstone::version::VersionErrorKind;

/// What every `stepstone_*` function returns (0 = ok). The numbers never change.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepstoneStatus {
    /// Ok.
    StepstoneOk = 0,
    /// A required pointer argument is NULL (`device.null_pointer`).
    StepstoneErrNullPointer = 1,
    /// The output buffer or context is too small (`device.buffer_too_small`).
    StepstoneErrBufferTooSmall = 2,
    /// The verify context was not initialised (or was already finished) (`device.bad_context`).
    StepstoneErrBadContext = 3,
    /// A text argument is not UTF-8 (`device.not_utf8`).
    StepstoneErrNotUtf8 = 4,
    /// An argument is out of range (`device.bad_argument`).
    StepstoneErrBadArgument = 5,
    /// Internal error (a panic was caught at the boundary) (`device.panic`).
    StepstoneErrPanic = 6,
    /// An error without a device status code (`device.unknown`).
    StepstoneErrUnknown = 7,
    /// A version is malformed in the catalog's scheme (`version.malformed`).
    StepstoneErrVersionMalformed = 10,
    /// A version is empty (`version.empty`).
    StepstoneErrVersionEmpty = 11,
    /// A version is too long (`version.too_long`).
    StepstoneErrVersionTooLong = 12,
    /// A version number overflows (`version.overflow`).
    StepstoneErrVersionOverflow = 13,
    /// Compact catalog truncated (`compact.truncated`).
    StepstoneErrCompactTruncated = 20,
    /// Not a compact catalog (bad magic) (`compact.bad_magic`).
    StepstoneErrCompactBadMagic = 21,
    /// Compact catalog format not supported (`compact.format`).
    StepstoneErrCompactFormat = 22,
    /// Compact catalog is corrupt (`compact.corrupt`).
    StepstoneErrCompactCorrupt = 23,
    /// No target given and none packed in the catalog (`compact.no_target`).
    StepstoneErrCompactNoTarget = 24,
    /// Target is not in the catalog (`plan.unknown_target`).
    StepstoneErrPlanUnknownTarget = 30,
    /// Target is yanked (`plan.target_yanked`).
    StepstoneErrPlanTargetYanked = 31,
    /// Target is not for the packed model (`plan.target_model`).
    StepstoneErrPlanTargetModel = 32,
    /// Target is not for the packed environment (`plan.target_environment`).
    StepstoneErrPlanTargetEnvironment = 33,
    /// Target is below the current version; downgrades are not allowed (`plan.downgrade`).
    StepstoneErrPlanDowngrade = 34,
    /// No chain of installs reaches the target (`plan.unreachable`).
    StepstoneErrPlanUnreachable = 35,
    /// Signature does not verify (`signature.invalid`).
    StepstoneErrSignatureInvalid = 40,
    /// Signature is malformed (`signature.malformed`).
    StepstoneErrSignatureMalformed = 41,
    /// Public key is malformed (`signature.key_malformed`).
    StepstoneErrSignatureKeyMalformed = 42,
    /// Public key is not a P-256 key, or (on the device) its point is compressed
    /// (`signature.key_unsupported`).
    StepstoneErrSignatureKeyUnsupported = 43,
    /// Digest is not 32 bytes (`signature.digest_length`).
    StepstoneErrSignatureDigestLength = 44,
    /// Manifest signature does not verify (`manifest.bad_signature`).
    StepstoneErrManifestBadSignature = 50,
    /// Manifest is malformed (`manifest.malformed`).
    StepstoneErrManifestMalformed = 51,
    /// Manifest format not supported (`manifest.unsupported_format`).
    StepstoneErrManifestUnsupportedFormat = 52,
    /// Manifest names another signing key (`manifest.key_mismatch`).
    StepstoneErrManifestKeyMismatch = 53,
    /// Manifest expired (`manifest.expired`).
    StepstoneErrManifestExpired = 54,
    /// Manifest is not for this device's model (`manifest.wrong_model`).
    StepstoneErrManifestWrongModel = 55,
    /// Manifest is not for this device's environment (`manifest.wrong_environment`).
    StepstoneErrManifestWrongEnvironment = 56,
    /// Manifest version is not above the anti-rollback counter (`manifest.rollback`).
    StepstoneErrManifestRollback = 57,
    /// Device runs a version below the manifest's min_sw_version (`manifest.below_min_version`).
    StepstoneErrManifestBelowMinVersion = 58,
    /// A device version is not of the manifest's scheme (`manifest.device_version`).
    StepstoneErrManifestDeviceVersion = 59,
    /// Image size differs from the manifest (`manifest.size_mismatch`).
    StepstoneErrManifestSizeMismatch = 60,
    /// Image SHA-256 differs from the manifest (`manifest.digest_mismatch`).
    StepstoneErrManifestDigestMismatch = 61,
    /// `now` is 0: no clock, expiry cannot be checked (`manifest.clock_unset`).
    StepstoneErrManifestClockUnset = 62,
    /// Manifest version is not a release of the signed catalog for this device (`manifest.not_in_catalog`).
    StepstoneErrManifestNotInCatalog = 63,
    /// Manifest release is yanked in the signed catalog (`manifest.yanked`).
    StepstoneErrManifestYanked = 64,
    /// Manifest SHA-256 differs from the signed catalog's (`manifest.catalog_digest_mismatch`).
    StepstoneErrManifestCatalogDigestMismatch = 65,
    /// No sampling period (period length 0 or time before the offset) (`sample.no_period`).
    StepstoneErrSampleNoPeriod = 70,
    /// Signed catalog envelope is malformed (`signed_catalog.malformed`).
    StepstoneErrCatalogMalformed = 80,
    /// Signed catalog names another key than the pinned one (`signed_catalog.unknown_key`).
    StepstoneErrCatalogUnknownKey = 81,
    /// Signed catalog signature does not verify (`signed_catalog.bad_signature`).
    StepstoneErrCatalogBadSignature = 82,
    /// Signed catalog expired (`signed_catalog.expired`).
    StepstoneErrCatalogExpired = 83,
    /// Signed catalog sequence below the last accepted (`signed_catalog.rollback`).
    StepstoneErrCatalogRollback = 84,
    /// Signed catalog has the last sequence but other bytes (`signed_catalog.sequence_reused`).
    StepstoneErrCatalogSequenceReused = 85,
    /// `now` is 0: no clock, expiry cannot be checked (`signed_catalog.clock_unset`).
    StepstoneErrCatalogClockUnset = 86,
    /// `now` is below the time floor (the last catalog's issued time) (`signed_catalog.clock_behind`).
    StepstoneErrCatalogClockBehind = 87,
}

impl StepstoneStatus {
    /// All statuses, in numeric order.
    /// cbindgen:ignore
    pub const ALL: [StepstoneStatus; 53] = [
        StepstoneStatus::StepstoneOk,
        StepstoneStatus::StepstoneErrNullPointer,
        StepstoneStatus::StepstoneErrBufferTooSmall,
        StepstoneStatus::StepstoneErrBadContext,
        StepstoneStatus::StepstoneErrNotUtf8,
        StepstoneStatus::StepstoneErrBadArgument,
        StepstoneStatus::StepstoneErrPanic,
        StepstoneStatus::StepstoneErrUnknown,
        StepstoneStatus::StepstoneErrVersionMalformed,
        StepstoneStatus::StepstoneErrVersionEmpty,
        StepstoneStatus::StepstoneErrVersionTooLong,
        StepstoneStatus::StepstoneErrVersionOverflow,
        StepstoneStatus::StepstoneErrCompactTruncated,
        StepstoneStatus::StepstoneErrCompactBadMagic,
        StepstoneStatus::StepstoneErrCompactFormat,
        StepstoneStatus::StepstoneErrCompactCorrupt,
        StepstoneStatus::StepstoneErrCompactNoTarget,
        StepstoneStatus::StepstoneErrPlanUnknownTarget,
        StepstoneStatus::StepstoneErrPlanTargetYanked,
        StepstoneStatus::StepstoneErrPlanTargetModel,
        StepstoneStatus::StepstoneErrPlanTargetEnvironment,
        StepstoneStatus::StepstoneErrPlanDowngrade,
        StepstoneStatus::StepstoneErrPlanUnreachable,
        StepstoneStatus::StepstoneErrSignatureInvalid,
        StepstoneStatus::StepstoneErrSignatureMalformed,
        StepstoneStatus::StepstoneErrSignatureKeyMalformed,
        StepstoneStatus::StepstoneErrSignatureKeyUnsupported,
        StepstoneStatus::StepstoneErrSignatureDigestLength,
        StepstoneStatus::StepstoneErrManifestBadSignature,
        StepstoneStatus::StepstoneErrManifestMalformed,
        StepstoneStatus::StepstoneErrManifestUnsupportedFormat,
        StepstoneStatus::StepstoneErrManifestKeyMismatch,
        StepstoneStatus::StepstoneErrManifestExpired,
        StepstoneStatus::StepstoneErrManifestWrongModel,
        StepstoneStatus::StepstoneErrManifestWrongEnvironment,
        StepstoneStatus::StepstoneErrManifestRollback,
        StepstoneStatus::StepstoneErrManifestBelowMinVersion,
        StepstoneStatus::StepstoneErrManifestDeviceVersion,
        StepstoneStatus::StepstoneErrManifestSizeMismatch,
        StepstoneStatus::StepstoneErrManifestDigestMismatch,
        StepstoneStatus::StepstoneErrManifestClockUnset,
        StepstoneStatus::StepstoneErrManifestNotInCatalog,
        StepstoneStatus::StepstoneErrManifestYanked,
        StepstoneStatus::StepstoneErrManifestCatalogDigestMismatch,
        StepstoneStatus::StepstoneErrSampleNoPeriod,
        StepstoneStatus::StepstoneErrCatalogMalformed,
        StepstoneStatus::StepstoneErrCatalogUnknownKey,
        StepstoneStatus::StepstoneErrCatalogBadSignature,
        StepstoneStatus::StepstoneErrCatalogExpired,
        StepstoneStatus::StepstoneErrCatalogRollback,
        StepstoneStatus::StepstoneErrCatalogSequenceReused,
        StepstoneStatus::StepstoneErrCatalogClockUnset,
        StepstoneStatus::StepstoneErrCatalogClockBehind,
    ];

    /// The static, NUL-terminated message: a few words, as it lives in firmware flash (the
    /// status name and [`StepstoneStatus::code`] say the rest).
    pub const fn message(self) -> &'static [u8] {
        match self {
            StepstoneStatus::StepstoneOk => b"ok\0",
            StepstoneStatus::StepstoneErrNullPointer => b"NULL pointer\0",
            StepstoneStatus::StepstoneErrBufferTooSmall => b"buffer too small\0",
            StepstoneStatus::StepstoneErrBadContext => b"bad verify context\0",
            StepstoneStatus::StepstoneErrNotUtf8 => b"text not UTF-8\0",
            StepstoneStatus::StepstoneErrBadArgument => b"bad argument\0",
            StepstoneStatus::StepstoneErrPanic => b"internal error\0",
            StepstoneStatus::StepstoneErrUnknown => b"unknown error\0",
            StepstoneStatus::StepstoneErrVersionMalformed => b"malformed version\0",
            StepstoneStatus::StepstoneErrVersionEmpty => b"empty version\0",
            StepstoneStatus::StepstoneErrVersionTooLong => b"version too long\0",
            StepstoneStatus::StepstoneErrVersionOverflow => b"version overflows\0",
            StepstoneStatus::StepstoneErrCompactTruncated => b"catalog truncated\0",
            StepstoneStatus::StepstoneErrCompactBadMagic => b"not a compact catalog\0",
            StepstoneStatus::StepstoneErrCompactFormat => b"catalog format unsupported\0",
            StepstoneStatus::StepstoneErrCompactCorrupt => b"catalog corrupt\0",
            StepstoneStatus::StepstoneErrCompactNoTarget => b"no target\0",
            StepstoneStatus::StepstoneErrPlanUnknownTarget => b"target not in catalog\0",
            StepstoneStatus::StepstoneErrPlanTargetYanked => b"target yanked\0",
            StepstoneStatus::StepstoneErrPlanTargetModel => b"target not for model\0",
            StepstoneStatus::StepstoneErrPlanTargetEnvironment => b"target not for environment\0",
            StepstoneStatus::StepstoneErrPlanDowngrade => b"downgrade\0",
            StepstoneStatus::StepstoneErrPlanUnreachable => b"no path to target\0",
            StepstoneStatus::StepstoneErrSignatureInvalid => b"bad signature\0",
            StepstoneStatus::StepstoneErrSignatureMalformed => b"malformed signature\0",
            StepstoneStatus::StepstoneErrSignatureKeyMalformed => b"malformed key\0",
            StepstoneStatus::StepstoneErrSignatureKeyUnsupported => b"unsupported key\0",
            StepstoneStatus::StepstoneErrSignatureDigestLength => b"digest not 32 bytes\0",
            StepstoneStatus::StepstoneErrManifestBadSignature => b"bad manifest signature\0",
            StepstoneStatus::StepstoneErrManifestMalformed => b"malformed manifest\0",
            StepstoneStatus::StepstoneErrManifestUnsupportedFormat => {
                b"manifest format unsupported\0"
            }
            StepstoneStatus::StepstoneErrManifestKeyMismatch => b"manifest key mismatch\0",
            StepstoneStatus::StepstoneErrManifestExpired => b"manifest expired\0",
            StepstoneStatus::StepstoneErrManifestWrongModel => b"wrong model\0",
            StepstoneStatus::StepstoneErrManifestWrongEnvironment => b"wrong environment\0",
            StepstoneStatus::StepstoneErrManifestRollback => b"rollback\0",
            StepstoneStatus::StepstoneErrManifestBelowMinVersion => b"below min version\0",
            StepstoneStatus::StepstoneErrManifestDeviceVersion => b"bad device version\0",
            StepstoneStatus::StepstoneErrManifestSizeMismatch => b"image size mismatch\0",
            StepstoneStatus::StepstoneErrManifestDigestMismatch => b"image digest mismatch\0",
            StepstoneStatus::StepstoneErrManifestClockUnset => b"clock not set\0",
            StepstoneStatus::StepstoneErrManifestNotInCatalog => b"release not in catalog\0",
            StepstoneStatus::StepstoneErrManifestYanked => b"release yanked\0",
            StepstoneStatus::StepstoneErrManifestCatalogDigestMismatch => {
                b"catalog digest mismatch\0"
            }
            StepstoneStatus::StepstoneErrSampleNoPeriod => b"no sampling period\0",
            StepstoneStatus::StepstoneErrCatalogMalformed => b"bad signed catalog\0",
            StepstoneStatus::StepstoneErrCatalogUnknownKey => b"unknown catalog key\0",
            StepstoneStatus::StepstoneErrCatalogBadSignature => b"bad catalog signature\0",
            StepstoneStatus::StepstoneErrCatalogExpired => b"catalog expired\0",
            StepstoneStatus::StepstoneErrCatalogRollback => b"catalog rollback\0",
            StepstoneStatus::StepstoneErrCatalogSequenceReused => b"catalog sequence reused\0",
            StepstoneStatus::StepstoneErrCatalogClockUnset => b"clock not set\0",
            StepstoneStatus::StepstoneErrCatalogClockBehind => b"clock behind floor\0",
        }
    }

    /// The stable core code (`area.reason`), `""` for ok.
    pub const fn code(self) -> &'static str {
        match self {
            StepstoneStatus::StepstoneOk => "",
            StepstoneStatus::StepstoneErrNullPointer => "device.null_pointer",
            StepstoneStatus::StepstoneErrBufferTooSmall => "device.buffer_too_small",
            StepstoneStatus::StepstoneErrBadContext => "device.bad_context",
            StepstoneStatus::StepstoneErrNotUtf8 => "device.not_utf8",
            StepstoneStatus::StepstoneErrBadArgument => "device.bad_argument",
            StepstoneStatus::StepstoneErrPanic => "device.panic",
            StepstoneStatus::StepstoneErrUnknown => "device.unknown",
            StepstoneStatus::StepstoneErrVersionMalformed => "version.malformed",
            StepstoneStatus::StepstoneErrVersionEmpty => "version.empty",
            StepstoneStatus::StepstoneErrVersionTooLong => "version.too_long",
            StepstoneStatus::StepstoneErrVersionOverflow => "version.overflow",
            StepstoneStatus::StepstoneErrCompactTruncated => "compact.truncated",
            StepstoneStatus::StepstoneErrCompactBadMagic => "compact.bad_magic",
            StepstoneStatus::StepstoneErrCompactFormat => "compact.format",
            StepstoneStatus::StepstoneErrCompactCorrupt => "compact.corrupt",
            StepstoneStatus::StepstoneErrCompactNoTarget => "compact.no_target",
            StepstoneStatus::StepstoneErrPlanUnknownTarget => "plan.unknown_target",
            StepstoneStatus::StepstoneErrPlanTargetYanked => "plan.target_yanked",
            StepstoneStatus::StepstoneErrPlanTargetModel => "plan.target_model",
            StepstoneStatus::StepstoneErrPlanTargetEnvironment => "plan.target_environment",
            StepstoneStatus::StepstoneErrPlanDowngrade => "plan.downgrade",
            StepstoneStatus::StepstoneErrPlanUnreachable => "plan.unreachable",
            StepstoneStatus::StepstoneErrSignatureInvalid => "signature.invalid",
            StepstoneStatus::StepstoneErrSignatureMalformed => "signature.malformed",
            StepstoneStatus::StepstoneErrSignatureKeyMalformed => "signature.key_malformed",
            StepstoneStatus::StepstoneErrSignatureKeyUnsupported => "signature.key_unsupported",
            StepstoneStatus::StepstoneErrSignatureDigestLength => "signature.digest_length",
            StepstoneStatus::StepstoneErrManifestBadSignature => "manifest.bad_signature",
            StepstoneStatus::StepstoneErrManifestMalformed => "manifest.malformed",
            StepstoneStatus::StepstoneErrManifestUnsupportedFormat => "manifest.unsupported_format",
            StepstoneStatus::StepstoneErrManifestKeyMismatch => "manifest.key_mismatch",
            StepstoneStatus::StepstoneErrManifestExpired => "manifest.expired",
            StepstoneStatus::StepstoneErrManifestWrongModel => "manifest.wrong_model",
            StepstoneStatus::StepstoneErrManifestWrongEnvironment => "manifest.wrong_environment",
            StepstoneStatus::StepstoneErrManifestRollback => "manifest.rollback",
            StepstoneStatus::StepstoneErrManifestBelowMinVersion => "manifest.below_min_version",
            StepstoneStatus::StepstoneErrManifestDeviceVersion => "manifest.device_version",
            StepstoneStatus::StepstoneErrManifestSizeMismatch => "manifest.size_mismatch",
            StepstoneStatus::StepstoneErrManifestDigestMismatch => "manifest.digest_mismatch",
            StepstoneStatus::StepstoneErrSampleNoPeriod => "sample.no_period",
            StepstoneStatus::StepstoneErrManifestClockUnset => "manifest.clock_unset",
            StepstoneStatus::StepstoneErrManifestNotInCatalog => "manifest.not_in_catalog",
            StepstoneStatus::StepstoneErrManifestYanked => "manifest.yanked",
            StepstoneStatus::StepstoneErrManifestCatalogDigestMismatch => {
                "manifest.catalog_digest_mismatch"
            }
            StepstoneStatus::StepstoneErrCatalogMalformed => "signed_catalog.malformed",
            StepstoneStatus::StepstoneErrCatalogUnknownKey => "signed_catalog.unknown_key",
            StepstoneStatus::StepstoneErrCatalogBadSignature => "signed_catalog.bad_signature",
            StepstoneStatus::StepstoneErrCatalogExpired => "signed_catalog.expired",
            StepstoneStatus::StepstoneErrCatalogRollback => "signed_catalog.rollback",
            StepstoneStatus::StepstoneErrCatalogSequenceReused => "signed_catalog.sequence_reused",
            StepstoneStatus::StepstoneErrCatalogClockUnset => "signed_catalog.clock_unset",
            StepstoneStatus::StepstoneErrCatalogClockBehind => "signed_catalog.clock_behind",
        }
    }

    /// The status for a core error code (`StepstoneErrUnknown` for one the device never sees).
    /// Host-side helper for tests and tools; the device maps errors by variant (`From` below),
    /// so no code string is linked into the firmware.
    pub fn from_code(code: &str) -> StepstoneStatus {
        StepstoneStatus::ALL
            .iter()
            .copied()
            .find(|s| !code.is_empty() && s.code() == code)
            .unwrap_or(StepstoneStatus::StepstoneErrUnknown)
    }

    /// The status with this number, if any.
    pub const fn from_i32(n: i32) -> Option<StepstoneStatus> {
        Some(match n {
            0 => StepstoneStatus::StepstoneOk,
            1 => StepstoneStatus::StepstoneErrNullPointer,
            2 => StepstoneStatus::StepstoneErrBufferTooSmall,
            3 => StepstoneStatus::StepstoneErrBadContext,
            4 => StepstoneStatus::StepstoneErrNotUtf8,
            5 => StepstoneStatus::StepstoneErrBadArgument,
            6 => StepstoneStatus::StepstoneErrPanic,
            7 => StepstoneStatus::StepstoneErrUnknown,
            10 => StepstoneStatus::StepstoneErrVersionMalformed,
            11 => StepstoneStatus::StepstoneErrVersionEmpty,
            12 => StepstoneStatus::StepstoneErrVersionTooLong,
            13 => StepstoneStatus::StepstoneErrVersionOverflow,
            20 => StepstoneStatus::StepstoneErrCompactTruncated,
            21 => StepstoneStatus::StepstoneErrCompactBadMagic,
            22 => StepstoneStatus::StepstoneErrCompactFormat,
            23 => StepstoneStatus::StepstoneErrCompactCorrupt,
            24 => StepstoneStatus::StepstoneErrCompactNoTarget,
            30 => StepstoneStatus::StepstoneErrPlanUnknownTarget,
            31 => StepstoneStatus::StepstoneErrPlanTargetYanked,
            32 => StepstoneStatus::StepstoneErrPlanTargetModel,
            33 => StepstoneStatus::StepstoneErrPlanTargetEnvironment,
            34 => StepstoneStatus::StepstoneErrPlanDowngrade,
            35 => StepstoneStatus::StepstoneErrPlanUnreachable,
            40 => StepstoneStatus::StepstoneErrSignatureInvalid,
            41 => StepstoneStatus::StepstoneErrSignatureMalformed,
            42 => StepstoneStatus::StepstoneErrSignatureKeyMalformed,
            43 => StepstoneStatus::StepstoneErrSignatureKeyUnsupported,
            44 => StepstoneStatus::StepstoneErrSignatureDigestLength,
            50 => StepstoneStatus::StepstoneErrManifestBadSignature,
            51 => StepstoneStatus::StepstoneErrManifestMalformed,
            52 => StepstoneStatus::StepstoneErrManifestUnsupportedFormat,
            53 => StepstoneStatus::StepstoneErrManifestKeyMismatch,
            54 => StepstoneStatus::StepstoneErrManifestExpired,
            55 => StepstoneStatus::StepstoneErrManifestWrongModel,
            56 => StepstoneStatus::StepstoneErrManifestWrongEnvironment,
            57 => StepstoneStatus::StepstoneErrManifestRollback,
            58 => StepstoneStatus::StepstoneErrManifestBelowMinVersion,
            59 => StepstoneStatus::StepstoneErrManifestDeviceVersion,
            60 => StepstoneStatus::StepstoneErrManifestSizeMismatch,
            61 => StepstoneStatus::StepstoneErrManifestDigestMismatch,
            70 => StepstoneStatus::StepstoneErrSampleNoPeriod,
            62 => StepstoneStatus::StepstoneErrManifestClockUnset,
            63 => StepstoneStatus::StepstoneErrManifestNotInCatalog,
            64 => StepstoneStatus::StepstoneErrManifestYanked,
            65 => StepstoneStatus::StepstoneErrManifestCatalogDigestMismatch,
            80 => StepstoneStatus::StepstoneErrCatalogMalformed,
            81 => StepstoneStatus::StepstoneErrCatalogUnknownKey,
            82 => StepstoneStatus::StepstoneErrCatalogBadSignature,
            83 => StepstoneStatus::StepstoneErrCatalogExpired,
            84 => StepstoneStatus::StepstoneErrCatalogRollback,
            85 => StepstoneStatus::StepstoneErrCatalogSequenceReused,
            86 => StepstoneStatus::StepstoneErrCatalogClockUnset,
            87 => StepstoneStatus::StepstoneErrCatalogClockBehind,
            _ => return None,
        })
    }
}

// Core errors to statuses, by variant: the status's `code()` is the error's `code()` (the tests
// check every variant). Variants the device never meets (packing, private keys) are
// `StepstoneErrUnknown`.

impl From<SignatureError> for StepstoneStatus {
    fn from(e: SignatureError) -> StepstoneStatus {
        match e {
            SignatureError::Malformed { .. } => StepstoneStatus::StepstoneErrSignatureMalformed,
            SignatureError::Invalid { .. } => StepstoneStatus::StepstoneErrSignatureInvalid,
            SignatureError::DigestLength { .. } => {
                StepstoneStatus::StepstoneErrSignatureDigestLength
            }
            SignatureError::KeyMalformed { .. } => {
                StepstoneStatus::StepstoneErrSignatureKeyMalformed
            }
            SignatureError::KeyUnsupported { .. } => {
                StepstoneStatus::StepstoneErrSignatureKeyUnsupported
            }
            _ => StepstoneStatus::StepstoneErrUnknown,
        }
    }
}

impl From<ManifestError> for StepstoneStatus {
    fn from(e: ManifestError) -> StepstoneStatus {
        match e {
            ManifestError::BadSignature { .. } => StepstoneStatus::StepstoneErrManifestBadSignature,
            ManifestError::Malformed { .. } => StepstoneStatus::StepstoneErrManifestMalformed,
            ManifestError::UnsupportedFormat { .. } => {
                StepstoneStatus::StepstoneErrManifestUnsupportedFormat
            }
            ManifestError::KeyMismatch { .. } => StepstoneStatus::StepstoneErrManifestKeyMismatch,
            ManifestError::Expired { .. } => StepstoneStatus::StepstoneErrManifestExpired,
            ManifestError::WrongModel { .. } => StepstoneStatus::StepstoneErrManifestWrongModel,
            ManifestError::WrongEnvironment { .. } => {
                StepstoneStatus::StepstoneErrManifestWrongEnvironment
            }
            ManifestError::Rollback { .. } => StepstoneStatus::StepstoneErrManifestRollback,
            ManifestError::BelowMinVersion { .. } => {
                StepstoneStatus::StepstoneErrManifestBelowMinVersion
            }
            ManifestError::DeviceVersion { .. } => {
                StepstoneStatus::StepstoneErrManifestDeviceVersion
            }
            ManifestError::SizeMismatch { .. } => StepstoneStatus::StepstoneErrManifestSizeMismatch,
            ManifestError::DigestMismatch => StepstoneStatus::StepstoneErrManifestDigestMismatch,
            ManifestError::ClockUnset => StepstoneStatus::StepstoneErrManifestClockUnset,
            ManifestError::NotInCatalog { .. } => StepstoneStatus::StepstoneErrManifestNotInCatalog,
            ManifestError::Yanked { .. } => StepstoneStatus::StepstoneErrManifestYanked,
            ManifestError::CatalogDigestMismatch { .. } => {
                StepstoneStatus::StepstoneErrManifestCatalogDigestMismatch
            }
            _ => StepstoneStatus::StepstoneErrUnknown,
        }
    }
}

impl From<CompactError> for StepstoneStatus {
    fn from(e: CompactError) -> StepstoneStatus {
        match e {
            CompactError::Truncated { .. } => StepstoneStatus::StepstoneErrCompactTruncated,
            CompactError::BadMagic => StepstoneStatus::StepstoneErrCompactBadMagic,
            CompactError::Format(_) => StepstoneStatus::StepstoneErrCompactFormat,
            CompactError::Corrupt { .. } => StepstoneStatus::StepstoneErrCompactCorrupt,
            CompactError::UnknownTarget => StepstoneStatus::StepstoneErrPlanUnknownTarget,
            _ => StepstoneStatus::StepstoneErrUnknown,
        }
    }
}

impl From<VersionErrorKind> for StepstoneStatus {
    fn from(e: VersionErrorKind) -> StepstoneStatus {
        match e {
            VersionErrorKind::Empty => StepstoneStatus::StepstoneErrVersionEmpty,
            VersionErrorKind::TooLong => StepstoneStatus::StepstoneErrVersionTooLong,
            VersionErrorKind::Malformed => StepstoneStatus::StepstoneErrVersionMalformed,
            VersionErrorKind::Overflow => StepstoneStatus::StepstoneErrVersionOverflow,
            _ => StepstoneStatus::StepstoneErrUnknown,
        }
    }
}

impl From<HopError> for StepstoneStatus {
    fn from(e: HopError) -> StepstoneStatus {
        match e {
            HopError::Version(k) => k.into(),
            HopError::NoTarget => StepstoneStatus::StepstoneErrCompactNoTarget,
            HopError::UnknownTarget => StepstoneStatus::StepstoneErrPlanUnknownTarget,
            HopError::TargetYanked => StepstoneStatus::StepstoneErrPlanTargetYanked,
            HopError::TargetNotForModel => StepstoneStatus::StepstoneErrPlanTargetModel,
            HopError::TargetNotForEnvironment => StepstoneStatus::StepstoneErrPlanTargetEnvironment,
            HopError::Downgrade => StepstoneStatus::StepstoneErrPlanDowngrade,
            HopError::Unreachable => StepstoneStatus::StepstoneErrPlanUnreachable,
            _ => StepstoneStatus::StepstoneErrUnknown,
        }
    }
}

impl From<SignedCatalogError> for StepstoneStatus {
    fn from(e: SignedCatalogError) -> StepstoneStatus {
        match e {
            SignedCatalogError::Malformed { .. } => StepstoneStatus::StepstoneErrCatalogMalformed,
            SignedCatalogError::UnknownKey { .. } => StepstoneStatus::StepstoneErrCatalogUnknownKey,
            SignedCatalogError::BadSignature { .. } => {
                StepstoneStatus::StepstoneErrCatalogBadSignature
            }
            SignedCatalogError::Expired { .. } => StepstoneStatus::StepstoneErrCatalogExpired,
            SignedCatalogError::Rollback { .. } => StepstoneStatus::StepstoneErrCatalogRollback,
            SignedCatalogError::SequenceReused { .. } => {
                StepstoneStatus::StepstoneErrCatalogSequenceReused
            }
            SignedCatalogError::ClockUnset => StepstoneStatus::StepstoneErrCatalogClockUnset,
            SignedCatalogError::ClockBehind { .. } => {
                StepstoneStatus::StepstoneErrCatalogClockBehind
            }
            _ => StepstoneStatus::StepstoneErrUnknown,
        }
    }
}
