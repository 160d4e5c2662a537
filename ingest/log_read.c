/* The access-log reader: streams a log (plain or gzip) line by line, parses
 * each line with the built-in scanner or a custom format, and hands the sink
 * one `hit` per line. Decompression runs in a second thread feeding a small
 * ring of buffers, so that inflating and parsing overlap (inflating alone is
 * the floor of what a log reader can do).
 *
 * Privacy: a rejected line's diagnostic gives its number and a fixed reason,
 * never its content (it may hold an IP address or a login). */
#include "counter_internal.h" /* bl__ctr_current_month */
#include "ingest_internal.h"
#include "log_internal.h"

#include "bilan/i18n.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* 256 KiB: what a read inflates is hashed, split and parsed while it is
 * still in L2 (1 MiB chunks had left the first half of each in L3 only). */
#define CHUNK (1u << 18)
/* 24 chunks (6 MiB of text): the next log of a command is read ahead into
 * its ring while the one before is counted and stored (docs/logs.md), and
 * a ring of 8 was full long before a daily file's rows were written
 * (docs/bench.md: 31 daily files 2.11 s with 8, 1.99 s with 16, 1.92 s
 * with 24, 2.01 s with 32). */
#define NCHUNKS 24
/* A sleeping thread is woken when this many chunks are ready for it (or
 * at the end of the stream), not at each: a wake is a futex system call,
 * tens of microseconds on a virtual machine (docs/bench.md: 6 % of the
 * samples of gen_log2's reading thread went to waking the main thread). */
#define WAKE_BATCH 4
/* The reading thread hands a chunk over unparsed when fewer than this
 * many wait for the consumer (it is keeping up and would soon idle). */
#define SHARE_BELOW 3
/* Lines parsed into one chunk's records at most: a chunk of very short
 * lines leaves the rest for the next chunk, so memory stays bounded (24
 * chunks of at most 4096 records of 176 bytes and 320 KiB of text). */
#define REC_CAP 4096
/* Room for the bytes of a line cut by the end of a read, carried over. */
#define CHUNK_BUF (CHUNK + BL_LOG_MAX_LINE + 1)
/* A file whose first lines all fail is not a log of this format. */
#define PROBE_LINES 10

/* ---- the reading thread: inflating, splitting and parsing lines ------------------ *
 *
 * The thread that reads the file (inflating it: the floor's work) also
 * splits it into lines and parses each line into a record (the fields as
 * views into the chunk, the time, the status); the main thread then only
 * applies the COUNTER rules to the records, in file order, and says what
 * was rejected (in order too, so that diagnostics and the refusal of a
 * file whose first lines all fail are exactly as a line-by-line reader's).
 *
 * Who parses is decided per chunk: when fewer than SHARE_BELOW chunks wait
 * for the main thread (the rules are the faster side, as on a log with few
 * resource hits), the reading thread hands the chunk over unparsed ("raw":
 * complete lines only) and the main thread parses it itself, with the same
 * code and a parser state of its own. Line numbers in records are counted
 * from the chunk's start; the main thread adds the lines of the chunks
 * before. The records, diagnostics and line numbers are the same whoever
 * parses (tests/logs/test_log_scan.c, fuzz/fuzz_log.c). */

/* One line: a hit, or a rejection (reason, an N_ literal). */
typedef struct lrec {
    bl_hit_rec h;
    const char *field, *reason;
} lrec;

typedef struct chunk {
    char *data; /* CHUNK_BUF bytes: complete lines, the records point into them */
    size_t len;
    lrec *recs;
    size_t nrecs, recs_cap; /* grown up to REC_CAP as a chunk's lines need */
    char *arena;            /* views that are not in the line (decoded keys, joined paths) */
    size_t arena_len, arena_cap;
    bool raw;            /* lines not parsed: the consumer parses them */
    bool last;           /* a raw chunk that ends the file (its last line may lack '\n') */
    unsigned long lines; /* lines that end in this chunk (records count from its start) */
} chunk;

/* What parsing a line needs; owned by the reading thread. */
/* The agents' hashes, remembered with the agent itself (compared whole):
 * a log has few distinct agents, often on consecutive lines, and hashing
 * 100-odd bytes costs about five times comparing them. */
enum { AGENT_SLOTS = 128, AGENT_KEEP = 180 };
typedef struct agent_slot {
    uint64_t hash;
    uint32_t len; /* 0: empty */
    char text[AGENT_KEEP];
} agent_slot;

typedef struct lparser {
    bl_format fmt;
    agent_slot *agents; /* AGENT_SLOTS of them */
    bl_logfmt *custom;
    const char *library_param;
    int min_mi, now_mi; /* the months a line may count for, as COUNTER's */
    unsigned long line;
    bool overlong; /* inside a line longer than BL_LOG_MAX_LINE */
    char *carry;   /* what the last chunk left for the next: a cut line, or the
                      lines past the record cap */
    size_t carry_len, carry_cap;
    bool arena; /* chunks need an arena (a custom format, a library parameter) */
    bool nomem;
} lparser;

typedef struct pipe_ {
    bl_source *src;
    lparser ps;  /* the reading thread's */
    lparser cps; /* the consumer's, for raw chunks (no carry, no custom format) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    chunk ring[NCHUNKS];
    unsigned head, tail; /* filled chunks are ring[tail..head) */
    bool eof, stop;
    /* Who sleeps on cv: the consumer waits for filled chunks, the reading
     * thread for free ones (never both: the ring is not both empty and
     * full). Each is woken once WAKE_BATCH chunks wait for it, not at
     * every chunk: see WAKE_BATCH. */
    bool cons_wait, prod_wait;
    /* The consumer has asked for a chunk: until then (a log read ahead
     * while the one before is counted) no chunk is handed over unparsed. */
    bool consuming;
    bl_status err;
    /* A file read ahead gets its progress callback once it is the one read:
     * the reading thread, which alone touches the source, installs it. */
    bool set_progress;
    bl_read_progress_fn progress;
    void *progress_ctx;
    /* The command's next log, read ahead from this one's end (under mu:
     * set by the consumer, taken by the reading thread as it ends). */
    const char *next_path;
    const bl_ingest_opts *next_opts;
    bl_log_ahead **next_out;
    bool started; /* the thread runs: mu and cv are initialised */
    pthread_t th;
} pipe_;

static int share_mode; /* BL_LOG_SHARE_AUTO, _NEVER, _ALWAYS */

void bl__log_share(int mode)
{
    share_mode = mode;
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

/* A view that does not point into the line (a custom format's joined path)
 * is copied into the chunk's arena: the parser reuses its own buffer. */
static bool keep(chunk *c, bl_sv *v, const char *p, size_t n)
{
    if (!v->len || (v->ptr >= p && v->ptr + v->len <= p + n))
        return true;
    if (!c->arena || c->arena_cap - c->arena_len < v->len)
        return false;
    char *d = c->arena + c->arena_len;
    memcpy(d, v->ptr, v->len);
    c->arena_len += v->len;
    v->ptr = d;
    return true;
}

static uint64_t agent_hash(lparser *ps, bl_sv a)
{
    if (a.len < 8 || a.len > AGENT_KEEP)
        return bl_fhash(a.ptr ? a.ptr : "", a.len, BL_HIT_SEED_AGENT);
    uint64_t first, last;
    memcpy(&first, a.ptr, 8);
    memcpy(&last, a.ptr + a.len - 8, 8);
    uint64_t k = (first ^ (last + a.len) * 0x9E3779B97F4A7C15ull) * 0xFF51AFD7ED558CCDull;
    agent_slot *s = &ps->agents[k >> 57]; /* 7 bits: AGENT_SLOTS */
    if (s->len == a.len && memcmp(s->text, a.ptr, a.len) == 0)
        return s->hash;
    s->hash = bl_fhash(a.ptr, a.len, BL_HIT_SEED_AGENT);
    s->len = (uint32_t)a.len;
    memcpy(s->text, a.ptr, a.len);
    return s->hash;
}

/* Parses line p[0..n) (its number already counted) into *o. False when
 * the line is blank (no record) or, with *full, when the chunk's arena is
 * full (the line goes to the next chunk). */
static bool parse_line(lparser *ps, chunk *c, const char *p, size_t n, lrec *o, bool *full)
{
    *full = false;
    if (n && p[n - 1] == '\r')
        n--;
    if (n == 0)
        return false;
    /* Only what the main thread reads is written: a rejection's line,
     * field and reason, a hit's whole record (no memset of 176 bytes). */
    o->h.line = ps->line;
    o->field = NULL;
    o->reason = NULL;
    bl_log_fields f;
    const char *why =
        ps->custom ? bl__logfmt_match(ps->custom, p, n, &f) : bl__log_scan(ps->fmt, p, n, &f);
    if (why) {
        o->reason = why;
        return true;
    }
    bl_hit_rec *h = &o->h;
    if (!bl__log_time(f.time, &h->time, &h->month)) {
        o->field = "time", o->reason = N_("malformed timestamp");
        return true;
    }
    /* As a COUNTER month: none before 1990, none that has not begun. A
     * line stamped 1970 or 9999 would otherwise make a month of its own
     * (docs/security.md, "Caps"). */
    if (h->month < ps->min_mi || h->month > ps->now_mi) {
        o->field = "time", o->reason = N_("a date before 1990 or in a month that has not begun");
        return true;
    }
    if (f.status.len != 3 || f.status.ptr[0] < '1' || f.status.ptr[0] > '5' ||
        f.status.ptr[1] < '0' || f.status.ptr[1] > '9' || f.status.ptr[2] < '0' ||
        f.status.ptr[2] > '9') {
        o->field = "status", o->reason = N_("malformed HTTP status");
        return true;
    }
    h->status =
        (f.status.ptr[0] - '0') * 100 + (f.status.ptr[1] - '0') * 10 + (f.status.ptr[2] - '0');
    bl_sv host;
    bl__sv_set(&host, "", 0);
    if (f.request.len) {
        if (!bl__log_request(f.request, &h->method, &h->target, &host)) {
            o->field = "request", o->reason = N_("malformed request line");
            return true;
        }
    } else if (f.target.len) {
        h->method = f.method;
        h->target = f.target;
    } else {
        o->field = "request", o->reason = N_("malformed request line");
        return true;
    }
    h->host = host.len ? host : f.vhost;
    h->client = f.client;
    h->user = is_dash(f.user) ? (bl_sv){"", 0} : f.user;
    h->session = is_dash(f.session) ? (bl_sv){"", 0} : f.session;
    /* Kept as written ("-" included: the COUNTER list's ^.?$ calls it a
     * robot); a NULL pointer says the format has no user agent at all. */
    h->user_agent = f.agent;
    /* Hashed here, where the line is in cache, not by the rules' core. */
    h->agent_hash = agent_hash(ps, f.agent);
    h->client_hash = bl_fhash(f.client.ptr, f.client.len, BL_HIT_SEED_CLIENT);
    h->library_key = (bl_sv){NULL, 0};
    size_t mark = c->arena_len;
    /* The built-in scanner's views are in the line, or static ("", the
     * "/" of an absolute URL without a path): nothing to keep. */
    if (ps->custom &&
        (!keep(c, &h->target, p, n) || !keep(c, &h->method, p, n) || !keep(c, &h->host, p, n))) {
        c->arena_len = mark;
        *full = true;
        return false;
    }
    if (!is_dash(f.library)) {
        h->library_key = f.library;
        if (!keep(c, &h->library_key, p, n)) {
            c->arena_len = mark;
            *full = true;
            return false;
        }
    } else if (ps->library_param && *ps->library_param) {
        size_t room = c->arena ? c->arena_cap - c->arena_len : 0;
        if (room < 1024 && room < h->target.len) {
            c->arena_len = mark;
            *full = true;
            return false;
        }
        h->library_key = query_param(h->target, ps->library_param, c->arena + c->arena_len,
                                     room < 1024 ? room : 1024);
        c->arena_len += h->library_key.len;
    }
    return true;
}

/* Room for one more record in the chunk (grown as needed up to REC_CAP:
 * most chunks hold a few thousand lines, and small buffers keep short logs
 * cheap to read). */
static bool room(chunk *c)
{
    if (c->nrecs < c->recs_cap)
        return true;
    if (c->recs_cap >= REC_CAP)
        return false;
    size_t n = c->recs_cap * 2 < REC_CAP ? c->recs_cap * 2 : REC_CAP;
    lrec *r = realloc(c->recs, n * sizeof *r);
    if (!r)
        return false;
    c->recs = r;
    c->recs_cap = n;
    return true;
}

/* Splits and parses the lines of p[0..end) into c's records, after those
 * already there, up to REC_CAP records (or a full arena); returns where it
 * stopped. At the end of the stream (last), a last line without its
 * newline is a line too. */
static const char *parse_part(lparser *ps, chunk *c, const char *p, const char *end, bool last)
{
    while (p < end && room(c)) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (ps->overlong) {
            /* The rest of a line too long: skipped up to its end. */
            if (!nl) {
                p = end;
                break;
            }
            ps->overlong = false;
            ps->line++;
            c->recs[c->nrecs++] = (lrec){.h.line = ps->line, .reason = N_("line too long")};
            p = nl + 1;
            continue;
        }
        if (!nl) {
            if ((size_t)(end - p) > BL_LOG_MAX_LINE) {
                ps->overlong = true;
                p = end;
            }
            break;
        }
        size_t n = (size_t)(nl - p);
        if (n > BL_LOG_MAX_LINE) {
            ps->line++;
            c->recs[c->nrecs++] = (lrec){.h.line = ps->line, .reason = N_("line too long")};
            p = nl + 1;
            continue;
        }
        ps->line++;
        bool full;
        if (parse_line(ps, c, p, n, &c->recs[c->nrecs], &full))
            c->nrecs++;
        else if (full) {
            ps->line--;
            break;
        }
        p = nl + 1;
    }
    if (last && p < end && room(c)) {
        /* The last line, without its newline. */
        size_t n = (size_t)(end - p);
        ps->line++;
        bool full = false;
        if (ps->overlong || n > BL_LOG_MAX_LINE) {
            ps->overlong = false;
            c->recs[c->nrecs++] = (lrec){.h.line = ps->line, .reason = N_("line too long")};
            p = end;
        } else if (parse_line(ps, c, p, n, &c->recs[c->nrecs], &full)) {
            c->nrecs++;
            p = end;
        } else if (!full) {
            p = end;
        } else {
            ps->line--;
        }
    } else if (last && p == end && ps->overlong) {
        ps->overlong = false;
        ps->line++;
        if (room(c))
            c->recs[c->nrecs++] = (lrec){.h.line = ps->line, .reason = N_("line too long")};
        else
            ps->line--, ps->overlong = true;
    }
    return p;
}

/* Keeps p[0..end) of the chunk's bytes for the next chunk. */
static void carry_rest(lparser *ps, const char *p, const char *end)
{
    size_t left = (size_t)(end - p);
    if (left > ps->carry_cap) {
        char *nc = realloc(ps->carry, left);
        if (!nc) {
            ps->nomem = true;
            left = 0;
        } else {
            ps->carry = nc;
            ps->carry_cap = left;
        }
    }
    ps->carry_len = left;
    memcpy(ps->carry, p, left);
}

/* Splits and parses the chunk's complete lines (up to REC_CAP records); what
 * is left (a cut line, lines past the cap) goes to ps->carry. At the end of
 * the stream (last), a last line without its newline is a line too. */
static void parse_chunk(lparser *ps, chunk *c, bool last)
{
    c->nrecs = 0;
    c->arena_len = 0;
    ps->line = 0;
    const char *p = parse_part(ps, c, c->data, c->data + c->len, last);
    c->lines = ps->line;
    /* The records keep data[0..parsed); the rest is carried over. */
    carry_rest(ps, p, c->data + c->len);
    c->len = (size_t)(p - c->data);
}

/* Hands the chunk over unparsed when the consumer has nothing queued (or
 * always, or never, as the tests ask): its complete lines, the cut line
 * carried over. Not for a custom format (its matcher is not shared
 * between threads), inside a line too long, or after a read error. */
static bool hand_raw(pipe_ *pp, chunk *c, bool last, bool failed)
{
    lparser *ps = &pp->ps;
    if (share_mode == BL_LOG_SHARE_NEVER || ps->custom || ps->overlong || failed || !c->len)
        return false;
    if (share_mode == BL_LOG_SHARE_AUTO) {
        pthread_mutex_lock(&pp->mu);
        bool idle = pp->consuming && pp->head - pp->tail < SHARE_BELOW;
        pthread_mutex_unlock(&pp->mu);
        if (!idle)
            return false;
    }
    const char *end = c->data + c->len, *cut = end;
    if (!last) {
        /* The last line feed: a line's length back from the end. */
        const char *nl = end;
        while (nl > c->data && nl[-1] != '\n' && end - nl <= BL_LOG_MAX_LINE)
            nl--;
        if (nl == c->data || nl[-1] != '\n')
            return false;
        cut = nl;
    }
    c->raw = true;
    c->last = last;
    c->nrecs = 0;
    c->lines = 0;
    carry_rest(ps, cut, end);
    c->len = (size_t)(cut - c->data);
    return true;
}

/* A chunk's buffers, allocated when the chunk is first filled: a small
 * file uses one or two of the ring's chunks, and a fresh 320 KiB buffer
 * costs page faults (with ASan, an mmap and a TLB flush at its free: the
 * log fuzzer ran at about 70 inputs a second).
 *
 * The buffers of a stopped ring are kept for the next ring (the files of
 * one command) until bl_log_spare_free. Fresh buffers for every file cost
 * about a thousand page faults a file, several microseconds each on a
 * virtual machine: a month of daily files spent 7 % of its time in them. */
static struct {
    pthread_mutex_t mu;
    unsigned n;
    chunk kept[NCHUNKS];
} spare = {.mu = PTHREAD_MUTEX_INITIALIZER};

static bool chunk_alloc(const lparser *ps, chunk *c)
{
    pthread_mutex_lock(&spare.mu);
    if (spare.n)
        *c = spare.kept[--spare.n];
    pthread_mutex_unlock(&spare.mu);
    if (!c->data) {
        c->data = malloc(CHUNK_BUF);
        c->recs_cap = 512;
        c->recs = malloc(c->recs_cap * sizeof *c->recs);
    }
    if (ps->arena && !c->arena) {
        c->arena_cap = CHUNK_BUF;
        c->arena = malloc(CHUNK_BUF);
    }
    c->len = c->nrecs = c->arena_len = 0;
    if (c->data && c->recs && (!ps->arena || c->arena))
        return true;
    free(c->data), free(c->recs), free(c->arena);
    *c = (chunk){0};
    return false;
}

/* Gives a stopped ring's chunk back, kept for the next ring if there is room. */
static void chunk_release(chunk *c)
{
    pthread_mutex_lock(&spare.mu);
    if (c->data && spare.n < NCHUNKS) {
        spare.kept[spare.n++] = *c;
        *c = (chunk){0};
    }
    pthread_mutex_unlock(&spare.mu);
    free(c->data), free(c->recs), free(c->arena);
    *c = (chunk){0};
}

void bl_log_spare_free(void)
{
    chunk gone[NCHUNKS];
    pthread_mutex_lock(&spare.mu);
    unsigned n = spare.n;
    memcpy(gone, spare.kept, n * sizeof *gone);
    spare.n = 0;
    pthread_mutex_unlock(&spare.mu);
    for (unsigned i = 0; i < n; i++)
        free(gone[i].data), free(gone[i].recs), free(gone[i].arena);
}

static void *producer(void *arg)
{
    pipe_ *pp = arg;
    lparser *ps = &pp->ps;
    bool src_end = false;
    for (;;) {
        pthread_mutex_lock(&pp->mu);
        while (pp->head - pp->tail == NCHUNKS && !pp->stop) {
            pp->prod_wait = true;
            pthread_cond_wait(&pp->cv, &pp->mu);
        }
        pp->prod_wait = false;
        bool stop = pp->stop;
        chunk *c = &pp->ring[pp->head % NCHUNKS];
        if (pp->set_progress) {
            bl_source_set_progress(pp->src, pp->progress, pp->progress_ctx);
            pp->set_progress = false;
        }
        pthread_mutex_unlock(&pp->mu);
        if (stop)
            break;
        if (!c->data && !chunk_alloc(ps, c)) {
            pthread_mutex_lock(&pp->mu);
            pp->err = BL_NOMEM;
            pp->eof = true;
            pthread_cond_broadcast(&pp->cv);
            pthread_mutex_unlock(&pp->mu);
            break;
        }
        memcpy(c->data, ps->carry, ps->carry_len);
        size_t len = ps->carry_len;
        ps->carry_len = 0;
        bl_status st = BL_OK;
        /* A chunk's worth of new bytes at least (the carry is a line or a
         * chunk's unparsed lines past the cap). */
        size_t want = len + CHUNK <= CHUNK_BUF ? len + CHUNK : CHUNK_BUF;
        while (!src_end && len < want) {
            size_t got = 0;
            st = bl_source_read(pp->src, c->data + len, want - len, &got);
            if (st != BL_OK || got == 0) {
                src_end = true;
                break;
            }
            len += got;
        }
        c->len = len;
        /* On a read error too: the lines read so far are said (rejected
         * ones), then the file is refused, as a line-by-line reader does. */
        c->raw = false;
        if (!hand_raw(pp, c, src_end && st == BL_OK, st != BL_OK))
            parse_chunk(ps, c, src_end && st == BL_OK);
        if (ps->nomem && st == BL_OK)
            st = BL_NOMEM;
        bool more = st == BL_OK && ps->carry_len > 0 && (!src_end || c->nrecs > 0);
        pthread_mutex_lock(&pp->mu);
        if (c->nrecs || c->len)
            pp->head++;
        if (st != BL_OK)
            pp->err = st;
        if (st != BL_OK || (src_end && !more))
            pp->eof = true;
        if (pp->cons_wait && (pp->head - pp->tail >= WAKE_BATCH || pp->eof || c->raw))
            pthread_cond_broadcast(&pp->cv);
        bool done = pp->eof;
        /* The whole file read: the next one's reading begins here, while
         * this one's last chunks are still being counted. */
        const char *next = done && pp->err == BL_OK && !pp->stop ? pp->next_path : NULL;
        pthread_mutex_unlock(&pp->mu);
        if (next)
            *pp->next_out = bl_log_read_ahead(next, pp->next_opts);
        if (done)
            break;
    }
    return NULL;
}

/* Waits for the next filled chunk; NULL at the end of the stream. */
static chunk *next_chunk(pipe_ *pp)
{
    pthread_mutex_lock(&pp->mu);
    pp->consuming = true;
    while (pp->head == pp->tail && !pp->eof) {
        pp->cons_wait = true;
        pthread_cond_wait(&pp->cv, &pp->mu);
    }
    pp->cons_wait = false;
    chunk *c = pp->head != pp->tail ? &pp->ring[pp->tail % NCHUNKS] : NULL;
    pthread_mutex_unlock(&pp->mu);
    return c;
}

static void release_chunk(pipe_ *pp)
{
    pthread_mutex_lock(&pp->mu);
    /* Once the file is read whole, a counted chunk's buffers are not
     * filled again: they go to the next file's reading (begun at this
     * one's end), which then needs no new ones. */
    bool ended = pp->eof;
    chunk *c = &pp->ring[pp->tail % NCHUNKS];
    pp->tail++;
    if (pp->prod_wait && NCHUNKS - (pp->head - pp->tail) >= WAKE_BATCH)
        pthread_cond_broadcast(&pp->cv);
    pthread_mutex_unlock(&pp->mu);
    if (ended)
        chunk_release(c);
}

/* ---- the main thread: records to the sink, in order --------------------------------- */

typedef struct pending_diag {
    unsigned long line;
    const char *field, *reason;
} pending_diag;

typedef struct reader {
    const char *path;
    const bl_ingest_opts *opts;
    const bl_sink *sink;
    unsigned long line;
    bool seen_good; /* a line parsed: the format is right */
    pending_diag probe[PROBE_LINES];
    int nprobe;
    bool refused;
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

static bl_status one_rec(reader *r, const lrec *x)
{
    r->line = x->h.line;
    if (x->reason)
        return diag(r, x->h.line, x->field, x->reason);
    if (!r->seen_good) {
        r->seen_good = true;
        for (int i = 0; i < r->nprobe; i++) {
            bl_status st = diag(r, r->probe[i].line, r->probe[i].field, r->probe[i].reason);
            if (st != BL_OK)
                return st;
        }
        r->nprobe = 0;
    }
    return r->sink->hit ? r->sink->hit(r->sink->ctx, &x->h) : BL_OK;
}

/* The rules read a record's target (and host), which the reading thread
 * wrote on the other core, and its client when the IP is not in their
 * cache (a portal's many addresses): asking for them a few records ahead
 * hides the transfer. The record itself (three cache lines, written on
 * that core too) is asked for further ahead, so that reading its views
 * then finds it here: when the host runs the two CPUs far apart (a cache
 * line's round trip near 500 ns, bench/crosscore), the hardware's own
 * prefetching left the rules waiting on every record (docs/bench.md). */
#define PREFETCH_AHEAD 4
#define REC_AHEAD 16
static inline void prefetch_rec(const bl_hit_rec *h)
{
    /* The agent comes hashed: the rules read it only on a cache miss. */
    __builtin_prefetch(h->target.ptr);
    __builtin_prefetch(h->client.ptr);
    if (h->host.len)
        __builtin_prefetch(h->host.ptr);
}

/* The chunk's records to the sink, their line numbers made the file's. */
static bl_status recs_out(reader *r, chunk *c, unsigned long base)
{
    bl_status st = BL_OK;
    for (size_t i = 0; i < c->nrecs && st == BL_OK && !r->refused; i++) {
        if (i + REC_AHEAD < c->nrecs) {
            const char *q = (const char *)&c->recs[i + REC_AHEAD];
            __builtin_prefetch(q);
            __builtin_prefetch(q + 64);
            __builtin_prefetch(q + 128);
            __builtin_prefetch(q + sizeof(lrec) - 1);
        }
        if (i + PREFETCH_AHEAD < c->nrecs)
            prefetch_rec(&c->recs[i + PREFETCH_AHEAD].h);
        c->recs[i].h.line += base;
        st = one_rec(r, &c->recs[i]);
    }
    return st;
}

/* A raw chunk parsed here (ps: the consumer's parser), REC_CAP records at a
 * time, each batch to the sink before the next is parsed. */
static bl_status raw_out(reader *r, lparser *ps, chunk *c, unsigned long base)
{
    ps->line = 0;
    ps->overlong = false;
    const char *p = c->data, *end = c->data + c->len;
    bl_status st = BL_OK;
    while (st == BL_OK && !r->refused && (p < end || (c->last && ps->overlong))) {
        c->nrecs = 0;
        c->arena_len = 0;
        bool was_overlong = ps->overlong;
        const char *q = parse_part(ps, c, p, end, c->last);
        if (q == p && !c->nrecs && ps->overlong == was_overlong)
            return BL_NOMEM; /* no room for a record */
        p = q;
        st = recs_out(r, c, base);
    }
    c->lines = ps->line;
    return st;
}

/* A custom format compiled (*lf; NULL for a built-in one), or BL_USAGE with
 * the reason in *errmsg. */
static bl_status compile_custom(const char *path, const bl_ingest_opts *opts, bl_format fmt,
                                bl_logfmt **lf, char **errmsg)
{
    *lf = NULL;
    if (fmt != BL_FMT_CUSTOM)
        return BL_OK;
    char *err = NULL;
    *lf = bl__logfmt_compile(opts->custom_format ? opts->custom_format : "", &err);
    if (!*lf) {
        *errmsg = bl_strdup_printf("%s: %s", path, err ? err : _("bad custom format"));
        free(err);
        return BL_USAGE;
    }
    return BL_OK;
}

/* Sets up the parser (with custom, a compiled custom format it now owns)
 * and the ring, and starts the reading thread. */
static bl_status pipe_start(pipe_ *pp, bl_source *src, const bl_ingest_opts *opts, bl_format fmt,
                            bl_logfmt *custom)
{
    lparser *ps = &pp->ps;
    *pp = (pipe_){.src = src, .err = BL_OK};
    *ps = (lparser){.fmt = fmt,
                    .custom = custom,
                    .library_param = opts->library_param,
                    .min_mi = bl_month_index(1990, 1),
                    .now_mi = bl__ctr_current_month()};
    /* Views outside the line: a custom format's joined path, decoded
     * library keys; never more bytes than the chunk's lines. */
    ps->arena = ps->custom || (ps->library_param && *ps->library_param);
    ps->carry_cap = BL_LOG_MAX_LINE + 1; /* a cut line; more only past the record cap */
    /* The consumer's parser for raw chunks: the same settings, its own
     * agents' memo and line count, no carry (a raw chunk holds whole
     * lines), never a custom format. */
    pp->cps = (lparser){.fmt = fmt,
                        .library_param = ps->library_param,
                        .min_mi = ps->min_mi,
                        .now_mi = ps->now_mi,
                        .arena = ps->arena};
    if (!(ps->carry = malloc(ps->carry_cap)) ||
        !(ps->agents = calloc(AGENT_SLOTS, sizeof *ps->agents)) ||
        !(pp->cps.agents = calloc(AGENT_SLOTS, sizeof *pp->cps.agents)))
        return BL_NOMEM;
    /* The chunks' buffers are the reading thread's to allocate (chunk_alloc). */
    pthread_mutex_init(&pp->mu, NULL);
    pthread_cond_init(&pp->cv, NULL);
    if (pthread_create(&pp->th, NULL, producer, pp) != 0) {
        pthread_mutex_destroy(&pp->mu);
        pthread_cond_destroy(&pp->cv);
        return BL_INTERNAL;
    }
    pp->started = true;
    return BL_OK;
}

/* Stops the reading thread (if it runs) and gives the ring's buffers back. */
static void pipe_stop(pipe_ *pp)
{
    if (pp->started) {
        pthread_mutex_lock(&pp->mu);
        pp->stop = true;
        pthread_cond_broadcast(&pp->cv);
        pthread_mutex_unlock(&pp->mu);
        pthread_join(pp->th, NULL);
        pthread_mutex_destroy(&pp->mu);
        pthread_cond_destroy(&pp->cv);
        pp->started = false;
    }
    for (int i = 0; i < NCHUNKS; i++)
        chunk_release(&pp->ring[i]);
    free(pp->ps.carry);
    pp->ps.carry = NULL;
    free(pp->ps.agents);
    pp->ps.agents = NULL;
    free(pp->cps.agents);
    pp->cps.agents = NULL;
    bl__logfmt_free(pp->ps.custom);
    pp->ps.custom = NULL;
}

/* ---- reading ahead ------------------------------------------------------------------- */

/* The next log of a command, opened and being read (inflated, split and
 * parsed into the ring) while the command still stores the files before
 * it: docs/logs.md, "Several files in one command". */
struct bl_log_ahead {
    char *path;
    bl_format fmt;
    bl_source *src;
    bool taken; /* the source went to bl_ingest_file, which closes it */
    pipe_ pp;
};

bl_log_ahead *bl_log_read_ahead(const char *path, const bl_ingest_opts *opts)
{
    char head[16384];
    size_t got = 0;
    char *err = NULL;
    bl_format fmt = opts->format;
    bl_log_ahead *a = NULL;
    if (opts->profile || bl_source_peek(path, head, sizeof head, &got, &err) != BL_OK)
        goto fail;
    if (fmt == BL_FMT_AUTO && bl_format_detect(head, got, &fmt, &err) != BL_OK)
        goto fail;
    if (!bl_format_is_log(fmt))
        goto fail;
    if (!(a = calloc(1, sizeof *a)) || !(a->path = strdup(path)))
        goto fail;
    a->fmt = fmt;
    if (bl_source_open(path, &a->src, &err) != BL_OK)
        goto fail;
    bl_logfmt *lf;
    if (compile_custom(path, opts, fmt, &lf, &err) != BL_OK ||
        pipe_start(&a->pp, a->src, opts, fmt, lf) != BL_OK)
        goto fail;
    free(err);
    return a;
fail:
    free(err);
    bl_log_ahead_free(a);
    return NULL;
}

void bl_log_ahead_free(bl_log_ahead *a)
{
    if (!a)
        return;
    pipe_stop(&a->pp);
    if (!a->taken)
        bl_source_close(a->src);
    free(a->path);
    free(a);
}

bl_source *bl__log_ahead_take(bl_log_ahead *a, const char *path, bl_format fmt)
{
    if (!a || a->taken || !a->pp.started || a->fmt != fmt || strcmp(a->path, path) != 0)
        return NULL;
    a->taken = true;
    return a->src;
}

/* ---- one log -------------------------------------------------------------------------- */

/* Asks pp's reading thread to start the command's next log at its end
 * (opts->next_path), if it has not ended already (then the caller does,
 * once this file is read). */
static void chain_next(pipe_ *pp, const bl_ingest_opts *opts)
{
    if (!pp->started || !opts->next_path || !opts->next_out || !opts->next_opts)
        return;
    pthread_mutex_lock(&pp->mu);
    if (!pp->eof) {
        pp->next_path = opts->next_path;
        pp->next_opts = opts->next_opts;
        pp->next_out = opts->next_out;
    }
    pthread_mutex_unlock(&pp->mu);
}

bl_status bl__log_read_with(bl_source *src, bl_log_ahead *ahead, const char *path,
                            const bl_ingest_opts *opts, const bl_sink *sink, char **errmsg)
{
    reader r = {.path = path, .opts = opts, .sink = sink};
    pipe_ own = {0};
    pipe_ *pp = &own;
    bl_status st = BL_OK;
    *errmsg = NULL;
    bl_format fmt = opts->format;
    if (fmt == BL_FMT_AUTO || fmt == BL_FMT_COUNTER4 || fmt == BL_FMT_COUNTER5) {
        *errmsg = bl_strdup_printf(_("%s: not an access-log format"), path);
        return BL_USAGE;
    }
    bool adopted = ahead && ahead->taken && ahead->src == src;
    if (adopted) {
        pp = &ahead->pp;
        pthread_mutex_lock(&pp->mu);
        pp->set_progress = opts->progress != NULL;
        pp->progress = opts->progress;
        pp->progress_ctx = opts->progress_ctx;
        pthread_mutex_unlock(&pp->mu);
    }
    /* A format that does not compile is said before anything else. */
    bl_logfmt *lf = NULL;
    if (!adopted && (st = compile_custom(path, opts, fmt, &lf, errmsg)) != BL_OK)
        return st;
    bl_file_info info = {.path = path,
                         .format = bl_format_name(fmt),
                         .report_id = NULL,
                         .family = BL_FAM_LOG,
                         .release = 0,
                         .period_begin = -1,
                         .period_end = -1};
    if (sink->begin && (st = sink->begin(sink->ctx, &info)) != BL_OK)
        goto out;
    if (!adopted) {
        st = pipe_start(pp, src, opts, fmt, lf);
        lf = NULL; /* the parser's now, freed with the pipe */
        if (st != BL_OK)
            goto out;
    }
    chain_next(pp, opts);
    chunk *c;
    unsigned long base = 0; /* lines in the chunks before */
    while (st == BL_OK && !r.refused && (c = next_chunk(pp)) != NULL) {
        st = c->raw ? raw_out(&r, &pp->cps, c, base) : recs_out(&r, c, base);
        base += c->lines;
        release_chunk(pp);
    }
    bl_status perr = pp->started ? (pipe_stop(pp), pp->err) : BL_OK;
    if (st == BL_OK && !r.refused && perr == BL_NOMEM) {
        st = BL_NOMEM;
        goto out;
    }
    if (st == BL_OK && !r.refused && perr != BL_OK) {
        st = perr;
        *errmsg = bl__source_error(src, path);
        goto out;
    }
    if (st == BL_OK && !r.seen_good && r.nprobe > 0)
        r.refused = true;
    if (r.refused) {
        st = BL_DATA;
        unsigned long ln = r.probe[0].line;
        const char *in = bl__source_line_file(src, &ln);
        *errmsg = bl_strdup_printf(_("%s: not a %s access log: none of its first %d lines "
                                     "fits (line %lu: %s)"),
                                   in ? in : path, info.format, r.nprobe, ln, r.probe[0].reason);
        bl_diag d = {BL_DIAG_FILE, path, 0, NULL, *errmsg, NULL};
        if (sink->diag)
            sink->diag(sink->ctx, &d);
    } else if (st != BL_OK && !*errmsg && opts->strict && st == BL_DATA) {
        unsigned long ln = r.line;
        const char *in = bl__source_line_file(src, &ln);
        *errmsg = bl_strdup_printf(_("%s:%lu: bad line and --strict given"), in ? in : path, ln);
    }
out:
    bl__logfmt_free(lf);
    pipe_stop(pp);
    return st;
}

bl_status bl_log_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                      const bl_sink *sink, char **errmsg)
{
    return bl__log_read_with(src, NULL, path, opts, sink, errmsg);
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
    if (!bl_format_is_log(fmt))
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
