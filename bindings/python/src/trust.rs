//! The install chain as a device runs it, on the host: a signed compact catalog opened with the
//! pinned catalog key (`open_compact_catalog`), a manifest verified and checked for the device
//! and against that catalog before any image byte (`ManifestFirst`), then the image streamed
//! against the manifest's size and SHA-256. The signer's side: `Catalog.pack_compact` and
//! `seal_compact_catalog`.
//!
//! Catalog states and verified facts cross as the core's JSON wire form (`CatalogState`,
//! `Opened`, `Verified`), as dicts.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use stepstone::compact::CompactCatalog;
use stepstone::manifest;
use stepstone::signed_catalog::compact::{self as envelope, CatalogState};

use crate::args::{Args, Kw, Pos, params};
use crate::errors::raise;
use crate::signature::{DeviceArgs, PublicKey, Signature, SigningKeyPy, issued_or_now};
use crate::stream::Stream;

/// The stored catalog state in argument `last` (a dict, or its JSON text) in the core's wire
/// form; `None` when absent or `None`.
fn state_in(a: &Args<'_>) -> PyResult<Option<CatalogState>> {
    let Some(text) = a.opt_json("last")? else {
        return Ok(None);
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        a.fail(
            "last",
            format!(
                "must be a catalog state {{\"sequence\": N, \"sha256\": \"<64 hex>\", \"issued\": N}} \
                 (what open_compact_catalog gave as \"state\"): {e}"
            ),
        )
    })
}

/// Opens a signed compact catalog (the binary envelope of `stepstone catalog pack --sign`)
/// with the pinned catalog `key`, at `now` (Unix seconds; a device without a clock passes
/// `last["issued"]`), given the state stored from the last catalog accepted (`None` the first
/// time). Checks layout, key, signature, clock, expiry and sequence, in that order.
///
/// Parameters:
///     envelope (bytes): the signed compact catalog.
///     key (PublicKey): the pinned catalog key.
///     now (int): the time, Unix seconds.
///     last (dict | str | None): the `"state"` stored from the last catalog accepted.
///
/// Returns: dict, the core's JSON, `{"header": {sequence, issued, expires, key_id,
/// payload_len}, "state": {sequence, sha256, issued}, "payload_offset": N}`, plus `"payload"`:
/// the verified compact catalog bytes (pass them to `ManifestFirst`). Store `"state"` and pass
/// it back as `last` next time.
///
/// Raises: `SignedCatalogError` (`signed_catalog.*`); `BadArgumentError`
/// (`python.bad_argument`) for an argument of another type, missing, a `now` that is negative
/// or too large, or a `last` that is not a state as this call gave it.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(envelope, key, *, now, last=None)")]
fn open_compact_catalog<'py>(
    py: Python<'py>,
    args: Pos<'_, 'py>,
    kwargs: Option<Kw<'_, 'py>>,
) -> PyResult<Bound<'py, PyDict>> {
    let a =
        params!("open_compact_catalog", ["envelope", "key"], ["now", "last"]).bind(args, kwargs)?;
    let bytes = a.bytes("envelope")?;
    let key = a.object::<PublicKey>("key", "a PublicKey")?;
    let now = a.u64("now")?;
    let last = state_in(&a)?;
    let opened = envelope::open(&bytes, &key.get().inner, last.as_ref(), now).map_err(raise)?;
    let out = crate::wire::to_py(py, &opened)?
        .into_bound(py)
        .cast_into::<PyDict>()?;
    out.set_item("payload", PyBytes::new(py, opened.payload))?;
    Ok(out)
}

/// Wraps a compact catalog (`Catalog.pack_compact`) in the signed binary envelope devices
/// open (`open_compact_catalog`, the C `stepstone_catalog_open`).
///
/// Parameters:
///     payload (bytes): the compact catalog.
///     sequence (int): raise it for every new catalog.
///     expires (int): Unix seconds.
///     key (SigningKey): the catalog key.
///     issued (int | None): when it is signed, Unix seconds (default: now).
///
/// Returns: bytes, the envelope.
///
/// Raises: `SignedCatalogError` (`signed_catalog.expired` when `expires` is not after
/// `issued`); `BadArgumentError` (`python.bad_argument`) for an argument of another type,
/// missing, or a number that is negative or too large.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(payload, sequence, expires, key, *, issued=None)")]
fn seal_compact_catalog<'py>(
    py: Python<'py>,
    args: Pos<'_, 'py>,
    kwargs: Option<Kw<'_, 'py>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let a = params!(
        "seal_compact_catalog",
        ["payload", "sequence", "expires", "key"],
        ["issued"]
    )
    .bind(args, kwargs)?;
    let payload = a.bytes("payload")?;
    let (sequence, expires) = (a.u64("sequence")?, a.u64("expires")?);
    let key = a.object::<SigningKeyPy>("key", "a SigningKey")?;
    let issued = issued_or_now(&a)?;
    let out =
        envelope::seal(&payload, sequence, issued, expires, &key.get().inner).map_err(raise)?;
    Ok(PyBytes::new(py, &out))
}

/// The manifest-first install check: on construction the manifest's signature (with the
/// pinned manifest key), its format and key id, the device (clock set, expiry, model,
/// environment, anti-rollback counter, minimum version) and, given the opened catalog's
/// payload, its binding to that catalog (listed for the device, not yanked, same SHA-256),
/// all before any image byte; then the image streamed through `update`, refused at the first
/// chunk past the declared size (and every call after), and `finish` giving the verified
/// facts.
///
/// Parameters:
///     key (PublicKey): the pinned manifest key.
///     manifest (bytes | str): the manifest's exact text.
///     signature (Signature | bytes | str): its signature, in any encoding.
///     model, environment, current_version, counter (str), now (int): the device.
///     catalog (bytes | None): the payload `open_compact_catalog` gave.
///
/// Raises: `ManifestError` (`manifest.*`), `CatalogError` (`compact.*`) for a catalog that is
/// not a compact catalog; `BadArgumentError` (`python.bad_argument`) for an argument of
/// another type, missing, or a `now` that is negative or too large.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct ManifestFirst {
    check: Stream<manifest::ImageCheck>,
    /// The core's `Verified` JSON, given out once the image checks out.
    facts: String,
}

#[pymethods]
impl ManifestFirst {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(key, manifest, signature, *, model, environment, current_version, counter, now, catalog=None)")]
    fn new(
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<ManifestFirst> {
        let a = params!(
            "ManifestFirst",
            ["key", "manifest", "signature"],
            [
                "model",
                "environment",
                "current_version",
                "counter",
                "now",
                "catalog"
            ]
        )
        .bind(args, kwargs)?;
        let key = a.object::<PublicKey>("key", "a PublicKey")?.get().inner;
        let bytes = a.bytes_or_text("manifest")?.into_owned();
        let signature = Signature::encoded(&a, "signature")?;
        let device = DeviceArgs::read(&a)?;
        let catalog = a.opt_bytes("catalog")?;
        let catalog = catalog
            .as_deref()
            .map(CompactCatalog::parse)
            .transpose()
            .map_err(raise)?;
        let checked = py.detach(|| {
            let device = device.device();
            manifest::verify_for_device(&bytes, &signature, &key, &device, catalog.as_ref())
                .map(|m| (m.image_check(), crate::wire::text(&m.verified())))
        });
        let (check, facts) = checked.map_err(raise)?;
        Ok(ManifestFirst {
            check: Stream::new("ManifestFirst", check),
            facts: facts?,
        })
    }

    /// Feeds the next image chunk.
    ///
    /// Parameters:
    ///     chunk (bytes): the next bytes of the image.
    ///
    /// Returns: None.
    ///
    /// Raises: `ManifestError` (`manifest.size_mismatch`) as soon as the image is longer than
    /// the manifest declares, and for every call after that; `Error` (`python.finished`) after
    /// `finish`; `BadArgumentError` (`python.bad_argument`) if `chunk` is not bytes.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, chunk)")]
    fn update(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<()> {
        let a = params!("ManifestFirst.update", ["chunk"], []).bind(args, kwargs)?;
        let chunk = a.bytes("chunk")?;
        self.check.feed(py, |c| c.update(&chunk))?.map_err(raise)
    }

    /// Image bytes still expected (0 once finished).
    ///
    /// Returns: int. Raises: nothing.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn remaining(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u64> {
        params!("ManifestFirst.remaining", [], []).bind(args, kwargs)?;
        self.check.peek(0, manifest::ImageCheck::remaining)
    }

    /// Ends the image: store `version` as the device's new anti-rollback counter once
    /// installed.
    ///
    /// Returns: dict, the verified facts as the core's JSON, `{"version", "size", "sha256",
    /// "key_id", "expires"}` (digests as lowercase hex).
    ///
    /// Raises: `ManifestError` if the image is shorter than declared or its SHA-256 differs;
    /// `Error` (`python.finished`) the second time.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn finish<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        params!("ManifestFirst.finish", [], []).bind(args, kwargs)?;
        self.check.take()?.finish().map_err(raise)?;
        crate::wire::loads(py, &self.facts).map(|v| v.into_bound(py))
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ManifestFirst>()?;
    m.add_function(wrap_pyfunction!(open_compact_catalog, m)?)?;
    m.add_function(wrap_pyfunction!(seal_compact_catalog, m)?)?;
    Ok(())
}
