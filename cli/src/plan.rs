//! `stepstone plan CATALOG --from V --to V [--cost hops|bytes] [--model M] [--environment E]
//! [--allow-downgrade] [--explain] [--format text|json]`.
//!
//! Text shows `v64000 → v65000 → …`; JSON prints exactly one object
//! `{"path": [...], "hops": N, "bytes": N, ...}` on stdout (with `--explain`, the core's
//! explanation `{"outcome": {"plan" | "error"}, "releases": [...]}`).

use std::process::ExitCode;

use stepstone::explain::{Explanation, explain};
use stepstone::plan::{Cost, Plan, Query, plan};

use crate::output::{Failure, Format, load_catalog, parse_version};

/// Plan the best update path from a version to a target.
#[derive(clap::Args)]
pub struct Args {
    /// The catalog (JSON), or - for stdin.
    catalog: String,
    /// The device's current version (need not be in the catalog).
    #[arg(long)]
    from: String,
    /// The target release.
    #[arg(long)]
    to: String,
    /// What to minimise.
    #[arg(long, value_enum, default_value_t = CostArg::Hops)]
    cost: CostArg,
    /// The device's model (required when the catalog's releases differ by model).
    #[arg(long)]
    model: Option<String>,
    /// The device's environment (required when the catalog's releases differ by environment).
    #[arg(long)]
    environment: Option<String>,
    /// Allow a target below the current version (installed directly).
    #[arg(long)]
    allow_downgrade: bool,
    /// Say, for every release between current and target, why it is installed or skipped.
    #[arg(long)]
    explain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `--cost` values.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum CostArg {
    /// Fewest installs.
    Hops,
    /// Fewest bytes downloaded.
    Bytes,
}

impl From<CostArg> for Cost {
    fn from(c: CostArg) -> Cost {
        match c {
            CostArg::Hops => Cost::Hops,
            CostArg::Bytes => Cost::Bytes,
        }
    }
}

pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let catalog = load_catalog(&args.catalog)?;
    let mut query = Query::new(
        parse_version(catalog, &args.from)?,
        parse_version(catalog, &args.to)?,
    )
    .cost(args.cost.into())
    .allow_downgrade(args.allow_downgrade);
    query.model = args.model.clone();
    query.environment = args.environment.clone();

    if args.explain {
        let e = explain(catalog, &query);
        return report_explained(args, &query, e);
    }
    let p = plan(catalog, &query).map_err(|e| Failure::no(&e))?;
    match args.format {
        // The core's wire form, written by its own writer (the bytes serde_json writes).
        Format::Json => println!("{}", p.to_json()),
        Format::Text => print_text(&query, &p),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(q: &Query, p: &Plan) {
    let mut line = q.from.to_string();
    for v in &p.path {
        line.push_str(" → ");
        line.push_str(v.as_str());
    }
    println!("{line}");
    let bytes = p
        .bytes
        .map_or_else(|| "unknown".to_string(), |b| b.to_string());
    println!(
        "{} hop{}, {bytes} bytes",
        p.hops,
        if p.hops == 1 { "" } else { "s" }
    );
}

fn report_explained(args: &Args, q: &Query, e: Explanation) -> Result<ExitCode, Failure> {
    match args.format {
        Format::Json => {
            // The core's explanation form, the same in every binding.
            println!("{}", e.to_json());
            if let Err(err) = &e.outcome {
                eprintln!("error[{}]: {err}", stepstone::ErrorCode::code(err));
                return Ok(ExitCode::from(1));
            }
        }
        Format::Text => {
            if let Ok(p) = &e.outcome {
                print_text(q, p);
            }
            let width = e
                .releases
                .iter()
                .map(|n| n.version.as_str().len())
                .max()
                .unwrap_or(0);
            for n in &e.releases {
                let mark = if n.verdict.code() == "install" {
                    "install"
                } else {
                    "skip   "
                };
                println!("  {:width$}  {mark}  {}", n.version.as_str(), n.reason);
            }
            if let Err(err) = e.outcome {
                return Err(Failure::no(&err));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
