/* fits_read.c — read an AIA FITS image (JSOC Rice-compressed HDU 1, or a
 * plain primary image) with cfitsio, keeping every header card.
 *
 * Before cfitsio sees the file we check the cheap things ourselves (exists,
 * regular file, non-empty, starts with SIMPLE) so that the common failures get
 * a message a person understands; cfitsio does all the decoding. */
#include "io/io.h"

#include <errno.h>
#include <fitsio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* gzip's magic bytes: a .fits.gz that cfitsio unpacks as it reads. */
static int is_gzip(const char *head) { return (unsigned char)head[0] == 0x1f && (unsigned char)head[1] == 0x8b; }

static int check_file(const char *path, long long *size, int *gzipped)
{
    *gzipped = 0;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return aia_fail(AIA_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return aia_fail(AIA_ERR_NOT_REGULAR, "%s: is a directory, not a FITS file", path);
    if (!S_ISREG(sb.st_mode))
        return aia_fail(AIA_ERR_NOT_REGULAR, "%s: not a regular file", path);
    if (sb.st_size == 0)
        return aia_fail(AIA_ERR_NOT_FITS, "%s: empty file (0 bytes), not a FITS file", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return aia_fail(AIA_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char head[10] = {0};
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    if (got >= 2 && is_gzip(head)) { /* sizes and the first card are the unpacked file's: cfitsio checks */
        *gzipped = 1;
        *size = (long long)sb.st_size;
        return AIA_OK;
    }
    if (got < sizeof head || memcmp(head, "SIMPLE  = ", sizeof head) != 0)
        return aia_fail(AIA_ERR_NOT_FITS,
                        "%s: not a FITS file (it does not start with the SIMPLE keyword)", path);
    if (sb.st_size < 2880)
        return aia_fail(AIA_ERR_TRUNCATED,
                        "%s: truncated: %lld bytes, shorter than one 2880-byte FITS header block",
                        path, (long long)sb.st_size);
    *size = (long long)sb.st_size;
    return AIA_OK;
}

/* Move to the image HDU: the primary if it holds an image, else HDU 2 (the
 * first extension), which is where JSOC puts the tile-compressed image. */
static int find_image_hdu(fitsfile *f, const char *path, long long file_size, int *naxis)
{
    int fst = 0;
    fits_get_img_dim(f, naxis, &fst);
    if (fst)
        return aia_fail_fits(fst, path, "cannot read the primary header");
    if (*naxis != 0)
        return AIA_OK;
    int nhdu = 0;
    fits_get_num_hdus(f, &nhdu, &fst);
    if (fst || nhdu < 2) {
        /* bytes after the primary HDU are an extension cut short */
        LONGLONG head, data, end;
        fst = 0;
        fits_get_hduaddrll(f, &head, &data, &end, &fst);
        if (!fst && end < file_size)
            return aia_fail(AIA_ERR_TRUNCATED,
                            "%s: truncated: the extension after byte %lld is incomplete", path,
                            (long long)end);
        return aia_fail(AIA_ERR_NO_IMAGE,
                        "%s: no image: the primary HDU is empty and there is no extension", path);
    }
    int type = 0;
    fits_movabs_hdu(f, 2, &type, &fst);
    if (fst)
        return aia_fail_fits(fst, path, "cannot read the first extension");
    if (type != IMAGE_HDU)
        return aia_fail(AIA_ERR_NO_IMAGE,
                        "%s: no image: the primary HDU is empty and extension 1 is a table",
                        path);
    fits_get_img_dim(f, naxis, &fst);
    if (fst)
        return aia_fail_fits(fst, path, "cannot read the image header");
    return AIA_OK;
}

/* The data must end inside the file (the last 2880-byte block may be short
 * only by its padding, which the read itself then checks). */
static int check_length(fitsfile *f, const char *path, long long file_size)
{
    LONGLONG head_start, data_start, data_end;
    int fst = 0;
    fits_get_hduaddrll(f, &head_start, &data_start, &data_end, &fst);
    if (fst)
        return aia_fail_fits(fst, path, "cannot locate the data");
    if (file_size <= data_end - 2880)
        return aia_fail(AIA_ERR_TRUNCATED,
                        "%s: truncated: the file has %lld bytes but its header says the data "
                        "end at byte %lld",
                        path, file_size, (long long)data_end);
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

static int read_pixels(fitsfile *f, const char *path, aia_image *img)
{
    if (img->source.compressed && !img->source.gzip) { /* Rice integer tiles: the library's decoder */
        int handled = 0;
        const int st = aia_tiles_read(f, path, img->source.file_bytes, img->pixtype, img->data, &handled);
        if (handled || st)
            return st;
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
    if (fst == END_OF_FILE || fst == READ_ERROR) {
        fits_clear_errmsg();
        return aia_fail(AIA_ERR_TRUNCATED, "%s: truncated: the image data end before the %ld x %ld "
                                           "pixels the header promises",
                        path, img->width, img->height);
    }
    if (fst)
        return aia_fail_fits(fst, path, "cannot decode the image");
    return AIA_OK;
}

int aia_image_read(const char *path, aia_pixtype pixtype, aia_image **out)
{
    *out = NULL;
    return aia_image_read_into(path, pixtype, out);
}

int aia_image_read_into(const char *path, aia_pixtype pixtype, aia_image **out)
{
    aia_clear_error();
    long long file_size = 0;
    int gzipped = 0;
    int st = check_file(path, &file_size, &gzipped);
    if (st)
        return st;

    fitsfile *f = NULL;
    int fst = 0;
    /* fits_open_diskfile: the name is literal, no extended-syntax parsing. */
    if (fits_open_diskfile(&f, path, READONLY, &fst))
        return aia_fail_fits(fst, path, "cannot open as FITS");

    aia_image *img = *out, *fresh = NULL;
    int naxis = 0;
    st = find_image_hdu(f, path, file_size, &naxis);
    if (!st && naxis != 2)
        st = aia_fail(AIA_ERR_NO_IMAGE, "%s: the image has %d axes, expected 2", path, naxis);
    long dims[2] = {0, 0};
    if (!st && fits_get_img_size(f, 2, dims, &fst))
        st = aia_fail_fits(fst, path, "cannot read the image size");
    if (!st && (dims[0] <= 0 || dims[1] <= 0))
        st = aia_fail(AIA_ERR_NO_IMAGE, "%s: the image is empty (%ld x %ld)", path, dims[0], dims[1]);
    if (!st && !gzipped)
        st = check_length(f, path, file_size);
    if (!st && img) {
        st = aia_image_reshape(img, dims[0], dims[1], pixtype);
        if (!st) {
            aia_header_free(img->header);
            img->header = aia_header_new();
            if (!img->header)
                st = aia_fail(AIA_ERR_NOMEM, "out of memory");
        }
    } else if (!st) {
        st = aia_image_alloc(dims[0], dims[1], pixtype, 0, &fresh);
        img = fresh;
    }
    if (!st)
        st = read_header(f, path, img->header);
    if (!st) {
        read_source_info(f, &img->source);
        img->source.file_bytes = file_size;
        img->source.gzip = gzipped;
        st = read_pixels(f, path, img);
    }
    int close_st = 0;
    fits_close_file(f, &close_st);
    fits_clear_errmsg();
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
    long long file_size = 0;
    int gzipped = 0;
    int st = check_file(path, &file_size, &gzipped);
    if (st)
        return st;
    fitsfile *f = NULL;
    int fst = 0, naxis = 0;
    if (fits_open_diskfile(&f, path, READONLY, &fst))
        return aia_fail_fits(fst, path, "cannot open as FITS");
    aia_header *hdr = aia_header_new();
    st = hdr ? find_image_hdu(f, path, file_size, &naxis) : aia_fail(AIA_ERR_NOMEM, "out of memory");
    st = st ? st : read_header(f, path, hdr);
    int close_st = 0;
    fits_close_file(f, &close_st);
    fits_clear_errmsg();
    if (st) {
        aia_header_free(hdr);
        return st;
    }
    *out = hdr;
    return AIA_OK;
}

int aia_fits_checksum_ok(const char *path)
{
    fitsfile *f = NULL;
    int st = 0, naxis = 0;
    if (fits_open_diskfile(&f, path, READONLY, &st)) {
        fits_clear_errmsg();
        return -1;
    }
    fits_get_img_dim(f, &naxis, &st);
    if (!st && naxis == 0)
        fits_movabs_hdu(f, 2, NULL, &st);
    int data_ok = 0, hdu_ok = 0;
    if (!st)
        fits_verify_chksum(f, &data_ok, &hdu_ok, &st);
    int cst = 0;
    fits_close_file(f, &cst);
    fits_clear_errmsg();
    if (st)
        return -1;
    return data_ok >= 0 && hdu_ok >= 0; /* -1: wrong; 0: absent; 1: right */
}
