//! The operator's tools as a release engineer runs them (issue 15): `next-hop` over real CSV
//! (quoted fields, CRLF, BOM, headers in any order, every refused row kind, the summary,
//! `--strict`), and the release tooling (keygen's public key, non-UTF-8 catalogs, completions,
//! the man page, `--version`, Mermaid, simulate's units, `catalog pack`'s target check).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A scratch directory, removed on drop.
struct Tmp(PathBuf);
impl Tmp {
    fn new(name: &str) -> Tmp {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let d =
            std::env::temp_dir().join(format!("stepstone-op-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Tmp(d)
    }
    fn p(&self, f: &str) -> String {
        self.0.join(f).to_string_lossy().into_owned()
    }
    fn write(&self, f: &str, bytes: &[u8]) -> String {
        std::fs::write(self.0.join(f), bytes).unwrap();
        self.p(f)
    }
}
impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary in `dir` with `stdin` bytes.
fn run_in(dir: &std::path::Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepstone"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    // Written from a thread while the output is read (a long list fills both pipes); the
    // binary may exit before reading it all (a refused header): ignore a broken pipe.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    o
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

/// A catalog naming no models or environments, so every row's answer depends only on its
/// version: 1.0.0 → 2.0.0 → 3.2.1.
const PLAIN: &str = r#"{"scheme": "semver", "releases": [
  {"version": "1.0.0", "size": 1000},
  {"version": "2.0.0", "min_sw_version": "1.0.0", "size": 2000},
  {"version": "3.2.1", "min_sw_version": "2.0.0", "size": 3000}
]}"#;

/// Two models: 2.1.0 is GW-100's only; 3.2.1 is for both.
const MODELS: &str = r#"{"scheme": "semver", "releases": [
  {"version": "1.0.0", "models": ["GW-100", "GW-200"]},
  {"version": "2.0.0", "min_sw_version": "1.0.0", "models": ["GW-100", "GW-200"]},
  {"version": "2.1.0", "min_sw_version": "2.0.0", "models": ["GW-100"]},
  {"version": "3.2.1", "min_sw_version": "2.0.0", "models": ["GW-100", "GW-200"]}
]}"#;

/// `next-hop` over PLAIN toward 3.2.1 with `devices` on stdin.
fn hop(devices: &[u8], extra: &[&str]) -> Output {
    let t = Tmp::new("hop");
    let cat = t.write("c.json", PLAIN.as_bytes());
    let mut args = vec!["next-hop", &cat, "--to", "3.2.1"];
    args.extend_from_slice(extra);
    run_in(&t.0, &args, devices)
}

const HEADER: &str = "device_id,version,next_hop\n";

#[test]
fn csv_with_header_answers_every_row_and_sums_up() {
    let o = hop(b"device_id,version\nd1,1.0.0\nd2,2.0.0\nd3,3.2.1\n", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        out(&o),
        format!("{HEADER}d1,1.0.0,2.0.0\nd2,2.0.0,3.2.1\nd3,3.2.1,\n")
    );
    assert_eq!(err(&o), "3 rows: 2 → 3.2.1, 1 at target, 0 refused\n");
}

#[test]
fn header_columns_in_any_order_and_any_case() {
    let o = hop(
        b"Version,environment,DEVICE_ID,model\n1.0.0,,d1,\n2.0.0,prod,d2,GW-1\n",
        &[],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), format!("{HEADER}d1,1.0.0,2.0.0\nd2,2.0.0,3.2.1\n"));
}

#[test]
fn utf8_bom_before_the_header() {
    let o = hop(b"\xEF\xBB\xBFdevice_id,version\r\nd1,1.0.0\r\n", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), format!("{HEADER}d1,1.0.0,2.0.0\n"));
    // And before the one-version-per-line form.
    let o = hop(b"\xEF\xBB\xBF1.0.0\n", &[]);
    assert_eq!(out(&o), ",1.0.0,2.0.0\n");
}

#[test]
fn crlf_line_ends_and_blank_lines() {
    let o = hop(
        b"device_id,version\r\n\r\nd1,1.0.0\r\n\r\nd2,3.2.1\r\n",
        &[],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), format!("{HEADER}d1,1.0.0,2.0.0\nd2,3.2.1,\n"));
    assert!(err(&o).starts_with("2 rows:"), "{}", err(&o));
}

#[test]
fn quoted_fields_are_read_and_written_back_quoted() {
    let o = hop(
        b"\"device_id\",\"version\"\n\"d,1\",\"1.0.0\"\n\"say \"\"hi\"\"\",\" 2.0.0 \"\n\"multi\nline\",3.2.1\n",
        &[],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        out(&o),
        format!(
            "{HEADER}\"d,1\",1.0.0,2.0.0\n\"say \"\"hi\"\"\",2.0.0,3.2.1\n\"multi\nline\",3.2.1,\n"
        )
    );
}

#[test]
fn one_version_per_line_stays() {
    let o = hop(b"1.0.0\n2.0.0\n\n3.2.1\nnot-a-version\n", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        out(&o),
        ",1.0.0,2.0.0\n,2.0.0,3.2.1\n,3.2.1,\n,not-a-version,error:version.malformed\n"
    );
    assert_eq!(
        err(&o),
        "4 rows: 2 → 3.2.1, 1 at target, 1 refused (version.malformed 1)\n"
    );
    // A header of the single column `version` is the same form, with a header.
    let o = hop(b"version\n1.0.0\n", &[]);
    assert_eq!(out(&o), format!("{HEADER},1.0.0,2.0.0\n"));
    // A line with a comma in this form has a column too many.
    let o = hop(b"1.0.0\nd1,1.0.0\n", &[]);
    assert_eq!(out(&o), ",1.0.0,2.0.0\n,d1,error:csv.extra_columns\n");
}

#[test]
fn row_with_missing_columns_is_refused() {
    let o = hop(b"device_id,version,model\nd1,1.0.0\nd2\nd3,1.0.0,\n", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        out(&o),
        format!(
            "{HEADER}d1,1.0.0,error:csv.missing_columns\nd2,,error:csv.missing_columns\nd3,1.0.0,2.0.0\n"
        )
    );
    assert_eq!(
        err(&o),
        "3 rows: 1 → 3.2.1, 0 at target, 2 refused (csv.missing_columns 2)\n"
    );
}

#[test]
fn row_with_extra_columns_is_refused() {
    let o = hop(
        b"device_id,version\nd1,1.0.0,GW-1\nd2,1.0.0,\nd3,1.0.0\n",
        &[],
    );
    assert_eq!(
        out(&o),
        format!(
            "{HEADER}d1,1.0.0,error:csv.extra_columns\nd2,1.0.0,error:csv.extra_columns\nd3,1.0.0,2.0.0\n"
        )
    );
}

#[test]
fn row_with_an_empty_device_id_is_refused() {
    let o = hop(b"device_id,version\n,1.0.0\n  ,2.0.0\n\"\",3.2.1\n", &[]);
    assert_eq!(
        out(&o),
        format!(
            "{HEADER},1.0.0,error:csv.empty_device_id\n,2.0.0,error:csv.empty_device_id\n,3.2.1,error:csv.empty_device_id\n"
        )
    );
    assert_eq!(
        err(&o),
        "3 rows: 0 → 3.2.1, 0 at target, 3 refused (csv.empty_device_id 3)\n"
    );
}

#[test]
fn row_that_is_not_utf8_is_refused_and_echoed_as_text() {
    let o = hop(b"device_id,version\nd\xFF1,1.0.0\nd2,1.0.0\n", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        out(&o),
        format!("{HEADER}d\u{FFFD}1,1.0.0,error:csv.not_utf8\nd2,1.0.0,2.0.0\n")
    );
}

#[test]
fn summary_counts_refusals_by_code_most_first() {
    let o = hop(
        b"device_id,version\na,x\nb,y\nc,1.0.0,z\nd,3.2.1\ne,0.9.0\n",
        &[],
    );
    assert_eq!(
        err(&o),
        "5 rows: 1 → 3.2.1, 1 at target, 3 refused (version.malformed 2, csv.extra_columns 1)\n"
    );
}

#[test]
fn strict_makes_any_refused_row_exit_1_after_answering_every_row() {
    let csv = b"device_id,version\nd1,1.0.0\nd2,bad\nd3,2.0.0\n";
    let o = hop(csv, &["--strict"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        out(&o),
        format!("{HEADER}d1,1.0.0,2.0.0\nd2,bad,error:version.malformed\nd3,2.0.0,3.2.1\n")
    );
    assert!(
        err(&o).contains("1 refused (version.malformed 1)"),
        "{}",
        err(&o)
    );
    assert_eq!(code(&hop(csv, &[])), 0, "without --strict");
    assert_eq!(
        code(&hop(b"device_id,version\nd1,1.0.0\n", &["--strict"])),
        0,
        "nothing refused"
    );
}

#[test]
fn csv_without_a_header_is_refused_whole() {
    let o = hop(b"d1,1.0.0\nd2,2.0.0\n", &[]);
    assert_eq!(code(&o), 1);
    assert_eq!(out(&o), "");
    assert!(err(&o).starts_with("error[csv.no_header]: "), "{}", err(&o));
    let o = hop(b"d1,1.0.0\n", &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["error"]["code"], "csv.no_header");
}

#[test]
fn bad_headers_are_refused_whole() {
    for (csv, want) in [
        (&b"device_id,verison\nd1,1.0.0\n"[..], "csv.header_unknown"),
        (b"device_id,version,site\n", "csv.header_unknown"),
        (b"device_id,version,Version\n", "csv.header_duplicate"),
        (b"device_id,model\nd1,GW-1\n", "csv.header_incomplete"),
        (b"version,model\n1.0.0,GW-1\n", "csv.header_incomplete"),
    ] {
        let o = hop(csv, &[]);
        assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(csv));
        assert_eq!(out(&o), "");
        assert!(
            err(&o).starts_with(&format!("error[{want}]: ")),
            "{}: {}",
            String::from_utf8_lossy(csv),
            err(&o)
        );
    }
}

#[test]
fn empty_input_is_no_rows() {
    let o = hop(b"", &[]);
    assert_eq!(code(&o), 0);
    assert_eq!(out(&o), "");
    assert_eq!(err(&o), "0 rows: 0 → 3.2.1, 0 at target, 0 refused\n");
    let o = hop(b"device_id,version\r\n", &["--strict"]);
    assert_eq!((code(&o), out(&o)), (0, HEADER.to_string()));
}

#[test]
fn model_column_picks_the_models_table() {
    let t = Tmp::new("models");
    let cat = t.write("c.json", MODELS.as_bytes());
    let devices = t.write(
        "d.csv",
        b"model,device_id,version\r\nGW-100,a,2.0.0\r\nGW-200,b,2.0.0\r\n\"GW-100\",c,2.1.0\r\nGW-200,d,2.1.0\r\n",
    );
    let o = run_in(
        &t.0,
        &["next-hop", &cat, "--to", "3.2.1", "--devices", &devices],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let rows: Vec<&str> = out(&o).leak().lines().collect();
    assert_eq!(rows[0], "device_id,version,next_hop");
    assert_eq!(rows[1], "a,2.0.0,3.2.1");
    assert_eq!(rows[2], "b,2.0.0,3.2.1");
    assert_eq!(rows[3], "c,2.1.0,3.2.1");
    assert_eq!(rows.len(), 5);
    // d (a GW-200 on GW-100's 2.1.0) is answered by the core, whatever its verdict: the CSV
    // layer passes the row's own model through.
    assert!(rows[4].starts_with("d,2.1.0,"), "{}", rows[4]);
}

#[test]
fn device_list_file_that_cannot_be_read_is_exit_2() {
    let o = hop(b"", &["--devices", "/nonexistent/devices.csv"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).starts_with("error[io.unreadable]: "), "{}", err(&o));
}

// ---- keygen ----------------------------------------------------------------------------

#[test]
fn keygen_writes_the_public_key_by_default_and_prints_the_key_id() {
    let t = Tmp::new("keygen");
    let o = run_in(&t.0, &["keygen", "--out", "k.pem"], b"");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let kid = out(&o).trim().strip_prefix("key_id ").unwrap().to_string();
    assert_eq!(kid.len(), 64, "{kid}");
    assert!(kid.bytes().all(|b| b.is_ascii_hexdigit()), "{kid}");
    let public = std::fs::read_to_string(t.p("k.pem.pub.pem")).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"), "{public}");
    assert!(err(&o).contains("k.pem.pub.pem"), "{}", err(&o));
    // The default public key is the private key's: sign with one, verify with the other.
    std::fs::write(t.p("img"), b"image").unwrap();
    let o = run_in(
        &t.0,
        &["sign", "--key", "k.pem", "img", "--out", "img.sig"],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = run_in(
        &t.0,
        &[
            "verify",
            "--key",
            "k.pem.pub.pem",
            "--signature",
            "img.sig",
            "img",
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));

    // JSON names both files.
    let o = run_in(&t.0, &["keygen", "--out", "j.pem", "--format", "json"], b"");
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["private"], "j.pem");
    assert_eq!(v["public"], "j.pem.pub.pem");
    assert_eq!(v["key_id"].as_str().unwrap().len(), 64);

    // --pub still chooses the public key's file.
    let o = run_in(&t.0, &["keygen", "--out", "a.pem", "--pub", "a.pub"], b"");
    assert_eq!(code(&o), 0);
    assert!(t.0.join("a.pub").exists());
    assert!(!t.0.join("a.pem.pub.pem").exists());
}

#[test]
fn keygen_writes_nothing_when_either_file_exists() {
    let t = Tmp::new("keygen-exists");
    t.write("b.pem.pub.pem", b"someone's key");
    let o = run_in(&t.0, &["keygen", "--out", "b.pem"], b"");
    assert_eq!(code(&o), 2);
    assert!(err(&o).starts_with("error[io.unwritable]: "), "{}", err(&o));
    assert!(!t.0.join("b.pem").exists(), "no private key left behind");
    assert_eq!(
        std::fs::read(t.p("b.pem.pub.pem")).unwrap(),
        b"someone's key"
    );
    let o = run_in(&t.0, &["keygen", "--out", "c.pem", "--pub", "c.pem"], b"");
    assert_eq!(code(&o), 2);
    assert!(!t.0.join("c.pem").exists());
}

// ---- non-UTF-8 catalogs ----------------------------------------------------------------

#[test]
fn catalog_that_is_not_utf8_is_exit_1_catalog_json() {
    let t = Tmp::new("utf8");
    let cat = t.write("c.json", b"{\"releases\": [{\"version\": \"1.0.0\xFF\"}]}");
    for args in [
        vec!["validate", cat.as_str()],
        vec!["plan", &cat, "--from", "1.0.0", "--to", "1.0.0"],
        vec!["next-hop", &cat, "--to", "1.0.0", "--from", "1.0.0"],
        vec!["graph", &cat],
        vec!["catalog", "pack", &cat, "-o", "out.bin"],
        vec!["simulate", "--catalog", &cat, "--target", "1.0.0"],
    ] {
        let o = run_in(&t.0, &args, b"");
        assert_eq!(code(&o), 1, "{args:?}: {}", err(&o));
        assert!(
            err(&o).starts_with("error[catalog.json]: catalog is not valid JSON: not UTF-8"),
            "{args:?}: {}",
            err(&o)
        );
    }
    let o = run_in(&t.0, &["validate", &cat, "--format", "json"], b"");
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"][0]["code"], "catalog.json");
    // Stdin too.
    let o = run_in(&t.0, &["validate", "-"], b"\xFE\xFF{}");
    assert_eq!(code(&o), 1);
    assert!(err(&o).starts_with("error[catalog.json]"), "{}", err(&o));
    // A file that cannot be read at all stays exit 2.
    let o = run_in(&t.0, &["validate", "missing.json"], b"");
    assert_eq!(code(&o), 2);
}

#[test]
fn rollout_and_retry_files_that_are_not_utf8_are_exit_1() {
    let t = Tmp::new("utf8-sim");
    let cat = t.write("c.json", PLAIN.as_bytes());
    let bad = t.write("bad.json", b"\xFF");
    for (flag, want) in [("--rollout", "rollout.json"), ("--retry", "retry.json")] {
        let o = run_in(
            &t.0,
            &[
                "simulate",
                "--catalog",
                &cat,
                "--target",
                "3.2.1",
                flag,
                &bad,
            ],
            b"",
        );
        assert_eq!(code(&o), 1, "{}", err(&o));
        assert!(
            err(&o).starts_with(&format!("error[{want}]: ")),
            "{}",
            err(&o)
        );
    }
}

// ---- completions, man, --version, help -------------------------------------------------

/// The subcommands the top-level help lists.
fn listed_subcommands() -> Vec<String> {
    let o = run_in(&std::env::temp_dir(), &["--help"], b"");
    assert_eq!(code(&o), 0);
    out(&o)
        .split("Commands:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect()
}

const SUBCOMMANDS: [&str; 14] = [
    "validate",
    "plan",
    "next-hop",
    "graph",
    "sample",
    "catalog",
    "simulate",
    "keygen",
    "sign",
    "verify",
    "manifest",
    "completions",
    "man",
    "help",
];

#[test]
fn top_level_help_lists_every_subcommand() {
    assert_eq!(listed_subcommands(), SUBCOMMANDS);
    let o = run_in(&std::env::temp_dir(), &["--help"], b"");
    let help = out(&o);
    assert!(!help.contains("validate, plan, next-hop, graph."), "{help}");
    assert!(help.contains("Exit codes: 0 answered"), "{help}");
    for sub in SUBCOMMANDS.iter().filter(|s| **s != "help") {
        let o = run_in(&std::env::temp_dir(), &[sub, "--help"], b"");
        assert_eq!(code(&o), 0, "{sub} --help");
        let o = run_in(&std::env::temp_dir(), &["help", sub], b"");
        assert_eq!(code(&o), 0, "help {sub}");
    }
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for (shell, marker) in [
        ("bash", "complete -F _stepstone"),
        ("zsh", "#compdef stepstone"),
        ("fish", "complete -c stepstone"),
    ] {
        let o = run_in(&std::env::temp_dir(), &["completions", shell], b"");
        assert_eq!(code(&o), 0, "{shell}: {}", err(&o));
        let script = out(&o);
        assert!(script.contains(marker), "{shell}: {script}");
        for sub in ["next-hop", "catalog", "completions", "man", "keygen"] {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
        assert!(script.contains("strict"), "{shell}: next-hop's --strict");
    }
    let o = run_in(&std::env::temp_dir(), &["completions", "powershell"], b"");
    assert_eq!(code(&o), 2);
    let o = run_in(&std::env::temp_dir(), &["completions"], b"");
    assert_eq!(code(&o), 2);
}

#[test]
fn man_page_on_stdout_and_one_per_subcommand_with_dir() {
    let o = run_in(&std::env::temp_dir(), &["man"], b"");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let page = out(&o);
    assert!(page.contains(".TH stepstone 1"), "{page}");
    assert!(page.contains(".SH NAME"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for sub in ["validate", "next\\-hop", "catalog", "completions", "man"] {
        assert!(page.contains(sub), "man lacks {sub}");
    }
    let t = Tmp::new("man");
    let o = run_in(&t.0, &["man", "--dir", "pages"], b"");
    assert_eq!(code(&o), 0, "{}", err(&o));
    for f in [
        "stepstone.1",
        "stepstone-next-hop.1",
        "stepstone-catalog.1",
        "stepstone-catalog-pack.1",
        "stepstone-completions.1",
    ] {
        let text = std::fs::read_to_string(t.0.join("pages").join(f))
            .unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(text.contains(".TH"), "{f}");
    }
    let page = std::fs::read_to_string(t.0.join("pages/stepstone-next-hop.1")).unwrap();
    assert!(page.contains("strict"), "{page}");
}

#[test]
fn version_names_the_git_commit() {
    let o = run_in(&std::env::temp_dir(), &["--version"], b"");
    assert_eq!(code(&o), 0);
    let v = out(&o);
    let commit = v
        .trim()
        .strip_prefix(concat!(
            "stepstone ",
            env!("CARGO_PKG_VERSION"),
            " (commit "
        ))
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{v}"));
    // A short hash in a git checkout; `unknown` (documented) when built outside one.
    assert!(
        commit == "unknown" || (commit.len() >= 7 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{v}"
    );
}

// ---- graph, simulate, catalog pack -----------------------------------------------------

#[test]
fn mermaid_shows_barriers_dead_ends_and_yanked_as_dot_does() {
    let t = Tmp::new("mermaid");
    let cat = t.write(
        "c.json",
        br#"{"scheme": "semver", "releases": [
          {"version": "1.0.0"},
          {"version": "2.0.0", "barrier": true},
          {"version": "2.1.0", "min_sw_version": "2.0.0", "yanked": true},
          {"version": "2.2.0", "min_sw_version": "2.0.0", "deadend": true},
          {"version": "3.0.0", "min_sw_version": "2.0.0"}
        ]}"#,
    );
    let dot = out(&run_in(&t.0, &["graph", &cat], b""));
    let o = run_in(&t.0, &["graph", &cat, "--format", "mermaid"], b"");
    assert_eq!(code(&o), 0);
    let mermaid = out(&o);
    for note in ["barrier", "yanked", "dead end", "needs ≥ 2.0.0"] {
        assert!(dot.contains(note), "dot lacks {note}: {dot}");
        assert!(mermaid.contains(note), "mermaid lacks {note}: {mermaid}");
    }
    assert!(mermaid.contains("2.0.0<br/>barrier"), "{mermaid}");
    assert!(
        mermaid.contains("2.2.0<br/>needs ≥ 2.0.0<br/>dead end"),
        "{mermaid}"
    );
    assert!(mermaid.contains("classDef deadend"), "{mermaid}");
    assert!(mermaid.contains("linkStyle "), "{mermaid}");
}

#[test]
fn simulate_prints_bytes_with_units() {
    let t = Tmp::new("simulate");
    let cat = t.write(
        "c.json",
        br#"{"scheme": "semver", "releases": [
          {"version": "1.0.0", "size": 1000000},
          {"version": "2.0.0", "min_sw_version": "1.0.0", "size": 2000000000},
          {"version": "3.2.1", "min_sw_version": "2.0.0", "size": 3000000000}
        ]}"#,
    );
    let o = run_in(
        &t.0,
        &[
            "simulate",
            "--catalog",
            &cat,
            "--target",
            "3.2.1",
            "--devices",
            "200",
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = out(&o);
    // 200 devices × (2 GB + 3 GB) = 1 TB, each installed once.
    assert!(
        text.contains("bytes:          1 TB installed, 1 TB downloaded"),
        "{text}"
    );
    let o = run_in(
        &t.0,
        &[
            "simulate",
            "--catalog",
            &cat,
            "--target",
            "3.2.1",
            "--devices",
            "200",
            "--format",
            "json",
        ],
        b"",
    );
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(
        v["bytes_installed"], 1_000_000_000_000u64,
        "JSON keeps exact bytes"
    );
}

/// Models and environments: 2.1.0 is GW-100's and lab's only.
const PACK: &str = r#"{"scheme": "semver", "releases": [
  {"version": "1.0.0", "models": ["GW-100", "GW-200"], "environments": ["lab", "prod"]},
  {"version": "2.1.0", "models": ["GW-100"], "environments": ["lab"]},
  {"version": "3.2.1", "models": ["GW-100", "GW-200"], "environments": ["lab", "prod"]},
  {"version": "3.3.0", "models": ["GW-100", "GW-200"], "environments": ["lab", "prod"], "yanked": true}
]}"#;

#[test]
fn catalog_pack_refuses_a_target_the_packed_device_cannot_install() {
    let t = Tmp::new("pack");
    let cat = t.write("c.json", PACK.as_bytes());
    let pack = |target: &str, model: &str, env: &str| {
        run_in(
            &t.0,
            &[
                "catalog",
                "pack",
                &cat,
                "--target",
                target,
                "--model",
                model,
                "--environment",
                env,
                "-o",
                "out.bin",
            ],
            b"",
        )
    };
    for (target, model, env, want) in [
        ("2.1.0", "GW-200", "lab", "plan.target_model"),
        ("2.1.0", "GW-100", "prod", "plan.target_environment"),
        ("3.3.0", "GW-100", "prod", "plan.target_yanked"),
        ("9.9.9", "GW-100", "prod", "plan.unknown_target"),
        ("x", "GW-100", "prod", "version.malformed"),
    ] {
        let _ = std::fs::remove_file(t.0.join("out.bin"));
        let o = pack(target, model, env);
        assert_eq!(code(&o), 1, "{target} {model} {env}: {}", err(&o));
        assert!(
            err(&o).starts_with(&format!("error[{want}]: ")),
            "{target} {model} {env}: {}",
            err(&o)
        );
        assert!(!t.0.join("out.bin").exists(), "nothing written");
    }
    let o = pack("3.2.1", "GW-200", "prod");
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(t.0.join("out.bin").exists());
    let o = pack("2.1.0", "GW-100", "lab");
    assert_eq!(code(&o), 0, "{}", err(&o));
}

#[test]
fn large_mixed_list_across_buffer_boundaries() {
    // Plain, quoted, CRLF and multi-line quoted rows, far more than one 64 KiB read buffer.
    let versions = ["1.0.0", "2.0.0", "3.2.1", "bad"];
    let hops = ["2.0.0", "3.2.1", "", "error:version.malformed"];
    let mut input = String::from("device_id,version\n");
    let mut want = String::from(HEADER);
    for i in 0..30_000 {
        let v = i % 4;
        match i % 5 {
            0 => {
                input.push_str(&format!("\"dev,{i}\",\"{}\"\n", versions[v]));
                want.push_str(&format!("\"dev,{i}\",{},{}\n", versions[v], hops[v]));
            }
            1 => {
                input.push_str(&format!("dev-{i},{}\r\n", versions[v]));
                want.push_str(&format!("dev-{i},{},{}\n", versions[v], hops[v]));
            }
            2 => {
                input.push_str(&format!("\"dev\n{i}\",{}\n", versions[v]));
                want.push_str(&format!("\"dev\n{i}\",{},{}\n", versions[v], hops[v]));
            }
            _ => {
                input.push_str(&format!("dev-{i}, {} \n", versions[v]));
                want.push_str(&format!("dev-{i},{},{}\n", versions[v], hops[v]));
            }
        }
    }
    let o = hop(input.as_bytes(), &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o) == want, "outputs differ");
    assert_eq!(
        err(&o),
        "30000 rows: 15000 → 3.2.1, 7500 at target, 7500 refused (version.malformed 7500)\n"
    );
}

// ---- large catalog files (mapped, not read) ----------------------------------------------

/// A pretty-printed integer catalog of `n` releases, each minor needing the major before it,
/// `extra` spliced into the middle release: well over the 256 KiB from which a file is mapped.
fn large_catalog(n: u64, extra: &str) -> Vec<u8> {
    let mut text = String::from("{\n  \"scheme\": \"integer\",\n  \"releases\": [\n");
    for i in 0..n {
        let min = if i % 10 == 0 || i == 0 {
            String::new()
        } else {
            format!("      \"min_sw_version\": \"v{}\",\n", 1000 + i - i % 10)
        };
        let splice = if i == n / 2 { extra } else { "" };
        text.push_str(&format!(
            "    {{\n      \"version\": \"v{}\",\n{min}      \"size\": {},\n      \"kind\": \"minor\"{splice}\n    }}{}\n",
            1000 + i,
            1_000_000 + i,
            if i + 1 == n { "" } else { "," }
        ));
    }
    text.push_str("  ]\n}\n");
    text.into_bytes()
}

#[test]
fn large_catalog_file_answers_as_the_same_catalog_on_stdin() {
    let t = Tmp::new("large");
    let n = 3000;
    let valid = large_catalog(n, "");
    assert!(valid.len() > 256 << 10, "{} bytes", valid.len());
    let top = format!("v{}", 1000 + n - 1);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("valid.json", valid),
        // A rule broken in the middle: every error listed, the same from the file.
        (
            "invalid.json",
            large_catalog(n, ",\n      \"min_sw_version\": \"v999999\""),
        ),
        // Not UTF-8 half way through: the same offset from the file.
        (
            "bytes.json",
            large_catalog(n, ",\n      \"note\": \"\u{0}\"")
                .iter()
                .map(|&b| if b == 0 { 0xFF } else { b })
                .collect(),
        ),
        // Cut short.
        ("truncated.json", large_catalog(n, "")[..300_000].to_vec()),
    ];
    for (name, bytes) in &cases {
        let file = t.write(name, bytes);
        for args in [
            vec![
                "plan", "CAT", "--from", "v1000", "--to", &top, "--format", "json",
            ],
            vec![
                "plan", "CAT", "--from", "v1005", "--to", &top, "--cost", "bytes",
            ],
            vec!["next-hop", "CAT", "--to", &top, "--devices", "devs.csv"],
            vec!["validate", "CAT", "--format", "json"],
        ] {
            t.write(
                "devs.csv",
                b"device_id,version\nd1,v1000\nd2,v1500\nd3,v9\nd4,x\n",
            );
            let with = |cat: &str| -> Vec<String> {
                args.iter()
                    .map(|a| {
                        if *a == "CAT" {
                            cat.to_string()
                        } else {
                            a.to_string()
                        }
                    })
                    .collect()
            };
            let from_file = with(&file);
            let from_file: Vec<&str> = from_file.iter().map(String::as_str).collect();
            let from_stdin = with("-");
            let from_stdin: Vec<&str> = from_stdin.iter().map(String::as_str).collect();
            let (a, b) = (
                run_in(&t.0, &from_file, b""),
                run_in(&t.0, &from_stdin, bytes),
            );
            let context = format!("{name} {args:?}: {}", err(&a));
            assert_eq!(code(&a), code(&b), "{context}");
            assert_eq!(out(&a), out(&b), "{context}");
            assert_eq!(err(&a), err(&b), "{context}");
            if *name == "valid.json" {
                assert_eq!(code(&a), 0, "{context}");
            } else {
                assert_eq!(code(&a), 1, "{context}");
            }
        }
    }
}

#[test]
fn large_device_file_answers_as_the_same_list_on_stdin() {
    let t = Tmp::new("large-devices");
    let cat = t.write("c.json", &large_catalog(300, ""));
    let mut rows = String::from("\u{FEFF}device_id,version\r\n");
    for i in 0..20_000u64 {
        match i % 1000 {
            // A quoted field, a refused row, a row with an extra column, a blank line.
            7 => rows.push_str(&format!("\"d,{i}\",v{}\r\n", 1000 + i % 300)),
            8 => rows.push_str(&format!("d{i},x{i}\r\n")),
            9 => rows.push_str(&format!("d{i},v1000,extra\r\n")),
            10 => rows.push_str("\r\n"),
            _ => rows.push_str(&format!("d{i},v{}\r\n", 1000 + i % 300)),
        }
    }
    // The last row without its line break (20000 lines, 20 of them blank, and this one).
    rows.push_str("dlast,v1001");
    assert!(rows.len() > 256 << 10, "{} bytes", rows.len());
    for (name, bytes) in [
        ("bom.csv", rows.as_bytes().to_vec()),
        ("plain.csv", rows.as_bytes()[3..].to_vec()),
    ] {
        let file = t.write(name, &bytes);
        let args = |devices: &str| -> Vec<String> {
            ["next-hop", &cat, "--to", "v1299", "--devices", devices]
                .map(String::from)
                .to_vec()
        };
        let (a, b) = (args(&file), args("-"));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let b: Vec<&str> = b.iter().map(String::as_str).collect();
        let (from_file, from_stdin) = (run_in(&t.0, &a, b""), run_in(&t.0, &b, &bytes));
        assert_eq!(code(&from_file), 0, "{name}: {}", err(&from_file));
        assert_eq!(out(&from_file), out(&from_stdin), "{name}");
        assert_eq!(err(&from_file), err(&from_stdin), "{name}");
        let text = out(&from_file);
        assert!(text.starts_with("device_id,version,next_hop\n"), "{name}");
        assert!(text.contains("\"d,7\",v1007,"), "{name}");
        assert!(text.contains("d8,x8,error:"), "{name}");
        assert!(
            text.contains("d9,v1000,error:csv.extra_columns\n"),
            "{name}"
        );
        assert!(
            text.ends_with("dlast,v1001,v1290\n"),
            "{name}: {}",
            &text[text.len() - 60..]
        );
        assert!(
            err(&from_file).starts_with("19981 rows"),
            "{name}: {}",
            err(&from_file)
        );
    }
}

/// `stepstone plan ... | head` closes the pipe early: the CLI stops quietly, killed by SIGPIPE as
/// Unix tools are, and never panics with "failed printing to stdout".
#[cfg(target_os = "linux")]
#[test]
fn a_closed_stdout_pipe_stops_it_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader); // the reader is gone before the first byte is written
    let catalog = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/catalog.json");
    let o = Command::new(env!("CARGO_BIN_EXE_stepstone"))
        .args(["graph", catalog.to_str().unwrap(), "--model", "AG-1"])
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(!err(&o).contains("panicked"), "{}", err(&o));
    assert_eq!(err(&o), "", "nothing on stderr");
    const SIGPIPE: i32 = 13; // on Linux
    assert_eq!(o.status.signal(), Some(SIGPIPE), "{:?}", o.status);
}

/// Two inputs that both read standard input are a usage error before anything is read: the
/// first would take it all and the second would look empty (`next-hop -` with its device list
/// on stdin answered "0 rows" with exit 0).
#[test]
fn only_one_input_reads_stdin() {
    let t = Tmp::new("stdin");
    let cat = t.write("c.json", PLAIN.as_bytes());
    let devices = t.write("d.csv", b"device_id,version\nd1,1.0.0\n");
    let cases: &[(&[&str], &str)] = &[
        (
            &["next-hop", "-", "--to", "3.2.1"],
            "CATALOG and --devices are both `-`",
        ),
        (
            &["next-hop", "-", "--to", "3.2.1", "--devices", "-"],
            "CATALOG and --devices",
        ),
        (&["sign", "--key", "-", "-"], "--key and FILE are both `-`"),
        (
            &["verify", "--key", "-", "--signature", "s", "-"],
            "--key and IMAGE are both `-`",
        ),
        (
            &["catalog", "inspect", "-", "--key", "-"],
            "FILE and --key are both `-`",
        ),
        (
            &[
                "simulate",
                "--catalog",
                "-",
                "--target",
                "3.2.1",
                "--retry",
                "-",
            ],
            "--catalog and --retry",
        ),
    ];
    for (args, says) in cases {
        let o = run_in(&t.0, args, PLAIN.as_bytes());
        assert_eq!(code(&o), 2, "{args:?}: {}", err(&o));
        assert!(
            err(&o).contains("error[cli.usage]") && err(&o).contains(says),
            "{args:?}: {}",
            err(&o)
        );
        assert_eq!(out(&o), "", "{args:?}");
    }
    // One of them from stdin is fine: the catalog, or the device list.
    let o = run_in(
        &t.0,
        &["next-hop", "-", "--to", "3.2.1", "--devices", &devices],
        PLAIN.as_bytes(),
    );
    assert_eq!(
        (code(&o), out(&o).as_str()),
        (0, "device_id,version,next_hop\nd1,1.0.0,2.0.0\n")
    );
    let o = run_in(
        &t.0,
        &["next-hop", &cat, "--to", "3.2.1"],
        b"device_id,version\nd1,1.0.0\n",
    );
    assert_eq!(
        (code(&o), out(&o).as_str()),
        (0, "device_id,version,next_hop\nd1,1.0.0,2.0.0\n")
    );
}

/// A quote that opens a field and never closes would make the rest of the list one field
/// (a 200,000-row list became "1 row"): the rows before it are answered, then the list is
/// refused with `csv.unclosed_quote` (exit 1, with or without `--strict`). Quotes that close,
/// doubled quotes and a quote inside a plain field are read as before.
#[test]
fn an_unclosed_quote_refuses_the_rest_of_the_list() {
    let many: String = (0..5000).map(|i| format!("d{i},1.0.0\n")).collect();
    for (devices, rows_out) in [
        (
            format!("device_id,version\nd0,2.0.0\nd1,\"1.0.0\n{many}"),
            1,
        ),
        (format!("device_id,version\n\"d0,1.0.0\n{many}"), 0),
        ("device_id,version\nd0,2.0.0\nd1,\"1.0.0".to_string(), 1),
    ] {
        let o = hop(devices.as_bytes(), &[]);
        assert_eq!(code(&o), 1, "{}", err(&o));
        assert!(err(&o).contains("error[csv.unclosed_quote]"), "{}", err(&o));
        assert_eq!(out(&o).lines().count(), 1 + rows_out, "{}", out(&o));
    }
    for closed in [
        "device_id,version\nd0,\"1.0.0\"",
        "device_id,version\n\"d\"\"0\",1.0.0\n",
        "device_id,version\nd\"0,1.0.0\nd1,\"2.0.0\"\r\n",
        "device_id,version\n\"d0\nx\",1.0.0\n",
    ] {
        let o = hop(closed.as_bytes(), &[]);
        assert_eq!(code(&o), 0, "{closed:?}: {}", err(&o));
        assert!(!err(&o).contains("csv.unclosed_quote"), "{closed:?}");
    }
}
