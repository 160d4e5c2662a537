/* French formatting and calendar arithmetic. */
#include <criterion/criterion.h>
#include <string.h>

#include "bilan/common.h"

#define NN BL_NNBSP
#define NB BL_NBSP

Test(french, integers_group_with_narrow_nbsp)
{
    char b[64];
    cr_assert_str_eq(bl_fr_int(b, sizeof b, 0), "0");
    cr_assert_str_eq(bl_fr_int(b, sizeof b, 999), "999");
    cr_assert_str_eq(bl_fr_int(b, sizeof b, 12345), "12" NN "345");
    cr_assert_str_eq(bl_fr_int(b, sizeof b, 1234567), "1" NN "234" NN "567");
    cr_assert_str_eq(bl_fr_int(b, sizeof b, -4500), "\xE2\x88\x92"
                                                    "4" NN "500");
}

Test(french, money_from_the_agreements)
{
    char b[64];
    /* 142 458 inhabitants × 0,15 € and 6 452 × 0,15 € (DESIGN §3). */
    cr_assert_str_eq(bl_fr_money(b, sizeof b, 2136870), "21" NN "368,70" NB "€");
    cr_assert_str_eq(bl_fr_money(b, sizeof b, 96780), "967,80" NB "€");
    cr_assert_str_eq(bl_fr_money(b, sizeof b, 5), "0,05" NB "€");
    cr_assert_str_eq(bl_fr_money_euros(b, sizeof b, 2136870), "21" NN "369" NB "€");
}

Test(french, percentages_and_changes)
{
    char b[64];
    int64_t t;
    cr_assert_str_eq(bl_fr_change(b, sizeof b, 125), "+12,5" NB "%");
    cr_assert_str_eq(bl_fr_change(b, sizeof b, -30), "\xE2\x88\x92"
                                                     "3,0" NB "%");
    cr_assert_str_eq(bl_fr_change(b, sizeof b, 0), "0,0" NB "%");
    cr_assert_str_eq(bl_fr_percent(b, sizeof b, 800), "80,0" NB "%");
    cr_assert(bl_change_tenths(1125, 1000, &t));
    cr_assert_eq(t, 125);
    cr_assert(bl_change_tenths(2, 3, &t)); /* -33,33 % */
    cr_assert_eq(t, -333);
    cr_assert(!bl_change_tenths(5, 0, &t), "a change against nothing is not significant");
}

Test(french, months_and_dates)
{
    char b[64];
    cr_assert_str_eq(bl_fr_month(b, sizeof b, bl_month_index(2026, 5)), "mai 2026");
    cr_assert_str_eq(bl_fr_month(b, sizeof b, bl_month_index(2026, 8)), "août 2026");
    cr_assert_str_eq(bl_fr_month_cap(b, sizeof b, bl_month_index(2026, 2)), "Février 2026");
    cr_assert_str_eq(bl_fr_date(b, sizeof b, 2026, 10, 14), "14 octobre 2026");
    cr_assert_str_eq(bl_fr_date(b, sizeof b, 2026, 10, 1), "1er octobre 2026");
}

/* Month lists in notes: consecutive months as a span, within a year or
 * across one. */
static void months_are(const char *bits, int first, const char *want)
{
    bool in[32] = {false};
    int n = (int)strlen(bits);
    for (int i = 0; i < n; i++)
        in[i] = bits[i] == '1';
    bl_buf b = BL_BUF_INIT(4096);
    cr_assert_eq(bl_fr_months(&b, in, first, n), BL_OK);
    cr_expect_str_eq(bl_buf_cstr(&b), want, "%s", bits);
    bl_buf_release(&b);
}

Test(french, months_as_spans)
{
    int jan25 = bl_month_index(2025, 1), nov24 = bl_month_index(2024, 11);
    months_are("000000000000", jan25, "");
    months_are("000010000000", jan25, "mai 2025");
    months_are("111100000000", jan25, "janvier à avril 2025");
    months_are("110100000001", jan25, "janvier à février 2025, avril 2025, décembre 2025");
    months_are("011110", nov24, "décembre 2024 à mars 2025");
    months_are("1000001", nov24, "novembre 2024, mai 2025");
    months_are("111111111111111111111111", jan25, "janvier 2025 à décembre 2026");
    /* Appended after what the buffer holds. */
    bl_buf b = BL_BUF_INIT(4096);
    bool in[2] = {true, true};
    cr_assert_eq(bl_buf_puts(&b, "("), BL_OK);
    cr_assert_eq(bl_fr_months(&b, in, bl_month_index(2026, 7), 2), BL_OK);
    cr_expect_str_eq(bl_buf_cstr(&b), "(juillet à août 2026");
    bl_buf_release(&b);
}

Test(calendar, days_round_trip)
{
    cr_assert_eq(bl_days_from_civil(1970, 1, 1), 0);
    cr_assert_eq(bl_days_from_civil(2000, 3, 1), 11017);
    cr_assert_eq(bl_days_from_civil(2026, 12, 31) - bl_days_from_civil(2026, 10, 14), 78);
    for (int64_t d = -800000; d < 800000; d += 37) {
        int y, m, dd;
        bl_civil_from_days(d, &y, &m, &dd);
        cr_assert_eq(bl_days_from_civil(y, m, dd), d);
    }
    cr_assert_eq(bl_days_in_month(2024, 2), 29);
    cr_assert_eq(bl_days_in_month(2100, 2), 28);
}

Test(calendar, month_parse_and_format)
{
    int mi;
    char b[8];
    cr_assert(bl_month_parse("2026-05", &mi));
    cr_assert_eq(mi, bl_month_index(2026, 5));
    bl_month_format(mi, b);
    cr_assert_str_eq(b, "2026-05");
    cr_assert(!bl_month_parse("2026-13", &mi));
    cr_assert(!bl_month_parse("2026-5", &mi));
    int y, m, d;
    cr_assert(bl_date_parse("2024-02-29", &y, &m, &d));
    cr_assert(!bl_date_parse("2023-02-29", &y, &m, &d));
    /* A user's date: ISO, or the French spreadsheet form, day first. */
    cr_assert(bl_date_parse_user("01/11/2026", &y, &m, &d));
    cr_assert(y == 2026 && m == 11 && d == 1, "%d-%d-%d", y, m, d);
    cr_assert(bl_date_parse_user("2026-11-01", &y, &m, &d) && m == 11 && d == 1);
    cr_assert(!bl_date_parse_user("31/02/2026", &y, &m, &d));
    cr_assert(!bl_date_parse_user("1/11/2026", &y, &m, &d));
    cr_assert(!bl_date_parse_user("01-11-2026", &y, &m, &d));
    cr_assert(!bl_date_parse_user("2026/11/01", &y, &m, &d));
}

/* A reader's "PATH: reason" shown where the file is named already: the
 * reason alone, whether the colon is English or French; anything else as
 * it is (another file, a path that is only a prefix, nothing after). */
Test(french, message_without_its_path)
{
    cr_assert_str_eq(bl_after_path("/d/a.csv: empty file", "/d/a.csv"), "empty file");
    cr_assert_str_eq(bl_after_path("/d/a.csv" NB ": fichier vide", "/d/a.csv"), "fichier vide");
    cr_assert_str_eq(bl_after_path("/d/a.csv : fichier vide", "/d/a.csv"), "fichier vide");
    cr_assert_str_eq(bl_after_path("/d/b.csv: empty file", "/d/a.csv"), "/d/b.csv: empty file");
    cr_assert_str_eq(bl_after_path("/d/a.csv.gz: bad", "/d/a.csv"), "/d/a.csv.gz: bad");
    cr_assert_str_eq(bl_after_path("/d/a.csv: ", "/d/a.csv"), "/d/a.csv: ");
    cr_assert_str_eq(bl_after_path("line 3: bad", "/d/a.csv"), "line 3: bad");
}
