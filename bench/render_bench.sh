#!/bin/sh
# Report rendering benchmark (not part of the test suite): generates a
# network of N partners (default 300, one library each) and 8 resources with
# 24 months of COUNTER R5 PR data, then renders every partner's monthly
# report with 1 worker and with 2, and prints the time per PDF.
#   usage: bench/render_bench.sh [BUILD_DIR] [N]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-render}
n=${2:-300}
bilan=$build/cli/bilan
[ -x "$bilan" ] || { echo "render_bench: no bilan binary at $bilan" >&2; exit 66; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FONTCONFIG_FILE="$src/data/fonts.conf" SOURCE_DATE_EPOCH=1767225600 TZ=UTC

/usr/bin/python3 - "$tmp" "$n" <<'EOF'
import os, random, sys
tmp, n = sys.argv[1], int(sys.argv[2])
random.seed(42)
net = os.path.join(tmp, "network"); os.makedirs(net)
feeds = os.path.join(tmp, "feeds"); os.makedirs(feeds)
with open(os.path.join(net, "partners.csv"), "w") as f:
    f.write("id,name,kind,population,population_year,rate_per_inhabitant,emails\n")
    for i in range(n):
        f.write(f"p{i:03d},Commune numéro {i},commune,{random.randint(800, 90000)},2023,\"0,15\",p{i}@example.org\n")
with open(os.path.join(net, "libraries.csv"), "w") as f:
    f.write("id,partner_id,name,aliases,ip_ranges\n")
    for i in range(n):
        f.write(f"l{i:03d},p{i:03d},Bibliothèque {i},LIB-{i:03d},\n")
kinds = ["ebook", "press", "video", "music", "training", "games", "youth", "other"]
with open(os.path.join(net, "resources.csv"), "w") as f:
    f.write("id,name,provider,kind,annual_cost,counter_names,url_pattern,request_pattern,headline_metric\n")
    for r, k in enumerate(kinds):
        f.write(f"r{r},Ressource {r} ({k}),Fournisseur {r},{k},\"10 000,00\",PLAT{r},,,Total_Item_Requests\n")
mon = ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"]
for r in range(len(kinds)):
    for year in (2024, 2025):
        with open(os.path.join(feeds, f"r{r}-{year}.csv"), "w") as f:
            f.write("Report_Name,Platform Master Report\nReport_ID,PR\nRelease,5\n"
                    "Institution_Name,Réseau\nInstitution_ID,X\nMetric_Types,Total_Item_Requests\n"
                    "Report_Filters,\nReport_Attributes,\nExceptions,\n"
                    f"Reporting_Period,Begin_Date={year}-01-01; End_Date={year}-12-31\n"
                    "Created,2025-12-31T00:00:00Z\nCreated_By,bench\n\n")
            f.write("Institution_Name,Institution_ID,Platform,Data_Type,Access_Method,Metric_Type,"
                    "Reporting_Period_Total," + ",".join(f"{m}-{year}" for m in mon) + "\n")
            for i in range(n):
                v = [random.randint(0, 400) for _ in mon]
                f.write(f"Bibliothèque {i},LIB-{i:03d},PLAT{r},Other,Regular,Total_Item_Requests,"
                        f"{sum(v)}," + ",".join(map(str, v)) + "\n")
EOF

db=$tmp/bench.db
"$bilan" --db "$db" network import "$tmp/network" >/dev/null
"$bilan" --db "$db" ingest "$tmp"/feeds/*.csv >/dev/null
for jobs in 1 2; do
    start=$(date +%s.%N)
    "$bilan" --db "$db" report mensuel 2025-05 --out "$tmp/out$jobs" --jobs "$jobs" >/dev/null
    end=$(date +%s.%N)
    count=$(ls "$tmp/out$jobs/2025-05" | wc -l)
    echo "$start $end $count $jobs" | awk '{ t = $2 - $1;
        printf "%d worker(s): %d PDFs in %.2f s, %.1f ms per PDF\n", $4, $3, t, 1000 * t / $3 }'
done
