/* libcurl's failures in the user's language: its messages are English
 * only (docs/i18n.md). */
#include "curl_reason.h"

#include "bilan/i18n.h"

#include <stdio.h>

static const char *reason_of(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return _("host name not found");
    case CURLE_COULDNT_RESOLVE_PROXY:
        return _("proxy name not found");
    case CURLE_COULDNT_CONNECT:
        return _("connection refused or server unreachable");
    case CURLE_OPERATION_TIMEDOUT:
        return _("no answer in time");
    case CURLE_PEER_FAILED_VERIFICATION:
        return _("the server's certificate could not be verified");
    case CURLE_SSL_CONNECT_ERROR:
        return _("the TLS handshake failed");
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        return _("the connection broke");
    case CURLE_GOT_NOTHING:
        return _("the server closed the connection without answering");
    default:
        return NULL;
    }
}

const char *bl__curl_reason(char *out, size_t n, CURLcode cc, const char *detail)
{
    const char *words = detail && *detail ? detail : curl_easy_strerror(cc);
    const char *r = reason_of(cc);
    if (r)
        snprintf(out, n, _("%s (%s)"), r, words);
    else
        snprintf(out, n, "%s", words);
    return out;
}
