//! Runs core/tests/vectors/retry.json, rollout.json and reconcile.json. Every binding runs the
//! same files.

use serde_json::{Value, json};
use stepstone::ErrorCode;
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::Cost;
use stepstone::reconcile::Session;
use stepstone::retry::{FailureKind, HopCounters, RetryDecision, RetryPolicy, jitter_hash};
use stepstone::rollout::{Confidence, HaltRule, Ramp, Rollout, StageStats, wilson_lower_above};
use stepstone::sample;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(doc["format"], 1);
    let names: std::collections::BTreeSet<_> = doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names.len(),
        doc["vectors"].as_array().unwrap().len(),
        "{name}: names must be unique"
    );
    doc
}

fn policy(v: &Value) -> Result<RetryPolicy, &'static str> {
    let text = v.get("policy").map_or("{}".to_string(), Value::to_string);
    RetryPolicy::from_json(&text).map_err(|e| e.code())
}

fn kind(v: &Value) -> FailureKind {
    FailureKind::from_name(v["kind"].as_str().unwrap()).unwrap()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap()
}

fn u(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap()
}

fn run_retry(v: &Value) -> Result<Value, &'static str> {
    let p = policy(v)?;
    Ok(match s(v, "op") {
        "policy" => json!({}),
        "jitter_hash" => {
            let h = jitter_hash(
                s(v, "device_id").as_bytes(),
                s(v, "hop").as_bytes(),
                u(v, "attempt") as u32,
            );
            json!({"jitter_hash": format!("{h:016x}")})
        }
        "backoff" => {
            let (d, hop, a) = (
                s(v, "device_id").as_bytes(),
                s(v, "hop").as_bytes(),
                u(v, "attempt") as u32,
            );
            let delay = p
                .backoff(kind(v), u(v, "n") as u32, d, hop, a)
                .map_err(|e| e.code())?;
            json!({"delay_secs": delay, "jitter_hash": format!("{:016x}", jitter_hash(d, hop, a))})
        }
        "after_failure" => {
            let hc = &v["hop_counters"];
            let mut counters = HopCounters {
                attempts: u(hc, "attempts") as u32,
                failures: [0; 4],
            };
            for (name, n) in hc["failures"].as_object().unwrap() {
                counters.failures[FailureKind::from_name(name).unwrap().index()] =
                    n.as_u64().unwrap() as u32;
            }
            let d = p.after_failure(
                &counters,
                kind(v),
                u(v, "total_attempts") as u32,
                u(v, "first_attempt_at"),
                u(v, "failed_at"),
                s(v, "device_id").as_bytes(),
                s(v, "hop").as_bytes(),
            );
            match d.map_err(|e| e.code())? {
                RetryDecision::RetryAt(t) => json!({"retry_at": t}),
                RetryDecision::GiveUp(r) => json!({"give_up": r.code()}),
            }
        }
        other => panic!("unknown op {other}"),
    })
}

fn run_rollout(v: &Value) -> Result<Value, &'static str> {
    Ok(match s(v, "op") {
        "rollout" => {
            Rollout::from_json(&v["rollout"].to_string()).map_err(|e| e.code())?;
            json!({})
        }
        "membership" => {
            let pos = sample::position(
                s(v, "salt").as_bytes(),
                s(v, "device_id").as_bytes(),
                0,
                "rollout",
            );
            let stages: Vec<u32> = v["stages_ppm"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as u32)
                .collect();
            let r = Rollout::from_json(
                &json!({"salt": v["salt"], "schedule": {"stages": stages.iter().map(|f| json!({"fraction_ppm": f})).collect::<Vec<_>>()}})
                    .to_string(),
            )
            .map_err(|e| e.code())?;
            assert_eq!(r.position(s(v, "device_id").as_bytes()), pos);
            json!({
                "position": format!("{pos:016x}"),
                "stage": r.stage_of(pos),
                "member": stages.iter().map(|f| sample::is_below(pos, *f)).collect::<Vec<_>>(),
            })
        }
        "wilson" => {
            let c = Confidence {
                z_num: u(v, "z_num") as u32,
                z_den: u(v, "z_den") as u32,
            };
            json!({"above": wilson_lower_above(u(v, "failed") as u32, u(v, "finished") as u32, u(v, "limit_ppm") as u32, c)})
        }
        "trips" => {
            let halt: HaltRule = serde_json::from_value(v["halt"].clone()).unwrap();
            let r = Rollout {
                salt: String::new(),
                schedule: stepstone::rollout::Schedule::Stages(vec![]),
                halt,
            };
            let stats = StageStats {
                finished: u(&v["stats"], "finished") as u32,
                failed: u(&v["stats"], "failed") as u32,
            };
            json!({"halt": r.trips(0, stats).map(|h| h.code())})
        }
        "ramp" => {
            let ramp: Ramp = serde_json::from_value(v["ramp"].clone()).unwrap();
            json!({"fraction_ppm": ramp.fraction_at(u(v, "elapsed"))})
        }
        other => panic!("unknown op {other}"),
    })
}

fn check(file: &str, run: fn(&Value) -> Result<Value, &'static str>) -> usize {
    let doc = load(file);
    let mut n = 0;
    for v in doc["vectors"].as_array().unwrap() {
        let name = &v["name"];
        match (run(v), v.get("expect"), v.get("error")) {
            (Ok(got), Some(want), None) => assert_eq!(&got, want, "{file} {name}"),
            (Err(code), None, Some(want)) => assert_eq!(code, want, "{file} {name}"),
            (got, _, _) => panic!("{file} {name}: got {got:?}"),
        }
        n += 1;
    }
    n
}

#[test]
fn retry_vectors() {
    assert!(check("retry.json", run_retry) >= 90);
}

#[test]
fn rollout_vectors() {
    assert!(check("rollout.json", run_rollout) >= 60);
}

#[test]
fn reconcile_vectors() {
    let doc = load("reconcile.json");
    let catalog = Catalog::from_json(&doc["catalogs"]["figure1"].to_string()).unwrap();
    for v in doc["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let target = catalog.parse_version(s(v, "target")).unwrap();
        let table = CampaignTable::build(&catalog, &target, None, None, Cost::Hops).unwrap();
        // The vector's settings are the session's options as JSON, exactly as a binding passes them.
        let mut options = v.get("timing").cloned().unwrap_or_else(|| json!({}));
        for k in ["policy", "rollout"] {
            if let Some(x) = v.get(k) {
                options[k] = x.clone();
            }
        }
        let mut session = Session::from_json(
            std::sync::Arc::new(table),
            catalog.scheme(),
            &options.to_string(),
        )
        .unwrap_or_else(|e| panic!("{name}: options: {e}"));
        let device = v
            .get("device_id")
            .and_then(Value::as_str)
            .unwrap_or("device-1")
            .as_bytes();
        let mut state = session.state_json(Some(&v["state"].to_string())).unwrap();
        for (i, step) in v["steps"].as_array().unwrap().iter().enumerate() {
            let at = format!("{name} step {i}");
            if let Some(e) = step.get("apply") {
                let (next, got) = session
                    .apply(Some(&state), &e.to_string())
                    .unwrap_or_else(|err| panic!("{at}: {err}"));
                assert_eq!(got.name(), step["expect"].as_str().unwrap(), "{at}");
                let next = serde_json::to_string(&next).unwrap();
                if !got.changed() {
                    assert_eq!(next, state, "{at}: an ignored event changed the state");
                }
                state = next;
            } else if let Some(now) = step.get("decide").and_then(Value::as_u64) {
                let action: Value =
                    serde_json::from_str(&session.decide_json(device, Some(&state), now).unwrap())
                        .unwrap();
                assert_eq!(action, step["expect"], "{at}");
            } else if let Some(now) = step.get("rollout_advance").and_then(Value::as_u64) {
                assert!(session.rollout_advance(now).unwrap(), "{at}");
            } else if let Some(now) = step.get("rollout_halt").and_then(Value::as_u64) {
                session.rollout_halt(now, "vector").unwrap();
            } else if let Some(now) = step.get("rollout_resume").and_then(Value::as_u64) {
                session.rollout_resume(now).unwrap();
            } else {
                panic!("{at}: unknown step");
            }
        }
        if let Some(want) = v.get("expect_state") {
            let got: Value = serde_json::from_str(&state).unwrap();
            for (k, w) in want.as_object().unwrap() {
                assert_eq!(&got[k], w, "{name}: final state field {k}");
            }
        }
    }
}
