/* Access-log rules, results: what the store keeps of a file once its hits
 * are counted (the log ledger's figures, the unattributed ranges, the
 * distinct-user sketches), read through iterators (bilan/aggregate.h). */
#include "hits_internal.h"

#include <stdio.h>
#include <stdlib.h>

bool bl_hits_span(const bl_hits *h, int64_t *first, int64_t *last)
{
    const hfile *f = h->out;
    *first = f->t_first;
    *last = f->t_last;
    return f->any;
}

bool bl_hits_fed(const bl_hits *h, const char *resource_id)
{
    for (size_t i = 0; i < h->nres; i++)
        if (h->out->res_fed[i] && (!resource_id || strcmp(h->res[i].id, resource_id) == 0))
            return true;
    return false;
}

void bl_hits_stats(const bl_hits *h, bl_log_stats *st, long *out_of_order)
{
    const hfile *f = h->out;
    *st = (bl_log_stats){.lines = f->n_lines,
                         .events = f->n_events,
                         .robot = f->n_robot,
                         .status = f->n_status,
                         .not_resource = f->n_not_resource,
                         .static_ = f->n_static,
                         .unattributed = f->n_unattributed,
                         .time_first = f->t_first,
                         .time_last = f->t_last};
    *out_of_order = f->out_of_order;
}

static const unr_range *unr_sort_base; /* qsort has no context argument */

static int unr_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int64_t ea = unr_sort_base[a].events, eb = unr_sort_base[b].events;
    if (ea != eb)
        return ea > eb ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* unr_cmp's order by a counting sort (most ranges have a few events, and a
 * day's file can have 16 384 of them): ix[0..k) holds indexes in increasing
 * order, each with 1..most events. False (ix unchanged) when most is too
 * big for it or memory is short: qsort then. */
static bool by_events(const unr_range *unr, size_t *ix, size_t k, int64_t most)
{
    if (k < 2 || most > 4 * (int64_t)k + 64)
        return k < 2;
    size_t nb = (size_t)most + 1;
    size_t *start = calloc(nb + 1, sizeof *start), *out = malloc(k * sizeof *out);
    if (!start || !out) {
        free(start);
        free(out);
        return false;
    }
    /* Buckets from the most events down; within one, the order of ix. */
    for (size_t j = 0; j < k; j++)
        start[(size_t)(most - unr[ix[j]].events) + 1]++;
    for (size_t b = 1; b <= nb; b++)
        start[b] += start[b - 1];
    for (size_t j = 0; j < k; j++)
        out[start[(size_t)(most - unr[ix[j]].events)]++] = ix[j];
    memcpy(ix, out, k * sizeof *ix);
    free(start);
    free(out);
    return true;
}

bl_status bl_hits_each_unattributed(const bl_hits *h, bl_hits_range_fn fn, void *ctx)
{
    const hfile *f = h->out;
    /* The ranges with most events first (ties: in order of appearance);
     * past UNR_STORED, they are summed into "other". */
    size_t *ix = malloc(f->nunr * sizeof *ix);
    if (!ix)
        return BL_NOMEM;
    size_t k = 0;
    int64_t most = 0;
    for (size_t i = 1; i < f->nunr; i++)
        if (f->unr[i].events > 0) {
            ix[k++] = i;
            if (f->unr[i].events > most)
                most = f->unr[i].events;
        }
    if (!by_events(f->unr, ix, k, most)) {
        unr_sort_base = f->unr;
        qsort(ix, k, sizeof *ix, unr_cmp);
    }
    int64_t other = f->unr[0].events;
    bl_status rc = BL_OK;
    for (size_t j = 0; j <= k && rc == BL_OK; j++) {
        char txt[64];
        int64_t ev;
        if (j < k && j < UNR_STORED) {
            const unr_range *u = &f->unr[ix[j]];
            ev = u->events;
            if (u->family == 4)
                snprintf(txt, sizeof txt, "%u.%u.%u.0/24", u->net[0], u->net[1], u->net[2]);
            else
                snprintf(txt, sizeof txt, "%x:%x:%x::/48", u->net[0] << 8 | u->net[1],
                         u->net[2] << 8 | u->net[3], u->net[4] << 8 | u->net[5]);
        } else if (j < k) {
            other += f->unr[ix[j]].events;
            continue;
        } else if (other > 0) {
            ev = other;
            snprintf(txt, sizeof txt, "other");
        } else {
            break;
        }
        rc = fn(ctx, txt, ev);
    }
    free(ix);
    return rc;
}

bl_status bl_hits_each_sketch(const bl_hits *h, bl_hits_sketch_fn fn, void *ctx)
{
    uint8_t blob[BL_HLL_BLOB];
    bl_status rc = BL_OK;
    const hfile *f = h->out;
    for (size_t i = 0; i < f->nsk && rc == BL_OK; i++) {
        const sketch *s = f->sk[i];
        bl_hll_serialize(s->reg, blob);
        rc = fn(ctx, s->lib >= 0 ? h->lib_ids[s->lib] : NULL, s->month, blob, sizeof blob);
    }
    return rc;
}

bool bl_hits_overlap_pending(const bl_hits *h, size_t *index, char *rid, size_t n)
{
    const hfile *c = h->cur;
    if (!c || !c->any)
        return false;
    for (size_t i = 0; i < h->nfiles; i++) {
        const hfile *f = h->files[i];
        if (f == c || !f->any ||
            (f->t_last < c->t_last ? f->t_last : c->t_last) -
                    (f->t_first > c->t_first ? f->t_first : c->t_first) <=
                BL_LOG_WINDOW)
            continue;
        for (size_t r = 0; r < h->nres; r++)
            if (f->res_fed[r] && c->res_fed[r]) {
                *index = i;
                snprintf(rid, n, "%s", h->res[r].id);
                return true;
            }
    }
    return false;
}
