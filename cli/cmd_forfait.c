/* bilan forfait status [--at YYYY-MM-DD] [--format text|csv]: the prepaid
 * packages' consumption, forecast and status (DESIGN §7, §9). The exit
 * status is the alert for cron: 0 when every forfait is ok, 1 when any is
 * in watch or exhausted. */
#include "cli.h"
#include "bilan/forfait.h"
#include "bilan/pipeline.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const USAGE = N_("bilan forfait [status] [--at YYYY-MM-DD] [--format text|csv]");

static void help(void)
{
    printf(_("usage: %s\n\n"
             "Shows every prepaid package (forfaits.csv) at a date: units used by the\n"
             "package's metric since its start (Regular access, every library including\n"
             "unattributed usage), remaining units, each partner's share, monthly use\n"
             "against the monthly cap, patrons over the per-patron quota (from logs), the\n"
             "burn rate over the last three complete months and the projected exhaustion\n"
             "date. Status: ok, watch (alert percent reached, or projected to run out\n"
             "before the contract ends) or exhausted. A projected date already past at\n"
             "the date asked (the last months' data have not arrived) is shown as\n"
             "\"probably exhausted\", status watch; the CSV keeps the date.\n\n"
             "  --at DATE            the date to compute at, YYYY-MM-DD or DD/MM/YYYY\n"
             "                       (default: today, UTC)\n"
             "  --format text|csv    text (default) or CSV with the header\n"
             "    forfait_id,resource_id,units,used,remaining,percent_used,"
             "projected_exhaustion,end,status\n\n"
             "Exit status: 0 when every forfait is ok, 1 when any is in watch or\n"
             "exhausted (for cron), 64 usage error, other codes as for every command.\n"),
           _(USAGE));
}

/* "81.3" from tenths (CSV and the English text use a dot). */
static void dot_tenths(char *out, size_t n, int64_t t)
{
    snprintf(out, n, "%s%lld.%lld", t < 0 ? "-" : "", (long long)(t < 0 ? -t : t) / 10,
             (long long)(t < 0 ? -t : t) % 10);
}

static bl_status print_csv(const bl_forfait_status *fs, size_t n)
{
    bl_buf b = BL_BUF_INIT(1 << 16);
    bl_status rc = bl_buf_puts(&b, "forfait_id,resource_id,units,used,remaining,percent_used,"
                                   "projected_exhaustion,end,status\n");
    for (size_t i = 0; i < n && rc == BL_OK; i++) {
        const bl_forfait_status *f = &fs[i];
        char pct[32];
        dot_tenths(pct, sizeof pct, f->percent_tenths);
        rc = bl_csv_field(&b, f->id);
        if (rc == BL_OK)
            rc = bl_buf_putc(&b, ',');
        if (rc == BL_OK)
            rc = bl_csv_field(&b, f->resource_id);
        if (rc == BL_OK)
            rc = bl_buf_printf(&b, ",%lld,%lld,%lld,%s,%s,%s,%s\n", (long long)f->units,
                               (long long)f->used, (long long)f->remaining, pct, f->exhaustion,
                               f->end, bl_forfait_state_name(f->state));
    }
    if (rc == BL_OK && fwrite(b.data, 1, b.len, stdout) != b.len)
        rc = BL_IO;
    bl_buf_release(&b);
    return rc;
}

/* The text output's decimals in the user's language: "81,3" in French
 * (the CSV keeps the dot). */
static char *text_decimal(char *s)
{
    if (bl_i18n_french())
        for (char *p = s; *p; p++)
            if (*p == '.')
                *p = ',';
    return s;
}

/* The status in the user's language (the CSV keeps the identifier). */
static const char *state_text(bl_forfait_state s)
{
    switch (s) {
    case BL_FORFAIT_WATCH:
        return _("watch");
    case BL_FORFAIT_EXHAUSTED:
        return _("exhausted");
    default:
        return _("ok");
    }
}

static void print_text_one(const bl_forfait_status *f)
{
    char pct[32], m[8], sentence[512];
    dot_tenths(pct, sizeof pct, f->percent_tenths);
    text_decimal(pct);
    printf(_("forfait %s: %s (%s)\n"), f->id, f->resource_name, f->resource_id);
    printf(_("  status:      %s\n"), state_text(f->state));
    printf(_("  contract:    %s to %s, %s units of %s, alert at %d%%\n"), f->start, f->end,
           BL_NUM(f->units), f->metric, f->alert_percent);
    printf(_("  used:        %s (%s%%), remaining %s\n"), BL_NUM(f->used), pct,
           BL_NUM(f->remaining));
    if (f->burn_days > 0) {
        /* One decimal (29,5 units a day); three below one a day (0,032),
         * where one would say 0,0. */
        char rate[64];
        bool small = f->burn_rate_tenths < 10;
        int64_t v = small ? f->burn_rate_milli : f->burn_rate_tenths, scale = small ? 1000 : 10;
        int decimals = small ? 3 : 1;
        if (bl_i18n_french())
            bl_fr_decimal(rate, sizeof rate, v, decimals);
        else
            snprintf(rate, sizeof rate, "%lld.%0*lld", (long long)(v / scale), decimals,
                     (long long)(v % scale));
        printf(bl_trn("  burn rate:   %s units/day (%s units in %d month)\n",
                      "  burn rate:   %s units/day (%s units in %d months)\n",
                      (unsigned long)f->burn_months),
               rate, BL_NUM(f->burn_units), f->burn_months);
    } else {
        printf(_("  burn rate:   unknown (no complete month with data in the last three)\n"));
    }
    switch (f->outlook) {
    case BL_OUTLOOK_BEFORE_END:
        if (f->days_before_end == 0) {
            printf(_("  exhaustion:  %s (projected, the last day of the contract)\n"),
                   f->exhaustion);
            break;
        }
        printf(bl_trn("  exhaustion:  %s (projected, %s day before the end)\n",
                      "  exhaustion:  %s (projected, %s days before the end)\n",
                      (unsigned long)f->days_before_end),
               f->exhaustion, BL_NUM(f->days_before_end));
        break;
    case BL_OUTLOOK_COVERS:
        if (f->exhaustion[0])
            printf(
                bl_trn("  exhaustion:  %s (projected, after the end; about %s unit left then)\n",
                       "  exhaustion:  %s (projected, after the end; about %s units left then)\n",
                       (unsigned long)f->remaining_at_end),
                f->exhaustion, BL_NUM(f->remaining_at_end));
        else
            printf(_("  exhaustion:  none projected\n"));
        break;
    case BL_OUTLOOK_PROBABLY_EXHAUSTED: {
        char from[8], at[11];
        int y, mo, d;
        bl_civil_from_days(f->at_day, &y, &mo, &d);
        snprintf(at, sizeof at, "%04d-%02d-%02d", y, mo, d);
        bl_civil_from_days(f->anchor_day, &y, &mo, &d);
        bl_month_format(bl_month_index(y, mo), from);
        printf(_("  exhaustion:  %s (projected, already past on %s: probably exhausted; no data "
                 "since %s)\n"),
               f->exhaustion, at, from);
        break;
    }
    case BL_OUTLOOK_EXHAUSTED:
        printf(_("  exhaustion:  %s (estimated)\n"), f->exhaustion);
        break;
    default:
        break;
    }
    if (f->nmonths) {
        fputs(_("  months:     "), stdout);
        for (size_t i = 0; i < f->nmonths; i++) {
            const bl_forfait_month *fm = &f->months[i];
            bl_month_format(fm->month, m);
            if (fm->has_data)
                printf(" %s=%s%s", m, BL_NUM(fm->units), fm->over_cap ? "!" : "");
            else
                printf(" %s=-", m);
        }
        printf("\n");
    }
    if (f->monthly_cap >= 0)
        printf(bl_trn("  monthly cap: %s, exceeded in %zu month (marked ! above)\n",
                      "  monthly cap: %s, exceeded in %zu months (marked ! above)\n",
                      (unsigned long)f->months_over_cap),
               BL_NUM(f->monthly_cap), f->months_over_cap);
    for (size_t i = 0; i < f->nmonths; i++) {
        const bl_forfait_month *fm = &f->months[i];
        if (fm->patrons_over_quota == 0 && fm->extra_units == 0)
            continue;
        bl_month_format(fm->month, m);
        printf(bl_trn("  over quota:  %s: %s patron over %s a month, %s extra units\n",
                      "  over quota:  %s: %s patrons over %s a month, %s extra units\n",
                      (unsigned long)fm->patrons_over_quota),
               m, BL_NUM(fm->patrons_over_quota), BL_NUM(fm->quota), BL_NUM(fm->extra_units));
    }
    for (size_t i = 0; i < f->nshares; i++) {
        const bl_forfait_share *s = &f->shares[i];
        dot_tenths(pct, sizeof pct, s->percent_tenths);
        text_decimal(pct);
        /* The partner's name, its id after it (the id alone said little to
         * a steering committee). */
        if (s->partner_id)
            cli_printf_safe(stdout, _("  share:       %s (%s) %s (%s%%)\n"),
                            s->partner_name ? s->partner_name : s->partner_id, s->partner_id,
                            BL_NUM(s->units), pct);
        else
            printf(_("  share:       %s %s (%s%%)\n"), _("(unattributed)"), BL_NUM(s->units), pct);
    }
    printf("  %s\n", bl_forfait_sentence(f, sentence, sizeof sentence));
}

int cmd_forfait(bl_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {{"at", required_argument, NULL, 'a'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return 0;
    }
    /* status is the one subcommand: `bilan forfait` alone, or with its
     * options, shows it. */
    if (argc >= 2 && argv[1][0] != '-') {
        if (strcmp(argv[1], "status") != 0)
            return cli_usage("forfait", USAGE, N_("unknown subcommand '%s'"), argv[1]);
        argc--, argv++;
    }
    /* Today as a UTC civil date by arithmetic: no time zone involved. */
    int y, mo, d;
    bl_civil_from_days((int64_t)(time(NULL) / 86400), &y, &mo, &d);
    bool csv = false;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'a':
            if (!bl_date_parse_user(optarg, &y, &mo, &d))
                return cli_usage("forfait", USAGE,
                                 "--at: '%s' is not a date (YYYY-MM-DD or DD/MM/YYYY)", optarg);
            break;
        case 'f':
            if (cli_choice(optarg, CLI_TEXT_CSV) >= 0)
                csv = cli_choice(optarg, CLI_TEXT_CSV) == 1;
            else
                return cli_usage("forfait", USAGE, "--format: '%s' is not text or csv", optarg);
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_bad_option("forfait", USAGE, argv, c);
        }
    }
    if (optind < argc)
        return cli_usage("forfait", USAGE, "unexpected argument '%s'", argv[optind]);

    bl_store *st = NULL;
    int ex = cli_open_store_readonly(cli, &st);
    if (ex)
        return ex;
    bl_forfait_status *fs = NULL;
    size_t n = 0;
    bl_status rc = bl_forfait_status_all(st, y, mo, d, &fs, &n);
    if (rc != BL_OK) {
        cli_error("forfait status failed: %s", bl_store_errmsg(st));
        goto out;
    }
    if (csv) {
        rc = print_csv(fs, n);
    } else {
        if (n == 0)
            printf(_("No forfait in the store (add forfaits.csv to the network folder and run "
                     "'bilan network import').\n"));
        for (size_t i = 0; i < n; i++) {
            if (i)
                printf("\n");
            print_text_one(&fs[i]);
        }
    }
    if (rc == BL_OK && fflush(stdout) != 0)
        rc = BL_IO;
    if (rc != BL_OK) {
        cli_error("forfait status failed: write error");
        goto out;
    }
    ex = 0;
    for (size_t i = 0; i < n; i++)
        if (fs[i].state != BL_FORFAIT_OK)
            ex = 1;
out:
    bl_forfait_status_free(fs, n);
    bl_store_close(st);
    return rc != BL_OK ? cli_exit(rc) : ex;
}
