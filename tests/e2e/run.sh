#!/bin/sh
# End-to-end cases: each folder here holds `cmd` (a shell snippet that runs "$PMT"), its inputs,
# and the expected `stdout`, `stderr` and `status`. The runner executes cmd inside the folder
# under TZ=UTC LC_ALL=C and compares all three. UPDATE=1 rewrites the expectations.
#   sh tests/e2e/run.sh [BINARY] [CASE...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-./pmtimeline}
case $bin in /*) ;; *) bin="$(pwd)/$bin" ;; esac
[ $# -gt 0 ] && shift
[ -x "$bin" ] || { echo "e2e: no binary at $bin (run make first)"; echo "e2e: 0 passed, 1 failed"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pmt-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
cases=${*:-$(cd "$here" && ls -d */ | tr -d /)}
for c in $cases; do
    d="$here/$c"
    [ -f "$d/cmd" ] || continue
    (cd "$d" && PMT="$bin" TZ=UTC LC_ALL=C TMPDIR="$work" sh ./cmd >"$work/out" 2>"$work/err" </dev/null)
    echo $? >"$work/status"
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$work/out" "$d/stdout"; cp "$work/err" "$d/stderr"; cp "$work/status" "$d/status"
    fi
    ok=1
    for pair in stdout:out stderr:err status:status; do
        want="$d/${pair%%:*}"
        got="$work/${pair#*:}"
        if ! cmp -s "$want" "$got"; then
            ok=0
            echo "FAIL $c: ${pair%%:*} differs (< expected, > got):"
            diff "$want" "$got" | head -20
        fi
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); echo "ok $c"; else fail=$((fail + 1)); fi
done
echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
