//! A catalog document as a small value tree, read without `serde_json`'s deserializer, so that
//! a build that only reads catalogs (the `stepstone-wasm/plan` module) does not link it.
//!
//! It is read exactly as `serde_json::from_str::<serde_json::Value>` reads it, and it has to be:
//! the walk in `json.rs` reports every problem of an invalid catalog from this tree, and the
//! JSON syntax errors are `catalog.json` messages users see. So the same text is accepted and
//! refused, with the same message at the same line and column (columns in bytes, as
//! `serde_json` counts them); objects keep their keys sorted (`serde_json::Map` is a
//! `BTreeMap`); numbers are unsigned, negative or float as
//! `serde_json` makes them, floats through the same multiply-by-a-power-of-ten read, written
//! back as `serde_json` writes them. Core's test `tree_reads_as_serde_json_reads` and the fuzz
//! target `catalog_tree` hold the two together.
//!
//! One difference, a rule of the catalog: an object with the same key twice is refused (where
//! `Value` keeps the last value), as every other JSON input of stepstone refuses it, with the
//! message and position `serde_json` gives a type that refuses it while reading
//! (`duplicate field `version` at line 1 column 34`: the first repeat in the document, the
//! position the first byte after the repeated key and the whitespace that follows it, or past
//! a `}` there).
//!
//! ```text
//! let doc = tree::parse(r#"{"releases": [{"version": "1"}]}"#)?;
//! assert!(doc.get("releases").and_then(Json::as_array).is_some());
//! ```

use crate::json_read::push_u64;
use alloc::string::String;
use alloc::vec::Vec;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(Object),
}

/// A JSON number as `serde_json` keeps it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    /// A whole number from 0 to 2^64-1.
    Unsigned(u64),
    /// A negative whole number from -2^63 to -1.
    Negative(i64),
    /// Anything else (a fraction, an exponent, `-0`, out of the integer ranges); finite.
    Float(f64),
}

/// An object: its entries sorted by key, each key once.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Object(Vec<(String, Json)>);

impl Json {
    pub(crate) fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&Vec<Json>> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn is_string(&self) -> bool {
        matches!(self, Json::String(_))
    }

    /// The field `key` of an object (`None` for anything but an object).
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?.get(key)
    }
}

impl Number {
    /// The number when it is a whole number from 0 to 2^64-1.
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match *self {
            Number::Unsigned(n) => Some(n),
            _ => None,
        }
    }

    /// The number as `serde_json` writes it (`12`, `-3`, `1.5`, `1e30`, `-0.0`).
    pub(crate) fn text(&self) -> String {
        match *self {
            Number::Unsigned(n) => decimal(n, false),
            Number::Negative(n) => decimal(n.unsigned_abs(), true),
            Number::Float(f) => String::from(zmij::Buffer::new().format_finite(f)),
        }
    }
}

/// `n` in decimal, with a `-` when `negative` (the number's own digits: no formatting code).
fn decimal(n: u64, negative: bool) -> String {
    let mut s = String::with_capacity(21);
    if negative {
        s.push('-');
    }
    push_u64(&mut s, n);
    s
}

impl Object {
    /// Sorts `entries` (key, value, and where the reading stood after the key, in document
    /// order) by key; `Err` with the key and position of the first entry, in document order,
    /// whose key was given before.
    fn from_entries(entries: Vec<(String, Json, usize)>) -> Result<Object, (String, usize)> {
        // Stable: entries with one key stay in document order, so a repeat follows its first.
        let order = crate::catalog::stable_order(entries.len(), &|a, b| {
            let key = |i: usize| entries.get(i).map(|e| &e.0);
            key(a).cmp(&key(b))
        });
        let mut slots: Vec<Option<(String, Json, usize)>> = entries.into_iter().map(Some).collect();
        let mut out: Vec<(String, Json)> = Vec::with_capacity(slots.len());
        let mut repeat: Option<(String, usize)> = None;
        for &i in &order {
            let Some((key, value, at)) = slots.get_mut(i).and_then(Option::take) else {
                continue;
            };
            match out.last() {
                Some(last) if last.0 == key => {
                    if repeat.as_ref().is_none_or(|r| at < r.1) {
                        repeat = Some((key, at));
                    }
                }
                _ => out.push((key, value)),
            }
        }
        match repeat {
            Some(r) => Err(r),
            None => Ok(Object(out)),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }
}

impl From<&serde_json::Value> for Json {
    /// The same value from `serde_json`'s tree (for [`Catalog::from_json_value`] and tests).
    ///
    /// [`Catalog::from_json_value`]: super::Catalog::from_json_value
    fn from(v: &serde_json::Value) -> Json {
        use serde_json::Value;
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(if let Some(u) = n.as_u64() {
                Number::Unsigned(u)
            } else if let Some(i) = n.as_i64() {
                Number::Negative(i)
            } else {
                Number::Float(n.as_f64().unwrap_or(f64::NAN))
            }),
            Value::String(s) => Json::String(s.clone()),
            Value::Array(a) => Json::Array(a.iter().map(Json::from).collect()),
            Value::Object(o) => Json::Object(Object(
                o.iter().map(|(k, v)| (k.clone(), Json::from(v))).collect(),
            )),
        }
    }
}

/// How deep arrays and objects may nest: 127 levels, as in `serde_json`.
const DEPTH: u8 = 128;

/// `serde_json`'s syntax errors, as it writes them.
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_VALUE: &str = "EOF while parsing a value";
const COLON: &str = "expected `:`";
const LIST_COMMA: &str = "expected `,` or `]`";
const OBJECT_COMMA: &str = "expected `,` or `}`";
const IDENT: &str = "expected ident";
const VALUE: &str = "expected value";
const ESCAPE: &str = "invalid escape";
const NUMBER: &str = "invalid number";
const RANGE: &str = "number out of range";
const CONTROL: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const KEY: &str = "key must be a string";
const SURROGATE: &str = "lone leading surrogate in hex escape";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING: &str = "trailing characters";
const HEX_END: &str = "unexpected end of hex escape";
const RECURSION: &str = "recursion limit exceeded";

/// Reads `text` as one JSON value; a syntax error is `serde_json`'s message
/// (`expected `:` at line 1 column 7`).
pub(crate) fn parse(text: &str) -> Result<Json, String> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        repeated: String::new(),
    };
    let value = p.value(DEPTH).map_err(|e| p.describe(e))?;
    match p.whitespace() {
        Some(_) => Err(p.describe(p.peek_error(TRAILING))),
        None => Ok(value),
    }
}

/// A key given twice in one object: the catalog's rule, as stepstone's other JSON inputs word
/// it (`duplicate field `version``).
const REPEAT: &str = "duplicate field";

/// An error: what, and the byte offset `serde_json` reports its position from.
struct Fault {
    what: &'static str,
    at: usize,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// The key of a [`REPEAT`] error, which its message names.
    repeated: String,
}

type Step<T> = Result<T, Fault>;

impl Parser<'_> {
    /// An error at the byte just read (`serde_json`'s `error`).
    fn error(&self, what: &'static str) -> Fault {
        Fault { what, at: self.at }
    }

    /// An error at the byte about to be read (`serde_json`'s `peek_error`).
    fn peek_error(&self, what: &'static str) -> Fault {
        Fault {
            what,
            at: self.bytes.len().min(self.at + 1),
        }
    }

    /// `what at line L column C` (`what `key`` for a repeated key): lines from 1; the column is
    /// the byte count from the start of the line to the position (so 1 for the line's first
    /// byte, 0 right after a newline).
    fn describe(&self, f: Fault) -> String {
        let before = &self.bytes[..f.at];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = 1 + before[..line_start].iter().filter(|&&b| b == b'\n').count();
        let mut m = String::from(f.what);
        if f.what == REPEAT {
            m.push_str(" `");
            m.push_str(&crate::error::clip(&self.repeated));
            m.push('`');
        }
        m.push_str(" at line ");
        push_u64(&mut m, line as u64);
        m.push_str(" column ");
        push_u64(&mut m, (f.at - line_start) as u64);
        m
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    /// Skips whitespace; the next byte, not read.
    fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
        self.peek()
    }

    fn value(&mut self, depth: u8) -> Step<Json> {
        let Some(b) = self.whitespace() else {
            return Err(self.peek_error(EOF_VALUE));
        };
        match b {
            b'n' => {
                self.at += 1;
                self.ident(b"ull")?;
                Ok(Json::Null)
            }
            b't' => {
                self.at += 1;
                self.ident(b"rue")?;
                Ok(Json::Bool(true))
            }
            b'f' => {
                self.at += 1;
                self.ident(b"alse")?;
                Ok(Json::Bool(false))
            }
            b'-' => {
                self.at += 1;
                self.integer(false).map(Json::Number)
            }
            b'0'..=b'9' => self.integer(true).map(Json::Number),
            b'"' => {
                self.at += 1;
                self.string().map(Json::String)
            }
            b'[' => {
                let depth = self.nest(depth)?;
                let items = self.items(depth)?;
                self.close(b']', EOF_LIST, true)?;
                Ok(Json::Array(items))
            }
            b'{' => {
                let depth = self.nest(depth)?;
                self.object(depth).map(Json::Object)
            }
            _ => Err(self.peek_error(VALUE)),
        }
    }

    /// Steps into `[` or `{`: one level fewer left.
    fn nest(&mut self, depth: u8) -> Step<u8> {
        let left = depth - 1;
        if left == 0 {
            return Err(self.peek_error(RECURSION));
        }
        self.at += 1;
        Ok(left)
    }

    /// The end of a list or object once its last item is read (`serde_json`'s `end_seq` and
    /// `end_map`, which only see `]` or `}` here).
    fn close(&mut self, end: u8, eof: &'static str, list: bool) -> Step<()> {
        match self.whitespace() {
            Some(b) if b == end => {
                self.at += 1;
                Ok(())
            }
            Some(b',') if list => {
                self.at += 1;
                match self.whitespace() {
                    Some(b']') => Err(self.peek_error(TRAILING_COMMA)),
                    _ => Err(self.peek_error(TRAILING)),
                }
            }
            Some(b',') => Err(self.peek_error(TRAILING_COMMA)),
            Some(_) => Err(self.peek_error(TRAILING)),
            None => Err(self.peek_error(eof)),
        }
    }

    fn items(&mut self, depth: u8) -> Step<Vec<Json>> {
        let mut items = Vec::new();
        loop {
            let Some(b) = self.whitespace() else {
                return Err(self.peek_error(EOF_LIST));
            };
            if b == b']' {
                return Ok(items);
            }
            if !items.is_empty() {
                if b != b',' {
                    return Err(self.peek_error(LIST_COMMA));
                }
                self.at += 1;
                match self.whitespace() {
                    Some(b']') => return Err(self.peek_error(TRAILING_COMMA)),
                    Some(_) => {}
                    None => return Err(self.peek_error(EOF_VALUE)),
                }
            }
            items.push(self.value(depth)?);
        }
    }

    /// An object whose `{` was read. A key given twice is an error at its repeat, and so, as
    /// `serde_json` finds it while reading, it comes before any error found after it (a
    /// syntax error, a repeat in a nested object), which this reader finds first.
    fn object(&mut self, depth: u8) -> Step<Object> {
        let mut entries = Vec::new();
        let read = self
            .entries(depth, &mut entries)
            .and_then(|()| self.close(b'}', EOF_OBJECT, false));
        match Object::from_entries(entries) {
            Err((key, at)) => {
                self.repeated = key;
                Err(Fault { what: REPEAT, at })
            }
            Ok(object) => read.map(|()| object),
        }
    }

    /// The entries of an object, in document order: a key is in `entries` (with `null`, and
    /// where the reading stood after it and its whitespace) as soon as it is read.
    fn entries(&mut self, depth: u8, entries: &mut Vec<(String, Json, usize)>) -> Step<()> {
        loop {
            let Some(b) = self.whitespace() else {
                return Err(self.peek_error(EOF_OBJECT));
            };
            if b == b'}' {
                return Ok(());
            }
            if entries.is_empty() {
                if b != b'"' {
                    return Err(self.peek_error(KEY));
                }
            } else {
                if b != b',' {
                    return Err(self.peek_error(OBJECT_COMMA));
                }
                self.at += 1;
                match self.whitespace() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.peek_error(TRAILING_COMMA)),
                    Some(_) => return Err(self.peek_error(KEY)),
                    None => return Err(self.peek_error(EOF_VALUE)),
                }
            }
            self.at += 1;
            let key = self.string()?;
            let next = self.whitespace();
            // A repeat's position, as `serde_json` places it: past the key and its whitespace,
            // and past a `}` right after them (its `end_map` reads one before the error is
            // placed; it only peeks at anything else).
            entries.push((key, Json::Null, self.at + usize::from(next == Some(b'}'))));
            match next {
                Some(b':') => self.at += 1,
                Some(_) => return Err(self.peek_error(COLON)),
                None => return Err(self.peek_error(EOF_OBJECT)),
            }
            let value = self.value(depth)?;
            if let Some(last) = entries.last_mut() {
                last.1 = value;
            }
        }
    }

    fn ident(&mut self, rest: &[u8]) -> Step<()> {
        for &expected in rest {
            match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(b) if b != expected => return Err(self.error(IDENT)),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// A string whose `"` was read, its escapes decoded.
    fn string(&mut self) -> Step<String> {
        let mut out = String::new();
        let mut start = self.at;
        loop {
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            match self.peek() {
                None => return Err(self.error(EOF_STRING)),
                Some(b'"') => {
                    out.push_str(&self.text[start..self.at]);
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[start..self.at]);
                    self.at += 1;
                    out.push(self.escape()?);
                    start = self.at;
                }
                Some(_) => {
                    self.at += 1;
                    return Err(self.error(CONTROL));
                }
            }
        }
    }

    /// The escape after a `\`.
    fn escape(&mut self) -> Step<char> {
        let Some(b) = self.next() else {
            return Err(self.error(EOF_STRING));
        };
        match b {
            b'u' => self.unicode(),
            _ => crate::json_read::short_escape(b).ok_or_else(|| self.error(ESCAPE)),
        }
    }

    /// The rest of a `\u` escape: a character outside the surrogates, or a pair of them.
    fn unicode(&mut self) -> Step<char> {
        let n = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&n) {
            return Err(self.error(SURROGATE));
        }
        if !(0xD800..=0xDBFF).contains(&n) {
            return char::from_u32(n).ok_or_else(|| self.error(ESCAPE));
        }
        for expected in [b'\\', b'u'] {
            match self.next() {
                None => return Err(self.error(EOF_STRING)),
                Some(b) if b != expected => return Err(self.error(HEX_END)),
                Some(_) => {}
            }
        }
        let low = self.hex4()?;
        if !(0xDC00..=0xDFFF).contains(&low) {
            return Err(self.error(SURROGATE));
        }
        char::from_u32(0x10000 + ((n - 0xD800) << 10) + (low - 0xDC00))
            .ok_or_else(|| self.error(ESCAPE))
    }

    fn hex4(&mut self) -> Step<u32> {
        let Some(digits) = self.bytes.get(self.at..self.at + 4) else {
            self.at = self.bytes.len();
            return Err(self.error(EOF_STRING));
        };
        self.at += 4;
        let mut n = 0;
        for &d in digits {
            let Some(v) = char::from(d).to_digit(16) else {
                return Err(self.error(ESCAPE));
            };
            n = n * 16 + v;
        }
        Ok(n)
    }

    /// A number whose `-`, if any, was read (`serde_json`'s `parse_integer`).
    fn integer(&mut self, positive: bool) -> Step<Number> {
        let Some(first) = self.next() else {
            return Err(self.error(EOF_VALUE));
        };
        match first {
            b'0' => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.peek_error(NUMBER));
                }
                self.number(positive, 0)
            }
            b'1'..=b'9' => {
                let mut significand = u64::from(first - b'0');
                while let Some(c @ b'0'..=b'9') = self.peek() {
                    let digit = u64::from(c - b'0');
                    match significand
                        .checked_mul(10)
                        .and_then(|s| s.checked_add(digit))
                    {
                        Some(next) => significand = next,
                        None => return self.long_integer(positive, significand).map(Number::Float),
                    }
                    self.at += 1;
                }
                self.number(positive, significand)
            }
            _ => Err(self.error(NUMBER)),
        }
    }

    /// After the whole part: a fraction, an exponent, or the whole number itself.
    fn number(&mut self, positive: bool, significand: u64) -> Step<Number> {
        Ok(match self.peek() {
            Some(b'.') => Number::Float(self.decimal(positive, significand, 0)?),
            Some(b'e' | b'E') => Number::Float(self.exponent(positive, significand, 0)?),
            _ if positive => Number::Unsigned(significand),
            _ => {
                let negative = (significand as i64).wrapping_neg();
                // `-0` and what does not fit an i64 are floats.
                if negative >= 0 {
                    Number::Float(-(significand as f64))
                } else {
                    Number::Negative(negative)
                }
            }
        })
    }

    /// A whole part past 2^64-1: its further digits only scale it.
    fn long_integer(&mut self, positive: bool, significand: u64) -> Step<f64> {
        let mut exponent = 0i32;
        loop {
            match self.peek() {
                Some(b'0'..=b'9') => {
                    self.at += 1;
                    exponent += 1;
                }
                Some(b'.') => return self.decimal(positive, significand, exponent),
                Some(b'e' | b'E') => return self.exponent(positive, significand, exponent),
                _ => return self.scaled(positive, significand, exponent),
            }
        }
    }

    /// The fraction at `.`.
    fn decimal(&mut self, positive: bool, mut significand: u64, before: i32) -> Step<f64> {
        self.at += 1;
        let mut after = 0i32;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            let digit = u64::from(c - b'0');
            match significand
                .checked_mul(10)
                .and_then(|s| s.checked_add(digit))
            {
                Some(next) => significand = next,
                None => {
                    // Digits past what a u64 holds are dropped.
                    while let Some(b'0'..=b'9') = self.peek() {
                        self.at += 1;
                    }
                    return match self.peek() {
                        Some(b'e' | b'E') => self.exponent(positive, significand, before + after),
                        _ => self.scaled(positive, significand, before + after),
                    };
                }
            }
            self.at += 1;
            after -= 1;
        }
        if after == 0 {
            return Err(match self.peek() {
                Some(_) => self.peek_error(NUMBER),
                None => self.peek_error(EOF_VALUE),
            });
        }
        match self.peek() {
            Some(b'e' | b'E') => self.exponent(positive, significand, before + after),
            _ => self.scaled(positive, significand, before + after),
        }
    }

    /// The exponent at `e` or `E`.
    fn exponent(&mut self, positive: bool, significand: u64, start: i32) -> Step<f64> {
        self.at += 1;
        let positive_exponent = match self.peek() {
            Some(b'+') => {
                self.at += 1;
                true
            }
            Some(b'-') => {
                self.at += 1;
                false
            }
            _ => true,
        };
        let mut exponent = match self.next() {
            None => return Err(self.error(EOF_VALUE)),
            Some(c @ b'0'..=b'9') => i32::from(c - b'0'),
            Some(_) => return Err(self.error(NUMBER)),
        };
        while let Some(c @ b'0'..=b'9') = self.peek() {
            self.at += 1;
            let digit = i32::from(c - b'0');
            match exponent.checked_mul(10).and_then(|e| e.checked_add(digit)) {
                Some(next) => exponent = next,
                None => {
                    // An exponent past i32: out of range, or zero.
                    if significand != 0 && positive_exponent {
                        return Err(self.error(RANGE));
                    }
                    while let Some(b'0'..=b'9') = self.peek() {
                        self.at += 1;
                    }
                    return Ok(if positive { 0.0 } else { -0.0 });
                }
            }
        }
        let exponent = if positive_exponent {
            start.saturating_add(exponent)
        } else {
            start.saturating_sub(exponent)
        };
        self.scaled(positive, significand, exponent)
    }

    /// `significand × 10^exponent` the way `serde_json` computes it without its
    /// `float_roundtrip` feature: one multiplication or division by a power of ten.
    fn scaled(&self, positive: bool, significand: u64, mut exponent: i32) -> Step<f64> {
        let mut f = significand as f64;
        loop {
            match pow10(exponent.wrapping_abs() as usize) {
                Some(pow) => {
                    if exponent >= 0 {
                        f *= pow;
                        if f.is_infinite() {
                            return Err(self.error(RANGE));
                        }
                    } else {
                        f /= pow;
                    }
                    break;
                }
                None => {
                    if f == 0.0 {
                        break;
                    }
                    if exponent >= 0 {
                        return Err(self.error(RANGE));
                    }
                    f /= 1e308;
                    exponent += 308;
                }
            }
        }
        Ok(if positive { f } else { -f })
    }
}

/// 10^k as an `f64`, rounded to nearest with ties to even (the value of the literal `1e{k}`),
/// for k from 0 to 308; `None` above.
///
/// Computed from 5^k as a big integer (10^k = 5^k · 2^k: the top 64 bits of 5^k, rounded to 53
/// with the bits below as a sticky bit) instead of read from a table of the 309 values: the
/// table was 2,472 bytes of data that gzip cannot shrink, the largest piece of data in the plan
/// WASM module, while this is a few hundred bytes of code. Only a number with a fraction or an
/// exponent gets here, once. A test compares all 309 values, bit for bit, with Rust's own
/// reading of `1e{k}`.
fn pow10(k: usize) -> Option<f64> {
    if k > 308 {
        return None;
    }
    // 5^k, 32-bit limbs, lowest first.
    let mut limbs: Vec<u32> = alloc::vec![1];
    for _ in 0..k {
        let mut carry = 0u64;
        for limb in limbs.iter_mut() {
            let v = u64::from(*limb) * 5 + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            limbs.push(carry as u32);
        }
    }
    let bits = limbs.len() as u32 * 32 - limbs.last()?.leading_zeros();
    let bit = |i: u32| {
        limbs
            .get((i / 32) as usize)
            .is_some_and(|l| (l >> (i % 32)) & 1 == 1)
    };
    // The top 64 bits (bit 63 set): 5^k = top · 2^(bits - 64), exactly when nothing is below.
    let mut top = 0u64;
    for i in 0..64 {
        top = (top << 1) | u64::from(i < bits && bit(bits - 1 - i));
    }
    let below = bits > 64 && (0..bits - 64).any(bit);
    let mut significand = top >> 11;
    let rest = top & 0x7ff;
    if rest > 0x400 || (rest == 0x400 && (below || significand & 1 == 1)) {
        significand += 1;
    }
    // 10^k = significand · 2^exponent, the significand 53 bits long.
    let mut exponent = bits as i32 - 53 + k as i32;
    if significand == 1 << 53 {
        significand >>= 1;
        exponent += 1;
    }
    let biased = (exponent + 52 + 1023) as u64;
    Some(f64::from_bits(
        (biased << 52) | (significand & ((1 << 52) - 1)),
    ))
}

/// The reference reading the tests hold this reader to (shared with `core/tests`).
#[cfg(test)]
#[path = "../../tests/support/strict_value.rs"]
mod strict_value;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    #[test]
    fn powers_of_ten_are_the_literals() {
        for k in 0..=308 {
            let literal: f64 = format!("1e{k}").parse().unwrap();
            assert_eq!(pow10(k).map(f64::to_bits), Some(literal.to_bits()), "1e{k}");
        }
        assert_eq!(pow10(309), None);
        assert_eq!(pow10(usize::MAX), None);
    }

    /// `text` read by both readers (serde_json's refusing a repeated key): the same tree, or
    /// the same message.
    fn same_as_serde_json(text: &str) {
        let ours = parse(text);
        let theirs = strict_value::strict_value(text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, &Json::from(b), "{text:?}");
                if let (Json::Number(n), serde_json::Value::Number(m)) = (a, b) {
                    assert_eq!(n.text(), m.to_string(), "{text:?}");
                }
            }
            (Err(a), Err(b)) => assert_eq!(a, &b.to_string(), "{text:?}"),
            _ => panic!("{text:?}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }

    #[test]
    fn tree_reads_as_serde_json_reads() {
        let texts = [
            "",
            " ",
            "\n\n  ",
            "null",
            "nul",
            "nulx",
            "true",
            "tru",
            "trUe",
            "false",
            "f",
            "x",
            "[",
            "[1",
            "[1,",
            "[1,]",
            "[1 2]",
            "[,1]",
            "[]",
            "[ ]",
            "]",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\" 1}",
            "{\"a\":1",
            "{\"a\":1,}",
            "{\"a\":1,",
            "{\"a\":1 \"b\":2}",
            "{1:2}",
            "{,}",
            "{\"a\":1,2:3}",
            "{}",
            "{\"b\":1,\"a\":2,\"c\":3}",
            "1 2",
            "[1] x",
            "\"abc",
            "\"a\\",
            "\"a\\q\"",
            "\"a\\u12\"",
            "\"a\\u12",
            "\"\\u00e9\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud83d\"",
            "\"\\ud83dx\"",
            "\"\\ud83d\\x\"",
            "\"\\ud83d\\u0041\"",
            "\"\\ude00\"",
            "\"\\ud83d\\",
            "\"\\ud83d\\u",
            "\"\\uZZZZ\"",
            "\"a\tb\"",
            "\"a\nb\"",
            "\"é ü 😀\"",
            "\"\\/\\b\\f\\n\\r\\t\"",
            "0",
            "-0",
            "-",
            "-x",
            "01",
            "1.",
            "1.x",
            "1.5",
            "1e",
            "1e+",
            "1e-x",
            "1E5",
            "1e400",
            "-1e400",
            "1e-400",
            "0e999999999999",
            "1e99999999999",
            "1e-99999999999",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "1.23456789012345678901234567890",
            "0.1",
            "2.5e-3",
            "1.7976931348623157e308",
            "4.9e-324",
            "9007199254740993",
            "1.000000000000000000001",
            "100000000000000000000e-2",
            "\u{feff}1",
            "[1]\n\n  ]",
            "{\"a\":\n  [1,\n   2,,]}",
            "\r\n\r\n x",
            "{\"é\": 1, \"e\": 2}",
            "[\"\\u0000\"]",
        ];
        for t in texts {
            same_as_serde_json(t);
        }
        // Nesting: 127 levels are read, 128 are not.
        for depth in [126, 127, 128, 129, 300] {
            same_as_serde_json(&format!("{}1{}", "[".repeat(depth), "]".repeat(depth)));
            same_as_serde_json(&format!(
                "{}1{}",
                "{\"a\":".repeat(depth),
                "}".repeat(depth)
            ));
        }
        // Every prefix of a document with all kinds of values and an error near each end.
        let doc = "{\"releases\": [{\"version\": \"v1\", \"size\": 12, \"x\": [true, false, null, -1.5e3, \"\\u00e9\\n\"]}],\n \"scheme\": \"integer\"}";
        for end in 0..=doc.len() {
            if doc.is_char_boundary(end) {
                same_as_serde_json(&doc[..end]);
            }
        }
    }

    #[test]
    fn a_repeated_key_is_refused_where_serde_json_finds_it() {
        let long = "k".repeat(200);
        let texts = [
            "{\"b\":1,\"a\":2,\"b\":3}",
            "{\"a\":1,\"a\":1}",
            "{\"a\":1,\"a\" : 1}",
            "{\"a\":1,\"a\"\n\n   :1}",
            "{\"a\":1,\"a\"",
            "{\"a\":1,\"a\"  ",
            "{\"a\":1,\"a\":",
            "{\"a\":1,\"a\":[",
            "{\"a\":1,\"a\" x",
            "{\"a\":1,\"a\"}",
            "{\"a\":1,\"a\"\n }",
            "{\"a\":1,\"a\",}",
            "{\"a\":1,\"a\"]",
            "{\"a\":{\"b\":1,\"b\"}}",
            // Found by the fuzz target `catalog_tree`: a repeated key right before `}`.
            "{\"scheme\": \"semver\", \"releases\": [\n  {\"version\": \"1.0.0\"},\n  {\"version\": \"2.0.0\", \"deltas\": [{\"from\": \"1.0.0\", \"size\": 5, \"size\"}\n], \"releases\": []}\n",
            "{\"a\":1,\"\\u0061\":2}",
            "{\"é\":1,\n \"é\":2}",
            // The first repeat in the document, at any depth.
            "{\"a\":1,\"a\":{\"b\":1,\"b\":2}}",
            "{\"a\":{\"b\":1,\"b\":2},\"a\":1}",
            "{\"x\":[{\"b\":1,\"c\":[{\"d\":1,\"d\":1}],\"b\":2}],\"x\":1}",
            "{\"a\":1,\"b\":2,\"b\":3,\"a\":4}",
            "{\"a\":1,\"b\":2,\"a\":3,\"b\":4}",
            "[1, {\"a\":1,\"a\":2}, x]",
            "{\"a\":1,\"a\":2} x",
            // An error before the repeat comes first; one after it does not.
            "{\"a\":1,\"b\":x,\"a\":2}",
            "{\"a\":1,\"a\":x}",
            "{\"a\":1,\"a\":2,}",
            "{\"a\":{\"a\":1},\"b\":{\"a\":1}}",
        ];
        for t in texts {
            same_as_serde_json(t);
        }
        for t in [
            format!("{{\"{long}\":1,\"{long}\":2}}"),
            format!("{}{{\"a\":1,\"a\":2}}{}", "[".repeat(126), "]".repeat(126)),
        ] {
            same_as_serde_json(&t);
        }
        assert_eq!(
            parse("{\"releases\": [{\"version\": \"20.9.9\",\n  \"version\": \"21.0.0\"}]}"),
            Err(String::from(
                "duplicate field `version` at line 2 column 11"
            ))
        );
        let clipped = format!(
            "duplicate field `{}…` at line 1 column 408",
            "k".repeat(160)
        );
        assert_eq!(
            parse(&format!("{{\"{long}\":1,\"{long}\":2}}")),
            Err(clipped)
        );
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for (text, written) in [
            ("12", "12"),
            ("-3", "-3"),
            ("1.50", "1.5"),
            ("-0", "-0.0"),
            ("1e30", "1e+30"),
        ] {
            let Ok(Json::Number(n)) = parse(text) else {
                panic!("{text}");
            };
            assert_eq!(n.text(), written);
        }
        assert_eq!(decimal(u64::MAX, false), u64::MAX.to_string());
    }
}
