use super::*;
use core::ptr::{null, null_mut};

/// Every core error the device can meet has a status of its own, with the same code.
#[test]
fn errors_map_to_the_status_with_their_code() {
    use stepstone::ErrorCode;
    use stepstone::compact::{CompactError, HopError};
    use stepstone::error::Registered;
    use stepstone::manifest::{ManifestError, Quoted};
    use stepstone::signature::{KeyId, SignatureError};
    use stepstone::version::{Scheme, VersionErrorKind};
    fn same<E: ErrorCode + Registered + Copy>(errors: &[E], status: fn(E) -> StepstoneStatus) {
        for &e in errors {
            assert_ne!(
                status(e),
                StepstoneStatus::StepstoneErrUnknown,
                "{}",
                e.code()
            );
            assert_eq!(status(e).code(), e.code());
        }
    }
    let q = Quoted::new("x");
    let id = KeyId([0; 32]);
    same(
        &[
            SignatureError::Malformed { len: 1 },
            SignatureError::Invalid { key_id: id },
            SignatureError::DigestLength { len: 1 },
            SignatureError::KeyMalformed {
                expected: "",
                reason: "",
            },
            SignatureError::KeyUnsupported { reason: "" },
        ],
        StepstoneStatus::of,
    );
    let versions = [
        VersionErrorKind::Empty,
        VersionErrorKind::TooLong,
        VersionErrorKind::Malformed,
        VersionErrorKind::Overflow,
    ];
    same(&versions, StepstoneStatus::of);
    same(
        &[
            ManifestError::BadSignature { key_id: id },
            ManifestError::Malformed {
                line: 1,
                reason: "",
            },
            ManifestError::UnsupportedFormat { found: q },
            ManifestError::KeyMismatch {
                named: id,
                used: id,
            },
            ManifestError::Expired { expires: 1, now: 2 },
            ManifestError::WrongModel { model: q },
            ManifestError::WrongEnvironment {
                expected: q,
                found: q,
            },
            ManifestError::Rollback {
                version: q,
                floor: q,
                floor_name: "",
            },
            ManifestError::BelowMinVersion { current: q, min: q },
            ManifestError::DeviceVersion {
                field: "",
                value: q,
                scheme: Scheme::Integer,
                kind: VersionErrorKind::Empty,
            },
            ManifestError::SizeMismatch {
                expected: 1,
                got: 2,
                longer: true,
            },
            ManifestError::DigestMismatch,
            ManifestError::ClockUnset,
            ManifestError::NotInCatalog { version: q },
            ManifestError::Yanked { version: q },
            ManifestError::CatalogDigestMismatch { version: q },
        ],
        StepstoneStatus::of,
    );
    {
        use stepstone::signed_catalog::SignedCatalogError as E;
        same(
            &[
                E::Malformed {
                    line: 0,
                    reason: "",
                },
                E::UnknownKey { key_id: id },
                E::BadSignature { key_id: id },
                E::Expired { expires: 1, now: 2 },
                E::Rollback {
                    sequence: 1,
                    last: 2,
                },
                E::SequenceReused { sequence: 1 },
                E::ClockUnset,
                E::ClockBehind { now: 1, floor: 2 },
            ],
            StepstoneStatus::of,
        );
    }
    same(
        &[
            CompactError::Truncated { needed: 1, len: 0 },
            CompactError::BadMagic,
            CompactError::Format(3),
            CompactError::Corrupt { at: 0 },
            CompactError::UnknownTarget,
        ],
        StepstoneStatus::of,
    );
    let mut hops = versions.map(HopError::Version).to_vec();
    hops.extend([
        HopError::NoTarget,
        HopError::UnknownTarget,
        HopError::TargetYanked,
        HopError::TargetNotForModel,
        HopError::TargetNotForEnvironment,
        HopError::Downgrade,
        HopError::Unreachable,
    ]);
    same(&hops, StepstoneStatus::of);
    // Errors the device never meets have no status of their own.
    assert_eq!(
        StepstoneStatus::of(CompactError::TooLarge {
            what: "releases",
            count: 1
        }),
        StepstoneStatus::StepstoneErrUnknown
    );
}

#[test]
fn null_pointers_are_refused() {
    let mut pos = 0u64;
    // SAFETY: NULL with lengths, the point of the test.
    unsafe {
        assert_eq!(
            stepstone_sample_position(null(), 3, null(), 0, 0, null(), 0, &mut pos),
            StepstoneStatus::StepstoneErrNullPointer as i32
        );
        assert_eq!(
            stepstone_sample_position(null(), 0, null(), 0, 0, null(), 0, null_mut()),
            StepstoneStatus::StepstoneErrNullPointer as i32
        );
        assert_eq!(
            stepstone_sample_position(null(), 0, null(), 0, 0, null(), 0, &mut pos),
            0
        );
        assert_eq!(pos, stepstone::sample::position(b"", b"", 0, ""));
        assert_eq!(
            stepstone_verify_update(null_mut(), null(), 0),
            StepstoneStatus::StepstoneErrNullPointer as i32
        );
        let mut ctx = StepstoneVerifyCtx {
            opaque: [0; STEPSTONE_VERIFY_CTX_WORDS],
        };
        assert_eq!(
            stepstone_verify_update(&mut ctx, null(), 0),
            StepstoneStatus::StepstoneErrBadContext as i32
        );
        assert_eq!(
            stepstone_verify_init(&mut ctx, 8),
            StepstoneStatus::StepstoneErrBadArgument as i32
        );
        assert_eq!(
            stepstone_verify_init(&mut ctx, core::mem::size_of_val(&ctx)),
            0
        );
        assert_eq!(stepstone_verify_update(&mut ctx, b"abc".as_ptr(), 3), 0);
        assert_eq!(
            stepstone_verify_finish_key(&mut ctx, null(), 0, null(), 0),
            StepstoneStatus::StepstoneErrSignatureKeyMalformed as i32
        );
        // An argument error leaves the context as it was: still taking bytes.
        assert_eq!(stepstone_verify_update(&mut ctx, null(), 0), 0);
        assert_eq!(
            stepstone_verify_finish_key(&mut ctx, null(), 3, null(), 0),
            StepstoneStatus::StepstoneErrNullPointer as i32
        );
        assert_eq!(stepstone_verify_update(&mut ctx, null(), 0), 0);
    }
}

#[test]
fn backoff_matches_core() {
    let mut p = core::mem::MaybeUninit::<StepstoneRetryPolicy>::uninit();
    let mut d = 0u64;
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(stepstone_retry_policy_default(p.as_mut_ptr()), 0);
        let p = p.assume_init();
        assert_eq!(
            stepstone_retry_backoff(&p, 0, 2, b"d".as_ptr(), 1, b"v2".as_ptr(), 2, 2, &mut d),
            0
        );
        let want = stepstone::retry::RetryPolicy::default().backoff(
            stepstone::retry::FailureKind::Failed,
            2,
            b"d",
            b"v2",
            2,
        );
        assert_eq!(Ok(d), want);
        for (n, attempt) in [(0, 1), (1, 0)] {
            assert_eq!(
                stepstone_retry_backoff(&p, 0, n, null(), 0, null(), 0, attempt, &mut d),
                StepstoneStatus::StepstoneErrBadArgument as i32
            );
        }
        assert_eq!(
            stepstone_retry_backoff(&p, 9, 2, null(), 0, null(), 0, 2, &mut d),
            StepstoneStatus::StepstoneErrBadArgument as i32
        );
    }
}

mod chain;
mod status_table;
