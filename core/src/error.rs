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
/// shortest round-trip form (`1.5`, `1e300`, `NaN`, `inf`), without `core::fmt`'s float code.
#[cfg(feature = "alloc")]
pub(crate) fn float_text(x: f64) -> alloc::string::String {
    const WHOLE: f64 = 9_007_199_254_740_992.0;
    if x > -WHOLE && x < WHOLE && (x as i64) as f64 == x {
        return alloc::string::ToString::to_string(&(x as i64));
    }
    alloc::string::String::from(zmij::Buffer::new().format(x))
}
