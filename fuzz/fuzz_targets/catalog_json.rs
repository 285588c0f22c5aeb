//! Arbitrary bytes as catalog JSON: loading never panics, and a catalog that loads writes
//! back to JSON that loads to the same catalog.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::catalog::Catalog;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(catalog) = Catalog::from_json(text) {
        let again = Catalog::from_json(&catalog.to_json());
        assert_eq!(
            again.as_ref(),
            Ok(&catalog),
            "catalog changed on a JSON round trip"
        );
    }
});
