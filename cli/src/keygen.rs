//! `stepstone keygen`: a new P-256 signing key from the operating system's random source.
//! Writes the private key as PKCS#8 PEM (mode 0600 on Unix) and always the public key as
//! SubjectPublicKeyInfo PEM (`--pub`, default `<out>.pub.pem`); prints the key id. Neither file
//! may exist already: nothing is written unless both can be created. The private key's bytes
//! and the PEM text are wiped after use (`zeroize`); the key itself lives in p256's `SigningKey`, which wipes its scalar on drop.

use std::process::ExitCode;

use stepstone::signature::sign::SigningKey;
use zeroize::Zeroizing;

use crate::output::{Failure, Format, check_output, print_json};

/// Arguments of `stepstone keygen`.
#[derive(clap::Args)]
pub struct Args {
    /// Where to write the private key (PKCS#8 PEM). Refuses to overwrite an existing file.
    #[arg(long, value_name = "FILE")]
    out: String,
    /// Where to write the public key (PEM SubjectPublicKeyInfo); default `<out>.pub.pem`.
    /// Refuses to overwrite an existing file.
    #[arg(long = "pub", value_name = "FILE")]
    public: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Creates `path`, which must not exist (mode 0600 on Unix when `private`).
fn create_new(path: &str, private: bool) -> Result<std::fs::File, Failure> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    opts.open(path).map_err(|e| Failure::unwritable(path, e))
}

/// The public key's path: `--pub`, or `<out>.pub.pem`.
fn public_path(args: &Args) -> String {
    args.public
        .clone()
        .unwrap_or_else(|| format!("{}.pub.pem", args.out))
}

/// Runs `stepstone keygen`.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    use std::io::Write as _;
    let public_path = public_path(args);
    check_output("--out", &args.out, &[])?;
    check_output("--pub", &public_path, &[])?;
    if public_path == args.out {
        return Err(Failure::usage(format!(
            "--pub {public_path} is the private key's file too; give another"
        )));
    }
    let key = loop {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut seed[..])
            .map_err(|e| Failure::unreadable("the OS random source", e))?;
        // A scalar of zero or above the order has probability about 2^-32: draw again.
        if let Ok(key) = SigningKey::from_bytes(&seed) {
            break key;
        }
    };
    // Both files are created before either is written: an existing one refuses the whole job
    // and leaves nothing behind.
    let mut private_file = create_new(&args.out, true)?;
    let mut public_file = match create_new(&public_path, false) {
        Ok(f) => f,
        Err(e) => {
            drop(private_file);
            let _ = std::fs::remove_file(&args.out);
            return Err(e);
        }
    };
    let pem: Zeroizing<String> = key.to_pkcs8_pem();
    private_file
        .write_all(pem.as_bytes())
        .map_err(|e| Failure::unwritable(&args.out, e))?;
    drop(pem);
    let public = key.public_key();
    public_file
        .write_all(public.to_spki_pem().as_bytes())
        .map_err(|e| Failure::unwritable(&public_path, e))?;
    let key_id = public.key_id().to_string();
    match args.format {
        Format::Json => print_json(
            &serde_json::json!({"key_id": key_id, "private": args.out, "public": public_path}),
        ),
        Format::Text => {
            println!("key_id {key_id}");
            eprintln!(
                "wrote {} (private key) and {public_path} (public key)",
                args.out
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compile-time: the PEM text keygen writes, and the key, are wiped on drop.
    #[test]
    fn the_pem_text_and_key_are_wiped_types() {
        let _: fn(&SigningKey) -> Zeroizing<String> = SigningKey::to_pkcs8_pem;
        fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        zeroize_on_drop::<SigningKey>();
        zeroize_on_drop::<Zeroizing<String>>();
        zeroize_on_drop::<Zeroizing<[u8; 32]>>();
    }
}
