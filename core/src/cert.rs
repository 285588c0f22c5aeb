//! Certificate chains (feature `alloc`): the signing certificate, possibly an intermediate,
//! must chain to a pinned root; then the image is verified with the signing certificate's key.
//!
//! [`verify_chain`] checks, for every link from the signing certificate up to the pinned root:
//! * the issuer's subject is the certificate's issuer, and the issuer's P-256 key verifies the
//!   certificate's ECDSA-with-SHA256 signature (the only algorithm accepted);
//! * every certificate, the root included, is valid at `now` (Unix seconds; core has no clock);
//! * every issuer is a CA (`basicConstraints cA=TRUE`), with `keyCertSign` if it has a key
//!   usage, and its `pathLenConstraint` is respected;
//! * the signing certificate (the leaf) is not a CA (`cA=TRUE` is `cert.leaf_is_ca`), has
//!   `digitalSignature` if it has a key usage, and has an extended key usage extension
//!   (`cert.leaf_no_eku`) that lists `codeSigning` (`cert.leaf_not_code_signing`) and not
//!   `anyExtendedKeyUsage` (`cert.leaf_any_eku`): a TLS server certificate, or a certificate
//!   good for any purpose, from the same CA cannot sign firmware;
//! * no certificate has a critical extension this code does not process.
//!
//! Each signature is verified over the TBSCertificate bytes exactly as they appear in the
//! certificate given (sliced out of its encoding), never over a re-encoding of the parsed
//! fields: `x509-cert` decodes some encodings it would write differently (a validity date before
//! 2050 as GeneralizedTime is re-encoded as UTCTime, an explicit `critical FALSE` is dropped),
//! and the issuer signed the bytes, not the fields.
//!
//! The root is a trust anchor pinned by the caller: its own signature is not checked, its
//! dates and CA flags are. Certificates are DER (`x509-cert`), PEM or DER on input.
//! Revocation is not checked (devices have no CRL or OCSP access); rotate the intermediate
//! and pin by root instead. Devices without a heap pin a key or a leaf certificate's key
//! instead (as FreeRTOS's AWS OTA does) and use [`crate::signature`] alone.
//!
//! ```no_run
//! use stepstone::cert::{verify_chain, Certificate};
//! # let (chain_pem, root_pem) = (b"", b"");
//! let chain = Certificate::parse_chain(chain_pem).unwrap();
//! let root = Certificate::parse(root_pem).unwrap();
//! let key = verify_chain(&chain, &root, 1_800_000_000).unwrap();
//! # let _ = key;
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::ops::Range;

use der::{Decode, Encode, Header, Reader, SliceReader};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};
use x509_cert::spki::ObjectIdentifier;

use crate::error::{Code, ErrorCode, Registered, clip, codes};
use crate::signature::{PublicKey, Signature};

/// Longest chain accepted (signing certificate plus intermediates, root excluded).
pub const MAX_CHAIN_LEN: usize = 8;

const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const EKU_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
const EKU_ANY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
/// Extensions whose meaning is processed here (or harmless to accept when critical).
const KNOWN_EXTENSIONS: [ObjectIdentifier; 6] = [
    ObjectIdentifier::new_unwrap("2.5.29.19"), // basicConstraints
    ObjectIdentifier::new_unwrap("2.5.29.15"), // keyUsage
    ObjectIdentifier::new_unwrap("2.5.29.37"), // extKeyUsage
    ObjectIdentifier::new_unwrap("2.5.29.14"), // subjectKeyIdentifier
    ObjectIdentifier::new_unwrap("2.5.29.35"), // authorityKeyIdentifier
    ObjectIdentifier::new_unwrap("2.5.29.17"), // subjectAltName
];

/// Why a certificate or chain was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// Not a strict-DER X.509 certificate, in PEM or DER.
    #[error("not an X.509 certificate in PEM or strict DER: {reason}")]
    Malformed {
        /// What the parser said.
        reason: String,
    },
    /// An empty chain, or one longer than [`MAX_CHAIN_LEN`].
    #[error("certificate chain of {len} certificates (expected 1 to 8)")]
    ChainLength {
        /// Certificates given.
        len: usize,
    },
    /// A certificate's issuer is not the next certificate's (or the root's) subject.
    #[error("certificate {subject} is issued by {issuer}, not by {next}")]
    IssuerMismatch {
        /// The certificate.
        subject: String,
        /// Its issuer name.
        issuer: String,
        /// The subject it should chain to.
        next: String,
    },
    /// A signature algorithm or key other than ECDSA P-256 with SHA-256.
    #[error("certificate {subject}: {what} is not ECDSA P-256 with SHA-256")]
    UnsupportedAlgorithm {
        /// The certificate.
        subject: String,
        /// `signature algorithm` or `public key`.
        what: &'static str,
    },
    /// The issuer's key does not verify the certificate's signature.
    #[error("certificate {subject}: signature does not verify with its issuer's key")]
    BadSignature {
        /// The certificate.
        subject: String,
    },
    /// `now` is before the certificate's notBefore.
    #[error("certificate {subject} is not valid before {not_before} (now is {now})")]
    NotYetValid {
        /// The certificate.
        subject: String,
        /// notBefore, Unix seconds.
        not_before: u64,
        /// The `now` given.
        now: u64,
    },
    /// `now` is after the certificate's notAfter.
    #[error("certificate {subject} expired at {not_after} (now is {now})")]
    Expired {
        /// The certificate.
        subject: String,
        /// notAfter, Unix seconds.
        not_after: u64,
        /// The `now` given.
        now: u64,
    },
    /// An issuer that is not a CA.
    #[error("certificate {subject} issues certificates but is not a CA (basicConstraints cA=TRUE)")]
    NotCa {
        /// The issuer.
        subject: String,
    },
    /// An issuer's pathLenConstraint is exceeded.
    #[error("certificate {subject} allows {allowed} intermediates below it, the chain has {found}")]
    PathLength {
        /// The issuer.
        subject: String,
        /// Its pathLenConstraint.
        allowed: u8,
        /// Intermediates below it.
        found: usize,
    },
    /// A key usage or extended key usage that does not allow the use.
    #[error("certificate {subject}: {reason}")]
    KeyUsage {
        /// The certificate.
        subject: String,
        /// Which usage is missing.
        reason: &'static str,
    },
    /// A critical extension this code does not process.
    #[error("certificate {subject} has critical extension {oid}, which is not processed")]
    UnknownCriticalExtension {
        /// The certificate.
        subject: String,
        /// The extension's OID.
        oid: String,
    },
    /// The signing certificate is a CA (`basicConstraints cA=TRUE`): firmware is signed by an
    /// end-entity certificate, so a CA key that issues certificates never signs images.
    #[error(
        "signing certificate {subject} is a CA (basicConstraints cA=TRUE); firmware must be signed by an end-entity certificate"
    )]
    LeafIsCa {
        /// The signing certificate.
        subject: String,
    },
    /// The signing certificate has no extended key usage extension.
    #[error("signing certificate {subject} has no extended key usage; it must list codeSigning")]
    LeafNoEku {
        /// The signing certificate.
        subject: String,
    },
    /// The signing certificate's extended key usage lists `anyExtendedKeyUsage`.
    #[error(
        "signing certificate {subject} has extended key usage anyExtendedKeyUsage; it must list codeSigning and not any"
    )]
    LeafAnyEku {
        /// The signing certificate.
        subject: String,
    },
    /// The signing certificate's extended key usage does not list `codeSigning`.
    #[error(
        "signing certificate {subject}: extended key usage lacks codeSigning, so it may not sign firmware"
    )]
    LeafNotCodeSigning {
        /// The signing certificate.
        subject: String,
    },
}

impl Registered for CertError {
    fn registered(&self) -> Code {
        match self {
            CertError::Malformed { .. } => codes::CERT_MALFORMED,
            CertError::ChainLength { .. } => codes::CERT_CHAIN_LENGTH,
            CertError::IssuerMismatch { .. } => codes::CERT_ISSUER_MISMATCH,
            CertError::UnsupportedAlgorithm { .. } => codes::CERT_UNSUPPORTED_ALGORITHM,
            CertError::BadSignature { .. } => codes::CERT_BAD_SIGNATURE,
            CertError::NotYetValid { .. } => codes::CERT_NOT_YET_VALID,
            CertError::Expired { .. } => codes::CERT_EXPIRED,
            CertError::NotCa { .. } => codes::CERT_NOT_CA,
            CertError::PathLength { .. } => codes::CERT_PATH_LENGTH,
            CertError::KeyUsage { .. } => codes::CERT_KEY_USAGE,
            CertError::UnknownCriticalExtension { .. } => codes::CERT_UNKNOWN_CRITICAL_EXTENSION,
            CertError::LeafIsCa { .. } => codes::CERT_LEAF_IS_CA,
            CertError::LeafNoEku { .. } => codes::CERT_LEAF_NO_EKU,
            CertError::LeafAnyEku { .. } => codes::CERT_LEAF_ANY_EKU,
            CertError::LeafNotCodeSigning { .. } => codes::CERT_LEAF_NOT_CODE_SIGNING,
        }
    }
}

impl ErrorCode for CertError {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

/// An X.509 certificate, with the bytes it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    inner: x509_cert::Certificate,
    /// The DER encoding as given (PEM decoded), byte for byte.
    der: Vec<u8>,
    /// Where the TBSCertificate (tag and length included) lies in `der`.
    tbs: Range<usize>,
}

fn malformed(err: impl core::fmt::Display) -> CertError {
    CertError::Malformed {
        reason: clip(&err.to_string()),
    }
}

/// Where the first element of the outer SEQUENCE (the TBSCertificate) lies in `der`, header
/// included: the bytes the issuer signed.
fn tbs_range(der: &[u8]) -> der::Result<Range<usize>> {
    let mut reader = SliceReader::new(der)?;
    Header::decode(&mut reader)?; // Certificate ::= SEQUENCE { tbsCertificate, ... }
    let start = usize::try_from(reader.position())?;
    let tbs = reader.tlv_bytes()?;
    Ok(start..start + tbs.len())
}

/// Reads one PEM `CERTIFICATE` block (surrounding whitespace allowed).
fn decode_pem(block: &[u8]) -> Result<Certificate, CertError> {
    let text = core::str::from_utf8(crate::signature::trim_ascii(block))
        .map_err(|_| malformed("PEM is not ASCII text"))?;
    let (label, doc) = der::Document::from_pem(text).map_err(malformed)?;
    if label != "CERTIFICATE" {
        return Err(malformed(alloc::format!(
            "PEM label {}, expected CERTIFICATE",
            clip(label)
        )));
    }
    Certificate::from_der_vec(doc.into_vec())
}

impl Certificate {
    /// Reads one DER certificate and keeps its bytes (no trailing data).
    fn from_der_vec(der: Vec<u8>) -> Result<Certificate, CertError> {
        let inner = x509_cert::Certificate::from_der(&der).map_err(malformed)?;
        let tbs = tbs_range(&der).map_err(malformed)?;
        Ok(Certificate { inner, der, tbs })
    }

    /// Reads one certificate, PEM (`-----BEGIN CERTIFICATE-----`) or strict DER.
    pub fn parse(bytes: &[u8]) -> Result<Certificate, CertError> {
        let mut chain = Certificate::parse_chain(bytes)?;
        if chain.len() != 1 {
            return Err(CertError::Malformed {
                reason: alloc::format!("expected one certificate, found {}", chain.len()),
            });
        }
        chain.pop().ok_or(CertError::ChainLength { len: 0 })
    }

    /// Reads one or more PEM certificates (in file order), or one DER certificate.
    pub fn parse_chain(bytes: &[u8]) -> Result<Vec<Certificate>, CertError> {
        const END: &[u8] = b"-----END CERTIFICATE-----";
        let mut rest = crate::signature::trim_ascii(bytes);
        if rest.starts_with(b"-----BEGIN") {
            // Each block runs to the next END line; the DER bytes are kept, so the PEM is decoded
            // here rather than by x509-cert's PEM reader (which keeps only the parsed fields).
            let mut certs = Vec::new();
            while !rest.is_empty() {
                let stop = rest
                    .windows(END.len())
                    .position(|w| w == END)
                    .ok_or_else(|| malformed("PEM block without -----END CERTIFICATE-----"))?
                    + END.len();
                let (block, tail) = rest.split_at(stop);
                certs.push(decode_pem(block)?);
                rest = crate::signature::trim_ascii(tail);
            }
            if certs.is_empty() || certs.len() > MAX_CHAIN_LEN + 1 {
                return Err(CertError::ChainLength { len: certs.len() });
            }
            return Ok(certs);
        }
        Certificate::from_der_vec(bytes.to_vec()).map(|c| alloc::vec![c])
    }

    /// Reads one PEM certificate.
    pub fn from_pem(pem: &[u8]) -> Result<Certificate, CertError> {
        decode_pem(pem)
    }

    /// The certificate's DER encoding, byte for byte as it was read (PEM decoded).
    pub fn as_der(&self) -> &[u8] {
        &self.der
    }

    /// The TBSCertificate's bytes as they appear in [`Certificate::as_der`] (tag and length
    /// included): what the issuer signed and what [`verify_chain`] verifies its signature over.
    pub fn tbs_der(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or(&[])
    }

    /// The subject name (RFC 4514 form).
    pub fn subject(&self) -> String {
        clip(&self.inner.tbs_certificate().subject().to_string())
    }

    /// The certificate's public key, if it is a P-256 key.
    pub fn public_key(&self) -> Result<PublicKey, CertError> {
        let unsupported = || CertError::UnsupportedAlgorithm {
            subject: self.subject(),
            what: "public key",
        };
        let spki = self
            .inner
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| unsupported())?;
        PublicKey::from_spki_der(&spki).map_err(|_| unsupported())
    }

    /// The x509-cert certificate.
    pub fn as_x509(&self) -> &x509_cert::Certificate {
        &self.inner
    }

    fn check_dates(&self, now: u64) -> Result<(), CertError> {
        let validity = self.inner.tbs_certificate().validity();
        let not_before = validity.not_before.to_unix_duration().as_secs();
        let not_after = validity.not_after.to_unix_duration().as_secs();
        if now < not_before {
            return Err(CertError::NotYetValid {
                subject: self.subject(),
                not_before,
                now,
            });
        }
        if now > not_after {
            return Err(CertError::Expired {
                subject: self.subject(),
                not_after,
                now,
            });
        }
        Ok(())
    }

    fn check_critical(&self) -> Result<(), CertError> {
        for ext in self
            .inner
            .tbs_certificate()
            .extensions()
            .map(|e| e.as_slice())
            .unwrap_or(&[])
        {
            if ext.critical && !KNOWN_EXTENSIONS.contains(&ext.extn_id) {
                return Err(CertError::UnknownCriticalExtension {
                    subject: self.subject(),
                    oid: ext.extn_id.to_string(),
                });
            }
        }
        Ok(())
    }

    fn ext<'a, T: Decode<'a, Error = der::Error> + der::oid::AssociatedOid>(
        &'a self,
    ) -> Result<Option<T>, CertError> {
        self.inner
            .tbs_certificate()
            .get_extension::<T>()
            .map(|o| o.map(|(_, v)| v))
            .map_err(malformed)
    }

    /// Checks this certificate as an issuer of `below` intermediates.
    fn check_issuer(&self, below: usize) -> Result<(), CertError> {
        match self.ext::<BasicConstraints>()? {
            Some(bc) if bc.ca => {
                if let Some(allowed) = bc.path_len_constraint
                    && below > usize::from(allowed)
                {
                    return Err(CertError::PathLength {
                        subject: self.subject(),
                        allowed,
                        found: below,
                    });
                }
            }
            _ => {
                return Err(CertError::NotCa {
                    subject: self.subject(),
                });
            }
        }
        if let Some(ku) = self.ext::<KeyUsage>()?
            && !ku.key_cert_sign()
        {
            return Err(CertError::KeyUsage {
                subject: self.subject(),
                reason: "key usage lacks keyCertSign",
            });
        }
        Ok(())
    }

    /// Checks this certificate may sign firmware: an end entity, `digitalSignature` if it has
    /// a key usage, an extended key usage with `codeSigning` and without `anyExtendedKeyUsage`.
    fn check_signer(&self) -> Result<(), CertError> {
        let subject = || self.subject();
        if self.ext::<BasicConstraints>()?.is_some_and(|bc| bc.ca) {
            return Err(CertError::LeafIsCa { subject: subject() });
        }
        if let Some(ku) = self.ext::<KeyUsage>()?
            && !ku.digital_signature()
        {
            return Err(CertError::KeyUsage {
                subject: subject(),
                reason: "key usage lacks digitalSignature, so it may not sign firmware",
            });
        }
        let Some(eku) = self.ext::<ExtendedKeyUsage>()? else {
            return Err(CertError::LeafNoEku { subject: subject() });
        };
        if eku.0.contains(&EKU_ANY) {
            return Err(CertError::LeafAnyEku { subject: subject() });
        }
        if !eku.0.contains(&EKU_CODE_SIGNING) {
            return Err(CertError::LeafNotCodeSigning { subject: subject() });
        }
        Ok(())
    }

    /// Checks that `issuer` signed this certificate.
    fn check_signed_by(&self, issuer: &Certificate) -> Result<(), CertError> {
        let tbs = self.inner.tbs_certificate();
        if tbs.issuer() != issuer.inner.tbs_certificate().subject() {
            return Err(CertError::IssuerMismatch {
                subject: self.subject(),
                issuer: clip(&tbs.issuer().to_string()),
                next: issuer.subject(),
            });
        }
        let unsupported = || CertError::UnsupportedAlgorithm {
            subject: self.subject(),
            what: "signature algorithm",
        };
        let outer = self.inner.signature_algorithm();
        if outer.oid != ECDSA_WITH_SHA256 || outer.parameters.is_some() || tbs.signature() != outer
        {
            return Err(unsupported());
        }
        let key = issuer.public_key()?;
        let sig_bytes = self.inner.signature().as_bytes().ok_or_else(unsupported)?;
        let bad = || CertError::BadSignature {
            subject: self.subject(),
        };
        let sig = Signature::from_der(sig_bytes).map_err(|_| bad())?;
        // The bytes as given, not `tbs.to_der()`: x509-cert re-encodes some fields differently
        // from how they were read (GeneralizedTime before 2050 as UTCTime, an explicit
        // `critical FALSE` dropped), so a re-encoding is not what the issuer signed.
        key.verify(self.tbs_der(), &sig).map_err(|_| bad())
    }
}

/// Verifies that `chain` (the signing certificate first, then any intermediates, each issued
/// by the next) chains to the pinned `root`, all valid at `now` (Unix seconds), with key
/// usages respected (see the module docs); gives the signing certificate's key.
///
/// A chain that ends with the root itself (byte for byte) is accepted too.
pub fn verify_chain(
    chain: &[Certificate],
    root: &Certificate,
    now: u64,
) -> Result<PublicKey, CertError> {
    let chain = match chain.split_last() {
        Some((last, rest)) if last == root && !rest.is_empty() => rest,
        _ => chain,
    };
    if chain.is_empty() || chain.len() > MAX_CHAIN_LEN {
        return Err(CertError::ChainLength { len: chain.len() });
    }
    root.check_dates(now)?;
    root.check_critical()?;
    root.check_issuer(chain.len() - 1)?; // ok: chain is not empty
    for (i, cert) in chain.iter().enumerate() {
        cert.check_dates(now)?;
        cert.check_critical()?;
        let issuer = chain.get(i + 1).unwrap_or(root);
        if i + 1 < chain.len() {
            // Intermediates below this issuer: those between it and the signing certificate.
            issuer.check_issuer(i)?;
        }
        cert.check_signed_by(issuer)?;
    }
    let signer = chain.first().ok_or(CertError::ChainLength { len: 0 })?;
    signer.check_signer()?;
    signer.public_key()
}
