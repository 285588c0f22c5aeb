//! `stepstone next-hop CATALOG --to V [--model M] [--environment E] [--devices FILE|-]
//! [--strict]`.
//!
//! Reads a device list, streamed: CSV (RFC 4180: quoted fields, CRLF or LF, an optional UTF-8
//! BOM) whose first row is a header naming its columns in any order (`device_id`, `version`,
//! and optionally `model`, `environment`), or one version per line. Prints
//! `device_id,version,next_hop` rows: an empty next_hop when the device is at the target,
//! `error:<code>` when it is refused, then a summary on stderr. Answers come from one campaign
//! table per (model, environment) seen, built on first use. `--from V` answers for one device
//! instead. The codes and the exact rules are in docs/cli.md.

use std::io::{Read, Write};
use std::process::ExitCode;

use stepstone::ErrorCode;
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::{Cost, PlanError};
use stepstone::version::{MAX_VERSION_LEN, Scheme, Version, VersionKey};

use crate::csv_rows::{Records, Row, Rows};
use crate::output::{Failure, Format, load_catalog, mapped, parse_version};
use crate::plan::CostArg;
use crate::row_out::RowOut;

mod simple;

/// Next hop toward a target for many devices (campaign table).
#[derive(clap::Args)]
pub struct Args {
    /// The catalog (JSON).
    catalog: String,
    /// The target release.
    #[arg(long)]
    to: String,
    /// Model for rows that do not name one (a row left with none is refused with
    /// plan.model_required when the catalog's releases differ by model).
    #[arg(long)]
    model: Option<String>,
    /// Environment for rows that do not name one (likewise plan.environment_required).
    #[arg(long)]
    environment: Option<String>,
    /// Device list, or - for stdin (the default): CSV with a header naming its columns
    /// (device_id, version, model, environment; any order), or one version per line.
    #[arg(long, default_value = "-")]
    devices: String,
    /// One device's version instead of a list: prints its next hop alone.
    #[arg(long, conflicts_with = "devices")]
    from: Option<String>,
    /// What to minimise.
    #[arg(long, value_enum, default_value_t = CostArg::Hops)]
    cost: CostArg,
    /// Devices above the target go straight down to it.
    #[arg(long)]
    allow_downgrade: bool,
    /// Exit 1 when any row is refused (every row is still answered).
    #[arg(long)]
    strict: bool,
    /// Output format for errors.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// One table (or why there is none) for a (model, environment).
type Built = (
    Option<String>,
    Option<String>,
    Result<CampaignTable, PlanError>,
);

/// Campaign tables by (model, environment), built on first use.
struct Tables<'a> {
    catalog: &'a Catalog,
    target: &'a Version,
    cost: Cost,
    downgrade: bool,
    built: Vec<Built>,
    /// Per entry of `built`, its names as [`short_key`]s ([`NO_KEY`] where a name is longer).
    keys: Vec<(u64, u64)>,
}

/// A name's key when it is at most 7 bytes long: its bytes, and its length plus one in the top
/// byte (0 for no name). Two names of that size are equal when their keys are.
#[inline]
fn short_key(name: Option<&str>) -> Option<u64> {
    name.map_or(Some(0), |name| short_key_bytes(name.as_bytes()))
}

/// [`short_key`] of a name's bytes.
#[inline]
fn short_key_bytes(name: &[u8]) -> Option<u64> {
    if name.len() > 7 {
        return None;
    }
    let mut key = (name.len() as u64 + 1) << 56;
    for (k, &b) in name.iter().enumerate() {
        key |= u64::from(b) << (8 * k);
    }
    Some(key)
}

/// The key of a name too long for [`short_key`] (its top byte is never a length).
const NO_KEY: u64 = u64::MAX;

impl Tables<'_> {
    /// The position in `built` of the table for (`model`, `env`), built on first use.
    #[inline]
    fn index(&mut self, model: Option<&str>, env: Option<&str>) -> usize {
        if let (Some(m), Some(e)) = (short_key(model), short_key(env))
            && let Some(found) = self.find((m, e))
        {
            return found;
        }
        self.index_slow(model, env)
    }

    /// The position in `built` of the table whose names have these [`short_key`]s, if it is
    /// built. Every entry is compared and the match kept: rows that name models in no order
    /// cost no mispredicted branch.
    #[inline]
    fn find(&self, keys: (u64, u64)) -> Option<usize> {
        let mut found = usize::MAX;
        for (i, &k) in self.keys.iter().enumerate() {
            if k == keys {
                found = i;
            }
        }
        (found != usize::MAX).then_some(found)
    }

    /// The answer of built table `t` for the integer version `v`, or the code it is refused
    /// with (the table's own, or the one it could not be built with).
    #[inline]
    fn answer_integer(&self, t: usize, v: u64) -> Option<Result<Option<&str>, &'static str>> {
        Some(match &self.built.get(t)?.2 {
            Ok(table) => table.next_hop_integer_str(v).map_err(|e| e.code()),
            Err(e) => Err(e.code()),
        })
    }

    /// [`Tables::index`] by comparing the names, building the table when there is none.
    #[cold]
    fn index_slow(&mut self, model: Option<&str>, env: Option<&str>) -> usize {
        let pos = self
            .built
            .iter()
            .position(|(m, e, _)| m.as_deref() == model && e.as_deref() == env);
        match pos {
            Some(p) => p,
            None => {
                let table = CampaignTable::build(self.catalog, self.target, model, env, self.cost)
                    .map(|t| t.allow_downgrade(self.downgrade));
                self.built
                    .push((model.map(String::from), env.map(String::from), table));
                self.keys.push((
                    short_key(model).unwrap_or(NO_KEY),
                    short_key(env).unwrap_or(NO_KEY),
                ));
                self.built.len() - 1
            }
        }
    }

    fn get(&mut self, model: Option<&str>, env: Option<&str>) -> &Result<CampaignTable, PlanError> {
        let pos = self.index(model, env);
        &self.built[pos].2
    }
}

/// What the rows are answered with, and what they came to.
struct Job<'a, 'c> {
    args: &'a Args,
    scheme: Scheme,
    tables: Tables<'c>,
    tally: Tally,
}

/// The column names a device list's header may use.
const COLUMNS: [&str; 4] = ["device_id", "version", "model", "environment"];

/// Row codes (the row is printed with `error:<code>` and counted as refused).
pub const MISSING_COLUMNS: &str = "csv.missing_columns";
pub const EXTRA_COLUMNS: &str = "csv.extra_columns";
pub const EMPTY_DEVICE_ID: &str = "csv.empty_device_id";
pub const NOT_UTF8: &str = "csv.not_utf8";

/// Where each column is, from the header (or the one-version-per-line form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    /// Fields every row must have.
    width: usize,
    device_id: Option<usize>,
    version: usize,
    model: Option<usize>,
    environment: Option<usize>,
}

impl Layout {
    /// One version per line, no header.
    const LINES: Layout = Layout {
        width: 1,
        device_id: None,
        version: 0,
        model: None,
        environment: None,
    };

    /// The layout a header row gives, or why it is refused (a whole-input failure).
    fn from_header(names: &[String]) -> Result<Layout, Failure> {
        let mut at: [Option<usize>; 4] = [None; 4];
        for (i, name) in names.iter().enumerate() {
            let Some(k) = COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(name)) else {
                return Err(Failure::no_code(
                    "csv.header_unknown",
                    format!(
                        "the device list's header names column {name:?}; the columns are {}",
                        COLUMNS.join(", ")
                    ),
                ));
            };
            if at[k].replace(i).is_some() {
                return Err(Failure::no_code(
                    "csv.header_duplicate",
                    format!("the device list's header names column {} twice", COLUMNS[k]),
                ));
            }
        }
        let [device_id, version, model, environment] = at;
        let Some(version) = version else {
            return Err(Failure::no_code(
                "csv.header_incomplete",
                "the device list's header has no version column",
            ));
        };
        if device_id.is_none() && names.len() > 1 {
            return Err(Failure::no_code(
                "csv.header_incomplete",
                "the device list's header has no device_id column (only a header of the single \
                 column version may leave it out)",
            ));
        }
        Ok(Layout {
            width: names.len(),
            device_id,
            version,
            model,
            environment,
        })
    }
}

/// What the rows came to, for the summary line.
#[derive(Default)]
struct Tally {
    rows: u64,
    moving: u64,
    at_target: u64,
    refused: Vec<(&'static str, u64)>,
}

impl Tally {
    /// Counts one row's answer.
    fn count(&mut self, answer: Result<Option<&str>, &'static str>) {
        match answer {
            Ok(Some(_)) => self.moving += 1,
            Ok(None) => self.at_target += 1,
            Err(code) => self.refuse(code),
        }
    }

    fn refuse(&mut self, code: &'static str) {
        match self.refused.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => self.refused.push((code, 1)),
        }
    }

    fn refused(&self) -> u64 {
        self.refused.iter().map(|(_, n)| n).sum()
    }

    /// `100000 rows: 17918 → 3.2.1, 5998 at target, 21948 refused (plan.model_required
    /// 20000, version.malformed 1948)`: refusals by count, most first.
    fn summary(&self, target: &str) -> String {
        let mut by: Vec<(&str, u64)> = self.refused.clone();
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut line = format!(
            "{} row{}: {} → {target}, {} at target, {} refused",
            self.rows,
            if self.rows == 1 { "" } else { "s" },
            self.moving,
            self.at_target,
            self.refused()
        );
        if !by.is_empty() {
            let list: Vec<String> = by.iter().map(|(c, n)| format!("{c} {n}")).collect();
            line.push_str(&format!(" ({})", list.join(", ")));
        }
        line
    }
}

/// The header's names, when `rec` is a header: it names at least one known column.
fn header_names(rec: &Row<'_>) -> Option<Vec<String>> {
    let names: Vec<String> = (0..rec.len())
        .map(|i| {
            rec.text(i)
                .flatten()
                .map_or_else(String::new, |t| t.trim().to_string())
        })
        .collect();
    names
        .iter()
        .any(|n| COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(n)))
        .then_some(names)
}

/// A UTF-8 byte order mark.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The input with a leading UTF-8 byte order mark dropped.
fn without_bom(mut input: Box<dyn Read>) -> std::io::Result<Box<dyn Read>> {
    let mut head = [0u8; 3];
    let mut n = 0;
    while n < head.len() {
        match input.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let keep = if head[..n] == BOM {
        Vec::new()
    } else {
        head[..n].to_vec()
    };
    Ok(Box::new(std::io::Cursor::new(keep).chain(input)))
}

/// Writes one CSV field, quoted when it must be (a comma, quote or line break in it).
fn field(out: &mut impl Write, s: &[u8]) -> std::io::Result<()> {
    if s.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.write_all(b"\"")?;
        for part in s.split_inclusive(|&b| b == b'"') {
            out.write_all(part)?;
            if part.last() == Some(&b'"') {
                out.write_all(b"\"")?;
            }
        }
        out.write_all(b"\"")
    } else {
        out.write_all(s)
    }
}

pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let devices = args.from.is_none().then_some(args.devices.as_str());
    crate::output::one_stdin(&[("CATALOG", Some(&args.catalog)), ("--devices", devices)])?;
    let catalog = load_catalog(&args.catalog)?;
    let target = parse_version(catalog, &args.to)?;
    if catalog.get(target.key()).is_none() {
        return Err(Failure::no(&PlanError::UnknownTarget {
            target: args.to.clone(),
        }));
    }
    let mut tables = Tables {
        catalog,
        target: &target,
        cost: args.cost.into(),
        downgrade: args.allow_downgrade,
        built: Vec::new(),
        keys: Vec::new(),
    };

    if let Some(from) = &args.from {
        let version = parse_version(catalog, from)?;
        let table = tables
            .get(args.model.as_deref(), args.environment.as_deref())
            .as_ref()
            .map_err(Failure::no)?;
        let hop = table.next_hop(version.key()).map_err(|e| Failure::no(&e))?;
        println!("{}", hop.map_or("", |v| v.as_str()));
        return Ok(ExitCode::SUCCESS);
    }

    let unreadable = |e: &dyn std::fmt::Display| Failure::unreadable(&args.devices, e);
    // A large device file is mapped (as catalogs are, see `output::mapped`): its rows are
    // read in place, with no copy into a buffer; stdin and small files are read.
    let map = mapped(&args.devices)?;
    let stdout = std::io::stdout();
    let source = if args.devices == "-" {
        "stdin"
    } else {
        &args.devices
    };
    let mut answering = Answering {
        job: Job {
            args,
            scheme: catalog.scheme(),
            tables,
            tally: Tally::default(),
        },
        out: RowOut::new(stdout.lock()),
        layout: None,
        closed: false,
        source,
    };
    let unclosed_quote = match &map {
        Some(bytes) => {
            let bytes = bytes.strip_prefix(&BOM).unwrap_or(bytes);
            let mut rows = Rows::new(bytes);
            rows.read(|e| unreadable(&e), &mut answering)?;
            rows.unclosed_quote()
        }
        None => {
            let input: Box<dyn Read> = if args.devices == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                let file = std::fs::File::open(&args.devices).map_err(|e| unreadable(&e))?;
                Box::new(file)
            };
            let input = without_bom(input).map_err(|e| unreadable(&e))?;
            let reader = std::io::BufReader::with_capacity(1 << 16, input);
            let mut rows = Rows::new(reader);
            rows.read(|e| unreadable(&e), &mut answering)?;
            rows.unclosed_quote()
        }
    };
    let Answering {
        job,
        mut out,
        closed,
        ..
    } = answering;
    if closed {
        return Ok(ExitCode::SUCCESS);
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(Failure::unwritable("stdout", e)),
        Ok(()) => {}
    }
    eprintln!("{}", job.tally.summary(target.as_str()));
    if unclosed_quote {
        // The rows before it are answered; what follows the quote cannot be split into rows.
        return Err(Failure::no_code(
            "csv.unclosed_quote",
            format!(
                "{source}: after row {}, a quoted field opens and is never closed, so the rest \
                 of the list would be one field; close the quote (a `\"` inside a field is \
                 written `\"\"`)",
                job.tally.rows
            ),
        ));
    }
    Ok(if args.strict && job.tally.refused() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A device list's records as `next-hop` answers them: the header, then every row (runs of
/// simple lines in bulk, the others one by one).
struct Answering<'s, 'a, 'c, W: Write> {
    job: Job<'a, 'c>,
    out: RowOut<W>,
    /// Set by the first row that is not blank: a header, or the one-version-per-line form.
    layout: Option<Layout>,
    /// Stdout was closed (`| head`): the job stops quietly.
    closed: bool,
    /// The device list's name for messages.
    source: &'s str,
}

impl<W: Write> Records<Failure> for Answering<'_, '_, '_, W> {
    fn lines(&mut self, ahead: &[u8]) -> Result<Option<usize>, Failure> {
        let Some(layout) = &self.layout else {
            return Ok(Some(0));
        };
        let (taken, written) = simple::simple_rows(ahead, layout, &mut self.job, &mut self.out);
        Ok(answered(written, &mut self.closed)?.then_some(taken))
    }

    fn record(&mut self, rec: &Row<'_>) -> Result<bool, Failure> {
        if rec.blank() {
            return Ok(true);
        }
        let Some(layout) = &self.layout else {
            return self.first(rec);
        };
        self.job.tally.rows += 1;
        answered(
            row(rec, layout, &mut self.job, &mut self.out),
            &mut self.closed,
        )
    }
}

impl<W: Write> Answering<'_, '_, '_, W> {
    /// The first row that is not blank: a header, or the first version of the
    /// one-version-per-line form.
    fn first(&mut self, rec: &Row<'_>) -> Result<bool, Failure> {
        if let Some(names) = header_names(rec) {
            self.layout = Some(Layout::from_header(&names)?);
            self.closed = writeln!(self.out, "device_id,version,next_hop").is_err();
            return Ok(!self.closed);
        }
        if rec.len() != 1 {
            return Err(Failure::no_code(
                "csv.no_header",
                format!(
                    "{}: the device list is CSV (its first row has {} fields) but has no \
                     header; put one first naming its columns in any order: \
                     device_id,version[,model][,environment]",
                    self.source,
                    rec.len()
                ),
            ));
        }
        self.layout = Some(Layout::LINES);
        self.job.tally.rows += 1;
        answered(
            row(rec, &Layout::LINES, &mut self.job, &mut self.out),
            &mut self.closed,
        )
    }
}

/// `Ok(true)` to go on after a row was written; a closed stdout (`| head`) stops quietly.
fn answered(written: std::io::Result<()>, closed: &mut bool) -> Result<bool, Failure> {
    match written {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            *closed = true;
            Ok(false)
        }
        Err(e) => Err(Failure::unwritable("stdout", e)),
    }
}

/// A field's bytes for the output line: its text (read and trimmed once), or the raw trimmed
/// bytes where it is not UTF-8 (empty where the row has no such field).
fn echo<'a>(rec: &Row<'a>, text: Option<&'a str>, i: Option<usize>) -> &'a [u8] {
    match text {
        Some(t) => t.as_bytes(),
        None => i.and_then(|i| rec.get(i)).unwrap_or_default().trim_ascii(),
    }
}

/// Answers one device row and counts it.
fn row(
    rec: &Row<'_>,
    layout: &Layout,
    job: &mut Job<'_, '_>,
    out: &mut RowOut<impl Write>,
) -> std::io::Result<()> {
    if let Some(written) = usual_row(rec, layout, job, out) {
        return written;
    }
    general_row(rec, layout, job, out)
}

/// The usual row answered with the least work: plain (no quotes), UTF-8, every column there,
/// a device id, a `[v]DIGITS` version, a model and environment with a table. `None`, with
/// nothing written or counted, for any other row. Its output is [`general_row`]'s (the test
/// `usual_rows_as_the_general_path` compares them on messy inputs).
#[inline]
fn usual_row(
    rec: &Row<'_>,
    layout: &Layout,
    job: &mut Job<'_, '_>,
    out: &mut RowOut<impl Write>,
) -> Option<std::io::Result<()>> {
    if rec.len() != layout.width {
        return None;
    }
    let field = |i: usize| rec.plain_text(i).map(str::trim_ascii);
    let id = field(layout.device_id?)?;
    let version = field(layout.version)?;
    let v = integer(version, job.scheme)?;
    if id.is_empty() {
        return None;
    }
    // A model or environment column left empty takes the flag's (or none).
    let model = match layout.model {
        None => job.args.model.as_deref(),
        Some(i) => Some(field(i)?)
            .filter(|t| !t.is_empty())
            .or(job.args.model.as_deref()),
    };
    let env = match layout.environment {
        None => job.args.environment.as_deref(),
        Some(i) => Some(field(i)?)
            .filter(|t| !t.is_empty())
            .or(job.args.environment.as_deref()),
    };
    let t = job.tables.index(model, env);
    let answer = job.tables.answer_integer(t, v)?;
    job.tally.count(answer);
    Some(write_usual(out, rec, layout, id, version, answer))
}

/// A usual row's output line: `id,version` as the row has them (in one piece when they are
/// neighbours, in that order, without blanks to trim), then `,hop\n` in one write.
#[inline]
fn write_usual(
    out: &mut RowOut<impl Write>,
    rec: &Row<'_>,
    layout: &Layout,
    id: &str,
    version: &str,
    answer: Result<Option<&str>, &str>,
) -> std::io::Result<()> {
    plain_id_version(out, rec, layout, id.as_bytes(), version.as_bytes())?;
    write_answer(out, answer)
}

/// The end of a row's output line: `,hop\n` in one write, or `,error:<code>\n`.
#[inline(always)]
fn write_answer(
    out: &mut RowOut<impl Write>,
    answer: Result<Option<&str>, &str>,
) -> std::io::Result<()> {
    match answer {
        Ok(hop) => out.put_between(b',', hop.unwrap_or("").as_bytes(), b'\n'),
        Err(code) => {
            out.put(b",error:")?;
            out.put(code.as_bytes())?;
            out.put(b"\n")
        }
    }
}

/// A plain row's `id,version` (no field needs quotes) as the row has them: in one piece when
/// they are neighbours, in that order, without blanks to trim (the usual
/// `device_id,version,...` header).
#[inline]
fn plain_id_version(
    out: &mut impl Write,
    rec: &Row<'_>,
    layout: &Layout,
    id: &[u8],
    version: &[u8],
) -> std::io::Result<()> {
    match layout.device_id.and_then(|i| rec.pair(i)) {
        Some(pair)
            if layout.device_id.map(|i| i + 1) == Some(layout.version)
                && pair.len() == id.len() + 1 + version.len() =>
        {
            out.write_all(pair)
        }
        _ => {
            out.write_all(id)?;
            out.write_all(b",")?;
            out.write_all(version)
        }
    }
}

/// Answers any row and counts it.
fn general_row(
    rec: &Row<'_>,
    layout: &Layout,
    job: &mut Job<'_, '_>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let Job {
        args,
        scheme,
        tables,
        tally,
    } = job;
    // Each field read (and trimmed) once: as text for the answer, its bytes for the echo (the
    // raw bytes where the field is not UTF-8, or is missing: empty).
    let text = |i: Option<usize>| i.and_then(|i| rec.text(i)).flatten().map(str::trim_ascii);
    let (id_text, version_text) = (text(layout.device_id), text(Some(layout.version)));
    let id = echo(rec, id_text, layout.device_id);
    let version = echo(rec, version_text, Some(layout.version));
    let answer = answer(rec, layout, args, *scheme, tables, id_text, version_text);
    tally.count(answer);
    if answer == Err(NOT_UTF8) {
        // Echoed as UTF-8 (U+FFFD for the bad bytes): the output stays text.
        field(out, String::from_utf8_lossy(id).as_bytes())?;
        out.write_all(b",")?;
        field(out, String::from_utf8_lossy(version).as_bytes())?;
    } else if rec.quoted() {
        // Only a field that was quoted can need quotes again.
        field(out, id)?;
        out.write_all(b",")?;
        field(out, version)?;
    } else {
        plain_id_version(out, rec, layout, id, version)?;
    }
    match answer {
        Ok(hop) => {
            // A catalog's version spelling holds no comma, quote or line break; `,hop\n` in one
            // write (spellings are at most MAX_VERSION_LEN bytes).
            let hop = hop.unwrap_or("").as_bytes();
            let mut end = [0u8; MAX_VERSION_LEN + 2];
            return match end.get_mut(1..=hop.len()) {
                Some(room) => {
                    room.copy_from_slice(hop);
                    end[0] = b',';
                    end[hop.len() + 1] = b'\n';
                    out.write_all(&end[..hop.len() + 2])
                }
                None => {
                    out.write_all(b",")?;
                    out.write_all(hop)?;
                    out.write_all(b"\n")
                }
            };
        }
        Err(code) => {
            out.write_all(b",error:")?;
            out.write_all(code.as_bytes())?;
        }
    }
    out.write_all(b"\n")
}

/// The next hop for one row (`None`: at the target), or the code it is refused with.
fn answer<'t>(
    rec: &Row<'_>,
    layout: &Layout,
    args: &Args,
    scheme: Scheme,
    tables: &'t mut Tables<'_>,
    id_text: Option<&str>,
    version_text: Option<&str>,
) -> Result<Option<&'t str>, &'static str> {
    if rec.len() < layout.width {
        return Err(MISSING_COLUMNS);
    }
    if rec.len() > layout.width {
        return Err(EXTRA_COLUMNS);
    }
    let get = |i: Option<usize>| -> Result<&str, &'static str> {
        let Some(i) = i else { return Ok("") };
        rec.text(i).flatten().map(str::trim_ascii).ok_or(NOT_UTF8)
    };
    // Every field is there (the width is right): `None` is a field that is not UTF-8.
    let id = match layout.device_id {
        Some(_) => id_text.ok_or(NOT_UTF8)?,
        None => "",
    };
    let version = version_text.ok_or(NOT_UTF8)?;
    let model = Some(get(layout.model)?).filter(|s| !s.is_empty());
    let env = Some(get(layout.environment)?).filter(|s| !s.is_empty());
    if layout.device_id.is_some() && id.is_empty() {
        return Err(EMPTY_DEVICE_ID);
    }
    let model = model.or(args.model.as_deref());
    let env = env.or(args.environment.as_deref());
    match integer(version, scheme) {
        Some(v) => match tables.get(model, env) {
            Err(e) => Err(e.code()),
            Ok(table) => table.next_hop_integer_str(v).map_err(|e| e.code()),
        },
        None => match VersionKey::parse(version, scheme) {
            Err(e) => Err(e.code()),
            Ok(key) => match tables.get(model, env) {
                Err(e) => Err(e.code()),
                Ok(table) => table
                    .next_hop(&key)
                    .map(|h| h.map(Version::as_str))
                    .map_err(|e| e.code()),
            },
        },
    }
}

/// The build number of an integer-scheme version spelled `[v]DIGITS` with at most 19 digits
/// (so it cannot overflow), without allocating; `None` sends every other text (and every
/// other scheme) through `VersionKey::parse`, which gives the same key or the error code.
#[inline]
fn integer(text: &str, scheme: Scheme) -> Option<u64> {
    if scheme != Scheme::Integer {
        return None;
    }
    integer_digits(text.as_bytes())
}

/// [`integer`]'s reading of the bytes of a version of the integer scheme.
#[inline]
fn integer_digits(text: &[u8]) -> Option<u64> {
    let digits = text.strip_prefix(b"v").unwrap_or(text);
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    if digits.len() <= 8 {
        return eight_digits(digits);
    }
    let mut n = 0u64;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
    }
    Some(n)
}

/// The value of 1 to 8 ASCII digits, read as one word with no branch per digit (rows mix
/// versions of 5 and 6 digits in no order, which a loop mispredicts); `None` if one is not a
/// digit.
#[inline]
fn eight_digits(digits: &[u8]) -> Option<u64> {
    // The digits as a big-endian number (the first one highest), from the first and the last
    // four bytes, which overlap for fewer than 8 digits (the bytes they share are equal), then
    // '0's above them. Loaded as words, never stored and read back: a load that spans two
    // smaller stores waits for them (no store forwarding).
    let n = digits.len();
    let word = match (digits.first_chunk::<4>(), digits.last_chunk::<4>()) {
        (Some(&first), Some(&last)) => {
            (u64::from(u32::from_be_bytes(first)) << (8 * (n - 4)))
                | u64::from(u32::from_be_bytes(last))
        }
        _ => digits.iter().fold(0, |w, &d| (w << 8) | u64::from(d)),
    };
    let word = word
        | 0x3030_3030_3030_3030u64
            .checked_shl(8 * n as u32)
            .unwrap_or(0);
    let d = word ^ 0x3030_3030_3030_3030;
    // Each byte 0..=9: no high nibble, and none after adding 6.
    if (d & 0xF0F0_F0F0_F0F0_F0F0) != 0
        || (d.wrapping_add(0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) != 0
    {
        return None;
    }
    // Pairs of digits, then fours, then the eight.
    let d = ((d >> 8) & 0x00FF_00FF_00FF_00FF) * 10 + (d & 0x00FF_00FF_00FF_00FF);
    let d = ((d >> 16) & 0x0000_FFFF_0000_FFFF) * 100 + (d & 0x0000_FFFF_0000_FFFF);
    Some((d >> 32) * 10_000 + (d & 0xFFFF_FFFF))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_fast_path_agrees_with_the_parser() {
        for text in [
            "0",
            "v0",
            "64000",
            "v64000",
            "0064000",
            "9999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "v",
            "",
            "6x",
            "v-1",
            " 1",
            "V1",
            "vv1",
        ] {
            let slow = VersionKey::parse(text, Scheme::Integer)
                .ok()
                .and_then(|k| k.as_integer());
            let fast = integer(text, Scheme::Integer);
            assert!(
                fast.is_none() || fast == slow,
                "{text:?}: {fast:?} vs {slow:?}"
            );
            if text.trim_start_matches('v').len() <= 19 && !text.is_empty() && slow.is_some() {
                assert_eq!(fast, slow, "{text:?}");
            }
        }
        assert_eq!(integer("1.0.0", Scheme::Semver), None);
    }

    /// The catalog the paths are compared on: models A, B and a long name, environments.
    fn paths_catalog() -> (Catalog, Version) {
        let catalog = Catalog::from_json(
            r#"{"releases": [
              {"version": "v100", "models": ["A", "B"]},
              {"version": "v105", "min_sw_version": "v100", "models": ["A"]},
              {"version": "v110", "min_sw_version": "v100", "models": ["A", "B", "LongModelName"],
               "environments": ["prod", "lab"]},
              {"version": "v1200", "min_sw_version": "v105", "models": ["A", "B", "LongModelName"],
               "environments": ["prod", "lab"]}]}"#,
        )
        .unwrap();
        let target = catalog.parse_version("v1200").unwrap();
        (catalog, target)
    }

    /// `next-hop`'s arguments with these flags.
    fn paths_args(model: Option<&str>, environment: Option<&str>) -> Args {
        Args {
            catalog: String::new(),
            to: "v1200".into(),
            model: model.map(String::from),
            environment: environment.map(String::from),
            devices: "-".into(),
            from: None,
            cost: CostArg::Hops,
            allow_downgrade: false,
            strict: false,
            format: Format::default(),
        }
    }

    /// A job with no table built yet.
    fn paths_job<'a, 'c>(args: &'a Args, catalog: &'c Catalog, target: &'c Version) -> Job<'a, 'c> {
        Job {
            args,
            scheme: catalog.scheme(),
            tables: Tables {
                catalog,
                target,
                cost: Cost::Hops,
                downgrade: false,
                built: Vec::new(),
                keys: Vec::new(),
            },
            tally: Tally::default(),
        }
    }

    /// Messy device lists, one per header order.
    const MESSY: [&[u8]; 7] = [
        b"device_id,version,model,environment\nd1,v100,A,prod\nd2,100,B,lab\n\
          d3, v105 ,A,prod\n d4 ,v110,B, lab\nd5,v1200,A,prod\nd6,v99999999,A,prod\n\
          d7,v123456789012,A,prod\nd8,v,A,prod\nd9,1.0,A,prod\nd10,v100,,prod\n\
          d11,v100,A,\nd12,v100,LongModelName,prod\nd13,v100,C,prod\n,v100,A,prod\n\
          d15,v100,A\nd16,v100,A,prod,extra\n\"d17\",v100,A,prod\nd18,\"v1,0\",A,prod\n\
          d19,v100,A,prod\r\nd20,v1\r00,A,prod\n\
          d23,00000105,A,prod\nd24,v0,B,lab\nd25,v18446744073709551616,A,prod\n",
        b"version,model,device_id,environment\nv100,A,x1,prod\n105,B,x2,lab\n\
          v110,,x3,prod\nv100,A,,prod\nv1200,A,x5,prod\n",
        b"model,version,device_id\nA,v100,d1\nB,v105,d2\n,v100,d3\n",
        b"version\nv100\n105\n \nv1200\nv1\n",
        b"device_id,version\r\nd1,v100\r\nd2,v105\r\n\"d,3\",v110\r\nd4,v1200",
        b"environment,device_id,version\nprod,d1,v100\nlab,d2,v105\n,d3,v110\n",
        // Not UTF-8: the rows near it take the general path.
        b"device_id,version,model,environment\nd1,v\xFF,A,prod\ncaf\xC3\xA9,v105,B,lab\n",
    ];

    /// The usual-row path against the general one, row by row, on messy device lists: where
    /// `usual_row` answers, `general_row` must write the same bytes and count the same; and
    /// the usual path must answer the plain rows (the test would pass vacuously otherwise).
    #[test]
    fn usual_rows_as_the_general_path() {
        let (catalog, target) = paths_catalog();
        for model in [None, Some("A")] {
            for environment in [None, Some("prod")] {
                let args = paths_args(model, environment);
                let job = || paths_job(&args, &catalog, &target);
                // Both paths, as `next-hop` runs them, against the general path alone.
                let (mut both, mut general) = (job(), job());
                let mut usual_answered = 0;
                for input in MESSY {
                    let (mut both_sink, mut general_sink) = (Vec::new(), Vec::new());
                    let (mut both_out, mut general_out) =
                        (RowOut::new(&mut both_sink), RowOut::new(&mut general_sink));
                    let mut layout: Option<Layout> = None;
                    Rows::new(input)
                        .for_each(
                            |e| e,
                            |rec| {
                                if rec.blank() {
                                    return Ok(true);
                                }
                                let Some(layout) = &layout else {
                                    let names = header_names(rec).unwrap();
                                    layout = Some(Layout::from_header(&names).unwrap());
                                    return Ok(true);
                                };
                                match usual_row(rec, layout, &mut both, &mut both_out) {
                                    Some(written) => {
                                        written?;
                                        usual_answered += 1;
                                    }
                                    None => general_row(rec, layout, &mut both, &mut both_out)?,
                                }
                                general_row(rec, layout, &mut general, &mut general_out)?;
                                Ok(true)
                            },
                        )
                        .unwrap();
                    both_out.flush().unwrap();
                    general_out.flush().unwrap();
                    drop((both_out, general_out));
                    assert_eq!(
                        String::from_utf8_lossy(&both_sink),
                        String::from_utf8_lossy(&general_sink),
                        "{model:?} {environment:?}"
                    );
                    assert_eq!(both.tally.summary("t"), general.tally.summary("t"));
                }
                // Every row is refused (with the general path) when no environment is given:
                // the catalog's releases differ by environment.
                if environment.is_some() {
                    assert!(usual_answered >= 15, "{usual_answered} usual rows");
                }
            }
        }
    }

    /// A device list of `rows` rows mixing simple lines with every way a line can fail to be
    /// one (or be answered otherwise): blanks, tabs, quotes, lone and doubled CRs, non-ASCII,
    /// missing and extra fields, empty ids, long names, unknown models, versions that are not
    /// `[v]DIGITS`, lines about 64 bytes long.
    fn mixed_rows(rows: usize, mut state: u64) -> Vec<u8> {
        let ids: [&[u8]; 10] = [
            b"d1",
            b"dev-0000123",
            b"",
            b" d2",
            b"d\t3",
            b"x+y",
            "café".as_bytes(),
            b"\"q,1\"",
            b"id-with-forty-two-bytes-abcdefghijklmnopqr",
            b"id-of-forty-five-bytes-abcdefghijklmnopqrstu",
        ];
        let versions: [&[u8]; 12] = [
            b"v100",
            b"100",
            b"v105",
            b"v1200",
            b"v99999999",
            b"v123456789",
            b"v",
            b"1.0",
            b"v0",
            b"00000105",
            b" v110",
            b"v1100",
        ];
        let models: [&[u8]; 8] = [
            b"A",
            b"B",
            b"",
            b"LongModelName",
            b"C",
            b"ABCDEFG",
            b"A ",
            b"B",
        ];
        let environments: [&[u8]; 5] = [b"prod", b"lab", b"", b"prod-eu1", b"prod"];
        let ends: [&[u8]; 6] = [b"\n", b"\n", b"\n", b"\r\n", b"\r\r\n", b"\n\n"];
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut out = b"device_id,version,model,environment\n".to_vec();
        for _ in 0..rows {
            let mut fields = vec![
                ids[next(ids.len())],
                versions[next(versions.len())],
                models[next(models.len())],
                environments[next(environments.len())],
            ];
            match next(12) {
                0 => {
                    fields.pop();
                }
                1 => fields.push(b"extra"),
                _ => {}
            }
            out.extend_from_slice(&fields.join(&b","[..]));
            out.extend_from_slice(ends[next(ends.len())]);
        }
        out
    }

    /// [`Records`] of `next-hop` with the record path's general answers alone (no simple lines
    /// in bulk, no usual rows).
    struct GeneralOnly<'s, 'a, 'c, W: Write>(Answering<'s, 'a, 'c, W>);

    impl<W: Write> Records<Failure> for GeneralOnly<'_, '_, '_, W> {
        fn lines(&mut self, _: &[u8]) -> Result<Option<usize>, Failure> {
            Ok(Some(0))
        }

        fn record(&mut self, rec: &Row<'_>) -> Result<bool, Failure> {
            let a = &mut self.0;
            match &a.layout {
                Some(layout) if !rec.blank() => {
                    a.job.tally.rows += 1;
                    general_row(rec, layout, &mut a.job, &mut a.out).unwrap();
                    Ok(true)
                }
                _ => a.record(rec),
            }
        }
    }

    /// [`Records`] of `next-hop` counting the rows the simple lines answer.
    struct Counted<'s, 'a, 'c, W: Write>(Answering<'s, 'a, 'c, W>, u64);

    impl<W: Write> Records<Failure> for Counted<'_, '_, '_, W> {
        fn lines(&mut self, ahead: &[u8]) -> Result<Option<usize>, Failure> {
            let before = self.0.job.tally.rows;
            let taken = self.0.lines(ahead);
            self.1 += self.0.job.tally.rows - before;
            taken
        }

        fn record(&mut self, rec: &Row<'_>) -> Result<bool, Failure> {
            self.0.record(rec)
        }
    }

    /// The whole job (simple lines in bulk, then usual and general rows) against the general
    /// path alone: the same output bytes and summary on every messy list, read from buffers of
    /// several sizes (lines cut at the buffer's end); and the simple lines answer most rows of
    /// a list that is mostly simple (the test would pass vacuously otherwise).
    #[test]
    fn simple_rows_as_the_general_path() {
        let (catalog, target) = paths_catalog();
        let mixed = mixed_rows(3000, 0x9E37_79B9_7F4A_7C15);
        let simple = mixed_rows(0, 1)
            .into_iter()
            .chain(b"d1,v100,A,prod\nd2,105,B,lab\nd3,v1100,A,\n".repeat(300))
            .collect::<Vec<u8>>();
        let mut inputs: Vec<&[u8]> = MESSY.to_vec();
        inputs.extend([&mixed[..], &simple[..]]);
        for model in [None, Some("A"), Some("LongModelName")] {
            for environment in [None, Some("prod"), Some("prod-eu1")] {
                let args = paths_args(model, environment);
                for input in &inputs {
                    for cap in [1 << 16, 64, 100, 300] {
                        let answering = |sink| Answering {
                            job: paths_job(&args, &catalog, &target),
                            out: RowOut::new(sink),
                            layout: None,
                            closed: false,
                            source: "t",
                        };
                        let (mut job_sink, mut general_sink) = (Vec::new(), Vec::new());
                        let mut job = Counted(answering(&mut job_sink), 0);
                        let reader = std::io::BufReader::with_capacity(cap, *input);
                        Rows::new(reader).read(|e| panic!("{e}"), &mut job).unwrap();
                        let mut general = GeneralOnly(answering(&mut general_sink));
                        Rows::new(*input)
                            .read(|e| panic!("{e}"), &mut general)
                            .unwrap();
                        let (simple_answered, rows) = (job.1, job.0.job.tally.rows);
                        let summaries = (
                            job.0.job.tally.summary("t"),
                            general.0.job.tally.summary("t"),
                        );
                        drop((job, general));
                        let context = format!("{model:?} {environment:?} through {cap}");
                        assert_eq!(
                            String::from_utf8_lossy(&job_sink),
                            String::from_utf8_lossy(&general_sink),
                            "{context}"
                        );
                        assert_eq!(summaries.0, summaries.1, "{context}");
                        if environment == Some("prod") && *input == &simple[..] && cap == 1 << 16 {
                            assert!(
                                simple_answered * 10 >= rows * 9,
                                "{simple_answered} {context}"
                            );
                        }
                        if environment == Some("prod") && *input == &mixed[..] && cap > 64 {
                            assert!(simple_answered >= 100, "{simple_answered} {context}");
                        }
                    }
                }
            }
        }
    }

    /// The word-at-a-time reading of up to 8 digits against `str::parse`, on every length,
    /// every digit in every place, and the bytes next to the digits.
    #[test]
    fn eight_digits_reads_as_parse_does() {
        let mut texts: Vec<String> = Vec::new();
        for len in 1..=8usize {
            for place in 0..len {
                for d in 0..=9u8 {
                    let mut t = vec![b'7'; len];
                    t[place] = b'0' + d;
                    texts.push(String::from_utf8(t).unwrap());
                }
                for bad in [b'/', b':', b' ', b'.', b'v', 0x00, 0x80, 0xFF] {
                    let mut t = vec![b'1'; len];
                    t[place] = bad;
                    texts.push(String::from_utf8_lossy(&t).into_owned());
                }
            }
        }
        texts.extend(["99999999", "00000000", "10000000", "12345678", "0", "9"].map(String::from));
        for t in &texts {
            let want = t
                .parse::<u64>()
                .ok()
                .filter(|_| t.bytes().all(|b| b.is_ascii_digit()));
            if t.len() <= 8 {
                assert_eq!(eight_digits(t.as_bytes()), want, "{t:?}");
            }
            let digits = t.strip_prefix('v').unwrap_or(t);
            let want_integer = digits
                .parse::<u64>()
                .ok()
                .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(integer(t, Scheme::Integer), want_integer, "{t:?}");
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let n = state % 100_000_000;
            assert_eq!(eight_digits(n.to_string().as_bytes()), Some(n));
        }
    }
}
