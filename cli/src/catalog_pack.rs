//! `stepstone catalog pack CATALOG [--target V] [--model M] [--environment E] -o OUT`: the
//! compact binary catalog a device plans over (`docs/compact-catalog.md`).

use std::process::ExitCode;

use stepstone::compact::{PackOptions, pack};

use crate::output::{Failure, Format, load_catalog, print_json};

/// Catalog tools.
#[derive(clap::Args)]
pub struct CatalogArgs {
    #[command(subcommand)]
    pub command: CatalogCommand,
}

/// The `catalog` subcommands.
#[derive(clap::Subcommand)]
pub enum CatalogCommand {
    /// Pack a catalog into the compact binary format devices plan over.
    Pack(PackArgs),
}

impl CatalogArgs {
    pub fn format(&self) -> Format {
        match &self.command {
            CatalogCommand::Pack(a) => a.format,
        }
    }
}

/// Pack a catalog for one model and environment.
#[derive(clap::Args)]
pub struct PackArgs {
    /// The catalog (JSON), or - for stdin.
    catalog: String,
    /// The default target, used when the device names none.
    #[arg(long)]
    target: Option<String>,
    /// The device model to pack for.
    #[arg(long)]
    model: Option<String>,
    /// The device environment to pack for.
    #[arg(long)]
    environment: Option<String>,
    /// Where to write the compact catalog.
    #[arg(short = 'o', long = "output")]
    output: String,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &CatalogArgs) -> Result<ExitCode, Failure> {
    match &args.command {
        CatalogCommand::Pack(a) => run_pack(a),
    }
}

fn run_pack(args: &PackArgs) -> Result<ExitCode, Failure> {
    let catalog = load_catalog(&args.catalog)?;
    let options = PackOptions {
        target: args.target.clone(),
        model: args.model.clone(),
        environment: args.environment.clone(),
    };
    let bytes = pack(&catalog, &options).map_err(|e| Failure::no(&e))?;
    std::fs::write(&args.output, &bytes).map_err(|e| Failure::unwritable(&args.output, e))?;
    match args.format {
        Format::Json => print_json(&serde_json::json!({
            "output": args.output,
            "bytes": bytes.len(),
            "releases": catalog.releases().len(),
        })),
        Format::Text => println!(
            "{}: {} releases packed in {} bytes",
            args.output,
            catalog.releases().len(),
            bytes.len()
        ),
    }
    Ok(ExitCode::SUCCESS)
}
