/* Forfaits (prepaid consultation units, DESIGN §7), the arithmetic: from a
 * package's months of usage and its partners' shares, the consumption,
 * caps, per-patron quota excess, burn rate, projected exhaustion and status
 * at a given day. Whole days and whole units throughout: dates are day
 * numbers (bl_days_from_civil), the projection is exact integer arithmetic
 * on the burn window's units and days, never a float. No store: the usage is
 * read by pipeline/forfait.c. See docs/forfaits.md. */
#include "bilan/forfait.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many complete months before the date the burn rate looks at. */
#define BURN_WINDOW_MONTHS 3

const char *bl_forfait_state_name(bl_forfait_state s)
{
    switch (s) {
    case BL_FORFAIT_WATCH:
        return "watch";
    case BL_FORFAIT_EXHAUSTED:
        return "exhausted";
    default:
        return "ok";
    }
}

static void day_iso(int64_t day, char out[11])
{
    int y, m, d;
    bl_civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static int64_t month_first_day(int mi)
{
    return bl_days_from_civil(bl_month_year(mi), bl_month_num(mi), 1);
}

static int month_of_day(int64_t day)
{
    int y, m, d;
    bl_civil_from_days(day, &y, &m, &d);
    return bl_month_index(y, m);
}

static int month_days(int mi)
{
    return bl_days_in_month(bl_month_year(mi), bl_month_num(mi));
}

/* Checked arithmetic: a figure read from the store may be anything a hand
 * or an old version wrote there, and a read never fails because of it, so
 * every sum and product saturates instead of overflowing. With imported
 * figures (at most BL_COUNT_MAX) nothing comes near the bounds. */
static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
    return r;
}

/* floor(a × b / c) for a >= 0, b >= 0, c > 0, exact whenever a × b fits,
 * else computed as (a / c) × b + (a % c) × b / c, saturating. */
static int64_t mul_div(int64_t a, int64_t b, int64_t c)
{
    int64_t p;
    if (!__builtin_mul_overflow(a, b, &p))
        return p / c;
    return sat_add(sat_mul(a / c, b), sat_mul(a % c, b) / c);
}

/* ceil(a × b / c) for a >= 0, b >= 0, c > 0, saturating. */
static int64_t mul_div_ceil(int64_t a, int64_t b, int64_t c)
{
    int64_t p;
    if (!__builtin_mul_overflow(a, b, &p))
        return p / c + (p % c != 0);
    int64_t f = mul_div(a, b, c);
    return f == INT64_MAX ? f : f + 1; /* not exact: a × b beyond 64 bits */
}

/* a × b / c rounded half up, for a >= 0, b >= 0, c > 0, saturating. */
static int64_t mul_div_round(int64_t a, int64_t b, int64_t c)
{
    int64_t p;
    if (!__builtin_mul_overflow(a, b, &p) && !__builtin_add_overflow(p, c / 2, &p))
        return p / c;
    return mul_div(a, b, c); /* beyond 64 bits: the half unit is noise */
}

/* Tenths of a percent of part in whole, rounded half up (both >= 0). */
static int64_t tenths_of(int64_t part, int64_t whole)
{
    if (whole <= 0 || part <= 0)
        return 0;
    return mul_div_round(part, 1000, whole);
}

/* The last day a projection may name (dates are written YYYY-MM-DD). */
static int64_t last_day(void)
{
    return bl_days_from_civil(9999, 12, 31);
}

static int share_cmp(const void *pa, const void *pb)
{
    const bl_forfait_share *a = pa, *b = pb;
    if (!a->partner_id != !b->partner_id)
        return a->partner_id ? -1 : 1; /* unattributed last */
    if (a->units != b->units)
        return a->units > b->units ? -1 : 1;
    if (!a->partner_id)
        return 0;
    return strcmp(a->partner_id, b->partner_id);
}

/* The day the cumulative use crossed `units`, assuming the crossing month's
 * use was spread evenly over the days it covers (the whole month, or up to
 * the date in the date's own month). */
static int64_t exhaustion_estimate(const bl_forfait_status *f)
{
    int64_t before = 0;
    int at_month = month_of_day(f->at_day);
    for (size_t i = 0; i < f->nmonths; i++) {
        const bl_forfait_month *fm = &f->months[i];
        if (sat_add(before, fm->units) >= f->units && fm->units > 0) {
            int64_t first = month_first_day(fm->month);
            int64_t covered = fm->month == at_month ? f->at_day - first + 1 : month_days(fm->month);
            /* units - before is in 0..fm->units: the day is within the month. */
            int64_t day = first + mul_div_ceil(f->units - before, covered, fm->units) - 1;
            return day < f->start_day ? f->start_day : day;
        }
        before = sat_add(before, fm->units);
    }
    return -1;
}

void bl_forfait_compute(bl_forfait_status *f)
{
    int at_month = month_of_day(f->at_day);
    int last_with_data = -1;
    for (size_t i = 0; i < f->nmonths; i++) {
        bl_forfait_month *fm = &f->months[i];
        f->used = sat_add(f->used, fm->units);
        fm->over_cap = f->monthly_cap >= 0 && fm->units > f->monthly_cap;
        f->months_over_cap += fm->over_cap;
        f->patrons_over_quota = sat_add(f->patrons_over_quota, fm->patrons_over_quota);
        f->extra_units = sat_add(f->extra_units, fm->extra_units);
        if (fm->has_data)
            last_with_data = fm->month;
        /* Burn window: the complete months just before the date's month. */
        if (fm->has_data && fm->month < at_month && fm->month >= at_month - BURN_WINDOW_MONTHS) {
            f->burn_months++;
            f->burn_units = sat_add(f->burn_units, fm->units);
            f->burn_days += month_days(fm->month);
        }
    }
    f->remaining = sat_sub(f->units, f->used);
    f->percent_tenths = tenths_of(f->used, f->units);
    for (size_t i = 0; i < f->nshares; i++)
        f->shares[i].percent_tenths = tenths_of(f->shares[i].units, f->used);
    if (f->nshares > 1)
        qsort(f->shares, f->nshares, sizeof *f->shares, share_cmp);
    if (f->burn_days > 0) {
        f->burn_rate_milli = mul_div_round(f->burn_units, 1000, f->burn_days);
        f->burn_rate_tenths = mul_div_round(f->burn_units, 10, f->burn_days);
    }

    /* Consumption is known up to the end of the last month with data; in the
     * date's own month, up to the day before the date. */
    if (last_with_data < 0)
        f->anchor_day = f->at_day;
    else if (last_with_data < at_month)
        f->anchor_day = month_first_day(last_with_data + 1);
    else
        f->anchor_day = f->at_day;
    if (f->anchor_day < f->start_day)
        f->anchor_day = f->start_day;

    f->exhaustion_day = -1;
    f->state = BL_FORFAIT_OK;
    if (f->at_day < f->start_day) {
        f->outlook = BL_OUTLOOK_NOT_STARTED;
    } else if (f->remaining <= 0) {
        f->outlook = BL_OUTLOOK_EXHAUSTED;
        f->state = BL_FORFAIT_EXHAUSTED;
        f->exhaustion_day = exhaustion_estimate(f);
    } else if (f->at_day > f->end_day) {
        f->outlook = BL_OUTLOOK_ENDED;
    } else if (f->burn_days == 0) {
        f->outlook = BL_OUTLOOK_NO_DATA;
    } else if (f->burn_units == 0) {
        f->outlook = BL_OUTLOOK_COVERS;
        f->remaining_at_end = f->remaining;
    } else {
        /* Remaining units last k days at burn_units / burn_days a day: they
         * reach 0 during the k-th day counted from the anchor (day 1). */
        int64_t k = mul_div_ceil(f->remaining, f->burn_days, f->burn_units);
        /* Beyond year 9999 there is no date to name: it covers, no day. */
        f->exhaustion_day = k - 1 <= last_day() - f->anchor_day ? f->anchor_day + k - 1 : -1;
        /* (the end day itself: it runs out during it; until the night of 3
         * December 2026 said to cover the contract, « environ −4 unités »
         * left) */
        if (f->exhaustion_day >= 0 && f->exhaustion_day <= f->end_day) {
            f->outlook = BL_OUTLOOK_BEFORE_END;
            f->days_before_end = f->end_day - f->exhaustion_day;
            /* Projected to a day already past: the months since the data
             * stop have not arrived, and the package has probably run out. */
            if (f->exhaustion_day < f->at_day)
                f->outlook = BL_OUTLOOK_PROBABLY_EXHAUSTED;
        } else {
            f->outlook = BL_OUTLOOK_COVERS;
            int64_t days_left = f->end_day - f->anchor_day + 1;
            f->remaining_at_end =
                sat_sub(f->remaining, mul_div(f->burn_units, days_left, f->burn_days));
        }
    }
    if (f->exhaustion_day >= 0)
        day_iso(f->exhaustion_day, f->exhaustion);
    if (f->state == BL_FORFAIT_OK && f->outlook != BL_OUTLOOK_NOT_STARTED &&
        f->outlook != BL_OUTLOOK_ENDED &&
        (f->percent_tenths >= (int64_t)f->alert_percent * 10 ||
         f->outlook == BL_OUTLOOK_BEFORE_END || f->outlook == BL_OUTLOOK_PROBABLY_EXHAUSTED))
        f->state = BL_FORFAIT_WATCH;
}

static void status_release(bl_forfait_status *f)
{
    free(f->id);
    free(f->resource_id);
    free(f->resource_name);
    free(f->metric);
    for (size_t i = 0; i < f->nshares; i++) {
        free(f->shares[i].partner_id);
        free(f->shares[i].partner_name);
    }
    free(f->shares);
    free(f->months);
}

void bl_forfait_status_free(bl_forfait_status *f, size_t n)
{
    if (!f)
        return;
    for (size_t i = 0; i < n; i++)
        status_release(&f[i]);
    free(f);
}

bl_status bl_forfait_begin(bl_forfait_status *f)
{
    day_iso(f->start_day, f->start);
    day_iso(f->end_day, f->end);
    /* The contract's months, from the start's month to the end's or the
     * date's, whichever comes first. On the 1st nothing of the date's month
     * is used yet (the date's use is not in): its month is not counted,
     * though the store may hold it (a June report, made in August, counted
     * July's use in its gauges until the night of 3 December 2026). */
    int first = month_of_day(f->start_day), last = month_of_day(f->end_day);
    int at_month = month_of_day(f->at_day);
    if (f->at_day == month_first_day(at_month))
        at_month--;
    if (at_month < last)
        last = at_month;
    if (last < first)
        return BL_OK;
    f->nmonths = (size_t)(last - first + 1);
    f->months = calloc(f->nmonths, sizeof *f->months);
    if (!f->months) {
        f->nmonths = 0;
        return BL_NOMEM;
    }
    for (size_t i = 0; i < f->nmonths; i++)
        f->months[i].month = first + (int)i;
    return BL_OK;
}

bl_forfait_month *bl_forfait_month_at(bl_forfait_status *f, int mi)
{
    if (f->nmonths == 0 || mi < f->months[0].month)
        return NULL;
    size_t i = (size_t)(mi - f->months[0].month);
    return i < f->nmonths ? &f->months[i] : NULL;
}

bl_status bl_forfait_add_share(bl_forfait_status *f, const char *partner_id,
                               const char *partner_name, int64_t units)
{
    /* Capacity 8, then doubled: it is full when nshares is 0 or a power of
     * two of at least 8. */
    size_t n = f->nshares;
    if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
        bl_forfait_share *ns = realloc(f->shares, (n ? n * 2 : 8) * sizeof *ns);
        if (!ns)
            return BL_NOMEM;
        f->shares = ns;
    }
    bl_forfait_share *s = &f->shares[f->nshares++];
    memset(s, 0, sizeof *s);
    s->partner_id = partner_id ? strdup(partner_id) : NULL;
    s->partner_name = partner_name ? strdup(partner_name) : NULL;
    s->units = units;
    if ((partner_id && !s->partner_id) || (partner_name && !s->partner_name))
        return BL_NOMEM;
    return BL_OK;
}
