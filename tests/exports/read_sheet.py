#!/usr/bin/python3
"""Reads a spreadsheet written by bilan with independent readers and prints
what a test checks: for an .xlsx, openpyxl; for an .ods, odfpy; for both,
Python's zipfile checks the archive (CRCs, and for ODF a stored 'mimetype'
first). Output, one line each:
    zip: ok
    sheet: NAME [frozen]
    row: [b]CELL|CELL|...      (b: the row is bold; CELL is n:NUMBER or s:TEXT or empty)
"""
import sys
import zipfile


def fmt_num(v):
    if isinstance(v, float) and v.is_integer() and "." not in repr(v).rstrip("0"):
        return "n:%d" % int(v)
    if isinstance(v, int):
        return "n:%d" % v
    return "n:%s" % repr(v)


def zip_checks(path, ods):
    z = zipfile.ZipFile(path)
    bad = z.testzip()
    if bad:
        return "bad CRC in %s" % bad
    names = z.namelist()
    if ods:
        first = z.infolist()[0]
        if first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED:
            return "mimetype not first and stored"
        if z.read("mimetype") != b"application/vnd.oasis.opendocument.spreadsheet":
            return "bad mimetype"
    elif "[Content_Types].xml" not in names:
        return "no [Content_Types].xml"
    return "ok"


def read_xlsx(path):
    import openpyxl
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        print("sheet: %s%s" % (ws.title, " frozen" if ws.freeze_panes == "A2" else ""))
        for row in ws.iter_rows():
            bold = bool(row) and all(c.font.b for c in row if c.value is not None)
            cells = []
            for c in row:
                if c.value is None:
                    cells.append("")
                elif isinstance(c.value, (int, float)):
                    if c.number_format not in ("General", "#,##0.00"):
                        cells.append("?fmt:" + c.number_format)
                    if c.number_format == "#,##0.00":
                        cells.append("n:%.2f" % c.value)
                    else:
                        cells.append(fmt_num(c.value))
                else:
                    cells.append("s:" + str(c.value))
            while cells and cells[-1] == "":
                cells.pop()  # openpyxl pads every row to the widest
            print("row: %s%s" % ("b" if bold else "", "|".join(cells)))


def read_ods(path):
    from odf.opendocument import load
    from odf import table, text
    from odf.namespaces import TABLENS, OFFICENS
    doc = load(path)
    bold_styles = set()
    for st in doc.automaticstyles.childNodes:
        for ch in st.childNodes:
            if ch.qname[1] == "text-properties" and \
                    ch.getAttrNS("urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
                                 "font-weight") == "bold":
                bold_styles.add(st.getAttrNS("urn:oasis:names:tc:opendocument:xmlns:style:1.0",
                                             "name"))
    settings = zipfile.ZipFile(path).read("settings.xml").decode()
    for t in doc.spreadsheet.getElementsByType(table.Table):
        name = t.getAttrNS(TABLENS, "name")
        frozen = ('config:name="%s"' % name) in settings and "VerticalSplitMode" in settings
        print("sheet: %s%s" % (name, " frozen" if frozen else ""))
        for r in t.getElementsByType(table.TableRow):
            cells, styles = [], []
            for c in r.getElementsByType(table.TableCell):
                vt = c.getAttrNS(OFFICENS, "value-type")
                st = c.getAttrNS(TABLENS, "style-name")
                if vt == "float":
                    v = c.getAttrNS(OFFICENS, "value")
                    cells.append("n:" + v)
                    styles.append(st)
                elif vt == "string":
                    cells.append("s:" + "".join(str(p) for p in c.getElementsByType(text.P)))
                    styles.append(st)
                else:
                    cells.append("")
            bold = bool(styles) and all(s in bold_styles for s in styles)
            print("row: %s%s" % ("b" if bold else "", "|".join(cells)))


def main():
    path = sys.argv[1]
    ods = path.endswith(".ods") or (len(sys.argv) > 2 and sys.argv[2] == "ods")
    print("zip:", zip_checks(path, ods))
    if ods:
        read_ods(path)
    else:
        read_xlsx(path)


if __name__ == "__main__":
    main()
