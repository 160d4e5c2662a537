/* Report models (include/bilan/model.h): the numbers and labels of one PDF,
 * built from the store's read queries (store/report_queries.c) so that the
 * render layer never needs the store. This file only wires: which query
 * fills which field. The figures' rules are aggregate/figures.c's, the SQL
 * definition of a consultation store/figures_sql.h's. See docs/reports.md.
 */
#include "bilan/pipeline.h"
#include "bilan/store_queries.h"
#include "presence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- resources ---------------------------------------------------------------- */

/* A resource's has, part and gap in m's scope (the network, or the
 * partner's libraries), by scope_month. */
static bl_status apply_presence(const reslist *l, size_t ri, bl_model *m)
{
    const presence *p = &l->p[ri];
    bl_model_resource *r = &m->resources[ri];
    r->elsewhere = m->partner && bl__elsewhere(l, p, m, NULL);
    for (int k = 0; k < BL_WINDOW; k++) {
        bl_buf gap = BL_BUF_INIT(1u << 16);
        bl_status rc = bl__scope_month(l, p, k, m, NULL, &r->has[k], &r->part[k], &gap);
        if (rc == BL_OK && r->part[k])
            rc = (r->gap[k] = strdup(bl_buf_cstr(&gap))) ? BL_OK : BL_NOMEM;
        bl_buf_release(&gap);
        if (rc != BL_OK)
            return rc;
        r->net_has[k] = m->partner ? bl__network_has(l, ri, l->wfirst + k) : r->has[k];
    }
    /* The partner's libraries, each on its own. */
    for (size_t i = 0; m->partner && i < m->n_libs; i++) {
        bl_model_library *lib = &m->libs[i];
        for (int k = 0; k < BL_WINDOW; k++) {
            size_t at = ri * BL_WINDOW + (size_t)k;
            bl_library_month x = bl__library_month(l, p, m, lib, k);
            lib->has[at] = x.has, lib->part[at] = x.part, lib->quiet[at] = x.quiet;
        }
    }
    return BL_OK;
}

static bl_status apply_presence_all(const reslist *l, bl_model *m)
{
    bl_status rc = BL_OK;
    for (size_t ri = 0; ri < l->n && rc == BL_OK; ri++)
        rc = apply_presence(l, ri, m);
    /* A network report's partners: each cell of the period in its own
     * scope (bl_model_partner.n_has, n_missing). */
    for (size_t i = 0; i < m->n_partners && rc == BL_OK; i++) {
        bl_model_partner *x = &m->partners[i];
        for (size_t ri = 0; ri < l->n; ri++) {
            if (bl__elsewhere(l, &l->p[ri], m, x->id))
                continue; /* not a resource it gets: "—", and no † */
            for (int mi = m->period.first; mi <= m->period.last; mi++) {
                int k = bl_model_slot(m, mi);
                bool has, part;
                if (k < 0)
                    continue;
                bl__scope_month(l, &l->p[ri], k, m, x->id, &has, &part, NULL);
                x->n_has[ri] += has;
                x->n_missing[ri] += (!has || part) && bl_model_over(m, mi);
            }
        }
    }
    return rc;
}

static bl_status copy_resources(const bl_model_resource *src, size_t n, bl_model *m)
{
    m->resources = calloc(n ? n : 1, sizeof *m->resources);
    if (!m->resources)
        return BL_NOMEM;
    m->n_resources = n;
    for (size_t i = 0; i < n; i++) {
        bl_model_resource *d = &m->resources[i];
        d->annual_cost_cents = src[i].annual_cost_cents;
        d->id = strdup(src[i].id), d->name = strdup(src[i].name);
        d->provider = strdup(src[i].provider), d->kind = strdup(src[i].kind);
        d->metric = strdup(src[i].metric);
        if (!d->id || !d->name || !d->provider || !d->kind || !d->metric)
            return BL_NOMEM;
    }
    return BL_OK;
}

static bl_status partner_from_info(const bl_partner_info *pi, size_t nres, bl_model_partner *p)
{
    memset(p, 0, sizeof *p);
    p->id = strdup(pi->id), p->name = strdup(pi->name), p->kind = strdup(pi->kind);
    p->population = pi->population;
    p->population_year = pi->population_year;
    p->rate_e4 = pi->rate_e4;
    p->participation_cents = pi->participation_cents;
    if (pi->article && !(p->article = strdup(pi->article)))
        return BL_NOMEM;
    p->cells = calloc(nres ? nres : 1, sizeof *p->cells);
    p->prev = calloc(nres ? nres : 1, sizeof *p->prev);
    p->n_has = calloc(nres ? nres : 1, sizeof *p->n_has);
    p->n_missing = calloc(nres ? nres : 1, sizeof *p->n_missing);
    if (!p->id || !p->name || !p->kind || !p->cells || !p->prev || !p->n_has || !p->n_missing)
        return BL_NOMEM;
    return BL_OK;
}

static void model_init(bl_model *m, bl_report_kind kind, const bl_period *p, int64_t days)
{
    m->kind = kind;
    m->period = *p;
    m->window_first = p->last - BL_WINDOW + 1;
    m->generated_days = days;
    m->provisional = bl_period_state_at(p, days) == BL_PERIOD_RUNNING;
    if (m->provisional) {
        int y, mo, d;
        bl_civil_from_days(days, &y, &mo, &d);
        m->running_from = bl_month_index(y, mo);
    }
    bl_period_label(m->period_label, sizeof m->period_label, p);
    bl_period prev = bl_period_previous(p);
    bl_period_label(m->prev_label, sizeof m->prev_label, &prev);
}

/* ---- consultations over the window ----------------------------------------------- */

/* Consultations per (partner, resource, month) over the window, in one
 * pass; fn is called for each row of a known resource inside the window. */
typedef void (*usage_fn)(void *ctx, const char *partner, long res, int k, int64_t v);

typedef struct usage_ctx {
    const reslist *res;
    usage_fn fn;
    void *ctx;
} usage_ctx;

static bl_status on_consultation(void *ctx, const char *partner_id, const char *resource_id,
                                 int month, long long value)
{
    usage_ctx *u = ctx;
    long ri = bl__find_resource(u->res->v, u->res->n, resource_id);
    int k = month - u->res->wfirst;
    if (ri >= 0 && month >= 0 && k >= 0 && k < BL_WINDOW)
        u->fn(u->ctx, partner_id, ri, k, value);
    return BL_OK;
}

static bl_status read_usage(bl_store *st, const char *partner_id, const reslist *res, usage_fn fn,
                            void *ctx)
{
    usage_ctx u = {res, fn, ctx};
    return bl_store_consultations(st, res->wfirst, res->wfirst + BL_WINDOW - 1, partner_id,
                                  on_consultation, &u);
}

/* ---- profile: network-level totals shared among partners (docs/profiles.md) ---------- */

/* Where the totals and shares go: total(ctx, res, k, v, basis) once per
 * resource and month (basis 0: kept at network level), share(ctx, partner,
 * res, k, v, basis, fell_back) for each partner's share. */
typedef struct alloc_out {
    void (*total)(void *ctx, long res, int k, int64_t v, int basis);
    void (*share)(void *ctx, const char *partner, long res, int k, int64_t v, int basis,
                  bool fell_back);
    void *ctx;
} alloc_out;

typedef struct alloc_ctx {
    const reslist *res;
    const bl_partner_info *pi; /* sorted by id: ties of the largest remainder by id */
    size_t npi;
    int64_t *pop, *logs, *shares, *w; /* logs: [partner][resource][window] */
    alloc_out out;
} alloc_ctx;

static long partner_index(const alloc_ctx *a, const char *id)
{
    size_t lo = 0, hi = a->npi;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(a->pi[mid].id, id);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static bl_status on_log_requests(void *ctx, const char *partner_id, const char *resource_id,
                                 int month, long long value)
{
    alloc_ctx *a = ctx;
    long p = partner_index(a, partner_id), r = bl__find_resource(a->res->v, a->res->n, resource_id);
    int k = month - a->res->wfirst;
    if (p >= 0 && r >= 0 && month >= 0 && k >= 0 && k < BL_WINDOW)
        a->logs[((size_t)p * a->res->n + (size_t)r) * BL_WINDOW + (size_t)k] = value;
    return BL_OK;
}

static bl_status on_network_total(void *ctx, const char *resource_id, int month, long long value,
                                  const char *allocate)
{
    alloc_ctx *a = ctx;
    long r = bl__find_resource(a->res->v, a->res->n, resource_id);
    int k = month - a->res->wfirst;
    if (r < 0 || month < 0 || k < 0 || k >= BL_WINDOW || value <= 0)
        return BL_OK;
    int basis = strcmp(allocate, "population") == 0 ? BL_BASIS_POPULATION
                : strcmp(allocate, "logs") == 0     ? BL_BASIS_LOGS
                                                    : 0;
    bool fell_back = false;
    if (basis) {
        for (size_t p = 0; p < a->npi; p++)
            a->w[p] = a->logs[(p * a->res->n + (size_t)r) * BL_WINDOW + (size_t)k];
        /* No partner to carry a share (no population, nor logs): the
         * total stays at network level. */
        if (!bl_allocate_month(value, (bl_alloc_basis)basis, a->pop, a->w, a->npi, a->shares,
                               &fell_back))
            basis = 0;
    }
    a->out.total(a->out.ctx, r, k, value, basis);
    /* Every partner's figure is an estimate, a share of 0 too. */
    for (size_t p = 0; basis && p < a->npi; p++)
        a->out.share(a->out.ctx, a->pi[p].id, r, k, a->shares[p], basis, fell_back);
    return BL_OK;
}

static bl_status network_totals(bl_store *st, const reslist *res, const bl_partner_info *pi,
                                size_t npi, alloc_out out)
{
    alloc_ctx a = {res, pi, npi, NULL, NULL, NULL, NULL, out};
    size_t n = npi ? npi : 1;
    a.pop = calloc(n, sizeof *a.pop);
    a.shares = calloc(n, sizeof *a.shares);
    a.w = calloc(n, sizeof *a.w);
    a.logs = calloc(n * (res->n ? res->n : 1) * BL_WINDOW, sizeof *a.logs);
    bl_status rc = a.pop && a.shares && a.w && a.logs ? BL_OK : BL_NOMEM;
    for (size_t p = 0; p < npi; p++)
        a.pop[p] = pi[p].population;
    int last = res->wfirst + BL_WINDOW - 1;
    if (rc == BL_OK)
        rc = bl_store_log_requests(st, res->wfirst, last, on_log_requests, &a);
    if (rc == BL_OK)
        rc = bl_store_network_totals(st, res->wfirst, last, on_network_total, &a);
    free(a.pop), free(a.shares), free(a.w), free(a.logs);
    return rc;
}

/* ---- end profile */

/* ---- forfait gauges -------------------------------------------------------------- */

/* Forfait gauges as the period ends, from the forfait module: evaluated on
 * the day after its last day, when all of its months' data can be in (what
 * `bilan forfait status --at` says that day), or on the day of generation
 * while the period runs (« provisoire »). Until 3 December 2026 they were
 * evaluated on the period's last day: the burn rate of an October report
 * left October out, and its projection was not the one `forfait status`
 * gave in November. Forfaits whose contract does not meet the period are
 * left out (an annual report of 2025 has nothing to say of 2026's). */
static bl_status fill_gauges(bl_store *st, bl_model *m)
{
    bl_forfait_status *f = NULL;
    size_t n = 0;
    int fy = bl_month_year(m->period.first), fm = bl_month_num(m->period.first);
    int ly = bl_month_year(m->period.last), lm = bl_month_num(m->period.last);
    int64_t after = bl_days_from_civil(ly, lm, bl_days_in_month(ly, lm)) + 1;
    int64_t at = m->generated_days < after ? m->generated_days : after;
    int y, mo, d;
    bl_civil_from_days(at, &y, &mo, &d);
    char first[16], last[16];
    snprintf(first, sizeof first, "%04d-%02d-01", fy, fm);
    snprintf(last, sizeof last, "%04d-%02d-%02d", ly, lm, bl_days_in_month(ly, lm));
    bl_status rc = bl_forfait_status_all(st, y, mo, d, &f, &n);
    if (rc != BL_OK || n == 0)
        return rc;
    m->gauges = calloc(n, sizeof *m->gauges);
    if (!m->gauges) {
        rc = BL_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        /* Dates as YYYY-MM-DD compare as strings. */
        if (strcmp(f[i].start, last) > 0 || strcmp(f[i].end, first) < 0)
            continue;
        bl_model_gauge *g = &m->gauges[m->n_gauges++];
        char sentence[512];
        g->label = bl_strdup_printf(
            "%s (forfait %s)", f[i].resource_name ? f[i].resource_name : f[i].resource_id, f[i].id);
        g->sentence = strdup(bl_forfait_sentence(&f[i], sentence, sizeof sentence));
        g->forfait_id = strdup(f[i].id);
        g->resource_name = strdup(f[i].resource_name ? f[i].resource_name : f[i].resource_id);
        g->units = f[i].units;
        g->used = f[i].used;
        g->percent_tenths = f[i].percent_tenths;
        g->alert_percent = f[i].alert_percent;
        g->status = f[i].state == BL_FORFAIT_EXHAUSTED ? BL_GAUGE_EXHAUSTED
                    : f[i].state == BL_FORFAIT_WATCH   ? BL_GAUGE_WATCH
                                                       : BL_GAUGE_OK;
        if (!g->label || !g->sentence || !g->forfait_id || !g->resource_name) {
            rc = BL_NOMEM;
            goto out;
        }
    }
out:
    bl_forfait_status_free(f, n);
    return rc;
}

/* ---- partner reports ------------------------------------------------------------- */

typedef struct plist {
    bl_model **v;
    size_t n;
    bool prev; /* users: filling the previous period */
} plist;

static bl_model *plist_find(plist *pl, const char *id)
{
    /* Models are sorted by partner id: binary search. */
    size_t lo = 0, hi = pl->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(pl->v[mid]->partner->id, id);
        if (c == 0)
            return pl->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void partner_usage(void *ctx, const char *partner, long res, int k, int64_t v)
{
    bl_model *m = plist_find(ctx, partner);
    if (m)
        m->resources[res].v[k] = bl_model_add(m->resources[res].v[k], v);
}

static bl_status partner_users(void *ctx, const char *partner, long long users)
{
    plist *pl = ctx;
    bl_model *m = plist_find(pl, partner);
    if (!m)
        return BL_OK;
    if (pl->prev)
        m->has_users_prev = true, m->users_prev = users;
    else
        m->has_users = true, m->users = users;
    return BL_OK;
}

/* A library's users lost in the period: its partner's are not known. */
static bl_status partner_lost(void *ctx, const char *partner, const char *library)
{
    (void)library;
    plist *pl = ctx;
    bl_model *m = *partner ? plist_find(pl, partner) : NULL;
    if (!m)
        return BL_OK;
    if (pl->prev)
        m->has_users_prev = false;
    else
        m->has_users = false, m->users_lost = true;
    return BL_OK;
}

/* ---- profile: a partner's share of a network-level total */
static void partner_total(void *ctx, long res, int k, int64_t v, int basis)
{
    /* A partner sees its share only; a total kept at network level is
     * said to be in no partner's figures. */
    plist *pl = ctx;
    (void)k, (void)v;
    for (size_t i = 0; !basis && i < pl->n; i++)
        pl->v[i]->resources[res].network_level = true;
}

static void partner_share(void *ctx, const char *partner, long res, int k, int64_t v, int basis,
                          bool fell_back)
{
    bl_model *m = plist_find(ctx, partner);
    if (!m)
        return;
    bl_model_resource *r = &m->resources[res];
    r->v[k] = bl_model_add(r->v[k], v);
    r->shared = basis;
    r->fallback = r->fallback || fell_back;
}
/* ---- end profile */

static bl_status partner_libraries(void *ctx, const char *partner, long long n)
{
    bl_model *m = plist_find(ctx, partner);
    if (m)
        m->n_libraries = (int)n;
    return BL_OK;
}

/* ---- per library (issue 15) */

typedef struct libctx {
    plist *pl;
    size_t nres;
    const reslist *res;
} libctx;

static bl_status on_library(void *ctx, const char *partner, const char *id, const char *name,
                            int member_from, int member_until)
{
    libctx *c = ctx;
    bl_model *m = plist_find(c->pl, partner);
    if (!m)
        return BL_OK;
    void *v = m->libs;
    /* Libraries are few per partner: grow one at a time. */
    v = realloc(v, (m->n_libs + 1) * sizeof *m->libs);
    if (!v)
        return BL_NOMEM;
    m->libs = v;
    bl_model_library *l = &m->libs[m->n_libs++];
    memset(l, 0, sizeof *l);
    l->id = strdup(id), l->name = strdup(name);
    l->member_from = member_from, l->member_until = member_until;
    l->v = calloc((c->nres ? c->nres : 1) * BL_WINDOW, sizeof *l->v);
    l->has = calloc((c->nres ? c->nres : 1) * BL_WINDOW, sizeof *l->has);
    l->quiet = calloc((c->nres ? c->nres : 1) * BL_WINDOW, sizeof *l->quiet);
    l->part = calloc((c->nres ? c->nres : 1) * BL_WINDOW, sizeof *l->part);
    return l->id && l->name && l->v && l->has && l->quiet && l->part ? BL_OK : BL_NOMEM;
}

static bl_model_library *find_library(plist *pl, const char *partner, const char *id)
{
    bl_model *m = plist_find(pl, partner);
    for (size_t i = 0; m && i < m->n_libs; i++)
        if (strcmp(m->libs[i].id, id) == 0)
            return &m->libs[i];
    return NULL;
}

static bl_status on_library_usage(void *ctx, const char *partner, const char *library,
                                  const char *resource_id, int month, long long value)
{
    libctx *c = ctx;
    bl_model_library *l = find_library(c->pl, partner, library);
    long ri = bl__find_resource(c->res->v, c->res->n, resource_id);
    int k = month - c->res->wfirst;
    if (l && ri >= 0 && month >= 0 && k >= 0 && k < BL_WINDOW) {
        int64_t *x = &l->v[(size_t)ri * BL_WINDOW + (size_t)k];
        *x = bl_model_add(*x, value);
    }
    return BL_OK;
}

static bl_status on_library_users(void *ctx, const char *partner, const char *library,
                                  long long users)
{
    libctx *c = ctx;
    bl_model_library *l = find_library(c->pl, partner, library);
    if (l)
        l->has_users = true, l->users = users;
    return BL_OK;
}

static bl_status on_library_lost(void *ctx, const char *partner, const char *library)
{
    libctx *c = ctx;
    bl_model_library *l = *partner ? find_library(c->pl, partner, library) : NULL;
    if (l)
        l->has_users = false, l->users_lost = true;
    return BL_OK;
}

/* A library that was a member in no month of the period, and has no use
 * in the months the report shows (the period, the twelve months to its
 * end, the same period a year before and the one before it), is not one of
 * the partner's libraries for this report (its table nor its count;
 * docs/network.md, "Members who join or leave"). A use there keeps it: the
 * tables show it, and the partner's total less its libraries' is what no
 * library is given. */
static void drop_non_members(plist *pl, const reslist *res, const bl_period *p)
{
    for (size_t i = 0; i < pl->n; i++) {
        bl_model *m = pl->v[i];
        size_t kept = 0;
        for (size_t j = 0; j < m->n_libs; j++) {
            bl_model_library *l = &m->libs[j];
            bool used = l->has_users ||
                        bl__member_during(l->member_from, l->member_until, p->first, p->last);
            int from = p->first - 12 < p->last - 11 ? p->first - 12 : p->last - 11;
            for (size_t r = 0; r < res->n && !used; r++)
                for (int mi = from; mi <= p->last && !used; mi++) {
                    int k = mi - res->wfirst;
                    used = k >= 0 && k < BL_WINDOW && l->v[r * BL_WINDOW + (size_t)k] != 0;
                }
            if (used) {
                m->libs[kept++] = *l;
                continue;
            }
            bl_model_library_release(l);
            if (m->n_libraries > 0)
                m->n_libraries--;
        }
        m->n_libs = kept;
    }
}

/* Each partner's libraries with their consultations and users. */
static bl_status partner_libraries_usage(bl_store *st, const char *partner_id, const bl_period *p,
                                         const reslist *res, plist *pl)
{
    libctx c = {pl, res->n, res};
    bl_status rc = bl_store_libraries_of(st, partner_id, on_library, &c);
    if (rc == BL_OK)
        rc = bl_store_library_consultations(st, res->wfirst, res->wfirst + BL_WINDOW - 1,
                                            partner_id, on_library_usage, &c);
    if (rc == BL_OK)
        rc = bl_store_library_users(st, p->first, p->last, on_library_users, &c);
    if (rc == BL_OK)
        rc = bl_store_users_lost(st, p->first, p->last, on_library_lost, &c);
    if (rc == BL_OK)
        drop_non_members(pl, res, p);
    return rc;
}

/* The network's identity (network.csv) into a model. */
static bl_status model_identity(bl_store *st, bl_model *m)
{
    bl_network_identity id;
    bl_status rc = bl_store_network_identity(st, &id);
    if (rc != BL_OK)
        return rc;
    /* Moved into the model; an empty optional column is no value. */
    m->network_name = id.name, id.name = NULL;
    m->logo = id.logo, m->logo_len = id.logo_len, id.logo = NULL;
    if (id.contact_email && *id.contact_email)
        m->network_email = id.contact_email, id.contact_email = NULL;
    if (id.website && *id.website)
        m->network_website = id.website, id.website = NULL;
    bl_network_identity_release(&id);
    return BL_OK;
}

/* ---- end per library */

/* The partners' models, before any usage is read: one per partner (or
 * partner_id's only), sorted by id, with the resources of the window. */
static bl_status partner_models(const bl_partner_info *pi, size_t npi, const char *partner_id,
                                bl_report_kind kind, const bl_period *p, int64_t generated_days,
                                const reslist *res, plist *pl)
{
    bl_status rc = BL_OK;
    pl->v = calloc(npi ? npi : 1, sizeof *pl->v);
    if (!pl->v)
        return BL_NOMEM;
    for (size_t i = 0; i < npi && rc == BL_OK; i++) {
        if (partner_id && strcmp(pi[i].id, partner_id) != 0)
            continue;
        bl_model *m = calloc(1, sizeof *m);
        if (!m)
            return BL_NOMEM;
        pl->v[pl->n++] = m;
        model_init(m, kind, p, generated_days);
        m->partner = calloc(1, sizeof *m->partner);
        rc = m->partner ? partner_from_info(&pi[i], res->n, m->partner) : BL_NOMEM;
        if (rc == BL_OK)
            rc = copy_resources(res->v, res->n, m);
    }
    return rc;
}

bl_status bl_model_build_partners(bl_store *st, bl_report_kind kind, const bl_period *p,
                                  const char *partner_id, int64_t generated_days, bl_model ***out,
                                  size_t *n)
{
    bl_partner_info *pi = NULL;
    size_t npi = 0;
    reslist res = {0};
    plist pl = {NULL, 0, false};
    *out = NULL;
    *n = 0;
    bl_status rc = bl_store_partners(st, &pi, &npi);
    if (rc != BL_OK)
        goto out;
    if (partner_id) {
        bool found = false;
        for (size_t i = 0; i < npi; i++)
            found = found || strcmp(pi[i].id, partner_id) == 0;
        if (!found) {
            rc = bl_store_fail(st, BL_NOTFOUND, "no partner '%s' in the network", partner_id);
            goto out;
        }
    }
    rc = bl__load_resources(st, p->last - BL_WINDOW + 1, &res);
    if (rc == BL_OK)
        rc = partner_models(pi, npi, partner_id, kind, p, generated_days, &res, &pl);
    if (rc == BL_OK)
        rc = read_usage(st, partner_id, &res, partner_usage, &pl);
    if (rc == BL_OK)
        rc = network_totals(st, &res, pi, npi, (alloc_out){partner_total, partner_share, &pl});
    if (rc == BL_OK)
        rc = bl_store_partner_users(st, p->first, p->last, partner_users, &pl);
    if (rc == BL_OK)
        rc = bl_store_users_lost(st, p->first, p->last, partner_lost, &pl);
    if (rc == BL_OK) {
        bl_period prev = bl_period_previous(p);
        pl.prev = true;
        rc = bl_store_partner_users(st, prev.first, prev.last, partner_users, &pl);
        if (rc == BL_OK)
            rc = bl_store_users_lost(st, prev.first, prev.last, partner_lost, &pl);
        pl.prev = false;
    }
    if (rc == BL_OK)
        rc = bl_store_library_counts(st, partner_libraries, &pl);
    if (rc == BL_OK)
        rc = partner_libraries_usage(st, partner_id, p, &res, &pl);
    for (size_t i = 0; i < pl.n && rc == BL_OK; i++)
        rc = apply_presence_all(&res, pl.v[i]);
    if (rc == BL_OK) {
        int64_t np = 0;
        for (size_t i = 0; i < npi; i++)
            np = bl_model_add(np, pi[i].participation_cents);
        for (size_t i = 0; i < pl.n && rc == BL_OK; i++) {
            pl.v[i]->network_participation_cents = np;
            rc = model_identity(st, pl.v[i]);
        }
    }
    for (size_t i = 0; i < pl.n && rc == BL_OK; i++)
        rc = fill_gauges(st, pl.v[i]);
    if (rc == BL_OK)
        for (size_t i = 0; i < pl.n; i++)
            bl_model_fill_partner_totals(pl.v[i]);
out:
    if (rc != BL_OK) {
        bl_model_list_free(pl.v, pl.n);
        pl.v = NULL, pl.n = 0;
        if (rc == BL_NOMEM)
            bl_store_fail(st, BL_NOMEM, "out of memory while building report models");
    }
    bl__reslist_release(&res);
    bl_partner_list_free(pi, npi);
    *out = pl.v;
    *n = pl.n;
    return rc;
}

/* ---- network reports ---------------------------------------------------------------- */

typedef struct netctx {
    bl_model *m;
    bl_period prev;
} netctx;

static bl_model_partner *network_partner_add(netctx *c, const char *partner, long res, int k,
                                             int64_t v);

static void network_usage(void *ctx, const char *partner, long res, int k, int64_t v)
{
    netctx *c = ctx;
    bl_model *m = c->m;
    m->resources[res].v[k] = bl_model_add(m->resources[res].v[k], v);
    network_partner_add(c, partner, res, k, v);
}

/* ---- profile: network-level totals in the network reports */
static void network_total(void *ctx, long res, int k, int64_t v, int basis)
{
    bl_model_resource *r = &((netctx *)ctx)->m->resources[res];
    r->v[k] = bl_model_add(r->v[k], v);
    if (basis)
        r->shared = basis;
    else
        r->network_level = true;
}

static void network_share(void *ctx, const char *partner, long res, int k, int64_t v, int basis,
                          bool fell_back)
{
    netctx *c = ctx;
    (void)basis;
    c->m->resources[res].fallback = c->m->resources[res].fallback || fell_back;
    int mi = c->m->window_first + k;
    bool counted = (mi >= c->m->period.first && mi <= c->m->period.last) ||
                   (mi >= c->prev.first && mi <= c->prev.last);
    bl_model_partner *p = network_partner_add(c, partner, res, k, v);
    if (p && counted)
        p->estimated = true;
}
/* ---- end profile */

/* Adds v to the partner's period or previous-period cells when month k
 * falls in one; the partner, or NULL when unknown. */
static bl_model_partner *network_partner_add(netctx *c, const char *partner, long res, int k,
                                             int64_t v)
{
    bl_model *m = c->m;
    int mi = m->window_first + k;
    /* Partners are sorted by id: binary search. */
    size_t lo = 0, hi = m->n_partners;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(m->partners[mid].id, partner);
        if (cmp == 0) {
            bl_model_partner *p = &m->partners[mid];
            if (mi >= m->period.first && mi <= m->period.last) {
                p->cells[res] = bl_model_add(p->cells[res], v);
                p->total = bl_model_add(p->total, v);
            } else if (mi >= c->prev.first && mi <= c->prev.last) {
                p->prev[res] = bl_model_add(p->prev[res], v);
                p->total_prev = bl_model_add(p->total_prev, v);
            }
            return p;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Whether a library's users of the period are lost (a library of the
 * network's: unattributed usage is not in its figure). */
static bl_status any_lost(void *ctx, const char *partner, const char *library)
{
    (void)partner;
    bool *lost = ctx;
    *lost = *lost || *library;
    return BL_OK;
}

/* The partners' figures of the period as their own reports print them:
 * the sum of those printed, and whether one is not (under
 * BL_USERS_SHOWN_MIN). */
typedef struct printed_users {
    long long sum;
    bool unprinted;
} printed_users;

static bl_status partner_printed(void *ctx, const char *partner, long long users)
{
    (void)partner;
    printed_users *p = ctx;
    if (users < BL_USERS_SHOWN_MIN)
        p->unprinted = true;
    else
        p->sum += users;
    return BL_OK;
}

static bl_status network_users(bl_store *st, bl_model *m)
{
    bl_period prev = bl_period_previous(&m->period);
    long long u = 0;
    bool has = false, lost = false, lost_prev = false;
    bl_status rc = bl_store_network_users(st, m->period.first, m->period.last, &has, &u);
    if (rc == BL_OK)
        rc = bl_store_users_lost(st, m->period.first, m->period.last, any_lost, &lost);
    if (rc == BL_OK && has && !lost)
        m->has_users = true, m->users = u;
    m->users_lost = lost;
    /* The network's figure less the partners' printed ones is what the
     * partners not printed have: under BL_USERS_SHOWN_MIN, not printed. */
    printed_users pu = {0, false};
    /* (with a figure, no library's users are lost: none is unprinted so) */
    if (rc == BL_OK && m->has_users)
        rc = bl_store_partner_users(st, m->period.first, m->period.last, partner_printed, &pu);
    if (rc == BL_OK && pu.unprinted && m->users >= BL_USERS_SHOWN_MIN &&
        m->users - pu.sum < BL_USERS_SHOWN_MIN)
        m->users_masked = true;
    if (rc == BL_OK)
        rc = bl_store_network_users(st, prev.first, prev.last, &has, &u);
    if (rc == BL_OK)
        rc = bl_store_users_lost(st, prev.first, prev.last, any_lost, &lost_prev);
    if (rc == BL_OK && has && !lost_prev)
        m->has_users_prev = true, m->users_prev = u;
    return rc;
}

typedef struct grow {
    size_t alloc;
    bl_model *m;
} grow;

/* Makes room for one more of n items of size sz in *v (capacity *alloc). */
static bool grow_one(void **v, size_t n, size_t *alloc, size_t sz)
{
    if (n < *alloc)
        return true;
    size_t na = *alloc ? *alloc * 2 : 16;
    void *nv = realloc(*v, na * sz);
    if (!nv)
        return false;
    *v = nv, *alloc = na;
    return true;
}

static bl_status on_unattributed(void *ctx, const char *institution, const char *platform,
                                 long long value)
{
    grow *g = ctx;
    bl_model *m = g->m;
    void *v = m->unattributed;
    bool ok = grow_one(&v, m->n_unattributed, &g->alloc, sizeof *m->unattributed);
    m->unattributed = v;
    if (!ok)
        return BL_NOMEM;
    bl_model_unattributed *x = &m->unattributed[m->n_unattributed++];
    x->institution = strdup(institution);
    x->platform = strdup(platform);
    x->value = value;
    m->unattributed_total = bl_model_add(m->unattributed_total, x->value);
    return x->institution && x->platform ? BL_OK : BL_NOMEM;
}

static bl_status on_rejects(void *ctx, const bl_rejects_row *row)
{
    grow *g = ctx;
    bl_model *m = g->m;
    void *v = m->rejects;
    bool ok = grow_one(&v, m->n_rejects, &g->alloc, sizeof *m->rejects);
    m->rejects = v;
    if (!ok)
        return BL_NOMEM;
    bl_model_rejects *x = &m->rejects[m->n_rejects++];
    x->path = strdup(row->path), x->provider = strdup(row->provider);
    x->format = strdup(row->format);
    x->rejected = row->rejected;
    x->accepted = row->accepted;
    return x->path && x->provider && x->format ? BL_OK : BL_NOMEM;
}

static bl_status on_range(void *ctx, const char *range, long long events)
{
    bl_model *m = ctx;
    if (m->n_ranges >= BL_MODEL_MAX_RANGES)
        return BL_OK;
    bl_model_range *x = &m->ranges[m->n_ranges++];
    x->range = strdup(range);
    x->events = bl_model_add(0, events);
    return x->range ? BL_OK : BL_NOMEM;
}

/* The network's own parts: unattributed usage, files with rejected rows,
 * the address ranges of unattributed log events (reseau). */
static bl_status network_quality(bl_store *st, bl_model *m)
{
    grow g = {0, m};
    bl_status rc = bl_store_unattributed(st, m->period.first, m->period.last, on_unattributed, &g);
    if (rc == BL_OK) {
        g.alloc = 0;
        rc = bl_store_files_with_rejects(st, m->period.first, m->period.last, on_rejects, &g);
    }
    if (rc == BL_OK) {
        m->ranges = calloc(BL_MODEL_MAX_RANGES, sizeof *m->ranges);
        rc = m->ranges ? bl_store_unattributed_ranges(st, m->period.first, m->period.last,
                                                      BL_MODEL_MAX_RANGES, on_range, m)
                       : BL_NOMEM;
    }
    return rc;
}

bl_status bl_model_build_network(bl_store *st, bl_report_kind kind, const bl_period *p,
                                 int64_t generated_days, bl_model **out)
{
    bl_partner_info *pi = NULL;
    size_t npi = 0;
    reslist res = {0};
    bl_model *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m)
        return BL_NOMEM;
    model_init(m, kind, p, generated_days);
    bl_status rc = bl_store_partners(st, &pi, &npi);
    if (rc == BL_OK)
        rc = bl__load_resources(st, m->window_first, &res);
    if (rc == BL_OK)
        rc = copy_resources(res.v, res.n, m);
    if (rc == BL_OK) {
        m->partners = calloc(npi ? npi : 1, sizeof *m->partners);
        rc = m->partners ? BL_OK : BL_NOMEM;
    }
    for (size_t i = 0; i < npi && rc == BL_OK; i++) {
        rc = partner_from_info(&pi[i], res.n, &m->partners[i]);
        m->n_partners++;
    }
    if (rc == BL_OK)
        rc = apply_presence_all(&res, m);
    if (rc == BL_OK) {
        netctx c = {m, bl_period_previous(p)};
        rc = read_usage(st, NULL, &res, network_usage, &c);
        if (rc == BL_OK)
            rc = network_totals(st, &res, pi, npi, (alloc_out){network_total, network_share, &c});
    }
    if (rc == BL_OK)
        rc = network_users(st, m);
    if (rc == BL_OK)
        rc = network_quality(st, m);
    if (rc == BL_OK)
        rc = fill_gauges(st, m);
    if (rc == BL_OK)
        rc = model_identity(st, m);
    bl__reslist_release(&res);
    bl_partner_list_free(pi, npi);
    if (rc != BL_OK) {
        if (rc == BL_NOMEM)
            bl_store_fail(st, BL_NOMEM, "out of memory while building report models");
        bl_model_free(m);
        return rc;
    }
    *out = m;
    return BL_OK;
}
