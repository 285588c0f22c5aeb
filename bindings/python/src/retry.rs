//! Retry policies and staged rollouts.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use stepstone::retry::{self, FailureKind, HopCounters, RetryDecision};
use stepstone::rollout::{self, Confidence, HaltRule, Ramp, StageStats};
use stepstone::sample;

use crate::args::{Kw, Pos, params};
use crate::errors::raise;
use crate::repr;

/// A failure kind by name, read by the core (`retry.unknown_kind` for another name).
pub(crate) fn kind(name: &str) -> PyResult<FailureKind> {
    name.parse::<FailureKind>().map_err(raise)
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
/// field or a value of the wrong type); `BadArgumentError` (`python.bad_argument`) for a `spec`
/// that is neither a dict nor a str, or does not convert to JSON.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct RetryPolicy {
    pub(crate) inner: retry::RetryPolicy,
}

#[pymethods]
impl RetryPolicy {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(spec=None)")]
    fn new(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<RetryPolicy> {
        let a = params!("RetryPolicy", ["spec"], []).bind(args, kwargs)?;
        let spec = a.opt_json("spec")?.unwrap_or_else(|| "{}".into());
        retry::RetryPolicy::from_json(&spec)
            .map(|inner| RetryPolicy { inner })
            .map_err(raise)
    }

    /// The policy as JSON text, every field written out (reads back with `RetryPolicy(text)`).
    ///
    /// Returns: str. Raises: nothing.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_json(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<String> {
        params!("RetryPolicy.to_json", [], []).bind(args, kwargs)?;
        crate::wire::text(&self.inner)
    }

    fn __repr__(&self) -> PyResult<String> {
        let json = crate::wire::text(&self.inner)?;
        Ok(format!("RetryPolicy({json})"))
    }

    /// Pickling: the policy as its JSON (`to_json`), read back with `RetryPolicy(text)`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((
            slf.get_type().into_any(),
            (crate::wire::text(&slf.get().inner)?,),
        ))
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
    /// Raises: `RetryError` (`retry.unknown_kind`) for an unknown kind, `retry.zero_number`
    /// for `n` or `attempt` 0 (both are numbered from 1); `BadArgumentError`
    /// (`python.bad_argument`) for an argument of another type, missing, negative or above
    /// 2**32 - 1.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, kind, n, device_id, hop, attempt)")]
    fn backoff(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u64> {
        let a = params!(
            "RetryPolicy.backoff",
            ["kind", "n", "device_id", "hop", "attempt"],
            []
        )
        .bind(args, kwargs)?;
        let (kind, n) = (a.text("kind")?, a.u32("n")?);
        let (device_id, hop, attempt) = (a.text("device_id")?, a.text("hop")?, a.u32("attempt")?);
        self.inner
            .backoff(
                self::kind(&kind)?,
                n,
                device_id.as_bytes(),
                hop.as_bytes(),
                attempt,
            )
            .map_err(raise)
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
    /// Raises: `RetryError` (`retry.unknown_kind`) for an unknown kind name,
    /// `retry.failed_before_first_attempt` for a `failed_at` before `first_attempt_at`; `BadArgumentError`
    /// (`python.bad_argument`) for a missing argument, one of another type, or a count or time
    /// that is negative or out of range.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, *, attempts, failures, kind, total_attempts, first_attempt_at, failed_at, device_id, hop)")]
    fn after_failure(
        &self,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<RetryDecisionPy> {
        let a = params!(
            "RetryPolicy.after_failure",
            [],
            [
                "attempts",
                "failures",
                "kind",
                "total_attempts",
                "first_attempt_at",
                "failed_at",
                "device_id",
                "hop"
            ]
        )
        .bind(args, kwargs)?;
        let attempts = a.u32("attempts")?;
        let failures = a.required("failures")?;
        let failures = failures
            .cast::<PyDict>()
            .map_err(|_| a.wrong("failures", "a dict of kind -> count", failures))?;
        let mut counts = Vec::new();
        for (name, n) in failures.iter() {
            let name = a.str_of("failures", "a dict with str keys (failure kinds)", &name)?;
            let n = a.ranged(&format!("failures[{}]", repr::s(&name)), &n, u32::MAX)?;
            counts.push((name, n));
        }
        let kind = a.text("kind")?;
        let total_attempts = a.u32("total_attempts")?;
        let (first_attempt_at, failed_at) = (a.u64("first_attempt_at")?, a.u64("failed_at")?);
        let (device_id, hop) = (a.text("device_id")?, a.text("hop")?);
        let pairs = counts
            .into_iter()
            .map(|(name, n)| Ok((self::kind(&name)?, n)))
            .collect::<PyResult<Vec<_>>>()?;
        let counters = HopCounters::from_pairs(attempts, pairs).map_err(raise)?;
        let decision = self
            .inner
            .after_failure(
                &counters,
                self::kind(&kind)?,
                total_attempts,
                first_attempt_at,
                failed_at,
                device_id.as_bytes(),
                hop.as_bytes(),
            )
            .map_err(raise)?;
        Ok(match decision {
            RetryDecision::RetryAt(t) => RetryDecisionPy {
                retry_at: Some(t),
                give_up: None,
                core: decision,
            },
            RetryDecision::GiveUp(r) => RetryDecisionPy {
                retry_at: None,
                give_up: Some(r.code().into()),
                core: decision,
            },
        })
    }
}

/// After a failure: retry at `retry_at`, or give up with the rule's code in `give_up`.
#[pyclass(module = "stepstone", name = "RetryDecision", frozen, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct RetryDecisionPy {
    /// When to try again (seconds, the caller's clock), or `None`.
    #[pyo3(get)]
    retry_at: Option<u64>,
    /// The give-up rule's code (`retry.attempts_per_hop`, ...), or `None`.
    #[pyo3(get)]
    give_up: Option<String>,
    /// The core's decision: its wire form is `to_dict()`.
    core: RetryDecision,
}

#[pymethods]
impl RetryDecisionPy {
    #[new]
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
            "RetryDecision",
            "RetryPolicy.after_failure(...)",
        ))
    }

    /// The core's JSON form, what JS's `afterFailure` returns: `{"retry_at": t}` or
    /// `{"give_up": code, "rule": {"rule", ...limit}}`.
    ///
    /// Returns: dict.
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`) for any argument.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_dict(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Py<PyAny>> {
        let call = crate::args::params!("RetryDecision.to_dict", [], []);
        crate::wire::to_dict(call, args, kwargs, &self.core)
    }

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
/// Returns: int.
///
/// Raises: `BadArgumentError` (`python.bad_argument`) for an argument of another type, or an
/// `attempt` that is negative or above 2**32 - 1.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(device_id, hop, attempt)")]
fn jitter_hash(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u64> {
    let a = params!("jitter_hash", ["device_id", "hop", "attempt"], []).bind(args, kwargs)?;
    let (device_id, hop, attempt) = (a.text("device_id")?, a.text("hop")?, a.u32("attempt")?);
    Ok(retry::jitter_hash(
        device_id.as_bytes(),
        hop.as_bytes(),
        attempt,
    ))
}

/// A staged rollout (stages or a ramp, with halt rules), read from a dict or JSON text
/// (docs/rollout.md's format).
///
/// Parameters:
///     spec (dict | str): the rollout.
///
/// Raises: `RolloutError` (`rollout.json`, `rollout.no_stages`, `rollout.fractions_decrease`,
/// `rollout.fraction_out_of_range`, `rollout.bad_confidence`, `rollout.bad_count`, ...);
/// `BadArgumentError` (`python.bad_argument`) for a `spec` that is missing, neither a dict nor a
/// str, or does not convert to JSON.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Rollout {
    pub(crate) inner: rollout::Rollout,
}

#[pymethods]
impl Rollout {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(spec)")]
    fn new(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Rollout> {
        let a = params!("Rollout", ["spec"], []).bind(args, kwargs)?;
        rollout::Rollout::from_json(&a.json("spec")?)
            .map(|inner| Rollout { inner })
            .map_err(raise)
    }

    fn __repr__(&self) -> String {
        format!("Rollout(salt={})", repr::s(&self.inner.salt))
    }

    /// Pickling: the rollout as its JSON (salt, schedule, halt rule), read back with
    /// `Rollout(text)`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((
            slf.get_type().into_any(),
            (crate::wire::text(&slf.get().inner)?,),
        ))
    }

    /// The device's rollout position (fleet sampling with the rollout's salt, class `rollout`,
    /// period 0).
    ///
    /// Parameters:
    ///     device_id (str): the device.
    ///
    /// Returns: int in `[0, 2**64)`.
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`) if `device_id` is not a str.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, device_id)")]
    fn position(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u64> {
        let a = params!("Rollout.position", ["device_id"], []).bind(args, kwargs)?;
        Ok(self.inner.position(a.text("device_id")?.as_bytes()))
    }

    /// The first stage whose fraction includes `position` (else the last).
    ///
    /// Parameters:
    ///     position (int): from `position`.
    ///
    /// Returns: int, the stage index.
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`) for a `position` that is not an int
    /// from 0 to 2**64 - 1.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, position)")]
    fn stage_of(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u32> {
        let a = params!("Rollout.stage_of", ["position"], []).bind(args, kwargs)?;
        Ok(self.inner.stage_of(a.u64("position")?))
    }

    /// Whether the halt rules trip for a stage's counts.
    ///
    /// Parameters:
    ///     stage (int): the stage index.
    ///     finished (int): devices of the stage that finished (succeeded or failed).
    ///     failed (int): those that failed.
    ///
    /// Returns: str | None, the rule's code (`rollout.failure_count`, `rollout.failure_rate`,
    /// `rollout.failure_rate_confident`), or `None`: the counts trip no rule.
    ///
    /// Raises: `RolloutError` (`rollout.unknown_stage` for a stage past the last,
    /// `rollout.failed_above_finished`); `BadArgumentError` (`python.bad_argument`) for a count
    /// that is missing, not an int, negative or above 2**32 - 1 (a missing count is never read
    /// as 0).
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, stage, finished, failed)")]
    fn trips(
        &self,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Option<&'static str>> {
        let a = params!("Rollout.trips", ["stage", "finished", "failed"], []).bind(args, kwargs)?;
        let (stage, finished, failed) = (a.u32("stage")?, a.u32("finished")?, a.u32("failed")?);
        let tripped = self
            .inner
            .trips_checked(stage, StageStats { finished, failed })
            .map_err(raise)?;
        Ok(tripped.map(|h| h.code()))
    }
}

/// Whether a halt rule trips for these counts.
///
/// Parameters:
///     rule (dict | str): the halt rule, as in a rollout's `halt`.
///     finished (int), failed (int): the counts.
///
/// Returns: str | None, the rule's code, or `None`: the counts trip no rule.
///
/// Raises: `RolloutError` (`rollout.json`, `rollout.fraction_out_of_range`,
/// `rollout.bad_confidence`, `rollout.failed_above_finished`); `BadArgumentError`
/// (`python.bad_argument`) for a count that is missing, not an int, negative or above
/// 2**32 - 1, or a `rule` that is neither a dict nor a str.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(rule, finished, failed)")]
fn halt_trips(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Option<&'static str>> {
    let a = params!("halt_trips", ["rule", "finished", "failed"], []).bind(args, kwargs)?;
    let (rule, finished, failed) = (a.json("rule")?, a.u32("finished")?, a.u32("failed")?);
    let halt = HaltRule::from_json(&rule).map_err(raise)?;
    let tripped = halt
        .trips(0, StageStats { finished, failed })
        .map_err(raise)?;
    Ok(tripped.map(|h| h.code()))
}

/// A ramp's open fraction `elapsed` seconds after it started.
///
/// Parameters:
///     ramp (dict | str): the ramp, as in a rollout.
///     elapsed (int): seconds since it started.
///
/// Returns: int, the fraction in ppm.
///
/// Raises: `RolloutError` (`rollout.json`); `BadArgumentError` (`python.bad_argument`) for an
/// `elapsed` that is not an int from 0 to 2**64 - 1, or a `ramp` that is neither a dict nor a
/// str.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(ramp, elapsed)")]
fn ramp_fraction(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u32> {
    let a = params!("ramp_fraction", ["ramp", "elapsed"], []).bind(args, kwargs)?;
    let (ramp, elapsed) = (a.json("ramp")?, a.u64("elapsed")?);
    let ramp = Ramp::from_json(&ramp).map_err(raise)?;
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
/// Returns: bool.
///
/// Raises: `RolloutError` (`rollout.bad_confidence` unless `1 <= z_den <= 1000` and
/// `z_num <= 100000`, `rollout.fraction_out_of_range` for a limit above 1000000,
/// `rollout.failed_above_finished`); `BadArgumentError` (`python.bad_argument`) for an argument
/// that is missing, not an int, negative or above 2**32 - 1.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(failed, finished, limit_ppm, z_num, z_den)")]
fn wilson_lower_above(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<bool> {
    let a = params!(
        "wilson_lower_above",
        ["failed", "finished", "limit_ppm", "z_num", "z_den"],
        []
    )
    .bind(args, kwargs)?;
    let (failed, finished, limit_ppm) = (a.u32("failed")?, a.u32("finished")?, a.u32("limit_ppm")?);
    let (z_num, z_den) = (a.u32("z_num")?, a.u32("z_den")?);
    rollout::wilson_lower_above_checked(failed, finished, limit_ppm, Confidence { z_num, z_den })
        .map_err(raise)
}

/// A device's rollout position for `salt`: `sample_position(salt, device_id, "rollout", 0)`.
///
/// Parameters:
///     salt (str), device_id (str).
///
/// Returns: int.
///
/// Raises: `BadArgumentError` (`python.bad_argument`) for an argument that is not a str.
#[pyfunction]
#[pyo3(signature = (*args, **kwargs), text_signature = "(salt, device_id)")]
fn rollout_position(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<u64> {
    let a = params!("rollout_position", ["salt", "device_id"], []).bind(args, kwargs)?;
    let (salt, device_id) = (a.text("salt")?, a.text("device_id")?);
    Ok(sample::position(
        salt.as_bytes(),
        device_id.as_bytes(),
        0,
        sample::ROLLOUT_CLASS,
    ))
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
