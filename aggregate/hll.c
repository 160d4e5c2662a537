/* HyperLogLog sketches of distinct users (p = 12: 4 096 one-byte registers,
 * about 1.6 % standard error, exact-looking for small counts thanks to
 * linear counting), and their merge (register-wise max), which the store's
 * SQL aggregate bl_sketch_count(blob) uses (store/sqlfn.c). Merging is what
 * lets a semester or a year be counted without ever keeping identities. */
#include "bilan/aggregate.h"

#include <math.h>
#include <string.h>

void bl_hll_add(uint8_t reg[BL_HLL_M], uint64_t hash)
{
    uint32_t idx = (uint32_t)(hash >> (64 - BL_HLL_P));
    /* A guard bit bounds the rank at 64 - p + 1. */
    uint64_t w = (hash << BL_HLL_P) | (1ull << (BL_HLL_P - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(w) + 1);
    if (rank > reg[idx])
        reg[idx] = rank;
}

void bl_hll_serialize(const uint8_t reg[BL_HLL_M], uint8_t out[BL_HLL_BLOB])
{
    out[0] = 'H';
    out[1] = 'L';
    out[2] = 1;
    out[3] = BL_HLL_P;
    memcpy(out + 4, reg, BL_HLL_M);
}

int64_t bl_hll_estimate(const uint8_t reg[BL_HLL_M])
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

bool bl_hll_merge(uint8_t reg[BL_HLL_M], const uint8_t *b, size_t n)
{
    if (!b || n != BL_HLL_BLOB || b[0] != 'H' || b[1] != 'L' || b[2] != 1 || b[3] != BL_HLL_P)
        return false; /* not a sketch this build writes */
    for (unsigned i = 0; i < BL_HLL_M; i++)
        if (b[4 + i] > reg[i])
            reg[i] = b[4 + i];
    return true;
}
