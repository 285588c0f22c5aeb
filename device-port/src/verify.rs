//! Streaming verification: the caller-owned context, manifests, and the verified facts.
//!
//! Two ways to use a context:
//! * **Manifest first** (the closed chain): `stepstone_verify_init_manifest` checks the signed
//!   manifest, every policy rule and (optionally) the signed catalog before any image byte, and
//!   keeps the declared size and digest; `stepstone_verify_update` refuses the first chunk past
//!   the declared size; `stepstone_verify_finish_checked` checks size and digest and gives the
//!   verified facts.
//! * **Key only** (authorship only): `stepstone_verify_init`, `_update`, `_finish_key` or
//!   `_finish_manifest[_checked]`.
//!
//! A context is finished by a finish that succeeds. A finish that fails leaves it live, with
//! the image's digest kept, so the caller can finish again (another pinned key, after a key
//! rotation) without hashing the image again; argument errors are reported before anything
//! changes. After the first finish attempt the image is closed: `_update` is refused.

use core::ffi::c_char;
use core::mem::{align_of, needs_drop, size_of};

use stepstone::compact::CompactCatalog;
use stepstone::manifest::{self, Device, Manifest};
use stepstone::signature::{Digest, PortableImageHasher, PublicKey, Signature};
use stepstone::version::MAX_VERSION_LEN;

use crate::boundary;
use crate::ffi::{bytes, get, put, text};
use crate::status::StepstoneStatus;

type Status = StepstoneStatus;

/// Bytes of a caller-owned verify context ([`StepstoneVerifyCtx`]).
pub const STEPSTONE_VERIFY_CTX_SIZE: usize = 512;

/// `STEPSTONE_VERIFY_CTX_SIZE` in 8-byte words.
pub const STEPSTONE_VERIFY_CTX_WORDS: usize = 64;

/// Alignment a verify context needs, in bytes. A context at an address that is not a multiple
/// of it is refused with `STEPSTONE_ERR_BAD_ARGUMENT` (never a fault).
pub const STEPSTONE_VERIFY_CTX_ALIGN: usize = 8;

/// Bytes of `StepstoneVerified::version`: the longest version, plus its NUL.
pub const STEPSTONE_VERSION_MAX: usize = 129;

const _: () = assert!(STEPSTONE_VERIFY_CTX_WORDS * 8 == STEPSTONE_VERIFY_CTX_SIZE);
const _: () = assert!(STEPSTONE_VERSION_MAX == MAX_VERSION_LEN + 1);

/// Caller-owned state of one streaming verify. Declare one (stack or static, aligned to
/// `STEPSTONE_VERIFY_CTX_ALIGN`: the `uint64_t` array makes a declared one so), start it with
/// `stepstone_verify_init_manifest` (or `stepstone_verify_init`), then `_update` per chunk,
/// then a `_finish_*`. Opaque.
#[repr(C)]
pub struct StepstoneVerifyCtx {
    /// Opaque storage (8-byte aligned).
    pub opaque: [u64; STEPSTONE_VERIFY_CTX_WORDS],
}

/// What a device knows about itself, for manifest checks. Text fields are pointer + length.
/// Zero-initialise it (`StepstoneDevice d = {0};`) so fields added later stay off.
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
    /// Now, in Unix seconds. 0 is refused (`STEPSTONE_ERR_MANIFEST_CLOCK_UNSET`); a device
    /// without a real-time clock passes its time floor (`StepstoneCatalogState::issued`).
    pub now: u64,
    /// Optional: the compact catalog of a signed catalog that `stepstone_catalog_open`
    /// accepted (`envelope + opened.payload_offset`, `opened.payload_len` bytes). When given,
    /// a manifest must name a release of it for this device, not yanked, with its SHA-256
    /// (mix-and-match). NULL with length 0: no catalog check.
    pub catalog: *const u8,
    /// Bytes in `catalog`.
    pub catalog_len: usize,
}

/// The facts of a verified manifest (and image): what firmware stores after installing. The
/// version is the new anti-rollback counter.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct StepstoneVerified {
    /// The release's version, NUL-terminated.
    pub version: [c_char; STEPSTONE_VERSION_MAX],
    /// Bytes in `version` before the NUL.
    pub version_len: usize,
    /// The image's size in bytes.
    pub size: u64,
    /// The image's SHA-256.
    pub sha256: [u8; 32],
    /// When the manifest expires, Unix seconds.
    pub expires: u64,
    /// The id of the key that signed the manifest (SHA-256 of its uncompressed point).
    pub key_id: [u8; 32],
}

/// What the verify context holds.
#[repr(C)]
struct VerifyState {
    magic: u64,
    hasher: PortableImageHasher,
    /// Set by the first finish attempt: the image's length and digest, kept for another try.
    closed: Option<(u64, Digest)>,
    /// `Some` for a context from `stepstone_verify_init_manifest`: what the image must be,
    /// and what is reported after.
    expected: Option<StepstoneVerified>,
    /// A chunk went past the declared size: every later call is refused.
    overflowed: bool,
}

const LIVE: u64 = 0x5354_4550_5354_4f4e; // "STEPSTON"

const _: () = assert!(size_of::<VerifyState>() <= size_of::<StepstoneVerifyCtx>());
const _: () = assert!(align_of::<VerifyState>() <= STEPSTONE_VERIFY_CTX_ALIGN);
const _: () = assert!(align_of::<StepstoneVerifyCtx>() == STEPSTONE_VERIFY_CTX_ALIGN);
// The state lives in C memory and is overwritten or abandoned without a destructor: it must be
// plain data on every build (the hasher is always the portable one, see `PortableImageHasher`).
const _: () = assert!(!needs_drop::<VerifyState>());

/// `ctx` checked for NULL and alignment.
fn checked_ctx(ctx: *mut StepstoneVerifyCtx) -> Result<*mut VerifyState, Status> {
    if ctx.is_null() {
        return Err(Status::StepstoneErrNullPointer);
    }
    if !(ctx as usize).is_multiple_of(STEPSTONE_VERIFY_CTX_ALIGN) {
        return Err(Status::StepstoneErrBadArgument);
    }
    Ok(ctx.cast())
}

/// The live state inside `ctx`.
///
/// # Safety
/// `ctx` NULL or valid for reads and writes of a `StepstoneVerifyCtx`.
unsafe fn state<'a>(ctx: *mut StepstoneVerifyCtx) -> Result<&'a mut VerifyState, Status> {
    let s = checked_ctx(ctx)?;
    // SAFETY: valid and aligned (checked) for the context, which is at least as large as the
    // state (asserted); the magic is a plain u64 read first, and only a started context has it.
    let live = unsafe { core::ptr::addr_of!((*s).magic).read() } == LIVE;
    if !live {
        return Err(Status::StepstoneErrBadContext);
    }
    // SAFETY: initialised by an init (the magic says so).
    Ok(unsafe { &mut *s })
}

/// Starts a context: checks it, writes a fresh state into it (still dead: magic cleared), lets
/// `fill` complete it, and only then makes it live. A context that cannot be started is left
/// dead when it is writable, so a stale one is never used.
///
/// # Safety
/// `ctx` NULL or valid for writes of `ctx_size` bytes.
unsafe fn start(
    ctx: *mut StepstoneVerifyCtx,
    ctx_size: usize,
    fill: impl FnOnce(&mut VerifyState) -> Result<(), Status>,
) -> Result<(), Status> {
    let s = checked_ctx(ctx)?;
    if ctx_size < size_of::<StepstoneVerifyCtx>() {
        return Err(Status::StepstoneErrBadArgument);
    }
    // SAFETY: valid for writes, aligned, large enough (checked); nothing to drop there
    // (asserted). Written in place, then initialised.
    let s = unsafe {
        s.write(VerifyState {
            magic: 0,
            hasher: PortableImageHasher::new(),
            closed: None,
            expected: None,
            overflowed: false,
        });
        &mut *s
    };
    fill(s)?;
    s.magic = LIVE;
    Ok(())
}

impl VerifyState {
    /// Closes the image (once) and gives its length and digest.
    fn close(&mut self) -> (u64, Digest) {
        let h = &self.hasher;
        *self.closed.get_or_insert_with(|| (h.len(), h.finish()))
    }
}

/// Starts a key-only streaming verify in the caller's context (`ctx_size` is `sizeof *ctx`,
/// at least `STEPSTONE_VERIFY_CTX_SIZE`; a smaller or misaligned context is
/// `STEPSTONE_ERR_BAD_ARGUMENT`). Prefer `stepstone_verify_init_manifest`.
///
/// # Safety
/// `ctx` NULL or valid for writes of `ctx_size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_verify_init(
    ctx: *mut StepstoneVerifyCtx,
    ctx_size: usize,
) -> i32 {
    // SAFETY: the caller's promise.
    boundary(|| unsafe { start(ctx, ctx_size, |_| Ok(())) })
}

/// Feeds the next chunk of the image. On a context from `stepstone_verify_init_manifest`, the
/// first chunk that goes past the manifest's size is refused, unhashed, with
/// `STEPSTONE_ERR_MANIFEST_SIZE_MISMATCH`, and so is every call after it: stop downloading.
/// After a finish was tried, `STEPSTONE_ERR_BAD_CONTEXT`.
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
        if s.overflowed {
            return Err(Status::StepstoneErrManifestSizeMismatch);
        }
        if s.closed.is_some() {
            return Err(Status::StepstoneErrBadContext);
        }
        if let Some(e) = &s.expected
            && s.hasher.len().saturating_add(chunk.len() as u64) > e.size
        {
            s.overflowed = true;
            return Err(Status::StepstoneErrManifestSizeMismatch);
        }
        s.hasher.update(chunk);
        Ok(())
    })
}

/// Finishes a key-only context against a pinned public key and a signature over the image's
/// SHA-256.
///
/// **Authorship only.** A bare image signature proves that the key signed these bytes, and
/// nothing else: no version, model, environment or expiry is checked, so any image the key ever
/// signed passes (an older release with a known flaw, another model's image, even a signed
/// manifest presented as an image). To install, use the manifest path
/// (`stepstone_verify_init_manifest` ... `stepstone_verify_finish_checked`).
///
/// The device reads binary forms only (`docs/device.md`): the key as DER SubjectPublicKeyInfo
/// or a 65-byte uncompressed SEC1 point (a compressed point is
/// `STEPSTONE_ERR_SIGNATURE_KEY_UNSUPPORTED`; PEM and hex are `..._KEY_MALFORMED`), the
/// signature as strict DER (what OpenSSL and cloud signers emit) or raw r‖s (64 bytes); hex or
/// base64 text is `STEPSTONE_ERR_SIGNATURE_MALFORMED`. On a manifest-first context:
/// `STEPSTONE_ERR_BAD_CONTEXT`.
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
        let (s, key, sig) = unsafe {
            (
                state(ctx)?,
                bytes(key, key_len)?,
                bytes(signature, signature_len)?,
            )
        };
        if s.expected.is_some() {
            return Err(Status::StepstoneErrBadContext);
        }
        let key = PublicKey::parse_uncompressed(key).map_err(Status::of)?;
        let sig = Signature::parse_binary(sig).map_err(Status::of)?;
        let (_, digest) = s.close();
        key.verify_digest(&digest, &sig).map_err(Status::of)?;
        s.magic = 0;
        Ok(())
    })
}

/// # Safety
/// `d` NULL or valid for a read; every pointer in it NULL (length 0) or valid for its length.
unsafe fn device<'a>(
    d: *const StepstoneDevice,
) -> Result<(Device<'a>, Option<CompactCatalog<'a>>), Status> {
    // SAFETY: the caller's promise (NULL checked); pointers and integers only.
    let d = unsafe { get(d) }?;
    // SAFETY: as above.
    let (device, catalog) = unsafe {
        (
            Device {
                model: text(d.model, d.model_len)?,
                environment: text(d.environment, d.environment_len)?,
                current_version: text(d.current_version, d.current_version_len)?,
                counter: text(d.counter, d.counter_len)?,
                now: d.now,
            },
            bytes(d.catalog, d.catalog_len)?,
        )
    };
    let catalog = match catalog {
        [] => None,
        c => Some(CompactCatalog::parse(c).map_err(Status::of)?),
    };
    Ok((device, catalog))
}

/// Verifies a signed manifest with the pinned key and checks it against the device (and the
/// device's catalog, when it gives one).
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
    let (key, text, sig, (dev, catalog)) = unsafe {
        (
            bytes(key, key_len)?,
            bytes(manifest, manifest_len)?,
            bytes(signature, signature_len)?,
            device(dev)?,
        )
    };
    let key = PublicKey::parse_uncompressed(key).map_err(Status::of)?;
    let m = manifest::verify_binary(text, sig, &key).map_err(Status::of)?;
    m.check_device(&dev).map_err(Status::of)?;
    if let Some(c) = catalog {
        m.check_catalog(&c, &dev).map_err(Status::of)?;
    }
    Ok(m)
}

/// No facts yet: every field zero.
const NO_FACTS: StepstoneVerified = StepstoneVerified {
    version: [0; STEPSTONE_VERSION_MAX],
    version_len: 0,
    size: 0,
    sha256: [0; 32],
    expires: 0,
    key_id: [0; 32],
};

/// Writes the facts of a manifest, as C reads them, into `v` (which starts as [`NO_FACTS`]).
fn fill_verified(m: &Manifest<'_>, v: &mut StepstoneVerified) {
    // At most 128 bytes (the manifest's version passed the scheme's check); the last stays NUL.
    let n = m.version.len().min(MAX_VERSION_LEN);
    for (d, s) in v
        .version
        .iter_mut()
        .zip(m.version.as_bytes().iter().take(n))
    {
        *d = *s as c_char;
    }
    v.version_len = n;
    v.size = m.size;
    v.sha256 = m.sha256;
    v.expires = m.expires;
    v.key_id = m.key_id.0;
}

/// Fills `*out` (when not NULL) with what `m` says.
///
/// # Safety
/// `out` NULL or valid for a write.
unsafe fn report(m: &Manifest<'_>, out: *mut StepstoneVerified) -> Result<(), Status> {
    if out.is_null() {
        return Ok(());
    }
    let mut v = NO_FACTS;
    fill_verified(m, &mut v);
    // SAFETY: the caller's promise.
    unsafe { put(out, v) }
}

/// Checks a signed release manifest before the download: its signature with the pinned key,
/// then a set clock, expiry, model, environment, anti-rollback and minimum version for this
/// device, then (when `device->catalog` is given) that the catalog lists the release for this
/// device, not yanked, with the same SHA-256. Key and signature forms as for
/// `stepstone_verify_finish_key`; a signature the device cannot read is
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
    // SAFETY: forwarded.
    unsafe {
        stepstone_manifest_check_checked(
            key,
            key_len,
            manifest,
            manifest_len,
            signature,
            signature_len,
            device,
            core::ptr::null_mut(),
        )
    }
}

/// `stepstone_manifest_check`, and on success the manifest's facts in `*out` (optional: NULL
/// for none).
///
/// # Safety
/// As `stepstone_manifest_check`; `out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_manifest_check_checked(
    key: *const u8,
    key_len: usize,
    manifest: *const u8,
    manifest_len: usize,
    signature: *const u8,
    signature_len: usize,
    device: *const StepstoneDevice,
    out: *mut StepstoneVerified,
) -> i32 {
    boundary(|| {
        // SAFETY: forwarded.
        let r = unsafe {
            checked_manifest(
                key,
                key_len,
                manifest,
                manifest_len,
                signature,
                signature_len,
                device,
            )
        };
        // By reference: no copy of the manifest out of the result.
        let m = match &r {
            Ok(m) => m,
            Err(e) => return Err(*e),
        };
        // SAFETY: the caller's promise.
        unsafe { report(m, out) }
    })
}

/// Starts a manifest-first verify: checks everything `stepstone_manifest_check` checks before
/// any image byte, then keeps the declared size and digest (and the facts) in the context.
/// Stream the image with `stepstone_verify_update` (a chunk past the declared size is refused
/// at once) and end with `stepstone_verify_finish_checked`. `ctx_size` is `sizeof *ctx`. On
/// any refusal the context is left unstarted.
///
/// # Safety
/// `ctx` NULL or valid for writes of `ctx_size` bytes; the others as for
/// `stepstone_manifest_check`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_verify_init_manifest(
    ctx: *mut StepstoneVerifyCtx,
    ctx_size: usize,
    key: *const u8,
    key_len: usize,
    manifest: *const u8,
    manifest_len: usize,
    signature: *const u8,
    signature_len: usize,
    device: *const StepstoneDevice,
) -> i32 {
    boundary(|| {
        // SAFETY: the caller's promises, forwarded.
        unsafe {
            start(ctx, ctx_size, |s| {
                let r = checked_manifest(
                    key,
                    key_len,
                    manifest,
                    manifest_len,
                    signature,
                    signature_len,
                    device,
                );
                let m = match &r {
                    Ok(m) => m,
                    Err(e) => return Err(*e),
                };
                fill_verified(m, s.expected.insert(NO_FACTS));
                Ok(())
            })
        }
    })
}

/// Finishes a manifest-first context: the streamed image's size and SHA-256 against the
/// manifest's, then the verified facts in `*out` (required). Store `out->version` as the new
/// anti-rollback counter once the image is installed. On a key-only context:
/// `STEPSTONE_ERR_BAD_CONTEXT`.
///
/// # Safety
/// `ctx` as for `stepstone_verify_init`; `out` NULL or valid for a write (`out` overlapping
/// the context is `STEPSTONE_ERR_BAD_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_verify_finish_checked(
    ctx: *mut StepstoneVerifyCtx,
    out: *mut StepstoneVerified,
) -> i32 {
    boundary(|| {
        // SAFETY: the caller's promise.
        let s = unsafe { state(ctx) }?;
        if out.is_null() {
            return Err(Status::StepstoneErrNullPointer);
        }
        // `out` inside the context would overwrite the facts while they are copied out.
        let (o, c) = (out as usize, ctx as usize);
        if o < c.wrapping_add(STEPSTONE_VERIFY_CTX_SIZE)
            && c < o.wrapping_add(size_of::<StepstoneVerified>())
        {
            return Err(Status::StepstoneErrBadArgument);
        }
        if s.expected.is_none() {
            return Err(Status::StepstoneErrBadContext);
        }
        if s.overflowed {
            return Err(Status::StepstoneErrManifestSizeMismatch);
        }
        let (len, digest) = s.close();
        let e = s.expected.as_ref().ok_or(Status::StepstoneErrBadContext)?;
        if len != e.size {
            return Err(Status::StepstoneErrManifestSizeMismatch);
        }
        if digest != e.sha256 {
            return Err(Status::StepstoneErrManifestDigestMismatch);
        }
        // SAFETY: checked non-NULL; the caller's promise. The facts are copied out.
        // (byte copy: `out` may be unaligned; one memcpy call rather than an inlined copy).
        unsafe {
            core::ptr::copy_nonoverlapping(
                (e as *const StepstoneVerified).cast::<u8>(),
                out.cast::<u8>(),
                size_of::<StepstoneVerified>(),
            )
        };
        s.magic = 0;
        Ok(())
    })
}

/// Finishes a key-only context against a signed manifest: the manifest checks of
/// `stepstone_manifest_check`, then the streamed image's size and SHA-256 against the
/// manifest's. Prefer `stepstone_verify_init_manifest`, which refuses an over-long image at
/// once instead of at the end.
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
    // SAFETY: forwarded.
    unsafe {
        stepstone_verify_finish_manifest_checked(
            ctx,
            key,
            key_len,
            manifest,
            manifest_len,
            signature,
            signature_len,
            device,
            core::ptr::null_mut(),
        )
    }
}

/// `stepstone_verify_finish_manifest`, and on success the verified facts in `*out` (optional:
/// NULL for none).
///
/// # Safety
/// As `stepstone_verify_finish_manifest`; `out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_verify_finish_manifest_checked(
    ctx: *mut StepstoneVerifyCtx,
    key: *const u8,
    key_len: usize,
    manifest: *const u8,
    manifest_len: usize,
    signature: *const u8,
    signature_len: usize,
    device: *const StepstoneDevice,
    out: *mut StepstoneVerified,
) -> i32 {
    boundary(|| {
        // SAFETY: the caller's promises.
        let s = unsafe { state(ctx) }?;
        if s.expected.is_some() {
            return Err(Status::StepstoneErrBadContext);
        }
        // SAFETY: forwarded.
        let r = unsafe {
            checked_manifest(
                key,
                key_len,
                manifest,
                manifest_len,
                signature,
                signature_len,
                device,
            )
        };
        // By reference: no copy of the manifest out of the result.
        let m = match &r {
            Ok(m) => m,
            Err(e) => return Err(*e),
        };
        let (len, digest) = s.close();
        m.check_digest(len, &digest).map_err(Status::of)?;
        // SAFETY: the caller's promise.
        unsafe { report(m, out) }?;
        s.magic = 0;
        Ok(())
    })
}
