#!/usr/bin/env bash
# Installs the Debian 12 packages mgrad needs to build, test and benchmark, and only those that
# are missing. Runs apt-get as root, or through sudo when not root.
#   scripts/deps.sh          everything, the playground page's WebAssembly build included
#   scripts/deps.sh --core   all but the page's build (emscripten, npm): mgrad itself
set -euo pipefail

core_only=0
[[ ${1:-} == --core ]] && core_only=1

packages=(
  g++ cmake make pkg-config            # toolchain
  libfmt-dev libcli11-dev nlohmann-json3-dev
  libgraphviz-dev libgvc6              # cgraph + gvc, with the cairo/pango plugins for PNG/PDF
  fonts-dejavu-core                    # the renderer's font (fontconfig may pick another)
  libedit-dev                          # line editing for the REPL (BSD licence)
  libplplot-dev plplot-driver-cairo    # loss curves and decision boundaries
  doctest-dev tmux python3             # tests: unit tests, a real terminal for the REPL
  clang libclang-rt-14-dev             # tests: the libFuzzer target (preset fuzz) needs clang
  libc++-14-dev libc++abi-14-dev lld   # the core built with clang and libc++ (preset core)
  valgrind                             # tests: a REPL session under memcheck (label valgrind)
  help2man                             # the man page, made from mgrad --help at build time
  bash-completion                      # where the completion installs; its test sources it
  dpkg-dev file binutils man-db        # cpack -G DEB (dpkg-shlibdeps), readelf/nm, man -w
  pybind11-dev python3-dev             # the Python package (import mgrad)
  python3-build python3-venv           # tests: the wheel from its sdist, in a fresh venv (label wheel)
  ccache                               # the wheel's build reuses the suite's objects (and rebuilds)
  python3-pytest python3-numpy python3-sklearn python3-torch python3-jedi  # its tests
  python3-hypothesis                   # tests: fuzz.python and fuzz.kernel (property-based)
  python3-ipykernel python3-jupyter-client jupyter-client python3-nbclient python3-nbformat  # the Jupyter kernel (jupyter-client: `jupyter kernelspec`)
  python3-notebook                     # docs: scripts/notebook-screenshot.py
  libcpp-httplib-dev                   # the live view's HTTP server (mgrad --view)
  chromium chromium-driver python3-selenium  # tests: a real browser on the view's page (and docs)
)
if ((!core_only)); then
  # The playground page (docs/playground.md): the core in WebAssembly (emscripten 3.1.6 with
  # clang 14, and node-acorn for its JavaScript helpers); npm installs @viz-js/viz as
  # src/page/package-lock.json pins it. A node from elsewhere (e.g. NodeSource) brings its own npm.
  packages+=(emscripten node-acorn)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  echo "Installing missing packages: ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ((!core_only)); then
  # The page's npm packages, exactly as package-lock.json pins them, into npm's cache (the user's,
  # not root's): the wasm build's own `npm ci --prefer-offline` then needs no network. Nothing is
  # fetched when the cache already holds them.
  lock_dir=$(mktemp -d)
  trap 'rm -rf "$lock_dir"' EXIT
  cp "$(dirname "$0")"/../src/page/package{,-lock}.json "$lock_dir"
  npm_ci=(npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --prefix "$lock_dir")
  if ! "${npm_ci[@]}" --offline >/dev/null 2>&1; then
    echo "Fetching the playground's npm packages (src/page/package-lock.json)"
    "${npm_ci[@]}"
  fi
fi
