//! Runs core/tests/vectors/plan.json: catalog loading, planning (with next_hop and the campaign
//! table held to the same answer), lint and explain. Every binding runs the same file.

use serde_json::{Value, json};
use stepstone::ErrorCode;
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::explain::explain;
use stepstone::lint::lint;
use stepstone::plan::{Cost, Query, next_hop, plan};

fn catalog_text(doc: &Value, v: &Value) -> String {
    if let Some(t) = v.get("catalog_text").and_then(Value::as_str) {
        return t.to_string();
    }
    match &v["catalog"] {
        Value::String(name) => doc["catalogs"][name.as_str()].to_string(),
        other => other.to_string(),
    }
}

fn query(catalog: &Catalog, q: &Value) -> Result<Query, &'static str> {
    let s = |k: &str| q.get(k).and_then(Value::as_str);
    let from = catalog
        .parse_version(s("from").unwrap())
        .map_err(|e| e.code())?;
    let to = catalog
        .parse_version(s("to").unwrap())
        .map_err(|e| e.code())?;
    let mut query = Query::new(from, to).allow_downgrade(
        q.get("allow_downgrade")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    );
    query.cost = s("cost")
        .map_or(Ok(Cost::Hops), str::parse)
        .map_err(|e: stepstone::plan::PlanError| e.code())?;
    query.model = s("model").map(String::from);
    query.environment = s("environment").map(String::from);
    Ok(query)
}

fn run_plan(catalog: &Catalog, v: &Value) -> Result<Value, String> {
    let q = query(catalog, &v["query"]).map_err(String::from)?;
    let got = plan(catalog, &q);
    let hop = next_hop(catalog, &q).map_err(|e| e.code());
    // The campaign table gives the same first hop (or refuses with the same code).
    let table = CampaignTable::build(
        catalog,
        &q.to,
        q.model.as_deref(),
        q.environment.as_deref(),
        q.cost,
    )
    .map(|t| t.allow_downgrade(q.allow_downgrade));
    let from_table = match &table {
        Ok(t) => t
            .next_hop(q.from.key())
            .map(|h| h.cloned())
            .map_err(|e| e.code()),
        Err(e) => Err(e.code()),
    };
    match &got {
        Ok(p) => {
            assert_eq!(
                hop.as_ref().ok().cloned().flatten().as_ref(),
                p.path.first(),
                "{}: next_hop",
                v["name"]
            );
            assert_eq!(
                from_table.as_ref().ok().cloned().flatten().as_ref(),
                p.path.first(),
                "{}: campaign table",
                v["name"]
            );
        }
        Err(e) => {
            assert_eq!(hop.err(), Some(e.code()), "{}: next_hop error", v["name"]);
            // The table names the same refusal, except for missing sizes, which the planner
            // checks between current and target and the table below the highest missing one.
            assert_eq!(
                from_table.err(),
                Some(e.code()),
                "{}: campaign table error",
                v["name"]
            );
        }
    }
    let p = got.map_err(|e| e.code().to_string())?;
    let path: Vec<&str> = p.path.iter().map(|x| x.as_str()).collect();
    Ok(json!({"path": path, "hops": p.hops, "bytes": p.bytes}))
}

/// A refusal: the first error's code, every code, the first error's message.
type Refusal = (String, Vec<String>, String);

fn run(doc: &Value, v: &Value) -> Result<Value, Refusal> {
    let text = catalog_text(doc, v);
    let loaded = Catalog::from_json(&text);
    let catalog = match (v["op"].as_str().unwrap(), loaded) {
        ("load", Ok(c)) => {
            return Ok(json!({"releases": c.releases().len(), "scheme": c.scheme().name()}));
        }
        (_, Err(errors)) => {
            let all = errors.iter().map(|e| e.code().to_string()).collect();
            let first = errors.iter().next().map(ToString::to_string);
            return Err((errors.code().to_string(), all, first.unwrap_or_default()));
        }
        (_, Ok(c)) => c,
    };
    match v["op"].as_str().unwrap() {
        "plan" => run_plan(&catalog, v).map_err(|e| (e.clone(), vec![e], String::new())),
        "lint" => {
            let w: Vec<Value> = lint(&catalog)
                .iter()
                .map(|w| json!([w.code, w.release]))
                .collect();
            Ok(json!({ "warnings": w }))
        }
        "explain" => {
            let q =
                query(&catalog, &v["query"]).map_err(|e| (e.to_string(), vec![], String::new()))?;
            let rows: Vec<Value> = explain(&catalog, &q)
                .releases
                .iter()
                .map(|n| json!([n.version.as_str(), n.verdict.code()]))
                .collect();
            Ok(json!({ "releases": rows }))
        }
        other => panic!("unknown op {other}"),
    }
}

#[test]
fn plan_vectors() {
    let doc: Value = serde_json::from_str(include_str!("vectors/plan.json")).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 60, "at least 60 vectors");
    let mut failed = Vec::new();
    for v in vectors {
        let got = run(&doc, v);
        let ok = match (&got, v.get("expect"), v.get("error")) {
            (Ok(out), Some(want), None) => {
                // `bytes` is optional in an expectation.
                let mut out = out.clone();
                if want.get("bytes").is_none() && out.get("bytes").is_some() {
                    out.as_object_mut().unwrap().remove("bytes");
                }
                &out == want
            }
            (Err((code, all, message)), None, Some(want)) => {
                code == want
                    && v.get("errors").is_none_or(|list| {
                        list.as_array()
                            .unwrap()
                            .iter()
                            .map(|c| c.as_str().unwrap())
                            .eq(all.iter().map(String::as_str))
                    })
                    && v.get("message").is_none_or(|m| m == message.as_str())
            }
            _ => false,
        };
        if !ok {
            failed.push(format!(
                "{}: got {got:?}, want {}",
                v["name"],
                v.get("expect").or(v.get("error")).unwrap()
            ));
        }
    }
    println!(
        "{} passed, {} failed",
        vectors.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
