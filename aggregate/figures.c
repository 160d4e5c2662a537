/* The figures every report and mail share, as pure functions of a report
 * model (include/bilan/model.h): which resources are listed, totals, the
 * one definition of a change "à périmètre égal", a partner's per-resource
 * sums, the fingerprint of what a PDF shows; and releasing a model. No
 * store, no SQL: the model is built by pipeline/model.c. */
#include "bilan/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- figures every report and mail share ------------------------------------------ */

bool bl_model_listed(const bl_model_resource *r)
{
    for (int k = 0; k < BL_WINDOW; k++)
        if (r->has[k])
            return true;
    return false;
}

bl_model_total bl_model_total_of(const bl_model *m, int first, int last)
{
    bl_model_total t = {0, false, false};
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl_model_listed(x))
            continue;
        int nh;
        t.v = bl_model_add(t.v, bl_model_sum(m, x, first, last, &nh));
        t.has = t.has || nh > 0;
        t.partial = t.partial || bl_model_missing(m, x, first, last) > 0;
    }
    t.partial = t.partial && t.has;
    return t;
}

bl_model_total bl_model_base_total(const bl_model *m, int first, int last, int shift)
{
    return bl_model_total_of(m, first - shift, bl_model_compared_last(m, last) - shift);
}

bool bl_model_list_has_data(bl_model *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (bl_model_total_of(v[i], v[i]->period.first, v[i]->period.last).has ||
            v[i]->unattributed_total > 0)
            return true;
    return false;
}

bl_model_change bl_model_compare(const bl_model *m, int first, int last, int shift)
{
    bl_model_change c;
    memset(&c, 0, sizeof c);
    /* Months not over yet are left out of both sides. */
    c.running = bl_model_compared_last(m, last) != last;
    last = bl_model_compared_last(m, last);
    c.first = first;
    c.last = last;
    c.shift = shift;
    if (last < first)
        return c;
    int len = last - first + 1;
    c.base_whole = true;
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        int h_now, h_base;
        int64_t now = bl_model_sum(m, x, first, last, &h_now);
        int64_t base = bl_model_sum(m, x, first - shift, last - shift, &h_base);
        c.base_has = c.base_has || h_base > 0;
        if (bl_model_listed(x)) { /* as bl_model_total_of: its † */
            c.base_all = bl_model_add(c.base_all, base);
            c.base_whole = c.base_whole && (h_base == 0 || h_base == len) &&
                           !bl_model_missing(m, x, first - shift, last - shift);
        }
        if (h_now == len && h_base == len && !bl_model_missing(m, x, first, last) &&
            !bl_model_missing(m, x, first - shift, last - shift)) {
            c.now = bl_model_add(c.now, now);
            c.base = bl_model_add(c.base, base);
            c.comparable = true;
        } else if (h_now + h_base > 0) {
            c.excluded = true;
        }
    }
    /* Sums are at most BL_MODEL_MAX: (now - base) * 1000 fits in 64 bits. */
    c.has_change = c.comparable && bl_change_tenths(c.now, c.base, &c.tenths);
    return c;
}

void bl_model_fill_partner_totals(bl_model *m)
{
    bl_period prev = bl_period_previous(&m->period);
    for (size_t r = 0; r < m->n_resources; r++) {
        m->partner->cells[r] =
            bl_model_sum(m, &m->resources[r], m->period.first, m->period.last, NULL);
        m->partner->prev[r] = bl_model_sum(m, &m->resources[r], prev.first, prev.last, NULL);
        m->partner->total = bl_model_add(m->partner->total, m->partner->cells[r]);
        m->partner->total_prev = bl_model_add(m->partner->total_prev, m->partner->prev[r]);
    }
}

/* The fingerprint's serialisation: every field a PDF shows, in a fixed
 * order, each string with its length so that no two models collide by
 * concatenation. A failed append is remembered (bl_buf is not sticky). */
typedef struct fp {
    bl_buf b;
    bool fail;
} fp;

static void fp_printf(fp *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fp_printf(fp *f, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp || bl_buf_append(&f->b, tmp, (size_t)n) != BL_OK)
        f->fail = true;
}

static void fp_str(fp *f, const char *s)
{
    s = s ? s : "";
    fp_printf(f, "%zu:", strlen(s));
    if (bl_buf_append(&f->b, s, strlen(s)) != BL_OK)
        f->fail = true;
}

static void fp_partner(fp *f, const bl_model_partner *p, size_t nres)
{
    fp_str(f, p->id), fp_str(f, p->name), fp_str(f, p->kind);
    fp_printf(f, "%lld,%d,%lld,%lld,%lld,%lld;", (long long)p->population, p->population_year,
              (long long)p->rate_e4, (long long)p->participation_cents, (long long)p->total,
              (long long)p->total_prev);
    for (size_t r = 0; r < nres; r++)
        fp_printf(f, "%lld/%lld,", (long long)p->cells[r], (long long)p->prev[r]);
    if (p->estimated)
        fp_printf(f, "estimated;");
    if (p->article)
        fp_str(f, p->article);
}

bl_status bl_model_fingerprint(const bl_model *m, char hex[65])
{
    fp f = {BL_BUF_INIT((size_t)1 << 30), false};
    fp_printf(&f, "bilan %s|%d|%s|%d|%d,%d|%d|%d,%d,%lld,%lld|", BL_VERSION, (int)m->kind,
              m->period.id, m->window_first, m->provisional, m->running_from, m->n_libraries,
              m->has_users, m->has_users_prev, (long long)m->users, (long long)m->users_prev);
    if (m->users_lost) /* (the text says why no figure) */
        fp_printf(&f, "users lost;");
    if (m->users_masked)
        fp_printf(&f, "users masked;");
    if (m->partner)
        fp_partner(&f, m->partner, m->n_resources);
    for (size_t i = 0; i < m->n_resources; i++) {
        const bl_model_resource *r = &m->resources[i];
        fp_str(&f, r->id), fp_str(&f, r->name), fp_str(&f, r->provider);
        fp_str(&f, r->kind), fp_str(&f, r->metric);
        fp_printf(&f, "%lld;", (long long)r->annual_cost_cents);
        if (r->shared || r->fallback || r->network_level) /* docs/profiles.md */
            fp_printf(&f, "alloc %d%d%d;", r->shared, r->fallback, r->network_level);
        /* (a partial month adds to the text, so that other models keep
         * their fingerprints) */
        for (int k = 0; k < BL_WINDOW; k++) {
            fp_printf(&f, "%d%lld,", r->has[k], (long long)r->v[k]);
            if (r->part[k])
                fp_str(&f, r->gap[k]);
            /* the network's months, which a partner's annual cost per
             * consultation counts (only there, so that the other reports
             * keep their fingerprints) */
            if (m->kind == BL_REPORT_ANNUEL && m->partner && r->net_has[k] != r->has[k])
                fp_printf(&f, "n%d,", r->net_has[k]);
        }
    }
    for (size_t i = 0; i < m->n_partners; i++)
        fp_partner(&f, &m->partners[i], m->n_resources);
    for (size_t i = 0; i < m->n_unattributed; i++) {
        fp_str(&f, m->unattributed[i].institution), fp_str(&f, m->unattributed[i].platform);
        fp_printf(&f, "%lld;", (long long)m->unattributed[i].value);
    }
    for (size_t i = 0; i < m->n_rejects; i++) {
        const bl_model_rejects *x = &m->rejects[i];
        fp_str(&f, x->path), fp_str(&f, x->provider), fp_str(&f, x->format);
        fp_printf(&f, "%lld,%lld;", (long long)x->rejected, (long long)x->accepted);
    }
    for (size_t i = 0; i < m->n_ranges; i++) {
        fp_str(&f, m->ranges[i].range);
        fp_printf(&f, "%lld;", (long long)m->ranges[i].events);
    }
    for (size_t i = 0; i < m->n_gauges; i++) {
        const bl_model_gauge *g = &m->gauges[i];
        fp_str(&f, g->label), fp_str(&f, g->sentence);
        fp_printf(&f, "%lld,%lld,%d,%d;", (long long)g->units, (long long)g->used, g->alert_percent,
                  (int)g->status);
    }
    /* Issue 15: the libraries, the cost base, the network's name and logo. */
    for (size_t i = 0; i < m->n_libs; i++) {
        const bl_model_library *l = &m->libs[i];
        fp_str(&f, l->id), fp_str(&f, l->name);
        fp_printf(&f, "%d%lld;", l->has_users, (long long)l->users);
        for (size_t k = 0; k < m->n_resources * BL_WINDOW; k++)
            fp_printf(&f, "%lld%s,", (long long)l->v[k], l->has && !l->has[k] ? "-" : "");
    }
    if (m->network_participation_cents)
        fp_printf(&f, "np%lld;", (long long)m->network_participation_cents);
    if (m->network_name)
        fp_str(&f, m->network_name);
    if (m->logo) {
        char h[65];
        bl_sha256_hex(m->logo, m->logo_len, h);
        fp_str(&f, h);
    }
    /* Shown since 30 November 2026; absent, they leave the fingerprints of
     * earlier PDFs as they were. */
    if (m->network_email)
        fp_printf(&f, "ne"), fp_str(&f, m->network_email);
    if (m->network_website)
        fp_printf(&f, "nw"), fp_str(&f, m->network_website);
    bl_status rc = f.fail ? BL_NOMEM : BL_OK;
    if (rc == BL_OK)
        bl_sha256_hex(f.b.data, f.b.len, hex);
    bl_buf_release(&f.b);
    return rc;
}

/* ---- freeing ------------------------------------------------------------------- */

static void partner_release(bl_model_partner *p)
{
    free(p->id), free(p->name), free(p->kind), free(p->article);
    free(p->cells), free(p->prev), free(p->n_has), free(p->n_missing);
}

void bl_model_library_release(bl_model_library *l)
{
    free(l->id), free(l->name), free(l->v), free(l->has), free(l->quiet), free(l->part);
}

void bl_model_free(bl_model *m)
{
    if (!m)
        return;
    if (m->partner) {
        partner_release(m->partner);
        free(m->partner);
    }
    for (size_t i = 0; i < m->n_resources; i++) {
        bl_model_resource *r = &m->resources[i];
        free(r->id), free(r->name), free(r->provider), free(r->kind), free(r->metric);
        for (int k = 0; k < BL_WINDOW; k++)
            free(r->gap[k]);
    }
    free(m->resources);
    for (size_t i = 0; i < m->n_partners; i++)
        partner_release(&m->partners[i]);
    free(m->partners);
    for (size_t i = 0; i < m->n_unattributed; i++)
        free(m->unattributed[i].institution), free(m->unattributed[i].platform);
    free(m->unattributed);
    for (size_t i = 0; i < m->n_rejects; i++)
        free(m->rejects[i].path), free(m->rejects[i].provider), free(m->rejects[i].format);
    free(m->rejects);
    for (size_t i = 0; i < m->n_ranges; i++)
        free(m->ranges[i].range);
    free(m->ranges);
    for (size_t i = 0; i < m->n_gauges; i++)
        free(m->gauges[i].label), free(m->gauges[i].sentence), free(m->gauges[i].forfait_id),
            free(m->gauges[i].resource_name);
    free(m->gauges);
    for (size_t i = 0; i < m->n_libs; i++)
        bl_model_library_release(&m->libs[i]);
    free(m->libs);
    free(m->network_name);
    free(m->logo);
    free(m->network_email), free(m->network_website);
    free(m);
}

void bl_model_list_free(bl_model **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bl_model_free(v[i]);
    free(v);
}
