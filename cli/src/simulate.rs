//! `stepstone simulate`: a discrete-event fleet simulation of the reconciler
//! (crate `stepstone-sim`), with a progress bar on stderr.

use std::process::ExitCode;
use std::time::Instant;

use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressStyle};
use stepstone::retry::RetryPolicy;
use stepstone::rollout::Rollout;
use stepstone::sample::fleet::format_bytes;
use stepstone_sim::{Report, SimConfig, Simulation};

use crate::output::{Failure, Format, load_catalog, print_json, read_json_text};

/// Arguments of `stepstone simulate`.
#[derive(ClapArgs)]
pub struct Args {
    /// Catalog JSON file.
    #[arg(long)]
    catalog: String,
    /// Target release.
    #[arg(long)]
    target: String,
    /// Number of devices (at least 1).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    devices: u32,
    /// Where every device starts (default: the catalog's lowest release for the model and
    /// environment).
    #[arg(long)]
    from: Option<String>,
    /// The devices' model (required when the catalog's releases differ by model).
    #[arg(long)]
    model: Option<String>,
    /// The devices' environment (required when the catalog's releases differ by environment).
    #[arg(long)]
    environment: Option<String>,
    /// Chance that an install attempt fails: a fraction (0.05), a percentage (5%) or ppm (50000ppm).
    #[arg(long, default_value = "0")]
    fail_rate: String,
    /// Chance that a device is on a shelf at the start, and that it drops offline before an attempt.
    #[arg(long, default_value = "0")]
    offline_rate: String,
    /// Chance that a device message is delivered twice.
    #[arg(long, default_value = "0")]
    duplicate_rate: String,
    /// Chance that a successful install boots back into the old version.
    #[arg(long, default_value = "0")]
    rollback_rate: String,
    /// Shelf devices come back within this many days.
    #[arg(long, default_value_t = 30)]
    shelf_days: u64,
    /// Stop the simulation after this many simulated days.
    #[arg(long, default_value_t = 730)]
    horizon_days: u64,
    /// PRNG seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Staged rollout JSON file.
    #[arg(long)]
    rollout: Option<String>,
    /// Retry policy JSON file (default: 5 attempts per hop, 60 s backoff doubling to 6 h).
    #[arg(long)]
    retry: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Reads a rate at the edge: a fraction (`0.05`, `1`), or what `sample::parse_rate` reads
/// (`5%`, `50000ppm`). Exact, in integers. Every spelling that is not a rate from 0 to 1
/// (`1.5`, `150%`, `1000001ppm`, `abc`) is a usage error (exit 2), as docs/cli.md says.
fn rate(name: &str, text: &str) -> Result<u32, Failure> {
    let t = text.trim();
    if t.ends_with('%') || t.ends_with("ppm") {
        return stepstone::sample::parse_rate(t)
            .map_err(|e| Failure::usage(format!("--{name} {text:?}: {e}")));
    }
    let bad = || {
        Failure::usage(format!(
            "--{name} {text:?}: expected a fraction from 0 to 1 (0.05), a percentage (5%) or ppm (50000ppm)"
        ))
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > 6
        || !(whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let mut frac_ppm: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    for _ in frac.len()..6 {
        frac_ppm *= 10;
    }
    let ppm = whole.saturating_mul(1_000_000).saturating_add(frac_ppm);
    u32::try_from(ppm)
        .ok()
        .filter(|p| *p <= 1_000_000)
        .ok_or_else(bad)
}

pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    crate::output::one_stdin(&[
        ("--catalog", Some(&args.catalog)),
        ("--rollout", args.rollout.as_deref()),
        ("--retry", args.retry.as_deref()),
    ])?;
    let catalog = load_catalog(&args.catalog)?;
    let target = catalog
        .parse_version(&args.target)
        .map_err(|e| Failure::no(&e))?;
    let start = match &args.from {
        Some(v) => Some(catalog.parse_version(v).map_err(|e| Failure::no(&e))?),
        None => None,
    };
    let rollout = match &args.rollout {
        Some(path) => {
            let text = read_json_text(path)?
                .map_err(|m| Failure::no_code("rollout.json", format!("{path}: {m}")))?;
            Some(Rollout::from_json(&text).map_err(|e| Failure::no(&e))?)
        }
        None => None,
    };
    let policy = match &args.retry {
        Some(path) => {
            let text = read_json_text(path)?
                .map_err(|m| Failure::no_code("retry.json", format!("{path}: {m}")))?;
            RetryPolicy::from_json(&text).map_err(|e| Failure::no(&e))?
        }
        None => RetryPolicy::default(),
    };
    let cfg = SimConfig {
        devices: args.devices,
        fail_rate_ppm: rate("fail-rate", &args.fail_rate)?,
        offline_rate_ppm: rate("offline-rate", &args.offline_rate)?,
        duplicate_rate_ppm: rate("duplicate-rate", &args.duplicate_rate)?,
        rollback_rate_ppm: rate("rollback-rate", &args.rollback_rate)?,
        seed: args.seed,
        start,
        model: args.model.clone(),
        environment: args.environment.clone(),
        shelf_secs: args.shelf_days.saturating_mul(86_400),
        horizon_secs: args.horizon_days.saturating_mul(86_400),
        policy,
        rollout,
        ..SimConfig::default()
    };
    let began = Instant::now();
    let mut sim = Simulation::new(catalog, &target, cfg).map_err(|e| Failure::no(&e))?;
    let bar = ProgressBar::new(u64::from(args.devices));
    if let Ok(style) = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:40}] {pos}/{len} devices settled  {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    while sim.step(1 << 16) {
        let p = sim.progress();
        bar.set_position(p.settled);
        bar.set_message(format!(
            "day {:.1}, {} events",
            p.now as f64 / 86_400.0,
            p.events
        ));
    }
    let p = sim.progress();
    bar.set_position(p.settled);
    bar.finish_and_clear();
    let report = sim.report();
    let wall = began.elapsed();
    match args.format {
        Format::Json => print_json(&report),
        Format::Text => print_text(&report, &args.target),
    }
    eprintln!(
        "simulated {} devices in {:.2} s wall time",
        args.devices,
        wall.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// A list for the text report, `none` when empty (no trailing blank).
fn joined(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn print_text(r: &Report, target: &str) {
    let pct = |n: u64| {
        if r.devices == 0 {
            0.0
        } else {
            n as f64 * 100.0 / r.devices as f64
        }
    };
    println!("devices:        {}", r.devices);
    println!(
        "converged:      {} ({:.3}%) on {target}",
        r.converged,
        pct(r.converged)
    );
    let given_up: u64 = r.given_up.values().sum();
    println!("given up:       {given_up}");
    for (why, n) in &r.given_up {
        println!("  {why}: {n}");
    }
    let held: u64 = r.held.values().sum();
    println!("held:           {held}");
    for (why, n) in &r.held {
        println!("  {why}: {n}");
    }
    println!("still pending:  {}", r.pending);
    let finals: Vec<String> = r
        .final_versions
        .iter()
        .map(|(v, n)| format!("{v} {n}"))
        .collect();
    println!("final versions: {}", joined(&finals));
    let stuck: u64 = r.stuck.iter().map(|s| s.count).sum();
    println!("stuck:          {stuck}");
    for s in &r.stuck {
        println!("  from {}: {} [{}]", s.from, s.count, s.code);
    }
    println!("hops installed: {}  (attempts {})", r.hops, r.attempts);
    println!(
        "bytes:          {} installed, {} downloaded",
        format_bytes(r.bytes_installed),
        format_bytes(r.bytes_downloaded)
    );
    let by_release: Vec<String> = r
        .hops_by_release
        .iter()
        .map(|(v, n)| format!("{v} {n}"))
        .collect();
    println!("hops by release: {}", joined(&by_release));
    println!("attempts per installed hop:");
    for (attempts, hops) in &r.attempts_histogram {
        println!("  {attempts}: {hops}");
    }
    if let Some(c) = &r.converge_days {
        println!(
            "days to converge: p50 {} p90 {} p99 {} max {}",
            c.p50, c.p90, c.p99, c.max
        );
    }
    println!("simulated days: {}", r.simulated_days);
    let e = &r.events;
    println!(
        "events: {} delivered ({} duplicates injected): {} changed, {} duplicate, {} stale, {} not in flight; {} decisions",
        e.delivered,
        e.duplicates_injected,
        e.changed,
        e.duplicate,
        e.stale,
        e.not_in_flight,
        e.decisions
    );
    if let Some(ro) = &r.rollout {
        println!(
            "rollout: final stage {}{}",
            ro.final_stage,
            if ro.halted { ", HALTED" } else { "" }
        );
        for (stage, day) in &ro.stages_opened {
            println!("  stage {stage} opened on day {day}");
        }
        for (day, code, message) in &ro.halts {
            println!("  halted on day {day}: [{code}] {message}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rate;

    #[test]
    fn rates_at_the_edge() {
        assert_eq!(rate("x", "0.05").unwrap(), 50_000);
        assert_eq!(rate("x", ".5").unwrap(), 500_000);
        assert_eq!(rate("x", "1").unwrap(), 1_000_000);
        assert_eq!(rate("x", "0").unwrap(), 0);
        assert_eq!(rate("x", "0.000001").unwrap(), 1);
        assert_eq!(rate("x", "5%").unwrap(), 50_000);
        assert_eq!(rate("x", "20000ppm").unwrap(), 20_000);
        for bad in [
            "1.5",
            "0.0000001",
            "-0.1",
            "abc",
            "",
            ".",
            "150%",
            "100.01%",
            "1000001ppm",
            "x%",
        ] {
            let e = rate("x", bad).unwrap_err();
            assert_eq!((e.code.as_str(), e.exit), ("cli.usage", 2), "{bad}");
            assert!(
                e.message.contains(&format!("{bad:?}")),
                "{bad}: {}",
                e.message
            );
        }
    }
}
