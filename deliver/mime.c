/* Building a mail message (RFC 5322 + MIME) once, as bytes: libcurl's SMTP
 * adds nothing (no Date, no Message-ID), and the outbox must hold exactly
 * what is sent. Everything is 7-bit, CRLF, no line over 78 characters, so no
 * relay ever has to re-encode it (which would break nothing but signatures,
 * and would make "the bytes on disk are the bytes sent" untrue). */
#include "bilan/deliver.h"
#include "bilan/i18n.h"

#include <stdio.h>
#include <string.h>

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bl_status bl_mail_base64(bl_buf *b, const void *p, size_t n, size_t line)
{
    const unsigned char *s = p;
    size_t col = 0;
    bl_status rc = BL_OK;
    for (size_t i = 0; i < n && rc == BL_OK; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char q[4] = {B64[(v >> 18) & 63], B64[(v >> 12) & 63], i + 1 < n ? B64[(v >> 6) & 63] : '=',
                     i + 2 < n ? B64[v & 63] : '='};
        rc = bl_buf_append(b, q, 4);
        col += 4;
        if (rc == BL_OK && line && col >= line && i + 3 < n) {
            rc = bl_buf_append(b, "\r\n", 2);
            col = 0;
        }
    }
    return rc;
}

/* Quoted-printable (RFC 2045 §6.7) of UTF-8 text. A '.' or "From " opening a
 * line is encoded too, so no transport can dot-stuff or ">From"-mangle it. */
bl_status bl_mail_qp(bl_buf *b, const char *text)
{
    static const char HEX[] = "0123456789ABCDEF";
    bl_status rc = BL_OK;
    const char *s = text;
    while (*s && rc == BL_OK) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len && s[len - 1] == '\r')
            len--;
        size_t col = 0;
        for (size_t i = 0; i < len && rc == BL_OK; i++) {
            unsigned char c = (unsigned char)s[i];
            bool last = i + 1 == len;
            bool lit = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
            if (i == 0 && (c == '.' || (c == 'F' && strncmp(s, "From ", 5) == 0)))
                lit = false;
            char tok[3] = {(char)c, 0, 0};
            size_t t = 1;
            if (!lit) {
                tok[0] = '=';
                tok[1] = HEX[c >> 4];
                tok[2] = HEX[c & 15];
                t = 3;
            }
            /* Room for the token, and for a soft break '=' after it unless it
             * ends the line: a line never exceeds 76. */
            if (col + t > (last ? 76u : 75u)) {
                rc = bl_buf_append(b, "=\r\n", 3);
                col = 0;
            }
            if (rc == BL_OK)
                rc = bl_buf_append(b, tok, t);
            col += t;
        }
        if (rc == BL_OK)
            rc = bl_buf_append(b, "\r\n", 2);
        s += len;
        if (*s == '\r')
            s++;
        if (*s == '\n')
            s++;
    }
    return rc;
}

static bool ascii_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
            return false;
    return true;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 32 || (unsigned char)*s == 127)
            return true;
    return false;
}

/* Length of the longest prefix of s (at most max bytes) that ends on a UTF-8
 * character boundary: an encoded-word must hold whole characters. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n ? n : max;
}

/* Appends value as RFC 2047 B encoded-words, folding (CRLF SP) so that no
 * line exceeds 78; *col is the current column. */
static bl_status put_words(bl_buf *b, size_t *col, const char *value)
{
    bl_status rc = BL_OK;
    size_t len = strlen(value);
    const char *s = value;
    bool first = true;
    while ((len || first) && rc == BL_OK) {
        size_t avail = 78 - *col;
        if (!first || avail < 12 + 8) {
            rc = bl_buf_append(b, "\r\n ", 3);
            *col = 1;
            avail = 77;
        }
        if (avail > 75)
            avail = 75; /* an encoded-word is at most 75 characters */
        size_t maxbytes = (avail - 12) / 4 * 3;
        size_t n = utf8_cut(s, len, maxbytes);
        /* Prefer to end a word on a space (kept inside the word): decoders
         * that wrongly put a space between adjacent encoded-words (Python's
         * address parser does) then at worst double one. */
        if (n < len)
            for (size_t k = n; k > maxbytes / 2; k--)
                if (s[k - 1] == ' ') {
                    n = k;
                    break;
                }
        if (rc == BL_OK)
            rc = bl_buf_puts(b, "=?UTF-8?B?");
        if (rc == BL_OK)
            rc = bl_mail_base64(b, s, n, 0);
        if (rc == BL_OK)
            rc = bl_buf_puts(b, "?=");
        *col += 12 + (n + 2) / 3 * 4;
        s += n;
        len -= n;
        first = false;
    }
    return rc;
}

bl_status bl_mail_header_text(bl_buf *b, const char *name, const char *value)
{
    if (has_control(value))
        return BL_DATA;
    bl_status rc = bl_buf_printf(b, "%s: ", name);
    size_t col = strlen(name) + 2;
    if (rc != BL_OK)
        return rc;
    if (ascii_printable(value) && col + strlen(value) <= 78 && strstr(value, "=?") == NULL)
        rc = bl_buf_puts(b, value);
    else
        rc = put_words(b, &col, value);
    if (rc == BL_OK)
        rc = bl_buf_append(b, "\r\n", 2);
    return rc;
}

bool bl_mail_addr_valid(const char *addr)
{
    const char *at = strchr(addr, '@');
    if (!at || at == addr || strchr(at + 1, '@') || !strchr(at + 1, '.') || !at[1] ||
        at[strlen(at) - 1] == '.' || strlen(addr) > 254)
        return false;
    for (const char *p = addr; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 32 || c >= 127 || strchr("<>(),;:\"[]\\", c))
            return false;
    }
    return true;
}

bool bl_mail_parse_mailbox(const char *spec, char *name, size_t name_n, char *addr, size_t addr_n)
{
    if (has_control(spec))
        return false;
    const char *lt = strrchr(spec, '<');
    bl_sv nm = BL_SV_NULL, ad;
    if (lt) {
        const char *gt = strchr(lt, '>');
        if (!gt || bl_sv_trim(bl_sv_from(gt + 1)).len)
            return false;
        nm = bl_sv_trim((bl_sv){spec, (size_t)(lt - spec)});
        ad = (bl_sv){lt + 1, (size_t)(gt - lt - 1)};
    } else {
        ad = bl_sv_trim(bl_sv_from(spec));
    }
    /* A quoted display name: drop the quotes, they are ours to add back. */
    if (nm.len >= 2 && nm.ptr[0] == '"' && nm.ptr[nm.len - 1] == '"')
        nm = (bl_sv){nm.ptr + 1, nm.len - 2};
    if (nm.len >= name_n || ad.len >= addr_n || memchr(nm.ptr ? nm.ptr : "", '"', nm.len))
        return false;
    if (nm.len)
        memcpy(name, nm.ptr, nm.len);
    name[nm.len] = '\0';
    memcpy(addr, ad.ptr, ad.len);
    addr[ad.len] = '\0';
    return bl_mail_addr_valid(addr);
}

void bl_mail_message_id(char *out, size_t n, const char *tag, const void *unique, size_t unique_len,
                        const char *domain)
{
    char hex[65], t[96];
    size_t k = 0;
    bl_sha256_hex(unique, unique_len, hex);
    hex[24] = '\0';
    for (const char *p = tag; *p && k + 1 < sizeof t; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.';
        t[k++] = ok ? c : '-';
    }
    t[k] = '\0';
    /* The header's line " <id>" within 78 characters (docs/mail.md): the
     * tag is cut to fit (the hash keeps the id unique; until the night of 3
     * December 2026 most partners' lines were 82-88 characters). */
    long room = 75 - (long)(strlen("bilan..@") + 24 + strlen(domain));
    if (room < (long)k) {
        k = room > 0 ? (size_t)room : 0;
        while (k > 0 && t[k] != '.') /* whole parts: "2026-S1", not "2026-S1.s" */
            k--;
    }
    while (k > 0 && t[k - 1] == '.')
        k--;
    t[k] = '\0';
    snprintf(out, n, k ? "bilan.%s.%s@%s" : "bilan.%s%s@%s", t, hex, domain);
}

static bool ascii_filename(const char *s)
{
    if (!*s || *s == '.')
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

static bool msgid_valid(const char *id)
{
    const char *at = strchr(id, '@');
    if (!at || at == id || !at[1] || strlen(id) > 200)
        return false;
    for (; *id; id++)
        if ((unsigned char)*id <= 32 || (unsigned char)*id >= 127 || strchr("<>()[]\\\",;:", *id))
            return false;
    return true;
}

/* "Sat, 21 Nov 2026 15:57:31 +0000": computed, not strftime'd, so no locale
 * or time zone can change it. */
static bl_status put_date(bl_buf *b, int64_t t)
{
    static const char *const WD[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char *const MO[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - days * 86400;
    int y, m, d;
    bl_civil_from_days(days, &y, &m, &d);
    int64_t wd = ((days % 7) + 7) % 7;
    return bl_buf_printf(b, "Date: %s, %d %s %04d %02d:%02d:%02d +0000\r\n", WD[wd], d, MO[m - 1],
                         y, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

static bool atext_phrase(const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == ' ' || strchr("!#$%&'*+-/=?^_`{|}~", c)))
            return false;
    }
    return true;
}

static bl_status put_from(bl_buf *b, const char *name, const char *addr)
{
    bl_status rc = bl_buf_puts(b, "From: ");
    size_t col = 6;
    if (rc == BL_OK && name && *name) {
        if (atext_phrase(name) && col + strlen(name) + strlen(addr) + 3 <= 78 &&
            !strstr(name, "=?")) {
            rc = bl_buf_puts(b, name);
            col += strlen(name);
        } else {
            rc = put_words(b, &col, name);
        }
        if (rc == BL_OK && col + 1 + strlen(addr) + 2 > 78) {
            rc = bl_buf_append(b, "\r\n", 2);
            col = 0;
        }
        if (rc == BL_OK)
            rc = bl_buf_putc(b, ' ');
    }
    if (rc == BL_OK)
        rc = bl_buf_printf(b, "<%s>\r\n", addr);
    return rc;
}

static bl_status put_to(bl_buf *b, const char *const *to, size_t nto)
{
    bl_status rc = bl_buf_puts(b, "To: ");
    size_t col = 4;
    for (size_t i = 0; i < nto && rc == BL_OK; i++) {
        size_t l = strlen(to[i]);
        if (i) {
            rc = bl_buf_putc(b, ',');
            col++;
            if (rc == BL_OK && col + 1 + l + 1 > 78) {
                rc = bl_buf_append(b, "\r\n", 2);
                col = 0;
            }
            if (rc == BL_OK)
                rc = bl_buf_putc(b, ' ');
            col++;
        }
        if (rc == BL_OK)
            rc = bl_buf_puts(b, to[i]);
        col += l;
    }
    if (rc == BL_OK)
        rc = bl_buf_append(b, "\r\n", 2);
    return rc;
}

bl_status bl_mail_build(const bl_mail *m, bl_buf *out, char *err, size_t errn)
{
    if (!bl_mail_addr_valid(m->from_addr)) {
        snprintf(err, errn, _("'%s' is not a usable sender address"), m->from_addr);
        return BL_DATA;
    }
    if (m->from_name && has_control(m->from_name)) {
        snprintf(err, errn, _("the sender's name has a control character"));
        return BL_DATA;
    }
    if (m->nto == 0) {
        snprintf(err, errn, _("no recipient"));
        return BL_DATA;
    }
    for (size_t i = 0; i < m->nto; i++)
        if (!bl_mail_addr_valid(m->to[i])) {
            snprintf(err, errn, _("'%s' is not a usable recipient address"), m->to[i]);
            return BL_DATA;
        }
    if (!msgid_valid(m->message_id)) {
        snprintf(err, errn, _("'%s' is not a usable Message-ID"), m->message_id);
        return BL_DATA;
    }
    if (has_control(m->subject) || !bl_utf8_valid(m->subject, strlen(m->subject)) ||
        !bl_utf8_valid(m->body, strlen(m->body))) {
        snprintf(err, errn, _("the subject or the body is not valid one-line UTF-8 text"));
        return BL_DATA;
    }
    if (m->attach_name && !ascii_filename(m->attach_name)) {
        snprintf(err, errn, _("attachment name '%s' is not plain ASCII ([A-Za-z0-9._-])"),
                 m->attach_name);
        return BL_DATA;
    }
    if (m->nmore && !m->attach_name) {
        snprintf(err, errn, _("further attachments without a first one"));
        return BL_DATA;
    }
    for (size_t i = 0; i < m->nmore; i++)
        if (!ascii_filename(m->more[i].name)) {
            snprintf(err, errn, _("attachment name '%s' is not plain ASCII ([A-Za-z0-9._-])"),
                     m->more[i].name);
            return BL_DATA;
        }
    if (m->body_html && !bl_utf8_valid(m->body_html, strlen(m->body_html))) {
        snprintf(err, errn, _("the HTML body is not valid UTF-8 text"));
        return BL_DATA;
    }
    /* A boundary starting with "=_" can occur neither in base64 nor in
     * quoted-printable text, whatever the content; the alternative's is
     * not a prefix of the mixed one's, nor the reverse. */
    char hex[65], boundary[40], alt[48];
    bl_sha256_hex(m->message_id, strlen(m->message_id), hex);
    snprintf(boundary, sizeof boundary, "=_bilan_%.24s", hex);
    snprintf(alt, sizeof alt, "=_bilan_alt_%.24s", hex);

    bl_status rc = put_date(out, m->date);
    if (rc == BL_OK)
        rc = put_from(out, m->from_name, m->from_addr);
    if (rc == BL_OK)
        rc = put_to(out, m->to, m->nto);
    if (rc == BL_OK)
        rc = bl_mail_header_text(out, "Subject", m->subject);
    if (rc == BL_OK)
        rc = bl_buf_printf(out,
                           "Message-ID:%s<%s>\r\n"
                           "MIME-Version: 1.0\r\n"
                           "Content-Language: fr\r\n"
                           "Auto-Submitted: auto-generated\r\n"
                           "X-Mailer: bilan %s\r\n",
                           strlen(m->message_id) + 14 > 78 ? "\r\n " : " ", m->message_id,
                           BL_VERSION);
    if (rc == BL_OK && m->attach_name)
        rc = bl_buf_printf(out,
                           "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n"
                           "\r\n"
                           "This is a MIME message.\r\n"
                           "\r\n"
                           "--%s\r\n",
                           boundary, boundary);
    if (rc == BL_OK && m->body_html)
        rc = bl_buf_printf(out,
                           "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n"
                           "\r\n%s"
                           "--%s\r\n",
                           alt, m->attach_name ? "" : "This is a MIME message.\r\n\r\n", alt);
    if (rc == BL_OK)
        rc = bl_buf_puts(out, "Content-Type: text/plain; charset=UTF-8\r\n"
                              "Content-Transfer-Encoding: quoted-printable\r\n"
                              "\r\n");
    if (rc == BL_OK)
        rc = bl_mail_qp(out, m->body);
    if (rc == BL_OK && m->body_html) {
        rc = bl_buf_printf(out,
                           "\r\n--%s\r\n"
                           "Content-Type: text/html; charset=UTF-8\r\n"
                           "Content-Transfer-Encoding: quoted-printable\r\n"
                           "\r\n",
                           alt);
        if (rc == BL_OK)
            rc = bl_mail_qp(out, m->body_html);
        if (rc == BL_OK)
            rc = bl_buf_printf(out, "\r\n--%s--\r\n", alt);
    }
    for (size_t i = 0; m->attach_name && i <= m->nmore && rc == BL_OK; i++) {
        const char *name = i ? m->more[i - 1].name : m->attach_name;
        const char *type = i ? m->more[i - 1].type : m->attach_type;
        if (!type)
            type = "application/octet-stream";
        rc = bl_buf_printf(out,
                           "\r\n--%s\r\n"
                           "Content-Type:%s%s;\r\n name=\"%s\"\r\n"
                           "Content-Transfer-Encoding: base64\r\n"
                           "Content-Disposition: attachment;\r\n filename=\"%s\"\r\n"
                           "\r\n",
                           boundary, strlen(type) + 15 > 78 ? "\r\n " : " ", type, name, name);
        if (rc == BL_OK)
            rc = i ? bl_mail_base64(out, m->more[i - 1].data, m->more[i - 1].len, 76)
                   : bl_mail_base64(out, m->attach, m->attach_len, 76);
    }
    if (rc == BL_OK && m->attach_name)
        rc = bl_buf_printf(out, "\r\n--%s--\r\n", boundary);
    if (rc != BL_OK)
        snprintf(err, errn, "%s", rc == BL_NOMEM ? _("out of memory") : _("message too large"));
    return rc;
}
