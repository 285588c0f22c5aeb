//! The simulator through its public API: convergence, determinism, rollouts, where the fleet
//! ends and who is stuck, and refusals with their codes.

use std::collections::BTreeMap;

use stepstone::ErrorCode;
use stepstone::catalog::Catalog;
use stepstone::retry::RetryPolicy;
use stepstone::rollout::{HaltRule, Rollout, Schedule, Stage};
use stepstone_sim::{Report, SimConfig, SimError, Simulation, Stuck};

const DAY: u64 = 86_400;

const FIGURE_1: &str = r#"{"scheme": "integer", "releases": [
    {"version": "v64000", "size": 1000},
    {"version": "v65000", "min_sw_version": "v64000", "size": 2000},
    {"version": "v66000", "min_sw_version": "v65000", "size": 3000},
    {"version": "v66001", "min_sw_version": "v66000", "size": 100},
    {"version": "v66002", "min_sw_version": "v66000", "size": 200},
    {"version": "v66003", "min_sw_version": "v66000", "size": 300},
    {"version": "v67000", "min_sw_version": "v66003", "size": 4000}
]}"#;

/// Semver: `10.0.0` sorts before `9.0.0` as a string, after it as a version.
const TENS: &str = r#"{"scheme": "semver", "releases": [
    {"version": "1.0.0"},
    {"version": "9.0.0", "min_sw_version": "1.0.0"},
    {"version": "10.0.0", "min_sw_version": "9.0.0"}
]}"#;

fn sim_on(catalog: &str, target: &str, cfg: SimConfig) -> Report {
    let c = Catalog::from_json(catalog).unwrap();
    let t = c.parse_version(target).unwrap();
    let mut s = Simulation::new(&c, &t, cfg).unwrap();
    s.run();
    s.report()
}

fn sim(cfg: SimConfig) -> Report {
    sim_on(FIGURE_1, "v67000", cfg)
}

/// What every report holds: each device counted once in `final_versions`; the devices not
/// on the target (the last of `catalog_order`) once in `stuck`, whose codes add up to
/// `given_up`, `held` and `pending`; those on it `converged` or, their success report still on
/// the way, `pending` (and not stuck).
fn check_accounts(r: &Report, catalog_order: &[&str]) {
    let target = *catalog_order.last().unwrap();
    let at_target = r
        .final_versions
        .iter()
        .find(|(v, _)| v == target)
        .map_or(0, |(_, n)| *n);
    assert!(at_target >= r.converged, "{r:?}");
    let pending_at_target = at_target - r.converged;
    assert_eq!(
        r.final_versions.iter().map(|(_, n)| n).sum::<u64>(),
        r.devices,
        "{r:?}"
    );
    assert!(r.final_versions.iter().all(|(_, n)| *n > 0));
    let order = |v: &str| catalog_order.iter().position(|c| *c == v).unwrap();
    assert!(
        r.final_versions
            .windows(2)
            .all(|w| order(&w[0].0) < order(&w[1].0)),
        "{:?}",
        r.final_versions
    );
    assert_eq!(
        r.stuck.iter().map(|s| s.count).sum::<u64>(),
        r.devices - at_target,
        "{r:?}"
    );
    assert!(
        r.stuck.iter().all(|s| s.count > 0 && s.from != target),
        "{r:?}"
    );
    assert!(
        r.stuck
            .windows(2)
            .all(|w| (order(&w[0].from), &w[0].code) < (order(&w[1].from), &w[1].code)),
        "{:?}",
        r.stuck
    );
    let mut by_code: BTreeMap<&str, u64> = BTreeMap::new();
    for s in &r.stuck {
        *by_code.entry(&s.code).or_insert(0) += s.count;
    }
    let mut want: BTreeMap<&str, u64> = BTreeMap::new();
    for (k, v) in r.given_up.iter().chain(&r.held) {
        *want.entry(k).or_insert(0) += v;
    }
    if r.pending > pending_at_target {
        want.insert("pending", r.pending - pending_at_target);
    }
    assert_eq!(by_code, want, "{r:?}");
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
    assert_eq!(r.final_versions, [("v67000".to_string(), 500)]);
    assert!(r.stuck.is_empty());
}

/// Cut off at the horizon while success reports are in flight: devices that run the target
/// but are not confirmed yet are `pending`, and not "stuck on the target".
#[test]
fn devices_on_the_target_awaiting_confirmation_are_pending_not_stuck() {
    let r = sim(SimConfig {
        devices: 3000,
        fail_rate_ppm: 300_000,
        horizon_secs: DAY,
        ..SimConfig::default()
    });
    let at_target = r
        .final_versions
        .iter()
        .find(|(v, _)| v == "v67000")
        .unwrap()
        .1;
    assert!(
        at_target > r.converged,
        "the case needs unconfirmed devices: {r:?}"
    );
    assert!(r.stuck.iter().all(|s| s.from != "v67000"), "{:?}", r.stuck);
    check_accounts(
        &r,
        &[
            "v64000", "v65000", "v66000", "v66001", "v66002", "v66003", "v67000",
        ],
    );
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
        a.converged + a.given_up.values().sum::<u64>() + a.held.values().sum::<u64>() + a.pending,
        2000
    );
    assert!(a.converged >= 1990, "{a:?}");
    assert!(a.events.duplicate + a.events.not_in_flight + a.events.stale > 0);
    assert!(a.attempts_histogram.keys().all(|k| *k <= 5));
    check_accounts(
        &a,
        &[
            "v64000", "v65000", "v66000", "v66001", "v66002", "v66003", "v67000",
        ],
    );
}

#[test]
fn a_bad_release_halts_the_rollout_and_the_held_are_stuck_where_they_started() {
    let rollout = Rollout {
        salt: "c".into(),
        schedule: Schedule::Stages(vec![
            Stage {
                fraction_ppm: 50_000,
                min_soak_secs: 2 * DAY,
            },
            Stage {
                fraction_ppm: 1_000_000,
                min_soak_secs: 0,
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
    let ro = r.rollout.clone().unwrap();
    assert!(ro.halted);
    assert_eq!(ro.final_stage, 0);
    let halted = r.held.get("rollout_halted").copied().unwrap_or(0);
    assert!(halted > 1500, "{:?}", r.held);
    // Outside the first stage, nobody moved: they are stuck on v64000, held by the halt.
    let on_start = r
        .stuck
        .iter()
        .filter(|s| s.from == "v64000" && s.code == "rollout_halted")
        .map(|s| s.count)
        .sum::<u64>();
    assert!(on_start > 1500, "{:?}", r.stuck);
    assert!(on_start <= halted);
    assert_eq!(
        r.final_versions.first().map(|(v, _)| v.as_str()),
        Some("v64000")
    );
    assert!(r.final_versions.first().unwrap().1 >= on_start);
    check_accounts(
        &r,
        &[
            "v64000", "v65000", "v66000", "v66001", "v66002", "v66003", "v67000",
        ],
    );
}

#[test]
fn rolled_back_devices_are_held_on_the_version_they_boot_back_into() {
    let r = sim_on(
        TENS,
        "10.0.0",
        SimConfig {
            devices: 300,
            rollback_rate_ppm: 1_000_000,
            ..SimConfig::default()
        },
    );
    assert_eq!(r.converged, 0);
    assert_eq!(r.held, BTreeMap::from([("rolled_back".to_string(), 300)]));
    assert_eq!(r.final_versions, [("1.0.0".to_string(), 300)]);
    assert_eq!(
        r.stuck,
        [Stuck {
            from: "1.0.0".into(),
            count: 300,
            code: "rolled_back".into()
        }]
    );
}

#[test]
fn final_versions_follow_version_order_in_the_report_and_in_json() {
    // Stopped an hour in: the fleet is spread over all three releases, still on its way.
    let r = sim_on(
        TENS,
        "10.0.0",
        SimConfig {
            devices: 3000,
            horizon_secs: 3600,
            ..SimConfig::default()
        },
    );
    let versions: Vec<&str> = r.final_versions.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(versions, ["1.0.0", "9.0.0", "10.0.0"], "{r:?}");
    assert!(r.pending > 0, "{r:?}");
    assert!(
        r.stuck
            .iter()
            .any(|s| s.code == "pending" && s.from == "9.0.0")
    );
    check_accounts(&r, &["1.0.0", "9.0.0", "10.0.0"]);
    // JSON keeps the order (an object sorted by key would put 10.0.0 first).
    let json = serde_json::to_string(&r).unwrap();
    let want = format!(
        r#""final_versions":{{"1.0.0":{},"9.0.0":{},"10.0.0":{}}}"#,
        r.final_versions[0].1, r.final_versions[1].1, r.final_versions[2].1
    );
    assert!(json.contains(&want), "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = &v["stuck"][0];
    assert_eq!(first["from"], "1.0.0", "{v}");
    assert_eq!(first["code"], "pending");
    assert!(first["count"].as_u64().unwrap() > 0);
}

#[test]
fn given_up_devices_are_stuck_with_the_retry_code() {
    let policy = RetryPolicy {
        attempts_per_hop: 2,
        ..RetryPolicy::default()
    };
    let r = sim(SimConfig {
        devices: 1000,
        fail_rate_ppm: 300_000,
        seed: 11,
        policy,
        ..SimConfig::default()
    });
    let gave_up = r
        .given_up
        .get("retry.attempts_per_hop")
        .copied()
        .unwrap_or(0);
    assert!(gave_up > 0, "{r:?}");
    // Stuck on several versions along the path, none on the target.
    let froms: Vec<&str> = r
        .stuck
        .iter()
        .filter(|s| s.code == "retry.attempts_per_hop")
        .map(|s| s.from.as_str())
        .collect();
    assert!(froms.len() >= 2, "{:?}", r.stuck);
    assert!(!froms.contains(&"v67000"));
    check_accounts(
        &r,
        &[
            "v64000", "v65000", "v66000", "v66001", "v66002", "v66003", "v67000",
        ],
    );
}

#[test]
fn refusals_keep_their_codes() {
    let c = Catalog::from_json(FIGURE_1).unwrap();
    let t = c.parse_version("v67000").unwrap();
    let rate = Simulation::new(
        &c,
        &t,
        SimConfig {
            duplicate_rate_ppm: 1_000_001,
            ..SimConfig::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        rate,
        SimError::Rate {
            name: "duplicate_rate",
            value: 1_000_001
        }
    );
    assert_eq!(rate.code(), "simulate.rate_out_of_range");
    // A version of the scheme that is not a release.
    let other = Catalog::from_json(r#"{"scheme": "integer", "releases": [{"version": "v1"}]}"#)
        .unwrap()
        .parse_version("v1")
        .unwrap();
    let start = Simulation::new(
        &c,
        &t,
        SimConfig {
            start: Some(other),
            ..SimConfig::default()
        },
    )
    .unwrap_err();
    assert_eq!(start, SimError::UnknownStart("v1".into()));
    assert_eq!(start.code(), "simulate.unknown_start");
    assert_eq!(
        start.to_string(),
        r#"start version "v1" is not a release of the catalog"#
    );
    let target = Catalog::from_json(r#"{"scheme": "integer", "releases": [{"version": "v9"}]}"#)
        .unwrap()
        .parse_version("v9")
        .unwrap();
    let plan = Simulation::new(&c, &target, SimConfig::default()).unwrap_err();
    assert!(matches!(plan, SimError::Plan(_)), "{plan:?}");
    assert!(plan.code().starts_with("plan."), "{}", plan.code());
}

/// Figure 1 with its models: v64000 is for AG-1 alone, the rest for AG-1 and AG-2, and one
/// release for AG-3 only; every release is for production.
const MODELS: &str = r#"{"scheme": "integer", "releases": [
    {"version": "v64000", "size": 1000, "models": ["AG-1"], "environments": ["production"]},
    {"version": "v65000", "min_sw_version": "v64000", "size": 2000, "models": ["AG-1", "AG-2"], "environments": ["production"]},
    {"version": "v65500", "size": 2500, "models": ["AG-3"], "environments": ["production"]},
    {"version": "v66000", "min_sw_version": "v65000", "size": 3000, "models": ["AG-1", "AG-2"], "environments": ["production"]}
]}"#;

#[test]
fn the_devices_model_is_required_where_releases_differ_by_model() {
    let c = Catalog::from_json(MODELS).unwrap();
    let t = c.parse_version("v66000").unwrap();
    let refused = |model: Option<&str>, environment: Option<&str>| {
        let cfg = SimConfig {
            model: model.map(String::from),
            environment: environment.map(String::from),
            ..SimConfig::default()
        };
        let e = Simulation::new(&c, &t, cfg).unwrap_err();
        assert!(matches!(e, SimError::Plan(_)), "{e:?}");
        (e.code(), e.to_string())
    };
    assert_eq!(
        refused(None, None),
        (
            "plan.model_required",
            "this catalog's releases differ by model (AG-1, AG-2, AG-3): state the device's model"
                .to_string()
        )
    );
    assert_eq!(refused(Some("AG-9"), None).0, "plan.unknown_model");
    // The environment is the same on every release: none is needed, but an unknown one is
    // refused.
    assert_eq!(
        refused(Some("AG-1"), Some("dev")).0,
        "plan.unknown_environment"
    );
    // A known model whose releases do not include the target: the target check.
    assert_eq!(refused(Some("AG-3"), None).0, "plan.target_model");

    // AG-2 devices start on the lowest release for AG-2 (v65000, not AG-1's v64000) and never
    // install AG-3's v65500; the report says which model it simulated.
    let r = sim_on(
        MODELS,
        "v66000",
        SimConfig {
            devices: 50,
            model: Some("AG-2".into()),
            environment: Some("production".into()),
            ..SimConfig::default()
        },
    );
    assert_eq!(r.converged, 50);
    assert_eq!(r.hops_by_release.keys().collect::<Vec<_>>(), ["v66000"]);
    assert_eq!(
        (r.model.as_deref(), r.environment.as_deref()),
        (Some("AG-2"), Some("production"))
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(
        (&json["model"], &json["environment"]),
        (&"AG-2".into(), &"production".into())
    );
    // AG-1 devices start on v64000 and march through v65000.
    let r = sim_on(
        MODELS,
        "v66000",
        SimConfig {
            devices: 50,
            model: Some("AG-1".into()),
            ..SimConfig::default()
        },
    );
    assert_eq!(
        r.hops_by_release.keys().collect::<Vec<_>>(),
        ["v65000", "v66000"]
    );
    assert_eq!(
        serde_json::to_value(&r).unwrap()["environment"],
        serde_json::Value::Null
    );
}
