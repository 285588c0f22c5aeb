//! `stepstone sign`: RFC 6979 deterministic ECDSA P-256 / SHA-256 over a file (streamed), so
//! the same key and file always give the same signature.

use std::io::Write as _;
use std::process::ExitCode;

use clap::ValueEnum;
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{ImageHasher, Signature, SignatureFormat};
use zeroize::Zeroizing;

use crate::output::{Failure, Format, check_output};

/// Signature encodings `sign` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Encoding {
    /// Binary ASN.1 DER, as `openssl dgst -sign` writes.
    #[default]
    Der,
    /// Binary raw r||s, 64 bytes.
    Raw,
    /// Hex of the DER form.
    Hex,
    /// Base64 of the DER form.
    Base64,
    /// Hex of raw r||s.
    HexRaw,
    /// Base64 of raw r||s.
    Base64Raw,
}

impl Encoding {
    fn format(self) -> SignatureFormat {
        match self {
            Encoding::Der => SignatureFormat::Der,
            Encoding::Raw => SignatureFormat::Raw,
            Encoding::Hex => SignatureFormat::Hex,
            Encoding::Base64 => SignatureFormat::Base64,
            Encoding::HexRaw => SignatureFormat::HexRaw,
            Encoding::Base64Raw => SignatureFormat::Base64Raw,
        }
    }

    /// The signature's bytes in this encoding, as `sign` writes them: text forms end with a
    /// newline, binary forms are the bare bytes.
    pub fn encode(self, sig: &Signature) -> Vec<u8> {
        let mut bytes = sig.encode(self.format()).as_bytes().to_vec();
        if !matches!(self, Encoding::Der | Encoding::Raw) {
            bytes.push(b'\n');
        }
        bytes
    }
}

/// Reads a private signing key file: unreadable is exit 2, not a P-256 private key exit 1.
/// The file's bytes are wiped once parsed; the key then lives in p256's `SigningKey`, which
/// wipes its scalar on drop.
pub fn read_key(path: &str) -> Result<SigningKey, Failure> {
    SigningKey::parse(&read_secret(path)?).map_err(|e| Failure::no(&e))
}

/// Reads a whole file (or stdin for `-`) holding a secret into memory wiped on drop. Unlike
/// `std::fs::read`, a growing buffer is moved into a bigger one by hand, so the smaller one is
/// wiped before it is freed instead of being left in the allocator by `Vec`'s reallocation.
fn read_secret(path: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    use std::io::Read as _;
    let mut reader: Box<dyn std::io::Read> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| Failure::unreadable(path, e))?)
    };
    let mut chunk = Zeroizing::new([0u8; 4096]);
    let mut out = Zeroizing::new(Vec::with_capacity(chunk.len()));
    loop {
        let n = match reader.read(&mut chunk[..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::unreadable(path, e)),
        };
        let Some(read) = chunk.get(..n).filter(|r| !r.is_empty()) else {
            return Ok(out);
        };
        if out.capacity() - out.len() < read.len() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(2 * (out.len() + read.len())));
            bigger.extend_from_slice(&out);
            out = bigger; // the old buffer is wiped as it drops
        }
        out.extend_from_slice(read);
    }
}

/// Arguments of `stepstone sign`.
#[derive(clap::Args)]
pub struct Args {
    /// Private key: PKCS#8 or SEC1 (`EC PRIVATE KEY`), PEM or DER.
    #[arg(long, value_name = "KEY")]
    key: String,
    /// Signature encoding (text forms end with a newline).
    #[arg(long, value_enum, default_value_t)]
    encoding: Encoding,
    /// Where to write the signature (stdout when absent).
    #[arg(long, value_name = "FILE")]
    out: Option<String>,
    /// Output format for errors.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// The file to sign (`-` for stdin).
    file: String,
}

/// Feeds a file (or stdin) to `f` in 64 KiB chunks.
pub fn stream(
    path: &str,
    mut f: impl FnMut(&[u8]) -> Result<bool, Failure>,
) -> Result<(), Failure> {
    use std::io::Read as _;
    let mut reader: Box<dyn std::io::Read> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| Failure::unreadable(path, e))?)
    };
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| Failure::unreadable(path, e))?;
        if n == 0 || !f(buf.get(..n).unwrap_or(&[]))? {
            return Ok(());
        }
    }
}

/// Runs `stepstone sign`.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    crate::output::one_stdin(&[("--key", Some(&args.key)), ("FILE", Some(&args.file))])?;
    if let Some(out) = &args.out {
        let inputs = [
            ("the file to sign", args.file.as_str()),
            ("the private key", args.key.as_str()),
        ];
        check_output("--out", out, &inputs)?;
    }
    let key = read_key(&args.key)?;
    let mut hasher = ImageHasher::new();
    stream(&args.file, |chunk| {
        hasher.update(chunk);
        Ok(true)
    })?;
    let sig = key
        .sign_digest(&hasher.finish())
        .map_err(|e| Failure::no(&e))?;
    let bytes = args.encoding.encode(&sig);
    match &args.out {
        Some(path) => std::fs::write(path, &bytes).map_err(|e| Failure::unwritable(path, e))?,
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| Failure::unwritable("stdout", e))?,
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key file is read into a wiped buffer, whole, across the buffer's growth.
    #[test]
    fn secrets_are_read_whole_into_wiped_memory() {
        let dir =
            std::env::temp_dir().join(format!("stepstone-read-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for len in [0usize, 1, 4095, 4096, 4097, 50_000] {
            let path = dir.join(format!("{len}"));
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &data).unwrap();
            let read: Zeroizing<Vec<u8>> = read_secret(path.to_str().unwrap()).unwrap();
            assert_eq!(*read, data);
        }
        let missing = dir.join("missing");
        assert_eq!(
            read_secret(missing.to_str().unwrap()).unwrap_err().code,
            "io.unreadable"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
