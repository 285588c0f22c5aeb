//! Arbitrary bytes as catalog JSON, read by both paths of `Catalog::from_json`: the fast path
//! (the hand scan, then the typed read) and the `serde_json::Value` walk that lists every
//! error. They must agree on every input:
//! - what the scan accepts, the walk accepts as the same catalog (same releases, same
//!   spellings);
//! - the typed read accepts exactly what the walk accepts, as the same catalog;
//! - `from_json` answers what the walk answers, errors included.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::catalog::Catalog;

fn same(path: &str, got: &Catalog, walked: &Catalog) {
    assert_eq!(got, walked, "{path} and the walk read different catalogs");
    assert_eq!(
        got.to_json(),
        walked.to_json(),
        "{path} and the walk spell the catalog differently"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let walked = Catalog::from_json_walked(text);
    let scanned = Catalog::from_json_scanned(text);
    let typed = Catalog::from_json_typed(text);
    match (&walked, &scanned) {
        (Ok(w), Some(s)) => same("the scan", s, w),
        (Err(e), Some(_)) => panic!("the scan accepts a catalog the walk refuses: {e}"),
        (_, None) => {}
    }
    match (&walked, &typed) {
        (Ok(w), Some(t)) => same("the typed read", t, w),
        (Err(e), Some(_)) => panic!("the typed read accepts a catalog the walk refuses: {e}"),
        (Ok(_), None) => panic!("the walk accepts a catalog the typed read refuses"),
        (Err(_), None) => {}
    }
    assert_eq!(
        Catalog::from_json(text),
        walked,
        "from_json differs from the walk"
    );
});
