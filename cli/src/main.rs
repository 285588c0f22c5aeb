//! `stepstone`: the command line over the stepstone core. Each subcommand lives in its own
//! module and only parses arguments, calls core, and prints; see `output` for exit codes.

mod keygen;
mod output;
mod sign;
mod verify;

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
    /// Make a new P-256 signing key (PKCS#8 PEM) and its public key.
    Keygen(keygen::KeygenArgs),
    /// Sign a file: RFC 6979 deterministic ECDSA P-256 / SHA-256.
    Sign(sign::SignArgs),
    /// Check that an image is genuine: signature, certificate chain, signed manifest.
    Verify(verify::VerifyArgs),
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
        Command::Keygen(args) => keygen::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Verify(args) => verify::run(args),
    };
    result.unwrap_or_else(|f| f.report(format))
}
