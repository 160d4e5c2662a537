/* The progress line of long commands (ingest, harvest, report, mail) on a
 * terminal: one line on stderr, redrawn in place with '\r' at most four
 * times a second and erased at the end ("\r\033[K"); nothing at all when
 * stderr is not a terminal (cron, CI, a pipe), so that no output a script
 * reads ever changes. The pipeline tells it how far it is through
 * callbacks (bl_read_progress_fn for the bytes and lines of a file being
 * read, from the reader's thread); the commands tell it when an item (a
 * file, a report, a partner, a request) begins and ends. One line per
 * process: the state is this file's, behind a mutex, since a log is read
 * in a thread of its own and reports are rendered by several. */
#include "cli.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_NS 250000000LL /* at most four times a second */

static struct {
    pthread_mutex_t mu;
    bool on;    /* a line may be drawn (stderr is a terminal) */
    bool shown; /* a line is on the terminal now */
    const char *what, *unit;
    long items, done;          /* items to do (0: unknown), done */
    int64_t bytes, bytes_done; /* total size (0: unknown); of the items done */
    int64_t item_size, item_bytes;
    unsigned long lines, item_lines; /* of the items done; of the current one */
    char name[128];                  /* the current item */
    int64_t t0, last;                /* start, last draw (ns) */
    int64_t interval;                /* between two draws (ns) */
} P = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void put(const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0)
            return; /* a progress line is not worth an error */
        s += w, n -= (size_t)w;
    }
}

static void erase_locked(void)
{
    if (P.shown)
        put("\r\033[K", 4);
    P.shown = false;
}

/* "1:05" or "2:03:10". */
static void duration(char *out, size_t n, int64_t s)
{
    if (s >= 3600)
        snprintf(out, n, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
                 (long long)(s % 60));
    else
        snprintf(out, n, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

/* Megabytes with one decimal, the decimal comma in French. */
static void megabytes(char *out, size_t n, int64_t b)
{
    long long tenths = (long long)((b + 52428) / 104858); /* 0.1 MiB */
    snprintf(out, n, "%lld%s%lld", tenths / 10, bl_i18n_french() ? "," : ".", tenths % 10);
}

static void append(char *line, size_t n, const char *s)
{
    size_t l = strlen(line);
    snprintf(line + l, n - l, "%s", s);
}

static int columns(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

static void draw_locked(int64_t t)
{
    char line[1024], part[256], a[BL_NUM_SIZE], b[BL_NUM_SIZE];
    double secs = (double)(t - P.t0) / 1e9;
    int64_t bytes = P.bytes_done + P.item_bytes;
    unsigned long lines = P.lines + P.item_lines;
    snprintf(line, sizeof line, _("%s: "), P.what);
    if (P.items > 0)
        snprintf(part, sizeof part, "%s/%s %s", bl_num(a, P.done), bl_num(b, P.items), P.unit);
    else
        snprintf(part, sizeof part, "%s %s", bl_num(a, P.done), P.unit);
    append(line, sizeof line, part);
    if (P.bytes > 0) {
        char m1[32], m2[32];
        megabytes(m1, sizeof m1, bytes);
        megabytes(m2, sizeof m2, P.bytes);
        snprintf(part, sizeof part, _(", %s of %s MB"), m1, m2);
        append(line, sizeof line, part);
    }
    /* Time left: from the bytes when the total is known, else from the
     * items; only once there is something to go by. */
    double frac = -1;
    if (P.bytes > 0 && bytes > 0)
        frac = (double)bytes / (double)P.bytes;
    else if (P.items > 0 && P.done > 0)
        frac = (double)P.done / (double)P.items;
    if (frac > 0 && frac < 1 && secs >= 1) {
        char d[32];
        duration(d, sizeof d, (int64_t)(secs * (1 - frac) / frac + 0.5));
        snprintf(part, sizeof part, _(", %s left"), d);
        append(line, sizeof line, part);
    }
    if (lines > 0) {
        snprintf(part, sizeof part, bl_trn(", %s line", ", %s lines", (unsigned long)lines),
                 bl_num(a, (long long)lines));
        append(line, sizeof line, part);
        if (secs >= 1) {
            snprintf(part, sizeof part, _(", %s lines/s"),
                     bl_num(a, (long long)((double)lines / secs)));
            append(line, sizeof line, part);
        }
    }
    if (P.name[0]) {
        snprintf(part, sizeof part, " - %s", P.name);
        append(line, sizeof line, part);
    }
    /* One terminal line: a wrapped line could not be erased with '\r'.
     * Characters, not bytes, are counted (UTF-8 continuation bytes are
     * not); control characters of a file name (C0, DEL, C1) are dropped. */
    char out[1100] = "\r";
    size_t o = 1;
    int cols = columns() - 1, width = 0;
    for (const char *p = line; *p && o + 8 < sizeof out; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            continue;
        if (c == 0xC2 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9F) {
            p++; /* a C1 control, as cli_write_safe sees them */
            continue;
        }
        if ((c & 0xC0) != 0x80 && ++width > cols)
            break;
        out[o++] = (char)c;
    }
    memcpy(out + o, "\033[K", 3);
    put(out, o + 3);
    P.shown = true;
    P.last = t;
}

/* Draws when due: the first time a quarter of a second after the start (a
 * quick command shows nothing), then at most every quarter of a second,
 * erased or not: output between items (ingest's line per file, harvest's
 * per month) leaves the line off until the next update, but an update after
 * a long wait (a harvest's pause between requests) draws it at once. */
static void update_locked(void)
{
    if (!P.on)
        return;
    int64_t t = now_ns();
    if (t - P.last >= P.interval)
        draw_locked(t);
}

void cli_progress_start(const bl_cli *cli, const char *what, const char *unit, long items,
                        int64_t bytes)
{
    const char *term = getenv("TERM");
    pthread_mutex_lock(&P.mu);
    erase_locked();
    P.on = cli->tty && !(term && strcmp(term, "dumb") == 0);
    P.what = what, P.unit = unit;
    P.items = items, P.done = 0;
    P.bytes = bytes, P.bytes_done = 0;
    P.item_size = P.item_bytes = 0;
    P.lines = P.item_lines = 0;
    P.name[0] = '\0';
    P.t0 = P.last = now_ns();
    /* BILAN_PROGRESS_MS: the time between two draws (tests set 0: every
     * update draws, whatever the machine's speed). */
    const char *ms = getenv("BILAN_PROGRESS_MS");
    P.interval = REDRAW_NS;
    if (ms && *ms) {
        char *end;
        long v = strtol(ms, &end, 10);
        if (!*end && v >= 0 && v <= 60000)
            P.interval = (int64_t)v * 1000000;
    }
    pthread_mutex_unlock(&P.mu);
}

void cli_progress_item(const char *name, int64_t size)
{
    pthread_mutex_lock(&P.mu);
    const char *slash = name ? strrchr(name, '/') : NULL;
    snprintf(P.name, sizeof P.name, "%s", slash ? slash + 1 : name ? name : "");
    P.item_size = size > 0 ? size : 0;
    P.item_bytes = 0;
    P.item_lines = 0;
    update_locked();
    pthread_mutex_unlock(&P.mu);
}

void cli_progress_item_done(void)
{
    pthread_mutex_lock(&P.mu);
    P.done++;
    P.bytes_done += P.item_size;
    P.lines += P.item_lines;
    P.item_size = P.item_bytes = 0;
    P.item_lines = 0;
    update_locked();
    pthread_mutex_unlock(&P.mu);
}

void cli_progress_next_file(void *ctx, const char *path)
{
    (void)ctx;
    struct stat sb;
    int64_t size = path && stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
    const char *slash = path ? strrchr(path, '/') : NULL;
    pthread_mutex_lock(&P.mu);
    /* the file read before it is folded into what is done */
    P.bytes_done += P.item_bytes;
    P.lines += P.item_lines;
    snprintf(P.name, sizeof P.name, "%s", slash ? slash + 1 : path ? path : "");
    P.item_size = size;
    P.item_bytes = 0;
    P.item_lines = 0;
    update_locked();
    pthread_mutex_unlock(&P.mu);
}

void cli_progress_file_done(void)
{
    pthread_mutex_lock(&P.mu);
    P.done++;
    update_locked();
    pthread_mutex_unlock(&P.mu);
}

void cli_progress_read(void *ctx, int64_t bytes, unsigned long lines)
{
    (void)ctx;
    pthread_mutex_lock(&P.mu);

    /* A gzip file's compressed bytes never pass its size; clamp anyway. */
    P.item_bytes = P.item_size && bytes > P.item_size ? P.item_size : bytes;
    P.item_lines = lines;
    update_locked();
    pthread_mutex_unlock(&P.mu);
}

bool cli_progress_pause(void)
{
    pthread_mutex_lock(&P.mu);
    erase_locked();
    return P.on;
}

void cli_progress_resume(FILE *f)
{
    if (P.on && f)
        fflush(f);
    pthread_mutex_unlock(&P.mu);
}

void cli_progress_erase(void)
{
    pthread_mutex_lock(&P.mu);
    erase_locked();
    pthread_mutex_unlock(&P.mu);
}

void cli_progress_end(void)
{
    pthread_mutex_lock(&P.mu);
    erase_locked();
    P.on = false;
    pthread_mutex_unlock(&P.mu);
}
