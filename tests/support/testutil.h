/* Test support shared by every test executable: temporary directories, a
 * command runner that captures stdout, stderr and the exit status (for CLI
 * tests against the real bilan binary), file helpers. */
#ifndef BILAN_TESTUTIL_H
#define BILAN_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tu_run {
    int status; /* exit status, or 128 + signal */
    char *out;  /* captured stdout, NUL-terminated */
    size_t out_len;
    char *err; /* captured stderr */
    size_t err_len;
} tu_run;

/* A fresh directory under $TMPDIR (or /tmp); the caller frees the string. */
char *tu_mkdtemp(const char *tag);
/* Removes a directory tree (rm -rf). */
void tu_rmtree(const char *dir);
/* Runs argv (argv[0] is searched in PATH unless it has a '/'), with stdin
 * from /dev/null, capturing stdout and stderr. env_extra: NULL-terminated
 * "NAME=value" strings added to the environment, or NULL. */
tu_run tu_runv(const char *const *argv, const char *const *env_extra);
/* Runs a shell command line through /bin/sh -c. */
tu_run tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tu_run_free(tu_run *r);
/* Reads a whole file (NUL-terminated); NULL when it cannot. */
char *tu_read_file(const char *path, size_t *len);
bool tu_write_file(const char *path, const char *data, size_t len);
/* The path of the bilan binary under test, of the source tree, of fixtures/. */
const char *tu_bilan(void);
const char *tu_srcdir(void);
/* pdftotext -layout of a PDF (NULL on failure); caller frees. */
char *tu_pdftotext(const char *pdf);
/* Number of occurrences of needle in hay. */
int tu_count(const char *hay, const char *needle);

#endif
