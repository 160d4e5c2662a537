/* bilan sources [--format text|csv]: the data-quality ledger.
 * bilan sources remove ID...: takes sources out, as if never ingested. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const USAGE =
    N_("bilan sources [--format text|csv] | bilan sources remove ID...");

static void help(void)
{
    printf(_("usage: bilan sources [--format text|csv]\n"
             "       bilan sources remove ID...\n\n"
             "Lists every ingested file: id, name, format, report id, period, values\n"
             "accepted (a COUNTER row holds one a month), rows rejected, values\n"
             "unattributed, lines skipped, the report's Created date,\n"
             "and its status: counted, partly or wholly superseded by a report created later\n"
             "(which one), or removed. For logs: lines read, usage events counted, lines\n"
             "ignored by cause (robot, HTTP status, not a resource, static asset) and\n"
             "unattributed events.\n\n"
             "  --format text|csv   text (default) or CSV with a header row\n\n"
             "'remove' takes out the given sources and everything they contributed, in one\n"
             "transaction: afterwards exports, forfaits and reports equal those of a store\n"
             "that never ingested them, and a value a removed report had restated comes back\n"
             "from the earlier report. The sources stay listed, marked removed; the same file\n"
             "can be ingested again.\n"));
}

static const char *status_of(const bl_source_row *r, char *buf, size_t n)
{
    if (*r->removed_at)
        snprintf(buf, n, _("removed %s"), r->removed_at);
    else if (r->cells > 0 && r->live == 0)
        snprintf(buf, n, _("superseded by #%lld"), r->replaced_by);
    else if (r->live < r->cells)
        snprintf(buf, n,
                 bl_trn("partly superseded by #%lld (%s of %s cells counted)",
                        "partly superseded by #%lld (%s of %s cells counted)",
                        (unsigned long)r->live),
                 r->replaced_by, BL_NUM(r->live), BL_NUM(r->cells));
    else
        snprintf(buf, n, "%s", _("counted"));
    return buf;
}

static bl_status print_text(void *ctx, const bl_source_row *r)
{
    (void)ctx;
    char status[128], period[96];
    /* What is not known is said so, not "-" or "?..?" (a log has no report
     * id; a file without a dated row has no period). */
    cli_period_text(period, sizeof period, r->period_begin, r->period_end);
    cli_printf_safe(stdout, "#%lld %s\n    %s%s%s %s  provider: %s  %s\n", r->id, r->path,
                    cli_format_text(r->format), *r->report_id ? " " : "", r->report_id, period,
                    *r->provider ? r->provider : _("not named"),
                    status_of(r, status, sizeof status));
    if (r->is_log && r->log.lines > 0) {
        fputs("    ", stdout);
        cli_log_counts(stdout, &r->log);
        cli_printf_safe(stdout,
                        bl_trn("; %s rejected\n", "; %s rejected\n", (unsigned long)r->rejected),
                        BL_NUM(r->rejected));
    } else {
        fputs("    ", stdout);
        cli_row_counts(stdout, r->accepted, r->rejected, r->unattributed);
        cli_printf_safe(stdout,
                        bl_trn(", %s skipped\n", ", %s skipped\n", (unsigned long)r->skipped),
                        BL_NUM(r->skipped));
    }
    if (!r->is_log && !*r->created)
        fputs(_("    created: unknown (the order of ingest decides)\n"), stdout);
    else if (!r->is_log)
        cli_printf_safe(stdout, "    created %s%s\n", r->created,
                        r->created_plausible ? ""
                                             : _(" (not usable: the order of ingest decides)"));
    cli_printf_safe(stdout, "    sha256 %s, ingested %s\n", r->hash, r->ingested_at);
    if (*r->files) {
        /* --one-source: the set's files, in the order read */
        size_t n = 1;
        for (const char *p = r->files; *p; p++)
            n += *p == '\n';
        cli_printf_safe(
            stdout,
            bl_trn("    %s file read as one:\n", "    %s files read as one:\n", (unsigned long)n),
            BL_NUM((long long)n));
        for (const char *p = r->files; *p;) {
            size_t len = strcspn(p, "\n");
            cli_printf_safe(stdout, "      %.*s\n", (int)len, p);
            p += len + (p[len] ? 1 : 0);
        }
    }
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
    bl_buf_putc(b, ',');
    bl_csv_field(b, r->created);
    bl_buf_printf(b, ",%d,", r->created_plausible);
    const char *st = *r->removed_at                 ? "removed"
                     : r->cells > 0 && r->live == 0 ? "superseded"
                     : r->live < r->cells           ? "partly_superseded"
                                                    : "counted";
    bl_buf_printf(b, "%s,%lld,%lld,", st, r->cells, r->live);
    bl_csv_field(b, r->removed_at);
    if (r->is_log)
        bl_buf_printf(b, ",%lld,%lld,%lld,%lld,%lld,%lld,%lld", r->log.lines, r->log.events,
                      r->log.robot, r->log.status, r->log.not_resource, r->log.static_,
                      r->log.unattributed);
    else
        bl_buf_printf(b, ",,,,,,,");
    bl_buf_putc(b, ',');
    bl_csv_field(b, r->files);
    bl_buf_putc(b, '\n');
    fwrite(b->data, 1, b->len, stdout);
    return BL_OK;
}

static bl_status print_shared(void *ctx, const char *platform, const char *providers)
{
    (void)ctx;
    cli_printf_safe(stdout,
                    "warning: platform '%s' is reported by several providers (%s): each one's "
                    "figures are counted, none replaces another's; if they are one provider "
                    "spelled two ways, ingest again with --provider\n",
                    platform, providers);
    return BL_OK;
}

static int remove_sources(bl_cli *cli, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage("sources", USAGE, "remove: no source id given");
    long long *ids = calloc((size_t)argc, sizeof *ids);
    if (!ids)
        return cli_exit(BL_NOMEM);
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i][0] == '#' ? argv[i] + 1 : argv[i];
        char *end = NULL;
        ids[i] = strtoll(s, &end, 10);
        if (!*s || *end || ids[i] <= 0) {
            free(ids);
            return cli_usage("sources", USAGE, "remove: '%s' is not a source id", argv[i]);
        }
    }
    bl_store *st = NULL;
    int ex = cli_open_store_readonly(cli, &st); /* a missing store is 66, never created */
    bl_store_close(st);
    if (!ex)
        ex = cli_open_store(cli, &st);
    if (ex) {
        free(ids);
        return ex;
    }
    bl_remove_result res;
    bl_status rc = bl_store_remove_sources(st, ids, (size_t)argc, &res);
    if (rc != BL_OK)
        cli_error("%s; nothing removed", bl_store_errmsg(st));
    else {
        /* Each count with its own plural (« 0 cellules antérieures » until
         * 3 December 2026). */
        printf(bl_trn("removed %lld source", "removed %lld sources", (unsigned long)res.sources),
               res.sources);
        printf(bl_trn(": %lld counted cell taken out", ": %lld counted cells taken out",
                      (unsigned long)res.rows_removed),
               res.rows_removed);
        printf(bl_trn(", %lld earlier cell counted again\n", ", %lld earlier cells counted again\n",
                      (unsigned long)res.rows_restored),
               res.rows_restored);
    }
    if (rc == BL_OK && res.users_dropped > 0)
        printf(bl_trn("%lld distinct-user figure of a closed month dropped: it was merged with "
                      "other files' (docs/privacy.md); to have it again, remove that month's other "
                      "log files and "
                      "ingest them all again\n",
                      "%lld distinct-user figures of closed months dropped: they were merged with "
                      "other files' (docs/privacy.md); to have them again, remove those months' "
                      "other log "
                      "files and ingest them all again\n",
                      (unsigned long)res.users_dropped),
               res.users_dropped);
    bl_store_close(st);
    free(ids);
    return cli_exit(rc);
}

int cmd_sources(bl_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "remove") == 0) {
        if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
            help();
            return 0;
        }
        return remove_sources(cli, argc - 2, argv + 2);
    }
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    bool csv = false;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (cli_choice(optarg, CLI_TEXT_CSV) == 1)
                csv = true;
            else if (cli_choice(optarg, CLI_TEXT_CSV) != 0)
                return cli_usage("sources", USAGE, "--format: '%s' is not text or csv", optarg);
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_bad_option("sources", USAGE, argv, c);
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
               "rows_rejected,rows_unattributed,lines_skipped,replaced_by,ingested_at,created,"
               "created_plausible,status,cells,cells_counted,removed_at,log_lines,log_events,"
               "log_robot,log_status,log_not_resource,log_static,log_unattributed,files\n");
    bl_status rc = bl_store_sources(st, csv ? print_csv : print_text, &b);
    if (rc == BL_OK && !csv)
        rc = bl_store_shared_platforms(st, print_shared, NULL);
    bl_buf_release(&b);
    if (rc != BL_OK)
        cli_error("%s", bl_store_errmsg(st));
    bl_store_close(st);
    return cli_exit(rc);
}
