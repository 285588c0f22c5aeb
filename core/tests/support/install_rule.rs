//! the install rule (README, "Update paths"), written out directly (no sweep, no slots): the reference the
//! planner is checked against by `plan_oracle.rs` and the `plan` fuzz target.

use stepstone::catalog::{Catalog, Release};
use stepstone::plan::Query;
use stepstone::version::VersionKey;

/// Whether a device at `from` (with the query's model and environment) may install `r`.
pub fn installable(c: &Catalog, from: &VersionKey, r: &Release, q: &Query) -> bool {
    let barriers_ok = c
        .releases()
        .iter()
        .filter(|b| b.barrier && b.version < r.version)
        .all(|b| from >= b.version.key());
    !r.yanked
        && r.fits_model(q.model.as_deref())
        && r.fits_environment(q.environment.as_deref())
        && from < r.version.key()
        && r.min_sw_version.as_ref().is_none_or(|m| from >= m.key())
        && barriers_ok
        && !r.is_blocked_from(from)
        && !c.get(from).is_some_and(|x| x.deadend)
}
