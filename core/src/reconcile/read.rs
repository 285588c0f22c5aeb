//! The hand-written readers of a device state and an event in their wire forms (versions as
//! strings), over [`crate::json_fields`]: what the [`super::Session`] reads in every binding,
//! without `serde_json`'s deserializer.
//!
//! They accept what serde's derive of [`DeviceState`] and [`Event`] accepts through
//! `wire::objects_only` (the differential tests in `core/tests/decisions_read.rs` and the
//! `decisions_json` fuzz target compare them), with two deliberate exceptions where the derive
//! is looser than the wire forms' rule that every struct is an object: serde reads an
//! internally tagged enum (an event, an operator action) from an array, tag first, and takes a
//! nested tag (an operator action's `"action"`) as a variant index when it is a number. Both
//! are refused here.
//!
//! ```
//! use stepstone::reconcile::{Event, read_event};
//! let e = read_event(r#"{"at": 5, "event": "job_expired", "job": 2}"#).unwrap();
//! assert_eq!(e, Event::JobExpired { job: 2, at: 5 });
//! assert_eq!(read_event(r#"{"event": "job_expired", "job": 2}"#).unwrap_err(),
//!            "missing field `at` at line 1 column 35");
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::json_fields::{
    Res, array, document, need, object, once, option, read_u32, read_u64, string, tag,
    unknown_variant,
};
#[cfg(feature = "serde")]
use crate::json_fields::{read_i32, read_u8, read_u16, schema_document, schema_key};
use crate::json_read::Reader;
use crate::retry::{FailureKind, HopCounters};

#[cfg(feature = "serde")]
use super::SessionOptions;
#[cfg(feature = "serde")]
use super::window::Window;
use super::{DeviceState, Event, HopState, Job, LastFailure, OperatorAction};

/// Reads an event's wire form (`{"event": "job_created", "job": 1, ...}`); the error is a
/// message naming what is wrong, with its line and column.
pub fn read_event(text: &str) -> Result<Event<String>, String> {
    document(text, event)
}

/// Reads a device state's wire form (every field optional); the error as for [`read_event`].
pub fn read_device_state(text: &str) -> Result<DeviceState<String>, String> {
    document(text, device_state)
}

/// A failure kind: its name (`"timed_out"`), or the name as the one key of an object with a
/// `null` value (`{"timed_out": null}`, serde's other spelling of a unit variant).
pub(crate) fn failure_kind(r: &mut Reader<'_>) -> Res<FailureKind> {
    failure_kind_spelt(r, false)
}

/// [`failure_kind`] inside an event, where serde's derive (reading the event's buffered
/// content) also takes `{}` for the `null`: `{"timed_out": {}}`.
fn failure_kind_in_event(r: &mut Reader<'_>) -> Res<FailureKind> {
    failure_kind_spelt(r, true)
}

fn failure_kind_spelt(r: &mut Reader<'_>, empty_object_too: bool) -> Res<FailureKind> {
    let named = |r: &Reader<'_>, name: &str| {
        FailureKind::from_name(name).ok_or_else(|| unknown_variant(r, name))
    };
    if r.peek() != Some(b'{') {
        let name = string(r)?;
        return named(r, &name);
    }
    r.begin_object()?;
    let mut first = true;
    let Some(name) = r.next_key(&mut first)? else {
        return Err(r.error("expected a failure kind, found {}"));
    };
    let kind = named(r, &name)?;
    let unit = r.value()?;
    let empty_object =
        unit.starts_with('{') && unit[1..].trim_start_matches([' ', '\t', '\n', '\r']) == "}";
    if unit != "null" && !(empty_object_too && empty_object) {
        return Err(r.error("expected null after a unit variant's name"));
    }
    if r.peek() != Some(b'}') {
        return Err(r.error("expected '}'"));
    }
    r.next_key(&mut first)?;
    Ok(kind)
}

/// Each event's name and the fields it takes (besides `"event"`).
const EVENTS: [(&str, &[&str]); 9] = [
    ("job_created", &["job", "release", "at", "expires_at"]),
    ("job_succeeded", &["job", "seq", "at", "reports"]),
    ("job_failed", &["job", "seq", "at", "kind", "reports"]),
    ("job_expired", &["job", "at"]),
    ("reported", &["seq", "at", "reports"]),
    ("target_changed", &["campaign", "at"]),
    ("catalog_changed", &["revision", "at"]),
    ("release_yanked", &["revision", "release"]),
    ("operator", &["seq", "action"]),
];

/// Every field an event may carry; each variant takes some.
#[derive(Default)]
struct EventFields {
    job: Option<u64>,
    release: Option<String>,
    at: Option<u64>,
    expires_at: Option<u64>,
    seq: Option<u64>,
    reports: Option<Option<String>>,
    kind: Option<FailureKind>,
    campaign: Option<u64>,
    revision: Option<u64>,
    action: Option<OperatorAction<String>>,
}

fn some_string(r: &mut Reader<'_>) -> Res<Option<String>> {
    string(r).map(Some)
}

fn optional_string(r: &mut Reader<'_>) -> Res<Option<String>> {
    option(r, string)
}

/// An event (`{"event": name, ...}`, the tag anywhere in the object).
pub(crate) fn event(r: &mut Reader<'_>) -> Res<Event<String>> {
    let name = tag(r, "event")?;
    let Some(&(name, allowed)) = EVENTS.iter().find(|(n, _)| *n == name) else {
        return Err(unknown_variant(r, &name));
    };
    let failed = name == "job_failed";
    let mut f = EventFields::default();
    object(r, &mut |r, key| {
        if key == "event" {
            r.value()?;
            return Ok(true);
        }
        if !allowed.contains(&key) {
            return Ok(false);
        }
        match key {
            "job" => once(r, key, &mut f.job, read_u64),
            "release" => once(r, key, &mut f.release, string),
            "at" => once(r, key, &mut f.at, read_u64),
            "expires_at" => once(r, key, &mut f.expires_at, read_u64),
            "seq" => once(r, key, &mut f.seq, read_u64),
            "reports" if failed => once(r, key, &mut f.reports, optional_string),
            "reports" => once(r, key, &mut f.reports, some_string),
            "kind" => once(r, key, &mut f.kind, failure_kind_in_event),
            "campaign" => once(r, key, &mut f.campaign, read_u64),
            "revision" => once(r, key, &mut f.revision, read_u64),
            _ => once(r, key, &mut f.action, operator_action),
        }
    })?;
    let r = &*r;
    Ok(match name {
        "job_created" => Event::JobCreated {
            job: need(r, f.job, "job")?,
            release: need(r, f.release, "release")?,
            at: need(r, f.at, "at")?,
            expires_at: need(r, f.expires_at, "expires_at")?,
        },
        "job_succeeded" => Event::JobSucceeded {
            job: need(r, f.job, "job")?,
            seq: need(r, f.seq, "seq")?,
            at: need(r, f.at, "at")?,
            reports: need(r, f.reports.flatten(), "reports")?,
        },
        "job_failed" => Event::JobFailed {
            job: need(r, f.job, "job")?,
            seq: need(r, f.seq, "seq")?,
            at: need(r, f.at, "at")?,
            kind: need(r, f.kind, "kind")?,
            reports: f.reports.flatten(),
        },
        "job_expired" => Event::JobExpired {
            job: need(r, f.job, "job")?,
            at: need(r, f.at, "at")?,
        },
        "reported" => Event::Reported {
            seq: need(r, f.seq, "seq")?,
            at: need(r, f.at, "at")?,
            reports: need(r, f.reports.flatten(), "reports")?,
        },
        "target_changed" => Event::TargetChanged {
            campaign: need(r, f.campaign, "campaign")?,
            at: need(r, f.at, "at")?,
        },
        "catalog_changed" => Event::CatalogChanged {
            revision: need(r, f.revision, "revision")?,
            at: need(r, f.at, "at")?,
        },
        "release_yanked" => Event::ReleaseYanked {
            revision: need(r, f.revision, "revision")?,
            release: need(r, f.release, "release")?,
        },
        _ => Event::Operator {
            seq: need(r, f.seq, "seq")?,
            action: need(r, f.action, "action")?,
        },
    })
}

/// An operator action (`{"action": "clear_rolled_back", "release": ...}` or
/// `{"action": "retry"}`; any other field of `retry` is skipped, as serde's derive skips it).
fn operator_action(r: &mut Reader<'_>) -> Res<OperatorAction<String>> {
    let name = tag(r, "action")?;
    let clear = match name.as_str() {
        "clear_rolled_back" => true,
        "retry" => false,
        _ => return Err(unknown_variant(r, &name)),
    };
    let mut release = None;
    object(r, &mut |r, key| match key {
        "release" if clear => once(r, key, &mut release, optional_string),
        // serde's derive reads a unit variant (`retry`) past whatever else the object holds.
        _ if key == "action" || !clear => r.value().map(|_| true),
        _ => Ok(false),
    })?;
    Ok(if clear {
        OperatorAction::ClearRolledBack {
            release: release.flatten(),
        }
    } else {
        OperatorAction::Retry
    })
}

/// A device state (every field optional).
pub(crate) fn device_state(r: &mut Reader<'_>) -> Res<DeviceState<String>> {
    let mut reported = None;
    let (mut device_seq, mut last_job, mut job, mut hop) = (None, None, None, None);
    let (mut total_attempts, mut first_attempt_at, mut rolled_back) = (None, None, None);
    let (mut campaign, mut catalog_revision, mut operator_seq) = (None, None, None);
    object(r, &mut |r, key| match key {
        "reported" => once(r, key, &mut reported, optional_string),
        "device_seq" => once(r, key, &mut device_seq, read_u64),
        "last_job" => once(r, key, &mut last_job, read_u64),
        "job" => once(r, key, &mut job, |r| option(r, self::job)),
        "hop" => once(r, key, &mut hop, |r| option(r, hop_state)),
        "total_attempts" => once(r, key, &mut total_attempts, read_u32),
        "first_attempt_at" => once(r, key, &mut first_attempt_at, |r| option(r, read_u64)),
        "rolled_back" => once(r, key, &mut rolled_back, |r| array(r, string)),
        "campaign" => once(r, key, &mut campaign, read_u64),
        "catalog_revision" => once(r, key, &mut catalog_revision, read_u64),
        "operator_seq" => once(r, key, &mut operator_seq, read_u64),
        _ => Ok(false),
    })?;
    Ok(DeviceState {
        reported: reported.flatten(),
        device_seq: device_seq.unwrap_or(0),
        last_job: last_job.unwrap_or(0),
        job: job.flatten(),
        hop: hop.flatten(),
        total_attempts: total_attempts.unwrap_or(0),
        first_attempt_at: first_attempt_at.flatten(),
        rolled_back: rolled_back.unwrap_or_default(),
        campaign: campaign.unwrap_or(0),
        catalog_revision: catalog_revision.unwrap_or(0),
        operator_seq: operator_seq.unwrap_or(0),
    })
}

/// A job in flight (every field required).
fn job(r: &mut Reader<'_>) -> Res<Job<String>> {
    let (mut id, mut release, mut created_at, mut expires_at, mut device_seq) =
        (None, None, None, None, None);
    object(r, &mut |r, key| match key {
        "id" => once(r, key, &mut id, read_u64),
        "release" => once(r, key, &mut release, string),
        "created_at" => once(r, key, &mut created_at, read_u64),
        "expires_at" => once(r, key, &mut expires_at, read_u64),
        "device_seq" => once(r, key, &mut device_seq, read_u64),
        _ => Ok(false),
    })?;
    Ok(Job {
        id: need(r, id, "id")?,
        release: need(r, release, "release")?,
        created_at: need(r, created_at, "created_at")?,
        expires_at: need(r, expires_at, "expires_at")?,
        device_seq: need(r, device_seq, "device_seq")?,
    })
}

/// The current hop (`release` and `counters` required).
fn hop_state(r: &mut Reader<'_>) -> Res<HopState<String>> {
    let (mut release, mut counters, mut last_failure) = (None, None, None);
    object(r, &mut |r, key| match key {
        "release" => once(r, key, &mut release, string),
        "counters" => once(r, key, &mut counters, hop_counters),
        "last_failure" => once(r, key, &mut last_failure, |r| option(r, self::last_failure)),
        _ => Ok(false),
    })?;
    Ok(HopState {
        release: need(r, release, "release")?,
        counters: need(r, counters, "counters")?,
        last_failure: last_failure.flatten(),
    })
}

/// A hop's counters (both fields optional; `failures` exactly four counts).
pub(crate) fn hop_counters(r: &mut Reader<'_>) -> Res<HopCounters> {
    let (mut attempts, mut failures) = (None, None);
    object(r, &mut |r, key| match key {
        "attempts" => once(r, key, &mut attempts, read_u32),
        "failures" => once(r, key, &mut failures, four_counts),
        _ => Ok(false),
    })?;
    Ok(HopCounters {
        attempts: attempts.unwrap_or(0),
        failures: failures.unwrap_or_default(),
    })
}

fn four_counts(r: &mut Reader<'_>) -> Res<[u32; 4]> {
    let counts: Vec<u32> = array(r, read_u32)?;
    <[u32; 4]>::try_from(counts.as_slice())
        .map_err(|_| r.error("expected an array of 4 failure counts"))
}

/// The last failure (every field required).
fn last_failure(r: &mut Reader<'_>) -> Res<LastFailure> {
    let (mut kind, mut at, mut device_seq) = (None, None, None);
    object(r, &mut |r, key| match key {
        "kind" => once(r, key, &mut kind, failure_kind),
        "at" => once(r, key, &mut at, read_u64),
        "device_seq" => once(r, key, &mut device_seq, read_u64),
        _ => Ok(false),
    })?;
    Ok(LastFailure {
        kind: need(r, kind, "kind")?,
        at: need(r, at, "at")?,
        device_seq: need(r, device_seq, "device_seq")?,
    })
}

/// Reads reconciler options (every field optional; a top-level `"$schema"` string skipped);
/// the error as for [`read_event`].
#[cfg(feature = "serde")]
pub fn read_session_options(text: &str) -> Result<SessionOptions, String> {
    schema_document(text, session_options)
}

/// Reconciler options; `top` when they are the document itself.
#[cfg(feature = "serde")]
fn session_options(r: &mut Reader<'_>, top: bool) -> Res<SessionOptions> {
    let (mut policy, mut rollout, mut started_at, mut state) = (None, None, None, None);
    let (mut start, mut end, mut windows, mut offset, mut ttl) = (None, None, None, None, None);
    object(r, &mut |r, key| match key {
        "policy" => once(r, key, &mut policy, |r| {
            option(r, |r| crate::retry::read::policy(r, false))
        }),
        "rollout" => once(r, key, &mut rollout, |r| {
            option(r, |r| crate::rollout::read::rollout(r, false))
        }),
        "rollout_started_at" => once(r, key, &mut started_at, |r| option(r, read_u64)),
        "rollout_state" => once(r, key, &mut state, |r| {
            option(r, crate::rollout::read::rollout_state)
        }),
        "start" => once(r, key, &mut start, |r| option(r, read_u64)),
        "end" => once(r, key, &mut end, |r| option(r, read_u64)),
        "windows" => once(r, key, &mut windows, |r| array(r, window)),
        "utc_offset_secs" => once(r, key, &mut offset, read_i32),
        "job_ttl_secs" => once(r, key, &mut ttl, |r| option(r, read_u64)),
        _ => schema_key(r, top, key),
    })?;
    Ok(SessionOptions {
        policy: policy.flatten(),
        rollout: rollout.flatten(),
        rollout_started_at: started_at.flatten(),
        rollout_state: state.flatten(),
        start: start.flatten(),
        end: end.flatten(),
        windows: windows.unwrap_or_default(),
        utc_offset_secs: offset.unwrap_or(0),
        job_ttl_secs: ttl.flatten(),
    })
}

/// A weekly maintenance window (every field required).
#[cfg(feature = "serde")]
fn window(r: &mut Reader<'_>) -> Res<Window> {
    let (mut day, mut start_minute, mut duration) = (None, None, None);
    object(r, &mut |r, key| match key {
        "day" => once(r, key, &mut day, read_u8),
        "start_minute" => once(r, key, &mut start_minute, read_u16),
        "duration_minutes" => once(r, key, &mut duration, read_u32),
        _ => Ok(false),
    })?;
    Ok(Window {
        day: need(r, day, "day")?,
        start_minute: need(r, start_minute, "start_minute")?,
        duration_minutes: need(r, duration, "duration_minutes")?,
    })
}

/// The serde derive's readings (through `wire::objects_only`, and `wire::from_document` for
/// the documents that may name their schema) that the hand readers replaced: kept for the
/// differential tests (`core/tests/decisions_read.rs`) and the `decisions_json` fuzz target
/// that compare the two. Each gives serde_json's message on failure.
#[cfg(feature = "serde")]
#[doc(hidden)]
pub mod serde_readers {
    use alloc::string::{String, ToString};

    use crate::reconcile::{DeviceState, Event, SessionOptions};
    use crate::retry::RetryPolicy;
    use crate::rollout::{HaltRule, Ramp, Rollout};

    /// An event.
    pub fn event(text: &str) -> Result<Event<String>, String> {
        crate::wire::from_json(text).map_err(|e| e.to_string())
    }

    /// A device state.
    pub fn device_state(text: &str) -> Result<DeviceState<String>, String> {
        crate::wire::from_json(text).map_err(|e| e.to_string())
    }

    /// Reconciler options.
    pub fn session_options(text: &str) -> Result<SessionOptions, String> {
        crate::wire::from_document(text).map_err(|e| e.to_string())
    }

    /// A retry policy (not validated).
    pub fn retry_policy(text: &str) -> Result<RetryPolicy, String> {
        crate::wire::from_document(text).map_err(|e| e.to_string())
    }

    /// A rollout (not validated).
    pub fn rollout(text: &str) -> Result<Rollout, String> {
        crate::wire::from_document(text).map_err(|e| e.to_string())
    }

    /// A halt rule (not validated).
    pub fn halt_rule(text: &str) -> Result<HaltRule, String> {
        crate::wire::from_json(text).map_err(|e| e.to_string())
    }

    /// A ramp.
    pub fn ramp(text: &str) -> Result<Ramp, String> {
        crate::wire::from_json(text).map_err(|e| e.to_string())
    }

    /// Failure counts by kind name, as the bindings read them (a sorted map).
    pub fn failure_counts(text: &str) -> Result<alloc::vec::Vec<(String, u32)>, String> {
        serde_json::from_str::<alloc::collections::BTreeMap<String, u32>>(text)
            .map(|m| m.into_iter().collect())
            .map_err(|e| e.to_string())
    }
}

/// The hand readers of the documents [`serde_readers`] reads, for the same comparisons; each
/// gives its message on failure. Validation is not part of reading.
#[cfg(feature = "serde")]
#[doc(hidden)]
pub mod hand_readers {
    use alloc::string::String;
    use alloc::vec::Vec;

    use crate::retry::RetryPolicy;
    use crate::rollout::{HaltRule, Ramp, Rollout};

    pub use super::{
        read_device_state as device_state, read_event as event,
        read_session_options as session_options,
    };

    /// A retry policy.
    pub fn retry_policy(text: &str) -> Result<RetryPolicy, String> {
        crate::retry::read::policy_document(text)
    }

    /// A rollout.
    pub fn rollout(text: &str) -> Result<Rollout, String> {
        crate::rollout::read::rollout_document(text)
    }

    /// A halt rule.
    pub fn halt_rule(text: &str) -> Result<HaltRule, String> {
        crate::rollout::read::halt_rule_document(text)
    }

    /// A ramp.
    pub fn ramp(text: &str) -> Result<Ramp, String> {
        crate::rollout::read::ramp_document(text)
    }

    /// Failure counts by kind name.
    pub fn failure_counts(text: &str) -> Result<Vec<(String, u32)>, String> {
        crate::retry::read::counts_document(text)
    }
}
