/* tile_check.c — a tile-compressed image's tiles checked before cfitsio
 * decodes them (FITS standard 4.0 §10.1: one table row a tile, the bytes
 * in the heap through variable-length array descriptors).
 *
 * cfitsio uses descriptors as given and its decoders trust the bytes: a
 * Rice tile with a flipped byte can make it read past the tile, a GZIP tile
 * one byte short makes it grow its buffer forever, HCOMPRESS and PLIO tiles
 * carry sizes it writes by. So: every descriptor of every array column must
 * lie inside the heap; and where cfitsio (not the library's own Rice
 * decoder) will decode, each tile is first decoded here by a decoder that
 * checks its bounds (Rice: rice.c; GZIP: zlib, which must reach the
 * stream's end inside the tile and give one of the sizes cfitsio accepts).
 * HCOMPRESS_1, PLIO_1, BZIP2_1 and NOCOMPRESS images are refused: their
 * cfitsio decoders cannot be checked this way, and AIA data never use them. */
#include "io/tile_check.h"

#include "core/core.h"
#include "io/rice.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static long long big_endian(const unsigned char *p, int bytes)
{
    unsigned long long v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return bytes == 4 ? (long long)(int32_t)(uint32_t)v : (long long)v;
}

typedef struct descriptor {
    long long count, offset; /* elements; bytes into the heap */
} descriptor;

static descriptor read_descriptor(const unsigned char *row, const aia_column *c)
{
    const int w = c->type == 'P' ? 4 : 8;
    descriptor d = {big_endian(row + c->offset, w), big_endian(row + c->offset + w, w)};
    return d;
}

/* Pixels in tile t (row-major over the tile grid, the first axis fastest),
 * clipped at the image's edges. */
static long long tile_length(const aia_zparams *z, long long t)
{
    long long n = 1;
    for (int i = 0; i < z->znaxis; i++) {
        const long long along = (z->znaxes[i] - 1) / z->ztile[i] + 1;
        const long long k = t % along;
        t /= along;
        const long long first = k * z->ztile[i];
        n *= first + z->ztile[i] <= z->znaxes[i] ? z->ztile[i] : z->znaxes[i] - first;
    }
    return n;
}

/* A gzip stream that ends inside its len bytes and inflates to one of the
 * allowed sizes: the size, or 0 when it does not. */
static size_t gzip_size(const unsigned char *in, size_t len, unsigned char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return 0;
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    const int r = inflate(&z, Z_FINISH);
    const size_t got = r == Z_STREAM_END ? (size_t)z.total_out : 0;
    inflateEnd(&z);
    return got;
}

static int tile_fail(const aia_source *s, const char *hdu, long long row, const char *fmt, long long a,
                     long long b)
{
    char what[200];
    snprintf(what, sizeof what, fmt, a, b);
    return aia_fail(AIA_ERR_CORRUPT, "%s: %s: tile %lld (table row %lld): %s", s->path, hdu, row + 1, row + 1,
                    what);
}

/* The tile's bytes decoded by the library's Rice decoder into scratch. */
static int rice_ok(const aia_zparams *z, const unsigned char *bytes, size_t len, long long n, void *scratch,
                   aia_rice_error *e)
{
    const unsigned char *in[1] = {bytes};
    const size_t lens[1] = {len};
    if (z->rice_bytepix == 1)
        return aia_rice_decode8(in, lens, 1, (uint8_t *const[]){scratch}, (size_t)n, z->rice_block, e) == 0;
    if (z->rice_bytepix == 2)
        return aia_rice_decode16(in, lens, 1, (int16_t *const[]){scratch}, (size_t)n, z->rice_block, e) == 0;
    return aia_rice_decode32(in, lens, 1, (int32_t *const[]){scratch}, (size_t)n, z->rice_block, e) == 0;
}

static int check_streams(const aia_source *s, const aia_hdu *h, const char *hdu, const unsigned char *table,
                         const unsigned char *heap)
{
    const aia_zparams *z = &h->z;
    const aia_column *cdata = aia_hdu_column(h, "COMPRESSED_DATA");
    const aia_column *gz = aia_hdu_column(h, "GZIP_COMPRESSED_DATA");
    const aia_column *raw = aia_hdu_column(h, "UNCOMPRESSED_DATA");
    const int rice = strncmp(z->cmptype, "RICE", 4) == 0;
    const size_t cap = (size_t)z->tile_pixels * 8;
    unsigned char *scratch = malloc(cap + 8);
    if (!scratch)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory checking the tiles", s->path);
    int st = AIA_OK;
    for (long long r = 0; r < z->tiles && !st; r++) {
        const unsigned char *row = table + r * h->naxes[0];
        const long long n = tile_length(z, r);
        const descriptor d = read_descriptor(row, cdata);
        if (d.count > 0) {
            const unsigned char *bytes = heap + d.offset;
            if (rice) {
                if (z->rice_bytepix == 8) {
                    st = tile_fail(s, hdu, r, "Rice with 8 bytes a pixel (%lld) is not a format cfitsio reads", 8, 0);
                    break;
                }
                aia_rice_error e;
                if (!rice_ok(z, bytes, (size_t)d.count, n, scratch, &e))
                    st = aia_fail(AIA_ERR_CORRUPT, "%s: %s: corrupt compressed tile %lld (table row %lld), byte "
                                                   "%zu of its data: %s",
                                  s->path, hdu, r + 1, r + 1, e.byte, e.why);
            } else { /* GZIP_1, GZIP_2: 1, 2, 4 or 8 bytes a pixel */
                const size_t got = gzip_size(bytes, (size_t)d.count, scratch, cap);
                const size_t un = (size_t)n;
                if (got != un && got != 2 * un && got != 4 * un && got != 8 * un)
                    st = tile_fail(s, hdu, r,
                                   "its gzip data (%lld bytes) are damaged or do not inflate to the tile's "
                                   "%lld pixels",
                                   d.count, n);
            }
        } else if (gz) {
            const descriptor g = read_descriptor(row, gz);
            const size_t want = (size_t)n * (z->zbitpix == -64 ? 8 : 4);
            if (g.count > 0 && (z->zbitpix > 0 || gzip_size(heap + g.offset, (size_t)g.count, scratch, cap) != want))
                st = tile_fail(s, hdu, r, "its GZIP_COMPRESSED_DATA (%lld bytes) are damaged or not %lld pixels",
                               g.count, n);
        } else if (raw) {
            const descriptor u = read_descriptor(row, raw);
            if (u.count != 0 && u.count != n)
                st = tile_fail(s, hdu, r, "UNCOMPRESSED_DATA holds %lld values, the tile %lld pixels", u.count, n);
        }
    }
    free(scratch);
    return st;
}

int aia_tiles_check(const aia_source *s, const aia_hdu *h, int index, int streams)
{
    char buf[32];
    const char *hdu = aia_hdu_name(index, buf);
    if (streams) {
        static const char *const refused[] = {"HCOMPRESS_1", "PLIO_1", "BZIP2_1", "NOCOMPRESS"};
        for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
            if (strcmp(h->z.cmptype, refused[i]) == 0)
                return aia_fail(AIA_ERR_UNSUPPORTED,
                                "%s: %s: %s tile compression is not read: cfitsio's decoder for it does not "
                                "check a tile's sizes, so a damaged file could crash the batch, and AIA data "
                                "never use it (convert with `funpack` and `fpack -r`)",
                                s->path, hdu, refused[i]);
    }
    const long long rows = h->naxes[1], rowlen = h->naxes[0];
    const long long heap_size = h->pcount - (h->theap - rowlen * rows);
    unsigned char *table = malloc((size_t)(rowlen * rows) + 1);
    if (!table)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory for the tile table", s->path);
    int st = aia_source_read(s, h->data_at, table, (size_t)(rowlen * rows));
    long long need = 0;
    for (int c = 0; c < h->tfields && !st; c++) {
        const aia_column *col = &h->cols[c];
        if (col->type != 'P' && col->type != 'Q')
            continue;
        for (long long r = 0; r < rows && !st; r++) {
            const descriptor d = read_descriptor(table + r * rowlen, col);
            if (d.count < 0 || d.offset < 0 || d.offset > heap_size ||
                d.count > (heap_size - d.offset) / col->elem_bytes)
                st = aia_fail(AIA_ERR_CORRUPT,
                              "%s: %s: tile %lld (table row %lld): its %s array (%lld elements at heap offset "
                              "%lld) lies outside the %lld-byte heap",
                              s->path, hdu, r + 1, r + 1, col->name, d.count, d.offset, heap_size);
            else if (d.offset + d.count * col->elem_bytes > need)
                need = d.offset + d.count * col->elem_bytes;
        }
    }
    if (!st && streams) {
        unsigned char *heap = malloc((size_t)need + AIA_RICE_PAD);
        if (!heap)
            st = aia_fail(AIA_ERR_NOMEM, "%s: out of memory for the compressed tiles", s->path);
        if (!st)
            st = aia_source_read(s, h->data_at + h->theap, heap, (size_t)need);
        if (!st) {
            memset(heap + need, 0, AIA_RICE_PAD);
            st = check_streams(s, h, hdu, table, heap);
        }
        free(heap);
    }
    free(table);
    return st;
}
