/* fits_scan.h — the structure of a FITS file read from its raw bytes,
 * before cfitsio is handed any of it: where each HDU's header and data lie,
 * the mandatory keywords, binary-table columns and the tile-compression
 * parameters of compressed images, each checked for what would make cfitsio
 * divide by zero, loop, or read and write outside its buffers. Internal. */
#ifndef AIAPREP_IO_FITS_SCAN_H
#define AIAPREP_IO_FITS_SCAN_H

#include "io/source.h"

#define AIA_SCAN_MAX_HDUS 1000
#define AIA_SCAN_MAX_HEADER_BLOCKS 1000 /* 36000 cards: JSOC's have ~250   */
#define AIA_ZMAX_DIM 6                  /* cfitsio's MAX_COMPRESS_DIM      */
#define AIA_ZMAX_TILE_PIXELS (1LL << 26)

typedef struct aia_column {
    char name[72];        /* TTYPEn, trimmed                              */
    char type;            /* TFORMn's letter: L X B I J K A E D C M P Q   */
    char elem;            /* for P/Q: the type of the array's elements    */
    int elem_bytes;       /* bytes of one such element                    */
    long long repeat;
    long long offset;     /* byte offset within a row                      */
    long long width;      /* bytes a row                                   */
} aia_column;

typedef struct aia_zparams {
    char cmptype[16];     /* ZCMPTYPE                                      */
    int zbitpix, znaxis;
    long long znaxes[AIA_ZMAX_DIM], ztile[AIA_ZMAX_DIM];
    long long tiles;      /* = the table's rows                           */
    long long tile_pixels;/* of a whole tile (edge tiles are smaller)      */
    int rice_block, rice_bytepix; /* as cfitsio reads ZVAL1/ZVAL2          */
} aia_zparams;

typedef struct aia_hdu {
    long long header_at, data_at;  /* file offsets                          */
    long long data_bytes;          /* without the padding                   */
    long long next_at;             /* where the next HDU would start        */
    char xtension[16];             /* "" for the primary                    */
    int bitpix, naxis;
    long long naxes[2];            /* NAXIS1, NAXIS2 (0 when absent)        */
    long long pixels;              /* the product of all NAXISn             */
    long long pcount, gcount, theap;
    int tfields;
    aia_column *cols;              /* tfields of them (binary tables)       */
    int zimage;                    /* a tile-compressed image               */
    aia_zparams z;
    int has_checksum, has_datasum;
    char checksum[17];
    unsigned long long datasum;
} aia_hdu;

typedef struct aia_fits_layout {
    int n;
    aia_hdu hdu[AIA_SCAN_MAX_HDUS];
} aia_fits_layout;

/* Walk every HDU of the file (as cfitsio would move through them), checking
 * each header's structure and each compressed image's parameters. Errors
 * (AIA_ERR_CORRUPT, AIA_ERR_TRUNCATED, AIA_ERR_NOT_FITS) name the file and
 * the HDU. Bytes after the last HDU that do not start an extension are
 * ignored, as cfitsio does. *layout is allocated; free it with
 * aia_fits_layout_free. An image HDU (plain or compressed) of more than
 * max_pixels is AIA_ERR_UNSUPPORTED. */
int aia_fits_scan(const aia_source *s, long long max_pixels, aia_fits_layout **layout);
void aia_fits_layout_free(aia_fits_layout *layout);

/* For a partial file (a gzip being inflated): how many bytes the headers
 * seen so far say the file needs. Returns 1 if bytes [0, have) do not yet
 * hold the whole declared structure (*need is then a bound > have), 0 when
 * they do (*need is the end of the last HDU), -1 when what is there is not
 * valid FITS (the full scan reports why). */
int aia_fits_declared_size(const unsigned char *bytes, long long have, long long max_bytes, long long max_pixels,
                           long long *need);

/* "the primary HDU" or "extension N", for messages. */
const char *aia_hdu_name(int index, char buf[32]);

/* The column named name (case-insensitive), or NULL. */
const aia_column *aia_hdu_column(const aia_hdu *h, const char *name);

#endif
