/* Byte sources: a plain file or a gzip stream (one or several members),
 * through zlib's gzread, which passes plain files through untouched. The
 * magic number, not the file name, says which. Errors are sticky. */
#include "bilan/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

struct bl_source {
    gzFile gz;
    bool gzip;
    bl_status err;
    char msg[256];
};

bl_status bl_source_open(const char *path, bl_source **out, char **errmsg)
{
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        *errmsg = bl_strdup_printf("cannot open '%s': %s", path, strerror(errno));
        return BL_NOINPUT;
    }
    unsigned char magic[2] = {0, 0};
    ssize_t n = pread(fd, magic, 2, 0);
    bl_source *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return BL_NOMEM;
    }
    s->gzip = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    s->gz = gzdopen(fd, "rb");
    if (!s->gz) {
        close(fd);
        free(s);
        *errmsg = bl_strdup_printf("cannot open '%s': out of memory", path);
        return BL_NOMEM;
    }
    gzbuffer(s->gz, 128 * 1024);
    *out = s;
    return BL_OK;
}

bl_status bl_source_read(bl_source *s, void *buf, size_t n, size_t *got)
{
    *got = 0;
    if (s->err != BL_OK)
        return s->err;
    if (n > (1u << 30))
        n = 1u << 30;
    int r = gzread(s->gz, buf, (unsigned)n);
    if (r < 0) {
        int zerr = 0;
        const char *m = gzerror(s->gz, &zerr);
        if (zerr == Z_ERRNO) {
            snprintf(s->msg, sizeof s->msg, "read error: %s", strerror(errno));
            s->err = BL_IO;
        } else {
            snprintf(s->msg, sizeof s->msg, "corrupt gzip stream: %s", m ? m : "unknown");
            s->err = BL_DATA;
        }
        return s->err;
    }
    if (r == 0) {
        /* gzread returns 0 at the end of a truncated stream with the error set. */
        int zerr = 0;
        const char *m = gzerror(s->gz, &zerr);
        if (zerr != Z_OK && zerr != Z_STREAM_END) {
            snprintf(s->msg, sizeof s->msg, "truncated or corrupt gzip stream: %s",
                     m ? m : "unexpected end of file");
            s->err = BL_DATA;
            return s->err;
        }
    }
    *got = (size_t)r;
    return BL_OK;
}

const char *bl_source_errmsg(const bl_source *s)
{
    return s->msg;
}

bool bl_source_is_gzip(const bl_source *s)
{
    return s->gzip;
}

void bl_source_close(bl_source *s)
{
    if (!s)
        return;
    gzclose_r(s->gz);
    free(s);
}

bl_status bl_source_peek(const char *path, char *buf, size_t n, size_t *got, char **errmsg)
{
    bl_source *s = NULL;
    bl_status st = bl_source_open(path, &s, errmsg);
    if (st != BL_OK)
        return st;
    size_t total = 0;
    while (total < n) {
        size_t g = 0;
        st = bl_source_read(s, buf + total, n - total, &g);
        if (st != BL_OK) {
            /* A truncated gzip still gives its first bytes; report the error
             * only when nothing at all could be read. */
            if (total == 0)
                *errmsg = bl_strdup_printf("%s: %s", path, bl_source_errmsg(s));
            else
                st = BL_OK;
            break;
        }
        if (g == 0)
            break;
        total += g;
    }
    *got = total;
    bl_source_close(s);
    return st;
}
