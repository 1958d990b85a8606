#!/bin/sh
# Re-runs every examples/*.mg and rewrites its expected transcript examples/NAME.out, and copies
# the pictures the examples draw into docs/images/tutorial/ (where docs/tutorial.md shows them),
# with the picture of `mgrad train` on three classes and the output of examples/cpp/lecture_mlp.
# Review the result with `git diff` before committing: the example tests compare against it.
#
#   scripts/update-examples.sh [PATH/TO/mgrad]     (default: build/default/src/cli/mgrad)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
mgrad=$(realpath "${1:-$root/build/default/src/cli/mgrad}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$root/docs/images/tutorial"
for script in "$root"/examples/*.mg; do
    name=$(basename "$script" .mg)
    mkdir "$work/$name"
    # As tests/run_example.cmake runs it: --echo, in an empty directory, no input.
    (cd "$work/$name" && "$mgrad" --echo "$script" </dev/null >"$root/examples/$name.out")
    for picture in "$work/$name"/*.png; do
        [ -e "$picture" ] && cp "$picture" "$root/docs/images/tutorial/"
    done
done
# The pictures of `mgrad train` in the tutorial.
(cd "$work" && "$mgrad" train --dataset blobs --loss ce --plot-boundary blobs.png >/dev/null 2>&1)
cp "$work/blobs.png" "$root/docs/images/tutorial/"
# lecture_mlp's output, shown in the tutorial (next to the mgrad binary's build tree).
lecture_mlp="$(dirname "$mgrad")/../../examples/cpp/lecture_mlp"
[ -x "$lecture_mlp" ] && "$lecture_mlp" >"$root/examples/cpp/lecture_mlp.out"
# The Python examples (docs/python.md), when the package is built beside the mgrad binary.
python_dir="$(dirname "$mgrad")/../../python"
if [ -d "$python_dir/mgrad" ]; then
    mkdir -p "$root/docs/images/python"
    for script in "$root"/examples/python/*.py; do
        name=$(basename "$script" .py)
        mkdir "$work/py-$name"
        (cd "$work/py-$name" && PYTHONPATH=$(realpath "$python_dir") /usr/bin/python3 "$script" \
            >"$root/examples/python/$name.out")
    done
    cp "$work/py-neuron/neuron.png" "$root/docs/images/python/"
fi
echo "updated examples/*.out and docs/images/tutorial/ (and examples/python/*.out, docs/images/python/)"
