/* The plain-string request test of the access-log rules (bl__contains in
 * aggregate/hits.c): 16 positions at a time, then one by one. Checked
 * against a byte-by-byte search on strings of a small alphabet (so that
 * the first and last bytes match often without the rest), of every length
 * around the 16-byte blocks, the needle anywhere, at the very end, across
 * two blocks, and longer than the string. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hits_internal.h"

static bool naive(const char *s, size_t n, const char *t, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(s + i, t, m) == 0)
            return true;
    return false;
}

Test(contains, agrees_with_a_byte_by_byte_search)
{
    static const char alpha[] = "/lire/a";
    uint64_t x = 7;
    char s[96], t[24];
    size_t found = 0, tried = 0;
    for (int round = 0; round < 200000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % 90), m = 1 + (size_t)((x >> 8) % 20);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            s[i] = alpha[x % (sizeof alpha - 1)];
        }
        for (size_t i = 0; i < m; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            t[i] = alpha[x % (sizeof alpha - 1)];
        }
        /* Half the time, plant the needle at a chosen place. */
        if ((x >> 20) & 1 && m <= n)
            memcpy(s + (size_t)((x >> 24) % (n - m + 1)), t, m);
        /* The string alone in a block of its own, so that ASan sees any
         * read past its end. */
        char *heap = malloc(n ? n : 1);
        memcpy(heap, s, n);
        bool want = naive(heap, n, t, m);
        cr_assert_eq(bl__contains(heap, n, t, m), want, "round %d: n=%zu m=%zu", round, n, m);
        found += want;
        tried++;
        free(heap);
    }
    /* Both answers were asked for often. */
    cr_assert(found > tried / 10 && found < tried - tried / 10, "found %zu of %zu", found, tried);
}

Test(contains, edges)
{
    const char *url = "/ebook/lire/12345678901234567890/page";
    size_t n = strlen(url);
    cr_assert(bl__contains(url, n, "/lire/", 6));
    cr_assert(bl__contains(url, n, "/page", 5));  /* at the very end */
    cr_assert(bl__contains(url, n, "/ebook", 6)); /* at the start */
    cr_assert(!bl__contains(url, n, "/pages", 6));
    cr_assert(!bl__contains(url, n - 1, "/page", 5)); /* cut by the length given */
    cr_assert(bl__contains(url, n, "", 0));
    cr_assert(!bl__contains("", 0, "a", 1));
    /* A match that starts in the first 16 positions and ends after them. */
    cr_assert(bl__contains("0123456789abcdefghij", 20, "cdefgh", 6));
}
