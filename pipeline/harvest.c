/* `bilan harvest`: COUNTER reports fetched over COUNTER_SUSHI (R5.0 and
 * R5.1), one report and one month per request, one request at a time,
 * each response kept compressed next to the store and ingested as a file
 * (the same path as `bilan ingest`). What each endpoint, report and month
 * got is recorded in the harvest table; the exceptions are handled as
 * docs/sushi.md's table says (from the Code of Practice's Appendix D / F
 * and what established harvesters do: ../shared/research/sushi.md). */
#include "bilan/i18n.h"
#include "bilan/pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What a response means for the month asked. */
typedef enum verdict {
    V_DONE,        /* recorded for good: ok, no usage, partial, not ready */
    V_RETRY,       /* ask again after a wait (queued, busy) */
    V_PAUSE,       /* the server asks for a pause (1020 / 429) */
    V_CREDENTIALS, /* the endpoint's credentials were refused: stop it */
    V_CONFIG,      /* a request bilan cannot fix by itself: stop this report */
    V_FAILED       /* failed this time (broken JSON, dropped connection) */
} verdict;

#define MAX_SERVERS 64

typedef struct server {
    char host[256];
    long long last_ms, paused_until_ms;
} server;

typedef struct run {
    bl_store *st;
    const bl_harvest_opts *o;
    bl_harvest_summary *sum;
    server servers[MAX_SERVERS];
    int nservers;
    char stamp[32]; /* the run's start, for raw file names */
} run;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void iso(long long ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv);
}

static server *server_of(run *r, const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    size_t n = strcspn(h, "/");
    char host[256];
    snprintf(host, sizeof host, "%.*s", (int)(n < 255 ? n : 255), h);
    for (int i = 0; i < r->nservers; i++)
        if (strcmp(r->servers[i].host, host) == 0)
            return &r->servers[i];
    server *s = &r->servers[r->nservers < MAX_SERVERS ? r->nservers++ : MAX_SERVERS - 1];
    memset(s, 0, sizeof *s);
    snprintf(s->host, sizeof s->host, "%s", host);
    return s;
}

/* A pause the server asked for in an earlier run (1020, 429) lasts until
 * the next_retry recorded with it: a run from cron an hour later must not
 * ask that server again before then. */
typedef struct pause_ctx {
    server *sv;
    long long now;
} pause_ctx;

static long long iso_ms(const char *s)
{
    struct tm tmv = {0};
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tmv.tm_year, &tmv.tm_mon, &tmv.tm_mday, &tmv.tm_hour,
               &tmv.tm_min, &tmv.tm_sec) != 6)
        return 0;
    tmv.tm_year -= 1900;
    tmv.tm_mon -= 1;
    return (long long)timegm(&tmv) * 1000;
}

static bl_status pause_of_row(void *ctx, const bl_harvest_row *row)
{
    pause_ctx *c = ctx;
    if ((row->code == 1020 || row->code == 429) && strcmp(row->state, "failed") == 0) {
        long long until = iso_ms(row->next_retry);
        if (until > c->now && until > c->sv->paused_until_ms)
            c->sv->paused_until_ms = until;
    }
    return BL_OK;
}

static bl_status restore_pauses(run *r, const bl_sushi_endpoint *eps, size_t n)
{
    bl_status rc = BL_OK;
    for (size_t i = 0; i < n && rc == BL_OK; i++) {
        pause_ctx c = {server_of(r, eps[i].url), now_ms()};
        rc = bl_store_harvest_each(r->st, eps[i].id, pause_of_row, &c);
    }
    return rc;
}

/* ---- the request ------------------------------------------------------------ */

static void put_escaped(bl_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            bl_buf_putc(b, (char)*p);
        } else {
            bl_buf_putc(b, '%');
            bl_buf_putc(b, hex[*p >> 4]);
            bl_buf_putc(b, hex[*p & 15]);
        }
    }
}

static void param(bl_buf *b, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    bl_buf_printf(b, "%c%s=", strchr(bl_buf_cstr(b), '?') ? '&' : '?', name);
    put_escaped(b, value);
}

static bool is_master(const char *report)
{
    return strlen(report) == 2;
}

/* The report's URL for one month, secrets included: it never leaves this
 * function's caller but to the fetch callback. */
static bl_status build_url(const bl_sushi_endpoint *e, const char *report, int month,
                           const char *requestor, const char *key, bl_buf *b)
{
    bl_buf_clear(b);
    bl_buf_puts(b, e->url);
    size_t ul = strlen(e->url);
    bool has_r51 = ul >= 4 && strcmp(e->url + ul - 4, "/r51") == 0;
    if (e->release == 51 && !has_r51)
        bl_buf_puts(b, "/r51");
    bl_buf_puts(b, "/reports/");
    for (const char *p = report; *p; p++)
        bl_buf_putc(b, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
    char begin[16], end[16], m[8];
    int y = 0, mo = 0;
    bl_month_format(month, m);
    if (sscanf(m, "%d-%d", &y, &mo) != 2)
        return BL_INTERNAL;
    if (e->month_dates) {
        snprintf(begin, sizeof begin, "%s", m);
        snprintf(end, sizeof end, "%s", m);
    } else {
        snprintf(begin, sizeof begin, "%s-01", m);
        snprintf(end, sizeof end, "%s-%02d", m, bl_days_in_month(y, mo));
    }
    param(b, "customer_id", e->customer_id);
    param(b, "requestor_id", requestor);
    param(b, "api_key", key);
    param(b, "platform", e->platform);
    param(b, "begin_date", begin);
    param(b, "end_date", end);
    /* the access method is what bilan tells apart (Regular / TDM) */
    if (is_master(report))
        param(b, "attributes_to_show", "Access_Method");
    return b->len && b->data ? BL_OK : BL_NOMEM;
}

/* ---- reading a response --------------------------------------------------------- */

/* The exception that decides (the first of 1000 and above that is not a
 * mere warning about an ignored parameter), or NULL. */
static const bl_sushi_exception *main_exception(const bl_json_report_info *in)
{
    for (int i = 0; i < in->nexc; i++) {
        long c = in->exc[i].code;
        if (c >= 1000 && !(c >= 3050 && c <= 3070))
            return &in->exc[i];
    }
    return NULL;
}

static void say_exception(bl_harvest_row *row, const bl_sushi_exception *x, const char *what)
{
    row->code = x->code;
    const char *sep = x->data[0] ? " — " : "";
    if (x->message[0])
        /* TRANSLATORS: what the exception means, ": ", the server's message,
         * then " — " and the server's data when it sent some. */
        snprintf(row->message, sizeof row->message, _("%s: %s%s%s"), what, x->message, sep,
                 x->data);
    else
        snprintf(row->message, sizeof row->message, "%s%s%s", what, sep, x->data);
}

static verdict by_code(long code)
{
    if (code == 1011)
        return V_RETRY;
    if (code == 1000 || code == 1010)
        return V_RETRY;
    if (code == 1020)
        return V_PAUSE;
    if (code >= 2000 && code < 3000)
        return V_CREDENTIALS;
    if (code == 1030 || code == 3000 || code == 3010 || code == 3020)
        return V_CONFIG;
    return V_FAILED;
}

static void mkdirs(const char *path)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0700);
            *p = '/';
        }
    }
    mkdir(tmp, 0700);
}

/* Keeps the raw response: RAW/ENDPOINT/REPORT/YYYY-MM/STAMP-TRY.json.gz. */
static bl_status keep_raw(run *r, bl_harvest_row *row, const bl_fetch_result *f, int try_no)
{
    char m[8], dir[900];
    bl_month_format(row->month, m);
    snprintf(dir, sizeof dir, "%s/%s/%s/%s", r->o->raw_dir, row->endpoint_id, row->report_id, m);
    mkdirs(dir);
    snprintf(row->raw_path, sizeof row->raw_path, "%s/%s-%d.json.gz", dir, r->stamp, try_no);
    bl_sha256_hex(f->body, f->len, row->raw_sha256);
    char *err = NULL;
    bl_status rc = bl_raw_write_gz(row->raw_path, f->body, f->len, &err);
    if (rc != BL_OK) {
        bl_store_fail(r->st, rc, "%s", err ? err : bl_status_str(rc));
        row->raw_path[0] = row->raw_sha256[0] = '\0';
    }
    free(err);
    return rc;
}

/* A response holding a report: ingested as a file. */
static verdict ingest_report(run *r, const bl_sushi_endpoint *e, bl_harvest_row *row,
                             const bl_json_report_info *in)
{
    char tag[80];
    snprintf(tag, sizeof tag, "sushi:%s", e->id);
    bl_ingest_opts io = {.format = BL_FMT_COUNTER5_JSON,
                         .institution_tag = e->library_id[0] ? tag : NULL};
    bl_ingest_result res;
    bl_status rc =
        bl_pipeline_ingest(r->st, row->raw_path, NULL, &io, r->o->diag, r->o->diag_ctx, &res);
    if (rc != BL_OK) {
        snprintf(row->state, sizeof row->state, "failed");
        snprintf(row->message, sizeof row->message, _("report refused: %s"),
                 bl_store_errmsg(r->st));
        return V_FAILED;
    }
    row->source_id = res.duplicate ? res.duplicate_of : res.source_id;
    const bl_sushi_exception *x = main_exception(in);
    if (x && x->code == 3030) {
        snprintf(row->state, sizeof row->state, "no_usage");
        say_exception(row, x, _("no usage"));
    } else if (x && (x->code == 3031 || x->code == 3032)) {
        snprintf(row->state, sizeof row->state, "not_ready");
        say_exception(row, x,
                      x->code == 3031 ? _("not ready yet, months returned kept")
                                      : _("no longer available"));
    } else if (x && x->code == 3040) {
        snprintf(row->state, sizeof row->state, "partial");
        say_exception(row, x, _("partial data, kept; asked again later"));
    } else {
        snprintf(row->state, sizeof row->state, "ok");
        row->code = 0;
        snprintf(row->message, sizeof row->message,
                 res.duplicate ? _("%ld accepted, %ld rejected (unchanged)")
                               : _("%ld accepted, %ld rejected"),
                 res.rows_accepted, res.rows_rejected);
    }
    return V_DONE;
}

/* What one response means; row says it, *wait_ms how long to wait before
 * asking again (V_RETRY, V_PAUSE). */
static verdict judge(run *r, const bl_sushi_endpoint *e, bl_harvest_row *row,
                     const bl_fetch_result *f, int try_no, long long *wait_ms)
{
    const bl_harvest_opts *o = r->o;
    *wait_ms = o->backoff_ms << (try_no - 1 < 20 ? try_no - 1 : 20);
    if (f->retry_after > 0 && f->retry_after * 1000LL > *wait_ms)
        *wait_ms = f->retry_after * 1000LL;
    if (f->st != BL_OK) {
        snprintf(row->state, sizeof row->state, "failed");
        row->code = 0;
        snprintf(row->message, sizeof row->message,
                 f->st == BL_DATA ? _("response refused: %s") : _("no response: %s"),
                 f->error ? f->error : bl_status_str(f->st));
        return f->st == BL_USAGE ? V_CONFIG : V_FAILED;
    }
    bl_status rc = keep_raw(r, row, f, try_no);
    if (rc != BL_OK)
        return V_FAILED;
    bl_json_report_info in;
    char *err = NULL;
    bl_status jrc = f->len ? bl_counter_json_scan(f->body, f->len, &in, &err) : BL_DATA;
    if (!f->len)
        memset(&in, 0, sizeof in);
    const bl_sushi_exception *x = main_exception(&in);
    verdict v;
    if (f->status == 200 && in.has_report && jrc == BL_OK) {
        free(err);
        return ingest_report(r, e, row, &in);
    }
    if (x) {
        v = by_code(x->code);
        say_exception(row, x,
                      v == V_RETRY         ? (x->code == 1011 ? _("queued") : _("server busy"))
                      : v == V_PAUSE       ? _("too many requests")
                      : v == V_CREDENTIALS ? _("credentials refused")
                      : v == V_CONFIG      ? _("request refused")
                                           : _("exception"));
        if (x->code == 3030) { /* no usage, sent without a report */
            snprintf(row->state, sizeof row->state, "no_usage");
            free(err);
            return V_DONE;
        }
    } else if (f->status == 202) {
        v = V_RETRY;
        row->code = 202;
        snprintf(row->message, sizeof row->message, "%s", _("queued (HTTP 202)"));
    } else if (f->status == 429) {
        v = V_PAUSE;
        row->code = 429;
        snprintf(row->message, sizeof row->message, "%s", _("too many requests (HTTP 429)"));
    } else if (f->status == 401 || f->status == 403) {
        v = V_CREDENTIALS;
        row->code = f->status;
        snprintf(row->message, sizeof row->message, _("credentials refused (HTTP %ld)"), f->status);
    } else if (f->status == 503 || f->status == 502 || f->status == 504) {
        v = V_RETRY;
        row->code = f->status;
        snprintf(row->message, sizeof row->message, _("server unavailable (HTTP %ld)"), f->status);
    } else if (f->status == 400 || f->status == 404) {
        v = V_CONFIG;
        row->code = f->status;
        snprintf(row->message, sizeof row->message, _("request refused (HTTP %ld)"), f->status);
    } else {
        v = V_FAILED;
        row->code = f->status;
        snprintf(row->message, sizeof row->message, _("HTTP %ld: %s"), f->status,
                 err ? err : _("no report in the response"));
    }
    free(err);
    snprintf(row->state, sizeof row->state, "%s",
             v == V_RETRY && (row->code == 1011 || row->code == 202) ? "queued"
             : v == V_CREDENTIALS                                    ? "credentials"
             : v == V_CONFIG                                         ? "config"
                                                                     : "failed");
    return v;
}

/* ---- one month ------------------------------------------------------------------------ */

/* Asks for one report and month until it is settled, the waits grow too
 * long or the tries run out; records the outcome. */
static bl_status harvest_month(run *r, const bl_sushi_endpoint *e, const char *report, int month,
                               const char *url, verdict *out)
{
    const bl_harvest_opts *o = r->o;
    bl_harvest_row row;
    bool found;
    bl_status rc = bl_store_harvest_get(r->st, e->id, report, month, &row, &found);
    if (rc != BL_OK)
        return rc;
    server *sv = server_of(r, url);
    verdict v = V_FAILED;
    long long wait = 0;
    for (int try_no = 1; try_no <= o->max_tries; try_no++) {
        long long t = now_ms();
        if (sv->paused_until_ms > t) {
            if (sv->paused_until_ms - t > o->max_wait_ms) {
                /* paused beyond what this run waits: left to the next run */
                snprintf(row.state, sizeof row.state, "failed");
                row.code = 1020;
                snprintf(row.message, sizeof row.message, "%s",
                         _("not asked: the server asked for a pause"));
                iso(sv->paused_until_ms, row.next_retry);
                v = V_PAUSE;
                break;
            }
            sleep_ms(sv->paused_until_ms - t);
        }
        if (sv->last_ms)
            sleep_ms(sv->last_ms + o->pause_ms - now_ms());
        bl_fetch_result f = {0};
        o->fetch(o->fetch_ctx, url, &f);
        sv->last_ms = now_ms();
        r->sum->requests++;
        row.attempts++;
        iso(sv->last_ms, row.last_attempt);
        row.next_retry[0] = '\0';
        row.source_id = 0;
        v = judge(r, e, &row, &f, try_no, &wait);
        if (v == V_PAUSE)
            sv->paused_until_ms = now_ms() + wait;
        if ((v == V_RETRY || v == V_PAUSE) && try_no < o->max_tries && wait <= o->max_wait_ms) {
            if (v == V_RETRY)
                sleep_ms(wait);
            continue;
        }
        if (v == V_RETRY || v == V_PAUSE || v == V_FAILED)
            iso(now_ms() + wait, row.next_retry);
        break;
    }
    rc = bl_store_harvest_put(r->st, &row);
    if (o->event)
        o->event(o->event_ctx, &row, NULL);
    *out = v;
    bl_harvest_summary *s = r->sum;
    s->months++;
    if (strcmp(row.state, "ok") == 0)
        s->ok++;
    else if (strcmp(row.state, "no_usage") == 0)
        s->no_usage++;
    else if (strcmp(row.state, "credentials") == 0)
        s->credentials++;
    else if (strcmp(row.state, "config") == 0)
        s->config++;
    else
        s->retry_later++;
    return rc;
}

/* The default window: every month of the last 24 complete ones not yet
 * harvested (ok or no usage), and the last 3 again (providers restate). */
static bl_status wanted(run *r, const bl_sushi_endpoint *e, const char *report, int month,
                        bool *want)
{
    const bl_harvest_opts *o = r->o;
    int last = o->today_month - 1;
    *want = true;
    if (o->from >= 0 || month > last - 3)
        return BL_OK;
    bl_harvest_row row;
    bool found;
    bl_status rc = bl_store_harvest_get(r->st, e->id, report, month, &row, &found);
    if (rc == BL_OK && found &&
        (strcmp(row.state, "ok") == 0 || strcmp(row.state, "no_usage") == 0))
        *want = false;
    return rc;
}

static bl_status harvest_endpoint(run *r, const bl_sushi_endpoint *e)
{
    const bl_harvest_opts *o = r->o;
    char requestor[1024] = "", key[1024] = "", why[512] = "";
    if ((e->requestor_ref[0] && !o->secret(o->secret_ctx, e->requestor_ref, requestor,
                                           sizeof requestor, why, sizeof why)) ||
        (e->api_key_ref[0] &&
         !o->secret(o->secret_ctx, e->api_key_ref, key, sizeof key, why, sizeof why))) {
        char msg[700];
        snprintf(msg, sizeof msg, _("%s: %s: endpoint skipped"), e->id, why);
        if (o->event)
            o->event(o->event_ctx, NULL, msg);
        r->sum->config++;
        return BL_OK;
    }
    int from = o->from, to = o->to;
    if (from < 0) {
        to = o->today_month - 1;
        from = to - 23;
    }
    bl_buf url = BL_BUF_INIT(16384);
    bl_status rc = BL_OK;
    char reports[256];
    snprintf(reports, sizeof reports, "%s", e->reports);
    bool stop_endpoint = false;
    for (char *save = NULL, *rep = strtok_r(reports, ";", &save); rep && !stop_endpoint;
         rep = strtok_r(NULL, ";", &save)) {
        if (o->report && strcmp(o->report, rep) != 0)
            continue;
        for (int m = from; m <= to && rc == BL_OK; m++) {
            bool want;
            if ((rc = wanted(r, e, rep, m, &want)) != BL_OK || !want)
                continue;
            if ((rc = build_url(e, rep, m, requestor, key, &url)) != BL_OK)
                break;
            verdict v = V_FAILED;
            rc = harvest_month(r, e, rep, m, bl_buf_cstr(&url), &v);
            if (v == V_CREDENTIALS) {
                stop_endpoint = true;
                break;
            }
            if (v == V_CONFIG)
                break; /* this report: the next one may be served */
        }
    }
    /* the secrets do not outlive the endpoint's requests */
    if (url.data)
        memset(url.data, 0, url.len);
    memset(key, 0, sizeof key);
    memset(requestor, 0, sizeof requestor);
    bl_buf_release(&url);
    return rc;
}

/* One harvest at a time per store (two cron jobs overlapping would ask the
 * servers everything twice): an exclusive lock on RAW_DIR/.harvest.lock,
 * held in *fd until the harvest ends (or the process does). */
static bl_status harvest_lock(bl_store *st, const char *raw_dir, int *fd)
{
    char path[4096];
    int e = bl_mkdirs(raw_dir);
    if (e != 0)
        return bl_store_fail(st, BL_CANTCREAT, "cannot create '%s': %s", raw_dir, strerror(e));
    snprintf(path, sizeof path, "%s/.harvest.lock", raw_dir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (*fd < 0)
        return bl_store_fail(st, BL_CANTCREAT, "cannot open '%s': %s", path, strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
        return BL_OK;
    e = errno;
    close(*fd);
    *fd = -1;
    if (e == EWOULDBLOCK)
        return bl_store_fail(st, BL_TEMPFAIL,
                             "another 'bilan harvest' is running on this store (%s is locked): "
                             "nothing was asked; try again when it has finished",
                             path);
    return bl_store_fail(st, BL_IO, "cannot lock '%s': %s", path, strerror(e));
}

bl_status bl_harvest(bl_store *st, const bl_harvest_opts *o, bl_harvest_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    bl_sushi_endpoint *eps = NULL;
    size_t n = 0;
    bl_status rc = bl_store_sushi_endpoints(st, &eps, &n);
    if (rc != BL_OK)
        return rc;
    int lock = -1;
    if (n && o->raw_dir && (rc = harvest_lock(st, o->raw_dir, &lock)) != BL_OK) {
        free(eps);
        return rc;
    }
    run r = {.st = st, .o = o, .sum = sum};
    char stamp[32];
    iso(now_ms(), stamp);
    for (size_t i = 0, k = 0; stamp[i] && k + 1 < sizeof r.stamp; i++)
        if (stamp[i] != '-' && stamp[i] != ':')
            r.stamp[k++] = stamp[i];
    size_t done = 0;
    rc = restore_pauses(&r, eps, n);
    for (size_t i = 0; i < n && rc == BL_OK; i++) {
        if (o->endpoint && strcmp(o->endpoint, eps[i].id) != 0)
            continue;
        done++;
        rc = harvest_endpoint(&r, &eps[i]);
    }
    if (rc == BL_OK && o->endpoint && !done)
        rc = bl_store_fail(st, BL_NOTFOUND, "no SUSHI endpoint '%s' in the network's sushi.csv",
                           o->endpoint);
    else if (rc == BL_OK && !n)
        rc = bl_store_fail(st, BL_NOTFOUND,
                           "no SUSHI endpoint: add sushi.csv to the network folder and run "
                           "bilan network import");
    free(eps);
    if (lock >= 0)
        close(lock);
    return rc;
}
