#!/usr/bin/env bash
# Quick start, step 1: install what is missing, build mgrad, and run the demo session.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh --core   # the playground page's build (emscripten) is for scripts/test.sh
cmake --preset default
cmake --build --preset default
echo
echo "== demo: examples/lecture.mg =="
build/default/src/cli/mgrad --echo examples/lecture.mg
echo
echo "Built build/default/src/cli/mgrad. Start the REPL with: build/default/src/cli/mgrad"
