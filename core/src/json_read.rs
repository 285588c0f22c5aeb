//! A small, strict JSON reader for documents read by hand (the sampling plan), so that a build
//! that reads only those documents (the `stepstone-wasm/sample` module) links no `serde_json`.
//!
//! It is as strict as `serde_json`: whitespace is space, tab, CR and LF only; strings have no
//! control character and only JSON's escapes (`\uXXXX` surrogates paired); numbers have no
//! leading zero, no `+`, and a digit on each side of `.`; values nest at most 127 deep; nothing
//! follows the document. A syntax error is a [`SyntaxError`]: what was expected and where
//! (line and column, both from 1), for the caller's `invalid_json` message.
//!
//! ```text
//! let mut r = Reader::new(r#"{"a": [1, "x"], "b": 2}"#);
//! r.begin_object()?;
//! let mut first = true;
//! while let Some(key) = r.next_key(&mut first)? {
//!     let raw = r.value()?; // the value's text: `[1, "x"]`, then `2`
//! }
//! r.end()?;
//! ```

use alloc::borrow::Cow;
use alloc::string::String;

/// The top-level field a document may carry to name its JSON Schema: it must be a string, and
/// readers skip it.
pub(crate) const SCHEMA_KEY: &str = "$schema";

/// How deep values may nest (arrays and objects): 127 levels, as in `serde_json`.
const MAX_DEPTH: usize = 128;

/// A syntax error (or a document-shape error found while reading): what, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// What was expected or found (`expected ':'`).
    pub(crate) what: Cow<'static, str>,
    /// Byte offset in the text where it was found.
    pub(crate) at: usize,
}

/// A cursor over JSON text.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    /// An error at the current position.
    pub(crate) fn error(&self, what: impl Into<Cow<'static, str>>) -> SyntaxError {
        SyntaxError {
            what: what.into(),
            at: self.at,
        }
    }

    /// `error` as a message naming the line and column (`expected ':' at line 1 column 7`).
    pub(crate) fn describe(&self, e: &SyntaxError) -> String {
        let before = &self.bytes[..e.at.min(self.bytes.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        // Columns count characters, not bytes: the bytes that start one (no UTF-8
        // continuation byte) before the error.
        let column = 1 + self.bytes[line_start..before.len()]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        let mut m = String::from(e.what.as_ref());
        m.push_str(" at line ");
        push_decimal(&mut m, line);
        m.push_str(" column ");
        push_decimal(&mut m, column);
        m
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8, what: &'static str) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    /// `expected X`, or `EOF while parsing` at the end of the text.
    fn unexpected(&self, what: &'static str) -> SyntaxError {
        if self.at >= self.bytes.len() {
            self.error("EOF while parsing a value")
        } else {
            self.error(what)
        }
    }

    /// Reads `{`.
    pub(crate) fn begin_object(&mut self) -> Result<(), SyntaxError> {
        self.eat(b'{', "expected an object")
    }

    /// The next key of an object whose `{` was read (`None` at its `}`), with its `:` read.
    /// `first` starts true and tells whether a `,` must come before the key.
    pub(crate) fn next_key(
        &mut self,
        first: &mut bool,
    ) -> Result<Option<Cow<'a, str>>, SyntaxError> {
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(None);
        }
        if !*first {
            self.eat(b',', "expected ',' or '}'")?;
            if self.peek() == Some(b'}') {
                return Err(self.error("trailing comma"));
            }
        }
        *first = false;
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("expected a string key"));
        }
        let key = self.string()?;
        self.eat(b':', "expected ':'")?;
        Ok(Some(key))
    }

    /// Reads `[`.
    pub(crate) fn begin_array(&mut self) -> Result<(), SyntaxError> {
        self.eat(b'[', "expected an array")
    }

    /// Whether another item of an array whose `[` was read follows (`false` at its `]`, which
    /// is read); the `,` before it is read. `first` starts true, as for [`Reader::next_key`].
    pub(crate) fn next_item(&mut self, first: &mut bool) -> Result<bool, SyntaxError> {
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(false);
        }
        if !*first {
            self.eat(b',', "expected ',' or ']'")?;
            if self.peek() == Some(b']') {
                return Err(self.error("trailing comma"));
            }
        }
        *first = false;
        Ok(true)
    }

    /// Whitespace, then the end of the text.
    pub(crate) fn end(&mut self) -> Result<(), SyntaxError> {
        if self.peek().is_some() {
            return Err(self.error("trailing characters"));
        }
        Ok(())
    }

    /// A string value (after whitespace), its escapes decoded: borrowed from the text when it
    /// has none, else an owned copy (from its first escape on).
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("expected a string"));
        }
        self.at += 1;
        let start = self.at;
        // `owned`: the text before `run`, escapes decoded, once the first escape is seen.
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            let Some(&b) = self.bytes.get(self.at) else {
                return Err(self.error("EOF while parsing a string"));
            };
            match b {
                b'"' => {
                    let rest = &self.text[run..self.at];
                    self.at += 1;
                    return Ok(match owned {
                        None => Cow::Borrowed(rest),
                        Some(mut s) => {
                            s.push_str(rest);
                            Cow::Owned(s)
                        }
                    });
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[run..self.at]);
                    let c = self.escape()?;
                    s.push(c);
                    run = self.at;
                }
                0..=0x1F => return Err(self.error("control character in a string")),
                _ => self.at += 1,
            }
        }
    }

    /// The escape at `\`, decoded.
    fn escape(&mut self) -> Result<char, SyntaxError> {
        self.at += 1; // the backslash
        let Some(&b) = self.bytes.get(self.at) else {
            return Err(self.error("EOF while parsing a string"));
        };
        self.at += 1;
        if let Some(c) = short_escape(b) {
            return Ok(c);
        }
        Ok(match b {
            b'u' => {
                let high = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&high) {
                    if self.bytes.get(self.at..self.at + 2) != Some(b"\\u") {
                        return Err(self.error("lone leading surrogate in hex escape"));
                    }
                    self.at += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error("lone leading surrogate in hex escape"));
                    }
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..0xE000).contains(&high) {
                    return Err(self.error("lone trailing surrogate in hex escape"));
                } else {
                    high
                };
                // In range and not a surrogate by construction.
                char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))?
            }
            _ => {
                self.at -= 1;
                return Err(self.error("invalid escape"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut v = 0;
        for _ in 0..4 {
            let d = match self.bytes.get(self.at) {
                Some(&b @ b'0'..=b'9') => b - b'0',
                Some(&b @ (b'a'..=b'f' | b'A'..=b'F')) => (b | 0x20) - b'a' + 10,
                Some(_) => return Err(self.error("invalid escape")),
                None => return Err(self.error("EOF while parsing a string")),
            };
            v = v * 16 + u32::from(d);
            self.at += 1;
        }
        Ok(v)
    }

    /// Any value (after whitespace), checked and skipped; its text.
    pub(crate) fn value(&mut self) -> Result<&'a str, SyntaxError> {
        self.ws();
        let start = self.at;
        self.skip(1)?;
        Ok(&self.text[start..self.at])
    }

    fn skip(&mut self, depth: usize) -> Result<(), SyntaxError> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{') => {
                self.nest(depth)?;
                let mut first = true;
                while self.next_key(&mut first)?.is_some() {
                    self.skip(depth + 1)?;
                }
                Ok(())
            }
            Some(b'[') => {
                self.nest(depth)?;
                let mut first = true;
                while self.next_item(&mut first)? {
                    self.skip(depth + 1)?;
                }
                Ok(())
            }
            Some(b't') => self.word("true"),
            Some(b'f') => self.word("false"),
            Some(b'n') => self.word("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.unexpected("expected value")),
        }
    }

    /// Steps into `{` or `[` one level deeper.
    fn nest(&mut self, depth: usize) -> Result<(), SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.at += 1;
        Ok(())
    }

    fn word(&mut self, word: &'static str) -> Result<(), SyntaxError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(())
        } else {
            Err(self.error("expected value"))
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, within what serde_json reads
    /// ([`out_of_range`]: `1e309` is `number out of range`).
    fn number(&mut self) -> Result<(), SyntaxError> {
        let start = self.at;
        self.number_text()?;
        if let Some(end) = out_of_range(&self.bytes[start..self.at]) {
            // Where serde_json reports it: at the last byte it read.
            return Err(SyntaxError {
                what: Cow::Borrowed("number out of range"),
                at: start + end - 1,
            });
        }
        Ok(())
    }

    fn number_text(&mut self) -> Result<(), SyntaxError> {
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match self.bytes.get(self.at) {
            Some(b'0') => {
                self.at += 1;
                if matches!(self.bytes.get(self.at), Some(b'0'..=b'9')) {
                    return Err(self.error("invalid number: leading zero"));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.unexpected("invalid number")),
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Result<(), SyntaxError> {
        if !matches!(self.bytes.get(self.at), Some(b'0'..=b'9')) {
            return Err(self.unexpected("invalid number"));
        }
        self.digits();
        Ok(())
    }
}

/// Whether serde_json refuses the number `raw` (grammar already checked) as `number out of
/// range`, and if so how many of its bytes it had read: the same computation as serde_json's
/// (without its `float_roundtrip` feature). It keeps up to 19 or 20 significant digits in a
/// `u64` (digits past that count in the exponent before the point and are dropped after it),
/// reads the exponent (one past `i32` is out of range unless the digits are zero or the
/// exponent negative), then multiplies the digits, as a double, by the double nearest `10^e`:
/// out of range when that is infinite or `e` is past 308 with digits that are not zero. Below
/// `10^289` the product cannot overflow (the digits are below 2^64), so only the 20 powers from
/// `1e289` to `1e308` are needed; a negative exponent never overflows.
fn out_of_range(raw: &[u8]) -> Option<usize> {
    const POW10_FROM_289: [f64; 20] = [
        1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299, 1e300, 1e301,
        1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
    ];
    let (mut significand, mut exponent) = (0u64, 0i32);
    // One pass over the digits before the exponent: `full` once the next digit would overflow
    // (before the point the later digits then raise the exponent; after it they are dropped).
    let (mut after_point, mut full) = (false, false);
    let mut i = usize::from(raw.first() == Some(&b'-'));
    while let Some(&b) = raw.get(i) {
        i += 1;
        match b {
            b'.' => (after_point, full) = (true, false),
            b'0'..=b'9' => {
                let d = u64::from(b - b'0');
                full |= significand >= u64::MAX / 10 && (significand > u64::MAX / 10 || d > 5);
                if !full {
                    significand = significand * 10 + d;
                    exponent -= i32::from(after_point);
                } else if !after_point {
                    exponent += 1;
                }
            }
            _ => break,
        }
    }
    // The exponent: `i` is past the `e` (or past the end).
    let negative = raw.get(i) == Some(&b'-');
    i += usize::from(matches!(raw.get(i), Some(b'+' | b'-')));
    let mut e: i32 = 0;
    while let Some(&b) = raw.get(i) {
        i += 1;
        let d = i32::from(b - b'0');
        if e >= i32::MAX / 10 && (e > i32::MAX / 10 || d > 7) {
            return (significand != 0 && !negative).then_some(i);
        }
        e = e * 10 + d;
    }
    exponent = if negative {
        exponent.saturating_sub(e)
    } else {
        exponent.saturating_add(e)
    };
    let refused = match exponent {
        ..=288 => false,
        289..=308 => (significand as f64 * POW10_FROM_289[(exponent - 289) as usize]).is_infinite(),
        _ => significand != 0,
    };
    refused.then_some(raw.len())
}

/// The character a one-letter JSON escape stands for (`n` for `\n`); `None` for `u` and for
/// what is no escape.
pub(crate) fn short_escape(b: u8) -> Option<char> {
    Some(match b {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}

/// A value's text as a whole number from 0 to 2^64-1 (`None` for anything else: a sign, a
/// fraction, an exponent, a string, too large).
pub(crate) fn whole_number(raw: &str) -> Option<u64> {
    if raw.is_empty() {
        return None;
    }
    // A digit loop rather than `str::parse` (whose sign and radix handling every module
    // reading a document would carry); the same accepted set.
    let mut n: u64 = 0;
    for b in raw.bytes() {
        let d = u64::from(b.wrapping_sub(b'0'));
        // Past 2^64 - 1 after this digit: compared with constants, no 128-bit product.
        if d > 9 || n > (u64::MAX - d) / 10 {
            return None;
        }
        n = n * 10 + d;
    }
    Some(n)
}

/// Appends `n` in decimal (without the formatting machinery).
pub(crate) fn push_decimal(s: &mut String, n: usize) {
    push_u64(s, n as u64);
}

/// Appends `n` in decimal (without the formatting machinery).
pub(crate) fn push_u64(s: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        s.push(b as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::decimal_text;

    /// Whether the reader takes `text` as one JSON value and nothing after it.
    fn accepts(text: &str) -> bool {
        let mut r = Reader::new(text);
        r.value().is_ok() && r.end().is_ok()
    }

    #[test]
    fn accepts_what_serde_json_accepts() {
        let deep_ok = "[".repeat(127) + &"]".repeat(127);
        let deep_bad = "[".repeat(128) + &"]".repeat(128);
        let cases = [
            "0",
            "-0",
            "1.5",
            "-1e+3",
            "1E-2",
            "123456789012345678901234567890",
            "01",
            "1.",
            ".5",
            "+1",
            "-",
            "1e",
            "--1",
            "true",
            "false",
            "null",
            "nul",
            "tru",
            "\"\"",
            "\"a\\\"b\"",
            "\"\\u00e9\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud83d\"",
            "\"\\ude00\"",
            "\"\\ud83dx\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\t\"",
            "\"é\"",
            "[]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "{}",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":1 \"b\":2}",
            " \t\r\n[ 1 , {\"x\" : [null]} ] ",
            "[1]x",
            "",
            " ",
            "\u{c}1",
            "[1]\u{a0}",
            "{\"a\":{\"b\":{}}}",
            "\"unterminated",
            "[\"a\"",
            "{\"a\":",
            &deep_ok,
            &deep_bad,
            "1E9999",
            "-1e309",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "17976931348623159e292",
            "179769313486231580000000000000000e276",
            "0e99999999999",
            "0.0e99999999999",
            "1e-99999999999",
            "1e99999999999",
            "-1e2147483647",
            "1e2147483648",
            "[1e400]",
        ];
        for text in cases {
            let want = serde_json::from_str::<serde_json::Value>(text).is_ok();
            assert_eq!(accepts(text), want, "{text:?}");
        }
    }

    /// Numbers near the largest double, with many digits and long exponents: refused exactly
    /// when serde_json refuses them, with its message at its line and column.
    #[test]
    fn numbers_out_of_range_are_serde_jsons() {
        use alloc::string::ToString;
        use alloc::vec::Vec;
        let mut cases: Vec<String> = Vec::new();
        for mantissa in [
            "1",
            "0",
            "0.0",
            "9",
            "17976931348623157",
            "17976931348623158",
            "17976931348623159",
            "1797693134862315708",
            "18446744073709551615",
            "18446744073709551616",
            "184467440737095516150000",
            "1.8446744073709551615",
            "0.000000000000000000001",
            "1.7976931348623157",
            "1.7976931348623158",
            "1.797693134862315807937289714053",
        ] {
            for exp in [
                "",
                "e0",
                "e288",
                "e289",
                "e290",
                "e291",
                "e292",
                "e300",
                "e307",
                "e308",
                "e309",
                "e-309",
                "e+308",
                "E308",
                "e2147483647",
                "e2147483648",
                "e-2147483648",
                "e99999999999999",
                "e-99999999999999",
                "e000000000000000000308",
            ] {
                cases.push(alloc::format!("{mantissa}{exp}"));
                cases.push(alloc::format!("-{mantissa}{exp}"));
            }
        }
        cases.push(alloc::format!("1{}", "0".repeat(309)));
        cases.push(alloc::format!("1{}", "0".repeat(308)));
        cases.push(alloc::format!("0.{}1e330", "0".repeat(30)));
        for (k, text) in cases.iter().enumerate() {
            // Also inside a document, after a line break, where the column counts.
            let doc = alloc::format!("{{\"a\":\n  [ {text} ] }}");
            for text in [text.as_str(), doc.as_str()] {
                let mut r = Reader::new(text);
                let ours = r.value().and_then(|_| r.end()).map_err(|e| r.describe(&e));
                let theirs =
                    serde_json::from_str::<serde_json::Value>(text).map_err(|e| e.to_string());
                assert_eq!(
                    ours.is_ok(),
                    theirs.is_ok(),
                    "{k}: {text}: {ours:?} / {theirs:?}"
                );
                if let (Err(ours), Err(theirs)) = (&ours, &theirs) {
                    assert_eq!(ours, theirs, "{text}");
                }
            }
        }
    }

    #[test]
    fn strings_decode_their_escapes_and_borrow_without_any() {
        let mut r = Reader::new(r#""plain" "a\"b\\c\/\n\u00e9\ud83d\ude00""#);
        assert!(matches!(r.string(), Ok(Cow::Borrowed("plain"))));
        assert_eq!(r.string().unwrap(), "a\"b\\c/\né😀");
        assert!(r.end().is_ok());
    }

    #[test]
    fn errors_name_line_and_column_in_characters() {
        let text = "{\n  \"é\": [1,\n  2,,]}";
        let mut r = Reader::new(text);
        let e = r.value().unwrap_err();
        assert_eq!(r.describe(&e), "expected value at line 3 column 5");
        // A column counts each character once, however many bytes it takes.
        let text = "{\"é😀\u{80}\": x}";
        let mut r = Reader::new(text);
        let e = r.value().unwrap_err();
        assert_eq!(r.describe(&e), "expected value at line 1 column 9");
        let mut r = Reader::new("[1");
        let e = r.value().unwrap_err();
        assert_eq!(
            r.describe(&e),
            "EOF while parsing a value at line 1 column 3"
        );
    }

    #[test]
    fn whole_numbers_are_plain_digits_within_u64() {
        assert_eq!(whole_number("0"), Some(0));
        assert_eq!(whole_number("18446744073709551615"), Some(u64::MAX));
        assert_eq!(whole_number("0018446744073709551615"), Some(u64::MAX));
        assert_eq!(whole_number("007"), Some(7));
        // The same as `str::parse` on every digit string around the limits.
        for n in [
            0u64,
            9,
            10,
            99,
            u64::MAX / 10,
            u64::MAX / 10 + 1,
            u64::MAX - 1,
        ] {
            assert_eq!(whole_number(&decimal_text(n)), Some(n));
        }
        for bad in [
            "18446744073709551616",
            "99999999999999999999",
            "-1",
            "+1",
            "1.0",
            "1e3",
            "\"1\"",
            "",
            " 1",
            "1 ",
            "١",
        ] {
            assert_eq!(whole_number(bad), None, "{bad}");
        }
        let mut s = String::new();
        push_decimal(&mut s, 0);
        push_decimal(&mut s, 907);
        assert_eq!(s, "0907");
    }
}
