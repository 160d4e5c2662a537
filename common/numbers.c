/* Parsing numbers as spreadsheets and providers write them: French or
 * English decimals, thousands separators. Money is never a float. */
#include "bilan/common.h"

#include <string.h>

/* Length of a thousands separator at p (0 if none): space, apostrophe,
 * NBSP (C2 A0), NNBSP (E2 80 AF). */
static size_t sep_len(const char *p, size_t left)
{
    unsigned char c = (unsigned char)p[0];
    if (c == ' ' || c == '\'')
        return 1;
    if (left >= 2 && c == 0xC2 && (unsigned char)p[1] == 0xA0)
        return 2;
    if (left >= 3 && c == 0xE2 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0xAF)
        return 3;
    return 0;
}

bool bl_parse_count(bl_sv s, int64_t *out)
{
    s = bl_sv_trim(s);
    if (s.len == 0)
        return false;
    /* Collect digit groups and the separators between them. */
    int64_t v = 0;
    size_t i = 0, group_len = 0, groups = 0;
    int sep_kind = 0; /* 0 none yet, else first byte of the separator used */
    while (i < s.len) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c >= '0' && c <= '9') {
            if (v > (INT64_MAX - 9) / 10)
                return false;
            v = v * 10 + (c - '0');
            group_len++;
            i++;
            continue;
        }
        size_t sl = (c == ',' || c == '.') ? 1 : sep_len(s.ptr + i, s.len - i);
        if (sl == 0 || group_len == 0)
            return false;
        /* A separator must follow a first group of 1–3 digits or a group of 3. */
        if ((groups == 0 && group_len > 3) || (groups > 0 && group_len != 3))
            return false;
        if (sep_kind && sep_kind != c)
            return false;
        sep_kind = c;
        groups++;
        group_len = 0;
        i += sl;
    }
    if (group_len == 0 || (groups > 0 && group_len != 3))
        return false;
    *out = v;
    return true;
}

bool bl_parse_decimal(bl_sv s, int scale, int64_t *out)
{
    s = bl_sv_trim(s);
    if (s.len == 0)
        return false;
    /* Strip a trailing euro sign. */
    if (s.len >= 3 && memcmp(s.ptr + s.len - 3, "\xE2\x82\xAC", 3) == 0) {
        s.len -= 3;
        s = bl_sv_trim(s);
    }
    /* The decimal mark is the last ',' or '.' followed by 1..n digits and
     * nothing else; when both marks appear, the last one is the decimal. */
    size_t dec = s.len;
    for (size_t i = s.len; i-- > 0;) {
        if (s.ptr[i] == ',' || s.ptr[i] == '.') {
            dec = i;
            break;
        }
    }
    bl_sv ip = {s.ptr, dec}, fp = {s.ptr + dec + 1, dec < s.len ? s.len - dec - 1 : 0};
    /* "1,016" with a comma and three digits is ambiguous; in a money or
     * rate column a comma is a French decimal mark, so take it as such. */
    int64_t iv = 0;
    if (ip.len == 0)
        iv = 0;
    else if (!bl_parse_count(ip, &iv))
        return false;
    int64_t frac = 0, p = 1;
    for (int k = 0; k < scale; k++)
        p *= 10;
    int64_t mult = p;
    bool round_up = false;
    for (size_t k = 0; k < fp.len; k++) {
        char c = fp.ptr[k];
        if (c < '0' || c > '9')
            return false;
        if (mult > 1) {
            mult /= 10;
            frac += (c - '0') * mult;
        } else if (k == (size_t)scale) {
            round_up = c >= '5';
        }
    }
    if (dec < s.len && fp.len == 0)
        return false;
    if (iv > (INT64_MAX - p) / p)
        return false;
    *out = iv * p + frac + (round_up ? 1 : 0);
    return true;
}

const char *const bl_resource_kinds[BL_RESOURCE_KIND_COUNT + 1] = {
    "ebook", "press", "video", "music", "training", "games", "youth", "other", NULL};

const char *const bl_extra_metrics[BL_EXTRA_METRIC_COUNT + 1] = {
    "Loans", "Plays", "Sessions", "Downloads", "Minutes", "Units_Consumed", NULL};

bool bl_id_valid(const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
        return false;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return n <= 64;
}
