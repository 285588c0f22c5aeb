//! The first try of [`Catalog::from_json`]: catalog JSON as tools write it, scanned by hand
//! straight into releases.
//!
//! It reads one plain form of the document and gives up (`None`) on anything else, for the
//! typed path (`typed.rs`) to read: a string with an escape, a number that is not a plain whole
//! number below 2^64, `null`, a repeated or unknown key, a value of the wrong type, versions
//! that are not all of the scheme it settled on. It never decides that a catalog is invalid:
//! that is for the other paths, so what it accepts must be exactly what they accept. To that
//! end:
//! - what it reads, it checks as JSON as strictly as `serde_json` (whitespace is space, tab, CR
//!   and LF only; a string has no control character; a number has no leading zero; nothing
//!   follows the document), and the rest it does not read;
//! - the scheme is the declared one, read before the releases, or else guessed from the first
//!   version as [`detect_scheme`] would pick it for that version alone, and then confirmed
//!   with `detect_scheme` over every version once all are read;
//! - the catalog's rules are [`Catalog::assemble`]'s, the same as on every path.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Catalog, Delta, Origins, Release};
use crate::version::{Scheme, Version, VersionRange, detect_scheme};

/// The catalog in `text` when it is in the plain form and valid; `None` otherwise.
pub(super) fn load(text: &str) -> Option<Catalog> {
    let mut s = Scanner {
        text,
        bytes: text.as_bytes(),
        at: 0,
        scheme: None,
    };
    let (releases, declared) = s.catalog()?;
    s.ws();
    if s.at != s.bytes.len() {
        return None;
    }
    // Without a declared scheme, the guess must be what detection picks from every version.
    let scheme = s.scheme?;
    if !declared && scheme != Scheme::Integer {
        let texts = releases.iter().flat_map(|r| {
            core::iter::once(r.version.as_str())
                .chain(r.min_sw_version.as_ref().map(Version::as_str))
                .chain(r.deltas.iter().map(|d| d.from.as_str()))
        });
        if detect_scheme(texts).ok()? != scheme {
            return None;
        }
    }
    // An integer guess that parsed every version is what detection picks: it tries integer
    // first.
    let mut errors = Vec::new();
    let catalog = Catalog::assemble(scheme, releases, &Origins::AsGiven, &mut errors);
    errors.is_empty().then_some(catalog)
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// The scheme versions are parsed in: declared, or guessed from the first version.
    scheme: Option<Scheme>,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;
/// The eight bytes at `at` as a little-endian word, when there are eight.
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(chunk.try_into().ok()?))
}

/// The high bit of each byte of `w` that is `"`, `\\` or below 0x20 (bits above the lowest
/// may be false alarms; the lowest is exact).
fn special(w: u64) -> u64 {
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    zero(w ^ (ONES * u64::from(b'"')))
        | zero(w ^ (ONES * u64::from(b'\\')))
        | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS)
}

/// The keys a plain catalog uses, each a bit (a release's bits refuse a repeated key). A key
/// is recognised by its bytes and closing quote, without reading it as a string first; any
/// other key (unknown, or spelled with an escape) is not the plain form.
const VERSION: u16 = 1;
const KIND: u16 = 1 << 1;
const MIN_SW: u16 = 1 << 2;
const SIZE: u16 = 1 << 3;
const SHA256: u16 = 1 << 4;
const MODELS: u16 = 1 << 5;
const ENVIRONMENTS: u16 = 1 << 6;
const YANKED: u16 = 1 << 7;
const BARRIER: u16 = 1 << 8;
const DEADEND: u16 = 1 << 9;
const BLOCKED: u16 = 1 << 10;
const DELTAS: u16 = 1 << 11;
const FROM: u16 = 1 << 12;
const SCHEME: u16 = 1 << 13;
const RELEASES: u16 = 1 << 14;
const SCHEMA: u16 = 1 << 15;

/// Whether `rest` starts with `key` (a fixed length: compared as words, not by `memcmp`).
fn is<const N: usize>(rest: &[u8], key: &[u8; N]) -> bool {
    rest.first_chunk::<N>() == Some(key)
}

/// The key at the start of `rest` (after its opening quote; the closing quote belongs to it)
/// and its length with that quote.
fn known_key(rest: &[u8]) -> Option<(u16, usize)> {
    Some(match *rest.first()? {
        b'v' if is(rest, b"version\"") => (VERSION, 8),
        b'k' if is(rest, b"kind\"") => (KIND, 5),
        b'm' if is(rest, b"min_sw_version\"") => (MIN_SW, 15),
        b'm' if is(rest, b"models\"") => (MODELS, 7),
        b's' if is(rest, b"size\"") => (SIZE, 5),
        b's' if is(rest, b"sha256\"") => (SHA256, 7),
        b's' if is(rest, b"scheme\"") => (SCHEME, 7),
        b'e' if is(rest, b"environments\"") => (ENVIRONMENTS, 13),
        b'y' if is(rest, b"yanked\"") => (YANKED, 7),
        b'b' if is(rest, b"barrier\"") => (BARRIER, 8),
        b'b' if is(rest, b"blocked_from\"") => (BLOCKED, 13),
        b'd' if is(rest, b"deltas\"") => (DELTAS, 7),
        b'd' if is(rest, b"deadend\"") => (DEADEND, 8),
        b'f' if is(rest, b"from\"") => (FROM, 5),
        b'r' if is(rest, b"releases\"") => (RELEASES, 9),
        b'$' if is(rest, b"$schema\"") => (SCHEMA, 8),
        _ => return None,
    })
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// JSON whitespace: space, tab, LF, CR (all at or below b' ': anything above ends it at
    /// once, the common case, inline).
    #[inline(always)]
    fn ws(&mut self) {
        let next = |k: usize| self.bytes.get(self.at + k).is_some_and(|&b| b > b' ');
        if next(0) {
            return;
        }
        // One space, as after a colon.
        if self.peek() == Some(b' ') && next(1) {
            self.at += 1;
            return;
        }
        self.ws_run();
    }

    /// The rest of [`Scanner::ws`]: each whitespace byte, then the spaces after it a word at a
    /// time (a pretty-printed line break and its indentation in one step).
    #[inline(never)]
    fn ws_run(&mut self) {
        let mut at = self.at;
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(at) {
            at += 1;
            while let Some(w) = word(self.bytes, at) {
                // The word's low bytes come first: after the XOR, its trailing zero bytes are
                // the spaces at `at`.
                match w ^ (ONES * u64::from(b' ')) {
                    0 => at += 8,
                    x => {
                        at += (x.trailing_zeros() / 8) as usize;
                        break;
                    }
                }
            }
        }
        self.at = at;
    }

    /// After whitespace, the byte `b`.
    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.peek()? == b).then(|| self.at += 1)
    }

    /// After whitespace, `b` (true) or `other` (false).
    fn either(&mut self, b: u8, other: u8) -> Option<bool> {
        self.ws();
        let c = self.peek()?;
        self.at += 1;
        match c {
            c if c == b => Some(true),
            c if c == other => Some(false),
            _ => None,
        }
    }

    /// After whitespace, a string without escapes or control characters.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        // Eight bytes at a time up to the first `"`, `\\` or control character (the lowest
        // flagged byte of a word is always a true one), then byte by byte near the end.
        let mut at = start;
        while let Some(w) = word(self.bytes, at) {
            let hits = special(w);
            if hits != 0 {
                at += (hits.trailing_zeros() / 8) as usize;
                break;
            }
            at += 8;
        }
        loop {
            match *self.bytes.get(at)? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => at += 1,
            }
        }
        let s = self.text.get(start..at)?;
        self.at = at + 1;
        Some(s)
    }

    /// After whitespace, a known key (its bit) and its colon.
    fn key(&mut self) -> Option<u16> {
        self.eat(b'"')?;
        let (id, len) = known_key(self.bytes.get(self.at..)?)?;
        self.at += len;
        self.eat(b':')?;
        Some(id)
    }

    /// After whitespace, a whole number from 0 to 2^64 − 1 written plainly (no sign, fraction,
    /// exponent or leading zero).
    fn number(&mut self) -> Option<u64> {
        self.ws();
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && self.bytes.get(start) == Some(&b'0');
        match self.peek() {
            _ if digits == 0 || leading_zero => None,
            Some(b'.' | b'e' | b'E') => None,
            _ => Some(n),
        }
    }

    /// After whitespace, `true` or `false`.
    fn boolean(&mut self) -> Option<bool> {
        self.ws();
        let rest = self.bytes.get(self.at..)?;
        if rest.starts_with(b"true") {
            self.at += 4;
            Some(true)
        } else if rest.starts_with(b"false") {
            self.at += 5;
            Some(false)
        } else {
            None
        }
    }

    /// An integer version as tools write it (`"v"` optional, then 1 to 19 digits, which always
    /// fit a `u64`), read in one pass; `None`, having read nothing, for anything else.
    fn integer_version(&mut self) -> Option<Version> {
        self.ws();
        let rest = self.bytes.get(self.at..)?;
        let start = 1 + usize::from(rest.get(1) == Some(&b'v'));
        if rest.first() != Some(&b'"') {
            return None;
        }
        let mut n: u64 = 0;
        let mut end = start;
        while let Some(&d @ b'0'..=b'9') = rest.get(end) {
            if end - start == 19 {
                return None;
            }
            n = n * 10 + u64::from(d - b'0');
            end += 1;
        }
        if end == start || rest.get(end) != Some(&b'"') {
            return None;
        }
        let text = self.text.get(self.at + 1..self.at + end)?;
        self.at += end + 1;
        Some(Version::integer_read(text, n))
    }

    /// A version in the scheme (guessed from this one when there is none yet).
    fn version(&mut self) -> Option<Version> {
        if self.scheme == Some(Scheme::Integer)
            && let Some(v) = self.integer_version()
        {
            return Some(v);
        }
        let text = self.string()?;
        let scheme = match self.scheme {
            Some(s) => s,
            None => {
                let guess = detect_scheme([text]).ok()?;
                self.scheme = Some(guess);
                guess
            }
        };
        Version::parse(text, scheme).ok()
    }

    /// `[ item, ... ]`, each item read by `item`.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b'[')?;
        self.ws();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(Vec::new());
        }
        // Most lists in a catalog hold one item (a delta, a model): room for one, not four.
        let mut out = Vec::with_capacity(1);
        loop {
            out.push(item(self)?);
            if !self.either(b',', b']')? {
                return Some(out);
            }
        }
    }

    /// `{ "key": value, ... }`, each entry read by `entry` after its key.
    fn object(&mut self, mut entry: impl FnMut(&mut Self, u16) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            let key = self.key()?;
            entry(self, key)?;
            if !self.either(b',', b'}')? {
                return Some(());
            }
        }
    }

    /// The top-level object: its releases, and whether the scheme was declared.
    fn catalog(&mut self) -> Option<(Vec<Release>, bool)> {
        let mut releases = None;
        let (mut declared, mut schema) = (false, false);
        self.object(|s, key| {
            match key {
                SCHEME if !declared => {
                    let scheme = Scheme::from_name(s.string()?)?;
                    // Declared after the releases: they were read in a guessed scheme.
                    if s.scheme.is_some_and(|guess| guess != scheme) {
                        return None;
                    }
                    s.scheme = Some(scheme);
                    declared = true;
                }
                RELEASES if releases.is_none() => {
                    let capacity = s.bytes.len() / 256;
                    let mut list = Vec::with_capacity(capacity);
                    s.eat(b'[')?;
                    s.ws();
                    if s.peek()? == b']' {
                        s.at += 1;
                    } else {
                        loop {
                            list.push(s.release()?);
                            if !s.either(b',', b']')? {
                                break;
                            }
                        }
                    }
                    releases = Some(list);
                }
                SCHEMA if !schema => {
                    s.string()?;
                    schema = true;
                }
                _ => return None,
            }
            Some(())
        })?;
        let releases = releases?;
        // No release and no declared scheme: detection's answer for no versions.
        if self.scheme.is_none() {
            self.scheme = Some(detect_scheme(core::iter::empty()).ok()?);
        }
        Some((releases, declared))
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        self.list(|s| s.string().map(String::from))
    }

    fn release(&mut self) -> Option<Release> {
        let mut seen = 0u16;
        let (mut version, mut kind, mut min_sw_version, mut size, mut sha256) =
            (None, None, None, None, None);
        let (mut models, mut environments) = (None, None);
        let (mut yanked, mut barrier, mut deadend) = (false, false, false);
        let (mut blocked, mut deltas) = (Vec::new(), Vec::new());
        self.object(|s, key| {
            if seen & key != 0 {
                return None;
            }
            seen |= key;
            match key {
                VERSION => {
                    version = Some(s.version()?);
                }
                KIND => {
                    kind = Some(String::from(s.string()?));
                }
                MIN_SW => {
                    min_sw_version = Some(s.version()?);
                }
                SIZE => {
                    size = Some(s.number()?);
                }
                SHA256 => {
                    sha256 = Some(super::json::sha256(s.string()?)?);
                }
                MODELS => {
                    models = Some(s.strings()?);
                }
                ENVIRONMENTS => {
                    environments = Some(s.strings()?);
                }
                YANKED => {
                    yanked = s.boolean()?;
                }
                BARRIER => {
                    barrier = s.boolean()?;
                }
                DEADEND => {
                    deadend = s.boolean()?;
                }
                BLOCKED => {
                    // Read once the release is: keys may come in any order, and without a
                    // declared scheme a range is read in the one guessed from a version.
                    blocked = s.list(Scanner::string)?;
                }
                DELTAS => {
                    deltas = s.list(Scanner::delta)?;
                }
                _ => return None,
            }
            Some(())
        })?;
        let scheme = self.scheme?;
        let blocked_from = blocked
            .into_iter()
            .map(|text| VersionRange::parse(text, scheme).ok())
            .collect::<Option<_>>()?;
        Some(Release {
            version: version?,
            kind,
            min_sw_version,
            size,
            sha256,
            models,
            environments,
            yanked,
            barrier,
            deadend,
            blocked_from,
            deltas,
        })
    }

    fn delta(&mut self) -> Option<Delta> {
        let (mut from, mut size, mut sha256) = (None, None, None);
        self.object(|s, key| {
            match key {
                FROM if from.is_none() => from = Some(s.version()?),
                SIZE if size.is_none() => size = Some(s.number()?),
                SHA256 if sha256.is_none() => {
                    sha256 = Some(super::json::sha256(s.string()?)?);
                }
                _ => return None,
            }
            Some(())
        })?;
        Some(Delta {
            from: from?,
            size: size?,
            sha256,
        })
    }
}
