#!/bin/sh
# Every file `mgrad train` and :plot write is replaced atomically, and a failed write is an
# error: a full disk (simulated with a file-size limit), /dev/full behind a symbolic link and a
# FIFO each exit 1 with a message, and leave the old file whole and no temporary behind.
#   atomic_writes.sh path/to/mgrad WORK_DIR
set -u
mgrad=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# expect STATUS FILE COMMAND...: runs COMMAND, checks its exit status, and that FILE still holds
# "old" and no hidden temporary of it is left.
expect() {
  status=$1 file=$2
  shift 2
  echo old > "$file"
  "$@" > out.txt 2> err.txt
  got=$?
  [ "$got" -eq "$status" ] || fail "$*: exit status $got, expected $status: $(cat err.txt)"
  [ "$(cat "$file")" = old ] || fail "$*: '$file' was changed"
  ls -a | grep -q "^\.$file\." && fail "$*: a temporary of '$file' was left behind"
  grep -q "cannot write '$file'" err.txt || fail "$*: no error about '$file': $(cat err.txt)"
  grep -q "wrote $file" out.txt && fail "$*: claims to have written '$file'"
  return 0
}

# A write beyond the limit fails with EFBIG (SIGXFSZ ignored, as a full disk fails with ENOSPC).
trap '' XFSZ
limited() { (ulimit -f 16 && exec "$@"); }   # 16 KiB: less than any of these pictures
expect 1 keep.png limited "$mgrad" train --steps 2 --plot-boundary keep.png
expect 1 keep.svg limited "$mgrad" train --steps 2 --plot-loss keep.svg
expect 1 keep.pdf limited "$mgrad" -c 'x = 1; :plot x**2 x=0..1 keep.pdf'
expect 1 keep.png limited "$mgrad" -c 'x = 3; L = (x - 1)**2; :minimize L steps=5 plot=keep.png'
tiny() { (ulimit -f 2 && exec "$@"); }       # 2 KiB: less than a model file
expect 1 keep.json tiny "$mgrad" train --steps 2 --save keep.json

# Not a regular file: refused before anything is trained, and nothing blocks on a FIFO.
ln -s /dev/full full.png
"$mgrad" train --steps 1 --plot-boundary full.png > out.txt 2> err.txt
[ $? -eq 1 ] || fail "--plot-boundary to /dev/full did not fail"
grep -q "cannot write 'full.png': it is not a regular file" err.txt || fail "$(cat err.txt)"
mkfifo fifo.png
timeout 20 "$mgrad" train --steps 1 --plot-loss fifo.png > out.txt 2> err.txt
[ $? -eq 1 ] || fail "--plot-loss to a FIFO did not fail at once"
timeout 20 "$mgrad" train --steps 1 --save fifo.png > out.txt 2> err.txt
[ $? -eq 1 ] || fail "--save to a FIFO did not fail at once"
grep -q "^training" out.txt && fail "--save to a FIFO was found only after training"

# Without a limit the same writes succeed and say so.
"$mgrad" train --steps 2 --plot-boundary ok.png --plot-loss ok.svg --save ok.json > out.txt 2>&1 \
  || fail "train with pictures and a model failed"
for f in ok.png ok.svg ok.json; do
  grep -q "^wrote $f\$" out.txt || fail "no 'wrote $f': $(cat out.txt)"
  [ -s "$f" ] || fail "'$f' is empty"
done
echo "ok"
