//! The reconciler, the scheduler's brain: `apply(state, event)` and `decide(state, now)`.
//!
//! Device states, events and actions cross as dicts in the core's JSON wire form (what a
//! scheduler stores in its table), versions as the catalog spells them.

use std::sync::Mutex;

use pyo3::prelude::*;
use serde_json::Value;
use stepstone::catalog::Catalog;
use stepstone::reconcile::window::Window;
use stepstone::reconcile::{
    Context, DEFAULT_JOB_TTL_SECS, DeviceState, Event, RolloutView, Timing, apply, decide,
};
use stepstone::rollout::RolloutState;
use stepstone::version::Version;

use crate::catalog::Campaign;
use crate::errors::{Area, exception, raise};
use crate::retry::{RetryPolicy, Rollout, json_text};

fn invalid(py: Python<'_>, what: &str, e: impl core::fmt::Display) -> PyErr {
    exception(
        py,
        Area::Reconcile,
        "reconcile.invalid_json",
        &format!("invalid {what}: {e}"),
    )
}

fn to_py(py: Python<'_>, v: &impl serde::Serialize) -> PyResult<Py<PyAny>> {
    let text = serde_json::to_string(v).map_err(|e| invalid(py, "value", e))?;
    Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
}

fn state_in(
    py: Python<'_>,
    catalog: &Catalog,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<DeviceState<Version>> {
    let wire: DeviceState<String> =
        serde_json::from_str(&json_text(obj)?).map_err(|e| invalid(py, "device state", e))?;
    wire.try_map(|t| catalog.parse_version(&t))
        .map_err(raise(Area::Version))
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

fn event_in(py: Python<'_>, catalog: &Catalog, obj: &Bound<'_, PyAny>) -> PyResult<Event<Version>> {
    let wire: Event<String> =
        serde_json::from_str(&json_text(Some(obj))?).map_err(|e| invalid(py, "event", e))?;
    wire.try_map(|t| catalog.parse_version(&t).map_err(raise(Area::Version)))
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
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
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
/// window's own code).
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
    #[pyo3(signature = (campaign, *, policy = None, rollout = None, rollout_started_at = 0, start = None, end = None, windows = None, utc_offset_secs = 0, job_ttl_secs = DEFAULT_JOB_TTL_SECS))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        campaign: Py<Campaign>,
        policy: Option<&Bound<'_, RetryPolicy>>,
        rollout: Option<&Bound<'_, Rollout>>,
        rollout_started_at: u64,
        start: Option<u64>,
        end: Option<u64>,
        windows: Option<&Bound<'_, PyAny>>,
        utc_offset_secs: i32,
        job_ttl_secs: u64,
    ) -> PyResult<Reconciler> {
        let windows: Vec<Window> = match windows {
            Some(w) => {
                serde_json::from_str(&json_text(Some(w))?).map_err(|e| invalid(py, "windows", e))?
            }
            None => Vec::new(),
        };
        for w in &windows {
            w.validate().map_err(raise(Area::Reconcile))?;
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
    #[pyo3(signature = (state, event))]
    fn apply(
        &self,
        py: Python<'_>,
        state: Option<&Bound<'_, PyAny>>,
        event: &Bound<'_, PyAny>,
    ) -> PyResult<(Py<PyAny>, &'static str)> {
        let catalog = &self.campaign.get().catalog;
        let mut s = state_in(py, catalog, state)?;
        let e = event_in(py, catalog, event)?;
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
    #[pyo3(signature = (state = None))]
    fn state(&self, py: Python<'_>, state: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        state_out(py, &state_in(py, &self.campaign.get().catalog, state)?)
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
    #[pyo3(signature = (device_id, state, now))]
    fn decide(
        &self,
        py: Python<'_>,
        device_id: &str,
        state: Option<&Bound<'_, PyAny>>,
        now: u64,
    ) -> PyResult<Action> {
        let campaign = self.campaign.get();
        let s = state_in(py, &campaign.catalog, state)?;
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
    fn rollout_advance(&self, py: Python<'_>, now: u64) -> PyResult<bool> {
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
    #[pyo3(signature = (now, note = None))]
    fn rollout_halt(&self, py: Python<'_>, now: u64, note: Option<String>) -> PyResult<()> {
        let note = note.unwrap_or_default();
        let mut guard = self
            .rollout_state
            .lock()
            .map_err(|_| invalid(py, "rollout state", "poisoned lock"))?;
        match (&self.rollout, guard.as_mut()) {
            (Some(r), Some(s)) => r.halt(s, note, now).map_err(raise(Area::Rollout)),
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
