//! The reference for a catalog document's JSON reading: `serde_json::from_str::<Value>`, except
//! that an object with the same key twice is refused, as serde_json refuses it for a type whose
//! visitor refuses it while reading. The error is then `duplicate field `KEY`` (the key cut
//! at 160 bytes with `…`, as stepstone's messages cut values) at serde_json's position: the
//! first repeat in the document, after the repeated key and the whitespace that follows it,
//! and after a `}` that comes next (serde_json's `end_map` reads it before placing the error).
//!
//! Core's JSON tree (`catalog/tree.rs`) is held to it by its unit tests,
//! `core/tests/catalog_paths.rs` and the fuzz target `catalog_tree`.

// Also read by core's own unit tests, in a `no_std` crate: nothing from the prelude of `std`.
extern crate std;

use std::collections::BTreeSet;
use std::fmt;
use std::format;
use std::string::{String, ToString};

use serde::Deserialize;
use serde::de::{Deserializer, Error, MapAccess, SeqAccess, Visitor};

/// `text` as a `serde_json::Value`, or serde_json's error (a repeated key included).
pub fn strict_value(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::from_str::<NoRepeat>(text)?;
    serde_json::from_str(text)
}

/// Any JSON value, read to its end with every object's keys checked.
struct NoRepeat;

impl<'de> Deserialize<'de> for NoRepeat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoRepeatVisitor)
    }
}

struct NoRepeatVisitor;

impl<'de> Visitor<'de> for NoRepeatVisitor {
    type Value = NoRepeat;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<NoRepeat, E> {
        Ok(NoRepeat)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoRepeat, E> {
        Ok(NoRepeat)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoRepeat, E> {
        Ok(NoRepeat)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoRepeat, E> {
        Ok(NoRepeat)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoRepeat, E> {
        Ok(NoRepeat)
    }
    fn visit_unit<E>(self) -> Result<NoRepeat, E> {
        Ok(NoRepeat)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoRepeat, A::Error> {
        while seq.next_element::<NoRepeat>()?.is_some() {}
        Ok(NoRepeat)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoRepeat, A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(A::Error::custom(format!(
                    "duplicate field `{}`",
                    clipped(&key)
                )));
            }
            map.next_value::<NoRepeat>()?;
        }
        Ok(NoRepeat)
    }
}

/// The first 160 bytes of `key` (to a character boundary) and `…` when it is longer.
fn clipped(key: &str) -> String {
    if key.len() <= 160 {
        return key.to_string();
    }
    let end = (0..=160)
        .rev()
        .find(|&i| key.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}…", &key[..end])
}
