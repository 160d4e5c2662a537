#!/bin/sh
# Builds the seed corpora of the fuzz targets from fixtures/ (see README.md).
#   fuzz/seed.sh [OUTDIR]     (default: build-fuzz/seeds)
# One folder per target. Seeds are copies: the fixtures stay untouched, and
# the fuzzers write what they find into their own corpus folders.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/build-fuzz/seeds}
fx=$src/fixtures
rm -rf "$out"
mkdir -p "$out/fuzz_counter" "$out/fuzz_log" "$out/fuzz_log_custom" \
         "$out/fuzz_network_csv" "$out/fuzz_gzip" "$out/fuzz_sheet" "$out/fuzz_counter_json" \
         "$out/fuzz_profile"

# cp_seeds TARGET FILE...: copies each existing regular file, named after
# its fixture path so two fixtures with one name do not collide.
cp_seeds() {
    t=$1; shift
    for f in "$@"; do
        [ -f "$f" ] || continue
        name=$(printf '%s' "${f#"$fx"/}" | tr '/' '_')
        cp "$f" "$out/$t/$name"
    done
}

# COUNTER: R5 and R4 samples, the ingest and demo feeds, the bad inputs.
cp_seeds fuzz_counter "$fx"/counter5/* "$fx"/counter4/* "$fx"/ingest/*.csv "$fx"/ingest/*.tsv \
    "$fx"/demo/feeds/* "$fx"/messy/* "$fx"/bad/*
# Spreadsheets: the xlsx and ods fixtures (COUNTER samples, variants, network
# lists, real-world files) and the bad ones (zip bomb, truncated, error cell).
cp_seeds fuzz_sheet "$fx"/sheets/*.xlsx "$fx"/sheets/*.ods "$fx"/sheets/*/*.xlsx \
    "$fx"/sheets/*/*.ods "$fx"/bad/sheet-*
# COUNTER JSON: the official R5.0 / R5.1 samples and the vendor quirks.
cp_seeds fuzz_counter_json "$fx"/sushi/*.json "$fx"/sushi/r50/*.json "$fx"/sushi/r51/TRJ1* \
    "$fx"/sushi/r51/IRM1*
# Logs: every log fixture, and the bad inputs (a reader must survive them all).
cp_seeds fuzz_log "$fx"/logs/* "$fx"/logs/*/* "$fx"/bad/*
# Networks: every network folder as one input (its four files separated by
# form feeds, see fuzz_network_csv.c), and each bad CSV file as partners.csv.
for d in "$fx"/*/network "$fx"/*/*/network "$fx"/*/*/members "$fx"/bad/network*; do
    [ -d "$d" ] || continue
    name=$(printf '%s' "${d#"$fx"/}" | tr '/' '_')
    for f in partners libraries resources forfaits; do
        [ "$f" = partners ] || printf '\f'
        if [ -f "$d/$f.csv" ]; then cat "$d/$f.csv"; fi
    done > "$out/fuzz_network_csv/$name"
done
cp_seeds fuzz_network_csv "$fx"/bad/*.csv
# gzip: the compressed fixtures, plus a few made here (whole, truncated,
# two members) from small text fixtures.
cp_seeds fuzz_gzip "$fx"/*/*.gz "$fx"/*/*/*.gz "$fx"/bad/*
for f in "$fx"/ingest/pr-2025q1.csv "$fx"/counter5/PRP1_sample_r51.tsv; do
    [ -f "$f" ] || continue
    b=$(basename "$f")
    gzip -9nc "$f" > "$out/fuzz_gzip/$b.gz"
    head -c 200 "$out/fuzz_gzip/$b.gz" > "$out/fuzz_gzip/$b.truncated.gz"
    { gzip -nc "$f"; gzip -nc "$f"; } > "$out/fuzz_gzip/$b.two-members.gz"
done

# Custom formats: the first line is the format, the rest the log.
combined='%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'
common='%h %l %u %t "%r" %>s %b'
n=0
for f in "$fx"/logs/* "$fx"/logs/*/* "$fx"/bad/*.log; do
    [ -f "$f" ] || continue
    case $f in *.gz) continue ;; esac
    n=$((n + 1))
    { printf '%s\n' "$combined"; head -c 8192 "$f"; } > "$out/fuzz_log_custom/combined-$n"
    { printf '%s\n' "$common"; head -c 8192 "$f"; } > "$out/fuzz_log_custom/common-$n"
done
# Formats alone (and with one line), so that the compiler is seeded even
# when there are no log fixtures yet.
line='192.0.2.10 - jdupont [10/Oct/2025:13:55:36 +0200] "GET /ebook/123?bib=bm-centre HTTP/1.1" 200 2326 "-" "Mozilla/5.0"'
for fmt in "$combined" "$common" '%a %u %{session}x %t "%r" %>s %b' \
           '%v %h %l %u %t "%r" %>s %O %D' '%{X-Forwarded-For}i %l %u [%{%d/%b/%Y:%H:%M:%S %z}t] "%r" %s %b'; do
    n=$((n + 1))
    { printf '%s\n' "$fmt"; printf '%s\n' "$line"; } > "$out/fuzz_log_custom/fmt-$n"
done
printf '%s\n' "$line" > "$out/fuzz_log/generated-combined.log"

# Profiles: each shipped profile, a form feed, then each CSV export (the
# spreadsheets are the spreadsheet reader's seeds).
for ini in "$fx"/profiles/network/profiles/*.ini; do
    [ -f "$ini" ] || continue
    for f in "$fx"/profiles/*.csv; do
        [ -f "$f" ] || continue
        { cat "$ini"; printf '\f'; cat "$f"; } > "$out/fuzz_profile/$(basename "$ini" .ini)-$(basename "$f")"
    done
done

for d in "$out"/*; do
    echo "$(basename "$d"): $(ls "$d" | wc -l) seeds"
done

