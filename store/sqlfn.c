/* SQL functions the store's queries need, registered on every connection:
 * bl_sketch_count(blob), the aggregate that merges distinct-user sketches
 * (bilan/aggregate.h's HyperLogLog) and returns the estimate, and
 * bl_sketch_merge(blob), the same merge returned as a sketch. */
#include "store_internal.h"

#include <string.h>

typedef struct merge_ctx {
    int valid;
    uint8_t reg[BL_HLL_M];
} merge_ctx;

static void sketch_step(sqlite3_context *c, int argc, sqlite3_value **v)
{
    (void)argc;
    merge_ctx *mc = sqlite3_aggregate_context(c, sizeof *mc);
    if (!mc) {
        sqlite3_result_error_nomem(c);
        return;
    }
    const uint8_t *b = sqlite3_value_blob(v[0]);
    int n = sqlite3_value_bytes(v[0]);
    if (n > 0 && bl_hll_merge(mc->reg, b, (size_t)n)) /* others: not a sketch, ignored */
        mc->valid = 1;
}

static void sketch_final(sqlite3_context *c)
{
    merge_ctx *mc = sqlite3_aggregate_context(c, 0);
    sqlite3_result_int64(c, mc && mc->valid ? bl_hll_estimate(mc->reg) : 0);
}

static void merge_final(sqlite3_context *c)
{
    merge_ctx *mc = sqlite3_aggregate_context(c, 0);
    if (!mc || !mc->valid) {
        sqlite3_result_null(c);
        return;
    }
    uint8_t blob[BL_HLL_BLOB];
    bl_hll_serialize(mc->reg, blob);
    sqlite3_result_blob(c, blob, (int)sizeof blob, SQLITE_TRANSIENT);
}

bl_status bl__register_sql_functions(sqlite3 *db)
{
    if (sqlite3_create_function(db, "bl_sketch_count", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                NULL, sketch_step, sketch_final) != SQLITE_OK ||
        sqlite3_create_function(db, "bl_sketch_merge", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                NULL, sketch_step, merge_final) != SQLITE_OK)
        return BL_INTERNAL;
    return BL_OK;
}
