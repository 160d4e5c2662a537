/* Vendor profiles in the store (docs/profiles.md): written with the
 * network at `bilan network import`, read back at ingest. The text is kept
 * as written; resource and allocation rule are columns too, for the
 * allocation of network-level totals (store/allocation.c). */
#include "bilan/profile.h"
#include "store_internal.h"

bl_status bl_store_profiles_write(bl_store *st, const bl_profile *p, size_t n)
{
    bl_status rc = bl__exec(st, "DELETE FROM profile");
    if (rc != BL_OK)
        return rc;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO profile(id, file, resource_id, network_level, allocate, "
                           "text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, true);
    for (size_t i = 0; i < n && rc == BL_OK; i++) {
        sqlite3_bind_text(q, 1, p[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, p[i].file, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, p[i].resource, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 4, p[i].library == NULL);
        sqlite3_bind_text(q, 5, bl_alloc_rule_name(p[i].allocate), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, p[i].text, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = bl__sql_fail(st, true);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return rc;
}

bl_status bl_store_profiles_each(bl_store *st, bl_stored_profile_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT id, file, text FROM profile ORDER BY id", -1, &q,
                           NULL) != SQLITE_OK)
        return bl__sql_fail(st, true);
    bl_status rc = BL_OK;
    int r;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW)
        rc = fn(ctx, bl__col_text(q, 0), bl__col_text(q, 1), bl__col_text(q, 2),
                (size_t)sqlite3_column_bytes(q, 2));
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl__sql_fail(st, true);
    sqlite3_finalize(q);
    return rc;
}
