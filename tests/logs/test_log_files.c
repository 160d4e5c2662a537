/* Several access logs in one command (docs/logs.md, "Several files in one
 * command"): daily files that follow each other in time give the same
 * `export usage` as their concatenation, byte for byte, although double
 * clicks, hour-slice sessions and per-patron uses straddle their
 * boundaries (a line stamped 23:59:5x sits in the next day's file, a month
 * ends between two files). The log is generated here, deterministically,
 * dense around midnight so that the boundaries matter: ingested one file
 * per command, the same files give other counts (checked, so that the test
 * keeps testing something). Also: the files given in any order, a refused
 * file in the middle of the chain, and each file's ledger. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

#define NDAYS 4

typedef struct ctx {
    char *dir;
    char net[800];
} ctx;

static uint64_t rng;
static unsigned pick(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Days 0..3: 30 and 31 January, 1 and 2 February 2026. */
static void stamp(long t, char out[40])
{
    static const int dd[NDAYS] = {30, 31, 1, 2};
    static const char *const mon[NDAYS] = {"Jan", "Jan", "Feb", "Feb"};
    int d = (int)(t / 86400);
    if (d >= NDAYS)
        d = NDAYS - 1;
    snprintf(out, 40, "%02d/%s/2026:%02ld:%02ld:%02ld +0100", dd[d], mon[d], t % 86400 / 3600,
             t % 3600 / 60, t % 60);
}

/* A small portal: few patrons, few items, many double clicks, a little
 * disorder; most traffic in the hour around each midnight. The lines go to
 * one file (all) and to daily files split as a server rotating at midnight
 * does: by the latest time written so far. */
static void generate(const char *dir, uint64_t seed, char day_paths[NDAYS][900])
{
    static const char *const ip[] = {
        "198.51.100.7",   "198.51.100.8", "192.0.2.10",   "192.0.2.11",   "2001:db8:10::5",
        "2001:db8:10::6", "203.0.113.9",  "203.0.113.10", "198.51.100.9", "192.0.2.12"};
    static const char *const ua[] = {
        "Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/123.0 Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"};
    static const char *const login[] = {"-", "-", "-", "lea", "marc", "-", "zoe", "-"};
    rng = seed;
    char p[1024];
    snprintf(p, sizeof p, "%s/all.log", dir);
    FILE *all = fopen(p, "w");
    cr_assert(all);
    FILE *day[NDAYS];
    for (int d = 0; d < NDAYS; d++) {
        snprintf(day_paths[d], 900, "%s/access-%d.log", dir, d);
        cr_assert(day[d] = fopen(day_paths[d], "w"));
    }
    char last_url[10][128] = {{0}};
    long t = 22 * 3600, tmax = 0;
    while (t < (NDAYS - 1) * 86400L + 2 * 3600) {
        long tod = t % 86400;
        bool busy = tod >= 23 * 3600 || tod < 3600;
        t += busy ? (long)pick(6) : 40 + (long)pick(200);
        long ts = t;
        if (pick(100) < 8)
            ts -= (long)pick(90); /* merged servers: a little disorder */
        unsigned u = pick(10);
        char url[128];
        if (last_url[u][0] && pick(100) < 35) {
            snprintf(url, sizeof url, "%s", last_url[u]); /* again, within seconds */
        } else {
            unsigned k = pick(10), item = 1 + pick(6);
            if (k < 4)
                snprintf(url, sizeof url, "/livres/%s/%u", pick(2) ? "lire" : "fiche", item);
            else if (k < 6)
                snprintf(url, sizeof url, "http://presse.example.com/article/a%u", item);
            else if (k < 8)
                snprintf(url, sizeof url, "/films/%u/voir", item);
            else
                snprintf(url, sizeof url, "/static/logo.png");
            snprintf(last_url[u], sizeof last_url[u], "%s", url);
        }
        char when[40];
        stamp(ts, when);
        char line[512];
        snprintf(line, sizeof line, "%s - %s [%s] \"GET %s HTTP/1.1\" %d 512 \"-\" \"%s\"\n", ip[u],
                 login[u % 8], when, url, pick(100) < 5 ? 404 : 200, ua[u == 9 ? 2 : u % 2]);
        fputs(line, all);
        if (ts > tmax)
            tmax = ts;
        int d = (int)(tmax / 86400);
        fputs(line, day[d < NDAYS ? d : NDAYS - 1]);
    }
    fclose(all);
    for (int d = 0; d < NDAYS; d++)
        fclose(day[d]);
}

static ctx setup(void)
{
    ctx c;
    c.dir = tu_mkdtemp("logfiles");
    snprintf(c.net, sizeof c.net, "%s/fixtures/logs/network", tu_srcdir());
    return c;
}

static void teardown(ctx *c)
{
    tu_rmtree(c->dir);
    free(c->dir);
}

/* A fresh store with the network and a fixed pseudonymisation key. */
static void new_store(const ctx *c, const char *db)
{
    const char *argv[] = {tu_bilan(), "--db", db, "network", "import", c->net, NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 0, "network import: %s", r.err);
    tu_run_free(&r);
    sqlite3 *s;
    cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(s,
                              "INSERT OR REPLACE INTO meta(key, value) VALUES ('pseudonym_key',"
                              " X'62696c616e2d746573742d6b65792d30')",
                              NULL, NULL, NULL),
                 SQLITE_OK, "%s", sqlite3_errmsg(s));
    sqlite3_close(s);
}

/* bilan --db DB ingest FILES... (NULL-terminated); returns the exit status. */
static int ingest(const char *db, const char *const *files, char **out)
{
    const char *argv[16] = {tu_bilan(), "--db", db, "ingest"};
    int n = 4;
    for (; *files; files++)
        argv[n++] = *files;
    argv[n] = NULL;
    tu_run r = tu_runv(argv, NULL);
    int st = r.status;
    if (out)
        *out = strdup(r.out);
    else
        cr_assert_eq(st, 0, "ingest: %s", r.err);
    tu_run_free(&r);
    return st;
}

static char *export_usage(const char *db)
{
    const char *argv[] = {tu_bilan(), "--db", db, "export", "usage", NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *s = strdup(r.out);
    tu_run_free(&r);
    return s;
}

static long long sql_int(const char *db, const char *q)
{
    sqlite3 *s;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(s, q, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(s));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

/* Lines differing between two exports (same number of lines or not). */
static int differing(const char *a, const char *b)
{
    int n = 0;
    while (*a || *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        n += !(la == lb && strncmp(a, b, la) == 0);
        a += la + (a[la] ? 1 : 0);
        b += lb + (b[lb] ? 1 : 0);
    }
    return n;
}

/* A fresh store at db given the one file all: its export, which the
 * daily files must give. */
static char *one_file_export(const ctx *c, const char *db, const char *all)
{
    new_store(c, db);
    const char *one[] = {all, NULL};
    ingest(db, one, NULL);
    return export_usage(db);
}

static void check_seed(uint64_t seed)
{
    ctx c = setup();
    char days[NDAYS][900], all[900], db1[900], db2[900], db3[900];
    generate(c.dir, seed, days);
    snprintf(all, sizeof all, "%s/all.log", c.dir);
    snprintf(db1, sizeof db1, "%s/one.db", c.dir);
    snprintf(db2, sizeof db2, "%s/days.db", c.dir);
    snprintf(db3, sizeof db3, "%s/apart.db", c.dir);
    /* One of the daily files gzip'd: the same lines, another source. */
    char *gz = NULL;
    cr_assert(asprintf(&gz, "%s.gz", days[2]) > 0);
    tu_run z = tu_sh("gzip -c '%s' > '%s'", days[2], gz);
    cr_assert_eq(z.status, 0);
    tu_run_free(&z);

    char *want = one_file_export(&c, db1, all);

    /* The daily files in one command, given in reverse order: taken in
     * time order all the same. */
    new_store(&c, db2);
    const char *rev[] = {days[3], gz, days[1], days[0], NULL};
    ingest(db2, rev, NULL);
    char *got = export_usage(db2);
    cr_assert_eq(differing(want, got), 0,
                 "seed %llu: daily files in one command differ from "
                 "their concatenation:\n--- one file\n%s--- days\n%s",
                 (unsigned long long)seed, want, got);
    /* Each file its own source; their ledgers add up to the one file's. */
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM source WHERE family = 20"), NDAYS);
    cr_assert_eq(sql_int(db2, "SELECT sum(log_events) FROM source"),
                 sql_int(db1, "SELECT sum(log_events) FROM source"));
    cr_assert_eq(sql_int(db2, "SELECT sum(log_lines) FROM source"),
                 sql_int(db1, "SELECT sum(log_lines) FROM source"));
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM usage WHERE value < 0"), 0);

    /* The recipe of docs/logs.md for one source a month: each day gzip'd,
     * the gzip files put end to end by cat (one file of NDAYS members). */
    char db4[900];
    snprintf(db4, sizeof db4, "%s/cat.db", c.dir);
    tu_run zc = tu_sh("cd '%s' && for f in access-*.log; do gzip -c \"$f\" > \"$f.z\"; done && "
                      "cat access-*.log.z > month.log.gz && rm access-*.log.z",
                      c.dir);
    cr_assert_eq(zc.status, 0, "%s", zc.err);
    tu_run_free(&zc);
    new_store(&c, db4);
    char month[1000];
    snprintf(month, sizeof month, "%s/month.log.gz", c.dir);
    const char *cat[] = {month, NULL};
    ingest(db4, cat, NULL);
    char *catted = export_usage(db4);
    cr_assert_eq(differing(want, catted), 0,
                 "seed %llu: the daily files' gzip members end to end differ from "
                 "their concatenation:\n--- one file\n%s--- cat\n%s",
                 (unsigned long long)seed, want, catted);
    cr_assert_eq(sql_int(db4, "SELECT count(*) FROM source"), 1);
    free(catted);

    /* One command per file: the boundaries are lost (this is what the
     * test is about: it must see a difference here). */
    new_store(&c, db3);
    for (int d = 0; d < NDAYS; d++) {
        const char *f[] = {days[d], NULL};
        ingest(db3, f, NULL);
    }
    char *apart = export_usage(db3);
    cr_assert_gt(differing(want, apart), 0, "seed %llu: no boundary effect to test",
                 (unsigned long long)seed);
    free(want);
    free(got);
    free(apart);
    free(gz);
    teardown(&c);
}

Test(log_files, daily_files_count_as_their_concatenation)
{
    check_seed(42);
    check_seed(7);
    check_seed(2026);
}

/* A refused file in the middle: the file before counts as if the chain
 * ended with it (what the refused file's lines took back is given back),
 * the files after as a chain of their own. */
Test(log_files, refused_file_in_the_middle)
{
    ctx c = setup();
    char days[NDAYS][900], db1[900], db2[900];
    generate(c.dir, 11, days);
    snprintf(db1, sizeof db1, "%s/a.db", c.dir);
    snprintf(db2, sizeof db2, "%s/b.db", c.dir);
    char *bad = NULL;
    cr_assert(asprintf(&bad, "%s/access-1-truncated.log.gz", c.dir) > 0);
    tu_run z = tu_sh("gzip -c '%s' | head -c -20 > '%s'", days[1], bad);
    cr_assert_eq(z.status, 0);
    tu_run_free(&z);

    new_store(&c, db1);
    const char *chain[] = {days[0], bad, days[2], days[3], NULL};
    char *out = NULL;
    cr_assert_eq(ingest(db1, chain, &out), 65);
    free(out);
    char *got = export_usage(db1);

    new_store(&c, db2);
    const char *first[] = {days[0], NULL}, *rest[] = {days[2], days[3], NULL};
    ingest(db2, first, NULL);
    ingest(db2, rest, NULL);
    char *want = export_usage(db2);
    cr_assert_eq(differing(want, got), 0, "--- expected\n%s--- got\n%s", want, got);
    cr_assert_eq(sql_int(db1, "SELECT count(*) FROM source"), 3);
    free(want);
    free(got);
    free(bad);
    teardown(&c);
}

/* The same file twice in one command: the second is a repeat (its hits
 * overlap the first's), refused as it would be in a later command. */
Test(log_files, same_hits_twice_in_one_command)
{
    ctx c = setup();
    char days[NDAYS][900], db[900], copy[900];
    generate(c.dir, 5, days);
    snprintf(db, sizeof db, "%s/a.db", c.dir);
    snprintf(copy, sizeof copy, "%s/copy.log", c.dir);
    tu_run z = tu_sh("sed 's/HTTP\\/1.1/HTTP\\/1.0/' '%s' > '%s'", days[1], copy);
    cr_assert_eq(z.status, 0);
    tu_run_free(&z);
    new_store(&c, db);
    const char *argv[] = {tu_bilan(), "--db", db, "ingest", days[0], days[1], copy, days[2], NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 65, "%s", r.err);
    cr_assert(strstr(r.err, "given in the same command"), "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(sql_int(db, "SELECT count(*) FROM source"), 3);
    teardown(&c);
}

/* Files bigger than the ring a log is read ahead into (24 chunks of 256
 * KiB): the next file's reading starts when the one before has been read
 * to its end (its last lines still being counted, or it being stored),
 * stops when the ring is full, and goes on once that file's turn comes.
 * Three files of ~9 MiB (gzip'd and plain), with repeats (the same file,
 * a copy) and a refused file between them: the same counts as their
 * concatenation, the repeats and the refusal said. */
Test(log_files, big_files_read_ahead)
{
    ctx c = setup();
    static const char *const ua[] = {
        "Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/123.0.0.0 Safari/537.36 Edg/123.0.0.0"};
    char all[900], part[3][900], db1[900], db2[900], bad[900];
    snprintf(all, sizeof all, "%s/all.log", c.dir);
    FILE *fa = fopen(all, "w"), *fp[3];
    cr_assert(fa);
    for (int k = 0; k < 3; k++) {
        snprintf(part[k], sizeof part[k], "%s/part-%d.log", c.dir, k);
        cr_assert(fp[k] = fopen(part[k], "w"));
    }
    rng = 99;
    /* 40 000 lines a file, 2 s apart (2.8 days): the parts end within an
     * hour, so COUNTER sessions run across their boundaries. */
    for (long i = 0; i < 3 * 40000; i++) {
        char when[40];
        stamp(i * 2 + pick(3), when); /* a little disorder */
        char line[600];
        snprintf(line, sizeof line,
                 "198.51.100.%u - - [%s] \"GET /livres/%s/%u?page=%u HTTP/1.1\" 200 %u "
                 "\"https://portail.example.org/catalogue/recherche?q=%u\" \"%s\"\n",
                 1 + pick(200), when, pick(2) ? "lire" : "fiche", 1 + pick(6), pick(300),
                 100 + pick(9000), pick(100000), ua[pick(2)]);
        fputs(line, fa);
        fputs(line, fp[i / 40000]);
    }
    fclose(fa);
    for (int k = 0; k < 3; k++)
        fclose(fp[k]);
    tu_run z =
        tu_sh("gzip '%s' && gzip -c '%s' | head -c -20 > '%s/bad.log.gz'", part[1], part[2], c.dir);
    cr_assert_eq(z.status, 0);
    tu_run_free(&z);
    strcat(part[1], ".gz");
    snprintf(bad, sizeof bad, "%s/bad.log.gz", c.dir);
    struct stat sb;
    cr_assert_eq(stat(part[2], &sb), 0);
    /* the ring: 24 chunks of 256 KiB (ingest/log_read.c) */
    cr_assert_gt(sb.st_size, 8 << 20, "the files must be bigger than the ring");

    snprintf(db1, sizeof db1, "%s/one.db", c.dir);
    snprintf(db2, sizeof db2, "%s/parts.db", c.dir);
    char *want = one_file_export(&c, db1, all);
    new_store(&c, db2);
    /* part 0 given twice, and a copy of it under another name: skipped
     * before they are read, so parts 0 and 1 still follow each other (a
     * repeat refused once read ended the chain there: a session across
     * the boundary counted its items twice, 45 615 unique investigations
     * in January against 45 507) */
    char copy[900];
    snprintf(copy, sizeof copy, "%s/copy-of-part-0.log", c.dir);
    tu_run cp = tu_sh("cp '%s' '%s'", part[0], copy);
    cr_assert_eq(cp.status, 0);
    tu_run_free(&cp);
    const char *argv[] = {tu_bilan(), "--db",  db2,     "ingest", part[0], part[0],
                          copy,       part[1], part[2], bad,      NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 65, "%s", r.err);
    cr_assert(strstr(r.out, "part-0.log: given twice in this command, skipped"), "%s", r.out);
    cr_assert(strstr(r.out, "copy-of-part-0.log: the same file as "), "%s", r.out);
    cr_assert(strstr(r.err, "bad.log.gz"), "%s", r.err);
    cr_assert(!strstr(r.err, "part-0.log"), "%s", r.err);
    tu_run_free(&r);
    char *got = export_usage(db2);
    cr_assert_eq(differing(want, got), 0, "--- one file\n%s--- parts\n%s", want, got);
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM source"), 3);
    free(want);
    free(got);
    teardown(&c);
}

/* A log stored in the background (by its own thread, while the next file
 * is read) that fails in the store: refused alone, said in its place with
 * its name, the others stored with the counts the chain gives them. A
 * trigger of the test stands for the failure (a full disk, say): it aborts
 * any usage row of day 1. */
Test(log_files, background_store_fails_alone)
{
    ctx c = setup();
    char days[NDAYS][900], db1[900], db2[900];
    generate(c.dir, 21, days);
    snprintf(db1, sizeof db1, "%s/a.db", c.dir);
    snprintf(db2, sizeof db2, "%s/b.db", c.dir);
    new_store(&c, db1);
    const char *all[] = {days[0], days[1], days[2], days[3], NULL};
    ingest(db1, all, NULL);

    new_store(&c, db2);
    sqlite3 *s;
    cr_assert_eq(sqlite3_open(db2, &s), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(s,
                              "CREATE TRIGGER test_full_disk BEFORE INSERT ON usage WHEN"
                              " (SELECT path FROM source WHERE id = NEW.source_id)"
                              " LIKE '%access-1.log' BEGIN SELECT RAISE(ABORT, 'disque plein"
                              " (test)'); END",
                              NULL, NULL, NULL),
                 SQLITE_OK, "%s", sqlite3_errmsg(s));
    sqlite3_close(s);
    const char *argv[] = {tu_bilan(), "--db",  db2,     "ingest", days[0],
                          days[1],    days[2], days[3], NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_neq(r.status, 0, "%s", r.out);
    cr_assert(strstr(r.err, "access-1.log"), "the failure names its file: %s", r.err);
    cr_assert(strstr(r.err, "disque plein (test)"), "%s", r.err);
    cr_assert(!strstr(r.err, "access-0.log") && !strstr(r.err, "access-2.log"), "%s", r.err);
    /* the summary lines in the command's order */
    const char *l0 = strstr(r.out, "access-0.log"), *l2 = strstr(r.out, "access-2.log"),
               *l3 = strstr(r.out, "access-3.log");
    cr_assert(l0 && l2 && l3 && l0 < l2 && l2 < l3, "%s", r.out);
    cr_assert(!strstr(r.out, "access-1.log"), "%s", r.out);
    tu_run_free(&r);
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM source"), 3);
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM source WHERE path LIKE '%access-1.log'"), 0);
    /* Days 0, 2 and 3 count as in the whole chain: the rules went on
     * through day 1, only its storing failed. */
    for (int d = 0; d < NDAYS; d++) {
        if (d == 1)
            continue;
        char q[600];
        snprintf(q, sizeof q,
                 "SELECT coalesce(sum(value), -1) FROM usage u JOIN source s ON s.id = u.source_id"
                 " WHERE s.path LIKE '%%access-%d.log'",
                 d);
        long long a = sql_int(db1, q), b = sql_int(db2, q);
        cr_assert_gt(a, 0);
        cr_assert_eq(a, b, "day %d: %lld in the whole chain, %lld with day 1 failed", d, a, b);
    }
    teardown(&c);
}

/* bilan ingest --one-source DB FILES... with env_extra (may be NULL). */
static tu_run one_source(const char *db, const char *const *files, const char *const *env)
{
    const char *argv[24] = {tu_bilan(), "--db", db, "ingest", "--one-source"};
    int n = 5;
    for (; *files; files++)
        argv[n++] = *files;
    argv[n] = NULL;
    return tu_runv(argv, env);
}

/* --one-source (docs/logs.md, "One source for a month's files"): the daily
 * files, given in any order, one gzip'd and one without its last line
 * feed, read as one stream and stored as one source: the one file's export
 * byte for byte, one ledger row listing the files in time order, a bad line
 * named with its own file and line, a day given again alone refused as an
 * overlap, and the whole set taken out by one `sources remove`. */
Test(log_files, one_source_is_the_concatenation)
{
    ctx c = setup();
    char days[NDAYS][900], all[900], db1[900], db2[900];
    generate(c.dir, 42, days);
    snprintf(all, sizeof all, "%s/all.log", c.dir);
    snprintf(db1, sizeof db1, "%s/one.db", c.dir);
    snprintf(db2, sizeof db2, "%s/set.db", c.dir);
    char *gz = NULL, *bad = NULL;
    cr_assert(asprintf(&gz, "%s.gz", days[2]) > 0);
    cr_assert(asprintf(&bad, "%s/access-1b.log", c.dir) > 0);
    /* day 2 gzip'd; day 1 with a line no format reads as its 3rd line and
     * without its last line feed (the next day must not join it). */
    tu_run z = tu_sh("gzip -c '%s' > '%s' && sed '3i not a log line' '%s' | head -c -1 > '%s'",
                     days[2], gz, days[1], bad);
    cr_assert_eq(z.status, 0, "%s", z.err);
    tu_run_free(&z);

    char *want = one_file_export(&c, db1, all);

    new_store(&c, db2);
    const char *set[] = {days[3], gz, bad, days[0], NULL};
    char where[1000];
    snprintf(where, sizeof where, "%s:3: ", bad);
    /* --strict: the bad line refuses the set, named in its own file */
    const char *strict[] = {tu_bilan(), "--db", db2, "ingest", "--strict", "--one-source",
                            days[3],    gz,     bad, days[0],  NULL};
    tu_run r = tu_runv(strict, NULL);
    cr_assert_eq(r.status, 65, "%s", r.err);
    char *refusal = NULL;
    cr_assert(asprintf(&refusal, "%s:3: bad line and --strict given\n", bad) > 0);
    cr_assert(strstr(r.err, refusal), "%s", r.err);
    cr_assert_null(strstr(strstr(r.err, "refused") + 7, "refused"), "refused twice: %s", r.err);
    free(refusal);
    tu_run_free(&r);
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM source"), 0);
    r = one_source(db2, set, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "#1 ") && strstr(r.out, "access-0.log (+ 3 other files)"), "%s", r.out);
    cr_assert(strstr(r.err, where), "the bad line named with its file and line: %s", r.err);
    tu_run_free(&r);
    char *got = export_usage(db2);
    cr_assert_eq(differing(want, got), 0,
                 "--one-source differs from the one file:\n--- one\n%s--- set\n%s", want, got);
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM source"), 1);
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM source_file WHERE source_id = 1"), NDAYS);
    cr_assert_eq(sql_int(db2,
                         "SELECT count(*) FROM source s JOIN source_file f ON f.source_id ="
                         " s.id AND f.seq = 1 AND f.path = s.path AND s.path LIKE '%access-0.log'"),
                 1);
    cr_assert_eq(sql_int(db2, "SELECT seq FROM source_file WHERE path LIKE '%access-2.log.gz'"), 3);
    cr_assert_eq(sql_int(db2, "SELECT sum(log_lines) FROM source"),
                 sql_int(db1, "SELECT sum(log_lines) FROM source") + 1);
    cr_assert_eq(sql_int(db2, "SELECT sum(log_events) FROM source"),
                 sql_int(db1, "SELECT sum(log_events) FROM source"));

    /* the ledger: rejects by any of the set's files, the files listed */
    const char *rj[] = {tu_bilan(), "--db", db2, "rejects", "access-1b.log", NULL};
    r = tu_runv(rj, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, where), "%s", r.out);
    tu_run_free(&r);
    const char *ls[] = {tu_bilan(), "--db", db2, "sources", NULL};
    r = tu_runv(ls, NULL);
    const char *f0 = strstr(r.out, "access-0.log\n"), *f1 = strstr(r.out, "access-1b.log\n"),
               *f2 = strstr(r.out, "access-2.log.gz\n"), *f3 = strstr(r.out, "access-3.log\n");
    cr_assert(strstr(r.out, "4 files read as one") && f0 && f1 && f2 && f3 && f1 < f2 && f2 < f3,
              "%s", r.out);
    /* A log has no report id and names no provider: said so, not "- -"
     * (until 3 December 2026: "combined - 2026-03..2026-03  provider: -"). */
    cr_assert(strstr(r.out, "    combined 20"), "%s", r.out);
    cr_assert(strstr(r.out, "  provider: not named  "), "%s", r.out);
    tu_run_free(&r);

    /* a day again, alone: its hits are the set's */
    const char *again[] = {days[0], NULL};
    char *out = NULL;
    cr_assert_eq(ingest(db2, again, &out), 65);
    free(out);
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM source"), 1);
    /* the set's cat (same bytes): already ingested */
    const char *rm[] = {tu_bilan(), "--db", db2, "sources", "remove", "1", NULL};
    r = tu_runv(rm, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM usage WHERE live = 1"), 0);
    /* removed, the set can come back */
    r = one_source(db2, set, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *back = export_usage(db2);
    cr_assert_eq(differing(want, back), 0, "after remove and ingest:\n%s", back);
    free(back);
    free(want);
    free(got);
    free(gz);
    free(bad);
    teardown(&c);
}

/* A day without a line (the server down, logrotate's compressed empty log:
 * an empty file, or a gzip of nothing) adds nothing to a set: the set is
 * the other days' export, the empty days listed last in the ledger, two of
 * them not "the same bytes" twice. A set of empty days only is refused. */
Test(log_files, one_source_empty_days)
{
    ctx c = setup();
    char days[NDAYS][900], all[900], db1[900], db2[900], e1[900], e2[900];
    generate(c.dir, 11, days);
    snprintf(all, sizeof all, "%s/all.log", c.dir);
    snprintf(db1, sizeof db1, "%s/one.db", c.dir);
    snprintf(db2, sizeof db2, "%s/set.db", c.dir);
    snprintf(e1, sizeof e1, "%s/access-9.log", c.dir);
    snprintf(e2, sizeof e2, "%s/access-8.log.gz", c.dir);
    tu_run z = tu_sh(": > '%s' && printf '' | gzip > '%s'", e1, e2);
    cr_assert_eq(z.status, 0, "%s", z.err);
    tu_run_free(&z);
    char *want = one_file_export(&c, db1, all);

    new_store(&c, db2);
    static const char *const fr[] = {"BILAN_LANG=fr", NULL};
    const char *none[] = {e1, e2, NULL};
    tu_run r = one_source(db2, none, fr);
    cr_assert_eq(r.status, 65, "%s", r.err);
    cr_assert(strstr(r.err, "access-9.log") && strstr(r.err, "vide"), "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM source"), 0);

    const char *set[] = {days[2], e1, days[0], e2, days[1], days[3], NULL};
    r = one_source(db2, set, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "access-0.log (+ 5 other files)"), "%s", r.out);
    tu_run_free(&r);
    char *got = export_usage(db2);
    cr_assert_eq(differing(want, got), 0, "with empty days:\n--- one\n%s--- set\n%s", want, got);
    cr_assert_eq(sql_int(db2, "SELECT count(*) FROM source_file WHERE source_id = 1"), NDAYS + 2);
    cr_assert_eq(sql_int(db2, "SELECT min(seq) FROM source_file WHERE path LIKE '%access-9.log'"
                              " OR path LIKE '%access-8.log.gz'"),
                 NDAYS + 1, "the empty days last");
    cr_assert_eq(sql_int(db2, "SELECT sum(log_lines) FROM source"),
                 sql_int(db1, "SELECT sum(log_lines) FROM source"));
    free(want);
    free(got);
    teardown(&c);
}

/* A set is refused whole, the store unchanged, the messages in French
 * naming the file: a missing file (66), a damaged gzip (65), a COUNTER
 * report among logs (65), a file given twice (64), and two files that
 * overlap in time (two servers' logs of the same days: 65; read as one
 * stream their double clicks would be missed). */
Test(log_files, one_source_refused_whole)
{
    ctx c = setup();
    char days[NDAYS][900], db[900], trunc[900], counter[900], srv[2][900];
    generate(c.dir, 7, days);
    snprintf(db, sizeof db, "%s/set.db", c.dir);
    snprintf(trunc, sizeof trunc, "%s/access-2.log.gz", c.dir);
    snprintf(counter, sizeof counter, "%s/fixtures/counter5/dr_d1.tsv", tu_srcdir());
    snprintf(srv[0], sizeof srv[0], "%s/server-a.log", c.dir);
    snprintf(srv[1], sizeof srv[1], "%s/server-b.log", c.dir);
    tu_run z = tu_sh("gzip -c '%s' | head -c -20 > '%s' && awk 'NR %% 2' '%s' > '%s' && "
                     "awk 'NR %% 2 == 0' '%s' > '%s'",
                     days[2], trunc, days[1], srv[0], days[1], srv[1]);
    cr_assert_eq(z.status, 0);
    tu_run_free(&z);
    new_store(&c, db);
    static const char *const fr[] = {"BILAN_LANG=fr", NULL};
    struct {
        const char *files[5];
        int status;
        const char *says;
    } cases[] = {
        {{days[0], "/nonexistent/access-9.log", days[1], NULL}, 66, "access-9.log"},
        {{days[0], trunc, days[1], NULL}, 65, "access-2.log.gz"},
        {{days[0], counter, NULL}, 65, "dr_d1.tsv"},
        {{days[0], days[1], days[0], NULL}, 64, "access-0.log"},
        {{srv[0], srv[1], NULL}, 65, "server-b.log"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tu_run r = one_source(db, cases[i].files, fr);
        cr_assert_eq(r.status, cases[i].status, "case %zu: %s", i, r.err);
        cr_assert(strstr(r.err, cases[i].says), "case %zu names the file: %s", i, r.err);
        cr_assert(strstr(r.err, "base inchangée") || strstr(r.err, "impossible d'ouvrir"),
                  "case %zu in French: %s", i, r.err);
        tu_run_free(&r);
        cr_assert_eq(sql_int(db, "SELECT count(*) FROM source"), 0, "case %zu", i);
        cr_assert_eq(sql_int(db, "SELECT count(*) FROM usage"), 0, "case %zu", i);
    }
    teardown(&c);
}
