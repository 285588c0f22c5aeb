//! Writing a compact catalog (needs the heap; runs on the server or in the CLI).

use alloc::string::String;
use alloc::vec::Vec;

use super::{
    BLOCK_LEN, CompactError, DIGEST_LEN, FLAG_DEADEND, FLAG_NOT_ENVIRONMENT, FLAG_NOT_MODEL,
    FLAG_YANKED, FORMAT, HEADER_FLAG_DIGESTS, HEADER_FLAG_ENVIRONMENT, HEADER_FLAG_MODEL,
    HEADER_LEN, MAGIC, MAX_POINTS, MAX_RELEASES, NO_TARGET, POINT_LEN, RELEASE_LEN, scheme_code,
};
use crate::catalog::Catalog;
use crate::error::ErrorCode;
use crate::plan::PlanError;
use crate::plan::sweep::lower_bounds;
use crate::version::{Version, VersionKey};

/// What a compact catalog is packed for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackOptions {
    /// The default target (a release version), used when the device names none.
    pub target: Option<String>,
    /// The device model: releases not for it are marked so (as `Query::model`).
    pub model: Option<String>,
    /// The device environment: releases not for it are marked so.
    pub environment: Option<String>,
}

/// Why [`pack`] refuses: the device it is for, or the catalog's fit to the format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// The model or environment packed for is missing where the catalog's releases differ by
    /// it, or is one no release names ([`Catalog::check_device`]: `plan.model_required`,
    /// `plan.unknown_model`, `plan.environment_required`, `plan.unknown_environment`).
    #[error(transparent)]
    Device(#[from] PlanError),
    /// Too large for the format, or a target that is not a release (`compact.too_large`,
    /// `plan.unknown_target`).
    #[error(transparent)]
    Compact(#[from] CompactError),
}

impl ErrorCode for PackError {
    fn code(&self) -> &'static str {
        match self {
            PackError::Device(e) => e.code(),
            PackError::Compact(e) => e.code(),
        }
    }
}

fn too_large(what: &'static str, count: usize) -> CompactError {
    CompactError::TooLarge { what, count }
}

fn u16_of(what: &'static str, n: usize) -> Result<u16, CompactError> {
    u16::try_from(n).map_err(|_| too_large(what, n))
}

/// Packs `catalog` for one model and environment. The device is checked first, as every plan
/// checks it: a catalog whose releases differ by model (or environment) is packed for a stated
/// one that a release names ([`PackError::Device`]); otherwise the device would be routed
/// through releases that are not for it. Then [`PackError::Compact`]: more than
/// [`MAX_RELEASES`](super::MAX_RELEASES) releases, [`MAX_POINTS`](super::MAX_POINTS) points,
/// 255 blocked ranges on one release, or 64 KiB in all; a target that is not a release.
pub fn pack(catalog: &Catalog, options: &PackOptions) -> Result<Vec<u8>, PackError> {
    catalog.check_device(options.model.as_deref(), options.environment.as_deref())?;
    Ok(pack_checked(catalog, options)?)
}

fn pack_checked(catalog: &Catalog, options: &PackOptions) -> Result<Vec<u8>, CompactError> {
    let releases = catalog.releases();
    if releases.len() > MAX_RELEASES {
        return Err(too_large("releases", releases.len()));
    }
    let target = match &options.target {
        None => NO_TARGET,
        Some(t) => {
            let v = catalog
                .parse_version(t)
                .map_err(|_| CompactError::UnknownTarget)?;
            let i = catalog
                .index_of(v.key())
                .ok_or(CompactError::UnknownTarget)?;
            u16_of("releases", i)?
        }
    };

    // Points: every version the install rule compares against.
    let lower = lower_bounds(catalog);
    let mut points: Vec<&Version> = releases.iter().map(|r| &r.version).collect();
    for (i, r) in releases.iter().enumerate() {
        if let Some(Some(l)) = lower.get(i)
            && let Some(v) = find_version(catalog, l)
        {
            points.push(v);
        }
        for b in &r.blocked_from {
            points.extend(b.comparators().iter().map(|c| &c.version));
        }
    }
    // Release spellings come first and the sort is stable: a release's point keeps its spelling.
    points.sort_by(|a, b| a.key().cmp(b.key()));
    points.dedup_by(|a, b| a.key() == b.key());
    if points.len() > MAX_POINTS {
        return Err(too_large("points", points.len()));
    }
    let keys: Vec<&VersionKey> = points.iter().map(|v| v.key()).collect();
    let slot = |k: &VersionKey| match keys.binary_search(&k) {
        Ok(i) => 2 * i + 1,
        Err(i) => 2 * i,
    };
    let nslots = 2 * keys.len() + 1;

    let mut rel_table = Vec::with_capacity(releases.len() * RELEASE_LEN);
    let mut block_table = Vec::new();
    let mut nblocks = 0usize;
    for (i, r) in releases.iter().enumerate() {
        let top = slot(r.version.key());
        let lslot = lower.get(i).copied().flatten().map_or(0, slot);
        let mut flags = 0u8;
        if r.yanked {
            flags |= FLAG_YANKED;
        }
        if r.deadend {
            flags |= FLAG_DEADEND;
        }
        if !r.fits_model(options.model.as_deref()) {
            flags |= FLAG_NOT_MODEL;
        }
        if !r.fits_environment(options.environment.as_deref()) {
            flags |= FLAG_NOT_ENVIRONMENT;
        }
        let start = nblocks;
        let mut count = 0usize;
        for b in &r.blocked_from {
            // The same slot interval the planner's sweep uses, cut below the release.
            let lo = b
                .lower()
                .map_or(0, |(v, inc)| slot(v.key()) + usize::from(!inc));
            let hi = b.upper().map_or(nslots - 1, |(v, inc)| {
                (slot(v.key()) + usize::from(inc)).saturating_sub(1)
            });
            let hi = hi.min(top.saturating_sub(1));
            if top == 0 || lo > hi {
                continue;
            }
            block_table.extend_from_slice(&u16_of("points", lo)?.to_le_bytes());
            block_table.extend_from_slice(&u16_of("points", hi)?.to_le_bytes());
            count += 1;
            nblocks += 1;
        }
        let count = u8::try_from(count).map_err(|_| too_large("blocked ranges", count))?;
        rel_table.extend_from_slice(&u16_of("points", top / 2)?.to_le_bytes());
        rel_table.extend_from_slice(&u16_of("points", lslot)?.to_le_bytes());
        rel_table.push(flags);
        rel_table.push(count);
        rel_table.extend_from_slice(&u16_of("blocked ranges", start)?.to_le_bytes());
    }

    // Release digests (format 2): when any release has a sha256, one 32-byte entry per
    // release, all zero for a release without one.
    let with_digests = releases.iter().any(|r| r.sha256.is_some());
    let mut digest_table = Vec::new();
    if with_digests {
        for r in releases {
            digest_table.extend_from_slice(&r.sha256.unwrap_or([0u8; DIGEST_LEN]));
        }
    }

    // Strings after the tables: model, environment, then the points.
    let strings_at = HEADER_LEN
        + points.len() * POINT_LEN
        + releases.len() * RELEASE_LEN
        + nblocks * BLOCK_LEN
        + digest_table.len();
    let mut strings: Vec<u8> = Vec::new();
    let mut add = |text: &str| -> Result<[u8; 4], CompactError> {
        let off = u16_of("bytes", strings_at + strings.len())?;
        let len = u16_of("version bytes", text.len())?;
        strings.extend_from_slice(text.as_bytes());
        let [a, b] = off.to_le_bytes();
        let [c, d] = len.to_le_bytes();
        Ok([a, b, c, d])
    };
    let model = options.model.as_deref().map(&mut add).transpose()?;
    let environment = options.environment.as_deref().map(&mut add).transpose()?;
    let mut point_table = Vec::with_capacity(points.len() * POINT_LEN);
    for p in &points {
        point_table.extend_from_slice(&add(p.as_str())?);
    }
    u16_of("bytes", strings_at + strings.len())?;

    let mut out = Vec::with_capacity(strings_at + strings.len());
    out.extend_from_slice(&MAGIC);
    out.push(FORMAT);
    out.push(scheme_code(catalog.scheme()));
    let mut flags = 0u8;
    if model.is_some() {
        flags |= HEADER_FLAG_MODEL;
    }
    if environment.is_some() {
        flags |= HEADER_FLAG_ENVIRONMENT;
    }
    if with_digests {
        flags |= HEADER_FLAG_DIGESTS;
    }
    out.push(flags);
    out.push(0);
    out.extend_from_slice(&u16_of("points", points.len())?.to_le_bytes());
    out.extend_from_slice(&u16_of("releases", releases.len())?.to_le_bytes());
    out.extend_from_slice(&u16_of("blocked ranges", nblocks)?.to_le_bytes());
    out.extend_from_slice(&target.to_le_bytes());
    out.extend_from_slice(&model.unwrap_or_default());
    out.extend_from_slice(&environment.unwrap_or_default());
    out.extend_from_slice(&point_table);
    out.extend_from_slice(&rel_table);
    out.extend_from_slice(&block_table);
    out.extend_from_slice(&digest_table);
    out.extend_from_slice(&strings);
    Ok(out)
}

/// The catalog's own spelling of a lower bound (a `min_sw_version` or a barrier).
fn find_version<'c>(catalog: &'c Catalog, key: &VersionKey) -> Option<&'c Version> {
    catalog.releases().iter().find_map(|r| {
        if r.version.key() == key {
            return Some(&r.version);
        }
        r.min_sw_version.as_ref().filter(|m| m.key() == key)
    })
}
