/* Attribution: aliases, counter names, CIDR ranges; metric names. */
#include "attrib.h"

#include <stdlib.h>
#include <string.h>

static const char *const metrics[] = {"Total_Item_Investigations",
                                      "Total_Item_Requests",
                                      "Unique_Item_Investigations",
                                      "Unique_Item_Requests",
                                      "Unique_Title_Investigations",
                                      "Unique_Title_Requests",
                                      "Limit_Exceeded",
                                      "No_License",
                                      "Searches_Regular",
                                      "Searches_Automated",
                                      "Searches_Federated",
                                      "Searches_Platform",
                                      NULL};

bool bl__metric_known(const char *name)
{
    for (const char *const *m = metrics; *m; m++)
        if (strcmp(*m, name) == 0)
            return true;
    return false;
}

/* Folded key: trimmed, ASCII lower case, inner runs of white space as one. */
static size_t fold(bl_sv s, char *out, size_t n)
{
    s = bl_sv_trim(s);
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; i < s.len && o + 1 < n; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (space && o > 0)
            out[o++] = ' ';
        space = false;
        if (o + 1 < n)
            out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    out[o] = '\0';
    return o;
}

static bl_status load_map(bl_store *st, const char *sql, bl_strmap *m)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    bl_status rc = BL_OK;
    while (rc == BL_OK && sqlite3_step(q) == SQLITE_ROW) {
        char key[512];
        size_t kl = fold(bl_sv_from((const char *)sqlite3_column_text(q, 0)), key, sizeof key);
        bl_strmap_entry *e;
        rc = bl__strmap_upsert(m, key, kl, &e);
        if (rc == BL_OK && !e->value &&
            !(e->value = strdup((const char *)sqlite3_column_text(q, 1))))
            rc = BL_NOMEM;
    }
    sqlite3_finalize(q);
    return rc;
}

bl_status bl__names_load(bl_store *st, bl_names *n)
{
    memset(n, 0, sizeof *n);
    bl_status rc = load_map(st, "SELECT alias, library_id FROM library_alias", &n->alias);
    if (rc == BL_OK)
        rc = load_map(st, "SELECT name, resource_id FROM resource_name", &n->resource);
    if (rc != BL_OK)
        bl__names_free(n);
    return rc;
}

void bl__names_free(bl_names *n)
{
    bl__strmap_free(&n->alias, free);
    bl__strmap_free(&n->resource, free);
}

static const char *lookup(const bl_strmap *m, bl_sv s)
{
    char key[512];
    size_t kl = fold(s, key, sizeof key);
    if (kl == 0)
        return NULL;
    return bl__strmap_get(m, key, kl);
}

const char *bl__names_library(const bl_names *n, bl_sv id, bl_sv name)
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

const char *bl__names_resource(const bl_names *n, bl_sv database, bl_sv platform)
{
    const char *r = lookup(&n->resource, database);
    return r ? r : lookup(&n->resource, platform);
}
