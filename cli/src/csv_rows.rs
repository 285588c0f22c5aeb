//! Streaming CSV records for `next-hop`, at the speed of splitting lines.
//!
//! A line with no `"` and no `\r` before its end is split at its commas, which is exactly what
//! the csv crate reads from it. Any other record (quoted fields, line breaks inside quotes, a
//! lone `\r` as a terminator) is read by `csv_core`, the csv crate's own parser, from that point
//! on, however many lines and buffer refills it takes. Records come as [`Row`]s borrowed from
//! the reader's buffer: nothing is allocated per row, and UTF-8 is checked once per 4 KiB of
//! plain lines. The test `same_records_as_the_csv_crate` compares both on random inputs.

use std::io::BufRead;
use std::ops::Range;

/// One record: its fields (unquoted) as ranges of `data`.
pub struct Row<'a> {
    data: &'a [u8],
    ranges: &'a [Range<usize>],
    /// `data` as text when it is UTF-8.
    text: Option<&'a str>,
    /// Read by csv_core (it had quotes or a lone `\r`): its fields may hold `,`, `"` or line
    /// breaks. A plain line's fields hold none of them.
    quoted: bool,
}

impl<'a> Row<'a> {
    /// Fields in the record.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Field `i`'s bytes.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.data.get(self.ranges.get(i)?.clone())
    }

    /// Fields `i` and `i + 1` with the comma between them, as one slice of a plain row (`None`
    /// for a quoted row or a missing field): the output can copy them in one piece.
    pub fn pair(&self, i: usize) -> Option<&'a [u8]> {
        if self.quoted {
            return None;
        }
        let (a, b) = (self.ranges.get(i)?, self.ranges.get(i.checked_add(1)?)?);
        self.data.get(a.start..b.end)
    }

    /// Field `i` as text: `None` when there is no such field, `Some(None)` when it is not UTF-8.
    pub fn text(&self, i: usize) -> Option<Option<&'a str>> {
        let r = self.ranges.get(i)?.clone();
        // A range of the row's text, or (the row is not text, or the range cuts a character:
        // `\xC3` and `\xA9` are two bad fields but `é` together) the field checked alone.
        Some(
            self.text
                .and_then(|t| t.get(r.clone()))
                .or_else(|| self.data.get(r).and_then(|f| std::str::from_utf8(f).ok())),
        )
    }

    /// Field `i` of a plain row (read without csv_core: no field holds `,`, `"` or a line
    /// break) as text; `None` for a quoted row, a missing field, or one that is not UTF-8.
    #[inline]
    pub fn plain_text(&self, i: usize) -> Option<&'a str> {
        if self.quoted {
            return None;
        }
        self.text?.get(self.ranges.get(i)?.clone())
    }

    /// Every field's bytes, one after the other (no separators).
    pub fn bytes(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.ranges.iter().filter_map(|r| self.data.get(r.clone()))
    }

    /// Whether a field may hold `,`, `"`, `\r` or `\n` (and so need quotes when written).
    pub fn quoted(&self) -> bool {
        self.quoted
    }

    /// A row of only blank text (an empty or white line).
    pub fn blank(&self) -> bool {
        self.len() <= 1 && self.bytes().all(|f| f.trim_ascii().is_empty())
    }
}

/// What [`Rows::read`] hands the records to.
pub trait Records<E> {
    /// Given the input ahead (whole lines, each ending in `\n`, from a record's start on),
    /// answers as many of its first lines as it can by itself and says how many bytes they
    /// take; the next line comes to [`Records::record`]. `Ok(None)`: stop reading.
    fn lines(&mut self, ahead: &[u8]) -> Result<Option<usize>, E>;

    /// One record (a line, or more for quoted line breaks); `Ok(false)`: stop reading.
    fn record(&mut self, row: &Row<'_>) -> Result<bool, E>;
}

/// [`Records`] of a closure, which takes every record one by one (the tests' reader).
#[cfg(test)]
struct Each<F>(F);

#[cfg(test)]
impl<E, F: FnMut(&Row<'_>) -> Result<bool, E>> Records<E> for Each<F> {
    fn lines(&mut self, _: &[u8]) -> Result<Option<usize>, E> {
        Ok(Some(0))
    }

    fn record(&mut self, row: &Row<'_>) -> Result<bool, E> {
        (self.0)(row)
    }
}

/// The records of a CSV input.
pub struct Rows<R> {
    input: R,
    core: csv_core::Reader,
    /// A quoted record's fields, as csv_core writes them.
    out: Vec<u8>,
    ends: Vec<usize>,
    ranges: Vec<Range<usize>>,
    /// The input ended inside a quoted field (see [`Rows::unclosed_quote`]).
    unclosed: bool,
}

/// The bytes a plain line's scan stops at.
const SPECIALS: [u8; 4] = [b'\n', b',', b'"', b'\r'];

/// The eight bytes at `at` as a little-endian word (the first byte lowest), when there are eight.
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(*bytes.get(at..)?.first_chunk::<8>()?))
}

/// Every byte's high bit, and every byte's low bit.
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `w` that is `c`, exactly (no carries between bytes: each
/// byte's test keeps to its own 8 bits).
#[inline(always)]
fn equal(w: u64, c: u8) -> u64 {
    const LOW7: u64 = !HIGH;
    let x = w ^ (ONES * u64::from(c));
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// The high bit of each byte of `w` below `n` (at most 0x80), exactly: each byte is taken with
/// its high bit set before `n` is subtracted, so none borrows from the next.
#[inline(always)]
fn below(w: u64, n: u8) -> u64 {
    !((w | HIGH) - ONES * u64::from(n)) & !w & HIGH
}

/// The high bits of a mask like [`equal`]'s packed into one byte: bit `k` for byte `k` (the
/// multiplier moves byte `k`'s bit to bit `56 + k`, with no two partial products meeting).
#[inline(always)]
fn pack(mask: u64) -> u64 {
    ((mask >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// The high bit of each byte of `w` that is one of [`SPECIALS`], exactly.
fn special(w: u64) -> u64 {
    equal(w, b'\n') | equal(w, b',') | equal(w, b'"') | equal(w, b'\r')
}

/// The most fields a [`Simple`] line is split into.
pub const SIMPLE_FIELDS: usize = 4;

/// A simple line (see [`simple_line`]): where it ends and where its fields are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Simple {
    /// The line's bytes with its line end (`\n` or `\r\n`).
    pub take: usize,
    /// Where field `i` starts in the line, in byte `i`, and where it ends, in byte `4 + i`:
    /// one word, kept in a register (an array indexed at run time would be stored on the
    /// stack and read back).
    bounds: u64,
}

impl Simple {
    /// Field `i` (below the width asked for) as the range `start..end` of the line.
    #[inline(always)]
    pub fn field(&self, i: usize) -> (usize, usize) {
        let at = 8 * (i % SIMPLE_FIELDS);
        let byte = |shift: usize| ((self.bounds >> shift) & 0xFF) as usize;
        (byte(at), byte(at + 8 * SIMPLE_FIELDS))
    }
}

/// The first line of `ahead` when it is *simple*: at most 63 bytes before a `\n` (or a
/// `\r\n`) within the first 64, ASCII, no byte below `-` (0x2D) but its commas (so no quote,
/// no `\r` elsewhere, no blank or control character), and exactly `width` fields (1 to
/// [`SIMPLE_FIELDS`]). Its fields are the bytes between its commas: what the csv crate reads
/// from it, already trimmed (no field starts or ends with a blank) and UTF-8 (ASCII). `None`
/// for any other line, and when fewer than 8 bytes are left from some word of the line on
/// (the bytes are read eight at a time, never past `ahead`).
#[inline(always)]
pub fn simple_line(ahead: &[u8], width: usize) -> Option<Simple> {
    // Per byte of the line, as bit `k` for byte `k`: its commas and its odd bytes.
    let (mut commas, mut odd) = (0u64, 0u64);
    let mut at = 0;
    let nl = loop {
        let w = word(ahead, at)?;
        let nl = equal(w, b'\n');
        let comma = equal(w, b',');
        // The bytes before this word's first `\n` (all of them when it has none).
        let first = nl & nl.wrapping_neg();
        let keep = (first >> 7).wrapping_sub(1);
        let odd_here = (below(w, b'-') | (w & HIGH)) & !(nl | comma) & keep;
        commas |= pack(comma & keep) << at;
        odd |= pack(odd_here) << at;
        if nl != 0 {
            break at + (nl.trailing_zeros() / 8) as usize;
        }
        at += 8;
        if at == 64 {
            return None;
        }
    };
    // A `\r` right before the `\n` is the line end, as the csv crate reads it.
    let len = match nl.checked_sub(1) {
        Some(before) if ahead.get(before) == Some(&b'\r') => before,
        _ => nl,
    };
    // `len` is at most 63: the bits of the line's bytes.
    if odd & ((1u64 << len) - 1) != 0 {
        return None;
    }
    if width == 0 || width > SIMPLE_FIELDS {
        return None;
    }
    // Field 0 starts at 0; field `i - 1` ends at the `i`th comma and field `i` starts after it;
    // the last field ends at `len`.
    let (mut bounds, mut rest, mut comma) = (0u64, commas, 0);
    for i in 1..width {
        // 64 once there is no comma left.
        comma = rest.trailing_zeros();
        rest &= rest.wrapping_sub(1);
        bounds |= u64::from(comma) << (8 * (SIMPLE_FIELDS + i - 1));
        bounds |= u64::from(comma + 1) << (8 * i);
    }
    bounds |= (len as u64) << (8 * (SIMPLE_FIELDS + width - 1));
    // Too many commas, or too few.
    if rest != 0 || comma >= 64 {
        return None;
    }
    Some(Simple {
        take: nl + 1,
        bounds,
    })
}

/// Where a record's bytes stand in the quoting rules csv_core reads them by: a `"` opens a
/// quoted field only as the field's first byte, `""` inside one is a quote, a `,` or line end
/// outside quotes ends the field. csv_core never says whether the input ended inside quotes (it
/// hands over what it has as one field), and its `Reader` cannot be copied to ask it (in
/// csv-core 0.1.13 `Clone` keeps only part of the DFA's tables), so `Rows::quoted` follows the
/// bytes csv_core consumes for a record with this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    FieldStart,
    Plain,
    Quoted,
    QuoteInQuoted,
}

impl Quoting {
    fn after(self, bytes: &[u8]) -> Quoting {
        bytes.iter().fold(self, |s, &b| match (s, b) {
            (Quoting::Quoted, b'"') => Quoting::QuoteInQuoted,
            (Quoting::Quoted, _) => Quoting::Quoted,
            (Quoting::FieldStart | Quoting::QuoteInQuoted, b'"') => Quoting::Quoted,
            (_, b',' | b'\n' | b'\r') => Quoting::FieldStart,
            _ => Quoting::Plain,
        })
    }
}

impl<R: BufRead> Rows<R> {
    pub fn new(input: R) -> Rows<R> {
        Rows {
            input,
            core: csv_core::Reader::new(),
            out: vec![0; 1 << 10],
            ends: vec![0; 16],
            ranges: Vec::with_capacity(16),
            unclosed: false,
        }
    }

    /// Whether the read stopped because the input ended inside a quoted field: a `"` that
    /// opens a field and is never closed. csv_core would hand everything after it, to the end
    /// of the input, over as one field, so the record is not handed on: the caller refuses the
    /// list (`csv.unclosed_quote`).
    pub fn unclosed_quote(&self) -> bool {
        self.unclosed
    }

    /// Calls `f` with every record in order until the input ends or `f` returns `Ok(false)`.
    #[cfg(test)]
    pub fn for_each<E>(
        &mut self,
        io_err: impl Fn(std::io::Error) -> E,
        f: impl FnMut(&Row<'_>) -> Result<bool, E>,
    ) -> Result<(), E> {
        self.read(io_err, &mut Each(f))
    }

    /// Hands every record in order to `to` (plain lines in bulk to [`Records::lines`], the
    /// rest one by one to [`Records::record`]) until the input ends or `to` says stop.
    pub fn read<E>(
        &mut self,
        io_err: impl Fn(std::io::Error) -> E,
        to: &mut impl Records<E>,
    ) -> Result<(), E> {
        loop {
            let buf = self.input.fill_buf().map_err(&io_err)?;
            if buf.is_empty() {
                return Ok(());
            }
            let Some(last) = buf.iter().rposition(|&b| b == b'\n') else {
                // A line longer than the buffer, or the last one without a newline.
                if !self.quoted(&io_err, to)? {
                    return Ok(());
                }
                continue;
            };
            let block = buf.get(..=last).unwrap_or_default();
            // UTF-8 is checked a chunk of plain lines at a time (`block[chunk_at..checked]`,
            // whole lines of about 4 KiB), never over lines that go to csv_core.
            let (mut chunk, mut chunk_at, mut checked): (Option<&str>, usize, usize) = (None, 0, 0);
            let mut pos = 0;
            let mut slow = false;
            loop {
                // The lines `to` answers by itself, then one record here.
                match to.lines(block.get(pos..).unwrap_or_default())? {
                    Some(taken) => pos += taken,
                    None => return Ok(()),
                }
                let Some(rest) = block.get(pos..).filter(|rest| !rest.is_empty()) else {
                    break;
                };
                // Every line in the block ends with `\n`. One pass finds it, the commas, and
                // whether the line is plain: no `"`, and no `\r` but one right before the `\n`
                // (a CRLF line end).
                self.ranges.clear();
                let mut len = rest.len();
                let mut start = 0;
                let (mut quote, mut crs, mut last_cr) = (false, 0u32, 0);
                // Eight bytes at a time: a word's special bytes as a mask, visited lowest
                // first; the last few bytes of the block one by one.
                let mut at = 0;
                'line: loop {
                    let (mut mask, step) = match word(rest, at) {
                        Some(w) => (special(w), 8),
                        None => match rest.get(at) {
                            Some(&b) => (u64::from(SPECIALS.contains(&b)) << 7, 1),
                            None => break 'line,
                        },
                    };
                    while mask != 0 {
                        let i = at + (mask.trailing_zeros() / 8) as usize;
                        mask &= mask - 1;
                        match rest.get(i) {
                            Some(b'\n') => {
                                len = i;
                                break 'line;
                            }
                            Some(b',') => {
                                self.ranges.push(start..i);
                                start = i + 1;
                            }
                            Some(b'"') => quote = true,
                            Some(b'\r') => {
                                crs += 1;
                                last_cr = i;
                            }
                            _ => {}
                        }
                    }
                    at += step;
                }
                let end = pos + len;
                let mut line = rest.get(..len).unwrap_or_default();
                if quote || crs > 1 || (crs == 1 && last_cr + 1 != len) {
                    slow = true;
                    break;
                }
                if crs == 1 {
                    line = rest.get(..len - 1).unwrap_or_default();
                }
                self.ranges.push(start.min(line.len())..line.len());
                if end >= checked {
                    let limit = (pos + 4096).min(block.len());
                    checked = block
                        .get(pos..limit)
                        .and_then(|c| c.iter().rposition(|&b| b == b'\n'))
                        .map_or(end + 1, |i| pos + i + 1)
                        .max(end + 1);
                    chunk_at = pos;
                    chunk = block
                        .get(pos..checked)
                        .and_then(|c| std::str::from_utf8(c).ok());
                }
                let row = Row {
                    data: line,
                    ranges: &self.ranges,
                    text: chunk.and_then(|t| t.get(pos - chunk_at..pos - chunk_at + line.len())),
                    quoted: false,
                };
                pos = end + 1;
                if !to.record(&row)? {
                    return Ok(());
                }
            }
            self.input.consume(pos);
            if slow && !self.quoted(&io_err, to)? {
                return Ok(());
            }
        }
    }

    /// Reads one record with csv_core from where the input is; `Ok(false)` at the end or when
    /// `f` says stop.
    fn quoted<E>(
        &mut self,
        io_err: &impl Fn(std::io::Error) -> E,
        to: &mut impl Records<E>,
    ) -> Result<bool, E> {
        use csv_core::ReadRecordResult as R;
        let (mut nout, mut nend) = (0, 0);
        let mut quoting = Quoting::FieldStart;
        loop {
            let buf = self.input.fill_buf().map_err(io_err)?;
            if buf.is_empty() && quoting == Quoting::Quoted {
                self.unclosed = true;
                return Ok(false);
            }
            let (res, nin, o, e) = self.core.read_record(
                buf,
                self.out.get_mut(nout..).unwrap_or_default(),
                self.ends.get_mut(nend..).unwrap_or_default(),
            );
            let eof = buf.is_empty();
            quoting = quoting.after(buf.get(..nin).unwrap_or_default());
            self.input.consume(nin);
            nout += o;
            nend += e;
            match res {
                R::InputEmpty if eof => return Ok(false),
                R::InputEmpty => {}
                R::OutputFull => self.out.resize(self.out.len() * 2, 0),
                R::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                R::End => return Ok(false),
                R::Record => break,
            }
        }
        self.ranges.clear();
        let mut start = 0;
        for &end in self.ends.get(..nend).unwrap_or_default() {
            self.ranges.push(start..end);
            start = end;
        }
        let data = self.out.get(..nout).unwrap_or_default();
        let row = Row {
            data,
            ranges: &self.ranges,
            text: std::str::from_utf8(data).ok(),
            quoted: true,
        };
        to.record(&row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The next of a xorshift sequence.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Non-blank records as the csv crate reads them (no headers, rows of any length).
    fn with_csv(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut all = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while r.read_byte_record(&mut rec).unwrap() {
            if !(rec.len() == 1 && rec.get(0) == Some(&b""[..])) {
                all.push(rec.iter().map(<[u8]>::to_vec).collect());
            }
        }
        all
    }

    /// Non-blank records as `Rows` reads them, through a buffer of `cap` bytes.
    fn with_rows(input: &[u8], cap: usize) -> Vec<Vec<Vec<u8>>> {
        let mut all = Vec::new();
        let mut rows = Rows::new(std::io::BufReader::with_capacity(cap, input));
        rows.for_each(
            |e| e,
            |row| {
                let fields: Vec<Vec<u8>> = row.bytes().map(<[u8]>::to_vec).collect();
                // Text, where there is text, is the bytes.
                for (i, f) in fields.iter().enumerate() {
                    match row.text(i) {
                        Some(Some(t)) => assert_eq!(t.as_bytes(), &f[..]),
                        Some(None) => assert!(
                            std::str::from_utf8(f).is_err(),
                            "{:?} in {:?}",
                            String::from_utf8_lossy(f),
                            String::from_utf8_lossy(input)
                        ),
                        None => panic!("field {i} missing"),
                    }
                }
                if fields != [Vec::<u8>::new()] {
                    all.push(fields);
                }
                Ok(true)
            },
        )
        .unwrap();
        // An unclosed quote stops the read before its record, the one the csv crate reads to
        // the end of the input as one field: marked here as an empty record.
        if rows.unclosed_quote() {
            all.push(Vec::new());
        }
        all
    }

    /// The csv crate's records with, when the input ends inside a quoted field (the quote
    /// opened on an odd one of the input's quotes, and its record runs to the end), the last
    /// one replaced by the empty record `with_rows` marks it with.
    fn with_csv_unclosed_marked(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
        if Quoting::FieldStart.after(input) != Quoting::Quoted {
            return with_csv(input);
        }
        // The records before the one the quote opens in, then the mark.
        let mut state = Quoting::FieldStart;
        let mut record_start = 0;
        for (i, &b) in input.iter().enumerate() {
            let outside = state != Quoting::Quoted;
            state = state.after(&[b]);
            if outside && (b == b'\n' || b == b'\r') {
                record_start = i + 1;
            }
        }
        let mut all = with_csv(input.get(..record_start).unwrap_or_default());
        all.push(Vec::new());
        all
    }

    /// The word mask flags exactly the special bytes, wherever they sit among any others.
    #[test]
    fn special_flags_exactly_the_special_bytes() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Half the bytes from the specials and their neighbours, half anything.
            let mut bytes = state.to_le_bytes();
            for (k, b) in bytes.iter_mut().enumerate() {
                if (state >> (56 + k % 8)) & 1 == 1 {
                    *b = [
                        b'\n', b',', b'"', b'\r', b'\t', b'-', b'!', b'#', 0x8a, 0xac,
                    ][*b as usize % 10];
                }
            }
            let want: u64 = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| SPECIALS.contains(b))
                .map(|(k, _)| 0x80u64 << (8 * k))
                .sum();
            assert_eq!(special(u64::from_le_bytes(bytes)), want, "{bytes:?}");
        }
    }

    #[test]
    fn pair_spans_two_neighbouring_fields() {
        let mut got = Vec::new();
        Rows::new(&b"d1,v5,A\n\"d2\",v6,B\n"[..])
            .for_each(
                |e| e,
                |row| {
                    got.push((row.pair(0).map(<[u8]>::to_vec), row.pair(2).is_none()));
                    Ok(true)
                },
            )
            .unwrap();
        assert_eq!(got, [(Some(b"d1,v5".to_vec()), true), (None, true)]);
    }

    #[test]
    fn same_records_as_the_csv_crate() {
        let fixed: [&[u8]; 12] = [
            b"",
            b"a,b\nc,d\n",
            b"a,b\r\nc,d",
            b"\"a,1\",b\n\"x\"\"y\",\"multi\nline\"\nz\n",
            b"a\rb\rc\n",
            b"\n\n a , b \n\r\n",
            b"a,\"b\nc\"\r\nd,e\r\n",
            b"x\"y,z\n",
            b"\"unterminated,a\nb\n",
            b"caf\xC3\xA9,\xFF\n",
            b",,,\n,\n",
            b"\"\"\n\"\",\"\"\n",
        ];
        for input in fixed {
            for cap in [1, 2, 3, 5, 8, 64, 1 << 16] {
                assert_eq!(
                    with_rows(input, cap),
                    with_csv_unclosed_marked(input),
                    "{:?} through {cap}",
                    String::from_utf8_lossy(input)
                );
            }
        }
        // Random inputs over the bytes that matter.
        let alphabet: &[u8] = b"ab,,\"\n\n\r \xC3\xA9";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || xorshift(&mut state);
        for _ in 0..5000 {
            let len = (next() % 40) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let cap = [1, 3, 7, 64][(next() % 4) as usize];
            assert_eq!(
                with_rows(&input, cap),
                with_csv_unclosed_marked(&input),
                "{:?} through {cap}",
                String::from_utf8_lossy(&input)
            );
        }
    }

    /// Where `simple_line` splits a line, the csv crate reads the same fields from it, none
    /// with a blank at either end; and it splits every line it should.
    #[test]
    fn simple_lines_read_as_the_csv_crate() {
        let alphabet: &[u8] = b"ab-09v,,,,\n\n\r \t\"+\xC3\xA9";
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || xorshift(&mut state);
        let mut split = 0;
        for _ in 0..30_000 {
            // Mostly plain bytes, the others now and then; 1 to 80 bytes, then 8 more.
            let len = 1 + (next() % 80) as usize;
            let mut input: Vec<u8> = (0..len)
                .map(|_| match next() % 16 {
                    0 => alphabet[(next() % alphabet.len() as u64) as usize],
                    1..=3 => b',',
                    _ => alphabet[(next() % 6) as usize],
                })
                .collect();
            if next() % 2 == 0 {
                input.push(b'\n');
            }
            input.extend_from_slice(b"zzzzzzz\n");
            let first = with_csv(&input).into_iter().next();
            for width in 0..=SIMPLE_FIELDS + 1 {
                let Some(line) = simple_line(&input, width) else {
                    continue;
                };
                split += 1;
                let fields: Vec<Vec<u8>> = (0..width)
                    .map(|i| {
                        let (start, end) = line.field(i);
                        input[start..end].to_vec()
                    })
                    .collect();
                let text = String::from_utf8_lossy(&input);
                if input.starts_with(b"\n") || input.starts_with(b"\r\n") {
                    // A blank line (which the csv crate skips): one empty field, as `Rows` reads.
                    assert_eq!(fields, [Vec::<u8>::new()], "{text:?} width {width}");
                } else {
                    assert_eq!(Some(&fields), first.as_ref(), "{text:?} width {width}");
                }
                assert!(
                    fields
                        .iter()
                        .all(|f| f.trim_ascii() == &f[..] && f.is_ascii())
                );
                assert_eq!(input[line.take - 1], b'\n', "{text:?}");
                assert_eq!(
                    input[..line.take - 1]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count(),
                    0
                );
            }
            // A line of plain bytes and commas, at most 63 bytes, is simple at its width.
            let end = input
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(input.len());
            let plain = input[..end].iter().all(|b| b"ab-09v,".contains(b));
            let width = input[..end].iter().filter(|&&b| b == b',').count() + 1;
            if plain && end <= 63 && end > 0 && width <= SIMPLE_FIELDS {
                assert!(simple_line(&input, width).is_some(), "{input:?}");
            }
        }
        assert!(split > 1000, "{split}");
    }

    #[test]
    fn quoting_follows_the_quotes_as_csv_core_reads_them() {
        let end = |bytes: &[u8]| Quoting::FieldStart.after(bytes);
        assert_eq!(end(b"a,\"b"), Quoting::Quoted);
        assert_eq!(end(b"a,\"b\""), Quoting::QuoteInQuoted);
        assert_eq!(end(b"a,\"b\"\"c"), Quoting::Quoted);
        assert_eq!(end(b"a,\"b\"\"c\",d\n"), Quoting::FieldStart);
        assert_eq!(end(b"a\"b"), Quoting::Plain);
        assert_eq!(end(b"\"a\nb,c\r\n"), Quoting::Quoted);
        assert_eq!(end(b"\"a\"x\"y"), Quoting::Plain);
        // Split anywhere, the state carries over.
        let text = b"x,\"a\"\"b\nc\",\"d";
        for cut in 0..=text.len() {
            let (a, b) = text.split_at(cut);
            assert_eq!(end(a).after(b), end(text), "{cut}");
        }
    }

    #[test]
    fn stops_when_asked() {
        let mut seen = 0;
        Rows::new(&b"a\n\"b\"\nc\n"[..])
            .for_each(
                |e| e,
                |_| {
                    seen += 1;
                    Ok(seen < 2)
                },
            )
            .unwrap();
        assert_eq!(seen, 2);
    }
}
