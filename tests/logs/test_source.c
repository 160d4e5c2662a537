/* The byte source's content identity (ingest/source.c): the same lines with
 * LF, CRLF or lone CR line ends, with or without a final line end, plain or
 * gzip'd, read in buffers of any size (a CR at a buffer's end), hash alike;
 * other lines do not. Damaged gzip ends are errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"
#include "testutil.h"

static char *dir;

static void setup(void)
{
    dir = tu_mkdtemp("source");
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
}

/* Writes text to a file, reads it back in chunks of `step` bytes, and
 * returns its identity (static buffer) and line count. */
static const char *identity(const char *text, size_t len, size_t step, unsigned long *lines)
{
    static char hex[33];
    char path[1024];
    snprintf(path, sizeof path, "%s/f", dir);
    cr_assert(tu_write_file(path, text, len));
    bl_source *s = NULL;
    char *err = NULL;
    cr_assert_eq(bl_source_open(path, &s, &err), BL_OK);
    char buf[64];
    size_t got;
    do
        cr_assert_eq(bl_source_read(s, buf, step, &got), BL_OK);
    while (got);
    bl_file_end e;
    cr_assert(bl__source_end(s, &e));
    bl_source_close(s);
    if (lines)
        *lines = e.lines;
    memcpy(hex, e.content_hash, sizeof hex);
    return hex;
}

Test(source, line_ends_normalised, .init = setup, .fini = teardown)
{
    static const char *const same[] = {"a\nbc\n\nd\n", "a\r\nbc\r\n\r\nd\r\n", "a\rbc\r\rd\r",
                                       "a\nbc\n\nd",   "a\r\nbc\r\rd",         "a\rbc\n\r\nd\r"};
    char want[33];
    unsigned long lines = 0;
    snprintf(want, sizeof want, "%s", identity(same[0], strlen(same[0]), 64, &lines));
    cr_assert_eq(strlen(want), 32);
    cr_assert_eq(lines, 4);
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        for (size_t step = 1; step <= 5; step++) {
            cr_assert_str_eq(identity(same[i], strlen(same[i]), step, &lines), want,
                             "variant %zu, step %zu", i, step);
            cr_assert_eq(lines, 4, "variant %zu, step %zu", i, step);
        }
    static const char *const other[] = {"a\nbc\nd\n", "a\nbc\n\nd\n\n", "a\nb c\n\nd\n", ""};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        cr_assert_str_neq(identity(other[i], strlen(other[i]), 3, NULL), want, "other %zu", i);
}

Test(source, gzip_same_identity_and_damage_refused, .init = setup, .fini = teardown)
{
    const char *text = "x 1\r\ny 2\r\n";
    char want[33];
    snprintf(want, sizeof want, "%s", identity("x 1\ny 2", 7, 64, NULL));
    char path[1024];
    snprintf(path, sizeof path, "%s/g", dir);
    cr_assert(tu_write_file(path, text, strlen(text)));
    tu_run r = tu_sh("cd '%s' && gzip -c g > g.gz && (gzip -c g; gzip -c g) > two.gz &&"
                     " (cat g.gz; echo junk) > junk.gz && head -c 20 g.gz > cut.gz &&"
                     " (cat g.gz; printf '\\037') > half.gz",
                     dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    static const struct {
        const char *name;
        bl_status st;
    } cases[] = {{"g.gz", BL_OK},
                 {"two.gz", BL_OK},
                 {"junk.gz", BL_DATA},
                 {"cut.gz", BL_DATA},
                 {"half.gz", BL_DATA}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].name);
        bl_source *s = NULL;
        char *err = NULL;
        cr_assert_eq(bl_source_open(path, &s, &err), BL_OK);
        cr_assert(bl_source_is_gzip(s));
        char buf[7];
        size_t got;
        bl_status st;
        do
            st = bl_source_read(s, buf, sizeof buf, &got);
        while (st == BL_OK && got);
        cr_assert_eq(st, cases[i].st, "%s: %s", cases[i].name, bl_source_errmsg(s));
        bl_file_end e;
        if (st == BL_OK) {
            cr_assert(bl__source_end(s, &e));
            if (i == 0)
                cr_assert_str_eq(e.content_hash, want);
        } else {
            cr_assert(!bl__source_end(s, &e));
        }
        bl_source_close(s);
    }
}

/* Reads a whole source through one inflater into a malloc'd buffer; returns
 * the status and the message of a refusal. */
static bl_status read_all(const char *path, bl_inflater inf, char **out, size_t *len, char *why,
                          size_t whylen)
{
    bl_source *s = NULL;
    char *err = NULL;
    cr_assert_eq(bl__source_open_with(path, inf, &s, &err), BL_OK, "%s", err ? err : "");
    size_t cap = 1 << 16, n = 0, got = 0;
    char *buf = malloc(cap);
    bl_status st;
    for (;;) {
        if (n + 4096 > cap)
            cr_assert_not_null(buf = realloc(buf, cap *= 2));
        /* odd read sizes: a member's end falls anywhere in a buffer */
        st = bl_source_read(s, buf + n, 1 + (n % 4093), &got);
        if (st != BL_OK || !got)
            break;
        n += got;
    }
    snprintf(why, whylen, "%s", st == BL_OK ? "" : bl_source_errmsg(s));
    bl_source_close(s);
    *out = buf, *len = n;
    return st;
}

/* ISA-L (when built in) and zlib, the reference, read every gzip form alike:
 * the same bytes from one member, many members (some tiny, an empty one),
 * and the same refusal of damage: truncation in the data or the trailer, a
 * bad CRC, a bad length, junk or half a header after the last member. */
Test(source, isal_and_zlib_read_alike, .init = setup, .fini = teardown, .timeout = 60)
{
    if (!bl__source_have_isal())
        cr_log_warn("built without ISA-L: zlib is compared with itself");
    tu_run r = tu_sh(
        "cd '%s' && seq 1 200000 | sed 's/$/ GET \\/a?b=c HTTP\\/1.1/' > t && gzip -c t > one.gz &&"
        " (gzip -c t; printf '' | gzip -c; head -c 10 t | gzip -c; gzip -1 -c t) > many.gz &&"
        " (for i in $(seq 1 300); do echo \"line $i\" | gzip -c; done) > tiny.gz &&"
        " head -c 100000 one.gz > cutdata.gz && head -c $(($(stat -c %%s one.gz) - 3)) one.gz >"
        " cuttrailer.gz && (cat one.gz; echo junk) > junk.gz && (cat one.gz; printf '\\037') >"
        " half.gz && python3 -c \"import sys; b=bytearray(open('one.gz','rb').read());"
        " b[-6]^=0xff; open('crc.gz','wb').write(b); b=bytearray(open('one.gz','rb').read());"
        " b[-2]^=0x01; open('len.gz','wb').write(b)\"",
        dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    static const struct {
        const char *name;
        bl_status st;
    } cases[] = {{"one.gz", BL_OK},       {"many.gz", BL_OK},         {"tiny.gz", BL_OK},
                 {"cutdata.gz", BL_DATA}, {"cuttrailer.gz", BL_DATA}, {"junk.gz", BL_DATA},
                 {"half.gz", BL_DATA},    {"crc.gz", BL_DATA},        {"len.gz", BL_DATA}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024], why_z[256], why_f[256];
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].name);
        char *bz, *bf;
        size_t nz, nf;
        bl_status sz = read_all(path, BL_INFLATE_ZLIB, &bz, &nz, why_z, sizeof why_z);
        bl_status sf = read_all(path, BL_INFLATE_FASTEST, &bf, &nf, why_f, sizeof why_f);
        cr_assert_eq(sz, cases[i].st, "zlib, %s: %s", cases[i].name, why_z);
        cr_assert_eq(sf, cases[i].st, "fastest, %s: %s", cases[i].name, why_f);
        if (sz == BL_OK) {
            cr_assert_eq(nz, nf, "%s: %zu bytes against %zu", cases[i].name, nz, nf);
            cr_assert(memcmp(bz, bf, nz) == 0, "%s: the bytes differ", cases[i].name);
        }
        free(bz);
        free(bf);
    }
}
