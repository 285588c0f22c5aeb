//! Catalog JSON: reading with every error collected, and writing.
//!
//! The document is walked as a `serde_json::Value` rather than derived, so that one pass
//! reports every unknown field, every wrong type and every bad value, not only the first.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value};

use super::{Catalog, CatalogError, CatalogErrors, Delta, Release};
use crate::error::clip;
use crate::version::{Scheme, Version, VersionRange, detect_scheme};

const CATALOG_FIELDS: &[&str] = &["scheme", "releases"];
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

impl Catalog {
    /// Reads a catalog from JSON text, reporting every problem at once.
    ///
    /// The scheme is the declared `"scheme"`, or detected from the versions (see
    /// [`detect_scheme`]). Unknown fields are errors naming the field.
    pub fn from_json(text: &str) -> Result<Catalog, CatalogErrors> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            CatalogErrors(alloc::vec![CatalogError::Json {
                message: e.to_string()
            }])
        })?;
        Catalog::from_json_value(&value)
    }

    /// Reads a catalog from an already parsed JSON value.
    pub fn from_json_value(value: &Value) -> Result<Catalog, CatalogErrors> {
        let mut r = Reader { errors: Vec::new() };
        let catalog = r.catalog(value);
        match catalog {
            Some(c) if r.errors.is_empty() => Ok(c),
            _ => Err(CatalogErrors(r.errors)),
        }
    }

    /// The catalog as JSON text (versions spelled as given, defaults left out).
    pub fn to_json(&self) -> String {
        // Serializing plain data into a String cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

struct Reader {
    errors: Vec<CatalogError>,
}

fn kind_of(v: &Value) -> String {
    let s = match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    };
    clip(&s)
}

impl Reader {
    fn wrong(&mut self, at: &str, expected: &'static str, found: &Value) {
        self.errors.push(CatalogError::InvalidType {
            at: at.to_string(),
            expected,
            found: kind_of(found),
        });
    }

    fn object<'v>(
        &mut self,
        v: &'v Value,
        at: &str,
        known: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Some(obj) = v.as_object() else {
            self.wrong(at, "an object", v);
            return None;
        };
        for key in obj.keys() {
            if !known.contains(&key.as_str()) {
                self.errors.push(CatalogError::UnknownField {
                    at: at.to_string(),
                    field: clip(key),
                });
            }
        }
        Some(obj)
    }

    fn string<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        at: &str,
        field: &str,
    ) -> Option<&'v str> {
        match obj.get(field)? {
            Value::String(s) => Some(s),
            other => {
                self.wrong(&format!("{at}.{field}"), "a string", other);
                None
            }
        }
    }

    fn flag(&mut self, obj: &Map<String, Value>, at: &str, field: &str) -> bool {
        match obj.get(field) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.wrong(&format!("{at}.{field}"), "true or false", other);
                false
            }
        }
    }

    fn strings(&mut self, obj: &Map<String, Value>, at: &str, field: &str) -> Option<Vec<String>> {
        let v = obj.get(field)?;
        let list = v.as_array().and_then(|a| {
            a.iter()
                .map(|s| s.as_str().map(String::from))
                .collect::<Option<Vec<_>>>()
        });
        if list.is_none() {
            self.wrong(&format!("{at}.{field}"), "an array of strings", v);
        }
        list
    }

    fn size(&mut self, obj: &Map<String, Value>, at: &str, release: &str) -> Option<u64> {
        let v = obj.get("size")?;
        match v {
            Value::Number(n) => match n.as_u64() {
                Some(s) if s > 0 && s <= super::MAX_SIZE => Some(s),
                _ => {
                    self.errors.push(CatalogError::BadSize {
                        release: format!("{release}.size"),
                        value: clip(&n.to_string()),
                    });
                    None
                }
            },
            other => {
                self.wrong(&format!("{at}.size"), "a whole number of bytes", other);
                None
            }
        }
    }

    fn sha256(&mut self, obj: &Map<String, Value>, at: &str, release: &str) -> Option<[u8; 32]> {
        let s = self.string(obj, at, "sha256")?;
        let mut out = [0u8; 32];
        match base16ct::mixed::decode(s, &mut out) {
            Ok(b) if b.len() == 32 => Some(out),
            _ => {
                self.errors.push(CatalogError::BadSha256 {
                    release: format!("{release}.sha256"),
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
        let declared = match self.string(top, "catalog", "scheme") {
            Some(name) => match Scheme::from_name(name) {
                Some(s) => Some(s),
                None => {
                    self.errors
                        .push(CatalogError::UnknownScheme { value: clip(name) });
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
        let mut texts: Vec<&str> = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let at = format!("releases[{i}]");
            let Some(obj) = self.object(item, &at, RELEASE_FIELDS) else {
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
            texts.push(version);
            if let Some(Value::String(m)) = obj.get("min_sw_version") {
                texts.push(m);
            }
            if let Some(Value::Array(ds)) = obj.get("deltas") {
                texts.extend(ds.iter().filter_map(|d| d.get("from")?.as_str()));
            }
            objects.push((at, obj, version));
        }
        let scheme = match declared {
            Some(s) => Some(s),
            None => match detect_scheme(texts.iter().copied()) {
                Ok(s) => Some(s),
                Err((best, misfits)) => {
                    self.errors.push(CatalogError::NoScheme {
                        best,
                        versions: misfits.iter().map(|m| clip(m)).collect(),
                    });
                    None
                }
            },
        };

        // Second pass: values.
        let mut releases = Vec::with_capacity(objects.len());
        for (at, obj, text) in objects {
            let label = format!("{at} ({})", clip(text));
            let version = self.version(text, scheme, format!("{at}.version"));
            let min_sw_version = self
                .string(obj, &label, "min_sw_version")
                .and_then(|m| self.version(m, scheme, format!("{label}.min_sw_version")));
            let kind = self.string(obj, &label, "kind").map(String::from);
            let size = self.size(obj, &label, text);
            let sha256 = self.sha256(obj, &label, text);
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
                            at: format!("{label}.blocked_from[{j}]"),
                            error,
                        }),
                    }
                }
            }
            let deltas = self.deltas(obj, &label, text, scheme);
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
            }
        }
        let scheme = scheme?;
        Some(Catalog::assemble(scheme, releases, &mut self.errors))
    }

    fn deltas(
        &mut self,
        obj: &Map<String, Value>,
        label: &str,
        release: &str,
        scheme: Option<Scheme>,
    ) -> Vec<Delta> {
        let mut out = Vec::new();
        let Some(v) = obj.get("deltas") else {
            return out;
        };
        let Some(list) = v.as_array() else {
            self.wrong(&format!("{label}.deltas"), "an array", v);
            return out;
        };
        for (j, d) in list.iter().enumerate() {
            let at = format!("{label}.deltas[{j}]");
            let Some(dobj) = self.object(d, &at, DELTA_FIELDS) else {
                continue;
            };
            let from = match self.string(dobj, &at, "from") {
                Some(f) => self.version(f, scheme, format!("{at}.from")),
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
            let name = format!("{release}.deltas[{j}]");
            let size = self.size(dobj, &at, &name);
            if size.is_none() && !dobj.contains_key("size") {
                self.errors.push(CatalogError::MissingField {
                    at: at.clone(),
                    field: "size",
                });
            }
            let sha256 = self.sha256(dobj, &at, &name);
            if let (Some(from), Some(size)) = (from, size) {
                out.push(Delta { from, size, sha256 });
            }
        }
        out
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
}
