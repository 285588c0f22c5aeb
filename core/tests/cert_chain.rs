//! Certificate chains made by the `openssl` CLI at test time: a signing certificate (an end
//! entity, under an intermediate CA as in KeepTruckin's 2020 FOTA signer, or directly under the root)
//! chains to a pinned root; dates, CA flags, path length, key usage and the signing
//! certificate's policy (not a CA, extended key usage with codeSigning and without
//! anyExtendedKeyUsage) are enforced, each with its own error code. Signatures are checked
//! over the TBSCertificate bytes as given, shown with certificates rewritten by hand.

mod common;

use common::{Tmp, image, openssl};
use der::{Decode, Encode, Reader};
use stepstone::cert::{Certificate, verify_chain};
use stepstone::error::ErrorCode;
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{ImageVerifier, Signature};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

struct Pki {
    t: Tmp,
}

impl Pki {
    fn new(name: &str) -> Pki {
        let t = Tmp::new(name);
        let p = Pki { t };
        p.key("root");
        openssl(
            &p.t.0,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "root.key",
                "-subj",
                "/CN=stepstone test root",
                "-days",
                "3650",
                "-addext",
                "basicConstraints=critical,CA:TRUE,pathlen:1",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
                "-out",
                "root.pem",
            ],
        );
        p
    }
    fn key(&self, name: &str) {
        openssl(
            &self.t.0,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                &format!("{name}.key"),
            ],
        );
    }
    /// Issues `name` from `issuer` with the given extensions (openssl extfile syntax).
    fn issue(&self, name: &str, issuer: &str, ext: &str, days: &str) -> Vec<u8> {
        self.key(name);
        let d = &self.t.0;
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                &format!("{name}.key"),
                "-subj",
                &format!("/CN={name}"),
                "-out",
                &format!("{name}.csr"),
            ],
        );
        self.t
            .write(&format!("{name}.ext"), format!("[v3]\n{ext}\n").as_bytes());
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                &format!("{issuer}.pem"),
                "-CAkey",
                &format!("{issuer}.key"),
                "-CAcreateserial",
                "-days",
                days,
                "-extfile",
                &format!("{name}.ext"),
                "-extensions",
                "v3",
                "-sha256",
                "-out",
                &format!("{name}.pem"),
            ],
        );
        self.t.read(&format!("{name}.pem"))
    }
    fn cert(&self, name: &str) -> Certificate {
        Certificate::parse(&self.t.read(&format!("{name}.pem"))).unwrap()
    }
    fn code(&self, chain: &[&str], root: &str, now: u64) -> &'static str {
        let chain: Vec<Certificate> = chain.iter().map(|c| self.cert(c)).collect();
        verify_chain(&chain, &self.cert(root), now)
            .map(|_| "ok")
            .unwrap_or_else(|e| e.code())
    }
}

/// An intermediate CA that may issue end entities only.
const CA: &str =
    "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign";
/// A firmware signing certificate: an end entity for code signing.
const SIGNER: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning";

#[test]
fn signing_cert_under_an_intermediate_chains_to_pinned_root_and_verifies_an_image() {
    let pki = Pki::new("chain-ok");
    pki.issue("ca", "root", CA, "365");
    pki.issue("signer", "ca", SIGNER, "30");
    let d = &pki.t.0;
    let img = image(50_000, 3);
    pki.t.write("img", &img);
    openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-sign",
            "signer.key",
            "-out",
            "img.sig",
            "img",
        ],
    );
    // The chain file may carry the root after the intermediate (a bundle): accepted too.
    let chain = [pki.t.read("signer.pem"), pki.t.read("ca.pem")].concat();
    let bundle = [chain.clone(), pki.t.read("root.pem")].concat();
    for chain_bytes in [chain, bundle] {
        let chain = Certificate::parse_chain(&chain_bytes).unwrap();
        let key = verify_chain(&chain, &pki.cert("root"), now()).unwrap();
        let mut v = ImageVerifier::new(key);
        v.update(&img);
        v.finish(&Signature::parse(&pki.t.read("img.sig")).unwrap())
            .unwrap();
    }
    // DER input works the same.
    openssl(
        d,
        &[
            "x509",
            "-in",
            "signer.pem",
            "-outform",
            "DER",
            "-out",
            "signer.der",
        ],
    );
    let der = Certificate::parse(&pki.t.read("signer.der")).unwrap();
    assert_eq!(der, pki.cert("signer"));
    assert_eq!(der.as_der(), pki.t.read("signer.der"));
    // Dates against the `now` given.
    assert_eq!(
        pki.code(&["signer", "ca"], "root", now() - 86_400),
        "cert.not_yet_valid"
    );
    assert_eq!(
        pki.code(&["signer", "ca"], "root", now() + 40 * 86_400),
        "cert.expired"
    );
    assert_eq!(
        pki.code(&["signer", "ca"], "root", now() + 20 * 365 * 86_400),
        "cert.expired"
    );
    // Without its intermediate the signer does not chain to the root.
    assert_eq!(
        pki.code(&["signer"], "root", now() + 60),
        "cert.issuer_mismatch"
    );
}

#[test]
fn each_chain_fault_has_its_own_code() {
    let pki = Pki::new("chain-faults");
    let n = now() + 120; // after every certificate below is issued
    // An unrelated root with the same name but another key: the signature fails.
    pki.key("other");
    openssl(
        &pki.t.0,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "other.key",
            "-subj",
            "/CN=stepstone test root",
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-out",
            "other.pem",
        ],
    );
    pki.issue("ca", "root", CA, "30");
    pki.issue("signer", "root", SIGNER, "30");
    assert_eq!(pki.code(&["signer"], "root", n), "ok");
    assert_eq!(pki.code(&["signer"], "other", n), "cert.bad_signature");
    // A different root name: issuer mismatch.
    openssl(
        &pki.t.0,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "other.key",
            "-subj",
            "/CN=elsewhere",
            "-days",
            "30",
            "-out",
            "elsewhere.pem",
        ],
    );
    assert_eq!(
        pki.code(&["signer"], "elsewhere", n),
        "cert.issuer_mismatch"
    );
    // Key usage without digitalSignature; an issuer whose key usage lacks keyCertSign.
    pki.issue(
        "nodigsig",
        "root",
        "keyUsage=critical,keyEncipherment\nextendedKeyUsage=codeSigning",
        "30",
    );
    assert_eq!(pki.code(&["nodigsig"], "root", n), "cert.key_usage");
    pki.issue(
        "nocertsign",
        "root",
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature",
        "30",
    );
    pki.issue("under_nocertsign", "nocertsign", SIGNER, "30");
    assert_eq!(
        pki.code(&["under_nocertsign", "nocertsign"], "root", n),
        "cert.key_usage"
    );
    // An end-entity signer may not issue: a chain through it is refused.
    pki.issue("under_signer", "signer", SIGNER, "30");
    assert_eq!(
        pki.code(&["under_signer", "signer"], "root", n),
        "cert.not_ca"
    );
    // Path length: the intermediate's pathlen:0 forbids another CA below it.
    pki.issue(
        "deep",
        "ca",
        "basicConstraints=CA:TRUE\nkeyUsage=digitalSignature,keyCertSign",
        "30",
    );
    pki.issue("deeper", "deep", SIGNER, "30");
    assert_eq!(
        pki.code(&["deeper", "deep", "ca"], "root", n),
        "cert.path_length"
    );
    pki.issue("under_ca", "ca", SIGNER, "30");
    assert_eq!(pki.code(&["under_ca", "ca"], "root", n), "ok");
    // An unknown critical extension.
    pki.issue(
        "critical",
        "root",
        "keyUsage=digitalSignature\nextendedKeyUsage=codeSigning\n1.2.3.4=critical,ASN1:NULL",
        "30",
    );
    assert_eq!(
        pki.code(&["critical"], "root", n),
        "cert.unknown_critical_extension"
    );
    // Malformed input.
    assert_eq!(
        Certificate::parse(b"junk").unwrap_err().code(),
        "cert.malformed"
    );
    assert_eq!(
        Certificate::parse(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .unwrap_err()
            .code(),
        "cert.malformed"
    );
    assert_eq!(
        verify_chain(&[], &pki.cert("root"), n).unwrap_err().code(),
        "cert.chain_length"
    );
}

#[test]
fn the_signing_certificate_is_an_end_entity_for_code_signing() {
    let pki = Pki::new("chain-leaf-policy");
    let n = now() + 120;
    // (name, extensions, verdict): each refusal has its own code.
    let cases = [
        ("good", SIGNER, "ok"),
        (
            "good_no_bc",
            "keyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning",
            "ok",
        ),
        ("good_eku_only", "extendedKeyUsage=codeSigning", "ok"),
        (
            "good_two_ekus",
            "extendedKeyUsage=serverAuth,codeSigning",
            "ok",
        ),
        (
            "no_eku",
            "keyUsage=critical,digitalSignature",
            "cert.leaf_no_eku",
        ),
        (
            "no_extensions",
            "subjectKeyIdentifier=hash",
            "cert.leaf_no_eku",
        ),
        (
            "any_eku",
            "keyUsage=digitalSignature\nextendedKeyUsage=anyExtendedKeyUsage",
            "cert.leaf_any_eku",
        ),
        (
            "any_and_code_signing",
            "extendedKeyUsage=codeSigning,anyExtendedKeyUsage",
            "cert.leaf_any_eku",
        ),
        (
            "tls",
            "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth",
            "cert.leaf_not_code_signing",
        ),
        (
            "ca_leaf",
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage=codeSigning",
            "cert.leaf_is_ca",
        ),
        (
            "ca_leaf_pathlen0",
            "basicConstraints=critical,CA:TRUE,pathlen:0\nextendedKeyUsage=codeSigning",
            "cert.leaf_is_ca",
        ),
    ];
    for (name, ext, verdict) in cases {
        pki.issue(name, "root", ext, "30");
        assert_eq!(pki.code(&[name], "root", n), verdict, "{name}: {ext}");
    }
    // The messages name the certificate and the rule.
    let chain = [pki.cert("no_eku")];
    let msg = verify_chain(&chain, &pki.cert("root"), n)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("CN=no_eku") && msg.contains("codeSigning"),
        "{msg}"
    );
    let chain = [pki.cert("ca_leaf")];
    let msg = verify_chain(&chain, &pki.cert("root"), n)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("is a CA"), "{msg}");
    // The policy is the leaf's only: an intermediate CA needs no EKU (this one has none), and
    // the pinned root given as the whole chain is a CA, so it cannot sign firmware itself.
    pki.issue("ca", "root", CA, "30");
    pki.issue("under_ca", "ca", SIGNER, "30");
    assert_eq!(pki.code(&["under_ca", "ca"], "root", n), "ok");
    assert_eq!(pki.code(&["root"], "root", n), "cert.leaf_is_ca");
    // A CA signer is refused even when a CA issued it and it has codeSigning.
    pki.issue(
        "ca_signer",
        "ca",
        "basicConstraints=CA:TRUE,pathlen:0\nextendedKeyUsage=codeSigning",
        "30",
    );
    assert_eq!(pki.code(&["ca_signer", "ca"], "root", n), "cert.leaf_is_ca");
}

/// A DER element: `tag`, definite minimal length, `content`.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len().to_be_bytes();
    let skip = len.iter().take_while(|b| **b == 0).count();
    match len.get(skip..) {
        Some([one]) if *one < 0x80 => out.push(*one),
        Some([]) => out.push(0),
        Some(rest) => {
            out.push(0x80 | u8::try_from(rest.len()).unwrap());
            out.extend_from_slice(rest);
        }
        None => unreachable!(),
    }
    out.extend_from_slice(content);
    out
}

/// The elements (tag, length and value each) inside a constructed DER element.
fn children(element: &[u8]) -> Vec<&[u8]> {
    let mut outer = der::SliceReader::new(element).unwrap();
    let header = der::Header::decode(&mut outer).unwrap();
    let content = outer.read_slice(header.length()).unwrap();
    assert!(outer.is_finished());
    let mut reader = der::SliceReader::new(content).unwrap();
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(reader.tlv_bytes().unwrap());
    }
    out
}

/// A UTCTime (`YYMMDDHHMMSSZ`, a year before 2050) as the GeneralizedTime of the same instant:
/// valid DER, but RFC 5280 wants UTCTime there, and x509-cert writes UTCTime back.
fn as_generalized_time(utc_time: &[u8]) -> Vec<u8> {
    let value = utc_time.get(2..).unwrap();
    assert_eq!(utc_time.first(), Some(&0x17), "UTCTime");
    assert_eq!(value.len(), 13);
    assert!(
        value.first().is_some_and(|d| *d < b'5'),
        "a year before 2050"
    );
    tlv(0x18, &[b"20", value].concat())
}

#[test]
fn signatures_are_checked_over_the_tbs_bytes_as_given() {
    let pki = Pki::new("chain-tbs-bytes");
    let n = now() + 120;
    pki.issue("signer", "root", SIGNER, "30");
    let original = pki.cert("signer");
    let der = original.as_der().to_vec();
    // The TBS handed to the verifier is the input's own slice, byte for byte.
    let [tbs, algorithm, signature] = children(&der)[..] else {
        panic!("a certificate has three parts")
    };
    assert_eq!(original.tbs_der(), tbs);
    let offset = original.tbs_der().as_ptr() as usize - original.as_der().as_ptr() as usize;
    assert_eq!(der.get(offset..offset + tbs.len()), Some(tbs));
    // openssl wrote canonical DER: here a re-encoding happens to give the same bytes.
    assert_eq!(original.as_x509().tbs_certificate().to_der().unwrap(), tbs);

    // The same TBS with its validity dates as GeneralizedTime: x509-cert reads it (same
    // instants) but re-encodes the dates as UTCTime, so a re-encoding differs from the bytes.
    let fields = children(tbs);
    assert_eq!(
        fields.len(),
        8,
        "version, serial, algorithm, issuer, validity, subject, key, extensions"
    );
    let validity = children(fields[4])
        .into_iter()
        .map(as_generalized_time)
        .collect::<Vec<_>>()
        .concat();
    let mut rewritten: Vec<Vec<u8>> = fields.iter().map(|f| f.to_vec()).collect();
    rewritten[4] = tlv(0x30, &validity);
    let tbs_gt = tlv(0x30, &rewritten.concat());
    assert_ne!(tbs_gt, tbs);

    // 1. It keeps openssl's signature, which covers the UTCTime bytes, i.e. exactly what
    // re-encoding the parsed TBS gives: a verifier over the re-encoding would accept it. The
    // issuer never signed these bytes, so it is refused.
    let replayed = tlv(0x30, &[tbs_gt.as_slice(), algorithm, signature].concat());
    let cert = Certificate::parse(&replayed).unwrap();
    assert_eq!(cert.tbs_der(), tbs_gt);
    let reencoded = cert.as_x509().tbs_certificate().to_der().unwrap();
    assert_eq!(reencoded, tbs, "x509-cert writes the dates back as UTCTime");
    assert_ne!(reencoded, cert.tbs_der());
    let root = pki.cert("root");
    assert_eq!(
        verify_chain(&[cert], &root, n).unwrap_err().code(),
        "cert.bad_signature"
    );

    // 2. The issuer signs the GeneralizedTime bytes: accepted (a verifier over the re-encoding
    // would refuse it), and the dates are read from them.
    let root_key = SigningKey::parse(&pki.t.read("root.key")).unwrap();
    let sig = root_key.sign(&tbs_gt).unwrap();
    let sig_der = sig.as_p256().to_der();
    let bit_string = tlv(0x03, &[&[0u8][..], sig_der.as_bytes()].concat());
    let resigned = tlv(0x30, &[tbs_gt.as_slice(), algorithm, &bit_string].concat());
    for input in [resigned.clone(), pem("CERTIFICATE", &resigned)] {
        let chain = [Certificate::parse(&input).unwrap()];
        assert_eq!(chain[0].as_der(), resigned);
        assert_eq!(chain[0].tbs_der(), tbs_gt);
        let key = verify_chain(&chain, &root, n).unwrap();
        assert_eq!(key, original.public_key().unwrap());
        assert_eq!(
            verify_chain(&chain, &root, now() - 86_400)
                .unwrap_err()
                .code(),
            "cert.not_yet_valid"
        );
        assert_eq!(
            verify_chain(&chain, &root, now() + 40 * 86_400)
                .unwrap_err()
                .code(),
            "cert.expired"
        );
    }
    // In a PEM chain, before the root: each certificate keeps its own bytes.
    let bundle = [pem("CERTIFICATE", &resigned), pki.t.read("root.pem")].concat();
    let chain = Certificate::parse_chain(&bundle).unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0].as_der(), resigned);
    verify_chain(&chain, &root, n).unwrap();
    // Another PEM label is refused.
    assert_eq!(
        Certificate::parse(&pem("PUBLIC KEY", &resigned))
            .unwrap_err()
            .code(),
        "cert.malformed"
    );
}

/// PEM text (64-character lines) of `der` under `label`.
fn pem(label: &str, der: &[u8]) -> Vec<u8> {
    let b64 = base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out.into_bytes()
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[(v >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
