/* COUNTER's own R5.1 sample master reports (PR, DR, TR, IR, from the Code of
 * Practice's source, fixtures/counter5/samples-r51/) end to end through the
 * real binary: all four ingest in one call without a rejected row, and
 * `bilan export usage` gives, for each month and metric, the Regular total of
 * the first report type carrying it in the order PR, DR, TR, IR (issue #3).
 * The expectation is computed independently by samples_expected.py from the
 * same files, so the test checks bilan's counting-once rule, not numbers
 * copied from bilan's own output. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir, *db;

static const char *sample(const char *name)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/fixtures/counter5/samples-r51/%s", tu_srcdir(), name);
    return buf[k];
}

static void setup(void)
{
    dir = tu_mkdtemp("samples");
    cr_assert(dir);
    db = malloc(strlen(dir) + 8);
    cr_assert(db);
    sprintf(db, "%s/t.db", dir);
    const char *argv[] = {tu_bilan(), "--db", db, "network", "import", sample("network"), NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
    free(db);
}

Test(samples, r51_masters_count_once_in_pr_dr_tr_ir_order, .init = setup, .fini = teardown)
{
    /* Given in the reverse of the precedence order: the report rank, not the
     * order of delivery, decides which report type counts. */
    const char *ingest[] = {tu_bilan(),
                            "--db",
                            db,
                            "ingest",
                            sample("IR_sample_r51.tsv"),
                            sample("TR_sample_r51.tsv"),
                            sample("DR_sample_r51.tsv"),
                            sample("PR_sample_r51.tsv"),
                            NULL};
    tu_run r = tu_runv(ingest, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(tu_count(r.out, "\n"), 4, "one summary line per file: %s", r.out);
    cr_assert_eq(tu_count(r.out, " accepted, 0 rows rejected, 0 unattributed\n"), 4, "%s", r.out);
    const char *kinds[] = {"counter5 PR 2022-01..2022-12: ", "counter5 DR 2022-01..2022-12: ",
                           "counter5 TR 2022-01..2022-12: ", "counter5 IR 2022-01..2022-12: "};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        cr_assert(strstr(r.out, kinds[i]), "%s missing from: %s", kinds[i], r.out);
    tu_run_free(&r);

    const char *exp_argv[] = {tu_bilan(), "--db", db, "export", "usage", NULL};
    tu_run got = tu_runv(exp_argv, NULL);
    cr_assert_eq(got.status, 0, "%s", got.err);

    tu_run want = tu_sh("/usr/bin/python3 '%s/tests/aggregate/samples_expected.py' dep-test "
                        "bdp-sample sample '%s' '%s' '%s' '%s'",
                        tu_srcdir(), sample("PR_sample_r51.tsv"), sample("DR_sample_r51.tsv"),
                        sample("TR_sample_r51.tsv"), sample("IR_sample_r51.tsv"));
    cr_assert_eq(want.status, 0, "%s", want.err);
    /* 12 months x 12 metrics, plus the header: a script that printed nothing
     * would not make the comparison vacuous. */
    cr_assert_eq(tu_count(want.out, "\n"), 1 + 12 * 12, "%s", want.out);
    cr_assert_str_eq(got.out, want.out);
    tu_run_free(&got);
    tu_run_free(&want);
}
