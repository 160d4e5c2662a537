/* The ISA-L floor for reading a gzip'd log: igzip's isal_inflate with
 * 128 KiB buffers, every member, counting lines and nothing else, as
 * zlib_floor does with gzread. bench/run compares bilan to both. */
#include <isa-l/igzip_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: isal_floor FILE.gz\n");
        return 64;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 66;
    }
    static unsigned char in[128 * 1024], out[128 * 1024];
    struct inflate_state *st = malloc(sizeof *st);
    if (!st)
        return 71;
    isal_inflate_init(st);
    st->crc_flag = ISAL_GZIP;
    unsigned long long lines = 0;
    size_t n;
    int rc = 0;
    st->avail_in = 0;
    for (;;) {
        if (st->avail_in == 0) {
            if ((n = fread(in, 1, sizeof in, f)) == 0)
                break;
            st->next_in = in;
            st->avail_in = (uint32_t)n;
        }
        if (st->block_state == ISAL_BLOCK_FINISH) { /* a further member */
            uint8_t *next = st->next_in;
            uint32_t left = st->avail_in;
            isal_inflate_reset(st);
            st->crc_flag = ISAL_GZIP;
            st->next_in = next, st->avail_in = left;
        }
        st->next_out = out;
        st->avail_out = sizeof out;
        if (isal_inflate(st) < 0) {
            rc = 65;
            break;
        }
        const char *p = (const char *)out, *end = (const char *)out + (sizeof out - st->avail_out);
        while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            lines++;
            p++;
        }
    }
    fclose(f);
    free(st);
    printf("%llu\n", lines);
    return rc;
}
