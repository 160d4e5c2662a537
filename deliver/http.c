/* One HTTP GET with libcurl, for the SUSHI harvest (docs/sushi.md): the
 * body collected in memory up to a cap, Retry-After read, compression
 * accepted (COUNTER servers SHOULD compress), TLS verified, plain http to
 * this machine only. Messages never carry the URL: it holds the api_key. */
#include "bilan/deliver.h"
#include "curl_reason.h"
#include "bilan/i18n.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CAP ((size_t)256 << 20)

typedef struct sink {
    char *data;
    size_t len, alloc, cap;
    bool over;
} sink;

static size_t write_cb(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t add = size * n;
    if (s->len + add > s->cap) {
        s->over = true;
        return 0; /* stops the transfer */
    }
    if (s->len + add + 1 > s->alloc) {
        size_t na = s->alloc ? s->alloc : 64 * 1024;
        while (na < s->len + add + 1)
            na *= 2;
        char *d = realloc(s->data, na);
        if (!d)
            return 0;
        s->data = d;
        s->alloc = na;
    }
    memcpy(s->data + s->len, p, add);
    s->len += add;
    s->data[s->len] = '\0';
    return add;
}

bl_status bl_http_get(const bl_http_get_opts *o, bl_http_response *resp)
{
    memset(resp, 0, sizeof *resp);
    bool https = strncmp(o->url, "https://", 8) == 0;
    if (!https && !bl_url_loopback_http(o->url)) {
        snprintf(resp->error, sizeof resp->error, "%s",
                 _("refused: plain http is allowed to 127.0.0.1, [::1] or localhost only"));
        return BL_USAGE;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return BL_NOMEM;
    CURL *c = curl_easy_init();
    if (!c)
        return BL_NOMEM;
    sink s = {.cap = o->max_bytes ? o->max_bytes : DEFAULT_CAP};
    curl_easy_setopt(c, CURLOPT_URL, o->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s > 0 ? o->timeout_s : 300L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->cafile)
        curl_easy_setopt(c, CURLOPT_CAINFO, o->cafile);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "bilan (COUNTER_SUSHI harvester)");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    /* a declared length past the cap is refused before the body; an
     * undeclared or compressed one is counted as it arrives (write_cb) */
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.cap);
    CURLcode cc = curl_easy_perform(c);
    bl_status rc = BL_OK;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
#if LIBCURL_VERSION_NUM >= 0x074200
    curl_off_t ra = 0;
    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
        resp->retry_after = ra > 86400 * 7 ? 86400 * 7 : (long)ra;
#endif
    if (s.over || cc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(resp->error, sizeof resp->error, _("response larger than %zu bytes"), s.cap);
        rc = BL_DATA;
    } else if (cc != CURLE_OK) {
        /* the failure in the user's language; libcurl's generic text names
         * the failure, never the URL (no error buffer here: it may) */
        bl__curl_reason(resp->error, sizeof resp->error, cc, NULL);
        rc = cc == CURLE_OUT_OF_MEMORY ? BL_NOMEM : BL_TEMPFAIL;
    }
    curl_easy_cleanup(c);
    if (rc != BL_OK) {
        free(s.data);
        resp->status = rc == BL_DATA ? resp->status : 0;
        return rc;
    }
    resp->body = s.data;
    resp->len = s.len;
    return BL_OK;
}

void bl_http_response_free(bl_http_response *resp)
{
    free(resp->body);
    resp->body = NULL;
    resp->len = 0;
}
