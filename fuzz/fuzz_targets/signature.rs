//! Signature parsing (DER, raw, hex, base64 detection) and verification never panic, and
//! whatever parses re-encodes to something that parses to the same signature. stepstone's own
//! strict DER reader agrees with p256's on every input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::signature::{PublicKey, Signature, SignatureFormat};

fuzz_target!(|data: &[u8]| {
    let theirs = p256::ecdsa::Signature::from_der(data).ok().map(Signature::from_p256);
    assert_eq!(Signature::from_der(data).ok(), theirs);
    let Ok((sig, _format)) = Signature::parse_detect(data) else { return };
    for f in [SignatureFormat::Der, SignatureFormat::Raw, SignatureFormat::Hex, SignatureFormat::Base64] {
        let enc = sig.encode(f);
        assert_eq!(Signature::parse_detect(enc.as_bytes()).map(|(s, _)| s), Ok(sig));
    }
    let key = PublicKey::parse(stepstone::signature::doc_example().0).unwrap();
    let _ = key.verify(data, &sig);
});
