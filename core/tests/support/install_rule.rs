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

/// The device rule (issue 15, "safe defaults"), written out from the releases: `None` when the
/// catalog can place a device of `model` in `environment`, else the code it refuses with. On
/// each axis (models, then environments), the answers differ when the releases, yanked ones
/// included, do not all list the same set of names (a release that lists none is a set of its
/// own); then a device must state a name. When any release lists names, a stated name must be
/// one of them; a catalog that lists none takes any.
pub fn device_refusal(
    c: &Catalog,
    model: Option<&str>,
    environment: Option<&str>,
) -> Option<&'static str> {
    type Lists<'a> = Vec<Option<Vec<&'a str>>>;
    fn lists<'a>(c: &'a Catalog, pick: fn(&'a Release) -> &'a Option<Vec<String>>) -> Lists<'a> {
        c.releases()
            .iter()
            .map(|r| {
                pick(r).as_ref().map(|l| {
                    let mut l: Vec<&str> = l.iter().map(String::as_str).collect();
                    l.sort_unstable();
                    l.dedup();
                    l
                })
            })
            .collect()
    }
    fn check(
        lists: &Lists<'_>,
        name: Option<&str>,
        required: &'static str,
        unknown: &'static str,
    ) -> Option<&'static str> {
        let differ = lists.windows(2).any(|w| w[0] != w[1]);
        let named: Vec<&str> = lists.iter().flatten().flatten().copied().collect();
        match name {
            None if differ => Some(required),
            Some(n) if !named.is_empty() && !named.contains(&n) => Some(unknown),
            _ => None,
        }
    }
    check(
        &lists(c, |r| &r.models),
        model,
        "plan.model_required",
        "plan.unknown_model",
    )
    .or_else(|| {
        check(
            &lists(c, |r| &r.environments),
            environment,
            "plan.environment_required",
            "plan.unknown_environment",
        )
    })
}
