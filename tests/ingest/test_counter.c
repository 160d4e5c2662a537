/* COUNTER R5/R5.1 and R4 readers: exact records, sums, row rejections with
 * line numbers, file refusals with messages, gzip, messy files, detection.
 * Expected values are computed by hand from the fixtures (or, for COUNTER's
 * own samples, from their Reporting_Period_Total column, which the reader
 * only uses to cross-check the months: it sums the months itself). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter_sink.h"
#include "testutil.h"
#include "counter_internal.h"

static int mi(const char *ym)
{
    int m = -1;
    cr_assert(bl_month_parse(ym, &m), "bad month %s", ym);
    return m;
}

static void assert_clean(const ts_sink *t)
{
    cr_assert_eq(t->result, BL_OK, "status %d: %s", t->result, t->errmsg ? t->errmsg : "");
    cr_assert_eq(t->begins, 1);
    cr_assert_eq(ts_ndiag(t, BL_DIAG_ROW), 0, "unexpected row rejection: %s",
                 t->ndiags ? t->diags[0].reason : "");
    cr_assert_eq(ts_ndiag(t, BL_DIAG_FILE), 0);
}

static bool has(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle);
}

/* ---- COUNTER's own R5.1 / R5 samples (Code of Practice appendix) --------- */

Test(counter5, sample_pr_p1_r51)
{
    ts_sink t;
    ts_run(&t, 5, "counter5/PRP1_sample_r51.tsv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.format, "counter5");
    cr_assert_str_eq(t.report_id, "PR_P1");
    cr_assert_eq(t.family, BL_FAM_PR);
    cr_assert_eq(t.release, 51);
    cr_assert_str_eq(t.inst_name, "Sample Institution");
    cr_assert_str_eq(t.inst_id, "ISNI:1234123412341234");
    cr_assert_str_eq(t.created_by, "Sample Publisher");
    cr_assert_eq(t.period_begin, mi("2022-01"));
    cr_assert_eq(t.period_end, mi("2022-12"));
    cr_assert_eq(t.ncounts, 612); /* 51 rows x 12 months, none zero */
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", "Regular"), 254742);
    cr_assert_eq(ts_sum(&t, "Unique_Item_Requests", NULL), 191202);
    cr_assert_eq(ts_sum(&t, "Unique_Title_Requests", NULL), 8898);
    cr_assert_eq(ts_sum(&t, "Searches_Platform", NULL), 196697);
    cr_assert_eq(ts_sum_month(&t, "Total_Item_Requests", "2022-01"), 21073);
    cr_assert_str_eq(t.counts[0].platform, "Platform 1");
    cr_assert_eq(t.counts[0].line, 16);
    cr_assert_str_eq(t.counts[0].title, "");
    ts_free(&t);
}

Test(counter5, sample_dr_d2_r51)
{
    ts_sink t;
    ts_run(&t, 5, "counter5/DRD2_sample_r51.tsv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.report_id, "DR_D2");
    cr_assert_eq(t.family, BL_FAM_DR);
    cr_assert_eq(t.ncounts, 72);
    cr_assert_eq(ts_sum(&t, "Limit_Exceeded", NULL), 1624);
    cr_assert_eq(ts_sum(&t, "No_License", NULL), 1576);
    cr_assert_str_eq(t.counts[0].database, "Database 1");
    cr_assert_str_eq(t.counts[0].platform, "Platform 1");
    cr_assert_eq(t.counts[0].value, 47);
    ts_free(&t);
}

Test(counter5, sample_ir_m1_r51)
{
    ts_sink t;
    ts_run(&t, 5, "counter5/IRM1_sample_r51.tsv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.report_id, "IR_M1");
    cr_assert_eq(t.family, BL_FAM_IR);
    cr_assert_str_eq(t.inst_id, "P1:1234; ISNI:1234123412341234");
    cr_assert_eq(t.ncounts, 120);
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 55037);
    cr_assert_eq(ts_sum(&t, "Unique_Item_Requests", NULL), 41282);
    cr_assert_eq(ts_sum_month(&t, "Total_Item_Requests", "2022-01"), 4862);
    cr_assert_str_eq(t.counts[0].title, "Item 2");
    ts_free(&t);
}

Test(counter5, sample_tr_b1_r50)
{
    ts_sink t;
    ts_run(&t, 5, "counter5/Sample-TR_B1_r50.tsv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.report_id, "TR_B1");
    cr_assert_eq(t.family, BL_FAM_TR);
    cr_assert_eq(t.release, 5);
    cr_assert_eq(t.ncounts, 2); /* only March is non-zero */
    cr_assert_str_eq(t.counts[0].title, "Book 1715");
    cr_assert_str_eq(t.counts[0].platform, "PPDelta");
    cr_assert_str_eq(t.counts[0].metric, "Total_Item_Requests");
    cr_assert_str_eq(t.counts[0].access_method, "Regular");
    cr_assert_eq(t.counts[0].month, mi("2016-03"));
    cr_assert_eq(t.counts[0].value, 5);
    cr_assert_eq(t.counts[0].line, 15);
    cr_assert_str_eq(t.counts[1].metric, "Unique_Title_Requests");
    ts_free(&t);
}

/* ---- bilan's own R5 fixtures ------------------------------------------------ */

Test(counter5, pr_csv_checks_reporting_period_total)
{
    ts_sink t;
    ts_run(&t, 5, "counter5/pr_cairn.csv", false);
    cr_assert_eq(t.result, BL_OK, "%s", t.errmsg ? t.errmsg : "");
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_ROW), 1);
    /* The Book row claims a total of 99 over 5+5+5: rejected, both figures said. */
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_ROW, 17);
    cr_assert_not_null(d);
    cr_assert_str_eq(d->field, "Reporting_Period_Total");
    cr_assert_str_eq(d->reason, "months add up to 15, Reporting_Period_Total says 99");
    cr_assert_str_eq(t.report_id, "PR");
    cr_assert_eq(t.release, 5);
    cr_assert_str_eq(t.inst_name, "Réseau des médiathèques de la Manche");
    cr_assert_str_eq(t.created_by, "Cairn.info");
    cr_assert_eq(t.period_begin, mi("2025-01"));
    cr_assert_eq(t.period_end, mi("2025-03"));
    cr_assert_eq(t.ncounts, 9);
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", "Regular"), 60); /* 12+20+28 */
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", "TDM"), 7);
    cr_assert_eq(ts_sum(&t, "Unique_Item_Requests", NULL), 40);
    cr_assert_eq(ts_sum(&t, "Searches_Platform", NULL), 1016);
    cr_assert_eq(ts_sum_month(&t, "Unique_Item_Requests", "2025-02"), 0);
    const ts_count *c = &t.counts[0];
    cr_assert_eq(c->line, 15);
    cr_assert_str_eq(c->platform, "Cairn.info");
    cr_assert_str_eq(c->database, "");
    cr_assert_str_eq(c->inst_id, ""); /* the header's applies */
    ts_free(&t);
}

Test(counter5, dr_tsv)
{
    ts_sink t;
    ts_run(&t, 5, "counter5/dr_d1.tsv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.report_id, "DR_D1");
    cr_assert_str_eq(t.inst_name, "Médiathèque de Saint-Lô");
    cr_assert_eq(t.ncounts, 7);
    cr_assert_eq(ts_sum(&t, "Searches_Regular", NULL), 280);
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 45);
    cr_assert_eq(ts_sum(&t, "Total_Item_Investigations", NULL), 12);
    cr_assert_str_eq(t.counts[4].database, "Universalis");
    cr_assert_str_eq(t.counts[4].platform, "EBSCOhost");
    cr_assert_eq(t.counts[4].line, 17);
    ts_free(&t);
}

Test(counter5, tr_b1_gzip)
{
    ts_sink t;
    ts_run(&t, 0, "counter5/tr_b1.csv.gz", false);
    assert_clean(&t);
    cr_assert_str_eq(t.report_id, "TR_B1");
    cr_assert_eq(t.ncounts, 5);
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 20);
    cr_assert_eq(ts_sum(&t, "Unique_Title_Requests", NULL), 3);
    cr_assert_str_eq(t.counts[4].title, "Histoire de France, tome 1");
    cr_assert_str_eq(t.counts[4].platform, "ScholarVox");
    cr_assert_eq(t.counts[4].value, 11);
    cr_assert_null(t.inst_id); /* empty Institution_ID */
    ts_free(&t);
}

Test(counter5, truncated_gzip_refused)
{
    ts_sink t;
    ts_run(&t, 5, "counter5/tr_b1_truncated.csv.gz", false);
    cr_assert_eq(t.result, BL_DATA);
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_FILE), 1);
    cr_assert(has(t.errmsg, "tr_b1_truncated.csv.gz: "), "%s", t.errmsg);
    cr_assert(has(t.errmsg, "gzip stream"), "%s", t.errmsg);
    ts_free(&t);
}

Test(counter5, bad_rows_rejected_alone)
{
    ts_sink t;
    ts_run(&t, 5, "counter5/pr_bad_rows.csv", false);
    cr_assert_eq(t.result, BL_OK, "%s", t.errmsg ? t.errmsg : "");
    cr_assert_eq(t.release, 51);
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_ROW), 4);
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_ROW, 17);
    cr_assert_not_null(d);
    cr_assert_str_eq(d->field, "Jan-2025");
    cr_assert_str_eq(d->reason, "'abc' is not a count");
    d = ts_diag_at(&t, BL_DIAG_ROW, 18);
    cr_assert_not_null(d);
    cr_assert_str_eq(d->reason, "'-3' is negative: a count cannot be below 0");
    d = ts_diag_at(&t, BL_DIAG_ROW, 19);
    cr_assert_not_null(d);
    cr_assert_str_eq(d->field, "Platform");
    d = ts_diag_at(&t, BL_DIAG_ROW, 20);
    cr_assert_not_null(d);
    cr_assert_str_eq(d->field, "Metric_Type");
    /* A March count in a report made on 20 Feb is kept: Created never
     * rejects a row (the aggregator judges its plausibility). */
    cr_assert_null(ts_diag_at(&t, BL_DIAG_ROW, 21));
    /* Nothing from the rejected rows; lines 16, 21 and 22 kept. */
    cr_assert_eq(t.ncounts, 6);
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 30);
    cr_assert_eq(ts_sum(&t, "Searches_Platform", NULL), 12);
    cr_assert_eq(ts_sum(&t, "Unique_Item_Requests", NULL), 0);
    cr_assert_eq(ts_sum(&t, "Unique_Title_Requests", NULL), 9);
    ts_free(&t);
}

Test(counter5, strict_refuses_at_first_bad_row)
{
    ts_sink t;
    ts_run(&t, 5, "counter5/pr_bad_rows.csv", true);
    cr_assert_eq(t.result, BL_DATA);
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_ROW), 1);
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_FILE), 1);
    cr_assert(has(t.errmsg, "pr_bad_rows.csv: line 17: Jan-2025: 'abc' is not a count"), "%s",
              t.errmsg);
    ts_free(&t);
}

/* Over-long lines are generated here, not committed. */
static char *write_tmp(const char *dir, const char *name, const char *data, size_t len)
{
    char *path = bl_strdup_printf("%s/%s", dir, name);
    cr_assert(tu_write_file(path, data, len));
    return path;
}

Test(counter5, long_data_line_is_a_row_diagnostic)
{
    char *dir = tu_mkdtemp("counter");
    bl_buf b = BL_BUF_INIT(2 * BL_CTR_LINE_CAP);
    bl_buf_puts(&b, "Report_Name,Platform Report\nReport_ID,PR\nRelease,5\n\n"
                    "Platform,Metric_Type,Jan-2025\nA,Total_Item_Requests,1\nB,");
    for (size_t i = 0; i < BL_CTR_LINE_CAP + 10; i++)
        bl_buf_putc(&b, 'x');
    bl_buf_puts(&b, "\nC,Total_Item_Requests,2\n");
    char *path = write_tmp(dir, "long.csv", b.data, b.len);
    ts_sink t;
    ts_run_path(&t, 5, path, false);
    cr_assert_eq(t.result, BL_OK, "%s", t.errmsg ? t.errmsg : "");
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_ROW), 1);
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_ROW, 7);
    cr_assert_not_null(d);
    cr_assert(has(d->reason, "line longer than"));
    cr_assert_eq(t.ncounts, 2);
    cr_assert_eq(t.counts[1].line, 8);
    cr_assert_eq(t.counts[1].value, 2);
    cr_assert(!d->has_row); /* not read far enough to know its names */
    ts_free(&t);
    /* The same in the header refuses the file. */
    bl_buf_clear(&b);
    bl_buf_puts(&b, "Report_Name,");
    for (size_t i = 0; i < BL_CTR_LINE_CAP + 10; i++)
        bl_buf_putc(&b, 'x');
    bl_buf_puts(&b, "\nRelease,5\n");
    free(path);
    path = write_tmp(dir, "longhdr.csv", b.data, b.len);
    ts_run_path(&t, 5, path, false);
    cr_assert_eq(t.result, BL_DATA);
    cr_assert(has(t.errmsg, "line 1: line longer than"), "%s", t.errmsg);
    cr_assert_eq(t.begins, 0);
    ts_free(&t);
    free(path);
    bl_buf_release(&b);
    tu_rmtree(dir);
    free(dir);
}

/* Many batches of rows, each read by the consumer from their text, split
 * by the reading thread, or with their plain counts read ahead there too
 * (bl__ctr_work: every mode, then as the pace decides): every kind of month
 * cell gives the counts and the rejections it gives alone, whichever thread
 * read it. */
static void counts_alike_in_mode(int mode);

Test(counter5, counts_read_ahead_or_not_alike)
{
    const int modes[] = {BL_CTR_WORK_COPY, BL_CTR_WORK_SPLIT, BL_CTR_WORK_PREP, BL_CTR_WORK_AUTO};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
        counts_alike_in_mode(modes[i]);
}

static void counts_alike_in_mode(int mode)
{
    bl__ctr_work(mode);
    enum { ROWS = 20000, FIRST_LINE = 6 };
    char *dir = tu_mkdtemp("counter");
    bl_buf b = BL_BUF_INIT(1 << 22);
    bl_buf_puts(&b, "Report_Name,Title Report\nReport_ID,TR\nRelease,5\n\n"
                    "Title,Platform,Metric_Type,Reporting_Period_Total");
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int m = 0; m < 12; m++)
        bl_buf_printf(&b, ",%s-2025", mon[m]);
    bl_buf_puts(&b, "\n");
    int64_t want[12] = {0}, nwant = 0;
    static bool rejected[ROWS];
    for (int i = 0; i < ROWS; i++) {
        char cell[12][16];
        int64_t v[12] = {0}, sum = 0;
        int kind = i % 1000 == 999 ? 10 : i % 10, ncells = kind == 10 ? 3 : 12;
        for (int m = 0; m < 12; m++) {
            v[m] = (i * 7 + m * 3) % 40;
            if ((i + m) % 4 == 0)
                snprintf(cell[m], sizeof cell[m], "%s", ""), v[m] = 0;
            else
                snprintf(cell[m], sizeof cell[m], "%lld", (long long)v[m]);
        }
        if (kind == 6) /* nine digits: a count, not read ahead */
            v[i % 12] = 123456789, snprintf(cell[i % 12], sizeof cell[0], "123456789");
        if (kind == 9) { /* a quoted cell, five digits, eight digits */
            v[0] = 5, snprintf(cell[0], sizeof cell[0], "\"5\"");
            v[1] = 12345, snprintf(cell[1], sizeof cell[1], "12345");
            v[2] = 87654321, snprintf(cell[2], sizeof cell[2], "87654321");
        }
        if (kind == 5) /* zeros written out */
            v[3] = 0, snprintf(cell[3], sizeof cell[3], "000");
        for (int m = 0; m < ncells; m++)
            sum += v[m];
        rejected[i] = kind == 7 || kind == 8;
        if (kind == 7)
            snprintf(cell[i % 12], sizeof cell[0], "abc");
        bl_buf_printf(&b, "T%d,P,Total_Item_Requests,", i);
        if (kind == 8)
            bl_buf_printf(&b, "%lld", (long long)sum + 1);
        else if (kind != 9)
            bl_buf_printf(&b, "%lld", (long long)sum);
        for (int m = 0; m < ncells; m++)
            bl_buf_printf(&b, ",%s", cell[m]);
        bl_buf_puts(&b, "\n");
        for (int m = 0; m < 12 && !rejected[i]; m++)
            if (m < ncells && v[m] > 0)
                want[m] += v[m], nwant++;
    }
    char *path = write_tmp(dir, "many.csv", b.data, b.len);
    ts_sink t;
    ts_run_path(&t, 5, path, false);
    cr_assert_eq(t.result, BL_OK, "%s", t.errmsg ? t.errmsg : "");
    cr_assert_eq((int64_t)t.ncounts, nwant);
    for (int m = 0; m < 12; m++) {
        char ym[8];
        snprintf(ym, sizeof ym, "2025-%02d", m + 1);
        cr_assert_eq(ts_sum_month(&t, "Total_Item_Requests", ym), want[m], "%s", ym);
    }
    size_t nrej = 0;
    for (int i = 0; i < ROWS; i++) {
        const ts_diag *d = ts_diag_at(&t, BL_DIAG_ROW, (unsigned long)(FIRST_LINE + i));
        cr_assert_eq(d != NULL, rejected[i], "line %d", FIRST_LINE + i);
        if (!d)
            continue;
        nrej++;
        if (i % 10 == 7)
            cr_assert(has(d->reason, "'abc' is not a count"), "%s", d->reason);
        else
            cr_assert(has(d->reason, "months add up to"), "%s", d->reason);
    }
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_ROW), nrej);
    ts_free(&t);
    free(path);
    bl_buf_release(&b);
    tu_rmtree(dir);
    free(dir);
    bl__ctr_work(BL_CTR_WORK_AUTO);
}

Test(counter5, quoted_line_breaks)
{
    char *dir = tu_mkdtemp("counter");
    bl_buf b = BL_BUF_INIT(1 << 16);
    bl_buf_puts(&b, "Report_Name,Title Report\nReport_ID,TR\nRelease,5\n\n"
                    "Title,Platform,Metric_Type,Jan-2025\n"
                    "\"Line one\r\nline two\",P,Total_Item_Requests,4\n" /* lines 6-7 */
                    "Next,P,Total_Item_Requests,1\n"                     /* line 8 */
                    "\"Unclosed,P,Total_Item_Requests,4\n");             /* line 9 */
    for (int i = 10; i <= 20; i++)
        bl_buf_printf(&b, "T%d,P,Total_Item_Requests,%d\n", i, i);
    char *path = write_tmp(dir, "quotes.csv", b.data, b.len);
    ts_sink t;
    ts_run_path(&t, 5, path, false);
    cr_assert_eq(t.result, BL_OK, "%s", t.errmsg ? t.errmsg : "");
    cr_assert_str_eq(t.counts[0].title, "Line one\r\nline two");
    cr_assert_eq(t.counts[0].line, 6);
    cr_assert_eq(t.counts[1].line, 8);
    /* The unclosed quote takes 8 lines (9-16) with it, says so, and reading
     * resumes at line 17. */
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_ROW, 9);
    cr_assert_not_null(d);
    cr_assert(has(d->reason, "lines 9 to 16 skipped"), "%s", d->reason);
    cr_assert_eq(t.ncounts, 2 + 4);
    cr_assert_eq(t.counts[2].line, 17);
    cr_assert_eq(t.counts[2].value, 17);
    ts_free(&t);
    free(path);
    bl_buf_release(&b);
    tu_rmtree(dir);
    free(dir);
}

Test(counter5, report_id_from_name_and_default_release)
{
    char *dir = tu_mkdtemp("counter");
    const char *text = "Report_Name,Book Requests (Excluding OA_Gold)\nCreated_By,Numilog\n\n"
                       "Title,Platform,Metric_Type,Jan-2025\nX,P,Total_Item_Requests,1\n";
    char *path = write_tmp(dir, "noid.csv", text, strlen(text));
    ts_sink t;
    ts_run_path(&t, 5, path, false);
    cr_assert_eq(t.result, BL_OK, "%s", t.errmsg ? t.errmsg : "");
    cr_assert_str_eq(t.report_id, "TR_B1");
    cr_assert_eq(t.release, 5);
    cr_assert_eq(t.period_begin, mi("2025-01"));
    cr_assert_eq(t.period_end, mi("2025-01"));
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_NOTE), 1); /* "no Release in the header" */
    cr_assert_eq(ts_sum(&t, NULL, NULL), 1);
    ts_free(&t);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

Test(counter5, refusals)
{
    char *dir = tu_mkdtemp("counter");
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", "empty file"},
        {"Report_Name,PR\nRelease,5\n", "no heading row"},
        {"Report_Name,Platform Report\nReport_ID,PR\nRelease,5\n\nPlatform,Jan-2025\n",
         "line 5: no Metric_Type column"},
        {"Report_Name,Title Report\nReport_ID,TR\nRelease,5\n\nPlatform,Metric_Type,Jan-2025\n",
         "no Title column in the heading row of a TR report"},
        {"Report_Name,Platform Report\nReport_ID,PR\nRelease,4\n\nPlatform,Metric_Type,Jan-2025\n",
         "Release: '4' is not a release"},
        {"Report_Name,Journal Report 1\nReport_ID,JR1\nRelease,5\n\nTitle,Metric_Type,Jan-2025\n",
         "Report_ID: 'JR1' is not a COUNTER R5 report"},
        {"Report_Name,Platform Report\nReport_ID,PR\nRelease,5\n\nPlatform,Metric_Type,Jan-2025,"
         "Jan-2025\n",
         "Jan-2025: month heading repeated"},
        /* With Metric_Type it would be a table without its header block
         * (tests/sheets): without, it is no report. */
        {"Platform,Jan-2025\n", "first cell is 'Platform', expected Report_Name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "r%zu.csv", i);
        char *path = write_tmp(dir, name, cases[i].text, strlen(cases[i].text));
        ts_sink t;
        ts_run_path(&t, 5, path, false);
        cr_assert_eq(t.result, BL_DATA, "case %zu", i);
        cr_assert_eq(ts_ndiag(&t, BL_DIAG_FILE), 1, "case %zu", i);
        cr_assert(has(t.errmsg, cases[i].msg), "case %zu: %s", i, t.errmsg);
        cr_assert(has(t.errmsg, path), "case %zu: %s", i, t.errmsg);
        cr_assert_eq(t.begins, 0);
        ts_free(&t);
        free(path);
    }
    tu_rmtree(dir);
    free(dir);
}

/* ---- messy files (fixtures/messy/README.md) ------------------------------- */

static void messy_ok(ts_sink *t, const char *name)
{
    char f[128];
    snprintf(f, sizeof f, "messy/%s", name);
    ts_run(t, 5, f, false);
    assert_clean(t);
}

Test(messy, bom_crlf)
{
    ts_sink t;
    messy_ok(&t, "bom_crlf.csv");
    cr_assert_str_eq(t.report_id, "PR");
    cr_assert_eq(t.ncounts, 4);
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 30);
    cr_assert_eq(ts_sum(&t, "Searches_Platform", NULL), 5);
    cr_assert_str_eq(t.counts[0].platform, "Europresse");
    cr_assert_str_eq(t.created_by, "Europresse");
    cr_assert_eq(t.counts[0].line, 15);
    ts_free(&t);
}

Test(messy, all_quoted)
{
    ts_sink t;
    messy_ok(&t, "all_quoted.csv");
    cr_assert_str_eq(t.report_id, "TR");
    cr_assert_eq(t.ncounts, 3);
    cr_assert_str_eq(t.counts[0].title, "Le \"Grand\" Meaulnes");
    cr_assert_str_eq(t.counts[2].title, "Vingt mille lieues sous les mers, tome 1");
    cr_assert_eq(ts_sum(&t, NULL, NULL), 9);
    ts_free(&t);
}

Test(messy, semicolon_and_space_thousands)
{
    ts_sink t;
    messy_ok(&t, "semicolon.csv");
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 2032);
    cr_assert_eq(ts_sum(&t, "Searches_Platform", NULL), 12);
    cr_assert_eq(t.period_begin, mi("2025-01")); /* "Begin_Date=...; End_Date=..." split by ';' */
    cr_assert_eq(t.period_end, mi("2025-02"));
    ts_free(&t);
}

Test(messy, quoted_thousands)
{
    ts_sink t;
    messy_ok(&t, "thousands.csv");
    cr_assert_eq(ts_sum_month(&t, "Total_Item_Requests", "2025-01"), 1016);
    cr_assert_eq(ts_sum_month(&t, "Total_Item_Requests", "2025-02"), 2500);
    cr_assert_eq(ts_sum(&t, "Searches_Platform", NULL), 12000);
    ts_free(&t);
}

Test(messy, empty_cells)
{
    ts_sink t;
    messy_ok(&t, "empty_cells.csv");
    /* Empty and zero cells give no record, but a row without any positive
     * count gives one 0, its first month's (Searches_Platform), that the
     * store knows its 0s. */
    cr_assert_eq(t.ncounts, 3);
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 4);
    cr_assert_eq(ts_sum_month(&t, "Total_Item_Requests", "2025-02"), 4);
    cr_assert_eq(ts_sum(&t, "Searches_Platform", NULL), 0);
    cr_assert_eq(ts_sum(&t, "Total_Item_Investigations", NULL), 9);
    ts_free(&t);
}

Test(messy, trailing_spaces)
{
    ts_sink t;
    messy_ok(&t, "trailing_spaces.csv");
    cr_assert_eq(t.release, 5);
    cr_assert_str_eq(t.created_by, "Europresse");
    cr_assert_eq(t.ncounts, 2);
    cr_assert_str_eq(t.counts[0].platform, "Europresse");
    cr_assert_str_eq(t.counts[0].metric, "Total_Item_Requests");
    cr_assert_eq(ts_sum(&t, NULL, NULL), 8);
    ts_free(&t);
}

Test(messy, delimiter_only_rows)
{
    ts_sink t;
    messy_ok(&t, "delimiter_rows.csv");
    cr_assert_eq(t.ncounts, 3);
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 3);
    cr_assert_eq(ts_sum(&t, "Searches_Platform", NULL), 1);
    cr_assert_eq(t.counts[2].line, 20);
    ts_free(&t);
}

Test(messy, trailer_rows_skipped_with_a_note)
{
    ts_sink t;
    messy_ok(&t, "trailers.csv");
    /* Europresse 1+2, and "Total Quality Press" is a title, not a trailer. */
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 4);
    cr_assert_eq(t.ncounts, 3);
    for (unsigned long line = 16; line <= 19; line++) {
        const ts_diag *d = ts_diag_at(&t, BL_DIAG_NOTE, line);
        cr_assert_not_null(d, "no note for line %lu", line);
        cr_assert(has(d->reason, "total row skipped"), "%s", d->reason);
    }
    cr_assert_null(ts_diag_at(&t, BL_DIAG_NOTE, 20));
    ts_free(&t);
}

static void month_case(const char *name)
{
    ts_sink t;
    messy_ok(&t, name);
    cr_assert_eq(t.ncounts, 2, "%s", name);
    cr_assert_eq(t.counts[0].month, mi("2025-01"), "%s", name);
    cr_assert_eq(t.counts[1].month, mi("2025-02"), "%s", name);
    cr_assert_eq(t.counts[1].value, 2);
    ts_free(&t);
}

Test(messy, excel_months)
{
    month_case("months_yy_mmm.csv");
    month_case("months_mmm_yy.csv");
    month_case("months_iso.csv");
}

Test(messy, windows_1252)
{
    ts_sink t;
    messy_ok(&t, "cp1252.csv");
    cr_assert_str_eq(t.inst_name, "Médiathèque de Saint-Lô");
    cr_assert_str_eq(t.counts[0].title, "Les Misérables");
    cr_assert_eq(ts_sum(&t, NULL, NULL), 5);
    bool noted = false;
    for (size_t i = 0; i < t.ndiags; i++)
        noted |= t.diags[i].level == BL_DIAG_NOTE && has(t.diags[i].reason, "Windows-1252");
    cr_assert(noted);
    ts_free(&t);
}

Test(messy, misspelt_headings)
{
    ts_sink t;
    messy_ok(&t, "misspelt_headings.csv");
    cr_assert_str_eq(t.report_id, "PR");
    cr_assert_str_eq(t.inst_name, "Médiathèque de Saint-Lô");
    cr_assert_str_eq(t.counts[0].platform, "Europresse");
    cr_assert_str_eq(t.counts[0].metric, "Total_Item_Requests"); /* canonical case */
    cr_assert_eq(ts_sum(&t, NULL, NULL), 6);
    ts_free(&t);
}

Test(messy, extra_institution_columns)
{
    ts_sink t;
    messy_ok(&t, "extra_columns.csv");
    cr_assert_eq(t.ncounts, 4);
    cr_assert_str_eq(t.counts[2].inst_name, "Médiathèque de Carentan");
    cr_assert_str_eq(t.counts[2].inst_id, "CARENTAN");
    cr_assert_str_eq(t.counts[0].inst_id, "SAINTLO");
    cr_assert_eq(ts_sum(&t, NULL, NULL), 13);
    ts_free(&t);
}

Test(messy, r4_style_period_in_r5)
{
    ts_sink t;
    messy_ok(&t, "r4_period.csv");
    cr_assert_eq(t.period_begin, mi("2025-01"));
    cr_assert_eq(t.period_end, mi("2025-02"));
    cr_assert_eq(ts_sum(&t, NULL, NULL), 3);
    ts_free(&t);
}

Test(messy, no_blank_row_before_heading)
{
    ts_sink t;
    messy_ok(&t, "no_blank_row.csv");
    cr_assert_eq(ts_sum(&t, NULL, NULL), 3);
    cr_assert_eq(t.counts[0].line, 14);
    ts_free(&t);
}

Test(messy, no_blank_row_heading_starts_with_institution)
{
    ts_sink t;
    messy_ok(&t, "no_blank_row_institution.csv");
    cr_assert_str_eq(t.inst_name, "Médiathèque de Saint-Lô"); /* the header's, untouched */
    cr_assert_eq(t.ncounts, 2);
    cr_assert_str_eq(t.counts[0].inst_name, "Médiathèque de Carentan");
    cr_assert_str_eq(t.counts[0].inst_id, "CARENTAN");
    ts_free(&t);
}

Test(messy, bare_cr_line_ends)
{
    ts_sink t;
    messy_ok(&t, "mac_cr.csv");
    cr_assert_eq(ts_sum(&t, NULL, NULL), 30);
    cr_assert_eq(t.counts[0].line, 15);
    ts_free(&t);
}

Test(messy, exclude_monthly_details_refused)
{
    ts_sink t;
    ts_run(&t, 5, "messy/exclude_monthly.csv", false);
    cr_assert_eq(t.result, BL_DATA);
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_FILE), 1);
    cr_assert(has(t.errmsg, "no month columns (made with Exclude_Monthly_Details)"), "%s",
              t.errmsg);
    cr_assert(has(t.errmsg, "monthly counts"));
    cr_assert_eq(t.ncounts, 0);
    ts_free(&t);
}

Test(messy, month_outside_period_noted)
{
    /* The month columns decide: a Reporting_Period that disagrees is a note. */
    ts_sink t;
    ts_run(&t, 5, "messy/month_outside_period.csv", false);
    assert_clean(&t);
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_NOTE, 0);
    cr_assert_not_null(d);
    cr_assert_str_eq(d->reason, "Reporting_Period says 2025-01 to 2025-02 but the month columns "
                                "run from 2025-01 to 2025-03: the month columns are read");
    cr_assert_eq(t.period_begin, mi("2025-01"));
    cr_assert_eq(t.period_end, mi("2025-03"));
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 3);
    ts_free(&t);
}

/* ---- COUNTER R4 ------------------------------------------------------------ */

Test(counter4, jr1)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/jr1.csv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.format, "counter4");
    cr_assert_str_eq(t.report_id, "JR1");
    cr_assert_eq(t.family, BL_FAM_R4_TITLE);
    cr_assert_eq(t.release, 4);
    cr_assert_str_eq(t.inst_name, "Médiathèque départementale de la Manche");
    cr_assert_str_eq(t.inst_id, "ISNI:0000000123456789");
    cr_assert_eq(t.period_begin, mi("2014-01"));
    cr_assert_eq(t.period_end, mi("2014-03"));
    cr_assert_eq(t.ncounts, 6);
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", "Regular"), 33);
    cr_assert_str_eq(t.counts[0].title, "Revue Esprit");
    cr_assert_str_eq(t.counts[0].platform, "Cairn.info");
    cr_assert_eq(t.counts[0].line, 10);
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_NOTE, 9);
    cr_assert_not_null(d);
    cr_assert(has(d->reason, "Total for all journals"));
    ts_free(&t);
}

Test(counter4, jr1_goa)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/jr1_goa.csv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.report_id, "JR1_GOA");
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 4);
    ts_free(&t);
}

Test(counter4, jr2_denials_tsv)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/jr2.tsv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.report_id, "JR2");
    cr_assert_null(t.inst_id);
    cr_assert_eq(ts_sum(&t, "Limit_Exceeded", NULL), 5);
    cr_assert_eq(ts_sum(&t, "No_License", NULL), 1);
    cr_assert_eq(t.ncounts, 3);
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_NOTE), 2);
    ts_free(&t);
}

Test(counter4, br1_blank_a8)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/br1.csv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.report_id, "BR1");
    cr_assert_eq(t.family, BL_FAM_R4_TITLE);
    cr_assert_eq(t.ncounts, 6);
    cr_assert_eq(ts_sum(&t, "Unique_Title_Requests", NULL), 9);
    cr_assert_str_eq(t.counts[0].title, "Le Horla");
    cr_assert_str_eq(t.counts[0].platform, "Cyberlibris");
    ts_free(&t);
}

Test(counter4, br2_section_type)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/br2.tsv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.report_id, "BR2");
    cr_assert_str_eq(t.inst_name, "Bibliothèque de Cherbourg");
    cr_assert_str_eq(t.inst_id, "ISNI:0000000111111111");
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 14);
    cr_assert_eq(t.ncounts, 2);
    ts_free(&t);
}

Test(counter4, br3)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/br3.csv", false);
    assert_clean(&t);
    cr_assert_eq(ts_sum(&t, "Limit_Exceeded", NULL), 3);
    cr_assert_eq(ts_sum(&t, "No_License", NULL), 0);
    ts_free(&t);
}

Test(counter4, db1_activities)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/db1.csv", false);
    assert_clean(&t);
    cr_assert_eq(t.family, BL_FAM_R4_DB);
    cr_assert_eq(t.ncounts, 7);
    cr_assert_eq(ts_sum(&t, "Searches_Regular", NULL), 30);
    cr_assert_eq(ts_sum(&t, "Searches_Federated", NULL), 4);
    cr_assert_eq(ts_sum(&t, "Total_Item_Investigations", NULL), 13);
    cr_assert_str_eq(t.counts[0].database, "Europresse");
    cr_assert_str_eq(t.counts[0].platform, "Europresse.com");
    cr_assert_str_eq(t.counts[0].title, "");
    ts_free(&t);
}

Test(counter4, db2)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/db2.csv", false);
    assert_clean(&t);
    cr_assert_eq(ts_sum(&t, "Limit_Exceeded", NULL), 8);
    cr_assert_eq(ts_sum(&t, "No_License", NULL), 2);
    ts_free(&t);
}

Test(counter4, pr1_platform_searches)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/pr1.csv", false);
    assert_clean(&t);
    cr_assert_eq(t.family, BL_FAM_R4_PR);
    cr_assert_eq(t.ncounts, 4); /* with the federated searches' row of 0 */
    cr_assert_eq(ts_sum(&t, "Searches_Platform", NULL), 120);
    cr_assert_eq(ts_sum(&t, "Total_Item_Investigations", NULL), 24);
    cr_assert_str_eq(t.counts[0].platform, "Europresse.com");
    ts_free(&t);
}

Test(counter4, mr1)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/mr1.csv", false);
    assert_clean(&t);
    cr_assert_eq(t.family, BL_FAM_R4_ITEM);
    cr_assert_eq(ts_sum(&t, "Total_Item_Requests", NULL), 50);
    cr_assert_str_eq(t.counts[0].database, "Cinéma");
    cr_assert_str_eq(t.counts[0].platform, "Médiathèque Numérique");
    ts_free(&t);
}

Test(counter4, bad_row_and_unsupported)
{
    ts_sink t;
    ts_run(&t, 4, "counter4/jr1_bad.csv", false);
    cr_assert_eq(t.result, BL_OK);
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_ROW, 9);
    cr_assert_not_null(d);
    cr_assert_str_eq(d->field, "Jan-2014");
    cr_assert_str_eq(d->reason, "'n/a' is not a count");
    cr_assert_eq(ts_sum(&t, NULL, NULL), 2);
    ts_free(&t);

    ts_run(&t, 4, "counter4/jr5_unsupported.csv", false);
    cr_assert_eq(t.result, BL_DATA);
    cr_assert(has(t.errmsg, "R4 report JR5"), "%s", t.errmsg);
    ts_free(&t);

    ts_run(&t, 4, "counter5/pr_cairn.csv", false);
    cr_assert_eq(t.result, BL_DATA);
    cr_assert(has(t.errmsg, "cell A1 'Report_Name' is not a COUNTER R4 report name"), "%s",
              t.errmsg);
    ts_free(&t);
}

/* ---- detection ------------------------------------------------------------- */

static bl_format sniff(const char *s)
{
    return bl__counter_sniff(s, strlen(s));
}

Test(detect, sniff_strings)
{
    cr_assert_eq(sniff("Report_Name,Platform Report\nReport_ID,PR\nRelease,5\n"), BL_FMT_COUNTER5);
    cr_assert_eq(sniff("\xEF\xBB\xBF\"Report_Name\";\"x\"\r\n\"Release\";\"5.1\"\r\n"),
                 BL_FMT_COUNTER5);
    cr_assert_eq(sniff("Report_Name\tX\n"), BL_FMT_AUTO); /* no Release row */
    cr_assert_eq(sniff("Journal Report 1 (R4),Number of ...\n"), BL_FMT_COUNTER4);
    cr_assert_eq(sniff("Journal Report 1a (R4),x\n"), BL_FMT_COUNTER4);
    cr_assert_eq(sniff("Journal Report 1 GOA (R4)\tx\n"), BL_FMT_COUNTER4);
    cr_assert_eq(sniff("\"Book Report 2 (R4)\",x\n"), BL_FMT_COUNTER4);
    cr_assert_eq(sniff("Database Report 1 (R4);x\n"), BL_FMT_COUNTER4);
    cr_assert_eq(sniff("Platform Report 1 (R4),x\n"), BL_FMT_COUNTER4);
    cr_assert_eq(sniff("Multimedia Report 1 (R4),x\n"), BL_FMT_COUNTER4);
    cr_assert_eq(sniff("Journal Report 1 (R3),x\n"), BL_FMT_AUTO);
    cr_assert_eq(sniff("127.0.0.1 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.1\" 200 1\n"),
                 BL_FMT_AUTO);
    cr_assert_eq(sniff("id,name\n1,x\n"), BL_FMT_AUTO);
}

static void detect_file(const char *fixture, bl_format want)
{
    char path[4096];
    char head[16384];
    size_t got = 0;
    char *err = NULL;
    snprintf(path, sizeof path, "%s/fixtures/%s", tu_srcdir(), fixture);
    cr_assert_eq(bl_source_peek(path, head, sizeof head, &got, &err), BL_OK, "%s", fixture);
    bl_format f = BL_FMT_AUTO;
    cr_assert_eq(bl_format_detect(head, got, &f, &err), BL_OK, "%s: %s", fixture, err);
    cr_assert_eq(f, want, "%s", fixture);
}

Test(detect, fixtures)
{
    detect_file("counter5/PRP1_sample_r51.tsv", BL_FMT_COUNTER5);
    detect_file("counter5/Sample-TR_B1_r50.tsv", BL_FMT_COUNTER5);
    detect_file("counter5/tr_b1.csv.gz", BL_FMT_COUNTER5);
    detect_file("messy/bom_crlf.csv", BL_FMT_COUNTER5);
    detect_file("messy/cp1252.csv", BL_FMT_COUNTER5);
    detect_file("messy/semicolon.csv", BL_FMT_COUNTER5);
    detect_file("messy/mac_cr.csv", BL_FMT_COUNTER5);
    detect_file("messy/all_quoted.csv", BL_FMT_COUNTER5);
    static const char *const r4[] = {"jr1.csv", "jr1_goa.csv", "jr2.tsv", "br1.csv", "br2.tsv",
                                     "br3.csv", "db1.csv",     "db2.csv", "pr1.csv", "mr1.csv"};
    for (size_t i = 0; i < sizeof r4 / sizeof r4[0]; i++) {
        char f[64];
        snprintf(f, sizeof f, "counter4/%s", r4[i]);
        detect_file(f, BL_FMT_COUNTER4);
    }
}

/* ---- month headings ------------------------------------------------------------ */

Test(months, labels)
{
    static const struct {
        const char *s;
        const char *want; /* NULL: not a month */
    } cases[] = {
        {"Jan-2022", "2022-01"},
        {"jan-2022", "2022-01"},
        {"Jan 2022", "2022-01"},
        {"January 2022", "2022-01"},
        {"Jan-22", "2022-01"},
        {"22-Jan", "2022-01"},
        {"1-Jan-22", "2022-01"},
        {"2022-01", "2022-01"},
        {"2022-12-01", "2022-12"},
        {"01/2022", "2022-01"},
        {"1/1/2022", "2022-01"},
        {"01/03/2022", "2022-03"},
        {"3/1/2022", "2022-03"},
        {"janv.-22", "2022-01"},
        {"févr.-22", "2022-02"},
        {"Sept-2024", "2024-09"},
        {"déc.-2024", "2024-12"},
        /* German, Spanish, Italian, Dutch; any case, accents or not, dots. */
        {"Mrz-2018", "2018-03"},
        {"Dez-2018", "2018-12"},
        {"März 2018", "2018-03"},
        {"MÄR-2018", "2018-03"},
        {"mars-2018", "2018-03"},
        {"dic-2018", "2018-12"},
        {"mei-2018", "2018-05"},
        {"mai-2018", "2018-05"},
        {"Okt 2018", "2018-10"},
        {"janv.-18", "2018-01"},
        {"18-Mrz", "2018-03"},
        {"Mrz-18", "2018-03"},
        {"1-Okt-18", "2018-10"},
        {"DÉC.-2018", "2018-12"},
        {"dec-2018", "2018-12"},
        {"fevr.-2018", "2018-02"},
        {"août 2018", "2018-08"},
        {"AOUT-2018", "2018-08"},
        {"ene-2018", "2018-01"},
        {"gen-2018", "2018-01"},
        {"gennaio 2018", "2018-01"},
        {"febbraio 2018", "2018-02"},
        {"mar-2018", "2018-03"},
        {"abr-2018", "2018-04"},
        {"mag-2018", "2018-05"},
        {"mayo-2018", "2018-05"},
        {"giu-2018", "2018-06"},
        {"Juni 2018", "2018-06"},
        {"lug-2018", "2018-07"},
        {"Juli 2018", "2018-07"},
        {"juil.-2018", "2018-07"},
        {"ago-2018", "2018-08"},
        {"set-2018", "2018-09"},
        {"sept.-2018", "2018-09"},
        {"settembre 2018", "2018-09"},
        {"ott-2018", "2018-10"},
        {"oktober 2018", "2018-10"},
        {"noviembre 2018", "2018-11"},
        {"diciembre 2018", "2018-12"},
        {"Dezember 2018", "2018-12"},
        {"maart 2018", "2018-03"},
        {"mrt-2018", "2018-03"},
        {"januari 2018", "2018-01"},
        {"Jänner 2018", "2018-01"},
        {"Jal-2022", NULL},
        {"Mrx-2018", NULL},
        {"dé-2018", NULL},
        {"Maß-2018", NULL},
        {"Reporting_Period_Total", NULL},
        {"YOP", NULL},
        {"2012", NULL},
        {"05/03/2022", NULL},
        {"Foo-2022", NULL},
        {"2022-13", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int m = -1;
        bool ok = bl__ctr_month(bl_sv_from(cases[i].s), &m);
        if (!cases[i].want) {
            cr_assert(!ok, "'%s' read as a month", cases[i].s);
            continue;
        }
        cr_assert(ok, "'%s' not read", cases[i].s);
        cr_assert_eq(m, mi(cases[i].want), "'%s'", cases[i].s);
    }
}

/* ---- issue 12: row context, Created, month area, totals ------------------------ */

static void assert_row(const ts_diag *d, const char *inst_name, const char *platform,
                       const char *database, const char *metric, const char *first,
                       const char *last)
{
    cr_assert_not_null(d);
    cr_assert(d->has_row, "no row context: %s", d->reason);
    cr_assert_str_eq(d->row_inst_name, inst_name);
    cr_assert_str_eq(d->row_platform, platform);
    cr_assert_str_eq(d->row_database, database);
    cr_assert_str_eq(d->row_metric, metric);
    cr_assert_eq(d->row_month_first, mi(first));
    cr_assert_eq(d->row_month_last, mi(last));
}

Test(trust, row_context_r5)
{
    ts_sink t;
    ts_run(&t, 5, "trust/counter/total-mismatch.csv", false);
    cr_assert_eq(t.result, BL_OK, "%s", t.errmsg ? t.errmsg : "");
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_ROW, 15);
    assert_row(d, "Médiathèque centrale", "PresseNum", "", "Total_Item_Requests", "2019-01",
               "2019-03");
    cr_assert_str_eq(d->row_inst_id, ""); /* no Institution_ID column */
    d = ts_diag_at(&t, BL_DIAG_ROW, 19);
    assert_row(d, "Bibliothèque du quartier", "PresseNum", "", "Total_Item_Requests", "2019-01",
               "2019-03");
    for (size_t i = 0; i < t.ndiags; i++)
        if (t.diags[i].level != BL_DIAG_ROW)
            cr_assert(!t.diags[i].has_row);
    ts_free(&t);

    /* No institution in the row, an empty Metric_Type, a metric written
     * another way (canonical name in the context, as in the records). */
    ts_run(&t, 5, "counter5/pr_bad_rows.csv", false);
    assert_row(ts_diag_at(&t, BL_DIAG_ROW, 17), "", "Numilog", "", "Unique_Item_Requests",
               "2025-01", "2025-03");
    assert_row(ts_diag_at(&t, BL_DIAG_ROW, 19), "", "", "", "Searches_Platform", "2025-01",
               "2025-03");
    assert_row(ts_diag_at(&t, BL_DIAG_ROW, 20), "", "Numilog", "", "", "2025-01", "2025-03");
    ts_free(&t);
}

Test(trust, row_context_dr_and_institution_id)
{
    char *dir = tu_mkdtemp("counter");
    const char *text = "Report_Name,Database Master Report\nReport_ID,DR\nRelease,5\n"
                       "Created,2019-04-01\n\n"
                       "Institution_Name,Institution_ID,Database,Platform,Metric_Type,"
                       "Reporting_Period_Total,Jan-2019,Feb-2019\n"
                       "BM Saint-Lô,ISNI:1,Universalis,EBSCOhost,searches_regular,3,1,x\n";
    char *path = write_tmp(dir, "dr.csv", text, strlen(text));
    ts_sink t;
    ts_run_path(&t, 5, path, false);
    cr_assert_eq(t.result, BL_OK, "%s", t.errmsg ? t.errmsg : "");
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_ROW, 7);
    assert_row(d, "BM Saint-Lô", "EBSCOhost", "Universalis", "Searches_Regular", "2019-01",
               "2019-02");
    cr_assert_str_eq(d->row_inst_id, "ISNI:1");
    cr_assert_str_eq(t.created, "2019-04-01T00:00:00Z");
    ts_free(&t);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

Test(trust, row_context_r4)
{
    ts_sink t;
    ts_run(&t, 4, "trust/counter/over-bound-r4.csv", false);
    cr_assert_eq(t.result, BL_OK, "%s", t.errmsg ? t.errmsg : "");
    /* A title report: no database; R4 rows name no institution. */
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_ROW, 10);
    assert_row(d, "", "PresseNum", "", "Total_Item_Requests", "2019-01", "2019-02");
    cr_assert_str_eq(d->row_inst_id, "");
    ts_free(&t);
    /* A database report: the database is column A, the metric the mapped activity. */
    ts_run(&t, 4, "trust/counter/total-mismatch-r4.csv", false);
    assert_row(ts_diag_at(&t, BL_DIAG_ROW, 11), "", "PresseNum", "Europresse",
               "Total_Item_Investigations", "2019-01", "2019-02");
    ts_free(&t);
}

Test(trust, created_is_normalised_never_rejects)
{
    ts_sink t;
    ts_run(&t, 5, "counter5/pr_cairn.csv", false);
    cr_assert_str_eq(t.created, "2025-04-03T08:00:00Z");
    ts_free(&t);
    ts_run(&t, 5, "trust/counter/created-before-months.csv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.created, "2018-01-01T00:00:00Z");
    cr_assert_eq(ts_sum(&t, NULL, NULL), 30);
    ts_free(&t);
    ts_run(&t, 4, "counter4/jr1.csv", false);
    cr_assert_str_eq(t.created, "2014-04-05T00:00:00Z");
    ts_free(&t);
    ts_run(&t, 4, "trust/counter/created-before-months-r4.csv", false);
    assert_clean(&t);
    cr_assert_str_eq(t.created, "2018-06-30T00:00:00Z");
    cr_assert_eq(ts_sum(&t, NULL, NULL), 7);
    ts_free(&t);

    static const struct {
        const char *in, *want; /* want NULL: unreadable */
    } cases[] = {
        {"2025-04-03T08:00:00Z", "2025-04-03T08:00:00Z"},
        {"2025-04-03", "2025-04-03T00:00:00Z"},
        {" 2025-04-03 08:15 ", "2025-04-03T08:15:00Z"},
        {"2025-04-03T08:00:00.123Z", "2025-04-03T08:00:00Z"},
        {"2025-04-03T01:30:00+02:00", "2025-04-02T23:30:00Z"},
        {"2025-12-31T23:00:00-0230", "2026-01-01T01:30:00Z"},
        {"2025/04/03", "2025-04-03T00:00:00Z"},
        {"2025-02-30", NULL},
        {"2025-04-03T25:00:00Z", NULL},
        {"03/04/2025", NULL},
        {"yesterday", NULL},
        {"", NULL},
        {"2025-04-03T08:00:00Z trailing", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[BL_CTR_CREATED_SIZE] = "";
        bool ok = bl__ctr_created(bl_sv_from(cases[i].in), out);
        if (!cases[i].want) {
            cr_assert(!ok, "'%s' read as %s", cases[i].in, out);
            continue;
        }
        cr_assert(ok, "'%s' not read", cases[i].in);
        cr_assert_str_eq(out, cases[i].want, "'%s'", cases[i].in);
    }

    /* An unreadable Created is NULL, and rejects nothing either. */
    char *dir = tu_mkdtemp("counter");
    const char *text = "Report_Name,Platform Report\nReport_ID,PR\nRelease,5\n"
                       "Created,le 3 avril\n\nPlatform,Metric_Type,Jan-2019\n"
                       "A,Total_Item_Requests,4\n";
    char *path = write_tmp(dir, "created.csv", text, strlen(text));
    ts_run_path(&t, 5, path, false);
    assert_clean(&t);
    cr_assert_null(t.created);
    cr_assert_eq(ts_sum(&t, NULL, NULL), 4);
    ts_free(&t);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

Test(trust, month_area_and_period_note_r4)
{
    ts_sink t;
    ts_run(&t, 4, "trust/counter/celus-BR1-wrong_months1.tsv", false);
    assert_clean(&t);
    cr_assert_eq(ts_sum_month(&t, NULL, "2018-03"), 3);
    cr_assert_eq(ts_sum_month(&t, NULL, "2018-12"), 13);
    cr_assert_str_eq(t.created, "2020-01-01T00:00:00Z");
    ts_free(&t);

    ts_run(&t, 4, "trust/counter/month-unreadable-r4.csv", false);
    cr_assert_eq(t.result, BL_DATA);
    cr_assert_eq(t.begins, 0);
    cr_assert(has(t.errmsg, "month-unreadable-r4.csv: line 8: Mrx-2019: heading of column M "
                            "(number 13), among the month columns, cannot be read as a month"),
              "%s", t.errmsg);
    ts_free(&t);

    /* "Period covered" that is not the columns': a note; the columns decide. */
    char *dir = tu_mkdtemp("counter");
    const char *text = "Journal Report 1 (R4),x\nR,\n,\nPeriod covered by Report:\n"
                       "2018-01-01 to 2018-01-31\nDate run:\n2019-03-01\n"
                       "Journal,Publisher,Platform,Reporting Period Total,Jan-2019,Feb-2019\n"
                       "Revue,P,Cairn.info,3,1,2\n";
    char *path = write_tmp(dir, "jr1.csv", text, strlen(text));
    ts_run_path(&t, 4, path, false);
    assert_clean(&t);
    const ts_diag *d = ts_diag_at(&t, BL_DIAG_NOTE, 0);
    cr_assert_not_null(d);
    cr_assert_str_eq(d->reason, "the period covered by the report says 2018-01 to 2018-01 but "
                                "the month columns run from 2019-01 to 2019-02: the month "
                                "columns are read");
    cr_assert_eq(t.period_begin, mi("2019-01"));
    cr_assert_eq(t.period_end, mi("2019-02"));
    cr_assert_eq(ts_sum(&t, NULL, NULL), 3);
    ts_free(&t);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

Test(trust, month_area_r5)
{
    /* No Reporting_Period_Total: the area starts after Metric_Type, so an
     * unreadable first month is not skipped as an extra column. */
    char *dir = tu_mkdtemp("counter");
    const char *text = "Report_Name,Platform Report\nReport_ID,PR\nRelease,5\n\n"
                       "Platform,Metric_Type,Jxn-2019,Feb-2019\nA,Total_Item_Requests,1,2\n";
    char *path = write_tmp(dir, "area.csv", text, strlen(text));
    ts_sink t;
    ts_run_path(&t, 5, path, false);
    cr_assert_eq(t.result, BL_DATA);
    cr_assert(has(t.errmsg, "line 5: Jxn-2019: heading of column C (number 3)"), "%s", t.errmsg);
    ts_free(&t);
    free(path);
    /* Columns before the months are free; Reporting_Period_Total may even come last. */
    text = "Report_Name,Platform Report\nReport_ID,PR\nRelease,5\n\n"
           "Platform,Note,Metric_Type,Jan-2019,Feb-2019,Reporting_Period_Total,\n"
           "A,x,Total_Item_Requests,1,2,3,\nB,x,Total_Item_Requests,1,2,4,\n";
    path = write_tmp(dir, "area2.csv", text, strlen(text));
    ts_run_path(&t, 5, path, false);
    cr_assert_eq(t.result, BL_OK, "%s", t.errmsg ? t.errmsg : "");
    cr_assert_eq(ts_ndiag(&t, BL_DIAG_ROW), 1);
    cr_assert_str_eq(ts_diag_at(&t, BL_DIAG_ROW, 7)->reason,
                     "months add up to 3, Reporting_Period_Total says 4");
    cr_assert_eq(ts_sum(&t, NULL, NULL), 3);
    ts_free(&t);
    free(path);
    /* The column letters go on past Z. */
    char name[16];
    bl__ctr_col_name(0, name);
    cr_assert_str_eq(name, "A");
    bl__ctr_col_name(25, name);
    cr_assert_str_eq(name, "Z");
    bl__ctr_col_name(26, name);
    cr_assert_str_eq(name, "AA");
    bl__ctr_col_name(701, name);
    cr_assert_str_eq(name, "ZZ");
    bl__ctr_col_name(702, name);
    cr_assert_str_eq(name, "AAA");
    tu_rmtree(dir);
    free(dir);
}

Test(detect, json)
{
    detect_file("sushi/r50/Sample-TR_J1.json", BL_FMT_COUNTER5_JSON);
    detect_file("sushi/r51/IRM1_sample_r51.json", BL_FMT_COUNTER5_JSON);
    detect_file("sushi/quirk_stringified.json", BL_FMT_COUNTER5_JSON);
    detect_file("sushi/quirk_bom.json", BL_FMT_COUNTER5_JSON);
    detect_file("sushi/exceptions_only.json", BL_FMT_COUNTER5_JSON);
    detect_file("messy/all_quoted.csv", BL_FMT_COUNTER5);
}
