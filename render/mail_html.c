/* The HTML alternative of a partner's report email (bilan/render.h,
 * bl_render_mail_html): the plain-text body, paragraph by paragraph, so
 * that its key figures are the very same sentences, and after its list of
 * figures the PDF's table « Consultations par ressource », its cells
 * written by the PDF's own helpers. Inline styles only (mail clients drop
 * <style> blocks and block remote content), no image, everything escaped:
 * it reads the same in a client that shows no images. */
#include "render_internal.h"

#include <stdio.h>
#include <string.h>

#define TXT 64 /* a cell's text, as in report_partner.c */
#define TD "padding:4px 8px;border-bottom:1px solid #d0d7de;"
#define NUM TD "text-align:right;white-space:nowrap;"

static bl_status esc(bl_buf *b, const char *s, size_t n)
{
    bl_status rc = BL_OK;
    for (size_t i = 0; i < n && rc == BL_OK; i++) {
        char c = s[i];
        rc = c == '&'    ? bl_buf_puts(b, "&amp;")
             : c == '<'  ? bl_buf_puts(b, "&lt;")
             : c == '>'  ? bl_buf_puts(b, "&gt;")
             : c == '"'  ? bl_buf_puts(b, "&quot;")
             : c == '\'' ? bl_buf_puts(b, "&#39;")
                         : bl_buf_putc(b, c);
    }
    return rc;
}

static bl_status esc_s(bl_buf *b, const char *s)
{
    return esc(b, s, strlen(s));
}

static bl_status cell(bl_buf *b, const char *style, const char *text, bool head)
{
    bl_status rc = bl_buf_printf(b, "<%s style=\"%s%s\">", head ? "th" : "td", style,
                                 head ? "background:#eef2f6;" : "");
    if (rc == BL_OK)
        rc = esc_s(b, text);
    if (rc == BL_OK)
        rc = bl_buf_printf(b, "</%s>\n", head ? "th" : "td");
    return rc;
}

/* One row: label then ncells texts; total rows are bold. */
static bl_status row(bl_buf *b, const char *label, char (*c)[TXT], int ncells, bool total)
{
    bl_status rc = bl_buf_printf(b, "<tr%s>\n", total ? " style=\"font-weight:bold;\"" : "");
    if (rc == BL_OK)
        rc = cell(b, TD "text-align:left;", label, false);
    for (int k = 0; k < ncells && rc == BL_OK; k++)
        rc = cell(b, NUM, c[k], false);
    if (rc == BL_OK)
        rc = bl_buf_puts(b, "</tr>\n");
    return rc;
}

/* The PDF's table (report_partner.c, table_month / table_semester): the
 * same columns and the same cell texts. */
static bl_status table(bl_buf *b, const bl_model *m)
{
    bool month = m->period.first == m->period.last;
    int first = m->period.first, mi = m->period.last;
    int jan = bl_month_index(bl_month_year(mi), 1);
    char h[9][48];
    int ncols;
    if (month) {
        bl_fr_month(h[0], sizeof h[0], mi);
        bl_fr_month(h[1], sizeof h[1], mi - 1);
        bl_fr_month(h[2], sizeof h[2], mi - 12);
        if (mi == jan)
            snprintf(h[3], sizeof h[3], BL_W_YEAR_TO_JANUARY, bl_month_year(mi));
        else
            snprintf(h[3], sizeof h[3], BL_W_YEAR_TO_DATE, bl_month_year(mi),
                     bl__month_abbr(bl_month_num(mi)));
        ncols = 4;
    } else {
        for (int k = 0; k < 6; k++)
            snprintf(h[k], sizeof h[k], "%s", bl__month_abbr(bl_month_num(first + k)));
        snprintf(h[6], sizeof h[6], BL_W_SEMESTER_TOTAL);
        char hp[64];
        snprintf(h[7], sizeof h[7], "%s",
                 bl__base_head(hp, sizeof hp, m, m->prev_label, first, first + 5, 6));
        snprintf(h[8], sizeof h[8], BL_W_CHANGE);
        ncols = 9;
    }
    bl_status rc = bl_buf_printf(b,
                                 "<h2 style=\"font-size:17px;margin:24px 0 8px 0;color:#1f3a5f;\">"
                                 "%s</h2>\n"
                                 "<table role=\"presentation\" cellspacing=\"0\" cellpadding=\"0\""
                                 " style=\"border-collapse:collapse;font-size:14px;\">\n<tr>\n",
                                 BL_W_BY_RESOURCE);
    if (rc == BL_OK)
        rc = cell(b, TD "text-align:left;", BL_W_COL_RESOURCE, true);
    for (int k = 0; k < ncols && rc == BL_OK; k++)
        rc = cell(b, NUM, h[k], true);
    if (rc == BL_OK)
        rc = bl_buf_puts(b, "</tr>\n");
    for (size_t r = 0; r < m->n_resources && rc == BL_OK; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl__resource_listed(x))
            continue;
        char c[9][TXT], lab[160];
        if (month) {
            int months[3] = {mi, mi - 1, mi - 12};
            for (int k = 0; k < 3; k++)
                bl__res_sum_text(c[k], TXT, m, x, months[k], months[k]);
            bl__res_sum_text(c[3], TXT, m, x, jan, mi);
        } else {
            for (int k = 0; k < 6; k++)
                bl__res_sum_text(c[k], TXT, m, x, first + k, first + k);
            bl__res_sum_text(c[6], TXT, m, x, first, first + 5);
            bl__res_base_text(c[7], TXT, m, x, first, first + 5, 6);
            bl_model_change rch = bl__resource_compare(m, x, first, first + 5, 6);
            bl__change_text(c[8], TXT, &rch);
        }
        rc = row(b, bl__resource_label(lab, sizeof lab, x), c, ncols, false);
    }
    char c[9][TXT];
    if (month) {
        int months[3] = {mi, mi - 1, mi - 12};
        for (int k = 0; k < 3; k++)
            bl__total_text(c[k], TXT, bl_model_total_of(m, months[k], months[k]));
        bl__total_text(c[3], TXT, bl_model_total_of(m, jan, mi));
    } else {
        for (int k = 0; k < 6; k++)
            bl__total_text(c[k], TXT, bl_model_total_of(m, first + k, first + k));
        bl__total_text(c[6], TXT, bl_model_total_of(m, first, first + 5));
        bl__total_text(c[7], TXT, bl_model_base_total(m, first, first + 5, 6));
        bl_model_change ch = bl_model_compare(m, first, first + 5, 6);
        bl__change_text(c[8], TXT, &ch);
    }
    if (rc == BL_OK)
        rc = row(b, BL_W_TOTAL, c, ncols, true);
    if (rc == BL_OK)
        rc = bl_buf_puts(b, "</table>\n");
    return rc;
}

bl_status bl_render_mail_html(bl_buf *b, const char *text, const bl_model *m, const char *title)
{
    bl_status rc = bl_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n"
                                  "<meta charset=\"utf-8\">\n<title>");
    if (rc == BL_OK)
        rc = esc_s(b, title);
    if (rc == BL_OK)
        rc = bl_buf_puts(b, "</title>\n</head>\n"
                            "<body style=\"margin:0;padding:16px;background:#ffffff;\">\n"
                            "<div style=\"max-width:680px;font-family:Arial,Helvetica,sans-serif;"
                            "font-size:15px;line-height:1.45;color:#1a1a1a;\">\n");
    /* Blocks of the text: a run of "- " lines is a list, any other run of
     * lines a paragraph; blank lines separate them. */
    bool in_list = false, in_para = false, table_done = m == NULL;
    const char *s = text;
    bool lines = false; /* the paragraph's lines keep their breaks */
    while (*s && rc == BL_OK) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        bool blank = len == 0, item = len >= 2 && s[0] == '-' && s[1] == ' ';
        if (in_para && (blank || item)) {
            rc = bl_buf_puts(b, "</p>\n");
            in_para = false;
        }
        if (rc == BL_OK && in_list && !item) {
            rc = bl_buf_puts(b, "</ul>\n");
            in_list = false;
            if (rc == BL_OK && !table_done) {
                rc = table(b, m);
                table_done = true;
            }
        }
        if (rc == BL_OK && item) {
            if (!in_list)
                rc = bl_buf_puts(b, "<ul style=\"margin:8px 0 8px 0;padding-left:22px;\">\n");
            in_list = true;
            if (rc == BL_OK)
                rc = bl_buf_puts(b, "<li style=\"margin:2px 0;\">");
            if (rc == BL_OK)
                rc = esc(b, s + 2, len - 2);
            if (rc == BL_OK)
                rc = bl_buf_puts(b, "</li>\n");
        } else if (rc == BL_OK && !blank) {
            /* The text's lines are wrapped for plain text: a paragraph
             * flows again, but from a line ending with a comma ("Bien
             * cordialement,") on, the signature's lines (a name, the
             * network, its contact) keep their breaks. */
            if (!in_para)
                lines = false;
            rc = bl_buf_puts(b, !in_para ? "<p style=\"margin:0 0 12px 0;\">"
                                : lines  ? "<br>\n"
                                         : "\n");
            in_para = true;
            if (rc == BL_OK)
                rc = esc(b, s, len);
            lines = lines || s[len - 1] == ',';
        }
        s += len + (e ? 1 : 0);
    }
    if (rc == BL_OK && in_para)
        rc = bl_buf_puts(b, "</p>\n");
    if (rc == BL_OK && in_list)
        rc = bl_buf_puts(b, "</ul>\n");
    if (rc == BL_OK && !table_done)
        rc = table(b, m);
    if (rc == BL_OK)
        rc = bl_buf_puts(b, "</div>\n</body>\n</html>\n");
    return rc;
}
