/* Crash safety and concurrency of `bilan ingest` on a real store:
 * - SIGKILL in the middle of a large file (while it reads, and while it
 *   writes its transaction): PRAGMA integrity_check is ok, the export is what
 *   it was before, and re-running gives exactly the export of an
 *   uninterrupted run on a fresh store;
 * - two ingests of different files at once both succeed, and give what
 *   running them one after the other gives;
 * - exports run in a loop during an ingest see the state before or after it,
 *   never a half.
 * The large inputs are generated here, into the test's temporary directory. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rel_util.h"

static rel_env env;

static void setup(void)
{
    rel_setup(&env, "crash");
}

static void teardown(void)
{
    rel_teardown(&env);
}

/* The generated reports' sizes. Under ASan, which makes an ingest several
 * times slower, half of each: the runs still last seconds (long enough to be
 * killed at a tenth and three tenths of one, or to overlap another), the
 * sanitizers see the same code paths, and CI's time is mostly these tests
 * under ASan. */
#ifdef __SANITIZE_ADDRESS__
#define SIZED(n) ((n) / 2)
#else
#define SIZED(n) (n)
#endif
/* 60 000 institutions: 120 000 data rows, 360 000 usage cells (and a 12 MB file). */
#define BIG_INSTITUTIONS SIZED(60000L)

static void ingest_ok(const char *db, const char *path)
{
    tu_run r = rel_bilan(db, "ingest", path, NULL);
    cr_assert_eq(r.status, 0, "ingest %s: %s", path, r.err);
    tu_run_free(&r);
}

static void assert_sound(const char *db)
{
    char *ic = rel_integrity(db);
    cr_assert_str_eq(ic, "ok", "integrity_check: %s", ic);
    free(ic);
}

/* A path in the test's directory, in the caller's own buffer (rel_path's
 * rotating buffers would be reused under a long-lived pointer). */
#define LOCAL_PATH(var, name) \
    char var[1100];           \
    snprintf(var, sizeof var, "%s/%s", env.dir, name)

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Starts `bilan ingest big` on db and SIGKILLs it: after `delay` seconds, or
 * (delay < 0) as soon as its write-ahead log has grown by 256 KiB, that is
 * in the middle of writing its transaction. Returns the exit status. */
static int ingest_and_kill(const char *db, const char *big, double delay, double limit)
{
    char wal[1100];
    snprintf(wal, sizeof wal, "%s-wal", db);
    long long wal0 = file_size(wal);
    const char *argv[] = {tu_bilan(), "--db", db, "ingest", big, NULL};
    pid_t pid = rel_spawn(argv, rel_path(&env, "kill.out"), rel_path(&env, "kill.err"));
    double t0 = rel_now();
    for (;;) {
        int ws;
        if (waitpid(pid, &ws, WNOHANG) == pid)
            return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        double el = rel_now() - t0;
        if (delay >= 0 ? el >= delay : file_size(wal) > (wal0 < 0 ? 0 : wal0) + 256 * 1024)
            break;
        if (el > limit)
            break;
        rel_sleep(0.002);
    }
    kill(pid, SIGKILL);
    return rel_wait(pid);
}

Test(crash, sigkill_mid_ingest_leaves_store_intact_and_rerun_matches, .init = setup,
     .fini = teardown)
{
    const char *base = rel_fixture("ingest/pr-2025q1.csv");
    LOCAL_PATH(big, "big-pr.csv");
    rel_gen_pr(big, "Gen", "PresseNum", "PresseNum", BIG_INSTITUTIONS);

    /* The uninterrupted run, on a fresh store: the reference, and its time. */
    char ref[1024];
    rel_new_store(&env, "ref.db", ref);
    ingest_ok(ref, base);
    double t0 = rel_now();
    ingest_ok(ref, big);
    double full = rel_now() - t0;
    char *ref_export = rel_export(ref);
    long long ref_rows = rel_count(ref, "SELECT COUNT(*) FROM usage");
    cr_assert_gt(ref_rows, 3 * BIG_INSTITUTIONS, "the large file gave too little (%lld rows)",
                 ref_rows);

    ingest_ok(env.db, base);
    char *before = rel_export(env.db), *src_before = rel_sources(env.db);
    long long rows_before = rel_count(env.db, "SELECT COUNT(*) FROM usage");

    /* Kill while reading (early), later, and while writing (WAL growing). A
     * kill may also land after COMMIT, while the process exits: then the
     * store must hold the whole new state. Anything else is a half state. */
    const double when[] = {0.1 * full, 0.3 * full, -1};
    int clean = 0;
    for (size_t i = 0; i < sizeof when / sizeof when[0]; i++) {
        int st = ingest_and_kill(env.db, big, when[i], 4 * full + 30);
        assert_sound(env.db);
        char *now = rel_export(env.db), *src_now = rel_sources(env.db);
        long long rows = rel_count(env.db, "SELECT COUNT(*) FROM usage");
        bool same =
            strcmp(now, before) == 0 && strcmp(src_now, src_before) == 0 && rows == rows_before;
        bool whole = strcmp(now, ref_export) == 0 && rows == ref_rows;
        cr_log_info("kill %zu at %.2fs of a %.2fs run: status %d, store %s", i, when[i], full, st,
                    same    ? "as before"
                    : whole ? "complete"
                            : "HALF-WRITTEN");
        cr_assert(same || whole, "kill %zu left a state that is neither before nor after", i);
        cr_assert(st == 128 + SIGKILL || (st == 0 && whole), "ingest failed: status %d", st);
        free(now);
        free(src_now);
        if (whole)
            break; /* it committed before the kill: further runs are duplicates */
        clean++;
    }
    cr_assert_geq(clean, 2, "the kills came too late (%d before COMMIT)", clean);

    /* Re-running gives exactly the uninterrupted run's result. */
    tu_run r = rel_bilan(env.db, "ingest", big, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    assert_sound(env.db);
    char *after = rel_export(env.db);
    cr_assert_str_eq(after, ref_export, "re-run after kills differs from an uninterrupted run");
    cr_assert_eq(rel_count(env.db, "SELECT COUNT(*) FROM usage"), ref_rows);
    cr_assert_eq(rel_count(env.db, "SELECT COUNT(*) FROM source"), 2);
    free(after);
    free(before);
    free(src_before);
    free(ref_export);
}

Test(concurrency, two_ingests_at_once_equal_one_after_the_other, .init = setup, .fini = teardown)
{
    LOCAL_PATH(a, "alpha.csv");
    LOCAL_PATH(b, "beta.csv");
    rel_gen_pr(a, "Alpha", "PresseNum", "PresseNum", SIZED(15000));
    rel_gen_pr(b, "Beta", "PNB", "Dilicom PNB", SIZED(15000));

    char seq[1024];
    rel_new_store(&env, "seq.db", seq);
    ingest_ok(seq, a);
    ingest_ok(seq, b);
    char *want = rel_export(seq);

    for (int round = 0; round < 2; round++) {
        char db[1024];
        rel_new_store(&env, round ? "par2.db" : "par1.db", db);
        const char *argv_a[] = {tu_bilan(), "--db", db, "ingest", a, NULL};
        const char *argv_b[] = {tu_bilan(), "--db", db, "ingest", b, NULL};
        pid_t pa =
            rel_spawn(round ? argv_b : argv_a, rel_path(&env, "a.out"), rel_path(&env, "a.err"));
        pid_t pb =
            rel_spawn(round ? argv_a : argv_b, rel_path(&env, "b.out"), rel_path(&env, "b.err"));
        int sa = rel_wait(pa), sb = rel_wait(pb);
        char *ea = tu_read_file(rel_path(&env, "a.err"), NULL);
        char *eb = tu_read_file(rel_path(&env, "b.err"), NULL);
        cr_assert_eq(sa, 0, "first ingest: status %d: %s", sa, ea);
        cr_assert_eq(sb, 0, "second ingest: status %d: %s", sb, eb);
        free(ea);
        free(eb);
        char *oa = tu_read_file(rel_path(&env, "a.out"), NULL);
        char *ob = tu_read_file(rel_path(&env, "b.out"), NULL);
        cr_assert(strstr(oa, " accepted, 0 rows rejected"), "%s", oa);
        cr_assert(strstr(ob, " accepted, 0 rows rejected"), "%s", ob);
        free(oa);
        free(ob);
        assert_sound(db);
        char *got = rel_export(db);
        cr_assert_str_eq(got, want, "concurrent ingests differ from sequential ones");
        free(got);
    }
    free(want);
}

/* The same file twice at once: one stores it, the other sees it already
 * ingested (or waits and then sees it); never twice. */
Test(concurrency, same_file_twice_at_once_counts_once, .init = setup, .fini = teardown)
{
    LOCAL_PATH(a, "alpha.csv");
    rel_gen_pr(a, "Alpha", "PresseNum", "PresseNum", SIZED(20000));
    char seq[1024];
    rel_new_store(&env, "seq.db", seq);
    ingest_ok(seq, a);
    char *want = rel_export(seq);
    const char *argv[] = {tu_bilan(), "--db", env.db, "ingest", a, NULL};
    pid_t p1 = rel_spawn(argv, rel_path(&env, "1.out"), rel_path(&env, "1.err"));
    pid_t p2 = rel_spawn(argv, rel_path(&env, "2.out"), rel_path(&env, "2.err"));
    int s1 = rel_wait(p1), s2 = rel_wait(p2);
    cr_assert_eq(s1, 0);
    cr_assert_eq(s2, 0);
    char *got = rel_export(env.db);
    cr_assert_str_eq(got, want);
    cr_assert_eq(rel_count(env.db, "SELECT COUNT(*) FROM source"), 1);
    free(got);
    free(want);
}

Test(concurrency, export_during_ingest_sees_before_or_after, .init = setup, .fini = teardown)
{
    const char *base = rel_fixture("ingest/pr-2025q1.csv");
    LOCAL_PATH(big, "big-pr.csv");
    rel_gen_pr(big, "Gen", "PresseNum", "PresseNum", SIZED(40000));
    ingest_ok(env.db, base);
    char *before = rel_export(env.db);

    const char *argv[] = {tu_bilan(), "--db", env.db, "ingest", big, NULL};
    pid_t pid = rel_spawn(argv, rel_path(&env, "i.out"), rel_path(&env, "i.err"));
    size_t cap = 64, n = 0;
    char **seen = malloc(cap * sizeof *seen);
    int status = -1;
    for (;;) {
        int ws;
        bool done = waitpid(pid, &ws, WNOHANG) == pid;
        if (done)
            status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        if (n == cap) {
            cap *= 2;
            seen = realloc(seen, cap * sizeof *seen);
        }
        seen[n++] = rel_export(env.db); /* asserts that the export itself succeeded */
        if (done)
            break;
    }
    cr_assert_eq(status, 0, "the ingest failed");
    char *after = rel_export(env.db);
    cr_assert_str_neq(after, before, "the ingest changed nothing: the test proves nothing");
    size_t nb = 0, na = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(seen[i], before) == 0)
            nb++;
        else if (strcmp(seen[i], after) == 0)
            na++;
        else
            cr_assert_fail("export %zu of %zu saw a state that is neither before nor after "
                           "(%zu bytes)",
                           i, n, strlen(seen[i]));
        free(seen[i]);
    }
    cr_log_info("%zu exports during the ingest: %zu before, %zu after", n, nb, na);
    cr_assert_geq(nb, 1, "no export ran while the ingest was going on");
    free(seen);
    free(before);
    free(after);
}
