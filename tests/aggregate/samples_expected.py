#!/usr/bin/python3
"""Expected `bilan export usage` for COUNTER R5.1 master reports, computed
independently of bilan (tests/aggregate/test_samples.c).

Rule (issue #3): for each (month, metric), take the report types in the order
PR, DR, TR, IR; the first whose rows carry that metric gives the value: the
sum of its rows with Access_Method Regular (or with no Access_Method column)
over that month's column. Everything is attributed to one library and one
resource, given on the command line.

usage: samples_expected.py PARTNER LIBRARY RESOURCE REPORT.tsv...
"""
import csv
import sys

ORDER = ["PR", "DR", "TR", "IR"]
MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


def month_key(cell):
    """'Jan-2022' -> '2022-01', None when the cell is not a month column."""
    parts = cell.split("-")
    if len(parts) == 2 and parts[0] in MONTHS and parts[1].isdigit():
        return "%s-%02d" % (parts[1], MONTHS[parts[0]])
    return None


def read_report(path):
    """Returns (report_id, {metric: {month: regular_sum}})."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    report_id = next(r[1] for r in rows if r and r[0] == "Report_ID")
    h = next(i for i, r in enumerate(rows) if "Metric_Type" in r)
    head = rows[h]
    metric_col = head.index("Metric_Type")
    access_col = head.index("Access_Method") if "Access_Method" in head else None
    month_cols = [(i, month_key(c)) for i, c in enumerate(head) if month_key(c)]
    carried = {}
    for r in rows[h + 1:]:
        if not any(c.strip() for c in r):
            continue
        per_month = carried.setdefault(r[metric_col], {})
        regular = access_col is None or r[access_col] in ("", "Regular")
        for i, month in month_cols:
            per_month.setdefault(month, 0)
            if regular and i < len(r) and r[i].strip():
                per_month[month] += int(r[i])
    return report_id, carried


def main(argv):
    partner, library, resource = argv[1:4]
    reports = dict(read_report(p) for p in argv[4:])
    expected = {}
    for rid in ORDER:
        for metric, per_month in reports.get(rid, {}).items():
            for month, value in per_month.items():
                expected.setdefault((month, metric), value)
    out = ["partner_id,library_id,resource_id,month,metric,value"]
    for (month, metric), value in sorted(expected.items()):
        out.append(",".join([partner, library, resource, month, metric, str(value)]))
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
