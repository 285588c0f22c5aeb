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

/// A retry policy: how often a failed hop is tried again, how long to wait, when to give up.
/// The default: at most 5 attempts per hop, backoff `min(cap, base * factor**(n-1))` per failure
/// kind (`failed`, `timed_out`, `rejected`, `download_error`) shortened by a deterministic jitter.
///
/// Parameters:
///     spec (dict | str | None): the fields that differ from the default, as a dict or JSON
///         text, e.g. `{"attempts_per_hop": 3, "rejected": {"base_secs": 3600}}`; `None`: the
///         default policy.
///
/// Raises: `RetryError` naming the field (`retry.zero_attempts`, `retry.jitter_out_of_range`,
/// `retry.zero_factor`, `retry.cap_below_base`, `retry.zero_limit`, `retry.json` for an unknown
/// field or a value of the wrong type).
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

    /// The policy as JSON text, every field written out (reads back with `RetryPolicy(text)`).
    ///
    /// Returns: str. Raises: nothing.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> PyResult<String> {
        Ok(format!("RetryPolicy({})", self.to_json()?))
    }

    /// Seconds to wait after the `n`-th failure of `kind`, jittered by device, hop and attempt
    /// (the same numbers on every binding and on the device).
    ///
    /// Parameters:
    ///     kind (str): `failed`, `timed_out`, `rejected` or `download_error`.
    ///     n (int): which failure of that kind on the hop (1 = first).
    ///     device_id (str): the device.
    ///     hop (str): the release being installed, as the catalog spells it.
    ///     attempt (int): the attempt that failed (1 = first).
    ///
    /// Returns: int, seconds.
    ///
    /// Raises: `RetryError` (`retry.json`) for an unknown kind.
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

    /// What to do after a failure: retry at a time, or give up (and by which rule).
    ///
    /// Parameters (keyword only):
    ///     attempts (int): attempts made on this hop, the failed one included.
    ///     failures (dict[str, int]): failures per kind on this hop, this one included.
    ///     kind (str): this failure's kind.
    ///     total_attempts (int): attempts over the whole march.
    ///     first_attempt_at (int): when the march's first attempt started (seconds).
    ///     failed_at (int): when this failure was learnt (seconds, the caller's clock).
    ///     device_id (str), hop (str): for the jitter.
    ///
    /// Returns: RetryDecision, `retry_at` set (seconds) or `give_up` set to the rule's code
    /// (`retry.not_retried`, `retry.kind_limit`, `retry.attempts_per_hop`,
    /// `retry.total_attempts`, `retry.elapsed`).
    ///
    /// Raises: `RetryError` (`retry.json`) for an unknown kind name.
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

/// The jitter hash of (device, hop, attempt): the first 8 bytes, big-endian, of
/// `SHA-256(b"stepstone/jitter/v1" || u32be(len) || device_id || u32be(len) || hop ||
/// u32be(attempt))`.
///
/// Parameters:
///     device_id (str), hop (str), attempt (int).
///
/// Returns: int. Raises: nothing.
#[pyfunction]
fn jitter_hash(device_id: &str, hop: &str, attempt: u32) -> u64 {
    retry::jitter_hash(device_id.as_bytes(), hop.as_bytes(), attempt)
}

/// A staged rollout (stages or a ramp, with halt rules), read from a dict or JSON text
/// (docs/rollout.md's format).
///
/// Parameters:
///     spec (dict | str): the rollout.
///
/// Raises: `RolloutError` (`rollout.json`, `rollout.no_stages`, `rollout.fractions_decrease`,
/// `rollout.fraction_out_of_range`, `rollout.bad_confidence`, `rollout.bad_count`, ...).
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

    /// The device's rollout position (fleet sampling with the rollout's salt, class `rollout`,
    /// period 0).
    ///
    /// Parameters:
    ///     device_id (str): the device.
    ///
    /// Returns: int in `[0, 2**64)`. Raises: nothing.
    fn position(&self, device_id: &str) -> u64 {
        self.inner.position(device_id.as_bytes())
    }

    /// The first stage whose fraction includes `position` (else the last).
    ///
    /// Parameters:
    ///     position (int): from `position`.
    ///
    /// Returns: int, the stage index. Raises: `OverflowError` for a negative number.
    fn stage_of(&self, position: u64) -> u32 {
        self.inner.stage_of(position)
    }

    /// Whether the halt rules trip for a stage's counts.
    ///
    /// Parameters:
    ///     stage (int): the stage index.
    ///     finished (int): devices of the stage that finished (succeeded or failed).
    ///     failed (int): those that failed.
    ///
    /// Returns: str | None, the rule's code (`rollout.failure_count`, `rollout.failure_rate`,
    /// `rollout.failure_rate_confident`), or `None`. Raises: nothing.
    fn trips(&self, stage: u32, finished: u32, failed: u32) -> Option<&'static str> {
        self.inner
            .trips(stage, StageStats { finished, failed })
            .map(|h| h.code())
    }
}

/// Whether a halt rule trips for these counts.
///
/// Parameters:
///     rule (dict | str): the halt rule, as in a rollout's `halt`.
///     finished (int), failed (int): the counts.
///
/// Returns: str | None, the rule's code, or `None`.
///
/// Raises: `RolloutError` (`rollout.json`).
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

/// A ramp's open fraction `elapsed` seconds after it started.
///
/// Parameters:
///     ramp (dict | str): the ramp, as in a rollout.
///     elapsed (int): seconds since it started.
///
/// Returns: int, the fraction in ppm.
///
/// Raises: `RolloutError` (`rollout.json`).
#[pyfunction]
fn ramp_fraction(ramp: &Bound<'_, PyAny>, elapsed: u64) -> PyResult<u32> {
    let ramp: Ramp = serde_json::from_str(&json_text(Some(ramp))?)
        .map_err(|e| raise(Area::Rollout)(rollout::RolloutError::Json(e.to_string())))?;
    Ok(ramp.fraction_at(elapsed))
}

/// Whether the Wilson lower bound of `failed / finished` at `z = z_num / z_den` is above
/// `limit_ppm / 10**6`, in exact integer arithmetic.
///
/// Parameters:
///     failed (int), finished (int): the counts.
///     limit_ppm (int): the failure rate limit.
///     z_num (int), z_den (int): the confidence's z as a fraction (1960/1000: 95%).
///
/// Returns: bool. Raises: `OverflowError` for a negative number.
#[pyfunction]
fn wilson_lower_above(failed: u32, finished: u32, limit_ppm: u32, z_num: u32, z_den: u32) -> bool {
    rollout::wilson_lower_above(failed, finished, limit_ppm, Confidence { z_num, z_den })
}

/// A device's rollout position for `salt`: `sample_position(salt, device_id, "rollout", 0)`.
///
/// Parameters:
///     salt (str), device_id (str).
///
/// Returns: int. Raises: nothing.
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
