//! Public-key parsing (PEM, DER SPKI, SEC1, hex) and private-key parsing never panic; a parsed
//! public key survives its SEC1 and SPKI round trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::signature::PublicKey;
use stepstone::signature::sign::SigningKey;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = PublicKey::parse(data) {
        assert_eq!(PublicKey::parse(&key.to_sec1_uncompressed()), Ok(key));
        assert_eq!(PublicKey::parse(&key.to_spki_der()), Ok(key));
        assert_eq!(PublicKey::parse(key.to_spki_pem().as_bytes()), Ok(key));
    }
    let _ = SigningKey::parse(data);
});
