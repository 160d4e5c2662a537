/* `bilan network show`: the network as bilan understood it, each item with
 * the months it has usage in and the problems that keep usage from reaching
 * it (docs/network.md, "Seeing the network"). The store gives the lists;
 * the problems are found here, from the lists alone. */
#include "bilan/i18n.h"
#include "bilan/pipeline.h"
#include "bilan/profile.h"
#include "bilan/store_queries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS BL_NET_MAX_COLS

/* The rows of one list, kept while the problems are looked for. */
typedef struct table {
    size_t ncols, nrows, alloc;
    char **cells; /* nrows × ncols */
} table;

static bl_status keep(void *ctx, const char *const *cells, size_t n)
{
    table *t = ctx;
    t->ncols = n;
    if (t->nrows == t->alloc) {
        size_t na = t->alloc ? t->alloc * 2 : 32;
        char **nc = realloc(t->cells, na * n * sizeof *nc);
        if (!nc)
            return BL_NOMEM;
        t->cells = nc, t->alloc = na;
    }
    char **row = t->cells + t->nrows * n;
    for (size_t i = 0; i < n; i++)
        if (!(row[i] = strdup(cells[i]))) {
            while (i-- > 0)
                free(row[i]);
            return BL_NOMEM;
        }
    t->nrows++;
    return BL_OK;
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
}

static const char *cell(const table *t, size_t r, size_t c)
{
    return t->cells[r * t->ncols + c];
}

static size_t col(bl_net_list which, const char *name)
{
    const char *const *cols = bl_store_network_columns(which);
    for (size_t i = 0; cols[i]; i++)
        if (strcmp(cols[i], name) == 0)
            return i;
    return 0;
}

/* Appends "; " + text to a problems cell. */
static void add(char *out, size_t n, const char *text)
{
    size_t l = strlen(out);
    snprintf(out + l, n - l, "%s%s", l ? "; " : "", text);
}

/* The libraries' ranges that overlap another library's, found in one sort
 * and one sweep (n log n, not a comparison of every pair: a network may
 * have tens of thousands of ranges). */
typedef struct range {
    bl_cidr c;
    size_t row, idx; /* library row, position in its ip_ranges cell */
    const char *text;
} range;

typedef struct overlap { /* "IP range a overlaps b of library 'row_b'" for row */
    size_t row, a_idx, o_row, b_idx;
    const char *a, *b;
} overlap;

typedef struct overlaps {
    char *texts; /* the ranges' text, NUL-separated */
    range *r;
    overlap *o;
    size_t nr, no, next; /* next: the first overlap not yet told */
} overlaps;

static int range_cmp(const void *pa, const void *pb)
{
    const range *a = pa, *b = pb;
    if (a->c.family != b->c.family)
        return a->c.family - b->c.family;
    int d = memcmp(a->c.addr, b->c.addr, sizeof a->c.addr);
    return d ? d : a->c.prefix - b->c.prefix; /* the wider block first */
}

static int overlap_cmp(const void *pa, const void *pb)
{
    const overlap *a = pa, *b = pb;
    size_t ka[4] = {a->row, a->a_idx, a->o_row, a->b_idx};
    size_t kb[4] = {b->row, b->a_idx, b->o_row, b->b_idx};
    for (int i = 0; i < 4; i++)
        if (ka[i] != kb[i])
            return ka[i] < kb[i] ? -1 : 1;
    return 0;
}

static bl_status add_overlap(overlaps *ov, size_t *alloc, const range *x, const range *y)
{
    if (ov->no + 2 > *alloc) {
        size_t na = *alloc ? *alloc * 2 : 16;
        overlap *n = realloc(ov->o, na * sizeof *n);
        if (!n)
            return BL_NOMEM;
        ov->o = n, *alloc = na;
    }
    ov->o[ov->no++] = (overlap){x->row, x->idx, y->row, y->idx, x->text, y->text};
    ov->o[ov->no++] = (overlap){y->row, y->idx, x->row, x->idx, y->text, x->text};
    return BL_OK;
}

static bl_status find_overlaps(const table *t, overlaps *ov)
{
    size_t cr = col(BL_NET_LIBRARIES, "ip_ranges"), len = 0, ralloc = 0, oalloc = 0;
    for (size_t r = 0; r < t->nrows; r++)
        len += strlen(cell(t, r, cr)) + 1;
    if (!(ov->texts = malloc(len + 1)))
        return BL_NOMEM;
    char *p = ov->texts;
    for (size_t r = 0; r < t->nrows; r++) {
        size_t idx = 0;
        char *save = NULL;
        strcpy(p, cell(t, r, cr));
        char *end = p + strlen(p) + 1;
        for (char *a = strtok_r(p, ";", &save); a; a = strtok_r(NULL, ";", &save), idx++) {
            bl_cidr c;
            if (!bl_cidr_parse(a, &c))
                continue;
            if (ov->nr == ralloc) {
                size_t na = ralloc ? ralloc * 2 : 16;
                range *n = realloc(ov->r, na * sizeof *n);
                if (!n)
                    return BL_NOMEM;
                ov->r = n, ralloc = na;
            }
            ov->r[ov->nr++] = (range){c, r, idx, a};
        }
        p = end;
    }
    if (ov->nr) /* qsort's base may not be NULL, even for no element */
        qsort(ov->r, ov->nr, sizeof *ov->r, range_cmp);
    /* Blocks are nested or disjoint: the stack holds the chain of blocks
     * that hold the current one, each an overlap with it. */
    size_t *stack = malloc((ov->nr + 1) * sizeof *stack), depth = 0;
    if (!stack)
        return BL_NOMEM;
    bl_status rc = BL_OK;
    for (size_t i = 0; i < ov->nr && rc == BL_OK; i++) {
        const range *cur = &ov->r[i];
        while (depth && !bl_cidr_overlap(&ov->r[stack[depth - 1]].c, &cur->c))
            depth--;
        for (size_t k = 0; k < depth && rc == BL_OK; k++)
            if (ov->r[stack[k]].row != cur->row)
                rc = add_overlap(ov, &oalloc, &ov->r[stack[k]], cur);
        stack[depth++] = i;
    }
    free(stack);
    if (rc == BL_OK && ov->no)
        qsort(ov->o, ov->no, sizeof *ov->o, overlap_cmp);
    return rc;
}

static void overlaps_free(overlaps *ov)
{
    free(ov->texts);
    free(ov->r);
    free(ov->o);
}

/* Ranges of row r that overlap another library's: an address would go to
 * only one of them. */
static void tell_overlaps(const table *t, overlaps *ov, size_t r, char *out, size_t n)
{
    for (; ov->next < ov->no && ov->o[ov->next].row == r; ov->next++) {
        const overlap *o = &ov->o[ov->next];
        char msg[512];
        snprintf(msg, sizeof msg, _("IP range %s overlaps %s of library '%s'"), o->a, o->b,
                 cell(t, o->o_row, 0));
        add(out, n, msg);
    }
}

/* ---- profile: the resources a vendor profile reads (docs/profiles.md) */
typedef struct profiled {
    char **ids;
    size_t n, alloc;
} profiled;

static bl_status on_profile(void *ctx, const char *id, const char *file, const char *text,
                            size_t len)
{
    profiled *pr = ctx;
    bl_profile p;
    char err[512];
    if (bl_profile_parse(id, file, text, len, &p, err, sizeof err) != BL_OK)
        return BL_OK; /* said at ingest; here it only spares a problem */
    if (pr->n == pr->alloc) {
        size_t na = pr->alloc ? pr->alloc * 2 : 8;
        char **nv = realloc(pr->ids, na * sizeof *nv);
        if (!nv) {
            bl_profile_release(&p);
            return BL_NOMEM;
        }
        pr->ids = nv, pr->alloc = na;
    }
    pr->ids[pr->n++] = p.resource;
    p.resource = NULL;
    bl_profile_release(&p);
    return BL_OK;
}

static bool is_profiled(const profiled *pr, const char *id)
{
    for (size_t i = 0; i < pr->n; i++)
        if (strcmp(pr->ids[i], id) == 0)
            return true;
    return false;
}

static void profiled_free(profiled *pr)
{
    for (size_t i = 0; i < pr->n; i++)
        free(pr->ids[i]);
    free(pr->ids);
}
/* ---- end profile */

static void problems(bl_net_list which, const table *t, overlaps *ov, const profiled *pr, size_t r,
                     char *out, size_t n)
{
    out[0] = '\0';
    switch (which) {
    case BL_NET_PARTNERS:
        if (strcmp(cell(t, r, col(which, "libraries")), "0") == 0)
            add(out, n, _("no library: none of its usage can be reported"));
        break;
    case BL_NET_LIBRARIES:
        if (!*cell(t, r, col(which, "aliases")) && !*cell(t, r, col(which, "ip_ranges")))
            add(out, n, _("no alias and no IP range: no usage can be attributed to it"));
        tell_overlaps(t, ov, r, out, n);
        break;
    case BL_NET_RESOURCES:
        if (!*cell(t, r, col(which, "counter_names")) && !*cell(t, r, col(which, "url_pattern")) &&
            !is_profiled(pr, cell(t, r, 0)))
            add(out, n, _("no COUNTER name and no URL pattern: no usage can be attributed to it"));
        break;
    case BL_NET_FORFAITS:
        break;
    case BL_NET_SUSHI: {
        const char *state = cell(t, r, col(which, "last_state"));
        if (strcmp(state, "credentials") == 0)
            add(out, n, _("the server refused the credentials at the last harvest"));
        else if (strcmp(state, "config") == 0)
            add(out, n,
                _("the last harvest failed on the endpoint's settings (URL, customer_id, "
                  "platform or reports)"));
        break;
    }
    case BL_NET_PROFILES:
        break; /* a profile that no longer reads: said by show_profile */
    }
}

/* A profile's match cells ("A | B") and layout, read from its text; a
 * profile that no longer parses (a metric renamed since it was imported)
 * says why in problems. */
static void show_profile(const table *t, size_t r, char *match, size_t mn, char *layout, size_t ln,
                         char *prob, size_t pn)
{
    const char *text = cell(t, r, col(BL_NET_PROFILES, "text"));
    bl_profile p;
    char err[512];
    match[0] = layout[0] = '\0';
    if (bl_profile_parse(cell(t, r, 0), cell(t, r, col(BL_NET_PROFILES, "file")), text,
                         strlen(text), &p, err, sizeof err) != BL_OK) {
        char msg[700];
        snprintf(msg, sizeof msg, _("cannot be read: %s"), err);
        add(prob, pn, msg);
        return;
    }
    for (size_t i = 0; i < p.nmatch; i++) {
        size_t l = strlen(match);
        snprintf(match + l, mn - l, "%s%s", i ? " | " : "", p.match[i]);
    }
    snprintf(layout, ln, "%s", p.layout == BL_PROF_WIDE ? "wide" : "long");
    bl_profile_release(&p);
}

/* A stored column not shown: a profile's text is read, not printed. */
static bool hidden(bl_net_list which, const char *name)
{
    return which == BL_NET_PROFILES && strcmp(name, "text") == 0;
}

const char *const *bl_network_show_columns(bl_net_list which)
{
    static const char *cols[BL_NET_LISTS][MAX_COLS + 4];
    const char *const *store = bl_store_network_columns(which);
    if (!store)
        return NULL;
    size_t i = 0;
    for (size_t k = 0; store[k] && i < MAX_COLS; k++)
        if (!hidden(which, store[k]))
            cols[which][i++] = store[k];
    if (which == BL_NET_PROFILES) {
        cols[which][i++] = "layout";
        cols[which][i++] = "match";
    }
    cols[which][i++] = "problems";
    cols[which][i] = NULL;
    return cols[which];
}

bl_status bl_network_show(bl_store *st, bl_net_list which, bl_net_row_fn fn, void *ctx,
                          long *nproblems)
{
    table t = {0};
    overlaps ov = {0};
    bl_status rc = bl_store_network_list(st, which, keep, &t);
    profiled pr = {0};
    if (rc == BL_OK && which == BL_NET_LIBRARIES)
        rc = find_overlaps(&t, &ov);
    if (rc == BL_OK && which == BL_NET_RESOURCES)
        rc = bl_store_profiles_each(st, on_profile, &pr);
    const char *const *names = bl_store_network_columns(which);
    for (size_t r = 0; rc == BL_OK && r < t.nrows; r++) {
        const char *cells[MAX_COLS + 4];
        char prob[8192], match[2048], layout[16];
        size_t n = 0;
        for (size_t c = 0; c < t.ncols && c < MAX_COLS; c++)
            if (!hidden(which, names[c]))
                cells[n++] = cell(&t, r, c);
        problems(which, &t, &ov, &pr, r, prob, sizeof prob);
        if (which == BL_NET_PROFILES) {
            show_profile(&t, r, match, sizeof match, layout, sizeof layout, prob, sizeof prob);
            cells[n++] = layout;
            cells[n++] = match;
        }
        cells[n++] = prob;
        if (*prob && nproblems)
            (*nproblems)++;
        rc = fn(ctx, cells, n);
    }
    overlaps_free(&ov);
    profiled_free(&pr);
    table_free(&t);
    return rc;
}
