/* Internal pieces of the access-log module: a u64-keyed hash table with
 * deletion (the expiring state of double clicks and sessions), a fast
 * non-keyed string hash for in-memory caches (HyperLogLog: bilan/aggregate.h). */
#ifndef BILAN_HITS_INTERNAL_H
#define BILAN_HITS_INTERNAL_H

#include "bilan/aggregate.h"

/* ---- u64 map ------------------------------------------------------------------ */

/* Open addressing, linear probing, backward-shift deletion. Each slot is
 * esize bytes starting with its uint64_t key (0 marks an empty slot, so a
 * key of 0 is stored as 1). Element pointers are valid until the next put. */
typedef struct bl_u64map {
    unsigned char *slots;
    size_t cap, count, esize;
} bl_u64map;

void bl__u64map_init(bl_u64map *m, size_t esize);
void *bl__u64map_get(const bl_u64map *m, uint64_t key);
/* Finds or inserts key (a new element is zeroed but for its key); NULL when
 * out of memory. *isnew says which. */
void *bl__u64map_put(bl_u64map *m, uint64_t key, bool *isnew);
/* Deletes the element at slot i. Returns true when another element moved
 * into slot i (so that a scan must look at slot i again). */
bool bl__u64map_del_at(bl_u64map *m, size_t i);
static inline void *bl__u64map_at(const bl_u64map *m, size_t i)
{
    return m->slots + i * m->esize;
}
static inline uint64_t bl__u64map_key_at(const bl_u64map *m, size_t i)
{
    uint64_t k;
    __builtin_memcpy(&k, m->slots + i * m->esize, sizeof k);
    return k;
}
void bl__u64map_clear(bl_u64map *m);
void bl__u64map_release(bl_u64map *m);

/* ---- hashing ----------------------------------------------------------------------- */

/* A fast 64-bit hash of bytes (not keyed: for in-memory caches and as a
 * pre-hash fed to the keyed SipHash, never stored). */
uint64_t bl__fhash(const void *p, size_t n, uint64_t seed);
static inline uint64_t bl__mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ (b + 0x9E3779B97F4A7C15ull + (a << 6) + (a >> 2));
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return x;
}

#endif
