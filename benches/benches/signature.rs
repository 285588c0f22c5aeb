//! Signature benchmarks: ECDSA P-256 verify per signature (p256, portable backend), SHA-256
//! throughput on 16 MiB in 4 KiB chunks, and a full manifest check (verify + device check +
//! 16 MiB image). `benches/openssl_compare.sh` runs these and `openssl speed` in one go and
//! prints the ratios.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stepstone::manifest::{self, Device, ManifestFields};
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{ImageHasher, sha256};
use stepstone::version::Scheme;

const IMAGE_LEN: usize = 16 * 1024 * 1024;
const CHUNK: usize = 4096;

fn image() -> Vec<u8> {
    (0..IMAGE_LEN)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761) as u8)
        .collect()
}

fn benches(c: &mut Criterion) {
    let key = SigningKey::from_bytes(&[0x5a; 32]).unwrap();
    let public = key.public_key();
    let digest = sha256(b"firmware");
    let sig = key.sign_digest(&digest).unwrap();

    c.bench_function("ecdsa_p256_verify", |b| {
        b.iter(|| {
            public
                .verify_digest(black_box(&digest), black_box(&sig))
                .unwrap()
        })
    });
    c.bench_function("ecdsa_p256_sign_rfc6979", |b| {
        b.iter(|| key.sign_digest(black_box(&digest)).unwrap())
    });

    let img = image();
    let mut g = c.benchmark_group("sha256_16MiB_4KiB_chunks");
    g.throughput(Throughput::Bytes(IMAGE_LEN as u64));
    g.sample_size(20);
    g.bench_function("sha256", |b| {
        b.iter(|| {
            let mut h = ImageHasher::new();
            for chunk in img.chunks(CHUNK) {
                h.update(chunk);
            }
            h.finish()
        })
    });
    // Like `openssl speed -bytes 4096`: one 4 KiB buffer, hashed 4096 times (cache-resident),
    // to separate the hash from memory bandwidth.
    g.bench_function("sha256_same_4KiB_buffer", |b| {
        let buf = &img[..CHUNK];
        b.iter(|| {
            let mut h = ImageHasher::new();
            for _ in 0..IMAGE_LEN / CHUNK {
                h.update(black_box(buf));
            }
            h.finish()
        })
    });
    g.finish();

    let fields = ManifestFields {
        scheme: Scheme::Integer,
        version: "v66003".into(),
        min_sw_version: Some("v66000".into()),
        size: IMAGE_LEN as u64,
        sha256: sha256(&img),
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
    c.bench_function("manifest_verify_and_device_check", |b| {
        b.iter(|| {
            let m = manifest::verify(black_box(text.as_bytes()), &msig, &public).unwrap();
            m.check_device(&device).unwrap();
        })
    });
    let mut g = c.benchmark_group("manifest_full_16MiB");
    g.throughput(Throughput::Bytes(IMAGE_LEN as u64));
    g.sample_size(20);
    g.bench_function("verify_check_stream", |b| {
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

criterion_group!(signature, benches);
criterion_main!(signature);
