//! `stepstone`: the command line over the stepstone core. Each subcommand lives in its own
//! module and only parses arguments, calls core, and prints; see `output` for exit codes.

mod bump;
mod catalog_pack;
mod csv_rows;
mod graph;
mod keygen;
mod manifest;
mod next_hop;
mod output;
mod plan;
mod row_out;
mod sample;
mod shell;
mod sign;
mod simulate;
mod validate;
mod verify;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use output::{Failure, Format};

/// `stepstone --version`: the crate version and the git commit it was built from (`unknown`
/// outside a git checkout; see build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("STEPSTONE_GIT_COMMIT"),
    ")"
);

/// The command line: parsed with clap; completions and the man page are generated from it.
#[derive(Parser)]
#[command(
    name = "stepstone",
    version = VERSION,
    about = "Firmware catalogs, update paths, device lists, graphs, fleet sampling \
             and simulation, signing keys, signatures and release manifests.",
    long_about = None,
    after_help = "Exit codes: 0 answered; 1 the answer is no or the input is invalid; \
                  2 usage error or unreadable file. Every subcommand, flag and JSON output: \
                  docs/cli.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate and lint a catalog: a summary, every error, every warning.
    Validate(validate::Args),
    /// Plan the best update path from a version to a target.
    Plan(plan::Args),
    /// Next hop toward a target for a device list (campaign table), streamed.
    NextHop(next_hop::Args),
    /// Print the upgrade graph as Graphviz DOT or Mermaid.
    Graph(graph::Args),
    /// Fleet sampling: sampled devices, one device's answer, and the fleet arithmetic.
    Sample(sample::SampleArgs),
    /// Catalog tools: `catalog pack` writes the compact binary catalog for devices (signed with
    /// --sign), `catalog inspect` shows one.
    Catalog(catalog_pack::CatalogArgs),
    /// Simulate a fleet marching to a target through the reconciler.
    Simulate(simulate::Args),
    /// Make a new P-256 signing key (PKCS#8 PEM) and its public key; prints the key id.
    Keygen(keygen::Args),
    /// Sign a file: RFC 6979 deterministic ECDSA P-256 / SHA-256.
    Sign(sign::Args),
    /// Check that an image is genuine: signature, certificate chain, signed manifest.
    Verify(verify::Args),
    /// Release manifests: `manifest create` signs one for an image, `manifest show` prints one.
    Manifest(manifest::ManifestArgs),
    /// Print a shell completion script: bash, zsh or fish.
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff), or write one per subcommand with --dir.
    Man(shell::ManArgs),
}

/// Makes glibc's malloc, which serves what the arena of [`bump`] has no room for, keep freed
/// blocks of up to 8 MiB in its heap for the next allocations, rather than returning each to
/// the kernel: the planner's arrays then reuse the pages of a freed catalog text instead of
/// faulting in new ones. glibc raises its mmap threshold
/// to the size of a freed mmapped block (mallopt(3), "dynamic mmap threshold"), so one 8 MiB
/// block is allocated and freed, never touched. Elsewhere it costs an allocation and does
/// nothing.
fn reuse_freed_memory() {
    // From `System` itself: the arena would serve a block this size and glibc would not see it.
    use std::alloc::{GlobalAlloc, Layout, System};
    let layout = Layout::new::<[u8; 8 << 20]>();
    // SAFETY: a non-zero layout; the block is freed with it and never read or written.
    unsafe {
        let block = std::hint::black_box(System.alloc(layout));
        if !block.is_null() {
            System.dealloc(block, layout);
        }
    }
}

/// `stepstone plan ... | head`: when the reader of stdout goes away, stop as `cat` and other
/// Unix tools do, killed by SIGPIPE without a word, instead of Rust's default of ignoring the
/// signal, which turns the next `println!` into a "failed printing to stdout" panic.
fn quiet_on_closed_pipe() {
    #[cfg(target_os = "linux")]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Bumped allocations from a static arena first (`bump.rs`): reading a catalog makes tens of
/// thousands of small allocations and frees almost none before exit.
#[global_allocator]
static ALLOCATOR: bump::Bump = bump::Bump;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    reuse_freed_memory();
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
    let (result, format): (Result<ExitCode, Failure>, Format) = match &cli.command {
        Command::Validate(a) => (validate::run(a), a.format),
        Command::Plan(a) => (plan::run(a), a.format),
        Command::NextHop(a) => (next_hop::run(a), a.format),
        Command::Graph(a) => (graph::run(a), a.format()),
        Command::Sample(a) => (sample::run(a), a.format()),
        Command::Catalog(a) => (catalog_pack::run(a), a.format()),
        Command::Simulate(a) => (simulate::run(a), a.format),
        Command::Keygen(a) => (keygen::run(a), a.format),
        Command::Sign(a) => (sign::run(a), a.format),
        Command::Verify(a) => (verify::run(a), a.format),
        Command::Manifest(a) => (manifest::run(a), a.format()),
        Command::Completions(a) => (shell::completions(a, Cli::command()), Format::Text),
        Command::Man(a) => (shell::man(a, Cli::command()), Format::Text),
    };
    result.unwrap_or_else(|f| f.report(format))
}
