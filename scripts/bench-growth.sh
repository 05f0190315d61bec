#!/usr/bin/env bash
# The growth curve (issue 14): put-block-vs-affinity grown one thread, IRTE or operation at a
# time, each step checked exhaustively in each search mode; prints a Markdown table (the
# README's "Growth"). A benchmark, not a test. Usage:
#   scripts/bench-growth.sh [--strategy ID] [--memory sc|tso] [--modes plain,por,symmetry,fingerprint]
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
exec cargo run --quiet --release -p core-sim --example growth -- "$@"
