#!/usr/bin/env bash
# Benchmark `govsheet verify` on a generated capture set (see docs/performance.md).
#   scripts/bench_verify.sh [EVENTS] [DIR]
# Builds the release binary, generates DIR (default /tmp/verify-bench) when it is missing, and
# prints wall time and peak RSS of one run with the custom-backend example sheet.
set -euo pipefail
events="${1:-1000000}"
dir="${2:-/tmp/verify-bench}"
cd "$(dirname "$0")/.."
cargo build --release --quiet
[ -f "$dir/server.jsonl" ] || python3 scripts/gen_captures.py "$dir" "$events"
ls -l "$dir"
/usr/bin/time -v target/release/govsheet --today 2026-11-25 --color never verify \
  --sheet examples/custom-backend/governance.yaml \
  --server "$dir/server.jsonl" --browser "$dir/browser.jsonl" --orders "$dir/orders.csv" \
  > "$dir/report.txt" 2> "$dir/time.txt" || true
grep -E "Elapsed \(wall|Maximum resident|User time|System time" "$dir/time.txt"
head -16 "$dir/report.txt"
