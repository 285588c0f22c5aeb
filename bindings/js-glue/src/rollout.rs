//! Staged rollouts: membership, the ramp, halt rules and the Wilson bound.

use stepstone::rollout::{self, Confidence, HaltRule, Ramp, StageStats};
use stepstone::sample;

use crate::{Fault, Res, hex_u64, hex16, u64_arg};

/// A staged rollout (stages or a ramp, with halt rules).
#[derive(Debug, Clone)]
pub struct Rollout {
    pub(crate) inner: rollout::Rollout,
}

impl Rollout {
    /// Reads and checks a rollout from JSON (`rollout.*` codes).
    pub fn from_json(text: &str) -> Res<Rollout> {
        Ok(Rollout {
            inner: rollout::Rollout::from_json(text).map_err(Fault::of)?,
        })
    }

    /// The rollout as JSON (every field).
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// A device's rollout position (16 hex digits).
    pub fn position(&self, device_id: &[u8]) -> String {
        hex16(self.inner.position(device_id))
    }

    /// The stage a position (hex) falls in.
    pub fn stage_of(&self, position: &str) -> Res<u32> {
        Ok(self.inner.stage_of(hex_u64(position)?))
    }

    /// The code of the halt rule these counts of `stage` trip, if any (a stage past the last:
    /// `rollout.unknown_stage`; `failed` above `finished`: `rollout.failed_above_finished`).
    pub fn trips(&self, stage: u32, finished: u32, failed: u32) -> Res<Option<&'static str>> {
        Ok(self
            .inner
            .trips_checked(stage, StageStats { finished, failed })
            .map_err(Fault::of)?
            .map(|h| h.code()))
    }
}

/// The code of the rule a halt rule (JSON; checked) trips for these counts, if any.
pub fn halt_trips(rule: &str, finished: u32, failed: u32) -> Res<Option<&'static str>> {
    Ok(HaltRule::from_json(rule)
        .map_err(Fault::of)?
        .trips(0, StageStats { finished, failed })
        .map_err(Fault::of)?
        .map(|h| h.code()))
}

/// A ramp's (JSON) open fraction, ppm, `elapsed` seconds (decimal) after it started.
pub fn ramp_fraction(ramp: &str, elapsed: &str) -> Res<u32> {
    let ramp = Ramp::from_json(ramp).map_err(Fault::of)?;
    Ok(ramp.fraction_at(u64_arg("elapsed", elapsed)?))
}

/// Whether the Wilson lower bound of `failed / finished` at `z = z_num / z_den` is above
/// `limit_ppm / 10^6` (exact).
pub fn wilson_lower_above(
    failed: u32,
    finished: u32,
    limit_ppm: u32,
    z_num: u32,
    z_den: u32,
) -> Res<bool> {
    rollout::wilson_lower_above_checked(failed, finished, limit_ppm, Confidence { z_num, z_den })
        .map_err(Fault::of)
}

/// A device's rollout position for `salt` (16 hex digits).
pub fn rollout_position(salt: &[u8], device_id: &[u8]) -> String {
    hex16(sample::position(salt, device_id, 0, sample::ROLLOUT_CLASS))
}
