//! Forward reachability (which releases a device can get to at all) and the blocker named
//! when a target cannot be reached.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use super::Query;
use super::sweep::{Filter, lower_bounds};
use crate::catalog::Catalog;
use crate::text::{push_text, text};
use crate::version::VersionKey;

/// What stops every chain of installs from reaching a release.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Blocker {
    /// The device's version, or every version that could go on, is a dead end.
    DeadEnd {
        /// The dead-end release.
        release: String,
    },
    /// `release` needs at least `minimum` (its `min_sw_version`, or a barrier), and nothing the
    /// device can install reaches that.
    NeedsAtLeast {
        /// The release that cannot be installed.
        release: String,
        /// The version it needs at least.
        minimum: String,
        /// Whether the minimum comes from a barrier.
        barrier: bool,
        /// Why the minimum itself is out of reach, when that is simple to say.
        note: Option<String>,
    },
    /// Every version the device can reach that could install `release` is in its
    /// `blocked_from`.
    BlockedFrom {
        /// The release.
        release: String,
        /// The highest version it is blocked from.
        from: String,
    },
    /// `release` needs at least `minimum`, a release this device could install but cannot
    /// reach either; `cause` is what stops the chain below it (never itself this variant).
    NeedsUnreachable {
        /// The release that cannot be installed.
        release: String,
        /// The version it needs at least.
        minimum: String,
        /// Whether the minimum comes from a barrier.
        barrier: bool,
        /// The real blocker: the release whose rule stops every chain toward `minimum`.
        cause: alloc::boxed::Box<Blocker>,
    },
}

impl Blocker {
    /// Appends what [`Display`](core::fmt::Display) shows, built without `core::fmt`.
    pub(crate) fn push_message(&self, out: &mut String) {
        match self {
            Blocker::DeadEnd { release } => {
                push_text!(out; release, " is a dead end: no automatic update leaves it");
            }
            Blocker::NeedsAtLeast {
                release,
                minimum,
                barrier,
                note,
            } => {
                push_text!(out;
                    release,
                    " needs at least ",
                    minimum,
                    a_barrier(*barrier),
                    "; nothing this device can install reaches it"
                );
                if let Some(note) = note {
                    push_text!(out; " (", note, ')');
                }
            }
            Blocker::BlockedFrom { release, from } => push_text!(out;
                release,
                " may not be installed from ",
                from,
                " (blocked_from), and nothing else this device can install reaches it"
            ),
            Blocker::NeedsUnreachable {
                release,
                minimum,
                barrier,
                cause,
            } => {
                push_text!(out;
                    release,
                    " needs at least ",
                    minimum,
                    a_barrier(*barrier),
                    ", which this device cannot reach: "
                );
                cause.push_message(out);
            }
        }
    }

    /// What [`Display`](core::fmt::Display) shows, built without `core::fmt`.
    pub fn message(&self) -> String {
        let mut out = String::new();
        self.push_message(&mut out);
        out
    }
}

/// ` (a barrier)` when the minimum comes from a barrier.
fn a_barrier(barrier: bool) -> &'static str {
    if barrier { " (a barrier)" } else { "" }
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// Releases a device at `start` can reach by some chain of installs, up to and including
/// release index `upto`. Also returns the versions it can reach that it could go on from
/// (its own version first, then reachable releases that are not dead ends), ascending.
pub(crate) struct Reach<'c> {
    /// The version the chains start from.
    pub start: &'c VersionKey,
    pub reachable: Vec<bool>,
    pub open: Vec<&'c VersionKey>,
    pub dead: Vec<usize>,
}

pub(crate) fn reach<'c>(
    catalog: &'c Catalog,
    filter: Filter<'_>,
    start: &'c VersionKey,
    upto: usize,
) -> Reach<'c> {
    let releases = catalog.releases();
    let lower = lower_bounds(catalog);
    let mut out = Reach {
        start,
        reachable: vec![false; releases.len()],
        open: Vec::new(),
        dead: Vec::new(),
    };
    if catalog.get(start).is_some_and(|r| r.deadend) {
        return out;
    }
    out.open.push(start);
    let first = releases.partition_point(|r| r.version.key() <= start);
    for (i, r) in releases
        .iter()
        .enumerate()
        .take(upto.saturating_add(1))
        .skip(first)
    {
        if !filter.eligible(r) {
            continue;
        }
        let min = lower.get(i).copied().flatten();
        let lo = min.map_or(0, |m| out.open.partition_point(|k| *k < m));
        let ok = out
            .open
            .get(lo..)
            .unwrap_or_default()
            .iter()
            .rev()
            .any(|k| !r.is_blocked_from(k));
        if ok {
            if let Some(x) = out.reachable.get_mut(i) {
                *x = true;
            }
            if r.deadend {
                out.dead.push(i);
            } else {
                out.open.push(r.version.key());
            }
        }
    }
    out
}

/// Why release index `t` cannot be reached from the query's version.
pub(crate) fn blocker(catalog: &Catalog, q: &Query, t: usize) -> Blocker {
    let from = q.from.key();
    if catalog.get(from).is_some_and(|r| r.deadend) {
        return Blocker::DeadEnd {
            release: q.from.as_str().into(),
        };
    }
    let r = reach(catalog, q.filter(), from, t);
    WhyNot::new(catalog, q.filter(), &r).of(t)
}

/// What [`WhyNot::step`] found for one release.
enum Step {
    /// The blocker, final.
    Root(Blocker),
    /// The release needs at least release index `minimum`, which is eligible but unreachable
    /// too: the real blocker lies below it.
    Through {
        minimum: usize,
        release: String,
        minimum_text: String,
        barrier: bool,
    },
}

/// Why releases are not reachable, given one reachability result. A release whose minimum is
/// itself an unreachable release is explained by the blocker of that chain (the release whose
/// rule stops it), found once per chain and remembered, so explaining every release of a
/// catalog stays linear in the chains' length.
pub(crate) struct WhyNot<'a, 'c> {
    catalog: &'c Catalog,
    filter: Filter<'a>,
    reach: &'a Reach<'c>,
    lower: Vec<Option<&'c VersionKey>>,
    roots: Vec<Option<Blocker>>,
}

impl<'a, 'c> WhyNot<'a, 'c> {
    pub(crate) fn new(catalog: &'c Catalog, filter: Filter<'a>, reach: &'a Reach<'c>) -> Self {
        WhyNot {
            catalog,
            filter,
            reach,
            lower: lower_bounds(catalog),
            roots: vec![None; catalog.releases().len()],
        }
    }

    /// Whether release index `i` is reachable.
    pub(crate) fn reachable(&self, i: usize) -> bool {
        self.reach.reachable.get(i).copied().unwrap_or(false)
    }

    /// Why release index `t` is not reachable.
    pub(crate) fn of(&mut self, t: usize) -> Blocker {
        match self.step(t) {
            Step::Root(b) => b,
            Step::Through {
                minimum,
                release,
                minimum_text,
                barrier,
            } => Blocker::NeedsUnreachable {
                release,
                minimum: minimum_text,
                barrier,
                cause: alloc::boxed::Box::new(self.root(minimum)),
            },
        }
    }

    /// The blocker at the bottom of the chain of unreachable minimums from release index `m`.
    fn root(&mut self, m: usize) -> Blocker {
        let mut chain = Vec::new();
        let mut i = m;
        let root = loop {
            if let Some(Some(known)) = self.roots.get(i) {
                break known.clone();
            }
            chain.push(i);
            match self.step(i) {
                Step::Root(b) => break b,
                Step::Through { minimum, .. } => i = minimum,
            }
        };
        for i in chain {
            if let Some(slot) = self.roots.get_mut(i) {
                *slot = Some(root.clone());
            }
        }
        root
    }

    /// The immediate reason for release index `t`.
    fn step(&self, t: usize) -> Step {
        let (catalog, r) = (self.catalog, self.reach);
        let releases = catalog.releases();
        // The start is a dead end: nothing at all is reachable, whatever the target's rules.
        if r.open.is_empty() {
            return Step::Root(Blocker::DeadEnd {
                release: spell(catalog, r.start),
            });
        }
        let Some(target) = releases.get(t) else {
            return Step::Root(Blocker::DeadEnd {
                release: spell(catalog, r.start),
            });
        };
        let name = || String::from(target.version.as_str());
        let min = self.lower.get(t).copied().flatten();
        let key = target.version.key();
        let lo = min.map_or(0, |m| r.open.partition_point(|k| *k < m));
        let hi = r.open.partition_point(|k| *k < key);
        let candidates = r.open.get(lo..hi).unwrap_or_default();
        if let Some(highest) = candidates.last() {
            return Step::Root(Blocker::BlockedFrom {
                release: name(),
                from: spell(catalog, highest),
            });
        }
        let dead_above = r.dead.iter().rev().find(|&&d| {
            releases
                .get(d)
                .is_some_and(|x| x.version.key() < key && min.is_none_or(|m| x.version.key() >= m))
        });
        if let Some(&d) = dead_above
            && let Some(x) = releases.get(d)
        {
            return Step::Root(Blocker::DeadEnd {
                release: x.version.as_str().into(),
            });
        }
        // Without a minimum the start itself (in `open`, below every release a caller asks
        // about) would be a candidate; this is only reached for a start at or above `t`.
        let Some(min) = min else {
            return Step::Root(Blocker::DeadEnd {
                release: spell(catalog, r.start),
            });
        };
        let barrier = target.min_sw_version.as_ref().is_none_or(|m| m.key() < min);
        let filter = self.filter;
        let note = match catalog.get(min) {
            None => Some(text!(spell(catalog, min), " is not in the catalog")),
            Some(m) if m.yanked => Some(text!(m.version, " is yanked")),
            Some(m) if !m.fits_model(filter.model) => Some(text!(
                m.version,
                " is not for model ",
                filter.model.unwrap_or("")
            )),
            Some(m) if !m.fits_environment(filter.environment) => Some(text!(
                m.version,
                " is not for environment ",
                filter.environment.unwrap_or("")
            )),
            Some(m) if m.deadend => Some(text!(m.version, " is a dead end")),
            Some(_) => None,
        };
        // The minimum is a release this device could install, yet no chain reaches it: its
        // own blocker is the real one.
        if note.is_none()
            && let Some(m) = catalog.index_of(min)
            && m < t
            && !r.reachable.get(m).copied().unwrap_or(true)
        {
            return Step::Through {
                minimum: m,
                release: name(),
                minimum_text: spell(catalog, min),
                barrier,
            };
        }
        Step::Root(Blocker::NeedsAtLeast {
            release: name(),
            minimum: spell(catalog, min),
            barrier,
            note,
        })
    }
}

/// The catalog's spelling of a key (a release, a min_sw_version, or a delta base), else a
/// canonical rendering.
fn spell(catalog: &Catalog, key: &VersionKey) -> String {
    if let Some(r) = catalog.get(key) {
        return r.version.as_str().into();
    }
    for r in catalog.releases() {
        if let Some(m) = r.min_sw_version.as_ref().filter(|m| m.key() == key) {
            return m.as_str().into();
        }
    }
    key.text()
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use crate::catalog::Catalog;
    use crate::plan::{Query, plan};

    fn error(json: &str, from: &str, to: &str) -> alloc::string::String {
        let c = Catalog::from_json(json).unwrap();
        plan(&c, &Query::parse(&c, from, to).unwrap())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn plan_errors_name_the_real_blocker() {
        let chain = r#"{"releases": [{"version": "1"},
            {"version": "2", "min_sw_version": "1", "yanked": true},
            {"version": "3", "min_sw_version": "2"},
            {"version": "4", "min_sw_version": "3"}]}"#;
        // Unchanged where the minimum itself is the trouble.
        assert_eq!(
            error(chain, "1", "3"),
            "no path from 1 to 3: 3 needs at least 2; nothing this device can install reaches it (2 is yanked)"
        );
        // Before: "4 needs at least 3; nothing this device can install reaches it".
        assert_eq!(
            error(chain, "1", "4"),
            "no path from 1 to 4: 4 needs at least 3, which this device cannot reach: 3 needs at least 2; nothing this device can install reaches it (2 is yanked)"
        );
        #[cfg(feature = "serde")]
        {
            let c = Catalog::from_json(chain).unwrap();
            let e = plan(&c, &Query::parse(&c, "1", "4").unwrap()).unwrap_err();
            let crate::plan::PlanError::Unreachable { blocker, .. } = e else {
                panic!("{e}");
            };
            assert_eq!(
                serde_json::to_value(&*blocker).unwrap(),
                serde_json::json!({"kind": "needs_unreachable", "release": "4", "minimum": "3",
                    "barrier": false, "cause": {"kind": "needs_at_least", "release": "3",
                    "minimum": "2", "barrier": false, "note": "2 is yanked"}})
            );
        }
    }
}
