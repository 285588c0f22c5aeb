//! The plan area's wire forms written by the core's JSON writer (`to_json`) held to
//! `serde_json` over the `Serialize` impls, byte for byte: a catalog (pretty), its lint report,
//! its graph (all edges and reduced, for every model and environment it names and none), and
//! the plan and explanation of every pair of its releases by hops and by bytes, with and
//! without downgrades, for every model. Used by `json_write.rs`.

use stepstone::catalog::Catalog;
use stepstone::explain::explain;
use stepstone::graph::{Edges, wire_edges};
use stepstone::lint::{self, lint};
use stepstone::plan::{Cost, Query, plan};

/// Panics, naming the catalog and the query, where the writer and serde_json differ; returns
/// how many texts were compared.
pub fn assert_wire_forms(c: &Catalog) -> usize {
    let mut n = 0;
    let mut same = |what: &str, ours: String, serde: String| {
        assert_eq!(ours, serde, "{what} of {}", c.to_json());
        n += 1;
    };
    same(
        "to_json",
        c.to_json(),
        serde_json::to_string_pretty(c).unwrap(),
    );
    let warnings = lint(c);
    same(
        "lint",
        lint::to_json(&warnings),
        serde_json::to_string(&warnings).unwrap(),
    );
    let mut models: Vec<Option<&str>> = vec![None];
    models.extend(c.models().iter().map(|m| Some(m.as_str())));
    models.push(Some("no such model"));
    let mut envs: Vec<Option<&str>> = vec![None];
    envs.extend(c.environments().iter().map(|e| Some(e.as_str())));
    for &m in &models {
        for &e in &envs {
            for edges in [Edges::All, Edges::Reduced] {
                if let Ok(g) = wire_edges(c, m, e, edges) {
                    same("graph", g.to_json(), serde_json::to_string(&g).unwrap());
                }
            }
        }
    }
    let versions: Vec<_> = c.releases().iter().map(|r| r.version.clone()).collect();
    for from in &versions {
        for to in &versions {
            for &m in &models {
                for cost in [Cost::Hops, Cost::Bytes] {
                    for down in [false, true] {
                        let mut q = Query::new(from.clone(), to.clone())
                            .allow_downgrade(down)
                            .cost(cost);
                        q.model = m.map(String::from);
                        if let Ok(p) = plan(c, &q) {
                            same("plan", p.to_json(), serde_json::to_string(&p).unwrap());
                        }
                        let x = explain(c, &q);
                        same("explain", x.to_json(), serde_json::to_string(&x).unwrap());
                    }
                }
            }
        }
    }
    n
}
