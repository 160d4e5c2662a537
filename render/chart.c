/* Charts on Cairo: horizontal and vertical bars, trend lines, forfait
 * gauges. Axes use "nice" steps (1, 2, 5 × 10^n) with French labels; every
 * label is measured before it is drawn, and labels that would overlap are
 * rotated, then thinned. Colours come from the Okabe-Ito palette and every
 * series also differs by its pattern (hatching, dashes, markers), so no
 * meaning rests on colour alone. */
#include "render_internal.h"

#include <math.h>
#include <stdio.h>

double bl__nice_step(double max, int target, double *top)
{
    if (!(max > 0))
        max = 1;
    double raw = max / (target > 0 ? target : 5);
    double p = pow(10, floor(log10(raw)));
    double f = raw / p;
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    if (step < 1)
        step = 1; /* counts are whole: no tick at 0,5 */
    if (top)
        *top = ceil(max / step) * step;
    return step;
}

static void tick_label(char *out, size_t n, double v)
{
    bl_fr_int(out, n, (int64_t)llround(v));
}

static void hatch(cairo_t *cr, double x, double y, double w, double h, bl__rgb c)
{
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    bl__set_rgb(cr, c);
    cairo_set_line_width(cr, 0.7);
    for (double k = -h; k < w; k += 3.5) {
        cairo_move_to(cr, x + k, y + h);
        cairo_line_to(cr, x + k + h, y);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

static double text_w(bl__doc *d, bl__font f, const char *s)
{
    PangoLayout *l = bl__layout(d, f, s, -1, 0, BL_LEFT);
    double w;
    bl__layout_size(l, &w, NULL);
    g_object_unref(l);
    return w;
}

/* ---- horizontal bars ----------------------------------------------------------- */

double bl__chart_hbars(bl__doc *d, double x, double y, double w, const bl__bar *bars, int n,
                       const char *unit_note)
{
    cairo_t *cr = d->cr;
    const double row = 15, label_w = w * 0.32, value_w = 52;
    double max = 0;
    for (int i = 0; i < n; i++)
        if (!bars[i].missing && bars[i].value > max)
            max = bars[i].value;
    double top;
    double step = bl__nice_step(max, 5, &top);
    double ax = x + label_w + 6, aw = w - label_w - 6 - value_w;
    double h = n * row;
    /* Grid and ticks. */
    cairo_set_line_width(cr, 0.4);
    for (double t = 0; t <= top + step / 2; t += step) {
        double px = ax + aw * t / top;
        bl__set_rgb(cr, t == 0 ? bl__grey : bl__rule);
        cairo_move_to(cr, px, y);
        cairo_line_to(cr, px, y + h);
        cairo_stroke(cr);
        char lab[32];
        tick_label(lab, sizeof lab, t);
        double tw = text_w(d, BL_F_TINY, lab);
        bl__text(d, BL_F_TINY, px - tw / 2 - 1, y + h + 2, tw + 2, BL_CENTER, 1, bl__grey, lab);
    }
    for (int i = 0; i < n; i++) {
        double ry = y + i * row;
        /* A label too long for one line goes on two in the small print
         * rather than lose its end (« Autoformation (langues, code de la
         * ro… » until 3 December 2026). */
        if (text_w(d, BL_F_SMALL, bars[i].label) <= label_w)
            bl__text(d, BL_F_SMALL, x, ry + 2.5, label_w, BL_RIGHT, 1, bl__ink, bars[i].label);
        else if (text_w(d, BL_F_TINY, bars[i].label) <= label_w)
            bl__text(d, BL_F_TINY, x, ry + 3.5, label_w, BL_RIGHT, 1, bl__ink, bars[i].label);
        else
            bl__text(d, BL_F_TINY, x, ry, label_w, BL_RIGHT, 2, bl__ink, bars[i].label);
        if (bars[i].missing) {
            bl__text(d, BL_F_SMALL, ax + 4, ry + 2.5, aw, BL_LEFT, 1, bl__grey,
                     BL_W_CHART_NOT_RECEIVED);
            continue;
        }
        double bw = top > 0 ? aw * bars[i].value / top : 0;
        bl__set_rgb(cr, BL_C_BLUE);
        cairo_rectangle(cr, ax, ry + 2.5, bw, row - 5);
        cairo_fill(cr);
        char v[32];
        bl_fr_int(v, sizeof v, (int64_t)llround(bars[i].value));
        bl__text(d, BL_F_SMALL, ax + bw + 3, ry + 2.5, value_w + aw - bw, BL_LEFT, 1, bl__ink, v);
    }
    double used = h + 12;
    if (unit_note) {
        bl__text(d, BL_F_TINY, ax, y + used, aw + value_w, BL_LEFT, 2, bl__grey, unit_note);
        used += 10;
    }
    return used;
}

/* ---- axes shared by vertical bars and lines ------------------------------------------- */

typedef struct axis {
    double px, py, pw, ph; /* plot area */
    double top, step;
    double slot; /* width per category */
} axis;

static axis draw_axes(bl__doc *d, double x, double y, double w, double h, const char *const *cats,
                      int n, double max)
{
    cairo_t *cr = d->cr;
    axis a;
    a.step = bl__nice_step(max, 4, &a.top);
    char lab[32];
    tick_label(lab, sizeof lab, a.top);
    double lw = text_w(d, BL_F_TINY, lab) + 5;
    /* Category labels: horizontal when they fit their slot, else rotated
     * 45°, and if even rotated lines would collide, only every k-th. */
    double maxcat = 0;
    for (int i = 0; i < n; i++) {
        double cw = text_w(d, BL_F_TINY, cats[i]);
        if (cw > maxcat)
            maxcat = cw;
    }
    a.px = x + lw;
    a.pw = w - lw;
    a.slot = n > 0 ? a.pw / n : a.pw;
    bool rotate = maxcat + 2 > a.slot;
    double line_h = 8;
    int every = 1;
    if (rotate)
        while (a.slot * every * 0.7071 < line_h)
            every++;
    double cat_h = rotate ? maxcat * 0.7071 + line_h : line_h + 2;
    a.py = y;
    a.ph = h - cat_h - 2;
    /* Grid and tick labels. */
    cairo_set_line_width(cr, 0.4);
    for (double t = 0; t <= a.top + a.step / 2; t += a.step) {
        double yy = a.py + a.ph - a.ph * t / a.top;
        bl__set_rgb(cr, t == 0 ? bl__grey : bl__rule);
        cairo_move_to(cr, a.px, yy);
        cairo_line_to(cr, a.px + a.pw, yy);
        cairo_stroke(cr);
        tick_label(lab, sizeof lab, t);
        bl__text(d, BL_F_TINY, x, yy - 4, lw - 3, BL_RIGHT, 1, bl__grey, lab);
    }
    for (int i = 0; i < n; i += every) {
        double cx = a.px + a.slot * (i + 0.5);
        double base = a.py + a.ph + 2;
        if (!rotate) {
            bl__text(d, BL_F_TINY, cx - a.slot / 2, base, a.slot, BL_CENTER, 1, bl__grey, cats[i]);
            continue;
        }
        PangoLayout *l = bl__layout(d, BL_F_TINY, cats[i], -1, 0, BL_LEFT);
        double tw, th;
        bl__layout_size(l, &tw, &th);
        cairo_save(cr);
        cairo_translate(cr, cx, base + 2);
        cairo_rotate(cr, -M_PI / 4);
        cairo_move_to(cr, -tw, -th / 2);
        bl__set_rgb(cr, bl__grey);
        pango_cairo_show_layout(cr, l);
        cairo_restore(cr);
        g_object_unref(l);
    }
    return a;
}

static void legend(bl__doc *d, double x, double y, double w, const char *const *names, int nseries,
                   bool lines)
{
    cairo_t *cr = d->cr;
    double cx = x + w;
    for (int s = nseries - 1; s >= 0; s--) {
        double tw = text_w(d, BL_F_TINY, names[s]);
        cx -= tw;
        bl__text(d, BL_F_TINY, cx, y, tw + 1, BL_LEFT, 1, bl__ink, names[s]);
        cx -= 16;
        bl__rgb c = s == 0 ? BL_C_BLUE : BL_C_ORANGE;
        if (lines) {
            bl__set_rgb(cr, c);
            cairo_set_line_width(cr, 1.4);
            double dash[] = {3, 2};
            cairo_set_dash(cr, dash, s == 1 ? 2 : 0, 0);
            cairo_move_to(cr, cx, y + 4.5);
            cairo_line_to(cr, cx + 12, y + 4.5);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
        } else if (s == 0) {
            bl__set_rgb(cr, c);
            cairo_rectangle(cr, cx, y + 1, 12, 7);
            cairo_fill(cr);
        } else {
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_rectangle(cr, cx, y + 1, 12, 7);
            cairo_fill(cr);
            hatch(cr, cx, y + 1, 12, 7, c);
            bl__set_rgb(cr, c);
            cairo_set_line_width(cr, 0.6);
            cairo_rectangle(cr, cx, y + 1, 12, 7);
            cairo_stroke(cr);
        }
        cx -= 12;
    }
}

void bl__chart_vbars(bl__doc *d, double x, double y, double w, double h, const char *const *cats,
                     int n, const double *values, const bool *missing, int nseries,
                     const char *const *series_names)
{
    cairo_t *cr = d->cr;
    double max = 0;
    for (int i = 0; i < n * nseries; i++)
        if (!(missing && missing[i]) && values[i] > max)
            max = values[i];
    legend(d, x, y, w, series_names, nseries, false);
    axis a = draw_axes(d, x, y + 14, w, h - 14, cats, n, max);
    double gap = a.slot * 0.2, bw = (a.slot - gap) / nseries;
    for (int s = 0; s < nseries; s++) {
        for (int i = 0; i < n; i++) {
            double bx = a.px + a.slot * i + gap / 2 + s * bw;
            if (missing && missing[s * n + i]) {
                /* No data: a small grey "?" on the axis, never a zero bar. */
                bl__text(d, BL_F_TINY, bx, a.py + a.ph - 9, bw, BL_CENTER, 1, bl__grey,
                         BL_W_CHART_MISSING);
                continue;
            }
            double bh = a.ph * values[s * n + i] / a.top;
            bl__rgb c = s == 0 ? BL_C_BLUE : BL_C_ORANGE;
            if (s == 0) {
                bl__set_rgb(cr, c);
                cairo_rectangle(cr, bx, a.py + a.ph - bh, bw - 1, bh);
                cairo_fill(cr);
            } else {
                hatch(cr, bx, a.py + a.ph - bh, bw - 1, bh, c);
                bl__set_rgb(cr, c);
                cairo_set_line_width(cr, 0.6);
                cairo_rectangle(cr, bx, a.py + a.ph - bh, bw - 1, bh);
                cairo_stroke(cr);
            }
        }
    }
}

void bl__chart_lines(bl__doc *d, double x, double y, double w, double h, const char *const *cats,
                     int n, const double *values, const bool *missing, const bool *partial,
                     int nseries, const char *const *series_names)
{
    cairo_t *cr = d->cr;
    double max = 0;
    for (int i = 0; i < n * nseries; i++)
        if (!(missing && missing[i]) && values[i] > max)
            max = values[i];
    legend(d, x, y, w, series_names, nseries, true);
    bool any_partial = false;
    for (int i = 0; partial && i < n * nseries; i++)
        any_partial = any_partial || (partial[i] && !(missing && missing[i]));
    if (any_partial) {
        h -= 10;
        bl__text(d, BL_F_TINY, x, y + h + 1, w, BL_LEFT, 1, bl__grey, BL_W_CHART_HOLLOW);
    }
    axis a = draw_axes(d, x, y + 14, w, h - 14, cats, n, max);
    /* Last year first, so this year's line is drawn on top. */
    for (int s = nseries - 1; s >= 0; s--) {
        bl__rgb c = s == 0 ? BL_C_BLUE : BL_C_ORANGE;
        bl__set_rgb(cr, c);
        cairo_set_line_width(cr, s == 0 ? 1.8 : 1.3);
        double dash[] = {4, 2.5};
        cairo_set_dash(cr, dash, s == 1 ? 2 : 0, 0);
        bool pen = false;
        for (int i = 0; i < n; i++) {
            if (missing && missing[s * n + i]) {
                pen = false;
                continue;
            }
            double px = a.px + a.slot * (i + 0.5);
            double py = a.py + a.ph - a.ph * values[s * n + i] / a.top;
            if (pen)
                cairo_line_to(cr, px, py);
            else
                cairo_move_to(cr, px, py);
            pen = true;
        }
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        for (int i = 0; i < n; i++) {
            if (missing && missing[s * n + i])
                continue;
            double px = a.px + a.slot * (i + 0.5);
            double py = a.py + a.ph - a.ph * values[s * n + i] / a.top;
            if (s == 0)
                cairo_arc(cr, px, py, 2.2, 0, 2 * M_PI);
            else
                cairo_rectangle(cr, px - 1.8, py - 1.8, 3.6, 3.6);
            if (partial && partial[s * n + i]) {
                /* Hollow: white inside, the series colour around. */
                cairo_set_source_rgb(cr, 1, 1, 1);
                cairo_fill_preserve(cr);
                bl__set_rgb(cr, c);
                cairo_set_line_width(cr, 1.0);
                cairo_stroke(cr);
            } else {
                cairo_fill(cr);
            }
        }
    }
}

/* ---- forfait gauge ------------------------------------------------------------------------ */

double bl__chart_gauge(bl__doc *d, double x, double y, double w, const bl_model_gauge *g)
{
    cairo_t *cr = d->cr;
    char used[32], units[32], pct[32], line[256];
    bl_fr_int(used, sizeof used, g->used);
    bl_fr_int(units, sizeof units, g->units);
    int64_t tenths = g->units > 0 ? (g->used * 1000 + g->units / 2) / g->units : 0;
    bl_fr_percent(pct, sizeof pct, tenths);
    snprintf(line, sizeof line, g->used > 1 ? BL_W_GAUGE_LINE : BL_W_GAUGE_LINE_ONE, g->label, used,
             units, pct, bl__w_gauge_status(g->status));
    double h = bl__text(d, BL_F_BOLD, x, y, w, BL_LEFT, 2, bl__ink, line) + 3;
    double by = y + h, bh = 11;
    bl__set_rgb(cr, bl__light);
    cairo_rectangle(cr, x, by, w, bh);
    cairo_fill(cr);
    double frac = g->units > 0 ? (double)g->used / (double)g->units : 0;
    if (frac > 1)
        frac = 1;
    bl__rgb c = g->status == BL_GAUGE_OK      ? BL_C_BLUE
                : g->status == BL_GAUGE_WATCH ? BL_C_ORANGE
                                              : BL_C_VERMILION;
    bl__set_rgb(cr, c);
    cairo_rectangle(cr, x, by, w * frac, bh);
    cairo_fill(cr);
    if (g->status != BL_GAUGE_OK)
        hatch(cr, x, by, w * frac, bh, (bl__rgb){1, 1, 1});
    /* The alert threshold. */
    double tx = x + w * g->alert_percent / 100.0;
    bl__set_rgb(cr, bl__ink);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, tx, by - 2);
    cairo_line_to(cr, tx, by + bh + 2);
    cairo_stroke(cr);
    char thr[48];
    snprintf(thr, sizeof thr, BL_W_GAUGE_THRESHOLD, g->alert_percent);
    double tw = text_w(d, BL_F_TINY, thr);
    double lx = tx - tw / 2;
    if (lx + tw > x + w)
        lx = x + w - tw;
    bl__text(d, BL_F_TINY, lx, by + bh + 2, tw + 1, BL_LEFT, 1, bl__grey, thr);
    h += bh + 12;
    if (g->sentence && *g->sentence)
        h += bl__text(d, BL_F_SMALL, x, y + h, w, BL_LEFT, 3, bl__ink, g->sentence) + 2;
    return h + 4;
}
