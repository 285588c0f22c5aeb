//! Retry policies and staged rollouts.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use stepstone::retry::{self, FailureKind, HopCounters, RetryDecision};
use stepstone::rollout::{self, Confidence, HaltRule, Ramp, StageStats};
use stepstone::sample;

use crate::errors::{Area, raise};
use crate::repr;

/// JSON text of a dict, a str (already JSON) or `None` (`{}`).
pub(crate) fn json_text(obj: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    match obj {
        None => Ok("{}".into()),
        Some(o) if o.is_none() => Ok("{}".into()),
        Some(o) => match o.extract::<String>() {
            Ok(s) => Ok(s),
            Err(_) => o
                .py()
                .import("json")?
                .call_method1("dumps", (o,))?
                .extract(),
        },
    }
}

pub(crate) fn kind(py: Python<'_>, name: &str) -> PyResult<FailureKind> {
    // The core's own reading of a kind name (serde), so the error is the core's `retry.json`.
    let _ = py;
    serde_json::from_value::<FailureKind>(serde_json::Value::String(name.into()))
        .map_err(|e| raise(Area::Retry)(retry::RetryError::Json(e.to_string())))
}

/// A retry policy (default: at most 5 attempts per hop, exponential backoff with deterministic
/// jitter). `RetryPolicy(spec)` reads a dict or JSON text holding the fields that differ from the
/// default; `RetryPolicy()` is the default.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct RetryPolicy {
    pub(crate) inner: retry::RetryPolicy,
}

#[pymethods]
impl RetryPolicy {
    #[new]
    #[pyo3(signature = (spec = None))]
    fn new(spec: Option<&Bound<'_, PyAny>>) -> PyResult<RetryPolicy> {
        retry::RetryPolicy::from_json(&json_text(spec)?)
            .map(|inner| RetryPolicy { inner })
            .map_err(raise(Area::Retry))
    }

    /// The policy as JSON text (every field).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> PyResult<String> {
        Ok(format!("RetryPolicy({})", self.to_json()?))
    }

    /// Seconds to wait after the `n`-th failure of `kind` (jittered by device, hop and attempt).
    #[pyo3(signature = (kind, n, device_id, hop, attempt))]
    fn backoff(
        &self,
        py: Python<'_>,
        kind: &str,
        n: u32,
        device_id: &str,
        hop: &str,
        attempt: u32,
    ) -> PyResult<u64> {
        Ok(self.inner.backoff(
            self::kind(py, kind)?,
            n,
            device_id.as_bytes(),
            hop.as_bytes(),
            attempt,
        ))
    }

    /// What to do after a failure: `RetryDecision(retry_at=t)` or `RetryDecision(give_up=code)`.
    ///
    /// `failures` maps a kind name to its count on this hop, this failure included.
    #[pyo3(signature = (*, attempts, failures, kind, total_attempts, first_attempt_at, failed_at, device_id, hop))]
    #[allow(clippy::too_many_arguments)]
    fn after_failure(
        &self,
        py: Python<'_>,
        attempts: u32,
        failures: &Bound<'_, PyDict>,
        kind: &str,
        total_attempts: u32,
        first_attempt_at: u64,
        failed_at: u64,
        device_id: &str,
        hop: &str,
    ) -> PyResult<RetryDecisionPy> {
        let mut counters = HopCounters {
            attempts,
            failures: [0; 4],
        };
        for (name, n) in failures.iter() {
            let k = self::kind(py, &name.extract::<String>()?)?;
            if let Some(slot) = counters.failures.get_mut(k.index()) {
                *slot = n.extract()?;
            }
        }
        Ok(
            match self.inner.after_failure(
                &counters,
                self::kind(py, kind)?,
                total_attempts,
                first_attempt_at,
                failed_at,
                device_id.as_bytes(),
                hop.as_bytes(),
            ) {
                RetryDecision::RetryAt(t) => RetryDecisionPy {
                    retry_at: Some(t),
                    give_up: None,
                },
                RetryDecision::GiveUp(r) => RetryDecisionPy {
                    retry_at: None,
                    give_up: Some(r.code().into()),
                },
            },
        )
    }
}

/// After a failure: retry at `retry_at`, or give up with the rule's code in `give_up`.
#[pyclass(module = "stepstone", name = "RetryDecision", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct RetryDecisionPy {
    /// When to try again (seconds, the caller's clock), or `None`.
    retry_at: Option<u64>,
    /// The give-up rule's code (`retry.attempts_per_hop`, ...), or `None`.
    give_up: Option<String>,
}

#[pymethods]
impl RetryDecisionPy {
    fn __repr__(&self) -> String {
        format!(
            "RetryDecision(retry_at={}, give_up={})",
            repr::opt_n(self.retry_at),
            repr::opt_s(self.give_up.as_deref())
        )
    }
}

/// The jitter hash of (device, hop, attempt): the first 8 bytes of the documented SHA-256.
#[pyfunction]
fn jitter_hash(device_id: &str, hop: &str, attempt: u32) -> u64 {
    retry::jitter_hash(device_id.as_bytes(), hop.as_bytes(), attempt)
}

/// A staged rollout (stages or a ramp, with halt rules), read from a dict or JSON text.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Rollout {
    pub(crate) inner: rollout::Rollout,
}

#[pymethods]
impl Rollout {
    #[new]
    fn new(spec: &Bound<'_, PyAny>) -> PyResult<Rollout> {
        rollout::Rollout::from_json(&json_text(Some(spec))?)
            .map(|inner| Rollout { inner })
            .map_err(raise(Area::Rollout))
    }

    fn __repr__(&self) -> String {
        format!("Rollout(salt={})", repr::s(&self.inner.salt))
    }

    /// The device's rollout position (fleet sampling, class `rollout`, period 0).
    fn position(&self, device_id: &str) -> u64 {
        self.inner.position(device_id.as_bytes())
    }

    /// The first stage whose fraction includes `position` (else the last).
    fn stage_of(&self, position: u64) -> u32 {
        self.inner.stage_of(position)
    }

    /// The halt rule's code that trips for a stage's counts, or `None`.
    fn trips(&self, stage: u32, finished: u32, failed: u32) -> Option<&'static str> {
        self.inner
            .trips(stage, StageStats { finished, failed })
            .map(|h| h.code())
    }
}

/// Whether a halt rule (a dict) trips for these counts: its code, or `None`.
#[pyfunction]
fn halt_trips(
    rule: &Bound<'_, PyAny>,
    finished: u32,
    failed: u32,
) -> PyResult<Option<&'static str>> {
    let halt: HaltRule = serde_json::from_str(&json_text(Some(rule))?)
        .map_err(|e| raise(Area::Rollout)(rollout::RolloutError::Json(e.to_string())))?;
    let r = rollout::Rollout {
        salt: String::new(),
        schedule: rollout::Schedule::Stages(vec![]),
        halt,
    };
    Ok(r.trips(0, StageStats { finished, failed })
        .map(|h| h.code()))
}

/// A ramp's open fraction (ppm) `elapsed` seconds after it started.
#[pyfunction]
fn ramp_fraction(ramp: &Bound<'_, PyAny>, elapsed: u64) -> PyResult<u32> {
    let ramp: Ramp = serde_json::from_str(&json_text(Some(ramp))?)
        .map_err(|e| raise(Area::Rollout)(rollout::RolloutError::Json(e.to_string())))?;
    Ok(ramp.fraction_at(elapsed))
}

/// Whether the Wilson lower bound of `failed / finished` at `z = z_num / z_den` is above
/// `limit_ppm / 10**6` (exact).
#[pyfunction]
fn wilson_lower_above(failed: u32, finished: u32, limit_ppm: u32, z_num: u32, z_den: u32) -> bool {
    rollout::wilson_lower_above(failed, finished, limit_ppm, Confidence { z_num, z_den })
}

/// A device's rollout position for `salt` (fleet sampling, class `rollout`, period 0).
#[pyfunction]
fn rollout_position(salt: &str, device_id: &str) -> u64 {
    sample::position(
        salt.as_bytes(),
        device_id.as_bytes(),
        0,
        sample::ROLLOUT_CLASS,
    )
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RetryPolicy>()?;
    m.add_class::<RetryDecisionPy>()?;
    m.add_class::<Rollout>()?;
    m.add_function(wrap_pyfunction!(jitter_hash, m)?)?;
    m.add_function(wrap_pyfunction!(halt_trips, m)?)?;
    m.add_function(wrap_pyfunction!(ramp_fraction, m)?)?;
    m.add_function(wrap_pyfunction!(wilson_lower_above, m)?)?;
    m.add_function(wrap_pyfunction!(rollout_position, m)?)?;
    Ok(())
}
