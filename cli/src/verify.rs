//! `stepstone verify`: is this image genuine? Checks a detached signature with a pinned key or
//! a certificate chained to a pinned root, and/or a signed release manifest against the
//! device's facts and the streamed image.
//!
//! Exit 0 genuine, 1 not genuine (any malformed signature, key, certificate or manifest is a
//! "not", with its code), 2 usage error or unreadable file.
//!
//! A bare image signature (`--key`/`--cert` with `--signature`) proves authorship only: it
//! carries no version, model or expiry, so any image the key ever signed passes (an older
//! release, another model's image). `--manifest` binds version, models, environment, expiry,
//! size and digest.

use std::process::ExitCode;

use stepstone::cert::{Certificate, verify_chain};
use stepstone::manifest::{self, Device, ManifestError};
use stepstone::signature::{ImageHasher, PublicKey, Signature};

use crate::output::{Failure, Format, print_json, read_file};
use crate::sign::stream;

/// What the help says about bare image signatures, after the flags.
const AUTHORSHIP_ONLY: &str = "\
A bare image signature (--key or --cert with --signature, no --manifest) proves authorship only: \
the image was signed by that key. It says nothing about version, model or expiry, so any image \
the key ever signed passes, an older release or another model's image included. To check that \
this image is meant for this device now, verify a signed release manifest: --manifest M \
--manifest-signature S with --model, --environment and --current-version (docs/manifest.md; \
`stepstone manifest create` writes one).";

/// Arguments of `stepstone verify`.
#[derive(clap::Args)]
#[command(group = clap::ArgGroup::new("trust").required(true).args(["key", "cert"]))]
#[command(after_help = AUTHORSHIP_ONLY)]
pub struct Args {
    /// Pinned public key: PEM or DER SubjectPublicKeyInfo, SEC1 point, or hex.
    ///
    /// With --signature alone this proves only that the key signed the image (authorship): no
    /// version, model or expiry. Use --manifest for those.
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// Signing certificate (PEM, possibly followed by intermediates; or DER), instead of --key.
    #[arg(long, value_name = "CERT", requires = "root")]
    cert: Option<String>,
    /// Pinned root certificate the --cert chain must lead to.
    #[arg(long, value_name = "ROOT", requires = "cert")]
    root: Option<String>,
    /// Detached signature of the image (DER, raw r||s, or hex or base64 of either): proves
    /// authorship only, not version, model or expiry (see --manifest).
    ///
    /// Any image the key ever signed passes, an older release or another model's image
    /// included. Use --manifest to check version, models, environment and expiry.
    #[arg(long, value_name = "SIG", required_unless_present = "manifest")]
    signature: Option<String>,
    /// Signed release manifest to check the device and image against: version (anti-rollback),
    /// models, environment, expiry, size and SHA-256, all under the manifest's signature.
    #[arg(long, value_name = "M", requires_all = ["manifest_signature", "model", "environment", "current_version"])]
    manifest: Option<String>,
    /// Detached signature of the manifest's exact bytes.
    #[arg(long, value_name = "S", requires = "manifest")]
    manifest_signature: Option<String>,
    /// The device's model.
    #[arg(long, requires = "manifest")]
    model: Option<String>,
    /// The device's environment (production, staging, ...).
    #[arg(long, requires = "manifest")]
    environment: Option<String>,
    /// The version the device runs.
    #[arg(long, requires = "manifest")]
    current_version: Option<String>,
    /// The device's anti-rollback counter: the highest version it accepted (default: --current-version).
    #[arg(long, requires = "manifest")]
    counter: Option<String>,
    /// Now, in Unix seconds, for certificate dates and manifest expiry (default: the system clock).
    #[arg(long)]
    now: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// The image (`-` for stdin).
    image: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `stepstone verify`.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let now = match args.now {
        Some(n) => n,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|e| Failure::usage(format!("system clock before 1970: {e}")))?,
    };
    crate::output::one_stdin(&[
        ("--key", args.key.as_deref()),
        ("--cert", args.cert.as_deref()),
        ("--root", args.root.as_deref()),
        ("--signature", args.signature.as_deref()),
        ("--manifest", args.manifest.as_deref()),
        ("--manifest-signature", args.manifest_signature.as_deref()),
        ("IMAGE", Some(&args.image)),
    ])?;
    // Read every small input first, so an unreadable file is exit 2 before any verdict.
    let key_bytes = args.key.as_deref().map(read_file).transpose()?;
    let chain_bytes = args.cert.as_deref().map(read_file).transpose()?;
    let root_bytes = args.root.as_deref().map(read_file).transpose()?;
    let sig_bytes = args.signature.as_deref().map(read_file).transpose()?;
    let manifest_bytes = args.manifest.as_deref().map(read_file).transpose()?;
    let manifest_sig = args
        .manifest_signature
        .as_deref()
        .map(read_file)
        .transpose()?;

    let key = match (key_bytes, chain_bytes, root_bytes) {
        (Some(k), _, _) => PublicKey::parse(&k).map_err(|e| Failure::no(&e))?,
        (None, Some(chain), Some(root)) => {
            let chain = Certificate::parse_chain(&chain).map_err(|e| Failure::no(&e))?;
            let root = Certificate::parse(&root).map_err(|e| Failure::no(&e))?;
            verify_chain(&chain, &root, now).map_err(|e| Failure::no(&e))?
        }
        _ => {
            return Err(Failure::usage(
                "give --key KEY, or --cert CERT with --root ROOT",
            ));
        }
    };
    let signature = sig_bytes
        .map(|b| Signature::parse(&b).map_err(|e| Failure::no(&e)))
        .transpose()?;

    let manifest = match (&manifest_bytes, &manifest_sig) {
        (Some(m), Some(s)) => {
            let m = manifest::verify_encoded(m, s, &key).map_err(|e| Failure::no(&e))?;
            let current = args.current_version.as_deref().unwrap_or_default();
            let device = Device {
                model: args.model.as_deref().unwrap_or_default(),
                environment: args.environment.as_deref().unwrap_or_default(),
                current_version: current,
                counter: args.counter.as_deref().unwrap_or(current),
                now,
            };
            m.check_device(&device).map_err(|e| Failure::no(&e))?;
            Some(m)
        }
        _ => None,
    };

    // Stream the image once through both checks; with a manifest, stop one byte past its size.
    let mut hasher = ImageHasher::new();
    let mut image_check = manifest.as_ref().map(|m| m.image_check());
    let mut refused: Option<ManifestError> = None;
    stream(&args.image, |chunk| {
        if let Some(check) = image_check.as_mut() {
            let take = usize::try_from(check.remaining().saturating_add(1))
                .unwrap_or(usize::MAX)
                .min(chunk.len());
            let part = chunk.get(..take).unwrap_or(chunk);
            if let Err(e) = check.update(part) {
                refused = Some(e);
                return Ok(false);
            }
            hasher.update(part);
            return Ok(true);
        }
        hasher.update(chunk);
        Ok(true)
    })?;
    if let Some(e) = refused {
        return Err(Failure::no(&e));
    }
    let size = hasher.len();
    let digest = hasher.finish();
    if let Some(check) = image_check {
        check.finish().map_err(|e| Failure::no(&e))?;
    }
    if let Some(sig) = &signature {
        key.verify_digest(&digest, sig)
            .map_err(|e| Failure::no(&e))?;
    }

    let key_id = key.key_id().to_string();
    match args.format {
        Format::Json => {
            // The verified facts at the top level, as core states them (`Manifest::verified`:
            // version, size, sha256, key_id, expires); `version` and `expires` are null without
            // a manifest (a bare signature binds neither).
            let mut facts = serde_json::json!({
                "version": null, "size": size, "sha256": hex(&digest), "key_id": key_id,
                "expires": null,
            });
            if let Some(m) = &manifest {
                facts = serde_json::to_value(m.verified())
                    .map_err(|e| Failure::no_code("cli.json", e.to_string()))?;
            }
            let manifest = manifest.map(|m| {
                serde_json::json!({
                    "version": m.version, "scheme": m.scheme.name(), "min_sw_version": m.min_sw_version,
                    "environment": m.environment, "models": m.models.iter().collect::<Vec<_>>(),
                    "expires": m.expires,
                })
            });
            facts["genuine"] = true.into();
            facts["signature_checked"] = signature.is_some().into();
            facts["manifest"] = manifest.into();
            print_json(&facts);
        }
        Format::Text => {
            let what = match (&signature, &manifest) {
                (Some(_), Some(m)) => format!("signature and manifest (version {})", m.version),
                (None, Some(m)) => format!("manifest (version {})", m.version),
                _ => "signature".to_string(),
            };
            println!(
                "genuine: {what} verified with key {key_id}; sha256 {} ({size} bytes)",
                hex(&digest)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
