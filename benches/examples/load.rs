//! Where the time of `stepstone plan CATALOG --from V --to V --format json` goes, in-process:
//! reading the file, loading the catalog (`Catalog::from_json`: the fast path for a valid
//! catalog), planning, and dropping the catalog; and, for comparison, the `Value` walk alone.
//!
//! ```text
//! cargo run --release -p stepstone-benches --example load -- CATALOG FROM TO [RUNS=21] [walk]
//! ```
//! Prints one JSON line of medians (thread CPU ns over RUNS runs); the walk is timed only when
//! asked for (`walk`), so that a profile of the fast path is not drowned by it.

use std::process::ExitCode;

use stepstone::catalog::Catalog;
use stepstone::plan::{Query, plan};
use stepstone_benches::cpu::thread_cpu_ns;

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, from, to, rest @ ..] = args.as_slice() else {
        eprintln!("usage: load CATALOG FROM TO [RUNS]");
        return ExitCode::from(2);
    };
    let runs = rest.first().and_then(|r| r.parse().ok()).unwrap_or(21usize);
    let with_walk = rest.get(1).is_some_and(|w| w == "walk");

    let (mut read, mut load, mut walk, mut planned, mut drop) =
        (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let t0 = thread_cpu_ns();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {path}: {e}");
                return ExitCode::from(2);
            }
        };
        let t1 = thread_cpu_ns();
        let catalog = match Catalog::from_json(&text) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        let t2 = thread_cpu_ns();
        let hops = Query::parse(&catalog, from, to)
            .ok()
            .and_then(|q| plan(&catalog, &q).ok())
            .map(|p| p.hops);
        let t3 = thread_cpu_ns();
        std::hint::black_box(hops);
        std::mem::drop(catalog);
        let t4 = thread_cpu_ns();
        if with_walk {
            let walked = Catalog::from_json_walked(&text).map(|c| c.releases().len());
            std::hint::black_box(walked.ok());
        }
        let t5 = thread_cpu_ns();
        read.push(t1 - t0);
        load.push(t2 - t1);
        planned.push(t3 - t2);
        drop.push(t4 - t3);
        walk.push(t5 - t4);
    }
    let walk = if with_walk {
        format!(", \"walk_ns\": {}", median(walk))
    } else {
        String::new()
    };
    println!(
        "{{\"read_ns\": {}, \"from_json_ns\": {}, \"plan_ns\": {}, \"drop_ns\": {}{walk}}}",
        median(read),
        median(load),
        median(planned),
        median(drop),
    );
    ExitCode::SUCCESS
}
