//! The shell examples in the docs that run `stepstone` on `examples/catalog.json` run as
//! written: README.md's first command prints exactly the text shown under it; every `sh` block
//! runs to exit 0; every `console` block's commands print what the block shows. The catalog's
//! releases differ by model, so each of these states `--model` (issue 15, "safe defaults").
//!
//! Commands run under bash in a scratch directory holding `examples/` (so files they write,
//! such as `graph.svg`, land there), with `stepstone` and `cargo run -q -p stepstone-cli --`
//! both the binary under test. Tools that may be missing (`dot`) read their input and print
//! nothing. One change to what is written: a simulation of more than 20000 devices runs 20000
//! (the debug build is slow; the flags are the same).

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const DOCS: [&str; 4] = [
    "README.md",
    "docs/cli.md",
    "docs/reconciler.md",
    "docs/compact-catalog.md",
];

struct Block {
    file: &'static str,
    line: usize,
    lang: String,
    text: String,
}

fn blocks(file: &'static str) -> Vec<Block> {
    let doc = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap();
    let mut out = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    for (i, line) in doc.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => open = Some((i + 1, lang.trim().to_string(), String::new())),
            (Some(_), Some("")) => {
                let (line, lang, text) = open.take().unwrap();
                out.push(Block {
                    file,
                    line,
                    lang,
                    text,
                });
            }
            (Some((_, _, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// A scratch directory with `examples/` and a `bin/` holding `stepstone`; removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("stepstone-docs-{tag}-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::os::unix::fs::symlink(Path::new(ROOT).join("examples"), dir.join("examples")).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_stepstone"), dir.join("bin/stepstone"))
            .unwrap();
        Scratch(dir)
    }

    /// Runs `script` with bash (`-e -o pipefail`): (exit code, stdout, stderr).
    fn run(&self, script: &str) -> (Option<i32>, String, String) {
        let script = script.replace("cargo run -q -p stepstone-cli --", "stepstone");
        let script = cap_devices(&script);
        let prelude =
            "set -e -o pipefail\ncommand -v dot >/dev/null || dot() { cat >/dev/null; }\n";
        let path = format!(
            "{}:{}",
            self.0.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let o = Command::new("bash")
            .arg("-c")
            .arg(format!("{prelude}{script}"))
            .current_dir(&self.0)
            .env("PATH", path)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn cap_devices(script: &str) -> String {
    let words: Vec<&str> = script.split(' ').collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let after_devices = i > 0 && words[i - 1] == "--devices";
        match w.parse::<u64>() {
            Ok(n) if after_devices && n > 20_000 => out.push("20000"),
            _ => out.push(w),
        }
    }
    out.join(" ")
}

/// The commands of a `console` block (`$ ` lines, with their `\` continuations) and the output
/// each shows.
fn console(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut continued = false;
    for line in text.lines() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push((cmd.to_string(), String::new()));
            continued = cmd.ends_with('\\');
        } else if let Some((cmd, shown)) = out.last_mut() {
            if continued {
                cmd.push('\n');
                cmd.push_str(line);
                continued = line.ends_with('\\');
            } else {
                shown.push_str(line);
                shown.push('\n');
            }
        }
    }
    out
}

fn on_the_example_catalog(b: &Block) -> bool {
    (b.lang == "sh" || b.lang == "console") && b.text.contains("examples/catalog.json")
}

#[test]
fn readme_first_command_prints_what_the_readme_shows() {
    let all = blocks("README.md");
    let first = all.iter().position(|b| b.lang == "sh").unwrap();
    let (cmd, shown) = (&all[first], &all[first + 1]);
    assert_eq!(shown.lang, "text", "the first command's output follows it");
    assert!(cmd.text.contains("--model AG-1"), "{}", cmd.text);
    let (code, stdout, stderr) = Scratch::new("readme").run(&cmd.text);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, shown.text);
}

#[test]
fn shell_examples_on_the_example_catalog_run_as_written() {
    let mut ran = 0;
    for file in DOCS {
        for b in blocks(file).iter().filter(|b| on_the_example_catalog(b)) {
            let at = format!("{}:{}", b.file, b.line);
            let scratch = Scratch::new(&format!("{}", b.line));
            if b.lang == "sh" {
                let (code, _, stderr) = scratch.run(&b.text);
                assert_eq!(code, Some(0), "{at}: {}\n{stderr}", b.text);
                ran += 1;
                continue;
            }
            for (cmd, shown) in console(&b.text) {
                let (_, stdout, stderr) = scratch.run(&cmd);
                // What a console block shows is stdout, or stderr for a command that prints
                // only an error; a block that shows nothing only has to run.
                let got = if stdout.is_empty() { &stderr } else { &stdout };
                if shown.is_empty() {
                    let (code, _, _) = scratch.run(&cmd);
                    assert_eq!(code, Some(0), "{at}: {cmd}\n{stderr}");
                } else {
                    assert_eq!(got, &shown, "{at}: {cmd}");
                }
                ran += 1;
            }
        }
    }
    // README (next-hop and graph), cli.md (refusals, graph, simulate twice), reconciler.md,
    // compact-catalog.md.
    assert!(ran >= 8, "{ran} examples found");
}

#[test]
fn every_example_on_the_example_catalog_states_the_model() {
    let subcommands = ["plan", "next-hop", "graph", "simulate", "catalog pack"];
    for file in DOCS {
        for b in blocks(file).iter().filter(|b| on_the_example_catalog(b)) {
            let text = b.text.replace("\\\n", " ");
            for line in text.lines().filter(|l| l.contains("examples/catalog.json")) {
                let asks = subcommands.iter().any(|s| {
                    line.contains(&format!("stepstone {s} ")) || line.contains(&format!("-- {s} "))
                });
                // The rows of a next-hop list may name the model instead (README: printf ...).
                let by_rows = line.contains("next-hop") && text.contains("device_id,version,model");
                // The refusals cli.md shows on purpose.
                let refused = text.contains("error[plan.");
                if asks && !by_rows && !refused {
                    assert!(line.contains("--model "), "{}:{}: {line}", b.file, b.line);
                }
            }
        }
    }
}
