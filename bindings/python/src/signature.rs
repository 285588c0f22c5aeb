//! Signatures (ECDSA P-256 over SHA-256), streaming verification, signed manifests, certificate
//! chains and signed catalogs. Chunks are hashed with the GIL released.
//!
//! Secret key material copied into Rust (the PEM or DER bytes a `SigningKey` is read from, a
//! scalar, a new key's random seed, the PKCS#8 PEM handed back) is held in `Zeroizing` buffers,
//! wiped when dropped; p256's key wipes itself. Python's own `bytes` and `str` objects are
//! beyond reach: the caller's copies stay until Python frees them.

use std::sync::Mutex;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use stepstone::cert::{self, Certificate};
use stepstone::manifest::{self, Device, ManifestFields};
use stepstone::signature::{
    self, ImageHasher, ImageVerifier, KeyFormat, KeyId, SignatureFormat, sign::SigningKey,
};
use stepstone::signed_catalog::{self, Trust};
use stepstone::version::Scheme;
use zeroize::{Zeroize as _, Zeroizing};

use crate::errors::{Area, raise};
use crate::repr;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_format_name(f: KeyFormat) -> &'static str {
    match f {
        KeyFormat::Pem => "pem",
        KeyFormat::Der => "der",
        KeyFormat::Sec1 => "sec1",
        KeyFormat::Hex => "hex",
    }
}

fn signature_format(name: &str) -> PyResult<SignatureFormat> {
    [
        SignatureFormat::Der,
        SignatureFormat::Raw,
        SignatureFormat::Hex,
        SignatureFormat::Base64,
        SignatureFormat::HexRaw,
        SignatureFormat::Base64Raw,
    ]
    .into_iter()
    .find(|f| f.name() == name)
    .ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown signature format {}: expected der, raw, hex, base64, hex-raw or base64-raw",
            repr::s(name)
        ))
    })
}

pub(crate) fn bytes_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        Ok(b.as_bytes().to_vec())
    } else if let Ok(s) = obj.extract::<String>() {
        Ok(s.into_bytes())
    } else {
        obj.extract::<Vec<u8>>()
    }
}

/// Like [`bytes_arg`], for secret key bytes: the Rust-side copy is wiped when dropped.
fn secret_arg(obj: &Bound<'_, PyAny>) -> PyResult<Zeroizing<Vec<u8>>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        Ok(Zeroizing::new(b.as_bytes().to_vec()))
    } else if let Ok(s) = obj.extract::<String>() {
        Ok(Zeroizing::new(s.into_bytes()))
    } else {
        obj.extract::<Vec<u8>>().map(Zeroizing::new)
    }
}

/// A P-256 public key: PEM or DER SubjectPublicKeyInfo, a SEC1 point, or hex text of one.
#[pyclass(module = "stepstone", frozen)]
#[derive(Clone)]
pub(crate) struct PublicKey {
    pub(crate) inner: signature::PublicKey,
    format: &'static str,
}

#[pymethods]
impl PublicKey {
    #[new]
    fn new(data: &Bound<'_, PyAny>) -> PyResult<PublicKey> {
        signature::PublicKey::parse_detect(&bytes_arg(data)?)
            .map(|(inner, f)| PublicKey {
                inner,
                format: key_format_name(f),
            })
            .map_err(raise(Area::Signature))
    }

    /// The encoding it was read from: `pem`, `der`, `sec1` or `hex`.
    #[getter]
    fn format(&self) -> &'static str {
        self.format
    }

    /// SHA-256 of the uncompressed point, hex.
    #[getter]
    fn key_id(&self) -> String {
        self.inner.key_id().to_string()
    }

    /// The key as PEM SubjectPublicKeyInfo.
    fn to_pem(&self) -> String {
        self.inner.to_spki_pem()
    }

    /// The uncompressed SEC1 point (65 bytes).
    fn to_sec1<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_sec1_uncompressed())
    }

    /// Verifies `signature` (a `Signature`, or its bytes in any encoding) over `message`;
    /// raises `SignatureError` if it does not verify.
    fn verify(&self, py: Python<'_>, message: &[u8], signature: &Bound<'_, PyAny>) -> PyResult<()> {
        let sig = Signature::of(signature)?;
        py.detach(|| self.inner.verify(message, &sig))
            .map_err(raise(Area::Signature))
    }

    /// Verifies over a SHA-256 digest (exactly 32 bytes).
    fn verify_digest(&self, digest: &[u8], signature: &Bound<'_, PyAny>) -> PyResult<()> {
        let sig = Signature::of(signature)?;
        self.inner
            .verify_digest(digest, &sig)
            .map_err(raise(Area::Signature))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PublicKey>()
            .is_ok_and(|o| o.get().inner.key_id() == self.inner.key_id())
    }

    fn __hash__(&self) -> u64 {
        let id = self.inner.key_id();
        let mut b = [0u8; 8];
        b.copy_from_slice(id.as_bytes().get(..8).unwrap_or(&[0; 8]));
        u64::from_le_bytes(b)
    }

    fn __repr__(&self) -> String {
        format!("PublicKey(key_id={})", repr::s(&self.key_id()))
    }
}

/// An ECDSA P-256 signature, read from DER, raw r‖s, or hex/base64 text of either.
#[pyclass(module = "stepstone", frozen)]
#[derive(Clone)]
pub(crate) struct Signature {
    inner: signature::Signature,
    format: &'static str,
}

impl Signature {
    fn of(obj: &Bound<'_, PyAny>) -> PyResult<signature::Signature> {
        if let Ok(s) = obj.cast::<Signature>() {
            return Ok(s.get().inner);
        }
        signature::Signature::parse(&bytes_arg(obj)?).map_err(raise(Area::Signature))
    }

    /// A `Signature` as its DER bytes, anything else as the bytes given (still encoded: the
    /// core reads them, so a malformed one is the caller's own error code).
    pub(crate) fn encoded(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
        if let Ok(s) = obj.cast::<Signature>() {
            return Ok(s
                .get()
                .inner
                .encode(SignatureFormat::Der)
                .as_bytes()
                .to_vec());
        }
        bytes_arg(obj)
    }
}

#[pymethods]
impl Signature {
    #[new]
    fn new(data: &Bound<'_, PyAny>) -> PyResult<Signature> {
        signature::Signature::parse_detect(&bytes_arg(data)?)
            .map(|(inner, f)| Signature {
                inner,
                format: f.name(),
            })
            .map_err(raise(Area::Signature))
    }

    /// The encoding it was read from.
    #[getter]
    fn format(&self) -> &'static str {
        self.format
    }

    /// Whether S is in the upper half (accepted, as in OpenSSL; never a dedup key).
    #[getter]
    fn is_high_s(&self) -> bool {
        self.inner.is_high_s()
    }

    /// The signature in `format` (`der`, `raw`, `hex`, `base64`, `hex-raw`, `base64-raw`).
    #[pyo3(signature = (format = "der"))]
    fn encode<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(
            py,
            self.inner.encode(signature_format(format)?).as_bytes(),
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Signature>()
            .is_ok_and(|o| o.get().inner.to_raw() == self.inner.to_raw())
    }

    fn __repr__(&self) -> String {
        format!("Signature({})", repr::s(&hex(&self.inner.to_raw())))
    }
}

/// A P-256 private key (PEM or DER, PKCS#8 or SEC1) that signs with RFC 6979 nonces.
#[pyclass(module = "stepstone", name = "SigningKey", frozen)]
pub(crate) struct SigningKeyPy {
    pub(crate) inner: SigningKey,
}

#[pymethods]
impl SigningKeyPy {
    #[new]
    fn new(data: &Bound<'_, PyAny>) -> PyResult<SigningKeyPy> {
        let secret = secret_arg(data)?;
        SigningKey::parse(&secret)
            .map(|inner| SigningKeyPy { inner })
            .map_err(raise(Area::Signature))
    }

    /// A new key from the operating system's random source (getrandom), as
    /// `stepstone keygen` makes one.
    #[staticmethod]
    fn generate() -> PyResult<SigningKeyPy> {
        let mut seed = Zeroizing::new([0u8; 32]);
        loop {
            getrandom::fill(seed.as_mut())
                .map_err(|e| PyOSError::new_err(format!("the OS random source failed: {e}")))?;
            // A scalar of zero or not below the group order has probability about 2^-32:
            // draw again.
            if let Ok(inner) = SigningKey::from_bytes(&seed) {
                return Ok(SigningKeyPy { inner });
            }
        }
    }

    /// A key from its 32-byte scalar.
    #[staticmethod]
    fn from_scalar(scalar: &[u8]) -> PyResult<SigningKeyPy> {
        let mut arr = Zeroizing::new([0u8; 32]);
        if scalar.len() != arr.len() {
            return Err(PyValueError::new_err("a P-256 scalar is 32 bytes"));
        }
        arr.copy_from_slice(scalar);
        SigningKey::from_bytes(&arr)
            .map(|inner| SigningKeyPy { inner })
            .map_err(raise(Area::Signature))
    }

    /// The public key.
    #[getter]
    fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
            format: "sec1",
        }
    }

    /// Signs `message` (hashed with SHA-256).
    fn sign(&self, py: Python<'_>, message: &[u8]) -> PyResult<Signature> {
        py.detach(|| self.inner.sign(message))
            .map(|inner| Signature {
                inner,
                format: "der",
            })
            .map_err(raise(Area::Signature))
    }

    /// Signs a SHA-256 digest (exactly 32 bytes), e.g. from `ImageHasher`.
    fn sign_digest(&self, digest: &[u8]) -> PyResult<Signature> {
        self.inner
            .sign_digest(digest)
            .map(|inner| Signature {
                inner,
                format: "der",
            })
            .map_err(raise(Area::Signature))
    }

    /// The private key as PEM PKCS#8.
    fn to_pkcs8_pem<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        // Wiped explicitly once Python has its copy (whether core hands back a `String` or a
        // `Zeroizing<String>`).
        let mut pem = self.inner.to_pkcs8_pem();
        let text = PyString::new(py, &pem);
        pem.zeroize();
        text
    }

    fn __repr__(&self) -> String {
        format!(
            "SigningKey(key_id={})",
            repr::s(&self.inner.public_key().key_id().to_string())
        )
    }
}

/// SHA-256 of a message.
#[pyfunction]
fn sha256<'py>(py: Python<'py>, data: &[u8]) -> Bound<'py, PyBytes> {
    let d = py.detach(|| signature::sha256(data));
    PyBytes::new(py, &d)
}

pub(crate) fn taken() -> PyErr {
    PyValueError::new_err("finish() was already called")
}

/// SHA-256 of an image fed in chunks.
#[pyclass(module = "stepstone", name = "ImageHasher", frozen)]
pub(crate) struct ImageHasherPy {
    inner: Mutex<Option<ImageHasher>>,
}

/// Verifies a signature over an image fed in chunks (the image is never held whole).
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct StreamVerifier {
    inner: Mutex<Option<ImageVerifier>>,
}

macro_rules! with {
    ($self:ident, $py:ident, |$h:ident| $body:expr) => {{
        let mut guard = $self.inner.lock().map_err(|_| taken())?;
        let $h = guard.as_mut().ok_or_else(taken)?;
        Ok($py.detach(|| $body))
    }};
}

#[pymethods]
impl ImageHasherPy {
    #[new]
    fn new() -> ImageHasherPy {
        ImageHasherPy {
            inner: Mutex::new(Some(ImageHasher::new())),
        }
    }

    /// Feeds the next chunk.
    fn update(&self, py: Python<'_>, chunk: &[u8]) -> PyResult<()> {
        with!(self, py, |h| h.update(chunk))
    }

    /// Bytes fed so far.
    fn __len__(&self) -> PyResult<usize> {
        let guard = self.inner.lock().map_err(|_| taken())?;
        Ok(guard.as_ref().map_or(0, |h| h.len() as usize))
    }

    /// The digest (32 bytes).
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let h = self
            .inner
            .lock()
            .map_err(|_| taken())?
            .take()
            .ok_or_else(taken)?;
        Ok(PyBytes::new(py, &h.finish()))
    }
}

#[pymethods]
impl StreamVerifier {
    #[new]
    fn new(key: &PublicKey) -> StreamVerifier {
        StreamVerifier {
            inner: Mutex::new(Some(ImageVerifier::new(key.inner))),
        }
    }

    /// Feeds the next chunk.
    fn update(&self, py: Python<'_>, chunk: &[u8]) -> PyResult<()> {
        with!(self, py, |h| h.update(chunk))
    }

    /// Verifies `signature` over everything fed; gives the image's SHA-256.
    fn finish<'py>(
        &self,
        py: Python<'py>,
        signature: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let sig = Signature::of(signature)?;
        let v = self
            .inner
            .lock()
            .map_err(|_| taken())?
            .take()
            .ok_or_else(taken)?;
        let digest = v.finish(&sig).map_err(raise(Area::Signature))?;
        Ok(PyBytes::new(py, &digest))
    }
}

/// A verified release manifest (`verify_manifest`): its fields, the device check and the
/// streamed image check.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Manifest {
    bytes: Vec<u8>,
    #[pyo3(get)]
    scheme: &'static str,
    #[pyo3(get)]
    version: String,
    #[pyo3(get)]
    min_sw_version: Option<String>,
    #[pyo3(get)]
    size: u64,
    #[pyo3(get)]
    sha256: String,
    #[pyo3(get)]
    models: Vec<String>,
    #[pyo3(get)]
    environment: String,
    #[pyo3(get)]
    expires: u64,
    #[pyo3(get)]
    key_id: String,
}

impl Manifest {
    fn parsed(&self) -> PyResult<manifest::Manifest<'_>> {
        manifest::Manifest::parse(&self.bytes).map_err(raise(Area::Manifest))
    }
}

#[pymethods]
impl Manifest {
    /// The exact signed text.
    #[getter]
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// Checks the manifest against a device: expiry, model, environment, anti-rollback
    /// (`counter`: the highest version the device accepted) and minimum version.
    #[pyo3(signature = (*, model, environment, current_version, counter, now))]
    fn check_device(
        &self,
        model: &str,
        environment: &str,
        current_version: &str,
        counter: &str,
        now: u64,
    ) -> PyResult<()> {
        self.parsed()?
            .check_device(&Device {
                model,
                environment,
                current_version,
                counter,
                now,
            })
            .map_err(raise(Area::Manifest))
    }

    /// Starts checking a streamed image against the manifest's size and digest.
    fn image_check(&self) -> PyResult<ImageCheck> {
        Ok(ImageCheck {
            inner: Mutex::new(Some(self.parsed()?.image_check())),
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Manifest(version={}, size={}, models={}, environment={}, expires={})",
            repr::s(&self.version),
            self.size,
            repr::list(self.models.iter().map(String::as_str)),
            repr::s(&self.environment),
            self.expires
        )
    }
}

/// Checks a streamed image against a manifest: refuses a chunk past the declared size.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct ImageCheck {
    inner: Mutex<Option<manifest::ImageCheck>>,
}

#[pymethods]
impl ImageCheck {
    /// Feeds the next chunk (`ManifestError` as soon as the image is longer than declared).
    fn update(&self, py: Python<'_>, chunk: &[u8]) -> PyResult<()> {
        let r: PyResult<Result<(), manifest::ManifestError>> = with!(self, py, |c| c.update(chunk));
        r?.map_err(raise(Area::Manifest))
    }

    /// Bytes still expected.
    fn remaining(&self) -> PyResult<u64> {
        let guard = self.inner.lock().map_err(|_| taken())?;
        Ok(guard.as_ref().map_or(0, manifest::ImageCheck::remaining))
    }

    /// Ends the image: its SHA-256, or `ManifestError` (size or digest mismatch).
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let c = self
            .inner
            .lock()
            .map_err(|_| taken())?
            .take()
            .ok_or_else(taken)?;
        let d = c.finish().map_err(raise(Area::Manifest))?;
        Ok(PyBytes::new(py, &d))
    }
}

/// Verifies a manifest's detached signature (any encoding) with `key`, then its format and
/// key id; gives the `Manifest`, or raises `ManifestError`.
#[pyfunction]
fn verify_manifest(
    text: &Bound<'_, PyAny>,
    signature: &Bound<'_, PyAny>,
    key: &PublicKey,
) -> PyResult<Manifest> {
    let bytes = bytes_arg(text)?;
    let sig = bytes_arg(signature)?;
    let m = manifest::verify_encoded(&bytes, &sig, &key.inner).map_err(raise(Area::Manifest))?;
    let out = Manifest {
        scheme: m.scheme.name(),
        version: m.version.into(),
        min_sw_version: m.min_sw_version.map(Into::into),
        size: m.size,
        sha256: hex(&m.sha256),
        models: m.models.iter().map(Into::into).collect(),
        environment: m.environment.into(),
        expires: m.expires,
        key_id: m.key_id.to_string(),
        bytes: Vec::new(),
    };
    Ok(Manifest { bytes, ..out })
}

/// Writes a manifest's exact text (to sign with `SigningKey.sign`).
#[pyfunction]
#[pyo3(signature = (*, version, size, sha256, key_id, environment, expires, models = None, min_sw_version = None, scheme = "integer"))]
#[allow(clippy::too_many_arguments)]
fn render_manifest(
    version: String,
    size: u64,
    sha256: &[u8],
    key_id: &str,
    environment: String,
    expires: u64,
    models: Option<Vec<String>>,
    min_sw_version: Option<String>,
    scheme: &str,
) -> PyResult<String> {
    let sha256: [u8; 32] = sha256
        .try_into()
        .map_err(|_| PyValueError::new_err("sha256 is 32 bytes"))?;
    let key_id =
        KeyId::from_hex(key_id).ok_or_else(|| PyValueError::new_err("key_id is 64 hex digits"))?;
    let scheme = Scheme::from_name(scheme)
        .ok_or_else(|| PyValueError::new_err(format!("unknown scheme {}", repr::s(scheme))))?;
    ManifestFields {
        scheme,
        version,
        min_sw_version,
        size,
        sha256,
        models: models.unwrap_or_else(|| vec!["*".into()]),
        environment,
        expires,
        key_id,
    }
    .render()
    .map_err(raise(Area::Manifest))
}

/// Checks that `chain` (PEM or DER, signing certificate first) chains to the pinned `root` at
/// `now`; gives the signing certificate's key, or raises `CertificateError`.
#[pyfunction]
fn verify_chain(
    chain: &Bound<'_, PyAny>,
    root: &Bound<'_, PyAny>,
    now: u64,
) -> PyResult<PublicKey> {
    let chain = Certificate::parse_chain(&bytes_arg(chain)?).map_err(raise(Area::Certificate))?;
    let root = Certificate::parse(&bytes_arg(root)?).map_err(raise(Area::Certificate))?;
    cert::verify_chain(&chain, &root, now)
        .map(|inner| PublicKey {
            inner,
            format: "der",
        })
        .map_err(raise(Area::Certificate))
}

/// Wraps and signs catalog bytes with a sequence number, an expiry and the time it is signed
/// (`issued`, Unix seconds; default: now), in signed catalog format 2.
#[pyfunction]
#[pyo3(signature = (catalog, sequence, expires, key, *, issued = None))]
fn seal_catalog<'py>(
    py: Python<'py>,
    catalog: &[u8],
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
            .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?,
    };
    let out = signed_catalog::seal(catalog, sequence, issued, expires, &key.inner)
        .map_err(raise(Area::Signature))?;
    Ok(PyBytes::new(py, &out))
}

/// The Python class `stepstone._results.OpenedCatalog` (a tuple subclass), looked up once.
static OPENED_CATALOG: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();

/// Opens a signed catalog: checks the key (one of `keys`), signature, that `now` is set,
/// expiry at `now`, and the sequence against `last_sequence` (below it: a rollback; equal:
/// accepted only when the signed bytes' SHA-256 is `last_digest`). Gives an `OpenedCatalog`,
/// which unpacks as `(sequence, expires, key_id, payload)` and also has `.digest` (32 bytes:
/// store it, pass it back as `last_digest`) and `.issued` (`None` for format 1).
#[pyfunction]
#[pyo3(signature = (envelope, keys, *, now, last_sequence = None, last_digest = None))]
fn open_catalog<'py>(
    py: Python<'py>,
    envelope: &[u8],
    keys: Vec<PyRef<'_, PublicKey>>,
    now: u64,
    last_sequence: Option<u64>,
    last_digest: Option<[u8; 32]>,
) -> PyResult<Bound<'py, PyAny>> {
    let keys: Vec<signature::PublicKey> = keys.iter().map(|k| k.inner).collect();
    let trust = Trust {
        keys: &keys,
        last_sequence,
        last_digest,
        now,
    };
    let o = signed_catalog::open(envelope, &trust).map_err(raise(Area::SignedCatalog))?;
    let class = OPENED_CATALOG.get_or_try_init(py, || {
        py.import("stepstone._results")?
            .getattr("OpenedCatalog")
            .map(Bound::unbind)
    })?;
    class.bind(py).call1((
        o.sequence,
        o.expires,
        o.key_id.to_string(),
        PyBytes::new(py, o.payload),
        PyBytes::new(py, &o.digest),
        o.issued,
    ))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PublicKey>()?;
    m.add_class::<Signature>()?;
    m.add_class::<SigningKeyPy>()?;
    m.add_class::<ImageHasherPy>()?;
    m.add_class::<StreamVerifier>()?;
    m.add_class::<Manifest>()?;
    m.add_class::<ImageCheck>()?;
    m.add_function(wrap_pyfunction!(sha256, m)?)?;
    m.add_function(wrap_pyfunction!(verify_manifest, m)?)?;
    m.add_function(wrap_pyfunction!(render_manifest, m)?)?;
    m.add_function(wrap_pyfunction!(verify_chain, m)?)?;
    m.add_function(wrap_pyfunction!(seal_catalog, m)?)?;
    m.add_function(wrap_pyfunction!(open_catalog, m)?)?;
    Ok(())
}
