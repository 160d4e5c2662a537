/* Report models (include/bilan/model.h): the numbers and labels of one PDF,
 * read from the store with SQL so that the render layer never needs to.
 *
 * Every figure counts Regular usage (COUNTER's standard views) from the
 * view usage_effective (counting once across report types), in each
 * resource's headline metric: that is what the reports call
 * "consultations". See docs/reports.md.
 */
#include "store_internal.h"
#include "bilan/forfait.h"
#include "bilan/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- periods ---------------------------------------------------------------- */

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool bl_period_parse(const char *s, bl_period *p)
{
    size_t n = strlen(s);
    memset(p, 0, sizeof *p);
    if (n < 4 || !all_digits(s, 4))
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (y < 1990 || y > 2999)
        return false;
    if (n == 4) {
        p->kind = BL_PERIOD_YEAR;
        p->first = bl_month_index(y, 1);
        p->last = bl_month_index(y, 12);
    } else if (n == 7 && s[4] == '-' && (s[5] == 'S' || s[5] == 's') &&
               (s[6] == '1' || s[6] == '2')) {
        p->kind = BL_PERIOD_SEMESTER;
        p->first = bl_month_index(y, s[6] == '1' ? 1 : 7);
        p->last = p->first + 5;
    } else if (n == 7 && s[4] == '-') {
        int mi;
        if (!bl_month_parse(s, &mi))
            return false;
        p->kind = BL_PERIOD_MONTH;
        p->first = p->last = mi;
    } else {
        return false;
    }
    if (p->kind == BL_PERIOD_SEMESTER)
        snprintf(p->id, sizeof p->id, "%04d-S%c", y, s[6]);
    else
        snprintf(p->id, sizeof p->id, "%.7s", s);
    return true;
}

char *bl_period_label(char *out, size_t n, const bl_period *p)
{
    int y = bl_month_year(p->first);
    switch (p->kind) {
    case BL_PERIOD_MONTH:
        return bl_fr_month(out, n, p->first);
    case BL_PERIOD_SEMESTER:
        snprintf(out, n, "%s semestre %d", bl_month_num(p->first) == 1 ? "1er" : "2e", y);
        return out;
    default:
        snprintf(out, n, "année %d", y);
        return out;
    }
}

bl_period bl_period_previous(const bl_period *p)
{
    bl_period q = *p;
    int len = p->last - p->first + 1;
    q.first -= len;
    q.last -= len;
    int y = bl_month_year(q.first);
    if (q.kind == BL_PERIOD_MONTH)
        bl_month_format(q.first, q.id);
    else if (q.kind == BL_PERIOD_SEMESTER)
        snprintf(q.id, sizeof q.id, "%04d-S%d", y, bl_month_num(q.first) == 1 ? 1 : 2);
    else
        snprintf(q.id, sizeof q.id, "%04d", y);
    return q;
}

bl_period_state bl_period_state_at(const bl_period *p, int64_t today_days)
{
    int y, m, d;
    bl_civil_from_days(today_days, &y, &m, &d);
    int now = bl_month_index(y, m);
    if (now < p->first)
        return BL_PERIOD_NOT_BEGUN;
    return now <= p->last ? BL_PERIOD_RUNNING : BL_PERIOD_OVER;
}

bool bl_report_today(const char *sde, int64_t now, int64_t *out)
{
    *out = now;
    if (!sde || !*sde)
        return true;
    int64_t v = 0;
    for (const char *c = sde; *c; c++) {
        if (*c < '0' || *c > '9' || __builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, *c - '0', &v))
            return false;
    }
    *out = v;
    return true;
}

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
    int len = last - first + 1;
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl_model_listed(x))
            continue;
        int nh;
        t.v = bl_model_add(t.v, bl_model_sum(m, x, first, last, &nh));
        t.has = t.has || nh > 0;
        t.partial = t.partial || nh < len;
    }
    t.partial = t.partial && t.has;
    return t;
}

bl_model_change bl_model_compare(const bl_model *m, int first, int last, int shift)
{
    bl_model_change c;
    memset(&c, 0, sizeof c);
    int len = last - first + 1;
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        int h_now, h_base;
        int64_t now = bl_model_sum(m, x, first, last, &h_now);
        int64_t base = bl_model_sum(m, x, first - shift, last - shift, &h_base);
        if (h_now == len && h_base == len) {
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
}

bl_status bl_model_fingerprint(const bl_model *m, char hex[65])
{
    fp f = {BL_BUF_INIT((size_t)1 << 30), false};
    fp_printf(&f, "bilan %s|%d|%s|%d|%d|%d|%d,%d,%lld,%lld|", BL_VERSION, (int)m->kind,
              m->period.id, m->window_first, m->provisional, m->n_libraries, m->has_users,
              m->has_users_prev, (long long)m->users, (long long)m->users_prev);
    if (m->partner)
        fp_partner(&f, m->partner, m->n_resources);
    for (size_t i = 0; i < m->n_resources; i++) {
        const bl_model_resource *r = &m->resources[i];
        fp_str(&f, r->id), fp_str(&f, r->name), fp_str(&f, r->provider);
        fp_str(&f, r->kind), fp_str(&f, r->metric);
        fp_printf(&f, "%lld;", (long long)r->annual_cost_cents);
        for (int k = 0; k < BL_WINDOW; k++)
            fp_printf(&f, "%d%lld,", r->has[k], (long long)r->v[k]);
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
    bl_status rc = f.fail ? BL_NOMEM : BL_OK;
    if (rc == BL_OK)
        bl_sha256_hex(f.b.data, f.b.len, hex);
    bl_buf_release(&f.b);
    return rc;
}

/* ---- freeing ------------------------------------------------------------------- */

static void partner_release(bl_model_partner *p)
{
    free(p->id), free(p->name), free(p->kind);
    free(p->cells), free(p->prev);
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
    free(m);
}

void bl_model_list_free(bl_model **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bl_model_free(v[i]);
    free(v);
}

/* ---- shared reading ------------------------------------------------------------ */

static char *col_dup(sqlite3_stmt *q, int c)
{
    const unsigned char *t = sqlite3_column_text(q, c);
    return strdup(t ? (const char *)t : "");
}

static bl_status sql_fail(bl_store *st)
{
    return bl__store_fail(st, BL_IO, "%s: %s", st->path, sqlite3_errmsg(st->db));
}

static bl_status prepare(bl_store *st, const char *sql, sqlite3_stmt **q)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
        return bl__store_fail(st, BL_INTERNAL, "%s", sqlite3_errmsg(st->db));
    return BL_OK;
}

static void bind_months(sqlite3_stmt *q, int i, int first, int last)
{
    char a[8], b[8];
    bl_month_format(first, a);
    bl_month_format(last, b);
    sqlite3_bind_text(q, i, a, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, i + 1, b, -1, SQLITE_TRANSIENT);
}

static int month_of(sqlite3_stmt *q, int c)
{
    int mi = -1;
    const unsigned char *t = sqlite3_column_text(q, c);
    if (!t || !bl_month_parse((const char *)t, &mi))
        return -1;
    return mi;
}

/* The resources, sorted by name, with has[] filled for the window: does the
 * store hold any live usage row for the resource and month (any metric, any
 * access method, any library, attributed or not)? A provider that sent only
 * zeros or only text-mining rows delivered: its Regular usage is a real 0. */
static bl_status load_resources(bl_store *st, int wfirst, bl_model_resource **out, size_t *n)
{
    sqlite3_stmt *q = NULL;
    bl_model_resource *v = NULL;
    size_t cnt = 0, alloc = 0;
    bl_status rc = prepare(st,
                           "SELECT id, name, provider, kind, annual_cost_cents, headline_metric "
                           "FROM resource ORDER BY name, id",
                           &q);
    if (rc != BL_OK)
        return rc;
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        if (cnt == alloc) {
            size_t na = alloc ? alloc * 2 : 16;
            bl_model_resource *nv = realloc(v, na * sizeof *nv);
            if (!nv) {
                rc = BL_NOMEM;
                goto out;
            }
            v = nv, alloc = na;
        }
        bl_model_resource *x = &v[cnt++];
        memset(x, 0, sizeof *x);
        x->id = col_dup(q, 0), x->name = col_dup(q, 1), x->provider = col_dup(q, 2);
        x->kind = col_dup(q, 3), x->metric = col_dup(q, 5);
        x->annual_cost_cents = sqlite3_column_int64(q, 4);
        if (!x->id || !x->name || !x->provider || !x->kind || !x->metric) {
            rc = BL_NOMEM;
            goto out;
        }
    }
    if (r != SQLITE_DONE) {
        rc = sql_fail(st);
        goto out;
    }
    sqlite3_finalize(q);
    rc = prepare(st,
                 "SELECT resource_id, month FROM usage_effective "
                 "WHERE resource_id IS NOT NULL "
                 "AND month BETWEEN ?1 AND ?2 GROUP BY 1, 2",
                 &q);
    if (rc != BL_OK) {
        q = NULL;
        goto out;
    }
    bind_months(q, 1, wfirst, wfirst + BL_WINDOW - 1);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *rid = (const char *)sqlite3_column_text(q, 0);
        int k = month_of(q, 1) - wfirst;
        if (k < 0 || k >= BL_WINDOW)
            continue;
        for (size_t i = 0; i < cnt; i++)
            if (strcmp(v[i].id, rid) == 0)
                v[i].has[k] = true;
    }
    if (r != SQLITE_DONE)
        rc = sql_fail(st);
out:
    sqlite3_finalize(q);
    *out = v;
    *n = cnt;
    return rc;
}

static long find_resource(const bl_model_resource *v, size_t n, const char *id)
{
    /* Resources are few (tens): a linear search keeps the model plain. */
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0)
            return (long)i;
    return -1;
}

static bl_status copy_resources(const bl_model_resource *src, size_t n, bl_model *m)
{
    m->resources = calloc(n ? n : 1, sizeof *m->resources);
    if (!m->resources)
        return BL_NOMEM;
    m->n_resources = n;
    for (size_t i = 0; i < n; i++) {
        bl_model_resource *d = &m->resources[i];
        memcpy(d->has, src[i].has, sizeof d->has);
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
    p->cells = calloc(nres ? nres : 1, sizeof *p->cells);
    p->prev = calloc(nres ? nres : 1, sizeof *p->prev);
    if (!p->id || !p->name || !p->kind || !p->cells || !p->prev)
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
    bl_period_label(m->period_label, sizeof m->period_label, p);
    bl_period prev = bl_period_previous(p);
    bl_period_label(m->prev_label, sizeof m->prev_label, &prev);
}

/* Headline usage per (partner, resource, month) over the window, in one
 * pass; fn is called for each row. */
typedef void (*usage_fn)(void *ctx, const char *partner, long res, int k, int64_t v);

static bl_status read_usage(bl_store *st, int wfirst, const char *partner_id,
                            const bl_model_resource *res, size_t nres, usage_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc =
        prepare(st,
                "SELECT l.partner_id, u.resource_id, u.month, SUM(u.value) "
                "FROM usage_effective u JOIN library l ON l.id = u.library_id "
                "JOIN resource r ON r.id = u.resource_id AND u.metric = r.headline_metric "
                "WHERE u.access_method = 'Regular' AND u.month BETWEEN ?1 AND ?2 "
                "AND (?3 IS NULL OR l.partner_id = ?3) "
                "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, wfirst, wfirst + BL_WINDOW - 1);
    if (partner_id)
        sqlite3_bind_text(q, 3, partner_id, -1, SQLITE_TRANSIENT);
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        long ri = find_resource(res, nres, (const char *)sqlite3_column_text(q, 1));
        int k = month_of(q, 2) - wfirst;
        if (ri < 0 || k < 0 || k >= BL_WINDOW)
            continue;
        fn(ctx, (const char *)sqlite3_column_text(q, 0), ri, k, sqlite3_column_int64(q, 3));
    }
    if (r != SQLITE_DONE)
        rc = sql_fail(st);
    sqlite3_finalize(q);
    return rc;
}

/* Distinct users per partner over [first, last], merged from the logs'
 * sketches (an estimate). Partners with no sketch are not called. */
typedef void (*users_fn)(void *ctx, const char *partner, int64_t users);

static bl_status read_users(bl_store *st, int first, int last, users_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st,
                           "SELECT l.partner_id, bl_sketch_count(s.sketch) "
                           "FROM user_sketch s JOIN library l ON l.id = s.library_id "
                           "WHERE s.month BETWEEN ?1 AND ?2 GROUP BY 1",
                           &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (sqlite3_column_type(q, 1) != SQLITE_NULL)
            fn(ctx, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int64(q, 1));
    if (r != SQLITE_DONE)
        rc = sql_fail(st);
    sqlite3_finalize(q);
    return rc;
}

/* Forfait gauges at the last day of the period, from the forfait module. */
static bl_status fill_gauges(bl_store *st, bl_model *m)
{
    bl_forfait_status *f = NULL;
    size_t n = 0;
    int y = bl_month_year(m->period.last), mo = bl_month_num(m->period.last);
    bl_status rc = bl_forfait_status_all(st, y, mo, bl_days_in_month(y, mo), &f, &n);
    if (rc != BL_OK || n == 0)
        return rc;
    m->gauges = calloc(n, sizeof *m->gauges);
    if (!m->gauges) {
        rc = BL_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
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

static void partner_users(void *ctx, const char *partner, int64_t users)
{
    plist *pl = ctx;
    bl_model *m = plist_find(pl, partner);
    if (!m)
        return;
    if (pl->prev)
        m->has_users_prev = true, m->users_prev = users;
    else
        m->has_users = true, m->users = users;
}

static bl_status count_libraries(bl_store *st, plist *pl)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st, "SELECT partner_id, COUNT(*) FROM library GROUP BY 1", &q);
    if (rc != BL_OK)
        return rc;
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        bl_model *m = plist_find(pl, (const char *)sqlite3_column_text(q, 0));
        if (m)
            m->n_libraries = sqlite3_column_int(q, 1);
    }
    if (r != SQLITE_DONE)
        rc = sql_fail(st);
    sqlite3_finalize(q);
    return rc;
}

bl_status bl_model_build_partners(bl_store *st, bl_report_kind kind, const bl_period *p,
                                  const char *partner_id, int64_t generated_days, bl_model ***out,
                                  size_t *n)
{
    bl_partner_info *pi = NULL;
    size_t npi = 0, nres = 0;
    bl_model_resource *res = NULL;
    plist pl = {NULL, 0, false};
    *out = NULL;
    *n = 0;
    int wfirst = p->last - BL_WINDOW + 1;
    bl_status rc = bl_store_partners(st, &pi, &npi);
    if (rc != BL_OK)
        goto out;
    if (partner_id) {
        bool found = false;
        for (size_t i = 0; i < npi; i++)
            found = found || strcmp(pi[i].id, partner_id) == 0;
        if (!found) {
            rc = bl__store_fail(st, BL_NOTFOUND, "no partner '%s' in the network", partner_id);
            goto out;
        }
    }
    rc = load_resources(st, wfirst, &res, &nres);
    if (rc != BL_OK)
        goto out;
    pl.v = calloc(npi ? npi : 1, sizeof *pl.v);
    if (!pl.v) {
        rc = BL_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < npi && rc == BL_OK; i++) {
        if (partner_id && strcmp(pi[i].id, partner_id) != 0)
            continue;
        bl_model *m = calloc(1, sizeof *m);
        if (!m) {
            rc = BL_NOMEM;
            break;
        }
        pl.v[pl.n++] = m;
        model_init(m, kind, p, generated_days);
        m->partner = calloc(1, sizeof *m->partner);
        rc = m->partner ? partner_from_info(&pi[i], nres, m->partner) : BL_NOMEM;
        if (rc == BL_OK)
            rc = copy_resources(res, nres, m);
    }
    if (rc == BL_OK)
        rc = read_usage(st, wfirst, partner_id, res, nres, partner_usage, &pl);
    if (rc == BL_OK)
        rc = read_users(st, p->first, p->last, partner_users, &pl);
    if (rc == BL_OK) {
        bl_period prev = bl_period_previous(p);
        pl.prev = true;
        rc = read_users(st, prev.first, prev.last, partner_users, &pl);
    }
    if (rc == BL_OK)
        rc = count_libraries(st, &pl);
    for (size_t i = 0; i < pl.n && rc == BL_OK; i++)
        rc = fill_gauges(st, pl.v[i]);
    if (rc == BL_OK) {
        for (size_t i = 0; i < pl.n; i++) {
            bl_model *m = pl.v[i];
            bl_period prev = bl_period_previous(p);
            for (size_t r = 0; r < m->n_resources; r++) {
                m->partner->cells[r] = bl_model_sum(m, &m->resources[r], p->first, p->last, NULL);
                m->partner->prev[r] =
                    bl_model_sum(m, &m->resources[r], prev.first, prev.last, NULL);
                m->partner->total = bl_model_add(m->partner->total, m->partner->cells[r]);
                m->partner->total_prev = bl_model_add(m->partner->total_prev, m->partner->prev[r]);
            }
        }
    }
out:
    if (rc != BL_OK) {
        bl_model_list_free(pl.v, pl.n);
        pl.v = NULL, pl.n = 0;
        if (rc == BL_NOMEM)
            bl__store_fail(st, BL_NOMEM, "out of memory while building report models");
    }
    for (size_t i = 0; i < nres; i++)
        free(res[i].id), free(res[i].name), free(res[i].provider), free(res[i].kind),
            free(res[i].metric);
    free(res);
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

static void network_usage(void *ctx, const char *partner, long res, int k, int64_t v)
{
    netctx *c = ctx;
    bl_model *m = c->m;
    m->resources[res].v[k] = bl_model_add(m->resources[res].v[k], v);
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
            return;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
}

static bl_status network_users(bl_store *st, bl_model *m)
{
    bl_period prev = bl_period_previous(&m->period);
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *q = NULL;
        bl_status rc = prepare(st,
                               "SELECT bl_sketch_count(sketch), COUNT(*) FROM user_sketch "
                               "WHERE library_id IS NOT NULL AND month BETWEEN ?1 AND ?2",
                               &q);
        if (rc != BL_OK)
            return rc;
        bind_months(q, 1, pass ? prev.first : m->period.first, pass ? prev.last : m->period.last);
        int r = sqlite3_step(q);
        if (r == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL &&
            sqlite3_column_int64(q, 1) > 0) {
            if (pass)
                m->has_users_prev = true, m->users_prev = sqlite3_column_int64(q, 0);
            else
                m->has_users = true, m->users = sqlite3_column_int64(q, 0);
        } else if (r != SQLITE_ROW && r != SQLITE_DONE) {
            rc = sql_fail(st);
        }
        sqlite3_finalize(q);
        if (rc != BL_OK)
            return rc;
    }
    return BL_OK;
}

/* Unattributed usage over the period, as the provider wrote it. The metric
 * counted is the resource's headline metric when the resource is known,
 * else Total_Item_Requests (the COUNTER default headline). */
static bl_status network_unattributed(bl_store *st, bl_model *m)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(
        st,
        "SELECT CASE WHEN u.library_id IS NOT NULL THEN COALESCE(l.name, u.library_id)"
        "            WHEN u.institution <> '' AND u.institution_id <> ''"
        "              THEN u.institution || ' (' || u.institution_id || ')'"
        "            ELSE u.institution || u.institution_id END,"
        "       CASE WHEN u.resource_id IS NOT NULL THEN COALESCE(r.name, u.resource_id)"
        "            WHEN u.platform <> '' AND u.database_name <> ''"
        "              THEN u.platform || ' / ' || u.database_name"
        "            ELSE u.platform || u.database_name END,"
        "       SUM(u.value) AS total "
        "FROM usage_effective u LEFT JOIN resource r ON r.id = u.resource_id "
        "LEFT JOIN library l ON l.id = u.library_id "
        "WHERE (u.library_id IS NULL OR u.resource_id IS NULL) AND u.access_method = 'Regular' "
        "AND u.month BETWEEN ?1 AND ?2 "
        "AND u.metric = COALESCE(r.headline_metric, 'Total_Item_Requests') "
        "GROUP BY 1, 2 ORDER BY total DESC, 1, 2",
        &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, m->period.first, m->period.last);
    size_t alloc = 0;
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        if (m->n_unattributed == alloc) {
            size_t na = alloc ? alloc * 2 : 16;
            bl_model_unattributed *nv = realloc(m->unattributed, na * sizeof *nv);
            if (!nv) {
                rc = BL_NOMEM;
                goto out;
            }
            m->unattributed = nv, alloc = na;
        }
        bl_model_unattributed *x = &m->unattributed[m->n_unattributed++];
        x->institution = col_dup(q, 0);
        x->platform = col_dup(q, 1);
        x->value = sqlite3_column_int64(q, 2);
        m->unattributed_total = bl_model_add(m->unattributed_total, x->value);
        if (!x->institution || !x->platform) {
            rc = BL_NOMEM;
            goto out;
        }
    }
    if (r != SQLITE_DONE)
        rc = sql_fail(st);
out:
    sqlite3_finalize(q);
    return rc;
}

/* Files (still in force) whose months meet the period and that had rows
 * rejected. */
static bl_status network_rejects(bl_store *st, bl_model *m)
{
    sqlite3_stmt *q = NULL;
    bl_status rc =
        prepare(st,
                "SELECT path, provider, format, rows_rejected, rows_accepted FROM source "
                "WHERE rows_rejected > 0 AND replaced_by IS NULL "
                "AND COALESCE(period_begin, '0000-00') <= ?2 "
                "AND COALESCE(period_end, '9999-99') >= ?1 ORDER BY path, id",
                &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, m->period.first, m->period.last);
    size_t alloc = 0;
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        if (m->n_rejects == alloc) {
            size_t na = alloc ? alloc * 2 : 16;
            bl_model_rejects *nv = realloc(m->rejects, na * sizeof *nv);
            if (!nv) {
                rc = BL_NOMEM;
                goto out;
            }
            m->rejects = nv, alloc = na;
        }
        bl_model_rejects *x = &m->rejects[m->n_rejects++];
        x->path = col_dup(q, 0), x->provider = col_dup(q, 1), x->format = col_dup(q, 2);
        x->rejected = sqlite3_column_int64(q, 3);
        x->accepted = sqlite3_column_int64(q, 4);
        if (!x->path || !x->provider || !x->format) {
            rc = BL_NOMEM;
            goto out;
        }
    }
    if (r != SQLITE_DONE)
        rc = sql_fail(st);
out:
    sqlite3_finalize(q);
    return rc;
}

/* The address ranges unattributed log events came from (filled by the log
 * reader, table unattributed_range): summed per range over the sources in
 * force whose months meet the period, most events first, the first
 * BL_MODEL_MAX_RANGES. A stored count beyond BL_COUNT_MAX is ignored, as
 * usage_effective ignores such usage. */
static bl_status network_ranges(bl_store *st, bl_model *m)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st,
                           "SELECT ur.range, SUM(ur.events) AS n FROM unattributed_range ur "
                           "JOIN source s ON s.id = ur.source_id "
                           "WHERE s.removed_at IS NULL AND ur.events BETWEEN 1 AND 1000000000 "
                           "AND COALESCE(s.period_begin, '0000-00') <= ?2 "
                           "AND COALESCE(s.period_end, '9999-99') >= ?1 "
                           "GROUP BY ur.range ORDER BY n DESC, ur.range LIMIT ?3",
                           &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, m->period.first, m->period.last);
    sqlite3_bind_int(q, 3, BL_MODEL_MAX_RANGES);
    m->ranges = calloc(BL_MODEL_MAX_RANGES, sizeof *m->ranges);
    if (!m->ranges) {
        rc = BL_NOMEM;
        goto out;
    }
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW && m->n_ranges < BL_MODEL_MAX_RANGES) {
        bl_model_range *x = &m->ranges[m->n_ranges++];
        x->range = col_dup(q, 0);
        x->events = bl_model_add(0, sqlite3_column_int64(q, 1));
        if (!x->range) {
            rc = BL_NOMEM;
            goto out;
        }
    }
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        rc = sql_fail(st);
out:
    sqlite3_finalize(q);
    return rc;
}

bl_status bl_model_build_network(bl_store *st, bl_report_kind kind, const bl_period *p,
                                 int64_t generated_days, bl_model **out)
{
    bl_partner_info *pi = NULL;
    size_t npi = 0, nres = 0;
    bl_model_resource *res = NULL;
    bl_model *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m)
        return BL_NOMEM;
    model_init(m, kind, p, generated_days);
    bl_status rc = bl_store_partners(st, &pi, &npi);
    if (rc == BL_OK)
        rc = load_resources(st, m->window_first, &res, &nres);
    if (rc == BL_OK)
        rc = copy_resources(res, nres, m);
    if (rc == BL_OK) {
        m->partners = calloc(npi ? npi : 1, sizeof *m->partners);
        rc = m->partners ? BL_OK : BL_NOMEM;
    }
    for (size_t i = 0; i < npi && rc == BL_OK; i++) {
        rc = partner_from_info(&pi[i], nres, &m->partners[i]);
        m->n_partners++;
    }
    if (rc == BL_OK) {
        netctx c = {m, bl_period_previous(p)};
        rc = read_usage(st, m->window_first, NULL, res, nres, network_usage, &c);
    }
    if (rc == BL_OK)
        rc = network_users(st, m);
    if (rc == BL_OK)
        rc = network_unattributed(st, m);
    if (rc == BL_OK)
        rc = network_rejects(st, m);
    if (rc == BL_OK)
        rc = network_ranges(st, m);
    if (rc == BL_OK)
        rc = fill_gauges(st, m);
    for (size_t i = 0; i < nres; i++)
        free(res[i].id), free(res[i].name), free(res[i].provider), free(res[i].kind),
            free(res[i].metric);
    free(res);
    bl_partner_list_free(pi, npi);
    if (rc != BL_OK) {
        if (rc == BL_NOMEM)
            bl__store_fail(st, BL_NOMEM, "out of memory while building report models");
        bl_model_free(m);
        return rc;
    }
    *out = m;
    return BL_OK;
}
