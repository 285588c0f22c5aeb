//! Bulk sampling over columns in Apache Arrow's memory layout (feature `std`): the path of the
//! Python package's `stepstone.arrow` and `stepstone.spark`, where ids, periods and timestamps
//! arrive as whole Arrow arrays.
//!
//! The inputs are borrowed views of Arrow buffers, read in place (no copy per row):
//!
//! * [`IdColumn`]: a `binary`/`string` (32-bit offsets) or `large_binary`/`large_string`
//!   (64-bit offsets) array: validity bitmap, offsets, data, and the array's slice offset;
//! * [`IntColumn`]: a 64-bit integer array (`int64`, `uint64`, or a `timestamp` in any unit).
//!
//! Each row's period is one period for all ([`Periods::One`]), a period column
//! ([`Periods::Each`]) or derived from a timestamp column by the plan
//! ([`Periods::Timestamps`], floor to seconds, then [`SamplingPlan::period_at`]).
//!
//! **Nulls pass through**: a null id, period or timestamp gives a null answer for its row; it
//! is never read as an empty id or period 0. Values that have no period (a negative period, a
//! time before the plan's offset) are refused with a code naming the row, and a malformed
//! buffer (offsets out of order or beyond the data) with `sample.bad_column`.
//!
//! The work is split over the machine's cores; every answer equals [`Sampler::position`] /
//! [`Sampler::is_sampled`] for the row's (class, period).
//!
//! ```
//! use stepstone::sample::column::{IdColumn, OffsetWidth, Periods, sampled};
//! use stepstone::sample::is_sampled;
//!
//! // The Arrow layout of ["dev-1", null, "dev-22"]: offsets, data and a validity bitmap.
//! let offsets: Vec<u8> = [0i32, 5, 5, 11].iter().flat_map(|o| o.to_le_bytes()).collect();
//! let ids = IdColumn::new(3, 0, Some(&[0b101]), &offsets, OffsetWidth::I32, b"dev-1dev-22")
//!     .unwrap();
//! let out = sampled(b"acme", "metrics", 500_000, &ids, &Periods::One(20415)).unwrap();
//! assert_eq!(out.get(0), Some(is_sampled(b"acme", b"dev-1", 20415, "metrics", 500_000)));
//! assert_eq!(out.get(1), None); // null in, null out
//! assert_eq!(out.null_count, 1);
//! ```

use std::collections::HashMap;
use std::ops::Range;
use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

use super::{SampleError, Sampler, SamplingPlan};

/// Width of an Arrow offsets buffer's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetWidth {
    /// `binary` / `string`: `int32` offsets.
    I32,
    /// `large_binary` / `large_string`: `int64` offsets.
    I64,
}

impl OffsetWidth {
    fn bytes(self) -> usize {
        match self {
            OffsetWidth::I32 => 4,
            OffsetWidth::I64 => 8,
        }
    }
}

/// Whether bit `i` of an Arrow (LSB-first) bitmap is set; no bitmap means all valid.
#[inline]
fn bit(bitmap: Option<&[u8]>, i: usize) -> bool {
    bitmap.is_none_or(|b| b.get(i / 8).is_some_and(|byte| byte >> (i % 8) & 1 == 1))
}

/// Checks that a validity bitmap covers rows `0..end`.
fn check_validity(validity: Option<&[u8]>, end: usize, what: &str) -> Result<(), SampleError> {
    match validity {
        Some(v) if v.len() < end.div_ceil(8) => Err(bad_column(format!(
            "{what}: validity bitmap of {} bytes is too short for {end} rows",
            v.len()
        ))),
        _ => Ok(()),
    }
}

fn bad_column(what: String) -> SampleError {
    SampleError::BadColumn { what }
}

/// A `binary`/`string` (or large) Arrow array's buffers, checked once: each row's id is a
/// slice of `data`.
#[derive(Debug, Clone, Copy)]
pub struct IdColumn<'a> {
    validity: Option<&'a [u8]>,
    offsets: &'a [u8],
    width: OffsetWidth,
    data: &'a [u8],
    offset: usize,
    len: usize,
}

impl<'a> IdColumn<'a> {
    /// The array of `len` rows starting at row `offset` of its buffers (Arrow's slice offset),
    /// with its validity bitmap (`None`: no nulls), offsets (little-endian, `width` each) and
    /// data.
    ///
    /// Refused with `sample.bad_column`: buffers too short for `offset + len` rows, an offset
    /// that is negative, decreasing, or beyond the data.
    pub fn new(
        len: usize,
        offset: usize,
        validity: Option<&'a [u8]>,
        offsets: &'a [u8],
        width: OffsetWidth,
        data: &'a [u8],
    ) -> Result<IdColumn<'a>, SampleError> {
        let end = offset
            .checked_add(len)
            .ok_or_else(|| bad_column(format!("slice {offset} + {len} overflows")))?;
        check_validity(validity, end, "ids")?;
        let need = end
            .checked_add(1)
            .and_then(|n| n.checked_mul(width.bytes()))
            .ok_or_else(|| bad_column(format!("{end} rows overflow the offsets")))?;
        if offsets.len() < need {
            return Err(bad_column(format!(
                "ids: offsets buffer of {} bytes is too short for {end} rows (needs {need})",
                offsets.len()
            )));
        }
        let column = IdColumn {
            validity,
            offsets,
            width,
            data,
            offset,
            len,
        };
        let mut previous = 0usize;
        for i in offset..=end {
            let at = column.raw_offset(i).filter(|&o| o <= data.len());
            match at {
                Some(o) if i == offset || o >= previous => previous = o,
                _ => {
                    return Err(bad_column(format!(
                        "ids: offset {i} is negative, decreasing or beyond the {} data bytes",
                        data.len()
                    )));
                }
            }
        }
        Ok(column)
    }

    /// Offset entry `i` (of the buffer, not the slice) as a `usize`, `None` if negative.
    #[inline]
    fn raw_offset(&self, i: usize) -> Option<usize> {
        match self.width {
            OffsetWidth::I32 => {
                let b = self.offsets.get(4 * i..4 * i + 4)?;
                usize::try_from(i32::from_le_bytes(b.try_into().ok()?)).ok()
            }
            OffsetWidth::I64 => {
                let b = self.offsets.get(8 * i..8 * i + 8)?;
                usize::try_from(i64::from_le_bytes(b.try_into().ok()?)).ok()
            }
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Calls `f(row, id)` for each row of `rows` in order, reading each offset once (`get`
    /// reads two per row): the bulk loops' path for a column with no nulls. Returns `false`,
    /// having called `f` for no row or only some, when the column has a validity bitmap or
    /// `rows` is not within it; the caller then answers row by row with `get`.
    fn each_dense(&self, rows: Range<usize>, f: impl FnMut(usize, &'a [u8])) -> bool {
        if self.validity.is_some() || rows.start > rows.end || rows.end > self.len {
            return false;
        }
        let w = self.width.bytes();
        let (a, b) = (self.offset + rows.start, self.offset + rows.end);
        let Some(entries) = self.offsets.get(a * w..(b + 1) * w) else {
            return false;
        };
        // `new` checked every offset: not negative, in order, within the data.
        match self.width {
            OffsetWidth::I32 => self.walk(
                entries
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize),
                rows.start,
                f,
            ),
            OffsetWidth::I64 => self.walk(
                entries.chunks_exact(8).map(|c| {
                    u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as usize
                }),
                rows.start,
                f,
            ),
        }
    }

    #[inline]
    fn walk(
        &self,
        mut offsets: impl Iterator<Item = usize>,
        first_row: usize,
        mut f: impl FnMut(usize, &'a [u8]),
    ) -> bool {
        let Some(mut from) = offsets.next() else {
            return false;
        };
        for (k, to) in offsets.enumerate() {
            let Some(id) = self.data.get(from..to) else {
                return false;
            };
            f(first_row + k, id);
            from = to;
        }
        true
    }

    /// Row `row`'s id, `None` for a null (or a row past the end).
    #[inline]
    pub fn get(&self, row: usize) -> Option<&'a [u8]> {
        if row >= self.len {
            return None;
        }
        let i = self.offset + row;
        if !bit(self.validity, i) {
            return None;
        }
        // Checked in `new`: both offsets exist, are ordered and within the data.
        let (from, to) = (self.raw_offset(i)?, self.raw_offset(i + 1)?);
        self.data.get(from..to)
    }
}

/// A 64-bit integer Arrow array (`int64`, `uint64`, `timestamp[*]`): little-endian values,
/// validity bitmap and slice offset.
#[derive(Debug, Clone, Copy)]
pub struct IntColumn<'a> {
    validity: Option<&'a [u8]>,
    values: &'a [u8],
    signed: bool,
    offset: usize,
    len: usize,
}

impl<'a> IntColumn<'a> {
    /// The array of `len` rows from row `offset` of its buffers; `signed` for `int64` and
    /// timestamps, unsigned for `uint64`. Refused with `sample.bad_column` when the buffers
    /// are too short.
    pub fn new(
        len: usize,
        offset: usize,
        validity: Option<&'a [u8]>,
        values: &'a [u8],
        signed: bool,
    ) -> Result<IntColumn<'a>, SampleError> {
        let end = offset
            .checked_add(len)
            .ok_or_else(|| bad_column(format!("slice {offset} + {len} overflows")))?;
        check_validity(validity, end, "values")?;
        if values.len() / 8 < end {
            return Err(bad_column(format!(
                "values buffer of {} bytes is too short for {end} 8-byte rows",
                values.len()
            )));
        }
        Ok(IntColumn {
            validity,
            values,
            signed,
            offset,
            len,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Row `row` as an `i128` (wide enough for both signednesses), `None` for a null.
    #[inline]
    pub fn get(&self, row: usize) -> Option<i128> {
        if row >= self.len {
            return None;
        }
        let i = self.offset + row;
        if !bit(self.validity, i) {
            return None;
        }
        let b: [u8; 8] = self.values.get(8 * i..8 * i + 8)?.try_into().ok()?;
        Some(if self.signed {
            i128::from(i64::from_le_bytes(b))
        } else {
            i128::from(u64::from_le_bytes(b))
        })
    }
}

/// The unit of a timestamp column (Arrow's `timestamp[s|ms|us|ns]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Millis,
    /// Microseconds.
    Micros,
    /// Nanoseconds.
    Nanos,
}

impl TimeUnit {
    fn per_second(self) -> i128 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Millis => 1_000,
            TimeUnit::Micros => 1_000_000,
            TimeUnit::Nanos => 1_000_000_000,
        }
    }
}

/// Where each row's period comes from.
#[derive(Debug, Clone, Copy)]
pub enum Periods<'a> {
    /// The same period for every row.
    One(u64),
    /// A period per row (nulls give null answers; negatives are refused).
    Each(IntColumn<'a>),
    /// A timestamp per row, Unix time in `unit` since 1970-01-01 UTC (floored to whole seconds,
    /// then the plan's period); only with a plan.
    Timestamps(IntColumn<'a>, TimeUnit),
}

/// Each row's period, `None` for a null row. `plan` turns timestamps into periods.
fn row_periods(
    periods: &Periods<'_>,
    rows: usize,
    plan: Option<&SamplingPlan>,
) -> Result<Option<Vec<Option<u64>>>, SampleError> {
    let (column, unit) = match periods {
        Periods::One(_) => return Ok(None),
        Periods::Each(c) => (c, None),
        Periods::Timestamps(c, unit) => (c, Some(*unit)),
    };
    if column.len() != rows {
        return Err(bad_column(format!(
            "the periods have {} rows, the ids {rows}",
            column.len()
        )));
    }
    let mut out = Vec::with_capacity(rows);
    for row in 0..rows {
        let Some(value) = column.get(row) else {
            out.push(None);
            continue;
        };
        let period = match (unit, plan) {
            (None, _) => u64::try_from(value).map_err(|_| SampleError::NegativePeriod {
                row,
                value: value.to_string(),
            })?,
            (Some(unit), Some(plan)) => {
                // Timestamps are signed 64-bit: i64 division (i128 division is several times
                // slower, and this runs once a row).
                let seconds = i64::try_from(value)
                    .map_or(value.div_euclid(unit.per_second()), |v| {
                        i128::from(v.div_euclid(unit.per_second() as i64))
                    });
                match u64::try_from(seconds) {
                    Ok(s) => plan
                        .period_at(s)
                        .map_err(|_| SampleError::RowBeforeOffset {
                            row,
                            unix_seconds: seconds.to_string(),
                            offset_seconds: plan.period_offset_seconds(),
                        })?,
                    Err(_) => {
                        return Err(SampleError::RowBeforeOffset {
                            row,
                            unix_seconds: seconds.to_string(),
                            offset_seconds: plan.period_offset_seconds(),
                        });
                    }
                }
            }
            (Some(_), None) => {
                return Err(bad_column(
                    "timestamps need a plan (its period length and offset)".to_string(),
                ));
            }
        };
        out.push(Some(period));
    }
    Ok(Some(out))
}

/// One sampler per distinct period of the rows.
struct Samplers {
    by_period: HashMap<u64, Sampler>,
}

impl Samplers {
    fn new(salt: &[u8], class: &str, periods: &Periods<'_>, each: Option<&[Option<u64>]>) -> Self {
        let mut by_period = HashMap::new();
        match (periods, each) {
            (_, Some(each)) => {
                let mut last = None;
                for p in each.iter().flatten() {
                    if last != Some(*p) {
                        by_period
                            .entry(*p)
                            .or_insert_with(|| Sampler::new(salt, class, *p));
                        last = Some(*p);
                    }
                }
            }
            (Periods::One(p), None) => {
                by_period.insert(*p, Sampler::new(salt, class, *p));
            }
            _ => {}
        }
        Samplers { by_period }
    }
}

/// A boolean column in Arrow's layout: values and validity as LSB-first bitmaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoolColumn {
    /// One bit per row.
    pub values: Vec<u8>,
    /// One bit per row, set where the row is valid; `None` when no row is null.
    pub validity: Option<Vec<u8>>,
    /// Number of null rows.
    pub null_count: usize,
    /// Number of rows.
    pub len: usize,
}

impl BoolColumn {
    /// Row `row`: `None` for a null.
    pub fn get(&self, row: usize) -> Option<bool> {
        if row >= self.len || !bit(self.validity.as_deref(), row) {
            return None;
        }
        Some(bit(Some(&self.values), row))
    }

    /// Number of rows that are true.
    pub fn count_true(&self) -> usize {
        let full = self.len / 8;
        let mut n: usize = self.values[..full]
            .iter()
            .zip(
                self.validity
                    .as_deref()
                    .map_or(&[][..], |v| &v[..full])
                    .iter()
                    .chain(core::iter::repeat(&0xff)),
            )
            .map(|(v, ok)| (v & ok).count_ones() as usize)
            .sum();
        n += (full * 8..self.len)
            .filter(|&r| self.get(r) == Some(true))
            .count();
        n
    }
}

/// A `uint64` column in Arrow's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct U64Column {
    /// One value per row (0 for a null row).
    pub values: Vec<u64>,
    /// One bit per row, set where the row is valid; `None` when no row is null.
    pub validity: Option<Vec<u8>>,
    /// Number of null rows.
    pub null_count: usize,
}

/// Rows per work unit: a multiple of 8, so each thread writes whole bitmap bytes.
const ROWS_PER_PART: usize = 1 << 15;

/// `f(row)` for every row, split over the cores in parts of whole bytes; `write` stores a
/// part's answers. Returns nothing: parts write to disjoint chunks of `out`.
fn split<T: Send, F>(out: &mut [T], per_item_rows: usize, f: F)
where
    F: Fn(usize, &mut [T]) + Sync,
{
    let items_per_part = ROWS_PER_PART / per_item_rows;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(out.len().div_ceil(items_per_part))
        .max(1);
    if threads == 1 {
        f(0, out);
        return;
    }
    let per_thread = out.len().div_ceil(threads).div_ceil(items_per_part) * items_per_part;
    std::thread::scope(|scope| {
        for (k, chunk) in out.chunks_mut(per_thread).enumerate() {
            let f = &f;
            scope.spawn(move || f(k * per_thread, chunk));
        }
    });
}

/// The validity bitmap of the answers (`None` when every row is valid) and the null count.
fn answer_validity(ids: &IdColumn<'_>, each: Option<&[Option<u64>]>) -> (Option<Vec<u8>>, usize) {
    if ids.validity.is_none() && each.is_none() {
        // No null id (`new` checked every offset) and one period: every row has an answer,
        // with no second pass over the ids.
        return (None, 0);
    }
    let rows = ids.len();
    let mut bits = vec![0u8; rows.div_ceil(8)];
    let mut nulls = 0;
    for row in 0..rows {
        let valid = ids.get(row).is_some() && each.is_none_or(|e| e[row].is_some());
        if valid {
            bits[row / 8] |= 1 << (row % 8);
        } else {
            nulls += 1;
        }
    }
    ((nulls > 0).then_some(bits), nulls)
}

/// The sampler and id of a row, `None` for a null row.
#[inline]
fn row_input<'s, 'a>(
    samplers: &'s Samplers,
    ids: &IdColumn<'a>,
    each: Option<&[Option<u64>]>,
    one: Option<&'s Sampler>,
    row: usize,
    last: &mut Option<(u64, &'s Sampler)>,
) -> Option<(&'s Sampler, &'a [u8])> {
    let id = ids.get(row)?;
    let sampler = match each {
        None => one?,
        Some(each) => {
            // Rows in time order share their period: one map lookup per run of equal periods.
            let period = each[row]?;
            match *last {
                Some((p, s)) if p == period => s,
                _ => {
                    let s = samplers.by_period.get(&period)?;
                    *last = Some((period, s));
                    s
                }
            }
        }
    };
    Some((sampler, id))
}

fn sampled_with(
    salt: &[u8],
    class: &str,
    rate_ppm: u32,
    ids: &IdColumn<'_>,
    periods: &Periods<'_>,
    plan: Option<&SamplingPlan>,
) -> Result<BoolColumn, SampleError> {
    let each = row_periods(periods, ids.len(), plan)?;
    let samplers = Samplers::new(salt, class, periods, each.as_deref());
    let one = match periods {
        Periods::One(p) => samplers.by_period.get(p),
        _ => None,
    };
    Ok(run_sampled(&samplers, one, each.as_deref(), ids, rate_ppm))
}

fn run_sampled(
    samplers: &Samplers,
    one: Option<&Sampler>,
    each: Option<&[Option<u64>]>,
    ids: &IdColumn<'_>,
    rate_ppm: u32,
) -> BoolColumn {
    let rows = ids.len();
    let mut values = vec![0u8; rows.div_ceil(8)];
    split(&mut values, 8, |first_byte, bytes| {
        let first_row = first_byte * 8;
        if let (Some(s), None) = (one, each) {
            // One period and no null id: the ids in order, each offset read once.
            let rows_here = first_row..(first_row + 8 * bytes.len()).min(rows);
            let dense = ids.each_dense(rows_here, |row, id| {
                bytes[(row - first_row) / 8] |= u8::from(s.is_sampled(id, rate_ppm)) << (row % 8);
            });
            if dense {
                return;
            }
        }
        let mut last = None;
        for (k, byte) in bytes.iter_mut().enumerate() {
            let base = (first_byte + k) * 8;
            let mut b = 0u8;
            for r in 0..8.min(rows - base) {
                if let Some((s, id)) = row_input(samplers, ids, each, one, base + r, &mut last) {
                    b |= u8::from(s.is_sampled(id, rate_ppm)) << r;
                }
            }
            *byte = b;
        }
    });
    let (validity, null_count) = answer_validity(ids, each);
    BoolColumn {
        values,
        validity,
        null_count,
        len: rows,
    }
}

fn positions_with(
    salt: &[u8],
    class: &str,
    ids: &IdColumn<'_>,
    periods: &Periods<'_>,
    plan: Option<&SamplingPlan>,
) -> Result<U64Column, SampleError> {
    let each = row_periods(periods, ids.len(), plan)?;
    let samplers = Samplers::new(salt, class, periods, each.as_deref());
    let one = match periods {
        Periods::One(p) => samplers.by_period.get(p),
        _ => None,
    };
    Ok(run_positions(&samplers, one, each.as_deref(), ids))
}

fn run_positions(
    samplers: &Samplers,
    one: Option<&Sampler>,
    each: Option<&[Option<u64>]>,
    ids: &IdColumn<'_>,
) -> U64Column {
    let mut values = vec![0u64; ids.len()];
    split(&mut values, 1, |first, out| {
        if let (Some(s), None) = (one, each) {
            // One period and no null id: the ids in order, each offset read once.
            let dense = ids.each_dense(first..first + out.len(), |row, id| {
                out[row - first] = s.position(id);
            });
            if dense {
                return;
            }
        }
        let mut last = None;
        for (k, v) in out.iter_mut().enumerate() {
            if let Some((s, id)) = row_input(samplers, ids, each, one, first + k, &mut last) {
                *v = s.position(id);
            }
        }
    });
    let (validity, null_count) = answer_validity(ids, each);
    U64Column {
        values,
        validity,
        null_count,
    }
}

impl Sampler {
    /// Whether each row's device is in the rate-`rate_ppm` sample of this sampler's (salt,
    /// class, period); null ids give null answers.
    ///
    /// ```
    /// use stepstone::sample::Sampler;
    /// use stepstone::sample::column::{IdColumn, OffsetWidth};
    /// let offsets: Vec<u8> = [0i64, 5].iter().flat_map(|o| o.to_le_bytes()).collect();
    /// let ids = IdColumn::new(1, 0, None, &offsets, OffsetWidth::I64, b"dev-1").unwrap();
    /// let s = Sampler::new(b"acme", "metrics", 3);
    /// assert_eq!(s.sampled_column(&ids, 500_000).get(0), Some(s.is_sampled(b"dev-1", 500_000)));
    /// ```
    pub fn sampled_column(&self, ids: &IdColumn<'_>, rate_ppm: u32) -> BoolColumn {
        let none = Samplers {
            by_period: HashMap::new(),
        };
        run_sampled(&none, Some(self), None, ids, rate_ppm)
    }

    /// Each row's position for this sampler's (salt, class, period).
    pub fn positions_column(&self, ids: &IdColumn<'_>) -> U64Column {
        let none = Samplers {
            by_period: HashMap::new(),
        };
        run_positions(&none, Some(self), None, ids)
    }
}

/// Whether each row's device is in the rate-`rate_ppm` sample of `class` for the row's period
/// (salt as given). Timestamps need a plan: use [`SamplingPlan::sampled_column`].
///
/// Errors: `sample.bad_column` (periods and ids of different lengths, timestamps without a
/// plan), `sample.negative_period` (naming the row).
pub fn sampled(
    salt: &[u8],
    class: &str,
    rate_ppm: u32,
    ids: &IdColumn<'_>,
    periods: &Periods<'_>,
) -> Result<BoolColumn, SampleError> {
    sampled_with(salt, class, rate_ppm, ids, periods, None)
}

/// Each row's position for `class` in the row's period. Errors as [`sampled`].
pub fn positions(
    salt: &[u8],
    class: &str,
    ids: &IdColumn<'_>,
    periods: &Periods<'_>,
) -> Result<U64Column, SampleError> {
    positions_with(salt, class, ids, periods, None)
}

impl SamplingPlan {
    /// Whether each row's device reports `class` in the row's period (or the period of its
    /// timestamp), at the plan's rate for `class`.
    ///
    /// Errors: `sample.unknown_class`, `sample.before_offset` (a timestamp before the plan's
    /// offset, naming the row), and those of [`sampled`].
    ///
    /// ```
    /// use stepstone::sample::SamplingPlan;
    /// use stepstone::sample::column::{IdColumn, IntColumn, OffsetWidth, Periods, TimeUnit};
    /// let plan = SamplingPlan::from_json(
    ///     r#"{"salt": "acme-2026", "period_seconds": 86400, "classes": {"metrics": 50000}}"#,
    /// ).unwrap();
    /// let offsets: Vec<u8> = [0i32, 8].iter().flat_map(|o| o.to_le_bytes()).collect();
    /// let ids = IdColumn::new(1, 0, None, &offsets, OffsetWidth::I32, b"DA143532").unwrap();
    /// let ms = 1_763_899_200_000i64.to_le_bytes(); // 2025-11-23T12:00:00Z, period 20415
    /// let ts = IntColumn::new(1, 0, None, &ms, true).unwrap();
    /// let out = plan.sampled_column("metrics", &ids, &Periods::Timestamps(ts, TimeUnit::Millis));
    /// assert_eq!(out.unwrap().get(0), Some(plan.is_sampled(b"DA143532", "metrics", 20415).unwrap()));
    /// ```
    pub fn sampled_column(
        &self,
        class: &str,
        ids: &IdColumn<'_>,
        periods: &Periods<'_>,
    ) -> Result<BoolColumn, SampleError> {
        let rate = self.rate(class)?;
        sampled_with(
            self.salt().as_bytes(),
            class,
            rate,
            ids,
            periods,
            Some(self),
        )
    }

    /// Each row's position for `class` in the row's period (the class need not be in the
    /// plan). Errors as [`SamplingPlan::sampled_column`], without `sample.unknown_class`.
    pub fn positions_column(
        &self,
        class: &str,
        ids: &IdColumn<'_>,
        periods: &Periods<'_>,
    ) -> Result<U64Column, SampleError> {
        positions_with(self.salt().as_bytes(), class, ids, periods, Some(self))
    }
}

#[cfg(test)]
mod tests;
