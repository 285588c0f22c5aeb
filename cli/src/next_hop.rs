//! `stepstone next-hop CATALOG --to V [--model M] [--environment E] [--devices FILE|-]`.
//!
//! Reads a device list, streamed (CSV `device_id,version[,model[,environment]]`, or one
//! version per line, an optional header line starting with `device_id`), and prints
//! `device_id,version,next_hop` rows: an empty next_hop when the device is at the target,
//! `error:<code>` when it is refused. Answers come from one campaign table per
//! (model, environment) seen, built on first use. `--from V` answers for one device instead.

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use stepstone::ErrorCode;
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::{Cost, PlanError};
use stepstone::version::{Version, VersionKey};

use crate::output::{Failure, Format, load_catalog, parse_version};
use crate::plan::CostArg;

/// Next hop toward a target for many devices (campaign table).
#[derive(clap::Args)]
pub struct Args {
    /// The catalog (JSON).
    catalog: String,
    /// The target release.
    #[arg(long)]
    to: String,
    /// Model for rows that do not name one.
    #[arg(long)]
    model: Option<String>,
    /// Environment for rows that do not name one.
    #[arg(long)]
    environment: Option<String>,
    /// Device list (CSV), or - for stdin (the default).
    #[arg(long, default_value = "-")]
    devices: String,
    /// One device's version instead of a list: prints its next hop alone.
    #[arg(long, conflicts_with = "devices")]
    from: Option<String>,
    /// What to minimise.
    #[arg(long, value_enum, default_value_t = CostArg::Hops)]
    cost: CostArg,
    /// Devices above the target go straight down to it.
    #[arg(long)]
    allow_downgrade: bool,
    /// Output format for errors.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// One table (or why there is none) for a (model, environment).
type Built = (
    Option<String>,
    Option<String>,
    Result<CampaignTable, PlanError>,
);

/// Campaign tables by (model, environment), built on first use.
struct Tables<'a> {
    catalog: &'a Catalog,
    target: &'a Version,
    cost: Cost,
    downgrade: bool,
    built: Vec<Built>,
}

impl Tables<'_> {
    fn get(&mut self, model: Option<&str>, env: Option<&str>) -> &Result<CampaignTable, PlanError> {
        let pos = self
            .built
            .iter()
            .position(|(m, e, _)| m.as_deref() == model && e.as_deref() == env);
        let pos = match pos {
            Some(p) => p,
            None => {
                let table = CampaignTable::build(self.catalog, self.target, model, env, self.cost)
                    .map(|t| t.allow_downgrade(self.downgrade));
                self.built
                    .push((model.map(String::from), env.map(String::from), table));
                self.built.len() - 1
            }
        };
        &self.built[pos].2
    }
}

pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let catalog = load_catalog(&args.catalog)?;
    let target = parse_version(&catalog, &args.to)?;
    if catalog.get(target.key()).is_none() {
        return Err(Failure::no(&PlanError::UnknownTarget {
            target: args.to.clone(),
        }));
    }
    let mut tables = Tables {
        catalog: &catalog,
        target: &target,
        cost: args.cost.into(),
        downgrade: args.allow_downgrade,
        built: Vec::new(),
    };

    if let Some(from) = &args.from {
        let version = parse_version(&catalog, from)?;
        let table = tables
            .get(args.model.as_deref(), args.environment.as_deref())
            .as_ref()
            .map_err(Failure::no)?;
        let hop = table.next_hop(version.key()).map_err(|e| Failure::no(&e))?;
        println!("{}", hop.map_or("", |v| v.as_str()));
        return Ok(ExitCode::SUCCESS);
    }

    let input: Box<dyn BufRead> = if args.devices == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.devices)
            .map_err(|e| Failure::unreadable(&args.devices, e))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, file))
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let scheme = catalog.scheme();
    let write_err = |e: std::io::Error| Failure::unwritable("stdout", e);
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| Failure::unreadable(&args.devices, e))?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if n == 0 && line.starts_with("device_id") {
            writeln!(out, "device_id,version,next_hop").map_err(write_err)?;
            continue;
        }
        let mut fields = line.split(',');
        let (id, version, model, env) = match (fields.next(), fields.next()) {
            (Some(v), None) => ("", v.trim(), None, None),
            (Some(id), Some(v)) => {
                let m = fields.next().map(str::trim).filter(|s| !s.is_empty());
                let e = fields.next().map(str::trim).filter(|s| !s.is_empty());
                (id, v.trim(), m, e)
            }
            _ => continue,
        };
        let model = model.or(args.model.as_deref());
        let env = env.or(args.environment.as_deref());
        let answer: Result<Option<&str>, &'static str> = match VersionKey::parse(version, scheme) {
            Err(e) => Err(e.code()),
            Ok(key) => match tables.get(model, env) {
                Err(e) => Err(e.code()),
                Ok(table) => table
                    .next_hop(&key)
                    .map(|h| h.map(Version::as_str))
                    .map_err(|e| e.code()),
            },
        };
        let result = match answer {
            Ok(hop) => writeln!(out, "{id},{version},{}", hop.unwrap_or("")),
            Err(code) => writeln!(out, "{id},{version},error:{code}"),
        };
        if let Err(e) = result {
            // A closed pipe (`| head`) ends the job quietly.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(ExitCode::SUCCESS);
            }
            return Err(write_err(e));
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(write_err(e)),
        _ => Ok(ExitCode::SUCCESS),
    }
}
