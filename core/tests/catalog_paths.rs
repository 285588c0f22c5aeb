//! The two paths of `Catalog::from_json` against each other: the fast path (the hand scan of
//! the plain form, then the typed read of any form) and the `serde_json::Value` walk that
//! lists every error. On every text:
//! - what the scan accepts, the walk accepts as the same catalog (same releases, same
//!   spellings), and the scan accepts the plain form writers produce;
//! - the typed read accepts exactly what the walk accepts, as the same catalog;
//! - `from_json` answers exactly what the walk answers, every error message included.
//!
//! Texts: every catalog of the vectors (valid or not), and generated catalogs in all three
//! schemes written in many forms (compact or indented, tabs and CRLF, keys in any order, the
//! scheme first, last or left to detection, a `$schema`, escaped strings, a repeated key,
//! releases out of order) and broken in many ways.
//!
//! A key given twice in any object is refused by every path: the walk with the one error
//! `catalog.json` (`duplicate field `version` at line 1 column 34`, where serde_json reports
//! it for a type that refuses it), the fast path by giving up.

use proptest::prelude::*;
use stepstone::catalog::Catalog;

#[path = "support/strict_value.rs"]
mod strict_value;

/// The walk as it was before core read the tree itself: `serde_json::Value` (refusing a
/// repeated key, `strict_value`), then the walk.
fn serde_path(text: &str) -> Result<Catalog, stepstone::catalog::CatalogErrors> {
    match strict_value::strict_value(text) {
        Ok(value) => Catalog::from_json_value(&value),
        Err(e) => Err(stepstone::catalog::CatalogErrors(vec![
            stepstone::catalog::CatalogError::Json {
                message: e.to_string(),
            },
        ])),
    }
}

/// Checks the three paths on `text`, and the walk against the `serde_json::Value` path (the
/// same answer, every message word for word); returns the walk's answer.
fn agree(text: &str) -> Result<Catalog, stepstone::catalog::CatalogErrors> {
    let walked = Catalog::from_json_walked(text);
    let old = serde_path(text);
    assert_eq!(walked, old, "core's reader and serde_json differ on {text}");
    if let (Err(w), Err(o)) = (&walked, &old) {
        assert_eq!(w.to_string(), o.to_string(), "{text}");
    }
    let same = |path: &str, got: &Catalog, w: &Catalog| {
        assert_eq!(got, w, "{path} and the walk differ on {text}");
        assert_eq!(
            got.to_json(),
            w.to_json(),
            "{path} and the walk spell it differently: {text}"
        );
    };
    match (&walked, Catalog::from_json_scanned(text)) {
        (Ok(w), Some(s)) => same("the scan", &s, w),
        (Err(e), Some(_)) => panic!("the scan accepts what the walk refuses ({e}): {text}"),
        (_, None) => {}
    }
    match (&walked, Catalog::from_json_typed(text)) {
        (Ok(w), Some(t)) => same("the typed read", &t, w),
        (Err(e), Some(_)) => panic!("the typed read accepts what the walk refuses ({e}): {text}"),
        (Ok(_), None) => panic!("the typed read refuses what the walk accepts: {text}"),
        (Err(_), None) => {}
    }
    assert_eq!(
        Catalog::from_json_fast(text).as_ref(),
        walked.as_ref().ok(),
        "{text}"
    );
    let answer = Catalog::from_json(text);
    assert_eq!(answer, walked, "from_json differs from the walk on {text}");
    if let Err(e) = &answer {
        // Byte for byte, as the CLI prints them.
        let w = walked.as_ref().unwrap_err();
        assert_eq!(e.to_string(), w.to_string());
    }
    walked
}

#[path = "support/vector_catalogs.rs"]
mod vector_catalogs;

#[test]
fn the_paths_agree_on_every_vector_catalog() {
    let texts = vector_catalogs::vector_catalog_texts(true);
    assert!(texts.len() > 40, "{} catalogs", texts.len());
    let (mut valid, mut scanned) = (0, 0);
    for t in &texts {
        if agree(t).is_ok() {
            valid += 1;
            scanned += usize::from(Catalog::from_json_scanned(t).is_some());
        }
    }
    // Both kinds are there, and the scan reads the plain form of every valid one.
    assert!(
        valid > 20 && valid < texts.len(),
        "{valid} of {}",
        texts.len()
    );
    assert_eq!(scanned, valid);
}

#[test]
fn corners_of_the_json() {
    let ok = |t: &str| assert!(agree(t).is_ok(), "{t}");
    let bad = |t: &str| assert!(agree(t).is_err(), "{t}");
    // What the scan leaves to the typed read, which must still accept it.
    ok(r#"{"releases": [{"vers\u0069on": "v1"}]}"#);
    ok(r#"{"releases": [{"version": "\u0076\u0031"}]}"#);
    // A repeated key, in any object, whatever its values: one `catalog.json` error, at the
    // first repeat in the document.
    let repeated = |t: &str, at: &str| {
        let e = agree(t).unwrap_err();
        assert_eq!(e.0.len(), 1, "{t}");
        assert_eq!(stepstone::ErrorCode::code(&e.0[0]), "catalog.json", "{t}");
        assert_eq!(
            e.to_string(),
            format!("catalog is not valid JSON: duplicate field {at}"),
            "{t}"
        );
    };
    for (text, at) in [
        (
            r#"{"releases": [{"version": "v1", "size": "x", "size": 5}]}"#,
            "`size` at line 1 column 51",
        ),
        (
            r#"{"releases": [{"version": "v1", "kind": [[1, {"a": null}]], "kind": "k"}]}"#,
            "`kind` at line 1 column 66",
        ),
        (
            r#"{"releases": 5, "releases": [{"version": "v1"}]}"#,
            "`releases` at line 1 column 26",
        ),
        (
            r#"{"scheme": "calendar", "scheme": "integer", "releases": []}"#,
            "`scheme` at line 1 column 31",
        ),
        (
            r#"{"releases": [], "$schema": "s", "$schema": 1, "$schema": "t"}"#,
            "`$schema` at line 1 column 42",
        ),
        (
            r#"{"scheme": "integer", "releases": [{"version": "v1", "version": "v2"}]}"#,
            "`version` at line 1 column 62",
        ),
        (
            r#"{"releases": [{"version": "v1"}], "releases": []}"#,
            "`releases` at line 1 column 44",
        ),
        (
            "{\"releases\": [{\"version\": \"v2\", \"deltas\": [{\"from\": \"v1\", \"size\": 1,\n  \"size\" : 2}]}]}",
            "`size` at line 2 column 9",
        ),
        (
            r#"{"releases": [{"version": "v1", "colour": 1, "colour": 2, "size": 0}]}"#,
            "`colour` at line 1 column 53",
        ),
        (
            r#"{"releases": [{"version": "v1", "kind": {"a": 1, "a": 2}}]}"#,
            "`a` at line 1 column 52",
        ),
        (
            r#"{"releases": [{"version": "v1", "version": "v2"}], "releases": [}"#,
            "`version` at line 1 column 41",
        ),
        (
            r#"{"r\u0065leases": [], "releases": []}"#,
            "`releases` at line 1 column 32",
        ),
    ] {
        repeated(text, at);
    }
    ok(r#"{"releases": [{"version": "5"}, {"version": "1.2.3"}]}"#);
    ok(r#"{"releases": [{"version": "1.2.3"}, {"version": "1.2.4"}]}"#);
    ok(r#"{"releases": [{"version": "1.2"}, {"version": "1.2.3.4"}]}"#);
    ok(r#"{"releases": [{"version": "4", "blocked_from": ["<3"]}], "scheme": "dotted"}"#);
    ok(r#"{"releases": [{"blocked_from": ["<v3"], "version": "v4"}]}"#);
    ok("{\"releases\":\t[\r\n{\"version\":\"v1\"}\r\n]\r\n}\n");
    ok(r#"{"releases": [{"version": "v2"}, {"version": "v1"}, {"version": "v0"}]}"#);
    ok(r#"{"releases": [{"version": "v1", "size": 9007199254740991, "models": []}]}"#);
    // The scan's own shortcuts: integer versions read in one pass (up to 19 digits, leading
    // zeros, with or without `v`), keys matched by their bytes, whitespace skipped by words.
    ok(r#"{"scheme": "integer", "releases": [{"version": "v9999999999999999999"}]}"#);
    ok(r#"{"scheme": "integer", "releases": [{"version": "v18446744073709551615"}]}"#);
    ok(r#"{"scheme": "integer", "releases": [{"version": "0007"}, {"version": "v8"}]}"#);
    ok(
        r#"{"scheme": "integer", "releases": [{"version": "v1", "deltas": [{"from": "v0", "size": 3}]}]}"#,
    );
    ok(r#"{"scheme":"integer","releases":[{"version":"v1","min_sw_version":"v0"}]}"#);
    ok("{\n        \"releases\":        [ {\"version\"  :  \"v1\"  }  ]   \n}");
    ok("{\"releases\": [{\"version\": \"v1\"}]}                    ");
    bad(r#"{"scheme": "integer", "releases": [{"version": "v1", "sizes": 1, "size": 2}]}"#);
    bad(r#"{"scheme": "integer", "releases": [{"version": "v1", "deltas_": []}]}"#);
    bad(r#"{"scheme": "integer", "releases": [{"version": "v18446744073709551616"}]}"#);
    bad(r#"{"scheme": "integer", "releases": [{"version": "v"}]}"#);
    bad(r#"{"scheme": "integer", "releases": [{"version": "v1a"}]}"#);
    bad(r#"{"scheme": "integer", "releases": [{"version": "vv1"}]}"#);
    bad(r#"{"scheme": "integer", "releases": [{"version": ""}]}"#);
    bad(r#"{"scheme": "integer", "releases": [{"version": "v1", "vers": "v2"}]}"#);
    bad(r#"{"scheme": "integer", "releases": [{"version": "v1", "from": "v0"}]}"#);
    bad(r#"{"scheme": "integer", "releases": [{"version": "v1"}], "from": 1}"#);
    bad(
        r#"{"scheme": "integer", "releases": [{"version": "v1", "deltas": [{"from": "v0", "size": 1, "kind": "x"}]}]}"#,
    );
    bad("{\"releases\": [{\"version\": \"v1\"}]}\u{0b}");
    // Refused by every path.
    bad(r#"{"releases": [{"version": "v1", "size": 1.0}]}"#);
    bad(r#"{"releases": [{"version": "v1", "size": 1e3}]}"#);
    bad(r#"{"releases": [{"version": "v1", "size": -0}]}"#);
    bad(r#"{"releases": [{"version": "v1", "size": 05}]}"#);
    bad(r#"{"releases": [{"version": "v1", "size": 18446744073709551616}]}"#);
    bad(r#"{"releases": [{"version": "v1", "size": 9007199254740992}]}"#);
    // A syntax error before a repeated key is the error.
    bad(r#"{"releases": [{"version": "v1", "kind": [1e400], "kind": "k"}]}"#);
    bad(r#"{"releases": [{"version": "v1", "kind": ["\ud800"], "kind": "k"}]}"#);
    bad(r#"{"releases": [{"version": "v1", "kind": "a	b"}]}"#);
    bad(r#"{"releases": [{"version": "v1"},]}"#);
    bad(r#"{"releases": [{"version": "v1"}]} x"#);
    bad("\u{feff}{\"releases\": []}");
    bad(r#"{"releases": [{"version": "v1", "yanked": null}]}"#);
    bad(r#"{"releases": [{"version": "v1", "$schema": "x"}]}"#);
    bad(r#"{"releases": [{"version": "v1"}], "scheme": "semver"}"#);
    bad(r#"{"releases": [{"version": "v1"}, {"version": "1"}]}"#);
    bad(r#"{"releases": [{"version": "1.2.3-rc.1"}, {"version": "1.2.3.4"}]}"#);
    bad(r#"{"releases": [{"version": "v1", "deltas": [{"from": "v0"}]}]}"#);
    bad(r#"{"$schema": 7, "releases": []}"#);
    let deep = format!(
        r#"{{"releases": [{{"version": "v1", "kind": {}1{}, "kind": "k"}}]}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    bad(&deep);
}

/// One release of a generated catalog, by version number (spelt per scheme).
#[derive(Debug, Clone)]
struct Rel {
    v: u32,
    kind: Option<&'static str>,
    min: Option<u32>,
    size: Option<u64>,
    sha: Option<u8>,
    models: Option<Vec<&'static str>>,
    envs: Option<Vec<&'static str>>,
    flags: [bool; 3],
    blocked: Vec<(u8, u32, u32)>,
    deltas: Vec<(u32, u64, Option<u8>)>,
}

fn spell(scheme: u8, n: u32) -> String {
    match scheme {
        0 => format!("v{n}"),
        1 => match n % 3 {
            0 => format!("1.{}.0-alpha", n / 3),
            1 => format!("v1.{}.0-rc.1", n / 3),
            _ => format!("1.{}.0+build.{n}", n / 3),
        },
        _ => format!("{}.{}.{}", n / 6, (n / 2) % 3, n % 2),
    }
}

fn rel() -> impl Strategy<Value = Rel> {
    let names = |a, b| prop_oneof![Just(None), Just(Some(vec![a])), Just(Some(vec![a, b]))];
    (
        (
            1u32..40,
            prop_oneof![Just(None), Just(Some("major")), Just(Some("mïnor"))],
            proptest::option::of(0u32..40),
            proptest::option::of(prop_oneof![Just(1u64), 2u64..1 << 40, Just((1 << 53) - 1)]),
            proptest::option::weighted(0.2, any::<u8>()),
        ),
        (
            names("A", "B"),
            names("prod", "staging"),
            any::<[bool; 3]>(),
            proptest::collection::vec((0u8..3, 0u32..40, 0u32..40), 0..3),
            proptest::collection::vec(
                (
                    0u32..40,
                    1u64..1 << 30,
                    proptest::option::weighted(0.2, any::<u8>()),
                ),
                0..3,
            ),
        ),
    )
        .prop_map(
            |((v, kind, min, size, sha), (models, envs, flags, blocked, deltas))| Rel {
                v,
                kind,
                min,
                size,
                sha,
                models,
                envs,
                flags,
                blocked,
                deltas,
            },
        )
}

/// A valid catalog: distinct versions, constraints below their release, ranges not empty.
fn releases() -> impl Strategy<Value = Vec<Rel>> {
    proptest::collection::vec(rel(), 0..12).prop_map(|mut rs| {
        rs.sort_by_key(|r| r.v);
        rs.dedup_by_key(|r| r.v);
        for r in &mut rs {
            r.min = r.min.filter(|m| *m < r.v);
            r.deltas.retain(|d| d.0 < r.v);
            r.deltas.sort_by_key(|d| d.0);
            r.deltas.dedup_by_key(|d| d.0);
            r.blocked.retain(|b| b.0 != 1 || b.1 < b.2);
            for b in &mut r.blocked {
                // `<0` matches nothing in the integer scheme.
                if b.0 == 2 {
                    b.1 = b.1.max(1);
                }
            }
        }
        rs
    })
}

/// How the text is written.
#[derive(Debug, Clone)]
struct Form {
    /// Indented (with these whitespace bytes) or compact.
    indent: Option<&'static str>,
    /// 0: no `scheme`; 1: first; 2: after the releases.
    scheme_at: u8,
    schema: bool,
    /// Key order: a seed for a shuffle of each object's keys (0: the usual order).
    order: u64,
    /// Every string value and key's first character written as a `\u` escape.
    escape: bool,
    /// Every release's version key first given a wrong value, then repeated (refused).
    repeat: bool,
    /// Releases in reverse order.
    reverse: bool,
    /// Flags written even when false.
    all_flags: bool,
}

fn form() -> impl Strategy<Value = Form> {
    (
        prop_oneof![
            Just(None),
            Just(Some("  ")),
            // Four spaces a level: a delta's keys sit 20 spaces deep, past the scan's
            // one-step whitespace (16 spaces), so its steps are read too.
            Just(Some("    ")),
            Just(Some("\t")),
            Just(Some("\r\n "))
        ],
        0u8..3,
        any::<bool>(),
        prop_oneof![2 => Just(0u64), 1 => any::<u64>()],
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.2),
        any::<bool>(),
    )
        .prop_map(
            |(indent, scheme_at, schema, order, escape, repeat, reverse, all_flags)| Form {
                indent,
                scheme_at,
                schema,
                order,
                escape,
                repeat,
                reverse,
                all_flags,
            },
        )
}

/// A JSON string literal, its first character escaped when asked.
fn lit(s: &str, escape: bool) -> String {
    let body = serde_json::to_string(s).unwrap();
    match s.chars().next() {
        Some(c) if escape && c.is_ascii() && c != '"' && c != '\\' => {
            format!("\"\\u{:04x}{}", c as u32, &body[2..])
        }
        _ => body,
    }
}

/// A writer of objects in the chosen form.
struct W<'f> {
    form: &'f Form,
    salt: u64,
}

impl W<'_> {
    /// An object of `entries` (in an order from the form's seed) after `lead` (kept first).
    fn object(
        &mut self,
        lead: Option<(String, String)>,
        mut entries: Vec<(String, String)>,
        depth: usize,
    ) -> String {
        if self.form.order != 0 && entries.len() > 1 {
            // A small deterministic shuffle from the seed.
            for i in (1..entries.len()).rev() {
                self.salt = self
                    .salt
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(self.form.order | 1);
                entries.swap(i, (self.salt >> 33) as usize % (i + 1));
            }
        }
        let items: Vec<String> = lead
            .into_iter()
            .chain(entries)
            .map(|(k, v)| format!("{}: {v}", lit(&k, self.form.escape)))
            .collect();
        self.join('{', items, '}', depth)
    }

    fn join(&self, open: char, items: Vec<String>, close: char, depth: usize) -> String {
        match self.form.indent {
            None => format!("{open}{}{close}", items.join(",")),
            Some(ind) => {
                let pad = format!("\n{}", ind.repeat(depth + 1));
                let end = format!("\n{}", ind.repeat(depth));
                if items.is_empty() {
                    format!("{open}{end}{close}")
                } else {
                    format!("{open}{pad}{}{end}{close}", items.join(&format!(",{pad}")))
                }
            }
        }
    }

    fn strings(&self, list: &[String], depth: usize) -> String {
        let items = list.iter().map(|s| lit(s, self.form.escape)).collect();
        self.join('[', items, ']', depth)
    }
}

fn hex(b: u8) -> String {
    format!("{b:02x}").repeat(32)
}

/// The catalog as JSON text in `form`.
fn render(scheme: u8, rs: &[Rel], form: &Form) -> String {
    let sp = |n| spell(scheme, n);
    let esc = form.escape;
    let mut w = W { form, salt: 1 };
    let mut list = Vec::new();
    let ordered: Vec<&Rel> = if form.reverse {
        rs.iter().rev().collect()
    } else {
        rs.iter().collect()
    };
    for r in ordered {
        let mut e: Vec<(String, String)> = Vec::new();
        let lead = form
            .repeat
            .then(|| ("version".to_string(), "[1, {\"x\": null}]".to_string()));
        e.push(("version".into(), lit(&sp(r.v), esc)));
        if let Some(k) = r.kind {
            e.push(("kind".into(), lit(k, esc)));
        }
        if let Some(m) = r.min {
            e.push(("min_sw_version".into(), lit(&sp(m), esc)));
        }
        if let Some(s) = r.size {
            e.push(("size".into(), s.to_string()));
        }
        if let Some(h) = r.sha {
            e.push(("sha256".into(), lit(&hex(h).to_uppercase(), esc)));
        }
        if let Some(m) = &r.models {
            let m: Vec<String> = m.iter().map(|s| s.to_string()).collect();
            e.push(("models".into(), w.strings(&m, 3)));
        }
        if let Some(m) = &r.envs {
            let m: Vec<String> = m.iter().map(|s| s.to_string()).collect();
            e.push(("environments".into(), w.strings(&m, 3)));
        }
        for (name, on) in ["yanked", "barrier", "deadend"].iter().zip(r.flags) {
            if on || form.all_flags {
                e.push((name.to_string(), on.to_string()));
            }
        }
        let blocked: Vec<String> = r
            .blocked
            .iter()
            .map(|&(f, a, b)| match f {
                0 => sp(a),
                1 => format!(">={}, <{}", sp(a), sp(b)),
                _ => format!("<{}", sp(a)),
            })
            .collect();
        if !blocked.is_empty() {
            e.push(("blocked_from".into(), w.strings(&blocked, 3)));
        }
        if !r.deltas.is_empty() {
            let ds = r
                .deltas
                .iter()
                .map(|&(f, size, sha)| {
                    let mut d = vec![
                        ("from".to_string(), lit(&sp(f), esc)),
                        ("size".to_string(), size.to_string()),
                    ];
                    if let Some(h) = sha {
                        d.push(("sha256".into(), lit(&hex(h), esc)));
                    }
                    w.object(None, d, 4)
                })
                .collect();
            e.push(("deltas".into(), w.join('[', ds, ']', 3)));
        }
        list.push(w.object(lead, e, 2));
    }
    let releases = w.join('[', list, ']', 1);
    let name = lit(["integer", "semver", "dotted"][scheme as usize], esc);
    let mut top = Vec::new();
    if form.schema {
        top.push(("$schema".to_string(), lit("catalog.schema.json", esc)));
    }
    if form.scheme_at == 1 {
        top.push(("scheme".into(), name.clone()));
    }
    top.push(("releases".into(), releases));
    if form.scheme_at == 2 {
        top.push(("scheme".into(), name));
    }
    // The top level keeps its order (the scheme's place is the point).
    let keep = Form {
        order: 0,
        ..form.clone()
    };
    W {
        form: &keep,
        salt: 1,
    }
    .object(None, top, 0)
}

/// Edits of a valid text, each with whether it is refused: all are (a repeated key too, even
/// when its first value is wrong and the last would do).
fn breaks(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut swap = |from: &str, to: &str, refused: bool| {
        if let Some(i) = text.find(from) {
            out.push((
                format!("{}{to}{}", &text[..i], &text[i + from.len()..]),
                refused,
            ));
        }
    };
    swap("\"size\": ", "\"size\": -", true);
    swap("\"size\": ", "\"size\": 0.", true);
    swap("\"size\":", "\"szie\":", true);
    swap("\"version\": ", "\"version\": null, \"x\": ", true);
    swap("\"models\": [", "\"models\": [1, ", true);
    swap("\"yanked\": ", "\"yanked\": \"no\", \"yanked\": ", true);
    swap("\"releases\": [", "\"releases\": [{\"size\": 1}, ", true);
    swap("\"min_sw_version\": \"", "\"min_sw_version\": \"9", true);
    swap("\"from\": \"", "\"from\": \"x", true);
    swap("\"sha256\": \"", "\"sha256\": \"0", true);
    swap("}", "},", true);
    swap("{", "{\"colour\": 1, ", true);
    out.push((format!("{text}}}"), true));
    out.push((text.replacen('[', "[[", 1), true));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn the_paths_agree_on_generated_catalogs(scheme in 0u8..3, rs in releases(), form in form()) {
        let text = render(scheme, &rs, &form);
        let plain = |scheme_at| render(scheme, &rs, &Form {
            indent: Some("  "), scheme_at, schema: false, order: 0, escape: false,
            repeat: false, reverse: false, all_flags: false,
        });
        // A valid catalog, and the scan's to read in the plain form.
        let declared = plain(1);
        let base = agree(&declared);
        prop_assert!(base.is_ok(), "{:?}: {}", base.err(), declared);
        prop_assert!(Catalog::from_json_scanned(&declared).is_some(), "{}", declared);
        // The same catalog in every form (detection may pick another scheme than declared:
        // compared with the plain form that leaves it to detection too).
        let base = agree(&plain(form.scheme_at.min(1)));
        prop_assert!(base.is_ok());
        let got = agree(&text);
        let repeat = form.repeat && !rs.is_empty();
        if repeat {
            // The first release's repeated version: the one error.
            let e = got.as_ref().unwrap_err().to_string();
            prop_assert!(
                e.starts_with("catalog is not valid JSON: duplicate field `version` at line "),
                "{}: {}", e, text
            );
            prop_assert_eq!(got.unwrap_err().0.len(), 1);
        } else {
            prop_assert_eq!(got.as_ref().ok(), base.as_ref().ok(), "{}", text);
            prop_assert_eq!(got.map(|c| c.to_json()).ok(), base.map(|c| c.to_json()).ok());
        }
        for (edited, refused) in breaks(&text) {
            prop_assert_eq!(agree(&edited).is_err(), refused || repeat, "{}", edited);
        }
    }

    #[test]
    fn the_paths_agree_on_edited_text(scheme in 0u8..3, rs in releases(), form in form(),
                                       at in any::<prop::sample::Index>(), byte in any::<u8>(),
                                       cut in any::<bool>()) {
        // One byte replaced or removed anywhere: mostly refused, sometimes still valid (a
        // space, a digit, a letter of a name); the paths must agree either way.
        let text = render(scheme, &rs, &form).into_bytes();
        let i = at.index(text.len());
        let mut edited = text.clone();
        if cut {
            edited.remove(i);
        } else {
            edited[i] = byte;
        }
        if let Ok(t) = String::from_utf8(edited) {
            // Either answer will do; the paths must give the same one.
            let _ = agree(&t);
        }
    }
}
