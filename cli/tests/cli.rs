//! The `stepstone` binary as a user runs it: exit codes, output shapes, error lines.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn stepstone(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepstone"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Figure 1: v64000 is for AG-1 alone, so a question states the model (AG-1: every release).
const CATALOG: &str = "examples/catalog.json";

#[path = "cli/sample.rs"]
mod sample;

#[test]
fn plan_text_and_json() {
    let o = stepstone(
        &[
            "plan", CATALOG, "--from", "v64000", "--to", "v67000", "--model", "AG-1",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out(&o).starts_with("v64000 → v65000 → v66000 → v66003 → v67000\n"),
        "{}",
        out(&o)
    );

    let o = stepstone(
        &[
            "plan", CATALOG, "--from", "v64000", "--to", "v67000", "--model", "AG-1", "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(
        v["path"],
        serde_json::json!(["v65000", "v66000", "v66003", "v67000"])
    );
    assert_eq!(v["hops"], 4);
    assert_eq!(v["bytes"], 1638400 + 1703936 + 106496 + 1835008);
    assert_eq!(out(&o).lines().count(), 1, "exactly one object");
}

#[test]
fn explain_names_every_release() {
    let o = stepstone(
        &[
            "plan",
            CATALOG,
            "--from",
            "v64000",
            "--to",
            "v66002",
            "--model",
            "AG-1",
            "--explain",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let text = out(&o);
    assert!(
        text.contains("v66001  skip     skipped: v66002 installs directly from v66000"),
        "{text}"
    );
}

#[test]
fn no_path_is_exit_1_with_code() {
    let json = r#"{"releases":[{"version":"1"},{"version":"2","min_sw_version":"1","yanked":true},{"version":"3","min_sw_version":"2"}]}"#;
    let o = stepstone(&["plan", "-", "--from", "1", "--to", "3"], Some(json));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o).trim(),
        "error[plan.unreachable]: no path from 1 to 3: 3 needs at least 2; nothing this device can install reaches it (2 is yanked)"
    );
    let o = stepstone(
        &["plan", "-", "--from", "1", "--to", "3", "--format", "json"],
        Some(json),
    );
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["error"]["code"], "plan.unreachable");
}

#[test]
fn usage_and_unreadable_are_exit_2() {
    assert_eq!(stepstone(&["plan", CATALOG], None).status.code(), Some(2));
    assert_eq!(stepstone(&["frobnicate"], None).status.code(), Some(2));
    let o = stepstone(&["validate", "/no/such/file.json"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).starts_with("error[io.unreadable]: cannot read /no/such/file.json"),
        "{}",
        err(&o)
    );
    assert_eq!(stepstone(&["--help"], None).status.code(), Some(0));
}

#[test]
fn validate_reports_every_error_and_warning() {
    let o = stepstone(
        &["validate", "-"],
        Some(r#"{"releases":[{"version":"v1","size":-1},{"version":"1"}]}"#),
    );
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(
        e.contains("error[catalog.bad_size]: releases[0] (v1).size: bad size -1"),
        "{e}"
    );
    assert!(e.contains("error[catalog.duplicate_version]"), "{e}");

    let warned = r#"{"releases":[{"version":"1"},{"version":"2","min_sw_version":"1","yanked":true},{"version":"3","min_sw_version":"2"}]}"#;
    let o = stepstone(&["validate", "-"], Some(warned));
    assert_eq!(o.status.code(), Some(0), "warnings alone exit 0");
    assert!(
        out(&o).contains("warning[lint.yanked_stepping_stone]"),
        "{}",
        out(&o)
    );
    assert_eq!(
        stepstone(&["validate", "--strict", "-"], Some(warned))
            .status
            .code(),
        Some(1)
    );

    let o = stepstone(&["validate", CATALOG, "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["releases"], 7);
}

#[test]
fn next_hop_streams_rows() {
    let csv = "device_id,version,model\nd1,v64000,AG-1\nd2,v66001,AG-2\nd3,v67000,AG-1\nd4,v6x,AG-1\nd5,v65000,ZZ\nv66003\n";
    let o = stepstone(
        &["next-hop", CATALOG, "--to", "v67000", "--devices", "-"],
        Some(csv),
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        out(&o),
        "device_id,version,next_hop\nd1,v64000,v65000\nd2,v66001,v66003\nd3,v67000,\nd4,v6x,error:version.malformed\nd5,v65000,error:plan.unknown_model\nv66003,,error:csv.missing_columns\n"
    );
    // A model the catalog knows whose releases do not include the target.
    let o = stepstone(
        &["next-hop", CATALOG, "--to", "v64000", "--devices", "-"],
        Some("device_id,version,model\nd1,v1,AG-1\nd2,v1,AG-2\n"),
    );
    assert_eq!(
        out(&o),
        "device_id,version,next_hop\nd1,v1,v64000\nd2,v1,error:plan.target_model\n"
    );
    let o = stepstone(
        &[
            "next-hop", CATALOG, "--to", "v67000", "--from", "v66000", "--model", "AG-2",
        ],
        None,
    );
    assert_eq!(out(&o), "v66003\n");
}

#[test]
fn graph_marks_stepping_stones() {
    let o = stepstone(&["graph", CATALOG, "--model", "AG-1"], None);
    assert_eq!(o.status.code(), Some(0));
    let dot = out(&o);
    assert!(
        dot.contains("\"v66000\" -> \"v66003\" [penwidth=2];"),
        "{dot}"
    );
    assert!(dot.contains("\"v66003\" -> \"v67000\";"), "{dot}");
    let o = stepstone(
        &["graph", CATALOG, "--format", "mermaid", "--model", "AG-2"],
        None,
    );
    assert!(out(&o).starts_with("flowchart LR"));
    // AG-2 cannot run v64000: it is not drawn.
    assert!(!out(&o).contains("[\"v64000"), "{}", out(&o));
    assert!(out(&o).contains("[\"v65000"), "{}", out(&o));
    assert!(dot.contains("\"v64000\""), "{dot}");
}

/// `catalog table` writes the campaign table's wire form: the core reads it back, and every
/// version the table has a slot for gets the answer `next-hop` gives for the same campaign.
#[test]
fn catalog_table_answers_as_next_hop() {
    use stepstone::campaign::CampaignTable;
    use stepstone::version::{Scheme, VersionKey};
    let args = [
        "catalog",
        "table",
        CATALOG,
        "--target",
        "v67000",
        "--model",
        "AG-1",
        "--environment",
        "production",
    ];
    let o = stepstone(&args, None);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let table = CampaignTable::from_table_json(text.trim_end()).unwrap();
    assert_eq!(table.to_table_json(), text.trim_end());
    // every version from below the first release to above the last, through next-hop
    let versions: Vec<String> = (63990..67010).step_by(1).map(|n| format!("v{n}")).collect();
    let rows: String = versions.iter().map(|v| format!("{v}\n")).collect();
    let hop = stepstone(
        &[
            "next-hop",
            CATALOG,
            "--to",
            "v67000",
            "--model",
            "AG-1",
            "--environment",
            "production",
        ],
        Some(&rows),
    );
    let answers: Vec<String> = out(&hop).lines().map(String::from).collect();
    assert_eq!(answers.len(), versions.len(), "{}", err(&hop));
    for (v, row) in versions.iter().zip(&answers) {
        let key = VersionKey::parse(v, Scheme::Integer).unwrap();
        let from_table = match table.next_hop(&key) {
            Ok(Some(r)) => r.as_str().to_string(),
            Ok(None) => String::new(),
            Err(refusal) => format!("error:{}", stepstone::ErrorCode::code(&refusal)),
        };
        assert!(
            row.ends_with(&format!(",{from_table}")),
            "{v}: next-hop {row}, table {from_table}"
        );
    }

    // Written to a file: a summary; the same refusals as every query.
    let file = std::env::temp_dir().join(format!("stepstone-table-{}.json", std::process::id()));
    let file = file.to_str().unwrap();
    let o = stepstone(
        &[&args[..], &["-o", file, "--format", "json"]].concat(),
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    let summary: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(summary["slots"], 15);
    assert_eq!(std::fs::read_to_string(file).unwrap(), text.trim_end());
    std::fs::remove_file(file).unwrap();
    for (extra, code) in [
        (&["--target", "v67000"][..], "plan.model_required"),
        (
            &["--target", "v99", "--model", "AG-1"][..],
            "plan.unknown_target",
        ),
        (
            &["--target", "v67000", "--model", "AG-9"][..],
            "plan.unknown_model",
        ),
        (
            &["--target", "6x", "--model", "AG-1"][..],
            "version.malformed",
        ),
    ] {
        let o = stepstone(&[&["catalog", "table", CATALOG][..], extra].concat(), None);
        assert_eq!(o.status.code(), Some(1), "{extra:?}");
        assert!(err(&o).contains(code), "{extra:?}: {}", err(&o));
    }
}
