//! The catalog walk (`Catalog::from_json_walked`, what `Catalog::from_json` runs for an invalid
//! catalog, and for every catalog in the WASM module) with core's own JSON reader, against the
//! same walk over `serde_json::Value` (the reader it replaced), in one process:
//!
//! ```text
//! cargo run --release -p stepstone-benches --example walk -- [RUNS=15]
//! ```
//! For generated catalogs of 60, 1,000 and 10,000 releases, valid and broken (an unknown field
//! in every release), prints the median thread CPU time of each reader and their ratio
//! (`core / serde_json`: below 1 is faster).

use stepstone::catalog::{Catalog, CatalogError, CatalogErrors};
use stepstone_benches::cpu::thread_cpu_ns;

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn serde_path(text: &str) -> Result<Catalog, CatalogErrors> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => Catalog::from_json_value(&value),
        Err(e) => Err(CatalogErrors(vec![CatalogError::Json {
            message: e.to_string(),
        }])),
    }
}

fn main() {
    let runs = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(15usize);
    println!("releases  catalog  core_ns  serde_json_ns  ratio");
    for n in [60, 1_000, 10_000] {
        let valid = stepstone_benches::catalog(n, 7).to_json();
        let broken = valid.replace("\"version\":", "\"colour\": 1, \"version\":");
        for (name, text) in [("valid", &valid), ("broken", &broken)] {
            // The two readers must agree before they are timed.
            assert_eq!(Catalog::from_json_walked(text), serde_path(text));
            let (mut ours, mut theirs) = (vec![], vec![]);
            for _ in 0..runs {
                let t0 = thread_cpu_ns();
                std::hint::black_box(Catalog::from_json_walked(text).is_ok());
                let t1 = thread_cpu_ns();
                std::hint::black_box(serde_path(text).is_ok());
                let t2 = thread_cpu_ns();
                ours.push(t1 - t0);
                theirs.push(t2 - t1);
            }
            let (a, b) = (median(ours), median(theirs));
            println!(
                "{n:>8}  {name:>7}  {a:>7}  {b:>13}  {:.2}",
                a as f64 / b as f64
            );
        }
    }
}
