//! Sampling decisions over the same 1M ids as `benches/sample_vs_python.py`, timed in CPU time
//! so that the Python loop and this can be compared in one run on a busy machine.
//!
//! ```text
//! cargo run --release -p stepstone-benches --example sample_speed -- [ROUNDS]
//! ```
//! Prints one JSON object: for each way of deciding, the median over ROUNDS (default 7) of the
//! thread CPU nanoseconds for all 1M ids (`sample_many` is wall time: it uses every core), and
//! `compress_1M`, one raw SHA-256 block compression per id: the ceiling a decision can reach.

use std::hint::black_box;
use std::time::Instant;

use stepstone::sample::{Sampler, is_sampled};
use stepstone_benches::cpu::thread_cpu_ns;

const SALT: &[u8] = b"acme-2026";
const CLASS: &str = "metrics";
const PERIOD: u64 = 20_415;
const RATE: u32 = 50_000;

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn cpu<F: FnMut() -> usize>(rounds: usize, mut f: F) -> (u64, usize) {
    let mut n = 0;
    let times = (0..rounds)
        .map(|_| {
            let t = thread_cpu_ns();
            n = black_box(f());
            thread_cpu_ns() - t
        })
        .collect();
    (median(times), n)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let ids: Vec<Vec<u8>> = (0..1_000_000)
        .map(|i| format!("dev-{i:08}").into_bytes())
        .collect();
    let sampler = Sampler::new(SALT, CLASS, PERIOD);

    let (plain, n1) = cpu(rounds, || {
        ids.iter()
            .filter(|id| is_sampled(SALT, black_box(id), PERIOD, CLASS, RATE))
            .count()
    });
    let (one_core, n2) = cpu(rounds, || {
        ids.iter()
            .filter(|id| sampler.is_sampled(black_box(id), RATE))
            .count()
    });
    let many: Vec<u64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            black_box(sampler.sample_many(black_box(&ids), RATE));
            t.elapsed().as_nanos() as u64
        })
        .collect();
    let (compress, _) = cpu(rounds, || {
        let mut block = [0u8; 64];
        let mut acc = 0usize;
        for id in &ids {
            block[..id.len()].copy_from_slice(id);
            let mut state = [0u32; 8];
            sha2::block_api::compress256(&mut state, core::slice::from_ref(black_box(&block)));
            acc = acc.wrapping_add(state[0] as usize);
        }
        acc
    });
    assert_eq!(n1, n2);
    println!(
        "{{\"ids\": {}, \"sampled\": {n1}, \"rounds\": {rounds}, \"cores\": {}, \
         \"is_sampled_1M\": {plain}, \"sampler_1M\": {one_core}, \"sample_many_1M\": {}, \
         \"compress_1M\": {compress}}}",
        ids.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        median(many),
    );
}
