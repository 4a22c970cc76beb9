/* source.c — open a FITS file for the reader: the plain checks with plain
 * messages, then either a descriptor to pread from or, for a gzip-wrapped
 * file, its inflated bytes.
 *
 * cfitsio would inflate a .gz (or .Z, .zip, bzip2) file into memory
 * itself, as large as it inflates: a 4 MB gzip can become gigabytes. Here
 * gzip is inflated chunk by chunk and stops as soon as the FITS headers
 * inflated so far say the file is complete, so the memory used is what the
 * headers declare (and at most the caller's bound); other containers are
 * refused by name. */
#include "io/source.h"

#include "io/fits_scan.h"
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

int aia_source_read(const aia_source *s, long long offset, void *buf, size_t len)
{
    if (offset < 0 || offset > s->size || (long long)len > s->size - offset)
        return aia_fail(AIA_ERR_TRUNCATED, "%s: truncated: the file ends at byte %lld, before byte %lld", s->path,
                        s->size, offset + (long long)len);
    if (s->mem) {
        memcpy(buf, s->mem + offset, len);
        return AIA_OK;
    }
    size_t got = 0;
    while (got < len) {
        const ssize_t r = pread(s->fd, (char *)buf + got, len - got, (off_t)(offset + (long long)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return aia_fail(AIA_ERR_IO, "%s: cannot read %zu bytes at byte %lld: %s", s->path, len, offset,
                            r < 0 ? strerror(errno) : "the file ended early (was it truncated while read?)");
        got += (size_t)r;
    }
    return AIA_OK;
}

/* Which container the first bytes announce, if not FITS. */
static const char *container(const unsigned char *b, size_t n)
{
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return "gzip";
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x9d)
        return "compress (.Z)";
    if (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0)
        return "zip";
    if (n >= 3 && memcmp(b, "BZh", 3) == 0)
        return "bzip2";
    if (n >= 6 && memcmp(b, "\xfd" "7zXZ", 5) == 0)
        return "xz";
    return NULL;
}

enum { CHUNK = 4 << 20 };

/* Inflate the gzip file on fd until the FITS structure it holds is
 * complete (or the stream ends), never past max_bytes. */
static int inflate_file(aia_source *s, long long max_bytes, long long max_pixels)
{
    gzFile gz = gzdopen(dup(s->fd), "rb");
    if (!gz)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory opening the gzip file", s->path);
    gzbuffer(gz, 1 << 17);
    size_t cap = 0, have = 0;
    unsigned char *buf = NULL;
    int st = AIA_OK, done = 0;
    long long need = 2880; /* at least the primary header */
    while (!done && st == AIA_OK) {
        const size_t want = have + CHUNK;
        if (want > cap) {
            unsigned char *b = realloc(buf, want);
            if (!b) {
                st = aia_fail(AIA_ERR_NOMEM, "%s: out of memory inflating the gzip file (%zu MiB)", s->path,
                              want >> 20);
                break;
            }
            buf = b;
            cap = want;
        }
        size_t ask = CHUNK;
        if ((long long)(have + ask) > need && need > (long long)have)
            ask = (size_t)(need - (long long)have); /* no further than declared */
        const int r = gzread(gz, buf + have, (unsigned)ask);
        if (r < 0) {
            int zerr = 0;
            const char *why = gzerror(gz, &zerr);
            st = aia_fail(AIA_ERR_CORRUPT, "%s: corrupt gzip data after %zu inflated bytes: %s", s->path, have,
                          why ? why : "zlib error");
            break;
        }
        have += (size_t)r;
        if (r == 0)
            break; /* end of the gzip stream */
        if (have >= 10 && memcmp(buf, "SIMPLE  = ", 10) != 0) {
            st = aia_fail(AIA_ERR_NOT_FITS, "%s: a gzip file that does not hold a FITS file", s->path);
            break;
        }
        if ((long long)have >= need) {
            const int more = aia_fits_declared_size(buf, (long long)have, max_bytes, max_pixels, &need);
            if (more <= 0)
                done = 1; /* complete, or not valid FITS: the scan of what is here says why */
            else if (need > max_bytes)
                st = aia_fail(AIA_ERR_CORRUPT, "%s: the gzip file's FITS headers declare more than %lld bytes",
                              s->path, max_bytes);
        }
    }
    gzclose(gz);
    if (st) {
        free(buf);
        return st;
    }
    s->mem = buf;
    s->size = (long long)have;
    return AIA_OK;
}

int aia_source_open(aia_source *s, const char *path, long long max_bytes, long long max_pixels)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->fd = -1;
    if (max_bytes <= 0 || max_bytes > AIA_SOURCE_MAX_BYTES)
        max_bytes = AIA_SOURCE_MAX_BYTES;
    const int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return aia_fail(AIA_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        const int e = errno;
        close(fd);
        return aia_fail(AIA_ERR_IO, "%s: cannot open: %s", path, strerror(e));
    }
    int st = AIA_OK;
    if (S_ISDIR(sb.st_mode))
        st = aia_fail(AIA_ERR_NOT_REGULAR, "%s: is a directory, not a FITS file", path);
    else if (!S_ISREG(sb.st_mode))
        st = aia_fail(AIA_ERR_NOT_REGULAR, "%s: not a regular file (a device, pipe or socket)", path);
    else if (sb.st_size == 0)
        st = aia_fail(AIA_ERR_NOT_FITS, "%s: empty file (0 bytes), not a FITS file", path);
    if (st) {
        close(fd);
        return st;
    }
    s->fd = fd;
    s->size = (long long)sb.st_size;
    unsigned char head[10] = {0};
    const size_t n = s->size < 10 ? (size_t)s->size : 10;
    st = aia_source_read(s, 0, head, n);
    const char *kind = st ? NULL : container(head, n);
    if (!st && kind && strcmp(kind, "gzip") == 0) {
        s->gzip = 1;
        st = inflate_file(s, max_bytes, max_pixels);
    } else if (!st && kind) {
        st = aia_fail(AIA_ERR_NOT_FITS, "%s: a %s file, not FITS: unpack it first (aiaprep reads FITS, plain, "
                                        "tile-compressed or gzip-wrapped)",
                      path, kind);
    } else if (!st && (n < 10 || memcmp(head, "SIMPLE  = ", 10) != 0)) {
        st = aia_fail(AIA_ERR_NOT_FITS, "%s: not a FITS file (it does not start with the SIMPLE keyword)", path);
    } else if (!st && s->size > max_bytes) {
        st = aia_fail(AIA_ERR_UNSUPPORTED, "%s: %lld bytes, more than the %lld this reader takes", path, s->size,
                      max_bytes);
    }
    if (st)
        aia_source_close(s);
    return st;
}

void aia_source_close(aia_source *s)
{
    if (s->fd >= 0)
        close(s->fd);
    free(s->mem);
    s->fd = -1;
    s->mem = NULL;
}
