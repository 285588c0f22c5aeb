//! Campaign tables: `next_hop` for millions of devices toward one target, without replanning.
//!
//! [`CampaignTable::build`] runs the planner's sweep once for a target and a device filter
//! (model, environment) and keeps the first hop for every *slot* of the version line (every
//! release and constraint version, and every gap between two of them; see the `plan` module).
//! A lookup is one binary search: O(log n); for the integer scheme it is a radix-bucket probe
//! (O(1) for evenly spread build numbers) or, when build numbers are dense, one read of a
//! table holding the answer for every build number between the lowest and the highest point.
//! Building is O((n + b) log n) time and O(n + b)
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

#[cfg(feature = "std")]
pub mod column;
mod table;

pub use table::{TABLE_FORMAT, TABLE_VERSION, TableError};

use crate::catalog::Catalog;
use crate::error::{Code, ErrorCode, Registered, codes};
use crate::plan::sweep::{self, Filter, Slots};
use crate::plan::{Cost, PlanError, Query, precheck};
use crate::version::{Version, VersionKey};

const DONE: u32 = u32::MAX;
const UNREACHABLE: u32 = u32::MAX - 1;
const DOWNGRADE: u32 = u32::MAX - 2;
const MISSING_SIZE: u32 = u32::MAX - 3;

/// Why a campaign table gives a device no hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// No chain of installs reaches the target (`plan` names the blocker).
    Unreachable,
    /// The device is above the target and downgrades are not allowed.
    Downgrade,
    /// Planning by bytes, a release on the way has no size.
    MissingSize,
}

impl Refusal {
    /// The message [`Display`](core::fmt::Display) shows (no `core::fmt` needed).
    ///
    /// ```
    /// use stepstone::campaign::Refusal;
    /// assert_eq!(Refusal::Unreachable.message(), "no path to the target");
    /// assert_eq!(Refusal::Unreachable.to_string(), "no path to the target");
    /// ```
    pub const fn message(&self) -> &'static str {
        match self {
            Refusal::Unreachable => "no path to the target",
            Refusal::Downgrade => {
                "the target is below the device's version; downgrades are not allowed"
            }
            Refusal::MissingSize => "cannot plan by bytes: a release on the way has no size",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for Refusal {}

impl Registered for Refusal {
    fn registered(&self) -> Code {
        match self {
            Refusal::Unreachable => codes::PLAN_UNREACHABLE,
            Refusal::Downgrade => codes::PLAN_DOWNGRADE,
            Refusal::MissingSize => codes::PLAN_MISSING_SIZE,
        }
    }
}

impl ErrorCode for Refusal {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

/// Precomputed first hops toward one target for one model and environment.
#[derive(Debug, Clone)]
pub struct CampaignTable {
    target: Version,
    /// The sweep's points (the slot arithmetic).
    slots: Slots,
    /// The same points as integers with a radix index, when the scheme is `integer`: the
    /// fast path.
    integers: Option<IntIndex>,
    /// Per slot: an index into `releases`, or one of the codes above.
    answers: Vec<u32>,
    releases: Vec<Version>,
    /// Every release's spelling, end to end, and where each ends: the bulk path's output
    /// (see [`CampaignTable::next_hop_integer_str`]).
    spellings: Spellings,
    allow_downgrade: bool,
}

/// Release spellings packed end to end: a few bytes each, so a table's answers stay in
/// cache, where a [`Version`] is a struct and a text elsewhere on the heap.
#[derive(Debug, Clone, Default)]
struct Spellings {
    text: alloc::string::String,
    ends: Vec<u32>,
}

impl Spellings {
    fn new(releases: &[Version]) -> Option<Spellings> {
        let mut out = Spellings {
            text: alloc::string::String::with_capacity(releases.len() * 8),
            ends: Vec::with_capacity(releases.len()),
        };
        for r in releases {
            out.text.push_str(r.as_str());
            out.ends.push(u32::try_from(out.text.len()).ok()?);
        }
        Some(out)
    }

    fn get(&self, i: usize) -> Option<&str> {
        let start = match i.checked_sub(1) {
            None => 0,
            Some(before) => *self.ends.get(before)? as usize,
        };
        self.text.get(start..*self.ends.get(i)? as usize)
    }
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

        // Only the releases that are some slot's first hop are kept (a few in ten at 10k
        // releases), numbered in the order first met.
        let all = catalog.releases().get(..=t).unwrap_or_default();
        let mut releases: Vec<Version> = Vec::new();
        let mut number = alloc::vec![u32::MAX; all.len()];
        let mut kept = |i: usize| -> u32 {
            match (number.get_mut(i), all.get(i)) {
                (Some(n), Some(r)) => {
                    if *n == u32::MAX {
                        *n = releases.len() as u32;
                        releases.push(r.version.clone());
                    }
                    *n
                }
                _ => UNREACHABLE,
            }
        };
        let answers: Vec<u32> = sw
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
                        .map_or(UNREACHABLE, &mut kept)
                }
            })
            .collect();
        let slots = sw.slots;
        let integers = IntIndex::new(&slots.ints, &answers);
        let spellings = Spellings::new(&releases).unwrap_or_default();
        Ok(CampaignTable {
            target: target.clone(),
            slots,
            integers,
            answers,
            releases,
            spellings,
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
        self.slots.of(key)
    }

    /// The next release for a device at `version` (`None`: it is at the target).
    pub fn next_hop(&self, version: &VersionKey) -> Result<Option<&Version>, Refusal> {
        if let (Some(index), VersionKey::Integer(n)) = (&self.integers, version) {
            return self.decode(index.answer(*n));
        }
        self.decode(
            self.answers
                .get(self.slot(version))
                .copied()
                .unwrap_or(UNREACHABLE),
        )
    }

    /// An answer code as the public answer.
    #[inline]
    fn decode(&self, answer: u32) -> Result<Option<&Version>, Refusal> {
        match answer {
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
    ///
    /// In a catalog of another scheme no integer is a valid version: the answer is
    /// [`Refusal::Unreachable`].
    pub fn next_hop_integer(&self, version: u64) -> Result<Option<&Version>, Refusal> {
        match &self.integers {
            Some(index) => self.decode(index.answer(version)),
            None => self.next_hop(&VersionKey::Integer(version)),
        }
    }

    /// [`CampaignTable::next_hop_integer`], the hop as its spelling (`Version::as_str`): read
    /// from a packed copy of the spellings, which keeps a million lookups in cache (the
    /// `next-hop` CLI's rows).
    pub fn next_hop_integer_str(&self, version: u64) -> Result<Option<&str>, Refusal> {
        let answer = match &self.integers {
            Some(index) => index.answer(version),
            None => {
                return self
                    .next_hop_integer(version)
                    .map(|h| h.map(Version::as_str));
            }
        };
        match answer {
            i if (i as usize) < self.releases.len() => match self.spellings.get(i as usize) {
                Some(text) => Ok(Some(text)),
                None => self.decode(i).map(|h| h.map(Version::as_str)),
            },
            code => self.decode(code).map(|h| h.map(Version::as_str)),
        }
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

/// One integer point with the answers at it and in the gap just below it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    point: u64,
    gap: u32,
    at: u32,
}

/// Integer points, each beside its answers, with a radix index over them: the points whose
/// offset from the first point, shifted right by `shift`, is `b` are
/// `entries[starts[b]..starts[b + 1]]`. With about two buckets per point a lookup reads one
/// pair of bucket bounds and then one or two entries that hold the answer too: O(1) for evenly
/// spread build numbers, and never worse than a binary search (all points in one bucket).
/// Memory: 16 bytes per point and at most 16 bytes per point of buckets (plus the dense
/// table, at most 64 bytes per point, or 32 when every answer fits in two bytes, when the
/// points are dense).
#[derive(Debug, Clone)]
struct IntIndex {
    base: u64,
    shift: u32,
    starts: Vec<u32>,
    entries: Vec<Entry>,
    /// The answer above the last point.
    above: u32,
    /// When the points are dense (their span at most [`DENSE_PER_POINT`] values per point),
    /// the answer for every value from the first point to the last: one read per lookup.
    dense: Vec<u32>,
    /// The same table in two bytes a value, when every answer fits ([`narrow`]); then `dense`
    /// is empty. Half the memory: the tables of a large catalog stay in cache.
    narrow: Vec<u16>,
}

/// An answer in two bytes: a release index below `0xFFFC`, or one of the four codes (each
/// `u32::MAX - k` becomes `u16::MAX - k`).
fn narrow(answer: u32) -> Option<u16> {
    match u16::try_from(answer) {
        Ok(n) if n < 0xFFFC => Some(n),
        _ if answer >= MISSING_SIZE => u16::try_from(answer - 0xFFFF_0000).ok(),
        _ => None,
    }
}

/// A dense table of `entries` from `base` on: each point's gap answer up to it, then its own
/// answer, which is what [`IntIndex::search`] gives for every value, as `to` writes answers.
/// `None` when `to` has no value for an answer, or the points are not distinct and sorted.
fn fill<T: Clone>(
    entries: &[Entry],
    base: u64,
    span: u64,
    to: impl Fn(u32) -> Option<T>,
) -> Option<Vec<T>> {
    let mut table = Vec::with_capacity(usize::try_from(span).ok()?.saturating_add(1));
    for e in entries {
        let below = usize::try_from(e.point.checked_sub(base)?).ok()?;
        if below < table.len() {
            return None;
        }
        table.resize(below, to(e.gap)?);
        table.push(to(e.at)?);
    }
    Some(table)
}

/// The answer a [`narrow`] one stands for.
#[inline]
fn widen(n: u16) -> u32 {
    let n = u32::from(n);
    if n >= 0xFFFC { n | 0xFFFF_0000 } else { n }
}

/// A dense table is kept while it costs at most this many values (4 bytes each) per point.
const DENSE_PER_POINT: u64 = 16;

impl IntIndex {
    /// `None` for an empty list, one too long for `u32` offsets, or answers that are not one
    /// per slot (`2 * points + 1`).
    fn new(points: &[u64], answers: &[u32]) -> Option<IntIndex> {
        let (&base, &last) = (points.first()?, points.last()?);
        u32::try_from(points.len()).ok()?;
        if answers.len() != 2 * points.len() + 1 {
            return None;
        }
        let entries: Vec<Entry> = points
            .iter()
            .zip(answers.chunks_exact(2))
            .map(|(&point, a)| Entry {
                point,
                gap: a.first().copied().unwrap_or(UNREACHABLE),
                at: a.get(1).copied().unwrap_or(UNREACHABLE),
            })
            .collect();
        let span = last - base;
        let buckets = points.len().next_power_of_two().saturating_mul(2);
        let mut shift = 0u32;
        while shift < 63 && (span >> shift) >= buckets as u64 {
            shift += 1;
        }
        let mut starts = Vec::with_capacity(buckets + 1);
        let mut i = 0usize;
        for b in 0..=buckets {
            // Points below bucket b's first offset.
            let first = (b as u128) << shift;
            while points.get(i).is_some_and(|&p| u128::from(p - base) < first) {
                i += 1;
            }
            starts.push(u32::try_from(i).ok()?);
        }
        let mut index = IntIndex {
            base,
            shift,
            starts,
            entries,
            above: answers.last().copied().unwrap_or(UNREACHABLE),
            dense: Vec::new(),
            narrow: Vec::new(),
        };
        let count = (points.len() as u64).max(256);
        if span < count.saturating_mul(DENSE_PER_POINT) {
            match fill(&index.entries, base, span, narrow) {
                Some(narrow) => index.narrow = narrow,
                None => index.dense = fill(&index.entries, base, span, Some).unwrap_or_default(),
            }
        }
        Some(index)
    }

    /// The answer for `v`.
    #[inline]
    fn answer(&self, v: u64) -> u32 {
        if !self.narrow.is_empty() {
            return self.table_answer(v, &self.narrow, widen);
        }
        if !self.dense.is_empty() {
            return self.table_answer(v, &self.dense, |a| a);
        }
        self.search(v).1
    }

    /// The answer for `v` from a dense table of `T`s that `read` makes answers of.
    #[inline]
    fn table_answer<T: Copy>(&self, v: u64, table: &[T], read: impl Fn(T) -> u32) -> u32 {
        match v.checked_sub(self.base) {
            None => self.entries.first().map_or(self.above, |e| e.gap),
            Some(d) => usize::try_from(d)
                .ok()
                .and_then(|d| table.get(d))
                .map_or(self.above, |&a| read(a)),
        }
    }

    /// The slot of `v` (as `Slots::of` in the planner: `2i + 1` at point `i`, `2i` below it)
    /// and its answer.
    #[inline]
    fn search(&self, v: u64) -> (usize, u32) {
        let Some(offset) = v.checked_sub(self.base) else {
            // Below the first point: the gap below entry 0.
            return (0, self.entries.first().map_or(self.above, |e| e.gap));
        };
        let b = usize::try_from(offset >> self.shift).unwrap_or(usize::MAX);
        let (Some(&lo), Some(&hi)) = (self.starts.get(b), self.starts.get(b.wrapping_add(1)))
        else {
            return (2 * self.entries.len(), self.above);
        };
        let (lo, hi) = (lo as usize, hi as usize);
        let bucket = self.entries.get(lo..hi).unwrap_or_default();
        let k = bucket.partition_point(|e| e.point < v);
        match self.entries.get(lo + k) {
            Some(e) if e.point == v => (2 * (lo + k) + 1, e.at),
            Some(e) => (2 * (lo + k), e.gap),
            None => (2 * self.entries.len(), self.above),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn binary(points: &[u64], v: u64) -> usize {
        match points.binary_search(&v) {
            Ok(i) => 2 * i + 1,
            Err(i) => 2 * i,
        }
    }

    #[test]
    fn radix_index_agrees_with_binary_search() {
        let lists: [&[u64]; 7] = [
            &[5],
            &[0, u64::MAX],
            &[1, 2, 3, 1000, 1001, 1_000_000],
            &[64000, 65000, 66000, 66001, 66002, 66003, 67000],
            &[7, 7 + (1 << 40), u64::MAX - 1],
            &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
            &[u64::MAX - 3, u64::MAX - 2, u64::MAX],
        ];
        // Answers that name their own slot, plus an offset: small enough for a two-byte dense
        // table, or not (a release index of 0xFFFC or more).
        for (points, offset) in lists.iter().flat_map(|p| [(p, 0), (p, 0xFFFC)]) {
            let answers: Vec<u32> = (0..2 * points.len() as u32 + 1)
                .map(|slot| slot + offset)
                .collect();
            let index = IntIndex::new(points, &answers).unwrap();
            if !index.dense.is_empty() || !index.narrow.is_empty() {
                assert_eq!(index.narrow.is_empty(), offset > 0, "{points:?} + {offset}");
            }
            let mut probes = vec![0, 1, u64::MAX, u64::MAX - 1, 1 << 40, 65999, 66000];
            for &p in points.iter() {
                probes.extend([p.wrapping_sub(1), p, p.wrapping_add(1)]);
            }
            for v in probes {
                let (slot, answer) = index.search(v);
                assert_eq!(slot, binary(points, v), "{points:?} at {v}");
                assert_eq!(answer as usize, slot + offset as usize);
                assert_eq!(index.answer(v), answer, "dense table at {v}");
                if let Some(d) = v.checked_sub(points[0]) {
                    let d = d as usize;
                    assert!(index.dense.get(d).is_none_or(|&a| a == answer), "{v}");
                    assert!(index.narrow.get(d).is_none_or(|&n| widen(n) == answer));
                }
            }
        }
        assert!(IntIndex::new(&[], &[0]).is_none());
        assert!(IntIndex::new(&[1], &[0]).is_none());
    }

    /// Release indexes below 0xFFFC and the four codes fit in two bytes and come back; nothing
    /// else fits.
    #[test]
    fn narrow_answers_widen_back() {
        for a in [0, 1, 0xFFFB, DONE, UNREACHABLE, DOWNGRADE, MISSING_SIZE] {
            assert_eq!(narrow(a).map(widen), Some(a), "{a:#x}");
        }
        for a in [0xFFFC, 0xFFFF, 0x1_0000, 0xFFFF_FFFB, MISSING_SIZE - 1] {
            assert_eq!(narrow(a), None, "{a:#x}");
        }
        let codes = [DONE, UNREACHABLE, DOWNGRADE, MISSING_SIZE].map(narrow);
        assert_eq!(codes, [0xFFFF, 0xFFFE, 0xFFFD, 0xFFFC].map(Some));
    }
}
