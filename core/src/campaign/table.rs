//! A campaign table's wire form: what a reconciler needs of a campaign, as compact JSON that
//! core writes ([`CampaignTable::to_table_json`]) and reads back
//! ([`CampaignTable::from_table_json`]) without the catalog or the planner. A service plans
//! once where the catalog is, and hands the table to the processes (or the `stepstone-wasm/rollout`
//! module) that run the reconciler.
//!
//! The form (`docs/schema/campaign-table.schema.json`, `docs/rollouts.md`):
//!
//! ```json
//! {"format": "stepstone.campaign_table", "version": 1, "scheme": "integer",
//!  "target": "v66000", "allow_downgrade": false,
//!  "points": ["64000", "65000", "66000"],
//!  "answers": [4, 4, 5, 5, 0, 2, 2],
//!  "releases": ["v65000", "v66000"]}
//! ```
//!
//! `points` are the version line's boundaries, in increasing order, each a version of `scheme`
//! (as its key: no `v`, no build metadata, no trailing `.0`). A device version falls in one of
//! `2 * points + 1` slots: below the first point, at it, between it and the next, and so on.
//! `answers` holds one number per slot: `0` the device is at the target, `1` no path, `2` above
//! the target (downgrade), `3` a release on the way has no size (planning by bytes), `4 + i`
//! the next hop is `releases[i]`.
//!
//! ```
//! use stepstone::campaign::CampaignTable;
//! use stepstone::catalog::Catalog;
//! use stepstone::plan::Cost;
//! let catalog = Catalog::from_json(r#"{"releases": [
//!   {"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"},
//!   {"version": "v66000", "min_sw_version": "v65000"}]}"#).unwrap();
//! let target = catalog.parse_version("v66000").unwrap();
//! let table = CampaignTable::build(&catalog, &target, None, None, Cost::Hops).unwrap();
//! let text = table.to_table_json();
//! let back = CampaignTable::from_table_json(&text).unwrap();
//! let device = catalog.parse_version("64000").unwrap();
//! assert_eq!(back.next_hop(device.key()).unwrap().unwrap().as_str(), "v65000");
//! assert_eq!(back.to_table_json(), text);
//! let e = CampaignTable::from_table_json(r#"{"format": "stepstone.campaign_table"}"#).unwrap_err();
//! assert_eq!(stepstone::error::ErrorCode::code(&e), "reconcile.invalid_table");
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::{CampaignTable, DONE, DOWNGRADE, IntIndex, MISSING_SIZE, Spellings, UNREACHABLE};
use crate::error::{Code, ErrorCode, Registered, Sink, clip, codes};
use crate::json_read::{Reader, SyntaxError, push_decimal, push_u64, whole_number};
use crate::json_write::push_string;
use crate::plan::sweep::Slots;
use crate::version::{Scheme, Version, VersionError, VersionKey};

/// The `format` field of a campaign table.
pub const TABLE_FORMAT: &str = "stepstone.campaign_table";
/// The only `version` of the form this build reads and writes.
pub const TABLE_VERSION: u64 = 1;

/// Wire codes of the answers that are not a release (a release `i` is `FIRST_RELEASE + i`).
const WIRE_DONE: u64 = 0;
const WIRE_UNREACHABLE: u64 = 1;
const WIRE_DOWNGRADE: u64 = 2;
const WIRE_MISSING_SIZE: u64 = 3;
const FIRST_RELEASE: u64 = 4;

/// Why a campaign table's text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableError {
    /// Not JSON of the documented shape, or parts that do not fit together.
    Invalid {
        /// What is wrong, naming the value.
        message: String,
    },
    /// A `version` of the form other than the one this build reads.
    UnsupportedVersion {
        /// The `version` found, as written.
        found: String,
    },
}

impl TableError {
    /// Writes the message (`Display` and [`ErrorMessage`](crate::error::ErrorMessage) both
    /// give it).
    pub(crate) fn write_message(&self, s: &mut impl Sink) {
        s.text("campaign table: ");
        match self {
            TableError::Invalid { message } => s.text(message),
            TableError::UnsupportedVersion { found } => {
                s.text("format version ");
                s.text(found);
                s.text(" is not supported (this build reads version 1)");
            }
        }
    }
}

crate::error::message_from_sink!(TableError);

impl core::error::Error for TableError {}

impl Registered for TableError {
    fn registered(&self) -> Code {
        match self {
            TableError::Invalid { .. } => codes::RECONCILE_INVALID_TABLE,
            TableError::UnsupportedVersion { .. } => codes::RECONCILE_TABLE_VERSION,
        }
    }
}

impl ErrorCode for TableError {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}

fn invalid(message: impl Into<String>) -> TableError {
    TableError::Invalid {
        message: message.into(),
    }
}

fn bad_version(field: &str, e: &VersionError) -> TableError {
    let mut m = String::from(field);
    m.push_str(": '");
    m.push_str(&e.value);
    m.push_str("' is not ");
    m.push_str(e.scheme.with_article());
    m.push_str(" version");
    invalid(m)
}

impl CampaignTable {
    /// The table in its wire form (module docs): compact JSON that
    /// [`from_table_json`](Self::from_table_json) reads back to a table giving the same answer
    /// for every version.
    pub fn to_table_json(&self) -> String {
        let scheme = self.target.scheme();
        let mut s = String::with_capacity(64 + 8 * self.answers.len());
        s.push_str("{\"format\":\"");
        s.push_str(TABLE_FORMAT);
        s.push_str("\",\"version\":1,\"scheme\":\"");
        s.push_str(scheme.name());
        s.push_str("\",\"target\":");
        push_string(&mut s, self.target.as_str());
        s.push_str(",\"allow_downgrade\":");
        s.push_str(if self.allow_downgrade {
            "true"
        } else {
            "false"
        });
        s.push_str(",\"points\":[");
        if self.slots.keys().is_empty() {
            for (i, p) in self.slots.ints.iter().enumerate() {
                comma(&mut s, i);
                s.push('"');
                push_u64(&mut s, *p);
                s.push('"');
            }
        } else {
            for (i, k) in self.slots.keys().iter().enumerate() {
                comma(&mut s, i);
                push_string(&mut s, &k.text());
            }
        }
        s.push_str("],\"answers\":[");
        for (i, a) in self.answers.iter().enumerate() {
            comma(&mut s, i);
            push_u64(&mut s, encode(*a));
        }
        s.push_str("],\"releases\":[");
        for (i, r) in self.releases.iter().enumerate() {
            comma(&mut s, i);
            push_string(&mut s, r.as_str());
        }
        s.push_str("]}");
        s
    }

    /// Reads a table in its wire form (module docs). As strict as the other wire readers:
    /// every field present once, no other field but `$schema`, points in increasing order,
    /// one answer per slot, every release answer naming a release.
    pub fn from_table_json(text: &str) -> Result<CampaignTable, TableError> {
        let mut r = Reader::new(text);
        let raw = read(&mut r).map_err(|e| invalid(clip(&r.describe(&e))))?;
        raw.into_table()
    }
}

/// The fields as read, before they are checked against each other.
#[derive(Default)]
struct Raw<'a> {
    format: Option<Cow<'a, str>>,
    version: Option<&'a str>,
    scheme: Option<Cow<'a, str>>,
    target: Option<Cow<'a, str>>,
    allow_downgrade: Option<bool>,
    points: Option<Vec<Cow<'a, str>>>,
    answers: Option<Vec<&'a str>>,
    releases: Option<Vec<Cow<'a, str>>>,
}

fn read<'a>(r: &mut Reader<'a>) -> Result<Raw<'a>, SyntaxError> {
    let mut raw = Raw::default();
    r.begin_object()?;
    let mut first = true;
    while let Some(key) = r.next_key(&mut first)? {
        match key.as_ref() {
            "format" if raw.format.is_none() => raw.format = Some(r.string()?),
            "version" if raw.version.is_none() => raw.version = Some(r.value()?),
            "scheme" if raw.scheme.is_none() => raw.scheme = Some(r.string()?),
            "target" if raw.target.is_none() => raw.target = Some(r.string()?),
            "allow_downgrade" if raw.allow_downgrade.is_none() => {
                raw.allow_downgrade = Some(match r.value()? {
                    "true" => true,
                    "false" => false,
                    _ => return Err(r.error("allow_downgrade: expected true or false")),
                })
            }
            "points" if raw.points.is_none() => raw.points = Some(strings(r)?),
            "answers" if raw.answers.is_none() => {
                let mut list = Vec::new();
                r.begin_array()?;
                let mut first = true;
                while r.next_item(&mut first)? {
                    list.push(r.value()?);
                }
                raw.answers = Some(list);
            }
            "releases" if raw.releases.is_none() => raw.releases = Some(strings(r)?),
            crate::json_read::SCHEMA_KEY => {
                r.string()?;
            }
            "format" | "version" | "scheme" | "target" | "allow_downgrade" | "points"
            | "answers" | "releases" => return Err(r.error(duplicate(&key))),
            _ => {
                let mut m = String::from("unknown field '");
                m.push_str(&clip(&key));
                m.push('\'');
                return Err(r.error(m));
            }
        }
    }
    r.end()?;
    Ok(raw)
}

fn duplicate(key: &str) -> String {
    let mut m = String::from("duplicate field '");
    m.push_str(key);
    m.push('\'');
    m
}

fn strings<'a>(r: &mut Reader<'a>) -> Result<Vec<Cow<'a, str>>, SyntaxError> {
    let mut list = Vec::new();
    r.begin_array()?;
    let mut first = true;
    while r.next_item(&mut first)? {
        list.push(r.string()?);
    }
    Ok(list)
}

fn missing(field: &str) -> TableError {
    let mut m = String::from("missing field '");
    m.push_str(field);
    m.push('\'');
    invalid(m)
}

impl Raw<'_> {
    fn into_table(self) -> Result<CampaignTable, TableError> {
        let format = self.format.ok_or_else(|| missing("format"))?;
        if format != TABLE_FORMAT {
            let mut m = String::from("format '");
            m.push_str(&clip(&format));
            m.push_str("' is not '");
            m.push_str(TABLE_FORMAT);
            m.push('\'');
            return Err(invalid(m));
        }
        let version = self.version.ok_or_else(|| missing("version"))?;
        if whole_number(version) != Some(TABLE_VERSION) {
            return Err(TableError::UnsupportedVersion {
                found: clip(version),
            });
        }
        let scheme_name = self.scheme.ok_or_else(|| missing("scheme"))?;
        let scheme = Scheme::from_name(&scheme_name).ok_or_else(|| {
            let mut m = String::from("scheme '");
            m.push_str(&clip(&scheme_name));
            m.push_str("' is not integer, semver or dotted");
            invalid(m)
        })?;
        let target = self.target.ok_or_else(|| missing("target"))?;
        let target = Version::parse(&target, scheme).map_err(|e| bad_version("target", &e))?;
        let allow_downgrade = self
            .allow_downgrade
            .ok_or_else(|| missing("allow_downgrade"))?;
        let points = self.points.ok_or_else(|| missing("points"))?;
        let answers_raw = self.answers.ok_or_else(|| missing("answers"))?;
        let release_texts = self.releases.ok_or_else(|| missing("releases"))?;

        let mut keys: Vec<VersionKey> = Vec::with_capacity(points.len());
        for p in &points {
            let key = VersionKey::parse(p, scheme).map_err(|e| bad_version("points", &e))?;
            if keys.last().is_some_and(|before| *before >= key) {
                let mut m = String::from("points: '");
                m.push_str(&clip(p));
                m.push_str("' is not above the point before it (points go in increasing order)");
                return Err(invalid(m));
            }
            keys.push(key);
        }
        let mut releases = Vec::with_capacity(release_texts.len());
        for t in &release_texts {
            releases.push(Version::parse(t, scheme).map_err(|e| bad_version("releases", &e))?);
        }
        if answers_raw.len() != 2 * keys.len() + 1 {
            let mut m = String::from("answers: ");
            push_decimal(&mut m, answers_raw.len());
            m.push_str(" answers for ");
            push_decimal(&mut m, keys.len());
            m.push_str(" points (one per slot: 2 * points + 1)");
            return Err(invalid(m));
        }
        let mut answers = Vec::with_capacity(answers_raw.len());
        for a in &answers_raw {
            let decoded = whole_number(a).and_then(|n| decode(n, releases.len()));
            let Some(decoded) = decoded else {
                let mut m = String::from("answers: ");
                m.push_str(&clip(a));
                m.push_str(" is not 0 to 3 or 4 + the index of one of the ");
                push_decimal(&mut m, releases.len());
                m.push_str(" releases");
                return Err(invalid(m));
            };
            answers.push(decoded);
        }
        check_answers(&keys, &answers, &releases, &target, allow_downgrade)?;
        let slots = Slots::new(keys.iter().collect());
        let integers = IntIndex::new(&slots.ints, &answers);
        let spellings = Spellings::new(&releases).unwrap_or_default();
        Ok(CampaignTable {
            target,
            slots,
            integers,
            answers,
            releases,
            spellings,
            allow_downgrade,
        })
    }
}

/// Refuses answers no plan gives, which a table altered or put together by hand could hold:
/// the one slot that answers "at the target" must be the target's own (slot `2k + 1` of the
/// point `k` equal to the target's key), and, where downgrades are not allowed, every hop must go
/// up from every version of its slot (at point `k`: above it; in the gap below point `k`: at
/// `k` or above) and not past the target. A table whose `releases` were reordered, or whose
/// `target` was changed, fails one of these instead of sending devices to the wrong release.
fn check_answers(
    keys: &[VersionKey],
    answers: &[u32],
    releases: &[Version],
    target: &Version,
    allow_downgrade: bool,
) -> Result<(), TableError> {
    let target_slot = keys.binary_search(target.key()).ok().map(|k| 2 * k + 1);
    let at_target = target_slot.and_then(|slot| answers.get(slot)) == Some(&DONE);
    if !at_target || answers.iter().filter(|&&answer| answer == DONE).count() != 1 {
        let mut m = String::from("target '");
        m.push_str(&clip(target.as_str()));
        m.push_str("' is not the one version the answers put at the target");
        return Err(invalid(m));
    }
    for (slot, &answer) in answers.iter().enumerate() {
        let Some(hop) = releases.get(answer as usize) else {
            continue;
        };
        if allow_downgrade {
            continue;
        }
        let hop_key = hop.key();
        let goes_up = if slot % 2 == 1 {
            keys.get(slot / 2).is_some_and(|at| hop_key > at)
        } else {
            keys.get(slot / 2).is_some_and(|above| hop_key >= above)
        };
        if !goes_up || hop_key > target.key() {
            let mut m = String::from("answers: slot ");
            push_decimal(&mut m, slot);
            m.push_str(" sends devices to '");
            m.push_str(&clip(hop.as_str()));
            m.push_str(if goes_up {
                "', past the target"
            } else {
                "', which is not above the versions of the slot"
            });
            m.push_str(" (downgrades are not allowed; are the releases in their order?)");
            return Err(invalid(m));
        }
    }
    Ok(())
}

/// An answer as its wire number.
fn encode(answer: u32) -> u64 {
    match answer {
        DONE => WIRE_DONE,
        DOWNGRADE => WIRE_DOWNGRADE,
        MISSING_SIZE => WIRE_MISSING_SIZE,
        UNREACHABLE => WIRE_UNREACHABLE,
        i => FIRST_RELEASE + u64::from(i),
    }
}

/// A wire number as an answer (`None`: not one, or a release that is not there).
fn decode(n: u64, releases: usize) -> Option<u32> {
    match n {
        WIRE_DONE => Some(DONE),
        WIRE_UNREACHABLE => Some(UNREACHABLE),
        WIRE_DOWNGRADE => Some(DOWNGRADE),
        WIRE_MISSING_SIZE => Some(MISSING_SIZE),
        n => {
            let i = usize::try_from(n - FIRST_RELEASE).ok()?;
            if i < releases {
                u32::try_from(i).ok()
            } else {
                None
            }
        }
    }
}

fn comma(s: &mut String, i: usize) {
    if i > 0 {
        s.push(',');
    }
}

#[cfg(test)]
mod tests;
