/* String-keyed hash map with linear probing (FNV-1a). */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void *bl__strmap_get(const bl_strmap *m, const char *key, size_t klen)
{
    if (!m->cap)
        return NULL;
    uint64_t h = fnv(key, klen);
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        const bl_strmap_entry *e = &m->slots[i];
        if (!e->key)
            return NULL;
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
            return e->value;
    }
}

static bl_status grow(bl_strmap *m)
{
    size_t nc = m->cap ? m->cap * 2 : 64;
    bl_strmap_entry *ns = calloc(nc, sizeof *ns);
    if (!ns)
        return BL_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        bl_strmap_entry *e = &m->slots[i];
        if (!e->key)
            continue;
        size_t j = e->hash & (nc - 1);
        while (ns[j].key)
            j = (j + 1) & (nc - 1);
        ns[j] = *e;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = nc;
    return BL_OK;
}

bl_status bl__strmap_upsert(bl_strmap *m, const char *key, size_t klen, bl_strmap_entry **slot)
{
    if ((m->count + 1) * 4 >= m->cap * 3) {
        bl_status rc = grow(m);
        if (rc != BL_OK)
            return rc;
    }
    uint64_t h = fnv(key, klen);
    size_t i = h & (m->cap - 1);
    for (;; i = (i + 1) & (m->cap - 1)) {
        bl_strmap_entry *e = &m->slots[i];
        if (!e->key)
            break;
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0) {
            *slot = e;
            return BL_OK;
        }
    }
    char *k = malloc(klen + 1);
    if (!k)
        return BL_NOMEM;
    memcpy(k, key, klen);
    k[klen] = '\0';
    m->slots[i] = (bl_strmap_entry){k, klen, h, NULL};
    m->count++;
    *slot = &m->slots[i];
    return BL_OK;
}

void bl__strmap_free(bl_strmap *m, void (*free_value)(void *))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        free(m->slots[i].key);
        if (free_value)
            free_value(m->slots[i].value);
    }
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}
