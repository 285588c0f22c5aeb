//! The messages written through [`Sink`](super::Sink) (`ErrorMessage::message` and `Display`)
//! are, word for word, the texts the former `#[error(...)]` attributes and `write!` calls gave:
//! every variant of the reconciler's errors (session, version, retry, rollout, window, campaign
//! table), with corner values, and every refusal the public readers give for a set of broken
//! documents.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use super::{ErrorMessage, Quoted};
use crate::campaign::{CampaignTable, TableError};
use crate::reconcile::window::WindowError;
use crate::reconcile::{Session, SessionError};
use crate::retry::{FailureKind, HopCounters, RetryError, RetryPolicy};
use crate::rollout::{HaltRule, Ramp, Rollout, RolloutError, StageStats};
use crate::version::{Scheme, Version, VersionError, VersionErrorKind, VersionRange};

/// What `#[error("...")]` / `write!` wrote before (`Quoted` is what they quoted with).
fn before_version(e: &VersionError) -> String {
    let value = Quoted(&e.value);
    match e.kind {
        VersionErrorKind::EmptyRange => format!(
            "{value} is an empty range: no {} version matches it",
            e.scheme
        ),
        kind => format!(
            "{value} is not {} version ({kind})",
            e.scheme.with_article()
        ),
    }
}

fn before_retry(e: &RetryError) -> String {
    match e {
        RetryError::ZeroAttempts => "attempts_per_hop must be at least 1, got 0".to_string(),
        RetryError::Jitter(n) => format!("jitter_ppm must be at most 1000000, got {n}"),
        RetryError::ZeroFactor(k) => format!("{k}.factor must be at least 1, got 0"),
        RetryError::CapBelowBase { kind, base, cap } => {
            format!("{kind}.cap_secs ({cap}) is below {kind}.base_secs ({base})")
        }
        RetryError::ZeroLimit(f) => format!("{f} must be at least 1, got 0"),
        RetryError::Json(m) => format!("retry policy JSON: {m}"),
        RetryError::UnknownKind(k) => format!(
            "unknown failure kind {}: expected failed, timed_out, rejected or download_error",
            Quoted(k)
        ),
        RetryError::DuplicateKind(k) => format!("failure kind {k} is counted twice"),
        RetryError::FailedBeforeFirstAttempt {
            first_attempt_at,
            failed_at,
        } => format!(
            "failed_at ({failed_at}) is before first_attempt_at ({first_attempt_at}): a failure \
             cannot come before the march's first attempt"
        ),
        RetryError::ZeroNumber(f) => {
            let f = f.name();
            format!("{f} must be at least 1 (failures and attempts are numbered from 1), got 0")
        }
    }
}

fn before_rollout(e: &RolloutError) -> String {
    match e {
        RolloutError::NoStages => "a staged rollout needs at least one stage".to_string(),
        RolloutError::UnknownStage { stage, last } => {
            format!("stage {stage} is past the rollout's last stage ({last})")
        }
        RolloutError::FractionOutOfRange { field, value } => {
            format!("{field} is {value} ppm, above 1000000")
        }
        RolloutError::FractionsDecrease {
            stage,
            value,
            previous,
        } => format!("stage {stage} opens {value} ppm, less than the {previous} ppm before it"),
        RolloutError::BadConfidence { z_num, z_den } => {
            format!("confidence z = {z_num}/{z_den}: need 1 <= z_den <= 1000 and z_num <= 100000")
        }
        RolloutError::FailedAboveFinished { failed, finished } => {
            format!("failed is {failed}, more than the {finished} finished attempts")
        }
        RolloutError::MissingCount { field } => {
            format!("stage counts: {field} is missing (a missing count is not read as 0)")
        }
        RolloutError::BadCount { field, value } => {
            format!("stage counts: {field} is {value}, not a whole number from 0 to 4294967295")
        }
        RolloutError::NotHalted => "the rollout is not halted".to_string(),
        RolloutError::AlreadyHalted => "the rollout is already halted".to_string(),
        RolloutError::Json(m) => format!("rollout JSON: {m}"),
    }
}

fn before_window(e: &WindowError) -> String {
    match e {
        WindowError::Day(d) => format!("window day {d} is not 0 (Monday) to 6 (Sunday)"),
        WindowError::StartMinute(m) => format!("window start_minute {m} is not below 1440"),
        WindowError::Duration(m) => format!("window duration_minutes {m} is not 1 to 10080"),
    }
}

fn before_table(e: &TableError) -> String {
    match e {
        TableError::Invalid { message } => format!("campaign table: {message}"),
        TableError::UnsupportedVersion { found } => format!(
            "campaign table: format version {found} is not supported (this build reads version 1)"
        ),
    }
}

fn before_session(e: &SessionError) -> String {
    match e {
        SessionError::InvalidJson { what, message } => format!("invalid {what}: {message}"),
        SessionError::NoRollout { call } => format!("{call}: this reconciler has no rollout"),
        SessionError::BadOption { option, reason } => format!("{option}: {reason}"),
        SessionError::RolloutStateMismatch { reason } => {
            format!("rollout_state does not belong to this rollout: {reason}")
        }
        SessionError::Version(e) => before_version(e),
        SessionError::Retry(e) => before_retry(e),
        SessionError::Rollout(e) => before_rollout(e),
        SessionError::Window(e) => before_window(e),
    }
}

/// `message()`, `to_string()` and the former text agree.
fn same<E: ErrorMessage + core::fmt::Display>(e: &E, before: String) {
    assert_eq!(e.message(), before);
    assert_eq!(e.to_string(), before);
}

const TEXTS: [&str; 6] = [
    "",
    "x",
    "a\"b\\c",
    "new\nline\t\u{1}\u{7f}",
    "é\u{200b}",
    "🦀",
];

fn version_errors() -> Vec<VersionError> {
    let mut errors = Vec::new();
    for scheme in [Scheme::Integer, Scheme::Semver, Scheme::Dotted] {
        for text in TEXTS.iter().copied().chain([
            "v",
            "1.2",
            "01.2.3",
            "99999999999999999999",
            "1.99999999999999999999",
            "v1.2.3-",
        ]) {
            errors.extend(Version::parse(text, scheme).err());
        }
        errors.extend(Version::parse(&"1".repeat(300), scheme).err());
        for range in [">v5, <v3", ">=2, <2", "", "<0", ">banana"] {
            errors.extend(VersionRange::parse(range, scheme).err());
        }
    }
    for kind in [
        VersionErrorKind::Empty,
        VersionErrorKind::TooLong,
        VersionErrorKind::Malformed,
        VersionErrorKind::Overflow,
        VersionErrorKind::EmptyRange,
    ] {
        for scheme in [Scheme::Integer, Scheme::Semver, Scheme::Dotted] {
            for text in TEXTS {
                errors.push(VersionError::new(kind, text, scheme));
            }
        }
    }
    errors
}

#[test]
fn version_messages_are_the_former_texts() {
    let errors = version_errors();
    assert!(
        errors
            .iter()
            .any(|e| e.kind == VersionErrorKind::EmptyRange)
    );
    for e in &errors {
        same(e, before_version(e));
    }
    assert_eq!(
        Version::parse("banana", Scheme::Integer)
            .unwrap_err()
            .message(),
        "\"banana\" is not an integer version (malformed version)"
    );
}

fn retry_errors() -> Vec<RetryError> {
    let mut errors = Vec::new();
    for kind in FailureKind::ALL {
        errors.push(RetryError::ZeroFactor(kind));
        errors.push(RetryError::DuplicateKind(kind));
        errors.push(RetryError::CapBelowBase {
            kind,
            base: u64::MAX,
            cap: 0,
        });
    }
    for n in [0, 1_000_001, u32::MAX] {
        errors.push(RetryError::Jitter(n));
    }
    errors.push(RetryError::ZeroAttempts);
    errors.push(RetryError::ZeroLimit("give_up.max_total_attempts"));
    errors.push(RetryError::FailedBeforeFirstAttempt {
        first_attempt_at: u64::MAX,
        failed_at: 0,
    });
    errors.push(RetryError::ZeroNumber(crate::retry::Numbered::Failure));
    errors.push(RetryError::ZeroNumber(crate::retry::Numbered::Attempt));
    for text in TEXTS {
        errors.push(RetryError::UnknownKind(text.into()));
        errors.push(RetryError::Json(text.into()));
    }
    for text in [
        "",
        "[",
        "[]",
        r#"{"attempts_per_hop": 0}"#,
        r#"{"jitter_ppm": 1000001}"#,
        r#"{"failed": {"factor": 0}}"#,
        r#"{"timed_out": {"base_secs": 10, "cap_secs": 1}}"#,
        r#"{"rejected": {"max_failures": 0}}"#,
        r#"{"give_up": {"max_total_attempts": 0}}"#,
        r#"{"attempts_per_hop": -1}"#,
        r#"{"meteor": 1}"#,
    ] {
        errors.extend(RetryPolicy::from_json(text).err());
    }
    for text in [
        "",
        "{",
        r#"{"meteor": 1}"#,
        r#"{"failed": 1, "failed": 2}"#,
        r#"{"failed": -1}"#,
    ] {
        errors.extend(HopCounters::from_json_counts(1, text).err());
    }
    errors.extend("bad \"kind\"".parse::<FailureKind>().err());
    errors
}

#[test]
fn retry_messages_are_the_former_texts() {
    for e in &retry_errors() {
        same(e, before_retry(e));
    }
}

fn rollout_errors() -> Vec<RolloutError> {
    let mut errors = vec![
        RolloutError::NoStages,
        RolloutError::NotHalted,
        RolloutError::AlreadyHalted,
        RolloutError::UnknownStage {
            stage: u32::MAX,
            last: 0,
        },
        RolloutError::FractionOutOfRange {
            field: "fraction_ppm",
            value: u32::MAX,
        },
        RolloutError::FractionsDecrease {
            stage: usize::MAX,
            value: 0,
            previous: 1,
        },
        RolloutError::BadConfidence {
            z_num: u32::MAX,
            z_den: 0,
        },
        RolloutError::FailedAboveFinished {
            failed: 10,
            finished: 3,
        },
        RolloutError::MissingCount { field: "failed" },
    ];
    for text in TEXTS {
        errors.push(RolloutError::BadCount {
            field: "finished",
            value: text.into(),
        });
        errors.push(RolloutError::Json(text.into()));
    }
    for text in [
        "",
        "{",
        r#"{"salt": "s", "schedule": {"stages": []}}"#,
        r#"{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 2000000}]}}"#,
        r#"{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 5}, {"fraction_ppm": 4}]}}"#,
        r#"{"salt": "s", "schedule": {"ramp": {"start_ppm": 1, "end_ppm": 2000000, "duration_secs": 1}}}"#,
        r#"{"salt": 1}"#,
    ] {
        errors.extend(Rollout::from_json(text).err());
    }
    for text in [
        "",
        "[]",
        r#"{"max_failures": -1}"#,
        r#"{"confidence": {"z_num": 1, "z_den": 0}}"#,
    ] {
        errors.extend(HaltRule::from_json(text).err());
    }
    for text in ["", r#"{"start_ppm": 7}"#] {
        errors.extend(Ramp::from_json(text).err());
    }
    for text in [
        "",
        "[]",
        r#"{"finished": 1}"#,
        r#"{"finished": 1, "failed": 2}"#,
        r#"{"finished": 1, "failed": -1}"#,
        r#"{"finished": 1, "failed": 1, "x": 1}"#,
    ] {
        errors.extend(StageStats::from_json(text).err());
    }
    errors
}

#[test]
fn rollout_messages_are_the_former_texts() {
    for e in &rollout_errors() {
        same(e, before_rollout(e));
    }
}

fn window_errors() -> Vec<WindowError> {
    vec![
        WindowError::Day(7),
        WindowError::Day(u8::MAX),
        WindowError::StartMinute(1440),
        WindowError::StartMinute(u16::MAX),
        WindowError::Duration(0),
        WindowError::Duration(u32::MAX),
    ]
}

#[test]
fn window_messages_are_the_former_texts() {
    for e in &window_errors() {
        same(e, before_window(e));
    }
}

fn table_errors() -> Vec<TableError> {
    let mut errors = Vec::new();
    for text in TEXTS {
        errors.push(TableError::Invalid {
            message: text.into(),
        });
        errors.push(TableError::UnsupportedVersion { found: text.into() });
    }
    for text in [
        "",
        "{",
        "[]",
        r#"{"format": "stepstone.campaign_table", "version": 2}"#,
        r#"{"format": "stepstone.campaign_table", "version": 1, "scheme": "x"}"#,
        r#"{"format": "other"}"#,
    ] {
        errors.extend(CampaignTable::from_table_json(text).err());
    }
    errors
}

#[test]
fn table_messages_are_the_former_texts() {
    let errors = table_errors();
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, TableError::UnsupportedVersion { .. }))
    );
    for e in &errors {
        same(e, before_table(e));
    }
}

fn session_errors() -> Vec<SessionError> {
    let catalog = crate::catalog::Catalog::from_json(
        r#"{"releases": [{"version": "v1"}, {"version": "v2", "min_sw_version": "v1"}]}"#,
    );
    let Ok(catalog) = catalog else {
        panic!("the test catalog does not load")
    };
    let Ok(target) = catalog.parse_version("v2") else {
        panic!("no v2")
    };
    let table = CampaignTable::build(&catalog, &target, None, None, crate::plan::Cost::Hops);
    let mut errors: Vec<SessionError> = Vec::new();
    errors.extend(version_errors().into_iter().map(SessionError::Version));
    errors.extend(retry_errors().into_iter().map(SessionError::Retry));
    errors.extend(rollout_errors().into_iter().map(SessionError::Rollout));
    errors.extend(window_errors().into_iter().map(SessionError::Window));
    for text in TEXTS {
        errors.push(SessionError::InvalidJson {
            what: "event",
            message: text.into(),
        });
        errors.push(SessionError::BadOption {
            option: "end",
            reason: text.into(),
        });
        errors.push(SessionError::RolloutStateMismatch {
            reason: text.into(),
        });
    }
    errors.push(SessionError::NoRollout {
        call: "rollout_advance",
    });
    let Ok(table) = table else {
        panic!("the test table does not build")
    };
    // Read back from its wire form, as the rollout module reads it.
    let Ok(table) = CampaignTable::from_table_json(&table.to_table_json()) else {
        panic!("the test table does not read back")
    };
    let table = Arc::new(table);
    let rollout = r#""rollout": {"salt": "s", "schedule": {"stages": [{"fraction_ppm": 10}, {"fraction_ppm": 1000000}]}}"#;
    for options in [
        "{".to_string(),
        r#"{"job_ttl_secs": 0}"#.to_string(),
        r#"{"start": 18446744073709551615, "end": 5}"#.to_string(),
        r#"{"start": 5, "end": 5}"#.to_string(),
        r#"{"windows": [{"day": 9, "start_minute": 0, "duration_minutes": 1}]}"#.to_string(),
        r#"{"policy": {"jitter_ppm": 1000001}}"#.to_string(),
        format!(
            r#"{{{rollout}, "rollout_started_at": 1, "rollout_state": {{"started_at": 0, "stage": 0, "stage_opened_at": 0, "halted_secs": 0, "halted": null, "stats": [], "log": []}}}}"#
        ),
        format!(
            r#"{{{rollout}, "rollout_state": {{"started_at": 0, "stage": 0, "stage_opened_at": 0, "halted_secs": 0, "halted": null, "stats": [], "log": []}}}}"#
        ),
        format!(
            r#"{{{rollout}, "rollout_state": {{"started_at": 0, "stage": 7, "stage_opened_at": 0, "halted_secs": 0, "halted": null, "stats": [{{"finished": 0, "failed": 0}}, {{"finished": 0, "failed": 0}}], "log": []}}}}"#
        ),
        format!(
            r#"{{{rollout}, "rollout_state": {{"started_at": 0, "stage": 0, "stage_opened_at": 0, "halted_secs": 0, "halted": null, "stats": [{{"finished": 0, "failed": 0}}, {{"finished": 1, "failed": 4}}], "log": []}}}}"#
        ),
    ] {
        errors.extend(Session::from_json(table.clone(), Scheme::Integer, &options).err());
    }
    let Ok(session) = Session::from_json(table, Scheme::Integer, "{}") else {
        panic!("an empty options document is refused")
    };
    errors.extend(session.apply_json(None, "{").err());
    errors.extend(
        session
            .apply_json(
                None,
                r#"{"event": "reported", "seq": 1, "at": 0, "reports": "vX"}"#,
            )
            .err(),
    );
    errors.extend(session.state_json(Some(r#"{"reported": 5}"#)).err());
    errors.extend(session.decide_json(b"d", Some("[]"), 0).err());
    let mut session = session;
    errors.extend(session.rollout_advance(0).err());
    errors
}

#[test]
fn session_messages_are_the_former_texts() {
    let errors = session_errors();
    for wanted in [
        "reconcile.invalid_json",
        "reconcile.bad_option",
        "reconcile.rollout_state_mismatch",
        "reconcile.no_rollout",
        "version.malformed",
        "window.day",
        "retry.jitter_out_of_range",
    ] {
        assert!(
            errors.iter().any(|e| crate::ErrorCode::code(e) == wanted),
            "no {wanted} among the session's errors"
        );
    }
    for e in &errors {
        same(e, before_session(e));
    }
    // The reasons the session writes by hand, as `format!` wrote them.
    let reasons: Vec<String> = errors
        .iter()
        .filter_map(|e| match e {
            SessionError::BadOption { reason, .. }
            | SessionError::RolloutStateMismatch { reason } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    for want in [
        format!(
            "{} is not after start {}: no install could ever be made",
            5,
            u64::MAX
        ),
        "5 is not after start 5: no install could ever be made".to_string(),
        format!("it counts {} stages, the rollout has {}", 0, 2),
        format!("stage {} is past the rollout's last stage {}", 7, 1),
        format!(
            "stats[{}]: {}",
            1,
            RolloutError::FailedAboveFinished {
                failed: 4,
                finished: 1
            }
        ),
    ] {
        assert!(reasons.contains(&want), "{want:?} not in {reasons:?}");
    }
}
