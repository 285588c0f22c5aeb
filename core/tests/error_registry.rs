//! The error registry (`stepstone::error::REGISTRY`) against everything that names a code:
//! `docs/errors.md` is generated from it, every code a conformance vector expects is in it, and
//! every code-like string in the workspace's Rust sources (core, sim, cli, device port, the
//! bindings' glue) is in it.
//!
//! `STEPSTONE_REGENERATE=1 cargo test -p stepstone --test error_registry` rewrites
//! `docs/errors.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stepstone::error::{ALL, AREAS, Code, Device, REGISTRY};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn registered() -> BTreeSet<&'static str> {
    REGISTRY.iter().map(|e| e.code).collect()
}

/// The part of a code before the dot.
fn prefix(code: &str) -> &str {
    code.split_once('.').map_or(code, |(p, _)| p)
}

// ---------------------------------------------------------------------------------------------
// docs/errors.md

fn render_docs() -> String {
    let mut s = String::new();
    s += "# Error codes\n\n";
    s += "<!-- Generated from the error registry (core/src/error/registry.rs) by \
          core/tests/error_registry.rs; do not edit.\n     \
          STEPSTONE_REGENERATE=1 cargo test -p stepstone --test error_registry rewrites it. -->\n\n";
    let _ = write!(
        s,
        "Every code stepstone reports, {} of them, from the one table in \
         [`core/src/error/registry.rs`](../core/src/error/registry.rs). A code is \
         `area.reason` and never changes once published: the CLI prints it \
         (`error[<code>]`, [cli.md](cli.md)), the bindings raise it (`.code`), the conformance \
         vectors expect it. In Rust the table is `stepstone::error::REGISTRY`, \
         `stepstone::error::codes` has a constant per code, and every core error gives its code \
         as text (`ErrorCode::code`) and as a `Code` (`Registered::registered`).\n\n",
        REGISTRY.len()
    );
    s += "**Device status** is what the device port's C API returns for the code: the \
          `StepstoneStatus` of `device-port/include/stepstone.h` (its number never changes) and \
          what `stepstone_strerror` says ([device.md](device.md)). *Host only*: a code of an \
          area the device works in that the device never meets. Status 0 is `STEPSTONE_OK`.\n\n";
    s += "| area | codes | count |\n|---|---|---|\n";
    for a in AREAS {
        let _ = writeln!(
            s,
            "| [{}](#{}) | {} | {} |",
            a.title,
            a.name,
            prefixes(a.name),
            a.entries().count()
        );
    }
    for a in AREAS {
        let _ = write!(
            s,
            "\n## <a id=\"{}\"></a>{} ({})\n\n",
            a.name,
            a.title,
            prefixes(a.name)
        );
        for line in a.about.lines() {
            s += line.strip_prefix(' ').unwrap_or(line);
            s += "\n";
        }
        let device = a.entries().any(|e| !matches!(e.device, Device::None));
        if device {
            s += "\n| code | meaning | device status |\n|---|---|---|\n";
        } else {
            s += "\n| code | meaning |\n|---|---|\n";
        }
        for e in a.entries() {
            let _ = write!(s, "| `{}` | {} |", e.code, e.meaning);
            match e.device {
                Device::None => {}
                Device::HostOnly => s += " *host only* |",
                Device::Status(st) => {
                    let _ = write!(s, " `{}` = {}, \"{}\" |", st.name, st.number, st.message);
                }
            }
            s += "\n";
        }
    }
    s
}

/// `` `plan.*` `` (`` `js.*`, `python.*` `` for the bindings).
fn prefixes(area: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for e in REGISTRY.iter().filter(|e| e.area == area) {
        if !seen.contains(&prefix(e.code)) {
            seen.push(prefix(e.code));
        }
    }
    seen.iter()
        .map(|p| format!("`{p}.*`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn docs_errors_md_is_the_registrys() {
    let path = root().join("docs/errors.md");
    let want = render_docs();
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        if std::env::var_os("STEPSTONE_REGENERATE").is_some() {
            std::fs::write(&path, &want).unwrap();
            println!("wrote {}", path.display());
        } else {
            panic!(
                "docs/errors.md is not what the error registry gives; regenerate it with \
                 STEPSTONE_REGENERATE=1 cargo test -p stepstone --test error_registry. \
                 It should read:\n{want}"
            );
        }
    }
}

#[test]
fn every_code_is_in_docs_errors_md() {
    let doc = std::fs::read_to_string(root().join("docs/errors.md")).unwrap();
    let listed: BTreeSet<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split_once('`').map(|(c, _)| c))
        .collect();
    for e in REGISTRY {
        assert!(
            listed.contains(e.code),
            "{} is not in docs/errors.md",
            e.code
        );
    }
}

#[test]
fn no_code_is_registered_twice() {
    let mut seen = BTreeMap::new();
    for (i, e) in REGISTRY.iter().enumerate() {
        if let Some(j) = seen.insert(e.code, i) {
            panic!("{} is registered twice (entries {j} and {i})", e.code);
        }
    }
    assert_eq!(seen.len(), ALL.len());
    let areas: BTreeSet<&str> = AREAS.iter().map(|a| a.name).collect();
    assert_eq!(areas.len(), AREAS.len(), "an area is listed twice");
    for e in REGISTRY {
        assert!(
            areas.contains(e.area),
            "{}: unknown area {}",
            e.code,
            e.area
        );
        assert!(
            e.area == "binding" || prefix(e.code) == e.area,
            "{} is not in its area ({})",
            e.code,
            e.area
        );
    }
}

#[test]
fn codes_and_registry_agree() {
    for (&code, e) in ALL.iter().zip(REGISTRY) {
        assert_eq!(code.as_str(), e.code);
        assert_eq!(code.entry(), e);
        assert_eq!(Code::find(e.code), Some(code));
        assert_eq!(code.to_string(), e.code);
    }
}

// ---------------------------------------------------------------------------------------------
// The conformance vectors

/// The codes a vector file expects: `error`, `code`, `give_up`, `halt` strings, `errors` lists
/// and the first element of each `warnings` pair, anywhere in the document.
fn expected_codes(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("error" | "code" | "give_up" | "halt", Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    ("errors", Value::Array(list)) => {
                        out.extend(list.iter().filter_map(Value::as_str).map(String::from));
                    }
                    ("warnings", Value::Array(list)) => {
                        out.extend(
                            list.iter()
                                .filter_map(|w| w.get(0)?.as_str())
                                .map(String::from),
                        );
                    }
                    _ => {}
                }
                expected_codes(x, out);
            }
        }
        Value::Array(list) => list.iter().for_each(|x| expected_codes(x, out)),
        _ => {}
    }
}

/// What arguments.json's `"error": "bad_argument"` stands for: each binding's own code.
const BINDING_BAD_ARGUMENT: [&str; 2] = ["js.bad_argument", "python.bad_argument"];

#[test]
fn every_code_a_vector_expects_is_registered() {
    let registered = registered();
    for code in BINDING_BAD_ARGUMENT {
        assert!(registered.contains(code), "{code} is not registered");
    }
    let mut files = 0;
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("core/tests/vectors")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        files += 1;
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut codes = BTreeSet::new();
        expected_codes(&doc, &mut codes);
        for code in codes {
            // arguments.json's `bad_argument`: each binding's own code (above).
            if code == "bad_argument" {
                continue;
            }
            assert!(
                registered.contains(code.as_str()),
                "{}: {code:?} is not a registered code (core/src/error/registry.rs)",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(files >= 8, "only {files} vector files");
    assert!(checked >= 100, "only {checked} codes checked");
}

// ---------------------------------------------------------------------------------------------
// The sources

/// Every string literal of the form `"area.reason"` (lowercase, one dot) in `text`.
fn code_literals(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i + 1;
            let mut j = start;
            while j < b.len()
                && (b[j].is_ascii_lowercase()
                    || b[j].is_ascii_digit()
                    || b[j] == b'_'
                    || b[j] == b'.')
            {
                j += 1;
            }
            if j < b.len() && b[j] == b'"' {
                let s = &text[start..j];
                if is_code_shaped(s) {
                    out.push(s);
                }
                i = j;
            }
        }
        i += 1;
    }
    out
}

fn is_code_shaped(s: &str) -> bool {
    let Some((a, r)) = s.split_once('.') else {
        return false;
    };
    let part = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_lowercase())
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    part(a) && part(r)
}

/// The bodies of every `fn code(` in `text`.
fn code_fn_bodies(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("fn code(") {
        let after = &rest[at..];
        let Some(open) = after.find('{') else { break };
        let mut depth = 0;
        let mut end = open;
        for (k, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push(&after[open..=end]);
        rest = &after[end..];
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Code-shaped strings in the sources that are not codes.
const NOT_CODES: [&str; 1] = [
    // A JSON path in catalog error messages (`catalog.releases: expected an array`).
    "catalog.releases",
];

#[test]
fn every_code_in_the_sources_is_registered() {
    let registered = registered();
    let areas: BTreeSet<&str> = REGISTRY.iter().map(|e| prefix(e.code)).collect();
    let mut files = Vec::new();
    for dir in [
        "core/src",
        "sim/src",
        "cli/src",
        "device-port/src",
        "bindings/python/src",
        "bindings/js-glue/src",
        "bindings/wasm/src",
        "bindings/node/src",
    ] {
        rust_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 50, "only {} source files found", files.len());
    let mut bodies = 0;
    let mut problems = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let shown = path.strip_prefix(root()).unwrap().display().to_string();
        // What `code()` returns: anything code-shaped there is a code.
        for body in code_fn_bodies(&text) {
            bodies += 1;
            for lit in code_literals(body) {
                if !registered.contains(lit) {
                    problems.push(format!("{shown}: fn code returns {lit:?}"));
                }
            }
        }
        // Anywhere else: a string of a registered area is a code.
        for lit in code_literals(&text) {
            if areas.contains(prefix(lit)) && !registered.contains(lit) && !NOT_CODES.contains(&lit)
            {
                problems.push(format!("{shown}: {lit:?}"));
            }
        }
    }
    assert!(bodies >= 15, "only {bodies} fn code bodies found");
    assert!(
        problems.is_empty(),
        "codes not in the registry (core/src/error/registry.rs):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scanners_find_what_they_should() {
    let text = r#"fn code(&self) -> &'static str { match self { A => "plan.unreachable", B => { "x.y" } } }
        fn other() { let s = "catalog.releases"; let t = "error[cli.json]"; let u = "a._b"; }"#;
    assert_eq!(code_fn_bodies(text).len(), 1);
    assert_eq!(
        code_literals(code_fn_bodies(text)[0]),
        ["plan.unreachable", "x.y"]
    );
    assert_eq!(
        code_literals(text),
        ["plan.unreachable", "x.y", "catalog.releases"]
    );
    let mut codes = BTreeSet::new();
    expected_codes(
        &serde_json::json!({"vectors": [{"error": "a.b"}, {"expect": {"give_up": "c.d", "halt": null}},
            {"errors": ["e.f"]}, {"warnings": [["g.h", "v1"]]}, {"call": "i.j"}]}),
        &mut codes,
    );
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        ["a.b", "c.d", "e.f", "g.h"]
    );
}
