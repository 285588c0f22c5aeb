//! Next hops for whole Arrow columns of devices (feature `std`): the path of the Python
//! package's `stepstone.arrow.next_hops` / `plan_table` and `stepstone.spark.with_next_hop`.
//!
//! Each row's answer is a hop, "at the target" or the row's own error (a code and a message),
//! never a refusal of the whole column: one bad row in ten million must not stop a batch job.
//! Rows with a model or environment column are grouped, and one [`CampaignTable`] is built per
//! distinct (model, environment); a table that cannot be built (the target is not for that
//! model) gives its rows that error.
//!
//! | row | `hop` | `error_code` |
//! |---|---|---|
//! | needs an install | the release | null |
//! | at the target | null | null |
//! | refused (`plan.unreachable`, `version.malformed`, ...) | null | the code |
//! | null version | null | `plan.no_version` |
//!
//! ```
//! use stepstone::campaign::column::{Versions, next_hops};
//! use stepstone::catalog::Catalog;
//! use stepstone::plan::Cost;
//! use stepstone::sample::column::{IdColumn, OffsetWidth};
//! let catalog = Catalog::from_json(r#"{"releases": [
//!   {"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"},
//!   {"version": "v66000", "min_sw_version": "v65000"}]}"#).unwrap();
//! let target = catalog.parse_version("v66000").unwrap();
//! // ["v64000", "v66000", "nonsense"]
//! let offsets: Vec<u8> = [0i32, 6, 12, 20].iter().flat_map(|o| o.to_le_bytes()).collect();
//! let text = IdColumn::new(3, 0, None, &offsets, OffsetWidth::I32, b"v64000v66000nonsense").unwrap();
//! let out = next_hops(&catalog, &target, Cost::Hops, false, &Versions::Text(text), None, None).unwrap();
//! assert_eq!(out.hop.get(0), Some("v65000"));
//! assert_eq!(out.hop.get(1), None);          // at the target
//! assert_eq!(out.error_code.get(1), None);
//! assert_eq!(out.error_code.get(2), Some("version.malformed"));
//! ```

use std::collections::HashMap;
use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

use super::CampaignTable;
use crate::ErrorCode;
use crate::catalog::Catalog;
use crate::plan::{Cost, PlanError};
use crate::sample::SampleError;
use crate::sample::column::{IdColumn, IntColumn};
use crate::version::{Scheme, Version, VersionKey};

/// The devices' versions: text (`string`/`large_string`) or build numbers (`int64`/`uint64`).
#[derive(Debug, Clone, Copy)]
pub enum Versions<'a> {
    /// Version spellings (`v64000`, `1.2.3`).
    Text(IdColumn<'a>),
    /// Integer build numbers.
    Integers(IntColumn<'a>),
}

impl Versions<'_> {
    fn len(&self) -> usize {
        match self {
            Versions::Text(c) => c.len(),
            Versions::Integers(c) => c.len(),
        }
    }
}

/// A UTF-8 string column in Arrow's layout (`int32` offsets).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StringColumn {
    /// `len + 1` offsets into `data`.
    pub offsets: Vec<i32>,
    /// The strings end to end.
    pub data: String,
    /// One bit per row, set where the row is valid.
    pub validity: Vec<u8>,
    /// Number of null rows.
    pub null_count: usize,
}

impl StringColumn {
    fn with_capacity(rows: usize) -> StringColumn {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        StringColumn {
            offsets,
            data: String::new(),
            validity: vec![0; rows.div_ceil(8)],
            null_count: 0,
        }
    }

    fn push(&mut self, value: Option<&str>) -> Result<(), SampleError> {
        let row = self.offsets.len() - 1;
        match value {
            Some(v) => {
                self.data.push_str(v);
                self.validity[row / 8] |= 1 << (row % 8);
            }
            None => self.null_count += 1,
        }
        let end = i32::try_from(self.data.len()).map_err(|_| SampleError::BadColumn {
            what: format!("the answers pass 2 GiB of text at row {row}: use smaller batches"),
        })?;
        self.offsets.push(end);
        Ok(())
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `row`, `None` for a null.
    pub fn get(&self, row: usize) -> Option<&str> {
        let valid = self.validity.get(row / 8)? >> (row % 8) & 1 == 1;
        if !valid {
            return None;
        }
        let (from, to) = (*self.offsets.get(row)?, *self.offsets.get(row + 1)?);
        self.data.get(from as usize..to as usize)
    }
}

/// The answers: one row per device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextHops {
    /// The next release, null at the target or on an error.
    pub hop: StringColumn,
    /// The row's error code, null when it has an answer.
    pub error_code: StringColumn,
    /// The row's error message (names the version), null when it has an answer.
    pub error_message: StringColumn,
}

/// One row's failure: code and message.
type RowError = (&'static str, String);

/// A table per (model, environment), or why there is none.
type Tables<'s> = HashMap<(Option<&'s [u8]>, Option<&'s [u8]>), Result<CampaignTable, RowError>>;

fn as_text(bytes: Option<&[u8]>) -> Result<Option<&str>, RowError> {
    bytes
        .map(|b| {
            core::str::from_utf8(b).map_err(|_| {
                (
                    crate::error::codes::PLAN_UNKNOWN_MODEL.as_str(),
                    format!("model or environment {b:?} is not UTF-8"),
                )
            })
        })
        .transpose()
}

fn row_key(
    versions: &Versions<'_>,
    row: usize,
    scheme: Scheme,
) -> Option<Result<(VersionKey, String), RowError>> {
    let parse = |text: String| match VersionKey::parse(&text, scheme) {
        Ok(k) => Ok((k, text)),
        Err(e) => Err((e.code(), e.to_string())),
    };
    match versions {
        Versions::Text(c) => {
            let bytes = c.get(row)?;
            Some(match core::str::from_utf8(bytes) {
                Ok(t) => parse(t.to_string()),
                Err(_) => Err((
                    crate::error::codes::VERSION_MALFORMED.as_str(),
                    format!("version {bytes:?} is not UTF-8"),
                )),
            })
        }
        Versions::Integers(c) => {
            let n = c.get(row)?;
            Some(match u64::try_from(n) {
                Ok(n) if scheme == Scheme::Integer => Ok((VersionKey::Integer(n), n.to_string())),
                _ => parse(n.to_string()),
            })
        }
    }
}

/// Each device's next hop toward `target`. `models` / `environments`, when given, are columns
/// aligned with `versions` (a null: the device does not say); without them every device is
/// answered by one table for no model and no environment.
///
/// Errors (the whole call): `sample.bad_column` when the columns' lengths differ or the text
/// passes 2 GiB. Everything else is a row's error.
#[allow(clippy::too_many_arguments)]
pub fn next_hops(
    catalog: &Catalog,
    target: &Version,
    cost: Cost,
    allow_downgrade: bool,
    versions: &Versions<'_>,
    models: Option<&IdColumn<'_>>,
    environments: Option<&IdColumn<'_>>,
) -> Result<NextHops, SampleError> {
    let rows = versions.len();
    for (name, col) in [("model", models), ("environment", environments)] {
        if let Some(c) = col.filter(|c| c.len() != rows) {
            return Err(SampleError::BadColumn {
                what: format!(
                    "the {name} column has {} rows, the versions {rows}",
                    c.len()
                ),
            });
        }
    }
    let scheme = catalog.scheme();
    let mut tables: Tables<'_> = HashMap::new();
    let mut out = NextHops::with_capacity(rows);
    for row in 0..rows {
        let group = (
            models.and_then(|m| m.get(row)),
            environments.and_then(|e| e.get(row)),
        );
        let table = tables.entry(group).or_insert_with(|| {
            let model = as_text(group.0)?;
            let environment = as_text(group.1)?;
            CampaignTable::build(catalog, target, model, environment, cost)
                .map(|t| t.allow_downgrade(allow_downgrade))
                .map_err(|e: PlanError| (e.code(), e.to_string()))
        });
        out.push(answer(table.as_ref(), versions, row, scheme))?;
    }
    Ok(out)
}

/// Each device's next hop from one table (all devices of its model and environment), for a
/// catalog of `scheme`. Errors as [`next_hops`].
pub fn next_hops_in(
    table: &CampaignTable,
    scheme: Scheme,
    versions: &Versions<'_>,
) -> Result<NextHops, SampleError> {
    let rows = versions.len();
    let mut out = NextHops::with_capacity(rows);
    for row in 0..rows {
        out.push(answer(Ok(table), versions, row, scheme))?;
    }
    Ok(out)
}

/// One row's answer: a null version first, then the table's own failure, then the version's
/// parse error, then the table's refusal.
fn answer<'t>(
    table: Result<&'t CampaignTable, &RowError>,
    versions: &Versions<'_>,
    row: usize,
    scheme: Scheme,
) -> Result<Option<&'t str>, RowError> {
    match (row_key(versions, row, scheme), table) {
        (None, _) => Err((
            crate::error::codes::PLAN_NO_VERSION.as_str(),
            format!("row {row} has no version (null)"),
        )),
        (Some(_), Err(e)) => Err(e.clone()),
        (Some(Err(e)), Ok(_)) => Err(e),
        (Some(Ok((key, text))), Ok(t)) => t
            .next_hop(&key)
            .map(|h| h.map(Version::as_str))
            .map_err(|r| (r.code(), format!("{text}: {r}"))),
    }
}

impl NextHops {
    fn with_capacity(rows: usize) -> NextHops {
        NextHops {
            hop: StringColumn::with_capacity(rows),
            error_code: StringColumn::with_capacity(rows),
            error_message: StringColumn::with_capacity(rows),
        }
    }

    fn push(&mut self, answer: Result<Option<&str>, RowError>) -> Result<(), SampleError> {
        match answer {
            Ok(hop) => {
                self.hop.push(hop)?;
                self.error_code.push(None)?;
                self.error_message.push(None)
            }
            Err((code, message)) => {
                self.hop.push(None)?;
                self.error_code.push(Some(code))?;
                self.error_message.push(Some(&message))
            }
        }
    }
}

#[cfg(test)]
mod tests;
