//! The decision area's JSON writers (device states, what `apply` did, actions, rollout states,
//! retry policies, rollouts, retry decisions) against serde_json writing the same values
//! through serde's derive, byte for byte, on generated values whose strings carry quotes,
//! backslashes, control characters and non-ASCII text.
#![cfg(feature = "serde")]

use proptest::prelude::*;
use stepstone::reconcile::{
    Action, Applied, AppliedWire, DeviceState, GiveUpReason, HoldReason, HopState, Job,
    LastFailure, WaitReason, action_json, device_state_json,
};
use stepstone::retry::{
    FailureKind, GiveUp, HopCounters, KindPolicy, RetryDecision, RetryGiveUp, RetryPolicy,
};
use stepstone::rollout::{
    Confidence, HaltReason, HaltRule, Halted, Ramp, Rollout, RolloutLog, RolloutState, Schedule,
    Stage, StageStats,
};
use stepstone::version::{Scheme, Version};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z\"\\\\\u{0}-\u{1f}\u{7f}é😀 ]{0,12}",]
}

fn kind() -> impl Strategy<Value = FailureKind> {
    prop::sample::select(FailureKind::ALL.to_vec())
}

fn opt_u64() -> impl Strategy<Value = Option<u64>> {
    prop::option::of(any::<u64>())
}

fn device_state() -> impl Strategy<Value = DeviceState<String>> {
    let job = prop::option::of((
        any::<u64>(),
        text(),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
    ))
    .prop_map(|j| {
        j.map(|(id, release, created_at, expires_at, device_seq)| Job {
            id,
            release,
            created_at,
            expires_at,
            device_seq,
        })
    });
    let hop = prop::option::of((
        text(),
        any::<u32>(),
        any::<[u32; 4]>(),
        prop::option::of((kind(), any::<u64>(), any::<u64>())),
    ))
    .prop_map(|h| {
        h.map(|(release, attempts, failures, last)| HopState {
            release,
            counters: HopCounters { attempts, failures },
            last_failure: last.map(|(kind, at, device_seq)| LastFailure {
                kind,
                at,
                device_seq,
            }),
        })
    });
    (
        prop::option::of(text()),
        any::<[u64; 5]>(),
        job,
        hop,
        any::<u32>(),
        opt_u64(),
        prop::collection::vec(text(), 0..3),
    )
        .prop_map(
            |(reported, n, job, hop, total_attempts, first_attempt_at, rolled_back)| DeviceState {
                reported,
                device_seq: n[0],
                last_job: n[1],
                job,
                hop,
                total_attempts,
                first_attempt_at,
                rolled_back,
                campaign: n[2],
                catalog_revision: n[3],
                operator_seq: n[4],
            },
        )
}

fn give_up_rule() -> impl Strategy<Value = RetryGiveUp> {
    prop_oneof![
        any::<u32>().prop_map(|limit| RetryGiveUp::AttemptsPerHop { limit }),
        kind().prop_map(|kind| RetryGiveUp::NotRetried { kind }),
        (kind(), any::<u32>()).prop_map(|(kind, limit)| RetryGiveUp::KindLimit { kind, limit }),
        any::<u32>().prop_map(|limit| RetryGiveUp::TotalAttempts { limit }),
        any::<u64>().prop_map(|limit_secs| RetryGiveUp::Elapsed { limit_secs }),
    ]
}

fn action() -> impl Strategy<Value = Action<Version>> {
    let version = (0u64..1_000_000_000)
        .prop_map(|n| Version::parse(&format!("v{n}"), Scheme::Integer).unwrap());
    prop_oneof![
        (
            version.clone(),
            any::<u64>(),
            any::<u64>(),
            any::<u32>(),
            prop::option::of(any::<u32>())
        )
            .prop_map(
                |(release, job, expires_at, attempt, stage)| Action::Install {
                    release,
                    job,
                    expires_at,
                    attempt,
                    stage
                }
            ),
        (
            any::<u64>(),
            prop_oneof![
                Just(WaitReason::CampaignNotStarted),
                any::<u64>().prop_map(|job| WaitReason::AwaitingJob { job }),
                kind().prop_map(|kind| WaitReason::Backoff { kind }),
                Just(WaitReason::MaintenanceWindow),
            ]
        )
            .prop_map(|(until, reason)| Action::Wait { until, reason }),
        any::<u64>().prop_map(|job| Action::Expire { job }),
        Just(Action::Done),
        prop_oneof![
            Just(HoldReason::NoReport),
            Just(HoldReason::Unresponsive),
            version.prop_map(|release| HoldReason::RolledBack { release }),
            Just(HoldReason::CampaignEnded),
            Just(HoldReason::RolloutHalted),
            opt_u64().prop_map(|recheck_at| HoldReason::NotInRollout { recheck_at }),
        ]
        .prop_map(|reason| Action::Hold { reason }),
        prop_oneof![
            give_up_rule().prop_map(|rule| GiveUpReason::Retry { rule }),
            Just(GiveUpReason::NoPath {
                code: "plan.unreachable"
            }),
        ]
        .prop_map(|reason| Action::GiveUp { reason }),
    ]
}

fn halt_reason() -> impl Strategy<Value = HaltReason> {
    prop_oneof![
        any::<[u32; 3]>().prop_map(|n| HaltReason::FailureCount {
            stage: n[0],
            failed: n[1],
            limit: n[2]
        }),
        any::<[u32; 4]>().prop_map(|n| HaltReason::FailureRate {
            stage: n[0],
            failed: n[1],
            finished: n[2],
            limit_ppm: n[3]
        }),
        any::<[u32; 4]>().prop_map(|n| HaltReason::Confidence {
            stage: n[0],
            failed: n[1],
            finished: n[2],
            limit_ppm: n[3]
        }),
        text().prop_map(|note| HaltReason::Operator { note }),
    ]
}

fn rollout_state() -> impl Strategy<Value = RolloutState> {
    let log = prop_oneof![
        (any::<u32>(), any::<u64>()).prop_map(|(stage, at)| RolloutLog::Opened { stage, at }),
        (any::<u64>(), halt_reason()).prop_map(|(at, reason)| RolloutLog::Halted { at, reason }),
        any::<u64>().prop_map(|at| RolloutLog::Resumed { at }),
    ];
    (
        any::<[u64; 3]>(),
        any::<u32>(),
        prop::option::of((any::<u64>(), halt_reason())),
        prop::collection::vec(any::<(u32, u32)>(), 0..3),
        prop::collection::vec(log, 0..4),
    )
        .prop_map(|(n, stage, halted, stats, log)| RolloutState {
            started_at: n[0],
            stage,
            stage_opened_at: n[1],
            halted_secs: n[2],
            halted: halted.map(|(at, reason)| Halted { at, reason }),
            stats: stats
                .into_iter()
                .map(|(finished, failed)| StageStats { finished, failed })
                .collect(),
            log,
        })
}

fn kind_policy() -> impl Strategy<Value = KindPolicy> {
    (
        any::<bool>(),
        prop::option::of(any::<u32>()),
        any::<u64>(),
        any::<u32>(),
        any::<u64>(),
    )
        .prop_map(
            |(retry, max_failures, base_secs, factor, cap_secs)| KindPolicy {
                retry,
                max_failures,
                base_secs,
                factor,
                cap_secs,
            },
        )
}

fn retry_policy() -> impl Strategy<Value = RetryPolicy> {
    (
        any::<(u32, u32)>(),
        [kind_policy(), kind_policy(), kind_policy(), kind_policy()],
        prop::option::of(any::<u32>()),
        opt_u64(),
    )
        .prop_map(|((attempts_per_hop, jitter_ppm), k, total, elapsed)| {
            let [failed, timed_out, rejected, download_error] = k;
            RetryPolicy {
                attempts_per_hop,
                jitter_ppm,
                failed,
                timed_out,
                rejected,
                download_error,
                give_up: GiveUp {
                    max_total_attempts: total,
                    max_elapsed_secs: elapsed,
                },
            }
        })
}

fn rollout() -> impl Strategy<Value = Rollout> {
    let schedule = prop_oneof![
        prop::collection::vec(any::<(u32, u64)>(), 0..4).prop_map(|s| Schedule::Stages(
            s.into_iter()
                .map(|(fraction_ppm, min_soak_secs)| Stage {
                    fraction_ppm,
                    min_soak_secs
                })
                .collect()
        )),
        (any::<u64>(), any::<u32>(), any::<u64>()).prop_map(|(start, start_ppm, duration_secs)| {
            Schedule::Ramp(Ramp {
                start,
                start_ppm,
                duration_secs,
            })
        }),
    ];
    let halt = (
        prop::option::of(any::<u32>()),
        prop::option::of(any::<u32>()),
        any::<u32>(),
        prop::option::of(any::<(u32, u32)>()),
    )
        .prop_map(
            |(max_failures, max_failure_rate_ppm, min_finished, c)| HaltRule {
                max_failures,
                max_failure_rate_ppm,
                min_finished,
                confidence: c.map(|(z_num, z_den)| Confidence { z_num, z_den }),
            },
        );
    (text(), schedule, halt).prop_map(|(salt, schedule, halt)| Rollout {
        salt,
        schedule,
        halt,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn device_states_and_applied_write_as_serde_json_does(s in device_state(), i in 0usize..4) {
        prop_assert_eq!(device_state_json(&s), serde_json::to_string(&s).unwrap());
        let applied = [Applied::Changed, Applied::Duplicate, Applied::Stale, Applied::NotInFlight][i];
        let wire = AppliedWire { state: &s, outcome: applied.name() };
        prop_assert_eq!(
            stepstone::reconcile::applied_json(&s, applied),
            serde_json::to_string(&wire).unwrap()
        );
    }

    #[test]
    fn actions_write_as_serde_json_does(a in action()) {
        prop_assert_eq!(action_json(&a), serde_json::to_string(&a).unwrap());
    }

    #[test]
    fn rollout_states_write_as_serde_json_does(s in rollout_state()) {
        prop_assert_eq!(s.to_json(), serde_json::to_string(&s).unwrap());
    }

    #[test]
    fn retry_policies_rollouts_and_decisions_write_as_serde_json_does(
        p in retry_policy(), r in rollout(), g in give_up_rule(), t in any::<u64>(),
    ) {
        prop_assert_eq!(p.to_json(), serde_json::to_string(&p).unwrap());
        prop_assert_eq!(r.to_json(), serde_json::to_string(&r).unwrap());
        for d in [RetryDecision::RetryAt(t), RetryDecision::GiveUp(g)] {
            prop_assert_eq!(d.to_json(), serde_json::to_string(&d).unwrap());
        }
    }
}
