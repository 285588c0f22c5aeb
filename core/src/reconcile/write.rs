//! The reconciler's JSON forms (device state, what `apply` did, the action) written with
//! [`crate::json_write::Writer`], byte for byte as `serde_json::to_string` writes them through
//! serde's derive (compared in `core/tests/decisions_write.rs`), without serde.

use alloc::string::String;

use crate::json_write::Writer;
use crate::retry::write::{field_opt_u64, field_u64, give_up_rule};
use crate::version::Version;

use super::{Action, Applied, DeviceState, GiveUpReason, HoldReason, WaitReason};

/// `"key": "text"` or `"key": null`.
fn field_opt_str(w: &mut Writer, key: &str, text: Option<&str>) {
    w.key(key);
    match text {
        Some(t) => w.string(t),
        None => w.null(),
    }
}

/// A device state's full wire form, every field written (versions as spelt: `String`s, or
/// parsed [`Version`]s, whose text is kept as given).
///
/// ```
/// use stepstone::reconcile::{DeviceState, device_state_json};
/// let s = DeviceState::reporting("v1".to_string(), 1);
/// assert_eq!(device_state_json(&s), concat!(r#"{"reported":"v1","device_seq":1,"last_job":0,"job":null,"hop":null,"#,
///     r#""total_attempts":0,"first_attempt_at":null,"rolled_back":[],"campaign":0,"catalog_revision":0,"operator_seq":0}"#));
/// ```
pub fn device_state_json<V: AsRef<str>>(state: &DeviceState<V>) -> String {
    let mut w = Writer::compact();
    device_state(&mut w, state);
    w.finish()
}

/// `{"state": {...}, "outcome": "changed"}`: what [`super::Session::apply_json`] gives for
/// the new state and what the event did.
///
/// ```
/// use stepstone::reconcile::{Applied, DeviceState, applied_json};
/// let s = DeviceState::<String>::default();
/// assert!(applied_json(&s, Applied::Stale).ends_with(r#","operator_seq":0},"outcome":"stale"}"#));
/// ```
pub fn applied_json<V: AsRef<str>>(state: &DeviceState<V>, applied: Applied) -> String {
    let mut w = Writer::compact();
    w.begin_object();
    w.key("state");
    device_state(&mut w, state);
    w.field_str("outcome", applied.name());
    w.end_object();
    w.finish()
}

fn device_state<V: AsRef<str>>(w: &mut Writer, s: &DeviceState<V>) {
    w.begin_object();
    field_opt_str(w, "reported", s.reported.as_ref().map(AsRef::as_ref));
    field_u64(w, "device_seq", s.device_seq);
    field_u64(w, "last_job", s.last_job);
    w.key("job");
    match &s.job {
        Some(j) => {
            w.begin_object();
            field_u64(w, "id", j.id);
            w.field_str("release", j.release.as_ref());
            field_u64(w, "created_at", j.created_at);
            field_u64(w, "expires_at", j.expires_at);
            field_u64(w, "device_seq", j.device_seq);
            w.end_object();
        }
        None => w.null(),
    }
    w.key("hop");
    match &s.hop {
        Some(h) => {
            w.begin_object();
            w.field_str("release", h.release.as_ref());
            w.key("counters");
            w.begin_object();
            field_u64(w, "attempts", h.counters.attempts.into());
            w.key("failures");
            w.begin_array();
            for n in h.counters.failures {
                w.u64(n.into());
            }
            w.end_array();
            w.end_object();
            w.key("last_failure");
            match &h.last_failure {
                Some(f) => {
                    w.begin_object();
                    w.field_str("kind", f.kind.name());
                    field_u64(w, "at", f.at);
                    field_u64(w, "device_seq", f.device_seq);
                    w.end_object();
                }
                None => w.null(),
            }
            w.end_object();
        }
        None => w.null(),
    }
    field_u64(w, "total_attempts", s.total_attempts.into());
    field_opt_u64(w, "first_attempt_at", s.first_attempt_at);
    w.field_strings("rolled_back", s.rolled_back.iter().map(AsRef::as_ref));
    field_u64(w, "campaign", s.campaign);
    field_u64(w, "catalog_revision", s.catalog_revision);
    field_u64(w, "operator_seq", s.operator_seq);
    w.end_object();
}

/// An action's wire form (`{"action": "install", "release": ..., ...}`), versions as the
/// catalog spells them.
///
/// ```
/// use stepstone::reconcile::{Action, HoldReason, action_json};
/// let hold: Action<stepstone::version::Version> = Action::Hold { reason: HoldReason::NoReport };
/// assert_eq!(action_json(&hold), r#"{"action":"hold","reason":{"why":"no_report"}}"#);
/// ```
pub fn action_json(action: &Action<Version>) -> String {
    let mut w = Writer::compact();
    w.begin_object();
    match action {
        Action::Install {
            release,
            job,
            expires_at,
            attempt,
            stage,
        } => {
            w.field_str("action", "install");
            w.field_str("release", release.as_str());
            field_u64(&mut w, "job", *job);
            field_u64(&mut w, "expires_at", *expires_at);
            field_u64(&mut w, "attempt", (*attempt).into());
            if let Some(stage) = stage {
                field_u64(&mut w, "stage", (*stage).into());
            }
        }
        Action::Wait { until, reason } => {
            w.field_str("action", "wait");
            field_u64(&mut w, "until", *until);
            w.key("reason");
            w.begin_object();
            match reason {
                WaitReason::CampaignNotStarted => w.field_str("why", "campaign_not_started"),
                WaitReason::AwaitingJob { job } => {
                    w.field_str("why", "awaiting_job");
                    field_u64(&mut w, "job", *job);
                }
                WaitReason::Backoff { kind } => {
                    w.field_str("why", "backoff");
                    w.field_str("kind", kind.name());
                }
                WaitReason::MaintenanceWindow => w.field_str("why", "maintenance_window"),
            }
            w.end_object();
        }
        Action::Expire { job } => {
            w.field_str("action", "expire");
            field_u64(&mut w, "job", *job);
        }
        Action::Done => w.field_str("action", "done"),
        Action::Hold { reason } => {
            w.field_str("action", "hold");
            w.key("reason");
            w.begin_object();
            w.field_str("why", reason.name());
            match reason {
                HoldReason::RolledBack { release } => w.field_str("release", release.as_str()),
                HoldReason::NotInRollout { recheck_at } => {
                    field_opt_u64(&mut w, "recheck_at", *recheck_at)
                }
                _ => {}
            }
            w.end_object();
        }
        Action::GiveUp { reason } => {
            w.field_str("action", "give_up");
            w.key("reason");
            w.begin_object();
            match reason {
                GiveUpReason::Retry { rule } => {
                    w.field_str("why", "retry");
                    w.key("rule");
                    give_up_rule(&mut w, rule);
                }
                GiveUpReason::NoPath { code } => {
                    w.field_str("why", "no_path");
                    w.field_str("code", code);
                }
            }
            w.end_object();
        }
    }
    w.end_object();
    w.finish()
}
