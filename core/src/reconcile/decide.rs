//! [`decide`]: what to do next with a device.

use crate::error::ErrorCode;
use crate::retry::{FailureKind, RetryDecision, RetryGiveUp, RetryPolicy};
use crate::rollout::{Admission, Rollout, RolloutState};

use super::state::DeviceState;
use super::window::{Window, next_open};

/// KeepTruckin's 2020 FOTA job document lifetime: a pre-signed S3 URL lives at most 7 days.
pub const DEFAULT_JOB_TTL_SECS: u64 = 7 * 86_400;

/// Where a device goes next, toward a fixed target. The planner is the reconciler's only view
/// of the catalog: a [`crate::campaign::CampaignTable`] for a campaign, a
/// [`super::CatalogPlanner`] for one-off questions, a lookup table in the simulator, or a
/// closure in tests.
pub trait Planner<V> {
    /// Why no path exists.
    type Error: ErrorCode;
    /// The next release to install from `from`; `None` when `from` is the target.
    fn next_hop(&self, from: &V) -> Result<Option<V>, Self::Error>;
    /// How the catalog spells `v` (the hop's name in the jitter hash).
    fn spelling<'s>(&'s self, v: &'s V) -> &'s str;
}

/// A rollout and where it stands, as `decide` sees it.
#[derive(Debug, Clone, Copy)]
pub struct RolloutView<'a> {
    /// The rollout.
    pub rollout: &'a Rollout,
    /// Its state.
    pub state: &'a RolloutState,
}

/// When installs may start: campaign start and end, weekly maintenance windows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timing<'a> {
    /// No install before this time.
    pub start: Option<u64>,
    /// No install from this time on; job documents expire by then.
    pub end: Option<u64>,
    /// Weekly windows in the device's local time (none = always).
    pub windows: &'a [Window],
    /// The device's UTC offset in seconds, resolved by the caller for `now`.
    pub utc_offset_secs: i32,
}

/// Everything `decide` needs besides the device: planner (catalog and target), retry policy,
/// rollout, timing, job lifetime.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a, P> {
    /// The planner toward the target.
    pub planner: &'a P,
    /// The retry policy.
    pub policy: &'a RetryPolicy,
    /// The staged rollout, if the campaign has one.
    pub rollout: Option<RolloutView<'a>>,
    /// Campaign times and maintenance windows.
    pub timing: Timing<'a>,
    /// Lifetime of a job document, seconds (default [`DEFAULT_JOB_TTL_SECS`]).
    pub job_ttl_secs: u64,
}

impl<'a, P> Context<'a, P> {
    /// A context with no rollout, no time limits, and the 7-day job lifetime.
    pub fn new(planner: &'a P, policy: &'a RetryPolicy) -> Context<'a, P> {
        Context {
            planner,
            policy,
            rollout: None,
            timing: Timing::default(),
            job_ttl_secs: DEFAULT_JOB_TTL_SECS,
        }
    }
}

/// What to do with a device now.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "action", rename_all = "snake_case"))]
pub enum Action<V> {
    /// Create job `job` installing `release` (then apply `job_created`).
    Install {
        /// The release.
        release: V,
        /// The job id to use.
        job: u64,
        /// When the job document expires.
        expires_at: u64,
        /// Which attempt on this hop this is (1 = first).
        attempt: u32,
        /// The device's rollout stage, if a rollout applies.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        stage: Option<u32>,
    },
    /// Nothing to do before `until`; ask again then (or when an event arrives).
    Wait {
        /// When to ask again.
        until: u64,
        /// Why.
        reason: WaitReason,
    },
    /// Job `job` got no answer before its document expired: apply `job_expired`.
    Expire {
        /// The job.
        job: u64,
    },
    /// The device runs the target.
    Done,
    /// Not now, and no time is known at which that changes by itself (an event or an
    /// operator changes it), except `recheck_at` when given.
    Hold {
        /// Why.
        reason: HoldReason<V>,
    },
    /// The march is given up.
    GiveUp {
        /// Why.
        reason: GiveUpReason,
    },
}

/// Why `decide` says wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "why", rename_all = "snake_case"))]
pub enum WaitReason {
    /// The campaign has not started.
    CampaignNotStarted,
    /// A job is in flight.
    AwaitingJob {
        /// The job.
        job: u64,
    },
    /// Backing off after a failure.
    Backoff {
        /// The failure's kind.
        kind: FailureKind,
    },
    /// Outside the maintenance windows.
    MaintenanceWindow,
}

/// Why `decide` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "why", rename_all = "snake_case"))]
pub enum HoldReason<V> {
    /// The device has never reported a version.
    NoReport,
    /// The last job expired unanswered and the device has not spoken since it was created:
    /// nothing is retried until the device connects again.
    Unresponsive,
    /// The next hop is a release the device rolled back from.
    RolledBack {
        /// The release.
        release: V,
    },
    /// The campaign has ended.
    CampaignEnded,
    /// The rollout is halted.
    RolloutHalted,
    /// The rollout is not open to this device yet.
    NotInRollout {
        /// When it might be.
        recheck_at: Option<u64>,
    },
}

impl<V> HoldReason<V> {
    /// Stable name (`no_report`, `unresponsive`, `rolled_back`, `campaign_ended`, `rollout_halted`,
    /// `not_in_rollout`).
    pub fn name(&self) -> &'static str {
        match self {
            HoldReason::NoReport => "no_report",
            HoldReason::Unresponsive => "unresponsive",
            HoldReason::RolledBack { .. } => "rolled_back",
            HoldReason::CampaignEnded => "campaign_ended",
            HoldReason::RolloutHalted => "rollout_halted",
            HoldReason::NotInRollout { .. } => "not_in_rollout",
        }
    }
}

/// Why `decide` gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "why", rename_all = "snake_case"))]
pub enum GiveUpReason {
    /// The retry policy is exhausted.
    Retry {
        /// Which rule.
        rule: RetryGiveUp,
    },
    /// The planner finds no path from the device's version to the target.
    NoPath {
        /// The planner's error code.
        code: &'static str,
    },
}

impl GiveUpReason {
    /// Stable code: the retry rule's code or the planner's.
    pub fn code(&self) -> &'static str {
        match self {
            GiveUpReason::Retry { rule } => rule.code(),
            GiveUpReason::NoPath { code } => code,
        }
    }
}

/// Decides what to do with a device now. Pure: the same inputs give the same action.
///
/// In order: before the campaign starts, wait; a job in flight, wait for it (or expire it once
/// its document expired); no version reported, hold; the planner's next hop from the reported
/// version (none: done; an error: give up, no path); a hop the device rolled back from, hold;
/// the retry policy exhausted, give up; the last job expired unanswered and the device has not
/// spoken since that job was created, hold (a shelf device marches on when it reconnects); backing off, wait; the campaign over, hold; the rollout
/// halted or not open to the device, hold; outside the maintenance windows, wait; else install.
///
/// `device_id` feeds the jitter hash and the rollout position.
pub fn decide<V, P>(
    device_id: &[u8],
    state: &DeviceState<V>,
    ctx: &Context<'_, P>,
    now: u64,
) -> Action<V>
where
    V: Clone + PartialEq,
    P: Planner<V>,
{
    let timing = &ctx.timing;
    if let Some(start) = timing.start.filter(|s| now < *s) {
        return Action::Wait {
            until: start,
            reason: WaitReason::CampaignNotStarted,
        };
    }
    if let Some(job) = &state.job {
        if now < job.expires_at {
            return Action::Wait {
                until: job.expires_at,
                reason: WaitReason::AwaitingJob { job: job.id },
            };
        }
        return Action::Expire { job: job.id };
    }
    let Some(current) = &state.reported else {
        return Action::Hold {
            reason: HoldReason::NoReport,
        };
    };
    let next = match ctx.planner.next_hop(current) {
        Ok(Some(next)) => next,
        Ok(None) => return Action::Done,
        Err(e) => {
            return Action::GiveUp {
                reason: GiveUpReason::NoPath { code: e.code() },
            };
        }
    };
    if state.rolled_back.contains(&next) {
        return Action::Hold {
            reason: HoldReason::RolledBack { release: next },
        };
    }
    let hop = state.hop.as_ref().filter(|h| h.release == next);
    let attempts = hop.map_or(0, |h| h.counters.attempts);
    let first = state.first_attempt_at.unwrap_or(now);
    if let Some(rule) = total_limit(ctx.policy, state.total_attempts, first, now) {
        return Action::GiveUp {
            reason: GiveUpReason::Retry { rule },
        };
    }
    if let Some((h, last)) = hop.and_then(|h| h.last_failure.map(|l| (h, l))) {
        if last.kind == FailureKind::TimedOut && state.device_seq <= last.device_seq {
            if let Some(rule) =
                ctx.policy
                    .exhausted(&h.counters, last.kind, state.total_attempts, first, now)
            {
                return Action::GiveUp {
                    reason: GiveUpReason::Retry { rule },
                };
            }
            return Action::Hold {
                reason: HoldReason::Unresponsive,
            };
        }
        let name = ctx.planner.spelling(&next).as_bytes();
        match ctx.policy.decide_after_failure(
            &h.counters,
            last.kind,
            state.total_attempts,
            first,
            last.at,
            device_id,
            name,
        ) {
            RetryDecision::GiveUp(rule) => {
                return Action::GiveUp {
                    reason: GiveUpReason::Retry { rule },
                };
            }
            RetryDecision::RetryAt(t) if now < t => {
                return Action::Wait {
                    until: t,
                    reason: WaitReason::Backoff { kind: last.kind },
                };
            }
            RetryDecision::RetryAt(_) => {}
        }
    } else if attempts >= ctx.policy.attempts_per_hop {
        // Attempts used up without a recorded failure (e.g. jobs cancelled by yanks).
        let rule = RetryGiveUp::AttemptsPerHop {
            limit: ctx.policy.attempts_per_hop,
        };
        return Action::GiveUp {
            reason: GiveUpReason::Retry { rule },
        };
    }
    if timing.end.is_some_and(|end| now >= end) {
        return Action::Hold {
            reason: HoldReason::CampaignEnded,
        };
    }
    let mut stage = None;
    if let Some(view) = &ctx.rollout {
        let position = view.rollout.position(device_id);
        match view.rollout.admits(view.state, position, now) {
            Admission::Open { stage: s } => stage = Some(s),
            Admission::Halted => {
                return Action::Hold {
                    reason: HoldReason::RolloutHalted,
                };
            }
            Admission::NotYet { recheck_at } => {
                return Action::Hold {
                    reason: HoldReason::NotInRollout { recheck_at },
                };
            }
        }
    }
    if let Some(t) = next_open(timing.windows, timing.utc_offset_secs, now) {
        return Action::Wait {
            until: t,
            reason: WaitReason::MaintenanceWindow,
        };
    }
    let mut expires_at = now.saturating_add(ctx.job_ttl_secs);
    if let Some(end) = timing.end {
        expires_at = expires_at.min(end);
    }
    Action::Install {
        release: next,
        job: state.last_job.saturating_add(1),
        expires_at,
        attempt: attempts.saturating_add(1),
        stage,
    }
}

/// The policy's total rules, checked before any new attempt.
fn total_limit(policy: &RetryPolicy, total: u32, first: u64, now: u64) -> Option<RetryGiveUp> {
    if let Some(limit) = policy.give_up.max_total_attempts.filter(|l| total >= *l) {
        return Some(RetryGiveUp::TotalAttempts { limit });
    }
    if let Some(limit) = policy
        .give_up
        .max_elapsed_secs
        .filter(|l| now.saturating_sub(first) >= *l)
    {
        return Some(RetryGiveUp::Elapsed { limit_secs: limit });
    }
    None
}
