#!/usr/bin/env bash
# mgrad's benchmarks against its peers, in one run so that ratios compare like with like.
#   bench/run.sh [w1|w2|w3|w4|w5|draw|python|engine|view|all]
# Peers that are not installed are skipped with a message: ADOL-C (libadolc-dev) and PyTorch
# (python3-torch); micrograd, for `python`, when MICROGRAD=DIR names a checkout of
# karpathy/micrograd. Figures are medians; docs/performance.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
root=$PWD

cmake --preset bench >/dev/null
cmake --build --preset bench >/dev/null
bin=$root/build/bench/bench
py=/usr/bin/python3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Runs a whole-process workload 3 times; prints its line with the median time.
workload() {
  local lines
  lines=$(for _ in 1 2 3; do "$bin/mgrad-workload" "$@"; done)
  local t
  t=$(field time <<<"$lines" | tr -d s | median)
  head -1 <<<"$lines" | sed "s/time=[^ ]*/time=${t}s (median of 3)/"
}

# Checks that every result line agrees with the first to 1e-9 relative.
agree() {
  awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(y|g0)=/) { split($i, kv, "="); v[kv[1]] = kv[2] }
         if (NR == 1) { y = v["y"]; g = v["g0"] }
         else if ((v["y"] - y)^2 > (1e-9 * y)^2 || (v["g0"] - g)^2 > (1e-9 * g)^2) {
           print "MISMATCH: " $0; bad = 1 } }
       END { if (!bad) print "results agree to 1e-9 relative" }'
}

adolc() {
  if [[ -x $bin/mgrad-peer-adolc ]]; then
    (cd "$scratch" && "$bin/mgrad-peer-adolc" "$@")
  else
    echo "skipped: ADOL-C is not installed (Debian package libadolc-dev)" >&2
  fi
}
torch() {
  if "$py" -c 'import torch' 2>/dev/null; then
    "$py" bench/peers/torch_peers.py "$@"
  else
    echo "skipped: PyTorch is not installed (Debian package python3-torch)" >&2
  fi
}

if [[ $what == w1 || $what == all ]]; then
  echo "== W1: test_more_ops into 1,000,000 nodes, build + forward + backward =="
  { workload w1 mgrad; workload w1 reference; adolc w1; torch w1-batched; } | tee "$scratch/w1"
  agree <"$scratch/w1"
  echo "-- PyTorch with one 0-d tensor per scalar, on 100,000 nodes (ns/node compares) --"
  torch w1-scalar 100000
fi

if [[ $what == w3 || $what == all ]]; then
  echo "== W3: 10,000,000-deep tanh chain =="
  { workload w3 mgrad; workload w3 reference; } | tee "$scratch/w3"
  agree <"$scratch/w3"
  echo "-- peers at 1,000,000 (ADOL-C) and 100,000 (PyTorch 0-d tensors) deep --"
  adolc w3 3
  torch w3 100000
fi

if [[ $what == engine || $what == all ]]; then
  # Repetitions of the engines interleave in random order, so that the machine's drifts in
  # speed fall on both alike; run it a few times and quote the spread of the ratio.
  echo "== W1, W3 in-process (Google Benchmark, median of 9 interleaved repetitions, CPU time) =="
  "$bin/mgrad-bench-engine" --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true \
    --benchmark_report_aggregates_only=true --benchmark_min_time=0.3 2>/dev/null |
    grep -E '_median|^Benchmark'
fi

if [[ $what == w2 || $what == all ]]; then
  "$bin/mgrad-w2-export" 5 >"$scratch/start.json"
  echo "== W2: one training step of the two-moons demo (Google Benchmark, median of 5) =="
  "$bin/mgrad-bench-nn" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    2>/dev/null | grep -E '_median|^Benchmark'
  echo "-- whole process: mgrad train (100 steps), peak RSS --"
  for mode in "" --rebuild; do
    /usr/bin/time -v "$root/build/bench/src/cli/mgrad" train $mode 2>&1 >/dev/null |
      sed -n "s/^\t*Maximum resident set size (kbytes): /mgrad train${mode:+ $mode}: peak RSS kB = /p"
  done
  echo "-- PyTorch from the same start (losses checked against mgrad's) --"
  torch w2-batched <"$scratch/start.json" 2>&1 || true
  torch w2-scalar <"$scratch/start.json" 2>&1 || true
  echo "-- mgrad replay and PyTorch batched, one after the other, each the median of 200 steps --"
  if "$py" -c 'import torch' 2>/dev/null; then
    # This virtual machine's speed wanders by up to 1.6x from one second to the next, for
    # both programs alike: the median of several back-to-back ratios is the figure to quote.
    for _ in 1 2 3 4 5 6 7; do
      m=$("$bin/mgrad-w2-export" --time | sed -n 's/.*time per step=\([0-9.]*\)us.*/\1/p')
      t=$(torch w2-batched <"$scratch/start.json" | sed -n 's/.*time per step=\([0-9.]*\)us.*/\1/p')
      awk -v m="$m" -v t="$t" 'BEGIN { printf "mgrad %.1f us, PyTorch %.1f us: ratio %.2f\n", m, t, m / t }'
    done | tee "$scratch/w2ratios"
    sed 's/.*ratio //' "$scratch/w2ratios" | median | xargs printf "median ratio mgrad / PyTorch batched: %.2f\n"
  else
    echo "skipped: PyTorch is not installed (Debian package python3-torch)"
  fi
fi

if [[ $what == python || $what == all ]]; then
  # The Python package of the bench build (MGRAD_PYTHON is on when python3-dev and pybind11-dev
  # are installed), with Debian's python3 and its numpy and sklearn.
  pyrun() { PYTHONPATH="$root/build/bench/python" "$py" bench/python_moons.py "$@"; }
  echo "== Python: micrograd's demo loop as micrograd writes it, 100 steps =="
  if [[ -n ${MICROGRAD:-} ]]; then
    pyrun compare --steps 100 --micrograd "$MICROGRAD" --micrograd-steps 12
  else
    pyrun compare --steps 100
  fi
  echo "-- where a step's time goes (mean of 180 steps) --"
  pyrun profile --steps 200
  echo "-- peak RSS after 100, 1,000 and 10,000 steps (one process each) --"
  pyrun memory 100 1000 10000
  echo "-- W2 in Python (the graph rebuilt every step) and PyTorch batched, alternating --"
  "$bin/mgrad-w2-export" 5 >"$scratch/start.json"
  if "$py" -c 'import torch' 2>/dev/null; then
    for _ in 1 2 3 4 5; do
      m=$(pyrun w2 <"$scratch/start.json" | tee /dev/stderr | sed -n 's/.*time per step=\([0-9.]*\)us.*/\1/p')
      t=$(torch w2-batched <"$scratch/start.json" | sed -n 's/.*time per step=\([0-9.]*\)us.*/\1/p')
      awk -v m="$m" -v t="$t" 'BEGIN { printf "mgrad python %.1f us, PyTorch %.1f us: ratio %.2f\n", m, t, m / t }'
    done | tee "$scratch/pyratios"
    grep '^mgrad python' "$scratch/pyratios" | sed 's/.*ratio //' | median |
      xargs printf "median ratio mgrad python / PyTorch batched: %.2f\n"
  else
    pyrun w2 <"$scratch/start.json"
    echo "skipped: PyTorch is not installed (Debian package python3-torch)"
  fi
fi

if [[ $what == w4 || $what == all ]]; then
  echo "== W4: a generated script of 1,000,000 statements; startup of mgrad -c '1' =="
  bench/gen_script.py 1000000 >"$scratch/big.mg"
  # The script makes 3.5 million nodes, past the default --max-nodes (1,000,000): without
  # --max-nodes 0 it stops with an error a quarter of the way through.
  # Nine runs and their median: one run's CPU time moves by ±15% with the machine's speed.
  for _ in 1 2 3 4 5 6 7 8 9; do
    /usr/bin/time -f "%e %U %S %M" "$root/build/bench/src/cli/mgrad" --max-nodes 0 "$scratch/big.mg" 2>&1 >/dev/null
  done | awk '{ printf "mgrad big.mg: wall %.2f s, cpu %.2f s, %.0f statements/s (cpu), peak RSS %.0f MiB\n",
                $1, $2 + $3, 1e6 / ($2 + $3), $4 / 1024 }' | tee "$scratch/w4"
  sed 's/.*cpu \([0-9.]*\) s.*/\1/' "$scratch/w4" | median |
    awk '{ printf "median: cpu %.2f s, %.0f statements/s\n", $1, 1e6 / $1 }'
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 5 -r 50 "$root/build/bench/src/cli/mgrad -c 1" 2>/dev/null |
      grep -E 'Time|Range'
  fi
fi

if [[ $what == w5 || $what == all ]]; then
  echo "== W5: drawing graphs of about 100, 1,000 and 5,000 values =="
  "$bin/mgrad-bench-render" 2>/dev/null | grep -E '^BM|^Benchmark'
fi

if [[ $what == draw || $what == all ]]; then
  echo "== Drawing graphs of any shape: the issue's script, whole process (median of 5) =="
  # x = x*y + 0.1 repeated: one leaf feeds every step (the shape whose layout took minutes).
  for n in 40 370 499; do
    { echo 'x = 1; y = 2'; for _ in $(seq "$n"); do echo 'x = x*y + 0.1'; done; } >"$scratch/c$n.mg"
    for ext in svg png; do
      for _ in 1 2 3 4 5; do
        /usr/bin/time -f "%e %U %S %M" "$root/build/bench/src/cli/mgrad" "$scratch/c$n.mg" \
          --draw x -o "$scratch/c$n.$ext" 2>&1 >/dev/null
      done | sort -g | sed -n 3p |
        awk -v n="$n" -v ext="$ext" '{ printf "%d steps (%d values) to %s: wall %.2f s, cpu %.2f s, peak RSS %.0f MiB\n",
                                         n, 3 * n + 2, ext, $1, $2 + $3, $4 / 1024 }'
    done
  done
  echo "-- five shapes at 100, 500 and 1,500 values, in-process (Google Benchmark, CPU time) --"
  "$bin/mgrad-bench-render" --benchmark_filter='BM_Draw' 2>/dev/null | grep -E '^BM|^Benchmark'
fi

if [[ $what == view || $what == all ]]; then
  # Needs Chromium, chromedriver and Selenium for /usr/bin/python3 (scripts/deps.sh).
  echo "== the live view: update latency in headless Chromium, memory; startup =="
  "$py" bench/view_bench.py "$root/build/bench/src/cli/mgrad" latency memory
  # With MGRAD_BASELINE=path/to/another/mgrad (e.g. a build of main), startup against it.
  if [[ -n ${MGRAD_BASELINE:-} ]]; then
    "$py" bench/view_bench.py "$root/build/bench/src/cli/mgrad" startup "$MGRAD_BASELINE"
  fi
fi
