//! `stepstone graph CATALOG [--format dot|mermaid|json] [--model M] [--environment E]`.
//!
//! `json` is the core's graph form (`{"nodes": [...], "edges": [[from, to]]}`), the same the
//! bindings' `graph()` gives.

use std::process::ExitCode;

use stepstone::graph::{GraphFormat, render};

use crate::output::{Failure, Format, load_catalog};

/// Print the upgrade graph (stepping stones bold, yanked dashed, dead ends red).
#[derive(clap::Args)]
pub struct Args {
    /// The catalog (JSON), or - for stdin.
    catalog: String,
    /// Graphviz DOT, Mermaid, or the graph as JSON.
    #[arg(long, value_enum, default_value_t = GraphFormatArg::Dot)]
    format: GraphFormatArg,
    /// Only releases for this model (required when the catalog's releases differ by model).
    #[arg(long)]
    model: Option<String>,
    /// Only releases for this environment (required when the releases differ by environment).
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

impl Args {
    /// How a failure is reported: `--format json` prints it as the JSON error object too.
    pub fn format(&self) -> Format {
        match self.format {
            GraphFormatArg::Json => Format::Json,
            GraphFormatArg::Dot | GraphFormatArg::Mermaid => Format::Text,
        }
    }
}

pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let catalog = load_catalog(&args.catalog)?;
    let (model, environment) = (args.model.as_deref(), args.environment.as_deref());
    let format = match args.format {
        GraphFormatArg::Dot => GraphFormat::Dot,
        GraphFormatArg::Mermaid => GraphFormat::Mermaid,
        GraphFormatArg::Json => GraphFormat::Json,
    };
    let text = render(catalog, model, environment, format).map_err(|e| Failure::no(&e))?;
    // DOT and Mermaid end in a newline; the JSON object is one line, ended like every JSON output.
    if format == GraphFormat::Json {
        println!("{text}");
    } else {
        print!("{text}");
    }
    Ok(ExitCode::SUCCESS)
}
