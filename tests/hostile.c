/* hostile.c — the hostile FITS files of hostile.h. Each is a small valid
 * file (cfitsio writes it) with one thing made wrong, as an attacker or a
 * damaged transfer would: the names say what. */
#include "hostile.h"

#include "aiaprep.h"

#include <fitsio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* ---- writing and patching ---------------------------------------------------- */

static unsigned pattern(long i)
{
    unsigned x = (unsigned)i * 2654435761u;
    return (x >> 7) % 900u + (unsigned)(i % 97);
}

/* An image of nx x ny pixels, tile-compressed with comptype (0: none, in
 * the primary), of BITPIX bitpix, tiles tx x ty. */
static int write_image(const char *path, int comptype, int bitpix, long nx, long ny, long tx, long ty,
                       int checksums)
{
    fitsfile *f = NULL;
    int st = 0;
    char name[4200];
    snprintf(name, sizeof name, "!%s", path);
    fits_create_file(&f, name, &st);
    if (comptype) {
        long tile[2] = {tx, ty};
        fits_set_compression_type(f, comptype, &st);
        fits_set_tile_dim(f, 2, tile, &st);
    }
    long dims[2] = {nx, ny};
    fits_create_img(f, bitpix, 2, dims, &st);
    fits_write_key_str(f, "TELESCOP", "SDO/AIA", "a card to patch", &st);
    const long n = nx * ny;
    if (bitpix < 0) {
        float *v = malloc(sizeof(float) * (size_t)n);
        for (long i = 0; v && i < n; i++)
            v[i] = (float)pattern(i) * 0.37f;
        if (v)
            fits_write_img(f, TFLOAT, 1, n, v, &st);
        free(v);
    } else {
        short *v = malloc(sizeof(short) * (size_t)n);
        for (long i = 0; v && i < n; i++)
            v[i] = (short)pattern(i);
        if (v)
            fits_write_img(f, TSHORT, 1, n, v, &st);
        free(v);
    }
    if (checksums) {
        fits_write_chksum(f, &st);
        if (comptype) { /* the empty primary too */
            fits_movabs_hdu(f, 1, NULL, &st);
            fits_write_chksum(f, &st);
        }
    }
    int cst = 0;
    fits_close_file(f, &cst);
    if (st || cst) {
        fprintf(stderr, "hostile: cfitsio status %d/%d writing %s\n", st, cst, path);
        return 1;
    }
    return 0;
}

int hostile_write_rice(const char *path, long nx, long ny, int checksums)
{
    return write_image(path, RICE_1, SHORT_IMG, nx, ny, nx, 1, checksums);
}

int hostile_poke(const char *path, long long offset, const void *bytes, int n)
{
    FILE *f = fopen(path, "r+b");
    if (!f)
        return 1;
    const int ok = fseek(f, (long)offset, SEEK_SET) == 0 && fwrite(bytes, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    return !ok;
}

int hostile_patch_card(const char *path, const char *key, const char *card)
{
    FILE *f = fopen(path, "r+b");
    if (!f)
        return 1;
    char kw[9], c[80];
    snprintf(kw, sizeof kw, "%-8s", key);
    char padded[81];
    snprintf(padded, sizeof padded, "%-80s", card);
    int done = 0;
    for (long at = 0; !done && fread(c, 1, 80, f) == 80; at += 80)
        if (memcmp(c, kw, 8) == 0) {
            fseek(f, at, SEEK_SET);
            done = fwrite(padded, 1, 80, f) == 80;
        }
    fclose(f);
    if (!done)
        fprintf(stderr, "hostile: no %s card in %s\n", key, path);
    return !done;
}

int hostile_layout(const char *path, int hdu, const char *col, long long *data, long long *heap, long long *cell,
                   long long *rowlen)
{
    fitsfile *f = NULL;
    int st = 0;
    /* a compressed HDU's keywords are its table's (NAXIS1 the row length) */
    fits_open_diskfile(&f, path, READONLY, &st);
    fits_movabs_hdu(f, hdu, NULL, &st);
    LONGLONG h = 0, d = 0, e = 0;
    fits_get_hduaddrll(f, &h, &d, &e, &st);
    long theap = 0, naxis1 = 0, naxis2 = 0;
    int tst = 0;
    fits_read_key(f, TLONG, "NAXIS1", &naxis1, NULL, &st);
    fits_read_key(f, TLONG, "NAXIS2", &naxis2, NULL, &st);
    if (fits_read_key(f, TLONG, "THEAP", &theap, NULL, &tst))
        theap = naxis1 * naxis2;
    *data = d;
    *heap = d + theap;
    *rowlen = naxis1;
    *cell = d;
    if (col) { /* the column's byte offset within a row: the widths before it */
        int colnum = 0, tfields = 0;
        fits_get_colnum(f, CASEINSEN, (char *)col, &colnum, &st);
        fits_read_key(f, TINT, "TFIELDS", &tfields, NULL, &st);
        long long offset = 0;
        for (int i = 1; i < colnum && !st; i++) {
            int type = 0;
            long repeat = 0, width = 0;
            fits_get_coltype(f, i, &type, &repeat, &width, &st);
            char key[16], form[FLEN_VALUE];
            snprintf(key, sizeof key, "TFORM%d", i);
            fits_read_key(f, TSTRING, key, form, NULL, &st);
            offset += strchr(form, 'Q') ? 16 : strchr(form, 'P') ? 8 : (long long)repeat * width;
        }
        *cell = d + offset;
    }
    int cst = 0;
    fits_close_file(f, &cst);
    return st != 0;
}

/* the big-endian descriptor (count, offset) of row `row` (1-based) */
static int poke_descriptor(const char *path, const char *col, long row, long long count, long long offset)
{
    long long data, heap, cell, rowlen;
    if (hostile_layout(path, 2, col, &data, &heap, &cell, &rowlen))
        return 1;
    unsigned char d[8];
    for (int i = 0; i < 4; i++) {
        d[i] = (unsigned char)((unsigned long long)count >> (24 - 8 * i));
        d[4 + i] = (unsigned char)((unsigned long long)offset >> (24 - 8 * i));
    }
    return hostile_poke(path, cell + (row - 1) * rowlen, d, 8);
}

/* the descriptor of row `row` as it is */
static int peek_descriptor(const char *path, const char *col, long row, long long *count, long long *offset,
                           long long *heap)
{
    long long data, cell, rowlen;
    if (hostile_layout(path, 2, col, &data, heap, &cell, &rowlen))
        return 1;
    FILE *f = fopen(path, "rb");
    unsigned char d[8];
    const int ok = f && fseek(f, (long)(cell + (row - 1) * rowlen), SEEK_SET) == 0 && fread(d, 1, 8, f) == 8;
    if (f)
        fclose(f);
    *count = (long long)d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
    *offset = (long long)d[4] << 24 | d[5] << 16 | d[6] << 8 | d[7];
    return !ok;
}

/* ---- the cases ------------------------------------------------------------------ */

static int rice(const char *p) { return hostile_write_rice(p, 64, 48, 0); }

static int ztile1_zero(const char *p)
{
    return rice(p) || hostile_patch_card(p, "ZTILE1", "ZTILE1  =                    0 / width of a tile");
}

static int rice_blocksize_zero(const char *p)
{
    return rice(p) || hostile_patch_card(p, "ZVAL1", "ZVAL1   =                    0 / pixels a block");
}

static int ztile1_twice(const char *p)
{
    return rice(p) || hostile_patch_card(p, "TELESCOP", "ZTILE1  =                    7 / a second ZTILE1");
}

static int unknown_compression(const char *p)
{
    return rice(p) || hostile_patch_card(p, "ZCMPTYPE", "ZCMPTYPE= 'LZMA_9  '");
}

static int rows_not_tiles(const char *p)
{
    return rice(p) || hostile_patch_card(p, "ZNAXIS2", "ZNAXIS2 =                   47");
}

static int tform_wrong_width(const char *p)
{
    return rice(p) || hostile_patch_card(p, "TFORM1", "TFORM1  = '1QB(200)'");
}

static int bitpix_12(const char *p)
{
    return rice(p) || hostile_patch_card(p, "BITPIX", "BITPIX  =                   12");
}

static int descriptor_outside_heap(const char *p)
{
    return rice(p) || poke_descriptor(p, "COMPRESSED_DATA", 2, 100, 0x7ffffff0LL);
}

static int descriptor_negative(const char *p)
{
    return rice(p) || poke_descriptor(p, "COMPRESSED_DATA", 3, -5, 0);
}

static int heap_truncated(const char *p)
{
    if (rice(p))
        return 1;
    long long count, offset, heap;
    if (peek_descriptor(p, "COMPRESSED_DATA", 40, &count, &offset, &heap))
        return 1;
    return truncate(p, heap + offset) != 0;
}

static int hcompress_tile_size(const char *p)
{
    if (write_image(p, HCOMPRESS_1, SHORT_IMG, 64, 64, 16, 16, 0))
        return 1;
    long long count, offset, heap;
    if (peek_descriptor(p, "COMPRESSED_DATA", 1, &count, &offset, &heap))
        return 1;
    const unsigned char nx[4] = {0, 0, 0x10, 0}; /* 4096 rows in a 16 x 16 tile */
    return hostile_poke(p, heap + offset + 2, nx, 4);
}

static int gzip_tile_short(const char *p)
{
    if (write_image(p, GZIP_1, SHORT_IMG, 64, 48, 64, 1, 0))
        return 1;
    long long count, offset, heap;
    return peek_descriptor(p, "COMPRESSED_DATA", 1, &count, &offset, &heap) ||
           poke_descriptor(p, "COMPRESSED_DATA", 1, count - 1, offset);
}

static int gzip_tile_garbage(const char *p)
{
    if (write_image(p, GZIP_1, SHORT_IMG, 64, 48, 64, 1, 0))
        return 1;
    long long count, offset, heap;
    if (peek_descriptor(p, "COMPRESSED_DATA", 2, &count, &offset, &heap))
        return 1;
    unsigned char junk[16];
    for (int i = 0; i < 16; i++)
        junk[i] = (unsigned char)(i * 37 + 11);
    return hostile_poke(p, heap + offset + 12, junk, 16);
}

static int rice_float_tile_short(const char *p)
{
    if (write_image(p, RICE_1, FLOAT_IMG, 64, 48, 64, 1, 0))
        return 1;
    long long count, offset, heap;
    return peek_descriptor(p, "COMPRESSED_DATA", 5, &count, &offset, &heap) ||
           poke_descriptor(p, "COMPRESSED_DATA", 5, 3, offset);
}

static int datasum_wrong(const char *p)
{
    if (hostile_write_rice(p, 64, 48, 1))
        return 1;
    long long count, offset, heap;
    if (peek_descriptor(p, "COMPRESSED_DATA", 7, &count, &offset, &heap))
        return 1;
    /* the tile's first pixel is stored as is: another value still decodes */
    const unsigned char b = 0x5a;
    return hostile_poke(p, heap + offset + 1, &b, 1);
}

static int checksum_wrong(const char *p)
{
    return hostile_write_rice(p, 64, 48, 1) ||
           hostile_patch_card(p, "TELESCOP", "TELESCOP= 'SDO/AIB '           / a card to patch");
}

static int bscale_zero(const char *p)
{
    return rice(p) || hostile_patch_card(p, "TELESCOP", "BSCALE  =                  0.0 / all pixels 0");
}

static int raw_file(const char *p, const void *bytes, size_t n)
{
    FILE *f = fopen(p, "wb");
    if (!f)
        return 1;
    const int ok = fwrite(bytes, 1, n, f) == n;
    return fclose(f) != 0 || !ok;
}

/* a header of cards (NULL-terminated) and END, padded to 2880 */
static int header_file(const char *p, const char *const cards[], int with_end, long long extra)
{
    char block[2880 * 2];
    memset(block, ' ', sizeof block);
    int n = 0;
    for (; cards[n]; n++)
        memcpy(block + 80 * n, cards[n], strlen(cards[n]));
    if (with_end)
        memcpy(block + 80 * n, "END", 3);
    if (raw_file(p, block, 2880))
        return 1;
    if (extra > 0) {
        FILE *f = fopen(p, "ab");
        char *zeros = calloc(1, (size_t)extra);
        const int ok = f && zeros && fwrite(zeros, 1, (size_t)extra, f) == (size_t)extra;
        free(zeros);
        if (f)
            fclose(f);
        return !ok;
    }
    return 0;
}

static int primary_20000(const char *p)
{
    const char *const cards[] = {"SIMPLE  =                    T", "BITPIX  =                  -32",
                                 "NAXIS   =                    2", "NAXIS1  =                20000",
                                 "NAXIS2  =                20000", NULL};
    return header_file(p, cards, 1, 0);
}

static int primary_huge(const char *p)
{
    const char *const cards[] = {"SIMPLE  =                    T", "BITPIX  =                  -32",
                                 "NAXIS   =                    2", "NAXIS1  =               100000",
                                 "NAXIS2  =               100000", NULL};
    return header_file(p, cards, 1, 0);
}

static int no_end_card(const char *p)
{
    const char *const cards[] = {"SIMPLE  =                    T", "BITPIX  =                   16",
                                 "NAXIS   =                    2", "NAXIS1  =                   10",
                                 "NAXIS2  =                   10", NULL};
    return header_file(p, cards, 0, 0);
}

static int simple_false(const char *p)
{
    const char *const cards[] = {"SIMPLE  =                    F", "BITPIX  =                   16",
                                 "NAXIS   =                    0", NULL};
    return header_file(p, cards, 1, 0);
}

static int naxis2_missing(const char *p)
{
    const char *const cards[] = {"SIMPLE  =                    T", "BITPIX  =                   16",
                                 "NAXIS   =                    2", "NAXIS1  =                   10",
                                 "BSCALE  =                    1", NULL};
    return header_file(p, cards, 1, 2880);
}

static int zip_file(const char *p)
{
    unsigned char b[48] = {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0};
    memset(b + 10, 0xff, 38);
    return raw_file(p, b, sizeof b);
}

/* 100000 x 100000 pixels in 100000 empty tiles: a small file whose image
 * would need 40 GB */
static int compressed_huge(const char *p)
{
    fitsfile *f = NULL;
    int st = 0;
    char name[4200];
    snprintf(name, sizeof name, "!%s", p);
    fits_create_file(&f, name, &st);
    fits_create_img(f, BYTE_IMG, 0, NULL, &st);
    char *ttype[] = {"COMPRESSED_DATA"}, *tform[] = {"1PB(0)"};
    fits_create_tbl(f, BINARY_TBL, 100000, 1, ttype, tform, NULL, "COMPRESSED_IMAGE", &st);
    int t = 1;
    long v;
    fits_write_key(f, TLOGICAL, "ZIMAGE", &t, NULL, &st);
    fits_write_key_str(f, "ZCMPTYPE", "RICE_1", NULL, &st);
    v = 16, fits_write_key(f, TLONG, "ZBITPIX", &v, NULL, &st);
    v = 2, fits_write_key(f, TLONG, "ZNAXIS", &v, NULL, &st);
    v = 100000, fits_write_key(f, TLONG, "ZNAXIS1", &v, NULL, &st);
    fits_write_key(f, TLONG, "ZNAXIS2", &v, NULL, &st);
    fits_write_key(f, TLONG, "ZTILE1", &v, NULL, &st);
    v = 1, fits_write_key(f, TLONG, "ZTILE2", &v, NULL, &st);
    fits_write_key_str(f, "ZNAME1", "BLOCKSIZE", NULL, &st);
    v = 32, fits_write_key(f, TLONG, "ZVAL1", &v, NULL, &st);
    fits_write_key_str(f, "ZNAME2", "BYTEPIX", NULL, &st);
    v = 2, fits_write_key(f, TLONG, "ZVAL2", &v, NULL, &st);
    int cst = 0;
    fits_close_file(f, &cst);
    return st || cst;
}

static int gzip_wrapped(const char *p)
{
    char plain[4200];
    snprintf(plain, sizeof plain, "%s.plain", p);
    if (hostile_write_rice(plain, 64, 48, 1))
        return 1;
    FILE *in = fopen(plain, "rb");
    gzFile out = gzopen(p, "wb");
    char buf[8192];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = gzwrite(out, buf, (unsigned)n) == (int)n;
    if (in)
        fclose(in);
    if (out)
        gzclose(out);
    unlink(plain);
    return !ok;
}

/* a valid gzip-wrapped file followed, inside the gzip stream, by 256 MiB of
 * zeros that inflate from 256 KiB: the reader must stop at the FITS end */
static int gzip_bomb(const char *p)
{
    char plain[4200];
    snprintf(plain, sizeof plain, "%s.plain", p);
    if (hostile_write_rice(plain, 64, 48, 0))
        return 1;
    FILE *in = fopen(plain, "rb");
    gzFile out = gzopen(p, "wb1");
    char *buf = calloc(1, 1 << 20);
    size_t n;
    int ok = in && out && buf;
    while (ok && (n = fread(buf, 1, 1 << 20, in)) > 0)
        ok = gzwrite(out, buf, (unsigned)n) == (int)n;
    if (buf)
        memset(buf, 0, 1 << 20);
    for (int i = 0; ok && i < 256; i++)
        ok = gzwrite(out, buf, 1 << 20) == 1 << 20;
    free(buf);
    if (in)
        fclose(in);
    if (out)
        gzclose(out);
    unlink(plain);
    return !ok;
}

const hostile_case hostile_cases[] = {
    {"ztile1_zero.fits", AIA_ERR_CORRUPT, "ZTILE1 = 0", ztile1_zero},
    {"rice_blocksize_zero.fits", AIA_ERR_CORRUPT, "block size (ZVAL1) 0", rice_blocksize_zero},
    {"ztile1_twice.fits", AIA_ERR_CORRUPT, "ZTILE1 appears twice", ztile1_twice},
    {"unknown_compression.fits", AIA_ERR_CORRUPT, "unknown compression ZCMPTYPE = 'LZMA_9'", unknown_compression},
    {"rows_not_tiles.fits", AIA_ERR_CORRUPT, "48 rows (NAXIS2) but the image has 47 tiles", rows_not_tiles},
    {"tform_wrong_width.fits", AIA_ERR_CORRUPT, "widths do not add up", tform_wrong_width},
    {"bitpix_12.fits", AIA_ERR_CORRUPT, "BITPIX", bitpix_12},
    {"descriptor_outside_heap.fits", AIA_ERR_CORRUPT, "tile 2 (table row 2): its COMPRESSED_DATA array",
     descriptor_outside_heap},
    {"descriptor_negative.fits", AIA_ERR_CORRUPT, "tile 3 (table row 3)", descriptor_negative},
    {"heap_truncated.fits", AIA_ERR_TRUNCATED, "truncated", heap_truncated},
    {"hcompress_tile_size.fits", AIA_ERR_UNSUPPORTED, "HCOMPRESS_1 tile compression is not read",
     hcompress_tile_size},
    {"gzip_tile_short.fits", AIA_ERR_CORRUPT, "tile 1 (table row 1): its gzip data", gzip_tile_short},
    {"gzip_tile_garbage.fits", AIA_ERR_CORRUPT, "tile 2 (table row 2): its gzip data", gzip_tile_garbage},
    {"rice_float_tile_short.fits", AIA_ERR_CORRUPT, "corrupt compressed tile 5 (table row 5)",
     rice_float_tile_short},
    {"bscale_zero.fits", AIA_ERR_KEY_MALFORMED, "BSCALE = 0: every pixel would be", bscale_zero},
    {"datasum_wrong.fits", AIA_ERR_CHECKSUM, "do not match their DATASUM", datasum_wrong},
    {"checksum_wrong.fits", AIA_ERR_CHECKSUM, "does not match its CHECKSUM", checksum_wrong},
    {"primary_20000x20000.fits", AIA_ERR_TRUNCATED, "says its data end at byte", primary_20000},
    {"primary_100000x100000.fits", AIA_ERR_UNSUPPORTED, "more than this reader takes", primary_huge},
    {"compressed_100000x100000.fits", AIA_ERR_UNSUPPORTED, "100000 x 100000 pixels, more than", compressed_huge},
    {"no_end_card.fits", AIA_ERR_TRUNCATED, "has no END card", no_end_card},
    {"simple_false.fits", AIA_ERR_NOT_FITS, "SIMPLE = F", simple_false},
    {"naxis2_missing.fits", AIA_ERR_CORRUPT, "NAXIS2 is missing", naxis2_missing},
    {"zip_archive.fits", AIA_ERR_NOT_FITS, "a zip file, not FITS", zip_file},
    {"gzip_wrapped.fits.gz", AIA_OK, "", gzip_wrapped},
    {"gzip_bomb.fits.gz", AIA_OK, "", gzip_bomb},
    {NULL, 0, NULL, NULL},
};
