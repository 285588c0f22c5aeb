//! Core errors as Python exceptions: `stepstone.Error(ValueError)` and one subclass per area,
//! each carrying `.code` (the core's stable code) and the message.
//!
//! The classes live in Python (`stepstone/_errors.py`, so they are plain, typed and picklable);
//! this module looks them up once and raises them.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use stepstone::ErrorCode;

/// The error areas, each an exception class in `stepstone._errors`.
#[derive(Clone, Copy)]
pub(crate) enum Area {
    Version,
    Catalog,
    Plan,
    Sample,
    Retry,
    Rollout,
    Reconcile,
    Signature,
    Manifest,
    Certificate,
    SignedCatalog,
    Simulation,
}

impl Area {
    fn class_name(self) -> &'static str {
        match self {
            Area::Version => "VersionError",
            Area::Catalog => "CatalogError",
            Area::Plan => "PlanError",
            Area::Sample => "SampleError",
            Area::Retry => "RetryError",
            Area::Rollout => "RolloutError",
            Area::Reconcile => "ReconcileError",
            Area::Signature => "SignatureError",
            Area::Manifest => "ManifestError",
            Area::Certificate => "CertificateError",
            Area::SignedCatalog => "SignedCatalogError",
            Area::Simulation => "SimulationError",
        }
    }
}

/// The area of a code the binding raises from more than one core type (the compact catalog's
/// errors carry `compact.*` and `plan.*` codes): by its prefix; `compact.*` is a catalog error.
pub(crate) fn area_of(code: &str) -> Area {
    match code.split('.').next().unwrap_or("") {
        "plan" => Area::Plan,
        "manifest" => Area::Manifest,
        "signed_catalog" => Area::SignedCatalog,
        "signature" => Area::Signature,
        "version" => Area::Version,
        _ => Area::Catalog,
    }
}

static CLASSES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn class<'py>(py: Python<'py>, area: Area) -> PyResult<Bound<'py, PyType>> {
    let module =
        CLASSES.get_or_try_init(py, || py.import("stepstone._errors").map(Bound::unbind))?;
    Ok(module
        .bind(py)
        .getattr(area.class_name())?
        .cast_into::<PyType>()?)
}

/// A Python exception of `area`'s class with `code` and `message`.
pub(crate) fn exception(py: Python<'_>, area: Area, code: &str, message: &str) -> PyErr {
    match class(py, area).and_then(|c| c.call1((message, code))) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// The same, as the Python object (for bulk answers that carry exceptions in place).
pub(crate) fn exception_object(
    py: Python<'_>,
    area: Area,
    code: &str,
    message: &str,
) -> PyResult<Py<PyAny>> {
    Ok(class(py, area)?.call1((message, code))?.unbind())
}

/// Maps a core error of `area` to its exception.
pub(crate) fn raise<E: ErrorCode + core::fmt::Display>(area: Area) -> impl Fn(E) -> PyErr {
    move |e| Python::attach(|py| exception(py, area, e.code(), &e.to_string()))
}

/// The catalog's error list: the first error's class and code, with every `(code, message)` in
/// `.errors`.
pub(crate) fn catalog_errors(e: stepstone::catalog::CatalogErrors) -> PyErr {
    Python::attach(|py| {
        let errors: Vec<(&'static str, String)> =
            e.iter().map(|x| (x.code(), x.to_string())).collect();
        let made =
            class(py, Area::Catalog).and_then(|c| c.call1((e.to_string(), e.code(), errors)));
        match made {
            Ok(instance) => PyErr::from_value(instance),
            Err(err) => err,
        }
    })
}
