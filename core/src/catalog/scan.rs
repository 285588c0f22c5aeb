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

mod bytes;

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

/// A known key: its bit, its name with the closing quote, and `"name":` as it starts the
/// entry in the plain form, up to 16 bytes of it as two little-endian words with the masks of
/// the bytes they hold.
#[derive(Clone, Copy)]
struct KnownKey {
    id: u16,
    name: &'static [u8],
    /// The length of `"name":`.
    len: usize,
    words: [u64; 2],
    masks: [u64; 2],
}

const fn known(id: u16, name: &'static [u8]) -> KnownKey {
    let (mut words, mut masks) = ([0u64; 2], [0u64; 2]);
    let len = name.len() + 2;
    let mut i = 0;
    while i < len && i < 16 {
        let byte = match i {
            0 => b'"',
            i if i == len - 1 => b':',
            i => name[i - 1],
        };
        words[i / 8] |= (byte as u64) << (8 * (i % 8));
        masks[i / 8] |= 0xff << (8 * (i % 8));
        i += 1;
    }
    KnownKey {
        id,
        name,
        len,
        words,
        masks,
    }
}

const K_VERSION: KnownKey = known(VERSION, b"version\"");
const K_KIND: KnownKey = known(KIND, b"kind\"");
const K_MIN_SW: KnownKey = known(MIN_SW, b"min_sw_version\"");
const K_MODELS: KnownKey = known(MODELS, b"models\"");
const K_SIZE: KnownKey = known(SIZE, b"size\"");
const K_SHA256: KnownKey = known(SHA256, b"sha256\"");
const K_SCHEME: KnownKey = known(SCHEME, b"scheme\"");
const K_ENVIRONMENTS: KnownKey = known(ENVIRONMENTS, b"environments\"");
const K_YANKED: KnownKey = known(YANKED, b"yanked\"");
const K_BARRIER: KnownKey = known(BARRIER, b"barrier\"");
const K_BLOCKED: KnownKey = known(BLOCKED, b"blocked_from\"");
const K_DELTAS: KnownKey = known(DELTAS, b"deltas\"");
const K_DEADEND: KnownKey = known(DEADEND, b"deadend\"");
const K_FROM: KnownKey = known(FROM, b"from\"");
const K_RELEASES: KnownKey = known(RELEASES, b"releases\"");
const K_SCHEMA: KnownKey = known(SCHEMA, b"$schema\"");

/// The known keys whose name starts with `first` (at most three share a first byte), for a
/// key read in steps.
fn starting_with(first: u8) -> &'static [KnownKey] {
    match first {
        b'v' => &[K_VERSION],
        b'k' => &[K_KIND],
        b'm' => &[K_MIN_SW, K_MODELS],
        b's' => &[K_SIZE, K_SHA256, K_SCHEME],
        b'e' => &[K_ENVIRONMENTS],
        b'y' => &[K_YANKED],
        b'b' => &[K_BARRIER, K_BLOCKED],
        b'd' => &[K_DELTAS, K_DEADEND],
        b'f' => &[K_FROM],
        b'r' => &[K_RELEASES],
        b'$' => &[K_SCHEMA],
        _ => &[],
    }
}

/// The one slot of [`KEY_TABLE`] a key can be in: a multiplicative hash of its first five
/// bytes (the quote and four letters: every known key has at least four, and no two share
/// them).
const fn key_slot(lo: u64) -> usize {
    const MAGIC: u64 = 0x4be0_3db0_dc25_74bd;
    ((lo & 0xff_ffff_ffff).wrapping_mul(MAGIC) >> 59) as usize
}

/// An empty slot: no word masked by zero equals it.
const NO_KEY: KnownKey = KnownKey {
    id: 0,
    name: b"",
    len: 0,
    words: [1, 1],
    masks: [0, 0],
};

/// Every known key at its [`key_slot`] (built at compile time, which fails if two keys
/// shared a slot).
const KEY_TABLE: [KnownKey; 32] = {
    let all = [
        K_VERSION,
        K_KIND,
        K_MIN_SW,
        K_MODELS,
        K_SIZE,
        K_SHA256,
        K_SCHEME,
        K_ENVIRONMENTS,
        K_YANKED,
        K_BARRIER,
        K_BLOCKED,
        K_DELTAS,
        K_DEADEND,
        K_FROM,
        K_RELEASES,
        K_SCHEMA,
    ];
    let mut table = [NO_KEY; 32];
    let mut i = 0;
    while i < all.len() {
        let slot = key_slot(all[i].words[0]);
        assert!(table[slot].id == 0, "two known keys share a slot");
        table[slot] = all[i];
        i += 1;
    }
    table
};

/// The known key whose `"name":` starts `head`, compared as two masked words against the one
/// key its first bytes hash to (the colon of the one key longer than 16 bytes,
/// `"min_sw_version":`, as the byte `after`). `None` when the key is spelled otherwise (the
/// caller then reads it in steps).
#[inline(always)]
fn key_entry(head: &[u8; 16], after: u8) -> Option<&'static KnownKey> {
    let (lo, hi) = head.split_at(8);
    let le = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
    let (lo, hi) = (le(lo), le(hi));
    let k = KEY_TABLE.get(key_slot(lo))?;
    (lo & k.masks[0] == k.words[0]
        && hi & k.masks[1] == k.words[1]
        && (k.len <= 16 || after == b':'))
        .then_some(k)
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// JSON whitespace: space, tab, LF, CR (a byte above b' ' ends it at once, inline; a line
    /// break and its indentation go 16 bytes a step).
    #[inline(always)]
    fn ws(&mut self) {
        self.at = bytes::skip_ws(self.bytes, self.at);
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
    ///
    /// The usual case in one step, inline: no whitespace, one space, or a line break and its
    /// indentation (up to 14 spaces), then `"name":` compared as two words, all within 32
    /// bytes read with one bounds check. Anything else is read in steps ([`Self::key_in_steps`]).
    #[inline(always)]
    fn key(&mut self) -> Option<u16> {
        if let Some(chunk) = self
            .bytes
            .get(self.at..)
            .and_then(<[u8]>::first_chunk::<32>)
        {
            let n = bytes::short_ws(chunk);
            if let (Some(head), Some(&after)) = (
                chunk.get(n..).and_then(<[u8]>::first_chunk::<16>),
                chunk.get(n + 16),
            ) && let Some(k) = key_entry(head, after)
            {
                self.at += n + k.len;
                return Some(k.id);
            }
        }
        self.key_in_steps()
    }

    /// [`Self::key`] near the end of the text, after other whitespace, or with whitespace
    /// before the colon.
    #[inline(never)]
    fn key_in_steps(&mut self) -> Option<u16> {
        self.eat(b'"')?;
        let rest = self.bytes.get(self.at..)?;
        let k = starting_with(*rest.first()?)
            .iter()
            .find(|k| rest.starts_with(k.name))?;
        self.at += k.name.len();
        self.eat(b':')?;
        Some(k.id)
    }

    /// After whitespace, a whole number from 0 to 2^64 − 1 written plainly (no sign, fraction,
    /// exponent or leading zero).
    fn number(&mut self) -> Option<u64> {
        self.ws();
        let start = self.at;
        let rest = self.bytes.get(start..)?;
        // Up to eight digits in one word, when the byte after them is not a digit (sizes are
        // 6 to 8 digits); longer numbers digit by digit below.
        if let Some(&head) = rest.first_chunk::<8>() {
            let w = u64::from_le_bytes(head);
            let n = bytes::digits(w);
            let after = rest.get(n as usize).copied();
            if n >= 1 && !after.is_some_and(|b| b.is_ascii_digit()) {
                let leading_zero = n > 1 && head[0] == b'0';
                if leading_zero || matches!(after, Some(b'.' | b'e' | b'E')) {
                    return None;
                }
                self.at += n as usize;
                return Some(bytes::eight_digits(w, n));
            }
        }
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
        // The usual: the quote, `v` or not, one to seven digits and the closing quote, all
        // within 16 bytes read with one bounds check.
        let at = self.at;
        if let Some(chunk) = self.bytes.get(at..).and_then(<[u8]>::first_chunk::<16>)
            && chunk[0] == b'"'
        {
            let start = 1 + usize::from(chunk[1] == b'v');
            let head = chunk.get(start..).and_then(<[u8]>::first_chunk::<8>)?;
            let w = u64::from_le_bytes(*head);
            let digits = bytes::digits(w);
            let end = start + digits as usize;
            if (1..8).contains(&digits) && chunk.get(end) == Some(&b'"') {
                let text = self.text.get(at + 1..at + end)?;
                self.at = at + end + 1;
                return Some(Version::integer_read(text, bytes::eight_digits(w, digits)));
            }
        }
        self.integer_version_in_steps()
    }

    /// [`Self::integer_version`] near the end of the text or for eight digits or more.
    #[inline(never)]
    fn integer_version_in_steps(&mut self) -> Option<Version> {
        let rest = self.bytes.get(self.at..)?;
        let start = 1 + usize::from(rest.get(1) == Some(&b'v'));
        if rest.first() != Some(&b'"') {
            return None;
        }
        let (mut n, mut end) = (0u64, start);
        // Up to seven digits in one word (a catalog's are mostly five or six).
        if let Some(&head) = rest.get(start..).and_then(<[u8]>::first_chunk::<8>) {
            let w = u64::from_le_bytes(head);
            let digits = bytes::digits(w);
            if (1..8).contains(&digits) {
                n = bytes::eight_digits(w, digits);
                end = start + digits as usize;
            }
        }
        if end == start {
            while let Some(&d @ b'0'..=b'9') = rest.get(end) {
                if end - start == 19 {
                    return None;
                }
                n = n * 10 + u64::from(d - b'0');
                end += 1;
            }
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
                            s.release(&mut list)?;
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

    /// Reads a release onto the end of `list` (pushed there, not returned: a 320-byte
    /// `Option<Release>` handed back would be copied once more per release).
    fn release(&mut self, list: &mut Vec<Release>) -> Option<()> {
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
        // Most releases block nothing: no collect for an empty list.
        let blocked_from = if blocked.is_empty() {
            Vec::new()
        } else {
            blocked
                .into_iter()
                .map(|text| VersionRange::parse(text, scheme).ok())
                .collect::<Option<_>>()?
        };
        list.push(Release {
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
        });
        Some(())
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
