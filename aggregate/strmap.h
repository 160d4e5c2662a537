/* A string-keyed open-addressing hash map (keys copied, values borrowed
 * pointers), for the in-memory lookups and the roll-up. */
#ifndef BILAN_STRMAP_H
#define BILAN_STRMAP_H

#include "bilan/common.h"

typedef struct bl_strmap_entry {
    char *key;
    size_t klen;
    uint64_t hash;
    void *value;
} bl_strmap_entry;

typedef struct bl_strmap {
    bl_strmap_entry *slots;
    size_t cap, count;
} bl_strmap;

/* Finds key; NULL when absent. */
void *bl__strmap_get(const bl_strmap *m, const char *key, size_t klen);
/* Finds or inserts key; *slot gets the entry (value NULL when new). */
bl_status bl__strmap_upsert(bl_strmap *m, const char *key, size_t klen, bl_strmap_entry **slot);
/* Frees keys (and values with free_value when not NULL). */
void bl__strmap_free(bl_strmap *m, void (*free_value)(void *));

#endif
