#!/usr/bin/env bash
# The installed bilan works from any folder: cmake --install into a DESTDIR,
# `bilan demo` run elsewhere with no BILAN_* variable and no FONTCONFIG_FILE,
# its PDFs checked with pdftotext; then the installed tree copied somewhere
# else (relocatable) and run again. Usage: test_install.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

DESTDIR=$tmp/root cmake --install "$build" --prefix /usr >/dev/null
bin=$tmp/root/usr/bin/bilan
[ -x "$bin" ] || fail "no installed binary at $bin"
[ -f "$tmp/root/usr/share/bilan/counter-robots/COUNTER_Robots_list.txt" ] ||
  fail "the robots list is not installed"
[ -d "$tmp/root/usr/share/bilan/demo/feeds" ] || fail "the demo feeds are not installed"

# No variable of ours, from another folder: the data is found beside the binary.
clean_env=(env -u BILAN_DATA_DIR -u BILAN_DB -u FONTCONFIG_FILE -u BILAN_LANG)
mkdir "$tmp/elsewhere"
cd "$tmp/elsewhere"
"${clean_env[@]}" "$bin" --version >version.txt
grep -qx "data: $tmp/root/usr/bin/../share/bilan" version.txt ||
  fail "the installed bilan does not use its installed data: $(cat version.txt)"

check_demo() { # binary, output folder
  "${clean_env[@]}" "$1" demo --out "$2" >demo.log 2>&1 || { cat demo.log; fail "bilan demo failed"; }
  n=$(find "$2" -name '*.pdf' | wc -l)
  # 6 mensuel, 6 semestriel, 6 partner annuel + the network annuel (issue 15), 1 reseau
  [ "$n" -eq 20 ] || fail "bilan demo wrote $n PDFs, not 20"
  # Read whole first: with pipefail, grep -q leaving early would make
  # pdftotext die of SIGPIPE on a longer PDF.
  pdftotext "$2/2026-10/ca-durance-mensuel.pdf" monthly.txt
  grep -q "Bilan mensuel" monthly.txt || fail "the monthly PDF does not read 'Bilan mensuel'"
  grep -q "octobre 2026" monthly.txt || fail "the monthly PDF does not name its month"
}
check_demo "$bin" out
check_french() { # binary: its French catalog is found beside it
  { "${clean_env[@]}" LANG=fr_FR.UTF-8 "$1" --bogus 2>&1 || true; } | grep -q "option inconnue" ||
    fail "$1 does not find its French catalog"
}
check_french "$bin"

# Relocatable: the same tree copied elsewhere still finds its data.
cp -a "$tmp/root/usr" "$tmp/moved"
rm -rf "$tmp/root"
"${clean_env[@]}" "$tmp/moved/bin/bilan" --version | grep -qx "data: $tmp/moved/bin/../share/bilan" ||
  fail "the copied tree does not use its own data"
check_demo "$tmp/moved/bin/bilan" out2
check_french "$tmp/moved/bin/bilan"
echo "install: ok (DESTDIR install and a copied tree, demo from $tmp/elsewhere)"
