//! The reconciler, the scheduler's brain: `apply(state, event)` and `decide(state, now)`.
//!
//! Device states, events and actions cross as dicts in the core's JSON wire form (what a
//! scheduler stores in its table), versions as the catalog spells them.

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use serde_json::Value;
use stepstone::catalog::Catalog;
use stepstone::reconcile::window::Window;
use stepstone::reconcile::{
    Context, DEFAULT_JOB_TTL_SECS, DeviceState, Event, RolloutView, Timing, apply, decide,
};
use stepstone::rollout::RolloutState;
use stepstone::version::Version;

use crate::args::{Args, params};
use crate::catalog::Campaign;
use crate::errors::{exception, raise};
use crate::retry::{RetryPolicy, Rollout};

fn invalid(py: Python<'_>, what: &str, e: impl core::fmt::Display) -> PyErr {
    exception(
        py,
        "reconcile.invalid_json",
        &format!("invalid {what}: {e}"),
    )
}

fn to_py(py: Python<'_>, v: &impl serde::Serialize) -> PyResult<Py<PyAny>> {
    let text = serde_json::to_string(v).map_err(|e| invalid(py, "value", e))?;
    Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
}

/// The device state in argument `state` of `a`'s call (a dict, its JSON text, or `None`: a
/// new device).
fn state_in(a: &Args<'_>, catalog: &Catalog) -> PyResult<DeviceState<Version>> {
    let text = a.opt_json("state")?.unwrap_or_else(|| "{}".into());
    let wire: DeviceState<String> =
        serde_json::from_str(&text).map_err(|e| invalid(a.py(), "device state", e))?;
    wire.try_map(|t| catalog.parse_version(&t)).map_err(raise)
}

fn state_out(py: Python<'_>, state: &DeviceState<Version>) -> PyResult<Py<PyAny>> {
    let wire = state
        .clone()
        .try_map(|v| Ok::<_, core::convert::Infallible>(v.as_str().to_string()));
    match wire {
        Ok(w) => to_py(py, &w),
        Err(never) => match never {},
    }
}

/// The event in argument `event` of `a`'s call (a dict or its JSON text).
fn event_in(a: &Args<'_>, catalog: &Catalog) -> PyResult<Event<Version>> {
    let wire: Event<String> =
        serde_json::from_str(&a.json("event")?).map_err(|e| invalid(a.py(), "event", e))?;
    wire.try_map(|t| catalog.parse_version(&t).map_err(raise))
}

/// What `decide` says to do with a device now. `action` is `install`, `wait`, `expire`, `done`,
/// `hold` or `give_up`; the other attributes are `None` when the action has no such field.
/// `to_dict()` gives the core's JSON form.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Action {
    value: Value,
}

impl Action {
    fn field(&self, name: &str) -> Option<&Value> {
        self.value.get(name)
    }
}

#[pymethods]
impl Action {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = None)]
    fn refuse_new(
        py: Python<'_>,
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            py,
            "Action",
            "Reconciler.decide(device_id, state, now)",
        ))
    }

    /// The action's name.
    #[getter]
    fn action(&self) -> &str {
        self.field("action").and_then(Value::as_str).unwrap_or("")
    }

    /// `install`: the release to install.
    #[getter]
    fn release(&self) -> Option<&str> {
        self.field("release").and_then(Value::as_str)
    }

    /// `install`/`expire`: the job id.
    #[getter]
    fn job(&self) -> Option<u64> {
        self.field("job").and_then(Value::as_u64)
    }

    /// `install`: when the job document expires.
    #[getter]
    fn expires_at(&self) -> Option<u64> {
        self.field("expires_at").and_then(Value::as_u64)
    }

    /// `install`: which attempt on this hop (1 = first).
    #[getter]
    fn attempt(&self) -> Option<u64> {
        self.field("attempt").and_then(Value::as_u64)
    }

    /// `install`: the device's rollout stage, when a rollout applies.
    #[getter]
    fn stage(&self) -> Option<u64> {
        self.field("stage").and_then(Value::as_u64)
    }

    /// `wait`: when to ask again.
    #[getter]
    fn until(&self) -> Option<u64> {
        self.field("until").and_then(Value::as_u64)
    }

    /// `wait`/`hold`/`give_up`: the reason's `why`.
    #[getter]
    fn why(&self) -> Option<&str> {
        self.field("reason")
            .and_then(|r| r.get("why"))
            .and_then(Value::as_str)
    }

    /// The core's JSON form as a dict.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_dict(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        params!("Action.to_dict", [], []).bind(args, kwargs)?;
        to_py(py, &self.value)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Action>()
            .is_ok_and(|o| o.get().value == self.value)
    }

    fn __repr__(&self) -> String {
        format!("Action({})", self.value)
    }
}

/// The scheduler's brain for one campaign: `apply` an event to a device's state, then
/// `decide` what to do with the device now. States and events are dicts in the core's JSON wire
/// form (what a scheduler stores), versions spelled as the catalog spells them.
///
/// Parameters:
///     campaign (Campaign): `catalog.campaign(target, model=..., environment=...)`.
///     policy (RetryPolicy | None): default `RetryPolicy()` (5 attempts per hop).
///     rollout (Rollout | None), rollout_started_at (int): an optional staged rollout.
///     start (int | None), end (int | None): the campaign's times (seconds).
///     windows (list[dict] | None): weekly maintenance windows `{"day": 0..6,
///         "start_minute": ..., "duration_minutes": ...}` in the device's local time.
///     utc_offset_secs (int): the device's UTC offset now.
///     job_ttl_secs (int): how long a job document lives (default 7 days).
///
/// Raises: `ReconcileError` (`reconcile.invalid_json` for windows that do not read, or the
/// window's own code, `window.*`); `BadArgumentError` (`python.bad_argument`) for an argument of
/// another type, missing, or a number that is negative or out of range.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Reconciler {
    campaign: Py<Campaign>,
    policy: stepstone::retry::RetryPolicy,
    rollout: Option<stepstone::rollout::Rollout>,
    rollout_state: Mutex<Option<RolloutState>>,
    start: Option<u64>,
    end: Option<u64>,
    windows: Vec<Window>,
    utc_offset_secs: i32,
    job_ttl_secs: u64,
}

#[pymethods]
impl Reconciler {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(campaign, *, policy=None, rollout=None, rollout_started_at=0, start=None, end=None, windows=None, utc_offset_secs=0, job_ttl_secs=604800)")]
    fn new(
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Reconciler> {
        let a = params!(
            "Reconciler",
            ["campaign"],
            [
                "policy",
                "rollout",
                "rollout_started_at",
                "start",
                "end",
                "windows",
                "utc_offset_secs",
                "job_ttl_secs"
            ]
        )
        .bind(args, kwargs)?;
        let campaign = a.object::<Campaign>("campaign", "a Campaign")?.unbind();
        let policy = a.opt_object::<RetryPolicy>("policy", "a RetryPolicy or None")?;
        let rollout = a.opt_object::<Rollout>("rollout", "a Rollout or None")?;
        let rollout_started_at = a.u64_or("rollout_started_at", 0)?;
        let (start, end) = (a.opt_u64("start")?, a.opt_u64("end")?);
        let windows = a.opt_json_list("windows")?;
        let utc_offset_secs = a.i32_or("utc_offset_secs", 0)?;
        let job_ttl_secs = a.u64_or("job_ttl_secs", DEFAULT_JOB_TTL_SECS)?;
        let windows: Vec<Window> = match windows {
            Some(w) => serde_json::from_str(&w).map_err(|e| invalid(py, "windows", e))?,
            None => Vec::new(),
        };
        for w in &windows {
            w.validate().map_err(raise)?;
        }
        let rollout = rollout.map(|r| r.get().inner.clone());
        let state = rollout.as_ref().map(|r| r.start(rollout_started_at));
        Ok(Reconciler {
            campaign,
            policy: policy.map_or_else(Default::default, |p| p.get().inner),
            rollout,
            rollout_state: Mutex::new(state),
            start,
            end,
            windows,
            utc_offset_secs,
            job_ttl_secs,
        })
    }

    /// Applies `event` to `state`. Idempotent: an event already seen, older than what was
    /// applied, or about a job not in flight leaves the state exactly as it was.
    ///
    /// Parameters:
    ///     state (dict | None): the device's state in the wire form; `None`: a new device.
    ///     event (dict): `{"event": "reported", "seq": 1, "at": t, "reports": "v64000"}`, or
    ///         `job_created`, `job_succeeded`, `job_failed`, `job_expired`, `target_changed`,
    ///         `catalog_changed`, `release_yanked`, `operator` (docs/reconciler.md lists fields).
    ///
    /// Returns: tuple[dict, str], `(new_state, outcome)`, outcome `changed`, `duplicate`,
    /// `stale` or `not_in_flight`.
    ///
    /// Raises: `ReconcileError` (`reconcile.invalid_json`) for a state or event that does not
    /// read; `VersionError` for a version of another scheme.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, state, event)")]
    fn apply(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<(Py<PyAny>, &'static str)> {
        let a = params!("Reconciler.apply", ["state", "event"], []).bind(args, kwargs)?;
        a.required("state")?;
        let catalog = &self.campaign.get().catalog;
        let mut s = state_in(&a, catalog)?;
        let e = event_in(&a, catalog)?;
        let applied = apply(&mut s, &e);
        Ok((state_out(py, &s)?, applied.name()))
    }

    /// `state` in the core's full wire form, absent fields filled in.
    ///
    /// Parameters:
    ///     state (dict | None): a stored state; `None`: a new device.
    ///
    /// Returns: dict.
    ///
    /// Raises: `ReconcileError` (`reconcile.invalid_json`), `VersionError`.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, state=None)")]
    fn state(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let a = params!("Reconciler.state", ["state"], []).bind(args, kwargs)?;
        state_out(py, &state_in(&a, &self.campaign.get().catalog)?)
    }

    /// What to do with the device now.
    ///
    /// Parameters:
    ///     device_id (str): the device (its rollout position and retry jitter depend on it).
    ///     state (dict | None): its state.
    ///     now (int): the time (seconds); the reconciler reads no clock.
    ///
    /// Returns: Action: `install` (create job `job` for `release`, expiring at `expires_at`;
    /// then apply `job_created`), `wait` (ask again at `until`, or when an event arrives),
    /// `expire` (apply `job_expired` for `job`), `hold`, `done` or `give_up` (`why` and
    /// `to_dict()["reason"]` say why).
    ///
    /// Raises: `ReconcileError` (`reconcile.invalid_json`), `VersionError`.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, device_id, state, now)")]
    fn decide(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Action> {
        let a =
            params!("Reconciler.decide", ["device_id", "state", "now"], []).bind(args, kwargs)?;
        let device_id = a.text("device_id")?;
        a.required("state")?;
        let now = a.u64("now")?;
        let campaign = self.campaign.get();
        let s = state_in(&a, &campaign.catalog)?;
        let guard = self
            .rollout_state
            .lock()
            .map_err(|_| invalid(py, "rollout state", "poisoned lock"))?;
        let ctx = Context {
            rollout: match (&self.rollout, guard.as_ref()) {
                (Some(rollout), Some(state)) => Some(RolloutView { rollout, state }),
                _ => None,
            },
            timing: Timing {
                start: self.start,
                end: self.end,
                windows: &self.windows,
                utc_offset_secs: self.utc_offset_secs,
            },
            job_ttl_secs: self.job_ttl_secs,
            ..Context::new(&campaign.table, &self.policy)
        };
        let action = decide(device_id.as_bytes(), &s, &ctx, now);
        let value = serde_json::to_value(&action).map_err(|e| invalid(py, "action", e))?;
        Ok(Action { value })
    }

    /// Opens the rollout's next stage if it may open at `now`.
    ///
    /// Parameters:
    ///     now (int): the time (seconds).
    ///
    /// Returns: bool, whether a stage opened (false without a rollout).
    ///
    /// Raises: `ReconcileError` only if another thread panicked holding the rollout state.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, now)")]
    fn rollout_advance(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<bool> {
        let a = params!("Reconciler.rollout_advance", ["now"], []).bind(args, kwargs)?;
        let now = a.u64("now")?;
        let mut guard = self
            .rollout_state
            .lock()
            .map_err(|_| invalid(py, "rollout state", "poisoned lock"))?;
        Ok(match (&self.rollout, guard.as_mut()) {
            (Some(r), Some(s)) => r.advance(s, now),
            _ => false,
        })
    }

    /// Halts the rollout by hand.
    ///
    /// Parameters:
    ///     now (int): the time (seconds).
    ///     note (str | None): why, kept in the rollout state.
    ///
    /// Returns: None.
    ///
    /// Raises: `RolloutError` (`rollout.already_halted`).
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, now, note=None)")]
    fn rollout_halt(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let a = params!("Reconciler.rollout_halt", ["now", "note"], []).bind(args, kwargs)?;
        let now = a.u64("now")?;
        let note = a.opt_text("note")?.unwrap_or_default();
        let mut guard = self
            .rollout_state
            .lock()
            .map_err(|_| invalid(py, "rollout state", "poisoned lock"))?;
        match (&self.rollout, guard.as_mut()) {
            (Some(r), Some(s)) => r.halt(s, note, now).map_err(raise),
            _ => Ok(()),
        }
    }

    /// The rollout's state as a dict (`None` without a rollout).
    #[getter]
    fn rollout_state(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let guard = self
            .rollout_state
            .lock()
            .map_err(|_| invalid(py, "rollout state", "poisoned lock"))?;
        guard.as_ref().map(|s| to_py(py, s)).transpose()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Reconciler(campaign={})",
            self.campaign.bind(py).repr()?
        ))
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Action>()?;
    m.add_class::<Reconciler>()?;
    Ok(())
}
