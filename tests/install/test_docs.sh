#!/usr/bin/env bash
# The generated man pages and bash completion (scripts/gen-docs): each page
# (English, French) renders without a warning and has a section for every
# command of the command table; the completion completes commands and each
# command's options.
# Usage: test_docs.sh BILAN_BINARY DOC_DIR
set -euo pipefail
bin=$1 doc=$2
export BILAN_LANG=en
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$doc/bilan.1" ] && [ -f "$doc/bilan.bash" ] || fail "no generated docs in $doc"
warn=$(groff -man -Tutf8 -ww "$doc/bilan.1" 2>&1 >/dev/null)
[ -z "$warn" ] || fail "groff warns: $warn"
commands=$("$bin" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 && $1 != "Commands:" {print $1}')
for c in $commands; do
  grep -qx ".SS $c" "$doc/bilan.1" || fail "no section for '$c' in the man page"
done
# The French page: the same commands, ASCII troff (escapes), no warning.
[ -f "$doc/bilan.fr.1" ] || fail "no French man page in $doc"
warn=$(groff -man -Tutf8 -ww "$doc/bilan.fr.1" 2>&1 >/dev/null)
[ -z "$warn" ] || fail "groff warns on the French page: $warn"
! LC_ALL=C grep -q '[^ -~]' "$doc/bilan.fr.1" || fail "the French page is not ASCII troff"
for c in $commands; do
  grep -qx ".SS $c" "$doc/bilan.fr.1" || fail "no section for '$c' in the French man page"
done
grep -q '^\.SH COMMANDES$' "$doc/bilan.fr.1" || fail "the French page has no COMMANDES section"
complete_words() { # words... -> what the completion offers for the last one
  bash -c 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _bilan; echo "${COMPREPLY[*]}"' \
    "$doc/bilan.bash" "$@"
}
[ "$(complete_words bilan ing)" = ingest ] || fail "'bilan ing' does not complete to ingest"
[ "$(complete_words bilan report --pa)" = --partner ] || fail "'report --pa' does not complete"
[ "$(complete_words bilan --db x.db exp)" = export ] || fail "--db before the command breaks it"
[ "$(complete_words bilan help net)" = network ] || fail "'help net' does not complete"
echo "docs: ok ($(echo $commands | wc -w) commands in the man page; completion)"
