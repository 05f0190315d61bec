//! Throughput of seeded batches (`random_runs`: runs per second), uniform and PCT, on a few
//! shipped worlds. The CLI's `avic-lab random` and the web run these batches.

use core_sim::explore::{random_runs, RandomMode};
use core_sim::Sim;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Runs per measured batch.
const RUNS: u64 = 256;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("random");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RUNS));
    for (scenario, strategy, memory) in [
        ("put-block-vs-affinity", "naive-update", "sc"),
        ("retarget-vs-old-owner", "linux-6.6", "tso"),
        ("halt-preempted", "linux-6.17", "sc"),
    ] {
        let sim = Sim::from_ids(scenario, strategy, memory).expect("shipped ids");
        for (name, mode) in [
            ("uniform", RandomMode::Uniform),
            ("pct3", RandomMode::Pct { depth: 3 }),
        ] {
            let id = format!("{scenario}/{strategy}/{memory}/{name}");
            group.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter(|| random_runs(&sim, 1, RUNS, mode))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
