/* The access-log reader: streams a log (plain or gzip) line by line, parses
 * each line with the built-in scanner or a custom format, and hands the sink
 * one `hit` per line. Decompression runs in a second thread feeding a small
 * ring of buffers, so that inflating and parsing overlap (inflating alone is
 * the floor of what a log reader can do).
 *
 * Privacy: a rejected line's diagnostic gives its number and a fixed reason,
 * never its content (it may hold an IP address or a login). */
#include "counter_internal.h" /* bl__ctr_current_month */
#include "log_internal.h"

#include "bilan/i18n.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)
#define NCHUNKS 4
/* A file whose first lines all fail is not a log of this format. */
#define PROBE_LINES 10

/* ---- the decompressing thread ---------------------------------------------- */

typedef struct chunk {
    char *data;
    size_t len;
} chunk;

typedef struct pipe_ {
    bl_source *src;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    chunk ring[NCHUNKS];
    unsigned head, tail; /* filled chunks are ring[tail..head) */
    bool eof, stop;
    bl_status err;
} pipe_;

static void *producer(void *arg)
{
    pipe_ *pp = arg;
    for (;;) {
        pthread_mutex_lock(&pp->mu);
        while (pp->head - pp->tail == NCHUNKS && !pp->stop)
            pthread_cond_wait(&pp->cv, &pp->mu);
        bool stop = pp->stop;
        chunk *c = &pp->ring[pp->head % NCHUNKS];
        pthread_mutex_unlock(&pp->mu);
        if (stop)
            break;
        size_t len = 0;
        bl_status st = BL_OK;
        while (len < CHUNK) {
            size_t got = 0;
            st = bl_source_read(pp->src, c->data + len, CHUNK - len, &got);
            if (st != BL_OK || got == 0)
                break;
            len += got;
        }
        c->len = len;
        pthread_mutex_lock(&pp->mu);
        if (len)
            pp->head++;
        if (st != BL_OK)
            pp->err = st;
        if (len < CHUNK || st != BL_OK)
            pp->eof = true;
        pthread_cond_broadcast(&pp->cv);
        bool done = pp->eof;
        pthread_mutex_unlock(&pp->mu);
        if (done)
            break;
    }
    return NULL;
}

/* Waits for the next filled chunk; NULL at the end of the stream. */
static chunk *next_chunk(pipe_ *pp)
{
    pthread_mutex_lock(&pp->mu);
    while (pp->head == pp->tail && !pp->eof)
        pthread_cond_wait(&pp->cv, &pp->mu);
    chunk *c = pp->head != pp->tail ? &pp->ring[pp->tail % NCHUNKS] : NULL;
    pthread_mutex_unlock(&pp->mu);
    return c;
}

static void release_chunk(pipe_ *pp)
{
    pthread_mutex_lock(&pp->mu);
    pp->tail++;
    pthread_cond_broadcast(&pp->cv);
    pthread_mutex_unlock(&pp->mu);
}

/* ---- turning lines into hits ---------------------------------------------------- */

typedef struct pending_diag {
    unsigned long line;
    const char *field, *reason;
} pending_diag;

typedef struct reader {
    const char *path;
    const bl_ingest_opts *opts;
    const bl_sink *sink;
    bl_format fmt;
    bl_logfmt *custom;
    unsigned long line;
    bool seen_good; /* a line parsed: the format is right */
    pending_diag probe[PROBE_LINES];
    int nprobe;
    bool refused;
    char libkey[1024];  /* the --library-param value, percent-decoded */
    int min_mi, now_mi; /* the months a line may count for, as COUNTER's */
} reader;

/* reason: an English literal (N_), translated here. */
static bl_status diag(reader *r, unsigned long line, const char *field, const char *reason)
{
    reason = _(reason);
    if (!r->seen_good) {
        /* Hold the first failures back: if no line ever fits, the whole file
         * is refused instead of being reported line by line. */
        r->probe[r->nprobe++] = (pending_diag){line, field, reason};
        if (r->nprobe == PROBE_LINES)
            r->refused = true;
        return BL_OK;
    }
    bl_diag d = {BL_DIAG_ROW, r->path, line, field, reason, NULL};
    if (r->sink->diag)
        r->sink->diag(r->sink->ctx, &d);
    return r->opts->strict ? BL_DATA : BL_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The value of query parameter `name` in target, percent-decoded into out. */
static bl_sv query_param(bl_sv target, const char *name, char *out, size_t cap)
{
    const char *q = memchr(target.ptr, '?', target.len);
    if (!q)
        return (bl_sv){"", 0};
    const char *end = target.ptr + target.len;
    size_t nl = strlen(name);
    const char *p = q + 1;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        if ((size_t)(e - p) > nl && memcmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t o = 0;
            for (const char *v = p + nl + 1; v < e && o < cap; v++) {
                if (*v == '%' && e - v >= 3 && hexval(v[1]) >= 0 && hexval(v[2]) >= 0) {
                    out[o++] = (char)(hexval(v[1]) * 16 + hexval(v[2]));
                    v += 2;
                } else {
                    out[o++] = *v == '+' ? ' ' : *v;
                }
            }
            return (bl_sv){out, o};
        }
        p = e + 1;
    }
    return (bl_sv){"", 0};
}

static bool is_dash(bl_sv s)
{
    return s.len == 0 || (s.len == 1 && s.ptr[0] == '-');
}

static bl_status one_line(reader *r, const char *p, size_t n)
{
    r->line++;
    if (n && p[n - 1] == '\r')
        n--;
    if (n == 0)
        return BL_OK;
    bl_log_fields f;
    const char *why =
        r->custom ? bl__logfmt_match(r->custom, p, n, &f) : bl__log_scan(r->fmt, p, n, &f);
    if (why)
        return diag(r, r->line, NULL, why);
    bl_hit_rec h = {.line = r->line};
    if (!bl__log_time(f.time, &h.time, &h.month))
        return diag(r, r->line, "time", N_("malformed timestamp"));
    /* As a COUNTER month: none before 1990, none that has not begun. A
     * line stamped 1970 or 9999 would otherwise make a month of its own
     * (docs/security.md, "Caps"). */
    if (h.month < r->min_mi || h.month > r->now_mi)
        return diag(r, r->line, "time", N_("a date before 1990 or in a month that has not begun"));
    if (f.status.len != 3 || f.status.ptr[0] < '1' || f.status.ptr[0] > '5' ||
        f.status.ptr[1] < '0' || f.status.ptr[1] > '9' || f.status.ptr[2] < '0' ||
        f.status.ptr[2] > '9')
        return diag(r, r->line, "status", N_("malformed HTTP status"));
    h.status =
        (f.status.ptr[0] - '0') * 100 + (f.status.ptr[1] - '0') * 10 + (f.status.ptr[2] - '0');
    bl_sv host = {"", 0};
    if (f.request.len) {
        if (!bl__log_request(f.request, &h.method, &h.target, &host))
            return diag(r, r->line, "request", N_("malformed request line"));
    } else if (f.target.len) {
        h.method = f.method;
        h.target = f.target;
    } else {
        return diag(r, r->line, "request", N_("malformed request line"));
    }
    h.host = host.len ? host : f.vhost;
    h.client = f.client;
    h.user = is_dash(f.user) ? (bl_sv){"", 0} : f.user;
    h.session = is_dash(f.session) ? (bl_sv){"", 0} : f.session;
    /* Kept as written ("-" included: the COUNTER list's ^.?$ calls it a
     * robot); a NULL pointer says the format has no user agent at all. */
    h.user_agent = f.agent;
    if (!is_dash(f.library))
        h.library_key = f.library;
    else if (r->opts->library_param && *r->opts->library_param)
        h.library_key = query_param(h.target, r->opts->library_param, r->libkey, sizeof r->libkey);
    if (!r->seen_good) {
        r->seen_good = true;
        for (int i = 0; i < r->nprobe; i++) {
            bl_status st = diag(r, r->probe[i].line, r->probe[i].field, r->probe[i].reason);
            if (st != BL_OK)
                return st;
        }
        r->nprobe = 0;
    }
    return r->sink->hit ? r->sink->hit(r->sink->ctx, &h) : BL_OK;
}

/* Feeds a chunk's complete lines; a line cut at the chunk's end waits in
 * carry for the rest. */
static bl_status feed(reader *r, bl_buf *carry, bool *overlong, const char *p, size_t n)
{
    const char *end = p + n;
    while (p < end && !r->refused) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        bl_status st = BL_OK;
        if (*overlong || carry->len + len > BL_LOG_MAX_LINE) {
            *overlong = true;
            bl_buf_clear(carry);
            if (nl) {
                *overlong = false;
                r->line++;
                st = diag(r, r->line, NULL, N_("line too long"));
            }
        } else if (!nl) {
            st = bl_buf_append(carry, p, len);
        } else if (carry->len) {
            st = bl_buf_append(carry, p, len);
            if (st == BL_OK)
                st = one_line(r, carry->data, carry->len);
            bl_buf_clear(carry);
        } else {
            st = one_line(r, p, len);
        }
        if (st != BL_OK)
            return st;
        p = nl ? nl + 1 : end;
    }
    return BL_OK;
}

bl_status bl_log_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                      const bl_sink *sink, char **errmsg)
{
    reader r = {.path = path,
                .opts = opts,
                .sink = sink,
                .fmt = opts->format,
                .min_mi = bl_month_index(1990, 1),
                .now_mi = bl__ctr_current_month()};
    pipe_ pp = {.src = src, .err = BL_OK};
    bl_buf carry = BL_BUF_INIT(BL_LOG_MAX_LINE + 1);
    bool overlong = false, started = false;
    bl_status st = BL_OK;
    char *err = NULL;
    *errmsg = NULL;
    if (r.fmt == BL_FMT_AUTO || r.fmt == BL_FMT_COUNTER4 || r.fmt == BL_FMT_COUNTER5) {
        *errmsg = bl_strdup_printf(_("%s: not an access-log format"), path);
        return BL_USAGE;
    }
    if (r.fmt == BL_FMT_CUSTOM) {
        r.custom = bl__logfmt_compile(opts->custom_format ? opts->custom_format : "", &err);
        if (!r.custom) {
            *errmsg = bl_strdup_printf("%s: %s", path, err ? err : _("bad custom format"));
            free(err);
            return BL_USAGE;
        }
    }
    bl_file_info info = {.path = path,
                         .format = bl_format_name(r.fmt),
                         .report_id = NULL,
                         .family = BL_FAM_LOG,
                         .release = 0,
                         .period_begin = -1,
                         .period_end = -1};
    if (sink->begin && (st = sink->begin(sink->ctx, &info)) != BL_OK)
        goto out;
    for (int i = 0; i < NCHUNKS; i++) {
        pp.ring[i].data = malloc(CHUNK);
        if (!pp.ring[i].data) {
            st = BL_NOMEM;
            goto out;
        }
    }
    pthread_mutex_init(&pp.mu, NULL);
    pthread_cond_init(&pp.cv, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, producer, &pp) != 0) {
        pthread_mutex_destroy(&pp.mu);
        pthread_cond_destroy(&pp.cv);
        st = BL_INTERNAL;
        goto out;
    }
    started = true;
    chunk *c;
    while (st == BL_OK && !r.refused && (c = next_chunk(&pp)) != NULL) {
        st = feed(&r, &carry, &overlong, c->data, c->len);
        release_chunk(&pp);
    }
    pthread_mutex_lock(&pp.mu);
    pp.stop = true;
    pthread_cond_broadcast(&pp.cv);
    pthread_mutex_unlock(&pp.mu);
    pthread_join(th, NULL);
    pthread_mutex_destroy(&pp.mu);
    pthread_cond_destroy(&pp.cv);
    if (st == BL_OK && !r.refused && pp.err != BL_OK) {
        st = pp.err;
        *errmsg = bl_strdup_printf("%s: %s", path, bl_source_errmsg(src));
        goto out;
    }
    if (st == BL_OK && !r.refused && (carry.len || overlong))
        st = overlong ? diag(&r, ++r.line, NULL, N_("line too long"))
                      : one_line(&r, carry.data, carry.len);
    if (st == BL_OK && !r.seen_good && r.nprobe > 0)
        r.refused = true;
    if (r.refused) {
        st = BL_DATA;
        *errmsg = bl_strdup_printf(_("%s: not a %s access log: none of its first %d lines "
                                     "fits (line %lu: %s)"),
                                   path, info.format, r.nprobe, r.probe[0].line, r.probe[0].reason);
        bl_diag d = {BL_DIAG_FILE, path, 0, NULL, *errmsg, NULL};
        if (sink->diag)
            sink->diag(sink->ctx, &d);
    } else if (st != BL_OK && !*errmsg && opts->strict && st == BL_DATA) {
        *errmsg =
            bl_strdup_printf(_("%s:%lu: bad line and --strict given: file refused"), path, r.line);
    }
out:
    (void)started;
    for (int i = 0; i < NCHUNKS; i++)
        free(pp.ring[i].data);
    bl_buf_release(&carry);
    bl__logfmt_free(r.custom);
    return st;
}

bool bl_log_peek_time(const char *path, const bl_ingest_opts *opts, int64_t *first)
{
    char head[16384];
    size_t got = 0;
    char *err = NULL;
    bl_format fmt = opts->format;
    bool found = false;
    if (opts->profile || bl_source_peek(path, head, sizeof head, &got, &err) != BL_OK)
        goto out;
    if (fmt == BL_FMT_AUTO && bl_format_detect(head, got, &fmt, &err) != BL_OK)
        goto out;
    if (fmt == BL_FMT_AUTO || fmt == BL_FMT_COUNTER4 || fmt == BL_FMT_COUNTER5 ||
        fmt == BL_FMT_COUNTER5_JSON || fmt == BL_FMT_PROFILE)
        goto out;
    bl_logfmt *custom = NULL;
    if (fmt == BL_FMT_CUSTOM &&
        !(custom = bl__logfmt_compile(opts->custom_format ? opts->custom_format : "", &err)))
        goto out;
    /* The first line that parses, among the complete lines of the head. */
    const char *p = head, *end = head + got;
    const char *nl;
    for (int i = 0; i < PROBE_LINES && !found && (nl = memchr(p, '\n', (size_t)(end - p)));
         i++, p = nl + 1) {
        size_t n = (size_t)(nl - p);
        if (n && p[n - 1] == '\r')
            n--;
        bl_log_fields f;
        int month;
        if (n && !(custom ? bl__logfmt_match(custom, p, n, &f) : bl__log_scan(fmt, p, n, &f)))
            found = bl__log_time(f.time, first, &month);
    }
    bl__logfmt_free(custom);
out:
    free(err);
    return found;
}
