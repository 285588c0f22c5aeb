//! `next-hop`'s rows in bulk: runs of simple lines (`csv_rows::simple_line`: short, ASCII, no
//! quotes or blanks) answered from the input's bytes as they lie, with no record built, no
//! UTF-8 check and no trimming (none of which such a line needs). Any other line goes through
//! the record-by-record path; the test `usual_rows_as_the_general_path` runs both on messy
//! device lists and requires the same output and summary.

use std::io::Write;

use stepstone::version::Scheme;

use super::{Job, Layout, integer_digits, short_key, short_key_bytes, write_answer};
use crate::csv_rows::{Simple, simple_line};
use crate::row_out::RowOut;

/// Where a layout's columns are, and the table keys a row that leaves a column out (or
/// empty) takes.
struct Lane {
    id: usize,
    version: usize,
    model: Option<usize>,
    environment: Option<usize>,
    /// [`short_key`] of `--model` and `--environment`; `None` where a name is too long for one.
    model_flag: Option<u64>,
    environment_flag: Option<u64>,
    /// The id and the version are neighbours, in that order: `id,version` is one piece of
    /// the line.
    pair: bool,
}

/// Answers the simple rows at the start of `ahead` (whole lines, each ending in `\n`) and
/// counts them; returns the bytes they take, and how writing went. It stops at the first line
/// it leaves to the record path: one that is not simple, and one the record path answers
/// otherwise than from an integer version and a table already built (an empty id, a version
/// that is not `[v]DIGITS`, a model or environment name longer than 7 bytes, a table not yet
/// built, a catalog of another scheme).
pub(super) fn simple_rows(
    ahead: &[u8],
    layout: &Layout,
    job: &mut Job<'_, '_>,
    out: &mut RowOut<impl Write>,
) -> (usize, std::io::Result<()>) {
    let Some(lane) = Lane::new(layout, job) else {
        return (0, Ok(()));
    };
    let mut taken = 0;
    while let Some(rest) = ahead.get(taken..)
        && let Some(line) = simple_line(rest, layout.width)
        && let Some(written) = lane.row(rest, &line, job, out)
    {
        if let Err(e) = written {
            return (taken, Err(e));
        }
        taken += line.take;
    }
    (taken, Ok(()))
}

impl Lane {
    fn new(layout: &Layout, job: &Job<'_, '_>) -> Option<Lane> {
        if job.scheme != Scheme::Integer {
            return None;
        }
        let id = layout.device_id?;
        Some(Lane {
            id,
            version: layout.version,
            model: layout.model,
            environment: layout.environment,
            model_flag: short_key(job.args.model.as_deref()),
            environment_flag: short_key(job.args.environment.as_deref()),
            pair: id + 1 == layout.version,
        })
    }

    /// Answers, counts and writes one simple line (`line` of `rest`); `None`, with nothing
    /// written or counted, for a row the record path must answer.
    #[inline(always)]
    fn row(
        &self,
        rest: &[u8],
        line: &Simple,
        job: &mut Job<'_, '_>,
        out: &mut RowOut<impl Write>,
    ) -> Option<std::io::Result<()>> {
        let (id_at, id_end) = line.field(self.id);
        let (version_at, version_end) = line.field(self.version);
        let v = integer_digits(rest.get(version_at..version_end)?)?;
        if id_end == id_at {
            return None;
        }
        let key = |column: Option<usize>, flag: Option<u64>| match column {
            None => flag,
            Some(i) => {
                let (at, end) = line.field(i);
                if at == end {
                    flag
                } else {
                    field_key(rest, at, end)
                }
            }
        };
        let keys = (
            key(self.model, self.model_flag)?,
            key(self.environment, self.environment_flag)?,
        );
        let answer = job.tables.answer_integer(job.tables.find(keys)?, v)?;
        job.tally.rows += 1;
        job.tally.count(answer);
        let (id, version) = (rest.get(id_at..id_end)?, rest.get(version_at..version_end)?);
        let written = match rest.get(id_at..version_end) {
            Some(pair) if self.pair => out.put(pair),
            _ => out
                .put(id)
                .and_then(|()| out.put(b","))
                .and_then(|()| out.put(version)),
        };
        Some(written.and_then(|()| write_answer(out, answer)))
    }
}

/// [`short_key`] of the bytes `at..end` of `rest` (a name of at most 7 bytes), read as one word
/// and masked where eight bytes are left from `at`.
#[inline(always)]
fn field_key(rest: &[u8], at: usize, end: usize) -> Option<u64> {
    let n = end.checked_sub(at)?;
    if n > 7 {
        return None;
    }
    match rest.get(at..).and_then(|b| b.first_chunk::<8>()) {
        Some(w) => {
            Some((u64::from_le_bytes(*w) & ((1u64 << (8 * n)) - 1)) | ((n as u64 + 1) << 56))
        }
        None => short_key_bytes(rest.get(at..end)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time key is the byte-by-byte one, for every length and place.
    #[test]
    fn field_key_is_short_key() {
        let text = b"ab,lab,A,prod-eu,c\n";
        for at in 0..text.len() {
            for end in at..=text.len() {
                let want = std::str::from_utf8(&text[at..end])
                    .ok()
                    .and_then(|t| short_key(Some(t)));
                assert_eq!(field_key(text, at, end), want, "{at}..{end}");
            }
        }
    }
}
