//! Parsed versions (heap): [`Version`], [`VersionKey`], [`VersionRange`], scheme detection.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};

use super::{MAX_VERSION_LEN, Scheme, SemverKey, VersionErrorKind, check_len, parse_u64, strip_v};
use crate::error::{Code, ErrorCode, Registered, Sink};
use crate::json_read::push_u64;

/// The identity and order of a version, without its spelling.
///
/// Two versions with equal keys are the same version (`v64000` and `64000`; `4.2` and `4.2.0`;
/// `1.0.0+a` and `1.0.0+b`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VersionKey {
    /// An integer build number.
    Integer(u64),
    /// A SemVer version with its build metadata removed.
    Semver(SemverKey),
    /// Dotted components with trailing zeros removed.
    Dotted(Vec<u64>),
}

impl VersionKey {
    /// The key of `text` in `scheme`.
    pub fn parse(text: &str, scheme: Scheme) -> Result<VersionKey, VersionError> {
        let fail = |kind| VersionError::new(kind, text, scheme);
        // The numbers are read once, by the checker's own reader: same errors as `check`.
        check_len(text).map_err(fail)?;
        let s = strip_v(text);
        Ok(match scheme {
            Scheme::Integer => VersionKey::Integer(parse_u64(s).map_err(fail)?),
            Scheme::Semver => VersionKey::Semver(SemverKey::read(s).map_err(fail)?),
            Scheme::Dotted => {
                let mut parts = Vec::new();
                for p in s.split('.') {
                    parts.push(parse_u64(p).map_err(fail)?);
                }
                while parts.last() == Some(&0) {
                    parts.pop();
                }
                VersionKey::Dotted(parts)
            }
        })
    }

    /// The scheme this key belongs to.
    pub fn scheme(&self) -> Scheme {
        match self {
            VersionKey::Integer(_) => Scheme::Integer,
            VersionKey::Semver(_) => Scheme::Semver,
            VersionKey::Dotted(_) => Scheme::Dotted,
        }
    }

    /// A text of the key that parses back to the same key, without `core::fmt`: the integer,
    /// the SemVer version as its `Display` writes it (`1.2.3-rc.1`; a key has no build
    /// metadata), or the dotted components (`4.2`; `0` for a version of zeros).
    ///
    /// ```
    /// use stepstone::version::{Scheme, VersionKey};
    /// let key = |t, s| VersionKey::parse(t, s).unwrap();
    /// assert_eq!(key("v64000", Scheme::Integer).text(), "64000");
    /// assert_eq!(key("v1.2.3-rc.1+b5", Scheme::Semver).text(), "1.2.3-rc.1");
    /// assert_eq!(key("4.2.0.0", Scheme::Dotted).text(), "4.2");
    /// assert_eq!(key("0.0", Scheme::Dotted).text(), "0");
    /// ```
    pub fn text(&self) -> String {
        let mut s = String::new();
        match self {
            VersionKey::Integer(n) => push_u64(&mut s, *n),
            VersionKey::Semver(v) => v.push_to(&mut s),
            VersionKey::Dotted(parts) => {
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        s.push('.');
                    }
                    push_u64(&mut s, *p);
                }
                if parts.is_empty() {
                    s.push('0');
                }
            }
        }
        s
    }

    /// The integer value, for the integer scheme.
    pub fn as_integer(&self) -> Option<u64> {
        match self {
            VersionKey::Integer(n) => Some(*n),
            _ => None,
        }
    }
}

/// A version as a catalog or a device spells it: ordered and compared by its [`VersionKey`],
/// displayed as it was written.
///
/// ```
/// use stepstone::version::{Scheme, Version};
/// let v = Version::parse("38.20231027.3.2", Scheme::Dotted).unwrap();
/// assert!(v < Version::parse("39.20240101.3.0", Scheme::Dotted).unwrap());
/// assert_eq!(v.to_string(), "38.20231027.3.2");
/// ```
#[derive(Debug, Clone)]
pub struct Version {
    key: VersionKey,
    /// Inline up to 23 bytes: a catalog's versions take no allocation of their own.
    text: smol_str::SmolStr,
}

impl Version {
    /// An integer-scheme version whose number a caller has read from `text` exactly as
    /// [`Version::parse`] reads it (the catalog scanner's fast path; tests hold the two equal).
    #[cfg(feature = "serde")]
    pub(crate) fn integer_read(text: &str, n: u64) -> Version {
        Version {
            key: VersionKey::Integer(n),
            // `v` and at most 19 digits: always inline, no allocation (`new_inline` copies
            // the bytes without `new`'s search for a whitespace-only text).
            text: if text.len() <= 23 {
                smol_str::SmolStr::new_inline(text)
            } else {
                smol_str::SmolStr::new(text)
            },
        }
    }

    /// Parses `text` in `scheme`.
    pub fn parse(text: &str, scheme: Scheme) -> Result<Version, VersionError> {
        Ok(Version {
            key: VersionKey::parse(text, scheme)?,
            text: smol_str::SmolStr::new(text),
        })
    }

    /// The spelling this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The version's identity and order.
    pub fn key(&self) -> &VersionKey {
        &self.key
    }

    /// The scheme of this version.
    pub fn scheme(&self) -> Scheme {
        self.key.scheme()
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Version {}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}
impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}
/// The version as it was spelt (what [`Version::as_str`] gives): the JSON writers take
/// versions and strings alike.
impl AsRef<str> for Version {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// A refused version string, naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionError {
    /// What is wrong.
    pub kind: VersionErrorKind,
    /// The refused text (cut to 160 bytes).
    pub value: String,
    /// The scheme it was parsed in.
    pub scheme: Scheme,
}

impl VersionError {
    pub(crate) fn new(kind: VersionErrorKind, value: &str, scheme: Scheme) -> VersionError {
        VersionError {
            kind,
            value: crate::error::clip(value),
            scheme,
        }
    }
}

impl VersionError {
    /// Writes the message (`Display` and [`ErrorMessage`](crate::error::ErrorMessage) both
    /// give it): `"banana" is not an integer version (malformed version)`; for a range that no
    /// version can satisfy, `">v5, <v3" is an empty range: no integer version matches it`. The
    /// value is quoted as `{:?}` quotes a string, by the core's small quoting (other characters
    /// kept as they are), so that a build links no `<str as Debug>`.
    pub(crate) fn write_message(&self, s: &mut impl Sink) {
        s.quoted(&self.value);
        match self.kind {
            VersionErrorKind::EmptyRange => {
                s.text(" is an empty range: no ");
                s.text(self.scheme.name());
                s.text(" version matches it");
            }
            kind => {
                s.text(" is not ");
                s.text(self.scheme.with_article());
                s.text(" version (");
                s.text(kind.text());
                s.text(")");
            }
        }
    }
}

crate::error::message_from_sink!(VersionError);

impl core::error::Error for VersionError {}

impl Registered for VersionError {
    fn registered(&self) -> Code {
        self.kind.registered()
    }
}

impl ErrorCode for VersionError {
    fn code(&self) -> &'static str {
        self.kind.code()
    }
}

/// A comparison operator in a [`VersionRange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=` (also a bare version).
    Eq,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
}

/// One `op version` term of a range; displayed as the operator then the version as spelt.
///
/// ```
/// use stepstone::version::{Scheme, VersionRange};
/// let r = VersionRange::parse(">=v66001, <66003", Scheme::Integer).unwrap();
/// let terms: Vec<String> = r.comparators().iter().map(|c| c.to_string()).collect();
/// assert_eq!(terms, [">=v66001", "<66003"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Comparator {
    /// The operator.
    pub op: Op,
    /// The version compared against.
    pub version: Version,
}

impl Comparator {
    /// Whether `key` satisfies this comparator.
    pub fn matches(&self, key: &VersionKey) -> bool {
        let o = key.cmp(self.version.key());
        match self.op {
            Op::Eq => o == Ordering::Equal,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
        }
    }
}

/// A set of versions written as comma-separated comparators that must all hold:
/// `v66001` (exactly that version), `>=v66001, <v66003`, `<4.2`.
///
/// This is not SemVer's requirement syntax (no `^`, `~` or `*`, and pre-releases are ordinary
/// versions here): it is one grammar for all three schemes, as `blocked_from` needs.
///
/// ```
/// use stepstone::version::{Scheme, Version, VersionRange};
/// let r = VersionRange::parse(">=v66001, <v66003", Scheme::Integer).unwrap();
/// let v = |s| Version::parse(s, Scheme::Integer).unwrap();
/// assert!(r.contains(v("66002").key()));
/// assert!(!r.contains(v("66003").key()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionRange {
    comparators: Vec<Comparator>,
    text: String,
}

impl VersionRange {
    /// Parses a range in `scheme`.
    pub fn parse(text: &str, scheme: Scheme) -> Result<VersionRange, VersionError> {
        if text.len() > 4 * MAX_VERSION_LEN {
            return Err(VersionError::new(VersionErrorKind::TooLong, text, scheme));
        }
        let mut comparators = Vec::new();
        for term in text.split(',') {
            let term = term.trim();
            let (op, rest) = if let Some(r) = term.strip_prefix(">=") {
                (Op::Ge, r)
            } else if let Some(r) = term.strip_prefix("<=") {
                (Op::Le, r)
            } else if let Some(r) = term.strip_prefix('>') {
                (Op::Gt, r)
            } else if let Some(r) = term.strip_prefix('<') {
                (Op::Lt, r)
            } else if let Some(r) = term.strip_prefix('=') {
                (Op::Eq, r)
            } else {
                (Op::Eq, term)
            };
            let rest = rest.trim();
            if rest.is_empty() {
                return Err(VersionError::new(
                    VersionErrorKind::EmptyRange,
                    text,
                    scheme,
                ));
            }
            let version = Version::parse(rest, scheme).map_err(|e| VersionError {
                value: crate::error::clip(text),
                ..e
            })?;
            comparators.push(Comparator { op, version });
        }
        let range = VersionRange {
            comparators,
            text: text.to_string(),
        };
        if range.is_empty() {
            return Err(VersionError::new(
                VersionErrorKind::EmptyRange,
                text,
                scheme,
            ));
        }
        Ok(range)
    }

    /// Whether `key` is in the range.
    pub fn contains(&self, key: &VersionKey) -> bool {
        self.comparators.iter().all(|c| c.matches(key))
    }

    /// The comparators, all of which must hold.
    pub fn comparators(&self) -> &[Comparator] {
        &self.comparators
    }

    /// The range as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The tightest lower bound `(version, inclusive)`, if any.
    pub fn lower(&self) -> Option<(&Version, bool)> {
        let mut best: Option<(&Version, bool)> = None;
        for c in &self.comparators {
            let b = match c.op {
                Op::Eq | Op::Ge => (&c.version, true),
                Op::Gt => (&c.version, false),
                Op::Lt | Op::Le => continue,
            };
            best = Some(match best {
                None => b,
                Some(a) => match b.0.cmp(a.0) {
                    Ordering::Greater => b,
                    Ordering::Less => a,
                    Ordering::Equal => (a.0, a.1 && b.1),
                },
            });
        }
        best
    }

    /// The tightest upper bound `(version, inclusive)`, if any.
    pub fn upper(&self) -> Option<(&Version, bool)> {
        let mut best: Option<(&Version, bool)> = None;
        for c in &self.comparators {
            let b = match c.op {
                Op::Eq | Op::Le => (&c.version, true),
                Op::Lt => (&c.version, false),
                Op::Gt | Op::Ge => continue,
            };
            best = Some(match best {
                None => b,
                Some(a) => match b.0.cmp(a.0) {
                    Ordering::Less => b,
                    Ordering::Greater => a,
                    Ordering::Equal => (a.0, a.1 && b.1),
                },
            });
        }
        best
    }

    /// Whether no version can be in the range. Conservative for open intervals between
    /// adjacent integers (`>5, <6` is reported empty only for the integer scheme).
    fn is_empty(&self) -> bool {
        let (Some((lo, lo_inc)), Some((hi, hi_inc))) = (self.lower(), self.upper()) else {
            return false;
        };
        match lo.cmp(hi) {
            Ordering::Greater => true,
            Ordering::Equal => !(lo_inc && hi_inc),
            Ordering::Less => match (lo.key(), hi.key()) {
                (VersionKey::Integer(a), VersionKey::Integer(b)) => {
                    let first = if lo_inc { *a } else { a + 1 };
                    let last = if hi_inc { *b } else { b - 1 };
                    first > last
                }
                _ => false,
            },
        }
    }
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.op.symbol())?;
        f.write_str(self.version.as_str())
    }
}

/// Picks the scheme for a set of version strings, as README.md ("Versions") says: `integer` if every one is
/// of that form, else `semver` if every one is SemVer, else `dotted` if every one is dotted;
/// otherwise `Err` with the scheme that fits the most and the strings that do not fit it.
///
/// ```
/// use stepstone::version::{detect_scheme, Scheme};
/// assert_eq!(detect_scheme(["v64000", "65000"]), Ok(Scheme::Integer));
/// assert_eq!(detect_scheme(["1.2.3", "1.3.0-rc.1"]), Ok(Scheme::Semver));
/// assert_eq!(detect_scheme(["38.20231027.3.2", "4.2"]), Ok(Scheme::Dotted));
/// assert!(detect_scheme(["1.2.3-rc.1", "1.2.3.4"]).is_err());
/// ```
pub fn detect_scheme<'a>(
    texts: impl IntoIterator<Item = &'a str> + Clone,
) -> Result<Scheme, (Scheme, Vec<&'a str>)> {
    let order = [Scheme::Integer, Scheme::Semver, Scheme::Dotted];
    let mut best: Option<(Scheme, Vec<&'a str>)> = None;
    for scheme in order {
        let misfits: Vec<&str> = texts
            .clone()
            .into_iter()
            .filter(|t| !scheme.accepts(t))
            .collect();
        if misfits.is_empty() {
            return Ok(scheme);
        }
        if best.as_ref().is_none_or(|(_, m)| misfits.len() < m.len()) {
            best = Some((scheme, misfits));
        }
    }
    // `order` is non-empty and every iteration either returns or sets `best`.
    Err(best.unwrap_or((Scheme::Dotted, Vec::new())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::{check, compare};
    use alloc::format;
    use proptest::prelude::*;

    fn v(s: &str, scheme: Scheme) -> Version {
        Version::parse(s, scheme).unwrap()
    }

    #[test]
    fn messages_name_the_value_with_the_right_article() {
        let msg = |t: &str, s| Version::parse(t, s).unwrap_err().to_string();
        assert_eq!(
            msg("banana", Scheme::Integer),
            "\"banana\" is not an integer version (malformed version)"
        );
        assert_eq!(
            msg("1.2", Scheme::Semver),
            "\"1.2\" is not a semver version (malformed version)"
        );
        assert_eq!(
            msg("1..2", Scheme::Dotted),
            "\"1..2\" is not a dotted version (malformed version)"
        );
        assert_eq!(
            msg("", Scheme::Integer),
            "\"\" is not an integer version (empty version)"
        );
        assert_eq!(
            msg("18446744073709551616", Scheme::Integer),
            "\"18446744073709551616\" is not an integer version (version component does not fit in 64 bits)"
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn integer_read_spells_every_length_as_parse_does() {
        let digits = "v1234567890123456789012345";
        for len in 1..=digits.len() {
            for text in [&digits[..len], &digits[1..=len.min(digits.len() - 1)]] {
                let read = Version::integer_read(text, 7);
                assert_eq!(read.as_str(), text);
                assert_eq!(read.text, smol_str::SmolStr::new(text));
                assert_eq!(read.text.is_heap_allocated(), text.len() > 23);
            }
        }
    }

    #[test]
    fn build_metadata_does_not_order() {
        assert_eq!(v("1.0.0+a", Scheme::Semver), v("v1.0.0+b", Scheme::Semver));
    }

    #[test]
    fn ranges_parse_and_bound() {
        let r = VersionRange::parse(" >v5 , <=v9", Scheme::Integer).unwrap();
        assert_eq!(r.lower().map(|(v, i)| (v.as_str(), i)), Some(("v5", false)));
        assert_eq!(r.upper().map(|(v, i)| (v.as_str(), i)), Some(("v9", true)));
        assert!(r.contains(v("6", Scheme::Integer).key()));
        assert!(!r.contains(v("5", Scheme::Integer).key()));
        let e = VersionRange::parse(">v5, <v6", Scheme::Integer).unwrap_err();
        assert_eq!(e.kind, VersionErrorKind::EmptyRange);
        let e = VersionRange::parse(">=", Scheme::Integer).unwrap_err();
        assert_eq!(e.kind, VersionErrorKind::EmptyRange);
        let e = VersionRange::parse(">=x1", Scheme::Integer).unwrap_err();
        assert_eq!(e.code(), "version.malformed");
        assert_eq!(e.value, ">=x1");
        assert_eq!(
            VersionRange::parse(">v5, <v3", Scheme::Integer)
                .unwrap_err()
                .to_string(),
            "\">v5, <v3\" is an empty range: no integer version matches it"
        );
        assert!(
            VersionRange::parse("4.2", Scheme::Dotted)
                .unwrap()
                .contains(v("4.2.0", Scheme::Dotted).key())
        );
    }

    fn semver_text() -> impl Strategy<Value = String> {
        let num = prop_oneof![Just("0".to_string()), "[1-9][0-9]{0,2}"];
        let ident = prop_oneof![
            Just("0".to_string()),
            "[1-9][0-9]{0,2}",
            "[a-z-][a-z0-9-]{0,3}"
        ];
        (
            num.clone(),
            num.clone(),
            num,
            proptest::collection::vec(ident, 0..3),
            proptest::option::of("[a-z0-9]{1,3}"),
        )
            .prop_map(|(a, b, c, pre, build)| {
                let mut s = format!("{a}.{b}.{c}");
                if !pre.is_empty() {
                    s.push('-');
                    s.push_str(&pre.join("."));
                }
                if let Some(b) = build {
                    s.push('+');
                    s.push_str(&b);
                }
                s
            })
    }

    proptest! {
        #[test]
        fn heap_free_compare_agrees_with_semver_crate(a in semver_text(), b in semver_text()) {
            let ka = VersionKey::parse(&a, Scheme::Semver).unwrap();
            let kb = VersionKey::parse(&b, Scheme::Semver).unwrap();
            prop_assert_eq!(compare(&a, &b, Scheme::Semver).unwrap(), ka.cmp(&kb));
        }

        #[test]
        fn heap_free_compare_agrees_for_dotted(a in "[0-9]{1,3}(\\.[0-9]{1,3}){0,4}", b in "[0-9]{1,3}(\\.[0-9]{1,3}){0,4}") {
            let ka = VersionKey::parse(&a, Scheme::Dotted).unwrap();
            let kb = VersionKey::parse(&b, Scheme::Dotted).unwrap();
            prop_assert_eq!(compare(&a, &b, Scheme::Dotted).unwrap(), ka.cmp(&kb));
        }

        #[test]
        fn checker_and_parser_agree_on_any_text(s in "v?[0-9a-z.+-]{0,12}") {
            for scheme in [Scheme::Integer, Scheme::Semver, Scheme::Dotted] {
                prop_assert_eq!(check(&s, scheme).is_ok(), VersionKey::parse(&s, scheme).is_ok(), "{} {}", s, scheme);
            }
        }
    }

    #[test]
    fn semver_keys_are_written_as_display_writes_them_without_build_metadata() {
        for text in [
            "0.0.0",
            "1.2.3",
            "18446744073709551615.0.7",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-0.3.7",
            "1.0.0-x.7.z.92",
            "1.0.0-x-y-z.--",
            "1.0.0+20130313144700",
            "1.0.0-beta+exp.sha.5114f85",
            "1.0.0+21AF26D3----117B344092BD",
        ] {
            let mut v = semver::Version::parse(text).unwrap();
            v.build = semver::BuildMetadata::EMPTY;
            let key = VersionKey::parse(text, Scheme::Semver).unwrap();
            assert_eq!(key.text(), v.to_string(), "{text}");
            assert_eq!(text.split('+').next(), Some(key.text().as_str()));
        }
    }
}
