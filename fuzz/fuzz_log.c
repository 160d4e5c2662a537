/* Fuzz target: the access-log reader with its built-in formats (combined,
 * common, EZproxy), taking the library from a query parameter on every
 * other input so that the URL decoding runs too. */
#include "fuzz_common.h"

#include <stdlib.h>
#include <unistd.h>

#include "bilan/ingest.h"

static void read_as(const char *path, bl_format fmt, const char *param)
{
    bl_source *src = NULL;
    char *err = NULL;
    if (bl_source_open(path, &src, &err) != BL_OK) {
        free(err);
        return;
    }
    bl_ingest_opts o = {.format = fmt, .library_param = param};
    bl_log_read(src, path, &o, &fz_sink, &err);
    free(err);
    bl_source_close(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[32];
    int fd = fz_memfd(data, size, path);
    const char *param = size % 2 ? "bib" : NULL;
    read_as(path, BL_FMT_COMBINED, param);
    read_as(path, BL_FMT_COMMON, param);
    read_as(path, BL_FMT_EZPROXY, param);
    close(fd);
    return 0;
}
