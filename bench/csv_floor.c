/* The floor for COUNTER ingest: a bare libcsv parse of the same file (128 KiB
 * reads, no-op callbacks that only count fields and rows).
 *   csv_floor FILE [DELIMITER]   (DELIMITER: one character, default ',') */
#include <csv.h>
#include <stdio.h>

static unsigned long fields, rows;

static void on_field(void *s, size_t len, void *data)
{
    (void)s, (void)len, (void)data;
    fields++;
}

static void on_row(int c, void *data)
{
    (void)c, (void)data;
    rows++;
}

int main(int argc, char **argv)
{
    if (argc != 2 && !(argc == 3 && argv[2][0] && !argv[2][1])) {
        fprintf(stderr, "usage: csv_floor FILE [DELIMITER]\n");
        return 64;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 66;
    }
    struct csv_parser p;
    csv_init(&p, 0);
    if (argc == 3)
        csv_set_delim(&p, (unsigned char)argv[2][0]);
    static char buf[128 * 1024];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (csv_parse(&p, buf, n, on_field, on_row, NULL) != n) {
            fprintf(stderr, "csv error: %s\n", csv_strerror(csv_error(&p)));
            return 65;
        }
    csv_fini(&p, on_field, on_row, NULL);
    csv_free(&p);
    fclose(f);
    printf("%lu rows, %lu fields\n", rows, fields);
    return 0;
}
