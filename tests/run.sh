#!/bin/sh
# Runs every test against both builds (rel and ASan+UBSan): the cmocka unit binaries, then the
# end-to-end cases. Prints cmocka's summaries and one closing "N passed, M failed" line; exits 1
# when anything failed.
set -u
cd "$(dirname "$0")/.."
pass=0
fail=0
skip=0
export TZ=UTC LC_ALL=C
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for variant in rel asan; do
    echo "== $variant build"
    for t in build/$variant/tests/test_*; do
        [ -x "$t" ] || continue
        out=$("$t" 2>&1)
        rc=$?
        p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p')
        f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p')
        k=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below:/\1/p')
        pass=$((pass + ${p:-0}))
        fail=$((fail + ${f:-0}))
        skip=$((skip + ${k:-0}))
        if [ -n "$k" ]; then
            printf '%s\n' "$out" | grep '^\[  SKIPPED \] [a-z]' | sort -u | sed 's/^/  (no corpus) /'
        fi
        if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
            fail=$((fail + 1)) # crashed or a sanitizer stopped it
        fi
        if [ "$rc" -ne 0 ]; then
            printf '%s\n' "$out" | grep -v '^\[ RUN \|^\[       OK \]'
        else
            printf '%s: ' "$(basename "$t")"
            printf '%s\n' "$out" | grep '^\[  PASSED  \]'
        fi
    done
    # fuzz targets: seeds from samples/ and tests/, then deterministic mutations of them
    for f in build/$variant/tests/fuzz_*; do
        [ -x "$f" ] || continue
        n=6000
        [ "$variant" = rel ] && n=2000
        seeds="samples/shapes/* tests/e2e/hostile-text/evil.log tests/e2e/mixed-stdin/mixed.log tests/fuzz/seeds/*"
        if out=$("$f" "$n" $seeds 2>&1); then
            printf '%s\n' "$out" | tail -n 1
            pass=$((pass + 1))
        else
            printf '%s\n' "$out" | tail -n 30
            echo "FAIL $(basename "$f")"
            fail=$((fail + 1))
        fi
    done
    bin=build/asan/pmtimeline
    [ "$variant" = rel ] && bin=./pmtimeline
    out=$(sh tests/e2e/run.sh "$bin" 2>&1)
    printf '%s\n' "$out" | grep -v '^ok '
    p=$(printf '%s\n' "$out" | sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(printf '%s\n' "$out" | sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    pass=$((pass + ${p:-0}))
    fail=$((fail + ${f:-1}))
done

if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
