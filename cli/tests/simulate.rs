//! `stepstone simulate` as a user runs it: report shapes, determinism, exit codes.

use std::process::{Command, Output};

fn stepstone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stepstone"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap()
}

/// Figure 1's releases differ by model (v64000 is for AG-1 alone): the fleet is AG-1s.
const BASE: [&str; 9] = [
    "simulate",
    "--catalog",
    "examples/catalog.json",
    "--target",
    "v67000",
    "--devices",
    "3000",
    "--model",
    "AG-1",
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
        "final_versions",
        "stuck",
    ] {
        assert!(r.get(key).is_some(), "{key}");
    }
    assert!(r["events"]["duplicates_injected"].as_u64().unwrap() > 0);
    // The report names the fleet it simulated.
    assert_eq!(r["model"], "AG-1");
    assert_eq!(r["environment"], serde_json::Value::Null);
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
        "--model",
        "AG-1",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["error"]["code"], "plan.unknown_target", "{r}");
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

/// The keys of the JSON object after `"<name>":` in `raw`, in the order they are printed
/// (serde_json::Value would sort them).
fn printed_keys(raw: &str, name: &str) -> Vec<String> {
    let start = raw.find(&format!("\"{name}\":{{")).unwrap() + name.len() + 4;
    let body = &raw[start..start + raw[start..].find('}').unwrap()];
    body.split(',')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split(':').next().unwrap().trim_matches('"').to_string())
        .collect()
}

fn count(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap()
}

#[test]
fn final_versions_and_stuck_devices_in_json_and_text() {
    let args = [&BASE[..], &["--fail-rate", "0.5", "--seed", "4"]].concat();
    let json = stepstone(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(
        json.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let raw = String::from_utf8(json.stdout).unwrap();
    let r: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let converged = count(&r["converged"]);
    // Half the attempts fail: five straight failures of a hop happen to about 3% per hop.
    assert!(converged < 2950 && converged > 2500, "{raw}");

    // final_versions: every device once, lowest version first, the converged on the target.
    let order = [
        "v64000", "v65000", "v66000", "v66001", "v66002", "v66003", "v67000",
    ];
    let keys = printed_keys(&raw, "final_versions");
    let mut positions = keys
        .iter()
        .map(|k| order.iter().position(|o| o == k).unwrap());
    let mut last = positions.next().unwrap();
    for p in positions {
        assert!(p > last, "{keys:?}");
        last = p;
    }
    assert!(keys.len() >= 4, "{keys:?}");
    let finals = r["final_versions"].as_object().unwrap();
    assert_eq!(finals.values().map(count).sum::<u64>(), 3000);
    assert_eq!(count(&finals["v67000"]), converged);

    // stuck: the rest, by the version they are on and why; codes add up to given_up / held.
    let stuck = r["stuck"].as_array().unwrap();
    assert!(stuck.len() >= 3, "{raw}");
    assert_eq!(
        stuck.iter().map(|s| count(&s["count"])).sum::<u64>(),
        3000 - converged
    );
    let mut by_code = std::collections::BTreeMap::<String, u64>::new();
    for s in stuck {
        assert_ne!(s["from"], "v67000", "{s}");
        assert!(finals.contains_key(s["from"].as_str().unwrap()), "{s}");
        *by_code
            .entry(s["code"].as_str().unwrap().to_string())
            .or_default() += count(&s["count"]);
    }
    let mut want = std::collections::BTreeMap::<String, u64>::new();
    for group in ["given_up", "held"] {
        for (k, v) in r[group].as_object().unwrap() {
            *want.entry(k.clone()).or_default() += count(v);
        }
    }
    assert_eq!(by_code, want, "{raw}");
    assert_eq!(
        by_code.get("retry.attempts_per_hop").copied(),
        Some(3000 - converged)
    );

    // The text report says the same.
    let text = stepstone(&args);
    assert_eq!(text.status.code(), Some(0));
    let text = String::from_utf8(text.stdout).unwrap();
    let finals_line = keys
        .iter()
        .map(|k| format!("{k} {}", finals[k]))
        .collect::<Vec<_>>()
        .join(", ");
    assert!(
        text.contains(&format!("\nfinal versions: {finals_line}\n")),
        "{text}"
    );
    let mut stuck_lines = format!("\nstuck:          {}\n", 3000 - converged);
    for s in stuck {
        stuck_lines += &format!(
            "  from {}: {} [{}]\n",
            s["from"].as_str().unwrap(),
            s["count"],
            s["code"].as_str().unwrap()
        );
    }
    assert!(text.contains(&stuck_lines), "{text}\nwanted:{stuck_lines}");
    // Everything printed before is still there.
    for line in [
        "converged:",
        "given up:",
        "held:",
        "still pending:",
        "hops by release:",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
}

#[test]
fn final_versions_are_in_version_order_not_string_order() {
    let dir = std::env::temp_dir().join(format!("stepstone-sim-tens-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let catalog = dir.join("catalog.json");
    std::fs::write(
        &catalog,
        r#"{"scheme": "semver", "releases": [
            {"version": "1.0.0"},
            {"version": "9.0.0", "min_sw_version": "1.0.0"},
            {"version": "10.0.0", "min_sw_version": "9.0.0"}]}"#,
    )
    .unwrap();
    // 90% of attempts fail: most of the fleet gives up on the first or second hop.
    let o = stepstone(&[
        "simulate",
        "--catalog",
        catalog.to_str().unwrap(),
        "--target",
        "10.0.0",
        "--devices",
        "1000",
        "--fail-rate",
        "90%",
        "--format",
        "json",
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(o.status.code(), Some(0));
    let raw = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        printed_keys(&raw, "final_versions"),
        ["1.0.0", "9.0.0", "10.0.0"],
        "{raw}"
    );
    let r: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let froms: Vec<&str> = r["stuck"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["from"].as_str().unwrap())
        .collect();
    assert_eq!(froms, ["1.0.0", "9.0.0"], "{raw}");
}

#[test]
fn a_halted_rollout_leaves_the_fleet_stuck_where_it_started() {
    let dir = std::env::temp_dir().join(format!("stepstone-sim-halt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rollout = dir.join("rollout.json");
    std::fs::write(
        &rollout,
        r#"{"salt": "c", "schedule": {"stages": [{"fraction_ppm": 50000, "min_soak_secs": 172800}, {"fraction_ppm": 1000000}]},
            "halt": {"max_failure_rate_ppm": 100000, "min_finished": 50}}"#,
    )
    .unwrap();
    let o = stepstone(
        &[
            &BASE[..],
            &[
                "--from",
                "v66000",
                "--fail-rate",
                "0.4",
                "--rollout",
                rollout.to_str().unwrap(),
                "--format",
                "json",
            ],
        ]
        .concat(),
    );
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(o.status.code(), Some(0));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["rollout"]["halted"], true, "{r}");
    let held = count(&r["held"]["rollout_halted"]);
    let on_start = r["stuck"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["from"] == "v66000" && s["code"] == "rollout_halted")
        .map(|s| count(&s["count"]))
        .unwrap();
    assert!(on_start > 2500 && on_start <= held, "{r}");
    // Started on v66000: nobody ends below it.
    let finals = r["final_versions"].as_object().unwrap();
    assert!(count(&finals["v66000"]) >= on_start, "{r}");
    assert!(
        finals
            .keys()
            .all(|k| ["v66000", "v66003", "v67000"].contains(&k.as_str())),
        "{r}"
    );
}
