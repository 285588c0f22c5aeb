//! Retry decisions: backoff, jitter and the give-up rules.

use stepstone::retry::{self, FailureKind, HopCounters};

use crate::{Fault, Res, hex16, u64_arg};

/// A failure kind by its JSON name (`retry.unknown_kind` for any other).
fn kind(name: &str) -> Res<FailureKind> {
    name.parse().map_err(Fault::of)
}

/// A retry policy.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryPolicy {
    pub(crate) inner: retry::RetryPolicy,
}

impl RetryPolicy {
    /// Reads and checks a policy from JSON holding the fields that differ from the default.
    pub fn from_json(text: &str) -> Res<RetryPolicy> {
        Ok(RetryPolicy {
            inner: retry::RetryPolicy::from_json(text).map_err(Fault::of)?,
        })
    }

    /// The policy as JSON (every field).
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Seconds to wait after the `n`-th failure of `kind`, jittered by device, hop and attempt.
    pub fn backoff(
        &self,
        kind_name: &str,
        n: u32,
        device_id: &[u8],
        hop: &[u8],
        attempt: u32,
    ) -> Res<u64> {
        self.inner
            .backoff(kind(kind_name)?, n, device_id, hop, attempt)
            .map_err(Fault::of)
    }

    /// What to do after a failure, as JSON: `{"retry_at": t}` or `{"give_up": code}`.
    /// `failures` is JSON mapping a kind name to its count on this hop, this failure included;
    /// times are decimal strings.
    #[allow(clippy::too_many_arguments)]
    pub fn after_failure(
        &self,
        attempts: u32,
        failures: &str,
        kind_name: &str,
        total_attempts: u32,
        first_attempt_at: &str,
        failed_at: &str,
        device_id: &[u8],
        hop: &[u8],
    ) -> Res<String> {
        let counters = HopCounters::from_json_counts(attempts, failures).map_err(Fault::of)?;
        let decision = self
            .inner
            .after_failure(
                &counters,
                kind(kind_name)?,
                total_attempts,
                u64_arg("first_attempt_at", first_attempt_at)?,
                u64_arg("failed_at", failed_at)?,
                device_id,
                hop,
            )
            .map_err(Fault::of)?;
        Ok(decision.to_json())
    }
}

/// The jitter hash of (device, hop, attempt), as 16 hex digits.
pub fn jitter_hash(device_id: &[u8], hop: &[u8], attempt: u32) -> String {
    hex16(retry::jitter_hash(device_id, hop, attempt))
}
