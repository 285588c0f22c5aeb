//! Public-key parsing (PEM, DER SPKI, SEC1, hex) and private-key parsing never panic; a parsed
//! public key survives its SEC1 and SPKI round trips. stepstone's own strict DER and SEC1
//! readers agree with p256's on every input (same key, refusals sorted alike), and the device's
//! reader answers as `parse` does for every binary key but compressed points. The core's PEM
//! reader gives what pem-rfc7468 gives (the same label and bytes, or a refusal).
#![no_main]

use libfuzzer_sys::fuzz_target;
use p256::pkcs8::DecodePublicKey;
use stepstone::ErrorCode;
use stepstone::signature::PublicKey;
use stepstone::signature::sign::SigningKey;

fuzz_target!(|data: &[u8]| {
    // The core's PEM reader reads exactly what pem-rfc7468 reads (label and bytes).
    let (mut ours, mut theirs) = ([0u8; 512], [0u8; 512]);
    assert_eq!(
        stepstone::signature::pem::decode(data, &mut ours),
        pem_rfc7468::decode(data, &mut theirs).ok()
    );
    if let Ok(key) = PublicKey::parse(data) {
        assert_eq!(PublicKey::parse(&key.to_sec1_uncompressed()), Ok(key));
        assert_eq!(PublicKey::parse(&key.to_spki_der()), Ok(key));
        assert_eq!(PublicKey::parse(key.to_spki_pem().as_bytes()), Ok(key));
    }
    let _ = SigningKey::parse(data);

    use p256::pkcs8::spki::Error as E;
    let theirs = match p256::PublicKey::from_public_key_der(data) {
        Ok(k) => Ok(PublicKey::from_p256(k.into())),
        Err(E::OidUnknown { .. } | E::AlgorithmParametersMissing) => Err("signature.key_unsupported"),
        Err(_) => Err("signature.key_malformed"),
    };
    assert_eq!(PublicKey::from_spki_der(data).map_err(|e| e.code()), theirs);
    let sec1 = p256::ecdsa::VerifyingKey::from_sec1_bytes(data).ok().map(PublicKey::from_p256);
    assert_eq!(PublicKey::from_sec1(data).ok(), sec1);

    // Where `parse` reads binary (not PEM, not all hex digits), the device's reader agrees.
    let device = PublicKey::parse_uncompressed(data).map_err(|e| e.code());
    let text = data.trim_ascii();
    let binary = !text.starts_with(b"-----BEGIN")
        && !(!text.is_empty() && text.iter().all(u8::is_ascii_hexdigit));
    if binary && device != Err("signature.key_unsupported") {
        assert_eq!(device, PublicKey::parse(data).map_err(|e| e.code()));
    }
});
