//! The reconciler's cost per event (`apply` + `decide`) and the simulator's events per second.
//!
//! Run: `cargo bench -p stepstone-benches --bench reconcile`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::Cost;
use stepstone::reconcile::{Action, Context, DeviceState, Event, IndexPlanner, apply, decide};
use stepstone::retry::{FailureKind, RetryPolicy};
use stepstone_sim::{SimConfig, Simulation};

const CATALOG: &str = include_str!("../../examples/catalog.json");

fn per_event(c: &mut Criterion) {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let target = catalog.parse_version("v67000").unwrap();
    // Figure 1's releases differ by model; AG-1 may install every one.
    let table = CampaignTable::build(&catalog, &target, Some("AG-1"), None, Cost::Hops).unwrap();
    let index = IndexPlanner::from_table(&catalog, &table);
    let policy = RetryPolicy::default();
    let v = |s: &str| catalog.parse_version(s).unwrap();

    let mut g = c.benchmark_group("reconcile");
    g.throughput(Throughput::Elements(1));
    // A job result arrives: apply it, then decide (the next install).
    let ctx = Context::new(&table, &policy);
    let mut base = DeviceState::reporting(v("v65000"), 1);
    apply(
        &mut base,
        &Event::JobCreated {
            job: 1,
            release: v("v66000"),
            at: 0,
            expires_at: 604_800,
        },
    );
    let ok = Event::JobSucceeded {
        job: 1,
        seq: 2,
        at: 60,
        reports: v("v66000"),
    };
    g.bench_function("apply_decide_success/version", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |s| {
                apply(s, black_box(&ok));
                black_box(decide(b"AG1-000123", s, &ctx, 60))
            },
            criterion::BatchSize::SmallInput,
        )
    });
    let failed = Event::JobFailed {
        job: 1,
        seq: 2,
        at: 60,
        kind: FailureKind::Failed,
        reports: Some(v("v65000")),
    };
    g.bench_function("apply_decide_failure/version", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |s| {
                apply(s, black_box(&failed));
                let a = decide(b"AG1-000123", s, &ctx, 60);
                assert!(matches!(a, Action::Wait { .. }));
                black_box(a)
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.bench_function("apply_duplicate/version", |b| {
        let mut s = base.clone();
        apply(&mut s, &ok);
        b.iter(|| black_box(apply(&mut s, black_box(&ok))))
    });
    // The simulator's representation: release indices.
    let ictx = Context::new(&index, &policy);
    let mut ibase = DeviceState::reporting(1u32, 1);
    apply(
        &mut ibase,
        &Event::JobCreated {
            job: 1,
            release: 2,
            at: 0,
            expires_at: 604_800,
        },
    );
    let iok = Event::JobSucceeded {
        job: 1,
        seq: 2,
        at: 60,
        reports: 2u32,
    };
    g.bench_function("apply_decide_success/index", |b| {
        b.iter_batched_ref(
            || ibase.clone(),
            |s| {
                apply(s, black_box(&iok));
                black_box(decide(b"AG1-000123", s, &ictx, 60))
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn simulator(c: &mut Criterion) {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let target = catalog.parse_version("v67000").unwrap();
    let cfg = SimConfig {
        devices: 20_000,
        fail_rate_ppm: 50_000,
        offline_rate_ppm: 100_000,
        duplicate_rate_ppm: 20_000,
        model: Some("AG-1".into()),
        ..SimConfig::default()
    };
    // Count the queue items once, to report events per second.
    let mut probe = Simulation::new(&catalog, &target, cfg.clone()).unwrap();
    probe.run();
    let events = probe.report().events.processed;
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events));
    g.bench_function("20k_devices_5pct_fail_10pct_offline_2pct_dup", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(&catalog, &target, cfg.clone()).unwrap();
            sim.run();
            black_box(sim.report().converged)
        })
    });
    g.finish();
}

criterion_group!(benches, per_event, simulator);
criterion_main!(benches);
