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

static size_t home(const bl_u64map *m, uint64_t k)
{
    /* Keys are often structured (cell << 32 | month...): mix every bit in. */
    k ^= k >> 33;
    k *= 0xFF51AFD7ED558CCDull;
    k ^= k >> 33;
    return (size_t)k & (m->cap - 1);
}

void *bl__u64map_get(const bl_u64map *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    if (key == 0)
        key = 1;
    for (size_t i = home(m, key);; i = (i + 1) & (m->cap - 1)) {
        uint64_t k = bl__u64map_key_at(m, i);
        if (k == key)
            return bl__u64map_at(m, i);
        if (k == 0)
            return NULL;
    }
}

static bool grow(bl_u64map *m)
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
        size_t j = home(&n, k);
        while (bl__u64map_key_at(&n, j))
            j = (j + 1) & (ncap - 1);
        memcpy(bl__u64map_at(&n, j), bl__u64map_at(m, i), m->esize);
        n.count++;
    }
    free(m->slots);
    *m = n;
    return true;
}

void *bl__u64map_put(bl_u64map *m, uint64_t key, bool *isnew)
{
    if (key == 0)
        key = 1;
    if ((m->count + 1) * 4 > m->cap * 3 && !grow(m))
        return NULL;
    size_t i = home(m, key);
    for (;; i = (i + 1) & (m->cap - 1)) {
        uint64_t k = bl__u64map_key_at(m, i);
        if (k == key) {
            *isnew = false;
            return bl__u64map_at(m, i);
        }
        if (k == 0)
            break;
    }
    unsigned char *e = bl__u64map_at(m, i);
    memset(e, 0, m->esize);
    memcpy(e, &key, sizeof key);
    m->count++;
    *isnew = true;
    return e;
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
        size_t h = home(m, k);
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
