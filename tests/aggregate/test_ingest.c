/* End-to-end ingestion through the real binary: attribution, unattributed
 * usage, counting once across report types, TDM kept apart, restatements,
 * idempotent re-delivery, bad rows, refused files. Expected values are
 * computed by hand from fixtures/ingest/ (see its README). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir, *db;

static char *fx(const char *name)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/fixtures/ingest/%s", tu_srcdir(), name);
    return buf[k];
}

static tu_run bilan(const char *a1, const char *a2, const char *a3, const char *a4)
{
    const char *argv[] = {tu_bilan(), "--db", db, a1, a2, a3, a4, NULL};
    return tu_runv(argv, NULL);
}

static void setup(void)
{
    dir = tu_mkdtemp("ingest");
    db = malloc(strlen(dir) + 8);
    sprintf(db, "%s/t.db", dir);
    tu_run r = bilan("network", "import", fx("network"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
    free(db);
}

static char *export_usage(const char *opt1, const char *opt2)
{
    tu_run r = bilan("export", "usage", opt1, opt2);
    cr_assert_eq(r.status, 0, "%s", r.err);
    free(r.err);
    return r.out;
}

#define HEADER "partner_id,library_id,resource_id,month,metric,value\n"

static const char PR_ONLY[] = HEADER ",,presse,2025-01,Total_Item_Requests,1\n"
                                     ",,presse,2025-02,Total_Item_Requests,2\n"
                                     ",,presse,2025-03,Total_Item_Requests,4\n"
                                     "ca-test,bm-centre,presse,2025-01,Total_Item_Requests,100\n"
                                     "ca-test,bm-centre,presse,2025-01,Unique_Item_Requests,10\n"
                                     "ca-test,bm-centre,presse,2025-02,Total_Item_Requests,200\n"
                                     "ca-test,bm-centre,presse,2025-02,Unique_Item_Requests,20\n"
                                     "ca-test,bm-centre,presse,2025-03,Total_Item_Requests,300\n"
                                     "ca-test,bm-centre,presse,2025-03,Unique_Item_Requests,30\n"
                                     "vil-test,bm-village,presse,2025-01,Total_Item_Requests,5\n"
                                     "vil-test,bm-village,presse,2025-03,Total_Item_Requests,10\n";

Test(ingest, pr_attributes_by_id_and_name_and_keeps_unattributed, .init = setup, .fini = teardown)
{
    tu_run r = bilan("ingest", fx("pr-2025q1.csv"), NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(
        strstr(r.out,
               "counter5 PR 2025-01..2025-03: 11 values accepted, 0 rows rejected, 3 unattributed"),
        "%s", r.out);
    tu_run_free(&r);
    char *e = export_usage(NULL, NULL);
    cr_assert_str_eq(e, PR_ONLY);
    free(e);
}

Test(ingest, same_content_twice_changes_nothing, .init = setup, .fini = teardown)
{
    tu_run r = bilan("ingest", fx("pr-2025q1.csv"), NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = bilan("ingest", fx("pr-2025q1.csv"), NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "already ingested"), "%s", r.out);
    tu_run_free(&r);
    char *e = export_usage(NULL, NULL);
    cr_assert_str_eq(e, PR_ONLY);
    free(e);
    r = bilan("sources", "--format", "csv", NULL);
    cr_assert_eq(tu_count(r.out, "\n"), 2, "one source only: %s", r.out);
    /* The file's SHA-256, made while it was read, is its bytes' as
     * coreutils' sha256sum says. */
    tu_run s = tu_sh("sha256sum < '%s'", fx("pr-2025q1.csv"));
    cr_assert_eq(s.status, 0, "%s", s.err);
    s.out[64] = '\0';
    cr_assert(strstr(r.out, s.out), "%s not in %s", s.out, r.out);
    tu_run_free(&s);
    tu_run_free(&r);
}

Test(ingest, counting_once_pr_before_dr_and_tdm_apart, .init = setup, .fini = teardown)
{
    tu_run r = bilan("ingest", fx("dr-2025q1.tsv"), fx("pr-2025q1.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *e = export_usage("--partner", "ca-test");
    cr_assert_str_eq(e, HEADER "ca-test,bm-centre,presse,2025-01,Searches_Regular,11\n"
                               "ca-test,bm-centre,presse,2025-01,Total_Item_Requests,100\n"
                               "ca-test,bm-centre,presse,2025-01,Unique_Item_Requests,10\n"
                               "ca-test,bm-centre,presse,2025-02,Searches_Regular,12\n"
                               "ca-test,bm-centre,presse,2025-02,Total_Item_Requests,200\n"
                               "ca-test,bm-centre,presse,2025-02,Unique_Item_Requests,20\n"
                               "ca-test,bm-centre,presse,2025-03,Searches_Regular,22\n"
                               "ca-test,bm-centre,presse,2025-03,Total_Item_Requests,300\n"
                               "ca-test,bm-centre,presse,2025-03,Unique_Item_Requests,30\n");
    free(e);
    e = export_usage("--access-method", "tdm");
    cr_assert_str_eq(e, HEADER "ca-test,bm-centre,presse,2025-01,Total_Item_Requests,30\n"
                               "ca-test,bm-centre,presse,2025-02,Total_Item_Requests,30\n"
                               "ca-test,bm-centre,presse,2025-03,Total_Item_Requests,30\n");
    free(e);
}

Test(ingest, restated_month_replaces_exactly_that_month, .init = setup, .fini = teardown)
{
    tu_run r = bilan("ingest", fx("pr-2025q1.csv"), NULL, NULL);
    tu_run_free(&r);
    r = bilan("ingest", fx("pr-2025-02-restated.csv"), NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "restated 2 cells of 1 earlier file"), "%s", r.out);
    tu_run_free(&r);
    char *e = export_usage("--partner", "ca-test");
    cr_assert_str_eq(e, HEADER "ca-test,bm-centre,presse,2025-01,Total_Item_Requests,100\n"
                               "ca-test,bm-centre,presse,2025-01,Unique_Item_Requests,10\n"
                               "ca-test,bm-centre,presse,2025-02,Total_Item_Requests,250\n"
                               "ca-test,bm-centre,presse,2025-02,Unique_Item_Requests,25\n"
                               "ca-test,bm-centre,presse,2025-03,Total_Item_Requests,300\n"
                               "ca-test,bm-centre,presse,2025-03,Unique_Item_Requests,30\n");
    free(e);
    /* The unknown institution's February, not restated, is untouched. */
    e = export_usage("--from", "2025-02");
    cr_assert(strstr(e, ",,presse,2025-02,Total_Item_Requests,2\n"), "%s", e);
    free(e);
    r = bilan("sources", NULL, NULL, NULL);
    cr_assert(strstr(r.out, "partly superseded by #2 (9 of 11 cells counted)"), "%s", r.out);
    tu_run_free(&r);
}

Test(ingest, bad_row_rejected_alone_with_its_line, .init = setup, .fini = teardown)
{
    tu_run r = bilan("ingest", fx("tr-bad-row.csv"), NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "tr-bad-row.csv:16:"), "%s", r.err);
    cr_assert(strstr(r.out, "1 row rejected"), "%s", r.out);
    tu_run_free(&r);
    char *e = export_usage(NULL, NULL);
    cr_assert_str_eq(e, HEADER "ca-test,bm-quartier,livres,2025-01,Total_Item_Requests,1002\n"
                               "ca-test,bm-quartier,livres,2025-02,Total_Item_Requests,13\n"
                               "ca-test,bm-quartier,livres,2025-03,Total_Item_Requests,10\n");
    free(e);
    r = bilan("rejects", "tr-bad-row.csv", NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "tr-bad-row.csv:16: "), "%s", r.out);
    tu_run_free(&r);
    /* --strict refuses the whole file: nothing stored. */
    char db2[1100];
    snprintf(db2, sizeof db2, "%s/strict.db", dir);
    const char *argv[] = {tu_bilan(),           "--db", db2, "ingest", "--strict",
                          fx("tr-bad-row.csv"), NULL};
    r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 65, "%s", r.err);
    tu_run_free(&r);
    const char *argv2[] = {tu_bilan(), "--db", db2, "export", "usage", NULL};
    r = tu_runv(argv2, NULL);
    cr_assert_str_eq(r.out, HEADER);
    tu_run_free(&r);
}

Test(ingest, unknown_platform_and_late_network_reattribution, .init = setup, .fini = teardown)
{
    tu_run r = bilan("ingest", fx("unknown-platform.csv"), NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *e = export_usage(NULL, NULL);
    cr_assert_str_eq(e, HEADER "vil-test,bm-village,,2025-01,Total_Item_Requests,1\n"
                               "vil-test,bm-village,,2025-02,Total_Item_Requests,2\n"
                               "vil-test,bm-village,,2025-03,Total_Item_Requests,3\n");
    free(e);
    /* The project lead declares the platform: the usage is attributed. */
    char net[1100];
    snprintf(net, sizeof net, "%s/net", dir);
    r = tu_sh("mkdir -p '%s' && cp '%s'/*.csv '%s'/ && printf "
              "'vod,Cinéma,Mystery,video,0,MysteryVOD,,,\\n' >> '%s/resources.csv'",
              net, fx("network"), net, net);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = bilan("network", "import", net, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    e = export_usage("--to", "2025-01");
    cr_assert_str_eq(e, HEADER "vil-test,bm-village,vod,2025-01,Total_Item_Requests,1\n");
    free(e);
}

Test(ingest, refused_files_leave_the_store_unchanged, .init = setup, .fini = teardown)
{
    tu_run r = bilan("ingest", fx("pr-2025q1.csv"), NULL, NULL);
    tu_run_free(&r);
    char p[1100];
    snprintf(p, sizeof p, "%s/garbage.csv", dir);
    cr_assert(tu_write_file(p, "hello,world\n1,2\n", 16));
    r = bilan("ingest", p, NULL, NULL);
    cr_assert_eq(r.status, 65, "%s", r.err);
    cr_assert(strstr(r.err, "garbage.csv"), "%s", r.err);
    tu_run_free(&r);
    r = bilan("ingest", "/nonexistent/file.csv", NULL, NULL);
    cr_assert_eq(r.status, 66, "%s", r.err);
    cr_assert(strstr(r.err, "No such file or directory"), "%s", r.err);
    tu_run_free(&r);
    char *e = export_usage(NULL, NULL);
    cr_assert_str_eq(e, PR_ONLY);
    free(e);
}

Test(ingest, r5_wins_over_r4_and_r4_fills_the_rest, .init = setup, .fini = teardown)
{
    /* R4 first, then R5: the order of delivery does not matter. */
    tu_run r = bilan("ingest", fx("jr1-2025.csv"), fx("pr-2025q1.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "counter4 JR1 2025-01..2025-04"), "%s", r.out);
    cr_assert(strstr(r.out, ", 1 line skipped"), "the total row is skipped: %s", r.out);
    tu_run_free(&r);
    char *e = export_usage("--partner", "ca-test");
    cr_assert_str_eq(e, HEADER "ca-test,bm-centre,presse,2025-01,Total_Item_Requests,100\n"
                               "ca-test,bm-centre,presse,2025-01,Unique_Item_Requests,10\n"
                               "ca-test,bm-centre,presse,2025-02,Total_Item_Requests,200\n"
                               "ca-test,bm-centre,presse,2025-02,Unique_Item_Requests,20\n"
                               "ca-test,bm-centre,presse,2025-03,Total_Item_Requests,300\n"
                               "ca-test,bm-centre,presse,2025-03,Unique_Item_Requests,30\n"
                               "ca-test,bm-centre,presse,2025-04,Total_Item_Requests,90\n");
    free(e);
}

Test(ingest, gaps_name_the_missing_months, .init = setup, .fini = teardown)
{
    tu_run r = bilan("ingest", fx("pr-2025q1.csv"), fx("tr-bad-row.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = bilan("gaps", "2024-12..2025-04", NULL, NULL);
    cr_assert_eq(r.status, 1, "gaps found: exit 1 (%s)", r.err);
#define REJECTED_ROW(m)                                                                        \
    "livres\t" m "\tLivres numériques\tbm-quartier\tBibliothèque du quartier\trejected row " \
    "(bilan rejects names it)\n"
    cr_assert_str_eq(r.out, "livres\t2024-12\tLivres numériques\n"
                            "livres\t2025-04\tLivres numériques\n"
                            "presse\t2024-12\tPresse en ligne\n"
                            "presse\t2025-04\tPresse en ligne\n" REJECTED_ROW("2025-01")
                                REJECTED_ROW("2025-02") REJECTED_ROW("2025-03"));
    tu_run_free(&r);
    /* Inside the reports' months only the rejected row's figures are not
     * known (« Veiller sur elle », abc: every month of its row). */
    r = bilan("gaps", "2025-01..2025-03", NULL, NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert_str_eq(r.out,
                     REJECTED_ROW("2025-01") REJECTED_ROW("2025-02") REJECTED_ROW("2025-03"));
    tu_run_free(&r);
#undef REJECTED_ROW
}
