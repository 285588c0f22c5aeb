//! The core's JSON writer (`core/src/json_write.rs`) against serde_json: every wire form of
//! the plan area (catalog, lint, graph, plan, explain, a catalog's error list) for every
//! catalog of the vectors and for generated catalogs whose strings carry quotes, backslashes,
//! control characters and non-ASCII text, byte for byte.

use proptest::prelude::*;
use serde_json::Value;
use stepstone::ErrorCode;
use stepstone::catalog::Catalog;

#[path = "support/wire_forms.rs"]
mod wire_forms;

fn vector_catalogs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("catalog_text", Value::String(t)) => out.push(t.clone()),
                    ("catalog", Value::Object(_)) => out.push(x.to_string()),
                    ("catalogs", Value::Object(named)) => {
                        out.extend(named.values().map(Value::to_string))
                    }
                    _ => vector_catalogs(x, out),
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|x| vector_catalogs(x, out)),
        _ => {}
    }
}

/// A catalog's error list as the JS packages' `validate` wrote it with serde_json.
fn errors_by_serde(text: &str) -> String {
    #[derive(serde::Serialize)]
    struct Problem {
        code: &'static str,
        message: String,
    }
    let errors = Catalog::from_json(text).unwrap_err();
    let list: Vec<Problem> = errors
        .iter()
        .map(|e| Problem {
            code: e.code(),
            message: e.to_string(),
        })
        .collect();
    serde_json::to_string(&list).unwrap()
}

#[test]
fn every_vector_catalog_writes_as_serde_json_does() {
    let mut texts = Vec::new();
    for file in [
        include_str!("vectors/plan.json"),
        include_str!("vectors/reconcile.json"),
        include_str!("vectors/arguments.json"),
    ] {
        vector_catalogs(&serde_json::from_str(file).unwrap(), &mut texts);
    }
    let (mut valid, mut invalid, mut compared) = (0, 0, 0);
    for t in &texts {
        match Catalog::from_json(t) {
            Ok(c) => {
                valid += 1;
                compared += wire_forms::assert_wire_forms(&c);
            }
            Err(e) => {
                invalid += 1;
                assert_eq!(e.to_json(), errors_by_serde(t), "{t}");
            }
        }
    }
    assert!(
        valid >= 20 && invalid >= 10,
        "{valid} valid, {invalid} invalid"
    );
    assert!(compared > 1000, "{compared} texts compared");
    println!("{valid} valid catalogs, {compared} texts compared; {invalid} error lists");
}

/// Text for a catalog's free strings (`kind`, model and environment names): quotes,
/// backslashes, every control character, DEL, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('"'),
            Just('\\'),
            Just('/'),
            (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
            Just('\u{7f}'),
            Just('é'),
            Just('\u{2028}'),
            Just('😀'),
            proptest::char::range('a', 'z'),
        ],
        1..8,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_catalogs_with_any_text_write_as_serde_json_does(
        n in 1usize..7,
        kind in text(),
        models in proptest::collection::vec(text(), 1..3),
        env in text(),
        sizes in proptest::collection::vec(proptest::option::of(0u64..(1 << 53)), 7),
        mins in proptest::collection::vec(proptest::option::of(0usize..7), 7),
        flags in proptest::collection::vec(any::<[bool; 3]>(), 7),
    ) {
        let mut releases = Vec::new();
        for i in 0..n {
            let mut r = serde_json::json!({"version": format!("v{}", i + 1)});
            if let Some(s) = sizes[i] {
                r["size"] = s.into();
            }
            if let Some(m) = mins[i].filter(|m| *m < i) {
                r["min_sw_version"] = format!("v{}", m + 1).into();
                r["deltas"] = serde_json::json!([{"from": format!("v{}", m + 1), "size": 7,
                    "sha256": "AB".repeat(32)}]);
            }
            if i % 2 == 1 {
                r["kind"] = kind.clone().into();
                r["models"] = models.clone().into();
                r["environments"] = serde_json::json!([env.clone()]);
                r["sha256"] = "0f".repeat(32).into();
            }
            if i % 3 == 2 {
                r["blocked_from"] = serde_json::json!(["v1", ">=v1, <v2"]);
            }
            for (name, on) in ["yanked", "barrier", "deadend"].iter().zip(flags[i]) {
                r[*name] = on.into();
            }
            releases.push(r);
        }
        let doc = serde_json::json!({"releases": releases}).to_string();
        match Catalog::from_json(&doc) {
            Ok(c) => { wire_forms::assert_wire_forms(&c); }
            Err(e) => prop_assert_eq!(e.to_json(), errors_by_serde(&doc)),
        }
        // The same text broken: its error list too (names quoted in the messages).
        let broken = doc.replacen("\"version\"", "\"versoin\"", 1).replacen("\"models\"", &format!("{:?}", models[0]), 1);
        prop_assert_eq!(Catalog::from_json(&broken).unwrap_err().to_json(), errors_by_serde(&broken));
    }
}
