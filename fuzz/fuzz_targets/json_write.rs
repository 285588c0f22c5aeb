//! The core's JSON writer (`core/src/json_write.rs`) against serde_json, from arbitrary text:
//! a lint report whose release and message are the input's strings (compact) and a catalog
//! whose release kind and model names are (pretty, `Catalog::to_json`) write byte for byte
//! what `serde_json::to_string` / `to_string_pretty` write for the same values, whatever the
//! characters (quotes, backslashes, control characters, non-ASCII).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::catalog::{Catalog, Release};
use stepstone::lint::{Warning, to_json};
use stepstone::version::{Scheme, Version};

fuzz_target!(|parts: (String, String, Vec<String>)| {
    let (a, b, names) = parts;
    let warnings = [
        Warning { code: "lint.unreachable", release: a.clone(), message: b.clone() },
        Warning { code: "lint.dead_end", release: b.clone(), message: a.clone() },
    ];
    assert_eq!(to_json(&warnings), serde_json::to_string(&warnings).unwrap());
    assert_eq!(to_json(&warnings[..0]), serde_json::to_string(&warnings[..0]).unwrap());

    let mut r = Release::new(Version::parse("v1", Scheme::Integer).unwrap());
    r.kind = Some(a);
    r.models = Some(names.clone());
    r.environments = Some(vec![b]);
    let mut s = Release::new(Version::parse("v2", Scheme::Integer).unwrap());
    s.models = Some(names);
    s.size = Some(7);
    if let Ok(c) = Catalog::new(Scheme::Integer, vec![r, s]) {
        assert_eq!(c.to_json(), serde_json::to_string_pretty(&c).unwrap());
    }
});
