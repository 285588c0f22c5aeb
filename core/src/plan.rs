//! Update paths: a device's best route from its version to a target through the required
//! stepping stones.
//!
//! A device at `c` (which need not be in the catalog) may install release `r` iff `r` is not
//! yanked, fits the device's model and environment (filters apply only when the device states
//! them), `c < r`, `c >= r.min_sw_version` when set, `c >= b` for every barrier `b < r`, `c`
//! is not in `r.blocked_from`, and `c` is not a dead-end release.
//!
//! The best path has (1) the lowest cost, [`Cost::Hops`] (installs) or [`Cost::Bytes`]
//! (downloads: the delta from the previous version when the catalog has one, else the full
//! size), then (2) the fewest hops, then (3) at the first hop where two paths differ, the higher
//! version. Rule 3 makes following [`next_hop`] again and again walk exactly the best path.
//!
//! ```
//! use stepstone::catalog::Catalog;
//! use stepstone::plan::{plan, next_hop, Query};
//! let catalog = Catalog::from_json(r#"{"releases": [
//!   {"version": "v64000"},
//!   {"version": "v65000", "min_sw_version": "v64000"},
//!   {"version": "v66000", "min_sw_version": "v65000"},
//!   {"version": "v66001", "min_sw_version": "v66000"},
//!   {"version": "v66002", "min_sw_version": "v66000"},
//!   {"version": "v66003", "min_sw_version": "v66000"},
//!   {"version": "v67000", "min_sw_version": "v66003"}]}"#).unwrap();
//! let q = Query::parse(&catalog, "v64000", "v67000").unwrap();
//! let p = plan(&catalog, &q).unwrap();
//! let path: Vec<&str> = p.path.iter().map(|v| v.as_str()).collect();
//! assert_eq!(path, ["v65000", "v66000", "v66003", "v67000"]);
//! assert_eq!(next_hop(&catalog, &q).unwrap().unwrap().as_str(), "v65000");
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use crate::catalog::{Catalog, Release};
use crate::error::{ErrorCode, Quoted};
use crate::text::text;
use crate::version::{Version, VersionError};

pub(crate) mod reach;
pub(crate) mod sweep;

pub use reach::Blocker;
use sweep::Filter;

/// What the planner minimises first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Cost {
    /// Number of installs (the default).
    #[default]
    Hops,
    /// Bytes downloaded (deltas where the catalog has them).
    Bytes,
}

impl Cost {
    /// `hops` or `bytes`.
    pub const fn name(self) -> &'static str {
        match self {
            Cost::Hops => "hops",
            Cost::Bytes => "bytes",
        }
    }
}

impl FromStr for Cost {
    type Err = PlanError;
    fn from_str(s: &str) -> Result<Cost, PlanError> {
        match s {
            "hops" => Ok(Cost::Hops),
            "bytes" => Ok(Cost::Bytes),
            other => Err(PlanError::UnknownCost {
                value: crate::error::clip(other),
            }),
        }
    }
}

/// A planning question: from where, to where, for which device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The device's current version (need not be in the catalog).
    pub from: Version,
    /// The target release.
    pub to: Version,
    /// The device's model, if it states one.
    pub model: Option<String>,
    /// The device's environment, if it states one.
    pub environment: Option<String>,
    /// What to minimise.
    pub cost: Cost,
    /// Whether a target below the current version may be installed (directly).
    pub allow_downgrade: bool,
}

impl Query {
    /// A query with no model, no environment, by hops, no downgrade.
    pub fn new(from: Version, to: Version) -> Query {
        Query {
            from,
            to,
            model: None,
            environment: None,
            cost: Cost::Hops,
            allow_downgrade: false,
        }
    }

    /// Parses both versions in the catalog's scheme.
    pub fn parse(catalog: &Catalog, from: &str, to: &str) -> Result<Query, VersionError> {
        Ok(Query::new(
            catalog.parse_version(from)?,
            catalog.parse_version(to)?,
        ))
    }

    /// Sets the model.
    pub fn model(mut self, model: impl Into<String>) -> Query {
        self.model = Some(model.into());
        self
    }

    /// Sets the environment.
    pub fn environment(mut self, environment: impl Into<String>) -> Query {
        self.environment = Some(environment.into());
        self
    }

    /// Sets the cost.
    pub fn cost(mut self, cost: Cost) -> Query {
        self.cost = cost;
        self
    }

    /// Allows or forbids downgrades.
    pub fn allow_downgrade(mut self, allow: bool) -> Query {
        self.allow_downgrade = allow;
        self
    }

    pub(crate) fn filter(&self) -> Filter<'_> {
        Filter {
            model: self.model.as_deref(),
            environment: self.environment.as_deref(),
        }
    }
}

/// One install on a path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Step {
    /// The release installed.
    pub version: Version,
    /// Bytes downloaded for this hop (`None` when the release has no size and no delta).
    pub bytes: Option<u64>,
    /// The base of the delta used, if the hop downloads a delta.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub delta_from: Option<Version>,
}

/// The best path: the releases to install, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Plan {
    /// Versions to install, in order, ending at the target (empty: already there).
    pub path: Vec<Version>,
    /// Number of installs.
    pub hops: usize,
    /// Bytes downloaded along the path (`None` if a hop has no known size).
    pub bytes: Option<u64>,
    /// Each install with its download.
    pub steps: Vec<Step>,
}

impl Plan {
    /// The plan's JSON form, `{"path", "hops", "bytes", "steps": [{"version", "bytes",
    /// "delta_from"?}]}` (`bytes` `null` when unknown), the text every binding and the CLI
    /// give: byte for byte what `serde_json::to_string` writes for it (feature `serde`), without
    /// serde.
    ///
    /// ```
    /// use stepstone::catalog::Catalog;
    /// use stepstone::plan::{plan, Query};
    /// let catalog = Catalog::from_json(r#"{"releases": [
    ///   {"version": "v1"}, {"version": "v2", "size": 100}]}"#).unwrap();
    /// let p = plan(&catalog, &Query::parse(&catalog, "v1", "v2").unwrap()).unwrap();
    /// assert_eq!(p.to_json(),
    ///     r#"{"path":["v2"],"hops":1,"bytes":100,"steps":[{"version":"v2","bytes":100}]}"#);
    /// ```
    pub fn to_json(&self) -> String {
        let mut w = crate::json_write::Writer::compact();
        // About 60 bytes a hop (its version in `path`, its step); grows past it if need be.
        w.reserve(64 + 64 * self.path.len());
        self.write_json(&mut w);
        w.finish()
    }

    pub(crate) fn write_json(&self, w: &mut crate::json_write::Writer) {
        w.begin_object();
        w.field_strings("path", self.path.iter().map(Version::as_str));
        w.key("hops");
        w.u64(self.hops as u64);
        w.key("bytes");
        w.opt_u64(self.bytes);
        w.key("steps");
        w.begin_array();
        for step in &self.steps {
            w.begin_object();
            w.field_str("version", step.version.as_str());
            w.key("bytes");
            w.opt_u64(step.bytes);
            if let Some(base) = &step.delta_from {
                w.field_str("delta_from", base.as_str());
            }
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }

    fn from_steps(steps: Vec<Step>) -> Plan {
        let bytes = steps
            .iter()
            .try_fold(0u64, |acc, s| Some(acc.saturating_add(s.bytes?)));
        Plan {
            path: steps.iter().map(|s| s.version.clone()).collect(),
            hops: steps.len(),
            bytes,
            steps,
        }
    }
}

/// Why no plan can be given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanError {
    /// The target is not a release of the catalog.
    UnknownTarget {
        /// The target.
        target: String,
    },
    /// The target is yanked.
    TargetYanked {
        /// The target.
        target: String,
    },
    /// The target is not for the device's model.
    TargetNotForModel {
        /// The target.
        target: String,
        /// The device's model; empty when the question stated none (then the target's list of
        /// models is empty: it is for no model).
        model: String,
    },
    /// The target is not for the device's environment.
    TargetNotForEnvironment {
        /// The target.
        target: String,
        /// The device's environment; empty when the question stated none (then the target's
        /// list of environments is empty).
        environment: String,
    },
    /// The target is below the current version and downgrades are not allowed.
    Downgrade {
        /// The current version.
        from: String,
        /// The target.
        target: String,
    },
    /// Planning by bytes, a release that could be installed has neither size nor delta.
    MissingSize {
        /// The release without a size.
        release: String,
    },
    /// No chain of installs reaches the target.
    Unreachable {
        /// The current version.
        from: String,
        /// The target.
        target: String,
        /// What blocks it.
        blocker: alloc::boxed::Box<Blocker>,
    },
    /// A cost name other than `hops` or `bytes`.
    UnknownCost {
        /// The value given.
        value: String,
    },
    /// No model stated, and the catalog's answers differ by model.
    ModelRequired {
        /// The catalog's models, listed.
        models: String,
    },
    /// No environment stated, and the catalog's answers differ by environment.
    EnvironmentRequired {
        /// The catalog's environments, listed.
        environments: String,
    },
    /// A model no release of the catalog names.
    UnknownModel {
        /// The model given.
        model: String,
        /// The catalog's models, listed.
        known: String,
    },
    /// An environment no release of the catalog names.
    UnknownEnvironment {
        /// The environment given.
        environment: String,
        /// The catalog's environments, listed.
        known: String,
    },
}

impl PlanError {
    /// The message [`Display`](core::fmt::Display) shows, built without `core::fmt` (the plan
    /// WASM module links none for it).
    ///
    /// ```
    /// use stepstone::plan::PlanError;
    /// let e = PlanError::TargetYanked { target: "v66001".into() };
    /// assert_eq!(e.message(), "target v66001 is yanked");
    /// assert_eq!(e.message(), e.to_string());
    /// ```
    pub fn message(&self) -> String {
        match self {
            PlanError::UnknownTarget { target } => {
                text!("target ", target, " is not in the catalog")
            }
            PlanError::TargetYanked { target } => text!("target ", target, " is yanked"),
            // No model stated: the target's list is empty, it is for no model at all.
            PlanError::TargetNotForModel { target, model } if model.is_empty() => {
                text!(
                    "target ",
                    target,
                    " is for no model (its models list is empty)"
                )
            }
            PlanError::TargetNotForModel { target, model } => {
                text!("target ", target, " is not for model ", Quoted(model))
            }
            PlanError::TargetNotForEnvironment {
                target,
                environment,
            } if environment.is_empty() => text!(
                "target ",
                target,
                " is for no environment (its environments list is empty)"
            ),
            PlanError::TargetNotForEnvironment {
                target,
                environment,
            } => text!(
                "target ",
                target,
                " is not for environment ",
                Quoted(environment)
            ),
            PlanError::Downgrade { from, target } => text!(
                "target ",
                target,
                " is below the current version ",
                from,
                "; downgrades are not allowed"
            ),
            PlanError::MissingSize { release } => {
                text!("cannot plan by bytes: release ", release, " has no size")
            }
            PlanError::Unreachable {
                from,
                target,
                blocker,
            } => {
                let mut m = text!("no path from ", from, " to ", target, ": ");
                blocker.push_message(&mut m);
                m
            }
            PlanError::UnknownCost { value } => {
                text!("unknown cost ", Quoted(value), " (expected hops or bytes)")
            }
            PlanError::ModelRequired { models } => text!(
                "this catalog's releases differ by model (",
                models,
                "): state the device's model"
            ),
            PlanError::EnvironmentRequired { environments } => text!(
                "this catalog's releases differ by environment (",
                environments,
                "): state the device's environment"
            ),
            PlanError::UnknownModel { model, known } => text!(
                "unknown model ",
                Quoted(model),
                ": the catalog's releases name ",
                known
            ),
            PlanError::UnknownEnvironment { environment, known } => text!(
                "unknown environment ",
                Quoted(environment),
                ": the catalog's releases name ",
                known
            ),
        }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for PlanError {}

impl ErrorCode for PlanError {
    fn code(&self) -> &'static str {
        use crate::error::codes;
        match self {
            PlanError::UnknownTarget { .. } => codes::PLAN_UNKNOWN_TARGET.as_str(),
            PlanError::TargetYanked { .. } => codes::PLAN_TARGET_YANKED.as_str(),
            PlanError::TargetNotForModel { .. } => codes::PLAN_TARGET_MODEL.as_str(),
            PlanError::TargetNotForEnvironment { .. } => codes::PLAN_TARGET_ENVIRONMENT.as_str(),
            PlanError::Downgrade { .. } => codes::PLAN_DOWNGRADE.as_str(),
            PlanError::MissingSize { .. } => codes::PLAN_MISSING_SIZE.as_str(),
            PlanError::Unreachable { .. } => codes::PLAN_UNREACHABLE.as_str(),
            PlanError::UnknownCost { .. } => codes::PLAN_UNKNOWN_COST.as_str(),
            PlanError::ModelRequired { .. } => codes::PLAN_MODEL_REQUIRED.as_str(),
            PlanError::EnvironmentRequired { .. } => codes::PLAN_ENVIRONMENT_REQUIRED.as_str(),
            PlanError::UnknownModel { .. } => codes::PLAN_UNKNOWN_MODEL.as_str(),
            PlanError::UnknownEnvironment { .. } => codes::PLAN_UNKNOWN_ENVIRONMENT.as_str(),
        }
    }
}

/// What the prechecks decided before any sweep.
pub(crate) enum Start {
    /// The answer needs no sweep: already there, or a downgrade.
    Done(Plan),
    /// Sweep toward this release index.
    Sweep(usize),
}

/// The checks every plan starts with: the target exists and fits, and the easy answers.
pub(crate) fn precheck(catalog: &Catalog, q: &Query) -> Result<Start, PlanError> {
    catalog.check_device(q.model.as_deref(), q.environment.as_deref())?;
    let target = || q.to.as_str().into();
    let t = catalog
        .index_of(q.to.key())
        .ok_or_else(|| PlanError::UnknownTarget { target: target() })?;
    let release = catalog
        .releases()
        .get(t)
        .ok_or_else(|| PlanError::UnknownTarget { target: target() })?;
    if release.yanked {
        return Err(PlanError::TargetYanked { target: target() });
    }
    // With no model stated, only a release whose list is empty fails here: it is for no model.
    if !release.fits_model(q.model.as_deref()) {
        return Err(PlanError::TargetNotForModel {
            target: target(),
            model: q.model.clone().unwrap_or_default(),
        });
    }
    if !release.fits_environment(q.environment.as_deref()) {
        return Err(PlanError::TargetNotForEnvironment {
            target: target(),
            environment: q.environment.clone().unwrap_or_default(),
        });
    }
    if q.from == q.to {
        return Ok(Start::Done(Plan::from_steps(Vec::new())));
    }
    if q.to < q.from {
        if !q.allow_downgrade {
            return Err(PlanError::Downgrade {
                from: q.from.as_str().into(),
                target: target(),
            });
        }
        return Ok(Start::Done(Plan::from_steps(alloc::vec![step(
            &q.from, release
        )])));
    }
    if q.cost == Cost::Bytes {
        let filter = q.filter();
        let first = catalog.releases().partition_point(|r| r.version <= q.from);
        let range = catalog.releases().get(first..=t).unwrap_or_default();
        if let Some(r) = range
            .iter()
            .find(|r| filter.eligible(r) && r.size.is_none())
        {
            return Err(PlanError::MissingSize {
                release: r.version.as_str().into(),
            });
        }
    }
    Ok(Start::Sweep(t))
}

/// The hop from `from` to `release`: the delta if there is one, else the full image.
fn step(from: &Version, release: &Release) -> Step {
    match release.delta_from(from.key()) {
        Some(d) => Step {
            version: release.version.clone(),
            bytes: Some(d.size),
            delta_from: Some(d.from.clone()),
        },
        None => Step {
            version: release.version.clone(),
            bytes: release.size,
            delta_from: None,
        },
    }
}

/// Follows first hops from `from` through a finished sweep.
pub(crate) fn walk(catalog: &Catalog, sw: &sweep::Sweep, from: &Version) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut at = from.clone();
    let mut best = sw.at(from.key())?;
    while let Some(i) = best.next_index() {
        let r = catalog.releases().get(i)?;
        // A delta, where the catalog has one for this hop, is what the device downloads.
        steps.push(step(&at, r));
        at = r.version.clone();
        best = sw.at(at.key())?;
    }
    Some(steps)
}

/// The best path for the query.
pub fn plan(catalog: &Catalog, query: &Query) -> Result<Plan, PlanError> {
    let t = match precheck(catalog, query)? {
        Start::Done(p) => return Ok(p),
        Start::Sweep(t) => t,
    };
    let sw = sweep::run(
        catalog,
        query.filter(),
        t,
        query.cost,
        &[query.from.key()],
        Some(query.from.key()),
    );
    match walk(catalog, &sw, &query.from) {
        Some(steps) => Ok(Plan::from_steps(steps)),
        None => Err(PlanError::Unreachable {
            from: query.from.as_str().into(),
            target: query.to.as_str().into(),
            blocker: alloc::boxed::Box::new(reach::blocker(catalog, query, t)),
        }),
    }
}

/// The first hop of the best path (`None`: already at the target).
pub fn next_hop(catalog: &Catalog, query: &Query) -> Result<Option<Version>, PlanError> {
    Ok(plan(catalog, query)?.path.into_iter().next())
}

impl fmt::Display for Plan {
    /// `v64000 → v65000 → …` needs the start; this prints the installs only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.path.iter().enumerate() {
            if i > 0 {
                f.write_str(" → ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests;
