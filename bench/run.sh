#!/usr/bin/env bash
# Whole-process benchmarks and the in-process suites, in one run so ratios compare like with
# like. Prints medians; see docs/performance.md for recorded figures.
#   bench/run.sh [engine|chain|all]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

cmake --preset bench >/dev/null
cmake --build --preset bench >/dev/null
bin=build/bench/bench

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

if [[ $what == engine || $what == all ]]; then
  echo "== W1, W3 in-process (Google Benchmark, median of 5) =="
  "$bin/mgrad-bench-engine" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_min_time=0.5 2>/dev/null | grep -E '_median|^Benchmark'
fi

if [[ $what == chain || $what == all ]]; then
  echo "== W3 whole process: 10,000,000-deep tanh chain (median of 3) =="
  for engine in mgrad reference; do
    secs=() ; rss=()
    for _ in 1 2 3; do
      out=$( { /usr/bin/time -v "$bin/mgrad-chain" 10000000 "$engine" >/dev/null; } 2>&1 )
      secs+=("$(grep 'Elapsed (wall' <<<"$out" | awk '{print $NF}' | awk -F: '{print $NF}')")
      rss+=("$(grep 'Maximum resident' <<<"$out" | awk '{print $NF}')")
    done
    s=$(printf '%s\n' "${secs[@]}" | median)
    k=$(printf '%s\n' "${rss[@]}" | median)
    awk -v e="$engine" -v s="$s" -v k="$k" 'BEGIN {
      printf "%-10s wall %.2f s  peak RSS %.1f MiB  %.1f bytes/node\n", e, s, k/1024, k*1024/10000001 }'
  done
fi
