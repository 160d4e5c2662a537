/* TEMPORARY placeholder until the access-log module lands; delete then. */
#include "agg_internal.h"

#include <stdlib.h>

bl_status bl__hits_open(bl_store *st, const bl_ingest_opts *opts, bl_agg *agg, bl_hits **out)
{
    (void)opts, (void)agg;
    *out = NULL;
    return bl__store_fail(st, BL_INTERNAL, "access logs are not supported yet");
}
bl_status bl__hits_add(bl_hits *h, const bl_hit_rec *r)
{
    (void)h, (void)r;
    return BL_INTERNAL;
}
bl_status bl__hits_finish(bl_hits *h, long long source_id, long *out_of_order)
{
    (void)h, (void)source_id;
    *out_of_order = 0;
    return BL_INTERNAL;
}
void bl__hits_free(bl_hits *h)
{
    (void)h;
}
static void count_step(sqlite3_context *c, int n, sqlite3_value **v)
{
    (void)c, (void)n, (void)v;
}
static void count_final(sqlite3_context *c)
{
    sqlite3_result_null(c);
}
bl_status bl__register_sql_functions(sqlite3 *db)
{
    if (sqlite3_create_function(db, "bl_sketch_count", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                NULL, count_step, count_final) != SQLITE_OK)
        return BL_INTERNAL;
    return BL_OK;
}
