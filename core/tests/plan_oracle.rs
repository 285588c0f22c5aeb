//! The planner against a brute-force oracle written here from the install rules: enumerate
//! every increasing chain of installs, keep the best by (cost, hops, higher first differing
//! hop). Random catalogs in all three schemes, with yanked releases, models, environments,
//! barriers, dead ends, blocked_from versions and ranges, and deltas. Queries state a model and
//! an environment or not, known or not, and the device rule is checked against its own
//! oracle (`device_refusal`, which computes the catalog's model and environment sets itself).

use std::cmp::Ordering;

use proptest::prelude::*;
use serde_json::{Value, json};
use stepstone::ErrorCode;
use stepstone::campaign::CampaignTable;
use stepstone::catalog::{Catalog, Release};
use stepstone::compact::{CompactCatalog, PackOptions, pack};
use stepstone::plan::{Cost, Query, next_hop, plan};
use stepstone::version::{Version, VersionKey};

#[path = "support/install_rule.rs"]
mod install_rule;
use install_rule::{device_refusal, installable};

#[derive(Debug, Clone)]
struct Spec {
    scheme: u8,
    releases: Vec<RSpec>,
    from: u32,
    target: usize,
    model: Option<&'static str>,
    env: Option<&'static str>,
    bytes: bool,
}

/// How a spec's releases name one axis: as generated (mostly differing), all as the first
/// release does (answers cannot differ: no name needed), or none at all (any name).
#[derive(Debug, Clone, Copy)]
enum Axis {
    Mixed,
    Same,
    Unnamed,
}

fn axis() -> impl Strategy<Value = Axis> {
    prop_oneof![3 => Just(Axis::Mixed), 1 => Just(Axis::Same), 1 => Just(Axis::Unnamed)]
}

fn unify<T: Clone>(axis: Axis, lists: &mut [Option<T>]) {
    let first = match axis {
        Axis::Mixed => return,
        Axis::Same => lists.first().cloned().flatten(),
        Axis::Unnamed => None,
    };
    for l in lists {
        *l = first.clone();
    }
}

#[derive(Debug, Clone)]
struct RSpec {
    v: u32,
    min: Option<u32>,
    size: Option<u64>,
    yanked: bool,
    barrier: bool,
    deadend: bool,
    models: Option<Vec<&'static str>>,
    envs: Option<Vec<&'static str>>,
    blocked: Vec<(u8, u32, u32)>, // (form, a, b): 0 = exact a, 1 = >=a,<b, 2 = <a
    deltas: Vec<(u32, u64)>,
}

/// An order-preserving spelling of `n` in each scheme.
fn spell(scheme: u8, n: u32) -> String {
    match scheme {
        0 => format!("v{n}"),
        1 => match n % 3 {
            0 => format!("1.{}.0-alpha", n / 3),
            1 => format!("v1.{}.0-rc.1", n / 3),
            _ => format!("1.{}.0+build.{n}", n / 3),
        },
        _ => format!("{}.{}.{}", n / 6, (n / 2) % 3, n % 2),
    }
}

fn rspec() -> impl Strategy<Value = RSpec> {
    let pick = prop_oneof![
        Just(None),
        Just(Some(vec!["A"])),
        Just(Some(vec!["B"])),
        Just(Some(vec!["A", "B"]))
    ];
    let envs = prop_oneof![4 => Just(None), 1 => Just(Some(vec!["prod"])), 1 => Just(Some(vec!["staging"]))];
    (
        0u32..24,
        proptest::option::weighted(0.6, 0u32..24),
        proptest::option::weighted(0.95, 1u64..60),
        proptest::bool::weighted(0.12),
        proptest::bool::weighted(0.1),
        proptest::bool::weighted(0.08),
        pick,
        envs,
        proptest::collection::vec((0u8..3, 0u32..24, 0u32..24), 0..2),
        proptest::collection::vec((0u32..24, 1u64..30), 0..3),
    )
        .prop_map(
            |(v, min, size, yanked, barrier, deadend, models, envs, blocked, deltas)| RSpec {
                v,
                min,
                size,
                yanked,
                barrier,
                deadend,
                models,
                envs,
                blocked,
                deltas,
            },
        )
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0u8..3,
        proptest::collection::vec(rspec(), 1..9),
        0u32..25,
        0usize..9,
        // Mostly a model the catalog may name; sometimes none, sometimes one no release names.
        prop_oneof![1 => Just(None), 4 => Just(Some("A")), 4 => Just(Some("B")), 1 => Just(Some("C"))],
        prop_oneof![1 => Just(None), 5 => Just(Some("prod")), 1 => Just(Some("staging")), 1 => Just(Some("dev"))],
        any::<bool>(),
        (axis(), axis()),
    )
        .prop_map(|(scheme, mut releases, from, target, model, env, bytes, (models, envs))| {
            // Distinct versions; keep only valid constraints (min below, deltas below).
            releases.sort_by_key(|r| r.v);
            releases.dedup_by_key(|r| r.v);
            for r in &mut releases {
                r.min = r.min.filter(|m| *m < r.v);
                r.deltas.retain(|d| d.0 < r.v);
                r.deltas.sort_by_key(|d| d.0);
                r.deltas.dedup_by_key(|d| d.0);
                r.blocked.retain(|b| b.0 != 1 || b.1 < b.2);
            }
            let mut lists: Vec<_> = releases.iter().map(|r| r.models.clone()).collect();
            unify(models, &mut lists);
            for (r, l) in releases.iter_mut().zip(lists) {
                r.models = l;
            }
            let mut lists: Vec<_> = releases.iter().map(|r| r.envs.clone()).collect();
            unify(envs, &mut lists);
            for (r, l) in releases.iter_mut().zip(lists) {
                r.envs = l;
            }
            let target = target % releases.len();
            Spec {
                scheme,
                releases,
                from,
                target,
                model,
                env,
                bytes,
            }
        })
}

fn to_json(s: &Spec) -> Value {
    let sp = |n| spell(s.scheme, n);
    let releases: Vec<Value> = s
        .releases
        .iter()
        .map(|r| {
            let mut o = json!({"version": sp(r.v)});
            let m = o.as_object_mut().unwrap();
            if let Some(min) = r.min {
                m.insert("min_sw_version".into(), json!(sp(min)));
            }
            if let Some(size) = r.size {
                m.insert("size".into(), json!(size));
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
                .map(|&(form, a, b)| match form {
                    0 => sp(a),
                    1 => format!(">={}, <{}", sp(a), sp(b)),
                    _ => format!("<{}", sp(a)),
                })
                .collect();
            if !blocked.is_empty() {
                m.insert("blocked_from".into(), json!(blocked));
            }
            if !r.deltas.is_empty() {
                let d: Vec<Value> = r
                    .deltas
                    .iter()
                    .map(|(f, size)| json!({"from": sp(*f), "size": size}))
                    .collect();
                m.insert("deltas".into(), json!(d));
            }
            o
        })
        .collect();
    let scheme = ["integer", "semver", "dotted"][s.scheme as usize];
    json!({"scheme": scheme, "releases": releases})
}

/// Every name a release lists on one axis, sorted, once each, as a refusal message lists them
/// (`A, B`).
fn names_listed(c: &Catalog, models: bool) -> String {
    let mut all: Vec<&str> = c
        .releases()
        .iter()
        .flat_map(|r| if models { &r.models } else { &r.environments })
        .flatten()
        .map(String::as_str)
        .collect();
    all.sort_unstable();
    all.dedup();
    all.join(", ")
}

fn hop_cost(from: &VersionKey, r: &Release, cost: Cost) -> u64 {
    match cost {
        Cost::Hops => 1,
        Cost::Bytes => r
            .delta_from(from)
            .map(|d| d.size)
            .or(r.size)
            .unwrap_or(u64::MAX / 1024),
    }
}

/// (cost, hops, path) of the best chain, by exhaustive search.
fn oracle(c: &Catalog, q: &Query) -> Option<(u64, usize, Vec<Version>)> {
    fn better(a: &(u64, usize, Vec<Version>), b: &(u64, usize, Vec<Version>)) -> bool {
        match (a.0, a.1).cmp(&(b.0, b.1)) {
            Ordering::Less => true,
            Ordering::Greater => false,
            Ordering::Equal => {
                for (x, y) in a.2.iter().zip(&b.2) {
                    if x != y {
                        return x > y;
                    }
                }
                false
            }
        }
    }
    fn go(
        c: &Catalog,
        q: &Query,
        at: &VersionKey,
        cost: u64,
        path: &mut Vec<Version>,
        best: &mut Option<(u64, usize, Vec<Version>)>,
    ) {
        if at == q.to.key() {
            let cand = (cost, path.len(), path.clone());
            if best.as_ref().is_none_or(|b| better(&cand, b)) {
                *best = Some(cand);
            }
            return;
        }
        for r in c.releases() {
            if r.version <= q.to && installable(c, at, r, q) {
                path.push(r.version.clone());
                go(
                    c,
                    q,
                    r.version.key(),
                    cost + hop_cost(at, r, q.cost),
                    path,
                    best,
                );
                path.pop();
            }
        }
    }
    let mut best = None;
    go(c, q, q.from.key(), 0, &mut Vec::new(), &mut best);
    best
}

proptest! {
    // A third of the queries are refused by the device rule before any path is sought: 6000
    // cases leave about a thousand paths and unreachable targets to check against the oracle.
    #![proptest_config(ProptestConfig { cases: 6000, ..ProptestConfig::default() })]

    #[test]
    fn planner_matches_the_brute_force_oracle(s in spec()) {
        // Loaded from text (sorted keys, the scheme after the releases), by `from_json`'s
        // fast path: the same catalog as the `Value` walk reads.
        let text = to_json(&s).to_string();
        let c = Catalog::from_json(&text).unwrap();
        prop_assert_eq!(Catalog::from_json_fast(&text), Some(c.clone()));
        if let Some(scanned) = Catalog::from_json_scanned(&text) {
            prop_assert_eq!(scanned.to_json(), c.to_json());
        }
        prop_assert_eq!(&c, &Catalog::from_json_value(&to_json(&s)).unwrap());
        let from = c.parse_version(&spell(s.scheme, s.from)).unwrap();
        let to = c.parse_version(&spell(s.scheme, s.releases[s.target].v)).unwrap();
        let mut q = Query::new(from.clone(), to.clone()).cost(if s.bytes { Cost::Bytes } else { Cost::Hops });
        q.model = s.model.map(String::from);
        q.environment = s.env.map(String::from);
        let target = c.get(to.key()).unwrap();
        // The campaign table's wire form reads back to a table with the same answer for every
        // release and constraint version, the device's and each build number beside a release,
        // with and without downgrades (what the `rollout` module's reconciler runs on).
        if let Ok(table) = CampaignTable::build(&c, &to, q.model.as_deref(), q.environment.as_deref(), q.cost) {
            for allow in [false, true] {
                let table = table.clone().allow_downgrade(allow);
                let text = table.to_table_json();
                let back = CampaignTable::from_table_json(&text).unwrap();
                prop_assert_eq!(back.to_table_json(), text);
                let mut probes: Vec<&Version> = vec![&from, &to];
                for r in c.releases() {
                    probes.push(&r.version);
                    probes.extend(r.min_sw_version.as_ref());
                }
                for p in probes {
                    prop_assert_eq!(back.next_hop(p.key()), table.next_hop(p.key()), "at {}", p);
                    if let Some(n) = p.key().as_integer() {
                        for v in [n.saturating_sub(1), n, n + 1] {
                            prop_assert_eq!(back.next_hop_integer_str(v), table.next_hop_integer_str(v));
                        }
                    }
                }
            }
        }
        let got = plan(&c, &q);
        // The device comes first: a refusal here is what plan, next_hop, the campaign table
        // and explain all answer, whatever the target and path.
        if let Some(code) = device_refusal(&c, s.model, s.env) {
            let e = got.unwrap_err();
            prop_assert_eq!(e.code(), code);
            let listed = names_listed(&c, code.contains("model"));
            prop_assert!(e.to_string().contains(&listed), "{} does not list {}", e, listed);
            prop_assert_eq!(next_hop(&c, &q).unwrap_err().code(), code);
            let table = CampaignTable::build(&c, &to, q.model.as_deref(), q.environment.as_deref(), q.cost);
            prop_assert_eq!(table.unwrap_err().code(), code);
            let ex = serde_json::to_value(stepstone::explain::explain(&c, &q)).unwrap();
            prop_assert_eq!(&ex["outcome"]["error"]["code"], code);
            prop_assert_eq!(&ex["releases"], &json!([]));
            return Ok(());
        }
        let eligible = !target.yanked && target.fits_model(q.model.as_deref()) && target.fits_environment(q.environment.as_deref());
        if !eligible || from >= to {
            prop_assert!(got.is_err() || from == to);
            return Ok(());
        }
        let missing_size = s.bytes && c.releases().iter().any(|r| r.version > from && r.version <= to
            && !r.yanked && r.fits_model(q.model.as_deref()) && r.fits_environment(q.environment.as_deref()) && r.size.is_none());
        if missing_size {
            prop_assert_eq!(got.map_err(|e| e.code()).err(), Some("plan.missing_size"));
            return Ok(());
        }
        match oracle(&c, &q) {
            None => prop_assert_eq!(got.map_err(|e| e.code()).err(), Some("plan.unreachable")),
            Some((cost, hops, path)) => {
                let p = got.map_err(|e| e.to_string());
                prop_assert!(p.is_ok(), "planner said {:?}, oracle found {:?}", p, path);
                let p = p.unwrap();
                prop_assert_eq!(&p.path, &path);
                prop_assert_eq!(p.hops, hops);
                if s.bytes {
                    prop_assert_eq!(p.bytes, Some(cost));
                }
                // next_hop is the first hop, and following it walks the path.
                let mut at = from.clone();
                for want in &path {
                    let mut step = q.clone();
                    step.from = at.clone();
                    let hop = next_hop(&c, &step).unwrap();
                    prop_assert_eq!(hop.as_ref(), Some(want));
                    at = want.clone();
                }
                // The campaign table agrees.
                let table = CampaignTable::build(&c, &to, q.model.as_deref(), q.environment.as_deref(), q.cost).unwrap();
                let first = table.next_hop(from.key()).map_err(|e| e.code());
                prop_assert_eq!(first.unwrap(), path.first());
                // The bulk path's spellings answer as the versions do, for every build number
                // around every release (integer scheme).
                for r in c.releases() {
                    if let Some(n) = r.version.key().as_integer() {
                        for v in [n.saturating_sub(1), n, n + 1] {
                            let want = table.next_hop_integer(v).map(|h| h.map(Version::as_str));
                            prop_assert_eq!(table.next_hop_integer_str(v), want);
                        }
                    }
                }
            }
        }
    }

    /// The heap-free next hop over the packed catalog answers exactly what the planner
    /// answers (by hops, for the packed model and environment), errors included, for the
    /// target named at call time and for the packed target.
    #[test]
    fn compact_next_hop_matches_the_planner(s in spec()) {
        let c = Catalog::from_json_value(&to_json(&s)).unwrap();
        let from_text = spell(s.scheme, s.from);
        let to_text = spell(s.scheme, s.releases[s.target].v);
        let from = c.parse_version(&from_text).unwrap();
        let to = c.parse_version(&to_text).unwrap();
        let mut q = Query::new(from, to);
        q.model = s.model.map(String::from);
        q.environment = s.env.map(String::from);
        let want = next_hop(&c, &q).map(|h| h.map(|v| v.as_str().to_string())).map_err(|e| e.code());
        let opts = PackOptions { target: Some(to_text.clone()), model: q.model.clone(), environment: q.environment.clone() };
        // A pack is refused for a device the catalog cannot place, as a plan is.
        if let Some(code) = device_refusal(&c, s.model, s.env) {
            prop_assert_eq!(pack(&c, &opts).unwrap_err().code(), code);
            prop_assert_eq!(want, Err(code));
            return Ok(());
        }
        let bytes = pack(&c, &opts).unwrap();
        let compact = CompactCatalog::parse(&bytes).unwrap();
        for target in [Some(to_text.as_str()), None] {
            let got = compact.next_hop(&from_text, target).map(|h| h.map(String::from)).map_err(|e| e.code());
            prop_assert_eq!(&got, &want, "target {:?}", target);
        }
    }
}
