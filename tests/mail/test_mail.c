/* `bilan mail` against a real SMTP server (Debian's python3-aiosmtpd) on a
 * random free port: what arrives is decoded by Python's email module
 * (inspect_mail.py), independently of bilan's encoders, and compared with
 * the PDFs on disk and the figures of fixtures/mail (see its README). */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bilan/common.h"
#include "testutil.h"

#define PY "/usr/bin/python3"
/* "Today" for these tests: 2026-07-01, when May 2026 and the first semester
 * are over (the test environment's SOURCE_DATE_EPOCH, 2026-01-01, is before
 * them: their mail would be refused). */
#define TODAY "SOURCE_DATE_EPOCH=1782864000"
#define FROM "Réseau des médiathèques <stats@reseau.example.org>"
#define CCVO_SUBJECT                                                                               \
    "Statistiques d'usage des ressources numériques — mai 2026 — Communauté de communes du " \
    "Val d'Oust"

typedef struct env {
    char *dir;
    char db[512], reports[512], home[512];
    char pdf_ccvo[700], pdf_ploermel[700];
} env;

typedef struct server {
    pid_t pid;
    int port;
    char host[64];
    char maildir[600];
} server;

/* ---- the environment: a store, a network, usage, PDFs ------------------------------- */

static void make_pdf(const char *path, const char *text)
{
    cairo_surface_t *s = cairo_pdf_surface_create(path, 595, 842);
    cairo_t *cr = cairo_create(s);
    /* Shapes only (no fonts): each PDF differs by its partner's name length. */
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++) {
        cairo_set_source_rgb(cr, (double)(i % 3) / 2, (double)(i % 5) / 4, (double)(i % 7) / 6);
        cairo_rectangle(cr, 40 + (double)i * 20, 100, 15,
                        50 + (double)((unsigned char)text[i] % 50));
        cairo_fill(cr);
    }
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cr_assert_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);
}

static void sql_exec(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
    cr_assert_eq(rc, SQLITE_OK, "%s", err ? err : "");
    sqlite3_free(err);
    sqlite3_close(h);
}

static long long sql_int(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    long long v = -1;
    cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return v;
}

static void env_setup(env *e)
{
    memset(e, 0, sizeof *e);
    e->dir = tu_mkdtemp("mail");
    cr_assert_not_null(e->dir);
    snprintf(e->db, sizeof e->db, "%s/bilan.db", e->dir);
    snprintf(e->reports, sizeof e->reports, "%s/reports", e->dir);
    snprintf(e->home, sizeof e->home, "HOME=%s", e->dir); /* no ~/.netrc of the caller's */
    char net[600];
    snprintf(net, sizeof net, "%s/fixtures/mail/network", tu_srcdir());
    const char *argv[] = {tu_bilan(), "--db", e->db, "network", "import", net, NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 0, "network import: %s", r.err);
    tu_run_free(&r);
    char sqlpath[600];
    snprintf(sqlpath, sizeof sqlpath, "%s/fixtures/mail/usage.sql", tu_srcdir());
    char *sql = tu_read_file(sqlpath, NULL);
    cr_assert_not_null(sql);
    sql_exec(e->db, sql);
    free(sql);
    /* The reports, as 'bilan report' draws them: their fingerprints match
     * the store, so 'bilan mail' attaches them as they are. */
    char d[600];
    snprintf(d, sizeof d, "%s/2026-05", e->reports);
    const char *rep[] = {tu_bilan(), "--db",  e->db,      "report", "mensuel",
                         "2026-05",  "--out", e->reports, NULL};
    const char *today[] = {TODAY, NULL};
    r = tu_runv(rep, today);
    cr_assert_eq(r.status, 0, "report: %s", r.err);
    tu_run_free(&r);
    snprintf(e->pdf_ccvo, sizeof e->pdf_ccvo, "%s/ccvo-mensuel.pdf", d);
    snprintf(e->pdf_ploermel, sizeof e->pdf_ploermel, "%s/ploermel-mensuel.pdf", d);
}

static void env_free(env *e)
{
    tu_rmtree(e->dir);
    free(e->dir);
}

static void sha_of(const char *path, char hex[65])
{
    char *err = NULL;
    cr_assert_eq(bl_sha256_file(path, hex, &err), BL_OK, "%s", err ? err : "");
    free(err);
}

/* ---- the SMTP server ------------------------------------------------------------------ */

static int free_port(const char *host)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, host, &a.sin_addr);
    socklen_t l = sizeof a;
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0, "bind: %s", strerror(errno));
    getsockname(fd, (struct sockaddr *)&a, &l);
    close(fd);
    return ntohs(a.sin_port);
}

static bool listening(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* Addresses the next server started defers with a 451 (refuse_handler.py). */
static const char *tempfail_list;

/* Starts aiosmtpd on host:random port storing into a maildir under e->dir.
 * handler NULL: aiosmtpd's Mailbox; else "refuse_handler.RefusingMailbox"
 * with refuse = the addresses it refuses. cert/key: require STARTTLS. */
static void server_spawn(server *s, const env *e, const char *host, const char *tag,
                         const char *handler, const char *refuse, const char *cert, const char *key,
                         const char *auth_user, const char *auth_pass)
{
    memset(s, 0, sizeof *s);
    snprintf(s->host, sizeof s->host, "%s", host);
    snprintf(s->maildir, sizeof s->maildir, "%s/maildir-%s", e->dir, tag);
    for (int attempt = 0; attempt < 5; attempt++) {
        s->port = free_port(host);
        char listen[96], log[700];
        snprintf(listen, sizeof listen, "%s:%d", host, s->port);
        snprintf(log, sizeof log, "%s/server-%s.log", e->dir, tag);
        pid_t pid = fork();
        cr_assert_neq(pid, -1);
        if (pid == 0) {
            /* Die with the test: a failed assertion ends the test's process
             * before server_stop runs. */
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0666);
            dup2(fd, 1);
            dup2(fd, 2);
            setenv("PYTHONPATH", BILAN_MAIL_TESTDIR, 1);
            if (refuse)
                setenv("BILAN_TEST_REFUSE", refuse, 1);
            if (tempfail_list)
                setenv("BILAN_TEST_TEMPFAIL", tempfail_list, 1);
            const char *args[16];
            int n = 0;
            char script[600], port[16];
            args[n++] = PY;
            if (auth_user) {
                snprintf(script, sizeof script, "%s/auth_server.py", BILAN_MAIL_TESTDIR);
                snprintf(port, sizeof port, "%d", s->port);
                const char *a[] = {script, host, port, s->maildir, auth_user, auth_pass};
                for (int i = 0; i < 6; i++)
                    args[n++] = a[i];
                goto exec;
            }
            args[n++] = "-m";
            args[n++] = "aiosmtpd";
            args[n++] = "-n";
            args[n++] = "-l";
            args[n++] = listen;
            if (cert) {
                args[n++] = "--tlscert";
                args[n++] = cert;
                args[n++] = "--tlskey";
                args[n++] = key;
            }
            args[n++] = "-c";
            args[n++] = handler ? handler : "aiosmtpd.handlers.Mailbox";
            args[n++] = s->maildir;
        exec:;
            /* execv wants char *const []: copies, in the child only. */
            char *argv[16];
            for (int i = 0; i < n; i++)
                argv[i] = strdup(args[i]);
            argv[n] = NULL;
            execv(PY, argv);
            _exit(127);
        }
        for (int i = 0; i < 200; i++) {
            int ws;
            if (waitpid(pid, &ws, WNOHANG) == pid)
                break; /* died (port taken?): try another port */
            if (listening(host, s->port)) {
                s->pid = pid;
                return;
            }
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    cr_assert_fail("aiosmtpd did not start on %s (see %s/server-%s.log)", host, e->dir, tag);
}

static void server_start(server *s, const env *e, const char *host, const char *tag,
                         const char *handler, const char *refuse, const char *cert, const char *key)
{
    server_spawn(s, e, host, tag, handler, refuse, cert, key, NULL, NULL);
}

static void server_stop(server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

static int maildir_count(const server *s)
{
    char d[700];
    snprintf(d, sizeof d, "%s/new", s->maildir);
    DIR *dir = opendir(d);
    if (!dir)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dir)))
        if (de->d_name[0] != '.')
            n++;
    closedir(dir);
    return n;
}

static char *url_of(const server *s)
{
    return bl_strdup_printf("smtp://%s:%d", s->host, s->port);
}

/* ---- running bilan and inspecting mail ------------------------------------------------- */

/* bilan --db DB mail 2026-05 --reports R --from FROM [args...]; env_extra
 * may add variables. */
static tu_run mail_run(const env *e, const char *const *env_extra, ...)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = tu_bilan();
    argv[n++] = "--db";
    argv[n++] = e->db;
    argv[n++] = "mail";
    argv[n++] = "2026-05";
    argv[n++] = "--reports";
    argv[n++] = e->reports;
    argv[n++] = "--from";
    argv[n++] = FROM;
    va_list ap;
    va_start(ap, env_extra);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 30)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    const char *envv[8];
    int k = 0;
    envv[k++] = e->home;
    envv[k++] = TODAY;
    for (const char *const *x = env_extra; x && *x && k < 7; x++)
        envv[k++] = *x;
    envv[k] = NULL;
    return tu_runv(argv, envv);
}

static char *inspect(const char *maildir_or_file, bool is_maildir)
{
    char script[600];
    snprintf(script, sizeof script, "%s/inspect_mail.py", BILAN_MAIL_TESTDIR);
    const char *argv[] = {PY, script, is_maildir ? "-d" : maildir_or_file,
                          is_maildir ? maildir_or_file : NULL, NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 0, "inspect_mail.py: %s", r.err);
    free(r.err);
    return r.out;
}

static void assert_has(const char *hay, const char *needle)
{
    cr_assert(strstr(hay, needle) != NULL, "expected '%s' in:\n%s", needle, hay);
}

/* The checks every delivered or written set of messages passes. */
static void check_messages(const env *e, const char *out, bool stored)
{
    char sha[65], line[200];
    if (stored) {
        cr_assert_eq(tu_count(out, "=== message"), 3, "%s", out);
        assert_has(out, "rcpt: bib@ploermel.example.fr\n");
        assert_has(out, "rcpt: direction@ccvo.example.fr\n");
        assert_has(out, "rcpt: mediatheque@ccvo.example.fr\n");
    } else {
        cr_assert_eq(tu_count(out, "=== message"), 2, "%s", out);
        cr_assert_eq(tu_count(out, "raw: ok\n"), 2, "%s", out);
    }
    /* Both ccvo addresses in To:, the subject decoded back to UTF-8. */
    assert_has(out, "to: mediatheque@ccvo.example.fr, direction@ccvo.example.fr\n");
    assert_has(out, "subject: " CCVO_SUBJECT "\n");
    assert_has(out, "subject: Statistiques d'usage des ressources numériques — mai 2026 — "
                    "Ploërmel\n");
    assert_has(out, "from: Réseau des médiathèques <stats@reseau.example.org>\n");
    assert_has(out, "mime: multipart/mixed\n");
    assert_has(out, "charset: utf-8 quoted-printable\n");
    cr_assert_eq(tu_count(out, "b64-lines: 76\n"), tu_count(out, "=== message"), "%s", out);
    cr_assert_eq(tu_count(out, "message-id: <bilan.2026-05.mensuel."), tu_count(out, "=== message"),
                 "%s", out);
    cr_assert_eq(tu_count(out, "date: "), tu_count(out, "=== message"));
    /* The attachments decode to the PDFs on disk, byte for byte. */
    sha_of(e->pdf_ccvo, sha);
    snprintf(line, sizeof line,
             "attachment: bilan-ccvo-mensuel-2026-05.pdf application/pdf "
             "base64 %s",
             sha);
    cr_assert_eq(tu_count(out, line), stored ? 2 : 1, "%s\n%s", line, out);
    sha_of(e->pdf_ploermel, sha);
    snprintf(line, sizeof line,
             "attachment: bilan-ploermel-mensuel-2026-05.pdf application/pdf "
             "base64 %s",
             sha);
    cr_assert_eq(tu_count(out, line), 1, "%s\n%s", line, out);
    /* The figures (fixtures/mail/README.md). */
    assert_has(out, "body: - consultations en mai 2026 : 390\n");
    assert_has(out, "body: - évolution par rapport à avril 2026 : +20,0" BL_NBSP "% (325 "
                    "consultations)\n");
    assert_has(out, "body: - ressource la plus consultée : Cinéma à la demande (200 "
                    "consultations)\n");
    assert_has(out, "body: - consultations en mai 2026 : 1" BL_NNBSP "234\n");
    /* Cafeyn delivered April (for ccvo): Ploërmel's April is a real 0. */
    assert_has(out, "body: - évolution par rapport à avril 2026 : non calculable (aucune "
                    "consultation en avril 2026)");
    assert_has(out, "body: - ressource la plus consultée : Cafeyn (1" BL_NNBSP "234 ");
    /* Issue 15: the partner's name takes its article (« de la Communauté … »). */
    assert_has(out, "body: de la Communauté de communes du Val d'Oust pour mai 2026.\n");
    /* vod-2026: 850 of 1 000 units used by the end of May, alert at 80 %. */
    assert_has(out, "body: - Forfait Cinéma à la demande (vod-2026) : en vigilance, 85,0");
}

/* ---- tests ------------------------------------------------------------------------------ */

Test(mail, sends_each_partner_once)
{
    env e;
    env_setup(&e);
    server s;
    server_start(&s, &e, "127.0.0.1", "a", NULL, NULL, NULL, NULL);
    char *url = url_of(&s);

    tu_run r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "partner 'josselin' has no email address: skipped");
    assert_has(r.out, "3 sent, 0 failed");
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 3);
    char *out = inspect(s.maildir, true);
    check_messages(&e, out, true);
    free(out);
    cr_assert_eq(sql_int(e.db, "SELECT count(*) FROM mail_log WHERE status = 'sent' AND period = "
                               "'2026-05' AND kind = 'mensuel' AND message_id LIKE 'bilan.%' AND "
                               "reply LIKE '250%'"),
                 3);

    /* Again: nothing new. */
    r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "ccvo: already sent to mediatheque@ccvo.example.fr, "
                      "direction@ccvo.example.fr");
    assert_has(r.out, "ploermel: already sent");
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 3);

    /* --resend, one partner. */
    r = mail_run(&e, NULL, "--smtp", url, "--resend", "--partner", "ploermel", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 4);
    cr_assert_eq(sql_int(e.db, "SELECT count(*) FROM mail_log WHERE recipient = "
                               "'bib@ploermel.example.fr' AND status = 'sent'"),
                 2);
    free(url);
    server_stop(&s);
    env_free(&e);
}

Test(mail, refused_recipient_fails_alone_and_is_not_retried)
{
    env e;
    env_setup(&e);
    server s;
    server_start(&s, &e, "127.0.0.1", "refuse", "refuse_handler.RefusingMailbox",
                 "direction@ccvo.example.fr", NULL, NULL);
    char *url = url_of(&s);
    tu_run r = mail_run(&e, NULL, "--smtp", url, NULL);
    /* A permanent refusal is bad data (the address), not a server to retry. */
    cr_assert_eq(r.status, 65, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "ccvo: not sent to direction@ccvo.example.fr");
    assert_has(r.err, "550 5.1.1");
    assert_has(r.err, "refused for good");
    assert_has(r.out, "2 sent, 0 failed, 1 refused for good");
    tu_run_free(&r);
    /* The others were sent all the same. */
    cr_assert_eq(maildir_count(&s), 2);
    cr_assert_eq(sql_int(e.db, "SELECT count(*) FROM mail_log WHERE status = 'refused' AND "
                               "code = 550 AND recipient = 'direction@ccvo.example.fr' AND reply "
                               "LIKE '550 5.1.1 <direction@ccvo.example.fr>: Recipient address "
                               "rejected%'"),
                 1);
    server_stop(&s);
    free(url);

    /* The next run does not retry it, and says why. */
    server_start(&s, &e, "127.0.0.1", "retry", NULL, NULL, NULL, NULL);
    url = url_of(&s);
    r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 65, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "ccvo: not sent to direction@ccvo.example.fr: refused for good by the "
                      "server (550 5.1.1");
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 0);
    /* Unless asked: --retry-refused sends it (the address was fixed). */
    r = mail_run(&e, NULL, "--smtp", url, "--retry-refused", NULL);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.out, "1 sent, 0 failed, 1 partner already served");
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 1);
    char *out = inspect(s.maildir, true);
    cr_assert_eq(tu_count(out, "rcpt: "), 1, "%s", out);
    assert_has(out, "rcpt: direction@ccvo.example.fr\n");
    assert_has(out, "subject: " CCVO_SUBJECT "\n");
    free(out);
    free(url);
    server_stop(&s);
    env_free(&e);
}

Test(mail, deferred_recipient_is_retried_and_status_tells_each_outcome)
{
    env e;
    env_setup(&e);
    server s;
    tempfail_list = "mediatheque@ccvo.example.fr";
    server_start(&s, &e, "127.0.0.1", "mixed", "refuse_handler.RefusingMailbox",
                 "direction@ccvo.example.fr", NULL, NULL);
    tempfail_list = NULL;
    char *url = url_of(&s);
    tu_run r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 75, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.out, "1 sent, 1 failed, 1 refused for good");
    tu_run_free(&r);
    server_stop(&s);
    free(url);

    /* mail status: each partner and recipient, its outcome, time, answer. */
    const char *st[] = {tu_bilan(), "--db", e.db, "mail", "status", "2026-05", NULL};
    r = tu_runv(st, NULL);
    cr_assert_eq(r.status, 1, "out: %s\nerr: %s", r.out, r.err);
    cr_assert_eq(tu_count(r.out, "\n"), 5, "%s", r.out);
    char *l = strstr(r.out, "ccvo     direction@ccvo.example.fr");
    cr_assert(l && strstr(l, "refused") && strstr(l, "550 5.1.1"), "%s", r.out);
    l = strstr(r.out, "ccvo     mediatheque@ccvo.example.fr");
    cr_assert(l && strstr(l, "failed") && strstr(l, "451 4.7.1"), "%s", r.out);
    l = strstr(r.out, "ploermel bib@ploermel.example.fr");
    cr_assert(l && strstr(l, "sent") && strstr(l, "250"), "%s", r.out);
    assert_has(r.out, "1 sent, 2 not sent");
    tu_run_free(&r);
    /* In French the columns stay in line, counted in characters (« état »,
     * « envoyé »: until the night of 3 December 2026 printf's byte widths shifted them),
     * each as wide as its longest cell. */
    const char *fr[] = {"BILAN_LANG=fr", NULL};
    r = tu_runv(st, fr);
    cr_assert_eq(r.status, 1, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.out, "partenaire destinataire                état   dernier essai (UTC)  n  ");
    assert_has(r.out, "\nploermel   bib@ploermel.example.fr     envoyé 2026-");
    assert_has(r.out, "\nccvo       direction@ccvo.example.fr   refusé 2026-");
    assert_has(r.out, "\nccvo       mediatheque@ccvo.example.fr échec  2026-");
    tu_run_free(&r);

    /* The 4xx one is retried, the 5xx one is not. */
    server_start(&s, &e, "127.0.0.1", "again", NULL, NULL, NULL, NULL);
    url = url_of(&s);
    r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 65, "out: %s\nerr: %s", r.out, r.err);
    tu_run_free(&r);
    char *out = inspect(s.maildir, true);
    cr_assert_eq(tu_count(out, "rcpt: "), 1, "%s", out);
    assert_has(out, "rcpt: mediatheque@ccvo.example.fr\n");
    free(out);
    r = tu_runv(st, NULL);
    l = strstr(r.out, "ccvo     mediatheque@ccvo.example.fr");
    cr_assert(l && strstr(l, "sent") && strstr(l, "Z 2  250"), "%s", r.out);
    tu_run_free(&r);
    free(url);
    server_stop(&s);
    env_free(&e);
}

static void make_cert(const env *e, const char *ip, char *cert, char *key, size_t n)
{
    snprintf(cert, n, "%s/cert.pem", e->dir);
    snprintf(key, n, "%s/key.pem", e->dir);
    tu_run r = tu_sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out '%s' -days 2 "
                     "-subj /CN=%s -addext subjectAltName=IP:%s 2>&1",
                     key, cert, ip, ip);
    cr_assert_eq(r.status, 0, "openssl: %s", r.out);
    tu_run_free(&r);
}

Test(mail, starttls_only_server_refuses_plain_text_cleanly)
{
    env e;
    env_setup(&e);
    char cert[600], key[600];
    make_cert(&e, "127.0.0.1", cert, key, sizeof cert);
    server s;
    server_start(&s, &e, "127.0.0.1", "tls", NULL, NULL, cert, key);
    char *url = url_of(&s);
    /* Loopback: bilan speaks plain text; the server demands STARTTLS first. */
    tu_run r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 75, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "refused the sender: 530");
    assert_has(r.err, "STARTTLS");
    assert_has(r.err, "nothing more sent");
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 0);
    /* One failure logged with the server's reply, then it stopped. */
    cr_assert_eq(sql_int(e.db, "SELECT count(*) FROM mail_log"), 1);
    cr_assert_eq(sql_int(e.db, "SELECT count(*) FROM mail_log WHERE status = 'failed' AND "
                               "reply LIKE '530 %STARTTLS%'"),
                 1);
    /* --insecure: STARTTLS without verifying the self-signed certificate. */
    r = mail_run(&e, NULL, "--smtp", url, "--insecure", NULL);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 3);
    char *out = inspect(s.maildir, true);
    check_messages(&e, out, true);
    free(out);
    free(url);
    server_stop(&s);
    env_free(&e);
}

/* A non-loopback IPv4 address of this machine, or false. */
static bool remote_ip(char *out, size_t n)
{
    struct ifaddrs *ifa = NULL;
    bool found = false;
    if (getifaddrs(&ifa) != 0)
        return false;
    for (struct ifaddrs *i = ifa; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP) ||
            (i->ifa_flags & IFF_LOOPBACK))
            continue;
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)i->ifa_addr;
        found = inet_ntop(AF_INET, &a->sin_addr, out, (socklen_t)n) != NULL;
    }
    freeifaddrs(ifa);
    return found;
}

Test(mail, remote_server_needs_verified_starttls)
{
    char ip[64];
    if (!remote_ip(ip, sizeof ip))
        cr_skip_test("no non-loopback IPv4 address on this machine");
    env e;
    env_setup(&e);
    /* A plain-text server that is not on loopback: refused before MAIL. */
    server s;
    server_start(&s, &e, ip, "plain", NULL, NULL, NULL, NULL);
    char *url = url_of(&s);
    tu_run r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 75, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "does not offer STARTTLS");
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 0);
    server_stop(&s);
    free(url);

    /* STARTTLS with a certificate nobody vouches for: refused. */
    char cert[600], key[600], cafile[700];
    make_cert(&e, ip, cert, key, sizeof cert);
    server_start(&s, &e, ip, "tls", NULL, NULL, cert, key);
    url = url_of(&s);
    r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 75, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "TLS with");
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 0);

    /* The same certificate trusted through BILAN_SMTP_CAFILE: sent, verified. */
    snprintf(cafile, sizeof cafile, "BILAN_SMTP_CAFILE=%s", cert);
    const char *extra[] = {cafile, NULL};
    r = mail_run(&e, extra, "--smtp", url, NULL);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 3);
    free(url);
    server_stop(&s);
    env_free(&e);
}

Test(mail, smtp_down_is_a_temporary_failure)
{
    env e;
    env_setup(&e);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", free_port("127.0.0.1"));
    tu_run r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 75, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "cannot reach the SMTP server");
    assert_has(r.err, "connection refused or server unreachable (");
    assert_has(r.err, "nothing more sent");
    tu_run_free(&r);
    cr_assert_eq(sql_int(e.db, "SELECT count(*) FROM mail_log WHERE status = 'sent'"), 0);
    /* In French, libcurl's words kept after the reason (until 3 December
     * 2026 they were the reason: « Failed to connect to ... »). */
    const char *fr[] = {"BILAN_LANG=fr", NULL};
    r = mail_run(&e, fr, "--smtp", url, NULL);
    cr_assert_eq(r.status, 75, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "impossible de joindre le serveur SMTP");
    assert_has(r.err, "connexion refusée ou serveur injoignable (");
    tu_run_free(&r);
    env_free(&e);
}

Test(mail, dry_run_writes_the_exact_messages)
{
    env e;
    env_setup(&e);
    char outbox[600], f1[700], f2[700];
    snprintf(outbox, sizeof outbox, "%s/outbox", e.dir);
    snprintf(f1, sizeof f1, "%s/2026-05/ccvo-mensuel.eml", outbox);
    snprintf(f2, sizeof f2, "%s/2026-05/ploermel-mensuel.eml", outbox);
    tu_run r = mail_run(&e, NULL, "--dry-run", "--outbox", outbox, NULL);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.out, "ccvo: wrote ");
    tu_run_free(&r);
    size_t l1, l2;
    char *a1 = tu_read_file(f1, &l1), *a2 = tu_read_file(f2, &l2);
    cr_assert(a1 && a2);
    char script[600];
    snprintf(script, sizeof script, "%s/inspect_mail.py", BILAN_MAIL_TESTDIR);
    const char *argv[] = {PY, script, f1, f2, NULL};
    tu_run ins = tu_runv(argv, NULL);
    cr_assert_eq(ins.status, 0, "%s", ins.err);
    check_messages(&e, ins.out, false);
    /* The date of a preview is SOURCE_DATE_EPOCH (2026-07-01 here). */
    assert_has(ins.out, "date: Wed, 01 Jul 2026 00:00:00 +0000\n");
    tu_run_free(&ins);
    /* Nothing logged: a preview sends nothing. A second preview: same bytes. */
    cr_assert_eq(sql_int(e.db, "SELECT count(*) FROM mail_log"), 0);
    r = mail_run(&e, NULL, "--dry-run", "--outbox", outbox, NULL);
    cr_assert_eq(r.status, 0);
    tu_run_free(&r);
    size_t m1;
    char *b1 = tu_read_file(f1, &m1);
    cr_assert(m1 == l1 && memcmp(a1, b1, l1) == 0, "two previews differ");
    free(a1);
    free(a2);
    free(b1);
    env_free(&e);
}

Test(mail, missing_pdf_is_rendered_first)
{
    env e;
    env_setup(&e);
    unlink(e.pdf_ploermel);
    server s;
    server_start(&s, &e, "127.0.0.1", "a", NULL, NULL, NULL, NULL);
    char *url = url_of(&s);
    tu_run r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.out, "ploermel: rendered ");
    cr_assert_null(strstr(r.out, "ccvo: rendered"));
    tu_run_free(&r);
    /* The report 'bilan report' would have made, and it is what was sent. */
    char *txt = tu_pdftotext(e.pdf_ploermel);
    cr_assert_not_null(txt, "no PDF rendered at %s", e.pdf_ploermel);
    assert_has(txt, "Ploërmel");
    free(txt);
    cr_assert_eq(maildir_count(&s), 3);
    char *out = inspect(s.maildir, true);
    check_messages(&e, out, true);
    free(out);
    free(url);
    server_stop(&s);
    env_free(&e);
}

Test(mail, unrenderable_pdf_names_the_report_command)
{
    env e;
    env_setup(&e);
    /* reports/2026-05 leads nowhere: no PDF can be read or written there. */
    char period_dir[600];
    snprintf(period_dir, sizeof period_dir, "%s/2026-05", e.reports);
    tu_rmtree(period_dir);
    cr_assert_eq(symlink("/nonexistent/bilan-mail-test", period_dir), 0);
    server s;
    server_start(&s, &e, "127.0.0.1", "a", NULL, NULL, NULL, NULL);
    char *url = url_of(&s);
    tu_run r = mail_run(&e, NULL, "--smtp", url, NULL);
    cr_assert_eq(r.status, 66, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "ploermel-mensuel.pdf: no such report, and rendering it failed");
    assert_has(r.err, "run 'bilan report mensuel 2026-05' first");
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 0);
    cr_assert_eq(sql_int(e.db, "SELECT count(*) FROM mail_log"), 0);
    free(url);
    server_stop(&s);
    env_free(&e);
}

Test(mail, refuses_credentials_and_bad_arguments)
{
    env e;
    env_setup(&e);
    tu_run r = mail_run(&e, NULL, "--smtp", "smtp://u:s3cret@127.0.0.1:25", NULL);
    cr_assert_eq(r.status, 64, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "credentials in the SMTP URL are refused");
    cr_assert_null(strstr(r.err, "s3cret"));
    cr_assert_null(strstr(r.out, "s3cret"));
    tu_run_free(&r);
    r = mail_run(&e, NULL, "--kind", "semestriel", NULL);
    cr_assert_eq(r.status, 64);
    assert_has(r.err, "a semestriel report needs a semester");
    tu_run_free(&r);
    r = mail_run(&e, NULL, "--smtp", "http://127.0.0.1/", NULL);
    cr_assert_eq(r.status, 64);
    tu_run_free(&r);
    r = mail_run(&e, NULL, "--partner", "nobody", "--dry-run", NULL);
    cr_assert_eq(r.status, 66);
    assert_has(r.err, "no partner 'nobody'");
    tu_run_free(&r);
    cr_assert_eq(sql_int(e.db, "SELECT count(*) FROM mail_log"), 0);
    env_free(&e);
}

static bool has_bytes(const char *p, size_t n, const char *needle)
{
    size_t l = strlen(needle);
    for (size_t i = 0; i + l <= n; i++)
        if (memcmp(p + i, needle, l) == 0)
            return true;
    return false;
}

Test(mail, credentials_from_environment_or_netrc_never_shown)
{
    env e;
    env_setup(&e);
    server s;
    server_spawn(&s, &e, "127.0.0.1", "auth", NULL, NULL, NULL, NULL, "bib-ccvo",
                 "Tr0ub4dor-s3cret");
    char *url = url_of(&s);
    /* No credentials: the server wants them before MAIL. */
    tu_run r = mail_run(&e, NULL, "--smtp", url, "--partner", "ploermel", NULL);
    cr_assert_eq(r.status, 75, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "530");
    tu_run_free(&r);
    /* A wrong password: refused, and never echoed. */
    const char *bad[] = {"BILAN_SMTP_USER=bib-ccvo", "BILAN_SMTP_PASSWORD=Wr0ng-pa55word", NULL};
    r = mail_run(&e, bad, "--smtp", url, "--partner", "ploermel", NULL);
    cr_assert_eq(r.status, 75, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "refused the credentials");
    cr_assert_null(strstr(r.err, "Wr0ng"));
    cr_assert_null(strstr(r.out, "Wr0ng"));
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 0);
    /* From the environment. */
    const char *good[] = {"BILAN_SMTP_USER=bib-ccvo", "BILAN_SMTP_PASSWORD=Tr0ub4dor-s3cret", NULL};
    r = mail_run(&e, good, "--smtp", url, "--partner", "ploermel", NULL);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    cr_assert_null(strstr(r.out, "Tr0ub"));
    cr_assert_null(strstr(r.err, "Tr0ub"));
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 1);
    /* From ~/.netrc (HOME is the test's directory). */
    char netrc[700], body[200];
    snprintf(netrc, sizeof netrc, "%s/.netrc", e.dir);
    snprintf(body, sizeof body, "machine 127.0.0.1 login bib-ccvo password Tr0ub4dor-s3cret\n");
    cr_assert(tu_write_file(netrc, body, strlen(body)));
    chmod(netrc, 0600);
    r = mail_run(&e, NULL, "--smtp", url, "--partner", "ploermel", "--resend", NULL);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    tu_run_free(&r);
    cr_assert_eq(maildir_count(&s), 2);
    /* No secret in the store either. */
    size_t n;
    char *db = tu_read_file(e.db, &n);
    cr_assert_not_null(db);
    cr_assert(!has_bytes(db, n, "Tr0ub"));
    cr_assert(!has_bytes(db, n, "Wr0ng"));
    free(db);
    free(url);
    server_stop(&s);
    env_free(&e);
}

Test(mail, semestriel_preview_renders_and_labels_the_semester)
{
    env e;
    env_setup(&e);
    char outbox[600], eml[700], script[600];
    snprintf(outbox, sizeof outbox, "%s/outbox", e.dir);
    snprintf(eml, sizeof eml, "%s/2026-S1/ccvo-semestriel.eml", outbox);
    snprintf(script, sizeof script, "%s/inspect_mail.py", BILAN_MAIL_TESTDIR);
    const char *argv[] = {tu_bilan(),  "--db",      e.db,     "mail", "2026-S1",
                          "--reports", e.reports,   "--from", FROM,   "--outbox",
                          outbox,      "--partner", "ccvo",   NULL};
    const char *envv[] = {e.home, TODAY, NULL};
    tu_run r = tu_runv(argv, envv);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.out, "ccvo: rendered ");
    tu_run_free(&r);
    const char *iv[] = {PY, script, eml, NULL};
    tu_run ins = tu_runv(iv, NULL);
    cr_assert_eq(ins.status, 0, "%s", ins.err);
    assert_has(ins.out, "raw: ok\n");
    assert_has(ins.out, "subject: Statistiques d'usage des ressources numériques — 1er semestre "
                        "2026 — Communauté de communes du Val d'Oust\n");
    /* January to June 2026: VOD 3 × 150, April 325, May 390 (fixtures/mail/README.md). */
    /* June has no data at all, Cafeyn none before April: a partial total,
     * and the body says what it lacks, as the PDF's † note. */
    assert_has(ins.out, "body: - consultations au 1er semestre 2026 : 1" BL_NNBSP
                        "165 (total partiel : données manquantes pour Cafeyn et Tout apprendre "
                        "(janvier à mars 2026, juin 2026) ; Cinéma à la demande (juin 2026))\n");
    assert_has(ins.out, "body: - évolution par rapport au 2e semestre 2025 : pas de données");
    /* (until the night of 3 December 2026 « pour 1er semestre 2026 »; found by a review) */
    assert_has(ins.out, "pour le 1er semestre 2026.\n");
    assert_has(ins.out, "attachment: bilan-ccvo-semestriel-2026-S1.pdf application/pdf");
    tu_run_free(&ins);
    /* A long sender's domain: the Message-ID's line is still within 78
     * characters (the inspector checks every line: until the night of 3 December 2026
     * most partners' ids made it 82-88; found by a review). */
    char outbox3[600], eml3[700];
    snprintf(outbox3, sizeof outbox3, "%s/outbox-long", e.dir);
    snprintf(eml3, sizeof eml3, "%s/2026-S1/ccvo-semestriel.eml", outbox3);
    const char *argv3[] = {tu_bilan(), "--db",    e.db,
                           "mail",     "2026-S1", "--reports",
                           e.reports,  "--from",  "stats@mediatheques.hautes-collines.example",
                           "--outbox", outbox3,   "--partner",
                           "ccvo",     NULL};
    r = tu_runv(argv3, envv);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    tu_run_free(&r);
    const char *iv3[] = {PY, script, eml3, NULL};
    ins = tu_runv(iv3, NULL);
    cr_assert_eq(ins.status, 0, "%s", ins.err);
    assert_has(ins.out, "raw: ok\n");
    tu_run_free(&ins);
    /* On 15 June 2026 the semester runs: its change compares January to
     * May with the same number of months before, as the PDF's card. */
    char outbox2[600], eml2[700];
    snprintf(outbox2, sizeof outbox2, "%s/outbox-june", e.dir);
    snprintf(eml2, sizeof eml2, "%s/2026-S1/ccvo-semestriel.eml", outbox2);
    const char *argv2[] = {tu_bilan(),  "--db",      e.db,     "mail",      "2026-S1",
                           "--reports", e.reports,   "--from", FROM,        "--outbox",
                           outbox2,     "--partner", "ccvo",   "--dry-run", NULL};
    const char *june[] = {e.home, "SOURCE_DATE_EPOCH=1781481600", NULL};
    r = tu_runv(argv2, june);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    tu_run_free(&r);
    const char *iv2[] = {PY, script, eml2, NULL};
    ins = tu_runv(iv2, NULL);
    cr_assert_eq(ins.status, 0, "%s", ins.err);
    assert_has(ins.out, "body: - évolution par rapport aux mois de juillet à novembre 2025 : pas "
                        "de données");
    assert_has(ins.out, "(provisoire)");
    tu_run_free(&ins);
    env_free(&e);
}

/* ---- trust (issue 12): the attachment and the body say what the store says ---------------- */

static char *preview(const env *e, const char *outbox, const char *partner, tu_run *r)
{
    *r = mail_run(e, NULL, "--dry-run", "--outbox", outbox, "--partner", partner, NULL);
    char eml[700];
    snprintf(eml, sizeof eml, "%s/2026-05/%s-mensuel.eml", outbox, partner);
    return inspect(eml, false);
}

Test(mail, foreign_or_stale_attachment_is_rendered_again)
{
    env e;
    env_setup(&e);
    char outbox[600], sha[65], line[200];
    snprintf(outbox, sizeof outbox, "%s/outbox", e.dir);
    /* A PDF that bilan did not draw from this store: no fingerprint. */
    make_pdf(e.pdf_ccvo, "Rapport mensuel ccvo");
    tu_run r;
    char *out = preview(&e, outbox, "ccvo", &r);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.out, "ccvo: rendered ");
    assert_has(r.out, "(it was not drawn by this bilan from this store)");
    tu_run_free(&r);
    free(out);
    /* Fresh: attached as it is. */
    out = preview(&e, outbox, "ccvo", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "rendered"), "%s", r.out);
    tu_run_free(&r);
    free(out);

    /* A late file: 60 more VOD consultations in May at Sérent. */
    sql_exec(e.db, "INSERT INTO source(id, path, hash, format, family, provider, ingested_at) "
                   "VALUES (2, 'late', 'late-file', 'counter5', 0, 'ArteVOD', "
                   "'2026-06-20T08:00:00Z');"
                   "INSERT INTO usage(source_id, library_id, resource_id, month, metric, "
                   "access_method, report_rank, value) VALUES (2, 'ccvo-serent', 'vod', "
                   "'2026-05', 'Total_Item_Requests', 'Regular', 0, 60);");
    out = preview(&e, outbox, "ccvo", &r);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.out, "(the data changed since it was rendered)");
    tu_run_free(&r);
    /* The body: 390 + 60 = 450 against 325, +38,5 %, and the PDF the same. */
    assert_has(out, "body: - consultations en mai 2026 : 450\n");
    assert_has(out, "body: - évolution par rapport à avril 2026 : +38,5" BL_NBSP "% (325 ");
    assert_has(out, "body: - ressource la plus consultée : Cinéma à la demande (260 ");
    sha_of(e.pdf_ccvo, sha);
    snprintf(line, sizeof line,
             "attachment: bilan-ccvo-mensuel-2026-05.pdf application/pdf "
             "base64 %s",
             sha);
    assert_has(out, line);
    free(out);
    char *txt = tu_pdftotext(e.pdf_ccvo);
    cr_assert_not_null(txt);
    assert_has(txt, "450");
    assert_has(txt, "+38,5 %");
    assert_has(txt, "avril 2026 : 325");
    free(txt);
    env_free(&e);
}

Test(mail, period_not_begun_is_refused_and_running_one_is_provisoire)
{
    env e;
    env_setup(&e);
    char outbox[600];
    snprintf(outbox, sizeof outbox, "%s/outbox", e.dir);
    /* On 2026-04-10, May 2026 has not begun. */
    const char *early[] = {"SOURCE_DATE_EPOCH=1775779200", NULL};
    const char *argv[] = {tu_bilan(),  "--db",    e.db,     "mail", "2026-05",
                          "--reports", e.reports, "--from", FROM,   "--dry-run",
                          "--outbox",  outbox,    NULL};
    tu_run r = tu_runv(argv, early);
    cr_assert_eq(r.status, 64, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "the period '2026-05' has not begun");
    tu_run_free(&r);
    cr_assert_eq(sql_int(e.db, "SELECT count(*) FROM mail_log"), 0);
    /* On 2026-05-20, it is running: « provisoire » in subject and body,
     * and the PDF drawn on 2026-07-01 (final) is drawn again. */
    const char *during[] = {"SOURCE_DATE_EPOCH=1779235200", NULL};
    r = tu_runv(argv, during);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.out, "ccvo: rendered ");
    tu_run_free(&r);
    char eml[700];
    snprintf(eml, sizeof eml, "%s/2026-05/ccvo-mensuel.eml", outbox);
    char *out = inspect(eml, false);
    assert_has(out, "subject: Statistiques d'usage des ressources numériques — mai 2026 "
                    "(provisoire) — Communauté de communes du Val d'Oust\n");
    assert_has(out, "body: Chiffres provisoires : la période n'est pas terminée");
    /* May is not over: nothing to compare yet (until 3 December 2026 the
     * body compared the running month with the whole of April). */
    assert_has(out, "body: - évolution : à calculer à la fin de la période\n");
    free(out);
    char *txt = tu_pdftotext(e.pdf_ccvo);
    assert_has(txt, "PROVISOIRE");
    free(txt);
    env_free(&e);
}

Test(mail, bad_partner_id_writes_nothing_outside_the_outbox)
{
    env e;
    env_setup(&e);
    /* An older store may hold any id: one that climbs out of the folders. */
    sql_exec(e.db, "INSERT INTO partner(id, name, kind, population, rate_e4, emails) VALUES "
                   "('../../evil', 'Evil', 'commune', 100, 1500, 'evil@evil.example');"
                   "INSERT INTO library(id, partner_id, name) VALUES ('evil-bib', '../../evil', "
                   "'Evil');"
                   "INSERT INTO usage(source_id, library_id, resource_id, month, metric, "
                   "access_method, report_rank, value) VALUES (1, 'evil-bib', 'cafeyn', "
                   "'2026-05', 'Total_Item_Requests', 'Regular', 0, 5);");
    char outbox[600];
    snprintf(outbox, sizeof outbox, "%s/o1/o2/outbox", e.dir);
    tu_run r = mail_run(&e, NULL, "--dry-run", "--outbox", outbox, NULL);
    cr_assert_eq(r.status, 65, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "partner '../../evil': not a valid id");
    assert_has(r.out, "ccvo: wrote ");
    tu_run_free(&r);
    r = tu_sh("find '%s' -name '*evil*'", e.dir);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(r.out_len, 0, "written outside: %s", r.out);
    tu_run_free(&r);
    env_free(&e);
}

/* A period the store has no data for: nothing is mailed, not even to the
 * outbox (until 3 December 2026 every partner got a report of « — »). */
Test(mail, period_without_data_sends_nothing)
{
    env e;
    env_setup(&e);
    char outbox[700];
    snprintf(outbox, sizeof outbox, "%s/outbox", e.dir);
    const char *argv[] = {tu_bilan(), "--db", e.db,        "mail",    "2025-01",
                          "--from",   FROM,   "--reports", e.reports, "--dry-run",
                          "--outbox", outbox, NULL};
    const char *today[] = {TODAY, NULL};
    tu_run r = tu_runv(argv, today);
    cr_assert_eq(r.status, 66, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "no usage data for 2025-01 in the store: nothing sent");
    tu_run_free(&r);
    tu_run ls = tu_sh("find '%s' -name '*.eml' 2>/dev/null | wc -l", outbox);
    cr_assert_str_eq(ls.out, "0\n");
    tu_run_free(&ls);
    env_free(&e);
}

Test(mail, missing_store_is_not_created)
{
    env e;
    env_setup(&e);
    char db[700];
    snprintf(db, sizeof db, "%s/none.db", e.dir);
    const char *argv[] = {tu_bilan(), "--db", db,          "mail", "2026-05",
                          "--from",   FROM,   "--dry-run", NULL};
    const char *today[] = {TODAY, NULL};
    tu_run r = tu_runv(argv, today);
    cr_assert_eq(r.status, 66, "out: %s\nerr: %s", r.out, r.err);
    assert_has(r.err, "none.db");
    tu_run_free(&r);
    cr_assert_neq(access(db, F_OK), 0, "the store was created");
    env_free(&e);
}

Test(mail, html_part_says_what_the_pdf_says)
{
    env e;
    env_setup(&e);
    char outbox[600], f[700], script[600];
    snprintf(outbox, sizeof outbox, "%s/outbox", e.dir);
    tu_run r = mail_run(&e, NULL, "--dry-run", "--outbox", outbox, "--attach-xlsx", NULL);
    cr_assert_eq(r.status, 0, "out: %s\nerr: %s", r.out, r.err);
    tu_run_free(&r);
    snprintf(script, sizeof script, "%s/html_vs_pdf.py", BILAN_MAIL_TESTDIR);
    const char *partners[] = {"ccvo", "ploermel"};
    for (int i = 0; i < 2; i++) {
        snprintf(f, sizeof f, "%s/2026-05/%s-mensuel.eml", outbox, partners[i]);
        const char *argv[] = {PY, script, f, NULL};
        r = tu_runv(argv, NULL);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_assert(strncmp(r.out, "ok ", 3) == 0, "%s: %s", partners[i], r.out);
        tu_run_free(&r);
        /* Both alternatives, the PDF and the workbook, 7-bit, short lines. */
        char *out = inspect(f, false);
        assert_has(out, "raw: ok\n");
        assert_has(out, "charset: utf-8 quoted-printable\n");
        char line[200];
        snprintf(line, sizeof line,
                 "attachment: bilan-%s-mensuel-2026-05.xlsx "
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet base64 ",
                 partners[i]);
        assert_has(out, line);
        free(out);
    }
    size_t n;
    snprintf(f, sizeof f, "%s/2026-05/ccvo-mensuel.eml", outbox);
    char *raw = tu_read_file(f, &n);
    assert_has(raw, "Content-Type: multipart/alternative;");
    assert_has(raw, "Content-Type: text/html; charset=UTF-8");
    cr_assert_null(strstr(raw, "<img"), "no image");
    cr_assert_null(strstr(raw, "<style"), "inline styles only");
    free(raw);
    env_free(&e);
}

/* The most used resource in its own unit: the demo's Soutien scolaire is
 * counted in sessions, as its PDF row says (until 3 December 2026 the mail
 * called them « consultations »); a COUNTER resource's are consultations. */
Test(mail, top_resource_in_its_unit, .timeout = 120)
{
    char *dir = tu_mkdtemp("maildemo");
    const char *demo[] = {tu_bilan(), "demo", "--out", dir, NULL};
    tu_run r = tu_runv(demo, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char db[700], outbox[700], f[800];
    snprintf(db, sizeof db, "%s/bilan-demo.db", dir);
    snprintf(outbox, sizeof outbox, "%s/outbox", dir);
    /* The demo's today, 6 November 2026. */
    const char *envs[] = {"SOURCE_DATE_EPOCH=1793923200", NULL};
    const char *mail[] = {tu_bilan(), "--db", db,          "mail", "2026-10", "--dry-run",
                          "--outbox", outbox, "--reports", dir,    "--from",  "stats@example.org",
                          NULL};
    r = tu_runv(mail, envs);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    snprintf(f, sizeof f, "%s/2026-10/ca-durance-mensuel.eml", outbox);
    char *out = inspect(f, false);
    assert_has(out, "body: - ressource la plus consultée : Soutien scolaire en ligne (2" BL_NNBSP
                    "798 sessions)\n");
    free(out);
    snprintf(f, sizeof f, "%s/2026-10/lurs-mensuel.eml", outbox);
    out = inspect(f, false);
    assert_has(out, "body: - ressource la plus consultée : Livres numériques (PNB) (22 "
                    "consultations)\n");
    free(out);
    tu_rmtree(dir);
    free(dir);
}

/* Found by a walk-through (3 December 2026): a refused SMTP URL wrote the
 * first partner's PDF before the refusal; a preview needed --from although
 * network.csv has the network's contact address; a sender given as an
 * address alone signed the body with the address, not the network's name. */
Test(mail, sender_and_smtp_url_are_settled_before_anything_is_written)
{
    env e;
    env_setup(&e);
    char fresh[600];
    snprintf(fresh, sizeof fresh, "%s/fresh", e.dir);
    const char *bad[] = {tu_bilan(),         "--db",      e.db,  "mail",   "2026-05", "--smtp",
                         "ftp://127.0.0.1/", "--reports", fresh, "--from", FROM,      NULL};
    const char *today[] = {TODAY, e.home, NULL};
    tu_run r = tu_runv(bad, today);
    cr_assert_eq(r.status, 64, "%s", r.err);
    assert_has(r.err, "only smtp:// and smtps:// are supported");
    tu_run_free(&r);
    cr_assert_neq(access(fresh, F_OK), 0, "a refused command wrote %s", fresh);

    /* No --from, no contact address: said, with where to give one. */
    char outbox[600];
    snprintf(outbox, sizeof outbox, "%s/outbox", e.dir);
    const char *nofrom[] = {tu_bilan(), "--db",      e.db,       "mail", "2026-05", "--reports",
                            e.reports,  "--dry-run", "--outbox", outbox, NULL};
    r = tu_runv(nofrom, today);
    cr_assert_eq(r.status, 64, "%s", r.err);
    assert_has(r.err, "a contact_email in network.csv");
    tu_run_free(&r);
    /* With network.csv's contact address, it sends; the signature is the
     * network's name. */
    sql_exec(e.db, "INSERT OR REPLACE INTO network_info(id, name, contact_email) VALUES "
                   "(1, 'Réseau des Hautes-Collines', 'contact@reseau.example.org')");
    r = tu_runv(nofrom, today);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char f[800];
    snprintf(f, sizeof f, "%s/2026-05/ccvo-mensuel.eml", outbox);
    char *ins = inspect(f, false);
    assert_has(ins, "from: Réseau des Hautes-Collines <contact@reseau.example.org>\n");
    free(ins);
    /* --from with an address alone: signed with the network's name. */
    snprintf(outbox, sizeof outbox, "%s/outbox2", e.dir);
    const char *addr[] = {tu_bilan(), "--db",      e.db,      "mail",
                          "2026-05",  "--reports", e.reports, "--dry-run",
                          "--outbox", outbox,      "--from",  "stats@reseau.example.org",
                          NULL};
    r = tu_runv(addr, today);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    snprintf(f, sizeof f, "%s/2026-05/ccvo-mensuel.eml", outbox);
    ins = inspect(f, false);
    assert_has(ins, "body: Bien cordialement,\nbody: Réseau des Hautes-Collines\n");
    free(ins);
    env_free(&e);
}
