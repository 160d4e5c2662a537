/* The command line's shared helpers (cli.h): messages, exit codes, opening
 * the store, the environment (read here and in main.c only: the layers
 * below get values, never variables). */
#include "cli.h"

#include "bilan/i18n.h"
#include "bilan/period.h"

#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef BILAN_BUILD_LOCALE_DIR
#define BILAN_BUILD_LOCALE_DIR "/usr/share/locale"
#endif
#ifndef BILAN_DEFAULT_DATA_DIR
#define BILAN_DEFAULT_DATA_DIR "/usr/share/bilan"
#endif

bool cli_verbose;

static void write_safe(FILE *f, const char *s, size_t n)
{
    /* Provider text (Created_By, a rejected cell, a report id) must not
     * drive the terminal: C0 controls but tab and line feed, DEL and the C1
     * controls (UTF-8 C2 80..C2 9F) are shown as \xHH. */
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t len = 0;
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
            len = 1;
        else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                 (unsigned char)s[i + 1] <= 0x9F)
            len = 2;
        if (!len)
            continue;
        fwrite(s + start, 1, i - start, f);
        for (size_t k = 0; k < len; k++)
            fprintf(f, "\\x%02x", (unsigned char)s[i + k]);
        i += len - 1;
        start = i + 1;
    }
    fwrite(s + start, 1, n - start, f);
}

/* The progress line is erased first and not drawn again while this is
 * written (a reader thread may be drawing); while a progress line is on,
 * f is flushed before it may be drawn again. */
void cli_write_safe(FILE *f, const char *s, size_t n)
{
    if (cli_progress_pause())
        fflush(f);
    write_safe(f, s, n);
    cli_progress_resume(f);
}

static void vprint_safe(FILE *f, const char *prefix, const char *fmt, va_list ap,
                        const char *suffix)
{
    char small[4096], *buf = small;
    va_list again;
    va_copy(again, ap);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    if (len >= (int)sizeof small && (buf = malloc((size_t)len + 1)) != NULL)
        vsnprintf(buf, (size_t)len + 1, fmt, again);
    va_end(again);
    if (!buf) /* out of memory: the truncated text */
        buf = small, len = (int)sizeof small - 1;
    if (cli_progress_pause())
        fflush(f);
    fputs(prefix, f);
    write_safe(f, buf, len < 0 ? 0 : (size_t)len);
    fputs(suffix, f);
    cli_progress_resume(f);
    if (buf != small)
        free(buf);
}

void cli_printf_safe(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_safe(f, "", _(fmt), ap, "");
    va_end(ap);
}

void cli_log_counts(FILE *f, const bl_log_stats *l)
{
    unsigned long n[7] = {(unsigned long)l->lines,        (unsigned long)l->events,
                          (unsigned long)l->unattributed, (unsigned long)l->robot,
                          (unsigned long)l->status,       (unsigned long)l->not_resource,
                          (unsigned long)l->static_};
    cli_printf_safe(f, bl_trn("%s line read", "%s lines read", n[0]), BL_NUM(l->lines));
    cli_printf_safe(f, bl_trn(", %s usage event counted", ", %s usage events counted", n[1]),
                    BL_NUM(l->events));
    cli_printf_safe(f, bl_trn(" (%s unattributed)", " (%s unattributed)", n[2]),
                    BL_NUM(l->unattributed));
    cli_printf_safe(f, "%s", _("; ignored: "));
    cli_printf_safe(f, bl_trn("%s robot", "%s robots", n[3]), BL_NUM(l->robot));
    cli_printf_safe(f, bl_trn(", %s status", ", %s status", n[4]), BL_NUM(l->status));
    cli_printf_safe(f, bl_trn(", %s not a resource", ", %s not a resource", n[5]),
                    BL_NUM(l->not_resource));
    cli_printf_safe(f, bl_trn(", %s static", ", %s static", n[6]), BL_NUM(l->static_));
}

/* accepted and unattributed count values (a COUNTER row holds one a
 * month), rejected counts rows: the words say which (until 3 December
 * 2026, « 17 acceptées, 3 rejetées » read as 17 rows against 3). */
void cli_row_counts(FILE *f, long long accepted, long long rejected, long long unattributed)
{
    cli_printf_safe(f, bl_trn("%s value accepted", "%s values accepted", (unsigned long)accepted),
                    BL_NUM(accepted));
    cli_printf_safe(f, bl_trn(", %s row rejected", ", %s rows rejected", (unsigned long)rejected),
                    BL_NUM(rejected));
    cli_printf_safe(f,
                    bl_trn(", %s unattributed", ", %s unattributed", (unsigned long)unattributed),
                    BL_NUM(unattributed));
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_safe(stderr, "bilan: ", _(fmt), ap, "\n");
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_safe(stderr, _("bilan: warning: "), _(fmt), ap, "\n");
    va_end(ap);
}

int cli_usage(const char *cmd, const char *usage, const char *fmt, ...)
{
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        fputs("bilan: ", stderr);
        vfprintf(stderr, _(fmt), ap);
        fputc('\n', stderr);
        va_end(ap);
    }
    fprintf(stderr, _("usage: %s\nTry 'bilan %s --help'.\n"), _(usage), cmd);
    return BL_EX_USAGE;
}

const char *cli_format_text(const char *format)
{
    return strcmp(format, "profile") == 0 ? _("profile") : format;
}

const char *cli_period_text(char *out, size_t n, const char *first, const char *last)
{
    if (first && *first && last && *last)
        snprintf(out, n, "%s..%s", first, last);
    else
        snprintf(out, n, "%s", _("no period"));
    return out;
}

int cli_bad_option(const char *cmd, const char *usage, char **argv, int c)
{
    /* opterr is 0 (main): getopt said nothing; argv[optind - 1] is the
     * element it stopped at ("--bogus", "--format" without its value). */
    const char *what = optind > 0 ? argv[optind - 1] : "?";
    char shortopt[3] = {'-', (char)optopt, 0};
    if (what && strncmp(what, "--", 2) != 0 && optopt)
        what = shortopt; /* "-x" inside a cluster of short options */
    if (c == ':')
        return cli_usage(cmd, usage, "option '%s' needs a value", what);
    return cli_usage(cmd, usage, "unknown option '%s'", what);
}

int cli_exit(bl_status st)
{
    return bl_status_exit(st);
}

int cli_open_store(const bl_cli *cli, bl_store **st)
{
    char *err = NULL;
    bl_status rc = bl_store_open(cli->db_path, st, &err);
    if (rc != BL_OK) {
        cli_error("%s", err ? err : bl_status_str(rc));
        free(err);
        return cli_exit(rc);
    }
    return 0;
}

int cli_open_store_readonly(const bl_cli *cli, bl_store **st)
{
    char *err = NULL;
    bl_status rc = bl_store_open_readonly(cli->db_path, st, &err);
    if (rc != BL_OK) {
        cli_error("%s", err ? err : bl_status_str(rc));
        free(err);
        return cli_exit(rc);
    }
    return 0;
}

/* The installed data folder, relative to the binary: BINDIR/../share/bilan
 * (relocatable: a DESTDIR install or a copied tree works), when it holds
 * the robots list; NULL otherwise (a binary in a build tree). */
static const char *installed_data_dir(void)
{
    static char dir[4096];
    static int done;
    if (done)
        return dir[0] ? dir : NULL;
    done = 1;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    char probe[4096 + 64];
    snprintf(dir, sizeof dir, "%s/../share/bilan", exe);
    snprintf(probe, sizeof probe, "%s/counter-robots/COUNTER_Robots_list.txt", dir);
    if (strlen(exe) + 16 >= sizeof dir || access(probe, R_OK) != 0)
        dir[0] = '\0';
    return dir[0] ? dir : NULL;
}

bool cli_french_env(void)
{
    const char *b = getenv("BILAN_LANG");
    if (b && *b)
        return strncmp(b, "fr", 2) == 0;
    const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "fr", 2) == 0;
    }
    return false;
}

const char *cli_locale_dir(void)
{
    static char dir[4096 + 16];
    const char *d = getenv("BILAN_LOCALE_DIR");
    if (d && *d)
        return d;
    const char *inst = installed_data_dir();
    if (!inst)
        return BILAN_BUILD_LOCALE_DIR;
    snprintf(dir, sizeof dir, "%s/../locale", inst);
    return dir;
}

const char *cli_data_dir(void)
{
    const char *d = getenv("BILAN_DATA_DIR");
    if (d && *d)
        return d;
    const char *inst = installed_data_dir();
    return inst ? inst : BILAN_DEFAULT_DATA_DIR;
}

bool cli_today(const bl_cli *cli, int64_t *now, bool *pinned)
{
    const char *sde = cli->source_date_epoch;
    *pinned = sde && *sde;
    if (!*pinned) {
        *now = (int64_t)time(NULL);
        return true;
    }
    if (!bl_epoch_parse(sde, now)) {
        cli_error("SOURCE_DATE_EPOCH: '%s' is not a number of seconds", sde);
        return false;
    }
    return true;
}

bool cli_this_month(const bl_cli *cli, int *mi)
{
    int64_t now;
    bool pinned;
    int y, m, d;
    if (!cli_today(cli, &now, &pinned))
        return false;
    bl_civil_from_days(now / 86400, &y, &m, &d);
    *mi = bl_month_index(y, m);
    return true;
}

bool cli_month(const char *s, int *mi)
{
    return bl_month_parse(s, mi);
}

int cli_choice(const char *value, const char *const *choices)
{
    for (int i = 0; choices[i]; i++)
        if (strcasecmp(value, choices[i]) == 0)
            return i;
    return -1;
}

const char *const CLI_TEXT_CSV[] = {"text", "csv", NULL};
