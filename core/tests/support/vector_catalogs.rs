//! Every catalog document of the vector files (`plan.json`, `reconcile.json`,
//! `arguments.json`): values under `catalog` / `catalogs` (compact, and indented too when
//! `pretty`), and `catalog_text` strings. Used by `catalog_paths.rs` and `json_write.rs`.

use serde_json::Value;

/// The catalog texts of every vector file.
pub fn vector_catalog_texts(pretty: bool) -> Vec<String> {
    let mut texts = Vec::new();
    for file in [
        include_str!("../vectors/plan.json"),
        include_str!("../vectors/reconcile.json"),
        include_str!("../vectors/arguments.json"),
    ] {
        collect(&serde_json::from_str(file).unwrap(), pretty, &mut texts);
    }
    texts
}

fn collect(v: &Value, pretty: bool, out: &mut Vec<String>) {
    let push = |c: &Value, out: &mut Vec<String>| {
        out.push(c.to_string());
        if pretty {
            out.push(serde_json::to_string_pretty(c).unwrap());
        }
    };
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("catalog_text", Value::String(t)) => out.push(t.clone()),
                    ("catalog", Value::Object(_)) => push(x, out),
                    ("catalogs", Value::Object(named)) => named.values().for_each(|c| push(c, out)),
                    _ => collect(x, pretty, out),
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|x| collect(x, pretty, out)),
        _ => {}
    }
}
