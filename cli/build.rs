//! Puts the git commit the CLI is built from into `stepstone --version`
//! (`STEPSTONE_GIT_COMMIT`): `$STEPSTONE_GIT_COMMIT` when set (a build from a source archive
//! can say it), else `git rev-parse --short HEAD`, else `unknown` (not a git checkout, or no
//! git on the machine).

use std::path::{Path, PathBuf};
use std::process::Command;

/// `git ARGS` in the crate's directory: its trimmed output, when it ran and succeeded.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_string())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=STEPSTONE_GIT_COMMIT");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let given = std::env::var("STEPSTONE_GIT_COMMIT")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let commit = given.or_else(|| {
        let commit = git(&dir, &["rev-parse", "--short", "HEAD"])?;
        // Build again when HEAD moves: HEAD itself, the branch it names, packed refs.
        let watch = |p: Option<String>| {
            if let Some(p) = p.map(|p| dir.join(p))
                && p.exists()
            {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        };
        watch(git(&dir, &["rev-parse", "--git-path", "HEAD"]));
        if let Some(branch) = git(&dir, &["symbolic-ref", "-q", "HEAD"]) {
            watch(git(&dir, &["rev-parse", "--git-path", &branch]));
        }
        watch(git(&dir, &["rev-parse", "--git-path", "packed-refs"]));
        Some(commit)
    });
    println!(
        "cargo:rustc-env=STEPSTONE_GIT_COMMIT={}",
        commit.unwrap_or_else(|| "unknown".to_string())
    );
}
