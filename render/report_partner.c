/* The partner reports: mensuel (one month) and semestriel (six months),
 * what a partner librarian reads. Headline figures, a table per resource,
 * charts, forfait gauges, and notes that say plainly what data is missing. */
#include "render_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TXT 64

static void headline(bl__doc *d, const bl_model *m)
{
    const bl_model_partner *p = m->partner;
    bool month = m->kind == BL_REPORT_MENSUEL;
    int first = m->period.first, last = m->period.last, len = last - first + 1;
    bl_model_total tot = bl_model_total_of(m, first, last);
    bl_model_change prev = bl_model_compare(m, first, last, len),
                    year = bl_model_compare(m, first, last, 12);
    char f0[TXT], f1[TXT], f2[TXT], f3[TXT], s1[256], s2[256], s3[128], lab[96];
    char lab1[96], lab2[96];
    bl__total_text(f0, sizeof f0, tot);
    bl__change_text(f1, sizeof f1, &prev);
    bl__change_text(f2, sizeof f2, &year);
    if (tot.has)
        bl__per_1000(f3, sizeof f3, tot.v, p->population);
    else
        snprintf(f3, sizeof f3, BL_W_NONE);
    bl__base_line(s1, sizeof s1, m->prev_label, &prev);
    char ly[48];
    if (month)
        bl_fr_month(ly, sizeof ly, first - 12);
    else
        snprintf(ly, sizeof ly, BL_W_SEMESTER,
                 bl_month_num(first) == 1 ? BL_W_SEMESTER_FIRST : BL_W_SEMESTER_SECOND,
                 bl_month_year(first) - 1);
    bl__base_line(s2, sizeof s2, ly, &year);
    snprintf(s3, sizeof s3, BL_W_CARD_CONSULTATIONS_SUB,
             month ? BL_W_OVER_THE_MONTH : BL_W_OVER_THE_SEMESTER);
    snprintf(lab, sizeof lab, BL_W_CONSULTATIONS);
    snprintf(lab1, sizeof lab1, month ? BL_W_CARD_MONTH : BL_W_CARD_SEMESTER);
    snprintf(lab2, sizeof lab2, BL_W_CARD_YEAR);
    bl__card c1[4] = {
        {lab, f0, m->period_label}, {lab1, f1, s1}, {lab2, f2, s2}, {BL_W_PER_1000, f3, s3}};
    bl__cards(d, c1, 4);
    if (tot.partial) {
        bool mask[BL_WINDOW] = {false};
        bl__mask_range(m, mask, first, last);
        bl__partial_note(d, m, mask);
    }
    bl__running_note(d, m);

    char g0[TXT], g1[TXT], t0[160], t1[128], rate[TXT], pop[TXT];
    if (p->participation_cents >= 0)
        bl_fr_money(g0, sizeof g0, p->participation_cents);
    else /* unknown: a store from before the import bounds */
        snprintf(g0, sizeof g0, BL_W_NONE);
    bl_fr_int(pop, sizeof pop, p->population);
    bl_fr_decimal(rate, sizeof rate, p->rate_e4 / 100, 2);
    snprintf(t0, sizeof t0, BL_W_PARTICIPATION_RATE, pop, bl__w_inhabitants(p->population), rate);
    char plab[64];
    snprintf(plab, sizeof plab, BL_W_PARTICIPATION_YEAR, bl_month_year(first));
    if (m->has_users) {
        bl__users_text(g1, sizeof g1, m->users);
        snprintf(t1, sizeof t1, BL_W_USERS_ESTIMATED);
    } else {
        snprintf(g1, sizeof g1, BL_W_NONE);
        snprintf(t1, sizeof t1, m->users_lost ? BL_W_USERS_LOST : BL_W_USERS_NONE_PERIOD);
    }
    char libs[TXT], libsub[64];
    snprintf(libs, sizeof libs, "%d", m->n_libraries);
    snprintf(libsub, sizeof libsub, "%s",
             m->n_libraries > 1 ? BL_W_LIBRARIES_OF_PARTNER : BL_W_LIBRARY_OF_PARTNER);
    bl__card c2[3] = {
        {plab, g0, t0}, {BL_W_ACTIVE_USERS, g1, t1}, {BL_W_READING_POINTS, libs, libsub}};
    bl__cards(d, c2, 3);
}

static void table_month(bl__doc *d, const bl_model *m)
{
    int mi = m->period.first;
    char h1[48], h2[48], h3[48], h4[48];
    bl_fr_month(h1, sizeof h1, mi);
    bl_fr_month(h2, sizeof h2, mi - 1);
    bl_fr_month(h3, sizeof h3, mi - 12);
    int jan = bl_month_index(bl_month_year(mi), 1);
    if (mi == jan)
        snprintf(h4, sizeof h4, BL_W_YEAR_TO_JANUARY, bl_month_year(mi));
    else
        snprintf(h4, sizeof h4, BL_W_YEAR_TO_DATE, bl_month_year(mi),
                 bl__month_abbr(bl_month_num(mi)));
    bl__col cols[] = {{BL_W_COL_RESOURCE, 150, BL_LEFT},
                      {BL_W_COL_KIND, 90, BL_LEFT},
                      {h1, 62, BL_RIGHT},
                      {h2, 62, BL_RIGHT},
                      {h3, 62, BL_RIGHT},
                      {h4, 79, BL_RIGHT}};
    bl__table t;
    bl__table_begin(&t, d, BL_W_BY_RESOURCE, cols, 6);
    int months[3] = {mi, mi - 1, mi - 12};
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl__resource_listed(x))
            continue;
        char c[4][TXT];
        /* A month's figure as a sum of one month: "—", or † when partial. */
        for (int k = 0; k < 3; k++)
            bl__res_sum_text(c[k], TXT, m, x, months[k], months[k]);
        bl__res_sum_text(c[3], TXT, m, x, jan, mi);
        char lab[160];
        const char *cells[] = {
            bl__resource_label(lab, sizeof lab, x), bl__kind_fr(x->kind), c[0], c[1], c[2], c[3]};
        bl__table_row(&t, cells, NULL, bl_model_missing(m, x, mi, mi) ? BL_ROW_MUTED : 0);
    }
    char c[4][TXT];
    bool partial = false;
    for (int k = 0; k < 4; k++) {
        bl_model_total tt =
            k < 3 ? bl_model_total_of(m, months[k], months[k]) : bl_model_total_of(m, jan, mi);
        bl__total_text(c[k], TXT, tt);
        partial = partial || tt.partial;
    }
    const char *cells[] = {BL_W_TOTAL, "", c[0], c[1], c[2], c[3]};
    bl__table_row(&t, cells, NULL, BL_ROW_TOTAL);
    bl__table_end(&t);
    if (partial) {
        bool mask[BL_WINDOW] = {false};
        bl__mask_range(m, mask, jan, mi);
        bl__mask_range(m, mask, mi - 1, mi - 1);
        bl__mask_range(m, mask, mi - 12, mi - 12);
        bl__partial_note(d, m, mask);
    }
}

static void table_semester(bl__doc *d, const bl_model *m)
{
    int first = m->period.first;
    char h[6][16];
    for (int k = 0; k < 6; k++)
        snprintf(h[k], sizeof h[k], "%s", bl__month_abbr(bl_month_num(first + k)));
    char hp[64], hb[64];
    snprintf(hp, sizeof hp, "%s",
             bl__base_head(hb, sizeof hb, m, m->prev_label, first, first + 5, 6));
    bl__col cols[] = {{BL_W_COL_RESOURCE, 115, BL_LEFT},
                      {h[0], 40, BL_RIGHT},
                      {h[1], 40, BL_RIGHT},
                      {h[2], 40, BL_RIGHT},
                      {h[3], 40, BL_RIGHT},
                      {h[4], 40, BL_RIGHT},
                      {h[5], 40, BL_RIGHT},
                      {BL_W_SEMESTER_TOTAL, 52, BL_RIGHT},
                      {hp, 52, BL_RIGHT},
                      {BL_W_CHANGE, 46, BL_RIGHT}};
    bl__table t;
    bl__table_begin_font(&t, d, BL_W_BY_RESOURCE_AND_MONTH, cols, 10, BL_F_SMALL);
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl__resource_listed(x))
            continue;
        char c[9][TXT];
        for (int k = 0; k < 6; k++)
            bl__res_sum_text(c[k], TXT, m, x, first + k, first + k);
        bl__res_sum_text(c[6], TXT, m, x, first, first + 5);
        bl__res_base_text(c[7], TXT, m, x, first, first + 5, 6);
        bl_model_change rch = bl__resource_compare(m, x, first, first + 5, 6);
        bl__change_text(c[8], TXT, &rch);
        char lab[160];
        const char *cells[] = {bl__resource_label(lab, sizeof lab, x),
                               c[0],
                               c[1],
                               c[2],
                               c[3],
                               c[4],
                               c[5],
                               c[6],
                               c[7],
                               c[8]};
        bl__table_row(&t, cells, NULL, bl_model_missing(m, x, first, first + 5) ? BL_ROW_MUTED : 0);
    }
    char c[9][TXT];
    bool partial = false;
    for (int k = 0; k < 8; k++) {
        bl_model_total tt = k < 6    ? bl_model_total_of(m, first + k, first + k)
                            : k == 6 ? bl_model_total_of(m, first, first + 5)
                                     : bl_model_base_total(m, first, first + 5, 6);
        bl__total_text(c[k], TXT, tt);
        partial = partial || tt.partial;
    }
    bl_model_change ch = bl_model_compare(m, first, first + 5, 6);
    bl__change_text(c[8], TXT, &ch);
    const char *cells[] = {BL_W_TOTAL, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]};
    bl__table_row(&t, cells, NULL, BL_ROW_TOTAL);
    bl__table_end(&t);
    if (partial) {
        bool mask[BL_WINDOW] = {false};
        bl__mask_range(m, mask, first - 6, bl_model_compared_last(m, first + 5) - 6);
        bl__mask_range(m, mask, first, first + 5);
        bl__partial_note(d, m, mask);
    }
}

static int cmp_bar(const void *a, const void *b)
{
    const bl__bar *x = a, *y = b;
    if (x->missing != y->missing)
        return x->missing ? 1 : -1;
    if (x->value != y->value)
        return x->value < y->value ? 1 : -1;
    return strcmp(x->label, y->label);
}

static void bars_by_resource(bl__doc *d, const bl_model *m)
{
    bl__bar *bars = calloc(m->n_resources ? m->n_resources : 1, sizeof *bars);
    if (!bars) {
        d->oom = true;
        return;
    }
    int n = 0;
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl__resource_listed(x))
            continue;
        int nh;
        int64_t v = bl_model_sum(m, x, m->period.first, m->period.last, &nh);
        bars[n++] = (bl__bar){x->name, (double)v, nh == 0};
    }
    qsort(bars, (size_t)n, sizeof *bars, cmp_bar);
    char title[128];
    snprintf(title, sizeof title, BL_W_BY_RESOURCE_CHART, m->period_label);
    bl__heading(d, title, 0, n * 15.0 + 24);
    d->y += bl__chart_hbars(d, BL_MARGIN, d->y, BL_CONTENT_W, bars, n, NULL);
    free(bars);
}

static void trend(bl__doc *d, const bl_model *m)
{
    const char *cats[12];
    char lab[12][16];
    double v[24];
    bool miss[24], part[24];
    bl__twelve_months(m, m->period.last, cats, lab, v, miss, part);
    bl__heading(d, BL_W_TREND_12_MONTHS, 0, 125);
    const char *names[] = {BL_W_LAST_12_MONTHS, BL_W_PREVIOUS_12_MONTHS};
    bl__chart_lines(d, BL_MARGIN, d->y, BL_CONTENT_W, 120, cats, 12, v, miss, part, 2, names);
    d->y += 124;
}

static void semester_bars(bl__doc *d, const bl_model *m)
{
    int first = m->period.first;
    const char *cats[6];
    char lab[6][16];
    double v[12];
    bool miss[12];
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < 6; i++) {
            int k = bl_model_slot(m, first + i - 12 * s);
            double sum = 0;
            bool any = false;
            for (size_t r = 0; r < m->n_resources && k >= 0; r++) {
                sum += (double)m->resources[r].v[k];
                any = any || m->resources[r].has[k];
            }
            v[s * 6 + i] = sum;
            /* A month not over yet without data: no bar, and no "?". */
            miss[s * 6 + i] = !any && bl_model_over(m, first + i - 12 * s);
        }
    }
    for (int i = 0; i < 6; i++) {
        snprintf(lab[i], sizeof lab[i], "%s", bl__month_abbr(bl_month_num(first + i)));
        cats[i] = lab[i];
    }
    char n0[16], n1[16];
    snprintf(n0, sizeof n0, "%d", bl_month_year(first));
    snprintf(n1, sizeof n1, "%d", bl_month_year(first) - 1);
    const char *names[] = {n0, n1};
    bl__heading(d, BL_W_MONTHS_VS_LAST_YEAR, 0, 150);
    bl__chart_vbars(d, BL_MARGIN, d->y, BL_CONTENT_W, 140, cats, 6, v, miss, 2, names);
    d->y += 146;
}

static void gauges(bl__doc *d, const bl_model *m)
{
    if (m->n_gauges == 0)
        return;
    bl__heading(d, BL_W_FORFAITS, 0, 75);
    for (size_t i = 0; i < m->n_gauges; i++) {
        bl__doc_need(d, 75);
        d->y += bl__chart_gauge(d, BL_MARGIN, d->y, BL_CONTENT_W, &m->gauges[i]);
    }
}

static void notes(bl__doc *d, const bl_model *m)
{
    bl__heading(d, BL_W_NOTES, 0, 40);
    int first = m->period.first, last = m->period.last;
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        bool miss[12];
        const char *provider = *x->provider ? x->provider : BL_W_NO_PROVIDER;
        if (x->elsewhere)
            continue;
        if (bl__months_missing(m, x, first, last, miss)) {
            bl_buf months = BL_BUF_INIT(4096), line = BL_BUF_INIT(8192);
            if (bl_fr_months(&months, miss, first, 12) != BL_OK ||
                bl_buf_printf(&line, BL_W_NOTE_MISSING, x->name, provider, bl_buf_cstr(&months)) !=
                    BL_OK)
                d->oom = true;
            else
                bl__para(d, BL_F_SMALL, bl__ink, bl_buf_cstr(&line));
            bl_buf_release(&months);
            bl_buf_release(&line);
        }
        /* Months a library's own report is missing: counted, but partial. */
        bool part[BL_WINDOW] = {false}, any = false;
        for (int mi = first; mi <= last; mi++)
            if (bl_model_part(m, x, mi))
                part[bl_model_slot(m, mi)] = any = true;
        if (!any)
            continue;
        /* Why: missing reports alone (a library's name), other reasons
         * (an entry that starts with a BL_GAP_ mark), or both. */
        bool bare = false, why = false;
        for (int k = 0; k < BL_WINDOW; k++)
            for (const char *e = part[k] && x->gap[k] ? x->gap[k] : NULL; e && *e;) {
                bool mark =
                    *e == *BL_GAP_EARLY || *e == *BL_GAP_REJECTED || *e == *BL_GAP_UNATTRIBUTED;
                why |= mark, bare |= !mark;
                e = strchr(e, '\n');
                e = e ? e + 1 : NULL;
            }
        const char *fmt = !why   ? BL_W_NOTE_PARTIAL
                          : bare ? BL_W_NOTE_PARTIAL_MIXED
                                 : BL_W_NOTE_PARTIAL_WHY;
        bl_buf gaps = BL_BUF_INIT(1u << 16), line = BL_BUF_INIT(1u << 17);
        if (bl__gap_text(&gaps, m, x, part) != BL_OK ||
            bl_buf_printf(&line, fmt, x->name, provider, bl_buf_cstr(&gaps)) != BL_OK)
            d->oom = true;
        else
            bl__para(d, BL_F_SMALL, bl__ink, bl_buf_cstr(&line));
        bl_buf_release(&gaps);
        bl_buf_release(&line);
    }
    bl__para(d, BL_F_SMALL, bl__grey, BL_W_NOTE_CONSULTATIONS);
    bl__para(d, BL_F_SMALL, bl__grey, BL_W_NOTE_CHANGES);
    bl__para(d, BL_F_SMALL, bl__grey, BL_W_NOTE_USERS);
}

/* ---- the annual report of a partner (issue 15) ------------------------------------ */

/* The resources' cost for the year, and that of the months with data. */
static void network_cost(const bl_model *m, int64_t *cost, int64_t *covered)
{
    *cost = *covered = 0;
    for (size_t r = 0; r < m->n_resources; r++) {
        int nh = bl_model_network_months(m, &m->resources[r], m->period.first, m->period.last);
        *cost = bl_model_add(*cost, m->resources[r].annual_cost_cents);
        *covered = bl_model_add(*covered, bl__prorata(m->resources[r].annual_cost_cents, nh, 12));
    }
}

/* Cents per consultation, "—" when there were none. */
static void per_consult(char *out, size_t n, int64_t cents, int64_t consultations)
{
    if (consultations <= 0)
        snprintf(out, n, BL_W_NONE);
    else
        bl_fr_money(out, n, (cents + consultations / 2) / consultations);
}

static void annual_headline(bl__doc *d, const bl_model *m)
{
    const bl_model_partner *p = m->partner;
    int first = m->period.first, last = m->period.last;
    bl_model_total tot = bl_model_total_of(m, first, last);
    bl_model_change ch = bl_model_compare(m, first, last, 12);
    int64_t cost, covered;
    network_cost(m, &cost, &covered);
    int64_t share = bl__prorata(cost, p->participation_cents, m->network_participation_cents);
    int64_t share_cov =
        bl__prorata(covered, p->participation_cents, m->network_participation_cents);
    char f0[TXT], f1[TXT], f2[TXT], f3[TXT], s1[256], s3[128];
    bl__total_text(f0, sizeof f0, tot);
    bl__change_text(f1, sizeof f1, &ch);
    bl__base_line(s1, sizeof s1, m->prev_label, &ch);
    if (tot.has)
        bl__per_1000(f2, sizeof f2, tot.v, p->population);
    else
        snprintf(f2, sizeof f2, BL_W_NONE);
    snprintf(s3, sizeof s3, BL_W_CARD_CONSULTATIONS_SUB, BL_W_OVER_THE_YEAR);
    if (p->participation_cents > 0 && tot.has)
        per_consult(f3, sizeof f3, share_cov, tot.v);
    else
        snprintf(f3, sizeof f3, BL_W_NONE);
    bl__card c1[4] = {{BL_W_CONSULTATIONS, f0, m->period_label},
                      {BL_W_CARD_PREV_YEAR, f1, s1},
                      {BL_W_PER_1000, f2, s3},
                      {BL_W_CARD_COST_PER_CONSULTATION, f3, BL_W_CARD_COST_PER_CONSULTATION_SUB}};
    bl__cards(d, c1, 4);
    if (tot.partial) {
        bool mask[BL_WINDOW] = {false};
        bl__mask_range(m, mask, first, last);
        bl__partial_note(d, m, mask);
    }
    bl__running_note(d, m);
    char g0[TXT], g1[TXT], g2[TXT], t0[160], t2[128], rate[TXT], pop[TXT], plab[64];
    if (p->participation_cents >= 0)
        bl_fr_money(g0, sizeof g0, p->participation_cents);
    else
        snprintf(g0, sizeof g0, BL_W_NONE);
    bl_fr_int(pop, sizeof pop, p->population);
    bl_fr_decimal(rate, sizeof rate, p->rate_e4 / 100, 2);
    snprintf(t0, sizeof t0, BL_W_PARTICIPATION_RATE, pop, bl__w_inhabitants(p->population), rate);
    snprintf(plab, sizeof plab, BL_W_PARTICIPATION_YEAR, bl_month_year(first));
    bl_fr_money(g1, sizeof g1, share);
    if (m->has_users) {
        bl__users_text(g2, sizeof g2, m->users);
        snprintf(t2, sizeof t2, BL_W_USERS_ESTIMATED);
    } else {
        snprintf(g2, sizeof g2, BL_W_NONE);
        snprintf(t2, sizeof t2, m->users_lost ? BL_W_USERS_LOST : BL_W_USERS_NONE_PERIOD);
    }
    bl__card c2[3] = {{plab, g0, t0},
                      {BL_W_CARD_COST_SHARE, g1, BL_W_CARD_COST_SHARE_SUB},
                      {BL_W_ACTIVE_USERS, g2, t2}};
    bl__cards(d, c2, 3);
}

/* Twelve months by resource, with the year's total. */
static void annual_months(bl__doc *d, const bl_model *m)
{
    int first = m->period.first;
    char h[12][16], title[160];
    bl__col cols[14];
    double mw = 31, tw = 50;
    cols[0] = (bl__col){BL_W_COL_RESOURCE, BL_CONTENT_W - 12 * mw - tw, BL_LEFT};
    for (int k = 0; k < 12; k++) {
        snprintf(h[k], sizeof h[k], "%s", bl__month_abbr(bl_month_num(first + k)));
        cols[k + 1] = (bl__col){h[k], mw, BL_RIGHT};
    }
    cols[13] = (bl__col){BL_W_TOTAL, tw, BL_RIGHT};
    snprintf(title, sizeof title, BL_W_BY_RESOURCE_AND_MONTH_YEAR, m->period_label);
    bl__heading(d, title, 0, 60);
    bl__table t;
    bl__table_begin_font(&t, d, title, cols, 14, BL_F_TINY);
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl__resource_listed(x))
            continue;
        char c[13][TXT], lab[160];
        const char *cells[14];
        cells[0] = bl__resource_label(lab, sizeof lab, x);
        for (int k = 0; k < 12; k++) {
            bl__res_sum_text(c[k], TXT, m, x, first + k, first + k);
            cells[k + 1] = c[k];
        }
        bl__res_sum_text(c[12], TXT, m, x, first, first + 11);
        cells[13] = c[12];
        bl__table_row(&t, cells, NULL,
                      bl_model_missing(m, x, first, first + 11) ? BL_ROW_MUTED : 0);
    }
    char c[13][TXT];
    const char *cells[14];
    cells[0] = BL_W_TOTAL;
    for (int k = 0; k < 13; k++) {
        bl__total_text(c[k], TXT,
                       k < 12 ? bl_model_total_of(m, first + k, first + k)
                              : bl_model_total_of(m, first, first + 11));
        cells[k + 1] = c[k];
    }
    bl__table_row(&t, cells, NULL, BL_ROW_TOTAL);
    bl__table_end(&t);
}

/* The year against the previous one by resource, with the indicative cost
 * per consultation. */
static void annual_vs_previous(bl__doc *d, const bl_model *m)
{
    const bl_model_partner *p = m->partner;
    int first = m->period.first, last = m->period.last;
    char hy[16], hp[64], hb[16];
    snprintf(hy, sizeof hy, "%d", bl_month_year(first));
    snprintf(hb, sizeof hb, "%d", bl_month_year(first) - 1);
    const char *head = bl__base_head(hp, sizeof hp, m, hb, first, last, 12);
    bl__col cols[] = {{BL_W_COL_RESOURCE, 160, BL_LEFT},
                      {BL_W_COL_KIND, 85, BL_LEFT},
                      {hy, 60, BL_RIGHT},
                      {head, 60, BL_RIGHT},
                      {BL_W_CHANGE, 55, BL_RIGHT},
                      {BL_W_COST_PER_CONSULTATION, 85, BL_RIGHT}};
    bl__heading(d, BL_W_YEAR_VS_PREVIOUS, 0, 60);
    bl__table t;
    bl__table_begin_font(&t, d, BL_W_YEAR_VS_PREVIOUS, cols, 6, BL_F_SMALL);
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl__resource_listed(x))
            continue;
        char c[4][TXT], lab[160];
        int64_t a = bl__res_sum_text(c[0], TXT, m, x, first, last);
        int hn = bl_model_network_months(m, x, first, last);
        bl__res_base_text(c[1], TXT, m, x, first, last, 12);
        bl_model_change rch = bl__resource_compare(m, x, first, last, 12);
        bl__change_text(c[2], TXT, &rch);
        int64_t cov = bl__prorata(x->annual_cost_cents, hn, 12);
        cov = bl__prorata(cov, p->participation_cents, m->network_participation_cents);
        if (p->participation_cents > 0 && hn > 0)
            per_consult(c[3], TXT, cov, a);
        else
            snprintf(c[3], TXT, BL_W_NONE);
        const char *cells[] = {
            bl__resource_label(lab, sizeof lab, x), bl__kind_fr(x->kind), c[0], c[1], c[2], c[3]};
        bl__table_row(&t, cells, NULL, bl_model_missing(m, x, first, last) ? BL_ROW_MUTED : 0);
    }
    bl_model_total now = bl_model_total_of(m, first, last),
                   prev = bl_model_base_total(m, first, last, 12);
    bl_model_change ch = bl_model_compare(m, first, last, 12);
    int64_t cost, covered;
    network_cost(m, &cost, &covered);
    int64_t share_cov =
        bl__prorata(covered, p->participation_cents, m->network_participation_cents);
    char c[4][TXT];
    bl__total_text(c[0], TXT, now);
    bl__total_text(c[1], TXT, prev);
    bl__change_text(c[2], TXT, &ch);
    if (p->participation_cents > 0 && now.has)
        per_consult(c[3], TXT, share_cov, now.v);
    else
        snprintf(c[3], TXT, BL_W_NONE);
    const char *cells[] = {BL_W_TOTAL, "", c[0], c[1], c[2], c[3]};
    bl__table_row(&t, cells, NULL, BL_ROW_TOTAL);
    bl__table_end(&t);
    char a[TXT], b[TXT], e[TXT], s[TXT], note[1024];
    bl_fr_money(a, sizeof a, cost);
    bl_fr_money(b, sizeof b, p->participation_cents > 0 ? p->participation_cents : 0);
    bl_fr_money(e, sizeof e, m->network_participation_cents);
    bl_fr_money(s, sizeof s,
                bl__prorata(cost, p->participation_cents, m->network_participation_cents));
    snprintf(note, sizeof note, BL_W_PARTNER_COST_NOTE, a, b, e, s);
    bl__para(d, BL_F_TINY, bl__grey, note);
}

static void annual_trend(bl__doc *d, const bl_model *m)
{
    const char *cats[12];
    char lab[12][16], n0[16], n1[16];
    double v[24];
    bool miss[24], part[24];
    bl__twelve_months(m, m->period.last, cats, lab, v, miss, part);
    snprintf(n0, sizeof n0, "%d", bl_month_year(m->period.last));
    snprintf(n1, sizeof n1, "%d", bl_month_year(m->period.last) - 1);
    const char *names[] = {n0, n1};
    bl__heading(d, BL_W_TREND_YEAR, 0, 150);
    bl__chart_lines(d, BL_MARGIN, d->y, BL_CONTENT_W, 140, cats, 12, v, miss, part, 2, names);
    d->y += 146;
}

static void draw_partner_annual(bl__doc *d, const bl_model *m)
{
    annual_headline(d, m);
    annual_months(d, m);
    annual_vs_previous(d, m);
    bl__estimate_notes(d, m);
    bl__libraries(d, m);
    bars_by_resource(d, m);
    annual_trend(d, m);
    gauges(d, m);
    notes(d, m);
}

void bl__draw_partner(bl__doc *d, const bl_model *m)
{
    const bl_model_partner *p = m->partner;
    bool month = m->kind == BL_REPORT_MENSUEL;
    char sub[256], pop[TXT];
    bl_fr_int(pop, sizeof pop, p->population);
    if (p->population_year > 0)
        snprintf(sub, sizeof sub, BL_W_PARTNER_SUBTITLE_YEAR, m->period_label, pop,
                 bl__w_inhabitants(p->population), p->population_year);
    else
        snprintf(sub, sizeof sub, BL_W_PARTNER_SUBTITLE, m->period_label, pop,
                 bl__w_inhabitants(p->population));
    bl__title_block(d, m,
                    m->kind == BL_REPORT_ANNUEL ? BL_W_PARTNER_OVERLINE_YEAR
                    : month                     ? BL_W_PARTNER_OVERLINE_MONTH
                                                : BL_W_PARTNER_OVERLINE_SEMESTER,
                    p->name, sub);
    bl__heading(d, BL_W_KEY_FIGURES, 0, 130);
    if (m->kind == BL_REPORT_ANNUEL) {
        draw_partner_annual(d, m);
        return;
    }
    headline(d, m);
    bl__heading(d, BL_W_BY_RESOURCE, 0, 60);
    if (month)
        table_month(d, m);
    else
        table_semester(d, m);
    bl__estimate_notes(d, m);
    bl__libraries(d, m);
    bars_by_resource(d, m);
    if (month)
        trend(d, m);
    else
        semester_bars(d, m);
    gauges(d, m);
    notes(d, m);
}
