/* Figures as the French text of a cell or a card: totals that say when
 * they are partial, rates per inhabitant, and changes "à périmètre égal",
 * always from bl_model_compare so that the rule is written once. */
#include "render_internal.h"

#include <stdio.h>

char *bl__users_text(char *out, size_t n, int64_t users)
{
    if (users < BL_USERS_SHOWN_MIN)
        snprintf(out, n, "%s", BL_W_USERS_FEW);
    else
        bl_fr_int(out, n, users);
    return out;
}

bool bl__users_hidden(const bl_model *m, bool *hidden)
{
    /* What a reader can work out: the total less the figures printed (not
     * the sum of those hidden: a patron of two libraries is one user of
     * the total, so the printed ones may already hold the hidden ones'). */
    int64_t printed = 0;
    bool small = false, any = false;
    for (size_t i = 0; i < m->n_libs; i++) {
        hidden[i] = false;
        if (m->libs[i].has_users && m->libs[i].users < BL_USERS_SHOWN_MIN)
            small = true;
        else if (m->libs[i].has_users)
            printed += m->libs[i].users;
    }
    /* A total not printed itself (« moins de 5 ») tells nothing. */
    if (!small || !m->has_users || m->users < BL_USERS_SHOWN_MIN)
        return false;
    while (m->users - printed < BL_USERS_SHOWN_MIN) {
        long best = -1;
        for (size_t i = 0; i < m->n_libs; i++)
            if (m->libs[i].has_users && m->libs[i].users >= BL_USERS_SHOWN_MIN && !hidden[i] &&
                (best < 0 || m->libs[i].users < m->libs[best].users))
                best = (long)i;
        if (best < 0)
            break;
        hidden[best] = any = true;
        printed -= m->libs[best].users;
    }
    return any;
}

char *bl__per_1000(char *out, size_t n, int64_t v, int64_t population)
{
    int64_t scaled, tenths;
    if (population <= 0) {
        snprintf(out, n, BL_W_NONE);
        return out;
    }
    /* Tenths of a consultation per 1 000 inhabitants, rounded half up;
     * model sums stay below BL_MODEL_MAX, still checked here. */
    if (__builtin_mul_overflow(v, 10000, &scaled) ||
        __builtin_add_overflow(scaled, population / 2, &scaled))
        tenths = v / population * 10000;
    else
        tenths = scaled / population;
    return bl_fr_decimal(out, n, tenths, 1);
}

char *bl__total_text(char *out, size_t n, bl_model_total t)
{
    if (!t.has) {
        snprintf(out, n, BL_W_NONE);
        return out;
    }
    char v[48];
    bl_fr_int(v, sizeof v, t.v);
    snprintf(out, n, "%s%s", v, t.partial ? BL_NBSP BL_PARTIAL_MARK : "");
    return out;
}

char *bl__sum_text(char *out, size_t n, int64_t v, int n_has, int n_missing)
{
    bl_model_total t = {v, n_has > 0, n_has > 0 && n_missing > 0};
    return bl__total_text(out, n, t);
}

int64_t bl__res_sum_text(char *out, size_t n, const bl_model *m, const bl_model_resource *x,
                         int first, int last)
{
    int nh;
    int64_t v = bl_model_sum(m, x, first, last, &nh);
    bl__sum_text(out, n, v, nh, bl_model_missing(m, x, first, last));
    return v;
}

char *bl__change_text(char *out, size_t n, const bl_model_change *c)
{
    if (!c->comparable) {
        /* No change is computed against missing data. */
        snprintf(out, n, BL_W_NONE);
        return out;
    }
    if (!c->has_change) {
        /* A change against nothing is not significant (DESIGN §8). */
        snprintf(out, n, BL_W_NOT_SIGNIFICANT);
        return out;
    }
    return bl_fr_change(out, n, c->tenths);
}

char *bl__base_line(char *out, size_t n, const char *label, const bl_model_change *c)
{
    char b[64];
    if (c->running && c->last < c->first) {
        /* A period none of whose months is over: nothing to compare yet. */
        snprintf(out, n, "%s", BL_W_BASE_RUNNING);
        return out;
    }
    /* In a period not over, the months compared are its months over: the
     * base is the same months before ("janvier à octobre 2025"). */
    char span[64];
    if (c->running)
        label = bl_fr_span(span, sizeof span, c->first - c->shift, c->last - c->shift);
    /* Nothing to compare: « pas de données » when the base period has no
     * data at all, « données incomplètes » when it lacks some (until 3
     * December 2026 a partner's annual report said « données incomplètes »
     * of a year without any, where the network's said « pas de données »),
     * its figure when it is whole and what is missing is this period's
     * (it said « mai 2026 : données incomplètes » of a whole May when June
     * was missing). */
    if (!c->comparable && c->base_has && c->base_whole)
        bl_fr_int(b, sizeof b, c->base_all);
    else if (!c->comparable)
        snprintf(b, sizeof b, "%s", c->base_has ? BL_W_BASE_INCOMPLETE : BL_W_BASE_NONE);
    else
        bl_fr_int(b, sizeof b, c->base);
    snprintf(out, n, BL_W_BASE_LINE, label, b,
             c->comparable && c->excluded ? BL_W_EXCLUDED_MARK : "");
    return out;
}

int64_t bl__res_base_text(char *out, size_t n, const bl_model *m, const bl_model_resource *x,
                          int first, int last, int shift)
{
    return bl__res_sum_text(out, n, m, x, first - shift, bl_model_compared_last(m, last) - shift);
}

const char *bl__base_head(char *out, size_t n, const bl_model *m, const char *label, int first,
                          int last, int shift)
{
    int cl = bl_model_compared_last(m, last);
    if (cl == last || cl < first)
        return label;
    return bl_fr_span(out, n, first - shift, cl - shift);
}

bl_model_change bl__resource_compare(const bl_model *m, const bl_model_resource *r, int first,
                                     int last, int shift)
{
    /* A shallow copy: the view borrows every pointer of m and r. */
    bl_model_resource one = *r;
    bl_model view = *m;
    view.resources = &one;
    view.n_resources = 1;
    return bl_model_compare(&view, first, last, shift);
}

int64_t bl__prorata(int64_t a, int64_t b, int64_t c)
{
    int64_t p;
    if (c <= 0)
        return 0;
    if (__builtin_mul_overflow(a, b, &p) || __builtin_add_overflow(p, c / 2, &p))
        return a / c * b;
    return p / c;
}
