#!/bin/sh
# make bench: throughput and peak memory of pmtimeline next to cat and zcat of the same data.
# The data is generated once (deterministic) into bench/data/.
set -eu
cd "$(dirname "$0")/.."
MB=${BENCH_MB:-600}
mkdir -p bench/data build
data=bench/data/syslog-$MB.log
cc -O2 -o build/bench-gen bench/gen.c
if [ ! -f "$data" ]; then
    echo "generating $data ($MB MiB)..."
    build/bench-gen "$MB" > "$data.tmp" && mv "$data.tmp" "$data"
fi
[ -f "$data.gz" ] || { echo "compressing..."; gzip -6 -c "$data" > "$data.gz.tmp" && mv "$data.gz.tmp" "$data.gz"; }
bytes=$(stat -c %s "$data")
lines=$(wc -l < "$data")
cat "$data" > /dev/null # warm the page cache

# Runs a command RUNS times (3), prints the best wall time and the peak RSS of that run.
measure() {
    label=$1; shift
    best=""; rss=0
    for i in $(seq "${RUNS:-3}"); do
        /usr/bin/time -f "%e %M" -o build/bench-time sh -c "$* > /dev/null"
        read -r t m < build/bench-time
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
    done
    awk -v l="$label" -v t="$best" -v b="$bytes" -v n="$lines" -v m="$rss" 'BEGIN{
        if (t <= 0) t = 0.005;
        printf "%-44s %7.2f s %8.0f MB/s %11.0f lines/s %7.1f MiB peak\n", l, t, b/t/1e6, n/t, m/1024 }'
}

echo "input: $data, $(awk -v b="$bytes" 'BEGIN{printf "%.0f MB", b/1e6}'), $lines lines; $(nproc) cores"
measure "cat (through a pipe)" "cat $data | cat"
measure "zcat (gzip -6)" zcat "$data.gz"
measure "pmtimeline (the draft)" ./pmtimeline -q --tz UTC --source-tz UTC "$data"
measure "pmtimeline (the draft), gzip input" ./pmtimeline -q --tz UTC --source-tz UTC "$data.gz"
measure "pmtimeline --all -o json" ./pmtimeline -q --all -o json "$data"
measure "pmtimeline --all (markdown), --tz UTC" ./pmtimeline -q --all --tz UTC "$data"
# a named zone: the display side converts through TZif data (the generator writes its
# zone-less RFC 3164 lines in UTC, hence --source-tz UTC)
measure "pmtimeline --all (markdown), --tz America/New_York" ./pmtimeline -q --all --tz America/New_York --source-tz UTC "$data"
measure "pmtimeline --all -o json, gzip input" ./pmtimeline -q --all -o json "$data.gz"
measure "pmtimeline --all -o json, 2 inputs (same data)" ./pmtimeline -q --all -o json "$data" "$data"
# the tool people use today: lnav 0.11's headless mode prints every line, time-ordered
if command -v lnav > /dev/null; then
    RUNS=1 measure "lnav -n ($(lnav -V | head -1), 1 run)" env HOME="$PWD/build/lnav-home" lnav -n "$data"
else
    echo "(lnav not installed: apt-get install lnav to compare with lnav -n)"
fi

# nginx combined access logs: parsing close to reading?
ngx=bench/data/nginx-$MB.log
[ -f "$ngx" ] || { echo "generating $ngx..."; build/bench-gen "$MB" nginx > "$ngx.tmp" && mv "$ngx.tmp" "$ngx"; }
bytes=$(stat -c %s "$ngx")
lines=$(wc -l < "$ngx")
cat "$ngx" > /dev/null
echo "input: $ngx, $(awk -v b="$bytes" 'BEGIN{printf "%.0f MB", b/1e6}'), $lines lines"
measure "cat (through a pipe)" "cat $ngx | cat"
measure "pmtimeline (the draft), nginx combined" ./pmtimeline -q --tz UTC "$ngx"
measure "pmtimeline --all (markdown), nginx combined" ./pmtimeline -q --all --tz UTC "$ngx"
measure "pmtimeline --all -o json, nginx combined" ./pmtimeline -q --all -o json --tz UTC "$ngx"

# the issue's case: the draft of over 1 GB of mixed logs (syslog and nginx together), next to
# --all of the same inputs
both=$(( $(stat -c %s "$data") + bytes ))
bytes=$both
lines=$(( $(wc -l < "$data") + lines ))
echo "input: $data + $ngx together, $(awk -v b="$bytes" 'BEGIN{printf "%.0f MB", b/1e6}'), $lines lines"
measure "pmtimeline (the draft), mixed" ./pmtimeline -q --tz UTC --source-tz UTC "$data" "$ngx"
measure "pmtimeline --all (markdown), mixed" ./pmtimeline -q --all --tz UTC --source-tz UTC "$data" "$ngx"
