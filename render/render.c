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
    int64_t scaled, tenths;
    if (population <= 0) {
        snprintf(out, n, "—");
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
        snprintf(out, n, "—");
        return out;
    }
    char v[48];
    bl_fr_int(v, sizeof v, t.v);
    snprintf(out, n, "%s%s", v, t.partial ? BL_NBSP BL_PARTIAL_MARK : "");
    return out;
}

char *bl__sum_text(char *out, size_t n, int64_t v, int n_has, int len)
{
    bl_model_total t = {v, n_has > 0, n_has > 0 && n_has < len};
    return bl__total_text(out, n, t);
}

char *bl__change_text(char *out, size_t n, const bl_model_change *c)
{
    if (!c->comparable) {
        /* No change is computed against missing data. */
        snprintf(out, n, "—");
        return out;
    }
    return bl__change(out, n, c->now, c->base);
}

void bl__mask_range(const bl_model *m, bool mask[BL_WINDOW], int first, int last)
{
    for (int mi = first; mi <= last; mi++) {
        int k = bl_model_slot(m, mi);
        if (k >= 0)
            mask[k] = true;
    }
}

void bl__partial_note(bl__doc *d, const bl_model *m, const bool mask[BL_WINDOW])
{
    char line[2048];
    size_t len = (size_t)snprintf(line, sizeof line,
                                  BL_PARTIAL_MARK " total partiel : données manquantes pour ");
    int listed = 0;
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl_model_listed(x))
            continue;
        char months[512] = "";
        size_t ml = 0;
        int nm = 0;
        for (int k = 0; k < BL_WINDOW; k++) {
            if (!mask[k] || x->has[k])
                continue;
            char lab[32];
            bl_fr_month(lab, sizeof lab, m->window_first + k);
            int w = snprintf(months + ml, sizeof months - ml, "%s%s", nm ? ", " : "", lab);
            if (w > 0 && (size_t)w < sizeof months - ml)
                ml += (size_t)w;
            nm++;
        }
        if (!nm)
            continue;
        int w = snprintf(line + len, sizeof line - len, "%s%s (%s)", listed ? " ; " : "", x->name,
                         months);
        if (w > 0 && (size_t)w < sizeof line - len)
            len += (size_t)w;
        listed++;
    }
    if (!listed)
        return;
    if (len + 2 < sizeof line)
        line[len++] = '.', line[len] = '\0';
    bl__para(d, BL_F_TINY, bl__grey, line);
}

const char *bl__month_abbr(int m)
{
    static const char *const a[] = {"janv.", "févr.", "mars",  "avr.", "mai",  "juin",
                                    "juil.", "août",  "sept.", "oct.", "nov.", "déc."};
    return m >= 1 && m <= 12 ? a[m - 1] : "?";
}

char *bl_render_file_name(char *out, size_t n, const bl_model *m)
{
    bool network = bl_report_kind_network(m->kind) || !m->partner;
    /* An id that is not a plain name could lead out of the folder
     * ("../../x"): no file name for it. */
    if (!network && !bl_id_valid(m->partner->id))
        return NULL;
    int w = snprintf(out, n, "%s/%s-%s.pdf", m->period.id, network ? "reseau" : m->partner->id,
                     bl_report_kind_name(m->kind));
    return w > 0 && (size_t)w < n ? out : NULL;
}

#define FP_TAG "bilan-fingerprint-"

bool bl_render_pdf_fingerprint(const char *pdf, size_t len, char hex[65])
{
    size_t tl = sizeof FP_TAG - 1;
    /* The tag is written in the Info dictionary, near the end of the file:
     * search from the end. */
    for (size_t i = len >= tl + 64 ? len - tl - 64 + 1 : 0; i-- > 0;) {
        if (memcmp(pdf + i, FP_TAG, tl) != 0)
            continue;
        const char *h = pdf + i + tl;
        for (int k = 0; k < 64; k++)
            if (!((h[k] >= '0' && h[k] <= '9') || (h[k] >= 'a' && h[k] <= 'f')))
                return false;
        memcpy(hex, h, 64);
        hex[64] = '\0';
        return true;
    }
    return false;
}

bl_status bl_render_pdf(const bl_model *m, const char *path, int64_t created_epoch, char *err,
                        size_t errlen)
{
    static const char *const titles[] = {"Bilan mensuel", "Bilan semestriel", "Bilan annuel",
                                         "Revue du réseau"};
    char footer[256], title[256], subject[256], keywords[128], fp[65];
    const char *who = m->partner ? m->partner->name : "Réseau départemental";
    /* « provisoire » on every page: the footer is drawn on each. */
    const char *prov = m->provisional ? " · PROVISOIRE" : "";
    snprintf(footer, sizeof footer, "%s · %s · %s%s", titles[m->kind], who, m->period_label, prov);
    snprintf(title, sizeof title, "%s — %s — %s%s", titles[m->kind], who, m->period_label,
             m->provisional ? " (provisoire)" : "");
    snprintf(subject, sizeof subject, "Usage des ressources numériques des bibliothèques, %s",
             m->period_label);
    /* What the PDF shows, as a fingerprint in its metadata: `bilan mail`
     * re-renders an attachment whose figures are no longer the store's. */
    if (bl_model_fingerprint(m, fp) != BL_OK) {
        snprintf(err, errlen, "out of memory while drawing '%s'", path);
        return BL_NOMEM;
    }
    snprintf(keywords, sizeof keywords, FP_TAG "%s", fp);
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
    rc = bl__doc_finish(&d, path, title, subject, keywords, created_epoch, err, errlen);
    bl__doc_release(&d);
    return rc;
}
