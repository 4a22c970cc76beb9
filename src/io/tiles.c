/* tiles.c — Rice tile-compressed integer images through the library's own
 * codec (rice.c), with cfitsio doing everything else: opening, headers, the
 * binary table that holds the tiles and its heap, checksums, and every
 * other kind of compressed image (which this file leaves to it).
 *
 * Reading: the tiles' descriptors from cfitsio, the heap in one read of the
 * file, each descriptor checked against the heap and each tile decoded with
 * its bounds checked; tiles in parallel when the caller's OpenMP team has
 * several threads (a batch runs one thread a file), four at a time in each.
 * BSCALE/BZERO and BLANK as cfitsio applies them.
 * Writing: the compressed HDU made by cfitsio as always (fits_create_img
 * with Rice set), each row's bytes from our encoder written into its
 * COMPRESSED_DATA cell; the file's bytes are the same as cfitsio's own.
 *
 * AIAPREP_RICE=cfitsio in the environment hands both back to cfitsio. */
#include "io/checksum.h"
#include "io/io.h"
#include "io/rice.h"
#include "io/source.h"

#include <errno.h>
#include <fitsio.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sched.h>
#include <unistd.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int use_cfitsio;

static void choose(void)
{
    const char *e = getenv("AIAPREP_RICE");
    use_cfitsio = e && strcmp(e, "cfitsio") == 0;
}

const char *aia_rice_codec(void)
{
    pthread_once(&once, choose);
    return use_cfitsio ? "cfitsio" : "aiaprep";
}

static int ours(void)
{
    pthread_once(&once, choose);
    return !use_cfitsio;
}

/* ---- what a compressed HDU holds ----------------------------------------- */

typedef struct tiled {
    long nx, ny;          /* the image                                  */
    long tw, th, ntx;     /* tile size, tiles along x                   */
    long nrows;           /* tiles = table rows                         */
    int bytepix, block;
    int col;              /* COMPRESSED_DATA                            */
    double bscale, bzero;
    int has_blank;
    long blank;
    LONGLONG heap;        /* file offset of the heap                    */
    LONGLONG heap_size;   /* PCOUNT                                     */
    long theap, rowlen;   /* the heap's offset in the data unit; NAXIS1 */
} tiled;

static int key_long(fitsfile *f, const char *key, long *v)
{
    int st = 0;
    fits_read_key(f, TLONG, key, v, NULL, &st);
    return st == 0;
}

/* The parameters of the current (compressed) HDU if they are a RICE_1
 * integer image our codec reads: 1, or 0 to leave it to cfitsio. */
static int probe(fitsfile *f, tiled *t)
{
    memset(t, 0, sizeof *t);
    char cmp[FLEN_VALUE] = "", name[FLEN_VALUE] = "";
    int st = 0;
    long zbitpix = 0, znaxis = 0, v = 0;
    fits_read_key(f, TSTRING, "ZCMPTYPE", cmp, NULL, &st);
    if (st || (strcmp(cmp, "RICE_1") != 0 && strcmp(cmp, "RICE_ONE") != 0))
        return 0;
    if (!key_long(f, "ZBITPIX", &zbitpix) || (zbitpix != 8 && zbitpix != 16 && zbitpix != 32) ||
        !key_long(f, "ZNAXIS", &znaxis) || znaxis != 2 || !key_long(f, "ZNAXIS1", &t->nx) ||
        !key_long(f, "ZNAXIS2", &t->ny) || t->nx <= 0 || t->ny <= 0)
        return 0;
    t->tw = key_long(f, "ZTILE1", &v) ? v : t->nx;
    t->th = key_long(f, "ZTILE2", &v) ? v : 1;
    if (t->tw <= 0 || t->th <= 0 || t->tw > t->nx || t->th > t->ny || t->tw * t->th > (1L << 24))
        return 0; /* cfitsio reports what is wrong with such a header */
    /* ZVAL1 the block size, ZVAL2 the bytes a pixel (cfitsio's reading) */
    st = 0;
    fits_read_key(f, TSTRING, "ZNAME1", name, NULL, &st);
    if (st || strcasecmp(name, "BLOCKSIZE") != 0 || !key_long(f, "ZVAL1", &v) || v <= 0 ||
        v > AIA_RICE_MAX_BLOCK)
        return 0;
    t->block = (int)v;
    st = 0;
    fits_read_key(f, TSTRING, "ZNAME2", name, NULL, &st);
    t->bytepix = !st && strcasecmp(name, "BYTEPIX") == 0 && key_long(f, "ZVAL2", &v) ? (int)v : 4;
    if (t->bytepix != 1 && t->bytepix != 2 && t->bytepix != 4)
        return 0;
    /* only the compressed bytes: no per-tile scale, zero, null, nor tiles
     * stored another way */
    static const char *const others[] = {"ZSCALE", "ZZERO", "ZBLANK", "UNCOMPRESSED_DATA",
                                         "GZIP_COMPRESSED_DATA"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        int col = 0;
        st = 0;
        if (fits_get_colnum(f, CASEINSEN, (char *)others[i], &col, &st) == 0)
            return 0;
    }
    char card[FLEN_CARD];
    st = 0;
    if (fits_read_card(f, "ZQUANTIZ", card, &st) == 0)
        return 0;
    st = 0;
    if (fits_get_colnum(f, CASEINSEN, "COMPRESSED_DATA", &t->col, &st))
        return 0;
    t->ntx = (t->nx + t->tw - 1) / t->tw;
    if (!key_long(f, "NAXIS2", &t->nrows) || t->nrows != t->ntx * ((t->ny + t->th - 1) / t->th))
        return 0;
    /* as cfitsio: ZBLANK, else BLANK, is the null value; BSCALE/BZERO */
    st = 0;
    t->has_blank = key_long(f, "ZBLANK", &t->blank) || key_long(f, "BLANK", &t->blank);
    if (fits_read_key(f, TDOUBLE, "BSCALE", &t->bscale, NULL, &st))
        t->bscale = 1.0;
    st = 0;
    if (fits_read_key(f, TDOUBLE, "BZERO", &t->bzero, NULL, &st))
        t->bzero = 0.0;
    long rowlen = 0, theap = 0, pcount = 0;
    LONGLONG head = 0, data = 0, end = 0;
    st = 0;
    fits_get_hduaddrll(f, &head, &data, &end, &st);
    if (st || !key_long(f, "NAXIS1", &rowlen) || !key_long(f, "PCOUNT", &pcount))
        return 0;
    if (!key_long(f, "THEAP", &theap))
        theap = rowlen * t->nrows;
    t->heap = data + theap;
    t->theap = theap;
    t->rowlen = rowlen;
    t->heap_size = pcount - (theap - rowlen * t->nrows);
    fits_clear_errmsg();
    return t->heap_size >= 0;
}

/* ---- reading ---------------------------------------------------------------- */

/* One row of AIA level 1 (int16, no scaling) into float32, BLANK to NaN:
 * one vectorised loop, also built for x86-64-v3 (eight lanes a step, where
 * SSE2 needs four and unpacks to widen). */
#define DEFINE_ROW16(name, ATTR)                                                                   \
    static ATTR void name(const int16_t *src, long w, int nulls, int16_t blank, float *dst)       \
    {                                                                                              \
        for (long i = 0; i < w; i++)                                                               \
            dst[i] = nulls && src[i] == blank ? NAN : (float)src[i];                               \
    }
DEFINE_ROW16(row16_generic, )
#if AIA_HAVE_V3
#include <immintrin.h>
DEFINE_ROW16(row16_v3_cached, AIA_TARGET_V3)
/* At v3, a row of whole 32-byte groups goes out with streaming stores:
 * the frame is far larger than the caches and read again only by later
 * passes, so reading each line in before writing it (what a plain store
 * does) was traffic for nothing. */
static AIA_TARGET_V3 void row16_v3(const int16_t *src, long w, int nulls, int16_t blank, float *dst)
{
    if (((uintptr_t)dst & 31) || w % 8) {
        row16_v3_cached(src, w, nulls, blank, dst);
        return;
    }
    const __m128i b = _mm_set1_epi16(nulls ? blank : 0);
    const __m256 nan = _mm256_set1_ps(NAN);
    for (long i = 0; i < w; i += 8) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(src + i));
        __m256 f = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(v));
        if (nulls)
            f = _mm256_blendv_ps(f, nan, _mm256_castsi256_ps(_mm256_cvtepi16_epi32(_mm_cmpeq_epi16(v, b))));
        _mm256_stream_ps(dst + i, f);
    }
    _mm_sfence();
}
#define ROW16 (aia_cpu_x86_level() >= 3 ? row16_v3 : row16_generic)
#else
#define ROW16 row16_generic
#endif
#undef DEFINE_ROW16

/* The extremes of the non-null codes of AIA level 1 tiles and whether one
 * was null, gathered from each decoded row while it is in L1 cache: the
 * registration then needs no pass of its own over the frame to find them
 * (aia_source_info.range_known). */
typedef struct range16 {
    int16_t lo, hi;
    int16_t nulls; /* any */
} range16;

#define DEFINE_RANGE16(name, ATTR)                                                                 \
    static ATTR void name(const int16_t *src, long w, int nulls, int16_t blank, range16 *r)       \
    {                                                                                              \
        int16_t lo = r->lo, hi = r->hi, any = r->nulls;                                            \
        _Pragma("omp simd reduction(min : lo) reduction(max : hi) reduction(| : any)")            \
        for (long i = 0; i < w; i++) {                                                             \
            const int16_t v = src[i];                                                              \
            const int16_t null = (int16_t)(nulls && v == blank);                                   \
            any |= null;                                                                           \
            const int16_t l = null ? INT16_MAX : v, h = null ? INT16_MIN : v;                      \
            lo = l < lo ? l : lo;                                                                  \
            hi = h > hi ? h : hi;                                                                  \
        }                                                                                          \
        r->lo = lo;                                                                                \
        r->hi = hi;                                                                                \
        r->nulls = any;                                                                            \
    }
DEFINE_RANGE16(range16_generic, )
#if AIA_HAVE_V3
DEFINE_RANGE16(range16_v3, AIA_TARGET_V3)
#define RANGE16 (aia_cpu_x86_level() >= 3 ? range16_v3 : range16_generic)
#else
#define RANGE16 range16_generic
#endif
#undef DEFINE_RANGE16

/* A tile's raw values (as decoded: 1, 2 or 4 bytes) into the image, with
 * cfitsio's null test and scaling; AIA level 1's (int16, unscaled, into
 * float32) also into *r. */
static void place_tile(const tiled *t, const void *raw, long tile, aia_pixtype type, void *data, range16 *r)
{
    const long tx = tile % t->ntx, ty = tile / t->ntx;
    const long x0 = tx * t->tw, y0 = ty * t->th;
    const long w = x0 + t->tw <= t->nx ? t->tw : t->nx - x0, h = y0 + t->th <= t->ny ? t->th : t->ny - y0;
    const int scaled = t->bscale != 1.0 || t->bzero != 0.0;
    if (t->bytepix == 2 && type == AIA_PIX_F32 && !scaled) { /* AIA level 1: one vectorised loop a row */
        const int16_t *in = raw;
        for (long j = 0; j < h; j++) {
            RANGE16(in + j * w, w, t->has_blank, (int16_t)t->blank, r);
            ROW16(in + j * w, w, t->has_blank, (int16_t)t->blank,
                  (float *)data + (size_t)(y0 + j) * (size_t)t->nx + (size_t)x0);
        }
        return;
    }
    for (long j = 0; j < h; j++) {
        const size_t first = (size_t)(y0 + j) * (size_t)t->nx + (size_t)x0;
        for (long i = 0; i < w; i++) {
            const size_t k = (size_t)(j * w + i);
            long v;
            int null;
            if (t->bytepix == 1) {
                v = ((const uint8_t *)raw)[k];
                null = t->has_blank && (uint8_t)v == (uint8_t)t->blank;
            } else if (t->bytepix == 2) {
                v = ((const int16_t *)raw)[k];
                null = t->has_blank && (int16_t)v == (int16_t)t->blank;
            } else {
                v = ((const int32_t *)raw)[k];
                null = t->has_blank && (int32_t)v == (int32_t)t->blank;
            }
            const double x = scaled ? (double)v * t->bscale + t->bzero : (double)v;
            if (type == AIA_PIX_F64)
                ((double *)data)[first + (size_t)i] = null ? NAN : x;
            else
                ((float *)data)[first + (size_t)i] = null ? NAN : (float)x;
        }
    }
}

static long tile_pixels(const tiled *t, long tile)
{
    const long tx = tile % t->ntx, ty = tile / t->ntx;
    const long w = (tx + 1) * t->tw <= t->nx ? t->tw : t->nx - tx * t->tw;
    const long h = (ty + 1) * t->th <= t->ny ? t->th : t->ny - ty * t->th;
    return w * h;
}

static int decode_group(const tiled *t, const unsigned char *heap, const LONGLONG *off, const LONGLONG *len,
                        long first, int k, long n, void *raw[AIA_RICE_STREAMS], aia_rice_error *err)
{
    const unsigned char *in[AIA_RICE_STREAMS];
    size_t lens[AIA_RICE_STREAMS];
    for (int s = 0; s < k; s++) {
        in[s] = heap + off[first + s];
        lens[s] = (size_t)len[first + s];
    }
    if (t->bytepix == 1)
        return aia_rice_decode8(in, lens, k, (uint8_t *const *)raw, (size_t)n, t->block, err);
    if (t->bytepix == 2)
        return aia_rice_decode16(in, lens, k, (int16_t *const *)raw, (size_t)n, t->block, err);
    return aia_rice_decode32(in, lens, k, (int32_t *const *)raw, (size_t)n, t->block, err);
}

/* The first `need` bytes of the heap, with AIA_RICE_PAD zero bytes after
 * them, read by one thread of the team in pieces while the others decode
 * the tiles already in (the read was a serial tenth of reading a frame).
 * ready and failed are read and set atomically. */
typedef struct heap_in {
    unsigned char *bytes;
    LONGLONG need;
    LONGLONG ready; /* bytes [0, ready) are in */
    int failed;     /* a read failed: decoding stops, the caller reads again for the message */
} heap_in;

enum { HEAP_PIECE = 1 << 19 };

/* The buffer, after the check that the file holds the heap; bytes in
 * memory (an inflated .gz) are all in at once. */
static int heap_open(const tiled *t, const aia_source *src, LONGLONG need, heap_in *h)
{
    *h = (heap_in){NULL, need, 0, 0};
    if (t->heap + need > src->size)
        return aia_fail(AIA_ERR_TRUNCATED, "%s: truncated: the compressed tiles end at byte %lld, the file at %lld",
                        src->path, (long long)(t->heap + need), src->size);
    h->bytes = malloc((size_t)need + AIA_RICE_PAD);
    if (!h->bytes)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory for the compressed tiles", src->path);
    memset(h->bytes + need, 0, AIA_RICE_PAD);
    if (src->mem) {
        memcpy(h->bytes, src->mem + t->heap, (size_t)need);
        h->ready = need;
    }
    return AIA_OK;
}

/* The reading thread's part: the pieces in order, each announced. */
static void heap_fill(const tiled *t, const aia_source *src, heap_in *h)
{
    for (LONGLONG at = __atomic_load_n(&h->ready, __ATOMIC_RELAXED); at < h->need;) {
        const size_t len = (size_t)(h->need - at < HEAP_PIECE ? h->need - at : HEAP_PIECE);
        const ssize_t r = pread(src->fd, h->bytes + at, len, (off_t)(t->heap + at));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            __atomic_store_n(&h->failed, 1, __ATOMIC_RELEASE);
            return;
        }
        at += r;
        __atomic_store_n(&h->ready, at, __ATOMIC_RELEASE);
    }
}

/* Wait until bytes [0, upto) are in; 0 if the read failed. */
static int heap_wait(const heap_in *h, LONGLONG upto)
{
    upto = upto < h->need ? upto : h->need;
    while (__atomic_load_n(&h->ready, __ATOMIC_ACQUIRE) < upto)
        if (__atomic_load_n(&h->failed, __ATOMIC_ACQUIRE))
            return 0;
        else
            sched_yield();
    return 1;
}

/* After a failed read: the same bytes again here, for the message. */
static int heap_error(const tiled *t, const aia_source *src, heap_in *h)
{
    const int st = aia_source_read(src, t->heap, h->bytes, (size_t)h->need);
    return st ? st : aia_fail(AIA_ERR_IO, "%s: the compressed tiles could not be read", src->path);
}

/* What place_tile's ranges say, into the source info. */
static void state_range(const tiled *t, aia_pixtype type, const range16 *r, aia_source_info *si)
{
    si->range_known = t->bytepix == 2 && type == AIA_PIX_F32 && t->bscale == 1.0 && t->bzero == 0.0;
    if (!si->range_known)
        return;
    si->has_nulls = r->nulls != 0;
    const int any = r->lo <= r->hi; /* else every pixel was null */
    si->data_min = any ? r->lo : NAN;
    si->data_max = any ? r->hi : NAN;
}

int aia_tiles_read(fitsfile *f, const aia_source *src, aia_pixtype type, void *data, aia_source_info *si,
                   int *handled)
{
    const char *path = src->path;
    *handled = 0;
    tiled t;
    if (!ours() || !probe(f, &t))
        return AIA_OK;
    *handled = 1;
    LONGLONG *off = malloc(sizeof(LONGLONG) * (size_t)t.nrows * 2);
    if (!off)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory", path);
    LONGLONG *len = off + t.nrows, need = 0;
    int fst = 0;
    fits_read_descriptsll(f, t.col, 1, t.nrows, len, off, &fst);
    if (fst) {
        free(off);
        return aia_fail_fits(fst, path, "cannot read the tiles' descriptors");
    }
    const long max_pixels = t.tw * t.th;
    for (long r = 0; r < t.nrows; r++) {
        if (off[r] < 0 || len[r] < 0 || off[r] + len[r] > t.heap_size) {
            const int bad = aia_fail(AIA_ERR_BAD_DATA,
                                     "%s: tile %ld (table row %ld): its %lld bytes at heap offset %lld lie outside "
                                     "the %lld-byte heap",
                                     path, r + 1, r + 1, (long long)len[r], (long long)off[r],
                                     (long long)t.heap_size);
            free(off); /* after the message, which reads it */
            return bad;
        }
        need = off[r] + len[r] > need ? off[r] + len[r] : need;
    }
    heap_in hin;
    const int st = heap_open(&t, src, need, &hin);
    if (st) {
        free(hin.bytes);
        free(off);
        return st;
    }
    const unsigned char *heap = hin.bytes;
    long bad_tile = -1;
    aia_rice_error bad = {0};
    range16 range = {INT16_MAX, INT16_MIN, 0};
#pragma omp parallel
    {
        range16 mine = {INT16_MAX, INT16_MIN, 0};
        void *raw[AIA_RICE_STREAMS] = {0};
        int ok = 1;
        for (int s = 0; s < AIA_RICE_STREAMS; s++)
            ok &= (raw[s] = malloc((size_t)max_pixels * 4)) != NULL;
#pragma omp single nowait
        heap_fill(&t, src, &hin);
#pragma omp for schedule(dynamic, 4)
        for (long g = 0; g < (t.nrows + AIA_RICE_STREAMS - 1) / AIA_RICE_STREAMS; g++) {
            const long first = g * AIA_RICE_STREAMS;
            const long rest = t.nrows - first < AIA_RICE_STREAMS ? t.nrows - first : AIA_RICE_STREAMS;
            /* in lockstep only tiles of one size: the edge tiles differ */
            for (long s0 = 0; s0 < rest && ok;) {
                const long n = tile_pixels(&t, first + s0);
                int k = 1;
                while (s0 + k < rest && tile_pixels(&t, first + s0 + k) == n)
                    k++;
                LONGLONG upto = 0; /* the group's bytes, and what the decoder may read past them */
                for (int s = 0; s < k; s++)
                    upto = off[first + s0 + s] + len[first + s0 + s] > upto ? off[first + s0 + s] + len[first + s0 + s]
                                                                           : upto;
                if (!heap_wait(&hin, upto + AIA_RICE_PAD))
                    break;
                aia_rice_error e;
                if (decode_group(&t, heap, off, len, first + s0, k, n, raw, &e)) {
#pragma omp critical
                    if (bad_tile < 0 || first + s0 + e.tile < bad_tile) {
                        bad_tile = first + s0 + e.tile;
                        bad = e;
                    }
                    break;
                }
                for (int s = 0; s < k; s++)
                    place_tile(&t, raw[s], first + s0 + s, type, data, &mine);
                s0 += k;
            }
        }
        for (int s = 0; s < AIA_RICE_STREAMS; s++)
            free(raw[s]);
        if (!ok) {
#pragma omp critical
            bad_tile = bad_tile < 0 ? -2 : bad_tile;
        }
#pragma omp critical
        {
            range.lo = mine.lo < range.lo ? mine.lo : range.lo;
            range.hi = mine.hi > range.hi ? mine.hi : range.hi;
            range.nulls |= mine.nulls;
        }
    }
    int read_st = hin.failed ? heap_error(&t, src, &hin) : AIA_OK;
    free(hin.bytes);
    free(off);
    if (read_st)
        return read_st;
    if (bad_tile == -2)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory decoding tiles", path);
    if (bad_tile >= 0)
        return aia_fail(AIA_ERR_BAD_DATA, "%s: corrupt compressed tile %ld (table row %ld), byte %zu of its data: %s",
                        path, bad_tile + 1, bad_tile + 1, bad.byte, bad.why);
    state_range(&t, type, &range, si);
    return AIA_OK;
}

/* ---- writing ---------------------------------------------------------------- */

enum { CHUNK_ROWS = 64, GROUPS = CHUNK_ROWS / AIA_RICE_STREAMS };

/* One chunk of rows on its way out: codes, tiles, and the tiles' lengths. */
typedef struct chunk {
    void *ints;
    unsigned char *bytes; /* row r's tile at r * cap */
    size_t len[CHUNK_ROWS];
    long long blanks[GROUPS];
} chunk;

/* The data unit's sum (DATASUM) as the chunks go out: the descriptors'
 * words, and each chunk's tiles at their place in the heap. Known only for
 * a table of one 32-bit descriptor a row (1P, NAXIS1 = 8), which is what
 * cfitsio makes for these tiles; otherwise the writer reads the file back. */
typedef struct data_sum {
    int known;
    uint64_t words; /* the descriptors' words, added (< 2^32 of them) */
    uint32_t heap;  /* the heap's bytes so far, in ones' complement   */
} data_sum;

/* Rows [y0, y0 + rows) of a chunk handed to cfitsio; returns its BLANKs.
 * Its tiles, one after another (packed), go into the heap in one write, as
 * the array of its last row; then each row's descriptor is set to its own
 * tile. The heap and the descriptors are the bytes a write a row would give
 * (the rows' tiles in order, none between), and cfitsio sizes TFORM's
 * maximum from the descriptors as it closes the HDU; one write of ~190 KB
 * goes to the file directly, where 64 of ~3 KB went through cfitsio's
 * 2880-byte buffers, a write call each (this was a third of writing a
 * frame, in the thread that also encodes). *heap: the heap's length so far. */
static long long put_chunk(fitsfile *f, const tiled *t, const chunk *c, long y0, long rows, size_t cap,
                           unsigned char *packed, LONGLONG *heap, data_sum *sum, int *fst)
{
    long long blanks = 0;
    for (long g = 0; g < (rows + AIA_RICE_STREAMS - 1) / AIA_RICE_STREAMS; g++)
        blanks += c->blanks[g];
    size_t total = 0;
    for (long r = 0; r < rows; r++) {
        memcpy(packed + total, c->bytes + (size_t)r * cap, c->len[r]);
        total += c->len[r];
    }
    fits_write_col(f, TBYTE, t->col, y0 + rows, 1, (LONGLONG)total, packed, fst);
    LONGLONG at = *heap;
    if (sum->known)
        sum->heap = aia_ones_add(sum->heap, aia_ones_sum_at(packed, total, (long long)t->theap + at));
    for (long r = 0; r < rows && !*fst; r++) {
        fits_write_descript(f, t->col, y0 + r + 1, (LONGLONG)c->len[r], at, fst);
        sum->words += (uint32_t)c->len[r] + (uint64_t)(uint32_t)at;
        at += (LONGLONG)c->len[r];
    }
    *heap = at;
    return blanks;
}

/* A flag other threads of the team may set (an OpenMP atomic read). */
static int flag_set(const int *flag)
{
    int v;
#pragma omp atomic read
    v = *flag;
    return v;
}

/* The team converts and encodes chunk k into one of two buffers while one
 * of its threads hands chunk k - 1 to cfitsio (serial; after the encoding,
 * as it was, it was a fifth of the writer's time). The `for` of chunk k
 * ends with a barrier, so chunk k - 1 is out before its buffer takes chunk
 * k + 1. With one thread, the same steps in order. */
int aia_tiles_write(fitsfile *f, const aia_image *img, const aia_int_coding *c, aia_code_hist *hist,
                    long long *blanks, int *handled, aia_data_checksum *datasum)
{
    const aia_out_type type = c->type;
    *handled = 0;
    datasum->known = 0;
    tiled t;
    if (!ours() || (type != AIA_OUT_INT16 && type != AIA_OUT_INT32) || !probe(f, &t) || t.tw != img->width ||
        t.th != 1 || t.bytepix != (type == AIA_OUT_INT16 ? 2 : 4))
        return 0; /* cfitsio writes anything else */
    *handled = 1;
    const size_t w = (size_t)img->width, esize = type == AIA_OUT_INT16 ? 2 : 4;
    const size_t cap = aia_rice_bound(w, (int)esize) + 8;
    chunk buf[2] = {{0}};
    int fst = 0;
    for (int b = 0; b < 2; b++) {
        buf[b].ints = malloc(CHUNK_ROWS * w * esize);
        buf[b].bytes = malloc(CHUNK_ROWS * cap);
        if (!buf[b].ints || !buf[b].bytes)
            fst = MEMORY_ALLOCATION;
    }
    unsigned char *packed = malloc(CHUNK_ROWS * cap);
    LONGLONG heap = 0; /* a new HDU's heap is empty */
    long fields = 0;
    data_sum sum = {.known = t.rowlen == 8 && t.theap == 8 * t.nrows && key_long(f, "TFIELDS", &fields) && fields == 1};
    if (!packed)
        fst = MEMORY_ALLOCATION;
    const long chunks = (img->height + CHUNK_ROWS - 1) / CHUNK_ROWS;
    long long total = 0;
    int outside = 0; /* a value past c's bounds: stop */
    if (!fst) {
#pragma omp parallel
        for (long k = 0; k <= chunks; k++) {
            if (k > 0) {
                const long y0 = (k - 1) * CHUNK_ROWS;
#pragma omp single nowait
                if (!flag_set(&outside))
                    total += put_chunk(f, &t, &buf[(k - 1) % 2], y0,
                                       img->height - y0 < CHUNK_ROWS ? img->height - y0 : CHUNK_ROWS, cap, packed,
                                       &heap, &sum, &fst);
            }
            if (k < chunks) {
                const long y0 = k * CHUNK_ROWS, rows = img->height - y0 < CHUNK_ROWS ? img->height - y0 : CHUNK_ROWS;
                chunk *ch = &buf[k % 2];
#pragma omp for schedule(dynamic, 1)
                for (long r = 0; r < rows; r += AIA_RICE_STREAMS) {
                    const int n = (int)(rows - r < AIA_RICE_STREAMS ? rows - r : AIA_RICE_STREAMS);
                    void *ints = (char *)ch->ints + (size_t)r * w * esize;
                    const long long got = flag_set(&outside) ? -1 : aia_to_integers_here(img, c, y0 + r, n, ints, hist);
                    ch->blanks[r / AIA_RICE_STREAMS] = got;
                    if (got < 0) {
#pragma omp atomic write
                        outside = 1;
                        continue;
                    }
                    unsigned char *out[AIA_RICE_STREAMS];
                    const void *in[AIA_RICE_STREAMS];
                    for (int s = 0; s < n; s++) {
                        in[s] = (const char *)ints + (size_t)s * w * esize;
                        out[s] = ch->bytes + (size_t)(r + s) * cap;
                    }
                    if (type == AIA_OUT_INT16)
                        aia_rice_encode16((const int16_t *const *)in, n, w, t.block, out, ch->len + r);
                    else
                        aia_rice_encode32((const int32_t *const *)in, n, w, t.block, out, ch->len + r);
                }
            }
        }
    }
    *blanks = outside ? -1 : total; /* after the region: no other thread */
    if (sum.known && !fst && !outside) {
        uint64_t words = sum.words;
        while (words >> 32)
            words = (words & 0xffffffffu) + (words >> 32);
        datasum->known = 1;
        datasum->sum = aia_ones_add((uint32_t)words, sum.heap);
    }
    for (int b = 0; b < 2; b++) {
        free(buf[b].ints);
        free(buf[b].bytes);
    }
    free(packed);
    return fst;
}
