/* Spreadsheets in (issue 13, docs/spreadsheets.md): the reader's number and
 * date rules, its rows and cells on generated fixtures, and the real binary:
 * COUNTER's official R5.0 samples as xlsx give the same export as their TSV,
 * every way of writing one report in a spreadsheet gives the export of its
 * CSV, error cells reject their row, and what is not a report or not a
 * whole file is refused with the store unchanged. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sheet.h"
#include "testutil.h"

/* ---- units ---------------------------------------------------------------- */

static const char *num(const char *v)
{
    static char out[64];
    cr_assert(bl__sheet_number_text(v, out, sizeof out), "'%s' must be a number", v);
    return out;
}

Test(units, numbers_in_shortest_exact_form)
{
    cr_assert_str_eq(num("1234"), "1234");
    cr_assert_str_eq(num("1234.0"), "1234");
    cr_assert_str_eq(num("1.234E3"), "1234");
    cr_assert_str_eq(num("0.1"), "0.1");
    cr_assert_str_eq(num("0.30000000000000004"), "0.30000000000000004");
    cr_assert_str_eq(num("1.5E-3"), "0.0015");
    cr_assert_str_eq(num("-12.50"), "-12.5");
    cr_assert_str_eq(num("1E+20"), "100000000000000000000");
    cr_assert_str_eq(num("-0"), "0");
    char out[64];
    cr_assert(!bl__sheet_number_text("12a", out, sizeof out));
    cr_assert(!bl__sheet_number_text("", out, sizeof out));
    cr_assert(!bl__sheet_number_text("inf", out, sizeof out));
}

Test(units, date_serials_1900_and_1904)
{
    char d[11];
    cr_assert(bl__sheet_serial_date(45658, false, d));
    cr_assert_str_eq(d, "2025-01-01");
    cr_assert(bl__sheet_serial_date(45658.75, false, d)); /* a time of day is dropped */
    cr_assert_str_eq(d, "2025-01-01");
    cr_assert(bl__sheet_serial_date(44196, true, d));
    cr_assert_str_eq(d, "2025-01-01");
    cr_assert(bl__sheet_serial_date(1, false, d));
    cr_assert_str_eq(d, "1900-01-01");
    cr_assert(bl__sheet_serial_date(59, false, d));
    cr_assert_str_eq(d, "1900-02-28");
    cr_assert(!bl__sheet_serial_date(60, false, d), "Excel's 29 February 1900 never was");
    cr_assert(bl__sheet_serial_date(61, false, d));
    cr_assert_str_eq(d, "1900-03-01");
    cr_assert(bl__sheet_serial_date(0, true, d));
    cr_assert_str_eq(d, "1904-01-01");
    cr_assert(!bl__sheet_serial_date(-1, false, d));
    cr_assert(!bl__sheet_serial_date(1e12, false, d));
}

static char fixture_buf[8][1024];
static int fixture_next;
static const char *fixture(const char *rel)
{
    char *b = fixture_buf[fixture_next++ % 8];
    snprintf(b, 1024, "%s/fixtures/%s", tu_srcdir(), rel);
    return b;
}

/* Rows of a sheet as "ROW|A|B|..." lines (kinds as a letter before errors
 * and dates), for whole-sheet comparisons. */
static char *dump(const char *path, unsigned long max_rows)
{
    bl_sheet *s = NULL;
    char *err = NULL;
    cr_assert_eq(bl_sheet_open(path, NULL, &s, &err), BL_OK, "%s", err ? err : "");
    bl_buf b = BL_BUF_INIT(1 << 20);
    bool eof = false;
    for (unsigned long k = 0; k < max_rows; k++) {
        cr_assert_eq(bl_sheet_next(s, &eof), BL_OK, "%s", bl_sheet_errmsg(s));
        if (eof)
            break;
        bl_buf_printf(&b, "%lu", bl_sheet_row(s));
        for (size_t i = 0; i < bl_sheet_ncells(s); i++) {
            bl_cell_kind kind;
            bl_sv v = bl_sheet_cell(s, i, &kind);
            bl_buf_printf(&b, "|%s%.*s",
                          kind == BL_CELL_ERROR  ? "E:"
                          : kind == BL_CELL_DATE ? "D:"
                                                 : "",
                          (int)v.len, v.ptr);
        }
        bl_buf_putc(&b, '\n');
    }
    bl_sheet_close(s);
    char *out = strdup(bl_buf_cstr(&b));
    bl_buf_release(&b);
    return out;
}

Test(units, shared_and_inline_strings_read_alike)
{
    char *a = dump(fixture("sheets/pr-shared.xlsx"), 100);
    char *b = dump(fixture("sheets/pr-inline.xlsx"), 100);
    char *c = dump(fixture("sheets/pr-numbers-as-text.xlsx"), 100);
    cr_assert_str_eq(a, b);
    cr_assert_str_eq(a, c, "numbers stored as text read as the same text");
    cr_assert(strstr(a, "1|Report_Name|Platform Master Report\n"), "%s", a);
    cr_assert(strstr(a, "\n15|Médiathèque centrale|ISNI:0000000123456789|PresseNum|"
                        "Newspaper_or_Newsletter|Regular|Total_Item_Requests|600|100|200|300\n"),
              "%s", a);
    /* Row 13 (blank) and row 18 (the delimiter-only row) are not in the file. */
    cr_assert(strstr(a, "\n12|Created_By|PresseNum\n14|Institution_Name|"), "%s", a);
    cr_assert(strstr(a, "\n17|Bibliothèque inconnue|"), "%s", a);
    cr_assert(strstr(a, "\n19|Bibliothèque du village|"), "%s", a);
    free(a);
    free(b);
    free(c);
}

Test(units, month_headings_as_date_serials)
{
    char *a = dump(fixture("sheets/pr-serial-1900.xlsx"), 100);
    char *b = dump(fixture("sheets/pr-serial-1904.xlsx"), 100);
    const char *want = "|Reporting_Period_Total|D:2025-01-01|D:2025-02-01|D:2025-03-01\n";
    cr_assert(strstr(a, want), "%s", a);
    cr_assert(strstr(b, want), "%s", b);
    free(a);
    free(b);
}

Test(units, styled_empty_rows_are_no_rows)
{
    char *a = dump(fixture("sheets/pr-styled-blank-rows.xlsx"), 100);
    char *b = dump(fixture("sheets/pr-inline.xlsx"), 100);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
}

Test(units, error_cell_is_its_own_kind)
{
    char *a = dump(fixture("sheets/pr-error-cell.xlsx"), 100);
    cr_assert(strstr(a,
                     "\n15|Médiathèque centrale|ISNI:0000000123456789|PresseNum|"
                     "Newspaper_or_Newsletter|Regular|Total_Item_Requests|600|100|E:#DIV/0!|300\n"),
              "%s", a);
    free(a);
}

Test(units, ods_reads_as_xlsx_and_its_repeated_empty_rows_cost_nothing)
{
    /* pr.ods ends with 1 048 000 repeated empty rows and 1 000 repeated
     * empty cells per row: no row and no cell come of them. */
    char *a = dump(fixture("sheets/pr.ods"), 2000000);
    char *b = dump(fixture("sheets/pr-serial-1900.xlsx"), 100);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
}

Test(units, not_a_spreadsheet_zip_refused)
{
    bl_sheet *s = NULL;
    char *err = NULL;
    const char *p = fixture("bad/garbage.csv.gz");
    cr_assert_eq(bl_sheet_open(p, NULL, &s, &err), BL_DATA);
    cr_assert(strstr(err, "zip"), "%s", err);
    free(err);
}

/* ---- the real binary ------------------------------------------------------ */

typedef struct env {
    char *dir;
    char db[1024];
} env;

static tu_run bilan(const char *db, const char *a1, const char *a2, const char *a3, const char *a4)
{
    const char *argv[] = {tu_bilan(), "--db", db, a1, a2, a3, a4, NULL};
    return tu_runv(argv, NULL);
}

static void setup_store(env *e, const char *tag, bool network)
{
    e->dir = tu_mkdtemp(tag);
    snprintf(e->db, sizeof e->db, "%s/t.db", e->dir);
    if (network) {
        tu_run r = bilan(e->db, "network", "import", fixture("ingest/network"), NULL);
        cr_assert_eq(r.status, 0, "network import: %s", r.err);
        tu_run_free(&r);
    }
}

static void done(env *e)
{
    tu_rmtree(e->dir);
    free(e->dir);
}

static char *export_usage(const char *db)
{
    tu_run r = bilan(db, "export", "usage", "--access-method", "all");
    cr_assert_eq(r.status, 0, "export: %s", r.err);
    char *out = r.out;
    r.out = NULL;
    tu_run_free(&r);
    return out;
}

/* The export of a fresh store (test network or none) after ingesting path. */
static char *export_of(const char *path, bool network)
{
    env e;
    setup_store(&e, "sheet", network);
    tu_run r = bilan(e.db, "ingest", path, NULL, NULL);
    cr_assert_eq(r.status, 0, "ingest %s: exit %d: %s", path, r.status, r.err);
    tu_run_free(&r);
    char *out = export_usage(e.db);
    done(&e);
    return out;
}

static void same_export(const char *a, const char *b, bool network)
{
    char *ea = export_of(a, network), *eb = export_of(b, network);
    cr_assert(tu_count(ea, "\n") > 1, "%s: nothing exported:\n%s", a, ea);
    cr_assert_str_eq(eb, ea, "%s and %s differ", b, a);
    free(ea);
    free(eb);
}

Test(samples, counter_r50_xlsx_exports_as_its_tsv, .timeout = 300)
{
    static const char *const ids[] = {"PR",    "PR_P1", "DR", "DR_D1", "TR",
                                      "TR_B1", "TR_J1", "IR", "IR_M1"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char tsv[64], xlsx[64];
        snprintf(tsv, sizeof tsv, "sheets/counter-samples/Sample-%s.tsv", ids[i]);
        snprintf(xlsx, sizeof xlsx, "sheets/counter-samples/Sample-%s.xlsx", ids[i]);
        same_export(fixture(tsv), fixture(xlsx), false);
    }
}

Test(variants, every_way_of_writing_the_pr_exports_as_its_csv, .timeout = 300)
{
    static const char *const v[] = {"pr-shared.xlsx",
                                    "pr-inline.xlsx",
                                    "pr-numbers-as-text.xlsx",
                                    "pr-serial-1900.xlsx",
                                    "pr-serial-1904.xlsx",
                                    "pr-styled-blank-rows.xlsx",
                                    "pr.ods"};
    char *csv = export_of(fixture("ingest/pr-2025q1.csv"), true);
    cr_assert(strstr(csv, "bm-centre"), "the CSV is attributed: %s", csv);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "sheets/%s", v[i]);
        char *x = export_of(fixture(rel), true);
        cr_assert_str_eq(x, csv, "%s", v[i]);
        free(x);
    }
    free(csv);
}

Test(variants, r4_with_merged_title_and_as_ods_exports_as_its_csv, .timeout = 120)
{
    same_export(fixture("ingest/jr1-2025.csv"), fixture("sheets/jr1-merged-title.xlsx"), true);
    same_export(fixture("ingest/jr1-2025.csv"), fixture("sheets/jr1.ods"), true);
}

Test(rows, error_cell_rejects_its_row_naming_file_row_column_and_error)
{
    env e;
    setup_store(&e, "sheet", true);
    const char *p = fixture("sheets/pr-error-cell.xlsx");
    tu_run r = bilan(e.db, "ingest", p, NULL, NULL);
    cr_assert_eq(r.status, 0, "a bad row is rejected alone: %s", r.err);
    char want[1200];
    snprintf(want, sizeof want, "%s:15: column I: cell I15 holds the formula error #DIV/0!", p);
    cr_assert(strstr(r.err, want), "expected '%s' in: %s", want, r.err);
    tu_run_free(&r);
    char *x = export_usage(e.db);
    /* Row 15 (Total_Item_Requests of bm-centre) is gone, row 16 is kept. */
    cr_assert(!strstr(x, "Total_Item_Requests,100"), "%s", x);
    cr_assert(strstr(x, "ca-test,bm-centre,presse,2025-01,Unique_Item_Requests,10\n"), "%s", x);
    free(x);
    done(&e);
}

static void refused(const char *path, const char *reason)
{
    env e;
    setup_store(&e, "sheet", true);
    tu_run r = bilan(e.db, "ingest", fixture("ingest/pr-2025q1.csv"), NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *before = export_usage(e.db);
    r = bilan(e.db, "ingest", path, NULL, NULL);
    cr_assert_eq(r.status, 65, "%s: exit %d: %s", path, r.status, r.err);
    cr_assert(strstr(r.err, path), "the message names the file: %s", r.err);
    cr_assert(strstr(r.err, reason), "the message says '%s': %s", reason, r.err);
    tu_run_free(&r);
    char *after = export_usage(e.db);
    cr_assert_str_eq(after, before, "the store changed");
    r = bilan(e.db, "sources", NULL, NULL, NULL);
    cr_assert_eq(tu_count(r.out, "pr-2025q1.csv"), 1, "one source: %s", r.out);
    cr_assert(!strstr(r.out, path), "the refused file is no source: %s", r.out);
    tu_run_free(&r);
    free(before);
    free(after);
    done(&e);
}

Test(refusals, a_spreadsheet_that_is_not_a_report)
{
    refused(fixture("sheets/not-a-report.xlsx"),
            "spreadsheet that is not a COUNTER report: its first row (row 1) starts with "
            "'Budget 2025', expected Report_Name");
}

Test(refusals, truncated_xlsx)
{
    char *dir = tu_mkdtemp("trunc");
    size_t n = 0;
    char *all = tu_read_file(fixture("sheets/pr-shared.xlsx"), &n);
    cr_assert(all && n > 1000);
    char p[1100];
    snprintf(p, sizeof p, "%s/truncated.xlsx", dir);
    cr_assert(tu_write_file(p, all, n / 2));
    refused(p, "truncated");
    free(all);
    tu_rmtree(dir);
    free(dir);
}

Test(identity, the_same_xlsx_twice_is_the_same_file)
{
    env e;
    setup_store(&e, "sheet", true);
    const char *p = fixture("sheets/pr-shared.xlsx");
    tu_run r = bilan(e.db, "ingest", p, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *before = export_usage(e.db);
    /* The same bytes under another name: recognised by content. */
    tu_run c = tu_sh("cp '%s' '%s/copy.xlsx'", p, e.dir);
    cr_assert_eq(c.status, 0);
    tu_run_free(&c);
    char copy[1100];
    snprintf(copy, sizeof copy, "%s/copy.xlsx", e.dir);
    r = bilan(e.db, "ingest", copy, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "already ingested as #1"), "%s", r.out);
    tu_run_free(&r);
    char *after = export_usage(e.db);
    cr_assert_str_eq(after, before);
    free(before);
    free(after);
    done(&e);
}

/* ---- network lists -------------------------------------------------------- */

/* Every list of the network of `dir`, as `network show LIST --format csv`. */
static char *network_lists(const char *dir)
{
    env e;
    e.dir = tu_mkdtemp("net");
    snprintf(e.db, sizeof e.db, "%s/t.db", e.dir);
    tu_run r = bilan(e.db, "network", "import", dir, NULL);
    cr_assert_eq(r.status, 0, "network import %s: %s", dir, r.err);
    tu_run_free(&r);
    bl_buf b = BL_BUF_INIT(1 << 20);
    static const char *const lists[] = {"partners", "libraries", "resources", "forfaits"};
    for (size_t i = 0; i < 4; i++) {
        const char *argv[] = {tu_bilan(), "--db",     e.db,  "network", "show",
                              lists[i],   "--format", "csv", NULL};
        r = tu_runv(argv, NULL);
        cr_assert_eq(r.status, 0, "network show %s: %s", lists[i], r.err);
        cr_assert(tu_count(r.out, "\n") > 1, "%s: empty list %s", dir, lists[i]);
        bl_buf_puts(&b, r.out);
        tu_run_free(&r);
    }
    done(&e);
    char *out = strdup(bl_buf_cstr(&b));
    bl_buf_release(&b);
    return out;
}

Test(network, lists_as_xlsx_and_as_ods_show_as_their_csv)
{
    char *csv = network_lists(fixture("forfaits/network"));
    char *xlsx = network_lists(fixture("sheets/network-xlsx"));
    char *ods = network_lists(fixture("sheets/network-ods"));
    cr_assert(strstr(csv, "vod-2026,vod,12000,2026-01-01,2026-12-31,"), "%s", csv);
    cr_assert_str_eq(xlsx, csv);
    cr_assert_str_eq(ods, csv);
    free(csv);
    free(xlsx);
    free(ods);
}

Test(network, a_list_as_csv_and_as_xlsx_both_present_is_refused)
{
    char *dir = tu_mkdtemp("net2");
    tu_run c = tu_sh("cp '%s'/*.csv '%s/' && cp '%s/partners.xlsx' '%s/'",
                     fixture("forfaits/network"), dir, fixture("sheets/network-xlsx"), dir);
    cr_assert_eq(c.status, 0, "%s", c.err);
    tu_run_free(&c);
    char db[1100];
    snprintf(db, sizeof db, "%s/t.db", dir);
    tu_run r = bilan(db, "network", "import", dir, NULL);
    cr_assert_eq(r.status, 65, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "both partners.csv and partners.xlsx are present"), "%s", r.err);
    tu_run_free(&r);
    tu_rmtree(dir);
    free(dir);
}

/* ---- tables without their header block ------------------------------------ */

Test(headerless, a_pr_without_its_header_block_exports_as_the_whole_report, .timeout = 120)
{
    char *whole = export_of(fixture("ingest/pr-2025q1.csv"), true);
    char *csv = export_of(fixture("sheets/pr-headerless.csv"), true);
    char *xlsx = export_of(fixture("sheets/pr-headerless.xlsx"), true);
    cr_assert_str_eq(csv, whole);
    cr_assert_str_eq(xlsx, whole);
    free(whole);
    free(csv);
    free(xlsx);
}

static char *ingest_export(env *e, const char *path, const char *library, int want_status)
{
    tu_run r = library ? bilan(e->db, "ingest", "--library", library, path)
                       : bilan(e->db, "ingest", path, NULL, NULL);
    cr_assert_eq(r.status, want_status, "ingest %s: exit %d: %s", path, r.status, r.err);
    if (want_status == 0)
        cr_assert(strstr(r.err, "no header block: read as a COUNTER R5 PR from its columns"), "%s",
                  r.err);
    tu_run_free(&r);
    return export_usage(e->db);
}

Test(headerless, the_institution_from_library_or_none, .timeout = 120)
{
    static const char *const files[] = {"sheets/pr-headerless-noinst.tsv",
                                        "sheets/pr-headerless-noinst.xlsx"};
    for (size_t i = 0; i < 2; i++) {
        env e;
        setup_store(&e, "hl", true);
        char *x = ingest_export(&e, fixture(files[i]), "bm-village", 0);
        cr_assert_str_eq(x,
                         "partner_id,library_id,resource_id,month,metric,value\n"
                         "vil-test,bm-village,presse,2025-01,Total_Item_Requests,10\n"
                         "vil-test,bm-village,presse,2025-01,Unique_Item_Requests,1\n"
                         "vil-test,bm-village,presse,2025-02,Total_Item_Requests,20\n"
                         "vil-test,bm-village,presse,2025-02,Unique_Item_Requests,2\n"
                         "vil-test,bm-village,presse,2025-03,Total_Item_Requests,30\n"
                         "vil-test,bm-village,presse,2025-03,Unique_Item_Requests,3\n",
                         "%s", files[i]);
        /* Re-attribution after a network import keeps it. */
        tu_run r = bilan(e.db, "network", "import", fixture("ingest/network"), NULL);
        cr_assert_eq(r.status, 0, "%s", r.err);
        tu_run_free(&r);
        char *y = export_usage(e.db);
        cr_assert_str_eq(y, x);
        free(x);
        free(y);
        done(&e);

        setup_store(&e, "hl", true);
        x = ingest_export(&e, fixture(files[i]), NULL, 0);
        cr_assert(strstr(x, "\n,,presse,2025-01,Total_Item_Requests,10\n"), "unattributed: %s", x);
        cr_assert(!strstr(x, "bm-village"), "%s", x);
        free(x);
        done(&e);
        /* A library the network does not have: nothing read. */
        setup_store(&e, "hl", true);
        char *before = export_usage(e.db);
        x = ingest_export(&e, fixture(files[i]), "bm-nulle-part", 65);
        cr_assert_str_eq(x, before);
        free(x);
        free(before);
        done(&e);
    }
}

/* ---- real-world files ----------------------------------------------------- */

/* The sum of the value column of an export, and its number of rows. */
static long long export_sum(const char *x, int *rows)
{
    long long sum = 0;
    *rows = 0;
    for (const char *l = strchr(x, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        const char *end = strchr(l + 1, '\n'), *last = NULL;
        for (const char *p = l + 1; end && p < end; p++)
            if (*p == ',')
                last = p;
        if (last) {
            sum += atoll(last + 1);
            (*rows)++;
        }
    }
    return sum;
}

Test(real_world, pycounter_jr1_xlsx, .timeout = 60)
{
    char *x = export_of(fixture("sheets/pycounter/JR1.xlsx"), false);
    int rows;
    cr_assert_eq(export_sum(x, &rows), 114773, "%s", x);
    cr_assert_eq(rows, 12, "%s", x);
    free(x);
    x = export_of(fixture("sheets/pycounter/JR1_bad.xlsx"), false);
    cr_assert_eq(export_sum(x, &rows), 114773, "%s", x);
    free(x);
}

/* The JR1 without its seven header rows, with --library naming the library
 * its header named: the same export as the whole report. */
Test(headerless, an_r4_jr1_without_its_header_rows, .timeout = 120)
{
    char *whole = export_of(fixture("ingest/jr1-2025.csv"), true);
    cr_assert(strstr(whole, "ca-test,bm-centre,presse,2025-01,Total_Item_Requests,150\n"), "%s",
              whole);
    static const char *const files[] = {"sheets/jr1-headerless.csv", "sheets/jr1-headerless.xlsx"};
    for (size_t i = 0; i < 2; i++) {
        env e;
        setup_store(&e, "hl4", true);
        tu_run r = bilan(e.db, "ingest", "--library", "bm-centre", fixture(files[i]));
        cr_assert_eq(r.status, 0, "%s: %s", files[i], r.err);
        cr_assert(strstr(r.err, "no header block: read as a COUNTER R4 JR1 from its columns, "
                                "institution bm-centre"),
                  "%s", r.err);
        tu_run_free(&r);
        char *x = export_usage(e.db);
        cr_assert_str_eq(x, whole, "%s", files[i]);
        free(x);
        done(&e);
    }
    free(whole);
}

/* celus-nibbler's real PR (MIT): the report, and the same table with its
 * header block cut off, count the same; its 8 rows add up to 1 583. */
Test(real_world, celus_nibbler_pr_with_and_without_its_header_block, .timeout = 60)
{
    char *whole = export_of(fixture("sheets/celus/PR-e.csv"), true);
    char *table = export_of(fixture("sheets/celus/PR-e-headerless.csv"), true);
    cr_assert_str_eq(table, whole);
    int rows;
    cr_assert_eq(export_sum(whole, &rows), 1583, "%s", whole);
    cr_assert_eq(rows, 44, "%s", whole);
    free(whole);
    free(table);
}
