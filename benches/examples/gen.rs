//! Writes a generated catalog (and optionally a device list) for the CLI and the baseline
//! scripts:
//!
//! ```text
//! cargo run --release -p stepstone-benches --example gen -- RELEASES SEED CATALOG.json [DEVICES.csv ROWS]
//! ```
//! Prints `FROM TO` (the lowest and the highest release) on stdout.

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: gen RELEASES SEED CATALOG.json [DEVICES.csv ROWS]";
    let (Some(n), Some(seed), Some(path)) = (
        args.first()
            .and_then(|a| a.parse::<usize>().ok())
            .filter(|n| *n > 0),
        args.get(1).and_then(|a| a.parse::<u64>().ok()),
        args.get(2),
    ) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let catalog = stepstone_benches::catalog(n, seed);
    if let Err(e) = std::fs::write(path, catalog.to_json()) {
        eprintln!("error: {path}: {e}");
        return ExitCode::from(2);
    }
    if let (Some(csv), Some(rows)) = (args.get(3), args.get(4).and_then(|r| r.parse().ok())) {
        let written = File::create(csv).and_then(|f| {
            let mut out = BufWriter::new(f);
            stepstone_benches::write_devices_csv(&mut out, &catalog, rows, seed)?;
            std::io::Write::flush(&mut out)
        });
        if let Err(e) = written {
            eprintln!("error: {csv}: {e}");
            return ExitCode::from(2);
        }
    }
    let (lo, hi) = stepstone_benches::ends(&catalog);
    println!("{lo} {hi}");
    ExitCode::SUCCESS
}
