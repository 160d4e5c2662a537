/* Number parsing, encodings, hashing, bounded buffers. */
#include <criterion/criterion.h>
#include <string.h>

#include "bilan/common.h"

static int64_t count(const char *s, bool *ok)
{
    int64_t v = -1;
    *ok = bl_parse_count(bl_sv_from(s), &v);
    return v;
}

Test(numbers, counts_with_thousands_separators)
{
    bool ok;
    cr_assert_eq(count("1016", &ok), 1016);
    cr_assert(ok);
    cr_assert_eq(count("1,016", &ok), 1016);
    cr_assert(ok);
    cr_assert_eq(count("1 016", &ok), 1016);
    cr_assert(ok);
    cr_assert_eq(count("1" BL_NNBSP "016" BL_NNBSP "000", &ok), 1016000);
    cr_assert(ok);
    cr_assert_eq(count(" 42 ", &ok), 42);
    cr_assert(ok);
    count("1,01", &ok);
    cr_assert(!ok, "a group of two digits is not a thousands group");
    count("12a", &ok);
    cr_assert(!ok);
    count("-3", &ok);
    cr_assert(!ok);
    count("", &ok);
    cr_assert(!ok);
    count("1,016.000", &ok);
    cr_assert(!ok, "mixed separators");
    count("99999999999999999999", &ok);
    cr_assert(!ok, "overflow");
}

Test(numbers, decimals_french_or_english)
{
    int64_t v;
    cr_assert(bl_parse_decimal(bl_sv_from("0,15"), 4, &v));
    cr_assert_eq(v, 1500);
    cr_assert(bl_parse_decimal(bl_sv_from("0.15"), 4, &v));
    cr_assert_eq(v, 1500);
    cr_assert(bl_parse_decimal(bl_sv_from("21 368,70 €"), 2, &v));
    cr_assert_eq(v, 2136870);
    cr_assert(bl_parse_decimal(bl_sv_from("12000"), 2, &v));
    cr_assert_eq(v, 1200000);
    cr_assert(bl_parse_decimal(bl_sv_from("0,125"), 2, &v));
    cr_assert_eq(v, 13, "rounded half up");
    cr_assert(!bl_parse_decimal(bl_sv_from("abc"), 2, &v));
    cr_assert(!bl_parse_decimal(bl_sv_from("1,"), 2, &v));
}

Test(encoding, utf8_validation_and_cp1252)
{
    cr_assert(bl_utf8_valid("Médiathèque", strlen("Médiathèque")));
    cr_assert(!bl_utf8_valid("M\xE9"
                             "diath\xE8que",
                             11));
    cr_assert(!bl_utf8_valid("\xC0\xAF", 2), "overlong");
    bl_buf b = BL_BUF_INIT(1024);
    cr_assert_eq(bl_cp1252_to_utf8(&b,
                                   "M\xE9"
                                   "diath\xE8que \x80 \x9C",
                                   15),
                 BL_OK);
    cr_assert_str_eq(bl_buf_cstr(&b), "Médiathèque € œ");
    bl_buf_release(&b);
}

/* A buffer without a bound (cap SIZE_MAX) grows like any other: its cap
 * plus the NUL's byte once wrapped to 0 and the first append freed it. */
Test(buffer, unbounded_cap_does_not_wrap)
{
    bl_buf b = BL_BUF_INIT(SIZE_MAX);
    cr_assert_eq(bl_buf_append(&b, "abc", 3), BL_OK);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(bl_buf_printf(&b, "%d,", i), BL_OK);
    cr_assert_eq(strncmp(bl_buf_cstr(&b), "abc0,1,2,", 9), 0);
    cr_assert_str_eq(bl_buf_cstr(&b) + b.len - 4, "999,");
    size_t len = b.len;
    char c = 0;
    /* More than any size can hold: refused, the buffer unchanged. */
    cr_assert_eq(bl_buf_append(&b, &c, SIZE_MAX - 1), BL_DATA);
    cr_assert_eq(b.len, len);
    bl_buf_release(&b);
    /* A bounded buffer still stops at its cap. */
    bl_buf s = BL_BUF_INIT(4);
    cr_assert_eq(bl_buf_append(&s, "abcd", 4), BL_OK);
    cr_assert_eq(bl_buf_append(&s, "e", 1), BL_DATA);
    cr_assert_str_eq(bl_buf_cstr(&s), "abcd");
    bl_buf_release(&s);
}

Test(hashing, sha256_and_siphash_vectors)
{
    char hex[65];
    bl_sha256_hex("abc", 3, hex);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* SipHash-2-4 reference vector: key 00..0f, message 00..0e. */
    uint8_t key[16], msg[15];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 15; i++)
        msg[i] = (uint8_t)i;
    cr_assert_eq(bl_siphash(key, msg, 15), 0xa129ca6149be45e5ULL);
    cr_assert_eq(bl_siphash(key, msg, 0), 0x726fdb47dd0e0e31ULL);
    /* The tagged form is the same function on its 9 or 17 bytes. */
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t a = x, b = x * 0xBF58476D1CE4E5B9ULL;
        key[i % 16] ^= (uint8_t)(x >> 40);
        uint8_t buf[17] = {(uint8_t)(i & 0xff)};
        memcpy(buf + 1, &a, 8);
        memcpy(buf + 9, &b, 8);
        cr_assert_eq(bl_siphash_tagged(key, (char)buf[0], a, NULL), bl_siphash(key, buf, 9));
        cr_assert_eq(bl_siphash_tagged(key, (char)buf[0], a, &b), bl_siphash(key, buf, 17));
    }
}

/* The byte-at-a-time forms the hashes had before their tails were read in
 * one or two loads: the values must not move (pseudonyms of earlier months
 * are merged with new ones in the stored sketches). */
static uint64_t ref_fhash(const uint8_t *s, size_t n, uint64_t seed)
{
    uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull);
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
            v = v << 8 | s[i];
        v *= 0x87C37B91114253D5ull;
        v = (v << 31) | (v >> 33);
        h = (h ^ v) * 0x4CF5AD432745937Full;
        h = (h << 27) | (h >> 37);
    }
    uint64_t t = 0;
    for (size_t i = 0; i < n; i++)
        t |= (uint64_t)s[i] << (8 * i);
    h ^= t * 0x87C37B91114253D5ull;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 33);
}

#define RROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define RROUND                                                                                 \
    (v0 += v1, v1 = RROTL(v1, 13), v1 ^= v0, v0 = RROTL(v0, 32), v2 += v3, v3 = RROTL(v3, 16), \
     v3 ^= v2, v0 += v3, v3 = RROTL(v3, 21), v3 ^= v0, v2 += v1, v1 = RROTL(v1, 17), v1 ^= v2, \
     v2 = RROTL(v2, 32))

static uint64_t ref_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t ref_siphash(const uint8_t key[16], const uint8_t *in, size_t n)
{
    uint64_t k0 = ref_le64(key), k1 = ref_le64(key + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1,
             v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    uint64_t b = (uint64_t)n << 56;
    size_t end = n - n % 8;
    for (size_t i = 0; i <= end; i += 8) {
        uint64_t m = b;
        if (i < end)
            m = ref_le64(in + i);
        else
            for (size_t j = 0; j < n % 8; j++)
                m |= (uint64_t)in[end + j] << (8 * j);
        v3 ^= m;
        RROUND;
        RROUND;
        v0 ^= m;
    }
    v2 ^= 0xff;
    RROUND;
    RROUND;
    RROUND;
    RROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

Test(hashing, tails_read_whole_give_the_same_values)
{
    uint8_t buf[96], key[16];
    uint64_t x = 0x2545F4914F6CDD1DULL;
    for (size_t i = 0; i < sizeof buf; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (uint8_t)(x >> 32);
    }
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)(3 * i + 1);
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n + off <= 80; n++) {
            cr_assert_eq(bl_fhash(buf + off, n, 0x2c), ref_fhash(buf + off, n, 0x2c),
                         "fhash %zu+%zu", off, n);
            cr_assert_eq(bl_siphash(key, buf + off, n), ref_siphash(key, buf + off, n),
                         "siphash %zu+%zu", off, n);
        }
    /* Two values pinned: the agent and client hashes of a real line. */
    const char *ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    cr_assert_eq(bl_fhash(ua, strlen(ua), 0x2c), 0xea148604d85b0de7ULL);
    cr_assert_eq(bl_fhash("192.0.2.17", 10, 0x4e), 0x0c221389d86d5a5dULL);
}

Test(buffer, cap_is_enforced)
{
    bl_buf b = BL_BUF_INIT(8);
    cr_assert_eq(bl_buf_puts(&b, "12345678"), BL_OK);
    cr_assert_eq(bl_buf_puts(&b, "9"), BL_DATA);
    cr_assert_eq(b.len, 8);
    cr_assert_str_eq(bl_buf_cstr(&b), "12345678");
    bl_buf_release(&b);
}

Test(status, exit_codes_follow_sysexits)
{
    cr_assert_eq(bl_status_exit(BL_OK), 0);
    cr_assert_eq(bl_status_exit(BL_DATA), 65);
    cr_assert_eq(bl_status_exit(BL_NOINPUT), 66);
    cr_assert_eq(bl_status_exit(BL_TEMPFAIL), 75);
    cr_assert_str_eq(bl_status_str(BL_DATA), "bad input data");
}
