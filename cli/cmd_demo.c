/* bilan demo: builds a demo store from the bundled fixtures (a fictional
 * department's network, 18 months of COUNTER R5 feeds and one vendor export
 * read with a profile, docs/profiles.md) and renders every
 * report kind into reports/demo/. It only ever touches its own store,
 * OUT/bilan-demo.db (DESIGN §9): $BILAN_DB, which a production crontab
 * exports, is ignored, and an explicit --db is refused. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const USAGE = N_("bilan demo [--fixtures DIR] [--out DIR]");

static void help(void)
{
    printf(_("usage: %s\n\n"
             "Builds a demo store from the bundled fixtures and renders every report kind.\n\n"
             "  --fixtures DIR  the demo folder, with network/ and feeds/ (default:\n"
             "                  the installed share/bilan/demo, else the source tree's\n"
             "                  fixtures/demo)\n"
             "  --out DIR       where reports go (default: reports/demo)\n\n"
             "The demo only ever touches its own store, DIR/bilan-demo.db, rebuilt from\n"
             "scratch at every run. $BILAN_DB is ignored (with a note on stderr), so the\n"
             "demo can never replace a production network; 'bilan --db PATH demo' is a\n"
             "usage error (exit 64). Its \"today\" is 6 November 2026, the day its feeds\n"
             "were created, so its reports are the same on every run.\n"),
           _(USAGE));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs a bilan command in-process with copies of the given arguments. */
static int run(bl_cli *cli, int (*fn)(bl_cli *, int, char **), const char *const *args)
{
    char *argv[300];
    int argc = 0;
    for (; args[argc] && argc < 299; argc++)
        argv[argc] = strdup(args[argc]);
    argv[argc] = NULL;
    optind = 0; /* glibc: a full reset, permutation state included */
    fflush(stdout);
    int ex = fn(cli, argc, argv);
    fflush(stdout);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    return ex;
}

/* Long on purpose (~120 lines): the demo is a script (options, a fresh
 * store, network, ingest, reports), each step a call of another command;
 * read top to bottom it is the quick start's story. */
int cmd_demo(bl_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {{"fixtures", required_argument, NULL, 'f'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    char fixtures[4096];
    const char *out = "reports/demo";
    /* Installed: DATA/demo; in the source tree: DATA/../fixtures/demo. */
    snprintf(fixtures, sizeof fixtures, "%s/demo", cli_data_dir());
    if (access(fixtures, R_OK) != 0)
        snprintf(fixtures, sizeof fixtures, "%s/../fixtures/demo", cli_data_dir());
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            snprintf(fixtures, sizeof fixtures, "%s", optarg);
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_bad_option("demo", USAGE, argv, c);
        }
    }
    if (optind < argc)
        return cli_usage("demo", USAGE, "unexpected argument '%s'", argv[optind]);
    /* cli->db_path is --db, else $BILAN_DB: the same as the environment's
     * means the environment's (or a --db naming the same store, ignored too). */
    const char *env_db = getenv("BILAN_DB");
    bool from_env = env_db && *env_db && strcmp(cli->db_path, env_db) == 0;
    if (cli->db_explicit && !from_env)
        return cli_usage("demo", USAGE,
                         "--db is not accepted: the demo builds its own store, "
                         "DIR/bilan-demo.db under --out");
    int mk = bl_mkdirs(out);
    if (mk != 0) {
        cli_error("cannot create '%s': %s", out, strerror(mk));
        return BL_EX_CANTCREAT;
    }
    char db[4096];
    if (snprintf(db, sizeof db, "%s/bilan-demo.db", out) >= (int)sizeof db) {
        cli_error("'%s': path too long", out);
        return BL_EX_CANTCREAT;
    }
    /* Never rebuild a store that $BILAN_DB names, even through --out. */
    struct stat a, b;
    if (env_db && *env_db && stat(env_db, &a) == 0 && stat(db, &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino) {
        cli_error("%s is the store $BILAN_DB names: the demo will not replace it (choose "
                  "another --out)",
                  db);
        return BL_EX_CANTCREAT;
    }
    if (from_env)
        fprintf(stderr,
                _("bilan: note: $BILAN_DB (%s) is ignored: the demo uses its own store, %s\n"),
                env_db, db);
    /* The demo store is rebuilt from scratch every time. */
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", db, suffix[i]);
        unlink(p);
    }
    cli->db_path = db;
    /* The demo's "today" is the day its feeds were created (6 November
     * 2026): its periods are then over whatever the real date, and its PDFs
     * the same bytes on every run. */
    setenv("SOURCE_DATE_EPOCH", "1793923200", 1);
    cli->source_date_epoch = "1793923200";
    printf(_("demo: store %s\n"), cli->db_path);

    char net[4200], feeds[4200];
    snprintf(net, sizeof net, "%s/network", fixtures);
    snprintf(feeds, sizeof feeds, "%s/feeds", fixtures);
    const char *imp[] = {"network", "import", net, NULL};
    int ex = run(cli, cmd_network, imp);
    if (ex)
        return ex;

    DIR *d = opendir(feeds);
    if (!d) {
        cli_error("cannot open '%s': %s", feeds, strerror(errno));
        return BL_EX_NOINPUT;
    }
    char *files[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 250) {
        if (e->d_name[0] == '.' || strstr(e->d_name, "README"))
            continue;
        files[n++] = bl_strdup_printf("%s/%s", feeds, e->d_name);
    }
    closedir(d);
    qsort(files, (size_t)n, sizeof files[0], cmp_str);
    const char *ing[260] = {"ingest"};
    for (int i = 0; i < n; i++)
        ing[i + 1] = files[i];
    ing[n + 1] = NULL;
    ex = run(cli, cmd_ingest, ing);
    for (int i = 0; i < n; i++)
        free(files[i]);
    if (ex)
        return ex;

    /* The demo's data run to October 2026: the reports of that month, of the
     * first semester, of the year 2025 and the network review. */
    static const char *const reports[][3] = {{"mensuel", "2026-10", NULL},
                                             {"semestriel", "2026-S1", NULL},
                                             {"annuel", "2025", NULL},
                                             {"reseau", "2026-10", NULL}};
    for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++) {
        const char *rep[] = {"report", reports[i][0], reports[i][1], "--out", out, NULL};
        ex = run(cli, cmd_report, rep);
        if (ex)
            return ex;
    }
    const char *ff[] = {"forfait", "status", "--at", "2026-11-01", NULL};
    ex = run(cli, cmd_forfait, ff);
    if (ex > 1)
        return ex;
    printf(_("demo: reports written under %s/\n"), out);
    return 0;
}
