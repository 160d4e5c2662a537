#!/usr/bin/python3
"""Checks that a mensuel report's workbook (bilan report --xlsx) says what
its PDF says: for every resource of the PDF's table « Consultations par
ressource » (read with pdftotext -layout), the month, the previous month
and the year to date equal the workbook's cells (read with openpyxl).
Prints "ok N" (N resources compared) or what differs."""
import re
import subprocess
import sys

import openpyxl


def pdf_rows(pdf):
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                          check=True, text=True).stdout
    start = text.index("Consultations par ressource\n")
    rows = {}
    for line in text[start:].splitlines()[2:]:
        if not line.strip() or line.startswith("†"):
            break
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) < 5:
            continue
        name = cells[0]
        nums = []
        for c in cells[-4:]:
            c = c.replace("†", "").replace(" ", "").replace("\u202f", "").strip()
            nums.append(None if c == "—" else int(c))
        rows[name] = nums  # M, M-1, M-12, year to date
    return rows


def sheet_rows(xlsx):
    ws = openpyxl.load_workbook(xlsx)["Par ressource"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    out = {}
    for r in rows[1:]:
        d = dict(zip(head, r))
        # the last three month columns before the totals: M-12 is the first month
        months = [h for h in head[4:] if not h.startswith(("Total", "Cumul"))]
        out[r[0]] = [d[months[-1]], d[months[-2]], d[months[0]], r[-1]]
    return out


def main():
    pdf, xlsx = sys.argv[1], sys.argv[2]
    p, s = pdf_rows(pdf), sheet_rows(xlsx)
    bad = []
    for name, nums in p.items():
        if name not in s:
            bad.append("%s not in the workbook" % name)
        elif nums != s[name]:
            bad.append("%s: PDF %s, workbook %s" % (name, nums, s[name]))
    print("ok %d" % len(p) if not bad and p else "\n".join(bad) or "no rows")


if __name__ == "__main__":
    main()
