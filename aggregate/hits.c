/* Access-log hits under the COUNTER R5 processing rules (see docs/logs.md):
 * attribution (library by IP range or library key, resource by url_pattern),
 * status 200/304 only, robots excluded, the 30-second double-click filter,
 * unique items per user-session, distinct users as HyperLogLog sketches and
 * per-patron quota excess.
 *
 * Counting is incremental and undoable: a hit is counted when it arrives;
 * when the same user clicks the same URL again within 30 s, the earlier
 * hit's counts are taken back and the new one counted instead ("drop the
 * first, keep the second", so a chain counts once, at its last click).
 * Unique items are reference counts per session item, so taking a hit back
 * un-counts its item only when no other surviving hit holds it. Everything
 * is keyed by 64-bit keyed hashes of identities; state expires as log time
 * moves on, so memory follows the live sessions, not the file size.
 *
 * Privacy: IP addresses, logins and session ids are only ever fed to
 * SipHash keyed by the store's secret; none of them is kept, stored or put
 * in a message. */
#include "attrib.h"
#include "hits_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef BILAN_DEFAULT_DATA_DIR
#define BILAN_DEFAULT_DATA_DIR "/usr/share/bilan"
#endif

#define WINDOW 300        /* tolerated disorder, seconds */
#define DOUBLE_CLICK 30   /* seconds */
#define SESSION_IDLE 1800 /* a session id unseen this long starts afresh */
#define CACHE_MAX 200000  /* entries per cache before it is emptied */
#define MAX_SUBJECT (70 * 1024)
#define SWEEP_EVERY 600 /* seconds of log time between sweeps */
#define IPC_SIZE 8192   /* direct-mapped IP -> library cache (fits in L2) */
#define MAX_PLENS 64    /* distinct (family, prefix length) pairs looked up */
#define UA_SLOTS 64     /* user agents remembered verbatim with hash and verdict */
#define UA_MAX 240      /* longer agents are not remembered */
#define UNR_MAX 16384   /* unattributed ranges told apart; more go to "other" */
#define UNR_STORED 1000 /* ranges stored per source, most events first; the rest: "other" */

enum { M_TII, M_TIR, M_UII, M_UIR, M__COUNT };
static const char *const METRIC[M__COUNT] = {"Total_Item_Investigations", "Total_Item_Requests",
                                             "Unique_Item_Investigations", "Unique_Item_Requests"};

typedef struct resource {
    char *id;
    pcre2_code *url, *req;
    pcre2_match_data *md;
    int item_group; /* capture number of (?<item>...), 0 when none */
    int group_base; /* captures of the url_patterns before it (prefilter) */
    bool anchored;  /* can only match at the start of the subject */
    bool quota;     /* a forfait on it has a per-patron quota */
    /* url_pattern is "^LITERAL..." with no top-level alternation: a subject
     * that does not start with the literal cannot match (checked first). */
    char lit[64];
    size_t litlen;
    uint64_t head, head_mask; /* its first 8 bytes (fewer: masked), compared at once */
    bool has_lit;
    /* request_pattern is a plain string: searched as such. */
    char *req_lit;
} resource;

typedef struct range {
    bl_cidr cidr;
    int lib;
} range;

typedef struct plen { /* a (family, prefix length) some range has */
    int family, prefix;
} plen;

/* A log has few distinct user agents, each on many lines: comparing the
 * bytes with a remembered copy is cheaper than hashing them again. */
typedef struct ua_slot {
    uint64_t hash; /* bl__fhash(agent, 0x2c) */
    uint32_t len;  /* 0: empty slot */
    bool robot;
    char text[UA_MAX];
} ua_slot;

typedef struct ipc_ent { /* IP cache slot: full 64-bit hash of the text */
    uint64_t key;
    int32_t lib;
    uint32_t unr; /* lib < 0: the unattributed range (index + 1), 0 when none */
} ipc_ent;

typedef struct quota_rule {
    int res, metric;
    long long quota;
    int from, to; /* month indexes of the forfait's period */
} quota_rule;

typedef struct cell {
    int lib, res;
    char *inst, *host;
} cell;

/* Table elements; each starts with its key. */
typedef struct dc_ent { /* last surviving click of a user on a URL */
    uint64_t key;
    int64_t t;
    uint64_t si, pq;
    uint32_t cell;
    int32_t month;
    uint8_t req;
    uint32_t unr; /* unattributed range index + 1, 0 when none */
} dc_ent;

typedef struct ss_ent { /* a session id's last activity */
    uint64_t key;
    int64_t last;
} ss_ent;

typedef struct si_ent { /* one item in one user-session */
    uint64_t key;
    int64_t expire; /* hour-slice sessions; 0 for session ids */
    uint64_t sess;  /* session-id sessions: key in the ss table */
    uint64_t pq;
    uint32_t inv_cell, req_cell;
    int32_t inv_month, req_month;
    int32_t inv_refs, req_refs;
} si_ent;

typedef struct pq_ent { /* one patron's use of a quota'd resource in a month */
    uint64_t key;
    uint64_t patron; /* keyed by the store's secret; re-keyed by the month's key when stored */
    int64_t n[M__COUNT];
    int32_t res, month;
} pq_ent;

typedef struct qx_ent { /* excess per quota rule and month */
    uint64_t key;
    int64_t patrons, extra;
    int32_t rule, month;
} qx_ent;

typedef struct ctr_ent { /* local roll-up: (cell, month, metric) -> count */
    uint64_t key;
    int64_t value;
} ctr_ent;

typedef struct small_ent { /* caches: robot verdict, IP -> library */
    uint64_t key;
    int32_t v;
} small_ent;

/* Where unattributed events came from: an IPv4 /24 or IPv6 /48. */
typedef struct unr_range {
    int family;
    uint8_t net[6];
    int64_t events;
} unr_range;

typedef struct sketch {
    int lib, month;
    uint8_t reg[BL_HLL_M];
} sketch;

typedef struct sk_ent {
    uint64_t key;
    sketch *s;
} sk_ent;

struct bl_hits {
    bl_store *st;
    bl_agg *agg;
    const bl_ingest_opts *opts;
    uint8_t key[16];
    bl_names names;
    char **lib_ids;
    size_t nlib;
    range *ranges;
    size_t nranges;
    /* Ranges by (family, prefix, network): the most specific range holding
     * an address is found with one probe per prefix length, longest first,
     * instead of a scan of every range. */
    bl_u64map range_map;
    plen plens[MAX_PLENS];
    int nplens; /* -1: too many lengths, scan the ranges */
    ipc_ent *ipc;
    ua_slot *ua;
    resource *res;
    size_t nres;
    pcre2_code *prefilter; /* every url_pattern at once: most hits match none */
    pcre2_match_data *pre_md;
    bool pre_marks;          /* its alternatives end with (*MARK:index) */
    bool all_lit;            /* every url_pattern has a literal start */
    size_t first_unanchored; /* index of the first url_pattern not anchored */
    pcre2_match_data *req_md;
    pcre2_code *robots;
    pcre2_match_data *rob_md;
    quota_rule *rules;
    size_t nrules;
    cell *cells;
    size_t ncells, cells_alloc;
    bl_strmap cell_ids;   /* "lib\x1fres\x1finst\x1fhost" -> index + 1 */
    bl_u64map cell_cache; /* hash of (lib, res, inst, host) -> index */
    bl_u64map dc, ss, si, pq, qx, ctr, robot_cache, sketches;
    sketch **sk;
    size_t nsk, sk_alloc;
    int64_t tmax, last_sweep;
    /* Lower bounds on what a sweep would find expired, so that a sweep
     * skips the tables where nothing can be (hour-slice items expire once
     * an hour, not every ten minutes). */
    int64_t dc_min_t, si_min_expire, ss_min_last;
    int32_t pq_min_month;
    bool si_has_sess;
    bool any;
    long out_of_order;
    /* The log ledger (bl_log_stats) and what the overlap check needs. */
    long long n_lines, n_events, n_robot, n_status, n_not_resource, n_static, n_unattributed;
    int64_t t_first, t_last;
    bool *res_fed;     /* per resource: at least one event counted */
    bl_u64map unr_map; /* range key -> index in unr */
    unr_range *unr;
    size_t nunr, unr_alloc;
    char subject[MAX_SUBJECT];
    bl_buf tmp;
};

/* ---- loading ------------------------------------------------------------------ */

static bl_status fail(bl_hits *h, bl_status code, const char *what)
{
    return bl__store_fail(h->st, code, "%s", what);
}

static int lib_index(bl_hits *h, const char *id)
{
    for (size_t i = 0; i < h->nlib; i++)
        if (strcmp(h->lib_ids[i], id) == 0)
            return (int)i;
    return -1;
}

/* The key of a network (family, prefix, masked address) in range_map. */
static uint64_t net_key(int family, int prefix, const uint8_t addr[16])
{
    uint8_t b[18] = {(uint8_t)family, (uint8_t)prefix};
    int full = prefix / 8, rest = prefix % 8;
    memcpy(b + 2, addr, (size_t)full);
    if (rest)
        b[2 + full] = addr[full] & (uint8_t)(0xFFu << (8 - rest));
    return bl__fhash(b, sizeof b, 0x1c);
}

static int plen_cmp(const void *pa, const void *pb)
{
    const plen *a = pa, *b = pb;
    return a->prefix != b->prefix ? b->prefix - a->prefix : a->family - b->family;
}

static bl_status index_ranges(bl_hits *h)
{
    if (!(h->ipc = calloc(IPC_SIZE, sizeof *h->ipc)) || !(h->ua = calloc(UA_SLOTS, sizeof *h->ua)))
        return BL_NOMEM;
    for (size_t i = 0; i < h->nranges; i++) {
        const bl_cidr *c = &h->ranges[i].cidr;
        int k = 0;
        while (k < h->nplens &&
               (h->plens[k].family != c->family || h->plens[k].prefix != c->prefix))
            k++;
        if (k == h->nplens) {
            if (h->nplens == MAX_PLENS) {
                h->nplens = -1; /* so many lengths that the scan is as good */
                return BL_OK;
            }
            h->plens[h->nplens++] = (plen){c->family, c->prefix};
        }
        bool isnew;
        uint64_t key = net_key(c->family, c->prefix, c->addr);
        small_ent *e = bl__u64map_put(&h->range_map, key, &isnew);
        if (!e)
            return BL_NOMEM;
        if (isnew) {
            e->v = (int32_t)i;
        } else {
            /* The same network twice: the first range wins, as in the scan.
             * Two networks with one hash: no index, scan the ranges. */
            const bl_cidr *o = &h->ranges[e->v].cidr;
            if (o->family != c->family || o->prefix != c->prefix ||
                memcmp(o->addr, c->addr, sizeof o->addr) != 0) {
                h->nplens = -1;
                return BL_OK;
            }
        }
    }
    qsort(h->plens, (size_t)h->nplens, sizeof *h->plens, plen_cmp);
    return BL_OK;
}

static bl_status load_libraries(bl_hits *h, sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(db, "SELECT id FROM library ORDER BY id", -1, &q, NULL) != SQLITE_OK)
        return bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
    while (sqlite3_step(q) == SQLITE_ROW) {
        char **n = realloc(h->lib_ids, (h->nlib + 1) * sizeof *n);
        if (!n) {
            rc = BL_NOMEM;
            break;
        }
        h->lib_ids = n;
        if (!(h->lib_ids[h->nlib] = strdup((const char *)sqlite3_column_text(q, 0)))) {
            rc = BL_NOMEM;
            break;
        }
        h->nlib++;
    }
    sqlite3_finalize(q);
    if (rc != BL_OK)
        return rc;
    if (sqlite3_prepare_v2(db, "SELECT library_id, cidr FROM library_ip_range", -1, &q, NULL) !=
        SQLITE_OK)
        return bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
    while (sqlite3_step(q) == SQLITE_ROW) {
        range r;
        r.lib = lib_index(h, (const char *)sqlite3_column_text(q, 0));
        if (r.lib < 0 || !bl_cidr_parse((const char *)sqlite3_column_text(q, 1), &r.cidr))
            continue; /* validated at import */
        range *n = realloc(h->ranges, (h->nranges + 1) * sizeof *n);
        if (!n) {
            rc = BL_NOMEM;
            break;
        }
        h->ranges = n;
        h->ranges[h->nranges++] = r;
    }
    sqlite3_finalize(q);
    if (rc == BL_OK)
        rc = index_ranges(h);
    return rc;
}

static pcre2_code *compile(const char *pat, uint32_t flags)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, flags, &err, &off, NULL);
    if (re)
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/* pcre2_match, through the JIT entry point when the pattern was JIT-compiled
 * (same result, without the per-call checks: this runs several times per
 * line). */
static int match(const pcre2_code *re, PCRE2_SPTR s, size_t n, pcre2_match_data *md)
{
    int r = pcre2_jit_match(re, s, n, 0, 0, md, NULL);
    if (r == PCRE2_ERROR_JIT_BADOPTION) /* not JIT-compiled */
        r = pcre2_match(re, s, n, 0, 0, md, NULL);
    return r;
}

/* True when a pattern may be combined with others in one alternation and
 * keep its meaning: no reference to a group by number (backreferences,
 * recursion, subroutine calls), whose numbers would shift, and no verb. */
static bool combinable(const pcre2_code *re, const char *pat)
{
    uint32_t backrefs = 0;
    pcre2_pattern_info(re, PCRE2_INFO_BACKREFMAX, &backrefs);
    if (backrefs)
        return false;
    for (const char *p = pat; *p; p++) {
        if (p[0] == '\\' && p[1]) {
            if (p[1] == 'g')
                return false;
            p++;
        } else if (p[0] == '(' && p[1] == '?' && p[2] && strchr("0123456789+-R&P", p[2])) {
            return false;
        } else if (p[0] == '(' && p[1] == '*') {
            return false; /* verbs (COMMIT, SKIP, ACCEPT...) act on the whole match */
        }
    }
    return true;
}

/* Characters that stand for themselves in a pattern, wherever they are. */
static bool plain_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("/_-=&,:%~@!'\"<>;", c));
}

/* The literal every match of pat starts with, when pat is "^literal..."
 * without a top-level alternation (which would offer another start). The
 * scan gives up (no literal) on anything it does not fully understand. */
static bool literal_start(const char *pat, char *lit, size_t cap, size_t *len)
{
    if (pat[0] != '^')
        return false;
    size_t n = 0;
    const char *p = pat + 1;
    while (plain_char(*p) && n < cap)
        lit[n++] = *p++;
    if (*p == '?' || *p == '*' || *p == '+' || *p == '{') {
        if (n == 0)
            return false;
        n--; /* the last character is optional or repeated */
    }
    int depth = 0;
    for (p = pat; *p; p++) {
        if (*p == '\\') {
            if (!p[1] || p[1] == 'Q' || p[1] == 'E')
                return false;
            p++;
        } else if (*p == '[') {
            p++;
            if (*p == '^')
                p++;
            if (*p == ']')
                p++;
            while (*p && *p != ']') {
                if (*p == '\\' && !*++p)
                    return false;
                if (*p == '[' && p[1] == ':')
                    return false; /* POSIX classes: not worth parsing */
                p++;
            }
            if (!*p)
                return false;
        } else if (*p == '(') {
            if (p[1] == '*' || (p[1] == '?' && (p[2] == '#' || strchr(p + 2, 'x'))))
                return false; /* verbs, comments, possibly extended mode */
            depth++;
        } else if (*p == ')') {
            depth--;
        } else if (*p == '|' && depth == 0) {
            return false;
        }
    }
    *len = n;
    return n > 0;
}

/* Does s[0..n) contain the string needle? */
static bool contains(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    const char *end = s + n;
    while ((size_t)(end - s) >= m) {
        const char *c = memchr(s, needle[0], (size_t)(end - s) - m + 1);
        if (!c)
            return false;
        if (memcmp(c, needle, m) == 0)
            return true;
        s = c + 1;
    }
    return false;
}

static bool plain_string(const char *pat)
{
    if (!*pat)
        return false;
    for (const char *p = pat; *p; p++)
        if (!plain_char(*p))
            return false;
    return true;
}

static bl_status load_resources(bl_hits *h, sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    bl_buf all = BL_BUF_INIT(1 << 20);
    bool marks = true, seen_unanchored = false, all_lit = true;
    int groups = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, url_pattern, request_pattern FROM resource"
                           " WHERE url_pattern <> '' ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
    while (sqlite3_step(q) == SQLITE_ROW) {
        resource *n = realloc(h->res, (h->nres + 1) * sizeof *n);
        if (!n) {
            rc = BL_NOMEM;
            break;
        }
        h->res = n;
        resource *r = &h->res[h->nres];
        memset(r, 0, sizeof *r);
        const char *id = (const char *)sqlite3_column_text(q, 0);
        const char *url = (const char *)sqlite3_column_text(q, 1);
        const char *req = (const char *)sqlite3_column_text(q, 2);
        r->id = strdup(id);
        r->url = compile(url, 0);
        if (!r->id || !r->url) {
            free(r->id);
            pcre2_code_free(r->url);
            rc = bl__store_fail(h->st, BL_DATA,
                                "resource '%s': url_pattern does not compile "
                                "(re-import the network)",
                                id);
            break;
        }
        h->nres++;
        if (req && *req && !(r->req = compile(req, 0))) {
            rc = bl__store_fail(h->st, BL_DATA, "resource '%s': request_pattern does not compile",
                                id);
            break;
        }
        r->md = pcre2_match_data_create_from_pattern(r->url, NULL);
        if (!r->md) {
            rc = BL_NOMEM;
            break;
        }
        int g = pcre2_substring_number_from_name(r->url, (PCRE2_SPTR) "item");
        r->item_group = g > 0 ? g : 0;
        uint32_t opts = 0;
        pcre2_pattern_info(r->url, PCRE2_INFO_ALLOPTIONS, &opts);
        r->anchored = (opts & PCRE2_ANCHORED) != 0;
        if (!r->anchored && !seen_unanchored) {
            h->first_unanchored = h->nres - 1;
            seen_unanchored = true;
        }
        r->group_base = groups;
        uint32_t ncap = 0;
        pcre2_pattern_info(r->url, PCRE2_INFO_CAPTURECOUNT, &ncap);
        groups += (int)ncap;
        if (!combinable(r->url, url))
            marks = false;
        r->has_lit = literal_start(url, r->lit, sizeof r->lit, &r->litlen);
        if (!r->has_lit) {
            all_lit = false;
        } else {
            uint8_t head[8] = {0}, mask[8] = {0};
            for (size_t k = 0; k < 8 && k < r->litlen; k++) {
                head[k] = (uint8_t)r->lit[k];
                mask[k] = 0xFF;
            }
            memcpy(&r->head, head, 8);
            memcpy(&r->head_mask, mask, 8);
        }
        if (req && plain_string(req) && !(r->req_lit = strdup(req))) {
            rc = BL_NOMEM;
            break;
        }
        /* Each alternative ends with a mark naming its resource, so that
         * one match of the prefilter says which resource matched. */
        if (rc == BL_OK)
            rc = bl_buf_printf(&all, "%s(?:%s)(*MARK:%zu)", all.len ? "|" : "", url, h->nres - 1);
    }
    sqlite3_finalize(q);
    if (!seen_unanchored)
        h->first_unanchored = h->nres;
    h->all_lit = rc == BL_OK && h->nres > 0 && all_lit;
    if (rc == BL_OK && all.len && marks) {
        /* Only a speed-up, so only when every pattern keeps its meaning in
         * the alternation (a backreference's group number would shift and
         * the prefilter would wrongly turn hits away). */
        h->prefilter = compile(bl_buf_cstr(&all), PCRE2_DUPNAMES);
        if (h->prefilter && !(h->pre_md = pcre2_match_data_create_from_pattern(h->prefilter, NULL)))
            rc = BL_NOMEM;
        h->pre_marks = h->prefilter != NULL;
    }
    bl_buf_release(&all);
    return rc;
}

static int metric_index(const char *m)
{
    for (int i = 0; i < M__COUNT; i++)
        if (strcmp(m, METRIC[i]) == 0)
            return i;
    return -1;
}

static bl_status load_quotas(bl_hits *h, sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(db,
                           "SELECT resource_id, per_patron_monthly_quota, metric, start, end"
                           " FROM forfait WHERE per_patron_monthly_quota IS NOT NULL ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *rid = (const char *)sqlite3_column_text(q, 0);
        int res = -1;
        for (size_t i = 0; i < h->nres; i++)
            if (strcmp(h->res[i].id, rid) == 0)
                res = (int)i;
        int metric = metric_index((const char *)sqlite3_column_text(q, 2));
        int y1, m1, d1, y2, m2, d2;
        if (res < 0 || metric < 0 ||
            !bl_date_parse((const char *)sqlite3_column_text(q, 3), &y1, &m1, &d1) ||
            !bl_date_parse((const char *)sqlite3_column_text(q, 4), &y2, &m2, &d2))
            continue; /* a metric logs cannot give, or no log-counted resource */
        quota_rule *n = realloc(h->rules, (h->nrules + 1) * sizeof *n);
        if (!n) {
            rc = BL_NOMEM;
            break;
        }
        h->rules = n;
        h->rules[h->nrules++] = (quota_rule){res, metric, sqlite3_column_int64(q, 1),
                                             bl_month_index(y1, m1), bl_month_index(y2, m2)};
        h->res[res].quota = true;
    }
    sqlite3_finalize(q);
    return rc;
}

static bl_status load_robots(bl_hits *h)
{
    const char *dir = getenv("BILAN_DATA_DIR");
    if (!dir || !*dir)
        dir = BILAN_DEFAULT_DATA_DIR;
    char path[4096];
    snprintf(path, sizeof path, "%s/counter-robots/COUNTER_Robots_list.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return bl__store_fail(h->st, BL_NOINPUT,
                              "cannot open the COUNTER robots list '%s' (set BILAN_DATA_DIR)",
                              path);
    bl_buf all = BL_BUF_INIT(1 << 20);
    bl_status rc = BL_OK;
    char line[4096];
    while (rc == BL_OK && fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        /* Validate each pattern alone so that one bad line is skipped, not
         * the whole list. */
        pcre2_code *one = compile(line, PCRE2_CASELESS);
        if (!one)
            continue;
        pcre2_code_free(one);
        rc = bl_buf_printf(&all, "%s(?:%s)", all.len ? "|" : "", line);
    }
    fclose(f);
    if (rc == BL_OK) {
        h->robots = compile(all.len ? bl_buf_cstr(&all) : "(*FAIL)", PCRE2_CASELESS);
        if (!h->robots)
            rc = fail(h, BL_DATA, "the COUNTER robots list does not compile");
        else if (!(h->rob_md = pcre2_match_data_create(1, NULL)))
            rc = BL_NOMEM;
    }
    bl_buf_release(&all);
    return rc;
}

bl_status bl__hits_open(bl_store *st, const bl_ingest_opts *opts, bl_agg *agg, bl_hits **out)
{
    *out = NULL;
    bl_hits *h = calloc(1, sizeof *h);
    if (!h)
        return BL_NOMEM;
    h->st = st;
    h->agg = agg;
    h->opts = opts;
    h->tmp = BL_BUF_INIT(MAX_SUBJECT);
    bl__u64map_init(&h->dc, sizeof(dc_ent));
    h->dc_min_t = h->si_min_expire = h->ss_min_last = INT64_MAX;
    h->pq_min_month = INT32_MAX;
    bl__u64map_init(&h->si, sizeof(si_ent));
    bl__u64map_init(&h->ss, sizeof(ss_ent));
    bl__u64map_init(&h->pq, sizeof(pq_ent));
    bl__u64map_init(&h->qx, sizeof(qx_ent));
    bl__u64map_init(&h->ctr, sizeof(ctr_ent));
    bl__u64map_init(&h->robot_cache, sizeof(small_ent));
    bl__u64map_init(&h->range_map, sizeof(small_ent));
    bl__u64map_init(&h->cell_cache, sizeof(small_ent));
    bl__u64map_init(&h->sketches, sizeof(sk_ent));
    bl__u64map_init(&h->unr_map, sizeof(small_ent));
    h->nunr = 1; /* h->unr[0]: "other" */
    sqlite3 *db = st->db;
    bl_status rc;
    if ((rc = bl__store_secret(st, h->key)) != BL_OK || (rc = bl__names_load(st, &h->names)) ||
        (rc = load_libraries(h, db)) || (rc = load_resources(h, db)) || (rc = load_quotas(h, db)) ||
        (rc = load_robots(h)) ||
        (!(h->res_fed = calloc(h->nres + 1, sizeof *h->res_fed)) && (rc = BL_NOMEM)) ||
        (!(h->unr = calloc(h->unr_alloc = 64, sizeof *h->unr)) && (rc = BL_NOMEM)) ||
        (!(h->req_md = pcre2_match_data_create(1, NULL)) && (rc = BL_NOMEM))) {
        bl__hits_free(h);
        return rc;
    }
    *out = h;
    return BL_OK;
}

static bl_status intern_cell_slow(bl_hits *h, int lib, int res, bl_sv inst, bl_sv host,
                                  uint32_t *id);

/* ---- per-hit work -------------------------------------------------------------- */

static bool is_robot(bl_hits *h, bl_sv ua, uint64_t ua_h)
{
    small_ent *e = bl__u64map_get(&h->robot_cache, ua_h);
    if (e)
        return e->v;
    int r = match(h->robots, (PCRE2_SPTR)ua.ptr, ua.len, h->rob_md);
    if (h->robot_cache.count >= CACHE_MAX)
        bl__u64map_clear(&h->robot_cache);
    bool isnew;
    if ((e = bl__u64map_put(&h->robot_cache, ua_h, &isnew)) != NULL)
        e->v = r >= 0;
    return r >= 0;
}

/* The agent's hash (*ua_h) and robot verdict, from the remembered agents
 * when it is one of them. */
static bool agent_is_robot(bl_hits *h, bl_sv ua, uint64_t *ua_h)
{
    const unsigned char *u = (const unsigned char *)ua.ptr;
    size_t n = ua.len;
    ua_slot *slot = NULL;
    if (n > 0 && n <= UA_MAX) {
        size_t i = (n * 31u + u[0] * 7u + u[n / 2] * 3u + u[n - 1]) & (UA_SLOTS - 1);
        slot = &h->ua[i];
        if (slot->len == n && memcmp(slot->text, u, n) == 0) {
            *ua_h = slot->hash;
            return slot->robot;
        }
    }
    *ua_h = bl__fhash(ua.ptr, n, 0x2c);
    bool robot = is_robot(h, ua, *ua_h);
    if (slot) {
        slot->hash = *ua_h;
        slot->len = (uint32_t)n;
        slot->robot = robot;
        memcpy(slot->text, u, n);
    }
    return robot;
}

/* The common case of bl_ip_parse without its copy and inet_pton: a plain
 * dotted quad, accepted exactly as glibc's inet_pton accepts one (four
 * decimal octets up to 255, no leading zero). Anything else: false, and
 * bl_ip_parse decides. */
static bool dotted_quad(bl_sv s, uint8_t addr[16])
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    uint8_t a[4];
    for (int k = 0; k < 4; k++) {
        if (k && (p >= end || *p++ != '.'))
            return false;
        unsigned v = 0;
        int nd = 0;
        while (p < end && *p >= '0' && *p <= '9' && nd < 4) {
            if (nd == 1 && v == 0)
                return false;
            v = v * 10 + (unsigned)(*p++ - '0');
            nd++;
        }
        if (nd == 0 || nd > 3 || v > 255)
            return false;
        a[k] = (uint8_t)v;
    }
    if (p != end)
        return false;
    memset(addr, 0, 16);
    memcpy(addr, a, 4);
    return true;
}

/* ip_h: the client's fhash (the one its pseudonym is made from). */
static uint32_t unattributed_range(bl_hits *h, int fam, const uint8_t addr[16]);

/* *unr: when no range holds the address, its unattributed range. */
static int library_of_ip(bl_hits *h, bl_sv client, uint64_t ip_h, uint32_t *unr)
{
    uint64_t k = ip_h;
    ipc_ent *ce = &h->ipc[k & (IPC_SIZE - 1)];
    if (ce->key == k && k) {
        *unr = ce->unr;
        return ce->lib;
    }
    *unr = 0;
    int fam = 0, lib = -1, best = -1;
    uint8_t addr[16];
    if (dotted_quad(client, addr) ? (fam = 4, true) : bl_ip_parse(client, &fam, addr)) {
        if (h->nplens >= 0) {
            /* The longest prefix first: the first network found is the most
             * specific range holding the address. */
            for (int i = 0; i < h->nplens && lib < 0; i++) {
                if (h->plens[i].family != fam)
                    continue;
                const small_ent *e =
                    bl__u64map_get(&h->range_map, net_key(fam, h->plens[i].prefix, addr));
                if (e && bl_cidr_contains(&h->ranges[e->v].cidr, fam, addr))
                    lib = h->ranges[e->v].lib;
            }
        } else {
            /* The most specific range wins when ranges nest. */
            for (size_t i = 0; i < h->nranges; i++)
                if (h->ranges[i].cidr.prefix > best &&
                    bl_cidr_contains(&h->ranges[i].cidr, fam, addr)) {
                    best = h->ranges[i].cidr.prefix;
                    lib = h->ranges[i].lib;
                }
        }
    }
    if (lib < 0 && fam)
        *unr = unattributed_range(h, fam, addr);
    ce->key = k;
    ce->lib = lib;
    ce->unr = *unr;
    return lib;
}

/* A static asset, by the extension of the path (the query left out):
 * images, style sheets, scripts, fonts, the favicon (docs/logs.md). Asked
 * only of lines that match no resource (so the ledger says why they are
 * not usage), never on the path of a resource hit. */
static bool is_static(bl_sv target)
{
    /* Extensions packed little-endian into integers: one compare each. */
#define X(a, b, c, d, e)                                                              \
    ((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)(c) << 16 | (uint64_t)(d) << 24 | \
     (uint64_t)(e) << 32)
    static const uint64_t EXT[] = {
        X('p', 'n', 'g', 0, 0),   X('j', 'p', 'g', 0, 0),   X('j', 'p', 'e', 'g', 0),
        X('g', 'i', 'f', 0, 0),   X('s', 'v', 'g', 0, 0),   X('i', 'c', 'o', 0, 0),
        X('w', 'e', 'b', 'p', 0), X('b', 'm', 'p', 0, 0),   X('a', 'v', 'i', 'f', 0),
        X('c', 's', 's', 0, 0),   X('j', 's', 0, 0, 0),     X('m', 'j', 's', 0, 0),
        X('m', 'a', 'p', 0, 0),   X('w', 'o', 'f', 'f', 0), X('w', 'o', 'f', 'f', '2'),
        X('t', 't', 'f', 0, 0),   X('o', 't', 'f', 0, 0),   X('e', 'o', 't', 0, 0)};
#undef X
    const char *p = target.ptr, *end = p + target.len;
    const char *q = memchr(p, '?', target.len);
    if (q)
        end = q;
    /* At most 5 characters after the last dot of the last segment, read
     * backwards: the extension's first character ends in the low byte. */
    uint64_t ext = 0;
    for (const char *c = end - 1; c >= p && end - c <= 6; c--) {
        unsigned char ch = (unsigned char)*c;
        if (ch == '.') {
            for (size_t i = 0; c + 1 < end && i < sizeof EXT / sizeof EXT[0]; i++)
                if (EXT[i] == ext)
                    return true;
            return false;
        }
        if (ch == '/')
            return false;
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch + 32);
        ext = ext << 8 | ch;
    }
    return false;
}

/* A line no resource's pattern matches: a static asset or another page. */
static void unmatched(bl_hits *h, bl_sv target)
{
    if (is_static(target))
        h->n_static++;
    else
        h->n_not_resource++;
}

/* The /24 (IPv4) or /48 (IPv6) holding an unattributed address, as an index
 * + 1 into h->unr; index 0 is "other" (past UNR_MAX ranges, or out of
 * memory). Only the network is kept, never the address. */
static uint32_t unattributed_range(bl_hits *h, int fam, const uint8_t addr[16])
{
    /* The network itself is the key: a family tag over its 3 or 6 bytes. */
    uint64_t key = (uint64_t)fam << 56;
    int nb = fam == 4 ? 3 : 6;
    for (int i = 0; i < nb; i++)
        key |= (uint64_t)addr[i] << (8 * (nb - 1 - i));
    small_ent *e = bl__u64map_get(&h->unr_map, key);
    if (e)
        return (uint32_t)e->v + 1;
    if (h->nunr >= UNR_MAX)
        return 1;
    if (h->nunr == h->unr_alloc) {
        size_t na = h->unr_alloc * 2;
        unr_range *n = realloc(h->unr, na * sizeof *n);
        if (!n)
            return 1;
        h->unr = n;
        h->unr_alloc = na;
    }
    bool isnew;
    if (!(e = bl__u64map_put(&h->unr_map, key, &isnew)))
        return 1;
    unr_range *u = &h->unr[h->nunr];
    memset(u, 0, sizeof *u);
    u->family = fam;
    memcpy(u->net, addr, (size_t)nb);
    e->v = (int32_t)h->nunr++;
    return (uint32_t)e->v + 1;
}

static bl_status intern_cell(bl_hits *h, int lib, int res, bl_sv inst, bl_sv host, uint32_t *id)
{
    /* Fast path: a 64-bit hash of the cell's parts (in memory only). */
    uint64_t ck =
        bl__mix(bl__mix((uint64_t)(lib + 2), (uint64_t)res),
                bl__mix(bl__fhash(inst.ptr, inst.len, 7), bl__fhash(host.ptr, host.len, 8)));
    small_ent *ce = bl__u64map_get(&h->cell_cache, ck);
    if (ce) {
        *id = (uint32_t)ce->v;
        return BL_OK;
    }
    bl_status rc0 = intern_cell_slow(h, lib, res, inst, host, id);
    bool isnew;
    if (rc0 == BL_OK && (ce = bl__u64map_put(&h->cell_cache, ck, &isnew)) != NULL)
        ce->v = (int32_t)*id;
    return rc0;
}

static bl_status intern_cell_slow(bl_hits *h, int lib, int res, bl_sv inst, bl_sv host,
                                  uint32_t *id)
{
    bl_buf *b = &h->tmp;
    bl_buf_clear(b);
    bl_status rc;
    if ((rc = bl_buf_printf(b, "%d\x1f%d\x1f", lib, res)) ||
        (rc = bl_buf_append(b, inst.ptr, inst.len)) || (rc = bl_buf_putc(b, '\x1f')) ||
        (rc = bl_buf_append(b, host.ptr, host.len)))
        return rc;
    void *v = bl__strmap_get(&h->cell_ids, b->data, b->len);
    if (v) {
        *id = (uint32_t)((uintptr_t)v - 1);
        return BL_OK;
    }
    if (h->ncells == h->cells_alloc) {
        size_t na = h->cells_alloc ? h->cells_alloc * 2 : 64;
        cell *nc = realloc(h->cells, na * sizeof *nc);
        if (!nc)
            return BL_NOMEM;
        h->cells = nc;
        h->cells_alloc = na;
    }
    cell *c = &h->cells[h->ncells];
    c->lib = lib;
    c->res = res;
    c->inst = bl_sv_dup(inst);
    c->host = bl_sv_dup(host);
    if (!c->inst || !c->host) {
        free(c->inst);
        free(c->host);
        return BL_NOMEM;
    }
    bl_strmap_entry *e;
    if ((rc = bl__strmap_upsert(&h->cell_ids, b->data, b->len, &e)) != BL_OK) {
        free(c->inst);
        free(c->host);
        return rc;
    }
    e->value = (void *)(uintptr_t)(h->ncells + 1);
    *id = (uint32_t)h->ncells++;
    return BL_OK;
}

static bl_status ctr_add(bl_hits *h, uint32_t cellid, int month, int metric, int64_t d)
{
    uint64_t k = ((uint64_t)cellid << 32) | ((uint64_t)month << 3) | (uint64_t)metric;
    bool isnew;
    ctr_ent *e = bl__u64map_put(&h->ctr, k, &isnew);
    if (!e)
        return BL_NOMEM;
    e->value += d;
    return BL_OK;
}

static void pq_add(bl_hits *h, uint64_t pq, int metric, int64_t d)
{
    pq_ent *e = pq ? bl__u64map_get(&h->pq, pq) : NULL;
    if (e)
        e->n[metric] += d;
}

typedef struct hitctx {
    uint32_t cell;
    int month;
    bool req;
    uint32_t unr;
    uint64_t si, pq, sess;
    int64_t si_expire;
} hitctx;

static bl_status count_hit(bl_hits *h, const hitctx *c)
{
    bl_status rc;
    const cell *ce = &h->cells[c->cell];
    h->n_events++;
    h->res_fed[ce->res] = true;
    if (ce->lib < 0)
        h->n_unattributed++;
    if (c->unr)
        h->unr[c->unr - 1].events++;
    if ((rc = ctr_add(h, c->cell, c->month, M_TII, 1)) != BL_OK ||
        (c->req && (rc = ctr_add(h, c->cell, c->month, M_TIR, 1)) != BL_OK))
        return rc;
    pq_add(h, c->pq, M_TII, 1);
    if (c->req)
        pq_add(h, c->pq, M_TIR, 1);
    bool isnew;
    si_ent *e = bl__u64map_put(&h->si, c->si, &isnew);
    if (!e)
        return BL_NOMEM;
    if (isnew) {
        e->pq = c->pq;
        e->sess = c->sess;
    }
    if (c->si_expire > e->expire)
        e->expire = c->si_expire;
    if (isnew && c->sess)
        h->si_has_sess = true;
    else if (isnew && e->expire < h->si_min_expire)
        h->si_min_expire = e->expire;
    if (e->inv_refs++ == 0) {
        e->inv_cell = c->cell;
        e->inv_month = c->month;
        if ((rc = ctr_add(h, c->cell, c->month, M_UII, 1)) != BL_OK)
            return rc;
        pq_add(h, e->pq, M_UII, 1);
    }
    if (c->req && e->req_refs++ == 0) {
        e->req_cell = c->cell;
        e->req_month = c->month;
        if ((rc = ctr_add(h, c->cell, c->month, M_UIR, 1)) != BL_OK)
            return rc;
        pq_add(h, e->pq, M_UIR, 1);
    }
    return BL_OK;
}

/* Takes back a hit counted earlier (the first click of a double click). */
static bl_status uncount_hit(bl_hits *h, const dc_ent *d)
{
    bl_status rc;
    h->n_events--;
    if (h->cells[d->cell].lib < 0)
        h->n_unattributed--;
    if (d->unr)
        h->unr[d->unr - 1].events--;
    if ((rc = ctr_add(h, d->cell, d->month, M_TII, -1)) != BL_OK ||
        (d->req && (rc = ctr_add(h, d->cell, d->month, M_TIR, -1)) != BL_OK))
        return rc;
    pq_add(h, d->pq, M_TII, -1);
    if (d->req)
        pq_add(h, d->pq, M_TIR, -1);
    si_ent *e = bl__u64map_get(&h->si, d->si);
    if (!e)
        return BL_OK; /* its session already expired: its unique count stands */
    if (e->inv_refs > 0 && --e->inv_refs == 0) {
        if ((rc = ctr_add(h, e->inv_cell, e->inv_month, M_UII, -1)) != BL_OK)
            return rc;
        pq_add(h, e->pq, M_UII, -1);
    }
    if (d->req && e->req_refs > 0 && --e->req_refs == 0) {
        if ((rc = ctr_add(h, e->req_cell, e->req_month, M_UIR, -1)) != BL_OK)
            return rc;
        pq_add(h, e->pq, M_UIR, -1);
    }
    return BL_OK;
}

static void fold_patron(bl_hits *h, const pq_ent *p)
{
    for (size_t i = 0; i < h->nrules; i++) {
        const quota_rule *q = &h->rules[i];
        if (q->res != p->res || p->month < q->from || p->month > q->to)
            continue;
        bool isnew;
        qx_ent *x = bl__u64map_put(&h->qx, ((uint64_t)(i + 1) << 32) | (uint64_t)p->month, &isnew);
        if (!x)
            continue;
        x->rule = (int32_t)i;
        x->month = p->month;
        if (p->n[q->metric] > q->quota) {
            x->patrons++;
            x->extra += p->n[q->metric] - q->quota;
        }
    }
}

/* Forgets the state that time has made final. */
static void sweep(bl_hits *h, bool all)
{
    int64_t now = h->tmax;
    /* Each table is scanned only when its lower bound says that something
     * in it may have expired; the scan recomputes the bound. */
    if (all || h->dc_min_t < now - DOUBLE_CLICK - WINDOW) {
        int64_t min_t = INT64_MAX;
        for (size_t i = 0; i < h->dc.cap;) {
            dc_ent *e = bl__u64map_at(&h->dc, i);
            if (e->key && (all || e->t + DOUBLE_CLICK + WINDOW < now)) {
                if (bl__u64map_del_at(&h->dc, i))
                    continue;
            } else if (e->key && e->t < min_t) {
                min_t = e->t;
            }
            i++;
        }
        h->dc_min_t = min_t;
    }
    /* A session id's items live as long as the session is active. */
    if (all || h->si_has_sess || h->si_min_expire < now) {
        int64_t min_exp = INT64_MAX;
        bool has_sess = false;
        for (size_t i = 0; i < h->si.cap;) {
            si_ent *e = bl__u64map_at(&h->si, i);
            bool gone = false;
            if (e->key && e->sess) {
                const ss_ent *s = bl__u64map_get(&h->ss, e->sess);
                gone = !s || s->last + SESSION_IDLE + WINDOW + DOUBLE_CLICK < now;
            } else if (e->key) {
                gone = e->expire < now;
            }
            if (e->key && (all || gone)) {
                if (bl__u64map_del_at(&h->si, i))
                    continue;
            } else if (e->key && e->sess) {
                has_sess = true;
            } else if (e->key && e->expire < min_exp) {
                min_exp = e->expire;
            }
            i++;
        }
        h->si_min_expire = min_exp;
        h->si_has_sess = has_sess;
    }
    if (all || h->ss_min_last < now - SESSION_IDLE - WINDOW - DOUBLE_CLICK) {
        int64_t min_last = INT64_MAX;
        for (size_t i = 0; i < h->ss.cap;) {
            ss_ent *e = bl__u64map_at(&h->ss, i);
            if (e->key && (all || e->last + SESSION_IDLE + WINDOW + DOUBLE_CLICK < now)) {
                if (bl__u64map_del_at(&h->ss, i))
                    continue;
            } else if (e->key && e->last < min_last) {
                min_last = e->last;
            }
            i++;
        }
        h->ss_min_last = min_last;
    }
    /* Per-patron counters stay until the end of the file: they are stored
     * (quota_use) so that a month's quota is judged over all its files. */
    h->last_sweep = now;
}

bl_status bl__hits_add(bl_hits *h, const bl_hit_rec *r)
{
    if (!h->any) {
        h->any = true;
        h->tmax = h->last_sweep = r->time;
        h->t_first = h->t_last = r->time;
    }
    if (r->time < h->t_first)
        h->t_first = r->time;
    if (r->time > h->t_last)
        h->t_last = r->time;
    if (r->time < h->tmax - WINDOW)
        h->out_of_order++;
    else if (r->time > h->tmax) {
        h->tmax = r->time;
        if (h->tmax - h->last_sweep >= SWEEP_EVERY)
            sweep(h, false);
    }
    if (r->status != 200 && r->status != 304) {
        h->n_status++;
        return BL_OK;
    }
    /* A format without a user agent (common, EZproxy) cannot be screened
     * for robots; an empty or "-" agent in one that has it is a robot by
     * the COUNTER list's own ^.?$ pattern. */
    uint64_t ua_h;
    if (r->user_agent.ptr && agent_is_robot(h, r->user_agent, &ua_h)) {
        h->n_robot++;
        return BL_OK;
    }
    if (!r->user_agent.ptr)
        ua_h = bl__fhash(NULL, 0, 0x2c);

    /* The resource: host + path + query. */
    size_t sl = r->host.len + r->target.len;
    if (sl > sizeof h->subject) {
        unmatched(h, r->target);
        return BL_OK;
    }
    if (r->host.len)
        memcpy(h->subject, r->host.ptr, r->host.len);
    if (r->target.len)
        memcpy(h->subject + r->host.len, r->target.ptr, r->target.len);
    const PCRE2_SPTR subj = (PCRE2_SPTR)h->subject;
    int res = -1;
    size_t cand = h->nres;
    const PCRE2_SIZE *ov = NULL;
    int group = 0;
    if (h->all_lit) {
        /* Every pattern has a literal start: only the resources whose
         * literal the subject starts with can match, tried in order. */
        uint64_t head;
        memcpy(&head, h->subject, 8); /* bytes past sl are masked off below */
        for (size_t i = 0; i < h->nres; i++) {
            const resource *x = &h->res[i];
            if (x->litlen <= sl && (head & x->head_mask) == x->head &&
                (x->litlen <= 8 || memcmp(h->subject + 8, x->lit + 8, x->litlen - 8) == 0) &&
                match(x->url, subj, sl, x->md) >= 0) {
                res = (int)i;
                ov = pcre2_get_ovector_pointer(x->md);
                group = x->item_group;
                break;
            }
        }
        if (res < 0) {
            unmatched(h, r->target);
            return BL_OK;
        }
        goto matched;
    }
    if (h->prefilter && match(h->prefilter, subj, sl, h->pre_md) < 0) {
        unmatched(h, r->target);
        return BL_OK;
    }
    if (h->pre_marks) {
        /* The alternation tries the resources in order at each position:
         * at the start, the first one that matches there wins, as in the
         * loop below. Only a resource before it that can match further on
         * (not anchored) could come first in the loop. */
        PCRE2_SPTR mark = pcre2_get_mark(h->pre_md);
        size_t m = 0;
        const char *mk = (const char *)mark;
        if (mk && *mk) {
            for (; *mk >= '0' && *mk <= '9' && m <= h->nres; mk++)
                m = m * 10 + (size_t)(*mk - '0');
            if (*mk == '\0' && m < h->nres && pcre2_get_ovector_pointer(h->pre_md)[0] == 0)
                cand = m;
        }
    }
    if (cand < h->nres) {
        for (size_t i = h->first_unanchored; i < cand; i++)
            if (!h->res[i].anchored && match(h->res[i].url, subj, sl, h->res[i].md) >= 0) {
                res = (int)i;
                ov = pcre2_get_ovector_pointer(h->res[i].md);
                group = h->res[i].item_group;
                break;
            }
        if (res < 0) {
            /* The prefilter's own match is that resource's: its item group
             * comes after the groups of the alternatives before it. */
            res = (int)cand;
            ov = pcre2_get_ovector_pointer(h->pre_md);
            group = h->res[cand].item_group ? h->res[cand].group_base + h->res[cand].item_group : 0;
        }
    } else {
        for (size_t i = 0; i < h->nres; i++) {
            if (match(h->res[i].url, subj, sl, h->res[i].md) >= 0) {
                res = (int)i;
                ov = pcre2_get_ovector_pointer(h->res[i].md);
                group = h->res[i].item_group;
                break;
            }
        }
    }
    if (res < 0) {
        unmatched(h, r->target);
        return BL_OK;
    }
matched:;
    resource *rs = &h->res[res];
    bl_sv item = r->target;
    if (group && ov[2 * group] != PCRE2_UNSET)
        item = (bl_sv){h->subject + ov[2 * group], ov[2 * group + 1] - ov[2 * group]};
    uint64_t item_h = bl__fhash(item.ptr, item.len, 0x3d);
    bool req = !rs->req || (rs->req_lit ? contains(h->subject, sl, rs->req_lit)
                                        : match(rs->req, subj, sl, h->req_md) >= 0);

    uint64_t ip_h = bl__fhash(r->client.ptr, r->client.len, 0x4e);
    bl_status rc;
    uint32_t unr = 0;
    /* The library: its key when the line has one, else the client's IP. */
    int lib = -1;
    bl_sv inst = {"", 0};
    if (r->library_key.len) {
        const char *id = bl__names_library(&h->names, r->library_key, (bl_sv){"", 0});
        lib = id ? lib_index(h, id) : -1;
        if (lib < 0)
            inst = r->library_key;
    } else {
        lib = library_of_ip(h, r->client, ip_h, &unr);
    }
    uint32_t cellid;
    rc = intern_cell(h, lib, res, inst, r->host, &cellid);
    if (rc != BL_OK)
        return rc;

    /* Pseudonymous keys: SipHash keyed by the store's secret. */
    uint8_t buf[24];
    buf[0] = 'a';
    memcpy(buf + 1, &ip_h, 8);
    memcpy(buf + 9, &ua_h, 8);
    uint64_t anon = bl_siphash(h->key, buf, 17);
    uint64_t login = 0, sess = 0;
    if (r->user.len) {
        uint64_t uh = bl__fhash(r->user.ptr, r->user.len, 0x5f);
        buf[0] = 'u';
        memcpy(buf + 1, &uh, 8);
        login = bl_siphash(h->key, buf, 9);
    }
    if (r->session.len) {
        uint64_t sh = bl__fhash(r->session.ptr, r->session.len, 0x60);
        buf[0] = 's';
        memcpy(buf + 1, &sh, 8);
        sess = bl_siphash(h->key, buf, 9);
    }
    /* COUNTER's user: session id, else login, else IP + user agent. */
    uint64_t user = sess ? sess : login ? login : anon;
    /* A patron (distinct users, quotas): login, else IP + user agent. */
    uint64_t patron = login ? login : anon;

    hitctx c = {.cell = cellid, .month = r->month, .req = req, .unr = unr};
    int64_t hour = r->time >= 0 ? r->time / 3600 : (r->time - 3599) / 3600;
    bool isnew;
    if (sess) {
        /* A session id is one session while active (and within a month). */
        c.sess = bl__mix(sess, (uint64_t)r->month);
        /* Idle sessions are swept with their items, so an id seen again
         * after SESSION_IDLE starts a new session. */
        ss_ent *s = bl__u64map_put(&h->ss, c.sess, &isnew);
        if (!s)
            return BL_NOMEM;
        if (r->time > s->last)
            s->last = r->time;
        if (isnew && s->last < h->ss_min_last)
            h->ss_min_last = s->last;
        c.si = bl__mix(c.sess, bl__mix((uint64_t)res, item_h));
    } else {
        c.si = bl__mix(bl__mix(user, (uint64_t)hour), bl__mix((uint64_t)res, item_h));
        c.si_expire = (hour + 1) * 3600 + WINDOW + DOUBLE_CLICK;
    }
    if (rs->quota) {
        c.pq = bl__mix(bl__mix(patron, (uint64_t)res), (uint64_t)r->month);
        pq_ent *p = bl__u64map_put(&h->pq, c.pq, &isnew);
        if (!p)
            return BL_NOMEM;
        p->res = res;
        p->month = r->month;
        p->patron = patron;
        if (p->month < h->pq_min_month)
            h->pq_min_month = p->month;
    }

    /* Distinct users of the library this month. */
    uint64_t skk = ((uint64_t)(lib + 2) << 32) | (uint64_t)r->month;
    sk_ent *se = bl__u64map_put(&h->sketches, skk, &isnew);
    if (!se)
        return BL_NOMEM;
    if (isnew) {
        sketch *s = calloc(1, sizeof *s);
        if (h->nsk == h->sk_alloc) {
            size_t na = h->sk_alloc ? h->sk_alloc * 2 : 16;
            sketch **ns = realloc(h->sk, na * sizeof *ns);
            if (!ns) {
                free(s);
                s = NULL;
            } else {
                h->sk = ns;
                h->sk_alloc = na;
            }
        }
        if (!s) {
            bl__u64map_del_at(&h->sketches, (size_t)(((unsigned char *)se - h->sketches.slots) /
                                                     h->sketches.esize));
            return BL_NOMEM;
        }
        s->lib = lib;
        s->month = r->month;
        h->sk[h->nsk++] = s;
        se->s = s;
    }
    bl__hll_add(se->s->reg, patron);

    /* The double-click filter. */
    uint64_t url_h = bl__fhash(h->subject, sl, 0x71);
    uint64_t dck = bl__mix(user, url_h);
    dc_ent *d = bl__u64map_put(&h->dc, dck, &isnew);
    if (!d)
        return BL_NOMEM;
    if (!isnew && r->time >= d->t && r->time - d->t <= DOUBLE_CLICK) {
        /* Within 30 s of the previous click: that one is dropped. */
        if ((rc = uncount_hit(h, d)) != BL_OK)
            return rc;
    } else if (!isnew && r->time < d->t) {
        /* A late line (merged logs): earlier than the click we keep. */
        if (d->t - r->time <= DOUBLE_CLICK)
            return BL_OK;
        return count_hit(h, &c);
    }
    d->t = r->time;
    if (d->t < h->dc_min_t)
        h->dc_min_t = d->t;
    d->si = c.si;
    d->pq = c.pq;
    d->cell = c.cell;
    d->month = c.month;
    d->req = c.req;
    d->unr = c.unr;
    return count_hit(h, &c);
}

/* ---- the end of a file ---------------------------------------------------------------- */

bl_status bl__hits_flush(bl_hits *h)
{
    for (size_t i = 0; i < h->ctr.cap; i++) {
        ctr_ent *e = bl__u64map_at(&h->ctr, i);
        if (!e->key || e->value == 0)
            continue;
        const cell *c = &h->cells[e->key >> 32];
        int month = (int)((e->key & 0xffffffffu) >> 3);
        int metric = (int)(e->key & 7);
        bl_cell bc = {
            .library_id = c->lib >= 0 ? h->lib_ids[c->lib] : NULL,
            .resource_id = h->res[c->res].id,
            .institution_id = bl_sv_from(""),
            .institution = bl_sv_from(c->inst),
            .platform = bl_sv_from(c->host),
            .database = bl_sv_from(""),
            .month = month,
            .metric = METRIC[metric],
            .access_method = bl_sv_from(""),
        };
        bl_status rc = bl__agg_add(h->agg, &bc, e->value);
        if (rc != BL_OK)
            return rc;
    }
    bl__u64map_clear(&h->ctr);
    return BL_OK;
}

void bl__hits_lines(bl_hits *h, unsigned long lines)
{
    h->n_lines = (long long)lines;
}

/* "YYYY-MM-DD HH:MM:SS" of a log time. */
static void fmt_time(int64_t t, char out[24])
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t s = t - days * 86400;
    int y, m, d;
    bl_civil_from_days(days, &y, &m, &d);
    snprintf(out, 24, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(s / 3600), (int)(s / 60 % 60),
             (int)(s % 60));
}

bl_status bl__hits_check_overlap(bl_hits *h, char *why, size_t n)
{
    bool fed = false;
    for (size_t i = 0; i < h->nres; i++)
        fed |= h->res_fed[i];
    if (!h->any || !fed)
        return BL_OK;
    sqlite3 *db = h->st->db;
    sqlite3_stmt *qs = NULL, *qr = NULL;
    bl_status rc = BL_OK;
    /* Overlapping by more than the reordering window: consecutive files
     * whose boundary lines interleave a little are not an overlap. */
    if (sqlite3_prepare_v2(db,
                           "SELECT id, path, time_first, time_last FROM source"
                           " WHERE family = 20 AND removed_at IS NULL AND time_first IS NOT NULL"
                           " AND MIN(time_last, ?2) - MAX(time_first, ?1) > ?3 ORDER BY id",
                           -1, &qs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT DISTINCT resource_id FROM usage WHERE source_id = ?"
                           " AND resource_id IS NOT NULL",
                           -1, &qr, NULL) != SQLITE_OK) {
        rc = bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_int64(qs, 1, h->t_first);
    sqlite3_bind_int64(qs, 2, h->t_last);
    sqlite3_bind_int64(qs, 3, WINDOW);
    while (rc == BL_OK && sqlite3_step(qs) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(qs, 0);
        sqlite3_bind_int64(qr, 1, id);
        const char *shared = NULL;
        while (!shared && sqlite3_step(qr) == SQLITE_ROW) {
            const char *rid = (const char *)sqlite3_column_text(qr, 0);
            for (size_t i = 0; i < h->nres && !shared; i++)
                if (h->res_fed[i] && strcmp(h->res[i].id, rid) == 0)
                    shared = h->res[i].id;
        }
        sqlite3_reset(qr);
        if (!shared)
            continue;
        char a1[24], a2[24], b1[24], b2[24];
        fmt_time(sqlite3_column_int64(qs, 2), a1);
        fmt_time(sqlite3_column_int64(qs, 3), a2);
        fmt_time(h->t_first, b1);
        fmt_time(h->t_last, b2);
        snprintf(why, n,
                 "its hits (%s..%s) overlap those of log #%lld '%s' (%s..%s) on resource '%s':"
                 " the same hits would be counted twice (--force to ingest it anyway)",
                 b1, b2, id, (const char *)sqlite3_column_text(qs, 1), a1, a2, shared);
        rc = bl__store_fail(h->st, BL_DATA, "%s", why);
    }
out:
    sqlite3_finalize(qs);
    sqlite3_finalize(qr);
    return rc;
}

/* ---- per-patron quotas across files ------------------------------------------------ */

/* The month index of today (UTC). */
static int current_month(void)
{
    int64_t days = (int64_t)time(NULL) / 86400;
    int y, m, d;
    bl_civil_from_days(days, &y, &m, &d);
    return bl_month_index(y, m);
}

/* A month is closed once it ended more than two full months before today
 * (March is closed from the 1st of June): its quota figures are final and
 * its per-patron rows and key are deleted (docs/logs.md). */
static bool month_closed(int month, int now)
{
    return month + 3 <= now;
}

/* The month's pseudonym key from meta, created at its first use. */
static bl_status month_key(bl_store *st, int month, uint8_t key[16])
{
    char name[32], mtxt[8];
    bl_month_format(month, mtxt);
    snprintf(name, sizeof name, "quota_key:%s", mtxt);
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?", -1, &q, NULL) !=
        SQLITE_OK)
        return bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 16) {
        memcpy(key, sqlite3_column_blob(q, 0), 16);
        sqlite3_finalize(q);
        return BL_OK;
    }
    sqlite3_finalize(q);
    FILE *f = fopen("/dev/urandom", "rb");
    bool ok = f && fread(key, 1, 16, f) == 16;
    if (f)
        fclose(f);
    if (!ok)
        return bl__store_fail(st, BL_IO, "cannot read /dev/urandom");
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", -1, &q,
                           NULL) != SQLITE_OK)
        return bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(q, 2, key, 16, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    sqlite3_finalize(q);
    return rc;
}

/* quota_excess of every (resource, month) with per-patron rows, from the sum
 * of each pseudonym's uses over the sources not removed; then the months
 * now closed lose their per-patron rows and key, their figures kept. */
static bl_status quota_recompute(bl_store *st)
{
    static const char SQL[] =
        "DELETE FROM quota_excess WHERE source_id IN"
        " (SELECT id FROM source WHERE removed_at IS NOT NULL);\n"
        "DELETE FROM quota_excess WHERE EXISTS (SELECT 1 FROM quota_use u"
        " WHERE u.resource_id = quota_excess.resource_id AND u.month = quota_excess.month);\n"
        "INSERT INTO quota_excess(source_id, resource_id, month, quota, patrons, extra_units)"
        " SELECT MAX(p.src), p.resource_id, p.month, f.per_patron_monthly_quota,"
        "  SUM(p.uses > f.per_patron_monthly_quota),"
        "  SUM(MAX(p.uses - f.per_patron_monthly_quota, 0))"
        " FROM forfait f JOIN (SELECT u.resource_id, u.month, u.metric, SUM(u.uses) AS uses,"
        "   MAX(u.source_id) AS src FROM quota_use u JOIN source s ON s.id = u.source_id"
        "   WHERE s.removed_at IS NULL GROUP BY u.resource_id, u.month, u.metric, u.pseudonym) p"
        "  ON p.resource_id = f.resource_id AND p.metric = f.metric"
        "  AND p.month BETWEEN substr(f.start, 1, 7) AND substr(f.end, 1, 7)"
        " WHERE f.per_patron_monthly_quota IS NOT NULL"
        " GROUP BY f.id, p.resource_id, p.month;";
    bl_status rc = bl__exec(st, SQL);
    if (rc != BL_OK)
        return rc;
    char cut[8];
    bl_month_format(current_month() - 3, cut);
    sqlite3_stmt *q1 = NULL, *q2 = NULL;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM quota_use WHERE month <= ?", -1, &q1, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "DELETE FROM meta WHERE key LIKE 'quota_key:%' AND substr(key, 11) <= ?",
                           -1, &q2, NULL) != SQLITE_OK) {
        rc = bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    } else {
        sqlite3_bind_text(q1, 1, cut, -1, SQLITE_STATIC);
        sqlite3_bind_text(q2, 1, cut, -1, SQLITE_STATIC);
        if (sqlite3_step(q1) != SQLITE_DONE || sqlite3_step(q2) != SQLITE_DONE)
            rc = bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    }
    sqlite3_finalize(q1);
    sqlite3_finalize(q2);
    return rc;
}

bl_status bl__quota_refresh(bl_store *st)
{
    return quota_recompute(st);
}

/* Writes each patron's uses of this file under the month's pseudonym
 * (open months), or folds them into this file's own excess (a late file
 * of a closed month, whose other files' patrons are forgotten). */
static bl_status write_quota_use(bl_hits *h, long long source_id)
{
    sqlite3 *db = h->st->db;
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    int now = current_month();
    int key_month = -1;
    uint8_t key[16];
    char month[8];
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO quota_use(source_id, resource_id, month, metric,"
                           " pseudonym, uses) VALUES (?,?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
    for (size_t i = 0; i < h->pq.cap && rc == BL_OK; i++) {
        const pq_ent *p = bl__u64map_at(&h->pq, i);
        if (!p->key)
            continue;
        if (month_closed(p->month, now)) {
            fold_patron(h, p);
            continue;
        }
        uint64_t pseudo = 0;
        bool have = false;
        for (size_t r = 0; r < h->nrules && rc == BL_OK; r++) {
            const quota_rule *qr = &h->rules[r];
            if (qr->res != p->res || p->month < qr->from || p->month > qr->to ||
                p->n[qr->metric] <= 0)
                continue;
            bool dup = false; /* two forfaits on one metric: its uses once */
            for (size_t k = 0; k < r && !dup; k++)
                dup = h->rules[k].res == p->res && h->rules[k].metric == qr->metric &&
                      p->month >= h->rules[k].from && p->month <= h->rules[k].to;
            if (dup)
                continue;
            if (!have) {
                if (key_month != p->month) {
                    if ((rc = month_key(h->st, p->month, key)) != BL_OK)
                        break;
                    key_month = p->month;
                }
                pseudo = bl_siphash(key, &p->patron, sizeof p->patron);
                have = true;
            }
            uint8_t blob[8];
            memcpy(blob, &pseudo, 8);
            bl_month_format(p->month, month);
            sqlite3_bind_int64(q, 1, source_id);
            sqlite3_bind_text(q, 2, h->res[p->res].id, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, month, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 4, METRIC[qr->metric], -1, SQLITE_STATIC);
            sqlite3_bind_blob(q, 5, blob, 8, SQLITE_TRANSIENT);
            sqlite3_bind_int64(q, 6, p->n[qr->metric]);
            if (sqlite3_step(q) != SQLITE_DONE)
                rc = bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
            sqlite3_reset(q);
        }
    }
    memset(key, 0, sizeof key);
    sqlite3_finalize(q);
    return rc;
}

static const unr_range *unr_sort_base; /* qsort has no context argument */

static int unr_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int64_t ea = unr_sort_base[a].events, eb = unr_sort_base[b].events;
    if (ea != eb)
        return ea > eb ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* The log ledger: the source's log_* columns and time span, its
 * rows_accepted / rows_unattributed as events, and the unattributed ranges. */
static bl_status write_ledger(bl_hits *h, long long source_id, bl_log_stats *st)
{
    sqlite3 *db = h->st->db;
    sqlite3_stmt *qs = NULL, *qr = NULL;
    bl_status rc = BL_OK;
    *st = (bl_log_stats){.lines = h->n_lines,
                         .events = h->n_events,
                         .robot = h->n_robot,
                         .status = h->n_status,
                         .not_resource = h->n_not_resource,
                         .static_ = h->n_static,
                         .unattributed = h->n_unattributed,
                         .time_first = h->t_first,
                         .time_last = h->t_last};
    if (sqlite3_prepare_v2(db,
                           "UPDATE source SET log_lines = ?2, log_events = ?3, log_robot = ?4,"
                           " log_status = ?5, log_not_resource = ?6, log_static = ?7,"
                           " log_unattributed = ?8, time_first = ?9, time_last = ?10,"
                           " rows_accepted = ?3, rows_unattributed = ?8 WHERE id = ?1",
                           -1, &qs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO unattributed_range(source_id, range, events)"
                           " VALUES (?,?,?)",
                           -1, &qr, NULL) != SQLITE_OK) {
        rc = bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_int64(qs, 1, source_id);
    long long v[] = {st->lines,        st->events,  st->robot,       st->status,
                     st->not_resource, st->static_, st->unattributed};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_int64(qs, i + 2, v[i]);
    if (h->any) {
        sqlite3_bind_int64(qs, 9, h->t_first);
        sqlite3_bind_int64(qs, 10, h->t_last);
    }
    if (sqlite3_step(qs) != SQLITE_DONE) {
        rc = bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
        goto out;
    }
    /* The ranges with most events first (ties: in order of appearance);
     * past UNR_STORED, they are summed into "other". */
    size_t *ix = malloc(h->nunr * sizeof *ix);
    if (!ix) {
        rc = BL_NOMEM;
        goto out;
    }
    size_t k = 0;
    for (size_t i = 1; i < h->nunr; i++)
        if (h->unr[i].events > 0)
            ix[k++] = i;
    unr_sort_base = h->unr;
    qsort(ix, k, sizeof *ix, unr_cmp);
    int64_t other = h->unr[0].events;
    for (size_t j = 0; j <= k && rc == BL_OK; j++) {
        char txt[64];
        int64_t ev;
        if (j < k && j < UNR_STORED) {
            const unr_range *u = &h->unr[ix[j]];
            ev = u->events;
            if (u->family == 4)
                snprintf(txt, sizeof txt, "%u.%u.%u.0/24", u->net[0], u->net[1], u->net[2]);
            else
                snprintf(txt, sizeof txt, "%x:%x:%x::/48", u->net[0] << 8 | u->net[1],
                         u->net[2] << 8 | u->net[3], u->net[4] << 8 | u->net[5]);
        } else if (j < k) {
            other += h->unr[ix[j]].events;
            continue;
        } else if (other > 0) {
            ev = other;
            snprintf(txt, sizeof txt, "other");
        } else {
            break;
        }
        sqlite3_bind_int64(qr, 1, source_id);
        sqlite3_bind_text(qr, 2, txt, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(qr, 3, ev);
        if (sqlite3_step(qr) != SQLITE_DONE)
            rc = bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
        sqlite3_reset(qr);
    }
    free(ix);
out:
    sqlite3_finalize(qs);
    sqlite3_finalize(qr);
    return rc;
}

bl_status bl__hits_finish(bl_hits *h, long long source_id, long *out_of_order, bl_log_stats *stats)
{
    *out_of_order = h->out_of_order;
    sweep(h, true);
    sqlite3 *db = h->st->db;
    sqlite3_stmt *qs = NULL, *qq = NULL;
    bl_status rc;
    if ((rc = write_ledger(h, source_id, stats)) != BL_OK ||
        (rc = write_quota_use(h, source_id)) != BL_OK)
        goto out;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO user_sketch(source_id, library_id, month, sketch)"
                           " VALUES (?,?,?,?)",
                           -1, &qs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO quota_excess(source_id, resource_id, month, quota,"
                           " patrons, extra_units) VALUES (?,?,?,?,?,?)",
                           -1, &qq, NULL) != SQLITE_OK) {
        rc = bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
        goto out;
    }
    uint8_t blob[BL_HLL_BLOB];
    char month[8];
    for (size_t i = 0; i < h->nsk; i++) {
        const sketch *s = h->sk[i];
        bl__hll_serialize(s->reg, blob);
        bl_month_format(s->month, month);
        sqlite3_bind_int64(qs, 1, source_id);
        if (s->lib >= 0)
            sqlite3_bind_text(qs, 2, h->lib_ids[s->lib], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(qs, 2);
        sqlite3_bind_text(qs, 3, month, -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(qs, 4, blob, sizeof blob, SQLITE_TRANSIENT);
        if (sqlite3_step(qs) != SQLITE_DONE) {
            rc = bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
            goto out;
        }
        sqlite3_reset(qs);
    }
    for (size_t i = 0; i < h->qx.cap; i++) {
        qx_ent *x = bl__u64map_at(&h->qx, i);
        if (!x->key)
            continue;
        const quota_rule *q = &h->rules[x->rule];
        bl_month_format(x->month, month);
        sqlite3_bind_int64(qq, 1, source_id);
        sqlite3_bind_text(qq, 2, h->res[q->res].id, -1, SQLITE_STATIC);
        sqlite3_bind_text(qq, 3, month, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(qq, 4, q->quota);
        sqlite3_bind_int64(qq, 5, x->patrons);
        sqlite3_bind_int64(qq, 6, x->extra);
        if (sqlite3_step(qq) != SQLITE_DONE) {
            rc = bl__store_fail(h->st, BL_IO, "%s", sqlite3_errmsg(db));
            goto out;
        }
        sqlite3_reset(qq);
    }
    if (h->nrules)
        rc = quota_recompute(h->st);
out:
    sqlite3_finalize(qs);
    sqlite3_finalize(qq);
    return rc;
}

void bl__hits_free(bl_hits *h)
{
    if (!h)
        return;
    bl__names_free(&h->names);
    for (size_t i = 0; i < h->nlib; i++)
        free(h->lib_ids[i]);
    free(h->lib_ids);
    free(h->ranges);
    for (size_t i = 0; i < h->nres; i++) {
        free(h->res[i].id);
        pcre2_code_free(h->res[i].url);
        pcre2_code_free(h->res[i].req);
        pcre2_match_data_free(h->res[i].md);
        free(h->res[i].req_lit);
    }
    free(h->res);
    pcre2_code_free(h->prefilter);
    pcre2_match_data_free(h->pre_md);
    pcre2_match_data_free(h->req_md);
    pcre2_code_free(h->robots);
    pcre2_match_data_free(h->rob_md);
    free(h->rules);
    for (size_t i = 0; i < h->ncells; i++) {
        free(h->cells[i].inst);
        free(h->cells[i].host);
    }
    free(h->cells);
    bl__strmap_free(&h->cell_ids, NULL);
    bl__u64map_release(&h->dc);
    bl__u64map_release(&h->si);
    bl__u64map_release(&h->ss);
    bl__u64map_release(&h->pq);
    bl__u64map_release(&h->qx);
    bl__u64map_release(&h->ctr);
    bl__u64map_release(&h->robot_cache);
    bl__u64map_release(&h->range_map);
    free(h->ipc);
    free(h->ua);
    bl__u64map_release(&h->cell_cache);
    bl__u64map_release(&h->sketches);
    bl__u64map_release(&h->unr_map);
    free(h->unr);
    free(h->res_fed);
    for (size_t i = 0; i < h->nsk; i++)
        free(h->sk[i]);
    free(h->sk);
    /* The secret never outlives the handle in memory. */
    memset(h->key, 0, sizeof h->key);
    bl_buf_release(&h->tmp);
    free(h);
}
