//! The install chain as a device runs it, on the host: a signed compact catalog opened with the
//! pinned catalog key (`open_compact_catalog`), a manifest verified and checked for the device
//! and against that catalog before any image byte (`ManifestFirst`), then the image streamed
//! against the manifest's size and SHA-256. The signer's side: `Catalog.pack_compact` and
//! `seal_compact_catalog`.
//!
//! Catalog states and verified facts cross as the core's JSON wire form (`CatalogState`,
//! `Opened`, `Verified`), as dicts.

use std::sync::Mutex;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use stepstone::ErrorCode;
use stepstone::compact::CompactCatalog;
use stepstone::manifest::{self, Device, ManifestError};
use stepstone::signed_catalog::compact::{self as envelope, CatalogState};

use crate::errors::{Area, area_of, raise};
use crate::retry::json_text;
use crate::signature::{PublicKey, Signature, SigningKeyPy, bytes_arg, taken};

fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

fn to_json(value: &impl serde::Serialize) -> PyResult<String> {
    // The core's wire types hold only integers, strings and hex digests: this cannot fail.
    serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// A stored catalog state (a dict, or its JSON text) in the core's wire form.
fn state_in(obj: &Bound<'_, PyAny>) -> PyResult<CatalogState> {
    serde_json::from_str(&json_text(Some(obj))?).map_err(|e| {
        PyValueError::new_err(format!(
            "last is not a catalog state {{\"sequence\": N, \"sha256\": \"<64 hex>\", \"issued\": N}} \
             (what open_compact_catalog gave as \"state\"): {e}"
        ))
    })
}

/// Opens a signed compact catalog (the binary envelope of `stepstone catalog pack --sign`)
/// with the pinned catalog `key`, at `now` (Unix seconds; a device without a clock passes
/// `last["issued"]`), given the state stored from the last catalog accepted (`None` the first
/// time). Checks layout, key, signature, clock, expiry and sequence, in that order
/// (`SignedCatalogError`). Gives the core's JSON as a dict, `{"header": {sequence, issued,
/// expires, key_id, payload_len}, "state": {sequence, sha256, issued}, "payload_offset": N}`,
/// plus `"payload"`: the verified compact catalog bytes (pass them to `ManifestFirst`).
/// Store `"state"` and pass it back as `last` next time.
#[pyfunction]
#[pyo3(signature = (envelope, key, *, now, last = None))]
fn open_compact_catalog<'py>(
    py: Python<'py>,
    envelope: &[u8],
    key: &PublicKey,
    now: u64,
    last: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let last = match last {
        Some(obj) if !obj.is_none() => Some(state_in(obj)?),
        _ => None,
    };
    let opened = envelope::open(envelope, &key.inner, last.as_ref(), now)
        .map_err(raise(Area::SignedCatalog))?;
    let out = json_loads(py, &to_json(&opened)?)?.cast_into::<PyDict>()?;
    out.set_item("payload", PyBytes::new(py, opened.payload))?;
    Ok(out)
}

/// Wraps a compact catalog (`Catalog.pack_compact`) in the signed binary envelope devices
/// open (`open_compact_catalog`, the C `stepstone_catalog_open`), with a sequence number (raise
/// it for every new catalog), an expiry and the time it is signed (`issued`, Unix seconds;
/// default: now), signed with the catalog key.
#[pyfunction]
#[pyo3(signature = (payload, sequence, expires, key, *, issued = None))]
fn seal_compact_catalog<'py>(
    py: Python<'py>,
    payload: &[u8],
    sequence: u64,
    expires: u64,
    key: &SigningKeyPy,
    issued: Option<u64>,
) -> PyResult<Bound<'py, PyBytes>> {
    let issued = match issued {
        Some(t) => t,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|e| PyOSError::new_err(e.to_string()))?,
    };
    let out = envelope::seal(payload, sequence, issued, expires, &key.inner)
        .map_err(raise(Area::SignedCatalog))?;
    Ok(PyBytes::new(py, &out))
}

/// The manifest-first install check: on construction the manifest's signature (with the
/// pinned manifest key), its format and key id, the device (clock set, expiry, model,
/// environment, anti-rollback counter, minimum version) and, given the opened catalog's
/// payload, its binding to that catalog (listed for the device, not yanked, same SHA-256),
/// all before any image byte; then the image streamed through `update`, refused at the first
/// chunk past the declared size (and every call after), and `finish` giving the verified
/// facts.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct ManifestFirst {
    check: Mutex<Option<manifest::ImageCheck>>,
    /// The core's `Verified` JSON, given out once the image checks out.
    facts: String,
}

#[pymethods]
impl ManifestFirst {
    #[new]
    #[pyo3(signature = (key, manifest, signature, *, model, environment, current_version, counter, now, catalog = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        key: &PublicKey,
        manifest: &Bound<'_, PyAny>,
        signature: &Bound<'_, PyAny>,
        model: &str,
        environment: &str,
        current_version: &str,
        counter: &str,
        now: u64,
        catalog: Option<&[u8]>,
    ) -> PyResult<ManifestFirst> {
        let bytes = bytes_arg(manifest)?;
        let signature = Signature::encoded(signature)?;
        let catalog = catalog
            .map(CompactCatalog::parse)
            .transpose()
            .map_err(|e| raise(area_of(e.code()))(e))?;
        let device = Device {
            model,
            environment,
            current_version,
            counter,
            now,
        };
        let key = key.inner;
        let checked = py.detach(|| {
            manifest::verify_for_device(&bytes, &signature, &key, &device, catalog.as_ref())
                .map(|m| (m.image_check(), to_json(&m.verified())))
        });
        let (check, facts) = checked.map_err(raise(Area::Manifest))?;
        Ok(ManifestFirst {
            check: Mutex::new(Some(check)),
            facts: facts?,
        })
    }

    /// Feeds the next image chunk: `ManifestError` (`manifest.size_mismatch`) as soon as the
    /// image is longer than the manifest declares, and for every call after that.
    fn update(&self, py: Python<'_>, chunk: &[u8]) -> PyResult<()> {
        // The lock is taken without the GIL, so a second thread waiting for it cannot hold the
        // GIL this one needs back.
        let r = py.detach(|| -> Option<Result<(), ManifestError>> {
            let mut guard = self.check.lock().ok()?;
            Some(guard.as_mut()?.update(chunk))
        });
        r.ok_or_else(taken)?.map_err(raise(Area::Manifest))
    }

    /// Image bytes still expected (0 once finished).
    fn remaining(&self) -> PyResult<u64> {
        let guard = self.check.lock().map_err(|_| taken())?;
        Ok(guard.as_ref().map_or(0, manifest::ImageCheck::remaining))
    }

    /// Ends the image: `ManifestError` if it is shorter than declared or its SHA-256 differs;
    /// else the verified facts as the core's JSON, a dict `{"version", "size", "sha256",
    /// "key_id", "expires"}` (digests as lowercase hex): store `version` as the device's new
    /// anti-rollback counter once installed.
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let check = self
            .check
            .lock()
            .map_err(|_| taken())?
            .take()
            .ok_or_else(taken)?;
        check.finish().map_err(raise(Area::Manifest))?;
        json_loads(py, &self.facts)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ManifestFirst>()?;
    m.add_function(wrap_pyfunction!(open_compact_catalog, m)?)?;
    m.add_function(wrap_pyfunction!(seal_compact_catalog, m)?)?;
    Ok(())
}
