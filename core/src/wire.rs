//! Helpers for the JSON wire forms (feature `serde`): 32-byte digests and key ids as 64
//! lowercase hex digits.

/// `[u8; 32]` as 64 lowercase hex digits (`#[serde(with = "crate::wire::hex32")]`).
pub(crate) mod hex32 {
    use alloc::string::String;

    pub(crate) fn serialize<S: serde::Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 64];
        let hex = base16ct::lower::encode_str(v, &mut buf).map_err(serde::ser::Error::custom)?;
        s.serialize_str(hex)
    }

    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<[u8; 32], D::Error> {
        let text: String = serde::Deserialize::deserialize(d)?;
        crate::manifest::lines::hex32(&text).ok_or_else(|| {
            serde::de::Error::custom(alloc::format!(
                "expected 64 lowercase hex digits, got {:?}",
                crate::error::clip(&text)
            ))
        })
    }
}

/// [`crate::signature::KeyId`] as 64 lowercase hex digits.
pub(crate) mod key_id {
    pub(crate) fn serialize<S: serde::Serializer>(
        v: &crate::signature::KeyId,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        super::hex32::serialize(&v.0, s)
    }
}

/// An error's wire form, `{"code": "area.reason", "message": "..."}`: how an answer that
/// carries an error (an explanation's outcome, a simulation's stuck devices) spells it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ErrorWire {
    pub(crate) code: &'static str,
    pub(crate) message: alloc::string::String,
}

impl ErrorWire {
    pub(crate) fn of<E: crate::ErrorCode + core::fmt::Display>(e: &E) -> ErrorWire {
        ErrorWire {
            code: e.code(),
            message: alloc::string::ToString::to_string(e),
        }
    }
}
