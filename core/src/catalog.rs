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

use crate::error::ErrorCode;
use crate::version::{Scheme, Version, VersionError, VersionKey, VersionRange};

#[cfg(feature = "serde")]
mod json;

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
        _ => true,
    }
}

/// A validated catalog: one scheme, releases sorted by version, no duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Catalog {
    scheme: Scheme,
    releases: Vec<Release>,
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
        let catalog = Catalog::assemble(scheme, releases, &mut errors);
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(CatalogErrors(errors))
        }
    }

    /// Checks every rule, appends what is wrong to `errors`, and sorts what it was given.
    fn assemble(
        scheme: Scheme,
        mut releases: Vec<Release>,
        errors: &mut Vec<CatalogError>,
    ) -> Catalog {
        for r in &releases {
            let at = || r.version.as_str().into();
            let mut versions = core::iter::once(&r.version)
                .chain(&r.min_sw_version)
                .chain(r.deltas.iter().map(|d| &d.from))
                .chain(
                    r.blocked_from
                        .iter()
                        .flat_map(|b| b.comparators().iter().map(|c| &c.version)),
                );
            if let Some(other) = versions.find(|v| v.scheme() != scheme) {
                errors.push(CatalogError::MixedScheme {
                    release: at(),
                    version: other.as_str().into(),
                    scheme,
                });
            }
            if let Some(min) = &r.min_sw_version
                && min >= &r.version
            {
                errors.push(CatalogError::MinSwNotLower {
                    release: at(),
                    min_sw_version: min.as_str().into(),
                });
            }
            for size in r.size.iter().chain(r.deltas.iter().map(|d| &d.size)) {
                if *size == 0 || *size > MAX_SIZE {
                    errors.push(CatalogError::BadSize {
                        release: at(),
                        value: alloc::format!("{size}"),
                    });
                }
            }
            for (i, d) in r.deltas.iter().enumerate() {
                if d.from >= r.version {
                    errors.push(CatalogError::DeltaNotLower {
                        release: at(),
                        from: d.from.as_str().into(),
                    });
                }
                if r.deltas[..i].iter().any(|e| e.from == d.from) {
                    errors.push(CatalogError::DuplicateDelta {
                        release: at(),
                        from: d.from.as_str().into(),
                    });
                }
            }
        }
        // Stable sort keeps the catalog's order among duplicates, so "first" is the one
        // written first.
        releases.sort_by(|a, b| a.version.cmp(&b.version));
        let mut duplicates = Vec::new();
        for w in releases.windows(2) {
            if w[0].version == w[1].version {
                duplicates.push(CatalogError::DuplicateVersion {
                    version: w[1].version.as_str().into(),
                    first: w[0].version.as_str().into(),
                });
            }
        }
        errors.extend(duplicates);
        Catalog { scheme, releases }
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The text is not JSON, or not the expected JSON shape.
    #[error("catalog is not valid JSON: {message}")]
    Json {
        /// The parser's message.
        message: String,
    },
    /// A field of the wrong JSON type.
    #[error("{at}: expected {expected}, found {found}")]
    InvalidType {
        /// Where (`releases[2].size`).
        at: String,
        /// What was expected.
        expected: &'static str,
        /// What was there, clipped.
        found: String,
    },
    /// A field that catalogs do not have.
    #[error("{at}: unknown field {field:?}")]
    UnknownField {
        /// Where.
        at: String,
        /// The field's name.
        field: String,
    },
    /// A required field is absent.
    #[error("{at}: missing field {field:?}")]
    MissingField {
        /// Where.
        at: String,
        /// The field's name.
        field: &'static str,
    },
    /// `scheme` names no known scheme.
    #[error("unknown scheme {value:?} (expected integer, semver or dotted)")]
    UnknownScheme {
        /// The value given.
        value: String,
    },
    /// No scheme fits every version.
    #[error("no version scheme fits every version: {versions:?} are not {best} versions")]
    NoScheme {
        /// The scheme that fits the most versions.
        best: Scheme,
        /// The versions that do not fit it.
        versions: Vec<String>,
    },
    /// A version that is not of the catalog's scheme.
    #[error("{at}: {error}")]
    MalformedVersion {
        /// Where.
        at: String,
        /// What is wrong with it.
        error: VersionError,
    },
    /// A blocked_from entry that is not a range.
    #[error("{at}: bad range: {error}")]
    BadRange {
        /// Where.
        at: String,
        /// What is wrong with it.
        error: VersionError,
    },
    /// A version given to [`Catalog::new`] in another scheme than the catalog's.
    #[error("{release}: version {version:?} is not of the catalog's scheme {scheme}")]
    MixedScheme {
        /// The release.
        release: String,
        /// The misfit.
        version: String,
        /// The catalog's scheme.
        scheme: Scheme,
    },
    /// Two releases with the same version.
    #[error("duplicate version {version:?} (same version as {first:?})")]
    DuplicateVersion {
        /// The later spelling.
        version: String,
        /// The first spelling.
        first: String,
    },
    /// A `min_sw_version` not lower than its release.
    #[error("{release}: min_sw_version {min_sw_version:?} is not lower than the release")]
    MinSwNotLower {
        /// The release.
        release: String,
        /// Its min_sw_version.
        min_sw_version: String,
    },
    /// A delta from a version not lower than its release.
    #[error("{release}: delta from {from:?} is not from a lower version")]
    DeltaNotLower {
        /// The release.
        release: String,
        /// The delta's base.
        from: String,
    },
    /// Two deltas from the same base.
    #[error("{release}: two deltas from {from:?}")]
    DuplicateDelta {
        /// The release.
        release: String,
        /// The base.
        from: String,
    },
    /// A size that is zero, negative, fractional, or above 2^53 − 1.
    #[error(
        "{release}: bad size {value} (expected a whole number of bytes from 1 to 9007199254740991)"
    )]
    BadSize {
        /// The release (and field).
        release: String,
        /// The value as written.
        value: String,
    },
    /// A sha256 that is not 64 hex digits.
    #[error("{release}: bad sha256 {value:?} (expected 64 hex digits)")]
    BadSha256 {
        /// The release (and field).
        release: String,
        /// The value as written, clipped.
        value: String,
    },
}

impl ErrorCode for CatalogError {
    fn code(&self) -> &'static str {
        match self {
            CatalogError::Json { .. } => "catalog.json",
            CatalogError::InvalidType { .. } => "catalog.invalid_type",
            CatalogError::UnknownField { .. } => "catalog.unknown_field",
            CatalogError::MissingField { .. } => "catalog.missing_field",
            CatalogError::UnknownScheme { .. } => "catalog.unknown_scheme",
            CatalogError::NoScheme { .. } => "catalog.no_scheme",
            CatalogError::MalformedVersion { .. } => "catalog.malformed_version",
            CatalogError::BadRange { .. } => "catalog.bad_range",
            CatalogError::MixedScheme { .. } => "catalog.mixed_scheme",
            CatalogError::DuplicateVersion { .. } => "catalog.duplicate_version",
            CatalogError::MinSwNotLower { .. } => "catalog.min_sw_not_lower",
            CatalogError::DeltaNotLower { .. } => "catalog.delta_not_lower",
            CatalogError::DuplicateDelta { .. } => "catalog.duplicate_delta",
            CatalogError::BadSize { .. } => "catalog.bad_size",
            CatalogError::BadSha256 { .. } => "catalog.bad_sha256",
        }
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
}

impl ErrorCode for CatalogErrors {
    /// The code of the first error.
    fn code(&self) -> &'static str {
        self.0.first().map_or("catalog.invalid", ErrorCode::code)
    }
}

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
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
