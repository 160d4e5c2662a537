/* Calendar arithmetic in whole days, no time zones: Howard Hinnant's
 * days_from_civil / civil_from_days, proleptic Gregorian. */
#include "bilan/common.h"

#include <stdio.h>
#include <string.h>

int64_t bl_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153u * (unsigned)(m > 2 ? m - 3 : m + 9) + 2u) / 5u + (unsigned)d - 1u;
    const unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void bl_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

int bl_days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[(m - 1) % 12];
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool bl_month_parse(const char *s, int *mi)
{
    int y, m;
    if (!s || strlen(s) != 7 || s[4] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m))
        return false;
    if (m < 1 || m > 12 || y < 1900)
        return false;
    *mi = bl_month_index(y, m);
    return true;
}

void bl_month_format(int mi, char out[8])
{
    int y = bl_month_year(mi) % 10000, m = bl_month_num(mi);
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '\0';
}

bool bl_date_parse(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    if (!digits(s, 4, y) || !digits(s + 5, 2, m) || !digits(s + 8, 2, d))
        return false;
    if (*m < 1 || *m > 12 || *d < 1 || *d > bl_days_in_month(*y, *m) || *y < 1900)
        return false;
    return true;
}

bool bl_date_parse_user(const char *s, int *y, int *m, int *d)
{
    if (bl_date_parse(s, y, m, d))
        return true;
    if (!s || strlen(s) != 10 || s[2] != '/' || s[5] != '/')
        return false;
    const char iso[11] = {s[6], s[7], s[8], s[9], '-', s[3], s[4], '-', s[0], s[1], 0};
    return bl_date_parse(iso, y, m, d);
}
