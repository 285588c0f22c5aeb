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

/// Every variant's message (and every blocker's), word for word what the former
/// `#[error(...)]` attributes and `write!` calls wrote (their format strings are kept here, with
/// `format!`, as the reference).
#[test]
fn messages_are_the_texts_the_error_attributes_wrote() {
    use crate::error::Quoted;
    use alloc::format;
    let odd = String::from("q\"\\\n\u{1}é");
    let t = String::from("v66001");
    let leaf = |note: Option<String>, barrier: bool| Blocker::NeedsAtLeast {
        release: "4".into(),
        minimum: "3".into(),
        barrier,
        note,
    };
    let mut blockers: Vec<(Blocker, String)> = vec![
        (
            Blocker::DeadEnd {
                release: odd.clone(),
            },
            format!("{odd} is a dead end: no automatic update leaves it"),
        ),
        (
            Blocker::BlockedFrom {
                release: "3".into(),
                from: "1".into(),
            },
            String::from(
                "3 may not be installed from 1 (blocked_from), and nothing else this device can install reaches it",
            ),
        ),
    ];
    for barrier in [false, true] {
        let what = if barrier { " (a barrier)" } else { "" };
        for note in [None, Some(odd.clone())] {
            let mut want =
                format!("4 needs at least 3{what}; nothing this device can install reaches it");
            if let Some(n) = &note {
                want.push_str(&format!(" ({n})"));
            }
            blockers.push((leaf(note, barrier), want));
        }
    }
    let mut nested = Vec::new();
    for (cause, cause_text) in &blockers {
        for barrier in [false, true] {
            let what = if barrier { " (a barrier)" } else { "" };
            nested.push((
                Blocker::NeedsUnreachable {
                    release: "5".into(),
                    minimum: "4".into(),
                    barrier,
                    cause: alloc::boxed::Box::new(cause.clone()),
                },
                format!("5 needs at least 4{what}, which this device cannot reach: {cause_text}"),
            ));
        }
    }
    blockers.extend(nested);
    for (b, want) in &blockers {
        assert_eq!(&b.message(), want, "{b:?}");
        assert_eq!(&b.to_string(), want, "{b:?}");
    }
    let mut cases: Vec<(PlanError, String)> = vec![
        (
            PlanError::UnknownTarget { target: t.clone() },
            format!("target {t} is not in the catalog"),
        ),
        (
            PlanError::TargetYanked { target: t.clone() },
            format!("target {t} is yanked"),
        ),
        (
            PlanError::TargetNotForModel {
                target: t.clone(),
                model: odd.clone(),
            },
            format!("target {t} is not for model {}", Quoted(&odd)),
        ),
        (
            PlanError::TargetNotForEnvironment {
                target: t.clone(),
                environment: odd.clone(),
            },
            format!("target {t} is not for environment {}", Quoted(&odd)),
        ),
        (
            PlanError::Downgrade {
                from: odd.clone(),
                target: t.clone(),
            },
            format!("target {t} is below the current version {odd}; downgrades are not allowed"),
        ),
        (
            PlanError::MissingSize { release: t.clone() },
            format!("cannot plan by bytes: release {t} has no size"),
        ),
        (
            PlanError::UnknownCost { value: odd.clone() },
            format!("unknown cost {} (expected hops or bytes)", Quoted(&odd)),
        ),
        (
            PlanError::ModelRequired {
                models: "A, B and 3 more".into(),
            },
            String::from(
                "this catalog's releases differ by model (A, B and 3 more): state the device's model",
            ),
        ),
        (
            PlanError::EnvironmentRequired {
                environments: odd.clone(),
            },
            format!(
                "this catalog's releases differ by environment ({odd}): state the device's environment"
            ),
        ),
        (
            PlanError::UnknownModel {
                model: odd.clone(),
                known: "A, B".into(),
            },
            format!(
                "unknown model {}: the catalog's releases name A, B",
                Quoted(&odd)
            ),
        ),
        (
            PlanError::UnknownEnvironment {
                environment: odd.clone(),
                known: "prod".into(),
            },
            format!(
                "unknown environment {}: the catalog's releases name prod",
                Quoted(&odd)
            ),
        ),
    ];
    for (b, text) in &blockers {
        cases.push((
            PlanError::Unreachable {
                from: "1".into(),
                target: t.clone(),
                blocker: alloc::boxed::Box::new(b.clone()),
            },
            format!("no path from 1 to {t}: {text}"),
        ));
    }
    assert_eq!(crate::text::tests::same_messages(&cases), 12);
    // The graph's and the campaign table's refusals too.
    let g = crate::graph::GraphError::UnknownFormat { name: odd.clone() };
    let want = format!(
        "unknown graph format {}: expected dot, mermaid or json",
        Quoted(&odd)
    );
    assert_eq!((g.message(), g.to_string()), (want.clone(), want));
    use crate::campaign::Refusal;
    for (r, want) in [
        (Refusal::Unreachable, "no path to the target"),
        (
            Refusal::Downgrade,
            "the target is below the device's version; downgrades are not allowed",
        ),
        (
            Refusal::MissingSize,
            "cannot plan by bytes: a release on the way has no size",
        ),
    ] {
        assert_eq!((r.message(), r.to_string().as_str()), (want, want));
    }
}
