/* bilan — deliver layer: building an RFC 5322 / MIME message once (so that
 * the bytes written to an outbox are the bytes sent) and sending it over
 * SMTP with libcurl. It knows nothing about partners or the store: it gets
 * text, a file's bytes and addresses. See docs/mail.md.
 *
 * Ownership: arguments are borrowed; a returned `const char *` is borrowed
 * from the handle until its next call.
 */
#ifndef BILAN_DELIVER_H
#define BILAN_DELIVER_H

#include "bilan/common.h"

/* ---- addresses --------------------------------------------------------------- */

/* True for a plain addr-spec we are willing to put in a header and an SMTP
 * envelope: local@domain, printable ASCII, no space, no <>(),;:"[] nor
 * control characters, one '@', a dot in the domain. */
bool bl_mail_addr_valid(const char *addr);

/* Splits "Display Name <local@domain>" or "local@domain" into the display
 * name (UTF-8, "" when none) and the address. False when malformed (no
 * valid address, a control character, a missing '>'). */
bool bl_mail_parse_mailbox(const char *spec, char *name, size_t name_n, char *addr, size_t addr_n);

/* ---- the message ---------------------------------------------------------------- */

/* A further attachment (besides the first, given in bl_mail itself). */
typedef struct bl_mail_attachment {
    const char *name; /* ASCII file name ([A-Za-z0-9._-]) */
    const char *type; /* e.g. "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" */
    const void *data;
    size_t len;
} bl_mail_attachment;

typedef struct bl_mail {
    const char *from_name; /* display name, UTF-8, may be NULL or "" */
    const char *from_addr; /* addr-spec */
    const char *const *to; /* addr-specs, all listed in To: */
    size_t nto;
    const char *subject;     /* UTF-8, one line */
    const char *body;        /* UTF-8 plain text, lines ended by '\n' */
    const char *attach_name; /* ASCII file name ([A-Za-z0-9._-]), NULL: no attachment */
    const char *attach_type; /* e.g. "application/pdf" */
    const void *attach;
    size_t attach_len;
    int64_t date;           /* seconds since 1970-01-01 UTC, for Date: (written in UTC) */
    const char *message_id; /* without the angle brackets, e.g. "x.y@example.org" */
    /* The same text as HTML (UTF-8, a whole document), NULL: plain text
     * only. Sent as a multipart/alternative beside the plain text. */
    const char *body_html;
    /* Attachments after the first (attach_name must be set), may be NULL. */
    const bl_mail_attachment *more;
    size_t nmore;
} bl_mail;

/* Appends the whole message to out: headers (Date, From, To, Subject as RFC
 * 2047 UTF-8 encoded-words, Message-ID, MIME-Version, Auto-Submitted), a
 * multipart/mixed body with the text as quoted-printable UTF-8 (inside a
 * multipart/alternative with the HTML, also quoted-printable, when
 * body_html is given) and the attachments as base64 in 76-column lines. CRLF line ends, no line
 * over 78 characters, 7-bit clean. BL_DATA when a field is unusable (a bad address, a control
 * character in a header, a non-ASCII file name), with the reason in err; BL_NOMEM / BL_DATA from
 * the buffer's cap. */
bl_status bl_mail_build(const bl_mail *m, bl_buf *out, char *err, size_t errn);

/* Writes a Message-ID (without brackets) into out: "bilan.<tag>.<hex>@<domain>",
 * tag reduced to [A-Za-z0-9.-]. unique is any bytes that make it unique (a
 * random draw for real sends; a fixed seed gives reproducible previews). */
void bl_mail_message_id(char *out, size_t n, const char *tag, const void *unique, size_t unique_len,
                        const char *domain);

/* Encoders, exposed for tests. Append to b. */
bl_status bl_mail_base64(bl_buf *b, const void *p, size_t n, size_t line); /* line 0: no breaks */
bl_status bl_mail_qp(bl_buf *b, const char *text); /* '\n' → CRLF, soft breaks at 76 */
/* An unstructured header (name: value) with RFC 2047 B encoded-words when
 * the value is not plain ASCII, folded so that no line exceeds 78. */
bl_status bl_mail_header_text(bl_buf *b, const char *name, const char *value);

/* ---- SMTP ---------------------------------------------------------------------------- */

typedef struct bl_smtp bl_smtp;

typedef struct bl_smtp_opts {
    const char *url;    /* smtp://host[:port][/ehlo-domain] or smtps://... */
    bool insecure;      /* allow plain text, do not verify certificates */
    const char *cafile; /* extra CA bundle to verify the server with, or NULL */
    const char *user;   /* NULL: taken from ~/.netrc when it has the host */
    const char *password;
    long timeout_s; /* whole-transaction timeout, 0 for the default (300 s) */
} bl_smtp_opts;

/* How the connection is protected. */
typedef enum bl_smtp_security {
    BL_SMTP_TLS,            /* smtps:// (implicit TLS), verified */
    BL_SMTP_STARTTLS,       /* STARTTLS required and the certificate verified */
    BL_SMTP_PLAIN_LOOPBACK, /* plain text, the server is on this machine */
    BL_SMTP_OPPORTUNISTIC   /* --insecure: STARTTLS when offered, unverified */
} bl_smtp_security;

/* Checks the URL and prepares a session (no connection yet). BL_USAGE when
 * the URL is not smtp:// or smtps://, has no host, or carries credentials
 * (they come from the environment or ~/.netrc, never from a command line);
 * the reason in *errmsg (caller frees). */
bl_status bl_smtp_open(const bl_smtp_opts *o, bl_smtp **out, char **errmsg);
void bl_smtp_close(bl_smtp *s);
bl_smtp_security bl_smtp_security_of(const bl_smtp *s);
/* The URL without any secret, for messages. */
const char *bl_smtp_url(const bl_smtp *s);

/* Sends msg (a whole RFC 5322 message) to one envelope recipient, reusing
 * the connection between calls. BL_OK when the server accepted it after
 * DATA. BL_TEMPFAIL when the server refused or could not be reached; then
 * bl_smtp_errmsg says what happened in English and bl_smtp_fatal says
 * whether the failure concerns the server as a whole (cannot connect, TLS,
 * authentication): further sends are pointless. */
bl_status bl_smtp_send(bl_smtp *s, const char *from_addr, const char *rcpt, const void *msg,
                       size_t len);
/* The server's last reply ("250 2.0.0 Ok: queued as 4F2A", "550 5.1.1 ...")
 * with line breaks as " / ", "" when none; borrowed. Never holds a secret. */
const char *bl_smtp_reply(const bl_smtp *s);
const char *bl_smtp_errmsg(const bl_smtp *s);
bool bl_smtp_fatal(const bl_smtp *s);
/* The code of the server's last reply (550, 451, ...), 0 when none (no
 * connection). */
int bl_smtp_code(const bl_smtp *s);
/* After a failed send: the server refused this recipient or this message
 * for good (a 5xx reply at RCPT or after it): sending the same again will
 * fail again. False for a temporary failure (4xx, a connection lost) and
 * for failures of the server as a whole (bl_smtp_fatal). */
bool bl_smtp_permanent(const bl_smtp *s);

/* ---- HTTP GET (deliver/http.c), for the SUSHI harvest ------------------------------ */

/* One GET. The URL may carry secrets (api_key): it is never copied into a
 * message. TLS is verified; plain http is refused unless the host is
 * 127.0.0.1, [::1] or localhost. Redirects are not followed. */
typedef struct bl_http_get_opts {
    const char *url;
    size_t max_bytes;   /* a body larger than this is an error (0: 256 MiB) */
    long timeout_s;     /* whole transfer (0: 300) */
    const char *cafile; /* extra CA bundle (tests), NULL: the system's */
} bl_http_get_opts;

typedef struct bl_http_response {
    long status;      /* HTTP status, 0 when no response */
    long retry_after; /* Retry-After in seconds, 0 when none */
    char *body;       /* malloc'd, NUL-terminated (free it), NULL when none */
    size_t len;
    char error[256]; /* why no response: "" on success (never holds the URL) */
} bl_http_response;

/* BL_OK when a response arrived (whatever its status); BL_TEMPFAIL when the
 * connection failed, was dropped or timed out; BL_DATA when the body was
 * over max_bytes; BL_USAGE for a URL bilan refuses (plain http to another
 * host); BL_NOMEM. resp->error says why. */
bl_status bl_http_get(const bl_http_get_opts *o, bl_http_response *resp);
void bl_http_response_free(bl_http_response *resp);

#endif
