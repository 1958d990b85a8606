#!/usr/bin/env bash
# The bash completion (src/cli/completion/mgrad), sourced in bash with bash-completion as an
# interactive shell would: COMP_WORDS/COMP_CWORD in, COMPREPLY out, for subcommands, options
# and their values (all read from `mgrad --completion-spec`), draw options and .mg files.
# usage: run.sh BASH_COMPLETION_SCRIPT COMPLETION_SCRIPT MGRAD_DIR WORK_DIR
set -uo pipefail
bash_completion=$1 script=$2 mgrad_dir=$3 work=$4

rm -rf "$work" && mkdir -p "$work/sub" && cd "$work" || exit 1
touch lecture.mg net.mg notes.txt plot.png model.json
PATH="$mgrad_dir:$PATH"
# shellcheck disable=SC1090
source "$bash_completion"
source "$script" && declare -F _mgrad >/dev/null || { echo "FAIL: $script defines no _mgrad"; exit 1; }

failures=0
# complete_line "LINE": runs the completion function as bash does when Tab is pressed at the
# end of LINE (a trailing space starts a new word); the candidates are left in COMPREPLY.
complete_line() {
    local line=$1
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    _mgrad mgrad "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}
# check "LINE" EXPECTED...: completes the last word of LINE (a trailing space starts a new
# word) and compares the sorted candidates with EXPECTED.
check() {
    local line=$1
    shift
    complete_line "$line"
    local got want
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
    want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
    if [[ $got != "$want" ]]; then
        echo "FAIL: '$line' -> [$got], expected [$want]"
        failures=$((failures + 1))
    else
        echo "ok:   '$line' -> [$got]"
    fi
}
# contains "LINE" WORD...: the candidates include each WORD (for long lists).
contains() {
    local line=$1
    shift
    complete_line "$line"
    local w
    for w in "$@"; do
        if ! printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$w"; then
            echo "FAIL: '$line' -> [${COMPREPLY[*]}] lacks '$w'"
            failures=$((failures + 1))
            return
        fi
    done
    echo "ok:   '$line' includes $*"
}

check "mgrad tr" train
check "mgrad help " help jupyter train
contains "mgrad " train help lecture.mg net.mg sub
contains "mgrad --" --echo --draw --draw-options --keep-going --max-nodes --version
check "mgrad --ec" --echo
check "mgrad lec" lecture.mg
check "mgrad lecture.mg " net.mg lecture.mg sub
check "mgrad train --data" --dataset
contains "mgrad train --" --optimizer --loss --save --load --plot-boundary --quiet
check "mgrad train --dataset " moons circles xor blobs
check "mgrad train --optimizer a" adam
check "mgrad train --loss " svm mse bce ce
check "mgrad train --plot-loss " plot.png sub
check "mgrad train --load " model.json sub
check "mgrad --draw-options sh" shade
check "mgrad --draw-options de" decimals= depth=
check "mgrad -o " plot.png model.json sub
check "mgrad -c " 
check "mgrad jupyter " install kernel uninstall
check "mgrad jupyter in" install
check "mgrad jupyter install --" --help --prefix --user
check "mgrad --color " always auto never
check "mgrad --color=n" never
check "mgrad train --loss=b" bce
check "mgrad --echo jup"  # a subcommand is mgrad's first word only
check "mgrad --echo jupyter " lecture.mg net.mg sub

# Every option and subcommand the completion knows is one the program's help shows, and the
# draw options it offers for --draw-options are those `:help :draw` lists (its spec's).
spec=$(mgrad --completion-spec)
for path in "mgrad" "mgrad train" "mgrad jupyter install"; do
    help=$(${path} --help)
    for name in $(awk -F'\t' -v p="$path" '$1 == p && $2 != "" { gsub(",", " ", $2); print $2 }' <<<"$spec"); do
        if ! grep -qe "$name" <<<"$help"; then
            echo "FAIL: '$path' completes $name, which '$path --help' does not show"
            failures=$((failures + 1))
        fi
    done
done
listed=$(awk -F'\t' '$1 == "mgrad" && $2 == "--draw-options" { print $4 }' <<<"$spec" |
    tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ')
documented=$(mgrad -c ':help :draw' | sed -n '/^Options:/,/^Example/p' |
    sed -n 's/^  \([a-z][a-z-]*\)\(=\)\{0,1\}.*/\1\2/p' | sort | tr '\n' ' ')
if [[ -z $listed || $listed != "$documented" ]]; then
    echo "FAIL: the completion's draw options [$listed] differ from :help :draw's [$documented]"
    failures=$((failures + 1))
else
    echo "ok:   draw options are :help :draw's"
fi

echo "$failures failure(s)"
((failures == 0))
