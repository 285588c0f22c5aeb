//! Arguments at the boundary: every user-facing call takes `(*args, **kwargs)`, binds them to
//! its parameter names here ([`Params::bind`]) and converts each with one of [`Args`]'
//! methods. A missing, unknown or surplus argument, a wrong type, a negative, fractional, NaN or
//! out-of-range number, text that is not UTF-8 or a numpy array of the wrong shape is refused
//! with `python.bad_argument` (`BadArgumentError`), naming the call, the argument and the value:
//! ``Catalog.plan(): `current` must be a version string, got int 64000``.
//!
//! This module only checks and converts; whether a well-typed value is acceptable (an unknown
//! cost, a rate above 100%, a failed count above the finished one) is the core's answer.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};

use crate::errors::bad_argument;

/// A call's positional arguments as pyo3 hands them over (`*args`).
pub(crate) type Pos<'a, 'py> = &'a Bound<'py, PyTuple>;
/// A call's keyword arguments as pyo3 hands them over (`**kwargs`, in an `Option`: `None`
/// when there are none).
pub(crate) type Kw<'a, 'py> = &'a Bound<'py, PyDict>;

/// A call's parameters: those that may come by position (in order), then keyword-only ones.
pub(crate) struct Params {
    /// How the call is spelt in messages (`Catalog.plan`).
    pub(crate) call: &'static str,
    pub(crate) positional: &'static [&'static str],
    pub(crate) keyword: &'static [&'static str],
}

/// The arguments of one call, by parameter.
pub(crate) struct Args<'py> {
    params: &'static Params,
    values: Vec<Option<Bound<'py, PyAny>>>,
    py: Python<'py>,
}

/// `repr(value)`, cut to 60 characters.
fn shown(value: &Bound<'_, PyAny>) -> String {
    let text = value
        .repr()
        .and_then(|r| r.to_cow().map(Cow::into_owned))
        .unwrap_or_else(|_| "<unprintable>".into());
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// `int 64000`, `list ['v64000']`, `None`: the value as a message shows it.
pub(crate) fn describe(value: &Bound<'_, PyAny>) -> String {
    if value.is_none() {
        return "None".into();
    }
    let ty = value
        .get_type()
        .name()
        .and_then(|n| n.to_cow().map(Cow::into_owned))
        .unwrap_or_else(|_| "object".into());
    format!("{ty} {}", shown(value))
}

/// Whether `value` is a whole number as Python has them: an `int` that is not a `bool`, or what
/// has `__index__` (numpy's integers) and is neither a float nor a bool.
pub(crate) fn int_like(value: &Bound<'_, PyAny>) -> bool {
    if value.is_instance_of::<PyBool>() || value.is_instance_of::<PyFloat>() {
        return false;
    }
    value.is_instance_of::<PyInt>()
        || (!is_numpy_bool(value) && value.hasattr("__index__").unwrap_or(false))
}

fn is_numpy_bool(value: &Bound<'_, PyAny>) -> bool {
    value
        .get_type()
        .name()
        .is_ok_and(|n| n.to_cow().is_ok_and(|n| n == "bool_" || n == "bool"))
}

impl Params {
    fn names(&self) -> impl Iterator<Item = &'static str> {
        self.positional.iter().chain(self.keyword).copied()
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names().position(|n| n == name)
    }

    /// Binds `args` and `kwargs` as Python would for this parameter list, refusing surplus
    /// positional arguments, unknown keywords and an argument given twice.
    pub(crate) fn bind<'py>(
        &'static self,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Args<'py>> {
        let py = args.py();
        let fail = |message: String| bad_argument(py, &format!("{}(): {message}", self.call));
        let mut values: Vec<Option<Bound<'py, PyAny>>> = vec![None; self.names().count()];
        if args.len() > self.positional.len() {
            return Err(fail(
                if self.positional.is_empty() && self.keyword.is_empty() {
                    format!("takes no arguments, got {}", args.len())
                } else if self.positional.is_empty() {
                    format!(
                        "takes its arguments by keyword only ({}), got {} positional",
                        self.keyword.join(", "),
                        args.len()
                    )
                } else {
                    format!(
                        "takes at most {} positional argument{} ({}), got {}",
                        self.positional.len(),
                        if self.positional.len() == 1 { "" } else { "s" },
                        self.positional.join(", "),
                        args.len()
                    )
                },
            ));
        }
        for (slot, value) in values.iter_mut().zip(args.iter()) {
            *slot = Some(value);
        }
        if let Some(kwargs) = kwargs {
            for (key, value) in kwargs.iter() {
                let key: String = key.extract()?;
                let Some(i) = self.index(&key) else {
                    let known: Vec<&str> = self.names().collect();
                    return Err(fail(format!(
                        "unknown argument `{key}` (its arguments: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    )));
                };
                if values[i].is_some() {
                    return Err(fail(format!("`{key}` is given twice")));
                }
                values[i] = Some(value);
            }
        }
        Ok(Args {
            params: self,
            values,
            py,
        })
    }
}

impl<'py> Args<'py> {
    /// `python.bad_argument`: ``Call(): `name` <what>``.
    pub(crate) fn fail(&self, name: &str, what: impl core::fmt::Display) -> PyErr {
        bad_argument(self.py, &format!("{}(): `{name}` {what}", self.params.call))
    }

    /// ``Call(): `name` could not be read: <its error>``, for an argument whose own code raised
    /// while the binding read it (an iterator, a mapping's `items()`); its error is the cause.
    /// What is not an `Exception` (`KeyboardInterrupt`, `SystemExit`) passes as it is.
    pub(crate) fn unreadable(&self, name: &str, e: PyErr) -> PyErr {
        if !e.is_instance_of::<pyo3::exceptions::PyException>(self.py) {
            return e;
        }
        let err = self.fail(name, format!("could not be read: {e}"));
        err.set_cause(self.py, Some(e));
        err
    }

    /// ``Call(): `name` must be <kind>, got <type> <value>``.
    pub(crate) fn wrong(&self, name: &str, kind: &str, value: &Bound<'_, PyAny>) -> PyErr {
        self.fail(name, format!("must be {kind}, got {}", describe(value)))
    }

    /// The value given for `name`, if any (`None` too counts as given).
    pub(crate) fn get(&self, name: &str) -> Option<&Bound<'py, PyAny>> {
        let i = self.params.index(name);
        debug_assert!(i.is_some(), "{}: no parameter {name}", self.params.call);
        i.and_then(|i| self.values.get(i)?.as_ref())
    }

    /// The value for a required `name`.
    pub(crate) fn required(&self, name: &str) -> PyResult<&Bound<'py, PyAny>> {
        self.get(name)
            .ok_or_else(|| self.fail(name, "is missing (it is required)"))
    }

    /// The value for an optional `name` whose default is `None`: absent and `None` alike give
    /// `None`.
    pub(crate) fn optional(&self, name: &str) -> Option<&Bound<'py, PyAny>> {
        self.get(name).filter(|v| !v.is_none())
    }

    // ---- text ----------------------------------------------------------------------------

    pub(crate) fn str_of(
        &self,
        name: &str,
        kind: &str,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let s = value
            .cast::<PyString>()
            .map_err(|_| self.wrong(name, kind, value))?;
        s.to_cow().map(Cow::into_owned).map_err(|_| {
            self.fail(
                name,
                format!(
                    "is not valid UTF-8 text (a lone surrogate), got {}",
                    shown(value)
                ),
            )
        })
    }

    /// A required version string.
    pub(crate) fn version(&self, name: &str) -> PyResult<String> {
        self.str_of(name, "a version string", self.required(name)?)
    }

    /// An optional version string (`None`: none).
    pub(crate) fn opt_version(&self, name: &str) -> PyResult<Option<String>> {
        self.optional(name)
            .map(|v| self.str_of(name, "a version string or None", v))
            .transpose()
    }

    /// A required `str`.
    pub(crate) fn text(&self, name: &str) -> PyResult<String> {
        self.str_of(name, "a str", self.required(name)?)
    }

    /// A `str` with a default when absent (`None` is refused: the parameter is not optional).
    pub(crate) fn text_or(&self, name: &str, default: &str) -> PyResult<String> {
        match self.get(name) {
            None => Ok(default.into()),
            Some(v) => self.str_of(name, "a str", v),
        }
    }

    /// An optional `str` (`None`: none).
    pub(crate) fn opt_text(&self, name: &str) -> PyResult<Option<String>> {
        self.optional(name)
            .map(|v| self.str_of(name, "a str or None", v))
            .transpose()
    }

    // ---- bool ----------------------------------------------------------------------------

    /// A `bool` with a default when absent.
    pub(crate) fn flag_or(&self, name: &str, default: bool) -> PyResult<bool> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .cast::<PyBool>()
                .map(|b| b.is_true())
                .map_err(|_| self.wrong(name, "a bool (True or False)", v)),
        }
    }

    /// A required `bool`.
    pub(crate) fn flag(&self, name: &str) -> PyResult<bool> {
        let v = self.required(name)?;
        v.cast::<PyBool>()
            .map(|b| b.is_true())
            .map_err(|_| self.wrong(name, "a bool (True or False)", v))
    }

    // ---- integers ------------------------------------------------------------------------

    /// A whole number as a Python `int`: an `int` (not a `bool`) or what has `__index__`
    /// (numpy's integers); a float, even a whole one, is refused.
    fn int_of(&self, name: &str, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        const KIND: &str = "a whole number (int)";
        if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
            return Ok(value.clone());
        }
        if int_like(value)
            && let Ok(i) = value.call_method0("__index__")
            && i.is_instance_of::<PyInt>()
        {
            return Ok(i);
        }
        Err(self.wrong(name, KIND, value))
    }

    /// A whole number from `min` to `max`.
    fn whole(&self, name: &str, value: &Bound<'py, PyAny>, min: i128, max: i128) -> PyResult<i128> {
        let i = self.int_of(name, value)?;
        match i.extract::<i128>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(self.fail(
                name,
                if i.lt(min).unwrap_or(false) {
                    format!("must be at least {min}, got {}", shown(&i))
                } else {
                    format!("must be at most {max}, got {}", shown(&i))
                },
            )),
        }
    }

    /// A whole number from 0 to `max`.
    pub(crate) fn ranged<T: TryFrom<i128>>(
        &self,
        name: &str,
        value: &Bound<'py, PyAny>,
        max: T,
    ) -> PyResult<T>
    where
        i128: From<T>,
    {
        let n = self.whole(name, value, 0, i128::from(max))?;
        T::try_from(n).map_err(|_| self.fail(name, "is out of range"))
    }

    /// A required `u32`.
    pub(crate) fn u32(&self, name: &str) -> PyResult<u32> {
        self.ranged(name, self.required(name)?, u32::MAX)
    }

    /// A `u32` with a default when absent.
    pub(crate) fn u32_or(&self, name: &str, default: u32) -> PyResult<u32> {
        self.get(name)
            .map_or(Ok(default), |v| self.ranged(name, v, u32::MAX))
    }

    /// A required `u64`.
    pub(crate) fn u64(&self, name: &str) -> PyResult<u64> {
        self.ranged(name, self.required(name)?, u64::MAX)
    }

    /// A `u64` with a default when absent.
    pub(crate) fn u64_or(&self, name: &str, default: u64) -> PyResult<u64> {
        self.get(name)
            .map_or(Ok(default), |v| self.ranged(name, v, u64::MAX))
    }

    /// An optional `u64` (`None`: none).
    pub(crate) fn opt_u64(&self, name: &str) -> PyResult<Option<u64>> {
        self.optional(name)
            .map(|v| self.ranged(name, v, u64::MAX))
            .transpose()
    }

    /// An `i32` with a default when absent.
    pub(crate) fn i32_or(&self, name: &str, default: i32) -> PyResult<i32> {
        self.get(name).map_or(Ok(default), |v| {
            let n = self.whole(name, v, i32::MIN.into(), i32::MAX.into())?;
            i32::try_from(n).map_err(|_| self.fail(name, "is out of range"))
        })
    }

    // ---- floats --------------------------------------------------------------------------

    /// A required real number (`float` or `int`, not `bool`). NaN and infinities pass: the
    /// core says whether it takes them.
    pub(crate) fn real(&self, name: &str) -> PyResult<f64> {
        let v = self.required(name)?;
        if v.is_instance_of::<PyBool>()
            || !(v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>())
        {
            return Err(self.wrong(name, "a number (float or int)", v));
        }
        v.extract::<f64>()
            .map_err(|_| self.fail(name, format!("is too large for a float, got {}", shown(v))))
    }

    // ---- bytes ---------------------------------------------------------------------------

    fn bytes_of<'a>(
        &self,
        name: &str,
        value: &'a Bound<'py, PyAny>,
        text: bool,
    ) -> PyResult<Cow<'a, [u8]>> {
        if let Ok(b) = value.cast::<PyBytes>() {
            return Ok(Cow::Borrowed(b.as_bytes()));
        }
        if let Ok(b) = value.cast::<PyByteArray>() {
            return Ok(Cow::Owned(b.to_vec()));
        }
        if text && value.is_instance_of::<PyString>() {
            return self
                .str_of(name, "", value)
                .map(|s| Cow::Owned(s.into_bytes()));
        }
        if value
            .get_type()
            .name()
            .is_ok_and(|n| n.to_cow().is_ok_and(|n| n == "memoryview"))
        {
            let b = value.call_method0("tobytes")?;
            return Ok(Cow::Owned(b.cast::<PyBytes>()?.as_bytes().to_vec()));
        }
        Err(self.wrong(
            name,
            if text {
                "bytes or str"
            } else {
                "bytes (or bytearray, memoryview)"
            },
            value,
        ))
    }

    /// Required binary data: `bytes`, `bytearray` or a `memoryview`.
    pub(crate) fn bytes(&self, name: &str) -> PyResult<Cow<'_, [u8]>> {
        self.bytes_of(name, self.required(name)?, false)
    }

    /// Optional binary data (`None`: none).
    pub(crate) fn opt_bytes(&self, name: &str) -> PyResult<Option<Cow<'_, [u8]>>> {
        self.optional(name)
            .map(|v| self.bytes_of(name, v, false))
            .transpose()
    }

    /// Required secret bytes (a private key, a scalar): `bytes`, `bytearray`, `memoryview`, or
    /// with `text` a `str`. A refusal names the type only, never the value.
    pub(crate) fn secret(&self, name: &str, text: bool) -> PyResult<Cow<'_, [u8]>> {
        let v = self.required(name)?;
        self.bytes_of(name, v, text).map_err(|_| {
            let ty = v
                .get_type()
                .name()
                .and_then(|n| n.to_cow().map(Cow::into_owned))
                .unwrap_or_else(|_| "object".into());
            let kind = if text { "bytes or str" } else { "bytes" };
            self.fail(
                name,
                format!("must be {kind}, got {ty} (its value is not shown: it may be secret)"),
            )
        })
    }

    /// Required bytes, or a `str` as its UTF-8 (keys, signatures, manifests, ids).
    pub(crate) fn bytes_or_text(&self, name: &str) -> PyResult<Cow<'_, [u8]>> {
        self.bytes_of(name, self.required(name)?, true)
    }

    // ---- JSON documents ------------------------------------------------------------------

    fn json_of(&self, name: &str, value: &Bound<'py, PyAny>, list: bool) -> PyResult<String> {
        if value.is_instance_of::<PyString>() {
            return self.str_of(name, "", value);
        }
        let mapping =
            value.is_instance_of::<PyDict>() || value.cast::<pyo3::types::PyMapping>().is_ok();
        let sequence = value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>();
        if !(mapping || (list && sequence)) {
            return Err(self.wrong(
                name,
                if list {
                    "a list of dicts or JSON text"
                } else {
                    "a dict or JSON text"
                },
                value,
            ));
        }
        let value = if mapping && !value.is_instance_of::<PyDict>() {
            value
                .call_method0("items")
                .and_then(|items| PyDict::from_sequence(&items))
                .map_err(|e| self.unreadable(name, e))?
                .into_any()
        } else {
            value.clone()
        };
        let kwargs = PyDict::new(self.py);
        kwargs.set_item("allow_nan", false)?;
        self.py
            .import("json")?
            .call_method("dumps", (value,), Some(&kwargs))
            .and_then(|t| t.extract::<String>())
            .map_err(|e| self.fail(name, format!("does not convert to JSON: {e}")))
    }

    /// A required JSON object given as a dict (any mapping) or as JSON text.
    pub(crate) fn json(&self, name: &str) -> PyResult<String> {
        self.json_of(name, self.required(name)?, false)
    }

    /// A required JSON object given as a dict (any mapping), not as text (`from_dict`).
    pub(crate) fn dict(&self, name: &str) -> PyResult<String> {
        let v = self.required(name)?;
        if v.is_instance_of::<PyString>() {
            return Err(self.wrong(name, "a dict", v));
        }
        self.json_of(name, v, false)
    }

    /// An optional JSON object (`None`: none).
    pub(crate) fn opt_json(&self, name: &str) -> PyResult<Option<String>> {
        self.optional(name)
            .map(|v| self.json_of(name, v, false))
            .transpose()
    }

    /// An optional JSON list given as a list or tuple (of dicts), or as JSON text.
    pub(crate) fn opt_json_list(&self, name: &str) -> PyResult<Option<String>> {
        self.optional(name)
            .map(|v| self.json_of(name, v, true))
            .transpose()
    }

    /// An optional list of `str`.
    pub(crate) fn opt_texts(&self, name: &str) -> PyResult<Option<Vec<String>>> {
        let Some(v) = self.optional(name) else {
            return Ok(None);
        };
        if !(v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>()) {
            return Err(self.wrong(name, "a list of str or None", v));
        }
        v.try_iter()?
            .enumerate()
            .map(|(i, item)| {
                let name = format!("{name}[{i}]");
                self.str_of(
                    &name,
                    "a str",
                    &item.map_err(|e| self.unreadable(&name, e))?,
                )
            })
            .collect::<PyResult<Vec<String>>>()
            .map(Some)
    }

    // ---- objects of this package ---------------------------------------------------------

    /// A required instance of the pyclass `T` (`what` names it in the message).
    pub(crate) fn object<T: pyo3::PyClass>(
        &self,
        name: &str,
        what: &str,
    ) -> PyResult<Bound<'py, T>> {
        let v = self.required(name)?;
        v.cast::<T>()
            .cloned()
            .map_err(|_| self.wrong(name, what, v))
    }

    /// An optional instance of the pyclass `T` (`None`: none).
    pub(crate) fn opt_object<T: pyo3::PyClass>(
        &self,
        name: &str,
        what: &str,
    ) -> PyResult<Option<Bound<'py, T>>> {
        self.optional(name)
            .map(|v| {
                v.cast::<T>()
                    .cloned()
                    .map_err(|_| self.wrong(name, what, v))
            })
            .transpose()
    }

    /// The Python handle, for calls that need it.
    pub(crate) fn py(&self) -> Python<'py> {
        self.py
    }
}

/// The refusal of a class made only by other calls (`Campaign()`): `python.bad_argument`
/// saying what makes one.
pub(crate) fn no_constructor(args: Pos<'_, '_>, class: &str, how: &str) -> PyErr {
    let message = format!("{class}() has no constructor: make one with {how}");
    bad_argument(args.py(), &message)
}

/// Declares a call's parameters as a `static` [`Params`].
macro_rules! params {
    ($call:literal, [$($p:literal),* $(,)?], [$($k:literal),* $(,)?]) => {{
        static P: $crate::args::Params = $crate::args::Params {
            call: $call,
            positional: &[$($p),*],
            keyword: &[$($k),*],
        };
        &P
    }};
}
pub(crate) use params;
