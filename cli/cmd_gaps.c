/* bilan gaps YYYY-MM..YYYY-MM: months with no data per COUNTER-fed resource. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char *const USAGE = N_("bilan gaps YYYY-MM..YYYY-MM");

static bl_status print_gap(void *ctx, const char *id, const char *name, int month)
{
    int *n = ctx;
    char m[8];
    bl_month_format(month, m);
    (*n)++;
    printf("%s\t%s\t%s\n", id, m, name);
    return BL_OK;
}

/* A partial month (docs/trust.md, "Whose data is missing"): a library's own
 * report missing (five fields), or a part of the month and why (six). */
static bl_status print_library_gap(void *ctx, const char *resource_id, const char *resource_name,
                                   int month, const char *library_id, const char *library_name,
                                   bl_gap_why why)
{
    int *n = ctx;
    char m[8];
    bl_month_format(month, m);
    (*n)++;
    cli_printf_safe(stdout, "%s\t%s\t%s\t%s\t%s", resource_id, m, resource_name, library_id,
                    library_name);
    const char *reason = why == BL_GAP_WHY_EARLY      ? _("report made before the month was over")
                         : why == BL_GAP_WHY_REJECTED ? _("rejected row (bilan rejects names it)")
                         : why == BL_GAP_WHY_UNATTRIBUTED
                             ? _("usage not attributed to a library (an alias is missing)")
                             : NULL;
    if (reason)
        cli_printf_safe(stdout, "\t%s", reason);
    putchar('\n');
    return BL_OK;
}

/* SUSHI harvest failures in the range's months over (docs/sushi.md), next
 * to the gaps (until the night of 3 December 2026 the months not over were listed too). */
typedef struct harvest_gaps {
    int from, to, n;
} harvest_gaps;

static bl_status print_harvest(void *ctx, const bl_harvest_row *r)
{
    harvest_gaps *h = ctx;
    if (r->month < h->from || r->month > h->to || strcmp(r->state, "ok") == 0 ||
        strcmp(r->state, "no_usage") == 0)
        return BL_OK;
    char m[8];
    bl_month_format(r->month, m);
    h->n++;
    cli_printf_safe(stdout, "sushi:%s/%s\t%s\tharvest %s", r->endpoint_id, r->report_id, m,
                    r->state);
    if (r->code)
        printf(" (%ld)", r->code);
    cli_printf_safe(stdout, ": %s\n", r->message);
    return BL_OK;
}

int cmd_gaps(bl_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf(_("usage: %s\n\n"
                 "For each resource that COUNTER reports feed, lists the months of the range\n"
                 "(those over: before the month of today) with no data at all, one per line: "
                 "resource id, month, resource name\n"
                 "(tab-separated); then the months a library that sends its own reports of a\n"
                 "resource lacks one while the others' are in (the reports mark them partial):\n"
                 "resource id, month, resource name, library id, library name; then, with a\n"
                 "sixth field saying why, the months whose figures are a part of the month: a\n"
                 "report made before the month was over, a rejected row's figure (library\n"
                 "named), usage no library was found for (library fields empty); then the\n"
                 "months a SUSHI harvest could not get (sushi:ENDPOINT/REPORT, month, state,\n"
                 "code and message: docs/sushi.md).\n"
                 "Exit status 0 when there is no gap, 1 when there is one.\n"),
               _(USAGE));
        return 0;
    }
    if (argc != 2)
        return cli_usage("gaps", USAGE, "expected one range");
    char from[8] = "", to[8] = "";
    const char *dots = strstr(argv[1], "..");
    int f, t;
    if (!dots || dots - argv[1] != 7 || strlen(dots + 2) != 7)
        return cli_usage("gaps", USAGE, "'%s' is not a range YYYY-MM..YYYY-MM", argv[1]);
    memcpy(from, argv[1], 7);
    memcpy(to, dots + 2, 7);
    if (!cli_month(from, &f) || !cli_month(to, &t))
        return cli_usage("gaps", USAGE, "'%s' is not a range YYYY-MM..YYYY-MM", argv[1]);
    if (t < f)
        return cli_usage("gaps", USAGE, "'%s': the range ends before it begins", argv[1]);
    /* "Today" as for 'bilan report' (SOURCE_DATE_EPOCH when set): its month
     * is not over, a part of it is no gap yet. */
    int this_month;
    if (!cli_this_month(cli, &this_month))
        return BL_EX_USAGE;
    bl_store *st = NULL;
    int ex = cli_open_store_readonly(cli, &st);
    if (ex)
        return ex;
    /* Only the months over are judged: the month of today (and after) has
     * no report yet by nature (until 3 December 2026 they were listed). */
    int upto = t < this_month ? t : this_month - 1;
    int n = 0;
    bl_status rc = f <= upto ? bl_model_gaps(st, f, upto, print_gap, &n) : BL_OK;
    if (rc == BL_OK && f <= upto)
        rc = bl_model_library_gaps(st, f, upto, this_month, print_library_gap, &n);
    harvest_gaps hg = {f, upto, 0};
    if (rc == BL_OK && f <= upto)
        rc = bl_store_harvest_each(st, NULL, print_harvest, &hg);
    n += hg.n;
    if (rc != BL_OK)
        cli_error("%s", bl_store_errmsg(st));
    bl_store_close(st);
    return rc != BL_OK ? cli_exit(rc) : n > 0;
}
