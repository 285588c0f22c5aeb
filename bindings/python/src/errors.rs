//! Errors as Python exceptions: `stepstone.Error(ValueError)` and its subclasses, each carrying
//! `.code` and the message.
//!
//! The classes live in Python (`stepstone/_errors.py`, so they are plain, typed and picklable),
//! and so does the one table that picks a class from a code (`error_for`: `python.bad_argument`
//! is a `BadArgumentError`, any other code goes by its area, the part before the first dot).
//! Every error this module raises goes through it: no call site names a class.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use stepstone::ErrorCode;

/// The binding's own code for an argument it refuses before the core sees it.
pub(crate) const BAD_ARGUMENT: &str = "python.bad_argument";

static ERROR_FOR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The exception object for `code` (and, for a catalog, every `(code, message)`; for a file,
/// its path), made by `stepstone._errors.error_for`.
fn make(
    py: Python<'_>,
    code: &str,
    message: &str,
    errors: Option<Vec<(&str, String)>>,
    filename: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let f = ERROR_FOR.get_or_try_init(py, || {
        py.import("stepstone._errors")?
            .getattr("error_for")
            .map(Bound::unbind)
    })?;
    Ok(f.bind(py)
        .call1((code, message, errors, filename))?
        .unbind())
}

fn raised(made: PyResult<Py<PyAny>>, py: Python<'_>) -> PyErr {
    match made {
        Ok(instance) => PyErr::from_value(instance.into_bound(py)),
        Err(e) => e,
    }
}

/// The Python exception for `code` and `message`.
pub(crate) fn exception(py: Python<'_>, code: &str, message: &str) -> PyErr {
    raised(make(py, code, message, None, None), py)
}

/// The same, as the Python object (for bulk answers that carry exceptions in place).
pub(crate) fn exception_object(py: Python<'_>, code: &str, message: &str) -> PyResult<Py<PyAny>> {
    make(py, code, message, None, None)
}

/// A core error as its exception: `.map_err(raise)`.
pub(crate) fn raise<E: ErrorCode + core::fmt::Display>(e: E) -> PyErr {
    Python::attach(|py| exception(py, e.code(), &e.to_string()))
}

/// `python.bad_argument` with `message` (which names the argument and the value).
pub(crate) fn bad_argument(py: Python<'_>, message: &str) -> PyErr {
    exception(py, BAD_ARGUMENT, message)
}

/// `io.unreadable`: the file at `path` could not be read; the message names the path.
pub(crate) fn unreadable(py: Python<'_>, path: &std::path::Path, e: &std::io::Error) -> PyErr {
    let shown = path.display().to_string();
    let message = format!("cannot read {}: {e}", crate::repr::s(&shown));
    raised(make(py, "io.unreadable", &message, None, Some(&shown)), py)
}

/// A call on an object that has finished its one job (`python.finished`).
pub(crate) fn finished(what: &str) -> PyErr {
    Python::attach(|py| {
        exception(
            py,
            "python.finished",
            &format!("this {what} already finished; start a new one"),
        )
    })
}

/// What the binding itself could not do (`python.internal`: the core's wire types failing to
/// serialise, a poisoned lock); not expected to happen.
pub(crate) fn internal(e: impl core::fmt::Display) -> PyErr {
    Python::attach(|py| exception(py, "python.internal", &e.to_string()))
}

/// The catalog's error list: the first error's code and message, with every `(code, message)`
/// in `.errors`.
pub(crate) fn catalog_errors(e: stepstone::catalog::CatalogErrors) -> PyErr {
    catalog_errors_in(None, e)
}

/// The same for a catalog read from a file: the message starts with its path (`.errors` as
/// the core gives them).
pub(crate) fn catalog_errors_in(
    path: Option<&std::path::Path>,
    e: stepstone::catalog::CatalogErrors,
) -> PyErr {
    Python::attach(|py| {
        let errors: Vec<(&str, String)> = e.iter().map(|x| (x.code(), x.to_string())).collect();
        let message = match path {
            Some(p) => format!("{}: {e}", crate::repr::s(&p.display().to_string())),
            None => e.to_string(),
        };
        raised(make(py, e.code(), &message, Some(errors), None), py)
    })
}
