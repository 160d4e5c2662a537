#!/bin/sh
# Regenerates the golden images of the report tests (tests/render/golden/):
# page 1 of each report kind on the fixture network, at 30 dpi. Run it after
# an intended layout change, look at the PNGs, and commit them with the change.
#   usage: scripts/update-golden.sh [BUILD_DIR]   (default: build-render)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-render}
bilan=$build/cli/bilan
[ -x "$bilan" ] || { echo "update-golden: no bilan binary at $bilan" >&2; exit 66; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FONTCONFIG_FILE="$src/data/fonts.conf" SOURCE_DATE_EPOCH=1782864000 TZ=UTC
export BILAN_DATA_DIR="$src/data"
"$bilan" --db "$tmp/t.db" network import "$src/fixtures/reports/network" >/dev/null
"$bilan" --db "$tmp/t.db" ingest "$src"/fixtures/reports/feeds/*.csv >/dev/null 2>&1 || true
out=$tmp/out
"$bilan" --db "$tmp/t.db" report mensuel 2026-05 --partner ca-durance --out "$out" >/dev/null
"$bilan" --db "$tmp/t.db" report semestriel 2026-S1 --partner ca-durance --out "$out" >/dev/null
"$bilan" --db "$tmp/t.db" report annuel 2025 --out "$out" >/dev/null
"$bilan" --db "$tmp/t.db" report reseau 2026-05 --out "$out" >/dev/null
g=$src/tests/render/golden
mkdir -p "$g"
pdftoppm -r 30 -png -f 1 -l 1 -singlefile "$out/2026-05/ca-durance-mensuel.pdf" "$g/mensuel"
pdftoppm -r 30 -png -f 1 -l 1 -singlefile "$out/2026-S1/ca-durance-semestriel.pdf" "$g/semestriel"
pdftoppm -r 30 -png -f 1 -l 1 -singlefile "$out/2025/reseau-annuel.pdf" "$g/annuel"
pdftoppm -r 30 -png -f 1 -l 1 -singlefile "$out/2026-05/reseau-reseau.pdf" "$g/reseau"
ls -l "$g"
