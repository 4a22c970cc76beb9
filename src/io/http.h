/* http.h — downloads over HTTP(S) with libcurl (http.c), or an error
 * saying the library was built without it. Internal. */
#ifndef AIAPREP_IO_HTTP_H
#define AIAPREP_IO_HTTP_H

#include "core/core.h"

/* 1 when built with libcurl. */
int aia_http_available(void);

/* GET url into the file dest (created or truncated). timeout: seconds to
 * connect, and the longest time without a byte arriving; max_bytes: a body
 * larger than this is refused. Errors (AIA_ERR_IO; AIA_ERR_NOT_IMPLEMENTED
 * without libcurl) name the URL and say what went wrong: the HTTP status
 * (404 ...), a timeout, a connection refused, a body cut short (fewer bytes
 * than Content-Length). dest may hold part of a body after a failure: the
 * caller writes to a temporary and removes it. */
int aia_http_get(const char *url, const char *dest, double timeout, long long max_bytes);

/* s with the characters a URL query cannot hold percent-encoded. */
void aia_url_encode(const char *s, char *out, size_t size);

#endif
