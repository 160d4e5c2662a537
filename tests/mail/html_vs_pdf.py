#!/usr/bin/python3
"""Checks that the HTML part of a report email says what the attached PDF
says: decodes the message with Python's email module, reads the HTML table
« Consultations par ressource » with html.parser, and the PDF (the attached
bytes, written to a temporary file) with pdftotext -layout; for every
resource row, the cells must be equal (French digits, NNBSP and NBSP read
as spaces). Also the figure of the first list item (consultations) must be
the PDF's first card. Prints "ok N" or what differs."""
import email
import email.policy
import html.parser
import re
import subprocess
import sys
import tempfile


class Table(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.items, self.li = [], None, None, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = ""
        elif tag == "li":
            self.li = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr":
            self.rows.append(self.row)
            self.row = None
        elif tag == "li":
            self.items.append(self.li)
            self.li = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.li is not None:
            self.li += data


def norm(s):
    return re.sub(r"[\u202f\u00a0 ]+", " ", s).replace(" †", "†").strip()


def main():
    msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
    html_text, pdf = None, None
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            html_text = part.get_content()
        elif part.get_content_type() == "application/pdf":
            pdf = part.get_payload(decode=True)
    t = Table()
    t.feed(html_text)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        text = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True,
                              check=True, text=True).stdout
    start = text.index("Consultations par ressource\n")
    pdf_rows = {}
    for line in text[start:].splitlines()[2:]:
        if not line.strip() or line.startswith("†"):
            break
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) >= 5:
            pdf_rows[cells[0]] = [norm(c) for c in cells[-4:]]
    bad = []
    n = 0
    for row in t.rows[1:]:
        name, cells = norm(row[0]), [norm(c) for c in row[1:]]
        if pdf_rows.get(name) != cells:
            bad.append("%s: PDF %s, HTML %s" % (name, pdf_rows.get(name), cells))
        n += 1
    if n != len(pdf_rows):
        bad.append("%d rows in HTML, %d in the PDF" % (n, len(pdf_rows)))
    first = norm(t.items[0]).rsplit(": ", 1)[1]
    card = re.search(r"^ *(\S+(?: \d{3})*) {2,}", text[text.index("Chiffres clés"):].split("\n", 3)[3],
                     re.M)
    if not card or norm(card.group(1)) != first:
        bad.append("consultations: HTML %s, PDF card %s" % (first, card and card.group(1)))
    print("\n".join(bad) if bad else "ok %d" % n)


if __name__ == "__main__":
    main()
