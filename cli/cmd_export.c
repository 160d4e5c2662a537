/* bilan export usage [--from YYYY-MM] [--to YYYY-MM] [--partner ID] [--access-method M]
 *                    [--format csv|xlsx|ods] [--excel] [--names] [--wide] [--out FILE]
 *
 * The stored usage as a table: CSV (the long form's header is a contract
 * for scripts: names are only added on request), or a spreadsheet (always
 * with names). --wide pivots the months into columns. See docs/exports.md. */
#include "cli.h"

#include "bilan/sheet_out.h"
#include "bilan/store_queries.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const USAGE =
    N_("bilan export usage [--from YYYY-MM] [--to YYYY-MM] [--partner ID] "
       "[--access-method regular|tdm|all]\n"
       "                          [--format csv|xlsx|ods] [--excel] "
       "[--names] [--wide] [--out FILE]");

static void help(void)
{
    printf(_("usage: %s\n\n"
             "Writes the stored usage as a table, by default CSV on stdout with the header\n"
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
             "  --format F                     csv (default), xlsx or ods; a spreadsheet\n"
             "                                 has numbers as numbers, a bold heading row,\n"
             "                                 and always the names beside the ids\n"
             "  --excel                        CSV for Excel in French: ';' between cells,\n"
             "                                 a UTF-8 BOM, CRLF line ends\n"
             "  --names                        CSV: add partner_name, library_name and\n"
             "                                 resource_name, each after its id\n"
             "  --wide                         one row per partner, library, resource and\n"
             "                                 metric, one column per month (an empty cell:\n"
             "                                 no data that month)\n"
             "  --out FILE                     write FILE (replaced whole, never half\n"
             "                                 written) instead of stdout; xlsx and ods go\n"
             "                                 to stdout only when it is not a terminal\n"),
           _(USAGE));
}

/* ---- names beside ids -------------------------------------------------------------- */

typedef struct name_pair {
    char *id, *name;
} name_pair;

typedef struct names {
    name_pair *v;
    size_t n, cap;
    size_t id_col, name_col;
} names;

static bl_status add_name(void *ctx, const char *const *cells, size_t n)
{
    names *t = ctx;
    if (t->id_col >= n || t->name_col >= n)
        return BL_INTERNAL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        name_pair *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return BL_NOMEM;
        t->v = v;
        t->cap = cap;
    }
    name_pair *p = &t->v[t->n];
    p->id = strdup(cells[t->id_col]);
    p->name = strdup(cells[t->name_col]);
    if (!p->id || !p->name) {
        free(p->id);
        free(p->name);
        return BL_NOMEM;
    }
    t->n++;
    return BL_OK;
}

static int cmp_pair(const void *a, const void *b)
{
    return strcmp(((const name_pair *)a)->id, ((const name_pair *)b)->id);
}

/* A list's id → name, sorted by id for bsearch. */
static bl_status load_names(bl_store *st, bl_net_list which, names *t)
{
    const char *const *cols = bl_store_network_columns(which);
    t->id_col = t->name_col = (size_t)-1;
    for (size_t i = 0; cols && cols[i]; i++) {
        if (strcmp(cols[i], "id") == 0)
            t->id_col = i;
        else if (strcmp(cols[i], "name") == 0)
            t->name_col = i;
    }
    bl_status rc = bl_store_network_list(st, which, add_name, t);
    if (rc == BL_OK)
        qsort(t->v, t->n, sizeof *t->v, cmp_pair);
    return rc;
}

static const char *name_of(const names *t, const char *id)
{
    if (!id || !*id || t->n == 0)
        return "";
    name_pair key = {(char *)(uintptr_t)id, NULL};
    const name_pair *p = bsearch(&key, t->v, t->n, sizeof *t->v, cmp_pair);
    return p ? p->name : "";
}

static void names_free(names *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].id);
        free(t->v[i].name);
    }
    free(t->v);
}

/* ---- the table out: CSV or a spreadsheet ------------------------------------------------ */

typedef struct cell {
    const char *s; /* text, or NULL for a number */
    long long v;
    bool empty; /* no data: an empty cell */
} cell;

typedef struct out {
    bool sheet;
    bl_sheet_out *w;
    /* CSV: ',' and LF, or (--excel) ';', CRLF, after a BOM. */
    bl_buf b;
    char sep;
    const char *eol;
    bool to_file;
    bl_outfile file;
    char err[600];
    bl_status rc;
} out;

static bl_status out_bytes(out *o, const void *p, size_t n)
{
    if (o->rc != BL_OK)
        return o->rc;
    if (o->to_file)
        o->rc = bl_outfile_write(&o->file, p, n, o->err, sizeof o->err);
    else if (fwrite(p, 1, n, stdout) != n)
        o->rc = BL_IO;
    return o->rc;
}

static bl_status stdout_write(void *ctx, const void *p, size_t n)
{
    (void)ctx;
    return fwrite(p, 1, n, stdout) == n ? BL_OK : BL_IO;
}

static bl_status out_row(out *o, const cell *c, size_t n, bool heading)
{
    if (o->rc != BL_OK)
        return o->rc;
    if (o->sheet) {
        bl_status rc = bl_sheet_out_row(o->w, heading);
        for (size_t i = 0; i < n && rc == BL_OK; i++)
            rc = c[i].empty ? bl_sheet_out_empty(o->w)
                 : c[i].s   ? bl_sheet_out_text(o->w, c[i].s)
                            : bl_sheet_out_int(o->w, c[i].v);
        return o->rc = rc;
    }
    bl_buf *b = &o->b;
    bl_buf_clear(b);
    bl_status rc = BL_OK;
    for (size_t i = 0; i < n && rc == BL_OK; i++) {
        if (i)
            rc = bl_buf_putc(b, o->sep);
        if (rc == BL_OK && !c[i].empty)
            rc = c[i].s ? bl_csv_field_sep(b, c[i].s, o->sep) : bl_buf_printf(b, "%lld", c[i].v);
    }
    if (rc == BL_OK)
        rc = bl_buf_puts(b, o->eol);
    if (rc != BL_OK)
        return o->rc = rc;
    return out_bytes(o, b->data, b->len);
}

/* ---- long and wide forms ---------------------------------------------------------------- */

typedef struct exporter {
    out *o;
    bool with_names;
    names partners, libraries, resources;
    /* wide: the months [first, last] as columns; one group (partner,
     * library, resource) at a time, its metrics in the order first seen. */
    bool wide;
    int first, last;
    char key[3][256];
    bool have_group;
    size_t n_metrics;
    char metric[32][64];
    long long *v;   /* n_metrics × months */
    bool *has;      /* the same: a row existed */
    bool too_many;  /* more than 32 metrics in a group (never in practice) */
    int seen_first; /* pass 1: the months present */
    int seen_last;
} exporter;

/* The id cells (and names) of a row, in the heading's order; returns how
 * many. */
static size_t id_cells(const exporter *e, cell *c, const char *p, const char *l, const char *r)
{
    size_t n = 0;
    c[n++] = (cell){p, 0, false};
    if (e->with_names)
        c[n++] = (cell){name_of(&e->partners, p), 0, false};
    c[n++] = (cell){l, 0, false};
    if (e->with_names)
        c[n++] = (cell){name_of(&e->libraries, l), 0, false};
    c[n++] = (cell){r, 0, false};
    if (e->with_names)
        c[n++] = (cell){name_of(&e->resources, r), 0, false};
    return n;
}

static bl_status heading(exporter *e)
{
    cell c[8 + 600];
    size_t n = 0;
    const char *ids[] = {"partner_id",   "partner_name", "library_id",
                         "library_name", "resource_id",  "resource_name"};
    for (size_t i = 0; i < 6; i++)
        if (e->with_names || i % 2 == 0)
            c[n++] = (cell){ids[i], 0, false};
    char months[600][8];
    if (e->wide) {
        c[n++] = (cell){"metric", 0, false};
        for (int m = e->first; m <= e->last && n < sizeof c / sizeof c[0]; m++) {
            bl_month_format(m, months[m - e->first]);
            c[n++] = (cell){months[m - e->first], 0, false};
        }
    } else {
        c[n++] = (cell){"month", 0, false};
        c[n++] = (cell){"metric", 0, false};
        c[n++] = (cell){"value", 0, false};
    }
    return out_row(e->o, c, n, true);
}

static bl_status long_row(void *ctx, const bl_usage_row *r)
{
    exporter *e = ctx;
    cell c[10];
    size_t n = id_cells(e, c, r->partner_id, r->library_id, r->resource_id);
    c[n++] = (cell){r->month, 0, false};
    c[n++] = (cell){r->metric, 0, false};
    c[n++] = (cell){NULL, r->value, false};
    return out_row(e->o, c, n, false);
}

static bl_status seen_months(void *ctx, const bl_usage_row *r)
{
    exporter *e = ctx;
    int m;
    if (bl_month_parse(r->month, &m)) {
        if (e->seen_first < 0 || m < e->seen_first)
            e->seen_first = m;
        if (m > e->seen_last)
            e->seen_last = m;
    }
    return BL_OK;
}

static int cmp_metric(const void *a, const void *b)
{
    return strcmp(a, b);
}

static bl_status flush_group(exporter *e)
{
    if (!e->have_group)
        return BL_OK;
    e->have_group = false;
    size_t months = (size_t)(e->last - e->first + 1);
    /* Metrics sorted by name, as the long form sorts them. */
    size_t order[32];
    for (size_t i = 0; i < e->n_metrics; i++)
        order[i] = i;
    for (size_t i = 1; i < e->n_metrics; i++)
        for (size_t j = i; j > 0 && cmp_metric(e->metric[order[j - 1]], e->metric[order[j]]) > 0;
             j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    cell *c = malloc((months + 8) * sizeof *c);
    if (!c)
        return BL_NOMEM;
    bl_status rc = BL_OK;
    for (size_t k = 0; k < e->n_metrics && rc == BL_OK; k++) {
        size_t i = order[k];
        size_t n = id_cells(e, c, e->key[0], e->key[1], e->key[2]);
        c[n++] = (cell){e->metric[i], 0, false};
        for (size_t m = 0; m < months; m++)
            c[n++] = (cell){NULL, e->v[i * months + m], !e->has[i * months + m]};
        rc = out_row(e->o, c, n, false);
    }
    free(c);
    e->n_metrics = 0;
    return rc;
}

static bl_status wide_row(void *ctx, const bl_usage_row *r)
{
    exporter *e = ctx;
    const char *k[3] = {r->partner_id, r->library_id, r->resource_id};
    bool same = e->have_group;
    for (int i = 0; i < 3 && same; i++)
        same = strcmp(e->key[i], k[i]) == 0;
    if (!same) {
        bl_status rc = flush_group(e);
        if (rc != BL_OK)
            return rc;
        for (int i = 0; i < 3; i++)
            snprintf(e->key[i], sizeof e->key[i], "%s", k[i]);
        e->have_group = true;
    }
    int m;
    if (!bl_month_parse(r->month, &m) || m < e->first || m > e->last)
        return BL_OK;
    size_t months = (size_t)(e->last - e->first + 1), i = 0;
    while (i < e->n_metrics && strcmp(e->metric[i], r->metric) != 0)
        i++;
    if (i == e->n_metrics) {
        if (i == 32) {
            e->too_many = true;
            return BL_OK;
        }
        snprintf(e->metric[i], sizeof e->metric[i], "%s", r->metric);
        memset(e->v + i * months, 0, months * sizeof *e->v);
        memset(e->has + i * months, 0, months * sizeof *e->has);
        e->n_metrics++;
    }
    e->v[i * months + (size_t)(m - e->first)] += r->value;
    e->has[i * months + (size_t)(m - e->first)] = true;
    return BL_OK;
}

/* ---- the command ------------------------------------------------------------------------- */

typedef struct opts {
    bl_usage_filter f;
    const char *format, *out;
    bool excel, with_names, wide;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    static const struct option longopts[] = {{"from", required_argument, NULL, 'f'},
                                             {"to", required_argument, NULL, 't'},
                                             {"partner", required_argument, NULL, 'p'},
                                             {"access-method", required_argument, NULL, 'a'},
                                             {"format", required_argument, NULL, 'F'},
                                             {"excel", no_argument, NULL, 'x'},
                                             {"names", no_argument, NULL, 'N'},
                                             {"wide", no_argument, NULL, 'w'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!cli_month(optarg, &o->f.from))
                return cli_usage("export", USAGE, "--from: '%s' is not a month (YYYY-MM)", optarg);
            break;
        case 't':
            if (!cli_month(optarg, &o->f.to))
                return cli_usage("export", USAGE, "--to: '%s' is not a month (YYYY-MM)", optarg);
            break;
        case 'p':
            o->f.partner_id = optarg;
            break;
        case 'a': {
            static const char *const ACCESS[] = {"regular", "tdm", "all", NULL};
            static const bl_access_filter VAL[] = {BL_ACCESS_REGULAR, BL_ACCESS_TDM, BL_ACCESS_ALL};
            int k = cli_choice(optarg, ACCESS);
            if (k >= 0)
                o->f.access = VAL[k];
            else
                return cli_usage("export", USAGE,
                                 "--access-method: '%s' is not regular, tdm or all", optarg);
            break;
        }
        case 'F':
            o->format = optarg;
            break;
        case 'x':
            o->excel = true;
            break;
        case 'N':
            o->with_names = true;
            break;
        case 'w':
            o->wide = true;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'h':
            help();
            return -1;
        default:
            return cli_bad_option("export", USAGE, argv, c);
        }
    }
    if (optind < argc)
        return cli_usage("export", USAGE, "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* The partner given with --partner exists (a typo must not look like a
 * partner without usage, as in report and mail); else prints why. */
static bl_status check_partner(bl_store *st, const char *id)
{
    bl_partner_info *pl = NULL;
    size_t np = 0;
    bl_status rc = bl_store_partners(st, &pl, &np);
    bool found = false;
    for (size_t i = 0; rc == BL_OK && i < np && !found; i++)
        found = strcmp(pl[i].id, id) == 0;
    bl_partner_list_free(pl, np);
    if (rc != BL_OK)
        cli_error("export failed: %s", bl_store_errmsg(st));
    else if (!found)
        cli_error("no partner '%s' in the network", id);
    return rc != BL_OK ? rc : found ? BL_OK : BL_NOTFOUND;
}

/* Long on purpose (~130 lines): the checks that must pass before a byte is
 * written (options, store, partner, output), then the one pass (two for
 * --wide without both bounds) and the one exit that releases everything. */
int cmd_export(bl_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "usage") != 0)
        return argc < 2 ? cli_usage("export", USAGE, "missing subcommand")
                        : cli_usage("export", USAGE, "unknown subcommand '%s'", argv[1]);
    argc--, argv++;
    opts op = {{-1, -1, NULL, BL_ACCESS_REGULAR}, "csv", NULL, false, false, false};
    int ex = parse(argc, argv, &op);
    if (ex)
        return ex < 0 ? 0 : ex;
    bl_sheet_format sf = BL_SHEET_XLSX;
    bool sheet = strcasecmp(op.format, "csv") != 0;
    if (sheet && !bl_sheet_format_parse(op.format, &sf))
        return cli_usage("export", USAGE, "--format: '%s' is not csv, xlsx or ods", op.format);
    if (sheet && op.excel)
        return cli_usage("export", USAGE,
                         "--excel is for --format csv (a spreadsheet needs no "
                         "separator)");
    if (sheet && !op.out && isatty(STDOUT_FILENO))
        return cli_usage("export", USAGE,
                         "--format %s writes a binary file: give --out FILE (or redirect stdout)",
                         op.format);
    if (op.f.from >= 0 && op.f.to >= 0 && op.f.from > op.f.to)
        return cli_usage("export", USAGE, "--from is after --to");

    bl_store *st = NULL;
    ex = cli_open_store_readonly(cli, &st);
    if (ex)
        return ex;
    out o = {.sheet = sheet, .b = BL_BUF_INIT(1 << 20), .sep = ',', .eol = "\n"};
    exporter e = {.o = &o,
                  .with_names = sheet || op.with_names,
                  .wide = op.wide,
                  .seen_first = -1,
                  .seen_last = -1};
    bl_status rc = BL_OK;
    bool opened = false;
    if (op.f.partner_id && (rc = check_partner(st, op.f.partner_id)) != BL_OK)
        goto out;
    if (e.with_names && ((rc = load_names(st, BL_NET_PARTNERS, &e.partners)) != BL_OK ||
                         (rc = load_names(st, BL_NET_LIBRARIES, &e.libraries)) != BL_OK ||
                         (rc = load_names(st, BL_NET_RESOURCES, &e.resources)) != BL_OK)) {
        cli_error("export failed: %s", bl_store_errmsg(st));
        goto out;
    }
    if (e.wide) {
        e.first = op.f.from, e.last = op.f.to;
        if (e.first < 0 || e.last < 0) {
            /* The months the export covers decide the heading: one pass to
             * find them. */
            rc = bl_store_export_usage(st, &op.f, seen_months, &e);
            if (rc != BL_OK) {
                cli_error("export failed: %s", bl_store_errmsg(st));
                goto out;
            }
            if (e.first < 0)
                e.first = e.seen_first;
            if (e.last < 0)
                e.last = e.seen_last;
        }
        if (e.first < 0 || e.last < e.first) /* no usage: a heading without months */
            e.first = 0, e.last = -1;
        if (e.last - e.first + 1 > 600) {
            cli_error("--wide: %d months are more columns than a spreadsheet shows well; give "
                      "--from and --to",
                      e.last - e.first + 1);
            rc = BL_USAGE;
            goto out;
        }
        size_t cells = 32 * (size_t)(e.last - e.first + 1) + 1;
        e.v = calloc(cells, sizeof *e.v);
        e.has = calloc(cells, sizeof *e.has);
        if (!e.v || !e.has) {
            cli_error("out of memory");
            rc = BL_NOMEM;
            goto out;
        }
    }

    if (op.out && !sheet) {
        if ((rc = bl_outfile_open(&o.file, op.out, o.err, sizeof o.err)) != BL_OK) {
            cli_error("%s", o.err);
            goto out;
        }
        o.to_file = true;
    } else if (sheet) {
        rc = op.out ? bl_sheet_out_open_file(&o.w, sf, op.out, o.err, sizeof o.err)
                    : bl_sheet_out_open(&o.w, sf, stdout_write, NULL);
        if (rc != BL_OK) {
            cli_error("%s", op.out ? o.err : "out of memory");
            goto out;
        }
        bl_sheet_out_sheet(o.w, "usage", true);
    }
    opened = true;
    if (op.excel && !sheet) { /* French Excel: the BOM says UTF-8, ';' separates cells */
        o.sep = ';';
        o.eol = "\r\n";
        out_bytes(&o, "\xEF\xBB\xBF", 3);
    }
    heading(&e);
    rc = bl_store_export_usage(st, &op.f, e.wide ? wide_row : long_row, &e);
    if (rc == BL_OK && e.wide)
        rc = flush_group(&e);
    if (rc == BL_OK)
        rc = o.rc;
    if (e.too_many)
        cli_warn("--wide: a resource has more than 32 metrics; the others are left out");
    if (rc != BL_OK) {
        if (o.err[0])
            cli_error("%s", o.err);
        else if (o.w && bl_sheet_out_errmsg(o.w)[0])
            cli_error("export failed: %s", bl_sheet_out_errmsg(o.w));
        else
            cli_error("export failed: %s", rc == BL_IO ? _("write error") : bl_store_errmsg(st));
    }
out:
    if (opened) {
        if (sheet) {
            if (rc == BL_OK) {
                rc = bl_sheet_out_finish(o.w, true, o.err, sizeof o.err);
                if (rc != BL_OK)
                    cli_error("%s", o.err);
            } else {
                bl_sheet_out_abort(o.w);
            }
        } else if (o.to_file) {
            if (rc == BL_OK &&
                (rc = bl_outfile_commit(&o.file, true, o.err, sizeof o.err)) != BL_OK)
                cli_error("%s", o.err);
            else if (rc != BL_OK)
                bl_outfile_abort(&o.file);
        }
        if (rc == BL_OK && !o.to_file && !op.out && fflush(stdout) != 0) {
            cli_error("export failed: %s", _("write error"));
            rc = BL_IO;
        }
    }
    bl_buf_release(&o.b);
    free(e.v);
    free(e.has);
    names_free(&e.partners);
    names_free(&e.libraries);
    names_free(&e.resources);
    bl_store_close(st);
    return cli_exit(rc);
}
