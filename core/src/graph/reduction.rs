//! The transitive reduction of the install relation: the fewest edges with the same
//! reachability. An edge `a → b` is kept when no other chain of installs leads from `a` to `b`;
//! every install the full graph has is still a path in the reduced one. Where the full graph is
//! quadratic (every release installs every later one up to the next stepping stone), the
//! reduction is about one edge per release, so a thousand-release catalog can be drawn.
//!
//! ```
//! use stepstone::catalog::Catalog;
//! use stepstone::graph::reduced_edges;
//! let catalog = Catalog::from_json(r#"{"releases": [
//!   {"version": "v1"}, {"version": "v2"}, {"version": "v3"},
//!   {"version": "v4", "min_sw_version": "v3"}]}"#).unwrap();
//! // The full relation has v1 → v2, v1 → v3, v2 → v3, v3 → v4: v1 → v3 goes through v2.
//! assert_eq!(reduced_edges(&catalog, None, None), [(0, 1), (1, 2), (2, 3)]);
//! ```

use alloc::vec;
use alloc::vec::Vec;

use super::Installs;
use crate::catalog::Catalog;

/// The edges of the transitive reduction of the install relation for devices of `model` in
/// `environment`, as `(from, to)` indices into `catalog.releases()`, by `to` then `from`
/// ascending. Unchecked (no device rule): [`super::wire_edges`] checks the device first.
///
/// The relation only goes up (`from < to`), so releases in version order are a topological
/// order. Each release's reachable set is a bit set, built from the highest release down: the
/// direct installs of `a` are visited from the lowest up, and `a → b` is kept when `b` is not
/// yet reachable through the ones kept before it (any other chain from `a` to `b` starts with
/// a lower release). Time O(n² + n·k·n/64) for `k` kept edges per release, memory n²/8 bytes
/// (12.5 MB at 10,000 releases); the full edge list is never built.
pub fn reduced_edges(
    catalog: &Catalog,
    model: Option<&str>,
    environment: Option<&str>,
) -> Vec<(usize, usize)> {
    let installs = Installs::new(catalog, model, environment);
    let n = catalog.releases().len();
    let words = n.div_ceil(64);
    let mut reach = vec![0u64; n * words];
    let mut kept = Vec::new();
    for a in (0..n).rev() {
        if !installs.shown(a) {
            continue;
        }
        // Rows above `a` are final; `a`'s own row is built here from them.
        let (low, high) = reach.split_at_mut((a + 1) * words);
        let row = &mut low[a * words..];
        for b in a + 1..n {
            if !installs.shown(b) || !installs.direct(a, b) || bit(row, b) {
                continue;
            }
            kept.push((a, b));
            set(row, b);
            let from = (b - a - 1) * words;
            if let Some(below) = high.get(from..from + words) {
                for (w, x) in row.iter_mut().zip(below) {
                    *w |= x;
                }
            }
        }
    }
    kept.sort_unstable_by_key(|&(a, b)| (b, a));
    kept
}

fn bit(row: &[u64], i: usize) -> bool {
    row.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

fn set(row: &mut [u64], i: usize) {
    if let Some(w) = row.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}
