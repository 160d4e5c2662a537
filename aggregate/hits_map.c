/* The u64-keyed hash table behind the access-log state (double clicks,
 * session items, per-patron counters, caches). The fast string hash is
 * bl_fhash (common/hashing.c), which the log reader also uses.
 * Deletion by backward shift keeps probe chains short without tombstones,
 * so tables that see millions of inserts and expiries stay small. */
#include "hits_internal.h"

#include <stdlib.h>
#include <string.h>

void bl__u64map_init(bl_u64map *m, size_t esize)
{
    memset(m, 0, sizeof *m);
    m->esize = esize;
}

bool bl__u64map_reserve(bl_u64map *m, size_t cap)
{
    if (m->slots || cap <= 64)
        return true;
    if (cap & (cap - 1))
        return false; /* not a power of two: the caller's mistake, left to grow */
    if (!(m->slots = calloc(cap, m->esize)))
        return false;
    m->cap = cap;
    return true;
}

bool bl__u64map_grow(bl_u64map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    unsigned char *ns = calloc(ncap, m->esize);
    if (!ns)
        return false;
    bl_u64map n = {ns, ncap, 0, m->esize};
    for (size_t i = 0; i < m->cap; i++) {
        uint64_t k = bl__u64map_key_at(m, i);
        if (!k)
            continue;
        size_t j = bl__u64map_home(&n, k);
        while (bl__u64map_key_at(&n, j))
            j = (j + 1) & (ncap - 1);
        memcpy(bl__u64map_at(&n, j), bl__u64map_at(m, i), m->esize);
        n.count++;
    }
    free(m->slots);
    *m = n;
    return true;
}

bool bl__u64map_del_at(bl_u64map *m, size_t i)
{
    size_t mask = m->cap - 1, hole = i;
    bool moved_here = false;
    memset(bl__u64map_at(m, hole), 0, m->esize);
    m->count--;
    for (size_t j = (hole + 1) & mask;; j = (j + 1) & mask) {
        uint64_t k = bl__u64map_key_at(m, j);
        if (!k)
            break;
        size_t h = bl__u64map_home(m, k);
        /* Move j into the hole unless its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
        if (stays)
            continue;
        memcpy(bl__u64map_at(m, hole), bl__u64map_at(m, j), m->esize);
        memset(bl__u64map_at(m, j), 0, m->esize);
        if (hole == i)
            moved_here = true;
        hole = j;
    }
    return moved_here;
}

void bl__u64map_clear(bl_u64map *m)
{
    if (m->slots)
        memset(m->slots, 0, m->cap * m->esize);
    m->count = 0;
}

void bl__u64map_release(bl_u64map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}
