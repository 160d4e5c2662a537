#!/usr/bin/env bash
# contrib/bilan-monthly.sh on the demo network: the inbox ingested, the
# forfaits checked, last month's reports rendered; run twice, the second run
# skips every file. Usage: test_contrib.sh BILAN_BINARY SOURCE_DIR
set -euo pipefail
bin=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$tmp/bin" "$tmp/inbox"
ln -s "$bin" "$tmp/bin/bilan"
cp "$src"/fixtures/demo/feeds/pnb-* "$src"/fixtures/demo/feeds/presse-* "$tmp/inbox/"
export PATH="$tmp/bin:$PATH" BILAN_DB="$tmp/bilan.db" BILAN_INBOX="$tmp/inbox"
export BILAN_REPORTS="$tmp/reports" BILAN_MONTH=2026-10
unset BILAN_SMTP_URL
bilan network import "$src/fixtures/demo/network" >/dev/null

set +e
sh "$src/contrib/bilan-monthly.sh" >"$tmp/run1.out" 2>"$tmp/run1.err"
rc=$?
set -e
# forfait status exits 1 when a forfait is in watch or exhausted (it depends
# on today's date, not pinned here); any other failure fails the run.
[ "$rc" -le 1 ] || { cat "$tmp/run1.err"; fail "first run exited $rc"; }
grep -q '^forfait vod-2026: ' "$tmp/run1.out" || { cat "$tmp/run1.out"; fail "no forfait status in the run"; }
n=$(grep -c ' accepted, ' "$tmp/run1.out" || true)
[ "$n" -eq 4 ] || { cat "$tmp/run1.out"; fail "$n files ingested, not 4"; }
ls "$tmp/reports/2026-10/"*-mensuel.pdf >/dev/null 2>&1 || fail "no monthly PDF for 2026-10"
# read whole first: with pipefail, grep -q leaving early kills pdftotext (SIGPIPE)
pdftotext "$tmp/reports/2026-10/ca-durance-mensuel.pdf" "$tmp/mensuel.txt"
grep -q "octobre 2026" "$tmp/mensuel.txt" || fail "the report does not name October 2026"

grep -q 'replaced' "$tmp/run1.out" || { cat "$tmp/run1.out"; fail "the first run did not rotate the key"; }
key1=$(grep '^pseudonym ' "$BILAN_DB.key")
set +e
sh "$src/contrib/bilan-monthly.sh" >"$tmp/run2.out" 2>"$tmp/run2.err"
set -e
skipped=$(grep -c 'already ingested' "$tmp/run2.out" || true)
[ "$skipped" -eq 4 ] || { cat "$tmp/run2.out"; fail "second run skipped $skipped files, not 4"; }
[ "$(grep '^pseudonym ' "$BILAN_DB.key")" = "$key1" ] || fail "a re-run of the same month rotated the key again"
echo "contrib: ok (key rotated once a month, 4 files, forfait alert reported, reports of 2026-10, a re-run skips)"
