//! Signed release manifests: a small text document binding a firmware's version, minimum
//! installed version, size, SHA-256, models, environment, expiry and signing key id, with a
//! detached ECDSA P-256 signature over its exact bytes. Checked without a heap.
//!
//! The format is specified in `docs/manifest.md` (so C and Python tools can write it):
//!
//! ```text
//! stepstone-manifest 1
//! scheme integer
//! version v66003
//! min_sw_version v66000
//! size 1843200
//! sha256 <64 lowercase hex digits>
//! models AG-1 AG-2
//! environment production
//! expires 1767225600
//! key_id <64 lowercase hex digits: SHA-256 of the signing key's uncompressed SEC1 point>
//! ```
//!
//! Why a line format rather than JSON: the signature covers the exact bytes, and the bytes
//! must have exactly one reading. JSON parsers disagree on duplicate keys, escapes, number
//! precision and Unicode; this format has none of those (fixed field order, each field once,
//! ASCII, `\n` line ends, no escapes), so a device, the cloud and a C or Python producer read
//! the same manifest the same way, and the parser is a few hundred lines that need no heap.
//!
//! Every policy field lives inside the signed bytes (MCUboot's CVE-2024-32883 trusted one that
//! did not). Checks, each with its own error code, in this order:
//! 1. [`verify`]: the signature over the exact bytes (`manifest.bad_signature`), then the
//!    format (`manifest.malformed`, `manifest.unsupported_format`), then the key id names the
//!    key that verified (`manifest.key_mismatch`);
//! 2. [`Manifest::check_device`]: expiry (`manifest.expired`), model (`manifest.wrong_model`),
//!    environment (`manifest.wrong_environment`), anti-rollback (`manifest.rollback`: the
//!    version must be above the device's counter and its running version), minimum installed
//!    version (`manifest.below_min_version`);
//! 3. [`ImageCheck`]: the streamed image's size (`manifest.size_mismatch`, reported as soon as
//!    one byte too many arrives, so a reader stops at the declared size) and digest
//!    (`manifest.digest_mismatch`).
//!
//! Anti-rollback holds only if the device stores the highest version it accepted (its
//! counter) and raises it after installing: an old manifest carries its own old minimum.
//!
//! ```
//! use stepstone::manifest::{self, Device};
//! # let (key, text, sig) = stepstone::manifest::doc_example();
//! let key = stepstone::signature::PublicKey::parse(key).unwrap();
//! let sig = stepstone::signature::Signature::parse(sig).unwrap();
//! let m = manifest::verify(text, &sig, &key).unwrap();
//! let device = Device {
//!     model: "AG-1", environment: "production",
//!     current_version: "v66000", counter: "v66000", now: 1_700_000_000,
//! };
//! m.check_device(&device).unwrap();
//! let mut image = m.image_check();
//! image.update(b"firmware image bytes").unwrap();
//! image.finish().unwrap();
//! ```

use core::cmp::Ordering;
use core::fmt;

use crate::error::{Code, ErrorCode, FmtSink, Registered, Sink, codes, detail, message_from_sink};
use crate::signature::{Digest, ImageHasher, KeyId, PublicKey, Signature};
use crate::version::{self, Scheme, VersionErrorKind};

/// The manifest format version this library reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// Largest manifest accepted, in bytes.
pub const MAX_MANIFEST_LEN: usize = 4096;
/// The first line of every manifest of this format.
pub const MAGIC: &str = "stepstone-manifest";

/// Bytes a [`Quoted`] keeps: 40, or none without feature `messages` (the device port, where
/// errors become numeric statuses and smaller errors mean less stack).
const QUOTED_MAX: usize = if cfg!(feature = "messages") { 40 } else { 0 };

/// A short copy of user text for error messages, held without a heap (at most 40 bytes, cut on
/// a char boundary, with `…` when cut; empty without feature `messages`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quoted {
    buf: [u8; QUOTED_MAX],
    len: u8,
    cut: bool,
}

impl Quoted {
    /// Copies (a prefix of) `text`. Without feature `messages` (the device port) it copies
    /// nothing: the quote is only ever shown in a message.
    pub fn new(text: &str) -> Quoted {
        let mut end = text.len().min(QUOTED_MAX);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut buf = [0u8; QUOTED_MAX];
        if let (Some(dst), Some(src)) = (buf.get_mut(..end), text.as_bytes().get(..end)) {
            dst.copy_from_slice(src);
        }
        Quoted {
            buf,
            len: end as u8,
            cut: end < text.len(),
        } // ok: end <= QUOTED_MAX
    }

    /// The copied text.
    pub fn as_str(&self) -> &str {
        let bytes = self.buf.get(..usize::from(self.len)).unwrap_or(&[]);
        core::str::from_utf8(bytes).unwrap_or("")
    }
}

impl Quoted {
    /// Writes the text as `Display` shows it: as it is, with `…` when it was cut.
    fn write_plain(&self, s: &mut impl Sink) {
        s.text(self.as_str());
        if self.cut {
            s.text("…");
        }
    }

    /// Writes the text as `Debug` shows it: in double quotes, `"`, `\` and control characters
    /// escaped as `{:?}` escapes them, other characters as they are (the crate's small
    /// quoting, `crate::error::push_quoted`: the WASM verify module links no `Debug` for `str`
    /// and no Unicode tables; builds without `alloc` quote alike, with no heap).
    fn write_quoted(&self, s: &mut impl Sink) {
        #[cfg(feature = "alloc")]
        s.quoted(self.as_str());
        #[cfg(not(feature = "alloc"))]
        quote_without_heap(s, self.as_str());
    }
}

/// [`crate::error::push_quoted`]'s quoting written piece by piece, for builds without a heap
/// (`tests::quoting_without_heap_is_push_quoted` shows the two agree).
#[cfg(any(test, not(feature = "alloc")))]
fn quote_without_heap(s: &mut impl Sink, text: &str) {
    s.text("\"");
    let mut run = 0;
    for (i, c) in text.char_indices() {
        if c == '"' || c == '\\' || c.is_control() {
            s.text(text.get(run..i).unwrap_or(""));
            let mut escaped = [b'\\', 0, 0, 0, 0, 0];
            let len = match c {
                '\n' | '\r' | '\t' | '\0' | '"' | '\\' => {
                    escaped[1] = match c {
                        '\n' => b'n',
                        '\r' => b'r',
                        '\t' => b't',
                        '\0' => b'0',
                        _ => c as u8,
                    };
                    2
                }
                _ => {
                    // Control characters are below U+00A0: two hex digits at most.
                    const DIGITS: &[u8; 16] = b"0123456789abcdef";
                    let n = c as usize;
                    escaped[1..3].copy_from_slice(b"u{");
                    if n >= 16 {
                        escaped[3] = DIGITS[(n >> 4) & 15];
                        escaped[4] = DIGITS[n & 15];
                        escaped[5] = b'}';
                        6
                    } else {
                        escaped[3] = DIGITS[n & 15];
                        escaped[4] = b'}';
                        5
                    }
                }
            };
            s.text(core::str::from_utf8(&escaped[..len]).unwrap_or(""));
            run = i + c.len_utf8();
        }
    }
    s.text(text.get(run..).unwrap_or(""));
    s.text("\"");
}

impl fmt::Display for Quoted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sink = FmtSink::new(f);
        self.write_plain(&mut sink);
        sink.finish()
    }
}

impl fmt::Debug for Quoted {
    /// Quoted and escaped as `{:?}` quotes a `str`, except that characters other than `"`,
    /// `\` and control characters are kept as they are (`Quoted::write_quoted`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sink = FmtSink::new(f);
        self.write_quoted(&mut sink);
        sink.finish()
    }
}

/// Why a manifest, a device or an image was refused.
///
/// `Display` and [`ErrorMessage::message`](crate::error::ErrorMessage::message) give the same
/// text; `message` builds it without `core::fmt` (the WASM verify module links none for it).
///
/// ```
/// use stepstone::error::ErrorMessage;
/// use stepstone::manifest::ManifestError;
/// let e = ManifestError::Expired { expires: 10, now: 11 };
/// assert_eq!(e.message(), "manifest expired at 10 (now is 11)");
/// assert_eq!(e.to_string(), e.message());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManifestError {
    /// The detached signature does not verify over the manifest bytes, or is malformed.
    BadSignature {
        /// The key that was tried.
        key_id: KeyId,
    },
    /// The manifest does not follow the format.
    Malformed {
        /// 1-based line number (0 for the document as a whole).
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The first line names another format or format version.
    UnsupportedFormat {
        /// The first line as found.
        found: Quoted,
    },
    /// The manifest names another signing key than the one that verified it.
    KeyMismatch {
        /// `key_id` in the manifest.
        named: KeyId,
        /// The key that verified the signature.
        used: KeyId,
    },
    /// The manifest expired.
    Expired {
        /// Its `expires` (Unix seconds).
        expires: u64,
        /// The `now` given.
        now: u64,
    },
    /// The device's model is not among the manifest's models.
    WrongModel {
        /// The device's model.
        model: Quoted,
    },
    /// The device's environment is not the manifest's.
    WrongEnvironment {
        /// The manifest's environment.
        expected: Quoted,
        /// The device's environment.
        found: Quoted,
    },
    /// The version is not above the device's anti-rollback counter (or running version).
    Rollback {
        /// The manifest's version.
        version: Quoted,
        /// The device value it does not exceed.
        floor: Quoted,
        /// `anti-rollback counter` or `running version`.
        floor_name: &'static str,
    },
    /// The device runs a version below the manifest's `min_sw_version`.
    BelowMinVersion {
        /// The device's running version.
        current: Quoted,
        /// The manifest's `min_sw_version`.
        min: Quoted,
    },
    /// A device fact is not a version of the manifest's scheme.
    DeviceVersion {
        /// `current_version` or `counter`.
        field: &'static str,
        /// The value given.
        value: Quoted,
        /// The manifest's scheme.
        scheme: Scheme,
        /// Why it was refused.
        kind: VersionErrorKind,
    },
    /// The image is longer or shorter than the manifest's size.
    SizeMismatch {
        /// The manifest's size.
        expected: u64,
        /// Bytes read (for a longer image: where reading stopped).
        got: u64,
        /// Whether the image is longer.
        longer: bool,
    },
    /// The image's SHA-256 differs from the manifest's.
    DigestMismatch,
    /// `now` is 0: the device has no clock and no time floor, so expiry cannot be checked
    /// (a freeze attack would pass).
    ClockUnset,
    /// The manifest's version is not a release of the signed catalog for this device (absent,
    /// another scheme, or not for the device's model or environment).
    NotInCatalog {
        /// The manifest's version.
        version: Quoted,
    },
    /// The signed catalog marks the manifest's release yanked.
    Yanked {
        /// The manifest's version.
        version: Quoted,
    },
    /// The signed catalog gives the release another SHA-256 than the manifest.
    CatalogDigestMismatch {
        /// The manifest's version.
        version: Quoted,
    },
    /// A manifest to write names no model ([`check_models`]). Writing manifests is a host's
    /// job: this and the next two variants are built with `alloc` only, so the device port's
    /// enum and its mapping to statuses stay as they were.
    #[cfg(feature = "alloc")]
    NoModels,
    /// A manifest to write lists `*` (every model) together with model names
    /// ([`check_models`]).
    #[cfg(feature = "alloc")]
    ModelsWildcardMixed,
    /// A model of a manifest to write is empty, listed twice, holds a `*`, or is not one word
    /// of printable ASCII ([`check_models`]).
    #[cfg(feature = "alloc")]
    BadModel {
        /// The model as given.
        model: Quoted,
        /// What is wrong with it.
        why: &'static str,
    },
}

impl ManifestError {
    /// Writes the message piece by piece (`Display` and `message` both write it).
    fn write_message(&self, s: &mut impl Sink) {
        match self {
            ManifestError::BadSignature { key_id } => {
                s.text("manifest signature does not verify with key ");
                key_id.write_hex(s);
            }
            ManifestError::Malformed { line, reason } => {
                s.text("manifest line ");
                s.decimal(*line as u64);
                s.text(": ");
                s.text(reason);
            }
            ManifestError::UnsupportedFormat { found } => {
                s.text("manifest format ");
                found.write_quoted(s);
                s.text(" is not supported (expected \"stepstone-manifest 1\")");
            }
            ManifestError::KeyMismatch { named, used } => {
                s.text("manifest names key ");
                named.write_hex(s);
                s.text(" but was verified with key ");
                used.write_hex(s);
            }
            ManifestError::Expired { expires, now } => {
                s.text("manifest expired at ");
                s.decimal(*expires);
                s.text(" (now is ");
                s.decimal(*now);
                s.text(")");
            }
            ManifestError::WrongModel { model } => {
                s.text("manifest is not for model ");
                model.write_quoted(s);
            }
            ManifestError::WrongEnvironment { expected, found } => {
                s.text("manifest is for environment ");
                expected.write_quoted(s);
                s.text(", not ");
                found.write_quoted(s);
            }
            ManifestError::Rollback {
                version,
                floor,
                floor_name,
            } => {
                s.text("manifest version ");
                version.write_plain(s);
                s.text(" is not above the device's ");
                s.text(floor_name);
                s.text(" ");
                floor.write_plain(s);
            }
            ManifestError::BelowMinVersion { current, min } => {
                s.text("device runs ");
                current.write_plain(s);
                s.text(", below this release's min_sw_version ");
                min.write_plain(s);
            }
            ManifestError::DeviceVersion {
                field,
                value,
                scheme,
                kind,
            } => {
                s.text("device ");
                s.text(field);
                s.text(" ");
                value.write_quoted(s);
                s.text(" is not ");
                s.text(scheme.with_article());
                s.text(" version: ");
                s.text(kind.text());
            }
            ManifestError::SizeMismatch {
                expected,
                got,
                longer,
            } => {
                s.text(if *longer {
                    "image is longer"
                } else {
                    "image is shorter"
                });
                s.text(" than the manifest's size ");
                s.decimal(*expected);
                s.text(" bytes (");
                s.decimal(*got);
                s.text(" bytes read)");
            }
            ManifestError::DigestMismatch => s.text("image SHA-256 differs from the manifest's"),
            ManifestError::ClockUnset => {
                s.text("now is 0 (clock not set): expiry cannot be checked")
            }
            ManifestError::NotInCatalog { version } => {
                s.text("manifest version ");
                version.write_plain(s);
                s.text(" is not a release of the catalog for this device");
            }
            ManifestError::Yanked { version } => {
                s.text("manifest version ");
                version.write_plain(s);
                s.text(" is yanked in the catalog");
            }
            ManifestError::CatalogDigestMismatch { version } => {
                s.text("manifest SHA-256 for ");
                version.write_plain(s);
                s.text(" differs from the catalog's");
            }
            #[cfg(feature = "alloc")]
            ManifestError::NoModels => {
                s.text("no model given: name one or more models, or * for every model")
            }
            #[cfg(feature = "alloc")]
            ManifestError::ModelsWildcardMixed => {
                s.text("* means every model and cannot be listed with model names")
            }
            #[cfg(feature = "alloc")]
            ManifestError::BadModel { model, why } => {
                s.text("model ");
                model.write_quoted(s);
                s.text(": ");
                s.text(why);
            }
        }
    }
}

message_from_sink!(ManifestError);

impl core::error::Error for ManifestError {}

impl Registered for ManifestError {
    fn registered(&self) -> Code {
        match self {
            ManifestError::BadSignature { .. } => codes::MANIFEST_BAD_SIGNATURE,
            ManifestError::Malformed { .. } => codes::MANIFEST_MALFORMED,
            ManifestError::UnsupportedFormat { .. } => codes::MANIFEST_UNSUPPORTED_FORMAT,
            ManifestError::KeyMismatch { .. } => codes::MANIFEST_KEY_MISMATCH,
            ManifestError::Expired { .. } => codes::MANIFEST_EXPIRED,
            ManifestError::WrongModel { .. } => codes::MANIFEST_WRONG_MODEL,
            ManifestError::WrongEnvironment { .. } => codes::MANIFEST_WRONG_ENVIRONMENT,
            ManifestError::Rollback { .. } => codes::MANIFEST_ROLLBACK,
            ManifestError::BelowMinVersion { .. } => codes::MANIFEST_BELOW_MIN_VERSION,
            ManifestError::DeviceVersion { .. } => codes::MANIFEST_DEVICE_VERSION,
            ManifestError::SizeMismatch { .. } => codes::MANIFEST_SIZE_MISMATCH,
            ManifestError::DigestMismatch => codes::MANIFEST_DIGEST_MISMATCH,
            ManifestError::ClockUnset => codes::MANIFEST_CLOCK_UNSET,
            ManifestError::NotInCatalog { .. } => codes::MANIFEST_NOT_IN_CATALOG,
            ManifestError::Yanked { .. } => codes::MANIFEST_YANKED,
            ManifestError::CatalogDigestMismatch { .. } => codes::MANIFEST_CATALOG_DIGEST_MISMATCH,
            #[cfg(feature = "alloc")]
            ManifestError::NoModels => codes::MANIFEST_NO_MODELS,
            #[cfg(feature = "alloc")]
            ManifestError::ModelsWildcardMixed => codes::MANIFEST_MODELS_WILDCARD_MIXED,
            #[cfg(feature = "alloc")]
            ManifestError::BadModel { .. } => codes::MANIFEST_BAD_MODEL,
        }
    }
}

impl ErrorCode for ManifestError {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

/// Reading `key value` lines, shared with the signed catalog header.
pub(crate) mod lines {
    use crate::error::detail;

    /// One `key value` line: its 1-based number, key and value.
    pub(crate) struct Line<'a> {
        pub(crate) number: usize,
        pub(crate) key: &'a str,
        pub(crate) value: &'a str,
    }

    /// Splits `text` (already checked to be ASCII) into `key value` lines. Every line must end
    /// with `\n`; key and value are separated by exactly one space; the value is non-empty and
    /// neither starts nor ends with a space.
    pub(crate) fn split(
        text: &str,
    ) -> impl Iterator<Item = Result<Line<'_>, (usize, &'static str)>> {
        let body = text.strip_suffix('\n');
        let body_ok = body.is_some();
        let mut iter = body.unwrap_or(text).split('\n').enumerate();
        let mut failed = false;
        core::iter::from_fn(move || {
            if failed {
                return None;
            }
            if !body_ok {
                failed = true;
                return Some(Err((0, detail!("the last line must end with a line feed"))));
            }
            let (i, line) = iter.next()?;
            let number = i + 1;
            let parsed = match line.split_once(' ') {
                None => Err((number, detail!("expected `key value`"))),
                Some((key, value)) => {
                    if key.is_empty() || value.is_empty() {
                        Err((number, detail!("empty key or value")))
                    } else if value.starts_with(' ') || value.ends_with(' ') {
                        Err((number, detail!("value starts or ends with a space")))
                    } else {
                        Ok(Line { number, key, value })
                    }
                }
            };
            failed = parsed.is_err();
            Some(parsed)
        })
    }

    /// A decimal `u64` with no sign, no leading zeros (except `0` itself), no spaces.
    pub(crate) fn decimal(value: &str) -> Option<u64> {
        if value.is_empty()
            || (value.len() > 1 && value.starts_with('0'))
            || !value.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        value.parse().ok()
    }

    /// Exactly 64 lowercase hex digits.
    pub(crate) fn hex32(value: &str) -> Option<[u8; 32]> {
        if value.len() != 64
            || !value
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        let mut out = [0u8; 32];
        base16ct::lower::decode(value, &mut out).ok()?;
        Some(out)
    }

    /// Checks the document is ASCII text with no control characters but `\n`, within `max`.
    pub(crate) fn ascii_text(bytes: &[u8], max: usize) -> Result<&str, (usize, &'static str)> {
        if bytes.len() > max {
            return Err((0, detail!("longer than the maximum size")));
        }
        let mut line = 1usize;
        for &b in bytes {
            if b == b'\n' {
                line += 1;
            } else if !(0x20..0x7f).contains(&b) {
                return Err((
                    line,
                    detail!(
                        "only printable ASCII and line feeds are allowed (no CR, tab or UTF-8)"
                    ),
                ));
            }
        }
        core::str::from_utf8(bytes).map_err(|_| (0, detail!("not ASCII")))
    }
}

/// The models a manifest is for: one or more names, or `*` for every model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Models<'a> {
    text: &'a str,
}

impl<'a> Models<'a> {
    /// Whether the manifest is for every model (`models *`).
    pub fn is_any(&self) -> bool {
        self.text == "*"
    }

    /// The model names (just `*` for every model).
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.text.split(' ')
    }

    /// Whether `model` may install this release.
    pub fn contains(&self, model: &str) -> bool {
        self.is_any() || self.iter().any(|m| m == model)
    }

    /// The `models` value as written.
    pub fn as_str(&self) -> &'a str {
        self.text
    }
}

/// A parsed manifest, borrowing from its bytes. Obtain one with [`verify`]; [`Manifest::parse`]
/// alone does not check the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Manifest<'a> {
    /// The version scheme of `version` and `min_sw_version` (and of the device's versions).
    pub scheme: Scheme,
    /// The release's version, as spelled.
    pub version: &'a str,
    /// The lowest version a device must run to install this release, if any.
    pub min_sw_version: Option<&'a str>,
    /// The image's exact size in bytes.
    pub size: u64,
    /// The image's SHA-256.
    pub sha256: Digest,
    /// The models it is for.
    pub models: Models<'a>,
    /// The environment it is for (`production`, `staging`, ...).
    pub environment: &'a str,
    /// Unix seconds from which the manifest is refused.
    pub expires: u64,
    /// The id of the key that signs it.
    pub key_id: KeyId,
}

/// What a device knows about itself, as [`Manifest::check_device`] needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device<'a> {
    /// The device's model.
    pub model: &'a str,
    /// The device's environment.
    pub environment: &'a str,
    /// The version it runs.
    pub current_version: &'a str,
    /// Its anti-rollback counter: the highest version it ever accepted (at least
    /// `current_version`). Stored by the device and raised after each install.
    pub counter: &'a str,
    /// Now, in Unix seconds (core has no clock). 0 is refused (`manifest.clock_unset`); a
    /// device without a real-time clock passes its time floor (the highest `issued` of the
    /// signed catalogs it accepted).
    pub now: u64,
}

/// What a device learns from a verified manifest and image: what it stores after installing
/// (the version is its new anti-rollback counter). JSON (feature `serde`):
/// `{"version", "size", "sha256", "key_id", "expires"}` with the digests as lowercase hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Verified<'a> {
    /// The release's version, as spelled.
    pub version: &'a str,
    /// The image's size in bytes.
    pub size: u64,
    /// The image's SHA-256.
    #[cfg_attr(feature = "serde", serde(with = "crate::wire::hex32"))]
    pub sha256: Digest,
    /// The id of the key that signed the manifest.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::wire::key_id::serialize")
    )]
    pub key_id: KeyId,
    /// When the manifest expires, Unix seconds.
    pub expires: u64,
}

fn malformed(line: usize, reason: &'static str) -> ManifestError {
    ManifestError::Malformed { line, reason }
}

fn is_token(value: &str) -> bool {
    !value.is_empty() && !value.contains(' ')
}

/// The fields in their required order; `min_sw_version` is the only optional one.
const FIELDS: [&str; 9] = [
    "scheme",
    "version",
    "min_sw_version",
    "size",
    "sha256",
    "models",
    "environment",
    "expires",
    "key_id",
];

impl<'a> Manifest<'a> {
    /// Parses manifest bytes **without checking the signature**: use [`verify`] on a device.
    pub fn parse(bytes: &'a [u8]) -> Result<Manifest<'a>, ManifestError> {
        let text = lines::ascii_text(bytes, MAX_MANIFEST_LEN).map_err(|(l, r)| malformed(l, r))?;
        let mut it = lines::split(text);
        let first = it
            .next()
            .ok_or(malformed(1, detail!("empty manifest")))?
            .map_err(|(l, r)| match l {
                0 => malformed(l, r),
                _ => ManifestError::UnsupportedFormat {
                    found: Quoted::new(text.split('\n').next().unwrap_or("")),
                },
            })?;
        if first.key != MAGIC || first.value != "1" {
            let found = text.split('\n').next().unwrap_or("");
            return Err(ManifestError::UnsupportedFormat {
                found: Quoted::new(found),
            });
        }
        let mut m = Manifest {
            scheme: Scheme::Integer,
            version: "",
            min_sw_version: None,
            size: 0,
            sha256: [0; 32],
            models: Models { text: "" },
            environment: "",
            expires: 0,
            key_id: KeyId([0; 32]),
        };
        let mut next_field = 0usize;
        for line in it {
            let line = line.map_err(|(l, r)| malformed(l, r))?;
            // Find the field among those still allowed, skipping only optional ones.
            let mut found = None;
            while let Some(&name) = FIELDS.get(next_field) {
                next_field += 1;
                if name == line.key {
                    found = Some(name);
                    break;
                }
                if name != "min_sw_version" {
                    break;
                }
            }
            let Some(name) = found else {
                return Err(if FIELDS.contains(&line.key) {
                    malformed(
                        line.number,
                        detail!(
                            "field out of order, repeated, or a required field before it is missing"
                        ),
                    )
                } else {
                    malformed(line.number, detail!("unknown field"))
                });
            };
            let n = line.number;
            let v = line.value;
            match name {
                "scheme" => {
                    m.scheme = Scheme::from_name(v).ok_or(malformed(
                        n,
                        detail!("scheme is not integer, semver or dotted"),
                    ))?
                }
                "version" => {
                    version::check(v, m.scheme).map_err(|_| {
                        malformed(n, detail!("version is not a version of the scheme"))
                    })?;
                    m.version = v;
                }
                "min_sw_version" => {
                    let o = version::compare(v, m.version, m.scheme).map_err(|_| {
                        malformed(n, detail!("min_sw_version is not a version of the scheme"))
                    })?;
                    if o != Ordering::Less {
                        return Err(malformed(n, detail!("min_sw_version is not below version")));
                    }
                    m.min_sw_version = Some(v);
                }
                "size" => {
                    m.size = lines::decimal(v)
                        .ok_or(malformed(n, detail!("size is not a decimal integer")))?
                }
                "sha256" => {
                    m.sha256 = lines::hex32(v).ok_or(malformed(
                        n,
                        detail!("sha256 is not 64 lowercase hex digits"),
                    ))?
                }
                "models" => {
                    let models = Models { text: v };
                    if models.iter().any(|m| m.is_empty()) || (v.contains('*') && v != "*") {
                        return Err(malformed(
                            n,
                            detail!(
                                "models must be names separated by single spaces, or `*` alone"
                            ),
                        ));
                    }
                    m.models = models;
                }
                "environment" => {
                    if !is_token(v) {
                        return Err(malformed(n, detail!("environment must be one word")));
                    }
                    m.environment = v;
                }
                "expires" => {
                    m.expires = lines::decimal(v)
                        .ok_or(malformed(n, detail!("expires is not decimal Unix seconds")))?
                }
                _ => {
                    m.key_id = KeyId(lines::hex32(v).ok_or(malformed(
                        n,
                        detail!("key_id is not 64 lowercase hex digits"),
                    ))?);
                }
            }
        }
        if next_field < FIELDS.len() {
            return Err(malformed(
                0,
                detail!(
                    "required fields missing (scheme, version, size, sha256, models, environment, expires, key_id)"
                ),
            ));
        }
        Ok(m)
    }

    /// The facts a device keeps once the image checks out.
    pub fn verified(&self) -> Verified<'a> {
        Verified {
            version: self.version,
            size: self.size,
            sha256: self.sha256,
            key_id: self.key_id,
            expires: self.expires,
        }
    }

    /// Binds the manifest to a signed catalog the device opened (mix-and-match): its version
    /// must be a release of the catalog, for the device's model and environment
    /// (`manifest.not_in_catalog`), not yanked (`manifest.yanked`), and with the catalog's
    /// SHA-256 when the catalog has one (`manifest.catalog_digest_mismatch`).
    pub fn check_catalog(
        &self,
        catalog: &crate::compact::CompactCatalog<'_>,
        device: &Device<'_>,
    ) -> Result<(), ManifestError> {
        let version = || Quoted::new(self.version);
        let packed_for_other = catalog.model().is_some_and(|m| m != device.model)
            || catalog
                .environment()
                .is_some_and(|e| e != device.environment);
        let facts = catalog
            .release(self.version)
            .filter(|f| {
                catalog.scheme() == self.scheme
                    && !packed_for_other
                    && !f.not_for_model
                    && !f.not_for_environment
            })
            .ok_or_else(|| ManifestError::NotInCatalog { version: version() })?;
        if facts.yanked {
            return Err(ManifestError::Yanked { version: version() });
        }
        if facts.sha256.is_some_and(|d| *d != self.sha256) {
            return Err(ManifestError::CatalogDigestMismatch { version: version() });
        }
        Ok(())
    }

    /// Checks an image's length and SHA-256, computed elsewhere, against the manifest's.
    pub fn check_digest(&self, len: u64, digest: &Digest) -> Result<(), ManifestError> {
        if len != self.size {
            return Err(ManifestError::SizeMismatch {
                expected: self.size,
                got: len,
                longer: len > self.size,
            });
        }
        if *digest != self.sha256 {
            return Err(ManifestError::DigestMismatch);
        }
        Ok(())
    }

    /// Checks the manifest against a device: a set clock, expiry, model, environment,
    /// anti-rollback and minimum installed version, in that order, each with its own error.
    pub fn check_device(&self, device: &Device<'_>) -> Result<(), ManifestError> {
        if device.now == 0 {
            return Err(ManifestError::ClockUnset);
        }
        if device.now >= self.expires {
            return Err(ManifestError::Expired {
                expires: self.expires,
                now: device.now,
            });
        }
        if !self.models.contains(device.model) {
            return Err(ManifestError::WrongModel {
                model: Quoted::new(device.model),
            });
        }
        if device.environment != self.environment {
            return Err(ManifestError::WrongEnvironment {
                expected: Quoted::new(self.environment),
                found: Quoted::new(device.environment),
            });
        }
        let cmp = |field: &'static str, value: &str| {
            version::compare(self.version, value, self.scheme).map_err(|kind| {
                ManifestError::DeviceVersion {
                    field,
                    value: Quoted::new(value),
                    scheme: self.scheme,
                    kind,
                }
            })
        };
        for (field, floor, floor_name) in [
            (
                detail!("counter"),
                device.counter,
                detail!("anti-rollback counter"),
            ),
            (
                detail!("current_version"),
                device.current_version,
                detail!("running version"),
            ),
        ] {
            if cmp(field, floor)? != Ordering::Greater {
                return Err(ManifestError::Rollback {
                    version: Quoted::new(self.version),
                    floor: Quoted::new(floor),
                    floor_name,
                });
            }
        }
        if let Some(min) = self.min_sw_version {
            // `min` was checked against the scheme when parsing.
            let below = version::compare(device.current_version, min, self.scheme)
                .map(|o| o == Ordering::Less);
            if below.unwrap_or(true) {
                return Err(ManifestError::BelowMinVersion {
                    current: Quoted::new(device.current_version),
                    min: Quoted::new(min),
                });
            }
        }
        Ok(())
    }

    /// Starts checking a streamed image against the manifest's size and digest.
    pub fn image_check(&self) -> ImageCheck {
        ImageCheck {
            size: self.size,
            sha256: self.sha256,
            hasher: ImageHasher::new(),
            overflowed: false,
        }
    }

    /// Checks an image already streamed through `hasher` (as a device's verify context does)
    /// against the manifest's size and digest: [`ImageCheck::finish`] on those bytes.
    pub fn check_image(&self, hasher: ImageHasher) -> Result<Digest, ManifestError> {
        ImageCheck {
            size: self.size,
            sha256: self.sha256,
            hasher,
            overflowed: false,
        }
        .finish()
    }
}

/// Verifies a manifest: the detached `signature` over its exact bytes with `key`, then its
/// format, then that its `key_id` names `key`.
pub fn verify<'a>(
    bytes: &'a [u8],
    signature: &Signature,
    key: &PublicKey,
) -> Result<Manifest<'a>, ManifestError> {
    verify_as(bytes, Some(signature), key, key.key_id())
}

/// [`verify`] with the key's id computed once (`used`); a signature that could not be read
/// (`None`) is `manifest.bad_signature`, like one that does not verify.
fn verify_as<'a>(
    bytes: &'a [u8],
    signature: Option<&Signature>,
    key: &PublicKey,
    used: KeyId,
) -> Result<Manifest<'a>, ManifestError> {
    let bad = ManifestError::BadSignature { key_id: used };
    let signature = signature.ok_or(bad)?;
    key.verify(bytes, signature).map_err(|_| bad)?;
    let m = Manifest::parse(bytes)?;
    if m.key_id != used {
        return Err(ManifestError::KeyMismatch {
            named: m.key_id,
            used,
        });
    }
    Ok(m)
}

/// The whole manifest-first check a device makes before the first image byte, in order: the
/// signature over the exact bytes with the pinned manifest `key` (signature still encoded:
/// DER, raw, hex or base64), the format and key id ([`verify`]), the device
/// ([`Manifest::check_device`]), and, when the device opened a signed catalog, the binding to
/// it ([`Manifest::check_catalog`]). Then stream the image through [`Manifest::image_check`]
/// and keep [`Manifest::verified`].
pub fn verify_for_device<'a>(
    bytes: &'a [u8],
    signature: &[u8],
    key: &PublicKey,
    device: &Device<'_>,
    catalog: Option<&crate::compact::CompactCatalog<'_>>,
) -> Result<Manifest<'a>, ManifestError> {
    let m = verify_encoded(bytes, signature, key)?;
    m.check_device(device)?;
    if let Some(c) = catalog {
        m.check_catalog(c, device)?;
    }
    Ok(m)
}

/// Like [`verify`], with the signature still encoded (DER, raw, hex or base64): a malformed
/// signature is `manifest.bad_signature`, like one that does not verify.
pub fn verify_encoded<'a>(
    bytes: &'a [u8],
    signature: &[u8],
    key: &PublicKey,
) -> Result<Manifest<'a>, ManifestError> {
    let sig = Signature::parse(signature).map_err(|_| ManifestError::BadSignature {
        key_id: key.key_id(),
    })?;
    verify(bytes, &sig, key)
}

/// Like [`verify_encoded`], with the signature in binary form only (strict DER or raw `r‖s`,
/// read by [`Signature::parse_binary`]): no hex or base64 text. What the device port calls.
pub fn verify_binary<'a>(
    bytes: &'a [u8],
    signature: &[u8],
    key: &PublicKey,
) -> Result<Manifest<'a>, ManifestError> {
    let sig = Signature::parse_binary(signature).ok();
    verify_as(bytes, sig.as_ref(), key, key.key_id())
}

/// Checks a streamed image against a manifest's size and SHA-256.
///
/// [`ImageCheck::update`] refuses a chunk that would take the image past the declared size,
/// without hashing it, so a reader stops there (no endless-data attack); [`ImageCheck::remaining`]
/// tells how much more to read.
#[derive(Clone, Debug)]
pub struct ImageCheck {
    size: u64,
    sha256: Digest,
    hasher: ImageHasher,
    /// A chunk went past the declared size: every later call is refused (a smaller chunk
    /// after a refused one must not slip through).
    overflowed: bool,
}

impl ImageCheck {
    /// Feeds the next chunk; an error as soon as the image is longer than declared, and for
    /// every call after that.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), ManifestError> {
        let got = self.hasher.len().saturating_add(chunk.len() as u64);
        if self.overflowed || got > self.size {
            self.overflowed = true;
            return Err(ManifestError::SizeMismatch {
                expected: self.size,
                got: got.max(self.size.saturating_add(1)),
                longer: true,
            });
        }
        self.hasher.update(chunk);
        Ok(())
    }

    /// Bytes still expected.
    pub fn remaining(&self) -> u64 {
        self.size.saturating_sub(self.hasher.len())
    }

    /// Ends the image: an error if it is shorter than declared or its digest differs; else
    /// its digest.
    pub fn finish(self) -> Result<Digest, ManifestError> {
        let got = self.hasher.len();
        if self.overflowed {
            return Err(ManifestError::SizeMismatch {
                expected: self.size,
                got: self.size.saturating_add(1),
                longer: true,
            });
        }
        if got != self.size {
            return Err(ManifestError::SizeMismatch {
                expected: self.size,
                got,
                longer: got > self.size,
            });
        }
        let digest = self.hasher.finish();
        if digest != self.sha256 {
            return Err(ManifestError::DigestMismatch);
        }
        Ok(digest)
    }
}

/// Checks the models of a manifest to write, as every writer applies them (the CLI's
/// `manifest create --models`, Python's `render_manifest`, [`ManifestFields::render`]): at
/// least one (`manifest.no_models`); `*` alone means every model and is not listed with names
/// (`manifest.models_wildcard_mixed`); each name one word of printable ASCII (`!` to `~`), no
/// `*` and no `,` in it, not listed twice (`manifest.bad_model`, naming the model and why).
///
/// ```
/// use stepstone::ErrorCode;
/// use stepstone::manifest::check_models;
/// assert!(check_models(&["AG-1", "AG-2"]).is_ok());
/// assert!(check_models(&["*"]).is_ok());
/// let code = |models: &[&str]| check_models(models).unwrap_err().code();
/// assert_eq!(code(&[]), "manifest.no_models");
/// assert_eq!(code(&["*", "AG-1"]), "manifest.models_wildcard_mixed");
/// assert_eq!(code(&["AG 1"]), "manifest.bad_model");
/// assert_eq!(check_models(&["AG-1", "AG-1"]).unwrap_err().to_string(),
///            r#"model "AG-1": listed twice"#);
/// ```
#[cfg(feature = "alloc")]
pub fn check_models<S: AsRef<str>>(models: &[S]) -> Result<(), ManifestError> {
    if models.is_empty() {
        return Err(ManifestError::NoModels);
    }
    if models.len() > 1 && models.iter().any(|m| m.as_ref() == "*") {
        return Err(ManifestError::ModelsWildcardMixed);
    }
    for (i, name) in models.iter().enumerate() {
        let name = name.as_ref();
        let bad = |why| ManifestError::BadModel {
            model: Quoted::new(name),
            why,
        };
        if name.is_empty() {
            return Err(bad(detail!("empty name")));
        }
        if name != "*" && name.contains('*') {
            return Err(bad(detail!("* may only stand alone, for every model")));
        }
        if !name.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err(bad(detail!("a name is printable ASCII without spaces")));
        }
        if name.contains(',') {
            // `["AG-1,AG-2"]` meant two models; a device model with a comma is none anyone has.
            return Err(bad(detail!(
                "a name has no comma (give each model as its own name)"
            )));
        }
        if models
            .get(..i)
            .is_some_and(|before| before.iter().any(|m| m.as_ref() == name))
        {
            return Err(bad(detail!("listed twice")));
        }
    }
    Ok(())
}

/// The models of a comma-separated list (`AG-1,AG-2`, or `*`), as the CLI's `--models` takes
/// them, checked by [`check_models`] (an empty list is `manifest.no_models`; an empty name,
/// from two commas in a row or one at an end, is `manifest.bad_model`).
///
/// ```
/// use stepstone::ErrorCode;
/// use stepstone::manifest::models_from_list;
/// assert_eq!(models_from_list("AG-1,AG-2").unwrap(), ["AG-1", "AG-2"]);
/// assert_eq!(models_from_list("").unwrap_err().code(), "manifest.no_models");
/// assert_eq!(models_from_list("AG-1,,AG-2").unwrap_err().to_string(),
///            r#"model "": empty name (two commas in a row, or a comma at an end)"#);
/// ```
#[cfg(feature = "alloc")]
pub fn models_from_list(
    text: &str,
) -> Result<alloc::vec::Vec<alloc::string::String>, ManifestError> {
    let models: alloc::vec::Vec<alloc::string::String> = if text.is_empty() {
        alloc::vec::Vec::new()
    } else {
        text.split(',').map(alloc::string::String::from).collect()
    };
    match check_models(&models) {
        // In a list, an empty name is where the commas are wrong: say so.
        Err(ManifestError::BadModel { model, .. }) if model.as_str().is_empty() => {
            Err(ManifestError::BadModel {
                model,
                why: detail!("empty name (two commas in a row, or a comma at an end)"),
            })
        }
        checked => checked.map(|()| models),
    }
}

/// The fields of a manifest to write (feature `alloc`): [`ManifestFields::render`] gives the
/// exact bytes to sign.
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestFields {
    /// Version scheme.
    pub scheme: Scheme,
    /// Release version.
    pub version: alloc::string::String,
    /// Lowest version a device must run, if any.
    pub min_sw_version: Option<alloc::string::String>,
    /// Image size in bytes.
    pub size: u64,
    /// Image SHA-256.
    pub sha256: Digest,
    /// Models (`["*"]` for every model).
    pub models: alloc::vec::Vec<alloc::string::String>,
    /// Environment.
    pub environment: alloc::string::String,
    /// Expiry, Unix seconds.
    pub expires: u64,
    /// Signing key id.
    pub key_id: KeyId,
}

/// The fields a parsed manifest was written from: rendering them gives its bytes back, when
/// its models pass the writer's rules ([`check_models`]).
#[cfg(feature = "alloc")]
impl From<&Manifest<'_>> for ManifestFields {
    fn from(m: &Manifest<'_>) -> ManifestFields {
        ManifestFields {
            scheme: m.scheme,
            version: m.version.into(),
            min_sw_version: m.min_sw_version.map(Into::into),
            size: m.size,
            sha256: m.sha256,
            models: m.models.iter().map(Into::into).collect(),
            environment: m.environment.into(),
            expires: m.expires,
            key_id: m.key_id,
        }
    }
}

#[cfg(feature = "alloc")]
impl ManifestFields {
    /// The manifest text, checked by parsing it back; the models first by [`check_models`].
    pub fn render(&self) -> Result<alloc::string::String, ManifestError> {
        use core::fmt::Write as _;
        check_models(&self.models)?;
        let mut s = alloc::string::String::new();
        let hex = |d: &[u8; 32]| {
            let mut h = alloc::string::String::with_capacity(64);
            for b in d {
                let _ = write!(h, "{b:02x}");
            }
            h
        };
        let _ = writeln!(s, "{MAGIC} {FORMAT_VERSION}");
        let _ = writeln!(s, "scheme {}", self.scheme.name());
        let _ = writeln!(s, "version {}", self.version);
        if let Some(min) = &self.min_sw_version {
            let _ = writeln!(s, "min_sw_version {min}");
        }
        let _ = writeln!(s, "size {}", self.size);
        let _ = writeln!(s, "sha256 {}", hex(&self.sha256));
        let _ = writeln!(s, "models {}", self.models.join(" "));
        let _ = writeln!(s, "environment {}", self.environment);
        let _ = writeln!(s, "expires {}", self.expires);
        let _ = writeln!(s, "key_id {}", hex(&self.key_id.0));
        let parsed = Manifest::parse(s.as_bytes())?;
        // The names are joined with spaces: one with a space in it would read back as two
        // models (`["AG 1"]` signed as `models AG 1`, which a device of model `1` accepts).
        if !parsed
            .models
            .iter()
            .eq(self.models.iter().map(|m| m.as_str()))
        {
            let line = if self.min_sw_version.is_some() { 7 } else { 6 };
            return Err(malformed(
                line,
                detail!("a model name must be one word (no spaces), and `*` only alone"),
            ));
        }
        Ok(s)
    }
}

/// A key, manifest and signature for doc examples (the image is `b"firmware image bytes"`).
#[doc(hidden)]
pub fn doc_example() -> (&'static [u8], &'static [u8], &'static [u8]) {
    (
        crate::signature::doc_example().0,
        DOC_MANIFEST,
        DOC_MANIFEST_SIG,
    )
}

const DOC_MANIFEST: &[u8] = b"stepstone-manifest 1
scheme integer
version v66003
min_sw_version v66000
size 20
sha256 e76368252dedf5db84fbc5a233cc102f4f909dd336748944e572d0fb5b438970
models AG-1 AG-2
environment production
expires 1900000000
key_id 8bebe36f07a8fe0419aecc8619bb5b75297e30243e3ceb0609bfc71dd22de78b
";
const DOC_MANIFEST_SIG: &[u8] = b"3044022010916f6817691cb80bb2212b6c6271bbc402cd2b7b2a56866e6217454c65938702205639f52e63322f938c948f357e97c91520b06d7c098a5ca80cf4f043172d2cf9";

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed() -> Manifest<'static> {
        let (key, text, sig) = doc_example();
        let key = PublicKey::parse(key).unwrap();
        verify(text, &Signature::parse(sig).unwrap(), &key).unwrap()
    }

    fn device() -> Device<'static> {
        Device {
            model: "AG-1",
            environment: "production",
            current_version: "v66000",
            counter: "v66000",
            now: 1_700_000_000,
        }
    }

    #[test]
    fn binary_signatures_only_for_verify_binary() {
        use crate::signature::SignatureFormat;
        let (key, text, sig) = doc_example();
        let key = PublicKey::parse(key).unwrap();
        let sig = Signature::parse(sig).unwrap();
        for f in [SignatureFormat::Der, SignatureFormat::Raw] {
            assert_eq!(
                verify_binary(text, sig.encode(f).as_bytes(), &key),
                Ok(parsed())
            );
        }
        let hex = sig.encode(SignatureFormat::Hex);
        assert!(verify_encoded(text, hex.as_bytes(), &key).is_ok());
        assert_eq!(
            verify_binary(text, hex.as_bytes(), &key).map_err(|e| e.code()),
            Err("manifest.bad_signature")
        );
    }

    #[test]
    fn each_refusal_has_its_code() {
        let m = parsed();
        assert_eq!(m.check_device(&device()), Ok(()));
        let cases: [(Device<'_>, &str); 7] = [
            (
                Device {
                    now: 1_900_000_000,
                    ..device()
                },
                "manifest.expired",
            ),
            (
                Device {
                    model: "AG-9",
                    ..device()
                },
                "manifest.wrong_model",
            ),
            (
                Device {
                    environment: "staging",
                    ..device()
                },
                "manifest.wrong_environment",
            ),
            (
                Device {
                    counter: "v66003",
                    ..device()
                },
                "manifest.rollback",
            ),
            (
                Device {
                    current_version: "v67000",
                    counter: "v67000",
                    ..device()
                },
                "manifest.rollback",
            ),
            (
                Device {
                    current_version: "v65000",
                    counter: "v65000",
                    ..device()
                },
                "manifest.below_min_version",
            ),
            (
                Device {
                    counter: "x",
                    ..device()
                },
                "manifest.device_version",
            ),
        ];
        for (d, code) in cases {
            assert_eq!(m.check_device(&d).unwrap_err().code(), code, "{d:?}");
        }
    }

    #[test]
    fn the_device_model_and_environment_are_quoted_so_an_empty_one_shows() {
        use alloc::string::ToString;
        let m = parsed();
        let refusal = |d: Device<'_>| m.check_device(&d).unwrap_err().to_string();
        assert_eq!(
            refusal(Device {
                model: "",
                ..device()
            }),
            r#"manifest is not for model """#
        );
        assert_eq!(
            refusal(Device {
                model: "AG \"9\"",
                ..device()
            }),
            r#"manifest is not for model "AG \"9\"""#
        );
        assert_eq!(
            refusal(Device {
                environment: "",
                ..device()
            }),
            r#"manifest is for environment "production", not """#
        );
    }

    #[test]
    fn image_size_and_digest() {
        let m = parsed();
        let mut c = m.image_check();
        c.update(b"firmware image bytes").unwrap();
        assert_eq!(c.remaining(), 0);
        let err = c.clone().update(b"!").unwrap_err();
        assert_eq!(
            err,
            ManifestError::SizeMismatch {
                expected: 20,
                got: 21,
                longer: true
            }
        );
        c.finish().unwrap();
        let mut c = m.image_check();
        c.update(b"firmware image byte").unwrap();
        assert_eq!(c.finish().unwrap_err().code(), "manifest.size_mismatch");
        let mut c = m.image_check();
        c.update(b"firmware image byteS").unwrap();
        assert_eq!(c.finish().unwrap_err(), ManifestError::DigestMismatch);
    }

    #[test]
    fn format_is_strict() {
        let (_, text, _) = doc_example();
        let text = core::str::from_utf8(text).unwrap();
        let bad = |t: &str| Manifest::parse(t.as_bytes()).unwrap_err().code();
        assert_eq!(
            bad(&text.replace("stepstone-manifest 1", "stepstone-manifest 2")),
            "manifest.unsupported_format"
        );
        assert_eq!(bad(&text.replace("size 20\n", "")), "manifest.malformed");
        assert_eq!(
            bad(&text.replace("size 20\n", "size 020\n")),
            "manifest.malformed"
        );
        assert_eq!(
            bad(&text.replace("size 20\n", "size 20\nsize 20\n")),
            "manifest.malformed"
        );
        assert_eq!(bad(&text.replace("\n", "\r\n")), "manifest.malformed");
        assert_eq!(bad(text.trim_end()), "manifest.malformed");
        assert_eq!(
            bad(&text.replace("models AG-1 AG-2", "models AG-1  AG-2")),
            "manifest.malformed"
        );
        assert_eq!(bad(&text.replace("v66000", "v66003")), "manifest.malformed");
        assert_eq!(bad(&std::format!("{text}extra 1\n")), "manifest.malformed");
        // min_sw_version is optional
        let without_min = text.replace("min_sw_version v66000\n", "");
        let m = Manifest::parse(without_min.as_bytes()).unwrap();
        assert_eq!(m.min_sw_version, None);
    }

    /// Found by the `manifest` fuzz target: the reader takes a model listed twice (a device
    /// matches it either way), the writer does not sign one (`check_models`). A parsed
    /// manifest that breaks the writer's rules is refused by `render` with the same error.
    #[test]
    fn a_parsed_manifest_the_writer_would_not_sign_is_refused_not_rewritten() {
        let text = "stepstone-manifest 1\nscheme integer\nversion v66003\nsize 20\n\
            sha256 e76368252dedf5db84fbc5a233cc102f4f909dd336748944e572d0fb5b438970\n\
            models AG-2 AG-2\nenvironment production\nexpires 1900000000\n\
            key_id 8bebe36f07a8fe0419aecc8619bb5b75297e30243e3ceb0609bfc71dd22de78b\n";
        let m = Manifest::parse(text.as_bytes()).unwrap();
        let fields = ManifestFields::from(&m);
        let refused = check_models(&fields.models).unwrap_err();
        assert_eq!(refused.code(), "manifest.bad_model");
        assert_eq!(fields.render().unwrap_err(), refused);
    }

    #[test]
    fn rendering_round_trips() {
        let m = parsed();
        let f = ManifestFields::from(&m);
        assert_eq!(f.render().unwrap().as_bytes(), doc_example().1);
    }

    #[test]
    fn a_model_name_with_a_space_is_refused_not_split() {
        let m = parsed();
        let mut f = ManifestFields {
            scheme: m.scheme,
            version: m.version.into(),
            min_sw_version: m.min_sw_version.map(Into::into),
            size: m.size,
            sha256: m.sha256,
            models: alloc::vec!["AG 1".into()],
            environment: m.environment.into(),
            expires: m.expires,
            key_id: m.key_id,
        };
        let e = f.render().unwrap_err();
        assert!(
            matches!(e, ManifestError::BadModel { why, .. } if why == "a name is printable ASCII without spaces"),
            "{e:?}"
        );
        // Every writer's models go through the one check.
        for (models, code) in [
            (alloc::vec![], "manifest.no_models"),
            (
                alloc::vec!["*".into(), "AG-1".into()],
                "manifest.models_wildcard_mixed",
            ),
            (
                alloc::vec!["AG-1".into(), "AG-1".into()],
                "manifest.bad_model",
            ),
            (alloc::vec!["AG-1,AG-2".into()], "manifest.bad_model"),
        ] {
            f.models = models;
            assert_eq!(f.render().unwrap_err().code(), code);
        }
        f.models = alloc::vec!["AG-1".into(), "AG-2".into()];
        assert!(f.render().unwrap().contains("\nmodels AG-1 AG-2\n"));
        f.models = alloc::vec!["*".into()];
        assert!(f.render().unwrap().contains("\nmodels *\n"));
    }
}

/// The messages of [`ManifestError`], word for word those its `#[error(...)]` attributes wrote
/// before `write_message` (with the quoting the crate used then).
#[cfg(all(test, feature = "std"))]
mod message_tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn hex(id: &KeyId) -> String {
        id.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// `Quoted`'s `Display` as it was: the text, `…` when cut.
    fn plain(q: &Quoted) -> String {
        format!("{}{}", q.as_str(), if q.cut { "…" } else { "" })
    }

    /// `Quoted`'s `Debug` as it was: the crate's small quoting of the text.
    fn debug(q: &Quoted) -> String {
        format!("{}", crate::error::Quoted(q.as_str()))
    }

    /// The `#[error(...)]` attributes' format strings.
    fn before(e: &ManifestError) -> String {
        match e {
            ManifestError::BadSignature { key_id } => {
                format!(
                    "manifest signature does not verify with key {}",
                    hex(key_id)
                )
            }
            ManifestError::Malformed { line, reason } => format!("manifest line {line}: {reason}"),
            ManifestError::UnsupportedFormat { found } => format!(
                "manifest format {} is not supported (expected \"stepstone-manifest 1\")",
                debug(found)
            ),
            ManifestError::KeyMismatch { named, used } => format!(
                "manifest names key {} but was verified with key {}",
                hex(named),
                hex(used)
            ),
            ManifestError::Expired { expires, now } => {
                format!("manifest expired at {expires} (now is {now})")
            }
            ManifestError::WrongModel { model } => {
                format!("manifest is not for model {}", debug(model))
            }
            ManifestError::WrongEnvironment { expected, found } => format!(
                "manifest is for environment {}, not {}",
                debug(expected),
                debug(found)
            ),
            ManifestError::Rollback {
                version,
                floor,
                floor_name,
            } => format!(
                "manifest version {} is not above the device's {floor_name} {}",
                plain(version),
                plain(floor)
            ),
            ManifestError::BelowMinVersion { current, min } => format!(
                "device runs {}, below this release's min_sw_version {}",
                plain(current),
                plain(min)
            ),
            ManifestError::DeviceVersion {
                field,
                value,
                scheme,
                kind,
            } => format!(
                "device {field} {} is not {} version: {kind}",
                debug(value),
                scheme.with_article()
            ),
            ManifestError::SizeMismatch {
                expected,
                got,
                longer,
            } => format!(
                "image is {} than the manifest's size {expected} bytes ({got} bytes read)",
                if *longer { "longer" } else { "shorter" }
            ),
            ManifestError::DigestMismatch => "image SHA-256 differs from the manifest's".into(),
            ManifestError::ClockUnset => {
                "now is 0 (clock not set): expiry cannot be checked".into()
            }
            ManifestError::NotInCatalog { version } => format!(
                "manifest version {} is not a release of the catalog for this device",
                plain(version)
            ),
            ManifestError::Yanked { version } => {
                format!(
                    "manifest version {} is yanked in the catalog",
                    plain(version)
                )
            }
            ManifestError::CatalogDigestMismatch { version } => format!(
                "manifest SHA-256 for {} differs from the catalog's",
                plain(version)
            ),
            ManifestError::NoModels => {
                "no model given: name one or more models, or * for every model".into()
            }
            ManifestError::ModelsWildcardMixed => {
                "* means every model and cannot be listed with model names".into()
            }
            ManifestError::BadModel { model, why } => format!("model {}: {why}", debug(model)),
        }
    }

    /// Texts for the quoted fields: plain, with quotes, backslashes, control characters,
    /// non-ASCII, and longer than 40 bytes (cut, on a char boundary).
    const TEXTS: [&str; 7] = [
        "",
        "v66000",
        "a\"b\\c",
        "tab\there\nnew\u{1}\u{7f}\u{9f}",
        "é\u{200b}ü",
        "0123456789012345678901234567890123456789xyz",
        "ééééééééééééééééééééé",
    ];

    fn every_error() -> Vec<ManifestError> {
        let ids = [
            KeyId([0; 32]),
            KeyId([0xa5; 32]),
            KeyId(core::array::from_fn(|i| i as u8)),
        ];
        let mut errors = Vec::new();
        for id in ids {
            errors.push(ManifestError::BadSignature { key_id: id });
            errors.push(ManifestError::KeyMismatch {
                named: id,
                used: ids[2],
            });
        }
        for n in [0u64, 1, 4096, u64::MAX] {
            errors.push(ManifestError::Expired {
                expires: n,
                now: u64::MAX - n,
            });
            for longer in [true, false] {
                errors.push(ManifestError::SizeMismatch {
                    expected: n,
                    got: n / 2,
                    longer,
                });
            }
        }
        errors.push(ManifestError::NoModels);
        errors.push(ManifestError::ModelsWildcardMixed);
        for line in [0, 1, 17, usize::MAX] {
            errors.push(ManifestError::Malformed {
                line,
                reason: "unknown field",
            });
        }
        errors.push(ManifestError::Malformed {
            line: 3,
            reason: "",
        });
        for t in TEXTS {
            let q = Quoted::new(t);
            errors.push(ManifestError::UnsupportedFormat { found: q });
            errors.push(ManifestError::WrongModel { model: q });
            errors.push(ManifestError::BadModel {
                model: q,
                why: "listed twice",
            });
            errors.push(ManifestError::WrongEnvironment {
                expected: q,
                found: Quoted::new("x"),
            });
            for floor_name in ["anti-rollback counter", "running version"] {
                errors.push(ManifestError::Rollback {
                    version: q,
                    floor: q,
                    floor_name,
                });
            }
            errors.push(ManifestError::BelowMinVersion {
                current: q,
                min: Quoted::new("v1"),
            });
            for scheme in [Scheme::Integer, Scheme::Semver, Scheme::Dotted] {
                for kind in KINDS {
                    errors.push(ManifestError::DeviceVersion {
                        field: "counter",
                        value: q,
                        scheme,
                        kind,
                    });
                }
            }
            errors.push(ManifestError::NotInCatalog { version: q });
            errors.push(ManifestError::Yanked { version: q });
            errors.push(ManifestError::CatalogDigestMismatch { version: q });
        }
        errors.push(ManifestError::DigestMismatch);
        errors.push(ManifestError::ClockUnset);
        // The refusals the checks themselves give.
        let (key, text, sig) = doc_example();
        let key = PublicKey::parse(key).unwrap();
        let sig = Signature::parse(sig).unwrap();
        let m = verify(text, &sig, &key).unwrap();
        for (model, environment, current, counter, now) in [
            ("AG-9", "production", "v66000", "v66000", 1),
            ("AG-1", "lab \"x\"", "v66000", "v66000", 1),
            ("AG-1", "production", "v1\u{7f}", "v66000", 1),
            ("AG-1", "production", "v66000", "", 1),
            ("AG-1", "production", "v66000", "v99999", 1),
            ("AG-1", "production", "v1", "v1", 1),
            ("AG-1", "production", "v66000", "v66000", u64::MAX),
            ("AG-1", "production", "v66000", "v66000", 0),
        ] {
            let device = Device {
                model,
                environment,
                current_version: current,
                counter,
                now,
            };
            errors.extend(m.check_device(&device).err());
        }
        let mut image = m.image_check();
        errors.extend(image.update(&[0u8; 100]).err());
        errors.extend(m.image_check().finish().err());
        for bad in [
            &b""[..],
            b"stepstone-manifest 2\n",
            b"x",
            b"stepstone-manifest 1\nfoo 1\n",
        ] {
            errors.extend(Manifest::parse(bad).err());
        }
        errors.extend(verify(text, &Signature::parse(&[1u8; 64]).unwrap(), &key).err());
        errors
    }

    #[test]
    fn messages_are_the_texts_the_error_attributes_wrote() {
        let errors = every_error();
        crate::error::assert_messages(&errors, 19, before);
    }

    /// Every version refusal.
    const KINDS: [VersionErrorKind; 5] = [
        VersionErrorKind::Empty,
        VersionErrorKind::TooLong,
        VersionErrorKind::Malformed,
        VersionErrorKind::Overflow,
        VersionErrorKind::EmptyRange,
    ];

    #[test]
    fn quoting_without_heap_is_push_quoted() {
        let mut texts: Vec<String> = TEXTS.iter().map(|t| String::from(*t)).collect();
        texts.extend(
            (0..0xa0u32)
                .filter_map(char::from_u32)
                .map(|c| format!("a{c}b")),
        );
        for t in &texts {
            let mut heap_free = String::new();
            quote_without_heap(&mut heap_free, t);
            let mut pushed = String::new();
            crate::error::push_quoted(&mut pushed, t);
            assert_eq!(heap_free, pushed, "{t:?}");
        }
    }
}
