/* Helpers of the reliability tests; see rel_util.h. */
#include "rel_util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void rel_setup(rel_env *e, const char *tag)
{
    e->dir = tu_mkdtemp(tag);
    cr_assert(e->dir, "cannot create a temporary directory");
    snprintf(e->db, sizeof e->db, "%s/t.db", e->dir);
    tu_run r = rel_bilan(e->db, "network", "import", rel_fixture("ingest/network"), NULL);
    cr_assert_eq(r.status, 0, "network import: %s", r.err);
    tu_run_free(&r);
}

void rel_new_store(rel_env *e, const char *name, char out[1024])
{
    snprintf(out, 1024, "%s/%s", e->dir, name);
    tu_run r = rel_bilan(out, "network", "import", rel_fixture("ingest/network"), NULL);
    cr_assert_eq(r.status, 0, "network import: %s", r.err);
    tu_run_free(&r);
}

void rel_teardown(rel_env *e)
{
    tu_rmtree(e->dir);
    free(e->dir);
    e->dir = NULL;
}

const char *rel_path(const rel_env *e, const char *name)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", e->dir, name);
    return buf[k];
}

const char *rel_fixture(const char *rel)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/fixtures/%s", tu_srcdir(), rel);
    return buf[k];
}

tu_run rel_bilan(const char *db, ...)
{
    const char *argv[32] = {tu_bilan(), "--db", db};
    int n = 3;
    va_list ap;
    va_start(ap, db);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 31)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return tu_runv(argv, NULL);
}

char *rel_export(const char *db)
{
    tu_run r = rel_bilan(db, "export", "usage", "--access-method", "all", NULL);
    cr_assert_eq(r.status, 0, "export usage: %s", r.err);
    free(r.err);
    return r.out;
}

char *rel_sources(const char *db)
{
    tu_run r = rel_bilan(db, "sources", "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "sources: %s", r.err);
    free(r.err);
    /* Drop the last column (ingested_at): it is the only one a re-run changes. */
    size_t n = strlen(r.out);
    char *o = malloc(n + 1), *w = o;
    for (const char *p = r.out; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *comma = NULL;
        for (size_t i = 0; i < len; i++)
            if (p[i] == ',')
                comma = p + i;
        size_t keep = comma ? (size_t)(comma - p) : len;
        memcpy(w, p, keep);
        w += keep;
        *w++ = '\n';
        p += len + (nl ? 1 : 0);
    }
    *w = '\0';
    free(r.out);
    return o;
}

char *rel_integrity(const char *db)
{
    sqlite3 *h = NULL;
    char *res = NULL;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        res = strdup(sqlite3_errmsg(h));
        sqlite3_close(h);
        return res;
    }
    sqlite3_busy_timeout(h, 30000);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        res = strdup((const char *)sqlite3_column_text(q, 0));
    else
        res = strdup(sqlite3_errmsg(h));
    sqlite3_finalize(q);
    sqlite3_close(h);
    return res;
}

char *rel_query(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    size_t n = 0, cap = 256;
    char *out = malloc(cap);
    out[0] = '\0';
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(h, 30000);
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) == SQLITE_OK) {
            while (sqlite3_step(q) == SQLITE_ROW) {
                const char *t = (const char *)sqlite3_column_text(q, 0);
                size_t l = t ? strlen(t) : 0;
                while (n + l + 2 > cap) {
                    cap *= 2;
                    out = realloc(out, cap);
                }
                memcpy(out + n, t ? t : "", l);
                n += l;
                out[n++] = '\n';
                out[n] = '\0';
            }
        }
        sqlite3_finalize(q);
    }
    sqlite3_close(h);
    return out;
}

long long rel_count(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    long long n = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(h, 30000);
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
            n = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(h);
    return n;
}

bool rel_placeholder(const tu_run *r)
{
    return r->status == 70 && r->err && strstr(r->err, "not implemented");
}

pid_t rel_spawn(const char *const *argv, const char *out_path, const char *err_path)
{
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        /* execv's prototype predates const; it does not write the strings. */
        char *args[32];
        size_t n = 0;
        for (; argv[n] && n < 31; n++)
            memcpy(&args[n], &argv[n], sizeof args[n]);
        args[n] = NULL;
        execv(args[0], args);
        _exit(127);
    }
    return pid;
}

int rel_wait(pid_t pid)
{
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

double rel_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rel_sleep(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

void rel_gen_pr(const char *path, const char *prefix, const char *platform, const char *provider,
                long n_inst)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fprintf(f,
            "Report_Name,Platform Master Report\nReport_ID,PR\nRelease,5\n"
            "Institution_Name,Réseau Test\nInstitution_ID,Proprietary:test:RESEAU\n"
            "Metric_Types,Total_Item_Requests; Unique_Item_Requests\nReport_Filters,\n"
            "Report_Attributes,\nExceptions,\n"
            "Reporting_Period,Begin_Date=2025-01-01; End_Date=2025-03-31\n"
            "Created,2025-04-05T10:00:00Z\nCreated_By,%s\n\n"
            "Institution_Name,Institution_ID,Platform,Data_Type,Access_Method,Metric_Type,"
            "Reporting_Period_Total,Jan-2025,Feb-2025,Mar-2025\n",
            provider);
    fprintf(f,
            "Médiathèque centrale,ISNI:0000000123456789,%s,Newspaper_or_Newsletter,Regular,"
            "Total_Item_Requests,600,100,200,300\n",
            platform);
    for (long i = 0; i < n_inst; i++) {
        long a = i % 7, b = i % 11, c = i % 13;
        fprintf(f,
                "%s %ld,Proprietary:%s:%ld,%s,Newspaper_or_Newsletter,Regular,"
                "Total_Item_Requests,%ld,%ld,%ld,%ld\n",
                prefix, i, prefix, i, platform, a + b + c, a, b, c);
        fprintf(f,
                "%s %ld,Proprietary:%s:%ld,%s,Newspaper_or_Newsletter,Regular,"
                "Unique_Item_Requests,%ld,%ld,%ld,%ld\n",
                prefix, i, prefix, i, platform, a / 2 + b / 2 + (c + 1) / 2, a / 2, b / 2,
                (c + 1) / 2);
    }
    cr_assert_eq(fclose(f), 0, "cannot write %s", path);
}

bool rel_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t k = c < 0x80             ? 0
                   : (c & 0xe0) == 0xc0 ? 1
                   : (c & 0xf0) == 0xe0 ? 2
                   : (c & 0xf8) == 0xf0 ? 3
                                        : 9;
        if (k == 9 || (k == 1 && c < 0xc2) || i + k >= n)
            return false;
        for (size_t j = 1; j <= k; j++)
            if ((p[i + j] & 0xc0) != 0x80)
                return false;
        i += k + 1;
    }
    return true;
}

static bool is_number(const char *s, size_t n)
{
    size_t i = s[0] == '-' ? 1 : 0;
    if (i >= n)
        return false;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool rel_csv_has_formula(const char *text, char *bad, size_t badn)
{
    const char *p = text;
    while (*p) {
        /* One field: quoted or not. Its value's first character matters. */
        char first[64];
        size_t fl = 0;
        if (*p == '"') {
            p++;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    if (fl < sizeof first - 1)
                        first[fl++] = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    if (fl < sizeof first - 1)
                        first[fl++] = *p;
                    p++;
                }
            }
        } else {
            while (*p && *p != ',' && *p != '\n') {
                if (fl < sizeof first - 1)
                    first[fl++] = *p;
                p++;
            }
        }
        first[fl] = '\0';
        if (fl && strchr("=+-@", first[0]) && !is_number(first, fl)) {
            snprintf(bad, badn, "%s", first);
            return true;
        }
        if (*p == ',' || *p == '\n')
            p++;
    }
    return false;
}
