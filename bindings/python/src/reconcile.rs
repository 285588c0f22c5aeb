//! The reconciler, the scheduler's brain: `apply(state, event)` and `decide(state, now)`.
//!
//! Device states, events and actions cross as dicts in the core's JSON wire form (what a
//! scheduler stores in its table), versions as the catalog spells them.

use std::sync::Mutex;

use pyo3::prelude::*;
use serde_json::Value;
use stepstone::reconcile::{DEFAULT_JOB_TTL_SECS, Session, SessionOptions};

use crate::args::{Args, Kw, Pos, params};
use crate::catalog::Campaign;
use crate::errors::{exception, internal, raise};
use crate::retry::{RetryPolicy, Rollout};

use crate::wire::{loads as json_to_py, to_py};

/// The device state in argument `state` of `a`'s call as JSON text (a dict, its JSON text, or
/// `None`: a new device).
fn state_text(a: &Args<'_>) -> PyResult<Option<String>> {
    a.opt_json("state")
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
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
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
    fn to_dict(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Py<PyAny>> {
        let call = crate::args::params!("Action.to_dict", [], []);
        crate::wire::to_dict(call, args, kwargs, &self.value)
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
///     rollout_state (dict | None): where the rollout stands, as stored from `rollout_state`
///         (a stateless scheduler carries on from it); `None`: it starts at `rollout_started_at`.
///     start (int | None), end (int | None): the campaign's times (seconds).
///     windows (list[dict] | None): weekly maintenance windows `{"day": 0..6,
///         "start_minute": ..., "duration_minutes": ...}` in the device's local time.
///     utc_offset_secs (int): the device's UTC offset now.
///     job_ttl_secs (int): how long a job document lives (default 7 days).
///
/// Raises: `ReconcileError` (`reconcile.invalid_json` for windows or a rollout state that do
/// not read, `reconcile.rollout_state_mismatch` for a rollout state of another rollout), the
/// window's own code (`window.*`), the policy's or rollout's (`retry.*`, `rollout.*`); `BadArgumentError` (`python.bad_argument`) for an argument of
/// another type, missing, or a number that is negative or out of range.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Reconciler {
    campaign: Py<Campaign>,
    /// The core's session; the lock guards the rollout state (`rollout_*` change it).
    session: Mutex<Session>,
}

impl Reconciler {
    /// `f` on the core's session, under its lock. The lock is released before anything else
    /// runs (an error becomes a Python exception only after): a thread holding the lock never
    /// waits for the GIL that a thread blocked on the lock holds.
    fn session<R>(&self, f: impl FnOnce(&mut Session) -> R) -> PyResult<R> {
        let mut guard = self
            .session
            .lock()
            .map_err(|_| internal("another thread panicked while holding this reconciler"))?;
        Ok(f(&mut guard))
    }
}

#[pymethods]
impl Reconciler {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(campaign, *, policy=None, rollout=None, rollout_started_at=None, rollout_state=None, start=None, end=None, windows=None, utc_offset_secs=0, job_ttl_secs=604800)")]
    fn new(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Reconciler> {
        let a = params!(
            "Reconciler",
            ["campaign"],
            [
                "policy",
                "rollout",
                "rollout_started_at",
                "rollout_state",
                "start",
                "end",
                "windows",
                "utc_offset_secs",
                "job_ttl_secs"
            ]
        )
        .bind(args, kwargs)?;
        let campaign = a.object::<Campaign>("campaign", "a Campaign")?;
        let policy = a.opt_object::<RetryPolicy>("policy", "a RetryPolicy or None")?;
        let rollout = a.opt_object::<Rollout>("rollout", "a Rollout or None")?;
        // The two documents Python passes as lists and dicts are read by the core, as the JS
        // binding passes them.
        let mut documents = Vec::new();
        if let Some(w) = a.opt_json_list("windows")? {
            documents.push(format!(r#""windows":{w}"#));
        }
        if let Some(s) = a.opt_json("rollout_state")? {
            documents.push(format!(r#""rollout_state":{s}"#));
        }
        let options = SessionOptions {
            policy: policy.map(|p| p.get().inner),
            rollout: rollout.map(|r| r.get().inner.clone()),
            rollout_started_at: a.opt_u64("rollout_started_at")?,
            start: a.opt_u64("start")?,
            end: a.opt_u64("end")?,
            utc_offset_secs: a.i32_or("utc_offset_secs", 0)?,
            job_ttl_secs: Some(a.u64_or("job_ttl_secs", DEFAULT_JOB_TTL_SECS)?),
            ..SessionOptions::from_json(&format!("{{{}}}", documents.join(","))).map_err(raise)?
        };
        let c = campaign.get();
        let session = Session::new(c.table.clone(), c.scheme, options).map_err(raise)?;
        Ok(Reconciler {
            campaign: campaign.unbind(),
            session: Mutex::new(session),
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
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<(Py<PyAny>, &'static str)> {
        let a = params!("Reconciler.apply", ["state", "event"], []).bind(args, kwargs)?;
        a.required("state")?;
        let (state, event) = (state_text(&a)?, a.json("event")?);
        let (s, applied) = self
            .session(|s| s.apply(state.as_deref(), &event))?
            .map_err(raise)?;
        Ok((to_py(py, &s)?, applied.name()))
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
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Py<PyAny>> {
        let a = params!("Reconciler.state", ["state"], []).bind(args, kwargs)?;
        let state = state_text(&a)?;
        let text = self
            .session(|s| s.state_json(state.as_deref()))?
            .map_err(raise)?;
        json_to_py(py, &text)
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
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Action> {
        let a =
            params!("Reconciler.decide", ["device_id", "state", "now"], []).bind(args, kwargs)?;
        let device_id = a.text("device_id")?;
        a.required("state")?;
        let now = a.u64("now")?;
        let state = state_text(&a)?;
        let text = self
            .session(|s| s.decide_json(device_id.as_bytes(), state.as_deref(), now))?
            .map_err(raise)?;
        let value = serde_json::from_str(&text).map_err(|e| {
            exception(
                py,
                "python.internal",
                &format!("an action did not read: {e}"),
            )
        })?;
        Ok(Action { value })
    }

    /// Opens the rollout's next stage if it may open at `now`.
    ///
    /// Parameters:
    ///     now (int): the time (seconds).
    ///
    /// Returns: bool, whether a stage opened.
    ///
    /// Raises: `ReconcileError` (`reconcile.no_rollout`) without a rollout.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, now)")]
    fn rollout_advance(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<bool> {
        let a = params!("Reconciler.rollout_advance", ["now"], []).bind(args, kwargs)?;
        let now = a.u64("now")?;
        self.session(|s| s.rollout_advance(now))?.map_err(raise)
    }

    /// Halts the rollout by hand.
    ///
    /// Parameters:
    ///     now (int): the time (seconds).
    ///     note (str | None): why, kept in the rollout state.
    ///
    /// Returns: None.
    ///
    /// Raises: `RolloutError` (`rollout.already_halted`); `ReconcileError`
    /// (`reconcile.no_rollout`) without a rollout.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, now, note=None)")]
    fn rollout_halt(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<()> {
        let a = params!("Reconciler.rollout_halt", ["now", "note"], []).bind(args, kwargs)?;
        let now = a.u64("now")?;
        let note = a.opt_text("note")?.unwrap_or_default();
        self.session(|s| s.rollout_halt(now, &note))?.map_err(raise)
    }

    /// Resumes a halted rollout: the halted stage's counts start again from zero and the open
    /// stage's soak starts again.
    ///
    /// Parameters:
    ///     now (int): the time (seconds).
    ///
    /// Returns: None.
    ///
    /// Raises: `RolloutError` (`rollout.not_halted`); `ReconcileError`
    /// (`reconcile.no_rollout`) without a rollout.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, now)")]
    fn rollout_resume(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<()> {
        let a = params!("Reconciler.rollout_resume", ["now"], []).bind(args, kwargs)?;
        let now = a.u64("now")?;
        self.session(|s| s.rollout_resume(now))?.map_err(raise)
    }

    /// Counts one finished attempt (after applying `job_succeeded` or `job_failed`) of a device
    /// of `stage` (the `stage` of the `install` action that started it) and halts the rollout if
    /// a rule trips. This is how outcomes reach the rollout's halt rules.
    ///
    /// Parameters:
    ///     stage (int): the device's rollout stage.
    ///     failed (bool): whether the attempt failed.
    ///     now (int): the time (seconds).
    ///
    /// Returns: str | None, the code of the halt this outcome caused (`rollout.failure_count`,
    /// ...), or `None`.
    ///
    /// Raises: `RolloutError` (`rollout.unknown_stage`); `ReconcileError`
    /// (`reconcile.no_rollout`) without a rollout.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, stage, failed, now)")]
    fn rollout_record(
        &self,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Option<&'static str>> {
        let a = params!("Reconciler.rollout_record", ["stage", "failed", "now"], [])
            .bind(args, kwargs)?;
        let (stage, failed, now) = (a.u32("stage")?, a.flag("failed")?, a.u64("now")?);
        self.session(|s| s.rollout_record(stage, failed, now))?
            .map_err(raise)
    }

    /// The rollout's state as a dict (`None` without a rollout); pass it back as
    /// `rollout_state=` to a new `Reconciler` to carry on where this one stands.
    #[getter]
    fn rollout_state(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let text = self.session(|s| s.rollout_state_json())?;
        text.map(|t| json_to_py(py, &t)).transpose()
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
