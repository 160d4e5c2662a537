/* bilan mail PERIOD: emails each partner its report (DESIGN §9, issue #7).
 * One message per partner, built once: written to an outbox (--dry-run,
 * --outbox) or sent over SMTP to each recipient not yet served, every
 * attempt logged in mail_log so that a re-run sends nothing twice and a
 * retry sends only what failed. See docs/mail.md. */
#include "cli.h"

#include "bilan/deliver.h"
#include "bilan/mailing.h"
#include "bilan/model.h"
#include "bilan/pipeline.h"
#include "bilan/render.h"
#include "bilan/sheet_out.h"
#include "bilan/store_queries.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const USAGE =
    N_("bilan mail PERIOD [--kind mensuel|semestriel] [--partner ID] [--smtp URL] [--from ADDR]\n"
       "                  [--outbox DIR] [--dry-run] [--resend] [--retry-refused] [--insecure]\n"
       "                  [--reports DIR] [--attach-xlsx]\n"
       "       bilan mail status PERIOD [--kind K] [--partner ID]");

#define MAX_PDF (25L << 20) /* what mail servers commonly accept, base64 included */
#define MAX_RCPT 32

static void help(void)
{
    printf(_("usage: %s\n\n"
             "Emails each partner its report for PERIOD (YYYY-MM, or YYYY-S1/YYYY-S2 for\n"
             "semestriel): one message per partner, in French, with the figures of the period\n"
             "in the body and reports/PERIOD/<partner>-<kind>.pdf attached, to the addresses\n"
             "in partners.csv (column emails), as plain text and as HTML (the figures and\n"
             "the table per resource). Every attempt is logged in the store: running the\n"
             "same command again sends nothing already accepted by the server, so a retry\n"
             "after a temporary failure (4xx, no connection) sends only what failed; an\n"
             "address the server refused for good (5xx) is not tried again. 'bilan mail\n"
             "status PERIOD' shows what became of each address.\n\n"
             "  --kind K        mensuel (default for YYYY-MM) or semestriel (for YYYY-Sn)\n"
             "  --partner ID    one partner only\n"
             "  --smtp URL      smtp://host[:port] (STARTTLS required and verified unless the\n"
             "                  host is loopback) or smtps://host[:port];\n"
             "                  default $BILAN_SMTP_URL, else smtp://localhost\n"
             "  --from ADDR     sender, 'Name <addr>' or addr; default $BILAN_MAIL_FROM\n"
             "  --outbox DIR    write DIR/PERIOD/<partner>-<kind>.eml instead of sending\n"
             "  --dry-run       the same, into ./outbox unless --outbox is given\n"
             "  --resend        send again to recipients already served\n"
             "  --retry-refused try again the addresses refused for good (once fixed)\n"
             "  --attach-xlsx   attach the report's figures as a spreadsheet too\n"
             "  --insecure      allow plain text and unverified certificates to any host\n"
             "  --reports DIR   where the PDFs are (default: reports)\n\n"
             "Credentials come from BILAN_SMTP_USER and BILAN_SMTP_PASSWORD, else ~/.netrc;\n"
             "never from the command line. BILAN_SMTP_CAFILE names an extra CA bundle.\n"
             "Exit status: 0 all sent, 75 a server failure (retry later: only what failed is\n"
             "sent again), 66 a report PDF is missing and cannot be rendered, 65 a partner\n"
             "has no usable address or an invalid id, or an address was refused for good.\n"
             "A missing PDF, or one whose figures are no longer the store's (a late file\n"
             "arrived), is rendered first, as 'bilan report' would; the body's figures come\n"
             "from the same computation.\n"
             "A period not begun is refused (64); one not over is marked provisoire.\n"),
           _(USAGE));
}

typedef struct opts {
    const char *period_s, *kind, *partner, *smtp, *from, *outbox, *reports;
    bool dry_run, resend, insecure, attach_xlsx, retry_refused;
} opts;

typedef struct run {
    const bl_cli *cli;
    opts o;
    bl_period period;
    char from_name[256], from_addr[256];
    const char *domain;
    bl_store *st;
    int64_t today;     /* seconds since 1970 (cli_today) */
    bl_model **models; /* every partner's report model, built in one pass */
    size_t nmodels;
    int64_t pdf_epoch; /* the PDFs' dates: SOURCE_DATE_EPOCH, else -1 */
    bl_smtp *smtp;
    bool smtp_dead;
    int sent, failed, refused, skipped, written, missing, bad_address, bad_id;
} run;

/* ---- small helpers ------------------------------------------------------------- */

/* Reads a whole file (up to MAX_PDF). 0, or an errno value (EFBIG when too big). */
static int read_file(const char *path, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno;
    bl_buf b = BL_BUF_INIT((size_t)MAX_PDF);
    char chunk[65536];
    size_t n;
    int err = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (bl_buf_append(&b, chunk, n) != BL_OK) {
            err = EFBIG;
            break;
        }
    if (!err && ferror(f))
        err = EIO;
    fclose(f);
    if (err) {
        bl_buf_release(&b);
        return err;
    }
    *data = b.data;
    *len = b.len;
    return 0;
}

static void random_bytes(unsigned char *p, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY);
    ssize_t got = fd >= 0 ? read(fd, p, n) : -1;
    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)n) {
        /* Unique enough for a Message-ID: time and process. */
        unsigned long long v =
            (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
        for (size_t i = 0; i < n; i++)
            p[i] = (unsigned char)(v >> (8 * (i % 8)));
    }
}

/* Renders a partner's report from its model where 'bilan report KIND
 * PERIOD' would have put it: when it is missing (a cron job that mails
 * straight away still works), or when what it shows is no longer what the
 * store says (its fingerprint differs: a late file arrived, a source was
 * removed, the period is now over). */
static bool render_report(run *r, const bl_model *m, const char *path, const char *why)
{
    const char *fc = getenv("FONTCONFIG_FILE");
    if (!fc || !*fc) {
        /* Pin DejaVu before the first Pango call, as 'bilan report' does. */
        char fonts[4096];
        snprintf(fonts, sizeof fonts, "%s/fonts.conf", cli_data_dir());
        if (access(fonts, R_OK) == 0)
            setenv("FONTCONFIG_FILE", fonts, 1);
    }
    char err[512] = "", dir[4096];
    bl_status rc;
    snprintf(dir, sizeof dir, "%s/%s", r->o.reports, r->period.id);
    int e = bl_mkdirs(dir);
    if (e != 0) {
        snprintf(err, sizeof err, _("cannot create '%s': %s"), dir, strerror(e));
        rc = BL_CANTCREAT;
    } else {
        rc = bl_render_pdf(m, path, r->pdf_epoch, err, sizeof err);
    }
    if (rc != BL_OK) {
        cli_error("%s: %s, and rendering it failed: %s; run 'bilan report %s %s' first", path,
                  strcmp(why, "it was missing") == 0 ? _("no such report") : _("out of date"), err,
                  r->o.kind, r->period.id);
        return false;
    }
    printf(_("%s: rendered %s (%s)\n"), m->partner->id, path, _(why));
    return true;
}

/* ---- one partner ------------------------------------------------------------------ */

/* Splits the partner's emails into to[] (borrowed from buf). */
static size_t split_emails(char *buf, const char **to, size_t max, const char *partner, bool *bad)
{
    size_t n = 0;
    *bad = false;
    for (char *s = buf; s && *s;) {
        char *e = strchr(s, ';');
        if (e)
            *e = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        for (char *t = s + strlen(s); t > s && (t[-1] == ' ' || t[-1] == '\t'); t--)
            t[-1] = '\0';
        if (*s) {
            if (!bl_mail_addr_valid(s)) {
                cli_error("partner '%s': '%s' is not a usable email address (partners.csv, "
                          "column emails)",
                          partner, s);
                *bad = true;
            } else if (n == max) {
                cli_error("partner '%s': more than %zu email addresses; '%s' and the next are "
                          "left out",
                          partner, max, s);
                *bad = true;
                break;
            } else {
                to[n++] = s;
            }
        }
        s = e ? e + 1 : NULL;
    }
    return n;
}

static bl_status open_smtp(run *r)
{
    if (r->smtp)
        return BL_OK;
    const char *url = r->o.smtp ? r->o.smtp : getenv("BILAN_SMTP_URL");
    if (!url || !*url)
        url = "smtp://localhost";
    const char *user = getenv("BILAN_SMTP_USER"), *cafile = getenv("BILAN_SMTP_CAFILE");
    bl_smtp_opts so = {url,
                       r->o.insecure,
                       cafile && *cafile ? cafile : NULL,
                       user && *user ? user : NULL,
                       getenv("BILAN_SMTP_PASSWORD"),
                       0};
    char *err = NULL;
    bl_status rc = bl_smtp_open(&so, &r->smtp, &err);
    if (rc != BL_OK) {
        cli_error("%s", err ? err : bl_status_str(rc));
        r->smtp_dead = true;
    }
    free(err);
    return rc;
}

/* Long on purpose (~190 lines): one partner's message from start to
 * outcome: recipients, the PDF (rendered when missing or stale), the
 * summary, the message built once, then the outbox or SMTP recipient by
 * recipient with the mail log written after each. The steps share buffers
 * freed at the one exit, which is what keeps a failure from leaking or from
 * sending twice. */
static bl_status buf_write(void *ctx, const void *p, size_t n)
{
    return bl_buf_append(ctx, p, n);
}

/* The figures of the partner's report as an .xlsx in memory (the same
 * workbook as 'bilan report --xlsx'). */
static bl_status workbook(const bl_model *m, bl_buf *out, char *err, size_t errn)
{
    bl_sheet_out *w = NULL;
    bl_status rc = bl_sheet_out_open(&w, BL_SHEET_XLSX, buf_write, out);
    if (rc != BL_OK) {
        bl_sheet_out_abort(w);
        snprintf(err, errn, "%s", _("out of memory"));
        return rc;
    }
    bl_render_sheet(m, w);
    return bl_sheet_out_finish(w, false, err, errn);
}

static bl_status mail_partner(run *r, const bl_partner_info *p)
{
    bl_status rc = BL_OK;
    char *emails = strdup(p->emails), *pdf = NULL, *pdf_path = NULL;
    bl_buf msg = BL_BUF_INIT((size_t)MAX_PDF * 2);
    bl_buf body = BL_BUF_INIT(64 * 1024), html = BL_BUF_INIT(256 * 1024);
    bl_buf xlsx = BL_BUF_INIT((size_t)MAX_PDF);
    bl_mail_summary *sum = calloc(1, sizeof *sum);
    const char *to[MAX_RCPT], *pending[MAX_RCPT];
    size_t npending = 0, pdf_len = 0;
    if (!emails || !sum) {
        rc = BL_NOMEM;
        goto out;
    }
    /* An id from an older store may be anything ("../../x"): it must never
     * become a file name (the PDF, the .eml). */
    if (!bl_id_valid(p->id)) {
        cli_error("partner '%s': not a valid id ([a-z0-9][a-z0-9._-]*), nothing mailed or "
                  "written; fix it in partners.csv and run 'bilan network import' again",
                  p->id);
        r->bad_id++;
        goto out;
    }
    bool bad = false;
    size_t nto = split_emails(emails, to, MAX_RCPT, p->id, &bad);
    if (bad)
        r->bad_address++;
    if (nto == 0) {
        if (!bad) {
            if (r->o.partner) {
                cli_error("partner '%s' has no email address (partners.csv, column emails)", p->id);
                r->bad_address++;
            } else {
                cli_warn("partner '%s' has no email address: skipped", p->id);
            }
        }
        goto out;
    }
    size_t nrefused = 0;
    for (size_t i = 0; i < nto; i++) {
        bool sent = false, refused = false;
        char reply[256];
        if (!r->o.resend) {
            rc = bl_mail_log_was_sent(r->st, p->id, r->period.id, r->o.kind, to[i], &sent);
            if (rc == BL_OK && !sent && !r->o.retry_refused)
                rc = bl_mail_log_was_refused(r->st, p->id, r->period.id, r->o.kind, to[i], &refused,
                                             reply, sizeof reply);
            if (rc != BL_OK)
                goto out;
        }
        if (refused) {
            /* A permanent refusal is not retried: the same message to the
             * same address would be refused again. */
            cli_warn("%s: not sent to %s: refused for good by the server (%s); fix the address "
                     "in partners.csv, or use --retry-refused",
                     p->id, to[i], reply);
            nrefused++;
        } else if (!sent) {
            pending[npending++] = to[i];
        }
    }
    if (npending == 0 && nrefused > 0) {
        r->refused += (int)nrefused;
        goto out;
    }
    r->refused += (int)nrefused;
    if (npending == 0) {
        char list[MAX_RCPT * 260] = "";
        for (size_t i = 0, used = 0; i < nto && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", to[i]);
        cli_progress_erase();
        printf(_("%s: already sent to %s (--resend to send again)\n"), p->id, list);
        r->skipped++;
        goto out;
    }

    /* The model is computed once: the attachment is drawn from it (when
     * the PDF on disk does not show it) and the body reads it. */
    const bl_model *model = NULL;
    for (size_t i = 0; i < r->nmodels && !model; i++)
        if (strcmp(r->models[i]->partner->id, p->id) == 0)
            model = r->models[i];
    if (!model) {
        cli_error("partner '%s': no report model", p->id);
        rc = BL_INTERNAL;
        goto out;
    }
    char fp[65], on_disk[65];
    rc = bl_model_fingerprint(model, fp);
    if (rc != BL_OK)
        goto out;
    char rel[512];
    if (!bl_render_file_name(rel, sizeof rel, model)) {
        cli_error("partner '%s': no file name for its report", p->id);
        rc = BL_INTERNAL;
        goto out;
    }
    pdf_path = bl_strdup_printf("%s/%s", r->o.reports, rel);
    if (!pdf_path) {
        rc = BL_NOMEM;
        goto out;
    }
    int err = read_file(pdf_path, &pdf, &pdf_len);
    const char *stale = NULL;
    if (err == ENOENT)
        stale = N_("it was missing");
    else if (!err && !bl_render_pdf_fingerprint(pdf, pdf_len, on_disk))
        stale = N_("it was not drawn by this bilan from this store");
    else if (!err && strcmp(on_disk, fp) != 0)
        stale = N_("the data changed since it was rendered");
    if (stale) {
        free(pdf);
        pdf = NULL, pdf_len = 0;
        if (!render_report(r, model, pdf_path, stale)) {
            r->missing++;
            goto out;
        }
        err = read_file(pdf_path, &pdf, &pdf_len);
    }
    if (err) {
        if (err == ENOENT)
            cli_error("%s: no such report; run 'bilan report %s %s' first", pdf_path, r->o.kind,
                      r->period.id);
        else
            cli_error("cannot read '%s': %s", pdf_path,
                      err == EFBIG ? "larger than 25 MB, too large to mail" : strerror(err));
        r->missing++;
        goto out;
    }
    bl_mail_summary_from_model(model, sum);
    char subject[512], attach[300], stem[200], tag[256], mid[512];
    bl_render_mail_subject(subject, sizeof subject, sum);
    if (!bl_report_stem(stem, sizeof stem, p->id, r->o.kind)) {
        cli_error("partner '%s': no file name for its report", p->id);
        rc = BL_INTERNAL;
        goto out;
    }
    snprintf(attach, sizeof attach, "bilan-%s-%s.pdf", stem, r->period.id);
    snprintf(tag, sizeof tag, "%s.%s.%s", r->period.id, r->o.kind, p->id);
    bool preview = r->o.outbox != NULL;
    /* A preview is dated "today" (SOURCE_DATE_EPOCH when set: reproducible
     * outboxes); a real send always says now. */
    int64_t now = preview ? r->today : (int64_t)time(NULL);
    if (preview && r->cli->source_date_epoch) {
        /* Reproducible previews: same data, same bytes. */
        char seed[512];
        snprintf(seed, sizeof seed, "%s|%s|%s|%lld", p->id, r->period.id, r->o.kind,
                 (long long)now);
        bl_mail_message_id(mid, sizeof mid, tag, seed, strlen(seed), r->domain);
    } else {
        unsigned char rnd[16];
        random_bytes(rnd, sizeof rnd);
        bl_mail_message_id(mid, sizeof mid, tag, rnd, sizeof rnd, r->domain);
    }
    /* Signed with the sender's name, else the network's (docs/mail.md). */
    rc = bl_render_mail_body(&body, sum, model, model->kind,
                             r->from_name[0]        ? r->from_name
                             : sum->network_name[0] ? sum->network_name
                                                    : r->from_addr);
    if (rc != BL_OK)
        goto out;
    if (rc == BL_OK)
        rc = bl_render_mail_html(&html, bl_buf_cstr(&body), model, subject);
    if (rc != BL_OK)
        goto out;
    char why[512];
    char xname[300];
    bl_mail_attachment more[1];
    size_t nmore = 0;
    if (r->o.attach_xlsx) {
        if ((rc = workbook(model, &xlsx, why, sizeof why)) != BL_OK) {
            cli_error("partner '%s': cannot write the spreadsheet: %s", p->id, why);
            goto out;
        }
        snprintf(xname, sizeof xname, "bilan-%s-%s.xlsx", stem, r->period.id);
        more[nmore++] = (bl_mail_attachment){
            xname, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.data,
            xlsx.len};
    }
    bl_mail m = {r->from_name[0] ? r->from_name : sum->network_name,
                 r->from_addr,
                 to,
                 nto,
                 subject,
                 bl_buf_cstr(&body),
                 attach,
                 "application/pdf",
                 pdf,
                 pdf_len,
                 now,
                 mid,
                 bl_buf_cstr(&html),
                 more,
                 nmore};
    rc = bl_mail_build(&m, &msg, why, sizeof why);
    if (rc != BL_OK) {
        cli_error("partner '%s': cannot build the message: %s", p->id, why);
        goto out;
    }

    if (preview) {
        char dir[4096], path[4400];
        snprintf(dir, sizeof dir, "%s/%s", r->o.outbox, r->period.id);
        snprintf(path, sizeof path, "%s/%s.eml", dir, stem);
        char werr[4600];
        err = bl_mkdirs(dir);
        if (err) {
            cli_error("cannot create '%s': %s", dir, strerror(err));
            rc = BL_CANTCREAT;
            goto out;
        }
        if ((rc = bl_outfile_put(path, msg.data, msg.len, true, werr, sizeof werr)) != BL_OK) {
            cli_error("%s", werr);
            goto out;
        }
        char list[MAX_RCPT * 260] = "";
        for (size_t i = 0, used = 0; i < npending && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                     pending[i]);
        cli_progress_erase();
        printf(_("%s: wrote %s (for %s)\n"), p->id, path, list);
        r->written++;
        goto out;
    }

    if (open_smtp(r) != BL_OK) {
        rc = BL_USAGE;
        goto out;
    }
    for (size_t i = 0; i < npending; i++) {
        bl_status s = bl_smtp_send(r->smtp, r->from_addr, pending[i], msg.data, msg.len);
        bool permanent = s != BL_OK && bl_smtp_permanent(r->smtp);
        bl_mail_log_entry e = {
            p->id,      r->period.id,           r->o.kind, pending[i],           mid,
            s == BL_OK, bl_smtp_reply(r->smtp), permanent, bl_smtp_code(r->smtp)};
        bl_status lr = bl_mail_log_record(r->st, &e);
        if (s == BL_OK) {
            cli_progress_erase();
            printf(_("%s: sent to %s (%s)\n"), p->id, pending[i], bl_smtp_reply(r->smtp));
            r->sent++;
        } else {
            cli_error("%s: not sent to %s: %s", p->id, pending[i], bl_smtp_errmsg(r->smtp));
            if (permanent) {
                cli_warn("%s: %s was refused for good: the next run will not retry it (see "
                         "'bilan mail status %s')",
                         p->id, pending[i], r->period.id);
                r->refused++;
            } else {
                r->failed++;
            }
        }
        if (lr != BL_OK) {
            /* Sent but not logged: say so, a re-run would send it again. */
            cli_error("cannot log the mail to %s in the store: %s", pending[i],
                      bl_store_errmsg(r->st));
            rc = lr;
            goto out;
        }
        if (s != BL_OK && bl_smtp_fatal(r->smtp)) {
            r->smtp_dead = true;
            break;
        }
    }
out:
    free(emails);
    free(pdf);
    free(pdf_path);
    free(sum);
    bl_buf_release(&msg);
    bl_buf_release(&body);
    bl_buf_release(&html);
    bl_buf_release(&xlsx);
    return rc;
}

/* ---- the command ---------------------------------------------------------------------- */

/* Long on purpose (~160 lines): the options, then every check that must
 * pass before anything is sent (period, kind, sender, server), each with
 * its own usage message, then the partners one by one. */
int cmd_mail(bl_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {{"kind", required_argument, NULL, 'k'},
                                             {"partner", required_argument, NULL, 'p'},
                                             {"smtp", required_argument, NULL, 's'},
                                             {"from", required_argument, NULL, 'f'},
                                             {"outbox", required_argument, NULL, 'o'},
                                             {"reports", required_argument, NULL, 'r'},
                                             {"dry-run", no_argument, NULL, 'n'},
                                             {"resend", no_argument, NULL, 'R'},
                                             {"insecure", no_argument, NULL, 'I'},
                                             {"attach-xlsx", no_argument, NULL, 'X'},
                                             {"retry-refused", no_argument, NULL, 'F'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    if (argc >= 2 && strcmp(argv[1], "status") == 0)
        return cli_mail_status(cli, argc - 1, argv + 1);
    run r = {0};
    r.cli = cli;
    r.o.reports = "reports";
    int c;
    optind = 0; /* glibc: start afresh, permutation state included (see cmd_report.c) */
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            r.o.kind = optarg;
            break;
        case 'p':
            r.o.partner = optarg;
            break;
        case 's':
            r.o.smtp = optarg;
            break;
        case 'f':
            r.o.from = optarg;
            break;
        case 'o':
            r.o.outbox = optarg;
            break;
        case 'r':
            r.o.reports = optarg;
            break;
        case 'n':
            r.o.dry_run = true;
            break;
        case 'R':
            r.o.resend = true;
            break;
        case 'I':
            r.o.insecure = true;
            break;
        case 'X':
            r.o.attach_xlsx = true;
            break;
        case 'F':
            r.o.retry_refused = true;
            break;
        case 'h':
            help();
            return 0;
        default:
            return cli_bad_option("mail", USAGE, argv, c);
        }
    }
    if (optind >= argc)
        return cli_usage("mail", USAGE, "missing PERIOD");
    if (optind + 1 < argc)
        return cli_usage("mail", USAGE, "unexpected argument '%s'", argv[optind + 1]);
    r.o.period_s = argv[optind];
    if (!bl_period_parse(r.o.period_s, &r.period) || r.period.last - r.period.first == 11)
        return cli_usage("mail", USAGE,
                         "'%s' is not a month (YYYY-MM) or a semester (YYYY-S1, "
                         "YYYY-S2)",
                         r.o.period_s);
    bool month = r.period.first == r.period.last;
    if (!r.o.kind)
        r.o.kind = month ? "mensuel" : "semestriel";
    static const char *const KINDS[] = {"mensuel", "semestriel", NULL};
    if (cli_choice(r.o.kind, KINDS) >= 0)
        r.o.kind = KINDS[cli_choice(r.o.kind, KINDS)];
    if (strcmp(r.o.kind, "mensuel") != 0 && strcmp(r.o.kind, "semestriel") != 0)
        return cli_usage("mail", USAGE, "--kind: '%s' is not mensuel or semestriel", r.o.kind);
    if (month != (strcmp(r.o.kind, "mensuel") == 0))
        return cli_usage("mail", USAGE, "a %s report needs a %s, not '%s'", r.o.kind,
                         month ? _("semester (YYYY-S1, YYYY-S2)") : _("month (YYYY-MM)"),
                         r.o.period_s);
    if (r.o.dry_run && !r.o.outbox)
        r.o.outbox = "outbox";
    const char *from = r.o.from ? r.o.from : getenv("BILAN_MAIL_FROM");
    if (from && *from &&
        !bl_mail_parse_mailbox(from, r.from_name, sizeof r.from_name, r.from_addr,
                               sizeof r.from_addr))
        return cli_usage("mail", USAGE, "--from: '%s' is not 'Name <addr>' or an address", from);

    /* "Today" (SOURCE_DATE_EPOCH when set, as for 'bilan report'): a
     * period not begun is refused, one not over is « provisoire ». */
    bool pinned;
    if (!cli_today(cli, &r.today, &pinned))
        return BL_EX_USAGE;
    r.pdf_epoch = pinned ? r.today : -1;
    if (bl_period_state_at(&r.period, r.today / 86400) == BL_PERIOD_NOT_BEGUN) {
        char today[64];
        int y, mo, d;
        bl_civil_from_days(r.today / 86400, &y, &mo, &d);
        bl_fr_date(today, sizeof today, y, mo, d);
        cli_error("the period '%s' has not begun (today is %s): nothing to mail yet", r.o.period_s,
                  today);
        return BL_EX_USAGE;
    }

    /* mail writes mail_log, so it opens the store read-write; but a
     * missing store is an error (exit 66), never an empty store created. */
    struct stat sb;
    if (stat(cli->db_path, &sb) != 0) {
        cli_error("cannot open the store '%s': %s", cli->db_path, strerror(errno));
        return errno == ENOENT ? BL_EX_NOINPUT : BL_EX_IOERR;
    }
    int ex = cli_open_store(cli, &r.st);
    if (ex)
        return ex;
    bl_partner_info *parts = NULL;
    size_t np = 0;
    bl_status rc = BL_OK;
    /* No --from: the network's contact address (network.csv) sends. */
    if (!r.from_addr[0]) {
        bl_network_identity id;
        if (bl_store_network_identity(r.st, &id) == BL_OK) {
            if (id.contact_email && *id.contact_email)
                snprintf(r.from_addr, sizeof r.from_addr, "%s", id.contact_email);
            bl_network_identity_release(&id);
        }
        if (!r.from_addr[0]) {
            bl_store_close(r.st);
            return cli_usage("mail", USAGE,
                             "no sender: give --from ADDR, set BILAN_MAIL_FROM or a "
                             "contact_email in network.csv");
        }
    }
    r.domain = strchr(r.from_addr, '@') + 1;
    /* The SMTP URL checked before any report is written: a refused command
     * leaves nothing behind (it wrote the first partner's PDF). */
    if (!r.o.outbox && (rc = open_smtp(&r)) != BL_OK) {
        bl_store_close(r.st);
        return cli_exit(rc);
    }
    rc = bl_store_partners(r.st, &parts, &np);
    if (rc != BL_OK) {
        cli_error("%s", bl_store_errmsg(r.st));
        goto out;
    }
    /* Every partner's model in one pass over the store (as 'bilan report'
     * does): each is what its PDF must show and what its body says. */
    bl_report_kind kind =
        strcmp(r.o.kind, "mensuel") == 0 ? BL_REPORT_MENSUEL : BL_REPORT_SEMESTRIEL;
    rc = bl_model_build_partners(r.st, kind, &r.period, NULL, r.today / 86400, &r.models,
                                 &r.nmodels);
    if (rc != BL_OK) {
        cli_error("cannot read the store: %s", bl_store_errmsg(r.st));
        goto out;
    }
    /* No partner's report of the period has any data: the providers' files
     * are not in yet (a cron run too early) or the period is wrong. Mailing
     * every partner a report of « — » would be the mistake to undo. */
    if (r.nmodels && !bl_model_list_has_data(r.models, r.nmodels)) {
        if (bl_model_none_over(r.models[0]))
            cli_error("no usage data for %s yet: none of its months is over; nothing sent",
                      r.o.period_s);
        else
            cli_error("no usage data for %s in the store: nothing sent (have the providers' "
                      "files for it been ingested?)",
                      r.o.period_s);
        rc = BL_NOINPUT;
        goto out;
    }
    bool found = false;
    cli_progress_start(cli, "mail", _("partners"), r.o.partner ? 1 : (long)np, 0);
    for (size_t i = 0; i < np && rc == BL_OK && !r.smtp_dead; i++) {
        if (r.o.partner && strcmp(parts[i].id, r.o.partner) != 0)
            continue;
        found = true;
        cli_progress_item(parts[i].id, 0);
        rc = mail_partner(&r, &parts[i]);
        cli_progress_item_done();
    }
    cli_progress_end();
    if (r.o.partner && !found) {
        cli_error("no partner '%s' in the store (see partners.csv)", r.o.partner);
        rc = BL_NOTFOUND;
    } else if (np == 0) {
        cli_error("no partner in the store: run 'bilan network import DIR' first");
        rc = BL_NOINPUT;
    }
    if (r.smtp_dead && rc == BL_OK)
        cli_error("nothing more sent: the server failed as a whole; once it is fixed, run the "
                  "same command again to send what is left");
    if (!r.o.outbox && (r.sent || r.failed || r.refused)) {
        if (r.refused)
            printf(bl_trn("%d sent, %d failed, %d refused for good, %d partner already served\n",
                          "%d sent, %d failed, %d refused for good, %d partners already served\n",
                          (unsigned long)r.skipped),
                   r.sent, r.failed, r.refused, r.skipped);
        else
            printf(bl_trn("%d sent, %d failed, %d partner already served\n",
                          "%d sent, %d failed, %d partners already served\n",
                          (unsigned long)r.skipped),
                   r.sent, r.failed, r.skipped);
    }
    if (rc == BL_OK) {
        if (r.failed || r.smtp_dead)
            rc = BL_TEMPFAIL;
        else if (r.refused)
            rc = BL_DATA;
        else if (r.missing)
            rc = BL_NOINPUT;
        else if (r.bad_address || r.bad_id)
            rc = BL_DATA;
    }
out:
    bl_model_list_free(r.models, r.nmodels);
    bl_partner_list_free(parts, np);
    bl_smtp_close(r.smtp);
    bl_store_close(r.st);
    if (fflush(stdout) != 0 && rc == BL_OK)
        rc = BL_IO;
    return cli_exit(rc);
}
