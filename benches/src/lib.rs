//! Helpers shared by the benchmarks and the baseline scripts: a realistic, seeded catalog
//! generator and device lists.
//!
//! The catalogs look like a real firmware stream (integer scheme, build numbers):
//! - a *major* every ~`minors_per_major` releases (5..=15, seeded); each needs the previous
//!   major, or (40 %) a recent minor of it (`min_sw_version`), and about one major in ten is a
//!   Fedora-CoreOS-style `barrier`;
//! - *minors* in between, each needing its major; about 2 % are yanked, 1 % are dead ends,
//!   1 % are blocked from the minor before them (OpenShift), 10 % are for model `A` only and
//!   10 % for `B` only (the rest, and every major, for every model);
//! - a size of 8–64 MiB each, and a delta (5–15 % of the size) from the release before;
//! - the lowest release is a major and the highest an unyanked major for every model, so a plan
//!   from the lowest to the highest exists for every model (and, with minors for one model,
//!   a plan states its model: the benchmarks plan for model `A`).
//!
//! Everything is a pure function of `(releases, seed)`, so the Rust benchmarks, the CLI and
//! the Python baseline see the same catalogs (`cargo run -p stepstone-benches --example gen`
//! writes the JSON).
//!
//! ```
//! let c = stepstone_benches::catalog(1_000, 7);
//! assert_eq!(c.releases().len(), 1_000);
//! assert_eq!(stepstone_benches::catalog(1_000, 7), c);
//! ```

use std::io::{self, Write};

pub mod cpu;

use stepstone::catalog::{Catalog, Delta, Release};
use stepstone::version::{Scheme, Version, VersionKey};

/// A small deterministic PRNG (SplitMix64): no dependency, same numbers everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.next_u64() % 1000 < per_mille
    }
}

fn version(n: u64) -> Version {
    // ok: "v<digits>" is always an integer-scheme version.
    Version::parse(&format!("v{n}"), Scheme::Integer).expect("generated version")
}

/// The releases of a generated catalog, lowest first (see the crate docs for their shape).
pub fn releases(count: usize, seed: u64) -> Vec<Release> {
    let mut rng = Rng::new(seed);
    let mut out: Vec<Release> = Vec::with_capacity(count);
    // Index of the current major, and of the minors of the current major that may serve as
    // the next major's stepping stone (not yanked, not a dead end, for every model).
    let mut major: Option<usize> = None;
    let mut stones: Vec<usize> = Vec::new();
    let mut minors_left = 0u64;
    let mut number = 10_000u64;
    while out.len() < count {
        let last = out.len() + 1 == count;
        let is_major = major.is_none() || minors_left == 0 || last;
        let mut r;
        if is_major {
            number = (number / 100 + 1) * 100;
            r = Release::new(version(number));
            r.kind = Some("major".into());
            if let Some(m) = major {
                let min = match stones.last() {
                    Some(_) if rng.chance(400) => {
                        // A recent minor: one of the last three stepping stones.
                        let back = rng.range(0, 2.min(stones.len() as u64 - 1)) as usize;
                        stones[stones.len() - 1 - back]
                    }
                    _ => m,
                };
                r.min_sw_version = Some(out[min].version.clone());
            }
            r.barrier = major.is_some() && rng.chance(100);
            major = Some(out.len());
            stones.clear();
            minors_left = rng.range(4, 14);
        } else {
            number += 1;
            r = Release::new(version(number));
            r.kind = Some("minor".into());
            // ok: a minor always follows its major.
            r.min_sw_version = Some(out[major.expect("a major first")].version.clone());
            r.yanked = rng.chance(20);
            r.deadend = !r.yanked && rng.chance(10);
            if rng.chance(10)
                && let Some(prev) = out.last().filter(|p| p.kind.as_deref() == Some("minor"))
            {
                // ok: an exact version is a valid range.
                let range =
                    stepstone::version::VersionRange::parse(prev.version.as_str(), Scheme::Integer)
                        .expect("a version is a range");
                r.blocked_from.push(range);
            }
            match rng.range(0, 9) {
                0 => r.models = Some(vec!["A".into()]),
                1 => r.models = Some(vec!["B".into()]),
                _ => {}
            }
            if !r.yanked && !r.deadend && r.models.is_none() {
                stones.push(out.len());
            }
            minors_left -= 1;
        }
        let size = rng.range(8 << 20, 64 << 20);
        r.size = Some(size);
        if let Some(prev) = out.last() {
            r.deltas.push(Delta {
                from: prev.version.clone(),
                size: size * rng.range(5, 15) / 100,
                sha256: None,
            });
        }
        out.push(r);
    }
    out
}

/// A generated catalog of `count` releases.
pub fn catalog(count: usize, seed: u64) -> Catalog {
    // ok: the generator only makes valid releases (a test checks it).
    Catalog::new(Scheme::Integer, releases(count, seed)).expect("generated catalog is valid")
}

/// The lowest and the highest release of a catalog (the benchmarks' plan).
pub fn ends(catalog: &Catalog) -> (Version, Version) {
    let r = catalog.releases();
    (r[0].version.clone(), r[r.len() - 1].version.clone())
}

/// `n` device versions spread over the catalog: 90 % at a release, 10 % between or below
/// releases (devices with builds the catalog does not list), for the integer scheme.
pub fn device_versions(catalog: &Catalog, n: usize, seed: u64) -> Vec<u64> {
    let mut rng = Rng::new(seed ^ 0xD1CE);
    let ints: Vec<u64> = catalog
        .releases()
        .iter()
        .filter_map(|r| r.version.key().as_integer())
        .collect();
    let (lo, hi) = (ints[0].saturating_sub(50), ints[ints.len() - 1]);
    (0..n)
        .map(|_| {
            if rng.chance(900) {
                ints[rng.range(0, ints.len() as u64 - 1) as usize]
            } else {
                rng.range(lo, hi)
            }
        })
        .collect()
}

/// The same device versions as keys (what [`stepstone::campaign::CampaignTable::next_hop`]
/// takes).
pub fn device_keys(catalog: &Catalog, n: usize, seed: u64) -> Vec<VersionKey> {
    device_versions(catalog, n, seed)
        .into_iter()
        .map(VersionKey::Integer)
        .collect()
}

/// Writes `n` rows of `device_id,version,model` (models `A`, `B`, and a few with none, which
/// `stepstone next-hop` refuses with `plan.model_required`: the generated releases differ by
/// model), the device-list format of `stepstone next-hop`.
pub fn write_devices_csv(
    out: &mut impl Write,
    catalog: &Catalog,
    n: usize,
    seed: u64,
) -> io::Result<()> {
    let mut rng = Rng::new(seed ^ 0xC5C5);
    // `stepstone next-hop` requires a header for CSV (its columns may come in any order).
    writeln!(out, "device_id,version,model")?;
    for (i, v) in device_versions(catalog, n, seed).into_iter().enumerate() {
        let model = match rng.range(0, 19) {
            0 => "",
            x if x % 2 == 0 => "A",
            _ => "B",
        };
        writeln!(out, "dev-{i:07},v{v},{model}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepstone::plan::{Query, plan};

    #[test]
    fn generated_catalogs_are_valid_deterministic_and_plannable() {
        for (n, seed) in [(2, 1), (100, 2), (1_000, 3), (5_000, 4)] {
            let c = catalog(n, seed);
            assert_eq!(c.releases().len(), n);
            assert_eq!(catalog(n, seed), c);
            assert_eq!(Catalog::from_json(&c.to_json()).unwrap(), c);
            let (lo, hi) = ends(&c);
            for model in ["A", "B"] {
                let p = plan(&c, &Query::new(lo.clone(), hi.clone()).model(model)).unwrap();
                assert_eq!(p.path.last(), Some(&hi));
            }
            // Some minors are for one model only: a plan must name the model, unless the
            // catalog is too small to have such a minor.
            let q = Query::new(lo.clone(), hi.clone());
            match plan(&c, &q) {
                Ok(p) => {
                    assert!(c.releases().iter().all(|r| r.models.is_none()), "{n}");
                    assert_eq!(p.path.last(), Some(&hi));
                }
                Err(e) => assert_eq!(stepstone::ErrorCode::code(&e), "plan.model_required"),
            }
        }
    }

    #[test]
    fn generated_catalogs_have_every_feature() {
        let c = catalog(2_000, 9);
        let r = c.releases();
        assert!(r.iter().any(|r| r.yanked));
        assert!(r.iter().any(|r| r.barrier));
        assert!(r.iter().any(|r| r.deadend));
        assert!(r.iter().any(|r| !r.blocked_from.is_empty()));
        assert!(r.iter().any(|r| r.models.is_some()));
        assert!(
            r.iter()
                .skip(1)
                .all(|r| r.deltas.len() == 1 && r.size.is_some())
        );
    }
}
