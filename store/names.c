/* Attribution data from the store: the name maps (aliases, counter names)
 * the roll-up resolves records with, and the re-attribution of earlier
 * COUNTER usage after a network import. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

static bl_status load_map(bl_store *st, const char *sql, bl_names *n,
                          bl_status (*add)(bl_names *, const char *, const char *))
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    bl_status rc = BL_OK;
    while (rc == BL_OK && sqlite3_step(q) == SQLITE_ROW)
        rc = add(n, (const char *)sqlite3_column_text(q, 0),
                 (const char *)sqlite3_column_text(q, 1));
    sqlite3_finalize(q);
    return rc;
}

bl_status bl_store_names(bl_store *st, bl_names **out)
{
    bl_names *n = bl_names_new();
    if (!n)
        return BL_NOMEM;
    bl_status rc =
        load_map(st, "SELECT alias, library_id FROM library_alias", n, bl_names_add_alias);
    if (rc == BL_OK) /* --library ID (bilan/record.h): a library by its own id */
        rc = load_map(st, "SELECT '" BL_LIBRARY_INSTITUTION "' || id, id FROM library", n,
                      bl_names_add_alias);
    /* sushi.csv's library_id: the harvested reports' Institution_ID starts
     * with "sushi:ENDPOINT" (docs/sushi.md), an alias of that library. */
    if (rc == BL_OK)
        rc = load_map(st,
                      "SELECT 'sushi:' || id, library_id FROM sushi_endpoint"
                      " WHERE library_id IS NOT NULL",
                      n, bl_names_add_alias);
    if (rc == BL_OK)
        rc = load_map(st, "SELECT name, resource_id FROM resource_name", n, bl_names_add_resource);
    if (rc != BL_OK) {
        bl_names_free(n);
        n = NULL;
    }
    *out = n;
    return rc;
}

/* The values of a library that went to no library, in the order met. */
typedef struct lost_lib {
    char *id;
    long long values;
} lost_lib;

static bl_status lose(lost_lib **v, size_t *n, const char *id, long long values)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].id, id) == 0) {
            (*v)[i].values += values;
            return BL_OK;
        }
    lost_lib *nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return BL_NOMEM;
    *v = nv;
    if (!(nv[*n].id = strdup(id)))
        return BL_NOMEM;
    nv[(*n)++].values = values;
    return BL_OK;
}

bl_status bl_store_reattribute(bl_store *st, bl_lost_fn lost, void *ctx)
{
    bl_names *n;
    bl_status rc = bl_store_names(st, &n);
    if (rc != BL_OK)
        return rc;
    sqlite3_stmt *sel = NULL, *upd = NULL;
    lost_lib *gone = NULL;
    size_t ngone = 0;
    /* Logs' attribution used IP addresses that are not kept: only COUNTER rows
     * (report_rank < 2000, see docs/store.md) can be re-resolved. */
    /* A profile's rows (report_rank 1500..1599) keep the profile's
     * resource; their library is re-resolved, never a network-level
     * total's (library '*'). Each set of names comes once per library it
     * had (the values that count of each), so that those a library loses
     * can be told. */
    const char *sql_sel = "SELECT institution_id, institution, platform, database_name,"
                          " report_rank >= 1500, library_id, sum(live) FROM usage"
                          " WHERE report_rank < 2000"
                          " AND library_id IS NOT '" BL_NETWORK_LEVEL "'"
                          " GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5";
    const char *sql_upd =
        "UPDATE usage SET library_id = ?5, resource_id = CASE WHEN ?7 THEN resource_id ELSE ?6 "
        "END WHERE report_rank < 2000 AND (report_rank >= 1500) = ?7 "
        "AND library_id IS NOT '" BL_NETWORK_LEVEL "' "
        "AND institution_id = ?1 AND institution = ?2 AND platform = ?3 "
        "AND database_name = ?4";
    if (sqlite3_prepare_v2(st->db, sql_sel, -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, sql_upd, -1, &upd, NULL) != SQLITE_OK) {
        rc = bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
        goto out;
    }
    /* The rows are read before any is updated (SQLite runs the grouping
     * to its end at the first step), so each library_id is the one before. */
    while (rc == BL_OK && sqlite3_step(sel) == SQLITE_ROW) {
        bl_sv v[4];
        for (int i = 0; i < 4; i++)
            v[i] = (bl_sv){(const char *)sqlite3_column_text(sel, i),
                           (size_t)sqlite3_column_bytes(sel, i)};
        const char *lib = bl_names_library(n, v[0], v[1]);
        const char *res = bl_names_resource(n, v[3], v[2]);
        const char *was = (const char *)sqlite3_column_text(sel, 5);
        long long live = sqlite3_column_int64(sel, 6);
        if (!lib && was && live > 0 && (rc = lose(&gone, &ngone, was, live)) != BL_OK)
            goto out;
        sqlite3_bind_int(upd, 7, sqlite3_column_int(sel, 4));
        for (int i = 0; i < 4; i++)
            sqlite3_bind_text(upd, i + 1, v[i].ptr, (int)v[i].len, SQLITE_TRANSIENT);
        if (lib)
            sqlite3_bind_text(upd, 5, lib, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(upd, 5);
        if (res)
            sqlite3_bind_text(upd, 6, res, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(upd, 6);
        if (sqlite3_step(upd) != SQLITE_DONE) {
            rc = bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
            goto out;
        }
        sqlite3_reset(upd);
        sqlite3_clear_bindings(upd);
    }
    /* A log's rows keep their library (their addresses are not kept to
     * find another): those of a library no longer in the network count for
     * no partner, said at each import until its row is back. */
    sqlite3_finalize(sel);
    sel = NULL;
    if (rc == BL_OK &&
        sqlite3_prepare_v2(st->db,
                           "SELECT library_id, sum(live) FROM usage WHERE report_rank >= 2000"
                           " AND library_id IS NOT NULL AND library_id <> '" BL_NETWORK_LEVEL "'"
                           " AND NOT EXISTS (SELECT 1 FROM library l WHERE l.id = usage.library_id)"
                           " GROUP BY 1 HAVING sum(live) > 0",
                           -1, &sel, NULL) != SQLITE_OK)
        rc = bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    while (rc == BL_OK && sel && sqlite3_step(sel) == SQLITE_ROW)
        rc = lose(&gone, &ngone, (const char *)sqlite3_column_text(sel, 0),
                  sqlite3_column_int64(sel, 1));
    for (size_t i = 0; lost && i < ngone && rc == BL_OK; i++)
        rc = lost(ctx, gone[i].id, gone[i].values);
out:
    for (size_t i = 0; i < ngone; i++)
        free(gone[i].id);
    free(gone);
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    bl_names_free(n);
    return rc;
}

/* clang-format off */
static const char UNMATCHED_SQL[] =
    "SELECT 1, CASE WHEN institution <> '' AND institution_id <> ''"
    "  THEN institution || ' (' || institution_id || ')' ELSE institution || institution_id END,"
    " count(*) FROM usage WHERE source_id = ?1 AND library_id IS NULL AND value > 0 GROUP BY 2"
    " UNION ALL "
    "SELECT 0, CASE WHEN platform <> '' AND database_name <> ''"
    "  THEN platform || ' / ' || database_name ELSE platform || database_name END,"
    " count(*) FROM usage WHERE source_id = ?1 AND resource_id IS NULL AND value > 0 GROUP BY 2"
    " ORDER BY 1 DESC, 3 DESC, 2";
/* clang-format on */

bl_status bl_store_source_unmatched(bl_store *st, long long sid, bl_unmatched_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, UNMATCHED_SQL, -1, &q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    sqlite3_bind_int64(q, 1, sid);
    bl_status rc = BL_OK;
    int r;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW)
        rc = fn(ctx, sqlite3_column_int(q, 0) != 0, (const char *)sqlite3_column_text(q, 1),
                sqlite3_column_int64(q, 2));
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    sqlite3_finalize(q);
    return rc;
}
