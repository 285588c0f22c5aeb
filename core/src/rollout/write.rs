//! The rollout area's JSON forms written with [`crate::json_write::Writer`], byte for byte as
//! `serde_json::to_string` writes them through serde's derive (compared in
//! `core/tests/decisions_write.rs`), without serde.

use alloc::string::String;

use crate::json_write::Writer;
use crate::retry::write::{field_opt_u32, field_u64};

use super::{HaltReason, HaltRule, Rollout, RolloutLog, RolloutState, Schedule};

impl Rollout {
    /// The rollout's JSON form, every field written (`{"salt", "schedule": {"stages": [...]}
    /// or {"ramp": {...}}, "halt": {...}}`): what `serde_json::to_string` writes for it,
    /// without serde.
    ///
    /// ```
    /// use stepstone::rollout::Rollout;
    /// let r = Rollout::from_json(r#"{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 1000000}]}}"#).unwrap();
    /// assert_eq!(r.to_json(), concat!(r#"{"salt":"s","schedule":{"stages":[{"fraction_ppm":1000000,"min_soak_secs":0}]},"#,
    ///     r#""halt":{"max_failures":null,"max_failure_rate_ppm":null,"min_finished":0,"confidence":null}}"#));
    /// ```
    pub fn to_json(&self) -> String {
        let mut w = Writer::compact();
        w.begin_object();
        w.field_str("salt", &self.salt);
        w.key("schedule");
        w.begin_object();
        match &self.schedule {
            Schedule::Stages(stages) => {
                w.key("stages");
                w.begin_array();
                for s in stages {
                    w.begin_object();
                    field_u64(&mut w, "fraction_ppm", s.fraction_ppm.into());
                    field_u64(&mut w, "min_soak_secs", s.min_soak_secs);
                    w.end_object();
                }
                w.end_array();
            }
            Schedule::Ramp(r) => {
                w.key("ramp");
                w.begin_object();
                field_u64(&mut w, "start", r.start);
                field_u64(&mut w, "start_ppm", r.start_ppm.into());
                field_u64(&mut w, "duration_secs", r.duration_secs);
                w.end_object();
            }
        }
        w.end_object();
        w.key("halt");
        halt_rule(&mut w, &self.halt);
        w.end_object();
        w.finish()
    }
}

fn halt_rule(w: &mut Writer, h: &HaltRule) {
    w.begin_object();
    field_opt_u32(w, "max_failures", h.max_failures);
    field_opt_u32(w, "max_failure_rate_ppm", h.max_failure_rate_ppm);
    field_u64(w, "min_finished", h.min_finished.into());
    w.key("confidence");
    match h.confidence {
        Some(c) => {
            w.begin_object();
            field_u64(w, "z_num", c.z_num.into());
            field_u64(w, "z_den", c.z_den.into());
            w.end_object();
        }
        None => w.null(),
    }
    w.end_object();
}

impl RolloutState {
    /// Where the rollout stands as JSON (`{"started_at", "stage", "stage_opened_at",
    /// "halted_secs", "halted", "stats", "log"}`): what `serde_json::to_string` writes for it,
    /// without serde; [`crate::reconcile::SessionOptions`]' `rollout_state` reads it back.
    ///
    /// ```
    /// use stepstone::rollout::Rollout;
    /// let r = Rollout::from_json(r#"{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 1000000}]}}"#).unwrap();
    /// assert_eq!(r.start(5).to_json(), concat!(r#"{"started_at":5,"stage":0,"stage_opened_at":5,"halted_secs":0,"#,
    ///     r#""halted":null,"stats":[{"finished":0,"failed":0}],"log":[{"event":"opened","stage":0,"at":5}]}"#));
    /// ```
    pub fn to_json(&self) -> String {
        let mut w = Writer::compact();
        w.begin_object();
        field_u64(&mut w, "started_at", self.started_at);
        field_u64(&mut w, "stage", self.stage.into());
        field_u64(&mut w, "stage_opened_at", self.stage_opened_at);
        field_u64(&mut w, "halted_secs", self.halted_secs);
        w.key("halted");
        match &self.halted {
            Some(h) => {
                w.begin_object();
                field_u64(&mut w, "at", h.at);
                w.key("reason");
                halt_reason(&mut w, &h.reason);
                w.end_object();
            }
            None => w.null(),
        }
        w.key("stats");
        w.begin_array();
        for s in &self.stats {
            w.begin_object();
            field_u64(&mut w, "finished", s.finished.into());
            field_u64(&mut w, "failed", s.failed.into());
            w.end_object();
        }
        w.end_array();
        w.key("log");
        w.begin_array();
        for line in &self.log {
            w.begin_object();
            match line {
                RolloutLog::Opened { stage, at } => {
                    w.field_str("event", "opened");
                    field_u64(&mut w, "stage", (*stage).into());
                    field_u64(&mut w, "at", *at);
                }
                RolloutLog::Halted { at, reason } => {
                    w.field_str("event", "halted");
                    field_u64(&mut w, "at", *at);
                    w.key("reason");
                    halt_reason(&mut w, reason);
                }
                RolloutLog::Resumed { at } => {
                    w.field_str("event", "resumed");
                    field_u64(&mut w, "at", *at);
                }
            }
            w.end_object();
        }
        w.end_array();
        w.end_object();
        w.finish()
    }
}

/// A halt reason, `{"rule": name, ...}`.
fn halt_reason(w: &mut Writer, reason: &HaltReason) {
    w.begin_object();
    match reason {
        HaltReason::FailureCount {
            stage,
            failed,
            limit,
        } => {
            w.field_str("rule", "failure_count");
            field_u64(w, "stage", (*stage).into());
            field_u64(w, "failed", (*failed).into());
            field_u64(w, "limit", (*limit).into());
        }
        HaltReason::FailureRate {
            stage,
            failed,
            finished,
            limit_ppm,
        }
        | HaltReason::Confidence {
            stage,
            failed,
            finished,
            limit_ppm,
        } => {
            let rule = if matches!(reason, HaltReason::FailureRate { .. }) {
                "failure_rate"
            } else {
                "confidence"
            };
            w.field_str("rule", rule);
            field_u64(w, "stage", (*stage).into());
            field_u64(w, "failed", (*failed).into());
            field_u64(w, "finished", (*finished).into());
            field_u64(w, "limit_ppm", (*limit_ppm).into());
        }
        HaltReason::Operator { note } => {
            w.field_str("rule", "operator");
            w.field_str("note", note);
        }
    }
    w.end_object();
}
