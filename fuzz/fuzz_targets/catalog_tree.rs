//! Arbitrary bytes as catalog JSON, read by the walk of `Catalog::from_json` (core's own JSON
//! reader, `catalog/tree.rs`) and by the `serde_json::Value` path it replaced
//! (`serde_json::from_str`, then `Catalog::from_json_value`). They must give the same answer:
//! the same catalog, or the same errors with the same messages (a JSON syntax error word for
//! word, line and column included).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::catalog::{Catalog, CatalogError, CatalogErrors};

fn serde_path(text: &str) -> Result<Catalog, CatalogErrors> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => Catalog::from_json_value(&value),
        Err(e) => Err(CatalogErrors(vec![CatalogError::Json {
            message: e.to_string(),
        }])),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
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
});
