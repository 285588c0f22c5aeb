//! Signed catalogs: the JSON catalog envelope opened with the keys a reader trusts, and the
//! binary compact-catalog envelope a device opens with its pinned catalog key.

use serde::Serialize;
use stepstone::signature::{KeyId, PublicKey};
use stepstone::signed_catalog::compact::{self as envelope, CatalogState};
use stepstone::signed_catalog::{Trust, open};

use crate::{Fault, Res, to_json, u64_arg};

fn bad_argument(message: String) -> Fault {
    Fault {
        code: "js.bad_argument",
        message,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What [`CatalogKeys::open`] answers, as JSON (a struct, not a `serde_json::Value`: the WASM
/// module then carries no `Value` for it).
#[derive(Serialize)]
struct Opened {
    sequence: u64,
    issued: Option<u64>,
    expires: u64,
    key_id: String,
    digest: String,
    payload: [usize; 2],
}

/// The keys a reader trusts to sign catalogs.
#[derive(Debug, Clone, Default)]
pub struct CatalogKeys {
    keys: Vec<PublicKey>,
}

impl CatalogKeys {
    /// No key yet.
    pub fn new() -> CatalogKeys {
        CatalogKeys::default()
    }

    /// Adds a key (PEM, DER, SEC1 or hex; detected); gives its key id.
    pub fn add(&mut self, key: &[u8]) -> Res<String> {
        let key = PublicKey::parse(key)?;
        let id = key.key_id().to_string();
        self.keys.push(key);
        Ok(id)
    }

    /// Opens a signed catalog at `now` (decimal), refusing a sequence below `last_sequence`,
    /// and an equal one unless its digest is `last_digest` (64 hex digits): JSON `{sequence,
    /// issued, expires, key_id, digest, payload: [start, end]}` (`issued` null for format 1),
    /// the verified payload being `envelope[start..end]`.
    pub fn open(
        &self,
        envelope: &[u8],
        now: &str,
        last_sequence: Option<&str>,
        last_digest: Option<&str>,
    ) -> Res<String> {
        let last_digest = last_digest
            .map(|h| {
                KeyId::from_hex(h).map(|d| d.0).ok_or_else(|| {
                    bad_argument(format!(
                        "lastDigest must be 64 lowercase hex digits (a digest openCatalog gave), got `{h}`"
                    ))
                })
            })
            .transpose()?;
        let trust = Trust {
            keys: &self.keys,
            last_sequence: last_sequence
                .map(|s| u64_arg("last_sequence", s))
                .transpose()?,
            last_digest,
            now: u64_arg("now", now)?,
        };
        let o = open(envelope, &trust)?;
        // The payload is a slice of the envelope: where it starts, without copying it out.
        let start = (o.payload.as_ptr() as usize).saturating_sub(envelope.as_ptr() as usize);
        Ok(to_json(&Opened {
            sequence: o.sequence,
            issued: o.issued,
            expires: o.expires,
            key_id: o.key_id.to_string(),
            digest: hex(&o.digest),
            payload: [start, start + o.payload.len()],
        }))
    }
}

/// Opens a signed compact catalog (the binary envelope a device opens) with the pinned catalog
/// `key` (PEM, DER, SEC1 or hex), at `now` (decimal), given the stored state of the last
/// catalog accepted (the core's JSON `{sequence, sha256, issued}`; none the first time). The
/// core's JSON `{header, state, payload_offset}`: the verified payload is
/// `envelope[payload_offset..][..header.payload_len]`.
pub fn open_compact_catalog(
    envelope: &[u8],
    key: &[u8],
    now: &str,
    last: Option<&str>,
) -> Res<String> {
    let now = u64_arg("now", now)?;
    let last: Option<CatalogState> = last
        .map(|text| {
            CatalogState::from_json(text).map_err(|e| {
                bad_argument(format!(
                    "last must be a catalog state {{sequence, sha256, issued}} as openCompactCatalog gave it: {e}"
                ))
            })
        })
        .transpose()?;
    let key = PublicKey::parse(key)?;
    let opened = envelope::open(envelope, &key, last.as_ref(), now)?;
    Ok(to_json(&opened))
}
