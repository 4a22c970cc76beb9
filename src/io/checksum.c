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

/* The big-endian words of n bytes (a multiple of 4) added into 64 bits: no
 * carry is lost below 2^32 words. A plain loop that GCC vectorises
 * (byte shuffles and widening adds), built also at x86-64-v3. */
#define DEFINE_WORD_SUM(name, ATTR)                                                                \
    static ATTR uint64_t name(const unsigned char *p, size_t n)                                    \
    {                                                                                              \
        uint64_t sum = 0;                                                                          \
        _Pragma("omp simd reduction(+ : sum)")                                                     \
        for (size_t i = 0; i < n / 4; i++) {                                                       \
            uint32_t w;                                                                            \
            memcpy(&w, p + 4 * i, 4);                                                              \
            sum += __builtin_bswap32(w);                                                           \
        }                                                                                          \
        return sum;                                                                                \
    }
DEFINE_WORD_SUM(word_sum_generic, )
#if AIA_HAVE_V3
DEFINE_WORD_SUM(word_sum_v3, AIA_TARGET_V3)
#define WORD_SUM (aia_cpu_x86_level() >= 3 ? word_sum_v3 : word_sum_generic)
#else
#define WORD_SUM word_sum_generic
#endif
#undef DEFINE_WORD_SUM

/* Ones'-complement sum: the 64-bit sum folded (an end-around carry is the
 * same as reduction modulo 2^32 - 1). */
uint32_t aia_ones_sum(const unsigned char *p, size_t n, uint32_t start)
{
    uint64_t sum = (uint64_t)start + WORD_SUM(p, n);
    while (sum >> 32)
        sum = (sum & 0xffffffffu) + (sum >> 32);
    return (uint32_t)sum;
}

uint32_t aia_ones_sum_at(const unsigned char *p, size_t n, long long at)
{
    const size_t whole = n & ~(size_t)3;
    uint32_t sum = aia_ones_sum(p, whole, 0);
    if (n > whole) {
        unsigned char last[4] = {0};
        memcpy(last, p + whole, n - whole);
        sum = aia_ones_sum(last, 4, sum);
    }
    const unsigned r = 8u * (unsigned)(at & 3);
    return r ? (sum >> r) | (sum << (32 - r)) : sum;
}

uint32_t aia_ones_add(uint32_t a, uint32_t b)
{
    uint64_t s = (uint64_t)a + b;
    return (uint32_t)((s & 0xffffffffu) + (s >> 32));
}

enum { PIECE = 1 << 20 }; /* a multiple of 2880 is not needed: of 4 is */

/* Where the bytes of a sum come from: a file through pread, whose end
 * counts as zeros (strict = 0: a file being written), or that must hold
 * them all (strict = 1: a source being read). */
typedef struct piece_source {
    int fd;
    int strict;
} piece_source;

/* [at, at + len) into buf, zeros past the end of an fd's file; -1 on a
 * read error. No message: the caller's thread reports. */
static int read_piece(const piece_source *ps, long long at, unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        const ssize_t r = pread(ps->fd, buf + got, len - got, (off_t)(at + (long long)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || (r == 0 && ps->strict))
            return -1;
        if (r == 0)
            break; /* the end of the file: the padding not yet written sums to 0 */
        got += (size_t)r;
    }
    memset(buf + got, 0, len - got);
    return 0;
}

/* The ones'-complement sum of [at, at + bytes) in pieces, by the team of
 * threads (each piece starts on a word: the partial sums add up to the
 * whole, in any order); -1 on a read error. */
static int pieces_sum(const piece_source *ps, long long at, long long bytes, uint32_t *sum)
{
    const long long pieces = (bytes + PIECE - 1) / PIECE;
    uint32_t acc = 0;
    int ok = 1;
#pragma omp parallel if (pieces > 1)
    {
        unsigned char *buf = malloc(PIECE + 4);
        uint32_t mine = 0;
        int mine_ok = buf != NULL;
#pragma omp for schedule(static)
        for (long long k = 0; k < pieces; k++) {
            const long long p = at + k * PIECE;
            const size_t len = (size_t)(at + bytes - p < PIECE ? at + bytes - p : PIECE);
            if (mine_ok && read_piece(ps, p, buf, len) == 0) {
                memset(buf + len, 0, 4); /* a last, partial word */
                mine = aia_ones_add(mine, aia_ones_sum(buf, (len + 3) & ~(size_t)3, 0));
            } else {
                mine_ok = 0;
            }
        }
        free(buf);
#pragma omp critical
        {
            acc = aia_ones_add(acc, mine);
            ok &= mine_ok;
        }
    }
    *sum = acc;
    return ok ? 0 : -1;
}

/* The sum of [at, at + bytes) of the file, zero-filled past its end (the
 * last block's padding may be missing: zeros add nothing). */
static int range_sum(const aia_source *s, long long at, long long bytes, uint32_t *sum)
{
    uint32_t acc = 0;
    const long long stop = at + bytes < s->size ? at + bytes : s->size;
    if (s->mem) {
        const size_t whole = stop > at ? (size_t)(stop - at) & ~(size_t)3 : 0;
        const long long parts = (long long)(whole / PIECE + 1);
#pragma omp parallel for schedule(static) if (parts > 1)
        for (long long k = 0; k < parts; k++) {
            const size_t b = (size_t)k * PIECE, e = b + PIECE < whole ? b + PIECE : whole;
            const uint32_t part = b < e ? aia_ones_sum(s->mem + at + b, e - b, 0) : 0;
#pragma omp critical
            acc = aia_ones_add(acc, part);
        }
        const long long tail = stop > at ? (stop - at) & 3 : 0;
        if (tail) { /* a file cut inside a word */
            unsigned char w[4] = {0};
            memcpy(w, s->mem + stop - tail, (size_t)tail);
            acc = aia_ones_add(acc, aia_ones_sum(w, 4, 0));
        }
        *sum = acc;
        return AIA_OK;
    }
    *sum = 0;
    const piece_source ps = {s->fd, 1};
    if (stop <= at || pieces_sum(&ps, at, stop - at, sum) == 0)
        return AIA_OK;
    /* a read failed in some thread: again here, for the message */
    unsigned char *buf = malloc(PIECE + 4);
    if (!buf)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory", s->path);
    int st = AIA_OK;
    for (long long p = at; p < stop && !st; p += PIECE)
        st = aia_source_read(s, p, buf, (size_t)(stop - p < PIECE ? stop - p : PIECE));
    free(buf);
    return st ? st : aia_fail(AIA_ERR_IO, "%s: cannot read it for its checksum", s->path);
}

int aia_fd_ones_sum(int fd, long long at, long long bytes, uint32_t *sum)
{
    const piece_source ps = {fd, 0};
    return pieces_sum(&ps, at, bytes, sum);
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
