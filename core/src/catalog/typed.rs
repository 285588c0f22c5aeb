//! The fast path of [`Catalog::from_json`]: a valid catalog read straight into its releases.
//!
//! The document is deserialized into borrowed shapes (no `serde_json::Value`, no copy of a
//! string without escapes), versions are parsed once, in the catalog's scheme, and the
//! catalog's rules are checked by the same [`Catalog::assemble`] as the walk in `json.rs`.
//! Anything the walk would report (text that is not JSON, a wrong shape, an unknown field, a
//! bad value, a broken rule) makes this path give up with `None`: `from_json` then walks the
//! document as a `Value`, which lists every problem, so errors are exactly what they were.
//!
//! The two paths agree, which the tests and the fuzz target `catalog_fast_path` check: what this
//! path accepts, the walk accepts as the same catalog, and what the walk accepts, this path
//! accepts. To that end the document is read as `Value` reads it:
//! - every value goes through `deserialize_any`, so strings (escapes, surrogates), numbers
//!   (range) and nesting (depth) are checked exactly as the walk's parser checks them
//!   (`IgnoredAny` would skip some of those checks);
//! - a repeated key makes its object wrong, as the walk refuses it (`duplicate field`, a
//!   `catalog.json` error);
//! - a value of the wrong shape is read to its end and remembered as wrong rather than
//!   stopping the parse, as the walk reads on to list every problem.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Catalog, Delta, Origins, Release};
use crate::version::{Scheme, Version, VersionRange, detect_scheme};

/// The catalog in `text` when it is valid; `None` when it is not (or when this path cannot
/// tell), for the walk to report why.
pub(super) fn load(text: &str) -> Option<Catalog> {
    let mut de = serde_json::Deserializer::from_str(text);
    let Lenient(doc) = Lenient::<RawCatalog<'_>>::deserialize(&mut de).ok()?;
    de.end().ok()?;
    doc?.into_catalog()
}

/// A JSON string, borrowed from the text unless it has escapes.
type Str<'a> = Cow<'a, str>;

/// What a value can be read as. Each method answers `None` for a value of another shape
/// (the default); `seq` and `map` must read their value to its end either way.
trait Shape<'de>: Sized {
    fn string(_: Str<'de>) -> Option<Self> {
        None
    }
    fn boolean(_: bool) -> Option<Self> {
        None
    }
    /// A whole number from 0 to 2^64 − 1 (what `Value::as_u64` gives).
    fn number(_: u64) -> Option<Self> {
        None
    }
    fn seq<A: SeqAccess<'de>>(seq: A) -> Result<Option<Self>, A::Error> {
        drain_seq(seq).map(|()| None)
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
        drain_map(map).map(|()| None)
    }
}

/// A value read as `T`, or `None` when it is JSON of another shape. Only text that is not
/// JSON (or nested deeper than the parser allows) is an error.
struct Lenient<T>(Option<T>);

impl<'de, T: Shape<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor(PhantomData))
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Shape<'de>> Visitor<'de> for LenientVisitor<T> {
    type Value = Lenient<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Lenient(T::boolean(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        // serde_json gives negative numbers only here; `Value::as_u64` keeps the rest.
        Ok(Lenient(u64::try_from(v).ok().and_then(T::number)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Lenient(T::number(v)))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Lenient(T::string(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Lenient(T::string(Cow::Owned(v.into()))))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::seq(seq).map(Lenient)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::map(map).map(Lenient)
    }
}

/// Any JSON value, read (and checked) to its end and dropped.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Skip, A::Error> {
        drain_seq(seq).map(|()| Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Skip, A::Error> {
        drain_map(map).map(|()| Skip)
    }
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<Skip>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_key::<Skip>()?.is_some() {
        map.next_value::<Skip>()?;
    }
    Ok(())
}

impl<'de> Shape<'de> for Str<'de> {
    fn string(s: Str<'de>) -> Option<Self> {
        Some(s)
    }
}

impl Shape<'_> for bool {
    fn boolean(b: bool) -> Option<Self> {
        Some(b)
    }
}

impl Shape<'_> for u64 {
    fn number(n: u64) -> Option<Self> {
        Some(n)
    }
}

/// A string whose text is not kept (`$schema`).
struct AnyString;

impl Shape<'_> for AnyString {
    fn string(_: Str<'_>) -> Option<Self> {
        Some(AnyString)
    }
}

impl<'de, T: Shape<'de>> Shape<'de> for Vec<T> {
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        let mut out = Some(Vec::new());
        while let Some(Lenient(item)) = seq.next_element::<Lenient<T>>()? {
            match (item, &mut out) {
                (Some(item), Some(list)) => list.push(item),
                // One wrong item spoils the list; the rest is still read.
                _ => out = None,
            }
        }
        Ok(out)
    }
}

/// An object's key: one of the names `F` knows, or `None`.
struct Key<F>(Option<F>);

/// The field names of one kind of object.
trait Fields: Sized {
    fn named(name: &str) -> Option<Self>;
}

impl<'de, F: Fields> Deserialize<'de> for Key<F> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor(PhantomData))
    }
}

struct KeyVisitor<F>(PhantomData<F>);

impl<F: Fields> Visitor<'_> for KeyVisitor<F> {
    type Value = Key<F>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E>(self, v: &str) -> Result<Key<F>, E> {
        Ok(Key(F::named(v)))
    }
}

/// A field as read: absent (`None`), or its value with `None` for a wrong shape.
type Slot<T> = Option<Option<T>>;

/// An optional field's value: `None` when it was of the wrong shape.
fn optional<T>(slot: Slot<T>) -> Option<Option<T>> {
    match slot {
        None => Some(None),
        Some(v) => v.map(Some),
    }
}

/// A required field's value: `None` when absent or of the wrong shape.
fn required<T>(slot: Slot<T>) -> Option<T> {
    slot.flatten()
}

/// Reads the value of the entry whose key was just read into `slot`: `false` when the key was
/// given before (the value is still read).
fn value<'de, T: Shape<'de>, A: MapAccess<'de>>(
    slot: &mut Slot<T>,
    map: &mut A,
) -> Result<bool, A::Error> {
    let first = slot.is_none();
    *slot = Some(map.next_value::<Lenient<T>>()?.0);
    Ok(first)
}

/// Reads an object's entries with `entry`, which gets each known key and says whether it was
/// given for the first time; an unknown or repeated key makes the object wrong (its value is
/// still read).
fn entries<'de, F: Fields, A: MapAccess<'de>>(
    map: &mut A,
    mut entry: impl FnMut(F, &mut A) -> Result<bool, A::Error>,
) -> Result<bool, A::Error> {
    let mut known = true;
    while let Some(Key(field)) = map.next_key::<Key<F>>()? {
        match field {
            Some(f) => known &= entry(f, map)?,
            None => {
                map.next_value::<Skip>()?;
                known = false;
            }
        }
    }
    Ok(known)
}

enum CatalogField {
    Scheme,
    Releases,
    Schema,
}

impl Fields for CatalogField {
    fn named(name: &str) -> Option<Self> {
        match name {
            "scheme" => Some(CatalogField::Scheme),
            "releases" => Some(CatalogField::Releases),
            crate::wire::SCHEMA_KEY => Some(CatalogField::Schema),
            _ => None,
        }
    }
}

struct RawCatalog<'a> {
    scheme: Option<Str<'a>>,
    releases: Vec<RawRelease<'a>>,
}

impl<'de> Shape<'de> for RawCatalog<'de> {
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        let (mut scheme, mut releases, mut schema) = (None, None, None);
        let known = entries(&mut map, |field, map: &mut A| match field {
            CatalogField::Scheme => value(&mut scheme, map),
            CatalogField::Releases => value(&mut releases, map),
            CatalogField::Schema => value::<AnyString, _>(&mut schema, map),
        })?;
        let read = || {
            optional(schema)?;
            Some(RawCatalog {
                scheme: optional(scheme)?,
                releases: required(releases)?,
            })
        };
        Ok(if known { read() } else { None })
    }
}

enum ReleaseField {
    Version,
    Kind,
    MinSwVersion,
    Size,
    Sha256,
    Models,
    Environments,
    Yanked,
    Barrier,
    Deadend,
    BlockedFrom,
    Deltas,
}

impl Fields for ReleaseField {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "version" => ReleaseField::Version,
            "kind" => ReleaseField::Kind,
            "min_sw_version" => ReleaseField::MinSwVersion,
            "size" => ReleaseField::Size,
            "sha256" => ReleaseField::Sha256,
            "models" => ReleaseField::Models,
            "environments" => ReleaseField::Environments,
            "yanked" => ReleaseField::Yanked,
            "barrier" => ReleaseField::Barrier,
            "deadend" => ReleaseField::Deadend,
            "blocked_from" => ReleaseField::BlockedFrom,
            "deltas" => ReleaseField::Deltas,
            _ => return None,
        })
    }
}

struct RawRelease<'a> {
    version: Str<'a>,
    kind: Option<Str<'a>>,
    min_sw_version: Option<Str<'a>>,
    size: Option<u64>,
    sha256: Option<Str<'a>>,
    models: Option<Vec<Str<'a>>>,
    environments: Option<Vec<Str<'a>>>,
    yanked: bool,
    barrier: bool,
    deadend: bool,
    blocked_from: Vec<Str<'a>>,
    deltas: Vec<RawDelta<'a>>,
}

impl<'de> Shape<'de> for RawRelease<'de> {
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        let (mut version, mut kind, mut min_sw_version, mut size, mut sha256) =
            (None, None, None, None, None);
        let (mut models, mut environments, mut blocked_from, mut deltas) = (None, None, None, None);
        let (mut yanked, mut barrier, mut deadend) = (None, None, None);
        let known = entries(&mut map, |field, map: &mut A| match field {
            ReleaseField::Version => value(&mut version, map),
            ReleaseField::Kind => value(&mut kind, map),
            ReleaseField::MinSwVersion => value(&mut min_sw_version, map),
            ReleaseField::Size => value(&mut size, map),
            ReleaseField::Sha256 => value(&mut sha256, map),
            ReleaseField::Models => value(&mut models, map),
            ReleaseField::Environments => value(&mut environments, map),
            ReleaseField::Yanked => value(&mut yanked, map),
            ReleaseField::Barrier => value(&mut barrier, map),
            ReleaseField::Deadend => value(&mut deadend, map),
            ReleaseField::BlockedFrom => value(&mut blocked_from, map),
            ReleaseField::Deltas => value(&mut deltas, map),
        })?;
        let read = || {
            Some(RawRelease {
                version: required(version)?,
                kind: optional(kind)?,
                min_sw_version: optional(min_sw_version)?,
                size: optional(size)?,
                sha256: optional(sha256)?,
                models: optional(models)?,
                environments: optional(environments)?,
                yanked: optional(yanked)?.unwrap_or(false),
                barrier: optional(barrier)?.unwrap_or(false),
                deadend: optional(deadend)?.unwrap_or(false),
                blocked_from: optional(blocked_from)?.unwrap_or_default(),
                deltas: optional(deltas)?.unwrap_or_default(),
            })
        };
        Ok(if known { read() } else { None })
    }
}

enum DeltaField {
    From,
    Size,
    Sha256,
}

impl Fields for DeltaField {
    fn named(name: &str) -> Option<Self> {
        match name {
            "from" => Some(DeltaField::From),
            "size" => Some(DeltaField::Size),
            "sha256" => Some(DeltaField::Sha256),
            _ => None,
        }
    }
}

struct RawDelta<'a> {
    from: Str<'a>,
    size: u64,
    sha256: Option<Str<'a>>,
}

impl<'de> Shape<'de> for RawDelta<'de> {
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        let (mut from, mut size, mut sha256) = (None, None, None);
        let known = entries(&mut map, |field, map: &mut A| match field {
            DeltaField::From => value(&mut from, map),
            DeltaField::Size => value(&mut size, map),
            DeltaField::Sha256 => value(&mut sha256, map),
        })?;
        let read = || {
            Some(RawDelta {
                from: required(from)?,
                size: required(size)?,
                sha256: optional(sha256)?,
            })
        };
        Ok(if known { read() } else { None })
    }
}

impl RawCatalog<'_> {
    /// The checked catalog, or `None` when any value or rule is broken.
    fn into_catalog(self) -> Option<Catalog> {
        let scheme = match &self.scheme {
            Some(name) => Scheme::from_name(name)?,
            // The same versions decide the scheme as in the walk: every release's version,
            // min_sw_version and delta bases (not blocked_from).
            None => detect_scheme(self.releases.iter().flat_map(|r| {
                core::iter::once(&*r.version)
                    .chain(r.min_sw_version.as_deref())
                    .chain(r.deltas.iter().map(|d| &*d.from))
            }))
            .ok()?,
        };
        let version = |text: &str| Version::parse(text, scheme).ok();
        let mut releases = Vec::with_capacity(self.releases.len());
        for r in self.releases {
            let deltas = r
                .deltas
                .iter()
                .map(|d| {
                    Some(Delta {
                        from: version(&d.from)?,
                        size: d.size,
                        sha256: optional(d.sha256.as_deref().map(super::json::sha256))?,
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            let blocked_from = r
                .blocked_from
                .iter()
                .map(|b| VersionRange::parse(b, scheme).ok())
                .collect::<Option<Vec<_>>>()?;
            let strings = |list: Vec<Str<'_>>| list.into_iter().map(Cow::into_owned).collect();
            let release = Release {
                version: version(&r.version)?,
                kind: r.kind.map(Cow::into_owned),
                min_sw_version: optional(r.min_sw_version.as_deref().map(version))?,
                size: r.size,
                sha256: optional(r.sha256.as_deref().map(super::json::sha256))?,
                models: r.models.map(strings),
                environments: r.environments.map(strings),
                yanked: r.yanked,
                barrier: r.barrier,
                deadend: r.deadend,
                blocked_from,
                deltas,
            };
            releases.push(release);
        }
        let mut errors = Vec::new();
        let catalog = Catalog::assemble(scheme, releases, &Origins::AsGiven, &mut errors);
        errors.is_empty().then_some(catalog)
    }
}
