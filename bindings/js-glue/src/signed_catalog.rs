//! Signed catalogs: the envelope opened with the keys a reader trusts.

use serde_json::json;
use stepstone::signature::PublicKey;
use stepstone::signed_catalog::{Trust, open};

use crate::{Res, u64_arg};

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

    /// Opens a signed catalog at `now` (decimal), refusing a sequence below `last_sequence`:
    /// JSON `{sequence, expires, key_id, payload: [start, end]}`, the verified payload being
    /// `envelope[start..end]`.
    pub fn open(&self, envelope: &[u8], now: &str, last_sequence: Option<&str>) -> Res<String> {
        let trust = Trust {
            keys: &self.keys,
            last_sequence: last_sequence
                .map(|s| u64_arg("last_sequence", s))
                .transpose()?,
            // Equal sequences are refused until the API takes the last digest.
            last_digest: None,
            now: u64_arg("now", now)?,
        };
        let o = open(envelope, &trust)?;
        // The payload is a slice of the envelope: where it starts, without copying it out.
        let start = (o.payload.as_ptr() as usize).saturating_sub(envelope.as_ptr() as usize);
        Ok(json!({
            "sequence": o.sequence,
            "expires": o.expires,
            "key_id": o.key_id.to_string(),
            "payload": [start, start + o.payload.len()],
        })
        .to_string())
    }
}
