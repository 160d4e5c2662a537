/* A SUSHI response kept as it came, gzip-compressed (docs/sushi.md,
 * "provenance"): written to a temporary name and renamed, so that a file
 * of that name is always whole. */
#include "bilan/ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

bl_status bl_raw_write_gz(const char *path, const void *data, size_t n, char **errmsg)
{
    char *tmp = bl_strdup_printf("%s.part", path);
    if (!tmp)
        return BL_NOMEM;
    gzFile gz = gzopen(tmp, "wb6");
    bl_status rc = BL_OK;
    if (!gz) {
        *errmsg = bl_strdup_printf("cannot create '%s': %s", tmp, strerror(errno));
        free(tmp);
        return BL_CANTCREAT;
    }
    const char *p = data;
    while (n > 0) {
        unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        if (gzwrite(gz, p, chunk) != (int)chunk) {
            rc = BL_IO;
            break;
        }
        p += chunk;
        n -= chunk;
    }
    if (gzclose(gz) != Z_OK)
        rc = BL_IO;
    if (rc == BL_OK && rename(tmp, path) != 0)
        rc = BL_IO;
    if (rc != BL_OK) {
        *errmsg = bl_strdup_printf("cannot write '%s': %s", path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return rc;
}
