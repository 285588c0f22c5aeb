//! The reconciler's side: every delivered message goes through the real
//! [`stepstone::reconcile::apply`], every question through [`stepstone::reconcile::decide`].

use stepstone::reconcile::{
    Action, Applied, Context, Event, HoldReason, RolloutView, Timing, apply, decide,
};

use crate::device::device_id;
use crate::sim::{Simulation, Status};

impl Simulation {
    pub(crate) fn deliver(&mut self, d: u32, event: &Event<u32>) {
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
    pub(crate) fn drive(&mut self, d: u32) {
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
}
