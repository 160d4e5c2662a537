#!/bin/sh
# The large-network case (issue #19, finding 6): import a network of N
# libraries with K IP ranges each, then ingest a 5-line log against it, at
# N/10 and N libraries, for two differently built networks (consecutive IPv4
# /28s; shuffled IPv4 of mixed prefix lengths and IPv6 /56s). Linear time
# means the larger network costs about 10x the smaller one: the ratio is
# printed (target <= 15; quadratic work would show ~100).
#   bench/network_scale.sh [BUILD_DIR] [N] [K]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build/release}
n=${2:-100000}
k=${3:-10}
work=${BENCH_DIR:-${TMPDIR:-/tmp}/bilan-bench}/network-scale
mkdir -p "$work"
export BILAN_DATA_DIR="${BILAN_DATA_DIR:-$here/../data}"
cat > "$work/five.log" <<'LOG'
10.0.0.5 - - [10/Oct/2025:10:00:00 +0200] "GET /presse/abc HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
10.0.1.7 - - [10/Oct/2025:10:01:00 +0200] "GET /presse/abd HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
100.0.0.9 - - [10/Oct/2025:10:02:00 +0200] "GET /presse/abe HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
2001:db8:0:100::1 - - [10/Oct/2025:10:03:00 +0200] "GET /presse/abf HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
192.0.2.5 - - [10/Oct/2025:10:04:00 +0200] "GET /presse/abg HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
LOG
secs() { # command...: elapsed seconds
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > /dev/null
    cut -d' ' -f1 "$work/time.txt"
}
rss() { cut -d' ' -f2 "$work/time.txt"; }
echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
printf '%-6s %9s %8s %10s %10s %12s\n' shape libraries ranges import_s ingest_s ingest_rss_KiB
for shape in v4 mixed; do
    small=$((n / 10))
    for size in $small $n; do
        d=$work/$shape-$size-$k
        [ -s "$d/libraries.csv" ] || python3 "$here/gen_network.py" "$d" "$size" "$k" "$shape" 7
        rm -f "$work/s.db" "$work/s.db-wal" "$work/s.db-shm"
        ti=$(secs "$build/cli/bilan" --db "$work/s.db" network import "$d")
        tl=$(secs "$build/cli/bilan" --db "$work/s.db" ingest "$work/five.log")
        printf '%-6s %9s %8s %10s %10s %12s\n' "$shape" "$size" $((size * k)) "$ti" "$tl" "$(rss)"
        eval "imp_$size=$ti ing_$size=$tl"
    done
    eval "a=\$imp_$small b=\$imp_$n c=\$ing_$small d=\$ing_$n"
    awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v s="$shape" 'BEGIN {
        printf "%s: x10 libraries costs x%.1f to import, x%.1f to ingest against (linear: ~10)\n",
            s, (a > 0 ? b / a : 0), (c > 0 ? d / c : 0) }'
done
