/* checksum.c — the FITS checksum convention (FITS standard 4.0 §J; the
 * DATASUM and CHECKSUM keywords): the 32-bit ones'-complement sum of an
 * HDU's big-endian words. DATASUM is the data unit's sum as a decimal
 * string; CHECKSUM is chosen so that the whole HDU sums to -0 (all ones).
 *
 * Verified from the bytes the reader holds, before any pixel is decoded, so
 * that a file damaged in transfer or storage (a flipped bit inside a Rice
 * tile can still decode, to wrong pixels) is refused, not prepared. */
#include "io/checksum.h"

#include "core/core.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Ones'-complement sum of n bytes (n a multiple of 4): big-endian words
 * added into 64 bits (no carry is lost for n < 2^34), folded at the end;
 * an end-around carry is the same as reduction modulo 2^32 - 1. */
uint32_t aia_ones_sum(const unsigned char *p, size_t n, uint32_t start)
{
    uint64_t sum = start;
    for (size_t i = 0; i + 4 <= n; i += 4) {
        uint32_t w;
        memcpy(&w, p + i, 4);
        sum += __builtin_bswap32(w);
    }
    while (sum >> 32)
        sum = (sum & 0xffffffffu) + (sum >> 32);
    return (uint32_t)sum;
}

uint32_t aia_ones_add(uint32_t a, uint32_t b)
{
    uint64_t s = (uint64_t)a + b;
    return (uint32_t)((s & 0xffffffffu) + (s >> 32));
}

enum { PIECE = 1 << 20 }; /* a multiple of 2880 is not needed: of 4 is */

/* The sum of [at, at + bytes) of the file, zero-filled past its end (the
 * last block's padding may be missing: zeros add nothing). */
static int range_sum(const aia_source *s, long long at, long long bytes, uint32_t *sum)
{
    uint32_t acc = 0;
    const long long stop = at + bytes < s->size ? at + bytes : s->size;
    if (s->mem) {
        if (stop > at)
            acc = aia_ones_sum(s->mem + at, (size_t)(stop - at) & ~(size_t)3, 0);
        const long long tail = (stop - at) & 3;
        if (stop > at && tail) { /* a file cut inside a word */
            unsigned char w[4] = {0};
            memcpy(w, s->mem + stop - tail, (size_t)tail);
            acc = aia_ones_add(acc, aia_ones_sum(w, 4, 0));
        }
        *sum = acc;
        return AIA_OK;
    }
    unsigned char *buf = malloc(PIECE + 4);
    if (!buf)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory", s->path);
    int st = AIA_OK;
    for (long long p = at; p < stop && !st; p += PIECE) {
        const size_t len = (size_t)(stop - p < PIECE ? stop - p : PIECE);
        st = aia_source_read(s, p, buf, len);
        if (!st) {
            const size_t whole = len & ~(size_t)3;
            if (len != whole)
                memset(buf + len, 0, 4 - (len - whole));
            acc = aia_ones_add(acc, aia_ones_sum(buf, (len + 3) & ~(size_t)3, 0));
        }
    }
    free(buf);
    *sum = acc;
    return st;
}

int aia_fd_ones_sum(int fd, long long at, long long bytes, uint32_t *sum)
{
    unsigned char *buf = malloc(PIECE + 4);
    if (!buf)
        return -1;
    uint32_t acc = 0;
    int ok = 1;
    for (long long p = at; p < at + bytes && ok; p += PIECE) {
        const size_t len = (size_t)(at + bytes - p < PIECE ? at + bytes - p : PIECE);
        size_t got = 0;
        while (got < len) {
            const ssize_t r = pread(fd, buf + got, len - got, (off_t)(p + (long long)got));
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                ok = 0;
            if (r <= 0)
                break; /* the end of the file: the padding not yet written sums to 0 */
            got += (size_t)r;
        }
        memset(buf + got, 0, len - got + 4);
        acc = aia_ones_add(acc, aia_ones_sum(buf, (len + 3) & ~(size_t)3, 0));
    }
    free(buf);
    *sum = acc;
    return ok ? 0 : -1;
}

int aia_fits_verify_checksums(const aia_source *s, const aia_hdu *h, int index)
{
    if (!h->has_checksum && !h->has_datasum)
        return AIA_OK;
    const long long padded = h->next_at - h->data_at;
    uint32_t data = 0, header = 0;
    int st = range_sum(s, h->data_at, padded, &data);
    char buf[32];
    const char *hdu = aia_hdu_name(index, buf);
    if (!st && h->has_datasum && data != (uint32_t)h->datasum && !(data == 0xffffffffu && h->datasum == 0))
        return aia_fail(AIA_ERR_CHECKSUM,
                        "%s: the data of %s do not match their DATASUM (%llu in the header, %u in the file): "
                        "the file is damaged (give --no-verify to read it anyway)",
                        s->path, hdu, h->datasum, data);
    if (!st && h->has_checksum)
        st = range_sum(s, h->header_at, h->data_at - h->header_at, &header);
    if (!st && h->has_checksum && aia_ones_add(header, data) != 0xffffffffu)
        return aia_fail(AIA_ERR_CHECKSUM,
                        "%s: %s does not match its CHECKSUM: the header or the data are damaged (give "
                        "--no-verify to read it anyway)",
                        s->path, hdu);
    return st;
}
