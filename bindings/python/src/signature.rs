//! Signatures (ECDSA P-256 over SHA-256), streaming verification, signed manifests, certificate
//! chains and signed catalogs. Chunks are hashed with the GIL released.
//!
//! Secret key material copied into Rust (the PEM or DER bytes a `SigningKey` is read from, a
//! scalar, a new key's random seed, the PKCS#8 PEM handed back) is held in `Zeroizing` buffers,
//! wiped when dropped; p256's key wipes itself. Python's own `bytes` and `str` objects are
//! beyond reach: the caller's copies stay until Python frees them.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};
use stepstone::cert::{self, Certificate};
use stepstone::manifest::{self, Device, ManifestFields};
use stepstone::signature::{
    self, ImageHasher, ImageVerifier, KeyId, SignatureFormat, sign::SigningKey,
};
use stepstone::signed_catalog::{self, Trust};
use zeroize::{Zeroize as _, Zeroizing};

use crate::args::{Args, Kw, Pos, params};
use crate::errors::raise;
use crate::repr;
use crate::stream::Stream;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signature encoding named in argument `name` (default `der`), read by the core
/// (`signature.unknown_format` for another name).
fn signature_format(a: &Args<'_>, name: &str) -> PyResult<SignatureFormat> {
    a.text_or(name, "der")?
        .parse::<SignatureFormat>()
        .map_err(raise)
}

/// The current time in Unix seconds (`io.clock` if the clock is before 1970).
pub(crate) fn now(py: Python<'_>) -> PyResult<u64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|e| {
            crate::errors::exception(
                py,
                "io.clock",
                &format!("the system clock is before 1970: {e}"),
            )
        })
}

/// The `issued` argument of a seal (Unix seconds), the current time when absent or `None`.
pub(crate) fn issued_or_now(a: &Args<'_>) -> PyResult<u64> {
    match a.opt_u64("issued")? {
        Some(t) => Ok(t),
        None => now(a.py()),
    }
}

/// A P-256 public key: PEM or DER SubjectPublicKeyInfo, a SEC1 point, or hex text of one.
///
/// Parameters:
///     data (bytes | str): the key.
///
/// Raises: `SignatureError` (`signature.key_malformed`, `signature.key_unsupported`);
/// `BadArgumentError` (`python.bad_argument`) if `data` is not bytes or str.
#[pyclass(module = "stepstone", frozen)]
#[derive(Clone)]
pub(crate) struct PublicKey {
    pub(crate) inner: signature::PublicKey,
    format: &'static str,
}

#[pymethods]
impl PublicKey {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(data)")]
    fn new(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<PublicKey> {
        let a = params!("PublicKey", ["data"], []).bind(args, kwargs)?;
        signature::PublicKey::parse_detect(&a.bytes_or_text("data")?)
            .map(|(inner, f)| PublicKey {
                inner,
                format: f.name(),
            })
            .map_err(raise)
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
    ///
    /// Returns: str. Raises: nothing.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_pem(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<String> {
        params!("PublicKey.to_pem", [], []).bind(args, kwargs)?;
        Ok(self.inner.to_spki_pem())
    }

    /// The uncompressed SEC1 point (65 bytes).
    ///
    /// Returns: bytes. Raises: nothing.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_sec1<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        params!("PublicKey.to_sec1", [], []).bind(args, kwargs)?;
        Ok(PyBytes::new(py, &self.inner.to_sec1_uncompressed()))
    }

    /// Verifies `signature` over `message`.
    ///
    /// Parameters:
    ///     message (bytes): what was signed (hashed with SHA-256).
    ///     signature (Signature | bytes | str): the signature, in any encoding.
    ///
    /// Returns: None.
    ///
    /// Raises: `SignatureError` if it does not verify (`signature.invalid`) or does not read
    /// (`signature.malformed`); `BadArgumentError` (`python.bad_argument`) for an argument of
    /// another type.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, message, signature)")]
    fn verify(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<()> {
        let a = params!("PublicKey.verify", ["message", "signature"], []).bind(args, kwargs)?;
        let message = a.bytes("message")?;
        let sig = Signature::of(&a, "signature")?;
        py.detach(|| self.inner.verify(&message, &sig))
            .map_err(raise)
    }

    /// Verifies `signature` over a SHA-256 digest.
    ///
    /// Parameters:
    ///     digest (bytes): exactly 32 bytes.
    ///     signature (Signature | bytes | str): the signature, in any encoding.
    ///
    /// Returns: None.
    ///
    /// Raises: `SignatureError` (`signature.invalid`, `signature.malformed`,
    /// `signature.digest_length`); `BadArgumentError` (`python.bad_argument`) for an argument of
    /// another type.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, digest, signature)")]
    fn verify_digest(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<()> {
        let a =
            params!("PublicKey.verify_digest", ["digest", "signature"], []).bind(args, kwargs)?;
        let digest = a.bytes("digest")?;
        let sig = Signature::of(&a, "signature")?;
        self.inner.verify_digest(&digest, &sig).map_err(raise)
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
///
/// Parameters:
///     data (bytes | str): the signature.
///
/// Raises: `SignatureError` (`signature.malformed`); `BadArgumentError`
/// (`python.bad_argument`) if `data` is not bytes or str.
#[pyclass(module = "stepstone", frozen)]
#[derive(Clone)]
pub(crate) struct Signature {
    inner: signature::Signature,
    format: &'static str,
}

impl Signature {
    /// The signature in argument `name`: a `Signature`, or its bytes in any encoding.
    fn of(a: &Args<'_>, name: &str) -> PyResult<signature::Signature> {
        if let Ok(s) = a.required(name)?.cast::<Signature>() {
            return Ok(s.get().inner);
        }
        signature::Signature::parse(&a.bytes_or_text(name)?).map_err(raise)
    }

    /// A `Signature` in argument `name` as its DER bytes, anything else as the bytes given
    /// (still encoded: the core reads them, so a malformed one is the caller's own error code).
    pub(crate) fn encoded(a: &Args<'_>, name: &str) -> PyResult<Vec<u8>> {
        if let Ok(s) = a.required(name)?.cast::<Signature>() {
            return Ok(s
                .get()
                .inner
                .encode(SignatureFormat::Der)
                .as_bytes()
                .to_vec());
        }
        a.bytes_or_text(name).map(std::borrow::Cow::into_owned)
    }
}

#[pymethods]
impl Signature {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(data)")]
    fn new(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Signature> {
        let a = params!("Signature", ["data"], []).bind(args, kwargs)?;
        signature::Signature::parse_detect(&a.bytes_or_text("data")?)
            .map(|(inner, f)| Signature {
                inner,
                format: f.name(),
            })
            .map_err(raise)
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

    /// The signature in another encoding.
    ///
    /// Parameters:
    ///     format (str): `der` (default), `raw`, `hex`, `base64`, `hex-raw` or `base64-raw`.
    ///
    /// Returns: bytes.
    ///
    /// Raises: `SignatureError` (`signature.unknown_format`) for another format;
    /// `BadArgumentError` (`python.bad_argument`) if `format` is not a str.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, format='der')")]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let a = params!("Signature.encode", ["format"], []).bind(args, kwargs)?;
        Ok(PyBytes::new(
            py,
            self.inner
                .encode(signature_format(&a, "format")?)
                .as_bytes(),
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
///
/// Parameters:
///     data (bytes | str): the key.
///
/// Raises: `SignatureError` (`signature.private_key_malformed`); `BadArgumentError`
/// (`python.bad_argument`) if `data` is not bytes or str.
#[pyclass(module = "stepstone", name = "SigningKey", frozen)]
pub(crate) struct SigningKeyPy {
    pub(crate) inner: SigningKey,
}

#[pymethods]
impl SigningKeyPy {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(data)")]
    fn new(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<SigningKeyPy> {
        let a = params!("SigningKey", ["data"], []).bind(args, kwargs)?;
        // The Rust-side copy of the secret is wiped when dropped.
        let secret = Zeroizing::new(a.secret("data", true)?.into_owned());
        SigningKey::parse(&secret)
            .map(|inner| SigningKeyPy { inner })
            .map_err(raise)
    }

    /// A new key from the operating system's random source (getrandom), as
    /// `stepstone keygen` makes one.
    ///
    /// Returns: SigningKey.
    ///
    /// Raises: `IoError` (`io.random`) if the random source fails.
    #[staticmethod]
    #[pyo3(signature = (*args, **kwargs), text_signature = "()")]
    fn generate(
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<SigningKeyPy> {
        params!("SigningKey.generate", [], []).bind(args, kwargs)?;
        let mut seed = Zeroizing::new([0u8; 32]);
        loop {
            getrandom::fill(seed.as_mut()).map_err(|e| {
                crate::errors::exception(
                    py,
                    "io.random",
                    &format!("the OS random source failed: {e}"),
                )
            })?;
            // A scalar of zero or not below the group order has probability about 2^-32:
            // draw again.
            if let Ok(inner) = SigningKey::from_bytes(&seed) {
                return Ok(SigningKeyPy { inner });
            }
        }
    }

    /// A key from its 32-byte scalar.
    ///
    /// Parameters:
    ///     scalar (bytes): 32 bytes, big-endian.
    ///
    /// Returns: SigningKey.
    ///
    /// Raises: `SignatureError` for zero or a scalar not below the group order;
    /// `BadArgumentError` (`python.bad_argument`) if `scalar` is not 32 bytes.
    #[staticmethod]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(scalar)")]
    fn from_scalar(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<SigningKeyPy> {
        let a = params!("SigningKey.from_scalar", ["scalar"], []).bind(args, kwargs)?;
        let scalar = Zeroizing::new(a.secret("scalar", false)?.into_owned());
        let mut arr = Zeroizing::new([0u8; 32]);
        if scalar.len() != arr.len() {
            return Err(a.fail(
                "scalar",
                format!("must be 32 bytes, got {} bytes", scalar.len()),
            ));
        }
        arr.copy_from_slice(&scalar);
        SigningKey::from_bytes(&arr)
            .map(|inner| SigningKeyPy { inner })
            .map_err(raise)
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
    ///
    /// Parameters:
    ///     message (bytes): what to sign.
    ///
    /// Returns: Signature.
    ///
    /// Raises: `SignatureError`; `BadArgumentError` (`python.bad_argument`) if `message` is not
    /// bytes.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, message)")]
    fn sign(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Signature> {
        let a = params!("SigningKey.sign", ["message"], []).bind(args, kwargs)?;
        let message = a.bytes("message")?;
        py.detach(|| self.inner.sign(&message))
            .map(|inner| Signature {
                inner,
                format: "der",
            })
            .map_err(raise)
    }

    /// Signs a SHA-256 digest, e.g. from `ImageHasher`.
    ///
    /// Parameters:
    ///     digest (bytes): exactly 32 bytes.
    ///
    /// Returns: Signature.
    ///
    /// Raises: `SignatureError` (`signature.digest_length`); `BadArgumentError`
    /// (`python.bad_argument`) if `digest` is not bytes.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, digest)")]
    fn sign_digest(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Signature> {
        let a = params!("SigningKey.sign_digest", ["digest"], []).bind(args, kwargs)?;
        self.inner
            .sign_digest(&a.bytes("digest")?)
            .map(|inner| Signature {
                inner,
                format: "der",
            })
            .map_err(raise)
    }

    /// The private key as PEM PKCS#8.
    ///
    /// Returns: str. Raises: nothing.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_pkcs8_pem<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyString>> {
        params!("SigningKey.to_pkcs8_pem", [], []).bind(args, kwargs)?;
        // Wiped explicitly once Python has its copy (whether core hands back a `String` or a
        // `Zeroizing<String>`).
        let mut pem = self.inner.to_pkcs8_pem();
        let text = PyString::new(py, &pem);
        pem.zeroize();
        Ok(text)
    }

    fn __repr__(&self) -> String {
        format!(
            "SigningKey(key_id={})",
            repr::s(&self.inner.public_key().key_id().to_string())
        )
    }
}

/// SHA-256 of a message.
///
/// Parameters:
///     data (bytes): the message.
///
/// Returns: bytes, 32.
///
/// Raises: `BadArgumentError` (`python.bad_argument`) if `data` is not bytes.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(data)")]
fn sha256<'py>(
    py: Python<'py>,
    args: Pos<'_, 'py>,
    kwargs: Option<Kw<'_, 'py>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let a = params!("sha256", ["data"], []).bind(args, kwargs)?;
    let data = a.bytes("data")?;
    let d = py.detach(|| signature::sha256(&data));
    Ok(PyBytes::new(py, &d))
}

/// SHA-256 of an image fed in chunks.
///
/// Raises: nothing.
#[pyclass(module = "stepstone", name = "ImageHasher", frozen)]
pub(crate) struct ImageHasherPy {
    inner: Stream<ImageHasher>,
}

/// Verifies a signature over an image fed in chunks (the image is never held whole).
///
/// Parameters:
///     key (PublicKey): the signer's key.
///
/// Raises: `BadArgumentError` (`python.bad_argument`) if `key` is not a `PublicKey`.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct StreamVerifier {
    inner: Stream<ImageVerifier>,
}

/// The device a manifest is checked for, from the arguments `model`, `environment`,
/// `current_version`, `counter` and `now` (`Manifest.check_device`, `ManifestFirst`).
pub(crate) struct DeviceArgs {
    model: String,
    environment: String,
    current_version: String,
    counter: String,
    now: u64,
}

impl DeviceArgs {
    pub(crate) fn read(a: &Args<'_>) -> PyResult<DeviceArgs> {
        Ok(DeviceArgs {
            model: a.text("model")?,
            environment: a.text("environment")?,
            current_version: a.version("current_version")?,
            counter: a.version("counter")?,
            now: a.u64("now")?,
        })
    }

    pub(crate) fn device(&self) -> Device<'_> {
        Device {
            model: &self.model,
            environment: &self.environment,
            current_version: &self.current_version,
            counter: &self.counter,
            now: self.now,
        }
    }
}

/// The chunk argument of an `update`.
fn chunk<'a>(a: &'a Args<'_>) -> PyResult<std::borrow::Cow<'a, [u8]>> {
    a.bytes("chunk")
}

#[pymethods]
impl ImageHasherPy {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "()")]
    fn new(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<ImageHasherPy> {
        params!("ImageHasher", [], []).bind(args, kwargs)?;
        Ok(ImageHasherPy {
            inner: Stream::new("ImageHasher", ImageHasher::new()),
        })
    }

    /// Feeds the next chunk.
    ///
    /// Parameters:
    ///     chunk (bytes): the next bytes of the image.
    ///
    /// Returns: None.
    ///
    /// Raises: `Error` (`python.finished`) after `finish`; `BadArgumentError`
    /// (`python.bad_argument`) if `chunk` is not bytes.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, chunk)")]
    fn update(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<()> {
        let a = params!("ImageHasher.update", ["chunk"], []).bind(args, kwargs)?;
        let chunk = chunk(&a)?;
        self.inner.feed(py, |h| h.update(&chunk))
    }

    /// Bytes fed so far.
    fn __len__(&self) -> PyResult<usize> {
        self.inner.peek(0, |h| h.len() as usize)
    }

    /// The digest.
    ///
    /// Returns: bytes, 32.
    ///
    /// Raises: `Error` (`python.finished`) the second time.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn finish<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        params!("ImageHasher.finish", [], []).bind(args, kwargs)?;
        Ok(PyBytes::new(py, &self.inner.take()?.finish()))
    }
}

#[pymethods]
impl StreamVerifier {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(key)")]
    fn new(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<StreamVerifier> {
        let a = params!("StreamVerifier", ["key"], []).bind(args, kwargs)?;
        let key = a.object::<PublicKey>("key", "a PublicKey")?;
        Ok(StreamVerifier {
            inner: Stream::new("StreamVerifier", ImageVerifier::new(key.get().inner)),
        })
    }

    /// Feeds the next chunk.
    ///
    /// Parameters:
    ///     chunk (bytes): the next bytes of the image.
    ///
    /// Returns: None.
    ///
    /// Raises: `Error` (`python.finished`) after `finish`; `BadArgumentError`
    /// (`python.bad_argument`) if `chunk` is not bytes.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, chunk)")]
    fn update(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<()> {
        let a = params!("StreamVerifier.update", ["chunk"], []).bind(args, kwargs)?;
        let chunk = chunk(&a)?;
        self.inner.feed(py, |v| v.update(&chunk))
    }

    /// Verifies `signature` over everything fed.
    ///
    /// Parameters:
    ///     signature (Signature | bytes | str): the signature, in any encoding.
    ///
    /// Returns: bytes, the image's SHA-256.
    ///
    /// Raises: `SignatureError` if it does not verify; `Error` (`python.finished`) the second
    /// time; `BadArgumentError` (`python.bad_argument`) for a signature of another type.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, signature)")]
    fn finish<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let a = params!("StreamVerifier.finish", ["signature"], []).bind(args, kwargs)?;
        let sig = Signature::of(&a, "signature")?;
        let digest = self.inner.take()?.finish(&sig).map_err(raise)?;
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
        manifest::Manifest::parse(&self.bytes).map_err(raise)
    }
}

#[pymethods]
impl Manifest {
    #[new]
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
            "Manifest",
            "verify_manifest(text, signature, key)",
        ))
    }

    /// The exact signed text.
    #[getter]
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// Checks the manifest against a device: expiry, model, environment, anti-rollback
    /// (`counter`: the highest version the device accepted) and minimum version.
    ///
    /// Parameters:
    ///     model (str), environment (str): the device's.
    ///     current_version (str): the version it runs.
    ///     counter (str): its anti-rollback counter.
    ///     now (int): the time, Unix seconds.
    ///
    /// Returns: None.
    ///
    /// Raises: `ManifestError` (`manifest.expired`, `manifest.wrong_model`,
    /// `manifest.wrong_environment`, `manifest.rollback`, `manifest.below_min_version`, ...);
    /// `BadArgumentError` (`python.bad_argument`) for an argument of another type, missing, or
    /// a `now` that is negative or too large.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, *, model, environment, current_version, counter, now)")]
    fn check_device(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<()> {
        let a = params!(
            "Manifest.check_device",
            [],
            ["model", "environment", "current_version", "counter", "now"]
        )
        .bind(args, kwargs)?;
        let device = DeviceArgs::read(&a)?;
        self.parsed()?.check_device(&device.device()).map_err(raise)
    }

    /// Starts checking a streamed image against the manifest's size and digest.
    ///
    /// Returns: ImageCheck. Raises: `ManifestError` only if the manifest no longer parses.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn image_check(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<ImageCheck> {
        params!("Manifest.image_check", [], []).bind(args, kwargs)?;
        Ok(ImageCheck {
            inner: Stream::new("ImageCheck", self.parsed()?.image_check()),
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
    pub(crate) inner: Stream<manifest::ImageCheck>,
}

#[pymethods]
impl ImageCheck {
    #[new]
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
            "ImageCheck",
            "Manifest.image_check()",
        ))
    }

    /// Feeds the next chunk.
    ///
    /// Parameters:
    ///     chunk (bytes): the next bytes of the image.
    ///
    /// Returns: None.
    ///
    /// Raises: `ManifestError` (`manifest.size_mismatch`) as soon as the image is longer than
    /// declared; `Error` (`python.finished`) after `finish`; `BadArgumentError`
    /// (`python.bad_argument`) if `chunk` is not bytes.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, chunk)")]
    fn update(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<()> {
        let a = params!("ImageCheck.update", ["chunk"], []).bind(args, kwargs)?;
        let chunk = chunk(&a)?;
        self.inner.feed(py, |c| c.update(&chunk))?.map_err(raise)
    }

    /// Bytes still expected.
    ///
    /// Returns: int. Raises: nothing.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn remaining(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u64> {
        params!("ImageCheck.remaining", [], []).bind(args, kwargs)?;
        self.inner.peek(0, manifest::ImageCheck::remaining)
    }

    /// Ends the image.
    ///
    /// Returns: bytes, its SHA-256.
    ///
    /// Raises: `ManifestError` (`manifest.size_mismatch`, `manifest.digest_mismatch`); `Error`
    /// (`python.finished`) the second time.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn finish<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        params!("ImageCheck.finish", [], []).bind(args, kwargs)?;
        let d = self.inner.take()?.finish().map_err(raise)?;
        Ok(PyBytes::new(py, &d))
    }
}

/// Verifies a manifest's detached signature with `key`, then its format and key id.
///
/// Parameters:
///     text (bytes | str): the manifest's exact text.
///     signature (bytes | str): its signature, in any encoding.
///     key (PublicKey): the pinned manifest key.
///
/// Returns: Manifest.
///
/// Raises: `ManifestError` (`manifest.bad_signature`, `manifest.malformed`,
/// `manifest.key_mismatch`, ...); `BadArgumentError` (`python.bad_argument`) for an argument of
/// another type.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(text, signature, key)")]
fn verify_manifest(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Manifest> {
    let a = params!("verify_manifest", ["text", "signature", "key"], []).bind(args, kwargs)?;
    let bytes = a.bytes_or_text("text")?.into_owned();
    let sig = Signature::encoded(&a, "signature")?;
    let key = a.object::<PublicKey>("key", "a PublicKey")?;
    let m = manifest::verify_encoded(&bytes, &sig, &key.get().inner).map_err(raise)?;
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
///
/// Parameters (keyword only):
///     version (str), min_sw_version (str | None): the release and the lowest version that
///         may install it.
///     size (int), sha256 (bytes): the image's size and digest (32 bytes).
///     key_id (str): the signing key's id (64 hex digits).
///     environment (str), models (list[str] | None): who may install it (`None`: `*`).
///     expires (int): Unix seconds.
///     scheme (str): `integer` (default), `semver` or `dotted`.
///
/// Returns: str.
///
/// Raises: `ManifestError` (`manifest.malformed`) for fields the format refuses;
/// `manifest.no_models`, `manifest.models_wildcard_mixed`, `manifest.bad_model` for models the
/// core's check refuses (an empty list, `*` with names, a name empty, with a space, not
/// printable ASCII or listed twice); `BadArgumentError`
/// (`python.bad_argument`) for an argument of another type, missing, a `sha256` that is not 32
/// bytes, a `key_id` that is not 64 hex digits, or an unknown scheme.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(*, version, size, sha256, key_id, environment, expires, models=None, min_sw_version=None, scheme='integer')")]
fn render_manifest(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<String> {
    let a = params!(
        "render_manifest",
        [],
        [
            "version",
            "size",
            "sha256",
            "key_id",
            "environment",
            "expires",
            "models",
            "min_sw_version",
            "scheme"
        ]
    )
    .bind(args, kwargs)?;
    let (version, size) = (a.version("version")?, a.u64("size")?);
    let digest = a.bytes("sha256")?;
    let sha256: [u8; 32] = digest[..].try_into().map_err(|_| {
        a.fail(
            "sha256",
            format!("must be 32 bytes, got {} bytes", digest.len()),
        )
    })?;
    let key_id = a.text("key_id")?;
    let key_id = KeyId::from_hex(&key_id).ok_or_else(|| {
        a.fail(
            "key_id",
            format!("must be 64 hex digits, got {}", repr::s(&key_id)),
        )
    })?;
    let (environment, expires) = (a.text("environment")?, a.u64("expires")?);
    let models = a.opt_texts("models")?;
    let min_sw_version = a.opt_version("min_sw_version")?;
    let scheme = crate::version::scheme(&a, "scheme")?;
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
    .map_err(raise)
}

/// Checks that `chain` (PEM or DER, signing certificate first) chains to the pinned `root` at
/// `now`.
///
/// Parameters:
///     chain (bytes | str), root (bytes | str): the certificates.
///     now (int): the time, Unix seconds.
///
/// Returns: PublicKey, the signing certificate's key.
///
/// Raises: `CertificateError` (`cert.*`); `BadArgumentError` (`python.bad_argument`) for an
/// argument of another type or a `now` that is negative or too large.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(chain, root, now)")]
fn verify_chain(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<PublicKey> {
    let a = params!("verify_chain", ["chain", "root", "now"], []).bind(args, kwargs)?;
    let (chain, root, now) = (
        a.bytes_or_text("chain")?,
        a.bytes_or_text("root")?,
        a.u64("now")?,
    );
    let chain = Certificate::parse_chain(&chain).map_err(raise)?;
    let root = Certificate::parse(&root).map_err(raise)?;
    cert::verify_chain(&chain, &root, now)
        .map(|inner| PublicKey {
            inner,
            format: "der",
        })
        .map_err(raise)
}

/// Wraps and signs catalog bytes with a sequence number, an expiry and the time it is signed,
/// in signed catalog format 2.
///
/// Parameters:
///     catalog (bytes): the catalog.
///     sequence (int): raise it for every new catalog.
///     expires (int): Unix seconds.
///     key (SigningKey): the catalog key.
///     issued (int | None): when it is signed, Unix seconds (default: now).
///
/// Returns: bytes, the envelope.
///
/// Raises: `SignatureError`, `SignedCatalogError`; `BadArgumentError` (`python.bad_argument`)
/// for an argument of another type, missing, or a number that is negative or too large.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(catalog, sequence, expires, key, *, issued=None)")]
fn seal_catalog<'py>(
    py: Python<'py>,
    args: Pos<'_, 'py>,
    kwargs: Option<Kw<'_, 'py>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let a = params!(
        "seal_catalog",
        ["catalog", "sequence", "expires", "key"],
        ["issued"]
    )
    .bind(args, kwargs)?;
    let catalog = a.bytes("catalog")?;
    let (sequence, expires) = (a.u64("sequence")?, a.u64("expires")?);
    let key = a.object::<SigningKeyPy>("key", "a SigningKey")?;
    let issued = issued_or_now(&a)?;
    let out = signed_catalog::seal(&catalog, sequence, issued, expires, &key.get().inner)
        .map_err(raise)?;
    Ok(PyBytes::new(py, &out))
}

/// The Python class `stepstone._results.OpenedCatalog` (a tuple subclass), looked up once.
static OPENED_CATALOG: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();

/// Opens a signed catalog: checks the key (one of `keys`), signature, that `now` is set,
/// expiry at `now`, and the sequence against `last_sequence` (below it: a rollback; equal:
/// accepted only when the signed bytes' SHA-256 is `last_digest`).
///
/// Parameters:
///     envelope (bytes): the signed catalog.
///     keys (list[PublicKey]): the pinned catalog keys.
///     now (int): the time, Unix seconds.
///     last_sequence (int | None), last_digest (bytes | None): what was stored from the last
///         catalog accepted.
///
/// Returns: OpenedCatalog, which unpacks as `(sequence, expires, key_id, payload)` and also has
/// `.digest` (32 bytes: store it, pass it back as `last_digest`) and `.issued` (`None` for
/// format 1).
///
/// Raises: `SignedCatalogError` (`signed_catalog.*`, `signed_catalog.digest_without_sequence`
/// for a `last_digest` given without `last_sequence`); `BadArgumentError`
/// (`python.bad_argument`) for an argument of another type, missing, a number that is negative
/// or too large, a `last_digest` that is not 32 bytes.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(envelope, keys, *, now, last_sequence=None, last_digest=None)")]
fn open_catalog<'py>(
    py: Python<'py>,
    args: Pos<'_, 'py>,
    kwargs: Option<Kw<'_, 'py>>,
) -> PyResult<Bound<'py, PyAny>> {
    let a = params!(
        "open_catalog",
        ["envelope", "keys"],
        ["now", "last_sequence", "last_digest"]
    )
    .bind(args, kwargs)?;
    let envelope = a.bytes("envelope")?;
    let list = a.required("keys")?;
    if !(list.is_instance_of::<PyList>() || list.is_instance_of::<PyTuple>()) {
        return Err(a.wrong("keys", "a list of PublicKey", list));
    }
    let mut keys: Vec<signature::PublicKey> = Vec::new();
    for (i, k) in list.try_iter()?.enumerate() {
        let k = k.map_err(|e| a.unreadable(&format!("keys[{i}]"), e))?;
        let key = k
            .cast::<PublicKey>()
            .map_err(|_| a.wrong(&format!("keys[{i}]"), "a PublicKey", &k))?;
        keys.push(key.get().inner);
    }
    let now = a.u64("now")?;
    let last_sequence = a.opt_u64("last_sequence")?;
    let last_digest = match a.opt_bytes("last_digest")? {
        None => None,
        Some(d) => Some(<[u8; 32]>::try_from(&d[..]).map_err(|_| {
            a.fail(
                "last_digest",
                format!("must be 32 bytes, got {} bytes", d.len()),
            )
        })?),
    };
    let trust = Trust {
        keys: &keys,
        last_sequence,
        last_digest,
        now,
    };
    let o = signed_catalog::open(&envelope, &trust).map_err(raise)?;
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
