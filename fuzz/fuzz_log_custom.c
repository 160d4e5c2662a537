/* Fuzz target: custom log formats. The input's first line is the format
 * string (Apache LogFormat specifiers, compiled to a PCRE2 pattern), the
 * rest is the log it reads. Both come from users: the format from the
 * command line, the log from a provider. */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bilan/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t flen = nl ? (size_t)(nl - data) : size;
    if (flen == 0 || flen > 4096)
        return 0;
    char *fmt = malloc(flen + 1);
    if (!fmt)
        abort();
    memcpy(fmt, data, flen);
    fmt[flen] = '\0';
    /* A NUL inside the format cannot come from a command line. */
    if (strlen(fmt) != flen) {
        free(fmt);
        return 0;
    }
    size_t off = nl ? flen + 1 : size;
    char path[32];
    int fd = fz_memfd(data + off, size - off, path);
    bl_source *src = NULL;
    char *err = NULL;
    if (bl_source_open(path, &src, &err) == BL_OK) {
        bl_ingest_opts o = {.format = BL_FMT_CUSTOM,
                            .custom_format = fmt,
                            .library_param = size % 2 ? "bib" : NULL};
        bl_log_read(src, path, &o, &fz_sink, &err);
        bl_source_close(src);
    }
    free(err);
    free(fmt);
    close(fd);
    return 0;
}
