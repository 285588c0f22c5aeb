//! Arbitrary bytes as catalog JSON, read by the walk of `Catalog::from_json` (core's own JSON
//! reader, `catalog/tree.rs`) and by the `serde_json::Value` path it replaced
//! (`serde_json::from_str`, then `Catalog::from_json_value`). They must give the same answer:
//! the same catalog, or the same errors with the same messages (a JSON syntax error word for
//! word, line and column included). A key given twice in one object, which `Value` reads (the
//! last value wins), is refused by the walk: the reference is then serde_json refusing it as a
//! type that refuses it while reading does (`core/tests/support/strict_value.rs`), so the walk
//! must answer exactly that one `catalog.json` error, `duplicate field `KEY` at line L column
//! C`; and the walk must refuse every text `Value` reads with a repeated key.
//!
//! The same input, cut at `\n` into up to four texts, is also read as SemVer versions by the
//! core's own SemVer key (`VersionKey::parse(.., Scheme::Semver)`, `version/semver_key.rs`) and
//! by the `semver` crate it replaced (after the core's `check`, as the former key did): the
//! same texts accepted, the same numbers and pre-release, the same key text, the same order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::catalog::{Catalog, CatalogError, CatalogErrors};
use stepstone::version::{Scheme, VersionKey, check};

#[path = "../../core/tests/support/strict_value.rs"]
mod strict_value;

fn serde_path(text: &str) -> Result<Catalog, CatalogErrors> {
    match strict_value::strict_value(text) {
        Ok(value) => Catalog::from_json_value(&value),
        Err(e) => Err(CatalogErrors(vec![CatalogError::Json {
            message: e.to_string(),
        }])),
    }
}

/// The former SemVer key: `check`, then the crate, without build metadata.
fn semver_by_crate(text: &str) -> Option<semver::Version> {
    check(text, Scheme::Semver).ok()?;
    let mut v = semver::Version::parse(text.strip_prefix('v').unwrap_or(text)).ok()?;
    v.build = semver::BuildMetadata::EMPTY;
    Some(v)
}

/// Up to four lines of `text` as SemVer keys, by the core and by the crate: they agree.
fn semver_keys_agree(text: &str) {
    let mut keys = Vec::new();
    for t in text.split('\n').take(4) {
        let ours = VersionKey::parse(t, Scheme::Semver);
        let theirs = semver_by_crate(t);
        assert_eq!(ours.is_ok(), theirs.is_some(), "{t:?}");
        if let (Ok(key), Some(v)) = (ours, theirs) {
            let VersionKey::Semver(k) = &key else {
                panic!("{t:?} is not a semver key");
            };
            assert_eq!((k.major, k.minor, k.patch), (v.major, v.minor, v.patch));
            assert_eq!(k.pre(), v.pre.as_str());
            assert_eq!(key.text(), v.to_string());
            keys.push((key, v));
        }
    }
    for (ka, va) in &keys {
        for (kb, vb) in &keys {
            assert_eq!(ka.cmp(kb), va.cmp(vb), "{ka:?} {kb:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    semver_keys_agree(text);
    let walked = Catalog::from_json_walked(text);
    let old = serde_path(text);
    match (&walked, &old) {
        (Ok(w), Ok(o)) => {
            assert_eq!(w, o, "the two readers read different catalogs");
            assert_eq!(w.to_json(), o.to_json());
        }
        (Err(w), Err(o)) => {
            assert_eq!(w.to_string(), o.to_string(), "different errors");
            assert_eq!(w, o);
        }
        _ => panic!("one reader accepts what the other refuses: {walked:?} / {old:?}"),
    }
    // A text `Value` reads though the reference refuses it has a repeated key: refused, with
    // that error alone.
    if serde_json::from_str::<serde_json::Value>(text).is_ok() {
        if let Err(e) = strict_value::strict_value(text) {
            let walked = walked.expect_err("a repeated key accepted");
            assert_eq!(walked.0.len(), 1);
            assert_eq!(stepstone::ErrorCode::code(&walked), "catalog.json");
            let message = e.to_string();
            assert!(message.starts_with("duplicate field `"), "{message}");
            assert_eq!(
                walked.to_string(),
                format!("catalog is not valid JSON: {message}")
            );
        }
    }
});
