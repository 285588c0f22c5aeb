//! `stepstone graph CATALOG [--format dot|mermaid] [--model M] [--environment E]`.

use std::process::ExitCode;

use stepstone::graph::{GraphFormat, render};

use crate::output::{Failure, load_catalog};

/// Print the upgrade graph (stepping stones bold, yanked dashed, dead ends red).
#[derive(clap::Args)]
pub struct Args {
    /// The catalog (JSON), or - for stdin.
    catalog: String,
    /// Graphviz DOT or Mermaid.
    #[arg(long, value_enum, default_value_t = GraphFormatArg::Dot)]
    format: GraphFormatArg,
    /// Only releases for this model.
    #[arg(long)]
    model: Option<String>,
    /// Only releases for this environment.
    #[arg(long)]
    environment: Option<String>,
}

/// `--format` values.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum GraphFormatArg {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let catalog = load_catalog(&args.catalog)?;
    let format = match args.format {
        GraphFormatArg::Dot => GraphFormat::Dot,
        GraphFormatArg::Mermaid => GraphFormat::Mermaid,
    };
    print!(
        "{}",
        render(
            &catalog,
            args.model.as_deref(),
            args.environment.as_deref(),
            format
        )
    );
    Ok(ExitCode::SUCCESS)
}
