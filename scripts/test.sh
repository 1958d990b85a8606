#!/usr/bin/env bash
# Quick start, step 2: build and run every test.
#   scripts/test.sh              the suite (Release build) and the core alone (clang, libc++)
#   scripts/test.sh --sanitize   also the suite's C++ under AddressSanitizer + UBSan
#   scripts/test.sh --tsan       also the live view's tests under ThreadSanitizer (its threads)
#   scripts/test.sh --fuzz       also the libFuzzer targets for a short fixed time (clang)
# With CI=true in the environment, warnings are errors and the sanitizer and fuzz runs are
# included. The playground page is built too (preset wasm: build/wasm/site, when emscripten is
# installed, as scripts/deps.sh does) and tested: the golden transcripts under node and the page
# in headless Chromium. Each step's time is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=0
tsan=0
fuzz=0
preset=default
[[ ${CI:-} == true ]] && { sanitize=1; tsan=1; fuzz=1; preset=ci; }
for arg in "$@"; do
  case $arg in
    --sanitize) sanitize=1 ;;
    --tsan) tsan=1 ;;
    --fuzz) fuzz=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "usage: scripts/test.sh [--sanitize] [--tsan] [--fuzz]" >&2; exit 2 ;;
  esac
done

# The time of each step, printed when the script ends (also when a step fails): wall-clock
# seconds, and the CPU seconds of its commands (user + system), which other work on the
# machine changes less.
times_file=$(mktemp)
cpu=0
read_cpu() {  # sets cpu: the children's user + system seconds so far, `times`' second line
  times >"$times_file"  # in this shell: a pipe or $( ) would run a subshell, which has none
  cpu=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] }
                       printf "%.0f", t }' "$times_file")
}
steps=()
step_start=$SECONDS
cpu_start=0
step() {
  read_cpu
  steps+=("$(printf '%5ds %6ds  %s' $((SECONDS - step_start)) $((cpu - cpu_start)) "$1")")
  step_start=$SECONDS
  cpu_start=$cpu
}
summary() {
  local status=$?
  read_cpu
  rm -f "$times_file"
  echo
  echo "== time per step: wall, CPU =="
  printf '%s\n' "${steps[@]}"
  printf '%5ds %6ds  in all\n' "$SECONDS" "$cpu"
  exit $status
}
trap summary EXIT

scripts/deps.sh
step "dependencies"

cmake --preset "$preset"
cmake --build --preset "$preset"
step "build ($preset)"
ctest --preset "$preset"
step "tests ($preset)"

# The core alone with clang and libc++, as the browser build compiles it: no Graphviz, PLplot,
# libedit, HTTP server or Python, and its unit tests pass without them.
cmake --preset core
cmake --build --preset core
ctest --preset core
step "core: clang, libc++"

# The playground: the core in WebAssembly and the static site (docs/playground.md).
if command -v emcmake >/dev/null && command -v em++ >/dev/null; then
  cmake --preset wasm
  cmake --build --preset wasm
  step "build (wasm: the playground)"
  ctest --preset wasm
  step "tests (wasm: node, Chromium)"
else
  echo "emscripten is not installed: the playground page is not built (scripts/deps.sh installs it)"
fi

if ((sanitize)); then
  cmake --preset asan
  cmake --build --preset asan
  step "build (asan)"
  # The packaging tests install the build and build against it, and the wheel's tests build
  # the wheel in Release from its sdist: neither says anything new under sanitizers.
  ctest --preset asan --label-exclude 'package|wheel'
  step "tests (asan)"
fi

if ((tsan)); then
  # The view server is the one threaded part: its tests (label view) under ThreadSanitizer.
  cmake --preset tsan
  cmake --build --preset tsan
  ctest --preset tsan
  step "view (tsan)"
fi

if ((fuzz)); then
  # 45 s from the checked-in seeds (tests/golden, examples, fuzz/corpus); a crash fails the run
  # and leaves the input in build/fuzz/fuzz (see docs/reliability.md).
  cmake --preset fuzz
  cmake --build --preset fuzz
  ctest --preset fuzz
  step "fuzz"
fi
