/* Trust tests, logs area (issue 12): see docs/trust.md for the rules and
 * fixtures/trust/logs/README.md for what each fixture exercises. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trust_util.h"

static tr_env logs_setup(void)
{
    tr_env e = tr_setup("trust-logs");
    tu_run r = tr_bilan(&e, "network", "import", tr_fx("logs/network"), NULL);
    cr_assert_eq(r.status, 0, "network import: %s", r.err);
    tu_run_free(&r);
    return e;
}

static void ingest_ok(const tr_env *e, const char *path)
{
    tu_run r = tr_bilan(e, "ingest", path, NULL);
    cr_assert_eq(r.status, 0, "%s: %s", path, r.err);
    tu_run_free(&r);
}

static long long total_investigations(const tr_env *e)
{
    return tr_sql_int(e, "SELECT COALESCE(SUM(value), 0) FROM usage"
                         " WHERE metric = 'Total_Item_Investigations'");
}

/* #5: the same lines gzip'd, with CRLF, or in two gzip members are the same
 * content: skipped, the counts stay 7 (not 14, 21, 28). */
Test(trust_logs, same_content_skipped)
{
    tr_env e = logs_setup();
    ingest_ok(&e, tr_fx("logs/day.log"));
    cr_assert_eq(total_investigations(&e), 7);
    const char *again[] = {"logs/day.log.gz", "logs/day-crlf.log", "logs/day-multi.log.gz"};
    for (int i = 0; i < 3; i++) {
        tu_run r = tr_bilan(&e, "ingest", tr_fx(again[i]), NULL);
        cr_assert_eq(r.status, 0, "%s: %s", again[i], r.err);
        cr_assert(strstr(r.out, "already ingested"), "%s: %s", again[i], r.out);
        tu_run_free(&r);
        cr_assert_eq(total_investigations(&e), 7, "%s counted twice", again[i]);
    }
    cr_assert_eq(tr_sql_int(&e, "SELECT count(*) FROM source"), 1);
    cr_assert_eq(tr_sql_int(&e, "SELECT length(content_hash) FROM source"), 32);
    tr_teardown(&e);
}

/* #5: a log overlapping an earlier one on a shared resource is refused
 * (exit 65, store unchanged) unless --force; consecutive files whose
 * boundary lines interleave within the reordering window are fine. */
Test(trust_logs, overlap_refused_unless_forced)
{
    tr_env e = logs_setup();
    ingest_ok(&e, tr_fx("logs/day.log"));
    ingest_ok(&e, tr_fx("logs/day-next.log")); /* 2 minutes of interleaving */
    cr_assert_eq(total_investigations(&e), 11);
    cr_assert_eq(tr_sql_int(&e, "SELECT time_first FROM source WHERE id = 1"),
                 1773309600); /* 2026-03-12 10:00:00 as written */
    cr_assert_eq(tr_sql_int(&e, "SELECT time_last FROM source WHERE id = 1"), 1773312480);

    tu_run r = tr_bilan(&e, "ingest", tr_fx("logs/day-overlap.log"), NULL);
    cr_assert_eq(r.status, 65, "%s", r.err);
    cr_assert(strstr(r.err, "#1"), "%s", r.err);
    cr_assert(strstr(r.err, "day.log"), "%s", r.err);
    cr_assert(strstr(r.err, "2026-03-12 10:00:00..2026-03-12 10:48:00"), "%s", r.err);
    cr_assert(strstr(r.err, "2026-03-12 10:30:00..2026-03-12 11:20:00"), "%s", r.err);
    /* The way out said once (until 3 December 2026 twice, two ways). */
    cr_assert_eq(tu_count(r.err, "--force"), 1, "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT count(*) FROM source"), 2);
    cr_assert_eq(total_investigations(&e), 11);

    /* The option after the file, as a user adds it to the command that
     * was refused (until 3 December 2026 '--force' was then read as a
     * file's name). */
    r = tr_bilan(&e, "ingest", tr_fx("logs/day-overlap.log"), "--force", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(total_investigations(&e), 17);
    tr_teardown(&e);
}

/* #6: a damaged gzip is refused whole, the store unchanged. */
static void refused(const char *fx, const char *why)
{
    tr_env e = logs_setup();
    tu_run r = tr_bilan(&e, "ingest", tr_fx(fx), NULL);
    cr_assert_eq(r.status, 65, "%s: exit %d: %s", fx, r.status, r.err);
    cr_assert(strstr(r.err, why), "%s: %s", fx, r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT count(*) FROM source"), 0);
    cr_assert_eq(tr_sql_int(&e, "SELECT count(*) FROM usage"), 0);
    tr_teardown(&e);
}

Test(trust_logs, gzip_trailing_garbage_refused)
{
    refused("logs/garbage.log.gz", "not a further gzip member");
}

Test(trust_logs, gzip_truncated_refused)
{
    refused("logs/truncated.log.gz", "truncated gzip stream");
}

Test(trust_logs, gzip_bad_crc_refused)
{
    refused("logs/badcrc.log.gz", "incorrect data check");
}

/* #12: the log ledger: every line accounted for by its fate. */
Test(trust_logs, ledger_tells_the_truth)
{
    tr_env e = logs_setup();
    ingest_ok(&e, tr_fx("logs/ledger.log"));
    static const struct {
        const char *col;
        long long v;
    } want[] = {{"log_lines", 20},       {"log_events", 7},       {"log_robot", 2},
                {"log_status", 2},       {"log_not_resource", 2}, {"log_static", 4},
                {"log_unattributed", 4}, {"rows_accepted", 7},    {"rows_unattributed", 4},
                {"rows_rejected", 1}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT %s FROM source", want[i].col);
        cr_assert_eq(tr_sql_int(&e, sql), want[i].v, "%s: %lld, expected %lld", want[i].col,
                     tr_sql_int(&e, sql), want[i].v);
    }
    /* The events are the usage counted. */
    cr_assert_eq(total_investigations(&e), 7);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE library_id IS NULL"
                                " AND metric = 'Total_Item_Investigations'"),
                 4);
    cr_assert_eq(
        tr_sql_int(&e, "SELECT events FROM unattributed_range WHERE range = '203.0.113.0/24'"), 2);
    cr_assert_eq(
        tr_sql_int(&e, "SELECT events FROM unattributed_range WHERE range = '203.0.114.0/24'"), 1);
    cr_assert_eq(
        tr_sql_int(&e, "SELECT events FROM unattributed_range WHERE range = '2001:db8:12::/48'"),
        1);
    cr_assert_eq(tr_sql_int(&e, "SELECT count(*) FROM unattributed_range"), 3);
    tr_teardown(&e);
}

/* Issue 18: a log's unattributed ranges go 32 to an INSERT, the rest one
 * by one: every range stored once with its events, in the order promised
 * (most events first, ties in order of appearance), whatever the batches.
 * Range r (100.64.r.0/24, outside every library's range) has 1 + r % 3
 * events, each a different book a minute apart. */
static void ranges_stored_once(int nranges)
{
    tr_env e = logs_setup();
    char path[512];
    snprintf(path, sizeof path, "%s/ranges-%d.log", e.dir, nranges);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    long long total = 0;
    int line = 0;
    for (int r = 0; r < nranges; r++)
        for (int k = 0; k <= r % 3; k++, line++, total++)
            fprintf(f,
                    "100.64.%d.9 - - [20/Apr/2026:%02d:%02d:00 +0100] \"GET /livres/fiche/%d "
                    "HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:124.0)\"\n",
                    r, 8 + line / 60, line % 60, line);
    fclose(f);
    ingest_ok(&e, path);
    cr_assert_eq(tr_sql_int(&e, "SELECT count(*) FROM unattributed_range"), nranges, "%d ranges",
                 nranges);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(events) FROM unattributed_range"), total);
    /* The order: 3 events (r % 3 == 2) first, then 2, then 1, each group
     * in r's order; the rows' order is their rowid's. */
    char *want = calloc((size_t)nranges, 8);
    size_t at = 0;
    for (int ev = 3; ev >= 1; ev--)
        for (int r = 0; r < nranges; r++)
            if (1 + r % 3 == ev)
                at += (size_t)sprintf(want + at, "%s%d:%d", at ? "," : "", r, ev);
    char *got = tr_sql(&e, "SELECT group_concat(n || ':' || events, ',') FROM"
                           " (SELECT CAST(substr(range, 8, instr(substr(range, 8), '.') - 1)"
                           " AS INTEGER) AS n, events FROM unattributed_range ORDER BY rowid)");
    cr_assert_str_eq(got, want, "%d ranges", nranges);
    free(got);
    free(want);
    tr_teardown(&e);
}

Test(trust_logs, every_unattributed_range_is_stored_once_whatever_the_batches)
{
    ranges_stored_once(1);
    ranges_stored_once(32);
    ranges_stored_once(33);
    ranges_stored_once(70);
}

/* ---- #16: per-patron quotas over the month, whatever the files ------------------------ */

static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Last month (never closed): its year and month. */
static void last_month(int *y, int *m)
{
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    *y = tmv.tm_year + 1900;
    *m = tmv.tm_mon; /* 0-based this month = 1-based last month */
    if (*m == 0) {
        *m = 12;
        (*y)--;
    }
}

/* One day of the vod resource (quota: 2 requests a month): an anonymous
 * patron watches one film a day, a logged-in one two, one from outside
 * every range one. */
static void day_lines(char *buf, size_t cap, int day, int y, int m)
{
    const char *ua = "\"Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0\"";
    snprintf(buf, cap,
             "192.0.2.20 - - [%02d/%s/%d:10:00:00 +0100] \"GET /films/%d/voir HTTP/1.1\" 200 1 "
             "\"-\" %s\n"
             "198.51.100.30 - jdupont [%02d/%s/%d:11:00:00 +0100] \"GET /films/%d/voir "
             "HTTP/1.1\" 200 1 \"-\" %s\n"
             "198.51.100.30 - jdupont [%02d/%s/%d:12:00:00 +0100] \"GET /films/%d/voir "
             "HTTP/1.1\" 200 1 \"-\" %s\n"
             "203.0.113.50 - - [%02d/%s/%d:13:00:00 +0100] \"GET /films/%d/voir HTTP/1.1\" 200 1 "
             "\"-\" %s\n",
             day, MONTHS[m - 1], y, day, ua, day, MONTHS[m - 1], y, 100 + day, ua, day,
             MONTHS[m - 1], y, 200 + day, ua, day, MONTHS[m - 1], y, 300 + day, ua);
}

static char *write_in(const tr_env *e, const char *name, const char *text)
{
    char *p = NULL;
    cr_assert(asprintf(&p, "%s/%s", e->dir, name) > 0);
    cr_assert(tu_write_file(p, text, strlen(text)));
    return p;
}

/* Does the file (or its WAL) hold the bytes of s? */
static bool db_holds(const tr_env *e, const char *s)
{
    const char *suffix[] = {"", "-wal"};
    for (int i = 0; i < 2; i++) {
        char p[1100];
        snprintf(p, sizeof p, "%s%s", e->db, suffix[i]);
        size_t n = 0;
        char *data = tu_read_file(p, &n);
        if (!data)
            continue;
        bool hit = memmem(data, n, s, strlen(s)) != NULL;
        free(data);
        if (hit)
            return true;
    }
    return false;
}

/* Lines of the key file beside the store whose name starts with prefix. */
static int key_lines(const tr_env *e, const char *prefix)
{
    char path[1200];
    snprintf(path, sizeof path, "%s.key", e->db);
    size_t len;
    char *t = tu_read_file(path, &len);
    int n = 0;
    for (char *p = t; p && *p;) {
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            n++;
        char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    free(t);
    return n;
}

Test(trust_logs, quota_exact_over_daily_files)
{
    int y, m;
    last_month(&y, &m);
    char d[3][1024], all[3200] = "";
    for (int i = 0; i < 3; i++) {
        day_lines(d[i], sizeof d[i], 10 + i, y, m);
        strcat(all, d[i]);
    }
    char month[8];
    snprintf(month, sizeof month, "%04d-%02d", y, m);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT SUM(patrons) || '/' || SUM(extra_units) FROM quota_excess"
             " WHERE resource_id = 'vod' AND month = '%s'",
             month);

    tr_env one = logs_setup();
    char *whole = write_in(&one, "month.log", all);
    ingest_ok(&one, whole);
    char *got_one = tr_sql(&one, sql);
    /* 3 films for each anonymous patron (1 over each), 6 for the logged-in
     * one (4 over); a file alone never goes over (2 a day at most). */
    cr_assert_str_eq(got_one, "3/6");

    tr_env three = logs_setup();
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "day%d.log", i);
        char *p = write_in(&three, name, d[i]);
        ingest_ok(&three, p);
        free(p);
    }
    char *got_three = tr_sql(&three, sql);
    cr_assert_str_eq(got_three, got_one);
    cr_assert_eq(tr_sql_int(&three, "SELECT count(*) FROM quota_excess"), 1);
    /* Per source, pseudonyms of that month only; never an address or a login. */
    cr_assert_eq(tr_sql_int(&three, "SELECT count(DISTINCT pseudonym) FROM quota_use"), 3);
    cr_assert_eq(key_lines(&three, "month:"), 1);
    cr_assert_eq(tr_sql_int(&three, "SELECT count(*) FROM meta WHERE key LIKE '%key%'"), 0,
                 "no key in the store");
    const char *secrets[] = {"192.0.2.20", "198.51.100.30", "203.0.113.50", "jdupont"};
    for (int i = 0; i < 4; i++) {
        cr_assert(!db_holds(&one, secrets[i]), "%s in the store", secrets[i]);
        cr_assert(!db_holds(&three, secrets[i]), "%s in the store", secrets[i]);
    }

    /* Once the month is closed, its figures stay and its per-patron rows and
     * key go: the same store seen as if its month were long past. */
    tu_run r = tu_sh("sqlite3 '%s' \"UPDATE quota_use SET month = '2020-01';"
                     " UPDATE quota_excess SET month = '2020-01';\""
                     " && sed -i 's/^month:[0-9-]* /month:2020-01 /' '%s.key'",
                     three.db, three.db);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    ingest_ok(&three, tr_fx("logs/day.log"));
    cr_assert_eq(tr_sql_int(&three, "SELECT count(*) FROM quota_use"), 0);
    cr_assert_eq(key_lines(&three, "month:"), 0);
    char *kept = tr_sql(&three, "SELECT SUM(patrons) || '/' || SUM(extra_units) FROM quota_excess"
                                " WHERE month = '2020-01'");
    cr_assert_str_eq(kept, "3/6");
    free(kept);
    free(got_one);
    free(got_three);
    free(whole);
    tr_teardown(&one);
    tr_teardown(&three);
}
