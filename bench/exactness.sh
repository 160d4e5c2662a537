#!/bin/sh
# Exactness of a speed change (issue 18): ingests every fixture and the
# generated logs with two bilan binaries, into stores that share one
# pseudonymisation key, and compares `bilan export usage` byte for byte.
#   bench/exactness.sh OLD_BILAN NEW_BILAN [LINES] [ROWS]
# Cases: each fixture file in a command of its own (logs, COUNTER R4/R5 and
# their samples, the trust and bad COUNTER files, messy CSVs, the demo
# feeds), the demo feeds in one command, both COUNTER CSV generators
# (gen_ir, gen_tr; ROWS rows, default 300 000) and a generated COUNTER file
# of every awkward record (cut by every read, Windows-1252, quoted line
# breaks, runaway quotes, over-long lines, bad counts, trailers), both
# generators' logs (gen_log, gen_log2; LINES lines, default 300 000), and,
# for the new binary, the same logs split into daily files and given in one
# command (must equal the old binary's count of the whole log). Prints one
# line per case and exits 1 when a case differs. Inputs and stores live in
# $BENCH_DIR/exactness (default /tmp/bilan-bench/exactness).
set -u
old=$1
new=$2
lines=${3:-300000}
rows=${4:-300000}
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
        "$old" --db "$work/$name-old.db" ingest ${fmt:+"$fmt"} "$f" >> "$work/$name-old.out" 2>&1
        echo "exit $?" >> "$work/$name-old.out"
        "$new" --db "$work/$name-new.db" ingest ${fmt:+"$fmt"} "$f" >> "$work/$name-new.out" 2>&1
        echo "exit $?" >> "$work/$name-new.out"
    done
    if ! cmp -s "$work/$name-old.out" "$work/$name-new.out"; then
        echo "DIFFERENT $name (ingest output): diff $work/$name-old.out $work/$name-new.out"
        fail=1
    fi
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
each counter5-samples "$fx/counter5/samples-r51/network" "$fx"/counter5/samples-r51/*.tsv
each counter-ingest "$fx/ingest/network" "$fx"/ingest/*.csv "$fx"/ingest/*.tsv
each counter-trust "$fx/trust/network/base" "$fx"/trust/counter/*.csv "$fx"/trust/counter/*.tsv
each counter-bad "$fx/demo/network" "$fx"/bad/*.csv "$fx"/bad/*.gz
each counter-sushi-tsv "$fx/sushi/network" "$fx"/sushi/*.tsv
each profiles "$fx/profiles/network" "$fx"/profiles/*.csv "$fx"/profiles/*.xlsx "$fx"/profiles/*.ods
# COUNTER CSV generated: an IR_M1 (gen_ir), a TR saved by a spreadsheet
# (gen_tr), and every awkward record repeated over many read chunks.
for gen in gen_ir gen_tr; do
    [ -x "$build/bench/$gen" ] || continue
    "$build/bench/$gen" "$rows" 42 > "$work/$gen.csv"
    each "$gen" "$fx/demo/network" "$work/$gen.csv"
done
python3 - "$work" "$rows" <<'PY'
import random, sys
w, rows = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
months = ["Jan-2025", "Feb-2025", "Mar-2025"]
head = ("Report_Name,Platform Master Report\r\nReport_ID,PR\r\nRelease,5\r\n"
        "Institution_Name,Bibliotheque\r\nInstitution_ID,ISNI:1\r\nMetric_Types,\r\n"
        "Report_Filters,\r\nReport_Attributes,\r\nExceptions,\r\n"
        "Reporting_Period,Begin_Date=2025-01-01; End_Date=2025-03-31\r\n"
        "Created,2025-04-02T10:00:00Z\r\nCreated_By,X\r\n\r\n"
        "Platform,Publisher,Metric_Type,Reporting_Period_Total," + ",".join(months) + "\r\n")
Q = '"'
# Two files: rows rejected with their cells known (the file is stored
# without them), then also runaway quotes and over-long lines (rows that
# cannot be named: the file is refused, with the same diagnostics).
for name, unnamed in (("awkward-counter", False), ("awkward-counter-refused", True)):
  out = [head.encode()]
  for i in range(max(rows // 10, 2000)):
    k = r.randrange(1000)  # bad rows are rare
    if not unnamed and 53 <= k < 57:
        k = 999
    v = [r.randrange(50) for _ in months]
    cells = ",".join(str(x) for x in v)
    plat = "Plat %d" % (i % 7)
    t = sum(v)
    if k >= 120:
        line = "%s,Pub,Total_Item_Requests,%d,%s" % (plat, t, cells)
    elif k < 50:  # quoted cells with a delimiter and doubled quotes
        line = Q + plat + ", " + 2 * Q + "q" + 3 * Q + ",Pub,Unique_Item_Requests,%d,%s" % (t, cells)
    elif k < 53:  # a line break inside quotes (a column not read)
        line = plat + "," + Q + "Pub\r\nsecond line" + Q + ",Total_Item_Investigations,%d,%s" % (t, cells)
    elif k < 54:  # a quote never closed: runs over the next lines
        line = Q + plat + " never closed,Pub,Total_Item_Requests,%d,%s" % (t, cells)
    elif k < 57:  # longer than a read chunk, sometimes than the line cap
        line = "P" + "e" * r.randrange(70000, 300000) + ",Pub,Total_Item_Requests,%d,%s,x" % (t, cells)
    elif k < 60:  # not a count
        line = "%s,Pub,Total_Item_Requests,%d,%d,abc,1" % (plat, t, v[0])
    elif k < 62:
        line = "Total,,,%d,%s" % (t, cells)
    elif k < 67:
        line = ""
    elif k < 69:  # months do not add up
        line = "%s,Pub,Total_Item_Requests,%d,%s" % (plat, t + 1, cells)
    elif k < 89:  # spaces, thousands separators
        line = " " + Q + plat + Q + " , Pub ,  Total_Item_Requests , 1235 , 1 234 ,1,0"
    else:
        line = "%s,Pub,Searches_Platform,%d,%s" % (plat, t, cells)
    b = line.encode("utf-8")
    if k == 89:  # Windows-1252
        b = ("Biblioth\xe8que %d,Pub,Total_Item_Requests,%d,%s" % (i % 3, t, cells)).encode("latin-1")
    out.append(b + (b"\r" if k == 90 else b"\r\n"))
  open(w + "/" + name + ".csv", "wb").write(b"".join(out))
PY
each awkward-counter "$fx/demo/network" "$work/awkward-counter.csv"
each awkward-counter-refused "$fx/demo/network" "$work/awkward-counter-refused.csv"
# Awkward logs for the line reader: lines cut by every read, very many
# short lines (more than a chunk's records), lines over 64 KiB (in the
# middle, at the end without a newline), exactly 64 KiB, CRLF, percent-
# encoded library keys, a custom format joining %U%q.
python3 - "$work" <<'PY'
import random, sys
w = sys.argv[1]
r = random.Random(42)
def hit(i, path="/livres/lire/%d", ip="192.0.2.%d"):
    return ('%s - - [%02d/Mar/2026:%02d:%02d:%02d +0100] "GET %s HTTP/1.1" 200 10 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0"'
            % (ip % (i % 120), 1 + i // 80000 % 28, i // 3600 % 24, i // 60 % 60, i % 60,
               path.replace("%d", str(i % 50), 1)))
with open(w + "/awkward.log", "w", newline="") as f:
    for i in range(60000):
        k = r.randrange(1000)  # bad rows are rare: a file with many is refused whole
        if k < 40:
            f.write("x\n")
        elif k < 42:
            f.write("\n")
        elif k < 44:
            f.write(hit(i) + "\r\n")
        else:
            f.write(hit(i, "/livres/lire/%d?lib=AURAY&pad=" + "p" * r.randrange(2000)) + "\n")
        if i == 30000:
            f.write(hit(i, "/livres/lire/%d?" + "q" * 70000) + "\n")
        if i == 30001:
            line = hit(i, "/livres/lire/%d?")
            f.write(line + "z" * (65536 - len(line)) + "\n")
    f.write(hit(1, "/livres/lire/%d?" + "e" * 70000))
with open(w + "/tiny.log", "w") as f:
    for i in range(300000):
        f.write(hit(i) + "\n" if i % 50 == 0 else ("x\n" if i % 3 else "\n"))
with open(w + "/keys.log", "w") as f:
    for i in range(20000):
        key = r.choice(["AURAY", "VANNES", "%41URAY", "VAN%4eES", "nope", "A+B"])
        f.write(hit(i, "/livres/fiche/%d?x=1&lib=" + key + "&y=2") + "\n")
    f.write(hit(3, "/livres/lire/%d?lib=VANNES"))
with open(w + "/custom.log", "w") as f:
    for i in range(40000):
        f.write("192.0.2.%d [%02d/Mar/2026:10:%02d:%02d +0100] /livres/lire/%d ?a=%d 200\n"
                % (i % 100, 1 + i % 28, i // 60 % 60, i % 60, i % 40, i))
PY
each awkward "$fx/logs/network" --format=combined "$work/awkward.log"
each tiny "$fx/logs/network" --format=combined "$work/tiny.log"
store keys "$fx/logs/network"
for b in old new; do
    eval bin=\$$b
    "$bin" --db "$work/keys-$b.db" ingest --library-param lib "$work/keys.log" > "$work/keys-$b.out" 2>&1
done
cmp -s "$work/keys-old.out" "$work/keys-new.out" || { echo "DIFFERENT keys (ingest output)"; fail=1; }
compare keys
each custom "$fx/logs/network" '--format=custom:%h %t %U %q %>s' "$work/custom.log"

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
    # the same days as one source (--one-source), when the new binary has it
    "$new" ingest --help 2>/dev/null | grep -q -- --one-source || continue
    store "$gen-set" "$work/$gen-net"
    "$old" --db "$work/$gen-set-old.db" ingest "$work/$gen.log.gz" > /dev/null 2>&1
    # shellcheck disable=SC2046
    "$new" --db "$work/$gen-set-new.db" ingest --one-source $(sort -r "$work/$gen-days.txt") > /dev/null 2>&1
    compare "$gen-set"
done
exit $fail
