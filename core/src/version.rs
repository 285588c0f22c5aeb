//! Version schemes, parsing and ordering.
//!
//! A catalog has exactly one [`Scheme`]:
//!
//! * [`Scheme::Integer`]: build numbers, spelled `64000` or `v64000` (the same version),
//!   ordered numerically.
//! * [`Scheme::Semver`]: SemVer 2.0 with its precedence rules (read by the core itself, [`SemverKey`]). Build
//!   metadata does not order: two versions that differ only in it are the same version.
//! * [`Scheme::Dotted`]: numeric components separated by dots, any count (Fedora CoreOS
//!   `38.20231027.3.2`, builds such as `4.2.1.1207`), compared component by component as
//!   numbers; a missing trailing component counts as 0, so `4.2` and `4.2.0` are equal.
//!
//! Every scheme accepts one optional leading `v` (`v1.2.3`, `v38.2023`), because that is how
//! people write versions in tags and file names; output keeps the spelling it was given.
//!
//! Two layers live here:
//! * [`compare`] works on plain `&str` with no heap at all, for the device port;
//! * [`Version`] (feature `alloc`) is a parsed version that keeps its spelling and orders by its
//!   [`VersionKey`]. Both layers give the same order (a property test holds them together).
//!
//! ```
//! use stepstone::version::{Scheme, Version};
//! let a = Version::parse("v66003", Scheme::Integer).unwrap();
//! let b = Version::parse("66003", Scheme::Integer).unwrap();
//! assert_eq!(a, b);
//! assert_eq!(a.as_str(), "v66003");
//! assert!(Version::parse("4.2", Scheme::Dotted).unwrap()
//!     == Version::parse("4.2.0", Scheme::Dotted).unwrap());
//! ```

use core::cmp::Ordering;
use core::fmt;

use crate::error::{Code, ErrorCode, Registered, codes};

/// Longest accepted version string, in bytes. Longer input is refused before it is parsed.
pub const MAX_VERSION_LEN: usize = 128;

/// A catalog's version scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Scheme {
    /// Build numbers: `64000` or `v64000`.
    Integer,
    /// SemVer 2.0.
    Semver,
    /// Dotted numeric components: `38.20231027.3.2`.
    Dotted,
}

impl Scheme {
    /// The scheme's name as catalogs spell it (`integer`, `semver`, `dotted`).
    pub const fn name(self) -> &'static str {
        match self {
            Scheme::Integer => "integer",
            Scheme::Semver => "semver",
            Scheme::Dotted => "dotted",
        }
    }

    /// The name with its indefinite article, for messages: `an integer`, `a semver`,
    /// `a dotted`.
    ///
    /// ```
    /// use stepstone::version::Scheme;
    /// assert_eq!(format!("not {} version", Scheme::Integer.with_article()), "not an integer version");
    /// ```
    pub const fn with_article(self) -> &'static str {
        match self {
            Scheme::Integer => "an integer",
            Scheme::Semver => "a semver",
            Scheme::Dotted => "a dotted",
        }
    }

    /// Parses a scheme name as catalogs spell it.
    pub fn from_name(name: &str) -> Option<Scheme> {
        match name {
            "integer" => Some(Scheme::Integer),
            "semver" => Some(Scheme::Semver),
            "dotted" => Some(Scheme::Dotted),
            _ => None,
        }
    }

    /// Whether `text` is a well-formed version of this scheme. Needs no heap.
    pub fn accepts(self, text: &str) -> bool {
        check(text, self).is_ok()
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a version string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VersionErrorKind {
    /// The string is empty.
    Empty,
    /// The string is longer than [`MAX_VERSION_LEN`].
    TooLong,
    /// The string is not a version of the scheme.
    Malformed,
    /// A numeric component does not fit in 64 bits.
    Overflow,
    /// A version range that no version can satisfy (`>v5, <v3`), or an empty comparator.
    EmptyRange,
}

impl VersionErrorKind {
    /// Stable machine code.
    pub const fn code(self) -> &'static str {
        self.registered().as_str()
    }

    /// The code as a [`Code`] (what [`Registered::registered`] gives), in const contexts.
    pub const fn registered(self) -> Code {
        match self {
            VersionErrorKind::Empty => codes::VERSION_EMPTY,
            VersionErrorKind::TooLong => codes::VERSION_TOO_LONG,
            VersionErrorKind::Malformed => codes::VERSION_MALFORMED,
            VersionErrorKind::Overflow => codes::VERSION_OVERFLOW,
            VersionErrorKind::EmptyRange => codes::VERSION_EMPTY_RANGE,
        }
    }
}

impl VersionErrorKind {
    /// What is wrong, in words (what `Display` shows).
    ///
    /// ```
    /// use stepstone::version::VersionErrorKind;
    /// assert_eq!(VersionErrorKind::Malformed.text(), "malformed version");
    /// assert_eq!(VersionErrorKind::Malformed.to_string(), "malformed version");
    /// ```
    pub const fn text(self) -> &'static str {
        match self {
            VersionErrorKind::Empty => "empty version",
            VersionErrorKind::TooLong => "version longer than 128 bytes",
            VersionErrorKind::Malformed => "malformed version",
            VersionErrorKind::Overflow => "version component does not fit in 64 bits",
            VersionErrorKind::EmptyRange => "version range matches no version",
        }
    }
}

impl fmt::Display for VersionErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl Registered for VersionErrorKind {
    fn registered(&self) -> Code {
        VersionErrorKind::registered(*self)
    }
}

impl ErrorCode for VersionErrorKind {
    fn code(&self) -> &'static str {
        VersionErrorKind::code(*self)
    }
}

fn strip_v(text: &str) -> &str {
    text.strip_prefix('v').unwrap_or(text)
}

fn parse_u64(digits: &str) -> Result<u64, VersionErrorKind> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VersionErrorKind::Malformed);
    }
    let mut n: u64 = 0;
    for b in digits.bytes() {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or(VersionErrorKind::Overflow)?;
    }
    Ok(n)
}

fn check_len(text: &str) -> Result<(), VersionErrorKind> {
    if text.is_empty() {
        Err(VersionErrorKind::Empty)
    } else if text.len() > MAX_VERSION_LEN {
        Err(VersionErrorKind::TooLong)
    } else {
        Ok(())
    }
}

/// Splits a SemVer string (without `v`) into (major, minor, patch, pre-release, build),
/// checking the grammar of SemVer 2.0: no leading zeros in numeric parts, identifiers made of
/// `[0-9A-Za-z-]`, non-empty.
fn split_semver(s: &str) -> Result<(u64, u64, u64, &str), VersionErrorKind> {
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (s, None),
    };
    let (core_part, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, p),
        None => (rest, ""),
    };
    let mut parts = core_part.split('.');
    let mut nums = [0u64; 3];
    for slot in &mut nums {
        let p = parts.next().ok_or(VersionErrorKind::Malformed)?;
        if p.len() > 1 && p.starts_with('0') {
            return Err(VersionErrorKind::Malformed);
        }
        *slot = parse_u64(p)?;
    }
    if parts.next().is_some() {
        return Err(VersionErrorKind::Malformed);
    }
    let ident_ok =
        |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if rest.contains('-') {
        for id in pre.split('.') {
            if !ident_ok(id) {
                return Err(VersionErrorKind::Malformed);
            }
            if id.bytes().all(|b| b.is_ascii_digit()) && id.len() > 1 && id.starts_with('0') {
                return Err(VersionErrorKind::Malformed);
            }
        }
    }
    if let Some(build) = build
        && !build.split('.').all(ident_ok)
    {
        return Err(VersionErrorKind::Malformed);
    }
    Ok((nums[0], nums[1], nums[2], pre))
}

/// Checks that `text` is a version of `scheme`, without the heap.
pub fn check(text: &str, scheme: Scheme) -> Result<(), VersionErrorKind> {
    check_len(text)?;
    let s = strip_v(text);
    match scheme {
        Scheme::Integer => parse_u64(s).map(|_| ()),
        Scheme::Semver => split_semver(s).map(|_| ()),
        Scheme::Dotted => {
            for part in s.split('.') {
                parse_u64(part)?;
            }
            Ok(())
        }
    }
}

fn cmp_dotted(a: &str, b: &str) -> Result<Ordering, VersionErrorKind> {
    let mut ia = a.split('.');
    let mut ib = b.split('.');
    let mut ord = Ordering::Equal;
    loop {
        let (pa, pb) = (ia.next(), ib.next());
        if pa.is_none() && pb.is_none() {
            return Ok(ord);
        }
        let na = pa.map(parse_u64).transpose()?.unwrap_or(0);
        let nb = pb.map(parse_u64).transpose()?.unwrap_or(0);
        if ord == Ordering::Equal {
            ord = na.cmp(&nb);
        }
    }
}

fn cmp_prerelease(a: &str, b: &str) -> Ordering {
    // SemVer 2.0 §11: a version without pre-release has higher precedence.
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut ia = a.split('.');
    let mut ib = b.split('.');
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let xn = x.bytes().all(|c| c.is_ascii_digit());
                let yn = y.bytes().all(|c| c.is_ascii_digit());
                let o = match (xn, yn) {
                    // Numeric identifiers have no leading zeros (checked), so length then
                    // lexical order is numeric order, with no overflow.
                    (true, true) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// Compares two version strings of one scheme, without the heap.
///
/// Both strings are checked; the first malformed one is an error.
///
/// ```
/// use core::cmp::Ordering;
/// use stepstone::version::{compare, Scheme};
/// assert_eq!(compare("v66003", "67000", Scheme::Integer), Ok(Ordering::Less));
/// assert_eq!(compare("1.0.0-rc.1", "1.0.0", Scheme::Semver), Ok(Ordering::Less));
/// assert_eq!(compare("38.20231027.3.2", "38.20231027.3.2.0", Scheme::Dotted), Ok(Ordering::Equal));
/// ```
pub fn compare(a: &str, b: &str, scheme: Scheme) -> Result<Ordering, VersionErrorKind> {
    check(a, scheme)?;
    check(b, scheme)?;
    let (a, b) = (strip_v(a), strip_v(b));
    match scheme {
        Scheme::Integer => Ok(parse_u64(a)?.cmp(&parse_u64(b)?)),
        Scheme::Dotted => cmp_dotted(a, b),
        Scheme::Semver => {
            let (ma, na, pa, prea) = split_semver(a)?;
            let (mb, nb, pb, preb) = split_semver(b)?;
            Ok((ma, na, pa)
                .cmp(&(mb, nb, pb))
                .then_with(|| cmp_prerelease(prea, preb)))
        }
    }
}

#[cfg(feature = "alloc")]
mod parsed;
#[cfg(feature = "alloc")]
mod semver_key;
#[cfg(feature = "alloc")]
pub use parsed::{Comparator, Op, Version, VersionError, VersionKey, VersionRange, detect_scheme};
#[cfg(feature = "alloc")]
pub use semver_key::SemverKey;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_accepts_v_prefix_and_leading_zeros() {
        assert_eq!(
            compare("v64000", "64000", Scheme::Integer),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            compare("064000", "64000", Scheme::Integer),
            Ok(Ordering::Equal)
        );
        assert_eq!(compare("9", "10", Scheme::Integer), Ok(Ordering::Less));
    }

    #[test]
    fn malformed_versions_are_refused_with_a_kind() {
        assert_eq!(check("", Scheme::Integer), Err(VersionErrorKind::Empty));
        assert_eq!(
            check("v", Scheme::Integer),
            Err(VersionErrorKind::Malformed)
        );
        assert_eq!(
            check("1.2", Scheme::Integer),
            Err(VersionErrorKind::Malformed)
        );
        assert_eq!(
            check("18446744073709551616", Scheme::Integer),
            Err(VersionErrorKind::Overflow)
        );
        assert_eq!(
            check("1..2", Scheme::Dotted),
            Err(VersionErrorKind::Malformed)
        );
        assert_eq!(
            check("1.2.", Scheme::Dotted),
            Err(VersionErrorKind::Malformed)
        );
        assert_eq!(
            check("01.2.3", Scheme::Semver),
            Err(VersionErrorKind::Malformed)
        );
        assert_eq!(
            check("1.2.3-", Scheme::Semver),
            Err(VersionErrorKind::Malformed)
        );
        assert_eq!(
            check("1.2.3-01", Scheme::Semver),
            Err(VersionErrorKind::Malformed)
        );
        assert_eq!(
            check("1.2", Scheme::Semver),
            Err(VersionErrorKind::Malformed)
        );
        let long = "1".repeat(MAX_VERSION_LEN + 1);
        assert_eq!(check(&long, Scheme::Dotted), Err(VersionErrorKind::TooLong));
    }

    /// SemVer 2.0 §11's example chain, lowest first.
    pub(super) const SEMVER_SPEC_CHAIN: [&str; 8] = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
    ];

    #[test]
    fn semver_precedence_follows_the_spec_example() {
        let chain = SEMVER_SPEC_CHAIN;
        for w in chain.windows(2) {
            assert_eq!(
                compare(w[0], w[1], Scheme::Semver),
                Ok(Ordering::Less),
                "{w:?}"
            );
        }
        assert_eq!(
            compare("1.0.0+a", "1.0.0+b", Scheme::Semver),
            Ok(Ordering::Equal)
        );
    }

    #[test]
    fn dotted_trailing_zeros_do_not_count() {
        assert_eq!(
            compare("4.2", "4.2.0.0", Scheme::Dotted),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            compare("4.2.1.1207", "4.2.1.999", Scheme::Dotted),
            Ok(Ordering::Greater)
        );
        assert_eq!(
            compare("4.10", "4.9.9", Scheme::Dotted),
            Ok(Ordering::Greater)
        );
    }
}
