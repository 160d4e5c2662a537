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
#include "hits_internal.h"

#include "bilan/i18n.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- loading ------------------------------------------------------------------ */

/* s[0..n) == t[0..n), for the few bytes the rules compare on every hit
 * (a literal's tail, a request string): a loop, not a memcmp call. */
static inline bool same_bytes(const char *s, const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != t[i])
            return false;
    return true;
}

/* Does s[0..n) contain needle[0..m)? Asked of every resource hit's URL
 * when a request_pattern is a plain string ("/lire/"). The candidates are
 * the positions where both the needle's first and last bytes match (a
 * URL's many '/' are not enough), 16 positions at a time with SSE2, the
 * rest one by one; glibc's memmem took more instructions on URLs. */
bool bl__contains(const char *s, size_t n, const char *needle, size_t m)
{
    if (m == 0)
        return true;
    if (n < m)
        return false;
    const char first = needle[0], lastc = needle[m - 1];
    size_t i = 0, npos = n - m + 1; /* positions 0 .. n-m */
#if defined(__SSE2__)
    const __m128i vf = _mm_set1_epi8(first), vl = _mm_set1_epi8(lastc);
    /* Both 16-byte loads end within s[0..n). */
    for (; i + 16 <= npos; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + m - 1));
        unsigned bits = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, vf), _mm_cmpeq_epi8(b, vl)));
        while (bits) {
            size_t k = i + (size_t)__builtin_ctz(bits);
            if (same_bytes(s + k + 1, needle + 1, m - 1))
                return true;
            bits &= bits - 1;
        }
    }
#endif
    for (; i < npos; i++)
        if (s[i] == first && s[i + m - 1] == lastc && same_bytes(s + i + 1, needle + 1, m - 1))
            return true;
    return false;
}

static void hfile_free(hfile *f)
{
    if (!f)
        return;
    bl__u64map_release(&f->ctr);
    bl__u64map_release(&f->pq);
    bl__u64map_release(&f->qx);
    bl__u64map_release(&f->sketches);
    for (size_t i = 0; i < f->nsk; i++)
        free(f->sk[i]);
    free(f->sk);
    free(f->res_fed);
    bl__u64map_release(&f->unr_map);
    free(f->unr);
    free(f);
}

/* A new file, the one being read from now on. */
static bl_status hfile_start(bl_hits *h, bl_cell_fn emit, void *emit_ctx)
{
    if (h->nfiles == h->files_alloc) {
        size_t na = h->files_alloc ? h->files_alloc * 2 : 4;
        hfile **nf = realloc(h->files, na * sizeof *nf);
        if (!nf)
            return BL_NOMEM;
        h->files = nf;
        h->files_alloc = na;
    }
    hfile *f = calloc(1, sizeof *f);
    if (!f)
        return BL_NOMEM;
    f->gen = h->next_gen++;
    f->emit = emit;
    f->emit_ctx = emit_ctx;
    bl__u64map_init(&f->ctr, sizeof(ctr_ent));
    bl__u64map_init(&f->pq, sizeof(pq_ent));
    bl__u64map_init(&f->qx, sizeof(qx_ent));
    bl__u64map_init(&f->sketches, sizeof(sk_ent));
    bl__u64map_init(&f->unr_map, sizeof(small_ent));
    /* The files of a command are alike (a portal's daily logs): each
     * starts with the room the one before it ended with, instead of
     * doubling its tables from nothing (their page faults and rehashing
     * were a daily file's largest fixed cost on the rules' thread). */
    const hfile *prev = h->nfiles ? h->files[h->nfiles - 1] : NULL;
    if (prev) {
        bl__u64map_reserve(&f->ctr, prev->ctr.cap);
        bl__u64map_reserve(&f->sketches, prev->sketches.cap);
        bl__u64map_reserve(&f->unr_map, prev->unr_map.cap);
    }
    f->nunr = 1; /* f->unr[0]: "other" */
    f->unr_alloc = prev && prev->unr_alloc > 64 ? prev->unr_alloc : 64;
    if (!(f->res_fed = calloc(h->nres + 1, sizeof *f->res_fed)) ||
        !(f->unr = calloc(f->unr_alloc, sizeof *f->unr))) {
        hfile_free(f);
        return BL_NOMEM;
    }
    h->files[h->nfiles++] = f;
    h->cur = h->out = f;
    h->nundo = 0;
    h->undo_failed = false;
    /* The IP cache holds indexes into the previous file's ranges table. */
    if (h->ipc)
        memset(h->ipc, 0, IPC_SIZE * sizeof *h->ipc);
    return BL_OK;
}

/* The pending file that counted gen, or NULL. */
static hfile *file_of(const bl_hits *h, uint32_t gen)
{
    if (h->cur && h->cur->gen == gen)
        return h->cur;
    for (size_t i = 0; i < h->nfiles; i++)
        if (h->files[i]->gen == gen)
            return h->files[i];
    return NULL;
}

/* The part of a cell's cache key its names make (an attributed hit has
 * none: h->no_names_key, computed once). */
static uint64_t cell_names_key(bl_sv inst, bl_sv host)
{
    return bl__mix(bl_fhash(inst.ptr, inst.len, 7), bl_fhash(host.ptr, host.len, 8));
}

bl_status bl_hits_open(const bl_log_network *net, const bl_names *names, bl_cell_fn emit,
                       void *emit_ctx, bl_hits **out, char *err, size_t errlen)
{
    *out = NULL;
    bl_hits *h = calloc(1, sizeof *h);
    if (!h)
        return BL_NOMEM;
    h->err = err;
    h->errlen = errlen;
    h->names = names;
    if (!bl_pcre_limits_init(&h->limits)) {
        free(h);
        return BL_NOMEM;
    }
    memcpy(h->key, net->key, sizeof h->key);
    h->tmp = BL_BUF_INIT(MAX_SUBJECT);
    bl__u64map_init(&h->dc, sizeof(dc_ent));
    h->dc_min_t = h->si_min_expire = h->ss_min_last = INT64_MAX;
    bl__u64map_init(&h->si, sizeof(si_ent));
    bl__u64map_init(&h->ss, sizeof(ss_ent));
    bl__u64map_init(&h->robot_cache, sizeof(small_ent));
    bl__u64map_init(&h->range_map, sizeof(small_ent));
    bl__u64map_init(&h->cell_cache, sizeof(small_ent));
    h->no_names_key = cell_names_key((bl_sv){"", 0}, (bl_sv){"", 0});
    bl_status rc;
    if ((rc = bl__log_load_targets(h, net)) || (rc = bl__log_load_quotas(h, net)) ||
        (rc = bl__log_load_robots(h, net)) || (rc = hfile_start(h, emit, emit_ctx)) ||
        (!(h->req_md = pcre2_match_data_create(1, NULL)) && (rc = BL_NOMEM))) {
        bl_hits_free(h);
        return rc;
    }
    h->err = NULL; /* the caller's buffer is not kept */
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
    /* An agent without any literal the patterns require cannot match. */
    int r = PCRE2_ERROR_NOMATCH;
    if (!h->rob_pre || bl__robots_pre_maybe(h->rob_pre, ua.ptr, ua.len)) {
        jit_once(h->robots, &h->rob_jit);
        r = match(h, h->robots, (PCRE2_SPTR)ua.ptr, ua.len, h->rob_md);
    }
    if (r < PCRE2_ERROR_NOMATCH)
        return false; /* no verdict: the line is rejected (h->limit_rc) */
    if (h->robot_cache.count >= CACHE_MAX)
        bl__u64map_clear(&h->robot_cache);
    bool isnew;
    if ((e = bl__u64map_put(&h->robot_cache, ua_h, &isnew)) != NULL)
        e->v = r >= 0;
    return r >= 0;
}

/* The common case of bl_ip_parse without its copy and inet_pton: a plain
 * dotted quad, accepted exactly as glibc's inet_pton accepts one (four
 * decimal octets up to 255, no leading zero). Anything else: false, and
 * bl_ip_parse decides. */
bool bl__dotted_quad(bl_sv s, uint8_t addr[16])
{
    if (s.len < 7 || s.len > 15)
        return false; /* "0.0.0.0" to "255.255.255.255" */
    const unsigned char *p = (const unsigned char *)s.ptr, *end = p + s.len;
    uint32_t a = 0;
    for (int k = 0;; k++) {
        unsigned v = (unsigned)*p++ - '0';
        if (v > 9)
            return false;
        if (p < end && (unsigned)*p - '0' <= 9) {
            if (v == 0)
                return false; /* a leading zero */
            v = v * 10 + (unsigned)(*p++ - '0');
            if (p < end && (unsigned)*p - '0' <= 9) {
                v = v * 10 + (unsigned)(*p++ - '0');
                if (v > 255)
                    return false;
            }
        }
        a |= v << (8 * k);
        if (k == 3)
            break;
        /* A fourth digit lands here too: not a dot. */
        if (p >= end || *p++ != '.' || p >= end)
            return false;
    }
    if (p != end)
        return false;
    memset(addr, 0, 16);
    for (int k = 0; k < 4; k++)
        addr[k] = (uint8_t)(a >> (8 * k));
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
    if (bl__dotted_quad(client, addr) ? (fam = 4, true) : bl_ip_parse(client, &fam, addr)) {
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
    /* The path ends at the first '?'. */
    const char *p = target.ptr, *end = target.len ? memchr(p, '?', target.len) : NULL;
    if (!end)
        end = p + target.len;
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
        h->cur->n_static++;
    else
        h->cur->n_not_resource++;
}

/* The /24 (IPv4) or /48 (IPv6) holding an unattributed address, as an index
 * + 1 into h->unr; index 0 is "other" (past UNR_MAX ranges, or out of
 * memory). Only the network is kept, never the address. */
static uint32_t unattributed_range(bl_hits *h, int fam, const uint8_t addr[16])
{
    hfile *f = h->cur;
    /* The network itself is the key: a family tag over its 3 or 6 bytes. */
    uint64_t key = (uint64_t)fam << 56;
    int nb = fam == 4 ? 3 : 6;
    for (int i = 0; i < nb; i++)
        key |= (uint64_t)addr[i] << (8 * (nb - 1 - i));
    small_ent *e = bl__u64map_get(&f->unr_map, key);
    if (e)
        return (uint32_t)e->v + 1;
    if (f->nunr >= UNR_MAX)
        return 1;
    if (f->nunr == f->unr_alloc) {
        size_t na = f->unr_alloc * 2;
        unr_range *n = realloc(f->unr, na * sizeof *n);
        if (!n)
            return 1;
        f->unr = n;
        f->unr_alloc = na;
    }
    bool isnew;
    if (!(e = bl__u64map_put(&f->unr_map, key, &isnew)))
        return 1;
    unr_range *u = &f->unr[f->nunr];
    memset(u, 0, sizeof *u);
    u->family = fam;
    memcpy(u->net, addr, (size_t)nb);
    e->v = (int32_t)f->nunr++;
    return (uint32_t)e->v + 1;
}

static bl_status intern_cell(bl_hits *h, int lib, int res, bl_sv inst, bl_sv host, uint32_t *id)
{
    /* Fast path: a 64-bit hash of the cell's parts (in memory only). */
    uint64_t names = !inst.len && !host.len ? h->no_names_key : cell_names_key(inst, host);
    uint64_t ck = bl__mix(bl__mix((uint64_t)(lib + 2), (uint64_t)res), names);
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
    if (h->ncells >= BL_CAP_LOG_CELLS) {
        h->cap = _("more than 100 000 distinct cells (library, resource and, for unattributed "
                   "usage, institution and host)");
        return BL_RANGE;
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

/* What an undo entry changed. */
enum { U_CTR, U_PQ, U_EVENTS, U_UNATTR, U_UNR };

/* A line of the current file changed an earlier pending file: remembered,
 * so that refusing the current file restores the earlier one. */
static void note_undo(bl_hits *h, const hfile *f, int kind, uint64_t key, int metric, int64_t d)
{
    if (f == h->cur)
        return;
    if (h->nundo == h->undo_alloc) {
        size_t na = h->undo_alloc ? h->undo_alloc * 2 : 64;
        undo_ent *nu = realloc(h->undo, na * sizeof *nu);
        if (!nu) {
            h->undo_failed = true;
            return;
        }
        h->undo = nu;
        h->undo_alloc = na;
    }
    h->undo[h->nundo++] = (undo_ent){f->gen, (uint8_t)kind, (uint8_t)metric, key, d};
}

/* The counts of (cell, month) in file f: one entry for the four metrics. */
static ctr_ent *ctr_of(hfile *f, uint32_t cellid, int month)
{
    bool isnew;
    return bl__u64map_put(&f->ctr, ((uint64_t)cellid << 32) | (uint32_t)month, &isnew);
}

static void ctr_add(bl_hits *h, hfile *f, ctr_ent *e, int metric, int64_t d)
{
    e->value[metric] += d;
    note_undo(h, f, U_CTR, e->key, metric, d);
}

static void pq_add(bl_hits *h, hfile *f, uint64_t pq, int metric, int64_t d)
{
    pq_ent *e = pq ? bl__u64map_get(&f->pq, pq) : NULL;
    if (e) {
        e->n[metric] += d;
        note_undo(h, f, U_PQ, pq, metric, d);
    }
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
    hfile *f = h->cur;
    const cell *ce = &h->cells[c->cell];
    f->n_events++;
    f->res_fed[ce->res] = true;
    if (ce->lib < 0)
        f->n_unattributed++;
    if (c->unr)
        f->unr[c->unr - 1].events++;
    ctr_ent *ct = ctr_of(f, c->cell, c->month);
    if (!ct)
        return BL_NOMEM;
    ctr_add(h, f, ct, M_TII, 1);
    if (c->req)
        ctr_add(h, f, ct, M_TIR, 1);
    pq_add(h, f, c->pq, M_TII, 1);
    if (c->req)
        pq_add(h, f, c->pq, M_TIR, 1);
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
        e->inv_gen = f->gen;
        ctr_add(h, f, ct, M_UII, 1);
        pq_add(h, f, e->pq, M_UII, 1);
    }
    if (c->req && e->req_refs++ == 0) {
        e->req_cell = c->cell;
        e->req_month = c->month;
        e->req_gen = f->gen;
        ctr_add(h, f, ct, M_UIR, 1);
        pq_add(h, f, e->pq, M_UIR, 1);
    }
    return BL_OK;
}

/* Takes back a hit counted earlier (the first click of a double click). */
/* Takes back a hit counted earlier (the first click of a double click),
 * from the file that counted it. */
static bl_status uncount_hit(bl_hits *h, const dc_ent *d)
{
    hfile *f = file_of(h, d->gen);
    if (!f)
        return BL_INTERNAL; /* a file is stored only once nothing refers to it */
    f->n_events--;
    note_undo(h, f, U_EVENTS, 0, 0, -1);
    if (h->cells[d->cell].lib < 0) {
        f->n_unattributed--;
        note_undo(h, f, U_UNATTR, 0, 0, -1);
    }
    if (d->unr) {
        f->unr[d->unr - 1].events--;
        note_undo(h, f, U_UNR, d->unr - 1, 0, -1);
    }
    ctr_ent *ct = ctr_of(f, d->cell, d->month);
    if (!ct)
        return BL_NOMEM;
    ctr_add(h, f, ct, M_TII, -1);
    if (d->req)
        ctr_add(h, f, ct, M_TIR, -1);
    pq_add(h, f, d->pq, M_TII, -1);
    if (d->req)
        pq_add(h, f, d->pq, M_TIR, -1);
    si_ent *e = bl__u64map_get(&h->si, d->si);
    if (!e)
        return BL_OK; /* its session already expired: its unique count stands */
    if (e->inv_refs > 0 && --e->inv_refs == 0) {
        hfile *fi = file_of(h, e->inv_gen);
        if (!fi)
            return BL_INTERNAL;
        if (!(ct = ctr_of(fi, e->inv_cell, e->inv_month)))
            return BL_NOMEM;
        ctr_add(h, fi, ct, M_UII, -1);
        pq_add(h, fi, e->pq, M_UII, -1);
    }
    if (d->req && e->req_refs > 0 && --e->req_refs == 0) {
        hfile *fr = file_of(h, e->req_gen);
        if (!fr)
            return BL_INTERNAL;
        if (!(ct = ctr_of(fr, e->req_cell, e->req_month)))
            return BL_NOMEM;
        ctr_add(h, fr, ct, M_UIR, -1);
        pq_add(h, fr, e->pq, M_UIR, -1);
    }
    return BL_OK;
}

/* A sweep's clock and the lower bounds it recomputes. */
typedef struct sweep_ctx {
    const bl_hits *h;
    int64_t now, min;
    bool has_sess;
} sweep_ctx;

/* An element last seen at t is gone once t + ttl has passed; else t may
 * be the table's new lower bound. */
static bool expired(sweep_ctx *c, int64_t t, int64_t ttl)
{
    if (t + ttl < c->now)
        return true;
    if (t < c->min)
        c->min = t;
    return false;
}

static bool dc_gone(void *e, void *c)
{
    return expired(c, ((const dc_ent *)e)->t, DOUBLE_CLICK + WINDOW);
}

/* A session id's items live as long as the session is active. */
static bool si_gone(void *e_, void *c_)
{
    const si_ent *e = e_;
    sweep_ctx *c = c_;
    if (e->sess) {
        const ss_ent *s = bl__u64map_get(&c->h->ss, e->sess);
        if (!s || s->last + SESSION_IDLE + WINDOW + DOUBLE_CLICK < c->now)
            return true;
        c->has_sess = true;
        return false;
    }
    return expired(c, e->expire, 0);
}

static bool ss_gone(void *e, void *c)
{
    return expired(c, ((const ss_ent *)e)->last, SESSION_IDLE + WINDOW + DOUBLE_CLICK);
}

/* Forgets the state that time has made final (all: every bit of it). */
static void sweep(bl_hits *h, bool all)
{
    int64_t now = h->tmax;
    if (all) {
        bl__u64map_clear(&h->dc);
        bl__u64map_clear(&h->si);
        bl__u64map_clear(&h->ss);
        h->dc_min_t = h->si_min_expire = h->ss_min_last = INT64_MAX;
        h->si_has_sess = false;
        h->last_sweep = now;
        return;
    }
    /* Each table is scanned only when its lower bound says that something
     * in it may have expired; the scan recomputes the bound. */
    if (h->dc_min_t < now - DOUBLE_CLICK - WINDOW) {
        sweep_ctx c = {h, now, INT64_MAX, false};
        bl__u64map_sweep(&h->dc, sizeof(dc_ent), dc_gone, &c);
        h->dc_min_t = c.min;
    }
    if (h->si_has_sess || h->si_min_expire < now) {
        sweep_ctx c = {h, now, INT64_MAX, false};
        bl__u64map_sweep(&h->si, sizeof(si_ent), si_gone, &c);
        h->si_min_expire = c.min;
        h->si_has_sess = c.has_sess;
    }
    if (h->ss_min_last < now - SESSION_IDLE - WINDOW - DOUBLE_CLICK) {
        sweep_ctx c = {h, now, INT64_MAX, false};
        bl__u64map_sweep(&h->ss, sizeof(ss_ent), ss_gone, &c);
        h->ss_min_last = c.min;
    }
    /* Per-patron counters stay until the end of the file: they are stored
     * (quota_use) so that a month's quota is judged over all its files. */
    h->last_sweep = now;
}

/* The first resource whose url_pattern matches subject[0..sl), or -1; *ov
 * and *group locate its (?<item>...) capture. Resources are tried in order
 * (the first match wins); literal starts and the prefilter only skip
 * resources that cannot match. */
static int match_resource(bl_hits *h, const char *subject, size_t sl, const PCRE2_SIZE **ov,
                          int *group)
{
    const PCRE2_SPTR subj = (PCRE2_SPTR)subject;
    if (h->by_literal) {
        /* Only the resources whose literal start the subject's first two
         * bytes allow, tried in order; those without one are in every
         * list, with nothing to skip them (head_mask 0). */
        uint64_t head;
        memcpy(&head, subject, 8); /* sl >= 8, or the copy's bytes past sl, masked off below */
        unsigned k = sl >= 2 ? (uint8_t)subject[0] | (unsigned)(uint8_t)subject[1] << 8 : 0;
        const int16_t *list = h->lit_list + h->lit_off[sl >= 2 ? h->lit_id[k] : 0];
        for (; *list >= 0; list++) {
            const resource *x = &h->res[*list];
            if (x->litlen <= sl && (head & x->head_mask) == x->head &&
                (x->litlen <= 8 || same_bytes(subject + 8, x->lit + 8, x->litlen - 8)) &&
                match(h, x->url, subj, sl, x->md) >= 0) {
                *ov = pcre2_get_ovector_pointer(x->md);
                *group = x->item_group;
                return *list;
            }
        }
        return -1;
    }
    if (h->prefilter)
        jit_once(h->prefilter, &h->pre_jit);
    if (h->prefilter && match(h, h->prefilter, subj, sl, h->pre_md) < 0)
        return -1;
    size_t cand = h->nres;
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
            if (!h->res[i].anchored && match(h, h->res[i].url, subj, sl, h->res[i].md) >= 0) {
                *ov = pcre2_get_ovector_pointer(h->res[i].md);
                *group = h->res[i].item_group;
                return (int)i;
            }
        /* The prefilter's own match is that resource's: its item group
         * comes after the groups of the alternatives before it. */
        *ov = pcre2_get_ovector_pointer(h->pre_md);
        *group = h->res[cand].item_group ? h->res[cand].group_base + h->res[cand].item_group : 0;
        return (int)cand;
    }
    for (size_t i = 0; i < h->nres; i++) {
        if (match(h, h->res[i].url, subj, sl, h->res[i].md) >= 0) {
            *ov = pcre2_get_ovector_pointer(h->res[i].md);
            *group = h->res[i].item_group;
            return (int)i;
        }
    }
    return -1;
}

/* Who clicked, as pseudonyms: SipHash keyed by the store's secret, in
 * memory only. COUNTER's user is the session id, else the login, else IP +
 * user agent; a patron (distinct users, quotas) is the login, else IP + user
 * agent. */
typedef struct who {
    uint64_t user, patron, sess;
} who;

/* SipHash of tag, a and (b_len 8) b; remembered in the tag's cache with its
 * exact input, since one patron makes many lines in a row. */
static uint64_t pseudonym(const bl_hits *h, int cache, char tag, uint64_t a, uint64_t b,
                          size_t b_len)
{
    psc_ent *e = &h->psc[cache * PSC_SIZE + (bl__mix(a, b) & (PSC_SIZE - 1))];
    if (e->used && e->a == a && e->b == b)
        return e->out;
    *e = (psc_ent){a, b, bl_siphash_tagged(h->key, tag, a, b_len ? &b : NULL), true};
    return e->out;
}

static who pseudonyms(const bl_hits *h, const bl_hit_rec *r, uint64_t ip_h, uint64_t ua_h)
{
    uint64_t anon = pseudonym(h, 0, 'a', ip_h, ua_h, 8);
    uint64_t login = 0, sess = 0;
    if (r->user.len)
        login = pseudonym(h, 1, 'u', bl_fhash(r->user.ptr, r->user.len, 0x5f), 0, 0);
    if (r->session.len)
        sess = pseudonym(h, 2, 's', bl_fhash(r->session.ptr, r->session.len, 0x60), 0, 0);
    return (who){sess ? sess : login ? login : anon, login ? login : anon, sess};
}

/* Unique items: the hit's item in its user-session. A session id is one
 * session while active (and within a month); without one, the session is
 * the user's clock hour (COUNTER's rule). */
static bl_status session_item(bl_hits *h, const bl_hit_rec *r, const who *w, int res,
                              uint64_t item_h, hitctx *c)
{
    int64_t hour = r->time >= 0 ? r->time / 3600 : (r->time - 3599) / 3600;
    bool isnew;
    if (w->sess) {
        c->sess = bl__mix(w->sess, (uint64_t)r->month);
        /* Idle sessions are swept with their items, so an id seen again
         * after SESSION_IDLE starts a new session. */
        ss_ent *s = bl__u64map_put(&h->ss, c->sess, &isnew);
        if (!s)
            return BL_NOMEM;
        if (r->time > s->last)
            s->last = r->time;
        if (isnew && s->last < h->ss_min_last)
            h->ss_min_last = s->last;
        c->si = bl__mix(c->sess, bl__mix((uint64_t)res, item_h));
    } else {
        c->si = bl__mix(bl__mix(w->user, (uint64_t)hour), bl__mix((uint64_t)res, item_h));
        c->si_expire = (hour + 1) * 3600 + WINDOW + DOUBLE_CLICK;
    }
    return BL_OK;
}

/* A quota'd resource: the patron's uses this month. */
static bl_status patron_use(bl_hits *h, const bl_hit_rec *r, const who *w, int res, hitctx *c)
{
    bool isnew;
    c->pq = bl__mix(bl__mix(w->patron, (uint64_t)res), (uint64_t)r->month);
    pq_ent *p = bl__u64map_put(&h->cur->pq, c->pq, &isnew);
    if (!p)
        return BL_NOMEM;
    p->res = res;
    p->month = r->month;
    p->patron = w->patron;
    return BL_OK;
}

/* Distinct users of the library this month: the patron into its sketch. */
static bl_status count_user(bl_hits *h, int lib, int month, uint64_t patron)
{
    hfile *f = h->cur;
    bool isnew;
    uint64_t skk = ((uint64_t)(lib + 2) << 32) | (uint64_t)month;
    sk_ent *se = bl__u64map_put(&f->sketches, skk, &isnew);
    if (!se)
        return BL_NOMEM;
    if (isnew && f->nsk >= BL_CAP_SKETCHES) {
        bl__u64map_del_at(&f->sketches,
                          (size_t)(((unsigned char *)se - f->sketches.slots) / f->sketches.esize));
        h->cap = _("more than 100 000 distinct-user counts (library and month)");
        return BL_RANGE;
    }
    if (isnew) {
        sketch *s = calloc(1, sizeof *s);
        if (f->nsk == f->sk_alloc) {
            size_t na = f->sk_alloc ? f->sk_alloc * 2 : 16;
            sketch **ns = realloc(f->sk, na * sizeof *ns);
            if (!ns) {
                free(s);
                s = NULL;
            } else {
                f->sk = ns;
                f->sk_alloc = na;
            }
        }
        if (!s) {
            bl__u64map_del_at(&f->sketches, (size_t)(((unsigned char *)se - f->sketches.slots) /
                                                     f->sketches.esize));
            return BL_NOMEM;
        }
        s->lib = lib;
        s->month = month;
        f->sk[f->nsk++] = s;
        se->s = s;
    }
    bl_hll_add(se->s->reg, patron);
    return BL_OK;
}

/* The double-click filter: a click on the same URL by the same user within
 * 30 s replaces the earlier one ("drop the first, keep the second"). */
static bl_status double_click(bl_hits *h, const bl_hit_rec *r, uint64_t user, const char *subject,
                              size_t sl, const hitctx *c)
{
    bool isnew;
    bl_status rc;
    uint64_t url_h = bl_fhash(subject, sl, 0x71);
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
        return count_hit(h, c);
    }
    d->t = r->time;
    if (d->t < h->dc_min_t)
        h->dc_min_t = d->t;
    d->si = c->si;
    d->pq = c->pq;
    d->cell = c->cell;
    d->month = c->month;
    d->req = c->req;
    d->unr = c->unr;
    d->gen = h->cur->gen;
    return count_hit(h, c);
}

/* Log time, disorder and the periodic sweep. */
static void clock_tick(bl_hits *h, int64_t t)
{
    hfile *f = h->cur;
    if (!f->any) {
        /* A file that does not follow the one before in time (another
         * server's log, or an earlier period) starts afresh, as if alone:
         * carrying the state on would make all its lines late. */
        if (h->started && t < h->tmax - WINDOW)
            bl_hits_reset(h);
        f->any = true;
        f->t_first = f->t_last = t;
    }
    if (!h->started) {
        h->started = true;
        h->tmax = h->last_sweep = t;
    }
    if (t < f->t_first)
        f->t_first = t;
    if (t > f->t_last)
        f->t_last = t;
    if (t < h->tmax - WINDOW)
        f->out_of_order++;
    else if (t > h->tmax) {
        h->tmax = t;
        if (h->tmax - h->last_sweep >= SWEEP_EVERY)
            sweep(h, false);
    }
}

/* A pattern exceeded the matching limits on this line: it is neither
 * counted nor ignored but rejected (bl_hits_limit tells the caller). */
static bl_status limit_reached(bl_hits *h)
{
    h->n_limit++;
    return BL_OK;
}

const char *bl_hits_cap(const bl_hits *h)
{
    return h->cap;
}

bool bl_hits_limit(bl_hits *h, char *reason, size_t n)
{
    if (!h->limit_rc)
        return false;
    PCRE2_UCHAR buf[200];
    pcre2_get_error_message(h->limit_rc, buf, sizeof buf);
    snprintf(reason, n,
             _("a resource or robots pattern exceeded bilan's matching limits on this "
               "line (%s): it was not counted"),
             (const char *)buf);
    h->limit_rc = 0;
    return true;
}

bl_status bl_hits_add(bl_hits *h, const bl_hit_rec *r)
{
    clock_tick(h, r->time);
    if (r->status != 200 && r->status != 304) {
        h->cur->n_status++;
        return BL_OK;
    }
    /* A format without a user agent (common, EZproxy) cannot be screened
     * for robots; an empty or "-" agent in one that has it is a robot by
     * the COUNTER list's own ^.?$ pattern. */
    uint64_t ua_h = r->agent_hash;
    if (r->user_agent.ptr && is_robot(h, r->user_agent, ua_h)) {
        h->cur->n_robot++;
        return BL_OK;
    }
    if (h->limit_rc)
        return limit_reached(h);

    /* The resource: host + path + query. */
    size_t sl = r->host.len + r->target.len;
    if (sl > sizeof h->subject) {
        unmatched(h, r->target);
        return BL_OK;
    }
    /* A relative target is the subject as it is, where the line is; an
     * absolute one (host + target) is put together in h->subject. At least
     * 8 bytes: match_resource reads the first 8 at once. */
    const char *subject = h->subject;
    if (!r->host.len && r->target.len >= 8) {
        subject = r->target.ptr;
    } else {
        if (r->host.len)
            memcpy(h->subject, r->host.ptr, r->host.len);
        if (r->target.len)
            memcpy(h->subject + r->host.len, r->target.ptr, r->target.len);
    }
    const PCRE2_SIZE *ov = NULL;
    int group = 0;
    int res = match_resource(h, subject, sl, &ov, &group);
    if (h->limit_rc)
        return limit_reached(h);
    if (res < 0) {
        unmatched(h, r->target);
        return BL_OK;
    }
    resource *rs = &h->res[res];
    bl_sv item = r->target;
    if (group && ov[2 * group] != PCRE2_UNSET)
        item = (bl_sv){subject + ov[2 * group], ov[2 * group + 1] - ov[2 * group]};
    uint64_t item_h = bl_fhash(item.ptr, item.len, 0x3d);
    bool req =
        !rs->req || (rs->req_lit ? bl__contains(subject, sl, rs->req_lit, rs->req_len)
                                 : match(h, rs->req, (PCRE2_SPTR)subject, sl, h->req_md) >= 0);
    if (h->limit_rc)
        return limit_reached(h);

    uint64_t ip_h = r->client_hash;
    bl_status rc;
    uint32_t unr = 0;
    /* The library: its key when the line has one, else the client's IP. */
    int lib = -1;
    bl_sv inst = {"", 0};
    if (r->library_key.len) {
        const char *id = bl_names_library(h->names, r->library_key, (bl_sv){"", 0});
        lib = id ? lib_index(h, id) : -1;
        if (lib < 0)
            inst = r->library_key;
    } else {
        lib = library_of_ip(h, r->client, ip_h, &unr);
    }
    uint32_t cellid;
    /* The host only helps to trace unattributed usage: an attributed hit's
     * cell is never keyed on it, or lines from a million hosts would make a
     * million cells (docs/security.md, "Caps"). */
    bl_sv host = lib >= 0 ? (bl_sv){"", 0} : r->host;
    if ((rc = intern_cell(h, lib, res, inst, host, &cellid)) != BL_OK)
        return rc;
    who w = pseudonyms(h, r, ip_h, ua_h);
    hitctx c = {.cell = cellid, .month = r->month, .req = req, .unr = unr};
    if ((rc = session_item(h, r, &w, res, item_h, &c)) != BL_OK ||
        (rs->quota && (rc = patron_use(h, r, &w, res, &c)) != BL_OK) ||
        (rc = count_user(h, lib, r->month, w.patron)) != BL_OK)
        return rc;
    return double_click(h, r, w.user, subject, sl, &c);
}

/* ---- the end of a file ---------------------------------------------------------------- */

bl_status bl_hits_flush(bl_hits *h)
{
    hfile *f = h->out;
    for (size_t i = 0; i < f->ctr.cap; i++) {
        ctr_ent *e = bl__u64map_at(&f->ctr, i);
        if (!e->key)
            continue;
        const cell *c = &h->cells[e->key >> 32];
        int month = (int)(e->key & 0xffffffffu);
        for (int metric = 0; metric < M__COUNT; metric++) {
            if (e->value[metric] == 0)
                continue;
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
            bl_status rc = f->emit(f->emit_ctx, &bc, e->value[metric]);
            if (rc != BL_OK)
                return rc;
        }
    }
    bl__u64map_clear(&f->ctr);
    return BL_OK;
}

void bl_hits_lines(bl_hits *h, unsigned long lines)
{
    if (h->cur)
        h->cur->n_lines = (long long)lines;
}

/* ---- several files in one command ------------------------------------------------------ */

bl_status bl_hits_next_file(bl_hits *h, bl_cell_fn emit, void *emit_ctx)
{
    return hfile_start(h, emit, emit_ctx);
}

void bl_hits_reset(bl_hits *h)
{
    sweep(h, true);
    h->started = false;
    h->dc_min_t = h->si_min_expire = h->ss_min_last = INT64_MAX;
    h->si_has_sess = false;
}

void bl_hits_abandon(bl_hits *h)
{
    hfile *c = h->cur;
    if (!c)
        return;
    /* Its lines' changes to the earlier files, in reverse. */
    for (size_t i = h->nundo; i-- > 0;) {
        const undo_ent *u = &h->undo[i];
        hfile *f = file_of(h, u->gen);
        if (!f)
            continue;
        switch (u->kind) {
        case U_CTR: {
            ctr_ent *e = bl__u64map_get(&f->ctr, u->key);
            if (e)
                e->value[u->metric] -= u->delta;
            break;
        }
        case U_PQ: {
            pq_ent *e = bl__u64map_get(&f->pq, u->key);
            if (e)
                e->n[u->metric] -= u->delta;
            break;
        }
        case U_EVENTS:
            f->n_events -= u->delta;
            break;
        case U_UNATTR:
            f->n_unattributed -= u->delta;
            break;
        case U_UNR:
            f->unr[u->key].events -= u->delta;
            break;
        }
    }
    h->nundo = 0;
    /* Its own state goes with it; the next file starts afresh. */
    bl_hits_reset(h);
    h->nfiles--;
    hfile_free(c);
    h->cur = NULL;
    h->out = h->nfiles ? h->files[0] : NULL;
}

bool bl_hits_abandon_exact(const bl_hits *h)
{
    return !h->undo_failed;
}

size_t bl_hits_pending(const bl_hits *h)
{
    return h->nfiles;
}

bool bl_hits_oldest_final(const bl_hits *h)
{
    if (!h->nfiles)
        return false;
    const hfile *f = h->files[0];
    if (f == h->cur)
        return false;
    /* Only a live double-click entry (its hit may be taken back) or a live
     * session item (its unique count may be) can still change it. */
    for (size_t i = 0; i < h->dc.cap; i++) {
        const dc_ent *e = bl__u64map_at(&h->dc, i);
        if (e->key && e->gen == f->gen)
            return false;
    }
    for (size_t i = 0; i < h->si.cap; i++) {
        const si_ent *e = bl__u64map_at(&h->si, i);
        if (e->key && ((e->inv_refs > 0 && e->inv_gen == f->gen) ||
                       (e->req_refs > 0 && e->req_gen == f->gen)))
            return false;
    }
    return true;
}

void bl_hits_focus(bl_hits *h, bool oldest)
{
    h->out = oldest && h->nfiles ? h->files[0] : h->cur;
}

/* The oldest pending file out of the rules (focus: the current), or NULL
 * when it is the one being read. */
static hfile *take_oldest(bl_hits *h)
{
    if (!h->nfiles || h->files[0] == h->cur)
        return NULL;
    hfile *f = h->files[0];
    memmove(h->files, h->files + 1, (h->nfiles - 1) * sizeof *h->files);
    h->nfiles--;
    h->out = h->cur;
    return f;
}

void bl_hits_pop(bl_hits *h)
{
    hfile_free(take_oldest(h));
}

/* ---- what the store keeps of a file ------------------------------------------------ */

bl_status bl_hits_finish(bl_hits *h, int now_month)
{
    hfile *f = h->out;
    if (f == h->cur && h->nfiles == 1)
        sweep(h, true); /* alone: nothing more can come */
    /* A late file of a closed month: its patrons' uses cannot be judged with
     * the month's other files (forgotten), so they count in its own excess. */
    for (size_t i = 0; i < f->pq.cap; i++) {
        const pq_ent *p = bl__u64map_at(&f->pq, i);
        if (p->key && bl_quota_month_closed(p->month, now_month))
            bl__fold_patron(h, f, p);
    }
    return BL_OK;
}

bl_hits *bl_hits_detach(bl_hits *h)
{
    if (!h->nfiles || h->files[0] == h->cur)
        return NULL;
    bl_hits *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->out = take_oldest(h);
    /* What the result functions read: the file, and the tables fixed when
     * the rules were opened (libraries, resources, forfaits). */
    v->view = true;
    v->lib_ids = h->lib_ids;
    v->nlib = h->nlib;
    v->res = h->res;
    v->nres = h->nres;
    v->rules = h->rules;
    v->nrules = h->nrules;
    return v;
}

void bl_hits_free(bl_hits *h)
{
    if (!h)
        return;
    if (h->view) {
        hfile_free(h->out);
        free(h);
        return;
    }
    for (size_t i = 0; i < h->nlib; i++)
        free(h->lib_ids[i]);
    free(h->lib_ids);
    bl__strmap_free(&h->lib_map, NULL);
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
    bl__robots_pre_free(h->rob_pre);
    pcre2_match_data_free(h->rob_md);
    bl_pcre_limits_free(&h->limits);
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
    bl__u64map_release(&h->robot_cache);
    bl__u64map_release(&h->range_map);
    free(h->ipc);
    free(h->psc);
    bl__u64map_release(&h->cell_cache);
    free(h->lit_id);
    free(h->lit_list);
    for (size_t i = 0; i < h->nfiles; i++)
        hfile_free(h->files[i]);
    free(h->files);
    free(h->undo);
    /* The secret never outlives the handle in memory. */
    memset(h->key, 0, sizeof h->key);
    bl_buf_release(&h->tmp);
    free(h);
}
