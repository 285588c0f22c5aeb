//! `stepstone manifest create` writes a signed release manifest (docs/manifest.md) for an
//! image: the image is streamed once (size and SHA-256), the manifest is rendered by core
//! (`ManifestFields::render`), signed over its exact bytes, written with its detached
//! signature, and read back and verified by core before the command answers 0.
//!
//! `stepstone manifest show` prints a manifest's fields; it only parses, unless `--key` and
//! `--signature` are given.
//!
//! Input refusals of `create` (exit 1), each naming the value: `manifest.unknown_scheme`,
//! `manifest.bad_version`, `manifest.bad_min_sw_version`, `manifest.min_sw_not_lower`,
//! `manifest.no_models`, `manifest.models_wildcard_mixed`, `manifest.bad_model`,
//! `manifest.bad_environment`, `manifest.expires_past`. Unreadable key or image: `io.unreadable`
//! (exit 2); a key that is not a P-256 private key: the core's `signature.*` code (exit 1).

use std::process::ExitCode;

use clap::ValueEnum as _;
use stepstone::manifest::{self, FORMAT_VERSION, Manifest, ManifestFields};
use stepstone::signature::{ImageHasher, PublicKey};
use stepstone::version::{self, Scheme, detect_scheme};

use crate::output::{Failure, Format, check_output, print_json, q, read_file, same_file};
use crate::sign::{Encoding, read_key, stream};

/// Release manifests: create (sign) one for an image, or show one's fields.
#[derive(clap::Args)]
pub struct ManifestArgs {
    #[command(subcommand)]
    pub command: ManifestCommand,
}

/// The `manifest` subcommands.
#[derive(clap::Subcommand)]
pub enum ManifestCommand {
    /// Write a signed release manifest for an image, and its detached signature.
    Create(CreateArgs),
    /// Print a manifest's fields. Parses only: the signature is NOT checked unless --key and
    /// --signature are given.
    Show(ShowArgs),
}

impl ManifestArgs {
    /// The `--format` of the subcommand run.
    pub fn format(&self) -> Format {
        match &self.command {
            ManifestCommand::Create(a) => a.format,
            ManifestCommand::Show(a) => a.format,
        }
    }
}

/// Arguments of `stepstone manifest create`.
#[derive(clap::Args)]
#[command(after_help = "\
The image is read once, streamed (never held whole). The manifest is the exact text core renders \
(docs/manifest.md); the signature is RFC 6979 ECDSA P-256 / SHA-256 over its bytes, as \
`stepstone sign` makes it, so `openssl dgst -sha256 -verify pub.pem -signature SIG MANIFEST` \
accepts it. Both files are read back and verified before the command answers 0.

The version scheme is never guessed: it is `integer` unless --scheme is given (a version that is \
not an integer version is refused, with the scheme it looks like in the message).")]
pub struct CreateArgs {
    /// Private signing key: PKCS#8 or SEC1 (`EC PRIVATE KEY`), PEM or DER.
    #[arg(long, value_name = "KEY")]
    key: String,
    /// The release's version, a version of --scheme (`v66003`, `2.0.0-rc.1`, `38.20231027.3.2`).
    #[arg(long, value_name = "V")]
    version: String,
    /// The lowest version a device must run to install this release (below --version).
    #[arg(long, value_name = "V")]
    min_sw_version: Option<String>,
    /// The models the release is for, comma-separated (`AG-1,AG-2`), or `*` for every model.
    #[arg(long, value_name = "M1,M2|*")]
    models: String,
    /// The environment the release is for: one word (`production`, `staging`, ...).
    #[arg(long, value_name = "E")]
    environment: String,
    /// Expiry in Unix seconds: devices refuse the manifest from that second on. Must be in the
    /// future.
    #[arg(long, value_name = "UNIX")]
    expires: u64,
    /// Version scheme: integer, semver or dotted [default: integer].
    #[arg(long, value_name = "S")]
    scheme: Option<String>,
    /// Where to write the manifest.
    #[arg(long, value_name = "MANIFEST")]
    out: String,
    /// Where to write the detached signature of the manifest.
    #[arg(long, value_name = "SIG")]
    signature_out: String,
    /// Signature encoding, as `stepstone sign` writes it (text forms end with a newline).
    #[arg(long, value_enum, default_value_t)]
    encoding: Encoding,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// The firmware image (`-` for stdin).
    image: String,
}

/// Arguments of `stepstone manifest show`.
#[derive(clap::Args)]
#[command(after_help = "\
Without --key and --signature this only parses the manifest: nothing printed is verified. \
`stepstone verify --manifest` checks a manifest against a device and its image.")]
pub struct ShowArgs {
    /// Public key to verify the manifest's signature with (with --signature).
    #[arg(long, value_name = "KEY", requires = "signature")]
    key: Option<String>,
    /// Detached signature of the manifest's exact bytes (with --key).
    #[arg(long, value_name = "SIG", requires = "key")]
    signature: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// The manifest (`-` for stdin).
    manifest: String,
}

/// Runs `stepstone manifest ...`.
pub fn run(args: &ManifestArgs) -> Result<ExitCode, Failure> {
    match &args.command {
        ManifestCommand::Create(a) => create(a),
        ManifestCommand::Show(a) => show(a),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> Result<u64, Failure> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|e| Failure::usage(format!("system clock before 1970: {e}")))
}

/// Printable ASCII without spaces (`0x21`-`0x7e`): what a manifest word may hold.
fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// The fields given on the command line, checked; size, sha256 and key_id come later.
struct Checked {
    scheme: Scheme,
    min_sw_version: Option<String>,
    models: Vec<String>,
}

/// "; it reads as a semver version: give --scheme semver", when another scheme fits every
/// version given.
fn scheme_hint(versions: &[&str], scheme: Scheme) -> String {
    match detect_scheme(versions.iter().copied()) {
        Ok(s) if s != scheme => format!("; it reads as a {s} version: give --scheme {s}"),
        _ => String::new(),
    }
}

fn check_fields(args: &CreateArgs) -> Result<Checked, Failure> {
    let scheme = match args.scheme.as_deref() {
        None => Scheme::Integer,
        Some(name) => Scheme::from_name(name).ok_or_else(|| {
            Failure::no_code(
                "manifest.unknown_scheme",
                format!(
                    "unknown scheme {}: expected integer, semver or dotted",
                    q(name)
                ),
            )
        })?,
    };
    let mut given = vec![args.version.as_str()];
    given.extend(args.min_sw_version.as_deref());
    if let Err(kind) = version::check(&args.version, scheme) {
        return Err(Failure::no_code(
            "manifest.bad_version",
            format!(
                "version {} is not a{} {scheme} version ({kind}){}",
                q(&args.version),
                if scheme == Scheme::Integer { "n" } else { "" },
                scheme_hint(&given, scheme)
            ),
        ));
    }
    if let Some(min) = &args.min_sw_version {
        match version::compare(min, &args.version, scheme) {
            Err(kind) => {
                return Err(Failure::no_code(
                    "manifest.bad_min_sw_version",
                    format!(
                        "min_sw_version {} is not a{} {scheme} version ({kind}){}",
                        q(min),
                        if scheme == Scheme::Integer { "n" } else { "" },
                        scheme_hint(&given, scheme)
                    ),
                ));
            }
            Ok(std::cmp::Ordering::Less) => {}
            Ok(_) => {
                return Err(Failure::no_code(
                    "manifest.min_sw_not_lower",
                    format!(
                        "min_sw_version {} is not below version {}",
                        q(min),
                        q(&args.version)
                    ),
                ));
            }
        }
    }
    let models = check_models(&args.models)?;
    if !is_word(&args.environment) {
        return Err(Failure::no_code(
            "manifest.bad_environment",
            format!(
                "environment {} must be one word of printable ASCII (no spaces)",
                q(&args.environment)
            ),
        ));
    }
    let now = now()?;
    if args.expires <= now {
        return Err(Failure::no_code(
            "manifest.expires_past",
            format!(
                "expires {} is not in the future (now is {now}): devices would refuse the manifest",
                args.expires
            ),
        ));
    }
    Ok(Checked {
        scheme,
        min_sw_version: args.min_sw_version.clone(),
        models,
    })
}

/// `--models` read and checked by the core (`manifest::models_from_list`, the rules every
/// binding applies), its refusal naming the flag and what was given.
fn check_models(text: &str) -> Result<Vec<String>, Failure> {
    manifest::models_from_list(text).map_err(|e| {
        use stepstone::ErrorCode as _;
        Failure::no_code(e.code(), format!("--models {}: {e}", q(text)))
    })
}

fn create(args: &CreateArgs) -> Result<ExitCode, Failure> {
    let checked = check_fields(args)?;
    if same_file(&args.out, &args.signature_out) {
        return Err(Failure::usage(format!(
            "--out and --signature-out are the same file {}",
            q(&args.out)
        )));
    }
    crate::output::one_stdin(&[("--key", Some(&args.key)), ("IMAGE", Some(&args.image))])?;
    let inputs = [
        ("the image", args.image.as_str()),
        ("the private key", args.key.as_str()),
    ];
    check_output("--out", &args.out, &inputs)?;
    check_output("--signature-out", &args.signature_out, &inputs)?;
    let key = read_key(&args.key)?;
    let public = key.public_key();

    let mut hasher = ImageHasher::new();
    stream(&args.image, |chunk| {
        hasher.update(chunk);
        Ok(true)
    })?;
    let size = hasher.len();
    let sha256 = hasher.finish();

    let fields = ManifestFields {
        scheme: checked.scheme,
        version: args.version.clone(),
        min_sw_version: checked.min_sw_version,
        size,
        sha256,
        models: checked.models,
        environment: args.environment.clone(),
        expires: args.expires,
        key_id: public.key_id(),
    };
    let text = fields.render().map_err(|e| Failure::no(&e))?;
    let signature = key.sign(text.as_bytes()).map_err(|e| Failure::no(&e))?;
    let sig_bytes = args.encoding.encode(&signature);
    std::fs::write(&args.out, text.as_bytes()).map_err(|e| Failure::unwritable(&args.out, e))?;
    if let Err(e) = std::fs::write(&args.signature_out, &sig_bytes) {
        let _ = std::fs::remove_file(&args.out);
        return Err(Failure::unwritable(&args.signature_out, e));
    }

    // Read both files back and verify them with core, as a device would; a pair that does not
    // verify is not left behind.
    if let Err(f) = verify_back(args, &text, &fields, &public) {
        let _ = std::fs::remove_file(&args.out);
        let _ = std::fs::remove_file(&args.signature_out);
        return Err(f);
    }

    let key_id = public.key_id().to_string();
    match args.format {
        Format::Json => print_json(&serde_json::json!({
            "manifest": args.out, "signature": args.signature_out, "version": args.version,
            "size": size, "sha256": hex(&sha256), "key_id": key_id, "expires": args.expires,
        })),
        Format::Text => {
            let encoding = args
                .encoding
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default();
            println!(
                "wrote {} and its signature {} ({encoding}), verified\n\
                 version {}, {size} bytes, sha256 {}, key_id {key_id}, expires {} ({})",
                args.out,
                args.signature_out,
                args.version,
                hex(&sha256),
                args.expires,
                utc(args.expires)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn verify_back(
    args: &CreateArgs,
    text: &str,
    fields: &ManifestFields,
    public: &PublicKey,
) -> Result<(), Failure> {
    let written = read_file(&args.out)?;
    let sig = read_file(&args.signature_out)?;
    if written != text.as_bytes() {
        return Err(Failure::unwritable(
            &args.out,
            "the file read back differs from what was written",
        ));
    }
    let m = manifest::verify_encoded(&written, &sig, public).map_err(|e| Failure::no(&e))?;
    let same = m.scheme == fields.scheme
        && m.version == fields.version
        && m.min_sw_version == fields.min_sw_version.as_deref()
        && m.size == fields.size
        && m.sha256 == fields.sha256
        && m.models.iter().eq(fields.models.iter().map(String::as_str))
        && m.environment == fields.environment
        && m.expires == fields.expires
        && m.key_id == fields.key_id;
    if !same {
        return Err(Failure::unwritable(
            &args.out,
            "the manifest read back does not carry the fields given",
        ));
    }
    Ok(())
}

fn show(args: &ShowArgs) -> Result<ExitCode, Failure> {
    // Read every input first, so an unreadable file is exit 2 before any verdict.
    let bytes = read_file(&args.manifest)?;
    let key = args.key.as_deref().map(read_file).transpose()?;
    let sig = args.signature.as_deref().map(read_file).transpose()?;
    let (m, verified_with) = match (key, sig) {
        (Some(key), Some(sig)) => {
            let key = PublicKey::parse(&key).map_err(|e| Failure::no(&e))?;
            let m = manifest::verify_encoded(&bytes, &sig, &key).map_err(|e| Failure::no(&e))?;
            (m, Some(key.key_id().to_string()))
        }
        _ => (Manifest::parse(&bytes).map_err(|e| Failure::no(&e))?, None),
    };
    let models: Vec<&str> = m.models.iter().collect();
    match args.format {
        Format::Json => print_json(&serde_json::json!({
            "format": FORMAT_VERSION, "scheme": m.scheme.name(), "version": m.version,
            "min_sw_version": m.min_sw_version, "size": m.size, "sha256": hex(&m.sha256),
            "models": models, "environment": m.environment, "expires": m.expires,
            "key_id": m.key_id.to_string(), "signature_checked": verified_with.is_some(),
        })),
        Format::Text => {
            let expired = if now()? >= m.expires { ", expired" } else { "" };
            println!("format          {FORMAT_VERSION}");
            println!("scheme          {}", m.scheme.name());
            println!("version         {}", m.version);
            println!(
                "min_sw_version  {}",
                m.min_sw_version.unwrap_or("(none: any lower version)")
            );
            println!("size            {}", m.size);
            println!("sha256          {}", hex(&m.sha256));
            println!("models          {}", m.models.as_str());
            println!("environment     {}", m.environment);
            println!(
                "expires         {} ({}{expired})",
                m.expires,
                utc(m.expires)
            );
            println!("key_id          {}", m.key_id);
            match verified_with {
                Some(id) => println!("signature       verified with key {id}"),
                None => println!(
                    "signature       NOT CHECKED (parsed only; give --key and --signature to verify)"
                ),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Unix seconds as `YYYY-MM-DD hh:mm:ss UTC` (proleptic Gregorian; Howard Hinnant's
/// days-to-civil).
fn utc(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Shift the epoch to 0000-03-01 so leap days fall at the end of each 400-year era.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_900_000_000), "2030-03-17 17:46:40 UTC");
        assert_eq!(utc(4_102_444_799), "2099-12-31 23:59:59 UTC");
    }
}
