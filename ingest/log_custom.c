/* Custom access-log formats: an Apache LogFormat string compiled once to a
 * PCRE2 pattern with named groups, JIT-compiled, matched against each line.
 *
 * Specifiers and the fields they fill:
 *   %h %a -> client       %u -> user          %l -> (ignored)
 *   %t    -> time (CLF)   %r -> request       %m %U %q -> method, path, query
 *   %>s %s -> status      %b %B %D %T %O %I -> (numbers, ignored)
 *   %v %V -> host         %{User-agent}i -> user agent
 *   %{session}n -> session id     %{library}n -> library key
 *   %{NAME}i %{NAME}C %{NAME}e %{NAME}n (any other) -> matched, ignored
 *   %% -> a literal percent sign
 * A field inside double quotes in the format may hold spaces (and \"
 * escapes); outside quotes it is one space-free token. */
#include "log_internal.h"

#include "bilan/i18n.h"

#include "bilan/pcre.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    G_CLIENT,
    G_USER,
    G_TIME,
    G_REQUEST,
    G_METHOD,
    G_PATH,
    G_QUERY,
    G_STATUS,
    G_AGENT,
    G_VHOST,
    G_SESSION,
    G_LIBRARY,
    G__COUNT
};
static const char *const GROUP[G__COUNT] = {"client", "user",  "time",    "request",
                                            "method", "path",  "query",   "status",
                                            "agent",  "vhost", "session", "library"};

struct bl_logfmt {
    pcre2_code *re;
    pcre2_match_data *md;
    bl_pcre_limits limits;
    int group[G__COUNT];              /* capture number of each field, 0 when absent */
    char path_query[BL_LOG_MAX_LINE]; /* %U%q joined into one target */
};

static bl_status add_group(bl_buf *re, bool *seen, int g, const char *body, char **errmsg,
                           const char *spec)
{
    if (seen[g]) {
        *errmsg = bl_strdup_printf(_("custom format: '%s' appears twice"), spec);
        return BL_USAGE;
    }
    seen[g] = true;
    return bl_buf_printf(re, "(?<%s>%s)", GROUP[g], body);
}

/* Long on purpose (~165 lines): one pass over the format string, one case
 * per Apache directive (%h, %t, %{...}i, %r...), each turned into its named
 * group of the regular expression; the table of directives reads best as
 * one switch. */
bl_logfmt *bl__logfmt_compile(const char *fmt, char **errmsg)
{
    bl_buf re = BL_BUF_INIT(64 * 1024);
    bool seen[G__COUNT] = {0};
    bl_logfmt *lf = NULL;
    bl_status rc = bl_buf_puts(&re, "^");
    const char *p = fmt;
    while (rc == BL_OK && *p) {
        if (*p != '%') {
            /* A literal: escape every non-alphanumeric character. */
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
                rc = bl_buf_putc(&re, '\\');
            if (rc == BL_OK)
                rc = bl_buf_putc(&re, *p);
            p++;
            continue;
        }
        const char *spec = p;
        bool in_quotes = spec > fmt && spec[-1] == '"';
        const char *field = in_quotes ? "(?:[^\"\\\\]|\\\\.)*" : "\\S*";
        const char *tok = in_quotes ? "(?:[^\"\\\\]|\\\\.)*" : "\\S+";
        p++;
        char name[64] = "";
        if (*p == '>' || *p == '<')
            p++;
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close || close - p - 1 >= (long)sizeof name) {
                *errmsg =
                    bl_strdup_printf(_("custom format: unterminated %%{...} at '%.20s'"), spec);
                goto fail;
            }
            memcpy(name, p + 1, (size_t)(close - p - 1));
            name[close - p - 1] = '\0';
            p = close + 1;
        }
        char c = *p ? *p++ : '\0';
        char specbuf[80];
        snprintf(specbuf, sizeof specbuf, "%.*s", (int)(p - spec), spec);
        switch (c) {
        case '%':
            rc = bl_buf_puts(&re, "%");
            break;
        case 'h':
        case 'a':
            rc = add_group(&re, seen, G_CLIENT, "\\S+", errmsg, specbuf);
            break;
        case 'l':
            rc = bl_buf_puts(&re, "\\S+");
            break;
        case 'u':
            rc = add_group(&re, seen, G_USER, tok, errmsg, specbuf);
            break;
        case 't':
            if (name[0]) {
                *errmsg = bl_strdup_printf(_("custom format: only the default %%t timestamp is "
                                             "supported, not '%s'"),
                                           specbuf);
                goto fail;
            }
            rc = bl_buf_puts(&re, "\\[");
            if (rc == BL_OK)
                rc = add_group(&re, seen, G_TIME, "[^\\]]+", errmsg, specbuf);
            if (rc == BL_OK)
                rc = bl_buf_puts(&re, "\\]");
            break;
        case 'r':
            rc = add_group(&re, seen, G_REQUEST, in_quotes ? field : "\\S+ \\S+(?: \\S+)?", errmsg,
                           specbuf);
            break;
        case 'm':
            rc = add_group(&re, seen, G_METHOD, "[A-Za-z]+", errmsg, specbuf);
            break;
        case 'U':
            rc = add_group(&re, seen, G_PATH, "[^\\s?\"]*", errmsg, specbuf);
            break;
        case 'q':
            rc = add_group(&re, seen, G_QUERY, "(?:\\?[^\\s\"]*)?", errmsg, specbuf);
            break;
        case 'H':
            rc = bl_buf_puts(&re, "\\S*");
            break;
        case 's':
            rc = add_group(&re, seen, G_STATUS, "\\d{3}", errmsg, specbuf);
            break;
        case 'b':
        case 'B':
        case 'D':
        case 'T':
        case 'O':
        case 'I':
        case 'S':
            rc = bl_buf_puts(&re, "(?:\\d+|-)");
            break;
        case 'v':
        case 'V':
            rc = add_group(&re, seen, G_VHOST, "\\S+", errmsg, specbuf);
            break;
        case 'i':
            if (strcasecmp(name, "User-agent") == 0)
                rc = add_group(&re, seen, G_AGENT, field, errmsg, specbuf);
            else
                rc = bl_buf_puts(&re, field);
            break;
        case 'n':
            if (strcmp(name, "session") == 0)
                rc = add_group(&re, seen, G_SESSION, field, errmsg, specbuf);
            else if (strcmp(name, "library") == 0)
                rc = add_group(&re, seen, G_LIBRARY, field, errmsg, specbuf);
            else
                rc = bl_buf_puts(&re, field);
            break;
        case 'C':
        case 'e':
        case 'p':
        case 'P':
        case 'k':
        case 'L':
        case 'f':
        case 'R':
            rc = bl_buf_puts(&re, field);
            break;
        default:
            *errmsg = bl_strdup_printf(_("custom format: unsupported specifier '%s'"), specbuf);
            goto fail;
        }
    }
    if (rc == BL_OK)
        rc = bl_buf_puts(&re, "\\r?$");
    if (rc != BL_OK) {
        if (!*errmsg)
            *errmsg = bl_strdup_printf("%s", _("custom format: too long"));
        goto fail;
    }
    if (!seen[G_TIME] || (!seen[G_REQUEST] && !seen[G_PATH]) ||
        (!seen[G_CLIENT] && !seen[G_USER] && !seen[G_SESSION])) {
        /* xgettext:no-c-format */
        *errmsg = bl_strdup_printf("%s", _("custom format: needs %t, %r (or %U), and one of %h, "
                                           "%u or %{session}n"));
        goto fail;
    }
    lf = calloc(1, sizeof *lf);
    if (!lf)
        goto fail;
    int err;
    PCRE2_SIZE off;
    lf->re = pcre2_compile((PCRE2_SPTR)re.data, re.len, 0, &err, &off, NULL);
    if (!lf->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        *errmsg = bl_strdup_printf(_("custom format: cannot compile: %s"), (char *)msg);
        goto fail;
    }
    pcre2_jit_compile(lf->re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    lf->md = pcre2_match_data_create_from_pattern(lf->re, NULL);
    if (!lf->md || !bl_pcre_limits_init(&lf->limits))
        goto fail;
    for (int g = 0; g < G__COUNT; g++)
        if (seen[g])
            lf->group[g] = pcre2_substring_number_from_name(lf->re, (PCRE2_SPTR)GROUP[g]);
    bl_buf_release(&re);
    return lf;
fail:
    if (!*errmsg)
        *errmsg = bl_strdup_printf("%s", _("custom format: out of memory"));
    bl_buf_release(&re);
    bl__logfmt_free(lf);
    return NULL;
}

static bl_sv group_sv(const bl_logfmt *lf, const char *subject, int g)
{
    int n = lf->group[g];
    if (n <= 0)
        return (bl_sv){"", 0};
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(lf->md);
    if (ov[2 * n] == PCRE2_UNSET)
        return (bl_sv){"", 0};
    return (bl_sv){subject + ov[2 * n], ov[2 * n + 1] - ov[2 * n]};
}

const char *bl__logfmt_match(bl_logfmt *lf, const char *p, size_t n, bl_log_fields *f)
{
    memset(f, 0, sizeof *f);
    int r = bl_pcre_match(&lf->limits, lf->re, p, n, lf->md);
    if (r < PCRE2_ERROR_NOMATCH)
        return N_("the custom format exceeded bilan's matching limits on this line");
    if (r < 0)
        return N_("line does not match the custom format");
    f->client = group_sv(lf, p, G_CLIENT);
    f->user = group_sv(lf, p, G_USER);
    f->time = group_sv(lf, p, G_TIME);
    f->request = group_sv(lf, p, G_REQUEST);
    f->status = group_sv(lf, p, G_STATUS);
    f->agent = lf->group[G_AGENT] ? group_sv(lf, p, G_AGENT) : (bl_sv){NULL, 0};
    f->vhost = group_sv(lf, p, G_VHOST);
    f->session = group_sv(lf, p, G_SESSION);
    f->library = group_sv(lf, p, G_LIBRARY);
    if (lf->group[G_PATH]) {
        bl_sv path = group_sv(lf, p, G_PATH), query = group_sv(lf, p, G_QUERY);
        if (path.len + query.len > sizeof lf->path_query)
            return N_("line too long");
        memcpy(lf->path_query, path.ptr, path.len);
        memcpy(lf->path_query + path.len, query.ptr, query.len);
        f->target = (bl_sv){lf->path_query, path.len + query.len};
        f->method = group_sv(lf, p, G_METHOD);
        if (!f->method.len)
            f->method = (bl_sv){"GET", 3};
    }
    return NULL;
}

void bl__logfmt_free(bl_logfmt *lf)
{
    if (!lf)
        return;
    pcre2_match_data_free(lf->md);
    pcre2_code_free(lf->re);
    bl_pcre_limits_free(&lf->limits);
    free(lf);
}
