/* bilan ingest [--format F] [--provider NAME] [--library ID] [--library-param NAME] [--strict]
 * [--force] [--profile ID] [--one-source] FILE... */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const USAGE =
    N_("bilan ingest [--format FMT] [--provider NAME] [--library ID] [--library-param NAME] "
       "[--strict] [--force] [--profile ID] [--one-source] FILE...");

static void help(void)
{
    printf(_("usage: %s\n\n"
             "Ingests usage files into the store, each in one transaction.\n\n"
             "  --format FMT          auto (default: by content), counter5, counter5-json,\n"
             "                        counter4, combined, common, ezproxy, profile, or\n"
             "                        custom:'FORMAT' (Apache LogFormat specifiers, e.g.\n"
             "                        custom:'%%h %%l %%u %%t \"%%r\" %%>s %%b')\n"
             "  --provider NAME       provider name recorded for the files (default: the\n"
             "                        report's Created_By)\n"
             "  --library ID          COUNTER: the library (id of libraries.csv) of a report\n"
             "                        that names no institution (a table without its header\n"
             "                        block); without it such usage is unattributed\n"
             "  --library-param NAME  logs: take the library from this URL query parameter,\n"
             "                        matched against the libraries' aliases (default: the\n"
             "                        client IP against their ip_ranges)\n"
             "  --strict              refuse a whole file as soon as one row is bad\n"
             "  --force               logs: ingest a log whose hits overlap in time those of\n"
             "                        a log already ingested for the same resource (refused\n"
             "                        otherwise: the same hits would be counted twice)\n"
             "  --profile ID          read the file with the network's profile ID\n"
             "                        (profiles/ID.ini; default: a file that is neither\n"
             "                        COUNTER nor a log is matched to a profile by its\n"
             "                        header row; docs/profiles.md)\n"
             "  --one-source          logs: read the files, in time order, as one stream\n"
             "                        and store them as one source (one transaction; a\n"
             "                        month of daily files is faster so, and removed\n"
             "                        as one); all access logs of one format, or\n"
             "                        nothing is stored\n\n"
             "Files may be plain or gzip'd. A file already ingested (same content), or\n"
             "given twice in the command, is skipped. A newer report restating months\n"
             "replaces them. A bad row is rejected alone (FILE:LINE: field: reason on\n"
             "stderr) and recorded; a file that cannot be read as a whole is refused, the\n"
             "store unchanged for it.\n\n"
             "Access logs given in one command are read in time order (by their first\n"
             "line), and the double-click and session rules carry on from one file to\n"
             "the next: daily files count as their concatenation. Each file is its own\n"
             "source (bilan sources), unless --one-source makes them one, which counts\n"
             "the same and is faster (docs/logs.md):\n"
             "  bilan ingest --one-source access-2026-03-*.log.gz\n\n"
             "Exit status: 0 when every file was ingested or skipped, 65 when a file was\n"
             "refused, 66 when a file or the --profile is missing.\n"),
           _(USAGE));
}

/* A file's diagnostics are held until it is known whether the file was
 * new: a re-delivered file (same content, found once read) says only that
 * it was skipped. Past the cap they go out at once. */
#define HELD_DIAG_CAP (256 * 1024)

void cli_print_diag(void *ctx, const bl_diag *d)
{
    bl_buf *held = ctx;
    if (d->level == BL_DIAG_NOTE && d->line != 0 && !cli_verbose)
        return; /* line notes (skipped trailer rows) are routine: said with -v */
    /* Notes about the whole file (an implausible Created date, cells
     * superseded or kept) change what counts: they are said too. */
    const char *path = d->path ? d->path : "?";
    size_t before = held->len;
    bl_status rc;
    /* "file:line:" as compilers write it (editors jump there); a message
     * about no line in particular names the file alone, never "file:0:". */
    if (d->level == BL_DIAG_NOTE && d->line != 0)
        rc = bl_buf_printf(held, _("bilan: %s:%lu: note: %s\n"), path, d->line, d->reason);
    else if (d->level == BL_DIAG_NOTE)
        rc = bl_buf_printf(held, _("bilan: %s: note: %s\n"), path, d->reason);
    else if (d->line && d->field)
        rc = bl_buf_printf(held, _("bilan: %s:%lu: %s: %s\n"), path, d->line, d->field, d->reason);
    else if (d->line)
        rc = bl_buf_printf(held, _("bilan: %s:%lu: %s\n"), path, d->line, d->reason);
    else if (d->field)
        rc = bl_buf_printf(held, _("bilan: %s: %s: %s\n"), path, d->field, d->reason);
    else
        rc = bl_buf_printf(held, _("bilan: %s: %s\n"), path, d->reason);
    if (rc != BL_OK || held->len > HELD_DIAG_CAP) {
        if (rc != BL_OK)
            held->len = before;
        cli_write_safe(stderr, held->data, held->len);
        bl_buf_clear(held);
        if (rc != BL_OK)
            cli_printf_safe(stderr, "bilan: %s:%lu: %s\n", path, d->line, d->reason);
    }
}

/* The diagnostics of `ingest`: a file's refusal (BL_DIAG_FILE) is left to
 * its summary line, which gives the same reason (file_done), so that it is
 * said once. */
static void ingest_diag(void *ctx, const bl_diag *d)
{
    if (d->level != BL_DIAG_FILE)
        cli_print_diag(ctx, d);
}

/* Months as a message says them: in French a span of consecutive months
 * in words (« octobre 2026 », « janvier à mars 2026 », bl_fr_months), in
 * English as the summary line writes them ("2026-10", "2026-01..2026-03").
 * months: ascending month indexes. */
static bl_status months_text(bl_buf *b, const int *months, size_t n)
{
    if (!n)
        return BL_OK;
    int first = months[0], span = months[n - 1] - first + 1;
    bool *in = calloc((size_t)span, sizeof *in);
    if (!in)
        return BL_NOMEM;
    for (size_t i = 0; i < n; i++)
        in[months[i] - first] = true;
    bl_status rc = BL_OK;
    if (bl_i18n_french()) {
        rc = bl_fr_months(b, in, first, span);
    } else {
        for (int i = 0; i < span && rc == BL_OK; i++) {
            if (!in[i])
                continue;
            int k = i;
            while (k + 1 < span && in[k + 1])
                k++;
            char a[8], z[8];
            bl_month_format(first + i, a);
            bl_month_format(first + k, z);
            rc = bl_buf_printf(b, "%s%s%s%s", b->len ? ", " : "", a, k > i ? ".." : "",
                               k > i ? z : "");
            i = k;
        }
    }
    free(in);
    return rc;
}

/* A library this file counts twice with another because the two write its
 * name differently (docs/trust.md, "A library written two ways"): which
 * one to remove is the user's to say. */
static void warn_double(const char *path, long long sid, const bl_double_count *d)
{
    bl_buf months = BL_BUF_INIT(64 * 1024);
    if (months_text(&months, d->months, d->nmonths) != BL_OK || !months.data) {
        bl_buf_release(&months);
        return;
    }
    cli_warn("%s: library '%s' is counted twice for %s: this file (#%lld) writes it '%s' and "
             "#%lld (%s) writes it '%s', so neither replaces the other; if this file corrects "
             "#%lld, remove that one with 'bilan sources remove %lld' (the other way round, "
             "'bilan sources remove %lld')",
             path, d->library_id, months.data, sid, d->name, d->other_id, d->other_path,
             d->other_name, d->other_id, d->other_id, sid);
    bl_buf_release(&months);
}

typedef struct done_ctx {
    bl_store *st;
    bl_buf *held; /* per file: its diagnostics, said once it is known to be new */
    int worst;
} done_ctx;

/* One file stored, skipped or refused: its diagnostics and summary line. */
static void file_done(void *ctx, size_t index, const char *path, bl_status rc,
                      const bl_ingest_result *r)
{
    done_ctx *d = ctx;
    bl_store *st = d->st;
    bl_buf *held = &d->held[index];
    /* A --one-source set: its first file, and how many more. */
    char label[4096];
    if (r->files > 1) {
        char more[128];
        snprintf(more, sizeof more,
                 bl_trn("%s other file", "%s other files", (unsigned long)(r->files - 1)),
                 BL_NUM((long long)(r->files - 1)));
        snprintf(label, sizeof label, "%s (+ %s)", path, more);
        path = label;
    }
    cli_progress_file_done();
    if (!(rc == BL_OK && r->duplicate) && held->len)
        cli_write_safe(stderr, held->data, held->len);
    bl_buf_release(held);
    if (rc != BL_OK) {
        const char *why = bl_store_errmsg(st);
        bool bare = rc == BL_NOINPUT || rc == BL_IO || rc == BL_TEMPFAIL || rc == BL_NOMEM;
        /* A failure of the store itself (SQLite's words) names no file. */
        if (bare && strstr(why, path))
            cli_error("%s", why);
        else if (bare)
            cli_error("%s: %s", path, why);
        else
            cli_error("%s: file refused, store unchanged: %s", path, bl_after_path(why, path));
        int code = cli_exit(rc);
        if (code > d->worst)
            d->worst = code;
        return;
    }
    if (r->duplicate && r->repeat_of && strcmp(r->repeat_of, path) == 0) {
        cli_printf_safe(stdout, "%s: given twice in this command, skipped\n", path);
        return;
    }
    if (r->duplicate && r->repeat_of) {
        cli_printf_safe(stdout, "%s: the same file as %s, given before in this command: skipped\n",
                        path, r->repeat_of);
        return;
    }
    if (r->duplicate) {
        cli_printf_safe(stdout, "%s: already ingested as #%lld, skipped\n", path, r->duplicate_of);
        return;
    }
    char b[8] = "", e[8] = "", period[48];
    if (r->period_begin >= 0)
        bl_month_format(r->period_begin, b);
    if (r->period_end >= 0)
        bl_month_format(r->period_end, e);
    cli_period_text(period, sizeof period, b, e);
    if (r->log.lines > 0) {
        cli_printf_safe(stdout, "#%lld %s: %s %s: ", r->source_id, path, r->format, period);
        cli_log_counts(stdout, &r->log);
        if (r->rows_rejected)
            cli_printf_safe(stdout,
                            bl_trn("; %s line rejected", "; %s lines rejected",
                                   (unsigned long)r->rows_rejected),
                            BL_NUM(r->rows_rejected));
    } else {
        cli_printf_safe(stdout, "#%lld %s: %s%s%s %s: ", r->source_id, path,
                        cli_format_text(r->format), r->report_id[0] ? " " : "", r->report_id,
                        period);
        cli_row_counts(stdout, r->rows_accepted, r->rows_rejected, r->rows_unattributed);
    }
    if (r->lines_skipped)
        cli_printf_safe(
            stdout,
            bl_trn(", %s line skipped", ", %s lines skipped", (unsigned long)r->lines_skipped),
            BL_NUM(r->lines_skipped));
    /* Each count takes its own plural (until 3 December 2026 one sentence
     * agreed with the files only: « 1 cellules de 1 fichier »). */
    if (r->replaced_rows) {
        cli_printf_safe(
            stdout,
            bl_trn("; restated %s cell", "; restated %s cells", (unsigned long)r->replaced_rows),
            BL_NUM(r->replaced_rows));
        cli_printf_safe(stdout,
                        bl_trn(" of %s earlier file", " of %s earlier files",
                               (unsigned long)r->replaced_sources),
                        BL_NUM(r->replaced_sources));
    }
    if (r->kept_rows)
        cli_printf_safe(stdout,
                        bl_trn("; %s earlier cell kept (rejected rows)",
                               "; %s earlier cells kept (rejected rows)",
                               (unsigned long)r->kept_rows),
                        BL_NUM(r->kept_rows));
    if (r->superseded_rows)
        cli_printf_safe(stdout,
                        bl_trn("; %s cell superseded by a later report",
                               "; %s cells superseded by a later report",
                               (unsigned long)r->superseded_rows),
                        BL_NUM(r->superseded_rows));
    if (r->out_of_order)
        cli_printf_safe(stdout,
                        bl_trn("; %s line out of order beyond the window",
                               "; %s lines out of order beyond the window",
                               (unsigned long)r->out_of_order),
                        BL_NUM(r->out_of_order));
    cli_printf_safe(stdout, "\n");
    for (size_t i = 0; i < r->ndoubles; i++)
        warn_double(path, r->source_id, &r->doubles[i]);
    /* A file with no count above 0 (its header only, or zeros): recorded,
     * but said (an export cut short looks the same as a period without
     * use). */
    if (r->log.lines == 0 && r->rows_accepted == r->rows_zero && r->rows_rejected == 0)
        cli_printf_safe(stderr, _("bilan: %s: note: %s\n"), path,
                        _("no count above 0 in the file: nothing was counted (a report of a "
                          "period without use says so; an export cut short or empty looks the "
                          "same: check it with the provider)"));
}

int cmd_ingest(bl_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"provider", required_argument, NULL, 'p'},
                                             {"library-param", required_argument, NULL, 'l'},
                                             {"library", required_argument, NULL, 'L'},
                                             {"strict", no_argument, NULL, 's'},
                                             {"force", no_argument, NULL, 'F'},
                                             {"profile", required_argument, NULL, 'P'},
                                             {"one-source", no_argument, NULL, 'O'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    bl_ingest_opts opts = {0};
    const char *provider = NULL;
    bool one_source = false;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!bl_format_parse(optarg, &opts.format, &opts.custom_format))
                return cli_usage("ingest", USAGE, "unknown format '%s'", optarg);
            break;
        case 'p':
            provider = optarg;
            break;
        case 'l':
            opts.library_param = optarg;
            break;
        case 'L':
            if (!bl_id_valid(optarg))
                return cli_usage("ingest", USAGE, "'%s' is not a library id", optarg);
            opts.library = optarg;
            break;
        case 's':
            opts.strict = true;
            break;
        case 'F':
            opts.force = true;
            break;
        case 'P':
            if (!bl_id_valid(optarg))
                return cli_usage("ingest", USAGE, "'%s' is not a profile id", optarg);
            opts.profile_id = optarg;
            break;
        case 'O':
            one_source = true;
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_bad_option("ingest", USAGE, argv, c);
        }
    }
    if (optind >= argc)
        return cli_usage("ingest", USAGE, "no file given");
    if (one_source && opts.profile_id)
        return cli_usage("ingest", USAGE, "--one-source reads access logs, not --profile exports");
    char robots[4096];
    snprintf(robots, sizeof robots, "%s/counter-robots/COUNTER_Robots_list.txt", cli_data_dir());
    opts.robots_path = robots;
    bl_store *st = NULL;
    int ex = cli_open_store(cli, &st);
    if (ex)
        return ex;
    size_t n = (size_t)(argc - optind);
    bl_buf *held = calloc(n, sizeof *held);
    void **ctxs = calloc(n, sizeof *ctxs);
    if (!held || !ctxs) {
        free(held);
        free(ctxs);
        bl_store_close(st);
        cli_error("%s", bl_status_str(BL_NOMEM));
        return cli_exit(BL_NOMEM);
    }
    for (size_t i = 0; i < n; i++) {
        bl_buf b = BL_BUF_INIT(2 * HELD_DIAG_CAP);
        held[i] = b;
        ctxs[i] = &held[i];
    }
    done_ctx dc = {st, held, 0};
    int64_t total = 0;
    for (int i = optind; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0)
            total += sb.st_size;
    }
    /* The files are read in time order, not as given: the line counts
     * bytes over them all, and files as they are stored. */
    cli_progress_start(cli, "ingest", _("files"), one_source ? 1 : (long)n, total);
    opts.progress = cli_progress_read;
    opts.progress_file = cli_progress_next_file;
    if (one_source)
        bl_pipeline_ingest_set(st, (const char *const *)argv + optind, n, provider, &opts,
                               ingest_diag, ctxs[0], file_done, &dc);
    else
        bl_pipeline_ingest_files(st, (const char *const *)argv + optind, n, provider, &opts,
                                 ingest_diag, ctxs, file_done, &dc);
    for (size_t i = 0; i < n; i++)
        bl_buf_release(&held[i]);
    cli_progress_end();
    free(held);
    free(ctxs);
    int worst = dc.worst;
    bl_store_close(st);
    return worst;
}
