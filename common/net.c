/* IP addresses and CIDR ranges (libraries' ip_ranges, access logs' clients). */
#include "bilan/common.h"

#include <arpa/inet.h>
#include <string.h>

bool bl_ip_parse(bl_sv s, int *family, uint8_t addr[16])
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

bool bl_cidr_parse(const char *s, bl_cidr *out)
{
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    if (!bl_ip_parse((bl_sv){s, alen}, &out->family, out->addr))
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

bool bl_cidr_contains(const bl_cidr *c, int family, const uint8_t addr[16])
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

bool bl_cidr_overlap(const bl_cidr *a, const bl_cidr *b)
{
    /* Two prefixes overlap exactly when the shorter holds the other's
     * network address. */
    const bl_cidr *wide = a->prefix <= b->prefix ? a : b, *narrow = wide == a ? b : a;
    return bl_cidr_contains(wide, narrow->family, narrow->addr);
}

bool bl_url_loopback_http(const char *u)
{
    static const char *const loop[] = {"http://127.0.0.1", "http://[::1]", "http://localhost"};
    for (size_t i = 0; i < sizeof loop / sizeof loop[0]; i++) {
        size_t n = strlen(loop[i]);
        if (strncmp(u, loop[i], n) == 0 && (u[n] == '\0' || u[n] == ':' || u[n] == '/'))
            return true;
    }
    return false;
}
