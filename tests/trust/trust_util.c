/* Helpers for the trust tests (see trust_util.h). */
#include "trust_util.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tr_env tr_setup(const char *tag)
{
    tr_env e;
    e.dir = tu_mkdtemp(tag);
    size_t n = strlen(e.dir) + 8;
    e.db = malloc(n);
    snprintf(e.db, n, "%s/t.db", e.dir);
    return e;
}

void tr_teardown(tr_env *e)
{
    if (e->dir)
        tu_rmtree(e->dir);
    free(e->dir);
    free(e->db);
    e->dir = e->db = NULL;
}

const char *tr_fx(const char *rel)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/fixtures/trust/%s", tu_srcdir(), rel);
    return buf[k];
}

tu_run tr_bilan_env(const tr_env *e, const char *const *env, const char *const *args)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = tu_bilan();
    argv[n++] = "--db";
    argv[n++] = e->db;
    for (int i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return tu_runv(argv, env);
}

tu_run tr_bilan(const tr_env *e, ...)
{
    const char *args[60];
    int n = 0;
    va_list ap;
    va_start(ap, e);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 59)
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    return tr_bilan_env(e, NULL, args);
}

char *tr_sql(const tr_env *e, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    char *out = NULL;
    if (sqlite3_open_v2(e->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        goto done;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        goto done;
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(q, 0);
        out = strdup(t ? (const char *)t : "");
    } else if (r == SQLITE_DONE) {
        out = strdup("");
    }
done:
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
}

long long tr_sql_int(const tr_env *e, const char *sql)
{
    char *s = tr_sql(e, sql);
    long long v = (s && *s) ? strtoll(s, NULL, 10) : -1;
    free(s);
    return v;
}

char *tr_export(const tr_env *e)
{
    tu_run r = tr_bilan(e, "export", "usage", NULL);
    cr_assert_eq(r.status, 0, "export usage: %s", r.err);
    free(r.err);
    return r.out;
}
