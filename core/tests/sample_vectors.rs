//! Runs core/tests/vectors/sample.json (written by core/tests/python/make_sample_vectors.py from
//! the hashlib reference) against the library.

use serde_json::Value;
use stepstone::ErrorCode;
use stepstone::sample::{SamplingPlan, is_below, period_index, position};

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn u64_of(v: &Value) -> u64 {
    v.as_str().expect("decimal string").parse().expect("u64")
}

#[test]
fn sample_vectors() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/sample.json"
    ))
    .unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], 1);
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(
        vectors.len() >= 200,
        "expected many vectors, found {}",
        vectors.len()
    );
    let mut names = std::collections::BTreeSet::new();
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        assert!(names.insert(name), "duplicate vector name {name}");
        let rate = v["rate_ppm"].as_u64().map(|r| u32::try_from(r).unwrap());
        let got = match v["op"].as_str().unwrap() {
            "position" => {
                let p = position(
                    &hex(v["salt_hex"].as_str().unwrap()),
                    &hex(v["device_id_hex"].as_str().unwrap()),
                    u64_of(&v["period"]),
                    v["class"].as_str().unwrap(),
                );
                serde_json::json!({"position": format!("{p:016x}"), "sampled": is_below(p, rate.unwrap())})
            }
            "is_below" => {
                let p = u64::from_str_radix(v["position"].as_str().unwrap(), 16).unwrap();
                serde_json::json!({"sampled": is_below(p, rate.unwrap())})
            }
            "period_index" => {
                let p = period_index(
                    u64_of(&v["unix_seconds"]),
                    u64_of(&v["period_seconds"]),
                    u64_of(&v["offset_seconds"]),
                );
                serde_json::json!({"period": p.map(|p| p.to_string())})
            }
            "plan" => {
                let plan_text = match v.get("plan_text") {
                    Some(t) => t.as_str().unwrap().to_string(),
                    None => v["plan"].to_string(),
                };
                match SamplingPlan::from_json(&plan_text) {
                    Err(e) => {
                        assert_eq!(Some(e.code()), v["error"].as_str(), "vector {name}: {e}");
                        continue;
                    }
                    Ok(plan) => {
                        assert!(
                            v.get("error").is_none(),
                            "vector {name}: loaded, expected {}",
                            v["error"]
                        );
                        let class = v["class"].as_str().unwrap();
                        let id = hex(v["device_id_hex"].as_str().unwrap());
                        let period = plan.period_at(u64_of(&v["unix_seconds"])).unwrap();
                        serde_json::json!({
                            "period": period.to_string(),
                            "position": format!("{:016x}", plan.position(&id, class, period)),
                            "sampled": plan.is_sampled(&id, class, period).unwrap(),
                        })
                    }
                }
            }
            op => panic!("vector {name}: unknown op {op}"),
        };
        assert_eq!(got, v["expect"], "vector {name}");
    }
}
