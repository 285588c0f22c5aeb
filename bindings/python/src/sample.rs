//! Fleet sampling: positions and decisions, one device or millions (GIL released), and plans.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use stepstone::sample;

use crate::args::{Args, Kw, Pos, params};
use crate::errors::raise;
use crate::repr;

/// Many ids packed in one buffer with their end offsets (one allocation for a million ids).
struct Ids {
    data: Vec<u8>,
    ends: Vec<usize>,
}

// `PyUnicode_AsUTF8AndSize`: the string's cached UTF-8, no copy. In the stable ABI since 3.10
// and exported with the same signature by every CPython 3 (so by 3.9 too); pyo3 hides it from
// abi3-py39 builds, whose `to_cow` allocates a `bytes` object per string instead.
unsafe extern "C" {
    fn PyUnicode_AsUTF8AndSize(
        unicode: *mut pyo3::ffi::PyObject,
        size: *mut pyo3::ffi::Py_ssize_t,
    ) -> *const core::ffi::c_char;
}

/// Appends a `bytes` or `str` object's bytes (UTF-8 for `str`) to `out`; `item` is the
/// argument `name` of `a`'s call (`device_ids[7]`).
fn push_id(
    a: &Args<'_>,
    name: &dyn Fn() -> String,
    out: &mut Vec<u8>,
    item: &Bound<'_, PyAny>,
) -> PyResult<()> {
    if let Ok(b) = item.cast::<PyBytes>() {
        out.extend_from_slice(b.as_bytes());
        return Ok(());
    }
    let s = item
        .cast::<PyString>()
        .map_err(|_| a.wrong(&name(), "a device id (bytes or str)", item))?;
    let mut len: pyo3::ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a live `str` (checked by the cast) and the GIL is held; the returned
    // buffer belongs to the string and stays valid while `s` is alive, which covers the copy.
    let ptr = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut len) };
    match usize::try_from(len) {
        Ok(len) if !ptr.is_null() => {
            // SAFETY: CPython guarantees `len` readable bytes at `ptr` (see above).
            out.extend_from_slice(unsafe { core::slice::from_raw_parts(ptr.cast::<u8>(), len) });
            Ok(())
        }
        // A lone surrogate cannot be UTF-8: CPython has set UnicodeEncodeError.
        _ => {
            drop(PyErr::take(item.py()));
            Err(a.fail(
                &name(),
                format!(
                    "is not valid UTF-8 text (a lone surrogate), got {}",
                    crate::args::describe(item)
                ),
            ))
        }
    }
}

impl Ids {
    /// Reads a list/tuple/iterable of `bytes` or `str`, a numpy array of fixed-width bytes
    /// (dtype kind `S`, trailing NULs stripped as numpy does), or a pyarrow `binary`/`string`
    /// array (no per-item Python objects for the last two).
    ///
    /// Refused (`python.bad_argument`, naming the index): an id that is neither bytes nor str,
    /// a str that is not UTF-8, a numpy array that is not one-dimensional, a pyarrow array
    /// with nulls.
    fn read(a: &Args<'_>) -> PyResult<Ids> {
        const NAME: &str = "device_ids";
        let ids = a.required(NAME)?;
        if let Some(ids) = Ids::from_arrow(a, ids)? {
            return Ok(ids);
        }
        if let Some(ids) = Ids::from_numpy(a, ids)? {
            return Ok(ids);
        }
        if ids.is_instance_of::<PyString>() || ids.is_instance_of::<PyBytes>() {
            return Err(a.wrong(NAME, "an iterable of device ids (bytes or str)", ids));
        }
        let mut out = Ids {
            data: Vec::new(),
            ends: Vec::new(),
        };
        if let Ok(list) = ids.cast::<PyList>() {
            out.ends.reserve(list.len());
            for (i, item) in list.iter().enumerate() {
                push_id(a, &|| format!("{NAME}[{i}]"), &mut out.data, &item)?;
                out.ends.push(out.data.len());
            }
            return Ok(out);
        }
        let items = ids
            .try_iter()
            .map_err(|_| a.wrong(NAME, "an iterable of device ids (bytes or str)", ids))?;
        for (i, item) in items.enumerate() {
            let item = item.map_err(|e| a.unreadable(&format!("{NAME}[{i}]"), e))?;
            push_id(a, &|| format!("{NAME}[{i}]"), &mut out.data, &item)?;
            out.ends.push(out.data.len());
        }
        Ok(out)
    }

    /// A numpy array whose dtype kind is `S` (fixed-width bytes): one copy of its buffer.
    fn from_numpy(a: &Args<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Option<Ids>> {
        if !obj.hasattr("dtype")? || !obj.hasattr("tobytes")? || !obj.hasattr("ndim")? {
            return Ok(None);
        }
        let dtype = obj.getattr("dtype")?;
        let Ok(kind) = dtype.getattr("kind").and_then(|k| k.extract::<String>()) else {
            return Ok(None);
        };
        if obj.getattr("ndim")?.extract::<usize>()? != 1 {
            return Err(a.fail(
                "device_ids",
                format!(
                    "must be a one-dimensional array, got shape {}",
                    obj.getattr("shape")?.repr()?
                ),
            ));
        }
        if kind != "S" {
            return Ok(None);
        }
        let width: usize = dtype.getattr("itemsize")?.extract()?;
        let n: usize = obj.getattr("size")?.extract()?;
        let raw = obj.call_method0("tobytes")?;
        let raw = raw.cast::<PyBytes>()?.as_bytes();
        let mut out = Ids {
            data: Vec::with_capacity(raw.len()),
            ends: Vec::with_capacity(n),
        };
        if width > 0 {
            for item in raw.chunks_exact(width) {
                let len = item.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                out.data.extend_from_slice(&item[..len]);
                out.ends.push(out.data.len());
            }
        } else {
            out.ends.resize(n, 0);
        }
        Ok(Some(out))
    }

    /// A pyarrow `binary`/`string` array (or chunked array) with 32-bit offsets, read from its
    /// offsets and data buffers. Nulls are refused (a device id cannot be missing).
    fn from_arrow(a: &Args<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Option<Ids>> {
        if !obj.hasattr("buffers")? && !obj.hasattr("chunks")? {
            return Ok(None);
        }
        let Ok(module) = obj.get_type().getattr("__module__") else {
            return Ok(None);
        };
        if !module.extract::<String>()?.starts_with("pyarrow") {
            return Ok(None);
        }
        let chunks: Vec<Bound<'_, PyAny>> = if obj.hasattr("chunks")? {
            obj.getattr("chunks")?.extract()?
        } else {
            vec![obj.clone()]
        };
        let mut out = Ids {
            data: Vec::new(),
            ends: Vec::new(),
        };
        for chunk in chunks {
            let ty = chunk.getattr("type")?.str()?.to_cow()?.into_owned();
            if ty != "binary" && ty != "string" {
                return Err(a.fail(
                    "device_ids",
                    format!(
                        "must be a pyarrow binary or string array, got a pyarrow {ty} array \
                         (cast it with .cast(pa.string()), or use stepstone.arrow, which reads \
                         large, view and dictionary arrays)"
                    ),
                ));
            }
            let nulls = chunk.getattr("null_count")?.extract::<usize>()?;
            if nulls != 0 {
                return Err(a.fail(
                    "device_ids",
                    format!(
                        "has {nulls} null(s) in its pyarrow array: a device id cannot be missing"
                    ),
                ));
            }
            let n: usize = chunk.len()?;
            let offset: usize = chunk.getattr("offset")?.extract()?;
            let buffers: Vec<Option<Bound<'_, PyAny>>> =
                chunk.call_method0("buffers")?.extract()?;
            let buffer = |i: usize| -> PyResult<Option<Bound<'_, PyBytes>>> {
                match buffers.get(i) {
                    Some(Some(b)) => Ok(Some(b.call_method0("to_pybytes")?.cast_into()?)),
                    _ => Ok(None),
                }
            };
            let (offsets, data) = (buffer(1)?, buffer(2)?);
            let offsets = offsets.as_ref().map_or(&[][..], |b| b.as_bytes());
            let data = data.as_ref().map_or(&[][..], |b| b.as_bytes());
            let at = |i: usize| -> PyResult<usize> {
                offsets
                    .get(4 * i..4 * i + 4)
                    .and_then(|b| usize::try_from(i32::from_le_bytes(b.try_into().ok()?)).ok())
                    .ok_or_else(|| {
                        a.fail("device_ids", format!("has pyarrow offset {i} out of range"))
                    })
            };
            for i in offset..offset + n {
                let (from, to) = (at(i)?, at(i + 1)?);
                let id = data.get(from..to).ok_or_else(|| {
                    a.fail(
                        "device_ids",
                        format!("has pyarrow value {i} spanning {from}..{to}, beyond its data"),
                    )
                })?;
                out.data.extend_from_slice(id);
                out.ends.push(out.data.len());
            }
        }
        Ok(Some(out))
    }

    /// The ids from index `from` to `to`.
    fn range(&self, from: usize, to: usize) -> impl Iterator<Item = &[u8]> {
        let start = |i: usize| {
            if i == 0 {
                0
            } else {
                self.ends.get(i - 1).copied().unwrap_or(0)
            }
        };
        (from..to).map(move |i| {
            let end = self.ends.get(i).copied().unwrap_or(0);
            self.data.get(start(i)..end).unwrap_or_default()
        })
    }

    /// `f` over every id, in order, split across the machine's cores for large inputs (each id
    /// is independent; the answers are the same as one at a time).
    fn map<T: Send>(&self, f: impl Fn(&[u8]) -> T + Sync) -> Vec<T> {
        const MIN_PER_THREAD: usize = 1 << 16;
        let n = self.ends.len();
        let threads = std::thread::available_parallelism()
            .map_or(1, |p| p.get())
            .min(n / MIN_PER_THREAD)
            .max(1);
        if threads == 1 {
            return self.range(0, n).map(f).collect();
        }
        let per = n.div_ceil(threads);
        std::thread::scope(|s| {
            let parts: Vec<_> = (0..threads)
                .map(|k| {
                    let (from, to) = (k * per, ((k + 1) * per).min(n));
                    let f = &f;
                    s.spawn(move || self.range(from, to).map(f).collect::<Vec<T>>())
                })
                .collect();
            let mut out = Vec::with_capacity(n);
            for p in parts {
                match p.join() {
                    Ok(v) => out.extend(v),
                    // Never drop answers: a worker's panic (none is possible: hashing cannot
                    // fail) goes on as if this thread had done the work.
                    Err(e) => std::panic::resume_unwind(e),
                }
            }
            out
        })
    }
}

/// `flags` as a Python list: `[False] * n` built by CPython in one go, then only the `True`
/// entries set (a sample is mostly `False`), instead of one `PyList_SetItem` call per element.
fn bool_list<'py>(py: Python<'py>, flags: &[bool]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::new(py, [false])?
        .mul(flags.len())?
        .cast_into::<PyList>()?;
    for (i, _) in flags.iter().enumerate().filter(|(_, f)| **f) {
        list.set_item(i, true)?;
    }
    Ok(list)
}

/// `(class_, period)` from the two arguments after `device_id`: the order every sampling call
/// shares is `(salt, device_id, class_, period)`. The order before it (`period, class_`) still
/// works, with a `DeprecationWarning`.
fn class_and_period(a: &Args<'_>) -> PyResult<(String, u64)> {
    let (class_, period) = (a.required("class_")?, a.required("period")?);
    if class_.is_instance_of::<PyString>() || !period.is_instance_of::<PyString>() {
        return Ok((a.text("class_")?, a.u64("period")?));
    }
    let py = class_.py();
    PyErr::warn(
        py,
        &py.get_type::<pyo3::exceptions::PyDeprecationWarning>(),
        c"stepstone: the order (salt, device_id, period, class_) is deprecated; pass (salt, device_id, class_, period), the order of Sampler(salt, class_, period) and SamplingPlan.position(device_id, class_, period)",
        1,
    )?;
    Ok((
        a.str_of("period", "a str (the class, in the old order)", period)?,
        a.ranged("class_", class_, u64::MAX)?,
    ))
}

/// A device's position in `[0, 2**64)` for one salt, class and period (docs/sampling.md's hash;
/// the same on every binding and on the device). A device is sampled at a rate when its
/// position is below it (`is_below`).
///
/// Parameters:
///     salt (bytes | str): the fleet's secret salt (str: its UTF-8).
///     device_id (bytes | str): the device's id (str: its UTF-8).
///     class_ (str): the sampling class (`metrics`, `rollout`, ...).
///     period (int): the period index (`period_index`, `SamplingPlan.period_at`).
///
/// Returns: int, the position.
///
/// Raises: `BadArgumentError` (`python.bad_argument`) for an argument of another type, missing,
/// or a period that is negative or above 2**64 - 1. The order `(salt, device_id, period,
/// class_)` of earlier versions is still read, with a `DeprecationWarning`.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(salt, device_id, class_, period)")]
fn sample_position(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u64> {
    let a = params!(
        "sample_position",
        ["salt", "device_id", "class_", "period"],
        []
    )
    .bind(args, kwargs)?;
    let (salt, device_id) = (a.bytes_or_text("salt")?, a.bytes_or_text("device_id")?);
    let (class_, period) = class_and_period(&a)?;
    Ok(sample::position(&salt, &device_id, period, &class_))
}

/// Whether a device is in the `rate_ppm` sample of `class_` in `period`.
///
/// Parameters:
///     salt (bytes | str): the fleet's secret salt.
///     device_id (bytes | str): the device's id.
///     class_ (str): the sampling class.
///     period (int): the period index.
///     rate_ppm (int): the rate in parts per million (0..=1000000; `parse_rate("5%")`).
///
/// Returns: bool.
///
/// Raises: `BadArgumentError` (`python.bad_argument`) for an argument of another type, missing,
/// or a number that is negative or too large. The order `(salt, device_id, period, class_,
/// rate_ppm)` of earlier versions is still read, with a `DeprecationWarning`.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(salt, device_id, class_, period, rate_ppm)")]
fn is_sampled(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<bool> {
    let a = params!(
        "is_sampled",
        ["salt", "device_id", "class_", "period", "rate_ppm"],
        []
    )
    .bind(args, kwargs)?;
    let (salt, device_id) = (a.bytes_or_text("salt")?, a.bytes_or_text("device_id")?);
    let (class_, period) = class_and_period(&a)?;
    let rate_ppm = a.u32("rate_ppm")?;
    Ok(sample::is_sampled(
        &salt, &device_id, period, &class_, rate_ppm,
    ))
}

/// Whether `position` is below a rate of `rate_ppm` (exact integer arithmetic; saturates).
///
/// Parameters:
///     position (int): a position from `sample_position` or `Sampler.position`.
///     rate_ppm (int): the rate in parts per million.
///
/// Returns: bool, true when the device at `position` is in the sample.
///
/// Raises: `BadArgumentError` (`python.bad_argument`) for a number that is missing, not an int,
/// negative or too large.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(position, rate_ppm)")]
fn is_below(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<bool> {
    let a = params!("is_below", ["position", "rate_ppm"], []).bind(args, kwargs)?;
    Ok(sample::is_below(a.u64("position")?, a.u32("rate_ppm")?))
}

/// The period containing `unix_seconds`, or `None` before `offset_seconds`.
///
/// Parameters:
///     unix_seconds (int): the time.
///     period_seconds (int): the length of a period (86400: daily).
///     offset_seconds (int): the start of period 0 (default 0).
///
/// Returns: int | None, `(unix_seconds - offset_seconds) // period_seconds`, or `None` before
/// the offset or when `period_seconds` is 0.
///
/// Raises: `BadArgumentError` (`python.bad_argument`) for a number that is missing, not an int,
/// negative or too large.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(unix_seconds, period_seconds, offset_seconds=0)")]
fn period_index(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Option<u64>> {
    let a = params!(
        "period_index",
        ["unix_seconds", "period_seconds", "offset_seconds"],
        []
    )
    .bind(args, kwargs)?;
    let (unix_seconds, period_seconds) = (a.u64("unix_seconds")?, a.u64("period_seconds")?);
    let offset_seconds = a.u64_or("offset_seconds", 0)?;
    Ok(sample::period_index(
        unix_seconds,
        period_seconds,
        offset_seconds,
    ))
}

/// Reads a rate: ppm (`50000`), a percentage (`5%`, `0.1%`) or `50000ppm`.
///
/// Parameters:
///     text (str): the rate as written.
///
/// Returns: int, the rate in parts per million.
///
/// Raises: `SampleError` (`sample.bad_rate`, `sample.rate_out_of_range`); `BadArgumentError`
/// (`python.bad_argument`) if `text` is not a str.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(text)")]
fn parse_rate(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u32> {
    let a = params!("parse_rate", ["text"], []).bind(args, kwargs)?;
    sample::parse_rate(&a.text("text")?).map_err(raise)
}

/// A rate in ppm as a short percentage (`50000` -> `5%`).
///
/// Parameters:
///     rate_ppm (int): the rate in parts per million.
///
/// Returns: str.
///
/// Raises: `BadArgumentError` (`python.bad_argument`) for a rate that is missing, not an int,
/// negative or above 2**32 - 1.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(rate_ppm)")]
fn format_rate(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<String> {
    let a = params!("format_rate", ["rate_ppm"], []).bind(args, kwargs)?;
    Ok(sample::format_rate(a.u32("rate_ppm")?))
}

/// Decides many devices for one salt, class and period: `Sampler(salt, class_, period)` (the
/// order every sampling call shares: salt, [device_id,] class_, period). The salt's and class's
/// part of the hash is computed once, so a million ids take about 50 ms. `positions` and
/// `sampled` take a list, tuple or iterable of ids (str or bytes), a one-dimensional numpy array
/// of dtype `S`, or a pyarrow `binary`/`string` array, and release the GIL while hashing (split
/// over the cores).
///
/// Parameters:
///     salt (bytes | str): the fleet's secret salt.
///     class_ (str): the sampling class.
///     period (int): the period index.
///
/// Raises: `BadArgumentError` (`python.bad_argument`) for an argument of another type, missing,
/// or a period that is negative or above 2**64 - 1.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Sampler {
    pub(crate) inner: sample::Sampler,
    /// What it was made with (salt, class, period): its repr and its pickle.
    made_with: (Vec<u8>, String, u64),
}

#[pymethods]
impl Sampler {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(salt, class_, period)")]
    fn new(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Sampler> {
        let a = params!("Sampler", ["salt", "class_", "period"], []).bind(args, kwargs)?;
        let (salt, class_, period) = (
            a.bytes_or_text("salt")?,
            a.text("class_")?,
            a.u64("period")?,
        );
        Ok(Sampler {
            inner: sample::Sampler::new(&salt, &class_, period),
            made_with: (salt.into_owned(), class_, period),
        })
    }

    fn __repr__(&self) -> String {
        let (_, class_, period) = &self.made_with;
        format!("Sampler(class_={}, period={period})", repr::s(class_))
    }

    /// Pickling: `Sampler(salt, class_, period)` again (the salt as bytes: the pickle holds the
    /// fleet's salt, as a pickled `SamplingPlan` does).
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>, String, u64))> {
        let (salt, class_, period) = &slf.get().made_with;
        Ok((
            slf.get_type().into_any(),
            (PyBytes::new(slf.py(), salt), class_.clone(), *period),
        ))
    }

    /// One device's position (as `sample_position(salt, device_id, class_, period)`).
    ///
    /// Parameters:
    ///     device_id (bytes | str): the device's id.
    ///
    /// Returns: int.
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`) if `device_id` is not bytes or str.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, device_id)")]
    fn position(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u64> {
        let a = params!("Sampler.position", ["device_id"], []).bind(args, kwargs)?;
        Ok(self.inner.position(&a.bytes_or_text("device_id")?))
    }

    /// Whether one device is in the `rate_ppm` sample.
    ///
    /// Parameters:
    ///     device_id (bytes | str): the device's id.
    ///     rate_ppm (int): the rate in parts per million.
    ///
    /// Returns: bool.
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`) if `device_id` is not bytes or str, or
    /// for a rate that is not an int from 0 to 2**32 - 1.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, device_id, rate_ppm)")]
    fn is_sampled(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<bool> {
        let a = params!("Sampler.is_sampled", ["device_id", "rate_ppm"], []).bind(args, kwargs)?;
        let (device_id, rate_ppm) = (a.bytes_or_text("device_id")?, a.u32("rate_ppm")?);
        Ok(self.inner.is_sampled(&device_id, rate_ppm))
    }

    /// Positions of many devices, in order (the GIL is released while hashing).
    ///
    /// Parameters:
    ///     device_ids: an iterable of bytes/str, a one-dimensional numpy array of dtype `S`, or
    ///         a pyarrow `binary`/`string` array.
    ///
    /// Returns: list[int].
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`, naming the index) for an id that is not
    /// bytes or str or not UTF-8, a numpy array that is not one-dimensional, or a null in a
    /// pyarrow array.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, device_ids)")]
    fn positions(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Vec<u64>> {
        let a = params!("Sampler.positions", ["device_ids"], []).bind(args, kwargs)?;
        let ids = Ids::read(&a)?;
        Ok(py.detach(|| ids.map(|id| self.inner.position(id))))
    }

    /// Decisions for many devices at `rate_ppm`, in order (the GIL is released while hashing).
    ///
    /// Parameters:
    ///     device_ids: as for `positions`.
    ///     rate_ppm (int): the rate in parts per million.
    ///
    /// Returns: list[bool].
    ///
    /// Raises: as `positions`; `BadArgumentError` for a rate that is not an int from 0 to
    /// 2**32 - 1.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, device_ids, rate_ppm)")]
    fn sampled<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let a = params!("Sampler.sampled", ["device_ids", "rate_ppm"], []).bind(args, kwargs)?;
        let rate_ppm = a.u32("rate_ppm")?;
        let ids = Ids::read(&a)?;
        let flags = py.detach(|| ids.map(|id| self.inner.is_sampled(id, rate_ppm)));
        bool_list(py, &flags)
    }
}

/// A validated sampling plan: salt, period length and offset, and a rate per class. Made with
/// `SamplingPlan.from_json(text)` or `SamplingPlan.from_dict(data)`:
/// `{"salt": "acme-2026", "period_seconds": 86400, "classes": {"metrics": 50000}}`.
///
/// Raises: `BadArgumentError` (`python.bad_argument`, also a `TypeError`) if called directly
/// (there is no constructor: use `from_json` or `from_dict`).
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct SamplingPlan {
    pub(crate) inner: sample::SamplingPlan,
}

/// The `device_id`, `class_` and `period` arguments of `SamplingPlan.position` and
/// `SamplingPlan.is_sampled`.
fn device_class_period<'a>(a: &'a Args<'_>) -> PyResult<(Cow<'a, [u8]>, String, u64)> {
    Ok((
        a.bytes_or_text("device_id")?,
        a.text("class_")?,
        a.u64("period")?,
    ))
}

#[pymethods]
impl SamplingPlan {
    #[new]
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
            "SamplingPlan",
            "SamplingPlan.from_json(text) or SamplingPlan.from_dict(data)",
        ))
    }

    /// Reads a plan from JSON text.
    ///
    /// Parameters:
    ///     text (str): the plan as JSON.
    ///
    /// Returns: SamplingPlan.
    ///
    /// Raises: `SampleError` (`sample.invalid_json`, `sample.no_classes`,
    /// `sample.duplicate_class`, `sample.bad_class_name`, `sample.bad_rate`,
    /// `sample.rate_out_of_range`, `sample.zero_period`, `sample.bad_duration`,
    /// `sample.salt_too_long`); `BadArgumentError` (`python.bad_argument`) if `text` is not a
    /// str.
    #[staticmethod]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(text)")]
    fn from_json(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<SamplingPlan> {
        let a = params!("SamplingPlan.from_json", ["text"], []).bind(args, kwargs)?;
        SamplingPlan::read(&a.text("text")?)
    }

    /// Reads a plan from a dict in the JSON shape.
    ///
    /// Parameters:
    ///     data (dict): the plan.
    ///
    /// Returns: SamplingPlan.
    ///
    /// Raises: `SampleError`, as `from_json`; `BadArgumentError` (`python.bad_argument`) if
    /// `data` is not a dict (or another mapping) or does not convert to JSON.
    #[staticmethod]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(data)")]
    fn from_dict(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<SamplingPlan> {
        let a = params!("SamplingPlan.from_dict", ["data"], []).bind(args, kwargs)?;
        SamplingPlan::read(&a.dict("data")?)
    }

    /// The plan as JSON text (reads back with `from_json`).
    ///
    /// Returns: str. Raises: nothing.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_json(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<String> {
        params!("SamplingPlan.to_json", [], []).bind(args, kwargs)?;
        Ok(self.inner.to_json())
    }

    /// Pickling: the plan as its JSON (`to_json`), read back with `SamplingPlan.from_json`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((
            slf.get_type().getattr("from_json")?,
            (slf.get().inner.to_json(),),
        ))
    }

    /// The salt.
    #[getter]
    fn salt(&self) -> &str {
        self.inner.salt()
    }

    /// Length of a period in seconds.
    #[getter]
    fn period_seconds(&self) -> u64 {
        self.inner.period_seconds()
    }

    /// Start of period 0 in Unix seconds.
    #[getter]
    fn period_offset_seconds(&self) -> u64 {
        self.inner.period_offset_seconds()
    }

    /// The classes and their rates (ppm), in the plan's order.
    #[getter]
    fn classes(&self) -> Vec<(String, u32)> {
        self.inner
            .classes()
            .iter()
            .map(|c| (c.name.clone(), c.rate_ppm))
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "SamplingPlan(salt={}, period_seconds={}, classes={:?})",
            repr::s(self.salt()),
            self.period_seconds(),
            self.classes()
        )
    }

    /// The rate of `class_` in ppm.
    ///
    /// Parameters:
    ///     class_ (str): a class of the plan.
    ///
    /// Returns: int.
    ///
    /// Raises: `SampleError` (`sample.unknown_class`); `BadArgumentError`
    /// (`python.bad_argument`) if `class_` is not a str.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, class_)")]
    fn rate(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u32> {
        let a = params!("SamplingPlan.rate", ["class_"], []).bind(args, kwargs)?;
        self.inner.rate(&a.text("class_")?).map_err(raise)
    }

    /// The period containing `unix_seconds`.
    ///
    /// Parameters:
    ///     unix_seconds (int): the time.
    ///
    /// Returns: int, the period index.
    ///
    /// Raises: `SampleError` (`sample.before_offset`); `BadArgumentError`
    /// (`python.bad_argument`) for a time that is not an int from 0 to 2**64 - 1.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, unix_seconds)")]
    fn period_at(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u64> {
        let a = params!("SamplingPlan.period_at", ["unix_seconds"], []).bind(args, kwargs)?;
        self.inner.period_at(a.u64("unix_seconds")?).map_err(raise)
    }

    /// The device's position for `class_` in `period` (the plan's salt).
    ///
    /// Parameters:
    ///     device_id (bytes | str): the device's id.
    ///     class_ (str): the sampling class.
    ///     period (int): the period index.
    ///
    /// Returns: int.
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`) if `device_id` is not bytes or str,
    /// `class_` not a str, or `period` not an int from 0 to 2**64 - 1.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, device_id, class_, period)")]
    fn position(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u64> {
        let a = params!(
            "SamplingPlan.position",
            ["device_id", "class_", "period"],
            []
        )
        .bind(args, kwargs)?;
        let (device_id, class_, period) = device_class_period(&a)?;
        Ok(self.inner.position(&device_id, &class_, period))
    }

    /// Whether the device reports `class_` in `period` (the class's rate).
    ///
    /// Parameters:
    ///     device_id (bytes | str): the device's id.
    ///     class_ (str): a class of the plan.
    ///     period (int): the period index.
    ///
    /// Returns: bool.
    ///
    /// Raises: `SampleError` (`sample.unknown_class`); `BadArgumentError`
    /// (`python.bad_argument`) as `position`.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, device_id, class_, period)")]
    fn is_sampled(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<bool> {
        let a = params!(
            "SamplingPlan.is_sampled",
            ["device_id", "class_", "period"],
            []
        )
        .bind(args, kwargs)?;
        let (device_id, class_, period) = device_class_period(&a)?;
        self.inner
            .is_sampled(&device_id, &class_, period)
            .map_err(raise)
    }

    /// The hashed message of `class_` split around what varies per row, for engines that hash
    /// it themselves (`stepstone.spark` builds a Spark SQL `sha2` expression from it):
    /// `message = head + period.to_bytes(8, "big") + bytes(pad) + len(id).to_bytes(4, "big") + id`.
    ///
    /// Parameters:
    ///     class_ (str): the sampling class (need not be in the plan, as for `position`).
    ///
    /// Returns: tuple[bytes, int], `(head, pad)`.
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`) if `class_` is not a str.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, class_)")]
    fn message_layout<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<(Bound<'py, PyBytes>, usize)> {
        let a = params!("SamplingPlan.message_layout", ["class_"], []).bind(args, kwargs)?;
        let layout = self.inner.message_layout(&a.text("class_")?);
        Ok((PyBytes::new(py, &layout.head), layout.pad))
    }

    /// How many positions are in the sample of `class_`: `ceil(rate × 2**64 / 1_000_000)`. A
    /// device is sampled iff its position is less than this number.
    ///
    /// Parameters:
    ///     class_ (str): a class of the plan.
    ///
    /// Returns: int, from 0 to 2**64.
    ///
    /// Raises: `SampleError` (`sample.unknown_class`); `BadArgumentError`
    /// (`python.bad_argument`) if `class_` is not a str.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, class_)")]
    fn positions_below(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u128> {
        let a = params!("SamplingPlan.positions_below", ["class_"], []).bind(args, kwargs)?;
        let rate = self.inner.rate(&a.text("class_")?).map_err(raise)?;
        Ok(sample::positions_below(rate))
    }

    /// A `Sampler` for `class_` in `period` with the plan's salt, and the class's rate.
    ///
    /// Parameters:
    ///     class_ (str): a class of the plan.
    ///     period (int): the period index.
    ///
    /// Returns: tuple[Sampler, int], `(sampler, rate_ppm)`: `sampler.sampled(ids, rate_ppm)`.
    ///
    /// Raises: `SampleError` (`sample.unknown_class`); `BadArgumentError`
    /// (`python.bad_argument`) if `class_` is not a str or `period` not an int from 0 to
    /// 2**64 - 1.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, class_, period)")]
    fn sampler(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<(Sampler, u32)> {
        let a = params!("SamplingPlan.sampler", ["class_", "period"], []).bind(args, kwargs)?;
        let (class_, period) = (a.text("class_")?, a.u64("period")?);
        let (inner, rate) = self.inner.sampler(&class_, period).map_err(raise)?;
        Ok((
            Sampler {
                inner,
                made_with: (self.salt().as_bytes().to_vec(), class_, period),
            },
            rate,
        ))
    }
}

impl SamplingPlan {
    fn read(text: &str) -> PyResult<SamplingPlan> {
        sample::SamplingPlan::from_json(text)
            .map(|inner| SamplingPlan { inner })
            .map_err(raise)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sample_position, m)?)?;
    m.add_function(wrap_pyfunction!(is_sampled, m)?)?;
    m.add_function(wrap_pyfunction!(is_below, m)?)?;
    m.add_function(wrap_pyfunction!(period_index, m)?)?;
    m.add_function(wrap_pyfunction!(parse_rate, m)?)?;
    m.add_function(wrap_pyfunction!(format_rate, m)?)?;
    m.add_class::<Sampler>()?;
    m.add_class::<SamplingPlan>()?;
    Ok(())
}

/// How often a bug that hits a device every `bug_hours` shows up in a `rate_ppm` sample of
/// `fleet` devices, and the chance of seeing it within `window_hours`. Arithmetic for
/// dashboards: no decision depends on it.
///
/// Parameters:
///     fleet (int): devices in the fleet.
///     rate_ppm (int): the sampling rate.
///     bug_hours (float): a device meets the bug once every this many hours.
///     window_hours (float): how long one watches.
///
/// Returns: dict, the core's `Estimate` fields.
///
/// Raises: `SampleError` (`sample.bad_input` for hours that are not finite and positive,
/// `sample.rate_out_of_range`); `BadArgumentError` (`python.bad_argument`) for an argument of
/// another type, missing, or a count that is negative or too large.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(fleet, rate_ppm, bug_hours, window_hours)")]
fn estimate(py: Python<'_>, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Py<PyAny>> {
    let a = params!(
        "estimate",
        ["fleet", "rate_ppm", "bug_hours", "window_hours"],
        []
    )
    .bind(args, kwargs)?;
    let (fleet, rate_ppm) = (a.u64("fleet")?, a.u32("rate_ppm")?);
    let (bug_hours, window_hours) = (a.real("bug_hours")?, a.real("window_hours")?);
    let e = sample::fleet::estimate(fleet, rate_ppm, bug_hours, window_hours).map_err(raise)?;
    crate::wire::to_py(py, &e)
}

/// The smallest rate (ppm) that sees such a bug within `window_hours` with `probability`.
///
/// Parameters:
///     fleet (int): devices in the fleet.
///     bug_hours (float): a device meets the bug once every this many hours.
///     window_hours (float): how long one watches.
///     probability (float): the chance wanted, in (0, 1).
///
/// Returns: int | None, the rate in ppm; `None` if even the whole fleet does not see it.
///
/// Raises: `SampleError` (`sample.bad_input`, `sample.rate_out_of_range`); `BadArgumentError`
/// (`python.bad_argument`) for an argument of another type, missing, or a fleet that is negative
/// or too large.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(fleet, bug_hours, window_hours, probability)")]
fn smallest_rate(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Option<u32>> {
    let a = params!(
        "smallest_rate",
        ["fleet", "bug_hours", "window_hours", "probability"],
        []
    )
    .bind(args, kwargs)?;
    let fleet = a.u64("fleet")?;
    let (bug_hours, window_hours) = (a.real("bug_hours")?, a.real("window_hours")?);
    let probability = a.real("probability")?;
    sample::fleet::smallest_rate(fleet, bug_hours, window_hours, probability).map_err(raise)
}

/// Data volume of a sample per day and over the retention.
///
/// Parameters:
///     fleet (int): devices in the fleet.
///     rate_ppm (int): the sampling rate.
///     items (int): items each sampled device sends per sample.
///     bytes_per_item (int): their size.
///     samples_per_day (int): samples a day.
///     retention_days (int): days kept.
///
/// Returns: dict, the core's `Volume` fields.
///
/// Raises: `SampleError` (`sample.overflow`, `sample.bad_duration`, `sample.rate_out_of_range`);
/// `BadArgumentError` (`python.bad_argument`) for a number that is missing, not an int,
/// negative or too large.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(fleet, rate_ppm, items, bytes_per_item, samples_per_day, retention_days)")]
fn volume(py: Python<'_>, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Py<PyAny>> {
    let a = params!(
        "volume",
        [
            "fleet",
            "rate_ppm",
            "items",
            "bytes_per_item",
            "samples_per_day",
            "retention_days"
        ],
        []
    )
    .bind(args, kwargs)?;
    let (fleet, rate_ppm, items) = (a.u64("fleet")?, a.u32("rate_ppm")?, a.u64("items")?);
    let bytes_per_item = a.u64("bytes_per_item")?;
    let (samples_per_day, retention_days) = (a.u64("samples_per_day")?, a.u64("retention_days")?);
    let v = sample::fleet::volume(
        fleet,
        rate_ppm,
        items,
        bytes_per_item,
        samples_per_day,
        retention_days,
    )
    .map_err(raise)?;
    crate::wire::to_py(py, &v)
}

pub(crate) fn register_fleet(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(estimate, m)?)?;
    m.add_function(wrap_pyfunction!(smallest_rate, m)?)?;
    m.add_function(wrap_pyfunction!(volume, m)?)?;
    Ok(())
}
