/* The document: A4 pages recorded one by one (so that each footer can say
 * "Page 2 / 3" once the page count is known), replayed into a Cairo PDF
 * surface with fixed metadata and an outline, text laid out by Pango. */
#include "render_internal.h"
#include "bilan/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const bl__rgb bl__palette[8] = {
    {0.000, 0.000, 0.000}, /* black */
    {0.902, 0.624, 0.000}, /* orange */
    {0.337, 0.706, 0.914}, /* sky blue */
    {0.000, 0.620, 0.451}, /* bluish green */
    {0.941, 0.894, 0.259}, /* yellow */
    {0.000, 0.447, 0.698}, /* blue */
    {0.835, 0.369, 0.000}, /* vermilion */
    {0.800, 0.475, 0.655}, /* reddish purple */
};
const bl__rgb bl__ink = {0.13, 0.13, 0.15};
const bl__rgb bl__grey = {0.40, 0.40, 0.43};
const bl__rgb bl__light = {0.93, 0.94, 0.96};
const bl__rgb bl__rule = {0.75, 0.76, 0.79};

void bl__set_rgb(cairo_t *cr, bl__rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

/* Sizes in PDF points (the context's resolution is set to 72 dpi). */
static const char *const FONT_SPECS[BL_F_COUNT] = {
    "DejaVu Sans 9.5",     "DejaVu Sans Bold 9.5", "DejaVu Sans 8",
    "DejaVu Sans 7",       "DejaVu Sans Bold 22",  "DejaVu Sans Bold 14",
    "DejaVu Sans Bold 20", "DejaVu Sans Bold 8",   "DejaVu Sans Bold 7",
};

bl_status bl__doc_init(bl__doc *d, const char *footer)
{
    memset(d, 0, sizeof *d);
    snprintf(d->footer, sizeof d->footer, "%s", footer);
    /* Our own font map, not the per-thread default: every render is
     * independent, so reports can be drawn in parallel threads. */
    d->fm = pango_cairo_font_map_new();
    if (!d->fm)
        return BL_INTERNAL;
    d->pc = pango_font_map_create_context(d->fm);
    cairo_font_options_t *fo = cairo_font_options_create();
    /* No hinting: glyph positions then depend on the font only, not on the
     * device, which keeps layout identical between machines. */
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(d->pc, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_round_glyph_positions(d->pc, FALSE);
    /* Pango's default is 96 dpi: at 72, a "9.5" font is 9.5 PDF points. */
    pango_cairo_context_set_resolution(d->pc, 72);
    PangoLanguage *fr = pango_language_from_string("fr-fr");
    pango_context_set_language(d->pc, fr);
    for (int i = 0; i < BL_F_COUNT; i++)
        d->fonts[i] = pango_font_description_from_string(FONT_SPECS[i]);
    bl__doc_new_page(d);
    return d->oom ? BL_NOMEM : BL_OK;
}

void bl__doc_release(bl__doc *d)
{
    if (d->cr)
        cairo_destroy(d->cr);
    for (size_t i = 0; i < d->npages; i++)
        cairo_surface_destroy(d->pages[i]);
    free(d->pages);
    for (size_t i = 0; i < d->noutline; i++)
        free(d->outline[i].title);
    free(d->outline);
    for (int i = 0; i < BL_F_COUNT; i++)
        if (d->fonts[i])
            pango_font_description_free(d->fonts[i]);
    if (d->pc)
        g_object_unref(d->pc);
    if (d->fm)
        g_object_unref(d->fm);
    memset(d, 0, sizeof *d);
}

void bl__doc_new_page(bl__doc *d)
{
    if (d->npages == d->alloc) {
        size_t na = d->alloc ? d->alloc * 2 : 8;
        cairo_surface_t **nv = realloc(d->pages, na * sizeof *nv);
        if (!nv) {
            d->oom = true;
            return;
        }
        d->pages = nv, d->alloc = na;
    }
    cairo_rectangle_t ext = {0, 0, BL_PAGE_W, BL_PAGE_H};
    cairo_surface_t *s = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &ext);
    d->pages[d->npages++] = s;
    if (d->cr)
        cairo_destroy(d->cr);
    d->cr = cairo_create(s);
    d->y = BL_TOP;
}

void bl__doc_need(bl__doc *d, double h)
{
    if (d->y + h > BL_BOTTOM && d->y > BL_TOP + 1)
        bl__doc_new_page(d);
}

PangoLayout *bl__layout(bl__doc *d, bl__font f, const char *text, double w, int max_lines,
                        bl__align a)
{
    PangoLayout *l = pango_layout_new(d->pc);
    pango_layout_set_font_description(l, d->fonts[f]);
    if (w > 0) {
        pango_layout_set_width(l, (int)(w * PANGO_SCALE));
        /* Words are never broken (issue 15): lines wrap at spaces and after
         * hyphens only. A word wider than its box is the caller's to avoid
         * (table headings are shrunk or abbreviated, render/table.c). */
        pango_layout_set_wrap(l, PANGO_WRAP_WORD);
        if (max_lines > 0) {
            pango_layout_set_height(l, -max_lines);
            pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        }
    }
    pango_layout_set_alignment(l, a == BL_RIGHT    ? PANGO_ALIGN_RIGHT
                                  : a == BL_CENTER ? PANGO_ALIGN_CENTER
                                                   : PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, text, -1);
    /* No ligatures: "fi" stays two letters, so the text of the PDF can be
     * searched and copied as written. */
    PangoAttrList *al = pango_attr_list_new();
    pango_attr_list_insert(al, pango_attr_font_features_new("liga=0, clig=0"));
    /* Pango adds a hyphen where it breaks inside a word: never one that is
     * not in the text. */
    pango_attr_list_insert(al, pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(l, al);
    pango_attr_list_unref(al);
    return l;
}

void bl__layout_size(PangoLayout *l, double *w, double *h)
{
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    if (w)
        *w = (double)pw / PANGO_SCALE;
    if (h)
        *h = (double)ph / PANGO_SCALE;
}

static void show(cairo_t *cr, PangoLayout *l, double x, double y, bl__rgb c)
{
    cairo_save(cr);
    bl__set_rgb(cr, c);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
    cairo_restore(cr);
}

double bl__text(bl__doc *d, bl__font f, double x, double y, double w, bl__align a, int max_lines,
                bl__rgb c, const char *text)
{
    PangoLayout *l = bl__layout(d, f, text, w, max_lines, a);
    double h;
    bl__layout_size(l, NULL, &h);
    show(d->cr, l, x, y, c);
    g_object_unref(l);
    return h;
}

void bl__para(bl__doc *d, bl__font f, bl__rgb c, const char *text)
{
    PangoLayout *l = bl__layout(d, f, text, BL_CONTENT_W, 0, BL_LEFT);
    double h;
    bl__layout_size(l, NULL, &h);
    bl__doc_need(d, h);
    show(d->cr, l, BL_MARGIN, d->y, c);
    g_object_unref(l);
    d->y += h + 3;
}

void bl__heading(bl__doc *d, const char *title, int level, double keep)
{
    bl__font f = level == 0 ? BL_F_H2 : BL_F_BOLD;
    PangoLayout *l = bl__layout(d, f, title, BL_CONTENT_W, 2, BL_LEFT);
    double h;
    bl__layout_size(l, NULL, &h);
    d->y += level == 0 ? 10 : 4;
    bl__doc_need(d, h + 6 + keep);
    show(d->cr, l, BL_MARGIN, d->y, level == 0 ? BL_C_BLUE : bl__ink);
    g_object_unref(l);
    if (d->noutline == d->outline_alloc) {
        size_t na = d->outline_alloc ? d->outline_alloc * 2 : 16;
        bl__outline *nv = realloc(d->outline, na * sizeof *nv);
        if (!nv) {
            d->oom = true;
            return;
        }
        d->outline = nv, d->outline_alloc = na;
    }
    char *t = strdup(title);
    if (!t) {
        d->oom = true;
        return;
    }
    d->outline[d->noutline++] = (bl__outline){t, (int)d->npages, d->y, level};
    d->y += h;
    if (level == 0) {
        cairo_t *cr = d->cr;
        bl__set_rgb(cr, BL_C_BLUE);
        cairo_set_line_width(cr, 0.8);
        cairo_move_to(cr, BL_MARGIN, d->y + 1.5);
        cairo_line_to(cr, BL_MARGIN + BL_CONTENT_W, d->y + 1.5);
        cairo_stroke(cr);
    }
    d->y += 6;
}

/* ISO 8601 date for the PDF metadata, from seconds since 1970 (UTC). */
static void iso_date(int64_t t, char out[32])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int y, m, dd;
    bl_civil_from_days(days, &y, &m, &dd);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, dd, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

static void footer(bl__doc *d, cairo_t *cr, size_t i)
{
    char num[64];
    snprintf(num, sizeof num, BL_W_PAGE_OF, i + 1, d->npages);
    double y = BL_PAGE_H - BL_MARGIN - 8;
    bl__set_rgb(cr, bl__rule);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, BL_MARGIN, y - 4);
    cairo_line_to(cr, BL_MARGIN + BL_CONTENT_W, y - 4);
    cairo_stroke(cr);
    PangoLayout *l = bl__layout(d, BL_F_SMALL, d->footer, BL_CONTENT_W - 80, 1, BL_LEFT);
    show(cr, l, BL_MARGIN, y, bl__grey);
    g_object_unref(l);
    l = bl__layout(d, BL_F_SMALL, num, 80, 1, BL_RIGHT);
    show(cr, l, BL_MARGIN + BL_CONTENT_W - 80, y, bl__grey);
    g_object_unref(l);
}

/* Cairo hands the PDF over in pieces; the first failed write is kept. */
typedef struct pdf_sink {
    bl_outfile *of;
    bl_status rc;
    char *err;
    size_t errlen;
} pdf_sink;

static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int len)
{
    pdf_sink *k = closure;
    if (k->rc == BL_OK)
        k->rc = bl_outfile_write(k->of, data, len, k->err, k->errlen);
    return k->rc == BL_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

bl_status bl__doc_finish(bl__doc *d, const char *path, const char *title, const char *subject,
                         const char *keywords, int64_t created_epoch, char *err, size_t errlen)
{
    if (d->oom) {
        snprintf(err, errlen, _("out of memory while drawing '%s'"), path);
        return BL_NOMEM;
    }
    /* Each page's recording carries Cairo's sticky status: check them all. */
    for (size_t i = 0; i < d->npages; i++) {
        cairo_status_t cs = cairo_surface_status(d->pages[i]);
        if (cs == CAIRO_STATUS_SUCCESS && i + 1 == d->npages)
            cs = cairo_status(d->cr);
        if (cs != CAIRO_STATUS_SUCCESS) {
            snprintf(err, errlen, _("cannot draw page %zu of '%s': %s"), i + 1, path,
                     cairo_status_to_string(cs));
            return BL_INTERNAL;
        }
    }
    bl_outfile of;
    bl_status orc = bl_outfile_open(&of, path, err, errlen);
    if (orc != BL_OK)
        return orc;
    pdf_sink sink = {&of, BL_OK, err, errlen};
    cairo_surface_t *s =
        cairo_pdf_surface_create_for_stream(pdf_write, &sink, BL_PAGE_W, BL_PAGE_H);
    cairo_status_t cs = cairo_surface_status(s);
    if (cs != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        bl_outfile_abort(&of);
        snprintf(err, errlen, _("cannot create '%s': %s"), path, cairo_status_to_string(cs));
        return BL_CANTCREAT;
    }
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, "bilan " BL_VERSION);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, subject);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "bilan " BL_VERSION);
    if (keywords)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, keywords);
    if (created_epoch >= 0) {
        /* Cairo 1.16 ignores SOURCE_DATE_EPOCH (DESIGN §10): set the dates. */
        char iso[32];
        iso_date(created_epoch, iso);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, iso);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, iso);
    }
    cairo_t *cr = cairo_create(s);
    for (size_t i = 0; i < d->npages; i++) {
        cairo_set_source_surface(cr, d->pages[i], 0, 0);
        cairo_paint(cr);
        footer(d, cr, i);
        cairo_show_page(cr);
    }
    /* The outline last, when every page it points to exists. */
    int parent = CAIRO_PDF_OUTLINE_ROOT;
    for (size_t i = 0; i < d->noutline; i++) {
        char attrs[96];
        snprintf(attrs, sizeof attrs, "page=%d pos=[%.0f %.0f]", d->outline[i].page, BL_MARGIN,
                 d->outline[i].y);
        int id = cairo_pdf_surface_add_outline(
            s, d->outline[i].level == 0 ? CAIRO_PDF_OUTLINE_ROOT : parent, d->outline[i].title,
            attrs, 0);
        if (d->outline[i].level == 0)
            parent = id;
    }
    cs = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (cs != CAIRO_STATUS_SUCCESS || sink.rc != BL_OK) {
        bl_outfile_abort(&of);
        if (sink.rc != BL_OK)
            return sink.rc; /* err says which write failed */
        snprintf(err, errlen, _("cannot write '%s': %s"), path, cairo_status_to_string(cs));
        return cs == CAIRO_STATUS_WRITE_ERROR ? BL_CANTCREAT : BL_INTERNAL;
    }
    orc = bl_outfile_commit(&of, true, err, errlen);
    if (orc != BL_OK)
        return orc;
    return BL_OK;
}
