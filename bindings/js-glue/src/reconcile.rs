//! The reconciler: the core's [`Session`] (`apply(state, event)`, `decide(state, now)`, the
//! rollout calls) for one campaign, on the core's JSON wire forms. Only argument conversion
//! happens here: times arrive as decimal text.

use std::sync::Arc;

use stepstone::campaign::CampaignTable;
use stepstone::reconcile::Session;

use crate::{Campaign, Fault, Res, u64_arg};

/// The scheduler's brain for one campaign: its table, a retry policy, an optional staged
/// rollout and where it stands, campaign times and weekly windows.
#[derive(Debug, Clone)]
pub struct Reconciler {
    session: Session,
}

impl Reconciler {
    /// A reconciler for `campaign` with options as JSON (`{policy, rollout,
    /// rollout_started_at, rollout_state, start, end, windows, utc_offset_secs, job_ttl_secs}`,
    /// each optional; the core's `SessionOptions`).
    pub fn new(campaign: &Campaign, options: &str) -> Res<Reconciler> {
        Ok(Reconciler {
            session: Session::from_json(campaign.table.clone(), campaign.scheme, options)
                .map_err(Fault::of)?,
        })
    }

    /// A reconciler for a campaign table in its wire form (`CampaignTable::to_table_json`),
    /// with options as in [`Reconciler::new`].
    pub fn from_table(table: &str, options: &str) -> Res<Reconciler> {
        let table = CampaignTable::from_table_json(table).map_err(Fault::of)?;
        let scheme = table.target().scheme();
        Ok(Reconciler {
            session: Session::from_json(Arc::new(table), scheme, options).map_err(Fault::of)?,
        })
    }

    /// Applies `event` (JSON) to `state` (JSON; `None`: a new device), as JSON
    /// `{"state": new state, "outcome": "changed" | "duplicate" | "stale" | "not_in_flight"}`.
    pub fn apply(&self, state: Option<&str>, event: &str) -> Res<String> {
        self.session.apply_json(state, event).map_err(Fault::of)
    }

    /// `state` in the core's full wire form (absent fields filled in), as JSON.
    pub fn state(&self, state: Option<&str>) -> Res<String> {
        self.session.state_json(state).map_err(Fault::of)
    }

    /// What to do with device `device_id` in `state` at `now` (decimal), as the action's JSON.
    pub fn decide(&self, device_id: &[u8], state: Option<&str>, now: &str) -> Res<String> {
        self.session
            .decide_json(device_id, state, u64_arg("now", now)?)
            .map_err(Fault::of)
    }

    /// Opens the rollout's next stage if it may open at `now`; whether it did
    /// (`reconcile.no_rollout` without a rollout).
    pub fn rollout_advance(&mut self, now: &str) -> Res<bool> {
        self.session
            .rollout_advance(u64_arg("now", now)?)
            .map_err(Fault::of)
    }

    /// Halts the rollout by hand (`rollout.already_halted` if it is).
    pub fn rollout_halt(&mut self, now: &str, note: Option<&str>) -> Res<()> {
        self.session
            .rollout_halt(u64_arg("now", now)?, note.unwrap_or_default())
            .map_err(Fault::of)
    }

    /// Resumes a halted rollout (`rollout.not_halted` if it is not).
    pub fn rollout_resume(&mut self, now: &str) -> Res<()> {
        self.session
            .rollout_resume(u64_arg("now", now)?)
            .map_err(Fault::of)
    }

    /// Counts one finished attempt of a device of `stage` (`failed` or not) at `now` and halts
    /// the rollout if a rule trips: the halt's code, if this outcome caused one.
    pub fn rollout_record(
        &mut self,
        stage: u32,
        failed: bool,
        now: &str,
    ) -> Res<Option<&'static str>> {
        self.session
            .rollout_record(stage, failed, u64_arg("now", now)?)
            .map_err(Fault::of)
    }

    /// Where the rollout stands, as JSON (`None` without a rollout).
    pub fn rollout_state(&self) -> Option<String> {
        self.session.rollout_state_json()
    }
}
