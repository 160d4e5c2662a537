/* The few figures a partner's email leads with (include/bilan/mailing.h),
 * read from the report's own model so that the body and the attached PDF
 * say the same thing: the same totals and the same comparison "à
 * périmètre égal" (aggregate/figures.c). */
#include "bilan/mailing.h"
#include "bilan/model.h"

#include <stdio.h>
#include <string.h>

void bl_mail_summary_from_model(const bl_model *m, bl_mail_summary *out)
{
    memset(out, 0, sizeof *out);
    out->period = m->period;
    bl_period prev = bl_period_previous(&m->period);
    out->previous = prev;
    bl_period_label(out->period_label, sizeof out->period_label, &out->period);
    bl_period_label(out->previous_label, sizeof out->previous_label, &out->previous);
    out->provisional = m->provisional;
    if (m->partner)
        snprintf(out->partner_name, sizeof out->partner_name, "%s", m->partner->name);
    if (m->partner) {
        snprintf(out->partner_kind, sizeof out->partner_kind, "%s", m->partner->kind);
        snprintf(out->partner_article, sizeof out->partner_article, "%s",
                 m->partner->article ? m->partner->article : "");
    }
    if (m->network_name)
        snprintf(out->network_name, sizeof out->network_name, "%s", m->network_name);
    if (m->network_email)
        snprintf(out->network_email, sizeof out->network_email, "%s", m->network_email);
    if (m->network_website)
        snprintf(out->network_website, sizeof out->network_website, "%s", m->network_website);
    int first = m->period.first, last = m->period.last, len = last - first + 1;
    bl_model_total now = bl_model_total_of(m, first, last);
    bl_model_total before = bl_model_base_total(m, first, last, len);
    out->has_data = now.has;
    out->partial = now.partial;
    out->consultations = now.v;
    out->has_previous = before.has;
    /* The PDF's "Sur un mois" / "Sur un semestre" card. */
    bl_model_change c = bl_model_compare(m, first, last, len);
    out->comparable = c.comparable;
    out->excluded = c.excluded;
    out->has_change = c.has_change;
    out->change_tenths = c.tenths;
    out->previous_consultations = c.base;
    if (c.running && c.last < c.first)
        out->running_months = -1;
    else if (c.running) {
        out->running_months = c.last - c.first + 1;
        bl_fr_span(out->previous_label, sizeof out->previous_label, c.first - len, c.last - len);
    }
    /* The most consulted resource of the period (ties: the model's order,
     * by name). */
    for (size_t r = 0; r < m->n_resources; r++) {
        int nh;
        int64_t v = bl_model_sum(m, &m->resources[r], first, last, &nh);
        if (nh > 0 && v > 0 && v > out->top_consultations) {
            snprintf(out->top_resource, sizeof out->top_resource, "%s", m->resources[r].name);
            snprintf(out->top_metric, sizeof out->top_metric, "%s",
                     m->resources[r].metric ? m->resources[r].metric : "");
            snprintf(out->top_kind, sizeof out->top_kind, "%s",
                     m->resources[r].kind ? m->resources[r].kind : "");
            out->top_consultations = v;
        }
    }
    /* Estimated shares the PDF marks ‡ (docs/profiles.md). */
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        size_t used = strlen(out->estimated);
        if (x->shared && bl_model_sum(m, x, first, last, NULL) > 0)
            snprintf(out->estimated + used, sizeof out->estimated - used, "%s%s", used ? ", " : "",
                     x->name);
    }
    for (size_t i = 0; i < m->n_gauges && out->n_forfait_lines < BL_MAIL_MAX_FORFAIT_LINES; i++) {
        const bl_model_gauge *g = &m->gauges[i];
        if (g->status == BL_GAUGE_OK)
            continue;
        char pct[32];
        bl_fr_percent(pct, sizeof pct, g->percent_tenths);
        const char *sentence = g->sentence ? g->sentence : "";
        snprintf(out->forfait_lines[out->n_forfait_lines++], sizeof out->forfait_lines[0],
                 "Forfait %s (%s) : %s, %s des unités utilisées.%s%s", g->resource_name,
                 g->forfait_id, g->status == BL_GAUGE_EXHAUSTED ? "épuisé" : "en vigilance", pct,
                 sentence[0] ? " " : "", sentence);
    }
}
