//! `stepstone sample` as a user runs it (a module of cli.rs, sharing its helpers): the streamed selection agrees with core, single-device
//! answers and exit codes, and the figures of Memfault's scaling webinar from `estimate` and `volume`.

use std::process::Output;

use stepstone::sample::is_sampled;

use super::{out, stepstone};

const PLAN: &str = "examples/sampling-plan.json";

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&out(o)).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

#[test]
fn streamed_selection_is_exactly_cores_answer() {
    let ids: Vec<String> = (0..100_000).map(|i| format!("dev-{i:08}")).collect();
    let input = ids.join("\r\n") + "\n\n";
    let o = stepstone(
        &[
            "sample", "--plan", PLAN, "--period", "20415", "--class", "metrics",
        ],
        Some(&input),
    );
    assert_eq!(o.status.code(), Some(0));
    let expected: Vec<&str> = ids
        .iter()
        .filter(|id| is_sampled(b"acme-2026", id.as_bytes(), 20415, "metrics", 50_000))
        .map(String::as_str)
        .collect();
    let got: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    assert_eq!(got, expected);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&format!("sampled {} of 100000 devices", expected.len())),
        "{stderr}"
    );

    // --at gives the same period; JSON lines carry positions; --all prints every device.
    let o = stepstone(
        &[
            "sample",
            "--plan",
            PLAN,
            "--at",
            "1763899200",
            "--class",
            "metrics",
            "--all",
            "--format",
            "json",
        ],
        Some(&ids[..1000].join("\n")),
    );
    let rows: Vec<serde_json::Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1000);
    for (row, id) in rows.iter().zip(&ids) {
        assert_eq!(row["device_id"], id.as_str());
        assert_eq!(
            row["sampled"],
            is_sampled(b"acme-2026", id.as_bytes(), 20415, "metrics", 50_000)
        );
        assert_eq!(row["position"].as_str().unwrap().len(), 16);
    }
}

#[test]
fn one_device_answers_with_its_exit_code() {
    let o = stepstone(
        &[
            "sample", "--plan", PLAN, "--period", "20415", "--class", "metrics", "--device",
            "DA143532",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "not in today's 5%");
    assert!(
        out(&o).starts_with("DA143532: not sampled: position 0x1fa53d6562cc3db7"),
        "{}",
        out(&o)
    );
    let o = stepstone(
        &[
            "sample", "--plan", PLAN, "--period", "20415", "--class", "uptime", "--device",
            "DA143532",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "uptime samples everyone");
    let o = stepstone(
        &[
            "sample", "--plan", PLAN, "--period", "1", "--class", "dumps", "--device", "x",
            "--format", "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"]["code"], "sample.unknown_class");
    let o = stepstone(
        &[
            "sample",
            "--plan",
            "missing.json",
            "--period",
            "1",
            "--class",
            "a",
            "--device",
            "x",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let o = stepstone(
        &[
            "sample", "--plan", PLAN, "--class", "metrics", "--device", "x",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "a period is required");
}

#[test]
fn estimate_reproduces_the_talk() {
    let args = [
        "sample", "estimate", "--fleet", "1000000", "--rate", "100%", "--rate", "1%",
    ];
    let o = stepstone(
        &[
            &args[..],
            &["--bug-hours", "10000", "--window", "1h", "--format", "json"],
        ]
        .concat(),
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(
        v["rows"][0]["seconds_between"], 36.0,
        "every 36 seconds at 1M devices"
    );
    assert_eq!(v["rows"][1]["per_hour"], 1.0, "1% reporting: once an hour");
    assert_eq!(v["smallest_rate"]["rate_ppm"], 29958);
    let o = stepstone(
        &[&args[..], &["--bug-hours", "10000", "--window", "1h"]].concat(),
        None,
    );
    let text = out(&o);
    assert!(text.contains("36 s") && text.contains("2.9958%"), "{text}");
    let o = stepstone(
        &[
            "sample",
            "estimate",
            "--fleet",
            "10",
            "--rate",
            "2x",
            "--bug-hours",
            "1",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn volume_reproduces_the_talk() {
    let o = stepstone(
        &[
            "sample",
            "volume",
            "--fleet",
            "1000000",
            "--metrics",
            "100",
            "--bytes",
            "4",
            "--samples-per-day",
            "100",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let text = out(&o);
    assert!(text.contains("40 GB") && text.contains("1.2 TB"), "{text}");
    let o = stepstone(
        &[
            "sample", "volume", "--fleet", "1000000", "--items", "1", "--bytes", "64000",
            "--format", "json",
        ],
        None,
    );
    let v = json(&o);
    assert_eq!(v["bytes_per_day"], 64_000_000_000u64);
    assert_eq!(v["retained_bytes"], 1_920_000_000_000u64);
}
