//! `stepstone keygen`, `sign` and `verify` as a user runs them, with the `openssl` CLI on the
//! other side: exit 0 genuine, 1 not genuine (malformed signatures included), 2 usage or
//! unreadable file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Tmp(PathBuf);
impl Tmp {
    fn new(name: &str) -> Tmp {
        let d = std::env::temp_dir().join(format!("stepstone-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Tmp(d)
    }
    fn p(&self, f: &str) -> String {
        self.0.join(f).to_string_lossy().into_owned()
    }
}
impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stepstone"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}
fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}
fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn keygen_sign_verify_every_encoding_and_openssl_agrees() {
    let t = Tmp::new("sign");
    let d = &t.0;
    let o = run(d, &["keygen", "--out", "k.pem", "--pub", "pub.pem"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("key_id "));
    // keygen refuses to overwrite a key.
    assert_eq!(code(&run(d, &["keygen", "--out", "k.pem"])), 2);
    let image: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(t.p("img"), &image).unwrap();
    for enc in ["der", "raw", "hex", "base64", "hex-raw", "base64-raw"] {
        let sig = format!("img.{enc}");
        assert_eq!(
            code(&run(
                d,
                &[
                    "sign",
                    "--key",
                    "k.pem",
                    "--encoding",
                    enc,
                    "--out",
                    &sig,
                    "img"
                ]
            )),
            0
        );
        let o = run(
            d,
            &["verify", "--key", "pub.pem", "--signature", &sig, "img"],
        );
        assert_eq!(code(&o), 0, "{enc}: {}", String::from_utf8_lossy(&o.stderr));
    }
    // RFC 6979: signing twice gives the same bytes.
    run(d, &["sign", "--key", "k.pem", "--out", "again.der", "img"]);
    assert_eq!(
        std::fs::read(t.p("img.der")).unwrap(),
        std::fs::read(t.p("again.der")).unwrap()
    );
    // openssl accepts what stepstone signs, and stepstone accepts what openssl signs.
    assert!(openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "img.der",
            "img"
        ]
    ));
    assert!(openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-sign",
            "k.pem",
            "-out",
            "theirs.der",
            "img"
        ]
    ));
    assert_eq!(
        code(&run(
            d,
            &[
                "verify",
                "--key",
                "pub.pem",
                "--signature",
                "theirs.der",
                "img"
            ]
        )),
        0
    );
    // Not genuine: tampered image, malformed signature, wrong key; JSON error on stdout.
    let mut bad = image.clone();
    bad[1000] ^= 0x80;
    std::fs::write(t.p("bad"), &bad).unwrap();
    let o = run(
        d,
        &[
            "verify",
            "--key",
            "pub.pem",
            "--signature",
            "img.der",
            "bad",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"code\":\"signature.invalid\""));
    std::fs::write(t.p("junk.sig"), b"\x30\x03\x02\x01\x00").unwrap();
    let o = run(
        d,
        &[
            "verify",
            "--key",
            "pub.pem",
            "--signature",
            "junk.sig",
            "img",
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error[signature.malformed]"));
    run(d, &["keygen", "--out", "k2.pem", "--pub", "pub2.pem"]);
    assert_eq!(
        code(&run(
            d,
            &[
                "verify",
                "--key",
                "pub2.pem",
                "--signature",
                "img.der",
                "img"
            ]
        )),
        1
    );
    // Usage and unreadable files: 2.
    assert_eq!(
        code(&run(d, &["verify", "--signature", "img.der", "img"])),
        2
    );
    assert_eq!(code(&run(d, &["verify", "--key", "pub.pem", "img"])), 2);
    assert_eq!(
        code(&run(
            d,
            &[
                "verify",
                "--key",
                "pub.pem",
                "--signature",
                "img.der",
                "missing"
            ]
        )),
        2
    );
    assert_eq!(
        code(&run(
            d,
            &[
                "verify",
                "--key",
                "missing.pem",
                "--signature",
                "img.der",
                "img"
            ]
        )),
        2
    );
}

#[test]
fn manifest_and_certificate_chain() {
    let t = Tmp::new("manifest");
    let d = &t.0;
    let kid = String::from_utf8(run(d, &["keygen", "--out", "k.pem", "--pub", "pub.pem"]).stdout)
        .unwrap();
    let kid = kid.trim().strip_prefix("key_id ").unwrap().to_string();
    let image = b"firmware v66003".repeat(1000);
    std::fs::write(t.p("img"), &image).unwrap();
    let sha = {
        let o = Command::new("openssl")
            .args(["dgst", "-sha256", "-r", "img"])
            .current_dir(d)
            .output()
            .unwrap();
        String::from_utf8(o.stdout)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string()
    };
    let manifest = format!(
        "stepstone-manifest 1\nscheme integer\nversion v66003\nmin_sw_version v66000\nsize {}\nsha256 {sha}\nmodels AG-1\nenvironment production\nexpires 1900000000\nkey_id {kid}\n",
        image.len()
    );
    std::fs::write(t.p("m.txt"), &manifest).unwrap();
    assert_eq!(
        code(&run(
            d,
            &[
                "sign",
                "--key",
                "k.pem",
                "--encoding",
                "base64",
                "--out",
                "m.sig",
                "m.txt"
            ]
        )),
        0
    );
    let device = |extra: &[&str], img: &str| {
        let mut args = vec![
            "verify",
            "--key",
            "pub.pem",
            "--manifest",
            "m.txt",
            "--manifest-signature",
            "m.sig",
            "--model",
            "AG-1",
            "--environment",
            "production",
            "--current-version",
            "v66000",
            "--now",
            "1800000000",
        ];
        args.extend_from_slice(extra);
        args.push(img);
        let o = run(d, &args);
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        (code(&o), stderr)
    };
    assert_eq!(device(&[], "img").0, 0);
    let (c, e) = device(&["--counter", "v66003"], "img");
    assert_eq!(
        (c, e.starts_with("error[manifest.rollback]")),
        (1, true),
        "{e}"
    );
    let mut longer = image.clone();
    longer.extend_from_slice(&[0u8; 100_000]);
    std::fs::write(t.p("longer"), &longer).unwrap();
    let (c, e) = device(&[], "longer");
    assert_eq!(
        (c, e.starts_with("error[manifest.size_mismatch]")),
        (1, true),
        "{e}"
    );
    assert_eq!(
        device(&["--model", "AG-2"], "img").0,
        2,
        "--model twice is a usage error"
    );

    // A signing certificate under a pinned root, made by openssl.
    assert!(openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "k.pem",
            "-subj",
            "/CN=root",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
            "-out",
            "root.pem"
        ]
    ));
    assert!(openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "signer.key"
        ]
    ));
    assert!(openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "signer.key",
            "-subj",
            "/CN=signer",
            "-out",
            "signer.csr"
        ]
    ));
    std::fs::write(
        t.p("ext"),
        "[v3]\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n",
    )
    .unwrap();
    assert!(openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "signer.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "k.pem",
            "-CAcreateserial",
            "-days",
            "10",
            "-extfile",
            "ext",
            "-extensions",
            "v3",
            "-out",
            "signer.pem"
        ]
    ));
    assert_eq!(
        code(&run(
            d,
            &["sign", "--key", "signer.key", "--out", "img.sig", "img"]
        )),
        0
    );
    let chain = |now: &str| {
        code(&run(
            d,
            &[
                "verify",
                "--cert",
                "signer.pem",
                "--root",
                "root.pem",
                "--signature",
                "img.sig",
                "--now",
                now,
                "img",
            ],
        ))
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60;
    assert_eq!(chain(&now.to_string()), 0);
    assert_eq!(chain(&(now + 20 * 86_400).to_string()), 1);
    assert_eq!(
        code(&run(
            d,
            &[
                "verify",
                "--cert",
                "signer.pem",
                "--signature",
                "img.sig",
                "img"
            ]
        )),
        2
    );
}

/// An output option naming one of the command's inputs (the catalog, the image, the private
/// key; also through a symbolic link) is a usage error found before anything is written: the
/// input is left as it was. So are `-` and an empty path for an output that goes to a file.
#[test]
fn outputs_never_overwrite_inputs() {
    let t = Tmp::new("overwrite");
    let d = &t.0;
    let catalog = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/catalog.json"
    ))
    .unwrap();
    std::fs::write(t.p("cat.json"), &catalog).unwrap();
    assert_eq!(code(&run(d, &["keygen", "--out", "k.pem"])), 0);
    let key = std::fs::read(t.p("k.pem")).unwrap();
    std::fs::write(t.p("img"), b"firmware image").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(t.p("k.pem"), t.p("link.pem")).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(t.p("k.pem"), t.p("link.pem"))
        .map(|_| ())
        .unwrap();
    let pack = ["catalog", "pack", "cat.json", "--model", "AG-1"];
    let manifest = [
        "manifest",
        "create",
        "--key",
        "k.pem",
        "--version",
        "v67000",
        "--scheme",
        "integer",
        "--models",
        "AG-1",
        "--environment",
        "production",
        "--expires",
        "1900000000",
        "--out",
        "m.json",
    ];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["sign", "--key", "k.pem", "--out", "img", "img"],
            "is the file to sign",
        ),
        (
            vec!["sign", "--key", "k.pem", "--out", "k.pem", "img"],
            "is the private key",
        ),
        #[cfg(unix)]
        (
            vec!["sign", "--key", "k.pem", "--out", "link.pem", "img"],
            "is the private key",
        ),
        (
            vec!["sign", "--key", "k.pem", "--out", "-", "img"],
            "is not standard output",
        ),
        (
            [&manifest[..], &["--signature-out", "k.pem", "img"]].concat(),
            "is the private key",
        ),
        (
            [&manifest[..], &["--signature-out", "img", "img"]].concat(),
            "is the image",
        ),
        ([&pack[..], &["-o", "cat.json"]].concat(), "is the catalog"),
        ([&pack[..], &["-o", "-"]].concat(), "is not standard output"),
        (
            [
                &pack[..],
                &[
                    "--sign",
                    "k.pem",
                    "--sequence",
                    "1",
                    "--expires",
                    "1900000000",
                ],
            ]
            .concat()
            .into_iter()
            .chain(["-o", "k.pem"])
            .collect(),
            "is the signing key",
        ),
        (
            vec![
                "catalog", "table", "cat.json", "--target", "v67000", "--model", "AG-1", "-o",
                "cat.json",
            ],
            "is the catalog",
        ),
        (vec!["keygen", "--out", ""], "is empty"),
    ];
    for (args, says) in &cases {
        let o = run(d, args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(code(&o), 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("error[cli.usage]") && stderr.contains(says),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(std::fs::read(t.p("cat.json")).unwrap(), catalog);
    assert_eq!(std::fs::read(t.p("k.pem")).unwrap(), key);
    assert_eq!(std::fs::read(t.p("img")).unwrap(), b"firmware image");
    assert!(!Path::new(&t.p("-")).exists());
    // The same commands with outputs of their own still write them.
    assert_eq!(code(&run(d, &[&pack[..], &["-o", "cat.sscc"]].concat())), 0);
    assert_eq!(
        code(&run(
            d,
            &["sign", "--key", "link.pem", "--out", "img.sig", "img"]
        )),
        0
    );
}
