//! The simulation: the fleet's state, the clock and the queue, and the loop that runs them.

use std::collections::BTreeMap;

use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::Cost;
use stepstone::reconcile::{DeviceState, Event, IndexPlanner};
use stepstone::rollout::RolloutState;
use stepstone::version::Version;

use crate::config::{SimConfig, SimError};
use crate::queue::{Item, Queue, What};
use crate::report::{EventCounts, Progress};
use crate::rng::Rng;

/// Where a device stands with the reconciler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Pending,
    Converged,
    GaveUp(&'static str),
    Held(&'static str),
}

/// A running simulation.
pub struct Simulation {
    pub(crate) cfg: SimConfig,
    pub(crate) planner: IndexPlanner,
    /// Release sizes, by release index.
    pub(crate) sizes: Vec<u64>,
    /// The target's release index: a device running it is not stuck, even while its success
    /// report is still on the way (status `Pending`).
    pub(crate) target: Option<u32>,
    pub(crate) rng: Rng,
    queue: Queue,
    order: u64,
    pub(crate) now: u64,
    /// The reconciler's view of each device.
    pub(crate) states: Vec<DeviceState<u32>>,
    /// The release each device runs (the world's truth).
    pub(crate) actual: Vec<u32>,
    pub(crate) seq: Vec<u32>,
    pub(crate) offline_until: Vec<u64>,
    pub(crate) wake: Vec<u64>,
    /// The newest job each device ran.
    pub(crate) ran: Vec<u64>,
    pub(crate) status: Vec<Status>,
    pub(crate) settled: u64,
    /// Devices held until the rollout advances.
    pub(crate) parked: Vec<u32>,
    pub(crate) rollout_state: Option<RolloutState>,
    pub(crate) converged_at: Vec<u64>,
    pub(crate) hops: u64,
    pub(crate) attempts: u64,
    pub(crate) bytes_installed: u64,
    pub(crate) bytes_downloaded: u64,
    pub(crate) histogram: BTreeMap<u32, u64>,
    /// Installs per release index.
    pub(crate) installs: Vec<u64>,
    pub(crate) events: EventCounts,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("devices", &self.cfg.devices)
            .field("now", &self.now)
            .finish()
    }
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
        // The table checks the devices' model and environment first (`plan.model_required`, ...).
        let (model, environment) = (cfg.model.as_deref(), cfg.environment.as_deref());
        let table = CampaignTable::build(catalog, target, model, environment, Cost::Hops)?;
        let planner = IndexPlanner::from_table(catalog, &table);
        let start = match &cfg.start {
            None if catalog.releases().is_empty() => return Err(SimError::EmptyCatalog),
            // The lowest release the devices can run (the target is one, so there is one).
            None => catalog
                .releases()
                .iter()
                .position(|r| r.fits_model(model) && r.fits_environment(environment))
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or(0),
            Some(v) => catalog
                .index_of(v.key())
                .and_then(|i| u32::try_from(i).ok())
                .ok_or_else(|| SimError::UnknownStart(v.as_str().to_string()))?,
        };
        let n = cfg.devices as usize;
        let mut rng = Rng(cfg.seed);
        let rollout_state = cfg.rollout.as_ref().map(|r| r.start(0));
        let mut sim = Simulation {
            target: catalog
                .index_of(target.key())
                .and_then(|i| u32::try_from(i).ok()),
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
            actual: vec![start; n],
            seq: vec![1; n],
            offline_until: vec![0; n],
            wake: vec![0; n],
            ran: vec![0; n],
            status: vec![Status::Pending; n],
            settled: 0,
            parked: Vec::new(),
            rollout_state,
            converged_at: Vec::with_capacity(n),
            hops: 0,
            attempts: 0,
            bytes_installed: 0,
            bytes_downloaded: 0,
            histogram: BTreeMap::new(),
            installs: vec![0; catalog.releases().len()],
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

    pub(crate) fn push(&mut self, at: u64, device: u32, what: What) {
        self.order += 1;
        self.queue.push(Item {
            at,
            order: self.order,
            device,
            what,
        });
    }

    pub(crate) fn tick(&mut self, d: u32, at: u64) {
        if let Some(w) = self.wake.get_mut(d as usize) {
            *w = at;
        }
        self.push(at, d, What::Tick);
    }

    /// A device message, delivered after a delay, sometimes twice.
    pub(crate) fn send(&mut self, d: u32, at: u64, event: Event<u32>) {
        let first = at + self.rng.range(1, 120);
        if self.rng.chance(self.cfg.duplicate_rate_ppm) {
            self.events.duplicates_injected += 1;
            let again = first + self.rng.range(0, 3600);
            self.push(again, d, What::Deliver(event.clone()));
        }
        self.push(first, d, What::Deliver(event));
    }

    pub(crate) fn next_seq(&mut self, d: u32) -> u64 {
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
        match item.what {
            What::Tick => {
                if self.wake.get(d as usize) == Some(&item.at) {
                    self.drive(d);
                }
            }
            What::Deliver(event) => self.deliver(d, &event),
            What::Run { job, release } => self.run_job(d, job, release),
            What::Online => self.online(d),
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
        let parked = std::mem::take(&mut self.parked);
        for d in parked {
            let t = self.now + self.rng.range(0, 600);
            self.tick(d, t);
        }
        if let Some(t) = next {
            self.push(t.max(self.now), 0, What::Advance);
        }
    }
}
