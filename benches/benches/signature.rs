//! Signature benchmarks, per backend: ECDSA P-256 verify per signature, SHA-256 throughput on
//! 16 MiB in 4 KiB chunks (and on one cache-hot 4 KiB buffer, as `openssl speed` measures), and
//! a full manifest check (verify + device check + 16 MiB image) on the active backend.
//!
//! Without features only the portable backend (`p256`, `sha2`) is measured. With
//! `--features aws-lc` (x86_64 / aarch64) both are, side by side, through
//! `stepstone::signature::differential`, and the public API (manifest benches) runs on aws-lc.
//! Times are thread CPU time, as `openssl speed` reports user CPU time, so a busy shared
//! machine does not skew the ratios. `benches/openssl_compare.sh` runs these and `openssl
//! speed` in one go and prints the ratios for each backend.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stepstone::manifest::{self, Device, ManifestFields};
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{Digest, PublicKey, Signature, SignatureError, sha256};
use stepstone::version::Scheme;
use stepstone_benches::cpu::ThreadTime;

const IMAGE_LEN: usize = 16 * 1024 * 1024;
const CHUNK: usize = 4096;

type Verify = fn(&PublicKey, &[u8], &Signature) -> Result<(), SignatureError>;
type Hash = fn(&mut dyn Iterator<Item = &[u8]>) -> Digest;

#[cfg(not(feature = "aws-lc"))]
mod backends {
    use super::{Hash, Verify};
    use stepstone::signature::ImageHasher;

    pub const ACTIVE: &str = "p256";

    pub fn verify() -> Vec<(&'static str, Verify)> {
        vec![("p256", |k, d, s| k.verify_digest(d, s))]
    }

    pub fn hash() -> Vec<(&'static str, Hash)> {
        vec![("p256", |chunks| {
            let mut h = ImageHasher::new();
            chunks.for_each(|c| h.update(c));
            h.finish()
        })]
    }
}

#[cfg(feature = "aws-lc")]
mod backends {
    use super::{Hash, Verify};
    use stepstone::signature::differential::{self, HasherAwsLc, HasherP256};

    pub const ACTIVE: &str = differential::ACTIVE;

    pub fn verify() -> Vec<(&'static str, Verify)> {
        vec![
            ("p256", differential::verify_digest_p256),
            ("aws-lc", differential::verify_digest_aws_lc),
        ]
    }

    pub fn hash() -> Vec<(&'static str, Hash)> {
        vec![
            ("p256", |chunks| {
                let mut h = HasherP256::default();
                chunks.for_each(|c| h.update(c));
                h.finish()
            }),
            ("aws-lc", |chunks| {
                let mut h = HasherAwsLc::default();
                chunks.for_each(|c| h.update(c));
                h.finish()
            }),
        ]
    }
}

fn image() -> Vec<u8> {
    (0..IMAGE_LEN)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761) as u8)
        .collect()
}

fn benches(c: &mut Criterion<ThreadTime>) {
    let key = SigningKey::from_bytes(&[0x5a; 32]).unwrap();
    let public = key.public_key();
    let digest = sha256(b"firmware");
    let sig = key.sign_digest(&digest).unwrap();

    let mut g = c.benchmark_group("ecdsa_p256_verify");
    for (name, verify) in backends::verify() {
        g.bench_function(name, |b| {
            b.iter(|| verify(&public, black_box(&digest), black_box(&sig)).unwrap())
        });
    }
    g.finish();
    c.bench_function("ecdsa_p256_sign_rfc6979", |b| {
        b.iter(|| key.sign_digest(black_box(&digest)).unwrap())
    });

    let img = image();
    let want = sha256(&img);
    let mut g = c.benchmark_group("sha256_16MiB_4KiB_chunks");
    g.throughput(Throughput::Bytes(IMAGE_LEN as u64));
    g.sample_size(20);
    for (name, hash) in backends::hash() {
        assert_eq!(hash(&mut img.chunks(CHUNK)), want, "{name}");
        g.bench_function(name, |b| b.iter(|| hash(&mut img.chunks(CHUNK))));
    }
    g.finish();
    // Like `openssl speed -bytes 4096`: one 4 KiB buffer, hashed 4096 times (cache-resident),
    // to separate the hash from memory bandwidth.
    let mut g = c.benchmark_group("sha256_same_4KiB_buffer");
    g.throughput(Throughput::Bytes(IMAGE_LEN as u64));
    g.sample_size(20);
    let buf = &img[..CHUNK];
    for (name, hash) in backends::hash() {
        g.bench_function(name, |b| {
            b.iter(|| hash(&mut std::iter::repeat_n(black_box(buf), IMAGE_LEN / CHUNK)))
        });
    }
    g.finish();

    let fields = ManifestFields {
        scheme: Scheme::Integer,
        version: "v66003".into(),
        min_sw_version: Some("v66000".into()),
        size: IMAGE_LEN as u64,
        sha256: want,
        models: vec!["AG-1".into(), "AG-2".into()],
        environment: "production".into(),
        expires: 1_900_000_000,
        key_id: public.key_id(),
    };
    let text = fields.render().unwrap();
    let msig = key.sign(text.as_bytes()).unwrap();
    let device = Device {
        model: "AG-1",
        environment: "production",
        current_version: "v66000",
        counter: "v66000",
        now: 1_800_000_000,
    };
    let mut g = c.benchmark_group("manifest_verify_and_device_check");
    g.bench_function(backends::ACTIVE, |b| {
        b.iter(|| {
            let m = manifest::verify(black_box(text.as_bytes()), &msig, &public).unwrap();
            m.check_device(&device).unwrap();
        })
    });
    g.finish();
    let mut g = c.benchmark_group("manifest_full_16MiB");
    g.throughput(Throughput::Bytes(IMAGE_LEN as u64));
    g.sample_size(20);
    g.bench_function(backends::ACTIVE, |b| {
        b.iter(|| {
            let m = manifest::verify(text.as_bytes(), &msig, &public).unwrap();
            m.check_device(&device).unwrap();
            let mut check = m.image_check();
            for chunk in img.chunks(CHUNK) {
                check.update(chunk).unwrap();
            }
            check.finish().unwrap()
        })
    });
    g.finish();
}

criterion_group! {
    name = signature;
    // Thread CPU time, like `openssl speed`'s user CPU time.
    config = Criterion::default().with_measurement(ThreadTime);
    targets = benches
}
criterion_main!(signature);
