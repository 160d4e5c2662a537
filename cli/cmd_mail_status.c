/* bilan mail status PERIOD [--kind K] [--partner ID]: for each partner and
 * each of its addresses, whether its report of PERIOD was sent, failed
 * (temporarily: the next 'bilan mail' retries it), was refused for good
 * (a 5xx: not retried), or is still pending, with the time and the server's
 * answer, from the mail_log (docs/mail.md). */
#include "cli.h"

#include "bilan/store_queries.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const USAGE =
    N_("bilan mail status PERIOD [--kind mensuel|semestriel] [--partner ID]");

static void help(void)
{
    printf(_("usage: %s\n\n"
             "Lists, for each partner and each address of partners.csv (column emails),\n"
             "what became of its report for PERIOD: sent (accepted by the server), failed\n"
             "(a temporary failure: 4xx or no connection; the next 'bilan mail' retries it),\n"
             "refused (a permanent refusal, 5xx: not retried unless 'bilan mail\n"
             "--retry-refused'), or pending (never tried), with the time of the last\n"
             "attempt (UTC), the number of attempts and the server's answer. Addresses\n"
             "mailed before and no longer in partners.csv are listed too.\n\n"
             "  --kind K       mensuel (default for YYYY-MM) or semestriel (for YYYY-Sn)\n"
             "  --partner ID   one partner only\n\n"
             "Exit status: 0 every address served, 1 some address failed, refused or\n"
             "pending (for cron), 66 no store, 64 usage.\n"),
           _(USAGE));
}

typedef struct row {
    char *partner, *recipient, *status, *reply, *at;
    int code;
    long long attempts;
    bool listed; /* matched an address of partners.csv */
} row;

typedef struct rows {
    row *v;
    size_t n, cap;
} rows;

static bl_status collect(void *ctx, const bl_mail_log_state *s)
{
    rows *t = ctx;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        row *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return BL_NOMEM;
        t->v = v;
        t->cap = cap;
    }
    row *r = &t->v[t->n];
    *r = (row){strdup(s->partner_id), strdup(s->recipient),
               strdup(s->status),     strdup(s->reply),
               strdup(s->at),         s->code,
               s->attempts,           false};
    if (!r->partner || !r->recipient || !r->status || !r->reply || !r->at)
        return BL_NOMEM;
    t->n++;
    return BL_OK;
}

static void rows_free(rows *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].partner);
        free(t->v[i].recipient);
        free(t->v[i].status);
        free(t->v[i].reply);
        free(t->v[i].at);
    }
    free(t->v);
}

/* The status word shown, translated. */
static const char *word(const char *status)
{
    if (strcmp(status, "sent") == 0)
        return _("sent");
    if (strcmp(status, "refused") == 0)
        return _("refused");
    if (strcmp(status, "failed") == 0)
        return _("failed");
    return _("pending");
}

/* The lines shown, kept until every width is known: the columns are as
 * wide as their longest cell, counted in characters (« envoyé », a long
 * address: printf's widths count bytes and were fixed, so the columns
 * went out of line). */
typedef struct shown {
    char *cell[6]; /* partner, recipient, status, last attempt, attempts, reply */
} shown;

typedef struct table {
    shown *v;
    size_t n, cap;
} table;

static bl_status line(table *t, const char *partner, const char *rcpt, const char *status,
                      const char *at, long long attempts, const char *reply)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        shown *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return BL_NOMEM;
        t->v = v, t->cap = cap;
    }
    char n[32];
    snprintf(n, sizeof n, "%lld", attempts);
    const char *c[6] = {partner, rcpt, word(status), at, n, reply};
    shown *s = &t->v[t->n++];
    for (int i = 0; i < 6; i++)
        if (!(s->cell[i] = strdup(c[i])))
            return BL_NOMEM;
    return BL_OK;
}

/* Characters of UTF-8 text (its bytes that start one). */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void print_table(const table *t)
{
    size_t w[5] = {0};
    for (size_t i = 0; i < t->n; i++)
        for (int k = 0; k < 5; k++)
            if (chars(t->v[i].cell[k]) > w[k])
                w[k] = chars(t->v[i].cell[k]);
    for (size_t i = 0; i < t->n; i++) {
        for (int k = 0; k < 6; k++) {
            const char *c = t->v[i].cell[k];
            size_t pad = k < 5 && w[k] > chars(c) ? w[k] - chars(c) : 0;
            if (k == 4) /* the attempts, right-aligned */
                printf("%*s", (int)pad, "");
            cli_printf_safe(stdout, "%s", c);
            if (k < 4)
                printf("%*s ", (int)pad, "");
            else if (k == 4)
                fputs("  ", stdout);
        }
        putchar('\n');
    }
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++)
        for (int k = 0; k < 6; k++)
            free(t->v[i].cell[k]);
    free(t->v);
}

int cli_mail_status(bl_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {{"kind", required_argument, NULL, 'k'},
                                             {"partner", required_argument, NULL, 'p'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *kind = NULL, *partner = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            kind = optarg;
            break;
        case 'p':
            partner = optarg;
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_bad_option("mail status", USAGE, argv, c);
        }
    }
    if (optind >= argc)
        return cli_usage("mail status", USAGE, "missing PERIOD");
    if (optind + 1 < argc)
        return cli_usage("mail status", USAGE, "unexpected argument '%s'", argv[optind + 1]);
    const char *ps = argv[optind];
    bl_period period;
    if (!bl_period_parse(ps, &period) || period.last - period.first == 11)
        return cli_usage("mail status", USAGE,
                         "'%s' is not a month (YYYY-MM) or a semester (YYYY-S1, YYYY-S2)", ps);
    bool month = period.first == period.last;
    static const char *const KINDS[] = {"mensuel", "semestriel", NULL};
    if (!kind)
        kind = month ? "mensuel" : "semestriel";
    else if (cli_choice(kind, KINDS) >= 0)
        kind = KINDS[cli_choice(kind, KINDS)];
    else
        return cli_usage("mail status", USAGE, "--kind: '%s' is not mensuel or semestriel", kind);

    bl_store *st = NULL;
    int ex = cli_open_store_readonly(cli, &st);
    if (ex)
        return ex;
    bl_partner_info *parts = NULL;
    size_t np = 0;
    rows log = {0};
    table out = {0};
    bl_status rc = bl_store_partners(st, &parts, &np);
    if (rc == BL_OK)
        rc = bl_mail_log_each(st, period.id, kind, collect, &log);
    if (rc != BL_OK) {
        cli_error("cannot read the store: %s", bl_store_errmsg(st));
        goto out;
    }
    bool found = partner == NULL;
    int sent = 0, other = 0;
    rc = line(&out, _("partner"), _("recipient"), "", _("last attempt (UTC)"), 0,
              _("server's answer"));
    if (rc == BL_OK) {
        /* the heading's own status and attempts cells */
        free(out.v[0].cell[2]), free(out.v[0].cell[4]);
        out.v[0].cell[2] = strdup(_("status")), out.v[0].cell[4] = strdup(_("n"));
        if (!out.v[0].cell[2] || !out.v[0].cell[4])
            rc = BL_NOMEM;
    }
    for (size_t i = 0; i < np && rc == BL_OK; i++) {
        if (partner && strcmp(parts[i].id, partner) != 0)
            continue;
        found = true;
        char *emails = strdup(parts[i].emails);
        if (!emails) {
            rc = BL_NOMEM;
            goto out;
        }
        for (char *s = emails, *e; s && *s && rc == BL_OK; s = e ? e + 1 : NULL) {
            e = strchr(s, ';');
            if (e)
                *e = '\0';
            while (*s == ' ' || *s == '\t')
                s++;
            for (char *t = s + strlen(s); t > s && (t[-1] == ' ' || t[-1] == '\t'); t--)
                t[-1] = '\0';
            if (!*s)
                continue;
            row *hit = NULL;
            for (size_t k = 0; k < log.n && !hit; k++)
                if (!log.v[k].listed && strcmp(log.v[k].partner, parts[i].id) == 0 &&
                    strcasecmp(log.v[k].recipient, s) == 0)
                    hit = &log.v[k];
            if (hit) {
                hit->listed = true;
                rc = line(&out, parts[i].id, s, hit->status, hit->at, hit->attempts, hit->reply);
                if (strcmp(hit->status, "sent") == 0)
                    sent++;
                else
                    other++;
            } else {
                rc = line(&out, parts[i].id, s, "pending", "", 0, "");
                other++;
            }
        }
        free(emails);
    }
    /* Addresses mailed before that partners.csv no longer has. */
    for (size_t k = 0; k < log.n && rc == BL_OK; k++) {
        const row *x = &log.v[k];
        if (x->listed || (partner && strcmp(x->partner, partner) != 0))
            continue;
        rc = line(&out, x->partner, x->recipient, x->status, x->at, x->attempts, x->reply);
        if (strcmp(x->status, "sent") == 0)
            sent++;
        else
            other++;
    }
    if (rc != BL_OK)
        goto out;
    if (!found) {
        cli_error("no partner '%s' in the store (see partners.csv)", partner);
        rc = BL_NOTFOUND;
        goto out;
    }
    print_table(&out);
    printf(_("%d sent, %d not sent (failed, refused or pending)\n"), sent, other);
    ex = other ? 1 : 0;
out:
    table_free(&out);
    rows_free(&log);
    bl_partner_list_free(parts, np);
    bl_store_close(st);
    if (rc != BL_OK)
        return cli_exit(rc);
    if (fflush(stdout) != 0)
        return BL_EX_IOERR;
    return ex;
}
