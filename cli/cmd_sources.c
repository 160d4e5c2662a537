/* bilan sources [--format text|csv]: the data-quality ledger. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char USAGE[] = "bilan sources [--format text|csv]";

static void help(void)
{
    printf("usage: %s\n\n"
           "Lists every ingested file: id, name, content hash, format, report id, period,\n"
           "rows accepted / rejected / unattributed, lines skipped, and the file that\n"
           "replaced its months when a provider restated them.\n\n"
           "  --format text|csv   text (default) or CSV with a header row\n",
           USAGE);
}

static bl_status print_text(void *ctx, const bl_source_row *r)
{
    (void)ctx;
    printf("#%lld %s\n    %s %s %s..%s  provider: %s\n"
           "    %lld accepted, %lld rejected, %lld unattributed, %lld skipped",
           r->id, r->path, r->format, *r->report_id ? r->report_id : "-",
           *r->period_begin ? r->period_begin : "?", *r->period_end ? r->period_end : "?",
           *r->provider ? r->provider : "-", r->accepted, r->rejected, r->unattributed, r->skipped);
    if (r->replaced_by)
        printf("; months restated by #%lld", r->replaced_by);
    printf("\n    sha256 %s, ingested %s\n", r->hash, r->ingested_at);
    return BL_OK;
}

static bl_status print_csv(void *ctx, const bl_source_row *r)
{
    bl_buf *b = ctx;
    bl_buf_clear(b);
    bl_buf_printf(b, "%lld,", r->id);
    const char *cells[] = {r->path,     r->hash,         r->format,    r->report_id,
                           r->provider, r->period_begin, r->period_end};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        bl_csv_field(b, cells[i]);
        bl_buf_putc(b, ',');
    }
    bl_buf_printf(b, "%lld,%lld,%lld,%lld,", r->accepted, r->rejected, r->unattributed, r->skipped);
    if (r->replaced_by)
        bl_buf_printf(b, "%lld", r->replaced_by);
    bl_buf_putc(b, ',');
    bl_csv_field(b, r->ingested_at);
    bl_buf_putc(b, '\n');
    fwrite(b->data, 1, b->len, stdout);
    return BL_OK;
}

int cmd_sources(bl_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    bool csv = false;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "csv") == 0)
                csv = true;
            else if (strcmp(optarg, "text") != 0)
                return cli_usage("sources", USAGE, "--format: '%s' is not text or csv", optarg);
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_usage("sources", USAGE, NULL);
        }
    }
    if (optind < argc)
        return cli_usage("sources", USAGE, "unexpected argument '%s'", argv[optind]);
    bl_store *st = NULL;
    int ex = cli_open_store_readonly(cli, &st);
    if (ex)
        return ex;
    bl_buf b = BL_BUF_INIT(1 << 16);
    if (csv)
        printf("id,path,sha256,format,report_id,provider,period_begin,period_end,rows_accepted,"
               "rows_rejected,rows_unattributed,lines_skipped,replaced_by,ingested_at\n");
    bl_status rc = bl_store_sources(st, csv ? print_csv : print_text, &b);
    bl_buf_release(&b);
    if (rc != BL_OK)
        cli_error("%s", bl_store_errmsg(st));
    bl_store_close(st);
    return cli_exit(rc);
}
