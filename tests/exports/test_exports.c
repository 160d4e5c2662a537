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

/* ---- bilan export usage ------------------------------------------------------------------ */

#include <sqlite3.h>

typedef struct store {
    char *dir;
    char db[600];
} store;

/* The mail fixture's network and usage (fixtures/mail/README.md). */
static void store_setup(store *s)
{
    s->dir = tu_mkdtemp("exports");
    cr_assert_not_null(s->dir);
    snprintf(s->db, sizeof s->db, "%s/bilan.db", s->dir);
    char net[600], sqlpath[600];
    snprintf(net, sizeof net, "%s/fixtures/mail/network", tu_srcdir());
    const char *argv[] = {tu_bilan(), "--db", s->db, "network", "import", net, NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 0, "network import: %s", r.err);
    tu_run_free(&r);
    snprintf(sqlpath, sizeof sqlpath, "%s/fixtures/mail/usage.sql", tu_srcdir());
    char *sql = tu_read_file(sqlpath, NULL);
    cr_assert_not_null(sql);
    sqlite3 *h = NULL;
    cr_assert_eq(sqlite3_open(s->db, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    sqlite3_close(h);
    free(sql);
}

static void store_free(store *s)
{
    tu_rmtree(s->dir);
    free(s->dir);
}

/* bilan --db DB export usage ARGS... */
static tu_run export_run(const store *s, ...)
{
    const char *argv[24] = {tu_bilan(), "--db", s->db, "export", "usage"};
    int n = 5;
    va_list ap;
    va_start(ap, s);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 22)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return tu_runv(argv, NULL);
}

Test(export, csv_header_is_kept_and_names_come_on_request)
{
    store s;
    store_setup(&s);
    tu_run r = export_run(&s, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    /* The contract for scripts: the same header and rows as before. */
    cr_assert(strncmp(r.out, "partner_id,library_id,resource_id,month,metric,value\n", 53) == 0,
              "%s", r.out);
    assert_has(r.out, "\nccvo,ccvo-malestroit,cafeyn,2026-05,Total_Item_Requests,120\n");
    tu_run_free(&r);
    r = export_run(&s, "--names", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "partner_id,partner_name,library_id,library_name,resource_id,resource_name,"
                      "month,metric,value\n");
    assert_has(r.out, "\nccvo,Communauté de communes du Val d'Oust,ccvo-malestroit,Médiathèque de "
                      "Malestroit,cafeyn,Cafeyn,2026-05,Total_Item_Requests,120\n");
    tu_run_free(&r);
    r = export_run(&s, "--names", "--excel", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strncmp(r.out, "\xEF\xBB\xBFpartner_id;partner_name;", 26) == 0);
    assert_has(r.out, "\r\nploermel;Ploërmel;ploermel-centre;");
    tu_run_free(&r);
    store_free(&s);
}

Test(export, wide_puts_months_in_columns)
{
    store s;
    store_setup(&s);
    tu_run r = export_run(&s, "--wide", "--from", "2026-03", "--to", "2026-05", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    const char *head = "partner_id,library_id,resource_id,metric,2026-03,2026-04,2026-05\n";
    cr_assert(strncmp(r.out, head, strlen(head)) == 0, "%s", r.out);
    /* No data is an empty cell, never 0. */
    assert_has(r.out, "\nccvo,ccvo-malestroit,cafeyn,Total_Item_Requests,,100,120\n");
    assert_has(r.out, "\nccvo,ccvo-malestroit,vod,Total_Item_Requests,150,200,200\n");
    tu_run_free(&r);
    /* Option values are case-insensitive. */
    r = export_run(&s, "--wide", "--format", "CSV", "--access-method", "Regular", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    store_free(&s);
}

Test(export, xlsx_and_ods_read_by_python)
{
    store s;
    store_setup(&s);
    char x[700], o[700];
    snprintf(x, sizeof x, "%s/u.xlsx", s.dir);
    snprintf(o, sizeof o, "%s/u.ods", s.dir);
    tu_run r = export_run(&s, "--format", "XLSX", "--out", x, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.out_len, 0);
    tu_run_free(&r);
    r = export_run(&s, "--format", "ods", "--wide", "--out", o, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *out = read_sheet(x, "xlsx");
    assert_has(out, "zip: ok\nsheet: usage frozen\n");
    assert_has(out, "row: bs:partner_id|s:partner_name|s:library_id|s:library_name|s:resource_id|"
                    "s:resource_name|s:month|s:metric|s:value\n");
    assert_has(out, "row: s:ploermel|s:Ploërmel|s:ploermel-centre|s:Médiathèque de Ploërmel|"
                    "s:cafeyn|s:Cafeyn|s:2026-05|s:Total_Item_Requests|n:1234\n");
    free(out);
    out = read_sheet(o, "ods");
    assert_has(out, "zip: ok\nsheet: usage frozen\n");
    assert_has(out, "|s:metric|s:2026-01|s:2026-02|s:2026-03|s:2026-04|s:2026-05\n");
    assert_has(
        out, "|s:vod|s:Cinéma à la demande|s:Total_Item_Requests|n:150|n:150|n:150|n:200|n:200\n");
    free(out);
    /* The same figures as the CSV, cell for cell: every CSV line's value is
     * in the spreadsheet's row for it. */
    r = export_run(&s, NULL);
    out = read_sheet(x, "xlsx");
    int lines = 0;
    for (char *line = strchr(r.out, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        char p[64], l[64], res[64], m[16], metric[64];
        long long v;
        cr_assert_eq(
            sscanf(line, "%63[^,],%63[^,],%63[^,],%15[^,],%63[^,],%lld", p, l, res, m, metric, &v),
            6, "%s", line);
        char want[300];
        snprintf(want, sizeof want, "|s:%s|s:%s|n:%lld\n", m, metric, v);
        cr_assert(strstr(out, want), "%s not in\n%s", want, out);
        lines++;
    }
    cr_assert_eq(tu_count(out, "\nrow: s:"), lines);
    free(out);
    tu_run_free(&r);
    store_free(&s);
}

Test(export, bad_options_and_unknown_partner_write_nothing)
{
    store s;
    store_setup(&s);
    char x[700];
    snprintf(x, sizeof x, "%s/u.xlsx", s.dir);
    tu_run r = export_run(&s, "--format", "xlsx", "--excel", "--out", x, NULL);
    cr_assert_eq(r.status, 64, "%s", r.err);
    assert_has(r.err, "--excel is for --format csv");
    tu_run_free(&r);
    r = export_run(&s, "--format", "pdf", NULL);
    cr_assert_eq(r.status, 64, "%s", r.err);
    assert_has(r.err, "--format: 'pdf' is not csv, xlsx or ods");
    tu_run_free(&r);
    r = export_run(&s, "--format", "xlsx", "--partner", "nope", "--out", x, NULL);
    cr_assert_eq(r.status, 66, "%s", r.err);
    assert_has(r.err, "no partner 'nope' in the network");
    tu_run_free(&r);
    cr_assert_neq(access(x, F_OK), 0, "no file for a failed export");
    store_free(&s);
}

/* ---- bilan report --xlsx ------------------------------------------------------------------- */

Test(report_xlsx, workbook_beside_the_pdf_says_what_the_pdf_says)
{
    store s;
    store_setup(&s);
    char dir[700];
    snprintf(dir, sizeof dir, "%s/reports", s.dir);
    const char *argv[] = {tu_bilan(), "--db",  s.db, "report", "mensuel",
                          "2026-05",  "--out", dir,  "--xlsx", NULL};
    const char *today[] = {"SOURCE_DATE_EPOCH=1782864000", NULL};
    tu_run r = tu_runv(argv, today);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char pdf[800], x[800];
    snprintf(pdf, sizeof pdf, "%s/2026-05/ccvo-mensuel.pdf", dir);
    snprintf(x, sizeof x, "%s/2026-05/ccvo-mensuel.xlsx", dir);
    assert_has(r.out, x);
    tu_run_free(&r);
    char *out = read_sheet(x, "xlsx");
    assert_has(out, "zip: ok\nsheet: Chiffres clés frozen\n");
    assert_has(out, "row: s:Consultations (mai 2026)|n:390\n");
    assert_has(out, "row: s:Évolution à périmètre égal (%)|n:20.0\n");
    assert_has(out, "row: s:Participation 2026 (€)|n:2178.00\n");
    assert_has(out, "sheet: Par ressource frozen\n");
    assert_has(out, "|s:avril 2026|s:mai 2026|s:Total mai 2026|s:Total avril 2026|s:Cumul 2026\n");
    assert_has(out, "sheet: Forfaits frozen\n");
    assert_has(out, "row: s:vod-2026|s:Cinéma à la demande|n:1000|n:850|n:85.0|n:80|s:vigilance\n");
    free(out);
    /* Resource by resource, the PDF's table and the workbook agree. */
    char script[600];
    snprintf(script, sizeof script, "%s/compare_report.py", BILAN_EXPORTS_TESTDIR);
    const char *cmp[] = {PY, script, pdf, x, NULL};
    r = tu_runv(cmp, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "ok 4\n");
    tu_run_free(&r);
    store_free(&s);
}
