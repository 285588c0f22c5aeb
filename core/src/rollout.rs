//! Staged rollouts: which devices a campaign is open to, when it widens, and when it halts.
//!
//! A [`Rollout`] opens a campaign to a growing fraction of the fleet, either in [`Stage`]s
//! (each a fraction in parts per million and a minimum soak time before the next one opens) or
//! along a linear [`Ramp`] (start time, start fraction, duration, as Fedora CoreOS rolls out).
//!
//! Membership uses fleet sampling's hashing ([`crate::sample`]): a device's position is
//! `sample::position(salt, device_id, 0, "rollout")` (class `"rollout"`, period 0, so the position
//! never rotates) and the device is in while `sample::is_below(position, fraction_ppm)`. Fractions
//! only grow, so a device once in stays in.
//!
//! A [`HaltRule`] halts the rollout when failures in a stage cross a threshold: a count, a rate
//! (only once a minimum number of outcomes are in, as AWS IoT Jobs' abort config and hawkBit's
//! error thresholds do), and optionally a confidence bound: with [`HaltRule::confidence`] set,
//! the rate rule compares the Wilson score *lower* bound of the failure rate with the threshold,
//! so a small stage with bad luck does not halt and a large one with a real regression halts
//! early. All of it is integer arithmetic ([`wilson_lower_above`]), exact for every `u32` input.
//!
//! Counts that come from outside (a binding, a JSON document) go through the checked entry
//! points: [`HaltRule::trips`] (the rule validated, the counts checked),
//! [`StageStats::new`] / [`StageStats::from_json`] and [`wilson_lower_above_checked`]. A missing,
//! negative or inconsistent count is an error with a `rollout.*` code, never read as 0 and so
//! never silently "do not halt". [`Rollout::trips`] is the infallible form for counts kept by
//! [`Rollout::record`].
//!
//! Where a rollout stands is explicit, serialisable state ([`RolloutState`]): the open stage,
//! per-stage outcome counts, whether it is halted and why, and a log of openings, halts and
//! resumptions. [`Rollout::record`], [`Rollout::advance`], [`Rollout::halt`] and
//! [`Rollout::resume`] are the only ways it changes.
//!
//! ```
//! use stepstone::rollout::{Admission, HaltRule, Rollout, Schedule, Stage};
//! let rollout = Rollout {
//!     salt: "campaign-67000".into(),
//!     schedule: Schedule::Stages(vec![
//!         Stage { fraction_ppm: 10_000, min_soak_secs: 86_400 },
//!         Stage { fraction_ppm: 1_000_000, min_soak_secs: 0 },
//!     ]),
//!     halt: HaltRule { max_failure_rate_ppm: Some(50_000), min_finished: 100, ..HaltRule::default() },
//! };
//! rollout.validate().unwrap();
//! let mut state = rollout.start(0);
//! let pos = rollout.position(b"device-1");
//! let admitted = matches!(rollout.admits(&state, pos, 10), Admission::Open { .. });
//! assert_eq!(admitted, stepstone::sample::is_below(pos, 10_000));
//! assert!(rollout.advance(&mut state, 86_400)); // soaked: the second stage opens
//! assert!(matches!(rollout.admits(&state, pos, 86_400), Admission::Open { .. }));
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

use crate::error::{ErrorCode, Sink};
use crate::sample;

// Its callers, the `from_json` readers, come with the `serde` feature.
#[cfg(feature = "serde")]
pub(crate) mod read;
#[cfg(feature = "alloc")]
pub(crate) mod write;

/// One million: a fraction of 1 in parts per million.
pub const PPM: u32 = 1_000_000;

/// A stage: open to `fraction_ppm` of the fleet for at least `min_soak_secs` before the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Stage {
    /// Fraction of the fleet, parts per million (0..=1_000_000), not below the previous stage's.
    pub fraction_ppm: u32,
    /// Minimum time this stage stays open, healthy, before the next one may open.
    #[cfg_attr(feature = "serde", serde(default))]
    pub min_soak_secs: u64,
}

/// A linear ramp from `start_ppm` at `start` to the whole fleet at `start + duration_secs`.
/// Time spent halted does not count: a resumed ramp goes on from where it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Ramp {
    /// When the ramp starts (seconds, the caller's clock).
    pub start: u64,
    /// Fraction open at `start`, parts per million.
    #[cfg_attr(feature = "serde", serde(default))]
    pub start_ppm: u32,
    /// Seconds from `start` until the whole fleet is open.
    pub duration_secs: u64,
}

impl Ramp {
    /// Reads a ramp from its JSON wire form, `{"start", "start_ppm"?, "duration_secs"}`
    /// (`rollout.json` for anything else, an array included).
    ///
    /// ```
    /// use stepstone::{ErrorCode, rollout::Ramp};
    /// let r = Ramp::from_json(r#"{"start": 100, "duration_secs": 1000}"#).unwrap();
    /// assert_eq!(r.fraction_at(500), 500_000);
    /// assert_eq!(Ramp::from_json("[100, 0, 1000]").unwrap_err().code(), "rollout.json");
    /// ```
    ///
    /// A `start_ppm` above 1 000 000 is refused (`rollout.fraction_out_of_range`), as in a
    /// rollout's schedule, rather than read as the whole fleet:
    ///
    /// ```
    /// use stepstone::{ErrorCode, rollout::Ramp};
    /// let e = Ramp::from_json(r#"{"start": 0, "start_ppm": 2000000, "duration_secs": 10}"#).unwrap_err();
    /// assert_eq!(e.code(), "rollout.fraction_out_of_range");
    /// assert_eq!(e.to_string(), "start_ppm is 2000000 ppm, above 1000000");
    /// ```
    #[cfg(feature = "serde")]
    pub fn from_json(text: &str) -> Result<Ramp, RolloutError> {
        let ramp = read::ramp_document(text).map_err(RolloutError::Json)?;
        ramp.validate()?;
        Ok(ramp)
    }

    /// Checks the ramp: `start_ppm` at most 1 000 000 (`rollout.fraction_out_of_range`).
    pub fn validate(&self) -> Result<(), RolloutError> {
        if self.start_ppm > PPM {
            return Err(RolloutError::FractionOutOfRange {
                field: "start_ppm",
                value: self.start_ppm,
            });
        }
        Ok(())
    }

    /// The fraction open `elapsed` seconds after the start (not counting halted time).
    ///
    /// ```
    /// use stepstone::rollout::Ramp;
    /// let r = Ramp { start: 0, start_ppm: 100_000, duration_secs: 100 };
    /// assert_eq!([0, 50, 100, 1000].map(|t| r.fraction_at(t)), [100_000, 550_000, 1_000_000, 1_000_000]);
    /// ```
    ///
    /// A ramp of `duration_secs: 0` is valid: an instant step, the whole fleet from its start
    /// on (a scheduled opening; `start_ppm` is never seen), as the limit of ever shorter ramps:
    ///
    /// ```
    /// use stepstone::rollout::Ramp;
    /// let r = Ramp { start: 0, start_ppm: 100_000, duration_secs: 0 };
    /// assert_eq!([0, 1].map(|t| r.fraction_at(t)), [1_000_000, 1_000_000]);
    /// ```
    pub fn fraction_at(&self, elapsed: u64) -> u32 {
        let start = self.start_ppm.min(PPM);
        if elapsed >= self.duration_secs {
            return PPM;
        }
        // `elapsed < duration_secs`, so the quotient is below `PPM - start`: always `Some`.
        let grow = crate::arith::mul_div(u64::from(PPM - start), elapsed, self.duration_secs)
            .and_then(|g| u32::try_from(g).ok())
            .unwrap_or(PPM);
        start.saturating_add(grow).min(PPM)
    }
}

/// How a rollout widens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Schedule {
    /// Discrete stages, opened one after another.
    Stages(Vec<Stage>),
    /// A linear ramp.
    Ramp(Ramp),
}

/// A confidence level for the rate rule, as the normal quantile `z = z_num / z_den`
/// (95% two-sided: 196/100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Confidence {
    /// Numerator of z (at most 100 000).
    pub z_num: u32,
    /// Denominator of z (1..=1000).
    pub z_den: u32,
}

impl Confidence {
    /// 95%: z = 1.96.
    pub const P95: Confidence = Confidence {
        z_num: 196,
        z_den: 100,
    };

    /// Checks `1 <= z_den <= 1000` and `z_num <= 100000` (`rollout.bad_confidence`).
    pub fn validate(&self) -> Result<(), RolloutError> {
        if self.z_den == 0 || self.z_den > 1000 || self.z_num > 100_000 {
            return Err(RolloutError::BadConfidence {
                z_num: self.z_num,
                z_den: self.z_den,
            });
        }
        Ok(())
    }
}

/// When a stage's failures halt the rollout. Every rule is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct HaltRule {
    /// Halt when a stage has at least this many failures.
    pub max_failures: Option<u32>,
    /// Halt when a stage's failure rate is above this (parts per million of finished attempts).
    pub max_failure_rate_ppm: Option<u32>,
    /// The rate rule applies only once a stage has at least this many finished attempts.
    pub min_finished: u32,
    /// With a confidence level, the rate rule compares the Wilson score lower bound of the failure
    /// rate (instead of the observed rate) with `max_failure_rate_ppm`.
    pub confidence: Option<Confidence>,
}

impl HaltRule {
    /// Checks the rule: `max_failure_rate_ppm` at most 1 000 000
    /// (`rollout.fraction_out_of_range`), a confidence with `1 <= z_den <= 1000` and
    /// `z_num <= 100000` (`rollout.bad_confidence`).
    pub fn validate(&self) -> Result<(), RolloutError> {
        if let Some(rate) = self.max_failure_rate_ppm
            && rate > PPM
        {
            return Err(RolloutError::FractionOutOfRange {
                field: "max_failure_rate_ppm",
                value: rate,
            });
        }
        if let Some(c) = self.confidence {
            c.validate()?;
        }
        Ok(())
    }

    /// Reads and validates a halt rule from JSON (every field optional, no other field).
    ///
    /// ```
    /// use stepstone::rollout::HaltRule;
    /// use stepstone::ErrorCode;
    /// let r = HaltRule::from_json(r#"{"max_failures": 3}"#).unwrap();
    /// assert_eq!(r.max_failures, Some(3));
    /// let e = HaltRule::from_json(r#"{"max_failure_rate_ppm": 2000000}"#).unwrap_err();
    /// assert_eq!(e.code(), "rollout.fraction_out_of_range");
    /// ```
    #[cfg(feature = "serde")]
    pub fn from_json(text: &str) -> Result<HaltRule, RolloutError> {
        let r = read::halt_rule_document(text).map_err(RolloutError::Json)?;
        r.validate()?;
        Ok(r)
    }

    /// Which rule, if any, these counts of `stage` trip: the checked form for counts from
    /// outside. The rule is validated ([`HaltRule::validate`]) and the counts checked
    /// ([`StageStats::check`]); a bad rule or inconsistent counts are an error, never "do not
    /// halt".
    ///
    /// ```
    /// use stepstone::rollout::{HaltRule, StageStats};
    /// use stepstone::ErrorCode;
    /// let rule = HaltRule { max_failures: Some(3), ..HaltRule::default() };
    /// let tripped = rule.trips(0, StageStats { finished: 10, failed: 3 }).unwrap();
    /// assert_eq!(tripped.map(|h| h.code()), Some("rollout.failure_count"));
    /// let e = rule.trips(0, StageStats { finished: 2, failed: 3 }).unwrap_err();
    /// assert_eq!(e.code(), "rollout.failed_above_finished");
    /// ```
    pub fn trips(&self, stage: u32, stats: StageStats) -> Result<Option<HaltReason>, RolloutError> {
        self.validate()?;
        stats.check()?;
        Ok(self.evaluate(stage, stats))
    }

    /// The rules, on counts taken as they are.
    fn evaluate(&self, stage: u32, stats: StageStats) -> Option<HaltReason> {
        let StageStats { finished, failed } = stats;
        if let Some(limit) = self.max_failures
            && failed >= limit
        {
            return Some(HaltReason::FailureCount {
                stage,
                failed,
                limit,
            });
        }
        let limit_ppm = self.max_failure_rate_ppm?;
        if finished < self.min_finished.max(1) {
            return None;
        }
        match self.confidence {
            None => {
                let above =
                    u64::from(failed) * u64::from(PPM) > u64::from(limit_ppm) * u64::from(finished);
                above.then_some(HaltReason::FailureRate {
                    stage,
                    failed,
                    finished,
                    limit_ppm,
                })
            }
            Some(c) => wilson_lower_above(failed, finished, limit_ppm, c).then_some(
                HaltReason::Confidence {
                    stage,
                    failed,
                    finished,
                    limit_ppm,
                },
            ),
        }
    }
}

/// A staged rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Rollout {
    /// Salt of the membership hash (one per campaign, so campaigns pick different devices first).
    pub salt: String,
    /// How the rollout widens.
    pub schedule: Schedule,
    /// When it halts.
    #[cfg_attr(feature = "serde", serde(default))]
    pub halt: HaltRule,
}

/// Outcome counts of one stage. Both counts are required when read from JSON (serde has no
/// default for them): a missing count is refused, not read as 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StageStats {
    /// Attempts finished (succeeded or failed).
    pub finished: u32,
    /// Attempts failed.
    pub failed: u32,
}

impl StageStats {
    /// Checked counts: `failed` may not exceed `finished` (`rollout.failed_above_finished`).
    ///
    /// ```
    /// use stepstone::rollout::StageStats;
    /// use stepstone::ErrorCode;
    /// assert!(StageStats::new(10, 3).is_ok());
    /// let e = StageStats::new(3, 10).unwrap_err();
    /// assert_eq!(e.code(), "rollout.failed_above_finished");
    /// assert_eq!(e.to_string(), "failed is 10, more than the 3 finished attempts");
    /// ```
    pub fn new(finished: u32, failed: u32) -> Result<StageStats, RolloutError> {
        let s = StageStats { finished, failed };
        s.check()?;
        Ok(s)
    }

    /// Whether the counts are consistent (`failed <= finished`).
    pub fn check(&self) -> Result<(), RolloutError> {
        if self.failed > self.finished {
            return Err(RolloutError::FailedAboveFinished {
                failed: self.failed,
                finished: self.finished,
            });
        }
        Ok(())
    }

    /// Reads `{"finished": N, "failed": N}`: both required, each a whole number from 0 to
    /// 2^32 − 1, `failed <= finished`, no other field. A missing count is
    /// `rollout.missing_count`, a bad one `rollout.bad_count` (naming the field and value).
    ///
    /// ```
    /// use stepstone::rollout::StageStats;
    /// use stepstone::ErrorCode;
    /// assert_eq!(StageStats::from_json(r#"{"finished": 100, "failed": 2}"#).unwrap().failed, 2);
    /// let e = StageStats::from_json(r#"{"finished": 100}"#).unwrap_err();
    /// assert_eq!((e.code(), e.to_string().as_str()),
    ///     ("rollout.missing_count", "stage counts: failed is missing (a missing count is not read as 0)"));
    /// let e = StageStats::from_json(r#"{"finished": 100, "failed": -1}"#).unwrap_err();
    /// assert_eq!(e.code(), "rollout.bad_count");
    /// ```
    #[cfg(feature = "serde")]
    pub fn from_json(text: &str) -> Result<StageStats, RolloutError> {
        use alloc::string::ToString;
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| RolloutError::Json(e.to_string()))?;
        StageStats::from_json_value(&v)
    }

    /// [`StageStats::from_json`] on an already parsed value.
    #[cfg(feature = "serde")]
    pub fn from_json_value(v: &serde_json::Value) -> Result<StageStats, RolloutError> {
        use alloc::string::ToString;
        let Some(obj) = v.as_object() else {
            return Err(RolloutError::Json(alloc::format!(
                "stage counts: expected an object with finished and failed, found {}",
                crate::error::clip(&v.to_string())
            )));
        };
        if let Some(k) = obj.keys().find(|k| *k != "finished" && *k != "failed") {
            return Err(RolloutError::Json(alloc::format!(
                "stage counts: unknown field {:?} (expected finished and failed)",
                crate::error::clip(k)
            )));
        }
        let count = |field: &'static str| -> Result<u32, RolloutError> {
            let v = obj.get(field).ok_or(RolloutError::MissingCount { field })?;
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| RolloutError::BadCount {
                    field,
                    value: crate::error::clip(&v.to_string()),
                })
        };
        let finished = count("finished")?;
        let failed = count("failed")?;
        StageStats::new(finished, failed)
    }
}

/// Why a rollout halted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[cfg_attr(feature = "serde", serde(tag = "rule", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum HaltReason {
    /// `max_failures` was reached.
    FailureCount {
        /// The stage.
        stage: u32,
        /// Its failures.
        failed: u32,
        /// The limit.
        limit: u32,
    },
    /// The observed failure rate is above `max_failure_rate_ppm`.
    FailureRate {
        /// The stage.
        stage: u32,
        /// Its failures.
        failed: u32,
        /// Its finished attempts.
        finished: u32,
        /// The limit.
        limit_ppm: u32,
    },
    /// The Wilson lower bound of the failure rate is above `max_failure_rate_ppm`.
    Confidence {
        /// The stage.
        stage: u32,
        /// Its failures.
        failed: u32,
        /// Its finished attempts.
        finished: u32,
        /// The limit.
        limit_ppm: u32,
    },
    /// An operator halted it.
    Operator {
        /// What the operator wrote.
        note: String,
    },
}

impl HaltReason {
    /// Stable code of the reason (`rollout.failure_count`, ...).
    pub fn code(&self) -> &'static str {
        use crate::error::codes;
        match self {
            HaltReason::FailureCount { .. } => codes::ROLLOUT_FAILURE_COUNT.as_str(),
            HaltReason::FailureRate { .. } => codes::ROLLOUT_FAILURE_RATE.as_str(),
            HaltReason::Confidence { .. } => codes::ROLLOUT_FAILURE_RATE_CONFIDENT.as_str(),
            HaltReason::Operator { .. } => codes::ROLLOUT_OPERATOR.as_str(),
        }
    }
}

impl fmt::Display for HaltReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HaltReason::FailureCount {
                stage,
                failed,
                limit,
            } => {
                write!(
                    f,
                    "stage {stage}: {failed} failures reach the limit of {limit}"
                )
            }
            HaltReason::FailureRate {
                stage,
                failed,
                finished,
                limit_ppm,
            } => {
                write!(
                    f,
                    "stage {stage}: {failed} of {finished} failed, above {limit_ppm} ppm"
                )
            }
            HaltReason::Confidence {
                stage,
                failed,
                finished,
                limit_ppm,
            } => write!(
                f,
                "stage {stage}: {failed} of {finished} failed; the failure rate is above {limit_ppm} ppm with confidence"
            ),
            HaltReason::Operator { note } => write!(f, "halted by an operator: {note}"),
        }
    }
}

/// A halt in force.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Halted {
    /// When it halted.
    pub at: u64,
    /// Why.
    pub reason: HaltReason,
}

/// One line of a rollout's history.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[cfg_attr(feature = "serde", serde(tag = "event", rename_all = "snake_case"))]
pub enum RolloutLog {
    /// A stage opened (stage 0 when the rollout started).
    Opened {
        /// The stage.
        stage: u32,
        /// When.
        at: u64,
    },
    /// The rollout halted.
    Halted {
        /// When.
        at: u64,
        /// Why.
        reason: HaltReason,
    },
    /// The rollout resumed.
    Resumed {
        /// When.
        at: u64,
    },
}

/// Where a rollout stands. Serialisable; changed only by [`Rollout`]'s methods.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct RolloutState {
    /// When the rollout started.
    pub started_at: u64,
    /// The open stage (always 0 for a ramp).
    pub stage: u32,
    /// When the open stage opened.
    pub stage_opened_at: u64,
    /// Seconds spent halted so far (a ramp does not advance while halted).
    pub halted_secs: u64,
    /// The halt in force, if any.
    pub halted: Option<Halted>,
    /// Outcome counts per stage (one entry for a ramp).
    pub stats: Vec<StageStats>,
    /// History: openings, halts, resumptions.
    pub log: Vec<RolloutLog>,
}

/// Whether a rollout is open to a device now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Open; the device belongs to this stage (its outcomes count there).
    Open {
        /// The device's stage.
        stage: u32,
    },
    /// Not open to this device yet; look again at `recheck_at` (`None`: not before something
    /// changes, e.g. the last stage is open and the device is outside it).
    NotYet {
        /// When the device might be admitted.
        recheck_at: Option<u64>,
    },
    /// The rollout is halted.
    Halted,
}

/// A rollout that does not make sense, or a state change that does not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RolloutError {
    /// `stages` is empty.
    NoStages,
    /// A stage number past the rollout's last stage (`rollout.unknown_stage`).
    UnknownStage {
        /// The stage asked for.
        stage: u32,
        /// The last stage (stage count − 1).
        last: u32,
    },
    /// A fraction is above 1 000 000 ppm.
    FractionOutOfRange {
        /// Which field.
        field: &'static str,
        /// Its value.
        value: u32,
    },
    /// A stage's fraction is below the previous one's: devices would leave the rollout.
    FractionsDecrease {
        /// The stage.
        stage: usize,
        /// Its fraction.
        value: u32,
        /// The previous stage's fraction.
        previous: u32,
    },
    /// The confidence level's z is not a usable fraction.
    BadConfidence {
        /// Numerator.
        z_num: u32,
        /// Denominator.
        z_den: u32,
    },
    /// A stage's counts say more attempts failed than finished.
    FailedAboveFinished {
        /// The failures given.
        failed: u32,
        /// The finished attempts given.
        finished: u32,
    },
    /// A count (`finished`, `failed`) is absent. It is refused, not read as 0: a missing count
    /// must not mean "do not halt".
    MissingCount {
        /// Which count.
        field: &'static str,
    },
    /// A count that is not a whole number from 0 to 2^32 − 1.
    BadCount {
        /// Which count.
        field: &'static str,
        /// The value as written (clipped).
        value: String,
    },
    /// `resume` on a rollout that is not halted.
    NotHalted,
    /// `halt` on a rollout that is already halted.
    AlreadyHalted,
    /// The JSON could not be read as a rollout.
    #[cfg(feature = "serde")]
    Json(String),
}

impl RolloutError {
    /// Writes the message (`Display` and [`ErrorMessage`](crate::error::ErrorMessage) both
    /// give it).
    pub(crate) fn write_message(&self, s: &mut impl Sink) {
        match self {
            RolloutError::NoStages => s.text("a staged rollout needs at least one stage"),
            RolloutError::UnknownStage { stage, last } => {
                s.text("stage ");
                s.decimal(u64::from(*stage));
                s.text(" is past the rollout's last stage (");
                s.decimal(u64::from(*last));
                s.text(")");
            }
            RolloutError::FractionOutOfRange { field, value } => {
                s.text(field);
                s.text(" is ");
                s.decimal(u64::from(*value));
                s.text(" ppm, above 1000000");
            }
            RolloutError::FractionsDecrease {
                stage,
                value,
                previous,
            } => {
                s.text("stage ");
                s.decimal(*stage as u64);
                s.text(" opens ");
                s.decimal(u64::from(*value));
                s.text(" ppm, less than the ");
                s.decimal(u64::from(*previous));
                s.text(" ppm before it");
            }
            RolloutError::BadConfidence { z_num, z_den } => {
                s.text("confidence z = ");
                s.decimal(u64::from(*z_num));
                s.text("/");
                s.decimal(u64::from(*z_den));
                s.text(": need 1 <= z_den <= 1000 and z_num <= 100000");
            }
            RolloutError::FailedAboveFinished { failed, finished } => {
                s.text("failed is ");
                s.decimal(u64::from(*failed));
                s.text(", more than the ");
                s.decimal(u64::from(*finished));
                s.text(" finished attempts");
            }
            RolloutError::MissingCount { field } => {
                s.text("stage counts: ");
                s.text(field);
                s.text(" is missing (a missing count is not read as 0)");
            }
            RolloutError::BadCount { field, value } => {
                s.text("stage counts: ");
                s.text(field);
                s.text(" is ");
                s.text(value);
                s.text(", not a whole number from 0 to 4294967295");
            }
            RolloutError::NotHalted => s.text("the rollout is not halted"),
            RolloutError::AlreadyHalted => s.text("the rollout is already halted"),
            #[cfg(feature = "serde")]
            RolloutError::Json(message) => {
                s.text("rollout JSON: ");
                s.text(message);
            }
        }
    }
}

crate::error::message_from_sink!(RolloutError);

impl core::error::Error for RolloutError {}

impl ErrorCode for RolloutError {
    fn code(&self) -> &'static str {
        use crate::error::codes;
        match self {
            RolloutError::NoStages => codes::ROLLOUT_NO_STAGES.as_str(),
            RolloutError::FractionOutOfRange { .. } => {
                codes::ROLLOUT_FRACTION_OUT_OF_RANGE.as_str()
            }
            RolloutError::FractionsDecrease { .. } => codes::ROLLOUT_FRACTIONS_DECREASE.as_str(),
            RolloutError::BadConfidence { .. } => codes::ROLLOUT_BAD_CONFIDENCE.as_str(),
            RolloutError::FailedAboveFinished { .. } => {
                codes::ROLLOUT_FAILED_ABOVE_FINISHED.as_str()
            }
            RolloutError::MissingCount { .. } => codes::ROLLOUT_MISSING_COUNT.as_str(),
            RolloutError::BadCount { .. } => codes::ROLLOUT_BAD_COUNT.as_str(),
            RolloutError::NotHalted => codes::ROLLOUT_NOT_HALTED.as_str(),
            RolloutError::UnknownStage { .. } => codes::ROLLOUT_UNKNOWN_STAGE.as_str(),
            RolloutError::AlreadyHalted => codes::ROLLOUT_ALREADY_HALTED.as_str(),
            #[cfg(feature = "serde")]
            RolloutError::Json(_) => codes::ROLLOUT_JSON.as_str(),
        }
    }
}

impl Rollout {
    /// Checks the rollout; the first problem found is returned.
    pub fn validate(&self) -> Result<(), RolloutError> {
        match &self.schedule {
            Schedule::Stages(stages) => {
                if stages.is_empty() {
                    return Err(RolloutError::NoStages);
                }
                let mut previous = 0;
                for (i, s) in stages.iter().enumerate() {
                    if s.fraction_ppm > PPM {
                        return Err(RolloutError::FractionOutOfRange {
                            field: "fraction_ppm",
                            value: s.fraction_ppm,
                        });
                    }
                    if s.fraction_ppm < previous {
                        return Err(RolloutError::FractionsDecrease {
                            stage: i,
                            value: s.fraction_ppm,
                            previous,
                        });
                    }
                    previous = s.fraction_ppm;
                }
            }
            Schedule::Ramp(r) => r.validate()?,
        }
        self.halt.validate()
    }

    /// Reads and validates a rollout from JSON.
    ///
    /// ```
    /// use stepstone::rollout::Rollout;
    /// let r = Rollout::from_json(r#"{"salt": "c1", "schedule": {"ramp": {"start": 0, "duration_secs": 604800}},
    ///     "halt": {"max_failure_rate_ppm": 20000, "confidence": {"z_num": 196, "z_den": 100}}}"#).unwrap();
    /// assert_eq!(r.salt, "c1");
    /// ```
    #[cfg(feature = "serde")]
    pub fn from_json(text: &str) -> Result<Rollout, RolloutError> {
        let r = read::rollout_document(text).map_err(RolloutError::Json)?;
        r.validate()?;
        Ok(r)
    }

    /// A device's fixed rollout position: `sample::position(salt, device_id, 0, "rollout")`.
    pub fn position(&self, device_id: &[u8]) -> u64 {
        sample::position(self.salt.as_bytes(), device_id, 0, sample::ROLLOUT_CLASS)
    }

    /// How many stages the rollout counts outcomes for (a ramp: 1).
    pub fn stage_count(&self) -> usize {
        match &self.schedule {
            Schedule::Stages(s) => s.len().max(1),
            Schedule::Ramp(_) => 1,
        }
    }

    /// The state of a rollout started at `now` (stage 0 open; for a ramp, `Ramp::start` rules).
    pub fn start(&self, now: u64) -> RolloutState {
        let stats = alloc::vec![StageStats::default(); self.stage_count()];
        RolloutState {
            started_at: now,
            stage: 0,
            stage_opened_at: now,
            halted_secs: 0,
            halted: None,
            stats,
            log: alloc::vec![RolloutLog::Opened { stage: 0, at: now }],
        }
    }

    /// The fraction open at `now` (0 while halted does not apply: halting holds every device,
    /// see [`Rollout::admits`]).
    pub fn fraction_ppm(&self, state: &RolloutState, now: u64) -> u32 {
        match &self.schedule {
            Schedule::Stages(stages) => stages
                .get(state.stage as usize)
                .or(stages.last())
                .map(|s| s.fraction_ppm)
                .unwrap_or(0),
            Schedule::Ramp(r) => {
                let Some(elapsed) = self.ramp_elapsed(r, state, now) else {
                    return 0;
                };
                r.fraction_at(elapsed)
            }
        }
    }

    /// Seconds of ramp so far (halted time excluded); `None` before the start.
    fn ramp_elapsed(&self, r: &Ramp, state: &RolloutState, now: u64) -> Option<u64> {
        let begin = r.start.max(state.started_at);
        if now < begin {
            return None;
        }
        let mut paused = state.halted_secs;
        if let Some(h) = &state.halted {
            paused = paused.saturating_add(now.saturating_sub(h.at));
        }
        Some((now - begin).saturating_sub(paused))
    }

    /// The stage a device at `position` belongs to: the first whose fraction includes it (the
    /// last stage if none does; always 0 for a ramp).
    pub fn stage_of(&self, position: u64) -> u32 {
        match &self.schedule {
            Schedule::Stages(stages) => {
                let i = stages
                    .iter()
                    .position(|s| sample::is_below(position, s.fraction_ppm));
                let i = i.unwrap_or(stages.len().saturating_sub(1));
                u32::try_from(i).unwrap_or(u32::MAX)
            }
            Schedule::Ramp(_) => 0,
        }
    }

    /// Whether the rollout is open at `now` to the device at `position`.
    pub fn admits(&self, state: &RolloutState, position: u64, now: u64) -> Admission {
        if state.halted.is_some() {
            return Admission::Halted;
        }
        if sample::is_below(position, self.fraction_ppm(state, now)) {
            return Admission::Open {
                stage: self.stage_of(position),
            };
        }
        let recheck_at = match &self.schedule {
            Schedule::Stages(_) => self.next_advance_at(state),
            Schedule::Ramp(r) => self.ramp_admits_at(r, state, position, now),
        };
        Admission::NotYet { recheck_at }
    }

    /// The first time the ramp includes `position`, assuming no halt (binary search over the
    /// monotone fraction).
    fn ramp_admits_at(
        &self,
        r: &Ramp,
        state: &RolloutState,
        position: u64,
        now: u64,
    ) -> Option<u64> {
        let begin = r.start.max(state.started_at);
        let elapsed_now = self.ramp_elapsed(r, state, now).unwrap_or(0);
        let (mut lo, mut hi) = (elapsed_now, r.duration_secs.max(elapsed_now));
        if !sample::is_below(position, r.fraction_at(hi)) {
            return None;
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if sample::is_below(position, r.fraction_at(mid)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let start = now.max(begin);
        Some(start.saturating_add(lo - elapsed_now))
    }

    /// When the next stage may open (its soak done), if there is one; `None` for a ramp, a
    /// halted rollout or the last stage.
    pub fn next_advance_at(&self, state: &RolloutState) -> Option<u64> {
        let Schedule::Stages(stages) = &self.schedule else {
            return None;
        };
        if state.halted.is_some() || state.stage as usize + 1 >= stages.len() {
            return None;
        }
        let soak = stages
            .get(state.stage as usize)
            .map(|s| s.min_soak_secs)
            .unwrap_or(0);
        Some(state.stage_opened_at.saturating_add(soak))
    }

    /// Opens the next stage if its time has come (`now >= next_advance_at`). Returns whether a
    /// stage opened. At most one stage opens per call: each has its own soak.
    pub fn advance(&self, state: &mut RolloutState, now: u64) -> bool {
        match self.next_advance_at(state) {
            Some(at) if now >= at => {
                state.stage += 1;
                state.stage_opened_at = now;
                state.log.push(RolloutLog::Opened {
                    stage: state.stage,
                    at: now,
                });
                true
            }
            _ => false,
        }
    }

    /// Counts one finished attempt of a device of `stage` (see [`Rollout::stage_of`]) and halts
    /// the rollout if a rule trips. Returns the new halt, if this outcome caused one.
    pub fn record(
        &self,
        state: &mut RolloutState,
        stage: u32,
        failed: bool,
        now: u64,
    ) -> Option<HaltReason> {
        let i = (stage as usize).min(state.stats.len().saturating_sub(1));
        let stats = state.stats.get_mut(i)?;
        stats.finished = stats.finished.saturating_add(1);
        if failed {
            stats.failed = stats.failed.saturating_add(1);
        }
        let stats = *stats;
        if state.halted.is_some() || !failed {
            return None;
        }
        let reason = self.trips(stage, stats)?;
        state.halted = Some(Halted {
            at: now,
            reason: reason.clone(),
        });
        state.log.push(RolloutLog::Halted {
            at: now,
            reason: reason.clone(),
        });
        Some(reason)
    }

    /// Which rule, if any, these counts of `stage` trip.
    ///
    /// Infallible, for counts kept by [`Rollout::record`] on a validated rollout. Counts from
    /// outside go through [`HaltRule::trips`], which refuses inconsistent ones; here a `failed`
    /// above `finished` is not refused but counts as every attempt failing (never as "do not
    /// halt").
    pub fn trips(&self, stage: u32, stats: StageStats) -> Option<HaltReason> {
        self.halt.evaluate(stage, stats)
    }

    /// Which rule, if any, the counts of `stage` trip: the checked form for a stage and counts
    /// from outside. A stage past the last is `rollout.unknown_stage`; the counts are checked as
    /// [`HaltRule::trips`] checks them.
    ///
    /// ```
    /// use stepstone::rollout::{Rollout, StageStats};
    /// use stepstone::ErrorCode;
    /// let r = Rollout::from_json(r#"{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 1000000}]},
    ///     "halt": {"max_failures": 3}}"#).unwrap();
    /// let hit = r.trips_checked(0, StageStats { finished: 9, failed: 3 }).unwrap();
    /// assert_eq!(hit.map(|h| h.code()), Some("rollout.failure_count"));
    /// let e = r.trips_checked(1, StageStats { finished: 9, failed: 3 }).unwrap_err();
    /// assert_eq!((e.code(), e.to_string().as_str()), ("rollout.unknown_stage", "stage 1 is past the rollout's last stage (0)"));
    /// ```
    pub fn trips_checked(
        &self,
        stage: u32,
        stats: StageStats,
    ) -> Result<Option<HaltReason>, RolloutError> {
        let count = self.stage_count();
        if stage as usize >= count {
            return Err(RolloutError::UnknownStage {
                stage,
                last: u32::try_from(count.saturating_sub(1)).unwrap_or(u32::MAX),
            });
        }
        self.halt.trips(stage, stats)
    }

    /// Halts the rollout by hand.
    pub fn halt(
        &self,
        state: &mut RolloutState,
        note: String,
        now: u64,
    ) -> Result<(), RolloutError> {
        if state.halted.is_some() {
            return Err(RolloutError::AlreadyHalted);
        }
        let reason = HaltReason::Operator { note };
        state.halted = Some(Halted {
            at: now,
            reason: reason.clone(),
        });
        state.log.push(RolloutLog::Halted { at: now, reason });
        Ok(())
    }

    /// Resumes a halted rollout. The halted stage's counts start again from zero (the operator
    /// has judged them), and the open stage's soak starts again.
    pub fn resume(&self, state: &mut RolloutState, now: u64) -> Result<(), RolloutError> {
        let Some(h) = state.halted.take() else {
            return Err(RolloutError::NotHalted);
        };
        state.halted_secs = state.halted_secs.saturating_add(now.saturating_sub(h.at));
        let stage = match h.reason {
            HaltReason::FailureCount { stage, .. }
            | HaltReason::FailureRate { stage, .. }
            | HaltReason::Confidence { stage, .. } => Some(stage),
            HaltReason::Operator { .. } => None,
        };
        if let Some(s) = stage.and_then(|s| state.stats.get_mut(s as usize)) {
            *s = StageStats::default();
        }
        state.stage_opened_at = now;
        state.log.push(RolloutLog::Resumed { at: now });
        Ok(())
    }
}

/// Whether the Wilson score lower bound of the failure rate `failed / finished`, at confidence
/// `z = c.z_num / c.z_den`, is above `limit_ppm / 1e6`. Integer arithmetic only, exact for
/// every `u32` value of every argument: no overflow, no panic, and no rounding.
///
/// With `n = finished`, `f = failed`, `t = limit_ppm / T` (`T = 1e6`), `z^2 = Z / D`
/// (`Z = z_num^2`, `D = z_den^2`), the lower bound
/// `(p + z^2/2n - z*sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)` is above `t` iff
/// `A = 2DT*f + Z*T - 2*limit_ppm*(D*n + Z)` is positive and
/// `A^2 * n > T^2 * Z * (4D*f*(n-f) + Z*n)`. `A` is below 2^118 when positive, the products
/// below 2^270; they are compared exactly in 512 bits.
///
/// Inputs that do not describe a stage are answered, not refused (the checked form,
/// [`wilson_lower_above_checked`], refuses them with a code):
/// * `finished == 0`: `false` (no outcomes show nothing);
/// * `failed > finished`: counted as `failed == finished` (every attempt failed);
/// * `z_den == 0` (z infinite): `false`, the limit of the bound as z grows, which is 0;
/// * `limit_ppm` above 1 000 000: `false`, as the bound never exceeds 1.
///
/// ```
/// use stepstone::rollout::{wilson_lower_above, Confidence};
/// // 2 of 20 failed (10%): with 95% confidence the rate is not shown to be above 5%.
/// assert!(!wilson_lower_above(2, 20, 50_000, Confidence::P95));
/// // 150 of 1000 failed: it is.
/// assert!(wilson_lower_above(150, 1000, 50_000, Confidence::P95));
/// // Any u32 is answered exactly.
/// assert!(!wilson_lower_above(u32::MAX, u32::MAX, u32::MAX, Confidence { z_num: u32::MAX, z_den: u32::MAX }));
/// ```
pub fn wilson_lower_above(failed: u32, finished: u32, limit_ppm: u32, c: Confidence) -> bool {
    if finished == 0 || c.z_den == 0 {
        return false;
    }
    let f = u128::from(failed.min(finished));
    let n = u128::from(finished);
    let t = u128::from(PPM);
    // Each below 2^64.
    let z = u128::from(c.z_num) * u128::from(c.z_num);
    let d = u128::from(c.z_den) * u128::from(c.z_den);
    let lp = u128::from(limit_ppm);
    // 2DTf < 2 * 2^64 * 2^20 * 2^32 = 2^117 and ZT < 2^84: plus < 2^118.
    let plus = 2 * d * t * f + z * t;
    // Dn + Z < 2^97; twice the limit times it may pass 2^128, and is then above plus.
    let Some(minus) = (d * n + z).checked_mul(2 * lp) else {
        return false;
    };
    if plus <= minus {
        return false;
    }
    let a = Wide::from(plus - minus);
    // A^2 n < 2^236 * 2^32.
    let lhs = a.mul(&a).mul(&Wide::from(n));
    // 4D < 2^66 and f(n-f) <= n^2/4 < 2^62; Zn < 2^96: inner < 2^129.
    let inner = Wide::from(4 * d)
        .mul(&Wide::from(f * (n - f)))
        .add(&Wide::from(z * n));
    // T^2 Z < 2^40 * 2^64: rhs < 2^233.
    let rhs = Wide::from(t * t * z).mul(&inner);
    lhs > rhs
}

/// [`wilson_lower_above`] for values from outside: the confidence must be one a
/// [`HaltRule`] accepts (`rollout.bad_confidence`), `limit_ppm` at most 1 000 000
/// (`rollout.fraction_out_of_range`) and `failed <= finished`
/// (`rollout.failed_above_finished`). Each error names the value.
///
/// ```
/// use stepstone::rollout::{wilson_lower_above_checked, Confidence};
/// use stepstone::ErrorCode;
/// assert_eq!(wilson_lower_above_checked(150, 1000, 50_000, Confidence::P95), Ok(true));
/// let e = wilson_lower_above_checked(5, 3, 50_000, Confidence::P95).unwrap_err();
/// assert_eq!(e.code(), "rollout.failed_above_finished");
/// let e = wilson_lower_above_checked(1, 3, 50_000, Confidence { z_num: 196, z_den: 0 }).unwrap_err();
/// assert_eq!(e.to_string(), "confidence z = 196/0: need 1 <= z_den <= 1000 and z_num <= 100000");
/// ```
pub fn wilson_lower_above_checked(
    failed: u32,
    finished: u32,
    limit_ppm: u32,
    c: Confidence,
) -> Result<bool, RolloutError> {
    c.validate()?;
    if limit_ppm > PPM {
        return Err(RolloutError::FractionOutOfRange {
            field: "limit_ppm",
            value: limit_ppm,
        });
    }
    StageStats::new(finished, failed)?;
    Ok(wilson_lower_above(failed, finished, limit_ppm, c))
}

/// A 512-bit unsigned integer, just enough for [`wilson_lower_above`]: little-endian 64-bit
/// limbs. Every product there is below 2^270, so nothing is lost; a product that did not fit
/// would saturate at the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Wide([u64; 8]);

impl Wide {
    fn from(v: u128) -> Wide {
        let mut w = [0u64; 8];
        w[0] = v as u64;
        w[1] = (v >> 64) as u64;
        Wide(w)
    }

    fn mul(&self, other: &Wide) -> Wide {
        let mut out = [0u64; 16];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry: u128 = 0;
            for (j, &b) in other.0.iter().enumerate() {
                let Some(slot) = out.get_mut(i + j) else {
                    continue;
                };
                let cur = u128::from(*slot) + u128::from(a) * u128::from(b) + carry;
                *slot = cur as u64;
                carry = cur >> 64;
            }
            if let Some(slot) = out.get_mut(i + 8) {
                *slot = carry as u64;
            }
        }
        let (low, high) = out.split_at(8);
        if high.iter().any(|&l| l != 0) {
            return Wide([u64::MAX; 8]);
        }
        let mut r = [0u64; 8];
        r.copy_from_slice(low);
        Wide(r)
    }

    fn add(&self, other: &Wide) -> Wide {
        let mut r = [0u64; 8];
        let mut carry = false;
        for ((slot, &a), &b) in r.iter_mut().zip(&self.0).zip(&other.0) {
            let (s1, c1) = a.overflowing_add(b);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *slot = s2;
            carry = c1 || c2;
        }
        if carry {
            return Wide([u64::MAX; 8]);
        }
        Wide(r)
    }
}

impl PartialOrd for Wide {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Wide {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn staged() -> Rollout {
        Rollout {
            salt: "s".into(),
            schedule: Schedule::Stages(vec![
                Stage {
                    fraction_ppm: 10_000,
                    min_soak_secs: 100,
                },
                Stage {
                    fraction_ppm: 250_000,
                    min_soak_secs: 100,
                },
                Stage {
                    fraction_ppm: PPM,
                    min_soak_secs: 0,
                },
            ]),
            halt: HaltRule {
                max_failures: Some(50),
                max_failure_rate_ppm: Some(100_000),
                min_finished: 20,
                confidence: None,
            },
        }
    }

    fn wilson_f64(f: u32, n: u32, z: f64) -> f64 {
        let (f, n) = (f as f64, n as f64);
        let p = f / n;
        (p + z * z / (2.0 * n) - z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt())
            / (1.0 + z * z / n)
    }

    #[test]
    fn wilson_matches_float_oracle() {
        let c = Confidence::P95;
        let mut checked = 0;
        for n in [
            1u32,
            2,
            5,
            10,
            20,
            50,
            100,
            1000,
            10_000,
            1_000_000,
            u32::MAX,
        ] {
            for f in [
                0u32,
                1,
                2,
                3,
                5,
                10,
                50,
                100,
                500,
                5000,
                100_000,
                2_000_000_000,
            ] {
                if f > n {
                    continue;
                }
                for limit in [0u32, 1000, 20_000, 50_000, 100_000, 500_000, 999_999, PPM] {
                    let lower = wilson_f64(f, n, 1.96);
                    let t = limit as f64 / 1e6;
                    if (lower - t).abs() < 1e-9 {
                        continue; // too close for the float oracle
                    }
                    assert_eq!(
                        wilson_lower_above(f, n, limit, c),
                        lower > t,
                        "f={f} n={n} limit={limit} lower={lower}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 300);
    }

    #[test]
    fn wilson_takes_any_u32_without_overflow() {
        // These overflowed the old u128 sum (a panic in debug builds, a wrapped verdict in
        // release): a huge z_den with a huge limit and count.
        let huge = Confidence {
            z_num: 1,
            z_den: u32::MAX,
        };
        assert!(!wilson_lower_above(1, u32::MAX, u32::MAX, huge));
        assert!(!wilson_lower_above(u32::MAX, u32::MAX, PPM, huge));
        // z ~ 2^-32: the bound is the observed rate, 100%, above 999 999 ppm.
        assert!(wilson_lower_above(u32::MAX, u32::MAX, 999_999, huge));
        // z ~ 2^32: the bound is near 0.
        let wide = Confidence {
            z_num: u32::MAX,
            z_den: 1,
        };
        assert!(!wilson_lower_above(u32::MAX, u32::MAX, 1, wide));
        assert!(wilson_lower_above(u32::MAX, u32::MAX, 0, wide));
        // z = 0: the bound is the observed rate, exactly.
        let zero = Confidence { z_num: 0, z_den: 1 };
        assert!(wilson_lower_above(1, 4, 249_999, zero));
        assert!(!wilson_lower_above(1, 4, 250_000, zero));
        // Degenerate inputs have documented answers.
        assert!(!wilson_lower_above(5, 0, 0, Confidence::P95));
        assert!(!wilson_lower_above(
            5,
            10,
            0,
            Confidence {
                z_num: 196,
                z_den: 0
            }
        ));
        assert_eq!(
            wilson_lower_above(50, 10, 500_000, Confidence::P95),
            wilson_lower_above(10, 10, 500_000, Confidence::P95)
        );
    }

    #[test]
    fn checked_entry_points_refuse_bad_values_with_codes() {
        let codes = |r: Result<bool, RolloutError>| r.map_err(|e| e.code());
        assert_eq!(
            codes(wilson_lower_above_checked(1, 3, 50_000, Confidence::P95)),
            Ok(true)
        );
        assert_eq!(
            codes(wilson_lower_above_checked(4, 3, 50_000, Confidence::P95)),
            Err("rollout.failed_above_finished")
        );
        assert_eq!(
            wilson_lower_above_checked(1, 3, 1_000_001, Confidence::P95)
                .unwrap_err()
                .to_string(),
            "limit_ppm is 1000001 ppm, above 1000000"
        );
        assert_eq!(
            codes(wilson_lower_above_checked(
                1,
                3,
                5,
                Confidence {
                    z_num: 100_001,
                    z_den: 1
                }
            )),
            Err("rollout.bad_confidence")
        );

        let rule = HaltRule {
            max_failure_rate_ppm: Some(100_000),
            min_finished: 10,
            ..HaltRule::default()
        };
        let stats = |finished, failed| StageStats { finished, failed };
        assert_eq!(rule.trips(0, stats(9, 9)), Ok(None));
        assert_eq!(
            rule.trips(2, stats(10, 2)).map(|h| h.map(|h| h.code())),
            Ok(Some("rollout.failure_rate"))
        );
        assert_eq!(
            rule.trips(0, stats(10, 11)).unwrap_err(),
            RolloutError::FailedAboveFinished {
                failed: 11,
                finished: 10
            }
        );
        let bad = HaltRule {
            max_failure_rate_ppm: Some(PPM + 1),
            ..HaltRule::default()
        };
        assert_eq!(
            bad.trips(0, stats(0, 0)).unwrap_err().code(),
            "rollout.fraction_out_of_range"
        );
        let bad = HaltRule {
            confidence: Some(Confidence { z_num: 1, z_den: 0 }),
            ..HaltRule::default()
        };
        assert_eq!(
            bad.trips(0, stats(0, 0)).unwrap_err().code(),
            "rollout.bad_confidence"
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn stage_counts_from_json_refuse_missing_and_bad_counts() {
        let read = |t: &str| StageStats::from_json(t).map_err(|e| (e.code(), e.to_string()));
        assert_eq!(
            read(r#"{"finished": 10, "failed": 3}"#),
            Ok(StageStats {
                finished: 10,
                failed: 3
            })
        );
        let cases: [(&str, &str, &str); 8] = [
            (
                r#"{"finished": 100}"#,
                "rollout.missing_count",
                "stage counts: failed is missing (a missing count is not read as 0)",
            ),
            (
                r#"{"failed": 1}"#,
                "rollout.missing_count",
                "stage counts: finished is missing (a missing count is not read as 0)",
            ),
            (
                r#"{"finished": 10, "failed": -1}"#,
                "rollout.bad_count",
                "stage counts: failed is -1, not a whole number from 0 to 4294967295",
            ),
            (
                r#"{"finished": 4294967296, "failed": 0}"#,
                "rollout.bad_count",
                "stage counts: finished is 4294967296, not a whole number from 0 to 4294967295",
            ),
            (
                r#"{"finished": "1000", "failed": 0}"#,
                "rollout.bad_count",
                "stage counts: finished is \"1000\", not a whole number from 0 to 4294967295",
            ),
            (
                r#"{"finished": 10, "failed": 1.5}"#,
                "rollout.bad_count",
                "stage counts: failed is 1.5, not a whole number from 0 to 4294967295",
            ),
            (
                r#"{"finished": 1, "failed": 2}"#,
                "rollout.failed_above_finished",
                "failed is 2, more than the 1 finished attempts",
            ),
            (
                r#"{"finished": 1, "failed": 0, "failures": 1}"#,
                "rollout.json",
                "rollout JSON: stage counts: unknown field \"failures\" (expected finished and failed)",
            ),
        ];
        for (text, code, message) in cases {
            assert_eq!(read(text), Err((code, String::from(message))), "{text}");
        }
        assert_eq!(read("[1, 2]").unwrap_err().0, "rollout.json");
        // Serde's own reading of the counts (inside a rollout state) has no default either.
        assert!(serde_json::from_str::<StageStats>(r#"{"finished": 100}"#).is_err());
        // A halt rule from JSON is validated.
        assert_eq!(
            HaltRule::from_json(r#"{"confidence": {"z_num": 196, "z_den": 0}}"#)
                .unwrap_err()
                .code(),
            "rollout.bad_confidence"
        );
        assert_eq!(
            HaltRule::from_json(r#"{"max_failure": 3}"#)
                .unwrap_err()
                .code(),
            "rollout.json"
        );
    }

    #[test]
    fn wilson_small_bad_luck_does_not_halt_large_regression_does() {
        let mut r = staged();
        r.halt = HaltRule {
            max_failure_rate_ppm: Some(50_000),
            min_finished: 1,
            confidence: Some(Confidence::P95),
            ..HaltRule::default()
        };
        // 1 of 10 failed (10%): the point rule would halt, the bound does not.
        assert!(
            r.trips(
                0,
                StageStats {
                    finished: 10,
                    failed: 1
                }
            )
            .is_none()
        );
        let point = Rollout {
            halt: HaltRule {
                confidence: None,
                ..r.halt
            },
            ..r.clone()
        };
        assert!(
            point
                .trips(
                    0,
                    StageStats {
                        finished: 10,
                        failed: 1
                    }
                )
                .is_some()
        );
        // 9% of 2000 failed: halts.
        assert!(matches!(
            r.trips(
                0,
                StageStats {
                    finished: 2000,
                    failed: 180
                }
            ),
            Some(HaltReason::Confidence { .. })
        ));
    }

    #[test]
    fn stages_widen_after_soak_and_membership_is_monotone() {
        let r = staged();
        r.validate().unwrap();
        let mut st = r.start(1000);
        assert_eq!(r.next_advance_at(&st), Some(1100));
        assert!(!r.advance(&mut st, 1099));
        let ids: Vec<_> = (0..2000).map(|i| alloc::format!("dev-{i}")).collect();
        let inside = |st: &RolloutState, now| {
            ids.iter()
                .filter(|d| {
                    matches!(
                        r.admits(st, r.position(d.as_bytes()), now),
                        Admission::Open { .. }
                    )
                })
                .count()
        };
        let n0 = inside(&st, 1050);
        assert!(r.advance(&mut st, 1100));
        let n1 = inside(&st, 1150);
        assert!(r.advance(&mut st, 1200));
        let n2 = inside(&st, 1250);
        assert!(!r.advance(&mut st, 5000));
        assert!(n0 < n1 && n1 < n2 && n2 == 2000, "{n0} {n1} {n2}");
        assert!((300..700).contains(&n1), "{n1}");
        for d in &ids {
            let p = r.position(d.as_bytes());
            if sample::is_below(p, 10_000) {
                assert_eq!(r.stage_of(p), 0);
            }
        }
    }

    #[test]
    fn halts_on_rate_after_min_finished_and_resumes() {
        let r = staged();
        let mut st = r.start(0);
        for i in 0..19 {
            assert_eq!(r.record(&mut st, 0, i % 2 == 0, 10), None);
        }
        // 20th finished, 10 of 20 failed = 50% > 10%.
        let h = r.record(&mut st, 0, true, 11).unwrap();
        assert_eq!(h.code(), "rollout.failure_rate");
        assert_eq!(r.admits(&st, 0, 12), Admission::Halted);
        assert_eq!(r.next_advance_at(&st), None);
        assert_eq!(
            r.halt(&mut st, "again".into(), 13),
            Err(RolloutError::AlreadyHalted)
        );
        r.resume(&mut st, 50).unwrap();
        assert_eq!(st.stats[0], StageStats::default());
        assert_eq!(r.resume(&mut st, 51), Err(RolloutError::NotHalted));
        assert_eq!(st.log.len(), 3);
        assert_eq!(r.next_advance_at(&st), Some(150));
    }

    #[test]
    fn count_rule_trips_without_minimum() {
        let mut r = staged();
        r.halt = HaltRule {
            max_failures: Some(3),
            ..HaltRule::default()
        };
        let mut st = r.start(0);
        assert_eq!(r.record(&mut st, 1, true, 1), None);
        assert_eq!(r.record(&mut st, 1, true, 2), None);
        assert_eq!(
            r.record(&mut st, 1, true, 3),
            Some(HaltReason::FailureCount {
                stage: 1,
                failed: 3,
                limit: 3
            })
        );
    }

    #[test]
    fn a_zero_length_ramp_is_an_instant_step_at_its_start() {
        let r = Rollout {
            salt: "s".into(),
            schedule: Schedule::Ramp(Ramp {
                start: 100,
                start_ppm: 10_000,
                duration_secs: 0,
            }),
            halt: HaltRule::default(),
        };
        assert_eq!(r.validate(), Ok(()));
        let st = r.start(0);
        // Closed before the start (not even start_ppm), the whole fleet from it on.
        assert_eq!(r.fraction_ppm(&st, 99), 0);
        assert_eq!(r.fraction_ppm(&st, 100), 1_000_000);
        let p = r.position(b"AG1-000123");
        assert_eq!(
            r.admits(&st, p, 99),
            Admission::NotYet {
                recheck_at: Some(100)
            }
        );
        assert!(matches!(
            r.admits(&st, p, 100),
            Admission::Open { stage: 0 }
        ));
    }

    #[test]
    fn ramp_opens_linearly_and_pauses_while_halted() {
        let r = Rollout {
            salt: "s".into(),
            schedule: Schedule::Ramp(Ramp {
                start: 100,
                start_ppm: 0,
                duration_secs: 1000,
            }),
            halt: HaltRule::default(),
        };
        let mut st = r.start(0);
        assert_eq!(r.fraction_ppm(&st, 50), 0);
        assert_eq!(r.fraction_ppm(&st, 600), 500_000);
        // A device not in yet is told when it will be.
        let (id, p) = (0..)
            .map(|i| alloc::format!("d{i}"))
            .map(|d| {
                let p = r.position(d.as_bytes());
                (d, p)
            })
            .find(|(_, p)| !sample::is_below(*p, 500_000))
            .unwrap();
        let Admission::NotYet {
            recheck_at: Some(t),
        } = r.admits(&st, p, 600)
        else {
            panic!("{id}")
        };
        assert!(matches!(r.admits(&st, p, t), Admission::Open { stage: 0 }));
        assert!(matches!(r.admits(&st, p, t - 1), Admission::NotYet { .. }));
        r.halt(&mut st, "look".into(), 600).unwrap();
        assert_eq!(r.admits(&st, p, 700), Admission::Halted);
        r.resume(&mut st, 800).unwrap();
        assert_eq!(r.fraction_ppm(&st, 800), 500_000);
        assert_eq!(r.fraction_ppm(&st, 1300), PPM);
    }

    #[test]
    fn validation() {
        let mut r = staged();
        r.schedule = Schedule::Stages(vec![
            Stage {
                fraction_ppm: 5,
                min_soak_secs: 0,
            },
            Stage {
                fraction_ppm: 4,
                min_soak_secs: 0,
            },
        ]);
        assert_eq!(
            r.validate().unwrap_err().code(),
            "rollout.fractions_decrease"
        );
        r.schedule = Schedule::Stages(vec![]);
        assert_eq!(r.validate().unwrap_err().code(), "rollout.no_stages");
        r.schedule = Schedule::Stages(vec![Stage {
            fraction_ppm: 2_000_000,
            min_soak_secs: 0,
        }]);
        assert_eq!(
            r.validate().unwrap_err().to_string(),
            "fraction_ppm is 2000000 ppm, above 1000000"
        );
        let mut r = staged();
        r.halt.confidence = Some(Confidence { z_num: 1, z_den: 0 });
        assert_eq!(r.validate().unwrap_err().code(), "rollout.bad_confidence");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn state_round_trips_through_json() {
        let r = staged();
        let mut st = r.start(0);
        r.record(&mut st, 0, true, 1);
        r.halt(&mut st, "why".into(), 2).unwrap();
        let json = serde_json::to_string(&st).unwrap();
        let back: RolloutState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, st);
        let rj = serde_json::to_string(&r).unwrap();
        assert_eq!(Rollout::from_json(&rj).unwrap(), r);
        assert_eq!(Rollout::from_json("{}").unwrap_err().code(), "rollout.json");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn a_top_level_schema_string_is_skipped() {
        let r = Rollout::from_json(
            r#"{"$schema": "../docs/schema/rollout.schema.json", "salt": "s",
                "schedule": {"stages": [{"fraction_ppm": 1000000}]}}"#,
        )
        .unwrap();
        assert_eq!(r.salt, "s");
        for bad in [
            r#"{"$schema": 1, "salt": "s", "schedule": {"stages": [{"fraction_ppm": 1}]}}"#,
            r#"{"$schema": ["x"], "salt": "s", "schedule": {"stages": [{"fraction_ppm": 1}]}}"#,
            r#"{"salt": "s", "schedule": {"$schema": "x", "stages": [{"fraction_ppm": 1}]}}"#,
            r#"{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 1}]}, "halt": {"$schema": "x"}}"#,
        ] {
            assert_eq!(
                Rollout::from_json(bad).unwrap_err().code(),
                "rollout.json",
                "{bad}"
            );
        }
        assert_eq!(
            Rollout::from_json(r#"{"$schema": "x", "salt": "s", "schedule": {"stages": []}}"#)
                .unwrap_err()
                .code(),
            "rollout.no_stages"
        );
    }

    proptest::proptest! {
        #[test]
        fn wilson_is_monotone_in_failures_and_limit(
            f in 0u32..5000, n in 1u32..5000, limit in 0u32..=1_000_000,
        ) {
            let f = f.min(n);
            let c = Confidence::P95;
            if wilson_lower_above(f, n, limit, c) {
                // More failures, or a lower limit, is above too.
                proptest::prop_assert!(wilson_lower_above((f + 1).min(n), n, limit, c));
                proptest::prop_assert!(wilson_lower_above(f, n, limit / 2, c));
                // The bound is below the observed rate.
                proptest::prop_assert!(u64::from(f) * u64::from(PPM) > u64::from(limit) * u64::from(n));
            }
        }

        #[test]
        fn a_device_once_in_stays_in(id: Vec<u8>, a in 0u32..=1_000_000, b in 0u32..=1_000_000) {
            let r = Rollout { salt: "s".into(), schedule: Schedule::Stages(vec![Stage { fraction_ppm: 0, min_soak_secs: 0 }]), halt: HaltRule::default() };
            let p = r.position(&id);
            let (lo, hi) = (a.min(b), a.max(b));
            if sample::is_below(p, lo) {
                proptest::prop_assert!(sample::is_below(p, hi));
            }
        }
    }
}
