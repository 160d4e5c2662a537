/* Access-log rules, per-patron quotas (docs/forfaits.md, docs/logs.md): the
 * forfaits that limit a patron's monthly uses of a resource, the uses a file
 * leaves for the store to judge across files (open months), and the excess
 * a late file of a closed month establishes on its own. */
#include "hits_internal.h"

#include <stdlib.h>

static int metric_index(const char *m)
{
    for (int i = 0; i < M__COUNT; i++)
        if (strcmp(m, METRIC[i]) == 0)
            return i;
    return -1;
}

bl_status bl__log_load_quotas(bl_hits *h, const bl_log_network *net)
{
    for (size_t k = 0; k < net->nquotas; k++) {
        const bl_log_quota *lq = &net->quotas[k];
        int res = -1;
        for (size_t i = 0; i < h->nres; i++)
            if (strcmp(h->res[i].id, lq->resource_id) == 0)
                res = (int)i;
        int metric = metric_index(lq->metric);
        int y1, m1, d1, y2, m2, d2;
        if (res < 0 || metric < 0 || !bl_date_parse(lq->start, &y1, &m1, &d1) ||
            !bl_date_parse(lq->end, &y2, &m2, &d2))
            continue; /* a metric logs cannot give, or no log-counted resource */
        quota_rule *n = realloc(h->rules, (h->nrules + 1) * sizeof *n);
        if (!n)
            return BL_NOMEM;
        h->rules = n;
        h->rules[h->nrules++] =
            (quota_rule){res, metric, lq->quota, bl_month_index(y1, m1), bl_month_index(y2, m2)};
        h->res[res].quota = true;
    }
    return BL_OK;
}

void bl__fold_patron(bl_hits *h, hfile *f, const pq_ent *p)
{
    for (size_t i = 0; i < h->nrules; i++) {
        const quota_rule *q = &h->rules[i];
        if (q->res != p->res || p->month < q->from || p->month > q->to)
            continue;
        bool isnew;
        qx_ent *x = bl__u64map_put(&f->qx, ((uint64_t)(i + 1) << 32) | (uint64_t)p->month, &isnew);
        if (!x)
            continue;
        x->rule = (int32_t)i;
        x->month = p->month;
        if (p->n[q->metric] > q->quota) {
            x->patrons++;
            x->extra += p->n[q->metric] - q->quota;
        }
    }
}

bool bl_hits_has_quotas(const bl_hits *h)
{
    return h->nrules > 0;
}

bl_status bl_hits_each_quota_use(const bl_hits *h, int now_month, bl_hits_use_fn fn, void *ctx)
{
    bl_status rc = BL_OK;
    const hfile *f = h->out;
    for (size_t i = 0; i < f->pq.cap && rc == BL_OK; i++) {
        const pq_ent *p = bl__u64map_at(&f->pq, i);
        if (!p->key || bl_quota_month_closed(p->month, now_month))
            continue;
        for (size_t r = 0; r < h->nrules && rc == BL_OK; r++) {
            const quota_rule *qr = &h->rules[r];
            if (qr->res != p->res || p->month < qr->from || p->month > qr->to ||
                p->n[qr->metric] <= 0)
                continue;
            bool dup = false; /* two forfaits on one metric: its uses once */
            for (size_t k = 0; k < r && !dup; k++)
                dup = h->rules[k].res == p->res && h->rules[k].metric == qr->metric &&
                      p->month >= h->rules[k].from && p->month <= h->rules[k].to;
            if (!dup)
                rc = fn(ctx, h->res[p->res].id, p->month, METRIC[qr->metric], p->patron,
                        p->n[qr->metric]);
        }
    }
    return rc;
}

bl_status bl_hits_each_excess(const bl_hits *h, bl_hits_excess_fn fn, void *ctx)
{
    bl_status rc = BL_OK;
    const hfile *f = h->out;
    for (size_t i = 0; i < f->qx.cap && rc == BL_OK; i++) {
        const qx_ent *x = bl__u64map_at(&f->qx, i);
        if (!x->key)
            continue;
        const quota_rule *q = &h->rules[x->rule];
        rc = fn(ctx, h->res[q->res].id, x->month, q->quota, x->patrons, x->extra);
    }
    return rc;
}
