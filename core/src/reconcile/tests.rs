use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::campaign::CampaignTable;
use crate::catalog::Catalog;
use crate::plan::Cost;
use crate::retry::FailureKind;
use crate::rollout::{HaltRule, Rollout, Schedule, Stage};
use crate::version::Version;
use window::Window;

pub(crate) const FIGURE_1: &str = r#"{"scheme": "integer", "releases": [
    {"version": "v64000", "size": 1000},
    {"version": "v65000", "min_sw_version": "v64000", "size": 2000},
    {"version": "v66000", "min_sw_version": "v65000", "size": 3000},
    {"version": "v66001", "min_sw_version": "v66000", "size": 100},
    {"version": "v66002", "min_sw_version": "v66000", "size": 200},
    {"version": "v66003", "min_sw_version": "v66000", "size": 300},
    {"version": "v67000", "min_sw_version": "v66003", "size": 4000}
]}"#;

fn catalog() -> Catalog {
    Catalog::from_json(FIGURE_1).unwrap()
}

fn v(c: &Catalog, s: &str) -> Version {
    c.parse_version(s).unwrap()
}

/// Drives one device with a perfect device: every install succeeds at once.
fn march<P: Planner<Version>>(ctx: &Context<'_, P>, c: &Catalog, from: &str) -> Vec<String> {
    let mut s = DeviceState::reporting(v(c, from), 1);
    let mut seq = 1;
    let mut path = Vec::new();
    for now in 0..20u64 {
        match decide(b"d", &s, ctx, now) {
            Action::Install {
                release,
                job,
                expires_at,
                ..
            } => {
                path.push(release.to_string());
                assert_eq!(
                    apply(
                        &mut s,
                        &Event::JobCreated {
                            job,
                            release: release.clone(),
                            at: now,
                            expires_at
                        }
                    ),
                    Applied::Changed
                );
                seq += 1;
                apply(
                    &mut s,
                    &Event::JobSucceeded {
                        job,
                        seq,
                        at: now,
                        reports: release,
                    },
                );
            }
            Action::Done => return path,
            other => panic!("{other:?}"),
        }
    }
    panic!("no convergence: {path:?}")
}

use alloc::string::{String, ToString};

#[test]
fn the_seed_path_with_both_planners() {
    let c = catalog();
    let target = v(&c, "v67000");
    let policy = RetryPolicy::default();
    let table = CampaignTable::build(&c, &target, None, None, Cost::Hops).unwrap();
    let planner = CatalogPlanner::new(&c, target.clone());
    let want = ["v65000", "v66000", "v66003", "v67000"];
    assert_eq!(march(&Context::new(&table, &policy), &c, "v64000"), want);
    assert_eq!(march(&Context::new(&planner, &policy), &c, "v64000"), want);
    // The index planner walks the same path.
    let idx = IndexPlanner::from_table(&c, &table);
    let mut at = 0u32;
    let mut names = Vec::new();
    while let Some(n) = idx.next_hop(&at).unwrap() {
        names.push(idx.spelling(&n).to_string());
        at = n;
    }
    assert_eq!(names, want);
}

#[test]
fn failures_back_off_then_give_up_after_five() {
    let c = catalog();
    let table = CampaignTable::build(&c, &v(&c, "v65000"), None, None, Cost::Hops).unwrap();
    let policy = RetryPolicy::default();
    let ctx = Context::new(&table, &policy);
    let mut s = DeviceState::reporting(v(&c, "v64000"), 1);
    let mut now = 0;
    for attempt in 1..=5u32 {
        let seq = u64::from(attempt) + 1;
        let a = decide(b"dev", &s, &ctx, now);
        let Action::Install {
            release,
            job,
            expires_at,
            attempt: got,
            ..
        } = a
        else {
            panic!("{attempt}: {a:?}")
        };
        assert_eq!(got, attempt);
        apply(
            &mut s,
            &Event::JobCreated {
                job,
                release,
                at: now,
                expires_at,
            },
        );
        let failed = Event::JobFailed {
            job,
            seq,
            at: now + 10,
            kind: FailureKind::Failed,
            reports: Some(v(&c, "v64000")),
        };
        assert_eq!(apply(&mut s, &failed), Applied::Changed);
        let before = s.clone();
        assert_eq!(apply(&mut s, &failed), Applied::NotInFlight);
        assert_eq!(s, before);
        now += 10;
        match decide(b"dev", &s, &ctx, now) {
            Action::Wait {
                until,
                reason:
                    WaitReason::Backoff {
                        kind: FailureKind::Failed,
                    },
            } => {
                assert!(until > now);
                now = until;
            }
            Action::GiveUp { reason } => {
                assert_eq!(attempt, 5);
                assert_eq!(reason.code(), "retry.attempts_per_hop");
                return;
            }
            other => panic!("{other:?}"),
        }
    }
    panic!("did not give up");
}

#[test]
fn expired_jobs_count_as_timed_out() {
    let c = catalog();
    let table = CampaignTable::build(&c, &v(&c, "v65000"), None, None, Cost::Hops).unwrap();
    let policy = RetryPolicy::default();
    let ctx = Context {
        job_ttl_secs: 100,
        ..Context::new(&table, &policy)
    };
    let mut s = DeviceState::reporting(v(&c, "v64000"), 1);
    let Action::Install {
        release,
        job,
        expires_at,
        ..
    } = decide(b"d", &s, &ctx, 0)
    else {
        panic!()
    };
    assert_eq!(expires_at, 100);
    apply(
        &mut s,
        &Event::JobCreated {
            job,
            release,
            at: 0,
            expires_at,
        },
    );
    assert_eq!(
        decide(b"d", &s, &ctx, 50),
        Action::Wait {
            until: 100,
            reason: WaitReason::AwaitingJob { job }
        }
    );
    assert_eq!(decide(b"d", &s, &ctx, 100), Action::Expire { job });
    assert_eq!(
        apply(&mut s, &Event::JobExpired { job, at: 100 }),
        Applied::Changed
    );
    assert_eq!(
        s.hop
            .as_ref()
            .unwrap()
            .counters
            .failures_of(FailureKind::TimedOut),
        1
    );
    // The device never saw it: nothing is retried until it speaks again.
    assert_eq!(
        decide(b"d", &s, &ctx, 10_000),
        Action::Hold {
            reason: HoldReason::Unresponsive
        }
    );
    apply(
        &mut s,
        &Event::Reported {
            seq: 2,
            at: 100,
            reports: v(&c, "v64000"),
        },
    );
    assert!(matches!(
        decide(b"d", &s, &ctx, 100),
        Action::Wait {
            reason: WaitReason::Backoff {
                kind: FailureKind::TimedOut
            },
            ..
        }
    ));
}

#[test]
fn rolled_back_release_is_remembered_until_superseded_or_cleared() {
    let c = catalog();
    let target = v(&c, "v67000");
    let table = CampaignTable::build(&c, &target, None, None, Cost::Hops).unwrap();
    let policy = RetryPolicy::default();
    let ctx = Context::new(&table, &policy);
    let mut s = DeviceState::reporting(v(&c, "v66000"), 1);
    let Action::Install {
        release,
        job,
        expires_at,
        ..
    } = decide(b"d", &s, &ctx, 0)
    else {
        panic!()
    };
    assert_eq!(release.as_str(), "v66003");
    apply(
        &mut s,
        &Event::JobCreated {
            job,
            release,
            at: 0,
            expires_at,
        },
    );
    // It "succeeded" but the device booted back into v66000.
    apply(
        &mut s,
        &Event::JobSucceeded {
            job,
            seq: 2,
            at: 5,
            reports: v(&c, "v66000"),
        },
    );
    assert_eq!(s.rolled_back, vec![v(&c, "v66003")]);
    assert_eq!(
        decide(b"d", &s, &ctx, 10),
        Action::Hold {
            reason: HoldReason::RolledBack {
                release: v(&c, "v66003")
            }
        }
    );
    // A catalog with a v66004 that does not need v66003 and v67000 needing v66004 supersedes it.
    let c2 = Catalog::from_json(&FIGURE_1.replace(
        r#"{"version": "v67000", "min_sw_version": "v66003", "size": 4000}"#,
        r#"{"version": "v66004", "min_sw_version": "v66000"}, {"version": "v67000", "min_sw_version": "v66004", "size": 4000}"#,
    ))
    .unwrap();
    let t2 = CampaignTable::build(&c2, &v(&c2, "v67000"), None, None, Cost::Hops).unwrap();
    let ctx2 = Context::new(&t2, &policy);
    assert!(
        matches!(decide(b"d", &s, &ctx2, 10), Action::Install { ref release, .. } if release.as_str() == "v66004")
    );
    // Or an operator clears it.
    let clear = Event::Operator {
        seq: 1,
        action: OperatorAction::ClearRolledBack { release: None },
    };
    assert_eq!(apply(&mut s, &clear), Applied::Changed);
    assert_eq!(apply(&mut s, &clear), Applied::Duplicate);
    assert!(matches!(decide(b"d", &s, &ctx, 10), Action::Install { .. }));
}

#[test]
fn device_reporting_a_lower_version_later_is_a_rollback_and_is_replanned() {
    let c = catalog();
    let table = CampaignTable::build(&c, &v(&c, "v67000"), None, None, Cost::Hops).unwrap();
    let policy = RetryPolicy::default();
    let ctx = Context::new(&table, &policy);
    let mut s = DeviceState::reporting(v(&c, "v66000"), 1);
    assert_eq!(
        apply(
            &mut s,
            &Event::Reported {
                seq: 3,
                at: 1,
                reports: v(&c, "v65000")
            }
        ),
        Applied::Changed
    );
    assert_eq!(s.rolled_back, vec![v(&c, "v66000")]);
    assert_eq!(
        decide(b"d", &s, &ctx, 2),
        Action::Hold {
            reason: HoldReason::RolledBack {
                release: v(&c, "v66000")
            }
        }
    );
    // A stale report (seq 2) changes nothing; a duplicate neither.
    let before = s.clone();
    assert_eq!(
        apply(
            &mut s,
            &Event::Reported {
                seq: 2,
                at: 3,
                reports: v(&c, "v66003")
            }
        ),
        Applied::Stale
    );
    assert_eq!(
        apply(
            &mut s,
            &Event::Reported {
                seq: 3,
                at: 1,
                reports: v(&c, "v65000")
            }
        ),
        Applied::Duplicate
    );
    assert_eq!(s, before);
    // Installed by hand past it: re-planned from there, memory forgotten.
    apply(
        &mut s,
        &Event::Reported {
            seq: 4,
            at: 5,
            reports: v(&c, "v66003"),
        },
    );
    assert!(s.rolled_back.is_empty());
    assert!(
        matches!(decide(b"d", &s, &ctx, 6), Action::Install { ref release, .. } if release.as_str() == "v67000")
    );
}

#[test]
fn campaign_times_windows_and_rollout() {
    let c = catalog();
    let table = CampaignTable::build(&c, &v(&c, "v65000"), None, None, Cost::Hops).unwrap();
    let policy = RetryPolicy::default();
    let windows = [Window {
        day: 0,
        start_minute: 0,
        duration_minutes: 60,
    }];
    const MON: u64 = 4 * 86_400;
    let mut ctx = Context::new(&table, &policy);
    ctx.timing = Timing {
        start: Some(MON),
        end: Some(MON + 30 * 86_400),
        windows: &windows,
        utc_offset_secs: 0,
    };
    let s = DeviceState::reporting(v(&c, "v64000"), 1);
    assert_eq!(
        decide(b"d", &s, &ctx, 0),
        Action::Wait {
            until: MON,
            reason: WaitReason::CampaignNotStarted
        }
    );
    assert!(
        matches!(decide(b"d", &s, &ctx, MON + 10), Action::Install { expires_at, .. } if expires_at == MON + 10 + 7 * 86_400)
    );
    assert_eq!(
        decide(b"d", &s, &ctx, MON + 3600),
        Action::Wait {
            until: MON + 7 * 86_400,
            reason: WaitReason::MaintenanceWindow
        }
    );
    // Expiry is capped by the campaign's end.
    assert!(
        matches!(decide(b"d", &s, &ctx, MON + 28 * 86_400), Action::Install { expires_at, .. } if expires_at == MON + 30 * 86_400)
    );
    assert_eq!(
        decide(b"d", &s, &ctx, MON + 30 * 86_400),
        Action::Hold {
            reason: HoldReason::CampaignEnded
        }
    );

    let rollout = Rollout {
        salt: "r".into(),
        schedule: Schedule::Stages(vec![
            Stage {
                fraction_ppm: 0,
                min_soak_secs: 10,
            },
            Stage {
                fraction_ppm: 1_000_000,
                min_soak_secs: 0,
            },
        ]),
        halt: HaltRule::default(),
    };
    let mut rs = rollout.start(0);
    let ctx = Context {
        rollout: Some(RolloutView {
            rollout: &rollout,
            state: &rs,
        }),
        ..Context::new(&table, &policy)
    };
    assert_eq!(
        decide(b"d", &s, &ctx, 0),
        Action::Hold {
            reason: HoldReason::NotInRollout {
                recheck_at: Some(10)
            }
        }
    );
    rollout.advance(&mut rs, 10);
    let ctx = Context {
        rollout: Some(RolloutView {
            rollout: &rollout,
            state: &rs,
        }),
        ..Context::new(&table, &policy)
    };
    assert!(matches!(
        decide(b"d", &s, &ctx, 10),
        Action::Install { stage: Some(1), .. }
    ));
    rollout.halt(&mut rs, "stop".into(), 11).unwrap();
    let ctx = Context {
        rollout: Some(RolloutView {
            rollout: &rollout,
            state: &rs,
        }),
        ..Context::new(&table, &policy)
    };
    assert_eq!(
        decide(b"d", &s, &ctx, 12),
        Action::Hold {
            reason: HoldReason::RolloutHalted
        }
    );
}

#[test]
fn no_path_gives_up_with_the_planners_code_and_no_report_holds() {
    let c = catalog();
    let table = CampaignTable::build(&c, &v(&c, "v65000"), None, None, Cost::Hops).unwrap();
    let policy = RetryPolicy::default();
    let ctx = Context::new(&table, &policy);
    let s = DeviceState::reporting(v(&c, "v66000"), 1);
    assert_eq!(
        decide(b"d", &s, &ctx, 0),
        Action::GiveUp {
            reason: GiveUpReason::NoPath {
                code: "plan.downgrade"
            }
        }
    );
    assert_eq!(
        decide(b"d", &DeviceState::default(), &ctx, 0),
        Action::Hold {
            reason: HoldReason::NoReport
        }
    );
}

#[test]
fn yank_cancels_the_job_and_target_change_resets_counters() {
    let c = catalog();
    let table = CampaignTable::build(&c, &v(&c, "v65000"), None, None, Cost::Hops).unwrap();
    let policy = RetryPolicy::default();
    let ctx = Context::new(&table, &policy);
    let mut s = DeviceState::reporting(v(&c, "v64000"), 1);
    let Action::Install {
        release,
        job,
        expires_at,
        ..
    } = decide(b"d", &s, &ctx, 0)
    else {
        panic!()
    };
    apply(
        &mut s,
        &Event::JobCreated {
            job,
            release: release.clone(),
            at: 0,
            expires_at,
        },
    );
    assert_eq!(
        apply(
            &mut s,
            &Event::JobCreated {
                job,
                release: release.clone(),
                at: 0,
                expires_at
            }
        ),
        Applied::Duplicate
    );
    let yank = Event::ReleaseYanked {
        revision: 2,
        release: release.clone(),
    };
    assert_eq!(apply(&mut s, &yank), Applied::Changed);
    assert!(s.job.is_none());
    assert_eq!(apply(&mut s, &yank), Applied::Duplicate);
    assert_eq!(
        apply(&mut s, &Event::CatalogChanged { revision: 1, at: 0 }),
        Applied::Stale
    );
    assert_eq!(
        apply(&mut s, &Event::TargetChanged { campaign: 1, at: 0 }),
        Applied::Changed
    );
    assert_eq!((s.hop.clone(), s.total_attempts), (None, 0));
    // A late result for the cancelled job changes nothing.
    assert_eq!(
        apply(
            &mut s,
            &Event::JobSucceeded {
                job,
                seq: 2,
                at: 1,
                reports: release
            }
        ),
        Applied::NotInFlight
    );
}

#[cfg(feature = "serde")]
#[test]
fn state_and_events_round_trip_through_json_strings() {
    let c = catalog();
    let mut s: DeviceState<Version> = DeviceState::reporting(v(&c, "v64000"), 1);
    apply(
        &mut s,
        &Event::JobCreated {
            job: 1,
            release: v(&c, "v65000"),
            at: 0,
            expires_at: 9,
        },
    );
    let wire = s
        .clone()
        .try_map(|v| Ok::<_, ()>(v.as_str().to_string()))
        .unwrap();
    let json = serde_json::to_string(&wire).unwrap();
    let back: DeviceState<String> = serde_json::from_str(&json).unwrap();
    let parsed = back.try_map(|t| c.parse_version(&t)).unwrap();
    assert_eq!(parsed, s);
    let e: Event<String> = serde_json::from_str(
        r#"{"event":"job_failed","job":1,"seq":2,"at":3,"kind":"download_error"}"#,
    )
    .unwrap();
    assert_eq!(
        e,
        Event::JobFailed {
            job: 1,
            seq: 2,
            at: 3,
            kind: FailureKind::DownloadError,
            reports: None
        }
    );
}
