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

/// The top-level field an input document (a catalog, a sampling plan, a rollout, a retry
/// policy, reconciler options) may carry to name its JSON Schema (`docs/schema/`): editors read
/// it, the loaders skip it. It must be a string; any other unknown field is still refused.
pub(crate) const SCHEMA_KEY: &str = crate::json_read::SCHEMA_KEY;

/// Reads a document `T` (a struct that refuses unknown fields) from JSON text, skipping a
/// top-level `"$schema"` string. A `"$schema"` that is not a string is refused as a wrong type;
/// one below the top level is an unknown field like any other. Everything else is `T`'s own
/// deserialization, streamed as `serde_json::from_str` does it: duplicate fields are still
/// refused and messages keep their line and column.
pub(crate) fn from_document<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(document::SkipSchema(&mut de))?;
    de.end()?;
    Ok(value)
}

mod document {
    //! A deserializer adapter: the document's own map, less its `"$schema"` entry.

    use alloc::string::String;
    use core::fmt;

    use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

    use super::SCHEMA_KEY;

    /// The document's deserializer; only its top-level map is filtered.
    pub(super) struct SkipSchema<D>(pub(super) D);

    /// The document's visitor, handed the filtered map.
    struct Filter<V>(V);

    /// The top-level map without its `"$schema"` entry.
    struct Entries<A>(A);

    impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for SkipSchema<D> {
        type Error = D::Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.deserialize_any(Filter(visitor))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_struct(name, fields, Filter(visitor))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    impl<'de, V: Visitor<'de>> Visitor<'de> for Filter<V> {
        type Value = V::Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.expecting(f)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
            self.0.visit_map(Entries(map))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
            self.0.visit_seq(seq)
        }
    }

    impl<'de, A: MapAccess<'de>> MapAccess<'de> for Entries<A> {
        type Error = A::Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, A::Error> {
            while let Some(key) = self.0.next_key::<String>()? {
                if key != SCHEMA_KEY {
                    return seed.deserialize(key.into_deserializer()).map(Some);
                }
                // Its value must be a string (a URL or a path); it is not kept.
                self.0.next_value::<String>()?;
            }
            Ok(None)
        }

        fn next_value_seed<S: DeserializeSeed<'de>>(
            &mut self,
            seed: S,
        ) -> Result<S::Value, A::Error> {
            self.0.next_value_seed(seed)
        }

        fn size_hint(&self) -> Option<usize> {
            self.0.size_hint()
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::{String, ToString};

    use super::from_document;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        a: u32,
        #[serde(default)]
        inner: Option<Inner>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        b: u32,
    }

    fn read(text: &str) -> Result<Doc, String> {
        from_document::<Doc>(text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_top_level_schema_string_is_skipped() {
        let want = Doc { a: 1, inner: None };
        assert_eq!(
            read(r#"{"$schema": "./doc.schema.json", "a": 1}"#),
            Ok(want)
        );
        assert_eq!(
            read(r#"{"a": 2, "$schema": "https://example.invalid/s.json"}"#).map(|d| d.a),
            Ok(2)
        );
        // Without "$schema", exactly what serde_json::from_str says, message included.
        for text in [
            r#"{"a": 1}"#,
            r#"{"a": 1, "c": 2}"#,
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": -1}"#,
            r#"{}"#,
            "[1]",
            "7",
            r#"{"a": 1} x"#,
            "{\n  \"a\": 1,\n  \"inner\": {\"b\": 1, \"c\": 2}\n}",
        ] {
            let plain = serde_json::from_str::<Doc>(text).map_err(|e| e.to_string());
            assert_eq!(read(text), plain, "{text}");
        }
    }

    #[test]
    fn everything_else_is_still_refused() {
        let err = |text: &str| read(text).unwrap_err();
        assert_eq!(
            err(r#"{"$schema": 5, "a": 1}"#),
            "invalid type: integer `5`, expected a string at line 1 column 13"
        );
        assert!(err(r#"{"$schema": null, "a": 1}"#).starts_with("invalid type: null"));
        assert!(err(r#"{"$schema": {}, "a": 1}"#).starts_with("invalid type: map"));
        // Only at the top level.
        assert!(
            err(r#"{"a": 1, "inner": {"$schema": "x", "b": 1}}"#)
                .starts_with("unknown field `$schema`")
        );
        // Duplicates are still duplicates, other unknown fields still unknown, with positions.
        assert_eq!(
            err("{\"$schema\": \"x\",\n \"a\": 1, \"a\": 2}"),
            "duplicate field `a` at line 2 column 12"
        );
        assert_eq!(
            err(r#"{"$schema": "x", "a": 1, "c": 2}"#),
            "unknown field `c`, expected `a` or `inner` at line 1 column 28"
        );
        assert!(err(r#"{"$schema": "x"}"#).starts_with("missing field `a`"));
    }
}
