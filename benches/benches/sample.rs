//! Sampling decisions per second, against SHA-256's raw throughput on the same CPU.
//!
//! `cargo bench -p stepstone-benches --bench sample`; `python3 benches/sample_vs_python.py`
//! compares the medians with a Python hashlib loop over the same 1M ids.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sha2::{Digest, Sha256};
use stepstone::sample::{Sampler, is_sampled};

/// The ids the Python loop uses too: `dev-00000000` .. `dev-00999999`.
fn ids() -> Vec<Vec<u8>> {
    (0..1_000_000)
        .map(|i| format!("dev-{i:08}").into_bytes())
        .collect()
}

const SALT: &[u8] = b"acme-2026";
const CLASS: &str = "metrics";
const PERIOD: u64 = 20_415;
const RATE: u32 = 50_000;

fn decisions(c: &mut Criterion) {
    let ids = ids();
    let mut g = c.benchmark_group("sample");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(ids.len() as u64));
    g.bench_function("is_sampled_1M", |b| {
        b.iter(|| {
            ids.iter()
                .filter(|id| is_sampled(SALT, black_box(id), PERIOD, CLASS, RATE))
                .count()
        })
    });
    g.bench_function("sampler_1M", |b| {
        let s = Sampler::new(SALT, CLASS, PERIOD);
        b.iter(|| {
            ids.iter()
                .filter(|id| s.is_sampled(black_box(id), RATE))
                .count()
        })
    });
    // The same 1M whole messages (64 shared bytes + the id: two SHA-256 blocks), hashed with
    // no sampling logic and no midstate: what a decision costs without the shared prefix.
    let messages: Vec<Vec<u8>> = ids
        .iter()
        .map(|id| {
            let mut m = b"stepstone/sample/v2".to_vec();
            m.extend_from_slice(&(SALT.len() as u32).to_be_bytes());
            m.extend_from_slice(SALT);
            m.extend_from_slice(&(CLASS.len() as u32).to_be_bytes());
            m.extend_from_slice(CLASS.as_bytes());
            m.extend_from_slice(&PERIOD.to_be_bytes());
            m.resize(m.len().div_ceil(64) * 64, 0);
            m.extend_from_slice(&(id.len() as u32).to_be_bytes());
            m.extend_from_slice(id);
            m
        })
        .collect();
    g.bench_function("sha256_messages_1M", |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| Sha256::digest(black_box(m))[0] as u64)
                .sum::<u64>()
        })
    });
    g.finish();

    // Bulk SHA-256 throughput (what image verification sees).
    let mut g = c.benchmark_group("sha256");
    let buf = vec![0x5au8; 1 << 20];
    g.sample_size(20)
        .throughput(Throughput::Bytes(buf.len() as u64));
    g.bench_function("bulk_1MiB", |b| b.iter(|| Sha256::digest(black_box(&buf))));
    g.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
