/* A report model's figures as a workbook (include/bilan/sheet_out.h,
 * bl_render_sheet): the tables of the PDF with the months as columns, for
 * whoever wants to redo a sum or a chart in a spreadsheet. The figures come
 * from the model through the same functions the PDF uses, so the two can
 * never differ; the wording is French, like the PDF's (docs/exports.md). */
#include "bilan/model.h"
#include "bilan/sheet_out.h"
#include "render_internal.h"
#include "wording.h"

#include <stdio.h>
#include <string.h>

/* A count, or an empty cell when there is no data. */
static bl_status count(bl_sheet_out *w, int64_t v, bool has)
{
    return has ? bl_sheet_out_int(w, v) : bl_sheet_out_empty(w);
}

static bool has_month(const bl_model *m, const bl_model_resource *x, int mi)
{
    int k = bl_model_slot(m, mi);
    return k >= 0 && x->has[k];
}

/* Two lines "label | value" of the key figures. */
static void key_count(bl_sheet_out *w, const char *label, int64_t v, bool has)
{
    bl_sheet_out_row(w, false);
    bl_sheet_out_text(w, label);
    count(w, v, has);
}

/* The reference columns, as the PDF's: the previous period, or in a
 * provisional one the months compared (bl_model_compared_last), with
 * their label. */
static int ref_first(const bl_model *m)
{
    return 2 * m->period.first - m->period.last - 1;
}
static int ref_last(const bl_model *m)
{
    return bl_model_compared_last(m, m->period.last) - (m->period.last - m->period.first + 1);
}
static const char *ref_label(char *out, size_t n, const bl_model *m)
{
    return bl__base_head(out, n, m, m->prev_label, m->period.first, m->period.last,
                         m->period.last - m->period.first + 1);
}

static void key_figures(const bl_model *m, bl_sheet_out *w)
{
    int first = m->period.first, last = m->period.last, len = last - first + 1;
    bl_period prev = bl_period_previous(&m->period);
    char lab[160];
    bl_sheet_out_sheet(w, "Chiffres clés", true);
    bl_sheet_out_row(w, true);
    bl_sheet_out_text(w, "Indicateur");
    bl_sheet_out_text(w, "Valeur");
    bl_sheet_out_row(w, false);
    bl_sheet_out_text(w, "Partenaire");
    bl_sheet_out_text(w, m->partner->name);
    bl_sheet_out_row(w, false);
    bl_sheet_out_text(w, "Période");
    snprintf(lab, sizeof lab, "%s%s", m->period_label, m->provisional ? " (provisoire)" : "");
    bl_sheet_out_text(w, lab);
    bl_model_total now = bl_model_total_of(m, first, last);
    snprintf(lab, sizeof lab, "Consultations (%s)", m->period_label);
    key_count(w, lab, now.v, now.has);
    char rl[64];
    bl_model_total before = bl_model_total_of(m, prev.first, prev.last);
    snprintf(lab, sizeof lab, "Consultations (%s)", m->prev_label);
    key_count(w, lab, before.v, before.has);
    /* The PDF's change card: "à périmètre égal". */
    bl_model_change c = bl_model_compare(m, first, last, len);
    snprintf(lab, sizeof lab, "Base de comparaison à périmètre égal (%s)",
             ref_label(rl, sizeof rl, m));
    key_count(w, lab, c.base, c.comparable);
    bl_sheet_out_row(w, false);
    bl_sheet_out_text(w, "Évolution à périmètre égal (%)");
    if (c.has_change)
        bl_sheet_out_fixed(w, c.tenths, 1);
    else
        bl_sheet_out_empty(w);
    if (len == 1) {
        bl_model_change y = bl_model_compare(m, first, last, 12);
        bl_sheet_out_row(w, false);
        bl_sheet_out_text(w, "Évolution sur un an à périmètre égal (%)");
        if (y.has_change)
            bl_sheet_out_fixed(w, y.tenths, 1);
        else
            bl_sheet_out_empty(w);
    }
    /* Per 1 000 inhabitants as the PDF rounds it (half up, in tenths). */
    bl_sheet_out_row(w, false);
    bl_sheet_out_text(w, "Consultations pour 1 000 habitants");
    int64_t pop = m->partner->population, scaled;
    if (now.has && pop > 0 && !__builtin_mul_overflow(now.v, 10000, &scaled) &&
        !__builtin_add_overflow(scaled, pop / 2, &scaled))
        bl_sheet_out_fixed(w, scaled / pop, 1);
    else
        bl_sheet_out_empty(w);
    /* What the PDF's † note says is missing from the period's figures. */
    bool mask[BL_WINDOW] = {false};
    bl__mask_range(m, mask, first, last);
    bl_buf gaps = BL_BUF_INIT(1u << 24);
    int ngaps = 0;
    if (bl__partial_items(&gaps, m, mask, &ngaps) == BL_OK && ngaps) {
        bl_sheet_out_row(w, false);
        snprintf(lab, sizeof lab, "Données manquantes (%s)", m->period_label);
        bl_sheet_out_text(w, lab);
        bl_sheet_out_text(w, bl_buf_cstr(&gaps));
    }
    bl_buf_release(&gaps);
    /* Under BL_USERS_SHOWN_MIN, the PDF's « moins de 5 », not the number
     * (until the night of 3 December 2026 the workbook, attached to the partner's mail,
     * printed it: docs/privacy.md). */
    if (m->has_users && m->users < BL_USERS_SHOWN_MIN) {
        bl_sheet_out_row(w, false);
        bl_sheet_out_text(w, "Utilisateurs actifs (estimation)");
        bl_sheet_out_text(w, BL_W_USERS_FEW);
    } else {
        key_count(w, "Utilisateurs actifs (estimation)", m->users, m->has_users);
    }
    key_count(w, "Points de lecture", m->n_libraries, true);
    key_count(w, "Population", pop, true);
    bl_sheet_out_row(w, false);
    snprintf(lab, sizeof lab, "Participation %d (€)", bl_month_year(first));
    bl_sheet_out_text(w, lab);
    if (m->partner->participation_cents >= 0)
        bl_sheet_out_fixed(w, m->partner->participation_cents, 2);
    else
        bl_sheet_out_empty(w);
}

/* The months shown: for a month, the thirteen months ending with it (M-1
 * and M-12 are inside); for a semester, it and the previous one; for a
 * year, its twelve months. */
static void months_shown(const bl_model *m, int *first, int *last)
{
    *last = m->period.last;
    int len = m->period.last - m->period.first + 1;
    *first = len == 1 ? *last - 12 : len == 6 ? m->period.first - 6 : m->period.first;
    if (bl_model_slot(m, *first) < 0)
        *first = m->window_first;
}

static void by_resource(const bl_model *m, bl_sheet_out *w)
{
    int first, last;
    months_shown(m, &first, &last);
    char lab[160], mon[48];
    bl_sheet_out_sheet(w, "Par ressource", true);
    bl_sheet_out_row(w, true);
    bl_sheet_out_text(w, "Ressource");
    bl_sheet_out_text(w, "Fournisseur");
    bl_sheet_out_text(w, "Type");
    bl_sheet_out_text(w, "Indicateur");
    for (int mi = first; mi <= last; mi++)
        bl_sheet_out_text(w, bl_fr_month(mon, sizeof mon, mi));
    snprintf(lab, sizeof lab, "Total %s", m->period_label);
    bl_sheet_out_text(w, lab);
    char rl[64];
    snprintf(lab, sizeof lab, "Total %s", ref_label(rl, sizeof rl, m));
    bl_sheet_out_text(w, lab);
    /* A month's table also gives the year to date, as the PDF's. */
    bool month = m->period.first == m->period.last;
    int jan = bl_month_index(bl_month_year(m->period.last), 1);
    if (month) {
        snprintf(lab, sizeof lab, "Cumul %d", bl_month_year(m->period.last));
        bl_sheet_out_text(w, lab);
    }
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl_model_listed(x))
            continue;
        bl_sheet_out_row(w, false);
        bl_sheet_out_text(w, x->name);
        bl_sheet_out_text(w, x->provider);
        bl_sheet_out_text(w, bl__kind_fr(x->kind));
        bl_sheet_out_text(w, x->metric);
        for (int mi = first; mi <= last; mi++)
            count(w, bl_model_sum(m, x, mi, mi, NULL), has_month(m, x, mi));
        int nh;
        int64_t v = bl_model_sum(m, x, m->period.first, m->period.last, &nh);
        count(w, v, nh > 0);
        v = bl_model_sum(m, x, ref_first(m), ref_last(m), &nh);
        count(w, v, nh > 0);
        if (month) {
            v = bl_model_sum(m, x, jan, m->period.last, &nh);
            count(w, v, nh > 0);
        }
    }
    bl_sheet_out_row(w, true);
    bl_sheet_out_text(w, "Total");
    bl_sheet_out_empty(w);
    bl_sheet_out_empty(w);
    bl_sheet_out_empty(w);
    for (int mi = first; mi <= last; mi++) {
        bl_model_total t = bl_model_total_of(m, mi, mi);
        count(w, t.v, t.has);
    }
    bl_model_total t = bl_model_total_of(m, m->period.first, m->period.last);
    count(w, t.v, t.has);
    t = bl_model_total_of(m, ref_first(m), ref_last(m));
    count(w, t.v, t.has);
    if (month) {
        t = bl_model_total_of(m, jan, m->period.last);
        count(w, t.v, t.has);
    }
}

/* A library's (lib >= 0) or the rest's (lib < 0: what the partner counts
 * beyond its libraries) value of resource r in month mi, as the PDF's
 * section by library (render/report_library.c) takes it. */
static int64_t lib_value(const bl_model *m, long lib, size_t r, int mi)
{
    int k = bl_model_slot(m, mi);
    return k < 0 ? 0 : bl__library_value(m, lib, r, k);
}

/* Whether that value is data: one library's own (a library without its
 * own report that month is an empty cell, not 0), the resource's for the
 * rest. */
static bool lib_has(const bl_model *m, long lib, size_t r, int mi)
{
    int k = bl_model_slot(m, mi);
    if (k < 0)
        return false;
    if (lib >= 0 && m->libs[lib].has)
        return m->libs[lib].has[r * BL_WINDOW + (size_t)k];
    return m->resources[r].has[k];
}

/* One library's rows: a row per listed resource, then its total. */
static bool library_rows(const bl_model *m, bl_sheet_out *w, long lib, const char *name, int first,
                         int last, bool skip_empty)
{
    /* A sum over no data is an empty cell, as the PDF's « — » (until 3
     * December 2026 the totals were 0 there). */
    int64_t tot_m[BL_WINDOW] = {0}, tot_now = 0, tot_prev = 0;
    bool tot_has[BL_WINDOW] = {false}, tot_now_has = false, tot_prev_has = false;
    bool any = false;
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl_model_listed(x))
            continue;
        int64_t now = 0, before = 0;
        bool now_has = false, before_has = false;
        for (int mi = m->period.first; mi <= m->period.last; mi++) {
            now = bl_model_add(now, lib_value(m, lib, r, mi));
            now_has = now_has || lib_has(m, lib, r, mi);
        }
        for (int mi = ref_first(m); mi <= ref_last(m); mi++) {
            before = bl_model_add(before, lib_value(m, lib, r, mi));
            before_has = before_has || lib_has(m, lib, r, mi);
        }
        if (skip_empty && now == 0 && before == 0)
            continue;
        any = true;
        bl_sheet_out_row(w, false);
        bl_sheet_out_text(w, name);
        bl_sheet_out_text(w, x->name);
        for (int mi = first; mi <= last; mi++) {
            int64_t v = lib_value(m, lib, r, mi);
            bool has = lib_has(m, lib, r, mi);
            if (mi - first < BL_WINDOW) {
                tot_m[mi - first] = bl_model_add(tot_m[mi - first], v);
                tot_has[mi - first] = tot_has[mi - first] || has;
            }
            count(w, v, has);
        }
        count(w, now, now_has);
        count(w, before, before_has);
        tot_now = bl_model_add(tot_now, now);
        tot_prev = bl_model_add(tot_prev, before);
        tot_now_has = tot_now_has || now_has;
        tot_prev_has = tot_prev_has || before_has;
    }
    if (!any)
        return false;
    char lab[200];
    snprintf(lab, sizeof lab, "Total %s", name);
    bl_sheet_out_row(w, true);
    bl_sheet_out_text(w, lab);
    bl_sheet_out_empty(w);
    for (int mi = first; mi <= last; mi++)
        count(w, mi - first < BL_WINDOW ? tot_m[mi - first] : 0,
              mi - first < BL_WINDOW && tot_has[mi - first]);
    count(w, tot_now, tot_now_has);
    count(w, tot_prev, tot_prev_has);
    return true;
}

/* The PDF's section by library (partners with two libraries or more):
 * library × resource, months as columns, the period and the comparison
 * period; what no library took is its own rows, as in the PDF. */
static void by_library(const bl_model *m, bl_sheet_out *w)
{
    int first, last;
    months_shown(m, &first, &last);
    char lab[160], mon[48];
    bl_sheet_out_sheet(w, "Par bibliothèque", true);
    bl_sheet_out_row(w, true);
    bl_sheet_out_text(w, "Bibliothèque");
    bl_sheet_out_text(w, "Ressource");
    for (int mi = first; mi <= last; mi++)
        bl_sheet_out_text(w, bl_fr_month(mon, sizeof mon, mi));
    snprintf(lab, sizeof lab, "Total %s", m->period_label);
    bl_sheet_out_text(w, lab);
    char rl[64];
    snprintf(lab, sizeof lab, "Total %s", ref_label(rl, sizeof rl, m));
    bl_sheet_out_text(w, lab);
    for (size_t i = 0; i < m->n_libs; i++)
        library_rows(m, w, (long)i, m->libs[i].name, first, last, false);
    library_rows(m, w, -1, "Non rattaché à une bibliothèque", first, last, true);
}

static void forfaits(const bl_model *m, bl_sheet_out *w)
{
    static const char *const STATUS[] = {"ok", "vigilance", "épuisé"};
    bl_sheet_out_sheet(w, "Forfaits", true);
    bl_sheet_out_row(w, true);
    const char *head[] = {"Forfait",     "Ressource",          "Unités", "Utilisées",
                          "Utilisé (%)", "Seuil d'alerte (%)", "État"};
    for (size_t i = 0; i < sizeof head / sizeof *head; i++)
        bl_sheet_out_text(w, head[i]);
    for (size_t i = 0; i < m->n_gauges; i++) {
        const bl_model_gauge *g = &m->gauges[i];
        bl_sheet_out_row(w, false);
        bl_sheet_out_text(w, g->forfait_id);
        bl_sheet_out_text(w, g->resource_name);
        bl_sheet_out_int(w, g->units);
        bl_sheet_out_int(w, g->used);
        bl_sheet_out_fixed(w, g->percent_tenths, 1);
        bl_sheet_out_int(w, g->alert_percent);
        bl_sheet_out_text(w, (unsigned)g->status < 3 ? STATUS[g->status] : "");
    }
}

static void by_partner(const bl_model *m, bl_sheet_out *w)
{
    char lab[160];
    bl_sheet_out_sheet(w, "Par partenaire", true);
    bl_sheet_out_row(w, true);
    bl_sheet_out_text(w, "Partenaire");
    bl_sheet_out_text(w, "Identifiant");
    bl_sheet_out_text(w, "Population");
    bl_sheet_out_text(w, "Participation (€)");
    for (size_t r = 0; r < m->n_resources; r++)
        bl_sheet_out_text(w, m->resources[r].name);
    snprintf(lab, sizeof lab, "Total %s", m->period_label);
    bl_sheet_out_text(w, lab);
    snprintf(lab, sizeof lab, "Total %s", m->prev_label);
    bl_sheet_out_text(w, lab);
    for (size_t i = 0; i < m->n_partners; i++) {
        const bl_model_partner *p = &m->partners[i];
        bl_sheet_out_row(w, false);
        bl_sheet_out_text(w, p->name);
        bl_sheet_out_text(w, p->id);
        bl_sheet_out_int(w, p->population);
        bl_sheet_out_fixed(w, p->participation_cents, 2);
        /* Empty where the PDF prints "—": no data for this partner. */
        for (size_t r = 0; r < m->n_resources; r++)
            count(w, p->cells[r], p->n_has[r] > 0);
        bl_sheet_out_int(w, p->total);
        bl_sheet_out_int(w, p->total_prev);
    }
}

bl_status bl_render_sheet(const bl_model *m, bl_sheet_out *w)
{
    if (m->partner) {
        key_figures(m, w);
        by_resource(m, w);
        if (m->n_libs >= 2)
            by_library(m, w);
        if (m->n_gauges)
            forfaits(m, w);
    } else {
        by_resource(m, w);
        if (m->n_partners)
            by_partner(m, w);
        if (m->n_gauges)
            forfaits(m, w);
    }
    return bl_sheet_out_status(w);
}
