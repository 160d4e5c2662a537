/* bilan network import DIR */
#include "cli.h"
#include "bilan/pipeline.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char USAGE[] = "bilan network import DIR";

static void help(void)
{
    printf("usage: %s\n\n"
           "Imports the network's reference lists from DIR, replacing the previous ones\n"
           "in one transaction:\n"
           "  partners.csv    id, name, kind, population, population_year,\n"
           "                  rate_per_inhabitant, emails\n"
           "  libraries.csv   id, partner_id, name, aliases, ip_ranges\n"
           "  resources.csv   id, name, provider, kind, annual_cost, counter_names,\n"
           "                  url_pattern, request_pattern, headline_metric\n"
           "  forfaits.csv    (optional) id, resource_id, units, start, end, metric,\n"
           "                  monthly_cap, per_patron_monthly_quota, alert_percent\n"
           "UTF-8 (with or without BOM) or Windows-1252; comma, semicolon or tab;\n"
           "decimal comma or point. List cells are separated by ';' (quote them in a\n"
           "semicolon file). Ids and references to them: [a-z0-9][a-z0-9._-]*, at most\n"
           "64 characters. A row with more cells than the header is an error; a shorter\n"
           "row reads its missing cells as empty, an error when a required one is missing.\n"
           "On the first bad cell, prints FILE:LINE:COLUMN and the reason, exits 65,\n"
           "and leaves the store unchanged. Usage already ingested is re-attributed.\n"
           "Every column and rule: docs/network.md.\n",
           USAGE);
}

int cmd_network(bl_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "import") != 0)
        return cli_usage("network", USAGE,
                         argc < 2 ? "missing subcommand" : "unknown subcommand '%s'",
                         argc < 2 ? "" : argv[1]);
    if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        help();
        return 0;
    }
    if (argc != 3)
        return cli_usage("network", USAGE, "expected one directory");
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
    printf("network: %d partners, %d libraries, %d resources, %d forfaits\n", n.partners,
           n.libraries, n.resources, n.forfaits);
    bl_store_close(st);
    return 0;
}
