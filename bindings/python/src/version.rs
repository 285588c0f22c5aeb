//! Versions: compare, check and detect schemes.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use stepstone::version::{self, Scheme};

use crate::errors::{Area, raise};

/// Reads a scheme name (`integer`, `semver`, `dotted`).
pub(crate) fn scheme(name: &str) -> PyResult<Scheme> {
    Scheme::from_name(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown scheme {name:?} (expected integer, semver or dotted)"
        ))
    })
}

/// Compares two versions of one scheme.
///
/// Parameters:
///     a (str), b (str): the versions (`v64000`, `2.0.0-rc.1`, `38.20231027.3.2`).
///     scheme (str): `integer` (default), `semver` or `dotted`.
///
/// Returns: int, -1, 0 or 1 as `a` is below, equal to or above `b`.
///
/// Raises: `VersionError` naming the offending value (`version.malformed`, `version.empty`,
/// `version.too_long`, `version.overflow`); `ValueError` for an unknown scheme.
#[pyfunction]
#[pyo3(signature = (a, b, scheme = "integer"))]
fn compare_versions(a: &str, b: &str, scheme: &str) -> PyResult<i8> {
    let s = self::scheme(scheme)?;
    // Parsing first gives the core's error naming the offending value.
    version::Version::parse(a, s).map_err(raise(Area::Version))?;
    version::Version::parse(b, s).map_err(raise(Area::Version))?;
    version::compare(a, b, s)
        .map(|o| o as i8)
        .map_err(raise(Area::Version))
}

/// Checks that `text` is a version of `scheme`.
///
/// Parameters:
///     text (str): the version.
///     scheme (str): `integer` (default), `semver` or `dotted`.
///
/// Returns: None.
///
/// Raises: `VersionError` (`version.malformed`, `version.empty`, `version.too_long`,
/// `version.overflow`); `ValueError` for an unknown scheme.
#[pyfunction]
#[pyo3(signature = (text, scheme = "integer"))]
fn check_version(text: &str, scheme: &str) -> PyResult<()> {
    version::Version::parse(text, self::scheme(scheme)?)
        .map(drop)
        .map_err(raise(Area::Version))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(compare_versions, m)?)?;
    m.add_function(wrap_pyfunction!(check_version, m)?)?;
    Ok(())
}
