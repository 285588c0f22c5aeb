//! A discrete-event fleet simulator around the reconciler (feature `std`).
//!
//! The reconciler's decisions stay pure; the simulator is the world around them: a fleet of
//! devices that install, fail, go offline, come back from a shelf, and whose messages arrive
//! late, twice or out of order. Every device runs the real [`crate::reconcile::apply`] and
//! [`crate::reconcile::decide`], with an [`IndexPlanner`] built from a
//! [`CampaignTable`] (versions are release indices, one array lookup per question), compact
//! per-device state, a time-bucketed event queue (one bucket per simulated second over a 12-day
//! ring, a binary heap beyond), and a seeded PRNG (SplitMix64) that lives here.
//! The same configuration and seed give the same report.
//!
//! The world, per install attempt the reconciler asks for:
//! * with `offline_rate_ppm` the device drops offline for 1 hour to 14 days first (longer than
//!   the 7-day job document: the job expires, and the device reconnects later);
//! * with `fail_rate_ppm` the attempt fails: 40% `failed`, 35% `download_error`, 15%
//!   `rejected`, 10% no answer at all (the job expires: timed out);
//! * with `rollback_rate_ppm` a success boots back into the old version;
//! * otherwise it installs and reports `succeeded`, then reboots and reports its version.
//!
//! Every device message takes 1 s to 2 min to arrive; with `duplicate_rate_ppm` it arrives a
//! second time up to an hour later. At the start, `offline_rate_ppm` of the devices are on a
//! shelf, coming back at a uniformly random time within `shelf_secs`.
//!
//! ```
//! use stepstone::catalog::Catalog;
//! use stepstone::simulate::{SimConfig, Simulation};
//! let c = Catalog::from_json(r#"{"releases": [{"version": "1"}, {"version": "2", "min_sw_version": "1"}]}"#).unwrap();
//! let cfg = SimConfig { devices: 100, fail_rate_ppm: 50_000, ..SimConfig::default() };
//! let mut sim = Simulation::new(&c, &c.parse_version("2").unwrap(), cfg).unwrap();
//! sim.run();
//! let report = sim.report();
//! assert_eq!(report.converged, 100);
//! ```

use alloc::collections::{BTreeMap, BinaryHeap};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::{Ordering, Reverse};

use crate::campaign::CampaignTable;
use crate::catalog::Catalog;
use crate::error::ErrorCode;
use crate::plan::{Cost, PlanError};
use crate::reconcile::{
    Action, Applied, Context, DEFAULT_JOB_TTL_SECS, DeviceState, Event, HoldReason, IndexPlanner,
    Planner, RolloutView, Timing, apply, decide,
};
use crate::retry::{FailureKind, RetryPolicy};
use crate::rollout::{Rollout, RolloutLog, RolloutState};
use crate::version::Version;

const DAY: u64 = 86_400;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Number of devices.
    pub devices: u32,
    /// Chance that an install attempt fails, ppm.
    pub fail_rate_ppm: u32,
    /// Chance that a device is on a shelf at the start, and that it drops offline before an
    /// attempt, ppm.
    pub offline_rate_ppm: u32,
    /// Chance that a device message is delivered twice, ppm.
    pub duplicate_rate_ppm: u32,
    /// Chance that a successful install boots back into the old version, ppm.
    pub rollback_rate_ppm: u32,
    /// PRNG seed.
    pub seed: u64,
    /// Where every device starts; `None`: the catalog's lowest release.
    pub start: Option<Version>,
    /// Shelf devices come back within this many seconds.
    pub shelf_secs: u64,
    /// The simulation stops at this time.
    pub horizon_secs: u64,
    /// The retry policy.
    pub policy: RetryPolicy,
    /// A staged rollout, if any.
    pub rollout: Option<Rollout>,
    /// Job document lifetime.
    pub job_ttl_secs: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            devices: 1000,
            fail_rate_ppm: 0,
            offline_rate_ppm: 0,
            duplicate_rate_ppm: 0,
            rollback_rate_ppm: 0,
            seed: 1,
            start: None,
            shelf_secs: 30 * DAY,
            horizon_secs: 730 * DAY,
            policy: RetryPolicy::default(),
            rollout: None,
            job_ttl_secs: DEFAULT_JOB_TTL_SECS,
        }
    }
}

/// Why a simulation cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The campaign table could not be built (target not in the catalog, yanked, ...).
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The start version is not a release of the catalog.
    #[error("start version {0:?} is not a release of the catalog")]
    UnknownStart(String),
    /// The catalog has no releases.
    #[error("the catalog has no releases")]
    EmptyCatalog,
    /// A rate is above 1 000 000 ppm.
    #[error("{name} is {value} ppm, above 1000000")]
    Rate {
        /// Which rate.
        name: &'static str,
        /// Its value.
        value: u32,
    },
}

impl ErrorCode for SimError {
    fn code(&self) -> &'static str {
        match self {
            SimError::Plan(e) => e.code(),
            SimError::UnknownStart(_) => "simulate.unknown_start",
            SimError::EmptyCatalog => "simulate.empty_catalog",
            SimError::Rate { .. } => "simulate.rate_out_of_range",
        }
    }
}

/// SplitMix64: small, fast, and good enough for a simulation.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi.saturating_sub(lo).saturating_add(1)).max(1)
    }

    fn chance(&mut self, ppm: u32) -> bool {
        self.next() % 1_000_000 < u64::from(ppm)
    }
}

#[derive(Debug, Clone)]
enum What {
    /// Ask `decide` again (if this is still the device's wake-up time).
    Tick,
    /// A device message reaches the reconciler.
    Deliver(Event<u32>),
    /// The device runs job `job`.
    Run { job: u64, release: u32 },
    /// The device comes back online and reports.
    Online,
    /// Time to try opening the next rollout stage.
    Advance,
}

#[derive(Debug, Clone)]
struct Item {
    at: u64,
    order: u64,
    device: u32,
    what: What,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

/// Seconds covered by the bucket ring (about 12 days).
const RING: u64 = 1 << 20;

/// The event queue: items come out by time, then in the order they were pushed. Items within
/// [`RING`] seconds of now wait in one bucket per second (appending keeps push order); later
/// ones wait in a binary heap and move into the ring as time comes within reach, before any
/// item for the same second can be pushed directly, so the order holds.
struct Queue {
    ring: Vec<Vec<Item>>,
    in_ring: usize,
    base: u64,
    current: alloc::vec::IntoIter<Item>,
    far: BinaryHeap<Reverse<Item>>,
}

impl Queue {
    fn new() -> Queue {
        Queue {
            ring: (0..RING).map(|_| Vec::new()).collect(),
            in_ring: 0,
            base: 0,
            current: Vec::new().into_iter(),
            far: BinaryHeap::new(),
        }
    }

    fn slot(&mut self, at: u64) -> Option<&mut Vec<Item>> {
        self.ring.get_mut((at % RING) as usize)
    }

    fn push(&mut self, mut item: Item) {
        item.at = item.at.max(self.base);
        if item.at < self.base.saturating_add(RING) {
            if let Some(slot) = self.slot(item.at) {
                slot.push(item);
                self.in_ring += 1;
            }
        } else {
            self.far.push(Reverse(item));
        }
    }

    fn is_empty(&self) -> bool {
        self.current.len() == 0 && self.in_ring == 0 && self.far.is_empty()
    }

    fn pop(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(item);
            }
            let base = self.base;
            if let Some(slot) = self.slot(base)
                && !slot.is_empty()
            {
                let items = core::mem::take(slot);
                self.in_ring -= items.len();
                self.current = items.into_iter();
                continue;
            }
            if self.in_ring == 0 {
                // Nothing within reach: jump to the next far item.
                let Reverse(next) = self.far.peek()?;
                self.base = next.at;
            } else {
                self.base += 1;
            }
            let horizon = self.base.saturating_add(RING);
            while self.far.peek().is_some_and(|Reverse(i)| i.at < horizon) {
                if let Some(Reverse(item)) = self.far.pop() {
                    self.push(item);
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Converged,
    GaveUp(&'static str),
    Held(&'static str),
}

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
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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

/// The simulation's report.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Report {
    /// Devices simulated.
    pub devices: u64,
    /// Devices that reached the target.
    pub converged: u64,
    /// Devices given up, by reason code.
    pub given_up: BTreeMap<String, u64>,
    /// Devices held, by reason.
    pub held: BTreeMap<String, u64>,
    /// Devices still on their way at the horizon.
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
}

/// A running simulation.
pub struct Simulation {
    cfg: SimConfig,
    planner: IndexPlanner,
    sizes: Vec<u64>,
    rng: Rng,
    queue: Queue,
    order: u64,
    now: u64,
    states: Vec<DeviceState<u32>>,
    actual: Vec<u32>,
    seq: Vec<u32>,
    offline_until: Vec<u64>,
    wake: Vec<u64>,
    ran: Vec<u64>,
    status: Vec<Status>,
    settled: u64,
    parked: Vec<u32>,
    rollout_state: Option<RolloutState>,
    converged_at: Vec<u64>,
    hops: u64,
    attempts: u64,
    bytes_installed: u64,
    bytes_downloaded: u64,
    histogram: BTreeMap<u32, u64>,
    installs: Vec<u64>,
    events: EventCounts,
}

impl core::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Simulation")
            .field("devices", &self.cfg.devices)
            .field("now", &self.now)
            .finish()
    }
}

/// Writes `dev-<n>` into `buf` and returns it.
fn device_id(n: u32, buf: &mut [u8; 16]) -> &[u8] {
    let mut digits = [0u8; 10];
    let mut len = 0;
    let mut v = n;
    loop {
        if let Some(d) = digits.get_mut(len) {
            *d = b'0' + (v % 10) as u8;
        }
        len += 1;
        v /= 10;
        if v == 0 || len == digits.len() {
            break;
        }
    }
    let (head, tail) = buf.split_at_mut(4);
    head.copy_from_slice(b"dev-");
    for (slot, d) in tail.iter_mut().zip(digits.iter().take(len).rev()) {
        *slot = *d;
    }
    buf.get(..4 + len).unwrap_or(b"dev-")
}

impl Simulation {
    /// Sets up a fleet marching to `target` in `catalog`.
    pub fn new(
        catalog: &Catalog,
        target: &Version,
        cfg: SimConfig,
    ) -> Result<Simulation, SimError> {
        for (name, value) in [
            ("fail_rate", cfg.fail_rate_ppm),
            ("offline_rate", cfg.offline_rate_ppm),
            ("duplicate_rate", cfg.duplicate_rate_ppm),
            ("rollback_rate", cfg.rollback_rate_ppm),
        ] {
            if value > 1_000_000 {
                return Err(SimError::Rate { name, value });
            }
        }
        let table = CampaignTable::build(catalog, target, None, None, Cost::Hops)?;
        let planner = IndexPlanner::from_table(catalog, &table);
        let start = match &cfg.start {
            None if catalog.releases().is_empty() => return Err(SimError::EmptyCatalog),
            None => 0,
            Some(v) => catalog
                .index_of(v.key())
                .and_then(|i| u32::try_from(i).ok())
                .ok_or_else(|| SimError::UnknownStart(v.as_str().to_string()))?,
        };
        let n = cfg.devices as usize;
        let mut rng = Rng(cfg.seed);
        let rollout_state = cfg.rollout.as_ref().map(|r| r.start(0));
        let mut sim = Simulation {
            sizes: catalog
                .releases()
                .iter()
                .map(|r| r.size.unwrap_or(0))
                .collect(),
            planner,
            queue: Queue::new(),
            order: 0,
            now: 0,
            states: (0..n).map(|_| DeviceState::reporting(start, 1)).collect(),
            actual: alloc::vec![start; n],
            seq: alloc::vec![1; n],
            offline_until: alloc::vec![0; n],
            wake: alloc::vec![0; n],
            ran: alloc::vec![0; n],
            status: alloc::vec![Status::Pending; n],
            settled: 0,
            parked: Vec::new(),
            rollout_state,
            converged_at: Vec::with_capacity(n),
            hops: 0,
            attempts: 0,
            bytes_installed: 0,
            bytes_downloaded: 0,
            histogram: BTreeMap::new(),
            installs: alloc::vec![0; catalog.releases().len()],
            events: EventCounts::default(),
            rng: Rng(0),
            cfg,
        };
        for d in 0..sim.cfg.devices {
            if rng.chance(sim.cfg.offline_rate_ppm) {
                let back = rng.range(1, sim.cfg.shelf_secs.max(1));
                if let Some(o) = sim.offline_until.get_mut(d as usize) {
                    *o = back;
                }
                sim.push(back, d, What::Online);
            }
            // The scheduler sweeps the fleet over the first hour.
            let t = rng.range(0, 3600);
            sim.tick(d, t);
        }
        if let (Some(r), Some(s)) = (&sim.cfg.rollout, &sim.rollout_state)
            && let Some(t) = r.next_advance_at(s)
        {
            sim.push(t, 0, What::Advance);
        }
        sim.rng = rng;
        Ok(sim)
    }

    fn push(&mut self, at: u64, device: u32, what: What) {
        self.order += 1;
        self.queue.push(Item {
            at,
            order: self.order,
            device,
            what,
        });
    }

    fn tick(&mut self, d: u32, at: u64) {
        if let Some(w) = self.wake.get_mut(d as usize) {
            *w = at;
        }
        self.push(at, d, What::Tick);
    }

    /// A device message, delivered after a delay, sometimes twice.
    fn send(&mut self, d: u32, at: u64, event: Event<u32>) {
        let first = at + self.rng.range(1, 120);
        if self.rng.chance(self.cfg.duplicate_rate_ppm) {
            self.events.duplicates_injected += 1;
            let again = first + self.rng.range(0, 3600);
            self.push(again, d, What::Deliver(event.clone()));
        }
        self.push(first, d, What::Deliver(event));
    }

    fn next_seq(&mut self, d: u32) -> u64 {
        match self.seq.get_mut(d as usize) {
            Some(s) => {
                *s += 1;
                u64::from(*s)
            }
            None => 0,
        }
    }

    /// Processes up to `max` queue items. Returns whether anything is left to do.
    pub fn step(&mut self, max: u64) -> bool {
        for _ in 0..max {
            let Some(item) = self.queue.pop() else {
                return false;
            };
            if item.at > self.cfg.horizon_secs {
                self.queue = Queue::new();
                return false;
            }
            self.now = item.at;
            self.events.processed += 1;
            self.handle(item);
        }
        !self.queue.is_empty()
    }

    /// Runs to the end.
    pub fn run(&mut self) {
        while self.step(1 << 16) {}
    }

    /// How far it has come.
    pub fn progress(&self) -> Progress {
        Progress {
            settled: self.settled,
            devices: u64::from(self.cfg.devices),
            events: self.events.processed,
            now: self.now,
        }
    }

    fn handle(&mut self, item: Item) {
        let d = item.device;
        let i = d as usize;
        match item.what {
            What::Tick => {
                if self.wake.get(i) == Some(&item.at) {
                    self.drive(d);
                }
            }
            What::Deliver(event) => self.deliver(d, &event),
            What::Run { job, release } => self.run_job(d, job, release),
            What::Online => {
                let seq = self.next_seq(d);
                let reports = self.actual.get(i).copied().unwrap_or(0);
                self.send(
                    d,
                    self.now,
                    Event::Reported {
                        seq,
                        at: self.now,
                        reports,
                    },
                );
                // On connecting, the device is told about its pending job (AWS IoT notify-next).
                let pending = self
                    .states
                    .get(i)
                    .and_then(|s| s.job.as_ref())
                    .map(|j| (j.id, j.release, j.expires_at));
                if let Some((job, release, expires_at)) = pending {
                    // It runs the job (again, if a run of it hung before).
                    if let Some(r) = self.ran.get_mut(i) {
                        *r = (*r).min(job.saturating_sub(1));
                    }
                    let begin = self.now + self.rng.range(10, 600);
                    if begin < expires_at {
                        self.push(begin, d, What::Run { job, release });
                    }
                }
            }
            What::Advance => self.advance_rollout(),
        }
    }

    fn advance_rollout(&mut self) {
        let (Some(r), Some(s)) = (&self.cfg.rollout, &mut self.rollout_state) else {
            return;
        };
        if !r.advance(s, self.now) {
            return;
        }
        let next = r.next_advance_at(s);
        let parked = core::mem::take(&mut self.parked);
        for d in parked {
            let t = self.now + self.rng.range(0, 600);
            self.tick(d, t);
        }
        if let Some(t) = next {
            self.push(t.max(self.now), 0, What::Advance);
        }
    }

    fn deliver(&mut self, d: u32, event: &Event<u32>) {
        let i = d as usize;
        self.events.delivered += 1;
        let Some(state) = self.states.get_mut(i) else {
            return;
        };
        let in_flight = state.job.as_ref().map(|j| j.release);
        let applied = apply(state, event);
        match applied {
            Applied::Changed => self.events.changed += 1,
            Applied::Duplicate => self.events.duplicate += 1,
            Applied::Stale => self.events.stale += 1,
            Applied::NotInFlight => self.events.not_in_flight += 1,
        }
        if !applied.changed() {
            return;
        }
        let finished = state.job.is_none();
        let now_on = state.reported;
        let used = state.hop.as_ref().map_or(1, |h| h.counters.attempts);
        if let (Some(release), true) = (in_flight, finished) {
            match event {
                Event::JobFailed { .. } => self.record_outcome(d, true),
                Event::ReleaseYanked { .. } => {}
                _ if now_on == Some(release) => {
                    *self.histogram.entry(used).or_insert(0) += 1;
                    self.record_outcome(d, false);
                }
                _ => self.record_outcome(d, true),
            }
        }
        self.drive(d);
    }

    fn record_outcome(&mut self, d: u32, failed: bool) {
        let (Some(r), Some(s)) = (&self.cfg.rollout, &mut self.rollout_state) else {
            return;
        };
        let mut buf = [0u8; 16];
        let stage = r.stage_of(r.position(device_id(d, &mut buf)));
        r.record(s, stage, failed, self.now);
    }

    fn set_status(&mut self, d: u32, status: Status) {
        let Some(slot) = self.status.get_mut(d as usize) else {
            return;
        };
        let was_settled = *slot != Status::Pending;
        let is_settled = status != Status::Pending;
        if status == Status::Converged && *slot != Status::Converged {
            self.converged_at.push(self.now);
        }
        *slot = status;
        match (was_settled, is_settled) {
            (false, true) => self.settled += 1,
            (true, false) => self.settled -= 1,
            _ => {}
        }
    }

    /// Asks `decide` and acts, until the answer is not "expire".
    fn drive(&mut self, d: u32) {
        let i = d as usize;
        let mut buf = [0u8; 16];
        let id = device_id(d, &mut buf);
        loop {
            self.events.decisions += 1;
            let action = {
                let Some(state) = self.states.get(i) else {
                    return;
                };
                let ctx = Context {
                    planner: &self.planner,
                    policy: &self.cfg.policy,
                    rollout: match (&self.cfg.rollout, &self.rollout_state) {
                        (Some(rollout), Some(state)) => Some(RolloutView { rollout, state }),
                        _ => None,
                    },
                    timing: Timing::default(),
                    job_ttl_secs: self.cfg.job_ttl_secs,
                };
                decide(id, state, &ctx, self.now)
            };
            match action {
                Action::Install {
                    release,
                    job,
                    expires_at,
                    ..
                } => {
                    let created = Event::JobCreated {
                        job,
                        release,
                        at: self.now,
                        expires_at,
                    };
                    if let Some(state) = self.states.get_mut(i) {
                        apply(state, &created);
                    }
                    self.attempts += 1;
                    self.bytes_downloaded += self.sizes.get(release as usize).copied().unwrap_or(0);
                    self.set_status(d, Status::Pending);
                    self.start_job(d, job, release, expires_at);
                    // The reconciler waits for the job (or its expiry).
                    self.tick(d, expires_at);
                    return;
                }
                Action::Wait { until, .. } => {
                    self.set_status(d, Status::Pending);
                    self.tick(d, until);
                    return;
                }
                Action::Expire { job } => {
                    if let Some(state) = self.states.get_mut(i) {
                        apply(state, &Event::JobExpired { job, at: self.now });
                    }
                    self.record_outcome(d, true);
                }
                Action::Done => {
                    self.set_status(d, Status::Converged);
                    return;
                }
                Action::Hold { reason } => {
                    match reason {
                        HoldReason::NotInRollout {
                            recheck_at: Some(t),
                        } => self.tick(d, t.max(self.now)),
                        HoldReason::NotInRollout { recheck_at: None }
                        | HoldReason::RolloutHalted => self.parked.push(d),
                        _ => {}
                    }
                    self.set_status(d, Status::Held(reason.name()));
                    return;
                }
                Action::GiveUp { reason } => {
                    self.set_status(d, Status::GaveUp(reason.code()));
                    return;
                }
            }
        }
    }

    /// The world's side of a new job: when (and whether) the device runs it.
    fn start_job(&mut self, d: u32, job: u64, release: u32, expires_at: u64) {
        let i = d as usize;
        let mut offline = self.offline_until.get(i).copied().unwrap_or(0);
        if self.rng.chance(self.cfg.offline_rate_ppm) {
            offline = offline.max(self.now + self.rng.range(3600, 14 * DAY));
            if let Some(o) = self.offline_until.get_mut(i) {
                *o = offline;
            }
            self.push(offline, d, What::Online);
        }
        let begin = self.now.max(offline) + self.rng.range(10, 600);
        if begin < expires_at {
            self.push(begin, d, What::Run { job, release });
        }
    }

    fn run_job(&mut self, d: u32, job: u64, release: u32) {
        let i = d as usize;
        match self.ran.get_mut(i) {
            Some(r) if *r < job => *r = job,
            _ => return, // this job already ran (or a newer one did)
        }
        if self.offline_until.get(i).is_some_and(|o| *o > self.now) {
            return; // offline: it runs when the device is back
        }
        let took = self.rng.range(300, 3600);
        let at = self.now + took;
        let before = self.actual.get(i).copied().unwrap_or(0);
        if self.rng.chance(self.cfg.fail_rate_ppm) {
            let roll = self.rng.range(0, 99);
            let kind = match roll {
                0..=39 => FailureKind::Failed,
                40..=74 => FailureKind::DownloadError,
                75..=89 => FailureKind::Rejected,
                _ => {
                    // Silent: the job will expire; the device reconnects some time later.
                    let back = at + self.rng.range(3600, 2 * DAY);
                    self.push(back, d, What::Online);
                    return;
                }
            };
            let seq = self.next_seq(d);
            self.send(
                d,
                at,
                Event::JobFailed {
                    job,
                    seq,
                    at,
                    kind,
                    reports: Some(before),
                },
            );
            return;
        }
        let now_runs = if self.rng.chance(self.cfg.rollback_rate_ppm) {
            before
        } else {
            release
        };
        if now_runs == release && before != release {
            // Counted as the world sees it: a result that reaches the reconciler only after the
            // job expired is still an install.
            self.hops += 1;
            if let Some(n) = self.installs.get_mut(release as usize) {
                *n += 1;
            }
            self.bytes_installed += self.sizes.get(release as usize).copied().unwrap_or(0);
        }
        if let Some(a) = self.actual.get_mut(i) {
            *a = now_runs;
        }
        let seq = self.next_seq(d);
        self.send(
            d,
            at,
            Event::JobSucceeded {
                job,
                seq,
                at,
                reports: now_runs,
            },
        );
        let seq = self.next_seq(d);
        let rebooted = at + self.rng.range(60, 600);
        self.send(
            d,
            rebooted,
            Event::Reported {
                seq,
                at: rebooted,
                reports: now_runs,
            },
        );
    }

    /// The report so far.
    pub fn report(&self) -> Report {
        let mut given_up = BTreeMap::new();
        let mut held = BTreeMap::new();
        let (mut converged, mut pending) = (0, 0);
        for s in &self.status {
            match s {
                Status::Pending => pending += 1,
                Status::Converged => converged += 1,
                Status::GaveUp(code) => *given_up.entry(code.to_string()).or_insert(0) += 1,
                Status::Held(why) => *held.entry(why.to_string()).or_insert(0) += 1,
            }
        }
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
                .map(|(i, n)| (self.planner.spelling(&(i as u32)).to_string(), *n))
                .collect(),
            events: self.events.clone(),
            rollout,
            converge_days,
            simulated_days: days(self.now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollout::{HaltRule, Schedule, Stage};

    const FIGURE_1: &str = r#"{"scheme": "integer", "releases": [
        {"version": "v64000", "size": 1000},
        {"version": "v65000", "min_sw_version": "v64000", "size": 2000},
        {"version": "v66000", "min_sw_version": "v65000", "size": 3000},
        {"version": "v66001", "min_sw_version": "v66000", "size": 100},
        {"version": "v66002", "min_sw_version": "v66000", "size": 200},
        {"version": "v66003", "min_sw_version": "v66000", "size": 300},
        {"version": "v67000", "min_sw_version": "v66003", "size": 4000}
    ]}"#;

    fn sim(cfg: SimConfig) -> Report {
        let c = Catalog::from_json(FIGURE_1).unwrap();
        let t = c.parse_version("v67000").unwrap();
        let mut s = Simulation::new(&c, &t, cfg).unwrap();
        s.run();
        s.report()
    }

    #[test]
    fn device_ids() {
        let mut b = [0u8; 16];
        assert_eq!(device_id(0, &mut b), b"dev-0");
        assert_eq!(device_id(1234567, &mut b), b"dev-1234567");
        assert_eq!(device_id(u32::MAX, &mut b), b"dev-4294967295");
    }

    #[test]
    fn perfect_world_converges_in_four_hops() {
        let r = sim(SimConfig {
            devices: 500,
            ..SimConfig::default()
        });
        assert_eq!(r.converged, 500);
        assert_eq!(r.hops, 2000);
        assert_eq!(r.attempts, 2000);
        assert_eq!(r.bytes_installed, 500 * (2000 + 3000 + 300 + 4000));
        assert_eq!(r.attempts_histogram, BTreeMap::from([(1, 2000)]));
    }

    #[test]
    fn same_seed_same_report_and_faults_are_absorbed() {
        let cfg = SimConfig {
            devices: 2000,
            fail_rate_ppm: 50_000,
            offline_rate_ppm: 100_000,
            duplicate_rate_ppm: 20_000,
            seed: 7,
            ..SimConfig::default()
        };
        let a = sim(cfg.clone());
        assert_eq!(a, sim(cfg));
        assert_eq!(
            a.converged
                + a.given_up.values().sum::<u64>()
                + a.held.values().sum::<u64>()
                + a.pending,
            2000
        );
        assert!(a.converged >= 1990, "{a:?}");
        assert!(a.events.duplicate + a.events.not_in_flight + a.events.stale > 0);
        assert!(a.attempts_histogram.keys().all(|k| *k <= 5));
    }

    #[test]
    fn a_bad_release_halts_the_rollout() {
        let rollout = Rollout {
            salt: "c".into(),
            schedule: Schedule::Stages(alloc::vec![
                Stage {
                    fraction_ppm: 50_000,
                    min_soak_secs: 2 * DAY
                },
                Stage {
                    fraction_ppm: 1_000_000,
                    min_soak_secs: 0
                },
            ]),
            halt: HaltRule {
                max_failure_rate_ppm: Some(100_000),
                min_finished: 50,
                ..HaltRule::default()
            },
        };
        let r = sim(SimConfig {
            devices: 2000,
            fail_rate_ppm: 400_000,
            rollout: Some(rollout),
            ..SimConfig::default()
        });
        let ro = r.rollout.unwrap();
        assert!(ro.halted);
        assert_eq!(ro.final_stage, 0);
        assert!(
            r.held.get("rollout_halted").copied().unwrap_or(0) > 1500,
            "{:?}",
            r.held
        );
    }
}
