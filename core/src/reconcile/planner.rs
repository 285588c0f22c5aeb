//! The planners `decide` can use: the catalog planner, campaign tables, and an index table.

use alloc::string::String;
use alloc::vec::Vec;

use crate::campaign::{CampaignTable, Refusal};
use crate::catalog::Catalog;
use crate::plan::{Cost, PlanError, Query, next_hop};
use crate::version::Version;

use super::decide::Planner;

/// Plans each question afresh with [`crate::plan::next_hop`]: for one-off decisions. For a
/// campaign over many devices, a [`CampaignTable`] (also a [`Planner`]) answers the same in
/// O(log n).
#[derive(Debug, Clone)]
pub struct CatalogPlanner<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The target release.
    pub target: Version,
    /// The device's model, if it states one.
    pub model: Option<String>,
    /// The device's environment, if it states one.
    pub environment: Option<String>,
    /// What the planner minimises.
    pub cost: Cost,
    /// Whether a device above the target may go down to it.
    pub allow_downgrade: bool,
}

impl<'a> CatalogPlanner<'a> {
    /// A planner toward `target` for devices that state no model or environment, by hops.
    pub fn new(catalog: &'a Catalog, target: Version) -> CatalogPlanner<'a> {
        CatalogPlanner {
            catalog,
            target,
            model: None,
            environment: None,
            cost: Cost::Hops,
            allow_downgrade: false,
        }
    }
}

impl Planner<Version> for CatalogPlanner<'_> {
    type Error = PlanError;

    fn next_hop(&self, from: &Version) -> Result<Option<Version>, PlanError> {
        let query = Query {
            from: from.clone(),
            to: self.target.clone(),
            model: self.model.clone(),
            environment: self.environment.clone(),
            cost: self.cost,
            allow_downgrade: self.allow_downgrade,
        };
        next_hop(self.catalog, &query)
    }

    fn spelling<'s>(&'s self, v: &'s Version) -> &'s str {
        v.as_str()
    }
}

impl Planner<Version> for CampaignTable {
    type Error = Refusal;

    fn next_hop(&self, from: &Version) -> Result<Option<Version>, Refusal> {
        CampaignTable::next_hop(self, from.key()).map(|v| v.cloned())
    }

    fn spelling<'s>(&'s self, v: &'s Version) -> &'s str {
        v.as_str()
    }
}

/// A campaign table over release *indices* (positions in [`Catalog::releases`], which are in
/// version order): versions as `u32`, one array lookup per question. What the fleet simulator
/// uses for millions of devices; built from a [`CampaignTable`], so it answers exactly what the
/// table answers for every release.
#[derive(Debug, Clone)]
pub struct IndexPlanner {
    next: Vec<Result<Option<u32>, Refusal>>,
    names: Vec<String>,
}

impl IndexPlanner {
    /// Asks `table` once for every release of `catalog`.
    pub fn from_table(catalog: &Catalog, table: &CampaignTable) -> IndexPlanner {
        let mut next = Vec::with_capacity(catalog.releases().len());
        let mut names = Vec::with_capacity(catalog.releases().len());
        for r in catalog.releases() {
            names.push(String::from(r.version.as_str()));
            let answer = table.next_hop(r.version.key()).and_then(|hop| match hop {
                None => Ok(None),
                Some(v) => catalog
                    .index_of(v.key())
                    .and_then(|i| u32::try_from(i).ok())
                    .map(Some)
                    .ok_or(Refusal::Unreachable),
            });
            next.push(answer);
        }
        IndexPlanner { next, names }
    }

    /// Number of releases.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the catalog had no releases.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

impl Planner<u32> for IndexPlanner {
    type Error = Refusal;

    fn next_hop(&self, from: &u32) -> Result<Option<u32>, Refusal> {
        self.next
            .get(*from as usize)
            .copied()
            .unwrap_or(Err(Refusal::Unreachable))
    }

    fn spelling<'s>(&'s self, v: &'s u32) -> &'s str {
        self.names.get(*v as usize).map_or("", String::as_str)
    }
}
