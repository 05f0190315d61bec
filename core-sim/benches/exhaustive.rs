//! Throughput of the exhaustive checker (states per second), with and without the sleep-set
//! reduction, on every shipped scenario under the lock fix and the naive patch.

use core_sim::explore::{check, CheckOptions};
use core_sim::{scenario, Sim};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("exhaustive");
    group.sample_size(10);
    for id in scenario::ids() {
        for strategy in ["lock-fix", "naive-update"] {
            for mm in ["sc", "tso"] {
                let sim = Sim::from_ids(&id, strategy, mm).expect("shipped ids");
                for reduction in [false, true] {
                    let opts = CheckOptions {
                        reduction,
                        ..CheckOptions::default()
                    };
                    let states = check(&sim, &opts, &mut |_| true).states;
                    group.throughput(Throughput::Elements(states as u64));
                    let name = format!(
                        "{id}/{strategy}/{mm}/{}",
                        if reduction { "sleep-sets" } else { "plain" }
                    );
                    group.bench_function(BenchmarkId::from_parameter(name), |b| {
                        b.iter(|| check(&sim, &opts, &mut |_| true))
                    });
                }
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
