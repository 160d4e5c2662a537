#!/usr/bin/env python3
"""Generates COUNTER R5 reports as xlsx for the spreadsheet benchmark
(bench/run, case xlsx), deterministically from a seed, with Python's
standard library only (zipfile).

  gen_xlsx.py short ROWS SEED OUT.xlsx   IR_M1: many short rows (12 months),
                                         every string in the shared strings
  gen_xlsx.py wide ROWS SEED OUT.xlsx    TR: wide rows (60 months, 2020-2024),
                                         inline strings, month headings as
                                         date serials, counts as numbers
"""
import sys
import zipfile

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>')
WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      '<sheets><sheet name="Report" sheetId="1" r:id="rId1"/></sheets></workbook>')
WBRELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
          '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
          '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
          '</Relationships>')
STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="17" applyNumberFormat="1"/></cellXfs>'
          '</styleSheet>')
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


class Rng:
    def __init__(self, seed):
        self.s = seed

    def __call__(self, n):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.s >> 33) % n


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Sheet:
    def __init__(self, shared):
        self.shared = shared
        self.sst, self.idx, self.parts, self.n = [], {}, [], 0
        self.cols = [col(i) for i in range(200)]

    def s(self, c, r, t):
        if t == "":
            return ""
        if self.shared:
            i = self.idx.get(t)
            if i is None:
                i = self.idx[t] = len(self.sst)
                self.sst.append(t)
            return '<c r="%s%d" t="s"><v>%d</v></c>' % (self.cols[c], r, i)
        return '<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (self.cols[c], r, esc(t))

    def row(self, cells):
        self.n += 1
        out = []
        for c, v in enumerate(cells):
            if isinstance(v, str):
                out.append(self.s(c, self.n, v))
            elif isinstance(v, tuple):  # a date serial
                out.append('<c r="%s%d" s="1"><v>%d</v></c>' % (self.cols[c], self.n, v[0]))
            elif v:
                out.append('<c r="%s%d"><v>%d</v></c>' % (self.cols[c], self.n, v))
        self.parts.append('<row r="%d">%s</row>' % (self.n, "".join(out)))

    def write(self, path):
        sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                 '<sheetData>' + "".join(self.parts) + '</sheetData></worksheet>')
        sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + "".join("<si><t>%s</t></si>" % esc(t) for t in self.sst) + "</sst>")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for name, data in (("[Content_Types].xml", CT), ("_rels/.rels", RELS),
                               ("xl/workbook.xml", WB), ("xl/_rels/workbook.xml.rels", WBRELS),
                               ("xl/styles.xml", STYLES), ("xl/sharedStrings.xml", sst),
                               ("xl/worksheets/sheet1.xml", sheet)):
                z.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data,
                           compress_type=zipfile.ZIP_DEFLATED)


def header(sh, name, rid, begin, end):
    for k, v in (("Report_Name", name), ("Report_ID", rid), ("Release", "5"),
                 ("Institution_Name", "Département des Hautes-Collines"),
                 ("Institution_ID", "Proprietary:hc:DEP-HC"),
                 ("Metric_Types", "Total_Item_Requests"), ("Report_Filters", ""),
                 ("Report_Attributes", ""), ("Exceptions", ""),
                 ("Reporting_Period", "Begin_Date=%s; End_Date=%s" % (begin, end)),
                 ("Created", "2026-01-05T10:00:00Z"), ("Created_By", "CinéLib")):
        sh.row([k, v])
    sh.parts.append("")  # the blank row: left out of the file, as Excel does
    sh.n += 1


def short(rows, rnd, path):
    sh = Sheet(shared=True)
    header(sh, "Multimedia Item Requests", "IR_M1", "2025-01-01", "2025-12-31")
    sh.row(["Item", "Publisher", "Publisher_ID", "Platform", "DOI", "Proprietary_ID", "URI",
            "Metric_Type", "Reporting_Period_Total"] + ["%s-2025" % m for m in MONTHS])
    platforms = ["CinéLib", "SonoThèque", "LudoNum Jeux"]
    for r in range(rows):
        v = [0 if rnd(4) == 0 else rnd(40) for _ in range(12)]
        sh.row(["Film n° %d, version restaurée" % r, "Éditions %d" % rnd(500), "",
                platforms[rnd(3)], "", "CL:%d" % r, "https://vod.example/film/%d" % r,
                "Total_Item_Requests", sum(v) or "0"] + v)
    sh.write(path)


def wide(rows, rnd, path):
    sh = Sheet(shared=False)
    header(sh, "Title Master Report", "TR", "2020-01-01", "2024-12-31")
    # Month headings as date serials (1900 system) with format 17 (mmm-yy).
    serials, d = [], 43831  # 2020-01-01
    for y in range(2020, 2025):
        for m in range(12):
            serials.append((d,))
            d += [31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m]
    sh.row(["Title", "Publisher", "Publisher_ID", "Platform", "DOI", "Proprietary_ID", "ISBN",
            "Print_ISSN", "Online_ISSN", "URI", "Data_Type", "Section_Type", "YOP",
            "Access_Type", "Access_Method", "Metric_Type", "Reporting_Period_Total"] + serials)
    for r in range(rows):
        v = [0 if rnd(3) == 0 else rnd(60) for _ in range(60)]
        sh.row(["Revue n° %d" % r, "Éditions %d" % rnd(300), "", "PresseNum", "",
                "PN:%d" % r, "", "1234-%04d" % (r % 10000), "", "", "Journal", "Article",
                "2020", "Controlled", "Regular", "Total_Item_Requests", sum(v) or "0"] + v)
    sh.write(path)


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("short", "wide"):
        sys.exit(__doc__)
    rows, rnd = int(sys.argv[2]), Rng(int(sys.argv[3]))
    (short if sys.argv[1] == "short" else wide)(rows, rnd, sys.argv[4])
