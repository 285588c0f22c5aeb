//! A small JSON writer: the core's wire forms written without serde_json's serializer, byte
//! for byte as `serde_json::to_string` (compact) or `serde_json::to_string_pretty` (pretty)
//! writes the same values, so that a WASM module that only writes JSON links no serde code.
//!
//! The caller says what comes next (an object's key, a value, the start or end of an object or
//! an array); the writer puts the separators and, when pretty, the line breaks and the two-space
//! indentation where serde_json puts them:
//!
//! * strings are escaped as serde_json escapes them: `"` and `\` with a backslash, the control
//!   characters U+0000 to U+001F as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00XX` (lowercase hex);
//!   everything else, U+007F and non-ASCII included, as it is;
//! * integers in decimal; a float in its shortest round-trip form as serde_json writes it
//!   (`zmij`: `1.0`, `1e+30`, `-0.0`), a NaN or an infinity as `null`;
//! * an empty object or array as `{}` or `[]`, also when pretty.
//!
//! ```text
//! let mut w = Writer::compact();
//! w.begin_object();
//! w.key("path");
//! w.begin_array();
//! w.string("v2");
//! w.end_array();
//! w.key("bytes");
//! w.null();
//! w.end_object();
//! assert_eq!(w.finish(), r#"{"path":["v2"],"bytes":null}"#);
//! ```
//!
//! `core/tests/json_write.rs` compares it with serde_json on the vectors' wire forms and on
//! generated values; the fuzz target `json_write` compares the string escaping.

use alloc::string::String;

use crate::json_read::push_u64;

/// A JSON text being written: compact (`{"a":1}`) or pretty (serde_json's `to_string_pretty`).
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    out: String,
    pretty: bool,
    /// Objects and arrays open around the next value.
    depth: usize,
    /// No value written yet in the innermost open object or array.
    first: bool,
    /// A key was just written: its value comes next, with no separator.
    after_key: bool,
}

impl Writer {
    /// A writer of compact JSON, as `serde_json::to_string` writes it.
    pub(crate) fn compact() -> Writer {
        Writer::new(false)
    }

    /// A writer of indented JSON, as `serde_json::to_string_pretty` writes it (for
    /// `Catalog::to_json`, which comes with the `serde` feature).
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn pretty() -> Writer {
        Writer::new(true)
    }

    fn new(pretty: bool) -> Writer {
        Writer {
            out: String::new(),
            pretty,
            depth: 0,
            first: true,
            after_key: false,
        }
    }

    /// Room for `bytes` more bytes of output (an estimate: the writer still grows past it).
    pub(crate) fn reserve(&mut self, bytes: usize) {
        self.out.reserve(bytes);
    }

    /// The text written.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// The separator before a value in an array, or before a key in an object.
    fn element(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if self.depth == 0 {
            return;
        }
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        if self.pretty {
            self.newline();
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, bracket: char) {
        self.element();
        self.out.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    fn close(&mut self, bracket: char) {
        self.depth = self.depth.saturating_sub(1);
        if self.pretty && !self.first {
            self.newline();
        }
        self.out.push(bracket);
        self.first = false;
    }

    /// `{`: keys and values follow, then [`Writer::end_object`].
    pub(crate) fn begin_object(&mut self) {
        self.open('{');
    }

    /// `}`.
    pub(crate) fn end_object(&mut self) {
        self.close('}');
    }

    /// `[`: values follow, then [`Writer::end_array`].
    pub(crate) fn begin_array(&mut self) {
        self.open('[');
    }

    /// `]`.
    pub(crate) fn end_array(&mut self) {
        self.close(']');
    }

    /// An object's key; its value comes next.
    pub(crate) fn key(&mut self, key: &str) {
        self.element();
        push_string(&mut self.out, key);
        self.out.push_str(if self.pretty { ": " } else { ":" });
        self.after_key = true;
    }

    /// A string value.
    pub(crate) fn string(&mut self, text: &str) {
        self.element();
        push_string(&mut self.out, text);
    }

    /// An unsigned integer.
    pub(crate) fn u64(&mut self, n: u64) {
        self.element();
        push_u64(&mut self.out, n);
    }

    /// An unsigned integer, or `null` for `None`.
    pub(crate) fn opt_u64(&mut self, n: Option<u64>) {
        match n {
            Some(n) => self.u64(n),
            None => self.null(),
        }
    }

    /// A signed integer.
    #[allow(
        dead_code,
        reason = "no plan-area wire form is signed; for the other areas' forms"
    )]
    pub(crate) fn i64(&mut self, n: i64) {
        self.element();
        if n < 0 {
            self.out.push('-');
        }
        push_u64(&mut self.out, n.unsigned_abs());
    }

    /// A float as serde_json writes it: its shortest round-trip form, `null` when not finite.
    #[allow(
        dead_code,
        reason = "no plan-area wire form has floats; for the other areas' forms"
    )]
    pub(crate) fn f64(&mut self, x: f64) {
        if !x.is_finite() {
            return self.null();
        }
        self.element();
        self.out.push_str(zmij::Buffer::new().format_finite(x));
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self, b: bool) {
        self.element();
        self.out.push_str(if b { "true" } else { "false" });
    }

    /// `null`.
    pub(crate) fn null(&mut self) {
        self.element();
        self.out.push_str("null");
    }

    /// A key and its string value.
    pub(crate) fn field_str(&mut self, key: &str, text: &str) {
        self.key(key);
        self.string(text);
    }

    /// A key and its boolean value.
    pub(crate) fn field_bool(&mut self, key: &str, b: bool) {
        self.key(key);
        self.bool(b);
    }

    /// A key and its array of strings.
    pub(crate) fn field_strings<'s>(
        &mut self,
        key: &str,
        items: impl IntoIterator<Item = &'s str>,
    ) {
        self.key(key);
        self.begin_array();
        for s in items {
            self.string(s);
        }
        self.end_array();
    }
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it.
pub(crate) fn push_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    // Most strings (versions, names) need no escape: one simple scan, then one copy.
    if !text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        let short = match b {
            b'"' => '"',
            b'\\' => '\\',
            0x08 => 'b',
            0x09 => 't',
            0x0a => 'n',
            0x0c => 'f',
            0x0d => 'r',
            0x00..=0x1f => 'u',
            _ => continue,
        };
        // `b` is ASCII, so `i` and `i + 1` are character boundaries.
        out.push_str(&text[run..i]);
        out.push('\\');
        out.push(short);
        if short == 'u' {
            out.push_str("00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
        run = i + 1;
    }
    out.push_str(&text[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::vec;
    use alloc::vec::Vec;

    use serde_json::{Value, json};

    use super::*;

    /// Writes `v` through the writer, in the order serde_json keeps an object's keys.
    fn write(w: &mut Writer, v: &Value) {
        match v {
            Value::Null => w.null(),
            Value::Bool(b) => w.bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    w.u64(u)
                } else if let Some(i) = n.as_i64() {
                    w.i64(i)
                } else {
                    w.f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => w.string(s),
            Value::Array(items) => {
                w.begin_array();
                for item in items {
                    write(w, item);
                }
                w.end_array();
            }
            Value::Object(map) => {
                w.begin_object();
                for (k, item) in map {
                    w.key(k);
                    write(w, item);
                }
                w.end_object();
            }
        }
    }

    fn both(v: &Value) {
        let mut c = Writer::compact();
        write(&mut c, v);
        assert_eq!(c.finish(), serde_json::to_string(v).unwrap(), "{v}");
        let mut p = Writer::pretty();
        write(&mut p, v);
        assert_eq!(p.finish(), serde_json::to_string_pretty(v).unwrap(), "{v}");
    }

    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        for v in [
            json!(null),
            json!(true),
            json!(0),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(-1),
            json!(1.5),
            json!(-0.0),
            json!(1e30),
            json!(5e-324),
            json!(f64::MAX),
            json!(""),
            json!([]),
            json!({}),
            json!([[]]),
            json!([{}]),
            json!({"a": []}),
            json!({"a": {}, "b": [1, [2, {"c": null}], {}], "": ""}),
            json!([1, "two", [3.25, false], {"k": {"l": [null]}}]),
        ] {
            both(&v);
        }
    }

    #[test]
    fn non_finite_floats_are_null() {
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut w = Writer::compact();
            w.begin_array();
            w.f64(x);
            w.end_array();
            assert_eq!(w.finish(), serde_json::to_string(&[x]).unwrap());
        }
    }

    #[test]
    fn every_ascii_character_and_some_others_are_escaped_as_serde_json_does() {
        let mut all: Vec<String> = (0u8..=0x7f).map(|b| (b as char).to_string()).collect();
        all.extend(
            [
                "é",
                "\u{200b}",
                "\u{301}",
                "日本",
                "😀",
                "\u{7f}\u{80}",
                "a\"b\\c\n\u{1}",
            ]
            .map(String::from),
        );
        all.push((0u8..=0x7f).map(char::from).collect());
        for s in all {
            let mut out = String::new();
            push_string(&mut out, &s);
            assert_eq!(out, serde_json::to_string(&s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn helpers_write_their_key_and_value() {
        let mut w = Writer::pretty();
        w.begin_object();
        w.field_str("a", "x");
        w.field_bool("b", false);
        w.field_strings("c", vec!["p", "q"]);
        w.field_strings("d", Vec::<&str>::new());
        w.key("e");
        w.opt_u64(None);
        w.key("f");
        w.opt_u64(Some(7));
        w.end_object();
        let want = json!({"a": "x", "b": false, "c": ["p", "q"], "d": [], "e": null, "f": 7});
        assert_eq!(w.finish(), serde_json::to_string_pretty(&want).unwrap());
    }
}
