//! What to simulate, and why a simulation cannot start.

use stepstone::ErrorCode;
use stepstone::plan::PlanError;
use stepstone::reconcile::DEFAULT_JOB_TTL_SECS;
use stepstone::retry::RetryPolicy;
use stepstone::rollout::Rollout;
use stepstone::version::Version;

pub(crate) const DAY: u64 = 86_400;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Number of devices.
    pub devices: u32,
    /// Chance that an install attempt fails, ppm.
    pub fail_rate_ppm: u32,
    /// Chance that a device is on a shelf at the start, and that it drops offline before an
    /// attempt, ppm.
    pub offline_rate_ppm: u32,
    /// Chance that a device message is delivered twice, ppm.
    pub duplicate_rate_ppm: u32,
    /// Chance that a successful install boots back into the old version, ppm.
    pub rollback_rate_ppm: u32,
    /// PRNG seed.
    pub seed: u64,
    /// Where every device starts; `None`: the catalog's lowest release for the devices' model
    /// and environment.
    pub start: Option<Version>,
    /// The devices' model. Required when the catalog's releases differ by model
    /// (`plan.model_required`); one a release names when any does (`plan.unknown_model`).
    pub model: Option<String>,
    /// The devices' environment, checked as `model` is (`plan.environment_required`,
    /// `plan.unknown_environment`).
    pub environment: Option<String>,
    /// Shelf devices come back within this many seconds.
    pub shelf_secs: u64,
    /// The simulation stops at this time.
    pub horizon_secs: u64,
    /// The retry policy.
    pub policy: RetryPolicy,
    /// A staged rollout, if any.
    pub rollout: Option<Rollout>,
    /// Job document lifetime.
    pub job_ttl_secs: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            devices: 1000,
            fail_rate_ppm: 0,
            offline_rate_ppm: 0,
            duplicate_rate_ppm: 0,
            rollback_rate_ppm: 0,
            seed: 1,
            start: None,
            model: None,
            environment: None,
            shelf_secs: 30 * DAY,
            horizon_secs: 730 * DAY,
            policy: RetryPolicy::default(),
            rollout: None,
            job_ttl_secs: DEFAULT_JOB_TTL_SECS,
        }
    }
}

/// Why a simulation cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The campaign table could not be built: the devices' model or environment is missing or
    /// unknown, the target is not in the catalog, yanked, not for the devices, ...
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The start version is not a release of the catalog.
    #[error("start version {0:?} is not a release of the catalog")]
    UnknownStart(String),
    /// The catalog has no releases.
    #[error("the catalog has no releases")]
    EmptyCatalog,
    /// A rate is above 1 000 000 ppm.
    #[error("{name} is {value} ppm, above 1000000")]
    Rate {
        /// Which rate.
        name: &'static str,
        /// Its value.
        value: u32,
    },
}

impl ErrorCode for SimError {
    fn code(&self) -> &'static str {
        use stepstone::error::codes;
        match self {
            SimError::Plan(e) => e.code(),
            SimError::UnknownStart(_) => codes::SIMULATE_UNKNOWN_START.as_str(),
            SimError::EmptyCatalog => codes::SIMULATE_EMPTY_CATALOG.as_str(),
            SimError::Rate { .. } => codes::SIMULATE_RATE_OUT_OF_RANGE.as_str(),
        }
    }
}
