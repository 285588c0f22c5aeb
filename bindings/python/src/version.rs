//! Versions: compare, check and detect schemes.

use pyo3::prelude::*;
use stepstone::version::{self, Scheme};

use crate::args::{Args, Kw, Pos, params};
use crate::errors::raise;

/// Reads the scheme name in argument `name` (`integer`, `semver`, `dotted`; default
/// `integer`): another name is `python.bad_argument`.
pub(crate) fn scheme(a: &Args<'_>, name: &str) -> PyResult<Scheme> {
    let text = a.text_or(name, "integer")?;
    Scheme::from_name(&text).ok_or_else(|| {
        a.fail(
            name,
            format!(
                "must be integer, semver or dotted, got {}",
                crate::repr::s(&text)
            ),
        )
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
/// `version.too_long`, `version.overflow`); `BadArgumentError` (`python.bad_argument`) for an
/// argument that is not a str or an unknown scheme.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(a, b, scheme='integer')")]
fn compare_versions(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<i8> {
    let p = params!("compare_versions", ["a", "b", "scheme"], []).bind(args, kwargs)?;
    let (a, b, s) = (p.version("a")?, p.version("b")?, scheme(&p, "scheme")?);
    // Parsing first gives the core's error naming the offending value.
    version::Version::parse(&a, s).map_err(raise)?;
    version::Version::parse(&b, s).map_err(raise)?;
    version::compare(&a, &b, s).map(|o| o as i8).map_err(raise)
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
/// `version.overflow`); `BadArgumentError` (`python.bad_argument`) for an argument that is not
/// a str or an unknown scheme.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(text, scheme='integer')")]
fn check_version(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<()> {
    let p = params!("check_version", ["text", "scheme"], []).bind(args, kwargs)?;
    let (text, s) = (p.version("text")?, scheme(&p, "scheme")?);
    version::Version::parse(&text, s).map(drop).map_err(raise)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(compare_versions, m)?)?;
    m.add_function(wrap_pyfunction!(check_version, m)?)?;
    Ok(())
}
