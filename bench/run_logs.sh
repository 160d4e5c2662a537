#!/bin/sh
# The access-log benchmark: generates (once) a gzip'd combined log of a
# departmental portal, then times the zlib floor and `bilan ingest` on it.
#   bench/run_logs.sh [BUILD_DIR] [LINES] [SEED]
# Prints lines/s, peak RSS and the ratio bilan/floor (target >= 0.7).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build/release}
lines=${2:-5000000}
seed=${3:-42}
work=${BENCH_DIR:-${TMPDIR:-/tmp}/bilan-bench}
mkdir -p "$work/network"
log="$work/portal-$lines-$seed.log.gz"
[ -s "$log" ] || "$build/bench/gen_log" "$log" "$work/network" "$lines" "$seed"
export BILAN_DATA_DIR="${BILAN_DATA_DIR:-$here/../data}"

measure() { # label command...: prints seconds and peak RSS in KiB
    label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/out.txt"
    read -r secs rss < "$work/time.txt"
    echo "$label $secs $rss"
}

n=$("$build/bench/zlib_floor" "$log")
floor=$(measure floor "$build/bench/zlib_floor" "$log")
rm -f "$work/bench.db" "$work/bench.db-wal" "$work/bench.db-shm"
"$build/cli/bilan" --db "$work/bench.db" network import "$work/network" > /dev/null
run=$(measure bilan "$build/cli/bilan" --db "$work/bench.db" ingest "$log")
cat "$work/out.txt"
echo "$floor
$run" | awk -v n="$n" '
    { secs[$1] = $2; rss[$1] = $3 }
    END {
        printf "lines: %d\n", n
        printf "floor (gzread 128 KiB): %.2f s, %.0f lines/s, peak RSS %d KiB\n", secs["floor"], n / secs["floor"], rss["floor"]
        printf "bilan ingest:           %.2f s, %.0f lines/s, peak RSS %d KiB\n", secs["bilan"], n / secs["bilan"], rss["bilan"]
        printf "ratio bilan/floor (throughput): %.2f\n", secs["floor"] / secs["bilan"]
    }'
