//! Signed-catalog envelopes never panic when opened, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::signature::PublicKey;
use stepstone::signed_catalog::{Trust, open};

fuzz_target!(|data: &[u8]| {
    let key = PublicKey::parse(stepstone::signed_catalog::doc_example().0).unwrap();
    let keys = [key];
    // The last digest from the first byte: equal sequences meet both a digest and none.
    let last_digest = data.first().filter(|b| **b & 1 == 1).map(|b| [*b; 32]);
    let _ = open(
        data,
        &Trust {
            keys: &keys,
            last_sequence: Some(1),
            last_digest,
            now: 1_800_000_000,
        },
    );
});
