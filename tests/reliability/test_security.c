/* Security review findings (issue #19), each reproduced on the real binary:
 * output files never follow a planted symbolic link nor land in a folder
 * every user may write to; every file of a report derives from one name. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rel_util.h"

static rel_env env;

static void setup(void)
{
    rel_setup(&env, "security");
    tu_run r = rel_bilan(env.db, "ingest", rel_fixture("ingest/pr-2025q1.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
}

static void teardown(void)
{
    rel_teardown(&env);
}

/* A file another user could have planted: its content must survive. */
static const char VICTIM[] = "victim's own file\n";

static void plant(const char *link, const char *victim)
{
    cr_assert_eq(symlink(victim, link), 0, "symlink %s", link);
}

static void assert_victim_intact(const char *victim)
{
    size_t len;
    char *v = tu_read_file(victim, &len);
    cr_assert(v);
    cr_assert_str_eq(v, VICTIM, "%s was overwritten through a link", victim);
    free(v);
}

static void assert_regular(const char *path)
{
    struct stat sb;
    cr_assert_eq(lstat(path, &sb), 0, "%s missing", path);
    cr_assert(S_ISREG(sb.st_mode), "%s is not a regular file", path);
}

Test(security, outbox_never_writes_through_a_planted_link, .init = setup, .fini = teardown)
{
    const char *victim = rel_path(&env, "victim.txt");
    cr_assert(tu_write_file(victim, VICTIM, strlen(VICTIM)));
    char reports[1024], outbox[1024], d[1200], l[1400];
    snprintf(reports, sizeof reports, "%s", rel_path(&env, "reports"));
    snprintf(outbox, sizeof outbox, "%s", rel_path(&env, "outbox"));
    snprintf(d, sizeof d, "%s/2025-02", outbox);
    cr_assert_eq(mkdir(outbox, 0755), 0);
    cr_assert_eq(mkdir(d, 0755), 0);
    /* Every name the old code used or could use: the .eml and its .tmp. */
    const char *names[] = {"ca-test-mensuel.eml", "ca-test-mensuel.eml.tmp"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(l, sizeof l, "%s/%s", d, names[i]);
        plant(l, victim);
    }
    tu_run r = rel_bilan(env.db, "mail", "2025-02", "--dry-run", "--outbox", outbox, "--reports",
                         reports, "--from", "bd@dept.example", "--partner", "ca-test", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    assert_victim_intact(victim);
    snprintf(l, sizeof l, "%s/ca-test-mensuel.eml", d);
    assert_regular(l);
    size_t len;
    char *eml = tu_read_file(l, &len);
    cr_assert(eml && strstr(eml, "bilan-ca-test-mensuel-2025-02.pdf"), "attachment name");
    free(eml);
}

Test(security, report_never_writes_through_a_planted_link, .init = setup, .fini = teardown)
{
    const char *victim = rel_path(&env, "victim.txt");
    cr_assert(tu_write_file(victim, VICTIM, strlen(VICTIM)));
    char out[1024], d[1200], l[1400];
    snprintf(out, sizeof out, "%s", rel_path(&env, "reports"));
    snprintf(d, sizeof d, "%s/2025-02", out);
    cr_assert_eq(mkdir(out, 0755), 0);
    cr_assert_eq(mkdir(d, 0755), 0);
    snprintf(l, sizeof l, "%s/ca-test-mensuel.pdf", d);
    plant(l, victim);
    tu_run r = rel_bilan(env.db, "report", "mensuel", "2025-02", "--out", out, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    assert_victim_intact(victim);
    assert_regular(l);
    char *text = tu_pdftotext(l);
    cr_assert(text && strstr(text, "Communauté d'agglomération Test"), "the report itself");
    free(text);
}

Test(security, output_folder_writable_by_everyone_is_refused, .init = setup, .fini = teardown)
{
    char out[1024], d[1200], l[1400];
    snprintf(out, sizeof out, "%s", rel_path(&env, "shared"));
    snprintf(d, sizeof d, "%s/2025-02", out);
    cr_assert_eq(mkdir(out, 0755), 0);
    cr_assert_eq(mkdir(d, 0755), 0);
    cr_assert_eq(chmod(d, 0777), 0);
    tu_run r = rel_bilan(env.db, "report", "mensuel", "2025-02", "--out", out, NULL);
    cr_assert_eq(r.status, 73, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "writable by every user"), "%s", r.err);
    tu_run_free(&r);
    snprintf(l, sizeof l, "%s/ca-test-mensuel.pdf", d);
    cr_assert_neq(access(l, F_OK), 0, "a PDF was written in the shared folder");
    /* Nothing left behind either (no temporary file). */
    tu_run ls = tu_sh("ls -A '%s' | wc -l", d);
    cr_assert_str_eq(ls.out, "0\n", "left in the folder: %s", ls.out);
    tu_run_free(&ls);
}
