//! Runs core/tests/vectors/signature.json and manifest.json (the bindings run the same files).

use serde_json::Value;
use stepstone::error::ErrorCode;
use stepstone::manifest::{self, Device};
use stepstone::signature::{ImageVerifier, KeyFormat, PublicKey, Signature, SignatureFormat};

fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(doc["format"], 1);
    doc["vectors"].as_array().unwrap().clone()
}

fn hex(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_format(f: KeyFormat) -> &'static str {
    match f {
        KeyFormat::Pem => "pem",
        KeyFormat::Der => "der",
        KeyFormat::Sec1 => "sec1",
        KeyFormat::Hex => "hex",
    }
}

fn check_signature(v: &Value) -> Result<Value, String> {
    let (key, kf) = PublicKey::parse_detect(&hex(&v["key"])).map_err(|e| e.code().to_string())?;
    let (sig, sf): (Signature, SignatureFormat) =
        Signature::parse_detect(&hex(&v["signature"])).map_err(|e| e.code().to_string())?;
    let message = hex(&v["message"]);
    let mut verifier = ImageVerifier::new(key);
    for chunk in message.chunks(13) {
        verifier.update(chunk);
    }
    let digest = verifier.finish(&sig).map_err(|e| e.code().to_string())?;
    Ok(serde_json::json!({
        "signature_format": sf.name(), "key_format": key_format(kf),
        "key_id": key.key_id().to_string(), "sha256": to_hex(&digest),
    }))
}

fn check_manifest(v: &Value) -> Result<Value, String> {
    let code = |e: manifest::ManifestError| e.code().to_string();
    let key = PublicKey::parse(&hex(&v["key"])).map_err(|e| e.code().to_string())?;
    let text = v["manifest"].as_str().unwrap().as_bytes();
    let m = manifest::verify_encoded(text, &hex(&v["signature"]), &key).map_err(code)?;
    let d = &v["device"];
    let device = Device {
        model: d["model"].as_str().unwrap(),
        environment: d["environment"].as_str().unwrap(),
        current_version: d["current_version"].as_str().unwrap(),
        counter: d["counter"].as_str().unwrap(),
        now: d["now"].as_u64().unwrap(),
    };
    m.check_device(&device).map_err(code)?;
    let image = hex(&v["image"]);
    let mut check = m.image_check();
    for chunk in image.chunks(100) {
        check.update(chunk).map_err(code)?;
    }
    let digest = check.finish().map_err(code)?;
    Ok(serde_json::json!({"version": m.version, "size": m.size, "sha256": to_hex(&digest)}))
}

fn run(file: &str, check: fn(&Value) -> Result<Value, String>) {
    let vectors = load(file);
    let (mut ok, mut refused) = (0, 0);
    for v in &vectors {
        let name = v["name"].as_str().unwrap();
        match (check(v), v.get("expect"), v.get("error")) {
            (Ok(got), Some(want), None) => {
                assert_eq!(&got, want, "{file} {name}");
                ok += 1;
            }
            (Err(got), None, Some(want)) => {
                assert_eq!(got, want.as_str().unwrap(), "{file} {name}");
                refused += 1;
            }
            (got, want, err) => {
                panic!("{file} {name}: got {got:?}, expected {want:?} / error {err:?}")
            }
        }
    }
    println!("{file}: {ok} accepted, {refused} refused with the expected code");
}

#[test]
fn signature_vectors() {
    run("signature.json", check_signature);
}

#[test]
fn manifest_vectors() {
    run("manifest.json", check_manifest);
}
