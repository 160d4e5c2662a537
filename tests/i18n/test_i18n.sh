#!/usr/bin/env bash
# Messages in the user's language (docs/i18n.md), checked on the real binary
# with a clean environment: French for LANG/LC_ALL/LC_MESSAGES starting with
# "fr" even though no French locale is generated here, English for C or any
# other language, BILAN_LANG overriding both; numbers read the same whatever
# the language; a rejected row's reason in French with file, line and field.
# Usage: test_i18n.sh BILAN_BINARY SOURCE_DIR
set -euo pipefail
bin=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# Runs bilan with only the given variables (plus PATH and the test's data).
run() { # VAR=VALUE... -- ARGS...
  local vars=()
  while [ "$1" != -- ]; do vars+=("$1"); shift; done
  shift
  env -i PATH=/usr/bin:/bin HOME="$tmp" TZ=UTC SOURCE_DATE_EPOCH=1767225600 \
    BILAN_DATA_DIR="$src/data" FONTCONFIG_FILE="$src/data/fonts.conf" "${vars[@]}" \
    "$bin" "$@" 2>&1 || true
}
# French typography puts no-break spaces (U+00A0, U+202F) inside « » and
# before ':'; the needles below are written with plain spaces.
plain() { LC_ALL=C sed 's/\xc2\xa0/ /g; s/\xe2\x80\xaf/ /g' <<<"$1"; }
has() { # TEXT NEEDLE WHAT
  plain "$1" | grep -qF -- "$2" || fail "$3: '$2' not in: $(head -5 <<<"$1")"
}
hasnt() {
  ! plain "$1" | grep -qF -- "$2" || fail "$3: '$2' unexpected in: $(head -5 <<<"$1")"
}

# The claim is about machines without a French locale: say whether this is one.
if locale -a 2>/dev/null | grep -qi '^fr'; then
  echo "note: a French locale is generated here; the test still holds"
fi

# 1. The language of an error.
out=$(run LANG=fr_FR.UTF-8 -- --bogus)
has "$out" "option inconnue « --bogus »" "LANG=fr_FR.UTF-8"
out=$(run LANG=fr_FR -- --bogus)
has "$out" "option inconnue" "LANG=fr_FR (no charset)"
out=$(run LANG=C -- --bogus)
has "$out" "unknown option '--bogus'" "LANG=C"
out=$(run -- --bogus)
has "$out" "unknown option" "no LANG at all"
out=$(run LANG=de_DE.UTF-8 -- --bogus)
has "$out" "unknown option" "LANG=de_DE.UTF-8"
out=$(run LANG=en_GB.UTF-8 LC_ALL=fr_FR.UTF-8 -- --bogus)
has "$out" "option inconnue" "LC_ALL=fr over LANG=en"
out=$(run LANG=fr_FR.UTF-8 LC_MESSAGES=en_US.UTF-8 -- --bogus)
has "$out" "unknown option" "LC_MESSAGES=en over LANG=fr"
out=$(run LANG=fr_FR.UTF-8 BILAN_LANG=en -- --bogus)
has "$out" "unknown option" "BILAN_LANG=en over LANG=fr"
out=$(run LANG=C BILAN_LANG=fr -- --bogus)
has "$out" "option inconnue" "BILAN_LANG=fr over LANG=C"

# 2. Help: French under a French locale, English otherwise.
fr=$(run LANG=fr_FR.UTF-8 -- --help)
en=$(run LANG=C -- --help)
has "$en" "Commands:" "English help"
hasnt "$fr" "Commands:" "French help"
has "$fr" "Commandes" "French help"
# Every command's help, taken from the command list of the main help (the
# report command's was left in English until 30 November 2026).
cmds=$(printf '%s\n' "$en" | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
[ "$(printf '%s\n' "$cmds" | wc -l)" -ge 10 ] || fail "no command list in: $en"
for c in $cmds; do
  fr=$(run LANG=fr_FR.UTF-8 -- help "$c")
  en_c=$(run LANG=C -- help "$c")
  [ "$fr" != "$en_c" ] || fail "'bilan help $c' is the same in French and English"
  has "$fr" "usage :" "French help of $c"
done

# 3. A rejected row: French reason, with file, line and field; the store is
# the same whatever the language (numbers are not read through the locale).
net=$src/fixtures/demo/network
bad=$src/fixtures/bad/count-over-bound.csv
for lang in fr en; do
  run BILAN_LANG=$lang -- --db "$tmp/$lang.db" network import "$net" >/dev/null
  out=$(run BILAN_LANG=$lang -- --db "$tmp/$lang.db" ingest "$bad")
  printf '%s\n' "$out" >"$tmp/$lang.out"
  run BILAN_LANG=en -- --db "$tmp/$lang.db" export usage >"$tmp/$lang.csv"
done
# The import's summary: counts grouped in French, and in the singular for 0 and 1.
out=$(run BILAN_LANG=fr -- --db "$tmp/sushi.db" network import "$src/fixtures/sushi/network")
has "$out" "réseau : 1 partenaire, 1 bibliothèque, 1 ressource, 0 forfait, 2 points d'accès SUSHI" \
  "French import summary"
big=$tmp/big-network
mkdir -p "$big"
printf 'id,name,kind,population,population_year,rate_per_inhabitant,emails\np,P,commune,1000,2024,0.15,\n' >"$big/partners.csv"
{ echo 'id,partner_id,name,aliases,ip_ranges'; for i in $(seq 1 1200); do echo "l$i,p,L$i,,"; done; } >"$big/libraries.csv"
echo 'id,name,provider,kind,annual_cost,counter_names,url_pattern,request_pattern,headline_metric' >"$big/resources.csv"
out=$(run BILAN_LANG=fr -- --db "$tmp/big.db" network import "$big")
has "$out" "1 partenaire, 1 200 bibliothèques, 0 ressource" "French grouping in the import summary"
out=$(run BILAN_LANG=en -- --db "$tmp/big2.db" network import "$big")
has "$out" "network: 1 partner, 1200 libraries, 0 resources" "English import summary"
fr=$(cat "$tmp/fr.out")
has "$fr" "count-over-bound.csv:16: Jan-2025 : « 9000000000000000000 » dépasse 1 000 000 000," "French reason, the bound grouped"
has "$(cat "$tmp/en.out")" "count-over-bound.csv:16: Jan-2025: '9000000000000000000'" "English reason"
cmp -s "$tmp/fr.csv" "$tmp/en.csv" || fail "the store differs between a French and an English ingest"
# A refused file is said once, on one line, in French (until 3 December 2026
# the reason came twice, as "FILE:0: ..." then in the refusal, the file named
# twice in it, and the reader's own colons without their space).
for f in garbage.csv.gz sheet-truncated.xlsx; do
  out=$(run BILAN_LANG=fr -- --db "$tmp/fr.db" ingest "$src/fixtures/bad/$f")
  [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "$f: more than one line: $out"
  [ "$(printf '%s\n' "$out" | grep -o "$f" | wc -l)" -eq 1 ] || fail "$f named more than once: $out"
  hasnt "$out" ":0:" "$f: no line 0"
  has "$out" "$f : fichier refusé, base inchangée : " "$f: French refusal"
done
out=$(run BILAN_LANG=fr -- --db "$tmp/fr.db" ingest "$src/fixtures/bad/garbage.csv.gz")
has "$out" "flux gzip corrompu : bloc invalide" "the reader's own reason in French typography"
# A period of the wrong form is named in French (until 3 December 2026 the
# kind of period stayed English: « n'est pas a month (YYYY-MM) »).
out=$(run BILAN_LANG=fr -- --db "$tmp/fr.db" report mensuel 2026-13)
has "$out" "mensuel : « 2026-13 » n'est pas un mois (AAAA-MM)" "French period error"
out=$(run BILAN_LANG=fr -- --db "$tmp/fr.db" report reseau 2026-Q1)
has "$out" "n'est pas une période (AAAA-MM, AAAA-S1|S2 ou AAAA)" "French period error (reseau)"
# The usage line in French too (until the night of 3 December 2026 « usage : bilan gaps
# YYYY-MM..YYYY-MM » under a French error that wrote AAAA-MM).
out=$(run BILAN_LANG=fr -- --db "$tmp/fr.db" gaps 2026-10..2026-01)
has "$out" "usage : bilan gaps AAAA-MM..AAAA-MM" "French usage line"
# A command's bad option in French, said by bilan (until 3 December 2026
# glibc said « sources : option non reconnue '--bogus' » and a blank line).
out=$(run BILAN_LANG=fr -- --db "$tmp/fr.db" sources --bogus)
has "$out" "bilan: option inconnue « --bogus »" "French bad option of a command"
out=$(run BILAN_LANG=fr -- --db "$tmp/fr.db" ingest --format)
has "$out" "bilan: l'option « --format » demande une valeur" "French missing value"
# Each count of a sentence takes its own plural (until 3 December 2026 « 1
# cellules de 1 fichier antérieur remplacées »).
m=$src/fixtures/messy
run BILAN_LANG=fr -- --db "$tmp/messy.db" ingest "$m/delimiter_rows.csv" >/dev/null
out=$(run BILAN_LANG=fr -- --db "$tmp/messy.db" ingest "$m/empty_cells.csv")
# (3 cells: February's, and January's 1 of Total_Item_Requests and of Searches_Platform
# restated by the later file's empty cells, 0s: its Searches_Platform row is empty in
# every month, a row that restates since 3 December 2026.)
has "$out" "; 3 cellules remplacées (1 fichier antérieur)" "French plurals of a restatement"
# A log without a counted line has no period: said so, not « ?..? » (until
# 3 December 2026), in the ingest's line and in the ledger.
printf '1.2.3.4 - - [01/Mar/2026:10:00:00 +0000] "GET /a.png HTTP/1.1" 200 1 "-" "Mozilla/5.0"\n' >"$tmp/one.log"
out=$(run BILAN_LANG=fr -- --db "$tmp/one.db" ingest --format combined "$tmp/one.log")
has "$out" "one.log : combined sans période : 1 ligne lue" "French ingest line without a period"
out=$(run BILAN_LANG=fr -- --db "$tmp/one.db" sources)
has "$out" "combined sans période  fournisseur : non nommé" "French ledger without a period"
# A file whose rows were all rejected: the refusal says so once (until 3
# December 2026 its reason ended in a second "fichier refusé, rien n'est
# enregistré").
out=$(run BILAN_LANG=fr -- --db "$tmp/fr.db" ingest "$src/fixtures/bad/future-months.csv")
has "$out" "future-months.csv : fichier refusé, base inchangée : toutes les lignes ont été rejetées (4)" "French all-rejected refusal"
[ "$(printf '%s\n' "$out" | grep -o "refusé" | wc -l)" -eq 1 ] || fail "refused said more than once: $out"
# A network list's bad cell: file:line:column as compilers write it, then
# the column's name and the reason, French after the locator.
badnet=$tmp/badnet
cp -r "$src/fixtures/demo/network" "$badnet"
sed -i '3s|/\([0-9]*\)$|/3\1|' "$badnet/libraries.csv"
out=$(run BILAN_LANG=fr -- --db "$tmp/badnet.db" network import "$badnet")
has "$out" "libraries.csv:3:5: ip_ranges : « 192.0.2.64/327 » n'est pas une plage" "French network error"
[ "$(wc -l <"$tmp/fr.csv")" -gt 1 ] || fail "nothing was stored"

# 4. A log's summary, each count with its own number (until 1 December 2026 it
# said "1 lignes dans le désordre" and "(1 non attribuées)"): in French 0 and 1
# take the singular, in English only 1.
logs=$src/fixtures/logs
for lang in fr en; do
  run BILAN_LANG=$lang -- --db "$tmp/log-$lang.db" network import "$logs/network" >/dev/null
done
out=$(run BILAN_LANG=fr -- --db "$tmp/log-fr.db" ingest "$logs/combined.log")
has "$out" "21 lignes lues, 11 accès comptés (1 non attribué) ; ignorées : 1 robot, 1 statut HTTP, 0 hors ressource, 2 statiques ; 1 ligne rejetée ; 1 ligne dans le désordre au-delà de la fenêtre" \
  "French log summary"
out=$(run BILAN_LANG=fr -- --db "$tmp/log-fr.db" sources)
has "$out" "21 lignes lues, 11 accès comptés (1 non attribué) ; ignorées : 1 robot, 1 statut HTTP, 0 hors ressource, 2 statiques ; 1 rejetée" \
  "French log counts in sources"
out=$(run BILAN_LANG=en -- --db "$tmp/log-en.db" ingest "$logs/ezproxy.log")
has "$out" "5 lines read, 4 usage events counted (0 unattributed); ignored: 0 robots, 0 status, 1 not a resource, 0 static" \
  "English log summary"
out=$(run BILAN_LANG=fr -- --db "$tmp/log-fr.db" ingest "$src/fixtures/counter5/DRD2_sample_r51.tsv")
has "$out" "DR_D2 2022-01..2022-12 : 72 valeurs acceptées, 0 ligne rejetée, 72 non attribuées" "French report summary"
out=$(run BILAN_LANG=en -- --db "$tmp/log-en.db" ingest "$src/fixtures/counter5/DRD2_sample_r51.tsv")
has "$out" "DR_D2 2022-01..2022-12: 72 values accepted, 0 rows rejected, 72 unattributed" "English report summary"
# A vendor export's format in French words, not the id "profile".
run BILAN_LANG=fr -- --db "$tmp/prof-fr.db" network import "$src/fixtures/profiles/network" >/dev/null
out=$(run BILAN_LANG=fr -- --db "$tmp/prof-fr.db" ingest "$src/fixtures/profiles/kiosque-2025.csv" 2>/dev/null)
has "$out" "profil kiosque 2025-01..2025-03 : 11 valeurs acceptées, 0 ligne rejetée" "French profile summary"
# The same words in the ledger, with the provider of the export's resource (an
# export names none: until 3 December 2026 `sources` said "profile kiosque" and
# « fournisseur : non nommé »).
out=$(run BILAN_LANG=fr -- --db "$tmp/prof-fr.db" sources)
has "$out" "profil kiosque 2025-01..2025-03  fournisseur : Kiosque  compté" "French profile in sources"
out=$(run BILAN_LANG=fr -- --db "$tmp/prof-fr.db" sources --format csv)
has "$out" ",profile,kiosque,Kiosque,2025-01,2025-03," "profile's provider in sources' CSV"
# A store path that cannot be one, and a pattern PCRE2 refuses, in French
# words (SQLite's « unable to open database file » and PCRE2's « missing
# closing parenthesis » reached the user in English until 3 December 2026).
out=$(run BILAN_LANG=fr -- --db "$tmp/no-such-folder/b.db" network import "$src/fixtures/profiles/network")
has "$out" "impossible de créer la base « $tmp/no-such-folder/b.db » : le dossier « $tmp/no-such-folder » n'existe pas" \
  "French store in a missing folder"
touch "$tmp/afile"
out=$(run BILAN_LANG=fr -- --db "$tmp/afile/b.db" network import "$src/fixtures/profiles/network")
has "$out" "impossible de créer la base « $tmp/afile/b.db » : « $tmp/afile » est un fichier" \
  "French store under a file"
out=$(run BILAN_LANG=fr -- --db "$tmp" sources)
has "$out" "« $tmp » est un dossier : la base est un fichier" "French store as a folder"
mkdir "$tmp/badpat" && cp "$src/fixtures/profiles/network/"*.csv "$tmp/badpat/"
sed -i 's|/pnb/(?<item>\\d+)|/pnb/(?<item>\\d+|' "$tmp/badpat/resources.csv"
out=$(run BILAN_LANG=fr -- --db "$tmp/pat.db" network import "$tmp/badpat")
has "$out" "motif PCRE2 invalide : une ( sans sa ) fermante à la position" "French PCRE2 error"

echo "i18n: ok"
