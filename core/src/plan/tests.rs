use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::catalog::Catalog;

pub(crate) const FIGURE_1: &str = r#"{"releases": [
  {"version": "v64000", "kind": "major", "size": 1000},
  {"version": "v65000", "kind": "major", "min_sw_version": "v64000", "size": 1100},
  {"version": "v66000", "kind": "major", "min_sw_version": "v65000", "size": 1200},
  {"version": "v66001", "kind": "minor", "min_sw_version": "v66000", "size": 1210},
  {"version": "v66002", "kind": "minor", "min_sw_version": "v66000", "size": 1220},
  {"version": "v66003", "kind": "minor", "min_sw_version": "v66000", "size": 1230},
  {"version": "v67000", "kind": "major", "min_sw_version": "v66003", "size": 1300}]}"#;

fn path(catalog: &Catalog, q: &Query) -> Result<Vec<String>, &'static str> {
    plan(catalog, q)
        .map(|p| p.path.iter().map(|v| v.as_str().to_string()).collect())
        .map_err(|e| e.code())
}

fn q(c: &Catalog, from: &str, to: &str) -> Query {
    Query::parse(c, from, to).unwrap()
}

#[test]
fn the_seeds_six_worked_paths() {
    let c = Catalog::from_json(FIGURE_1).unwrap();
    let cases: [(&str, &[&str]); 6] = [
        ("v65000", &["v65000"]),
        ("v66000", &["v65000", "v66000"]),
        ("v66001", &["v65000", "v66000", "v66001"]),
        ("v66002", &["v65000", "v66000", "v66002"]),
        ("v66003", &["v65000", "v66000", "v66003"]),
        ("v67000", &["v65000", "v66000", "v66003", "v67000"]),
    ];
    for (to, want) in cases {
        assert_eq!(path(&c, &q(&c, "v64000", to)).unwrap(), want, "to {to}");
        assert_eq!(
            path(&c, &q(&c, "v64000", to).cost(Cost::Bytes)).unwrap(),
            want,
            "bytes to {to}"
        );
    }
}

#[test]
fn special_cases() {
    let c = Catalog::from_json(FIGURE_1).unwrap();
    assert_eq!(
        path(&c, &q(&c, "v66002", "66002")).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        path(&c, &q(&c, "v64000", "v99999")),
        Err("plan.unknown_target")
    );
    assert_eq!(path(&c, &q(&c, "v67000", "v65000")), Err("plan.downgrade"));
    assert_eq!(
        path(&c, &q(&c, "v67000", "v65000").allow_downgrade(true)).unwrap(),
        ["v65000"]
    );
    // A version not in the catalog, between releases.
    assert_eq!(
        path(&c, &q(&c, "v65500", "v67000")).unwrap(),
        ["v66000", "v66003", "v67000"]
    );
    // Below the first release, which has no minimum: it marches up from there.
    assert_eq!(
        path(&c, &q(&c, "v63000", "v67000")).unwrap(),
        ["v64000", "v65000", "v66000", "v66003", "v67000"]
    );
}

#[test]
fn yanked_stepping_stone_names_the_blocker() {
    let json = FIGURE_1.replace(
        r#""version": "v66003", "kind": "minor""#,
        r#""version": "v66003", "yanked": true, "kind": "minor""#,
    );
    let c = Catalog::from_json(&json).unwrap();
    let e = plan(&c, &q(&c, "v64000", "v67000")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no path from v64000 to v67000: v67000 needs at least v66003; nothing this device can install reaches it (v66003 is yanked)"
    );
    assert_eq!(
        path(&c, &q(&c, "v64000", "v66003")),
        Err("plan.target_yanked")
    );
}

#[test]
fn models_environments_barriers_deadends_blocked() {
    // Release 7 names both models and both environments, so the catalog knows B and
    // production: the target checks, not the device check, refuse them below.
    let c = Catalog::from_json(
        r#"{"releases": [
        {"version": "1", "size": 10},
        {"version": "2", "size": 10, "models": ["A"]},
        {"version": "3", "size": 10, "barrier": true},
        {"version": "4", "size": 10, "environments": ["staging"]},
        {"version": "5", "size": 10, "blocked_from": ["3"]},
        {"version": "6", "size": 10, "deadend": true},
        {"version": "7", "size": 10, "models": ["A", "B"],
         "environments": ["staging", "production"]}]}"#,
    )
    .unwrap();
    // Model A in staging may install every release.
    let qa = |from, to| q(&c, from, to).model("A").environment("staging");
    assert_eq!(path(&c, &qa("1", "7")).unwrap(), ["3", "7"]);
    // Barrier 3 is needed by everything above it.
    assert_eq!(path(&c, &qa("1", "5")).unwrap(), ["3", "4", "5"]);
    assert_eq!(
        path(&c, &qa("1", "5").environment("production")),
        Err("plan.unreachable")
    );
    assert_eq!(path(&c, &qa("1", "2").model("B")), Err("plan.target_model"));
    assert_eq!(
        path(&c, &qa("1", "4").environment("production")),
        Err("plan.target_environment")
    );
    // From the dead end nothing leaves.
    let e = plan(&c, &qa("6", "7")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no path from 6 to 7: 6 is a dead end: no automatic update leaves it"
    );
    let e = plan(&c, &qa("3", "5").environment("production")).unwrap_err();
    assert!(
        e.to_string()
            .contains("5 may not be installed from 3 (blocked_from)"),
        "{e}"
    );
    // The releases differ by model and by environment: a device must state both, and a name
    // no release lists is refused, even for a target that would fit any device.
    assert_eq!(
        path(&c, &q(&c, "1", "3").environment("staging")),
        Err("plan.model_required")
    );
    assert_eq!(
        path(&c, &q(&c, "1", "3").model("A")),
        Err("plan.environment_required")
    );
    assert_eq!(path(&c, &q(&c, "1", "3")), Err("plan.model_required"));
    assert_eq!(
        path(&c, &qa("1", "3").model("C")),
        Err("plan.unknown_model")
    );
    assert_eq!(
        path(&c, &qa("1", "3").environment("dev")),
        Err("plan.unknown_environment")
    );
    // The device is checked before the target: even an unknown target or one already
    // reached is refused for a device the catalog cannot place.
    assert_eq!(path(&c, &q(&c, "1", "99")), Err("plan.model_required"));
    assert_eq!(path(&c, &q(&c, "3", "3")), Err("plan.model_required"));
    assert_eq!(
        next_hop(&c, &q(&c, "1", "7")).map_err(|e| e.code()),
        Err("plan.model_required")
    );
}

#[test]
fn a_device_the_catalog_cannot_place_is_refused_with_the_names_it_knows() {
    let c = Catalog::from_json(
        r#"{"releases": [
        {"version": "1", "models": ["GW-2", "GW-1"], "environments": ["prod"]},
        {"version": "2", "models": ["GW-1"], "environments": ["prod", "beta"]}]}"#,
    )
    .unwrap();
    let e = plan(&c, &q(&c, "1", "2")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "this catalog's releases differ by model (GW-1, GW-2): state the device's model"
    );
    let e = plan(&c, &q(&c, "1", "2").model("GW-1")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "this catalog's releases differ by environment (beta, prod): state the device's environment"
    );
    let e = plan(&c, &q(&c, "1", "2").model("GW-3").environment("prod")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown model \"GW-3\": the catalog's releases name GW-1, GW-2"
    );
    let e = plan(&c, &q(&c, "1", "2").model("GW-1").environment("qa")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown environment \"qa\": the catalog's releases name beta, prod"
    );
    assert_eq!(
        path(&c, &q(&c, "1", "2").model("GW-1").environment("beta")),
        Ok(vec!["2".to_string()])
    );
}

#[test]
fn the_same_names_on_every_release_need_no_statement() {
    // Every release (the yanked one too) names the same models, in any order: answers cannot
    // differ by model, so none is needed, but a model stated must still be one of them.
    let c = Catalog::from_json(
        r#"{"releases": [
        {"version": "1", "models": ["A", "B"]},
        {"version": "2", "models": ["B", "A"], "yanked": true},
        {"version": "3", "models": ["A", "B", "A"]}]}"#,
    )
    .unwrap();
    assert_eq!(path(&c, &q(&c, "1", "3")), Ok(vec!["3".to_string()]));
    assert_eq!(
        path(&c, &q(&c, "1", "3").model("B")),
        Ok(vec!["3".to_string()])
    );
    assert_eq!(
        path(&c, &q(&c, "1", "3").model("C")),
        Err("plan.unknown_model")
    );
    // A catalog that names no model or environment takes any.
    let c = Catalog::from_json(FIGURE_1).unwrap();
    assert!(c.models().is_empty() && !c.model_required() && !c.environment_required());
    assert_eq!(
        path(
            &c,
            &q(&c, "v66003", "v67000")
                .model("anything")
                .environment("anywhere")
        ),
        Ok(vec!["v67000".to_string()])
    );
    // A yanked release that names a model still makes the answers differ by model.
    let c = Catalog::from_json(
        r#"{"releases": [{"version": "1"}, {"version": "2", "models": ["A"], "yanked": true},
        {"version": "3"}]}"#,
    )
    .unwrap();
    assert!(c.model_required());
    assert_eq!(path(&c, &q(&c, "1", "3")), Err("plan.model_required"));
    assert_eq!(
        path(&c, &q(&c, "1", "3").model("A")),
        Ok(vec!["3".to_string()])
    );
}

#[test]
fn bytes_prefer_deltas_and_count_them() {
    let c = Catalog::from_json(
        r#"{"releases": [
        {"version": "1", "size": 100},
        {"version": "2", "size": 100, "deltas": [{"from": "1", "size": 5}]},
        {"version": "3", "size": 100, "deltas": [{"from": "2", "size": 5}]},
        {"version": "4", "size": 100, "deltas": [{"from": "3", "size": 5}]}]}"#,
    )
    .unwrap();
    let by_hops = plan(&c, &q(&c, "1", "4")).unwrap();
    assert_eq!(by_hops.path.len(), 1);
    assert_eq!(by_hops.bytes, Some(100));
    let by_bytes = plan(&c, &q(&c, "1", "4").cost(Cost::Bytes)).unwrap();
    assert_eq!(by_bytes.hops, 3);
    assert_eq!(by_bytes.bytes, Some(15));
    assert_eq!(
        by_bytes.steps[0].delta_from.as_ref().map(|v| v.as_str()),
        Some("1")
    );
}

#[test]
fn a_delta_is_the_cost_even_when_larger_than_the_image() {
    let c = Catalog::from_json(
        r#"{"releases": [
        {"version": "1", "size": 100},
        {"version": "2", "size": 10, "deltas": [{"from": "1", "size": 50}]},
        {"version": "3", "size": 10, "min_sw_version": "2"}]}"#,
    )
    .unwrap();
    let p = plan(&c, &q(&c, "1", "3").cost(Cost::Bytes)).unwrap();
    assert_eq!(p.bytes, Some(60));
}

#[test]
fn missing_size_when_planning_by_bytes() {
    let c = Catalog::from_json(r#"{"releases": [{"version": "1"}, {"version": "2"}]}"#).unwrap();
    assert_eq!(
        path(&c, &q(&c, "1", "2").cost(Cost::Bytes)),
        Err("plan.missing_size")
    );
    assert_eq!(plan(&c, &q(&c, "1", "2")).unwrap().bytes, None);
}

#[test]
fn tie_break_prefers_the_higher_first_hop() {
    // 1 → {2, 3} → 4, both two hops, same bytes: 3 wins.
    let c = Catalog::from_json(
        r#"{"releases": [
        {"version": "1", "size": 10},
        {"version": "2", "size": 10},
        {"version": "3", "size": 10},
        {"version": "4", "size": 10, "min_sw_version": "2", "blocked_from": ["3"]},
        {"version": "5", "size": 10, "min_sw_version": "4"}]}"#,
    )
    .unwrap();
    assert_eq!(path(&c, &q(&c, "1", "5")).unwrap(), ["2", "4", "5"]);
    let c = Catalog::from_json(
        r#"{"releases": [
        {"version": "1", "size": 10}, {"version": "2", "size": 10}, {"version": "3", "size": 10},
        {"version": "4", "size": 10, "min_sw_version": "2"}]}"#,
    )
    .unwrap();
    assert_eq!(path(&c, &q(&c, "1", "4")).unwrap(), ["3", "4"]);
}
