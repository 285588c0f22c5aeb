//! Signed catalogs on the device: `stepstone_catalog_open`.

use stepstone::compact::CompactCatalog;
use stepstone::signature::PublicKey;
use stepstone::signed_catalog::compact::{self, CatalogState};

use crate::boundary;
use crate::ffi::{bytes, get, put};
use crate::status::StepstoneStatus;

type Status = StepstoneStatus;

/// What a device stores of the last signed catalog it accepted (in flash, beside its
/// anti-rollback counter) and passes back to `stepstone_catalog_open`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct StepstoneCatalogState {
    /// The last accepted sequence.
    pub sequence: u64,
    /// SHA-256 of the last accepted envelope's signed bytes.
    pub sha256: [u8; 32],
    /// The time floor: the highest `issued` accepted. A device without a real-time clock
    /// passes it as `now` (to `stepstone_catalog_open` and in `StepstoneDevice`).
    pub issued: u64,
}

/// What `stepstone_catalog_open` gives for an accepted catalog.
#[repr(C)]
pub struct StepstoneCatalogOpened {
    /// The state to store (replacing the last one) once the catalog is used.
    pub state: StepstoneCatalogState,
    /// Where the compact catalog starts in the envelope: pass `envelope + payload_offset`
    /// and `payload_len` to `stepstone_next_hop` and as `StepstoneDevice::catalog`.
    pub payload_offset: usize,
    /// Bytes of the compact catalog.
    pub payload_len: usize,
    /// The catalog's sequence.
    pub sequence: u64,
    /// When the catalog was signed, Unix seconds.
    pub issued: u64,
    /// When it expires, Unix seconds.
    pub expires: u64,
}

/// Opens a signed compact catalog (`stepstone catalog pack --sign`, `docs/compact-catalog.md`)
/// with the pinned catalog key, without a heap. Refuses, each with its own status: a malformed
/// envelope (`STEPSTONE_ERR_CATALOG_MALFORMED`), another key (`..._UNKNOWN_KEY`), a bad
/// signature (`..._BAD_SIGNATURE`), `now` 0 (`..._CLOCK_UNSET`) or below `last->issued`
/// (`..._CLOCK_BEHIND`), expiry (`..._EXPIRED`), a lower sequence (`..._ROLLBACK`), an equal
/// sequence whose signed bytes differ from the last accepted ones (`..._SEQUENCE_REUSED`), and
/// a payload that is not a compact catalog (`STEPSTONE_ERR_COMPACT_*`). `last` is NULL when no
/// catalog was accepted yet. The key may differ from the image and manifest keys (role
/// separation: `docs/security.md`). Key forms as for `stepstone_verify_finish_key`.
///
/// # Safety
/// `envelope` and `key` NULL (length 0) or valid for their length; `last` NULL or valid for a
/// read; `out` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stepstone_catalog_open(
    envelope: *const u8,
    len: usize,
    key: *const u8,
    key_len: usize,
    last: *const StepstoneCatalogState,
    now: u64,
    out: *mut StepstoneCatalogOpened,
) -> i32 {
    boundary(|| {
        if out.is_null() {
            return Err(Status::StepstoneErrNullPointer);
        }
        // SAFETY: the caller's promises.
        let (envelope, key) = unsafe { (bytes(envelope, len)?, bytes(key, key_len)?) };
        let last = if last.is_null() {
            None
        } else {
            // SAFETY: non-NULL, the caller's promise; integers and bytes only.
            let l = unsafe { get(last) }?;
            Some(CatalogState {
                sequence: l.sequence,
                digest: l.sha256,
                issued: l.issued,
            })
        };
        let key = PublicKey::parse_uncompressed(key).map_err(Status::of)?;
        let o = compact::open(envelope, &key, last.as_ref(), now).map_err(Status::of)?;
        CompactCatalog::parse(o.payload).map_err(Status::of)?;
        let opened = StepstoneCatalogOpened {
            state: StepstoneCatalogState {
                sequence: o.state.sequence,
                sha256: o.state.digest,
                issued: o.state.issued,
            },
            payload_offset: o.payload_offset,
            payload_len: o.payload.len(),
            sequence: o.header.sequence,
            issued: o.header.issued,
            expires: o.header.expires,
        };
        // SAFETY: checked non-NULL; the caller's promise.
        unsafe { put(out, opened) }
    })
}
