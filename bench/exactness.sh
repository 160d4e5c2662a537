#!/bin/sh
# Exactness of a speed change (issue 18): ingests every fixture and the
# generated logs with two bilan binaries, into stores that share one
# pseudonymisation key, and compares `bilan export usage` byte for byte.
#   bench/exactness.sh OLD_BILAN NEW_BILAN [LINES]
# Cases: each fixture file in a command of its own (logs, COUNTER R4/R5,
# messy CSVs, the demo feeds), the demo feeds in one command, both
# generators' logs (gen_log, gen_log2; LINES lines, default 300 000), and,
# for the new binary, the same logs split into daily files and given in one
# command (must equal the old binary's count of the whole log). Prints one
# line per case and exits 1 when a case differs. Inputs and stores live in
# $BENCH_DIR/exactness (default /tmp/bilan-bench/exactness).
set -u
old=$1
new=$2
lines=${3:-300000}
here=$(cd "$(dirname "$0")" && pwd)
src=$here/..
build=${BUILD_DIR:-$src/build/release}
work=${BENCH_DIR:-${TMPDIR:-/tmp}/bilan-bench}/exactness
export BILAN_DATA_DIR="${BILAN_DATA_DIR:-$src/data}"
rm -rf "$work"
mkdir -p "$work"
fail=0

# store NAME NETWORK: a store with the network and a fresh key, and its twin
store() {
    "$old" --db "$work/$1-old.db" network import "$2" > /dev/null 2>&1 || true
    "$old" --db "$work/$1-old.db" key rotate > /dev/null 2>&1 || true
    cp "$work/$1-old.db" "$work/$1-new.db"
    cp "$work/$1-old.db.key" "$work/$1-new.db.key"
}

# compare NAME: the two stores' exports
compare() {
    "$old" --db "$work/$1-old.db" export usage > "$work/$1-old.csv" 2>&1
    "$new" --db "$work/$1-new.db" export usage > "$work/$1-new.csv" 2>&1
    if cmp -s "$work/$1-old.csv" "$work/$1-new.csv"; then
        echo "same      $1 ($(wc -l < "$work/$1-old.csv") lines)"
    else
        echo "DIFFERENT $1: diff $work/$1-old.csv $work/$1-new.csv"
        fail=1
    fi
}

# each NAME NETWORK [--format=F] FILE...: one command per file, both binaries
each() {
    name=$1 net=$2
    shift 2
    fmt=
    case ${1:-} in --format=*) fmt=$1; shift ;; esac
    store "$name" "$net"
    for f in "$@"; do
        "$old" --db "$work/$name-old.db" ingest ${fmt:+"$fmt"} "$f" > /dev/null 2>&1
        "$new" --db "$work/$name-new.db" ingest ${fmt:+"$fmt"} "$f" > /dev/null 2>&1
    done
    compare "$name"
}

fx=$src/fixtures
each logs-combined "$fx/logs/network" "$fx/logs/combined.log"
each logs-ezproxy "$fx/logs/network" "$fx/logs/ezproxy.log"
each logs-custom "$fx/logs/network" \
    '--format=custom:%v %h %{session}n %{library}n %u %t "%r" %>s %b "%{User-agent}i"' \
    "$fx/logs/custom.log"
each logs-all "$fx/logs/network" "$fx/logs/combined.log" "$fx/logs/ezproxy.log"
each demo "$fx/demo/network" "$fx"/demo/feeds/*
each counter5 "$fx/demo/network" "$fx"/counter5/*.*sv "$fx"/counter5/*.gz "$fx"/counter5/*.csv
each counter4 "$fx/demo/network" "$fx"/counter4/*.csv "$fx"/counter4/*.tsv
each messy "$fx/demo/network" "$fx"/messy/*.csv
# the demo feeds in one command
store demo-one "$fx/demo/network"
"$old" --db "$work/demo-one-old.db" ingest "$fx"/demo/feeds/* > /dev/null 2>&1
"$new" --db "$work/demo-one-new.db" ingest "$fx"/demo/feeds/* > /dev/null 2>&1
compare demo-one

# the generated logs, whole; then split into days for the new binary
for gen in gen_log gen_log2; do
    [ -x "$build/bench/$gen" ] || continue
    mkdir -p "$work/$gen-net"
    "$build/bench/$gen" "$work/$gen.log.gz" "$work/$gen-net" "$lines" 42 > /dev/null
    each "$gen" "$work/$gen-net" "$work/$gen.log.gz"
    python3 "$here/split_days.py" "$work/$gen.log.gz" "$work/$gen-day" --gz > "$work/$gen-days.txt"
    store "$gen-days" "$work/$gen-net"
    "$old" --db "$work/$gen-days-old.db" ingest "$work/$gen.log.gz" > /dev/null 2>&1
    # shellcheck disable=SC2046
    "$new" --db "$work/$gen-days-new.db" ingest $(sort -r "$work/$gen-days.txt") > /dev/null 2>&1
    compare "$gen-days"
done
exit $fail
