/* bilan init DIR: writes a network folder of templates (one example row per
 * list and LISEZMOI.txt explaining every column in French), copied from the
 * data folder's templates/. Never overwrites: a file already there refuses
 * the whole command, and a failure half-way removes what it wrote. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const USAGE = N_("bilan init DIR");

static const char *const FILES[] = {"partners.csv", "libraries.csv", "resources.csv",
                                    "forfaits.csv", "network.csv",   "LISEZMOI.txt"};
#define NFILES (sizeof FILES / sizeof FILES[0])

static void help(void)
{
    printf(
        _("usage: %s\n\n"
          "Writes a network folder to start from: partners.csv, libraries.csv,\n"
          "resources.csv, forfaits.csv and network.csv (the network's name, logo and\n"
          "contact address) with one example row each, and LISEZMOI.txt explaining\n"
          "every column and its French names (in French). Replace the examples with your network,\n"
          "then run 'bilan network import DIR'. DIR is created when missing; a file\n"
          "already in it is never overwritten (the command then writes nothing, exit 73).\n"),
        _(USAGE));
}

/* Copies src to dst, never over an existing file nor through a link;
 * false with the reason in err. */
static bool copy_file(const char *src, const char *dst, char *err, size_t errlen)
{
    size_t len = 0;
    char *data = NULL;
    FILE *in = fopen(src, "rb");
    if (!in) {
        snprintf(err, errlen, _("cannot read '%s': %s"), src, strerror(errno));
        return false;
    }
    bl_buf b = BL_BUF_INIT((size_t)1 << 20);
    char buf[8192];
    size_t n;
    bool ok = true;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = bl_buf_append(&b, buf, n) == BL_OK;
    ok = ok && !ferror(in);
    fclose(in);
    data = b.data;
    len = b.len;
    if (!ok)
        snprintf(err, errlen, _("cannot read '%s'"), src);
    bl_status rc = ok ? bl_outfile_put(dst, data ? data : "", len, false, err, errlen) : BL_IO;
    bl_buf_release(&b);
    return rc == BL_OK;
}

int cmd_init(bl_cli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage("init", USAGE,
                         argc < 2 ? N_("missing directory") : N_("expected one directory"));
    const char *dir = argv[1];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cli_error("cannot create '%s': %s", dir, strerror(errno));
        return cli_exit(BL_CANTCREAT);
    }
    char path[4096];
    for (size_t i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, FILES[i]);
        if (access(path, F_OK) == 0) {
            cli_error("'%s' already exists: nothing written (bilan init never overwrites)", path);
            return cli_exit(BL_CANTCREAT);
        }
    }
    size_t done = 0;
    for (; done < NFILES; done++) {
        char src[4096];
        snprintf(src, sizeof src, "%s/templates/%s", cli_data_dir(), FILES[done]);
        snprintf(path, sizeof path, "%s/%s", dir, FILES[done]);
        char err[4600];
        if (!copy_file(src, path, err, sizeof err)) {
            cli_error("%s", err);
            break;
        }
    }
    if (done < NFILES) { /* nothing half-written */
        while (done-- > 0) {
            snprintf(path, sizeof path, "%s/%s", dir, FILES[done]);
            unlink(path);
        }
        return cli_exit(BL_CANTCREAT);
    }
    printf(_("%s: network templates written (%zu files); see %s/LISEZMOI.txt, then run\n"
             "  bilan network import %s\n"),
           dir, NFILES, dir, dir);
    return 0;
}
