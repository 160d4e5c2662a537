/* Trust tests, store area (issue 12): restatements replace exactly the
 * cells a report carries validly, the later Created wins whatever the
 * ingest order, a file of which nothing was accepted is refused, read
 * commands never create a store, and `bilan sources remove` leaves the
 * store as if the source had never been ingested. Fixtures and the figures
 * they hold: fixtures/trust/store/README.md. See docs/trust.md. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trust_util.h"

static tr_env e;

static void setup(void)
{
    e = tr_setup("trust-store");
    tu_run r = tr_bilan(&e, "network", "import", tr_fx("store/network"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
}

static void teardown(void)
{
    tr_teardown(&e);
}

static tu_run ingest(const char *fixture)
{
    return tr_bilan(&e, "ingest", tr_fx(fixture), NULL);
}

static void ingest_ok(const char *fixture)
{
    tu_run r = ingest(fixture);
    cr_assert_eq(r.status, 0, "ingest %s: %s", fixture, r.err);
    tu_run_free(&r);
}

/* The counted value of one cell of bm-centre on presse. */
static long long cell(const char *month, const char *metric)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT value FROM usage_effective WHERE library_id = 'bm-centre'"
             " AND resource_id = 'presse' AND month = '%s' AND metric = '%s'",
             month, metric);
    return tr_sql_int(&e, sql);
}

static const char *const MONTHS[] = {"2025-01", "2025-02", "2025-03", "2025-04", "2025-05"};

static void assert_months(const char *metric, const long long *want)
{
    for (int i = 0; i < 5; i++)
        cr_assert_eq(cell(MONTHS[i], metric), want[i], "%s %s: %lld, expected %lld", metric,
                     MONTHS[i], cell(MONTHS[i], metric), want[i]);
}

static const long long TIR_ORIG[] = {100, 110, 120, 130, 140};
static const long long UIR_ORIG[] = {10, 11, 12, 13, 14};
static const long long UIR_CORR[] = {20, 21, 22, 23, 24};
static const long long TIR_RESTATED[] = {101, 111, 121, 131, 141};
static const long long UIR_RESTATED[] = {11, 12, 13, 14, 15};

/* #1: the correction's requests row is rejected; the earlier requests stay,
 * the corrected uniques replace theirs, and the ledger says so. */
static void bad_cell_keeps_earlier(const char *bad)
{
    ingest_ok("store/pr-original.csv");
    char *src = tu_read_file(tr_fx("store/pr-corrected-bad-cell.csv"), NULL);
    cr_assert(src);
    char *at = strstr(src, ",-120,");
    cr_assert(at);
    size_t n = strlen(src) + strlen(bad) + 8;
    char *out = malloc(n);
    snprintf(out, n, "%.*s,%s,%s", (int)(at - src), src, bad, at + 6);
    char path[1024];
    snprintf(path, sizeof path, "%s/corrected.csv", e.dir);
    cr_assert(tu_write_file(path, out, strlen(out)));
    tu_run r = tr_bilan(&e, "ingest", path, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "corrected.csv:15"), "the rejected row is named: %s", r.err);
    cr_assert(strstr(r.out, "5 earlier cells kept (rejected rows)"), "%s", r.out);
    tu_run_free(&r);
    assert_months("Total_Item_Requests", TIR_ORIG);
    assert_months("Unique_Item_Requests", UIR_CORR);
    cr_assert_eq(tr_sql_int(&e, "SELECT count(*) FROM shield WHERE source_id = 2"), 5);
    free(src);
    free(out);
}

Test(trust_store, corrected_file_with_a_negative_cell_keeps_the_earlier_row, .init = setup,
     .fini = teardown)
{
    bad_cell_keeps_earlier("-120");
}

Test(trust_store, corrected_file_with_a_decimal_cell_keeps_the_earlier_row, .init = setup,
     .fini = teardown)
{
    bad_cell_keeps_earlier("12.5");
}

Test(trust_store, corrected_file_with_a_huge_cell_keeps_the_earlier_row, .init = setup,
     .fini = teardown)
{
    bad_cell_keeps_earlier("123456789012345678901");
}

/* #2: the later Created wins in both orders; the loser stays in the ledger
 * as superseded. */
Test(trust_store, later_created_wins_whatever_the_order, .init = setup, .fini = teardown)
{
    ingest_ok("store/pr-restated.csv");
    tu_run r = ingest("store/pr-original.csv");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "10 cells superseded by a later report"), "%s", r.out);
    cr_assert(strstr(r.err, "superseded by a report created later (source #1)"), "%s", r.err);
    tu_run_free(&r);
    assert_months("Total_Item_Requests", TIR_RESTATED);
    assert_months("Unique_Item_Requests", UIR_RESTATED);
    char *forward = tr_export(&e);

    r = tr_bilan(&e, "sources", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "#2 "), "%s", r.out);
    cr_assert(strstr(r.out, "superseded by #1"), "%s", r.out);
    cr_assert(strstr(r.out, "created 2025-06-05T09:00:00Z\n"), "%s", r.out);
    tu_run_free(&r);

    /* The other order, on a fresh store, gives the same export. */
    tr_teardown(&e);
    setup();
    ingest_ok("store/pr-original.csv");
    ingest_ok("store/pr-restated.csv");
    char *backward = tr_export(&e);
    cr_assert_str_eq(forward, backward);
    free(forward);
    free(backward);
}

/* #2: without a Created date, the order of ingest decides, with a note. */
Test(trust_store, missing_created_lets_ingest_order_decide_with_a_note, .init = setup,
     .fini = teardown)
{
    ingest_ok("store/pr-restated.csv");
    tu_run r = ingest("store/pr-no-created.csv");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "note: the report has no Created date: the order of ingest decides"),
              "%s", r.err);
    tu_run_free(&r);
    const long long tir[] = {102, 112, 122, 132, 142};
    assert_months("Total_Item_Requests", tir);
    cr_assert_eq(tr_sql_int(&e, "SELECT created_plausible FROM source WHERE id = 2"), 0);
    /* bilan sources says it in one phrase (until the night of 3 December 2026 « created
     * (unknown) (not usable: the order of ingest decides) »). */
    r = tr_bilan(&e, "sources", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\n    created: unknown (the order of ingest decides)\n"), "%s", r.out);
    tu_run_free(&r);
}

/* #3: a cell summing beyond the bound refuses the file, store unchanged. */
Test(trust_store, a_cell_summing_beyond_the_bound_refuses_the_file, .init = setup, .fini = teardown)
{
    ingest_ok("store/pr-original.csv");
    char *before = tr_export(&e);
    /* 1 001 titles of one platform, 999 999 999 each: every count is within
     * BL_COUNT_MAX, their roll-up into one cell is not. */
    char path[1024];
    snprintf(path, sizeof path, "%s/tr-huge.csv", e.dir);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "Report_Name,Title Master Report\nReport_ID,TR\nRelease,5\n"
               "Institution_Name,Médiathèque centrale\nInstitution_ID,ISNI:0000000123456789\n"
               "Metric_Types,Total_Item_Requests\nReport_Filters,\nReport_Attributes,\n"
               "Exceptions,\nReporting_Period,Begin_Date=2025-01-01; End_Date=2025-01-31\n"
               "Created,2025-02-03T00:00:00Z\nCreated_By,PresseNum\n\n"
               "Title,Publisher,Publisher_ID,Platform,DOI,Proprietary_ID,Print_ISSN,Online_ISSN,"
               "URI,Data_Type,Section_Type,YOP,Access_Type,Access_Method,Metric_Type,"
               "Reporting_Period_Total,Jan-2025\n");
    for (int i = 0; i < 1001; i++)
        fprintf(f,
                "Titre %d,Ed,,PresseNum,,P%d,,,,Newspaper_or_Newsletter,,2024,Controlled,Regular,"
                "Total_Item_Requests,999999999,999999999\n",
                i, i);
    fclose(f);
    tu_run r = tr_bilan(&e, "ingest", path, NULL);
    cr_assert_eq(r.status, 65, "%s", r.err);
    cr_assert(strstr(r.err, "adds up to more than 1000000000000"), "%s", r.err);
    tu_run_free(&r);
    char *after = tr_export(&e);
    cr_assert_str_eq(before, after);
    cr_assert_eq(tr_sql_int(&e, "SELECT count(*) FROM source"), 1);
    free(before);
    free(after);
}

/* #3: a read never fails because of stored data: a value written by an older
 * bilan beyond the bound is ignored by every read. */
Test(trust_store, a_poisoned_value_does_not_break_reads, .init = setup, .fini = teardown)
{
    ingest_ok("store/pr-original.csv");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' \"UPDATE usage SET value = 9000000000000000000 WHERE month = "
             "'2025-02' AND metric = 'Total_Item_Requests'\"",
             e.db);
    tu_run s = tu_sh("%s", cmd);
    cr_assert_eq(s.status, 0, "%s", s.err);
    tu_run_free(&s);
    tu_run r = tr_bilan(&e, "export", "usage", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "9000000000000000000"), "%s", r.out);
    tu_run_free(&r);
    r = tr_bilan(&e, "report", "mensuel", "2025-03", "--out", e.dir, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    /* The good original can be ingested again once the bad source is removed. */
    r = tr_bilan(&e, "sources", "remove", "1", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    ingest_ok("store/pr-original.csv");
    assert_months("Total_Item_Requests", TIR_ORIG);
}

/* #7: a file of which every row is rejected is refused, not recorded, and
 * can be ingested once corrected. */
Test(trust_store, every_row_rejected_is_refused_not_recorded, .init = setup, .fini = teardown)
{
    tu_run r = ingest("store/pr-all-rejected.csv");
    cr_assert_eq(r.status, 65, "%s", r.err);
    cr_assert(strstr(r.err, "every row was rejected (2)"), "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT count(*) FROM source"), 0);
    cr_assert_eq(tr_sql_int(&e, "SELECT count(*) FROM usage"), 0);
    ingest_ok("store/pr-original.csv");
    assert_months("Total_Item_Requests", TIR_ORIG);
}

/* #9: read commands never create a store; exit 66. */
Test(trust_store, read_commands_on_a_missing_store_exit_66_and_create_nothing)
{
    e = tr_setup("trust-store-missing");
    const char *cmds[][4] = {
        {"export", "usage", NULL, NULL},   {"sources", NULL, NULL, NULL},
        {"rejects", "1", NULL, NULL},      {"gaps", "2025-01..2025-03", NULL, NULL},
        {"forfait", "status", NULL, NULL}, {"report", "mensuel", "2025-03", NULL},
        {"sources", "remove", "1", NULL}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        tu_run r = tr_bilan_env(&e, NULL, cmds[i]);
        cr_assert_eq(r.status, 66, "%s: %d %s", cmds[i][0], r.status, r.err);
        cr_assert(strstr(r.err, "no store at"), "%s: %s", cmds[i][0], r.err);
        tu_run_free(&r);
        cr_assert_neq(access(e.db, F_OK), 0, "%s created the store", cmds[i][0]);
    }
    tr_teardown(&e);
}

/* #9: a store in a folder the user cannot write is still readable. */
Test(trust_store, read_commands_work_on_a_read_only_folder, .init = setup, .fini = teardown)
{
    ingest_ok("store/pr-original.csv");
    char *want = tr_export(&e);
    cr_assert_eq(chmod(e.dir, 0555), 0);
    cr_assert_eq(chmod(e.db, 0444), 0);
    /* As root, permissions do not bind: run as nobody instead, owner of the
     * store (a store is owner-only, issue 19: another user cannot read it). */
    const char *prefix =
        geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
    if (geteuid() == 0) {
        tu_run c = tu_sh("chown -R 65534:65534 '%s'", e.dir);
        cr_assert_eq(c.status, 0, "%s", c.err);
        tu_run_free(&c);
        cr_assert_eq(chmod(e.dir, 0555), 0);
    }
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd / && %s'%s' --db '%s' export usage", prefix, tu_bilan(), e.db);
    tu_run r = tu_sh("%s", cmd);
    chmod(e.dir, 0700);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, want);
    tu_run_free(&r);
    free(want);
}

/* A read command leaves the store one file, as a writing command does (until
 * 3 December 2026 an empty '-wal' and a '-shm' stayed beside it). */
Test(trust_store, read_commands_leave_no_wal_beside_the_store, .init = setup, .fini = teardown)
{
    ingest_ok("store/pr-original.csv");
    const char *cmds[][4] = {{"sources", NULL, NULL, NULL},
                             {"export", "usage", NULL, NULL},
                             {"gaps", "2025-01..2025-03", NULL, NULL}};
    char wal[1100], shm[1100];
    snprintf(wal, sizeof wal, "%s-wal", e.db);
    snprintf(shm, sizeof shm, "%s-shm", e.db);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        tu_run r = tr_bilan_env(&e, NULL, cmds[i]);
        cr_assert_eq(r.status, 0, "%s: %s", cmds[i][0], r.err);
        tu_run_free(&r);
        cr_assert_neq(access(wal, F_OK), 0, "%s left %s", cmds[i][0], wal);
        cr_assert_neq(access(shm, F_OK), 0, "%s left %s", cmds[i][0], shm);
    }
}

/* Undo: removing a restating report brings the earlier values back, and the
 * store equals one that never ingested it. */
Test(trust_store, removing_a_restatement_brings_the_earlier_values_back, .init = setup,
     .fini = teardown)
{
    ingest_ok("store/pr-original.csv");
    ingest_ok("store/pr-2025-06.csv");
    char *reference = tr_export(&e);
    ingest_ok("store/pr-restated.csv");
    assert_months("Total_Item_Requests", TIR_RESTATED);
    tu_run r = tr_bilan(&e, "sources", "remove", "3", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "removed 1 source: 10 counted cells taken out, 10 earlier cells "
                            "counted again"),
              "%s", r.out);
    tu_run_free(&r);
    char *after = tr_export(&e);
    cr_assert_str_eq(after, reference);
    assert_months("Total_Item_Requests", TIR_ORIG);
    assert_months("Unique_Item_Requests", UIR_ORIG);

    /* The ledger keeps it, marked removed; the same file can come back. */
    r = tr_bilan(&e, "sources", "--format", "csv", NULL);
    cr_assert(strstr(r.out, ",removed,"), "%s", r.out);
    tu_run_free(&r);
    /* Said of the file, asked for by its id. */
    char want[1200];
    r = tr_bilan(&e, "rejects", "3", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    snprintf(want, sizeof want, "%s: no rejected rows\n", tr_fx("store/pr-restated.csv"));
    cr_assert_str_eq(r.out, want);
    tu_run_free(&r);
    const char *env[] = {"BILAN_LANG=fr", NULL};
    const char *args[] = {"rejects", "3", NULL};
    r = tr_bilan_env(&e, env, args);
    snprintf(want, sizeof want, "%s\xC2\xA0: aucune ligne rejetée\n",
             tr_fx("store/pr-restated.csv"));
    cr_assert_str_eq(r.out, want);
    tu_run_free(&r);
    ingest_ok("store/pr-restated.csv");
    assert_months("Total_Item_Requests", TIR_RESTATED);

    /* Removing everything leaves nothing counted; an unknown id changes
     * nothing. */
    r = tr_bilan(&e, "sources", "remove", "1", "99", NULL);
    cr_assert_eq(r.status, 66, "%s", r.err);
    cr_assert(strstr(r.err, "no source #99"), "%s", r.err);
    tu_run_free(&r);
    assert_months("Total_Item_Requests", TIR_RESTATED);
    r = tr_bilan(&e, "sources", "remove", "1", "2", "4", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *empty = tr_export(&e);
    cr_assert_str_eq(empty, "partner_id,library_id,resource_id,month,metric,value\n");
    free(empty);
    free(after);
    free(reference);
}

/* A correction down to 0 (March empty, May 0 in the later report) restates
 * the earlier 120 and 140 as any other value would: a report stores no row
 * for a 0, and until 3 December 2026 the earlier figures stayed counted. In
 * both orders, and removing the correction brings them back. */
/* The original, then a correction that restates its 10 cells; the
 * original's export (to compare once the correction is removed). */
static char *original_then(const char *correction)
{
    ingest_ok("store/pr-original.csv");
    char *reference = tr_export(&e);
    tu_run r = ingest(correction);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "restated 10 cells of 1 earlier file"), "%s", r.out);
    tu_run_free(&r);
    return reference;
}

/* Source #1 (the correction, ingested first) removed: the export is the
 * original's again. */
static void removed_gives_back(const char *reference)
{
    tu_run r = tr_bilan(&e, "sources", "remove", "1", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "10 earlier cells counted again"), "%s", r.out);
    tu_run_free(&r);
    char *after = tr_export(&e);
    cr_assert_str_eq(after, reference);
    free(after);
}

Test(trust_store, a_correction_down_to_zero_restates, .init = setup, .fini = teardown)
{
    char *reference = original_then("store/pr-restated-to-zero.csv");
    tu_run r;
    const long long tir[] = {101, 111, -1, 131, -1}, uir[] = {11, 12, -1, 14, -1};
    assert_months("Total_Item_Requests", tir);
    assert_months("Unique_Item_Requests", uir);
    char *forward = tr_export(&e);
    cr_assert(!strstr(forward, "2025-03") && !strstr(forward, "2025-05"), "%s", forward);
    r = tr_bilan(&e, "sources", NULL);
    cr_assert(strstr(r.out, "superseded by #2"), "%s", r.out);
    cr_assert(!strstr(r.out, "#0"), "%s", r.out);
    tu_run_free(&r);

    /* The archive ingested after its correction stays restated. */
    tr_teardown(&e);
    setup();
    ingest_ok("store/pr-restated-to-zero.csv");
    r = ingest("store/pr-original.csv");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "10 cells superseded by a later report"), "%s", r.out);
    cr_assert(strstr(r.err, "superseded by a report created later (source #1)"), "%s", r.err);
    tu_run_free(&r);
    char *backward = tr_export(&e);
    cr_assert_str_eq(forward, backward);

    removed_gives_back(reference);
    free(backward);
    free(forward);
    free(reference);

    /* Two corrections to 0 (10 July, and a copy made 5 July) and the
     * original: the original's note names the one that won, #1 (it named
     * the largest id among the zeros, #2). */
    tr_teardown(&e);
    setup();
    char copy[1024];
    snprintf(copy, sizeof copy, "%s/z5.csv", e.dir);
    r = tu_sh("sed 's/^Created,2025-07-10/Created,2025-07-05/' '%s' > '%s'",
              tr_fx("store/pr-restated-to-zero.csv"), copy);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    ingest_ok("store/pr-restated-to-zero.csv");
    r = tr_bilan(&e, "ingest", copy, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = ingest("store/pr-original.csv");
    cr_assert(strstr(r.err, "superseded by a report created later (source #1)"), "%s", r.err);
    tu_run_free(&r);
}

/* Undo: removing the older report while a later one counts changes nothing
 * counted, and removing the later one brings the older back. */
Test(trust_store, removing_the_loser_changes_nothing_counted, .init = setup, .fini = teardown)
{
    ingest_ok("store/pr-restated.csv");
    ingest_ok("store/pr-original.csv");
    char *before = tr_export(&e);
    tu_run r = tr_bilan(&e, "sources", "remove", "#2", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *after = tr_export(&e);
    cr_assert_str_eq(before, after);
    free(before);
    free(after);
}

/* Undo for logs: the distinct-user estimate goes back exactly. */
Test(trust_store, removing_a_log_source_restores_the_distinct_users, .init = setup,
     .fini = teardown)
{
    tu_run r = tr_bilan(&e, "network", "import", tr_fx("store/logs/network"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    ingest_ok("store/logs/day-10.log");
    char *one_day = tr_export(&e);
    cr_assert(strstr(one_day, "vannes,vannes-centre,,2026-03,Distinct_Users,2\n"), "%s", one_day);
    ingest_ok("store/logs/day-11.log");
    char *two_days = tr_export(&e);
    cr_assert(strstr(two_days, "vannes,vannes-centre,,2026-03,Distinct_Users,4\n"), "%s", two_days);
    cr_assert(strstr(two_days, "vannes,vannes-centre,ebooks,2026-03,Total_Item_Investigations,6\n"),
              "%s", two_days);
    r = tr_bilan(&e, "sources", "remove", "2", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    /* March 2026 is closed (docs/privacy.md): its two days' sketches were
     * merged, so the distinct users cannot lose day 11's alone; the figure
     * is dropped, and said so, rather than left wrong; the counts come back
     * exactly. */
    cr_assert(strstr(r.out, "1 distinct-user figure of a closed month dropped"), "%s", r.out);
    tu_run_free(&r);
    char *after = tr_export(&e);
    char *want = strdup(one_day);
    char *line = strstr(want, "vannes,vannes-centre,,2026-03,Distinct_Users,2\n");
    cr_assert(line);
    memmove(line, line + strlen("vannes,vannes-centre,,2026-03,Distinct_Users,2\n"),
            strlen(line + strlen("vannes,vannes-centre,,2026-03,Distinct_Users,2\n")) + 1);
    cr_assert_str_eq(after, want);
    /* Removing the other day too and ingesting it again brings it back. */
    r = tr_bilan(&e, "sources", "remove", "1", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    ingest_ok("store/logs/day-10.log");
    char *again = tr_export(&e);
    cr_assert_str_eq(again, one_day);
    free(want);
    free(again);
    free(one_day);
    free(two_days);
    free(after);
}

/* A re-delivered file says only that it was skipped: the rejected rows it
 * carries were reported when it came the first time. */
Test(trust_store, a_redelivered_file_is_skipped_without_its_rejections, .init = setup,
     .fini = teardown)
{
    tu_run r = tr_bilan(&e, "network", "import", tr_fx("store/logs/network"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char log[1024], gz[1100];
    snprintf(log, sizeof log, "%s/fixtures/logs/combined.log", tu_srcdir());
    snprintf(gz, sizeof gz, "%s/combined.log.gz", e.dir);
    tu_run z = tu_sh("gzip -c '%s' > '%s'", log, gz);
    cr_assert_eq(z.status, 0, "%s", z.err);
    tu_run_free(&z);
    r = tr_bilan(&e, "ingest", log, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, ":15: time: malformed timestamp"), "%s", r.err);
    tu_run_free(&r);
    r = tr_bilan(&e, "ingest", gz, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "already ingested as #1, skipped"), "%s", r.out);
    cr_assert_str_eq(r.err, "");
    tu_run_free(&r);
}

/* A source's usage rows go to the store 32 to an INSERT, the rest one by one
 * (store/ingest_write.c): every cell is stored once, with its own values,
 * whether a file has fewer cells than a batch, a batch and one more, or
 * whole batches. A platform report of n platforms, three months each: 3n
 * cells, platform i (from 1) counting i, 2i and 3i. */
static void store_pr_of(int n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/pr-%d.csv", e.dir, n);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "Report_Name,Platform Master Report\nReport_ID,PR\nRelease,5\n"
               "Institution_Name,Réseau\nInstitution_ID,proprietary:x:R\n"
               "Metric_Types,Total_Item_Requests\nReport_Filters,\n"
               "Report_Attributes,Attributes_To_Show=Data_Type|Access_Method\nExceptions,\n"
               "Reporting_Period,Begin_Date=2025-01-01; End_Date=2025-03-31\n"
               "Created,2025-04-03T08:00:00Z\nCreated_By,Batch\n,\n"
               "Platform,Data_Type,Access_Method,Metric_Type,Reporting_Period_Total,"
               "Jan-2025,Feb-2025,Mar-2025\n");
    for (int i = 1; i <= n; i++)
        fprintf(f, "P%03d,Journal,Regular,Total_Item_Requests,%d,%d,%d,%d\n", i, 6 * i, i, 2 * i,
                3 * i);
    cr_assert_eq(fclose(f), 0);
    tu_run r = tr_bilan(&e, "ingest", path, NULL);
    cr_assert_eq(r.status, 0, "%d platforms: %s", n, r.err);
    tu_run_free(&r);
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM usage u JOIN source s ON s.id = u.source_id"
             " WHERE s.path LIKE '%%/pr-%d.csv'",
             n);
    cr_assert_eq(tr_sql_int(&e, sql), 3 * n, "%d platforms: %lld rows", n, tr_sql_int(&e, sql));
    snprintf(sql, sizeof sql,
             "SELECT sum(u.value) FROM usage u JOIN source s ON s.id = u.source_id"
             " WHERE s.path LIKE '%%/pr-%d.csv'",
             n);
    cr_assert_eq(tr_sql_int(&e, sql), 3LL * n * (n + 1), "%d platforms", n);
    for (int i = 1; i <= n; i++)
        for (int m = 1; m <= 3; m++) {
            snprintf(sql, sizeof sql,
                     "SELECT u.value FROM usage u JOIN source s ON s.id = u.source_id"
                     " WHERE s.path LIKE '%%/pr-%d.csv' AND u.platform = 'P%03d'"
                     " AND u.month = '2025-%02d' AND u.metric = 'Total_Item_Requests'"
                     " AND u.access_method = 'Regular' AND u.report_rank < 2000",
                     n, i, m);
            cr_assert_eq(tr_sql_int(&e, sql), (long long)m * i, "%d platforms, P%03d, month %d", n,
                         i, m);
        }
}

Test(trust_store, every_cell_is_stored_once_whatever_the_batches, .init = setup, .fini = teardown)
{
    store_pr_of(10); /* 30 cells: no whole batch */
    store_pr_of(11); /* 33: a batch and one more */
    store_pr_of(32); /* 96: three whole batches */
    store_pr_of(45); /* 135: four batches and seven */
}

/* The query plan SQLite chooses for sql on the store, its steps joined
 * by " | " (malloc'd). */
static char *plan_of(const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(e.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    size_t cap = 4096, len = 0;
    char *out = calloc(1, cap);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(st, 3);
        len += (size_t)snprintf(out + len, cap - len, "%s | ", d ? d : "");
        cr_assert(len < cap);
    }
    sqlite3_finalize(st);
    sqlite3_free(q);
    sqlite3_close(db);
    return out;
}

/* Every report, mail and forfait figure reads usage_effective for a range
 * of months. The view must let SQLite narrow that range to the months'
 * rows (usage_by_month) rather than read and sort the whole table for
 * every query (schema 10, docs/store.md): on 120 daily logs that was
 * 1.8 s a query, and a report runs one per figure. Its figures are those
 * of the view before it (the trust suite's counts, and the check in
 * docs/store.md). */
Test(trust_store, a_range_of_months_reads_those_months_only, .init = setup, .fini = teardown)
{
    ingest_ok("store/pr-original.csv");
    static const char *const queries[] = {
        "SELECT month, SUM(value) FROM usage_effective WHERE month BETWEEN '2025-02' AND '2025-03'"
        " GROUP BY month",
        "SELECT l.partner_id, SUM(u.value) FROM usage_effective u LEFT JOIN resource r"
        " ON r.id = u.resource_id JOIN library l ON l.id = u.library_id"
        " WHERE u.month BETWEEN '2025-02' AND '2025-03' AND u.access_method = 'Regular'"
        " GROUP BY 1",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        char *plan = plan_of(queries[i]);
        cr_assert(strstr(plan, "USING INDEX usage_by_month (month>? AND month<?)"),
                  "query %zu reads the whole usage table: %s", i, plan);
        free(plan);
    }
    /* And the range gives the months' figures: 120 + 130 requests. */
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage_effective WHERE month BETWEEN"
                                " '2025-03' AND '2025-04' AND metric = 'Total_Item_Requests'"),
                 250);
}

/* A row that is 0 (or empty) in every month speaks for its months as a row
 * with one value does: until 3 December 2026 it stored nothing, so the
 * earlier 100 to 140 requests stayed counted after a correction to 0. */
Test(trust_store, a_row_of_zeros_in_every_month_restates, .init = setup, .fini = teardown)
{
    const char *total = "SELECT COALESCE(SUM(value), 0) FROM usage_effective WHERE metric = "
                        "'Total_Item_Requests'";
    char *reference = original_then("store/pr-restated-all-zero.csv");
    cr_assert_eq(tr_sql_int(&e, total), 0);
    assert_months("Unique_Item_Requests", (const long long[]){11, 12, -1, 14, -1});
    char *forward = tr_export(&e);

    /* The other order: the same figures. */
    tr_teardown(&e);
    setup();
    ingest_ok("store/pr-restated-all-zero.csv");
    ingest_ok("store/pr-original.csv");
    cr_assert_eq(tr_sql_int(&e, total), 0);
    char *backward = tr_export(&e);
    cr_assert_str_eq(forward, backward);

    removed_gives_back(reference);
    cr_assert_eq(tr_sql_int(&e, total), 600);
    free(backward);
    free(forward);
    free(reference);
}
