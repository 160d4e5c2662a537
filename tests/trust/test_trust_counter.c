/* Trust tests, counter area (issue 12): see docs/trust.md for the rules.
 * Each case runs the real bilan on a fixture of fixtures/trust/counter/
 * (described in its README) and reads back what was stored or rejected.
 * Months are in 2018-2019, long over: nothing here depends on today. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust_util.h"

static bool has(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle);
}

/* Ingests one fixture and asserts the exit status. */
static tu_run ingest(const tr_env *e, const char *rel, int status)
{
    tu_run r = tr_bilan(e, "ingest", tr_fx(rel), NULL);
    cr_assert_eq(r.status, status, "%s: exit %d, stderr: %s", rel, r.status, r.err);
    return r;
}

/* The reason of the rejection at line `line`, or "" (malloc'd). */
static char *reason_at(const tr_env *e, int line)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT field || ': ' || reason FROM rejection WHERE line = %d",
             line);
    char *s = tr_sql(e, sql);
    cr_assert_not_null(s);
    return s;
}

static void assert_reason(const tr_env *e, int line, const char *want)
{
    char *s = reason_at(e, line);
    cr_assert_str_eq(s, want, "line %d", line);
    free(s);
}

static long long sum_month(const tr_env *e, const char *month)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT COALESCE(SUM(value), 0) FROM usage WHERE month = '%s'",
             month);
    return tr_sql_int(e, sql);
}

/* ---- #3: a count above BL_COUNT_MAX is a rejected row ------------------------ */

Test(trust_counter, count_over_bound_r5)
{
    tr_env e = tr_setup("ctr-bound");
    tu_run r = ingest(&e, "counter/over-bound.csv", 0);
    const char *above = "is above 1000000000, the largest count accepted in one cell";
    char want[160];
    snprintf(want, sizeof want, "Jan-2019: '9000000000000000000' %s", above);
    assert_reason(&e, 16, want);
    snprintf(want, sizeof want, "Jan-2019: '12345678901234567890' %s", above); /* 20 digits */
    assert_reason(&e, 17, want);
    assert_reason(&e, 18, "Jan-2019: '-120' is negative: a count cannot be below 0");
    assert_reason(&e, 19, "Jan-2019: '12.5' is not a count");
    snprintf(want, sizeof want, "Reporting_Period_Total: '9000000000000000000' %s", above);
    assert_reason(&e, 20, want);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM rejection"), 5);
    /* Kept: line 15 (10 + 20) and line 21 (exactly the bound is accepted). */
    cr_assert_eq(sum_month(&e, "2019-01"), 10 + 999999999LL);
    cr_assert_eq(sum_month(&e, "2019-02"), 20 + 1);
    cr_assert_eq(tr_sql_int(&e, "SELECT MAX(value) FROM usage"), 999999999);
    tu_run_free(&r);
    tr_teardown(&e);
}

Test(trust_counter, count_over_bound_r4)
{
    tr_env e = tr_setup("ctr-bound4");
    tu_run r = ingest(&e, "counter/over-bound-r4.csv", 0);
    const char *above = "is above 1000000000, the largest count accepted in one cell";
    char want[160];
    snprintf(want, sizeof want, "Jan-2019: '9000000000000000000' %s", above);
    assert_reason(&e, 10, want);
    snprintf(want, sizeof want, "Reporting Period Total: '9000000000000000000' %s", above);
    assert_reason(&e, 11, want);
    assert_reason(&e, 12, "Jan-2019: '-120' is negative: a count cannot be below 0");
    assert_reason(&e, 13, "Jan-2019: '12.5' is not a count");
    cr_assert_eq(sum_month(&e, "2019-01"), 3);
    cr_assert_eq(sum_month(&e, "2019-02"), 4);
    tu_run_free(&r);
    tr_teardown(&e);
}

/* ---- #4: Created never rejects a row ------------------------------------------- */

Test(trust_counter, created_before_months_rows_count)
{
    tr_env e = tr_setup("ctr-created");
    /* R5 Created 2018-01-01 over 2019 months; R4 run 2018-06-30 over 2019 months. */
    tu_run r = ingest(&e, "counter/created-before-months.csv", 0);
    /* Not a rejection: a note in the ledger, and the order of ingest orders
     * its restatements (docs/trust.md). */
    cr_assert(
        has(r.err, "note: its Created date is before the months it reports (Created 2018-01-01"),
        "%s", r.err);
    cr_assert_eq(tr_sql_int(&e, "SELECT created_plausible FROM source WHERE id = 1"), 0);
    tu_run r4 = ingest(&e, "counter/created-before-months-r4.csv", 0);
    cr_assert(!has(r4.err, "is not a count"), "%s", r4.err);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM rejection"), 0);
    cr_assert_eq(sum_month(&e, "2019-01"), 10 + 3);
    cr_assert_eq(sum_month(&e, "2019-02"), 20 + 4);
    tu_run_free(&r);
    tu_run_free(&r4);
    tr_teardown(&e);
}

/* ---- #18: month headings in the vendors' languages; unreadable: refused ------ */

Test(trust_counter, month_headings_in_six_languages)
{
    tr_env e = tr_setup("ctr-months");
    tu_run r = ingest(&e, "counter/month-languages.csv", 0);
    /* janv.-2019 Feb 2019 Mrz-2019 abr-2019 mei-2019 giu-19 Juli 2019
     * AOÛT-2019 set.-2019 Okt 2019 noviembre-2019 Dez-2019: month m holds m. */
    for (int m = 1; m <= 12; m++) {
        char month[8];
        snprintf(month, sizeof month, "2019-%02d", m);
        cr_assert_eq(sum_month(&e, month), m, "%s", month);
    }
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM rejection"), 0);
    tu_run_free(&r);
    tr_teardown(&e);
}

Test(trust_counter, celus_br1_german_months)
{
    /* Celus nibbler's BR1 headed Jan-2018 ... Mrz-2018 ... Dez-2018: March
     * and December were dropped silently before. */
    tr_env e = tr_setup("ctr-celus-br1");
    tu_run r = ingest(&e, "counter/celus-BR1-wrong_months1.tsv", 0);
    cr_assert_eq(sum_month(&e, "2018-03"), 3);     /* Title1 */
    cr_assert_eq(sum_month(&e, "2018-12"), 7 + 6); /* Title1 + Title2 */
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage"), 32 + 6);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM rejection"), 0);
    tu_run_free(&r);
    tr_teardown(&e);
}

/* A refused file leaves the store as it was: the first file's rows only. */
static void assert_refused(const char *rel, const char *want)
{
    tr_env e = tr_setup("ctr-unreadable");
    tu_run ok = ingest(&e, "counter/created-before-months.csv", 0);
    long long usage = tr_sql_int(&e, "SELECT COUNT(*) FROM usage");
    long long sources = tr_sql_int(&e, "SELECT COUNT(*) FROM source");
    tu_run r = ingest(&e, rel, 65);
    cr_assert(has(r.err, want), "%s", r.err);
    cr_assert(has(r.err, "store unchanged"), "%s", r.err);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM usage"), usage);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), sources);
    tu_run_free(&ok);
    tu_run_free(&r);
    tr_teardown(&e);
}

Test(trust_counter, unreadable_month_heading_refuses_the_file)
{
    assert_refused("counter/month-unreadable.csv",
                   "line 14: Jal-2019: heading of column F (number 6), among the month "
                   "columns, cannot be read as a month");
    assert_refused("counter/month-unreadable-r4.csv",
                   "line 8: Mrx-2019: heading of column M (number 13), among the month "
                   "columns, cannot be read as a month");
    /* Celus nibbler's TR with a Jal-2022 column. */
    assert_refused("counter/celus-TR-wrong_months1.tsv",
                   "line 14: Jal-2022: heading of column N (number 14)");
}

/* ---- #19: totals cross-checked; Reporting_Period only noted ----------------- */

Test(trust_counter, total_mismatch_rejects_the_row)
{
    tr_env e = tr_setup("ctr-total");
    tu_run r = ingest(&e, "counter/total-mismatch.csv", 0);
    assert_reason(&e, 15,
                  "Reporting_Period_Total: months add up to 118, "
                  "Reporting_Period_Total says 120");
    assert_reason(&e, 19, "Reporting_Period_Total: 'abc' is not a count");
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM rejection"), 2);
    /* Kept: line 16 (20 + empty + 30 = 50), 17 (60), 18 (no total). */
    cr_assert_eq(sum_month(&e, "2019-01"), 20 + 10 + 1);
    cr_assert_eq(sum_month(&e, "2019-02"), 0 + 20 + 2);
    cr_assert_eq(sum_month(&e, "2019-03"), 30 + 30 + 3);
    tu_run_free(&r);
    tr_teardown(&e);
}

Test(trust_counter, total_mismatch_r4)
{
    tr_env e = tr_setup("ctr-total4");
    tu_run r = ingest(&e, "counter/total-mismatch-r4.csv", 0);
    assert_reason(&e, 11,
                  "Reporting Period Total: months add up to 9, "
                  "Reporting Period Total says 10");
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM rejection"), 1);
    cr_assert_eq(sum_month(&e, "2019-01"), 10 + 5);
    cr_assert_eq(sum_month(&e, "2019-02"), 20);
    tu_run_free(&r);
    tr_teardown(&e);
}

Test(trust_counter, reporting_period_disagreeing_is_a_note)
{
    tr_env e = tr_setup("ctr-period");
    tu_run r = ingest(&e, "counter/period-disagrees.csv", 0);
    cr_assert_eq(sum_month(&e, "2019-03"), 2);
    cr_assert_eq(sum_month(&e, "2019-04"), 3);
    char *pb = tr_sql(&e, "SELECT period_begin || '..' || period_end FROM source");
    cr_assert_str_eq(pb, "2019-03..2019-04");
    free(pb);
    tu_run_free(&r);
    tr_teardown(&e);
}

Test(trust_counter, celus_ir_m1_period_and_totals)
{
    /* Celus nibbler's IR_M1: header 2021-07..2022-06 over Jul-2022..Jun-2023
     * (a note, not a refusal; Created 2022-10-01 rejects nothing), but both
     * item rows claim totals their months do not add up to. */
    tr_env e = tr_setup("ctr-celus-ir");
    /* Every row is rejected, so the file is refused whole (docs/trust.md):
     * nothing recorded, the reasons on stderr. */
    tu_run r = ingest(&e, "counter/celus-IR_M1-a.csv", 65);
    cr_assert(has(r.err, "celus-IR_M1-a.csv:16: Reporting_Period_Total: months add up to 50, "
                         "Reporting_Period_Total says 1"),
              "%s", r.err);
    cr_assert(has(r.err, "celus-IR_M1-a.csv:17: Reporting_Period_Total: months add up to 52, "
                         "Reporting_Period_Total says 2"),
              "%s", r.err);
    cr_assert(has(r.err, "every row was rejected (2)"), "%s", r.err);
    cr_assert(!has(r.err, "Created"), "a Created before the months rejects nothing: %s", r.err);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), 0);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM usage"), 0);
    tu_run_free(&r);
    tr_teardown(&e);
}
