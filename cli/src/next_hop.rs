//! `stepstone next-hop CATALOG --to V [--model M] [--environment E] [--devices FILE|-]`.
//!
//! Reads a device list, streamed (CSV `device_id,version[,model[,environment]]`, or one
//! version per line, an optional header line starting with `device_id`), and prints
//! `device_id,version,next_hop` rows: an empty next_hop when the device is at the target,
//! `error:<code>` when it is refused. Answers come from one campaign table per
//! (model, environment) seen, built on first use. `--from V` answers for one device instead.

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use stepstone::ErrorCode;
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::{Cost, PlanError};
use stepstone::version::{Scheme, Version, VersionKey};

use crate::output::{Failure, Format, load_catalog, parse_version};
use crate::plan::CostArg;

/// Next hop toward a target for many devices (campaign table).
#[derive(clap::Args)]
pub struct Args {
    /// The catalog (JSON).
    catalog: String,
    /// The target release.
    #[arg(long)]
    to: String,
    /// Model for rows that do not name one.
    #[arg(long)]
    model: Option<String>,
    /// Environment for rows that do not name one.
    #[arg(long)]
    environment: Option<String>,
    /// Device list (CSV), or - for stdin (the default).
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
}

impl Tables<'_> {
    fn get(&mut self, model: Option<&str>, env: Option<&str>) -> &Result<CampaignTable, PlanError> {
        // Short names compared inline (no memcmp call per row).
        let same = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (Some(a), Some(b)) => {
                a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
            }
            (a, b) => a.is_none() && b.is_none(),
        };
        let pos = self
            .built
            .iter()
            .position(|(m, e, _)| same(m.as_deref(), model) && same(e.as_deref(), env));
        let pos = match pos {
            Some(p) => p,
            None => {
                let table = CampaignTable::build(self.catalog, self.target, model, env, self.cost)
                    .map(|t| t.allow_downgrade(self.downgrade));
                self.built
                    .push((model.map(String::from), env.map(String::from), table));
                self.built.len() - 1
            }
        };
        &self.built[pos].2
    }
}

pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let catalog = load_catalog(&args.catalog)?;
    let target = parse_version(&catalog, &args.to)?;
    if catalog.get(target.key()).is_none() {
        return Err(Failure::no(&PlanError::UnknownTarget {
            target: args.to.clone(),
        }));
    }
    let mut tables = Tables {
        catalog: &catalog,
        target: &target,
        cost: args.cost.into(),
        downgrade: args.allow_downgrade,
        built: Vec::new(),
    };

    if let Some(from) = &args.from {
        let version = parse_version(&catalog, from)?;
        let table = tables
            .get(args.model.as_deref(), args.environment.as_deref())
            .as_ref()
            .map_err(Failure::no)?;
        let hop = table.next_hop(version.key()).map_err(|e| Failure::no(&e))?;
        println!("{}", hop.map_or("", |v| v.as_str()));
        return Ok(ExitCode::SUCCESS);
    }

    let input: Box<dyn BufRead> = if args.devices == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.devices)
            .map_err(|e| Failure::unreadable(&args.devices, e))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, file))
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let scheme = catalog.scheme();
    let write_err = |e: std::io::Error| Failure::unwritable("stdout", e);
    // Lines are read in place from the reader's buffer, a block of whole lines at a time
    // (checked as UTF-8 once per block; copied only when a line straddles two reads),
    // integer versions parsed without allocating, rows written piecewise: the loop allocates
    // nothing per row.
    let mut input = input;
    let mut spill: Vec<u8> = Vec::new();
    let mut first = true;
    let bad_text = |e: std::str::Utf8Error| {
        let e = std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        Failure::unreadable(&args.devices, e)
    };
    loop {
        let chunk = input
            .fill_buf()
            .map_err(|e| Failure::unreadable(&args.devices, e))?;
        if chunk.is_empty() {
            break;
        }
        let Some(last) = chunk.iter().rposition(|&b| b == b'\n') else {
            // One line longer than what is buffered (or the last line, without a newline).
            spill.clear();
            input
                .read_until(b'\n', &mut spill)
                .map_err(|e| Failure::unreadable(&args.devices, e))?;
            if spill.last() == Some(&b'\n') {
                spill.pop();
            }
            let line = std::str::from_utf8(&spill).map_err(bad_text)?;
            if row(line, first, args, scheme, &mut tables, &mut out)? {
                return Ok(ExitCode::SUCCESS);
            }
            first = false;
            continue;
        };
        let block = chunk.get(..last).unwrap_or_default();
        match std::str::from_utf8(block) {
            Ok(text) => {
                for line in text.split('\n') {
                    if row(line, first, args, scheme, &mut tables, &mut out)? {
                        return Ok(ExitCode::SUCCESS);
                    }
                    first = false;
                }
            }
            Err(_) => {
                // Answer the rows before the bad line, then report it.
                for line in block.split(|&b| b == b'\n') {
                    let line = std::str::from_utf8(line).map_err(bad_text)?;
                    if row(line, first, args, scheme, &mut tables, &mut out)? {
                        return Ok(ExitCode::SUCCESS);
                    }
                    first = false;
                }
            }
        }
        input.consume(last + 1);
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(write_err(e)),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Answers one device row; `Ok(true)` when stdout is closed (`| head`): stop quietly.
fn row(
    line: &str,
    first: bool,
    args: &Args,
    scheme: Scheme,
    tables: &mut Tables<'_>,
    out: &mut impl Write,
) -> Result<bool, Failure> {
    let write_err = |e: std::io::Error| Failure::unwritable("stdout", e);
    let line = line.trim_end_matches('\r');
    if line.trim().is_empty() {
        return Ok(false);
    }
    if first && line.starts_with("device_id") {
        writeln!(out, "device_id,version,next_hop").map_err(write_err)?;
        return Ok(false);
    }
    let (id, version, model, env) = match fields(line) {
        [v, None, ..] => ("", v.unwrap_or_default().trim(), None, None),
        [id, v, m, e] => (
            id.unwrap_or_default(),
            v.unwrap_or_default().trim(),
            m.map(str::trim).filter(|s| !s.is_empty()),
            e.map(str::trim).filter(|s| !s.is_empty()),
        ),
    };
    let model = model.or(args.model.as_deref());
    let env = env.or(args.environment.as_deref());
    let answer: Result<Option<&str>, &'static str> = match integer(version, scheme) {
        Some(v) => match tables.get(model, env) {
            Err(e) => Err(e.code()),
            Ok(table) => table
                .next_hop_integer(v)
                .map(|h| h.map(Version::as_str))
                .map_err(|e| e.code()),
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
    };
    let mut write = || -> std::io::Result<()> {
        out.write_all(id.as_bytes())?;
        out.write_all(b",")?;
        out.write_all(version.as_bytes())?;
        match answer {
            Ok(hop) => {
                out.write_all(b",")?;
                out.write_all(hop.unwrap_or("").as_bytes())?;
            }
            Err(code) => {
                out.write_all(b",error:")?;
                out.write_all(code.as_bytes())?;
            }
        }
        out.write_all(b"\n")
    };
    match write() {
        Ok(()) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(write_err(e)),
    }
}

/// The first four comma-separated fields of a row (`None` past the last one), found in one
/// pass over the bytes.
fn fields(line: &str) -> [Option<&str>; 4] {
    let mut out = [None; 4];
    let mut start = 0;
    let mut n = 0;
    for (i, b) in line.bytes().enumerate() {
        if b == b',' {
            if let Some(slot) = out.get_mut(n) {
                *slot = line.get(start..i);
            }
            n += 1;
            start = i + 1;
            if n == 4 {
                return out;
            }
        }
    }
    if let Some(slot) = out.get_mut(n) {
        *slot = line.get(start..);
    }
    out
}

/// The build number of an integer-scheme version spelled `[v]DIGITS` with at most 19 digits
/// (so it cannot overflow), without allocating; `None` sends every other text (and every
/// other scheme) through `VersionKey::parse`, which gives the same key or the error code.
fn integer(text: &str, scheme: Scheme) -> Option<u64> {
    if scheme != Scheme::Integer {
        return None;
    }
    let digits = text.strip_prefix('v').unwrap_or(text).as_bytes();
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0')),
    )
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

    #[test]
    fn fields_split_like_str_split() {
        for line in [
            "",
            "v1",
            "a,v1",
            "a,v1,",
            "a,v1,A",
            "a, v1 ,A,prod",
            "a,v1,A,prod,x,y",
            ",,,",
        ] {
            let mut want: Vec<Option<&str>> = line.split(',').map(Some).take(4).collect();
            want.resize(4, None);
            assert_eq!(fields(line).to_vec(), want, "{line:?}");
        }
    }
}
