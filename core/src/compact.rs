//! The compact binary catalog: a catalog packed for one device model and environment, read and
//! planned over without the heap.
//!
//! A device that comes back after months on a shelf, or lives behind a gateway, computes its own
//! next hop. It holds a *compact catalog*: the catalog's versions as sorted *points*, and per
//! release only what the install rule reads (its lower bound, flags and blocked intervals, all in
//! slot numbers). The format is documented byte by byte in `docs/compact-catalog.md`.
//! [`pack`] (feature `alloc`) writes it; [`CompactCatalog::parse`] checks it without copying;
//! [`CompactCatalog::next_hop`] answers what [`crate::plan::next_hop`] answers for the packed
//! model and environment, by hops (the default cost), without downgrades.
//!
//! Slots are the planner's: with points `p0 < p1 < …`, slot `2i+1` is point `i` and slot `2i`
//! is every version strictly between `p(i-1)` and `p(i)`. A release `r` can be installed from
//! slot `x` iff `r` is eligible (not yanked, fits the packed model and environment),
//! `lslot(r) <= x < pslot(r)`, `x` is in none of `r`'s blocked intervals, and `x` is not the
//! slot of a dead-end release.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use stepstone::catalog::Catalog;
//! use stepstone::compact::{pack, CompactCatalog, PackOptions};
//! let catalog = Catalog::from_json(r#"{"releases": [
//!   {"version": "v64000"},
//!   {"version": "v65000", "min_sw_version": "v64000"},
//!   {"version": "v66000", "min_sw_version": "v65000"},
//!   {"version": "v66003", "min_sw_version": "v66000"},
//!   {"version": "v67000", "min_sw_version": "v66003"}]}"#).unwrap();
//! let bytes = pack(&catalog, &PackOptions { target: Some("v67000".into()), ..Default::default() }).unwrap();
//! let compact = CompactCatalog::parse(&bytes).unwrap();
//! assert_eq!(compact.next_hop("v64000", None), Ok(Some("v65000")));
//! assert_eq!(compact.next_hop("v66000", None), Ok(Some("v66003")));
//! assert_eq!(compact.next_hop("v67000", None), Ok(None));
//! # }
//! ```

use core::cmp::Ordering;

use crate::error::{Code, ErrorCode, Registered, Sink, codes, message_from_sink};
use crate::version::{Scheme, VersionErrorKind, compare};

/// The four bytes every compact catalog starts with.
pub const MAGIC: [u8; 4] = *b"SSCC";
/// The format version this code writes (it also reads format 1, which has no digests).
pub const FORMAT: u8 = 2;
/// Bytes of one release digest (format 2, header flag bit 2).
pub const DIGEST_LEN: usize = 32;
/// Bytes in the fixed header.
pub const HEADER_LEN: usize = 24;
/// Most releases a compact catalog may hold (the next-hop table lives on the stack).
pub const MAX_RELEASES: usize = 255;
/// Most points (distinct versions) a compact catalog may hold.
pub const MAX_POINTS: usize = 1024;
/// "No target packed" in the header's target field.
pub const NO_TARGET: u16 = 0xFFFF;

const POINT_LEN: usize = 4;
const RELEASE_LEN: usize = 8;
const BLOCK_LEN: usize = 4;

/// Release flag: yanked.
pub const FLAG_YANKED: u8 = 1;
/// Release flag: dead end (no automatic update leaves it).
pub const FLAG_DEADEND: u8 = 2;
/// Release flag: not for the packed model.
pub const FLAG_NOT_MODEL: u8 = 4;
/// Release flag: not for the packed environment.
pub const FLAG_NOT_ENVIRONMENT: u8 = 8;
const FLAGS_KNOWN: u8 = FLAG_YANKED | FLAG_DEADEND | FLAG_NOT_MODEL | FLAG_NOT_ENVIRONMENT;

/// Why a compact catalog cannot be read or packed.
///
/// `Display` and [`ErrorMessage::message`](crate::error::ErrorMessage::message) give the same
/// text; `message` builds it without `core::fmt` (the WASM verify module links none for it).
///
/// ```
/// use stepstone::compact::CompactError;
/// use stepstone::error::ErrorMessage;
/// let e = CompactError::Corrupt { at: 12 };
/// assert_eq!(e.message(), "compact catalog is corrupt at byte 12");
/// assert_eq!(e.to_string(), e.message());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CompactError {
    /// The bytes end before the structure they announce (`needed` bytes, `len` given).
    Truncated {
        /// Bytes the structure needs.
        needed: usize,
        /// Bytes given.
        len: usize,
    },
    /// The bytes do not start with `SSCC`.
    BadMagic,
    /// A format version this code does not read.
    Format(u8),
    /// A field out of range, a bad string or unsorted points; `at` is the byte offset.
    Corrupt {
        /// Byte offset of the offending field.
        at: usize,
    },
    /// Too many releases, points or bytes for the format (packing).
    TooLarge {
        /// What overflowed: `releases`, `points`, `bytes`, `blocked ranges` or `version bytes`.
        what: &'static str,
        /// How many there were.
        count: usize,
    },
    /// The target given to `pack` is not a valid version in the catalog.
    UnknownTarget,
}

impl CompactError {
    /// Writes the message piece by piece (`Display` and `message` both write it).
    fn write_message(&self, s: &mut impl Sink) {
        match self {
            CompactError::Truncated { needed, len } => {
                s.text("compact catalog truncated: needs ");
                s.decimal(*needed as u64);
                s.text(" bytes, has ");
                s.decimal(*len as u64);
            }
            CompactError::BadMagic => s.text("not a compact catalog (bad magic)"),
            CompactError::Format(format) => {
                s.text("compact catalog format ");
                s.decimal(u64::from(*format));
                s.text(" is not supported (expected 1 or 2)");
            }
            CompactError::Corrupt { at } => {
                s.text("compact catalog is corrupt at byte ");
                s.decimal(*at as u64);
            }
            CompactError::TooLarge { what, count } => {
                s.text("catalog too large for the compact format: ");
                s.decimal(*count as u64);
                s.text(" ");
                s.text(what);
            }
            CompactError::UnknownTarget => s.text("pack target is not a release of the catalog"),
        }
    }
}

message_from_sink!(CompactError);

impl core::error::Error for CompactError {}

impl Registered for CompactError {
    fn registered(&self) -> Code {
        match self {
            CompactError::Truncated { .. } => codes::COMPACT_TRUNCATED,
            CompactError::BadMagic => codes::COMPACT_BAD_MAGIC,
            CompactError::Format(_) => codes::COMPACT_FORMAT,
            CompactError::Corrupt { .. } => codes::COMPACT_CORRUPT,
            CompactError::TooLarge { .. } => codes::COMPACT_TOO_LARGE,
            CompactError::UnknownTarget => codes::PLAN_UNKNOWN_TARGET,
        }
    }
}

impl ErrorCode for CompactError {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

/// Why the compact planner gives no next hop. Codes are the planner's (`plan.*`, `version.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HopError {
    /// The current or target version is malformed in the catalog's scheme.
    #[error("malformed version: {}", .0.code())]
    Version(VersionErrorKind),
    /// No target given and none packed.
    #[error("no target: none given and none packed in the catalog")]
    NoTarget,
    /// The target is not a release of the catalog.
    #[error("target is not in the catalog")]
    UnknownTarget,
    /// The target is yanked.
    #[error("target is yanked")]
    TargetYanked,
    /// The target is not for the packed model.
    #[error("target is not for the packed model")]
    TargetNotForModel,
    /// The target is not for the packed environment.
    #[error("target is not for the packed environment")]
    TargetNotForEnvironment,
    /// The target is below the current version.
    #[error("target is below the current version; downgrades are not allowed")]
    Downgrade,
    /// No chain of installs reaches the target.
    #[error("no path to the target")]
    Unreachable,
}

impl Registered for HopError {
    fn registered(&self) -> Code {
        match self {
            HopError::Version(k) => k.registered(),
            HopError::NoTarget => codes::COMPACT_NO_TARGET,
            HopError::UnknownTarget => codes::PLAN_UNKNOWN_TARGET,
            HopError::TargetYanked => codes::PLAN_TARGET_YANKED,
            HopError::TargetNotForModel => codes::PLAN_TARGET_MODEL,
            HopError::TargetNotForEnvironment => codes::PLAN_TARGET_ENVIRONMENT,
            HopError::Downgrade => codes::PLAN_DOWNGRADE,
            HopError::Unreachable => codes::PLAN_UNREACHABLE,
        }
    }
}

impl ErrorCode for HopError {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16, CompactError> {
    match bytes.get(at..at + 2) {
        Some(&[a, b]) => Ok(u16::from_le_bytes([a, b])),
        _ => Err(CompactError::Truncated {
            needed: at + 2,
            len: bytes.len(),
        }),
    }
}

fn u8_at(bytes: &[u8], at: usize) -> Result<u8, CompactError> {
    bytes.get(at).copied().ok_or(CompactError::Truncated {
        needed: at + 1,
        len: bytes.len(),
    })
}

fn scheme_of(code: u8) -> Option<Scheme> {
    match code {
        0 => Some(Scheme::Integer),
        1 => Some(Scheme::Semver),
        2 => Some(Scheme::Dotted),
        _ => None,
    }
}

#[cfg(feature = "alloc")]
const fn scheme_code(scheme: Scheme) -> u8 {
    match scheme {
        Scheme::Integer => 0,
        Scheme::Semver => 1,
        Scheme::Dotted => 2,
    }
}

/// A checked view of a compact catalog's bytes (no copy, no heap).
#[derive(Debug, Clone, Copy)]
pub struct CompactCatalog<'a> {
    bytes: &'a [u8],
    scheme: Scheme,
    points: usize,
    releases: usize,
    target: Option<usize>,
    model: Option<&'a str>,
    environment: Option<&'a str>,
    /// Byte offset of the release digest table (format 2 with flag bit 2), if any.
    digests: Option<usize>,
}

/// What a compact catalog says of one release, for binding a manifest to the catalog
/// ([`crate::manifest::Manifest::check_catalog`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseFacts<'a> {
    /// Withdrawn.
    pub yanked: bool,
    /// Not for the packed model.
    pub not_for_model: bool,
    /// Not for the packed environment.
    pub not_for_environment: bool,
    /// The image's SHA-256, when the catalog had one for it.
    pub sha256: Option<&'a [u8; DIGEST_LEN]>,
}

/// Flag bits of the header's byte 6.
const HEADER_FLAG_MODEL: u8 = 1;
const HEADER_FLAG_ENVIRONMENT: u8 = 2;
const HEADER_FLAG_DIGESTS: u8 = 4;

/// One release as the compact catalog stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rel {
    pslot: usize,
    lslot: usize,
    flags: u8,
    block_start: usize,
    block_count: usize,
}

impl Rel {
    fn eligible(&self) -> bool {
        self.flags & (FLAG_YANKED | FLAG_NOT_MODEL | FLAG_NOT_ENVIRONMENT) == 0
    }
}

impl<'a> CompactCatalog<'a> {
    /// Checks the header, every table's bounds, every string (UTF-8, well-formed in the
    /// scheme), that points are strictly ascending, and that releases are strictly ascending
    /// points. After this, no lookup can fail.
    pub fn parse(bytes: &'a [u8]) -> Result<CompactCatalog<'a>, CompactError> {
        if bytes.len() < HEADER_LEN {
            return Err(CompactError::Truncated {
                needed: HEADER_LEN,
                len: bytes.len(),
            });
        }
        if bytes.get(..4) != Some(&MAGIC[..]) {
            return Err(CompactError::BadMagic);
        }
        let format = u8_at(bytes, 4)?;
        let known_flags = match format {
            1 => HEADER_FLAG_MODEL | HEADER_FLAG_ENVIRONMENT,
            2 => HEADER_FLAG_MODEL | HEADER_FLAG_ENVIRONMENT | HEADER_FLAG_DIGESTS,
            _ => return Err(CompactError::Format(format)),
        };
        let scheme = scheme_of(u8_at(bytes, 5)?).ok_or(CompactError::Corrupt { at: 5 })?;
        let flags = u8_at(bytes, 6)?;
        if flags & !known_flags != 0 || u8_at(bytes, 7)? != 0 {
            return Err(CompactError::Corrupt { at: 6 });
        }
        let points = usize::from(u16_at(bytes, 8)?);
        let releases = usize::from(u16_at(bytes, 10)?);
        let blocks = usize::from(u16_at(bytes, 12)?);
        let target = u16_at(bytes, 14)?;
        if points > MAX_POINTS {
            return Err(CompactError::Corrupt { at: 8 });
        }
        if releases > MAX_RELEASES || releases > points {
            return Err(CompactError::Corrupt { at: 10 });
        }
        let target = match target {
            NO_TARGET => None,
            t if usize::from(t) < releases => Some(usize::from(t)),
            _ => return Err(CompactError::Corrupt { at: 14 }),
        };
        let tables = HEADER_LEN + points * POINT_LEN + releases * RELEASE_LEN + blocks * BLOCK_LEN;
        let digests = (flags & HEADER_FLAG_DIGESTS != 0).then_some(tables);
        let end = tables + digests.map_or(0, |_| releases * DIGEST_LEN);
        if bytes.len() < end {
            return Err(CompactError::Truncated {
                needed: end,
                len: bytes.len(),
            });
        }
        let mut c = CompactCatalog {
            bytes,
            scheme,
            points,
            releases,
            target,
            model: None,
            environment: None,
            digests,
        };
        let view = c;
        let text = |at: usize| view.text_at(at).ok_or(CompactError::Corrupt { at });
        c.model = (flags & HEADER_FLAG_MODEL != 0)
            .then(|| text(16))
            .transpose()?;
        c.environment = (flags & HEADER_FLAG_ENVIRONMENT != 0)
            .then(|| text(20))
            .transpose()?;
        // Points: valid in the scheme, strictly ascending.
        let mut prev: Option<&str> = None;
        for i in 0..points {
            let at = HEADER_LEN + i * POINT_LEN;
            let p = text(at)?;
            let order = match prev {
                None => compare(p, p, scheme),
                Some(q) => compare(q, p, scheme),
            };
            match order {
                Ok(Ordering::Less) => {}
                Ok(Ordering::Equal) if prev.is_none() => {}
                _ => return Err(CompactError::Corrupt { at }),
            }
            prev = Some(p);
        }
        c.points = points;
        // Releases: ascending points, slots in range, blocks in range.
        let nslots = 2 * points + 1;
        let mut last: Option<usize> = None;
        for i in 0..releases {
            let at = c.release_at(i);
            let r = c.rel(i).ok_or(CompactError::Truncated {
                needed: at + RELEASE_LEN,
                len: bytes.len(),
            })?;
            if last.is_some_and(|l| r.pslot <= l)
                || r.pslot % 2 == 0
                || r.pslot >= nslots
                || r.lslot >= nslots
                || r.flags & !FLAGS_KNOWN != 0
                || r.block_start + r.block_count > blocks
            {
                return Err(CompactError::Corrupt { at });
            }
            last = Some(r.pslot);
        }
        for b in 0..blocks {
            let at = c.block_at(b);
            // In range: the length was checked against the tables' end above.
            let Some(&[l0, l1, h0, h1]) = bytes.get(at..at + BLOCK_LEN) else {
                return Err(CompactError::Corrupt { at });
            };
            let (lo, hi) = (u16::from_le_bytes([l0, l1]), u16::from_le_bytes([h0, h1]));
            if lo > hi || usize::from(hi) >= nslots {
                return Err(CompactError::Corrupt { at });
            }
        }
        Ok(c)
    }

    /// The catalog's version scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Number of releases.
    pub fn release_count(&self) -> usize {
        self.releases
    }

    /// The packed target release's version, if one was packed.
    pub fn target(&self) -> Option<&'a str> {
        self.target.and_then(|t| self.version(t))
    }

    /// The model the catalog was packed for, if any.
    pub fn model(&self) -> Option<&'a str> {
        self.model
    }

    /// The environment the catalog was packed for, if any.
    pub fn environment(&self) -> Option<&'a str> {
        self.environment
    }

    /// What the catalog says of the release spelled `version` (compared in the catalog's
    /// scheme), or `None` when it is not a release of the catalog (or not a valid version).
    pub fn release(&self, version: &str) -> Option<ReleaseFacts<'a>> {
        let i = self.index_of_slot(self.slot_of(version).ok()?)?;
        let r = self.rel(i)?;
        let bytes: &'a [u8] = self.bytes;
        let sha256 = self.digests.and_then(|at| {
            let d: &'a [u8; DIGEST_LEN] = bytes.get(at + i * DIGEST_LEN..)?.first_chunk()?;
            // All zero: the catalog had no digest for this release.
            d.iter().any(|&b| b != 0).then_some(d)
        });
        Some(ReleaseFacts {
            yanked: r.flags & FLAG_YANKED != 0,
            not_for_model: r.flags & FLAG_NOT_MODEL != 0,
            not_for_environment: r.flags & FLAG_NOT_ENVIRONMENT != 0,
            sha256,
        })
    }

    fn release_at(&self, i: usize) -> usize {
        HEADER_LEN + self.points * POINT_LEN + i * RELEASE_LEN
    }

    fn block_at(&self, b: usize) -> usize {
        HEADER_LEN + self.points * POINT_LEN + self.releases * RELEASE_LEN + b * BLOCK_LEN
    }

    /// Release `i` (one bounds check for its 8 bytes; `None` only past the table, which
    /// `parse` rules out for every index below the release count).
    fn rel(&self, i: usize) -> Option<Rel> {
        let at = self.release_at(i);
        let &[p0, p1, l0, l1, flags, count, s0, s1] = self.bytes.get(at..at + RELEASE_LEN)? else {
            return None;
        };
        Some(Rel {
            pslot: 2 * usize::from(u16::from_le_bytes([p0, p1])) + 1,
            lslot: usize::from(u16::from_le_bytes([l0, l1])),
            flags,
            block_start: usize::from(u16::from_le_bytes([s0, s1])),
            block_count: usize::from(count),
        })
    }

    /// The release at slot `slot`, if one is there.
    #[inline(never)]
    fn index_of_slot(&self, slot: usize) -> Option<usize> {
        (0..self.releases).find(|&i| self.rel(i).is_some_and(|r| r.pslot == slot))
    }

    /// An (offset, length) pair at `at`, as a string of the catalog.
    fn text_at(&self, at: usize) -> Option<&'a str> {
        let &[o0, o1, n0, n1] = self.bytes.get(at..at + 4)? else {
            return None;
        };
        let off = usize::from(u16::from_le_bytes([o0, o1]));
        let len = usize::from(u16::from_le_bytes([n0, n1]));
        core::str::from_utf8(self.bytes.get(off..off + len)?).ok()
    }

    fn point(&self, i: usize) -> Option<&'a str> {
        self.text_at(HEADER_LEN + i * POINT_LEN)
    }

    /// Release `i`'s version as the catalog spells it.
    pub fn version(&self, i: usize) -> Option<&'a str> {
        let r = self.rel(i)?;
        self.point(r.pslot / 2)
    }

    /// The slot of `version` (checked in the scheme).
    fn slot_of(&self, version: &str) -> Result<usize, VersionErrorKind> {
        crate::version::check(version, self.scheme)?;
        let (mut lo, mut hi) = (0usize, self.points);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let p = self.point(mid).unwrap_or_default();
            match compare(p, version, self.scheme)? {
                Ordering::Less => lo = mid + 1,
                Ordering::Equal => return Ok(2 * mid + 1),
                Ordering::Greater => hi = mid,
            }
        }
        Ok(2 * lo)
    }

    fn blocked(&self, r: &Rel, x: usize) -> bool {
        (r.block_start..r.block_start + r.block_count).any(|b| {
            let at = self.block_at(b);
            // Past the table (which `parse` rules out) nothing is blocked.
            let Some(&[l0, l1, h0, h1]) = self.bytes.get(at..at + BLOCK_LEN) else {
                return false;
            };
            let (lo, hi) = (u16::from_le_bytes([l0, l1]), u16::from_le_bytes([h0, h1]));
            usize::from(lo) <= x && x <= usize::from(hi)
        })
    }

    /// Whether slot `x` is the slot of a dead-end release.
    fn deadend_slot(&self, x: usize) -> bool {
        (0..self.releases)
            .filter_map(|i| self.rel(i))
            .any(|r| r.pslot == x && r.flags & FLAG_DEADEND != 0)
    }

    /// The best way on from slot `x` toward release `t`: `(hops, release)`, given `hops[r]`
    /// for every release above `x` up to `t` (`u8::MAX`: no way on).
    fn best_from(&self, x: usize, t: usize, hops: &[u8; MAX_RELEASES]) -> Option<(u8, usize)> {
        if self.deadend_slot(x) {
            return None;
        }
        let mut best: Option<(u8, usize)> = None;
        for i in 0..=t {
            let Some(r) = self.rel(i) else { continue };
            let h = hops.get(i).copied().unwrap_or(u8::MAX);
            if r.pslot <= x || h == u8::MAX || !r.eligible() || r.lslot > x || self.blocked(&r, x) {
                continue;
            }
            // Fewest hops; on a tie the higher version (a later index) wins.
            if best.is_none_or(|(bh, _)| h <= bh) {
                best = Some((h, i));
            }
        }
        best.map(|(h, i)| (h.saturating_add(1), i))
    }

    /// The first hop from `current` toward `target` (or the packed target when `None`), by
    /// hops, as [`crate::plan::next_hop`] answers for the packed model and environment.
    /// `Ok(None)`: already at the target. Heap-free; time O(n² · b) for `n` releases.
    pub fn next_hop(
        &self,
        current: &str,
        target: Option<&str>,
    ) -> Result<Option<&'a str>, HopError> {
        let cslot = self.slot_of(current).map_err(HopError::Version)?;
        let t = match target {
            Some(text) => {
                let s = self.slot_of(text).map_err(HopError::Version)?;
                self.index_of_slot(s).ok_or(HopError::UnknownTarget)?
            }
            None => self.target.ok_or(HopError::NoTarget)?,
        };
        let tr = self.rel(t).ok_or(HopError::UnknownTarget)?;
        if tr.flags & FLAG_YANKED != 0 {
            return Err(HopError::TargetYanked);
        }
        if tr.flags & FLAG_NOT_MODEL != 0 {
            return Err(HopError::TargetNotForModel);
        }
        if tr.flags & FLAG_NOT_ENVIRONMENT != 0 {
            return Err(HopError::TargetNotForEnvironment);
        }
        match cslot.cmp(&tr.pslot) {
            Ordering::Equal => return Ok(None),
            Ordering::Greater => return Err(HopError::Downgrade),
            Ordering::Less => {}
        }
        // hops[i]: fewest installs from release i to the target (u8::MAX: none), filled from
        // the target downward; only releases in (current, target] matter.
        let mut hops = [u8::MAX; MAX_RELEASES];
        if let Some(h) = hops.get_mut(t) {
            *h = 0;
        }
        for i in (0..t).rev() {
            let Some(r) = self.rel(i) else { continue };
            if r.pslot <= cslot {
                break;
            }
            if !r.eligible() {
                continue;
            }
            if let (Some((h, _)), Some(slot)) = (self.best_from(r.pslot, t, &hops), hops.get_mut(i))
            {
                *slot = h;
            }
        }
        match self.best_from(cslot, t, &hops) {
            Some((_, i)) => Ok(self.version(i)),
            None => Err(HopError::Unreachable),
        }
    }
}

#[cfg(feature = "alloc")]
mod pack;
#[cfg(feature = "alloc")]
pub use pack::{PackError, PackOptions, pack};

#[cfg(all(test, feature = "serde"))]
mod tests;

/// The messages of [`CompactError`], word for word those its `#[error(...)]` attributes wrote
/// before `write_message`.
#[cfg(all(test, feature = "std"))]
mod message_tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn before(e: &CompactError) -> String {
        match e {
            CompactError::Truncated { needed, len } => {
                format!("compact catalog truncated: needs {needed} bytes, has {len}")
            }
            CompactError::BadMagic => "not a compact catalog (bad magic)".into(),
            CompactError::Format(f) => {
                format!("compact catalog format {f} is not supported (expected 1 or 2)")
            }
            CompactError::Corrupt { at } => format!("compact catalog is corrupt at byte {at}"),
            CompactError::TooLarge { what, count } => {
                format!("catalog too large for the compact format: {count} {what}")
            }
            CompactError::UnknownTarget => "pack target is not a release of the catalog".into(),
        }
    }

    #[test]
    fn messages_are_the_texts_the_error_attributes_wrote() {
        let mut errors = Vec::new();
        for n in [0usize, 1, 255, usize::MAX] {
            errors.extend([
                CompactError::Truncated {
                    needed: n,
                    len: n / 3,
                },
                CompactError::Format(n as u8),
                CompactError::Corrupt { at: n },
                CompactError::TooLarge {
                    what: "releases",
                    count: n,
                },
            ]);
        }
        errors.extend([CompactError::BadMagic, CompactError::UnknownTarget]);
        for bad in [
            &b""[..],
            b"SSCC",
            b"XXXXXXXXXXXXXXXX",
            b"SSCC\x09\0\0\0\0\0\0\0\0\0\0\0",
        ] {
            errors.extend(CompactCatalog::parse(bad).err());
        }
        crate::error::assert_messages(&errors, 6, before);
    }
}
