//! The CLI prints the core's wire forms as they are: `plan --explain --format json` and
//! `graph --format json` give exactly what `serde_json` makes of the core's types, which is also
//! what every binding returns.

use std::process::Command;

use stepstone::catalog::Catalog;
use stepstone::plan::Query;

const CATALOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/catalog.json");

fn run(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_stepstone"))
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    (o.status.code(), v)
}

fn catalog() -> Catalog {
    Catalog::from_json(&std::fs::read_to_string(CATALOG).unwrap()).unwrap()
}

#[test]
fn explain_json_is_the_core_explanation() {
    let c = catalog();
    for (to, model, code) in [
        ("v67000", Some("AG-1"), Some(0)),
        ("v99", Some("AG-1"), Some(1)),
        ("v67000", None, Some(1)),
    ] {
        let mut args = vec![
            "plan",
            CATALOG,
            "--from",
            "v64000",
            "--to",
            to,
            "--explain",
            "--format",
            "json",
        ];
        if let Some(m) = model {
            args.extend(["--model", m]);
        }
        let (status, got) = run(&args);
        assert_eq!(status, code, "{to} {model:?}");
        let mut q = Query::parse(&c, "v64000", to).unwrap();
        q.model = model.map(String::from);
        let want = serde_json::to_value(stepstone::explain::explain(&c, &q)).unwrap();
        assert_eq!(got, want, "{to} {model:?}");
    }
    let explain = |to: &str, model: Option<&str>| {
        let mut args = vec![
            "plan",
            CATALOG,
            "--from",
            "v64000",
            "--to",
            to,
            "--explain",
            "--format",
            "json",
        ];
        args.extend(model.iter().flat_map(|m| ["--model", *m]));
        run(&args).1
    };
    let refused = explain("v99", Some("AG-1"));
    assert_eq!(refused["outcome"]["error"]["code"], "plan.unknown_target");
    // The figure 1 catalog's releases differ by model: no model, no explanation.
    let refused = explain("v67000", None);
    assert_eq!(refused["outcome"]["error"]["code"], "plan.model_required");
    assert_eq!(refused["releases"], serde_json::json!([]));
}

#[test]
fn graph_json_is_the_core_graph() {
    let c = catalog();
    let (status, got) = run(&["graph", CATALOG, "--format", "json", "--model", "AG-2"]);
    assert_eq!(status, Some(0));
    let want =
        serde_json::to_value(stepstone::graph::wire(&c, Some("AG-2"), None).unwrap()).unwrap();
    assert_eq!(got, want);
    assert!(!got["edges"].as_array().unwrap().is_empty());
    // No model on a catalog whose releases differ by model: the core's refusal, exit 1.
    let (status, got) = run(&["graph", CATALOG, "--format", "json"]);
    assert_eq!(status, Some(1));
    let e = stepstone::graph::wire(&c, None, None).unwrap_err();
    assert_eq!(got["error"]["code"], stepstone::ErrorCode::code(&e));
    assert_eq!(got["error"]["code"], "plan.model_required");
    assert_eq!(got["error"]["message"], e.to_string());
}
