//! What every stepstone error has in common: a stable machine code.
//!
//! Each area has its own `#[non_exhaustive]` error enum (`CatalogError`, `PlanError`, ...);
//! every one implements [`ErrorCode`]. Codes are `area.reason` strings (`catalog.duplicate_version`)
//! that never change once published: bindings, the CLI and the conformance vectors match on them.
//!
//! Every code is in one table, the [registry](REGISTRY) (`docs/errors.md` lists it): its
//! meaning, its area and, for the codes the device port reports, its C status. Core's errors
//! take their codes from it ([`codes`]) and give them as a [`Code`] too ([`Registered`]).
//!
//! ```
//! use stepstone::error::ErrorCode;
//! use stepstone::version::{check, Scheme};
//! let err = check("v6x", Scheme::Integer).unwrap_err();
//! assert_eq!(err.code(), "version.malformed");
//! ```

/// Human-readable detail inside an error (a reason, a field name): the text with feature
/// `messages` (implied by `alloc`), else `""`. Codes and every decision are the same either way;
/// the device port, which reports numeric statuses, leaves the text out of its flash.
macro_rules! detail {
    ($text:literal) => {
        if cfg!(feature = "messages") {
            $text
        } else {
            ""
        }
    };
}
pub(crate) use detail;

mod registry;

#[cfg(feature = "alloc")]
mod float_text;
#[cfg(all(feature = "host-floats", target_family = "wasm"))]
pub use float_text::{HostNumberText, set_host_number_text};

#[cfg(all(test, feature = "std"))]
mod message_tests;

pub use registry::{
    ALL, AREAS, Area, Code, Device, DeviceStatus, Entry, REGISTRY, Registered, codes,
};

/// An error with a stable machine code.
pub trait ErrorCode {
    /// The stable code, `area.reason`.
    fn code(&self) -> &'static str;
}

/// Cuts user input quoted in an error message to 160 bytes (on a char boundary), so a
/// megabyte of garbage does not become a megabyte of message.
#[cfg(feature = "alloc")]
pub(crate) fn clip(value: &str) -> alloc::string::String {
    const MAX: usize = 160;
    if value.len() <= MAX {
        return alloc::string::String::from(value);
    }
    let mut end = MAX;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    let mut s = alloc::string::String::from(&value[..end]);
    s.push('…');
    s
}

/// A float as an error message shows it: whole numbers as integers (`-1`, `0`), others in their
/// shortest round-trip form in zmij's layout (`1.5`, `1e+300`, `NaN`, `inf`), without
/// `core::fmt`'s float code (in WASM builds with feature `host-floats`, from the JavaScript
/// host's digits: `error/float_text.rs`).
#[cfg(feature = "alloc")]
pub(crate) fn float_text(x: f64) -> alloc::string::String {
    const WHOLE: f64 = 9_007_199_254_740_992.0;
    if x > -WHOLE && x < WHOLE && (x as i64) as f64 == x {
        let mut s = alloc::string::String::new();
        if x < 0.0 {
            s.push('-');
        }
        crate::json_read::push_u64(&mut s, (x as i64).unsigned_abs());
        return s;
    }
    float_text::shortest(x)
}

/// `n` in decimal, as `n.to_string()` gives it, without `core::fmt` (the sampling WASM module
/// links none; its glue writes periods with it).
///
/// ```
/// assert_eq!(stepstone::error::decimal_text(18446744073709551615), "18446744073709551615");
/// assert_eq!(stepstone::error::decimal_text(0), "0");
/// ```
#[cfg(feature = "alloc")]
pub fn decimal_text(n: u64) -> alloc::string::String {
    let mut s = alloc::string::String::new();
    crate::json_read::push_u64(&mut s, n);
    s
}

/// Bytes as lowercase hex, two digits a byte (as `{:02x}` per byte writes them), without
/// `core::fmt`: digests and key ids in the WASM modules' answers and in `Catalog::to_json`.
///
/// ```
/// assert_eq!(stepstone::error::hex_text(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
/// assert_eq!(stepstone::error::hex_text(&42u64.to_be_bytes()), "000000000000002a");
/// ```
#[cfg(feature = "alloc")]
pub fn hex_text(bytes: &[u8]) -> alloc::string::String {
    let mut s = alloc::string::String::with_capacity(2 * bytes.len());
    for &b in bytes {
        s.push(hex_digit(u32::from(b >> 4)));
        s.push(hex_digit(u32::from(b & 15)));
    }
    s
}

/// Appends text in double quotes for a message, `"` and `\\` escaped and control characters
/// written as `\n`, `\t`, `\u{1}`, ... (as `{:?}` writes them, except that other characters are
/// kept as they are), with `push_str` alone: the sampling errors quote with it so that the
/// sampling WASM module links neither `Debug` for `str` (and its Unicode tables) nor `core::fmt`.
///
/// ```text
/// push_quoted(s, "a\"b\n") appends "a\"b\n"
/// ```
#[cfg(feature = "alloc")]
pub(crate) fn push_quoted(s: &mut alloc::string::String, text: &str) {
    s.push('"');
    let mut run = 0;
    for (i, c) in text.char_indices() {
        if c == '"' || c == '\\' || c.is_control() {
            s.push_str(&text[run..i]);
            s.push('\\');
            match c {
                '\n' => s.push('n'),
                '\r' => s.push('r'),
                '\t' => s.push('t'),
                '\0' => s.push('0'),
                '"' | '\\' => s.push(c),
                _ => {
                    // Control characters are below U+00A0: two hex digits at most.
                    s.push_str("u{");
                    let n = c as u32;
                    if n >= 16 {
                        s.push(hex_digit(n >> 4));
                    }
                    s.push(hex_digit(n & 15));
                    s.push('}');
                }
            }
            run = i + c.len_utf8();
        }
    }
    s.push_str(&text[run..]);
    s.push('"');
}

/// Text in double quotes for `Display`, as [`push_quoted`] writes it (manifest errors quote
/// with it).
#[cfg(feature = "alloc")]
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

#[cfg(feature = "alloc")]
impl core::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut s = alloc::string::String::new();
        push_quoted(&mut s, self.0);
        f.write_str(&s)
    }
}

/// An error whose message can be built with no `core::fmt` (`push_str` and the core's own
/// number and quoting writers): the WASM modules build their errors' messages with it, so that a
/// module links no formatting machinery. The text is the one [`Display`](core::fmt::Display)
/// shows, word for word: both are written by one function per error type (through a
/// [`Sink`]).
///
/// ```
/// use stepstone::error::ErrorMessage;
/// use stepstone::retry::RetryError;
/// let e = RetryError::Jitter(1_000_001);
/// assert_eq!(e.message(), "jitter_ppm must be at most 1000000, got 1000001");
/// assert_eq!(e.message(), e.to_string());
/// ```
#[cfg(feature = "alloc")]
pub trait ErrorMessage: ErrorCode {
    /// The message, as `to_string()` gives it.
    fn message(&self) -> alloc::string::String;
}

/// Where an error's message is written, piece by piece: a `String` (what
/// [`ErrorMessage::message`] builds, without `core::fmt`, and what `Display` writes on builds
/// with `alloc`) or, on builds without `alloc`, a `Formatter` through [`FmtSink`].
pub(crate) trait Sink {
    /// Appends text.
    fn text(&mut self, s: &str);
    /// Appends `n` in decimal, as `{}` writes it.
    fn decimal(&mut self, n: u64);
    /// Appends text quoted as [`push_quoted`] quotes it.
    #[cfg(feature = "alloc")]
    fn quoted(&mut self, s: &str);
}

#[cfg(feature = "alloc")]
impl Sink for alloc::string::String {
    fn text(&mut self, s: &str) {
        self.push_str(s);
    }
    fn decimal(&mut self, n: u64) {
        crate::json_read::push_u64(self, n);
    }
    fn quoted(&mut self, s: &str) {
        push_quoted(self, s);
    }
}

/// A [`Sink`] over a `Formatter`, for `Display`: every error's on builds without `alloc` (the
/// device port), and with `alloc` where a type writes its pieces straight to a formatter (key
/// ids, manifest lines). The first failure of the formatter is kept and given back by
/// [`FmtSink::finish`] (later pieces are not written).
pub(crate) struct FmtSink<'a, 'b> {
    f: &'a mut core::fmt::Formatter<'b>,
    result: core::fmt::Result,
}

impl<'a, 'b> FmtSink<'a, 'b> {
    /// A sink writing to `f`.
    pub(crate) fn new(f: &'a mut core::fmt::Formatter<'b>) -> FmtSink<'a, 'b> {
        FmtSink { f, result: Ok(()) }
    }

    /// What writing gave: `Err` if the formatter refused a piece.
    pub(crate) fn finish(self) -> core::fmt::Result {
        self.result
    }
}

impl Sink for FmtSink<'_, '_> {
    fn text(&mut self, s: &str) {
        if self.result.is_ok() {
            self.result = self.f.write_str(s);
        }
    }
    fn decimal(&mut self, n: u64) {
        // Through fresh arguments, as `write!` of a message wrote its numbers: the formatter's
        // own width and fill are not applied.
        if self.result.is_ok() {
            self.result = self.f.write_fmt(format_args!("{n}"));
        }
    }
    #[cfg(feature = "alloc")]
    fn quoted(&mut self, s: &str) {
        let mut q = alloc::string::String::new();
        push_quoted(&mut q, s);
        self.text(&q);
    }
}

/// `Display` and [`ErrorMessage`] for an error type with a `write_message(&self, &mut impl
/// Sink)`: both write the same text, `message()` without `core::fmt`. With `alloc`, `Display`
/// writes the `String` that `message()` builds (one instance of `write_message` in a build that
/// uses both); without, it writes the pieces to the formatter.
macro_rules! message_from_sink {
    ($t:ty) => {
        impl core::fmt::Display for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                #[cfg(feature = "alloc")]
                {
                    f.write_str(&$crate::error::ErrorMessage::message(self))
                }
                #[cfg(not(feature = "alloc"))]
                {
                    let mut sink = $crate::error::FmtSink::new(f);
                    self.write_message(&mut sink);
                    sink.finish()
                }
            }
        }

        #[cfg(feature = "alloc")]
        impl $crate::error::ErrorMessage for $t {
            fn message(&self) -> alloc::string::String {
                let mut m = alloc::string::String::new();
                self.write_message(&mut m);
                m
            }
        }
    };
}
pub(crate) use message_from_sink;

/// For the tests of error messages: every error's `message()` and `to_string()` are the text
/// `before` gives (the format string its `#[error(...)]` attribute had), and `errors` holds
/// `variants` different variants.
#[cfg(all(test, feature = "std"))]
pub(crate) fn assert_messages<E: ErrorMessage + core::fmt::Debug + core::fmt::Display>(
    errors: &[E],
    variants: usize,
    before: impl Fn(&E) -> alloc::string::String,
) {
    use alloc::string::ToString;
    let mut seen: alloc::vec::Vec<alloc::string::String> = errors
        .iter()
        .map(|e| alloc::format!("{:?}", core::mem::discriminant(e)))
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), variants, "every variant is compared");
    for e in errors {
        assert_eq!(e.message(), before(e), "{e:?}");
        assert_eq!(e.to_string(), e.message(), "{e:?}");
    }
}

/// A lowercase hex digit (`n` below 16).
#[cfg(feature = "alloc")]
fn hex_digit(n: u32) -> char {
    char::from(b"0123456789abcdef"[(n & 15) as usize])
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::{float_text, push_quoted};
    use alloc::format;
    use alloc::string::String;

    fn quoted(text: &str) -> String {
        let mut s = String::new();
        push_quoted(&mut s, text);
        s
    }

    #[test]
    fn quoted_writes_ascii_as_debug_does() {
        for text in [
            "",
            "metrics",
            "a\"b",
            "back\\slash",
            "new\nline\t\r\0\u{1}",
            "del\u{7f}",
            "\u{1f}\u{9f}\u{85}x\u{10}",
        ] {
            assert_eq!(quoted(text), format!("{text:?}"), "{text:?}");
        }
        // Every control character (all are below U+00A0), alone and between text.
        for c in (0..0xa0u32).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            assert_eq!(quoted(&text), format!("{text:?}"), "{text:?}");
        }
        // Other characters are kept as they are.
        assert_eq!(quoted("é\u{200b}"), "\"é\u{200b}\"");
    }

    #[test]
    fn floats_show_whole_numbers_as_integers_and_others_shortest() {
        assert_eq!(float_text(-1.0), "-1");
        assert_eq!(float_text(0.0), "0");
        assert_eq!(float_text(1.5), "1.5");
        assert_eq!(float_text(0.1), "0.1");
        assert_eq!(float_text(1e300), "1e+300");
        assert_eq!(float_text(f64::NAN), "NaN");
        assert_eq!(float_text(f64::NEG_INFINITY), "-inf");
    }
}
