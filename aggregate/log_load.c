/* Access-log rules, loading (docs/logs.md): the libraries' IP ranges indexed
 * by prefix length, the resources' URL patterns compiled (JIT) with their
 * literal starts and one prefilter alternation, the COUNTER robots list as
 * one pattern. Done once per file, before the first hit. */
#include "hits_internal.h"

#include "bilan/i18n.h"

#include <stdio.h>
#include <stdlib.h>

static bl_status fail(bl_hits *h, bl_status code, const char *fmt, const char *arg)
{
    if (h->err && h->errlen)
        snprintf(h->err, h->errlen, fmt, arg);
    return code;
}

static int plen_cmp(const void *pa, const void *pb)
{
    const plen *a = pa, *b = pb;
    return a->prefix != b->prefix ? b->prefix - a->prefix : a->family - b->family;
}

static bl_status index_ranges(bl_hits *h)
{
    if (!(h->ipc = calloc(IPC_SIZE, sizeof *h->ipc)) ||
        !(h->psc = calloc(3 * PSC_SIZE, sizeof *h->psc)))
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

static bl_status load_libraries(bl_hits *h, const bl_log_network *net)
{
    if (net->nlibraries && !(h->lib_ids = calloc(net->nlibraries, sizeof *h->lib_ids)))
        return BL_NOMEM;
    for (size_t i = 0; i < net->nlibraries; i++) {
        if (!(h->lib_ids[h->nlib] = strdup(net->library_ids[i])))
            return BL_NOMEM;
        /* Looked up by id once per range and per keyed hit: a hash, so that
         * 100 000 libraries cost no more per hit than ten (docs/security.md). */
        bl_strmap_entry *e;
        if (bl__strmap_upsert(&h->lib_map, h->lib_ids[h->nlib], strlen(h->lib_ids[h->nlib]), &e) !=
            BL_OK)
            return BL_NOMEM;
        if (!e->value) /* the first of a repeated id wins, as the scan did */
            e->value = (void *)(uintptr_t)(h->nlib + 1);
        h->nlib++;
    }
    if (net->nranges && !(h->ranges = calloc(net->nranges, sizeof *h->ranges)))
        return BL_NOMEM;
    for (size_t i = 0; i < net->nranges; i++) {
        range r;
        r.lib = lib_index(h, net->ranges[i].library_id);
        if (r.lib < 0 || !bl_cidr_parse(net->ranges[i].cidr, &r.cidr))
            continue; /* validated at import */
        h->ranges[h->nranges++] = r;
    }
    return index_ranges(h);
}

/* Compiled without JIT: for a pattern only validated, or JIT-compiled on
 * its first match (jit_once). */
static pcre2_code *compile_only(const char *pat, uint32_t flags)
{
    int err;
    PCRE2_SIZE off;
    return pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, flags, &err, &off, NULL);
}

static pcre2_code *compile(const char *pat, uint32_t flags)
{
    pcre2_code *re = compile_only(pat, flags);
    if (re)
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
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

/* After "(?": an option setting such as "i)", "x:" or "^x)" that turns on
 * extended mode (x or xx), where spaces in the literal would not count.
 * Named groups, lookarounds and the like set no option. */
static bool sets_extended(const char *p)
{
    if (!*p || strchr("<'P:=!>|&(+0123456789RC", *p))
        return false;
    for (bool on = true; *p && *p != ')' && *p != ':'; p++) {
        if (*p == '-')
            on = false;
        else if (*p == 'x' && on)
            return true;
        else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '^'))
            return true; /* not an option list: take no chance */
    }
    return false;
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
            if (p[1] == '*' || (p[1] == '?' && (p[2] == '#' || sets_extended(p + 2))))
                return false; /* verbs, comments, extended mode */
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

static bool plain_string(const char *pat)
{
    if (!*pat)
        return false;
    for (const char *p = pat; *p; p++)
        if (!plain_char(*p))
            return false;
    return true;
}

/* The lists of hits_internal.h's lit_id, lit_off and lit_list: only a
 * speed-up, so with too many resources or distinct first two bytes, none
 * (every resource is tried). */
static uint16_t lit_key(const resource *r)
{
    return (uint16_t)((uint8_t)r->lit[0] | (uint8_t)r->lit[1] << 8);
}

static bl_status index_literals(bl_hits *h)
{
    enum { MAX_KEYS = 255, MAX_RES = 4096 }; /* int16_t indexes, byte list ids */
    uint16_t keys[MAX_KEYS];
    size_t nkeys = 0;
    if (h->nres > MAX_RES)
        return BL_OK;
    for (size_t i = 0; i < h->nres; i++) {
        if (h->res[i].litlen < 2)
            continue;
        size_t j = 0;
        while (j < nkeys && keys[j] != lit_key(&h->res[i]))
            j++;
        if (j == MAX_KEYS)
            return BL_OK;
        if (j == nkeys)
            keys[nkeys++] = lit_key(&h->res[i]);
    }
    h->lit_id = calloc(1 << 16, 1);
    h->lit_list = malloc((nkeys + 1) * (h->nres + 1) * sizeof *h->lit_list);
    if (!h->lit_id || !h->lit_list)
        return BL_NOMEM; /* both freed with the handle */
    size_t n = 0;
    for (size_t j = 0; j <= nkeys; j++) {
        /* List 0: the short literals; list j: those and key j's, in order. */
        h->lit_off[j] = (uint32_t)n;
        if (j)
            h->lit_id[keys[j - 1]] = (uint8_t)j;
        for (size_t i = 0; i < h->nres; i++)
            if (h->res[i].litlen < 2 || (j && lit_key(&h->res[i]) == keys[j - 1]))
                h->lit_list[n++] = (int16_t)i;
        h->lit_list[n++] = -1;
    }
    return BL_OK;
}

static bl_status load_resources(bl_hits *h, const bl_log_network *net)
{
    bl_status rc = BL_OK;
    bl_buf all = BL_BUF_INIT(1 << 20);
    bool marks = true, seen_unanchored = false;
    size_t no_lit = 0;
    int groups = 0;
    for (size_t i = 0; i < net->nresources; i++) {
        resource *n = realloc(h->res, (h->nres + 1) * sizeof *n);
        if (!n) {
            rc = BL_NOMEM;
            break;
        }
        h->res = n;
        resource *r = &h->res[h->nres];
        memset(r, 0, sizeof *r);
        const char *id = net->resources[i].id;
        const char *url = net->resources[i].url_pattern;
        const char *req = net->resources[i].request_pattern;
        r->id = strdup(id);
        r->url = compile(url, 0);
        if (!r->id || !r->url) {
            free(r->id);
            pcre2_code_free(r->url);
            rc = fail(h, BL_DATA,
                      _("resource '%s': url_pattern does not compile "
                        "(re-import the network)"),
                      id);
            break;
        }
        h->nres++;
        if (req && *req && !(r->req = compile(req, 0))) {
            rc = fail(h, BL_DATA, _("resource '%s': request_pattern does not compile"), id);
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
            no_lit++; /* litlen, head and head_mask stay 0: nothing skips it */
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
        r->req_len = r->req_lit ? strlen(r->req_lit) : 0;
        /* Each alternative ends with a mark naming its resource, so that
         * one match of the prefilter says which resource matched. */
        if (rc == BL_OK)
            rc = bl_buf_printf(&all, "%s(?:%s)(*MARK:%zu)", all.len ? "|" : "", url, h->nres - 1);
    }
    if (!seen_unanchored)
        h->first_unanchored = h->nres;
    /* A resource without a literal start is searched for in every subject:
     * with a few of them, trying the others only when their literal fits
     * costs less than the prefilter's search of every alternative at every
     * position (gen_log2's network: 2 of 12). */
    if (rc == BL_OK && h->nres > 0 && no_lit <= MAX_WILD && (rc = index_literals(h)) == BL_OK)
        h->by_literal = h->lit_id != NULL;
    if (rc == BL_OK && all.len && marks && !h->by_literal) {
        /* Only a speed-up, so only when every pattern keeps its meaning in
         * the alternation (a backreference's group number would shift and
         * the prefilter would wrongly turn hits away). */
        h->prefilter = compile_only(bl_buf_cstr(&all), PCRE2_DUPNAMES); /* JIT: jit_once */
        if (h->prefilter && !(h->pre_md = pcre2_match_data_create_from_pattern(h->prefilter, NULL)))
            rc = BL_NOMEM;
        h->pre_marks = h->prefilter != NULL;
    }
    bl_buf_release(&all);
    return rc;
}

bl_status bl__log_load_robots(bl_hits *h, const bl_log_network *net)
{
    bl_buf all = BL_BUF_INIT(1 << 20);
    bl_status rc = BL_OK;
    const char **kept = net->nrobots ? calloc(net->nrobots, sizeof *kept) : NULL;
    size_t nkept = 0;
    if (net->nrobots && !kept)
        return BL_NOMEM;
    for (size_t i = 0; rc == BL_OK && i < net->nrobots; i++) {
        /* Validate each pattern alone so that one bad line is skipped, not
         * the whole list. */
        pcre2_code *one = compile_only(net->robots[i], PCRE2_CASELESS);
        if (!one)
            continue;
        pcre2_code_free(one);
        kept[nkept++] = net->robots[i];
        rc = bl_buf_printf(&all, "%s(?:%s)", all.len ? "|" : "", net->robots[i]);
    }
    if (rc == BL_OK) {
        h->robots = compile_only(all.len ? bl_buf_cstr(&all) : "(*FAIL)", PCRE2_CASELESS);
        if (!h->robots)
            rc = fail(h, BL_DATA, "%s", _("the COUNTER robots list does not compile"));
        else if (!(h->rob_md = pcre2_match_data_create(1, NULL)))
            rc = BL_NOMEM;
    }
    /* The literals the patterns require, checked before the regex. */
    if (rc == BL_OK)
        rc = bl__robots_pre_build(kept, nkept, &h->rob_pre);
    free(kept);
    bl_buf_release(&all);
    return rc;
}

void bl_log_network_release(bl_log_network *n)
{
    for (size_t i = 0; i < n->nlibraries; i++)
        free(n->library_ids[i]);
    for (size_t i = 0; i < n->nranges; i++)
        free(n->ranges[i].library_id), free(n->ranges[i].cidr);
    for (size_t i = 0; i < n->nresources; i++)
        free(n->resources[i].id), free(n->resources[i].url_pattern),
            free(n->resources[i].request_pattern);
    for (size_t i = 0; i < n->nquotas; i++)
        free(n->quotas[i].resource_id), free(n->quotas[i].metric), free(n->quotas[i].start),
            free(n->quotas[i].end);
    for (size_t i = 0; i < n->nrobots; i++)
        free(n->robots[i]);
    free(n->library_ids);
    free(n->ranges);
    free(n->resources);
    free(n->quotas);
    free(n->robots);
    memset(n, 0, sizeof *n); /* the key too */
}

bl_status bl__log_load_targets(bl_hits *h, const bl_log_network *net)
{
    bl_status rc = load_libraries(h, net);
    return rc == BL_OK ? load_resources(h, net) : rc;
}
