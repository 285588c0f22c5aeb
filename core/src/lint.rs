//! Catalog lint: what would strand devices, found before the catalog is published.
//!
//! A catalog can be valid and still be wrong: Fedora CoreOS once had to dead-end a release
//! because a barrier would have forced devices back. [`lint`] reports, each as a [`Warning`]
//! with a stable code:
//!
//! | code | what |
//! |---|---|
//! | `lint.unreachable` | a release no device can reach from the oldest release of its model (and environment) |
//! | `lint.yanked_stepping_stone` | a yanked release that is a barrier or another release's `min_sw_version` |
//! | `lint.stepping_stone_model` | a stepping stone not for every model (or environment) of a release that needs it |
//! | `lint.no_model` | a release for no model or no environment (`models: []`) |
//! | `lint.dead_end` | a release, not the newest, that no automatic update leaves |
//! | `lint.delta_unknown_base` | a delta from a version that is not in the catalog |
//! | `lint.min_sw_unknown` | a `min_sw_version` that names no release |
//! | `lint.delta_not_smaller` | a delta at least as large as the full image |
//!
//! ```
//! use stepstone::catalog::Catalog;
//! use stepstone::lint::lint;
//! let catalog = Catalog::from_json(r#"{"releases": [
//!   {"version": "v64000"},
//!   {"version": "v65000", "min_sw_version": "v64000", "yanked": true},
//!   {"version": "v66000", "min_sw_version": "v65000"}]}"#).unwrap();
//! let codes: Vec<_> = lint(&catalog).iter().map(|w| w.code).collect();
//! assert_eq!(codes, ["lint.unreachable", "lint.yanked_stepping_stone", "lint.dead_end"]);
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::catalog::{Catalog, Release};
use crate::plan::reach::{WhyNot, reach};
use crate::plan::sweep::{Filter, lower_bounds};
use crate::text::text;
use crate::version::VersionKey;

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Warning {
    /// Stable code (`lint.unreachable`, ...).
    pub code: &'static str,
    /// The release it is about.
    pub release: String,
    /// What is wrong, naming versions.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Lint findings as JSON, `[{"code", "release", "message"}]`: byte for byte what
/// `serde_json::to_string` writes for them (feature `serde`), without serde.
///
/// ```
/// use stepstone::catalog::Catalog;
/// use stepstone::lint::{lint, to_json};
/// let catalog = Catalog::from_json(r#"{"releases": [{"version": "v1"}, {"version": "v2"}]}"#).unwrap();
/// assert_eq!(to_json(&lint(&catalog)), "[]");
/// ```
pub fn to_json(warnings: &[Warning]) -> String {
    let mut w = crate::json_write::Writer::compact();
    w.begin_array();
    for warning in warnings {
        w.begin_object();
        w.field_str("code", warning.code);
        w.field_str("release", &warning.release);
        w.field_str("message", &warning.message);
        w.end_object();
    }
    w.end_array();
    w.finish()
}

/// Every lint finding for `catalog`, in the order of the checks: unreachable releases, stepping
/// stones and empty model or environment lists, dead ends, references; each check goes through
/// the releases in version order.
pub fn lint(catalog: &Catalog) -> Vec<Warning> {
    let mut out = Vec::new();
    unreachable(catalog, &mut out);
    stepping_stones(catalog, &mut out);
    dead_ends(catalog, &mut out);
    references(catalog, &mut out);
    out
}

fn warn(out: &mut Vec<Warning>, code: &'static str, r: &Release, message: String) {
    out.push(Warning {
        code,
        release: r.version.as_str().into(),
        message,
    });
}

/// The values a catalog names for one dimension (models or environments: the catalog's own
/// sorted list, [`Catalog::models`] or [`Catalog::environments`]); `[None]` when it names none.
fn dimension(names: &[String]) -> Vec<Option<&str>> {
    if names.is_empty() {
        alloc::vec![None]
    } else {
        names.iter().map(|n| Some(n.as_str())).collect()
    }
}

fn unreachable(catalog: &Catalog, out: &mut Vec<Warning>) {
    let models = dimension(catalog.models());
    let envs = dimension(catalog.environments());
    let releases = catalog.releases();
    // release index -> (device kinds that cannot reach it, reason for the first)
    let mut stranded: Vec<(Vec<String>, Option<String>, Option<usize>)> =
        alloc::vec![(Vec::new(), None, None); releases.len()];
    for &model in &models {
        for &environment in &envs {
            let filter = Filter { model, environment };
            let fits = |r: &Release| r.fits_model(model) && r.fits_environment(environment);
            let Some(start) = releases.iter().position(fits) else {
                continue;
            };
            let Some(start_release) = releases.get(start) else {
                continue;
            };
            let last = releases.len().saturating_sub(1);
            let reached = reach(catalog, filter, start_release.version.key(), last);
            let mut why = WhyNot::new(catalog, filter, &reached);
            for (i, r) in releases.iter().enumerate().skip(start + 1) {
                if !filter.eligible(r) || reached.reachable.get(i).copied().unwrap_or(true) {
                    continue;
                }
                let Some(entry) = stranded.get_mut(i) else {
                    continue;
                };
                let who = match (model, environment) {
                    (Some(m), Some(e)) => text!("model ", m, " in ", e),
                    (Some(m), None) => text!("model ", m),
                    (None, Some(e)) => text!("environment ", e),
                    (None, None) => String::from("any device"),
                };
                entry.0.push(who);
                if entry.1.is_none() {
                    entry.1 = Some(why.of(i).message());
                    entry.2 = Some(start);
                }
            }
        }
    }
    for (r, (who, why, start)) in releases.iter().zip(stranded) {
        if who.is_empty() {
            continue;
        }
        let from = start
            .and_then(|s| releases.get(s))
            .map_or("", |s| s.version.as_str());
        let why = why.unwrap_or_default();
        warn(
            out,
            "lint.unreachable",
            r,
            text!(
                r.version,
                " cannot be reached from ",
                from,
                ", the oldest release, for ",
                crate::text::join(&who, ", "),
                ": ",
                why
            ),
        );
    }
}

/// Models (or environments) that devices below some point can have: `None` means "any"
/// (a release for every model lies below).
///
/// The names are a sorted vector without repeats (smaller code than a `BTreeSet` in the WASM
/// module).
#[derive(Default)]
struct Seen<'c> {
    any: bool,
    some: Vec<&'c str>,
}

impl<'c> Seen<'c> {
    fn add(&mut self, list: Option<&'c Vec<String>>) {
        match list {
            None => self.any = true,
            Some(l) => {
                for name in l {
                    if let Err(at) = self.some.binary_search(&name.as_str()) {
                        self.some.insert(at, name);
                    }
                }
            }
        }
    }

    fn contains(&self, m: &str) -> bool {
        self.any || self.some.binary_search(&m).is_ok()
    }
}

fn stepping_stones(catalog: &Catalog, out: &mut Vec<Warning>) {
    let releases = catalog.releases();
    let all_models = dimension(catalog.models());
    let all_envs = dimension(catalog.environments());
    // Releases that name each version as their min_sw_version.
    // Sorted by version, each version's releases in catalog order (a stable sort).
    let unsorted: Vec<(&VersionKey, &Release)> = releases
        .iter()
        .filter(|r| !r.yanked)
        .filter_map(|r| Some((r.min_sw_version.as_ref()?.key(), r)))
        .collect();
    let order = crate::catalog::stable_order(unsorted.len(), &|a, b| {
        let key = |i: usize| unsorted.get(i).map(|e| e.0);
        key(a).cmp(&key(b))
    });
    let needed_by: Vec<(&VersionKey, &Release)> = order
        .iter()
        .filter_map(|&i| unsorted.get(i).copied())
        .collect();
    let (mut models_below, mut envs_below) = (Seen::default(), Seen::default());
    for (i, stone) in releases.iter().enumerate() {
        if stone.models.as_ref().is_some_and(Vec::is_empty)
            || stone.environments.as_ref().is_some_and(Vec::is_empty)
        {
            warn(
                out,
                "lint.no_model",
                stone,
                text!(
                    stone.version,
                    " is for no model or no environment: no device can install it"
                ),
            );
        }
        // The non-yanked releases that need this one: as min_sw_version, or (a barrier) the
        // releases above it up to the next barrier.
        let key = stone.version.key();
        let first_needer = needed_by.partition_point(|(k, _)| *k < key);
        let mut needers: Vec<&Release> = needed_by[first_needer..]
            .iter()
            .take_while(|(k, _)| *k == key)
            .map(|(_, r)| *r)
            .collect();
        if stone.barrier {
            let above = releases.iter().skip(i + 1);
            let mut until_next = Vec::new();
            for r in above {
                if !r.yanked {
                    until_next.push(r);
                }
                if r.barrier {
                    break;
                }
            }
            needers.extend(until_next);
        }
        if let Some(first) = needers.first() {
            let what = if stone.barrier {
                "a barrier"
            } else {
                "a min_sw_version"
            };
            if stone.yanked {
                warn(
                    out,
                    "lint.yanked_stepping_stone",
                    stone,
                    text!(
                        stone.version,
                        " is yanked but is ",
                        what,
                        " that ",
                        first.version,
                        " needs: devices below it are stranded"
                    ),
                );
            } else {
                for (kind, stone_list, below, all, get) in [
                    (
                        "model",
                        stone.models.as_ref(),
                        &models_below,
                        &all_models,
                        (|r: &Release| r.models.as_ref()) as fn(&Release) -> Option<&Vec<String>>,
                    ),
                    (
                        "environment",
                        stone.environments.as_ref(),
                        &envs_below,
                        &all_envs,
                        |r: &Release| r.environments.as_ref(),
                    ),
                ] {
                    let Some(stone_list) = stone_list else {
                        continue;
                    };
                    // A gap matters only for devices that can be below the stone.
                    let missing = needers.iter().find_map(|r| {
                        let wanted: Vec<&str> = match get(r) {
                            Some(l) => l.iter().map(String::as_str).collect(),
                            None => all.iter().flatten().copied().collect(),
                        };
                        let gap: Vec<&str> = wanted
                            .into_iter()
                            .filter(|m| !stone_list.iter().any(|s| s == m) && below.contains(m))
                            .collect();
                        (!gap.is_empty()).then(|| (r.version.clone(), gap))
                    });
                    if let Some((needer, gap)) = missing {
                        warn(
                            out,
                            "lint.stepping_stone_model",
                            stone,
                            text!(
                                stone.version,
                                " is ",
                                what,
                                " that ",
                                needer,
                                " needs, but is not for ",
                                kind,
                                ' ',
                                crate::text::join(&gap, ", ")
                            ),
                        );
                    }
                }
            }
        }
        models_below.add(stone.models.as_ref());
        envs_below.add(stone.environments.as_ref());
    }
}

fn dead_ends(catalog: &Catalog, out: &mut Vec<Warning>) {
    let releases = catalog.releases();
    let lower = lower_bounds(catalog);
    let Some(newest) = releases.iter().rposition(|r| !r.yanked) else {
        return;
    };
    for (p, r) in releases.iter().enumerate().take(newest) {
        if r.deadend {
            warn(
                out,
                "lint.dead_end",
                r,
                text!(
                    r.version,
                    " is marked deadend: devices on it never update automatically"
                ),
            );
            continue;
        }
        let leaves = releases.iter().enumerate().skip(p + 1).any(|(i, next)| {
            !next.yanked
                && lower
                    .get(i)
                    .copied()
                    .flatten()
                    .is_none_or(|l| l <= r.version.key())
                && !next.is_blocked_from(r.version.key())
        });
        if !leaves {
            warn(
                out,
                "lint.dead_end",
                r,
                text!(
                    "nothing newer can be installed from ",
                    r.version,
                    ": devices on it are stranded"
                ),
            );
        }
    }
}

fn references(catalog: &Catalog, out: &mut Vec<Warning>) {
    for r in catalog.releases() {
        for d in &r.deltas {
            if catalog.get(d.from.key()).is_none() {
                warn(
                    out,
                    "lint.delta_unknown_base",
                    r,
                    text!(
                        r.version,
                        " has a delta from ",
                        d.from,
                        ", which is not in the catalog"
                    ),
                );
            }
            if r.size.is_some_and(|s| d.size >= s) {
                warn(
                    out,
                    "lint.delta_not_smaller",
                    r,
                    text!(
                        r.version,
                        "'s delta from ",
                        d.from,
                        " (",
                        d.size,
                        " bytes) is not smaller than the image"
                    ),
                );
            }
        }
        if let Some(m) = r
            .min_sw_version
            .as_ref()
            .filter(|m| catalog.get(m.key()).is_none())
        {
            warn(
                out,
                "lint.min_sw_unknown",
                r,
                text!(
                    r.version,
                    "'s min_sw_version ",
                    m,
                    " names no release in the catalog"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::FIGURE_1;
    use alloc::format;

    fn codes(json: &str) -> Vec<(&'static str, String)> {
        lint(&Catalog::from_json(json).unwrap())
            .into_iter()
            .map(|w| (w.code, w.release))
            .collect()
    }

    #[test]
    fn the_seed_catalog_is_clean() {
        assert_eq!(codes(FIGURE_1), []);
    }

    fn messages(json: &str) -> Vec<String> {
        lint(&Catalog::from_json(json).unwrap())
            .into_iter()
            .filter(|w| w.code == "lint.unreachable")
            .map(|w| w.message)
            .collect()
    }

    #[test]
    fn unreachable_names_the_dead_end_that_stops_the_path() {
        // The oldest release is a dead end. The old fallback named each stranded release as
        // its own dead end ("2 is a dead end"), and 3 only by its minimum.
        assert_eq!(
            messages(
                r#"{"releases": [{"version": "1", "deadend": true}, {"version": "2"}, {"version": "3", "min_sw_version": "2"}]}"#
            ),
            [
                "2 cannot be reached from 1, the oldest release, for any device: 1 is a dead end: no automatic update leaves it",
                "3 cannot be reached from 1, the oldest release, for any device: 1 is a dead end: no automatic update leaves it",
            ]
        );
    }

    #[test]
    fn unreachable_follows_a_chain_of_minimums_to_the_real_blocker() {
        // 5 needs 4 needs 3 needs 2, and 2 is yanked: the rule that stops the path is 3's.
        let chain = r#"{"releases": [{"version": "1"},
            {"version": "2", "min_sw_version": "1", "yanked": true},
            {"version": "3", "min_sw_version": "2"},
            {"version": "4", "min_sw_version": "3"},
            {"version": "5", "min_sw_version": "4"}]}"#;
        assert_eq!(
            messages(chain),
            [
                "3 cannot be reached from 1, the oldest release, for any device: 3 needs at least 2; nothing this device can install reaches it (2 is yanked)",
                "4 cannot be reached from 1, the oldest release, for any device: 4 needs at least 3, which this device cannot reach: 3 needs at least 2; nothing this device can install reaches it (2 is yanked)",
                "5 cannot be reached from 1, the oldest release, for any device: 5 needs at least 4, which this device cannot reach: 3 needs at least 2; nothing this device can install reaches it (2 is yanked)",
            ]
        );
        // Through a barrier, down to a dead end, and to a blocked_from edge.
        assert_eq!(
            messages(
                r#"{"releases": [{"version": "1"}, {"version": "2", "deadend": true},
                {"version": "3", "min_sw_version": "2"}, {"version": "4", "barrier": true, "min_sw_version": "3"},
                {"version": "5"}]}"#
            )
            .last()
            .map(String::as_str),
            Some(
                "5 cannot be reached from 1, the oldest release, for any device: 5 needs at least 4 (a barrier), which this device cannot reach: 2 is a dead end: no automatic update leaves it"
            )
        );
        assert_eq!(
            messages(
                r#"{"releases": [{"version": "1"}, {"version": "2", "blocked_from": ["1"]},
                {"version": "3", "min_sw_version": "2"}]}"#
            ),
            [
                "2 cannot be reached from 1, the oldest release, for any device: 2 may not be installed from 1 (blocked_from), and nothing else this device can install reaches it",
                "3 cannot be reached from 1, the oldest release, for any device: 3 needs at least 2, which this device cannot reach: 2 may not be installed from 1 (blocked_from), and nothing else this device can install reaches it",
            ]
        );
    }

    #[test]
    fn a_long_chain_is_explained_in_one_pass() {
        // 2000 releases, each needing the one before, above a yanked stone: every message
        // names the stone's rule, and the chain is walked once (this would be quadratic
        // per release otherwise).
        let mut json = String::from(
            r#"{"releases": [{"version": "1"}, {"version": "2", "yanked": true}, {"version": "3", "min_sw_version": "2"}"#,
        );
        for v in 4..2003 {
            json.push_str(&format!(
                r#", {{"version": "{v}", "min_sw_version": "{}"}}"#,
                v - 1
            ));
        }
        json.push_str("]}");
        let m = messages(&json);
        assert_eq!(m.len(), 2000);
        assert!(m.iter().skip(1).all(|w| w.ends_with(
            "which this device cannot reach: 3 needs at least 2; nothing this device can install reaches it (2 is yanked)"
        )));
    }

    #[test]
    fn every_finding() {
        let found = codes(
            r#"{"releases": [
            {"version": "1", "size": 10, "models": ["A", "B"]},
            {"version": "2", "min_sw_version": "1", "models": ["A"], "size": 10},
            {"version": "3", "min_sw_version": "2", "size": 10, "deltas": [{"from": "0", "size": 20}]},
            {"version": "4", "deadend": true},
            {"version": "5", "min_sw_version": "4", "models": []},
            {"version": "6", "barrier": true, "yanked": true},
            {"version": "7", "min_sw_version": "1"},
            {"version": "8", "min_sw_version": "6"}]}"#,
        );
        let want: Vec<(&str, String)> = [
            ("lint.unreachable", "3"),
            ("lint.unreachable", "7"),
            ("lint.unreachable", "8"),
            ("lint.stepping_stone_model", "2"),
            ("lint.dead_end", "4"),
            ("lint.dead_end", "5"),
            ("lint.no_model", "5"),
            ("lint.yanked_stepping_stone", "6"),
            ("lint.delta_unknown_base", "3"),
            ("lint.delta_not_smaller", "3"),
        ]
        .into_iter()
        .map(|(c, r)| (c, String::from(r)))
        .collect();
        let mut got = found.clone();
        got.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        assert_eq!(got, want_sorted, "{found:?}");
    }
}
