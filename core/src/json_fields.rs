//! Typed fields over [`crate::json_read::Reader`], for the hand-written readers of the
//! decision documents (device states, events, retry policies, rollouts, reconciler options), so
//! that a build reading only those (the `stepstone-wasm/rollout` module) links no `serde_json`
//! deserializer.
//!
//! The readers built on these helpers accept what serde's derive (through
//! `wire::objects_only`) accepts for the same types: an object for every struct (never an
//! array), every field at most once, no unknown field, a missing field only where it has a
//! default or is an `Option`; integers as plain digits within the field's type (no fraction, no
//! exponent, no `-0`); `null` only for an `Option`. A failure is a [`SyntaxError`] whose
//! message names the field or the value (`duplicate field \`job\``, `expected an unsigned
//! integer (u64), found "12"`), after the path of the field it was found in, as the catalog's
//! errors name theirs: `schedule.stages[2].fraction_ppm: expected an unsigned integer (u32),
//! found -1` ([`document`] adds the line and column).
//!
//! ```text
//! let mut r = Reader::new(r#"{"id": 7, "name": "x"}"#);
//! let (mut id, mut name) = (None, None);
//! object(&mut r, &mut |r, key| {
//!     Ok(match key {
//!         "id" => once(r, key, &mut id, read_u64)?,
//!         "name" => once(r, key, &mut name, string)?,
//!         _ => false,
//!     })
//! })?;
//! let id = need(&r, id, "id")?;
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::json_read::{Reader, SyntaxError, whole_number};

/// A field reader's result.
pub(crate) type Res<T> = Result<T, SyntaxError>;

/// Marks an error's `what` as `PATH path PATH message` while the error travels out of the
/// fields it was found in (each adds its name in front); [`document`] writes it as
/// `path: message`. A path holds only known keys and indices, never this character.
const PATH: char = '\u{1}';

/// Marks an error found at the level of the object being read, not inside the value of the key
/// being read (a duplicate field): that key does not go in front of it, the enclosing ones do.
const HERE: char = '\u{2}';

/// `e` found inside `segment` (a key, or an index as `[2]`): the segment goes in front of the
/// error's path. One function for every field (object keys are added by [`object`], indices by
/// [`array`]), so that the readers' many fields add no code each (the `rollout` WASM module's
/// size).
#[inline(never)]
pub(crate) fn within(e: SyntaxError, segment: &str) -> SyntaxError {
    if let Some(here) = e.what.strip_prefix(HERE) {
        return SyntaxError {
            what: String::from(here).into(),
            at: e.at,
        };
    }
    let mut what = String::new();
    what.push(PATH);
    what.push_str(segment);
    match e.what.strip_prefix(PATH) {
        Some(rest) => {
            if !rest.starts_with('[') {
                what.push('.');
            }
            what.push_str(rest);
        }
        None => {
            what.push(PATH);
            what.push_str(&e.what);
        }
    }
    SyntaxError {
        what: what.into(),
        at: e.at,
    }
}

/// `e` with its path written out, `path: message` (as it is, with none).
fn with_path(e: SyntaxError) -> SyntaxError {
    let Some((path, message)) = e.what.strip_prefix(PATH).and_then(|p| p.split_once(PATH)) else {
        // A duplicate field of the document itself loses its mark (`HERE`) and nothing else.
        return if e.what.starts_with(HERE) {
            within(e, "")
        } else {
            e
        };
    };
    let mut what = String::from(path);
    what.push_str(": ");
    what.push_str(message);
    SyntaxError {
        what: what.into(),
        at: e.at,
    }
}

/// An index as a path segment, `[2]`, for [`within`].
#[inline(never)]
fn at_index(e: SyntaxError, index: usize) -> SyntaxError {
    let mut segment = String::from("[");
    crate::json_read::push_decimal(&mut segment, index);
    segment.push(']');
    within(e, &segment)
}

/// `what` followed by `` `name` `` (`missing field `job``).
fn named(r: &Reader<'_>, what: &str, name: &str) -> SyntaxError {
    let mut m = String::from(what);
    m.push_str(" `");
    m.push_str(name);
    m.push('`');
    r.error(m)
}

/// `expected X, found <the value's text>`.
fn wrong(r: &Reader<'_>, expected: &str, raw: &str) -> SyntaxError {
    let mut m = String::from("expected ");
    m.push_str(expected);
    m.push_str(", found ");
    m.push_str(&crate::error::clip(raw));
    r.error(m)
}

/// Reads an object whose `{` is next: `field(reader, key)` reads the value of a key it knows
/// and says `true`; `false` refuses the key as unknown.
pub(crate) fn object(
    r: &mut Reader<'_>,
    field: &mut dyn FnMut(&mut Reader<'_>, &str) -> Res<bool>,
) -> Res<()> {
    if r.peek() != Some(b'{') {
        let raw = r.value()?;
        return Err(wrong(r, "an object", raw));
    }
    r.begin_object()?;
    let mut first = true;
    while let Some(key) = r.next_key(&mut first)? {
        if !field(r, &key).map_err(|e| within(e, &key))? {
            return Err(named(r, "unknown field", &key));
        }
    }
    Ok(())
}

/// Reads a field's value into `slot` with `read`, refusing a second one: always `true` (the
/// key was known), for [`object`]'s callback.
pub(crate) fn once<T>(
    r: &mut Reader<'_>,
    key: &str,
    slot: &mut Option<T>,
    read: fn(&mut Reader<'_>) -> Res<T>,
) -> Res<bool> {
    if slot.is_some() {
        // Found at the level of the object: `key` is not put in front of it (see `HERE`).
        return Err(named(r, "\u{2}duplicate field", key));
    }
    *slot = Some(read(r)?);
    Ok(true)
}

/// A required field's value (`missing field` when it was not given).
pub(crate) fn need<T>(r: &Reader<'_>, slot: Option<T>, key: &str) -> Res<T> {
    slot.ok_or_else(|| named(r, "missing field", key))
}

/// The tag of an internally tagged object (`{"event": "job_created", ...}`) wherever it stands
/// in the object, read ahead on a copy of `r` (which stays before the object): a string, given
/// once (`missing field` without one).
pub(crate) fn tag<'a>(r: &Reader<'a>, name: &str) -> Res<String> {
    let mut ahead = r.clone();
    let mut found = None;
    object(&mut ahead, &mut |r, key| {
        if key == name {
            once(r, key, &mut found, string)
        } else {
            r.value()?;
            Ok(true)
        }
    })?;
    found.ok_or_else(|| named(r, "missing field", name))
}

/// `unknown variant `x`` for a tag or an enum name that is none of the type's.
pub(crate) fn unknown_variant(r: &Reader<'_>, name: &str) -> SyntaxError {
    named(r, "unknown variant", name)
}

/// A whole number from 0 to 2^64-1.
pub(crate) fn read_u64(r: &mut Reader<'_>) -> Res<u64> {
    unsigned(r, u64::MAX, "an unsigned integer (u64)")
}

/// A whole number from 0 to `max`; `what` names the type in the refusal.
fn unsigned(r: &mut Reader<'_>, max: u64, what: &str) -> Res<u64> {
    let raw = r.value()?;
    whole_number(raw)
        .filter(|&n| n <= max)
        .ok_or_else(|| wrong(r, what, raw))
}

/// A whole number from 0 to 2^32-1.
pub(crate) fn read_u32(r: &mut Reader<'_>) -> Res<u32> {
    unsigned(r, u32::MAX.into(), "an unsigned integer (u32)").map(|n| n as u32)
}

#[cfg(feature = "serde")]
/// A whole number from 0 to 65535.
pub(crate) fn read_u16(r: &mut Reader<'_>) -> Res<u16> {
    unsigned(r, u16::MAX.into(), "an unsigned integer (u16)").map(|n| n as u16)
}

#[cfg(feature = "serde")]
/// A whole number from 0 to 255.
pub(crate) fn read_u8(r: &mut Reader<'_>) -> Res<u8> {
    unsigned(r, u8::MAX.into(), "an unsigned integer (u8)").map(|n| n as u8)
}

#[cfg(feature = "serde")]
/// A whole number from -2^31 to 2^31-1 (`-0` is refused, as `serde_json` reads it as a
/// float).
pub(crate) fn read_i32(r: &mut Reader<'_>) -> Res<i32> {
    let raw = r.value()?;
    let value = match raw.strip_prefix('-') {
        Some(digits) => whole_number(digits)
            .filter(|&n| n != 0)
            .and_then(|n| i64::try_from(n).ok())
            .and_then(|n| i32::try_from(-n).ok()),
        None => whole_number(raw).and_then(|n| i32::try_from(n).ok()),
    };
    value.ok_or_else(|| wrong(r, "an integer (i32)", raw))
}

#[cfg(feature = "serde")]
/// `true` or `false`.
pub(crate) fn read_bool(r: &mut Reader<'_>) -> Res<bool> {
    let raw = r.value()?;
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(wrong(r, "a boolean", raw)),
    }
}

/// A string, its escapes decoded.
pub(crate) fn string(r: &mut Reader<'_>) -> Res<String> {
    if r.peek() == Some(b'"') {
        return Ok(r.string()?.into_owned());
    }
    let raw = r.value()?;
    Err(wrong(r, "a string", raw))
}

/// `null` as `None`, anything else read by `read`.
pub(crate) fn option<T>(r: &mut Reader<'_>, read: fn(&mut Reader<'_>) -> Res<T>) -> Res<Option<T>> {
    if r.peek() == Some(b'n') {
        r.value()?;
        return Ok(None);
    }
    read(r).map(Some)
}

/// An array, each item read by `read`.
pub(crate) fn array<T>(r: &mut Reader<'_>, read: fn(&mut Reader<'_>) -> Res<T>) -> Res<Vec<T>> {
    if r.peek() != Some(b'[') {
        let raw = r.value()?;
        return Err(wrong(r, "an array", raw));
    }
    r.begin_array()?;
    let mut items = Vec::new();
    let mut first = true;
    while r.next_item(&mut first)? {
        let item = read(r).map_err(|e| at_index(e, items.len()))?;
        items.push(item);
    }
    Ok(items)
}

/// A whole document: `read`, then nothing but whitespace; a failure as a message with the
/// field's path (when it was found in one), the line and the column.
pub(crate) fn document<T>(text: &str, read: fn(&mut Reader<'_>) -> Res<T>) -> Result<T, String> {
    let mut r = Reader::new(text);
    let value = read(&mut r).and_then(|v| r.end().map(|()| v));
    value.map_err(|e| r.describe(&with_path(e)))
}

#[cfg(feature = "serde")]
/// [`document`] for a document that may carry a top-level `"$schema"` string, which is skipped
/// (`field` never sees it; any other `"$schema"` is refused).
pub(crate) fn schema_document<T>(
    text: &str,
    read: fn(&mut Reader<'_>, bool) -> Res<T>,
) -> Result<T, String> {
    let mut r = Reader::new(text);
    let value = read(&mut r, true).and_then(|v| r.end().map(|()| v));
    value.map_err(|e| r.describe(&with_path(e)))
}

#[cfg(feature = "serde")]
/// Reads a top-level `"$schema"` (a string; skipped, as often as it is given) when `top` is
/// set: whether `key` was it.
pub(crate) fn schema_key(r: &mut Reader<'_>, top: bool, key: &str) -> Res<bool> {
    if top && key == crate::json_read::SCHEMA_KEY {
        string(r)?;
        Ok(true)
    } else {
        Ok(false)
    }
}
