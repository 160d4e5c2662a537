/* bilan export usage [--from YYYY-MM] [--to YYYY-MM] [--partner ID] [--access-method M] [--excel]
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char USAGE[] = "bilan export usage [--from YYYY-MM] [--to YYYY-MM] [--partner ID] "
                            "[--access-method regular|tdm|all] [--excel]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Writes the stored usage as CSV on stdout, with the header\n"
           "  partner_id,library_id,resource_id,month,metric,value\n"
           "sorted by those columns. Each value is counted once across COUNTER report\n"
           "types (PR, then DR, TR, IR; R5 before R4). Unattributed usage has an empty\n"
           "library_id (and partner_id); Distinct_Users rows (estimates, from logs) have\n"
           "an empty resource_id. Text cells that a spreadsheet would run as a formula\n"
           "are prefixed with a quote.\n\n"
           "  --from YYYY-MM, --to YYYY-MM   months to include (inclusive)\n"
           "  --partner ID                   one partner only (exit 66 when the network\n"
           "                                 has none of that id)\n"
           "  --access-method M              regular (default), tdm or all\n"
           "  --excel                        for Excel in French: ';' between cells,\n"
           "                                 a UTF-8 BOM, CRLF line ends\n",
           USAGE);
}

/* How rows are written: ',' and LF, or (--excel) ';', CRLF, after a BOM. */
typedef struct out {
    bl_buf b;
    char sep;
    const char *eol;
} out;

static bl_status print_row(void *ctx, const bl_usage_row *r)
{
    out *o = ctx;
    bl_buf *b = &o->b;
    bl_buf_clear(b);
    bl_status rc = BL_OK;
    const char *cells[5] = {r->partner_id, r->library_id, r->resource_id, r->month, r->metric};
    for (int i = 0; i < 5 && rc == BL_OK; i++) {
        rc = bl_csv_field_sep(b, cells[i], o->sep);
        if (rc == BL_OK)
            rc = bl_buf_putc(b, o->sep);
    }
    if (rc == BL_OK)
        rc = bl_buf_printf(b, "%lld%s", r->value, o->eol);
    if (rc == BL_OK && fwrite(b->data, 1, b->len, stdout) != b->len)
        rc = BL_IO;
    return rc;
}

int cmd_export(bl_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {{"from", required_argument, NULL, 'f'},
                                             {"to", required_argument, NULL, 't'},
                                             {"partner", required_argument, NULL, 'p'},
                                             {"access-method", required_argument, NULL, 'a'},
                                             {"excel", no_argument, NULL, 'x'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "usage") != 0)
        return cli_usage("export", USAGE,
                         argc < 2 ? "missing subcommand" : "unknown subcommand '%s'",
                         argc < 2 ? "" : argv[1]);
    argc--, argv++;
    bl_usage_filter f = {-1, -1, NULL, BL_ACCESS_REGULAR};
    out o = {BL_BUF_INIT(1 << 20), ',', "\n"};
    int c;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!cli_month(optarg, &f.from))
                return cli_usage("export", USAGE, "--from: '%s' is not a month (YYYY-MM)", optarg);
            break;
        case 't':
            if (!cli_month(optarg, &f.to))
                return cli_usage("export", USAGE, "--to: '%s' is not a month (YYYY-MM)", optarg);
            break;
        case 'p':
            f.partner_id = optarg;
            break;
        case 'a':
            if (strcmp(optarg, "regular") == 0)
                f.access = BL_ACCESS_REGULAR;
            else if (strcmp(optarg, "tdm") == 0)
                f.access = BL_ACCESS_TDM;
            else if (strcmp(optarg, "all") == 0)
                f.access = BL_ACCESS_ALL;
            else
                return cli_usage("export", USAGE,
                                 "--access-method: '%s' is not regular, tdm or all", optarg);
            break;
        case 'x':
            o.sep = ';';
            o.eol = "\r\n";
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_usage("export", USAGE, NULL);
        }
    }
    if (optind < argc)
        return cli_usage("export", USAGE, "unexpected argument '%s'", argv[optind]);
    bl_store *st = NULL;
    int ex = cli_open_store_readonly(cli, &st);
    if (ex)
        return ex;
    if (f.partner_id) {
        /* A typo must not look like a partner without usage (as report, mail). */
        bl_partner_info *pl = NULL;
        size_t np = 0;
        bl_status prc = bl_store_partners(st, &pl, &np);
        bool found = false;
        for (size_t i = 0; prc == BL_OK && i < np && !found; i++)
            found = strcmp(pl[i].id, f.partner_id) == 0;
        bl_partner_list_free(pl, np);
        if (prc != BL_OK || !found) {
            if (prc != BL_OK)
                cli_error("export failed: %s", bl_store_errmsg(st));
            else
                cli_error("no partner '%s' in the network", f.partner_id);
            bl_store_close(st);
            return cli_exit(prc != BL_OK ? prc : BL_NOTFOUND);
        }
    }
    if (o.sep == ';') /* French Excel: the BOM says UTF-8, ';' separates cells */
        printf("\xEF\xBB\xBFpartner_id;library_id;resource_id;month;metric;value\r\n");
    else
        printf("partner_id,library_id,resource_id,month,metric,value\n");
    bl_status rc = bl_store_export_usage(st, &f, print_row, &o);
    bl_buf_release(&o.b);
    if (rc == BL_OK && fflush(stdout) != 0)
        rc = BL_IO;
    if (rc != BL_OK)
        cli_error("export failed: %s", rc == BL_IO ? "write error" : bl_store_errmsg(st));
    bl_store_close(st);
    return cli_exit(rc);
}
