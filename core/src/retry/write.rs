//! The retry area's JSON forms written with [`crate::json_write::Writer`], byte for byte as
//! `serde_json::to_string` writes them through serde's derive (compared in
//! `core/tests/decisions_write.rs`), without serde.

use alloc::string::String;

use crate::json_write::Writer;

use super::{GiveUp, KindPolicy, RetryDecision, RetryGiveUp, RetryPolicy};

/// `"key": n`.
pub(crate) fn field_u64(w: &mut Writer, key: &str, n: u64) {
    w.key(key);
    w.u64(n);
}

/// `"key": n` or `"key": null`.
pub(crate) fn field_opt_u64(w: &mut Writer, key: &str, n: Option<u64>) {
    w.key(key);
    w.opt_u64(n);
}

/// `"key": n` or `"key": null`.
pub(crate) fn field_opt_u32(w: &mut Writer, key: &str, n: Option<u32>) {
    field_opt_u64(w, key, n.map(u64::from));
}

impl RetryPolicy {
    /// The policy's JSON form, every field written (`{"attempts_per_hop": 5, "jitter_ppm":
    /// ..., "failed": {...}, ..., "give_up": {...}}`): what `serde_json::to_string` writes for
    /// it, without serde.
    ///
    /// ```
    /// use stepstone::retry::RetryPolicy;
    /// let p = RetryPolicy::default();
    /// assert!(p.to_json().starts_with(r#"{"attempts_per_hop":5,"jitter_ppm":500000,"failed":{"retry":true,"#));
    /// ```
    pub fn to_json(&self) -> String {
        let mut w = Writer::compact();
        w.begin_object();
        field_u64(&mut w, "attempts_per_hop", self.attempts_per_hop.into());
        field_u64(&mut w, "jitter_ppm", self.jitter_ppm.into());
        for (key, k) in [
            ("failed", &self.failed),
            ("timed_out", &self.timed_out),
            ("rejected", &self.rejected),
            ("download_error", &self.download_error),
        ] {
            w.key(key);
            kind_policy(&mut w, k);
        }
        w.key("give_up");
        give_up(&mut w, &self.give_up);
        w.end_object();
        w.finish()
    }
}

fn kind_policy(w: &mut Writer, k: &KindPolicy) {
    w.begin_object();
    w.field_bool("retry", k.retry);
    field_opt_u32(w, "max_failures", k.max_failures);
    field_u64(w, "base_secs", k.base_secs);
    field_u64(w, "factor", k.factor.into());
    field_u64(w, "cap_secs", k.cap_secs);
    w.end_object();
}

fn give_up(w: &mut Writer, g: &GiveUp) {
    w.begin_object();
    field_opt_u32(w, "max_total_attempts", g.max_total_attempts);
    field_opt_u64(w, "max_elapsed_secs", g.max_elapsed_secs);
    w.end_object();
}

impl RetryDecision {
    /// The decision's JSON form, `{"retry_at": t}` or `{"give_up": code, "rule": {...}}`: what
    /// `serde_json::to_string` writes for it, without serde.
    ///
    /// ```
    /// use stepstone::retry::{RetryDecision, RetryGiveUp};
    /// assert_eq!(RetryDecision::RetryAt(60).to_json(), r#"{"retry_at":60}"#);
    /// assert_eq!(RetryDecision::GiveUp(RetryGiveUp::TotalAttempts { limit: 9 }).to_json(),
    ///     r#"{"give_up":"retry.total_attempts","rule":{"rule":"total_attempts","limit":9}}"#);
    /// ```
    pub fn to_json(&self) -> String {
        let mut w = Writer::compact();
        w.begin_object();
        match self {
            RetryDecision::RetryAt(t) => field_u64(&mut w, "retry_at", *t),
            RetryDecision::GiveUp(g) => {
                w.field_str("give_up", g.code());
                w.key("rule");
                give_up_rule(&mut w, g);
            }
        }
        w.end_object();
        w.finish()
    }
}

/// A give-up rule, `{"rule": name, ...}`.
pub(crate) fn give_up_rule(w: &mut Writer, g: &RetryGiveUp) {
    w.begin_object();
    match *g {
        RetryGiveUp::AttemptsPerHop { limit } => {
            w.field_str("rule", "attempts_per_hop");
            field_u64(w, "limit", limit.into());
        }
        RetryGiveUp::NotRetried { kind } => {
            w.field_str("rule", "not_retried");
            w.field_str("kind", kind.name());
        }
        RetryGiveUp::KindLimit { kind, limit } => {
            w.field_str("rule", "kind_limit");
            w.field_str("kind", kind.name());
            field_u64(w, "limit", limit.into());
        }
        RetryGiveUp::TotalAttempts { limit } => {
            w.field_str("rule", "total_attempts");
            field_u64(w, "limit", limit.into());
        }
        RetryGiveUp::Elapsed { limit_secs } => {
            w.field_str("rule", "elapsed");
            field_u64(w, "limit_secs", limit_secs);
        }
    }
    w.end_object();
}
