//! The hand-written readers of a rollout, its parts and where it stands, over
//! [`crate::json_fields`]: as serde's derive reads them through `wire::objects_only` (no
//! unknown field except in stage counts, which serde's derive lets pass; every struct an
//! object), without `serde_json`'s deserializer. Like the event reader
//! ([`crate::reconcile::read_event`]), they refuse what serde's derive is looser on: a halt
//! reason or a log line (internally tagged) as an array, or a log line's nested `"rule"` as a
//! number.

use alloc::string::String;

use crate::json_fields::{
    Res, array, document, need, object, once, option, read_u32, read_u64, schema_document,
    schema_key, string, tag, unknown_variant, within,
};
use crate::json_read::Reader;

use super::{
    Confidence, HaltReason, HaltRule, Halted, Ramp, Rollout, RolloutLog, RolloutState, Schedule,
    Stage, StageStats,
};

/// A rollout document (a top-level `"$schema"` string skipped).
pub(crate) fn rollout_document(text: &str) -> Result<Rollout, String> {
    schema_document(text, rollout)
}

/// A halt rule document.
pub(crate) fn halt_rule_document(text: &str) -> Result<HaltRule, String> {
    document(text, halt_rule)
}

/// A ramp document.
pub(crate) fn ramp_document(text: &str) -> Result<Ramp, String> {
    document(text, ramp)
}

/// A rollout (`salt` and `schedule` required); `top` when it is the document itself.
pub(crate) fn rollout(r: &mut Reader<'_>, top: bool) -> Res<Rollout> {
    let (mut salt, mut schedule, mut halt) = (None, None, None);
    object(r, &mut |r, key| match key {
        "salt" => once(r, key, &mut salt, string),
        "schedule" => once(r, key, &mut schedule, self::schedule),
        "halt" => once(r, key, &mut halt, halt_rule),
        _ => schema_key(r, top, key),
    })?;
    Ok(Rollout {
        salt: need(r, salt, "salt")?,
        schedule: need(r, schedule, "schedule")?,
        halt: halt.unwrap_or_default(),
    })
}

/// `{"stages": [...]}` or `{"ramp": {...}}`: an object with exactly one of them.
fn schedule(r: &mut Reader<'_>) -> Res<Schedule> {
    r.begin_object()?;
    let mut first = true;
    let Some(name) = r.next_key(&mut first)? else {
        return Err(r.error("expected `stages` or `ramp`, found {}"));
    };
    let schedule = match &*name {
        "stages" => Schedule::Stages(array(r, stage).map_err(|e| within(e, "stages"))?),
        "ramp" => Schedule::Ramp(ramp(r).map_err(|e| within(e, "ramp"))?),
        _ => return Err(unknown_variant(r, &name)),
    };
    if r.peek() != Some(b'}') {
        return Err(r.error("expected '}' after the schedule's one field"));
    }
    r.next_key(&mut first)?;
    Ok(schedule)
}

/// A stage (`fraction_ppm` required).
fn stage(r: &mut Reader<'_>) -> Res<Stage> {
    let (mut fraction, mut soak) = (None, None);
    object(r, &mut |r, key| match key {
        "fraction_ppm" => once(r, key, &mut fraction, read_u32),
        "min_soak_secs" => once(r, key, &mut soak, read_u64),
        _ => Ok(false),
    })?;
    Ok(Stage {
        fraction_ppm: need(r, fraction, "fraction_ppm")?,
        min_soak_secs: soak.unwrap_or(0),
    })
}

/// A ramp (`start` and `duration_secs` required).
pub(crate) fn ramp(r: &mut Reader<'_>) -> Res<Ramp> {
    let (mut start, mut start_ppm, mut duration) = (None, None, None);
    object(r, &mut |r, key| match key {
        "start" => once(r, key, &mut start, read_u64),
        "start_ppm" => once(r, key, &mut start_ppm, read_u32),
        "duration_secs" => once(r, key, &mut duration, read_u64),
        _ => Ok(false),
    })?;
    Ok(Ramp {
        start: need(r, start, "start")?,
        start_ppm: start_ppm.unwrap_or(0),
        duration_secs: need(r, duration, "duration_secs")?,
    })
}

/// A halt rule (every field optional).
pub(crate) fn halt_rule(r: &mut Reader<'_>) -> Res<HaltRule> {
    let (mut max_failures, mut rate, mut min_finished, mut confidence) = (None, None, None, None);
    object(r, &mut |r, key| match key {
        "max_failures" => once(r, key, &mut max_failures, |r| option(r, read_u32)),
        "max_failure_rate_ppm" => once(r, key, &mut rate, |r| option(r, read_u32)),
        "min_finished" => once(r, key, &mut min_finished, read_u32),
        "confidence" => once(r, key, &mut confidence, |r| option(r, self::confidence)),
        _ => Ok(false),
    })?;
    Ok(HaltRule {
        max_failures: max_failures.flatten(),
        max_failure_rate_ppm: rate.flatten(),
        min_finished: min_finished.unwrap_or(0),
        confidence: confidence.flatten(),
    })
}

/// A confidence level (both fields required).
fn confidence(r: &mut Reader<'_>) -> Res<Confidence> {
    let (mut z_num, mut z_den) = (None, None);
    object(r, &mut |r, key| match key {
        "z_num" => once(r, key, &mut z_num, read_u32),
        "z_den" => once(r, key, &mut z_den, read_u32),
        _ => Ok(false),
    })?;
    Ok(Confidence {
        z_num: need(r, z_num, "z_num")?,
        z_den: need(r, z_den, "z_den")?,
    })
}

/// Where a rollout stands (`halted` optional, every other field required).
pub(crate) fn rollout_state(r: &mut Reader<'_>) -> Res<RolloutState> {
    let (mut started_at, mut stage, mut opened_at, mut halted_secs) = (None, None, None, None);
    let (mut halted, mut stats, mut log) = (None, None, None);
    object(r, &mut |r, key| match key {
        "started_at" => once(r, key, &mut started_at, read_u64),
        "stage" => once(r, key, &mut stage, read_u32),
        "stage_opened_at" => once(r, key, &mut opened_at, read_u64),
        "halted_secs" => once(r, key, &mut halted_secs, read_u64),
        "halted" => once(r, key, &mut halted, |r| option(r, self::halted)),
        "stats" => once(r, key, &mut stats, |r| array(r, stage_stats)),
        "log" => once(r, key, &mut log, |r| array(r, rollout_log)),
        _ => Ok(false),
    })?;
    Ok(RolloutState {
        started_at: need(r, started_at, "started_at")?,
        stage: need(r, stage, "stage")?,
        stage_opened_at: need(r, opened_at, "stage_opened_at")?,
        halted_secs: need(r, halted_secs, "halted_secs")?,
        halted: halted.flatten(),
        stats: need(r, stats, "stats")?,
        log: need(r, log, "log")?,
    })
}

/// One stage's counts (both required; other fields are skipped, as serde's derive skips them).
fn stage_stats(r: &mut Reader<'_>) -> Res<StageStats> {
    let (mut finished, mut failed) = (None, None);
    object(r, &mut |r, key| match key {
        "finished" => once(r, key, &mut finished, read_u32),
        "failed" => once(r, key, &mut failed, read_u32),
        _ => r.value().map(|_| true),
    })?;
    Ok(StageStats {
        finished: need(r, finished, "finished")?,
        failed: need(r, failed, "failed")?,
    })
}

/// A halt in force (both fields required).
fn halted(r: &mut Reader<'_>) -> Res<Halted> {
    let (mut at, mut reason) = (None, None);
    object(r, &mut |r, key| match key {
        "at" => once(r, key, &mut at, read_u64),
        "reason" => once(r, key, &mut reason, halt_reason),
        _ => Ok(false),
    })?;
    Ok(Halted {
        at: need(r, at, "at")?,
        reason: need(r, reason, "reason")?,
    })
}

/// Each halt reason's name and its fields (besides `"rule"`).
const REASONS: [(&str, &[&str]); 4] = [
    ("failure_count", &["stage", "failed", "limit"]),
    (
        "failure_rate",
        &["stage", "failed", "finished", "limit_ppm"],
    ),
    ("confidence", &["stage", "failed", "finished", "limit_ppm"]),
    ("operator", &["note"]),
];

/// Why a rollout halted (`{"rule": name, ...}`, the tag anywhere in the object).
fn halt_reason(r: &mut Reader<'_>) -> Res<HaltReason> {
    let name = tag(r, "rule")?;
    let Some(&(name, allowed)) = REASONS.iter().find(|(n, _)| *n == name) else {
        return Err(unknown_variant(r, &name));
    };
    let (mut stage, mut failed, mut finished, mut limit, mut note) = (None, None, None, None, None);
    object(r, &mut |r, key| {
        if key == "rule" {
            return r.value().map(|_| true);
        }
        if !allowed.contains(&key) {
            return Ok(false);
        }
        match key {
            "stage" => once(r, key, &mut stage, read_u32),
            "failed" => once(r, key, &mut failed, read_u32),
            "finished" => once(r, key, &mut finished, read_u32),
            "note" => once(r, key, &mut note, string),
            // `limit` or `limit_ppm`: one of them per reason.
            _ => once(r, key, &mut limit, read_u32),
        }
    })?;
    let r = &*r;
    if name == "operator" {
        return Ok(HaltReason::Operator {
            note: need(r, note, "note")?,
        });
    }
    let stage = need(r, stage, "stage")?;
    let failed = need(r, failed, "failed")?;
    if name == "failure_count" {
        return Ok(HaltReason::FailureCount {
            stage,
            failed,
            limit: need(r, limit, "limit")?,
        });
    }
    let finished = need(r, finished, "finished")?;
    let limit_ppm = need(r, limit, "limit_ppm")?;
    Ok(if name == "failure_rate" {
        HaltReason::FailureRate {
            stage,
            failed,
            finished,
            limit_ppm,
        }
    } else {
        HaltReason::Confidence {
            stage,
            failed,
            finished,
            limit_ppm,
        }
    })
}

/// One line of a rollout's history (`{"event": name, ...}`).
fn rollout_log(r: &mut Reader<'_>) -> Res<RolloutLog> {
    let name = tag(r, "event")?;
    let allowed: &[&str] = match name.as_str() {
        "opened" => &["stage", "at"],
        "halted" => &["at", "reason"],
        "resumed" => &["at"],
        _ => return Err(unknown_variant(r, &name)),
    };
    let (mut stage, mut at, mut reason) = (None, None, None);
    object(r, &mut |r, key| {
        if key == "event" {
            return r.value().map(|_| true);
        }
        if !allowed.contains(&key) {
            return Ok(false);
        }
        match key {
            "stage" => once(r, key, &mut stage, read_u32),
            "at" => once(r, key, &mut at, read_u64),
            _ => once(r, key, &mut reason, halt_reason),
        }
    })?;
    let r = &*r;
    let at = need(r, at, "at")?;
    Ok(match name.as_str() {
        "opened" => RolloutLog::Opened {
            stage: need(r, stage, "stage")?,
            at,
        },
        "halted" => RolloutLog::Halted {
            at,
            reason: need(r, reason, "reason")?,
        },
        _ => RolloutLog::Resumed { at },
    })
}
