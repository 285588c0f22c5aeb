//! A device's reconciler state and the events that change it ([`apply`]).

use alloc::vec::Vec;

use crate::retry::{FailureKind, HopCounters};

/// An install job the scheduler created for a device (KeepTruckin's 2020 FOTA post: the device added to the static
/// thing group of the release, so its continuous job queues an execution).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Job<V> {
    /// The job id, increasing per device (the scheduler numbers them).
    pub id: u64,
    /// The release it installs.
    pub release: V,
    /// When it was created.
    pub created_at: u64,
    /// When its document (the pre-signed URL) expires; no answer by then counts as timed out.
    pub expires_at: u64,
    /// The device sequence number when the job was created: if the job expires and the device
    /// has not spoken since, it never saw the job.
    pub device_seq: u64,
}

/// The last failure on a hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct LastFailure {
    /// Its kind.
    pub kind: FailureKind,
    /// When it was learnt.
    pub at: u64,
    /// The device sequence number when the failed job was created: after a job expired
    /// unanswered by a device that has not spoken since the job was created, nothing is retried
    /// until the device speaks again (a higher sequence number), so a device on a shelf does not
    /// burn its attempts on jobs it never sees.
    pub device_seq: u64,
}

/// Attempts on the hop the device is on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct HopState<V> {
    /// The release this hop installs.
    pub release: V,
    /// Attempts and failures so far.
    pub counters: HopCounters,
    /// The last failure, if the last attempt failed.
    pub last_failure: Option<LastFailure>,
}

/// What the reconciler knows about one device. `V` names versions: [`crate::version::Version`]
/// in a service, `String` on the wire (see [`DeviceState::try_map`]), a release index in the
/// simulator. Changed only by [`apply`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[cfg_attr(
    feature = "serde",
    serde(default, bound(deserialize = "V: serde::Deserialize<'de>"))
)]
pub struct DeviceState<V> {
    /// The version the device last reported (the freshest by device sequence number).
    pub reported: Option<V>,
    /// Highest device sequence number seen (device reports carry a counter that only grows).
    pub device_seq: u64,
    /// Highest job id created.
    pub last_job: u64,
    /// The job in flight, if any.
    pub job: Option<Job<V>>,
    /// Attempts on the current hop.
    pub hop: Option<HopState<V>>,
    /// Attempts over the whole march to the current target.
    pub total_attempts: u32,
    /// When the march's first attempt started.
    pub first_attempt_at: Option<u64>,
    /// Releases the device rolled back from: never offered again until the device gets past
    /// them, a newer release supersedes them as the next hop, or an operator clears them.
    pub rolled_back: Vec<V>,
    /// Highest campaign (target change) id seen.
    pub campaign: u64,
    /// Highest catalog revision seen.
    pub catalog_revision: u64,
    /// Highest operator action id seen.
    pub operator_seq: u64,
}

impl<V> Default for DeviceState<V> {
    fn default() -> Self {
        DeviceState {
            reported: None,
            device_seq: 0,
            last_job: 0,
            job: None,
            hop: None,
            total_attempts: 0,
            first_attempt_at: None,
            rolled_back: Vec::new(),
            campaign: 0,
            catalog_revision: 0,
            operator_seq: 0,
        }
    }
}

impl<V> DeviceState<V> {
    /// A device that reported `version` (with device sequence number `seq`) and nothing else.
    pub fn reporting(version: V, seq: u64) -> DeviceState<V> {
        DeviceState {
            reported: Some(version),
            device_seq: seq,
            ..DeviceState::default()
        }
    }

    /// The same state with every version converted, e.g. from the wire's strings to
    /// [`crate::version::Version`] with `|s| catalog.parse_version(&s)`.
    pub fn try_map<W, E>(self, mut f: impl FnMut(V) -> Result<W, E>) -> Result<DeviceState<W>, E> {
        let job = match self.job {
            Some(j) => Some(Job {
                id: j.id,
                release: f(j.release)?,
                created_at: j.created_at,
                expires_at: j.expires_at,
                device_seq: j.device_seq,
            }),
            None => None,
        };
        let hop = match self.hop {
            Some(h) => Some(HopState {
                release: f(h.release)?,
                counters: h.counters,
                last_failure: h.last_failure,
            }),
            None => None,
        };
        let mut rolled_back = Vec::with_capacity(self.rolled_back.len());
        for v in self.rolled_back {
            rolled_back.push(f(v)?);
        }
        Ok(DeviceState {
            reported: self.reported.map(&mut f).transpose()?,
            device_seq: self.device_seq,
            last_job: self.last_job,
            job,
            hop,
            total_attempts: self.total_attempts,
            first_attempt_at: self.first_attempt_at,
            rolled_back,
            campaign: self.campaign,
            catalog_revision: self.catalog_revision,
            operator_seq: self.operator_seq,
        })
    }
}

/// Something an operator does to one device.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[cfg_attr(feature = "serde", serde(tag = "action", rename_all = "snake_case"))]
pub enum OperatorAction<V> {
    /// Forget that the device rolled back from `release` (every release if `None`).
    ClearRolledBack {
        /// The release, or all.
        release: Option<V>,
    },
    /// Clear the retry counters, so a device that gave up is tried again.
    Retry,
}

/// Something that happened to a device. Device-originated events (`job_succeeded`,
/// `job_failed`, `reported`) carry the device's sequence number `seq` (a counter the device keeps,
/// starting at 1, that grows with every message); job events carry the job id; fleet and
/// operator events carry their own increasing ids. That is what makes [`apply`] idempotent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[cfg_attr(feature = "serde", serde(tag = "event", rename_all = "snake_case"))]
pub enum Event<V> {
    /// The scheduler created install job `job` (after [`crate::reconcile::Action::Install`]).
    JobCreated {
        /// Job id: above every earlier one of this device.
        job: u64,
        /// The release.
        release: V,
        /// When.
        at: u64,
        /// When its document expires.
        expires_at: u64,
    },
    /// The job execution ended `succeeded`; the device reports `reports`.
    JobSucceeded {
        /// Job id.
        job: u64,
        /// Device sequence number.
        seq: u64,
        /// When.
        at: u64,
        /// The version the device now runs.
        reports: V,
    },
    /// The job execution ended badly.
    JobFailed {
        /// Job id.
        job: u64,
        /// Device sequence number.
        seq: u64,
        /// When.
        at: u64,
        /// How it failed.
        kind: FailureKind,
        /// The version the device now runs, if it said.
        #[cfg_attr(feature = "serde", serde(default))]
        reports: Option<V>,
    },
    /// No answer before the job document expired (the scheduler's timer): a timed-out attempt.
    JobExpired {
        /// Job id.
        job: u64,
        /// When.
        at: u64,
    },
    /// The device connected (or updated its shadow) reporting a version.
    Reported {
        /// Device sequence number.
        seq: u64,
        /// When.
        at: u64,
        /// The version it runs.
        reports: V,
    },
    /// The device's target changed (a new campaign): retry counters start again.
    TargetChanged {
        /// Campaign id, increasing.
        campaign: u64,
        /// When.
        at: u64,
    },
    /// The catalog changed (releases added or edited).
    CatalogChanged {
        /// Catalog revision, increasing.
        revision: u64,
        /// When.
        at: u64,
    },
    /// A release was yanked (a catalog change): a job installing it is cancelled.
    ReleaseYanked {
        /// Catalog revision, increasing.
        revision: u64,
        /// The release.
        release: V,
    },
    /// An operator acted on this device.
    Operator {
        /// Operator action id, increasing.
        seq: u64,
        /// What they did.
        action: OperatorAction<V>,
    },
}

impl<V> Event<V> {
    /// The same event with every version converted by `f` (`String` on the wire to `Version`
    /// in a service, or to a release index), as [`DeviceState::try_map`] does for states.
    pub fn try_map<W, E>(self, mut f: impl FnMut(V) -> Result<W, E>) -> Result<Event<W>, E> {
        Ok(match self {
            Event::JobCreated {
                job,
                release,
                at,
                expires_at,
            } => Event::JobCreated {
                job,
                release: f(release)?,
                at,
                expires_at,
            },
            Event::JobSucceeded {
                job,
                seq,
                at,
                reports,
            } => Event::JobSucceeded {
                job,
                seq,
                at,
                reports: f(reports)?,
            },
            Event::JobFailed {
                job,
                seq,
                at,
                kind,
                reports,
            } => Event::JobFailed {
                job,
                seq,
                at,
                kind,
                reports: reports.map(&mut f).transpose()?,
            },
            Event::JobExpired { job, at } => Event::JobExpired { job, at },
            Event::Reported { seq, at, reports } => Event::Reported {
                seq,
                at,
                reports: f(reports)?,
            },
            Event::TargetChanged { campaign, at } => Event::TargetChanged { campaign, at },
            Event::CatalogChanged { revision, at } => Event::CatalogChanged { revision, at },
            Event::ReleaseYanked { revision, release } => Event::ReleaseYanked {
                revision,
                release: f(release)?,
            },
            Event::Operator { seq, action } => Event::Operator {
                seq,
                action: match action {
                    OperatorAction::ClearRolledBack { release } => {
                        OperatorAction::ClearRolledBack {
                            release: release.map(f).transpose()?,
                        }
                    }
                    OperatorAction::Retry => OperatorAction::Retry,
                },
            },
        })
    }
}

/// What [`apply`] did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Applied {
    /// The state changed.
    Changed,
    /// Nothing changed: the event was seen before (same sequence number or id).
    Duplicate,
    /// Nothing changed: something newer was already applied (lower sequence number or id).
    Stale,
    /// Nothing changed: a job result for a job that is not in flight (answered, expired,
    /// cancelled or never created).
    NotInFlight,
}

impl Applied {
    /// Whether the state changed.
    pub fn changed(self) -> bool {
        self == Applied::Changed
    }

    /// Stable name (`changed`, `duplicate`, `stale`, `not_in_flight`).
    pub fn name(self) -> &'static str {
        match self {
            Applied::Changed => "changed",
            Applied::Duplicate => "duplicate",
            Applied::Stale => "stale",
            Applied::NotInFlight => "not_in_flight",
        }
    }
}

fn order(seen: u64, got: u64) -> Option<Applied> {
    match got.cmp(&seen) {
        core::cmp::Ordering::Greater => None,
        core::cmp::Ordering::Equal => Some(Applied::Duplicate),
        core::cmp::Ordering::Less => Some(Applied::Stale),
    }
}

/// Applies one event to a device's state, in place, and says what it did. An event that is a
/// duplicate, stale, or about a job not in flight leaves the state exactly as it was.
///
/// What each event does:
/// * `job_created`: the job is in flight; if it installs a different release than the current
///   hop, a new hop starts with fresh counters; one attempt is counted (hop and total).
/// * `job_succeeded`: the job is done. If the device reports a version *below* the job's
///   release, it rolled back: the release is remembered (see [`DeviceState::rolled_back`]).
/// * `job_failed` / `job_expired`: the job is done and a failure of its kind is counted.
/// * `reported`: the device's version is updated; reporting a version below the one it had
///   means it rolled back from that one; reporting the in-flight job's release (or above)
///   completes the job. A device that reports a version it should not have is simply re-planned
///   from there by `decide`.
/// * `target_changed`: a new march: hop and total counters start again.
/// * `catalog_changed`: the revision is recorded (`decide` plans with the catalog it is given).
/// * `release_yanked`: a job installing the yanked release is cancelled, no failure counted.
/// * `operator`: clear remembered rollbacks, or clear the retry counters.
///
/// Every version report also forgets remembered rollbacks at or below the reported version.
pub fn apply<V: Clone + Ord>(state: &mut DeviceState<V>, event: &Event<V>) -> Applied {
    match event {
        Event::JobCreated {
            job,
            release,
            at,
            expires_at,
        } => {
            if let Some(ignored) = order(state.last_job, *job) {
                return ignored;
            }
            state.last_job = *job;
            state.job = Some(Job {
                id: *job,
                release: release.clone(),
                created_at: *at,
                expires_at: *expires_at,
                device_seq: state.device_seq,
            });
            let hop = match state.hop.take() {
                Some(h) if h.release == *release => h,
                _ => HopState {
                    release: release.clone(),
                    counters: HopCounters::default(),
                    last_failure: None,
                },
            };
            let hop = state.hop.insert(hop);
            hop.counters.record_attempt();
            hop.last_failure = None;
            state.total_attempts = state.total_attempts.saturating_add(1);
            state.first_attempt_at.get_or_insert(*at);
            Applied::Changed
        }
        Event::JobSucceeded {
            job, seq, reports, ..
        } => {
            let Some(j) = take_job(state, *job) else {
                return Applied::NotInFlight;
            };
            if *seq > state.device_seq {
                state.device_seq = *seq;
                if *reports < j.release {
                    remember(&mut state.rolled_back, j.release.clone());
                }
                set_reported(state, reports.clone());
            }
            if let Some(h) = state.hop.as_mut().filter(|h| h.release == j.release) {
                h.last_failure = None;
            }
            Applied::Changed
        }
        Event::JobFailed {
            job,
            seq,
            at,
            kind,
            reports,
        } => {
            let Some(j) = take_job(state, *job) else {
                return Applied::NotInFlight;
            };
            fail(state, &j, *kind, *at);
            if *seq > state.device_seq {
                state.device_seq = *seq;
                if let Some(r) = reports {
                    observe(state, r.clone());
                }
            }
            Applied::Changed
        }
        Event::JobExpired { job, at } => {
            let Some(j) = take_job(state, *job) else {
                return Applied::NotInFlight;
            };
            fail(state, &j, FailureKind::TimedOut, *at);
            Applied::Changed
        }
        Event::Reported { seq, reports, .. } => {
            if let Some(ignored) = order(state.device_seq, *seq) {
                return ignored;
            }
            state.device_seq = *seq;
            observe(state, reports.clone());
            if state.job.as_ref().is_some_and(|j| *reports >= j.release) {
                state.job = None;
            }
            Applied::Changed
        }
        Event::TargetChanged { campaign, at: _ } => {
            if let Some(ignored) = order(state.campaign, *campaign) {
                return ignored;
            }
            state.campaign = *campaign;
            state.hop = None;
            state.total_attempts = 0;
            state.first_attempt_at = None;
            Applied::Changed
        }
        Event::CatalogChanged { revision, at: _ } => {
            if let Some(ignored) = order(state.catalog_revision, *revision) {
                return ignored;
            }
            state.catalog_revision = *revision;
            Applied::Changed
        }
        Event::ReleaseYanked { revision, release } => {
            if let Some(ignored) = order(state.catalog_revision, *revision) {
                return ignored;
            }
            state.catalog_revision = *revision;
            if state.job.as_ref().is_some_and(|j| j.release == *release) {
                state.job = None;
            }
            Applied::Changed
        }
        Event::Operator { seq, action } => {
            if let Some(ignored) = order(state.operator_seq, *seq) {
                return ignored;
            }
            state.operator_seq = *seq;
            match action {
                OperatorAction::ClearRolledBack { release: Some(r) } => {
                    state.rolled_back.retain(|v| v != r)
                }
                OperatorAction::ClearRolledBack { release: None } => state.rolled_back.clear(),
                OperatorAction::Retry => {
                    state.hop = None;
                    state.total_attempts = 0;
                    state.first_attempt_at = None;
                }
            }
            Applied::Changed
        }
    }
}

fn take_job<V>(state: &mut DeviceState<V>, id: u64) -> Option<Job<V>> {
    if state.job.as_ref().is_some_and(|j| j.id == id) {
        state.job.take()
    } else {
        None
    }
}

fn fail<V: Clone + PartialEq>(
    state: &mut DeviceState<V>,
    job: &Job<V>,
    kind: FailureKind,
    at: u64,
) {
    let hop = match state.hop.take() {
        Some(h) if h.release == job.release => h,
        // The hop was reset (target change) while the job was in flight: count it afresh.
        _ => HopState {
            release: job.release.clone(),
            counters: HopCounters {
                attempts: 1,
                failures: [0; 4],
            },
            last_failure: None,
        },
    };
    let hop = state.hop.insert(hop);
    hop.counters.record_failure(kind);
    hop.last_failure = Some(LastFailure {
        kind,
        at,
        device_seq: job.device_seq,
    });
}

/// A fresh version report: a report below the previous one is a rollback from the previous one.
fn observe<V: Clone + Ord>(state: &mut DeviceState<V>, reports: V) {
    if let Some(prev) = &state.reported
        && reports < *prev
    {
        let prev = prev.clone();
        remember(&mut state.rolled_back, prev);
    }
    set_reported(state, reports);
}

fn set_reported<V: Ord>(state: &mut DeviceState<V>, reports: V) {
    state.rolled_back.retain(|r| *r > reports);
    state.reported = Some(reports);
}

fn remember<V: PartialEq>(list: &mut Vec<V>, release: V) {
    if !list.contains(&release) {
        list.push(release);
    }
}
