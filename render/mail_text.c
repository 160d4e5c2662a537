/* The French text of a partner's report email: its subject and its body,
 * from the figures of the report's own model (bl_mail_summary, read by
 * bl_mail_summary_from_model through bl_model_compare, like the PDF's
 * cards). Wording in render/wording.h. */
#include "render_internal.h"

#include "bilan/mailing.h"

#include <stdio.h>
#include <string.h>

static int months_of(const bl_period *p)
{
    return p->last - p->first + 1;
}

char *bl_render_mail_subject(char *out, size_t n, const struct bl_mail_summary *s)
{
    if (s->network_name[0])
        snprintf(out, n, BL_W_MAIL_SUBJECT_NETWORK, s->period_label,
                 s->provisional ? BL_W_PROVISIONAL_PAREN : "", s->partner_name, s->network_name);
    else
        snprintf(out, n, BL_W_MAIL_SUBJECT, s->period_label,
                 s->provisional ? BL_W_PROVISIONAL_PAREN : "", s->partner_name);
    return out;
}

/* The change against the previous period: a figure, or why there is
 * none. Nothing at all when the period itself has no data. */
static bl_status change_line(bl_buf *b, const bl_mail_summary *s)
{
    char n1[48], n2[48];
    const char *vs = bl__w_versus_period(months_of(&s->previous));
    const char *prev = s->previous_label;
    const char *in = bl__w_in_period(months_of(&s->previous));
    if (s->running_months < 0)
        return s->has_data ? bl_buf_printf(b, BL_W_MAIL_CHANGE_RUNNING) : BL_OK;
    if (s->running_months > 0) {
        vs = s->running_months == 1 ? BL_W_MAIL_VERSUS_MONTH : BL_W_MAIL_VERSUS_MONTHS;
        in = s->running_months == 1 ? BL_W_MAIL_IN_MONTH : BL_W_MAIL_IN_MONTHS;
    }
    if (s->has_change)
        return bl_buf_printf(b, BL_W_MAIL_CHANGE, vs, prev,
                             bl_fr_change(n1, sizeof n1, s->change_tenths),
                             bl_fr_int(n2, sizeof n2, s->previous_consultations),
                             s->excluded ? BL_W_MAIL_SAME_PERIMETER : "");
    if (s->has_data && s->comparable) /* comparable, against a base of 0 */
        return bl_buf_printf(b, BL_W_MAIL_CHANGE_ZERO_BASE, vs, prev, in, prev);
    if (s->has_data && s->has_previous)
        return bl_buf_printf(b, BL_W_MAIL_CHANGE_INCOMPLETE, vs, prev);
    if (s->has_data)
        return bl_buf_printf(b, BL_W_MAIL_CHANGE_NO_DATA, vs, prev);
    return BL_OK;
}

/* What a partial total lacks, as the PDF's † note says it, when it is
 * short enough for a line of the email; else the pointer to the report. */
static bl_status partial_text(bl_buf *out, const bl_model *m)
{
    bl_buf items = BL_BUF_INIT(1u << 20);
    int n = 0;
    bool mask[BL_WINDOW] = {false};
    bl_status rc = BL_OK;
    if (m) {
        bl__mask_range(m, mask, m->period.first, m->period.last);
        rc = bl__partial_items(&items, m, mask, &n);
    }
    if (rc == BL_OK)
        rc = n && items.len <= 400
                 ? bl_buf_printf(out, BL_W_MAIL_PARTIAL_ITEMS, bl_buf_cstr(&items))
                 : bl_buf_puts(out, BL_W_MAIL_PARTIAL);
    bl_buf_release(&items);
    return rc;
}

bl_status bl_render_mail_body(bl_buf *b, const struct bl_mail_summary *s, const bl_model *m,
                              bl_report_kind kind, const char *signature)
{
    char n1[48], of[320];
    const char *in = bl__w_in_period(months_of(&s->period));
    bl_render_partner_of(of, sizeof of, s->partner_name, s->partner_kind, s->partner_article);
    bl_status rc = bl_buf_printf(b, BL_W_MAIL_OPENING, bl__w_report_adjective(kind), of,
                                 bl__w_for_period(months_of(&s->period)), s->period_label);
    if (rc == BL_OK && s->provisional)
        rc = bl_buf_printf(b, BL_W_MAIL_PROVISIONAL);
    if (rc != BL_OK)
        return rc;
    if (s->has_data) {
        bl_buf partial = BL_BUF_INIT(1u << 16);
        if (s->partial)
            rc = partial_text(&partial, m);
        if (rc == BL_OK)
            rc = bl_buf_printf(b, BL_W_MAIL_CONSULTATIONS, in, s->period_label,
                               bl_fr_int(n1, sizeof n1, s->consultations), bl_buf_cstr(&partial));
        bl_buf_release(&partial);
    } else
        rc = bl_buf_printf(b, BL_W_MAIL_NO_DATA, in, s->period_label);
    if (rc == BL_OK)
        rc = change_line(b, s);
    if (rc != BL_OK)
        return rc;
    /* In its unit when it is counted in one of bilan's own metrics, as the
     * PDF labels it (until 3 December 2026 sessions were "consultations"). */
    const char *unit = bl__metric_fr_n(s->top_metric, s->top_consultations, s->top_kind);
    if (s->top_resource[0] && unit)
        rc = bl_buf_printf(b, BL_W_MAIL_TOP_RESOURCE_UNIT, s->top_resource,
                           bl_fr_int(n1, sizeof n1, s->top_consultations), unit);
    else if (s->top_resource[0])
        rc = bl_buf_printf(b, BL_W_MAIL_TOP_RESOURCE, s->top_resource,
                           bl_fr_int(n1, sizeof n1, s->top_consultations),
                           s->top_consultations > 1 ? BL_W_PLURAL : "");
    if (rc == BL_OK && s->estimated[0])
        rc = bl_buf_printf(b, BL_W_MAIL_ESTIMATED, s->estimated);
    for (size_t i = 0; i < s->n_forfait_lines && rc == BL_OK; i++)
        rc = bl_buf_printf(b, BL_W_MAIL_FORFAIT_LINE, s->forfait_lines[i]);
    if (rc == BL_OK)
        rc = bl_buf_printf(b, BL_W_MAIL_CLOSING, signature);
    if (rc == BL_OK && s->network_name[0] && strcmp(s->network_name, signature) != 0)
        rc = bl_buf_printf(b, BL_W_MAIL_NETWORK_LINE, s->network_name);
    char contact[640];
    if (rc == BL_OK &&
        *bl_render_network_contact(contact, sizeof contact, s->network_email, s->network_website))
        rc = bl_buf_printf(b, BL_W_MAIL_NETWORK_LINE, contact);
    return rc;
}
