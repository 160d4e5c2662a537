/* The data-quality ledger: ingested files, their rejected rows, and the
 * months a COUNTER-fed resource has no data for. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

bl_status bl_store_sources(bl_store *st, bl_source_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    /* Which source holds the cells a source lost: the live rows of its keys
     * from another source of the same report id. */
    if (sqlite3_prepare_v2(
            st->db,
            "SELECT s.id, s.path, s.hash, s.format, s.report_id, " BL__SQL_SOURCE_PROVIDER
            ", s.period_begin,"
            " s.period_end, s.rows_accepted, s.rows_rejected, s.rows_unattributed,"
            " s.lines_skipped,"
            /* (a cell lost to a zero of a later report has no live row to
             * name it: the latest report of its scope over the period) */
            " CASE WHEN c.cells > c.live THEN COALESCE((SELECT max(w.source_id) FROM usage x"
            "   JOIN usage w ON w.platform = x.platform AND w.month = x.month"
            "   AND w.metric = x.metric AND w.institution_id = x.institution_id"
            "   AND w.institution = x.institution AND w.report_rank < 2000"
            "   AND w.live = 1 AND w.source_id <> x.source_id"
            "   JOIN source ws ON ws.id = w.source_id AND " BL__STR(BL__SAME_SCOPE(
                ws, s)) "   WHERE x.source_id = s.id AND x.live = 0), (SELECT z.id FROM source z"
                        "   WHERE z.id <> s.id AND z.removed_at IS NULL AND z.family <> 20"
                        "   AND " BL__STR(BL__SAME_SCOPE(
                            z, s)) " AND z.period_begin <= s.period_end"
                                   "   AND z.period_end >= s.period_begin ORDER BY z.order_time "
                                   "DESC, z.id DESC"
                                   "   LIMIT 1)) END,"
                                   " s.ingested_at, s.created, s.created_plausible, s.removed_at,"
                                   " COALESCE(c.cells, 0), COALESCE(c.live, 0), s.family = 20,"
                                   " s.log_lines, s.log_events, s.log_robot, s.log_status, "
                                   "s.log_not_resource,"
                                   " s.log_static, s.log_unattributed, s.time_first, s.time_last, "
                                   "s.content_hash,"
                                   " (SELECT group_concat(path, char(10)) FROM (SELECT path FROM "
                                   "source_file f"
                                   "  WHERE f.source_id = s.id ORDER BY seq))"
                                   " FROM source s LEFT JOIN (SELECT source_id, count(*) AS cells, "
                                   "sum(live) AS "
                                   "live"
                                   "  FROM usage GROUP BY source_id) c ON c.source_id = s.id ORDER "
                                   "BY s.id",
            -1, &q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    bl_status rc = BL_OK;
    int r;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        bl_source_row row = {
            .id = sqlite3_column_int64(q, 0),
            .path = bl__col_text(q, 1),
            .hash = bl__col_text(q, 2),
            .format = bl__col_text(q, 3),
            .report_id = bl__col_text(q, 4),
            .provider = bl__col_text(q, 5),
            .period_begin = bl__col_text(q, 6),
            .period_end = bl__col_text(q, 7),
            .accepted = sqlite3_column_int64(q, 8),
            .rejected = sqlite3_column_int64(q, 9),
            .unattributed = sqlite3_column_int64(q, 10),
            .skipped = sqlite3_column_int64(q, 11),
            .replaced_by = sqlite3_column_int64(q, 12),
            .ingested_at = bl__col_text(q, 13),
            .created = bl__col_text(q, 14),
            .created_plausible = sqlite3_column_int(q, 15) != 0,
            .removed_at = bl__col_text(q, 16),
            .cells = sqlite3_column_int64(q, 17),
            .live = sqlite3_column_int64(q, 18),
            .is_log = sqlite3_column_int(q, 19) != 0,
            .log = {sqlite3_column_int64(q, 20), sqlite3_column_int64(q, 21),
                    sqlite3_column_int64(q, 22), sqlite3_column_int64(q, 23),
                    sqlite3_column_int64(q, 24), sqlite3_column_int64(q, 25),
                    sqlite3_column_int64(q, 26), sqlite3_column_int64(q, 27),
                    sqlite3_column_int64(q, 28)},
            .content_hash = bl__col_text(q, 29),
            .files = bl__col_text(q, 30),
        };
        rc = fn(ctx, &row);
    }
    sqlite3_finalize(q);
    return rc;
}

bl_status bl_store_rejects(bl_store *st, const char *source, bl_reject_fn fn, void *ctx,
                           long long *count, char **path)
{
    if (count)
        *count = 0;
    if (path)
        *path = NULL;
    sqlite3_stmt *q = NULL;
    long long sid = 0;
    char *end = NULL;
    long long asnum = strtoll(source, &end, 10);
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, path FROM source WHERE id = ?1 OR path = ?2 "
                           "OR path LIKE '%/' || ?2 ESCAPE '\\' OR id IN (SELECT source_id FROM "
                           "source_file WHERE path = ?2 OR path LIKE '%/' || ?2 ESCAPE '\\') "
                           "ORDER BY (id = ?1) DESC, id DESC LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    sqlite3_bind_int64(q, 1, (end && *end == '\0' && *source) ? asnum : -1);
    sqlite3_bind_text(q, 2, source, -1, SQLITE_TRANSIENT);
    bool nomem = false;
    if (sqlite3_step(q) == SQLITE_ROW) {
        sid = sqlite3_column_int64(q, 0);
        if (path && !(*path = strdup(bl__col_text(q, 1))))
            nomem = true;
    }
    sqlite3_finalize(q);
    if (nomem)
        return bl_store_fail(st, BL_NOMEM, "out of memory");
    if (!sid)
        return bl_store_fail(st, BL_NOTFOUND, "no ingested file '%s' (see 'bilan sources')",
                             source);
    if (sqlite3_prepare_v2(st->db,
                           "SELECT line, COALESCE(field, ''), reason, COALESCE(file, s.path), "
                           "EXISTS (SELECT 1 FROM source_file f WHERE f.source_id = s.id) "
                           "FROM rejection JOIN source s ON s.id = source_id "
                           "WHERE source_id = ? ORDER BY line * (1 - EXISTS (SELECT 1 FROM "
                           "source_file f WHERE f.source_id = s.id)), rejection.rowid",
                           -1, &q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    sqlite3_bind_int64(q, 1, sid);
    bl_status rc = BL_OK;
    long long n = 0;
    while (rc == BL_OK && sqlite3_step(q) == SQLITE_ROW) {
        /* The file of each line: the source's, or in a --one-source set the
         * set's file that holds it (in the order read). */
        bl_reject_row row = {sqlite3_column_int64(q, 0), bl__col_text(q, 1), bl__col_text(q, 2),
                             bl__col_text(q, 3)};
        rc = fn(ctx, &row);
        n++;
    }
    sqlite3_finalize(q);
    if (rc == BL_OK && count)
        *count = n;
    return rc;
}

bl_status bl_store_report_resources(bl_store *st, bl_report_resource_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT r.id FROM resource r WHERE EXISTS (SELECT 1 FROM usage u"
                           " WHERE u.resource_id = r.id AND u.report_rank < 2000) ORDER BY r.id",
                           -1, &q, NULL) != SQLITE_OK)
        rc = bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    while (rc == BL_OK && sqlite3_step(q) == SQLITE_ROW)
        rc = fn(ctx, bl__col_text(q, 0));
    sqlite3_finalize(q);
    return rc;
}

bl_status bl_store_shared_platforms(bl_store *st, bl_shared_platform_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT platform, group_concat(provider, ', ') FROM"
                           " (SELECT DISTINCT u.platform, s.provider FROM usage u"
                           "  JOIN source s ON s.id = u.source_id"
                           "  WHERE u.live = 1 AND s.removed_at IS NULL AND s.family <> 20"
                           "  AND u.report_rank < 2000 AND u.platform <> '' ORDER BY 1, 2)"
                           " GROUP BY platform HAVING count(DISTINCT lower(trim(provider))) > 1"
                           " ORDER BY platform",
                           -1, &q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    bl_status rc = BL_OK;
    int r;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW)
        rc = fn(ctx, bl__col_text(q, 0), bl__col_text(q, 1));
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    sqlite3_finalize(q);
    return rc;
}
