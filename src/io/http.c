/* http.c — one GET into a file with libcurl: redirects followed, only
 * http and https, a stall (no byte for `timeout` seconds) and a body cut
 * short are errors, and so is any HTTP status from 400 on. Built without
 * libcurl (AIAPREP_WITH_CURL undefined), every download is an error that
 * says so; the cache still serves what it has. */
#include "io/http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void aia_url_encode(const char *s, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s && n + 4 < size; s++) {
        const unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c)) {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
}

#ifndef AIAPREP_WITH_CURL

int aia_http_available(void) { return 0; }

int aia_http_get(const char *url, const char *dest, double timeout, long long max_bytes)
{
    (void)dest, (void)timeout, (void)max_bytes;
    return aia_fail(AIA_ERR_NOT_IMPLEMENTED,
                    "%s: cannot download: aiaprep was built without libcurl (apt-get install "
                    "libcurl4-openssl-dev and rebuild), so only tables already in the cache can be used",
                    url);
}

#else

#include <curl/curl.h>
#include <pthread.h>

int aia_http_available(void) { return 1; }

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_status = CURLE_OK;
static void init_curl(void) { curl_init_status = curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct sink {
    FILE *f;
    long long bytes, max;
    int too_big, write_error;
} sink;

static size_t write_body(char *data, size_t size, size_t nmemb, void *user)
{
    sink *s = user;
    const size_t n = size * nmemb;
    if (s->bytes + (long long)n > s->max) {
        s->too_big = 1;
        return 0; /* abort the transfer */
    }
    if (fwrite(data, 1, n, s->f) != n) {
        s->write_error = errno ? errno : EIO;
        return 0;
    }
    s->bytes += (long long)n;
    return n;
}

int aia_http_get(const char *url, const char *dest, double timeout, long long max_bytes)
{
    pthread_once(&curl_once, init_curl);
    if (curl_init_status != CURLE_OK)
        return aia_fail(AIA_ERR_IO, "%s: libcurl cannot start: %s", url, curl_easy_strerror(curl_init_status));
    FILE *f = fopen(dest, "wb");
    if (!f)
        return aia_fail(AIA_ERR_IO, "%s: cannot create %s: %s", url, dest, strerror(errno));
    CURL *c = curl_easy_init();
    if (!c) {
        fclose(f);
        return aia_fail(AIA_ERR_NOMEM, "%s: libcurl cannot make a handle", url);
    }
    const long seconds = timeout >= 1 ? (long)timeout : 1;
    sink s = {f, 0, max_bytes, 0, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, seconds);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L); /* a stall: under 1 byte/s ... */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, seconds); /* ... for this long */
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* gzip if the server offers it */
    curl_easy_setopt(c, CURLOPT_USERAGENT, "aiaprep/" AIAPREP_VERSION_STRING " libcurl");
    const CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_off_t expected = -1;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
    curl_easy_cleanup(c);
    const int close_failed = fclose(f) != 0;
    if (rc == CURLE_HTTP_RETURNED_ERROR)
        return aia_fail(AIA_ERR_IO, "%s: the server answered HTTP %ld", url, status);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return aia_fail(AIA_ERR_IO, "%s: timed out (nothing for %ld s): %s", url, seconds, errbuf);
    if (rc == CURLE_PARTIAL_FILE)
        return aia_fail(AIA_ERR_IO, "%s: the answer was cut short: %lld of %lld bytes (truncated)", url,
                        s.bytes, (long long)expected);
    if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED)
        return aia_fail(AIA_ERR_IO, "%s: the answer is larger than %lld bytes: not a calibration file", url,
                        max_bytes);
    if (s.write_error || close_failed)
        return aia_fail(AIA_ERR_IO, "%s: cannot write %s: %s", url, dest, strerror(s.write_error ? s.write_error : errno));
    if (rc != CURLE_OK)
        return aia_fail(AIA_ERR_IO, "%s: %s%s%s", url, curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf);
    if (status != 200)
        return aia_fail(AIA_ERR_IO, "%s: the server answered HTTP %ld, not 200", url, status);
    return AIA_OK;
}

#endif
