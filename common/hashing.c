/* Hashing: SHA-256 (OpenSSL's libcrypto) identifies ingested files by
 * content; SipHash-2-4 is the keyed hash that pseudonymises identifiers in
 * memory. */
#include "bilan/common.h"
#include "bilan/i18n.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

static void to_hex(const unsigned char *md, unsigned n, char *hex)
{
    static const char x[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        hex[2 * i] = x[md[i] >> 4];
        hex[2 * i + 1] = x[md[i] & 15];
    }
    hex[2 * n] = '\0';
}

void bl_sha256_hex(const void *p, size_t n, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
    to_hex(md, len, hex);
}

bl_status bl_sha256_files(const char *const *paths, size_t n, char hex[65], char **errmsg)
{
    bl_status st = BL_OK;
    unsigned char buf[1 << 16];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(ctx);
        return BL_NOMEM;
    }
    for (size_t i = 0; i < n && st == BL_OK; i++) {
        FILE *f = fopen(paths[i], "rb");
        if (!f) {
            *errmsg = bl_strdup_printf(_("cannot open '%s': %s"), paths[i], strerror(errno));
            st = BL_NOINPUT;
            break;
        }
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0)
            EVP_DigestUpdate(ctx, buf, got);
        if (ferror(f)) {
            *errmsg = bl_strdup_printf(_("cannot read '%s': %s"), paths[i], strerror(errno));
            st = BL_IO;
        }
        fclose(f);
    }
    if (st == BL_OK) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        EVP_DigestFinal_ex(ctx, md, &len);
        to_hex(md, len, hex);
    }
    EVP_MD_CTX_free(ctx);
    return st;
}

bl_status bl_sha256_file(const char *path, char hex[65], char **errmsg)
{
    return bl_sha256_files(&path, 1, hex, errmsg);
}

static inline uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The last n < 8 bytes at s as a little-endian number. With at least 8 bytes
 * before the end (back), one load of the 8 that end there; otherwise two
 * overlapping loads (4 to 7 bytes) or three single bytes (1 to 3). */
static inline uint64_t tail_le(const unsigned char *s, size_t n, bool back)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (!n)
        return 0;
    if (back)
        return rd64(s + n - 8) >> (64 - 8 * n);
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        return lo | (uint64_t)hi << (8 * (n - 4));
    }
    return s[0] | (uint64_t)s[n / 2] << (8 * (n / 2)) | (uint64_t)s[n - 1] << (8 * (n - 1));
#else
    (void)back;
    uint64_t t = 0;
    for (size_t i = 0; i < n; i++)
        t |= (uint64_t)s[i] << (8 * i);
    return t;
#endif
}

/* clang-format off */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                 \
    do {                                                                         \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                   \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                   \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                \
    } while (0)
/* clang-format on */

static inline uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8); /* one load; the compiler did not see it in a byte loop */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* SipHash-2-4's state: set up from the key, a compression of 2 rounds per
 * 8-byte word, the last word (length in its top byte) and 4 rounds. */
typedef struct sip {
    uint64_t v0, v1, v2, v3;
} sip;

static inline __attribute__((always_inline)) sip sip_init(const uint8_t key[16])
{
    uint64_t k0 = le64(key), k1 = le64(key + 8);
    return (sip){0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1, 0x6c7967656e657261ULL ^ k0,
                 0x7465646279746573ULL ^ k1};
}

static inline __attribute__((always_inline)) void sip_word(sip *s, uint64_t m)
{
    uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3 ^ m;
    SIPROUND;
    SIPROUND;
    *s = (sip){v0 ^ m, v1, v2, v3};
}

static inline __attribute__((always_inline)) uint64_t sip_final(sip *s, uint64_t last)
{
    sip_word(s, last);
    uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2 ^ 0xff, v3 = s->v3;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t bl_siphash(const uint8_t key[16], const void *data, size_t n)
{
    const uint8_t *in = data;
    sip s = sip_init(key);
    uint64_t b = (uint64_t)n << 56;
    size_t end = n - n % 8;
    for (size_t i = 0; i < end; i += 8)
        sip_word(&s, le64(in + i));
    return sip_final(&s, b | tail_le(in + end, n % 8, n >= 8));
}

uint64_t bl_siphash_tagged(const uint8_t key[16], char tag, uint64_t a, const uint64_t *b)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* The message's 8-byte words, as bl_siphash reads the bytes above. */
    sip s = sip_init(key);
    sip_word(&s, (uint8_t)tag | a << 8);
    if (!b)
        return sip_final(&s, a >> 56 | 9ULL << 56);
    sip_word(&s, a >> 56 | *b << 8);
    return sip_final(&s, *b >> 56 | 17ULL << 56);
#else
    uint8_t buf[17];
    buf[0] = (uint8_t)tag;
    memcpy(buf + 1, &a, 8);
    if (b)
        memcpy(buf + 9, b, 8);
    return bl_siphash(key, buf, b ? 17 : 9);
#endif
}

/* ---- a fast unkeyed hash -------------------------------------------------------- */

uint64_t bl_fhash(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    const bool back = n >= 8;
    uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull);
    while (n >= 8) {
        uint64_t v = rd64(s) * 0x87C37B91114253D5ull;
        v = (v << 31) | (v >> 33);
        h = (h ^ v) * 0x4CF5AD432745937Full;
        h = (h << 27) | (h >> 37);
        s += 8;
        n -= 8;
    }
    h ^= tail_le(s, n, back) * 0x87C37B91114253D5ull;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}
