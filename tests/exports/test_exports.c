/* Spreadsheets bilan writes (docs/exports.md), opened by real readers:
 * Python's zipfile (the archive, its CRCs), openpyxl (.xlsx) and odfpy
 * (.ods), never by bilan's own spreadsheet reader. */
#include <criterion/criterion.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bilan/common.h"
#include "bilan/sheet_out.h"
#include "testutil.h"

#define PY "/usr/bin/python3"

static void assert_has(const char *hay, const char *needle)
{
    cr_assert(strstr(hay, needle) != NULL, "expected '%s' in:\n%s", needle, hay);
}

/* What read_sheet.py says of a spreadsheet (see its comment). */
static char *read_sheet(const char *path, const char *as)
{
    char script[600];
    snprintf(script, sizeof script, "%s/read_sheet.py", BILAN_EXPORTS_TESTDIR);
    const char *argv[] = {PY, script, path, as, NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 0, "read_sheet.py %s: %s", path, r.err);
    free(r.err);
    return r.out;
}

/* ---- the writer ------------------------------------------------------------------------ */

static void write_sample(const char *path, bl_sheet_format f, long rows)
{
    bl_sheet_out *w = NULL;
    char err[600];
    cr_assert_eq(bl_sheet_out_open_file(&w, f, path, err, sizeof err), BL_OK, "%s", err);
    bl_sheet_out_sheet(w, "Consultations", true);
    bl_sheet_out_row(w, true);
    const char *head[] = {"Ressource", "2026-01", "2026-02", "Coût (€)"};
    for (int i = 0; i < 4; i++)
        bl_sheet_out_text(w, head[i]);
    bl_sheet_out_row(w, false);
    bl_sheet_out_text(w, "Cinéma à la demande <VOD> & \"co\"");
    bl_sheet_out_int(w, 1234567890123);
    bl_sheet_out_int(w, -5);
    bl_sheet_out_fixed(w, 2136870, 2);
    bl_sheet_out_row(w, false);
    bl_sheet_out_text(w, "=1+1"); /* text, never a formula */
    bl_sheet_out_empty(w);
    bl_sheet_out_int(w, 0);
    bl_sheet_out_fixed(w, -7, 2);
    bl_sheet_out_row(w, false);
    bl_sheet_out_text(w, "bad \xFF byte\x01"); /* invalid UTF-8, a control character */
    /* A name a spreadsheet refuses, and a long one. */
    bl_sheet_out_sheet(w, "a/b:c?[d]*", false);
    for (long i = 0; i < rows; i++) {
        bl_sheet_out_row(w, false);
        bl_sheet_out_int(w, i);
        bl_sheet_out_text(w, "ligne");
    }
    bl_sheet_out_sheet(w, "Un nom de feuille bien trop long pour un tableur", false);
    cr_assert_eq(bl_sheet_out_finish(w, false, err, sizeof err), BL_OK, "%s", err);
}

static void check_sample(const char *out, long rows)
{
    assert_has(out, "zip: ok\n");
    assert_has(out, "sheet: Consultations frozen\n");
    assert_has(out, "row: bs:Ressource|s:2026-01|s:2026-02|s:Coût (€)\n");
    assert_has(out, "row: s:Cinéma à la demande <VOD> & \"co\"|n:1234567890123|n:-5|n:21368.70\n");
    assert_has(out, "row: s:=1+1||n:0|n:-0.07\n");
    assert_has(out, "row: s:bad \xEF\xBF\xBD byte\n");
    assert_has(out, "sheet: a-b-c--d--\n");
    char last[64];
    snprintf(last, sizeof last, "row: n:%ld|s:ligne\n", rows - 1);
    assert_has(out, last);
    cr_assert_eq(tu_count(out, "|s:ligne\n"), rows, "%s", rows < 100 ? out : "");
    assert_has(out, "sheet: Un nom de feuille bien trop lon\n");
}

Test(sheet_out, xlsx_read_by_openpyxl)
{
    char *dir = tu_mkdtemp("sheet");
    char path[600];
    snprintf(path, sizeof path, "%s/t.xlsx", dir);
    write_sample(path, BL_SHEET_XLSX, 30000); /* several deflate flushes */
    char *out = read_sheet(path, "xlsx");
    check_sample(out, 30000);
    free(out);
    /* An existing file is not replaced unless asked. */
    bl_sheet_out *w = NULL;
    char err[600];
    cr_assert_eq(bl_sheet_out_open_file(&w, BL_SHEET_XLSX, path, err, sizeof err), BL_OK);
    bl_sheet_out_sheet(w, "x", false);
    cr_assert_eq(bl_sheet_out_finish(w, false, err, sizeof err), BL_CANTCREAT);
    assert_has(err, "t.xlsx");
    tu_rmtree(dir);
    free(dir);
}

Test(sheet_out, ods_read_by_odfpy)
{
    char *dir = tu_mkdtemp("sheet");
    char path[600];
    snprintf(path, sizeof path, "%s/t.ods", dir);
    write_sample(path, BL_SHEET_ODS, 3000);
    char *out = read_sheet(path, "ods");
    check_sample(out, 3000);
    free(out);
    tu_rmtree(dir);
    free(dir);
}

Test(sheet_out, same_figures_same_bytes)
{
    char *dir = tu_mkdtemp("sheet");
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/a.xlsx", dir);
    snprintf(b, sizeof b, "%s/b.xlsx", dir);
    write_sample(a, BL_SHEET_XLSX, 10);
    sleep(1);
    write_sample(b, BL_SHEET_XLSX, 10);
    size_t la, lb;
    char *da = tu_read_file(a, &la), *db = tu_read_file(b, &lb);
    cr_assert(la == lb && memcmp(da, db, la) == 0);
    free(da);
    free(db);
    tu_rmtree(dir);
    free(dir);
}
