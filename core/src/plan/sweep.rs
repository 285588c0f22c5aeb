//! The planning engine: one downward sweep over the sorted releases that finds, for every
//! version at or below the target, the best first hop toward it — without materialising the
//! O(n²) install edges.
//!
//! # How it works
//!
//! Every version that matters (releases, `min_sw_version`s and barriers, `blocked_from`
//! bounds, delta bases, query versions) becomes a *point*; points sorted give *slots*:
//! slot `2i+1` is point `i` itself and slot `2i` is every version strictly between point `i-1`
//! and point `i`. All versions in one slot behave the same, so a lookup is a binary search.
//!
//! A release `r` can be installed from slot `x` iff `lslot(r) <= x < pslot(r)` (its lower
//! bound from `min_sw_version` and barriers, and below itself), `x` is not in one of `r`'s
//! blocked intervals, and `x` is not a dead-end release. Sweeping `x` downward from the target,
//! releases above `x` are already solved; each is a leaf of a min segment tree ordered by
//! `lslot`, so "best release installable from `x`" is a prefix minimum over the leaves with
//! `lslot <= x`. Blocked intervals switch leaves off and on as the sweep enters and leaves
//! them; deltas are checked at their base point. Each answer is the minimum of
//! `(cost, hops, Reverse(release index))`, which is exactly the planner's three rules
//! (lowest cost, then fewest hops, then the higher version at the first differing hop), so
//! following first hops walks the best path. Time O((n + b) log n), memory O(n + b) for `n`
//! releases and `b` constraints.

use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Reverse;

use crate::catalog::{Catalog, Release};
use crate::version::VersionKey;

use super::Cost;

/// Which releases a device may install at all.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Filter<'a> {
    pub model: Option<&'a str>,
    pub environment: Option<&'a str>,
}

impl Filter<'_> {
    /// Not yanked, fits the device's model and environment.
    pub fn eligible(&self, r: &Release) -> bool {
        !r.yanked && r.fits_model(self.model) && r.fits_environment(self.environment)
    }
}

/// [`Filter::eligible`] for `below[i]`, which a sweep asks three times per release: called
/// as `eligible(i, &below[i])`.
///
/// Off `wasm32` the answers are computed once, up front (a model list is a search among
/// strings: about a million instructions of a 10k-release plan); on `wasm32` each call asks the
/// filter again, so that the WASM plan module keeps its size. The answer is the filter's
/// either way.
fn eligibility<'a>(filter: Filter<'a>, below: &[Release]) -> impl Fn(usize, &Release) -> bool + 'a {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let answers: Vec<bool> = below.iter().map(|r| filter.eligible(r)).collect();
        move |i: usize, _: &Release| answers.get(i).copied().unwrap_or(false)
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = below;
        move |_: usize, r: &Release| filter.eligible(r)
    }
}

/// The best way on from one slot: total cost, hop count, first hop (a release index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Best {
    /// Saturating: sizes are at most 2^53 - 1, so a total reaches u64::MAX only past 2048
    /// hops of 8 PiB images, where every order is already absurd.
    pub cost: u64,
    pub hops: u32,
    pub next: Reverse<u32>,
}

/// "No first hop": the slot is the target itself.
pub(crate) const AT_TARGET: u32 = u32::MAX;

impl Best {
    pub fn next_index(&self) -> Option<usize> {
        (self.next.0 != AT_TARGET).then_some(self.next.0 as usize)
    }
}

/// Prefix-minimum segment tree with point assignment.
struct MinTree {
    size: usize,
    nodes: Vec<Option<Best>>,
    /// Set by every [`MinTree::set`]: the sweep clears it after a query, and while it stays
    /// clear the same query has the same answer.
    changed: bool,
}

impl MinTree {
    fn new(n: usize) -> MinTree {
        let size = n.next_power_of_two().max(1);
        MinTree {
            size,
            nodes: vec![None; 2 * size],
            changed: true,
        }
    }

    fn set(&mut self, leaf: usize, value: Option<Best>) {
        self.changed = true;
        let mut i = leaf + self.size;
        if let Some(slot) = self.nodes.get_mut(i) {
            *slot = value;
        }
        while i > 1 {
            i /= 2;
            let l = self.nodes.get(2 * i).copied().flatten();
            let r = self.nodes.get(2 * i + 1).copied().flatten();
            let m = min_opt(l, r);
            match self.nodes.get_mut(i) {
                // Unchanged here: nothing above changes either.
                Some(slot) if *slot == m => break,
                Some(slot) => *slot = m,
                None => {}
            }
        }
    }

    /// Minimum over leaves `0..k`.
    fn prefix_min(&self, k: usize) -> Option<Best> {
        let (mut lo, mut hi) = (self.size, self.size + k.min(self.size));
        let mut acc = None;
        while lo < hi {
            if lo & 1 == 1 {
                acc = min_opt(acc, self.nodes.get(lo).copied().flatten());
                lo += 1;
            }
            if hi & 1 == 1 {
                hi -= 1;
                acc = min_opt(acc, self.nodes.get(hi).copied().flatten());
            }
            lo /= 2;
            hi /= 2;
        }
        acc
    }
}

pub(crate) fn min_opt(a: Option<Best>, b: Option<Best>) -> Option<Best> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The sorted points and the slot arithmetic over them.
#[derive(Debug, Clone)]
pub(crate) struct Slots {
    /// The points as integers when every one is (integer scheme): sorted and searched as plain
    /// `u64`s, several times faster than through the key enum, in a sixth of the memory.
    pub ints: Vec<u64>,
    /// The points otherwise (empty when `ints` holds them).
    keys: Vec<VersionKey>,
}

impl Slots {
    /// The points as version keys when they are not integers (empty otherwise: see `ints`).
    pub(crate) fn keys(&self) -> &[VersionKey] {
        &self.keys
    }
}

impl Slots {
    /// Sorts and deduplicates the points.
    pub fn new(points: Vec<&VersionKey>) -> Slots {
        let ints: Option<Vec<u64>> = points.iter().map(|k| k.as_integer()).collect();
        match ints {
            Some(mut ints) => {
                // The stable sort finds sorted runs and merges them: the points come as a few
                // runs (see `run`), so this is near linear where an unstable sort is n log n.
                ints.sort();
                ints.dedup();
                Slots {
                    ints,
                    keys: Vec::new(),
                }
            }
            None => {
                let mut keys: Vec<VersionKey> = points.into_iter().cloned().collect();
                keys.sort_unstable();
                keys.dedup();
                Slots {
                    ints: Vec::new(),
                    keys,
                }
            }
        }
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        if self.keys.is_empty() {
            self.ints.len()
        } else {
            self.keys.len()
        }
    }

    pub fn count(&self) -> usize {
        2 * self.len() + 1
    }

    /// How point `j` compares with `key` (`None`: there is no point `j`).
    pub fn cmp_point(&self, j: usize, key: &VersionKey) -> Option<core::cmp::Ordering> {
        if self.keys.is_empty() {
            let p = self.ints.get(j)?;
            Some(match key {
                VersionKey::Integer(n) => p.cmp(n),
                // Keys of the other schemes order above every integer (the enum's order).
                _ => core::cmp::Ordering::Less,
            })
        } else {
            self.keys.get(j).map(|p| p.cmp(key))
        }
    }

    /// The slot holding `key`.
    pub fn of(&self, key: &VersionKey) -> usize {
        let found = if self.keys.is_empty() {
            match key {
                VersionKey::Integer(n) => self.ints.binary_search(n),
                // Above every integer point (the enum's order), as a search of keys finds.
                _ => Err(self.ints.len()),
            }
        } else {
            self.keys.binary_search(key)
        };
        match found {
            Ok(i) => 2 * i + 1,
            Err(i) => 2 * i,
        }
    }
}

/// The result of a sweep: the best way on from every slot at or below the target.
pub(crate) struct Sweep {
    pub slots: Slots,
    /// Per slot; `None` above the target, where the target cannot be reached, and (when the
    /// sweep had a `stop`) at slots that are neither a release nor the stop.
    pub best: Vec<Option<Best>>,
}

/// The lower bound a release puts on the version it is installed from: the higher of its
/// `min_sw_version` and the highest barrier below it.
pub(crate) fn lower_bounds(catalog: &Catalog) -> Vec<Option<&VersionKey>> {
    let mut barrier: Option<&VersionKey> = None;
    let mut out = Vec::with_capacity(catalog.releases().len());
    for r in catalog.releases() {
        let min = r.min_sw_version.as_ref().map(|v| v.key());
        out.push(match (min, barrier) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        });
        if r.barrier {
            barrier = Some(r.version.key());
        }
    }
    out
}

/// The point slot of each release in `below` when every point is an integer (the usual
/// case): a merge walk over plain `u64`s, without [`Slots::cmp_point`]'s per-step call.
/// `None` for other schemes, and on `wasm32`, whose module is measured by its size and keeps
/// the one generic walk in `run`.
fn integer_point_slots(slots: &Slots, below: &[Release]) -> Option<Vec<usize>> {
    if cfg!(target_arch = "wasm32") || !slots.keys.is_empty() {
        return None;
    }
    // Sized at once: collected from an iterator of unknown length (grown by doubling), the
    // list cost 13 more page faults at 10k releases.
    let mut out = Vec::with_capacity(below.len());
    let mut j = 0usize;
    for r in below {
        let n = r.version.key().as_integer()?;
        while slots.ints.get(j).is_some_and(|&p| p < n) {
            j += 1;
        }
        out.push(if slots.ints.get(j) == Some(&n) {
            2 * j + 1
        } else {
            slots.of(&VersionKey::Integer(n))
        });
    }
    Some(out)
}

/// Runs the sweep toward release `target` (an index into `catalog.releases()`), for devices
/// passing `filter`, down to slot `stop` (0 for every slot). `extra` are query versions that
/// must get exact slots of their own.
pub(crate) fn run(
    catalog: &Catalog,
    filter: Filter<'_>,
    target: usize,
    cost: Cost,
    extra: &[&VersionKey],
    stop: Option<&VersionKey>,
) -> Sweep {
    let releases = catalog.releases();
    let below = releases.get(..=target).unwrap_or(releases);
    let lower = lower_bounds(catalog);
    let eligible = eligibility(filter, below);

    // The releases' own points first, as one sorted run; the lower bounds, blocked ranges and
    // delta bases after them, usually a second sorted run: `Slots::new` merges runs.
    let mut points: Vec<&VersionKey> = Vec::with_capacity(below.len() * 2 + extra.len());
    points.extend(below.iter().map(|r| r.version.key()));
    // Runs of releases share a lower bound (the last barrier, a common `min_sw_version`): it
    // is pushed once per run, which keeps the points after the releases' own few and short.
    let mut last_lower: Option<&VersionKey> = None;
    for (i, r) in below.iter().enumerate() {
        if !eligible(i, r) {
            continue;
        }
        if let Some(&Some(l)) = lower.get(i)
            && last_lower != Some(l)
        {
            points.push(l);
            last_lower = Some(l);
        }
        for b in &r.blocked_from {
            points.extend(b.comparators().iter().map(|c| c.version.key()));
        }
        if cost == Cost::Bytes {
            // Delta bases matter only to the cost of a hop.
            points.extend(r.deltas.iter().map(|d| d.from.key()));
        }
    }
    points.extend(extra.iter().copied());
    let slots = Slots::new(points);
    let nslots = slots.count();

    // Per eligible release: its point slot and lower slot.
    // Releases and points are both sorted: one merge walk instead of a search per release.
    let mut j = 0usize;
    let pslot: Vec<usize> = if let Some(pslot) = integer_point_slots(&slots, below) {
        pslot
    } else {
        below
            .iter()
            .map(|r| {
                let k = r.version.key();
                while slots.cmp_point(j, k) == Some(core::cmp::Ordering::Less) {
                    j += 1;
                }
                if slots.cmp_point(j, k) == Some(core::cmp::Ordering::Equal) {
                    2 * j + 1
                } else {
                    slots.of(k)
                }
            })
            .collect()
    };
    // Runs of releases share a lower bound (the last barrier, a common `min_sw_version`): the
    // last one's slot is kept rather than searched again.
    let mut last_lower: Option<(&VersionKey, usize)> = None;
    let mut lslot = |i: usize| {
        let l = lower.get(i).copied().flatten()?;
        match last_lower {
            Some((k, slot)) if k == l => Some(slot),
            _ => {
                let slot = slots.of(l);
                last_lower = Some((l, slot));
                Some(slot)
            }
        }
    };
    let mut leaves: Vec<(usize, usize)> = (0..below.len())
        .filter(|&i| below.get(i).is_some_and(|r| eligible(i, r)))
        .map(|i| (lslot(i).unwrap_or(0), i))
        .collect();
    leaves.sort_unstable();
    let mut leaf_of = vec![usize::MAX; below.len()];
    for (pos, &(_, i)) in leaves.iter().enumerate() {
        if let Some(l) = leaf_of.get_mut(i) {
            *l = pos;
        }
    }

    // Release at each point slot (only releases at or below the target have points of
    // their own among releases).
    let mut release_at = vec![usize::MAX; nslots];
    let mut deadend_at = vec![false; nslots];
    for (i, r) in below.iter().enumerate() {
        let s = pslot.get(i).copied().unwrap_or(0);
        if let Some(x) = release_at.get_mut(s) {
            *x = i;
        }
        if r.deadend
            && let Some(x) = deadend_at.get_mut(s)
        {
            *x = true;
        }
    }

    // Blocked intervals as events, and deltas by base slot.
    let mut events: Vec<(usize, bool, usize)> = Vec::new(); // (slot, block?, release)
    let mut deltas: Vec<(usize, usize, u64)> = Vec::new(); // (base slot, release, size)
    for &(_, i) in &leaves {
        let Some(r) = below.get(i) else { continue };
        let top = pslot.get(i).copied().unwrap_or(0);
        for b in &r.blocked_from {
            let lo = b
                .lower()
                .map_or(0, |(v, inc)| slots.of(v.key()) + usize::from(!inc));
            let hi = b.upper().map_or(nslots - 1, |(v, inc)| {
                (slots.of(v.key()) + usize::from(inc)).saturating_sub(1)
            });
            let hi = hi.min(top.saturating_sub(1));
            if top == 0 || lo > hi {
                continue;
            }
            events.push((hi, true, i));
            if lo > 0 {
                events.push((lo - 1, false, i));
            }
        }
        if cost == Cost::Bytes {
            deltas.extend(r.deltas.iter().map(|d| (slots.of(d.from.key()), i, d.size)));
        }
    }
    events.sort_unstable_by_key(|e| Reverse(e.0));
    deltas.sort_unstable_by_key(|d| Reverse(d.0));

    let target_slot = pslot.get(target).copied().unwrap_or(0);
    let stop_slot = stop.map_or(0, |k| slots.of(k)).min(target_slot);
    let mut best: Vec<Option<Best>> = vec![None; nslots];
    let mut tree = MinTree::new(leaves.len());
    // Per release, once the sweep is below it: the best way on from it (if it may be left).
    let mut solved = vec![None::<Best>; below.len()];
    let mut blocks = vec![0u32; below.len()];
    let (mut ev, mut dl) = (0usize, 0usize);
    let mut k = leaves.len();
    // The last tree query: its `k` and its answer (see `MinTree::changed`).
    let mut last: Option<(usize, Option<Best>)> = None;

    let hop_cost = |i: usize| -> Option<u64> {
        match cost {
            Cost::Hops => Some(1),
            Cost::Bytes => below.get(i)?.size,
        }
    };
    // Installing release `i` in full, then going on from it.
    let via = |solved: &[Option<Best>], i: usize, hop: Option<u64>| -> Option<Best> {
        let b = solved.get(i).copied().flatten()?;
        Some(Best {
            cost: b.cost.saturating_add(hop?),
            hops: b.hops + 1,
            next: Reverse(i as u32),
        })
    };
    let refresh = |tree: &mut MinTree, solved: &[Option<Best>], blocks: &[u32], i: usize| {
        let value = if blocks.get(i).copied().unwrap_or(0) == 0 {
            via(solved, i, hop_cost(i))
        } else {
            None
        };
        if let Some(&leaf) = leaf_of.get(i) {
            tree.set(leaf, value);
        }
    };

    if let Some(b) = best.get_mut(target_slot) {
        *b = Some(Best {
            cost: 0,
            hops: 0,
            next: Reverse(AT_TARGET),
        });
    }
    while ev < events.len() && events.get(ev).is_some_and(|e| e.0 > target_slot) {
        ev += 1;
    }
    while dl < deltas.len() && deltas.get(dl).is_some_and(|d| d.0 >= target_slot) {
        dl += 1;
    }
    let mut x = target_slot;
    while x > stop_slot {
        // Move down: the release at x (if any) becomes a destination.
        let above = x;
        x -= 1;
        let i = release_at.get(above).copied().unwrap_or(usize::MAX);
        if let (Some(r), Some(Some(b))) = (below.get(i), best.get(above)) {
            let leaving_ok = !r.deadend || i == target;
            if eligible(i, r) && leaving_ok {
                if let Some(slot) = solved.get_mut(i) {
                    *slot = Some(*b);
                }
                refresh(&mut tree, &solved, &blocks, i);
            }
        }
        while let Some(&(s, block, r)) = events.get(ev) {
            if s != x {
                break;
            }
            if let Some(c) = blocks.get_mut(r) {
                *c = if block {
                    c.saturating_add(1)
                } else {
                    c.saturating_sub(1)
                };
            }
            refresh(&mut tree, &solved, &blocks, r);
            ev += 1;
        }
        while k > 0 && leaves.get(k - 1).is_some_and(|l| l.0 > x) {
            k -= 1;
        }
        let mut answer = None;
        // A single plan (`stop` given) reads only release slots and the stop slot; a table
        // (no `stop`) reads every slot.
        let needed =
            stop.is_none() || x == stop_slot || release_at.get(x).is_some_and(|&i| i != usize::MAX);
        if needed && !deadend_at.get(x).copied().unwrap_or(false) {
            // A hop with a delta costs the delta, never the full image: take those releases
            // out of the tree for this one query and offer them at their delta's cost.
            let first = dl;
            while deltas.get(dl).is_some_and(|d| d.0 == x) {
                dl += 1;
            }
            let here = deltas.get(first..dl).unwrap_or_default();
            for &(_, r, _) in here {
                if let Some(&leaf) = leaf_of.get(r) {
                    tree.set(leaf, None);
                }
            }
            // A table asks at every slot; when the tree and `k` are as they were at the last
            // query, so is its answer (about half the slots: a gap below a point).
            answer = match last {
                Some((at_k, value)) if !tree.changed && at_k == k => value,
                _ => tree.prefix_min(k),
            };
            tree.changed = false;
            last = Some((k, answer));
            for &(_, r, size) in here {
                let usable = blocks.get(r) == Some(&0) && leaf_of.get(r).is_some_and(|&l| l < k);
                if usable {
                    answer = min_opt(answer, via(&solved, r, Some(size)));
                }
            }
            for &(_, r, _) in here {
                refresh(&mut tree, &solved, &blocks, r);
            }
        }
        while deltas.get(dl).is_some_and(|d| d.0 >= x) {
            dl += 1;
        }
        if let Some(slot) = best.get_mut(x) {
            *slot = answer;
        }
    }
    Sweep { slots, best }
}

impl Sweep {
    /// The best way on from `key` (`None`: no path).
    pub fn at(&self, key: &VersionKey) -> Option<Best> {
        self.best.get(self.slots.of(key)).copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn best(cost: u64, hops: u32, next: u32) -> Best {
        Best {
            cost,
            hops,
            next: Reverse(next),
        }
    }

    proptest! {
        /// After any assignments, every prefix minimum is the minimum of the leaves as
        /// `Option`s (`None` for "no value"), extreme costs and release 0 included.
        #[test]
        fn min_tree_prefixes_are_the_minimum_of_the_options(
            n in 1usize..40,
            sets in proptest::collection::vec(
                (0usize..40, proptest::option::of((
                    prop_oneof![Just(u64::MAX), Just(0u64), 0u64..5],
                    0u32..4,
                    prop_oneof![Just(0u32), Just(AT_TARGET), 0u32..5],
                ))),
                0..60,
            ),
        ) {
            let mut tree = MinTree::new(n);
            let mut leaves: Vec<Option<Best>> = vec![None; n];
            for (leaf, value) in sets {
                let leaf = leaf % n;
                let value = value.map(|(c, h, x)| best(c, h, x));
                tree.set(leaf, value);
                leaves[leaf] = value;
                for k in 0..=n {
                    let want = leaves[..k].iter().copied().fold(None, min_opt);
                    prop_assert_eq!(tree.prefix_min(k), want);
                }
            }
        }
    }
}
