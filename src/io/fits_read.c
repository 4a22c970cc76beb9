/* fits_read.c — read an AIA FITS image (JSOC Rice-compressed HDU 1, or a
 * plain primary image) with cfitsio, keeping every header card.
 *
 * cfitsio is handed only a file whose structure has been checked: opening
 * (source.c) says plainly what is missing, empty, not FITS; the scan
 * (fits_scan.c) walks every header and compressed image's parameters; the
 * checksums are verified (checksum.c); the tiles' descriptors, and the
 * tiles themselves where cfitsio decodes them, are checked (tile_check.c).
 * The library's Rice decoder (tiles.c) reads JSOC's integer tiles. */
#include "io/io.h"

#include "io/checksum.h"
#include "io/fits_scan.h"
#include "io/source.h"
#include "io/tile_check.h"

#include <errno.h>
#include <fitsio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_PIXELS (1LL << 30)

void aia_read_options_default(aia_read_options *o)
{
    o->verify_checksums = 1;
    o->max_pixels = DEFAULT_MAX_PIXELS;
}

/* The image HDU: the primary if it holds an image, else HDU 1 (the first
 * extension), where JSOC puts the tile-compressed image. */
static int find_image_hdu(const aia_source *src, const aia_fits_layout *lay, int *index)
{
    const aia_hdu *p = &lay->hdu[0];
    if (p->naxis != 0) {
        *index = 0;
        return AIA_OK;
    }
    if (lay->n < 2) {
        if (p->next_at < src->size)
            return aia_fail(AIA_ERR_TRUNCATED,
                            "%s: truncated: the %lld bytes after the primary HDU (byte %lld on) are not a "
                            "complete extension",
                            src->path, src->size - p->next_at, p->next_at);
        return aia_fail(AIA_ERR_NO_IMAGE, "%s: no image: the primary HDU is empty and there is no extension",
                        src->path);
    }
    const aia_hdu *e = &lay->hdu[1];
    if (strcmp(e->xtension, "IMAGE") != 0 && !e->zimage)
        return aia_fail(AIA_ERR_NO_IMAGE, "%s: no image: the primary HDU is empty and extension 1 is a%s %s",
                        src->path, strcmp(e->xtension, "BINTABLE") == 0 ? " binary table" : "n extension of type",
                        strcmp(e->xtension, "BINTABLE") == 0 ? "(not a compressed image)" : e->xtension);
    *index = 1;
    return AIA_OK;
}

/* The image's shape as the scan read it, checked. */
static int image_shape(const aia_source *src, const aia_hdu *h, long long max_pixels, long dims[2])
{
    const int naxis = h->zimage ? h->z.znaxis : h->naxis;
    if (naxis != 2)
        return aia_fail(AIA_ERR_NO_IMAGE, "%s: the image has %d axes, expected 2", src->path, naxis);
    const long long w = h->zimage ? h->z.znaxes[0] : h->naxes[0], ht = h->zimage ? h->z.znaxes[1] : h->naxes[1];
    if (w <= 0 || ht <= 0)
        return aia_fail(AIA_ERR_NO_IMAGE, "%s: the image is empty (%lld x %lld)", src->path, w, ht);
    if (w > max_pixels / ht)
        return aia_fail(AIA_ERR_UNSUPPORTED, "%s: the image is %lld x %lld pixels, more than the %lld this reader "
                                             "takes",
                        src->path, w, ht, max_pixels);
    dims[0] = (long)w;
    dims[1] = (long)ht;
    return AIA_OK;
}

static int open_fits(aia_source *src, fitsfile **f)
{
    aia_cfitsio_init();
    int fst = 0;
    src->fits_mem = src->mem;
    src->fits_mem_size = (size_t)src->size;
    /* fits_open_diskfile: the name is literal, no extended-syntax parsing */
    if (src->mem ? fits_open_memfile(f, src->path, READONLY, &src->fits_mem, &src->fits_mem_size, 0, NULL, &fst)
                 : fits_open_diskfile(f, src->path, READONLY, &fst))
        return aia_fail_fits(fst, src->path, "cannot open as FITS");
    return AIA_OK;
}

/* Move to the image HDU and check that cfitsio sees the image the scan saw
 * (a disagreement would mean the two read the headers differently). */
static int move_to_image(fitsfile *f, const aia_source *src, int index, const long dims[2])
{
    int fst = 0, type = 0;
    char buf[32];
    if (index > 0 && fits_movabs_hdu(f, index + 1, &type, &fst))
        return aia_fail_fits(fst, src->path, index == 1 ? "cannot read the first extension" : aia_hdu_name(index, buf));
    int naxis = 0;
    long got[2] = {0, 0};
    fits_get_img_dim(f, &naxis, &fst);
    fits_get_img_size(f, 2, got, &fst);
    if (fst)
        return aia_fail_fits(fst, src->path, "cannot read the image header");
    if (naxis != 2 || got[0] != dims[0] || got[1] != dims[1])
        return aia_fail(AIA_ERR_CORRUPT, "%s: cfitsio reads the image as %d axes of %ld x %ld, the header says "
                                         "%ld x %ld: the header is inconsistent",
                        src->path, naxis, got[0], got[1], dims[0], dims[1]);
    return AIA_OK;
}

/* The header of the image a compressed HDU holds, as cfitsio rebuilds it.
 * This is fits_convert_hdr2str done by hand for one reason: that call closes
 * its scratch memory file with the image's NAXIS still set, and cfitsio then
 * fills a 32 MiB data unit with zeros (22 ms a frame). Declaring the scratch
 * image empty before deleting it skips that. */
static int compressed_header_text(fitsfile *f, char **text, int *ncards, int *fst)
{
    fitsfile *scratch = NULL;
    if (fits_create_file(&scratch, "mem://", fst))
        return *fst;
    fits_img_decompress_header(f, scratch, fst);
    fits_hdr2str(scratch, 0, NULL, 0, text, ncards, fst);
    int zero = 0, st = 0;
    fits_update_key(scratch, TINT, "NAXIS", &zero, NULL, &st);
    fits_delete_file(scratch, &st);
    return *fst;
}

static int read_header(fitsfile *f, const char *path, aia_header *hdr)
{
    char *text = NULL;
    int ncards = 0, fst = 0, cst = 0;
    if (fits_is_compressed_image(f, &cst))
        compressed_header_text(f, &text, &ncards, &fst);
    else
        fits_hdr2str(f, 0, NULL, 0, &text, &ncards, &fst);
    if (fst)
        return aia_fail_fits(fst, path, "cannot read the header");
    int st = AIA_OK;
    for (int i = 0; i < ncards && st == AIA_OK; i++) {
        char card[81];
        memcpy(card, text + 80 * (size_t)i, 80);
        card[80] = '\0';
        if (strncmp(card, "END     ", 8) == 0)
            break;
        /* Wholly blank cards are filler (JSOC reserves header space with
         * them); they carry nothing and cfitsio does not write them back. */
        if (strspn(card, " ") == 80)
            continue;
        st = aia_header_append_card(hdr, card);
    }
    fits_free_memory(text, &fst);
    return st;
}

static void read_source_info(fitsfile *f, aia_source_info *src)
{
    int fst = 0;
    fits_get_img_type(f, &src->bitpix, &fst);
    int hdunum = 1;
    fits_get_hdu_num(f, &hdunum);
    src->hdu = hdunum - 1; /* astropy's numbering: 0 is the primary */
    fst = 0;
    src->compressed = fits_is_compressed_image(f, &fst);
    if (src->compressed) {
        fst = 0;
        fits_read_key(f, TSTRING, "ZCMPTYPE", src->compression, NULL, &fst);
    }
    fst = 0;
    if (fits_read_key(f, TDOUBLE, "BSCALE", &src->bscale, NULL, &fst))
        src->bscale = 1.0;
    fst = 0;
    if (fits_read_key(f, TDOUBLE, "BZERO", &src->bzero, NULL, &fst))
        src->bzero = 0.0;
    fst = 0;
    src->has_blank = src->bitpix > 0 &&
                     fits_read_key(f, TLONGLONG, "BLANK", &src->blank, NULL, &fst) == 0;
    fits_clear_errmsg();
}

/* BSCALE = 0 would make every pixel BZERO: a damaged header, not data. */
static int check_scaling(const char *path, const aia_source_info *si)
{
    if (si->bscale == 0.0 || !isfinite(si->bscale))
        return aia_fail(AIA_ERR_KEY_MALFORMED, "%s: BSCALE = %g: every pixel would be %g; the header is damaged",
                        path, si->bscale, si->bzero);
    if (!isfinite(si->bzero))
        return aia_fail(AIA_ERR_KEY_MALFORMED, "%s: BZERO = %g is not a finite number", path, si->bzero);
    return AIA_OK;
}

static int read_pixels(fitsfile *f, const aia_source *src, const aia_hdu *h, int index, aia_image *img)
{
    if (img->source.compressed) { /* Rice integer tiles: the library's decoder */
        int handled = 0;
        const int st = aia_tiles_read(f, src, img->pixtype, img->data, &img->source, &handled);
        if (handled || st)
            return st;
        const int cst = aia_tiles_check(src, h, index, 1); /* cfitsio decodes: each tile first */
        if (cst)
            return cst;
    }
    const LONGLONG n = (LONGLONG)img->width * img->height;
    int anynul = 0, fst = 0;
    if (img->pixtype == AIA_PIX_F64) {
        double nulval = NAN;
        fits_read_img(f, TDOUBLE, 1, n, &nulval, img->data, &anynul, &fst);
    } else {
        float nulval = NAN;
        fits_read_img(f, TFLOAT, 1, n, &nulval, img->data, &anynul, &fst);
    }
    if (fst)
        return aia_fail_fits(fst, src->path, "cannot decode the image");
    return AIA_OK;
}

/* The image buffer: *out's reused, or a fresh one (*fresh). */
static int image_buffer(const char *path, const long dims[2], aia_pixtype pixtype, aia_image **out, aia_image **fresh)
{
    aia_image *img = *out;
    int st;
    if (img) {
        st = aia_image_reshape(img, dims[0], dims[1], pixtype);
        if (!st) {
            aia_header_free(img->header);
            img->header = aia_header_new();
            if (!img->header)
                st = AIA_ERR_NOMEM;
        }
    } else {
        st = aia_image_alloc(dims[0], dims[1], pixtype, 0, fresh);
    }
    if (st == AIA_ERR_NOMEM)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory for a %ld x %ld image (%.1f GiB)", path, dims[0],
                        dims[1], (double)dims[0] * (double)dims[1] * (double)aia_pixtype_size(pixtype) / 1073741824.0);
    if (st)
        aia_error_prefix(path);
    return st;
}

int aia_image_read(const char *path, aia_pixtype pixtype, aia_image **out)
{
    *out = NULL;
    return aia_image_read_with(path, pixtype, NULL, out);
}

int aia_image_read_into(const char *path, aia_pixtype pixtype, aia_image **out)
{
    return aia_image_read_with(path, pixtype, NULL, out);
}

int aia_image_read_with(const char *path, aia_pixtype pixtype, const aia_read_options *opts, aia_image **out)
{
    aia_clear_error();
    if (!path || !out)
        return aia_fail(AIA_ERR_ARG, "aia_image_read: NULL argument");
    aia_read_options o;
    aia_read_options_default(&o);
    if (opts) {
        o = *opts;
        if (o.max_pixels <= 0)
            o.max_pixels = DEFAULT_MAX_PIXELS;
    }
    aia_source src;
    int st = aia_source_open(&src, path, 0, o.max_pixels);
    if (st)
        return st;
    aia_fits_layout *lay = NULL;
    int index = 0;
    long dims[2] = {0, 0};
    st = aia_fits_scan(&src, o.max_pixels, &lay);
    if (!st)
        st = find_image_hdu(&src, lay, &index);
    const aia_hdu *h = st ? NULL : &lay->hdu[index];
    if (!st)
        st = image_shape(&src, h, o.max_pixels, dims);
    if (!st && o.verify_checksums && index > 0)
        st = aia_fits_verify_checksums(&src, &lay->hdu[0], 0);
    if (!st && o.verify_checksums)
        st = aia_fits_verify_checksums(&src, h, index);
    if (!st && h->zimage)
        st = aia_tiles_check(&src, h, index, 0);

    fitsfile *f = NULL;
    if (!st)
        st = open_fits(&src, &f);
    if (!st)
        st = move_to_image(f, &src, index, dims);
    aia_image *img = *out, *fresh = NULL;
    if (!st)
        st = image_buffer(path, dims, pixtype, out, &fresh);
    if (fresh)
        img = fresh;
    if (!st)
        st = read_header(f, path, img->header);
    if (!st) {
        read_source_info(f, &img->source);
        img->source.file_bytes = src.size;
        img->source.gzip = src.gzip;
        st = check_scaling(path, &img->source);
    }
    if (!st) {
        img->source.range_known = 0; /* unless the decoder finds it */
        st = read_pixels(f, &src, h, index, img);
    }
    if (f) {
        int close_st = 0;
        fits_close_file(f, &close_st);
    }
    fits_clear_errmsg();
    aia_fits_layout_free(lay);
    aia_source_close(&src);
    if (st) {
        aia_image_free(fresh);
        return st;
    }
    *out = img;
    return AIA_OK;
}

int aia_header_read(const char *path, aia_header **out)
{
    aia_clear_error();
    *out = NULL;
    aia_source src;
    int st = aia_source_open(&src, path, 0, DEFAULT_MAX_PIXELS);
    if (st)
        return st;
    aia_fits_layout *lay = NULL;
    int index = 0;
    long dims[2] = {0, 0};
    st = aia_fits_scan(&src, DEFAULT_MAX_PIXELS, &lay);
    if (!st)
        st = find_image_hdu(&src, lay, &index);
    if (!st)
        st = image_shape(&src, &lay->hdu[index], DEFAULT_MAX_PIXELS, dims);
    fitsfile *f = NULL;
    if (!st)
        st = open_fits(&src, &f);
    if (!st)
        st = move_to_image(f, &src, index, dims);
    aia_header *hdr = NULL;
    if (!st && !(hdr = aia_header_new()))
        st = aia_fail(AIA_ERR_NOMEM, "%s: out of memory", path);
    if (!st)
        st = read_header(f, path, hdr);
    if (f) {
        int close_st = 0;
        fits_close_file(f, &close_st);
    }
    fits_clear_errmsg();
    aia_fits_layout_free(lay);
    aia_source_close(&src);
    if (st)
        aia_header_free(hdr);
    else
        *out = hdr;
    return st;
}

/* 1 if the FITS file's checksums verify (or it has none), 0 if they do not,
 * -1 if it cannot be read: for the PSF cache, which rereads its own files. */
int aia_fits_checksum_ok(const char *path)
{
    aia_source src;
    if (aia_source_open(&src, path, 0, DEFAULT_MAX_PIXELS))
        return -1;
    aia_fits_layout *lay = NULL;
    int index = 0, ok = -1;
    if (aia_fits_scan(&src, DEFAULT_MAX_PIXELS, &lay) == AIA_OK && find_image_hdu(&src, lay, &index) == AIA_OK) {
        const int p = index > 0 ? aia_fits_verify_checksums(&src, &lay->hdu[0], 0) : AIA_OK;
        const int i = p ? p : aia_fits_verify_checksums(&src, &lay->hdu[index], index);
        ok = i == AIA_OK ? 1 : i == AIA_ERR_CHECKSUM ? 0 : -1;
    }
    aia_fits_layout_free(lay);
    aia_source_close(&src);
    aia_clear_error();
    return ok;
}
