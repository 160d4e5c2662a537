/* The network reports: annuel (for the steering committee: totals, use per
 * inhabitant, cost per consultation, trend, forfaits, data-quality annex)
 * and reseau (for the project lead: partners × resources heat table,
 * unattributed usage, rejected rows, missing months, forfait alerts). */
#include "render_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TXT 64

static int64_t prorata(int64_t a, int64_t b, int64_t c)
{
    return bl__prorata(a, b, c);
}

static int64_t total_population(const bl_model *m)
{
    int64_t s = 0;
    for (size_t i = 0; i < m->n_partners; i++)
        s = bl_model_add(s, m->partners[i].population);
    return s;
}

static int64_t total_participation(const bl_model *m)
{
    int64_t s = 0;
    for (size_t i = 0; i < m->n_partners; i++)
        s = bl_model_add(s, m->partners[i].participation_cents);
    return s;
}

static int period_len(const bl_model *m)
{
    return m->period.last - m->period.first + 1;
}

/* The resources' cost for the period: annual cost prorated by months. */
static int64_t cost_cents(const bl_model *m, const bl_model_resource *r)
{
    return prorata(r->annual_cost_cents, period_len(m), 12);
}

/* The cost of the months that have data: what the consultations counted
 * actually cover. Dividing a full year's cost by eight months of
 * consultations would overstate the cost per consultation. */
static int64_t covered_cents(const bl_model *m, const bl_model_resource *r)
{
    return prorata(r->annual_cost_cents,
                   bl_model_network_months(m, r, m->period.first, m->period.last), 12);
}

/* Cents per consultation, "—" when there were none. */
static char *per_consult(char *out, size_t n, int64_t cents, int64_t consultations)
{
    if (consultations <= 0) {
        snprintf(out, n, BL_W_NONE);
        return out;
    }
    return bl_fr_money(out, n, (cents + consultations / 2) / consultations);
}

static void gauges(bl__doc *d, const bl_model *m, bool alerts_only)
{
    size_t shown = 0;
    for (size_t i = 0; i < m->n_gauges; i++)
        if (!alerts_only || m->gauges[i].status != BL_GAUGE_OK)
            shown++;
    bl__heading(d, alerts_only ? BL_W_FORFAIT_ALERTS : BL_W_FORFAIT_USE, 0, 75);
    if (m->n_gauges == 0) {
        bl__para(d, BL_F_SMALL, bl__grey, BL_W_NO_FORFAIT);
        return;
    }
    if (shown == 0) {
        bl__para(d, BL_F_SMALL, bl__grey, BL_W_NO_FORFAIT_TO_WATCH);
        return;
    }
    for (size_t i = 0; i < m->n_gauges; i++) {
        if (alerts_only && m->gauges[i].status == BL_GAUGE_OK)
            continue;
        bl__doc_need(d, 75);
        d->y += bl__chart_gauge(d, BL_MARGIN, d->y, BL_CONTENT_W, &m->gauges[i]);
    }
}

/* Months without data per resource over [first, last]: only the months
 * over on the generation date (a month still running cannot be late; the
 * project lead reads this to chase providers). */
static void gaps(bl__doc *d, const bl_model *m, int first, int last, const char *title)
{
    bl__heading(d, title, 1, 40);
    int ended = m->running_from ? m->running_from - 1 : last;
    char lab[48];
    if (ended < first) {
        bl__para(d, BL_F_SMALL, bl__grey, BL_W_GAPS_NONE_ENDED);
        return;
    }
    bool clamped = last > ended;
    if (clamped)
        last = ended;
    bl__col cols[] = {{BL_W_COL_RESOURCE, 150, BL_LEFT},
                      {BL_W_COL_PROVIDER, 110, BL_LEFT},
                      {BL_W_NO_DATA_MONTHS, BL_CONTENT_W - 260, BL_LEFT}};
    int rows = 0;
    bl__table t;
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        /* Consecutive months as a span, and the libraries whose own
         * reports are missing, as in the notes (bl__gap_text). */
        bool miss[12], mask[BL_WINDOW] = {false};
        if (!bl_model_missing(m, x, first, last))
            continue;
        int n = bl__months_missing(m, x, first, last, miss);
        bl__mask_range(m, mask, first, last);
        bl_buf months = BL_BUF_INIT(1u << 16);
        if (n == last - first + 1 ? bl_buf_puts(&months, BL_W_NO_DATA_IN_PERIOD) != BL_OK
                                  : bl__gap_text(&months, m, x, mask) != BL_OK)
            d->oom = true;
        if (rows++ == 0)
            bl__table_begin_font(&t, d, title, cols, 3, BL_F_SMALL);
        const char *cells[] = {x->name, x->provider, bl_buf_cstr(&months)};
        bl__table_row(&t, cells, NULL, 0);
        bl_buf_release(&months);
    }
    if (rows)
        bl__table_end(&t);
    else
        bl__para(d, BL_F_SMALL, bl__grey, BL_W_ALL_MONTHS_HAVE_DATA);
    if (clamped) {
        char line[128];
        snprintf(line, sizeof line, BL_W_GAPS_ENDED_ONLY, bl_fr_month(lab, sizeof lab, ended));
        bl__para(d, BL_F_TINY, bl__grey, line);
    }
}

static void unattributed(bl__doc *d, const bl_model *m, size_t max_rows)
{
    char tot[TXT], line[512];
    bl_fr_int(tot, sizeof tot, m->unattributed_total);
    bl__heading(d, BL_W_UNATTRIBUTED, 1, 50);
    if (m->n_unattributed == 0) {
        bl__para(d, BL_F_SMALL, bl__grey, BL_W_ALL_ATTRIBUTED);
        return;
    }
    snprintf(line, sizeof line, BL_W_UNATTRIBUTED_TEXT, tot);
    bl__para(d, BL_F_SMALL, bl__ink, line);
    bl__col cols[] = {{BL_W_COL_INSTITUTION_AS_WRITTEN, 200, BL_LEFT},
                      {BL_W_COL_PLATFORM, BL_CONTENT_W - 290, BL_LEFT},
                      {BL_W_CONSULTATIONS, 90, BL_RIGHT}};
    bl__table t;
    bl__table_begin_font(&t, d, BL_W_UNATTRIBUTED, cols, 3, BL_F_SMALL);
    for (size_t i = 0; i < m->n_unattributed && i < max_rows; i++) {
        char v[TXT];
        bl_fr_int(v, sizeof v, m->unattributed[i].value);
        const char *inst =
            *m->unattributed[i].institution ? m->unattributed[i].institution : BL_W_NOT_GIVEN;
        const char *cells[] = {inst, m->unattributed[i].platform, v};
        bl__table_row(&t, cells, NULL, 0);
    }
    if (m->n_unattributed > max_rows) {
        char more[96];
        snprintf(more, sizeof more, BL_W_MORE_LINES, m->n_unattributed - max_rows);
        const char *cells[] = {more, "", ""};
        bl__table_row(&t, cells, NULL, BL_ROW_MUTED);
    }
    const char *cells[] = {BL_W_TOTAL, "", tot};
    bl__table_row(&t, cells, NULL, BL_ROW_TOTAL);
    bl__table_end(&t);
}

/* Where unattributed log events came from: the address ranges most seen,
 * each with what to do about it. */
static void ranges(bl__doc *d, const bl_model *m)
{
    if (m->n_ranges == 0)
        return;
    bl__heading(d, BL_W_RANGES, 1, 40);
    bl__para(d, BL_F_SMALL, bl__ink, BL_W_RANGES_TEXT);
    for (size_t i = 0; i < m->n_ranges; i++) {
        char v[TXT], line[512];
        bl_fr_int(v, sizeof v, m->ranges[i].events);
        const char *pl = m->ranges[i].events > 1 ? BL_W_PLURAL : "";
        snprintf(line, sizeof line, BL_W_RANGE_ITEM, v, pl, m->ranges[i].range);
        bl__para(d, BL_F_SMALL, bl__ink, line);
    }
}

static void rejects(bl__doc *d, const bl_model *m)
{
    bl__heading(d, BL_W_REJECTS, 1, 50);
    if (m->n_rejects == 0) {
        bl__para(d, BL_F_SMALL, bl__grey, BL_W_NO_REJECTS);
        return;
    }
    bl__col cols[] = {{BL_W_COL_FILE, BL_CONTENT_W - 290, BL_LEFT},
                      {BL_W_COL_PROVIDER, 100, BL_LEFT},
                      {BL_W_COL_FORMAT, 70, BL_LEFT},
                      {BL_W_COL_ACCEPTED_LINES, 60, BL_RIGHT},
                      {BL_W_REJECTED_LINES, 60, BL_RIGHT}};
    bl__table t;
    bl__table_begin_font(&t, d, BL_W_REJECTS, cols, 5, BL_F_SMALL);
    int64_t tot = 0;
    for (size_t i = 0; i < m->n_rejects; i++) {
        const bl_model_rejects *x = &m->rejects[i];
        const char *base = strrchr(x->path, '/');
        char a[TXT], r[TXT];
        bl_fr_int(a, sizeof a, x->accepted);
        bl_fr_int(r, sizeof r, x->rejected);
        tot += x->rejected;
        const char *cells[] = {base ? base + 1 : x->path,
                               *x->provider ? x->provider : BL_W_NO_PROVIDER,
                               bl__format_fr(x->format), a, r};
        bl__table_row(&t, cells, NULL, 0);
    }
    char r[TXT];
    bl_fr_int(r, sizeof r, tot);
    const char *cells[] = {BL_W_TOTAL, "", "", "", r};
    bl__table_row(&t, cells, NULL, BL_ROW_TOTAL);
    bl__table_end(&t);
    bl__para(d, BL_F_TINY, bl__grey, BL_W_REJECTS_DETAIL);
}

static void trend(bl__doc *d, const bl_model *m)
{
    const char *cats[12];
    char lab[12][16];
    double v[24];
    bool miss[24], part[24];
    int last = m->period.last;
    bl__twelve_months(m, last, cats, lab, v, miss, part);
    char n0[32], n1[32];
    if (m->period.kind == BL_PERIOD_YEAR) {
        snprintf(n0, sizeof n0, "%d", bl_month_year(last));
        snprintf(n1, sizeof n1, "%d", bl_month_year(last) - 1);
    } else {
        snprintf(n0, sizeof n0, BL_W_LAST_12_MONTHS);
        snprintf(n1, sizeof n1, BL_W_PREVIOUS_12_MONTHS);
    }
    const char *names[] = {n0, n1};
    bl__heading(d, BL_W_NETWORK_BY_MONTH, 0, 150);
    bl__chart_lines(d, BL_MARGIN, d->y, BL_CONTENT_W, 140, cats, 12, v, miss, part, 2, names);
    d->y += 146;
}

/* A resource in the annual tables: one with data in the window (listed),
 * or one the network paid for in the period even without any: its cost is
 * in the « Coût des ressources » card and the tables' totals, so it has its
 * row (consultations « — »). Until 3 December 2026 such a resource was
 * costed but not shown, and the total of the costs was not the sum of its
 * rows. */
static bool annuel_shown(const bl_model *m, const bl_model_resource *x)
{
    return bl__resource_listed(x) || cost_cents(m, x) > 0;
}

/* The figures the sections of the annual report share. */
typedef struct annuel {
    int year;
    int64_t pop, part;     /* population, participations (cents) */
    int64_t cost, covered; /* the resources' cost, and that of the months with data */
    bool partial_cost;     /* some months have no data: covered < cost */
    bool partial_rows;     /* some shown resource lacks a month over (its row is grey) */
    bl_model_total all, prev_all;
    bl_model_change ch;  /* against the year before, "à périmètre égal" */
    char hy[16], hp[64]; /* the year and the reference, as column heads */
} annuel;

static annuel annuel_figures(const bl_model *m)
{
    annuel y;
    memset(&y, 0, sizeof y);
    y.year = bl_month_year(m->period.first);
    y.pop = total_population(m), y.part = total_participation(m);
    for (size_t r = 0; r < m->n_resources; r++) {
        y.cost = bl_model_add(y.cost, cost_cents(m, &m->resources[r]));
        y.covered = bl_model_add(y.covered, covered_cents(m, &m->resources[r]));
    }
    y.partial_cost = y.covered != y.cost;
    for (size_t r = 0; r < m->n_resources; r++)
        y.partial_rows = y.partial_rows ||
                         (annuel_shown(m, &m->resources[r]) &&
                          bl_model_missing(m, &m->resources[r], m->period.first, m->period.last));
    y.all = bl_model_total_of(m, m->period.first, m->period.last);
    y.prev_all = bl_model_base_total(m, m->period.first, m->period.last, 12);
    y.ch = bl_model_compare(m, m->period.first, m->period.last, period_len(m));
    snprintf(y.hy, sizeof y.hy, "%d", y.year);
    char hb[16], span[64];
    snprintf(hb, sizeof hb, "%d", y.year - 1);
    snprintf(y.hp, sizeof y.hp, "%s",
             bl__base_head(span, sizeof span, m, hb, m->period.first, m->period.last, 12));
    return y;
}

/* Title, key figures and their footnotes. */
static void annuel_headline(bl__doc *d, const bl_model *m, const annuel *y)
{
    char sub[256], p[TXT], np[16];
    bl_fr_int(p, sizeof p, y->pop);
    snprintf(np, sizeof np, "%zu", m->n_partners);
    snprintf(sub, sizeof sub, BL_W_ANNUEL_SUBTITLE, m->period_label, np,
             m->n_partners > 1 ? BL_W_PLURAL : "", p, bl__w_inhabitants(y->pop));
    bl__title_block(d, m, BL_W_ANNUEL_OVERLINE, BL_W_NETWORK_TITLE, sub);
    bl__heading(d, BL_W_KEY_FIGURES, 0, 130);
    char f0[TXT], f1[TXT], f2[TXT], f3[TXT], s1[128];
    bl__total_text(f0, sizeof f0, y->all);
    bl__change_text(f1, sizeof f1, &y->ch);
    bl__base_line(s1, sizeof s1, m->prev_label, &y->ch);
    if (y->all.has)
        bl__per_1000(f2, sizeof f2, y->all.v, y->pop);
    else
        snprintf(f2, sizeof f2, BL_W_NONE);
    per_consult(f3, sizeof f3, y->covered, y->all.v);
    bl__card c1[4] = {
        {BL_W_CONSULTATIONS, f0, m->period_label},
        {BL_W_ANNUEL_CHANGE, f1, s1},
        {BL_W_PER_1000, f2, BL_W_CONSULTATIONS_OVER_YEAR},
        {BL_W_COST_PER_CONSULTATION, f3, y->partial_cost ? BL_W_COST_COVERED : BL_W_COST_ALL}};
    bl__cards(d, c1, 4);
    char g0[TXT], g1[TXT], g2[TXT], t0[64];
    bl_fr_money(g0, sizeof g0, y->part);
    bl_fr_money(g1, sizeof g1, y->cost);
    snprintf(t0, sizeof t0, BL_W_PARTNERS_PARTICIPATION, y->year);
    if (m->has_users && m->users_masked)
        snprintf(g2, sizeof g2, BL_W_USERS_HIDDEN);
    else if (m->has_users)
        bl__users_text(g2, sizeof g2, m->users);
    else
        snprintf(g2, sizeof g2, BL_W_NONE);
    bl__card c2[3] = {{BL_W_PARTICIPATIONS, g0, t0},
                      {BL_W_RESOURCES_COST, g1, BL_W_ANNUAL_SUBSCRIPTIONS},
                      {BL_W_ACTIVE_USERS, g2,
                       m->has_users && m->users_masked ? BL_W_USERS_MASKED_NETWORK
                       : m->has_users                  ? BL_W_USERS_ESTIMATED
                       : m->users_lost                 ? BL_W_USERS_LOST
                                                       : BL_W_USERS_NONE}};
    bl__cards(d, c2, 3);
    if (y->ch.excluded && y->ch.comparable)
        bl__para(d, BL_F_TINY, bl__grey, BL_W_EXCLUDED_NOTE_YEARS);
    if (y->all.partial || y->prev_all.partial) {
        /* The previous year's months only when its figures are marked: a
         * year without any data is « — » and « pas de données », not a list
         * of its twelve months (until 3 December 2026 the note of 2025
         * said « janvier 2024 à avril 2025 »). */
        bool mask[BL_WINDOW] = {false};
        if (y->prev_all.partial)
            bl__mask_range(m, mask, m->period.first - 12,
                           bl_model_compared_last(m, m->period.last) - 12);
        bl__mask_range(m, mask, m->period.first, m->period.last);
        bl__partial_note(d, m, mask);
    }
    bl__running_note(d, m);
    if (y->partial_cost)
        bl__para(d, BL_F_TINY, bl__grey, y->partial_rows ? BL_W_COST_NOTE : BL_W_COST_NOTE_RUNNING);
}

/* The table by resource; returns the period's total over the listed
 * resources (the base of the shares by kind). */
static int64_t annuel_by_resource(bl__doc *d, const bl_model *m, const annuel *y)
{
    bl__heading(d, BL_W_BY_RESOURCE_SHORT, 0, 60);
    bl__col rc[] = {{BL_W_COL_RESOURCE, 140, BL_LEFT},
                    {BL_W_COL_KIND, 80, BL_LEFT},
                    {y->hy, 55, BL_RIGHT},
                    {y->hp, 55, BL_RIGHT},
                    {BL_W_CHANGE, 50, BL_RIGHT},
                    {BL_W_COL_ANNUAL_COST, 62, BL_RIGHT},
                    {BL_W_COST_PER_CONSULTATION, 63, BL_RIGHT}};
    bl__table t;
    bl__table_begin_font(&t, d, BL_W_BY_RESOURCE_SHORT, rc, 7, BL_F_SMALL);
    int64_t tn = 0;
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!annuel_shown(m, x))
            continue;
        char c[5][TXT];
        int64_t a = bl__res_sum_text(c[0], TXT, m, x, m->period.first, m->period.last);
        bl__res_base_text(c[1], TXT, m, x, m->period.first, m->period.last, 12);
        bl_model_change rch = bl__resource_compare(m, x, m->period.first, m->period.last, 12);
        bl__change_text(c[2], TXT, &rch);
        bl_fr_money_euros(c[3], TXT, cost_cents(m, x));
        per_consult(c[4], TXT, covered_cents(m, x), a);
        tn = bl_model_add(tn, a);
        char lab[160];
        const char *cells[] = {bl__resource_label(lab, sizeof lab, x),
                               bl__kind_fr(x->kind),
                               c[0],
                               c[1],
                               c[2],
                               c[3],
                               c[4]};
        bl__table_row(&t, cells, NULL,
                      bl_model_missing(m, x, m->period.first, m->period.last) ? BL_ROW_MUTED : 0);
    }
    char c[5][TXT];
    bl__total_text(c[0], TXT, y->all);
    bl__total_text(c[1], TXT, y->prev_all);
    bl__change_text(c[2], TXT, &y->ch);
    bl_fr_money_euros(c[3], TXT, y->cost);
    per_consult(c[4], TXT, y->covered, tn);
    const char *cells[] = {BL_W_TOTAL, "", c[0], c[1], c[2], c[3], c[4]};
    bl__table_row(&t, cells, NULL, BL_ROW_TOTAL);
    bl__table_end(&t);
    return tn;
}

/* The table by kind of resource; tn: the total of annuel_by_resource. */
static void annuel_by_kind(bl__doc *d, const bl_model *m, const annuel *y, int64_t tn)
{
    bl__heading(d, BL_W_BY_KIND, 0, 60);
    bl__col kc[] = {{BL_W_COL_KIND, 160, BL_LEFT},
                    {y->hy, 80, BL_RIGHT},
                    {y->hp, 80, BL_RIGHT},
                    {BL_W_COL_SHARE, 70, BL_RIGHT},
                    {BL_W_COL_ANNUAL_COST, 80, BL_RIGHT}};
    bl__table t;
    bl__table_begin_font(&t, d, BL_W_BY_KIND, kc, 5, BL_F_SMALL);
    for (size_t k = 0; k < bl__kind_count(); k++) {
        const char *kind = bl__kind_id(k);
        int64_t a = 0, pb = 0, kcost = 0;
        bool any = false;
        int hnow = 0, hprev = 0, mnow = 0, mprev = 0, nres = 0;
        int first = m->period.first, last = m->period.last;
        int bfirst = first - 12, blast = bl_model_compared_last(m, last) - 12; /* the reference */
        for (size_t r = 0; r < m->n_resources; r++) {
            const bl_model_resource *x = &m->resources[r];
            if (strcmp(x->kind, kind) != 0 || !annuel_shown(m, x))
                continue;
            any = true;
            kcost = bl_model_add(kcost, cost_cents(m, x));
            /* A resource without any data counts in the cost alone (its
             * absence is said in the table by resource and the annex). */
            if (!bl__resource_listed(x))
                continue;
            nres++;
            int hn, hb;
            a = bl_model_add(a, bl_model_sum(m, x, first, last, &hn));
            pb = bl_model_add(pb, bl_model_sum(m, x, bfirst, blast, &hb));
            hnow += hn;
            hprev += hb;
            mnow += bl_model_missing(m, x, first, last);
            mprev += bl_model_missing(m, x, bfirst, blast);
        }
        if (!any)
            continue;
        char kk[5][TXT];
        bl__sum_text(kk[0], TXT, a, hnow, mnow);
        bl__sum_text(kk[1], TXT, pb, hprev, mprev);
        int64_t share = tn > 0 ? (a * 1000 + tn / 2) / tn : 0;
        if (nres)
            bl_fr_percent(kk[2], TXT, share);
        else
            snprintf(kk[2], TXT, BL_W_NONE); /* no data: no share */
        bl_fr_money_euros(kk[3], TXT, kcost);
        const char *kcells[] = {bl__kind_fr(kind), kk[0], kk[1], kk[2], kk[3]};
        bl__table_row(&t, kcells, NULL, 0);
    }
    bl__table_end(&t);
}

/* The table by partner, with each one's share of the cost. */
static void annuel_by_partner(bl__doc *d, const bl_model *m, const annuel *y)
{
    bl__heading(d, BL_W_BY_PARTNER, 0, 60);
    bl__col pc[] = {{BL_W_COL_PARTNER, 150, BL_LEFT},
                    {BL_W_COL_POPULATION, 55, BL_RIGHT},
                    {BL_W_COL_PARTICIPATION, 66, BL_RIGHT},
                    {BL_W_CONSULTATIONS, 58, BL_RIGHT},
                    {BL_W_PER_1000, 52, BL_RIGHT},
                    {BL_W_COL_COST_SHARE, 58, BL_RIGHT},
                    {BL_W_COST_PER_CONSULTATION, 63, BL_RIGHT}};
    bl__table t;
    bl__table_begin_font(&t, d, BL_W_BY_PARTNER, pc, 7, BL_F_SMALL);
    for (size_t i = 0; i < m->n_partners; i++) {
        const bl_model_partner *x = &m->partners[i];
        /* The partner's share of the resources' cost, in proportion to its
         * participation (docs/reports.md). */
        int64_t share = prorata(y->cost, x->participation_cents, y->part);
        int64_t share_cov = prorata(y->covered, x->participation_cents, y->part);
        char pcs[6][TXT];
        bl_fr_int(pcs[0], TXT, x->population);
        if (x->participation_cents >= 0)
            bl_fr_money(pcs[1], TXT, x->participation_cents);
        else
            snprintf(pcs[1], TXT, BL_W_NONE);
        /* A partner's figure misses what its resources miss for it. */
        bl_model_total pt = bl__partner_total(m, x);
        bl__total_text(pcs[2], TXT, pt);
        if (y->all.has)
            bl__per_1000(pcs[3], TXT, x->total, x->population);
        else
            snprintf(pcs[3], TXT, BL_W_NONE);
        bl_fr_money_euros(pcs[4], TXT, share);
        if (x->participation_cents > 0)
            per_consult(pcs[5], TXT, share_cov, x->total);
        else
            snprintf(pcs[5], TXT, BL_W_NONE); /* pays nothing: no cost to divide */
        char plab[160];
        const char *pcells[] = {bl__partner_label(plab, sizeof plab, x),
                                pcs[0],
                                pcs[1],
                                pcs[2],
                                pcs[3],
                                pcs[4],
                                pcs[5]};
        bl__table_row(&t, pcells, NULL, 0);
    }
    char pt[6][TXT];
    bl_fr_int(pt[0], TXT, y->pop);
    bl_fr_money(pt[1], TXT, y->part);
    int64_t attributed = 0;
    for (size_t i = 0; i < m->n_partners; i++)
        attributed = bl_model_add(attributed, m->partners[i].total);
    bl_model_total at = {attributed, y->all.has, y->all.partial};
    bl__total_text(pt[2], TXT, at);
    if (y->all.has)
        bl__per_1000(pt[3], TXT, attributed, y->pop);
    else
        snprintf(pt[3], TXT, BL_W_NONE);
    bl_fr_money_euros(pt[4], TXT, y->cost);
    per_consult(pt[5], TXT, y->covered, attributed);
    const char *ptc[] = {BL_W_TOTAL, pt[0], pt[1], pt[2], pt[3], pt[4], pt[5]};
    bl__table_row(&t, ptc, NULL, BL_ROW_TOTAL);
    bl__table_end(&t);
    bl__para(d, BL_F_TINY, bl__grey, BL_W_COST_SHARE_NOTE);
}

static void draw_annuel(bl__doc *d, const bl_model *m)
{
    annuel y = annuel_figures(m);
    annuel_headline(d, m, &y);
    int64_t tn = annuel_by_resource(d, m, &y);
    bl__estimate_notes(d, m);
    annuel_by_kind(d, m, &y, tn);
    annuel_by_partner(d, m, &y);
    trend(d, m);
    gauges(d, m, false);
    bl__heading(d, BL_W_ANNEX_QUALITY, 0, 60);
    gaps(d, m, m->period.first, m->period.last, BL_W_NO_DATA_MONTHS);
    unattributed(d, m, 15);
    rejects(d, m);
}

static void heat_tables(bl__doc *d, const bl_model *m)
{
    /* At most 7 resources per table so that figures stay legible; more
     * resources continue in a second table. */
    size_t idx[64];
    size_t n = 0;
    bl_model_total all = bl_model_total_of(m, m->period.first, m->period.last);
    for (size_t r = 0; r < m->n_resources && n < 64; r++)
        if (bl__resource_listed(&m->resources[r]))
            idx[n++] = r;
    int64_t max = 0;
    for (size_t i = 0; i < m->n_partners; i++)
        for (size_t k = 0; k < n; k++)
            if (m->partners[i].cells[idx[k]] > max)
                max = m->partners[i].cells[idx[k]];
    for (size_t start = 0; start < n || start == 0; start += 7) {
        size_t cnt = n - start < 7 ? n - start : 7;
        bool last = start + cnt >= n;
        int ncols = (int)cnt + 1 + (last ? 1 : 0);
        bl__col cols[9];
        double tw = last ? 60 : 0;
        double cw = cnt ? (BL_CONTENT_W - 130 - tw) / (double)cnt : 0;
        if (cw > 70)
            cw = 70;
        /* The partner's name takes what the figures leave. */
        double pw = BL_CONTENT_W - tw - cw * (double)cnt;
        cols[0] = (bl__col){BL_W_COL_PARTNER, pw, BL_LEFT};
        char rlab[7][160];
        for (size_t k = 0; k < cnt; k++)
            cols[k + 1] = (bl__col){
                bl__resource_label(rlab[k], sizeof rlab[k], &m->resources[idx[start + k]]), cw,
                BL_RIGHT};
        if (last)
            cols[cnt + 1] = (bl__col){BL_W_TOTAL, tw, BL_RIGHT};
        bl__table t;
        bl__table_begin_font(&t, d, BL_W_BY_PARTNER_AND_RESOURCE, cols, ncols, BL_F_SMALL);
        int64_t tot[9] = {0};
        for (size_t i = 0; i < m->n_partners; i++) {
            const bl_model_partner *p = &m->partners[i];
            char c[9][TXT];
            const char *cells[9];
            double heat[9];
            char plab[160];
            cells[0] = bl__partner_label(plab, sizeof plab, p);
            heat[0] = -1;
            for (size_t k = 0; k < cnt; k++) {
                size_t r = idx[start + k];
                int64_t v = p->cells[r];
                /* The partner's own data: a resource it gets only through
                 * other libraries' own reports is "—", and one of its
                 * libraries' reports missing makes its cell partial. */
                if (p->n_has[r] == 0) {
                    /* No data for the period: not a zero. */
                    snprintf(c[k + 1], TXT, BL_W_NONE);
                    heat[k + 1] = -1;
                } else {
                    bl__sum_text(c[k + 1], TXT, v, p->n_has[r], p->n_missing[r]);
                    heat[k + 1] = max > 0 ? (double)v / (double)max : 0;
                }
                cells[k + 1] = c[k + 1];
                tot[k + 1] = bl_model_add(tot[k + 1], v);
            }
            if (last) {
                bl_model_total pt = bl__partner_total(m, p);
                bl__total_text(c[cnt + 1], TXT, pt);
                cells[cnt + 1] = c[cnt + 1];
                heat[cnt + 1] = -1;
                tot[cnt + 1] = bl_model_add(tot[cnt + 1], p->total);
            }
            bl__table_row(&t, cells, heat, 0);
        }
        char c[9][TXT];
        const char *cells[9];
        cells[0] = BL_W_TOTAL;
        for (int k = 1; k < ncols; k++) {
            if ((size_t)k <= cnt) {
                const bl_model_resource *x = &m->resources[idx[start + (size_t)k - 1]];
                int nh;
                bl_model_sum(m, x, m->period.first, m->period.last, &nh);
                bl__sum_text(c[k], TXT, tot[k], nh,
                             bl_model_missing(m, x, m->period.first, m->period.last));
            } else {
                bl_model_total tt = {tot[k], all.has, all.partial};
                bl__total_text(c[k], TXT, tt);
            }
            cells[k] = c[k];
        }
        bl__table_row(&t, cells, NULL, BL_ROW_TOTAL);
        bl__table_end(&t);
        if (n == 0)
            break;
    }
    bl__para(d, BL_F_TINY, bl__grey, BL_W_HEAT_NOTE);
}

static void draw_reseau(bl__doc *d, const bl_model *m)
{
    char sub[256];
    snprintf(sub, sizeof sub, BL_W_RESEAU_SUBTITLE, m->period_label, m->n_partners,
             m->n_partners > 1 ? BL_W_PLURAL : "", m->n_resources,
             m->n_resources > 1 ? BL_W_PLURAL : "");
    bl__title_block(d, m, BL_W_RESEAU_OVERLINE, BL_W_NETWORK_TITLE, sub);
    int64_t rej = 0;
    bl_model_total all = bl_model_total_of(m, m->period.first, m->period.last);
    bl_model_change ch = bl_model_compare(m, m->period.first, m->period.last, period_len(m));
    bool excl = ch.comparable && ch.excluded;
    for (size_t i = 0; i < m->n_rejects; i++)
        rej = bl_model_add(rej, m->rejects[i].rejected);
    char f0[TXT], f1[TXT], f2[TXT], f3[TXT], s1[128], s2[128], pct[TXT];
    bl__total_text(f0, sizeof f0, all);
    bl__change_text(f1, sizeof f1, &ch);
    bl__base_line(s1, sizeof s1, m->prev_label, &ch);
    bl_fr_int(f2, sizeof f2, m->unattributed_total);
    int64_t denom = bl_model_add(all.v, m->unattributed_total);
    bl_fr_percent(pct, sizeof pct,
                  denom > 0 ? (m->unattributed_total * 1000 + denom / 2) / denom : 0);
    snprintf(s2, sizeof s2, BL_W_SHARE_OF_USE, pct);
    bl_fr_int(f3, sizeof f3, rej);
    bl__heading(d, BL_W_KEY_FIGURES, 0, 70);
    bool network_level = false;
    for (size_t r = 0; r < m->n_resources; r++)
        network_level = network_level || m->resources[r].network_level;
    bl__card c1[4] = {{BL_W_CONSULTATIONS, f0,
                       network_level ? BL_W_ATTRIBUTED_OR_NETWORK : BL_W_ATTRIBUTED_TO_PARTNER},
                      {BL_W_CHANGE, f1, s1},
                      {BL_W_UNATTRIBUTED_CARD, f2, s2},
                      {BL_W_REJECTED_LINES, f3, BL_W_FILES_OF_PERIOD}};
    bl__cards(d, c1, 4);
    if (excl)
        bl__para(d, BL_F_TINY, bl__grey, BL_W_EXCLUDED_NOTE_PERIODS);
    if (all.partial) {
        bool mask[BL_WINDOW] = {false};
        bl__mask_range(m, mask, m->period.first, m->period.last);
        bl__partial_note(d, m, mask);
    }
    bl__running_note(d, m);
    bl__heading(d, BL_W_PARTNERS_AND_RESOURCES, 0, 80);
    heat_tables(d, m);
    bl__estimate_notes(d, m);
    bl__heading(d, BL_W_DATA_QUALITY, 0, 60);
    int gfirst = m->period.first, glast = m->period.last;
    char gt[128];
    if (m->period.kind == BL_PERIOD_MONTH) {
        gfirst = glast - 11;
        snprintf(gt, sizeof gt, BL_W_NO_DATA_MONTHS_12, m->period_label);
    } else {
        snprintf(gt, sizeof gt, BL_W_NO_DATA_MONTHS_OF, m->period_label);
    }
    gaps(d, m, gfirst, glast, gt);
    unattributed(d, m, 40);
    ranges(d, m);
    rejects(d, m);
    gauges(d, m, true);
}

void bl__draw_network(bl__doc *d, const bl_model *m)
{
    if (m->kind == BL_REPORT_ANNUEL)
        draw_annuel(d, m);
    else
        draw_reseau(d, m);
}
