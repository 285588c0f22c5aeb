//! Retry policy: how often a failed hop is tried again, how long to wait, and when to give up.
//!
//! KeepTruckin's 2020 FOTA FOTA-scheduler retries a failed job execution at most five times. A
//! [`RetryPolicy`] says the same and more, heap-free, so the device port can compute the same
//! backoff the cloud does:
//!
//! * `attempts_per_hop` (default 5): installs of one hop, first try included;
//! * per [`FailureKind`] (failed, timed out, rejected by the device, download error) a
//!   [`KindPolicy`]: whether to retry at all, an optional tighter attempt limit, and an
//!   exponential backoff `base_secs * factor^(n-1)` capped at `cap_secs`, where `n` counts the
//!   failures of that kind on this hop;
//! * a total give-up rule ([`GiveUp`]): at most so many attempts over the whole march, or no
//!   new attempt once so many seconds have passed since the first;
//! * jitter: up to `jitter_ppm` parts per million of the delay are taken off, by an amount that
//!   comes from hashing `(device id, hop, attempt)` ([`jitter_hash`]), so every party that knows
//!   those three computes the same delay, and the cap stays a hard cap.
//!
//! All arithmetic is on integers and saturates; nothing here allocates.
//!
//! ```
//! use stepstone::retry::{FailureKind, HopCounters, RetryDecision, RetryPolicy};
//! let policy = RetryPolicy::default();
//! let mut hop = HopCounters::default();
//! hop.record_attempt();
//! hop.record_failure(FailureKind::Failed);
//! // 1 attempt made, first failure: retry after at most base_secs (60 s by default).
//! match policy.after_failure(&hop, FailureKind::Failed, 1, 0, 1_000, b"dev-1", b"v65000").unwrap() {
//!     RetryDecision::RetryAt(t) => assert!((1_030..=1_060).contains(&t)),
//!     RetryDecision::GiveUp(r) => panic!("gave up: {r:?}"),
//! }
//! ```

use core::fmt;

use crate::arith::mul_ppm;
use crate::error::{ErrorCode, Sink};

// Its callers, the `from_json` readers, come with the `serde` feature.
#[cfg(feature = "serde")]
pub(crate) mod read;
#[cfg(feature = "alloc")]
pub(crate) mod write;

/// Domain-separation tag of the jitter hash, version 1.
pub const JITTER_DOMAIN: &[u8] = b"stepstone/jitter/v1";

/// Why a hop attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum FailureKind {
    /// The job execution ended `failed` (install or boot failure).
    Failed,
    /// The job execution ended `timed_out`, or its document expired with no answer.
    TimedOut,
    /// The device refused the job (low battery, in use, policy).
    Rejected,
    /// The image could not be downloaded (network, expired URL).
    DownloadError,
}

impl FailureKind {
    /// Every kind, in the order of [`HopCounters::failures`].
    pub const ALL: [FailureKind; 4] = [
        FailureKind::Failed,
        FailureKind::TimedOut,
        FailureKind::Rejected,
        FailureKind::DownloadError,
    ];

    /// Index of this kind in [`HopCounters::failures`].
    pub const fn index(self) -> usize {
        match self {
            FailureKind::Failed => 0,
            FailureKind::TimedOut => 1,
            FailureKind::Rejected => 2,
            FailureKind::DownloadError => 3,
        }
    }

    /// The kind's name as JSON spells it (`failed`, `timed_out`, `rejected`, `download_error`).
    pub const fn name(self) -> &'static str {
        match self {
            FailureKind::Failed => "failed",
            FailureKind::TimedOut => "timed_out",
            FailureKind::Rejected => "rejected",
            FailureKind::DownloadError => "download_error",
        }
    }

    /// Parses a kind name as JSON spells it.
    pub fn from_name(name: &str) -> Option<FailureKind> {
        FailureKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A kind by name (`retry.unknown_kind` for any other).
///
/// ```
/// use stepstone::retry::FailureKind;
/// use stepstone::ErrorCode;
/// assert_eq!("timed_out".parse::<FailureKind>().unwrap(), FailureKind::TimedOut);
/// assert_eq!("meteor".parse::<FailureKind>().unwrap_err().code(), "retry.unknown_kind");
/// ```
#[cfg(feature = "alloc")]
impl core::str::FromStr for FailureKind {
    type Err = RetryError;
    fn from_str(s: &str) -> Result<FailureKind, RetryError> {
        FailureKind::from_name(s).ok_or_else(|| RetryError::UnknownKind(crate::error::clip(s)))
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Backoff and limits for one failure kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct KindPolicy {
    /// Whether a failure of this kind is retried at all.
    pub retry: bool,
    /// At most this many failures of this kind on one hop before giving up (on top of
    /// `attempts_per_hop`); `None` = only `attempts_per_hop` applies.
    pub max_failures: Option<u32>,
    /// Delay after the first failure of this kind, in seconds.
    pub base_secs: u64,
    /// Multiplier per further failure (2 doubles). At least 1.
    pub factor: u32,
    /// Largest delay, in seconds. At least `base_secs`.
    pub cap_secs: u64,
}

impl Default for KindPolicy {
    fn default() -> Self {
        KindPolicy {
            retry: true,
            max_failures: None,
            base_secs: 60,
            factor: 2,
            cap_secs: 6 * 3600,
        }
    }
}

impl KindPolicy {
    /// The delay before retrying after the `n`-th failure of this kind (`n >= 1`), before
    /// jitter: `min(cap, base * factor^(n-1))`, saturating.
    ///
    /// ```
    /// use stepstone::retry::KindPolicy;
    /// let k = KindPolicy { base_secs: 60, factor: 2, cap_secs: 300, ..KindPolicy::default() };
    /// assert_eq!([1, 2, 3, 4].map(|n| k.delay(n)), [60, 120, 240, 300]);
    /// ```
    pub fn delay(&self, n: u32) -> u64 {
        let mut d = self.base_secs.min(self.cap_secs);
        let mut i = 1;
        while i < n && d < self.cap_secs {
            d = d.saturating_mul(u64::from(self.factor)).min(self.cap_secs);
            i += 1;
        }
        d
    }
}

/// The total give-up rule, over the whole march to a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct GiveUp {
    /// At most this many attempts (all hops together); `None` = no limit.
    pub max_total_attempts: Option<u32>,
    /// No new attempt once this many seconds have passed since the first attempt of the
    /// march; `None` = no limit.
    pub max_elapsed_secs: Option<u64>,
}

/// A retry policy. `Default` is the one in KeepTruckin's 2020 FOTA post: 5 attempts per hop, every kind retried with
/// backoff 60 s doubling up to 6 h, 50% jitter, no total limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct RetryPolicy {
    /// Attempts per hop, the first one included (KeepTruckin's 2020 FOTA post: 5). At least 1.
    pub attempts_per_hop: u32,
    /// Parts per million of each delay that jitter may take off (0..=1_000_000).
    pub jitter_ppm: u32,
    /// Policy for [`FailureKind::Failed`].
    pub failed: KindPolicy,
    /// Policy for [`FailureKind::TimedOut`].
    pub timed_out: KindPolicy,
    /// Policy for [`FailureKind::Rejected`].
    pub rejected: KindPolicy,
    /// Policy for [`FailureKind::DownloadError`].
    pub download_error: KindPolicy,
    /// The total give-up rule.
    pub give_up: GiveUp,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts_per_hop: 5,
            jitter_ppm: 500_000,
            failed: KindPolicy::default(),
            timed_out: KindPolicy::default(),
            rejected: KindPolicy::default(),
            download_error: KindPolicy {
                base_secs: 30,
                ..KindPolicy::default()
            },
            give_up: GiveUp::default(),
        }
    }
}

/// Attempts and failures on one hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct HopCounters {
    /// Installs started on this hop.
    pub attempts: u32,
    /// Failures per kind, indexed by [`FailureKind::index`].
    pub failures: [u32; 4],
}

impl HopCounters {
    /// Counts one more attempt (saturating).
    pub fn record_attempt(&mut self) {
        self.attempts = self.attempts.saturating_add(1);
    }

    /// Counts one more failure of `kind` (saturating).
    pub fn record_failure(&mut self, kind: FailureKind) {
        if let Some(n) = self.failures.get_mut(kind.index()) {
            *n = n.saturating_add(1);
        }
    }

    /// Counters from `attempts` and (kind, failures) pairs; a kind absent from `failures`
    /// counts 0, a kind given twice is `retry.duplicate_kind`.
    ///
    /// ```
    /// use stepstone::retry::{FailureKind, HopCounters};
    /// let c = HopCounters::from_pairs(3, [(FailureKind::TimedOut, 2)]).unwrap();
    /// assert_eq!((c.attempts, c.failures_of(FailureKind::TimedOut), c.failures_of(FailureKind::Failed)), (3, 2, 0));
    /// assert!(HopCounters::from_pairs(3, [(FailureKind::Failed, 1), (FailureKind::Failed, 2)]).is_err());
    /// ```
    pub fn from_pairs(
        attempts: u32,
        failures: impl IntoIterator<Item = (FailureKind, u32)>,
    ) -> Result<HopCounters, RetryError> {
        let mut c = HopCounters {
            attempts,
            failures: [0; 4],
        };
        let mut seen = [false; 4];
        for (kind, n) in failures {
            let i = kind.index();
            if seen.get(i).copied().unwrap_or(true) {
                return Err(RetryError::DuplicateKind(kind));
            }
            if let (Some(flag), Some(slot)) = (seen.get_mut(i), c.failures.get_mut(i)) {
                *flag = true;
                *slot = n;
            }
        }
        Ok(c)
    }

    /// Counters from `attempts` and a JSON object mapping failure-kind names to their counts
    /// on the hop (`{"timed_out": 2}`; a kind absent counts 0). A name given twice counts its
    /// last value, as a JSON map read into a map does; a name that is no kind is
    /// `retry.unknown_kind` (the first in sorted order), JSON that does not read, or a count
    /// that is not a whole number from 0 to 2^32-1, `retry.json`.
    ///
    /// ```
    /// use stepstone::ErrorCode;
    /// use stepstone::retry::{FailureKind, HopCounters};
    /// let c = HopCounters::from_json_counts(3, r#"{"timed_out": 2}"#).unwrap();
    /// assert_eq!(c.failures_of(FailureKind::TimedOut), 2);
    /// let e = HopCounters::from_json_counts(3, r#"{"lost": 1}"#).unwrap_err();
    /// assert_eq!(e.code(), "retry.unknown_kind");
    /// assert_eq!(HopCounters::from_json_counts(3, "[]").unwrap_err().code(), "retry.json");
    /// ```
    #[cfg(feature = "serde")]
    pub fn from_json_counts(attempts: u32, text: &str) -> Result<HopCounters, RetryError> {
        let counts = read::counts_document(text).map_err(RetryError::Json)?;
        let mut pairs = alloc::vec::Vec::with_capacity(counts.len());
        for (name, n) in counts {
            pairs.push((name.parse::<FailureKind>()?, n));
        }
        HopCounters::from_pairs(attempts, pairs)
    }

    /// Failures of `kind` so far.
    pub fn failures_of(&self, kind: FailureKind) -> u32 {
        self.failures.get(kind.index()).copied().unwrap_or(0)
    }
}

/// What to do after a failed attempt.
///
/// Its JSON form (feature `serde`): `{"retry_at": t}` or `{"give_up": "retry.kind_limit",
/// "rule": {...}}` (the rule with its limit, as [`RetryGiveUp`] serializes).
///
/// ```
/// use stepstone::retry::{RetryDecision, RetryGiveUp};
/// assert_eq!(serde_json::to_string(&RetryDecision::RetryAt(60)).unwrap(), r#"{"retry_at":60}"#);
/// let g = RetryDecision::GiveUp(RetryGiveUp::TotalAttempts { limit: 9 });
/// assert_eq!(serde_json::to_string(&g).unwrap(),
///     r#"{"give_up":"retry.total_attempts","rule":{"rule":"total_attempts","limit":9}}"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Try again at this time (seconds, the caller's clock).
    RetryAt(u64),
    /// Stop: this hop (and so the march) is given up.
    GiveUp(RetryGiveUp),
}

#[cfg(feature = "serde")]
impl serde::Serialize for RetryDecision {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            RetryDecision::RetryAt(t) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("retry_at", t)?;
                m.end()
            }
            RetryDecision::GiveUp(r) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("give_up", r.code())?;
                m.serialize_entry("rule", r)?;
                m.end()
            }
        }
    }
}

/// Why the retry policy gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "rule", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RetryGiveUp {
    /// `attempts_per_hop` attempts were made on this hop.
    AttemptsPerHop {
        /// The limit.
        limit: u32,
    },
    /// A failure of this kind is not retried.
    NotRetried {
        /// The kind.
        kind: FailureKind,
    },
    /// The kind's `max_failures` was reached.
    KindLimit {
        /// The kind.
        kind: FailureKind,
        /// The limit.
        limit: u32,
    },
    /// `give_up.max_total_attempts` was reached.
    TotalAttempts {
        /// The limit.
        limit: u32,
    },
    /// `give_up.max_elapsed_secs` passed since the first attempt.
    Elapsed {
        /// The limit in seconds.
        limit_secs: u64,
    },
}

impl RetryGiveUp {
    /// Stable code of the rule (`retry.attempts_per_hop`, ...), for reports.
    pub const fn code(&self) -> &'static str {
        use crate::error::codes;
        match self {
            RetryGiveUp::AttemptsPerHop { .. } => codes::RETRY_ATTEMPTS_PER_HOP.as_str(),
            RetryGiveUp::NotRetried { .. } => codes::RETRY_NOT_RETRIED.as_str(),
            RetryGiveUp::KindLimit { .. } => codes::RETRY_KIND_LIMIT.as_str(),
            RetryGiveUp::TotalAttempts { .. } => codes::RETRY_TOTAL_ATTEMPTS.as_str(),
            RetryGiveUp::Elapsed { .. } => codes::RETRY_ELAPSED.as_str(),
        }
    }
}

impl fmt::Display for RetryGiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryGiveUp::AttemptsPerHop { limit } => {
                write!(f, "{limit} attempts on this hop failed")
            }
            RetryGiveUp::NotRetried { kind } => write!(f, "a {kind} failure is not retried"),
            RetryGiveUp::KindLimit { kind, limit } => {
                write!(f, "{limit} {kind} failures on this hop")
            }
            RetryGiveUp::TotalAttempts { limit } => write!(f, "{limit} attempts in total"),
            RetryGiveUp::Elapsed { limit_secs } => {
                write!(f, "{limit_secs} s since the first attempt")
            }
        }
    }
}

/// A retry policy that does not make sense, naming the field and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryError {
    /// `attempts_per_hop` is 0.
    ZeroAttempts,
    /// `jitter_ppm` is above 1 000 000.
    Jitter(u32),
    /// A kind's `factor` is 0.
    ZeroFactor(FailureKind),
    /// A kind's `cap_secs` is below its `base_secs`.
    CapBelowBase {
        /// The kind.
        kind: FailureKind,
        /// Its base.
        base: u64,
        /// Its cap.
        cap: u64,
    },
    /// A kind's `max_failures` or `give_up.max_total_attempts` is 0.
    ZeroLimit(&'static str),
    /// The JSON could not be read as a retry policy.
    #[cfg(feature = "serde")]
    Json(alloc::string::String),
    /// A failure kind name that is none of `failed`, `timed_out`, `rejected`,
    /// `download_error` (`retry.unknown_kind`).
    #[cfg(feature = "alloc")]
    UnknownKind(alloc::string::String),
    /// A failure kind counted twice in [`HopCounters::from_pairs`] (`retry.duplicate_kind`).
    DuplicateKind(FailureKind),
    /// [`RetryPolicy::after_failure`] was told of a failure before the march's first attempt
    /// (`retry.failed_before_first_attempt`): one of the two times is wrong, and no rule can
    /// be counted from them.
    FailedBeforeFirstAttempt {
        /// When the march's first attempt started.
        first_attempt_at: u64,
        /// When the failure was learnt.
        failed_at: u64,
    },
    /// [`RetryPolicy::backoff`] was asked for failure 0 or attempt 0: both are numbered from
    /// 1 (`retry.zero_number`); which of the two was 0.
    ZeroNumber(Numbered),
}

/// The two numbers [`RetryPolicy::backoff`] counts from 1: the failure's (`n`) and the
/// attempt's (`attempt`). A value, not the field's text, so that a build without messages (the
/// device port) carries no text for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbered {
    /// `n`: which failure of its kind this is.
    Failure,
    /// `attempt`: which attempt on the hop failed.
    Attempt,
}

impl Numbered {
    /// The argument's name in messages: `n` or `attempt`.
    pub const fn name(self) -> &'static str {
        match self {
            Numbered::Failure => "n",
            Numbered::Attempt => "attempt",
        }
    }
}

impl RetryError {
    /// Writes the message (`Display` and [`ErrorMessage`](crate::error::ErrorMessage) both
    /// give it).
    pub(crate) fn write_message(&self, s: &mut impl Sink) {
        match self {
            RetryError::ZeroAttempts => s.text("attempts_per_hop must be at least 1, got 0"),
            RetryError::Jitter(ppm) => {
                s.text("jitter_ppm must be at most 1000000, got ");
                s.decimal(u64::from(*ppm));
            }
            RetryError::ZeroFactor(kind) => {
                s.text(kind.name());
                s.text(".factor must be at least 1, got 0");
            }
            RetryError::CapBelowBase { kind, base, cap } => {
                s.text(kind.name());
                s.text(".cap_secs (");
                s.decimal(*cap);
                s.text(") is below ");
                s.text(kind.name());
                s.text(".base_secs (");
                s.decimal(*base);
                s.text(")");
            }
            RetryError::ZeroLimit(field) => {
                s.text(field);
                s.text(" must be at least 1, got 0");
            }
            #[cfg(feature = "serde")]
            RetryError::Json(message) => {
                s.text("retry policy JSON: ");
                s.text(message);
            }
            #[cfg(feature = "alloc")]
            RetryError::UnknownKind(name) => {
                s.text("unknown failure kind ");
                s.quoted(name);
                s.text(": expected failed, timed_out, rejected or download_error");
            }
            RetryError::DuplicateKind(kind) => {
                s.text("failure kind ");
                s.text(kind.name());
                s.text(" is counted twice");
            }
            RetryError::FailedBeforeFirstAttempt {
                first_attempt_at,
                failed_at,
            } => {
                s.text("failed_at (");
                s.decimal(*failed_at);
                s.text(") is before first_attempt_at (");
                s.decimal(*first_attempt_at);
                s.text("): a failure cannot come before the march's first attempt");
            }
            RetryError::ZeroNumber(field) => {
                s.text(field.name());
                s.text(" must be at least 1 (failures and attempts are numbered from 1), got 0");
            }
        }
    }
}

crate::error::message_from_sink!(RetryError);

impl core::error::Error for RetryError {}

impl ErrorCode for RetryError {
    fn code(&self) -> &'static str {
        use crate::error::codes;
        match self {
            RetryError::ZeroAttempts => codes::RETRY_ZERO_ATTEMPTS.as_str(),
            RetryError::Jitter(_) => codes::RETRY_JITTER_OUT_OF_RANGE.as_str(),
            RetryError::ZeroFactor(_) => codes::RETRY_ZERO_FACTOR.as_str(),
            RetryError::CapBelowBase { .. } => codes::RETRY_CAP_BELOW_BASE.as_str(),
            RetryError::ZeroLimit(_) => codes::RETRY_ZERO_LIMIT.as_str(),
            #[cfg(feature = "serde")]
            RetryError::Json(_) => codes::RETRY_JSON.as_str(),
            #[cfg(feature = "alloc")]
            RetryError::UnknownKind(_) => codes::RETRY_UNKNOWN_KIND.as_str(),
            RetryError::DuplicateKind(_) => codes::RETRY_DUPLICATE_KIND.as_str(),
            RetryError::FailedBeforeFirstAttempt { .. } => {
                codes::RETRY_FAILED_BEFORE_FIRST_ATTEMPT.as_str()
            }
            RetryError::ZeroNumber(_) => codes::RETRY_ZERO_NUMBER.as_str(),
        }
    }
}

impl RetryPolicy {
    /// The policy for one kind.
    pub fn kind(&self, kind: FailureKind) -> &KindPolicy {
        match kind {
            FailureKind::Failed => &self.failed,
            FailureKind::TimedOut => &self.timed_out,
            FailureKind::Rejected => &self.rejected,
            FailureKind::DownloadError => &self.download_error,
        }
    }

    /// Checks that the policy makes sense; the first problem found is returned.
    pub fn validate(&self) -> Result<(), RetryError> {
        if self.attempts_per_hop == 0 {
            return Err(RetryError::ZeroAttempts);
        }
        if self.jitter_ppm > 1_000_000 {
            return Err(RetryError::Jitter(self.jitter_ppm));
        }
        for kind in FailureKind::ALL {
            let k = self.kind(kind);
            if k.factor == 0 {
                return Err(RetryError::ZeroFactor(kind));
            }
            if k.cap_secs < k.base_secs {
                return Err(RetryError::CapBelowBase {
                    kind,
                    base: k.base_secs,
                    cap: k.cap_secs,
                });
            }
            if k.max_failures == Some(0) {
                return Err(RetryError::ZeroLimit(match kind {
                    FailureKind::Failed => "failed.max_failures",
                    FailureKind::TimedOut => "timed_out.max_failures",
                    FailureKind::Rejected => "rejected.max_failures",
                    FailureKind::DownloadError => "download_error.max_failures",
                }));
            }
        }
        if self.give_up.max_total_attempts == Some(0) {
            return Err(RetryError::ZeroLimit("give_up.max_total_attempts"));
        }
        Ok(())
    }

    /// Reads and validates a policy from JSON; absent fields take their defaults.
    ///
    /// ```
    /// use stepstone::retry::RetryPolicy;
    /// let p = RetryPolicy::from_json(r#"{"attempts_per_hop": 3, "rejected": {"retry": false}}"#).unwrap();
    /// assert_eq!(p.attempts_per_hop, 3);
    /// assert!(!p.rejected.retry);
    /// let e = RetryPolicy::from_json(r#"{"attempts_per_hop": 0}"#).unwrap_err();
    /// assert_eq!(stepstone::ErrorCode::code(&e), "retry.zero_attempts");
    /// ```
    #[cfg(feature = "serde")]
    pub fn from_json(text: &str) -> Result<RetryPolicy, RetryError> {
        let p = read::policy_document(text).map_err(RetryError::Json)?;
        p.validate()?;
        Ok(p)
    }

    /// The jittered delay after the `n`-th failure of `kind` on hop `hop`, where `attempt` is the
    /// number of the attempt that failed. See [`jitter_hash`].
    ///
    /// Both are numbered from 1 (the first failure of a kind is `n = 1`, the first attempt on a
    /// hop `attempt = 1`), as [`HopCounters`] counts them once the failure is recorded: 0 is
    /// `retry.zero_number`, never read as 1.
    ///
    /// ```
    /// use stepstone::ErrorCode;
    /// use stepstone::retry::{FailureKind, RetryPolicy};
    /// let p = RetryPolicy { jitter_ppm: 0, ..RetryPolicy::default() };
    /// assert_eq!(p.backoff(FailureKind::Failed, 2, b"dev-1", b"v65000", 2), Ok(120));
    /// let e = p.backoff(FailureKind::Failed, 0, b"dev-1", b"v65000", 1).unwrap_err();
    /// assert_eq!(e.code(), "retry.zero_number");
    /// assert_eq!(e.to_string(), "n must be at least 1 (failures and attempts are numbered from 1), got 0");
    /// ```
    pub fn backoff(
        &self,
        kind: FailureKind,
        n: u32,
        device_id: &[u8],
        hop: &[u8],
        attempt: u32,
    ) -> Result<u64, RetryError> {
        if n == 0 || attempt == 0 {
            let zero = if n == 0 {
                Numbered::Failure
            } else {
                Numbered::Attempt
            };
            return Err(RetryError::ZeroNumber(zero));
        }
        Ok(self.jittered(kind, n, device_id, hop, attempt))
    }

    /// [`RetryPolicy::backoff`] without the numbering check, for [`RetryPolicy::after_failure`]
    /// (whose counters say how many failures and attempts there were).
    fn jittered(
        &self,
        kind: FailureKind,
        n: u32,
        device_id: &[u8],
        hop: &[u8],
        attempt: u32,
    ) -> u64 {
        let delay = self.kind(kind).delay(n);
        let spread = mul_ppm(delay, self.jitter_ppm);
        if spread == 0 {
            return delay;
        }
        let h = jitter_hash(device_id, hop, attempt);
        // spread <= delay since jitter_ppm <= 1e6; only spread == u64::MAX has no `+ 1`.
        match spread.checked_add(1) {
            Some(m) => delay - crate::arith::div_rem(h, m).1, // ok: h % m <= spread <= delay
            None => delay,
        }
    }

    /// What to do after an attempt on a hop failed with `kind`.
    ///
    /// `hop` holds the counters *including* the failed attempt and its failure;
    /// `total_attempts` counts every attempt of the march, this one included;
    /// `first_attempt_at` is when the march's first attempt started; `failed_at` when this one
    /// failed (the same time is fine, an earlier one is
    /// `retry.failed_before_first_attempt`: one of the two clocks is wrong, and the elapsed-time
    /// rule cannot be counted from them). `hop_id` names the hop for jitter (the release's
    /// version as the catalog spells it).
    ///
    /// ```
    /// use stepstone::ErrorCode;
    /// use stepstone::retry::{FailureKind, HopCounters, RetryPolicy};
    /// let hop = HopCounters::from_pairs(1, [(FailureKind::Failed, 1)]).unwrap();
    /// let e = RetryPolicy::default()
    ///     .after_failure(&hop, FailureKind::Failed, 1, 2_000, 1_000, b"dev-1", b"v65000")
    ///     .unwrap_err();
    /// assert_eq!(e.code(), "retry.failed_before_first_attempt");
    /// assert_eq!(e.to_string(), "failed_at (1000) is before first_attempt_at (2000): \
    ///     a failure cannot come before the march's first attempt");
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn after_failure(
        &self,
        hop: &HopCounters,
        kind: FailureKind,
        total_attempts: u32,
        first_attempt_at: u64,
        failed_at: u64,
        device_id: &[u8],
        hop_id: &[u8],
    ) -> Result<RetryDecision, RetryError> {
        if failed_at < first_attempt_at {
            return Err(RetryError::FailedBeforeFirstAttempt {
                first_attempt_at,
                failed_at,
            });
        }
        Ok(self.decide_after_failure(
            hop,
            kind,
            total_attempts,
            first_attempt_at,
            failed_at,
            device_id,
            hop_id,
        ))
    }

    /// [`RetryPolicy::after_failure`] on times already ordered by the caller (the reconciler,
    /// whose state keeps the first attempt's time and the failure's; a failure reported with
    /// an earlier clock than the first attempt counts no time elapsed).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn decide_after_failure(
        &self,
        hop: &HopCounters,
        kind: FailureKind,
        total_attempts: u32,
        first_attempt_at: u64,
        failed_at: u64,
        device_id: &[u8],
        hop_id: &[u8],
    ) -> RetryDecision {
        if let Some(reason) = self.exhausted(hop, kind, total_attempts, first_attempt_at, failed_at)
        {
            return RetryDecision::GiveUp(reason);
        }
        let n = hop.failures_of(kind).max(1);
        let wait = self.jittered(kind, n, device_id, hop_id, hop.attempts);
        let at = failed_at.saturating_add(wait);
        if let Some(limit) = self.give_up.max_elapsed_secs
            && at.saturating_sub(first_attempt_at) > limit
        {
            return RetryDecision::GiveUp(RetryGiveUp::Elapsed { limit_secs: limit });
        }
        RetryDecision::RetryAt(at)
    }

    /// Whether no further attempt is allowed after a `kind` failure, and by which rule.
    /// Rules are checked in this order: not retried, kind limit, attempts per hop, total
    /// attempts, elapsed time.
    pub fn exhausted(
        &self,
        hop: &HopCounters,
        kind: FailureKind,
        total_attempts: u32,
        first_attempt_at: u64,
        now: u64,
    ) -> Option<RetryGiveUp> {
        let k = self.kind(kind);
        if !k.retry {
            return Some(RetryGiveUp::NotRetried { kind });
        }
        if let Some(limit) = k.max_failures
            && hop.failures_of(kind) >= limit
        {
            return Some(RetryGiveUp::KindLimit { kind, limit });
        }
        if hop.attempts >= self.attempts_per_hop {
            return Some(RetryGiveUp::AttemptsPerHop {
                limit: self.attempts_per_hop,
            });
        }
        if let Some(limit) = self.give_up.max_total_attempts
            && total_attempts >= limit
        {
            return Some(RetryGiveUp::TotalAttempts { limit });
        }
        if let Some(limit) = self.give_up.max_elapsed_secs
            && now.saturating_sub(first_attempt_at) >= limit
        {
            return Some(RetryGiveUp::Elapsed { limit_secs: limit });
        }
        None
    }
}

/// The jitter hash: the first 8 bytes, big-endian, of
/// `SHA-256("stepstone/jitter/v1" || u32be(len(device_id)) || device_id || u32be(len(hop)) || hop
/// || u32be(attempt))`.
///
/// Lengths longer than `u32::MAX` bytes are encoded as `u32::MAX` (no real id is that long).
///
/// ```
/// use stepstone::retry::jitter_hash;
/// assert_eq!(jitter_hash(b"dev-1", b"v65000", 1), jitter_hash(b"dev-1", b"v65000", 1));
/// assert_ne!(jitter_hash(b"dev-1", b"v65000", 1), jitter_hash(b"dev-1", b"v65000", 2));
/// ```
pub fn jitter_hash(device_id: &[u8], hop: &[u8], attempt: u32) -> u64 {
    let mut h = crate::signature::blocks::Blocks::default();
    h.update(JITTER_DOMAIN);
    h.update(&len_be(device_id));
    h.update(device_id);
    h.update(&len_be(hop));
    h.update(hop);
    h.update(&attempt.to_be_bytes());
    let out = h.finish();
    let mut first = [0u8; 8];
    for (d, s) in first.iter_mut().zip(out.iter()) {
        *d = *s;
    }
    u64::from_be_bytes(first)
}

fn len_be(bytes: &[u8]) -> [u8; 4] {
    u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes()
}

/// The examples of docs/retry.md, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/retry.md")]
pub struct RetryGuide;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    #[test]
    fn default_is_the_seed() {
        let p = RetryPolicy::default();
        assert_eq!(p.attempts_per_hop, 5);
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn delay_doubles_and_caps() {
        let k = KindPolicy {
            base_secs: 10,
            factor: 3,
            cap_secs: 100,
            ..KindPolicy::default()
        };
        assert_eq!(
            [0, 1, 2, 3, 4, 100].map(|n| k.delay(n)),
            [10, 10, 30, 90, 100, 100]
        );
        let huge = KindPolicy {
            base_secs: u64::MAX / 2,
            factor: u32::MAX,
            cap_secs: u64::MAX,
            ..k
        };
        assert_eq!(huge.delay(u32::MAX), u64::MAX);
    }

    #[test]
    fn jitter_stays_within_spread_and_is_deterministic() {
        let p = RetryPolicy::default();
        for a in 1..50u32 {
            let d = p.backoff(FailureKind::Failed, 1, b"dev", b"v1", a).unwrap();
            assert!((30..=60).contains(&d), "{d}");
            assert_eq!(
                d,
                p.backoff(FailureKind::Failed, 1, b"dev", b"v1", a).unwrap()
            );
        }
        let no_jitter = RetryPolicy { jitter_ppm: 0, ..p };
        assert_eq!(
            no_jitter
                .backoff(FailureKind::Failed, 3, b"dev", b"v1", 3)
                .unwrap(),
            240
        );
        let full = RetryPolicy {
            jitter_ppm: 1_000_000,
            ..p
        };
        assert!(full.backoff(FailureKind::Failed, 1, b"d", b"h", 1).unwrap() <= 60);
    }

    #[test]
    fn failures_and_attempts_are_numbered_from_one() {
        let p = RetryPolicy::default();
        for (n, attempt, field) in [
            (0, 1, Numbered::Failure),
            (1, 0, Numbered::Attempt),
            (0, 0, Numbered::Failure),
        ] {
            let e = p
                .backoff(FailureKind::TimedOut, n, b"d", b"h", attempt)
                .unwrap_err();
            assert_eq!(e, RetryError::ZeroNumber(field));
            assert_eq!(e.code(), "retry.zero_number");
            assert!(e.to_string().starts_with(field.name()), "{e}");
        }
    }

    #[test]
    fn jitter_hash_encoding_is_length_prefixed() {
        use sha2::{Digest, Sha256};
        // ("ab", "c") and ("a", "bc") must differ.
        assert_ne!(jitter_hash(b"ab", b"c", 1), jitter_hash(b"a", b"bc", 1));
        // Pinned value (also in the conformance vectors).
        let mut h = Sha256::new();
        h.update(b"stepstone/jitter/v1\x00\x00\x00\x05dev-1\x00\x00\x00\x06v65000\x00\x00\x00\x01");
        let out = h.finalize();
        let want = u64::from_be_bytes(out[..8].try_into().unwrap());
        assert_eq!(jitter_hash(b"dev-1", b"v65000", 1), want);
    }

    #[test]
    fn gives_up_after_five_attempts() {
        let p = RetryPolicy::default();
        let mut hop = HopCounters::default();
        for i in 1..=5 {
            hop.record_attempt();
            hop.record_failure(FailureKind::Failed);
            let d = p
                .after_failure(&hop, FailureKind::Failed, i, 0, 100, b"d", b"h")
                .unwrap();
            if i < 5 {
                assert!(matches!(d, RetryDecision::RetryAt(_)), "{i}: {d:?}");
            } else {
                assert_eq!(
                    d,
                    RetryDecision::GiveUp(RetryGiveUp::AttemptsPerHop { limit: 5 })
                );
            }
        }
    }

    #[test]
    fn per_kind_rules_and_total_rules() {
        let mut p = RetryPolicy::default();
        p.rejected.retry = false;
        p.download_error.max_failures = Some(2);
        p.give_up = GiveUp {
            max_total_attempts: Some(7),
            max_elapsed_secs: Some(1000),
        };
        let mut hop = HopCounters::default();
        hop.record_attempt();
        hop.record_failure(FailureKind::Rejected);
        assert_eq!(
            p.after_failure(&hop, FailureKind::Rejected, 1, 0, 10, b"d", b"h")
                .unwrap(),
            RetryDecision::GiveUp(RetryGiveUp::NotRetried {
                kind: FailureKind::Rejected
            })
        );
        let mut hop = HopCounters::default();
        for _ in 0..2 {
            hop.record_attempt();
            hop.record_failure(FailureKind::DownloadError);
        }
        assert_eq!(
            p.after_failure(&hop, FailureKind::DownloadError, 2, 0, 10, b"d", b"h")
                .unwrap(),
            RetryDecision::GiveUp(RetryGiveUp::KindLimit {
                kind: FailureKind::DownloadError,
                limit: 2
            })
        );
        let mut hop = HopCounters::default();
        hop.record_attempt();
        hop.record_failure(FailureKind::Failed);
        assert_eq!(
            p.after_failure(&hop, FailureKind::Failed, 7, 0, 10, b"d", b"h")
                .unwrap(),
            RetryDecision::GiveUp(RetryGiveUp::TotalAttempts { limit: 7 })
        );
        assert_eq!(
            p.after_failure(&hop, FailureKind::Failed, 1, 0, 1000, b"d", b"h")
                .unwrap(),
            RetryDecision::GiveUp(RetryGiveUp::Elapsed { limit_secs: 1000 })
        );
        // The retry itself would land after the limit.
        assert_eq!(
            p.after_failure(&hop, FailureKind::Failed, 1, 0, 990, b"d", b"h")
                .unwrap(),
            RetryDecision::GiveUp(RetryGiveUp::Elapsed { limit_secs: 1000 })
        );
    }

    #[test]
    fn a_failure_before_the_first_attempt_is_refused_naming_both_times() {
        let p = RetryPolicy::default();
        let hop = HopCounters::from_pairs(1, [(FailureKind::Failed, 1)]).unwrap();
        let e = p
            .after_failure(&hop, FailureKind::Failed, 1, 101, 100, b"d", b"h")
            .unwrap_err();
        assert_eq!(e.code(), "retry.failed_before_first_attempt");
        assert_eq!(
            e.to_string(),
            "failed_at (100) is before first_attempt_at (101): a failure cannot come before \
             the march's first attempt"
        );
        // The same time is a failure of the first attempt at once.
        assert!(matches!(
            p.after_failure(&hop, FailureKind::Failed, 1, 100, 100, b"d", b"h"),
            Ok(RetryDecision::RetryAt(_))
        ));
    }

    #[test]
    fn validation_names_the_field() {
        let mut p = RetryPolicy::default();
        p.timed_out.cap_secs = 1;
        let e = p.validate().unwrap_err();
        assert_eq!(e.code(), "retry.cap_below_base");
        assert_eq!(
            e.to_string(),
            "timed_out.cap_secs (1) is below timed_out.base_secs (60)"
        );
        let p = RetryPolicy {
            jitter_ppm: 2_000_000,
            ..RetryPolicy::default()
        };
        assert_eq!(
            p.validate().unwrap_err().to_string(),
            "jitter_ppm must be at most 1000000, got 2000000"
        );
        let mut p = RetryPolicy::default();
        p.failed.factor = 0;
        assert_eq!(p.validate().unwrap_err().code(), "retry.zero_factor");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn json_round_trip_and_errors() {
        let p = RetryPolicy::default();
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(RetryPolicy::from_json(&s).unwrap(), p);
        assert_eq!(RetryPolicy::from_json("{}").unwrap(), p);
        assert_eq!(
            RetryPolicy::from_json(r#"{"atempts": 1}"#)
                .unwrap_err()
                .code(),
            "retry.json"
        );
        assert_eq!(
            RetryPolicy::from_json("[").unwrap_err().code(),
            "retry.json"
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn a_top_level_schema_string_is_skipped() {
        let p = RetryPolicy::from_json(
            r#"{"$schema": "../docs/schema/retry-policy.schema.json", "attempts_per_hop": 3}"#,
        )
        .unwrap();
        assert_eq!(p.attempts_per_hop, 3);
        for bad in [
            r#"{"$schema": 1, "attempts_per_hop": 3}"#,
            r#"{"$schema": null}"#,
            r#"{"failed": {"$schema": "x"}}"#,
            r#"{"$schema": "x", "attempts": 3}"#,
        ] {
            assert_eq!(
                RetryPolicy::from_json(bad).unwrap_err().code(),
                "retry.json",
                "{bad}"
            );
        }
        // The policy is still checked.
        assert_eq!(
            RetryPolicy::from_json(r#"{"$schema": "x", "attempts_per_hop": 0}"#)
                .unwrap_err()
                .code(),
            "retry.zero_attempts"
        );
    }

    proptest::proptest! {
        #[test]
        fn backoff_stays_between_jittered_floor_and_cap(
            base in 0u64..100_000, factor in 1u32..10, extra in 0u64..1_000_000,
            jitter in 0u32..=1_000_000, n in 1u32..100, attempt in 1u32.., id: Vec<u8>,
        ) {
            let k = KindPolicy { base_secs: base, factor, cap_secs: base + extra, ..KindPolicy::default() };
            let p = RetryPolicy { jitter_ppm: jitter, failed: k, ..RetryPolicy::default() };
            let delay = k.delay(n);
            let got = p.backoff(FailureKind::Failed, n, &id, b"v1", attempt).unwrap();
            proptest::prop_assert!(got <= delay && delay <= k.cap_secs);
            proptest::prop_assert!(got >= delay - mul_ppm(delay, jitter));
            proptest::prop_assert!(k.delay(n) <= k.delay(n.saturating_add(1)));
        }
    }
}
