//! Small text helpers for messages, written without the standard library's generic code
//! (`[S]::join` links a 0.9 KB generic routine into every WASM module that calls it) and
//! without `core::fmt`: [`text!`] builds a message from its pieces with `push_str` alone, so a
//! WASM module whose messages are all built this way links no formatting machinery.

use alloc::string::String;

use crate::error::Quoted;
use crate::version::{Scheme, Version, VersionError};

/// A piece of a message: appends its text as `{}` (`Display`) would show it, without
/// `core::fmt`. Strings as they are, integers in decimal, [`Quoted`] in double quotes (as
/// [`crate::error::push_quoted`] writes them), versions as spelled, schemes by name.
pub(crate) trait Piece {
    /// Appends the piece to `out`.
    fn push_to(&self, out: &mut String);
}

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn push_to(&self, out: &mut String) {
        out.push(*self);
    }
}

impl Piece for u64 {
    fn push_to(&self, out: &mut String) {
        crate::json_read::push_u64(out, *self);
    }
}

impl Piece for usize {
    fn push_to(&self, out: &mut String) {
        crate::json_read::push_decimal(out, *self);
    }
}

impl Piece for Quoted<'_> {
    fn push_to(&self, out: &mut String) {
        crate::error::push_quoted(out, self.0);
    }
}

impl Piece for Version {
    fn push_to(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

impl Piece for Scheme {
    fn push_to(&self, out: &mut String) {
        out.push_str(self.name());
    }
}

impl Piece for VersionError {
    fn push_to(&self, out: &mut String) {
        self.write_message(out);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

/// A message from its pieces, as `format!` of the same pieces with `{}` gives it, without
/// `core::fmt`: `text!("target ", target, " is not for model ", Quoted(model))`.
macro_rules! text {
    ($($piece:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut out = alloc::string::String::new();
        $( $crate::text::Piece::push_to(&$piece, &mut out); )*
        out
    }};
}
pub(crate) use text;

/// Appends pieces to a `String`, as `write!(out, ...)` of them would.
macro_rules! push_text {
    ($out:expr; $($piece:expr),* $(,)?) => {{
        let out: &mut alloc::string::String = $out;
        $( $crate::text::Piece::push_to(&$piece, out); )*
    }};
}
pub(crate) use push_text;

/// [`ErrorMessage`](crate::error::ErrorMessage) for error types whose own `message()` builds it.
macro_rules! message_by_method {
    ($($t:ty),* $(,)?) => {
        $(impl crate::error::ErrorMessage for $t {
            fn message(&self) -> String {
                <$t>::message(self).into()
            }
        })*
    };
}

message_by_method!(
    crate::catalog::CatalogError,
    crate::catalog::CatalogErrors,
    crate::plan::PlanError,
    crate::graph::GraphError,
    crate::campaign::Refusal,
);

/// `items` with `sep` between them, as `items.join(sep)` gives them.
///
/// ```text
/// join(&["a", "b"], ", ") == "a, b"; join::<&str>(&[], ", ") == ""
/// ```
pub(crate) fn join<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use alloc::format;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    use super::join;
    use crate::error::Quoted;
    use crate::version::{Scheme, Version, VersionErrorKind};

    #[test]
    fn text_writes_what_format_writes() {
        let v = Version::parse("v66001", Scheme::Integer).unwrap();
        let owned = String::from("owned");
        let got = text!(
            "a ",
            7usize,
            ' ',
            u64::MAX,
            " ",
            Quoted("q\"\n"),
            " ",
            v,
            " ",
            Scheme::Dotted,
            " ",
            &owned,
            ""
        );
        let want = format!(
            "a {}{}{} {} {} {} {}{}",
            7usize,
            ' ',
            u64::MAX,
            Quoted("q\"\n"),
            v,
            Scheme::Dotted,
            owned,
            ""
        );
        assert_eq!(got, want);
        assert_eq!(text!(), "");
        let mut s = String::from("x");
        push_text!(&mut s; ": ", 0usize);
        assert_eq!(s, "x: 0");
    }

    /// Every version error kind.
    pub(crate) const KINDS: [VersionErrorKind; 5] = [
        VersionErrorKind::Empty,
        VersionErrorKind::TooLong,
        VersionErrorKind::Malformed,
        VersionErrorKind::Overflow,
        VersionErrorKind::EmptyRange,
    ];

    /// Checks that each error's `message()` and `to_string()` are the text beside it; gives how
    /// many codes the cases cover.
    pub(crate) fn same_messages<E>(cases: &[(E, String)]) -> usize
    where
        E: crate::error::ErrorMessage + core::fmt::Display + core::fmt::Debug,
    {
        for (e, want) in cases {
            assert_eq!(&e.message(), want, "{e:?}");
            assert_eq!(&e.to_string(), want, "{e:?}");
        }
        let mut seen: Vec<&str> = cases.iter().map(|(e, _)| e.code()).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }

    #[test]
    fn joins_as_the_standard_join_does() {
        let lists: [&[&str]; 5] = [&[], &[""], &["a"], &["a", "b"], &["x", "", "yz", "é"]];
        for list in lists {
            for sep in ["", ",", ", "] {
                assert_eq!(join(list, sep), list.join(sep));
                let owned: Vec<_> = list.iter().map(|s| s.to_string()).collect();
                assert_eq!(join(&owned, sep), owned.join(sep));
            }
        }
    }
}
