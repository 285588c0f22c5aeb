//! Runs core/tests/vectors/attacks.json: every attack of docs/security.md through the install
//! chain (signed catalog, manifest first, streamed image). Python, both JS backends, the host
//! C test and the QEMU firmware run the same file.

use serde_json::{Value, json};
use stepstone::compact::CompactCatalog;
use stepstone::error::ErrorCode;
use stepstone::manifest::{self, Device};
use stepstone::signature::PublicKey;
use stepstone::signed_catalog::compact::{self as envelope, CatalogState};

fn hex(v: &Value) -> Vec<u8> {
    base16ct::lower::decode_vec(v.as_str().expect("hex string")).expect("lowercase hex")
}

/// The device flow of one `install` vector: its answer as the vector spells it.
fn install(v: &Value) -> Result<Value, &'static str> {
    let opened = match v.get("catalog") {
        None => None,
        Some(c) => {
            let key = PublicKey::parse(&hex(&c["key"])).map_err(|e| e.code())?;
            let last: Option<CatalogState> = serde_json::from_value(c["last"].clone()).unwrap();
            let env = hex(&c["envelope"]);
            let now = c["now"].as_u64().unwrap();
            let o = envelope::open(&env, &key, last.as_ref(), now).map_err(|e| e.code())?;
            let state = serde_json::to_value(o.state).unwrap();
            CompactCatalog::parse(o.payload).map_err(|e| e.code())?;
            Some((o.payload.to_vec(), state))
        }
    };
    let catalog = match &opened {
        Some((payload, _)) => Some(CompactCatalog::parse(payload).map_err(|e| e.code())?),
        None => None,
    };
    let key = PublicKey::parse(&hex(&v["manifest_key"])).map_err(|e| e.code())?;
    let d = &v["device"];
    let device = Device {
        model: d["model"].as_str().unwrap(),
        environment: d["environment"].as_str().unwrap(),
        current_version: d["current_version"].as_str().unwrap(),
        counter: d["counter"].as_str().unwrap(),
        now: d["now"].as_u64().unwrap(),
    };
    let text = hex(&v["manifest"]);
    let sig = hex(&v["signature"]);
    let m = manifest::verify_for_device(&text, &sig, &key, &device, catalog.as_ref())
        .map_err(|e| e.code())?;
    let mut check = m.image_check();
    let chunk = v["chunk"].as_u64().unwrap() as usize;
    for part in hex(&v["image"]).chunks(chunk) {
        check.update(part).map_err(|e| e.code())?;
    }
    check.finish().map_err(|e| e.code())?;
    let mut facts = serde_json::to_value(m.verified()).unwrap();
    if let Some((_, state)) = opened {
        facts["catalog"] = state;
    }
    Ok(facts)
}

#[test]
fn attack_vectors() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/attacks.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(doc["format"], 1);
    let mut failures = Vec::new();
    let vectors = doc["vectors"].as_array().unwrap();
    for v in vectors {
        assert_eq!(v["op"], "install", "{}", v["name"]);
        let got = match install(v) {
            Ok(facts) => json!({ "expect": facts }),
            Err(code) => json!({ "error": code }),
        };
        let want = match v.get("error") {
            Some(code) => json!({ "error": code }),
            None => json!({ "expect": v["expect"] }),
        };
        if got != want {
            failures.push(format!("{}: got {got}, want {want}", v["name"]));
        }
    }
    assert!(vectors.len() >= 30);
    println!("attacks.json: {} vectors", vectors.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
