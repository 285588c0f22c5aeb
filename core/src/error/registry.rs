//! The registry: every stable code stepstone reports, in one table.
//!
//! Each entry is a code (`area.reason`), a one-line meaning and, for a code the device port
//! reports, its numeric C status (`STEPSTONE_ERR_*`, with the few words `stepstone_strerror`
//! returns). The table is written once, at the bottom of this file, and everything else comes
//! from it:
//!
//! * [`codes`]: one constant per code (`codes::PLAN_UNREACHABLE`), so a misspelt code is a
//!   compile error. Core's `code()` impls return these.
//! * [`REGISTRY`], [`AREAS`], [`ALL`]: the table itself, for docs (`docs/errors.md` is generated
//!   from it and checked by `core/tests/error_registry.rs`) and tools.
//! * The device port's `StepstoneStatus` numbers and messages (its enum is generated from this
//!   table and checked by the port's tests).
//!
//! A [`Code`] is two bytes of index and one of device status: the device maps an error to its
//! status without linking a single code string. Builds with a heap (feature `alloc`: hosts,
//! WASM) carry the code's text in the `Code` too, so that a module that names a few codes links
//! those few texts and not the whole table.
//!
//! The table is checked when the crate compiles: codes are unique, well formed and spelt as
//! their constant; device statuses are unique; an area with a device status says of each of
//! its codes whether the device reports it (`[host]` when it never does), so a new error in an
//! area the device reports cannot be left without an answer.
//!
//! ```
//! use stepstone::error::{codes, Device, Registered};
//! use stepstone::version::VersionErrorKind;
//! let code = VersionErrorKind::Malformed.registered();
//! assert_eq!(code, codes::VERSION_MALFORMED);
//! assert_eq!(code.as_str(), "version.malformed");
//! assert_eq!(code.device_status(), Some(10));
//! assert!(matches!(code.entry().device, Device::Status(s) if s.name == "STEPSTONE_ERR_VERSION_MALFORMED"));
//! ```

use core::fmt;

use super::ErrorCode;

/// A registered code: a handle on one entry of [`REGISTRY`].
///
/// Get one from [`codes`], from an error ([`Registered::registered`]) or by its text
/// ([`Code::find`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    /// Position in [`REGISTRY`].
    index: u16,
    /// The device status, 0 for none (0 is `STEPSTONE_OK`, never an error).
    device: u8,
    /// The code's text (with a heap; without, it is looked up in the table by index).
    #[cfg(feature = "alloc")]
    text: &'static str,
}

impl Code {
    const fn new(index: u16, device: u8, text: &'static str) -> Code {
        #[cfg(not(feature = "alloc"))]
        let _ = text;
        Code {
            index,
            device,
            #[cfg(feature = "alloc")]
            text,
        }
    }

    /// The code, `area.reason`.
    pub const fn as_str(self) -> &'static str {
        #[cfg(feature = "alloc")]
        return self.text;
        #[cfg(not(feature = "alloc"))]
        CODE_TEXT[self.index as usize]
    }

    /// Its entry in the registry: meaning, area, device status.
    pub const fn entry(self) -> &'static Entry {
        &REGISTRY[self.index as usize]
    }

    /// The one-line meaning.
    pub const fn meaning(self) -> &'static str {
        self.entry().meaning
    }

    /// The status the device port reports for it (`STEPSTONE_ERR_*`), if it reports it.
    pub const fn device_status(self) -> Option<i32> {
        if self.device == 0 {
            None
        } else {
            Some(self.device as i32)
        }
    }

    /// The registered code spelt `code`.
    pub fn find(code: &str) -> Option<Code> {
        ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({:?})", self.as_str())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorCode for Code {
    fn code(&self) -> &'static str {
        self.as_str()
    }
}

/// An error whose code is in the registry. Every error type of core implements it (with
/// [`ErrorCode`] giving the same code as text).
pub trait Registered {
    /// The error's code.
    fn registered(&self) -> Code;
}

impl Registered for Code {
    fn registered(&self) -> Code {
        *self
    }
}

impl<T: Registered + ?Sized> Registered for &T {
    fn registered(&self) -> Code {
        (**self).registered()
    }
}

/// One registered code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The code, `area.reason`.
    pub code: &'static str,
    /// The [`Area`] it is listed under (its name).
    pub area: &'static str,
    /// What it means, one line, no final period.
    pub meaning: &'static str,
    /// What the device port does with it.
    pub device: Device,
}

/// Whether the device port reports a code, and as what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// The area is not one the device works in.
    None,
    /// The area is one the device works in, but the device never meets this code (packing,
    /// JSON, private keys, ...).
    HostOnly,
    /// The device reports it as this status.
    Status(DeviceStatus),
}

/// A status of the device port's C API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceStatus {
    /// Its number (`int32_t`); never changes.
    pub number: i32,
    /// Its name in `stepstone.h` (`STEPSTONE_ERR_PLAN_UNREACHABLE`); never changes.
    pub name: &'static str,
    /// What `stepstone_strerror` returns for it (without the NUL): a few words, as it lives in
    /// firmware flash.
    pub message: &'static str,
}

/// A group of codes: those of one module, of the CLI, of the bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Area {
    /// The name (`plan`); codes of the area start with it and a dot (the `binding` area's
    /// start with the binding's name: `js.`, `python.`).
    pub name: &'static str,
    /// A title for docs.
    pub title: &'static str,
    /// What the area's codes are about, in Markdown (a few lines).
    pub about: &'static str,
}

impl Area {
    /// The area's entries, in registry order.
    pub fn entries(&self) -> impl Iterator<Item = &'static Entry> + '_ {
        REGISTRY.iter().filter(move |e| e.area == self.name)
    }
}

/// One entry's device part: `[]` (nothing), `[host]`, or `[NUMBER NAME "message"]` where NAME
/// is the status name after `STEPSTONE_ERR_`.
macro_rules! device {
    () => {
        Device::None
    };
    (host) => {
        Device::HostOnly
    };
    ($number:literal $name:ident $message:literal) => {
        Device::Status(DeviceStatus {
            number: $number,
            name: concat!("STEPSTONE_ERR_", stringify!($name)),
            message: $message,
        })
    };
    (@number) => {
        0
    };
    (@number host) => {
        0
    };
    (@number $number:literal $name:ident $message:literal) => {
        $number
    };
}

/// The registry's one table: areas, each with its codes. An entry is
/// `CONSTANT = "area.reason" [device]: "meaning";` with the device part optional (see
/// `device!`).
macro_rules! registry {
    ($(
        $(#[doc = $about:literal])*
        area $area:ident $title:literal {
            $( $name:ident = $code:literal $([$($device:tt)*])? : $meaning:literal; )*
        }
    )*) => {
        /// Positions in the table, one per code.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[repr(u16)]
        enum Index { $($($name,)*)* }

        /// One constant per registered code, named as the code in capitals with `_` for the
        /// dot (`codes::PLAN_UNREACHABLE` is `plan.unreachable`).
        pub mod codes {
            use super::{Code, Index};
            $($(
                #[doc = concat!("`", $code, "`: ", $meaning, ".")]
                pub const $name: Code = Code::new(Index::$name as u16, device!(@number $($($device)*)?), $code);
            )*)*
        }

        /// Every registered code, grouped by area in [`AREAS`] order.
        pub const REGISTRY: &[Entry] = &[$($(
            Entry {
                code: $code,
                area: stringify!($area),
                meaning: $meaning,
                device: device!($($($device)*)?),
            },
        )*)*];

        /// Every registered code as a [`Code`], in [`REGISTRY`] order.
        pub const ALL: &[Code] = &[$($(codes::$name,)*)*];

        /// The areas, in the order docs list them.
        pub const AREAS: &[Area] = &[$(
            Area {
                name: stringify!($area),
                title: $title,
                about: concat!($($about, "\n",)*),
            },
        )*];

        /// The code texts alone (what [`Code::as_str`] reads without a heap, so that asking
        /// for a code links no meaning).
        #[cfg_attr(feature = "alloc", allow(dead_code))]
        const CODE_TEXT: &[&str] = &[$($($code,)*)*];

        /// The constants' names, for the spelling check.
        const NAMES: &[&str] = &[$($(stringify!($name),)*)*];
    };
}

// ---------------------------------------------------------------------------------------------
// Checks, run when the crate compiles (and again by the tests, which name the culprit).

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `code` is `area.reason`, each part `[a-z][a-z0-9_]*`; the part before the dot is returned
/// as its length.
const fn prefix_len(code: &str) -> Option<usize> {
    let b = code.as_bytes();
    let mut dot = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'.' {
            if dot.is_some() || i == 0 {
                return None;
            }
            dot = Some(i);
        } else {
            let starts = i == 0 || b[i - 1] == b'.';
            let ok = c.is_ascii_lowercase() || (!starts && (c.is_ascii_digit() || c == b'_'));
            if !ok {
                return None;
            }
        }
        i += 1;
    }
    match dot {
        Some(d) if d + 1 < b.len() => Some(d),
        _ => None,
    }
}

/// `name` is `code` in capitals with `_` for the dot.
const fn spelt_as(name: &str, code: &str) -> bool {
    let (n, c) = (name.as_bytes(), code.as_bytes());
    if n.len() != c.len() {
        return false;
    }
    let mut i = 0;
    while i < n.len() {
        let want = if c[i] == b'.' {
            b'_'
        } else {
            c[i].to_ascii_uppercase()
        };
        if n[i] != want {
            return false;
        }
        i += 1;
    }
    true
}

/// One line of plain text: not empty, no line break, no `|` (docs put it in a table cell), no
/// final period, starts with a capital or a backtick.
const fn one_line(text: &str) -> bool {
    let b = text.as_bytes();
    if b.is_empty() || b[b.len() - 1] == b'.' || !(b[0].is_ascii_uppercase() || b[0] == b'`') {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'|' || b[i] == 0 {
            return false;
        }
        i += 1;
    }
    true
}

/// A device message: 1 to 40 bytes of printable ASCII (it is a C string in flash).
const fn short_ascii(text: &str) -> bool {
    let b = text.as_bytes();
    if b.is_empty() || b.len() > 40 {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i] < b' ' || b[i] > b'~' {
            return false;
        }
        i += 1;
    }
    true
}

const fn area_has_status(area: &str) -> bool {
    let mut i = 0;
    while i < REGISTRY.len() {
        if str_eq(REGISTRY[i].area, area) && matches!(REGISTRY[i].device, Device::Status(_)) {
            return true;
        }
        i += 1;
    }
    false
}

/// The first problem with the table: the index of the entry and what is wrong.
pub(crate) const fn problem() -> Option<(usize, &'static str)> {
    if REGISTRY.len() > u16::MAX as usize {
        return Some((0, "too many codes for a u16 index"));
    }
    let mut i = 0;
    while i < REGISTRY.len() {
        let e = &REGISTRY[i];
        let Some(prefix) = prefix_len(e.code) else {
            return Some((i, "not of the form area.reason ([a-z][a-z0-9_]*)"));
        };
        let (head, _) = e.code.split_at(prefix);
        if !str_eq(e.area, "binding") && !str_eq(head, e.area) {
            return Some((i, "does not start with its area's name"));
        }
        if !spelt_as(NAMES[i], e.code) {
            return Some((i, "its constant is not the code in capitals with _ for ."));
        }
        if !one_line(e.meaning) {
            return Some((
                i,
                "meaning is not one line starting with a capital or `, without | or a final period",
            ));
        }
        let mut j = 0;
        while j < i {
            if str_eq(REGISTRY[j].code, e.code) {
                return Some((i, "registered twice"));
            }
            j += 1;
        }
        match e.device {
            Device::Status(s) => {
                if s.number < 1 || s.number > 127 {
                    return Some((i, "device status is not 1 to 127"));
                }
                if !short_ascii(s.message) {
                    return Some((i, "device message is not 1 to 40 bytes of printable ASCII"));
                }
                if !e.meaning.is_ascii() {
                    return Some((
                        i,
                        "meaning of a device status is not ASCII (it is in stepstone.h)",
                    ));
                }
                let mut j = 0;
                while j < i {
                    if let Device::Status(t) = REGISTRY[j].device {
                        if t.number == s.number {
                            return Some((i, "device status number used twice"));
                        }
                        if str_eq(t.name, s.name) {
                            return Some((i, "device status name used twice"));
                        }
                    }
                    j += 1;
                }
            }
            Device::HostOnly => {
                if !area_has_status(e.area) {
                    return Some((i, "[host] in an area without device statuses"));
                }
            }
            Device::None => {
                if area_has_status(e.area) {
                    return Some((
                        i,
                        "no device part in an area with device statuses: give its status, or [host]",
                    ));
                }
            }
        }
        let mut known = false;
        let mut a = 0;
        while a < AREAS.len() {
            known |= str_eq(AREAS[a].name, e.area);
            a += 1;
        }
        if !known {
            return Some((i, "area not in AREAS"));
        }
        i += 1;
    }
    None
}

const _: () = {
    // Const panics format one argument: this error says what is wrong, the next one where.
    if let Some((_, what)) = problem() {
        panic!("{}", what);
    }
};

const _: () = {
    if let Some((i, _)) = problem() {
        panic!("{}", REGISTRY[i].code);
    }
};

// ---------------------------------------------------------------------------------------------
// The table.

registry! {
    /// Version strings in a catalog's scheme (`integer`, `semver`, `dotted`): `version::check`,
    /// `version::compare`, `Version::parse`, ranges. Inside a catalog a bad version is
    /// `catalog.malformed_version`.
    area version "Versions" {
        VERSION_MALFORMED = "version.malformed" [10 VERSION_MALFORMED "malformed version"]:
            "A version is malformed in the catalog's scheme";
        VERSION_EMPTY = "version.empty" [11 VERSION_EMPTY "empty version"]:
            "A version is empty";
        VERSION_TOO_LONG = "version.too_long" [12 VERSION_TOO_LONG "version too long"]:
            "A version is longer than 128 bytes";
        VERSION_OVERFLOW = "version.overflow" [13 VERSION_OVERFLOW "version overflows"]:
            "A numeric component of a version does not fit in 64 bits";
        VERSION_EMPTY_RANGE = "version.empty_range" [host]:
            "A version range that no version satisfies (`>v5, <v3`), or an empty comparator";
    }

    /// Loading a catalog (`Catalog::from_json`, `Catalog::new`) reports every problem at once,
    /// each with its code and the offending value.
    area catalog "Catalogs" {
        CATALOG_JSON = "catalog.json":
            "The catalog is not JSON (or not UTF-8), has a key twice in one object, or is not of \
             the catalog's shape";
        CATALOG_INVALID_TYPE = "catalog.invalid_type":
            "A field has the wrong JSON type";
        CATALOG_UNKNOWN_FIELD = "catalog.unknown_field":
            "A field catalogs do not have (the message names the field it likely misspells)";
        CATALOG_MISSING_FIELD = "catalog.missing_field":
            "A required field is absent";
        CATALOG_UNKNOWN_SCHEME = "catalog.unknown_scheme":
            "`scheme` names no known scheme (`integer`, `semver`, `dotted`)";
        CATALOG_NO_SCHEME = "catalog.no_scheme":
            "No scheme is declared and none fits every version";
        CATALOG_MALFORMED_VERSION = "catalog.malformed_version":
            "A version is not of the catalog's scheme";
        CATALOG_BAD_RANGE = "catalog.bad_range":
            "A `blocked_from` entry is neither a version nor a range";
        CATALOG_MIXED_SCHEME = "catalog.mixed_scheme":
            "A release built in code (`Catalog::new`) has a version of another scheme than the catalog's";
        CATALOG_DUPLICATE_VERSION = "catalog.duplicate_version":
            "Two releases have the same version (`v2` and `2` are one version)";
        CATALOG_MIN_SW_NOT_LOWER = "catalog.min_sw_not_lower":
            "A `min_sw_version` is not lower than its release";
        CATALOG_DELTA_NOT_LOWER = "catalog.delta_not_lower":
            "A delta is from a version not lower than its release";
        CATALOG_DUPLICATE_DELTA = "catalog.duplicate_delta":
            "Two deltas of a release are from the same base";
        CATALOG_BAD_SIZE = "catalog.bad_size":
            "A size is zero, negative, fractional, or above 2^53 − 1";
        CATALOG_BAD_SHA256 = "catalog.bad_sha256":
            "A `sha256` is not 64 hex digits";
        CATALOG_INVALID = "catalog.invalid":
            "An invalid catalog that lists no error (the code of an empty `CatalogErrors`; loading never gives it)";
    }

    /// Update paths: `plan`, `next_hop`, campaign tables, and the next hop over a compact
    /// catalog on the device.
    area plan "Update paths" {
        PLAN_UNKNOWN_TARGET = "plan.unknown_target" [30 PLAN_UNKNOWN_TARGET "target not in catalog"]:
            "The target is not a release of the catalog";
        PLAN_TARGET_YANKED = "plan.target_yanked" [31 PLAN_TARGET_YANKED "target yanked"]:
            "The target is yanked";
        PLAN_TARGET_MODEL = "plan.target_model" [32 PLAN_TARGET_MODEL "target not for model"]:
            "The target is not for the device's model";
        PLAN_TARGET_ENVIRONMENT = "plan.target_environment" [33 PLAN_TARGET_ENVIRONMENT "target not for environment"]:
            "The target is not for the device's environment";
        PLAN_DOWNGRADE = "plan.downgrade" [34 PLAN_DOWNGRADE "downgrade"]:
            "The target is below the current version, and downgrades are not allowed";
        PLAN_UNREACHABLE = "plan.unreachable" [35 PLAN_UNREACHABLE "no path to target"]:
            "No chain of installs reaches the target";
        PLAN_MISSING_SIZE = "plan.missing_size" [host]:
            "Planning by bytes, a release on the way has neither a size nor a delta";
        PLAN_UNKNOWN_COST = "plan.unknown_cost" [host]:
            "A cost other than `hops` or `bytes`";
        PLAN_MODEL_REQUIRED = "plan.model_required" [host]:
            "No model stated, and the catalog's releases differ by model";
        PLAN_ENVIRONMENT_REQUIRED = "plan.environment_required" [host]:
            "No environment stated, and the catalog's releases differ by environment";
        PLAN_UNKNOWN_MODEL = "plan.unknown_model" [host]:
            "A model no release of the catalog names";
        PLAN_UNKNOWN_ENVIRONMENT = "plan.unknown_environment" [host]:
            "An environment no release of the catalog names";
        PLAN_NO_VERSION = "plan.no_version" [host]:
            "A device row has no version (a null in a version column)";
    }

    /// The upgrade graph (`graph`, `stepstone graph`).
    area graph "Upgrade graph" {
        GRAPH_UNKNOWN_FORMAT = "graph.unknown_format":
            "A graph format other than `dot` or `mermaid`";
    }

    /// Catalog lint (`lint`, `stepstone validate`): warnings, not errors. The catalog loads;
    /// these would strand devices once it is published.
    area lint "Catalog lint warnings" {
        LINT_UNREACHABLE = "lint.unreachable":
            "A release no device can reach from the oldest release of its model (and environment)";
        LINT_YANKED_STEPPING_STONE = "lint.yanked_stepping_stone":
            "A yanked release that is a barrier or another release's `min_sw_version`";
        LINT_STEPPING_STONE_MODEL = "lint.stepping_stone_model":
            "A stepping stone not for every model (or environment) of a release that needs it";
        LINT_NO_MODEL = "lint.no_model":
            "A release for no model or no environment (`models: []`)";
        LINT_DEAD_END = "lint.dead_end":
            "A release, not the newest, that no automatic update leaves";
        LINT_DELTA_UNKNOWN_BASE = "lint.delta_unknown_base":
            "A delta from a version that is not in the catalog";
        LINT_MIN_SW_UNKNOWN = "lint.min_sw_unknown":
            "A `min_sw_version` that names no release";
        LINT_DELTA_NOT_SMALLER = "lint.delta_not_smaller":
            "A delta at least as large as the full image";
    }

    /// The compact catalog: the binary catalog a device plans over (`docs/compact-catalog.md`).
    /// Its next hop reports `plan.*` and `version.*` codes.
    area compact "Compact catalogs" {
        COMPACT_TRUNCATED = "compact.truncated" [20 COMPACT_TRUNCATED "catalog truncated"]:
            "A compact catalog ends before the structure it announces";
        COMPACT_BAD_MAGIC = "compact.bad_magic" [21 COMPACT_BAD_MAGIC "not a compact catalog"]:
            "Not a compact catalog (the bytes do not start with `SSCC`)";
        COMPACT_FORMAT = "compact.format" [22 COMPACT_FORMAT "catalog format unsupported"]:
            "A compact catalog format version this code does not read";
        COMPACT_CORRUPT = "compact.corrupt" [23 COMPACT_CORRUPT "catalog corrupt"]:
            "A compact catalog is corrupt: a field out of range, a bad string or unsorted points";
        COMPACT_NO_TARGET = "compact.no_target" [24 COMPACT_NO_TARGET "no target"]:
            "No target given and none packed in the catalog";
        COMPACT_TOO_LARGE = "compact.too_large" [host]:
            "Too many releases, points or bytes for the compact format (packing)";
    }

    /// ECDSA P-256 / SHA-256 signatures and their keys (`docs/signatures.md`).
    area signature "Signatures" {
        SIGNATURE_INVALID = "signature.invalid" [40 SIGNATURE_INVALID "bad signature"]:
            "The signature is well formed but does not verify with the key over this digest";
        SIGNATURE_MALFORMED = "signature.malformed" [41 SIGNATURE_MALFORMED "malformed signature"]:
            "The signature is none of strict DER, raw r and s, or hex or base64 of either";
        SIGNATURE_KEY_MALFORMED = "signature.key_malformed" [42 SIGNATURE_KEY_MALFORMED "malformed key"]:
            "The public key could not be read";
        SIGNATURE_KEY_UNSUPPORTED = "signature.key_unsupported" [43 SIGNATURE_KEY_UNSUPPORTED "unsupported key"]:
            "The public key is not a P-256 key, or (on the device) its point is compressed";
        SIGNATURE_DIGEST_LENGTH = "signature.digest_length" [44 SIGNATURE_DIGEST_LENGTH "digest not 32 bytes"]:
            "A digest is not exactly 32 bytes";
        SIGNATURE_PRIVATE_KEY_MALFORMED = "signature.private_key_malformed" [host]:
            "A private key could not be read (signing)";
        SIGNATURE_UNKNOWN_FORMAT = "signature.unknown_format" [host]:
            "A key or signature format name that is none of the known ones";
    }

    /// X.509 certificate chains for code signing (`stepstone::cert`, `docs/signatures.md`).
    area cert "Certificate chains" {
        CERT_MALFORMED = "cert.malformed":
            "Not a strict-DER X.509 certificate, in PEM or DER";
        CERT_CHAIN_LENGTH = "cert.chain_length":
            "An empty certificate chain, or one longer than 8 certificates";
        CERT_ISSUER_MISMATCH = "cert.issuer_mismatch":
            "A certificate's issuer is not the next certificate's (or the root's) subject";
        CERT_UNSUPPORTED_ALGORITHM = "cert.unsupported_algorithm":
            "A signature algorithm or key other than ECDSA P-256 with SHA-256";
        CERT_BAD_SIGNATURE = "cert.bad_signature":
            "The issuer's key does not verify a certificate's signature";
        CERT_NOT_YET_VALID = "cert.not_yet_valid":
            "`now` is before a certificate's notBefore";
        CERT_EXPIRED = "cert.expired":
            "`now` is after a certificate's notAfter";
        CERT_NOT_CA = "cert.not_ca":
            "An issuer is not a CA (`basicConstraints cA=TRUE`)";
        CERT_PATH_LENGTH = "cert.path_length":
            "An issuer's pathLenConstraint is exceeded";
        CERT_KEY_USAGE = "cert.key_usage":
            "A key usage or extended key usage does not allow the use";
        CERT_UNKNOWN_CRITICAL_EXTENSION = "cert.unknown_critical_extension":
            "A critical extension this code does not process";
        CERT_LEAF_IS_CA = "cert.leaf_is_ca":
            "The signing certificate is a CA (firmware is signed by an end-entity certificate)";
        CERT_LEAF_NO_EKU = "cert.leaf_no_eku":
            "The signing certificate has no extended key usage";
        CERT_LEAF_ANY_EKU = "cert.leaf_any_eku":
            "The signing certificate's extended key usage lists `anyExtendedKeyUsage`";
        CERT_LEAF_NOT_CODE_SIGNING = "cert.leaf_not_code_signing":
            "The signing certificate's extended key usage does not list `codeSigning`";
    }

    /// Signed release manifests (`docs/manifest.md`): the checks a device makes before and
    /// after the download, and the checks of `stepstone manifest create`.
    area manifest "Manifests" {
        MANIFEST_BAD_SIGNATURE = "manifest.bad_signature" [50 MANIFEST_BAD_SIGNATURE "bad manifest signature"]:
            "The manifest's signature does not verify (or is malformed)";
        MANIFEST_MALFORMED = "manifest.malformed" [51 MANIFEST_MALFORMED "malformed manifest"]:
            "The manifest does not follow the format";
        MANIFEST_UNSUPPORTED_FORMAT = "manifest.unsupported_format" [52 MANIFEST_UNSUPPORTED_FORMAT "manifest format unsupported"]:
            "The manifest's first line names another format or format version";
        MANIFEST_KEY_MISMATCH = "manifest.key_mismatch" [53 MANIFEST_KEY_MISMATCH "manifest key mismatch"]:
            "The manifest names another signing key than the one that verified it";
        MANIFEST_EXPIRED = "manifest.expired" [54 MANIFEST_EXPIRED "manifest expired"]:
            "The manifest expired";
        MANIFEST_WRONG_MODEL = "manifest.wrong_model" [55 MANIFEST_WRONG_MODEL "wrong model"]:
            "The manifest is not for this device's model";
        MANIFEST_WRONG_ENVIRONMENT = "manifest.wrong_environment" [56 MANIFEST_WRONG_ENVIRONMENT "wrong environment"]:
            "The manifest is not for this device's environment";
        MANIFEST_ROLLBACK = "manifest.rollback" [57 MANIFEST_ROLLBACK "rollback"]:
            "The manifest's version is not above the anti-rollback counter (or the running version)";
        MANIFEST_BELOW_MIN_VERSION = "manifest.below_min_version" [58 MANIFEST_BELOW_MIN_VERSION "below min version"]:
            "The device runs a version below the manifest's `min_sw_version`";
        MANIFEST_DEVICE_VERSION = "manifest.device_version" [59 MANIFEST_DEVICE_VERSION "bad device version"]:
            "A device version (running or counter) is not of the manifest's scheme";
        MANIFEST_SIZE_MISMATCH = "manifest.size_mismatch" [60 MANIFEST_SIZE_MISMATCH "image size mismatch"]:
            "The image is longer or shorter than the manifest's size";
        MANIFEST_DIGEST_MISMATCH = "manifest.digest_mismatch" [61 MANIFEST_DIGEST_MISMATCH "image digest mismatch"]:
            "The image's SHA-256 differs from the manifest's";
        MANIFEST_CLOCK_UNSET = "manifest.clock_unset" [62 MANIFEST_CLOCK_UNSET "clock not set"]:
            "`now` is 0: no clock, expiry cannot be checked";
        MANIFEST_NOT_IN_CATALOG = "manifest.not_in_catalog" [63 MANIFEST_NOT_IN_CATALOG "release not in catalog"]:
            "The manifest's version is not a release of the signed catalog for this device";
        MANIFEST_YANKED = "manifest.yanked" [64 MANIFEST_YANKED "release yanked"]:
            "The manifest's release is yanked in the signed catalog";
        MANIFEST_CATALOG_DIGEST_MISMATCH = "manifest.catalog_digest_mismatch" [65 MANIFEST_CATALOG_DIGEST_MISMATCH "catalog digest mismatch"]:
            "The manifest's SHA-256 differs from the signed catalog's";
        MANIFEST_UNKNOWN_SCHEME = "manifest.unknown_scheme" [host]:
            "`manifest create --scheme` names no known scheme";
        MANIFEST_BAD_VERSION = "manifest.bad_version" [host]:
            "`manifest create --version` is not a version of the scheme";
        MANIFEST_BAD_MIN_SW_VERSION = "manifest.bad_min_sw_version" [host]:
            "`manifest create --min-sw-version` is not a version of the scheme";
        MANIFEST_MIN_SW_NOT_LOWER = "manifest.min_sw_not_lower" [host]:
            "`manifest create --min-sw-version` is not below `--version`";
        MANIFEST_BAD_ENVIRONMENT = "manifest.bad_environment" [host]:
            "`manifest create --environment` is not one word of printable ASCII";
        MANIFEST_EXPIRES_PAST = "manifest.expires_past" [host]:
            "`manifest create --expires` is not in the future";
        MANIFEST_NO_MODELS = "manifest.no_models" [host]:
            "`manifest create --models` is empty";
        MANIFEST_MODELS_WILDCARD_MIXED = "manifest.models_wildcard_mixed" [host]:
            "`manifest create --models` lists `*` together with model names";
        MANIFEST_BAD_MODEL = "manifest.bad_model" [host]:
            "A model of `manifest create --models` is empty, listed twice, or not one word of printable ASCII";
    }

    /// Signed catalog envelopes (`docs/compact-catalog.md`, `docs/security.md`): opening one
    /// with the pinned catalog key, the last state and now.
    area signed_catalog "Signed catalogs" {
        SIGNED_CATALOG_MALFORMED = "signed_catalog.malformed" [80 CATALOG_MALFORMED "bad signed catalog"]:
            "The signed catalog envelope is malformed";
        SIGNED_CATALOG_UNKNOWN_KEY = "signed_catalog.unknown_key" [81 CATALOG_UNKNOWN_KEY "unknown catalog key"]:
            "The signed catalog names a key that is not trusted (not the pinned catalog key)";
        SIGNED_CATALOG_BAD_SIGNATURE = "signed_catalog.bad_signature" [82 CATALOG_BAD_SIGNATURE "bad catalog signature"]:
            "The signed catalog's signature does not verify";
        SIGNED_CATALOG_EXPIRED = "signed_catalog.expired" [83 CATALOG_EXPIRED "catalog expired"]:
            "The signed catalog expired";
        SIGNED_CATALOG_ROLLBACK = "signed_catalog.rollback" [84 CATALOG_ROLLBACK "catalog rollback"]:
            "The signed catalog's sequence is below the last accepted";
        SIGNED_CATALOG_SEQUENCE_REUSED = "signed_catalog.sequence_reused" [85 CATALOG_SEQUENCE_REUSED "catalog sequence reused"]:
            "The signed catalog has the last accepted sequence but other signed bytes";
        SIGNED_CATALOG_CLOCK_UNSET = "signed_catalog.clock_unset" [86 CATALOG_CLOCK_UNSET "clock not set"]:
            "`now` is 0: no clock, expiry cannot be checked";
        SIGNED_CATALOG_CLOCK_BEHIND = "signed_catalog.clock_behind" [87 CATALOG_CLOCK_BEHIND "clock behind floor"]:
            "`now` is below the time floor (the last catalog's issued time)";
        SIGNED_CATALOG_TOO_LARGE = "signed_catalog.too_large" [host]:
            "A payload too large for the envelope (sealing)";
        SIGNED_CATALOG_DIGEST_WITHOUT_SEQUENCE = "signed_catalog.digest_without_sequence" [host]:
            "A last digest was given without the last sequence it was stored with (alone it checks nothing)";
    }

    /// MCUboot images made by `imgtool sign` (`stepstone::mcuboot`, `docs/device.md`): the
    /// header, the TLV areas, the SHA-256 and ECDSA P-256 signature TLVs, checked before a reboot
    /// as MCUboot checks them at boot.
    area mcuboot "MCUboot images" {
        MCUBOOT_TRUNCATED = "mcuboot.truncated" [90 MCUBOOT_TRUNCATED "image truncated"]:
            "The image is shorter than its header, body and TLV areas say";
        MCUBOOT_BAD_MAGIC = "mcuboot.bad_magic" [91 MCUBOOT_BAD_MAGIC "bad image magic"]:
            "The image does not start with MCUboot's header magic 0x96f3b83d";
        MCUBOOT_BAD_HEADER = "mcuboot.bad_header" [92 MCUBOOT_BAD_HEADER "bad image header"]:
            "The header's size field is below 32 bytes";
        MCUBOOT_UNSUPPORTED = "mcuboot.unsupported" [93 MCUBOOT_UNSUPPORTED "unsupported image"]:
            "The image is encrypted or compressed (its flags say so): its hash covers bytes the device does not hold";
        MCUBOOT_BAD_TLV_INFO = "mcuboot.bad_tlv_info" [94 MCUBOOT_BAD_TLV_INFO "bad TLV info"]:
            "A TLV area's info header has the wrong magic or size, or the protected area differs from the header's size";
        MCUBOOT_TLV_TRUNCATED = "mcuboot.tlv_truncated" [95 MCUBOOT_TLV_TRUNCATED "TLV truncated"]:
            "A TLV's header or value runs past the end of its TLV area";
        MCUBOOT_TLV_DUPLICATE = "mcuboot.tlv_duplicate" [96 MCUBOOT_TLV_DUPLICATE "duplicate TLV"]:
            "A TLV the check reads (hash, signature, key hash, public key, security counter) appears twice";
        MCUBOOT_TLV_MISSING = "mcuboot.tlv_missing" [97 MCUBOOT_TLV_MISSING "TLV missing"]:
            "The image has no SHA-256 TLV, no key TLV (key hash or public key) or no ECDSA signature TLV";
        MCUBOOT_TLV_LENGTH = "mcuboot.tlv_length" [98 MCUBOOT_TLV_LENGTH "bad TLV length"]:
            "A SHA-256 or key hash TLV is not 32 bytes, a security counter not 4";
        MCUBOOT_TLV_MISPLACED = "mcuboot.tlv_misplaced" [99 MCUBOOT_TLV_MISPLACED "TLV misplaced"]:
            "A security counter outside the protected TLV area, or a key TLV after the signature";
        MCUBOOT_TRAILING_BYTES = "mcuboot.trailing_bytes" [100 MCUBOOT_TRAILING_BYTES "bytes after TLVs"]:
            "Bytes follow the TLV area (an image signed with `--pad`, or two images)";
        MCUBOOT_HASH_MISMATCH = "mcuboot.hash_mismatch" [101 MCUBOOT_HASH_MISMATCH "image hash mismatch"]:
            "The SHA-256 of header, body and protected TLVs differs from the image's SHA-256 TLV";
        MCUBOOT_KEY_MISMATCH = "mcuboot.key_mismatch" [102 MCUBOOT_KEY_MISMATCH "image key mismatch"]:
            "The image's key hash or public key TLV names another key than the pinned one";
        MCUBOOT_SIGNATURE_MALFORMED = "mcuboot.signature_malformed" [103 MCUBOOT_SIGNATURE_MALFORMED "malformed image sig"]:
            "The ECDSA signature TLV is not a strict DER ECDSA P-256 signature followed by at most 2 zero bytes";
        MCUBOOT_BAD_SIGNATURE = "mcuboot.bad_signature" [104 MCUBOOT_BAD_SIGNATURE "bad image signature"]:
            "The ECDSA signature TLV does not verify with the pinned key over the image's SHA-256";
    }

    /// Fleet sampling (`docs/sampling.md`): sampling plans as JSON, positions and periods.
    area sample "Fleet sampling" {
        SAMPLE_INVALID_JSON = "sample.invalid_json" [host]:
            "The sampling plan is not JSON of the documented shape";
        SAMPLE_RATE_OUT_OF_RANGE = "sample.rate_out_of_range" [host]:
            "A rate is not an integer from 0 to 1000000 ppm";
        SAMPLE_BAD_RATE = "sample.bad_rate" [host]:
            "A rate written as text could not be read";
        SAMPLE_BAD_CLASS_NAME = "sample.bad_class_name" [host]:
            "A class name is empty, longer than 64 bytes, or not made of ASCII letters, digits, `_`, `-` and `.`";
        SAMPLE_DUPLICATE_CLASS = "sample.duplicate_class" [host]:
            "The same class appears twice in a plan";
        SAMPLE_NO_CLASSES = "sample.no_classes" [host]:
            "The plan names no class";
        SAMPLE_ZERO_PERIOD = "sample.zero_period" [host]:
            "`period_seconds` is 0";
        SAMPLE_SALT_TOO_LONG = "sample.salt_too_long" [host]:
            "The salt is longer than 256 bytes";
        SAMPLE_UNKNOWN_CLASS = "sample.unknown_class" [host]:
            "A class the plan does not have was asked for";
        SAMPLE_BEFORE_OFFSET = "sample.before_offset" [host]:
            "A time before the plan's period offset has no period";
        SAMPLE_BAD_INPUT = "sample.bad_input" [host]:
            "An input of the fleet arithmetic is out of its range";
        SAMPLE_BAD_DURATION = "sample.bad_duration" [host]:
            "A duration written as text could not be read";
        SAMPLE_OVERFLOW = "sample.overflow" [host]:
            "A data volume does not fit in 128 bits";
        SAMPLE_BAD_COLUMN = "sample.bad_column" [host]:
            "An Arrow column's buffers are malformed or do not fit together (offsets out of order, lengths that differ)";
        SAMPLE_NEGATIVE_PERIOD = "sample.negative_period" [host]:
            "A row of a period column holds a negative period";
        SAMPLE_NO_PERIOD = "sample.no_period" [70 SAMPLE_NO_PERIOD "no sampling period"]:
            "No sampling period: the period length is 0 or the time is before the offset (the device's `stepstone_sample_period_index`)";
    }

    /// Retry policies (`docs/retry.md`): a policy that does not make sense, and the rule that
    /// gave a hop up (`retry.attempts_per_hop` to `retry.elapsed`, reasons rather than errors).
    area retry "Retry policies" {
        RETRY_ZERO_ATTEMPTS = "retry.zero_attempts":
            "`attempts_per_hop` is 0";
        RETRY_JITTER_OUT_OF_RANGE = "retry.jitter_out_of_range":
            "`jitter_ppm` is above 1000000";
        RETRY_ZERO_FACTOR = "retry.zero_factor":
            "A kind's `factor` is 0";
        RETRY_CAP_BELOW_BASE = "retry.cap_below_base":
            "A kind's `cap_secs` is below its `base_secs`";
        RETRY_ZERO_LIMIT = "retry.zero_limit":
            "A kind's `max_failures`, or `give_up.max_total_attempts`, is 0";
        RETRY_JSON = "retry.json":
            "The retry policy is not JSON of the documented shape (or not UTF-8)";
        RETRY_UNKNOWN_KIND = "retry.unknown_kind":
            "A failure kind name other than `failed`, `timed_out`, `rejected`, `download_error`";
        RETRY_DUPLICATE_KIND = "retry.duplicate_kind":
            "A failure kind counted twice in a hop's counters";
        RETRY_FAILED_BEFORE_FIRST_ATTEMPT = "retry.failed_before_first_attempt":
            "A failure's `failed_at` is before the march's `first_attempt_at`";
        RETRY_ZERO_NUMBER = "retry.zero_number":
            "A backoff asked for failure `n` 0 or `attempt` 0 (both are numbered from 1)";
        RETRY_ATTEMPTS_PER_HOP = "retry.attempts_per_hop":
            "Gave up: `attempts_per_hop` attempts were made on this hop";
        RETRY_NOT_RETRIED = "retry.not_retried":
            "Gave up: a failure of this kind is not retried";
        RETRY_KIND_LIMIT = "retry.kind_limit":
            "Gave up: the kind's `max_failures` was reached on this hop";
        RETRY_TOTAL_ATTEMPTS = "retry.total_attempts":
            "Gave up: `give_up.max_total_attempts` was reached";
        RETRY_ELAPSED = "retry.elapsed":
            "Gave up: `give_up.max_elapsed_secs` passed since the first attempt";
    }

    /// Staged rollouts (`docs/rollout.md`): a rollout that does not make sense, a refused call,
    /// and why a rollout halted (`rollout.failure_count` to `rollout.operator`, reasons rather
    /// than errors).
    area rollout "Staged rollouts" {
        ROLLOUT_NO_STAGES = "rollout.no_stages":
            "A staged rollout has no stages";
        ROLLOUT_FRACTION_OUT_OF_RANGE = "rollout.fraction_out_of_range":
            "A fraction is above 1000000 ppm";
        ROLLOUT_FRACTIONS_DECREASE = "rollout.fractions_decrease":
            "A stage's fraction is below the previous stage's (devices would leave the rollout)";
        ROLLOUT_BAD_CONFIDENCE = "rollout.bad_confidence":
            "The confidence level's z is not a usable fraction (1 ≤ z_den ≤ 1000, z_num ≤ 100000)";
        ROLLOUT_FAILED_ABOVE_FINISHED = "rollout.failed_above_finished":
            "A stage's counts say more attempts failed than finished";
        ROLLOUT_MISSING_COUNT = "rollout.missing_count":
            "A count (`finished`, `failed`) is absent; it is not read as 0";
        ROLLOUT_BAD_COUNT = "rollout.bad_count":
            "A count is not a whole number from 0 to 2^32 − 1";
        ROLLOUT_UNKNOWN_STAGE = "rollout.unknown_stage":
            "A stage number past the rollout's last stage";
        ROLLOUT_NOT_HALTED = "rollout.not_halted":
            "`resume` on a rollout that is not halted";
        ROLLOUT_ALREADY_HALTED = "rollout.already_halted":
            "`halt` on a rollout that is already halted";
        ROLLOUT_JSON = "rollout.json":
            "The rollout is not JSON of the documented shape (or not UTF-8)";
        ROLLOUT_FAILURE_COUNT = "rollout.failure_count":
            "Halted: a stage's failures reached `max_failures`";
        ROLLOUT_FAILURE_RATE = "rollout.failure_rate":
            "Halted: a stage's observed failure rate is above `max_failure_rate_ppm`";
        ROLLOUT_FAILURE_RATE_CONFIDENT = "rollout.failure_rate_confident":
            "Halted: the Wilson lower bound of a stage's failure rate is above `max_failure_rate_ppm`";
        ROLLOUT_OPERATOR = "rollout.operator":
            "Halted by an operator";
    }

    /// Maintenance windows of the reconciler (`docs/reconciler.md`).
    area window "Maintenance windows" {
        WINDOW_DAY = "window.day":
            "A window's `day` is not 0 (Monday) to 6 (Sunday)";
        WINDOW_START_MINUTE = "window.start_minute":
            "A window's `start_minute` is 1440 or more";
        WINDOW_DURATION = "window.duration":
            "A window's `duration_minutes` is 0 or more than a week";
    }

    /// The reconciler's JSON sessions (`docs/reconciler.md`), as the bindings drive it.
    area reconcile "Reconciler" {
        RECONCILE_INVALID_JSON = "reconcile.invalid_json":
            "A JSON input of the reconciler (options, device state, event, windows) does not read";
        RECONCILE_NO_ROLLOUT = "reconcile.no_rollout":
            "A rollout call on a session without a rollout";
        RECONCILE_ROLLOUT_STATE_MISMATCH = "reconcile.rollout_state_mismatch":
            "A rollout state that does not belong to the session's rollout";
        RECONCILE_BAD_OPTION = "reconcile.bad_option":
            "A reconciler option out of range or in conflict with another (`job_ttl_secs` 0, `start` not before `end`, `rollout_started_at` with `rollout_state`)";
        RECONCILE_INVALID_TABLE = "reconcile.invalid_table":
            "A campaign table's wire form (`docs/schema/campaign-table.schema.json`) does not read: not JSON of the documented shape, a version not of its scheme, points out of order, answers that are not one per slot or name no release, or answers no plan gives (the target's slot not the one at the target; without downgrades, a hop that does not go up or goes past the target)";
        RECONCILE_TABLE_VERSION = "reconcile.table_version":
            "A campaign table's wire form of a `version` this build does not read (it reads 1)";
    }

    /// The fleet simulator (`stepstone simulate`, crate `stepstone-sim`). A campaign that
    /// cannot be built reports its `plan.*` code.
    area simulate "Fleet simulation" {
        SIMULATE_UNKNOWN_START = "simulate.unknown_start":
            "A start version is not a release of the catalog";
        SIMULATE_EMPTY_CATALOG = "simulate.empty_catalog":
            "The catalog has no releases";
        SIMULATE_RATE_OUT_OF_RANGE = "simulate.rate_out_of_range":
            "A rate is above 1000000 ppm";
    }

    /// The device port's own statuses (`docs/device.md`): its C boundary. Every other status
    /// it returns is listed with its area's code.
    area device "Device port" {
        DEVICE_NULL_POINTER = "device.null_pointer" [1 NULL_POINTER "NULL pointer"]:
            "A required pointer argument is NULL";
        DEVICE_BUFFER_TOO_SMALL = "device.buffer_too_small" [2 BUFFER_TOO_SMALL "buffer too small"]:
            "The output buffer or context is too small";
        DEVICE_BAD_CONTEXT = "device.bad_context" [3 BAD_CONTEXT "bad verify context"]:
            "The verify context was not initialised (or was already finished)";
        DEVICE_NOT_UTF8 = "device.not_utf8" [4 NOT_UTF8 "text not UTF-8"]:
            "A text argument is not UTF-8";
        DEVICE_BAD_ARGUMENT = "device.bad_argument" [5 BAD_ARGUMENT "bad argument"]:
            "An argument is out of range";
        DEVICE_PANIC = "device.panic" [6 PANIC "internal error"]:
            "Internal error (a panic was caught at the boundary)";
        DEVICE_UNKNOWN = "device.unknown" [7 UNKNOWN "unknown error"]:
            "An error without a device status code";
    }

    /// The CLI's own codes (`docs/cli.md`); exit 2.
    area cli "Command line" {
        CLI_USAGE = "cli.usage":
            "A usage error clap cannot express (for example `keygen --pub` equal to `--out`)";
        CLI_JSON = "cli.json":
            "The CLI could not write its JSON output";
    }

    /// What the CLI and the Python package need from the system: files (exit 2 in the CLI),
    /// the clock, the random source.
    area io "System" {
        IO_UNREADABLE = "io.unreadable":
            "A file (or stdin) cannot be read: missing, a directory, no permission";
        IO_UNWRITABLE = "io.unwritable":
            "A file cannot be written, or already exists where the command will not overwrite it";
        IO_CLOCK = "io.clock":
            "The system clock is before 1970";
        IO_RANDOM = "io.random":
            "The operating system's random source failed";
    }

    /// `stepstone next-hop` device lists (`docs/cli.md`): the header's codes refuse the whole
    /// list, the rows' codes one row (`error:<code>`).
    area csv "Device lists" {
        CSV_NO_HEADER = "csv.no_header":
            "The first row has several fields and names no column: CSV without a header";
        CSV_HEADER_UNKNOWN = "csv.header_unknown":
            "The header names a column other than `device_id`, `version`, `model`, `environment`";
        CSV_HEADER_DUPLICATE = "csv.header_duplicate":
            "The header names a column twice";
        CSV_HEADER_INCOMPLETE = "csv.header_incomplete":
            "The header has no `version` column, or no `device_id` column";
        CSV_MISSING_COLUMNS = "csv.missing_columns":
            "A row has fewer fields than the header";
        CSV_EXTRA_COLUMNS = "csv.extra_columns":
            "A row has more fields than the header, or a comma in the one-version-per-line form";
        CSV_EMPTY_DEVICE_ID = "csv.empty_device_id":
            "A row's `device_id` is empty (or only spaces)";
        CSV_NOT_UTF8 = "csv.not_utf8":
            "A cell the row needs is not UTF-8";
        CSV_UNCLOSED_QUOTE = "csv.unclosed_quote":
            "A quoted field opens and is never closed: the rest of the list would be one field (refuses the list after the rows before it)";
    }

    /// The bindings' own codes, for arguments they refuse before the core sees them; each
    /// starts with the binding's name. Everything else a binding raises is the core's code.
    area binding "Bindings" {
        JS_BAD_ARGUMENT = "js.bad_argument":
            "The JavaScript API refuses an argument: missing, of the wrong type, or out of range";
        JS_VERIFIER_FINISHED = "js.verifier_finished":
            "A call on a JavaScript verifier that already finished";
        JS_UNSUPPORTED_PLATFORM = "js.unsupported_platform":
            "The Node addon has no build for this platform, CPU or C library (use the WASM package)";
        JS_ADDON_UNAVAILABLE = "js.addon_unavailable":
            "The Node addon's package for this platform is not installed, does not load, or is another version";
        PYTHON_BAD_ARGUMENT = "python.bad_argument":
            "The Python package refuses an argument: missing, of the wrong type, or out of range";
        PYTHON_FINISHED = "python.finished":
            "A call on a Python object that already finished its one job (a verifier)";
        PYTHON_INTERNAL = "python.internal":
            "The Python package failed at its own part (a wire type that does not serialise, a poisoned lock); a bug";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sound() {
        assert_eq!(problem(), None);
        assert_eq!(ALL.len(), REGISTRY.len());
        for (i, c) in ALL.iter().enumerate() {
            assert_eq!(usize::from(c.index), i);
            assert_eq!(c.as_str(), REGISTRY[i].code);
            assert_eq!(Code::find(c.as_str()), Some(*c));
            let status = match REGISTRY[i].device {
                Device::Status(s) => Some(s.number),
                _ => None,
            };
            assert_eq!(c.device_status(), status, "{c}");
        }
        assert_eq!(Code::find("nowhere.nope"), None);
    }

    #[test]
    fn the_checks_catch_mistakes() {
        assert_eq!(prefix_len("plan.unreachable"), Some(4));
        assert_eq!(prefix_len("signed_catalog.too_large"), Some(14));
        for bad in [
            "plan", "plan.", ".x", "a.b.c", "Plan.x", "plan.X", "plan._x", "9a.b", "a-b.c",
        ] {
            assert_eq!(prefix_len(bad), None, "{bad}");
        }
        assert!(spelt_as("PLAN_UNREACHABLE", "plan.unreachable"));
        assert!(!spelt_as("PLAN_UNREACHABL", "plan.unreachable"));
        assert!(!spelt_as("PLAN_UNREACHABLF", "plan.unreachable"));
        assert!(one_line("A thing"));
        assert!(one_line("`now` is 0"));
        for bad in ["", "a thing", "A thing.", "A | B", "A\nB"] {
            assert!(!one_line(bad), "{bad:?}");
        }
        assert!(short_ascii("no path to target"));
        for bad in [
            "",
            "caf\u{e9}",
            "a\0b",
            "tab\there",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ] {
            assert!(!short_ascii(bad), "{bad:?}");
        }
    }
}
