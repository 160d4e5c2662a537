/* Tables: a heading row, zebra rows, a totals row; a row that does not fit
 * moves to the next page, where the heading is drawn again under the
 * table's title followed by "(suite)". Cell text is wrapped to at most two
 * lines then ellipsised, so it never leaves its cell. */
#include "render_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAD_X 3.5
#define PAD_Y 2.5

static double cell_x(const bl__table *t, int i)
{
    double x = BL_MARGIN;
    for (int k = 0; k < i; k++)
        x += t->cols[k].w;
    return x;
}

static double table_w(const bl__table *t)
{
    return cell_x(t, t->ncols) - BL_MARGIN;
}

/* Figures (right-aligned cells) stay on one line: a number broken across
 * lines misreads. Text cells may take two lines, then end with an ellipsis. */
static int cell_lines(const bl__table *t, int i, int lines)
{
    return t->cols[i].align == BL_RIGHT && lines < 3 ? 1 : lines;
}

/* Heights of a row's cells, measured before drawing (to decide the page). */
static double row_height(bl__table *t, const char *const *cells, bl__font f, int lines)
{
    double hmax = 0;
    for (int i = 0; i < t->ncols; i++) {
        if (!cells[i] || !*cells[i])
            continue;
        PangoLayout *l = bl__layout(t->d, f, cells[i], t->cols[i].w - 2 * PAD_X,
                                    cell_lines(t, i, lines), t->cols[i].align);
        double h;
        bl__layout_size(l, NULL, &h);
        g_object_unref(l);
        if (h > hmax)
            hmax = h;
    }
    return hmax + 2 * PAD_Y;
}

/* Width of text on one line in font f. */
static double one_line_w(bl__doc *d, bl__font f, const char *s, size_t len)
{
    char buf[256];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    PangoLayout *l = bl__layout(d, f, buf, -1, 0, BL_LEFT);
    double w;
    bl__layout_size(l, &w, NULL);
    g_object_unref(l);
    return w;
}

/* Length of the word starting at s: up to a space, or just past a hyphen
 * (where a line may break too). */
static size_t word_len(const char *s)
{
    size_t i = 0;
    while (s[i] && s[i] != ' ') {
        if (s[i++] == '-')
            break;
    }
    return i;
}

static double widest_word(bl__doc *d, bl__font f, const char *s)
{
    double max = 0;
    while (*s) {
        if (*s == ' ') {
            s++;
            continue;
        }
        size_t n = word_len(s);
        double w = one_line_w(d, f, s, n);
        if (w > max)
            max = w;
        s += n;
    }
    return max;
}

/* Is the UTF-8 character at s a French vowel (accented or not)? */
static bool vowel_at(const char *s)
{
    static const char *const v[] = {"a", "e", "i", "o", "u", "y", "A", "E", "I", "O", "U", "Y",
                                    "à", "â", "ä", "é", "è", "ê", "ë", "î", "ï", "ô", "ö", "ù",
                                    "û", "ü", "ÿ", "œ", "æ", "É", "È", "Ê", "À", "Â", "Î", "Ô"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (strncmp(s, v[i], strlen(v[i])) == 0)
            return true;
    return false;
}

static bool letter_at(const char *s)
{
    unsigned char c = (unsigned char)*s;
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Appends to out the abbreviation of word (len bytes) that fits in w. */
static void abbreviate(bl__doc *d, const char *word, size_t len, double w, char *out, size_t n)
{
    size_t best = 0, any = 0;
    char buf[256];
    for (size_t k = 1; k < len && k + 2 < sizeof buf; k++) {
        if (((unsigned char)word[k] & 0xC0) == 0x80)
            continue; /* inside a character */
        memcpy(buf, word, k);
        buf[k] = '.';
        if (one_line_w(d, BL_F_TINY, buf, k + 1) > w)
            break;
        any = k;
        /* The last character kept: a consonant; the next one: a vowel. */
        size_t prev = k - 1;
        while (prev > 0 && ((unsigned char)word[prev] & 0xC0) == 0x80)
            prev--;
        if (letter_at(word + prev) && !vowel_at(word + prev) && vowel_at(word + k))
            best = k;
    }
    size_t keep = best ? best : any ? any : 1;
    size_t used = strlen(out);
    snprintf(out + used, n - used, "%.*s.", (int)keep, word);
}

/* A heading takes at most three lines in its font, four in the small
 * print it falls back to. */
#define HEAD_LINES 4

/* Does text hold in w on at most three lines in font f? */
static bool fits_lines(bl__doc *d, bl__font f, const char *text, double w)
{
    PangoLayout *l = bl__layout(d, f, text, w, 3, BL_LEFT);
    bool ok = !pango_layout_is_ellipsized(l);
    g_object_unref(l);
    return ok;
}

bl__font bl__fit_heading(bl__doc *d, bl__font f, const char *text, double w, char *out, size_t n)
{
    snprintf(out, n, "%s", text);
    /* Every word fits and the whole on three lines: as it is; else the
     * small print, on up to four (until 3 December 2026 a long heading whose
     * words all fit lost its end: « Soutien scolaire en ligne (sessi… »). */
    if (w <= 0 || (widest_word(d, f, text) <= w && fits_lines(d, f, text, w)))
        return f;
    if (widest_word(d, f, text) <= w)
        return BL_F_TINY;
    if (widest_word(d, BL_F_TINY, text) <= w)
        return BL_F_TINY;
    out[0] = '\0';
    for (const char *s = text; *s;) {
        size_t used = strlen(out);
        if (*s == ' ') {
            snprintf(out + used, n - used, " ");
            s++;
            continue;
        }
        size_t wl = word_len(s);
        if (one_line_w(d, BL_F_TINY, s, wl) <= w)
            snprintf(out + used, n - used, "%.*s", (int)wl, s);
        else
            abbreviate(d, s, wl, w, out, n);
        s += wl;
    }
    return BL_F_TINY;
}

static void draw_head(bl__table *t)
{
    bl__doc *d = t->d;
    int n = t->ncols < 32 ? t->ncols : 32;
    double h = 0;
    for (int i = 0; i < n; i++) {
        if (!t->head_text[i][0])
            continue;
        PangoLayout *l = bl__layout(d, t->head_font[i], t->head_text[i], t->cols[i].w - 2 * PAD_X,
                                    HEAD_LINES, t->cols[i].align);
        double hh;
        bl__layout_size(l, NULL, &hh);
        g_object_unref(l);
        if (hh > h)
            h = hh;
    }
    h += 2 * PAD_Y;
    cairo_t *cr = d->cr;
    bl__set_rgb(cr, (bl__rgb){0.86, 0.90, 0.95});
    cairo_rectangle(cr, BL_MARGIN, d->y, table_w(t), h);
    cairo_fill(cr);
    for (int i = 0; i < n; i++)
        bl__text(d, t->head_font[i], cell_x(t, i) + PAD_X, d->y + PAD_Y, t->cols[i].w - 2 * PAD_X,
                 t->cols[i].align, HEAD_LINES, bl__ink, t->head_text[i]);
    d->y += h;
    bl__set_rgb(cr, bl__grey);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, BL_MARGIN, d->y);
    cairo_line_to(cr, BL_MARGIN + table_w(t), d->y);
    cairo_stroke(cr);
    t->rows = 0;
}

void bl__table_begin(bl__table *t, bl__doc *d, const char *title, const bl__col *cols, int ncols)
{
    bl__table_begin_font(t, d, title, cols, ncols, BL_F_BODY);
}

void bl__table_begin_font(bl__table *t, bl__doc *d, const char *title, const bl__col *cols,
                          int ncols, bl__font font)
{
    t->font = font;
    t->d = d;
    t->cols = cols;
    t->ncols = ncols;
    t->title = title;
    t->rows = 0;
    t->pending = false;
    memset(t->pending_cells, 0, sizeof t->pending_cells);
    for (int i = 0; i < ncols && i < 32; i++)
        t->head_font[i] =
            bl__fit_heading(d, BL_F_SMALL, cols[i].head ? cols[i].head : "", cols[i].w - 2 * PAD_X,
                            t->head_text[i], sizeof t->head_text[i]);
    /* Keep the heading with at least two rows. */
    bl__doc_need(d, 60);
    draw_head(t);
}

static bl__font row_font(const bl__table *t, int flags)
{
    if (!(flags & BL_ROW_TOTAL))
        return t->font;
    return t->font == BL_F_SMALL  ? BL_F_SMALL_BOLD
           : t->font == BL_F_TINY ? BL_F_TINY_BOLD
                                  : BL_F_BOLD;
}

/* Draws a row, on a new page (with the table's title and heading again)
 * when it and `keep` more points do not fit on this one. */
static void draw_row(bl__table *t, const char *const *cells, const double *heat, int flags,
                     double keep)
{
    bl__doc *d = t->d;
    bl__font f = row_font(t, flags);
    double h = row_height(t, cells, f, 2);
    if (d->y + h + keep > BL_BOTTOM) {
        bl__doc_new_page(d);
        if (t->title) {
            char cont[256];
            snprintf(cont, sizeof cont, BL_W_TABLE_CONTINUED, t->title);
            d->y +=
                bl__text(d, BL_F_BOLD, BL_MARGIN, d->y, BL_CONTENT_W, BL_LEFT, 1, bl__grey, cont) +
                4;
        }
        draw_head(t);
    }
    cairo_t *cr = d->cr;
    if (flags & BL_ROW_TOTAL) {
        bl__set_rgb(cr, bl__ink);
        cairo_set_line_width(cr, 0.8);
        cairo_move_to(cr, BL_MARGIN, d->y);
        cairo_line_to(cr, BL_MARGIN + table_w(t), d->y);
        cairo_stroke(cr);
    } else if (t->rows % 2 == 1) {
        bl__set_rgb(cr, (bl__rgb){0.965, 0.97, 0.98});
        cairo_rectangle(cr, BL_MARGIN, d->y, table_w(t), h);
        cairo_fill(cr);
    }
    for (int i = 0; i < t->ncols; i++) {
        if (heat && heat[i] >= 0) {
            /* A sequential blue tint: lightness carries the value (with the
             * figure printed in the cell, colour is never the only clue). */
            double k = heat[i] > 1 ? 1 : heat[i];
            cairo_set_source_rgb(cr, 1 - 0.75 * k, 1 - 0.45 * k, 1 - 0.2 * k);
            cairo_rectangle(cr, cell_x(t, i) + 0.5, d->y + 0.5, t->cols[i].w - 1, h - 1);
            cairo_fill(cr);
        }
        if (!cells[i] || !*cells[i])
            continue;
        bl__rgb c = flags & BL_ROW_MUTED ? bl__grey : bl__ink;
        if (heat && heat[i] > 0.6)
            c = (bl__rgb){1, 1, 1};
        bl__text(d, f, cell_x(t, i) + PAD_X, d->y + PAD_Y, t->cols[i].w - 2 * PAD_X,
                 t->cols[i].align, cell_lines(t, i, 2), c, cells[i]);
    }
    d->y += h;
    t->rows++;
}

static void drop_pending(bl__table *t)
{
    for (int i = 0; i < 32; i++) {
        free(t->pending_cells[i]);
        t->pending_cells[i] = NULL;
    }
    t->pending = false;
}

/* Draws the pending row, keeping `keep` points of the next row with it. */
static void flush_pending(bl__table *t, double keep)
{
    if (!t->pending)
        return;
    draw_row(t, (const char *const *)t->pending_cells, t->pending_heat_on ? t->pending_heat : NULL,
             t->pending_flags, keep);
    drop_pending(t);
}

void bl__table_row(bl__table *t, const char *const *cells, const double *heat, int flags)
{
    int n = t->ncols < 32 ? t->ncols : 32;
    if (flags & BL_ROW_TOTAL) {
        /* The row before a total goes with it: never a total alone. */
        flush_pending(t, row_height(t, cells, row_font(t, flags), 2));
        draw_row(t, cells, heat, flags, 0);
        return;
    }
    flush_pending(t, 0);
    bool ok = true;
    for (int i = 0; i < n && ok; i++)
        ok = !cells[i] || (t->pending_cells[i] = strdup(cells[i])) != NULL;
    if (!ok) { /* no memory for the copy: drawn now, without looking ahead */
        drop_pending(t);
        draw_row(t, cells, heat, flags, 0);
        return;
    }
    for (int i = 0; i < n; i++)
        t->pending_heat[i] = heat ? heat[i] : -1;
    t->pending_heat_on = heat != NULL;
    t->pending_flags = flags;
    t->pending = true;
}

void bl__table_end(bl__table *t)
{
    flush_pending(t, 0);
    bl__doc *d = t->d;
    cairo_t *cr = d->cr;
    bl__set_rgb(cr, bl__rule);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, BL_MARGIN, d->y);
    cairo_line_to(cr, BL_MARGIN + table_w(t), d->y);
    cairo_stroke(cr);
    d->y += 6;
}
