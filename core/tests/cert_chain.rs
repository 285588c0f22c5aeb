//! Certificate chains made by the `openssl` CLI at test time: a signing certificate (an
//! intermediate, as in the seed's FOTA signer) chains to a pinned root; dates, CA flags, path
//! length, key usage and extended key usage are enforced, each with its own error code.

mod common;

use common::{Tmp, image, openssl};
use stepstone::cert::{Certificate, verify_chain};
use stepstone::error::ErrorCode;
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

const SIGNER: &str = "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage=codeSigning";

#[test]
fn intermediate_signing_cert_chains_to_pinned_root_and_verifies_an_image() {
    let pki = Pki::new("chain-ok");
    pki.issue("signer", "root", SIGNER, "30");
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
    // signer.pem may carry the root after it (a bundle): accepted too.
    let bundle = [pki.t.read("signer.pem"), pki.t.read("root.pem")].concat();
    for chain_bytes in [pki.t.read("signer.pem"), bundle] {
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
    // Dates against the `now` given.
    assert_eq!(
        pki.code(&["signer"], "root", now() - 86_400),
        "cert.not_yet_valid"
    );
    assert_eq!(
        pki.code(&["signer"], "root", now() + 40 * 86_400),
        "cert.expired"
    );
    assert_eq!(
        pki.code(&["signer"], "root", now() + 20 * 365 * 86_400),
        "cert.expired"
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
    // Key usage without digitalSignature; EKU without codeSigning.
    pki.issue(
        "nodigsig",
        "root",
        "keyUsage=critical,keyEncipherment",
        "30",
    );
    assert_eq!(pki.code(&["nodigsig"], "root", n), "cert.key_usage");
    pki.issue(
        "tls",
        "root",
        "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth",
        "30",
    );
    assert_eq!(pki.code(&["tls"], "root", n), "cert.key_usage");
    // A plain end-entity signer (no CA flag) is fine as the signing certificate...
    pki.issue(
        "leaf",
        "root",
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning",
        "30",
    );
    assert_eq!(pki.code(&["leaf"], "root", n), "ok");
    // ...but may not issue: a chain through it is refused.
    pki.issue("under_leaf", "leaf", "keyUsage=digitalSignature", "30");
    assert_eq!(pki.code(&["under_leaf", "leaf"], "root", n), "cert.not_ca");
    // Path length: the signer's pathlen:0 forbids another CA below it.
    pki.issue(
        "deep",
        "signer",
        "basicConstraints=CA:TRUE\nkeyUsage=digitalSignature,keyCertSign",
        "30",
    );
    pki.issue("deeper", "deep", "keyUsage=digitalSignature", "30");
    assert_eq!(
        pki.code(&["deeper", "deep", "signer"], "root", n),
        "cert.path_length"
    );
    assert_eq!(pki.code(&["deep", "signer"], "root", n), "ok");
    // An unknown critical extension.
    pki.issue(
        "critical",
        "root",
        "keyUsage=digitalSignature\n1.2.3.4=critical,ASN1:NULL",
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
