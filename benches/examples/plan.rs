//! A stand-in for `stepstone plan CATALOG --from V --to V [--cost bytes] --format json` until
//! the CLI has it: reads the catalog, plans once, prints `{"path": [...], "hops": N, "bytes": N}`.
//!
//! ```text
//! cargo run --release -p stepstone-benches --example plan -- CATALOG FROM TO [hops|bytes] [RUNS] [--model M]
//! ```
//! With RUNS, also plans RUNS times in-process and adds `"core_ns"`: the median thread CPU
//! time of one `plan` call (catalog already loaded), for the baseline script's core ratio.
//! `--model M`: the device's model (needed when the catalog's releases differ by model, as the
//! generated ones do).

use std::process::ExitCode;

use stepstone::catalog::Catalog;
use stepstone::plan::{Cost, Query, plan};
use stepstone_benches::cpu::thread_cpu_ns;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let model = match args.iter().position(|a| a == "--model") {
        Some(i) if i + 1 < args.len() => {
            let m = args.remove(i + 1);
            args.remove(i);
            Some(m)
        }
        Some(_) => {
            eprintln!("--model needs a value");
            return ExitCode::from(2);
        }
        None => None,
    };
    let [path, from, to, rest @ ..] = args.as_slice() else {
        eprintln!("usage: plan CATALOG FROM TO [hops|bytes] [RUNS] [--model M]");
        return ExitCode::from(2);
    };
    let run = || -> Result<String, String> {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let catalog = Catalog::from_json(&text).map_err(|e| e.to_string())?;
        let cost: Cost = rest
            .first()
            .map_or(Ok(Cost::Hops), |c| c.parse())
            .map_err(|e| format!("{e}"))?;
        let mut q = Query::parse(&catalog, from, to)
            .map_err(|e| e.to_string())?
            .cost(cost);
        q.model = model.clone();
        let p = plan(&catalog, &q).map_err(|e| e.to_string())?;
        let path: Vec<&str> = p.path.iter().map(|v| v.as_str()).collect();
        let mut line = format!(
            "{{\"path\": {:?}, \"hops\": {}, \"bytes\": {}",
            path,
            p.hops,
            p.bytes.map_or("null".into(), |b| b.to_string())
        );
        if let Some(runs) = rest.get(1).and_then(|r| r.parse::<usize>().ok()) {
            let mut times: Vec<u64> = (0..runs.max(1))
                .map(|_| {
                    let t0 = thread_cpu_ns();
                    let p = plan(std::hint::black_box(&catalog), &q);
                    let t = thread_cpu_ns() - t0;
                    std::hint::black_box(p.map(|p| p.hops).ok());
                    t
                })
                .collect();
            times.sort_unstable();
            line += &format!(", \"core_ns\": {}", times[times.len() / 2]);
        }
        Ok(line + "}")
    };
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
