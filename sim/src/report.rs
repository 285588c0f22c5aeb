//! What a simulation reports: where the fleet ended, what it cost, and who is stuck.

use std::collections::BTreeMap;

use serde::Serialize;
use stepstone::reconcile::Planner;
use stepstone::rollout::RolloutLog;

use crate::config::DAY;
use crate::sim::{Simulation, Status};

/// How far a simulation has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Devices converged, given up or held.
    pub settled: u64,
    /// Devices in all.
    pub devices: u64,
    /// Queue items processed.
    pub events: u64,
    /// Simulated time now, seconds.
    pub now: u64,
}

/// Percentiles of the time to converge, in days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvergeDays {
    /// Half the converged devices were done by then.
    pub p50: f64,
    /// 90%.
    pub p90: f64,
    /// 99%.
    pub p99: f64,
    /// The last one.
    pub max: f64,
}

/// What happened to events at the reconciler.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EventCounts {
    /// Device messages delivered (duplicates included).
    pub delivered: u64,
    /// Duplicate deliveries injected.
    pub duplicates_injected: u64,
    /// `apply` changed the state.
    pub changed: u64,
    /// `apply` recognised a duplicate.
    pub duplicate: u64,
    /// `apply` recognised a stale event.
    pub stale: u64,
    /// A result for a job not in flight.
    pub not_in_flight: u64,
    /// Calls to `decide`.
    pub decisions: u64,
    /// Queue items processed in all.
    pub processed: u64,
}

/// A rollout's course in the simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RolloutReport {
    /// `(stage, day opened)`.
    pub stages_opened: Vec<(u32, f64)>,
    /// `(day, halt code, message)`.
    pub halts: Vec<(f64, String, String)>,
    /// The stage open at the end.
    pub final_stage: u32,
    /// Whether it ended halted.
    pub halted: bool,
}

/// Devices that did not reach the target, grouped by the version they are stuck on and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stuck {
    /// The version they run at the end: the start of the hop they could not make.
    pub from: String,
    /// How many devices.
    pub count: u64,
    /// Why: a give-up code (a key of [`Report::given_up`], `retry.attempts_per_hop`, ...), a
    /// hold reason (a key of [`Report::held`], `rollout_halted`, ...), or `pending` for devices
    /// still on their way at the horizon (a device running the target whose success report is
    /// still on the way is pending but not stuck).
    pub code: String,
}

/// The simulation's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Devices simulated.
    pub devices: u64,
    /// The devices' model, as configured (`null`: none stated).
    pub model: Option<String>,
    /// The devices' environment, as configured (`null`: none stated).
    pub environment: Option<String>,
    /// Devices that reached the target.
    pub converged: u64,
    /// Devices given up, by reason code.
    pub given_up: BTreeMap<String, u64>,
    /// Devices held, by reason.
    pub held: BTreeMap<String, u64>,
    /// Devices still on their way at the horizon, including those that run the target while
    /// their success report is on the way.
    pub pending: u64,
    /// Hops installed (successful installs).
    pub hops: u64,
    /// Install attempts started.
    pub attempts: u64,
    /// Bytes of the releases installed.
    pub bytes_installed: u64,
    /// Bytes of every attempt started (each downloads its release).
    pub bytes_downloaded: u64,
    /// Attempts a hop took, for every hop whose job the reconciler saw complete: attempts ->
    /// hops (a hop whose result arrived only after its job expired is not in here).
    pub attempts_histogram: BTreeMap<u32, u64>,
    /// Hops installed per release, as the catalog spells it.
    pub hops_by_release: BTreeMap<String, u64>,
    /// Events at the reconciler.
    pub events: EventCounts,
    /// The rollout, if there was one.
    pub rollout: Option<RolloutReport>,
    /// Time to converge.
    pub converge_days: Option<ConvergeDays>,
    /// Simulated time at the end, days.
    pub simulated_days: f64,
    /// How many devices run each release at the end, lowest version first, as the catalog
    /// spells it; releases no device runs are left out. In JSON, an object in that order.
    #[serde(serialize_with = "in_order")]
    pub final_versions: Vec<(String, u64)>,
    /// The devices that did not reach the target, lowest version first, then by code.
    pub stuck: Vec<Stuck>,
}

/// `[(key, value), ...]` as a JSON object, keys in the list's order (a `BTreeMap` would sort
/// `10.0.0` before `9.0.0`).
fn in_order<S: serde::Serializer>(pairs: &[(String, u64)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

impl Simulation {
    /// The report so far.
    pub fn report(&self) -> Report {
        let mut given_up = BTreeMap::new();
        let mut held = BTreeMap::new();
        let (mut converged, mut pending) = (0, 0);
        // Per release index: devices on it, and the stuck ones by code.
        let mut on = vec![0u64; self.sizes.len()];
        let mut stuck: BTreeMap<(u32, &'static str), u64> = BTreeMap::new();
        for (s, release) in self.status.iter().zip(&self.actual) {
            if let Some(n) = on.get_mut(*release as usize) {
                *n += 1;
            }
            let why = match s {
                // Running the target, its success report not in yet: pending, not stuck.
                Status::Pending if Some(*release) == self.target => {
                    pending += 1;
                    continue;
                }
                Status::Pending => {
                    pending += 1;
                    "pending"
                }
                Status::Converged => {
                    converged += 1;
                    continue;
                }
                Status::GaveUp(code) => {
                    *given_up.entry(code.to_string()).or_insert(0) += 1;
                    code
                }
                Status::Held(why) => {
                    *held.entry(why.to_string()).or_insert(0) += 1;
                    why
                }
            };
            *stuck.entry((*release, why)).or_insert(0) += 1;
        }
        let spell = |i: u32| self.planner.spelling(&i).to_string();
        let days = |t: u64| (t as f64 / DAY as f64 * 100.0).round() / 100.0;
        let converge_days = if self.converged_at.is_empty() {
            None
        } else {
            let mut t = self.converged_at.clone();
            t.sort_unstable();
            let pick = |num: usize| {
                let k = (t.len() * num).div_ceil(100).saturating_sub(1);
                days(t.get(k).copied().unwrap_or(0))
            };
            Some(ConvergeDays {
                p50: pick(50),
                p90: pick(90),
                p99: pick(99),
                max: pick(100),
            })
        };
        let rollout = match (&self.cfg.rollout, &self.rollout_state) {
            (Some(_), Some(s)) => {
                let mut stages_opened = Vec::new();
                let mut halts = Vec::new();
                for entry in &s.log {
                    match entry {
                        RolloutLog::Opened { stage, at } => stages_opened.push((*stage, days(*at))),
                        RolloutLog::Halted { at, reason } => {
                            halts.push((days(*at), reason.code().to_string(), reason.to_string()))
                        }
                        RolloutLog::Resumed { .. } => {}
                    }
                }
                Some(RolloutReport {
                    stages_opened,
                    halts,
                    final_stage: s.stage,
                    halted: s.halted.is_some(),
                })
            }
            _ => None,
        };
        Report {
            devices: u64::from(self.cfg.devices),
            model: self.cfg.model.clone(),
            environment: self.cfg.environment.clone(),
            converged,
            given_up,
            held,
            pending,
            hops: self.hops,
            attempts: self.attempts,
            bytes_installed: self.bytes_installed,
            bytes_downloaded: self.bytes_downloaded,
            attempts_histogram: self.histogram.clone(),
            hops_by_release: self
                .installs
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| (spell(i as u32), *n))
                .collect(),
            events: self.events.clone(),
            rollout,
            converge_days,
            simulated_days: days(self.now),
            // Release indices follow the catalog's version order.
            final_versions: on
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| (spell(i as u32), *n))
                .collect(),
            stuck: stuck
                .into_iter()
                .map(|((release, code), count)| Stuck {
                    from: spell(release),
                    count,
                    code: code.to_string(),
                })
                .collect(),
        }
    }
}
