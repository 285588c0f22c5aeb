//! Property tests of the reconciler over random event sequences, duplicates and reordering
//! included:
//! * no device ever gets more attempts on a hop than the policy allows;
//! * no event is lost: once the script ends and the world settles, every device is converged,
//!   given up with a reason, or held;
//! * applying an event a second time changes nothing (and says so);
//! * `decide` never installs a release the planner would not.

use proptest::prelude::*;
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::{Cost, Query, next_hop};
use stepstone::reconcile::{
    Action, Applied, Context, DeviceState, Event, OperatorAction, apply, decide,
};
use stepstone::retry::{FailureKind, GiveUp, RetryPolicy};
use stepstone::version::Version;

const CATALOG: &str = include_str!("../../examples/catalog.json");

#[derive(Debug, Clone)]
enum Op {
    /// Advance time and ask `decide`; act on its answer.
    Decide(u64),
    /// The device answers job number `pick` (among those created) with outcome `kind`.
    Answer { pick: usize, kind: u8 },
    /// The device reports a version (index into the catalog, or past it: the current one).
    Report(usize),
    /// Deliver message `pick` of the outbox (out of order).
    Deliver(usize),
    /// Deliver an already delivered message again.
    Again(usize),
    /// An operator asks for a retry or clears rollbacks.
    Operator(bool),
    /// The target changes (a new campaign id; same target here).
    NewCampaign,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u64..20_000).prop_map(Op::Decide),
        3 => (0usize..8, 0u8..7).prop_map(|(pick, kind)| Op::Answer { pick, kind }),
        1 => (0usize..10).prop_map(Op::Report),
        3 => (0usize..8).prop_map(Op::Deliver),
        2 => (0usize..16).prop_map(Op::Again),
        1 => any::<bool>().prop_map(Op::Operator),
        1 => Just(Op::NewCampaign),
    ]
}

struct World<'a> {
    catalog: &'a Catalog,
    target: Version,
    policy: RetryPolicy,
    table: CampaignTable,
    state: DeviceState<Version>,
    now: u64,
    device_seq: u64,
    jobs: Vec<(u64, Version)>,
    outbox: Vec<Event<Version>>,
    delivered: Vec<Event<Version>>,
    campaign: u64,
    operator: u64,
    hop: Option<(Version, u32)>,
}

impl World<'_> {
    fn apply(&mut self, e: &Event<Version>) -> Applied {
        let before = self.state.clone();
        let first = apply(&mut self.state, e);
        if !first.changed() {
            assert_eq!(
                self.state, before,
                "an ignored event changed the state: {e:?}"
            );
        }
        // A duplicate right after changes nothing and says so.
        let after = self.state.clone();
        let second = apply(&mut self.state, e);
        assert!(
            !second.changed(),
            "applying {e:?} twice changed the state twice"
        );
        assert_eq!(self.state, after);
        first
    }

    fn decide(&mut self) -> Action<Version> {
        let ctx = Context::new(&self.table, &self.policy);
        let action = decide(b"device-7", &self.state, &ctx, self.now);
        if let Action::Install {
            release,
            job,
            expires_at,
            attempt,
            ..
        } = &action
        {
            // The planner would install the same release.
            let from = self
                .state
                .reported
                .clone()
                .expect("installs need a reported version");
            let q = Query::new(from, self.target.clone()).model("AG-1");
            assert_eq!(next_hop(self.catalog, &q).unwrap().as_ref(), Some(release));
            // Attempts per hop, counted independently of the state.
            let count = match &mut self.hop {
                Some((r, n)) if r == release => {
                    *n += 1;
                    *n
                }
                _ => {
                    self.hop = Some((release.clone(), 1));
                    1
                }
            };
            assert!(
                count <= self.policy.attempts_per_hop,
                "attempt {count} on {release}"
            );
            // The state may count more (a job in flight across a counter reset counts again).
            assert!(count <= *attempt && *attempt <= self.policy.attempts_per_hop);
            let created = Event::JobCreated {
                job: *job,
                release: release.clone(),
                at: self.now,
                expires_at: *expires_at,
            };
            assert_eq!(self.apply(&created), Applied::Changed);
            self.jobs.push((*job, release.clone()));
        }
        if let Action::Expire { job } = action {
            assert_eq!(
                self.apply(&Event::JobExpired { job, at: self.now }),
                Applied::Changed
            );
        }
        action
    }

    fn answer(&mut self, job: u64, release: &Version, kind: u8) -> Event<Version> {
        self.device_seq += 1;
        let seq = self.device_seq;
        let at = self.now;
        let current = self.state.reported.clone();
        let fail = |k| Event::JobFailed {
            job,
            seq,
            at,
            kind: k,
            reports: current.clone(),
        };
        match kind {
            0..=2 => Event::JobSucceeded {
                job,
                seq,
                at,
                reports: release.clone(),
            },
            3 => fail(FailureKind::Failed),
            4 => fail(FailureKind::DownloadError),
            5 => fail(FailureKind::Rejected),
            _ => fail(FailureKind::TimedOut),
        }
    }

    fn step(&mut self, op: &Op) {
        match op {
            Op::Decide(dt) => {
                self.now += dt;
                self.decide();
            }
            Op::Answer { pick, kind } => {
                if let Some((job, release)) = self.jobs.get(*pick % self.jobs.len().max(1)).cloned()
                {
                    let e = self.answer(job, &release, *kind);
                    self.outbox.push(e);
                }
            }
            Op::Report(i) => {
                let v = match self.catalog.releases().get(*i) {
                    Some(r) => r.version.clone(),
                    None => match self.state.reported.clone() {
                        Some(v) => v,
                        None => return,
                    },
                };
                self.device_seq += 1;
                self.outbox.push(Event::Reported {
                    seq: self.device_seq,
                    at: self.now,
                    reports: v,
                });
            }
            Op::Deliver(i) => {
                if !self.outbox.is_empty() {
                    let e = self.outbox.remove(*i % self.outbox.len());
                    self.apply(&e);
                    self.delivered.push(e);
                }
            }
            Op::Again(i) => {
                if let Some(e) = self
                    .delivered
                    .get(*i % self.delivered.len().max(1))
                    .cloned()
                {
                    self.apply(&e);
                }
            }
            Op::Operator(retry) => {
                self.operator += 1;
                let action = if *retry {
                    OperatorAction::Retry
                } else {
                    OperatorAction::ClearRolledBack { release: None }
                };
                if *retry {
                    self.hop = None;
                }
                let e = Event::Operator {
                    seq: self.operator,
                    action,
                };
                assert_eq!(self.apply(&e), Applied::Changed);
                self.delivered.push(e);
            }
            Op::NewCampaign => {
                self.campaign += 1;
                self.hop = None;
                let e = Event::TargetChanged {
                    campaign: self.campaign,
                    at: self.now,
                };
                assert_eq!(self.apply(&e), Applied::Changed);
                self.delivered.push(e);
            }
        }
    }

    /// Delivers what is left, then lets a world that answers every job (failing by `kinds`)
    /// run until `decide` settles.
    fn settle(&mut self, kinds: &[u8]) -> Action<Version> {
        while let Some(e) = self.outbox.pop() {
            self.apply(&e);
        }
        let mut k = 0;
        for _ in 0..200 {
            match self.decide() {
                Action::Install { job, release, .. } => {
                    let kind = kinds.get(k).copied().unwrap_or(0);
                    k += 1;
                    if kind == 6 {
                        continue; // silent: it will expire
                    }
                    let e = self.answer(job, &release, kind);
                    self.apply(&e);
                }
                Action::Wait { until, .. } => self.now = until.max(self.now),
                Action::Expire { .. } => {}
                Action::Hold { reason } => {
                    // A device that missed its job connects again once.
                    if reason.name() == "unresponsive" {
                        self.device_seq += 1;
                        let v = self.state.reported.clone().unwrap();
                        let e = Event::Reported {
                            seq: self.device_seq,
                            at: self.now,
                            reports: v,
                        };
                        self.apply(&e);
                        if matches!(self.decide_peek(), Action::Hold { .. }) {
                            return self.decide_peek();
                        }
                        continue;
                    }
                    return Action::Hold { reason };
                }
                settled @ (Action::Done | Action::GiveUp { .. }) => return settled,
            }
        }
        panic!("did not settle: {:?}", self.state);
    }

    fn decide_peek(&self) -> Action<Version> {
        decide(
            b"device-7",
            &self.state,
            &Context::new(&self.table, &self.policy),
            self.now,
        )
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_event_sequences(
        start in 0usize..7,
        ops in proptest::collection::vec(op(), 0..80),
        kinds in proptest::collection::vec(0u8..7, 0..40),
        attempts in 1u32..6,
        total in proptest::option::of(3u32..30),
    ) {
        let catalog = Catalog::from_json(CATALOG).unwrap();
        let target = catalog.parse_version("v67000").unwrap();
        // Figure 1's v64000 is for AG-1 alone: an AG-1 device may install every release.
        let table = CampaignTable::build(&catalog, &target, Some("AG-1"), None, Cost::Hops).unwrap();
        let policy = RetryPolicy {
            attempts_per_hop: attempts,
            give_up: GiveUp { max_total_attempts: total, max_elapsed_secs: None },
            ..RetryPolicy::default()
        };
        let from = catalog.releases()[start].version.clone();
        let mut w = World {
            catalog: &catalog,
            target,
            policy,
            table,
            state: DeviceState::reporting(from, 1),
            now: 0,
            device_seq: 1,
            jobs: Vec::new(),
            outbox: Vec::new(),
            delivered: Vec::new(),
            campaign: 0,
            operator: 0,
            hop: None,
        };
        for op in &ops {
            w.step(op);
        }
        match w.settle(&kinds) {
            Action::Done => prop_assert_eq!(w.state.reported.as_ref(), Some(&w.target)),
            Action::GiveUp { reason } => prop_assert!(reason.code().starts_with("retry.") || reason.code().starts_with("plan.")),
            Action::Hold { reason } => prop_assert!(["rolled_back", "unresponsive"].contains(&reason.name()), "{:?}", reason),
            other => prop_assert!(false, "unsettled: {:?}", other),
        }
    }
}
