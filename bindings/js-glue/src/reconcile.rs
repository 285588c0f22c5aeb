//! The reconciler: `apply(state, event)` and `decide(state, now)` for one campaign.
//!
//! Device states, events and actions cross as JSON in the core's wire form (what a scheduler
//! stores), versions as the catalog spells them.

use std::sync::Arc;

use serde_json::Value;
use stepstone::campaign::CampaignTable;
use stepstone::reconcile::window::Window;
use stepstone::reconcile::{
    Context, DEFAULT_JOB_TTL_SECS, DeviceState, Event, RolloutView, Timing, apply, decide,
};
use stepstone::rollout::{self, RolloutState};
use stepstone::version::{Scheme, Version};

use crate::{Campaign, Fault, Res, to_json, u64_arg};

fn invalid(what: &str, e: impl core::fmt::Display) -> Fault {
    Fault {
        code: "reconcile.invalid_json",
        message: format!("invalid {what}: {e}"),
    }
}

/// A reconciler's settings, as JSON: every field optional.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Options {
    /// A retry policy (the fields that differ from the default).
    policy: Option<Value>,
    /// A staged rollout.
    rollout: Option<Value>,
    /// When the rollout started.
    rollout_started_at: u64,
    /// No install before this time.
    start: Option<u64>,
    /// No install from this time on.
    end: Option<u64>,
    /// Weekly maintenance windows.
    windows: Vec<Window>,
    /// The device's UTC offset, seconds.
    utc_offset_secs: i32,
    /// Lifetime of a job document, seconds.
    job_ttl_secs: Option<u64>,
}

/// The scheduler's brain for one campaign: its table, a retry policy, an optional staged
/// rollout and where it stands, campaign times and weekly windows.
#[derive(Debug, Clone)]
pub struct Reconciler {
    table: Arc<CampaignTable>,
    scheme: Scheme,
    policy: stepstone::retry::RetryPolicy,
    rollout: Option<rollout::Rollout>,
    rollout_state: Option<RolloutState>,
    start: Option<u64>,
    end: Option<u64>,
    windows: Vec<Window>,
    utc_offset_secs: i32,
    job_ttl_secs: u64,
}

impl Reconciler {
    /// A reconciler for `campaign` with options as JSON (`{policy, rollout,
    /// rollout_started_at, start, end, windows, utc_offset_secs, job_ttl_secs}`, each optional).
    pub fn new(campaign: &Campaign, options: &str) -> Res<Reconciler> {
        let o: Options = serde_json::from_str(options).map_err(|e| invalid("options", e))?;
        let policy = match &o.policy {
            Some(p) => stepstone::retry::RetryPolicy::from_json(&p.to_string())?,
            None => stepstone::retry::RetryPolicy::default(),
        };
        let rollout = match &o.rollout {
            Some(r) => Some(rollout::Rollout::from_json(&r.to_string())?),
            None => None,
        };
        for w in &o.windows {
            w.validate()?;
        }
        Ok(Reconciler {
            table: campaign.table.clone(),
            scheme: campaign.scheme,
            policy,
            rollout_state: rollout.as_ref().map(|r| r.start(o.rollout_started_at)),
            rollout,
            start: o.start,
            end: o.end,
            windows: o.windows,
            utc_offset_secs: o.utc_offset_secs,
            job_ttl_secs: o.job_ttl_secs.unwrap_or(DEFAULT_JOB_TTL_SECS),
        })
    }

    fn state_in(&self, state: Option<&str>) -> Res<DeviceState<Version>> {
        let wire: DeviceState<String> = match state {
            Some(text) => serde_json::from_str(text).map_err(|e| invalid("device state", e))?,
            None => DeviceState::default(),
        };
        Ok(wire.try_map(|t| Version::parse(&t, self.scheme))?)
    }

    /// Applies `event` (JSON) to `state` (JSON; `None`: a new device), as JSON
    /// `{"state": new state, "outcome": "changed" | "duplicate" | "stale" | "not_in_flight"}`.
    pub fn apply(&self, state: Option<&str>, event: &str) -> Res<String> {
        let mut s = self.state_in(state)?;
        let wire: Event<String> = serde_json::from_str(event).map_err(|e| invalid("event", e))?;
        let e = wire.try_map(|t| Version::parse(&t, self.scheme))?;
        let applied = apply(&mut s, &e);
        // Through the same serializer as `state` (one copy of its code in WASM); the outcome's
        // name is a bare snake_case word.
        Ok(format!(
            r#"{{"state":{},"outcome":"{}"}}"#,
            to_json(&state_out(s)),
            applied.name()
        ))
    }

    /// `state` in the core's full wire form (absent fields filled in), as JSON.
    pub fn state(&self, state: Option<&str>) -> Res<String> {
        Ok(to_json(&state_out(self.state_in(state)?)))
    }

    /// What to do with device `device_id` in `state` at `now` (decimal), as the action's JSON.
    pub fn decide(&self, device_id: &[u8], state: Option<&str>, now: &str) -> Res<String> {
        let s = self.state_in(state)?;
        let now = u64_arg("now", now)?;
        let ctx = Context {
            rollout: match (&self.rollout, &self.rollout_state) {
                (Some(rollout), Some(state)) => Some(RolloutView { rollout, state }),
                _ => None,
            },
            timing: Timing {
                start: self.start,
                end: self.end,
                windows: &self.windows,
                utc_offset_secs: self.utc_offset_secs,
            },
            job_ttl_secs: self.job_ttl_secs,
            ..Context::new(&*self.table, &self.policy)
        };
        Ok(to_json(&decide(device_id, &s, &ctx, now)))
    }

    /// Opens the rollout's next stage if it may open at `now`; whether it did.
    pub fn rollout_advance(&mut self, now: &str) -> Res<bool> {
        let now = u64_arg("now", now)?;
        Ok(match (&self.rollout, &mut self.rollout_state) {
            (Some(r), Some(s)) => r.advance(s, now),
            _ => false,
        })
    }

    /// Halts the rollout by hand (`rollout.already_halted` if it is).
    pub fn rollout_halt(&mut self, now: &str, note: Option<&str>) -> Res<()> {
        let now = u64_arg("now", now)?;
        match (&self.rollout, &mut self.rollout_state) {
            (Some(r), Some(s)) => Ok(r.halt(s, note.unwrap_or_default().to_string(), now)?),
            _ => Ok(()),
        }
    }

    /// Resumes a halted rollout (`rollout.not_halted` if it is not).
    pub fn rollout_resume(&mut self, now: &str) -> Res<()> {
        let now = u64_arg("now", now)?;
        match (&self.rollout, &mut self.rollout_state) {
            (Some(r), Some(s)) => Ok(r.resume(s, now)?),
            _ => Ok(()),
        }
    }

    /// Where the rollout stands, as JSON (`None` without a rollout).
    pub fn rollout_state(&self) -> Option<String> {
        self.rollout_state.as_ref().map(to_json)
    }
}

fn state_out(state: DeviceState<Version>) -> DeviceState<String> {
    match state.try_map(|v| Ok::<_, core::convert::Infallible>(v.as_str().to_string())) {
        Ok(w) => w,
        Err(never) => match never {},
    }
}
