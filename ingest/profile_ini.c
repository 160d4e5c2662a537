/* Vendor profiles (bilan/profile.h, docs/profiles.md): a strict INI reader
 * of our own, with the line of every error, and the profile's checks.
 *
 * Why not inih (libinih-dev): Debian builds it without
 * INI_HANDLER_LINENO, so its handler cannot say on which line a bad key
 * is, and it silently accepts what we must refuse (a key before any
 * section, a line that is not `key = value`). The grammar we need is
 * thirty lines: `[section]`, `key = value`, comments starting with ';' or
 * '#', and an inline comment after a ';' or '#' that follows white space
 * (so that `match = Bibliothèque; Mois` keeps its ';'). */
#include "bilan/i18n.h"
#include "bilan/profile.h"
#include "counter_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A profile is a few lines: anything bigger is not one. */
#define PROFILE_MAX_BYTES (64u * 1024u)
#define PROFILE_MAX_FILES 256

typedef struct pctx {
    bl_profile *p;
    const char *file;
    char *err;
    size_t errlen;
} pctx;

/* A profile error "FILE:LINE: reason"; fmt is translated here. */
static bl_status ini_fail(pctx *c, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bl_status ini_fail(pctx *c, unsigned long line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, _(fmt), ap);
    va_end(ap);
    if (line)
        snprintf(c->err, c->errlen, "%s:%lu: %s", c->file, line, msg);
    else
        snprintf(c->err, c->errlen, "%s: %s", c->file, msg);
    return BL_DATA;
}

static char *dup_sv(bl_sv v)
{
    return bl_sv_dup(v);
}

/* The keys of [profile], each once. */
enum {
    K_RESOURCE,
    K_MATCH,
    K_SHEET,
    K_LAYOUT,
    K_LIBRARY,
    K_MONTH,
    K_DATE,
    K_METRIC,
    K_ALLOCATE,
    K_N
};
static const char *const keys[K_N] = {"resource", "match", "sheet",  "layout",  "library",
                                      "month",    "date",  "metric", "allocate"};

static bl_status metric_of(pctx *c, unsigned long line, bl_sv v, char **out)
{
    const char *m = bl__ctr_usage_metric(v);
    if (!m) {
        char q[64];
        bl__ctr_quote(v, q);
        return ini_fail(c, line, "'%s' is not a COUNTER R5 metric nor one of bilan's (%s)", q,
                        BL_EXTRA_METRICS_TEXT);
    }
    return (*out = strdup(m)) ? BL_OK : BL_NOMEM;
}

static bl_status profile_key(pctx *c, unsigned long line, int k, bl_sv v, unsigned long *lines)
{
    bl_profile *p = c->p;
    if (lines[k])
        return ini_fail(c, line, "'%s' given twice (first on line %lu)", keys[k], lines[k]);
    lines[k] = line;
    char *s = NULL;
    switch (k) {
    case K_MATCH:
        while (v.len) {
            const char *semi = memchr(v.ptr, ';', v.len);
            bl_sv cell = {v.ptr, semi ? (size_t)(semi - v.ptr) : v.len};
            v = semi ? (bl_sv){semi + 1, v.len - cell.len - 1} : (bl_sv){v.ptr + v.len, 0};
            cell = bl_sv_trim(cell);
            char norm[8];
            bl__ctr_fold_norm(cell, norm, sizeof norm);
            if (!norm[0])
                return ini_fail(c, line, "match: an empty cell (cells are separated by ';')");
            if (p->nmatch == BL_PROF_MAX_MATCH)
                return ini_fail(c, line, "match: more than %d cells", BL_PROF_MAX_MATCH);
            if (!(p->match[p->nmatch++] = dup_sv(cell)))
                return BL_NOMEM;
        }
        return BL_OK;
    case K_LAYOUT:
        if (bl_sv_eq_cstr(v, "long"))
            p->layout = BL_PROF_LONG;
        else if (bl_sv_eq_cstr(v, "wide"))
            p->layout = BL_PROF_WIDE;
        else
            return ini_fail(c, line, "layout: '%.*s' is neither 'long' nor 'wide'", (int)v.len,
                            v.ptr);
        return BL_OK;
    case K_ALLOCATE:
        for (int r = 0; r < 3; r++)
            if (bl_sv_eq_cstr(v, bl_alloc_rule_name((bl_alloc_rule)r))) {
                p->allocate = (bl_alloc_rule)r;
                return BL_OK;
            }
        return ini_fail(c, line, "allocate: '%.*s' is not one of none, population, logs",
                        (int)v.len, v.ptr);
    case K_METRIC:
        p->metric_line = line;
        return metric_of(c, line, v, &p->metric);
    default:
        break;
    }
    if (k == K_LIBRARY || k == K_MONTH || k == K_DATE) {
        char norm[8];
        bl__ctr_fold_norm(v, norm, sizeof norm);
        if (!norm[0])
            return ini_fail(c, line, "%s: '%.*s' is not a column name (no letter nor digit)",
                            keys[k], (int)v.len, v.ptr);
    }
    if (!(s = dup_sv(v)))
        return BL_NOMEM;
    char **slot[K_N] = {[K_RESOURCE] = &p->resource,
                        [K_SHEET] = &p->sheet,
                        [K_LIBRARY] = &p->library,
                        [K_MONTH] = &p->month,
                        [K_DATE] = &p->date};
    *slot[k] = s;
    if (k == K_RESOURCE)
        p->resource_line = line;
    else if (k == K_LIBRARY)
        p->library_line = line;
    else if (k == K_MONTH)
        p->month_line = line;
    else if (k == K_DATE)
        p->date_line = line;
    return BL_OK;
}

static bl_status metrics_line(pctx *c, unsigned long line, bl_sv key, bl_sv v)
{
    bl_profile *p = c->p;
    char nk[256], no[256];
    bl__ctr_fold_norm(key, nk, sizeof nk);
    if (!nk[0])
        return ini_fail(c, line, "'%.*s' is not a column name (no letter nor digit)", (int)key.len,
                        key.ptr);
    for (size_t i = 0; i < p->nmetrics; i++) {
        bl__ctr_fold_norm(bl_sv_from(p->metrics[i].column), no, sizeof no);
        if (strcmp(nk, no) == 0)
            return ini_fail(c, line, "column '%.*s' given twice (first on line %lu)", (int)key.len,
                            key.ptr, p->metrics[i].line);
    }
    if (p->nmetrics == BL_PROF_MAX_METRICS)
        return ini_fail(c, line, "more than %d value columns", BL_PROF_MAX_METRICS);
    bl_prof_metric *m = &p->metrics[p->nmetrics];
    m->line = line;
    if (!(m->column = dup_sv(key)))
        return BL_NOMEM;
    p->nmetrics++;
    return metric_of(c, line, v, &m->metric);
}

/* Strips an inline comment (';' or '#' after white space) and trims. */
static bl_sv strip_comment(bl_sv v)
{
    for (size_t i = 1; i < v.len; i++)
        if ((v.ptr[i] == ';' || v.ptr[i] == '#') && (v.ptr[i - 1] == ' ' || v.ptr[i - 1] == '\t')) {
            v.len = i;
            break;
        }
    return bl_sv_trim(v);
}

/* The checks of the whole profile, once every line is read. */
static bl_status check_whole(pctx *c, unsigned long section_line)
{
    bl_profile *p = c->p;
    unsigned long at = p->header_line ? p->header_line : section_line;
    if (!p->header_line)
        return ini_fail(c, 0, "no [profile] section");
    if (!p->resource)
        return ini_fail(c, at, "[profile] has no 'resource' (the resource id the rows count for)");
    if (!p->nmatch)
        return ini_fail(c, at, "[profile] has no 'match' (cells of the export's header row)");
    if (p->library && p->allocate != BL_ALLOC_NONE)
        return ini_fail(c, at,
                        "allocate is for network-level totals: this profile has a library column");
    if (p->layout == BL_PROF_LONG) {
        if (!p->month && !p->date)
            return ini_fail(c, at, "layout long needs 'month' (the month column) or 'date'");
        if (p->month && p->date)
            return ini_fail(c, p->date_line, "'month' and 'date' both given: say one");
        if (p->metric)
            return ini_fail(c, p->metric_line,
                            "'metric' is for the wide layout: a long layout names its value "
                            "columns in [metrics]");
        if (!p->nmetrics)
            return ini_fail(c, at, "layout long needs a [metrics] section (value column = metric)");
    } else {
        if (!p->metric)
            return ini_fail(c, at, "layout wide needs 'metric' (the metric of every value)");
        if (p->month || p->date)
            return ini_fail(c, p->month ? p->month_line : p->date_line,
                            "the wide layout reads its months from the header row: no 'month' "
                            "nor 'date'");
        if (p->nmetrics)
            return ini_fail(c, p->metrics[0].line,
                            "[metrics] is for the long layout: a wide layout has one 'metric'");
    }
    return BL_OK;
}

bl_status bl_profile_parse(const char *id, const char *file, const char *text, size_t len,
                           bl_profile *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    pctx c = {out, file, err, errlen};
    bl_status rc = BL_OK;
    if (!bl_id_valid(id)) {
        rc = ini_fail(&c, 0,
                      "'%s' is not a valid profile id (the file name without .ini: lower-case "
                      "letters, digits, '.', '_', '-')",
                      id);
        goto out;
    }
    if (len > PROFILE_MAX_BYTES) {
        rc = ini_fail(&c, 0, "larger than %u bytes: not a profile", PROFILE_MAX_BYTES);
        goto out;
    }
    if (!(out->id = strdup(id)) || !(out->file = strdup(file)) || !(out->text = malloc(len + 1))) {
        rc = BL_NOMEM;
        goto out;
    }
    memcpy(out->text, text, len);
    out->text[len] = '\0';
    size_t pos = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    unsigned long line = 0, lines[K_N] = {0};
    enum { S_NONE, S_PROFILE, S_METRICS } section = S_NONE;
    unsigned long metrics_section = 0;
    while (pos < len && rc == BL_OK) {
        line++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        bl_sv l = {text + pos, n};
        pos += n + (nl ? 1 : 0);
        if (l.len && l.ptr[l.len - 1] == '\r')
            l.len--;
        if (memchr(l.ptr, '\0', l.len) || !bl_utf8_valid(l.ptr, l.len)) {
            rc = ini_fail(&c, line, "not UTF-8 text (save the profile as UTF-8)");
            break;
        }
        for (size_t i = 0; i < l.len; i++)
            if ((unsigned char)l.ptr[i] < 0x20 && l.ptr[i] != '\t') {
                rc = ini_fail(&c, line, "a control character");
                break;
            }
        if (rc != BL_OK)
            break;
        l = bl_sv_trim(l);
        if (l.len == 0 || l.ptr[0] == ';' || l.ptr[0] == '#')
            continue;
        if (l.ptr[0] == '[') {
            bl_sv rest = strip_comment(l);
            if (rest.ptr[rest.len - 1] != ']') {
                rc = ini_fail(&c, line, "a section heading must end with ']'");
                break;
            }
            bl_sv name = bl_sv_trim((bl_sv){rest.ptr + 1, rest.len - 2});
            if (bl_sv_eq_cstr(name, "profile") && !out->header_line) {
                section = S_PROFILE;
                out->header_line = line;
            } else if (bl_sv_eq_cstr(name, "metrics") && !metrics_section) {
                section = S_METRICS;
                metrics_section = line;
            } else if (bl_sv_eq_cstr(name, "profile") || bl_sv_eq_cstr(name, "metrics")) {
                rc = ini_fail(&c, line, "section [%.*s] given twice", (int)name.len, name.ptr);
            } else {
                rc = ini_fail(&c, line, "unknown section [%.*s] (known: [profile], [metrics])",
                              (int)name.len, name.ptr);
            }
            continue;
        }
        const char *eq = memchr(l.ptr, '=', l.len);
        if (!eq) {
            rc = ini_fail(&c, line, "expected 'key = value'");
            break;
        }
        bl_sv key = bl_sv_trim((bl_sv){l.ptr, (size_t)(eq - l.ptr)});
        bl_sv val = strip_comment((bl_sv){eq + 1, l.len - (size_t)(eq - l.ptr) - 1});
        if (key.len == 0) {
            rc = ini_fail(&c, line, "a key is missing before '='");
            break;
        }
        if (val.len == 0) {
            rc = ini_fail(&c, line, "'%.*s' has no value", (int)key.len, key.ptr);
            break;
        }
        if (section == S_NONE) {
            rc = ini_fail(&c, line, "'%.*s' before any section (start with [profile])",
                          (int)key.len, key.ptr);
        } else if (section == S_METRICS) {
            rc = metrics_line(&c, line, key, val);
        } else {
            int k = 0;
            while (k < K_N && !bl_sv_eq_cstr(key, keys[k]))
                k++;
            if (k == K_N)
                rc = ini_fail(&c, line,
                              "unknown key '%.*s' (known: resource, match, sheet, layout, library, "
                              "month, date, metric, allocate)",
                              (int)key.len, key.ptr);
            else
                rc = profile_key(&c, line, k, val, lines);
        }
    }
    if (rc == BL_OK)
        rc = check_whole(&c, 1);
out:
    if (rc != BL_OK) {
        if (rc == BL_NOMEM)
            snprintf(err, errlen, _("%s: out of memory"), file);
        bl_profile_release(out);
    }
    return rc;
}

void bl_profile_release(bl_profile *p)
{
    if (!p)
        return;
    free(p->id);
    free(p->file);
    free(p->text);
    free(p->resource);
    for (size_t i = 0; i < p->nmatch; i++)
        free(p->match[i]);
    free(p->sheet);
    free(p->library);
    free(p->month);
    free(p->date);
    free(p->metric);
    for (size_t i = 0; i < p->nmetrics; i++) {
        free(p->metrics[i].column);
        free(p->metrics[i].metric);
    }
    memset(p, 0, sizeof *p);
}

void bl_profiles_free(bl_profile *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        bl_profile_release(&p[i]);
    free(p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole small file; BL_NOINPUT when it cannot be opened. */
static bl_status slurp(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, _("%s: cannot open: %s"), path, strerror(errno));
        return BL_NOINPUT;
    }
    char *buf = malloc(PROFILE_MAX_BYTES + 2);
    if (!buf) {
        fclose(f);
        return BL_NOMEM;
    }
    size_t n = fread(buf, 1, PROFILE_MAX_BYTES + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, _("%s: cannot read"), path);
        return BL_IO;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return BL_OK;
}

bl_status bl_profiles_read(const char *dir, const char *const *resource_ids, size_t nresources,
                           bl_profile **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    char *pdir = bl_strdup_printf("%s/profiles", dir);
    if (!pdir)
        return BL_NOMEM;
    DIR *d = opendir(pdir);
    if (!d) {
        bool none = errno == ENOENT;
        if (!none)
            snprintf(err, errlen, _("%s: cannot open: %s"), pdir, strerror(errno));
        free(pdir);
        return none ? BL_OK : BL_NOINPUT;
    }
    char *names[PROFILE_MAX_FILES];
    size_t nn = 0;
    bl_status rc = BL_OK;
    struct dirent *e;
    while (rc == BL_OK && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 5 || strcmp(e->d_name + l - 4, ".ini") != 0)
            continue;
        if (nn == PROFILE_MAX_FILES) {
            snprintf(err, errlen, _("%s: more than %d profiles"), pdir, PROFILE_MAX_FILES);
            rc = BL_DATA;
        } else if (!(names[nn++] = strdup(e->d_name))) {
            nn--;
            rc = BL_NOMEM;
        }
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof names[0], cmp_str);
    bl_profile *ps = rc == BL_OK && nn ? calloc(nn, sizeof *ps) : NULL;
    if (rc == BL_OK && nn && !ps)
        rc = BL_NOMEM;
    size_t got = 0;
    for (size_t i = 0; i < nn && rc == BL_OK; i++) {
        char *file = bl_strdup_printf("%s/%s", pdir, names[i]);
        char *text = NULL;
        size_t len = 0;
        if (!file) {
            rc = BL_NOMEM;
            break;
        }
        names[i][strlen(names[i]) - 4] = '\0';
        if ((rc = slurp(file, &text, &len, err, errlen)) == BL_OK &&
            (rc = bl_profile_parse(names[i], file, text, len, &ps[got], err, errlen)) == BL_OK) {
            got++;
            const bl_profile *p = &ps[got - 1];
            size_t k = 0;
            while (k < nresources && strcmp(resource_ids[k], p->resource) != 0)
                k++;
            if (k == nresources) {
                char q[64];
                bl__ctr_quote(bl_sv_from(p->resource), q);
                snprintf(err, errlen, _("%s:%lu: unknown resource '%s' (not in resources.csv)"),
                         file, p->resource_line, q);
                rc = BL_DATA;
            }
        }
        free(text);
        free(file);
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(pdir);
    if (rc != BL_OK) {
        if (rc == BL_NOMEM)
            snprintf(err, errlen, "%s", _("out of memory reading the profiles"));
        bl_profiles_free(ps, got);
        return rc;
    }
    *out = ps;
    *n = got;
    return BL_OK;
}
