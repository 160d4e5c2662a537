/* Pieces every report layout shares: the title block, the headline cards,
 * the twelve-month series of the trend charts, the footnote of partial
 * totals. */
#include "render_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The PNG bytes of a logo, read by Cairo. */
typedef struct png_src {
    const unsigned char *p;
    size_t n, at;
} png_src;

static cairo_status_t png_read(void *closure, unsigned char *data, unsigned int len)
{
    png_src *s = closure;
    if (len > s->n - s->at)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, s->p + s->at, len);
    s->at += len;
    return CAIRO_STATUS_SUCCESS;
}

/* Draws the network's logo at the right of the title block, scaled to fit
 * a box of BL_LOGO_W × BL_LOGO_H points without distortion; returns the
 * width it takes (0 when there is none or it cannot be decoded: a report
 * is never refused for its logo). */
#define BL_LOGO_W 110.0
#define BL_LOGO_H 46.0
static double draw_logo(bl__doc *d, const bl_model *m, double top)
{
    if (!m->logo || !m->logo_len)
        return 0;
    png_src src = {m->logo, m->logo_len, 0};
    cairo_surface_t *img = cairo_image_surface_create_from_png_stream(png_read, &src);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return 0;
    }
    double iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
    double k = BL_LOGO_W / iw < BL_LOGO_H / ih ? BL_LOGO_W / iw : BL_LOGO_H / ih;
    double x = BL_MARGIN + BL_CONTENT_W - iw * k;
    cairo_t *cr = d->cr;
    cairo_save(cr);
    cairo_translate(cr, x, top);
    cairo_scale(cr, k, k);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    return iw * k + 10;
}

void bl__title_block(bl__doc *d, const bl_model *m, const char *overline, const char *title,
                     const char *subtitle)
{
    cairo_t *cr = d->cr;
    double lw = draw_logo(d, m, d->y);
    double x = BL_MARGIN + 12, w = BL_CONTENT_W - 12 - lw;
    double y = d->y;
    /* The network's own name over every report, when network.csv gave one. */
    if (m->network_name && *m->network_name)
        y += bl__text(d, BL_F_SMALL, x, y, w, BL_LEFT, 1, bl__grey, m->network_name) + 1;
    /* Whom to ask: the network's address and website, under its name. */
    char contact[640];
    if (*bl_render_network_contact(contact, sizeof contact, m->network_email, m->network_website))
        y += bl__text(d, BL_F_TINY, x, y, w, BL_LEFT, 1, bl__grey, contact) + 1;
    y += bl__text(d, BL_F_SMALL, x, y, w, BL_LEFT, 1, BL_C_BLUE, overline) + 1;
    y += bl__text(d, BL_F_H1, x, y, w, BL_LEFT, 3, bl__ink, title) + 2;
    y += bl__text(d, BL_F_BODY, x, y, w, BL_LEFT, 2, bl__ink, subtitle) + 1;
    int yy, mm, dd;
    bl_civil_from_days(m->generated_days, &yy, &mm, &dd);
    char date[64], line[192];
    bl_fr_date(date, sizeof date, yy, mm, dd);
    if (m->provisional)
        snprintf(line, sizeof line, BL_W_EDITED_PROVISIONAL, date);
    else
        snprintf(line, sizeof line, BL_W_EDITED, date);
    y += bl__text(d, BL_F_SMALL, x, y, w, BL_LEFT, 1, m->provisional ? BL_C_VERMILION : bl__grey,
                  line);
    /* A band of colour on the left marks the title, like a letterhead. */
    bl__set_rgb(cr, BL_C_BLUE);
    cairo_rectangle(cr, BL_MARGIN, d->y, 4, y - d->y);
    cairo_fill(cr);
    if (lw > 0 && y < d->y + BL_LOGO_H)
        y = d->y + BL_LOGO_H;
    d->y = y + 8;
}

void bl__cards(bl__doc *d, const bl__card *cards, int n)
{
    const double gap = 8, h = 54;
    double w = (BL_CONTENT_W - gap * (n - 1)) / n;
    bl__doc_need(d, h + 8);
    cairo_t *cr = d->cr;
    for (int i = 0; i < n; i++) {
        double x = BL_MARGIN + i * (w + gap);
        bl__set_rgb(cr, bl__light);
        cairo_rectangle(cr, x, d->y, w, h);
        cairo_fill(cr);
        bl__text(d, BL_F_SMALL, x + 6, d->y + 5, w - 12, BL_LEFT, 1, bl__grey, cards[i].label);
        bl__text(d, BL_F_FIGURE, x + 6, d->y + 13, w - 12, BL_LEFT, 1, bl__ink, cards[i].figure);
        if (cards[i].sub)
            bl__text(d, BL_F_TINY, x + 6, d->y + 36, w - 12, BL_LEFT, 2, bl__grey, cards[i].sub);
    }
    d->y += h + 6;
}

bool bl__resource_listed(const bl_model_resource *r)
{
    return bl_model_listed(r);
}

void bl__twelve_months(const bl_model *m, int last, const char *cats[12], char lab[12][16],
                       double v[24], bool miss[24], bool part[24])
{
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < 12; i++) {
            int k = bl_model_slot(m, last - 11 + i - 12 * s);
            double sum = 0;
            bool any = false, all = true;
            for (size_t r = 0; r < m->n_resources && k >= 0; r++) {
                if (!bl__resource_listed(&m->resources[r]))
                    continue;
                sum += (double)m->resources[r].v[k];
                any = any || m->resources[r].has[k];
                all = all && m->resources[r].has[k] && !m->resources[r].part[k];
            }
            v[s * 12 + i] = sum;
            miss[s * 12 + i] = !any;
            part[s * 12 + i] = any && !all;
        }
    }
    for (int i = 0; i < 12; i++) {
        int mi = last - 11 + i;
        if (i == 0 || bl_month_num(mi) == 1)
            snprintf(lab[i], 16, BL_W_MONTH_SHORT_YEAR, bl__month_abbr(bl_month_num(mi)),
                     bl_month_year(mi) % 100);
        else
            snprintf(lab[i], 16, "%s", bl__month_abbr(bl_month_num(mi)));
        cats[i] = lab[i];
    }
}

int bl__months_missing(const bl_model *m, const bl_model_resource *x, int first, int last,
                       bool miss[12])
{
    int n = 0;
    for (int i = 0; i < 12; i++) {
        int k = first + i <= last ? bl_model_slot(m, first + i) : -1;
        n += miss[i] = k >= 0 && !x->has[k] && bl_model_over(m, first + i);
    }
    return n;
}

void bl__mask_range(const bl_model *m, bool mask[BL_WINDOW], int first, int last)
{
    for (int mi = first; mi <= last; mi++) {
        int k = bl_model_slot(m, mi);
        if (k >= 0)
            mask[k] = true;
    }
}

bl_status bl__names_text(bl_buf *b, const char *lines)
{
    bl_status rc = BL_OK;
    size_t count = 1;
    for (const char *p = lines; *p; p++)
        count += *p == '\n';
    size_t i = 0;
    for (const char *p = lines; rc == BL_OK && i < count; i++) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *sep = i == 0 ? "" : i + 1 == count ? BL_W_LIST_LAST : BL_W_LIST_SEP;
        rc = bl_buf_puts(b, sep);
        if (rc == BL_OK && len == 1 && *p == *BL_GAP_EARLY)
            rc = bl_buf_puts(b, BL_W_GAP_EARLY);
        else if (rc == BL_OK && len == 1 && *p == *BL_GAP_UNATTRIBUTED)
            rc = bl_buf_puts(b, BL_W_GAP_UNATTRIBUTED);
        else if (rc == BL_OK && len > 1 && *p == *BL_GAP_EARLY)
            rc = bl_buf_printf(b, BL_W_GAP_EARLY_OF, (int)(len - 1), p + 1);
        else if (rc == BL_OK && len > 1 && *p == *BL_GAP_REJECTED)
            rc = bl_buf_printf(b, BL_W_GAP_REJECTED_OF, (int)(len - 1), p + 1);
        else if (rc == BL_OK)
            rc = bl_buf_printf(b, "%.*s", (int)len, p);
        p = e ? e + 1 : p + len;
    }
    return rc;
}

bl_status bl__gap_text(bl_buf *b, const bl_model *m, const bl_model_resource *x,
                       const bool mask[BL_WINDOW])
{
    bool miss[BL_WINDOW], some = false;
    for (int k = 0; k < BL_WINDOW; k++)
        some |= miss[k] =
            mask[k] && !x->has[k] && !x->quiet[k] && bl_model_over(m, m->window_first + k);
    bl_status rc = some ? bl_fr_months(b, miss, m->window_first, BL_WINDOW) : BL_OK;
    /* Partial months, those missing the same libraries together. */
    bool done[BL_WINDOW] = {false};
    for (int k = 0; k < BL_WINDOW && rc == BL_OK; k++) {
        if (done[k] || !mask[k] || !bl_model_part(m, x, m->window_first + k))
            continue;
        bool in[BL_WINDOW] = {false};
        for (int j = k; j < BL_WINDOW; j++)
            done[j] = in[j] = mask[j] && bl_model_part(m, x, m->window_first + j) &&
                              strcmp(x->gap[j], x->gap[k]) == 0;
        rc = bl_buf_puts(b, some ? BL_W_PARTIAL_NOTE_SEP : "");
        if (rc == BL_OK)
            rc = bl_fr_months(b, in, m->window_first, BL_WINDOW);
        if (rc == BL_OK)
            rc = bl_buf_puts(b, BL_W_GAP_LIBRARIES);
        if (rc == BL_OK)
            rc = bl__names_text(b, x->gap[k]);
        some = true;
    }
    return rc;
}

/* The † note under a table: for each listed resource, the months of the
 * mask it lacks data for (bl__gap_text); resources missing the same
 * months share one item ("Presse et Vidéo (janvier à avril 2025)").
 * Nothing is left out, however long. */
bl_status bl__partial_items(bl_buf *line, const bl_model *m, const bool mask[BL_WINDOW],
                            int *nitems)
{
    size_t n = m->n_resources;
    bl_buf *months = calloc(n ? n : 1, sizeof *months);
    bool *done = calloc(n ? n : 1, sizeof *done);
    bool ok = months && done;
    for (size_t r = 0; r < n && ok; r++) {
        const bl_model_resource *x = &m->resources[r];
        months[r] = BL_BUF_INIT(1u << 16);
        ok = bl__gap_text(&months[r], m, x, mask) == BL_OK;
        done[r] = !bl_model_listed(x) || months[r].len == 0;
    }
    int items = 0;
    for (size_t r = 0; r < n && ok; r++) {
        if (done[r])
            continue;
        const char *mine = bl_buf_cstr(&months[r]);
        size_t count = 0, k = 0;
        for (size_t s = r; s < n; s++)
            count += !done[s] && strcmp(bl_buf_cstr(&months[s]), mine) == 0;
        ok = bl_buf_puts(line, items ? BL_W_PARTIAL_NOTE_SEP : "") == BL_OK;
        for (size_t s = r; s < n && ok; s++) {
            if (done[s] || strcmp(bl_buf_cstr(&months[s]), mine) != 0)
                continue;
            const char *sep = k == 0 ? "" : k + 1 == count ? BL_W_LIST_LAST : BL_W_LIST_SEP;
            ok = bl_buf_printf(line, "%s%s", sep, m->resources[s].name) == BL_OK;
            k++;
            done[s] = s != r;
        }
        if (ok)
            ok = bl_buf_printf(line, BL_W_PARTIAL_NOTE_MONTHS, mine) == BL_OK;
        done[r] = true;
        items++;
    }
    for (size_t r = 0; months && r < n; r++)
        bl_buf_release(&months[r]);
    free(months);
    free(done);
    *nitems = items;
    return ok ? BL_OK : BL_NOMEM;
}

void bl__partial_note(bl__doc *d, const bl_model *m, const bool mask[BL_WINDOW])
{
    bl_buf items = BL_BUF_INIT(1u << 24), line = BL_BUF_INIT(1u << 24);
    int n = 0;
    bool ok = bl__partial_items(&items, m, mask, &n) == BL_OK;
    if (ok && n)
        ok = bl_buf_printf(&line, "%s%s.", BL_W_PARTIAL_NOTE, bl_buf_cstr(&items)) == BL_OK;
    if (ok && n)
        bl__para(d, BL_F_TINY, bl__grey, bl_buf_cstr(&line));
    if (!ok)
        d->oom = true;
    bl_buf_release(&items);
    bl_buf_release(&line);
}

/* ---- profile: network-level totals (docs/profiles.md) */

const char *bl__resource_label(char *out, size_t n, const bl_model_resource *r)
{
    const char *mark = r->shared          ? BL_NBSP BL_ESTIMATE_MARK
                       : r->network_level ? BL_NBSP BL_NETWORK_LEVEL_MARK
                                          : "";
    /* A resource counted in one of bilan's own metrics says which: "Prêt
     * numérique (prêts)". */
    const char *unit = r->metric ? bl__metric_fr(r->metric, r->kind) : NULL;
    if (unit)
        snprintf(out, n, "%s (%s)%s", r->name, unit, mark);
    else
        snprintf(out, n, "%s%s", r->name, mark);
    return out;
}

bl_model_total bl__partner_total(const bl_model *m, const bl_model_partner *p)
{
    bl_model_total t = {p->total, false, false};
    for (size_t r = 0; r < m->n_resources; r++) {
        if (!bl_model_listed(&m->resources[r]))
            continue;
        t.has = t.has || p->n_has[r] > 0;
        t.partial = t.partial || p->n_missing[r] > 0;
    }
    t.partial = t.partial && t.has;
    return t;
}

const char *bl__partner_label(char *out, size_t n, const bl_model_partner *p)
{
    snprintf(out, n, "%s%s", p->name, p->estimated ? BL_NBSP BL_ESTIMATE_MARK : "");
    return out;
}

void bl__estimate_notes(bl__doc *d, const bl_model *m)
{
    for (size_t r = 0; r < m->n_resources; r++) {
        const bl_model_resource *x = &m->resources[r];
        if (!bl__resource_listed(x))
            continue;
        char line[1024];
        if (x->shared) {
            snprintf(line, sizeof line, BL_W_ESTIMATE_NOTE, x->name,
                     x->shared == BL_BASIS_LOGS ? BL_W_ESTIMATE_BY_LOGS
                                                : BL_W_ESTIMATE_BY_POPULATION,
                     x->fallback ? BL_W_ESTIMATE_FALLBACK : "");
            bl__para(d, BL_F_TINY, bl__grey, line);
        } else if (x->network_level) {
            snprintf(line, sizeof line,
                     m->partner ? BL_W_NETWORK_LEVEL_NOTE_PARTNER : BL_W_NETWORK_LEVEL_NOTE,
                     x->name);
            bl__para(d, BL_F_TINY, bl__grey, line);
        }
    }
}

void bl__running_note(bl__doc *d, const bl_model *m)
{
    int first = m->period.first, last = m->period.last, from = m->running_from;
    if (!from || from > last)
        return;
    if (bl_model_none_over(m)) {
        bl__para(d, BL_F_TINY, bl__grey, BL_W_RUNNING_NOTE_NONE);
        return;
    }
    char a[64], b[64], line[512];
    snprintf(line, sizeof line, BL_W_RUNNING_NOTE, bl_fr_span(a, sizeof a, from, last),
             bl_fr_span(b, sizeof b, first, from - 1));
    bl__para(d, BL_F_TINY, bl__grey, line);
}
