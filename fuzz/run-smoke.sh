#!/bin/sh
# Builds the libFuzzer targets with clang and runs each for a short time
# (CI: a minute in all). Exit 1 when a target crashes, leaks, hits UB or a
# timeout; the reproducer is left in $BUILD/fuzz-artifacts/.
#   fuzz/run-smoke.sh [SECONDS_PER_TARGET]     (default 12)
# Environment: BILAN_FUZZ_BUILD (default: <source>/build-fuzz), JOBS (default 2).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-12}
build=${BILAN_FUZZ_BUILD:-$src/build-fuzz}
jobs=${JOBS:-2}
targets="fuzz_counter fuzz_log fuzz_log_custom fuzz_network_csv fuzz_gzip fuzz_sheet fuzz_counter_json fuzz_profile"

command -v clang >/dev/null || { echo "run-smoke: clang is required" >&2; exit 2; }
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DBILAN_FUZZ=ON -DBILAN_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j"$jobs" --target $targets

"$src/fuzz/seed.sh" "$build/fuzz-seeds" >/dev/null
mkdir -p "$build/fuzz-artifacts"
status=0
for t in $targets; do
    corpus=$build/fuzz-corpus/$t
    mkdir -p "$corpus"
    dict=
    [ -f "$src/fuzz/$t.dict" ] && dict=-dict=$src/fuzz/$t.dict
    printf '%s: ' "$t"
    # -rss_limit_mb: the log reader keeps up to about 25 MiB of chunks and records; a leak or a blow-up
    # shows long before 2 GiB. -timeout: one input may not take 10 s.
    # shellcheck disable=SC2086
    if "$build/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t-" $dict \
        "$corpus" "$build/fuzz-seeds/$t" >"$build/fuzz-artifacts/$t.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-artifacts/$t.log")
        cov=$(grep -o 'cov: [0-9]*' "$build/fuzz-artifacts/$t.log" | tail -1)
        echo "ok ($runs runs, $cov)"
    else
        echo "FAILED"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$build/fuzz-artifacts/$t.log" | head -5
        status=1
    fi
done
exit $status
