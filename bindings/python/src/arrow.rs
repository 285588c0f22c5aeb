//! The native half of `stepstone.arrow`: pyarrow arrays read in place, answered by the core's
//! column paths (`stepstone::sample::column`, `stepstone::campaign::column`) with the GIL
//! released, answers handed back as Arrow buffers (bytes) for `pa.Array.from_buffers`.
//!
//! A pyarrow array is read through its buffers' `address` and `size` (`arr.buffers()`): no
//! copy of the ids, no new crate in the wheel. The Python module (`stepstone/arrow.py`) splits
//! chunked arrays, casts other integer widths and view/dictionary types, and checks the
//! arguments' kinds before calling here; these functions are private (`_column_*`).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use stepstone::campaign::column::{NextHops, StringColumn, Versions, next_hops, next_hops_in};
use stepstone::plan::Cost;
use stepstone::sample::column::{
    BoolColumn, IdColumn, IntColumn, OffsetWidth, Periods, TimeUnit, U64Column,
};

use crate::catalog::{Campaign, Catalog};
use crate::errors::{bad_argument, raise};
use crate::sample::{Sampler, SamplingPlan};

/// A pyarrow `Array` (one chunk): its type, length, slice offset and buffers, which stay
/// alive (and so their memory) as long as this value.
struct ArrowArray<'py> {
    name: &'static str,
    ty: String,
    unit: Option<String>,
    len: usize,
    offset: usize,
    buffers: Vec<Option<Bound<'py, PyAny>>>,
}

impl<'py> ArrowArray<'py> {
    fn read(name: &'static str, arr: &Bound<'py, PyAny>) -> PyResult<ArrowArray<'py>> {
        let py = arr.py();
        let is_array = arr
            .get_type()
            .getattr("__module__")
            .and_then(|m| m.extract::<String>())
            .is_ok_and(|m| m.starts_with("pyarrow"))
            && arr.hasattr("buffers")?
            && arr.hasattr("offset")?;
        if !is_array {
            return Err(bad_argument(
                py,
                &format!(
                    "{name} must be a pyarrow Array, got {}",
                    crate::args::describe(arr)
                ),
            ));
        }
        let ty = arr.getattr("type")?;
        let unit = match ty.getattr("unit") {
            Ok(u) => Some(u.extract::<String>()?),
            Err(_) => None,
        };
        Ok(ArrowArray {
            name,
            ty: ty.str()?.to_cow()?.into_owned(),
            unit,
            len: arr.len()?,
            offset: arr.getattr("offset")?.extract()?,
            buffers: arr.call_method0("buffers")?.extract()?,
        })
    }

    /// Buffer `i` in place (`None` when pyarrow has none there, e.g. no validity bitmap).
    fn buffer(&self, i: usize) -> PyResult<Option<&[u8]>> {
        let Some(Some(b)) = self.buffers.get(i) else {
            return Ok(None);
        };
        if b.hasattr("is_cpu")? && !b.getattr("is_cpu")?.extract::<bool>()? {
            return Err(bad_argument(
                b.py(),
                &format!(
                    "{} is not in CPU memory: copy it to the host first",
                    self.name
                ),
            ));
        }
        let (address, size): (usize, usize) = (
            b.getattr("address")?.extract()?,
            b.getattr("size")?.extract()?,
        );
        if size == 0 || address == 0 {
            return Ok(Some(&[]));
        }
        // SAFETY: pyarrow guarantees `size` readable bytes at `address` for as long as the
        // `Buffer` object lives; `self.buffers` holds it for the lifetime of the slice, and
        // Arrow buffers are immutable once built.
        Ok(Some(unsafe {
            core::slice::from_raw_parts(address as *const u8, size)
        }))
    }

    fn wrong(&self, expected: &str) -> PyErr {
        Python::attach(|py| {
            bad_argument(
                py,
                &format!(
                    "{} must be {expected}, got a pyarrow {} array",
                    self.name, self.ty
                ),
            )
        })
    }

    /// The array as ids/versions text: `binary`, `string` or their `large_` forms.
    fn ids(&self) -> PyResult<IdColumn<'_>> {
        let width = match self.ty.as_str() {
            "binary" | "string" => OffsetWidth::I32,
            "large_binary" | "large_string" => OffsetWidth::I64,
            _ => return Err(self.wrong("binary, string, large_binary or large_string")),
        };
        IdColumn::new(
            self.len,
            self.offset,
            self.buffer(0)?,
            self.buffer(1)?.unwrap_or_default(),
            width,
            self.buffer(2)?.unwrap_or_default(),
        )
        .map_err(raise)
    }

    /// The array as 64-bit integers: `int64`, `uint64` or a timestamp (its unit).
    fn ints(&self) -> PyResult<(IntColumn<'_>, Option<TimeUnit>)> {
        let (signed, unit) = match (self.ty.as_str(), self.unit.as_deref()) {
            ("int64", _) => (true, None),
            ("uint64", _) => (false, None),
            (t, Some(u)) if t.starts_with("timestamp") => {
                let unit = match u {
                    "s" => TimeUnit::Seconds,
                    "ms" => TimeUnit::Millis,
                    "us" => TimeUnit::Micros,
                    _ => TimeUnit::Nanos,
                };
                (true, Some(unit))
            }
            _ => return Err(self.wrong("int64, uint64 or a timestamp")),
        };
        let column = IntColumn::new(
            self.len,
            self.offset,
            self.buffer(0)?,
            self.buffer(1)?.unwrap_or_default(),
            signed,
        )
        .map_err(raise)?;
        Ok((column, unit))
    }
}

/// `values` as one Arrow buffer: each value's `N` little-endian bytes, in order.
fn little_endian<'py, T, const N: usize>(
    py: Python<'py>,
    values: &[T],
    bytes: impl Fn(&T) -> [u8; N],
) -> PyResult<Bound<'py, PyBytes>> {
    PyBytes::new_with(py, values.len() * N, |buf| {
        for (out, v) in buf.chunks_exact_mut(N).zip(values) {
            out.copy_from_slice(&bytes(v));
        }
        Ok(())
    })
}

/// `(values, validity or None, null_count)`, the buffers of a pyarrow boolean array.
fn bool_out<'py>(py: Python<'py>, c: &BoolColumn) -> PyResult<Bound<'py, PyTuple>> {
    let validity = c.validity.as_deref().map(|v| PyBytes::new(py, v));
    (PyBytes::new(py, &c.values), validity, c.null_count).into_pyobject(py)
}

/// The same for a `uint64` array (values little-endian, as Arrow lays them out).
fn u64_out<'py>(py: Python<'py>, c: &U64Column) -> PyResult<Bound<'py, PyTuple>> {
    let values = little_endian(py, &c.values, |v| v.to_le_bytes())?;
    let validity = c.validity.as_deref().map(|v| PyBytes::new(py, v));
    (values, validity, c.null_count).into_pyobject(py)
}

/// `(offsets, data, validity, null_count)` of a pyarrow `string` array.
fn string_out<'py>(py: Python<'py>, c: &StringColumn) -> PyResult<Bound<'py, PyTuple>> {
    let offsets = little_endian(py, &c.offsets, |v| v.to_le_bytes())?;
    let data = PyBytes::new(py, c.data.as_bytes());
    let validity = PyBytes::new(py, &c.validity);
    (offsets, data, validity, c.null_count).into_pyobject(py)
}

fn hops_out<'py>(py: Python<'py>, h: &NextHops) -> PyResult<Bound<'py, PyTuple>> {
    (
        string_out(py, &h.hop)?,
        string_out(py, &h.error_code)?,
        string_out(py, &h.error_message)?,
    )
        .into_pyobject(py)
}

fn missing(py: Python<'_>, name: &str) -> PyErr {
    bad_argument(py, &format!("{name} is missing"))
}

/// Where each row's period comes from: an int, or a pyarrow array of periods or timestamps.
fn periods<'a>(one: Option<u64>, column: Option<&'a ArrowArray<'_>>) -> PyResult<Periods<'a>> {
    match (one, column) {
        (Some(p), _) => Ok(Periods::One(p)),
        (None, Some(c)) => Ok(match c.ints()? {
            (col, None) => Periods::Each(col),
            (col, Some(unit)) => Periods::Timestamps(col, unit),
        }),
        (None, None) => Err(Python::attach(|py| {
            bad_argument(py, "periods is missing: give a period (int) or an array")
        })),
    }
}

/// A plan call's class and its periods array, read.
fn plan_args<'py>(
    py: Python<'py>,
    class_: Option<String>,
    period_array: Option<&Bound<'py, PyAny>>,
) -> PyResult<(String, Option<ArrowArray<'py>>)> {
    let class_ = class_.ok_or_else(|| missing(py, "class_"))?;
    let array = period_array
        .map(|p| ArrowArray::read("periods", p))
        .transpose()?;
    Ok((class_, array))
}

/// One chunk's decisions (`sampled`: with `rate_ppm` for a `Sampler`) or positions:
/// `source` is a `SamplingPlan` (with `class_` and the periods) or a `Sampler`.
#[pyfunction]
#[pyo3(signature = (source, ids, class_, period, period_array, rate_ppm, sampled))]
#[allow(clippy::too_many_arguments)]
fn _column_sample<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    ids: &Bound<'py, PyAny>,
    class_: Option<String>,
    period: Option<u64>,
    period_array: Option<&Bound<'py, PyAny>>,
    rate_ppm: Option<u32>,
    sampled: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let ids = ArrowArray::read("ids", ids)?;
    let id_column = ids.ids()?;
    if let Ok(s) = source.cast::<Sampler>() {
        let s = &s.get().inner;
        if !sampled {
            return u64_out(py, &py.detach(|| s.positions_column(&id_column)));
        }
        let rate = rate_ppm.ok_or_else(|| missing(py, "rate_ppm"))?;
        return bool_out(py, &py.detach(|| s.sampled_column(&id_column, rate)));
    }
    let plan = &source.cast::<SamplingPlan>()?.get().inner;
    let (class_, array) = plan_args(py, class_, period_array)?;
    let periods = periods(period, array.as_ref())?;
    if sampled {
        let out = py.detach(|| plan.sampled_column(&class_, &id_column, &periods));
        bool_out(py, &out.map_err(raise)?)
    } else {
        let out = py.detach(|| plan.positions_column(&class_, &id_column, &periods));
        u64_out(py, &out.map_err(raise)?)
    }
}

fn versions<'a>(array: &'a ArrowArray<'_>) -> PyResult<Versions<'a>> {
    match array.ty.as_str() {
        "string" | "large_string" => Ok(Versions::Text(array.ids()?)),
        _ => match array.ints() {
            Ok((col, None)) => Ok(Versions::Integers(col)),
            _ => Err(array.wrong("string, large_string, int64 or uint64")),
        },
    }
}

/// Next hops for one chunk from a `Campaign` (one model and environment).
#[pyfunction]
fn _column_campaign_next_hops<'py>(
    py: Python<'py>,
    campaign: &Bound<'py, Campaign>,
    versions_array: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let campaign = campaign.get();
    let array = ArrowArray::read("versions", versions_array)?;
    let v = versions(&array)?;
    let out = py
        .detach(|| next_hops_in(&campaign.table, campaign.scheme, &v))
        .map_err(raise)?;
    hops_out(py, &out)
}

/// Next hops for one chunk of a device table: a table per (model, environment) of the rows.
#[pyfunction]
#[pyo3(signature = (catalog, target, cost, allow_downgrade, versions_array, models, environments))]
#[allow(clippy::too_many_arguments)]
fn _column_next_hops<'py>(
    py: Python<'py>,
    catalog: &Bound<'py, Catalog>,
    target: &str,
    cost: &str,
    allow_downgrade: bool,
    versions_array: &Bound<'py, PyAny>,
    models: Option<&Bound<'py, PyAny>>,
    environments: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let catalog = &catalog.get().inner;
    let target = catalog.parse_version(target).map_err(raise)?;
    let cost = cost.parse::<Cost>().map_err(raise)?;
    let array = ArrowArray::read("versions", versions_array)?;
    let v = versions(&array)?;
    let models = models.map(|m| ArrowArray::read("models", m)).transpose()?;
    let environments = environments
        .map(|e| ArrowArray::read("environments", e))
        .transpose()?;
    let model_column = models.as_ref().map(|m| m.ids()).transpose()?;
    let environment_column = environments.as_ref().map(|e| e.ids()).transpose()?;
    let out = py
        .detach(|| {
            next_hops(
                catalog,
                &target,
                cost,
                allow_downgrade,
                &v,
                model_column.as_ref(),
                environment_column.as_ref(),
            )
        })
        .map_err(raise)?;
    hops_out(py, &out)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_column_sample, m)?)?;
    m.add_function(wrap_pyfunction!(_column_campaign_next_hops, m)?)?;
    m.add_function(wrap_pyfunction!(_column_next_hops, m)?)?;
    Ok(())
}
