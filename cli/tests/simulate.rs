//! `stepstone simulate` as a user runs it: report shapes, determinism, exit codes.

use std::process::{Command, Output};

fn stepstone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stepstone"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap()
}

const BASE: [&str; 7] = [
    "simulate",
    "--catalog",
    "examples/catalog.json",
    "--target",
    "v67000",
    "--devices",
    "3000",
];

#[test]
fn json_report_is_deterministic_and_complete() {
    let args = [
        &BASE[..],
        &[
            "--fail-rate",
            "0.05",
            "--offline-rate",
            "10%",
            "--duplicate-rate",
            "20000ppm",
            "--format",
            "json",
        ],
    ]
    .concat();
    let a = stepstone(&args);
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    let b = stepstone(&args);
    assert_eq!(a.stdout, b.stdout);
    let r: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let settled = r["converged"].as_u64().unwrap()
        + r["given_up"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum::<u64>()
        + r["held"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum::<u64>()
        + r["pending"].as_u64().unwrap();
    assert_eq!(settled, 3000);
    assert!(r["converged"].as_u64().unwrap() >= 2990);
    for key in [
        "hops",
        "attempts",
        "bytes_installed",
        "bytes_downloaded",
        "attempts_histogram",
        "hops_by_release",
        "events",
        "converge_days",
        "simulated_days",
    ] {
        assert!(r.get(key).is_some(), "{key}");
    }
    assert!(r["events"]["duplicates_injected"].as_u64().unwrap() > 0);
    assert!(String::from_utf8_lossy(&a.stderr).contains("wall time"));
}

#[test]
fn text_report_with_a_rollout() {
    let dir = std::env::temp_dir().join(format!("stepstone-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rollout = dir.join("rollout.json");
    std::fs::write(
        &rollout,
        r#"{"salt": "c", "schedule": {"stages": [{"fraction_ppm": 100000, "min_soak_secs": 86400}, {"fraction_ppm": 1000000}]},
            "halt": {"max_failure_rate_ppm": 200000, "min_finished": 50}}"#,
    )
    .unwrap();
    let args = [
        &BASE[..],
        &[
            "--fail-rate",
            "0.05",
            "--rollout",
            rollout.to_str().unwrap(),
        ],
    ]
    .concat();
    let o = stepstone(&args);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("converged:"), "{text}");
    assert!(text.contains("stage 1 opened on day 1"), "{text}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_input_exit_codes() {
    let o = stepstone(&[&BASE[..], &["--fail-rate", "1.5"]].concat());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error[cli.usage]"));
    let o = stepstone(&[
        "simulate",
        "--catalog",
        "examples/catalog.json",
        "--target",
        "v99999",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        r["error"]["code"].as_str().unwrap().starts_with("plan."),
        "{r}"
    );
    let o = stepstone(&[
        "simulate",
        "--catalog",
        "no/such/file.json",
        "--target",
        "v67000",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = stepstone(&[&BASE[..], &["--rollout", "examples/catalog.json"]].concat());
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error[rollout.json]"));
}
