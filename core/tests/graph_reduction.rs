//! The graph's transitive reduction (`graph::reduced_edges`, `graph::wire_edges` with
//! `Edges::Reduced`) against an oracle written here: the install relation from the install
//! rule (`support/install_rule.rs`, not the graph's own code), its reachability by
//! Floyd–Warshall, and an edge `a → b` kept exactly when no `c` with `a → c` reaches `b`.
//! Random catalogs with yanked releases, dead ends, barriers, `min_sw_version`s,
//! `blocked_from` versions and ranges, models and environments; also the full graph against
//! the same relation, and the reduction keeping every reachability.

use proptest::prelude::*;
use serde_json::{Value, json};
use stepstone::catalog::Catalog;
use stepstone::graph::{Edges, build, reduced_edges, wire_edges};
use stepstone::plan::Query;

#[path = "support/install_rule.rs"]
#[allow(dead_code)]
mod install_rule;
use install_rule::installable;

#[derive(Debug, Clone)]
struct R {
    min: Option<usize>,
    yanked: bool,
    barrier: bool,
    deadend: bool,
    models: Option<Vec<&'static str>>,
    envs: Option<Vec<&'static str>>,
    blocked: Vec<(bool, usize, usize)>,
}

fn release() -> impl Strategy<Value = R> {
    let models = prop_oneof![3 => Just(None), 1 => Just(Some(vec!["A"])), 1 => Just(Some(vec!["B"])), 1 => Just(Some(vec!["A", "B"]))];
    let envs = prop_oneof![4 => Just(None), 1 => Just(Some(vec!["prod"]))];
    (
        proptest::option::weighted(0.4, 0usize..16),
        proptest::bool::weighted(0.12),
        proptest::bool::weighted(0.1),
        proptest::bool::weighted(0.08),
        models,
        envs,
        proptest::collection::vec((any::<bool>(), 0usize..16, 0usize..16), 0..2),
    )
        .prop_map(|(min, yanked, barrier, deadend, models, envs, blocked)| R {
            min,
            yanked,
            barrier,
            deadend,
            models,
            envs,
            blocked,
        })
}

fn catalog_json(rs: &[R]) -> Value {
    let v = |i: usize| format!("v{}", 10 * (i + 1));
    let releases: Vec<Value> = rs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut o = json!({ "version": v(i) });
            let m = o.as_object_mut().unwrap();
            if let Some(min) = r.min.filter(|&m| m < i) {
                m.insert("min_sw_version".into(), json!(v(min)));
            }
            for (k, b) in [
                ("yanked", r.yanked),
                ("barrier", r.barrier),
                ("deadend", r.deadend),
            ] {
                if b {
                    m.insert(k.into(), json!(true));
                }
            }
            if let Some(models) = &r.models {
                m.insert("models".into(), json!(models));
            }
            if let Some(envs) = &r.envs {
                m.insert("environments".into(), json!(envs));
            }
            let blocked: Vec<String> = r
                .blocked
                .iter()
                .filter(|&&(range, a, b)| !range || a < b)
                .map(|&(range, a, b)| {
                    if range {
                        format!(">={}, <{}", v(a), v(b))
                    } else {
                        v(a)
                    }
                })
                .collect();
            if !blocked.is_empty() {
                m.insert("blocked_from".into(), json!(blocked));
            }
            o
        })
        .collect();
    json!({ "releases": releases })
}

/// The install relation among the releases a device of `q`'s model and environment could
/// run, as an adjacency matrix over release indices.
fn relation(c: &Catalog, q: &Query) -> (Vec<bool>, Vec<Vec<bool>>) {
    let rs = c.releases();
    let shown: Vec<bool> = rs
        .iter()
        .map(|r| r.fits_model(q.model.as_deref()) && r.fits_environment(q.environment.as_deref()))
        .collect();
    let n = rs.len();
    let mut e = vec![vec![false; n]; n];
    for a in 0..n {
        for b in 0..n {
            e[a][b] = shown[a] && shown[b] && installable(c, rs[a].version.key(), &rs[b], q);
        }
    }
    (shown, e)
}

fn closure(e: &[Vec<bool>]) -> Vec<Vec<bool>> {
    let n = e.len();
    let mut r = e.to_vec();
    for k in 0..n {
        for a in 0..n {
            for b in 0..n {
                r[a][b] = r[a][b] || (r[a][k] && r[k][b]);
            }
        }
    }
    r
}

fn edges_of(m: &[Vec<bool>]) -> Vec<(usize, usize)> {
    let n = m.len();
    let mut out: Vec<(usize, usize)> = (0..n)
        .flat_map(|b| (0..n).map(move |a| (a, b)))
        .filter(|&(a, b)| m[a][b])
        .collect();
    out.sort_by_key(|&(a, b)| (b, a));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn reduction_matches_the_oracle(
        rs in proptest::collection::vec(release(), 1..16),
        model in prop_oneof![Just(None), Just(Some("A")), Just(Some("B"))],
        env in prop_oneof![Just(None), Just(Some("prod"))],
    ) {
        let c = Catalog::from_json(&catalog_json(&rs).to_string()).unwrap();
        let first = c.releases()[0].version.as_str().to_string();
        let mut q = Query::parse(&c, &first, &first).unwrap();
        q.model = model.map(String::from);
        q.environment = env.map(String::from);
        let (shown, e) = relation(&c, &q);
        let reach = closure(&e);
        let n = e.len();

        // The full graph is the install relation.
        let g = build(&c, model, env);
        let full: Vec<(usize, usize)> = g
            .edge_indices()
            .filter_map(|x| g.edge_endpoints(x))
            .map(|(a, b)| {
                let idx = |v: &str| c.releases().iter().position(|r| r.version.as_str() == v).unwrap();
                (idx(g[a].0.version.as_str()), idx(g[b].0.version.as_str()))
            })
            .collect();
        prop_assert_eq!(&full, &edges_of(&e));

        // The reduction: an edge with no detour.
        let mut expect = vec![vec![false; n]; n];
        for a in 0..n {
            for b in 0..n {
                expect[a][b] = e[a][b] && !(0..n).any(|k| k != b && e[a][k] && reach[k][b]);
            }
        }
        let got = reduced_edges(&c, model, env);
        prop_assert_eq!(&got, &edges_of(&expect));

        // Nothing reachable is lost.
        let mut m = vec![vec![false; n]; n];
        for &(a, b) in &got {
            m[a][b] = true;
        }
        prop_assert_eq!(closure(&m), reach);

        // The wire form: the shown releases, those edges by version (when the device is placed).
        if let Ok(w) = wire_edges(&c, model, env, Edges::Reduced) {
            let versions: Vec<&str> = c
                .releases()
                .iter()
                .zip(&shown)
                .filter(|(_, s)| **s)
                .map(|(r, _)| r.version.as_str())
                .collect();
            prop_assert_eq!(w.nodes.iter().map(|x| x.version).collect::<Vec<_>>(), versions);
            let by_version: Vec<[&str; 2]> = got
                .iter()
                .map(|&(a, b)| [c.releases()[a].version.as_str(), c.releases()[b].version.as_str()])
                .collect();
            prop_assert_eq!(w.edges, by_version);
        }
    }
}

/// A stepping-stone catalog of 1,000 releases: the full relation has about n²/2k edges for
/// stones every k releases; the reduction has one edge per release but the first.
#[test]
fn a_thousand_releases_reduce_to_a_chain() {
    let releases: Vec<Value> = (0..1000)
        .map(|i| {
            let mut o = json!({ "version": format!("v{}", i + 1) });
            if i % 50 == 49 {
                o["min_sw_version"] = json!(format!("v{}", i));
            }
            o
        })
        .collect();
    let c = Catalog::from_json(&json!({ "releases": releases }).to_string()).unwrap();
    let got = reduced_edges(&c, None, None);
    assert_eq!(got.len(), 999);
    assert!(got.iter().all(|&(a, b)| b == a + 1), "{got:?}");
    let full = wire_edges(&c, None, None, Edges::All).unwrap().edges.len();
    assert!(full > 20 * got.len(), "{full} edges in the full graph");
}
