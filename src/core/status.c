/* error.c — status codes and the thread-local detail message. */
#include "core/core.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define AIA_ERRMSG_SIZE 1024

static _Thread_local char last_error[AIA_ERRMSG_SIZE];

const char *aia_strerror(int status)
{
    static const char *const names[AIA_STATUS_COUNT] = {
        [AIA_OK] = "success",
        [AIA_ERR_NOMEM] = "out of memory",
        [AIA_ERR_ARG] = "invalid argument",
        [AIA_ERR_IO] = "input/output error",
        [AIA_ERR_NOT_REGULAR] = "not a regular file",
        [AIA_ERR_NOT_FITS] = "not a FITS file",
        [AIA_ERR_TRUNCATED] = "truncated file",
        [AIA_ERR_NO_IMAGE] = "no image in file",
        [AIA_ERR_FITS] = "FITS error",
        [AIA_ERR_KEY_MISSING] = "required header key missing",
        [AIA_ERR_KEY_MALFORMED] = "header key malformed",
        [AIA_ERR_EXISTS] = "output exists",
        [AIA_ERR_SAME_FILE] = "output is the input",
        [AIA_ERR_RANGE] = "values out of range for output type",
        [AIA_ERR_UNSUPPORTED] = "unsupported",
        [AIA_ERR_NOT_IMPLEMENTED] = "not implemented",
        [AIA_ERR_NOT_FULL_DISK] = "not a full-disk image",
        [AIA_ERR_BAD_DATA] = "unusable pixel data",
        [AIA_ERR_CORRUPT] = "malformed FITS structure",
        [AIA_ERR_CHECKSUM] = "checksum mismatch",
        [AIA_ERR_INTERRUPTED] = "interrupted",
    };
    if (status < 0 || status >= AIA_STATUS_COUNT || !names[status])
        return "unknown status";
    return names[status];
}

const char *aia_last_error(void) { return last_error; }

double aia_now_seconds(void) { return aia_now(); }

double aia_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void aia_clear_error(void) { last_error[0] = '\0'; }

int aia_fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

void aia_error_prefix(const char *prefix)
{
    char tmp[2 * AIA_ERRMSG_SIZE + 8];
    int n = snprintf(tmp, sizeof tmp, "%s: %s", prefix, last_error);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof last_error ? (size_t)n : sizeof last_error - 1;
    memcpy(last_error, tmp, len);
    last_error[len] = '\0';
}
