#!/bin/sh
# Exactness of a COUNTER JSON speed change (issue 14): ingests every JSON
# fixture and COUNTER sample, and generated reports, with two bilan
# binaries into stores that share one key, and compares the ingest's
# output (stdout, stderr, exit status) and `bilan export usage` byte for
# byte.
#   bench/exactness_json.sh OLD_BILAN NEW_BILAN [ITEMS]
# Cases: each JSON under fixtures/ (the COUNTER R5.0 and R5.1 samples, the
# vendor quirks, the bad and refused ones) alone in a fresh store, three
# times: without a network, with the demo network plus resources and a
# library for the generators' platforms and institution, and (the R5.1
# samples) with their own network; the same files all in one store; then
# gen_json's R5.1 IR and R5.0 TR of ITEMS items (default 100 000, seed 42)
# and R5.1 TR of ITEMS/5, a second seed and size of the first two, and each
# of those made compact (one line, as SUSHI servers send it: every item on
# line 1). Prints one line
# per case; exits 1 when a case differs. Work files in
# $BENCH_DIR/exactness-json (default /tmp/bilan-bench/exactness-json).
set -u
old=$1
new=$2
items=${3:-100000}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$src/build/release}
work=${BENCH_DIR:-${TMPDIR:-/tmp}/bilan-bench}/exactness-json
export BILAN_DATA_DIR="${BILAN_DATA_DIR:-$src/data}"
rm -rf "$work"
mkdir -p "$work"
fail=0
fx=$src/fixtures

# The demo network, plus resources for gen_json's platforms ("Plateforme
# 0..2", "Kiosque 0..3", two per resource so that items of one resource
# come from two platforms) and a library for its institution.
net=$work/network
cp -r "$fx/demo/network" "$net"
cat >> "$net/resources.csv" << 'EOF'
genplat;Plateformes 0 et 1;Bench;ebook;1,00;"Plateforme 0;Plateforme 1";;;Total_Item_Requests
genplat2;Plateforme 2;Bench;ebook;1,00;Plateforme 2;;;Total_Item_Requests
genkiosque;Kiosques 0 et 1;Bench;press;1,00;"Kiosque 0;Kiosque 1";;;Total_Item_Requests
genkiosque2;Kiosques 2 et 3;Bench;press;1,00;"Kiosque 2;Kiosque 3";;;Total_Item_Requests
EOF
first_partner=$(sed -n 2p "$net/libraries.csv" | cut -d, -f2)
printf 'dep-hc,%s,Département des Hautes-Collines,"Département des Hautes-Collines;ISNI:0000000000000042",\n' \
    "$first_partner" >> "$net/libraries.csv"

# store NAME [NETWORK]: a store (with the network) and a fresh key, and its twin
store() {
    if [ -n "${2:-}" ]; then
        "$old" --db "$work/$1-old.db" network import "$2" > "$work/$1-net.out" 2>&1 ||
            { echo "network import failed: $work/$1-net.out"; cat "$work/$1-net.out"; exit 2; }
    fi
    "$old" --db "$work/$1-old.db" key rotate > /dev/null 2>&1 || true
    cp "$work/$1-old.db" "$work/$1-new.db" 2> /dev/null || true
    cp "$work/$1-old.db.key" "$work/$1-new.db.key" 2> /dev/null || true
}

# run NAME FILE...: one ingest per file, both binaries; outputs kept
run() {
    rn=$1
    shift
    for f in "$@"; do
        for b in old new; do
            bin=$old
            [ "$b" = old ] || bin=$new
            "$bin" --db "$work/$rn-$b.db" ingest "$f" >> "$work/$rn-$b.out" 2>&1
            echo "exit $?" >> "$work/$rn-$b.out"
        done
    done
}

# compare NAME: ingest outputs (the paths are the same) and exports
compare() {
    "$old" --db "$work/$1-old.db" export usage > "$work/$1-old.csv" 2>&1
    "$new" --db "$work/$1-new.db" export usage > "$work/$1-new.csv" 2>&1
    if ! cmp -s "$work/$1-old.out" "$work/$1-new.out"; then
        echo "DIFFERENT $1 (ingest output): diff $work/$1-old.out $work/$1-new.out"
        fail=1
    elif cmp -s "$work/$1-old.csv" "$work/$1-new.csv"; then
        echo "same      $1 ($(wc -l < "$work/$1-old.csv") lines, $(md5sum < "$work/$1-old.csv" | cut -c1-12))"
    else
        echo "DIFFERENT $1: diff $work/$1-old.csv $work/$1-new.csv"
        fail=1
    fi
}

# each NAME [NETWORK] FILE...: one store per file
each() {
    en=$1 netw=$2
    shift 2
    i=0
    for f in "$@"; do
        i=$((i + 1))
        case_=$en-$i-$(basename "$f" .json)
        store "$case_" "$netw"
        run "$case_" "$f"
        compare "$case_"
    done
}

# every JSON fixture (COUNTER samples, quirks, refused ones)
jsons=$(find "$fx" -name '*.json' | sort)
# shellcheck disable=SC2086
each plain "" $jsons
# shellcheck disable=SC2086
each net "$net" $jsons
# shellcheck disable=SC2046
each r51net "$fx/counter5/samples-r51/network" $(find "$fx/sushi/r51" -name '*.json' | sort)
store all "$net"
# shellcheck disable=SC2086
run all $jsons
compare all

# generated reports: the bench's inputs, another seed and size, compact forms
gen=$build/bench/gen_json
if [ -x "$gen" ]; then
    for spec in "r51-ir $items 42" "r50-tr $items 42" "r51-tr $((items / 5)) 42" \
        "r51-ir $((items / 3 + 7)) 1234" "r50-tr $((items / 3 + 7)) 1234"; do
        # shellcheck disable=SC2086
        set -- $spec
        f=$work/$1-$2-$3.json
        "$gen" "$1" "$2" "$3" > "$f"
        tr -d '\n' < "$f" > "$work/$1-$2-$3-oneline.json"
        for g in "$f" "$work/$1-$2-$3-oneline.json"; do
            case_=gen-$(basename "$g" .json)
            store "$case_" "$net"
            run "$case_" "$g"
            compare "$case_"
        done
    done
else
    echo "no $gen: build the release tree (bench/run builds it)"
    fail=1
fi
exit $fail
