/* Internal pieces of the access-log rules (docs/logs.md), shared by their
 * files: hits.c (the per-hit rules: attribution, robots, sessions and unique
 * items, double clicks, distinct users), log_load.c (compiling what the rules
 * match with), log_quota.c (per-patron quotas), log_results.c (what the
 * store keeps of a file); the state they share (struct bl_hits); a
 * u64-keyed hash table with deletion (the expiring state of double clicks
 * and sessions, hits_map.c) and a fast non-keyed string hash for in-memory
 * caches. HyperLogLog: bilan/aggregate.h. */
#ifndef BILAN_HITS_INTERNAL_H
#define BILAN_HITS_INTERNAL_H

#include "bilan/aggregate.h"
#include "strmap.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include "bilan/pcre.h"
#include <string.h>

/* ---- u64 map ------------------------------------------------------------------ */

/* Open addressing, linear probing, backward-shift deletion. Each slot is
 * esize bytes starting with its uint64_t key (0 marks an empty slot, so a
 * key of 0 is stored as 1). Element pointers are valid until the next put. */
typedef struct bl_u64map {
    unsigned char *slots;
    size_t cap, count, esize;
} bl_u64map;

void bl__u64map_init(bl_u64map *m, size_t esize);
static inline void *bl__u64map_at(const bl_u64map *m, size_t i)
{
    return m->slots + i * m->esize;
}
static inline uint64_t bl__u64map_key_at(const bl_u64map *m, size_t i)
{
    uint64_t k;
    __builtin_memcpy(&k, m->slots + i * m->esize, sizeof k);
    return k;
}
static inline size_t bl__u64map_home(const bl_u64map *m, uint64_t k)
{
    /* Keys are often structured (cell << 32 | month...): mix every bit in. */
    k ^= k >> 33;
    k *= 0xFF51AFD7ED558CCDull;
    k ^= k >> 33;
    return (size_t)k & (m->cap - 1);
}
/* Doubles the table (64 slots at first); false when out of memory. */
bool bl__u64map_grow(bl_u64map *m);
/* An empty table given cap slots at once (a power of two; at most 64: left
 * to grow), so that it need not double its way there; false when out of
 * memory (the table is then as before, and grows as it fills). */
bool bl__u64map_reserve(bl_u64map *m, size_t cap);
/* get and put are inline: several run for every hit of a log. */
static inline void *bl__u64map_get(const bl_u64map *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    if (key == 0)
        key = 1;
    for (size_t i = bl__u64map_home(m, key);; i = (i + 1) & (m->cap - 1)) {
        uint64_t k = bl__u64map_key_at(m, i);
        if (k == key)
            return bl__u64map_at(m, i);
        if (k == 0)
            return NULL;
    }
}
/* Finds or inserts key (a new element is zeroed but for its key); NULL when
 * out of memory. *isnew says which. */
static inline void *bl__u64map_put(bl_u64map *m, uint64_t key, bool *isnew)
{
    if (key == 0)
        key = 1;
    if ((m->count + 1) * 4 > m->cap * 3 && !bl__u64map_grow(m))
        return NULL;
    size_t i = bl__u64map_home(m, key);
    for (;; i = (i + 1) & (m->cap - 1)) {
        uint64_t k = bl__u64map_key_at(m, i);
        if (k == key) {
            *isnew = false;
            return bl__u64map_at(m, i);
        }
        if (k == 0)
            break;
    }
    unsigned char *e = bl__u64map_at(m, i);
    __builtin_memset(e, 0, m->esize);
    __builtin_memcpy(e, &key, sizeof key);
    m->count++;
    *isnew = true;
    return e;
}
/* Deletes the element at slot i. Returns true when another element moved
 * into slot i (so that a scan must look at slot i again). */
bool bl__u64map_del_at(bl_u64map *m, size_t i);
/* Deletes every element gone() says, in one pass over the table: each
 * survivor moves back at most once, where one deletion at a time would
 * shift the elements after each (a sweep of expired state deletes most).
 * esize is the table's element size (m->esize), a constant at each call:
 * inlined there with gone(), the sweep moves elements without calling the
 * C library and tests expiry without an indirect call (docs/bench.md,
 * 2 December, later). */
static inline __attribute__((always_inline)) void
bl__u64map_sweep(bl_u64map *m, size_t esize, bool (*gone)(void *e, void *ctx), void *ctx)
{
    if (!m->count)
        return;
    size_t mask = m->cap - 1, s = 0;
    unsigned char *slots = m->slots;
    /* From a slot empty before the sweep: no probe chain crosses it, so
     * every element's home lies between it and the element. */
    while (bl__u64map_key_at(m, s))
        s++;
    for (size_t n = 1; n < m->cap; n++) {
        size_t i = (s + n) & mask;
        unsigned char *e = slots + i * esize;
        uint64_t k;
        __builtin_memcpy(&k, e, sizeof k);
        if (!k)
            continue;
        if (gone(e, ctx)) {
            __builtin_memset(e, 0, esize);
            m->count--;
            continue;
        }
        /* A survivor moves back to the first empty slot from its home, if
         * a deletion made one before it: the chains stay unbroken. */
        size_t j = bl__u64map_home(m, k);
        while (j != i && bl__u64map_key_at(m, j))
            j = (j + 1) & mask;
        if (j != i) {
            __builtin_memcpy(slots + j * esize, e, esize);
            __builtin_memset(e, 0, esize);
        }
    }
}
void bl__u64map_clear(bl_u64map *m);
void bl__u64map_release(bl_u64map *m);

/* Does s[0..n) contain needle[0..m)? (hits.c: the plain-string
 * request_pattern's test, on every resource hit.) */
bool bl__contains(const char *s, size_t n, const char *needle, size_t m);

/* ---- hashing ----------------------------------------------------------------------- */

static inline uint64_t bl__mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ (b + 0x9E3779B97F4A7C15ull + (a << 6) + (a >> 2));
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return x;
}

/* ---- the robots list's literal prefilter (robots_pre.c) --------------------------- */

/* What the robots patterns require of a user agent: false when none of them
 * can match it (its answer is the regex's), true when the regex decides. */
typedef struct bl_robots_pre bl_robots_pre;
bl_status bl__robots_pre_build(const char *const *pats, size_t n, bl_robots_pre **out);
bool bl__robots_pre_maybe(const bl_robots_pre *p, const char *agent, size_t n);
void bl__robots_pre_free(bl_robots_pre *p);

/* ---- the state of one file's rules ------------------------------------------------- */

#define WINDOW BL_LOG_WINDOW /* tolerated disorder, seconds */
#define DOUBLE_CLICK 30      /* seconds */
#define SESSION_IDLE 1800    /* a session id unseen this long starts afresh */
#define CACHE_MAX 200000     /* entries per cache before it is emptied */
#define MAX_WILD 3           /* resources without a literal start for by_literal */
#define MAX_SUBJECT (70 * 1024)
#define SWEEP_EVERY 600 /* seconds of log time between sweeps */
#define IPC_SIZE 8192   /* direct-mapped IP -> library cache (fits in L2) */
#define MAX_PLENS 64    /* distinct (family, prefix length) pairs looked up */
#define UNR_MAX 16384   /* unattributed ranges told apart; more go to "other" */
#define PSC_SIZE 4096   /* direct-mapped pseudonym caches (SipHash is the dearest step) */
#define UNR_STORED 1000 /* ranges stored per source, most events first; the rest: "other" */

enum { M_TII, M_TIR, M_UII, M_UIR, M__COUNT };
/* The metric names of M_*, in that order. */
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
    size_t req_len;
} resource;

typedef struct range {
    bl_cidr cidr;
    int lib;
} range;

typedef struct plen { /* a (family, prefix length) some range has */
    int family, prefix;
} plen;

typedef struct ipc_ent { /* IP cache slot: full 64-bit hash of the text */
    uint64_t key;
    int32_t lib;
    uint32_t unr; /* lib < 0: the unattributed range (index + 1), 0 when none */
} ipc_ent;

/* A pseudonym remembered with the exact input it was made from. */
typedef struct psc_ent {
    uint64_t a, b; /* anonymous: the IP's and the agent's hashes; login, session: the hash, 0 */
    uint64_t out;
    bool used;
} psc_ent;

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
    uint32_t unr; /* unattributed range index + 1 in its file's table, 0 when none */
    uint32_t gen; /* the file that counted it */
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
    uint32_t inv_gen, req_gen; /* the files that counted its unique item */
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

typedef struct ctr_ent { /* local roll-up: (cell, month) -> count per metric */
    uint64_t key;
    int64_t value[M__COUNT];
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

/* One file's results while they may still change: its counts, its ledger,
 * sketches, quota uses and unattributed ranges. When one command ingests
 * logs that follow each other in time, the rules' state (double clicks,
 * sessions) goes on across them, so a file's last clicks can be taken back
 * by the next file's first lines: a file stays pending until no live state
 * refers to it (docs/logs.md, "Several files in one command"). Each count
 * goes to the file of the hit that made it, so no file's cell goes
 * negative. */
typedef struct hfile {
    uint32_t gen;
    bl_cell_fn emit;
    void *emit_ctx;
    bl_u64map ctr, pq, qx, sketches;
    sketch **sk;
    size_t nsk, sk_alloc;
    bool any;
    int64_t t_first, t_last;
    long out_of_order;
    long long n_lines, n_events, n_robot, n_status, n_not_resource, n_static, n_unattributed;
    bool *res_fed;     /* per resource: at least one event counted */
    bl_u64map unr_map; /* range key -> index in unr */
    unr_range *unr;
    size_t nunr, unr_alloc;
} hfile;

/* A change a line of the current file made to an earlier pending file,
 * undone when the current file is refused. */
typedef struct undo_ent {
    uint32_t gen;
    uint8_t kind, metric;
    uint64_t key;
    int64_t delta;
} undo_ent;

struct bl_hits {
    /* A file's results detached from the rules (bl_hits_detach): out and
     * the read-only tables below it shares with its rules, nothing else. */
    bool view;
    char *err; /* bl_hits_open's message buffer */
    size_t errlen;
    uint8_t key[16];
    const bl_names *names;
    char **lib_ids;
    size_t nlib;
    bl_strmap lib_map; /* library id -> index + 1 (as a pointer value) */
    range *ranges;
    size_t nranges;
    /* Ranges by (family, prefix, network): the most specific range holding
     * an address is found with one probe per prefix length, longest first,
     * instead of a scan of every range. */
    bl_u64map range_map;
    plen plens[MAX_PLENS];
    int nplens; /* -1: too many lengths, scan the ranges */
    ipc_ent *ipc;
    psc_ent *psc; /* 3 x PSC_SIZE: anonymous, login, session pseudonyms */
    resource *res;
    size_t nres;
    pcre2_code *prefilter; /* every url_pattern at once: most hits match none */
    bool pre_jit, rob_jit; /* prefilter, robots: JIT-compiled (jit_once) */
    pcre2_match_data *pre_md;
    bool pre_marks; /* its alternatives end with (*MARK:index) */
    /* by_literal: resources are tried one by one in order, but only those
     * a subject's first two bytes b0, b1 leave: the list at lit_list +
     * lit_off[lit_id[b0 | b1 << 8]], ended by -1. List 0 holds the
     * resources with a literal start shorter than two bytes and those with
     * none (at most MAX_WILD of them), which every other list holds too.
     * Otherwise (too many without a literal start) the prefilter. */
    bool by_literal;
    uint8_t *lit_id;
    uint32_t lit_off[256];
    int16_t *lit_list;
    size_t first_unanchored; /* index of the first url_pattern not anchored */
    pcre2_match_data *req_md;
    pcre2_code *robots;
    pcre2_match_data *rob_md;
    bl_robots_pre *rob_pre; /* NULL: every agent goes to the regex */
    /* Explicit matching limits for every pattern (docs/security.md): a
     * match that exceeds them is no answer, and the line is rejected. */
    bl_pcre_limits limits;
    int limit_rc;
    const char *cap;
    /* the cap per file exceeded (BL_RANGE), or NULL */ /* the first PCRE2 error of the current
                                                           line, 0 if none */
    unsigned long n_limit;                              /* lines rejected for it */
    quota_rule *rules;
    size_t nrules;
    cell *cells;
    size_t ncells, cells_alloc;
    bl_strmap cell_ids;    /* "lib\x1fres\x1finst\x1fhost" -> index + 1 */
    bl_u64map cell_cache;  /* hash of (lib, res, inst, host) -> index */
    uint64_t no_names_key; /* the names' part of that hash for empty inst and host */
    bl_u64map dc, ss, si, robot_cache;
    /* The files read and not yet stored, oldest first; the last is the
     * one being read (cur, NULL after bl_hits_abandon); out is the one the
     * result functions read. */
    hfile **files;
    size_t nfiles, files_alloc;
    hfile *cur, *out;
    uint32_t next_gen;
    undo_ent *undo;
    size_t nundo, undo_alloc;
    bool undo_failed; /* out of memory recording one: abandon cannot be exact */
    bool started;     /* tmax holds a time */
    int64_t tmax, last_sweep;
    /* Lower bounds on what a sweep would find expired, so that a sweep
     * skips the tables where nothing can be (hour-slice items expire once
     * an hour, not every ten minutes). */
    int64_t dc_min_t, si_min_expire, ss_min_last;
    bool si_has_sess;
    char subject[MAX_SUBJECT];
    bl_buf tmp;
};

/* ---- helpers on the per-hit path (inline: called for every line) ------------------- */

static inline int lib_index(bl_hits *h, const char *id)
{
    uintptr_t v = (uintptr_t)bl__strmap_get(&h->lib_map, id, strlen(id));
    return v ? (int)(v - 1) : -1;
}

/* The key of a network (family, prefix, masked address) in range_map. */
static inline uint64_t net_key(int family, int prefix, const uint8_t addr[16])
{
    uint8_t b[18] = {(uint8_t)family, (uint8_t)prefix};
    int full = prefix / 8, rest = prefix % 8;
    memcpy(b + 2, addr, (size_t)full);
    if (rest)
        b[2 + full] = addr[full] & (uint8_t)(0xFFu << (8 - rest));
    return bl_fhash(b, sizeof b, 0x1c);
}

/* bl_pcre_match (the JIT entry point when the pattern was JIT-compiled:
 * same result without the per-call checks; this runs several times per
 * line), under the explicit limits. A limit reached (or any error other
 * than no match) is kept in h->limit_rc and read as no match: the caller
 * rejects the line rather than guess. */
static inline int match(bl_hits *h, const pcre2_code *re, PCRE2_SPTR s, size_t n,
                        pcre2_match_data *md)
{
    int r = bl_pcre_match(&h->limits, re, (const char *)s, n, md);
    if (r < PCRE2_ERROR_NOMATCH && !h->limit_rc)
        h->limit_rc = r;
    return r;
}

/* JIT-compiles re before its first match: the robots list (327 patterns in
 * one alternation) and the resources' prefilter cost milliseconds to
 * JIT-compile, which a small log, or one whose agents the literal
 * prefilter answers, never needs. Always before the first match, so that
 * every match runs as it did when the JIT ran at load. */
static inline void jit_once(pcre2_code *re, bool *done)
{
    if (!*done) {
        *done = true;
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    }
}

/* ---- across files ----------------------------------------------------------------- */

/* log_load.c: the libraries with their ranges, the resources with their
 * patterns (and the prefilter), the robots list. BL_DATA with the message
 * in the caller's buffer when a pattern does not compile. */
bl_status bl__log_load_targets(bl_hits *h, const bl_log_network *net);
bl_status bl__log_load_robots(bl_hits *h, const bl_log_network *net);
/* log_quota.c: the per-patron quota rules; folding a patron of a closed
 * month into the file's own excess. */
bl_status bl__log_load_quotas(bl_hits *h, const bl_log_network *net);
void bl__fold_patron(bl_hits *h, hfile *f, const pq_ent *p);

/* A plain dotted quad as glibc's inet_pton reads it (false: anything else,
 * left to bl_ip_parse). */
bool bl__dotted_quad(bl_sv s, uint8_t addr[16]);

#endif
