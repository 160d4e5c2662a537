#!/usr/bin/env bash
# The progress line of ingest and report on a terminal (a pseudo-terminal
# made by python3's pty module): it appears on stderr, is redrawn in place
# with '\r', and is erased before the command's own output and at the end,
# so that the terminal shows only that output. With stderr a pipe or a file
# nothing of it is written. -v (before or after the command) shows the
# notes on single lines that are dropped otherwise.
# Usage: test_progress.sh BILAN_BINARY SOURCE_DIR
set -euo pipefail
bin=$1 src=$2 here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"
export BILAN_DB=$tmp/t.db
unset TERM_PROGRAM
export TERM=xterm

"$bin" network import "$src/fixtures/logs/network" >/dev/null
# A log of 60 000 lines in two files, one gzip'd: enough reads to be told.
python3 - <<'PY'
import gzip
lines = []
for i in range(60000):
    # the second file's hits come after the first's (an overlap is refused)
    lines.append('192.0.2.%d - - [%02d/Mar/2026:%02d:%02d:%02d +0100] "GET /livres/fiche/%d '
                 'HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0"\n'
                 % (i % 100, 12 + i // 30000, i // 3600 % 24, i // 60 % 60, i % 60, i % 500))
open("a.log", "w").write("".join(lines[:30000]))
with gzip.open("b.log.gz", "wt") as f:
    f.write("".join(lines[30000:]))
PY

# 1. On a terminal: the line is drawn (every update with BILAN_PROGRESS_MS=0,
# whatever the machine's speed) and erased; the screen keeps the summaries.
BILAN_PROGRESS_MS=0 python3 "$here/pty_run.py" tty.out "$bin" ingest a.log b.log.gz ||
  fail "ingest on a terminal: exit $?"
raw=$(LC_ALL=C tr -d '\000' <tty.out | cat -v)
grep -qF '^Mingest: 0/2 files, ' <<<"$raw" || fail "no progress line: $raw"
grep -qE ', [0-9]+ lines(, [0-9]+ lines/s)? - a\.log\^\[\[K' <<<"$raw" ||
  fail "no line count and file name: $raw"
grep -qF ' - b.log.gz^[[K' <<<"$raw" || fail "the second file is not named: $raw"
grep -qE 'ingest: 1/2 files, [0-9.]+ of [0-9.]+ MB' <<<"$raw" || fail "no megabytes: $raw"
grep -qF '^M^[[K#1 a.log: combined' <<<"$raw" || fail "not erased before the summary: $raw"
python3 "$here/screen.py" tty.out >screen.txt
grep -q 'ingest:' screen.txt && fail "the progress line is left on the screen: $(cat screen.txt)"
[ "$(grep -c '^#[12] ' screen.txt)" = 2 ] || fail "the summaries are not on the screen: $(cat screen.txt)"
# The line fits the terminal (the pty has no size: 80 columns).
LC_ALL=C.UTF-8 awk -F'\r' '{ for (i = 1; i <= NF; i++) { s = $i; gsub(/\033\[K/, "", s);
  if (s ~ /^ingest: / && length(s) > 79) { print "too long: " s; exit 1 } } }' tty.out ||
  fail "a progress line over 79 columns"

# 2. Only stderr a terminal, stdout a file: the file has no trace of it.
rm -f t.db && "$bin" network import "$src/fixtures/logs/network" >/dev/null
PTY_STDERR_ONLY=1 BILAN_PROGRESS_MS=0 python3 "$here/pty_run.py" err.out "$bin" ingest a.log ||
  fail "ingest with stderr a terminal: exit $?"
grep -qF 'ingest: ' err.out || fail "no progress line on the terminal"
grep -q $'\r' err.out.stdout && fail "stdout holds a carriage return"
grep -qF '#1 a.log: combined' err.out.stdout || fail "stdout: $(cat err.out.stdout)"

# 3. stderr a pipe and a file: not one byte of progress.
rm -f t.db && "$bin" network import "$src/fixtures/logs/network" >/dev/null
BILAN_PROGRESS_MS=0 "$bin" ingest a.log b.log.gz 2>&1 >/dev/null | cat >pipe.err
[ ! -s pipe.err ] || fail "stderr a pipe: $(cat -v pipe.err)"
rm -f t.db && "$bin" network import "$src/fixtures/logs/network" >/dev/null
BILAN_PROGRESS_MS=0 "$bin" ingest a.log b.log.gz >out.txt 2>file.err
[ ! -s file.err ] || fail "stderr a file: $(cat -v file.err)"
grep -q $'\r' out.txt && fail "stdout holds a carriage return"
# TERM=dumb: no line either, even on a terminal.
rm -f t.db && "$bin" network import "$src/fixtures/logs/network" >/dev/null
TERM=dumb BILAN_PROGRESS_MS=0 python3 "$here/pty_run.py" dumb.out "$bin" ingest a.log
grep -qF 'ingest: ' dumb.out && fail "TERM=dumb: a progress line"

# 4. report on a terminal: the reports done of the total, erased before the
# paths are printed.
rm -f t.db
"$bin" network import "$src/fixtures/demo/network" >/dev/null
"$bin" ingest "$src"/fixtures/demo/feeds/presse-dr-2025.tsv >/dev/null
BILAN_PROGRESS_MS=0 python3 "$here/pty_run.py" rep.out "$bin" report mensuel 2025-12 --jobs 2 \
  --out "$tmp/r" || fail "report on a terminal: exit $?"
raw=$(cat -v rep.out)
grep -qE '\^Mreport: [0-9]/6 reports' <<<"$raw" || fail "no report progress: $raw"
python3 "$here/screen.py" rep.out >screen.txt
grep -q 'report:' screen.txt && fail "the report progress is left: $(cat screen.txt)"
[ "$(grep -c 'mensuel.pdf$' screen.txt)" = 6 ] || fail "report paths: $(cat screen.txt)"

# 5. -v: the notes on single lines (a total row skipped), before or after
# the command; without it, only the count of lines skipped.
prof=$src/fixtures/profiles
for args in "-v ingest" "ingest -v" "--verbose ingest" "ingest"; do
  rm -f t.db && "$bin" network import "$prof/network" >/dev/null
  # shellcheck disable=SC2086
  "$bin" $args "$prof/kiosque-2025.csv" >v.out 2>v.err || fail "$args: exit $?"
  grep -qF '1 line skipped' v.out || fail "$args: $(cat v.out)"
  if [ "$args" = ingest ]; then
    grep -qF 'note: total row skipped' v.err && fail "without -v: $(cat v.err)"
  else
    grep -qF "kiosque-2025.csv:11: note: total row skipped ('Total')" v.err ||
      fail "$args: the skipped line is not said: $(cat v.err)"
  fi
done
echo "progress: ok"
