/* The one rule for comparing names written by people and providers (library
 * aliases, COUNTER names): case, accents of Latin letters and spacing do not
 * count (docs/network.md, "Names"). The letter step is shared with the
 * profiles' header matching (ingest/counter_common.c). */
#include "bilan/common.h"

#include <string.h>

/* Base letters of U+00C0..U+00FF, upper and lower case alike ('_': none;
 * Æ and æ are two letters, handled apart). */
static const char latin1_base[] = "aaaaaa_ceeeeiiii_nooooo_ouuuuy__";

size_t bl_fold_letter(const char *p, size_t n, char out[2], size_t *outn)
{
    const unsigned char *s = (const unsigned char *)p;
    if (n == 0)
        return 0;
    if (s[0] >= 'A' && s[0] <= 'Z') {
        out[0] = (char)(s[0] - 'A' + 'a');
        *outn = 1;
        return 1;
    }
    if (s[0] >= 'a' && s[0] <= 'z') {
        out[0] = (char)s[0];
        *outn = 1;
        return 1;
    }
    if (n < 2)
        return 0;
    if (s[0] == 0xC3 && s[1] >= 0x80 && s[1] <= 0xBF) {
        unsigned cp = 0xC0u + (s[1] - 0x80u);
        if (cp == 0xC6 || cp == 0xE6) { /* Æ æ */
            out[0] = 'a', out[1] = 'e';
            *outn = 2;
            return 2;
        }
        char b = cp == 0xFF ? 'y' : latin1_base[(cp - 0xC0u) & 31u];
        if (b == '_')
            return 0; /* × ÷ ß Ð ð Þ þ: no base letter */
        out[0] = b;
        *outn = 1;
        return 2;
    }
    if (s[0] == 0xC5 && (s[1] == 0x92 || s[1] == 0x93)) { /* Œ œ */
        out[0] = 'o', out[1] = 'e';
        *outn = 2;
        return 2;
    }
    if (s[0] == 0xC5 && s[1] == 0xB8) { /* Ÿ (U+0178, ÿ's capital) */
        out[0] = 'y';
        *outn = 1;
        return 2;
    }
    return 0;
}

/* The length of the white space at p[0..n): space, tab, U+00A0, U+202F
 * (and the other ASCII white space bl_sv_trim drops); 0 when none. */
static size_t space_len(const unsigned char *p, size_t n)
{
    if (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\n' || p[0] == '\v' || p[0] == '\f')
        return 1;
    if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (n >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF)
        return 3;
    return 0;
}

size_t bl_name_fold(bl_sv s, char *out, size_t n)
{
    if (n == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t o = 0, i = 0;
    bool space = false;
    while (i < s.len) {
        char f[2];
        size_t fn = 1, k;
        if (p[i] < 0x80 && p[i] > ' ') { /* most names are ASCII: the short way */
            f[0] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
            k = 1;
        } else if ((k = space_len(p + i, s.len - i))) {
            space = o > 0; /* leading white space dropped, trailing never written */
            i += k;
            continue;
        } else if (!(k = bl_fold_letter(s.ptr + i, s.len - i, f, &fn))) {
            f[0] = s.ptr[i]; /* other UTF-8 and stray bytes: as they are */
            k = 1;
        }
        if (o + space + fn + 1 > n)
            break; /* a folded letter whole or not at all */
        if (space)
            out[o++] = ' ';
        space = false;
        memcpy(out + o, f, fn);
        o += fn;
        i += k;
    }
    out[o] = '\0';
    return o;
}
