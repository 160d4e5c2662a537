/* COUNTER JSON reports through the real binary (issue 14, part 3): every
 * official R5.0 and R5.1 sample gives, as JSON, the `bilan export usage`
 * of its TSV; R5.1's omitted zero months; the vendor quirks; a bad count
 * rejected alone; a document of exceptions or broken JSON refused with the
 * store unchanged; `sources remove` of a JSON source. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir;

static void setup(void)
{
    dir = tu_mkdtemp("sushi-json");
    cr_assert(dir);
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
}

static const char *fx(const char *name)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/fixtures/sushi/%s", tu_srcdir(), name);
    return buf[k];
}

static const char *db_path(const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s.db", dir, name);
    return buf[k];
}

static tu_run bilan(const char *db, const char *a1, const char *a2, const char *a3)
{
    const char *argv[] = {tu_bilan(), "--db", db, a1, a2, a3, NULL};
    return tu_runv(argv, NULL);
}

/* A fresh store (with a network when net is not NULL), path ingested; the
 * export. The ingest's output in *summary when not NULL. */
static char *export_of(const char *name, const char *net, const char *path, char **summary)
{
    const char *db = db_path(name);
    tu_run r;
    if (net) {
        r = bilan(db, "network", "import", net);
        cr_assert_eq(r.status, 0, "%s", r.err);
        tu_run_free(&r);
    }
    r = bilan(db, "ingest", path, NULL);
    cr_assert_eq(r.status, 0, "%s: %s", path, r.err);
    cr_assert_eq(tu_count(r.out, " 0 rows rejected"), 1, "%s", r.out);
    if (summary)
        *summary = strdup(strstr(r.out, ": ") ? strstr(r.out, ": ") + 2 : r.out);
    tu_run_free(&r);
    r = bilan(db, "export", "usage", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *out = strdup(r.out);
    tu_run_free(&r);
    return out;
}

/* JSON and TSV of one report: the same export, and the same counts read
 * (the summary's "N accepted, ..." after the format and report id). */
static void same_as_tsv(const char *json, const char *tsv, const char *net, int min_lines)
{
    char *sj = NULL, *st = NULL;
    char *ej = export_of("json", net, json, &sj);
    char *et = export_of("tsv", net, tsv, &st);
    cr_assert_str_eq(ej, et, "%s vs %s", json, tsv);
    cr_assert_geq(tu_count(ej, "\n"), min_lines, "%s: %s", json, ej);
    cr_assert(strstr(sj, "counter5-json "), "%s", sj);
    cr_assert(strstr(st, "counter5 "), "%s", st);
    cr_assert_str_eq(strstr(sj, "accepted") ? strchr(sj, ':') : sj,
                     strstr(st, "accepted") ? strchr(st, ':') : st);
    free(ej);
    free(et);
    free(sj);
    free(st);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -f '%s'* '%s'*", db_path("json"), db_path("tsv"));
    tu_run r = tu_sh("%s", cmd);
    tu_run_free(&r);
}

Test(json, r50_samples_equal_their_tsv, .init = setup, .fini = teardown)
{
    static const char *const ids[] = {"PR",    "PR_P1", "DR", "DR_D1", "TR",
                                      "TR_B1", "TR_J1", "IR", "IR_M1"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char j[64], t[64];
        snprintf(j, sizeof j, "r50/Sample-%s.json", ids[i]);
        snprintf(t, sizeof t, "r50/Sample-%s.tsv", ids[i]);
        same_as_tsv(fx(j), fx(t), NULL, 3);
    }
}

Test(json, r51_samples_equal_their_tsv_attributed, .init = setup, .fini = teardown)
{
    /* With the samples' network every row is attributed: the Institution_ID
     * read from the JSON ({"ISNI": [...]}) must match the library's alias as
     * the TSV's "ISNI:..." does. */
    char net[1024];
    snprintf(net, sizeof net, "%s/fixtures/counter5/samples-r51/network", tu_srcdir());
    static const char *const ids[] = {"PR", "DR", "TR", "IR", "TRJ1", "TRB3", "DRD2", "IRM1"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char j[64], t[64];
        snprintf(j, sizeof j, "r51/%s_sample_r51.json", ids[i]);
        snprintf(t, sizeof t, "r51/%s_sample_r51.tsv", ids[i]);
        same_as_tsv(fx(j), fx(t), net, 13);
    }
    char *s = NULL;
    char *e = export_of("pr", net, fx("r51/PR_sample_r51.json"), &s);
    cr_assert(strstr(s, " 0 unattributed"), "%s", s);
    cr_assert(strstr(e, "dep-test,bdp-sample,sample,2022-01,"), "%s", e);
    free(e);
    free(s);
}

Test(json, r51_omitted_zero_months_are_zeros, .init = setup, .fini = teardown)
{
    char *e = export_of("z", NULL, fx("tr_j1_r51_zeros.json"), NULL);
    cr_assert_str_eq(e, "partner_id,library_id,resource_id,month,metric,value\n"
                        ",,,2025-01,Total_Item_Requests,5\n"
                        ",,,2025-01,Unique_Item_Requests,4\n"
                        ",,,2025-02,Total_Item_Requests,3\n"
                        ",,,2025-03,Total_Item_Requests,7\n"
                        ",,,2025-03,Unique_Item_Requests,5\n");
    free(e);
    /* the same report written with its zeros, as TSV */
    same_as_tsv(fx("tr_j1_r51_zeros.json"), fx("tr_j1_r51_zeros.tsv"), NULL, 6);
    /* the period is the header's, not the months seen: 2025-01..2025-03 */
    tu_run r = bilan(db_path("z"), "sources", NULL, NULL);
    cr_assert(strstr(r.out, "counter5-json TR_J1 2025-01..2025-03"), "%s", r.out);
    tu_run_free(&r);
}

Test(json, vendor_quirks_read_as_the_plain_report, .init = setup, .fini = teardown)
{
    char *want = export_of("plain", NULL, fx("tr_j1_r51_zeros.json"), NULL);
    static const char *const q[] = {"quirk_body.json", "quirk_root_array.json",
                                    "quirk_stringified.json", "quirk_bom.json"};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "q%zu", i);
        char *got = export_of(name, NULL, fx(q[i]), NULL);
        cr_assert_str_eq(got, want, "%s", q[i]);
        free(got);
    }
    free(want);
}

Test(json, bad_count_rejects_its_item_alone, .init = setup, .fini = teardown)
{
    const char *db = db_path("bad");
    tu_run r = bilan(db, "ingest", fx("bad_count.json"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "4 values accepted, 1 row rejected"), "%s", r.out);
    cr_assert(strstr(r.err, "bad_count.json:44: 2025-02: 'abc' is not a whole count"), "%s", r.err);
    tu_run_free(&r);
    r = bilan(db, "export", "usage", NULL);
    cr_assert(strstr(r.out, ",,,2025-01,Total_Item_Requests,5\n"), "%s", r.out);
    cr_assert(!strstr(r.out, "2025-02"), "Revue B's only count was rejected: %s", r.out);
    tu_run_free(&r);
}

Test(json, exceptions_and_broken_json_refused_store_unchanged, .init = setup, .fini = teardown)
{
    const char *db = db_path("ref");
    char *before = export_of("ref", NULL, fx("r50/Sample-TR_J1.json"), NULL);
    tu_run r = bilan(db, "ingest", fx("exceptions_only.json"), NULL);
    cr_assert_eq(r.status, 65, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "exception 3030 (No Usage Available for Requested Dates"), "%s", r.err);
    tu_run_free(&r);
    r = bilan(db, "ingest", fx("truncated.json"), NULL);
    cr_assert_eq(r.status, 65, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "not valid JSON"), "%s", r.err);
    cr_assert(strstr(r.err, "store unchanged"), "%s", r.err);
    tu_run_free(&r);
    r = bilan(db, "export", "usage", NULL);
    cr_assert_str_eq(r.out, before);
    tu_run_free(&r);
    r = bilan(db, "sources", NULL, NULL);
    cr_assert_eq(tu_count(r.out, "\n#"), 0, "one source only: %s", r.out);
    cr_assert_eq(tu_count(r.out, "#"), 1, "%s", r.out);
    tu_run_free(&r);
    free(before);
}

Test(json, json_source_removed_like_any_other, .init = setup, .fini = teardown)
{
    const char *db = db_path("rm");
    char *e = export_of("rm", NULL, fx("tr_j1_r51_zeros.json"), NULL);
    cr_assert_gt(tu_count(e, "\n"), 1);
    free(e);
    tu_run r = bilan(db, "sources", "remove", "1");
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = bilan(db, "export", "usage", NULL);
    cr_assert_str_eq(r.out, "partner_id,library_id,resource_id,month,metric,value\n");
    tu_run_free(&r);
}

Test(json, compact_items_on_one_line_keep_their_platforms, .init = setup, .fini = teardown)
{
    /* A SUSHI response is usually one line: every item is on line 1, and
     * each item's counts must still go to its own platform's resource (the
     * roll-up once reused the previous item's group for the same line,
     * metric and access method). */
    char net[1024];
    snprintf(net, sizeof net, "%s/fixtures/demo/network", tu_srcdir());
    static const char *const f[] = {"compact_platforms_r51.json", "compact_platforms_r50.json"};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%zu", i);
        char *e = export_of(name, net, fx(f[i]), NULL);
        cr_assert_str_eq(e,
                         "partner_id,library_id,resource_id,month,metric,value\n"
                         ",,pnb,2025-01,Total_Item_Requests,5\n"
                         ",,pnb,2025-02,Total_Item_Requests,1\n"
                         ",,presse,2025-01,Total_Item_Requests,7\n"
                         ",,presse,2025-02,Total_Item_Requests,2\n",
                         "%s", f[i]);
        free(e);
    }
}

Test(json, a_bad_value_is_quoted_alone, .init = setup, .fini = teardown)
{
    /* A rejection quotes the bad value itself: the reader sees a view into
     * YAJL's buffer, not a C string, and once quoted whatever followed it on
     * the line (and read past the end of the buffer: found by the fuzzer). */
    char path[1100];
    snprintf(path, sizeof path, "%s/one-line.json", dir);
    static const char body[] =
        "{\"Report_Header\":{\"Release\":\"5\",\"Report_ID\":\"PR\",\"Report_Name\":\"Platform "
        "Master Report\",\"Created\":\"2026-01-05T10:00:00Z\",\"Created_By\":\"Test\","
        "\"Institution_Name\":\"Test\",\"Report_Filters\":[{\"Name\":\"Begin_Date\",\"Value\":"
        "\"2025-01-01\"},{\"Name\":\"End_Date\",\"Value\":\"2025-03-31\"}]},\"Report_Items\":["
        "{\"Platform\":\"A\",\"Data_Type\":\"Book\",\"Access_Method\":\"Regular\",\"Performance\":"
        "[{\"Period\":{\"Begin_Date\":\"2025-01-01\",\"End_Date\":\"2025-01-31\"},\"Instance\":[{"
        "\"Metric_Type\":\"Total_Item_Requests\",\"Count\":7}]}]},"
        "{\"Platform\":\"B\",\"Data_Type\":\"Book\",\"Access_Method\":\"Regular\",\"Performance\":"
        "[{\"Period\":{\"Begin_Date\":\"2025-02-01\",\"End_Date\":\"2quests\"},\"Instance\":[{"
        "\"Metric_Type\":\"Total_Item_Requests\",\"Count\":2}]}]},"
        "{\"Platform\":\"C\",\"Data_Type\":\"Book\",\"Access_Method\":\"Regular\",\"Performance\":"
        "[{\"Period\":{\"Begin_Date\":\"2025-03-01\",\"End_Date\":\"2025-03-31\"},\"Instance\":[{"
        "\"Metric_Type\":\"Total_Item_Requests\",\"Count\":\"x9\"}]}]}]}";
    cr_assert(tu_write_file(path, body, strlen(body)));
    tu_run r = bilan(db_path("q"), "ingest", path, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "1 value accepted, 2 rows rejected"), "%s", r.out);
    cr_assert(strstr(r.err, "End_Date '2quests' is not a date\n"), "%s", r.err);
    cr_assert(strstr(r.err, "'x9' is not a whole count (0 to 1000000000)\n"), "%s", r.err);
    tu_run_free(&r);
}
