//! A campaign table's wire form (`CampaignTable::from_table_json`, what the `rollout` module's
//! reconciler reads), from arbitrary bytes: never panics; text that is not JSON is
//! `reconcile.invalid_table` (JSON's grammar: a number out of f64's range is JSON); every refusal is `reconcile.invalid_table` or
//! `reconcile.table_version`; a table that loads writes the same table back (its own JSON
//! loads to a table writing the same text, with the same answers at every point).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::ErrorCode;
use stepstone::campaign::CampaignTable;
use stepstone::version::{Version, VersionKey};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match CampaignTable::from_table_json(text) {
        Ok(table) => {
            let own = table.to_table_json();
            let again = CampaignTable::from_table_json(&own).expect("a table's own JSON loads");
            assert_eq!(again.to_table_json(), own);
            let doc: serde_json::Value = serde_json::from_str(&own).expect("a table's own JSON is JSON");
            let scheme = table.target().scheme();
            for p in doc["points"].as_array().into_iter().flatten().chain(doc["releases"].as_array().into_iter().flatten()) {
                let v = Version::parse(p.as_str().unwrap(), scheme).unwrap();
                assert_eq!(again.next_hop(v.key()), table.next_hop(v.key()));
                if let VersionKey::Integer(n) = v.key() {
                    for m in [n.saturating_sub(1), *n, n.saturating_add(1)] {
                        assert_eq!(again.next_hop_integer_str(m), table.next_hop_integer_str(m));
                    }
                }
            }
        }
        Err(e) => {
            assert!(matches!(e.code(), "reconcile.invalid_table" | "reconcile.table_version"), "{e}");
            // Not JSON: refused as such (a number out of f64's range, `1E9999`, is JSON's
            // grammar, which the reader checks, though serde_json refuses it).
            if let Err(syntax) = serde_json::from_str::<serde_json::Value>(text) {
                if !syntax.to_string().contains("number out of range") {
                    assert_eq!(e.code(), "reconcile.invalid_table", "{text:?}: {e}");
                }
            }
        }
    }
});
