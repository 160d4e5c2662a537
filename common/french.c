/* French number, money and date formatting, without any locale: these
 * machines have no French locale, and reports must not depend on one. */
#include "bilan/common.h"

#include <stdio.h>
#include <string.h>

#define MINUS "\xE2\x88\x92" /* U+2212 MINUS SIGN, as French typography wants */

static const char *const months[] = {"janvier",   "février", "mars",     "avril",
                                     "mai",       "juin",    "juillet",  "août",
                                     "septembre", "octobre", "novembre", "décembre"};

const char *bl_fr_month_name(int m)
{
    if (m < 1 || m > 12)
        return "?";
    return months[m - 1];
}

/* Writes the digits of v (>= 0) grouped by three with U+202F into out. */
static void group(char *out, size_t n, uint64_t v)
{
    char digits[24];
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    char tmp[64];
    size_t o = 0;
    for (int i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0) {
            memcpy(tmp + o, BL_NNBSP, 3);
            o += 3;
        }
        tmp[o++] = digits[i];
    }
    tmp[o] = '\0';
    snprintf(out, n, "%s", tmp);
}

static uint64_t mag(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

char *bl_fr_int(char *out, size_t n, int64_t v)
{
    char g[64];
    group(g, sizeof g, mag(v));
    snprintf(out, n, "%s%s", v < 0 ? MINUS : "", g);
    return out;
}

char *bl_fr_decimal(char *out, size_t n, int64_t scaled, int decimals)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 18)
        decimals = 18;
    uint64_t m = mag(scaled), p = 1;
    for (int i = 0; i < decimals; i++)
        p *= 10;
    char g[64];
    group(g, sizeof g, m / p);
    if (decimals > 0) {
        char frac[24];
        uint64_t f = m % p;
        for (int i = decimals - 1; i >= 0; i--, f /= 10)
            frac[i] = (char)('0' + f % 10);
        frac[decimals] = '\0';
        snprintf(out, n, "%s%s,%s", scaled < 0 ? MINUS : "", g, frac);
    } else
        snprintf(out, n, "%s%s", scaled < 0 ? MINUS : "", g);
    return out;
}

char *bl_fr_money(char *out, size_t n, int64_t cents)
{
    char d[64];
    bl_fr_decimal(d, sizeof d, cents, 2);
    snprintf(out, n, "%s" BL_NBSP "€", d);
    return out;
}

char *bl_fr_money_euros(char *out, size_t n, int64_t cents)
{
    int64_t e = cents >= 0 ? (cents + 50) / 100 : -((-cents + 50) / 100);
    char d[64];
    bl_fr_int(d, sizeof d, e);
    snprintf(out, n, "%s" BL_NBSP "€", d);
    return out;
}

char *bl_fr_percent(char *out, size_t n, int64_t tenths)
{
    char d[64];
    bl_fr_decimal(d, sizeof d, tenths, 1);
    snprintf(out, n, "%s" BL_NBSP "%%", d);
    return out;
}

char *bl_fr_change(char *out, size_t n, int64_t tenths)
{
    char d[64];
    bl_fr_decimal(d, sizeof d, mag(tenths) > INT64_MAX ? INT64_MAX : (int64_t)mag(tenths), 1);
    snprintf(out, n, "%s%s" BL_NBSP "%%", tenths > 0 ? "+" : tenths < 0 ? MINUS : "", d);
    return out;
}

bool bl_change_tenths(int64_t now, int64_t base, int64_t *tenths)
{
    if (base == 0)
        return false;
    /* (now - base) / base * 1000, rounded half away from zero, in integers. */
    /* Counts stay far below 9e15, so the products fit in 64 bits. */
    int64_t num = (now - base) * 1000, den = base;
    if (den < 0)
        num = -num, den = -den;
    *tenths = (num >= 0 ? num + den / 2 : num - den / 2) / den;
    return true;
}

char *bl_fr_month(char *out, size_t n, int mi)
{
    snprintf(out, n, "%s %d", bl_fr_month_name(bl_month_num(mi)), bl_month_year(mi));
    return out;
}

char *bl_fr_span(char *out, size_t n, int a, int z)
{
    if (a == z)
        snprintf(out, n, "%s %d", bl_fr_month_name(bl_month_num(a)), bl_month_year(a));
    else if (bl_month_year(a) == bl_month_year(z))
        snprintf(out, n, "%s à %s %d", bl_fr_month_name(bl_month_num(a)),
                 bl_fr_month_name(bl_month_num(z)), bl_month_year(z));
    else
        snprintf(out, n, "%s %d à %s %d", bl_fr_month_name(bl_month_num(a)), bl_month_year(a),
                 bl_fr_month_name(bl_month_num(z)), bl_month_year(z));
    return out;
}

bl_status bl_fr_months(bl_buf *b, const bool *in, int first, int n)
{
    bl_status rc = BL_OK;
    bool any = false;
    for (int i = 0; i < n && rc == BL_OK; i++) {
        if (!in[i])
            continue;
        int j = i;
        while (j + 1 < n && in[j + 1])
            j++;
        char span[64];
        rc = bl_buf_printf(b, "%s%s", any ? ", " : "",
                           bl_fr_span(span, sizeof span, first + i, first + j));
        any = true;
        i = j;
    }
    return rc;
}

char *bl_fr_month_cap(char *out, size_t n, int mi)
{
    const char *name = bl_fr_month_name(bl_month_num(mi));
    /* Every French month starts with an ASCII letter except "août": a. */
    snprintf(out, n, "%c%s %d", name[0] - 32, name + 1, bl_month_year(mi));
    return out;
}

char *bl_fr_date(char *out, size_t n, int y, int m, int d)
{
    if (d == 1)
        snprintf(out, n, "1er %s %d", bl_fr_month_name(m), y);
    else
        snprintf(out, n, "%d %s %d", d, bl_fr_month_name(m), y);
    return out;
}
