#!/bin/sh
# mgrad -c 1 loads nothing it does not use: not the live view (its module and the HTTP library),
# not Graphviz (its module, libgvc or a plugin), not PLplot. Then :draw loads the Graphviz module
# (so the check below can see a module load when there is one). Fails when mgrad does not run.
#   lazy_load.sh MGRAD WORK_DIR
set -u
mgrad=$1 work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
LD_DEBUG=files "$mgrad" -c 1 >out.txt 2>debug.txt
status=$?
[ "$status" -eq 0 ] || { echo "FAIL: mgrad -c 1 exited $status"; cat debug.txt | tail -5; exit 1; }
[ "$(cat out.txt)" = "1" ] || { echo "FAIL: mgrad -c 1 printed: $(cat out.txt)"; exit 1; }
grep -q "file=libc.so" debug.txt || { echo "FAIL: LD_DEBUG shows no library loads"; exit 1; }
for lib in httplib mgrad-view libmgrad-graphviz libgvc libgvplugin libmgrad-plplot libplplot; do
    if grep -q "file=[^ ]*$lib" debug.txt; then
        echo "FAIL: mgrad -c 1 loaded $lib"
        exit 1
    fi
done
echo "mgrad -c 1 loaded $(grep -c 'file=.*\[0\];  needed by\|file=.*;  dynamically loaded' debug.txt) libraries"
if [ "${3:-}" = "--draw" ]; then
    LD_DEBUG=files "$mgrad" -c 'x = 2; y = x*x; :draw y y.svg' >out.txt 2>debug.txt ||
        { echo "FAIL: :draw failed: $(cat out.txt debug.txt | tail -3)"; exit 1; }
    grep -q "file=[^ ]*libmgrad-graphviz" debug.txt ||
        { echo "FAIL: :draw did not load the Graphviz module"; exit 1; }
fi
echo ok
