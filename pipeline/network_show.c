/* `bilan network show`: the network as bilan understood it, each item with
 * the months it has usage in and the problems that keep usage from reaching
 * it (docs/network.md, "Seeing the network"). The store gives the lists;
 * the problems are found here, from the lists alone. */
#include "bilan/pipeline.h"
#include "bilan/store_queries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 12

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

/* Ranges of two libraries that overlap: an address would go to the first. */
static void overlaps(const table *t, size_t r, char *out, size_t n)
{
    size_t cr = col(BL_NET_LIBRARIES, "ip_ranges");
    char mine[4096];
    snprintf(mine, sizeof mine, "%s", cell(t, r, cr));
    char *msave = NULL;
    for (char *a = strtok_r(mine, ";", &msave); a; a = strtok_r(NULL, ";", &msave)) {
        bl_cidr ca;
        if (!bl_cidr_parse(a, &ca))
            continue;
        for (size_t o = 0; o < t->nrows; o++) {
            if (o == r)
                continue;
            char other[4096], *save = NULL;
            snprintf(other, sizeof other, "%s", cell(t, o, cr));
            for (char *b = strtok_r(other, ";", &save); b; b = strtok_r(NULL, ";", &save)) {
                bl_cidr cb;
                if (bl_cidr_parse(b, &cb) && bl_cidr_overlap(&ca, &cb)) {
                    char msg[512];
                    snprintf(msg, sizeof msg, "IP range %s overlaps %s of library '%s'", a, b,
                             cell(t, o, 0));
                    add(out, n, msg);
                }
            }
        }
    }
}

static void problems(bl_net_list which, const table *t, size_t r, char *out, size_t n)
{
    out[0] = '\0';
    switch (which) {
    case BL_NET_PARTNERS:
        if (strcmp(cell(t, r, col(which, "libraries")), "0") == 0)
            add(out, n, "no library: none of its usage can be reported");
        break;
    case BL_NET_LIBRARIES:
        if (!*cell(t, r, col(which, "aliases")) && !*cell(t, r, col(which, "ip_ranges")))
            add(out, n, "no alias and no IP range: no usage can be attributed to it");
        overlaps(t, r, out, n);
        break;
    case BL_NET_RESOURCES:
        if (!*cell(t, r, col(which, "counter_names")) && !*cell(t, r, col(which, "url_pattern")))
            add(out, n, "no COUNTER name and no URL pattern: no usage can be attributed to it");
        break;
    case BL_NET_FORFAITS:
        break;
    }
}

const char *const *bl_network_show_columns(bl_net_list which)
{
    static const char *cols[4][MAX_COLS + 2];
    const char *const *store = bl_store_network_columns(which);
    if (!store)
        return NULL;
    size_t i = 0;
    for (; store[i] && i < MAX_COLS; i++)
        cols[which][i] = store[i];
    cols[which][i++] = "problems";
    cols[which][i] = NULL;
    return cols[which];
}

bl_status bl_network_show(bl_store *st, bl_net_list which, bl_net_row_fn fn, void *ctx,
                          long *nproblems)
{
    table t = {0};
    bl_status rc = bl_store_network_list(st, which, keep, &t);
    for (size_t r = 0; rc == BL_OK && r < t.nrows; r++) {
        const char *cells[MAX_COLS + 1];
        char prob[8192];
        for (size_t c = 0; c < t.ncols && c < MAX_COLS; c++)
            cells[c] = cell(&t, r, c);
        problems(which, &t, r, prob, sizeof prob);
        cells[t.ncols] = prob;
        if (*prob && nproblems)
            (*nproblems)++;
        rc = fn(ctx, cells, t.ncols + 1);
    }
    table_free(&t);
    return rc;
}
