/* libcurl's failures in the user's language (deliver's own header). */
#ifndef BILAN_DELIVER_CURL_REASON_H
#define BILAN_DELIVER_CURL_REASON_H

#include <curl/curl.h>
#include <stddef.h>

/* "host name not found (Could not resolve host: mail.example.invalid)":
 * the failure said in the user's language for the codes a user meets
 * (name, connection, time-out, TLS, a broken connection), libcurl's own
 * words after it in parentheses (they name the host, never a secret);
 * libcurl's words alone for any other code. detail: libcurl's error
 * buffer, or "" for its generic text. Returns out. */
const char *bl__curl_reason(char *out, size_t n, CURLcode cc, const char *detail);

#endif
