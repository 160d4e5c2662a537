/* The render layer's entry point: picks the layout of a model's kind,
 * draws it into a document and writes the PDF; and the small French
 * helpers the layouts share. */
#include "render_internal.h"

#include <stdio.h>
#include <string.h>

char *bl__change(char *out, size_t n, int64_t now, int64_t base)
{
    int64_t t;
    if (!bl_change_tenths(now, base, &t)) {
        /* A change against nothing is not significant (DESIGN §8). */
        snprintf(out, n, "n.s.");
        return out;
    }
    return bl_fr_change(out, n, t);
}

char *bl__per_1000(char *out, size_t n, int64_t v, int64_t population)
{
    if (population <= 0) {
        snprintf(out, n, "—");
        return out;
    }
    /* Tenths of a consultation per 1 000 inhabitants, rounded half up. */
    int64_t tenths = (v * 10000 + population / 2) / population;
    return bl_fr_decimal(out, n, tenths, 1);
}

const char *bl__month_abbr(int m)
{
    static const char *const a[] = {"janv.", "févr.", "mars",  "avr.", "mai",  "juin",
                                    "juil.", "août",  "sept.", "oct.", "nov.", "déc."};
    return m >= 1 && m <= 12 ? a[m - 1] : "?";
}

char *bl_render_file_name(char *out, size_t n, const bl_model *m)
{
    snprintf(out, n, "%s/%s-%s.pdf", m->period.id,
             bl_report_kind_network(m->kind) || !m->partner ? "reseau" : m->partner->id,
             bl_report_kind_name(m->kind));
    return out;
}

bl_status bl_render_pdf(const bl_model *m, const char *path, int64_t created_epoch, char *err,
                        size_t errlen)
{
    static const char *const titles[] = {"Bilan mensuel", "Bilan semestriel", "Bilan annuel",
                                         "Revue du réseau"};
    char footer[256], title[256], subject[256];
    const char *who = m->partner ? m->partner->name : "Réseau départemental";
    snprintf(footer, sizeof footer, "%s · %s · %s", titles[m->kind], who, m->period_label);
    snprintf(title, sizeof title, "%s — %s — %s", titles[m->kind], who, m->period_label);
    snprintf(subject, sizeof subject, "Usage des ressources numériques des bibliothèques, %s",
             m->period_label);
    bl__doc d;
    bl_status rc = bl__doc_init(&d, footer);
    if (rc != BL_OK) {
        snprintf(err, errlen, "cannot start drawing '%s'", path);
        bl__doc_release(&d);
        return rc;
    }
    if (m->partner && !bl_report_kind_network(m->kind))
        bl__draw_partner(&d, m);
    else
        bl__draw_network(&d, m);
    rc = bl__doc_finish(&d, path, title, subject, created_epoch, err, errlen);
    bl__doc_release(&d);
    return rc;
}
