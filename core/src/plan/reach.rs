//! Forward reachability (which releases a device can get to at all) and the blocker named
//! when a target cannot be reached.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use super::Query;
use super::sweep::{Filter, lower_bounds};
use crate::catalog::Catalog;
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
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocker::DeadEnd { release } => {
                write!(f, "{release} is a dead end: no automatic update leaves it")
            }
            Blocker::NeedsAtLeast {
                release,
                minimum,
                barrier,
                note,
            } => {
                let what = if *barrier { " (a barrier)" } else { "" };
                write!(
                    f,
                    "{release} needs at least {minimum}{what}; nothing this device can install reaches it"
                )?;
                if let Some(note) = note {
                    write!(f, " ({note})")?;
                }
                Ok(())
            }
            Blocker::BlockedFrom { release, from } => write!(
                f,
                "{release} may not be installed from {from} (blocked_from), and nothing else this device can install reaches it"
            ),
        }
    }
}

/// Releases a device at `start` can reach by some chain of installs, up to and including
/// release index `upto`. Also returns the versions it can reach that it could go on from
/// (its own version first, then reachable releases that are not dead ends), ascending.
pub(crate) struct Reach<'c> {
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
    why_not(catalog, q.filter(), &r, t)
}

/// Why release index `t` is not reachable, given a reachability result.
pub(crate) fn why_not(catalog: &Catalog, filter: Filter<'_>, r: &Reach<'_>, t: usize) -> Blocker {
    let releases = catalog.releases();
    let Some(target) = releases.get(t) else {
        return Blocker::DeadEnd {
            release: String::new(),
        };
    };
    let name = || String::from(target.version.as_str());
    let lower = lower_bounds(catalog);
    let min = lower.get(t).copied().flatten();
    let key = target.version.key();
    let lo = min.map_or(0, |m| r.open.partition_point(|k| *k < m));
    let hi = r.open.partition_point(|k| *k < key);
    let candidates = r.open.get(lo..hi).unwrap_or_default();
    if let Some(highest) = candidates.last() {
        return Blocker::BlockedFrom {
            release: name(),
            from: spell(catalog, highest),
        };
    }
    let dead_above = r.dead.iter().rev().find(|&&d| {
        releases
            .get(d)
            .is_some_and(|x| x.version.key() < key && min.is_none_or(|m| x.version.key() >= m))
    });
    if let Some(&d) = dead_above
        && let Some(x) = releases.get(d)
    {
        return Blocker::DeadEnd {
            release: x.version.as_str().into(),
        };
    }
    let Some(min) = min else {
        return Blocker::DeadEnd { release: name() };
    };
    let barrier = target.min_sw_version.as_ref().is_none_or(|m| m.key() < min);
    let note = match catalog.get(min) {
        None => Some(format!("{} is not in the catalog", spell(catalog, min))),
        Some(m) if m.yanked => Some(format!("{} is yanked", m.version)),
        Some(m) if !m.fits_model(filter.model) => Some(format!(
            "{} is not for model {}",
            m.version,
            filter.model.unwrap_or("")
        )),
        Some(m) if !m.fits_environment(filter.environment) => Some(format!(
            "{} is not for environment {}",
            m.version,
            filter.environment.unwrap_or("")
        )),
        Some(m) if m.deadend => Some(format!("{} is a dead end", m.version)),
        Some(_) => None,
    };
    Blocker::NeedsAtLeast {
        release: name(),
        minimum: spell(catalog, min),
        barrier,
        note,
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
    match key {
        VersionKey::Integer(n) => format!("{n}"),
        VersionKey::Semver(v) => format!("{v}"),
        VersionKey::Dotted(parts) => {
            let mut s = String::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    s.push('.');
                }
                s.push_str(&format!("{p}"));
            }
            if s.is_empty() { String::from("0") } else { s }
        }
    }
}
