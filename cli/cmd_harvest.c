/* bilan harvest [--from YYYY-MM] [--to YYYY-MM] [--endpoint ID] [--report ID]
 * bilan harvest status [--endpoint ID]
 * COUNTER reports over SUSHI (docs/sushi.md): the pipeline asks, this file
 * wires in the HTTP client (deliver/), resolves the secrets' references
 * (the environment is read here only) and prints. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bilan/deliver.h"

static const char *const USAGE = N_("bilan harvest [--from YYYY-MM] [--to YYYY-MM] [--endpoint ID] "
                                    "[--report ID] | bilan harvest status [--endpoint ID]");

static void help(void)
{
    printf(_("usage: %s\n\n"
             "Harvests the COUNTER reports of the SUSHI endpoints of the network's sushi.csv\n"
             "(COUNTER_SUSHI R5 and R5.1), one report and one month per request, one request\n"
             "at a time. Each response is kept compressed in STORE.sushi/ and ingested as\n"
             "`bilan ingest` would. Without --from/--to: every month of the last 24 complete\n"
             "ones not harvested yet, and the last 3 again (providers restate).\n\n"
             "  --from YYYY-MM, --to YYYY-MM   the months to ask for (both included)\n"
             "  --endpoint ID                  only this endpoint of sushi.csv\n"
             "  --report ID                    only this report (PR, TR_J1...)\n\n"
             "`bilan harvest status` lists, per endpoint, report and month: ok, no_usage,\n"
             "queued, not_ready, partial, failed, credentials or config, with the code, the\n"
             "message, the last attempt and the next retry.\n\n"
             "Exit status (harvest and status): 0 when every month asked is harvested, 75\n"
             "when some must be asked again later, 77 when credentials were refused, 78 for a\n"
             "configuration error (sushi.csv, a secret that cannot be read, a request the\n"
             "server refuses).\n\n"
             "Environment: BILAN_SUSHI_PAUSE_MS (pause between two requests to one server,\n"
             "default 5000), BILAN_SUSHI_BACKOFF_MS (first wait of a queued or busy report,\n"
             "doubled each time, default 60000), BILAN_SUSHI_MAX_WAIT_S (a longer wait is\n"
             "left to the next run, default 600), BILAN_SUSHI_TRIES (requests per month and\n"
             "run, default 5), BILAN_SUSHI_MAX_MB (response size cap, default 256),\n"
             "BILAN_SUSHI_CAFILE (an extra CA bundle).\n"),
           _(USAGE));
}

/* ---- secrets ------------------------------------------------------------------ */

static bool resolve_secret(void *ctx, const char *ref, char *out, size_t n, char *why, size_t whyn)
{
    (void)ctx;
    out[0] = '\0';
    if (strncmp(ref, "env:", 4) == 0) {
        const char *v = getenv(ref + 4);
        if (!v || !*v) {
            snprintf(why, whyn, _("%s: the environment variable %s is not set"), ref, ref + 4);
            return false;
        }
        if (strlen(v) >= n) {
            snprintf(why, whyn, _("%s: value too long"), ref);
            return false;
        }
        snprintf(out, n, "%s", v);
        return true;
    }
    if (strncmp(ref, "file:", 5) == 0) {
        const char *path = ref + 5;
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            snprintf(why, whyn, _("%s: cannot open: %s"), ref, strerror(errno));
            return false;
        }
        struct stat sb;
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            close(fd);
            snprintf(why, whyn, _("%s: not a regular file"), ref);
            return false;
        }
        if ((sb.st_mode & 077) != 0 || sb.st_uid != geteuid()) {
            close(fd);
            snprintf(why, whyn,
                     _("%s: readable by others than its owner, or not yours: refused "
                       "(chmod 600 %s)"),
                     ref, path);
            return false;
        }
        ssize_t got = read(fd, out, n - 1);
        close(fd);
        if (got < 0) {
            snprintf(why, whyn, _("%s: cannot read: %s"), ref, strerror(errno));
            return false;
        }
        out[got] = '\0';
        size_t l = strcspn(out, "\r\n");
        out[l] = '\0';
        while (l && (out[l - 1] == ' ' || out[l - 1] == '\t'))
            out[--l] = '\0';
        if (!l) {
            snprintf(why, whyn, _("%s: empty file"), ref);
            return false;
        }
        return true;
    }
    snprintf(why, whyn, "%s", _("a secret's reference must be env:NAME or file:/PATH"));
    return false;
}

/* ---- HTTP --------------------------------------------------------------------------- */

typedef struct fetcher {
    bl_http_response resp;
    size_t max_bytes;
    const char *cafile;
} fetcher;

static void fetch(void *ctx, const char *url, bl_fetch_result *out)
{
    fetcher *f = ctx;
    bl_http_response_free(&f->resp);
    bl_http_get_opts o = {.url = url, .max_bytes = f->max_bytes, .cafile = f->cafile};
    bl_status st = bl_http_get(&o, &f->resp);
    *out = (bl_fetch_result){st,           f->resp.status, f->resp.retry_after,
                             f->resp.body, f->resp.len,    f->resp.error};
}

/* ---- printing --------------------------------------------------------------------- */

typedef struct printer {
    bl_buf held; /* the ingest's diagnostics of the month being harvested */
} printer;

static void on_event(void *ctx, const bl_harvest_row *row, const char *msg)
{
    printer *p = ctx;
    if (p->held.len) {
        cli_write_safe(stderr, p->held.data, p->held.len);
        bl_buf_clear(&p->held);
    }
    if (!row) {
        cli_error("%s", msg);
        return;
    }
    char m[8];
    bl_month_format(row->month, m);
    cli_printf_safe(stdout, "%s %s %s: %s", row->endpoint_id, row->report_id, m, row->state);
    if (row->code)
        printf(" (%ld)", row->code);
    if (row->message[0])
        cli_printf_safe(stdout, ": %s", row->message);
    if (row->next_retry[0])
        printf(_("; next try after %s"), row->next_retry);
    printf("\n");
    fflush(stdout);
    char name[128];
    snprintf(name, sizeof name, "%s %s %s", row->endpoint_id, row->report_id, m);
    cli_progress_item(name, 0);
    cli_progress_item_done();
}

static long env_long(const char *name, long def, long min, long max)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    long x = strtol(v, &end, 10);
    if (*end || x < min || x > max) {
        cli_warn("%s: '%s' is not a number from %ld to %ld: %ld used", name, v, min, max, def);
        return def;
    }
    return x;
}

/* 77 credentials refused, 78 configuration, 75 retry later, 0 all done. */
static int exit_of(int credentials, int config, int retry)
{
    return credentials ? 77 : config ? 78 : retry ? 75 : 0;
}

/* ---- status ---------------------------------------------------------------------------- */

typedef struct status_ctx {
    int credentials, config, retry, rows;
} status_ctx;

static bl_status print_status(void *ctx, const bl_harvest_row *r)
{
    status_ctx *s = ctx;
    char m[8];
    bl_month_format(r->month, m);
    cli_printf_safe(stdout, "%s\t%s\t%s\t%s\t%ld\t%s\t%s\t%s\n", r->endpoint_id, r->report_id, m,
                    r->state, r->code, r->message, r->last_attempt, r->next_retry);
    s->rows++;
    if (strcmp(r->state, "credentials") == 0)
        s->credentials++;
    else if (strcmp(r->state, "config") == 0)
        s->config++;
    else if (strcmp(r->state, "ok") != 0 && strcmp(r->state, "no_usage") != 0)
        s->retry++;
    return BL_OK;
}

static int cmd_status(bl_cli *cli, const char *endpoint)
{
    bl_store *st = NULL;
    int ex = cli_open_store_readonly(cli, &st);
    if (ex)
        return ex;
    status_ctx s = {0};
    printf("endpoint\treport\tmonth\tstate\tcode\tmessage\tlast_attempt\tnext_retry\n");
    bl_status rc = bl_store_harvest_each(st, endpoint, print_status, &s);
    if (rc != BL_OK)
        cli_error("%s", bl_store_errmsg(st));
    bl_store_close(st);
    return rc != BL_OK ? cli_exit(rc) : exit_of(s.credentials, s.config, s.retry);
}

int cmd_harvest(bl_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"from", required_argument, NULL, 'f'},     {"to", required_argument, NULL, 't'},
        {"endpoint", required_argument, NULL, 'e'}, {"report", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    bool status = argc >= 2 && strcmp(argv[1], "status") == 0;
    if (status) {
        argc--;
        argv++;
    }
    const char *from = NULL, *to = NULL, *endpoint = NULL, *report = NULL;
    int c;
    optind = 0; /* glibc: a full reset, permutation state included */
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            from = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'e':
            endpoint = optarg;
            break;
        case 'r':
            report = optarg;
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_bad_option("harvest", USAGE, argv, c);
        }
    }
    if (optind != argc)
        return cli_usage("harvest", USAGE, "unexpected argument '%s'", argv[optind]);
    if (status) {
        if (from || to || report)
            return cli_usage("harvest", USAGE, "harvest status takes --endpoint only");
        return cmd_status(cli, endpoint);
    }
    int today;
    if (!cli_this_month(cli, &today))
        return 64;
    int f = -1, t = -1;
    if ((from && !cli_month(from, &f)) || (to && !cli_month(to, &t)))
        return cli_usage("harvest", USAGE, "--from and --to take a month, YYYY-MM");
    if ((from || to) && (f < 0 || t < 0)) {
        if (f < 0)
            f = t;
        if (t < 0)
            t = today - 1 < f ? f : today - 1;
    }
    if (f >= 0 && (t < f || t >= today))
        return cli_usage("harvest", USAGE,
                         "the months must run forwards and end before the current month");
    char report_up[16] = "";
    if (report) {
        for (size_t i = 0; report[i] && i + 1 < sizeof report_up; i++)
            report_up[i] =
                (char)(report[i] >= 'a' && report[i] <= 'z' ? report[i] - 32 : report[i]);
    }
    bl_store *st = NULL;
    int ex = cli_open_store(cli, &st);
    if (ex)
        return ex;
    char *raw_dir = bl_strdup_printf("%s.sushi", cli->db_path);
    fetcher fe = {.max_bytes = (size_t)env_long("BILAN_SUSHI_MAX_MB", 256, 1, 4096) << 20,
                  .cafile = getenv("BILAN_SUSHI_CAFILE")};
    printer pr = {.held = BL_BUF_INIT(256 * 1024)};
    bl_harvest_opts o = {
        .from = f,
        .to = t,
        .endpoint = endpoint,
        .report = report ? report_up : NULL,
        .today_month = today,
        .raw_dir = raw_dir,
        .pause_ms = env_long("BILAN_SUSHI_PAUSE_MS", 5000, 0, 3600000),
        .backoff_ms = env_long("BILAN_SUSHI_BACKOFF_MS", 60000, 0, 86400000),
        .max_wait_ms = env_long("BILAN_SUSHI_MAX_WAIT_S", 600, 0, 86400) * 1000,
        .max_tries = (int)env_long("BILAN_SUSHI_TRIES", 5, 1, 100),
        .fetch = fetch,
        .fetch_ctx = &fe,
        .secret = resolve_secret,
        .event = on_event,
        .event_ctx = &pr,
        .diag = cli_print_diag,
        .diag_ctx = &pr.held,
    };
    bl_harvest_summary sum;
    cli_progress_start(cli, "harvest", _("months"), 0, 0);
    bl_status rc = raw_dir ? bl_harvest(st, &o, &sum) : BL_NOMEM;
    cli_progress_end();
    if (pr.held.len)
        cli_write_safe(stderr, pr.held.data, pr.held.len);
    bl_buf_release(&pr.held);
    bl_http_response_free(&fe.resp);
    free(raw_dir);
    if (rc != BL_OK) {
        cli_error("%s", rc == BL_NOMEM ? bl_status_str(rc) : bl_store_errmsg(st));
        bl_store_close(st);
        return rc == BL_NOTFOUND ? 78 : cli_exit(rc);
    }
    bl_store_close(st);
    printf(_("harvest: %s requests, %s months: %s ok, %s no usage, %s to retry, %s credentials "
             "refused, %s configuration errors\n"),
           BL_NUM(sum.requests), BL_NUM(sum.months), BL_NUM(sum.ok), BL_NUM(sum.no_usage),
           BL_NUM(sum.retry_later), BL_NUM(sum.credentials), BL_NUM(sum.config));
    return exit_of(sum.credentials, sum.config, sum.retry_later);
}
