//! `stepstone`: the command line over the stepstone core. Each subcommand lives in its own
//! module and only parses arguments, calls core, and prints; see `output` for exit codes.

mod output;
mod simulate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use output::{Failure, Format};

/// stepstone: firmware catalogs, update paths, signatures, rollouts and fleet sampling.
#[derive(Parser)]
#[command(name = "stepstone", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a fleet marching to a target through the reconciler.
    Simulate(simulate::SimulateArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap: --help/--version are answers (0); anything else is a usage error (2).
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let (result, format): (Result<ExitCode, Failure>, Format) = match cli.command {
        Command::Simulate(args) => simulate::run(args),
    };
    result.unwrap_or_else(|f| f.report(format))
}
