//! The hand-written readers of the decision documents against the serde derive they replaced
//! (through `wire::objects_only`): on the conformance vectors' inputs, on documents built for
//! serde's corner cases, and on every truncation, one-byte deletion and token insertion of them.
//! Both accept the same documents and read the same values, except where serde is looser than
//! the wire forms' rule that every struct is an object ([`looser_than_the_wire`]): those the
//! hand readers refuse.
#![cfg(feature = "serde")]

use serde_json::Value;
use stepstone::reconcile::{hand_readers as hand, serde_readers as serde};

/// Whether `original` (what serde's derive accepted) spells a struct other than as an object
/// where `canonical` (what serde writes back for the value it read) has one: an internally
/// tagged enum (an event, an operator action, a halt reason, a log line) as an array, or a
/// nested tag as a number (serde takes it as the variant's index).
fn looser_than_the_wire(original: &Value, canonical: &Value) -> bool {
    match (original, canonical) {
        (Value::Array(_), Value::Object(_)) | (Value::Number(_), Value::String(_)) => true,
        (Value::Object(o), Value::Object(c)) => o
            .iter()
            .any(|(k, v)| c.get(k).is_some_and(|w| looser_than_the_wire(v, w))),
        (Value::Array(o), Value::Array(c)) => {
            o.iter().zip(c).any(|(v, w)| looser_than_the_wire(v, w))
        }
        _ => false,
    }
}

/// Compares both readers of one kind on `text`; 1 when both accepted it.
fn same<T: PartialEq + std::fmt::Debug + ::serde::Serialize>(
    text: &str,
    hand: fn(&str) -> Result<T, String>,
    serde: fn(&str) -> Result<T, String>,
) -> usize {
    match (hand(text), serde(text)) {
        (Ok(h), Ok(s)) => {
            assert_eq!(h, s, "{text}");
            1
        }
        (Err(_), Err(_)) => 0,
        (Err(h), Ok(s)) => {
            let original: Value = serde_json::from_str(text).unwrap();
            let canonical = serde_json::to_value(&s).unwrap();
            assert!(
                looser_than_the_wire(&original, &canonical),
                "{text:?}: hand {h:?}, serde {s:?}"
            );
            0
        }
        (h, s) => panic!("{text:?}: hand {h:?}, serde {s:?}"),
    }
}

fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/reconcile.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The vectors' device states and events, compact and pretty (serde_json's maps sort keys, so
/// the tag of an event comes wherever its name sorts).
fn corpus() -> (Vec<String>, Vec<String>) {
    let v = vectors();
    let (mut states, mut events) = (Vec::new(), Vec::new());
    for vector in v["vectors"].as_array().unwrap() {
        if let Some(s) = vector.get("state") {
            states.push(s.to_string());
            states.push(serde_json::to_string_pretty(s).unwrap());
        }
        for step in vector["steps"].as_array().into_iter().flatten() {
            if let Some(e) = step.get("apply") {
                events.push(e.to_string());
                events.push(serde_json::to_string_pretty(e).unwrap());
            }
        }
    }
    assert!(
        states.len() > 20 && events.len() > 50,
        "{} {}",
        states.len(),
        events.len()
    );
    events.extend(
        [
            r#"{"event": "job_failed", "job": 1, "seq": 2, "at": 3, "kind": "rejected"}"#,
            r#"{"event": "job_failed", "job": 1, "seq": 2, "at": 3, "kind": {"timed_out": null}, "reports": null}"#,
            r#"{"event": "job_failed", "job": 1, "seq": 2, "at": 3, "kind": {"timed_out": {}}}"#,
            r#"{"event": "job_failed", "job": 1, "seq": 2, "at": 3, "kind": 1}"#,
            r#"{"event": "job_failed", "job": 1, "seq": 2, "at": 3, "kind": {"failed": { }}}"#,
            r#"{"event": "job_failed", "job": 1, "seq": 2, "at": 3, "kind": {"failed": []}}"#,
            r#"{"event": "job_failed", "job": 1, "seq": 2, "at": 3, "kind": {"failed": null, "x": 1}}"#,
            r#"{"event": "job_failed", "job": 1, "seq": 2, "at": 3, "kind": "failed", "reports": "v1"}"#,
            r#"{"event": "job_succeeded", "job": 1, "seq": 2, "at": 3, "reports": null}"#,
            r#"{"event": "job_expired", "job": 1, "at": 2, "event": "job_expired"}"#,
            r#"{"event": "job_expired", "job": 1, "at": 2, "job": 1}"#,
            r#"{"event": "job_expired", "job": 1, "at": 2, "seq": 1}"#,
            r#"{"event": "job_expired", "job": 1.0, "at": 2}"#,
            r#"{"event": "job_expired", "job": -0, "at": 2}"#,
            r#"{"event": "job_expired", "job": 18446744073709551615, "at": 2}"#,
            r#"{"event": "job_expired", "job": 18446744073709551616, "at": 2}"#,
            r#"{"event": "job_expired", "job": 1e2, "at": 2}"#,
            r#"{"event": "job_expired", "job": "1", "at": 2}"#,
            r#"{"event": 0, "job": 1, "at": 2}"#,
            r#"{"event": null, "job": 1, "at": 2}"#,
            r#"{"event": "job_\u0065xpired", "j\u006fb": 1, "at": 2}"#,
            r#"["job_expired", 1, 2]"#,
            r#"{"job": 1, "at": 2}"#,
            r#"{"event": "nope"}"#,
            r#"{"event": "operator", "seq": 1, "action": {"action": "retry"}}"#,
            r#"{"event": "operator", "seq": 1, "action": {"action": "retry", "release": "v1"}}"#,
            r#"{"event": "operator", "seq": 1, "action": {"release": null, "action": "clear_rolled_back"}}"#,
            r#"{"event": "operator", "seq": 1, "action": {"action": "clear_rolled_back"}}"#,
            r#"{"event": "operator", "seq": 1, "action": {"action": "clear_rolled_back", "release": "v2"}}"#,
            r#"{"event": "operator", "seq": 1, "action": {"action": 1}}"#,
            r#"{"event": "operator", "seq": 1, "action": {"action": 0, "release": "v2"}}"#,
            r#"{"event": "operator", "seq": 1, "action": ["retry"]}"#,
            r#"{"event": "operator", "seq": 1, "action": "retry"}"#,
            r#"{"event": "operator", "seq": 1, "action": {"action": "retry", "action": "retry"}}"#,
            r#"{"event": "operator", "seq": 1, "action": {}}"#,
            r#"{"event": "release_yanked", "revision": 4, "release": "v1"}"#,
            r#"{"event": "target_changed", "campaign": 4, "at": 1}"#,
            r#"{"event": "catalog_changed", "revision": 4, "at": 1}"#,
        ]
        .map(String::from),
    );
    states.extend(
        [
            "{}",
            "[]",
            "null",
            r#"{"reported": null, "job": null, "hop": null, "first_attempt_at": null}"#,
            r#"{"rolled_back": null}"#,
            r#"{"device_seq": null}"#,
            r#"{"total_attempts": 4294967295, "operator_seq": 1}"#,
            r#"{"total_attempts": 4294967296}"#,
            r#"{"total_attempts": -1}"#,
            r#"{"rolled_back": ["v1", "v2"], "campaign": 3, "catalog_revision": 2, "last_job": 9}"#,
            r#"{"job": {"id": 1, "release": "v2", "created_at": 0, "expires_at": 9, "device_seq": 1}}"#,
            r#"{"job": {"id": 1, "release": "v2", "created_at": 0, "expires_at": 9}}"#,
            r#"{"job": [1, "v2", 0, 9, 1]}"#,
            r#"{"hop": {"release": "v2", "counters": {}}}"#,
            r#"{"hop": {"release": "v2"}}"#,
            r#"{"hop": {"release": "v2", "counters": {"attempts": 2, "failures": [1, 0, 0, 1]}, "last_failure": {"kind": "failed", "at": 5, "device_seq": 2}}}"#,
            r#"{"hop": {"release": "v2", "counters": {"failures": [1, 0, 0]}}}"#,
            r#"{"hop": {"release": "v2", "counters": {"failures": [1, 0, 0, 0, 0]}}}"#,
            r#"{"hop": {"release": "v2", "counters": [2, [0, 0, 0, 0]]}}"#,
            r#"{"hop": {"release": "v2", "counters": {}, "last_failure": {"kind": {"rejected": null}, "at": 5, "device_seq": 2}}}"#,
            r#"{"hop": {"release": "v2", "counters": {}, "last_failure": null}}"#,
            r#"{"hop": {"release": "v2", "counters": {}, "last_failure": {"kind": {"rejected": {}}, "at": 5, "device_seq": 2}}}"#,
            r#"{"$schema": "x"}"#,
        ]
        .map(String::from),
    );
    (states, events)
}

/// Every truncation, one-byte deletion, and insertion of a token at every character boundary.
fn mutations(text: &str) -> Vec<String> {
    const TOKENS: [&str; 10] = [",", "\"", "}", "]", "0", "-", "null", "[", "{}", "\"x\":1,"];
    let mut out = Vec::new();
    for (i, _) in text.char_indices() {
        out.push(text[..i].to_string());
        let next = text[i..].chars().next().map_or(0, char::len_utf8);
        out.push(format!("{}{}", &text[..i], &text[i + next..]));
        for t in TOKENS {
            out.push(format!("{}{t}{}", &text[..i], &text[i..]));
        }
    }
    out
}

#[test]
fn events_read_as_serde_reads_them() {
    let (_, events) = corpus();
    let mut accepted = 0;
    for text in &events {
        accepted += same(text, hand::event, serde::event);
    }
    assert!(accepted > 50, "{accepted}");
    let mut mutated = 0;
    for text in &events {
        for m in mutations(text) {
            mutated += same(&m, hand::event, serde::event);
        }
    }
    assert!(mutated > 1000, "{mutated}");
}

#[test]
fn device_states_read_as_serde_reads_them() {
    let (states, _) = corpus();
    let mut accepted = 0;
    for text in &states {
        accepted += same(text, hand::device_state, serde::device_state);
    }
    assert!(accepted > 20, "{accepted}");
    for text in &states {
        for m in mutations(text) {
            same(&m, hand::device_state, serde::device_state);
        }
    }
}

#[test]
fn what_serde_reads_loosely_is_refused() {
    for text in [
        r#"["job_expired", 1, 2]"#,
        r#"{"event": "operator", "seq": 1, "action": {"action": 1}}"#,
        r#"{"event": "operator", "seq": 1, "action": ["retry"]}"#,
    ] {
        assert!(serde::event(text).is_ok(), "{text}");
        assert!(hand::event(text).is_err(), "{text}");
    }
}

#[test]
fn refusals_name_the_field_or_the_value() {
    let cases = [
        (
            r#"{"event": "job_expired", "job": 1, "at": 2, "job": 1}"#,
            "duplicate field `job` at line 1 column 51",
        ),
        (
            r#"{"event": "job_expired", "job": 1, "at": 2, "seq": 1}"#,
            "unknown field `seq` at line 1 column 51",
        ),
        (
            r#"{"event": "job_expired", "job": "1", "at": 2}"#,
            "job: expected an unsigned integer (u64), found \"1\" at line 1 column 36",
        ),
        (
            r#"{"event": "nope"}"#,
            "unknown variant `nope` at line 1 column 1",
        ),
        (
            r#"["job_expired", 1, 2]"#,
            r#"expected an object, found ["job_expired", 1, 2] at line 1 column 22"#,
        ),
    ];
    for (text, message) in cases {
        assert_eq!(hand::event(text).unwrap_err(), message);
    }
}

/// A refusal inside a nested field names the field's whole path, keys joined by `.` and array
/// indices as `[i]`, as the catalog's errors do.
#[test]
fn refusals_name_the_path_of_a_nested_field() {
    let rollout = |t: &str| hand::rollout(t).unwrap_err();
    assert_eq!(
        rollout(
            r#"{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 1}, {"fraction_ppm": 2}, {"fraction_ppm": -1}]}}"#
        ),
        "schedule.stages[2].fraction_ppm: expected an unsigned integer (u32), found -1 at line 1 column 100"
    );
    assert_eq!(
        rollout(r#"{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 1, "x": 2}]}}"#),
        "schedule.stages[0]: unknown field `x` at line 1 column 63"
    );
    assert_eq!(
        rollout(r#"{"salt": "s", "schedule": {"ramp": {"start": 0}}}"#),
        "schedule.ramp: missing field `duration_secs` at line 1 column 48"
    );
    assert_eq!(
        rollout(r#"{"salt": 5, "schedule": {"ramp": {"start": 0, "duration_secs": 1}}}"#),
        "salt: expected a string, found 5 at line 1 column 11"
    );
    assert_eq!(
        hand::halt_rule(r#"{"confidence": {"z_num": 1}}"#).unwrap_err(),
        "confidence: missing field `z_den` at line 1 column 28"
    );
    assert_eq!(
        hand::ramp(r#"{"start": 0, "duration_secs": 1.5}"#).unwrap_err(),
        "duration_secs: expected an unsigned integer (u64), found 1.5 at line 1 column 34"
    );
    assert_eq!(
        hand::retry_policy(r#"{"timed_out": {"base_secs": -1}}"#).unwrap_err(),
        "timed_out.base_secs: expected an unsigned integer (u64), found -1 at line 1 column 31"
    );
    assert_eq!(
        hand::failure_counts(r#"{"failed": -1}"#).unwrap_err(),
        "failed: expected an unsigned integer (u32), found -1 at line 1 column 14"
    );
    assert_eq!(
        hand::device_state(
            r#"{"hop": {"release": "v2", "counters": {"failures": [0, 0, "1", 0]}}}"#
        )
        .unwrap_err(),
        "hop.counters.failures[2]: expected an unsigned integer (u32), found \"1\" at line 1 column 62"
    );
    assert_eq!(
        hand::session_options(
            r#"{"rollout": {"salt": "s", "schedule": {"stages": [{"fraction_ppm": true}]}}}"#
        )
        .unwrap_err(),
        "rollout.schedule.stages[0].fraction_ppm: expected an unsigned integer (u32), found true at line 1 column 72"
    );
    assert_eq!(
        hand::session_options(r#"{"windows": [{"day": 9, "start_minute": 0}]}"#).unwrap_err(),
        "windows[0]: missing field `duration_minutes` at line 1 column 43"
    );
    assert_eq!(
        hand::event(r#"{"event": "operator", "seq": 1, "action": {"action": "nope"}}"#)
            .unwrap_err(),
        "action: unknown variant `nope` at line 1 column 42"
    );
}

/// Every value under `key` anywhere in the vectors of `file`, compact and pretty.
fn values_under(file: &str, key: &str) -> Vec<String> {
    let path = format!("{}/tests/vectors/{file}.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    fn walk(v: &Value, key: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == key {
                        out.push(x.to_string());
                        out.push(serde_json::to_string_pretty(x).unwrap());
                    }
                    walk(x, key, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, key, out)),
            _ => {}
        }
    }
    walk(&v, key, &mut out);
    out
}

/// Both readers on each document and on each of its mutations; how many both accepted.
fn compare_all<T: PartialEq + std::fmt::Debug + ::serde::Serialize>(
    docs: &[String],
    hand: fn(&str) -> Result<T, String>,
    serde: fn(&str) -> Result<T, String>,
) -> (usize, usize) {
    let accepted = docs.iter().map(|d| same(d, hand, serde)).sum();
    let mutated = docs
        .iter()
        .flat_map(|d| mutations(d))
        .map(|m| same(&m, hand, serde))
        .sum();
    (accepted, mutated)
}

const ROLLOUT: &str = r#"{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 10000, "min_soak_secs": 60}, {"fraction_ppm": 1000000}]}, "halt": {"max_failures": 3, "max_failure_rate_ppm": 20000, "min_finished": 5, "confidence": {"z_num": 196, "z_den": 100}}}"#;

/// A rollout state that went through every kind of log line and halt.
fn rollout_state() -> String {
    use stepstone::rollout::Rollout;
    let r = Rollout::from_json(ROLLOUT).unwrap();
    let mut s = r.start(0);
    r.advance(&mut s, 60);
    r.halt(&mut s, "a \"note\"".into(), 70).unwrap();
    r.resume(&mut s, 80).unwrap();
    for _ in 0..3 {
        r.record(&mut s, 1, true, 90);
    }
    serde_json::to_string(&s).unwrap()
}

#[test]
fn retry_policies_read_as_serde_reads_them() {
    let mut docs = values_under("retry", "policy");
    docs.extend(values_under("reconcile", "policy"));
    docs.extend(
        [
            "{}",
            r#"{"$schema": "x", "download_error": {}}"#,
            r#"{"$schema": "x", "$schema": "y"}"#,
            r#"{"$schema": 1}"#,
            r#"{"failed": {"retry": false, "max_failures": null, "base_secs": 1, "factor": 3, "cap_secs": 9}}"#,
            r#"{"timed_out": {"max_failures": 2}, "rejected": {"retry": 1}}"#,
            r#"{"give_up": {"max_total_attempts": 3, "max_elapsed_secs": null}}"#,
            r#"{"give_up": {"max_total_attempts": 4294967296}}"#,
            r#"{"give_up": {"$schema": "x"}}"#,
            r#"{"attempts_per_hop": 0, "jitter_ppm": 4294967295}"#,
            r#"{"failed": [true, 2]}"#,
            r#"{"failed": null}"#,
        ]
        .map(String::from),
    );
    let (accepted, mutated) = compare_all(&docs, hand::retry_policy, serde::retry_policy);
    assert!(accepted > 20 && mutated > 1000, "{accepted} {mutated}");
}

#[test]
fn rollouts_halt_rules_and_ramps_read_as_serde_reads_them() {
    let mut rollouts = values_under("rollout", "rollout");
    rollouts.extend(values_under("reconcile", "rollout"));
    rollouts.extend(
        [
            ROLLOUT,
            r#"{"$schema": "x", "salt": "s", "schedule": {"ramp": {"start": 5, "duration_secs": 9}}}"#,
            r#"{"salt": "s", "schedule": {"ramp": {"start": 5, "start_ppm": 9, "duration_secs": 9}}, "halt": {}}"#,
            r#"{"salt": "s", "schedule": {"stages": [], "ramp": {"start": 5, "duration_secs": 9}}}"#,
            r#"{"salt": "s", "schedule": {}}"#,
            r#"{"salt": "s", "schedule": "stages"}"#,
            r#"{"salt": "s", "schedule": {"stages": [[1, 2]]}}"#,
            r#"{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 1}]}, "halt": null}"#,
            r#"{"salt": 1, "schedule": {"stages": []}}"#,
        ]
        .map(String::from),
    );
    let (accepted, mutated) = compare_all(&rollouts, hand::rollout, serde::rollout);
    assert!(accepted > 10 && mutated > 500, "{accepted} {mutated}");
    let mut halts = values_under("rollout", "halt");
    halts.extend(
        [
            "{}",
            r#"{"confidence": null, "min_finished": 0}"#,
            r#"{"confidence": {"z_num": 1}}"#,
            "[3]",
        ]
        .map(String::from),
    );
    let (accepted, _) = compare_all(&halts, hand::halt_rule, serde::halt_rule);
    assert!(accepted > 5, "{accepted}");
    let mut ramps = values_under("rollout", "ramp");
    ramps.extend(
        [
            "[1, 0, 2]",
            r#"{"start": 1, "duration_secs": 2, "start_ppm": null}"#,
        ]
        .map(String::from),
    );
    let (accepted, _) = compare_all(&ramps, hand::ramp, serde::ramp);
    assert!(accepted > 2, "{accepted}");
}

#[test]
fn reconciler_options_read_as_serde_reads_them() {
    let state = rollout_state();
    let mut docs = vec![
        "{}".to_string(),
        format!(r#"{{"rollout": {ROLLOUT}, "rollout_state": {state}}}"#),
        format!(r#"{{"$schema": "x", "rollout": {ROLLOUT}, "rollout_started_at": 5, "job_ttl_secs": 60}}"#),
        r#"{"windows": [{"day": 0, "start_minute": 120, "duration_minutes": 60}], "utc_offset_secs": -3600, "start": 1, "end": null}"#.to_string(),
        r#"{"windows": [{"day": 256, "start_minute": 65536, "duration_minutes": 1}]}"#.to_string(),
        r#"{"utc_offset_secs": -2147483648}"#.to_string(),
        r#"{"utc_offset_secs": -2147483649}"#.to_string(),
        r#"{"utc_offset_secs": 2147483648}"#.to_string(),
        r#"{"utc_offset_secs": -0}"#.to_string(),
        r#"{"windows": null}"#.to_string(),
        r#"{"policy": null, "rollout": null, "rollout_state": null}"#.to_string(),
        r#"{"policy": {"$schema": "x"}}"#.to_string(),
        r#"{"rollout_state": {"started_at": 0, "stage": 0, "stage_opened_at": 0, "halted_secs": 0, "stats": [{"finished": 1, "failed": 0, "other": [1]}], "log": [["opened", 0, 0]]}}"#.to_string(),
        r#"{"rollout_state": {"started_at": 0, "stage": 0, "stage_opened_at": 0, "halted_secs": 0, "halted": {"at": 1, "reason": ["operator", "n"]}, "stats": [], "log": [{"event": "halted", "at": 1, "reason": {"rule": 3, "note": "n"}}]}}"#.to_string(),
        r#"{"rollout_state": {"started_at": 0, "stage": 0, "stage_opened_at": 0, "halted_secs": 0, "halted": {"at": 1, "reason": {"rule": "failure_count", "stage": 0, "failed": 3, "limit": 3}}, "stats": [], "log": [{"event": "resumed", "at": 1}, {"event": "halted", "at": 1, "reason": {"rule": "confidence", "stage": 0, "failed": 3, "finished": 9, "limit_ppm": 3}}, {"event": "halted", "at": 1, "reason": {"rule": "failure_rate", "stage": 0, "failed": 3, "finished": 9, "limit_ppm": 3}}]}}"#.to_string(),
    ];
    for vector in vectors()["vectors"].as_array().unwrap() {
        let mut options = vector
            .get("timing")
            .cloned()
            .unwrap_or(Value::Object(Default::default()));
        for key in ["policy", "rollout"] {
            if let Some(v) = vector.get(key) {
                options[key] = v.clone();
            }
        }
        docs.push(options.to_string());
    }
    let (accepted, mutated) = compare_all(&docs, hand::session_options, serde::session_options);
    assert!(accepted > 20 && mutated > 500, "{accepted} {mutated}");
}

#[test]
fn failure_counts_read_as_serde_reads_them() {
    let mut docs = values_under("retry", "failures");
    docs.extend(
        [
            "{}",
            r#"{"failed": 1, "failed": 2, "zzz": 0, "aaa": 4294967295}"#,
            r#"{"failed": 4294967296}"#,
            r#"{"failed": null}"#,
            "[]",
        ]
        .map(String::from),
    );
    let (accepted, mutated) = compare_all(&docs, hand::failure_counts, serde::failure_counts);
    assert!(accepted > 3 && mutated > 100, "{accepted} {mutated}");
}
