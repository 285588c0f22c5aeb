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
    /// Every error when there are several (an invalid catalog); empty for one.
    pub all: Vec<(String, String)>,
}

impl Failure {
    /// The input is invalid or the answer is no (exit 1).
    pub fn no(err: &(impl ErrorCode + Display)) -> Failure {
        Failure {
            code: err.code().to_string(),
            message: err.to_string(),
            exit: 1,
            all: Vec::new(),
        }
    }

    /// An invalid catalog: every error (exit 1).
    pub fn catalog(errors: &stepstone::catalog::CatalogErrors) -> Failure {
        let all = errors
            .iter()
            .map(|e| (e.code().to_string(), e.to_string()))
            .collect();
        Failure {
            all,
            ..Failure::no(errors)
        }
    }

    /// A refusal with an explicit code (exit 1).
    #[allow(dead_code)] // for subcommands that refuse without a core error
    pub fn no_code(code: &str, message: impl Into<String>) -> Failure {
        Failure {
            code: code.to_string(),
            message: message.into(),
            exit: 1,
            all: Vec::new(),
        }
    }

    /// A usage error (exit 2).
    #[allow(dead_code)] // for subcommands with checks clap cannot express
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: "cli.usage".to_string(),
            message: message.into(),
            exit: 2,
            all: Vec::new(),
        }
    }

    /// A file that could not be read (exit 2).
    pub fn unreadable(path: &str, err: impl Display) -> Failure {
        Failure {
            code: "io.unreadable".to_string(),
            message: format!("cannot read {path}: {err}"),
            exit: 2,
            all: Vec::new(),
        }
    }

    /// A file that could not be written (exit 2).
    pub fn unwritable(path: &str, err: impl Display) -> Failure {
        Failure {
            code: "io.unwritable".to_string(),
            message: format!("cannot write {path}: {err}"),
            exit: 2,
            all: Vec::new(),
        }
    }

    /// Prints the failure (stderr always; stdout too as JSON with `--format json`) and gives
    /// the exit code.
    pub fn report(&self, format: Format) -> ExitCode {
        if self.all.is_empty() {
            eprintln!("error[{}]: {}", self.code, self.message);
        }
        for (code, message) in &self.all {
            eprintln!("error[{code}]: {message}");
        }
        if format == Format::Json {
            let mut error = serde_json::json!({"code": self.code, "message": self.message});
            if !self.all.is_empty() {
                let all: Vec<_> = self
                    .all
                    .iter()
                    .map(|(c, m)| serde_json::json!({"code": c, "message": m}))
                    .collect();
                error["errors"] = serde_json::Value::Array(all);
            }
            println!("{}", serde_json::json!({ "error": error }));
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

/// Reads a JSON input file: unreadable is exit 2 (`io.unreadable`); bytes that are not UTF-8
/// are invalid JSON, so `Err(message)` for the caller's `<kind>.json` error (exit 1), like any
/// other text that is not JSON.
pub fn read_json_text(path: &str) -> Result<Result<String, String>, Failure> {
    Ok(String::from_utf8(read_file(path)?).map_err(|e| {
        format!(
            "not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    }))
}

/// Reads a catalog's text: unreadable is exit 2; not UTF-8 is the catalog's `catalog.json`
/// error.
pub fn read_catalog_text(
    path: &str,
) -> Result<Result<String, stepstone::catalog::CatalogErrors>, Failure> {
    Ok(read_json_text(path)?.map_err(|message| {
        stepstone::catalog::CatalogErrors(vec![stepstone::catalog::CatalogError::Json { message }])
    }))
}

/// Reads and validates a catalog file: unreadable is exit 2, invalid (not UTF-8 included) is
/// exit 1 with every error.
///
/// A regular file of at least [`MAP_AT_LEAST`] bytes is mapped rather than copied (see
/// [`mapped`]). The catalog lives until the process exits: it is leaked on purpose, because
/// freeing its releases one by one just before exit is wasted work (about 1 ms at 10k
/// releases).
pub fn load_catalog(path: &str) -> Result<&'static stepstone::catalog::Catalog, Failure> {
    let parsed = match mapped(path)? {
        Some(map) => {
            crate::bump::huge_pages_from_here();
            prefault_heap(heap_for_catalog(map.len()));
            catalog_from_bytes(&map)
        }
        None => {
            read_catalog_text(path)?.and_then(|text| stepstone::catalog::Catalog::from_json(&text))
        }
    };
    parsed
        .map(|catalog| &*Box::leak(Box::new(catalog)))
        .map_err(|e| Failure::catalog(&e))
}

/// The catalog in `bytes`; bytes that are not UTF-8 are its `catalog.json` error, with the
/// same message as [`read_json_text`] gives.
fn catalog_from_bytes(
    bytes: &[u8],
) -> Result<stepstone::catalog::Catalog, stepstone::catalog::CatalogErrors> {
    // simdutf8's check: same answer and offset as `std::str::from_utf8`, about 3x faster on
    // the mostly-ASCII text of a catalog.
    let text = simdutf8::compat::from_utf8(bytes).map_err(|e| {
        stepstone::catalog::CatalogErrors(vec![stepstone::catalog::CatalogError::Json {
            message: format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        }])
    })?;
    stepstone::catalog::Catalog::from_json(text)
}

/// Heap for a catalog mapped from a file of `len` bytes: its releases, their lists, then the
/// planner's or the tables' arrays, measured at about 2.4 times the pretty-printed JSON (10k
/// releases, 3 MB of text).
fn heap_for_catalog(len: usize) -> usize {
    len.saturating_mul(5) / 2
}

/// Faults in up to `bytes` of heap in one call before the catalog is parsed, so that the
/// allocations that follow find their pages ready.
///
/// Each first touch of a fresh page costs a page fault: about 1.9 µs on the VMs measured,
/// against 1.2 µs a page when `madvise(MADV_POPULATE_WRITE)` (Linux 5.14) maps many at once.
/// The block is allocated, populated and freed. It fits in the allocator's arena
/// ([`crate::bump`]) as its last block, so once freed it is handed out again to the catalog and
/// the planner. Elsewhere, or on an older kernel, the call fails and this does nothing.
fn prefault_heap(bytes: usize) {
    let block = Vec::<u8>::with_capacity(bytes.min(15 << 19));
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let start = (block.as_ptr() as usize).next_multiple_of(PAGE);
        let end = (block.as_ptr() as usize + block.capacity()) & !(PAGE - 1);
        if end > start {
            // SAFETY: the range lies inside `block`'s allocation, which nothing reads or
            // writes; populating only maps zeroed pages in, which the allocator expects.
            unsafe {
                libc::madvise(
                    start as *mut libc::c_void,
                    end - start,
                    libc::MADV_POPULATE_WRITE,
                )
            };
        }
    }
    drop(block);
}

/// A quoted value for messages (JSON-style escapes, so control characters stay visible).
pub fn q(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// Whether two paths name the same file: the same text, or one existing file reached through
/// a symbolic link, `..` or a hard link.
pub fn same_file(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    match (
        std::path::Path::new(a).canonicalize(),
        std::path::Path::new(b).canonicalize(),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Checks a file the command is about to write (`flag` names its option): not `-`, which is
/// not standard output here (the option exists because the output goes to a file), and not
/// one of the command's inputs (`(what, path)`; `-` is stdin, no file). Writing over an input
/// would destroy the catalog, the image or the private key it was made from. Both are usage
/// errors (exit 2, `cli.usage`), found before anything is read or written.
pub fn check_output(flag: &str, output: &str, inputs: &[(&str, &str)]) -> Result<(), Failure> {
    if output == "-" {
        return Err(Failure::usage(format!(
            "{flag} -: this output goes to a file; give its path (`-` is not standard output here)"
        )));
    }
    if output.is_empty() {
        return Err(Failure::usage(format!("{flag} is empty: give a file path")));
    }
    for (what, input) in inputs {
        if *input != "-" && same_file(output, input) {
            return Err(Failure::usage(format!(
                "{flag} {} is {what}: writing there would destroy it; give another file",
                q(output)
            )));
        }
    }
    Ok(())
}

/// Refuses two inputs that both read standard input (`-`): the first would take all of it and
/// the second find nothing, which would look like an empty device list or a missing key
/// rather than a mistake. `inputs` are `(option or argument name, path)`; a usage error
/// (exit 2) names the first two.
pub fn one_stdin(inputs: &[(&str, Option<&str>)]) -> Result<(), Failure> {
    let mut readers = inputs.iter().filter(|(_, path)| *path == Some("-"));
    match (readers.next(), readers.next()) {
        (Some((a, _)), Some((b, _))) => Err(Failure::usage(format!(
            "{a} and {b} are both `-`: only one input can read standard input; give the other as a file"
        ))),
        _ => Ok(()),
    }
}

/// Files below this size are read into memory: mapping one costs more than it saves.
pub const MAP_AT_LEAST: u64 = 256 << 10;

/// The file at `path` mapped read-only with its pages mapped at once, when it is a regular
/// file of at least [`MAP_AT_LEAST`] bytes; `None` (for [`read_file`]) for stdin, anything
/// else, or when mapping fails.
///
/// Reading a 3 MB catalog into the heap costs the kernel a fresh zeroed page for each 4 KiB,
/// then a copy: about 1.5 ms on a VM. Mapping it hands over the pages of the page cache in one
/// call. Like every program that maps its input, the process may be stopped by `SIGBUS` if
/// another process truncates the file while it is being read; tools that replace a catalog by
/// writing a new file and renaming it are unaffected.
pub fn mapped(path: &str) -> Result<Option<memmap2::Mmap>, Failure> {
    if path == "-" {
        return Ok(None);
    }
    let file = std::fs::File::open(path).map_err(|e| Failure::unreadable(path, e))?;
    let metadata = file.metadata().map_err(|e| Failure::unreadable(path, e))?;
    if !metadata.is_file() || metadata.len() < MAP_AT_LEAST {
        return Ok(None);
    }
    // SAFETY: the map is read-only and private, and lives only while the catalog is parsed
    // from it; the one hazard, the file truncated meanwhile by another process, is documented
    // above and in docs/cli.md.
    Ok(unsafe { memmap2::MmapOptions::new().populate().map(&file) }.ok())
}

/// Parses a version in the catalog's scheme (exit 1 when malformed: the input is invalid).
pub fn parse_version(
    catalog: &stepstone::catalog::Catalog,
    text: &str,
) -> Result<stepstone::version::Version, Failure> {
    catalog.parse_version(text).map_err(|e| Failure::no(&e))
}
