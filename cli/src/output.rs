//! How every subcommand reports: exit codes, `error[<code>]: <message>` on stderr, and the
//! JSON error object on stdout with `--format json`.
//!
//! Exit codes, the same for every subcommand:
//! * 0: answered;
//! * 1: the answer is no, or the input is invalid (no path, invalid catalog, bad signature);
//! * 2: usage error or unreadable file.

use std::fmt::Display;
use std::process::ExitCode;

use clap::ValueEnum;
use stepstone::ErrorCode;

/// `--format` for subcommands that print text or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON object on stdout.
    Json,
}

/// A failure a subcommand reports: its code, message and exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: String,
    pub message: String,
    pub exit: u8,
}

impl Failure {
    /// The input is invalid or the answer is no (exit 1).
    pub fn no(err: &(impl ErrorCode + Display)) -> Failure {
        Failure {
            code: err.code().to_string(),
            message: err.to_string(),
            exit: 1,
        }
    }

    /// A refusal with an explicit code (exit 1).
    pub fn no_code(code: &str, message: impl Into<String>) -> Failure {
        Failure {
            code: code.to_string(),
            message: message.into(),
            exit: 1,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: "cli.usage".to_string(),
            message: message.into(),
            exit: 2,
        }
    }

    /// A file that could not be read (exit 2).
    pub fn unreadable(path: &str, err: impl Display) -> Failure {
        Failure {
            code: "io.unreadable".to_string(),
            message: format!("cannot read {path}: {err}"),
            exit: 2,
        }
    }

    /// A file that could not be written (exit 2).
    pub fn unwritable(path: &str, err: impl Display) -> Failure {
        Failure {
            code: "io.unwritable".to_string(),
            message: format!("cannot write {path}: {err}"),
            exit: 2,
        }
    }

    /// Prints the failure (stderr always; stdout too as JSON with `--format json`) and gives
    /// the exit code.
    pub fn report(&self, format: Format) -> ExitCode {
        eprintln!("error[{}]: {}", self.code, self.message);
        if format == Format::Json {
            let obj = serde_json::json!({"error": {"code": self.code, "message": self.message}});
            println!("{obj}");
        }
        ExitCode::from(self.exit)
    }
}

/// Reads a whole file (or stdin for `-`), mapping failure to exit 2.
pub fn read_file(path: &str) -> Result<Vec<u8>, Failure> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| Failure::unreadable(path, e))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| Failure::unreadable(path, e))
}

/// Reads a whole UTF-8 text file (or stdin for `-`).
pub fn read_text(path: &str) -> Result<String, Failure> {
    String::from_utf8(read_file(path)?).map_err(|e| Failure::unreadable(path, e))
}

/// Prints a serializable value as one JSON line on stdout.
pub fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string(value) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error[cli.json]: {e}"),
    }
}
