/* The floor for reading a gzip'd log: zlib's gzread with a 128 KiB buffer,
 * counting lines and nothing else. bench/run_logs.sh compares bilan to it. */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: zlib_floor FILE.gz\n");
        return 64;
    }
    gzFile gz = gzopen(argv[1], "rb");
    if (!gz) {
        perror(argv[1]);
        return 66;
    }
    gzbuffer(gz, 128 * 1024);
    static char buf[128 * 1024];
    unsigned long long lines = 0;
    int n;
    while ((n = gzread(gz, buf, sizeof buf)) > 0) {
        const char *p = buf, *end = buf + n;
        while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            lines++;
            p++;
        }
    }
    gzclose(gz);
    printf("%llu\n", lines);
    return n < 0 ? 74 : 0;
}
