/* Sending a built message over SMTP with libcurl, one envelope recipient per
 * transaction so that each recipient's outcome is known exactly (libcurl
 * does not say which RCPT failed). The TLS policy lives here: STARTTLS is
 * required and verified unless the server is on this machine or the caller
 * says --insecure; credentials never come from the URL. */
#include "bilan/deliver.h"
#include "curl_reason.h"
#include "bilan/i18n.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct bl_smtp {
    CURL *curl;
    char *url;
    bl_smtp_security sec;
    bool insecure;
    bool fatal;
    bool fresh;        /* the last transaction failed: open a new connection */
    bool reply_done;   /* the reply buffer holds a complete reply */
    bool saw_rcpt;     /* this transaction got as far as RCPT */
    bool quitting;     /* QUIT sent: what follows is not news */
    bool failed;       /* the last send failed */
    bool reply_real;   /* reply holds the server's words, not libcurl's */
    char last_cmd[16]; /* verb of the last command sent, never its arguments */
    char reply[512];
    char err[1024];
    char curlerr[CURL_ERROR_SIZE];
};

typedef struct reader {
    const char *p;
    size_t len, off;
} reader;

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
    reader *r = ud;
    size_t n = size * nitems;
    if (n > r->len - r->off)
        n = r->len - r->off;
    memcpy(buf, r->p + r->off, n);
    r->off += n;
    return n;
}

static void reply_add_line(bl_smtp *s, const char *p, size_t n)
{
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    if (n == 0)
        return;
    if (s->reply_done) {
        s->reply[0] = '\0';
        s->reply_done = false;
    }
    size_t l = strlen(s->reply);
    if (l && l + 3 < sizeof s->reply) {
        memcpy(s->reply + l, " / ", 3);
        l += 3;
    }
    for (size_t i = 0; i < n && l + 1 < sizeof s->reply; i++) {
        unsigned char c = (unsigned char)p[i];
        s->reply[l++] = (c >= 32 && c < 127) ? (char)c : '?';
    }
    s->reply[l] = '\0';
    /* "250-..." continues, "250 ..." (or a bare code) ends the reply. */
    s->reply_done = n <= 3 || p[3] == ' ';
}

/* libcurl's protocol trace: server replies are kept (the last complete one
 * is what we log); of what we send, only the command verb, because AUTH
 * exchanges carry credentials. */
static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
    (void)h;
    bl_smtp *s = ud;
    if (s->quitting)
        return 0; /* the reply to QUIT ("221 Bye") would hide the one that matters */
    if (type == CURLINFO_HEADER_IN) {
        while (size) {
            char *nl = memchr(data, '\n', size);
            size_t n = nl ? (size_t)(nl - data) + 1 : size;
            reply_add_line(s, data, n);
            data += n;
            size -= n;
        }
    } else if (type == CURLINFO_HEADER_OUT) {
        static const char *const VERBS[] = {"EHLO", "HELO", "STARTTLS", "AUTH", "MAIL",
                                            "RCPT", "DATA", "QUIT",     "RSET", NULL};
        for (const char *const *v = VERBS; *v; v++) {
            size_t l = strlen(*v);
            if (size >= l && strncasecmp(data, *v, l) == 0 &&
                (size == l || data[l] == ' ' || data[l] == '\r')) {
                if (strcmp(*v, "QUIT") == 0) {
                    s->quitting = true;
                    break;
                }
                snprintf(s->last_cmd, sizeof s->last_cmd, "%s", *v);
                if (strcmp(*v, "RCPT") == 0)
                    s->saw_rcpt = true;
                break;
            }
        }
    }
    return 0;
}

static bool is_loopback(const char *host)
{
    char h[256];
    size_t l = strlen(host);
    if (l >= sizeof h)
        return false;
    if (host[0] == '[' && l > 2 && host[l - 1] == ']') {
        memcpy(h, host + 1, l - 2);
        h[l - 2] = '\0';
    } else {
        memcpy(h, host, l + 1);
    }
    if (strcasecmp(h, "localhost") == 0)
        return true;
    unsigned char a[16];
    if (inet_pton(AF_INET, h, a) == 1)
        return a[0] == 127;
    if (inet_pton(AF_INET6, h, a) == 1) {
        static const unsigned char lo[16] = {[15] = 1};
        return memcmp(a, lo, 16) == 0;
    }
    return false;
}

bl_status bl_smtp_open(const bl_smtp_opts *o, bl_smtp **out, char **errmsg)
{
    *out = NULL;
    *errmsg = NULL;
    bl_status rc = BL_OK;
    char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
    bl_smtp *s = calloc(1, sizeof *s);
    CURLU *u = curl_url();
    if (!s || !u) {
        rc = BL_NOMEM;
        goto out;
    }
    if (curl_url_set(u, CURLUPART_URL, o->url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
        *errmsg = bl_strdup_printf(_("'%s' is not an SMTP URL (smtp://host[:port] or "
                                     "smtps://host[:port])"),
                                   o->url);
        rc = BL_USAGE;
        goto out;
    }
    if (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0) {
        *errmsg = bl_strdup_printf(_("'%s': only smtp:// and smtps:// are supported"), o->url);
        rc = BL_USAGE;
        goto out;
    }
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
    if (user || pass) {
        /* Do not echo the URL: it holds the secret. */
        *errmsg = bl_strdup_printf(_("credentials in the SMTP URL are refused (a command line is "
                                     "visible to every user of the machine); use "
                                     "BILAN_SMTP_USER and BILAN_SMTP_PASSWORD or ~/.netrc"));
        rc = BL_USAGE;
        goto out;
    }
    if (strcmp(scheme, "smtps") == 0)
        s->sec = o->insecure ? BL_SMTP_OPPORTUNISTIC : BL_SMTP_TLS;
    else if (o->insecure)
        s->sec = BL_SMTP_OPPORTUNISTIC;
    else if (is_loopback(host))
        s->sec = BL_SMTP_PLAIN_LOOPBACK;
    else
        s->sec = BL_SMTP_STARTTLS;
    s->insecure = o->insecure;
    s->url = strdup(o->url);
    if (!s->url || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        rc = BL_NOMEM;
        goto out;
    }
    s->curl = curl_easy_init();
    if (!s->curl) {
        curl_global_cleanup();
        rc = BL_NOMEM;
        goto out;
    }
    CURL *c = s->curl;
    curl_easy_setopt(c, CURLOPT_URL, s->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s > 0 ? o->timeout_s : 300L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->curlerr);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); /* feeds debug_cb; nothing is printed */
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, s);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    switch (s->sec) {
    case BL_SMTP_TLS:
    case BL_SMTP_STARTTLS:
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
        break;
    case BL_SMTP_PLAIN_LOOPBACK:
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_NONE);
        break;
    case BL_SMTP_OPPORTUNISTIC:
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        break;
    }
    if (o->cafile)
        curl_easy_setopt(c, CURLOPT_CAINFO, o->cafile);
    if (o->user && *o->user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, o->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, o->password ? o->password : "");
    } else {
        curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
    }
    *out = s;
    s = NULL;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(pass);
    curl_url_cleanup(u);
    if (s) {
        free(s->url);
        free(s);
    }
    return rc;
}

void bl_smtp_close(bl_smtp *s)
{
    if (!s)
        return;
    curl_easy_cleanup(s->curl);
    curl_global_cleanup();
    free(s->url);
    free(s);
}

bl_smtp_security bl_smtp_security_of(const bl_smtp *s)
{
    return s->sec;
}

const char *bl_smtp_url(const bl_smtp *s)
{
    return s->url;
}

const char *bl_smtp_reply(const bl_smtp *s)
{
    return s->reply;
}

const char *bl_smtp_errmsg(const bl_smtp *s)
{
    return s->err;
}

bool bl_smtp_fatal(const bl_smtp *s)
{
    return s->fatal;
}

int bl_smtp_code(const bl_smtp *s)
{
    const char *r = s->reply;
    if (r[0] >= '2' && r[0] <= '5' && r[1] >= '0' && r[1] <= '9' && r[2] >= '0' && r[2] <= '9' &&
        (r[3] == ' ' || r[3] == '-' || r[3] == '\0'))
        return (r[0] - '0') * 100 + (r[1] - '0') * 10 + (r[2] - '0');
    return 0;
}

bool bl_smtp_permanent(const bl_smtp *s)
{
    return s->failed && !s->fatal && s->saw_rcpt && s->reply_real && bl_smtp_code(s) / 100 == 5;
}

static void explain(bl_smtp *s, CURLcode cc, const char *rcpt)
{
    char words[600];
    const char *detail = bl__curl_reason(words, sizeof words, cc, s->curlerr);
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
        snprintf(s->err, sizeof s->err, _("cannot reach the SMTP server %s: %s"), s->url, detail);
        return;
    case CURLE_USE_SSL_FAILED:
        snprintf(s->err, sizeof s->err,
                 _("%s does not offer STARTTLS: refusing to send in plain text to a server that is "
                   "not on this machine (--insecure allows it)"),
                 s->url);
        return;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
        snprintf(s->err, sizeof s->err, _("TLS with %s failed: %s"), s->url, detail);
        return;
    case CURLE_LOGIN_DENIED:
        snprintf(s->err, sizeof s->err, _("%s refused the credentials%s%s"), s->url,
                 s->reply[0] ? ": " : "", s->reply);
        return;
    default:
        break;
    }
    if (s->reply[0] && s->last_cmd[0]) {
        const char *what = strcmp(s->last_cmd, "RCPT") == 0   ? _("the recipient")
                           : strcmp(s->last_cmd, "MAIL") == 0 ? _("the sender")
                           : strcmp(s->last_cmd, "DATA") == 0 ? _("the message")
                                                              : s->last_cmd;
        snprintf(s->err, sizeof s->err, _("%s refused %s%s%s%s: %s"), s->url, what,
                 strcmp(s->last_cmd, "RCPT") == 0 ? " <" : "",
                 strcmp(s->last_cmd, "RCPT") == 0 ? rcpt : "",
                 strcmp(s->last_cmd, "RCPT") == 0 ? ">" : "", s->reply);
    } else {
        snprintf(s->err, sizeof s->err, _("sending to %s failed: %s"), s->url, detail);
    }
}

bl_status bl_smtp_send(bl_smtp *s, const char *from_addr, const char *rcpt, const void *msg,
                       size_t len)
{
    char from[300], to[300];
    snprintf(from, sizeof from, "<%s>", from_addr);
    snprintf(to, sizeof to, "<%s>", rcpt);
    struct curl_slist *rl = curl_slist_append(NULL, to);
    if (!rl)
        return BL_NOMEM;
    reader r = {msg, len, 0};
    s->reply[0] = s->err[0] = s->curlerr[0] = s->last_cmd[0] = '\0';
    s->reply_done = s->fatal = s->saw_rcpt = s->quitting = s->failed = s->reply_real = false;
    CURL *c = s->curl;
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rl);
    curl_easy_setopt(c, CURLOPT_READDATA, &r);
    /* After a failure the server may still hold half a transaction (libcurl
     * sends no RSET): start the next one on a new connection. */
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, s->fresh ? 1L : 0L);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(c, CURLOPT_READDATA, NULL);
    curl_slist_free_all(rl);
    s->fresh = cc != CURLE_OK;
    if (cc == CURLE_OK)
        return BL_OK;
    s->failed = true;
    s->reply_real = s->reply[0] != '\0';
    /* Failing before any RCPT (connection, TLS, greeting, AUTH, MAIL FROM)
     * concerns the server, not this recipient: every other send would fail
     * the same way. */
    s->fatal = !s->saw_rcpt;
    explain(s, cc, rcpt);
    if (!s->reply[0])
        bl__curl_reason(s->reply, sizeof s->reply, cc, s->curlerr);
    return BL_TEMPFAIL;
}
