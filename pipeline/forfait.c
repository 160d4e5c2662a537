/* Forfaits (prepaid consultation units, DESIGN §7): the status of every
 * package at a given day, wired from the store's forfait queries
 * (store/forfait_queries.c) and the arithmetic of aggregate/forfait_calc.c.
 * See docs/forfaits.md. */
#include "bilan/pipeline.h"
#include "bilan/store_queries.h"

#include <stdlib.h>
#include <string.h>

typedef struct status_list {
    bl_store *st;
    int64_t at_day;
    bl_forfait_status *v;
    size_t n, cap;
} status_list;

static bool iso_day(const char *s, int64_t *day)
{
    int y, m, d;
    if (!s || !bl_date_parse(s, &y, &m, &d))
        return false;
    *day = bl_days_from_civil(y, m, d);
    return true;
}

static char *dup_or_null(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

/* ---- one forfait's usage, from the store into its months and shares ---------- */

static bl_status on_units(void *ctx, int month, long long units)
{
    bl_forfait_month *fm = bl_forfait_month_at(ctx, month);
    /* Saturating: a store may hold anything (bl_forfait_compute's rule). */
    if (fm && __builtin_add_overflow(fm->units, (int64_t)units, &fm->units))
        fm->units = units > 0 ? INT64_MAX : INT64_MIN;
    return BL_OK;
}

static bl_status on_quota(void *ctx, int month, long long quota, long long patrons,
                          long long extra_units)
{
    bl_forfait_month *fm = bl_forfait_month_at(ctx, month);
    if (fm) {
        fm->quota = quota;
        fm->patrons_over_quota = patrons;
        fm->extra_units = extra_units;
    }
    return BL_OK;
}

static bl_status on_share(void *ctx, const char *partner_id, const char *partner_name,
                          long long units)
{
    return bl_forfait_add_share(ctx, partner_id, partner_name, units);
}

static const bl_forfait_usage_fns usage_fns = {on_units, on_quota, on_share};

/* The months with data, as the reports say (a month not delivered yet is
 * not a month of zero use; a month of 0 a report covers is one):
 * bl_model_months_with_data. Until 3 December 2026 a month was data when it
 * had a row, and a month of 0 left out of the burn rate made the
 * projection of exhaustion too early. */
static bl_status months_with_data(bl_store *st, bl_forfait_status *f)
{
    bool *with = calloc(f->nmonths, sizeof *with);
    if (!with)
        return BL_NOMEM;
    bl_status rc = bl_model_months_with_data(st, f->resource_id, f->months[0].month,
                                             f->months[f->nmonths - 1].month, with);
    for (size_t i = 0; i < f->nmonths && rc == BL_OK; i++)
        f->months[i].has_data = with[i];
    free(with);
    return rc;
}

/* ---- every forfait ---------------------------------------------------------------- */

static bl_status on_forfait(void *ctx, const bl_forfait_row *row)
{
    status_list *l = ctx;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        bl_forfait_status *nv = realloc(l->v, ncap * sizeof *nv);
        if (!nv)
            return BL_NOMEM;
        l->v = nv;
        l->cap = ncap;
    }
    bl_forfait_status *f = &l->v[l->n++];
    memset(f, 0, sizeof *f);
    bool oom = false;
    f->id = dup_or_null(row->id, &oom);
    f->resource_id = dup_or_null(row->resource_id, &oom);
    f->resource_name = dup_or_null(row->resource_name, &oom);
    f->metric = dup_or_null(row->metric, &oom);
    if (oom || !f->id || !f->resource_id || !f->metric)
        return oom ? BL_NOMEM : bl_store_fail(l->st, BL_DATA, "forfait with an empty column");
    if (!f->resource_name && !(f->resource_name = strdup(f->resource_id)))
        return BL_NOMEM;
    f->units = row->units;
    if (!iso_day(row->start, &f->start_day) || !iso_day(row->end, &f->end_day) || f->units <= 0)
        return bl_store_fail(l->st, BL_DATA, "forfait '%s': bad units or dates in the store",
                             f->id);
    f->monthly_cap = row->has_cap ? row->monthly_cap : -1;
    f->quota = row->has_quota ? row->quota : -1;
    f->alert_percent = row->alert_percent;
    f->at_day = l->at_day;
    bl_status rc = bl_forfait_begin(f);
    if (rc == BL_OK && f->nmonths > 0)
        rc = bl_store_forfait_usage(l->st, f->resource_id, f->metric, f->months[0].month,
                                    f->months[f->nmonths - 1].month, &usage_fns, f);
    if (rc == BL_OK && f->nmonths > 0)
        rc = months_with_data(l->st, f);
    if (rc == BL_OK)
        bl_forfait_compute(f);
    return rc;
}

bl_status bl_forfait_status_all(bl_store *st, int y, int m, int d, bl_forfait_status **out,
                                size_t *n)
{
    *out = NULL;
    *n = 0;
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > bl_days_in_month(y, m))
        return bl_store_fail(st, BL_USAGE, "%04d-%02d-%02d is not a date", y, m, d);
    status_list l = {st, bl_days_from_civil(y, m, d), NULL, 0, 0};
    bl_status rc = bl_store_forfaits(st, on_forfait, &l);
    if (rc != BL_OK) {
        bl_forfait_status_free(l.v, l.n);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return BL_OK;
}
