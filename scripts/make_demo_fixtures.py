#!/usr/bin/env python3
"""Writes the demo network's COUNTER R5 feeds into fixtures/demo/feeds/.

The demo is a fictional department ("Hautes-Collines") with six partners and
seven resources (six COUNTER feeds, and one vendor export read with a profile). Usage follows population, a seasonal pattern and a steady
growth, from a fixed seed, so the files are the same on every run. The
network lists (fixtures/demo/network/*.csv) are written by hand, not here.

    python3 scripts/make_demo_fixtures.py
"""
import gzip
import os
import random

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "demo", "feeds")
MONTHS = [(2025, m) for m in range(5, 13)] + [(2026, m) for m in range(1, 11)]
MNAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# institution name as providers write it, proprietary id, weight (≈ active readers)
INSTITUTIONS = [
    ("Médiathèque Jean-Giono (Durance-Provence)", "DP-GIONO", 30),
    ("Médiathèque de Villeneuve-la-Rivière", "DP-VILLENEUVE", 12),
    ("Bibliothèque de Pierrelongue", "DP-PIERRELONGUE", 6),
    ("Bibliothèque municipale de Montclar-sur-Asse", "MONTCLAR", 4),
    ("Médiathèque intercommunale du Haut-Verdon", "HV-COLMARS", 5),
    ("Bibliothèque de Lurs-la-Vieille", "LURS", 2),
    ("Médiathèque Alpes-Sud – Saint-Auban", "AS-SAUBAN", 16),
    ("Médiathèque Alpes-Sud – Les Mées", "AS-MEES", 7),
    ("Réseau des points lecture (bibliobus)", "MD-BIBLIOBUS", 3),
]
UNKNOWN = ("Bibliothèque de Sainte-Croix (hors réseau)", "XX-STECROIX", 2)
SEASON = {1: 1.05, 2: 1.0, 3: 1.0, 4: 0.95, 5: 0.9, 6: 0.85, 7: 0.7, 8: 0.65,
          9: 0.95, 10: 1.05, 11: 1.1, 12: 1.15}

rng = random.Random(20261121)


def count(weight, base, y, m, growth=0.012):
    i = MONTHS.index((y, m))
    v = weight * base * SEASON[m] * (1 + growth) ** i
    return max(0, int(round(v * rng.uniform(0.85, 1.15))))


def header(report_name, report_id, metrics, period, created, created_by, release="5",
           inst_name="Département des Hautes-Collines", inst_id="Proprietary:hc:DEP-HC", sep=","):
    b, e = period
    rows = [
        ("Report_Name", report_name), ("Report_ID", report_id), ("Release", release),
        ("Institution_Name", inst_name), ("Institution_ID", inst_id),
        ("Metric_Types", "; ".join(metrics)), ("Report_Filters", "Access_Method=Regular"),
        ("Report_Attributes", ""), ("Exceptions", ""),
        ("Reporting_Period", f"Begin_Date={b}; End_Date={e}"),
        ("Created", created), ("Created_By", created_by),
    ]
    if release == "5.1":
        rows.append(("Registry_Record", "https://registry.countermetrics.org/platform/demo"))
    return [[k, v] for k, v in rows] + [[]]


def month_heads(months):
    return [f"{MNAMES[m - 1]}-{y}" for y, m in months]


def period_of(months):
    (y0, m0), (y1, m1) = months[0], months[-1]
    last = [31, 29 if y1 % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m1 - 1]
    return (f"{y0}-{m0:02d}-01", f"{y1}-{m1:02d}-{last}")


def write(name, rows, sep=",", gz=False):
    def cell(c):
        c = str(c)
        if sep == "," and any(ch in c for ch in ',"\n'):
            return '"' + c.replace('"', '""') + '"'
        return c
    text = "\r\n".join(sep.join(cell(c) for c in r) for r in rows) + "\r\n"
    path = os.path.join(ROOT, name)
    data = text.encode("utf-8")
    if gz:
        with gzip.GzipFile(path, "wb", mtime=0) as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def created_after(months):
    y, m = months[-1]
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return f"{y}-{m:02d}-03T10:00:00Z"


def split_years():
    out = {}
    for y, m in MONTHS:
        out.setdefault(y, []).append((y, m))
    return out


def pnb():  # e-books: TR_B1 per year, consortium rows with Institution_Name/ID columns
    titles = [("Le Mage du Kremlin", "9782072967767", "Gallimard"),
              ("Veiller sur elle", "9782226475049", "Albin Michel"),
              ("Les Enfants sont rois", "9782072953708", "Gallimard"),
              ("Jacaranda", "9782246831174", "Grasset"),
              ("Houris", "9782072956099", "Gallimard")]
    for y, months in split_years().items():
        metrics = ["Total_Item_Requests", "Unique_Title_Requests"]
        rows = header("Book Requests (Excluding OA_Gold)", "TR_B1", metrics, period_of(months),
                      f"{y + (1 if y == 2025 else 0)}-{'01' if y == 2025 else '11'}-05T09:12:00Z",
                      "Dilicom PNB")
        rows.append(["Institution_Name", "Institution_ID", "Title", "Publisher", "Publisher_ID",
                     "Platform", "DOI", "Proprietary_ID", "ISBN", "Print_ISSN", "Online_ISSN", "URI",
                     "YOP", "Access_Type", "Metric_Type", "Reporting_Period_Total"] + month_heads(months))
        for inst, iid, w in INSTITUTIONS + [UNKNOWN]:
            for t, isbn, pub in titles:
                utr = [count(w, 1.3, yy, mm) for yy, mm in months]
                tir = [u + count(w, 0.25, yy, mm) for u, (yy, mm) in zip(utr, months)]
                for metric, vals in (("Total_Item_Requests", tir), ("Unique_Title_Requests", utr)):
                    rows.append([inst, f"Proprietary:pnb:{iid}", t, pub, "", "PNB", "", "", isbn, "", "",
                                 "", "2024", "Controlled", metric, sum(vals)] + vals)
        write(f"pnb-tr_b1-{y}.csv", rows)


def presse():  # press: DR per year, TSV, consortium rows
    for y, months in split_years().items():
        metrics = ["Searches_Regular", "Total_Item_Investigations", "Total_Item_Requests",
                   "Unique_Item_Requests"]
        rows = header("Database Master Report", "DR", metrics, period_of(months),
                      f"{y + (1 if y == 2025 else 0)}-{'01' if y == 2025 else '11'}-03T06:00:00Z",
                      "PresseNum")
        rows.append(["Institution_Name", "Institution_ID", "Database", "Publisher", "Publisher_ID",
                     "Platform", "Proprietary_ID", "Data_Type", "Access_Method", "Metric_Type",
                     "Reporting_Period_Total"] + month_heads(months))
        for inst, iid, w in INSTITUTIONS:
            base = {"Searches_Regular": 4.0, "Total_Item_Investigations": 9.0,
                    "Total_Item_Requests": 7.5, "Unique_Item_Requests": 5.0}
            for metric in metrics:
                vals = [count(w, base[metric], yy, mm, 0.02) for yy, mm in months]
                rows.append([inst, f"Proprietary:pressenum:{iid}", "Kiosque presse en ligne",
                             "PresseNum", "", "PresseNum", "", "Newspaper_or_Newsletter", "Regular",
                             metric, sum(vals)] + vals)
        write(f"presse-dr-{y}.tsv", rows, sep="\t")


def vod():  # video on demand: PR per half-year (a forfait watches it)
    halves = [MONTHS[0:8], MONTHS[8:14], MONTHS[14:18]]
    for months in halves:
        metrics = ["Total_Item_Requests", "Unique_Item_Requests"]
        (y0, m0) = months[0]
        rows = header("Platform Master Report", "PR", metrics, period_of(months),
                      created_after(months), "CinéLib")
        rows.append(["Institution_Name", "Institution_ID", "Platform", "Data_Type", "Access_Method",
                     "Metric_Type", "Reporting_Period_Total"] + month_heads(months))
        for inst, iid, w in INSTITUTIONS:
            tir = [count(w, 3.2, yy, mm, 0.035) for yy, mm in months]
            uir = [int(v * 0.8) for v in tir]
            for metric, vals in (("Total_Item_Requests", tir), ("Unique_Item_Requests", uir)):
                rows.append([inst, f"Proprietary:cinelib:{iid}", "CinéLib", "Multimedia", "Regular",
                             metric, sum(vals)] + vals)
        write(f"vod-pr-{y0}-{m0:02d}.csv", rows)


def musique():  # music: PR per year, gzip'd
    for y, months in split_years().items():
        metrics = ["Total_Item_Requests", "Unique_Item_Requests", "Searches_Platform"]
        rows = header("Platform Master Report", "PR", metrics, period_of(months),
                      f"{y + (1 if y == 2025 else 0)}-{'01' if y == 2025 else '11'}-02T08:00:00Z",
                      "SonoThèque", release="5.1")
        rows.append(["Institution_Name", "Institution_ID", "Platform", "Data_Type", "Access_Method",
                     "Metric_Type", "Reporting_Period_Total"] + month_heads(months))
        for inst, iid, w in INSTITUTIONS:
            base = {"Total_Item_Requests": 6.0, "Unique_Item_Requests": 4.2, "Searches_Platform": 2.0}
            for metric in metrics:
                vals = [count(w, base[metric], yy, mm, 0.01) for yy, mm in months]
                rows.append([inst, f"Proprietary:sono:{iid}", "SonoThèque", "Sound", "Regular", metric,
                             sum(vals)] + vals)
        write(f"musique-pr-{y}.csv.gz", rows, gz=True)


def autoformation():  # self-training: per-institution DR_D1 files for 2026 only, from Jan
    months = [ym for ym in MONTHS if ym[0] == 2026]
    for inst, iid, w in INSTITUTIONS[:4]:
        metrics = ["Searches_Regular", "Total_Item_Investigations", "Total_Item_Requests"]
        rows = header("Database Search and Item Usage", "DR_D1", metrics, period_of(months),
                      "2026-11-04T07:30:00Z", "SavoirPlus", inst_name=inst,
                      inst_id=f"Proprietary:savoirplus:{iid}")
        rows.append(["Database", "Publisher", "Publisher_ID", "Platform", "Proprietary_ID",
                     "Metric_Type", "Reporting_Period_Total"] + month_heads(months))
        base = {"Searches_Regular": 0.8, "Total_Item_Investigations": 2.1, "Total_Item_Requests": 1.6}
        for metric in metrics:
            vals = [count(w, base[metric], yy, mm, 0.03) for yy, mm in months]
            rows.append(["Langues et code de la route", "SavoirPlus", "", "SavoirPlus", "", metric,
                         sum(vals)] + vals)
        write(f"autoformation-dr_d1-2026-{iid.lower()}.csv", rows)


def jeux():  # video games: PR for the last months, platform named as the provider writes it
    months = MONTHS[-6:]
    metrics = ["Total_Item_Requests", "Unique_Item_Requests"]
    rows = header("Platform Master Report", "PR", metrics, period_of(months), "2026-11-06T12:00:00Z",
                  "LudoNum")
    rows.append(["Institution_Name", "Institution_ID", "Platform", "Data_Type", "Access_Method",
                 "Metric_Type", "Reporting_Period_Total"] + month_heads(months))
    for inst, iid, w in INSTITUTIONS[:6] + [UNKNOWN]:
        tir = [count(w, 0.9, yy, mm, 0.05) for yy, mm in months]
        uir = [int(v * 0.7) for v in tir]
        for metric, vals in (("Total_Item_Requests", tir), ("Unique_Item_Requests", uir)):
            rows.append([inst, f"Proprietary:ludonum:{iid}", "LudoNum Jeux", "Other", "Regular",
                         metric, sum(vals)] + vals)
    write("jeux-pr-2026.csv", rows)


FR_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
             "nov.", "déc."]


def soutien():  # homework help: not COUNTER, the vendor's own export (docs/profiles.md)
    """ScolaNet's back-office export, as Excel saves it: Windows-1252, ';', a title line,
    French month names, sessions per library and month. Read with the profile
    fixtures/demo/network/profiles/scolanet.ini."""
    months = [ym for ym in MONTHS if ym[0] == 2026]
    rows = [["ScolaNet – statistiques d'usage", "", "", ""], ["", "", "", ""],
            ["Établissement", "Mois", "Sessions", "Heures"]]
    for inst, _iid, w in INSTITUTIONS[:5]:
        for y, m in months:
            sessions = count(w, 40, y, m, 0.02)
            rows.append([inst, f"{FR_MONTHS[m - 1]} {y}", f"{sessions:,}".replace(",", "\u00a0"),
                         str(sessions // 2)])
    text = "\r\n".join(";".join(r) for r in rows) + "\r\n"
    with open(os.path.join(ROOT, "soutien-scolaire-2026.csv"), "wb") as f:
        f.write(text.encode("cp1252"))


if __name__ == "__main__":
    os.makedirs(ROOT, exist_ok=True)
    pnb()
    presse()
    vod()
    musique()
    autoformation()
    jeux()
    soutien()
