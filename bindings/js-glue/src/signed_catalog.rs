//! Signed catalogs: the JSON catalog envelope opened with the keys a reader trusts, and the
//! binary compact-catalog envelope a device opens with its pinned catalog key.

use stepstone::signature::{KeyId, PublicKey};
use stepstone::signed_catalog::compact::{self as envelope, CatalogState};
use stepstone::signed_catalog::{Trust, open};

use crate::{Fault, Fields, Res, decimal, fields, hex, u64_arg};

fn bad_argument(message: String) -> Fault {
    Fault {
        code: "js.bad_argument",
        message,
    }
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
        let key = PublicKey::parse(key).map_err(Fault::of)?;
        let id = hex(&key.key_id().0);
        self.keys.push(key);
        Ok(id)
    }

    /// The keys added, for the tests.
    #[cfg(test)]
    pub(crate) fn keys_for_test(&self) -> Vec<PublicKey> {
        self.keys.clone()
    }

    /// Opens a signed catalog at `now` (decimal), refusing a sequence below `last_sequence`,
    /// and an equal one unless its digest is `last_digest` (64 hex digits; given without
    /// `last_sequence`, the core's `signed_catalog.digest_without_sequence`): the [`Fields`]
    /// `sequence`, `issued` (`""` for format 1), `expires`, `key_id`, `digest`, `start`, `end`,
    /// the verified payload being `envelope[start..end]`.
    pub fn open(
        &self,
        envelope: &[u8],
        now: &str,
        last_sequence: Option<&str>,
        last_digest: Option<&str>,
    ) -> Res<Fields> {
        let last_digest = last_digest
            .map(|h| {
                KeyId::from_hex(h).map(|d| d.0).ok_or_else(|| {
                    let mut message = String::from(
                        "`lastDigest` must be 64 lowercase hex digits (a digest openCatalog gave), got `",
                    );
                    message.push_str(h);
                    message.push('`');
                    bad_argument(message)
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
        let o = open(envelope, &trust).map_err(Fault::of)?;
        // The payload is a slice of the envelope: where it starts, without copying it out.
        let start = (o.payload.as_ptr() as usize).saturating_sub(envelope.as_ptr() as usize);
        Ok(fields(&[
            decimal(o.sequence),
            o.issued.map(decimal).unwrap_or_default(),
            decimal(o.expires),
            hex(&o.key_id.0),
            hex(&o.digest),
            decimal(start as u64),
            decimal((start + o.payload.len()) as u64),
        ]))
    }
}

/// Opens a signed compact catalog (the binary envelope a device opens) with the pinned catalog
/// `key` (PEM, DER, SEC1 or hex), at `now` (decimal), given the stored state of the last
/// catalog accepted (the core's JSON `{sequence, sha256, issued}`; none the first time). The
/// core's `Opened` (JSON `{header, state, payload_offset}`) as [`Fields`]: the header's
/// `sequence`, `issued`, `expires`, `key_id`, `payload_len`, the state's `sequence`, `sha256`,
/// `issued`, then `payload_offset`; the verified payload is
/// `envelope[payload_offset..][..payload_len]`.
pub fn open_compact_catalog(
    envelope: &[u8],
    key: &[u8],
    now: &str,
    last: Option<&str>,
) -> Res<Fields> {
    let now = u64_arg("now", now)?;
    let last: Option<CatalogState> = last
        .map(|text| {
            CatalogState::from_json(text).map_err(|e| {
                let mut message = String::from(
                    "`last` must be a catalog state {sequence, sha256, issued} as openCompactCatalog gave it: ",
                );
                message.push_str(&e);
                bad_argument(message)
            })
        })
        .transpose()?;
    let key = PublicKey::parse(key).map_err(Fault::of)?;
    let opened = envelope::open(envelope, &key, last.as_ref(), now).map_err(Fault::of)?;
    let (h, s) = (&opened.header, &opened.state);
    Ok(fields(&[
        decimal(h.sequence),
        decimal(h.issued),
        decimal(h.expires),
        hex(&h.key_id.0),
        decimal(h.payload_len as u64),
        decimal(s.sequence),
        hex(&s.digest),
        decimal(s.issued),
        decimal(opened.payload_offset as u64),
    ]))
}
