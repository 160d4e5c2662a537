/* The partner's libraries (issue 15): in every partner report of a partner
 * with two libraries or more, a table library by library (the period, the
 * comparison period, the change « à périmètre égal », active users where
 * logs give them), a table library × resource, a bar chart and, in the
 * annual report, the twelve months. What the partner counts beyond the sum
 * of its libraries (a share of a provider's network-level total) is its
 * own line, never dropped. Every figure goes through the same functions as
 * the partner's own (bl_model_total_of, bl_model_compare) on a view of the
 * model whose series are one library's. */
#include "render_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TXT 64
/* Resources per library × resource table, so that figures stay legible. */
#define RES_PER_TABLE 5

/* A view of m whose resources hold one library's series (lib >= 0), or
 * what the partner counts beyond its libraries (lib < 0). Borrows m. */
typedef struct libview {
    bl_model m;
    bl_model_resource *res;
} libview;

int64_t bl__library_value(const bl_model *m, long lib, size_t r, int k)
{
    if (lib >= 0)
        return m->libs[lib].v[r * BL_WINDOW + (size_t)k];
    int64_t sum = 0;
    for (size_t i = 0; i < m->n_libs; i++)
        sum = bl_model_add(sum, m->libs[i].v[r * BL_WINDOW + (size_t)k]);
    int64_t rest = m->resources[r].v[k] - sum;
    return rest > 0 ? rest : 0;
}

/* A library view's partial month names nobody: the partner's note does. */
static char no_names[1];

static bool view_init(libview *w, const bl_model *m, long lib)
{
    w->m = *m;
    w->res = malloc((m->n_resources ? m->n_resources : 1) * sizeof *w->res);
    if (!w->res)
        return false;
    for (size_t r = 0; r < m->n_resources; r++) {
        w->res[r] = m->resources[r];
        for (int k = 0; k < BL_WINDOW; k++) {
            w->res[r].v[k] = bl__library_value(m, lib, r, k);
            if (lib < 0 || !m->libs[lib].has)
                continue;
            /* One library's data is there or not: its own has (a library
             * without its own report that month is "—", not 0). */
            w->res[r].has[k] = m->libs[lib].has[r * BL_WINDOW + (size_t)k];
            w->res[r].quiet[k] = m->libs[lib].quiet[r * BL_WINDOW + (size_t)k];
            w->res[r].part[k] = m->libs[lib].part[r * BL_WINDOW + (size_t)k];
            w->res[r].gap[k] = w->res[r].part[k] ? no_names : NULL;
        }
    }
    w->m.resources = w->res;
    return true;
}

static void view_release(libview *w)
{
    free(w->res);
}

/* Does the partner count anything beyond its libraries in the window? */
static bool has_rest(const libview *rest)
{
    for (size_t r = 0; r < rest->m.n_resources; r++)
        for (int k = 0; k < BL_WINDOW; k++)
            if (rest->res[r].v[k] > 0)
                return true;
    return false;
}

static int period_len(const bl_model *m)
{
    return m->period.last - m->period.first + 1;
}

/* One row of the table by library: the period, the comparison period,
 * the change, the users, the share of the partner's total. */
static void summary_row(bl__table *t, const bl_model *view, const char *label, bool users_col,
                        bool has_users, bool hidden, int64_t users, int64_t partner_total,
                        int flags)
{
    const bl_model *m = view;
    int first = m->period.first, last = m->period.last, len = period_len(m);
    bl_model_total now = bl_model_total_of(m, first, last);
    bl_model_total prev = bl_model_base_total(m, first, last, len);
    bl_model_change ch = bl_model_compare(m, first, last, len);
    char c[5][TXT];
    bl__total_text(c[0], TXT, now);
    bl__total_text(c[1], TXT, prev);
    bl__change_text(c[2], TXT, &ch);
    if (has_users && hidden)
        snprintf(c[3], TXT, BL_W_USERS_HIDDEN);
    else if (has_users)
        bl__users_text(c[3], TXT, users);
    else
        snprintf(c[3], TXT, BL_W_NONE);
    if (now.has && partner_total > 0)
        bl_fr_percent(c[4], TXT, (now.v * 1000 + partner_total / 2) / partner_total);
    else
        snprintf(c[4], TXT, BL_W_NONE);
    const char *cells[6] = {label, c[0], c[1], c[2], c[3], c[4]};
    if (!users_col)
        cells[4] = c[4];
    bl__table_row(t, cells, NULL, flags);
}

static void summary_table(bl__doc *d, const bl_model *m, libview *views, libview *rest,
                          bool show_rest)
{
    bool users = false;
    for (size_t i = 0; i < m->n_libs; i++)
        users = users || m->libs[i].has_users;
    double fw = 62, cw = 52, uw = users ? 78 : 0, sw = 44;
    bl__col cols[6];
    int nc = 0;
    cols[nc++] = (bl__col){BL_W_COL_LIBRARY, BL_CONTENT_W - 2 * fw - cw - uw - sw, BL_LEFT};
    cols[nc++] = (bl__col){m->period_label, fw, BL_RIGHT};
    char hp[64];
    cols[nc++] = (bl__col){bl__base_head(hp, sizeof hp, m, m->prev_label, m->period.first,
                                         m->period.last, period_len(m)),
                           fw, BL_RIGHT};
    cols[nc++] = (bl__col){BL_W_CHANGE, cw, BL_RIGHT};
    if (users)
        cols[nc++] = (bl__col){BL_W_ACTIVE_USERS, uw, BL_RIGHT};
    cols[nc++] = (bl__col){BL_W_COL_SHARE_OF_PARTNER, sw, BL_RIGHT};
    bl_model_total all = bl_model_total_of(m, m->period.first, m->period.last);
    bl__table t;
    bool *hidden = calloc(m->n_libs ? m->n_libs : 1, sizeof *hidden);
    bool any_hidden = hidden && bl__users_hidden(m, hidden);
    bl__table_begin_font(&t, d, BL_W_BY_LIBRARY_TABLE, cols, nc, BL_F_SMALL);
    for (size_t i = 0; i < m->n_libs; i++)
        summary_row(&t, &views[i].m, m->libs[i].name, users, m->libs[i].has_users,
                    !hidden || hidden[i], m->libs[i].users, all.v, 0);
    if (show_rest)
        summary_row(&t, &rest->m, BL_W_LIB_REST, users, false, false, 0, all.v, BL_ROW_MUTED);
    summary_row(&t, m, BL_W_TOTAL, users, m->has_users, false, m->users, all.v, BL_ROW_TOTAL);
    bl__table_end(&t);
    if (any_hidden || !hidden)
        bl__para(d, BL_F_TINY, bl__grey, BL_W_NOTE_USERS_HIDDEN);
    free(hidden);
}

/* Library × resource over the period, RES_PER_TABLE resources a table. */
static void resource_tables(bl__doc *d, const bl_model *m, libview *views, libview *rest,
                            bool show_rest)
{
    size_t idx[64], n = 0;
    int first = m->period.first, last = m->period.last;
    for (size_t r = 0; r < m->n_resources && n < 64; r++)
        if (bl__resource_listed(&m->resources[r]))
            idx[n++] = r;
    char title[160];
    snprintf(title, sizeof title, BL_W_BY_LIBRARY_AND_RESOURCE, m->period_label);
    bl__heading(d, title, 1, 60);
    for (size_t start = 0; start < n; start += RES_PER_TABLE) {
        size_t cnt = n - start < RES_PER_TABLE ? n - start : RES_PER_TABLE;
        bool lastt = start + cnt >= n;
        double tw = lastt ? 55 : 0, cw = 62;
        bl__col cols[RES_PER_TABLE + 2];
        char rlab[RES_PER_TABLE][160];
        int nc = 0;
        cols[nc++] = (bl__col){BL_W_COL_LIBRARY, BL_CONTENT_W - tw - cw * (double)cnt, BL_LEFT};
        for (size_t k = 0; k < cnt; k++)
            cols[nc++] = (bl__col){
                bl__resource_label(rlab[k], sizeof rlab[k], &m->resources[idx[start + k]]), cw,
                BL_RIGHT};
        if (lastt)
            cols[nc++] = (bl__col){BL_W_TOTAL, tw, BL_RIGHT};
        bl__table t;
        bl__table_begin_font(&t, d, title, cols, nc, BL_F_SMALL);
        size_t rows = m->n_libs + (show_rest ? 1 : 0) + 1;
        for (size_t i = 0; i < rows; i++) {
            const bl_model *v = i < m->n_libs                 ? &views[i].m
                                : i == m->n_libs && show_rest ? &rest->m
                                                              : m;
            const char *label = i < m->n_libs                 ? m->libs[i].name
                                : i == m->n_libs && show_rest ? BL_W_LIB_REST
                                                              : BL_W_TOTAL;
            char c[RES_PER_TABLE + 2][TXT];
            const char *cells[RES_PER_TABLE + 2];
            cells[0] = label;
            for (size_t k = 0; k < cnt; k++) {
                bl__res_sum_text(c[k + 1], TXT, v, &v->resources[idx[start + k]], first, last);
                cells[k + 1] = c[k + 1];
            }
            if (lastt) {
                bl__total_text(c[cnt + 1], TXT, bl_model_total_of(v, first, last));
                cells[cnt + 1] = c[cnt + 1];
            }
            int flags = v == m ? BL_ROW_TOTAL : v == &rest->m ? BL_ROW_MUTED : 0;
            bl__table_row(&t, cells, NULL, flags);
        }
        bl__table_end(&t);
    }
}

/* Library × month over a year (annual report). */
static void month_table(bl__doc *d, const bl_model *m, libview *views, libview *rest,
                        bool show_rest)
{
    int first = m->period.first;
    char h[12][16];
    bl__col cols[14];
    double mw = 31, tw = 50;
    cols[0] = (bl__col){BL_W_COL_LIBRARY, BL_CONTENT_W - 12 * mw - tw, BL_LEFT};
    for (int k = 0; k < 12; k++) {
        snprintf(h[k], sizeof h[k], "%s", bl__month_abbr(bl_month_num(first + k)));
        cols[k + 1] = (bl__col){h[k], mw, BL_RIGHT};
    }
    cols[13] = (bl__col){BL_W_TOTAL, tw, BL_RIGHT};
    bl__heading(d, BL_W_BY_LIBRARY_AND_MONTH, 1, 60);
    bl__table t;
    bl__table_begin_font(&t, d, BL_W_BY_LIBRARY_AND_MONTH, cols, 14, BL_F_TINY);
    size_t rows = m->n_libs + (show_rest ? 1 : 0) + 1;
    for (size_t i = 0; i < rows; i++) {
        const bl_model *v = i < m->n_libs                 ? &views[i].m
                            : i == m->n_libs && show_rest ? &rest->m
                                                          : m;
        const char *label = i < m->n_libs                 ? m->libs[i].name
                            : i == m->n_libs && show_rest ? BL_W_LIB_REST
                                                          : BL_W_TOTAL;
        char c[14][TXT];
        const char *cells[14];
        cells[0] = label;
        for (int k = 0; k < 12; k++) {
            bl__total_text(c[k + 1], TXT, bl_model_total_of(v, first + k, first + k));
            cells[k + 1] = c[k + 1];
        }
        bl__total_text(c[13], TXT, bl_model_total_of(v, first, first + 11));
        cells[13] = c[13];
        bl__table_row(&t, cells, NULL, v == m ? BL_ROW_TOTAL : v == &rest->m ? BL_ROW_MUTED : 0);
    }
    bl__table_end(&t);
}

static void bars(bl__doc *d, const bl_model *m, libview *views, libview *rest, bool show_rest)
{
    bl__bar b[64];
    int n = 0;
    for (size_t i = 0; i <= m->n_libs && n < 64; i++) {
        const bl_model *v = i < m->n_libs ? &views[i].m : &rest->m;
        if (i == m->n_libs && !show_rest)
            break;
        bl_model_total t = bl_model_total_of(v, m->period.first, m->period.last);
        b[n++] = (bl__bar){i < m->n_libs ? m->libs[i].name : BL_W_LIB_REST, (double)t.v, !t.has};
    }
    char title[160];
    snprintf(title, sizeof title, BL_W_BY_LIBRARY_CHART, m->period_label);
    bl__heading(d, title, 1, n * 15.0 + 24);
    d->y += bl__chart_hbars(d, BL_MARGIN, d->y, BL_CONTENT_W, b, n, NULL);
}

void bl__libraries(bl__doc *d, const bl_model *m)
{
    if (m->n_libs < 2)
        return;
    libview *views = calloc(m->n_libs, sizeof *views);
    libview rest = {0};
    size_t made = 0;
    bool ok = views != NULL;
    for (; ok && made < m->n_libs; made++)
        ok = view_init(&views[made], m, (long)made);
    ok = ok && view_init(&rest, m, -1);
    if (!ok) {
        d->oom = true;
        goto out;
    }
    bool show_rest = has_rest(&rest);
    bl__heading(d, BL_W_BY_LIBRARY, 0, 80);
    summary_table(d, m, views, &rest, show_rest);
    char note[512];
    snprintf(note, sizeof note, BL_W_LIB_CHANGE_NOTE, bl__w_versus_period(period_len(m)),
             m->prev_label);
    bl__para(d, BL_F_TINY, bl__grey, note);
    if (show_rest)
        bl__para(d, BL_F_TINY, bl__grey, BL_W_LIB_REST_NOTE);
    resource_tables(d, m, views, &rest, show_rest);
    if (m->period.kind == BL_PERIOD_YEAR)
        month_table(d, m, views, &rest, show_rest);
    bars(d, m, views, &rest, show_rest);
out:
    for (size_t i = 0; views && i < made; i++)
        view_release(&views[i]);
    free(views);
    view_release(&rest);
}
