//! KeepTruckin's 2020 FOTA whole story: devices on v64000, some on a shelf for a year of releases, reach
//! v67000 through v65000 -> v66000 -> v66003 (skipping v66001 and v66002), with failures
//! injected; the FOTA-scheduler retries a failed hop at most five times. The whole fleet's
//! story runs in the simulator (`sim/tests/seed_story.rs`).

use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::Cost;
use stepstone::reconcile::{Action, Context, DeviceState, Event, HoldReason, apply, decide};
use stepstone::retry::{FailureKind, RetryPolicy};

const CATALOG: &str = include_str!("../../examples/catalog.json");
const DAY: u64 = 86_400;

#[test]
fn one_shelf_device_marches_up_when_it_reconnects_a_year_later() {
    let c = Catalog::from_json(CATALOG).unwrap();
    let target = c.parse_version("v67000").unwrap();
    let table = CampaignTable::build(&c, &target, Some("AG-1"), None, Cost::Hops).unwrap();
    let policy = RetryPolicy::default();
    let ctx = Context::new(&table, &policy);
    let mut s = DeviceState::reporting(c.parse_version("v64000").unwrap(), 1);
    let mut now = 0;
    // The scheduler creates the first job; the device is on a shelf and never sees it.
    let Action::Install {
        release,
        job,
        expires_at,
        ..
    } = decide(b"trailer-1", &s, &ctx, now)
    else {
        panic!()
    };
    assert_eq!(release.as_str(), "v65000");
    apply(
        &mut s,
        &Event::JobCreated {
            job,
            release,
            at: now,
            expires_at,
        },
    );
    now = expires_at;
    assert_eq!(decide(b"trailer-1", &s, &ctx, now), Action::Expire { job });
    apply(&mut s, &Event::JobExpired { job, at: now });
    // Nothing more is tried while it sits on the shelf.
    assert_eq!(
        decide(b"trailer-1", &s, &ctx, now + 300 * DAY),
        Action::Hold {
            reason: HoldReason::Unresponsive
        }
    );
    // A year later it is powered up and reports.
    now = 365 * DAY;
    let mut seq = 2;
    apply(
        &mut s,
        &Event::Reported {
            seq,
            at: now,
            reports: c.parse_version("v64000").unwrap(),
        },
    );
    // It marches up; the first two attempts of every hop fail.
    let mut path = Vec::new();
    let mut failures_on_hop = 0;
    loop {
        match decide(b"trailer-1", &s, &ctx, now) {
            Action::Install {
                release,
                job,
                expires_at,
                attempt,
                ..
            } => {
                apply(
                    &mut s,
                    &Event::JobCreated {
                        job,
                        release: release.clone(),
                        at: now,
                        expires_at,
                    },
                );
                seq += 1;
                now += 600;
                if failures_on_hop < 2 {
                    failures_on_hop += 1;
                    let kind = if attempt == 1 {
                        FailureKind::DownloadError
                    } else {
                        FailureKind::Failed
                    };
                    let reports = s.reported.clone();
                    apply(
                        &mut s,
                        &Event::JobFailed {
                            job,
                            seq,
                            at: now,
                            kind,
                            reports,
                        },
                    );
                } else {
                    failures_on_hop = 0;
                    // The expired job on the shelf was the first attempt on v65000.
                    assert_eq!(attempt, if path.is_empty() { 4 } else { 3 });
                    path.push(release.to_string());
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
            }
            Action::Wait { until, .. } => now = until,
            Action::Done => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(path, ["v65000", "v66000", "v66003", "v67000"]);
    assert_eq!(s.reported.as_ref(), Some(&target));
}
