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
/// shortest round-trip form (`1.5`, `1e+300`, `NaN`, `inf`), without `core::fmt`'s float code.
#[cfg(feature = "alloc")]
pub(crate) fn float_text(x: f64) -> alloc::string::String {
    const WHOLE: f64 = 9_007_199_254_740_992.0;
    if x > -WHOLE && x < WHOLE && (x as i64) as f64 == x {
        return alloc::string::ToString::to_string(&(x as i64));
    }
    alloc::string::String::from(zmij::Buffer::new().format(x))
}

/// Text in double quotes for a message, `"` and `\\` escaped and control characters written as
/// `\n`, `\t`, `\u{1}`, ... (as `{:?}` writes them, except that other characters are kept as they are): the
/// sampling errors quote with it so that the sampling WASM module links no `Debug` for `str`
/// and its Unicode tables.
///
/// ```text
/// Quoted("a\"b\n") displays as "a\"b\n"
/// ```
#[cfg(feature = "alloc")]
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

#[cfg(feature = "alloc")]
impl core::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use core::fmt::Write;
        f.write_char('"')?;
        let mut run = 0;
        for (i, c) in self.0.char_indices() {
            if c == '"' || c == '\\' || c.is_control() {
                f.write_str(&self.0[run..i])?;
                match c {
                    '\n' => f.write_str("\\n")?,
                    '\r' => f.write_str("\\r")?,
                    '\t' => f.write_str("\\t")?,
                    '\0' => f.write_str("\\0")?,
                    '"' | '\\' => {
                        f.write_char('\\')?;
                        f.write_char(c)?;
                    }
                    _ => write!(f, "\\u{{{:x}}}", c as u32)?,
                }
                run = i + c.len_utf8();
            }
        }
        f.write_str(&self.0[run..])?;
        f.write_char('"')
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::{Quoted, float_text};
    use alloc::format;

    #[test]
    fn quoted_writes_ascii_as_debug_does() {
        for text in [
            "",
            "metrics",
            "a\"b",
            "back\\slash",
            "new\nline\t\r\0\u{1}",
            "del\u{7f}",
        ] {
            assert_eq!(format!("{}", Quoted(text)), format!("{text:?}"), "{text:?}");
        }
        // Other characters are kept as they are.
        assert_eq!(format!("{}", Quoted("é\u{200b}")), "\"é\u{200b}\"");
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
