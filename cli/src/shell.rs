//! `stepstone completions bash|zsh|fish` (clap_complete) and `stepstone man [--dir DIR]`
//! (clap_mangen): generated from the same clap definitions the CLI parses with, so they list
//! exactly its subcommands and flags.

use std::process::ExitCode;

use crate::output::Failure;

/// Arguments of `stepstone completions`.
#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

/// The shells `completions` writes for.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Shell {
    /// Bash: `source <(stepstone completions bash)`.
    Bash,
    /// Zsh: save as `_stepstone` in a directory on `$fpath`.
    Zsh,
    /// Fish: save as `~/.config/fish/completions/stepstone.fish`.
    Fish,
}

/// Arguments of `stepstone man`.
#[derive(clap::Args)]
pub struct ManArgs {
    /// Write `stepstone.1` and one page per subcommand (`stepstone-plan.1`, …) into this
    /// directory instead of printing `stepstone.1` on stdout.
    #[arg(long, value_name = "DIR")]
    dir: Option<String>,
}

/// Prints the completion script on stdout.
pub fn completions(args: &CompletionsArgs, mut cmd: clap::Command) -> Result<ExitCode, Failure> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "stepstone", &mut script);
    write_stdout(&script)
}

/// Prints the man page (roff) on stdout, or writes every page into `--dir`.
pub fn man(args: &ManArgs, cmd: clap::Command) -> Result<ExitCode, Failure> {
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).map_err(|e| Failure::unwritable(dir, e))?;
        clap_mangen::generate_to(cmd, dir).map_err(|e| Failure::unwritable(dir, e))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut page)
        .map_err(|e| Failure::unwritable("stdout", e))?;
    write_stdout(&page)
}

fn write_stdout(bytes: &[u8]) -> Result<ExitCode, Failure> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::unwritable("stdout", e))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}
