//! `stepstone manifest create` / `manifest show` and `verify --manifest` as a user runs them:
//! create → show → verify round trips, the JSON shapes, the `openssl` CLI on the other side,
//! and every refused input with its code and exit status.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

struct Tmp(PathBuf);
impl Tmp {
    fn new(name: &str) -> Tmp {
        let d = std::env::temp_dir().join(format!(
            "stepstone-cli-manifest-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Tmp(d)
    }
    fn p(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}
impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepstone"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // The command may not read stdin at all: a closed pipe is fine.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
}
fn run(dir: &Path, args: &[&str]) -> Output {
    run_in(dir, args, b"")
}
fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}
fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn json(o: &Output) -> Value {
    assert_eq!(out(o).lines().count(), 1, "one JSON line: {}", out(o));
    serde_json::from_str(&out(o)).unwrap()
}
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}
fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}
fn is_hex64(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Now plus 30 days: an expiry that is always in the future.
fn future() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    (now + 30 * 86_400).to_string()
}

/// A key pair (`k.pem`, `pub.pem`), its key id, and a 300,000-byte image (`img`, more than
/// four of the CLI's 64 KiB reads) with its SHA-256 as openssl computes it.
struct Setup {
    t: Tmp,
    key_id: String,
    image: Vec<u8>,
    sha256: String,
}

fn setup(name: &str) -> Setup {
    let t = Tmp::new(name);
    let o = run(&t.0, &["keygen", "--out", "k.pem", "--pub", "pub.pem"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let key_id = out(&o).trim().strip_prefix("key_id ").unwrap().to_string();
    let image: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(t.p("img"), &image).unwrap();
    let o = openssl(&t.0, &["dgst", "-sha256", "-r", "img"]);
    let sha256 = out(&o).split(' ').next().unwrap().to_string();
    assert_eq!(sha256.len(), 64);
    Setup {
        t,
        key_id,
        image,
        sha256,
    }
}

fn device(s: &Setup, manifest: &str, sig: &str, extra: &[&str], image: &str) -> Output {
    let mut args = vec![
        "verify",
        "--key",
        "pub.pem",
        "--manifest",
        manifest,
        "--manifest-signature",
        sig,
        "--model",
        "AG-1",
        "--environment",
        "production",
        "--current-version",
        "v66000",
    ];
    args.extend_from_slice(extra);
    args.push(image);
    run(&s.t.0, &args)
}

#[test]
fn create_show_verify_round_trip() {
    let s = setup("roundtrip");
    let d = &s.t.0;
    let expires = future();
    let o = run(
        d,
        &[
            "manifest",
            "create",
            "--key",
            "k.pem",
            "--version",
            "v66003",
            "--min-sw-version",
            "v66000",
            "--models",
            "AG-1,AG-2",
            "--environment",
            "production",
            "--expires",
            &expires,
            "--out",
            "m.txt",
            "--signature-out",
            "m.sig",
            "img",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("verified"), "{}", out(&o));
    // The manifest is exactly the specified text (docs/manifest.md), scheme integer by default.
    let text = std::fs::read_to_string(s.t.p("m.txt")).unwrap();
    assert_eq!(
        text,
        format!(
            "stepstone-manifest 1\nscheme integer\nversion v66003\nmin_sw_version v66000\n\
             size {}\nsha256 {}\nmodels AG-1 AG-2\nenvironment production\nexpires {expires}\n\
             key_id {}\n",
            s.image.len(),
            s.sha256,
            s.key_id
        )
    );
    // DER by default, as `openssl dgst -sign` writes it.
    assert_eq!(std::fs::read(s.t.p("m.sig")).unwrap()[0], 0x30);

    // show: parse only, text and JSON.
    let o = run(d, &["manifest", "show", "m.txt"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let shown = out(&o);
    assert!(shown.contains("version         v66003\n"), "{shown}");
    assert!(shown.contains("models          AG-1 AG-2\n"), "{shown}");
    assert!(shown.contains("NOT CHECKED"), "{shown}");
    let o = run(d, &["manifest", "show", "m.txt", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let v = json(&o);
    assert_eq!(
        v,
        serde_json::json!({
            "format": 1, "scheme": "integer", "version": "v66003", "min_sw_version": "v66000",
            "size": s.image.len(), "sha256": s.sha256, "models": ["AG-1", "AG-2"],
            "environment": "production", "expires": expires.parse::<u64>().unwrap(),
            "key_id": s.key_id, "signature_checked": false,
        })
    );
    // show with --key and --signature verifies too.
    let o = run(
        d,
        &[
            "manifest",
            "show",
            "m.txt",
            "--key",
            "pub.pem",
            "--signature",
            "m.sig",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(json(&o)["signature_checked"], true);
    let o = run(
        d,
        &[
            "manifest",
            "show",
            "m.txt",
            "--key",
            "pub.pem",
            "--signature",
            "m.sig",
        ],
    );
    assert!(out(&o).contains(&format!("verified with key {}", s.key_id)));

    // verify: the device's view, text and JSON.
    let o = device(&s, "m.txt", "m.sig", &[], "img");
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).starts_with("genuine: manifest (version v66003)"));
    let o = device(&s, "m.txt", "m.sig", &["--format", "json"], "img");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let v = json(&o);
    assert_eq!(v["genuine"], true);
    assert_eq!(v["version"], "v66003");
    assert_eq!(v["size"], serde_json::json!(s.image.len()));
    assert!(v["size"].is_u64() && v["expires"].is_u64());
    assert_eq!(v["expires"], expires.parse::<u64>().unwrap());
    assert_eq!(v["sha256"], s.sha256.as_str());
    assert_eq!(v["key_id"], s.key_id.as_str());
    assert!(is_hex64(&v["sha256"]) && is_hex64(&v["key_id"]));
    // The fields verify printed before stay.
    assert_eq!(
        keys(&v),
        [
            "expires",
            "genuine",
            "key_id",
            "manifest",
            "sha256",
            "signature_checked",
            "size",
            "version"
        ]
    );
    assert_eq!(v["signature_checked"], false);
    assert_eq!(v["manifest"]["models"], serde_json::json!(["AG-1", "AG-2"]));

    // Not genuine: a tampered manifest, another image, an old device counter.
    std::fs::write(s.t.p("t.txt"), text.replace("AG-2", "AG-3")).unwrap();
    let o = device(&s, "t.txt", "m.sig", &[], "img");
    assert_eq!(code(&o), 1);
    assert!(
        err(&o).starts_with("error[manifest.bad_signature]"),
        "{}",
        err(&o)
    );
    let mut other = s.image.clone();
    other[123_456] ^= 1;
    std::fs::write(s.t.p("other"), &other).unwrap();
    let o = device(&s, "m.txt", "m.sig", &[], "other");
    assert_eq!(code(&o), 1);
    assert!(
        err(&o).starts_with("error[manifest.digest_mismatch]"),
        "{}",
        err(&o)
    );
    let o = device(&s, "m.txt", "m.sig", &["--counter", "v66003"], "img");
    assert!(
        err(&o).starts_with("error[manifest.rollback]"),
        "{}",
        err(&o)
    );
    let o = device(&s, "m.txt", "m.sig", &["--model", "AG-9"], "img");
    assert_eq!(code(&o), 2, "--model twice is a usage error");
}

#[test]
fn create_json_shape_every_encoding_and_stdin() {
    let s = setup("json");
    let d = &s.t.0;
    let expires = future();
    for enc in ["der", "raw", "hex", "base64", "hex-raw", "base64-raw"] {
        let (m, sig) = (format!("m-{enc}.txt"), format!("m-{enc}.sig"));
        let o = run(
            d,
            &[
                "manifest",
                "create",
                "--key",
                "k.pem",
                "--version",
                "v66003",
                "--models",
                "*",
                "--environment",
                "production",
                "--expires",
                &expires,
                "--encoding",
                enc,
                "--out",
                &m,
                "--signature-out",
                &sig,
                "--format",
                "json",
                "img",
            ],
        );
        assert_eq!(code(&o), 0, "{enc}: {}", err(&o));
        let v = json(&o);
        assert_eq!(
            v,
            serde_json::json!({
                "manifest": m, "signature": sig, "version": "v66003",
                "size": s.image.len(), "sha256": s.sha256, "key_id": s.key_id,
                "expires": expires.parse::<u64>().unwrap(),
            })
        );
        // RFC 6979: the same key and manifest give the same signature in every encoding; each
        // verifies on the device path (a wildcard model fits any device).
        let o = device(&s, &m, &sig, &[], "img");
        assert_eq!(code(&o), 0, "{enc}: {}", err(&o));
    }
    assert_eq!(
        std::fs::read(s.t.p("m-der.txt")).unwrap(),
        std::fs::read(s.t.p("m-hex.txt")).unwrap()
    );
    // The image from stdin gives the same manifest.
    let o = run_in(
        d,
        &[
            "manifest",
            "create",
            "--key",
            "k.pem",
            "--version",
            "v66003",
            "--models",
            "*",
            "--environment",
            "production",
            "--expires",
            &expires,
            "--out",
            "stdin.txt",
            "--signature-out",
            "stdin.sig",
            "-",
        ],
        &s.image,
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        std::fs::read(s.t.p("stdin.txt")).unwrap(),
        std::fs::read(s.t.p("m-der.txt")).unwrap()
    );
    // Another scheme, given explicitly.
    let o = run(
        d,
        &[
            "manifest",
            "create",
            "--key",
            "k.pem",
            "--scheme",
            "semver",
            "--version",
            "2.0.0-rc.1",
            "--min-sw-version",
            "1.9.0",
            "--models",
            "AG-1",
            "--environment",
            "staging",
            "--expires",
            &expires,
            "--out",
            "semver.txt",
            "--signature-out",
            "semver.sig",
            "img",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = run(d, &["manifest", "show", "semver.txt", "--format", "json"]);
    let v = json(&o);
    assert_eq!(
        (&v["scheme"], &v["version"], &v["min_sw_version"]),
        (
            &Value::from("semver"),
            &Value::from("2.0.0-rc.1"),
            &Value::from("1.9.0")
        )
    );
    // min_sw_version is null when absent.
    let o = run(d, &["manifest", "show", "m-der.txt", "--format", "json"]);
    let v = json(&o);
    assert!(v["min_sw_version"].is_null() && v["models"] == serde_json::json!(["*"]));
}

#[test]
fn openssl_accepts_the_signature_and_computes_the_same_key_id() {
    let s = setup("openssl");
    let d = &s.t.0;
    let o = run(
        d,
        &[
            "manifest",
            "create",
            "--key",
            "k.pem",
            "--version",
            "66003",
            "--models",
            "AG-1",
            "--environment",
            "production",
            "--expires",
            &future(),
            "--out",
            "m.txt",
            "--signature-out",
            "m.sig",
            "img",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "m.sig",
            "m.txt",
        ],
    );
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    assert_eq!(out(&o).trim(), "Verified OK");
    // The key id is SHA-256 of the uncompressed point, as the shell recipe computes it.
    let o = Command::new("sh")
        .arg("-c")
        .arg("openssl pkey -pubin -in pub.pem -outform DER | tail -c 65 | openssl dgst -sha256 -r")
        .current_dir(d)
        .output()
        .unwrap();
    let kid = out(&o).split(' ').next().unwrap().to_string();
    assert_eq!(kid, s.key_id);
    assert!(
        std::fs::read_to_string(s.t.p("m.txt"))
            .unwrap()
            .ends_with(&format!("key_id {kid}\n"))
    );
    // A key openssl made signs too (SEC1 `EC PRIVATE KEY` with its parameters block).
    assert!(
        openssl(
            d,
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-out",
                "ec.pem"
            ]
        )
        .status
        .success()
    );
    assert!(
        openssl(d, &["ec", "-in", "ec.pem", "-pubout", "-out", "ecpub.pem"])
            .status
            .success()
    );
    let o = run(
        d,
        &[
            "manifest",
            "create",
            "--key",
            "ec.pem",
            "--version",
            "66003",
            "--models",
            "AG-1",
            "--environment",
            "production",
            "--expires",
            &future(),
            "--out",
            "m2.txt",
            "--signature-out",
            "m2.sig",
            "img",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-verify",
            "ecpub.pem",
            "-signature",
            "m2.sig",
            "m2.txt",
        ],
    );
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
}

#[test]
fn bad_input_is_refused_with_its_code() {
    let s = setup("bad");
    let d = &s.t.0;
    let expires = future();
    // Each case: arguments changed from a valid call, the exit code, the error code, and a
    // piece of the message that names the value.
    type Case<'a> = (&'a [(&'a str, &'a str)], i32, &'a str, &'a str);
    let cases: &[Case] = &[
        (
            &[("--scheme", "semvar")],
            1,
            "manifest.unknown_scheme",
            "\"semvar\"",
        ),
        (
            &[("--version", "1.2.3-rc.1"), ("--min-sw-version", "1.2.0")],
            1,
            "manifest.bad_version",
            "\"1.2.3-rc.1\" is not an integer version (malformed version); it reads as a \
             semver version: give --scheme semver",
        ),
        (
            &[("--scheme", "dotted"), ("--version", "v1.2.x")],
            1,
            "manifest.bad_version",
            "\"v1.2.x\"",
        ),
        (
            &[("--min-sw-version", "1.0.0")],
            1,
            "manifest.bad_min_sw_version",
            "\"1.0.0\"",
        ),
        (
            &[("--min-sw-version", "v66003")],
            1,
            "manifest.min_sw_not_lower",
            "\"v66003\" is not below version \"v66003\"",
        ),
        (
            &[("--min-sw-version", "v67000")],
            1,
            "manifest.min_sw_not_lower",
            "\"v67000\"",
        ),
        (
            &[("--models", "")],
            1,
            "manifest.no_models",
            "--models \"\": no model given",
        ),
        (
            &[("--models", "*,AG-1")],
            1,
            "manifest.models_wildcard_mixed",
            "\"*,AG-1\"",
        ),
        (
            &[("--models", "AG-1,*")],
            1,
            "manifest.models_wildcard_mixed",
            "\"AG-1,*\"",
        ),
        (
            &[("--models", "AG-1,,AG-2")],
            1,
            "manifest.bad_model",
            "empty name",
        ),
        (
            &[("--models", "AG-1,")],
            1,
            "manifest.bad_model",
            "empty name",
        ),
        (&[("--models", "AG 1")], 1, "manifest.bad_model", "\"AG 1\""),
        (&[("--models", "AG-*")], 1, "manifest.bad_model", "\"AG-*\""),
        (
            &[("--models", "AG-1,AG-1")],
            1,
            "manifest.bad_model",
            "listed twice",
        ),
        (
            &[("--environment", "pro duction")],
            1,
            "manifest.bad_environment",
            "\"pro duction\"",
        ),
        (
            &[("--environment", "")],
            1,
            "manifest.bad_environment",
            "\"\"",
        ),
        (
            &[("--expires", "0")],
            1,
            "manifest.expires_past",
            "expires 0 ",
        ),
        (
            &[("--expires", "1000000000")],
            1,
            "manifest.expires_past",
            "expires 1000000000 ",
        ),
        (
            &[("--key", "missing.pem")],
            2,
            "io.unreadable",
            "missing.pem",
        ),
        (
            &[("--key", "pub.pem")],
            1,
            "signature.private_key_malformed",
            "PRIVATE KEY",
        ),
        (
            &[("IMAGE", "missing.bin")],
            2,
            "io.unreadable",
            "missing.bin",
        ),
        (&[("--signature-out", "m.txt")], 2, "cli.usage", "\"m.txt\""),
        (&[("--out", "img")], 2, "cli.usage", "\"img\""),
        (
            &[("--out", "no/such/dir/m.txt")],
            2,
            "io.unwritable",
            "no/such/dir",
        ),
    ];
    for (changes, exit, want, names) in cases {
        let mut args: Vec<(&str, &str)> = vec![
            ("--key", "k.pem"),
            ("--version", "v66003"),
            ("--min-sw-version", "v66000"),
            ("--models", "AG-1,AG-2"),
            ("--environment", "production"),
            ("--expires", &expires),
            ("--out", "m.txt"),
            ("--signature-out", "m.sig"),
            ("IMAGE", "img"),
        ];
        for (flag, value) in changes.iter() {
            match args.iter_mut().find(|(f, _)| f == flag) {
                Some(slot) => slot.1 = value,
                None => args.push((flag, value)),
            }
        }
        let mut argv = vec!["manifest", "create", "--format", "json"];
        for (flag, value) in &args {
            if *flag != "IMAGE" {
                argv.extend([*flag, *value]);
            }
        }
        argv.push(args.iter().find(|(f, _)| *f == "IMAGE").unwrap().1);
        let o = run(d, &argv);
        let e = err(&o);
        assert_eq!(code(&o), *exit, "{changes:?}: {e}");
        assert!(
            e.starts_with(&format!("error[{want}]: ")),
            "{changes:?}: {e}"
        );
        assert!(e.contains(names), "{changes:?}: {e} should name {names}");
        let v = json(&o);
        assert_eq!(v["error"]["code"], *want, "{changes:?}");
        assert!(
            !s.t.p("m.txt").exists() && !s.t.p("m.sig").exists(),
            "{changes:?}: nothing is written"
        );
    }
    // clap's own usage errors: a missing flag, a non-number expiry.
    let o = run(d, &["manifest", "create", "--key", "k.pem", "img"]);
    assert_eq!(code(&o), 2);
    let o = run(
        d,
        &[
            "manifest",
            "create",
            "--key",
            "k.pem",
            "--version",
            "v1",
            "--models",
            "*",
            "--environment",
            "e",
            "--expires",
            "soon",
            "--out",
            "m.txt",
            "--signature-out",
            "m.sig",
            "img",
        ],
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn show_refuses_what_does_not_parse_or_verify() {
    let s = setup("show");
    let d = &s.t.0;
    let o = run(
        d,
        &[
            "manifest",
            "create",
            "--key",
            "k.pem",
            "--version",
            "v2",
            "--models",
            "*",
            "--environment",
            "production",
            "--expires",
            &future(),
            "--out",
            "m.txt",
            "--signature-out",
            "m.sig",
            "img",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    std::fs::write(s.t.p("crlf.txt"), b"stepstone-manifest 1\r\n").unwrap();
    let o = run(d, &["manifest", "show", "crlf.txt", "--format", "json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["error"]["code"], "manifest.malformed");
    std::fs::write(s.t.p("v2.txt"), b"stepstone-manifest 2\n").unwrap();
    let o = run(d, &["manifest", "show", "v2.txt"]);
    assert_eq!(code(&o), 1);
    assert!(err(&o).starts_with("error[manifest.unsupported_format]"));
    // Another key: the signature does not verify.
    run(d, &["keygen", "--out", "k2.pem", "--pub", "pub2.pem"]);
    let o = run(
        d,
        &[
            "manifest",
            "show",
            "m.txt",
            "--key",
            "pub2.pem",
            "--signature",
            "m.sig",
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(
        err(&o).starts_with("error[manifest.bad_signature]"),
        "{}",
        err(&o)
    );
    // --key needs --signature; unreadable manifest.
    assert_eq!(
        code(&run(d, &["manifest", "show", "m.txt", "--key", "pub.pem"])),
        2
    );
    let o = run(d, &["manifest", "show", "missing.txt"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).starts_with("error[io.unreadable]"));
    // The help says it only parses.
    let o = run(d, &["manifest", "show", "--help"]);
    assert!(out(&o).contains("Parses only"), "{}", out(&o));
}

#[test]
fn verify_help_says_a_bare_signature_proves_authorship_only() {
    let t = Tmp::new("help");
    for flag in ["-h", "--help"] {
        let o = run(&t.0, &["verify", flag]);
        assert_eq!(code(&o), 0);
        let help = out(&o).replace('\n', " ");
        assert!(help.contains("proves authorship only"), "{help}");
        assert!(
            help.contains("an older release or another model's image"),
            "{help}"
        );
        assert!(help.contains("--manifest"), "{help}");
    }
}

#[test]
fn bare_signature_json_has_no_version_or_expiry() {
    let s = setup("bare");
    let d = &s.t.0;
    assert_eq!(
        code(&run(
            d,
            &["sign", "--key", "k.pem", "--out", "img.sig", "img"]
        )),
        0
    );
    let o = run(
        d,
        &[
            "verify",
            "--key",
            "pub.pem",
            "--signature",
            "img.sig",
            "--format",
            "json",
            "img",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let v = json(&o);
    assert_eq!(v["genuine"], true);
    assert!(v["version"].is_null() && v["expires"].is_null() && v["manifest"].is_null());
    assert_eq!(v["sha256"], s.sha256.as_str());
    assert_eq!(v["signature_checked"], true);
}
