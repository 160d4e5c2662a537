/* A SUSHI response kept as it came, gzip-compressed (docs/sushi.md,
 * "provenance"): compressed in memory, then written through bl_outfile (a
 * random O_EXCL|O_NOFOLLOW temporary renamed in place, docs/security.md),
 * so that a file of that name is always whole and a planted link is never
 * followed. */
#include "bilan/i18n.h"
#include "bilan/ingest.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

bl_status bl_raw_write_gz(const char *path, const void *data, size_t n, char **errmsg)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 16: a gzip wrapper, readable by gzip -d and by bl_source. */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return BL_NOMEM;
    uLong bound = deflateBound(&z, (uLong)n);
    unsigned char *out = malloc(bound ? bound : 1);
    if (!out) {
        deflateEnd(&z);
        return BL_NOMEM;
    }
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)bound;
    int r = n > UINT32_MAX ? Z_BUF_ERROR : deflate(&z, Z_FINISH);
    size_t len = bound - z.avail_out;
    deflateEnd(&z);
    if (r != Z_STREAM_END) {
        free(out);
        *errmsg = bl_strdup_printf(_("cannot compress the response for '%s'"), path);
        return BL_IO;
    }
    char err[4600];
    bl_status rc = bl_outfile_put(path, out, len, true, err, sizeof err);
    free(out);
    if (rc != BL_OK)
        *errmsg = bl_strdup_printf("%s", err);
    return rc;
}
