//! The C entry points for sampling, retry backoff and the next hop, and the argument
//! helpers every entry point uses. Each converts its arguments, calls core, and maps the answer.
//! Verification is in `verify`, signed catalogs in `catalog`.

use core::ffi::c_char;

use stepstone::compact::CompactCatalog;
use stepstone::retry::{FailureKind, GiveUp, KindPolicy, RetryPolicy};
use stepstone::sample;

use crate::boundary;
use crate::status::StepstoneStatus;

type Status = StepstoneStatus;

/// Backoff for one failure kind (see `docs/retry.md`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct StepstoneKindPolicy {
    /// Whether this kind is retried at all: 1 yes, 0 no (any other value is
    /// `STEPSTONE_ERR_BAD_ARGUMENT`; a byte, so C's `bool`, `uint8_t` or a literal all cross
    /// safely).
    pub retry: u8,
    /// At most this many failures of this kind on one hop; 0 = no own limit.
    pub max_failures: u32,
    /// Delay after the first failure, seconds.
    pub base_secs: u64,
    /// Multiplier per further failure (at least 1).
    pub factor: u32,
    /// Largest delay, seconds (at least `base_secs`).
    pub cap_secs: u64,
}

/// A retry policy; `stepstone_retry_policy_default` fills in the default one.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct StepstoneRetryPolicy {
    /// Attempts per hop, the first included (at least 1).
    pub attempts_per_hop: u32,
    /// Parts per million of each delay that jitter may take off (0..=1000000).
    pub jitter_ppm: u32,
    /// Per failure kind, indexed by `StepstoneFailureKind`.
    pub kinds: [StepstoneKindPolicy; 4],
    /// At most this many attempts over the whole march; 0 = no limit.
    pub max_total_attempts: u32,
    /// No new attempt this many seconds after the first; 0 = no limit.
    pub max_elapsed_secs: u64,
}

/// Failure kinds, the index into `StepstoneRetryPolicy::kinds`.
#[repr(i32)]
pub enum StepstoneFailureKind {
    /// The install failed.
    StepstoneFailed = 0,
    /// The attempt timed out.
    StepstoneTimedOut = 1,
    /// The device rejected the update.
    StepstoneRejected = 2,
    /// The download failed.
    StepstoneDownloadError = 3,
}

/// `len` bytes at `ptr`; NULL is allowed only with length 0.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes that live for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Status> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Status::StepstoneErrNullPointer);
    }
    // SAFETY: non-NULL, and the caller promises `len` readable bytes.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// UTF-8 text of `len` bytes at `ptr`.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, Status> {
    // SAFETY: forwarded.
    let b = unsafe { bytes(ptr.cast(), len) }?;
    core::str::from_utf8(b).map_err(|_| Status::StepstoneErrNotUtf8)
}

/// Writes `value` through `out` (which may be unaligned).
///
/// # Safety
/// A non-NULL `out` must be valid for writes of `T`.
pub(crate) unsafe fn put<T>(out: *mut T, value: T) -> Result<(), Status> {
    if out.is_null() {
        return Err(Status::StepstoneErrNullPointer);
    }
    let value = core::mem::ManuallyDrop::new(value);
    // SAFETY: non-NULL and valid for writes per the caller. A byte copy needs no alignment (a
    // packed or byte-buffer struct from C never faults), drops nothing, and is one memcpy call
    // for a large struct instead of an inlined unaligned copy.
    unsafe {
        core::ptr::copy_nonoverlapping(
            (&raw const *value).cast::<u8>(),
            out.cast::<u8>(),
            core::mem::size_of::<T>(),
        )
    };
    Ok(())
}

/// Reads a caller's struct (which may be unaligned) by value.
///
/// # Safety
/// A non-NULL `ptr` must be valid for reads of `T`, and `T` must be plain data valid for any
/// bytes the caller may put there (no `bool`, no enum).
pub(crate) unsafe fn get<T>(ptr: *const T) -> Result<T, Status> {
    if ptr.is_null() {
        return Err(Status::StepstoneErrNullPointer);
    }
    let mut value = core::mem::MaybeUninit::<T>::uninit();
    // SAFETY: non-NULL and valid for reads per the caller; a byte copy (no alignment needed)
    // of plain data, valid for any bytes.
    unsafe {
        core::ptr::copy_nonoverlapping(
            ptr.cast::<u8>(),
            value.as_mut_ptr().cast::<u8>(),
            core::mem::size_of::<T>(),
        );
        Ok(value.assume_init())
    }
}

/// The static, NUL-terminated message for a status code (also for unknown codes).
#[unsafe(no_mangle)]
pub extern "C" fn stepstone_strerror(code: i32) -> *const c_char {
    crate::status::message_ptr(code).cast()
}

/// The fleet-sampling position of a device (`docs/sampling.md`) in `*out_position`.
///
/// # Safety
/// Each pointer is NULL (with length 0) or valid for its length; `out_position` valid for a
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_sample_position(
    salt: *const u8,
    salt_len: usize,
    device_id: *const u8,
    device_id_len: usize,
    period: u64,
    class_name: *const c_char,
    class_len: usize,
    out_position: *mut u64,
) -> i32 {
    boundary(|| {
        // SAFETY: the caller's promises, forwarded.
        let (salt, id, class) = unsafe {
            (
                bytes(salt, salt_len)?,
                bytes(device_id, device_id_len)?,
                text(class_name, class_len)?,
            )
        };
        // SAFETY: as above.
        unsafe { put(out_position, sample::position(salt, id, period, class)) }
    })
}

/// Whether a device is in a `rate_ppm` sample this period, in `*out_sampled`.
///
/// # Safety
/// As `stepstone_sample_position`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_sample_is_sampled(
    salt: *const u8,
    salt_len: usize,
    device_id: *const u8,
    device_id_len: usize,
    period: u64,
    class_name: *const c_char,
    class_len: usize,
    rate_ppm: u32,
    out_sampled: *mut bool,
) -> i32 {
    boundary(|| {
        // SAFETY: the caller's promises, forwarded.
        let (salt, id, class) = unsafe {
            (
                bytes(salt, salt_len)?,
                bytes(device_id, device_id_len)?,
                text(class_name, class_len)?,
            )
        };
        let sampled = sample::is_sampled(salt, id, period, class, rate_ppm);
        // SAFETY: as above.
        unsafe { put(out_sampled, sampled) }
    })
}

/// Whether `position` is below `rate_ppm` (the sampling decision), in `*out_sampled`.
///
/// # Safety
/// `out_sampled` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_sample_is_below(
    position: u64,
    rate_ppm: u32,
    out_sampled: *mut bool,
) -> i32 {
    // SAFETY: the caller's promise.
    boundary(|| unsafe { put(out_sampled, sample::is_below(position, rate_ppm)) })
}

/// The sampling period holding `unix_seconds`, in `*out_period`; `STEPSTONE_ERR_SAMPLE_NO_PERIOD`
/// when `period_seconds` is 0 or the time is before `offset_seconds`.
///
/// # Safety
/// `out_period` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_sample_period_index(
    unix_seconds: u64,
    period_seconds: u64,
    offset_seconds: u64,
    out_period: *mut u64,
) -> i32 {
    boundary(|| {
        let p = sample::period_index(unix_seconds, period_seconds, offset_seconds)
            .ok_or(Status::StepstoneErrSampleNoPeriod)?;
        // SAFETY: the caller's promise.
        unsafe { put(out_period, p) }
    })
}

fn kind_to_c(k: &KindPolicy) -> StepstoneKindPolicy {
    StepstoneKindPolicy {
        retry: u8::from(k.retry),
        max_failures: k.max_failures.unwrap_or(0),
        base_secs: k.base_secs,
        factor: k.factor,
        cap_secs: k.cap_secs,
    }
}

/// `k.retry` must be 0 or 1: checked for every kind before this is called.
fn kind_from_c(k: &StepstoneKindPolicy) -> KindPolicy {
    KindPolicy {
        retry: k.retry == 1,
        max_failures: (k.max_failures != 0).then_some(k.max_failures),
        base_secs: k.base_secs,
        factor: k.factor,
        cap_secs: k.cap_secs,
    }
}

/// Fills `*out` with the default retry policy (5 attempts per hop, 50% jitter, 60 s doubling
/// to 6 h; downloads from 30 s).
///
/// # Safety
/// `out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_retry_policy_default(out: *mut StepstoneRetryPolicy) -> i32 {
    boundary(|| {
        let p = RetryPolicy::default();
        let c = StepstoneRetryPolicy {
            attempts_per_hop: p.attempts_per_hop,
            jitter_ppm: p.jitter_ppm,
            kinds: FailureKind::ALL.map(|k| kind_to_c(p.kind(k))),
            max_total_attempts: p.give_up.max_total_attempts.unwrap_or(0),
            max_elapsed_secs: p.give_up.max_elapsed_secs.unwrap_or(0),
        };
        // SAFETY: the caller's promise.
        unsafe { put(out, c) }
    })
}

/// The jittered delay, in `*out_delay_secs`, before retrying after the `n`-th failure of `kind`
/// (a `StepstoneFailureKind`) on hop `hop`, where `attempt` is the attempt that failed.
/// `STEPSTONE_ERR_BAD_ARGUMENT` for an unknown kind, an invalid policy, or `n` or `attempt` 0
/// (both are numbered from 1).
///
/// # Safety
/// `policy` NULL or valid for a read; text pointers NULL (length 0) or valid for their length;
/// `out_delay_secs` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_retry_backoff(
    policy: *const StepstoneRetryPolicy,
    kind: i32,
    n: u32,
    device_id: *const u8,
    device_id_len: usize,
    hop: *const u8,
    hop_len: usize,
    attempt: u32,
    out_delay_secs: *mut u64,
) -> i32 {
    boundary(|| {
        // SAFETY: the caller's promise (NULL checked); the struct is plain data.
        let c = unsafe { get(policy) }?;
        let kind = usize::try_from(kind)
            .ok()
            .and_then(|i| FailureKind::ALL.get(i).copied())
            .ok_or(Status::StepstoneErrBadArgument)?;
        // A C `bool` holding anything but 0 or 1 is refused, never read as a Rust `bool`.
        if c.kinds.iter().any(|k| k.retry > 1) {
            return Err(Status::StepstoneErrBadArgument);
        }
        let [failed, timed_out, rejected, download_error] = c.kinds.each_ref().map(kind_from_c);
        let p = RetryPolicy {
            attempts_per_hop: c.attempts_per_hop,
            jitter_ppm: c.jitter_ppm,
            failed,
            timed_out,
            rejected,
            download_error,
            give_up: GiveUp {
                max_total_attempts: (c.max_total_attempts != 0).then_some(c.max_total_attempts),
                max_elapsed_secs: (c.max_elapsed_secs != 0).then_some(c.max_elapsed_secs),
            },
        };
        p.validate().map_err(|_| Status::StepstoneErrBadArgument)?;
        // SAFETY: the caller's promises.
        let (id, hop) = unsafe { (bytes(device_id, device_id_len)?, bytes(hop, hop_len)?) };
        let delay = p
            .backoff(kind, n, id, hop, attempt)
            .map_err(|_| Status::StepstoneErrBadArgument)?;
        // SAFETY: as above.
        unsafe { put(out_delay_secs, delay) }
    })
}

/// The next release to install from `current` toward `target` over a compact catalog
/// (`docs/compact-catalog.md`, made by `stepstone catalog pack`), by hops, as the planner
/// answers for the packed model and environment. `target` NULL (length 0): the packed target.
/// The version is written to `out` (not NUL-terminated) and its length to `*out_len`; length 0
/// means the device is already at the target.
///
/// # Safety
/// Each pointer NULL (length 0) or valid for its length; `out` valid for `out_cap` bytes (it
/// may overlap `catalog`); `out_len` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_next_hop(
    catalog: *const u8,
    catalog_len: usize,
    current: *const c_char,
    current_len: usize,
    target: *const c_char,
    target_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary(|| {
        // SAFETY: the caller's promises.
        let (cat, current) = unsafe { (bytes(catalog, catalog_len)?, text(current, current_len)?) };
        // SAFETY: as above.
        let target = unsafe { text(target, target_len)? };
        let target = (!target.is_empty()).then_some(target);
        let c = CompactCatalog::parse(cat).map_err(Status::of)?;
        let hop = c
            .next_hop(current, target)
            .map_err(Status::of)?
            .unwrap_or_default();
        if out_len.is_null() {
            return Err(Status::StepstoneErrNullPointer);
        }
        // `out` may overlap the catalog the hop lies in: the hop goes through a stack copy
        // (versions are at most 128 bytes), so no reference into the catalog is used while
        // `out` is written, and no memmove is linked.
        let mut tmp = [0u8; stepstone::version::MAX_VERSION_LEN];
        let n = hop.len();
        tmp.get_mut(..n)
            .ok_or(Status::StepstoneErrCompactCorrupt)?
            .copy_from_slice(hop.as_bytes());
        if n > out_cap {
            return Err(Status::StepstoneErrBufferTooSmall);
        }
        if n > 0 {
            if out.is_null() {
                return Err(Status::StepstoneErrNullPointer);
            }
            // SAFETY: `out` is valid for `out_cap >= n` bytes; `tmp` is this call's own stack.
            unsafe { core::ptr::copy_nonoverlapping(tmp.as_ptr(), out, n) };
        }
        // SAFETY: checked non-NULL above; the caller promises it is valid.
        unsafe { put(out_len, n) }
    })
}
