//! The device statuses, generated from core's error registry
//! (`core/src/error/registry.rs`) by the test `status_table_is_the_registrys` in
//! `device-port/src/tests/status_table.rs`: do not edit. The test fails when this file is
//! not what the registry gives; `STEPSTONE_REGENERATE=1 cargo test -p stepstone-device
//! status_table` writes it anew.

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
    /// A version is longer than 128 bytes (`version.too_long`).
    StepstoneErrVersionTooLong = 12,
    /// A numeric component of a version does not fit in 64 bits (`version.overflow`).
    StepstoneErrVersionOverflow = 13,
    /// A compact catalog ends before the structure it announces (`compact.truncated`).
    StepstoneErrCompactTruncated = 20,
    /// Not a compact catalog (the bytes do not start with `SSCC`) (`compact.bad_magic`).
    StepstoneErrCompactBadMagic = 21,
    /// A compact catalog format version this code does not read (`compact.format`).
    StepstoneErrCompactFormat = 22,
    /// A compact catalog is corrupt: a field out of range, a bad string or unsorted points (`compact.corrupt`).
    StepstoneErrCompactCorrupt = 23,
    /// No target given and none packed in the catalog (`compact.no_target`).
    StepstoneErrCompactNoTarget = 24,
    /// The target is not a release of the catalog (`plan.unknown_target`).
    StepstoneErrPlanUnknownTarget = 30,
    /// The target is yanked (`plan.target_yanked`).
    StepstoneErrPlanTargetYanked = 31,
    /// The target is not for the device's model (`plan.target_model`).
    StepstoneErrPlanTargetModel = 32,
    /// The target is not for the device's environment (`plan.target_environment`).
    StepstoneErrPlanTargetEnvironment = 33,
    /// The target is below the current version, and downgrades are not allowed (`plan.downgrade`).
    StepstoneErrPlanDowngrade = 34,
    /// No chain of installs reaches the target (`plan.unreachable`).
    StepstoneErrPlanUnreachable = 35,
    /// The signature is well formed but does not verify with the key over this digest (`signature.invalid`).
    StepstoneErrSignatureInvalid = 40,
    /// The signature is none of strict DER, raw r and s, or hex or base64 of either (`signature.malformed`).
    StepstoneErrSignatureMalformed = 41,
    /// The public key could not be read (`signature.key_malformed`).
    StepstoneErrSignatureKeyMalformed = 42,
    /// The public key is not a P-256 key, or (on the device) its point is compressed (`signature.key_unsupported`).
    StepstoneErrSignatureKeyUnsupported = 43,
    /// A digest is not exactly 32 bytes (`signature.digest_length`).
    StepstoneErrSignatureDigestLength = 44,
    /// The manifest's signature does not verify (or is malformed) (`manifest.bad_signature`).
    StepstoneErrManifestBadSignature = 50,
    /// The manifest does not follow the format (`manifest.malformed`).
    StepstoneErrManifestMalformed = 51,
    /// The manifest's first line names another format or format version (`manifest.unsupported_format`).
    StepstoneErrManifestUnsupportedFormat = 52,
    /// The manifest names another signing key than the one that verified it (`manifest.key_mismatch`).
    StepstoneErrManifestKeyMismatch = 53,
    /// The manifest expired (`manifest.expired`).
    StepstoneErrManifestExpired = 54,
    /// The manifest is not for this device's model (`manifest.wrong_model`).
    StepstoneErrManifestWrongModel = 55,
    /// The manifest is not for this device's environment (`manifest.wrong_environment`).
    StepstoneErrManifestWrongEnvironment = 56,
    /// The manifest's version is not above the anti-rollback counter (or the running version) (`manifest.rollback`).
    StepstoneErrManifestRollback = 57,
    /// The device runs a version below the manifest's `min_sw_version` (`manifest.below_min_version`).
    StepstoneErrManifestBelowMinVersion = 58,
    /// A device version (running or counter) is not of the manifest's scheme (`manifest.device_version`).
    StepstoneErrManifestDeviceVersion = 59,
    /// The image is longer or shorter than the manifest's size (`manifest.size_mismatch`).
    StepstoneErrManifestSizeMismatch = 60,
    /// The image's SHA-256 differs from the manifest's (`manifest.digest_mismatch`).
    StepstoneErrManifestDigestMismatch = 61,
    /// `now` is 0: no clock, expiry cannot be checked (`manifest.clock_unset`).
    StepstoneErrManifestClockUnset = 62,
    /// The manifest's version is not a release of the signed catalog for this device (`manifest.not_in_catalog`).
    StepstoneErrManifestNotInCatalog = 63,
    /// The manifest's release is yanked in the signed catalog (`manifest.yanked`).
    StepstoneErrManifestYanked = 64,
    /// The manifest's SHA-256 differs from the signed catalog's (`manifest.catalog_digest_mismatch`).
    StepstoneErrManifestCatalogDigestMismatch = 65,
    /// No sampling period: the period length is 0 or the time is before the offset (the device's `stepstone_sample_period_index`) (`sample.no_period`).
    StepstoneErrSampleNoPeriod = 70,
    /// The signed catalog envelope is malformed (`signed_catalog.malformed`).
    StepstoneErrCatalogMalformed = 80,
    /// The signed catalog names a key that is not trusted (not the pinned catalog key) (`signed_catalog.unknown_key`).
    StepstoneErrCatalogUnknownKey = 81,
    /// The signed catalog's signature does not verify (`signed_catalog.bad_signature`).
    StepstoneErrCatalogBadSignature = 82,
    /// The signed catalog expired (`signed_catalog.expired`).
    StepstoneErrCatalogExpired = 83,
    /// The signed catalog's sequence is below the last accepted (`signed_catalog.rollback`).
    StepstoneErrCatalogRollback = 84,
    /// The signed catalog has the last accepted sequence but other signed bytes (`signed_catalog.sequence_reused`).
    StepstoneErrCatalogSequenceReused = 85,
    /// `now` is 0: no clock, expiry cannot be checked (`signed_catalog.clock_unset`).
    StepstoneErrCatalogClockUnset = 86,
    /// `now` is below the time floor (the last catalog's issued time) (`signed_catalog.clock_behind`).
    StepstoneErrCatalogClockBehind = 87,
    /// The image is shorter than its header, body and TLV areas say (`mcuboot.truncated`).
    StepstoneErrMcubootTruncated = 90,
    /// The image does not start with MCUboot's header magic 0x96f3b83d (`mcuboot.bad_magic`).
    StepstoneErrMcubootBadMagic = 91,
    /// The header's size field is below 32 bytes (`mcuboot.bad_header`).
    StepstoneErrMcubootBadHeader = 92,
    /// The image is encrypted or compressed (its flags say so): its hash covers bytes the device does not hold (`mcuboot.unsupported`).
    StepstoneErrMcubootUnsupported = 93,
    /// A TLV area's info header has the wrong magic or size, or the protected area differs from the header's size (`mcuboot.bad_tlv_info`).
    StepstoneErrMcubootBadTlvInfo = 94,
    /// A TLV's header or value runs past the end of its TLV area (`mcuboot.tlv_truncated`).
    StepstoneErrMcubootTlvTruncated = 95,
    /// A TLV the check reads (hash, signature, key hash, public key, security counter) appears twice (`mcuboot.tlv_duplicate`).
    StepstoneErrMcubootTlvDuplicate = 96,
    /// The image has no SHA-256 TLV, no key TLV (key hash or public key) or no ECDSA signature TLV (`mcuboot.tlv_missing`).
    StepstoneErrMcubootTlvMissing = 97,
    /// A SHA-256 or key hash TLV is not 32 bytes, a security counter not 4 (`mcuboot.tlv_length`).
    StepstoneErrMcubootTlvLength = 98,
    /// A security counter outside the protected TLV area, or a key TLV after the signature (`mcuboot.tlv_misplaced`).
    StepstoneErrMcubootTlvMisplaced = 99,
    /// Bytes follow the TLV area (an image signed with `--pad`, or two images) (`mcuboot.trailing_bytes`).
    StepstoneErrMcubootTrailingBytes = 100,
    /// The SHA-256 of header, body and protected TLVs differs from the image's SHA-256 TLV (`mcuboot.hash_mismatch`).
    StepstoneErrMcubootHashMismatch = 101,
    /// The image's key hash or public key TLV names another key than the pinned one (`mcuboot.key_mismatch`).
    StepstoneErrMcubootKeyMismatch = 102,
    /// The ECDSA signature TLV is not a strict DER ECDSA P-256 signature followed by at most 2 zero bytes (`mcuboot.signature_malformed`).
    StepstoneErrMcubootSignatureMalformed = 103,
    /// The ECDSA signature TLV does not verify with the pinned key over the image's SHA-256 (`mcuboot.bad_signature`).
    StepstoneErrMcubootBadSignature = 104,
}

impl StepstoneStatus {
    /// All statuses, in numeric order.
    /// cbindgen:ignore
    pub const ALL: [StepstoneStatus; 68] = [
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
        StepstoneStatus::StepstoneErrMcubootTruncated,
        StepstoneStatus::StepstoneErrMcubootBadMagic,
        StepstoneStatus::StepstoneErrMcubootBadHeader,
        StepstoneStatus::StepstoneErrMcubootUnsupported,
        StepstoneStatus::StepstoneErrMcubootBadTlvInfo,
        StepstoneStatus::StepstoneErrMcubootTlvTruncated,
        StepstoneStatus::StepstoneErrMcubootTlvDuplicate,
        StepstoneStatus::StepstoneErrMcubootTlvMissing,
        StepstoneStatus::StepstoneErrMcubootTlvLength,
        StepstoneStatus::StepstoneErrMcubootTlvMisplaced,
        StepstoneStatus::StepstoneErrMcubootTrailingBytes,
        StepstoneStatus::StepstoneErrMcubootHashMismatch,
        StepstoneStatus::StepstoneErrMcubootKeyMismatch,
        StepstoneStatus::StepstoneErrMcubootSignatureMalformed,
        StepstoneStatus::StepstoneErrMcubootBadSignature,
    ];

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
            62 => StepstoneStatus::StepstoneErrManifestClockUnset,
            63 => StepstoneStatus::StepstoneErrManifestNotInCatalog,
            64 => StepstoneStatus::StepstoneErrManifestYanked,
            65 => StepstoneStatus::StepstoneErrManifestCatalogDigestMismatch,
            70 => StepstoneStatus::StepstoneErrSampleNoPeriod,
            80 => StepstoneStatus::StepstoneErrCatalogMalformed,
            81 => StepstoneStatus::StepstoneErrCatalogUnknownKey,
            82 => StepstoneStatus::StepstoneErrCatalogBadSignature,
            83 => StepstoneStatus::StepstoneErrCatalogExpired,
            84 => StepstoneStatus::StepstoneErrCatalogRollback,
            85 => StepstoneStatus::StepstoneErrCatalogSequenceReused,
            86 => StepstoneStatus::StepstoneErrCatalogClockUnset,
            87 => StepstoneStatus::StepstoneErrCatalogClockBehind,
            90 => StepstoneStatus::StepstoneErrMcubootTruncated,
            91 => StepstoneStatus::StepstoneErrMcubootBadMagic,
            92 => StepstoneStatus::StepstoneErrMcubootBadHeader,
            93 => StepstoneStatus::StepstoneErrMcubootUnsupported,
            94 => StepstoneStatus::StepstoneErrMcubootBadTlvInfo,
            95 => StepstoneStatus::StepstoneErrMcubootTlvTruncated,
            96 => StepstoneStatus::StepstoneErrMcubootTlvDuplicate,
            97 => StepstoneStatus::StepstoneErrMcubootTlvMissing,
            98 => StepstoneStatus::StepstoneErrMcubootTlvLength,
            99 => StepstoneStatus::StepstoneErrMcubootTlvMisplaced,
            100 => StepstoneStatus::StepstoneErrMcubootTrailingBytes,
            101 => StepstoneStatus::StepstoneErrMcubootHashMismatch,
            102 => StepstoneStatus::StepstoneErrMcubootKeyMismatch,
            103 => StepstoneStatus::StepstoneErrMcubootSignatureMalformed,
            104 => StepstoneStatus::StepstoneErrMcubootBadSignature,
            _ => return None,
        })
    }
}
