#!/bin/sh
# The monthly run of a department's bilan (contrib/README.md): ingest what
# the providers dropped, check the forfaits, render last month's reports and
# mail them. Run by bilan-monthly.service; the settings come from
# /etc/bilan/bilan.env (BILAN_DB, BILAN_INBOX, BILAN_REPORTS, BILAN_SMTP_*,
# BILAN_MAIL_FROM). Each step's exit status is kept; the run fails when one
# step failed, after trying the others.
set -u
: "${BILAN_DB:?set BILAN_DB in /etc/bilan/bilan.env}"
: "${BILAN_INBOX:?set BILAN_INBOX, the folder the providers drop their files in}"
: "${BILAN_REPORTS:=/var/lib/bilan/reports}"
export BILAN_DB
status=0
# Last month (BILAN_MONTH=YYYY-MM to run another one).
month=${BILAN_MONTH:-$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)}

# 0. A new pseudonymisation key for each monthly run (docs/privacy.md), once
# a month: a re-run of the same month keeps the key its logs were read with.
stamp="$BILAN_DB.key-month"
if [ "$(cat "$stamp" 2>/dev/null)" != "$month" ]; then
    if bilan key rotate; then echo "$month" > "$stamp"; else status=$?; fi
fi
# 1. New files (a file already ingested is skipped, so the whole inbox is fine).
files=$(find "$BILAN_INBOX" -maxdepth 1 -type f ! -name '.*' | sort)
if [ -n "$files" ]; then
    # shellcheck disable=SC2086 # one argument per file name without blanks
    bilan ingest $files || status=$?
fi
# 2. Forfaits: exit 1 when one is in alert or exhausted (the journal keeps the table).
bilan forfait status || status=$?
# 3. The reports of last month, then 4. mail them (a re-run sends nothing twice).
bilan report mensuel "$month" --out "$BILAN_REPORTS" || status=$?
if [ -n "${BILAN_SMTP_URL:-}" ]; then
    bilan mail "$month" || status=$?
fi
exit "$status"
