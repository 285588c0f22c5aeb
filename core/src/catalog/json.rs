//! Catalog JSON: reading with every error collected, and writing.
//!
//! The document is walked as a `serde_json::Value` rather than derived, so that one pass
//! reports every unknown field, every wrong type and every bad value, not only the first.

use alloc::string::String;
use alloc::vec::Vec;

use super::tree::{self, Json as Value, Object as Map};

use super::{Catalog, CatalogError, CatalogErrors, Delta, Origins, Release, label};
use crate::error::clip;
use crate::json_write::Writer;
use crate::text::text;
use crate::version::{Scheme, Version, VersionRange, detect_scheme};

// `$schema` names the document's JSON Schema for editors; its value must be a string.
const CATALOG_FIELDS: &[&str] = &["scheme", "releases", crate::wire::SCHEMA_KEY];
const RELEASE_FIELDS: &[&str] = &[
    "version",
    "kind",
    "min_sw_version",
    "size",
    "sha256",
    "models",
    "environments",
    "yanked",
    "barrier",
    "deadend",
    "blocked_from",
    "deltas",
];
const DELTA_FIELDS: &[&str] = &["from", "size", "sha256"];
const SCHEMES: &[&str] = &["integer", "semver", "dotted"];

/// The known name `unknown` is most likely a misspelling of: one equal to it but for case,
/// `-`, `_` and spaces (`minSwVersion`, `Min-SW-Version`), else the nearest within two edits
/// (`min_sw_verison`, `szie`) that is closer than the unknown name is long (so `id` suggests
/// nothing). Ties go to the first in `known`.
pub(crate) fn suggest(unknown: &str, known: &[&'static str]) -> Option<&'static str> {
    // Anything far longer than every known name is more than two edits from all of them.
    if unknown.len() > 40 {
        return None;
    }
    let mut lower = Vec::new();
    for c in unknown.chars() {
        push_lowercase(&mut lower, c);
    }
    // The known names are lowercase ASCII already (a test checks it): only `unknown` needs
    // lowercasing, and their bytes are their characters.
    let kept = |c: &char| !matches!(c, '_' | '-' | ' ');
    let squashed = || lower.iter().copied().filter(kept);
    if let Some(k) = known
        .iter()
        .find(|k| k.bytes().map(char::from).filter(kept).eq(squashed()))
    {
        return Some(k);
    }
    known
        .iter()
        .map(|k| (levenshtein(&lower, k), *k))
        .filter(|&(d, _)| d <= 2 && d < lower.len())
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// Appends `c` lowercased, for comparing with the known names, which are ASCII: the same
/// characters, in the same number, as `char::to_lowercase` gives wherever that matters here.
/// ASCII letters are lowercased; the two characters outside ASCII whose lowercase holds an
/// ASCII letter are mapped as `to_lowercase` maps them (KELVIN SIGN to `k`; `İ` to `i` and a
/// combining dot); any other character is kept: its lowercase is one character outside ASCII
/// too, which no known name holds either, so names compare and measure alike. The WASM module
/// then links no Unicode case tables (a test checks every character against `to_lowercase`).
fn push_lowercase(out: &mut Vec<char>, c: char) {
    match c {
        '\u{212a}' => out.push('k'),
        '\u{130}' => out.extend(['i', '\u{307}']),
        c => out.push(c.to_ascii_lowercase()),
    }
}

/// Edit distance (insertions, deletions, substitutions) between two short strings, with one
/// row of the table updated in place. `b` is a known name: ASCII, so its bytes are its
/// characters.
fn levenshtein(a: &[char], b: &str) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        // `diagonal` is the previous row's cell to the left, `*cell` its cell above.
        let mut diagonal = i;
        let mut left = i + 1;
        let mut cells = row.iter_mut();
        if let Some(first) = cells.next() {
            *first = left;
        }
        for (cb, cell) in b.bytes().map(char::from).zip(cells) {
            let up = *cell;
            left = (diagonal + usize::from(ca != cb)).min(up + 1).min(left + 1);
            *cell = left;
            diagonal = up;
        }
    }
    row.last().copied().unwrap_or(0)
}

impl Catalog {
    /// Reads a catalog from JSON text, reporting every problem at once.
    ///
    /// The scheme is the declared `"scheme"`, or detected from the versions (see
    /// [`detect_scheme`]). Unknown fields are errors naming the field, except a top-level
    /// `"$schema"` string (the document's JSON Schema, for editors), which is skipped.
    ///
    /// A key given twice in one object, anywhere in the document, is refused, whatever its
    /// values: JSON parsers disagree on which of the two counts (most keep the last, so a
    /// release would silently vanish). Like a syntax error it is the one error,
    /// `catalog.json`, at the first repeat, and nothing else is checked: the message and the
    /// position are those of stepstone's other JSON inputs (`serde_json`'s, the column
    /// counting bytes to the end of the repeated key and any whitespace after it, one more
    /// for a `}` right there).
    ///
    /// ```
    /// use stepstone::catalog::Catalog;
    /// let e = Catalog::from_json(r#"{"releases": [{"version": "20.9.9", "version": "21.0.0"}]}"#)
    ///     .unwrap_err();
    /// assert_eq!(stepstone::ErrorCode::code(&e), "catalog.json");
    /// assert_eq!(e.to_string(),
    ///     "catalog is not valid JSON: duplicate field `version` at line 1 column 45");
    /// ```
    ///
    /// A valid catalog is read straight into its releases; only a catalog with a problem is
    /// walked as a tree of values to list every problem (the two paths give the same
    /// answer: see [`Catalog::from_json_fast`]).
    ///
    /// On `wasm32` every catalog is walked: the WASM package is measured by its download size,
    /// and the fast path's two readers (the hand scan and the typed read) were 38,646 bytes of
    /// the optimised module (15,351 gzipped), while the walk loads a thousand releases in 10 to
    /// 18 ms there (1.6 to 2.4 times the fast path; docs/js.md, "Size").
    #[cfg_attr(target_arch = "wasm32", allow(clippy::needless_return))]
    pub fn from_json(text: &str) -> Result<Catalog, CatalogErrors> {
        #[cfg(target_arch = "wasm32")]
        return Catalog::from_json_walked(text);
        #[cfg(not(target_arch = "wasm32"))]
        match Catalog::from_json_fast(text) {
            Some(catalog) => Ok(catalog),
            None => Catalog::from_json_walked(text),
        }
    }

    /// [`Catalog::from_json`] of UTF-8 bytes. Bytes that are not UTF-8 are the one error,
    /// `catalog.json`, saying where as Rust's `Utf8Error` says it (`invalid utf-8 sequence of 1
    /// bytes from index 0`, `incomplete utf-8 byte sequence from index 3`).
    ///
    /// ```
    /// use stepstone::catalog::Catalog;
    /// let c = Catalog::from_json_bytes(br#"{"releases": [{"version": "v1"}]}"#).unwrap();
    /// assert_eq!(c.releases().len(), 1);
    /// let e = Catalog::from_json_bytes(b"{\"releases\": [\xff]}").unwrap_err();
    /// assert_eq!(stepstone::ErrorCode::code(&e), "catalog.json");
    /// assert_eq!(e.to_string(),
    ///     "catalog is not valid JSON: invalid utf-8 sequence of 1 bytes from index 14");
    /// ```
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Catalog, CatalogErrors> {
        use crate::json_read::push_decimal;
        let e = match core::str::from_utf8(bytes) {
            Ok(text) => return Catalog::from_json(text),
            Err(e) => e,
        };
        let mut message = String::new();
        match e.error_len() {
            Some(len) => {
                message.push_str("invalid utf-8 sequence of ");
                push_decimal(&mut message, len);
                message.push_str(" bytes from index ");
            }
            None => message.push_str("incomplete utf-8 byte sequence from index "),
        }
        push_decimal(&mut message, e.valid_up_to());
        Err(CatalogErrors(alloc::vec![CatalogError::Json { message }]))
    }

    /// The fast path of [`Catalog::from_json`] alone: the catalog when `text` is valid,
    /// `None` when it is not. It first scans the plain form tools write
    /// ([`Catalog::from_json_scanned`]), then reads any other form into typed releases
    /// ([`Catalog::from_json_typed`]). What it accepts, the walk
    /// ([`Catalog::from_json_walked`]) accepts as the same catalog, and the other way round:
    /// core's tests and the fuzz target `catalog_fast_path` hold the three together.
    #[doc(hidden)]
    pub fn from_json_fast(text: &str) -> Option<Catalog> {
        Catalog::from_json_scanned(text).or_else(|| Catalog::from_json_typed(text))
    }

    /// The hand scan of the fast path alone: `None` for anything but the plain form, and for
    /// an invalid catalog.
    #[doc(hidden)]
    pub fn from_json_scanned(text: &str) -> Option<Catalog> {
        super::scan::load(text)
    }

    /// The typed read of the fast path alone: `None` exactly when the catalog is invalid.
    #[doc(hidden)]
    pub fn from_json_typed(text: &str) -> Option<Catalog> {
        super::typed::load(text)
    }

    /// The slow path of [`Catalog::from_json`] alone: the document read as a tree of values
    /// and walked, reporting every problem.
    ///
    /// The document is read by core's own reader (`catalog/tree.rs`), exactly as
    /// `serde_json::Value` reads it (the same syntax errors, word for word) but for a key
    /// given twice, which it refuses, so that the WASM module links no `serde_json`
    /// deserializer.
    #[doc(hidden)]
    pub fn from_json_walked(text: &str) -> Result<Catalog, CatalogErrors> {
        let value = tree::parse(text)
            .map_err(|message| CatalogErrors(alloc::vec![CatalogError::Json { message }]))?;
        Catalog::walk(&value)
    }

    /// Reads a catalog from an already parsed JSON value. A `serde_json::Value` holds each
    /// key of an object once (its parser kept the last of a repeated key), so the rule that
    /// [`Catalog::from_json`] applies to the text, a key given twice is refused, cannot be
    /// checked here: read text with `from_json`.
    pub fn from_json_value(value: &serde_json::Value) -> Result<Catalog, CatalogErrors> {
        Catalog::walk(&Value::from(value))
    }

    fn walk(value: &Value) -> Result<Catalog, CatalogErrors> {
        let mut r = Reader { errors: Vec::new() };
        let catalog = r.catalog(value);
        match catalog {
            Some(c) if r.errors.is_empty() => Ok(c),
            _ => Err(CatalogErrors(r.errors)),
        }
    }

    /// The catalog as JSON text (versions spelled as given, defaults left out).
    ///
    /// Indented by two spaces, fields in the order of [`Release`]; the same bytes as
    /// `serde_json::to_string_pretty` of the catalog (`Serialize`), written without serde.
    ///
    /// ```
    /// use stepstone::catalog::Catalog;
    /// let c = Catalog::from_json(r#"{"releases": [{"version": "v1", "models": ["AG-1"]}]}"#).unwrap();
    /// assert_eq!(c.to_json(), "{\n  \"scheme\": \"integer\",\n  \"releases\": [\n    {\n      \"version\": \"v1\",\n      \"models\": [\n        \"AG-1\"\n      ],\n      \"yanked\": false,\n      \"barrier\": false,\n      \"deadend\": false\n    }\n  ]\n}");
    /// ```
    pub fn to_json(&self) -> String {
        let mut w = Writer::pretty();
        w.begin_object();
        w.field_str("scheme", self.scheme.name());
        w.key("releases");
        w.begin_array();
        for r in &self.releases {
            write_release(&mut w, r);
        }
        w.end_array();
        w.end_object();
        w.finish()
    }
}

/// One release as [`Catalog::to_json`] writes it: fields left out when absent or empty.
fn write_release(w: &mut Writer, r: &Release) {
    w.begin_object();
    w.field_str("version", r.version.as_str());
    if let Some(kind) = &r.kind {
        w.field_str("kind", kind);
    }
    if let Some(min) = &r.min_sw_version {
        w.field_str("min_sw_version", min.as_str());
    }
    if let Some(size) = r.size {
        w.key("size");
        w.u64(size);
    }
    write_sha256(w, r.sha256.as_ref());
    if let Some(models) = &r.models {
        w.field_strings("models", models.iter().map(String::as_str));
    }
    if let Some(envs) = &r.environments {
        w.field_strings("environments", envs.iter().map(String::as_str));
    }
    w.field_bool("yanked", r.yanked);
    w.field_bool("barrier", r.barrier);
    w.field_bool("deadend", r.deadend);
    if !r.blocked_from.is_empty() {
        w.field_strings(
            "blocked_from",
            r.blocked_from.iter().map(VersionRange::as_str),
        );
    }
    if !r.deltas.is_empty() {
        w.key("deltas");
        w.begin_array();
        for d in &r.deltas {
            w.begin_object();
            w.field_str("from", d.from.as_str());
            w.key("size");
            w.u64(d.size);
            write_sha256(w, d.sha256.as_ref());
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
}

/// `"sha256": "<64 lowercase hex digits>"`, nothing when there is none.
fn write_sha256(w: &mut Writer, digest: Option<&[u8; 32]>) {
    if let Some(digest) = digest {
        w.field_str("sha256", &crate::error::hex_text(digest));
    }
}

struct Reader {
    errors: Vec<CatalogError>,
}

fn kind_of(v: &Value) -> String {
    let s = match v {
        Value::Null => String::from("null"),
        Value::Bool(b) => String::from(if *b { "true" } else { "false" }),
        Value::Number(n) => n.text(),
        Value::String(s) => text!(crate::error::Quoted(s)),
        Value::Array(_) => String::from("an array"),
        Value::Object(_) => String::from("an object"),
    };
    clip(&s)
}

impl Reader {
    fn wrong(&mut self, at: &str, expected: &'static str, found: &Value) {
        self.errors.push(CatalogError::InvalidType {
            at: String::from(at),
            expected,
            found: kind_of(found),
        });
    }

    fn object<'v>(&mut self, v: &'v Value, at: &str, known: &[&'static str]) -> Option<&'v Map> {
        let Some(obj) = v.as_object() else {
            self.wrong(at, "an object", v);
            return None;
        };
        for key in obj.keys() {
            if !known.contains(&key.as_str()) {
                self.errors.push(CatalogError::UnknownField {
                    at: String::from(at),
                    field: clip(key),
                    suggestion: suggest(key, known),
                });
            }
        }
        Some(obj)
    }

    fn string<'v>(&mut self, obj: &'v Map, at: &str, field: &str) -> Option<&'v str> {
        match obj.get(field)? {
            Value::String(s) => Some(s),
            other => {
                self.wrong(&text!(at, '.', field), "a string", other);
                None
            }
        }
    }

    fn flag(&mut self, obj: &Map, at: &str, field: &str) -> bool {
        match obj.get(field) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.wrong(&text!(at, '.', field), "true or false", other);
                false
            }
        }
    }

    fn strings(&mut self, obj: &Map, at: &str, field: &str) -> Option<Vec<String>> {
        let v = obj.get(field)?;
        let list = v.as_array().and_then(|a| {
            a.iter()
                .map(|s| s.as_str().map(String::from))
                .collect::<Option<Vec<_>>>()
        });
        if list.is_none() {
            self.wrong(&text!(at, '.', field), "an array of strings", v);
        }
        list
    }

    fn size(&mut self, obj: &Map, at: &str) -> Option<u64> {
        let v = obj.get("size")?;
        match v {
            Value::Number(n) => match n.as_u64() {
                Some(s) if s > 0 && s <= super::MAX_SIZE => Some(s),
                _ => {
                    self.errors.push(CatalogError::BadSize {
                        release: text!(at, ".size"),
                        value: clip(&n.text()),
                    });
                    None
                }
            },
            other => {
                self.wrong(&text!(at, ".size"), "a whole number of bytes", other);
                None
            }
        }
    }

    fn sha256(&mut self, obj: &Map, at: &str) -> Option<[u8; 32]> {
        let s = self.string(obj, at, "sha256")?;
        match sha256(s) {
            Some(digest) => Some(digest),
            None => {
                self.errors.push(CatalogError::BadSha256 {
                    release: text!(at, ".sha256"),
                    value: clip(s),
                });
                None
            }
        }
    }

    fn version(&mut self, text: &str, scheme: Option<Scheme>, at: String) -> Option<Version> {
        let scheme = scheme?;
        match Version::parse(text, scheme) {
            Ok(v) => Some(v),
            Err(error) => {
                self.errors
                    .push(CatalogError::MalformedVersion { at, error });
                None
            }
        }
    }

    fn catalog(&mut self, value: &Value) -> Option<Catalog> {
        let top = self.object(value, "catalog", CATALOG_FIELDS)?;
        if let Some(v) = top.get(crate::wire::SCHEMA_KEY).filter(|v| !v.is_string()) {
            self.wrong("catalog.$schema", "a string", v);
        }
        let declared = match self.string(top, "catalog", "scheme") {
            Some(name) => match Scheme::from_name(name) {
                Some(s) => Some(s),
                None => {
                    self.errors.push(CatalogError::UnknownScheme {
                        value: clip(name),
                        suggestion: suggest(name, SCHEMES),
                    });
                    return None;
                }
            },
            None => None,
        };
        let Some(list) = top.get("releases") else {
            self.errors.push(CatalogError::MissingField {
                at: "catalog".into(),
                field: "releases",
            });
            return None;
        };
        let Some(list) = list.as_array() else {
            self.wrong("catalog.releases", "an array", list);
            return None;
        };

        // First pass: shapes, and the version strings that decide the scheme.
        let mut objects = Vec::with_capacity(list.len());
        // Every version string that decides the scheme, with where it is.
        let mut texts: Vec<(&str, String)> = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let at = text!("releases[", i, ']');
            // Errors name the release by its version too, once it is known.
            let named = match item.get("version") {
                Some(Value::String(v)) => label(i, v),
                _ => at.clone(),
            };
            let Some(obj) = self.object(item, &named, RELEASE_FIELDS) else {
                continue;
            };
            let Some(version) = self.string(obj, &at, "version") else {
                if !obj.contains_key("version") {
                    self.errors.push(CatalogError::MissingField {
                        at,
                        field: "version",
                    });
                }
                continue;
            };
            texts.push((version, text!(at, ".version")));
            if let Some(Value::String(m)) = obj.get("min_sw_version") {
                texts.push((m, text!(named, ".min_sw_version")));
            }
            if let Some(Value::Array(ds)) = obj.get("deltas") {
                for (j, d) in ds.iter().enumerate() {
                    if let Some(from) = d.get("from").and_then(Value::as_str) {
                        texts.push((from, text!(named, ".deltas[", j, "].from")));
                    }
                }
            }
            objects.push((i, at, named, obj, version));
        }
        let scheme = match declared {
            Some(s) => Some(s),
            None => match detect_scheme(texts.iter().map(|(t, _)| *t)) {
                Ok(s) => Some(s),
                Err((best, _)) => {
                    let (versions, at) = texts
                        .iter()
                        .filter(|(t, _)| !best.accepts(t))
                        .map(|(t, a)| (clip(t), a.clone()))
                        .unzip();
                    self.errors
                        .push(CatalogError::NoScheme { best, versions, at });
                    None
                }
            },
        };

        // Second pass: values.
        let mut releases = Vec::with_capacity(objects.len());
        let mut origins = Vec::with_capacity(objects.len());
        for (index, at, label, obj, text) in objects {
            let version = self.version(text, scheme, text!(at, ".version"));
            let min_sw_version = self
                .string(obj, &label, "min_sw_version")
                .and_then(|m| self.version(m, scheme, text!(label, ".min_sw_version")));
            let kind = self.string(obj, &label, "kind").map(String::from);
            let size = self.size(obj, &label);
            let sha256 = self.sha256(obj, &label);
            let models = self.strings(obj, &label, "models");
            let environments = self.strings(obj, &label, "environments");
            let yanked = self.flag(obj, &label, "yanked");
            let barrier = self.flag(obj, &label, "barrier");
            let deadend = self.flag(obj, &label, "deadend");
            let mut blocked_from = Vec::new();
            for (j, range) in self
                .strings(obj, &label, "blocked_from")
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if let Some(scheme) = scheme {
                    match VersionRange::parse(range, scheme) {
                        Ok(r) => blocked_from.push(r),
                        Err(error) => self.errors.push(CatalogError::BadRange {
                            at: text!(label, ".blocked_from[", j, ']'),
                            error,
                        }),
                    }
                }
            }
            let (deltas, delta_indices) = self.deltas(obj, &label, scheme);
            if let Some(version) = version {
                releases.push(Release {
                    version,
                    kind,
                    min_sw_version,
                    size,
                    sha256,
                    models,
                    environments,
                    yanked,
                    barrier,
                    deadend,
                    blocked_from,
                    deltas,
                });
                origins.push((index, delta_indices));
            }
        }
        let scheme = scheme?;
        Some(Catalog::assemble(
            scheme,
            releases,
            &Origins::Listed(origins),
            &mut self.errors,
        ))
    }

    fn deltas(
        &mut self,
        obj: &Map,
        label: &str,
        scheme: Option<Scheme>,
    ) -> (Vec<Delta>, Vec<usize>) {
        let mut out = Vec::new();
        let mut indices = Vec::new();
        let Some(v) = obj.get("deltas") else {
            return (out, indices);
        };
        let Some(list) = v.as_array() else {
            self.wrong(&text!(label, ".deltas"), "an array", v);
            return (out, indices);
        };
        for (j, d) in list.iter().enumerate() {
            let at = text!(label, ".deltas[", j, ']');
            let Some(dobj) = self.object(d, &at, DELTA_FIELDS) else {
                continue;
            };
            let from = match self.string(dobj, &at, "from") {
                Some(f) => self.version(f, scheme, text!(at, ".from")),
                None => {
                    if !dobj.contains_key("from") {
                        self.errors.push(CatalogError::MissingField {
                            at: at.clone(),
                            field: "from",
                        });
                    }
                    None
                }
            };
            let size = self.size(dobj, &at);
            if size.is_none() && !dobj.contains_key("size") {
                self.errors.push(CatalogError::MissingField {
                    at: at.clone(),
                    field: "size",
                });
            }
            let sha256 = self.sha256(dobj, &at);
            if let (Some(from), Some(size)) = (from, size) {
                out.push(Delta { from, size, sha256 });
                indices.push(j);
            }
        }
        (out, indices)
    }
}

/// A sha256 as catalogs write it: 64 hex digits, either case.
pub(super) fn sha256(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    match base16ct::mixed::decode(text, &mut out) {
        Ok(b) if b.len() == 32 => Some(out),
        _ => None,
    }
}

pub(super) mod hex_opt {
    //! `Option<[u8; 32]>` as lowercase hex.
    pub fn serialize<S: serde::Serializer>(v: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 64];
        match v {
            Some(bytes) => match base16ct::lower::encode_str(bytes, &mut buf) {
                Ok(hex) => s.serialize_str(hex),
                Err(_) => s.serialize_none(),
            },
            None => s.serialize_none(),
        }
    }
}

pub(super) fn ranges<S: serde::Serializer>(v: &[VersionRange], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(VersionRange::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use alloc::string::ToString;

    #[test]
    fn bytes_that_are_not_utf8_are_named_as_utf8error_names_them() {
        for bytes in [
            &b"\xff"[..],
            b"{\"a\": \xc3}",
            b"ab\xe2\x82",
            b"\xf0\x9f\x98",
            b"\xed\xa0\x80",
            b"\xc0\xaf",
            b"ok \xf4\x90\x80\x80",
        ] {
            let want = core::str::from_utf8(bytes).unwrap_err().to_string();
            let errors = Catalog::from_json_bytes(bytes).unwrap_err();
            assert_eq!(errors.code(), "catalog.json");
            assert_eq!(
                errors.to_string(),
                alloc::format!("catalog is not valid JSON: {want}"),
                "{bytes:?}"
            );
        }
        assert_eq!(
            Catalog::from_json_bytes(b"{\"releases\": [{\"version\": \"v\xc3\xa91\"}]}")
                .map(|c| c.to_json()),
            Catalog::from_json("{\"releases\": [{\"version\": \"v\u{e9}1\"}]}")
                .map(|c| c.to_json())
        );
    }

    fn codes(json: &str) -> Vec<&'static str> {
        Catalog::from_json(json)
            .unwrap_err()
            .iter()
            .map(|e| e.code())
            .collect()
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let json = r#"{ "releases": [
            { "version": "v1", "size": -4, "sha256": "abc" },
            { "version": "v2", "min_sw_version": "v2", "deltas": [ { "from": "v1", "size": 1.5 }, { "from": "v3", "size": 7 } ] },
            { "version": "2", "colour": "red", "yanked": "no" }
        ], "name": "x" }"#;
        assert_eq!(
            codes(json),
            [
                "catalog.unknown_field",
                "catalog.unknown_field",
                "catalog.bad_size",
                "catalog.bad_sha256",
                "catalog.bad_size",
                "catalog.invalid_type",
                "catalog.min_sw_not_lower",
                "catalog.delta_not_lower",
                "catalog.duplicate_version",
            ]
        );
        let errs = Catalog::from_json(json).unwrap_err();
        let text = errs.to_string();
        assert!(text.contains("\"colour\""), "{text}");
        assert!(text.contains("-4"), "{text}");
        assert!(text.contains("\"abc\""), "{text}");
    }

    #[test]
    fn scheme_detection_and_declaration() {
        let semver =
            Catalog::from_json(r#"{"releases":[{"version":"1.2.3"},{"version":"1.3.0-rc.1"}]}"#)
                .unwrap();
        assert_eq!(semver.scheme(), Scheme::Semver);
        let dotted =
            Catalog::from_json(r#"{"releases":[{"version":"38.20231027.3.2"},{"version":"4.2"}]}"#)
                .unwrap();
        assert_eq!(dotted.scheme(), Scheme::Dotted);
        assert_eq!(
            codes(r#"{"releases":[{"version":"1.2.3-rc.1"},{"version":"1.2.3.4"}]}"#),
            ["catalog.no_scheme"]
        );
        assert_eq!(
            codes(r#"{"scheme":"integer","releases":[{"version":"1.2"}]}"#),
            ["catalog.malformed_version"]
        );
        assert_eq!(
            codes(r#"{"scheme":"calendar","releases":[]}"#),
            ["catalog.unknown_scheme"]
        );
        assert_eq!(
            codes(r#"{"releases":[{"version":"4.2"},{"version":"4.2.0"}]}"#),
            ["catalog.duplicate_version"]
        );
        assert_eq!(
            codes(r#"{"releases":[{"version":"1.0.0+a"},{"version":"1.0.0+b"}]}"#),
            ["catalog.duplicate_version"]
        );
    }

    #[test]
    fn shapes() {
        assert_eq!(codes("[1,2"), ["catalog.json"]);
        assert_eq!(codes("[]"), ["catalog.invalid_type"]);
        assert_eq!(codes("{}"), ["catalog.missing_field"]);
        assert_eq!(codes(r#"{"releases":[{}]}"#), ["catalog.missing_field"]);
        assert_eq!(
            codes(r#"{"releases":[{"version":"1","blocked_from":[">=x"]}]}"#),
            ["catalog.bad_range"]
        );
        assert_eq!(
            codes(r#"{"releases":[{"version":"1","size":0}]}"#),
            ["catalog.bad_size"]
        );
        assert_eq!(
            codes(r#"{"releases":[{"version":"1","size":9007199254740992}]}"#),
            ["catalog.bad_size"]
        );
        assert_eq!(
            codes(r#"{"releases":[{"version":"1","size":18446744073709551616}]}"#),
            ["catalog.bad_size"]
        );
        assert_eq!(
            codes(
                r#"{"releases":[{"version":"2","deltas":[{"from":"1","size":1},{"from":"v1","size":2}]}]}"#
            ),
            ["catalog.duplicate_delta"]
        );
    }

    fn messages(json: &str) -> Vec<String> {
        Catalog::from_json(json)
            .unwrap_err()
            .iter()
            .map(|e| alloc::format!("[{}] {e}", e.code()))
            .collect()
    }

    #[test]
    fn every_message_names_the_release_and_field() {
        let json = r#"{ "scheme": "integer", "releses": [], "releases": [
            { "version": "v1", "size": -1, "sha256": "abc", "Min-Sw-Version": "v0" },
            { "version": "v2", "min_sw_version": "v2", "yanked": "no",
              "deltas": [ { "from": "v3", "size": 1.5, "sise": 1 }, { "from": "1", "size": 1 }, { "from": "v1", "size": 1 } ] },
            { "version": "2" },
            { "version": "v66001", "blocked_from": [">=x", ">v5, <v3"], "min_sw_verison": "v1" },
            { "version": "v66002", "min_sw_version": "banana" }
        ] }"#;
        let want = [
            r#"[catalog.unknown_field] catalog: unknown field "releses"; did you mean "releases"?"#,
            r#"[catalog.unknown_field] releases[0] (v1): unknown field "Min-Sw-Version"; did you mean "min_sw_version"?"#,
            r#"[catalog.unknown_field] releases[3] (v66001): unknown field "min_sw_verison"; did you mean "min_sw_version"?"#,
            r#"[catalog.bad_size] releases[0] (v1).size: bad size -1 (expected a whole number of bytes from 1 to 9007199254740991)"#,
            r#"[catalog.bad_sha256] releases[0] (v1).sha256: bad sha256 "abc" (expected 64 hex digits)"#,
            r#"[catalog.invalid_type] releases[1] (v2).yanked: expected true or false, found "no""#,
            r#"[catalog.unknown_field] releases[1] (v2).deltas[0]: unknown field "sise"; did you mean "size"?"#,
            r#"[catalog.bad_size] releases[1] (v2).deltas[0].size: bad size 1.5 (expected a whole number of bytes from 1 to 9007199254740991)"#,
            r#"[catalog.bad_range] releases[3] (v66001).blocked_from[0]: ">=x" is not a range of integer versions (malformed version)"#,
            r#"[catalog.bad_range] releases[3] (v66001).blocked_from[1]: ">v5, <v3" is an empty range: no integer version matches it"#,
            r#"[catalog.malformed_version] releases[4] (v66002).min_sw_version: "banana" is not an integer version (malformed version)"#,
            r#"[catalog.min_sw_not_lower] releases[1] (v2).min_sw_version: "v2" is not lower than the release"#,
            r#"[catalog.duplicate_delta] releases[1] (v2).deltas[2].from: "v1" is the same version as deltas[1].from"#,
            r#"[catalog.duplicate_version] releases[2] (2) duplicates releases[1] (v2)"#,
        ];
        assert_eq!(messages(json), want);
        // The delta from v3 to v2 is refused once its size is fine.
        assert_eq!(
            messages(
                r#"{"releases": [{"version": "v1"}, {"version": "v2", "deltas": [{"from": "v3", "size": 1}]}]}"#
            ),
            [
                r#"[catalog.delta_not_lower] releases[1] (v2).deltas[0].from: "v3" is not lower than the release"#
            ]
        );
    }

    #[test]
    fn messages_without_a_release_version() {
        assert_eq!(
            messages(
                r#"{"scheme": "integer", "releases": [{"version": "v1"}, {"version": "banana", "colour": 1}]}"#
            ),
            [
                r#"[catalog.unknown_field] releases[1] (banana): unknown field "colour""#,
                r#"[catalog.malformed_version] releases[1].version: "banana" is not an integer version (malformed version)"#,
            ]
        );
        assert_eq!(
            messages(r#"{"releases": [{"size": 1}, {"version": 5}]}"#),
            [
                r#"[catalog.missing_field] releases[0]: missing field "version""#,
                r#"[catalog.invalid_type] releases[1].version: expected a string, found 5"#,
            ]
        );
        assert_eq!(
            messages(r#"{"scheme": "semvar", "releases": []}"#),
            [
                r#"[catalog.unknown_scheme] catalog.scheme: unknown scheme "semvar" (expected integer, semver or dotted); did you mean "semver"?"#
            ]
        );
        assert_eq!(
            messages(
                r#"{"releases": [{"version": "1.2.3-rc.1"}, {"version": "1.2.3-rc.2"}, {"version": "1.2.3-rc.3"},
                {"version": "1.2.3.4", "min_sw_version": "1.2.3.3"}, {"version": "2.0.0", "deltas": [{"from": "1.2.3.4", "size": 1}]}]}"#
            ),
            [
                r#"[catalog.no_scheme] no version scheme fits every version: the closest, semver, does not fit releases[3].version "1.2.3.4", releases[3] (1.2.3.4).min_sw_version "1.2.3.3", releases[4] (2.0.0).deltas[0].from "1.2.3.4""#
            ]
        );
        let rc: Vec<String> = (0..10)
            .map(|i| alloc::format!(r#"{{"version": "1.0.0-rc.{i}"}}"#))
            .collect();
        let four: Vec<String> = (0..7)
            .map(|i| alloc::format!(r#"{{"version": "1.2.3.{i}"}}"#))
            .collect();
        let text = alloc::format!(r#"{{"releases": [{}, {}]}}"#, rc.join(","), four.join(","));
        let m = messages(&text);
        assert!(
            m[0].contains("the closest, semver, does not fit releases[10].version"),
            "{m:?}"
        );
        assert!(
            m[0].ends_with(r#"releases[14].version "1.2.3.4" and 2 more"#),
            "{m:?}"
        );
        assert_eq!(
            messages(
                r#"{"releases": [{"version": "4.2"}, {"version": "1"}, {"version": "4.2.0"}, {"version": "v4.2"}]}"#
            ),
            [
                "[catalog.duplicate_version] releases[2] (4.2.0) duplicates releases[0] (4.2)",
                "[catalog.duplicate_version] releases[3] (v4.2) duplicates releases[0] (4.2)",
            ]
        );
    }

    /// The suggestion as it was computed before (full Unicode lowercasing, a new row per
    /// character), the reference for `suggest`.
    fn suggest_before(unknown: &str, known: &[&'static str]) -> Option<&'static str> {
        fn distance(a: &str, b: &str) -> usize {
            let b: Vec<char> = b.chars().collect();
            let mut row: Vec<usize> = (0..=b.len()).collect();
            for (i, ca) in a.chars().enumerate() {
                let mut diagonal = i;
                let mut left = i + 1;
                let mut next = Vec::with_capacity(row.len());
                next.push(left);
                for (cb, up) in b.iter().zip(row.iter().skip(1)) {
                    let cost = diagonal + usize::from(ca != *cb);
                    left = cost.min(up + 1).min(left + 1);
                    next.push(left);
                    diagonal = *up;
                }
                row = next;
            }
            row.last().copied().unwrap_or(0)
        }
        if unknown.len() > 40 {
            return None;
        }
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| !matches!(c, '_' | '-' | ' '))
                .flat_map(char::to_lowercase)
                .collect()
        };
        let u = squash(unknown);
        if let Some(k) = known.iter().find(|k| squash(k) == u) {
            return Some(k);
        }
        let lower: String = unknown.chars().flat_map(char::to_lowercase).collect();
        let length = lower.chars().count();
        known
            .iter()
            .map(|k| (distance(&lower, k), *k))
            .filter(|&(d, _)| d <= 2 && d < length)
            .min_by_key(|&(d, _)| d)
            .map(|(_, k)| k)
    }

    #[test]
    fn suggestions_are_those_computed_before() {
        let lists = [CATALOG_FIELDS, RELEASE_FIELDS, DELTA_FIELDS, SCHEMES];
        for list in lists {
            for k in list {
                assert_eq!(*k, k.to_lowercase(), "known names are lowercase ASCII");
                assert!(k.is_ascii());
            }
        }
        // Every known name, and each with one or two characters deleted, replaced, inserted,
        // upper-cased, or turned into `_`, `-`, ` `, KELVIN SIGN, `İ`, `é`, U+200B.
        let extra = [
            '_', '-', ' ', 'x', 'K', '\u{212a}', '\u{130}', '\u{e9}', '\u{200b}', 'Σ',
        ];
        let mut names: Vec<String> = alloc::vec![String::new(), "id".into(), "x".repeat(41)];
        for list in lists {
            for k in list {
                let chars: Vec<char> = k.chars().collect();
                names.push(k.to_uppercase());
                for i in 0..=chars.len() {
                    let mut d = chars.clone();
                    if i < d.len() {
                        d.remove(i);
                        names.push(d.iter().collect());
                        if i + 1 < d.len() {
                            let mut dd = d.clone();
                            dd.remove(i + 1);
                            names.push(dd.iter().collect());
                        }
                    }
                    for &c in &extra {
                        let mut ins = chars.clone();
                        ins.insert(i, c);
                        names.push(ins.iter().collect());
                        if i < chars.len() {
                            let mut sub = chars.clone();
                            sub[i] = c;
                            names.push(sub.iter().collect());
                            let mut up = chars.clone();
                            up[i] = up[i].to_ascii_uppercase();
                            names.push(up.iter().collect());
                        }
                    }
                }
            }
        }
        for name in &names {
            for list in lists {
                assert_eq!(suggest(name, list), suggest_before(name, list), "{name:?}");
            }
        }
    }

    #[test]
    fn lowercasing_agrees_with_to_lowercase_where_it_matters() {
        // For every character: as many characters out as `to_lowercase` gives, each ASCII one
        // equal, each other one outside ASCII (so it matches no known name's character).
        for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
            let mut ours = Vec::new();
            push_lowercase(&mut ours, c);
            let theirs: Vec<char> = c.to_lowercase().collect();
            assert_eq!(ours.len(), theirs.len(), "{c:?}");
            for (a, b) in ours.iter().zip(&theirs) {
                assert!(a == b || (!a.is_ascii() && !b.is_ascii()), "{c:?}");
            }
        }
        assert_eq!(suggest("\u{212a}IND", RELEASE_FIELDS), Some("kind"));
        assert_eq!(suggest("Mod\u{e9}ls", RELEASE_FIELDS), Some("models"));
        assert_eq!(suggest("S\u{130}ZE", RELEASE_FIELDS), Some("size"));
    }

    #[test]
    fn near_misses_are_suggested_and_far_ones_not() {
        let k = RELEASE_FIELDS;
        assert_eq!(suggest("min_sw_verison", k), Some("min_sw_version"));
        assert_eq!(suggest("minSwVersion", k), Some("min_sw_version"));
        assert_eq!(suggest("MIN-SW-VERSION", k), Some("min_sw_version"));
        assert_eq!(suggest("min sw version", k), Some("min_sw_version"));
        assert_eq!(suggest("blockedFrom", k), Some("blocked_from"));
        assert_eq!(suggest("dead_end", k), Some("deadend"));
        assert_eq!(suggest("szie", k), Some("size"));
        assert_eq!(suggest("model", k), Some("models"));
        assert_eq!(suggest("Versoin", k), Some("version"));
        assert_eq!(suggest("sha265", k), Some("sha256"));
        assert_eq!(suggest("min_sw", k), None);
        assert_eq!(suggest("colour", k), None);
        assert_eq!(suggest("id", k), None);
        assert_eq!(suggest("", k), None);
        assert_eq!(suggest(&"x".repeat(10_000), k), None);
        assert_eq!(suggest("semvar", SCHEMES), Some("semver"));
        assert_eq!(suggest("calendar", SCHEMES), None);
        let chars = |s: &str| -> Vec<char> { s.chars().collect() };
        assert_eq!(levenshtein(&chars("kitten"), "sitting"), 3);
        assert_eq!(levenshtein(&chars(""), "abc"), 3);
        assert_eq!(levenshtein(&chars("abc"), ""), 3);
        assert_eq!(levenshtein(&chars("flaw"), "lawn"), 2);
    }

    #[test]
    fn round_trips_through_json() {
        let json = r#"{"scheme":"integer","releases":[
            {"version":"v2","min_sw_version":"v1","size":10,"sha256":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
             "models":["m"],"blocked_from":[">=v0, <v1"],"deltas":[{"from":"v1","size":3}],"barrier":true},
            {"version":"v1","yanked":true}]}"#;
        let c = Catalog::from_json(json).unwrap();
        assert_eq!(c.releases()[0].version.as_str(), "v1");
        let again = Catalog::from_json(&c.to_json()).unwrap();
        assert_eq!(c, again);
        assert!(c.to_json().contains("\"aaaaaaaa"));
    }

    #[test]
    fn a_top_level_schema_string_is_skipped() {
        let c = Catalog::from_json(
            r#"{"$schema": "../docs/schema/catalog.schema.json", "releases": [{"version": "v1"}]}"#,
        )
        .unwrap();
        assert_eq!(c.releases().len(), 1);
        assert!(!c.to_json().contains("$schema"));
        // Not a string: the usual wrong-type error, with every other error still reported.
        assert_eq!(
            messages(r#"{"$schema": 7, "releases": [{"version": "v1", "size": 0}]}"#),
            [
                "[catalog.invalid_type] catalog.$schema: expected a string, found 7",
                "[catalog.bad_size] releases[0] (v1).size: bad size 0 (expected a whole number of bytes from 1 to 9007199254740991)",
            ]
        );
        assert_eq!(
            codes(r#"{"$schema": null, "releases": []}"#),
            ["catalog.invalid_type"]
        );
        // Only at the top level, and only that name.
        assert_eq!(
            codes(r#"{"releases": [{"version": "v1", "$schema": "x"}]}"#),
            ["catalog.unknown_field"]
        );
        assert_eq!(
            messages(r#"{"schema": "integer", "releases": []}"#),
            [r#"[catalog.unknown_field] catalog: unknown field "schema"; did you mean "scheme"?"#]
        );
    }
}
