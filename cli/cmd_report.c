/* bilan report mensuel|semestriel|annuel|reseau PERIOD [--partner ID] [--out DIR] [--jobs N]
 *
 * Builds every report model first (one SQLite connection, one pass), closes
 * the store, then renders the PDFs in worker processes.
 *
 * Processes, not threads: Debian 12's Cairo (1.16) shares scaled fonts
 * between threads through a global cache, and cairo_scaled_font_destroy
 * races with another thread taking the same font back (fixed upstream in
 * 2020, after 1.16): the assertion `! scaled_font->cache_frozen` aborted a
 * whole `bilan demo` in CI. Each worker process has its own Cairo, so they
 * share nothing; a worker that dies loses only the report it was drawing,
 * which is named, and the others are still written. */
#include "cli.h"
#include "bilan/model.h"
#include "bilan/pipeline.h"
#include "bilan/render.h"
#include "bilan/sheet_out.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const USAGE = N_("bilan report mensuel|semestriel|annuel|reseau PERIOD "
                                    "[--partner ID] [--out DIR] [--jobs N] [--xlsx]");

static void help(void)
{
    printf(_("usage: %s\n\n"
             "Renders French A4 PDF reports from the store.\n\n"
             "  mensuel YYYY-MM        one per partner: the month against the previous one and\n"
             "                         the same month last year, per resource, charts, forfaits\n"
             "  semestriel YYYY-S1|S2  one per partner: the six months side by side\n"
             "  annuel YYYY            network-wide, for the steering committee: totals by\n"
             "                         resource, kind and partner, cost per consultation;\n"
             "                         and one per partner for the yearly review: twelve\n"
             "                         months by resource and by library, the year against\n"
             "                         the previous one (--partner ID: that partner's only)\n"
             "  reseau PERIOD          network-wide review for the project lead (PERIOD is\n"
             "                         YYYY-MM, YYYY-S1|S2 or YYYY): partners x resources,\n"
             "                         unattributed usage, rejected rows, missing months\n\n"
             "Files: DIR/PERIOD/<partner-id>-<kind>.pdf for partner reports and\n"
             "DIR/PERIOD/reseau-<kind>.pdf for network-wide ones; each path written is\n"
             "printed on stdout.\n\n"
             "  --partner ID   only this partner (not with reseau)\n"
             "  --out DIR      output directory (default: reports)\n"
             "  --jobs N       render with N processes (default: the number of cores)\n"
             "  --xlsx         also write each report's figures as a spreadsheet beside\n"
             "                 its PDF (DIR/PERIOD/<partner-id>-<kind>.xlsx): one sheet per\n"
             "                 table, numbers as numbers, months as columns\n\n"
             "A period not begun yet is refused (exit 64); a period not over is marked\n"
             "PROVISOIRE on every page. A partner whose id is not a plain name (for example\n"
             "'../x', from an old store) is skipped with an error (exit 65): no file is\n"
             "ever written outside DIR.\n\n"
             "SOURCE_DATE_EPOCH, when set, is \"today\": the generation date printed in\n"
             "the reports, the PDF dates and the date that decides whether a period is\n"
             "over; the same data then gives the same bytes.\n"),
           _(USAGE));
}

/* One report's outcome, in memory shared with the worker processes. */
enum { SLOT_WAITING, SLOT_DRAWING, SLOT_DONE };
typedef struct slot {
    int state;
    bl_status rc;
    char err[512];
    char path[4096];
} slot;

/* The reports to draw and their outcomes: a MAP_SHARED mapping, so that
 * what a worker process writes is what the parent reads. */
typedef struct board {
    size_t next; /* the next report to take, taken atomically */
    size_t n;
    slot s[];
} board;

static void draw_one(slot *s, const bl_model *m, const char *out, int64_t epoch)
{
    __atomic_store_n(&s->state, SLOT_DRAWING, __ATOMIC_RELEASE);
    char rel[512];
    if (!bl_render_file_name(rel, sizeof rel, m)) {
        /* Checked before the workers start; kept as a last guard. */
        snprintf(s->err, sizeof s->err, "partner '%s': not a valid id, skipped", m->partner->id);
        s->rc = BL_DATA;
    } else {
        snprintf(s->path, sizeof s->path, "%s/%s", out, rel);
        s->rc = bl_render_pdf(m, s->path, epoch, s->err, sizeof s->err);
    }
    __atomic_store_n(&s->state, SLOT_DONE, __ATOMIC_RELEASE);
}

/* A worker process: draws reports until none is left, writing a byte to
 * `done_fd` per report drawn, for the parent's progress line. */
static _Noreturn void worker(board *b, bl_model **models, const char *out, int64_t epoch,
                             int done_fd)
{
    for (;;) {
        size_t i = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED);
        if (i >= b->n)
            _exit(0);
        draw_one(&b->s[i], models[i], out, epoch);
        ssize_t w;
        do
            w = write(done_fd, "", 1);
        while (w < 0 && errno == EINTR);
    }
}

/* A worker that died while drawing `path` may have left its hidden
 * temporary file (common/outfile.c: ".bilan-<12 hex>.tmp") beside it: once
 * every worker has exited, such files of ours changed since `since` in that
 * folder are removed, so that nothing half-written stays behind. */
static void remove_temp_files(const char *path, time_t since)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        size_t len = strlen(nm);
        if (len != 23 || strncmp(nm, ".bilan-", 7) != 0 || strcmp(nm + 19, ".tmp") != 0 ||
            strspn(nm + 7, "0123456789abcdef") != 12)
            continue;
        struct stat sb;
        if (fstatat(dirfd(d), nm, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode) &&
            sb.st_uid == geteuid() && sb.st_mtime >= since)
            unlinkat(dirfd(d), nm, 0);
    }
    closedir(d);
}

/* Draws every report of `b` with up to `jobs` worker processes and waits
 * for them. A report whose worker died is marked failed, naming how; the
 * reports no worker took (every fork failed, or every worker died) are
 * drawn here, in this process. */
static void draw_all(board *b, bl_model **models, const char *out, int64_t epoch, size_t jobs)
{
    int fds[2];
    pid_t pid[256];
    time_t since = time(NULL) - 1;
    size_t started = 0;
    if (pipe(fds) == 0) {
        /* Nothing buffered may be written twice, by the parent and a child. */
        fflush(stdout);
        fflush(stderr);
        for (; started < jobs; started++) {
            pid[started] = fork();
            if (pid[started] < 0)
                break;
            if (pid[started] == 0) {
                close(fds[0]);
                worker(b, models, out, epoch, fds[1]);
            }
        }
        close(fds[1]);
        char buf[64];
        ssize_t r;
        while ((r = read(fds[0], buf, sizeof buf)) != 0) {
            if (r < 0 && errno != EINTR)
                break;
            for (ssize_t k = 0; k < r; k++)
                cli_progress_item_done();
        }
        close(fds[0]);
    }
    char why[128] = "";
    for (size_t k = 0; k < started; k++) {
        int st = 0;
        pid_t w;
        while ((w = waitpid(pid[k], &st, 0)) < 0 && errno == EINTR)
            ;
        if (w < 0) /* SIGCHLD ignored by whoever started us: reaped already */
            continue;
        if (WIFSIGNALED(st))
            snprintf(why, sizeof why, _("signal %d, %s"), WTERMSIG(st), strsignal(WTERMSIG(st)));
        else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
            snprintf(why, sizeof why, _("exit status %d"), WEXITSTATUS(st));
    }
    for (size_t i = 0; i < b->n; i++) {
        slot *s = &b->s[i];
        if (s->state == SLOT_WAITING) {
            draw_one(s, models[i], out, epoch);
            cli_progress_item_done();
        } else if (s->state == SLOT_DRAWING) {
            snprintf(s->err, sizeof s->err,
                     _("'%s': the drawing process stopped (%s); no file written, the other "
                       "reports are not affected"),
                     s->path[0] ? s->path : "?", why[0] ? why : "?");
            s->rc = BL_INTERNAL;
            remove_temp_files(s->path, since);
        }
    }
}

/* The figures of the report whose PDF is at pdf_path, as a workbook beside
 * it (the same name with .xlsx); prints its path, or why not. */
static bl_status write_sheet(const bl_model *m, const char *pdf_path)
{
    char path[4096], err[4600];
    size_t len = strlen(pdf_path);
    if (len < 4 || len >= sizeof path)
        return BL_INTERNAL;
    snprintf(path, sizeof path, "%.*s.xlsx", (int)(len - 4), pdf_path);
    bl_sheet_out *w = NULL;
    bl_status rc = bl_sheet_out_open_file(&w, BL_SHEET_XLSX, path, err, sizeof err);
    if (rc == BL_OK) {
        bl_render_sheet(m, w);
        rc = bl_sheet_out_finish(w, true, err, sizeof err);
    }
    if (rc != BL_OK)
        cli_error("%s", err);
    else
        printf("%s\n", path);
    return rc;
}

/* Long on purpose (~200 lines): options and their checks, then the phases
 * whose order matters (every model built while the store is open, the
 * store closed, the PDFs rendered by worker threads, the results printed
 * in partner order); one function keeps that order visible. */
int cmd_report(bl_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"partner", required_argument, NULL, 'p'}, {"out", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},    {"xlsx", no_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *partner = NULL, *out = "reports";
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    bool xlsx = false;
    int c;
    /* optind = 0 makes glibc's getopt start afresh (its permutation state
     * included): `bilan demo` calls several commands in one process, and
     * options may follow the kind and period. */
    optind = 0;
    while ((c = getopt_long(argc, argv, ":hj:", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            partner = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'j': {
            char *end;
            jobs = strtol(optarg, &end, 10);
            if (*end || jobs < 1 || jobs > 256)
                return cli_usage("report", USAGE, "--jobs: '%s' is not a number from 1 to 256",
                                 optarg);
            break;
        }
        case 'x':
            xlsx = true;
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_bad_option("report", USAGE, argv, c);
        }
    }
    if (argc - optind != 2)
        return cli_usage("report", USAGE,
                         argc - optind < 2 ? "missing report kind or period"
                                           : "unexpected argument '%s'",
                         argc - optind < 2 ? "" : argv[optind + 2]);
    const char *kname = argv[optind], *pname = argv[optind + 1];
    static const char *const KINDS[] = {"mensuel", "semestriel", "annuel", "reseau", NULL};
    int ki = cli_choice(kname, KINDS); /* in bl_report_kind's order */
    if (ki < 0)
        return cli_usage("report", USAGE, "unknown report kind '%s'", kname);
    bl_report_kind kind = (bl_report_kind)ki;
    kname = KINDS[ki];
    bl_period p;
    static const char *const want[] = {N_("a month (YYYY-MM)"),
                                       N_("a semester (YYYY-S1 or YYYY-S2)"), N_("a year (YYYY)"),
                                       N_("a period (YYYY-MM, YYYY-S1|S2 or YYYY)")};
    bool ok = bl_period_parse(pname, &p);
    if (ok && kind == BL_REPORT_MENSUEL)
        ok = p.kind == BL_PERIOD_MONTH;
    if (ok && kind == BL_REPORT_SEMESTRIEL)
        ok = p.kind == BL_PERIOD_SEMESTER;
    if (ok && kind == BL_REPORT_ANNUEL)
        ok = p.kind == BL_PERIOD_YEAR;
    if (!ok)
        return cli_usage("report", USAGE, "%s: '%s' is not %s", kname, pname, _(want[kind]));
    if (partner && kind == BL_REPORT_RESEAU)
        return cli_usage("report", USAGE, "--partner: the %s report covers the whole network",
                         kname);

    /* Fonts: the project's fontconfig file pins DejaVu, before any Pango call. */
    char fonts[4096];
    const char *fc = getenv("FONTCONFIG_FILE");
    if (!fc || !*fc) {
        snprintf(fonts, sizeof fonts, "%s/fonts.conf", cli_data_dir());
        if (access(fonts, R_OK) != 0)
            cli_warn("cannot read '%s': fonts may differ from DejaVu", fonts);
        else
            setenv("FONTCONFIG_FILE", fonts, 1);
    }
    /* "Today": SOURCE_DATE_EPOCH when set (reproducible output, tests),
     * else the clock; the same date is printed and decides "provisoire". */
    int64_t now, epoch = -1;
    bool pinned;
    if (!cli_today(cli, &now, &pinned))
        return BL_EX_USAGE;
    if (pinned)
        epoch = now;
    int64_t days = now / 86400;
    if (bl_period_state_at(&p, days) == BL_PERIOD_NOT_BEGUN) {
        char today[64];
        int y, mo, d;
        bl_civil_from_days(days, &y, &mo, &d);
        bl_fr_date(today, sizeof today, y, mo, d);
        cli_error("%s: the period '%s' has not begun (today is %s): no report for it yet", kname,
                  pname, today);
        return BL_EX_USAGE;
    }

    bl_store *st = NULL;
    int ex = cli_open_store_readonly(cli, &st);
    if (ex)
        return ex;
    bl_model **models = NULL;
    size_t n = 0;
    bl_status rc;
    /* The annual report is the network's and, for the yearly review with
     * each partner, every partner's (issue 15): `annuel YEAR` renders both,
     * `annuel YEAR --partner ID` that partner's only. */
    bool network = kind == BL_REPORT_RESEAU || (kind == BL_REPORT_ANNUEL && !partner);
    if (kind != BL_REPORT_RESEAU) {
        rc = bl_model_build_partners(st, kind, &p, partner, days, &models, &n);
    } else {
        rc = BL_OK;
    }
    if (rc == BL_OK && network) {
        bl_model **nv = realloc(models, (n + 1) * sizeof *nv);
        rc = nv ? BL_OK : BL_NOMEM;
        if (nv) {
            models = nv;
            memmove(models + 1, models, n * sizeof *models);
            models[0] = NULL;
            n++;
            rc = bl_model_build_network(st, kind, &p, days, &models[0]);
            if (rc != BL_OK) {
                memmove(models, models + 1, (n - 1) * sizeof *models);
                n--;
            }
        }
    }
    if (rc != BL_OK) {
        if (rc == BL_NOTFOUND)
            cli_error("%s", bl_store_errmsg(st));
        else
            cli_error("cannot read the store: %s", bl_store_errmsg(st));
        bl_store_close(st);
        bl_model_list_free(models, n);
        return cli_exit(rc);
    }
    bl_store_close(st);
    if (n == 0) {
        cli_error("no partner in the network: run 'bilan network import DIR' first");
        bl_model_list_free(models, n);
        return BL_EX_NOINPUT;
    }
    /* Reports of a period without any data are written (they say « — »
     * throughout, truthfully), but not silently: a wrong period, or files
     * not ingested yet, is what the user most likely has to fix. */
    if (!bl_model_list_has_data(models, n)) {
        if (bl_model_none_over(models[0]))
            cli_warn("no usage data for %s yet: none of its months is over, its reports say "
                     "'—' throughout",
                     pname);
        else if (partner)
            /* The store may have the period for others (it said « in the
             * store », which sent the user looking for a missing file). */
            cli_warn("no usage data for %s of partner '%s': its report says '—' throughout "
                     "(its libraries' files, or its libraries' names or addresses in "
                     "libraries.csv?)",
                     pname, partner);
        else
            cli_warn("no usage data for %s in the store: its reports say '—' throughout "
                     "(have the providers' files for it been ingested?)",
                     pname);
    }

    /* A partner id from an older store may be anything ("../../x"): only a
     * valid id may become a file name; the others are skipped, named. */
    size_t kept = 0;
    int bad_ids = 0;
    for (size_t i = 0; i < n; i++) {
        if (models[i]->partner && !bl_id_valid(models[i]->partner->id)) {
            cli_error("partner '%s': not a valid id ([a-z0-9][a-z0-9._-]*), no report written; "
                      "fix it in partners.csv and run 'bilan network import' again",
                      models[i]->partner->id);
            bad_ids++;
            bl_model_free(models[i]);
            continue;
        }
        models[kept++] = models[i];
    }
    n = kept;
    if (n == 0) {
        bl_model_list_free(models, n);
        return BL_EX_DATAERR;
    }

    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", out, p.id);
    int mk = bl_mkdirs(dir);
    if (mk != 0) {
        cli_error("cannot create '%s': %s", dir, strerror(mk));
        bl_model_list_free(models, n);
        return BL_EX_CANTCREAT;
    }
    size_t size = sizeof(board) + n * sizeof(slot);
    board *b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) {
        cli_error("out of memory");
        bl_model_list_free(models, n);
        return BL_EX_SOFTWARE;
    }
    b->n = n; /* the mapping starts zeroed: every slot SLOT_WAITING */
    cli_progress_start(cli, "report", _("reports"), (long)n, 0);
    draw_all(b, models, out, epoch, (size_t)jobs < n ? (size_t)jobs : n);
    cli_progress_end();
    for (size_t i = 0; i < n; i++) {
        if (b->s[i].rc == BL_OK) {
            printf("%s\n", b->s[i].path);
            if (xlsx && write_sheet(models[i], b->s[i].path) != BL_OK && !ex)
                ex = BL_EX_CANTCREAT;
        } else {
            cli_error("%s", b->s[i].err);
            if (!ex)
                ex = cli_exit(b->s[i].rc);
        }
    }
    munmap(b, size);
    if (bad_ids && !ex)
        ex = BL_EX_DATAERR;
    if (fflush(stdout) != 0 && !ex)
        ex = BL_EX_IOERR;
    bl_model_list_free(models, n);
    return ex;
}
