//! Status codes: one `#[repr(i32)]` enum, 0 = ok, each with a static message and the stable
//! core error code it stands for. Generated table: edit the rows, not the matches.

use stepstone::ErrorCode;

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
    /// Public key is not a P-256 key (`signature.key_unsupported`).
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
    /// No sampling period (period length 0 or time before the offset) (`sample.no_period`).
    StepstoneErrSampleNoPeriod = 70,
}

impl StepstoneStatus {
    /// All statuses, in numeric order.
    pub const ALL: [StepstoneStatus; 41] = [
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
        StepstoneStatus::StepstoneErrSampleNoPeriod,
    ];

    /// The static, NUL-terminated message.
    pub const fn message(self) -> &'static [u8] {
        match self {
            StepstoneStatus::StepstoneOk => b"ok\0",
            StepstoneStatus::StepstoneErrNullPointer => b"a required pointer argument is NULL\0",
            StepstoneStatus::StepstoneErrBufferTooSmall => {
                b"the output buffer or context is too small\0"
            }
            StepstoneStatus::StepstoneErrBadContext => {
                b"the verify context was not initialised (or was already finished)\0"
            }
            StepstoneStatus::StepstoneErrNotUtf8 => b"a text argument is not UTF-8\0",
            StepstoneStatus::StepstoneErrBadArgument => b"an argument is out of range\0",
            StepstoneStatus::StepstoneErrPanic => {
                b"internal error (a panic was caught at the boundary)\0"
            }
            StepstoneStatus::StepstoneErrUnknown => b"an error without a device status code\0",
            StepstoneStatus::StepstoneErrVersionMalformed => {
                b"a version is malformed in the catalog's scheme\0"
            }
            StepstoneStatus::StepstoneErrVersionEmpty => b"a version is empty\0",
            StepstoneStatus::StepstoneErrVersionTooLong => b"a version is too long\0",
            StepstoneStatus::StepstoneErrVersionOverflow => b"a version number overflows\0",
            StepstoneStatus::StepstoneErrCompactTruncated => b"compact catalog truncated\0",
            StepstoneStatus::StepstoneErrCompactBadMagic => b"not a compact catalog (bad magic)\0",
            StepstoneStatus::StepstoneErrCompactFormat => b"compact catalog format not supported\0",
            StepstoneStatus::StepstoneErrCompactCorrupt => b"compact catalog is corrupt\0",
            StepstoneStatus::StepstoneErrCompactNoTarget => {
                b"no target given and none packed in the catalog\0"
            }
            StepstoneStatus::StepstoneErrPlanUnknownTarget => b"target is not in the catalog\0",
            StepstoneStatus::StepstoneErrPlanTargetYanked => b"target is yanked\0",
            StepstoneStatus::StepstoneErrPlanTargetModel => b"target is not for the packed model\0",
            StepstoneStatus::StepstoneErrPlanTargetEnvironment => {
                b"target is not for the packed environment\0"
            }
            StepstoneStatus::StepstoneErrPlanDowngrade => {
                b"target is below the current version; downgrades are not allowed\0"
            }
            StepstoneStatus::StepstoneErrPlanUnreachable => {
                b"no chain of installs reaches the target\0"
            }
            StepstoneStatus::StepstoneErrSignatureInvalid => b"signature does not verify\0",
            StepstoneStatus::StepstoneErrSignatureMalformed => b"signature is malformed\0",
            StepstoneStatus::StepstoneErrSignatureKeyMalformed => b"public key is malformed\0",
            StepstoneStatus::StepstoneErrSignatureKeyUnsupported => {
                b"public key is not a P-256 key\0"
            }
            StepstoneStatus::StepstoneErrSignatureDigestLength => b"digest is not 32 bytes\0",
            StepstoneStatus::StepstoneErrManifestBadSignature => {
                b"manifest signature does not verify\0"
            }
            StepstoneStatus::StepstoneErrManifestMalformed => b"manifest is malformed\0",
            StepstoneStatus::StepstoneErrManifestUnsupportedFormat => {
                b"manifest format not supported\0"
            }
            StepstoneStatus::StepstoneErrManifestKeyMismatch => {
                b"manifest names another signing key\0"
            }
            StepstoneStatus::StepstoneErrManifestExpired => b"manifest expired\0",
            StepstoneStatus::StepstoneErrManifestWrongModel => {
                b"manifest is not for this device's model\0"
            }
            StepstoneStatus::StepstoneErrManifestWrongEnvironment => {
                b"manifest is not for this device's environment\0"
            }
            StepstoneStatus::StepstoneErrManifestRollback => {
                b"manifest version is not above the anti-rollback counter\0"
            }
            StepstoneStatus::StepstoneErrManifestBelowMinVersion => {
                b"device runs a version below the manifest's min_sw_version\0"
            }
            StepstoneStatus::StepstoneErrManifestDeviceVersion => {
                b"a device version is not of the manifest's scheme\0"
            }
            StepstoneStatus::StepstoneErrManifestSizeMismatch => {
                b"image size differs from the manifest\0"
            }
            StepstoneStatus::StepstoneErrManifestDigestMismatch => {
                b"image SHA-256 differs from the manifest\0"
            }
            StepstoneStatus::StepstoneErrSampleNoPeriod => {
                b"no sampling period (period length 0 or time before the offset)\0"
            }
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
        }
    }

    /// The status for a core error code (`StepstoneErrUnknown` for one the device never sees).
    pub fn from_code(code: &str) -> StepstoneStatus {
        StepstoneStatus::ALL
            .iter()
            .copied()
            .find(|s| !code.is_empty() && s.code() == code)
            .unwrap_or(StepstoneStatus::StepstoneErrUnknown)
    }

    /// The status for any core error.
    pub fn of<E: ErrorCode>(e: &E) -> StepstoneStatus {
        StepstoneStatus::from_code(e.code())
    }

    /// The status with this number, if any.
    pub fn from_i32(n: i32) -> Option<StepstoneStatus> {
        StepstoneStatus::ALL
            .iter()
            .copied()
            .find(|s| *s as i32 == n)
    }
}
