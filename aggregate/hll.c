/* HyperLogLog sketches of distinct users (p = 12: 4 096 one-byte registers,
 * about 1.6 % standard error, exact-looking for small counts thanks to
 * linear counting), and the SQL aggregate bl_sketch_count(blob) that merges
 * sketches (register-wise max) and returns the estimate. Merging is what
 * lets a semester or a year be counted without ever keeping identities. */
#include "hits_internal.h"

#include <math.h>
#include <string.h>

void bl__hll_add(uint8_t reg[BL_HLL_M], uint64_t hash)
{
    uint32_t idx = (uint32_t)(hash >> (64 - BL_HLL_P));
    /* A guard bit bounds the rank at 64 - p + 1. */
    uint64_t w = (hash << BL_HLL_P) | (1ull << (BL_HLL_P - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(w) + 1);
    if (rank > reg[idx])
        reg[idx] = rank;
}

void bl__hll_serialize(const uint8_t reg[BL_HLL_M], uint8_t out[BL_HLL_BLOB])
{
    out[0] = 'H';
    out[1] = 'L';
    out[2] = 1;
    out[3] = BL_HLL_P;
    memcpy(out + 4, reg, BL_HLL_M);
}

int64_t bl__hll_estimate(const uint8_t reg[BL_HLL_M])
{
    double m = BL_HLL_M, sum = 0;
    unsigned zeros = 0;
    for (unsigned i = 0; i < BL_HLL_M; i++) {
        sum += ldexp(1.0, -(int)reg[i]);
        zeros += reg[i] == 0;
    }
    double e = 0.7213 / (1.0 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros > 0)
        e = m * log(m / zeros); /* linear counting for small cardinalities */
    return (int64_t)llround(e);
}

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
    if (!b || n != BL_HLL_BLOB || b[0] != 'H' || b[1] != 'L' || b[2] != 1 || b[3] != BL_HLL_P)
        return; /* not a sketch this build writes: ignored */
    for (unsigned i = 0; i < BL_HLL_M; i++)
        if (b[4 + i] > mc->reg[i])
            mc->reg[i] = b[4 + i];
    mc->valid = 1;
}

static void sketch_final(sqlite3_context *c)
{
    merge_ctx *mc = sqlite3_aggregate_context(c, 0);
    sqlite3_result_int64(c, mc && mc->valid ? bl__hll_estimate(mc->reg) : 0);
}

bl_status bl__register_sql_functions(sqlite3 *db)
{
    if (sqlite3_create_function(db, "bl_sketch_count", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                NULL, sketch_step, sketch_final) != SQLITE_OK)
        return BL_INTERNAL;
    return BL_OK;
}
