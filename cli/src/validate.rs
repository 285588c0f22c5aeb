//! `stepstone validate CATALOG [--strict] [--format text|json]`: a summary, every error, every
//! lint warning. Errors exit 1; warnings alone exit 0 unless `--strict`.

use std::process::ExitCode;

use stepstone::catalog::Catalog;
use stepstone::lint::lint;

use crate::output::{Failure, Format, print_json, read_catalog_text};

/// Validate and lint a catalog.
#[derive(clap::Args)]
pub struct Args {
    /// The catalog (JSON), or - for stdin.
    catalog: String,
    /// Lint warnings make the exit code 1 too.
    #[arg(long)]
    strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let catalog = match read_catalog_text(&args.catalog)?.and_then(|t| Catalog::from_json(&t)) {
        Ok(c) => c,
        Err(errors) => {
            let failure = Failure::catalog(&errors);
            if args.format == Format::Json {
                let list: Vec<_> = errors
                    .iter()
                    .map(|e| serde_json::json!({"code": stepstone::ErrorCode::code(e), "message": e.to_string()}))
                    .collect();
                print_json(&serde_json::json!({
                    "valid": false,
                    "errors": list,
                    "warnings": [],
                    "error": {"code": failure.code, "message": failure.message},
                }));
                for (code, message) in &failure.all {
                    eprintln!("error[{code}]: {message}");
                }
                return Ok(ExitCode::from(1));
            }
            return Err(failure);
        }
    };
    let warnings = lint(&catalog);
    let releases = catalog.releases();
    let yanked = releases.iter().filter(|r| r.yanked).count();
    match args.format {
        Format::Json => print_json(&serde_json::json!({
            "valid": true,
            "scheme": catalog.scheme(),
            "releases": releases.len(),
            "yanked": yanked,
            "errors": [],
            "warnings": warnings,
        })),
        Format::Text => {
            let range = match (releases.first(), releases.last()) {
                (Some(a), Some(b)) => format!(", {a} … {b}", a = a.version, b = b.version),
                _ => String::new(),
            };
            println!(
                "{}: valid, {} releases ({} yanked), {} scheme{range}",
                args.catalog,
                releases.len(),
                yanked,
                catalog.scheme()
            );
            for w in &warnings {
                println!("warning[{}]: {}", w.code, w.message);
            }
            println!(
                "{} warning{}",
                warnings.len(),
                if warnings.len() == 1 { "" } else { "s" }
            );
        }
    }
    Ok(if args.strict && !warnings.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
