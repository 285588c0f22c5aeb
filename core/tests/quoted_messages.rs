//! Values named in the plan area's messages (unknown fields, schemes, costs, models, graph
//! formats, versions, sha256s) are quoted by the core's own quoting (`error::Quoted`), not
//! `{:?}`, so that the `plan` WASM module links no `Debug` for `str` and its Unicode tables.
//! For ASCII text, control characters included, the message is the one `{:?}` gave, word for
//! word; only characters `Debug` escapes beyond ASCII (U+200B, combining marks) are now kept.

use stepstone::catalog::Catalog;
use stepstone::plan::{Cost, Query, plan};
use stepstone::version::{Scheme, Version};

/// ASCII values with what `{:?}` escapes: quotes, backslashes, every control character.
fn values() -> Vec<String> {
    let mut v: Vec<String> = [
        "x",
        "a\"b",
        "back\\slash",
        "tab\there",
        "nl\ncr\r",
        "\u{7f}",
        "'",
    ]
    .map(String::from)
    .to_vec();
    v.extend((0u8..0x20).map(|b| format!("c{}", b as char)));
    v
}

fn messages(text: &str) -> Vec<String> {
    Catalog::from_json(text)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn ascii_values_are_quoted_as_debug_quoted_them() {
    for v in values() {
        let lit = serde_json::to_string(&v).unwrap();
        // An unknown field of the document, with no suggestion.
        let m = messages(&format!(r#"{{"releases": [], {lit}: 1}}"#));
        assert_eq!(m, [format!("catalog: unknown field {v:?}")], "{v:?}");
        // An unknown scheme.
        let m = messages(&format!(r#"{{"scheme": {lit}, "releases": []}}"#));
        assert_eq!(
            m,
            [format!(
                "catalog.scheme: unknown scheme {v:?} (expected integer, semver or dotted)"
            )],
            "{v:?}"
        );
        // A bad sha256.
        let m = messages(&format!(
            r#"{{"releases": [{{"version": "v1", "sha256": {lit}}}]}}"#
        ));
        assert_eq!(
            m,
            [format!(
                "releases[0] (v1).sha256: bad sha256 {v:?} (expected 64 hex digits)"
            )],
            "{v:?}"
        );
        // A version that is not of the scheme.
        let e = Version::parse(&v, Scheme::Integer).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("{v:?} is not an integer version (")),
            "{e}"
        );
        // A cost, a model, a graph format.
        let e = v.parse::<Cost>().unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("unknown cost {v:?} (expected hops or bytes)")
        );
        let c = Catalog::from_json(
            r#"{"releases": [{"version": "v1", "models": ["A"]}, {"version": "v2", "models": ["A"]}]}"#,
        )
        .unwrap();
        let mut q = Query::parse(&c, "v1", "v2").unwrap();
        q.model = Some(v.clone());
        let e = plan(&c, &q).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("unknown model {v:?}: the catalog's releases name A"),
            "{v:?}"
        );
        let e = v.parse::<stepstone::graph::GraphFormat>().unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("unknown graph format {v:?}: expected dot, mermaid or json")
        );
    }
}

#[test]
fn characters_debug_escapes_beyond_ascii_are_kept() {
    let m = messages(r#"{"releases": [], "re\u200bleases": 1}"#);
    assert_eq!(
        m,
        ["catalog: unknown field \"re\u{200b}leases\"; did you mean \"releases\"?"]
    );
}
