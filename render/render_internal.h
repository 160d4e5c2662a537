/* Internal interfaces of the render layer: the document (pages, text,
 * outline, footer), tables, charts, figures as text, the layouts' shared
 * pieces and the layouts. Units are PDF points (1/72 inch). Files depend
 * downwards only: render.c -> report_*.c -> layout_common.c, figure_text.c
 * -> table.c, chart.c -> doc.c, and all of them -> wording.c (the French
 * wording, render/wording.h). */
#ifndef BILAN_RENDER_INTERNAL_H
#define BILAN_RENDER_INTERNAL_H

#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "bilan/model.h"
#include "bilan/render.h"
#include "wording.h"

/* A4 in points, and the margins. */
#define BL_PAGE_W 595.2756
#define BL_PAGE_H 841.8898
#define BL_MARGIN 45.0
#define BL_CONTENT_W (BL_PAGE_W - 2 * BL_MARGIN)
#define BL_TOP BL_MARGIN
#define BL_BOTTOM (BL_PAGE_H - BL_MARGIN - 18.0) /* room for the footer */

/* Text styles. */
typedef enum bl__font {
    BL_F_BODY,       /* 9 pt */
    BL_F_BOLD,       /* 9 pt bold */
    BL_F_SMALL,      /* 7.5 pt */
    BL_F_TINY,       /* 6.5 pt */
    BL_F_H1,         /* 18 pt bold: report title */
    BL_F_H2,         /* 12 pt bold: section */
    BL_F_FIGURE,     /* 17 pt bold: headline figures */
    BL_F_SMALL_BOLD, /* 7.5 pt bold: totals of dense tables */
    BL_F_TINY_BOLD,  /* 7 pt bold: totals of the twelve-month tables */
    BL_F_COUNT
} bl__font;

typedef enum bl__align { BL_LEFT, BL_RIGHT, BL_CENTER } bl__align;

typedef struct bl__outline {
    char *title;
    int page; /* 1-based */
    double y;
    int level; /* 0 section, 1 subsection */
} bl__outline;

/* A document being drawn: each page is recorded first, so that the footer
 * can say "Page 2 / 3" once the number of pages is known, then replayed
 * into the PDF. */
typedef struct bl__doc {
    cairo_t *cr; /* the current page */
    cairo_surface_t **pages;
    size_t npages, alloc;
    PangoFontMap *fm;
    PangoContext *pc;
    PangoFontDescription *fonts[BL_F_COUNT];
    double y; /* cursor on the current page */
    bl__outline *outline;
    size_t noutline, outline_alloc;
    char footer[256]; /* left part of the footer */
    bool oom;
} bl__doc;

/* Okabe-Ito, the colour-blind-safe palette (RGB 0..1). */
typedef struct bl__rgb {
    double r, g, b;
} bl__rgb;
extern const bl__rgb bl__palette[8];
#define BL_C_BLUE bl__palette[5]
#define BL_C_ORANGE bl__palette[1]
#define BL_C_GREEN bl__palette[3]
#define BL_C_VERMILION bl__palette[6]
#define BL_C_SKY bl__palette[2]
#define BL_C_YELLOW bl__palette[4]
#define BL_C_PURPLE bl__palette[7]
extern const bl__rgb bl__ink, bl__grey, bl__light, bl__rule;
void bl__set_rgb(cairo_t *cr, bl__rgb c);

/* ---- document (render/doc.c) ---------------------------------------------------- */

bl_status bl__doc_init(bl__doc *d, const char *footer);
void bl__doc_release(bl__doc *d);
void bl__doc_new_page(bl__doc *d);
/* Starts a new page unless h points fit below the cursor. */
void bl__doc_need(bl__doc *d, double h);
/* Writes the PDF: replays the pages, adds footers, outline and metadata
 * (keywords may be NULL). */
bl_status bl__doc_finish(bl__doc *d, const char *path, const char *title, const char *subject,
                         const char *keywords, int64_t created_epoch, char *err, size_t errlen);

/* A Pango layout of text in a style, width w (<= 0: no limit), at most
 * max_lines lines (0: no limit; the last line ends with an ellipsis when the
 * text does not fit). Caller unrefs. */
PangoLayout *bl__layout(bl__doc *d, bl__font f, const char *text, double w, int max_lines,
                        bl__align a);
/* Size of a layout in points. */
void bl__layout_size(PangoLayout *l, double *w, double *h);
/* Draws text in a box (x, y, w) and returns its height. */
double bl__text(bl__doc *d, bl__font f, double x, double y, double w, bl__align a, int max_lines,
                bl__rgb c, const char *text);
/* Writes a paragraph at the cursor across the content width and advances. */
void bl__para(bl__doc *d, bl__font f, bl__rgb c, const char *text);
/* A section heading (with an outline entry); keeps `keep` points of what
 * follows on the same page. */
void bl__heading(bl__doc *d, const char *title, int level, double keep);

/* ---- tables (render/table.c) -------------------------------------------------------- */

typedef struct bl__col {
    const char *head;
    double w; /* points */
    bl__align align;
} bl__col;

enum { BL_ROW_TOTAL = 1, BL_ROW_MUTED = 2 };

typedef struct bl__table {
    bl__doc *d;
    const bl__col *cols;
    int ncols;
    int rows;          /* rows drawn since the heading (for zebra stripes) */
    const char *title; /* repeated with "(suite)" on continuation pages */
    bl__font font;     /* body text (BL_F_BODY, or BL_F_SMALL for dense tables) */
    /* Each heading as drawn: its font and its text, abbreviated when a word
     * would not fit its column even in BL_F_TINY (bl__fit_heading). */
    bl__font head_font[32];
    char head_text[32][128];
    /* The last body row, not drawn yet: it is drawn with the next row, or
     * moved with a total row to the next page so that a total is never
     * alone under "(suite)" (bl__table_row). */
    bool pending;
    int pending_flags;
    bool pending_heat_on;
    char *pending_cells[32];
    double pending_heat[32];
} bl__table;

void bl__table_begin(bl__table *t, bl__doc *d, const char *title, const bl__col *cols, int ncols);
/* A heading that never breaks a word (issue 15, docs/reports.md): in font
 * `f` when each of its words (runs between spaces, a hyphen ending its run)
 * fits in width w; else in BL_F_TINY when they fit there; else in
 * BL_F_TINY with each word too wide cut by the French rule: after a
 * consonant and before a vowel, the longest such start that fits with a
 * full stop (« Consultations » -> « Consult. »), else the longest start
 * that fits, with a full stop. Writes the text into out (n bytes), returns
 * the font. */
bl__font bl__fit_heading(bl__doc *d, bl__font f, const char *text, double w, char *out, size_t n);
/* The same with a body font: BL_F_SMALL for tables with many columns. */
void bl__table_begin_font(bl__table *t, bl__doc *d, const char *title, const bl__col *cols,
                          int ncols, bl__font font);
/* One row; cells[i] may be NULL (empty). heat may be NULL, else per-cell
 * intensity (< 0: none). */
void bl__table_row(bl__table *t, const char *const *cells, const double *heat, int flags);
void bl__table_end(bl__table *t);

/* ---- charts (render/chart.c) --------------------------------------------------------------- */

/* "Nice" axis: a step of 1, 2 or 5 × 10^n so that [0, max] takes about
 * `target` steps; returns the step, *top the rounded-up axis end. */
double bl__nice_step(double max, int target, double *top);

typedef struct bl__bar {
    const char *label;
    double value;
    bool missing; /* no data: drawn as a note, not as a zero bar */
} bl__bar;

/* Horizontal bars, one per item, labels on the left. Returns height used. */
double bl__chart_hbars(bl__doc *d, double x, double y, double w, const bl__bar *bars, int n,
                       const char *unit_note);

/* Vertical grouped bars: n categories, 1 or 2 series (series 2 hatched);
 * values[s * n + i]; missing likewise (may be NULL). */
void bl__chart_vbars(bl__doc *d, double x, double y, double w, double h, const char *const *cats,
                     int n, const double *values, const bool *missing, int nseries,
                     const char *const *series_names);

/* Trend lines over n months: series 0 solid with dots, series 1 dashed with
 * squares (last year); missing points break the line; partial points (some
 * provider's data missing, may be NULL) are drawn hollow and explained
 * under the chart. */
void bl__chart_lines(bl__doc *d, double x, double y, double w, double h, const char *const *cats,
                     int n, const double *values, const bool *missing, const bool *partial,
                     int nseries, const char *const *series_names);

/* A forfait gauge: percent used with the alert threshold marked. Returns
 * the height used. */
double bl__chart_gauge(bl__doc *d, double x, double y, double w, const bl_model_gauge *g);

/* ---- figures as French text (render/figure_text.c) ------------------------------------- */

/* a × b / c rounded half up, saturating instead of overflowing (0 when c
 * is not positive): shares of a cost. */
int64_t bl__prorata(int64_t a, int64_t b, int64_t c);
/* Distinct users in French digits, "moins de 5" under BL_USERS_SHOWN_MIN. */
char *bl__users_text(char *out, size_t n, int64_t users);
/* Which of a partner's libraries (hidden[i], m->n_libs of them) have their
 * active users hidden (« masqué ») beside those under BL_USERS_SHOWN_MIN:
 * with the total printed, one small figure could be told by subtraction
 * (total 8, the other library 6: 2), so the smallest printed ones are
 * hidden too until the total less the figures still printed is
 * BL_USERS_SHOWN_MIN at least (docs/privacy.md). True when any is hidden. */
bool bl__users_hidden(const bl_model *m, bool *hidden);
/* Per 1 000 inhabitants with one decimal, "—" when population is 0. */
char *bl__per_1000(char *out, size_t n, int64_t v, int64_t population);
/* A total: "—" without data, "1 515 †" when partial, else "1 515". */
char *bl__total_text(char *out, size_t n, bl_model_total t);
/* A resource's figure over `len` months of which `n_has` have data. */
char *bl__sum_text(char *out, size_t n, int64_t v, int n_has, int n_missing);
/* x's sum over [first, last] as the text of a cell (« — » without data, †
 * when a month over lacks data), returned as a number too. */
/* The head of a column of reference figures for [first, last] shifted
 * back by `shift` months: label, or in a provisional period the months
 * compared ("janvier à juin 2025", bl_model_compared_last). */
/* x's reference figure beside the change of [first, last] (the months
 * compared, `shift` months before), as bl__res_sum_text. */
int64_t bl__res_base_text(char *out, size_t n, const bl_model *m, const bl_model_resource *x,
                          int first, int last, int shift);
const char *bl__base_head(char *out, size_t n, const bl_model *m, const char *label, int first,
                          int last, int shift);
int64_t bl__res_sum_text(char *out, size_t n, const bl_model *m, const bl_model_resource *x,
                         int first, int last);
/* A change "à périmètre égal" (bl_model_compare): "—" when nothing is
 * comparable (no change against missing data), "n.s." against a real 0,
 * else "+12,5 %". */
char *bl__change_text(char *out, size_t n, const bl_model_change *c);
/* The base of a change, as the second line of its card: "<label> : 1 200"
 * (" *" when some resource was left out), or why there is none. */
char *bl__base_line(char *out, size_t n, const char *label, const bl_model_change *c);
/* The change of one resource, by the same rule as a whole report's:
 * bl_model_compare over a view of m that holds r only. */
bl_model_change bl__resource_compare(const bl_model *m, const bl_model_resource *r, int first,
                                     int last, int shift);

/* ---- pieces every layout shares (render/layout_common.c) ---------------------------------- */

/* A resource is listed when the store knows anything of it in the model's
 * window (a resource never delivered at all would only be noise). */
bool bl__resource_listed(const bl_model_resource *r);
/* Sets mask[] for the months [first, last] inside the window. */
void bl__mask_range(const bl_model *m, bool mask[BL_WINDOW], int first, int last);
/* miss[i] (i < 12) for the months first + i up to last (a year at most)
 * that resource x has no data for; returns how many. */
int bl__months_missing(const bl_model *m, const bl_model_resource *x, int first, int last,
                       bool miss[12]);
/* The footnote of partial totals: "† total partiel : données manquantes
 * pour <resource> (<months>), …" over the window slots set in mask; draws
 * nothing when no listed resource misses a month there. */
void bl__partial_note(bl__doc *d, const bl_model *m, const bool mask[BL_WINDOW]);
/* That note's items, without its opening ("Presse et Vidéo (janvier à avril
 * 2025) ; Langues (juin 2026 : Médiathèque de Villeneuve)"), appended to
 * line; *nitems: how many (0: nothing missing there). */
bl_status bl__partial_items(bl_buf *line, const bl_model *m, const bool mask[BL_WINDOW],
                            int *nitems);
/* What x lacks over the window slots set in mask, in words: the months
 * with no data as spans, then the partial months with the libraries whose
 * own reports are missing ("mai 2026 ; octobre 2026 : Médiathèque
 * Jean-Giono"); nothing when it lacks nothing there. */
bl_status bl__gap_text(bl_buf *b, const bl_model *m, const bl_model_resource *x,
                       const bool mask[BL_WINDOW]);
/* A model's list of names, one a line ("A\nB\nC"), as "A, B et C". */
bl_status bl__names_text(bl_buf *b, const char *lines);
/* A network report's partner's total over the period: has data when one
 * of its cells has, partial when one lacks a month or has part of it (its
 * own scope: bl_model_partner.n_has, n_missing). */
bl_model_total bl__partner_total(const bl_model *m, const bl_model_partner *p);
/* Under the key figures of a period not over: its months not over are not
 * missing data, and the changes compare its months over. */
void bl__running_note(bl__doc *d, const bl_model *m);
/* ---- profile: network-level totals (docs/profiles.md) */
/* A resource's name with its mark: ‡ when figures of it are estimated
 * shares of a network-level total, § (network reports) when it holds a
 * total kept at network level. out is returned. */
const char *bl__resource_label(char *out, size_t n, const bl_model_resource *r);
/* A partner's name with ‡ when its cells hold an estimated share. */
const char *bl__partner_label(char *out, size_t n, const bl_model_partner *p);
/* The footnotes of those marks, one per resource concerned, with its rule. */
void bl__estimate_notes(bl__doc *d, const bl_model *m);
/* ---- end profile */
/* Totals of the listed resources for the 12 months ending at `last` (series
 * 0) and the 12 before (series 1), with the chart's month labels: a month is
 * missing when no resource has data, partial when some lack it. */
void bl__twelve_months(const bl_model *m, int last, const char *cats[12], char lab[12][16],
                       double v[24], bool miss[24], bool part[24]);

/* The title block: overline (small capitals line), title, subtitle, and
 * the generation date; advances the cursor. */
void bl__title_block(bl__doc *d, const bl_model *m, const char *overline, const char *title,
                     const char *subtitle);

/* A headline card: label, big figure, a line below. */
typedef struct bl__card {
    const char *label;
    const char *figure;
    const char *sub;
} bl__card;
/* A row of n cards across the content width; advances the cursor. */
void bl__cards(bl__doc *d, const bl__card *cards, int n);

/* ---- report layouts (render/report_partner.c, render/report_network.c) ------------------- */

/* Each draws a whole report of its kinds into d; render.c picks one. */
void bl__draw_partner(bl__doc *d, const bl_model *m);
/* The section « Par bibliothèque » of a partner report (render/report_library.c):
 * nothing when the partner has fewer than two libraries. */
void bl__libraries(bl__doc *d, const bl_model *m);
/* Library lib's consultations of resource r in window slot k, or (lib < 0)
 * what the partner counts beyond its libraries there (a share of a
 * network-level total; never below 0). The one rule the PDF's section by
 * library and the workbook's sheet both use. */
int64_t bl__library_value(const bl_model *m, long lib, size_t r, int k);
void bl__draw_network(bl__doc *d, const bl_model *m);

#endif
