//! `stepstone sample`: which devices are sampled (streamed, for millions of ids), one device's
//! answer, and the fleet arithmetic (`estimate`, `volume`). Parses, calls core, prints.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand};
use serde::Serialize;
use stepstone::sample::fleet::{self, Estimate};
use stepstone::sample::{Sampler, SamplingPlan, format_rate, is_below, parse_rate};

use crate::output::{Failure, Format, print_json, read_text};

/// Fleet sampling: who reports which data class in which period, and how to choose rates.
///
/// `stepstone sample --plan PLAN.json --period P --class C [--devices FILE|-]` prints the sampled
/// ids of a list (stdin by default), one per line. `--device ID` (repeatable) answers for single
/// devices instead: exit 0 if every one is sampled, 1 if any is not.
#[derive(Args, Debug)]
#[command(
    after_help = "Streaming (--devices FILE|-, stdin by default) prints the sampled ids, one per line, \
and a count on stderr. --device ID (repeatable) answers for single devices: exit 0 if every one is \
sampled, 1 if any is not. The arithmetic: `stepstone sample estimate --help`, `stepstone sample volume --help`. \
The hashing is specified in docs/sampling.md."
)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
#[command(group(ArgGroup::new("when").required(true).args(["period", "at"])))]
pub struct SampleArgs {
    #[command(subcommand)]
    command: Option<SampleCommand>,
    /// The sampling plan (JSON: salt, period_seconds, classes with rates in ppm).
    #[arg(long, required = true)]
    plan: Option<String>,
    /// Period index (for daily periods: days since the epoch, or since the plan's offset).
    #[arg(long)]
    period: Option<u64>,
    /// A moment in Unix seconds; its period under the plan is used.
    #[arg(long)]
    at: Option<u64>,
    /// The data class (one of the plan's).
    #[arg(long, required = true)]
    class: Option<String>,
    /// Device ids, one per line; `-` is stdin (the default).
    #[arg(long, value_name = "FILE|-", conflicts_with = "device")]
    devices: Option<String>,
    /// One device id; repeat for more.
    #[arg(long, value_name = "ID")]
    device: Vec<String>,
    /// With --devices: print every device with its position and decision, not only the sampled.
    #[arg(long)]
    all: bool,
    /// Output: text, or JSON (one object per device per line when streaming).
    #[arg(long, value_enum, default_value_t, global = true)]
    format: Format,
}

#[derive(Subcommand, Debug)]
enum SampleCommand {
    /// How often a 1-in-H-hours bug shows up in a sample, and the smallest rate that sees it.
    Estimate(EstimateArgs),
    /// Data volume of a sample per day and over its retention.
    Volume(VolumeArgs),
}

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("rates").required(true).multiple(true).args(["rate", "plan"])))]
struct EstimateArgs {
    /// Devices in the fleet.
    #[arg(long)]
    fleet: u64,
    /// Sampling rate: ppm (10000), percent (1%) or ppm with unit (10000ppm); repeat for a table.
    #[arg(long)]
    rate: Vec<String>,
    /// Take the rates of every class of this plan.
    #[arg(long)]
    plan: Option<String>,
    /// The bug happens once per this many device-hours.
    #[arg(long)]
    bug_hours: f64,
    /// Observation window: 36s, 30m, 1h, 7d; a bare number is hours.
    #[arg(long, default_value = "1d")]
    window: String,
    /// Also find the smallest rate that sees at least one occurrence with this probability.
    #[arg(long, default_value_t = 0.95)]
    probability: f64,
}

#[derive(Args, Debug)]
struct VolumeArgs {
    /// Devices in the fleet.
    #[arg(long)]
    fleet: u64,
    /// Sampling rate: ppm, percent (5%) or ppm with unit.
    #[arg(long, default_value = "100%")]
    rate: String,
    /// Items per sample (metrics per report, or 1 for a log file).
    #[arg(long, alias = "metrics")]
    items: u64,
    /// Bytes per item.
    #[arg(long)]
    bytes: u64,
    /// Samples per device per day.
    #[arg(long, default_value_t = 1)]
    samples_per_day: u64,
    /// Days the data is kept.
    #[arg(long, default_value_t = 30)]
    retention_days: u64,
}

impl SampleArgs {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        self.format
    }
}

/// Runs `stepstone sample`.
pub fn run(args: &SampleArgs) -> Result<ExitCode, Failure> {
    match &args.command {
        Some(SampleCommand::Estimate(e)) => estimate(e, args.format),
        Some(SampleCommand::Volume(v)) => volume(v, args.format),
        None => select(args),
    }
}

fn load_plan(path: &str) -> Result<SamplingPlan, Failure> {
    SamplingPlan::from_json(&read_text(path)?).map_err(|e| Failure::no(&e))
}

fn select(args: &SampleArgs) -> Result<ExitCode, Failure> {
    let (Some(plan_path), Some(class)) = (&args.plan, &args.class) else {
        return Err(Failure::usage("--plan and --class are required"));
    };
    let device_list = args
        .device
        .is_empty()
        .then(|| args.devices.as_deref().unwrap_or("-"));
    crate::output::one_stdin(&[("--plan", Some(plan_path)), ("--devices", device_list)])?;
    let plan = load_plan(plan_path)?;
    let period = match (args.period, args.at) {
        (Some(p), _) => p,
        (None, Some(at)) => plan.period_at(at).map_err(|e| Failure::no(&e))?,
        (None, None) => return Err(Failure::usage("give --period or --at")),
    };
    let (sampler, rate) = plan.sampler(class, period).map_err(|e| Failure::no(&e))?;
    let ctx = Context {
        class,
        period,
        rate,
        sampler,
    };
    if args.device.is_empty() {
        stream(
            &ctx,
            args.devices.as_deref().unwrap_or("-"),
            args.all,
            args.format,
        )
    } else {
        devices(&ctx, &args.device, args.format)
    }
}

struct Context<'a> {
    class: &'a str,
    period: u64,
    rate: u32,
    sampler: Sampler,
}

#[derive(Serialize)]
struct DeviceLine<'a> {
    device_id: &'a str,
    position: String,
    sampled: bool,
}

fn hex(position: u64) -> String {
    format!("{position:016x}")
}

fn devices(ctx: &Context, ids: &[String], format: Format) -> Result<ExitCode, Failure> {
    let mut all_sampled = true;
    let mut lines = Vec::new();
    for id in ids {
        let position = ctx.sampler.position(id.as_bytes());
        let sampled = is_below(position, ctx.rate);
        all_sampled &= sampled;
        if format == Format::Text {
            let verdict = if sampled { "sampled" } else { "not sampled" };
            let relation = if sampled { "below" } else { "not below" };
            let fraction = position as f64 / 18_446_744_073_709_551_616.0;
            println!(
                "{id}: {verdict}: position 0x{} ({fraction:.6} of 1) is {relation} {} ({}, period {})",
                hex(position),
                format_rate(ctx.rate),
                ctx.class,
                ctx.period
            );
        }
        lines.push(DeviceLine {
            device_id: id,
            position: hex(position),
            sampled,
        });
    }
    if format == Format::Json {
        print_json(&serde_json::json!({
            "class": ctx.class, "period": ctx.period, "rate_ppm": ctx.rate, "devices": lines,
        }));
    }
    Ok(if all_sampled {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn stream(ctx: &Context, path: &str, all: bool, format: Format) -> Result<ExitCode, Failure> {
    let input: Box<dyn BufRead> = if path == "-" {
        Box::new(BufReader::with_capacity(1 << 16, io::stdin().lock()))
    } else {
        Box::new(BufReader::with_capacity(
            1 << 16,
            File::open(path).map_err(|e| Failure::unreadable(path, e))?,
        ))
    };
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    match write_sampled(ctx, input, &mut out, all, format) {
        Ok((seen, sampled)) => {
            out.flush()
                .or_else(ignore_broken_pipe)
                .map_err(|e| Failure::unwritable("stdout", e))?;
            eprintln!(
                "sampled {sampled} of {seen} devices ({} of {}, period {})",
                format_rate(ctx.rate),
                ctx.class,
                ctx.period
            );
            Ok(ExitCode::SUCCESS)
        }
        // A reader that went away (`| head`) is not an error.
        Err(Stop::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(Stop::Write(e)) => Err(Failure::unwritable("stdout", e)),
        Err(Stop::Read(e)) => Err(Failure::unreadable(path, e)),
    }
}

fn ignore_broken_pipe(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e)
    }
}

enum Stop {
    Read(io::Error),
    Write(io::Error),
}

/// Reads ids line by line (a trailing `\r` is dropped, blank lines skipped), writes the sampled
/// ones; gives (ids read, ids sampled).
fn write_sampled(
    ctx: &Context,
    mut input: impl BufRead,
    out: &mut impl Write,
    all: bool,
    format: Format,
) -> Result<(u64, u64), Stop> {
    let mut line = Vec::with_capacity(256);
    let (mut seen, mut sampled) = (0u64, 0u64);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).map_err(Stop::Read)? == 0 {
            return Ok((seen, sampled));
        }
        let id = line.strip_suffix(b"\n").unwrap_or(&line);
        let id = id.strip_suffix(b"\r").unwrap_or(id);
        if id.is_empty() {
            continue;
        }
        seen += 1;
        let position = ctx.sampler.position(id);
        let yes = is_below(position, ctx.rate);
        sampled += u64::from(yes);
        if !(yes || all) {
            continue;
        }
        match format {
            Format::Text if all => {
                out.write_all(id).map_err(Stop::Write)?;
                let verdict = if yes { "sampled" } else { "not-sampled" };
                writeln!(out, "\t{}\t{verdict}", hex(position)).map_err(Stop::Write)?;
            }
            Format::Text => {
                out.write_all(id).map_err(Stop::Write)?;
                out.write_all(b"\n").map_err(Stop::Write)?;
            }
            Format::Json => {
                let device_id = String::from_utf8_lossy(id);
                let row = DeviceLine {
                    device_id: &device_id,
                    position: hex(position),
                    sampled: yes,
                };
                serde_json::to_writer(&mut *out, &row).map_err(|e| Stop::Write(e.into()))?;
                out.write_all(b"\n").map_err(Stop::Write)?;
            }
        }
    }
}

#[derive(Serialize)]
struct Row<'a> {
    class: Option<&'a str>,
    #[serde(flatten)]
    estimate: Estimate,
}

fn estimate(args: &EstimateArgs, format: Format) -> Result<ExitCode, Failure> {
    let window = fleet::parse_hours(&args.window).map_err(|e| Failure::no(&e))?;
    let mut rates: Vec<(Option<String>, u32)> = Vec::new();
    for text in &args.rate {
        rates.push((None, parse_rate(text).map_err(|e| Failure::no(&e))?));
    }
    if let Some(path) = &args.plan {
        let plan = load_plan(path)?;
        rates.extend(
            plan.classes()
                .iter()
                .map(|c| (Some(c.name.clone()), c.rate_ppm)),
        );
    }
    let mut rows = Vec::new();
    for (class, rate) in &rates {
        let estimate = fleet::estimate(args.fleet, *rate, args.bug_hours, window)
            .map_err(|e| Failure::no(&e))?;
        rows.push(Row {
            class: class.as_deref(),
            estimate,
        });
    }
    let smallest = fleet::smallest_rate(args.fleet, args.bug_hours, window, args.probability)
        .map_err(|e| Failure::no(&e))?;
    if format == Format::Json {
        print_json(&serde_json::json!({
            "fleet": args.fleet, "bug_hours": args.bug_hours, "window_hours": window, "rows": rows,
            "smallest_rate": {"probability": args.probability, "rate_ppm": smallest},
        }));
        return Ok(ExitCode::SUCCESS);
    }
    let w = fleet::format_seconds(window * 3600.0);
    println!(
        "fleet {} devices; bug once per {} device-hours (one device: once every {}); window {w}",
        args.fleet,
        args.bug_hours,
        fleet::format_seconds(args.bug_hours * 3600.0)
    );
    println!();
    let head = [
        "class",
        "rate",
        "sampled devices",
        "per hour",
        "per day",
        "one every",
        "P(>=1 in window)",
    ];
    let mut table = vec![head.map(String::from).to_vec()];
    for row in &rows {
        let e = &row.estimate;
        table.push(vec![
            row.class.unwrap_or("-").to_string(),
            format_rate(e.rate_ppm),
            number(e.sampled_devices),
            number(e.per_hour),
            number(e.per_day),
            e.seconds_between
                .map_or("never".to_string(), fleet::format_seconds),
            format!("{:.4}", e.p_at_least_one),
        ]);
    }
    print_table(&table, &[0]);
    println!();
    match smallest {
        Some(r) => println!(
            "smallest rate that sees at least one occurrence within {w} with probability {}: {r} ppm ({}), {} devices",
            args.probability,
            format_rate(r),
            number(args.fleet as f64 * f64::from(r) / 1e6)
        ),
        None => println!(
            "no rate sees at least one occurrence within {w} with probability {}",
            args.probability
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn volume(args: &VolumeArgs, format: Format) -> Result<ExitCode, Failure> {
    let rate = parse_rate(&args.rate).map_err(|e| Failure::no(&e))?;
    let v = fleet::volume(
        args.fleet,
        rate,
        args.items,
        args.bytes,
        args.samples_per_day,
        args.retention_days,
    )
    .map_err(|e| Failure::no(&e))?;
    if format == Format::Json {
        print_json(&v);
        return Ok(ExitCode::SUCCESS);
    }
    print_table(
        &[
            vec![
                "sampled devices".into(),
                number(v.sampled_devices),
                format!("{} of {} devices", format_rate(v.rate_ppm), v.fleet),
            ],
            vec![
                "data points per day".into(),
                v.points_per_day.to_string(),
                format!(
                    "{} items x {} samples x sampled devices",
                    v.items, v.samples_per_day
                ),
            ],
            vec![
                "bytes per day".into(),
                v.bytes_per_day.to_string(),
                format!(
                    "{} ({} bytes per item)",
                    fleet::format_bytes(v.bytes_per_day),
                    v.bytes_per_item
                ),
            ],
            vec![
                format!("kept {} days", v.retention_days),
                v.retained_bytes.to_string(),
                fleet::format_bytes(v.retained_bytes),
            ],
        ],
        &[0, 2],
    );
    Ok(ExitCode::SUCCESS)
}

/// A count or rate for a table: whole numbers as integers, others with 3 decimals or 3 significant digits.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        // Three decimals, or three significant digits for values below 1 (0.0001, not 0).
        let decimals = if x.abs() >= 1.0 {
            3
        } else {
            (2.0 - x.abs().log10().floor()).clamp(3.0, 15.0) as usize
        };
        let s = format!("{x:.decimals$}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Prints rows as columns: the columns in `left` left-aligned, the others right-aligned.
fn print_table(rows: &[Vec<String>], left: &[usize]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                if left.contains(&i) {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
}
