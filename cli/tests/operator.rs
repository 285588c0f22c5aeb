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
    // The binary may exit before reading it all (a refused header): ignore a broken pipe.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
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
