/* The floor for COUNTER JSON ingest: a bare YAJL parse of the same file
 * (128 KiB reads, callbacks that only count values).
 *   yajl_floor FILE */
#include <stdio.h>
#include <yajl/yajl_parse.h>

static unsigned long values, keys;

static int on_value(void *ctx)
{
    (void)ctx;
    values++;
    return 1;
}

static int on_number(void *ctx, const char *p, size_t n)
{
    (void)p, (void)n;
    return on_value(ctx);
}

static int on_string(void *ctx, const unsigned char *p, size_t n)
{
    (void)p, (void)n;
    return on_value(ctx);
}

static int on_bool(void *ctx, int b)
{
    (void)b;
    return on_value(ctx);
}

static int on_key(void *ctx, const unsigned char *p, size_t n)
{
    (void)ctx, (void)p, (void)n;
    keys++;
    return 1;
}

static const yajl_callbacks cb = {on_value, on_bool, NULL,     NULL,     on_number, on_string,
                                  on_value, on_key,  on_value, on_value, on_value};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: yajl_floor FILE\n");
        return 64;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 66;
    }
    yajl_handle h = yajl_alloc(&cb, NULL, NULL);
    static unsigned char buf[128 * 1024];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (yajl_parse(h, buf, n) != yajl_status_ok) {
            fprintf(stderr, "JSON error\n");
            return 65;
        }
    if (yajl_complete_parse(h) != yajl_status_ok) {
        fprintf(stderr, "JSON error at the end\n");
        return 65;
    }
    yajl_free(h);
    fclose(f);
    printf("%lu values, %lu keys\n", values, keys);
    return 0;
}
