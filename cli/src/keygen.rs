//! `stepstone keygen`: a new P-256 signing key from the operating system's random source.
//! Writes the private key as PKCS#8 PEM (mode 0600 on Unix) and optionally the public key as
//! SubjectPublicKeyInfo PEM; prints the key id. The seed and the PEM text are wiped after use
//! (`zeroize`); the key itself lives in p256's `SigningKey`, which wipes its scalar on drop.

use std::process::ExitCode;

use stepstone::signature::sign::SigningKey;
use zeroize::Zeroizing;

use crate::output::{Failure, Format, print_json};

/// Arguments of `stepstone keygen`.
#[derive(clap::Args)]
pub struct Args {
    /// Where to write the private key (PKCS#8 PEM). Refuses to overwrite an existing file.
    #[arg(long, value_name = "FILE")]
    out: String,
    /// Where to write the public key (PEM SubjectPublicKeyInfo).
    #[arg(long = "pub", value_name = "FILE")]
    public: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

fn write_new(path: &str, contents: &[u8], private: bool) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts.open(path).map_err(|e| Failure::unwritable(path, e))?;
    f.write_all(contents)
        .map_err(|e| Failure::unwritable(path, e))
}

/// Runs `stepstone keygen`.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let key = loop {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut seed[..])
            .map_err(|e| Failure::unreadable("the OS random source", e))?;
        // A scalar of zero or above the order has probability about 2^-32: draw again.
        if let Ok(key) = SigningKey::from_bytes(&seed) {
            break key;
        }
    };
    let pem: Zeroizing<String> = key.to_pkcs8_pem();
    write_new(&args.out, pem.as_bytes(), true)?;
    drop(pem);
    let public = key.public_key();
    if let Some(path) = &args.public {
        write_new(path, public.to_spki_pem().as_bytes(), false)?;
    }
    let key_id = public.key_id().to_string();
    match args.format {
        Format::Json => print_json(
            &serde_json::json!({"key_id": key_id, "private": args.out, "public": args.public}),
        ),
        Format::Text => println!("key_id {key_id}"),
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
