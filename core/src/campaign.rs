//! Campaign tables: `next_hop` for millions of devices toward one target, without replanning.
//!
//! [`CampaignTable::build`] runs the planner's sweep once for a target and a device filter
//! (model, environment) and keeps the first hop for every *slot* of the version line (every
//! release and constraint version, and every gap between two of them; see the `plan` module).
//! A lookup is one binary search: O(log n). Building is O((n + b) log n) time and O(n + b)
//! memory for `n` releases and `b` constraints, so a 100k-release catalog is fine.
//!
//! The answer for every version equals the first hop of [`crate::plan::plan`] for that device
//! (a property test holds them together).
//!
//! ```
//! use stepstone::campaign::CampaignTable;
//! use stepstone::catalog::Catalog;
//! use stepstone::plan::Cost;
//! let catalog = Catalog::from_json(r#"{"releases": [
//!   {"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"},
//!   {"version": "v66000", "min_sw_version": "v65000"}]}"#).unwrap();
//! let target = catalog.parse_version("v66000").unwrap();
//! let table = CampaignTable::build(&catalog, &target, None, None, Cost::Hops).unwrap();
//! let device = catalog.parse_version("64000").unwrap();
//! assert_eq!(table.next_hop(device.key()).unwrap().unwrap().as_str(), "v65000");
//! assert_eq!(table.next_hop(target.key()).unwrap(), None);
//! ```

use alloc::vec::Vec;
use core::fmt;

use crate::catalog::Catalog;
use crate::error::ErrorCode;
use crate::plan::sweep::{self, Filter};
use crate::plan::{Cost, PlanError, Query, precheck};
use crate::version::{Version, VersionKey};

const DONE: u32 = u32::MAX;
const UNREACHABLE: u32 = u32::MAX - 1;
const DOWNGRADE: u32 = u32::MAX - 2;
const MISSING_SIZE: u32 = u32::MAX - 3;

/// Why a campaign table gives a device no hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// No chain of installs reaches the target (`plan` names the blocker).
    #[error("no path to the target")]
    Unreachable,
    /// The device is above the target and downgrades are not allowed.
    #[error("the target is below the device's version; downgrades are not allowed")]
    Downgrade,
    /// Planning by bytes, a release on the way has no size.
    #[error("cannot plan by bytes: a release on the way has no size")]
    MissingSize,
}

impl ErrorCode for Refusal {
    fn code(&self) -> &'static str {
        match self {
            Refusal::Unreachable => "plan.unreachable",
            Refusal::Downgrade => "plan.downgrade",
            Refusal::MissingSize => "plan.missing_size",
        }
    }
}

/// Precomputed first hops toward one target for one model and environment.
#[derive(Debug, Clone)]
pub struct CampaignTable {
    target: Version,
    points: Vec<VersionKey>,
    /// The same points as integers, when the scheme is `integer`: the fast path.
    integers: Option<Vec<u64>>,
    /// Per slot: an index into `releases`, or one of the codes above.
    answers: Vec<u32>,
    releases: Vec<Version>,
    allow_downgrade: bool,
}

impl CampaignTable {
    /// Builds the table toward `target` for devices of `model` in `environment` (`None`:
    /// devices that do not say).
    ///
    /// Fails as [`crate::plan::plan`] fails for the target itself: not in the catalog, yanked,
    /// not for this model or environment.
    pub fn build(
        catalog: &Catalog,
        target: &Version,
        model: Option<&str>,
        environment: Option<&str>,
        cost: Cost,
    ) -> Result<CampaignTable, PlanError> {
        // The target checks are the planner's own (asked for a device already at the target,
        // so nothing else is checked).
        let mut q = Query::new(target.clone(), target.clone()).cost(cost);
        q.model = model.map(Into::into);
        q.environment = environment.map(Into::into);
        precheck(catalog, &q)?;
        let t = catalog
            .index_of(target.key())
            .ok_or_else(|| PlanError::UnknownTarget {
                target: target.as_str().into(),
            })?;
        let filter = Filter { model, environment };
        let sw = sweep::run(catalog, filter, t, cost, &[], None);
        let target_slot = sw.slots.of(target.key());

        // Planning by bytes: below the highest eligible release without a size, refuse.
        let missing_below = match cost {
            Cost::Hops => 0,
            Cost::Bytes => catalog
                .releases()
                .get(..=t)
                .unwrap_or_default()
                .iter()
                .rev()
                .find(|r| filter.eligible(r) && r.size.is_none())
                .map_or(0, |r| sw.slots.of(r.version.key())),
        };

        let releases: Vec<Version> = catalog
            .releases()
            .get(..=t)
            .unwrap_or_default()
            .iter()
            .map(|r| r.version.clone())
            .collect();
        let answers = sw
            .best
            .iter()
            .enumerate()
            .map(|(slot, best)| {
                if slot == target_slot {
                    DONE
                } else if slot > target_slot {
                    DOWNGRADE
                } else if slot < missing_below {
                    MISSING_SIZE
                } else {
                    best.and_then(|b| b.next_index())
                        .map_or(UNREACHABLE, |i| i as u32)
                }
            })
            .collect();
        let points = sw.slots.points;
        let integers = points.iter().map(VersionKey::as_integer).collect();
        Ok(CampaignTable {
            target: target.clone(),
            points,
            integers,
            answers,
            releases,
            allow_downgrade: false,
        })
    }

    /// Lets devices above the target go straight down to it.
    pub fn allow_downgrade(mut self, allow: bool) -> CampaignTable {
        self.allow_downgrade = allow;
        self
    }

    /// The target.
    pub fn target(&self) -> &Version {
        &self.target
    }

    fn slot(&self, key: &VersionKey) -> usize {
        let found = match (&self.integers, key) {
            (Some(ints), VersionKey::Integer(n)) => ints.binary_search(n),
            _ => self.points.binary_search(key),
        };
        match found {
            Ok(i) => 2 * i + 1,
            Err(i) => 2 * i,
        }
    }

    /// The next release for a device at `version` (`None`: it is at the target).
    pub fn next_hop(&self, version: &VersionKey) -> Result<Option<&Version>, Refusal> {
        match self
            .answers
            .get(self.slot(version))
            .copied()
            .unwrap_or(UNREACHABLE)
        {
            DONE => Ok(None),
            DOWNGRADE if self.allow_downgrade => Ok(Some(&self.target)),
            DOWNGRADE => Err(Refusal::Downgrade),
            MISSING_SIZE => Err(Refusal::MissingSize),
            UNREACHABLE => Err(Refusal::Unreachable),
            i => self
                .releases
                .get(i as usize)
                .map(Some)
                .ok_or(Refusal::Unreachable),
        }
    }

    /// The next hop for a device whose version is an integer build number (integer scheme),
    /// with no allocation at all: the bulk path for millions of devices.
    pub fn next_hop_integer(&self, version: u64) -> Result<Option<&Version>, Refusal> {
        self.next_hop(&VersionKey::Integer(version))
    }

    /// Number of slots held (memory is a few words per slot).
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether the table is empty (never, once built).
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

impl fmt::Display for CampaignTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "campaign table toward {} ({} slots)",
            self.target,
            self.answers.len()
        )
    }
}
