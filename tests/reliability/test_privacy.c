/* Privacy audit (RGPD, DESIGN §6): logs full of IP addresses, logins and
 * session ids are ingested, every report kind rendered and every partner
 * mailed in dry-run; then the store file, its write-ahead log (kept alive by
 * a reader holding a snapshot, so that it is not checkpointed away), the
 * PDFs' text, the .eml files and everything bilan printed are searched for
 * each identifier of the input: none may appear. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel_util.h"

static rel_env env;

static void setup(void)
{
    env.dir = tu_mkdtemp("privacy");
    cr_assert(env.dir);
    snprintf(env.db, sizeof env.db, "%s/t.db", env.dir);
}

static void teardown(void)
{
    rel_teardown(&env);
}

/* ---- identifiers of the input ------------------------------------------------ */

typedef struct needles {
    char *v[512];
    size_t n;
} needles;

static void add(needles *nd, const char *s, size_t len)
{
    if (len < 4 || nd->n == 512)
        return;
    for (size_t i = 0; i < nd->n; i++)
        if (strlen(nd->v[i]) == len && memcmp(nd->v[i], s, len) == 0)
            return;
    nd->v[nd->n++] = strndup(s, len);
}

/* Fields (0-based, space-separated) of each line holding an identifier. */
static void collect(needles *nd, const char *path, const int *fields, size_t nf)
{
    size_t len;
    char *t = tu_read_file(path, &len);
    cr_assert(t, "cannot read %s", path);
    for (char *line = t; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        int k = 0;
        for (char *p = line; *p;) {
            char *sp = strchr(p, ' ');
            size_t l = sp ? (size_t)(sp - p) : strlen(p);
            for (size_t i = 0; i < nf; i++)
                if (fields[i] == k && !(l == 1 && *p == '-'))
                    add(nd, p, l);
            k++;
            p += l + (sp ? 1 : 0);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(t);
}

/* Logins hidden in query strings (?user=, ?login=). */
static void collect_query(needles *nd, const char *path)
{
    size_t len;
    char *t = tu_read_file(path, &len);
    for (const char *p = t; (p = strpbrk(p, "?&")) != NULL; p++) {
        const char *eq = strchr(p, '=');
        if (!eq || (strncmp(p + 1, "user=", 5) != 0 && strncmp(p + 1, "login=", 6) != 0))
            continue;
        size_t l = strcspn(eq + 1, " &\"");
        add(nd, eq + 1, l);
    }
    free(t);
}

static void search(const needles *nd, const char *what, const char *hay, size_t n)
{
    for (size_t i = 0; i < nd->n; i++)
        cr_assert(!memmem(hay, n, nd->v[i], strlen(nd->v[i])), "'%s' found in %s", nd->v[i], what);
}

/* Every file under dir ending with ext, read whole (or through pdftotext). */
static int search_tree(const needles *nd, const char *dir, const char *ext, bool pdf)
{
    int found = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        size_t l = strlen(e->d_name), el = strlen(ext);
        if (l > el && strcmp(e->d_name + l - el, ext) == 0) {
            size_t n = 0;
            char *t = pdf ? tu_pdftotext(p) : tu_read_file(p, &n);
            cr_assert(t, "cannot read %s", p);
            if (pdf)
                n = strlen(t);
            cr_assert_gt(n, 0, "%s is empty", p);
            search(nd, p, t, n);
            free(t);
            found++;
        } else {
            found += search_tree(nd, p, ext, pdf);
        }
    }
    closedir(d);
    return found;
}

static void run_and_search(const needles *nd, tu_run *r, const char *what)
{
    search(nd, what, r->err, r->err_len);
    search(nd, what, r->out, r->out_len);
}

Test(privacy, no_ip_login_or_session_reaches_store_reports_mail_or_stderr, .init = setup,
     .fini = teardown)
{
    /* The logs' network, with an address per partner so that mail has work. */
    char net[1100];
    snprintf(net, sizeof net, "%s/net", env.dir);
    tu_run c =
        tu_sh("cp -r '%s' '%s' && sed -i -e 's/^auray,\\(.*\\),$/auray,\\1,bib@auray.example/'"
              " -e 's/^vannes,\\(.*\\),$/vannes,\\1,stats@vannes.example/' '%s/partners.csv'",
              rel_fixture("logs/network"), net, net);
    cr_assert_eq(c.status, 0, "%s", c.err);
    tu_run_free(&c);
    /* The reports of March 2026 must be over: "today" is 1 July 2026. */
    setenv("SOURCE_DATE_EPOCH", "1782864000", 1);
    tu_run r = rel_bilan(env.db, "network", "import", net, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);

    const char *logs[] = {rel_fixture("bad/privacy.log"), rel_fixture("logs/combined.log"),
                          rel_fixture("logs/ezproxy.log"), rel_fixture("logs/custom.log")};
    needles nd = {{0}, 0};
    static const int clf[] = {0, 1, 2};    /* client, ident / EZproxy session, login */
    static const int custom[] = {1, 2, 4}; /* client, session, login (after %v, before %t) */
    for (int i = 0; i < 3; i++)
        collect(&nd, logs[i], clf, 3);
    collect(&nd, logs[3], custom, 3);
    for (int i = 0; i < 4; i++)
        collect_query(&nd, logs[i]);
    /* An identifier that also appears in the network files (an IP range
     * such as 192.0.2.0/25) would be a false alarm: there are none. */
    for (const char *f = "partners.csv\0libraries.csv\0resources.csv\0"; *f; f += strlen(f) + 1) {
        char p[1200];
        snprintf(p, sizeof p, "%s/%s", net, f);
        size_t n;
        char *t = tu_read_file(p, &n);
        search(&nd, p, t, n);
        free(t);
    }
    cr_assert_geq(nd.n, 20, "too few identifiers collected (%zu)", nd.n);
    for (const char *must = "192.0.2.17\0"
                            "198.51.100.44\0"
                            "2001:db8:10::a1b2\0"
                            "jdupont\0"
                            "claire.petit\0"
                            "mmartin\0"
                            "S1a2b3c4\0";
         *must; must += strlen(must) + 1) {
        bool in = false;
        for (size_t i = 0; i < nd.n; i++)
            in = in || strcmp(nd.v[i], must) == 0;
        cr_assert(in, "'%s' was not collected", must);
    }

    /* A reader holding a snapshot keeps the WAL from being checkpointed away. */
    sqlite3 *hold = NULL;
    cr_assert_eq(sqlite3_open_v2(env.db, &hold, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(hold, "BEGIN; SELECT COUNT(*) FROM partner;", NULL, NULL, NULL),
                 SQLITE_OK);

    for (int i = 0; i < 4; i++) {
        r = i == 3 ? rel_bilan(env.db, "ingest", "--format",
                               "custom:%v %h %{session}n %{library}n %u %t \"%r\" %>s %b "
                               "\"%{User-agent}i\"",
                               logs[i], NULL)
                   : rel_bilan(env.db, "ingest", logs[i], NULL);
        if (rel_placeholder(&r))
            cr_skip("the log reader is not built yet");
        cr_assert_eq(r.status, 0, "ingest %s: %s", logs[i], r.err);
        run_and_search(&nd, &r, "ingest output");
        tu_run_free(&r);
    }
    /* privacy.log's line 31 is rejected: the message has its number, not its content. */
    r = rel_bilan(env.db, "rejects", "privacy.log", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "31"), "%s", r.out);
    run_and_search(&nd, &r, "bilan rejects");
    tu_run_free(&r);

    char wal[1100];
    snprintf(wal, sizeof wal, "%s-wal", env.db);
    size_t wn = 0;
    char *w = tu_read_file(wal, &wn);
    cr_assert(w && wn > 0, "the write-ahead log should be there while a reader holds it");
    search(&nd, "the store's -wal file", w, wn);
    free(w);
    sqlite3_exec(hold, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(hold);

    /* The ingests did count something: the audit is not of an empty store. */
    char *e = rel_export(env.db);
    cr_assert(strstr(e, "vannes,vannes-centre,"), "%s", e);
    cr_assert(strstr(e, "auray,auray-bib,"), "%s", e);
    search(&nd, "export usage", e, strlen(e));
    free(e);
    r = rel_bilan(env.db, "sources", NULL);
    run_and_search(&nd, &r, "bilan sources");
    tu_run_free(&r);

    /* Reports and mail, when built. */
    char out[1100], outbox[1100];
    snprintf(out, sizeof out, "%s/reports", env.dir);
    snprintf(outbox, sizeof outbox, "%s/outbox", env.dir);
    bool reports = true, mail = true;
    const char *kinds[][2] = {{"mensuel", "2026-03"},
                              {"semestriel", "2026-S1"},
                              {"annuel", "2026"},
                              {"reseau", "2026-03"}};
    for (size_t k = 0; k < 4 && reports; k++) {
        r = rel_bilan(env.db, "report", kinds[k][0], kinds[k][1], "--out", out, NULL);
        if (rel_placeholder(&r)) {
            reports = false;
        } else {
            cr_assert_eq(r.status, 0, "report %s: %s", kinds[k][0], r.err);
            run_and_search(&nd, &r, "bilan report");
        }
        tu_run_free(&r);
    }
    if (reports) {
        r = rel_bilan(env.db, "mail", "2026-03", "--dry-run", "--outbox", outbox, "--reports", out,
                      "--from", "Bilan <bilan@cd.example>", NULL);
        if (rel_placeholder(&r)) {
            mail = false;
        } else {
            cr_assert_eq(r.status, 0, "mail: %s", r.err);
            run_and_search(&nd, &r, "bilan mail");
        }
        tu_run_free(&r);
    }

    /* The store file last, once every command has closed it. */
    size_t dn = 0;
    char *d = tu_read_file(env.db, &dn);
    cr_assert(d && dn > 0);
    search(&nd, "the store file", d, dn);
    free(d);

    if (reports) {
        int pdfs = search_tree(&nd, out, ".pdf", true);
        cr_assert_geq(pdfs, 4, "expected the PDFs of every kind, found %d", pdfs);
    }
    if (mail) {
        int emls = reports ? search_tree(&nd, outbox, ".eml", false) : 0;
        if (reports)
            cr_assert_geq(emls, 2, "expected one .eml per partner, found %d", emls);
    }
    for (size_t i = 0; i < nd.n; i++)
        free(nd.v[i]);
    if (!reports)
        cr_skip("store, WAL and stderr audited; 'bilan report' is not implemented yet");
    if (!mail)
        cr_skip("store, WAL, PDFs and stderr audited; 'bilan mail' is not implemented yet");
}
