//! `stepstone catalog pack CATALOG [--target V] [--model M] [--environment E]
//! [--sign KEY --sequence N --expires UNIX [--issued UNIX]] -o OUT`: the compact binary catalog
//! a device plans over, optionally in its signed envelope; `stepstone catalog inspect FILE`
//! shows one (`docs/compact-catalog.md`); `stepstone catalog table CATALOG --target V
//! [--model M] [--environment E] [-o OUT]` writes the campaign table a reconciler runs on
//! (`docs/reconciler.md`, "The campaign table on the wire").

use std::process::ExitCode;

use stepstone::campaign::CampaignTable;
use stepstone::compact::{CompactCatalog, PackOptions, pack};
use stepstone::signed_catalog::compact as envelope;

use stepstone::plan::{Query, plan};

use crate::output::{
    Failure, Format, check_output, load_catalog, parse_version, print_json, read_file,
};
use crate::plan::CostArg;

/// Catalog tools.
#[derive(clap::Args)]
pub struct CatalogArgs {
    #[command(subcommand)]
    pub command: CatalogCommand,
}

/// The `catalog` subcommands.
#[derive(clap::Subcommand)]
pub enum CatalogCommand {
    /// Pack a catalog into the compact binary format devices plan over (signed with --sign).
    Pack(PackArgs),
    /// Show a compact catalog or a signed one (header, releases); checks the signature with
    /// --key.
    Inspect(InspectArgs),
    /// Write the campaign table for one target, model and environment: the JSON a reconciler
    /// runs on without the catalog (the `stepstone-wasm/rollout` entry point takes it).
    Table(TableArgs),
}

impl CatalogArgs {
    pub fn format(&self) -> Format {
        match &self.command {
            CatalogCommand::Pack(a) => a.format,
            CatalogCommand::Inspect(a) => a.format,
            CatalogCommand::Table(a) => a.format,
        }
    }
}

/// Show a packed catalog.
#[derive(clap::Args)]
pub struct InspectArgs {
    /// A compact catalog, or a signed compact catalog (`catalog pack --sign`).
    file: String,
    /// The catalog signing key's public key: check the envelope's signature (not its expiry).
    #[arg(long)]
    key: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// A campaign table for one target, model and environment.
#[derive(clap::Args)]
pub struct TableArgs {
    /// The catalog (JSON), or - for stdin.
    catalog: String,
    /// The campaign's target version.
    #[arg(long)]
    target: String,
    /// The devices' model (required when the catalog's releases differ by model).
    #[arg(long)]
    model: Option<String>,
    /// The devices' environment (required when the releases differ by environment).
    #[arg(long)]
    environment: Option<String>,
    /// What the path minimises.
    #[arg(long, value_enum, default_value_t = CostArg::Hops)]
    cost: CostArg,
    /// Devices above the target install it directly (a downgrade) instead of being refused.
    #[arg(long)]
    allow_downgrade: bool,
    /// Write the table to this file (and a summary to stdout) instead of printing it.
    #[arg(short = 'o', long = "output")]
    output: Option<String>,
    /// Output format of errors and of the summary (the table itself is always JSON).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Pack a catalog for one model and environment.
#[derive(clap::Args)]
pub struct PackArgs {
    /// The catalog (JSON), or - for stdin.
    catalog: String,
    /// The default target, used when the device names none.
    #[arg(long)]
    target: Option<String>,
    /// The device model to pack for (required when the catalog's releases differ by model).
    #[arg(long)]
    model: Option<String>,
    /// The device environment to pack for (required when the releases differ by environment).
    #[arg(long)]
    environment: Option<String>,
    /// Where to write the compact catalog.
    #[arg(short = 'o', long = "output")]
    output: String,
    /// Sign it with this P-256 private key (PKCS#8 or SEC1 PEM): writes the signed envelope
    /// devices open with `stepstone_catalog_open`. Use a catalog key of its own (not the image
    /// or manifest key).
    #[arg(long, value_name = "KEY", requires_all = ["sequence", "expires"])]
    sign: Option<String>,
    /// With --sign: the sequence number; raise it for every new catalog (an equal sequence
    /// with other bytes is refused by devices).
    #[arg(long, requires = "sign")]
    sequence: Option<u64>,
    /// With --sign: expiry, Unix seconds.
    #[arg(long, requires = "sign")]
    expires: Option<u64>,
    /// With --sign: the signed issue time, Unix seconds (default: now). Devices without a
    /// clock keep the highest one they accepted as their time floor.
    #[arg(long, requires = "sign")]
    issued: Option<u64>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &CatalogArgs) -> Result<ExitCode, Failure> {
    match &args.command {
        CatalogCommand::Pack(a) => run_pack(a),
        CatalogCommand::Inspect(a) => run_inspect(a),
        CatalogCommand::Table(a) => run_table(a),
    }
}

fn run_table(args: &TableArgs) -> Result<ExitCode, Failure> {
    if let Some(output) = &args.output {
        check_output(
            "--output",
            output,
            &[("the catalog", args.catalog.as_str())],
        )?;
    }
    let catalog = load_catalog(&args.catalog)?;
    let target = parse_version(catalog, &args.target)?;
    let table = CampaignTable::build(
        catalog,
        &target,
        args.model.as_deref(),
        args.environment.as_deref(),
        args.cost.into(),
    )
    .map_err(|e| Failure::no(&e))?
    .allow_downgrade(args.allow_downgrade);
    let text = table.to_table_json();
    let Some(output) = &args.output else {
        println!("{text}");
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::write(output, &text).map_err(|e| Failure::unwritable(output, e))?;
    match args.format {
        Format::Json => print_json(&serde_json::json!({
            "output": output,
            "bytes": text.len(),
            "target": table.target().as_str(),
            "slots": table.len(),
        })),
        Format::Text => println!(
            "{output}: campaign table for {} ({} slots) in {} bytes",
            table.target().as_str(),
            table.len(),
            text.len()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn now() -> Result<u64, Failure> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|e| Failure::usage(format!("the system clock is before 1970: {e}")))
}

/// Seals `compact` when --sign is given.
fn seal(args: &PackArgs, compact: Vec<u8>) -> Result<Vec<u8>, Failure> {
    let (Some(key), Some(sequence), Some(expires)) = (&args.sign, args.sequence, args.expires)
    else {
        return Ok(compact);
    };
    let issued = match args.issued {
        Some(t) => t,
        None => now()?,
    };
    if expires <= issued {
        return Err(Failure::no_code(
            "signed_catalog.expired",
            format!("--expires {expires} is not after the issue time {issued}"),
        ));
    }
    let key = crate::sign::read_key(key)?;
    envelope::seal(&compact, sequence, issued, expires, &key).map_err(|e| Failure::no(&e))
}

fn run_pack(args: &PackArgs) -> Result<ExitCode, Failure> {
    crate::output::one_stdin(&[
        ("CATALOG", Some(&args.catalog)),
        ("--sign", args.sign.as_deref()),
    ])?;
    let mut inputs = vec![("the catalog", args.catalog.as_str())];
    inputs.extend(args.sign.as_deref().map(|key| ("the signing key", key)));
    check_output("--output", &args.output, &inputs)?;
    let catalog = load_catalog(&args.catalog)?;
    if let Some(target) = &args.target {
        // The default target must be one the packed model and environment can install: the
        // planner's own target checks (a device already at the target: nothing else checked).
        let target = parse_version(catalog, target)?;
        let mut q = Query::new(target.clone(), target);
        q.model = args.model.clone();
        q.environment = args.environment.clone();
        plan(catalog, &q).map_err(|e| Failure::no(&e))?;
    }
    let options = PackOptions {
        target: args.target.clone(),
        model: args.model.clone(),
        environment: args.environment.clone(),
    };
    let bytes = pack(catalog, &options).map_err(|e| Failure::no(&e))?;
    let bytes = seal(args, bytes)?;
    std::fs::write(&args.output, &bytes).map_err(|e| Failure::unwritable(&args.output, e))?;
    match args.format {
        Format::Json => print_json(&serde_json::json!({
            "output": args.output,
            "bytes": bytes.len(),
            "releases": catalog.releases().len(),
            "signed": args.sign.is_some(),
        })),
        Format::Text => println!(
            "{}: {} releases packed in {} bytes",
            args.output,
            catalog.releases().len(),
            bytes.len()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn run_inspect(args: &InspectArgs) -> Result<ExitCode, Failure> {
    crate::output::one_stdin(&[("FILE", Some(&args.file)), ("--key", args.key.as_deref())])?;
    let bytes = read_file(&args.file)?;
    let (header, payload) = if bytes.starts_with(&envelope::MAGIC) {
        let (h, _, _) = envelope::parse(&bytes).map_err(|e| Failure::no(&e))?;
        if let Some(k) = &args.key {
            let key = stepstone::signature::PublicKey::parse(&read_file(k)?)
                .map_err(|e| Failure::no(&e))?;
            // Signature and key only: no clock, so no expiry or sequence check here.
            envelope::open(&bytes, &key, None, h.issued.max(1)).map_err(|e| Failure::no(&e))?;
        }
        let payload = bytes
            .get(envelope::HEADER_LEN..envelope::HEADER_LEN + h.payload_len)
            .unwrap_or_default();
        (Some(h), payload)
    } else {
        if args.key.is_some() {
            return Err(Failure::usage(format!(
                "{} is not signed (no SSCE envelope), so --key has nothing to check",
                args.file
            )));
        }
        (None, &bytes[..])
    };
    let c = CompactCatalog::parse(payload).map_err(|e| Failure::no(&e))?;
    let releases: Vec<serde_json::Value> = (0..c.release_count())
        .filter_map(|i| c.version(i))
        .map(|v| {
            let f = c.release(v);
            serde_json::json!({
                "version": v,
                "yanked": f.is_some_and(|f| f.yanked),
                "for_model": f.is_some_and(|f| !f.not_for_model),
                "for_environment": f.is_some_and(|f| !f.not_for_environment),
                "sha256": f.and_then(|f| f.sha256).map(|d| base16ct::lower::encode_string(d)),
            })
        })
        .collect();
    let value = serde_json::json!({
        "signed": header,
        "verified": args.key.is_some(),
        "format": payload.get(4).copied(),
        "scheme": c.scheme().name(),
        "model": c.model(),
        "environment": c.environment(),
        "target": c.target(),
        "releases": releases,
    });
    match args.format {
        Format::Json => print_json(&value),
        Format::Text => {
            if let Some(h) = header {
                println!(
                    "signed compact catalog: sequence {}, issued {}, expires {}, key {}{}",
                    h.sequence,
                    h.issued,
                    h.expires,
                    h.key_id,
                    if args.key.is_some() {
                        " (signature verified)"
                    } else {
                        " (signature not checked: give --key)"
                    }
                );
            }
            println!(
                "compact catalog format {}, scheme {}, model {}, environment {}, target {}",
                payload.get(4).copied().unwrap_or_default(),
                c.scheme().name(),
                c.model().unwrap_or("(any)"),
                c.environment().unwrap_or("(any)"),
                c.target().unwrap_or("(none)")
            );
            for r in &releases {
                let mut notes = Vec::new();
                if r["yanked"] == true {
                    notes.push("yanked".to_string());
                }
                if r["for_model"] == false {
                    notes.push("not for the model".into());
                }
                if r["for_environment"] == false {
                    notes.push("not for the environment".into());
                }
                if let Some(d) = r["sha256"].as_str() {
                    notes.push(format!("sha256 {d}"));
                }
                let version = r["version"].as_str().unwrap_or("");
                if notes.is_empty() {
                    println!("  {version}");
                } else {
                    println!("  {version}  {}", notes.join(", "));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
