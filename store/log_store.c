/* The store's side of access logs (docs/logs.md): what the log rules need
 * to know of the network, the overlap check against earlier logs, and the
 * log ledger, distinct-user sketches and per-patron quota use of a file,
 * written from the rules' results (bilan/aggregate.h). */
#include "store_internal.h"

#include "bilan/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *col(sqlite3_stmt *q, int c)
{
    const char *t = (const char *)sqlite3_column_text(q, c);
    return strdup(t ? t : "");
}

/* ---- the network as the log rules see it ------------------------------------------- */

static bl_status grow(void **v, size_t n, size_t size)
{
    void *nv = realloc(*v, (n + 1) * size);
    if (!nv)
        return BL_NOMEM;
    *v = nv;
    return BL_OK;
}

static bl_status load_libraries(bl_store *st, bl_log_network *net)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(st->db, "SELECT id FROM library ORDER BY id", -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, false);
    while (rc == BL_OK && sqlite3_step(q) == SQLITE_ROW) {
        if ((rc = grow((void **)&net->library_ids, net->nlibraries, sizeof(char *))) == BL_OK &&
            !(net->library_ids[net->nlibraries++] = col(q, 0)))
            rc = BL_NOMEM;
    }
    sqlite3_finalize(q);
    if (rc != BL_OK)
        return rc;
    if (sqlite3_prepare_v2(st->db, "SELECT library_id, cidr FROM library_ip_range", -1, &q, NULL) !=
        SQLITE_OK)
        return bl__sql_fail(st, false);
    while (rc == BL_OK && sqlite3_step(q) == SQLITE_ROW) {
        if ((rc = grow((void **)&net->ranges, net->nranges, sizeof *net->ranges)) != BL_OK)
            break;
        bl_log_range *r = &net->ranges[net->nranges++];
        *r = (bl_log_range){col(q, 0), col(q, 1)};
        if (!r->library_id || !r->cidr)
            rc = BL_NOMEM;
    }
    sqlite3_finalize(q);
    return rc;
}

static bl_status load_resources(bl_store *st, bl_log_network *net)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, url_pattern, request_pattern FROM resource"
                           " WHERE url_pattern <> '' ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, false);
    while (rc == BL_OK && sqlite3_step(q) == SQLITE_ROW) {
        if ((rc = grow((void **)&net->resources, net->nresources, sizeof *net->resources)) != BL_OK)
            break;
        bl_log_resource *r = &net->resources[net->nresources++];
        *r = (bl_log_resource){col(q, 0), col(q, 1), col(q, 2)};
        if (!r->id || !r->url_pattern || !r->request_pattern)
            rc = BL_NOMEM;
    }
    sqlite3_finalize(q);
    return rc;
}

static bl_status load_quotas(bl_store *st, bl_log_network *net)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT resource_id, per_patron_monthly_quota, metric, start, end"
                           " FROM forfait WHERE per_patron_monthly_quota IS NOT NULL ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, false);
    while (rc == BL_OK && sqlite3_step(q) == SQLITE_ROW) {
        if ((rc = grow((void **)&net->quotas, net->nquotas, sizeof *net->quotas)) != BL_OK)
            break;
        bl_log_quota *r = &net->quotas[net->nquotas++];
        *r = (bl_log_quota){col(q, 0), col(q, 2), col(q, 3), col(q, 4), sqlite3_column_int64(q, 1)};
        if (!r->resource_id || !r->metric || !r->start || !r->end)
            rc = BL_NOMEM;
    }
    sqlite3_finalize(q);
    return rc;
}

bl_status bl_store_log_network(bl_store *st, bl_log_network *net)
{
    memset(net, 0, sizeof *net);
    bl_status rc;
    if ((rc = bl__store_secret(st, net->key)) != BL_OK || (rc = load_libraries(st, net)) ||
        (rc = load_resources(st, net)) || (rc = load_quotas(st, net)))
        bl_log_network_release(net);
    return rc;
}

/* ---- overlap with earlier logs ----------------------------------------------------- */

/* "YYYY-MM-DD HH:MM:SS" of a log time. */
static void fmt_time(int64_t t, char out[24])
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t s = t - days * 86400;
    int y, m, d;
    bl_civil_from_days(days, &y, &m, &d);
    snprintf(out, 24, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(s / 3600), (int)(s / 60 % 60),
             (int)(s % 60));
}

bl_status bl_store_log_overlap(bl_store *st, const bl_hits *h, char *why, size_t n)
{
    int64_t first, last;
    if (!bl_hits_span(h, &first, &last) || !bl_hits_fed(h, NULL))
        return BL_OK;
    sqlite3 *db = st->db;
    sqlite3_stmt *qs = NULL, *qr = NULL;
    bl_status rc = BL_OK;
    /* Overlapping by more than the reordering window: consecutive files
     * whose boundary lines interleave a little are not an overlap. */
    if (sqlite3_prepare_v2(db,
                           "SELECT id, path, time_first, time_last FROM source"
                           " WHERE family = 20 AND removed_at IS NULL AND time_first IS NOT NULL"
                           " AND MIN(time_last, ?2) - MAX(time_first, ?1) > ?3 ORDER BY id",
                           -1, &qs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT DISTINCT resource_id FROM usage WHERE source_id = ?"
                           " AND resource_id IS NOT NULL",
                           -1, &qr, NULL) != SQLITE_OK) {
        rc = bl__sql_fail(st, false);
        goto out;
    }
    sqlite3_bind_int64(qs, 1, first);
    sqlite3_bind_int64(qs, 2, last);
    sqlite3_bind_int64(qs, 3, BL_LOG_WINDOW);
    while (rc == BL_OK && sqlite3_step(qs) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(qs, 0);
        sqlite3_bind_int64(qr, 1, id);
        char shared[256] = "";
        while (!*shared && sqlite3_step(qr) == SQLITE_ROW) {
            const char *rid = (const char *)sqlite3_column_text(qr, 0);
            if (bl_hits_fed(h, rid))
                snprintf(shared, sizeof shared, "%s", rid);
        }
        sqlite3_reset(qr);
        if (!*shared)
            continue;
        char a1[24], a2[24], b1[24], b2[24];
        fmt_time(sqlite3_column_int64(qs, 2), a1);
        fmt_time(sqlite3_column_int64(qs, 3), a2);
        fmt_time(first, b1);
        fmt_time(last, b2);
        snprintf(why, n,
                 _("its hits (%s..%s) overlap those of log #%lld '%s' (%s..%s) on resource '%s':"
                   " the same hits would be counted twice"),
                 b1, b2, id, (const char *)sqlite3_column_text(qs, 1), a1, a2, shared);
        rc = bl_store_fail(st, BL_DATA, "%s", why);
    }
out:
    sqlite3_finalize(qs);
    sqlite3_finalize(qr);
    return rc;
}

/* ---- per-patron quotas across files ------------------------------------------------ */

int bl_store_now_month(void)
{
    int64_t days = (int64_t)time(NULL) / 86400;
    int y, m, d;
    bl_civil_from_days(days, &y, &m, &d);
    return bl_month_index(y, m);
}

/* The month's pseudonym key from the key file, created at its first use. */
static bl_status month_key(bl_store *st, int month, uint8_t key[16])
{
    char name[32], mtxt[8];
    bl_month_format(month, mtxt);
    snprintf(name, sizeof name, "month:%s", mtxt);
    return bl__key_get(st, name, key);
}

bl_status bl__quota_refresh(bl_store *st)
{
    /* quota_excess of every (resource, month) with per-patron rows, from the
     * sum of each pseudonym's uses over the sources not removed; then the
     * months now closed lose their per-patron rows and key, their figures
     * kept. */
    static const char SQL[] =
        "DELETE FROM quota_excess WHERE source_id IN"
        " (SELECT id FROM source WHERE removed_at IS NOT NULL);\n"
        "DELETE FROM quota_excess WHERE EXISTS (SELECT 1 FROM quota_use u"
        " WHERE u.resource_id = quota_excess.resource_id AND u.month = quota_excess.month);\n"
        "INSERT INTO quota_excess(source_id, resource_id, month, quota, patrons, extra_units)"
        " SELECT MAX(p.src), p.resource_id, p.month, f.per_patron_monthly_quota,"
        "  SUM(p.uses > f.per_patron_monthly_quota),"
        "  SUM(MAX(p.uses - f.per_patron_monthly_quota, 0))"
        " FROM forfait f JOIN (SELECT u.resource_id, u.month, u.metric, SUM(u.uses) AS uses,"
        "   MAX(u.source_id) AS src FROM quota_use u JOIN source s ON s.id = u.source_id"
        "   WHERE s.removed_at IS NULL GROUP BY u.resource_id, u.month, u.metric, u.pseudonym) p"
        "  ON p.resource_id = f.resource_id AND p.metric = f.metric"
        "  AND p.month BETWEEN substr(f.start, 1, 7) AND substr(f.end, 1, 7)"
        " WHERE f.per_patron_monthly_quota IS NOT NULL"
        " GROUP BY f.id, p.resource_id, p.month;";
    bl_status rc = bl__exec(st, SQL);
    if (rc != BL_OK)
        return rc;
    /* The last month closed today: every month up to it is purged. */
    int cut_month = bl_quota_last_closed(bl_store_now_month());
    char cut[8];
    bl_month_format(cut_month, cut);
    sqlite3_stmt *q1 = NULL;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM quota_use WHERE month <= ?", -1, &q1, NULL) !=
        SQLITE_OK) {
        rc = bl__sql_fail(st, false);
    } else {
        sqlite3_bind_text(q1, 1, cut, -1, SQLITE_STATIC);
        if (sqlite3_step(q1) != SQLITE_DONE)
            rc = bl__sql_fail(st, false);
    }
    sqlite3_finalize(q1);
    /* Their keys go too: nothing can ever be re-keyed for a closed month. */
    if (rc == BL_OK)
        rc = bl__key_drop_months(st, cut);
    return rc;
}

bl_status bl__sketches_merge_closed(bl_store *st, const char *cut)
{
    static const char *const steps[] = {
        "CREATE TEMP TABLE IF NOT EXISTS sketch_merge(library_id TEXT NOT NULL, month TEXT NOT "
        "NULL,"
        " source_id INTEGER NOT NULL, sketch BLOB, PRIMARY KEY(library_id, month));\n"
        "DELETE FROM temp.sketch_merge;",
        /* one savepoint: the merged rows replace the others or nothing changes */
        "SAVEPOINT sketch_merge",
        /* the (library, month) of closed months kept in more than one row;
         * found first without reading a sketch, so that the sketches of the
         * others (every closed month's, after the first merge) are not read
         * and merged for nothing at every file */
        "INSERT INTO temp.sketch_merge"
        " SELECT COALESCE(library_id, ''), month, MAX(source_id), bl_sketch_merge(sketch)"
        " FROM user_sketch WHERE month <= ?1 AND (COALESCE(library_id, ''), month) IN"
        "  (SELECT COALESCE(library_id, ''), month FROM user_sketch WHERE month <= ?1"
        "   GROUP BY COALESCE(library_id, ''), month HAVING COUNT(*) > 1)"
        " GROUP BY COALESCE(library_id, ''), month",
        "INSERT OR IGNORE INTO user_sketch_merged(library_id, month, source_id)"
        " SELECT m.library_id, m.month, s.source_id FROM temp.sketch_merge m JOIN user_sketch s"
        " ON COALESCE(s.library_id, '') = m.library_id AND s.month = m.month",
        "DELETE FROM user_sketch WHERE month <= ?1 AND EXISTS (SELECT 1 FROM temp.sketch_merge m"
        " WHERE m.library_id = COALESCE(user_sketch.library_id, '') AND m.month = "
        "user_sketch.month)",
        "INSERT INTO user_sketch(source_id, library_id, month, sketch)"
        " SELECT source_id, NULLIF(library_id, ''), month, sketch FROM temp.sketch_merge"
        " WHERE sketch IS NOT NULL",
        "RELEASE sketch_merge",
        "DELETE FROM temp.sketch_merge",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        sqlite3_stmt *q = NULL;
        const char *tail = steps[i];
        while (tail && *tail) {
            if (sqlite3_prepare_v2(st->db, tail, -1, &q, &tail) != SQLITE_OK)
                return bl__sql_fail(st, false);
            if (!q)
                break;
            if (sqlite3_bind_parameter_count(q) >= 1)
                sqlite3_bind_text(q, 1, cut, -1, SQLITE_STATIC);
            int r = sqlite3_step(q);
            sqlite3_finalize(q);
            if (r != SQLITE_DONE && r != SQLITE_ROW) {
                bl_status rc = bl__sql_fail(st, false);
                sqlite3_exec(st->db, "ROLLBACK TO sketch_merge; RELEASE sketch_merge", NULL, NULL,
                             NULL);
                return rc;
            }
        }
    }
    return BL_OK;
}

/* ---- writing a log's results ------------------------------------------------------- */

#define RANGE_BATCH 32
#define RANGE_INSERT "INSERT INTO unattributed_range(source_id, range, events) VALUES "
#define RANGE_VALUES "(?,?,?)"

typedef struct lw {
    bl_store *st;
    sqlite3_stmt *q;
    long long sid;
    int key_month;
    uint8_t key[16];
    /* sketches: the last month closed, and the statements that merge a
     * closed month's sketch into the row already there */
    char cut[8];
    sqlite3_stmt *find, *update, *merged, *lost;
    /* unattributed ranges: RANGE_BATCH to an INSERT (many), as the usage
     * rows go (store/ingest_write.c); the rest one by one (q) */
    sqlite3_stmt *many;
    size_t nr;
    char range[RANGE_BATCH][64]; /* bl_hits_each_unattributed's are shorter */
    int64_t events[RANGE_BATCH];
} lw;

/* Runs q (an INSERT or UPDATE) and resets it for the next row. */
static bl_status step_stmt(lw *w, sqlite3_stmt *q)
{
    bl_status rc = sqlite3_step(q) == SQLITE_DONE ? BL_OK : bl__sql_fail(w->st, false);
    sqlite3_reset(q);
    return rc;
}

static bl_status step_reset(lw *w)
{
    return step_stmt(w, w->q);
}

/* Binds the ranges waiting in w, the first n of them, to q (3 parameters
 * each) and runs it; n is a batch for many, 1 for q. */
static bl_status put_ranges(lw *w, sqlite3_stmt *q, size_t from, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(q, (int)(3 * i + 1), w->sid);
        sqlite3_bind_text(q, (int)(3 * i + 2), w->range[from + i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, (int)(3 * i + 3), w->events[from + i]);
    }
    return step_stmt(w, q);
}

static bl_status put_range(void *ctx, const char *range, int64_t events)
{
    lw *w = ctx;
    snprintf(w->range[w->nr], sizeof w->range[w->nr], "%s", range);
    w->events[w->nr] = events;
    if (++w->nr < RANGE_BATCH)
        return BL_OK;
    w->nr = 0;
    return put_ranges(w, w->many, 0, RANGE_BATCH);
}

/* Each patron's uses of this file under the month's pseudonym: the store's
 * secret pseudonym re-keyed by the month's own key. */
static bl_status put_use(void *ctx, const char *resource_id, int m, const char *metric,
                         uint64_t patron, int64_t uses)
{
    lw *w = ctx;
    bl_status rc;
    if (w->key_month != m) {
        if ((rc = month_key(w->st, m, w->key)) != BL_OK)
            return rc;
        w->key_month = m;
    }
    uint64_t pseudo = bl_siphash(w->key, &patron, sizeof patron);
    uint8_t blob[8];
    char month[8];
    memcpy(blob, &pseudo, 8);
    bl_month_format(m, month);
    sqlite3_bind_int64(w->q, 1, w->sid);
    sqlite3_bind_text(w->q, 2, resource_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(w->q, 3, month, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(w->q, 4, metric, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(w->q, 5, blob, 8, SQLITE_TRANSIENT);
    sqlite3_bind_int64(w->q, 6, uses);
    return step_reset(w);
}

/* A sketch of a closed month whose library and month have exactly one row
 * (the earlier files' sketches, merged): that row becomes the merge of both
 * and lists both sources, as bl__sketches_merge_closed would leave it, but
 * without writing this file's row and deleting both (each sketch is 4 KiB,
 * overwritten when deleted: most of the cost of storing a daily log).
 * *done false when it does not apply (then the row is inserted, and the
 * merge of the closed months does the rest). */
static bl_status merge_closed_sketch(lw *w, const char *library_id, const char *month,
                                     const uint8_t *blob, size_t len, bool *done)
{
    *done = false;
    bl_status rc = BL_OK;
    sqlite3_bind_text(w->find, 1, month, -1, SQLITE_STATIC);
    if (library_id)
        sqlite3_bind_text(w->find, 2, library_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(w->find, 2);
    uint8_t reg[BL_HLL_M] = {0};
    long long row = 0, old_sid = 0;
    int r = sqlite3_step(w->find);
    if (r == SQLITE_ROW) {
        row = sqlite3_column_int64(w->find, 0);
        old_sid = sqlite3_column_int64(w->find, 1);
        const uint8_t *ob = sqlite3_column_blob(w->find, 2);
        int on = sqlite3_column_bytes(w->find, 2);
        bool one = on > 0 && bl_hll_merge(reg, ob, (size_t)on) && bl_hll_merge(reg, blob, len);
        r = sqlite3_step(w->find);
        if (r == SQLITE_DONE && one)
            *done = true; /* exactly one row, both sketches of this build */
    }
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        rc = bl__sql_fail(w->st, false);
    sqlite3_reset(w->find);
    if (rc != BL_OK || !*done)
        return rc;
    uint8_t out[BL_HLL_BLOB];
    bl_hll_serialize(reg, out);
    sqlite3_bind_int64(w->update, 1, row);
    sqlite3_bind_int64(w->update, 2, old_sid > w->sid ? old_sid : w->sid);
    sqlite3_bind_blob(w->update, 3, out, (int)sizeof out, SQLITE_STATIC);
    r = sqlite3_step(w->update);
    sqlite3_reset(w->update);
    if (r != SQLITE_DONE)
        return bl__sql_fail(w->st, false);
    long long sids[2] = {old_sid, w->sid};
    for (int i = 0; i < 2; i++) {
        sqlite3_bind_text(w->merged, 1, library_id ? library_id : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->merged, 2, month, -1, SQLITE_STATIC);
        sqlite3_bind_int64(w->merged, 3, sids[i]);
        r = sqlite3_step(w->merged);
        sqlite3_reset(w->merged);
        if (r != SQLITE_DONE)
            return bl__sql_fail(w->st, false);
    }
    return BL_OK;
}

static bl_status put_sketch(void *ctx, const char *library_id, int m, const uint8_t *blob,
                            size_t len)
{
    lw *w = ctx;
    char month[8];
    bl_month_format(m, month);
    if (w->find && strcmp(month, w->cut) <= 0) {
        /* A closed month whose figure a removed log took (merged rows, no
         * sketch): this file's users join the lost ones, not stored. */
        sqlite3_bind_text(w->lost, 1, library_id ? library_id : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(w->lost, 2, month, -1, SQLITE_STATIC);
        int r = sqlite3_step(w->lost);
        sqlite3_reset(w->lost);
        if (r != SQLITE_ROW && r != SQLITE_DONE)
            return bl__sql_fail(w->st, false);
        if (r == SQLITE_ROW) {
            sqlite3_bind_text(w->merged, 1, library_id ? library_id : "", -1, SQLITE_STATIC);
            sqlite3_bind_text(w->merged, 2, month, -1, SQLITE_STATIC);
            sqlite3_bind_int64(w->merged, 3, w->sid);
            r = sqlite3_step(w->merged);
            sqlite3_reset(w->merged);
            return r == SQLITE_DONE ? BL_OK : bl__sql_fail(w->st, false);
        }
        bool done;
        bl_status rc = merge_closed_sketch(w, library_id, month, blob, len, &done);
        if (rc != BL_OK || done)
            return rc;
    }
    sqlite3_bind_int64(w->q, 1, w->sid);
    if (library_id)
        sqlite3_bind_text(w->q, 2, library_id, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(w->q, 2);
    sqlite3_bind_text(w->q, 3, month, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(w->q, 4, blob, (int)len, SQLITE_TRANSIENT);
    return step_reset(w);
}

static bl_status put_excess(void *ctx, const char *resource_id, int m, long long quota,
                            int64_t patrons, int64_t extra)
{
    lw *w = ctx;
    char month[8];
    bl_month_format(m, month);
    sqlite3_bind_int64(w->q, 1, w->sid);
    sqlite3_bind_text(w->q, 2, resource_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(w->q, 3, month, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(w->q, 4, quota);
    sqlite3_bind_int64(w->q, 5, patrons);
    sqlite3_bind_int64(w->q, 6, extra);
    return step_reset(w);
}

/* Prepares sql into w->q, runs it through each(), finalizes. */
static bl_status each(lw *w, const char *sql, bl_status (*run)(lw *w, const bl_hits *h, int now),
                      const bl_hits *h, int now)
{
    if (sqlite3_prepare_v2(w->st->db, sql, -1, &w->q, NULL) != SQLITE_OK)
        return bl__sql_fail(w->st, false);
    bl_status rc = run(w, h, now);
    sqlite3_finalize(w->q);
    w->q = NULL;
    return rc;
}

static bl_status run_ranges(lw *w, const bl_hits *h, int now)
{
    (void)now;
    bl_status rc = bl__prepare_rows(w->st, RANGE_INSERT, RANGE_VALUES, RANGE_BATCH, &w->many);
    if (rc == BL_OK)
        rc = bl_hits_each_unattributed(h, put_range, w);
    /* The ranges left over (fewer than a batch), in their order. */
    for (size_t i = 0; i < w->nr && rc == BL_OK; i++)
        rc = put_ranges(w, w->q, i, 1);
    w->nr = 0;
    sqlite3_finalize(w->many);
    w->many = NULL;
    return rc;
}

static bl_status run_uses(lw *w, const bl_hits *h, int now)
{
    return bl_hits_each_quota_use(h, now, put_use, w);
}

static bl_status run_sketches(lw *w, const bl_hits *h, int now)
{
    (void)now;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(w->st->db,
                           "SELECT rowid, source_id, sketch FROM user_sketch"
                           " WHERE month = ?1 AND library_id IS ?2",
                           -1, &w->find, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->st->db,
                           "UPDATE user_sketch SET source_id = ?2, sketch = ?3 WHERE rowid = ?1",
                           -1, &w->update, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->st->db,
                           "INSERT OR IGNORE INTO user_sketch_merged(library_id, month, source_id)"
                           " VALUES (?1, ?2, ?3)",
                           -1, &w->merged, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->st->db,
                           "SELECT 1 FROM user_sketch_merged t WHERE t.library_id = ?1"
                           " AND t.month = ?2 AND NOT EXISTS (SELECT 1 FROM user_sketch x"
                           " WHERE x.month = ?2 AND COALESCE(x.library_id, '') = ?1)",
                           -1, &w->lost, NULL) != SQLITE_OK)
        rc = bl__sql_fail(w->st, false);
    if (rc == BL_OK)
        rc = bl_hits_each_sketch(h, put_sketch, w);
    sqlite3_finalize(w->find);
    sqlite3_finalize(w->update);
    sqlite3_finalize(w->merged);
    sqlite3_finalize(w->lost);
    w->find = w->update = w->merged = w->lost = NULL;
    return rc;
}

static bl_status run_excess(lw *w, const bl_hits *h, int now)
{
    (void)now;
    return bl_hits_each_excess(h, put_excess, w);
}

static bl_status write_ledger(bl_store *st, const bl_hits *h, long long sid, const bl_log_stats *ls)
{
    sqlite3_stmt *qs = NULL;
    bl_status rc = BL_OK;
    int64_t first, last;
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE source SET log_lines = ?2, log_events = ?3, log_robot = ?4,"
                           " log_status = ?5, log_not_resource = ?6, log_static = ?7,"
                           " log_unattributed = ?8, time_first = ?9, time_last = ?10,"
                           " rows_accepted = ?3, rows_unattributed = ?8 WHERE id = ?1",
                           -1, &qs, NULL) != SQLITE_OK)
        return bl__sql_fail(st, false);
    sqlite3_bind_int64(qs, 1, sid);
    long long v[] = {ls->lines,        ls->events,  ls->robot,       ls->status,
                     ls->not_resource, ls->static_, ls->unattributed};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_int64(qs, i + 2, v[i]);
    if (bl_hits_span(h, &first, &last)) {
        sqlite3_bind_int64(qs, 9, first);
        sqlite3_bind_int64(qs, 10, last);
    }
    if (sqlite3_step(qs) != SQLITE_DONE)
        rc = bl__sql_fail(st, false);
    sqlite3_finalize(qs);
    return rc;
}

bl_status bl_store_write_log(bl_store *st, const bl_hits *h, long long sid, int now_month)
{
    bl_log_stats ls;
    long ooo;
    bl_hits_stats(h, &ls, &ooo);
    lw w = {.st = st, .sid = sid, .key_month = -1};
    bl_month_format(bl_quota_last_closed(bl_store_now_month()), w.cut);
    bl_status rc;
    if ((rc = write_ledger(st, h, sid, &ls)) != BL_OK ||
        (rc = each(&w, RANGE_INSERT RANGE_VALUES, run_ranges, h, now_month)) != BL_OK ||
        (rc = each(&w,
                   "INSERT INTO quota_use(source_id, resource_id, month, metric, pseudonym, uses)"
                   " VALUES (?,?,?,?,?,?)",
                   run_uses, h, now_month)) != BL_OK ||
        (rc = each(&w,
                   "INSERT INTO user_sketch(source_id, library_id, month, sketch) VALUES (?,?,?,?)",
                   run_sketches, h, now_month)) != BL_OK ||
        (rc = each(&w,
                   "INSERT INTO quota_excess(source_id, resource_id, month, quota, patrons,"
                   " extra_units) VALUES (?,?,?,?,?,?)",
                   run_excess, h, now_month)) != BL_OK)
        goto out;
    if (bl_hits_has_quotas(h) && (rc = bl__quota_refresh(st)) != BL_OK)
        goto out;
    /* The distinct-user sketches of closed months are merged per library
     * and month, in this file's transaction: no sketch of one file (a day's
     * handful of users) outlives its month (docs/privacy.md). */
    rc = bl__sketches_merge_closed(st, w.cut);
out:
    memset(w.key, 0, sizeof w.key);
    return rc;
}
