//! Firmware catalogs: releases with their versions, constraints, sizes, digests and deltas,
//! validated as a whole.
//!
//! A [`Catalog`] is built either from JSON ([`Catalog::from_json`], feature `serde`) or from
//! [`Release`] values ([`Catalog::new`]). Either way every rule is checked and *every* problem
//! is reported at once, as a [`CatalogErrors`] list of typed [`CatalogError`]s, each with a
//! stable code and the offending value.
//!
//! ```
//! use stepstone::catalog::Catalog;
//! let json = r#"{ "releases": [
//!     { "version": "v64000", "size": 1000 },
//!     { "version": "v65000", "min_sw_version": "v64000", "size": 1200 } ] }"#;
//! let catalog = Catalog::from_json(json).unwrap();
//! assert_eq!(catalog.releases().len(), 2);
//! assert_eq!(catalog.scheme(), stepstone::version::Scheme::Integer);
//!
//! let bad = r#"{ "releases": [ { "version": "v64000" }, { "version": "64000", "colour": 1 } ] }"#;
//! let errors = Catalog::from_json(bad).unwrap_err();
//! let codes: Vec<_> = errors.iter().map(|e| stepstone::ErrorCode::code(e)).collect();
//! assert_eq!(codes, ["catalog.unknown_field", "catalog.duplicate_version"]);
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::{Code, ErrorCode, Quoted, Registered, codes};
use crate::text::{push_text, text};
use crate::version::{Scheme, Version, VersionError, VersionKey, VersionRange};

mod axes;
#[cfg(feature = "serde")]
mod json;
#[cfg(feature = "serde")]
mod scan;
#[cfg(feature = "serde")]
mod tree;
#[cfg(feature = "serde")]
mod typed;

/// Largest accepted image or delta size: 2^53 − 1 bytes, the largest integer every JSON
/// consumer (JavaScript included) keeps exact.
pub const MAX_SIZE: u64 = (1 << 53) - 1;

/// A binary delta that updates `from` to the release that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Delta {
    /// The version the delta applies to (need not be in the catalog).
    pub from: Version,
    /// Download size in bytes.
    pub size: u64,
    /// SHA-256 of the delta file, if known.
    #[cfg_attr(
        feature = "serde",
        serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "json::hex_opt::serialize"
        )
    )]
    pub sha256: Option<[u8; 32]>,
}

/// One firmware release.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Release {
    /// The release's version, as the catalog spells it.
    pub version: Version,
    /// Informational kind (`major`, `minor`, ...); planning does not read it.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub kind: Option<String>,
    /// A device must run at least this version to install the release.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub min_sw_version: Option<Version>,
    /// Full image size in bytes.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub size: Option<u64>,
    /// SHA-256 of the full image.
    #[cfg_attr(
        feature = "serde",
        serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "json::hex_opt::serialize"
        )
    )]
    pub sha256: Option<[u8; 32]>,
    /// Device models the release is for; `None` means every model.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub models: Option<Vec<String>>,
    /// Environments the release is for; `None` means every environment.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub environments: Option<Vec<String>>,
    /// Withdrawn: never installed, never a stepping stone.
    pub yanked: bool,
    /// Every later release needs at least this one (Fedora CoreOS barriers).
    pub barrier: bool,
    /// No automatic update leaves this release.
    pub deadend: bool,
    /// Versions from which this release must not be installed directly (OpenShift's blocked
    /// edges).
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "Vec::is_empty", serialize_with = "json::ranges")
    )]
    pub blocked_from: Vec<VersionRange>,
    /// Deltas to this release from older versions.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub deltas: Vec<Delta>,
}

impl Release {
    /// A release with only a version: no constraints, every model and environment.
    pub fn new(version: Version) -> Release {
        Release {
            version,
            kind: None,
            min_sw_version: None,
            size: None,
            sha256: None,
            models: None,
            environments: None,
            yanked: false,
            barrier: false,
            deadend: false,
            blocked_from: Vec::new(),
            deltas: Vec::new(),
        }
    }

    /// Whether a device of `model` may install this release (`None`: the device does not say).
    pub fn fits_model(&self, model: Option<&str>) -> bool {
        fits(self.models.as_deref(), model)
    }

    /// Whether a device in `environment` may install this release.
    pub fn fits_environment(&self, environment: Option<&str>) -> bool {
        fits(self.environments.as_deref(), environment)
    }

    /// Whether `from` is in this release's `blocked_from`.
    pub fn is_blocked_from(&self, from: &VersionKey) -> bool {
        self.blocked_from.iter().any(|r| r.contains(from))
    }

    /// The delta from exactly `from`, if the catalog has one.
    pub fn delta_from(&self, from: &VersionKey) -> Option<&Delta> {
        self.deltas.iter().find(|d| d.from.key() == from)
    }
}

fn fits(list: Option<&[String]>, wanted: Option<&str>) -> bool {
    match (list, wanted) {
        (Some(list), Some(w)) => list.iter().any(|m| m == w),
        // An empty list is for no device, whether the question names one or not.
        (Some(list), None) => !list.is_empty(),
        (None, _) => true,
    }
}

/// A validated catalog: one scheme, releases sorted by version, no duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Catalog {
    scheme: Scheme,
    releases: Vec<Release>,
    /// Which models and environments the releases name, and whether answers depend on them.
    #[cfg_attr(feature = "serde", serde(skip))]
    axes: axes::Axes,
}

impl Catalog {
    /// Validates releases of one scheme and sorts them by version.
    ///
    /// ```
    /// use stepstone::catalog::{Catalog, Release};
    /// use stepstone::version::{Scheme, Version};
    /// let v = |s| Version::parse(s, Scheme::Integer).unwrap();
    /// let mut r = Release::new(v("v65000"));
    /// r.min_sw_version = Some(v("v65000"));
    /// let err = Catalog::new(Scheme::Integer, vec![r]).unwrap_err();
    /// assert_eq!(stepstone::ErrorCode::code(&err), "catalog.min_sw_not_lower");
    /// ```
    pub fn new(scheme: Scheme, releases: Vec<Release>) -> Result<Catalog, CatalogErrors> {
        let mut errors = Vec::new();
        let catalog = Catalog::assemble(scheme, releases, &Origins::AsGiven, &mut errors);
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(CatalogErrors(errors))
        }
    }

    /// Checks every rule, appends what is wrong to `errors`, and sorts what it was given.
    /// `origins` tells where each release was in the input (`releases[i]` in JSON), which
    /// errors name.
    fn assemble(
        scheme: Scheme,
        releases: Vec<Release>,
        origins: &Origins,
        errors: &mut Vec<CatalogError>,
    ) -> Catalog {
        for (i, r) in releases.iter().enumerate() {
            let at = || label(origins.index(i), r.version.as_str());
            let delta = |j: usize| origins.delta_index(i, j);
            // Field names are spelt only for an error: a valid catalog allocates nothing here.
            let versions = core::iter::once((VersionField::Version, &r.version))
                .chain(r.min_sw_version.iter().map(|m| (VersionField::MinSw, m)))
                .chain(
                    r.deltas
                        .iter()
                        .enumerate()
                        .map(|(j, d)| (VersionField::DeltaFrom(delta(j)), &d.from)),
                )
                .chain(r.blocked_from.iter().enumerate().flat_map(|(j, b)| {
                    b.comparators()
                        .iter()
                        .map(move |c| (VersionField::Blocked(j), &c.version))
                }));
            // The JSON walk (`Origins::Listed`) parses every version and range in `scheme`, so
            // only releases given as values can mix schemes: a build that only reads JSON (the
            // plan WASM module) then links no code for this check.
            let misfit = match origins {
                Origins::AsGiven => versions.into_iter().find(|(_, v)| v.scheme() != scheme),
                Origins::Listed(_) => None,
            };
            if let Some((field, other)) = misfit {
                errors.push(CatalogError::MixedScheme {
                    release: at(),
                    field: field.name(),
                    version: other.as_str().into(),
                    scheme,
                });
            }
            // Versions of two schemes do not compare: a misfit is reported once, above.
            let comparable = |v: &Version| v.scheme() == scheme && r.version.scheme() == scheme;
            if let Some(min) = &r.min_sw_version
                && comparable(min)
                && min >= &r.version
            {
                errors.push(CatalogError::MinSwNotLower {
                    release: at(),
                    min_sw_version: min.as_str().into(),
                });
            }
            let sizes = r.size.iter().map(|s| (None, s)).chain(
                r.deltas
                    .iter()
                    .enumerate()
                    .map(|(j, d)| (Some(delta(j)), &d.size)),
            );
            for (field, size) in sizes {
                if *size == 0 || *size > MAX_SIZE {
                    let mut release = text!(at(), '.');
                    match field {
                        None => release.push_str("size"),
                        Some(j) => push_text!(&mut release; "deltas[", j, "].size"),
                    }
                    errors.push(CatalogError::BadSize {
                        release,
                        value: text!(size),
                    });
                }
            }
            for (j, d) in r.deltas.iter().enumerate() {
                if comparable(&d.from) && d.from >= r.version {
                    errors.push(CatalogError::DeltaNotLower {
                        release: at(),
                        index: delta(j),
                        from: d.from.as_str().into(),
                    });
                }
                if let Some(k) = r.deltas.iter().take(j).position(|e| e.from == d.from) {
                    errors.push(CatalogError::DuplicateDelta {
                        release: at(),
                        index: delta(j),
                        first_index: delta(k),
                        from: d.from.as_str().into(),
                    });
                }
            }
        }
        // A catalog is usually written in order: then nothing moves. Otherwise a stable sort
        // keeps the catalog's order among duplicates, so "first" is the one written first.
        let (releases, given) = if releases.is_sorted_by(|a, b| a.version <= b.version) {
            (releases, None)
        } else {
            let given = stable_order(releases.len(), &|a, b| {
                let version = |i: usize| releases.get(i).map(|r| &r.version);
                version(a).cmp(&version(b))
            });
            let mut slots: Vec<Option<Release>> = releases.into_iter().map(Some).collect();
            let releases = given
                .iter()
                .filter_map(|&i| slots.get_mut(i)?.take())
                .collect();
            (releases, Some(given))
        };
        // The input index of the release now at `k`.
        let index = |k: usize| origins.index(given.as_ref().map_or(k, |g| g[k]));
        let mut first = 0;
        for (k, r) in releases.iter().enumerate() {
            match releases.get(first) {
                Some(f) if k > first && f.version == r.version => {
                    errors.push(CatalogError::DuplicateVersion {
                        version: r.version.as_str().into(),
                        index: index(k),
                        first: f.version.as_str().into(),
                        first_index: index(first),
                    });
                }
                _ => first = k,
            }
        }
        let axes = axes::Axes::of(&releases);
        Catalog {
            scheme,
            releases,
            axes,
        }
    }

    /// Every model a release names, sorted (empty: the catalog names none and fits any model).
    pub fn models(&self) -> &[String] {
        self.axes.models.names()
    }

    /// Every environment a release names, sorted (empty: any environment).
    pub fn environments(&self) -> &[String] {
        self.axes.environments.names()
    }

    /// Whether answers can differ by model: the releases (yanked ones included) do not all
    /// name the same models. Then a question must state the device's model.
    pub fn model_required(&self) -> bool {
        self.axes.models.matters()
    }

    /// Whether answers can differ by environment (as [`Catalog::model_required`]).
    pub fn environment_required(&self) -> bool {
        self.axes.environments.matters()
    }

    /// Checks the device a question states: no model where answers differ by model is
    /// `plan.model_required`, a model no release names is `plan.unknown_model` (a catalog that
    /// names none takes any); likewise `plan.environment_required` and
    /// `plan.unknown_environment`. Every plan, next hop, explanation, campaign table and graph
    /// asks this first.
    ///
    /// ```
    /// use stepstone::catalog::Catalog;
    /// use stepstone::ErrorCode;
    /// let c = Catalog::from_json(r#"{"releases": [
    ///   {"version": "1.0.0"}, {"version": "2.1.0", "models": ["GW-100"]}]}"#).unwrap();
    /// let e = c.check_device(None, None).unwrap_err();
    /// assert_eq!((e.code(), e.to_string().as_str()), ("plan.model_required",
    ///     "this catalog's releases differ by model (GW-100): state the device's model"));
    /// let e = c.check_device(Some("GW-300"), None).unwrap_err();
    /// assert_eq!((e.code(), e.to_string().as_str()), ("plan.unknown_model",
    ///     "unknown model \"GW-300\": the catalog's releases name GW-100"));
    /// assert!(c.check_device(Some("GW-100"), Some("anywhere")).is_ok());
    /// ```
    pub fn check_device(
        &self,
        model: Option<&str>,
        environment: Option<&str>,
    ) -> Result<(), crate::plan::PlanError> {
        use crate::plan::PlanError;
        let (m, e) = (&self.axes.models, &self.axes.environments);
        match model {
            None if m.matters() => {
                return Err(PlanError::ModelRequired { models: m.listed() });
            }
            Some(name) if !m.knows(name) => {
                return Err(PlanError::UnknownModel {
                    model: crate::error::clip(name),
                    known: m.listed(),
                });
            }
            _ => {}
        }
        match environment {
            None if e.matters() => Err(PlanError::EnvironmentRequired {
                environments: e.listed(),
            }),
            Some(name) if !e.knows(name) => Err(PlanError::UnknownEnvironment {
                environment: crate::error::clip(name),
                known: e.listed(),
            }),
            _ => Ok(()),
        }
    }

    /// The catalog's version scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// All releases, sorted by version, lowest first.
    pub fn releases(&self) -> &[Release] {
        &self.releases
    }

    /// The position of `version` in [`Catalog::releases`], if it is a release.
    pub fn index_of(&self, version: &VersionKey) -> Option<usize> {
        self.releases
            .binary_search_by(|r| r.version.key().cmp(version))
            .ok()
    }

    /// The release with this version, if any.
    pub fn get(&self, version: &VersionKey) -> Option<&Release> {
        self.index_of(version).and_then(|i| self.releases.get(i))
    }

    /// Parses a version in the catalog's scheme.
    pub fn parse_version(&self, text: &str) -> Result<Version, VersionError> {
        Version::parse(text, self.scheme)
    }
}

/// One problem found in a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CatalogError {
    /// The text is not JSON, or not the expected JSON shape.
    Json {
        /// The parser's message.
        message: String,
    },
    /// A field of the wrong JSON type.
    InvalidType {
        /// Where (`releases[2].size`).
        at: String,
        /// What was expected.
        expected: &'static str,
        /// What was there, clipped.
        found: String,
    },
    /// A field that catalogs do not have, with the known field it is likely a misspelling of.
    UnknownField {
        /// Where (`releases[3] (v66001)`, `releases[3] (v66001).deltas[0]`, `catalog`).
        at: String,
        /// The field's name.
        field: String,
        /// The known field within two edits of it, or equal but for case, `_` and `-`.
        suggestion: Option<&'static str>,
    },
    /// A required field is absent.
    MissingField {
        /// Where.
        at: String,
        /// The field's name.
        field: &'static str,
    },
    /// `scheme` names no known scheme.
    UnknownScheme {
        /// The value given.
        value: String,
        /// The scheme it is likely a misspelling of.
        suggestion: Option<&'static str>,
    },
    /// No scheme fits every version.
    NoScheme {
        /// The scheme that fits the most versions.
        best: Scheme,
        /// The versions that do not fit it.
        versions: Vec<String>,
        /// Where each of them is (`releases[1].version`), in the same order.
        at: Vec<String>,
    },
    /// A version that is not of the catalog's scheme.
    MalformedVersion {
        /// Where.
        at: String,
        /// What is wrong with it.
        error: VersionError,
    },
    /// A blocked_from entry that is not a range.
    BadRange {
        /// Where.
        at: String,
        /// What is wrong with it.
        error: VersionError,
    },
    /// A version given to [`Catalog::new`] in another scheme than the catalog's.
    MixedScheme {
        /// The release (`releases[3] (v66001)`).
        release: String,
        /// The field holding the misfit (`version`, `min_sw_version`, `deltas[0].from`,
        /// `blocked_from[1]`).
        field: String,
        /// The misfit.
        version: String,
        /// The catalog's scheme.
        scheme: Scheme,
    },
    /// Two releases with the same version (`v2` and `2`, `4.2` and `4.2.0`, `1.0.0+a` and
    /// `1.0.0+b` are each one version).
    DuplicateVersion {
        /// The later spelling.
        version: String,
        /// The later release's index in the catalog.
        index: usize,
        /// The first spelling.
        first: String,
        /// The first release's index in the catalog.
        first_index: usize,
    },
    /// A `min_sw_version` not lower than its release.
    MinSwNotLower {
        /// The release (`releases[3] (v66001)`).
        release: String,
        /// Its min_sw_version.
        min_sw_version: String,
    },
    /// A delta from a version not lower than its release.
    DeltaNotLower {
        /// The release (`releases[3] (v66001)`).
        release: String,
        /// The delta's index in the release's `deltas`.
        index: usize,
        /// The delta's base.
        from: String,
    },
    /// Two deltas from the same base.
    DuplicateDelta {
        /// The release (`releases[3] (v66001)`).
        release: String,
        /// The later delta's index.
        index: usize,
        /// The first delta's index.
        first_index: usize,
        /// The later delta's base.
        from: String,
    },
    /// A size that is zero, negative, fractional, or above 2^53 − 1.
    BadSize {
        /// The release and field (`releases[3] (v66001).deltas[0].size`).
        release: String,
        /// The value as written.
        value: String,
    },
    /// A sha256 that is not 64 hex digits.
    BadSha256 {
        /// The release and field (`releases[3] (v66001).sha256`).
        release: String,
        /// The value as written, clipped.
        value: String,
    },
}

impl CatalogError {
    /// The message [`Display`](core::fmt::Display) shows, built without `core::fmt` (the
    /// plan WASM module links none for it).
    ///
    /// ```
    /// use stepstone::catalog::Catalog;
    /// let errors = Catalog::from_json(r#"{"releases": [{"version": "v1", "szie": 1}]}"#).unwrap_err();
    /// let e = errors.iter().next().unwrap();
    /// assert_eq!(e.message(), r#"releases[0] (v1): unknown field "szie"; did you mean "size"?"#);
    /// assert_eq!(e.message(), e.to_string());
    /// ```
    pub fn message(&self) -> String {
        match self {
            CatalogError::Json { message } => text!("catalog is not valid JSON: ", message),
            CatalogError::InvalidType {
                at,
                expected,
                found,
            } => text!(at, ": expected ", expected, ", found ", found),
            CatalogError::UnknownField {
                at,
                field,
                suggestion,
            } => {
                let mut m = text!(at, ": unknown field ", Quoted(field));
                push_did_you_mean(&mut m, *suggestion);
                m
            }
            CatalogError::MissingField { at, field } => {
                text!(at, ": missing field ", Quoted(field))
            }
            CatalogError::UnknownScheme { value, suggestion } => {
                let mut m = text!(
                    "catalog.scheme: unknown scheme ",
                    Quoted(value),
                    " (expected integer, semver or dotted)"
                );
                push_did_you_mean(&mut m, *suggestion);
                m
            }
            CatalogError::NoScheme { best, versions, at } => {
                let mut m = text!(
                    "no version scheme fits every version: the closest, ",
                    best,
                    ", does not fit "
                );
                push_misfits(&mut m, at, versions);
                m
            }
            CatalogError::MalformedVersion { at, error } => text!(at, ": ", error),
            CatalogError::BadRange { at, error } => {
                let mut m = text!(at, ": ");
                push_bad_range(&mut m, error);
                m
            }
            CatalogError::MixedScheme {
                release,
                field,
                version,
                scheme,
            } => text!(
                release,
                '.',
                field,
                ": ",
                Quoted(version),
                " is not of the catalog's scheme (",
                scheme,
                ')'
            ),
            CatalogError::DuplicateVersion {
                version,
                index,
                first,
                first_index,
            } => text!(
                "releases[",
                index,
                "] (",
                version,
                ") duplicates releases[",
                first_index,
                "] (",
                first,
                ')'
            ),
            CatalogError::MinSwNotLower {
                release,
                min_sw_version,
            } => text!(
                release,
                ".min_sw_version: ",
                Quoted(min_sw_version),
                " is not lower than the release"
            ),
            CatalogError::DeltaNotLower {
                release,
                index,
                from,
            } => {
                let mut m = delta_from(release, *index, from);
                m.push_str(" is not lower than the release");
                m
            }
            CatalogError::DuplicateDelta {
                release,
                index,
                first_index,
                from,
            } => {
                let mut m = delta_from(release, *index, from);
                push_text!(&mut m; " is the same version as deltas[", first_index, "].from");
                m
            }
            CatalogError::BadSize { release, value } => text!(
                release,
                ": bad size ",
                value,
                " (expected a whole number of bytes from 1 to 9007199254740991)"
            ),
            CatalogError::BadSha256 { release, value } => text!(
                release,
                ": bad sha256 ",
                Quoted(value),
                " (expected 64 hex digits)"
            ),
        }
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for CatalogError {}

impl Registered for CatalogError {
    fn registered(&self) -> Code {
        match self {
            CatalogError::Json { .. } => codes::CATALOG_JSON,
            CatalogError::InvalidType { .. } => codes::CATALOG_INVALID_TYPE,
            CatalogError::UnknownField { .. } => codes::CATALOG_UNKNOWN_FIELD,
            CatalogError::MissingField { .. } => codes::CATALOG_MISSING_FIELD,
            CatalogError::UnknownScheme { .. } => codes::CATALOG_UNKNOWN_SCHEME,
            CatalogError::NoScheme { .. } => codes::CATALOG_NO_SCHEME,
            CatalogError::MalformedVersion { .. } => codes::CATALOG_MALFORMED_VERSION,
            CatalogError::BadRange { .. } => codes::CATALOG_BAD_RANGE,
            CatalogError::MixedScheme { .. } => codes::CATALOG_MIXED_SCHEME,
            CatalogError::DuplicateVersion { .. } => codes::CATALOG_DUPLICATE_VERSION,
            CatalogError::MinSwNotLower { .. } => codes::CATALOG_MIN_SW_NOT_LOWER,
            CatalogError::DeltaNotLower { .. } => codes::CATALOG_DELTA_NOT_LOWER,
            CatalogError::DuplicateDelta { .. } => codes::CATALOG_DUPLICATE_DELTA,
            CatalogError::BadSize { .. } => codes::CATALOG_BAD_SIZE,
            CatalogError::BadSha256 { .. } => codes::CATALOG_BAD_SHA256,
        }
    }
}

impl ErrorCode for CatalogError {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

/// Where each release given to `Catalog::assemble` was in the input, for error messages.
pub(crate) enum Origins {
    /// The `i`th release is `releases[i]`, with its deltas as given.
    AsGiven,
    /// Per release: its index in the input's `releases`, and the input index of each of its
    /// deltas (JSON that failed to read leaves some out). Only the JSON walk makes one.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    Listed(Vec<(usize, Vec<usize>)>),
}

impl Origins {
    /// The input index of the `i`th release.
    fn index(&self, i: usize) -> usize {
        match self {
            Origins::AsGiven => i,
            Origins::Listed(list) => list.get(i).map_or(i, |(index, _)| *index),
        }
    }

    /// The input index of the `i`th release's `j`th delta.
    fn delta_index(&self, i: usize, j: usize) -> usize {
        match self {
            Origins::AsGiven => j,
            Origins::Listed(list) => list
                .get(i)
                .and_then(|(_, deltas)| deltas.get(j).copied())
                .unwrap_or(j),
        }
    }
}

/// A release's field that holds a version, for [`CatalogError::MixedScheme`].
#[derive(Clone, Copy)]
enum VersionField {
    Version,
    MinSw,
    /// The delta's index in the input.
    DeltaFrom(usize),
    /// The entry's index in `blocked_from`.
    Blocked(usize),
}

impl VersionField {
    fn name(self) -> String {
        match self {
            VersionField::Version => String::from("version"),
            VersionField::MinSw => String::from("min_sw_version"),
            VersionField::DeltaFrom(j) => text!("deltas[", j, "].from"),
            VersionField::Blocked(j) => text!("blocked_from[", j, ']'),
        }
    }
}

/// The indices `0..n` in the order a stable sort by `cmp` puts them (equal ones keep their
/// order). The plan area's stable sorts go through it, so the WASM module links one sort
/// instead of a merge sort per element type (each about 0.5 KB of code).
///
/// ```text
/// stable_order(3, |a, b| key[a].cmp(&key[b])) with key = [2, 1, 2] gives [1, 0, 2]
/// ```
pub(crate) fn stable_order(
    n: usize,
    cmp: &dyn Fn(usize, usize) -> core::cmp::Ordering,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
    order
}

/// How errors name a release: `releases[3] (v66001)`.
pub(crate) fn label(index: usize, version: &str) -> String {
    text!("releases[", index, "] (", crate::error::clip(version), ')')
}

/// `releases[3] (v66001).deltas[0].from: "v66002"`: the start of a delta's message.
fn delta_from(release: &str, index: usize, from: &str) -> String {
    text!(release, ".deltas[", index, "].from: ", Quoted(from))
}

/// Appends `; did you mean "min_sw_version"?`, or nothing.
fn push_did_you_mean(out: &mut String, suggestion: Option<&str>) {
    if let Some(s) = suggestion {
        push_text!(out; "; did you mean ", Quoted(s), '?');
    }
}

/// Appends `releases[1].version "1.2.3.4", releases[2] (1.2.3).min_sw_version "x"` (at most
/// five, then how many more).
fn push_misfits(out: &mut String, at: &[String], versions: &[String]) {
    const SHOWN: usize = 5;
    for (i, (a, v)) in at.iter().zip(versions).take(SHOWN).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_text!(out; a, ' ', Quoted(v));
    }
    if versions.len() > SHOWN {
        push_text!(out; " and ", versions.len() - SHOWN, " more");
    }
}

/// Appends a range's error in words: the range is named, not taken for a version.
fn push_bad_range(out: &mut String, e: &VersionError) {
    match e.kind {
        crate::version::VersionErrorKind::EmptyRange => push_text!(out; e),
        kind => push_text!(out;
            Quoted(&e.value),
            " is not a range of ",
            e.scheme,
            " versions (",
            kind.text(),
            ')'
        ),
    }
}

/// Every problem found in a catalog (never empty), in the order of the catalog text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogErrors(pub Vec<CatalogError>);

impl CatalogErrors {
    /// Iterates over the errors.
    pub fn iter(&self) -> core::slice::Iter<'_, CatalogError> {
        self.0.iter()
    }

    /// The errors as JSON, `[{"code", "message"}]` in order: what `validate` gives in the JS
    /// packages (a valid catalog's list is `[]`).
    ///
    /// ```
    /// use stepstone::catalog::Catalog;
    /// let errors = Catalog::from_json(r#"{"releases": [{"version": "v1", "size": -1}]}"#).unwrap_err();
    /// assert_eq!(errors.to_json(), concat!(r#"[{"code":"catalog.bad_size","message":"releases[0] (v1).size: bad size -1 "#,
    ///     r#"(expected a whole number of bytes from 1 to 9007199254740991)"}]"#));
    /// ```
    pub fn to_json(&self) -> String {
        let mut w = crate::json_write::Writer::compact();
        w.begin_array();
        for e in &self.0 {
            w.begin_object();
            w.field_str("code", e.code());
            w.field_str("message", &e.message());
            w.end_object();
        }
        w.end_array();
        w.finish()
    }
}

impl Registered for CatalogErrors {
    /// The code of the first error (`catalog.invalid` when there is none).
    fn registered(&self) -> Code {
        self.0
            .first()
            .map_or(codes::CATALOG_INVALID, Registered::registered)
    }
}

impl ErrorCode for CatalogErrors {
    /// The code of the first error.
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

impl CatalogErrors {
    /// The errors' messages joined by `; `: what [`Display`](core::fmt::Display) shows, built
    /// without `core::fmt`.
    pub fn message(&self) -> String {
        let mut out = String::new();
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            out.push_str(&e.message());
        }
        out
    }
}

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for CatalogErrors {}

impl<'a> IntoIterator for &'a CatalogErrors {
    type Item = &'a CatalogError;
    type IntoIter = core::slice::Iter<'a, CatalogError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn releases_built_in_code_are_named_by_their_position() {
        let v = |s, scheme| Version::parse(s, scheme).unwrap();
        let int = |s| v(s, Scheme::Integer);
        let mut a = Release::new(int("v3"));
        a.min_sw_version = Some(v("1.2.3", Scheme::Semver));
        a.size = Some(0);
        let mut b = Release::new(int("v2"));
        b.deltas = alloc::vec![
            Delta {
                from: int("1"),
                size: 1,
                sha256: None
            },
            Delta {
                from: int("v5"),
                size: MAX_SIZE + 1,
                sha256: None
            },
        ];
        let c = Release::new(int("2"));
        let err = Catalog::new(Scheme::Integer, alloc::vec![a, b, c]).unwrap_err();
        let got: Vec<String> = err
            .iter()
            .map(|e| alloc::format!("[{}] {e}", e.code()))
            .collect();
        assert_eq!(
            got,
            [
                r#"[catalog.mixed_scheme] releases[0] (v3).min_sw_version: "1.2.3" is not of the catalog's scheme (integer)"#,
                "[catalog.bad_size] releases[0] (v3).size: bad size 0 (expected a whole number of bytes from 1 to 9007199254740991)",
                "[catalog.bad_size] releases[1] (v2).deltas[1].size: bad size 9007199254740992 (expected a whole number of bytes from 1 to 9007199254740991)",
                r#"[catalog.delta_not_lower] releases[1] (v2).deltas[1].from: "v5" is not lower than the release"#,
                "[catalog.duplicate_version] releases[2] (2) duplicates releases[1] (v2)",
            ]
        );
        // The list reads as one message, and its code is the first error's.
        assert_eq!(err.code(), "catalog.mixed_scheme");
        assert!(err.to_string().contains("(integer); releases[0] (v3).size"));
    }

    /// Every variant's message, word for word what its former `#[error(...)]` attribute wrote
    /// (the attributes' format strings are kept here, with `format!`, as the reference).
    #[test]
    fn messages_are_the_texts_the_error_attributes_wrote() {
        let q = |s: &str| alloc::format!("{}", Quoted(s));
        let dym = |s: Option<&str>| {
            s.map_or_else(String::new, |s| {
                alloc::format!("; did you mean {}?", Quoted(s))
            })
        };
        let at = String::from("releases[3] (v66001)");
        let odd = String::from("q\"\\\n\u{1}é");
        let mut cases: Vec<(CatalogError, String)> = Vec::new();
        cases.push((
            CatalogError::Json {
                message: odd.clone(),
            },
            alloc::format!("catalog is not valid JSON: {odd}"),
        ));
        cases.push((
            CatalogError::InvalidType {
                at: at.clone(),
                expected: "a string",
                found: odd.clone(),
            },
            alloc::format!("{at}: expected a string, found {odd}"),
        ));
        for suggestion in [None, Some("min_sw_version")] {
            cases.push((
                CatalogError::UnknownField {
                    at: at.clone(),
                    field: odd.clone(),
                    suggestion,
                },
                alloc::format!("{at}: unknown field {}{}", q(&odd), dym(suggestion)),
            ));
            cases.push((
                CatalogError::UnknownScheme {
                    value: odd.clone(),
                    suggestion,
                },
                alloc::format!(
                    "catalog.scheme: unknown scheme {} (expected integer, semver or dotted){}",
                    q(&odd),
                    dym(suggestion)
                ),
            ));
        }
        cases.push((
            CatalogError::MissingField {
                at: at.clone(),
                field: "version",
            },
            alloc::format!("{at}: missing field {}", q("version")),
        ));
        for n in [0, 1, 5, 6, 12] {
            let versions: Vec<String> = (0..n).map(|i| alloc::format!("1.2.3.{i}\"")).collect();
            let wheres: Vec<String> = (0..n)
                .map(|i| alloc::format!("releases[{i}].version"))
                .collect();
            let mut listed = String::new();
            for (i, (a, v)) in wheres.iter().zip(&versions).take(5).enumerate() {
                if i > 0 {
                    listed.push_str(", ");
                }
                listed.push_str(&alloc::format!("{a} {}", Quoted(v)));
            }
            if n > 5 {
                listed.push_str(&alloc::format!(" and {} more", n - 5));
            }
            cases.push((
                CatalogError::NoScheme {
                    best: Scheme::Semver,
                    versions,
                    at: wheres,
                },
                alloc::format!(
                    "no version scheme fits every version: the closest, {}, does not fit {listed}",
                    Scheme::Semver
                ),
            ));
        }
        for kind in crate::text::tests::KINDS {
            for scheme in [Scheme::Integer, Scheme::Semver, Scheme::Dotted] {
                let error = VersionError {
                    kind,
                    value: odd.clone(),
                    scheme,
                };
                cases.push((
                    CatalogError::MalformedVersion {
                        at: at.clone(),
                        error: error.clone(),
                    },
                    alloc::format!("{at}: {error}"),
                ));
                let range = match kind {
                    crate::version::VersionErrorKind::EmptyRange => alloc::format!("{error}"),
                    kind => alloc::format!(
                        "{} is not a range of {} versions ({kind})",
                        Quoted(&error.value),
                        error.scheme
                    ),
                };
                cases.push((
                    CatalogError::BadRange {
                        at: at.clone(),
                        error,
                    },
                    alloc::format!("{at}: {range}"),
                ));
            }
        }
        cases.push((
            CatalogError::MixedScheme {
                release: at.clone(),
                field: "deltas[2].from".into(),
                version: odd.clone(),
                scheme: Scheme::Dotted,
            },
            alloc::format!(
                "{at}.deltas[2].from: {} is not of the catalog's scheme ({})",
                q(&odd),
                Scheme::Dotted
            ),
        ));
        cases.push((
            CatalogError::DuplicateVersion {
                version: "v2".into(),
                index: 17,
                first: "2".into(),
                first_index: usize::MAX,
            },
            alloc::format!("releases[17] (v2) duplicates releases[{}] (2)", usize::MAX),
        ));
        cases.push((
            CatalogError::MinSwNotLower {
                release: at.clone(),
                min_sw_version: odd.clone(),
            },
            alloc::format!(
                "{at}.min_sw_version: {} is not lower than the release",
                q(&odd)
            ),
        ));
        cases.push((
            CatalogError::DeltaNotLower {
                release: at.clone(),
                index: 0,
                from: odd.clone(),
            },
            alloc::format!(
                "{at}.deltas[0].from: {} is not lower than the release",
                q(&odd)
            ),
        ));
        cases.push((
            CatalogError::DuplicateDelta {
                release: at.clone(),
                index: 10,
                first_index: 9,
                from: odd.clone(),
            },
            alloc::format!(
                "{at}.deltas[10].from: {} is the same version as deltas[9].from",
                q(&odd)
            ),
        ));
        cases.push((
            CatalogError::BadSize { release: alloc::format!("{at}.size"), value: "-1.5e3".into() },
            alloc::format!(
                "{at}.size: bad size -1.5e3 (expected a whole number of bytes from 1 to 9007199254740991)"
            ),
        ));
        cases.push((
            CatalogError::BadSha256 {
                release: alloc::format!("{at}.sha256"),
                value: odd.clone(),
            },
            alloc::format!(
                "{at}.sha256: bad sha256 {} (expected 64 hex digits)",
                q(&odd)
            ),
        ));
        // Every variant is among the cases.
        assert_eq!(crate::text::tests::same_messages(&cases), 15);
        // The list joins them with "; ".
        let list = CatalogErrors(cases.iter().map(|(e, _)| e.clone()).collect());
        let joined: Vec<&str> = cases.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(list.message(), joined.join("; "));
        assert_eq!(list.to_string(), joined.join("; "));
    }

    #[test]
    fn a_label_clips_what_it_quotes() {
        assert_eq!(label(3, "v66001"), "releases[3] (v66001)");
        assert!(label(0, &"9".repeat(1000)).len() < 200);
    }
}
