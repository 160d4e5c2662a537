/* Test support: temporary directories, command runner, file helpers. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char *tu_mkdtemp(const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    size_t n = strlen(base) + strlen(tag) + 32;
    char *p = malloc(n);
    snprintf(p, n, "%s/bilan-%s-XXXXXX", base, tag);
    if (!mkdtemp(p)) {
        free(p);
        return NULL;
    }
    return p;
}

void tu_rmtree(const char *dir)
{
    if (!dir || !*dir || strcmp(dir, "/") == 0)
        return;
    tu_run r = tu_sh("rm -rf '%s'", dir);
    tu_run_free(&r);
}

static char *slurp_fd(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            b = realloc(b, cap);
        }
        ssize_t g = read(fd, b + n, cap - n - 1);
        if (g < 0 && errno == EINTR)
            continue;
        if (g <= 0)
            break;
        n += (size_t)g;
    }
    b[n] = '\0';
    *len = n;
    return b;
}

tu_run tu_runv(const char *const *argv, const char *const *env_extra)
{
    tu_run r = {0};
    char outp[] = "/tmp/bilan-tu-out-XXXXXX", errp[] = "/tmp/bilan-tu-err-XXXXXX";
    int fo = mkstemp(outp), fe = mkstemp(errp);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        for (const char *const *e = env_extra; e && *e; e++)
            putenv((char *)*e);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    lseek(fo, 0, SEEK_SET);
    lseek(fe, 0, SEEK_SET);
    r.out = slurp_fd(fo, &r.out_len);
    r.err = slurp_fd(fe, &r.err_len);
    close(fo);
    close(fe);
    unlink(outp);
    unlink(errp);
    return r;
}

tu_run tu_sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = NULL;
    if (vasprintf(&cmd, fmt, ap) < 0)
        cmd = NULL;
    va_end(ap);
    const char *argv[] = {"/bin/sh", "-c", cmd ? cmd : "false", NULL};
    tu_run r = tu_runv(argv, NULL);
    free(cmd);
    return r;
}

void tu_run_free(tu_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

char *tu_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    size_t n;
    char *b = slurp_fd(fd, &n);
    close(fd);
    if (len)
        *len = n;
    return b;
}

bool tu_write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

const char *tu_bilan(void)
{
    const char *b = getenv("BILAN_BIN");
    return b && *b ? b : BILAN_BIN;
}

const char *tu_srcdir(void)
{
    return BILAN_SRCDIR;
}

char *tu_pdftotext(const char *pdf)
{
    const char *argv[] = {"pdftotext", "-layout", "-enc", "UTF-8", pdf, "-", NULL};
    tu_run r = tu_runv(argv, NULL);
    if (r.status != 0) {
        tu_run_free(&r);
        return NULL;
    }
    free(r.err);
    return r.out;
}

int tu_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t l = strlen(needle);
    for (const char *p = hay; l && (p = strstr(p, needle)); p += l)
        n++;
    return n;
}
