//! The hand-written reader of a retry policy's wire form, over [`crate::json_fields`]: as
//! serde's derive reads it (every field optional, taking [`RetryPolicy::default`]'s value; no
//! unknown field; every struct an object), without `serde_json`'s deserializer.

use alloc::string::String;
use alloc::vec::Vec;

use crate::json_fields::{
    Res, document, object, once, option, read_bool, read_u32, read_u64, schema_document,
    schema_key, within,
};
use crate::json_read::Reader;

use super::{GiveUp, KindPolicy, RetryPolicy};

/// A retry policy document (a top-level `"$schema"` string skipped).
pub(crate) fn policy_document(text: &str) -> Result<RetryPolicy, String> {
    schema_document(text, policy)
}

/// A retry policy; `top` when it is the document itself (which may name its schema).
pub(crate) fn policy(r: &mut Reader<'_>, top: bool) -> Res<RetryPolicy> {
    let mut p = RetryPolicy::default();
    let (mut attempts, mut jitter, mut give_up) = (None, None, None);
    let (mut failed, mut timed_out, mut rejected, mut download) = (None, None, None, None);
    object(r, &mut |r, key| match key {
        "attempts_per_hop" => once(r, key, &mut attempts, read_u32),
        "jitter_ppm" => once(r, key, &mut jitter, read_u32),
        "failed" => once(r, key, &mut failed, kind_policy),
        "timed_out" => once(r, key, &mut timed_out, kind_policy),
        "rejected" => once(r, key, &mut rejected, kind_policy),
        "download_error" => once(r, key, &mut download, kind_policy),
        "give_up" => once(r, key, &mut give_up, self::give_up),
        _ => schema_key(r, top, key),
    })?;
    p.attempts_per_hop = attempts.unwrap_or(p.attempts_per_hop);
    p.jitter_ppm = jitter.unwrap_or(p.jitter_ppm);
    p.failed = failed.unwrap_or(p.failed);
    p.timed_out = timed_out.unwrap_or(p.timed_out);
    p.rejected = rejected.unwrap_or(p.rejected);
    p.download_error = download.unwrap_or(p.download_error);
    p.give_up = give_up.unwrap_or(p.give_up);
    Ok(p)
}

/// One kind's policy (absent fields from [`KindPolicy::default`]).
fn kind_policy(r: &mut Reader<'_>) -> Res<KindPolicy> {
    let mut k = KindPolicy::default();
    let (mut retry, mut max_failures, mut base, mut factor, mut cap) =
        (None, None, None, None, None);
    object(r, &mut |r, key| match key {
        "retry" => once(r, key, &mut retry, read_bool),
        "max_failures" => once(r, key, &mut max_failures, |r| option(r, read_u32)),
        "base_secs" => once(r, key, &mut base, read_u64),
        "factor" => once(r, key, &mut factor, read_u32),
        "cap_secs" => once(r, key, &mut cap, read_u64),
        _ => Ok(false),
    })?;
    k.retry = retry.unwrap_or(k.retry);
    k.max_failures = max_failures.unwrap_or(k.max_failures);
    k.base_secs = base.unwrap_or(k.base_secs);
    k.factor = factor.unwrap_or(k.factor);
    k.cap_secs = cap.unwrap_or(k.cap_secs);
    Ok(k)
}

/// The total give-up rule (both limits optional).
fn give_up(r: &mut Reader<'_>) -> Res<GiveUp> {
    let (mut attempts, mut elapsed) = (None, None);
    object(r, &mut |r, key| match key {
        "max_total_attempts" => once(r, key, &mut attempts, |r| option(r, read_u32)),
        "max_elapsed_secs" => once(r, key, &mut elapsed, |r| option(r, read_u64)),
        _ => Ok(false),
    })?;
    Ok(GiveUp {
        max_total_attempts: attempts.flatten(),
        max_elapsed_secs: elapsed.flatten(),
    })
}

/// A map of failure-kind names to counts (`{"failed": 2, "timed_out": 1}`), as serde reads it
/// into a sorted map: any string key, a later duplicate replacing an earlier one; each count a
/// whole number from 0 to 2^32-1. The names are not checked here.
pub(crate) fn counts_document(text: &str) -> Result<Vec<(String, u32)>, String> {
    document(text, |r| {
        let mut counts: Vec<(String, u32)> = Vec::new();
        r.begin_object()?;
        let mut first = true;
        while let Some(key) = r.next_key(&mut first)? {
            let n = read_u32(r).map_err(|e| within(e, &key))?;
            match counts.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
                Ok(i) => counts[i].1 = n,
                Err(i) => counts.insert(i, (key.into_owned(), n)),
            }
        }
        Ok(counts)
    })
}
