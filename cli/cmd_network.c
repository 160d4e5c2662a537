/* bilan network import DIR */
#include "cli.h"
#include "bilan/pipeline.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const USAGE =
    N_("bilan network import DIR | bilan network show "
       "[partners|libraries|resources|forfaits|sushi|profiles] [--format text|csv]");

static void help(void)
{
    printf(_("usage: %s\n\n"
             "Imports the network's reference lists from DIR, replacing the previous ones\n"
             "in one transaction:\n"
             "  partners.csv    id, name, kind, population, population_year,\n"
             "                  rate_per_inhabitant, emails\n"
             "  libraries.csv   id, partner_id, name, aliases, ip_ranges, member_from,\n"
             "                  member_until\n"
             "  resources.csv   id, name, provider, kind, annual_cost, counter_names,\n"
             "                  url_pattern, request_pattern, headline_metric\n"
             "  forfaits.csv    (optional) id, resource_id, units, start, end, metric,\n"
             "                  monthly_cap, per_patron_monthly_quota, alert_percent\n"
             "  sushi.csv       (optional) id, url, release, customer_id, requestor_id,\n"
             "                  api_key, platform, reports, library_id, date_format\n"
             "                  (secrets only as env:NAME or file:/PATH, docs/sushi.md)\n"
             "  profiles/ID.ini (optional) how to read a provider's own export\n"
             "                  (docs/profiles.md); errors as FILE:LINE\n"
             "UTF-8 (with or without BOM) or Windows-1252; comma, semicolon or tab;\n"
             "decimal comma or point. List cells are separated by ';' (quote them in a\n"
             "semicolon file). Ids and references to them: [a-z0-9][a-z0-9._-]*, at most\n"
             "64 characters. A row with more cells than the header is an error; a shorter\n"
             "row reads its missing cells as empty, an error when a required one is missing.\n"
             "On the first bad cell, prints FILE:LINE:COLUMN and the reason, exits 65,\n"
             "and leaves the store unchanged. Usage already ingested is re-attributed.\n"
             "Every column and rule: docs/network.md.\n\n"
             "'bilan network show' prints the network as stored: each list (or the one\n"
             "named), every item with its columns, the months it has usage in\n"
             "(first_month, last_month) and its problems: a partner without library, a\n"
             "library without alias nor IP range or whose IP range overlaps another\n"
             "library's, a resource without COUNTER name nor URL pattern. --format csv\n"
             "writes one CSV table (one list only) with a 'problems' column.\n"),
           _(USAGE));
    printf(_("\n"
             "'sushi' lists the SUSHI endpoints: their secrets only as written in\n"
             "sushi.csv (env:NAME, file:PATH), never their value; the (report, month)\n"
             "pairs harvested and to retry; the last request, its state and message; the\n"
             "first and last months harvested with usage. A refused credential or a wrong\n"
             "setting at the last harvest is a problem. 'profiles' lists the vendor\n"
             "profiles: resource, provider, level (library or network), allocation,\n"
             "layout (long or wide), the header cells matched, and the months of usage\n"
             "ingested through each. 'sushi' and 'profiles' are shown with every list\n"
             "only when the network has some.\n"));
}

/* In bl_net_list's order. */
static const char *const LISTS[] = {"partners", "libraries", "resources", "forfaits",
                                    "sushi",    "profiles",  NULL};
/* The lists' titles in the text output. */
static const char *const TITLES[] = {N_("partners"), N_("libraries"),       N_("resources"),
                                     N_("forfaits"), N_("SUSHI endpoints"), N_("profiles")};
#define NLISTS (int)(sizeof LISTS / sizeof LISTS[0] - 1)

/* "N partners" and the like, for the text output's last line. The English
 * keeps the plural for one (as it always did); a translation may not. */
static const char *count_fmt(int list, long n)
{
    switch (list) {
    case 0:
        return bl_trn("%ld partners", "%ld partners", (unsigned long)n);
    case 1:
        return bl_trn("%ld libraries", "%ld libraries", (unsigned long)n);
    case 2:
        return bl_trn("%ld resources", "%ld resources", (unsigned long)n);
    case 3:
        return bl_trn("%ld forfaits", "%ld forfaits", (unsigned long)n);
    case 4:
        return bl_trn("%ld SUSHI endpoint", "%ld SUSHI endpoints", (unsigned long)n);
    default:
        return bl_trn("%ld profile", "%ld profiles", (unsigned long)n);
    }
}

typedef struct show {
    const char *const *cols;
    bool csv;
    long items;
    bl_buf b;
    const char *title; /* printed before the first row, when not NULL */
} show;

static bl_status show_row(void *ctx, const char *const *cells, size_t n)
{
    show *s = ctx;
    s->items++;
    bl_buf_clear(&s->b);
    bl_status rc = BL_OK;
    if (s->title) {
        rc = bl_buf_printf(&s->b, "%s", s->title);
        s->title = NULL;
    }
    if (rc == BL_OK && s->csv) {
        for (size_t i = 0; i < n && rc == BL_OK; i++) {
            rc = bl_csv_field(&s->b, cells[i]);
            if (rc == BL_OK)
                rc = bl_buf_putc(&s->b, i + 1 < n ? ',' : '\n');
        }
    } else if (rc == BL_OK) {
        /* id and name on the first line, then each other non-empty column. */
        size_t name = 0;
        for (size_t i = 1; i < n; i++)
            if (strcmp(s->cols[i], "name") == 0)
                name = i;
        rc = bl_buf_printf(&s->b, "%s%s%s\n", cells[0], name ? "  " : "", name ? cells[name] : "");
        for (size_t i = 1; i < n && rc == BL_OK; i++)
            if (i != name && *cells[i])
                rc = bl_buf_printf(&s->b, "    %s: %s\n",
                                   strcmp(s->cols[i], "problems") == 0 ? _("PROBLEMS") : s->cols[i],
                                   cells[i]);
    }
    /* A harvest's message is the server's text: escaped like all provider text. */
    if (rc == BL_OK) {
        cli_write_safe(stdout, s->b.data, s->b.len);
        if (ferror(stdout))
            rc = BL_IO;
    }
    return rc;
}

static int cmd_show(bl_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    bool csv = false;
    int c;
    optind = 0; /* options before or after the list's name */
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (cli_choice(optarg, CLI_TEXT_CSV) == 1)
                csv = true;
            else if (cli_choice(optarg, CLI_TEXT_CSV) != 0)
                return cli_usage("network", USAGE, "--format: '%s' is not text or csv", optarg);
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_bad_option("network", USAGE, argv, c);
        }
    }
    int first = 0, last = NLISTS - 1;
    bool all = optind >= argc;
    if (!all) {
        first = last = cli_choice(argv[optind], LISTS);
        if (first < 0 || optind + 1 < argc)
            return cli_usage("network", USAGE,
                             first < 0 ? N_("'%s' is not partners, libraries, resources, "
                                            "forfaits, sushi or profiles")
                                       : N_("unexpected argument '%s'"),
                             argv[first < 0 ? optind : optind + 1]);
    }
    if (csv && first != last)
        return cli_usage("network", USAGE, "--format csv: name one list");
    bl_store *st = NULL;
    int ex = cli_open_store_readonly(cli, &st);
    if (ex)
        return ex;
    long problems = 0, counts[NLISTS] = {0};
    bl_status rc = BL_OK;
    for (int k = first; k <= last && rc == BL_OK; k++) {
        show s = {bl_network_show_columns((bl_net_list)k), csv, 0, BL_BUF_INIT(1 << 20), NULL};
        char title[128];
        snprintf(title, sizeof title, "%s== %s\n", k > first ? "\n" : "", _(TITLES[k]));
        if (csv)
            for (size_t i = 0; s.cols[i] && rc == BL_OK; i++) {
                bl_buf_clear(&s.b);
                rc = bl_csv_field(&s.b, s.cols[i]);
                if (rc == BL_OK && fwrite(s.b.data, 1, s.b.len, stdout) != s.b.len)
                    rc = BL_IO;
                fputc(s.cols[i + 1] ? ',' : '\n', stdout);
            }
        else if (all && k >= BL_NET_SUSHI)
            s.title = title; /* said only when the network has some */
        else
            fputs(title, stdout);
        if (rc == BL_OK)
            rc = bl_network_show(st, (bl_net_list)k, show_row, &s, &problems);
        counts[k] = s.items;
        bl_buf_release(&s.b);
    }
    if (rc == BL_OK && !csv) {
        fputs(_("\nnetwork:"), stdout);
        for (int k = first; k <= last; k++) {
            if (all && k >= BL_NET_SUSHI && !counts[k])
                continue;
            fputs(k > first ? ", " : " ", stdout);
            printf(count_fmt(k, counts[k]), counts[k]);
        }
        if (problems)
            printf(
                bl_trn("; %ld with problems\n", "; %ld with problems\n", (unsigned long)problems),
                problems);
        else
            fputs(_("; no problems\n"), stdout);
    }
    if (rc == BL_OK && fflush(stdout) != 0)
        rc = BL_IO;
    if (rc != BL_OK)
        cli_error("network show failed: %s", rc == BL_IO ? _("write error") : bl_store_errmsg(st));
    bl_store_close(st);
    return cli_exit(rc);
}

int cmd_network(bl_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "show") == 0)
        return cmd_show(cli, argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "import") != 0)
        return cli_usage("network", USAGE,
                         argc < 2 ? N_("missing subcommand") : N_("unknown subcommand '%s'"),
                         argc < 2 ? "" : argv[1]);
    if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        help();
        return 0;
    }
    if (argc != 3)
        return cli_usage("network", USAGE, "expected one directory");
    if (argv[2][0] == '-' && access(argv[2], F_OK) != 0)
        return cli_usage("network", USAGE, "unknown option '%s'", argv[2]);
    /* One of the lists given for their folder (it said « cannot open
     * 'partners.csv/partners.csv': Not a directory », exit 74). */
    struct stat sb;
    if (stat(argv[2], &sb) == 0 && !S_ISDIR(sb.st_mode))
        return cli_usage("network", USAGE,
                         "'%s' is a file: network import reads the folder that holds "
                         "partners.csv, libraries.csv and resources.csv",
                         argv[2]);
    bl_store *st = NULL;
    int ex = cli_open_store(cli, &st);
    if (ex)
        return ex;
    bl_import_counts n;
    char err[1024];
    bl_status rc = bl_network_import(st, argv[2], &n, err, sizeof err);
    if (rc != BL_OK) {
        cli_error("%s", err);
        bl_store_close(st);
        return cli_exit(rc);
    }
    /* TRANSLATORS: followed by the counts, e.g. "3 partners, 12 libraries, …". */
    printf("%s", _("network: "));
    printf(bl_trn("%s partner", "%s partners", (unsigned long)n.partners), BL_NUM(n.partners));
    printf(bl_trn(", %s library", ", %s libraries", (unsigned long)n.libraries),
           BL_NUM(n.libraries));
    printf(bl_trn(", %s resource", ", %s resources", (unsigned long)n.resources),
           BL_NUM(n.resources));
    printf(bl_trn(", %s forfait", ", %s forfaits", (unsigned long)n.forfaits), BL_NUM(n.forfaits));
    if (n.sushi)
        printf(bl_trn(", %s SUSHI endpoint", ", %s SUSHI endpoints", (unsigned long)n.sushi),
               BL_NUM(n.sushi));
    if (n.profiles)
        printf(bl_trn(", %s profile", ", %s profiles", (unsigned long)n.profiles),
               BL_NUM(n.profiles));
    printf("\n");
    for (char *p = n.notes, *end; p && *p; p = end + 1) {
        end = p + strcspn(p, "\n");
        bool last = !*end;
        *end = '\0';
        cli_warn("%s", p);
        if (last)
            break;
    }
    free(n.notes);
    bl_store_close(st);
    return 0;
}
