/* String views and bounded growable buffers. */
#include "bilan/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bl_sv bl_sv_from(const char *cstr)
{
    return (bl_sv){cstr, cstr ? strlen(cstr) : 0};
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bl_sv bl_sv_trim(bl_sv s)
{
    while (s.len > 0) {
        unsigned char c = (unsigned char)s.ptr[0];
        if (is_space(c)) {
            s.ptr++, s.len--;
        } else if (s.len >= 2 && c == 0xC2 && (unsigned char)s.ptr[1] == 0xA0) {
            s.ptr += 2, s.len -= 2; /* NBSP, as Excel likes to leave */
        } else {
            break;
        }
    }
    while (s.len > 0) {
        unsigned char c = (unsigned char)s.ptr[s.len - 1];
        if (is_space(c))
            s.len--;
        else if (s.len >= 2 && c == 0xA0 && (unsigned char)s.ptr[s.len - 2] == 0xC2)
            s.len -= 2;
        else
            break;
    }
    return s;
}

bool bl_sv_eq(bl_sv a, bl_sv b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool bl_sv_eq_cstr(bl_sv a, const char *b)
{
    return bl_sv_eq(a, bl_sv_from(b));
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

bool bl_sv_ieq_cstr(bl_sv a, const char *b)
{
    size_t n = strlen(b);
    if (n != a.len)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a.ptr[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
}

bool bl_sv_istarts(bl_sv a, const char *prefix)
{
    size_t n = strlen(prefix);
    if (n > a.len)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a.ptr[i]) != lower((unsigned char)prefix[i]))
            return false;
    return true;
}

char *bl_sv_dup(bl_sv s)
{
    char *p = malloc(s.len + 1);
    if (!p)
        return NULL;
    if (s.len)
        memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return p;
}

static bl_status reserve(bl_buf *b, size_t extra)
{
    /* Room for the terminating NUL is kept within SIZE_MAX: a cap of
     * SIZE_MAX ("no bound") would make cap + 1 wrap to 0. */
    size_t cap = b->cap < SIZE_MAX ? b->cap : SIZE_MAX - 1;
    if (extra > cap || b->len > cap - extra)
        return BL_DATA;
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return BL_OK;
    size_t na = b->alloc ? b->alloc : 64;
    while (na < need)
        na = na > SIZE_MAX / 2 ? need : na * 2;
    if (na > cap + 1)
        na = cap + 1;
    char *p = realloc(b->data, na);
    if (!p)
        return BL_NOMEM;
    b->data = p;
    b->alloc = na;
    return BL_OK;
}

bl_status bl_buf_append(bl_buf *b, const void *p, size_t n)
{
    bl_status st = reserve(b, n);
    if (st != BL_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return BL_OK;
}

bl_status bl_buf_puts(bl_buf *b, const char *s)
{
    return bl_buf_append(b, s, strlen(s));
}

bl_status bl_buf_putc(bl_buf *b, char c)
{
    return bl_buf_append(b, &c, 1);
}

bl_status bl_buf_printf(bl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return BL_INTERNAL;
    bl_status st = reserve(b, (size_t)n);
    if (st != BL_OK)
        return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return BL_OK;
}

const char *bl_buf_cstr(bl_buf *b)
{
    if (!b->data) {
        if (reserve(b, 0) != BL_OK)
            return "";
        b->data[0] = '\0';
    }
    return b->data;
}

void bl_buf_clear(bl_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void bl_buf_release(bl_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

const char *bl_after_path(const char *msg, const char *path)
{
    size_t n = strlen(path);
    if (strncmp(msg, path, n) != 0)
        return msg;
    const char *r = msg + n;
    static const char *const seps[] = {": ", BL_NBSP ": ", " : "};
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++) {
        size_t k = strlen(seps[i]);
        if (strncmp(r, seps[i], k) == 0 && r[k])
            return r + k;
    }
    return msg;
}

char *bl_strdup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
