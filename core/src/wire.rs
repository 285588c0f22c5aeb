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
///
/// Objects only: a JSON array where a struct is expected is refused at any depth
/// ([`objects_only`]), never read field by field in order.
pub(crate) fn from_document<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(document::SkipSchema(objects_only::Strict(&mut de)))?;
    de.end()?;
    Ok(value)
}

/// `serde_json::from_str`, objects only ([`objects_only`]): for wire inputs that take no
/// `"$schema"` (device states, events, halt rules).
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(objects_only::Strict(&mut de))?;
    de.end()?;
    Ok(value)
}

pub(crate) mod objects_only {
    //! A deserializer adapter that refuses a sequence where a struct is expected, at any depth.
    //!
    //! serde's derived `Deserialize` for a struct also accepts a sequence and reads it as the
    //! fields in declaration order, and `#[serde(default)]` fills the rest: `"halt": []` would
    //! be a halt rule with no limits (one that never trips), `"halt": [200]` would be
    //! `max_failures: 200`. A wire document spells every struct as an object; this adapter
    //! wraps every nested deserializer so that a struct's visitor is never handed a sequence
    //! (`invalid type: sequence, expected struct HaltRule`, with serde_json's line and column).
    //! Everything else passes through unchanged.

    use core::fmt;

    use serde::de::{
        self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, Unexpected, VariantAccess, Visitor,
    };

    /// The wrapped deserializer.
    pub(crate) struct Strict<D>(pub(crate) D);

    /// A visitor; `is_struct` when it is a struct's, which must not be handed a sequence.
    struct V<T> {
        inner: T,
        is_struct: bool,
    }

    fn plain<T>(inner: T) -> V<T> {
        V {
            inner,
            is_struct: false,
        }
    }

    /// A seed whose deserializer is wrapped in turn.
    struct Seed<S>(S);

    /// Sequence, map and enum accesses whose elements are wrapped in turn.
    struct Seq<A>(A);
    struct Map<A>(A);
    struct Enum<A>(A);
    struct Variant<A>(A);

    macro_rules! forward {
        ($($method:ident)*) => {$(
            fn $method<W: Visitor<'de>>(self, visitor: W) -> Result<W::Value, D::Error> {
                self.0.$method(plain(visitor))
            }
        )*};
    }

    impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for Strict<D> {
        type Error = D::Error;

        forward! {
            deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
            deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
            deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
            deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
            deserialize_option deserialize_unit deserialize_seq deserialize_map
            deserialize_identifier deserialize_ignored_any
        }

        fn deserialize_unit_struct<W: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: W,
        ) -> Result<W::Value, D::Error> {
            self.0.deserialize_unit_struct(name, plain(visitor))
        }

        fn deserialize_newtype_struct<W: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: W,
        ) -> Result<W::Value, D::Error> {
            self.0.deserialize_newtype_struct(name, plain(visitor))
        }

        fn deserialize_tuple<W: Visitor<'de>>(
            self,
            len: usize,
            visitor: W,
        ) -> Result<W::Value, D::Error> {
            self.0.deserialize_tuple(len, plain(visitor))
        }

        fn deserialize_tuple_struct<W: Visitor<'de>>(
            self,
            name: &'static str,
            len: usize,
            visitor: W,
        ) -> Result<W::Value, D::Error> {
            self.0.deserialize_tuple_struct(name, len, plain(visitor))
        }

        fn deserialize_struct<W: Visitor<'de>>(
            self,
            name: &'static str,
            fields: &'static [&'static str],
            visitor: W,
        ) -> Result<W::Value, D::Error> {
            let v = V {
                inner: visitor,
                is_struct: true,
            };
            self.0.deserialize_struct(name, fields, v)
        }

        fn deserialize_enum<W: Visitor<'de>>(
            self,
            name: &'static str,
            variants: &'static [&'static str],
            visitor: W,
        ) -> Result<W::Value, D::Error> {
            self.0.deserialize_enum(name, variants, plain(visitor))
        }

        fn is_human_readable(&self) -> bool {
            self.0.is_human_readable()
        }
    }

    macro_rules! visit {
        ($($method:ident($ty:ty))*) => {$(
            fn $method<E: de::Error>(self, v: $ty) -> Result<T::Value, E> {
                self.inner.$method(v)
            }
        )*};
    }

    impl<'de, T: Visitor<'de>> Visitor<'de> for V<T> {
        type Value = T::Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.inner.expecting(f)
        }

        visit! {
            visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
            visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
            visit_u128(u128) visit_f32(f32) visit_f64(f64) visit_char(char) visit_str(&str)
            visit_borrowed_str(&'de str) visit_string(alloc::string::String)
            visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8])
            visit_byte_buf(alloc::vec::Vec<u8>)
        }

        fn visit_none<E: de::Error>(self) -> Result<T::Value, E> {
            self.inner.visit_none()
        }

        fn visit_unit<E: de::Error>(self) -> Result<T::Value, E> {
            self.inner.visit_unit()
        }

        fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<T::Value, D::Error> {
            self.inner.visit_some(Strict(d))
        }

        fn visit_newtype_struct<D: de::Deserializer<'de>>(
            self,
            d: D,
        ) -> Result<T::Value, D::Error> {
            self.inner.visit_newtype_struct(Strict(d))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T::Value, A::Error> {
            if self.is_struct {
                return Err(de::Error::invalid_type(Unexpected::Seq, &self.inner));
            }
            self.inner.visit_seq(Seq(seq))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T::Value, A::Error> {
            self.inner.visit_map(Map(map))
        }

        fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<T::Value, A::Error> {
            self.inner.visit_enum(Enum(data))
        }
    }

    impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
        type Value = S::Value;

        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
            self.0.deserialize(Strict(d))
        }
    }

    impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<A> {
        type Error = A::Error;

        fn next_element_seed<S: DeserializeSeed<'de>>(
            &mut self,
            seed: S,
        ) -> Result<Option<S::Value>, A::Error> {
            self.0.next_element_seed(Seed(seed))
        }

        fn size_hint(&self) -> Option<usize> {
            self.0.size_hint()
        }
    }

    impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<A> {
        type Error = A::Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, A::Error> {
            self.0.next_key_seed(seed)
        }

        fn next_value_seed<S: DeserializeSeed<'de>>(
            &mut self,
            seed: S,
        ) -> Result<S::Value, A::Error> {
            self.0.next_value_seed(Seed(seed))
        }

        fn size_hint(&self) -> Option<usize> {
            self.0.size_hint()
        }
    }

    impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Enum<A> {
        type Error = A::Error;
        type Variant = Variant<A::Variant>;

        fn variant_seed<S: DeserializeSeed<'de>>(
            self,
            seed: S,
        ) -> Result<(S::Value, Self::Variant), A::Error> {
            self.0
                .variant_seed(seed)
                .map(|(v, rest)| (v, Variant(rest)))
        }
    }

    impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Variant<A> {
        type Error = A::Error;

        fn unit_variant(self) -> Result<(), A::Error> {
            self.0.unit_variant()
        }

        fn newtype_variant_seed<S: DeserializeSeed<'de>>(
            self,
            seed: S,
        ) -> Result<S::Value, A::Error> {
            self.0.newtype_variant_seed(Seed(seed))
        }

        fn tuple_variant<W: Visitor<'de>>(
            self,
            len: usize,
            visitor: W,
        ) -> Result<W::Value, A::Error> {
            self.0.tuple_variant(len, plain(visitor))
        }

        fn struct_variant<W: Visitor<'de>>(
            self,
            fields: &'static [&'static str],
            visitor: W,
        ) -> Result<W::Value, A::Error> {
            let v = V {
                inner: visitor,
                is_struct: true,
            };
            self.0.struct_variant(fields, v)
        }
    }
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
            "7",
            r#"{"a": 1} x"#,
            "{\n  \"a\": 1,\n  \"inner\": {\"b\": 1, \"c\": 2}\n}",
        ] {
            let plain = serde_json::from_str::<Doc>(text).map_err(|e| e.to_string());
            assert_eq!(read(text), plain, "{text}");
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Nest {
        list: alloc::vec::Vec<Inner>,
        #[serde(default)]
        maybe: Option<Inner>,
        #[serde(default)]
        pair: Option<(u32, u32)>,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plain,
        Wrapped(Inner),
        Shaped { b: u32 },
    }

    #[test]
    fn a_struct_spelt_as_an_array_is_refused_at_any_depth() {
        let err = |text: &str| read(text).unwrap_err();
        // Top level and nested (serde_json alone reads both, field by field in order).
        assert!(serde_json::from_str::<Doc>("[1]").is_ok());
        assert_eq!(
            err("[1]"),
            "invalid type: sequence, expected struct Doc at line 1 column 1"
        );
        assert!(serde_json::from_str::<Doc>(r#"{"a": 1, "inner": [2]}"#).is_ok());
        assert_eq!(
            err(r#"{"a": 1, "inner": [2]}"#),
            "invalid type: sequence, expected struct Inner at line 1 column 19"
        );
        let nest = |text: &str| super::from_json::<Nest>(text).map_err(|e| e.to_string());
        // Inside a list, an option, an enum's newtype and struct variants.
        for bad in [
            r#"{"list": [[1]]}"#,
            r#"{"list": [], "maybe": [1]}"#,
            r#"{"list": [], "kind": {"wrapped": [1]}}"#,
            r#"{"list": [], "kind": {"shaped": [1]}}"#,
        ] {
            let e = nest(bad).unwrap_err();
            assert!(
                e.starts_with("invalid type: sequence, expected "),
                "{bad}: {e}"
            );
        }
        // What is spelt as the wire form spells it still reads, sequences and tuples included.
        assert_eq!(
            nest(
                r#"{"list": [{"b": 1}], "maybe": {"b": 2}, "pair": [3, 4], "kind": {"shaped": {"b": 5}}}"#
            ),
            Ok(Nest {
                list: alloc::vec![Inner { b: 1 }],
                maybe: Some(Inner { b: 2 }),
                pair: Some((3, 4)),
                kind: Some(Kind::Shaped { b: 5 }),
            })
        );
        assert_eq!(
            nest(r#"{"list": [], "kind": "plain"}"#).map(|n| n.kind),
            Ok(Some(Kind::Plain))
        );
        assert_eq!(
            nest(r#"{"list": [], "kind": {"wrapped": {"b": 6}}}"#).map(|n| n.kind),
            Ok(Some(Kind::Wrapped(Inner { b: 6 })))
        );
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
