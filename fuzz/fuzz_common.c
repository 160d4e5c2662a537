/* Shared helpers of the libFuzzer targets: memfd inputs and a checking sink
 * (see fuzz_common.h). */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile unsigned fz_sum;

void fz_touch(const void *p, size_t n)
{
    const unsigned char *b = p;
    unsigned s = 0;
    for (size_t i = 0; i < n; i++)
        s += b[i];
    fz_sum += s;
}

static void sv(bl_sv s)
{
    /* A view with bytes must point somewhere. */
    if (s.len && !s.ptr)
        abort();
    if (s.len)
        fz_touch(s.ptr, s.len);
}

static void cstr(const char *s)
{
    if (s)
        fz_touch(s, strlen(s) + 1);
}

/* Months as the aggregator formats them (YYYY-MM): a reader must never hand
 * it a negative or five-digit year. */
static void month(int mi)
{
    if (mi < 0 || mi >= 10000 * 12)
        abort();
    char out[8];
    bl_month_format(mi, out);
    fz_touch(out, sizeof out);
}

static bl_status fz_begin(void *ctx, const bl_file_info *info)
{
    (void)ctx;
    cstr(info->path);
    cstr(info->format);
    cstr(info->report_id);
    cstr(info->created_by);
    cstr(info->institution_id);
    cstr(info->institution_name);
    /* Created is normalised to YYYY-MM-DDTHH:MM:SSZ or absent. */
    if (info->created && strlen(info->created) != 20)
        abort();
    cstr(info->created);
    if (info->period_begin != -1)
        month(info->period_begin);
    if (info->period_end != -1)
        month(info->period_end);
    return BL_OK;
}

static bl_status fz_count(void *ctx, const bl_count_rec *r)
{
    (void)ctx;
    sv(r->institution_id);
    sv(r->institution_name);
    sv(r->platform);
    sv(r->database);
    sv(r->title);
    sv(r->access_method);
    sv(r->metric);
    month(r->month);
    /* record.h: value >= 0; a negative count is a rejected row. */
    if (r->value < 0)
        abort();
    if (r->line == 0)
        abort();
    return BL_OK;
}

static bl_status fz_hit(void *ctx, const bl_hit_rec *r)
{
    (void)ctx;
    sv(r->client);
    sv(r->user);
    sv(r->session);
    sv(r->library_key);
    sv(r->host);
    sv(r->method);
    sv(r->target);
    sv(r->user_agent);
    month(r->month);
    if (r->line == 0)
        abort();
    return BL_OK;
}

static void fz_diag(void *ctx, const bl_diag *d)
{
    (void)ctx;
    if (!d->reason)
        abort();
    cstr(d->path);
    cstr(d->field);
    cstr(d->reason);
    if (d->row) {
        sv(d->row->institution_id);
        sv(d->row->institution_name);
        sv(d->row->platform);
        sv(d->row->database);
        sv(d->row->metric);
        if (d->row->month_first != -1)
            month(d->row->month_first);
        if (d->row->month_last != -1)
            month(d->row->month_last);
        if (d->row->month_first != -1 && d->row->month_last != -1 &&
            d->row->month_first > d->row->month_last)
            abort();
    }
}

const bl_sink fz_sink = {NULL, fz_begin, fz_count, fz_hit, fz_diag, NULL, NULL};

int fz_memfd(const uint8_t *data, size_t size, char path[32])
{
    int fd = memfd_create("bilan-fuzz", MFD_CLOEXEC);
    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            perror("write memfd");
            abort();
        }
        off += (size_t)w;
    }
    snprintf(path, 32, "/proc/self/fd/%d", fd);
    return fd;
}
