//! Structured planning: an arbitrary small catalog (any scheme, every constraint) and query.
//! Whenever the catalog loads, `plan`, `next_hop` and a `CampaignTable` must agree:
//! `next_hop` is the first hop of the plan, following it walks the plan, every hop obeys
//! the install rule (README, "Update paths"), and the table gives the same first hop or the same refusal.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use stepstone::ErrorCode;
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::{Cost, Query, next_hop, plan};
use stepstone::version::VersionKey;

#[path = "../../core/tests/support/install_rule.rs"]
mod install_rule;
use install_rule::{device_refusal, installable};

#[derive(Arbitrary, Debug)]
enum Ver {
    /// A version from a small ordered pool (so constraints meet), spelled in the scheme.
    N(u8),
    /// Any text at all.
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Blocked {
    Exact(Ver),
    Range(Ver, Ver),
    Below(Ver),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
struct R {
    v: Ver,
    min: Option<Ver>,
    size: Option<u16>,
    yanked: bool,
    barrier: bool,
    deadend: bool,
    models: u8,
    envs: u8,
    blocked: Vec<Blocked>,
    deltas: Vec<(Ver, u16)>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    scheme: u8,
    releases: Vec<R>,
    from: Ver,
    to: Result<u8, Ver>,
    model: u8,
    env: u8,
    bytes: bool,
    allow_downgrade: bool,
}

/// An order-preserving spelling of `n` in each scheme (3: dotted, undeclared).
fn spell(scheme: u8, n: u8) -> String {
    let n = u32::from(n % 40);
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

fn text(scheme: u8, v: &Ver) -> String {
    match v {
        Ver::N(n) => spell(scheme, *n),
        Ver::Raw(s) => s.clone(),
    }
}

fn names(bits: u8, a: &str, b: &str) -> Option<Value> {
    match bits % 4 {
        0 => None,
        1 => Some(json!([a])),
        2 => Some(json!([b])),
        _ => Some(json!([a, b])),
    }
}

fn catalog_json(input: &Input) -> Value {
    let s = input.scheme % 4;
    let releases: Vec<Value> = input
        .releases
        .iter()
        .take(24)
        .map(|r| {
            let mut m = Map::new();
            m.insert("version".into(), json!(text(s, &r.v)));
            if let Some(min) = &r.min {
                m.insert("min_sw_version".into(), json!(text(s, min)));
            }
            if let Some(size) = r.size {
                m.insert("size".into(), json!(size));
            }
            for (k, on) in [
                ("yanked", r.yanked),
                ("barrier", r.barrier),
                ("deadend", r.deadend),
            ] {
                if on {
                    m.insert(k.into(), json!(true));
                }
            }
            if let Some(v) = names(r.models, "A", "B") {
                m.insert("models".into(), v);
            }
            if let Some(v) = names(r.envs, "prod", "staging") {
                m.insert("environments".into(), v);
            }
            let blocked: Vec<String> = r
                .blocked
                .iter()
                .take(3)
                .map(|b| match b {
                    Blocked::Exact(v) => text(s, v),
                    Blocked::Range(a, b) => format!(">={}, <{}", text(s, a), text(s, b)),
                    Blocked::Below(v) => format!("<{}", text(s, v)),
                    Blocked::Raw(t) => t.clone(),
                })
                .collect();
            if !blocked.is_empty() {
                m.insert("blocked_from".into(), json!(blocked));
            }
            let deltas: Vec<Value> = r
                .deltas
                .iter()
                .take(3)
                .map(|(f, size)| json!({"from": text(s, f), "size": size}))
                .collect();
            if !deltas.is_empty() {
                m.insert("deltas".into(), json!(deltas));
            }
            Value::Object(m)
        })
        .collect();
    match s {
        3 => json!({ "releases": releases }),
        _ => {
            let scheme = ["integer", "semver", "dotted"][usize::from(s)];
            json!({ "scheme": scheme, "releases": releases })
        }
    }
}

fn check(input: &Input) {
    let Ok(c) = Catalog::from_json(&catalog_json(input).to_string()) else {
        return;
    };
    let s = input.scheme % 4;
    let Ok(from) = c.parse_version(&text(s, &input.from)) else {
        return;
    };
    let to = match &input.to {
        Ok(i) => match c
            .releases()
            .get(usize::from(*i) % c.releases().len().max(1))
        {
            Some(r) => r.version.clone(),
            None => return,
        },
        Err(v) => match c.parse_version(&text(s, v)) {
            Ok(v) => v,
            Err(_) => return,
        },
    };
    let mut q = Query::new(from.clone(), to.clone())
        .cost(if input.bytes { Cost::Bytes } else { Cost::Hops })
        .allow_downgrade(input.allow_downgrade);
    // C and dev: names no release lists (refused when the catalog lists any).
    q.model =
        [None, Some("A"), Some("B"), Some("C")][usize::from(input.model % 4)].map(String::from);
    q.environment = [None, Some("prod"), Some("dev")][usize::from(input.env % 3)].map(String::from);

    let p = plan(&c, &q);
    let hop = next_hop(&c, &q);
    // The device rule, from its own oracle: a device the catalog cannot place is refused first.
    if let Some(code) = device_refusal(&c, q.model.as_deref(), q.environment.as_deref()) {
        assert_eq!(
            p.as_ref().map_err(|e| e.code()).err(),
            Some(code),
            "device rule"
        );
    } else if let Err(e) = &p {
        let device = matches!(
            e.code(),
            "plan.model_required"
                | "plan.environment_required"
                | "plan.unknown_model"
                | "plan.unknown_environment"
        );
        assert!(!device, "refused a device the rule places: {e}");
    }
    match (&p, &hop) {
        (Ok(p), Ok(h)) => assert_eq!(h.as_ref(), p.path.first(), "next_hop is not the first hop"),
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "plan and next_hop refuse differently"),
        _ => panic!("plan {p:?} but next_hop {hop:?}"),
    }

    if let Ok(p) = &p {
        assert_eq!(p.hops, p.path.len());
        let downgrade = to < from;
        if !downgrade {
            // Every hop obeys the install rule, and following next_hop walks the path.
            let mut at = from.clone();
            for want in &p.path {
                let r = c
                    .get(want.key())
                    .expect("a planned release is in the catalog");
                assert!(
                    installable(&c, at.key(), r, &q),
                    "{at} -> {want} is not installable"
                );
                let mut step = q.clone();
                step.from = at.clone();
                let h = next_hop(&c, &step).expect("a step on the plan has a next hop");
                assert_eq!(h.as_ref(), Some(want), "next_hop from {at} leaves the plan");
                at = want.clone();
            }
            assert_eq!(&at, &to, "the plan does not end at the target");
        }
    }

    let table = CampaignTable::build(
        &c,
        &to,
        q.model.as_deref(),
        q.environment.as_deref(),
        q.cost,
    );
    let target_error = |code: &str| {
        matches!(
            code,
            "plan.model_required"
                | "plan.environment_required"
                | "plan.unknown_model"
                | "plan.unknown_environment"
                | "plan.unknown_target"
                | "plan.target_yanked"
                | "plan.target_model"
                | "plan.target_environment"
        )
    };
    let table = match (table, &p) {
        (Err(e), Err(pe)) if target_error(pe.code()) => {
            assert_eq!(
                e.code(),
                pe.code(),
                "table and plan refuse the target differently"
            );
            return;
        }
        (Err(e), _) => panic!("table refused ({e}) where plan said {p:?}"),
        (Ok(_), Err(pe)) if target_error(pe.code()) => panic!("table built where plan said {pe}"),
        (Ok(t), _) => t.allow_downgrade(q.allow_downgrade),
    };
    let got = table.next_hop(from.key());
    match (&p, got) {
        (Ok(p), Ok(h)) => assert_eq!(h, p.path.first(), "table and plan disagree"),
        (Err(pe), Err(r)) => assert_eq!(pe.code(), r.code(), "table and plan refuse differently"),
        (p, got) => panic!("plan {p:?} but table {got:?}"),
    }
    if let VersionKey::Integer(n) = from.key() {
        let fast = table.next_hop_integer(*n);
        assert_eq!(
            fast,
            table.next_hop(from.key()),
            "integer fast path differs"
        );
        assert_eq!(
            table.next_hop_integer_str(*n),
            fast.map(|h| h.map(stepstone::version::Version::as_str)),
            "packed spellings differ"
        );
    }
}

fuzz_target!(|input: Input| check(&input));
