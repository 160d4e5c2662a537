/* Fuzz target: the access-log reader with its built-in formats (combined,
 * common, EZproxy), taking the library from a query parameter on every
 * other input so that the URL decoding runs too. Each read is made twice,
 * its lines parsed by the reading thread and then by the consumer
 * (ingest/log_read.c, "Who parses"): both must give the same records and
 * diagnostics, or the target aborts. */
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

static void dg_diag(void *ctx, const bl_diag *g)
{
    digest *d = ctx;
    fz_sink.diag(fz_sink.ctx, g);
    mix(d, &g->level, sizeof g->level);
    mix(d, &g->line, sizeof g->line);
    if (g->field)
        mix(d, g->field, strlen(g->field));
    mix(d, g->reason, strlen(g->reason));
}

static digest read_as(const char *path, bl_format fmt, const char *param, int share)
{
    digest d = {0xcbf29ce484222325ull, 0};
    bl_source *src = NULL;
    char *err = NULL;
    if (bl_source_open(path, &src, &err) != BL_OK) {
        free(err);
        return d;
    }
    bl_sink sink = {&d, dg_begin, NULL, dg_hit, dg_diag, NULL, NULL};
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
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        digest a = read_as(path, fmts[i], param, BL_LOG_SHARE_NEVER);
        digest b = read_as(path, fmts[i], param, BL_LOG_SHARE_ALWAYS);
        if (a.h != b.h || a.n != b.n) {
            fprintf(stderr,
                    "format %d: parsed by the reading thread or the consumer, not the same\n",
                    (int)fmts[i]);
            abort();
        }
    }
    close(fd);
    return 0;
}
