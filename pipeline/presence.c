/* Whose data the store holds, and the one rule that says whether a month
 * has data (pipeline/presence.h; docs/trust.md, "Whose data is missing"):
 * loading the window's presence, the scope test, and what is built on it
 * alone (the months with data of a forfait, `bilan gaps`). */
#include "presence.h"

#include "bilan/aggregate.h"
#include "bilan/pipeline.h"
#include "bilan/store_queries.h"

#include <stdlib.h>
#include <string.h>

/* The network's scope for bl__scope_month: a model without a partner. */
static const bl_model network_scope;

void bl__reslist_release(reslist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].id), free(l->v[i].name), free(l->v[i].provider), free(l->v[i].kind),
            free(l->v[i].metric);
        for (size_t j = 0; l->p && j < l->p[i].n_own; j++)
            free(l->p[i].own[j].library_id);
        if (l->p)
            free(l->p[i].own), free(l->p[i].rej), free(l->p[i].named);
    }
    free(l->v);
    free(l->p);
    for (size_t i = 0; i < l->n_names; i++)
        free(l->names[i].id), free(l->names[i].name), free(l->names[i].partner_id);
    free(l->names);
}

static bl_status on_resource(void *ctx, const bl_resource_row *row)
{
    reslist *l = ctx;
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 16;
        bl_model_resource *nv = realloc(l->v, na * sizeof *nv);
        if (!nv)
            return BL_NOMEM;
        l->v = nv, l->alloc = na;
    }
    bl_model_resource *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    x->id = strdup(row->id), x->name = strdup(row->name), x->provider = strdup(row->provider);
    x->kind = strdup(row->kind), x->metric = strdup(row->headline_metric);
    x->annual_cost_cents = row->annual_cost_cents;
    if (!x->id || !x->name || !x->provider || !x->kind || !x->metric)
        return BL_NOMEM;
    return BL_OK;
}

/* Slots a..z of the library's own reports of p's resource have data (early:
 * only a part of it, from a report made before the month was over). */
static bl_status own_months(presence *p, const char *library_id, int a, int z, bool early)
{
    own_lib *o = NULL;
    for (size_t j = 0; j < p->n_own && !o; j++)
        if (strcmp(p->own[j].library_id, library_id) == 0)
            o = &p->own[j];
    if (!o) {
        /* A network has tens of libraries: grow one at a time. */
        own_lib *v = realloc(p->own, (p->n_own + 1) * sizeof *p->own);
        if (!v)
            return BL_NOMEM;
        p->own = v;
        o = &p->own[p->n_own];
        memset(o, 0, sizeof *o);
        if (!(o->library_id = strdup(library_id)))
            return BL_NOMEM;
        o->from = BL_WINDOW;
        p->n_own++;
    }
    for (int k = a; k <= z; k++)
        if (early)
            o->early[k] = true;
        else
            o->has[k] = true;
    if (a < o->from)
        o->from = a;
    return BL_OK;
}

static bl_status on_resource_month(void *ctx, const char *resource_id, int month,
                                   const char *library_id, bool early, bool unattributed)
{
    reslist *l = ctx;
    int k = month - l->wfirst;
    if (month < 0 || k < 0 || k >= BL_WINDOW)
        return BL_OK;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].id, resource_id) != 0)
            continue;
        presence *p = &l->p[i];
        if (!library_id) {
            p->net_unattributed[k] = unattributed;
            if (early)
                p->net_early[k] = true;
            else
                p->net[k] = true;
            continue;
        }
        bl_status rc = own_months(p, library_id, k, k, early);
        if (rc != BL_OK)
            return rc;
    }
    return BL_OK;
}

/* Months [first, last] as slots of l's window, clamped to it (*a > *z:
 * none of them in it). */
static void window_slots(const reslist *l, int first, int last, int *a, int *z)
{
    *a = first - l->wfirst < 0 ? 0 : first - l->wfirst;
    *z = last - l->wfirst >= BL_WINDOW ? BL_WINDOW - 1 : last - l->wfirst;
}

/* The entry of library id in l->names, or -1 (no longer in the network). */
static long name_index(const reslist *l, const char *id)
{
    for (size_t n = 0; n < l->n_names; n++)
        if (strcmp(l->names[n].id, id) == 0)
            return (long)n;
    return -1;
}

static bl_status on_own_cover(void *ctx, const char *resource_id, const char *library_id, int first,
                              int last)
{
    reslist *l = ctx;
    int a, z;
    window_slots(l, first, last, &a, &z);
    bl_status rc = BL_OK;
    for (size_t i = 0; i < l->n && rc == BL_OK && a <= z; i++) {
        if (strcmp(l->v[i].id, resource_id) != 0)
            continue;
        if (library_id)
            rc = own_months(&l->p[i], library_id, a, z, false);
        else
            for (int k = a; k <= z; k++)
                l->p[i].net[k] = true;
    }
    return rc;
}

/* A library a report about every library names, the months it covers
 * (from early on, a part of them: the report was made before they were
 * over): its figure is in that report those months; for a library that
 * sends its own reports of the resource, as its own report's would be
 * (docs/trust.md, "Whose data is missing"). */
static bl_status on_named_cover(void *ctx, const char *resource_id, const char *library_id,
                                int first, int last, int early)
{
    reslist *l = ctx;
    int a, z, e = early - l->wfirst;
    window_slots(l, first, last, &a, &z);
    long n = name_index(l, library_id);
    for (size_t i = 0; i < l->n && a <= z && n >= 0; i++) {
        if (strcmp(l->v[i].id, resource_id) != 0)
            continue;
        presence *p = &l->p[i];
        named_lib *d = NULL;
        for (size_t j = 0; j < p->n_named && !d; j++)
            if (p->named[j].lib == n)
                d = &p->named[j];
        if (!d) {
            named_lib *v = realloc(p->named, (p->n_named + 1) * sizeof *v);
            if (!v)
                return BL_NOMEM;
            p->named = v;
            d = &p->named[p->n_named++];
            memset(d, 0, sizeof *d);
            d->lib = n;
        }
        for (int k = a; k <= z; k++)
            d->month[k] = true;
        for (size_t j = 0; j < p->n_own; j++)
            if (strcmp(p->own[j].library_id, library_id) == 0)
                for (int k = a; k <= z; k++) {
                    if (k < e)
                        p->own[j].named[k] = true;
                    else
                        p->own[j].named_early[k] = true;
                }
    }
    return BL_OK;
}

typedef struct rej_ctx {
    reslist *l;
    bl_store *st;
    bl_names *names; /* loaded at the first rejected cell (a store has few or none) */
} rej_ctx;

/* A rejected row's cell: its resource and library as its names say (as
 * the roll-up attributes a row), when the metric is unknown or the
 * resource's headline (the figure reports print). */
static bl_status on_rejected_cell(void *ctx, const char *institution_id, const char *institution,
                                  const char *platform, int month, const char *metric, bool some)
{
    rej_ctx *c = ctx;
    reslist *l = c->l;
    int k = month - l->wfirst;
    if (month < 0 || k < 0 || k >= BL_WINDOW)
        return BL_OK;
    bl_status rc;
    if (!c->names && (rc = bl_store_names(c->st, &c->names)) != BL_OK)
        return rc;
    /* A vendor export's rows carry their profile's resource id as platform. */
    const char *res = bl_names_resource(c->names, bl_sv_from(""), bl_sv_from(platform));
    if (!res && bl__find_resource(l->v, l->n, platform) >= 0)
        res = platform;
    const char *lib =
        bl_names_library(c->names, bl_sv_from(institution_id), bl_sv_from(institution));
    long ri = res && lib ? bl__find_resource(l->v, l->n, res) : -1;
    if (ri < 0 || (*metric && strcmp(metric, l->v[ri].metric) != 0))
        return BL_OK;
    long n = name_index(l, lib);
    if (n < 0)
        return BL_OK;
    presence *p = &l->p[ri];
    rejected_lib *r = NULL;
    for (size_t j = 0; j < p->n_rej && !r; j++)
        if (p->rej[j].lib == n)
            r = &p->rej[j];
    if (!r) {
        rejected_lib *v = realloc(p->rej, (p->n_rej + 1) * sizeof *v);
        if (!v)
            return BL_NOMEM;
        p->rej = v;
        r = &p->rej[p->n_rej++];
        memset(r, 0, sizeof *r);
        r->lib = n;
    }
    r->month[k] = true;
    r->whole[k] = r->whole[k] || !some;
    return BL_OK;
}

static bl_status on_library_name(void *ctx, const char *partner, const char *id, const char *name,
                                 int member_from, int member_until)
{
    reslist *l = ctx;
    if (l->n_names == l->names_alloc) {
        size_t na = l->names_alloc ? l->names_alloc * 2 : 32;
        libname *v = realloc(l->names, na * sizeof *v);
        if (!v)
            return BL_NOMEM;
        l->names = v, l->names_alloc = na;
    }
    libname *x = &l->names[l->n_names++];
    x->id = strdup(id), x->name = strdup(name), x->partner_id = strdup(partner);
    x->member_from = member_from, x->member_until = member_until;
    return x->id && x->name && x->partner_id ? BL_OK : BL_NOMEM;
}

bl_status bl__load_resources(bl_store *st, int wfirst, reslist *l)
{
    l->wfirst = wfirst;
    bl_status rc = bl_store_resources(st, on_resource, l);
    if (rc == BL_OK && !(l->p = calloc(l->n ? l->n : 1, sizeof *l->p)))
        rc = BL_NOMEM;
    if (rc == BL_OK)
        rc = bl_store_resource_months(st, wfirst, wfirst + BL_WINDOW - 1, on_resource_month, l);
    /* A report covers its period, its months of 0 too. */
    if (rc == BL_OK)
        rc = bl_store_own_coverage(st, wfirst, wfirst + BL_WINDOW - 1, on_own_cover, l);
    if (rc == BL_OK)
        rc = bl_store_libraries_of(st, NULL, on_library_name, l);
    /* A library named in a report about every library (after its own, and
     * the libraries' names). */
    if (rc == BL_OK)
        rc = bl_store_named_coverage(st, wfirst, wfirst + BL_WINDOW - 1, on_named_cover, l);
    for (size_t i = 0; i < l->n && rc == BL_OK; i++)
        for (int k = 0; k < BL_WINDOW; k++)
            l->p[i].any_net = l->p[i].any_net || l->p[i].net[k] || l->p[i].net_early[k];
    /* Figures a rejected row held: partial where they are missing. */
    if (rc == BL_OK) {
        rej_ctx c = {l, st, NULL};
        rc = bl_store_rejected_cells(st, wfirst, wfirst + BL_WINDOW - 1, on_rejected_cell, &c);
        bl_names_free(c.names);
    }
    /* Each library's entry, found once (a network of 300 libraries that
     * each send their own reports asks in_scope millions of times). */
    for (size_t i = 0; i < l->n && rc == BL_OK; i++) {
        for (size_t j = 0; j < l->p[i].n_own; j++)
            l->p[i].own[j].lib = name_index(l, l->p[i].own[j].library_id);
    }
    /* The network's months with data, judged once for every model built on
     * this presence (each partner's report, the forfaits, gaps). */
    for (size_t i = 0; i < l->n && rc == BL_OK; i++)
        for (int k = 0; k < BL_WINDOW; k++) {
            bool part;
            bl__scope_month(l, &l->p[i], k, &network_scope, NULL, &l->p[i].net_has[k], &part, NULL);
        }
    return rc;
}

/* Whose data a figure is: the network's libraries (m without a partner,
 * partner_id NULL), a partner report's (m->partner), or one partner's in a
 * network report (partner_id). Libraries no longer in the network are in
 * none: their old reports make no month partial. */
static bool lib_in_scope(const reslist *l, const bl_model *m, const char *partner_id, size_t n)
{
    const char *of = l->names[n].partner_id;
    if (partner_id)
        return strcmp(of, partner_id) == 0;
    return !m->partner || strcmp(of, m->partner->id) == 0;
}

static bool in_scope(const reslist *l, const bl_model *m, const char *partner_id, const own_lib *o)
{
    return o->lib >= 0 && lib_in_scope(l, m, partner_id, (size_t)o->lib);
}

/* Whether library n (of l->names) is a member of the network in slot k. */
static bool member_at(const reslist *l, size_t n, int k)
{
    return bl__member(l->names[n].member_from, l->names[n].member_until, l->wfirst + k);
}

/* Whether a library that sends its own reports has only a part of slot k:
 * its own report, or a report about every library that names it, was made
 * before the month was over and no whole figure of that account came. */
static bool own_part(const own_lib *o, int k)
{
    return (o->early[k] && !o->has[k]) || (o->named_early[k] && !o->named[k]);
}

/* Whether a library that sends its own reports has a figure of slot k,
 * whole or a part: its own report's, or a report about every library that
 * names it. */
static bool own_came(const own_lib *o, int k)
{
    return o->has[k] || o->named[k] || o->early[k] || o->named_early[k];
}

/* Whether a report about every library names library n in slot k. */
static bool named_at(const presence *p, size_t n, int k)
{
    for (size_t j = 0; j < p->n_named; j++)
        if (p->named[j].lib == (long)n)
            return p->named[j].month[k];
    return false;
}

/* How many libraries of the scope may take their figure of slot k from a
 * report about every library: members that month, or named by it (a
 * library that is not a member has a figure only where it is named);
 * counted up to more than `enough` only. */
static size_t from_network(const reslist *l, const presence *p, const bl_model *m,
                           const char *partner_id, int k, size_t enough)
{
    size_t in = 0;
    for (size_t n = 0; n < l->n_names && in <= enough; n++)
        in += lib_in_scope(l, m, partner_id, n) && (member_at(l, n, k) || named_at(p, n, k));
    return in;
}

/* A library that sends its own reports of a resource is expected in each
 * month from its first: a report about every library (a consortium
 * report, an export, a log) does not stand in for it, since its use is in
 * its own report (a consortium report names the libraries of its account,
 * a log sees the portal's clicks only). */
bl_status bl__scope_month(const reslist *l, const presence *p, int k, const bl_model *m,
                          const char *partner_id, bool *has, bool *part, bl_buf *gap)
{
    *has = false, *part = false;
    size_t missing = 0;
    bl_status rc = BL_OK;
    /* A month's figures from a report made before it was over are a part
     * of it: data, and once the month is over partial (until 3 December
     * 2026 printed as the whole month). */
    bool running = !bl_model_over(m, l->wfirst + k);
    bool net = p->net[k] || p->net_early[k];
    bool network = !m->partner && !partner_id;
    size_t gone = 0;  /* libraries of the scope whose own report is not expected: not members */
    size_t whole = 0; /* libraries of the scope whose own figure is whole */
    for (size_t j = 0; j < p->n_own && rc == BL_OK; j++) {
        const own_lib *o = &p->own[j];
        /* An own report of a library the network does not have: usage of
         * the network's, not of any partner's (the network has data). */
        if (network && !*o->library_id && (o->has[k] || o->early[k]))
            *has = true;
        if (!in_scope(l, m, partner_id, o))
            continue;
        if (own_came(o, k)) {
            *has = true;
            /* A part of the month: its own report, or the report about
             * every library that names it, made before the month was over
             * (each account's figure apart). */
            if (!running && own_part(o, k)) {
                *part = true;
                if (gap)
                    rc = bl_buf_printf(gap, "%s" BL_GAP_EARLY "%s", gap->len ? "\n" : "",
                                       l->names[o->lib].name);
            } else {
                whole += member_at(l, (size_t)o->lib, k) || named_at(p, (size_t)o->lib, k);
            }
        } else if (k >= o->from && !member_at(l, (size_t)o->lib, k)) {
            gone++;
        } else if (k >= o->from) {
            *part = true;
            missing++;
            if (gap)
                rc = bl_buf_printf(gap, "%s%s", gap->len ? "\n" : "", l->names[o->lib].name);
        }
    }
    /* A report about every library made before the month was over: a part
     * of the month for the libraries of the scope that take their figure
     * from it (not when each has its own whole: until 3 December 2026 a
     * partner whose libraries all sent theirs was marked too). */
    if (!p->net[k] && p->net_early[k] && !running && rc == BL_OK &&
        (network || from_network(l, p, m, partner_id, k, whole) > whole)) {
        *part = true;
        if (gap)
            rc = bl_buf_printf(gap, "%s" BL_GAP_EARLY, gap->len ? "\n" : "");
    }
    /* A library's figure a rejected row held is missing from the sum. */
    for (size_t j = 0; j < p->n_rej && rc == BL_OK; j++) {
        const rejected_lib *x = &p->rej[j];
        if (!x->month[k] || !lib_in_scope(l, m, partner_id, (size_t)x->lib))
            continue;
        *part = true;
        if (gap)
            rc = bl_buf_printf(gap, "%s" BL_GAP_REJECTED "%s", gap->len ? "\n" : "",
                               l->names[x->lib].name);
    }
    /* A partner's figure when every row of the month's reports about every
     * library names no library of the network (names written otherwise than
     * its aliases): not known, not 0 (until 3 December 2026 printed 0). */
    if (p->net_unattributed[k] && (m->partner || partner_id) && rc == BL_OK) {
        *part = true;
        if (gap)
            rc = bl_buf_printf(gap, "%s" BL_GAP_UNATTRIBUTED, gap->len ? "\n" : "");
    }
    /* A report about every library gives the others their figure (0 when
     * it names none): data, unless every library of the scope is one whose
     * own report is missing. */
    if (net && !*has)
        *has = !missing || from_network(l, p, m, partner_id, k, missing) > missing;
    /* Nothing expected: a resource that only libraries' own reports feed
     * (no report about every library has it in the window), whose
     * libraries of the scope that send them are all outside their
     * membership this month (none came, none is missing): the scope's figure
     * is 0, not a missing month (docs/network.md, "Members who join or
     * leave"). Where reports about every library feed it, the others'
     * figures come from them: a month none covers is missing. */
    if (!*has && !net && !p->any_net && gone > 0 && missing == 0)
        *has = true;
    *part = *part && *has;
    return rc;
}

bl_library_month bl__library_month(const reslist *l, const presence *p, const bl_model *m,
                                   const bl_model_library *lib, int k)
{
    const char *library_id = lib->id;
    const own_lib *o = NULL;
    for (size_t j = 0; j < p->n_own && !o; j++)
        if (strcmp(p->own[j].library_id, library_id) == 0)
            o = &p->own[j];
    const rejected_lib *x = NULL;
    for (size_t j = 0; j < p->n_rej && !x; j++)
        if (p->rej[j].month[k] && strcmp(l->names[p->rej[j].lib].id, library_id) == 0)
            x = &p->rej[j];
    bool member = bl__member(lib->member_from, lib->member_until, l->wfirst + k);
    bl_library_month r = {false, false, false};
    bool own = o && k >= o->from;
    bool full = own ? o->has[k] || o->named[k] : p->net[k];
    bool early = own ? o->early[k] || o->named_early[k] : p->net_early[k];
    bool partial = own ? own_part(o, k) : !full && early;
    /* A figure a rejected row held alone is unknown; its own report's, else
     * a report about every library's. */
    r.has = !(x && x->whole[k]) && (full || early);
    /* A part of the month: made before its end, or other rows of a report
     * one row of which was rejected. */
    r.part = r.has && bl_model_over(m, l->wfirst + k) && ((x && !x->whole[k]) || partial);
    /* Not expected, so not missing: before the first of its own reports
     * where no report about every library covers it (any other library is
     * expected as its resource is). */
    r.quiet = !r.has && ((o && k < o->from && !p->net[k] && !p->net_early[k]) || !member);
    return r;
}

bool bl__elsewhere(const reslist *l, const presence *p, const bl_model *m, const char *partner_id)
{
    for (int k = 0; k < BL_WINDOW; k++)
        if (p->net[k] || p->net_early[k])
            return false;
    for (size_t j = 0; j < p->n_own; j++)
        if (in_scope(l, m, partner_id, &p->own[j]))
            return false;
    return p->n_own > 0;
}

long bl__find_resource(const bl_model_resource *v, size_t n, const char *id)
{
    /* Resources are few (tens): a linear search keeps the model plain. */
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0)
            return (long)i;
    return -1;
}

/* ---- months with data, gaps (bilan gaps, forfaits) --------------------------------------- */

/* Calls fn for [first, last] in stretches of at most 24 months, earliest
 * first, the last ending with last, each with the resources' presence in
 * the 24-month window ending with the stretch: a month is judged as a
 * report of it would judge it. */
typedef bl_status (*stretch_fn)(void *ctx, const reslist *res, int start, int end);
static bl_status each_stretch(bl_store *st, int first, int last, stretch_fn fn, void *ctx)
{
    bl_status rc = BL_OK;
    for (int start = first; rc == BL_OK && start <= last;) {
        int end = last - ((last - start) / BL_WINDOW) * BL_WINDOW;
        reslist res = {0};
        rc = bl__load_resources(st, end - BL_WINDOW + 1, &res);
        if (rc == BL_OK)
            rc = fn(ctx, &res, start, end);
        bl__reslist_release(&res);
        start = end + 1;
    }
    return rc;
}

bool bl__network_has(const reslist *res, size_t ri, int mi)
{
    int k = mi - res->wfirst;
    return k >= 0 && k < BL_WINDOW && res->p[ri].net_has[k];
}

typedef struct with_data {
    const char *resource_id;
    int first;
    bool *out;
} with_data;

static bl_status with_data_stretch(void *ctx, const reslist *res, int start, int end)
{
    with_data *w = ctx;
    long ri = bl__find_resource(res->v, res->n, w->resource_id);
    for (int mi = start; mi <= end && ri >= 0; mi++)
        w->out[mi - w->first] = bl__network_has(res, (size_t)ri, mi);
    return BL_OK;
}

bl_status bl_model_months_with_data(bl_store *st, const char *resource_id, int first, int last,
                                    bool *out)
{
    memset(out, 0, (size_t)(last - first + 1) * sizeof *out);
    with_data w = {resource_id, first, out};
    return each_stretch(st, first, last, with_data_stretch, &w);
}

typedef struct fed {
    char **ids, **names;
    size_t n, alloc;
    int first;
    size_t nm;
    bool *missing; /* [resource][month] */
} fed;

static bl_status on_fed(void *ctx, const char *id)
{
    fed *f = ctx;
    if (f->n == f->alloc) {
        size_t na = f->alloc ? 2 * f->alloc : 16;
        char **v = realloc(f->ids, na * sizeof *v);
        if (!v)
            return BL_NOMEM;
        f->ids = v, f->alloc = na;
    }
    return (f->ids[f->n++] = strdup(id)) ? BL_OK : BL_NOMEM;
}

static bl_status gaps_stretch(void *ctx, const reslist *res, int start, int end)
{
    fed *f = ctx;
    for (size_t i = 0; i < f->n; i++) {
        long ri = bl__find_resource(res->v, res->n, f->ids[i]);
        if (ri < 0)
            continue;
        if (!f->names[i] && !(f->names[i] = strdup(res->v[ri].name)))
            return BL_NOMEM;
        for (int mi = start; mi <= end; mi++)
            f->missing[i * f->nm + (size_t)(mi - f->first)] = !bl__network_has(res, (size_t)ri, mi);
    }
    return BL_OK;
}

bl_status bl_model_gaps(bl_store *st, int first, int last, bl_gap_fn fn, void *ctx)
{
    fed f = {0};
    f.first = first;
    f.nm = (size_t)(last - first + 1);
    bl_status rc = bl_store_report_resources(st, on_fed, &f);
    if (rc == BL_OK) {
        f.missing = calloc(f.n * f.nm + 1, sizeof *f.missing);
        f.names = calloc(f.n + 1, sizeof *f.names);
        rc = f.missing && f.names ? BL_OK : BL_NOMEM;
    }
    if (rc == BL_OK)
        rc = each_stretch(st, first, last, gaps_stretch, &f);
    for (size_t i = 0; i < f.n && rc == BL_OK; i++)
        for (size_t m = 0; m < f.nm && rc == BL_OK; m++)
            if (f.missing[i * f.nm + m] && f.names[i])
                rc = fn(ctx, f.ids[i], f.names[i], first + (int)m);
    for (size_t i = 0; i < f.n; i++)
        free(f.ids[i]), free(f.names ? f.names[i] : NULL);
    free(f.ids), free(f.names), free(f.missing);
    return rc;
}

typedef struct libgaps {
    bl_library_gap_fn fn;
    void *ctx;
    bl_model now; /* running_from: this month, not over yet */
} libgaps;

/* The months a resource's figures are a part of (bl__scope_month's other
 * reasons than a missing own report), whose: early reports once the month
 * is over, rejected rows, usage no library was found for. */
static bl_status partial_whys(const libgaps *g, const reslist *res, size_t ri, int mi)
{
    const presence *p = &res->p[ri];
    const char *id = res->v[ri].id, *name = res->v[ri].name;
    int k = mi - res->wfirst;
    bool over = bl_model_over(&g->now, mi);
    bl_status rc = BL_OK;
    if (over && p->net_early[k] && !p->net[k])
        rc = g->fn(g->ctx, id, name, mi, "", "", BL_GAP_WHY_EARLY);
    for (size_t j = 0; j < p->n_own && rc == BL_OK; j++) {
        const own_lib *o = &p->own[j];
        if (over && o->lib >= 0 && own_part(o, k))
            rc = g->fn(g->ctx, id, name, mi, res->names[o->lib].id, res->names[o->lib].name,
                       BL_GAP_WHY_EARLY);
    }
    for (size_t j = 0; j < p->n_rej && rc == BL_OK; j++)
        if (p->rej[j].month[k])
            rc = g->fn(g->ctx, id, name, mi, res->names[p->rej[j].lib].id,
                       res->names[p->rej[j].lib].name, BL_GAP_WHY_REJECTED);
    if (rc == BL_OK && p->net_unattributed[k])
        rc = g->fn(g->ctx, id, name, mi, "", "", BL_GAP_WHY_UNATTRIBUTED);
    return rc;
}

static bl_status library_gaps_stretch(void *ctx, const reslist *res, int start, int end)
{
    libgaps *g = ctx;
    bl_status rc = BL_OK;
    for (int mi = start; mi <= end && rc == BL_OK; mi++) {
        int k = mi - res->wfirst;
        for (size_t ri = 0; ri < res->n && rc == BL_OK; ri++) {
            const presence *p = &res->p[ri];
            bool has, part;
            bl__scope_month(res, p, k, &network_scope, NULL, &has, &part, NULL);
            /* Partial, or nothing at all: whose report to ask for either
             * way (a month of which every own report is missing was the
             * resource's line alone). */
            for (size_t j = 0; j < p->n_own && (part || !has) && rc == BL_OK; j++) {
                const own_lib *o = &p->own[j];
                if (o->lib >= 0 && !own_came(o, k) && k >= o->from &&
                    member_at(res, (size_t)o->lib, k))
                    rc = g->fn(g->ctx, res->v[ri].id, res->v[ri].name, mi, res->names[o->lib].id,
                               res->names[o->lib].name, BL_GAP_WHY_MISSING);
            }
            if (rc == BL_OK && has)
                rc = partial_whys(g, res, ri, mi);
        }
    }
    return rc;
}

bl_status bl_model_library_gaps(bl_store *st, int first, int last, int this_month,
                                bl_library_gap_fn fn, void *ctx)
{
    libgaps g = {fn, ctx, {.running_from = this_month}};
    return each_stretch(st, first, last, library_gaps_stretch, &g);
}
