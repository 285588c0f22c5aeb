//! The C entry points. Each converts its arguments, calls core, and maps the answer.

use core::ffi::c_char;
use core::mem::{align_of, size_of};

use stepstone::compact::CompactCatalog;
use stepstone::manifest::{self, Device, Manifest};
use stepstone::retry::{FailureKind, GiveUp, KindPolicy, RetryPolicy};
use stepstone::sample;
use stepstone::signature::{ImageHasher, PublicKey, Signature};

use crate::boundary;
use crate::status::StepstoneStatus;

type Status = StepstoneStatus;

/// Bytes of a caller-owned verify context ([`StepstoneVerifyCtx`]).
pub const STEPSTONE_VERIFY_CTX_SIZE: usize = 256;

/// `STEPSTONE_VERIFY_CTX_SIZE` in 8-byte words.
pub const STEPSTONE_VERIFY_CTX_WORDS: usize = 32;

const _: () = assert!(STEPSTONE_VERIFY_CTX_WORDS * 8 == STEPSTONE_VERIFY_CTX_SIZE);

/// Caller-owned state of one streaming verify. Declare one (stack or static), pass it to
/// `stepstone_verify_init`, then `_update` per chunk, then one `_finish_*`. Opaque.
#[repr(C)]
pub struct StepstoneVerifyCtx {
    /// Opaque storage (8-byte aligned).
    pub opaque: [u64; STEPSTONE_VERIFY_CTX_WORDS],
}

/// What a device knows about itself, for manifest checks. Text fields are pointer + length.
#[repr(C)]
pub struct StepstoneDevice {
    /// The device's model.
    pub model: *const c_char,
    /// Bytes in `model`.
    pub model_len: usize,
    /// The device's environment (`production`, ...).
    pub environment: *const c_char,
    /// Bytes in `environment`.
    pub environment_len: usize,
    /// The version the device runs.
    pub current_version: *const c_char,
    /// Bytes in `current_version`.
    pub current_version_len: usize,
    /// The anti-rollback counter: the highest version the device ever accepted.
    pub counter: *const c_char,
    /// Bytes in `counter`.
    pub counter_len: usize,
    /// Now, in Unix seconds.
    pub now: u64,
}

/// Backoff for one failure kind (see `docs/retry.md`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct StepstoneKindPolicy {
    /// Whether this kind is retried at all.
    pub retry: bool,
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
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Status> {
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
unsafe fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, Status> {
    // SAFETY: forwarded.
    let b = unsafe { bytes(ptr.cast(), len) }?;
    core::str::from_utf8(b).map_err(|_| Status::StepstoneErrNotUtf8)
}

/// Writes `value` through `out`.
///
/// # Safety
/// A non-NULL `out` must be valid for writes of `T`.
unsafe fn put<T>(out: *mut T, value: T) -> Result<(), Status> {
    if out.is_null() {
        return Err(Status::StepstoneErrNullPointer);
    }
    // SAFETY: non-NULL and valid for writes per the caller; `write` drops nothing.
    unsafe { out.write(value) };
    Ok(())
}

/// The static, NUL-terminated message for a status code (also for unknown codes).
#[unsafe(no_mangle)]
pub extern "C" fn stepstone_strerror(code: i32) -> *const c_char {
    Status::from_i32(code)
        .map_or(&b"unknown status code\0"[..], Status::message)
        .as_ptr()
        .cast()
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
        retry: k.retry,
        max_failures: k.max_failures.unwrap_or(0),
        base_secs: k.base_secs,
        factor: k.factor,
        cap_secs: k.cap_secs,
    }
}

fn kind_from_c(k: &StepstoneKindPolicy) -> KindPolicy {
    KindPolicy {
        retry: k.retry,
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
/// `STEPSTONE_ERR_BAD_ARGUMENT` for an unknown kind or an invalid policy.
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
        // SAFETY: the caller's promise (NULL checked).
        let c = unsafe { policy.as_ref() }.ok_or(Status::StepstoneErrNullPointer)?;
        let kind = usize::try_from(kind)
            .ok()
            .and_then(|i| FailureKind::ALL.get(i).copied())
            .ok_or(Status::StepstoneErrBadArgument)?;
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
        let delay = p.backoff(kind, n, id, hop, attempt);
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
/// Each pointer NULL (length 0) or valid for its length; `out` valid for `out_cap` bytes and
/// not overlapping `catalog`; `out_len` valid for a write.
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
        let c = CompactCatalog::parse(cat).map_err(Status::from)?;
        let hop = c
            .next_hop(current, target)
            .map_err(Status::from)?
            .unwrap_or_default();
        if out_len.is_null() {
            return Err(Status::StepstoneErrNullPointer);
        }
        if hop.len() > out_cap {
            return Err(Status::StepstoneErrBufferTooSmall);
        }
        if !hop.is_empty() {
            if out.is_null() {
                return Err(Status::StepstoneErrNullPointer);
            }
            // SAFETY: `out` is valid for `out_cap >= hop.len()` bytes, and the caller promises
            // it does not overlap the catalog (an input, which the hop lies in).
            unsafe { core::ptr::copy_nonoverlapping(hop.as_ptr(), out, hop.len()) };
        }
        // SAFETY: checked non-NULL above; the caller promises it is valid.
        unsafe { put(out_len, hop.len()) }
    })
}

/// What the verify context holds.
#[repr(C)]
struct VerifyState {
    magic: u64,
    hasher: ImageHasher,
}

const LIVE: u64 = 0x5354_4550_5354_4f4e; // "STEPSTON"

const _: () = assert!(size_of::<VerifyState>() <= size_of::<StepstoneVerifyCtx>());
const _: () = assert!(align_of::<VerifyState>() <= align_of::<StepstoneVerifyCtx>());

/// The live state inside `ctx`.
///
/// # Safety
/// `ctx` NULL or valid for reads and writes of a `StepstoneVerifyCtx`.
unsafe fn state<'a>(ctx: *mut StepstoneVerifyCtx) -> Result<&'a mut VerifyState, Status> {
    if ctx.is_null() {
        return Err(Status::StepstoneErrNullPointer);
    }
    let s = ctx.cast::<VerifyState>();
    // SAFETY: valid and aligned for the context (size and alignment asserted above); the magic
    // is a plain u64 read first, and only a context `stepstone_verify_init` wrote has it.
    let live = unsafe { core::ptr::addr_of!((*s).magic).read() } == LIVE;
    if !live {
        return Err(Status::StepstoneErrBadContext);
    }
    // SAFETY: initialised by `stepstone_verify_init` (the magic says so).
    Ok(unsafe { &mut *s })
}

/// Takes the hasher out of a live context and marks it finished.
///
/// # Safety
/// As [`state`].
unsafe fn take(ctx: *mut StepstoneVerifyCtx) -> Result<ImageHasher, Status> {
    // SAFETY: forwarded.
    let s = unsafe { state(ctx) }?;
    s.magic = 0;
    Ok(core::mem::take(&mut s.hasher))
}

/// Starts a streaming verify in the caller's context (`ctx_size` is `sizeof *ctx`, at least
/// `STEPSTONE_VERIFY_CTX_SIZE`).
///
/// # Safety
/// `ctx` NULL or valid for writes of `ctx_size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_verify_init(
    ctx: *mut StepstoneVerifyCtx,
    ctx_size: usize,
) -> i32 {
    boundary(|| {
        if ctx.is_null() {
            return Err(Status::StepstoneErrNullPointer);
        }
        if ctx_size < size_of::<StepstoneVerifyCtx>() {
            return Err(Status::StepstoneErrBufferTooSmall);
        }
        let state = VerifyState {
            magic: LIVE,
            hasher: ImageHasher::new(),
        };
        // SAFETY: valid for writes, size and alignment asserted; nothing to drop there.
        unsafe { ctx.cast::<VerifyState>().write(state) };
        Ok(())
    })
}

/// Feeds the next chunk of the image.
///
/// # Safety
/// `ctx` as for `stepstone_verify_init`; `chunk` NULL (length 0) or valid for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_verify_update(
    ctx: *mut StepstoneVerifyCtx,
    chunk: *const u8,
    len: usize,
) -> i32 {
    boundary(|| {
        // SAFETY: the caller's promises.
        let (s, chunk) = unsafe { (state(ctx)?, bytes(chunk, len)?) };
        s.hasher.update(chunk);
        Ok(())
    })
}

/// Finishes against a pinned public key and a signature over the image's SHA-256. The context
/// is finished either way.
///
/// The device reads binary forms only (`docs/device.md`): the key as DER SubjectPublicKeyInfo
/// or a 65-byte uncompressed SEC1 point (a compressed point is
/// `STEPSTONE_ERR_SIGNATURE_KEY_UNSUPPORTED`; PEM and hex are `..._KEY_MALFORMED`), the
/// signature as strict DER (what OpenSSL and cloud signers emit) or raw r‖s (64 bytes); hex or
/// base64 text is `STEPSTONE_ERR_SIGNATURE_MALFORMED`.
///
/// # Safety
/// `ctx` as for `stepstone_verify_init`; the others NULL (length 0) or valid for their length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_verify_finish_key(
    ctx: *mut StepstoneVerifyCtx,
    key: *const u8,
    key_len: usize,
    signature: *const u8,
    signature_len: usize,
) -> i32 {
    boundary(|| {
        // SAFETY: the caller's promises.
        let hasher = unsafe { take(ctx)? };
        // SAFETY: as above.
        let (key, sig) = unsafe { (bytes(key, key_len)?, bytes(signature, signature_len)?) };
        let key = PublicKey::parse_uncompressed(key).map_err(Status::from)?;
        let sig = Signature::parse_binary(sig).map_err(Status::from)?;
        key.verify_digest(&hasher.finish(), &sig)
            .map_err(Status::from)
    })
}

/// # Safety
/// Every pointer in `device` NULL (length 0) or valid for its length.
unsafe fn device<'a>(d: *const StepstoneDevice) -> Result<Device<'a>, Status> {
    // SAFETY: the caller's promise (NULL checked).
    let d = unsafe { d.as_ref() }.ok_or(Status::StepstoneErrNullPointer)?;
    // SAFETY: as above.
    unsafe {
        Ok(Device {
            model: text(d.model, d.model_len)?,
            environment: text(d.environment, d.environment_len)?,
            current_version: text(d.current_version, d.current_version_len)?,
            counter: text(d.counter, d.counter_len)?,
            now: d.now,
        })
    }
}

/// Verifies a signed manifest with the pinned key and checks it against the device.
///
/// # Safety
/// Each pointer NULL (length 0) or valid for its length; `dev` NULL or valid.
unsafe fn checked_manifest<'a>(
    key: *const u8,
    key_len: usize,
    manifest: *const u8,
    manifest_len: usize,
    signature: *const u8,
    signature_len: usize,
    dev: *const StepstoneDevice,
) -> Result<Manifest<'a>, Status> {
    // SAFETY: the caller's promises.
    let (key, text, sig, dev) = unsafe {
        (
            bytes(key, key_len)?,
            bytes(manifest, manifest_len)?,
            bytes(signature, signature_len)?,
            device(dev)?,
        )
    };
    let key = PublicKey::parse_uncompressed(key).map_err(Status::from)?;
    let m = manifest::verify_binary(text, sig, &key).map_err(Status::from)?;
    m.check_device(&dev).map_err(Status::from)?;
    Ok(m)
}

/// Checks a signed release manifest before the download: its signature with the pinned key,
/// then expiry, model, environment, anti-rollback and minimum version for this device. Key and
/// signature forms as for `stepstone_verify_finish_key`; a signature the device cannot read is
/// `STEPSTONE_ERR_MANIFEST_BAD_SIGNATURE`.
///
/// # Safety
/// Each pointer NULL (length 0) or valid for its length; `device` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_manifest_check(
    key: *const u8,
    key_len: usize,
    manifest: *const u8,
    manifest_len: usize,
    signature: *const u8,
    signature_len: usize,
    device: *const StepstoneDevice,
) -> i32 {
    boundary(|| {
        // SAFETY: forwarded.
        unsafe {
            checked_manifest(
                key,
                key_len,
                manifest,
                manifest_len,
                signature,
                signature_len,
                device,
            )
        }
        .map(|_| ())
    })
}

/// Finishes against a signed manifest: the manifest checks of `stepstone_manifest_check`,
/// then the streamed image's size and SHA-256 against the manifest's. The context is finished
/// either way.
///
/// # Safety
/// `ctx` as for `stepstone_verify_init`; the others as for `stepstone_manifest_check`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_verify_finish_manifest(
    ctx: *mut StepstoneVerifyCtx,
    key: *const u8,
    key_len: usize,
    manifest: *const u8,
    manifest_len: usize,
    signature: *const u8,
    signature_len: usize,
    device: *const StepstoneDevice,
) -> i32 {
    boundary(|| {
        // SAFETY: the caller's promises.
        let hasher = unsafe { take(ctx)? };
        // SAFETY: forwarded.
        let m = unsafe {
            checked_manifest(
                key,
                key_len,
                manifest,
                manifest_len,
                signature,
                signature_len,
                device,
            )
        }?;
        m.check_image(hasher).map(|_| ()).map_err(Status::from)
    })
}
