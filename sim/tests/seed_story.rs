//! KeepTruckin's 2020 FOTA whole story, for a fleet: devices on v64000, some on a shelf for a
//! year of releases, reach v67000 through v65000 -> v66000 -> v66003 (skipping v66001 and
//! v66002), with failures injected; the FOTA-scheduler retries a failed hop at most five times.
//! (One device's story, step by step, is `core/tests/seed_story.rs`.)

use std::collections::BTreeMap;

use stepstone::catalog::Catalog;
use stepstone_sim::{SimConfig, Simulation};

const CATALOG: &str = include_str!("../../examples/catalog.json");
const DAY: u64 = 86_400;

#[test]
fn a_fleet_with_a_year_long_shelf_and_failures_converges_through_v66003() {
    let c = Catalog::from_json(CATALOG).unwrap();
    let target = c.parse_version("v67000").unwrap();
    let cfg = SimConfig {
        devices: 20_000,
        fail_rate_ppm: 100_000,
        offline_rate_ppm: 150_000,
        duplicate_rate_ppm: 50_000,
        shelf_secs: 365 * DAY,
        seed: 2020,
        // The devices on v64000 are AG-1s: v64000 is for AG-1 alone.
        model: Some("AG-1".into()),
        ..SimConfig::default()
    };
    let mut sim = Simulation::new(&c, &target, cfg).unwrap();
    sim.run();
    let r = sim.report();
    // Every device is accounted for; all but a handful (five straight failures of one hop at a
    // 10% failure rate) converge, and the give-ups say why.
    assert_eq!(
        r.converged + r.given_up.values().sum::<u64>() + r.held.values().sum::<u64>() + r.pending,
        20_000
    );
    assert_eq!(r.pending, 0);
    assert!(r.converged >= 19_990, "{r:?}");
    assert!(
        r.given_up.keys().all(|k| k == "retry.attempts_per_hop"),
        "{:?}",
        r.given_up
    );
    // Never more than five attempts on a hop.
    assert!(r.attempts_histogram.keys().all(|a| (1..=5).contains(a)));
    // The path: v65000, v66000, v66003, v67000 for everyone; never v66001 or v66002.
    let hops: BTreeMap<&str, u64> = r
        .hops_by_release
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        hops.keys().copied().collect::<Vec<_>>(),
        ["v65000", "v66000", "v66003", "v67000"]
    );
    assert_eq!(hops["v67000"], r.converged, "{r:?}");
    // Shelf devices came back over a year: the last converges near the end of it.
    let days = r.converge_days.unwrap();
    assert!(days.max > 300.0 && days.max < 400.0, "{days:?}");
    assert!(r.events.duplicate + r.events.stale + r.events.not_in_flight > 0);
    // Where the fleet ended: the converged on v67000, the rest on the path, lowest first.
    assert_eq!(r.final_versions.iter().map(|(_, n)| n).sum::<u64>(), 20_000);
    assert_eq!(
        r.final_versions.last(),
        Some(&("v67000".to_string(), r.converged))
    );
    let path = ["v64000", "v65000", "v66000", "v66003", "v67000"];
    let mut at = 0;
    for (v, _) in &r.final_versions {
        at += path[at..]
            .iter()
            .position(|p| p == v)
            .expect("on the path, in order");
    }
    // The stuck: the given-up ones, on the version whose next hop failed five times.
    assert_eq!(
        r.stuck.iter().map(|s| s.count).sum::<u64>(),
        20_000 - r.converged
    );
    assert!(
        r.stuck
            .iter()
            .all(|s| s.code == "retry.attempts_per_hop" && s.from != "v67000")
    );
}
