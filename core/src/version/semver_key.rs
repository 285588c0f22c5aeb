//! A SemVer version's identity and precedence, read by the core's own SemVer checker
//! (`split_semver`) instead of the `semver` crate, so that the WASM modules link no second
//! SemVer parser (the `semver` crate's parser and its identifier comparisons were about 2.7 KB
//! of code in each module that reads versions).

use alloc::boxed::Box;
use alloc::string::String;
use core::cmp::Ordering;

use super::{VersionErrorKind, cmp_prerelease, split_semver};
use crate::json_read::push_u64;

/// A SemVer 2.0 version without its build metadata: what orders and identifies it.
///
/// Ordered by SemVer's precedence (§11): major, minor and patch as numbers, then a version
/// with a pre-release below the same version without one, pre-release identifiers compared
/// one by one (numeric ones as numbers and below alphanumeric ones, alphanumeric ones in
/// ASCII order), a shorter list of equal identifiers first. Equal keys are equal texts.
///
/// ```
/// use stepstone::version::{Scheme, VersionKey};
/// let key = |t| VersionKey::parse(t, Scheme::Semver).unwrap();
/// let VersionKey::Semver(k) = key("v1.2.3-rc.10+b5") else { unreachable!() };
/// assert_eq!((k.major, k.minor, k.patch, k.pre()), (1, 2, 3, "rc.10"));
/// assert!(key("1.2.3-rc.2") < key("1.2.3-rc.10"));
/// assert!(key("1.2.3-rc.10") < key("1.2.3"));
/// assert_eq!(key("1.2.3+a"), key("1.2.3+b"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SemverKey {
    /// The major version.
    pub major: u64,
    /// The minor version.
    pub minor: u64,
    /// The patch version.
    pub patch: u64,
    /// The pre-release identifiers as written, joined by `.` (empty: none).
    pre: Box<str>,
}

impl SemverKey {
    /// The key of a SemVer text without its leading `v` (`1.2.3-rc.1+b5`): the same text
    /// accepted and refused, with the same kind, as `check` refuses it.
    pub(crate) fn read(text: &str) -> Result<SemverKey, VersionErrorKind> {
        let (major, minor, patch, pre) = split_semver(text)?;
        Ok(SemverKey {
            major,
            minor,
            patch,
            pre: Box::from(pre),
        })
    }

    /// The pre-release identifiers as written, joined by `.` (`""` for a release).
    pub fn pre(&self) -> &str {
        &self.pre
    }

    /// Appends the key as SemVer writes it (`1.2.3-rc.1`; no build metadata).
    pub(crate) fn push_to(&self, s: &mut String) {
        push_u64(s, self.major);
        s.push('.');
        push_u64(s, self.minor);
        s.push('.');
        push_u64(s, self.patch);
        if !self.pre.is_empty() {
            s.push('-');
            s.push_str(&self.pre);
        }
    }
}

impl PartialOrd for SemverKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SemverKey {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| cmp_prerelease(&self.pre, &other.pre))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::{Scheme, VersionKey, check_len, strip_v};
    use alloc::string::ToString;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    /// What the `semver` crate made of `text` before: the key with its build metadata
    /// removed, or `None` when `check` or the crate refused it.
    fn by_semver_crate(text: &str) -> Option<semver::Version> {
        check_len(text).ok()?;
        crate::version::check(text, Scheme::Semver).ok()?;
        let mut v = semver::Version::parse(strip_v(text)).ok()?;
        v.build = semver::BuildMetadata::EMPTY;
        Some(v)
    }

    fn ours(text: &str) -> Option<SemverKey> {
        match VersionKey::parse(text, Scheme::Semver).ok()? {
            VersionKey::Semver(k) => Some(k),
            _ => None,
        }
    }

    /// Accepted alike, written alike, ordered alike, for every pair of `texts`.
    fn agree(texts: &[String]) {
        let keys: Vec<_> = texts
            .iter()
            .map(|t| (ours(t), by_semver_crate(t)))
            .collect();
        for (t, (k, s)) in texts.iter().zip(&keys) {
            assert_eq!(k.is_some(), s.is_some(), "{t:?}");
            if let (Some(k), Some(s)) = (k, s) {
                let mut written = String::new();
                k.push_to(&mut written);
                assert_eq!(written, s.to_string(), "{t:?}");
                assert_eq!((k.major, k.minor, k.patch), (s.major, s.minor, s.patch));
                assert_eq!(k.pre(), s.pre.as_str(), "{t:?}");
            }
        }
        for (a, (ka, sa)) in texts.iter().zip(&keys) {
            for (b, (kb, sb)) in texts.iter().zip(&keys) {
                if let (Some(ka), Some(sa), Some(kb), Some(sb)) = (ka, sa, kb, sb) {
                    assert_eq!(ka.cmp(kb), sa.cmp(sb), "{a:?} {b:?}");
                    assert_eq!(ka == kb, sa == sb, "{a:?} {b:?}");
                }
            }
        }
    }

    #[cfg(target_pointer_width = "64")]
    #[test]
    fn a_key_is_as_large_as_with_the_semver_crate() {
        assert_eq!(core::mem::size_of::<VersionKey>(), 48);
    }

    #[test]
    fn keys_are_the_semver_crates() {
        let texts: Vec<String> = [
            "0.0.0",
            "1.2.3",
            "v1.2.3",
            "18446744073709551615.0.7",
            "18446744073709551616.0.0",
            "1.0.0-0.3.7",
            "1.0.0-x.7.z.92",
            "1.0.0-x-y-z.--",
            "1.0.0-1",
            "1.0.0-01",
            "1.0.0-a.01",
            "1.0.0-99999999999999999999999",
            "1.0.0-999999999999999999999999",
            "1.0.0-A",
            "1.0.0-a",
            "1.0.0-a-",
            "1.0.0--",
            "1.0.0-",
            "1.0.0-a..b",
            "1.0.0+",
            "1.0.0+a..b",
            "1.0.0+20130313144700",
            "1.0.0-beta+exp.sha.5114f85",
            "1.0.0+21AF26D3----117B344092BD",
            "1.0.0+001",
            "1.0.0-rc+a+b",
            "01.0.0",
            "1.00.0",
            "1.0",
            "1.0.0.0",
            "1.0.0-é",
            "1.0.0-a_b",
            " 1.0.0",
            "1.0.0 ",
            "vv1.0.0",
            "",
            "v",
        ]
        .iter()
        .chain(crate::version::tests::SEMVER_SPEC_CHAIN.iter())
        .map(|t| t.to_string())
        .collect();
        agree(&texts);
    }

    fn semver_like() -> impl Strategy<Value = String> {
        let num = prop_oneof![Just("0".to_string()), "[1-9][0-9]{0,2}", "0[0-9]"];
        let ident = prop_oneof![
            Just("0".to_string()),
            "[1-9][0-9]{0,2}",
            "0[0-9]",
            "[a-zA-Z-][a-zA-Z0-9-]{0,3}",
            Just(String::new()),
        ];
        (
            proptest::option::of(Just("v")),
            num.clone(),
            num.clone(),
            num,
            proptest::collection::vec(ident.clone(), 0..4),
            proptest::collection::vec(ident, 0..3),
        )
            .prop_map(|(v, a, b, c, pre, build)| {
                let mut s = alloc::format!("{}{a}.{b}.{c}", v.unwrap_or(""));
                if !pre.is_empty() {
                    s.push('-');
                    s.push_str(&pre.join("."));
                }
                if !build.is_empty() {
                    s.push('+');
                    s.push_str(&build.join("."));
                }
                s
            })
    }

    proptest! {
        #[test]
        fn generated_keys_are_the_semver_crates(texts in proptest::collection::vec(semver_like(), 1..12)) {
            agree(&texts);
        }

        #[test]
        fn any_text_is_accepted_as_the_semver_crate_accepts_it(texts in proptest::collection::vec("v?[0-9a-zA-Z.+-]{0,14}", 1..8)) {
            agree(&texts);
        }
    }
}
