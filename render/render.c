/* The render layer's entry point: picks the layout of a model's kind,
 * draws it into a document and writes the PDF; reads a PDF's fingerprint
 * back. It only dispatches: what the layouts share is in layout_common.c
 * and figure_text.c, their wording in wording.h. */
#include "render_internal.h"
#include "bilan/i18n.h"

#include <stdio.h>
#include <string.h>

char *bl_report_stem(char *out, size_t n, const char *partner_id, const char *kind)
{
    /* An id that is not a plain name could lead out of the folder
     * ("../../x") or meet another's: no file name for it. */
    if ((partner_id && !bl_id_valid(partner_id)) || !bl_id_valid(kind))
        return NULL;
    int w = snprintf(out, n, "%s-%s", partner_id ? partner_id : "reseau", kind);
    return w > 0 && (size_t)w < n ? out : NULL;
}

char *bl_render_file_name(char *out, size_t n, const bl_model *m)
{
    /* A model with a partner is that partner's report, the annual one
     * included (issue 15); the network-wide ones have none. */
    bool network = !m->partner;
    char stem[160];
    if (!bl_report_stem(stem, sizeof stem, network ? NULL : m->partner->id,
                        bl_report_kind_name(m->kind)))
        return NULL;
    int w = snprintf(out, n, "%s/%s.pdf", m->period.id, stem);
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
    char footer[256], title[256], subject[256], keywords[128], fp[65];
    const char *who = m->partner ? m->partner->name : bl_render_network_name(m->network_name);
    const char *what = bl__w_report_title(m->kind);
    /* « provisoire » on every page: the footer is drawn on each. */
    const char *prov = m->provisional ? BL_W_FOOTER_PROVISIONAL : "";
    snprintf(footer, sizeof footer, BL_W_FOOTER, what, who, m->period_label, prov);
    snprintf(title, sizeof title, BL_W_PDF_TITLE, what, who, m->period_label,
             m->provisional ? BL_W_PROVISIONAL_PAREN : "");
    snprintf(subject, sizeof subject, BL_W_PDF_SUBJECT, m->period_label);
    /* What the PDF shows, as a fingerprint in its metadata: `bilan mail`
     * re-renders an attachment whose figures are no longer the store's. */
    if (bl_model_fingerprint(m, fp) != BL_OK) {
        snprintf(err, errlen, _("out of memory while drawing '%s'"), path);
        return BL_NOMEM;
    }
    snprintf(keywords, sizeof keywords, FP_TAG "%s", fp);
    bl__doc d;
    bl_status rc = bl__doc_init(&d, footer);
    if (rc != BL_OK) {
        snprintf(err, errlen, _("cannot start drawing '%s'"), path);
        bl__doc_release(&d);
        return rc;
    }
    if (m->partner)
        bl__draw_partner(&d, m);
    else
        bl__draw_network(&d, m);
    rc = bl__doc_finish(&d, path, title, subject, keywords, created_epoch, err, errlen);
    bl__doc_release(&d);
    return rc;
}
