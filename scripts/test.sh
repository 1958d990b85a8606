#!/usr/bin/env bash
# Quick start, step 2: build and run every test.
#   scripts/test.sh              the suite (Release build)
#   scripts/test.sh --sanitize   also the whole suite under AddressSanitizer + UBSan
#   scripts/test.sh --tsan       also the live view's tests under ThreadSanitizer (its threads)
#   scripts/test.sh --fuzz       also the libFuzzer target for a short fixed time (clang)
# With CI=true in the environment, warnings are errors and the sanitizer and fuzz runs are
# included.
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
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "usage: scripts/test.sh [--sanitize] [--tsan] [--fuzz]" >&2; exit 2 ;;
  esac
done

scripts/deps.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"

if ((sanitize)); then
  cmake --preset asan
  cmake --build --preset asan
  # The packaging test rebuilds the library in Release; it says nothing new under sanitizers.
  ctest --preset asan --label-exclude package
fi

if ((tsan)); then
  # The view server is the one threaded part: its tests (label view) under ThreadSanitizer.
  cmake --preset tsan
  cmake --build --preset tsan
  ctest --preset tsan
fi

if ((fuzz)); then
  # 45 s from the checked-in seeds (tests/golden, examples, fuzz/corpus); a crash fails the run
  # and leaves the input in build/fuzz/fuzz (see docs/reliability.md).
  cmake --preset fuzz
  cmake --build --preset fuzz
  ctest --preset fuzz
fi
