//! The core's JSON wire forms as Python values: what every `to_dict()` returns, so Python, JS
//! and the CLI give one shape.

use pyo3::prelude::*;

use crate::args::{Kw, Params, Pos};
use crate::errors::internal;

/// A core value in its wire form (its `Serialize`), as JSON text. Callable without the GIL.
pub(crate) fn text(value: &impl serde::Serialize) -> PyResult<String> {
    // The core's wire types hold only integers, strings and hex digests: not expected to fail.
    serde_json::to_string(value).map_err(|e| internal(format!("a value did not serialize: {e}")))
}

/// JSON text (the core's wire form) as Python dicts, lists, strings and ints.
pub(crate) fn loads(py: Python<'_>, json: &str) -> PyResult<Py<PyAny>> {
    Ok(py.import("json")?.call_method1("loads", (json,))?.unbind())
}

/// A core value as a Python value, through its wire form.
pub(crate) fn to_py(py: Python<'_>, value: &impl serde::Serialize) -> PyResult<Py<PyAny>> {
    loads(py, &text(value)?)
}

/// `to_dict()` of a result class: `value`'s wire form as a Python value, once `call` (which takes
/// no arguments) has checked that none were given.
pub(crate) fn to_dict(
    call: &'static Params,
    args: Pos<'_, '_>,
    kwargs: Option<Kw<'_, '_>>,
    value: &impl serde::Serialize,
) -> PyResult<Py<PyAny>> {
    call.bind(args, kwargs)?;
    to_py(args.py(), value)
}
