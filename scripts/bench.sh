#!/usr/bin/env bash
# Runs core-sim's benchmarks (criterion); extra arguments go to cargo bench,
# e.g. scripts/bench.sh --bench exhaustive -- --quick
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec cargo bench -p core-sim "$@"
