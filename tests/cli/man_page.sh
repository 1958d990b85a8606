#!/bin/sh
# The man page made at build time (cmake/ManPage.cmake): its sections, every character of the
# help as printed (help2man once wrote ??? for … − ·), one entry per example, and SEE ALSO
# naming the documents where this build installs them.
# usage: man_page.sh PAGE DOCDIR
page=$1 docdir=$2
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
test -s "$page" || { echo "FAIL: no page at $page"; exit 1; }
for section in 'MGRAD TRAIN' 'EXIT STATUS' 'usage error' 'EXAMPLES' 'SEE ALSO'; do
    grep -q "$section" "$page" || fail "no '$section' in the page"
done
text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$page" 2>&1)
printf '%s\n' "$text" | grep -q -- '--plot-boundary' || fail "man does not render the options"
if printf '%s\n' "$text" | grep -q '???'; then
    fail "the page shows ???: $(printf '%s\n' "$text" | grep '???' | head -3)"
fi
for phrase in '(>>> …)' '1.0 − 0.9·k/100'; do
    printf '%s\n' "$text" | grep -qF -- "$phrase" || fail "the page lacks '$phrase'"
done
# Every example is an entry of its own (.TP), not a line run into the one before.
loose=$(awk '/^\.SH EXAMPLES/ { on = 1; next } /^\.SH/ { on = 0 }
             on && /^mgrad/ && previous != ".TP" { print } { previous = $0 }' "$page")
[ -z "$loose" ] || fail "examples without an entry of their own: $loose"
printf '%s\n' "$text" | grep -qF "$docdir/README.md" || fail "SEE ALSO does not name $docdir/README.md"
printf '%s\n' "$text" | grep -q '/usr/share/doc' && [ "$docdir" != /usr/share/doc/mgrad ] &&
    fail "SEE ALSO names /usr/share/doc, but the documents go to $docdir"
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
