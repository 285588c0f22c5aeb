//! Certificate parsing (PEM chains, DER) and chain verification never panic, whatever the
//! bytes: the input is split into a chain part and a root part at its first 0xff byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::cert::{Certificate, verify_chain};

fuzz_target!(|data: &[u8]| {
    let (chain, root) = match data.iter().position(|&b| b == 0xff) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    let chain = Certificate::parse_chain(chain);
    let root = Certificate::parse(root);
    if let (Ok(chain), Ok(root)) = (chain, root) {
        for now in [0, 1_700_000_000, u64::MAX] {
            let _ = verify_chain(&chain, &root, now);
        }
        for c in &chain {
            let _ = c.public_key();
            let _ = c.subject();
        }
    }
});
