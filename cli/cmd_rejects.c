/* bilan rejects SOURCE: the rows rejected from one ingested file. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const USAGE = N_("bilan rejects SOURCE");

/* FILE:LINE: as the ingest said it (until 3 December 2026 a source asked
 * for by its id was named by the id: « 20:16: »). */
static bl_status print_reject(void *ctx, const bl_reject_row *r)
{
    (void)ctx;
    const char *path = r->file;
    if (*r->field)
        cli_printf_safe(stdout, "%s:%lld: %s: %s\n", path, r->line, r->field, r->reason);
    else
        cli_printf_safe(stdout, "%s:%lld: %s\n", path, r->line, r->reason);
    return BL_OK;
}

int cmd_rejects(bl_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf(_("usage: %s\n\n"
                 "Lists the rows rejected when SOURCE was ingested, as FILE:LINE: field: reason.\n"
                 "SOURCE is a source id or a file name as listed by 'bilan sources' (the\n"
                 "latest file of that name; for files read as one with --one-source, any of\n"
                 "them: each line is named with its own file).\n"),
               _(USAGE));
        return 0;
    }
    if (argc != 2)
        return cli_usage("rejects", USAGE, "expected one source");
    bl_store *st = NULL;
    int ex = cli_open_store_readonly(cli, &st);
    if (ex)
        return ex;
    long long n = 0;
    char *path = NULL;
    bl_status rc = bl_store_rejects(st, argv[1], print_reject, NULL, &n, &path);
    if (rc != BL_OK)
        cli_error("%s", bl_store_errmsg(st));
    else if (n == 0)
        cli_printf_safe(stdout, _("%s: no rejected rows\n"), path ? path : argv[1]);
    free(path);
    bl_store_close(st);
    return cli_exit(rc);
}
