/* Attribution: aliases, counter names, CIDR ranges; metric names. */
#include "attrib.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

bool bl__ip_parse(bl_sv s, int *family, uint8_t addr[16])
{
    char buf[64];
    s = bl_sv_trim(s);
    if (s.len == 0 || s.len >= sizeof buf)
        return false;
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = '\0';
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, buf, addr) == 1) {
        *family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, buf, addr) == 1) {
        /* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is that IPv4 address. */
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(addr, mapped, 12) == 0) {
            memmove(addr, addr + 12, 4);
            memset(addr + 4, 0, 12);
            *family = 4;
        } else {
            *family = 6;
        }
        return true;
    }
    return false;
}

bool bl__cidr_parse(const char *s, bl_cidr *out)
{
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    if (!bl__ip_parse((bl_sv){s, alen}, &out->family, out->addr))
        return false;
    int max = out->family == 4 ? 32 : 128;
    out->prefix = max;
    if (slash) {
        int64_t p;
        if (!bl_parse_count(bl_sv_from(slash + 1), &p) || p > max)
            return false;
        out->prefix = (int)p;
    }
    /* Keep only the network bits. */
    for (int bit = out->prefix; bit < max; bit++)
        out->addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    return true;
}

bool bl__cidr_contains(const bl_cidr *c, int family, const uint8_t addr[16])
{
    if (c->family != family)
        return false;
    int full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->addr, addr, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xFFu << (8 - rest));
    return (addr[full] & mask) == c->addr[full];
}

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
    size_t kl = fold(bl_sv_from(name), key, sizeof key);
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
    size_t kl = fold(s, key, sizeof key);
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
