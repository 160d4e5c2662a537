/* Fuzz target: the access-log reader with its built-in formats (combined,
 * common, EZproxy), taking the library from a query parameter on every
 * other input so that the URL decoding runs too. Each read is made twice,
 * its lines parsed by the reading thread and then by the consumer
 * (ingest/log_read.c, "Who parses"): both must give the same records and
 * diagnostics, or the target aborts. The input is also cut in three files
 * read as one stream (bl_source_open_list, `ingest --one-source`): the same
 * records and diagnostics as the three put end to end (a line feed after a
 * file that lacks one), and every line located in a file that has it. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bilan/common.h" /* bl_fhash */
#include "bilan/ingest.h"
#include "log_internal.h" /* bl__log_share */

/* A digest of every record and diagnostic, after fz_sink's checks. */
typedef struct digest {
    uint64_t h, n;
} digest;

static void mix(digest *d, const void *p, size_t n)
{
    d->h = bl_fhash(p, n, d->h);
    d->n++;
}

static void mix_sv(digest *d, bl_sv v)
{
    mix(d, &v.len, sizeof v.len);
    unsigned char has = v.ptr != NULL;
    mix(d, &has, 1);
    if (v.ptr)
        mix(d, v.ptr, v.len);
}

static bl_status dg_begin(void *ctx, const bl_file_info *info)
{
    (void)ctx;
    return fz_sink.begin(fz_sink.ctx, info);
}

static bl_status dg_hit(void *ctx, const bl_hit_rec *r)
{
    digest *d = ctx;
    fz_sink.hit(fz_sink.ctx, r);
    mix(d, &r->line, sizeof r->line);
    mix(d, &r->time, sizeof r->time);
    mix(d, &r->month, sizeof r->month);
    mix(d, &r->status, sizeof r->status);
    mix(d, &r->agent_hash, sizeof r->agent_hash);
    mix(d, &r->client_hash, sizeof r->client_hash);
    bl_sv v[] = {r->client, r->user,   r->session, r->library_key,
                 r->host,   r->method, r->target,  r->user_agent};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        mix_sv(d, v[i]);
    return BL_OK;
}

/* false while a list and its concatenation are compared: a refusal of
 * the whole stream names, in a list, the file and its own line. */
static bool file_reasons = true;

static void dg_diag(void *ctx, const bl_diag *g)
{
    digest *d = ctx;
    fz_sink.diag(fz_sink.ctx, g);
    mix(d, &g->level, sizeof g->level);
    mix(d, &g->line, sizeof g->line);
    if (g->field)
        mix(d, g->field, strlen(g->field));
    if (g->level != BL_DIAG_FILE || file_reasons)
        mix(d, g->reason, strlen(g->reason));
}

/* The three files of a list, and the lines each holds. */
enum { NPARTS = 3 };
static unsigned long part_lines[NPARTS], list_starts[NPARTS];
static bool list_on;

static void dg_diag_list(void *ctx, const bl_diag *g)
{
    if (list_on && g->line) {
        unsigned long fl = 0;
        size_t k = bl_source_locate(list_starts, NPARTS, g->line, &fl);
        if (k >= NPARTS || fl < 1 || fl > part_lines[k]) {
            fprintf(stderr, "line %lu located in file %zu line %lu\n", g->line, k, fl);
            abort();
        }
    }
    dg_diag(ctx, g);
}

/* path: the file read, or the name its messages give a list. */
static digest read_as(const char *path, const char *const *list, bl_format fmt, const char *param,
                      int share)
{
    digest d = {0xcbf29ce484222325ull, 0};
    bl_source *src = NULL;
    char *err = NULL;
    bl_status os = list ? bl_source_open_list(list, NPARTS, list_starts, &src, &err)
                        : bl_source_open(path, &src, &err);
    if (os != BL_OK) {
        free(err);
        return d;
    }
    list_on = list != NULL;
    bl_sink sink = {&d, dg_begin, NULL, dg_hit, dg_diag_list, NULL, NULL};
    bl_ingest_opts o = {.format = fmt, .library_param = param};
    bl__log_share(share);
    bl_status st = bl_log_read(src, path, &o, &sink, &err);
    bl__log_share(BL_LOG_SHARE_AUTO);
    mix(&d, &st, sizeof st);
    free(err);
    bl_source_close(src);
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[32];
    int fd = fz_memfd(data, size, path);
    const char *param = size % 2 ? "bib" : NULL;
    const bl_format fmts[] = {BL_FMT_COMBINED, BL_FMT_COMMON, BL_FMT_EZPROXY};
    /* The three files: cut where the input's last bytes say; and what they
     * are end to end (a line feed after a file lacking one). */
    size_t cut1 = size ? (size_t)data[size - 1] * size / 256 : 0;
    size_t cut2 = cut1 + (size > 1 ? (size_t)data[size - 2] * (size - cut1) / 256 : 0);
    const size_t at[NPARTS + 1] = {0, cut1, cut2, size};
    char ppath[NPARTS][32];
    const char *parts[NPARTS];
    int pfd[NPARTS];
    uint8_t *joined = malloc(size + NPARTS + 1);
    size_t jn = 0;
    bool gzip = false;
    if (!joined)
        abort();
    for (int k = 0; k < NPARTS; k++) {
        size_t n = at[k + 1] - at[k];
        pfd[k] = fz_memfd(data + at[k], n, ppath[k]);
        parts[k] = ppath[k];
        gzip |= n >= 2 && data[at[k]] == 0x1f && data[at[k] + 1] == 0x8b;
        memcpy(joined + jn, data + at[k], n);
        jn += n;
        if (jn && joined[jn - 1] != '\n' && k + 1 < NPARTS)
            joined[jn++] = '\n';
        part_lines[k] = 0;
        for (size_t i = 0; i < n; i++)
            part_lines[k] += data[at[k] + i] == '\n';
        part_lines[k] += n && data[at[k] + n - 1] != '\n';
    }
    char jpath[32];
    int jfd = fz_memfd(joined, jn, jpath);
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        digest a = read_as(path, NULL, fmts[i], param, BL_LOG_SHARE_NEVER);
        digest b = read_as(path, NULL, fmts[i], param, BL_LOG_SHARE_ALWAYS);
        if (a.h != b.h || a.n != b.n) {
            fprintf(stderr,
                    "format %d: parsed by the reading thread or the consumer, not the same\n",
                    (int)fmts[i]);
            abort();
        }
        /* gzip'd parts are cut gzip streams: read for safety only. */
        file_reasons = false;
        digest l =
            read_as(jpath, parts, fmts[i], param, BL_LOG_SHARE_NEVER); /* (its messages' name) */
        digest j = read_as(jpath, NULL, fmts[i], param, BL_LOG_SHARE_NEVER);
        file_reasons = true;
        if (!gzip && (l.h != j.h || l.n != j.n)) {
            fprintf(stderr, "format %d: three files read as one, not their concatenation\n",
                    (int)fmts[i]);
            abort();
        }
    }
    for (int k = 0; k < NPARTS; k++)
        close(pfd[k]);
    close(jfd);
    free(joined);
    close(fd);
    return 0;
}
