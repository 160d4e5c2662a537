/* Attribution by name (bilan/aggregate.h): institution aliases -> libraries,
 * counter names -> resources, keys folded by the one rule for names
 * (bl_name_fold). IP ranges: aggregate/log_load.c. */
#include "bilan/aggregate.h"
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

struct bl_names {
    bl_strmap alias;    /* institution alias -> library id */
    bl_strmap resource; /* counter name -> resource id */
};

bl_names *bl_names_new(void)
{
    return calloc(1, sizeof(bl_names));
}

void bl_names_free(bl_names *n)
{
    if (!n)
        return;
    bl__strmap_free(&n->alias, free);
    bl__strmap_free(&n->resource, free);
    free(n);
}

static bl_status add(bl_strmap *m, const char *name, const char *id)
{
    char key[512];
    size_t kl = bl_name_fold(bl_sv_from(name), key, sizeof key);
    bl_strmap_entry *e;
    bl_status rc = bl__strmap_upsert(m, key, kl, &e);
    if (rc == BL_OK && !e->value && !(e->value = strdup(id)))
        rc = BL_NOMEM;
    return rc;
}

bl_status bl_names_add_alias(bl_names *n, const char *alias, const char *library_id)
{
    return add(&n->alias, alias, library_id);
}

bl_status bl_names_add_resource(bl_names *n, const char *name, const char *resource_id)
{
    return add(&n->resource, name, resource_id);
}

static const char *lookup(const bl_strmap *m, bl_sv s)
{
    char key[512];
    size_t kl = bl_name_fold(s, key, sizeof key);
    if (kl == 0)
        return NULL;
    return bl__strmap_get(m, key, kl);
}

const char *bl_names_library(const bl_names *n, bl_sv id, bl_sv name)
{
    const char *lib;
    /* R5 Institution_ID: "ISNI:0000000419370000; Proprietary:PNB:BM-04". */
    const char *p = id.ptr, *end = id.ptr + id.len;
    while (p && p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        bl_sv one = bl_sv_trim((bl_sv){p, semi ? (size_t)(semi - p) : (size_t)(end - p)});
        if (one.len) {
            if ((lib = lookup(&n->alias, one)))
                return lib;
            const char *colon = memchr(one.ptr, ':', one.len);
            while (colon) {
                bl_sv rest = {colon + 1, one.len - (size_t)(colon + 1 - one.ptr)};
                if ((lib = lookup(&n->alias, rest)))
                    return lib;
                colon = memchr(rest.ptr, ':', rest.len);
            }
        }
        p = semi ? semi + 1 : NULL;
    }
    return lookup(&n->alias, name);
}

const char *bl_names_resource(const bl_names *n, bl_sv database, bl_sv platform)
{
    const char *r = lookup(&n->resource, database);
    return r ? r : lookup(&n->resource, platform);
}
