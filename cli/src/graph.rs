//! `stepstone graph CATALOG [--format dot|mermaid|json] [--model M] [--environment E]`.
//!
//! `json` is the core's graph form (`{"nodes": [...], "edges": [[from, to]]}`), the same the
//! bindings' `graph()` gives.

use std::process::ExitCode;

use stepstone::graph::{GraphFormat, render};

use crate::output::{Failure, load_catalog};

/// Print the upgrade graph (stepping stones bold, yanked dashed, dead ends red).
#[derive(clap::Args)]
pub struct Args {
    /// The catalog (JSON), or - for stdin.
    catalog: String,
    /// Graphviz DOT, Mermaid, or the graph as JSON.
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
    /// `{"nodes": [{version, yanked, stepping_stone, deadend}], "edges": [[from, to]]}`.
    Json,
}

pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let catalog = load_catalog(&args.catalog)?;
    let (model, environment) = (args.model.as_deref(), args.environment.as_deref());
    let format = match args.format {
        GraphFormatArg::Dot => GraphFormat::Dot,
        GraphFormatArg::Mermaid => GraphFormat::Mermaid,
        GraphFormatArg::Json => {
            crate::output::print_json(&stepstone::graph::wire(catalog, model, environment));
            return Ok(ExitCode::SUCCESS);
        }
    };
    print!("{}", render(catalog, model, environment, format));
    Ok(ExitCode::SUCCESS)
}
