//! `stepstone._native`: the Python face of the stepstone core (pyo3, abi3).
//!
//! A binding converts types and maps errors, nothing more: every decision is the core's. The
//! public, typed package is `python/stepstone/` (it re-exports what is defined here).

use pyo3::prelude::*;

mod args;
mod arrow;
mod catalog;
mod errors;
mod plan;
mod reconcile;
mod repr;
mod retry;
mod sample;
mod signature;
mod stream;
mod trust;
mod version;
mod wire;

/// The native module. Import `stepstone`, not this.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    version::register(m)?;
    catalog::register(m)?;
    plan::register(m)?;
    sample::register(m)?;
    sample::register_fleet(m)?;
    retry::register(m)?;
    reconcile::register(m)?;
    signature::register(m)?;
    trust::register(m)?;
    arrow::register(m)?;
    Ok(())
}
