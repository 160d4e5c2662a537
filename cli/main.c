/* bilan: entry point, global options and the command table. */
#include "cli.h"

#include "bilan/period.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct command {
    const char *name;
    int (*fn)(bl_cli *, int, char **);
    const char *summary;
} commands[] = {
#define X(name, summary) {#name, cmd_##name, summary},
    BL_COMMANDS(X)
#undef X
};

static void usage_main(FILE *f)
{
    fprintf(f, _("usage: bilan [--db PATH] [-v] [--version] [--help] COMMAND [ARGS]\n"
                 "       bilan help [COMMAND]\n\n"
                 "Usage statistics of a department's digital resources, per partner library.\n\n"
                 "Commands:\n"));
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, _(commands[i].summary));
    fprintf(f,
            _("\nOptions:\n"
              "  --db PATH   the store (default: $BILAN_DB, else bilan.db)\n"
              "  -v, --verbose\n"
              "              say more: the notes on each file (how month headings were\n"
              "              read, which lines were skipped and why)\n"
              "  --version   print the version and exit\n"
              "  --help      print this help and exit\n\n"
              "--db and -v may also follow the command. Run 'bilan help COMMAND' (or\n"
              "'bilan COMMAND --help') for a command's options.\n"
              "Exit status: 0 ok, 64 usage, 65 bad input data, 66 missing input,\n"
              "70 internal error, 73 cannot create output, 74 I/O error, 75 temporary failure.\n"));
}

int main(int argc, char **argv)
{
    bl_cli cli = {getenv("BILAN_DB") && *getenv("BILAN_DB") ? getenv("BILAN_DB") : "bilan.db",
                  isatty(2) == 1, getenv("BILAN_DB") && *getenv("BILAN_DB"),
                  getenv("SOURCE_DATE_EPOCH"), false};
    bl_i18n_init(cli_locale_dir(), cli_french_env());
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage_main(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf(_("bilan %s (store schema %d)\ndata: %s\n"), BL_VERSION,
                   bl_store_schema_version(), cli_data_dir());
            return 0;
        } else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
            cli.verbose = cli_verbose = true;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            cli.db_path = argv[++i];
            cli.db_explicit = true;
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            cli.db_path = argv[i] + 5;
            cli.db_explicit = true;
        } else {
            cli_error("unknown option '%s'", argv[i]);
            usage_main(stderr);
            return BL_EX_USAGE;
        }
    }
    if (i >= argc) {
        usage_main(stderr);
        return BL_EX_USAGE;
    }
    /* bilan help [COMMAND]: the same text as --help. */
    static char help_opt[] = "--help";
    char *help_argv[3];
    if (strcmp(argv[i], "help") == 0) {
        if (i + 1 >= argc) {
            usage_main(stdout);
            return 0;
        }
        if (i + 2 < argc) {
            cli_error("'bilan help' takes one command, not '%s'", argv[i + 2]);
            return BL_EX_USAGE;
        }
        help_argv[0] = argv[i + 1];
        help_argv[1] = help_opt;
        help_argv[2] = NULL;
        argv = help_argv, argc = 2, i = 0;
    }
    /* --db and -v after the command are the global options too (up to a "--"). */
    int n = i + 1;
    for (int k = i + 1; k < argc; k++) {
        if (strcmp(argv[k], "--") == 0) {
            while (k < argc)
                argv[n++] = argv[k++];
            break;
        }
        if (strcmp(argv[k], "-v") == 0 || strcmp(argv[k], "--verbose") == 0) {
            cli.verbose = cli_verbose = true;
        } else if (strcmp(argv[k], "--db") == 0 && k + 1 < argc) {
            cli.db_path = argv[++k];
            cli.db_explicit = true;
        } else if (strncmp(argv[k], "--db=", 5) == 0) {
            cli.db_path = argv[k] + 5;
            cli.db_explicit = true;
        } else {
            argv[n++] = argv[k];
        }
    }
    argc = n;
    argv[argc] = NULL;
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        if (strcmp(argv[i], commands[k].name) == 0) {
            optind = 0;
            opterr = 0; /* the commands say a bad option themselves, in the user's language */
            return commands[k].fn(&cli, argc - i, argv + i);
        }
    }
    cli_error("'%s' is not a bilan command. See 'bilan --help'.", argv[i]);
    return BL_EX_USAGE;
}
