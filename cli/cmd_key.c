/* bilan key rotate: replaces the secret key that pseudonymises log
 * identifiers in memory (docs/logs.md). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char *const USAGE = N_("bilan key rotate");

static void help(void)
{
    printf(_("usage: %s\n\n"
             "Manages the secret key with which IP addresses, logins and session ids\n"
             "read from access logs are hashed (SipHash) in memory. The key is not in the\n"
             "store but beside it, in STORE.key (bilan.db.key), owner-only: no identifier\n"
             "is ever written anywhere, and a copy of the store alone cannot test an\n"
             "address against its pseudonyms. Do not back STORE.key up with the store;\n"
             "without it a restored store works (a new key is made). docs/privacy.md.\n\n"
             "  rotate   replace the key by a new random one. Pseudonyms computed after\n"
             "           the rotation are unrelated to earlier ones, so a patron active\n"
             "           before and after it counts twice in distinct-user estimates\n"
             "           merged across that date.\n"),
           _(USAGE));
}

int cmd_key(bl_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return 0;
    }
    if (argc < 2)
        return cli_usage("key", USAGE, "no subcommand given");
    if (strcmp(argv[1], "rotate") != 0)
        return cli_usage("key", USAGE, "unknown subcommand '%s'", argv[1]);
    if (argc > 2) {
        if (strcmp(argv[2], "--help") == 0) {
            help();
            return 0;
        }
        return cli_usage("key", USAGE, "unexpected argument '%s'", argv[2]);
    }
    bl_store *st = NULL;
    int ex = cli_open_store(cli, &st);
    if (ex)
        return ex;
    bl_status rc = bl_store_key_rotate(st);
    if (rc != BL_OK) {
        cli_error("cannot rotate the key: %s", bl_store_errmsg(st));
        bl_store_close(st);
        return cli_exit(rc);
    }
    bl_store_close(st);
    printf(_("pseudonymisation key replaced\n"));
    return 0;
}
