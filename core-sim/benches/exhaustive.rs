//! Throughput of the exhaustive checker (states per second) on every shipped scenario under the
//! lock fix and the naive patch: plain, with the sleep-set reduction, with 64-bit fingerprints,
//! and with two worker threads.

use core_sim::explore::{check, CheckOptions, StoreMode};
use core_sim::{scenario, Sim};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("exhaustive");
    group.sample_size(10);
    for id in scenario::ids() {
        for strategy in ["lock-fix", "naive-update"] {
            for mm in ["sc", "tso"] {
                let sim = Sim::from_ids(&id, strategy, mm).expect("shipped ids");
                let plain = CheckOptions::default();
                let modes = [
                    ("plain", plain),
                    (
                        "sleep-sets",
                        CheckOptions {
                            reduction: true,
                            ..plain
                        },
                    ),
                    (
                        "fingerprint",
                        CheckOptions {
                            store: StoreMode::Fingerprint,
                            ..plain
                        },
                    ),
                    (
                        "2-threads",
                        CheckOptions {
                            threads: 2,
                            ..plain
                        },
                    ),
                ];
                for (mode, opts) in modes {
                    let states = check(&sim, &opts, &mut |_| true).states;
                    group.throughput(Throughput::Elements(states as u64));
                    let name = format!("{id}/{strategy}/{mm}/{mode}");
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
