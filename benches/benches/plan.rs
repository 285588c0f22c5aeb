//! Catalog loading, planning, campaign-table builds and bulk next-hop lookups on generated
//! catalogs (see `stepstone_benches` for their shape).
//!
//! ```text
//! cargo bench -p stepstone-benches --bench plan
//! ```
//! Times are the benchmark thread's CPU time (see `stepstone_benches::cpu`).
//! Target: 1M next hops from a campaign table in ≤ 5 ms on one core.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::{Cost, Query, plan};
use stepstone_benches::cpu::ThreadTime;
use stepstone_benches::{catalog, device_keys, device_versions, ends};

const SIZES: [usize; 4] = [100, 1_000, 10_000, 100_000];
const SEED: u64 = 42;
const DEVICES: usize = 1_000_000;

fn label(n: usize) -> String {
    match n {
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

fn bench_plan(c: &mut Criterion<ThreadTime>) {
    for cost in [Cost::Hops, Cost::Bytes] {
        let mut g = c.benchmark_group(format!("plan/{}", cost.name()));
        g.sample_size(10).measurement_time(Duration::from_secs(3));
        for n in SIZES {
            let cat = catalog(n, SEED);
            let (lo, hi) = ends(&cat);
            // The generated releases differ by model: a plan states one.
            let q = Query::new(lo, hi).cost(cost).model("A");
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::from_parameter(label(n)), &q, |b, q| {
                b.iter(|| plan(black_box(&cat), black_box(q)).map(|p| p.hops))
            });
        }
        g.finish();
    }
}

/// `Catalog::from_json` on the generator's JSON (indented, as `gen` writes it): the fast path
/// a valid catalog takes, and the `Value` walk that lists errors (the only path before
/// issue 15 item 3), side by side.
fn bench_load(c: &mut Criterion<ThreadTime>) {
    let mut g = c.benchmark_group("load");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for n in [1_000, 10_000] {
        let text = catalog(n, SEED).to_json();
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("fast", label(n)), &text, |b, t| {
            b.iter(|| Catalog::from_json(black_box(t)).map(|c| c.releases().len()))
        });
        g.bench_with_input(BenchmarkId::new("walk", label(n)), &text, |b, t| {
            b.iter(|| Catalog::from_json_walked(black_box(t)).map(|c| c.releases().len()))
        });
    }
    g.finish();
}

fn bench_table_build(c: &mut Criterion<ThreadTime>) {
    let mut g = c.benchmark_group("campaign_build");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let cat = catalog(n, SEED);
        let (_, hi) = ends(&cat);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(label(n)), &hi, |b, hi| {
            b.iter(|| {
                CampaignTable::build(black_box(&cat), hi, Some("A"), None, Cost::Hops)
                    .map(|t| t.len())
            })
        });
    }
    g.finish();
}

fn bench_lookups(c: &mut Criterion<ThreadTime>) {
    let mut g = c.benchmark_group("next_hop_1M");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Elements(DEVICES as u64));
    for n in [10_000, 100_000] {
        let cat = catalog(n, SEED);
        let (_, hi) = ends(&cat);
        // ok: the generated target fits model A.
        let table = CampaignTable::build(&cat, &hi, Some("A"), None, Cost::Hops).unwrap();
        let keys = device_keys(&cat, DEVICES, SEED);
        let ints = device_versions(&cat, DEVICES, SEED);
        g.bench_function(BenchmarkId::new("key", label(n)), |b| {
            b.iter(|| {
                let mut hops = 0usize;
                for k in black_box(&keys) {
                    hops += usize::from(matches!(table.next_hop(k), Ok(Some(_))));
                }
                hops
            })
        });
        g.bench_function(BenchmarkId::new("integer", label(n)), |b| {
            b.iter(|| {
                let mut hops = 0usize;
                for &v in black_box(&ints) {
                    hops += usize::from(matches!(table.next_hop_integer(v), Ok(Some(_))));
                }
                hops
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // Thread CPU time: "core time on one core", steady on a shared machine.
    config = Criterion::default().with_measurement(ThreadTime);
    targets = bench_load, bench_plan, bench_table_build, bench_lookups
}
criterion_main!(benches);
