//! The device rule (issue 15, "safe defaults") through every subcommand that answers for a
//! device: where the catalog's releases differ by model (or environment), a question that
//! states none is refused with `plan.model_required` (`plan.environment_required`), naming the
//! catalog's models; a model no release names is `plan.unknown_model`
//! (`plan.unknown_environment`); a catalog that names none takes any.

use std::io::Write;
use std::path::{Path, PathBuf};
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
fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

/// Figure 1: v64000 is for AG-1 alone, every other release for AG-1 and AG-2; every release
/// is for production and staging.
const FIGURE1: &str = "examples/catalog.json";

const MODEL_REQUIRED: &str = "error[plan.model_required]: this catalog's releases differ by model (AG-1, AG-2): state the device's model\n";

/// A scratch directory of this test process, removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d =
            std::env::temp_dir().join(format!("stepstone-device-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

#[test]
fn plan_states_the_model_where_releases_differ_by_model() {
    let plan = |extra: &[&str]| {
        let args = [
            &["plan", FIGURE1, "--from", "v64000", "--to", "v67000"][..],
            extra,
        ]
        .concat();
        stepstone(&args, None)
    };
    let o = plan(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err(&o), MODEL_REQUIRED);
    assert_eq!(out(&o), "");
    let o = plan(&["--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"]["code"], "plan.model_required");
    // With --explain: the outcome is the refusal and no release is explained.
    let o = plan(&["--explain", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["outcome"]["error"]["code"], "plan.model_required");
    assert_eq!(v["releases"], serde_json::json!([]));

    let o = plan(&["--model", "AG-3"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error[plan.unknown_model]: unknown model \"AG-3\": the catalog's releases name AG-1, AG-2\n"
    );
    // Every release is for production and staging: no environment is needed, but one stated
    // must be one of them.
    let o = plan(&["--model", "AG-1", "--environment", "dev"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error[plan.unknown_environment]: unknown environment \"dev\": the catalog's releases name production, staging\n"
    );
    let o = plan(&["--model", "AG-2", "--environment", "staging"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).starts_with("v64000 → v65000 → v66000 → v66003 → v67000\n"));
}

#[test]
fn plan_states_the_environment_where_releases_differ_by_environment() {
    let catalog = r#"{"releases": [
        {"version": "1", "environments": ["production", "beta"]},
        {"version": "2", "min_sw_version": "1", "environments": ["beta"]}]}"#;
    let plan = |extra: &[&str]| {
        let args = [&["plan", "-", "--from", "1", "--to", "2"][..], extra].concat();
        stepstone(&args, Some(catalog))
    };
    // No model is named anywhere: any model is fine, none is needed.
    let o = plan(&["--model", "anything", "--environment", "beta"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = plan(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error[plan.environment_required]: this catalog's releases differ by environment (beta, production): state the device's environment\n"
    );
    let o = plan(&["--environment", "qa"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with("error[plan.unknown_environment]"),
        "{}",
        err(&o)
    );
    // A known environment the target is not for is the target check, as before.
    let o = plan(&["--environment", "production"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with("error[plan.target_environment]"),
        "{}",
        err(&o)
    );
}

#[test]
fn next_hop_refuses_each_row_without_a_model() {
    let csv = "device_id,version,model\nd1,v64000,AG-1\nd2,v65000,\nd3,v66000,AG-2\nd4,v66000, \nd5,v66000,AG-7\n";
    let o = stepstone(&["next-hop", FIGURE1, "--to", "v67000"], Some(csv));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        out(&o),
        "device_id,version,next_hop\nd1,v64000,v65000\nd2,v65000,error:plan.model_required\nd3,v66000,v66003\nd4,v66000,error:plan.model_required\nd5,v66000,error:plan.unknown_model\n"
    );
    assert_eq!(
        err(&o),
        "5 rows: 2 → v67000, 0 at target, 3 refused (plan.model_required 2, plan.unknown_model 1)\n"
    );
    // --strict: a refused row makes the exit code 1; every row is still answered.
    let o = stepstone(
        &["next-hop", FIGURE1, "--to", "v67000", "--strict"],
        Some(csv),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o).lines().count(), 6);
    // --model answers the rows that name none; a row's own model wins.
    let o = stepstone(
        &["next-hop", FIGURE1, "--to", "v67000", "--model", "AG-2"],
        Some(csv),
    );
    assert_eq!(
        out(&o),
        "device_id,version,next_hop\nd1,v64000,v65000\nd2,v65000,v66000\nd3,v66000,v66003\nd4,v66000,v66003\nd5,v66000,error:plan.unknown_model\n"
    );
    // A list with no model column, and the one-version-per-line form: every row refused.
    let o = stepstone(
        &["next-hop", FIGURE1, "--to", "v67000"],
        Some("device_id,version\nd1,v64000\n"),
    );
    assert_eq!(
        out(&o),
        "device_id,version,next_hop\nd1,v64000,error:plan.model_required\n"
    );
    let o = stepstone(
        &["next-hop", FIGURE1, "--to", "v67000"],
        Some("v64000\nv66000\n"),
    );
    assert_eq!(
        out(&o),
        ",v64000,error:plan.model_required\n,v66000,error:plan.model_required\n"
    );
    assert!(
        err(&o).ends_with("2 refused (plan.model_required 2)\n"),
        "{}",
        err(&o)
    );
    // One device with --from: the refusal is the answer, exit 1.
    let o = stepstone(
        &["next-hop", FIGURE1, "--to", "v67000", "--from", "v64000"],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err(&o), MODEL_REQUIRED);
    let o = stepstone(
        &[
            "next-hop", FIGURE1, "--to", "v67000", "--from", "v64000", "--model", "AG-1",
        ],
        None,
    );
    assert_eq!(
        (o.status.code(), out(&o)),
        (Some(0), "v65000\n".to_string())
    );
}

#[test]
fn graph_states_the_model_where_releases_differ_by_model() {
    for format in ["dot", "mermaid"] {
        let o = stepstone(&["graph", FIGURE1, "--format", format], None);
        assert_eq!(o.status.code(), Some(1), "{format}");
        assert_eq!(err(&o), MODEL_REQUIRED, "{format}");
        assert_eq!(out(&o), "", "{format}");
    }
    let o = stepstone(&["graph", FIGURE1, "--format", "json"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"]["code"], "plan.model_required");
    let o = stepstone(&["graph", FIGURE1, "--model", "AG-3"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with("error[plan.unknown_model]"),
        "{}",
        err(&o)
    );
    let o = stepstone(
        &["graph", FIGURE1, "--model", "AG-1", "--environment", "dev"],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with("error[plan.unknown_environment]"),
        "{}",
        err(&o)
    );
    let o = stepstone(&["graph", FIGURE1, "--model", "AG-1"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(out(&o).starts_with("digraph"), "{}", out(&o));
    // A catalog that names no model draws every release, for any model or none.
    let plain = r#"{"releases": [{"version": "1"}, {"version": "2", "min_sw_version": "1"}]}"#;
    for extra in [&[][..], &["--model", "whatever"][..]] {
        let o = stepstone(
            &[&["graph", "-", "--format", "json"][..], extra].concat(),
            Some(plain),
        );
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        assert_eq!(json(&o)["edges"], serde_json::json!([["1", "2"]]));
    }
}

#[test]
fn simulate_states_the_model_where_releases_differ_by_model() {
    let sim = |extra: &[&str]| {
        let args = [
            &[
                "simulate",
                "--catalog",
                FIGURE1,
                "--target",
                "v67000",
                "--devices",
                "200",
                "--format",
                "json",
            ][..],
            extra,
        ]
        .concat();
        stepstone(&args, None)
    };
    let o = sim(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err(&o), MODEL_REQUIRED);
    assert_eq!(json(&o)["error"]["code"], "plan.model_required");
    let o = sim(&["--model", "AG-3"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"]["code"], "plan.unknown_model");
    let o = sim(&["--model", "AG-1", "--environment", "lab"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"]["code"], "plan.unknown_environment");

    // AG-1 devices start on v64000; AG-2 devices on the lowest release for AG-2, v65000.
    for (model, first_hop) in [("AG-1", "v65000"), ("AG-2", "v66000")] {
        let o = sim(&["--model", model, "--environment", "production"]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let r = json(&o);
        assert_eq!(
            (&r["model"], &r["environment"]),
            (&model.into(), &"production".into())
        );
        assert_eq!(r["converged"], 200, "{r}");
        let hops = r["hops_by_release"].as_object().unwrap();
        assert_eq!(
            hops.keys().next().map(String::as_str),
            Some(first_hop),
            "{r}"
        );
        assert!(
            !hops.contains_key("v66001") && !hops.contains_key("v66002"),
            "{r}"
        );
    }
}

#[test]
fn catalog_pack_states_the_model_where_releases_differ_by_model() {
    let dir = Dir::new("pack");
    let packed = dir.path("figure1.bin");
    let pack = |extra: &[&str]| {
        let args = [&["catalog", "pack", FIGURE1, "-o", &packed][..], extra].concat();
        stepstone(&args, None)
    };
    for extra in [
        &[][..],
        &["--target", "v67000"][..],
        &["--format", "json"][..],
    ] {
        let o = pack(extra);
        assert_eq!(o.status.code(), Some(1), "{extra:?}");
        assert_eq!(err(&o), MODEL_REQUIRED, "{extra:?}");
        assert!(!Path::new(&packed).exists(), "nothing is written");
    }
    let o = pack(&["--format", "json"]);
    assert_eq!(json(&o)["error"]["code"], "plan.model_required");
    let o = pack(&["--model", "AG-3", "--target", "v67000"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with("error[plan.unknown_model]"),
        "{}",
        err(&o)
    );
    let o = pack(&["--model", "AG-2", "--environment", "dev"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with("error[plan.unknown_environment]"),
        "{}",
        err(&o)
    );
    assert!(!Path::new(&packed).exists(), "nothing is written");

    let o = pack(&[
        "--model",
        "AG-2",
        "--environment",
        "production",
        "--target",
        "v67000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = stepstone(&["catalog", "inspect", &packed, "--format", "json"], None);
    let v = json(&o);
    assert_eq!(
        (&v["model"], &v["target"]),
        (&"AG-2".into(), &"v67000".into())
    );
    // v64000 is marked as not for the packed model, so the device never installs it.
    assert_eq!(v["releases"][0]["version"], "v64000");
    assert_eq!(v["releases"][0]["for_model"], false);

    // A catalog whose releases differ by environment needs one; one that names no model
    // packs without one.
    let envs = dir.file(
        "envs.json",
        r#"{"releases": [{"version": "1"}, {"version": "2", "environments": ["beta"]}]}"#,
    );
    let out_envs = dir.path("envs.bin");
    let o = stepstone(&["catalog", "pack", &envs, "-o", &out_envs], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with(
            "error[plan.environment_required]: this catalog's releases differ by environment (beta)"
        ),
        "{}",
        err(&o)
    );
    let o = stepstone(
        &[
            "catalog",
            "pack",
            &envs,
            "-o",
            &out_envs,
            "--environment",
            "beta",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}
