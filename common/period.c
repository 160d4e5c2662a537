/* Report periods (include/bilan/period.h): parsing, French labels, the
 * period before, where a period stands on a day; and the parser of
 * SOURCE_DATE_EPOCH's value. */
#include "bilan/period.h"
#include "bilan/common.h"

#include <stdio.h>
#include <string.h>

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool bl_period_parse(const char *s, bl_period *p)
{
    size_t n = strlen(s);
    memset(p, 0, sizeof *p);
    if (n < 4 || !all_digits(s, 4))
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (y < 1990 || y > 2999)
        return false;
    if (n == 4) {
        p->kind = BL_PERIOD_YEAR;
        p->first = bl_month_index(y, 1);
        p->last = bl_month_index(y, 12);
    } else if (n == 7 && s[4] == '-' && (s[5] == 'S' || s[5] == 's') &&
               (s[6] == '1' || s[6] == '2')) {
        p->kind = BL_PERIOD_SEMESTER;
        p->first = bl_month_index(y, s[6] == '1' ? 1 : 7);
        p->last = p->first + 5;
    } else if (n == 7 && s[4] == '-') {
        int mi;
        if (!bl_month_parse(s, &mi))
            return false;
        p->kind = BL_PERIOD_MONTH;
        p->first = p->last = mi;
    } else {
        return false;
    }
    if (p->kind == BL_PERIOD_SEMESTER)
        snprintf(p->id, sizeof p->id, "%04d-S%c", y, s[6]);
    else
        snprintf(p->id, sizeof p->id, "%.7s", s);
    return true;
}

char *bl_period_label(char *out, size_t n, const bl_period *p)
{
    int y = bl_month_year(p->first);
    switch (p->kind) {
    case BL_PERIOD_MONTH:
        return bl_fr_month(out, n, p->first);
    case BL_PERIOD_SEMESTER:
        snprintf(out, n, "%s semestre %d", bl_month_num(p->first) == 1 ? "1er" : "2e", y);
        return out;
    default:
        snprintf(out, n, "année %d", y);
        return out;
    }
}

bl_period bl_period_previous(const bl_period *p)
{
    bl_period q = *p;
    int len = p->last - p->first + 1;
    q.first -= len;
    q.last -= len;
    int y = bl_month_year(q.first);
    if (q.kind == BL_PERIOD_MONTH)
        bl_month_format(q.first, q.id);
    else if (q.kind == BL_PERIOD_SEMESTER)
        snprintf(q.id, sizeof q.id, "%04d-S%d", y, bl_month_num(q.first) == 1 ? 1 : 2);
    else
        snprintf(q.id, sizeof q.id, "%04d", y);
    return q;
}

bl_period_state bl_period_state_at(const bl_period *p, int64_t today_days)
{
    int y, m, d;
    bl_civil_from_days(today_days, &y, &m, &d);
    int now = bl_month_index(y, m);
    if (now < p->first)
        return BL_PERIOD_NOT_BEGUN;
    return now <= p->last ? BL_PERIOD_RUNNING : BL_PERIOD_OVER;
}

bool bl_epoch_parse(const char *s, int64_t *out)
{
    int64_t v = 0;
    if (!*s)
        return false;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9' || __builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, *c - '0', &v))
            return false;
    }
    *out = v;
    return true;
}
