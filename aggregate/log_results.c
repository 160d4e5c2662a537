/* Access-log rules, results: what the store keeps of a file once its hits
 * are counted (the log ledger's figures, the unattributed ranges, the
 * distinct-user sketches), read through iterators (bilan/aggregate.h). */
#include "hits_internal.h"

#include <stdio.h>
#include <stdlib.h>

bool bl_hits_span(const bl_hits *h, int64_t *first, int64_t *last)
{
    *first = h->t_first;
    *last = h->t_last;
    return h->any;
}

bool bl_hits_fed(const bl_hits *h, const char *resource_id)
{
    for (size_t i = 0; i < h->nres; i++)
        if (h->res_fed[i] && (!resource_id || strcmp(h->res[i].id, resource_id) == 0))
            return true;
    return false;
}

void bl_hits_stats(const bl_hits *h, bl_log_stats *st, long *out_of_order)
{
    *st = (bl_log_stats){.lines = h->n_lines,
                         .events = h->n_events,
                         .robot = h->n_robot,
                         .status = h->n_status,
                         .not_resource = h->n_not_resource,
                         .static_ = h->n_static,
                         .unattributed = h->n_unattributed,
                         .time_first = h->t_first,
                         .time_last = h->t_last};
    *out_of_order = h->out_of_order;
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

bl_status bl_hits_each_unattributed(const bl_hits *h, bl_hits_range_fn fn, void *ctx)
{
    /* The ranges with most events first (ties: in order of appearance);
     * past UNR_STORED, they are summed into "other". */
    size_t *ix = malloc(h->nunr * sizeof *ix);
    if (!ix)
        return BL_NOMEM;
    size_t k = 0;
    for (size_t i = 1; i < h->nunr; i++)
        if (h->unr[i].events > 0)
            ix[k++] = i;
    unr_sort_base = h->unr;
    qsort(ix, k, sizeof *ix, unr_cmp);
    int64_t other = h->unr[0].events;
    bl_status rc = BL_OK;
    for (size_t j = 0; j <= k && rc == BL_OK; j++) {
        char txt[64];
        int64_t ev;
        if (j < k && j < UNR_STORED) {
            const unr_range *u = &h->unr[ix[j]];
            ev = u->events;
            if (u->family == 4)
                snprintf(txt, sizeof txt, "%u.%u.%u.0/24", u->net[0], u->net[1], u->net[2]);
            else
                snprintf(txt, sizeof txt, "%x:%x:%x::/48", u->net[0] << 8 | u->net[1],
                         u->net[2] << 8 | u->net[3], u->net[4] << 8 | u->net[5]);
        } else if (j < k) {
            other += h->unr[ix[j]].events;
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
    for (size_t i = 0; i < h->nsk && rc == BL_OK; i++) {
        const sketch *s = h->sk[i];
        bl_hll_serialize(s->reg, blob);
        rc = fn(ctx, s->lib >= 0 ? h->lib_ids[s->lib] : NULL, s->month, blob, sizeof blob);
    }
    return rc;
}
